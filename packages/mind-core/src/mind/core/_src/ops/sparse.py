"""``CSRTensor``: a 2-D sparse matrix in compressed sparse row form, as MindSpore's.

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

__all__ = ["CSRTensor"]


class CSRTensor:
    """``CSRTensor(indptr, indices, values, shape)`` or ``CSRTensor(csr_tensor=other)``: row
    ``i`` holds ``values[indptr[i]:indptr[i + 1]]`` at columns ``indices[indptr[i]:indptr[i +
    1]]``.

    >>> m = CSRTensor(Tensor([0, 1, 2]), Tensor([0, 3]), Tensor([1.0, 2.0]), (2, 4))
    >>> m.to_dense()   # [[1, 0, 0, 0], [0, 0, 0, 2]]
    """

    _fields = ("indptr", "indices", "values", "shape")  # how jit and control flow take it apart

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
