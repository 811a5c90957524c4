"""LSTM, GRU, MultiheadAttention and TransformerEncoderLayer against independent numpy code.

The references below loop over time, batch and heads in plain numpy, reading the layers'
parameter arrays by name, so they check the layouts (gate order, in_proj row blocks, _reverse
suffixes) as well as the arithmetic. Gradients are checked against central differences in float64.
"""

import math

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn
from mind.core.errors import MindTypeError, MindValueError

RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(autouse=True)
def _seed():
    ms.set_seed(1234)


def params_of(cell):
    return {name: p.asnumpy().astype(np.float64) for name, p in cell.parameters_and_names()}


def to_float64(cell):
    for p in cell.get_parameters():
        p.set_data(p.asnumpy().astype("float64"))
    return cell


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------------------------------------
# numpy references
# ------------------------------------------------------------------------------------------------


def rnn_ref(mode, x, P, hidden, num_layers=1, bidirectional=False, h0=None, c0=None, lengths=None):
    """(T, B, I) ``x`` -> output (T, B, D*H), h_n, c_n (c_n None for GRU). Each sequence is run
    alone over its first ``lengths[b]`` steps; outputs past its end stay zero."""
    steps, batch, _ = x.shape
    dirs = 2 if bidirectional else 1
    H = hidden
    lengths = [steps] * batch if lengths is None else list(lengths)
    h0 = np.zeros((num_layers * dirs, batch, H)) if h0 is None else h0
    c0 = np.zeros((num_layers * dirs, batch, H)) if c0 is None else c0
    h_n, c_n = np.zeros_like(h0), np.zeros_like(c0)
    layer_in = x.astype(np.float64)
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"l{layer}" + ("_reverse" if d else "")
            w_ih, w_hh = P[f"weight_ih_{sfx}"], P[f"weight_hh_{sfx}"]
            b_ih = P.get(f"bias_ih_{sfx}", np.zeros(w_ih.shape[0]))
            b_hh = P.get(f"bias_hh_{sfx}", np.zeros(w_ih.shape[0]))
            idx = layer * dirs + d
            out = np.zeros((steps, batch, H))
            for b in range(batch):
                h, c = h0[idx, b].copy(), c0[idx, b].copy()
                order = range(lengths[b] - 1, -1, -1) if d else range(lengths[b])
                for t in order:
                    xt = layer_in[t, b]
                    if mode == "LSTM":
                        g = w_ih @ xt + b_ih + w_hh @ h + b_hh
                        i, f = sigmoid(g[:H]), sigmoid(g[H : 2 * H])
                        gg, o = np.tanh(g[2 * H : 3 * H]), sigmoid(g[3 * H :])
                        c = f * c + i * gg
                        h = o * np.tanh(c)
                    else:
                        gi, gh = w_ih @ xt + b_ih, w_hh @ h + b_hh
                        r = sigmoid(gi[:H] + gh[:H])
                        z = sigmoid(gi[H : 2 * H] + gh[H : 2 * H])
                        n = np.tanh(gi[2 * H :] + r * gh[2 * H :])
                        h = (1 - z) * n + z * h
                    out[t, b] = h
                h_n[idx, b], c_n[idx, b] = h, c
            outs.append(out)
        layer_in = np.concatenate(outs, axis=-1)
    return layer_in, h_n, (c_n if mode == "LSTM" else None)


def mha_ref(
    q,
    k,
    v,
    P,
    num_heads,
    key_padding_mask=None,
    attn_mask=None,
    add_bias_kv=False,
    add_zero_attn=False,
    prefix="",
):
    """(L, N, E) query, (S, N, kdim) key, (S, N, vdim) value -> (L, N, E), weights (N, heads, L, S')."""
    L, N, _ = q.shape
    if prefix + "in_proj_weight" in P:
        w_q, w_k, w_v = np.split(P[prefix + "in_proj_weight"], 3)
    else:
        w_q, w_k, w_v = (P[prefix + f"{n}_proj_weight"] for n in "qkv")
    E = w_q.shape[0]
    hd = E // num_heads
    b_q, b_k, b_v = np.split(P.get(prefix + "in_proj_bias", np.zeros(3 * E)), 3)
    w_o = P[prefix + "out_proj.weight"]
    b_o = P.get(prefix + "out_proj.bias", np.zeros(E))
    out = np.zeros((L, N, E))
    all_weights = []
    for n in range(N):
        Q = q[:, n] @ w_q.T + b_q
        K = k[:, n] @ w_k.T + b_k
        V = v[:, n] @ w_v.T + b_v
        if add_bias_kv:
            K = np.vstack([K, P[prefix + "bias_k"].reshape(1, E)])
            V = np.vstack([V, P[prefix + "bias_v"].reshape(1, E)])
        heads, head_weights = [], []
        for h in range(num_heads):
            cols = slice(h * hd, (h + 1) * hd)
            Kh, Vh = K[:, cols], V[:, cols]
            if add_zero_attn:
                Kh, Vh = np.vstack([Kh, np.zeros((1, hd))]), np.vstack([Vh, np.zeros((1, hd))])
            s = Q[:, cols] @ Kh.T / math.sqrt(hd)
            S = k.shape[0]
            for m in (
                None
                if attn_mask is None
                else (attn_mask if attn_mask.ndim == 2 else attn_mask[n * num_heads + h]),
                None if key_padding_mask is None else np.broadcast_to(key_padding_mask[n], (L, S)),
            ):
                if m is None:
                    continue
                if m.dtype == bool:  # masked_fill on the real keys; extra columns stay open
                    s[:, :S] = np.where(m, -np.inf, s[:, :S])
                else:
                    s[:, :S] = s[:, :S] + m
            w = softmax(s)
            head_weights.append(w)
            heads.append(w @ Vh)
        out[:, n] = np.concatenate(heads, axis=1) @ w_o.T + b_o
        all_weights.append(np.stack(head_weights))
    return out, np.stack(all_weights)


def layer_norm_ref(x, gamma, beta, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def encoder_ref(x, P, nhead, activation="relu", norm_first=False, eps=1e-5, **masks):
    """(S, N, E) -> (S, N, E), dropout off."""
    act = {
        "relu": lambda a: np.maximum(a, 0),
        "gelu": lambda a: 0.5 * a * (1 + np.vectorize(math.erf)(a / math.sqrt(2))),
    }[activation]

    def sa(a):
        return mha_ref(a, a, a, P, nhead, prefix="self_attn.", **masks)[0]

    def ff(a):
        hidden = act(a @ P["linear1.weight"].T + P["linear1.bias"])
        return hidden @ P["linear2.weight"].T + P["linear2.bias"]

    def norm1(a):
        return layer_norm_ref(a, P["norm1.gamma"], P["norm1.beta"], eps)

    def norm2(a):
        return layer_norm_ref(a, P["norm2.gamma"], P["norm2.beta"], eps)

    if norm_first:
        x = x + sa(norm1(x))
        return x + ff(norm2(x))
    x = norm1(x + sa(x))
    return norm2(x + ff(x))


def numeric_grad(f, arr, eps=1e-6):
    """Central differences of scalar ``f()`` with respect to ``arr``, perturbed in place."""
    g = np.zeros_like(arr)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + eps
        plus = f()
        arr[idx] = old - eps
        minus = f()
        arr[idx] = old
        g[idx] = (plus - minus) / (2 * eps)
    return g


# ------------------------------------------------------------------------------------------------
# LSTM / GRU: construction
# ------------------------------------------------------------------------------------------------


def test_exports():
    for name in ("LSTM", "GRU", "MultiheadAttention", "TransformerEncoderLayer"):
        assert name in nn.__all__
        assert getattr(nn, name).__module__.startswith("mind.core._src.nn.")


@pytest.mark.parametrize(("cls", "gates"), [(nn.LSTM, 4), (nn.GRU, 3)])
def test_rnn_parameter_names_shapes_and_init(cls, gates):
    net = cls(5, 6, num_layers=2, bidirectional=True)
    shapes = {name: p.shape for name, p in net.parameters_and_names()}
    expected = {}
    for layer, in_size in ((0, 5), (1, 12)):
        for sfx in (f"l{layer}", f"l{layer}_reverse"):
            expected[f"weight_ih_{sfx}"] = (gates * 6, in_size)
            expected[f"weight_hh_{sfx}"] = (gates * 6, 6)
            expected[f"bias_ih_{sfx}"] = (gates * 6,)
            expected[f"bias_hh_{sfx}"] = (gates * 6,)
    assert shapes == expected
    # PyTorch's order: per layer, per direction, w_ih, w_hh, b_ih, b_hh.
    assert list(shapes)[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    bound = 1 / math.sqrt(6)
    for p in net.get_parameters():
        assert p.dtype == ms.float32
        assert np.abs(p.asnumpy()).max() <= bound
    assert [p.name for p in net.trainable_params()] == list(expected)


def test_rnn_without_bias_has_no_bias_parameters():
    names = [n for n, _ in nn.GRU(3, 4, has_bias=False).parameters_and_names()]
    assert names == ["weight_ih_l0", "weight_hh_l0"]


# ------------------------------------------------------------------------------------------------
# LSTM / GRU: forward against numpy
# ------------------------------------------------------------------------------------------------

CONFIGS = [
    # num_layers, bidirectional, batch_first, has_bias
    (1, False, False, True),
    (1, True, False, True),
    (2, False, True, True),
    (2, True, True, False),
]


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
@pytest.mark.parametrize(("num_layers", "bidirectional", "batch_first", "has_bias"), CONFIGS)
def test_rnn_matches_numpy(mode, num_layers, bidirectional, batch_first, has_bias):
    T, B, IN, H = 4, 3, 5, 6
    net = getattr(nn, mode)(
        IN,
        H,
        num_layers=num_layers,
        has_bias=has_bias,
        batch_first=batch_first,
        bidirectional=bidirectional,
    )
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, IN)).astype(np.float32)
    x_in = x.transpose(1, 0, 2) if batch_first else x
    out, state = net(Tensor(np.ascontiguousarray(x_in)))
    ref_out, ref_h, ref_c = rnn_ref(mode, x, params_of(net), H, num_layers, bidirectional)
    dirs = 2 if bidirectional else 1
    out = out.asnumpy()
    assert out.dtype == np.float32
    assert out.shape == ((B, T, dirs * H) if batch_first else (T, B, dirs * H))
    if batch_first:
        out = out.transpose(1, 0, 2)
    np.testing.assert_allclose(out, ref_out, rtol=RTOL, atol=ATOL)
    if mode == "LSTM":
        h_n, c_n = state
        assert h_n.shape == c_n.shape == (num_layers * dirs, B, H)
        np.testing.assert_allclose(c_n.asnumpy(), ref_c, rtol=RTOL, atol=ATOL)
    else:
        h_n = state
        assert h_n.shape == (num_layers * dirs, B, H)
    np.testing.assert_allclose(h_n.asnumpy(), ref_h, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_rnn_initial_state(mode):
    T, B, IN, H, L = 3, 2, 4, 5, 2
    net = getattr(nn, mode)(IN, H, num_layers=L, bidirectional=True)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((T, B, IN)).astype(np.float32)
    h0 = rng.standard_normal((2 * L, B, H)).astype(np.float32)
    c0 = rng.standard_normal((2 * L, B, H)).astype(np.float32)
    hx = (Tensor(h0), Tensor(c0)) if mode == "LSTM" else Tensor(h0)
    out, state = net(Tensor(x), hx)
    ref_out, ref_h, ref_c = rnn_ref(mode, x, params_of(net), H, L, True, h0, c0)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=RTOL, atol=ATOL)
    h_n = state[0] if mode == "LSTM" else state
    np.testing.assert_allclose(h_n.asnumpy(), ref_h, rtol=RTOL, atol=ATOL)
    if mode == "LSTM":
        np.testing.assert_allclose(state[1].asnumpy(), ref_c, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_rnn_seq_length(mode):
    T, B, IN, H = 5, 3, 3, 4
    net = getattr(nn, mode)(IN, H, num_layers=2, bidirectional=True, batch_first=True)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((B, T, IN)).astype(np.float32)
    lengths = np.array([5, 2, 3], np.int32)
    out, state = net(Tensor(x), seq_length=Tensor(lengths))
    ref_out, ref_h, ref_c = rnn_ref(
        mode, x.transpose(1, 0, 2), params_of(net), H, 2, True, lengths=lengths
    )
    out = out.asnumpy().transpose(1, 0, 2)
    np.testing.assert_allclose(out, ref_out, rtol=RTOL, atol=ATOL)
    assert not out[3:, 1].any() and not out[2:, 1].any()
    h_n = state[0] if mode == "LSTM" else state
    np.testing.assert_allclose(h_n.asnumpy(), ref_h, rtol=RTOL, atol=ATOL)


def test_rnn_dropout_between_layers_only_in_training():
    net = nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    x = Tensor(np.random.default_rng(3).standard_normal((4, 2, 3)).astype(np.float32))
    ref_out, _, _ = rnn_ref("LSTM", x.asnumpy(), params_of(net), 4, 2)
    net.set_train(False)
    np.testing.assert_allclose(net(x)[0].asnumpy(), ref_out, rtol=RTOL, atol=ATOL)
    net.set_train(True)
    assert not np.allclose(net(x)[0].asnumpy(), ref_out, rtol=RTOL, atol=ATOL)


def test_rnn_float64_follows_parameters():
    net = to_float64(nn.GRU(3, 4))
    x = np.random.default_rng(4).standard_normal((3, 2, 3))
    out, h_n = net(Tensor(x))
    assert out.dtype == ms.float64 and h_n.dtype == ms.float64
    ref_out, _, _ = rnn_ref("GRU", x, params_of(net), 4)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=1e-12, atol=1e-14)


def test_rnn_errors():
    lstm = nn.LSTM(3, 4)
    x = Tensor(np.zeros((2, 1, 3), np.float32))
    with pytest.raises(MindValueError, match="For 'LSTM', 'x' must be 3-D"):
        lstm(Tensor(np.zeros((2, 3), np.float32)))
    with pytest.raises(MindValueError, match="'x' has 5 features but input_size is 3"):
        lstm(Tensor(np.zeros((2, 1, 5), np.float32)))
    with pytest.raises(MindTypeError, match="'hx' must be a tuple"):
        lstm(x, Tensor(np.zeros((1, 1, 4), np.float32)))
    with pytest.raises(MindValueError, match=r"'hx\[1\]' must have shape"):
        lstm(x, (Tensor(np.zeros((1, 1, 4), np.float32)), Tensor(np.zeros((2, 1, 4), np.float32))))
    with pytest.raises(MindValueError, match="'seq_length' values must be in"):
        lstm(x, seq_length=Tensor(np.array([3], np.int32)))
    with pytest.raises(MindValueError, match="'seq_length' must be integers of shape"):
        lstm(x, seq_length=[1, 1])
    with pytest.raises(MindTypeError, match="For 'GRU', 'hx' must be a Tensor"):
        nn.GRU(3, 4)(x, (Tensor(np.zeros((1, 1, 4), np.float32)),))
    with pytest.raises(MindValueError, match="'hidden_size' must be a positive int"):
        nn.GRU(3, 0)
    with pytest.raises(MindValueError, match="'dropout' must be in"):
        nn.LSTM(3, 4, dropout=1.0)


# ------------------------------------------------------------------------------------------------
# MultiheadAttention
# ------------------------------------------------------------------------------------------------


def _qkv(L=4, S=5, N=2, E=8, kdim=None, vdim=None, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((L, N, E)).astype(np.float32)
    k = rng.standard_normal((S, N, kdim or E)).astype(np.float32)
    v = rng.standard_normal((S, N, vdim or E)).astype(np.float32)
    return q, k, v


def test_mha_parameters():
    mha = nn.MultiheadAttention(8, 2)
    assert {n: p.shape for n, p in mha.parameters_and_names()} == {
        "in_proj_weight": (24, 8),
        "in_proj_bias": (24,),
        "out_proj.weight": (8, 8),
        "out_proj.bias": (8,),
    }
    assert not mha.in_proj_bias.asnumpy().any() and not mha.out_proj.bias.asnumpy().any()
    bound = math.sqrt(6 / (8 + 24))  # Xavier uniform over (3E, E)
    assert np.abs(mha.in_proj_weight.asnumpy()).max() <= bound
    separate = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True, has_bias=False)
    assert {n: p.shape for n, p in separate.parameters_and_names()} == {
        "q_proj_weight": (8, 8),
        "k_proj_weight": (8, 3),
        "v_proj_weight": (8, 5),
        "out_proj.weight": (8, 8),
        "bias_k": (1, 1, 8),
        "bias_v": (1, 1, 8),
    }


@pytest.mark.parametrize("average", [True, False])
def test_mha_matches_numpy(average):
    q, k, v = _qkv()
    mha = nn.MultiheadAttention(8, 2)
    out, weights = mha(Tensor(q), Tensor(k), Tensor(v), average_attn_weights=average)
    ref_out, ref_w = mha_ref(q, k, v, params_of(mha), 2)
    assert out.shape == (4, 2, 8)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=RTOL, atol=ATOL)
    expected_w = ref_w.mean(1) if average else ref_w
    assert weights.shape == expected_w.shape
    np.testing.assert_allclose(weights.asnumpy(), expected_w, rtol=RTOL, atol=ATOL)


def test_mha_batch_first_unbatched_and_no_weights():
    q, k, v = _qkv()
    mha = nn.MultiheadAttention(8, 4, batch_first=True)
    ref_out, ref_w = mha_ref(q, k, v, params_of(mha), 4)
    out, weights = mha(*(Tensor(np.ascontiguousarray(t.transpose(1, 0, 2))) for t in (q, k, v)))
    np.testing.assert_allclose(out.asnumpy(), ref_out.transpose(1, 0, 2), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(weights.asnumpy(), ref_w.mean(1), rtol=RTOL, atol=ATOL)
    out, weights = mha(Tensor(q[:, 1]), Tensor(k[:, 1]), Tensor(v[:, 1]), need_weights=True)
    assert out.shape == (4, 8) and weights.shape == (4, 5)
    np.testing.assert_allclose(out.asnumpy(), ref_out[:, 1], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(weights.asnumpy(), ref_w[1].mean(0), rtol=RTOL, atol=ATOL)
    out, weights = mha(Tensor(q[:, 1]), Tensor(k[:, 1]), Tensor(v[:, 1]), need_weights=False)
    assert weights is None


def test_mha_bool_masks():
    q, k, v = _qkv()
    mha = nn.MultiheadAttention(8, 2)
    kpm = np.array([[False, False, False, True, True], [False, True, False, False, False]])
    attn = np.triu(np.ones((4, 5), bool), k=2)  # a causal-like band
    out, weights = mha(
        Tensor(q), Tensor(k), Tensor(v), key_padding_mask=Tensor(kpm), attn_mask=Tensor(attn)
    )
    ref_out, ref_w = mha_ref(q, k, v, params_of(mha), 2, key_padding_mask=kpm, attn_mask=attn)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(weights.asnumpy(), ref_w.mean(1), rtol=RTOL, atol=ATOL)
    w = weights.asnumpy()
    assert not w[0][:, 3:].any() and not w[1][:, 1].any() and not w[:, 0, 2:].any()


def test_mha_float_and_per_head_masks():
    q, k, v = _qkv()
    mha = nn.MultiheadAttention(8, 2)
    rng = np.random.default_rng(5)
    attn = rng.standard_normal((2 * 2, 4, 5)).astype(np.float32)  # (N * heads, L, S)
    kpm = rng.standard_normal((2, 5)).astype(np.float32)
    out, weights = mha(
        Tensor(q),
        Tensor(k),
        Tensor(v),
        key_padding_mask=Tensor(kpm),
        attn_mask=Tensor(attn),
        average_attn_weights=False,
    )
    ref_out, ref_w = mha_ref(q, k, v, params_of(mha), 2, key_padding_mask=kpm, attn_mask=attn)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(weights.asnumpy(), ref_w, rtol=RTOL, atol=ATOL)
    bool_per_head = rng.random((4, 4, 5)) < 0.3
    bool_per_head[..., 0] = False  # keep every row attending somewhere
    out, _ = mha(Tensor(q), Tensor(k), Tensor(v), attn_mask=Tensor(bool_per_head))
    ref_out, _ = mha_ref(q, k, v, params_of(mha), 2, attn_mask=bool_per_head)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=RTOL, atol=ATOL)


def test_mha_fully_masked_row_is_nan_as_in_pytorch():
    q, k, v = _qkv()
    kpm = np.zeros((2, 5), bool)
    kpm[0] = True
    with np.errstate(invalid="ignore"):  # softmax of an all -inf row
        out, _ = nn.MultiheadAttention(8, 2)(Tensor(q), Tensor(k), Tensor(v), key_padding_mask=kpm)
    out = out.asnumpy()
    assert np.isnan(out[:, 0]).all() and np.isfinite(out[:, 1]).all()


def test_mha_kdim_vdim_bias_kv_zero_attn():
    q, k, v = _qkv(kdim=3, vdim=6)
    mha = nn.MultiheadAttention(8, 2, kdim=3, vdim=6, add_bias_kv=True, add_zero_attn=True)
    kpm = np.array([[False] * 4 + [True], [True] + [False] * 4])
    attn = np.zeros((4, 5), np.float32)
    attn[0, 1] = -2.0
    out, weights = mha(
        Tensor(q),
        Tensor(k),
        Tensor(v),
        key_padding_mask=Tensor(kpm),
        attn_mask=Tensor(attn),
        average_attn_weights=False,
    )
    ref_out, ref_w = mha_ref(
        q,
        k,
        v,
        params_of(mha),
        2,
        key_padding_mask=kpm,
        attn_mask=attn,
        add_bias_kv=True,
        add_zero_attn=True,
    )
    assert weights.shape == (2, 2, 4, 7)  # S + bias_kv + zero_attn
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(weights.asnumpy(), ref_w, rtol=RTOL, atol=ATOL)


def test_mha_dropout_on_weights_only_in_training():
    q, k, v = _qkv()
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    ref_out, _ = mha_ref(q, k, v, params_of(mha), 2)
    np.testing.assert_allclose(
        mha(Tensor(q), Tensor(k), Tensor(v))[0].asnumpy(), ref_out, rtol=RTOL, atol=ATOL
    )
    mha.set_train(True)
    _, weights = mha(Tensor(q), Tensor(k), Tensor(v), average_attn_weights=False)
    w = weights.asnumpy()
    assert (w == 0).any()  # dropped, and the rest scaled by 2
    assert not np.allclose(w.sum(-1), 1)


def test_mha_errors():
    mha = nn.MultiheadAttention(8, 2)
    q, k, v = (Tensor(t) for t in _qkv())
    with pytest.raises(MindValueError, match="must be a positive multiple of 'num_heads'"):
        nn.MultiheadAttention(8, 3)
    with pytest.raises(MindValueError, match="'attn_mask' must have shape"):
        mha(q, k, v, attn_mask=Tensor(np.zeros((5, 4), bool)))
    with pytest.raises(MindValueError, match="'key_padding_mask' must have shape"):
        mha(q, k, v, key_padding_mask=Tensor(np.zeros((5, 2), bool)))
    with pytest.raises(MindTypeError, match="must be a bool or float tensor"):
        mha(q, k, v, attn_mask=Tensor(np.zeros((4, 5), np.int32)))
    with pytest.raises(MindValueError, match="'key' must have 8 features"):
        mha(q, Tensor(np.zeros((5, 2, 3), np.float32)), v)
    with pytest.raises(MindValueError, match="all be 3-D"):
        mha(q, k, Tensor(np.zeros((5, 8), np.float32)))


# ------------------------------------------------------------------------------------------------
# TransformerEncoderLayer
# ------------------------------------------------------------------------------------------------


def test_encoder_layer_structure():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    assert [n for n, _ in layer.parameters_and_names()] == [
        "self_attn.in_proj_weight",
        "self_attn.in_proj_bias",
        "self_attn.out_proj.weight",
        "self_attn.out_proj.bias",
        "linear1.weight",
        "linear1.bias",
        "linear2.weight",
        "linear2.bias",
        "norm1.gamma",
        "norm1.beta",
        "norm2.gamma",
        "norm2.beta",
    ]
    assert layer.self_attn.dropout == 0.1 and layer.dropout1.p == 0.1
    with pytest.raises(MindValueError, match="'activation' must be 'relu' or 'gelu'"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")


@pytest.mark.parametrize(
    ("norm_first", "activation", "batch_first"),
    [(False, "relu", False), (True, "gelu", True), (False, "gelu", True)],
)
def test_encoder_layer_matches_numpy(norm_first, activation, batch_first):
    S, N, E = 5, 2, 8
    layer = nn.TransformerEncoderLayer(
        E,
        2,
        dim_feedforward=16,
        activation=activation,
        norm_first=norm_first,
        batch_first=batch_first,
        layer_norm_eps=1e-6,
    )
    layer.set_train(False)
    rng = np.random.default_rng(6)
    # Non-trivial LayerNorm parameters, so gamma/beta are checked too.
    for name in ("norm1", "norm2"):
        norm = getattr(layer, name)
        norm.gamma.set_data(rng.uniform(0.5, 1.5, E).astype(np.float32))
        norm.beta.set_data(rng.standard_normal(E).astype(np.float32))
    x = rng.standard_normal((S, N, E)).astype(np.float32)
    kpm = np.array([[False] * 4 + [True], [False] * 5])
    causal = np.triu(np.ones((S, S), bool), k=1)
    x_in = np.ascontiguousarray(x.transpose(1, 0, 2)) if batch_first else x
    out = layer(Tensor(x_in), src_mask=Tensor(causal), src_key_padding_mask=Tensor(kpm))
    out = out.asnumpy()
    assert out.shape == x_in.shape
    if batch_first:
        out = out.transpose(1, 0, 2)
    ref = encoder_ref(
        x,
        params_of(layer),
        2,
        activation,
        norm_first,
        eps=1e-6,
        key_padding_mask=kpm,
        attn_mask=causal,
    )
    np.testing.assert_allclose(out, ref, rtol=RTOL, atol=2e-6)


def test_encoder_layer_callable_activation_and_training_dropout():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation=nn.ReLU())
    x = Tensor(np.random.default_rng(7).standard_normal((3, 2, 8)).astype(np.float32))
    layer.set_train(False)
    ref = encoder_ref(x.asnumpy(), params_of(layer), 2)
    np.testing.assert_allclose(layer(x).asnumpy(), ref, rtol=RTOL, atol=2e-6)
    layer.set_train(True)
    assert not np.allclose(layer(x).asnumpy(), ref, rtol=RTOL, atol=2e-6)


# ------------------------------------------------------------------------------------------------
# Gradients against central differences (float64)
# ------------------------------------------------------------------------------------------------


def _check_grads(loss, x, weight):
    """mind.core.grad of scalar ``loss(Tensor)`` w.r.t. the input and ``weight`` vs numeric."""
    gx, (gw,) = ms.grad(loss, grad_position=0, weights=[weight])(Tensor(x))
    num_x = numeric_grad(lambda: loss(Tensor(x)).asnumpy().item(), x)
    w = weight.asnumpy().copy()

    def loss_at_w():
        weight.set_data(w)
        return loss(Tensor(x)).asnumpy().item()

    num_w = numeric_grad(loss_at_w, w)
    weight.set_data(w)
    assert gx.dtype == ms.float64 and gw.shape == weight.shape
    np.testing.assert_allclose(gx.asnumpy(), num_x, rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(gw.asnumpy(), num_w, rtol=1e-4, atol=1e-8)


def test_lstm_grads_match_finite_differences():
    net = to_float64(nn.LSTM(3, 4, bidirectional=True))
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 2, 3))
    r_out, r_c = Tensor(rng.standard_normal((3, 2, 8))), Tensor(rng.standard_normal((2, 2, 4)))

    def loss(x):
        out, (_, c_n) = net(x)
        return (out * r_out).sum() + (c_n * r_c).sum()

    _check_grads(loss, x, net.weight_hh_l0_reverse)


def test_gru_grads_match_finite_differences():
    net = to_float64(nn.GRU(3, 4, num_layers=2, batch_first=True))
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 3))
    r_out, r_h = Tensor(rng.standard_normal((2, 3, 4))), Tensor(rng.standard_normal((2, 2, 4)))

    def loss(x):
        out, h_n = net(x, seq_length=Tensor(np.array([3, 2], np.int32)))
        return (out * r_out).sum() + (h_n * r_h).sum()

    _check_grads(loss, x, net.weight_ih_l0)


def test_mha_grads_match_finite_differences():
    mha = to_float64(nn.MultiheadAttention(4, 2, add_bias_kv=True))
    rng = np.random.default_rng(10)
    x = rng.standard_normal((3, 2, 4))
    kpm = Tensor(np.array([[False, False, True], [False, False, False]]))
    r = Tensor(rng.standard_normal((3, 2, 4)))

    def loss(x):
        out, _ = mha(x, x, x, key_padding_mask=kpm)
        return (out * r).sum()

    _check_grads(loss, x, mha.in_proj_weight)


# ------------------------------------------------------------------------------------------------
# Training
# ------------------------------------------------------------------------------------------------


class _SumNet(nn.Cell):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 12, batch_first=True)
        self.fc = nn.Dense(12, 1)

    def construct(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def test_lstm_learns_running_sum():
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, (32, 5, 1)).astype(np.float32)
    y = x.sum(axis=1)
    net = _SumNet()
    net.set_train(True)
    optimizer = nn.Adam(net.trainable_params(), learning_rate=0.03)
    loss_fn = nn.MSELoss()

    def forward(x, y):
        return loss_fn(net(x), y)

    grad_fn = ms.value_and_grad(forward, None, optimizer.parameters)
    losses = []
    for _ in range(60):
        loss, grads = grad_fn(Tensor(x), Tensor(y))
        optimizer(grads)
        losses.append(float(loss.asnumpy()))
    assert losses[-1] < 0.1 * losses[0], losses
    assert np.mean(losses[-5:]) < np.mean(losses[:5])


def _encoder_layer_reference(layer, x):
    """The post-norm encoder layer written out with numpy from the layer's own weights."""

    def p(name):
        return dict(layer.parameters_and_names())[name].asnumpy().astype(np.float64)

    def norm(v, which):
        mu, var = v.mean(-1, keepdims=True), v.var(-1, keepdims=True)
        return (v - mu) / np.sqrt(var + 1e-5) * p(f"{which}.gamma") + p(f"{which}.beta")

    t, n, e = x.shape
    qkv = x @ p("self_attn.in_proj_weight").T + p("self_attn.in_proj_bias")
    q, k, v = np.split(qkv, 3, axis=-1)
    heads = layer.self_attn.num_heads
    d = e // heads

    def split(m):  # (T, N, E) -> (N, heads, T, d)
        return m.reshape(t, n, heads, d).transpose(1, 2, 0, 3)

    scores = split(q) @ split(k).transpose(0, 1, 3, 2) / np.sqrt(d)
    att = np.exp(scores - scores.max(-1, keepdims=True))
    att /= att.sum(-1, keepdims=True)
    heads_out = (att @ split(v)).transpose(2, 0, 1, 3).reshape(t, n, e)
    sa = heads_out @ p("self_attn.out_proj.weight").T + p("self_attn.out_proj.bias")
    h = norm(x + sa, "norm1")
    ff = np.maximum(h @ p("linear1.weight").T + p("linear1.bias"), 0)
    return norm(h + ff @ p("linear2.weight").T + p("linear2.bias"), "norm2")


def test_transformer_encoder_stacks_independent_copies_and_matches_numpy():
    ms.set_seed(3)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, dtype=ms.float64)
    encoder = nn.TransformerEncoder(layer, num_layers=2).set_train(False)
    first, second = encoder.layers
    assert first.linear1.weight is not second.linear1.weight  # deep copies
    second.linear1.weight.set_data(Tensor(second.linear1.weight.asnumpy() * 0.5))
    x = np.random.default_rng(2).normal(size=(5, 3, 8))
    want = _encoder_layer_reference(second, _encoder_layer_reference(first, x))
    np.testing.assert_allclose(encoder(Tensor(x)).asnumpy(), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ms.jit(encoder)(Tensor(x)).asnumpy(), want, rtol=1e-10, atol=1e-12)


def test_transformer_decoder_and_whole_model_shapes_gradients_and_errors():
    model = nn.Transformer(16, 4, 2, 2, dim_feedforward=32, dropout=0.0, batch_first=True)
    src = Tensor(np.random.default_rng(0).normal(size=(2, 6, 16)).astype(np.float32))
    tgt = Tensor(np.random.default_rng(1).normal(size=(2, 4, 16)).astype(np.float32))
    out = model(src, tgt)
    assert out.shape == (2, 4, 16)
    grads = ms.grad(lambda s, t: model(s, t).sum(), None, model.trainable_params())(src, tgt)
    assert len(grads) == len(model.trainable_params()) and all(
        np.isfinite(g.asnumpy()).all() for g in grads
    )
    assert sum(float(np.abs(g.asnumpy()).sum()) > 0 for g in grads) > len(grads) // 2
    with pytest.raises(ValueError, match="one batch size"):
        model(src, Tensor(np.zeros((3, 4, 16), np.float32)))
    with pytest.raises(TypeError, match="must be a TransformerDecoderLayer"):
        nn.TransformerDecoder(nn.TransformerEncoderLayer(4, 2), 2)
    with pytest.raises(ValueError, match="'num_layers' must be a positive int"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2), 0)
