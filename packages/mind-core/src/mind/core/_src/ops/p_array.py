"""MindSpore's Primitive-class operators over the ops of ``array_ops`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import array_ops as A
from mind.core._src.ops import functional as F
from mind.core._src.ops.indexing import _concrete
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _same
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

for _name, _fn in {
    "AccumulateNV2": A.accumulate_n,
    "CheckValid": A.check_valid,
    "NonZero": F.nonzero,
    "Trace": F.trace,
    "TupleToArray": A.tuple_to_array,
    "ScalarToTensor": A.scalar_to_tensor,
    "MatrixBandPart": F.matrix_band_part,
}.items():
    _same(_name, _fn)


def _int_value(op: str, name: str, value: Any) -> int:
    """An int argument that MindSpore also takes as a 0-D tensor."""
    if isinstance(value, Tensor):
        value = _concrete(op, value, f"'{name}'").item()
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise MindTypeError(f"For '{op}', '{name}' must be an int, got {value!r}")
    return int(value)


# ------------------------------------------------------------------------------------------------
# Space-to-batch reshuffles
# ------------------------------------------------------------------------------------------------


@_calls(A.batch_to_space_nd)
def _batch_to_space(op: PrimitiveClass, x: Any) -> Tensor:
    return A.batch_to_space_nd(x, [op.block_size] * 2, op.crops)


_define("BatchToSpace", _batch_to_space, block_size=_REQUIRED, crops=_REQUIRED)


@_calls(A.batch_to_space_nd)
def _batch_to_space_nd(op: PrimitiveClass, x: Any) -> Tensor:
    return A.batch_to_space_nd(x, op.block_shape, op.crops)


_define("BatchToSpaceND", _batch_to_space_nd, block_shape=_REQUIRED, crops=_REQUIRED)


@_calls(A.space_to_batch_nd)
def _space_to_batch(op: PrimitiveClass, x: Any) -> Tensor:
    return A.space_to_batch_nd(x, [op.block_size] * 2, op.paddings)


_define("SpaceToBatch", _space_to_batch, block_size=_REQUIRED, paddings=_REQUIRED)


@_calls(A.space_to_batch_nd)
def _space_to_batch_nd(op: PrimitiveClass, x: Any) -> Tensor:
    return A.space_to_batch_nd(x, op.block_shape, op.paddings)


_define("SpaceToBatchND", _space_to_batch_nd, block_shape=_REQUIRED, paddings=_REQUIRED)


# ------------------------------------------------------------------------------------------------
# Boxes
# ------------------------------------------------------------------------------------------------


@_calls(A.bounding_box_decode)
def _bbox_decode(op: PrimitiveClass, anchor_box: Any, deltas: Any) -> Tensor:
    return A.bounding_box_decode(
        anchor_box, deltas, op.max_shape, op.means, op.stds, op.wh_ratio_clip
    )


_define(
    "BoundingBoxDecode",
    _bbox_decode,
    max_shape=_REQUIRED,
    means=(0.0, 0.0, 0.0, 0.0),
    stds=(1.0, 1.0, 1.0, 1.0),
    wh_ratio_clip=0.016,
)


@_calls(A.bounding_box_encode)
def _bbox_encode(op: PrimitiveClass, anchor_box: Any, groundtruth_box: Any) -> Tensor:
    return A.bounding_box_encode(anchor_box, groundtruth_box, op.means, op.stds)


_define("BoundingBoxEncode", _bbox_encode, means=(0.0, 0.0, 0.0, 0.0), stds=(1.0, 1.0, 1.0, 1.0))


@_calls(A.iou)
def _iou(op: PrimitiveClass, anchor_boxes: Any, gt_boxes: Any) -> Tensor:
    return A.iou(anchor_boxes, gt_boxes, op.mode)


_define("IOU", _iou, mode="iou")


# ------------------------------------------------------------------------------------------------
# Counting, filling, indexing
# ------------------------------------------------------------------------------------------------


@_calls(F.one_hot)
def _bincount(op: PrimitiveClass, array: Any, size: Any, weights: Any) -> Tensor:
    values = as_tensor(array)
    if not values.dtype.is_integer:
        raise MindTypeError(f"For 'Bincount', 'array' must be int32, got {values.dtype}")
    n = _int_value("Bincount", "size", size)
    if n < 0:
        raise MindValueError(f"For 'Bincount', 'size' must be non-negative, got {n}")
    w = as_tensor(weights)
    # Values outside [0, size) count nowhere: one_hot leaves them all zero.
    hit = F.one_hot(F.reshape(F.cast(values, dt.int64), (-1,)), n, 1.0, 0.0)
    weight = F.reshape(F.broadcast_to(w, values.shape), (-1, 1)) if w.ndim else w
    return F.cast(F.sum(F.mul(F.cast(hit, w.dtype), weight), 0), w.dtype)


_define("Bincount", _bincount)


@_calls(F.cummax)
def _cummax(op: PrimitiveClass, x: Any) -> Any:
    return F.cummax(x, op.axis)


_define("Cummax", _cummax, axis=_REQUIRED)


@_calls(F.equal)
def _equal_count(op: PrimitiveClass, x: Any, y: Any) -> Tensor:
    x, y = as_tensor(x), as_tensor(y)
    return F.reshape(F.cast(F.sum(F.cast(F.equal(x, y), dt.int32)), x.dtype), (1,))


_define("EqualCount", _equal_count)


def _diagonal_mask(shape: tuple[int, ...], wrap: bool) -> np.ndarray:
    mask = np.zeros(shape, bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return mask


@_calls(F.where)
def _fill_diagonal(op: PrimitiveClass, x: Any) -> Tensor:
    x = as_tensor(x)
    if x.ndim < 2 or (x.ndim > 2 and len(set(x.shape)) != 1):
        raise MindValueError(
            f"For 'FillDiagonal', the input must be 2-D, or have all sizes equal, got {x.shape}"
        )
    value = as_tensor(op.fill_value, x.dtype)
    return F.where(Tensor(_diagonal_mask(x.shape, bool(op.wrap))), value, x)


_define("FillDiagonal", _fill_diagonal, fill_value=_REQUIRED, wrap=False)


@_calls(F.broadcast_to)
def _fill_v2(op: PrimitiveClass, shape: Any, value: Any) -> Tensor:
    if isinstance(shape, Tensor):
        shape = tuple(int(s) for s in _concrete("FillV2", shape, "'shape'").reshape(-1))
    value = as_tensor(value)
    if value.ndim:
        raise MindValueError(f"For 'FillV2', 'value' must be 0-D, got {value.shape}")
    return F.broadcast_to(value, tuple(shape))


_define("FillV2", _fill_v2)


@_calls(A.index_fill)
def _index_fill(op: PrimitiveClass, x: Any, dim: Any, index: Any, value: Any) -> Tensor:
    return A.index_fill(x, _int_value("IndexFill", "dim", dim), index, value)


_define("IndexFill", _index_fill)


@_calls(A.inplace_index_add)
def _inplace_index_add(op: PrimitiveClass, var: Any, indices: Any, updates: Any) -> Any:
    return A.inplace_index_add(var, indices, updates, op.axis)


_define("InplaceIndexAdd", _inplace_index_add, axis=_REQUIRED)


@_calls(F.inplace_update)
def _inplace_update_v2(op: PrimitiveClass, x: Any, indices: Any, v: Any) -> Any:
    out = F.inplace_update(x, v, indices)
    if isinstance(x, Parameter):
        F.assign(x, out)
        return x
    return out


_define("InplaceUpdateV2", _inplace_update_v2)


@_calls(A.intopk)
def _in_top_k(op: PrimitiveClass, x1: Any, x2: Any) -> Tensor:
    return A.intopk(x1, x2, op.k)


_define("InTopK", _in_top_k, k=_REQUIRED)


def _invert_permutation(op: PrimitiveClass, input_x: Any) -> Any:
    values = np.asarray(input_x.asnumpy() if isinstance(input_x, Tensor) else input_x)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        raise MindTypeError(
            f"For 'InvertPermutation', the input must be a 1-D sequence of ints, got {input_x!r}"
        )
    if sorted(values.tolist()) != list(range(len(values))):
        raise MindValueError(
            f"For 'InvertPermutation', the input must be a permutation of 0..{len(values) - 1}"
        )
    inverse = np.empty_like(values)
    inverse[values] = np.arange(len(values))
    if isinstance(input_x, Tensor):
        return Tensor(inverse)
    return tuple(int(v) for v in inverse)


_define("InvertPermutation", _invert_permutation)


@_calls(A.logspace)
def _log_space(op: PrimitiveClass, start: Any, end: Any) -> Tensor:
    return A.logspace(start, end, op.steps, op.base, dtype=op.dtype)


_define("LogSpace", _log_space, steps=10, base=10, dtype=dt.float32)


@_calls(F.norm)
def _lp_norm(op: PrimitiveClass, x: Any) -> Tensor:
    x = as_tensor(x)
    axis = op.axis if isinstance(op.axis, list | tuple) else [op.axis]
    axes = tuple(a % x.ndim for a in axis) if x.ndim else None
    p = op.p
    magnitude = F.abs(x)
    if p == 0:
        return F.sum(F.cast(F.not_equal(x, 0), x.dtype), axes, op.keep_dims)
    if p == 1:
        return F.sum(magnitude, axes, op.keep_dims)
    return F.pow(F.sum(F.pow(magnitude, float(p)), axes, op.keep_dims), 1.0 / p)


_define("LpNorm", _lp_norm, axis=_REQUIRED, p=2, keep_dims=False, epsilon=1e-12)


@_calls(A.lu_unpack)
def _lu_unpack(op: PrimitiveClass, lu_data: Any, lu_pivots: Any) -> tuple:
    return A.lu_unpack(lu_data, lu_pivots, op.unpack_data, op.unpack_pivots)


_define("LuUnpack", _lu_unpack, unpack_data=True, unpack_pivots=True)


# ------------------------------------------------------------------------------------------------
# Matrix diagonals (TF's V3 forms: the arguments are tensors)
# ------------------------------------------------------------------------------------------------


@_calls(A.matrix_diag)
def _matrix_diag_v3(
    op: PrimitiveClass, x: Any, k: Any, num_rows: Any, num_cols: Any, padding_value: Any
) -> Tensor:
    return A.matrix_diag(x, k, num_rows, num_cols, padding_value, op.align)


_define("MatrixDiagV3", _matrix_diag_v3, align="RIGHT_LEFT")


@_calls(A.matrix_diag_part)
def _matrix_diag_part_v3(op: PrimitiveClass, x: Any, k: Any, padding_value: Any) -> Tensor:
    return A.matrix_diag_part(x, k, padding_value, op.align)


_define("MatrixDiagPartV3", _matrix_diag_part_v3, align="RIGHT_LEFT")


@_calls(A.matrix_set_diag)
def _matrix_set_diag_v3(op: PrimitiveClass, x: Any, diagonal: Any, k: Any) -> Tensor:
    return A.matrix_set_diag(x, diagonal, k, op.align)


_define("MatrixSetDiagV3", _matrix_set_diag_v3, align="RIGHT_LEFT")


# ------------------------------------------------------------------------------------------------
# Median, padding, concatenation, norms, sequences
# ------------------------------------------------------------------------------------------------


@_calls(A.median)
def _median(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor]:
    x = as_tensor(x)
    ignore = bool(op.ignore_nan) and x.dtype.is_floating_point
    if op.global_median:
        if x.size == 0:
            empty = np.nan if x.dtype.is_floating_point else 0
            return Tensor(np.asarray(empty, x.dtype.np)), Tensor(np.asarray(0, np.int64))
        x = F.reshape(x, (-1,))
        values, index = (A.nanmedian if ignore else A.median)(x, 0, False)
        return values, index
    return (A.nanmedian if ignore else A.median)(x, op.axis, op.keep_dims)


_define("Median", _median, global_median=False, axis=0, keep_dims=False, ignore_nan=False)


def mirror_pad(x: Any, paddings: Any, mode: str = "REFLECT") -> Tensor:
    """``x`` padded with its own mirror image: per axis ``paddings[i] = (before, after)``;
    ``'REFLECT'`` leaves the edge out of the mirror, ``'SYMMETRIC'`` repeats it. A gather along
    each padded axis, so it differentiates."""
    x = as_tensor(x)
    rows = np.asarray(paddings.asnumpy() if isinstance(paddings, Tensor) else paddings)
    if rows.shape != (x.ndim, 2) or rows.dtype.kind not in "iu" or (rows < 0).any():
        raise MindValueError(
            f"For 'MirrorPad', 'paddings' must be ({x.ndim}, 2) non-negative ints, got {rows!r}"
        )
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise MindValueError(f"For 'MirrorPad', 'mode' must be REFLECT or SYMMETRIC, got {mode!r}")
    for axis, (before, after) in enumerate(rows.tolist()):
        if before == after == 0:
            continue
        n = x.shape[axis]
        limit = n - 1 if mode == "REFLECT" else n
        if before > limit or after > limit:
            raise MindValueError(
                f"For 'MirrorPad', padding {before, after} on axis {axis} exceeds {limit} for "
                f"mode {mode}"
            )
        index = np.pad(np.arange(n), (before, after), mode=mode.lower())
        x = F.gather(x, Tensor(index), axis)
    return x


@_calls(mirror_pad)
def _mirror_pad(op: PrimitiveClass, x: Any, paddings: Any) -> Tensor:
    return mirror_pad(x, paddings, op.mode)


_define("MirrorPad", _mirror_pad, mode="REFLECT")


@_calls(F.concat)
def _parallel_concat(op: PrimitiveClass, values: Any) -> Tensor:
    tensors = [as_tensor(v) for v in values]
    for t in tensors:
        if not t.ndim or t.shape[0] != 1:
            raise MindValueError(
                f"For 'ParallelConcat', every input's first axis must have size 1, got {t.shape}"
            )
    return F.concat(tensors, 0)


_define("ParallelConcat", _parallel_concat)


@_calls(A.renorm)
def _renorm(op: PrimitiveClass, x: Any) -> Tensor:
    return A.renorm(x, op.p, op.dim, op.maxnorm)


_define("Renorm", _renorm, p=_REQUIRED, dim=_REQUIRED, maxnorm=_REQUIRED)


@_calls(A.reverse_sequence)
def _reverse_sequence(op: PrimitiveClass, x: Any, seq_lengths: Any) -> Tensor:
    return A.reverse_sequence(x, seq_lengths, op.seq_dim, op.batch_dim)


_define("ReverseSequence", _reverse_sequence, seq_dim=_REQUIRED, batch_dim=0)


@_calls(F.sum)
def _square_sum_all(op: PrimitiveClass, x: Any, y: Any) -> tuple[Tensor, Tensor]:
    x, y = as_tensor(x), as_tensor(y)
    if x.dtype is not y.dtype or x.dtype not in (dt.float16, dt.float32):
        raise MindTypeError(
            f"For 'SquareSumAll', both inputs must be float16 or float32 of one dtype, got "
            f"{x.dtype} and {y.dtype}"
        )
    if x.shape != y.shape:
        raise MindValueError(
            f"For 'SquareSumAll', the inputs must have one shape, got {x.shape} and {y.shape}"
        )
    return F.sum(F.mul(x, x)), F.sum(F.mul(y, y))


_define("SquareSumAll", _square_sum_all)


@_calls(A.svd)
def _svd(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor, Tensor]:
    if op.compute_uv:
        return A.svd(x, op.full_matrices, True)
    s = A.svd(x, op.full_matrices, False)
    return s, F.zeros((0,), s.dtype), F.zeros((0,), s.dtype)


_define("Svd", _svd, full_matrices=False, compute_uv=True)


def _triangle_class(name: str, fn: Any) -> None:
    @_calls(fn)
    def apply(op: PrimitiveClass, x: Any) -> Tensor:
        return fn(x, op.diagonal)

    _define(name, apply, diagonal=0)


_triangle_class("Tril", F.tril)
_triangle_class("Triu", F.triu)


def _triangle_indices_class(name: str, fn: Any) -> None:
    @_calls(fn)
    def apply(op: PrimitiveClass) -> Tensor:
        return fn(op.row, op.col, op.offset, dtype=op.dtype)

    _define(name, apply, row=_REQUIRED, col=_REQUIRED, offset=0, dtype=dt.int32)


_triangle_indices_class("TrilIndices", F.tril_indices)
_triangle_indices_class("TriuIndices", F.triu_indices)


@_calls(F.unique_consecutive)
def _unique_consecutive(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor, Tensor]:
    return F.unique_consecutive(x, True, True, op.axis)


_define("UniqueConsecutive", _unique_consecutive, return_idx=False, return_counts=False, axis=None)


@_calls(F.argmax)
def _unique_with_pad(op: PrimitiveClass, x: Any, pad_num: Any) -> tuple[Tensor, Tensor]:
    """The distinct values in order of first appearance, padded to the input's length with
    ``pad_num``, and each element's slot. Fixed shapes, so it traces and batches: an n x n
    comparison finds each element's first occurrence."""
    x = as_tensor(x)
    if x.ndim != 1:
        raise MindValueError(f"For 'UniqueWithPad', the input must be 1-D, got {x.shape}")
    n = x.shape[0]
    positions = Tensor(np.arange(n, dtype=np.int64))
    same = F.equal(F.expand_dims(x, 1), F.expand_dims(x, 0))
    first = F.cast(F.argmax(F.cast(same, dt.int32), 1), dt.int64)  # where x[i] first appears
    is_first = F.equal(first, positions)
    slot = F.sub(F.cumsum(F.cast(is_first, dt.int64), 0), 1)  # among the distinct values
    index = F.gather(slot, first, 0)
    hit = F.logical_and(F.equal(F.expand_dims(positions, 1), F.expand_dims(slot, 0)), is_first)
    values = F.sum(F.where(hit, F.expand_dims(x, 0), F.zeros_like(F.expand_dims(x, 0))), 1)
    filled = F.greater(F.sum(F.cast(hit, dt.int32), 1), 0)
    pad_value = F.cast(as_tensor(pad_num), x.dtype)
    kind = x.dtype if x.dtype.is_integer else dt.int32
    return F.where(filled, F.cast(values, x.dtype), pad_value), F.cast(index, kind)


_define("UniqueWithPad", _unique_with_pad)


def _data_format_dim_map(op: PrimitiveClass, input_x: Any) -> Tensor:
    src, dst = op.src_format, op.dst_format
    if sorted(src) != sorted(dst) or len(set(src)) != len(src) or len(src) not in (4, 5):
        raise MindValueError(
            f"For 'DataFormatDimMap', src_format {src!r} and dst_format {dst!r} must be "
            "permutations of the same 4 or 5 letters"
        )
    x = as_tensor(input_x)
    if x.dtype not in (dt.int32, dt.int64) and not x.dtype.is_integer:
        raise MindTypeError(f"For 'DataFormatDimMap', the input must be int32, got {x.dtype}")
    table = Tensor(np.asarray([dst.index(c) for c in src], x.dtype.np))
    n = len(src)
    position = F.cast(F.remainder(F.add(F.cast(x, dt.int64), n), n), dt.int64)
    return F.gather(table, position, 0)


_define("DataFormatDimMap", _data_format_dim_map, src_format="NHWC", dst_format="NCHW")


@_calls(F.matmul)
def _dense(op: PrimitiveClass, x: Any, w: Any, b: Any = None) -> Tensor:
    x, w = as_tensor(x), as_tensor(w)
    if w.ndim == 1:
        out = F.sum(F.mul(x, w), -1)
    elif w.ndim == 2:
        out = F.matmul(x, F.transpose(w, (1, 0)))
    else:
        raise MindValueError(f"For 'Dense', 'w' must be 1-D or 2-D, got {w.shape}")
    return out if b is None else F.add(out, b)


_define("Dense", _dense)
