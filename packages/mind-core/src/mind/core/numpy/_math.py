"""Element-wise math and reductions: MindSpore's ``mindspore.numpy.math_ops`` (first half).

Each function converts its inputs as ``mindspore.numpy`` does (see ``_utils``), applies Mind ops,
and casts to ``dtype`` when one is given. Everything is composed from ops, so gradients, ``jit``
and ``vmap`` come with them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mind.core import ops
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError
from mind.core.numpy._utils import (
    as_float,
    binary,
    canon_axes,
    canon_axis,
    cast_to,
    check_dtype,
    int_result,
    operand,
    to_tensor,
    unary,
)

__all__ = [
    "absolute",
    "add",
    "amax",
    "amin",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "around",
    "average",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "cbrt",
    "ceil",
    "clip",
    "copysign",
    "cos",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "deg2rad",
    "divide",
    "divmod",
    "exp",
    "exp2",
    "expm1",
    "fix",
    "float_power",
    "floor",
    "floor_divide",
    "fmod",
    "gcd",
    "heaviside",
    "hypot",
    "invert",
    "lcm",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logaddexp2",
    "maximum",
    "mean",
    "minimum",
    "multiply",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanstd",
    "nansum",
    "nanvar",
    "negative",
    "positive",
    "power",
    "ptp",
    "rad2deg",
    "radians",
    "reciprocal",
    "remainder",
    "rint",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "std",
    "subtract",
    "sum",
    "tan",
    "tanh",
    "true_divide",
    "trunc",
    "var",
]

# ------------------------------------------------------------------------------------------------
# Unary
# ------------------------------------------------------------------------------------------------


def _float_unary(fn: Any) -> Any:
    return lambda x: fn(as_float(x))


def absolute(x: Any, dtype: Any = None) -> Tensor:
    """``|x|`` element-wise."""
    return unary(ops.abs, x, dtype)


def negative(a: Any, dtype: Any = None) -> Tensor:
    """``-a`` element-wise."""
    return unary(ops.neg, a, dtype)


def positive(a: Any, dtype: Any = None) -> Tensor:
    """``+a`` element-wise (a copy)."""
    return unary(lambda x: ops.where(ops.ones_like(x, dtype=dt.bool_), x, x), a, dtype)


def sqrt(x: Any, dtype: Any = None) -> Tensor:
    """The non-negative square root, element-wise (float)."""
    return unary(_float_unary(ops.sqrt), x, dtype)


def square(x: Any, dtype: Any = None) -> Tensor:
    """``x * x`` element-wise."""
    return unary(lambda t: t * t, x, dtype)


def cbrt(x: Any, dtype: Any = None) -> Tensor:
    """The real cube root, element-wise (float; negative for negative ``x``)."""

    def fn(t: Tensor) -> Tensor:
        t = as_float(t)
        return ops.sign(t) * ops.pow(ops.abs(t), 1.0 / 3.0)

    return unary(fn, x, dtype)


def reciprocal(x: Any, dtype: Any = None) -> Tensor:
    """``1 / x`` element-wise."""
    return unary(lambda t: 1 / t if t.dtype.is_floating_point else ops.floor_divide(1, t), x, dtype)


def exp(x: Any, dtype: Any = None) -> Tensor:
    """``e ** x`` element-wise."""
    return unary(_float_unary(ops.exp), x, dtype)


def exp2(x: Any, dtype: Any = None) -> Tensor:
    """``2 ** x`` element-wise."""
    return unary(_float_unary(ops.exp2), x, dtype)


def expm1(x: Any, dtype: Any = None) -> Tensor:
    """``exp(x) - 1`` element-wise, accurate near 0."""
    return unary(_float_unary(ops.expm1), x, dtype)


def log(x: Any, dtype: Any = None) -> Tensor:
    """The natural logarithm, element-wise."""
    return unary(_float_unary(ops.log), x, dtype)


def log2(x: Any, dtype: Any = None) -> Tensor:
    """The base-2 logarithm, element-wise."""
    return unary(_float_unary(ops.log2), x, dtype)


def log10(x: Any, dtype: Any = None) -> Tensor:
    """The base-10 logarithm, element-wise."""
    return unary(_float_unary(ops.log10), x, dtype)


def log1p(x: Any, dtype: Any = None) -> Tensor:
    """``log(1 + x)`` element-wise, accurate near 0."""
    return unary(_float_unary(ops.log1p), x, dtype)


def sin(x: Any, dtype: Any = None) -> Tensor:
    """Sine, element-wise."""
    return unary(_float_unary(ops.sin), x, dtype)


def cos(x: Any, dtype: Any = None) -> Tensor:
    """Cosine, element-wise."""
    return unary(_float_unary(ops.cos), x, dtype)


def tan(x: Any, dtype: Any = None) -> Tensor:
    """Tangent, element-wise."""
    return unary(_float_unary(ops.tan), x, dtype)


def arcsin(x: Any, dtype: Any = None) -> Tensor:
    """Inverse sine, element-wise."""
    return unary(_float_unary(ops.asin), x, dtype)


def arccos(input: Any, dtype: Any = None) -> Tensor:
    """Inverse cosine, element-wise."""
    return unary(_float_unary(ops.acos), input, dtype)


def arctan(x: Any, dtype: Any = None) -> Tensor:
    """Inverse tangent, element-wise."""
    return unary(_float_unary(ops.atan), x, dtype)


def sinh(x: Any, dtype: Any = None) -> Tensor:
    """Hyperbolic sine, element-wise."""
    return unary(_float_unary(ops.sinh), x, dtype)


def cosh(x: Any, dtype: Any = None) -> Tensor:
    """Hyperbolic cosine, element-wise."""
    return unary(_float_unary(ops.cosh), x, dtype)


def tanh(x: Any, dtype: Any = None) -> Tensor:
    """Hyperbolic tangent, element-wise."""
    return unary(_float_unary(ops.tanh), x, dtype)


def arcsinh(x: Any, dtype: Any = None) -> Tensor:
    """Inverse hyperbolic sine, element-wise."""
    return unary(_float_unary(ops.asinh), x, dtype)


def arccosh(x: Any, dtype: Any = None) -> Tensor:
    """Inverse hyperbolic cosine, element-wise."""
    return unary(_float_unary(ops.acosh), x, dtype)


def arctanh(x: Any, dtype: Any = None) -> Tensor:
    """Inverse hyperbolic tangent, element-wise."""
    return unary(_float_unary(ops.atanh), x, dtype)


def deg2rad(x: Any, dtype: Any = None) -> Tensor:
    """Degrees to radians, element-wise."""
    return unary(lambda t: as_float(t) * (math.pi / 180.0), x, dtype)


def radians(x: Any, dtype: Any = None) -> Tensor:
    """Degrees to radians, element-wise (``deg2rad``)."""
    return deg2rad(x, dtype)


def rad2deg(x: Any, dtype: Any = None) -> Tensor:
    """Radians to degrees, element-wise."""
    return unary(lambda t: as_float(t) * (180.0 / math.pi), x, dtype)


def _keep_int(fn: Any) -> Any:
    """A rounding function: integers are already whole and keep their dtype."""
    return lambda t: t if not t.dtype.is_floating_point else fn(t)


def floor(x: Any, dtype: Any = None) -> Tensor:
    """The largest integer ``<= x``, element-wise (float for float input)."""
    return unary(lambda t: ops.floor(as_float(t)), x, dtype)


def ceil(x: Any, dtype: Any = None) -> Tensor:
    """The smallest integer ``>= x``, element-wise."""
    return unary(lambda t: ops.ceil(as_float(t)), x, dtype)


def trunc(x: Any, dtype: Any = None) -> Tensor:
    """``x`` rounded towards zero, element-wise."""
    return unary(lambda t: ops.trunc(as_float(t)), x, dtype)


def fix(x: Any) -> Tensor:
    """``x`` rounded towards zero, as floats."""
    return unary(lambda t: ops.trunc(as_float(t)), x)


def rint(x: Any, dtype: Any = None) -> Tensor:
    """``x`` rounded to the nearest integer (halves to even), element-wise (float)."""
    return unary(lambda t: ops.round(as_float(t)), x, dtype)


def around(a: Any, decimals: int = 0) -> Tensor:
    """``a`` rounded to ``decimals`` decimals (halves to even)."""
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise MindTypeError(f"For 'around', 'decimals' must be an int, got {decimals!r}")

    def fn(t: Tensor) -> Tensor:
        if not t.dtype.is_floating_point:
            if decimals >= 0:
                return t
            scale = 10 ** (-decimals)
            return ops.cast(ops.round(ops.cast(t, dt.float64) / scale) * scale, t.dtype)
        scale = 10.0**decimals
        return ops.round(t * scale) / scale

    return unary(fn, a)


def sign(x: Any, dtype: Any = None) -> Tensor:
    """-1, 0 or 1 by the sign of ``x`` (nan for nan), element-wise."""

    def fn(t: Tensor) -> Tensor:
        if t.ndim:
            return ops.sign(t)
        # NOTE: ops.sign's kernel fails on 0-D inputs; a 1-element view avoids it.
        return ops.reshape(ops.sign(ops.reshape(t, (1,))), ())

    return unary(fn, x, dtype)


def invert(x: Any, dtype: Any = None) -> Tensor:
    """Bit-wise NOT (logical NOT for bool), element-wise."""
    x = to_tensor(x)
    if x.dtype.is_floating_point:
        raise MindTypeError(f"For 'invert', the input must be integer or bool, got {x.dtype}")
    if x.dtype is dt.bool_:
        return cast_to(ops.logical_not(x), dtype)
    return cast_to(ops.invert(x), dtype)


# ------------------------------------------------------------------------------------------------
# Binary
# ------------------------------------------------------------------------------------------------


def add(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 + x2`` element-wise, broadcasting."""
    return binary(ops.add, x1, x2, dtype)


def subtract(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 - x2`` element-wise."""
    return binary(ops.sub, x1, x2, dtype)


def multiply(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 * x2`` element-wise."""
    return binary(ops.mul, x1, x2, dtype)


def divide(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """True division ``x1 / x2`` (integers give float32, as MindSpore does)."""
    return binary(ops.div, x1, x2, dtype)


def true_divide(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """True division ``x1 / x2`` (``divide``)."""
    return divide(x1, x2, dtype)


def power(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 ** x2`` element-wise."""
    return binary(ops.pow, x1, x2, dtype)


def float_power(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 ** x2`` computed in float32 (MindSpore's float type; float64 inputs stay float64)."""

    def promote(x: Any) -> Any:
        x = to_tensor(x)
        return x if x.dtype is dt.float64 else cast_to(x, dt.float32)

    return binary(ops.pow, promote(x1), promote(x2), dtype)


def floor_divide(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The largest integer ``<= x1 / x2``, element-wise."""
    return binary(ops.floor_divide, x1, x2, dtype)


def remainder(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 - floor(x1 / x2) * x2``: the sign of the divisor, as Python's ``%``."""
    return binary(ops.remainder, x1, x2, dtype)


def fmod(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The C remainder: the sign of the dividend."""
    return binary(ops.fmod, x1, x2, dtype)


def divmod(x1: Any, x2: Any, dtype: Any = None) -> tuple[Tensor, Tensor]:
    """``(floor_divide(x1, x2), remainder(x1, x2))``."""
    return floor_divide(x1, x2, dtype), remainder(x1, x2, dtype)


def maximum(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The element-wise maximum (nan wins, as numpy's ``maximum``)."""
    return binary(_nan_propagating(ops.maximum), x1, x2, dtype)


def minimum(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The element-wise minimum (nan wins)."""
    return binary(_nan_propagating(ops.minimum), x1, x2, dtype)


def _nan_propagating(fn: Any) -> Any:
    def apply(a: Any, b: Any) -> Tensor:
        out = fn(a, b)
        if not out.dtype.is_floating_point:
            return out
        for x in (a, b):
            if isinstance(x, Tensor) and x.dtype.is_floating_point:
                out = ops.where(
                    ops.isnan(x), ops.cast(x, out.dtype) if x.dtype is not out.dtype else x, out
                )
        return out

    return apply


def hypot(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``sqrt(x1**2 + x2**2)`` element-wise."""
    return binary(lambda a, b: ops.sqrt(as_float(operand_tensor(a * a + b * b))), x1, x2, dtype)


def operand_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else to_tensor(x)


def heaviside(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``."""

    def fn(a: Any, b: Any) -> Tensor:
        a, b = operand_tensor(a), operand_tensor(b)
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        a = ops.broadcast_to(a, shape)
        b = ops.broadcast_to(ops.cast(b, a.dtype), shape)
        out = ops.where(a > 0, ops.ones_like(a), ops.zeros_like(a))
        return ops.where(a == 0, b, out)

    return binary(fn, x1, x2, dtype)


def arctan2(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The angle of ``(x2, x1)`` in radians, element-wise."""
    return binary(lambda a, b: ops.atan2(as_float(operand_tensor(a)), b), x1, x2, dtype)


def logaddexp(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``log(exp(x1) + exp(x2))`` without overflow."""
    return binary(
        lambda a, b: _logaddexp(as_float(operand_tensor(a)), as_float(operand_tensor(b))),
        x1,
        x2,
        dtype,
    )


def _logaddexp(a: Tensor, b: Tensor) -> Tensor:
    # NOTE: not ops.logaddexp, whose gradient at a == b is (1, 0) rather than (0.5, 0.5).
    # Shifting by the (constant) larger value keeps it stable; the gradient is then softmax's.
    m = ops.stop_gradient(ops.maximum(a, b))
    m = ops.where(ops.isfinite(m), m, ops.zeros_like(m))
    return m + ops.log(ops.exp(a - m) + ops.exp(b - m))


def logaddexp2(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``log2(2**x1 + 2**x2)`` without overflow."""
    ln2 = math.log(2.0)

    def fn(a: Any, b: Any) -> Tensor:
        a, b = as_float(operand_tensor(a)), as_float(operand_tensor(b))
        return _logaddexp(a * ln2, b * ln2) / ln2

    return binary(fn, x1, x2, dtype)


def copysign(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``|x1|`` with the sign of ``x2`` (a negative zero counts as negative)."""

    def fn(a: Any, b: Any) -> Tensor:
        a, b = as_float(operand_tensor(a)), as_float(operand_tensor(b))
        negative_b = ops.logical_or(b < 0, ops.logical_and(b == 0, (1.0 / b) < 0))
        mag = ops.abs(a)
        return ops.where(negative_b, -mag, mag)

    return binary(fn, x1, x2, dtype)


def _int_pair(name: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    a, b = to_tensor(x1), to_tensor(x2)
    if not (a.dtype.is_integer and b.dtype.is_integer):
        raise MindTypeError(
            f"For '{name}', the inputs must be integers, got {a.dtype} and {b.dtype}"
        )
    kind = dt.promote(a.dtype, b.dtype)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return ops.broadcast_to(cast_to(a, kind), shape), ops.broadcast_to(cast_to(b, kind), shape)


def _gcd(a: Tensor, b: Tensor) -> Tensor:
    a, b = ops.abs(a), ops.abs(b)
    # Euclid with a fixed trip count (static for jit): Fibonacci pairs are the worst case, so
    # 93 steps cover int64 and fewer the narrower types.
    steps = {1: 12, 2: 24, 4: 47, 8: 93}[a.dtype.itemsize]
    for _ in range(steps):
        nonzero = b != 0
        safe = ops.where(nonzero, b, ops.ones_like(b))
        a, b = ops.where(nonzero, b, a), ops.where(nonzero, ops.remainder(a, safe), b)
    return a


def gcd(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The greatest common divisor of ``|x1|`` and ``|x2|`` (integers)."""
    return cast_to(_gcd(*_int_pair("gcd", x1, x2)), dtype)


def lcm(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The lowest common multiple of ``|x1|`` and ``|x2|`` (integers; 0 when either is 0)."""
    a, b = _int_pair("lcm", x1, x2)
    g = _gcd(a, b)
    safe = ops.where(g == 0, ops.ones_like(g), g)
    return cast_to(ops.abs(ops.floor_divide(a, safe) * b), dtype)


def _bitwise(name: str, fn: Any, x1: Any, x2: Any, dtype: Any) -> Tensor:
    a, b = operand(x1), operand(x2)
    for x in (a, b):
        if (isinstance(x, Tensor) and x.dtype.is_floating_point) or isinstance(x, float):
            raise MindTypeError(f"For '{name}', the inputs must be integers or bools")
    return binary(fn, a, b, dtype)


def bitwise_and(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """Bit-wise AND, element-wise."""
    return _bitwise("bitwise_and", ops.bitwise_and, x1, x2, dtype)


def bitwise_or(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """Bit-wise OR, element-wise."""
    return _bitwise("bitwise_or", ops.bitwise_or, x1, x2, dtype)


def bitwise_xor(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """Bit-wise XOR, element-wise."""
    return _bitwise("bitwise_xor", ops.bitwise_xor, x1, x2, dtype)


def clip(x: Any, xmin: Any, xmax: Any, dtype: Any = None) -> Tensor:
    """``x`` limited to ``[xmin, xmax]`` (either may be None, not both)."""
    if xmin is None and xmax is None:
        raise MindValueError("For 'clip', 'xmin' and 'xmax' cannot both be None")
    x = to_tensor(x)
    out = x
    if xmin is not None:
        out = _nan_propagating(ops.maximum)(out, operand(xmin))
    if xmax is not None:
        out = _nan_propagating(ops.minimum)(out, operand(xmax))
    return cast_to(out, dtype)


# ------------------------------------------------------------------------------------------------
# Reductions
# ------------------------------------------------------------------------------------------------


def _reduce_axes(x: Tensor, axis: Any) -> tuple[int, ...]:
    return canon_axes(axis, x.ndim)


def sum(
    a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False, initial: Any = None
) -> Tensor:
    """The sum over ``axis`` (None: all), plus ``initial`` when given."""
    a = to_tensor(a)
    dtype = check_dtype(dtype)
    if dtype is not None:
        a = cast_to(a, dtype)
    elif a.dtype is dt.bool_ or (a.dtype.is_integer and a.dtype.itemsize < 4):
        a = cast_to(a, dt.int32)  # MindSpore sums small integers and bools in int32
    axes = _reduce_axes(a, axis)
    out = int_result(ops.sum(a, axes, keepdims), a.dtype) if axes else a
    if initial is not None:
        out = out + initial
    return out


def mean(a: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """The arithmetic mean over ``axis`` (integers give float32)."""
    a = to_tensor(a)
    dtype = check_dtype(dtype)
    a = as_float(cast_to(a, dtype) if dtype is not None else a)
    axes = _reduce_axes(a, axis)
    if not axes:
        return a
    return cast_to(ops.mean(a, axes, keepdims), dtype)


def _extreme(
    name: str, fn: Any, cmp: Any, a: Any, axis: Any, keepdims: bool, initial: Any, where: Any
) -> Tensor:
    a = to_tensor(a)
    axes = _reduce_axes(a, axis)
    if not (isinstance(where, bool) and where):
        if initial is None:
            raise MindValueError(f"For '{name}', 'initial' must be given with a 'where' mask")
        mask = ops.broadcast_to(to_tensor(where, dt.bool_), tuple(a.shape))
        a = ops.where(mask, a, ops.cast(ops.fill(a.dtype, tuple(a.shape), initial), a.dtype))
    if a.size == 0 and initial is None:
        raise MindValueError(f"For '{name}', a zero-size array needs 'initial'")
    out = fn(a, axes, keepdims) if axes else a
    if initial is not None:
        out = cmp(out, ops.cast(Tensor(initial), out.dtype))
    return out


def amax(
    a: Any, axis: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True
) -> Tensor:
    """The maximum over ``axis``; ``initial`` joins the comparison; ``where`` masks elements."""
    return _extreme("amax", ops.amax, ops.maximum, a, axis, keepdims, initial, where)


def amin(
    a: Any, axis: Any = None, keepdims: bool = False, initial: Any = None, where: Any = True
) -> Tensor:
    """The minimum over ``axis``; ``initial`` joins the comparison; ``where`` masks elements."""
    return _extreme("amin", ops.amin, ops.minimum, a, axis, keepdims, initial, where)


def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``amax - amin`` over ``axis``."""
    return amax(x, axis, keepdims) - amin(x, axis, keepdims)


def var(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The variance over ``axis``, dividing by ``N - ddof``."""
    x = as_float(to_tensor(x))
    axes = _reduce_axes(x, axis)
    if not axes:
        return ops.zeros_like(x)
    centred = x - ops.mean(x, axes, True)
    n = int(np.prod([x.shape[i] for i in axes]))
    return ops.sum(centred * centred, axes, keepdims) / max(n - ddof, 0)


def std(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """The standard deviation over ``axis``, dividing by ``N - ddof``."""
    return ops.sqrt(var(x, axis, ddof, keepdims))


def average(x: Any, axis: Any = None, weights: Any = None, returned: bool = False) -> Any:
    """The weighted mean over ``axis``; with ``returned`` also the sum of the weights.

    1-D ``weights`` along a given int ``axis`` are allowed, as in numpy."""
    x = as_float(to_tensor(x))
    axes = _reduce_axes(x, axis)
    if weights is None:
        avg = ops.mean(x, axes) if axes else x
        n = float(np.prod([x.shape[i] for i in axes])) if axes else 1.0
        wsum = ops.fill(avg.dtype, tuple(avg.shape), n)
    else:
        w = as_float(to_tensor(weights))
        if tuple(w.shape) != tuple(x.shape):
            if w.ndim != 1 or not isinstance(axis, int):
                raise MindTypeError(
                    "For 'average', 'weights' must have x's shape, or be 1-D with an int 'axis'"
                )
            view = [1] * x.ndim
            view[axes[0]] = w.shape[0]
            w = ops.broadcast_to(ops.reshape(w, tuple(view)), tuple(x.shape))
        wsum = ops.sum(w, axes) if axes else w
        avg = (ops.sum(x * w, axes) if axes else x * w) / wsum
    return (avg, ops.cast(wsum, avg.dtype)) if returned else avg


def count_nonzero(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The number of non-zero values over ``axis`` (int32)."""
    x = to_tensor(x)
    axes = _reduce_axes(x, axis)
    nz = ops.cast(x != 0, dt.int32)
    return int_result(ops.sum(nz, axes, keepdims), dt.int32) if axes else nz


def argmax(a: Any, axis: int | None = None) -> Tensor:
    """Indices of the maxima along ``axis`` (of the flattened ``a`` when None); the first wins."""
    a = to_tensor(a)
    if axis is None:
        return ops.cast(ops.argmax(ops.reshape(a, (-1,)), 0), dt.int32)
    return ops.cast(ops.argmax(a, canon_axis(axis, a.ndim)), dt.int32)


def argmin(a: Any, axis: int | None = None) -> Tensor:
    """Indices of the minima along ``axis`` (of the flattened ``a`` when None); the first wins."""
    a = to_tensor(a)
    if axis is None:
        return ops.cast(ops.argmin(ops.reshape(a, (-1,)), 0), dt.int32)
    return ops.cast(ops.argmin(a, canon_axis(axis, a.ndim)), dt.int32)


def _cumulative(fn: Any, a: Any, axis: Any, dtype: Any) -> Tensor:
    a = to_tensor(a)
    dtype = check_dtype(dtype)
    if dtype is not None:
        a = cast_to(a, dtype)
    elif a.dtype is dt.bool_ or (a.dtype.is_integer and a.dtype.itemsize < 4):
        a = cast_to(a, dt.int32)  # MindSpore: int8, int16 and bool accumulate in int32
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    return int_result(fn(a, canon_axis(axis, a.ndim)), a.dtype)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative sums along ``axis`` (of the flattened ``a`` when None)."""
    return _cumulative(ops.cumsum, a, axis, dtype)


def cumprod(a: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative products along ``axis`` (of the flattened ``a`` when None)."""
    return _cumulative(ops.cumprod, a, axis, dtype)


# ------------------------------------------------------------------------------------------------
# NaN-ignoring reductions
# ------------------------------------------------------------------------------------------------


def _nan_to(a: Tensor, value: float) -> Tensor:
    if not a.dtype.is_floating_point:
        return a
    return ops.where(ops.isnan(a), ops.cast(ops.fill(a.dtype, tuple(a.shape), value), a.dtype), a)


def nansum(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tensor:
    """The sum over ``axis`` with NaNs counted as zero."""
    return sum(_nan_to(to_tensor(a), 0.0), axis, dtype, keepdims)


def nancumsum(a: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative sums with NaNs counted as zero."""
    return cumsum(_nan_to(to_tensor(a), 0.0), axis, dtype)


def _nan_count(a: Tensor, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    keep = ops.cast(ops.logical_not(ops.isnan(a)), a.dtype)
    return ops.sum(keep, axes, keepdims)


def nanmean(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tensor:
    """The mean over ``axis`` ignoring NaNs (NaN where every value is NaN)."""
    a = as_float(cast_to(to_tensor(a), dtype))
    axes = _reduce_axes(a, axis)
    return ops.sum(_nan_to(a, 0.0), axes, keepdims) / _nan_count(a, axes, keepdims)


def nanvar(
    a: Any, axis: Any = None, dtype: Any = None, ddof: int = 0, keepdims: bool = False
) -> Tensor:
    """The variance over ``axis`` ignoring NaNs."""
    a = as_float(cast_to(to_tensor(a), dtype))
    axes = _reduce_axes(a, axis)
    count = _nan_count(a, axes, True)
    centred = _nan_to(a - ops.sum(_nan_to(a, 0.0), axes, True) / count, 0.0)
    out = ops.sum(centred * centred, axes, True) / ops.maximum(count - ddof, ops.zeros_like(count))
    return out if keepdims else ops.squeeze(out, axes) if axes else out


def nanstd(
    a: Any, axis: Any = None, dtype: Any = None, ddof: int = 0, keepdims: bool = False
) -> Tensor:
    """The standard deviation over ``axis`` ignoring NaNs."""
    return ops.sqrt(nanvar(a, axis, dtype, ddof, keepdims))


def nanmax(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tensor:
    """The maximum over ``axis`` ignoring NaNs (NaN where every value is NaN)."""
    a = cast_to(to_tensor(a), dtype)
    axes = _reduce_axes(a, axis)
    out = ops.amax(_nan_to(a, -math.inf), axes, keepdims)
    return _all_nan_gives_nan(a, out, axes, keepdims)


def nanmin(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tensor:
    """The minimum over ``axis`` ignoring NaNs (NaN where every value is NaN)."""
    a = cast_to(to_tensor(a), dtype)
    axes = _reduce_axes(a, axis)
    out = ops.amin(_nan_to(a, math.inf), axes, keepdims)
    return _all_nan_gives_nan(a, out, axes, keepdims)


def _all_nan_gives_nan(a: Tensor, out: Tensor, axes: tuple, keepdims: bool) -> Tensor:
    if not a.dtype.is_floating_point:
        return out
    all_nan = ops.all(ops.isnan(a), axes, keepdims)
    return ops.where(
        all_nan, ops.cast(ops.fill(out.dtype, tuple(out.shape), math.nan), out.dtype), out
    )
