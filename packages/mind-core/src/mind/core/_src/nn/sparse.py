"""MindSpore's sparse Cells: ``nn.SparseToDense`` and ``nn.SparseTensorDenseMatmul``."""

from __future__ import annotations

from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.ops import sparse as S
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError

__all__ = ["SparseTensorDenseMatmul", "SparseToDense"]


class SparseToDense(Cell):
    """``SparseToDense()(sparse_tensor)``: the dense Tensor of a COOTensor."""

    def construct(self, sparse_tensor: Any) -> Tensor:
        if not isinstance(sparse_tensor, S.COOTensor):
            raise MindTypeError(
                f"For 'nn.SparseToDense', the input must be a COOTensor, got "
                f"{type(sparse_tensor).__name__}"
            )
        return sparse_tensor.to_dense()


class SparseTensorDenseMatmul(Cell):
    """``SparseTensorDenseMatmul(adjoint_st=False, adjoint_dt=False)(indices, values,
    sparse_shape, dense)``: the 2-D sparse tensor (coordinates and values) times a dense
    matrix, either operand transposed (conjugated) first when its ``adjoint_*`` is set."""

    def __init__(self, adjoint_st: bool = False, adjoint_dt: bool = False) -> None:
        super().__init__()
        from mind.core.ops import operations as P

        self.adjoint_st, self.adjoint_dt = bool(adjoint_st), bool(adjoint_dt)
        self._matmul = P.SparseTensorDenseMatmul(self.adjoint_st, self.adjoint_dt)

    def construct(self, indices: Any, values: Any, sparse_shape: Any, dense: Any) -> Tensor:
        return self._matmul(indices, values, sparse_shape, dense)
