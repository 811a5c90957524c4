"""MindSpore's Primitive-class sparse operators (over ``sparse``): a sparse tensor given as its
``indices`` (``(N, ndim)``), ``values`` and dense ``shape`` (a tuple or a 1-D Tensor), or as a
CSR matrix's ``dense_shape, batch_pointers, row_pointers, col_indices, values``."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import sparse as S
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _same
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindValueError


def _coo(indices: Any, values: Any, shape: Any) -> S.COOTensor:
    return S.COOTensor(indices, values, S._shape_of(shape))


def _shape_tensor(shape: tuple[int, ...]) -> Tensor:
    return as_tensor(np.asarray(shape, np.int64))


def _sparse_to_dense(indices: Any, values: Any, sparse_shape: Any) -> Tensor:
    return _coo(indices, values, sparse_shape).to_dense()


_same("SparseToDense", _sparse_to_dense)


@_calls(S.csr_mm)
def _sparse_dense_matmul(
    op: PrimitiveClass, indices: Any, values: Any, sparse_shape: Any, dense: Any
) -> Tensor:
    from mind.core import ops

    x = _coo(indices, values, sparse_shape)
    if x.ndim != 2:
        raise MindValueError("For 'SparseTensorDenseMatmul', the sparse tensor must be 2-D")
    b = as_tensor(dense)
    if op.adjoint_dt:
        b = A.transpose(ops.conj(b) if b.dtype.kind == "c" else b, (1, 0))
    if op.adjoint_st:
        x = S.COOTensor(
            ops.flip(x.indices, (1,)),
            ops.conj(x.values) if x.dtype.kind == "c" else x.values,
            x.shape[::-1],
        )
    return x.to_csr().mm(b)


_define("SparseTensorDenseMatmul", _sparse_dense_matmul, adjoint_st=False, adjoint_dt=False)


def _sparse_add(
    x1_indices: Any,
    x1_values: Any,
    x1_shape: Any,
    x2_indices: Any,
    x2_values: Any,
    x2_shape: Any,
    thresh: Any,
) -> tuple[Tensor, Tensor, Tensor]:
    out = S.coo_add(
        _coo(x1_indices, x1_values, x1_shape), _coo(x2_indices, x2_values, x2_shape), thresh
    )
    return E.cast(out.indices, "int64"), out.values, _shape_tensor(out.shape)


_same("SparseAdd", _sparse_add)


def _reordered(x: S.COOTensor) -> S.COOTensor:
    from mind.core import ops

    order = ops.argsort(x._linear())
    return S.COOTensor(A.gather(x.indices, order, 0), A.gather(x.values, order, 0), x.shape)


def _sparse_reorder(indices: Any, values: Any, shape: Any) -> tuple[Tensor, Tensor]:
    out = _reordered(_coo(indices, values, shape))
    return E.cast(out.indices, as_tensor(indices).dtype), out.values


_same("SparseReorder", _sparse_reorder)


def _sparse_reshape(indices: Any, shape: Any, new_shape: Any) -> tuple[Tensor, Tensor]:
    old = S._shape_of(shape)
    new = list(S._shape_of(new_shape))
    total = int(np.prod(old))
    if new.count(-1) > 1:
        raise MindValueError(f"For 'SparseReshape', 'new_shape' has more than one -1: {new}")
    if -1 in new:
        known = int(np.prod([s for s in new if s != -1]))
        new[new.index(-1)] = total // known if known else 0
    if int(np.prod(new)) != total:
        raise MindValueError(
            f"For 'SparseReshape', 'new_shape' {new} must hold the {total} entries of {old}"
        )
    values = A.zeros((as_tensor(indices).shape[0],), "float32")
    linear = _coo(indices, values, old)._linear()
    strides = np.cumprod((1, *new[:0:-1]))[::-1].astype(np.int64)
    from mind.core import ops

    at = ops.floor_mod(
        ops.floor_div(A.expand_dims(linear, 1), as_tensor(strides)), as_tensor(np.int64(new))
    )
    return at, _shape_tensor(tuple(new))


_same("SparseReshape", _sparse_reshape)


def _segment_mean_n(x: Any, indices: Any, segment_ids: Any, num_segments: Any) -> Tensor:
    from mind.core import ops

    x, ids = as_tensor(x), E.cast(as_tensor(segment_ids), "int32")
    n = int(num_segments.item() if isinstance(num_segments, Tensor) else num_segments)
    total = ops.unsorted_segment_sum(A.gather(x, as_tensor(indices), 0), ids, n)
    counts = ops.unsorted_segment_sum(A.ones(ids.shape, x.dtype), ids, n)
    counts = A.reshape(E.maximum(counts, as_tensor(1, x.dtype)), (n,) + (1,) * (x.ndim - 1))
    return E.div(total, counts)


_same("SparseSegmentMeanWithNumSegments", _segment_mean_n)


def _cwise(fn: Any) -> Any:
    def apply(x1_indices: Any, x1_values: Any, x1_shape: Any, x2: Any) -> Tensor:
        x = _coo(x1_indices, x1_values, x1_shape)
        dense = A.broadcast_to(as_tensor(x2), x.shape)
        return fn(x.values, A.gather_nd(dense, x.indices))

    return apply


for _name, _fn in {
    "SparseDenseCwiseAdd": E.add,
    "SparseDenseCwiseMul": E.mul,
    "SparseDenseCwiseDiv": E.div,
}.items():
    _same(_name, _cwise(_fn))


def _sparse_sparse(fn: Any) -> Any:
    """Element-wise over the union of two sparse tensors' entries (an entry one lacks is 0),
    in row-major order."""

    def apply(
        x1_indices: Any,
        x1_values: Any,
        x1_shape: Any,
        x2_indices: Any,
        x2_values: Any,
        x2_shape: Any,
    ) -> tuple[Tensor, Tensor]:
        a = _coo(x1_indices, x1_values, x1_shape).coalesce()
        b = _coo(x2_indices, x2_values, x2_shape).coalesce()
        if a.shape != b.shape:
            raise MindValueError(f"The sparse shapes differ: {a.shape} and {b.shape}")
        union = S.COOTensor(
            A.concat([E.cast(a.indices, "int64"), E.cast(b.indices, "int64")], 0),
            A.zeros((a.size + b.size,), a.dtype),
            a.shape,
        ).coalesce()
        da, db = a.to_dense(), b.to_dense()
        values = fn(A.gather_nd(da, union.indices), A.gather_nd(db, union.indices))
        return E.cast(union.indices, "int64"), values

    return apply


_same("SparseSparseMaximum", _sparse_sparse(E.maximum))
_same("SparseSparseMinimum", _sparse_sparse(E.minimum))


def _sparse_addmm(
    x1_indices: Any, x1_values: Any, x1_shape: Any, x2: Any, x3: Any, alpha: Any, beta: Any
) -> Tensor:
    product = _coo(x1_indices, x1_values, x1_shape).to_csr().mm(x2)
    alpha, beta = as_tensor(alpha), as_tensor(beta)
    return E.add(E.mul(product, A.reshape(alpha, ())), E.mul(as_tensor(x3), A.reshape(beta, ())))


_same("SparseAddmm", _sparse_addmm)


def _to_csr_matrix(
    x_indices: Any, x_values: Any, x_dense_shape: Any
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """A 2-D or batched 3-D COO tensor -> (dense_shape, batch_pointers, row_pointers,
    col_indices, values)."""
    from mind.core import ops

    shape = S._shape_of(x_dense_shape)
    x = _reordered(_coo(x_indices, x_values, shape))
    dtype = as_tensor(x_indices).dtype
    if len(shape) == 2:
        csr = x.to_csr()
        batch = as_tensor(np.asarray([0, x.size]))
        parts = (batch, csr.indptr, csr.indices)
    elif len(shape) == 3:
        nb, rows = shape[0], shape[1]
        at = E.cast(x.indices, "int32")
        b, r = A.getitem(at, (slice(None), 0)), A.getitem(at, (slice(None), 1))
        per_batch = ops.unsorted_segment_sum(A.ones(b.shape, "int32"), b, nb)
        batch = ops.cumsum(A.concat([A.zeros((1,), "int32"), per_batch], 0), 0)
        per_row = A.reshape(
            ops.unsorted_segment_sum(A.ones(b.shape, "int32"), E.add(E.mul(b, rows), r), nb * rows),
            (nb, rows),
        )
        row_ptr = ops.cumsum(A.concat([A.zeros((nb, 1), "int32"), per_row], 1), 1)
        parts = (batch, A.reshape(row_ptr, (-1,)), A.getitem(at, (slice(None), 2)))
    else:
        raise MindValueError(
            f"For 'SparseTensorToCSRSparseMatrix', the shape must be 2-D or 3-D, got {shape}"
        )
    return (_shape_tensor(shape).astype(dtype), *(E.cast(p, dtype) for p in parts), x.values)


_same("SparseTensorToCSRSparseMatrix", _to_csr_matrix)


def _csr_matrix_dense(
    dense_shape: Any, batch_pointers: Any, row_pointers: Any, col_indices: Any, values: Any
) -> Tensor:
    shape = S._shape_of(dense_shape)
    if len(shape) == 2:
        return S.CSRTensor(row_pointers, col_indices, values, shape).to_dense()
    ptr = np.asarray(as_tensor(batch_pointers).asnumpy())
    rows = as_tensor(row_pointers)
    out = []
    for i in range(shape[0]):
        lo, hi = int(ptr[i]), int(ptr[i + 1])
        part = A.getitem(rows, slice(i * (shape[1] + 1), (i + 1) * (shape[1] + 1)))
        out.append(
            S.CSRTensor(
                part,
                A.getitem(as_tensor(col_indices), slice(lo, hi)),
                A.getitem(as_tensor(values), slice(lo, hi)),
                shape[1:],
            ).to_dense()
        )
    return A.stack(out, 0)


_same("CSRSparseMatrixToDense", _csr_matrix_dense)


@_calls(S.csr_mm)
def _sparse_matrix_matmul(
    op: PrimitiveClass,
    x1_dense_shape: Any,
    x1_batch_pointers: Any,
    x1_row_pointers: Any,
    x1_col_indices: Any,
    x1_values: Any,
    x2_dense: Any,
) -> Tensor:
    from mind.core import ops

    a = _csr_matrix_dense(
        x1_dense_shape, x1_batch_pointers, x1_row_pointers, x1_col_indices, x1_values
    )
    b = as_tensor(x2_dense)

    def oriented(x: Tensor, trans: bool, adjoint: bool) -> Tensor:
        if adjoint and x.dtype.kind == "c":
            x = ops.conj(x)
        return ops.swapaxes(x, -1, -2) if trans or adjoint else x

    out = ops.matmul(
        oriented(a, op.transpose_x1, op.adjoint_x1), oriented(b, op.transpose_x2, op.adjoint_x2)
    )
    if op.transpose_output:
        out = ops.swapaxes(out, -1, -2)
    if op.conjugate_output and out.dtype.kind == "c":
        out = ops.conj(out)
    return out


_define(
    "SparseMatrixMatMul",
    _sparse_matrix_matmul,
    transpose_x1=False,
    transpose_x2=False,
    adjoint_x1=False,
    adjoint_x2=False,
    transpose_output=False,
    conjugate_output=False,
)


@_calls(S.csr_softmax)
def _sparse_matrix_softmax(
    op: PrimitiveClass,
    x_dense_shape: Any,
    x_batch_pointers: Any,
    x_row_pointers: Any,
    x_col_indices: Any,
    x_values: Any,
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    shape = S._shape_of(x_dense_shape)
    if len(shape) != 2:
        raise MindValueError(f"For 'SparseMatrixSoftmax', the matrix must be 2-D, got {shape}")
    m = S.CSRTensor(x_row_pointers, x_col_indices, x_values, shape)
    out = S.csr_softmax(m, op.dtype)
    return x_dense_shape, x_batch_pointers, x_row_pointers, x_col_indices, out.values


_define("SparseMatrixSoftmax", _sparse_matrix_softmax, dtype=_REQUIRED)
