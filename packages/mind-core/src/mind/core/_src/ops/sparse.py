"""Sparse tensors as MindSpore's: ``CSRTensor`` (a 2-D matrix in compressed sparse row form),
``COOTensor`` (coordinates and values, any rank), ``RowTensor`` (a few rows of a dense tensor),
and MindSpore's sparse functional ops (``coo_*``, ``csr_*``, ``dense_to_sparse_*``...).

``indptr`` (rows + 1 offsets), ``indices`` (the column of each stored value) and ``values`` are
Tensors, ``shape`` a static pair. Its operations are ops on those three (so they run in PyNative
mode, under ``grad`` with respect to ``values`` and inside ``jit``), with the work linear in the
number of stored values: ``mv`` and ``mm`` gather the dense rows each value meets and add them
into its row, never forming the dense matrix. A CSRTensor may be a ``jit`` argument or result
and a variable a converted ``while``/``if`` carries (its shape stays the same).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ir.trace import TraceValue
from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops.reduce import sum as sum_
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

# The functional ops (the classes are exported by mind.core).
__all__ = [
    "coalesce",
    "coo_add",
    "coo_concat",
    "csr_add",
    "csr_div",
    "csr_mm",
    "csr_mul",
    "csr_mv",
    "csr_reduce_sum",
    "csr_softmax",
    "csr_to_coo",
    "csr_to_dense",
    "dense_to_sparse_coo",
    "dense_to_sparse_csr",
    "sparse_segment_mean",
]


class CSRTensor:
    """``CSRTensor(indptr, indices, values, shape)`` or ``CSRTensor(csr_tensor=other)``: row
    ``i`` holds ``values[indptr[i]:indptr[i + 1]]`` at columns ``indices[indptr[i]:indptr[i +
    1]]``.

    >>> m = CSRTensor(Tensor([0, 1, 2]), Tensor([0, 3]), Tensor([1.0, 2.0]), (2, 4))
    >>> m.to_dense()   # [[1, 0, 0, 0], [0, 0, 0, 2]]
    """

    _fields = ("indptr", "indices", "values", "shape")  # how jit and control flow take it apart
    _parts = ("indptr", "indices", "values")  # its Tensors (a jit argument's inputs)

    def __init__(
        self,
        indptr: Any = None,
        indices: Any = None,
        values: Any = None,
        shape: Any = None,
        csr_tensor: CSRTensor | None = None,
    ) -> None:
        if csr_tensor is not None:
            if not isinstance(csr_tensor, CSRTensor):
                raise MindTypeError(
                    f"For 'CSRTensor', 'csr_tensor' must be a CSRTensor, got "
                    f"{type(csr_tensor).__name__}"
                )
            indptr, indices, values, shape = csr_tensor.to_tuple()
        if any(v is None for v in (indptr, indices, values, shape)):
            raise MindValueError(
                "For 'CSRTensor', give 'indptr', 'indices', 'values' and 'shape' (or 'csr_tensor')"
            )
        self.indptr, self.indices, self.values = (as_tensor(v) for v in (indptr, indices, values))
        self.shape = tuple(int(s) for s in shape)
        self._check()

    def _check(self) -> None:
        if len(self.shape) != 2 or min(self.shape) < 0:
            raise MindValueError(f"For 'CSRTensor', 'shape' must be 2 sizes, got {self.shape}")
        for name in ("indptr", "indices"):
            t = getattr(self, name)
            if t.ndim != 1 or t.dtype.kind not in "iu":
                raise MindTypeError(
                    f"For 'CSRTensor', '{name}' must be a 1-D integer Tensor, got {t.dtype} of "
                    f"shape {t.shape}"
                )
        if self.values.ndim != 1:
            raise MindValueError(
                f"For 'CSRTensor', 'values' must be 1-D, got shape {self.values.shape}"
            )
        if self.indptr.shape[0] != self.shape[0] + 1:
            raise MindValueError(
                f"For 'CSRTensor', 'indptr' must have rows + 1 = {self.shape[0] + 1} entries, "
                f"got {self.indptr.shape[0]}"
            )
        if self.indices.shape[0] != self.values.shape[0]:
            raise MindValueError(
                f"For 'CSRTensor', 'indices' and 'values' must have one length, got "
                f"{self.indices.shape[0]} and {self.values.shape[0]}"
            )
        if isinstance(self.indptr._data, TraceValue) or isinstance(self.indices._data, TraceValue):
            return  # values known when the graph runs
        ptr, cols = np.asarray(self.indptr._data), np.asarray(self.indices._data)
        if ptr[0] != 0 or ptr[-1] != cols.shape[0] or np.any(np.diff(ptr) < 0):
            raise MindValueError(
                f"For 'CSRTensor', 'indptr' must rise from 0 to the number of values "
                f"({cols.shape[0]}), got {ptr.tolist()}"
            )
        if cols.size and (cols.min() < 0 or cols.max() >= self.shape[1]):
            raise MindValueError(
                f"For 'CSRTensor', 'indices' must be columns in [0, {self.shape[1]}), got "
                f"{cols.min()}..{cols.max()}"
            )

    # -- what it is ----------------------------------------------------------------------------

    @property
    def dtype(self) -> Any:
        return self.values.dtype

    @property
    def size(self) -> int:
        """The number of stored values."""
        return int(self.values.shape[0])

    @property
    def itemsize(self) -> int:
        return self.values.itemsize

    @property
    def ndim(self) -> int:
        return 2

    def to_tuple(self) -> tuple:
        return self.indptr, self.indices, self.values, self.shape

    def __repr__(self) -> str:
        return (
            f"CSRTensor(shape={list(self.shape)}, dtype={self.dtype}, indptr={self.indptr}, "
            f"indices={self.indices}, values={self.values})"
        )

    # -- ops -----------------------------------------------------------------------------------

    def _rows(self) -> Tensor:
        """The row of each stored value: how many row ends lie at or before its position."""
        ends = A.getitem(self.indptr, slice(1, None))
        at = A.arange(0, self.size, dtype=self.indptr.dtype)
        return sum_(E.cast(E.less_equal(A.expand_dims(ends, 0), A.expand_dims(at, 1)), "int32"), 1)

    def _coordinates(self) -> Tensor:
        return A.stack([E.cast(self._rows(), "int32"), E.cast(self.indices, "int32")], 1)

    def to_dense(self) -> Tensor:
        zeros = A.zeros(self.shape, self.dtype)
        return A.tensor_scatter_add(zeros, self._coordinates(), self.values)

    def astype(self, dtype: Any) -> CSRTensor:
        return CSRTensor(self.indptr, self.indices, E.cast(self.values, dtype), self.shape)

    def abs(self) -> CSRTensor:
        return CSRTensor(self.indptr, self.indices, E.abs(self.values), self.shape)

    def _with(self, values: Tensor) -> CSRTensor:
        return CSRTensor(self.indptr, self.indices, values, self.shape)

    def to_coo(self) -> COOTensor:
        return COOTensor(E.cast(self._coordinates(), "int64"), self.values, self.shape)

    def __neg__(self) -> CSRTensor:
        return self._with(E.neg(self.values))

    def __add__(self, other: Any) -> CSRTensor:
        return csr_add(self, _same_shape(self, other, "+"), 1, 1)

    def __sub__(self, other: Any) -> CSRTensor:
        return csr_add(self, _same_shape(self, other, "-"), 1, -1)

    def __mul__(self, other: Any) -> CSRTensor:
        return csr_mul(self, other)

    def __truediv__(self, other: Any) -> CSRTensor:
        return csr_div(self, other)

    def add(self, b: CSRTensor, alpha: Any, beta: Any) -> CSRTensor:
        return csr_add(self, b, alpha, beta)

    def mv(self, dense_vector: Any) -> Tensor:
        """The matrix times a dense vector of ``shape[1]`` entries (or ``(shape[1], 1)``)."""
        v = as_tensor(dense_vector)
        column = v.ndim == 2
        if v.shape[0] != self.shape[1] or (column and v.shape[1] != 1) or v.ndim > 2:
            raise MindValueError(
                f"For 'CSRTensor.mv', the vector must have {self.shape[1]} entries, got shape "
                f"{v.shape}"
            )
        out = self.mm(v if column else A.expand_dims(v, 1))
        return out if column else A.reshape(out, (self.shape[0],))

    def mm(self, matrix: Any) -> Tensor:
        """The matrix times a dense ``(shape[1], n)`` matrix."""
        b = as_tensor(matrix)
        if b.ndim != 2 or b.shape[0] != self.shape[1]:
            raise MindValueError(
                f"For 'CSRTensor.mm', the matrix must be ({self.shape[1]}, n), got {b.shape}"
            )
        picked = A.gather(b, E.cast(self.indices, "int32"), 0)  # (nnz, n)
        terms = E.mul(A.expand_dims(self.values, 1), picked)
        rows = A.expand_dims(E.cast(self._rows(), "int32"), 1)
        zeros = A.zeros((self.shape[0], b.shape[1]), terms.dtype)
        return A.tensor_scatter_add(zeros, rows, terms)

    def sum(self, axis: int) -> Tensor:
        """Row sums (``axis=1``) or column sums (``axis=0``), kept as a 2-D column or row."""
        if axis not in (0, 1, -1, -2):
            raise MindValueError(f"For 'CSRTensor.sum', 'axis' must be 0 or 1, got {axis}")
        axis %= 2
        at = self._rows() if axis == 1 else self.indices
        size = self.shape[0] if axis == 1 else self.shape[1]
        out = A.tensor_scatter_add(
            A.zeros((size,), self.dtype), A.expand_dims(E.cast(at, "int32"), 1), self.values
        )
        return A.expand_dims(out, 1 if axis == 1 else 0)


def _same_shape(a: Any, b: Any, op: str) -> Any:
    if not isinstance(b, CSRTensor | COOTensor | Tensor) or tuple(b.shape) != tuple(a.shape):
        got = tuple(b.shape) if hasattr(b, "shape") else type(b).__name__
        raise MindValueError(
            f"For '{type(a).__name__}.__{op}__', the operands must have one shape, got "
            f"{a.shape} and {got}"
        )
    return b


class COOTensor:
    """``COOTensor(indices, values, shape)`` or ``COOTensor(coo_tensor=other)``: the tensor of
    ``shape`` that holds ``values[k]`` at ``indices[k]`` (an ``(N, ndim)`` integer Tensor) and
    zeros elsewhere. Repeated coordinates add up (``coalesce`` merges them).

    >>> m = COOTensor(Tensor([[0, 1], [1, 2]]), Tensor([1.0, 2.0]), (3, 4))
    >>> m.to_dense()   # [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]]
    """

    _fields = ("indices", "values", "shape")
    _parts = ("indices", "values")

    def __init__(
        self,
        indices: Any = None,
        values: Any = None,
        shape: Any = None,
        coo_tensor: COOTensor | None = None,
    ) -> None:
        if coo_tensor is not None:
            if not isinstance(coo_tensor, COOTensor):
                raise MindTypeError(
                    f"For 'COOTensor', 'coo_tensor' must be a COOTensor, got "
                    f"{type(coo_tensor).__name__}"
                )
            indices, values, shape = coo_tensor.to_tuple()
        if any(v is None for v in (indices, values, shape)):
            raise MindValueError(
                "For 'COOTensor', give 'indices', 'values' and 'shape' (or 'coo_tensor')"
            )
        self.indices, self.values = as_tensor(indices), as_tensor(values)
        self.shape = tuple(int(s) for s in shape)
        self._check()

    def _check(self) -> None:
        i, v = self.indices, self.values
        if i.ndim != 2 or i.dtype.kind not in "iu":
            raise MindTypeError(
                f"For 'COOTensor', 'indices' must be a 2-D integer Tensor, got {i.dtype} of "
                f"shape {i.shape}"
            )
        if v.ndim != 1 or v.shape[0] != i.shape[0]:
            raise MindValueError(
                f"For 'COOTensor', 'values' must be 1-D with one value per row of 'indices' "
                f"({i.shape[0]}), got shape {v.shape}"
            )
        if i.shape[1] != len(self.shape) or min(self.shape, default=0) < 0:
            raise MindValueError(
                f"For 'COOTensor', 'shape' must have {i.shape[1]} sizes (the columns of "
                f"'indices'), got {self.shape}"
            )
        if isinstance(i._data, TraceValue):
            return
        at = np.asarray(i._data)
        if at.size and (at.min() < 0 or np.any(at.max(0) >= np.asarray(self.shape))):
            raise MindValueError(
                f"For 'COOTensor', 'indices' must lie inside the shape {self.shape}, got "
                f"{at.tolist()}"
            )

    @property
    def dtype(self) -> Any:
        return self.values.dtype

    @property
    def size(self) -> int:
        """The number of stored values."""
        return int(self.values.shape[0])

    @property
    def itemsize(self) -> int:
        return self.values.itemsize

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def to_tuple(self) -> tuple:
        return self.indices, self.values, self.shape

    def __repr__(self) -> str:
        return (
            f"COOTensor(shape={list(self.shape)}, dtype={self.dtype}, indices={self.indices}, "
            f"values={self.values})"
        )

    def _with(self, values: Tensor) -> COOTensor:
        return COOTensor(self.indices, values, self.shape)

    def _linear(self) -> Tensor:
        """Each stored value's row-major position in the dense tensor (int64)."""
        strides = np.cumprod((1, *self.shape[:0:-1]))[::-1].astype(np.int64)
        return sum_(E.mul(E.cast(self.indices, "int64"), as_tensor(strides)), 1)

    def to_dense(self) -> Tensor:
        return A.tensor_scatter_add(A.zeros(self.shape, self.dtype), self.indices, self.values)

    def astype(self, dtype: Any) -> COOTensor:
        return self._with(E.cast(self.values, dtype))

    def abs(self) -> COOTensor:
        return self._with(E.abs(self.values))

    def coalesce(self) -> COOTensor:
        """Coordinates sorted (row-major) and each stored once, repeated ones' values added."""
        from mind.core import ops

        if not self.size:  # nothing to merge (and no segments to sum into)
            return COOTensor(self.indices, self.values, self.shape)
        order = ops.argsort(self._linear())
        linear = A.gather(self._linear(), order, 0)
        unique, at = ops.unique_consecutive(linear, return_idx=True)
        n = int(unique.shape[0])
        values = ops.unsorted_segment_sum(A.gather(self.values, order, 0), at, n)
        indices = A.gather(self.indices, A.gather(order, _firsts(at, n), 0), 0)
        return COOTensor(indices, values, self.shape)

    def to_csr(self) -> CSRTensor:
        """The CSRTensor of a 2-D COOTensor (its entries sorted by row, then column)."""
        if self.ndim != 2:
            raise MindValueError(
                f"For 'COOTensor.to_csr', the tensor must be 2-D, got {self.shape}"
            )
        from mind.core import ops

        order = ops.argsort(self._linear())
        indices = A.gather(self.indices, order, 0)
        rows = E.cast(A.getitem(indices, (slice(None), 0)), "int32")
        counts = ops.unsorted_segment_sum(A.ones(rows.shape, "int32"), rows, self.shape[0])
        indptr = ops.cumsum(A.concat([A.zeros((1,), "int32"), counts], 0), 0)
        columns = E.cast(A.getitem(indices, (slice(None), 1)), "int32")
        return CSRTensor(
            E.cast(indptr, "int32"), columns, A.gather(self.values, order, 0), self.shape
        )

    def __neg__(self) -> COOTensor:
        return self._with(E.neg(self.values))

    def __add__(self, other: Any) -> Any:
        other = _same_shape(self, other, "add")
        if isinstance(other, Tensor):
            return A.tensor_scatter_add(other, self.indices, self.values)
        if isinstance(other, COOTensor):
            return coo_add(self, other, as_tensor(0, self.dtype))
        raise MindTypeError(f"For 'COOTensor.__add__', got a {type(other).__name__}")

    def __sub__(self, other: Any) -> Any:
        other = _same_shape(self, other, "sub")
        if isinstance(other, CSRTensor):
            raise MindTypeError("For 'COOTensor.__sub__', got a CSRTensor")
        return self + (-other)

    def __mul__(self, other: Any) -> COOTensor:
        other = _same_shape(self, other, "mul")
        if not isinstance(other, Tensor):
            raise MindTypeError(f"For 'COOTensor.__mul__', got a {type(other).__name__}")
        return self._with(E.mul(self.values, A.gather_nd(other, self.indices)))

    def __truediv__(self, other: Any) -> COOTensor:
        other = _same_shape(self, other, "div")
        if not isinstance(other, Tensor):
            raise MindTypeError(f"For 'COOTensor.__truediv__', got a {type(other).__name__}")
        return self._with(E.div(self.values, A.gather_nd(other, self.indices)))

    def add(self, other: COOTensor, thresh: Any) -> COOTensor:
        return coo_add(self, other, thresh)


def _firsts(at: Tensor, n: int) -> Tensor:
    """For sorted group ids ``at``, the position where each of the ``n`` groups starts."""
    from mind.core import ops

    if not n:
        return A.zeros((0,), "int64")
    positions = A.arange(0, int(at.shape[0]), dtype="int64")
    return E.cast(ops.unsorted_segment_min(positions, at, n), "int64")


class RowTensor:
    """``RowTensor(indices, values, shape)``: the tensor of ``shape`` whose rows ``indices[k]``
    are ``values[k]`` (rows of one index add up) and whose other rows are zeros: how MindSpore
    describes the gradient of a gather from a table."""

    _fields = ("indices", "values", "shape")
    _parts = ("indices", "values")

    def __init__(
        self,
        indices: Any = None,
        values: Any = None,
        shape: Any = None,
        row_tensor: RowTensor | None = None,
    ) -> None:
        if row_tensor is not None:
            indices, values, shape = row_tensor.indices, row_tensor.values, row_tensor.dense_shape
        if any(v is None for v in (indices, values, shape)):
            raise MindValueError(
                "For 'RowTensor', give 'indices', 'values' and 'shape' (or 'row_tensor')"
            )
        self.indices, self.values = as_tensor(indices), as_tensor(values)
        self.dense_shape = tuple(int(s) for s in shape)
        if self.indices.ndim != 1 or self.values.shape[1:] != self.dense_shape[1:]:
            raise MindValueError(
                f"For 'RowTensor', 'indices' must be 1-D and 'values' rows of "
                f"{self.dense_shape[1:]}, got {self.indices.shape} and {self.values.shape}"
            )

    @property
    def shape(self) -> tuple[int, ...]:
        return self.dense_shape

    @property
    def dtype(self) -> Any:
        return self.values.dtype

    def to_tuple(self) -> tuple:
        return self.indices, self.values, self.dense_shape

    def to_dense(self) -> Tensor:
        at = A.expand_dims(E.cast(self.indices, "int32"), 1)
        return A.tensor_scatter_add(A.zeros(self.dense_shape, self.dtype), at, self.values)

    def __repr__(self) -> str:
        return f"RowTensor(dense_shape={list(self.dense_shape)}, indices={self.indices})"


SPARSE_TYPES = (CSRTensor, COOTensor, RowTensor)


# -- functional ops ----------------------------------------------------------------------------


def _need(x: Any, cls: type, op: str, name: str = "x") -> Any:
    if not isinstance(x, cls):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a {cls.__name__}, got {type(x).__name__}"
        )
    return x


def _unary(name: str, cls: type) -> Any:
    prefix = "csr" if cls is CSRTensor else "coo"

    def op(x: Any) -> Any:
        from mind.core import ops

        _need(x, cls, f"{prefix}_{name}")
        return x._with(getattr(ops, name)(x.values))

    op.__name__ = op.__qualname__ = f"{prefix}_{name}"
    op.__doc__ = f"``{name}`` of each stored value of a {cls.__name__} (the structure kept)."
    return op


_UNARY = (
    "abs acos acosh asin asinh atan atanh ceil cos cosh exp expm1 floor inv isfinite isinf isnan "
    "log log1p neg relu relu6 round sigmoid sin sinh softsign sqrt square tan tanh"
).split()
for _name in _UNARY:
    for _cls in (CSRTensor, COOTensor):
        _op = _unary(_name, _cls)
        globals()[_op.__name__] = _op
        __all__.append(_op.__name__)


def coalesce(x_indices: Any, x_values: Any, x_shape: Any) -> tuple[Tensor, Tensor, Tensor]:
    """MindSpore's ``Coalesce`` on a sparse tensor given as ``indices`` of shape ``(ndim, N)``:
    coordinates sorted and unique, repeated ones' values added; returns indices, values, shape."""
    shape = _shape_of(x_shape)
    x = COOTensor(A.transpose(as_tensor(x_indices), (1, 0)), x_values, shape).coalesce()
    return (
        E.cast(A.transpose(x.indices, (1, 0)), "int64"),
        x.values,
        as_tensor(np.asarray(shape, np.int64)),
    )


def _shape_of(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        return tuple(int(s) for s in np.asarray(shape.asnumpy()).tolist())
    return tuple(int(s) for s in shape)


def coo_add(x1: COOTensor, x2: COOTensor, thresh: Any) -> COOTensor:
    """``x1 + x2`` as a COOTensor, sorted and coalesced, keeping the entries whose absolute value
    is at least ``thresh``."""
    from mind.core import ops

    _need(x1, COOTensor, "coo_add", "x1")
    _need(x2, COOTensor, "coo_add", "x2")
    if x1.shape != x2.shape:
        raise MindValueError(f"For 'coo_add', the shapes differ: {x1.shape} and {x2.shape}")
    indices = A.concat([E.cast(x1.indices, "int64"), E.cast(x2.indices, "int64")], 0)
    values = A.concat([x1.values, E.cast(x2.values, x1.dtype)], 0)
    total = COOTensor(indices, values, x1.shape).coalesce()
    thresh = as_tensor(thresh)
    if thresh.ndim != 0:
        raise MindValueError(f"For 'coo_add', 'thresh' must be 0-D, got shape {thresh.shape}")
    keep = E.greater_equal(E.abs(total.values), E.cast(thresh, E.abs(total.values).dtype))
    where = ops.nonzero(keep)[:, 0] if total.size else A.zeros((0,), "int64")
    return COOTensor(A.gather(total.indices, where, 0), A.gather(total.values, where, 0), x1.shape)


def coo_concat(sp_input: Any, concat_dim: int = 0) -> COOTensor:
    """The COOTensors of ``sp_input`` joined along ``concat_dim`` (the others' sizes equal)."""
    if not isinstance(sp_input, list | tuple) or len(sp_input) < 2:
        raise MindValueError("For 'coo_concat', 'sp_input' must be a list of 2 or more COOTensors")
    for x in sp_input:
        _need(x, COOTensor, "coo_concat", "sp_input")
    first = sp_input[0]
    ndim = first.ndim
    if not -ndim <= concat_dim < ndim:
        raise MindValueError(f"For 'coo_concat', 'concat_dim' must be in [-{ndim}, {ndim})")
    axis = concat_dim % ndim
    for x in sp_input:
        if x.ndim != ndim or any(
            a != b for j, (a, b) in enumerate(zip(x.shape, first.shape)) if j != axis
        ):
            raise MindValueError(
                f"For 'coo_concat', the shapes must agree off axis {axis}, got {first.shape} "
                f"and {x.shape}"
            )
    parts, offset = [], 0
    for x in sp_input:
        shift = np.zeros((1, ndim), np.int64)
        shift[0, axis] = offset
        parts.append(E.add(E.cast(x.indices, "int64"), as_tensor(shift)))
        offset += x.shape[axis]
    shape = tuple(offset if j == axis else s for j, s in enumerate(first.shape))
    values = A.concat([E.cast(x.values, first.dtype) for x in sp_input], 0)
    joined = COOTensor(A.concat(parts, 0), values, shape)
    from mind.core import ops

    order = ops.argsort(joined._linear())
    return COOTensor(A.gather(joined.indices, order, 0), A.gather(values, order, 0), shape)


def csr_to_coo(tensor: CSRTensor) -> COOTensor:
    return _need(tensor, CSRTensor, "csr_to_coo", "tensor").to_coo()


def csr_to_dense(csr_tensor: CSRTensor) -> Tensor:
    return _need(csr_tensor, CSRTensor, "csr_to_dense", "csr_tensor").to_dense()


def csr_mv(csr_tensor: CSRTensor, dense: Any) -> Tensor:
    """The CSRTensor times a dense ``(shape[1], 1)`` column (or vector)."""
    return _need(csr_tensor, CSRTensor, "csr_mv", "csr_tensor").mv(dense)


def csr_reduce_sum(csr_tensor: CSRTensor, axis: int) -> Tensor:
    return _need(csr_tensor, CSRTensor, "csr_reduce_sum", "csr_tensor").sum(axis)


def _dense_at(x: CSRTensor, y: Any, op: str) -> Tensor:
    """The dense ``y`` (broadcast to the matrix's shape) at each stored value's position."""
    _need(x, CSRTensor, op)
    y = A.broadcast_to(as_tensor(y), x.shape)
    return A.gather_nd(y, x._coordinates())


def csr_mul(x: CSRTensor, y: Any) -> CSRTensor:
    """Each stored value times the dense ``y`` (broadcast to the matrix) at its position."""
    return x._with(E.mul(x.values, _dense_at(x, y, "csr_mul")))


def csr_div(x: CSRTensor, y: Any) -> CSRTensor:
    """Each stored value divided by the dense ``y`` (broadcast to the matrix) at its position."""
    return x._with(E.div(x.values, _dense_at(x, y, "csr_div")))


def csr_add(a: CSRTensor, b: CSRTensor, alpha: Any, beta: Any) -> CSRTensor:
    """``alpha * a + beta * b`` as a CSRTensor storing the union of both structures."""
    _need(a, CSRTensor, "csr_add", "a")
    _need(b, CSRTensor, "csr_add", "b")
    if a.shape != b.shape:
        raise MindValueError(f"For 'csr_add', the shapes differ: {a.shape} and {b.shape}")
    alpha, beta = (E.cast(as_tensor(s), a.dtype) for s in (alpha, beta))
    ca, cb = a.to_coo(), b.to_coo()
    values = A.concat([E.mul(ca.values, alpha), E.mul(E.cast(cb.values, a.dtype), beta)], 0)
    both = COOTensor(A.concat([ca.indices, cb.indices], 0), values, a.shape)
    return both.coalesce().to_csr()


def csr_mm(
    a: CSRTensor,
    b: Any,
    trans_a: bool = False,
    trans_b: bool = False,
    adjoint_a: bool = False,
    adjoint_b: bool = False,
) -> Any:
    """``a @ b``: a CSRTensor when ``b`` is one (its nonzero products stored), a dense Tensor
    when ``b`` is dense. ``trans_*``/``adjoint_*`` transpose (and conjugate) an operand first."""
    _need(a, CSRTensor, "csr_mm", "a")
    from mind.core import ops

    def oriented(x: Tensor, trans: bool, adjoint: bool) -> Tensor:
        if adjoint:
            x = ops.conj(x) if x.dtype.kind == "c" else x
        return A.transpose(x, (1, 0)) if trans or adjoint else x

    if isinstance(b, CSRTensor):
        left = oriented(a.to_dense(), trans_a, adjoint_a)
        right = oriented(b.to_dense(), trans_b, adjoint_b)
        return dense_to_sparse_csr(ops.matmul(left, right))
    if trans_a or adjoint_a or trans_b or adjoint_b:
        left = oriented(a.to_dense(), trans_a, adjoint_a)
        return ops.matmul(left, oriented(as_tensor(b), trans_b, adjoint_b))
    return a.mm(b)


def csr_softmax(logits: CSRTensor, dtype: Any = None) -> CSRTensor:
    """The softmax of each row's stored values (the entries not stored take no part)."""
    from mind.core import ops

    _need(logits, CSRTensor, "csr_softmax", "logits")
    values = logits.values if dtype is None else E.cast(logits.values, dtype)
    rows = E.cast(logits._rows(), "int32")
    n = logits.shape[0]
    top = A.gather(ops.stop_gradient(ops.unsorted_segment_max(values, rows, n)), rows, 0)
    e = E.exp(E.sub(values, top))
    total = A.gather(ops.unsorted_segment_sum(e, rows, n), rows, 0)
    return logits._with(E.div(e, total))


def dense_to_sparse_coo(tensor: Any) -> COOTensor:
    """The COOTensor of a dense tensor's nonzero entries (row-major order)."""
    from mind.core import ops

    x = as_tensor(tensor)
    at = ops.nonzero(x)
    return COOTensor(E.cast(at, "int64"), A.gather_nd(x, at), x.shape)


def dense_to_sparse_csr(tensor: Any) -> CSRTensor:
    """The CSRTensor of a 2-D dense tensor's nonzero entries."""
    x = as_tensor(tensor)
    if x.ndim != 2:
        raise MindValueError(f"For 'dense_to_sparse_csr', the tensor must be 2-D, got {x.shape}")
    return dense_to_sparse_coo(x).to_csr()


def sparse_segment_mean(x: Any, indices: Any, segment_ids: Any) -> Tensor:
    """``out[s]``: the mean of the rows ``x[indices[k]]`` whose ``segment_ids[k]`` is ``s``
    (sorted ids; ``segment_ids[-1] + 1`` segments, empty ones zero)."""
    from mind.core import ops

    x, indices, ids = as_tensor(x), as_tensor(indices), as_tensor(segment_ids)
    if indices.ndim != 1 or ids.shape != indices.shape:
        raise MindValueError(
            f"For 'sparse_segment_mean', 'indices' and 'segment_ids' must be 1-D of one length, "
            f"got {indices.shape} and {ids.shape}"
        )
    n = int(ids.asnumpy()[-1]) + 1 if ids.shape[0] else 0
    ids32 = E.cast(ids, "int32")
    total = ops.unsorted_segment_sum(A.gather(x, indices, 0), ids32, n)
    counts = ops.unsorted_segment_sum(A.ones(ids.shape, x.dtype), ids32, n)
    counts = A.reshape(E.maximum(counts, as_tensor(1, x.dtype)), (n,) + (1,) * (x.ndim - 1))
    return E.div(total, counts)
