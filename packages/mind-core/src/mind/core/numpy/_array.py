"""Shape manipulation, joining, splitting and indexing: MindSpore's ``mindspore.numpy.array_ops``.

Index arithmetic on Python values (split points, permutations, gather indices) is done with numpy
and enters as constants; the data always goes through ops, so gradients flow and ``jit`` traces.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from mind.core import ops
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError
from mind.core.numpy._utils import as_shape, canon_axes, canon_axis, index, to_tensor

__all__ = [
    "append",
    "apply_along_axis",
    "apply_over_axes",
    "argwhere",
    "array_split",
    "array_str",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "broadcast_arrays",
    "broadcast_to",
    "choose",
    "column_stack",
    "concatenate",
    "dsplit",
    "dstack",
    "expand_dims",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "intersect1d",
    "moveaxis",
    "piecewise",
    "ravel",
    "repeat",
    "reshape",
    "roll",
    "rollaxis",
    "rot90",
    "select",
    "size",
    "split",
    "squeeze",
    "stack",
    "swapaxes",
    "take",
    "take_along_axis",
    "tile",
    "transpose",
    "unique",
    "unravel_index",
    "vsplit",
    "vstack",
    "where",
]


def _common(arrays: Sequence[Any]) -> list[Tensor]:
    """Tensors of one promoted dtype."""
    ts = [to_tensor(a) for a in arrays]
    if not ts:
        raise MindValueError("need at least one array")
    kind = ts[0].dtype
    for t in ts[1:]:
        kind = dt.promote(kind, t.dtype)
    return [t if t.dtype is kind else ops.cast(t, kind) for t in ts]


def _seq(name: str, tup: Any) -> list[Any]:
    if isinstance(tup, Tensor):
        return list(ops.unbind(tup, 0))
    if not isinstance(tup, list | tuple):
        raise MindTypeError(f"For '{name}', the input must be a list or tuple of arrays")
    return list(tup)


# ------------------------------------------------------------------------------------------------
# Shapes
# ------------------------------------------------------------------------------------------------


def reshape(x: Any, new_shape: Any) -> Tensor:
    """``x`` with ``new_shape`` (one entry may be -1)."""
    x = to_tensor(x)
    if isinstance(new_shape, int):
        new_shape = (new_shape,)
    return ops.reshape(x, tuple(int(s) for s in new_shape))


def ravel(x: Any) -> Tensor:
    """``x`` flattened to 1-D."""
    return ops.reshape(to_tensor(x), (-1,))


def transpose(a: Any, axes: Any = None) -> Tensor:
    """``a`` with its axes permuted (reversed when ``axes`` is None)."""
    a = to_tensor(a)
    perm = tuple(range(a.ndim))[::-1] if axes is None else canon_axes(axes, a.ndim)
    if len(perm) != a.ndim:
        raise MindValueError(f"For 'transpose', 'axes' {axes} does not match {a.ndim} dimensions")
    return ops.transpose(a, perm)


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """``x`` with two axes interchanged."""
    x = to_tensor(x)
    perm = list(range(x.ndim))
    i, j = canon_axis(axis1, x.ndim), canon_axis(axis2, x.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return ops.transpose(x, tuple(perm))


def moveaxis(a: Any, source: Any, destination: Any) -> Tensor:
    """``a`` with the axes ``source`` moved to ``destination``."""
    a = to_tensor(a)
    src = canon_axes(source, a.ndim)
    dst = canon_axes(destination, a.ndim)
    if len(src) != len(dst):
        raise MindValueError("For 'moveaxis', 'source' and 'destination' must have the same length")
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return ops.transpose(a, tuple(order))


def rollaxis(x: Any, axis: int, start: int = 0) -> Tensor:
    """``x`` with ``axis`` rolled back until it lies before position ``start``."""
    x = to_tensor(x)
    axis = canon_axis(axis, x.ndim)
    if not -x.ndim <= start <= x.ndim:
        raise MindValueError(
            f"For 'rollaxis', 'start' {start} is out of range for {x.ndim} dimensions"
        )
    start = start + x.ndim if start < 0 else start
    if axis < start:
        start -= 1
    if axis == start:
        return x
    order = [i for i in range(x.ndim) if i != axis]
    order.insert(start, axis)
    return ops.transpose(x, tuple(order))


def expand_dims(a: Any, axis: Any) -> Tensor:
    """``a`` with new unit axes at ``axis`` (an int or a tuple)."""
    a = to_tensor(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out_ndim = a.ndim + len(axes)
    axes = canon_axes(axes, out_ndim)
    shape = list(a.shape)
    for ax in sorted(axes):
        shape.insert(ax, 1)
    return ops.reshape(a, tuple(shape))


def squeeze(a: Any, axis: Any = None) -> Tensor:
    """``a`` without its unit axes (only those in ``axis`` when given; each must have length 1)."""
    a = to_tensor(a)
    if axis is None:
        axes = tuple(i for i, s in enumerate(a.shape) if s == 1)
    else:
        axes = canon_axes(axis, a.ndim)
        for ax in axes:
            if a.shape[ax] != 1:
                raise MindValueError(f"For 'squeeze', axis {ax} has length {a.shape[ax]}, not 1")
    return ops.reshape(a, tuple(s for i, s in enumerate(a.shape) if i not in axes))


def _atleast(n: int, arys: tuple) -> Any:
    out = []
    for a in arys:
        a = to_tensor(a)
        if a.ndim < n:
            if n == 3 and a.ndim == 2:
                shape = tuple(a.shape) + (1,)
            elif n == 3 and a.ndim == 1:
                shape = (1,) + tuple(a.shape) + (1,)
            else:
                shape = (1,) * (n - a.ndim) + tuple(a.shape)
            a = ops.reshape(a, shape)
        out.append(a)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys: Any) -> Any:
    """Each input with at least one dimension (a list when several)."""
    return _atleast(1, arys)


def atleast_2d(*arys: Any) -> Any:
    """Each input with at least two dimensions (ones prepended)."""
    return _atleast(2, arys)


def atleast_3d(*arys: Any) -> Any:
    """Each input with at least three dimensions (1-D ``(N,)`` becomes ``(1, N, 1)``)."""
    return _atleast(3, arys)


def broadcast_to(array: Any, shape: Any) -> Tensor:
    """``array`` broadcast to ``shape``."""
    return ops.broadcast_to(to_tensor(array), as_shape(shape))


def broadcast_arrays(*args: Any) -> list[Tensor]:
    """The inputs broadcast against each other."""
    ts = [to_tensor(a) for a in args]
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in ts))
    return [ops.broadcast_to(t, shape) for t in ts]


def size(a: Any, axis: int | None = None) -> int:
    """The number of elements (along ``axis`` when given)."""
    a = to_tensor(a)
    if axis is None:
        return int(np.prod(a.shape))
    return int(a.shape[canon_axis(axis, a.ndim)])


def array_str(a: Any) -> str:
    """The string of ``a``'s data, as ``print`` shows it."""
    if not isinstance(a, Tensor):
        raise MindTypeError(f"For 'array_str', the input must be a Tensor, got {type(a).__name__}")
    return str(a)


# ------------------------------------------------------------------------------------------------
# Joining
# ------------------------------------------------------------------------------------------------


def concatenate(arrays: Any, axis: int | None = 0) -> Tensor:
    """The arrays joined along an existing ``axis`` (flattened first when None)."""
    if isinstance(arrays, Tensor):
        if axis is None:
            return ravel(arrays)
        arrays = list(ops.unbind(arrays, 0))
    ts = _common(arrays)
    if axis is None:
        return ops.concat([ops.reshape(t, (-1,)) for t in ts], 0)
    return ops.concat(ts, canon_axis(axis, ts[0].ndim))


def stack(arrays: Any, axis: int = 0) -> Tensor:
    """The arrays (all one shape) joined along a new ``axis``."""
    ts = _common(_seq("stack", arrays))
    return ops.stack(ts, canon_axis(axis, ts[0].ndim + 1))


def hstack(tup: Any) -> Tensor:
    """Stacked column-wise (along axis 1; axis 0 for 1-D arrays)."""
    ts = _common(_seq("hstack", tup))
    ts = [ops.reshape(t, (1,)) if t.ndim == 0 else t for t in ts]
    return ops.concat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tup: Any) -> Tensor:
    """Stacked row-wise (1-D arrays become rows)."""
    ts = _common(_seq("vstack", tup))
    return ops.concat(_atleast_list(2, ts), 0)


def dstack(tup: Any) -> Tensor:
    """Stacked depth-wise (along the third axis)."""
    ts = _common(_seq("dstack", tup))
    return ops.concat(_atleast_list(3, ts), 2)


def column_stack(tup: Any) -> Tensor:
    """1-D arrays as columns of a 2-D array (2-D arrays stacked as they are)."""
    ts = _common(_seq("column_stack", tup))
    ts = [ops.reshape(t, (-1, 1)) if t.ndim < 2 else t for t in ts]
    return ops.concat(ts, 1)


def _atleast_list(n: int, ts: list[Tensor]) -> list[Tensor]:
    out = _atleast(n, tuple(ts))
    return out if isinstance(out, list) else [out]


def append(arr: Any, values: Any, axis: int | None = None) -> Tensor:
    """``values`` appended to ``arr`` along ``axis`` (both flattened when None)."""
    arr, values = _common([arr, values])
    if axis is None:
        return ops.concat([ops.reshape(arr, (-1,)), ops.reshape(values, (-1,))], 0)
    return ops.concat([arr, values], canon_axis(axis, arr.ndim))


# ------------------------------------------------------------------------------------------------
# Splitting
# ------------------------------------------------------------------------------------------------


def _split_at(x: Tensor, points: list[int], axis: int) -> list[Tensor]:
    n = x.shape[axis]
    bounds = [0] + [min(max(p if p >= 0 else p + n, 0), n) for p in points] + [n]
    out = []
    for lo, hi in itertools.pairwise(bounds):
        hi = max(hi, lo)
        key = [slice(None)] * x.ndim
        key[axis] = slice(lo, hi)
        out.append(x[tuple(key)])
    return out


def _split(name: str, x: Any, indices_or_sections: Any, axis: int, even: bool) -> list[Tensor]:
    x = to_tensor(x)
    axis = canon_axis(axis, x.ndim)
    n = x.shape[axis]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.asnumpy().tolist()
    if isinstance(indices_or_sections, int | np.integer) and not isinstance(
        indices_or_sections, bool
    ):
        k = int(indices_or_sections)
        if k <= 0:
            raise MindValueError(f"For '{name}', the number of sections must be positive, got {k}")
        if even and n % k:
            raise MindValueError(
                f"For '{name}', an axis of length {n} does not split evenly into {k}"
            )
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        points = list(np.cumsum(sizes)[:-1])
        return _split_at(x, [int(p) for p in points], axis)
    if isinstance(indices_or_sections, list | tuple):
        return _split_at(x, [int(p) for p in indices_or_sections], axis)
    raise MindTypeError(f"For '{name}', 'indices_or_sections' must be an int or a list of ints")


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """``x`` split into equal sections, or at the given indices, along ``axis``."""
    return _split("split", x, indices_or_sections, axis, True)


def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """Like ``split``, but sections may differ in size by one."""
    return _split("array_split", x, indices_or_sections, axis, False)


def hsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """``split`` along axis 1 (axis 0 for 1-D)."""
    x = to_tensor(x)
    return _split("hsplit", x, indices_or_sections, 0 if x.ndim == 1 else 1, True)


def vsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """``split`` along axis 0 (at least 2-D)."""
    x = to_tensor(x)
    if x.ndim < 2:
        raise MindValueError("For 'vsplit', the input must be at least 2-D")
    return _split("vsplit", x, indices_or_sections, 0, True)


def dsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """``split`` along axis 2 (at least 3-D)."""
    x = to_tensor(x)
    if x.ndim < 3:
        raise MindValueError("For 'dsplit', the input must be at least 3-D")
    return _split("dsplit", x, indices_or_sections, 2, True)


# ------------------------------------------------------------------------------------------------
# Rearranging
# ------------------------------------------------------------------------------------------------


def tile(a: Any, reps: Any) -> Tensor:
    """``a`` repeated ``reps`` times along each axis."""
    a = to_tensor(a)
    reps = (int(reps),) if isinstance(reps, int | np.integer) else tuple(int(r) for r in reps)
    n = max(a.ndim, len(reps))
    a = ops.reshape(a, (1,) * (n - a.ndim) + tuple(a.shape))
    reps = (1,) * (n - len(reps)) + reps
    return ops.tile(a, reps)


def repeat(a: Any, repeats: Any, axis: int | None = None) -> Tensor:
    """Each element repeated ``repeats`` times (an int, or one count per element) along ``axis``
    (of the flattened ``a`` when None)."""
    a = to_tensor(a)
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = canon_axis(axis, a.ndim)
    counts = repeats.asnumpy() if isinstance(repeats, Tensor) else np.asarray(repeats)
    counts = np.broadcast_to(counts.reshape(-1) if counts.ndim else counts, (a.shape[axis],))
    if (counts < 0).any():
        raise MindValueError("For 'repeat', 'repeats' must be non-negative")
    return ops.gather(a, index(np.repeat(np.arange(a.shape[axis]), counts)), axis)


def flip(m: Any, axis: Any = None) -> Tensor:
    """``m`` reversed along ``axis`` (every axis when None)."""
    m = to_tensor(m)
    axes = canon_axes(axis, m.ndim)
    key = [slice(None)] * m.ndim
    for ax in axes:
        key[ax] = slice(None, None, -1)
    return m[tuple(key)] if axes else m


def flipud(m: Any) -> Tensor:
    """``m`` reversed along axis 0."""
    return flip(m, 0)


def fliplr(m: Any) -> Tensor:
    """``m`` reversed along axis 1."""
    m = to_tensor(m)
    if m.ndim < 2:
        raise MindValueError("For 'fliplr', the input must be at least 2-D")
    return flip(m, 1)


def roll(a: Any, shift: Any, axis: Any = None) -> Tensor:
    """``a``'s elements shifted by ``shift`` along ``axis`` (of the flattened ``a`` when None),
    wrapping around."""
    a = to_tensor(a)
    if axis is None:
        flat = ops.reshape(a, (-1,))
        return ops.reshape(roll(flat, shift, 0), tuple(a.shape))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shifts = (shift,) * len(axes) if isinstance(shift, int) else tuple(shift)
    if len(shifts) != len(axes):
        shifts, axes = np.broadcast_arrays(np.asarray(shifts), np.asarray(axes))
    out = a
    for s, ax in zip(shifts, axes, strict=True):
        ax = canon_axis(int(ax), a.ndim)
        n = a.shape[ax]
        if n:
            out = ops.gather(out, index((np.arange(n) - int(s)) % n), ax)
    return out


def rot90(a: Any, k: int = 1, axes: Any = (0, 1)) -> Tensor:
    """``a`` rotated by 90 degrees ``k`` times in the plane of ``axes``."""
    a = to_tensor(a)
    if len(axes) != 2:
        raise MindValueError("For 'rot90', 'axes' must hold two axes")
    ax0, ax1 = canon_axis(axes[0], a.ndim), canon_axis(axes[1], a.ndim)
    if ax0 == ax1:
        raise MindValueError("For 'rot90', the two axes must differ")
    k %= 4
    if k == 0:
        return a
    if k == 2:
        return flip(flip(a, ax0), ax1)
    perm = list(range(a.ndim))
    perm[ax0], perm[ax1] = perm[ax1], perm[ax0]
    if k == 1:
        return ops.transpose(flip(a, ax1), tuple(perm))
    return flip(ops.transpose(a, tuple(perm)), ax1)


# ------------------------------------------------------------------------------------------------
# Indexing
# ------------------------------------------------------------------------------------------------


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """Elements of ``x`` where ``condition`` holds, else of ``y``; with only ``condition``, the
    indices of its non-zero elements (a tuple, one per axis)."""
    cond = to_tensor(condition)
    if x is None and y is None:
        nz = ops.nonzero(cond)
        return tuple(ops.cast(nz[:, i], dt.int32) for i in range(cond.ndim))
    if x is None or y is None:
        raise MindValueError("For 'where', give both 'x' and 'y', or neither")
    if cond.dtype is not dt.bool_:
        cond = cond != 0
    xs = [v if isinstance(v, bool | int | float) else to_tensor(v) for v in (x, y)]
    if all(isinstance(v, Tensor) for v in xs):
        xs = _common(xs)
    elif not any(isinstance(v, Tensor) for v in xs):
        xs = _common(xs)
    return ops.where(cond, xs[0], xs[1])


def _indices_mode(idx: Tensor, n: int, mode: str) -> Tensor:
    if mode == "wrap":
        return ops.remainder(idx, n)
    if mode == "clip":
        return ops.clip(idx, 0, n - 1)
    if mode == "raise":
        raise MindValueError(
            "For 'take', mode='raise' is not supported (as in MindSpore); use 'clip' or 'wrap'"
        )
    raise MindValueError(f"mode must be 'clip', 'wrap' or 'raise', got {mode!r}")


def take(a: Any, indices: Any, axis: int | None = None, mode: str = "clip") -> Tensor:
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened ``a`` when None);
    out-of-range indices are clipped (``'clip'``, MindSpore's default) or wrapped (``'wrap'``)."""
    a = to_tensor(a)
    idx = to_tensor(indices)
    if not idx.dtype.is_integer:
        raise MindTypeError(f"For 'take', 'indices' must be integers, got {idx.dtype}")
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = canon_axis(axis, a.ndim)
    idx = _indices_mode(idx, a.shape[axis], mode)
    return ops.gather(a, idx, axis)


def take_along_axis(arr: Any, indices: Any, axis: int | None) -> Tensor:
    """Values of ``arr`` at ``indices`` matched along ``axis`` (the flattened ``arr`` when None);
    the other axes broadcast."""
    arr = to_tensor(arr)
    idx = to_tensor(indices)
    if axis is None:
        arr, axis = ops.reshape(arr, (-1,)), 0
    axis = canon_axis(axis, arr.ndim)
    if idx.ndim != arr.ndim:
        raise MindValueError("For 'take_along_axis', 'indices' and 'arr' must have the same ndim")
    n = arr.shape[axis]
    idx = ops.where(idx < 0, idx + n, idx)
    shape = [max(a, b) for a, b in zip(arr.shape, idx.shape, strict=True)]
    shape_arr = list(shape)
    shape_arr[axis] = arr.shape[axis]
    shape_idx = list(shape)
    shape_idx[axis] = idx.shape[axis]
    arr = ops.broadcast_to(arr, tuple(shape_arr))
    idx = ops.broadcast_to(ops.cast(idx, dt.int64), tuple(shape_idx))
    return ops.gather_elements(arr, axis, idx)


def choose(a: Any, choices: Any, mode: str = "clip") -> Tensor:
    """An array whose element at each position is ``choices[a[pos]][pos]``; out-of-range ``a`` is
    clipped (MindSpore's default) or wrapped."""
    a = to_tensor(a)
    cs = _common(_seq("choose", choices))
    shape = np.broadcast_shapes(tuple(a.shape), *(tuple(c.shape) for c in cs))
    stacked = ops.stack([ops.broadcast_to(c, shape) for c in cs], 0)
    if mode == "raise":
        raise MindValueError("For 'choose', mode='raise' is not supported (as in MindSpore)")
    idx = _indices_mode(ops.cast(a, dt.int64), len(cs), mode)
    idx = ops.expand_dims(ops.broadcast_to(idx, shape), 0)
    return ops.squeeze(ops.gather_elements(stacked, 0, idx), 0)


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Tensor:
    """Elements of ``choicelist[i]`` where ``condlist[i]`` is the first condition to hold, else
    ``default``."""
    conds = [to_tensor(c) for c in _seq("select", condlist)]
    choices = _common(_seq("select", choicelist))
    if len(conds) != len(choices):
        raise MindValueError("For 'select', 'condlist' and 'choicelist' must have the same length")
    if not conds:
        raise MindValueError("For 'select', 'condlist' must not be empty")
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in conds + choices))
    kind = choices[0].dtype
    out = ops.cast(ops.fill(kind, shape, default), kind)
    for c, v in zip(conds[::-1], choices[::-1], strict=True):
        out = ops.where(
            ops.broadcast_to(c != 0 if c.dtype is not dt.bool_ else c, shape),
            ops.broadcast_to(v, shape),
            out,
        )
    return out


def piecewise(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Tensor:
    """``funclist[i](x)`` (or the constant ``funclist[i]``) where ``condlist[i]`` holds; an extra
    function is the default."""
    x = to_tensor(x)
    if isinstance(condlist, bool) or (
        isinstance(condlist, Tensor) and condlist.ndim == x.ndim and condlist.dtype is dt.bool_
    ):
        condlist = [condlist]
    conds = [ops.broadcast_to(to_tensor(c, dt.bool_), tuple(x.shape)) for c in condlist]
    n, m = len(conds), len(funclist)
    if m not in (n, n + 1):
        raise MindValueError(
            f"For 'piecewise', 'funclist' must have {n} or {n + 1} entries, got {m}"
        )
    if m == n + 1:
        rest = (
            ops.logical_not(ops.any(ops.stack(conds, 0), 0))
            if conds
            else ops.ones_like(x, dtype=dt.bool_)
        )
        conds = conds + [rest]

    def value(f: Any) -> Tensor:
        v = f(x, *args, **kw) if callable(f) else f
        return ops.broadcast_to(ops.cast(to_tensor(v), x.dtype), tuple(x.shape))

    out = ops.zeros_like(x)
    for c, f in zip(conds, funclist, strict=True):
        out = ops.where(c, value(f), out)
    return out


def apply_along_axis(func1d: Any, axis: int, arr: Any, *args: Any, **kwargs: Any) -> Tensor:
    """``func1d`` applied to every 1-D slice of ``arr`` along ``axis``; its output axes replace
    ``axis``."""
    arr = to_tensor(arr)
    axis = canon_axis(axis, arr.ndim)
    moved = ops.moveaxis(arr, axis, -1)
    outer = tuple(moved.shape[:-1])
    flat = ops.reshape(moved, (-1, moved.shape[-1]))
    results = [to_tensor(func1d(flat[i], *args, **kwargs)) for i in range(flat.shape[0])]
    res = ops.stack(results, 0)
    res = ops.reshape(res, outer + tuple(res.shape[1:]))
    inner = res.ndim - len(outer)
    if inner == 0:
        return res
    order = list(range(len(outer)))
    tail = list(range(len(outer), res.ndim))
    perm = order[:axis] + tail + order[axis:]
    return ops.transpose(res, tuple(perm))


def apply_over_axes(func: Any, a: Any, axes: Any) -> Tensor:
    """``func(a, axis)`` applied for each of ``axes`` in turn, keeping the dimensions."""
    res = to_tensor(a)
    for axis in (axes,) if isinstance(axes, int) else axes:
        out = to_tensor(func(res, axis))
        if out.ndim == res.ndim - 1:
            out = ops.expand_dims(out, canon_axis(axis, res.ndim))
        elif out.ndim != res.ndim:
            raise MindValueError("For 'apply_over_axes', 'func' must keep or drop one dimension")
        res = out
    return res


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple[Tensor, ...]:
    """Flat ``indices`` as a tuple of coordinate arrays for ``shape``; out-of-range indices are
    clipped, as in MindSpore."""
    idx = to_tensor(indices)
    kind = idx.dtype
    shape = as_shape(shape)
    if order not in ("C", "F"):
        raise MindValueError(f"For 'unravel_index', 'order' must be 'C' or 'F', got {order!r}")
    total = int(np.prod(shape))
    idx = ops.clip(idx, -total, total - 1)
    idx = ops.where(idx < 0, idx + total, idx)
    dims = shape if order == "C" else shape[::-1]
    out = []
    for d in dims[::-1]:
        out.append(ops.remainder(idx, d))
        idx = ops.floor_divide(idx, d)
    out = out[::-1] if order == "C" else out
    return tuple(ops.cast(o, kind) for o in out)


def unique(x: Any, return_inverse: bool = False) -> Any:
    """The sorted unique elements of the flattened ``x`` (and the inverse indices)."""
    x = to_tensor(x)
    values, inverse = ops.unique(ops.reshape(x, (-1,)))
    values = ops.cast(values, x.dtype)
    return (values, ops.cast(inverse, dt.int32)) if return_inverse else values


def argwhere(a: Any) -> Tensor:
    """The indices of the non-zero elements, one row per element (int64, as ``ops.argwhere``)."""
    return ops.argwhere(to_tensor(a))


def intersect1d(
    ar1: Any, ar2: Any, assume_unique: bool = False, return_indices: bool = False
) -> Any:
    """The sorted unique values in both inputs (and, with ``return_indices``, where each first
    occurs in each flattened input)."""
    a, b = _common([ravel(ar1), ravel(ar2)])
    ua = a if assume_unique else unique(a)
    ub = b if assume_unique else unique(b)
    hits = ops.any(ops.equal(ops.expand_dims(ua, 1), ops.expand_dims(ub, 0)), 1)
    both = ops.masked_select(ua, hits)
    if assume_unique:
        both, _ = ops.sort(both)
    if not return_indices:
        return both
    first = []
    for src in (a, b):
        eq = ops.equal(ops.expand_dims(both, 1), ops.expand_dims(src, 0))
        first.append(ops.cast(ops.argmax(ops.cast(eq, dt.int32), 1), dt.int32))
    return both, first[0], first[1]
