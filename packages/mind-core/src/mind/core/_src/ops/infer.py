"""Shared pieces of shape and dtype inference rules.

Every message follows one pattern, "For '<op>', '<argument>' <what is wrong>, <what was expected>",
so an error from any op reads the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from mind.core._src.ops.dispatch import ShapedArray
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindTypeError, MindValueError, ShapeInferenceError


def fail(op: str, message: str) -> ShapeInferenceError:
    return ShapeInferenceError(f"For '{op}', {message}")


def broadcast_shapes(op: str, names: Sequence[str], *shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            described = " and ".join(f"'{n}' shape {tuple(s)}" for n, s in zip(names, shapes))
            raise fail(op, f"{described} cannot be broadcast together (axis {axis} differs)")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def elementwise(
    op: str, *avals: ShapedArray, names: Sequence[str] = ("x", "y", "z")
) -> ShapedArray:
    """Broadcast shapes; promoted dtype."""
    shape = broadcast_shapes(op, names, *(a.shape for a in avals))
    dtype = avals[0].dtype
    for a in avals[1:]:
        dtype = dt.promote(dtype, a.dtype)
    return ShapedArray(shape, dtype)


def require_float(op: str, name: str, aval: ShapedArray) -> None:
    if not aval.dtype.is_floating_point:
        raise MindTypeError(
            f"For '{op}', '{name}' must be a floating-point tensor, got {aval.dtype}"
        )


def require_ndim(op: str, name: str, aval: ShapedArray, ndims: int | Sequence[int]) -> None:
    allowed = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if aval.ndim not in allowed:
        want = " or ".join(f"{n}-D" for n in allowed)
        raise fail(op, f"'{name}' must be {want}, got shape {aval.shape}")


def normalize_axis(op: str, axis: int, ndim: int, name: str = "axis") -> int:
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise fail(op, f"'{name}' {axis} is out of range for a {ndim}-D input")
    return axis % max(ndim, 1)


def reduce_shape(
    op: str, shape: tuple[int, ...], axis: int | Sequence[int] | None, keepdims: bool
) -> tuple[int, ...]:
    if axis is None:
        axes = set(range(len(shape)))
    else:
        axes = {
            normalize_axis(op, a, len(shape)) for a in ((axis,) if isinstance(axis, int) else axis)
        }
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


# ------------------------------------------------------------------------------------------------
# Python-scalar arguments (attributes, constructor arguments): checked once, off the hot path
# ------------------------------------------------------------------------------------------------


def _fmt(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else repr(v)


def _bound(op: str, name: str, value: Any, minimum: Any, maximum: Any) -> None:
    lo, hi = _fmt(minimum), _fmt(maximum)
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise MindValueError(f"For '{op}', '{name}' must be in [{lo}, {hi}], but got {value!r}.")
    if minimum is not None and not value >= minimum:
        want = "a positive int" if minimum == 1 and isinstance(value, int) else f">= {lo}"
        raise MindValueError(f"For '{op}', '{name}' must be {want}, but got {value!r}.")
    if maximum is not None and not value <= maximum:
        raise MindValueError(f"For '{op}', '{name}' must be <= {hi}, but got {value!r}.")


def check_int(
    op: str, name: str, value: Any, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` as a Python int; a bool, a float or a string raises :class:`MindTypeError`
    ("For 'one_hot', 'depth' must be an int, but got float."), an int out of
    ``[minimum, maximum]`` raises :class:`MindValueError`."""
    if (
        type(value) is int
        and (minimum is None or value >= minimum)
        and (maximum is None or value <= maximum)
    ):
        return value  # the common case, in a few tests (op entries call this on every call)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise MindTypeError(f"For '{op}', '{name}' must be an int, but got {type(value).__name__}.")
    value = int(value)
    _bound(op, name, value, minimum, maximum)
    return value


def check_number(
    op: str, name: str, value: Any, minimum: float | None = None, maximum: float | None = None
) -> float:
    """``value`` as a finite Python float (an int or a 0-D Tensor is taken too); NaN, infinity
    and values out of ``[minimum, maximum]`` raise :class:`MindValueError`."""
    if hasattr(value, "_data") and getattr(value._data, "ndim", None) == 0:
        value = value._data.item()
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a number, but got {type(value).__name__}."
        )
    value = float(value)
    if not math.isfinite(value):
        raise MindValueError(f"For '{op}', '{name}' must be a finite number, but got {value}.")
    _bound(op, name, value, minimum, maximum)
    return value


def check_bool(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise MindTypeError(f"For '{op}', '{name}' must be a bool, but got {type(value).__name__}.")
    return bool(value)


def check_pair(op: str, name: str, value: Any, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (a kernel size, a stride) as a pair, each >= ``minimum``."""
    if type(value) is int and value >= minimum:
        return (value, value)
    if (
        type(value) is tuple
        and len(value) == 2
        and type(value[0]) is int
        and type(value[1]) is int
        and min(value) >= minimum
    ):
        return value
    pair = (value, value) if isinstance(value, int | np.integer) else value
    if (
        not isinstance(pair, tuple | list)
        or len(pair) != 2
        or any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in pair)
    ):
        raise MindTypeError(
            f"For '{op}', '{name}' must be an int or a pair of ints, but got {value!r}."
        )
    pair = (int(pair[0]), int(pair[1]))
    if min(pair) < minimum:
        want = "positive" if minimum == 1 else f">= {minimum}"
        raise MindValueError(f"For '{op}', '{name}' must be {want}, but got {value!r}.")
    return pair


def check_shape(op: str, name: str, value: Any) -> tuple[int, ...]:
    """A tensor shape from an int or a sequence of ints, every size >= 0."""
    if type(value) is tuple and all(type(s) is int and s >= 0 for s in value):
        return value
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, tuple | list):
        raise MindTypeError(
            f"For '{op}', '{name}' must be an int or a tuple of ints, but got "
            f"{type(value).__name__}."
        )
    return tuple(check_int(op, f"{name}[{i}]", s, minimum=0) for i, s in enumerate(value))
