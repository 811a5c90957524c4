"""Products, statistics, differences, searching, histograms and polynomials: the second half of
MindSpore's ``mindspore.numpy.math_ops``. Composed from ops; index arithmetic is constant."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from mind.core import ops
from mind.core._src.ir.trace import TraceValue
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError
from mind.core.numpy._array import _common, ravel
from mind.core.numpy._creation import histogram_bin_edges
from mind.core.numpy._utils import (
    as_float,
    as_shape,
    canon_axes,
    canon_axis,
    cast_to,
    check_dtype,
    index,
    int_result,
    to_tensor,
)

__all__ = [
    "bincount",
    "convolve",
    "corrcoef",
    "correlate",
    "cov",
    "cross",
    "diff",
    "digitize",
    "dot",
    "ediff1d",
    "gradient",
    "histogram",
    "histogram2d",
    "histogramdd",
    "inner",
    "interp",
    "kron",
    "matmul",
    "matrix_power",
    "multi_dot",
    "norm",
    "outer",
    "polyadd",
    "polyder",
    "polyint",
    "polymul",
    "polysub",
    "polyval",
    "promote_types",
    "ravel_multi_index",
    "result_type",
    "searchsorted",
    "tensordot",
    "trapz",
    "unwrap",
]


# ------------------------------------------------------------------------------------------------
# Products
# ------------------------------------------------------------------------------------------------


def matmul(x1: Any, x2: Any, dtype: Any = None) -> Tensor:
    """The matrix product, broadcasting over leading axes (1-D operands as vectors)."""
    a, b = _common([x1, x2])
    if a.ndim == 0 or b.ndim == 0:
        raise MindValueError("For 'matmul', the inputs must not be scalars")
    a_vector, b_vector = a.ndim == 1, b.ndim == 1
    out = ops.matmul(
        ops.expand_dims(a, 0) if a_vector else a, ops.expand_dims(b, 1) if b_vector else b
    )
    if a_vector:  # numpy drops the axes it added for vectors
        out = ops.squeeze(out, out.ndim - 2)
    if b_vector:
        out = ops.squeeze(out, out.ndim - 1)
    return cast_to(out, dtype)


def dot(a: Any, b: Any) -> Tensor:
    """numpy's ``dot``: a product for scalars, the inner product for vectors, matmul for
    matrices, and a sum over ``a``'s last and ``b``'s second-to-last axis otherwise."""
    a, b = _common([a, b])
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1:
        return ops.tensor_dot(a, b, ((a.ndim - 1,), (0,)))
    return ops.tensor_dot(a, b, ((a.ndim - 1,), (b.ndim - 2,)))


def inner(a: Any, b: Any) -> Tensor:
    """The sum of products over the last axes of ``a`` and ``b``."""
    a, b = _common([a, b])
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return ops.tensor_dot(a, b, ((a.ndim - 1,), (b.ndim - 1,)))


def outer(a: Any, b: Any) -> Tensor:
    """The outer product of the flattened inputs."""
    a, b = _common([a, b])
    return ops.expand_dims(ravel(a), 1) * ops.expand_dims(ravel(b), 0)


def tensordot(a: Any, b: Any, axes: Any = 2) -> Tensor:
    """The sum of products over ``axes`` (an int N: ``a``'s last N and ``b``'s first N axes, or a
    pair of axis lists)."""
    a, b = _common([a, b])
    if isinstance(axes, int):
        if axes < 0:
            raise MindValueError("For 'tensordot', 'axes' must be non-negative")
        axes = (tuple(range(a.ndim - axes, a.ndim)), tuple(range(axes)))
    else:
        xa, xb = axes
        xa = (xa,) if isinstance(xa, int) else tuple(xa)
        xb = (xb,) if isinstance(xb, int) else tuple(xb)
        axes = (canon_axes(xa, a.ndim), canon_axes(xb, b.ndim))
    if not axes[0]:
        return ops.reshape(ravel(a), tuple(a.shape) + (1,) * b.ndim) * ops.reshape(
            b, (1,) * a.ndim + tuple(b.shape)
        )
    return ops.tensor_dot(a, b, axes)


def kron(a: Any, b: Any) -> Tensor:
    """The Kronecker product."""
    a, b = _common([a, b])
    n = max(a.ndim, b.ndim)
    a = ops.reshape(a, (1,) * (n - a.ndim) + tuple(a.shape))
    b = ops.reshape(b, (1,) * (n - b.ndim) + tuple(b.shape))
    # a[i, j, ...] * b[k, l, ...] laid out as (i, k, j, l, ...), then merged pairwise.
    ia = []
    ib = []
    for d in range(n):
        ia += [a.shape[d], 1]
        ib += [1, b.shape[d]]
    prod = ops.reshape(a, tuple(ia)) * ops.reshape(b, tuple(ib))
    return ops.reshape(prod, tuple(a.shape[d] * b.shape[d] for d in range(n)))


def cross(
    a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None
) -> Tensor:
    """The cross product of 2- or 3-element vectors along the given axes."""
    a, b = _common([a, b])
    if axis is not None:
        axisa = axisb = axisc = axis
    a = ops.moveaxis(a, canon_axis(axisa, a.ndim), -1)
    b = ops.moveaxis(b, canon_axis(axisb, b.ndim), -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise MindValueError("For 'cross', the vectors must have 2 or 3 elements")
    comp = lambda x, i: x[..., i]  # noqa: E731
    a0, a1 = comp(a, 0), comp(a, 1)
    b0, b1 = comp(b, 0), comp(b, 1)
    a2 = comp(a, 2) if a.shape[-1] == 3 else None
    b2 = comp(b, 2) if b.shape[-1] == 3 else None
    if a2 is None and b2 is None:
        return a0 * b1 - a1 * b0
    a2 = a2 if a2 is not None else ops.zeros_like(a0)
    b2 = b2 if b2 is not None else ops.zeros_like(b0)
    c = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    shape = np.broadcast_shapes(*(tuple(x.shape) for x in c))
    out = ops.stack([ops.broadcast_to(x, shape) for x in c], -1)
    return ops.moveaxis(out, -1, canon_axis(axisc, out.ndim))


def multi_dot(arrays: Any) -> Tensor:
    """``dot`` of a chain of arrays (the first and last may be 1-D), in the cheapest order."""
    ts = _common(list(arrays))
    if len(ts) < 2:
        raise MindValueError("For 'multi_dot', give at least two arrays")
    first_1d, last_1d = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_1d:
        ts[0] = ops.expand_dims(ts[0], 0)
    if last_1d:
        ts[-1] = ops.expand_dims(ts[-1], 1)
    dims = [t.shape[0] for t in ts] + [ts[-1].shape[1]]
    n = len(ts)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def chain(i: int, j: int) -> Tensor:
        if i == j:
            return ts[i]
        k = split[i][j]
        return ops.matmul(chain(i, k), chain(k + 1, j))

    out = chain(0, n - 1)
    if first_1d:
        out = ops.squeeze(out, 0)
    if last_1d:
        out = ops.squeeze(out, -1)
    return out


def matrix_power(a: Any, n: int) -> Tensor:
    """The square matrix ``a`` to the integer power ``n`` (over the last two axes; ``n >= 0``,
    as in MindSpore)."""
    a = to_tensor(a)
    if isinstance(n, bool) or not isinstance(n, int):
        raise MindTypeError(f"For 'matrix_power', 'n' must be an int, got {n!r}")
    if n < 0:
        raise MindValueError("For 'matrix_power', 'n' must be non-negative (as in MindSpore)")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise MindValueError(
            f"For 'matrix_power', 'a' must be square matrices, got {tuple(a.shape)}"
        )
    if n == 0:
        return ops.broadcast_to(Tensor(np.eye(a.shape[-1], dtype=a.dtype.np)), tuple(a.shape))
    result, base = None, a
    while n:  # squaring: log2(n) products
        if n & 1:
            result = base if result is None else ops.matmul(result, base)
        n >>= 1
        if n:
            base = ops.matmul(base, base)
    return result


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Vector norms (any ``ord``, ``inf``, ``-inf``, 0) and matrix norms (``'fro'``, 1, -1,
    ``inf``, ``-inf``; not ``'nuc'`` or 2, as in MindSpore)."""
    x = as_float(to_tensor(x))
    if axis is None:
        if ord is None:
            out = ops.sqrt(ops.sum(x * x))
            return ops.reshape(out, (1,) * x.ndim) if keepdims else out
        if x.ndim not in (1, 2):
            raise MindValueError(
                "For 'norm', give 'axis' for inputs of more than 2 dimensions with an 'ord'"
            )
        axis = tuple(range(x.ndim))
    axes = canon_axes(axis, x.ndim)
    if len(axes) == 1:
        ax = axes[0]
        absx = ops.abs(x)
        if ord is None or ord == 2:
            return ops.sqrt(ops.sum(x * x, ax, keepdims))
        if ord == math.inf:
            return ops.amax(absx, ax, keepdims)
        if ord == -math.inf:
            return ops.amin(absx, ax, keepdims)
        if ord == 0:
            return ops.sum(ops.cast(x != 0, x.dtype), ax, keepdims)
        if ord == 1:
            return ops.sum(absx, ax, keepdims)
        if isinstance(ord, str):
            raise MindValueError(f"For 'norm', ord {ord!r} is not a vector norm")
        return ops.pow(ops.sum(ops.pow(absx, float(ord)), ax, keepdims), 1.0 / float(ord))
    if len(axes) != 2:
        raise MindValueError("For 'norm', 'axis' must name one or two axes")
    r, c = axes
    absx = ops.abs(x)
    if ord is None or ord == "fro":
        return ops.sqrt(ops.sum(x * x, axes, keepdims))
    if ord in (1, -1):
        sums = ops.sum(absx, r, True)
        out = ops.amax(sums, c, True) if ord == 1 else ops.amin(sums, c, True)
    elif ord in (math.inf, -math.inf):
        sums = ops.sum(absx, c, True)
        out = ops.amax(sums, r, True) if ord == math.inf else ops.amin(sums, r, True)
    else:
        raise MindValueError(
            f"For 'norm', the matrix norm {ord!r} is not supported ('nuc' and 2 are not, as in MindSpore)"
        )
    return out if keepdims else ops.squeeze(out, axes)


# ------------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------------


def cov(
    m: Any,
    y: Any = None,
    rowvar: bool = True,
    bias: bool = False,
    ddof: int | None = None,
    fweights: Any = None,
    aweights: Any = None,
    dtype: Any = None,
) -> Tensor:
    """The covariance matrix of the variables in ``m`` (rows when ``rowvar``), optionally joined
    with ``y``, weighted by ``fweights`` (counts) and ``aweights``."""
    x = as_float(to_tensor(m))
    if x.ndim > 2:
        raise MindValueError("For 'cov', 'm' has more than 2 dimensions")
    x = ops.reshape(x, (1, -1)) if x.ndim < 2 else x
    if not rowvar and x.shape[0] != 1:
        x = ops.transpose(x, (1, 0))
    if y is not None:
        yy = as_float(to_tensor(y))
        yy = ops.reshape(yy, (1, -1)) if yy.ndim < 2 else yy
        if not rowvar and yy.shape[0] != 1:
            yy = ops.transpose(yy, (1, 0))
        x, yy = _common([x, yy])
        x = ops.concat([x, yy], 0)
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = as_float(to_tensor(fweights))
    if aweights is not None:
        aw = as_float(to_tensor(aweights))
        w = aw if w is None else w * aw
    if w is None:
        avg = ops.mean(x, 1, True)
        fact = x.shape[1] - ddof
        xc = x - avg
        c = ops.matmul(xc, ops.transpose(xc, (1, 0))) / fact
    else:
        w = ops.cast(w, x.dtype)
        w_sum = ops.sum(w)
        avg = ops.sum(x * w, 1, True) / w_sum
        if ddof == 0:
            fact = w_sum
        elif aweights is None:
            fact = w_sum - ddof
        else:
            aw = ops.cast(as_float(to_tensor(aweights)), x.dtype)
            fact = w_sum - ddof * ops.sum(w * aw) / w_sum
        xc = x - avg
        c = ops.matmul(xc * w, ops.transpose(xc, (1, 0))) / fact
    out = ops.squeeze(c) if c.shape == (1, 1) else c
    return cast_to(out, dtype)


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, dtype: Any = None) -> Tensor:
    """Pearson correlation coefficients (the normalised covariance matrix), clipped to [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return c / c
    d = ops.sqrt(ops.diagonal(c, 0, 0, 1))
    out = c / ops.expand_dims(d, 1) / ops.expand_dims(d, 0)
    return ops.clip(out, -1.0, 1.0)


# ------------------------------------------------------------------------------------------------
# Differences, integration, convolution
# ------------------------------------------------------------------------------------------------


def diff(a: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The ``n``-th discrete difference along ``axis`` (``prepend``/``append`` added first)."""
    a = to_tensor(a)
    if n < 0:
        raise MindValueError(f"For 'diff', 'n' must be non-negative, got {n}")
    if a.ndim == 0:
        raise MindValueError("For 'diff', the input must be at least 1-D")
    axis = canon_axis(axis, a.ndim)
    pieces = []
    for extra, where in ((prepend, 0), (append, 1)):
        if extra is None:
            continue
        e = to_tensor(extra)
        shape = list(a.shape)
        shape[axis] = 1 if e.ndim == 0 else e.shape[axis]
        pieces.append((where, ops.broadcast_to(ops.cast(e, a.dtype), tuple(shape))))
    if pieces:
        parts = [p for w, p in pieces if w == 0] + [a] + [p for w, p in pieces if w == 1]
        a = ops.concat(parts, axis)
    for _ in range(n):
        key_hi = [slice(None)] * a.ndim
        key_lo = [slice(None)] * a.ndim
        key_hi[axis], key_lo[axis] = slice(1, None), slice(None, -1)
        hi, lo = a[tuple(key_hi)], a[tuple(key_lo)]
        a = ops.not_equal(hi, lo) if a.dtype is dt.bool_ else hi - lo
    return a


def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Tensor:
    """Differences between consecutive elements of the flattened ``ary``, with optional values
    before and after."""
    a = ravel(ary)
    d = a[1:] - a[:-1]
    parts = []
    if to_begin is not None:
        parts.append(ops.cast(ravel(to_begin), d.dtype))
    parts.append(d)
    if to_end is not None:
        parts.append(ops.cast(ravel(to_end), d.dtype))
    return ops.concat(parts, 0) if len(parts) > 1 else d


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    """The gradient by central differences inside and one-sided ones at the edges, with uniform
    spacings ``varargs`` (one scalar, or one per axis; ``edge_order=1``, as in MindSpore)."""
    f = as_float(to_tensor(f))
    if edge_order != 1:
        raise MindValueError("For 'gradient', only edge_order=1 is supported (as in MindSpore)")
    axes = canon_axes(axis, f.ndim)
    if not varargs:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1:
        spacing = [
            float(to_tensor(varargs[0]).item())
            if isinstance(varargs[0], Tensor)
            else float(varargs[0])
        ] * len(axes)
    elif len(varargs) == len(axes):
        spacing = [float(v) for v in varargs]
    else:
        raise MindValueError("For 'gradient', give one spacing, or one per axis")
    out = []
    for ax, h in zip(axes, spacing, strict=True):
        n = f.shape[ax]
        if n < 2:
            raise MindValueError("For 'gradient', every axis needs at least 2 elements")

        def part(s: slice, ax: int = ax) -> Tensor:
            key = [slice(None)] * f.ndim
            key[ax] = s
            return f[tuple(key)]

        first = (part(slice(1, 2)) - part(slice(0, 1))) / h
        last = (part(slice(n - 1, n)) - part(slice(n - 2, n - 1))) / h
        pieces = [first]
        if n > 2:
            pieces.append((part(slice(2, None)) - part(slice(None, -2))) / (2.0 * h))
        pieces.append(last)
        out.append(ops.concat(pieces, ax))
    return out[0] if len(out) == 1 else out


def trapz(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Tensor:
    """The integral of ``y`` along ``axis`` by the trapezoidal rule (sample points ``x`` or a
    uniform ``dx``)."""
    y = as_float(to_tensor(y))
    axis = canon_axis(axis, y.ndim)
    hi = [slice(None)] * y.ndim
    lo = [slice(None)] * y.ndim
    hi[axis], lo[axis] = slice(1, None), slice(None, -1)
    avg = (y[tuple(hi)] + y[tuple(lo)]) / 2.0
    if x is None:
        return ops.sum(avg, axis) * dx
    x = as_float(to_tensor(x))
    if x.ndim == 1:
        d = x[1:] - x[:-1]
        view = [1] * y.ndim
        view[axis] = d.shape[0]
        d = ops.reshape(d, tuple(view))
    else:
        d = diff(x, axis=axis)
    return ops.sum(avg * d, axis)


def _correlate_full(a: Tensor, v: Tensor) -> Tensor:
    """``out[k] = sum_n a[n + k - (m - 1)] * v[n]`` for every overlap, as one gather and a
    matrix product (so it differentiates in both inputs)."""
    n, m = a.shape[0], v.shape[0]
    padded = ops.concat([ops.zeros((m - 1,), a.dtype), a, ops.zeros((m - 1,), a.dtype)], 0)
    rows = np.arange(n + m - 1)[:, None] + np.arange(m)[None, :]
    windows = ops.gather(padded, index(rows), 0)  # (n + m - 1, m)
    return ops.matmul(windows, ops.expand_dims(v, 1))[:, 0]


def _mode_slice(full: Tensor, n: int, m: int, mode: str) -> Tensor:
    if mode == "full":
        return full
    if mode == "same":
        size = max(n, m)
        start = (n + m - 1 - size) // 2
        return full[start : start + size]
    if mode == "valid":
        size = max(n, m) - min(n, m) + 1
        start = min(n, m) - 1
        return full[start : start + size]
    raise MindValueError(f"mode must be 'full', 'same' or 'valid', got {mode!r}")


def correlate(a: Any, v: Any, mode: str = "valid") -> Tensor:
    """The cross-correlation of two 1-D sequences (``'valid'``, ``'same'`` or ``'full'``)."""
    a, v = _common([a, v])
    if a.ndim != 1 or v.ndim != 1:
        raise MindValueError("For 'correlate', both inputs must be 1-D")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise MindValueError("For 'correlate', the inputs cannot be empty")
    n, m = a.shape[0], v.shape[0]
    if n >= m:
        full = _correlate_full(a, v)
    else:  # numpy: correlate(a, v) is correlate(v, a) reversed
        full = _correlate_full(v, a)[::-1]
    return _mode_slice(full, n, m, mode)


def convolve(a: Any, v: Any, mode: str = "full") -> Tensor:
    """The discrete linear convolution of two 1-D sequences (``'full'``, ``'same'``, ``'valid'``)."""
    a, v = _common([a, v])
    if a.ndim != 1 or v.ndim != 1:
        raise MindValueError("For 'convolve', both inputs must be 1-D")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise MindValueError("For 'convolve', the inputs cannot be empty")
    if v.shape[0] > a.shape[0]:
        a, v = v, a
    full = _correlate_full(a, v[::-1])
    return _mode_slice(full, a.shape[0], v.shape[0], mode)


def unwrap(p: Any, discont: float = math.pi, axis: int = -1) -> Tensor:
    """``p`` with jumps larger than ``discont`` along ``axis`` replaced by their ``2*pi``
    complement."""
    p = as_float(to_tensor(p))
    axis = canon_axis(axis, p.ndim)
    d = diff(p, axis=axis)
    dmod = ops.remainder(d + math.pi, 2 * math.pi) - math.pi
    dmod = ops.where(
        ops.logical_and(dmod == -math.pi, d > 0), ops.fill(p.dtype, tuple(d.shape), math.pi), dmod
    )
    correction = ops.where(ops.abs(d) < discont, ops.zeros_like(d), dmod - d)
    key = [slice(None)] * p.ndim
    key[axis] = slice(0, 1)
    cum = ops.concat([ops.zeros_like(p[tuple(key)]), ops.cumsum(correction, axis)], axis)
    return p + cum


# ------------------------------------------------------------------------------------------------
# Searching and counting
# ------------------------------------------------------------------------------------------------


def searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None) -> Tensor:
    """Indices (int32) where ``v``'s elements would be inserted into the sorted 1-D ``a``."""
    a = to_tensor(a)
    if a.ndim != 1:
        raise MindValueError("For 'searchsorted', 'a' must be 1-D")
    if side not in ("left", "right"):
        raise MindValueError(f"For 'searchsorted', 'side' must be 'left' or 'right', got {side!r}")
    if sorter is not None:
        a = ops.gather(a, ops.cast(to_tensor(sorter), dt.int64), 0)
    v = to_tensor(v)
    a, v2 = _common([a, v])
    flat = ops.reshape(v2, (-1,))
    # counts of a's elements below (or not above) each value: exact, and it needs no sort kernel
    cmp = (
        ops.less(ops.expand_dims(a, 0), ops.expand_dims(flat, 1))
        if side == "left"
        else ops.less_equal(ops.expand_dims(a, 0), ops.expand_dims(flat, 1))
    )
    out = int_result(ops.sum(ops.cast(cmp, dt.int32), 1), dt.int32)
    return ops.reshape(out, tuple(v.shape))


def digitize(x: Any, bins: Any, right: bool = False) -> Tensor:
    """The index of the bin (of monotonic ``bins``) each element of ``x`` falls into."""
    x, bins = to_tensor(x), to_tensor(bins)
    if bins.ndim != 1:
        raise MindValueError("For 'digitize', 'bins' must be 1-D")
    x, bins = _common([x, bins])
    flat = ops.reshape(x, (-1,))
    if bins.shape[0] > 1:
        decreasing = bool((bins[0] > bins[-1]).item()) if not _traced(bins) else False
    else:
        decreasing = False
    if decreasing:
        rev = bins[::-1]
        cmp = (
            ops.less(ops.expand_dims(rev, 0), ops.expand_dims(flat, 1))
            if right
            else ops.less_equal(ops.expand_dims(rev, 0), ops.expand_dims(flat, 1))
        )
        out = bins.shape[0] - ops.sum(ops.cast(cmp, dt.int32), 1)
    else:
        cmp = (
            ops.less(ops.expand_dims(bins, 0), ops.expand_dims(flat, 1))
            if right
            else ops.less_equal(ops.expand_dims(bins, 0), ops.expand_dims(flat, 1))
        )
        out = ops.sum(ops.cast(cmp, dt.int32), 1)
    return ops.reshape(int_result(out, dt.int32), tuple(x.shape))


def _traced(t: Tensor) -> bool:
    """Whether ``t`` is being traced by ``jit`` (it has a shape but no values)."""
    return isinstance(t._data, TraceValue)


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None) -> Tensor:
    """One-dimensional linear interpolation of ``(xp, fp)`` at ``x`` (``xp`` increasing);
    ``left``/``right`` (default ``fp[0]``/``fp[-1]``) outside."""
    x = as_float(to_tensor(x))
    xp, fp = as_float(to_tensor(xp)), as_float(to_tensor(fp))
    x, xp, fp = _common([x, xp, fp])
    if xp.ndim != 1 or fp.ndim != 1 or xp.shape != fp.shape:
        raise MindValueError("For 'interp', 'xp' and 'fp' must be 1-D of the same length")
    n = xp.shape[0]
    flat = ops.reshape(x, (-1,))
    idx = searchsorted(xp, flat, "right")
    hi = ops.cast(ops.clip(idx, 1, max(n - 1, 1)), dt.int64)
    lo = hi - 1 if n > 1 else hi
    x0, x1 = ops.gather(xp, lo, 0), ops.gather(xp, hi, 0)
    y0, y1 = ops.gather(fp, lo, 0), ops.gather(fp, hi, 0)
    span = x1 - x0
    safe = ops.where(span == 0, ops.ones_like(span), span)
    out = y0 + (flat - x0) * (y1 - y0) / safe
    left_v = fp[0] if left is None else ops.cast(to_tensor(left), fp.dtype)
    right_v = fp[-1] if right is None else ops.cast(to_tensor(right), fp.dtype)
    out = ops.where(flat < xp[0], ops.broadcast_to(left_v, tuple(out.shape)), out)
    out = ops.where(flat > xp[-1], ops.broadcast_to(right_v, tuple(out.shape)), out)
    out = ops.where(flat == xp[-1], ops.broadcast_to(fp[-1], tuple(out.shape)), out)
    return ops.reshape(out, tuple(x.shape))


def bincount(x: Any, weights: Any = None, minlength: int = 0, length: int | None = None) -> Tensor:
    """The number of occurrences of each non-negative int in ``x`` (weighted by ``weights``);
    ``length`` fixes the number of bins (values beyond are dropped; needed inside ``jit``)."""
    x = to_tensor(x)
    if x.ndim != 1 or not x.dtype.is_integer:
        raise MindTypeError("For 'bincount', 'x' must be a 1-D integer array")
    if length is None:
        if _traced(x):
            raise MindValueError(
                "For 'bincount', give 'length' inside jit (the output size depends on the values)"
            )
        top = int(x.asnumpy().max()) + 1 if x.shape[0] else 0
        if x.shape[0] and int(x.asnumpy().min()) < 0:
            raise MindValueError("For 'bincount', 'x' must be non-negative")
        length = max(top, minlength)
    one_hot = ops.cast(
        ops.equal(ops.expand_dims(x, 1), Tensor(np.arange(length, dtype=np.int64)).astype(x.dtype)),
        dt.int32,
    )
    if weights is None:
        return int_result(ops.sum(one_hot, 0), dt.int32)
    w = to_tensor(weights)
    w = as_float(w) if not w.dtype.is_integer else w
    return ops.sum(ops.cast(one_hot, w.dtype) * ops.expand_dims(w, 1), 0)


def _histogram_counts(a: Tensor, edges: Tensor, weights: Tensor | None) -> Tensor:
    nb = edges.shape[0] - 1
    a, edges = _common([as_float(a), edges])
    flat = ops.reshape(a, (-1,))
    # bin i holds edges[i] <= x < edges[i + 1]; the last bin includes its right edge
    ge = ops.greater_equal(ops.expand_dims(flat, 1), ops.expand_dims(edges[:-1], 0))
    lt = ops.less(ops.expand_dims(flat, 1), ops.expand_dims(edges[1:], 0))
    last = Tensor(np.arange(nb) == nb - 1)
    le_last = ops.logical_and(
        last, ops.less_equal(ops.expand_dims(flat, 1), ops.expand_dims(edges[1:], 0))
    )
    member = ops.logical_and(ge, ops.logical_or(lt, le_last))
    if weights is None:
        return int_result(ops.sum(ops.cast(member, dt.int32), 0), dt.int32)
    w = ops.reshape(as_float(to_tensor(weights)), (-1, 1))
    return ops.sum(ops.cast(member, w.dtype) * w, 0)


def histogram(
    a: Any, bins: Any = 10, range: Any = None, weights: Any = None, density: bool = False
) -> tuple[Tensor, Tensor]:
    """The histogram of ``a``: counts (int32, or weighted/density floats) and the bin edges."""
    a = to_tensor(a)
    edges = histogram_bin_edges(a, bins, range)
    counts = _histogram_counts(a, edges, weights)
    if density:
        counts = as_float(counts)
        widths = edges[1:] - edges[:-1]
        counts = counts / ops.cast(widths, counts.dtype) / ops.sum(counts)
    return counts, edges


def histogramdd(
    sample: Any, bins: Any = 10, range: Any = None, weights: Any = None, density: bool = False
) -> tuple[Tensor, list[Tensor]]:
    """The D-dimensional histogram of ``sample`` (N points by D coordinates) and each axis's
    edges."""
    if isinstance(sample, list | tuple):
        sample = ops.stack([as_float(to_tensor(s)) for s in sample], 1)
    sample = as_float(to_tensor(sample))
    if sample.ndim != 2:
        raise MindValueError("For 'histogramdd', 'sample' must be 2-D (N, D)")
    d = sample.shape[1]
    bins_list = list(bins) if isinstance(bins, list | tuple) and len(bins) == d else [bins] * d
    ranges = list(range) if range is not None else [None] * d
    edges, members = [], []
    for i in builtins.range(d):
        col = sample[:, i]
        e = histogram_bin_edges(col, bins_list[i], ranges[i])
        nb = e.shape[0] - 1
        e = ops.cast(e, col.dtype)
        ge = ops.greater_equal(ops.expand_dims(col, 1), ops.expand_dims(e[:-1], 0))
        lt = ops.less(ops.expand_dims(col, 1), ops.expand_dims(e[1:], 0))
        last = Tensor(np.arange(nb) == nb - 1)
        le = ops.logical_and(
            last, ops.less_equal(ops.expand_dims(col, 1), ops.expand_dims(e[1:], 0))
        )
        members.append(ops.cast(ops.logical_and(ge, ops.logical_or(lt, le)), col.dtype))
        edges.append(e)
    # the joint membership of point n in bin (i, j, ...) is the product of its per-axis ones
    letters = "abcdefghijklmnopqrstuvw"[:d]
    w = (
        ops.ones((sample.shape[0],), sample.dtype)
        if weights is None
        else ops.cast(as_float(to_tensor(weights)), sample.dtype)
    )
    counts = ops.einsum("z," + ",".join("z" + c for c in letters) + "->" + letters, w, *members)
    if density:
        total = ops.sum(counts)
        for i, e in enumerate(edges):
            view = [1] * d
            view[i] = e.shape[0] - 1
            counts = counts / ops.reshape(e[1:] - e[:-1], tuple(view))
        counts = counts / total
    return counts, edges


def histogram2d(
    x: Any, y: Any, bins: Any = 10, range: Any = None, weights: Any = None, density: bool = False
) -> tuple[Tensor, Tensor, Tensor]:
    """The 2-D histogram of the points ``(x, y)`` and the edges along each."""
    x, y = as_float(to_tensor(x)), as_float(to_tensor(y))
    x, y = _common([x, y])
    counts, edges = histogramdd(ops.stack([x, y], 1), bins, range, weights, density)
    return counts, edges[0], edges[1]


def ravel_multi_index(multi_index: Any, dims: Any, mode: str = "clip", order: str = "C") -> Tensor:
    """Flat indices into an array of shape ``dims`` from a tuple of coordinate arrays;
    out-of-range coordinates are clipped (``'clip'``, MindSpore's default) or wrapped."""
    dims = as_shape(dims)
    coords = [to_tensor(c) for c in multi_index]
    if len(coords) != len(dims):
        raise MindValueError("For 'ravel_multi_index', give one coordinate array per dimension")
    if order not in ("C", "F"):
        raise MindValueError(f"For 'ravel_multi_index', 'order' must be 'C' or 'F', got {order!r}")
    if mode == "raise":
        raise MindValueError(
            "For 'ravel_multi_index', mode='raise' is not supported (as in MindSpore)"
        )
    fixed = []
    for c, d in zip(coords, dims, strict=True):
        if mode == "wrap":
            c = ops.remainder(c, d)
        elif mode == "clip":
            c = ops.clip(c, 0, d - 1)
        else:
            raise MindValueError(f"mode must be 'clip' or 'wrap', got {mode!r}")
        fixed.append(c)
    strides = (
        np.cumprod((1,) + dims[::-1][:-1])[::-1] if order == "C" else np.cumprod((1,) + dims[:-1])
    )
    out = None
    for c, s in zip(fixed, strides, strict=True):
        term = c * int(s)
        out = term if out is None else out + term
    return ops.cast(out, dt.int32)


# ------------------------------------------------------------------------------------------------
# Polynomials (coefficients highest power first, as numpy)
# ------------------------------------------------------------------------------------------------


def _poly(p: Any) -> Tensor:
    p = to_tensor(p)
    if p.ndim != 1:
        raise MindValueError("polynomial coefficients must be 1-D")
    return p


def polyadd(a1: Any, a2: Any) -> Tensor:
    """The sum of two polynomials."""
    a, b = _common([_poly(a1), _poly(a2)])
    n = max(a.shape[0], b.shape[0])
    a = ops.concat([ops.zeros((n - a.shape[0],), a.dtype), a], 0)
    b = ops.concat([ops.zeros((n - b.shape[0],), b.dtype), b], 0)
    return a + b


def polysub(a1: Any, a2: Any) -> Tensor:
    """The difference of two polynomials."""
    return polyadd(a1, -_poly(a2))


def polymul(a1: Any, a2: Any) -> Tensor:
    """The product of two polynomials."""
    return convolve(_poly(a1), _poly(a2))


def polyval(p: Any, x: Any) -> Tensor:
    """The polynomial ``p`` evaluated at ``x`` (Horner's scheme)."""
    p = _poly(p)
    x = to_tensor(x)
    p, x = _common([p, x])
    out = ops.zeros_like(x)
    for i in builtins.range(p.shape[0]):
        out = out * x + p[i]
    return out


def polyder(p: Any, m: int = 1) -> Tensor:
    """The ``m``-th derivative of the polynomial ``p``."""
    p = _poly(p)
    if m < 0:
        raise MindValueError("For 'polyder', the order 'm' must be non-negative")
    for _ in builtins.range(m):
        n = p.shape[0] - 1
        if n <= 0:
            return ops.zeros((1,), p.dtype)
        p = p[:-1] * Tensor(np.arange(n, 0, -1).astype(p.dtype.np))
    return p


def polyint(p: Any, m: int = 1, k: Any = None) -> Tensor:
    """The ``m``-th antiderivative of ``p``, with integration constants ``k`` (default 0)."""
    p = as_float(_poly(p))
    if m < 0:
        raise MindValueError("For 'polyint', the order 'm' must be non-negative")
    if k is None:
        ks = [0.0] * m
    else:
        kk = to_tensor(k)
        ks = [kk[i] for i in builtins.range(kk.shape[0])] if kk.ndim else [kk] * m
        if len(ks) != m and m:
            raise MindValueError("For 'polyint', 'k' must hold one constant per integration")
    for i in builtins.range(m):
        n = p.shape[0]
        scaled = p / Tensor(np.arange(n, 0, -1).astype(p.dtype.np))
        const = ops.reshape(ops.cast(to_tensor(ks[i]), p.dtype), (1,))
        p = ops.concat([scaled, const], 0)
    return p


# ------------------------------------------------------------------------------------------------
# Dtypes
# ------------------------------------------------------------------------------------------------


def promote_types(type1: Any, type2: Any) -> dt.DType:
    """The dtype both ``type1`` and ``type2`` promote to."""
    return dt.promote(check_dtype(type1), check_dtype(type2))


def result_type(*arrays_and_dtypes: Any) -> dt.DType:
    """The dtype of combining the given Tensors, numbers (bool, int32, float32) and dtypes."""
    if not arrays_and_dtypes:
        raise MindValueError("For 'result_type', give at least one array or dtype")

    def kind(x: Any) -> dt.DType:
        if isinstance(x, Tensor):
            return x.dtype
        if isinstance(x, bool):
            return dt.bool_
        if isinstance(x, int):
            return dt.int32
        if isinstance(x, float):
            return dt.float32
        return check_dtype(x)

    out = kind(arrays_and_dtypes[0])
    for x in arrays_and_dtypes[1:]:
        out = dt.promote(out, kind(x))
    return out
