"""Comparisons and logic: MindSpore's ``mindspore.numpy.logic_ops``. Results are bool Tensors
(or the given ``dtype``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core import ops
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError
from mind.core.numpy._array import unique
from mind.core.numpy._utils import binary, canon_axes, cast_to, operand, to_tensor, unary

__all__ = [
    "array_equal",
    "array_equiv",
    "equal",
    "greater",
    "greater_equal",
    "in1d",
    "isclose",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isscalar",
    "less",
    "less_equal",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "not_equal",
    "setdiff1d",
    "signbit",
    "sometrue",
]


def equal(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 == x2`` element-wise."""
    return binary(ops.equal, x1, x2, dtype)


def not_equal(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 != x2`` element-wise."""
    return binary(ops.not_equal, x1, x2, dtype)


def less(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 < x2`` element-wise."""
    return binary(ops.less, x1, x2, dtype)


def less_equal(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 <= x2`` element-wise."""
    return binary(ops.less_equal, x1, x2, dtype)


def greater(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 > x2`` element-wise."""
    return binary(ops.greater, x1, x2, dtype)


def greater_equal(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``x1 >= x2`` element-wise."""
    return binary(ops.greater_equal, x1, x2, dtype)


def _bool(x: Any) -> Tensor:
    x = to_tensor(x) if not isinstance(x, Tensor) else x
    return x if x.dtype is dt.bool_ else x != 0


def logical_and(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """Logical AND, element-wise."""
    return cast_to(ops.logical_and(_bool(x1), _bool(x2)), dtype)


def logical_or(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """Logical OR, element-wise."""
    return cast_to(ops.logical_or(_bool(x1), _bool(x2)), dtype)


def logical_xor(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """Logical XOR, element-wise."""
    return cast_to(ops.logical_xor(_bool(x1), _bool(x2)), dtype)


def logical_not(a: Any, dtype: Any = None) -> Tensor:
    """Logical NOT, element-wise."""
    return cast_to(ops.logical_not(_bool(a)), dtype)


def _float_test(fn: Any, x: Any, dtype: Any, integer_result: bool) -> Tensor:
    def apply(t: Tensor) -> Tensor:
        if t.dtype.is_floating_point:
            return fn(t)
        return ops.fill(dt.bool_, tuple(t.shape), integer_result)

    return unary(apply, x, dtype)


def isnan(x: Any, dtype: Any = None) -> Tensor:
    """Whether each element is NaN."""
    return _float_test(ops.isnan, x, dtype, False)


def isinf(x: Any, dtype: Any = None) -> Tensor:
    """Whether each element is positive or negative infinity."""
    return _float_test(ops.isinf, x, dtype, False)


def isfinite(x: Any, dtype: Any = None) -> Tensor:
    """Whether each element is neither infinite nor NaN."""
    return _float_test(ops.isfinite, x, dtype, True)


def isposinf(x: Any) -> Tensor:
    """Whether each element is positive infinity."""
    x = to_tensor(x)
    return ops.logical_and(isinf(x), x > 0)


def isneginf(x: Any) -> Tensor:
    """Whether each element is negative infinity."""
    x = to_tensor(x)
    return ops.logical_and(isinf(x), x < 0)


def signbit(x: Any, dtype: Any = None) -> Tensor:
    """Whether the sign bit is set (True for -0.0 and negative numbers)."""

    def fn(t: Tensor) -> Tensor:
        if not t.dtype.is_floating_point:
            return t < 0
        return ops.logical_or(t < 0, ops.logical_and(t == 0, (1.0 / t) < 0))

    return unary(fn, x, dtype)


def isscalar(element: Any) -> bool:
    """Whether ``element`` is a Python (or numpy) scalar; a Tensor is not."""
    return not isinstance(element, Tensor) and bool(np.isscalar(element))


def isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Whether ``|a - b| <= atol + rtol * |b|``, element-wise (infinities equal themselves)."""
    a, b = operand(a), operand(b)
    a = to_tensor(a) if not isinstance(a, Tensor) else a
    b = to_tensor(b) if not isinstance(b, Tensor) else b
    kind = dt.promote(a.dtype, b.dtype)
    if not kind.is_floating_point:
        kind = dt.float32
    a, b = cast_to(a, kind), cast_to(b, kind)
    finite = ops.logical_and(ops.isfinite(a), ops.isfinite(b))
    safe_a = ops.where(finite, a, ops.zeros_like(a))
    safe_b = ops.where(finite, b, ops.zeros_like(b))
    close = ops.logical_and(finite, ops.abs(safe_a - safe_b) <= atol + rtol * ops.abs(safe_b))
    close = ops.logical_or(close, ops.logical_and(ops.logical_not(finite), a == b))
    if equal_nan:
        close = ops.logical_or(close, ops.logical_and(ops.isnan(a), ops.isnan(b)))
    return close


def array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> Tensor:
    """Whether the two arrays have the same shape and elements (a scalar bool Tensor)."""
    if not isinstance(equal_nan, bool):
        raise MindTypeError("For 'array_equal', 'equal_nan' must be a bool")
    a1, a2 = to_tensor(a1), to_tensor(a2)
    if tuple(a1.shape) != tuple(a2.shape):
        return Tensor(False)
    res = ops.equal(a1, a2)
    if equal_nan:
        res = ops.logical_or(res, ops.logical_and(isnan(a1), isnan(a2)))
    return ops.all(res)


def array_equiv(a1: Any, a2: Any) -> Tensor:
    """Whether the two arrays are equal after broadcasting (a scalar bool Tensor)."""
    a1, a2 = to_tensor(a1), to_tensor(a2)
    try:
        np.broadcast_shapes(tuple(a1.shape), tuple(a2.shape))
    except ValueError:
        return Tensor(False)
    return ops.all(ops.equal(a1, a2))


def sometrue(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Whether any element over ``axis`` is true."""
    a = _bool(to_tensor(a))
    axes = canon_axes(axis, a.ndim)
    return ops.any(a, axes, keepdims) if axes else a


def in1d(ar1: Any, ar2: Any, invert: bool = False) -> Tensor:
    """For each element of the flattened ``ar1``, whether it is in ``ar2`` (1-D)."""
    a = ops.reshape(to_tensor(ar1), (-1,))
    b = ops.reshape(to_tensor(ar2), (-1,))
    hit = (
        ops.any(ops.equal(ops.expand_dims(a, 1), ops.expand_dims(b, 0)), 1)
        if b.shape[0]
        else ops.zeros_like(a, dtype=dt.bool_)
    )
    return ops.logical_not(hit) if invert else hit


def isin(element: Any, test_elements: Any, invert: bool = False) -> Tensor:
    """For each element of ``element``, whether it is in ``test_elements`` (``element``'s shape)."""
    element = to_tensor(element)
    return ops.reshape(in1d(element, test_elements, invert), tuple(element.shape))


def setdiff1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Tensor:
    """The sorted unique values of ``ar1`` that are not in ``ar2``."""
    a = ops.reshape(to_tensor(ar1), (-1,))
    if not assume_unique:
        a = unique(a)
    keep = in1d(a, ar2, invert=True)
    return ops.masked_select(a, keep)
