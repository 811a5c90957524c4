"""Array creation: MindSpore's ``mindspore.numpy.array_creations``.

Values that depend only on Python arguments (``eye``, ``arange``, the windows) are computed once
with numpy and become constants; anything built from input Tensors (``linspace`` between
tensors, ``diag``, ``tril``, ``meshgrid``, ``pad``) is composed from ops, so gradients flow.
Float creation functions default to float32, integer ones to int32, as in MindSpore.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core import ops
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError
from mind.core.numpy._utils import (
    as_float,
    as_shape,
    canon_axis,
    cast_to,
    check_dtype,
    index,
    python_value,
    to_tensor,
)

__all__ = [
    "arange",
    "array",
    "asarray",
    "asfarray",
    "bartlett",
    "blackman",
    "copy",
    "diag",
    "diag_indices",
    "diagflat",
    "diagonal",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "geomspace",
    "hamming",
    "hanning",
    "histogram_bin_edges",
    "identity",
    "indices",
    "ix_",
    "linspace",
    "logspace",
    "meshgrid",
    "mgrid",
    "ogrid",
    "ones",
    "ones_like",
    "pad",
    "rand",
    "randint",
    "randn",
    "trace",
    "tri",
    "tril",
    "tril_indices",
    "tril_indices_from",
    "triu",
    "triu_indices",
    "triu_indices_from",
    "vander",
    "zeros",
    "zeros_like",
]


def _scalar_dtype(*values: Any) -> dt.DType:
    """MindSpore's dtype for Python numbers: all bool -> bool, all int -> int32, else float32."""
    values = [v for v in values if v is not None]
    if all(isinstance(v, bool | np.bool_) for v in values):
        return dt.bool_
    if all(isinstance(v, int | np.integer) for v in values):
        return dt.int32
    return dt.float32


# ------------------------------------------------------------------------------------------------
# From data
# ------------------------------------------------------------------------------------------------


def asarray(a: Any, dtype: Any = None) -> Tensor:
    """``a`` as a Tensor (``a`` itself when it is one of ``dtype``).

    >>> import mind.core.numpy as mnp
    >>> mnp.asarray([1, 2, 3]).dtype
    Int32
    """
    return to_tensor(a, dtype)


def array(obj: Any, dtype: Any = None, copy: bool = True, ndmin: int = 0) -> Tensor:
    """A new Tensor from ``obj``, with at least ``ndmin`` dimensions (ones prepended)."""
    res = to_tensor(obj, dtype)
    if ndmin > res.ndim:
        if res.size == 0:
            raise MindValueError(
                "For 'array', an empty tensor cannot be expanded beyond its current dimension"
            )
        res = ops.reshape(res, (1,) * (ndmin - res.ndim) + tuple(res.shape))
    if copy and res is obj:
        res = _copy(res)
    return res


def asfarray(a: Any, dtype: Any = dt.float32) -> Tensor:
    """``a`` as a float Tensor; a non-float ``dtype`` gives float32."""
    if dtype is None:
        return to_tensor(a)
    dtype = check_dtype(dtype)
    if not dtype.is_floating_point:
        dtype = dt.float32
    return to_tensor(a, dtype)


def _copy(a: Tensor) -> Tensor:
    # A new tensor through an op (x + 0 would lose -0.0), so the copy is on the tape.
    return ops.where(ops.ones_like(a, dtype=dt.bool_), a, a)


def copy(a: Any) -> Tensor:
    """A copy of ``a``."""
    return _copy(to_tensor(a))


# ------------------------------------------------------------------------------------------------
# Filled
# ------------------------------------------------------------------------------------------------


def zeros(shape: Any, dtype: Any = dt.float32) -> Tensor:
    """A Tensor of zeros of ``shape`` (float32 by default)."""
    return Tensor(np.zeros(as_shape(shape), check_dtype(dtype or dt.float32).np))


def ones(shape: Any, dtype: Any = dt.float32) -> Tensor:
    """A Tensor of ones of ``shape`` (float32 by default)."""
    return Tensor(np.ones(as_shape(shape), check_dtype(dtype or dt.float32).np))


def empty(shape: Any, dtype: Any = dt.float32) -> Tensor:
    """A Tensor of ``shape``; its values are unspecified (Mind gives zeros)."""
    return zeros(shape, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """A Tensor of ``shape`` filled with ``fill_value`` (a number or an array broadcast to it).

    With ``dtype=None`` the dtype is ``fill_value``'s: int32 for a Python int, float32 for a float.
    """
    shape = as_shape(shape)
    if dtype is None:
        if isinstance(fill_value, Tensor):
            dtype = fill_value.dtype
        elif isinstance(fill_value, bool | int | float):
            dtype = _scalar_dtype(fill_value)
        else:
            dtype = to_tensor(fill_value).dtype
    dtype = check_dtype(dtype)
    if isinstance(fill_value, bool | int | float):
        return Tensor(np.full(shape, fill_value, dtype.np))
    return ops.broadcast_to(to_tensor(fill_value, dtype), shape)


def _like(a: Any, dtype: Any, shape: Any) -> tuple[tuple[int, ...], dt.DType]:
    if not isinstance(a, Tensor):
        a = to_tensor(a)
    return (tuple(a.shape) if shape is None else as_shape(shape)), check_dtype(dtype) or a.dtype


def zeros_like(a: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """Zeros of ``a``'s shape and dtype (or those given)."""
    shape, dtype = _like(a, dtype, shape)
    return zeros(shape, dtype)


def ones_like(a: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """Ones of ``a``'s shape and dtype (or those given)."""
    shape, dtype = _like(a, dtype, shape)
    return ones(shape, dtype)


def empty_like(prototype: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """A Tensor of ``prototype``'s shape and dtype; values unspecified (zeros in Mind)."""
    shape, dtype = _like(prototype, dtype, shape)
    return zeros(shape, dtype)


def full_like(a: Any, fill_value: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """``fill_value`` in ``a``'s shape and dtype (or those given)."""
    shape, dtype = _like(a, dtype, shape)
    return full(shape, fill_value, dtype)


# ------------------------------------------------------------------------------------------------
# Ranges
# ------------------------------------------------------------------------------------------------


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``: int32 when every bound is an int, else float32.

    >>> import mind.core.numpy as mnp
    >>> mnp.arange(0, 3, 0.5)
    Tensor(shape=[6], dtype=Float32, value=[0. , 0.5, 1. , 1.5, 2. , 2.5])
    """
    start, stop, step = python_value(start), python_value(stop), python_value(step)
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, int | float | np.number):
            raise MindTypeError(f"For 'arange', '{name}' must be an int or a float, got {v!r}")
    if step == 0:
        raise MindValueError("For 'arange', 'step' must not be 0")
    dtype = check_dtype(dtype) or _scalar_dtype(start, stop, step)
    return Tensor(np.arange(start, stop, step).astype(dtype.np))


def _spaced(start: Any, stop: Any, num: int, endpoint: bool, axis: int) -> tuple[Tensor, Tensor]:
    """``num`` evenly spaced samples between two (broadcast) Tensors along a new ``axis``, with
    their step; composed from ops so the samples are differentiable in start and stop."""
    if isinstance(num, bool) or not isinstance(num, int | np.integer) or num < 0:
        raise MindValueError(f"For 'linspace', 'num' must be a non-negative int, got {num!r}")
    start, stop = as_float(to_tensor(start)), as_float(to_tensor(stop))
    kind = dt.promote(start.dtype, stop.dtype)
    start, stop = cast_to(start, kind), cast_to(stop, kind)
    shape = np.broadcast_shapes(tuple(start.shape), tuple(stop.shape))
    start, stop = ops.broadcast_to(start, shape), ops.broadcast_to(stop, shape)
    div = (num - 1) if endpoint else num
    delta = stop - start
    steps = Tensor(np.arange(num, dtype=kind.np).reshape((num,) + (1,) * len(shape)))
    if div > 0:
        step = delta / div
        out = ops.expand_dims(start, 0) + steps * ops.expand_dims(step, 0)
        if endpoint and num > 1:  # the last sample is exactly stop, as numpy makes it
            out = ops.concat([out[:-1], ops.expand_dims(stop, 0)], 0)
    else:
        step = delta * float("nan")
        out = ops.expand_dims(start, 0) + steps * ops.expand_dims(delta, 0)
    axis = canon_axis(axis, len(shape) + 1)
    if axis:
        out = ops.moveaxis(out, 0, axis)
    return out, step


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    """``num`` evenly spaced samples from ``start`` to ``stop`` (float32 by default); with
    ``retstep`` also the step. ``start`` and ``stop`` may be arrays (a new ``axis`` holds the
    samples)."""
    out, step = _spaced(start, stop, num, endpoint, axis)
    out = cast_to(out, dtype)
    return (out, step) if retstep else out


def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: float = 10.0,
    dtype: Any = None,
    axis: int = 0,
) -> Tensor:
    """``base ** linspace(start, stop)`` (float32 by default)."""
    out, _ = _spaced(start, stop, num, endpoint, axis)
    return cast_to(ops.pow(base, out) if not isinstance(base, Tensor) else base**out, dtype)


def geomspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, axis: int = 0
) -> Tensor:
    """Samples spaced evenly on a log scale from ``start`` to ``stop`` (same signs)."""
    start, stop = as_float(to_tensor(start)), as_float(to_tensor(stop))
    sign = ops.where(start < 0, -ops.ones_like(start), ops.ones_like(start))
    logs, _ = _spaced(ops.log(ops.abs(start)), ops.log(ops.abs(stop)), num, endpoint, 0)
    out = ops.exp(logs) * ops.expand_dims(ops.broadcast_to(sign, logs.shape[1:]), 0)
    if num > 0:  # the ends exactly, as numpy makes them
        shape = logs.shape[1:]
        ends = [ops.expand_dims(ops.broadcast_to(start, shape), 0)]
        middle = out[1 : num - 1] if endpoint and num > 1 else out[1:]
        pieces = ends + ([middle] if middle.shape[0] else [])
        if endpoint and num > 1:
            pieces.append(ops.expand_dims(ops.broadcast_to(stop, shape), 0))
        out = ops.concat(pieces, 0)
    axis = canon_axis(axis, out.ndim)
    if axis:
        out = ops.moveaxis(out, 0, axis)
    return cast_to(out, dtype)


# ------------------------------------------------------------------------------------------------
# Matrices
# ------------------------------------------------------------------------------------------------


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = dt.float32) -> Tensor:
    """An ``N x M`` Tensor with ones on diagonal ``k`` (float32 by default)."""
    return Tensor(np.eye(N, M, k, dtype=check_dtype(dtype or dt.float32).np))


def identity(n: int, dtype: Any = dt.float32) -> Tensor:
    """The ``n x n`` identity (float32 by default)."""
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = dt.float32) -> Tensor:
    """An ``N x M`` Tensor with ones at and below diagonal ``k`` (float32 by default)."""
    return Tensor(np.tri(N, M, k, dtype=check_dtype(dtype or dt.float32).np))


def _triangle(m: Any, k: int, lower: bool) -> Tensor:
    m = to_tensor(m)
    if m.ndim == 0:
        raise MindValueError("For 'tril'/'triu', the input must have at least 1 dimension")
    if m.ndim == 1:  # numpy repeats a vector into rows first
        m = ops.broadcast_to(m, (m.shape[0], m.shape[0]))
    rows, cols = m.shape[-2:]
    mask = np.tri(rows, cols, k, dtype=bool)
    mask = mask if lower else ~np.tri(rows, cols, k - 1, dtype=bool)
    return ops.where(Tensor(mask), m, ops.zeros_like(m))


def tril(m: Any, k: int = 0) -> Tensor:
    """``m`` with the elements above diagonal ``k`` zeroed (over the last two axes)."""
    return _triangle(m, k, True)


def triu(m: Any, k: int = 0) -> Tensor:
    """``m`` with the elements below diagonal ``k`` zeroed (over the last two axes)."""
    return _triangle(m, k, False)


def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The diagonal ``offset`` of ``a`` over ``axis1`` and ``axis2``, as its last axis."""
    a = to_tensor(a)
    if a.ndim < 2:
        raise MindValueError(f"For 'diagonal', the input must be at least 2-D, got {a.ndim}-D")
    axis1, axis2 = canon_axis(axis1, a.ndim, "axis1"), canon_axis(axis2, a.ndim, "axis2")
    if axis1 == axis2:
        raise MindValueError("For 'diagonal', 'axis1' and 'axis2' must differ")
    a = ops.moveaxis(ops.moveaxis(a, axis1, -1), axis2 if axis2 < axis1 else axis2 - 1, -1)
    rows, cols = a.shape[-2:]
    i = np.arange(rows)
    j = i + offset
    keep = (j >= 0) & (j < cols)
    i, j = i[keep], j[keep]
    flat = ops.reshape(a, tuple(a.shape[:-2]) + (rows * cols,))
    return ops.gather(flat, index(i * cols + j), flat.ndim - 1)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Tensor:
    """The sum along diagonal ``offset`` of ``a``."""
    d = diagonal(a, offset, axis1, axis2)
    return cast_to(ops.sum(d, -1), dtype)


def diag(v: Any, k: int = 0) -> Tensor:
    """Diagonal ``k`` of a 2-D ``v``, or a 2-D Tensor with the 1-D ``v`` on diagonal ``k``."""
    v = to_tensor(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise MindValueError(f"For 'diag', the input must be 1-D or 2-D, got {v.ndim}-D")
    n = v.shape[0]
    size = n + abs(k)
    pad = ops.zeros((abs(k),), v.dtype)
    w = ops.concat([v, pad] if k >= 0 else [pad, v], 0)  # w[i] is row i's value
    return ops.where(
        Tensor(np.eye(size, k=k, dtype=bool)),
        ops.expand_dims(w, 1),
        ops.zeros((size, size), v.dtype),
    )


def diagflat(v: Any, k: int = 0) -> Tensor:
    """A 2-D Tensor with the flattened ``v`` on diagonal ``k``."""
    v = to_tensor(v)
    return diag(ops.reshape(v, (-1,)), k)


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-D ``x``: columns ``x**(N-1) ... x**0`` (or increasing)."""
    x = to_tensor(x)
    if x.ndim != 1:
        raise MindValueError(f"For 'vander', 'x' must be 1-D, got {x.ndim}-D")
    n = x.shape[0] if N is None else N
    cols = [ops.ones_like(x)]
    for _ in range(1, n):  # repeated products: exact for integers, and a clean gradient at 0
        cols.append(cols[-1] * x)
    if not increasing:
        cols = cols[::-1]
    if not cols:
        return ops.zeros((x.shape[0], 0), x.dtype)
    return ops.stack(cols, 1)


# ------------------------------------------------------------------------------------------------
# Grids and indices
# ------------------------------------------------------------------------------------------------


def meshgrid(*xi: Any, sparse: bool = False, indexing: str = "xy") -> tuple[Tensor, ...]:
    """Coordinate matrices from 1-D coordinate vectors (``indexing`` ``'xy'`` or ``'ij'``)."""
    if indexing not in ("xy", "ij"):
        raise MindValueError(f"For 'meshgrid', 'indexing' must be 'xy' or 'ij', got {indexing!r}")
    xs = [ops.reshape(to_tensor(x), (-1,)) for x in xi]
    n = len(xs)
    shape = [x.shape[0] for x in xs]
    if indexing == "xy" and n > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        view = [1] * n
        axis = 1 - i if indexing == "xy" and n > 1 and i < 2 else i
        view[axis] = x.shape[0]
        x = ops.reshape(x, tuple(view))
        out.append(x if sparse else ops.broadcast_to(x, tuple(shape)))
    return tuple(out)


class _Grid:
    """``mgrid[...]``/``ogrid[...]``: grids from slices (a complex step is a number of points)."""

    def __init__(self, sparse: bool) -> None:
        self._sparse = sparse

    def __getitem__(self, key: Any) -> Any:
        grid = np.ogrid if self._sparse else np.mgrid
        values = grid[key]
        keys = key if isinstance(key, tuple) else (key,)
        bounds = [v for s in keys for v in (s.start, s.stop, s.step)]
        floats = any(isinstance(v, float | complex) for v in bounds)
        kind = np.float32 if floats else np.int32
        if isinstance(values, list | tuple):
            return tuple(Tensor(np.asarray(v, kind)) for v in values)
        return Tensor(np.asarray(values, kind))


mgrid = _Grid(False)
ogrid = _Grid(True)


def indices(dimensions: Any, dtype: Any = dt.int32, sparse: bool = False) -> Any:
    """The indices of a grid of ``dimensions``: one Tensor (stacked) or a tuple when sparse."""
    dimensions = as_shape(dimensions)
    kind = check_dtype(dtype or dt.int32).np
    if sparse:
        return tuple(Tensor(g.astype(kind)) for g in np.indices(dimensions, sparse=True))
    return Tensor(np.indices(dimensions).astype(kind))


def ix_(*args: Any) -> tuple[Tensor, ...]:
    """Open meshes from 1-D sequences, for cross-product indexing."""
    out = []
    n = len(args)
    for i, a in enumerate(args):
        a = to_tensor(a)
        if a.ndim != 1:
            raise MindValueError(f"For 'ix_', every input must be 1-D, got {a.ndim}-D")
        out.append(ops.reshape(a, (1,) * i + (a.shape[0],) + (1,) * (n - i - 1)))
    return tuple(out)


def diag_indices(n: int, ndim: int = 2) -> tuple[Tensor, ...]:
    """Indices of the main diagonal of an ``n x ... x n`` array (``ndim`` int32 Tensors)."""
    idx = np.arange(n, dtype=np.int32)
    return tuple(Tensor(idx) for _ in range(ndim))


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple[Tensor, Tensor]:
    """Row and column indices (int32) of the lower triangle of an ``n x m`` array."""
    return tuple(Tensor(i.astype(np.int32)) for i in np.tril_indices(n, k, m))


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple[Tensor, Tensor]:
    """Row and column indices (int32) of the upper triangle of an ``n x m`` array."""
    return tuple(Tensor(i.astype(np.int32)) for i in np.triu_indices(n, k, m))


def tril_indices_from(arr: Any, k: int = 0) -> tuple[Tensor, Tensor]:
    """``tril_indices`` for the 2-D ``arr``'s shape."""
    arr = to_tensor(arr)
    if arr.ndim != 2:
        raise MindValueError(f"For 'tril_indices_from', the input must be 2-D, got {arr.ndim}-D")
    return tril_indices(arr.shape[0], k, arr.shape[1])


def triu_indices_from(arr: Any, k: int = 0) -> tuple[Tensor, Tensor]:
    """``triu_indices`` for the 2-D ``arr``'s shape."""
    arr = to_tensor(arr)
    if arr.ndim != 2:
        raise MindValueError(f"For 'triu_indices_from', the input must be 2-D, got {arr.ndim}-D")
    return triu_indices(arr.shape[0], k, arr.shape[1])


# ------------------------------------------------------------------------------------------------
# Windows (constants, float32)
# ------------------------------------------------------------------------------------------------


def _window(fn: Any, M: int) -> Tensor:
    if isinstance(M, bool) or not isinstance(M, int | np.integer):
        raise MindTypeError(f"'M' must be an int, got {M!r}")
    return Tensor(fn(M).astype(np.float32))


def bartlett(M: int) -> Tensor:
    """The Bartlett (triangular) window of ``M`` points."""
    return _window(np.bartlett, M)


def blackman(M: int) -> Tensor:
    """The Blackman window of ``M`` points."""
    return _window(np.blackman, M)


def hamming(M: int) -> Tensor:
    """The Hamming window of ``M`` points."""
    return _window(np.hamming, M)


def hanning(M: int) -> Tensor:
    """The Hann window of ``M`` points."""
    return _window(np.hanning, M)


# ------------------------------------------------------------------------------------------------
# Random
# ------------------------------------------------------------------------------------------------


def _shape_args(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and not isinstance(shape[0], int):
        return as_shape(shape[0])
    return as_shape(shape)


def rand(*shape: Any, dtype: Any = dt.float32) -> Tensor:
    """Uniform samples in ``[0, 1)`` of ``shape`` (float32 by default)."""
    dtype = check_dtype(dtype)
    if not dtype.is_floating_point:
        raise MindTypeError(f"For 'rand', 'dtype' must be a float type, got {dtype}")
    return ops.uniform(_shape_args(shape), Tensor(0.0, dtype), Tensor(1.0, dtype))


def randn(*shape: Any, dtype: Any = dt.float32) -> Tensor:
    """Standard normal samples of ``shape`` (float32 by default)."""
    dtype = check_dtype(dtype)
    if not dtype.is_floating_point:
        raise MindTypeError(f"For 'randn', 'dtype' must be a float type, got {dtype}")
    return cast_to(ops.standard_normal(_shape_args(shape)), dtype)


def randint(
    minval: int, maxval: int | None = None, shape: Any = None, dtype: Any = dt.int32
) -> Tensor:
    """Random integers in ``[minval, maxval)`` (``[0, minval)`` when ``maxval`` is None)."""
    if maxval is None:
        minval, maxval = 0, minval
    if maxval <= minval:
        raise MindValueError(f"For 'randint', 'maxval' ({maxval}) must exceed 'minval' ({minval})")
    dtype = check_dtype(dtype)
    if not dtype.is_integer:
        raise MindTypeError(f"For 'randint', 'dtype' must be an integer type, got {dtype}")
    shape = () if shape is None else as_shape(shape)
    return cast_to(ops.randint(minval, maxval, shape), dtype)


# ------------------------------------------------------------------------------------------------
# Histogram edges and padding
# ------------------------------------------------------------------------------------------------


def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None, weights: Any = None) -> Tensor:
    """The edges of ``bins`` equal-width bins over ``range`` (default: ``a``'s min and max), or
    ``bins`` itself when it is a sequence of edges."""
    a = to_tensor(a)
    if not isinstance(bins, int | np.integer) or isinstance(bins, bool):
        return as_float(to_tensor(bins))
    if bins < 1:
        raise MindValueError(f"For 'histogram_bin_edges', 'bins' must be >= 1, got {bins}")
    if range is None:
        lo, hi = ops.amin(as_float(a)), ops.amax(as_float(a))
    else:
        lo, hi = as_float(to_tensor(float(range[0]))), as_float(to_tensor(float(range[1])))
        if float(range[0]) > float(range[1]):
            raise MindValueError(
                "For 'histogram_bin_edges', max must be larger than min in 'range'"
            )
    same = ops.equal(lo, hi)  # an empty range widens to [lo - 0.5, hi + 0.5], as numpy does
    lo = ops.where(same, lo - 0.5, lo)
    hi = ops.where(same, hi + 0.5, hi)
    return linspace(lo, hi, int(bins) + 1)


def _pad_widths(pad_width: Any, ndim: int, name: str = "pad_width") -> list[tuple[int, int]]:
    w = np.asarray(python_value(pad_width) if isinstance(pad_width, Tensor) else pad_width)
    if w.dtype.kind not in "iu":
        raise MindTypeError(f"For 'pad', '{name}' must be integers, got {pad_width!r}")
    w = np.broadcast_to(w, (ndim, 2))
    if (w < 0).any():
        raise MindValueError(f"For 'pad', '{name}' must be non-negative, got {pad_width!r}")
    return [(int(b), int(e)) for b, e in w]


def _pad_values(values: Any, ndim: int) -> list[tuple[Any, Any]]:
    if isinstance(values, Tensor):
        values = values.asnumpy().tolist()
    arr = np.asarray(values, dtype=object)
    arr = np.broadcast_to(arr, (ndim, 2))
    return [(arr[i, 0], arr[i, 1]) for i in range(ndim)]


def _take(x: Tensor, idx: np.ndarray, axis: int) -> Tensor:
    return ops.gather(x, index(idx), axis)


def _pad_axis(x: Tensor, axis: int, before: int, after: int, mode: str, opt: dict) -> Tensor:
    n = x.shape[axis]
    if before == 0 and after == 0:
        return x
    shape_of = lambda k: tuple(x.shape[:axis]) + (k,) + tuple(x.shape[axis + 1 :])  # noqa: E731
    if mode in ("constant", "empty"):
        cb, ca = opt["constant_values"][axis] if mode == "constant" else (0, 0)
        left = ops.cast(ops.fill(x.dtype, shape_of(before), cb), x.dtype)
        right = ops.cast(ops.fill(x.dtype, shape_of(after), ca), x.dtype)
        return ops.concat([left, x, right], axis)
    if n == 0:
        raise MindValueError(f"For 'pad', mode {mode!r} cannot pad an empty axis")
    if mode == "edge":
        left, right = np.zeros(before, int), np.full(after, n - 1)
    elif mode in ("reflect", "symmetric"):
        period = 2 * (n - 1) if mode == "reflect" else 2 * n
        if period == 0:
            left, right = np.zeros(before, int), np.zeros(after, int)
        else:

            def fold(i: np.ndarray) -> np.ndarray:
                i = np.mod(i, period)
                if mode == "reflect":
                    return np.where(i < n, i, period - i)
                return np.where(i < n, i, period - 1 - i)

            left = fold(np.arange(-before, 0))
            right = fold(np.arange(n, n + after))
    elif mode == "wrap":
        left, right = np.mod(np.arange(-before, 0), n), np.mod(np.arange(n, n + after), n)
    elif mode == "linear_ramp":
        eb, ea = opt["end_values"][axis]
        edge_l, edge_r = _take(x, np.array([0]), axis), _take(x, np.array([n - 1]), axis)
        xf = as_float(x)
        view = [1] * x.ndim
        pieces = []
        if before:
            view[axis] = before
            t = Tensor(np.arange(before, dtype=np.float32).reshape(view) / before)
            pieces.append(eb + (as_float(edge_l) - eb) * t)
        pieces.append(xf)
        if after:
            view[axis] = after
            t = Tensor((np.arange(after, 0, -1, dtype=np.float32) - 1).reshape(view) / after)
            pieces.append(ea + (as_float(edge_r) - ea) * t)
        out = ops.concat(pieces, axis)
        if not x.dtype.is_floating_point:
            out = ops.cast(ops.round(out) if opt["integral_round"] else ops.trunc(out), x.dtype)
        return out
    elif mode in ("maximum", "minimum", "mean", "median"):
        sb, sa = opt["stat_length"][axis]
        sb = n if sb is None else max(1, min(int(sb), n))
        sa = n if sa is None else max(1, min(int(sa), n))
        reduce = {
            "maximum": lambda t: ops.amax(t, axis, True),
            "minimum": lambda t: ops.amin(t, axis, True),
            "mean": lambda t: ops.mean(as_float(t), axis, True),
            "median": lambda t: _median(t, axis),
        }[mode]
        stat_l = reduce(_take(x, np.arange(sb), axis))
        stat_r = reduce(_take(x, np.arange(n - sa, n), axis))
        if mode in ("mean", "median") and not x.dtype.is_floating_point:
            stat_l, stat_r = (
                ops.cast(ops.round(stat_l), x.dtype),
                ops.cast(ops.round(stat_r), x.dtype),
            )
        left = ops.broadcast_to(stat_l, shape_of(before))
        right = ops.broadcast_to(stat_r, shape_of(after))
        return ops.concat([left, x, right], axis)
    else:
        raise MindValueError(
            f"For 'pad', mode {mode!r} is not supported; use 'constant', 'edge', 'linear_ramp', "
            "'maximum', 'mean', 'median', 'minimum', 'reflect', 'symmetric', 'wrap' or 'empty'"
        )
    return _take(x, np.concatenate([left, np.arange(n), right]).astype(np.int64), axis)


def _median(t: Tensor, axis: int) -> Tensor:
    s, _ = ops.sort(as_float(t), axis)
    n = t.shape[axis]
    lo = ops.gather(s, index([(n - 1) // 2]), axis)
    hi = ops.gather(s, index([n // 2]), axis)
    return (lo + hi) / 2


def pad(
    arr: Any,
    pad_width: Any,
    mode: str = "constant",
    stat_length: Any = None,
    constant_values: Any = 0,
    end_values: Any = 0,
    reflect_type: str = "even",
    **kwargs: Any,
) -> Tensor:
    """``arr`` padded by ``pad_width`` (``(before, after)`` per axis) in numpy's modes:
    ``'constant'``, ``'edge'``, ``'linear_ramp'``, ``'maximum'``, ``'mean'``, ``'median'``,
    ``'minimum'``, ``'reflect'``, ``'symmetric'``, ``'wrap'`` and ``'empty'``, or a callable
    ``mode(vector, pad_width, iaxis, kwargs)`` applied along each axis as numpy does."""
    x = to_tensor(arr)
    widths = _pad_widths(pad_width, x.ndim)
    if callable(mode):
        return _pad_callable(x, widths, mode, kwargs)
    if reflect_type != "even":
        raise MindValueError("For 'pad', only reflect_type='even' is supported")
    opt = {
        "constant_values": _pad_values(constant_values, x.ndim),
        "end_values": _pad_values(end_values, x.ndim),
        "stat_length": _pad_values(stat_length, x.ndim),
        "integral_round": True,
    }
    for axis, (before, after) in enumerate(widths):
        x = _pad_axis(x, axis, before, after, mode, opt)
    return x


def _pad_callable(x: Tensor, widths: list, fn: Any, kwargs: dict) -> Tensor:
    out = np.pad(x.asnumpy(), widths, mode="constant")
    for axis in range(out.ndim):
        moved = np.moveaxis(out, axis, -1)
        flat = moved.reshape(-1, moved.shape[-1])
        for row in flat:
            result = fn(Tensor(row), widths[axis], axis, kwargs)
            if result is not None:
                row[...] = np.asarray(result)
        out = np.moveaxis(flat.reshape(moved.shape), -1, axis)
    return Tensor(np.ascontiguousarray(out))
