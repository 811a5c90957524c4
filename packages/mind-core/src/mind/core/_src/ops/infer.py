"""Shared pieces of shape and dtype inference rules.

Every message follows one pattern, "For '<op>', '<argument>' <what is wrong>, <what was expected>",
so an error from any op reads the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from mind.core._src.ops.dispatch import ShapedArray
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindTypeError, ShapeInferenceError


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
