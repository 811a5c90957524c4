"""MindSpore's ``P.LSTM`` (all weights packed in one tensor) and ``G.LSTMGrad``.

The numpy reference unpacks ``w`` with its own offsets (MindSpore's CPU layout: every layer and
direction's W_ih, then every W_hh, then every W_hr, then every bias) and loops over time, batch
and gates, so it checks the packing and the gate order as well as the arithmetic. Gradients are
checked against central differences in float64.
"""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.ops import grad_ops as G
from mind.core.ops import operations as P
from mind.core.testing import check_grads

RTOL, ATOL = 1e-6, 1e-8


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def pack_sizes(input_size, hidden, layers, dirs, has_bias, proj):
    real = proj or hidden
    per = []
    for layer in range(layers):
        width = input_size if layer == 0 else real * dirs
        per += [
            (4 * hidden * width, 4 * hidden * real, proj * hidden, 4 * hidden * has_bias)
        ] * dirs
    return per


def unpack(w, input_size, hidden, layers, dirs, has_bias, proj):
    """[(W_ih, W_hh, W_hr or None, b or zeros)] per layer and direction, from flat ``w``."""
    real = proj or hidden
    per = pack_sizes(input_size, hidden, layers, dirs, has_bias, proj)
    flat, offset = np.asarray(w, np.float64).reshape(-1), 0
    assert flat.size == sum(map(sum, per))
    parts = [[None] * 4 for _ in per]
    for part in range(4):
        for k, sizes in enumerate(per):
            n = sizes[part]
            parts[k][part] = flat[offset : offset + n]
            offset += n
    out = []
    for w_ih, w_hh, w_hr, b in parts:
        out.append(
            (
                w_ih.reshape(4 * hidden, -1),
                w_hh.reshape(4 * hidden, real),
                w_hr.reshape(proj, hidden) if proj else None,
                b if has_bias else np.zeros(4 * hidden),
            )
        )
    return out


def lstm_ref(x, h0, c0, w, hidden, layers=1, bidirectional=False, has_bias=True, proj=0):
    steps, batch, input_size = x.shape
    dirs = 2 if bidirectional else 1
    H = hidden
    weights = unpack(w, input_size, hidden, layers, dirs, has_bias, proj)
    h_n, c_n = np.zeros_like(h0, np.float64), np.zeros_like(c0, np.float64)
    layer_in = x.astype(np.float64)
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, w_hr, b = weights[k]
            out = np.zeros((steps, batch, proj or H))
            for n in range(batch):
                h, c = h0[k, n].astype(np.float64), c0[k, n].astype(np.float64)
                for t in range(steps - 1, -1, -1) if d else range(steps):
                    g = w_ih @ layer_in[t, n] + w_hh @ h + b
                    i, f = sigmoid(g[:H]), sigmoid(g[H : 2 * H])
                    gg, o = np.tanh(g[2 * H : 3 * H]), sigmoid(g[3 * H :])
                    c = f * c + i * gg
                    h = o * np.tanh(c)
                    if proj:
                        h = w_hr @ h
                    out[t, n] = h
                h_n[k, n], c_n[k, n] = h, c
            outs.append(out)
        layer_in = np.concatenate(outs, axis=-1)
    return layer_in, h_n, c_n


def case(input_size, hidden, layers, bidirectional, has_bias, proj, steps=3, batch=2, seed=0):
    rng = np.random.default_rng(seed)
    dirs = 2 if bidirectional else 1
    size = sum(map(sum, pack_sizes(input_size, hidden, layers, dirs, has_bias, proj)))
    x = rng.standard_normal((steps, batch, input_size))
    h0 = rng.standard_normal((layers * dirs, batch, proj or hidden))
    c0 = rng.standard_normal((layers * dirs, batch, hidden))
    w = rng.uniform(-0.6, 0.6, (size, 1, 1))
    op = P.LSTM(input_size, hidden, layers, has_bias, bidirectional, 0.0, proj)
    return op, x, h0, c0, w


CONFIGS = [
    # input_size, hidden, layers, bidirectional, has_bias, proj
    (4, 3, 1, False, True, 0),
    (4, 3, 1, False, False, 0),
    (4, 3, 1, True, True, 0),
    (4, 3, 2, False, True, 0),
    (3, 4, 2, True, True, 0),
    (3, 4, 2, True, False, 0),
    (4, 4, 1, False, False, 2),
    (3, 4, 2, True, True, 2),
]


def run(op, *arrays):
    return op(*(Tensor(a) for a in arrays))


# ------------------------------------------------------------------------------------------------
# Forward
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_forward_matches_numpy(config):
    op, x, h0, c0, w = case(*config)
    out, h_n, c_n, reserve, state = run(op, x, h0, c0, w)
    expect = lstm_ref(x, h0, c0, w, config[1], config[2], config[3], config[4], config[5])
    for got, want in zip((out, h_n, c_n), expect):
        np.testing.assert_allclose(got.asnumpy(), want, rtol=RTOL, atol=ATOL)
    assert out.dtype == ms.float64 and reserve.shape == state.shape == (1, 1)


@pytest.mark.parametrize(("layers", "bidirectional"), [(1, False), (2, False), (2, True)])
def test_forward_equals_nn_lstm_with_the_same_weights_packed(layers, bidirectional):
    ms.set_seed(7)
    layer = nn.LSTM(5, 3, layers, bidirectional=bidirectional, dtype=ms.float64)
    params = {n: p.asnumpy() for n, p in layer.parameters_and_names()}
    dirs = 2 if bidirectional else 1
    suffixes = [f"l{k}" + ("_reverse" if d else "") for k in range(layers) for d in range(dirs)]
    w = np.concatenate(
        [params[f"weight_ih_{s}"].ravel() for s in suffixes]
        + [params[f"weight_hh_{s}"].ravel() for s in suffixes]
        + [params[f"bias_ih_{s}"] + params[f"bias_hh_{s}"] for s in suffixes]
    ).reshape(-1, 1, 1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 2, 5))
    h0, c0 = rng.standard_normal((2, layers * dirs, 2, 3))
    want, (h_want, c_want) = layer(Tensor(x), (Tensor(h0), Tensor(c0)))
    op = P.LSTM(5, 3, layers, True, bidirectional, 0.0)
    out, h_n, c_n, _, _ = run(op, x, h0, c0, w)
    for got, expect in ((out, want), (h_n, h_want), (c_n, c_want)):
        np.testing.assert_allclose(got.asnumpy(), expect.asnumpy(), rtol=1e-10, atol=1e-12)


def test_one_layer_also_takes_the_gpu_packing_with_two_biases():
    op, x, h0, c0, w = case(4, 3, 1, False, True, 0)
    b_ih = np.random.default_rng(3).uniform(-0.5, 0.5, 12)
    cpu = w.ravel().copy()
    gpu = np.concatenate([cpu[:-12], b_ih, cpu[-12:] - b_ih])  # W_ih, W_hh, b_ih, b_hh
    want = run(op, x, h0, c0, w)
    got = run(op, x, h0, c0, gpu.reshape(-1, 1, 1))
    for g, e in zip(got[:3], want[:3]):
        np.testing.assert_allclose(g.asnumpy(), e.asnumpy(), rtol=1e-12, atol=1e-12)


def test_mindspore_docstring_example_values():
    # MindSpore's documented output of LSTM(10, 2, 1, True, False, 0.0) on ones (w: 112 ones).
    op = ops.LSTM(10, 2, 1, True, False, 0.0)
    x = Tensor(np.ones((5, 2, 10), np.float32))
    h0 = c0 = Tensor(np.ones((1, 2, 2), np.float32))
    out = op(x, h0, c0, Tensor(np.ones((112, 1, 1), np.float32)))[0]
    expect = [0.9640267, 0.9950539, 0.99932843, 0.9999084, 0.9999869]
    expect = np.broadcast_to(np.array(expect)[:, None, None], (5, 2, 2))
    np.testing.assert_allclose(out.asnumpy(), expect, rtol=1e-6)
    assert out.dtype == ms.float32


def test_dropout_between_layers_and_is_training():
    op, x, h0, c0, w = case(3, 4, 2, False, True, 0)
    dropped = P.LSTM(3, 4, 2, True, False, 1.0)
    out, h_n, c_n, _, _ = run(dropped, x, h0, c0, w)
    # Dropout 1 zeroes layer 0's output, so layer 1 reads zeros; layer 0's state is untouched.
    w_ih, w_hh, _, b = unpack(w, 3, 4, 2, 1, True, 0)[1]
    second = np.concatenate([w_ih.ravel(), w_hh.ravel(), b]).reshape(-1, 1, 1)
    want = lstm_ref(np.zeros((3, 2, 4)), h0[1:], c0[1:], second, 4)
    plain = lstm_ref(x, h0, c0, w, 4, 2)
    np.testing.assert_allclose(out.asnumpy(), want[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(h_n.asnumpy()[1], want[1][0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(c_n.asnumpy()[0], plain[2][0], rtol=RTOL, atol=ATOL)
    assert not np.allclose(want[0], plain[0])
    # MindSpore's is_training prim attr turns it off.
    dropped.add_prim_attr("is_training", False)
    np.testing.assert_allclose(run(dropped, x, h0, c0, w)[0].asnumpy(), plain[0], rtol=RTOL)


# ------------------------------------------------------------------------------------------------
# Gradients, jit, vmap, GRAPH_MODE
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("config", [CONFIGS[0], CONFIGS[4], CONFIGS[7]], ids=str)
def test_gradients_match_finite_differences(config):
    op, x, h0, c0, w = case(*config, steps=2)

    def f(x, h, c, w):
        out, h_n, c_n, _, _ = op(x, h, c, w)
        return ops.concat([out.reshape(-1), h_n.reshape(-1), c_n.reshape(-1)])

    check_grads(f, [x, h0, c0, w], rtol=1e-5, atol=1e-7)


def test_jit_and_graph_mode_cell_match_pynative():
    op, x, h0, c0, w = case(3, 4, 2, True, True, 0)
    eager = run(op, x, h0, c0, w)
    jitted = ms.jit(lambda *a: op(*a)[:3])(*(Tensor(a) for a in (x, h0, c0, w)))
    for g, e in zip(jitted, eager[:3]):
        np.testing.assert_allclose(g.asnumpy(), e.asnumpy(), rtol=1e-12, atol=1e-12)

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.lstm = P.LSTM(3, 4, 2, True, True, 0.0)
            self.w = ms.Parameter(Tensor(w))

        def construct(self, x, h, c):
            return self.lstm(x, h, c, self.w)[0]

    mode = ms.get_context("mode")
    try:
        ms.set_context(mode=ms.GRAPH_MODE)
        got = Net()(Tensor(x), Tensor(h0), Tensor(c0))
    finally:
        ms.set_context(mode=mode)
    np.testing.assert_allclose(got.asnumpy(), eager[0].asnumpy(), rtol=1e-12, atol=1e-12)


def test_jit_gradient_matches_eager_gradient():
    op, x, h0, c0, w = case(3, 4, 1, True, True, 0)

    def loss(x, w):
        out, h_n, c_n, _, _ = op(x, Tensor(h0), Tensor(c0), w)
        return (out * out).sum() + h_n.sum() + (c_n * 2).sum()

    args = (Tensor(x), Tensor(w))
    eager = ms.grad(loss, (0, 1))(*args)
    jitted = ms.jit(ms.grad(loss, (0, 1)))(*args)
    for g, e in zip(jitted, eager):
        np.testing.assert_allclose(g.asnumpy(), e.asnumpy(), rtol=1e-10, atol=1e-12)


def test_vmap_over_a_stack_of_weights():
    op, x, h0, c0, w = case(4, 3, 1, False, True, 0)
    ws = np.stack([w, w * 0.5, -w])
    got = ms.vmap(lambda w: op(Tensor(x), Tensor(h0), Tensor(c0), w)[0])(Tensor(ws))
    for k in range(3):
        want = lstm_ref(x, h0, c0, ws[k], 3)[0]
        np.testing.assert_allclose(got.asnumpy()[k], want, rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------------------------------------
# Attributes and errors
# ------------------------------------------------------------------------------------------------


def test_attributes_and_names():
    op = ops.LSTM(10, 4, 2, True, True, 0.0, 3)
    assert op.name == "LSTM" and op.num_directions == 2 and op.attrs["proj_size"] == 3
    assert ops.LSTM is P.LSTM and P.LSTM.__doc__.startswith("MindSpore's ``LSTM``")


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0, 4, 1, True, False, 0.0), ValueError, "input_size"),
        ((3, 4, 1.0, True, False, 0.0), TypeError, "num_layers"),
        ((3, 4, 1, 1, False, 0.0), TypeError, "has_bias"),
        ((3, 4, 1, True, "no", 0.0), TypeError, "bidirectional"),
        ((3, 4, 1, True, False, 0), TypeError, "dropout"),
        ((3, 4, 1, True, False, 1.5), ValueError, "dropout"),
        ((3, 4, 1, True, False, 0.0, 4), ValueError, "proj_size"),
        ((3, 4, 1, True, False), TypeError, "LSTM"),
    ],
)
def test_bad_attributes_raise_at_construction(args, error, match):
    with pytest.raises(error, match=match):
        P.LSTM(*args)


def test_bad_inputs_raise_naming_the_argument():
    op, x, h0, c0, w = case(4, 3, 1, False, True, 0)
    with pytest.raises(ValueError, match="'w' must hold 96 values"):
        run(op, x, h0, c0, w[:-1])
    with pytest.raises(ValueError, match="'x' must be 3-D"):
        run(op, x[..., :3], h0, c0, w)
    with pytest.raises(ValueError, match="'h' must have shape"):
        run(op, x, h0[:, :1], c0, w)
    with pytest.raises(ValueError, match="'c' must have shape"):
        run(op, x, h0, c0[..., :2], w)
    with pytest.raises(TypeError, match="'x' must be float"):
        run(op, x.astype(np.int32), h0, c0, w)


# ------------------------------------------------------------------------------------------------
# G.LSTMGrad
# ------------------------------------------------------------------------------------------------


def numeric_grad(f, arrays, k, eps=1e-6):
    base = [a.copy() for a in arrays]
    grad = np.zeros_like(base[k])
    for idx in np.ndindex(grad.shape):
        plus = [a.copy() for a in base]
        minus = [a.copy() for a in base]
        plus[k][idx] += eps
        minus[k][idx] -= eps
        grad[idx] = (f(*plus) - f(*minus)) / (2 * eps)
    return grad


def test_lstm_grad_is_the_vjp_of_lstm():
    config = (3, 2, 2, True, True, 0)
    op, x, h0, c0, w = case(*config, steps=2, batch=1)
    y, hy, cy = lstm_ref(x, h0, c0, w, 2, 2, True, True, 0)
    rng = np.random.default_rng(5)
    dy, dhy, dcy = (rng.standard_normal(a.shape) for a in (y, hy, cy))

    def contracted(x, h, c, w):
        out = lstm_ref(x, h, c, w, 2, 2, True, True, 0)
        return sum((o * d).sum() for o, d in zip(out, (dy, dhy, dcy)))

    grad = G.LSTMGrad(*config[:5], 0.0)
    reserve = np.zeros((1, 1))
    got = grad(*(Tensor(a) for a in (x, h0, c0, w, y, hy, cy, dy, dhy, dcy, reserve)))
    arrays = [x, h0, c0, w]
    for k, g in enumerate(got):
        assert g.shape == arrays[k].shape
        want = numeric_grad(contracted, arrays, k)
        np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-5, atol=1e-7)
    assert G.LSTMGrad.__module__ == "mind.core.ops.grad_ops" and not hasattr(P, "LSTMGrad")
    inputs = [Tensor(a) for a in (x, h0, c0, w, y, hy, cy, dy, dhy, dcy, reserve)]
    with pytest.raises(ValueError, match="dropout"):
        G.LSTMGrad(*config[:5], 0.5)(*inputs)
    with pytest.raises(ValueError, match="'dhy' must have the shape"):
        grad(*(Tensor(a) for a in (x, h0, c0, w, y, hy, cy, dy, dhy[:1], dcy, reserve)))


# ------------------------------------------------------------------------------------------------
# nn.LSTM's ParameterTuple views (MindSpore scripts assign them to share weights)
# ------------------------------------------------------------------------------------------------


def test_nn_lstm_weight_lists_read_and_assign_the_named_parameters():
    a = nn.LSTM(3, 4, 2, bidirectional=True)
    b = nn.LSTM(3, 4, 2, bidirectional=True)
    names = [p.name for p in a.w_ih_list]
    assert names == ["weight_ih_l0", "weight_ih_l0_reverse", "weight_ih_l1", "weight_ih_l1_reverse"]
    assert len(a.b_hh_list) == 4 and len(nn.GRU(3, 4, has_bias=False).b_ih_list) == 0
    for attr in ("w_ih_list", "w_hh_list", "b_ih_list", "b_hh_list"):
        setattr(b, attr, getattr(a, attr))
    assert all(p is q for p, q in zip(a.trainable_params(), b.trainable_params()))
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 3)).astype(np.float32))
    np.testing.assert_array_equal(a(x)[0].asnumpy(), b(x)[0].asnumpy())
    with pytest.raises(ValueError, match="'w_hh_list' must hold 4 Parameters"):
        b.w_hh_list = a.w_hh_list[:2]
