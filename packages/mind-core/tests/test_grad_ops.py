"""mind.core.ops.grad_ops: MindSpore's backward operator classes (``G``), checked against closed
forms and against central finite differences of the forward op (evaluated, not differentiated)."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn
from mind.core.ops import grad_ops as G
from mind.core.ops import operations as P

RNG = np.random.default_rng(7)


def _fd(forward, x: np.ndarray, dout: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """sum(forward(x) * dout)'s gradient by central differences, in float64."""
    x = x.astype(np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        hi, lo = x.copy(), x.copy()
        hi[i] += eps
        lo[i] -= eps
        f_hi = np.sum(forward(Tensor(hi)).asnumpy() * dout)
        f_lo = np.sum(forward(Tensor(lo)).asnumpy() * dout)
        g[i] = (f_hi - f_lo) / (2 * eps)
    return g


def _f32(*shape: int, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    return RNG.uniform(low, high, shape).astype(np.float32)


# ------------------------------------------------------------------------------------------------
# Elementwise
# ------------------------------------------------------------------------------------------------

_OF_INPUT = [
    # (class, call order, x range, d/dx of the forward op)
    (G.AsinGrad(), "x, dout", (-0.9, 0.9), lambda x: 1 / np.sqrt(1 - x * x)),
    (G.ACosGrad(), "x, dout", (-0.9, 0.9), lambda x: -1 / np.sqrt(1 - x * x)),
    (G.AtanGrad(), "x, dout", (-3, 3), lambda x: 1 / (1 + x * x)),
    (G.ReLU6Grad(), "dout, x", (-2, 8), lambda x: ((x > 0) & (x < 6)).astype(x.dtype)),
    (G.SoftplusGrad(), "dout, x", (-3, 3), lambda x: 1 / (1 + np.exp(-x))),
    (G.SoftShrinkGrad(0.3), "dout, x", (-1, 1), lambda x: (np.abs(x) > 0.3).astype(x.dtype)),
    (G.HShrinkGrad(0.3), "dout, x", (-1, 1), lambda x: (np.abs(x) > 0.3).astype(x.dtype)),
]


@pytest.mark.parametrize(
    "op, order, span, derivative", _OF_INPUT, ids=lambda v: getattr(v, "name", "")
)
def test_gradient_of_input(op, order, span, derivative):
    x = _f32(3, 4, low=span[0], high=span[1])
    x[np.abs(np.abs(x) - 0.3) < 1e-2] = 0.5  # keep away from the kinks
    dout = _f32(3, 4)
    args = (Tensor(x), Tensor(dout)) if order == "x, dout" else (Tensor(dout), Tensor(x))
    np.testing.assert_allclose(op(*args).asnumpy(), dout * derivative(x), rtol=1e-5, atol=1e-6)


_OF_OUTPUT = [
    # (class, call order, forward (numpy), x range, d/dx in terms of x)
    (G.ReluGrad(), "dout, y", np.maximum.reduce, (-1, 1), None),
    (G.SqrtGrad(), "y, dout", np.sqrt, (0.5, 2), lambda x: 0.5 / np.sqrt(x)),
    (G.RsqrtGrad(), "y, dout", lambda x: 1 / np.sqrt(x), (0.5, 2), lambda x: -0.5 * x**-1.5),
    (G.InvGrad(), "y, dout", lambda x: 1 / x, (0.5, 2), lambda x: -1 / x**2),
    (G.ReciprocalGrad(), "y, dout", lambda x: 1 / x, (0.5, 2), lambda x: -1 / x**2),
    (G.AcoshGrad(), "y, dout", np.arccosh, (1.5, 3), lambda x: 1 / np.sqrt(x * x - 1)),
    (G.AsinhGrad(), "y, dout", np.arcsinh, (-2, 2), lambda x: 1 / np.sqrt(x * x + 1)),
    (
        G.EluGrad(),
        "dout, y",
        lambda x: np.where(x > 0, x, np.expm1(x)),
        (-2, 2),
        lambda x: np.where(x > 0, 1.0, np.exp(x)),
    ),
    (
        G.SigmoidGrad(),
        "y, dout",
        lambda x: 1 / (1 + np.exp(-x)),
        (-3, 3),
        lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,
    ),
    (G.TanhGrad(), "y, dout", np.tanh, (-2, 2), lambda x: 1 / np.cosh(x) ** 2),
]


@pytest.mark.parametrize(
    "op, order, forward, span, derivative", _OF_OUTPUT, ids=lambda v: getattr(v, "name", "")
)
def test_gradient_of_output(op, order, forward, span, derivative):
    x = _f32(3, 4, low=span[0], high=span[1]).astype(np.float64)
    if derivative is None:  # relu
        forward, derivative = (lambda x: np.maximum(x, 0)), (lambda x: (x > 0) * 1.0)
    y, dout = forward(x), _f32(3, 4).astype(np.float64)
    args = (Tensor(y), Tensor(dout)) if order == "y, dout" else (Tensor(dout), Tensor(y))
    np.testing.assert_allclose(op(*args).asnumpy(), dout * derivative(x), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------------------------------
# Structured ops: against finite differences of the forward op
# ------------------------------------------------------------------------------------------------


def test_sigmoid_cross_entropy_with_logits_grad():
    x, labels, dout = _f32(2, 3), RNG.uniform(0, 1, (2, 3)).astype(np.float32), _f32(2, 3)
    got = G.SigmoidCrossEntropyWithLogitsGrad()(Tensor(x), Tensor(labels), Tensor(dout))
    expect = dout * (1 / (1 + np.exp(-x)) - labels)
    np.testing.assert_allclose(got.asnumpy(), expect, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum", "batchmean"])
def test_kl_div_loss_grad(reduction):
    x, y = _f32(2, 3), _f32(2, 3)  # labels <= 0 included: MindSpore differentiates them too
    dout = _f32(2, 3) if reduction == "none" else np.array([0.7], np.float32)
    got = G.KLDivLossGrad(reduction)(Tensor(dout), Tensor(x), Tensor(y)).asnumpy()
    scale = {"none": 1.0, "mean": 1 / 6, "sum": 1.0, "batchmean": 1 / 2}[reduction]
    np.testing.assert_allclose(got, -y * dout * scale, rtol=1e-6)


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_bias_add_grad(layout):
    dout = _f32(2, 3, 4, 5)
    axes = (0, 2, 3) if layout == "NCHW" else (0, 1, 2)
    got = G.BiasAddGrad(layout)(Tensor(dout)).asnumpy()
    np.testing.assert_allclose(got, dout.sum(axes), rtol=1e-5)
    ints = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    out = G.BiasAddGrad()(Tensor(ints))
    assert out.dtype == ms.int32
    np.testing.assert_array_equal(out.asnumpy(), ints.sum((0, 2)))


@pytest.mark.parametrize("norm_axis, params_axis", [(1, 1), (2, 1), (-1, -1)])
def test_layer_norm_grad(norm_axis, params_axis):
    x, dy = _f32(2, 3, 4).astype(np.float64), _f32(2, 3, 4).astype(np.float64)
    axes = tuple(range(norm_axis % 3, 3))
    mean, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    gamma = RNG.uniform(0.5, 1.5, x.shape[params_axis % 3 :])
    op = G.LayerNormGrad(norm_axis, params_axis)
    dx, dg, db = op(Tensor(x), Tensor(dy), Tensor(var), Tensor(mean), Tensor(gamma))
    layer_norm = P.LayerNorm(norm_axis, params_axis, 1e-12)
    beta = Tensor(np.zeros_like(gamma))
    np.testing.assert_allclose(
        dx.asnumpy(), _fd(lambda t: layer_norm(t, Tensor(gamma), beta)[0], x, dy), atol=1e-6
    )
    normed = (x - mean) / np.sqrt(var + 1e-12)
    param_axes = tuple(range(params_axis % 3))
    np.testing.assert_allclose(dg.asnumpy(), (dy * normed).sum(param_axes), atol=1e-9)
    np.testing.assert_allclose(db.asnumpy(), dy.sum(param_axes), atol=1e-9)


def test_dropout_grad():
    dy = _f32(3, 4)
    mask = (RNG.uniform(0, 1, (3, 4)) > 0.5).astype(np.float32)
    got = G.DropoutGrad(0.8)(Tensor(dy), Tensor(mask)).asnumpy()
    np.testing.assert_allclose(got, dy * mask / 0.8, rtol=1e-6)
    with pytest.raises(ValueError, match="keep_prob"):
        G.DropoutGrad(0.0)(Tensor(dy), Tensor(mask))


_BY_FD = [
    # (name, class call(x, dout), forward(x))
    (
        "L2NormalizeGrad",
        lambda x, d: G.L2NormalizeGrad(1, 1e-4)(x, x, d),
        P.L2Normalize(1, 1e-4),
        (2, 3),
    ),
    (
        "LRNGrad",
        lambda x, d: G.LRNGrad(1, 1.0, 0.5, 0.75)(d, x, x),
        P.LRN(1, 1.0, 0.5, 0.75),
        (1, 4, 2, 2),
    ),
    (
        "MaxPoolGrad",
        lambda x, d: G.MaxPoolGrad(2, 2)(x, x, d),
        P.MaxPool(2, 2),
        (1, 2, 4, 4),
    ),
    (
        "MaxPoolGradWithArgmax",
        lambda x, d: G.MaxPoolGradWithArgmax(2, 1, "SAME")(x, d, None),
        lambda x: P.MaxPoolWithArgmax(2, 1, "SAME")(x)[0],
        (1, 2, 3, 3),
    ),
    (
        "MaxPoolGradWithArgmaxV2",
        lambda x, d: G.MaxPoolGradWithArgmaxV2(2, 2, 1)(x, d, None),
        lambda x: P.MaxPoolWithArgmaxV2(2, 2, 1)(x)[0],
        (1, 1, 4, 4),
    ),
    (
        "SliceGrad",
        lambda x, d: G.SliceGrad()(d, x, (0, 1), (2, 2)),
        lambda x: P.Slice()(x, (0, 1), (2, 2)),
        (3, 4),
    ),
    (
        "StridedSliceGrad",
        lambda x, d: G.StridedSliceGrad()(d, x.shape, (1, 0), (3, 4), (1, 2)),
        lambda x: P.StridedSlice()(x, (1, 0), (3, 4), (1, 2)),
        (3, 4),
    ),
    (
        "ResizeNearestNeighborGrad",
        lambda x, d: G.ResizeNearestNeighborGrad(True)(d, x.shape[2:]),
        P.ResizeNearestNeighbor((5, 3), True),
        (1, 2, 3, 2),
    ),
]


@pytest.mark.parametrize("name, backward, forward, shape", _BY_FD, ids=[c[0] for c in _BY_FD])
def test_against_finite_differences(name, backward, forward, shape):
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype(np.float64) / 7 + 0.5  # no ties
    dout = RNG.uniform(-1, 1, forward(Tensor(x)).shape)
    got = backward(Tensor(x), Tensor(dout)).asnumpy()
    np.testing.assert_allclose(got, _fd(forward, x, dout), rtol=1e-5, atol=1e-7)


def test_conv2d_backprop_filter():
    x, w = _f32(1, 2, 5, 5).astype(np.float64), _f32(3, 2, 3, 3).astype(np.float64)
    conv = P.Conv2D(3, 3, pad_mode="pad", pad=1, stride=2)
    dout = _f32(*conv(Tensor(x), Tensor(w)).shape).astype(np.float64)
    op = G.Conv2DBackpropFilter(3, 3, pad_mode="pad", pad=1, stride=(1, 1, 2, 2))
    got = op(Tensor(dout), Tensor(x), (3, 2, 3, 3)).asnumpy()
    np.testing.assert_allclose(got, _fd(lambda t: conv(Tensor(x), t), w, dout), atol=1e-7)


def test_max_pool_grad_grad():
    x = RNG.permutation(16).reshape(1, 1, 4, 4).astype(np.float32)
    grad = _f32(1, 1, 4, 4)
    pooled = np.argmax(x.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4), axis=1)
    windows = grad.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4)
    expect = windows[np.arange(4), pooled].reshape(1, 1, 2, 2)
    got = G.MaxPoolGradGrad(2, 2)(Tensor(x), None, Tensor(grad)).asnumpy()
    np.testing.assert_allclose(got, expect)
    got = G.MaxPoolGradGradWithArgmax(2, 2)(Tensor(x), Tensor(grad), None).asnumpy()
    np.testing.assert_allclose(got, expect)
    op = G.MaxPool3DGradGrad((1, 2, 2), (1, 2, 2))
    got = op(Tensor(x[:, :, None]), None, Tensor(grad[:, :, None])).asnumpy()
    np.testing.assert_allclose(got, expect[:, :, None])


def test_concat_offset():
    xs = (Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 1))), Tensor(np.zeros((2, 4))))
    got = G.ConcatOffset(3, 1)(xs).asnumpy()
    np.testing.assert_array_equal(got, [[0, 0], [0, 3], [0, 4]])


# ------------------------------------------------------------------------------------------------
# As Primitive classes: attributes, jit, GRAPH_MODE Cells, second derivatives, namespaces
# ------------------------------------------------------------------------------------------------


def test_attributes_and_errors():
    op = G.KLDivLossGrad(reduction="sum")
    assert op.attrs == {"reduction": "sum"} and op.name == "KLDivLossGrad"
    with pytest.raises(TypeError, match="KLDivLossGrad"):
        G.KLDivLossGrad("sum", 1)
    with pytest.raises(ValueError, match="reduction"):
        G.KLDivLossGrad("avg")(Tensor([1.0]), Tensor([1.0]), Tensor([1.0]))
    with pytest.raises(TypeError, match="Conv2DBackpropFilter"):
        G.Conv2DBackpropFilter()


def test_graph_mode_cell_and_jit():
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.grad = G.AsinGrad()

        def construct(self, x, dout):
            return self.grad(x, dout)

    x, dout = Tensor(np.array([0.0, 0.6], np.float32)), Tensor(np.array([1.0, 2.0], np.float32))
    expect = np.array([1.0, 2.5], np.float32)
    mode = ms.get_context("mode")
    try:
        ms.set_context(mode=ms.GRAPH_MODE)
        np.testing.assert_allclose(Net()(x, dout).asnumpy(), expect, rtol=1e-6)
    finally:
        ms.set_context(mode=mode)
    np.testing.assert_allclose(ms.jit(G.AsinGrad())(x, dout).asnumpy(), expect, rtol=1e-6)


def test_second_derivative():
    # d/dx of softplus'(x) * dout is sigmoid'(x) * dout
    x, dout = _f32(5, low=-2, high=2), _f32(5)
    got = ms.grad(lambda t: G.SoftplusGrad()(Tensor(dout), t).sum())(Tensor(x)).asnumpy()
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(got, dout * s * (1 - s), rtol=1e-5, atol=1e-6)


def test_not_in_operations():
    assert not hasattr(P, "AsinGrad") and "AsinGrad" not in P.__all__
    assert G.AsinGrad.__module__ == "mind.core.ops.grad_ops"
    assert "SliceGrad" in G.__all__ and "Slice" in P.__all__
