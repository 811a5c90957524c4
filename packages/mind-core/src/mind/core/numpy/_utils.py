"""What every ``mind.core.numpy`` function shares: turning inputs into Tensors the way
``mindspore.numpy`` does, dtype checks, and axis arithmetic.

MindSpore's rule for Python data: ``int`` becomes int32 and ``float`` float32 (lists too), where
Mind's own ``Tensor([1, 2])`` is int64. A Python number next to a Tensor in a binary function is
left to the op, so it stays *weak* (``float16 tensor + 2.0`` is float16, as numpy does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mind.core import ops
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

_SCALARS = (bool, int, float)


def check_dtype(dtype: Any) -> dt.DType | None:
    """``dtype`` as a Mind DType (None stays None); numpy's codes such as ``'i2'`` work too."""
    if dtype is None:
        return None
    try:
        return dt.to_dtype(dtype)
    except MindTypeError:
        if not isinstance(dtype, str):
            raise
        try:
            code = np.dtype(dtype)
        except TypeError:
            raise MindTypeError(f"{dtype!r} is not a dtype") from None
        return dt.to_dtype(code)


def _from_python(data: Any, dtype: dt.DType | None) -> Tensor:
    try:
        array = np.asarray(_deep_numpy(data))
    except ValueError:
        array = np.empty(0, object)
    if array.dtype == object:
        raise MindValueError(
            "For 'mind.core.numpy', the input must be rectangular (the same size across every "
            f"dimension), got {data!r}"
        )
    if dtype is None:
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        elif array.dtype == np.int64:
            array = array.astype(np.int32)
    return Tensor(array, dtype)


def _deep_numpy(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data.asnumpy()
    if isinstance(data, list | tuple):
        return [_deep_numpy(d) for d in data]
    return data


def _has_tensor(data: Any) -> bool:
    if isinstance(data, Tensor):
        return True
    return isinstance(data, list | tuple) and any(_has_tensor(d) for d in data)


def to_tensor(a: Any, dtype: Any = None) -> Tensor:
    """``a`` as a Tensor: a Tensor itself (cast when ``dtype`` differs), Python data with
    MindSpore's int32/float32 defaults, a numpy array with its own dtype. A list holding Tensors is
    stacked with ops, so gradients reach its elements."""
    dtype = check_dtype(dtype)
    if isinstance(a, Tensor):
        return a if dtype is None or a.dtype is dtype else ops.cast(a, dtype)
    if isinstance(a, np.ndarray | np.generic):
        return Tensor(a, dtype)
    if isinstance(a, list | tuple) and a and _has_tensor(a):
        parts = [to_tensor(x) for x in a]
        kind = parts[0].dtype
        for p in parts[1:]:
            kind = dt.promote(kind, p.dtype)
        out = ops.stack([ops.cast(p, kind) if p.dtype is not kind else p for p in parts])
        return out if dtype is None else ops.cast(out, dtype)
    if isinstance(a, _SCALARS) or isinstance(a, list | tuple):
        return _from_python(a, dtype)
    raise MindTypeError(
        "For 'mind.core.numpy', the input must be a Tensor, a number, a list or a tuple, "
        f"got {type(a).__name__}"
    )


def operand(a: Any) -> Any:
    """A binary function's operand: Python numbers stay as they are (weak), the rest a Tensor."""
    if isinstance(a, _SCALARS) and not isinstance(a, Tensor):
        return a
    return to_tensor(a)


def binary(fn: Any, x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """``fn(x1, x2)`` with MindSpore's conversions, cast to ``dtype`` when given."""
    a, b = operand(x1), operand(x2)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = to_tensor(a)
    return cast_to(fn(a, b), dtype)


def unary(fn: Any, x: Any, dtype: Any = None) -> Tensor:
    return cast_to(fn(to_tensor(x)), dtype)


def cast_to(x: Tensor, dtype: Any) -> Tensor:
    dtype = check_dtype(dtype)
    if dtype is None or x.dtype is dtype:
        return x
    return ops.cast(x, dtype)


def as_float(x: Tensor) -> Tensor:
    """``x`` itself when floating point, else as float32 (MindSpore's float default)."""
    return x if x.dtype.is_floating_point else ops.cast(x, dt.float32)


def canon_axis(axis: int, ndim: int, name: str = "axis") -> int:
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise MindTypeError(f"For 'mind.core.numpy', '{name}' must be an int, got {axis!r}")
    if not -ndim <= axis < max(ndim, 1):
        raise MindValueError(
            f"For 'mind.core.numpy', '{name}' {axis} is out of range for {ndim} dimensions"
        )
    return int(axis) % max(ndim, 1)


def canon_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None: every axis; an int; a sequence) as a tuple of distinct non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | np.integer) and not isinstance(axis, bool):
        return (canon_axis(axis, ndim),)
    if isinstance(axis, Sequence):
        out = tuple(canon_axis(a, ndim) for a in axis)
        if len(set(out)) != len(out):
            raise MindValueError(f"For 'mind.core.numpy', duplicate value in 'axis': {axis}")
        return out
    raise MindTypeError(
        f"For 'mind.core.numpy', 'axis' must be None, an int or a tuple, got {axis!r}"
    )


def as_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    if isinstance(shape, Tensor):
        shape = tuple(shape.asnumpy().reshape(-1).tolist())
    try:
        out = tuple(int(s) for s in shape)
    except TypeError:
        raise MindTypeError(
            f"For 'mind.core.numpy', 'shape' must be an int or a sequence of ints, got {shape!r}"
        ) from None
    if any(s < 0 for s in out):
        raise MindValueError(f"For 'mind.core.numpy', negative dimensions are not allowed: {out}")
    return out


def python_value(x: Any) -> Any:
    """A Python number from a number or a one-element Tensor (for arguments MindSpore takes as
    constants, such as ``arange``'s bounds)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


def zeros_of(shape: tuple[int, ...], dtype: dt.DType) -> Tensor:
    return Tensor(np.zeros(shape, dtype.np))


def index(values: Any) -> Tensor:
    """A constant int64 index Tensor (index arrays are constants, never differentiated)."""
    return Tensor(np.asarray(values, dtype=np.int64))


def int_result(x: Tensor, dtype: dt.DType) -> Tensor:
    """``x`` cast to ``dtype``, for the results of sums and cumulative sums.

    NOTE: Mind's integer sum and cumsum kernels return int64 while their inference rules say the
    input's dtype, so under ``jit`` a plain cast to that dtype is dropped as a no-op and the
    int64 leaks out; casting through int64 first keeps the cast in the graph.
    """
    if not dtype.is_integer:
        return cast_to(x, dtype)
    return ops.cast(ops.cast(x, dt.int64), dtype)
