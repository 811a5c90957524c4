"""MindSpore's Primitive-class operators over the ops of ``linalg`` (see ops.operations: each class
is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import linalg as M
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _same
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError

for _name, _fn in {
    "MatrixDeterminant": M.det,
    "Diag": M.diag,
}.items():
    _same(_name, _fn)


@_calls(M.inverse)
def _matrix_inverse(op: PrimitiveClass, x: Any) -> Tensor:
    # A real matrix's adjoint is its transpose, and inv(A^T) = inv(A)^T.
    out = M.inverse(x)
    return M._mT(out) if op.adjoint else out


_define("MatrixInverse", _matrix_inverse, adjoint=False)
_define("LogMatrixDeterminant", _calls(M.slogdet)(lambda op, x: M.slogdet(x)))
_define("Cholesky", _calls(M.cholesky)(lambda op, x: M.cholesky(x, op.upper)), upper=False)
_define(
    "MatrixSolve",
    _calls(M.matrix_solve)(lambda op, matrix, rhs: M.matrix_solve(matrix, rhs, op.adjoint)),
    adjoint=False,
)
_define("Cdist", _calls(M.cdist)(lambda op, x1, x2: M.cdist(x1, x2, op.p)), p=2.0)
_define("Pdist", _calls(M.pdist)(lambda op, x: M.pdist(x, op.p)), p=2.0)


@_calls(M.cross)
def _cross(op: PrimitiveClass, x1: Any, x2: Any) -> Tensor:
    # MindSpore's default dim, -65530, means "the first axis of size 3".
    return M.cross(x1, x2, None if op.dim == -65530 else op.dim)


_define("Cross", _cross, dim=-65530)


@_calls(M.einsum)
def _einsum(op: PrimitiveClass, inputs: Any) -> Tensor:
    if not isinstance(inputs, list | tuple):
        raise MindTypeError(
            f"For 'Einsum', the input must be a tuple or list of Tensors, got {type(inputs).__name__}"
        )
    return M.einsum(op.equation, *inputs)


_define("Einsum", _einsum, equation=_REQUIRED)


_same("Ger", M.outer)  # MindSpore's outer product of two vectors
