"""ops.math_ops: each function against numpy, the compositions' gradients against finite
differences, the Primitive classes and Tensor methods against the functions, jit and native."""

import math

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindTypeError, MindValueError

RNG = np.random.default_rng(11)
X = RNG.normal(size=(3, 4))
U = np.tanh(X) * 0.9  # inside (-1, 1)
P = np.abs(X) + 0.2  # positive

_ERFC = np.vectorize(math.erfc)


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _elu(x, a):
    return np.where(x > 0, x, a * np.expm1(x))


UNARY = {
    "tan": (np.tan, U),
    "atan": (np.arctan, X),
    "asin": (np.arcsin, U),
    "acos": (np.arccos, U),
    "sinh": (np.sinh, X),
    "cosh": (np.cosh, X),
    "asinh": (np.arcsinh, X),
    "acosh": (np.arccosh, P + 1),
    "atanh": (np.arctanh, U),
    "expm1": (np.expm1, X * 1e-6),
    "erfc": (_ERFC, X * 3),
    "log2": (np.log2, P),
    "log10": (np.log10, P),
    "exp2": (np.exp2, X),
    "rad2deg": (np.rad2deg, X),
    "deg2rad": (np.deg2rad, X),
    "frac": (lambda x: x - np.trunc(x), X * 3),
    "sinc": (np.sinc, np.concatenate([X, np.zeros((1, 4))])),
    "logit": (lambda p: np.log(p / (1 - p)), (U + 1) / 2),
    "softsign": (lambda x: x / (1 + np.abs(x)), X),
    "hardtanh": (lambda x: np.clip(x, -1, 1), X * 2),
    "relu6": (lambda x: np.clip(x, 0, 6), X * 5),
    "selu": (lambda x: 1.0507009873554805 * _elu(x, 1.6732632423543772), X),
    "celu": (lambda x: np.maximum(x, 0) + np.minimum(0, np.expm1(x)), X),
    "hardsigmoid": (lambda x: np.clip(x + 3, 0, 6) / 6, X * 3),
    "hardswish": (lambda x: x * np.clip(x + 3, 0, 6) / 6, X * 3),
    "mish": (lambda x: x * np.tanh(_softplus(x)), X),
    "logsigmoid": (lambda x: -_softplus(-x), X * 20),
    "fast_gelu": (lambda x: x * _sigmoid(1.702 * x), X),
    "hardshrink": (lambda x: np.where(np.abs(x) > 0.5, x, 0), X),
    "softshrink": (lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)), X),
    "tanhshrink": (lambda x: x - np.tanh(x), X),
    "softmin": (lambda x: np.exp(-x) / np.exp(-x).sum(-1, keepdims=True), X),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_against_numpy_and_its_gradient_against_finite_differences(name):
    reference, x = UNARY[name]
    fn = getattr(ops, name)
    np.testing.assert_allclose(fn(Tensor(x)).asnumpy(), reference(x), rtol=1e-10, atol=1e-12)
    if name in ("hardshrink", "softshrink", "hardtanh", "relu6"):  # kinks: away from them
        x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x + 0.1, x)
    eps = 1e-6
    got = ms.grad(lambda t: (fn(t) * Tensor(np.arange(x.size).reshape(x.shape) + 1.0)).sum())(
        Tensor(x)
    ).asnumpy()
    weights = np.arange(x.size).reshape(x.shape) + 1.0
    want = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        want[i] = ((reference(x + d) - reference(x - d)) * weights).sum() / (2 * eps)
    if name in ("frac",):  # piecewise constant slope 1
        want = weights
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


BINARY = {
    "atan2": (np.arctan2, X, P),
    "hypot": (np.hypot, X, P - 0.6),
    "fmod": (np.fmod, X * 5, P + 0.5),
    "xlogy": (lambda x, y: np.where(x == 0, 0, x * np.log(y)), np.where(X > 1, 0, X), P),
    "xdivy": (lambda x, y: np.where(x == 0, 0, x / y), np.where(X > 1, 0, X), P),
    "logaddexp": (np.logaddexp, X * 50, P[::-1] * 50),
    "squared_difference": (lambda x, y: (x - y) ** 2, X, P),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_against_numpy_and_gradients(name):
    reference, x, y = BINARY[name]
    fn = getattr(ops, name)
    np.testing.assert_allclose(
        fn(Tensor(x), Tensor(y)).asnumpy(), reference(x, y), rtol=1e-10, atol=1e-12
    )
    if name == "logaddexp":
        x, y = x / 50, y / 50
    if name in ("xlogy", "xdivy"):  # at x == 0 the gradient is 0 by definition (a kink)
        x = np.where(x == 0, 0.7, x)
    gx, gy = ms.grad(lambda a, b: fn(a, b).sum(), (0, 1))(Tensor(x), Tensor(y))
    eps = 1e-6
    for arg, g, which in ((x, gx, 0), (y, gy, 1)):
        want = np.zeros_like(arg)
        for i in np.ndindex(arg.shape):
            d = np.zeros_like(arg)
            d[i] = eps
            up = (reference(x + d, y) if which == 0 else reference(x, y + d)).sum()
            down = (reference(x - d, y) if which == 0 else reference(x, y - d)).sum()
            want[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-5, atol=1e-6)


def test_bitwise_ops_and_invert():
    a = np.array([5, -3, 12, 7], np.int32)
    b = np.array([3, 6, 2, 1], np.int32)
    assert ops.bitwise_and(Tensor(a), Tensor(b)).asnumpy().tolist() == (a & b).tolist()
    assert ops.bitwise_or(Tensor(a), Tensor(b)).asnumpy().tolist() == (a | b).tolist()
    assert ops.bitwise_xor(Tensor(a), Tensor(b)).asnumpy().tolist() == (a ^ b).tolist()
    assert ops.bitwise_left_shift(Tensor(a), Tensor(b)).asnumpy().tolist() == (a << b).tolist()
    assert ops.bitwise_right_shift(Tensor(a), Tensor(b)).asnumpy().tolist() == (a >> b).tolist()
    assert ops.invert(Tensor(a)).asnumpy().tolist() == (~a).tolist()
    assert ops.invert(Tensor(np.array([True, False]))).asnumpy().tolist() == [False, True]
    with pytest.raises(MindTypeError, match="integers or bools"):
        ops.bitwise_and(Tensor(X), Tensor(X))


def test_predicates_and_replacements():
    x = np.array([1.0, np.nan, np.inf, -np.inf, -0.0, 2.5])
    t = Tensor(x)
    np.testing.assert_array_equal(ops.isnan(t).asnumpy(), np.isnan(x))
    np.testing.assert_array_equal(ops.isinf(t).asnumpy(), np.isinf(x))
    np.testing.assert_array_equal(ops.isfinite(t).asnumpy(), np.isfinite(x))
    assert not ops.isnan(Tensor(np.array([1, 2]))).asnumpy().any()
    np.testing.assert_array_equal(ops.nan_to_num(t).asnumpy(), np.nan_to_num(x))
    np.testing.assert_array_equal(
        ops.nan_to_num(t, 1.0, 9.0, -9.0).asnumpy(), np.nan_to_num(x, nan=1.0, posinf=9, neginf=-9)
    )
    y = x + np.array([1e-9, 0, 0, 0, 1e-3, 0])
    for equal_nan in (False, True):
        np.testing.assert_array_equal(
            ops.isclose(t, Tensor(y), equal_nan=equal_nan).asnumpy(),
            np.isclose(x, y, equal_nan=equal_nan),
        )
    v = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(
        ops.heaviside(Tensor(v), Tensor(0.5)).asnumpy(), np.heaviside(v, 0.5)
    )
    for short, long in (("ne", "not_equal"), ("gt", "greater"), ("ge", "greater_equal")):
        np.testing.assert_array_equal(
            getattr(ops, short)(Tensor(v), 0.0).asnumpy(),
            getattr(ops, long)(Tensor(v), 0.0).asnumpy(),
        )
    np.testing.assert_array_equal(ops.lt(Tensor(v), 0.0).asnumpy(), v < 0)
    np.testing.assert_array_equal(ops.le(Tensor(v), 0.0).asnumpy(), v <= 0)


def test_ternary_and_gated_ops():
    a, b, w = X, P, U
    np.testing.assert_allclose(ops.lerp(Tensor(a), Tensor(b), Tensor(w)).asnumpy(), a + w * (b - a))
    np.testing.assert_allclose(
        ops.addcmul(Tensor(a), Tensor(b), Tensor(w), 0.5).asnumpy(), a + 0.5 * b * w
    )
    np.testing.assert_allclose(
        ops.addcdiv(Tensor(a), Tensor(w), Tensor(b), 2).asnumpy(), a + 2 * w / b
    )
    g = ops.glu(Tensor(X), axis=-1).asnumpy()
    np.testing.assert_allclose(g, X[:, :2] * _sigmoid(X[:, 2:]))
    with pytest.raises(MindValueError, match="odd size"):
        ops.glu(Tensor(X), axis=0)
    x = RNG.normal(size=(2, 3, 4))
    w3 = np.array([0.1, 0.2, 0.3])
    np.testing.assert_allclose(
        ops.prelu(Tensor(x), Tensor(w3)).asnumpy(), np.where(x > 0, x, x * w3[:, None])
    )
    np.testing.assert_allclose(
        ops.threshold(Tensor(X), 0.1, 20.0).asnumpy(), np.where(X > 0.1, X, 20.0)
    )


def test_primitive_classes_methods_jit_and_native():
    t = Tensor(U.astype(np.float32))
    np.testing.assert_allclose(ops.Tan()(t).asnumpy(), np.tan(U), rtol=1e-6)
    np.testing.assert_allclose(ops.Atan2()(t, t + 2).asnumpy(), np.arctan2(U, U + 2), rtol=1e-6)
    np.testing.assert_allclose(ops.HShrink(0.3)(t).asnumpy(), np.where(np.abs(U) > 0.3, U, 0))
    np.testing.assert_allclose(ops.CeLU(2.0)(t).asnumpy(), ops.celu(t, 2.0).asnumpy())
    assert ops.IsClose()(t, t).asnumpy().all()
    np.testing.assert_allclose(t.tan().asnumpy(), np.tan(U), rtol=1e-6)
    np.testing.assert_allclose(t.atan2(t + 2).asnumpy(), np.arctan2(U, U + 2), rtol=1e-6)

    def f(x):
        return ops.erfc(x) + ops.asinh(x) * ops.expm1(x) + ops.hypot(x, 1.0) + ops.mish(x)

    want = _ERFC(U) + np.arcsinh(U) * np.expm1(U) + np.hypot(U, 1) + U * np.tanh(_softplus(U))
    np.testing.assert_allclose(ms.jit(f)(t).asnumpy(), want, rtol=1e-5)
    ms.set_context(device_target="native")
    try:
        np.testing.assert_allclose(ms.jit(f)(t).asnumpy(), want, rtol=1e-5)
    finally:
        ms.set_context(device_target="cpu")


def test_activation_cells_apply_their_functions():
    from mind.core import nn

    t = Tensor(X)
    for cell, fn in [
        (nn.ReLU6(), ops.relu6),
        (nn.Softsign(), ops.softsign),
        (nn.Mish(), ops.mish),
        (nn.LogSigmoid(), ops.logsigmoid),
        (nn.Tanhshrink(), ops.tanhshrink),
        (nn.SeLU(), ops.selu),
        (nn.HSwish(), ops.hardswish),
        (nn.HSigmoid(), ops.hardsigmoid),
        (nn.FastGelu(), ops.fast_gelu),
        (nn.Softmin(0), lambda x: ops.softmin(x, 0)),
        (nn.GLU(), ops.glu),
        (nn.Hardtanh(-0.5, 0.5), lambda x: ops.hardtanh(x, -0.5, 0.5)),
        (nn.HShrink(0.3), lambda x: ops.hardshrink(x, 0.3)),
        (nn.SoftShrink(0.3), lambda x: ops.softshrink(x, 0.3)),
        (nn.Threshold(0.1, -1.0), lambda x: ops.threshold(x, 0.1, -1.0)),
        (nn.CELU(2.0), lambda x: ops.celu(x, 2.0)),
    ]:
        np.testing.assert_array_equal(cell(t).asnumpy(), fn(t).asnumpy())
    prelu = nn.PReLU(3, 0.1)
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(prelu(Tensor(x)).asnumpy(), np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    (dw,) = ms.grad(lambda x: prelu(x).sum(), None, prelu.trainable_params())(Tensor(x))
    np.testing.assert_allclose(dw.asnumpy(), np.where(x > 0, 0, x).sum(axis=(0, 2)), rtol=1e-5)
    assert isinstance(nn.Dense(2, 2, activation="hswish").activation, nn.HSwish)
    with pytest.raises(MindValueError, match="'w' has 2 values for 3 channels"):
        nn.PReLU(3, [0.1, 0.2])
