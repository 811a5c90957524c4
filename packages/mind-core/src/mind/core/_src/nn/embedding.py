"""Embedding lookups with MindSpore's names (EmbeddingLookup, MultiFieldEmbeddingLookup).

MindSpore's versions exist to split a huge table across devices or a parameter server
(``target``, ``slice_mode``, ``manual_shapes``, ``vocab_cache_size``); Mind keeps those
arguments (validated and recorded) and looks rows up in the one table. Like MindSpore's CPU
lookup, an index outside [0, vocab_size) reads a row of zeros.
"""

from __future__ import annotations

from typing import Any

from mind.core._src.nn.basic import ClipByNorm
from mind.core._src.nn.cell import Cell
from mind.core._src.nn.initializer import initializer
from mind.core._src.nn.layers import _params_in
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.ops.nn_functional import _lookup_rows
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["EmbeddingLookup", "MultiFieldEmbeddingLookup"]

_SLICE_MODES = ("field_slice", "table_row_slice", "table_column_slice", "batch_slice")


class EmbeddingLookup(Cell):
    """Rows of the ``embedding_table`` parameter (vocab_size, embedding_size) at ``indices``:
    output ``indices.shape + (embedding_size,)``. With ``max_norm`` each looked-up row is
    scaled down to L2 norm at most ``max_norm``.

    >>> lookup = nn.EmbeddingLookup(4, 2)
    >>> lookup(Tensor(np.array([[1, 0], [3, 2]]), ms.int32)).shape   # (2, 2, 2)
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_size: int,
        param_init: Any = "normal",
        target: str = "CPU",
        slice_mode: str = "batch_slice",
        manual_shapes: Any = None,
        max_norm: Any = None,
        sparse: bool = True,
        vocab_cache_size: int = 0,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.vocab_size = I.check_int(name, "vocab_size", vocab_size, minimum=1)
        self.embedding_size = I.check_int(name, "embedding_size", embedding_size, minimum=1)
        if target not in ("CPU", "DEVICE"):
            raise MindValueError(
                f"For '{name}', 'target' must be 'CPU' or 'DEVICE', but got {target!r}."
            )
        if slice_mode not in _SLICE_MODES:
            raise MindValueError(
                f"For '{name}', 'slice_mode' must be one of {list(_SLICE_MODES)}, but got "
                f"{slice_mode!r}."
            )
        I.check_bool(name, "sparse", sparse)
        I.check_int(name, "vocab_cache_size", vocab_cache_size, minimum=0)
        if max_norm is not None:
            max_norm = I.check_number(name, "max_norm", max_norm)
            if max_norm <= 0:
                raise MindValueError(f"For '{name}', 'max_norm' must be > 0, but got {max_norm}.")
        self.target, self.slice_mode, self.manual_shapes = target, slice_mode, manual_shapes
        self.max_norm, self.sparse, self.vocab_cache_size = max_norm, sparse, vocab_cache_size
        self.embedding_table = Parameter(
            initializer(param_init, (vocab_size, embedding_size)), name="embedding_table"
        )
        _params_in(self, name, dtype)

    def _rows(self, indices: Tensor) -> Tensor:
        if not isinstance(indices, Tensor) or not indices.dtype.is_integer:
            raise MindTypeError(
                f"For '{type(self).__name__}', the indices must be an int Tensor, got "
                f"{getattr(indices, 'dtype', type(indices).__name__)}"
            )
        out = _lookup_rows(self.embedding_table, indices, 0)
        if self.max_norm is not None:
            out = ClipByNorm(-1)(out, F.full((), self.max_norm, dtype=dt.float32))
            out = F.cast(out, self.embedding_table.dtype)
        return out

    def construct(self, indices: Tensor) -> Tensor:
        return self._rows(indices)

    def extend_repr(self) -> str:
        return (
            f"vocab_size={self.vocab_size}, embedding_size={self.embedding_size}, "
            f"target={self.target}, slice_mode={self.slice_mode}"
        )


class MultiFieldEmbeddingLookup(EmbeddingLookup):
    """Look up ``input_indices`` (batch, seq), weight each row by ``input_values`` (batch,
    seq), and pool the rows of each field given by ``field_ids`` (batch, seq) into
    (batch, field_size, embedding_size): ``operator`` 'SUM', 'MEAN' (the sum divided by the
    field's total |value|, 0 for an empty field) or 'MAX' (over the rows of nonzero value, 0 for
    an empty field).

    >>> m = nn.MultiFieldEmbeddingLookup(10, 4, field_size=3, operator="SUM")
    >>> ids = Tensor(np.array([[1, 5, 3]]), ms.int32)
    >>> m(ids, Tensor(np.ones((1, 3), np.float32)), Tensor(np.array([[0, 0, 2]]), ms.int32)).shape
    (1, 3, 4)
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_size: int,
        field_size: int,
        param_init: Any = "normal",
        target: str = "CPU",
        slice_mode: str = "batch_slice",
        feature_num_list: Any = None,
        max_norm: Any = None,
        sparse: bool = True,
        operator: str = "SUM",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__(
            vocab_size,
            embedding_size,
            param_init,
            target,
            slice_mode,
            feature_num_list,
            max_norm,
            sparse,
            dtype=dtype,
        )
        self.field_size = I.check_int(
            "MultiFieldEmbeddingLookup", "field_size", field_size, minimum=1
        )
        if operator not in ("SUM", "MAX", "MEAN"):
            raise MindValueError(
                "For 'MultiFieldEmbeddingLookup', 'operator' must be one of ['SUM', 'MAX', "
                f"'MEAN'], but got {operator!r}."
            )
        self.operator = operator

    def construct(self, input_indices: Tensor, input_values: Tensor, field_ids: Tensor) -> Tensor:
        name = "MultiFieldEmbeddingLookup"
        for arg, t in (
            ("input_indices", input_indices),
            ("input_values", input_values),
            ("field_ids", field_ids),
        ):
            if not isinstance(t, Tensor) or t.ndim != 2:
                raise MindValueError(
                    f"For '{name}', '{arg}' must be a 2-D Tensor (batch_size, seq_length), got "
                    f"{getattr(t, 'shape', type(t).__name__)}"
                )
        for arg, t, allowed in (
            ("input_indices", input_indices, (dt.int32, dt.int64)),
            ("input_values", input_values, (dt.float32,)),
            ("field_ids", field_ids, (dt.int32,)),
        ):
            if t.dtype not in allowed:
                raise MindTypeError(
                    f"For '{name}', the dtype of '{arg}' must be one of "
                    f"{[str(a) for a in allowed]}, but got {t.dtype}."
                )
        rows = self._rows(input_indices)  # (B, S, E)
        weights = F.expand_dims(F.cast(input_values, rows.dtype), 2)  # (B, S, 1)
        embedding = F.mul(rows, weights)
        fields = F.one_hot(F.cast(field_ids, dt.int64), self.field_size, 1.0, 0.0)  # (B, S, Fd)
        fields = F.cast(fields, rows.dtype)
        magnitude = F.matmul(
            F.transpose(fields, (0, 2, 1)), F.abs(weights)
        )  # (B, Fd, 1): the field's total |value|
        if self.operator == "MAX":
            member = F.logical_and(
                F.greater(F.expand_dims(fields, 3), 0),
                F.expand_dims(F.not_equal(weights, 0), 2),
            )  # (B, S, Fd, 1)
            spread = F.expand_dims(embedding, 2)  # (B, S, 1, E)
            lowest = F.full((), -3.4e38, dtype=rows.dtype)
            pooled = F.amax(F.where(member, spread, lowest), 1)  # (B, Fd, E)
            return F.where(F.greater(magnitude, 0), pooled, F.zeros_like(pooled))
        pooled = F.matmul(F.transpose(fields, (0, 2, 1)), embedding)  # (B, Fd, E)
        if self.operator == "MEAN":
            safe = F.where(F.greater(magnitude, 0), magnitude, F.ones_like(magnitude))
            pooled = F.where(F.greater(magnitude, 0), F.div(pooled, safe), F.zeros_like(pooled))
        return pooled
