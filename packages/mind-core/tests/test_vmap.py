"""vmap against a Python loop over examples, including per-sample gradients."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindValueError

rng = np.random.default_rng(0)
X = rng.standard_normal((5, 2, 3))
W = rng.standard_normal((3, 4))


def loop(fn, *args, in_axes=0):
    axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
    n = next(np.moveaxis(a, ax, 0).shape[0] for a, ax in zip(args, axes) if ax is not None)
    outs = []
    for i in range(n):
        call = [
            Tensor(a) if ax is None else Tensor(np.moveaxis(a, ax, 0)[i])
            for a, ax in zip(args, axes)
        ]
        outs.append(fn(*call).asnumpy())
    return np.stack(outs)


CASES = {
    "elementwise_broadcast": lambda x: ops.tanh(x) * Tensor(np.array([1.0, 2.0, 3.0])) + 1,
    "reductions": lambda x: (
        ops.softmax(x, axis=0).sum(axis=1) + x.max() - ops.logsumexp(x, 1).mean()
    ),
    "shapes": lambda x: ops.concat([ops.transpose(x, (1, 0)), ops.reshape(x, (3, 2))], 1)[1:, ::2],
    "matmul": lambda x: ops.matmul(x, Tensor(W)) @ ops.transpose(Tensor(W), (1, 0)),
    "fallback_rule": lambda x: ops.cumsum(ops.one_hot(ops.argmax(x, 1), 3), 0) * x,
    "conv": lambda x: ops.conv2d(
        ops.reshape(x, (1, 1, 2, 3)), Tensor(np.ones((2, 1, 2, 2))), pad_mode="same"
    ),
}


def compiled(fn, use_jit):
    return ms.jit(fn) if use_jit else fn


@pytest.mark.parametrize("use_jit", [False, True], ids=["pynative", "jit"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_a_loop(name, use_jit):
    np.testing.assert_allclose(
        compiled(ms.vmap(CASES[name]), use_jit)(Tensor(X)).asnumpy(),
        loop(CASES[name], X),
        rtol=1e-10,
    )


def test_vmap_inside_jit_is_one_graph_with_the_fallback_as_a_scan():
    graph = ms.jit(ms.vmap(CASES["fallback_rule"])).graph(Tensor(X))
    prims = [n.prim for n in graph.nodes]
    assert "scan" in prims  # cumsum over a one_hot result per example: the fallback rule
    assert prims.count("scan") <= 3 and len(prims) < 20  # not unrolled over the 5 examples
    graph = ms.jit(ms.vmap(CASES["matmul"])).graph(Tensor(X))
    assert [n.prim for n in graph.nodes].count("matmul") == 2  # batched, one kernel each


@pytest.mark.parametrize("use_jit", [False, True], ids=["pynative", "jit"])
def test_in_axes_out_axes_and_shared_arguments(use_jit):
    f = lambda x, w: ops.matmul(x, w).sum(axis=0)  # noqa: E731
    moved = np.moveaxis(X, 0, 2)  # batch on axis 2
    mapped = compiled(ms.vmap(f, in_axes=(2, None), out_axes=1), use_jit)
    got = mapped(Tensor(moved), Tensor(W)).asnumpy()
    np.testing.assert_allclose(np.moveaxis(got, 1, 0), loop(f, X, W, in_axes=(0, None)), rtol=1e-10)


@pytest.mark.parametrize("use_jit", [False, True], ids=["pynative", "jit"])
def test_per_sample_gradients_of_a_network_match_a_loop(use_jit):
    ms.set_seed(0)
    net = nn.SequentialCell(nn.Dense(6, 5), nn.Tanh(), nn.Dense(5, 3))
    params = net.trainable_params()
    data = rng.standard_normal((7, 6))
    labels = rng.integers(0, 3, 7)

    def loss(x, y):
        return nn.CrossEntropyLoss()(ops.reshape(net(x), (1, 3)), ops.reshape(y, (1,)))

    per_sample = compiled(ms.vmap(ms.grad(loss, None, params)), use_jit)(
        Tensor(data), Tensor(labels)
    )
    for k, p in enumerate(params):
        want = np.stack(
            [
                ms.grad(loss, None, params)(Tensor(data[i]), Tensor(labels[i]))[k].asnumpy()
                for i in range(7)
            ]
        )
        assert per_sample[k].shape == (7, *p.shape)
        np.testing.assert_allclose(per_sample[k].asnumpy(), want, rtol=1e-9, atol=1e-12)


def test_errors():
    with pytest.raises(MindValueError, match="different sizes"):
        ms.vmap(lambda a, b: a + b)(Tensor(np.ones(3)), Tensor(np.ones(4)))
    with pytest.raises(MindValueError, match="no argument is mapped"):
        ms.vmap(lambda a: a, in_axes=None)(Tensor(np.ones(3)))
    with pytest.raises(MindValueError, match="stands for a whole batch"):
        ms.vmap(lambda a: Tensor(a.asnumpy()))(Tensor(np.ones(3)))


def _finite_difference(f, x, eps=1e-6):
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


@pytest.mark.parametrize("use_jit", [False, True])
def test_gradient_through_vmap_reaches_mapped_shared_and_closed_over_tensors(use_jit):
    # issue 14's silent wrong value 1: grad(vmap(f)) was all zeros
    rng = np.random.default_rng(4)
    xv, sv, wv = rng.normal(size=(3, 4)), rng.normal(size=(4,)), rng.normal(size=(4,))
    w = ms.Parameter(Tensor(wv), name="w")

    def loss(x, s):
        per_row = ms.vmap(lambda r, s: (ops.sin(r * w) * s).sum() + (w * 2).sum(), (1, None))(x, s)
        return (per_row * per_row).sum()

    def reference(x, s, w):
        per_row = (np.sin(x * w) * s).sum(axis=1) + (2 * w).sum()
        return (per_row**2).sum()

    step = ms.value_and_grad(loss, (0, 1), [w])
    if use_jit:
        step = ms.jit(step)
    _, ((dx, ds), (dw,)) = step(Tensor(xv.T.copy()), Tensor(sv))
    np.testing.assert_allclose(
        dx.asnumpy(), _finite_difference(lambda x: reference(x.T, sv, wv), xv.T), rtol=1e-6
    )
    np.testing.assert_allclose(
        ds.asnumpy(), _finite_difference(lambda s: reference(xv, s, wv), sv), rtol=1e-6
    )
    np.testing.assert_allclose(
        dw.asnumpy(), _finite_difference(lambda w: reference(xv, sv, w), wv), rtol=1e-6
    )


def test_nested_vmap_takes_the_outer_product_of_the_batch_axes():
    # issue 14's silent wrong value 7: the two batch axes were paired diagonally
    a, b = np.arange(2.0), np.arange(3.0) * 10
    pairwise = ms.vmap(ms.vmap(lambda u, v: u * 100 + v, in_axes=(None, 0)), in_axes=(0, None))
    np.testing.assert_array_equal(
        pairwise(Tensor(a), Tensor(b)).asnumpy(), a[:, None] * 100 + b[None, :]
    )
    # both mapped over one shared operand: a Gram matrix, with a fallback (per-example) op inside
    x = np.random.default_rng(5).normal(size=(4, 3))

    def dot(u, v):  # tile has no batching rule: the per-example fallback, nested
        return (ops.tile(u, (2,)) * ops.tile(v, (2,))).sum() / 2

    gram = ms.vmap(ms.vmap(dot, (None, 0)), (0, None))
    np.testing.assert_allclose(gram(Tensor(x), Tensor(x)).asnumpy(), x @ x.T, rtol=1e-12)
    # and the gradient through both
    g = ms.grad(lambda x: (gram(x, x) ** 2).sum())(Tensor(x)).asnumpy()
    np.testing.assert_allclose(
        g, _finite_difference(lambda x: ((x @ x.T) ** 2).sum(), x), rtol=1e-6, atol=1e-8
    )


def test_in_axes_nested_per_element_of_a_tuple_argument():
    a = np.arange(6.0).reshape(2, 3)  # mapped over axis 1
    b = np.arange(3.0) * 10  # mapped over axis 0
    out = ms.vmap(lambda pair: pair[0] + pair[1], in_axes=((1, 0),))((Tensor(a), Tensor(b)))
    np.testing.assert_array_equal(out.asnumpy(), a.T + b[:, None])
    with pytest.raises(MindValueError, match="has 3 entries"):
        ms.vmap(lambda pair: pair[0], in_axes=((1, 0, 0),))((Tensor(a), Tensor(b)))


def test_vmap_of_a_compiled_function_and_a_graph_mode_cell():
    # the compiled graph ran on the batch's arrays and failed ('converting it to numpy'); a
    # vmapped jit function or GRAPH_MODE Cell now runs its Python, which vmap batches
    x = np.random.default_rng(6).normal(size=(4, 3, 2))
    f = ms.jit(lambda u, pair: ops.exp(u).sum(0) * pair[0] + pair[1].max())
    out = ms.vmap(f, in_axes=(0, (None, 0)))(Tensor(x), (Tensor(2.0), Tensor(x)))
    expect = np.exp(x).sum(1) * 2.0 + x.reshape(4, -1).max(1)[:, None]
    np.testing.assert_allclose(out.asnumpy(), expect, rtol=1e-12)

    class Net(nn.Cell):
        def construct(self, u):
            return ops.trunc(u) * 2

    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        out = ms.vmap(Net())(Tensor(x * 3))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    np.testing.assert_array_equal(out.asnumpy(), np.trunc(x * 3) * 2)


def test_set_inputs_takes_tensors_inside_tuples():
    class Net(nn.Cell):
        def construct(self, pair):
            return pair[0][:, None] * pair[1][None, :]

    net = Net()
    net.set_inputs((Tensor(shape=[None], dtype=ms.float32), Tensor(shape=[None], dtype=ms.float32)))
    a, b = np.arange(3, dtype=np.float32), np.arange(4, dtype=np.float32)
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        np.testing.assert_array_equal(net((Tensor(a), Tensor(b))).asnumpy(), np.outer(a, b))
        with pytest.raises(MindValueError, match="input_signature says float32"):
            net((Tensor(a), Tensor(b.astype(np.float64))))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
