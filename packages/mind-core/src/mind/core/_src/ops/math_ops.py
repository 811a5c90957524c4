"""More elementwise math and activations (MindSpore 2.x names and argument orders): the
trigonometric and hyperbolic functions and their inverses, expm1, erfc, ceil, log2/log10/exp2,
atan2, hypot, fmod, the bitwise operators, and the functions MindSpore lists beside them, written
with ops (so their gradients, jit, vmap and the native device come with those ops).

Each primitive here is elementwise: its kernel is numpy's, the native device's lowering is C's
function of the same name (devices/native/lower.py), and its gradient is written with ops.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops.array import broadcast_to
from mind.core._src.ops.dispatch import ShapedArray, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _binary_infer,
    _floating,
    _inexact,
    _special,
    _unary,
    abs,
    add,
    clip,
    div,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_not,
    logical_or,
    mul,
    neg,
    not_equal,
    operands,
    reciprocal,
    rsqrt,
    sigmoid,
    sin,
    sub,
    tanh,
    trunc,
    where,
    zeros_like,
)
from mind.core._src.ops.nn_ops import elu, relu, softmax, softplus
from mind.core._src.ops.random import uniform
from mind.core._src.ops.reduce import mean, std, var
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "acos",
    "acosh",
    "addcdiv",
    "addcmul",
    "approximate_equal",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "celu",
    "cosh",
    "deg2rad",
    "dropout2d",
    "dropout3d",
    "erfc",
    "exp2",
    "expm1",
    "fast_gelu",
    "fmod",
    "frac",
    "ge",
    "glu",
    "gt",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "heaviside",
    "hypot",
    "inv",
    "invert",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "le",
    "lerp",
    "log2",
    "log10",
    "logaddexp",
    "logit",
    "logsigmoid",
    "lt",
    "mish",
    "nan_to_num",
    "ne",
    "prelu",
    "rad2deg",
    "relu6",
    "selu",
    "sinc",
    "sinh",
    "softmin",
    "softshrink",
    "softsign",
    "squared_difference",
    "std_mean",
    "tan",
    "tanhshrink",
    "threshold",
    "var_mean",
    "xdivy",
    "xlogy",
]

#: The ops that are Tensor methods with the tensor first, as MindSpore binds them.
TENSOR_METHODS = (
    "acos",
    "acosh",
    "addcdiv",
    "addcmul",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "ceil",
    "cosh",
    "deg2rad",
    "erfc",
    "exp2",
    "expm1",
    "fmod",
    "frac",
    "ge",
    "gt",
    "hardshrink",
    "heaviside",
    "hypot",
    "inv",
    "invert",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "le",
    "lerp",
    "log10",
    "log2",
    "logaddexp",
    "logit",
    "lt",
    "nan_to_num",
    "ne",
    "rad2deg",
    "sinc",
    "sinh",
    "softmin",
    "tan",
    "xdivy",
    "xlogy",
)

_erfc_kernel = _special("erfc", math.erfc)


def _near(lo: float, hi: float) -> Callable[[Any], Any]:
    """Example inputs inside (lo, hi), where the function and its derivative are defined."""
    return lambda c: [lo + (hi - lo) * (np.tanh(c.r(4)) + 1) / 2]


# name -> (numpy kernel, derivative(x, out) with ops or None, example inputs)
_UNARY: dict[str, tuple[Callable, Callable | None, Callable]] = {
    "tan": (np.tan, lambda x, out: add(mul(out, out), 1.0), _near(-1.2, 1.2)),
    "atan": (np.arctan, lambda x, out: reciprocal(add(mul(x, x), 1.0)), lambda c: [c.r(4)]),
    "asin": (np.arcsin, lambda x, out: rsqrt(sub(1.0, mul(x, x))), _near(-0.9, 0.9)),
    "acos": (np.arccos, lambda x, out: neg(rsqrt(sub(1.0, mul(x, x)))), _near(-0.9, 0.9)),
    "sinh": (np.sinh, lambda x, out: cosh(x), lambda c: [c.r(4)]),
    "cosh": (np.cosh, lambda x, out: sinh(x), lambda c: [c.r(4)]),
    "asinh": (np.arcsinh, lambda x, out: rsqrt(add(mul(x, x), 1.0)), lambda c: [c.r(4)]),
    "acosh": (np.arccosh, lambda x, out: rsqrt(sub(mul(x, x), 1.0)), _near(1.2, 3.0)),
    "atanh": (np.arctanh, lambda x, out: reciprocal(sub(1.0, mul(x, x))), _near(-0.9, 0.9)),
    "expm1": (np.expm1, lambda x, out: add(out, 1.0), lambda c: [c.r(4)]),
    "erfc": (
        _erfc_kernel,
        lambda x, out: mul(exp(neg(mul(x, x))), -2.0 / math.sqrt(math.pi)),
        lambda c: [c.r(4)],
    ),
    "log2": (np.log2, lambda x, out: reciprocal(mul(x, math.log(2.0))), lambda c: [c.pos(4)]),
    "log10": (np.log10, lambda x, out: reciprocal(mul(x, math.log(10.0))), lambda c: [c.pos(4)]),
    "exp2": (np.exp2, lambda x, out: mul(out, math.log(2.0)), lambda c: [c.r(4)]),
    "ceil": (np.ceil, None, lambda c: [c.r(4) * 3]),
}

_PRIMS: dict[str, Any] = {}
for _name, (_kernel, _derivative, _inputs) in _UNARY.items():
    _bprop = None
    if _derivative is not None:

        def _bprop(x, out, dout, _d=_derivative):
            return (mul(dout, _d(x, out)),)

    _PRIMS[_name] = _unary(_name, _kernel, _bprop, differentiable=_derivative is not None)
    example(_PRIMS[_name], lambda c, _i=_inputs, _k=_kernel: (_i(c), {}, _k))

tan_p, atan_p, asin_p, acos_p = (_PRIMS[n] for n in ("tan", "atan", "asin", "acos"))
sinh_p, cosh_p, asinh_p, acosh_p, atanh_p = (
    _PRIMS[n] for n in ("sinh", "cosh", "asinh", "acosh", "atanh")
)
expm1_p, erfc_p, log2_p, log10_p, exp2_p, ceil_p = (
    _PRIMS[n] for n in ("expm1", "erfc", "log2", "log10", "exp2", "ceil")
)


def _float_binary(name: str, kernel: Callable, bprop: Callable) -> Any:
    def infer(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        I.require_float(name, "input", x)
        return _binary_infer(name)(x, y)

    return primitive(name, traits=("elementwise", "fusable"), cpu=kernel, infer=infer, bprop=bprop)


def _atan2_bprop(y: Tensor, x: Tensor, out: Tensor, dout: Tensor) -> tuple:
    scale = div(dout, add(mul(x, x), mul(y, y)))
    return mul(scale, x), neg(mul(scale, y))


atan2_p = _float_binary("atan2", np.arctan2, _atan2_bprop)
example(atan2_p, lambda c: ([c.r(2, 3), c.pos(3)], {}, np.arctan2))
hypot_p = _float_binary(
    "hypot", np.hypot, lambda x, y, out, dout: (mul(dout, div(x, out)), mul(dout, div(y, out)))
)
example(hypot_p, lambda c: ([c.pos(2, 3), c.pos(3)], {}, np.hypot))
fmod_p = primitive(
    "fmod",
    traits=("elementwise",),
    cpu=np.fmod,
    infer=_binary_infer("fmod"),
    bprop=lambda x, y, out, dout: (dout, neg(mul(dout, trunc(div(x, y))))),
)
example(fmod_p, lambda c: ([c.r(2, 3) * 5, c.pos(3) + 0.5], {}, np.fmod))


def _integer_binary(name: str, kernel: Callable) -> Any:
    def infer(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        out = _binary_infer(name)(x, y)
        if out.dtype.is_floating_point:
            raise I.fail(name, f"the inputs must be integers or bools, got {out.dtype}")
        return out

    return primitive(
        name,
        traits=("elementwise", "fusable"),
        cpu=kernel,
        infer=infer,
        differentiable=False,
    )


def _ints(c: Any) -> list:
    return [np.array([5, -3, 12, 7], np.int32), np.array([3, 6, -2, 1], np.int32)]


bitwise_and_p = _integer_binary("bitwise_and", np.bitwise_and)
example(bitwise_and_p, lambda c: (_ints(c), {}, np.bitwise_and))
bitwise_or_p = _integer_binary("bitwise_or", np.bitwise_or)
example(bitwise_or_p, lambda c: (_ints(c), {}, np.bitwise_or))
bitwise_xor_p = _integer_binary("bitwise_xor", np.bitwise_xor)
example(bitwise_xor_p, lambda c: (_ints(c), {}, np.bitwise_xor))
left_shift_p = _integer_binary("left_shift", np.left_shift)
example(
    left_shift_p,
    lambda c: ([np.array([1, -3, 5], np.int32), np.array([2, 1, 0], np.int32)], {}, np.left_shift),
)
right_shift_p = _integer_binary("right_shift", np.right_shift)
example(
    right_shift_p,
    lambda c: (
        [np.array([16, -8, 5], np.int32), np.array([2, 1, 0], np.int32)],
        {},
        np.right_shift,
    ),
)


def _invert_infer(x: ShapedArray) -> ShapedArray:
    if x.dtype.is_floating_point or x.dtype is dt.bool_:  # bools: invert() takes logical_not
        raise I.fail("invert", f"the input must be an integer tensor, got {x.dtype}")
    return ShapedArray(x.shape, x.dtype)


invert_p = primitive(
    "invert",
    traits=("elementwise", "fusable"),
    cpu=np.invert,
    infer=_invert_infer,
    differentiable=False,
)
example(invert_p, lambda c: ([np.array([0, 5, -3], np.int16)], {}, np.invert))


# ------------------------------------------------------------------------------------------------
# The functions
# ------------------------------------------------------------------------------------------------


def tan(input: Any) -> Tensor:
    return bind1(tan_p, _inexact(input))


def atan(input: Any) -> Tensor:
    return bind1(atan_p, _inexact(input))


def asin(input: Any) -> Tensor:
    return bind1(asin_p, _inexact(input))


def acos(input: Any) -> Tensor:
    return bind1(acos_p, _inexact(input))


def sinh(input: Any) -> Tensor:
    return bind1(sinh_p, _inexact(input))


def cosh(input: Any) -> Tensor:
    return bind1(cosh_p, _inexact(input))


def asinh(input: Any) -> Tensor:
    return bind1(asinh_p, _inexact(input))


def acosh(input: Any) -> Tensor:
    return bind1(acosh_p, _floating(input))


def atanh(input: Any) -> Tensor:
    return bind1(atanh_p, _inexact(input))


def expm1(input: Any) -> Tensor:
    """``exp(input) - 1``, accurate near 0."""
    return bind1(expm1_p, _inexact(input))


def erfc(input: Any) -> Tensor:
    """``1 - erf(input)``, accurate where erf is near 1."""
    return bind1(erfc_p, _floating(input))


def log2(input: Any) -> Tensor:
    return bind1(log2_p, _inexact(input))


def log10(input: Any) -> Tensor:
    return bind1(log10_p, _inexact(input))


def exp2(input: Any) -> Tensor:
    return bind1(exp2_p, _inexact(input))


def ceil(input: Any) -> Tensor:
    return bind1(ceil_p, _floating(input))


def _float_operands(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    x, y = operands(x, y)
    if not x.dtype.is_floating_point:
        x, y = _floating(x), _floating(y)
    return x, y


def atan2(input: Any, other: Any) -> Tensor:
    """The angle of the point (other, input): ``arctan(input / other)`` in the right quadrant."""
    return bind2(atan2_p, *_float_operands(input, other))


def hypot(input: Any, other: Any) -> Tensor:
    """``sqrt(input ** 2 + other ** 2)`` without overflow."""
    return bind2(hypot_p, *_float_operands(input, other))


def fmod(input: Any, other: Any) -> Tensor:
    """The remainder of ``input / other`` with the sign of ``input`` (C's fmod)."""
    return bind2(fmod_p, *operands(input, other))


def _integers(op: str, x: Any, y: Any) -> tuple[Tensor, Tensor]:
    x, y = operands(x, y)
    if x.dtype.is_floating_point:
        raise MindTypeError(f"For '{op}', the inputs must be integers or bools, got {x.dtype}")
    return x, y


def bitwise_and(input: Any, other: Any) -> Tensor:
    return bind2(bitwise_and_p, *_integers("bitwise_and", input, other))


def bitwise_or(input: Any, other: Any) -> Tensor:
    return bind2(bitwise_or_p, *_integers("bitwise_or", input, other))


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return bind2(bitwise_xor_p, *_integers("bitwise_xor", input, other))


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    return bind2(left_shift_p, *_integers("bitwise_left_shift", input, other))


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """Arithmetic shift: a negative input keeps its sign."""
    return bind2(right_shift_p, *_integers("bitwise_right_shift", input, other))


def invert(input: Any) -> Tensor:
    """Bitwise NOT (``~``); for bools, logical NOT."""
    input = as_tensor(input)
    if input.dtype is dt.bool_:
        return logical_not(input)
    return bind1(invert_p, input)


def inv(input: Any) -> Tensor:
    """``1 / input``; integer inputs keep their dtype (the quotient truncates toward zero)."""
    input = as_tensor(input)
    if input.dtype.is_integer and input.dtype is not dt.bool_:
        # 1 // x truncated toward zero is x itself where |x| == 1 and 0 elsewhere.
        return where(equal(abs(input), 1), input, zeros_like(input))
    return reciprocal(input)


# Comparisons by MindSpore's short names.
def ne(input: Any, other: Any) -> Tensor:
    return not_equal(input, other)


def gt(input: Any, other: Any) -> Tensor:
    return greater(input, other)


def ge(input: Any, other: Any) -> Tensor:
    return greater_equal(input, other)


def lt(input: Any, other: Any) -> Tensor:
    return less(input, other)


def le(input: Any, other: Any) -> Tensor:
    return less_equal(input, other)


def isnan(input: Any) -> Tensor:
    input = as_tensor(input)
    if not input.dtype.is_floating_point:
        return not_equal(zeros_like(input), zeros_like(input))
    return not_equal(input, input)


def isinf(input: Any) -> Tensor:
    input = as_tensor(input)
    if not input.dtype.is_floating_point:
        return isnan(input)
    return equal(abs(input), math.inf)


def isfinite(input: Any) -> Tensor:
    return logical_not(logical_or(isnan(input), isinf(input)))


def isclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (infinities equal only to
    themselves; NaNs equal each other only with ``equal_nan``)."""
    x, y = _float_operands(input, other)
    close = less_equal(abs(sub(x, y)), add(mul(abs(y), rtol), atol))
    close = logical_or(close, equal(x, y))  # infinities of one sign
    if equal_nan:
        close = logical_or(close, _both_nan(x, y))
    return close


def _both_nan(x: Tensor, y: Tensor) -> Tensor:
    return logical_not(logical_or(equal(x, x), equal(y, y)))


def nan_to_num(
    input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN by ``nan``, infinities by ``posinf`` / ``neginf`` (by default the dtype's largest and
    smallest finite values)."""
    x = as_tensor(input)
    if not x.dtype.is_floating_point:
        return x
    info = np.finfo(x.dtype.np)
    big = float(info.max) if posinf is None else posinf
    small = float(info.min) if neginf is None else neginf
    x = where(not_equal(x, x), Tensor(np.array(nan, x.dtype.np)), x)
    x = where(equal(x, math.inf), Tensor(np.array(big, x.dtype.np)), x)
    return where(equal(x, -math.inf), Tensor(np.array(small, x.dtype.np)), x)


def rad2deg(x: Any) -> Tensor:
    return mul(_floating(x), 180.0 / math.pi)


def deg2rad(x: Any) -> Tensor:
    return mul(_floating(x), math.pi / 180.0)


def frac(x: Any) -> Tensor:
    """The fractional part, with the sign of ``x``: ``x - trunc(x)``."""
    x = _floating(x)
    return sub(x, trunc(x))


def sinc(input: Any) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0."""
    x = _floating(input)
    zero = equal(x, 0.0)
    safe = mul(where(zero, Tensor(np.array(1.0, x.dtype.np)), x), math.pi)
    return where(zero, Tensor(np.array(1.0, x.dtype.np)), div(sin(safe), safe))


def logit(input: Any, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    p = _floating(input)
    if eps is not None:
        p = clip(p, eps, 1.0 - eps)
    return log(div(p, sub(1.0, p)))


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (also where ``other`` is 0)."""
    x, y = _float_operands(input, other)
    zero = equal(x, 0.0)
    safe = where(zero, Tensor(np.array(1.0, y.dtype.np)), y)
    return where(zero, zeros_like(mul(x, y)), mul(x, log(safe)))


def xdivy(x: Any, y: Any) -> Tensor:
    """``x / y``, 0 where ``x`` is 0."""
    x, y = _float_operands(x, y)
    zero = equal(x, 0.0)
    safe = where(zero, Tensor(np.array(1.0, y.dtype.np)), y)
    return where(zero, zeros_like(mul(x, y)), div(x, safe))


def squared_difference(x: Any, y: Any) -> Tensor:
    d = sub(x, y)
    return mul(d, d)


def logaddexp(input: Any, other: Any) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""
    x, y = _float_operands(input, other)
    # x + softplus(y - x): stable both ways, and the gradient at x == y is (1/2, 1/2)
    return add(x, softplus(sub(y, x)))


def heaviside(input: Any, values: Any) -> Tensor:
    """0 below 0, 1 above, ``values`` at 0."""
    x, v = operands(input, values)
    one, zero = Tensor(np.array(1, x.dtype.np)), Tensor(np.array(0, x.dtype.np))
    return where(greater(x, 0), one, where(equal(x, 0), v, zero))


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """``input + weight * (end - input)``."""
    return add(input, mul(weight, sub(end, input)))


def addcmul(input: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    return add(input, mul(mul(tensor1, tensor2), value))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    return add(input, mul(div(tensor1, tensor2), value))


# ------------------------------------------------------------------------------------------------
# Activations
# ------------------------------------------------------------------------------------------------


def softsign(x: Any) -> Tensor:
    """``x / (1 + |x|)``."""
    x = _floating(x)
    return div(x, add(abs(x), 1.0))


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    if min_val > max_val:
        raise MindValueError(
            f"For 'hardtanh', 'min_val' {min_val} must not exceed 'max_val' {max_val}"
        )
    return clip(_floating(input), min_val, max_val)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``; the gradient is 1 on (0, 6] as MindSpore's ReLU6Grad."""
    x = as_tensor(x)
    return where(less_equal(x, 6.0), relu(x), 6.0)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def selu(input_x: Any) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return mul(elu(_floating(input_x), _SELU_ALPHA), _SELU_SCALE)


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise MindValueError("For 'celu', 'alpha' must not be 0")
    x = _floating(x)  # (the x > 0 branch owns x = 0: the gradient there is 1, as PyTorch's)
    return where(greater(x, 0.0), x, mul(expm1(div(x, alpha)), alpha))


def hardsigmoid(input: Any) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return div(relu6(add(_floating(input), 3.0)), 6.0)


def hardswish(x: Any) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    x = _floating(x)
    return mul(x, hardsigmoid(x))


def mish(x: Any) -> Tensor:
    """``x * tanh(softplus(x))``."""
    x = _floating(x)
    return mul(x, tanh(softplus(x)))


def logsigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x))`` without overflow: ``-softplus(-x)``."""
    return neg(softplus(neg(_floating(x))))


def fast_gelu(x: Any) -> Tensor:
    """MindSpore's FastGeLU: ``x * sigmoid(1.702 x)``."""
    x = _floating(x)
    return mul(x, sigmoid(mul(x, 1.702)))


def prelu(x: Any, weight: Any) -> Tensor:
    """``x`` where positive, ``weight * x`` elsewhere; ``weight`` has one value or one per
    channel (axis 1)."""
    x, w = _floating(x), as_tensor(weight)
    if w.ndim != 1:
        raise MindValueError(f"For 'prelu', 'weight' must be 1-D, got shape {w.shape}")
    if w.shape[0] != 1:
        if x.ndim < 2 or x.shape[1] != w.shape[0]:
            raise MindValueError(
                f"For 'prelu', 'weight' has {w.shape[0]} values for input of shape {x.shape} "
                "(one per channel, axis 1, or a single one)"
            )
        w = w.reshape((w.shape[0],) + (1,) * (x.ndim - 2))
    return where(greater(x, 0.0), x, mul(x, w))


def glu(x: Any, axis: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` the halves of ``axis``."""
    x = _floating(x)
    size = x.shape[axis]
    if size % 2:
        raise MindValueError(f"For 'glu', axis {axis} has odd size {size}")
    index = [slice(None)] * x.ndim
    index[axis] = slice(0, size // 2)
    a = x[tuple(index)]
    index[axis] = slice(size // 2, size)
    return mul(a, sigmoid(x[tuple(index)]))


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    x = _floating(input)
    return where(greater(abs(x), lambd), x, zeros_like(x))


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between."""
    if lambd < 0:
        raise MindValueError(f"For 'softshrink', 'lambd' must be >= 0, got {lambd}")
    x = _floating(input)
    return where(
        greater(x, lambd), sub(x, lambd), where(less(x, -lambd), add(x, lambd), zeros_like(x))
    )


def tanhshrink(input: Any) -> Tensor:
    """``x - tanh(x)``."""
    x = _floating(input)
    return sub(x, tanh(x))


def threshold(input: Any, thr: float, value: float) -> Tensor:
    """``input`` where it is above ``thr``, ``value`` elsewhere."""
    x = as_tensor(input)
    return where(greater(x, thr), x, Tensor(np.array(value, x.dtype.np)))


def softmin(x: Any, axis: int = -1, *, dtype: Any = None) -> Tensor:
    """``softmax(-x)`` over ``axis``."""
    x = _floating(x) if dtype is None else as_tensor(x, dtype)
    return softmax(neg(x), axis)


def approximate_equal(x: Any, y: Any, tolerance: float = 1e-05) -> Tensor:
    """``|x - y| < tolerance`` elementwise."""
    return less(abs(sub(x, y)), tolerance)


def std_mean(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> tuple:
    """``(std, mean)`` over ``axis`` (``ddof``: the divisor is ``N - ddof``)."""
    return std(input, axis, ddof, keepdims), mean(input, axis, keepdims)


def var_mean(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> tuple:
    """``(var, mean)`` over ``axis``."""
    return var(input, axis, ddof, keepdims), mean(input, axis, keepdims)


def _channel_dropout(op: str, x: Any, keep_prob: float, spatial: int) -> tuple[Tensor, Tensor]:
    """``(output, mask)``: each channel (all of its last ``spatial`` axes) kept with probability
    ``keep_prob`` and scaled by ``1 / keep_prob``, or zeroed; ``mask`` is True where kept."""
    x = as_tensor(x)
    if x.ndim < spatial + 1:
        raise MindValueError(
            f"For '{op}', the input needs at least {spatial + 1} axes, got shape {x.shape}"
        )
    if (
        isinstance(keep_prob, bool)
        or not isinstance(keep_prob, int | float)
        or not 0 <= keep_prob <= 1
    ):
        raise MindValueError(f"For '{op}', 'keep_prob' must be in [0, 1], got {keep_prob!r}")
    channels = (*x.shape[: x.ndim - spatial], *(1,) * spatial)
    mask = broadcast_to(less(uniform(channels), float(keep_prob)), x.shape)
    if keep_prob == 0:
        return zeros_like(x), mask
    return where(mask, div(x, float(keep_prob)), zeros_like(x)), mask


def dropout2d(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels (the last two axes of each) with probability ``p``, scaling the kept
    ones by ``1 / (1 - p)``; the input itself when not ``training``."""
    if not training:
        return as_tensor(input)
    return _channel_dropout("dropout2d", input, 1.0 - p, 2)[0]


def dropout3d(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """``dropout2d`` over channels of three axes (N, C, D, H, W)."""
    if not training:
        return as_tensor(input)
    return _channel_dropout("dropout3d", input, 1.0 - p, 3)[0]
