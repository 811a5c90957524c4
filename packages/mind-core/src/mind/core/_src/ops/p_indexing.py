"""MindSpore's Primitive-class operators over the ops of ``indexing`` (see ops.operations: each class
is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import functional as F
from mind.core._src.ops import indexing as M
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _ints, _same
from mind.core._src.ops.scatter import _written
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindValueError

for _name, _fn in {
    "GatherD": M.gather_elements,
    "MaskedFill": M.masked_fill,
    "MaskedSelect": M.masked_select,
    "ScatterNd": M.scatter_nd,
    "TensorScatterUpdate": M._tensor_scatter_update,
    "Unique": M.unique,
    "Fill": M.fill,
    "LinSpace": M.linspace,
}.items():
    _same(_name, _fn)


@_calls(M.cumprod)
def _cumprod(op: PrimitiveClass, x: Any, axis: int) -> Tensor:
    x = as_tensor(x)
    axis = M._axis("CumProd", axis, x.ndim)
    return M._cumprod(x, axis, op.exclusive, op.reverse)


_define("CumProd", _cumprod, exclusive=False, reverse=False)
_define("Cummin", _calls(M.cummin)(lambda op, input: M.cummin(input, op.axis)), axis=_REQUIRED)


@_calls(M.topk)
def _topk(op: PrimitiveClass, input_x: Any, k: Any) -> tuple[Tensor, Tensor]:
    if isinstance(k, Tensor):
        k = k.item()
    return M.topk(input_x, k, -1, True, op.sorted)


_define("TopK", _topk, sorted=True)
_define(
    "Sort",
    _calls(M.sort)(lambda op, x: M.sort(x, op.axis, op.descending)),
    axis=-1,
    descending=False,
)


@_calls(M.meshgrid)
def _meshgrid(op: PrimitiveClass, inputs: Any) -> tuple[Tensor, ...]:
    return M.meshgrid(*inputs, indexing=op.indexing)


_define("Meshgrid", _meshgrid, indexing="xy")
_define(
    "ReverseV2",
    _calls(M.flip)(lambda op, input_x: M.flip(input_x, _ints(op.axis, "axis", "ReverseV2"))),
    axis=_REQUIRED,
)


@_calls(M.roll)
def _roll(op: PrimitiveClass, input_x: Any) -> Tensor:
    shift, axis = _ints(op.shift, "shift", "Roll"), _ints(op.axis, "axis", "Roll")
    return M.roll(input_x, shift, axis)


_define("Roll", _roll, shift=_REQUIRED, axis=_REQUIRED)


@_calls(M.unbind)
def _unstack(op: PrimitiveClass, input_x: Any) -> tuple[Tensor, ...]:
    input_x = as_tensor(input_x)
    pieces = M.unbind(input_x, op.axis)
    if op.num is not None and op.num != len(pieces):
        raise MindValueError(
            f"For 'Unstack', 'num' is {op.num} but axis {op.axis} of the input has length "
            f"{len(pieces)}"
        )
    return pieces


_define("Unstack", _unstack, axis=0, num=None)
_define("Identity", _calls(M._identity)(lambda op, x: M._identity(x)))
_define(
    "DepthToSpace",
    _calls(M.depth_to_space)(lambda op, x: M.depth_to_space(x, op.block_size)),
    block_size=_REQUIRED,
)
_define(
    "SpaceToDepth",
    _calls(M.space_to_depth)(lambda op, x: M.space_to_depth(x, op.block_size)),
    block_size=_REQUIRED,
)
_define(
    "Padding", _calls(M._pad_last)(lambda op, x: M._pad_last(x, op.pad_dim_size)), pad_dim_size=8
)


@_calls(M.searchsorted)
def _searchsorted(op: PrimitiveClass, sorted_sequence: Any, values: Any) -> Tensor:
    out_int32 = dt.to_dtype(op.dtype) is dt.int32
    return M.searchsorted(sorted_sequence, values, out_int32=out_int32, right=op.right)


_define("SearchSorted", _searchsorted, dtype=dt.int64, right=False)


@_calls(M.index_add)
def _index_add(op: PrimitiveClass, input_x: Any, indices: Any, input_y: Any) -> Any:
    return M.index_add(input_x, indices, input_y, op.axis)


_define("IndexAdd", _index_add, axis=_REQUIRED, use_lock=True, check_index_bound=True)


def _rows_class(name: str, fn: Any) -> None:
    @_calls(fn)
    def apply(op: PrimitiveClass, x: Any, v: Any) -> Any:
        return fn(x, v, op.indices)

    _define(name, apply, indices=_REQUIRED)


_rows_class("InplaceAdd", M.inplace_add)
_rows_class("InplaceSub", M.inplace_sub)
_rows_class("InplaceUpdate", M.inplace_update)


def _nearest_rows(out: int, size: int, align_corners: bool) -> np.ndarray:
    """MindSpore's (TensorFlow's) nearest source index per output index: ``floor(i * in / out)``,
    or with ``align_corners`` ``round(i * (in - 1) / (out - 1))`` (halves away from zero)."""
    i = np.arange(out, dtype=np.float64)
    if align_corners:
        scale = (size - 1) / (out - 1) if out > 1 else 0.0
        return np.minimum(np.floor(i * scale + 0.5).astype(np.int64), size - 1)
    return np.minimum(np.floor(i * (size / out)).astype(np.int64), size - 1)


def _resize_nearest(op: PrimitiveClass, x: Any) -> Any:
    x = as_tensor(x)
    if x.ndim != 4:
        raise MindValueError(f"For 'ResizeNearestNeighbor', the input must be 4-D, got {x.shape}")
    h, w = _ints(op.size, "size", op.name)
    rows = Tensor(_nearest_rows(h, x.shape[2], op.align_corners))
    cols = Tensor(_nearest_rows(w, x.shape[3], op.align_corners))
    return F.gather(F.gather(x, rows, 2), cols, 3)


_define("ResizeNearestNeighbor", _resize_nearest, size=_REQUIRED, align_corners=False)


def _scatter_into(name: str, combine: Any) -> None:
    """MindSpore's ``Scatter*`` classes: ``updates`` (shaped ``indices.shape + x.shape[1:]``)
    combined into rows ``indices`` of ``input_x``; ``input_x`` (a Parameter or a Tensor) is
    updated in place and returned, as MindSpore's kernels do (as the ``scatter`` ops')."""

    def apply(op: PrimitiveClass, input_x: Any, indices: Any, updates: Any) -> Any:
        x = as_tensor(input_x)
        rows = F.reshape(as_tensor(indices), (-1, 1))
        values = F.cast(F.reshape(as_tensor(updates), (-1, *x.shape[1:])), x.dtype)
        return _written(input_x, combine(x, rows, values))

    _define(name, apply, use_locking=False)


_scatter_into("ScatterAdd", F.tensor_scatter_add)
_scatter_into("ScatterSub", lambda x, rows, v: F.tensor_scatter_add(x, rows, F.neg(v)))
_scatter_into("ScatterUpdate", M._tensor_scatter_update)
