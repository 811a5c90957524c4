"""Linear algebra and products: matrix inverse, determinants, solves, decompositions, einsum,
tensor_dot, outer/inner/dot, distances (MindSpore 2.x names and argument orders).

Only what no composition of other ops can express is a primitive here: the inverse, the
(log-)determinant, the solve, the Cholesky factor and the SVD-based pseudo-inverse, each a
``numpy.linalg`` kernel with an analytic bprop written with ops (so it is differentiable again).
Everything else (products, einsum, diagonals, distances) is built from matmul, transpose,
reshape, gather and the elementwise ops, so gradients, ``jit``, ``vmap`` and the native device
come with them.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import (
    broadcast_to,
    expand_dims,
    gather,
    reshape,
    transpose,
    tril,
)
from mind.core._src.ops.dispatch import ShapedArray, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _floating,
    _inexact,
    add,
    cast,
    div,
    greater,
    maximum,
    mul,
    neg,
    not_equal,
    operands,
    pow,
    sqrt,
    sub,
    where,
    zeros_like,
)
from mind.core._src.ops.elementwise import abs as abs_
from mind.core._src.ops.nn_ops import _mm, matmul
from mind.core._src.ops.reduce import amax, amin, sum
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = [
    "addmm",
    "baddbmm",
    "cdist",
    "cholesky",
    "cond",
    "cosine_similarity",
    "cross",
    "det",
    "diag",
    "diag_embed",
    "diagonal",
    "dot",
    "eig",
    "eigvals",
    "einsum",
    "geqrf",
    "ger",
    "inner",
    "inverse",
    "kron",
    "matrix_norm",
    "matrix_solve",
    "mm",
    "norm",
    "orgqr",
    "ormqr",
    "outer",
    "pdist",
    "pinv",
    "pinverse",
    "slogdet",
    "svdvals",
    "tensor_dot",
    "trace",
    "vector_norm",
]

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(*args)`` is ``name(tensor, *args)``); attached by tensor.methods.
TENSOR_METHODS: tuple[str, ...] = (
    "ger",
    "addmm",
    "baddbmm",
    "cholesky",
    "cross",
    "det",
    "diag",
    "diagonal",
    "inner",
    "inverse",
    "kron",
    "outer",
    "slogdet",
    "trace",
    "eigvals",
    "geqrf",
    "orgqr",
    "ormqr",
    "triangular_solve",  # a method only, as in MindSpore (not in ops)
)


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------


def _np(a: np.ndarray) -> np.ndarray:
    """``numpy.linalg`` has no float16 kernels: compute those in float32."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


def _mT(x: Tensor) -> Tensor:
    """Swap the last two axes."""
    perm = list(range(x.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return transpose(x, tuple(perm))


def _square_infer(op: str):
    def infer(x: ShapedArray) -> ShapedArray:
        _require_square(op, x)
        return ShapedArray(x.shape, x.dtype)

    return infer


def _require_square(op: str, x: ShapedArray, name: str = "input") -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise I.fail(
            op, f"'{name}' must be a (batch of) square matrices (..., n, n), got {x.shape}"
        )
    if not (x.dtype.kind == "c" and op in _COMPLEX_OK):
        I.require_float(op, name, x)


#: The ops here that take complex matrices (their kernels and gradients are right for them).
_COMPLEX_OK = frozenset({"inverse", "det", "slogdet", "matrix_solve"})


def _spd(c: Any, *shape: int) -> np.ndarray:
    """A well-conditioned symmetric positive-definite (batch of) matrices, for examples."""
    a = c.r(*shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(np.float32)


def _matrices(op: str, x: Any, name: str = "input", complex_ok: bool = False) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind == "c" and not complex_ok:
        raise MindTypeError(f"For '{op}', '{name}' must be a real tensor, got {x.dtype}")
    x = _inexact(x)
    if x.ndim < 2:
        raise I.fail(op, f"'{name}' must be at least 2-D (..., m, n), got shape {x.shape}")
    return x


# ------------------------------------------------------------------------------------------------
# Inverse, determinants, solve
# ------------------------------------------------------------------------------------------------


def _inverse_kernel(x):
    return np.linalg.inv(_np(x)).astype(x.dtype, copy=False)


matrix_inverse_p = primitive(
    "matrix_inverse",
    cpu=_inverse_kernel,
    infer=_square_infer("inverse"),
    # d(X^-1) = -X^-1 dX X^-1, so the cotangent is -X^-T dout X^-T.
    bprop=lambda x, out, dout: (-_mm(_mm(out, dout, True, False), out, False, True),),
)
example(matrix_inverse_p, lambda c: ([_spd(c, 2, 3, 3)], {}, np.linalg.inv))


def inverse(input: Any) -> Tensor:
    """The inverse of each square matrix in ``input`` (..., n, n). Supported devices: cpu.

    >>> ops.inverse(Tensor([[2.0, 0.0], [0.0, 4.0]]))  # [[0.5, 0], [0, 0.25]]
    """
    return bind1(matrix_inverse_p, _matrices("inverse", input, complex_ok=True))


def _batch_infer(op: str, lead: tuple[int, ...] = ()):
    def infer(x: ShapedArray) -> ShapedArray:
        _require_square(op, x)
        return ShapedArray((*lead, *x.shape[:-2]), x.dtype)

    return infer


def _det_kernel(x):
    return np.asarray(np.linalg.det(_np(x))).astype(x.dtype, copy=False)


def _cofactor_grad(x: Tensor, scale: Tensor) -> Tensor:
    """``scale[..., None, None] * X^-T``: the shared part of the determinants' gradients."""
    return mul(expand_dims(expand_dims(scale, -1), -1), _mT(inverse(x)))


det_p = primitive(
    "matrix_determinant",
    cpu=_det_kernel,
    infer=_batch_infer("det"),
    bprop=lambda x, out, dout: (_cofactor_grad(x, mul(dout, out)),),
)
example(det_p, lambda c: ([_spd(c, 2, 3, 3)], {}, np.linalg.det))


def det(input: Any) -> Tensor:
    """The determinant of each square matrix in ``input`` (..., n, n): shape (...).
    Supported devices: cpu.

    >>> ops.det(Tensor([[1.0, 2.0], [3.0, 4.0]]))  # -2.0
    """
    return bind1(det_p, _matrices("det", input, complex_ok=True))


def _slogdet_kernel(x):
    sign_, logabs = np.linalg.slogdet(_np(x))
    return np.stack([sign_, logabs]).astype(x.dtype, copy=False)


def _slogdet_bprop(x: Tensor, out: Tensor, dout: Tensor) -> tuple:
    if x.dtype.kind != "c":  # the sign is piecewise constant: no gradient
        return (_cofactor_grad(x, dout[1]),)
    # d log det = tr(X^-1 dX) = d log|det| + i d(arg det), and d sign = i sign d(arg det): the
    # cotangent is (Re g_logabs + i Im(g_sign sign)) X^-T in the tape's pairing (complex_ops).
    from mind.core._src.ops.complex_ops import complex, imag, real

    return (_cofactor_grad(x, complex(real(dout[1]), imag(mul(dout[0], out[0])))),)


slogdet_p = primitive(
    "log_matrix_determinant",
    cpu=_slogdet_kernel,
    # One output: sign and log|det| stacked on a new first axis (a real sign has no gradient).
    infer=_batch_infer("slogdet", (2,)),
    bprop=_slogdet_bprop,
)
example(
    slogdet_p, lambda c: ([_spd(c, 2, 3, 3) * -1], {}, lambda x: np.stack(np.linalg.slogdet(x)))
)


def slogdet(input: Any) -> tuple[Tensor, Tensor]:
    """``(sign, log|det|)`` of each square matrix in ``input`` (..., n, n), each of shape (...):
    the determinant without its overflow. Supported devices: cpu.

    >>> sign, logabsdet = ops.slogdet(Tensor([[-2.0, 0.0], [0.0, 3.0]]))  # -1.0, log(6)
    """
    out = bind1(slogdet_p, _matrices("slogdet", input, complex_ok=True))
    return out[0], out[1]


def _solve_kernel(a, b):
    return np.linalg.solve(_np(a), _np(b)).astype(np.result_type(a, b), copy=False)


def _solve_infer(a: ShapedArray, b: ShapedArray) -> ShapedArray:
    _require_square("matrix_solve", a, "matrix")
    if b.dtype.kind != "c":
        I.require_float("matrix_solve", "rhs", b)
    if b.ndim != a.ndim or b.shape[-2] != a.shape[-1]:
        raise I.fail(
            "matrix_solve",
            f"'rhs' must be (..., {a.shape[-1]}, k) for 'matrix' {a.shape}, got {b.shape}",
        )
    batch = I.broadcast_shapes("matrix_solve", ("matrix", "rhs"), a.shape[:-2], b.shape[:-2])
    return ShapedArray((*batch, *b.shape[-2:]), dt.promote(a.dtype, b.dtype))


def _solve_bprop(a, b, out, dout):
    # X = A^-1 B: dB = A^-T dout, dA = -dB X^T.
    db = bind2(matrix_solve_p, _mT(a), dout)
    return -_mm(db, out, False, True), db


matrix_solve_p = primitive(
    "matrix_solve", cpu=_solve_kernel, infer=_solve_infer, bprop=_solve_bprop
)
example(matrix_solve_p, lambda c: ([_spd(c, 2, 3, 3), c.r(2, 3, 2)], {}, np.linalg.solve))


def matrix_solve(matrix: Any, rhs: Any, adjoint: bool = False) -> Tensor:
    """``X`` with ``matrix @ X = rhs`` for each (..., m, m) matrix and (..., m, k) right-hand
    side; ``adjoint=True`` solves with the (conjugate) transpose of ``matrix``.
    Supported devices: cpu.

    >>> ops.matrix_solve(Tensor([[2.0, 0.0], [0.0, 4.0]]), Tensor([[2.0], [2.0]]))  # [[1], [0.5]]
    """
    a, b = operands(_matrices("matrix_solve", matrix, "matrix", complex_ok=True), rhs)
    if not isinstance(adjoint, bool):
        raise MindTypeError(f"For 'matrix_solve', 'adjoint' must be a bool, got {adjoint!r}")
    if adjoint:
        from mind.core._src.ops.complex_ops import conj

        a = conj(_mT(a))  # the conjugate transpose (the transpose of a real matrix)
    return bind2(matrix_solve_p, a, b)


# ------------------------------------------------------------------------------------------------
# Cholesky and the pseudo-inverse
# ------------------------------------------------------------------------------------------------


def _cholesky_kernel(x):
    try:
        return np.linalg.cholesky(_np(x)).astype(x.dtype, copy=False)
    except np.linalg.LinAlgError as error:
        raise MindValueError(
            f"For 'cholesky', 'input_x' must be symmetric positive-definite: {error}"
        ) from None


def _cholesky_bprop(x, out, dout):
    """The kernel reads only the lower triangle of ``x``; with ``L = out`` and
    ``G = L^-T Phi(L^T dout) L^-1`` (Phi: the lower triangle, diagonal halved), the cotangent of
    that triangle is G's lower part plus G^T's strictly lower part."""
    n = x.shape[-1]
    half = Tensor((np.tril(np.ones((n, n))) - 0.5 * np.eye(n)).astype(x.dtype.name))
    linv = inverse(out)
    g = _mm(_mm(linv, mul(_mm(out, dout, True, False), half), True, False), linv, False, False)
    return (sub(tril(add(g, _mT(g))), mul(g, Tensor(np.eye(n, dtype=x.dtype.name)))),)


cholesky_p = primitive(
    "cholesky", cpu=_cholesky_kernel, infer=_square_infer("cholesky"), bprop=_cholesky_bprop
)
example(cholesky_p, lambda c: ([_spd(c, 2, 3, 3)], {}, np.linalg.cholesky))


def cholesky(input_x: Any, upper: bool = False) -> Tensor:
    """The Cholesky factor of each symmetric positive-definite matrix in ``input_x``
    (..., n, n): lower ``L`` with ``A = L L^T``, or with ``upper=True`` upper ``U`` with
    ``A = U^T U``. Supported devices: cpu.

    >>> ops.cholesky(Tensor([[4.0, 2.0], [2.0, 5.0]]))  # [[2, 0], [1, 2]]
    """
    if not isinstance(upper, bool):
        raise MindTypeError(f"For 'cholesky', 'upper' must be a bool, got {upper!r}")
    lower = bind1(cholesky_p, _matrices("cholesky", input_x, "input_x"))
    return _mT(lower) if upper else lower


def _pinv_kernel(x, *, atol=None, rtol=None):
    a = _np(x)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    if rtol is None:
        # MindSpore's defaults: max(m, n) * eps, or 0 once a positive atol is given.
        rtol = 0.0 if atol is not None and atol > 0 else max(a.shape[-2:]) * np.finfo(a.dtype).eps
    cutoff = np.maximum(0.0 if atol is None else atol, rtol * s.max(-1, keepdims=True, initial=0))
    keep = s > cutoff
    s_inv = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
    out = np.swapaxes(vh, -1, -2) @ (s_inv[..., :, None] * np.swapaxes(u, -1, -2))
    return out.astype(x.dtype, copy=False)


def _pinv_infer(x: ShapedArray, *, atol=None, rtol=None) -> ShapedArray:
    if x.ndim < 2:
        raise I.fail("pinv", f"'x' must be at least 2-D (..., m, n), got shape {x.shape}")
    I.require_float("pinv", "x", x)
    return ShapedArray((*x.shape[:-2], x.shape[-1], x.shape[-2]), x.dtype)


def _pinv_bprop(x, out, dout, *, atol=None, rtol=None):
    """The derivative of A+ where the rank is locally constant (Golub and Pereyra):
    dA = -A+^T G A+^T + (I - A A+) G^T A+ A+^T + A+^T A+ G^T (I - A+ A)."""
    m, n = x.shape[-2], x.shape[-1]
    gt = _mT(dout)
    left = sub(Tensor(np.eye(m, dtype=x.dtype.name)), matmul(x, out))
    right = sub(Tensor(np.eye(n, dtype=x.dtype.name)), matmul(out, x))
    first = -_mm(_mm(out, dout, True, False), out, False, True)
    second = matmul(matmul(left, gt), _mm(out, out, False, True))
    third = matmul(_mm(out, out, True, False), matmul(gt, right))
    return (add(add(first, second), third),)


pinv_p = primitive(
    "pinv", cpu=_pinv_kernel, infer=_pinv_infer, bprop=_pinv_bprop, attrs=("atol", "rtol")
)
example(pinv_p, lambda c: ([c.r(2, 4, 3)], {}, np.linalg.pinv))
S.attr_schema(pinv_p, atol=S.Opt(S.Number(lo=0)), rtol=S.Opt(S.Number(lo=0)))


def _tolerance(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, Tensor):
        if value.size != 1:
            raise MindValueError(
                f"For 'pinv', a Tensor '{name}' must hold one value on Mind, got shape "
                f"{value.shape}: pass a float"
            )
        value = float(value.asnumpy())
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MindTypeError(f"For 'pinv', '{name}' must be a float or None, got {value!r}")
    return float(value)


def pinv(x: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse of each (..., m, n) matrix, through the SVD: singular
    values at or below ``max(atol, rtol * largest)`` count as zero. ``hermitian=True`` takes the
    input as symmetric and reads only its lower triangle. Supported devices: cpu.

    >>> ops.pinv(Tensor([[4.0, 0.0], [0.0, 5.0]]))  # [[0.25, 0], [0, 0.2]]
    """
    a = _matrices("pinv", x, "x")
    if not isinstance(hermitian, bool):
        raise MindTypeError(f"For 'pinv', 'hermitian' must be a bool, got {hermitian!r}")
    if hermitian:
        low = tril(a, -1)
        a = add(add(low, _mT(low)), sub(tril(a), low))
    attrs = {"atol": _tolerance(atol, "atol"), "rtol": _tolerance(rtol, "rtol")}
    return bind1(pinv_p, a, attrs)


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:
    """The pseudo-inverse with singular values at or below ``rcond * largest`` treated as zero
    (the Tensor.pinverse spelling of :func:`pinv`). Supported devices: cpu."""
    return pinv(input, rtol=rcond)


# ------------------------------------------------------------------------------------------------
# Singular values, the condition number
# ------------------------------------------------------------------------------------------------


def _svd_part(index: int):
    def kernel(x):
        return np.linalg.svd(_np(x), full_matrices=False)[index].astype(x.dtype, copy=False)

    return kernel


def _svd_infer(side: str):
    def infer(x: ShapedArray) -> ShapedArray:
        if x.ndim < 2:
            raise I.fail("svd", f"'input' must be at least 2-D (..., m, n), got shape {x.shape}")
        I.require_float("svd", "input", x)
        *batch, m, n = x.shape
        k = min(m, n)
        shape = {"u": (*batch, m, k), "s": (*batch, k), "vh": (*batch, k, n)}[side]
        return ShapedArray(shape, x.dtype)

    return infer


# The singular vectors: what the singular values' gradient reads (not differentiated).
svd_u_p = primitive("svd_u", cpu=_svd_part(0), infer=_svd_infer("u"), differentiable=False)
example(svd_u_p, lambda c: ([c.r(2, 4, 3)], {}, None))
svd_vh_p = primitive("svd_vh", cpu=_svd_part(2), infer=_svd_infer("vh"), differentiable=False)
example(svd_vh_p, lambda c: ([c.r(2, 4, 3)], {}, None))


def _singular_values_bprop(x, out, dout):
    # d s_i = u_i^T dA v_i, so the cotangent is U diag(dout) V^H (distinct singular values).
    u, vh = bind1(svd_u_p, x), bind1(svd_vh_p, x)
    return (matmul(mul(u, expand_dims(dout, -2)), vh),)


singular_values_p = primitive(
    "singular_values", cpu=_svd_part(1), infer=_svd_infer("s"), bprop=_singular_values_bprop
)
example(
    singular_values_p,
    lambda c: ([c.r(2, 4, 3)], {}, lambda x: np.linalg.svd(x, compute_uv=False)),
)


def svdvals(input: Any) -> Tensor:
    """The singular values of each (..., m, n) matrix, largest first (differentiable where they
    are distinct). Supported devices: cpu."""
    return bind1(singular_values_p, _matrices("svdvals", input))


def _matrix_norm(x: Tensor, p: Any) -> Tensor:
    if p == "fro":
        return sqrt(sum(mul(x, x), (-2, -1)))
    if p == "nuc":
        return sum(svdvals(x), -1)
    if p in (1, -1):
        columns = sum(abs_(x), -2)
        return amax(columns, -1) if p == 1 else neg(amax(neg(columns), -1))
    rows = sum(abs_(x), -1)  # p is inf or -inf
    return amax(rows, -1) if p > 0 else neg(amax(neg(rows), -1))


def vector_norm(
    x: Any, ord: Any = 2, axis: Any = None, keepdims: bool = False, *, dtype: Any = None
) -> Tensor:
    """The ``ord``-norm of ``x`` over ``axis`` (an int, a tuple, or None: all elements):
    ``sum(|x| ** ord) ** (1 / ord)``; ``inf``/``-inf`` the largest/smallest magnitude, 0 the
    number of nonzero elements. ``dtype``: ``x`` is cast to it first. Supported devices: cpu."""
    x = as_tensor(x, dtype)
    if isinstance(ord, bool) or not isinstance(ord, int | float | np.number):
        raise MindTypeError(f"For 'vector_norm', 'ord' must be a number, got {ord!r}")
    a = abs_(x)
    if ord == np.inf:
        return amax(a, axis, keepdims)
    if ord == -np.inf:
        return amin(a, axis, keepdims)
    if ord == 0:
        return sum(cast(not_equal(x, 0), a.dtype), axis, keepdims)
    if ord == 1:
        return sum(a, axis, keepdims)
    if ord == 2:
        return sqrt(sum(mul(a, a), axis, keepdims))
    return pow(sum(pow(a, float(ord)), axis, keepdims), 1.0 / float(ord))


_MATRIX_ORDERS = ("fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2)


def matrix_norm(
    A: Any, ord: Any = "fro", axis: Any = (-2, -1), keepdims: bool = False, *, dtype: Any = None
) -> Tensor:
    """The matrix norm of the matrices over the two axes ``axis``: ``'fro'``, ``'nuc'`` (the sum
    of the singular values), ``inf``/``-inf`` (largest/smallest row sum of magnitudes), 1/-1
    (column sums), 2/-2 (largest/smallest singular value). Supported devices: cpu."""
    x = as_tensor(A, dtype)
    if ord not in _MATRIX_ORDERS or isinstance(ord, bool):
        raise MindValueError(
            f"For 'matrix_norm', 'ord' must be one of {list(_MATRIX_ORDERS)}, got {ord!r}"
        )
    if not isinstance(axis, tuple | list) or len(axis) != 2:
        raise MindValueError(f"For 'matrix_norm', 'axis' must be 2 axes, got {axis!r}")
    axes = tuple(I.normalize_axis("matrix_norm", int(d), x.ndim, "axis") for d in axis)
    if axes[0] == axes[1]:
        raise MindValueError(f"For 'matrix_norm', 'axis' must be 2 different axes, got {axis!r}")
    if x.dtype.kind == "c" and ord in ("nuc", 2, -2):
        raise MindTypeError(
            f"For 'matrix_norm', ord {ord!r} of complex matrices is not supported yet"
        )
    rest = [i for i in range(x.ndim) if i not in axes]
    x = transpose(x, (*rest, *axes))
    if ord in (2, -2):
        values = svdvals(x)
        out = amax(values, -1) if ord == 2 else amin(values, -1)
    else:
        out = _matrix_norm(abs_(x) if x.dtype.kind == "c" else x, ord)
    if keepdims:
        for a in sorted(axes):
            out = expand_dims(out, a)
    return out


def norm(
    A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A vector or matrix norm, as MindSpore's ``ops.norm``: with ``dim`` one axis (or ``dim``
    and ``ord`` both None: all elements) the vector norm (:func:`vector_norm`, 2 by default);
    with ``dim`` two axes, or ``dim`` None and a 2-D input, the matrix norm (:func:`matrix_norm`,
    ``'fro'`` by default); ``dim`` None and a 1-D input: the vector norm. ``dtype``: the input is
    cast to it first. Supported devices: cpu."""
    x = as_tensor(A, dtype)
    if isinstance(dim, int) and not isinstance(dim, bool):
        dim = (dim,)
    if dim is None and ord is None:
        return vector_norm(x, 2, None, keepdim)
    if dim is None:
        if x.ndim == 2:
            return matrix_norm(x, ord, (-2, -1), keepdim)
        if ord == "fro":  # of any other shape: the 2-norm of all elements
            return vector_norm(x, 2, None, keepdim)
        if x.ndim != 1:
            raise MindValueError(
                f"For 'norm', with 'dim' None and 'ord' {ord!r} the input must be 1-D or 2-D, "
                f"got {x.ndim}-D"
            )
        return vector_norm(x, ord, None, keepdim)
    dim = tuple(dim)
    if len(dim) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, dim, keepdim)
    if ord == "fro":
        ord = 2
    return vector_norm(x, 2 if ord is None else ord, dim, keepdim)


_COND_ORDERS = (None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2)


def cond(A: Any, p: Any = None) -> Tensor:
    """The condition number of each (..., n, n) matrix in the norm ``p``: for ``None`` or 2 the
    ratio of the largest to the smallest singular value (-2: the inverse ratio); for ``'fro'``,
    ``'nuc'``, ``inf``, ``-inf``, 1 and -1, ``norm(A, p) * norm(inverse(A), p)``. Supported
    devices: cpu.

    >>> ops.cond(Tensor([[1.0, 0.0], [0.0, 4.0]]))  # 4.0
    """
    if p not in _COND_ORDERS:
        raise MindValueError(
            f"For 'cond', 'p' must be one of None, 'fro', 'nuc', inf, -inf, 1, -1, 2, -2, got {p!r}"
        )
    x = _matrices("cond", A, "A")
    if p in (None, 2, -2):
        s = svdvals(x)
        largest, smallest = amax(s, -1), neg(amax(neg(s), -1))
        return div(smallest, largest) if p == -2 else div(largest, smallest)
    return mul(_matrix_norm(x, p), _matrix_norm(inverse(x), p))


# ------------------------------------------------------------------------------------------------
# Diagonals
# ------------------------------------------------------------------------------------------------


def _diagonal_positions(rows: int, cols: int, offset: int) -> np.ndarray:
    start_row, start_col = (0, offset) if offset >= 0 else (-offset, 0)
    count = max(0, min(rows - start_row, cols - start_col))
    i = np.arange(count)
    return ((start_row + i) * cols + start_col + i).astype(np.int64)


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of ``input`` over axes ``dim1`` and ``dim2`` (above the main one for
    ``offset > 0``), as a new last axis; the other axes keep their order.

    >>> ops.diagonal(Tensor([[1, 2], [3, 4]]))  # [1, 4]
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise I.fail("diagonal", f"'input' must be at least 2-D, got shape {x.shape}")
    d1 = I.normalize_axis("diagonal", dim1, x.ndim, "dim1")
    d2 = I.normalize_axis("diagonal", dim2, x.ndim, "dim2")
    if d1 == d2:
        raise MindValueError(f"For 'diagonal', 'dim1' and 'dim2' must differ, got {dim1}, {dim2}")
    rest = [a for a in range(x.ndim) if a not in (d1, d2)]
    moved = transpose(x, (*rest, d1, d2))
    rows, cols = x.shape[d1], x.shape[d2]
    flat = reshape(moved, (*moved.shape[:-2], rows * cols))
    return gather(flat, Tensor(_diagonal_positions(rows, cols, int(offset))), flat.ndim - 1)


def trace(input: Any) -> Tensor:
    """The sum of the main diagonal of 2-D ``input``.

    >>> ops.trace(Tensor([[1.0, 2.0], [3.0, 4.0]]))  # 5.0
    """
    x = as_tensor(input)
    if x.ndim != 2:
        raise I.fail("trace", f"'input' must be 2-D, got shape {x.shape}")
    return sum(diagonal(x))


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices whose diagonal (``offset`` above the main one) over the new axes ``dim1`` and
    ``dim2`` holds the last axis of ``input``; zeros elsewhere.

    >>> ops.diag_embed(Tensor([1.0, 2.0]))  # [[1, 0], [0, 2]]
    """
    x = as_tensor(input)
    if x.ndim == 0:
        raise I.fail("diag_embed", "'input' must be at least 1-D, got a scalar")
    n, offset = x.shape[-1], int(offset)
    size = n + (offset if offset >= 0 else -offset)
    ndim = x.ndim + 1
    d1 = I.normalize_axis("diag_embed", dim1, ndim, "dim1")
    d2 = I.normalize_axis("diag_embed", dim2, ndim, "dim2")
    if d1 == d2:
        raise MindValueError(f"For 'diag_embed', 'dim1' and 'dim2' must differ, got {dim1}, {dim2}")
    # Each input value lands at one position of the flat (size, size) matrix: one matmul with a
    # 0/1 placement matrix (n, size * size), which is also its own gradient's transpose.
    place = np.zeros((n, size * size), x.dtype.name if x.dtype.is_floating_point else "float32")
    place[np.arange(n), _diagonal_positions(size, size, offset)] = 1
    xf = _floating(x) if not x.dtype.is_floating_point else x
    out = reshape(matmul(reshape(xf, (-1, n)), Tensor(place)), (*x.shape[:-1], size, size))
    out = cast(out, x.dtype) if out.dtype is not x.dtype else out
    if (d1, d2) == (ndim - 2, ndim - 1):
        return out
    # Put the two new axes at d1 and d2, the others in order.
    order = [None] * ndim
    order[d1], order[d2] = ndim - 2, ndim - 1
    others = iter(range(ndim - 2))
    return transpose(out, tuple(next(others) if a is None else a for a in order))


def diag(input: Any) -> Tensor:
    """A tensor with ``input`` on its diagonal: for ``input`` of shape (d1, ..., dk) the result
    has shape (d1, ..., dk, d1, ..., dk) and is nonzero only where both halves of the index agree.

    >>> ops.diag(Tensor([1, 2]))  # [[1, 0], [0, 2]]
    """
    x = as_tensor(input)
    if x.ndim == 0:
        raise I.fail("diag", "'input' must be at least 1-D, got a scalar")
    n = x.size
    eye = Tensor(np.eye(n, dtype=x.dtype.name if x.dtype.name != "bool" else "bool"))
    out = mul(reshape(x, (n, 1)), eye) if x.dtype.name != "bool" else where(eye, x, False)
    return reshape(out, (*x.shape, *x.shape))


# ------------------------------------------------------------------------------------------------
# Products
# ------------------------------------------------------------------------------------------------


def _axes_pair(op: str, axes: Any, a: Tensor, b: Tensor) -> tuple[list[int], list[int]]:
    if isinstance(axes, Tensor):
        axes = np.asarray(axes.asnumpy()).tolist()
    if isinstance(axes, int) and not isinstance(axes, bool):
        if axes < 0 or axes > min(a.ndim, b.ndim):
            raise MindValueError(
                f"For '{op}', 'axes' {axes} is out of range for {a.shape}, {b.shape}"
            )
        return list(range(a.ndim - axes, a.ndim)), list(range(axes))
    if isinstance(axes, list | tuple) and len(axes) == 2:
        first, second = axes
        first = [first] if isinstance(first, int) else list(first)
        second = [second] if isinstance(second, int) else list(second)
        if len(first) != len(second):
            raise MindValueError(
                f"For '{op}', both halves of 'axes' must have one length, got {axes}"
            )
        return (
            [I.normalize_axis(op, int(v), a.ndim, "axes") for v in first],
            [I.normalize_axis(op, int(v), b.ndim, "axes") for v in second],
        )
    raise MindTypeError(
        f"For '{op}', 'axes' must be an int or a pair of ints or int sequences, got {axes!r}"
    )


def _contract(op: str, a: Tensor, b: Tensor, ax_a: list[int], ax_b: list[int]) -> Tensor:
    for i, j in zip(ax_a, ax_b, strict=True):
        if a.shape[i] != b.shape[j]:
            raise I.fail(
                op,
                f"axis {i} of {a.shape} and axis {j} of {b.shape} must have one size to contract",
            )
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [j for j in range(b.ndim) if j not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a], dtype=np.int64))
    am = reshape(transpose(a, (*free_a, *ax_a)), (-1, k))
    bm = reshape(transpose(b, (*ax_b, *free_b)), (k, -1))
    out_shape = tuple(a.shape[i] for i in free_a) + tuple(b.shape[j] for j in free_b)
    return reshape(matmul(am, bm), out_shape)


def tensor_dot(x1: Any, x2: Any, axes: Any) -> Tensor:
    """Sum of products over the axes ``axes`` names: an int ``N`` pairs the last N axes of ``x1``
    with the first N of ``x2``; a pair ``(axes_of_x1, axes_of_x2)`` names them.

    >>> ops.tensor_dot(ops.ones((1, 2, 3)), ops.ones((3, 1, 2)), ((0, 1), (1, 2))).shape  # (3, 3)
    """
    a, b = operands(x1, x2)
    ax_a, ax_b = _axes_pair("tensor_dot", axes, a, b)
    return _contract("tensor_dot", a, b, ax_a, ax_b)


def dot(input: Any, other: Any) -> Tensor:
    """The last axis of ``input`` against the second-to-last of ``other`` (numpy's ``dot`` for
    N-D operands): shape ``input.shape[:-1] + other.shape[:-2] + other.shape[-1:]``.

    >>> ops.dot(ops.ones((2, 3)), ops.ones((1, 3, 2))).shape  # (2, 1, 2)
    """
    a, b = operands(input, other)
    if a.ndim < 1 or b.ndim < 1:
        raise I.fail("dot", f"'input' and 'other' must not be scalars, got {a.shape} and {b.shape}")
    return _contract("dot", a, b, [a.ndim - 1], [max(b.ndim - 2, 0)])


def inner(input: Any, other: Any) -> Tensor:
    """Sum of products over the last axes of both (a product if either is a scalar).

    >>> ops.inner(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))  # 11.0
    """
    a, b = operands(input, other)
    if a.ndim == 0 or b.ndim == 0:
        return mul(a, b)
    return _contract("inner", a, b, [a.ndim - 1], [b.ndim - 1])


def outer(input: Any, vec2: Any) -> Tensor:
    """``input[i] * vec2[j]`` for 1-D ``input`` and ``vec2``.

    >>> ops.outer(Tensor([1, 2]), Tensor([3, 4]))  # [[3, 4], [6, 8]]
    """
    a, b = operands(input, vec2)
    if a.ndim != 1 or b.ndim != 1:
        raise I.fail("outer", f"'input' and 'vec2' must be 1-D, got {a.shape} and {b.shape}")
    return mul(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def ger(input: Any, vec2: Any) -> Tensor:
    """The outer product of two vectors (MindSpore's ``ops.ger``): ``input[:, None] * vec2``."""
    return outer(input, vec2)


def mm(input: Any, mat2: Any) -> Tensor:
    """The product of 2-D ``input`` (n, m) and ``mat2`` (m, p).

    >>> ops.mm(ops.ones((2, 3)), ops.ones((3, 4))).shape  # (2, 4)
    """
    a, b = operands(input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise I.fail("mm", f"'input' and 'mat2' must be 2-D, got {a.shape} and {b.shape}")
    return matmul(a, b)


def _scaled_sum(op: str, input: Any, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    for name, v in (("beta", beta), ("alpha", alpha)):
        if isinstance(v, bool) or not isinstance(v, int | float | Tensor):
            raise MindTypeError(f"For '{op}', '{name}' must be a number, got {v!r}")
    scaled = product if (isinstance(alpha, int | float) and alpha == 1) else mul(product, alpha)
    if isinstance(beta, int | float) and beta == 0:  # input is ignored, nan and inf too
        return add(scaled, zeros_like(as_tensor(input, product.dtype)))
    base = as_tensor(input, product.dtype)
    return add(base if (isinstance(beta, int | float) and beta == 1) else mul(base, beta), scaled)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` for 2-D ``mat1`` and ``mat2`` (``input``
    broadcasts to the product's shape).

    >>> ops.addmm(ops.ones((2, 2)), ops.ones((2, 3)), ops.ones((3, 2)))  # all 4.0
    """
    a, b = operands(mat1, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise I.fail("addmm", f"'mat1' and 'mat2' must be 2-D, got {a.shape} and {b.shape}")
    return _scaled_sum("addmm", input, matmul(a, b), beta, alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (batch1 @ batch2)`` for 3-D ``batch1`` (b, n, m) and ``batch2``
    (b, m, p).

    >>> ops.baddbmm(ops.ones((1, 2, 2)), ops.ones((1, 2, 3)), ops.ones((1, 3, 2)))  # all 4.0
    """
    a, b = operands(batch1, batch2)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise I.fail(
            "baddbmm",
            f"'batch1' and 'batch2' must be 3-D with one batch size, got {a.shape} and {b.shape}",
        )
    return _scaled_sum("baddbmm", input, matmul(a, b), beta, alpha)


def kron(input: Any, other: Any) -> Tensor:
    """The Kronecker product: block ``(i, j, ...)`` of the result is ``input[i, j, ...] * other``
    (the lower-rank operand gets leading axes of size 1).

    >>> ops.kron(Tensor([1, 2]), Tensor([1, 10]))  # [1, 10, 2, 20]
    """
    a, b = operands(input, other)
    ndim = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (ndim - a.ndim) + tuple(a.shape))
    b = reshape(b, (1,) * (ndim - b.ndim) + tuple(b.shape))
    # Interleave: a (a0, 1, a1, 1, ...) times b (1, b0, 1, b1, ...), then merge each pair.
    ia = reshape(a, tuple(v for s in a.shape for v in (s, 1)))
    ib = reshape(b, tuple(v for s in b.shape for v in (1, s)))
    return reshape(mul(ia, ib), tuple(p * q for p, q in zip(a.shape, b.shape, strict=True)))


def cross(input: Any, other: Any, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (default: the first axis of size 3).

    >>> ops.cross(Tensor([[1, 0, 0]]), Tensor([[0, 1, 0]]))  # [[0, 0, 1]]
    """
    a, b = operands(input, other)
    shape = I.broadcast_shapes("cross", ("input", "other"), a.shape, b.shape)
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)
    if dim is None:
        found = [i for i, s in enumerate(shape) if s == 3]
        if not found:
            raise I.fail("cross", f"no axis of 'input' {shape} has size 3")
        axis = found[0]
    else:
        axis = I.normalize_axis("cross", dim, len(shape), "dim")
    if shape[axis] != 3:
        raise I.fail("cross", f"axis {dim} of 'input' {shape} must have size 3")
    one, two = Tensor(np.array([1, 2, 0])), Tensor(np.array([2, 0, 1]))
    return sub(
        mul(gather(a, one, axis), gather(b, two, axis)),
        mul(gather(a, two, axis), gather(b, one, axis)),
    )


# ------------------------------------------------------------------------------------------------
# einsum
# ------------------------------------------------------------------------------------------------


def _einsum_parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """The operands' label strings and the output's, with ``...`` expanded to upper-case
    labels (MindSpore's subscripts are lower-case letters)."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise MindValueError(
            f"For 'einsum', the equation {equation!r} names {len(inputs)} operands, "
            f"got {len(shapes)}"
        )
    counts = [
        len(shape) - len(spec.replace("...", "")) if "..." in spec else None
        for spec, shape in zip(inputs, shapes, strict=True)
    ]
    widest = max((c for c in counts if c is not None), default=None)
    ell = None if widest is None else string.ascii_uppercase[: max(widest, 0)]
    labels = []
    for spec, shape, count in zip(inputs, shapes, counts, strict=True):
        if count is not None:
            if count < 0:
                raise MindValueError(f"For 'einsum', {spec!r} has too many labels for {shape}")
            head, _, tail = spec.partition("...")
            spec = head + ell[len(ell) - count :] + tail
        if len(spec) != len(shape) or not all(ch.isalpha() for ch in spec):
            raise MindValueError(
                f"For 'einsum', subscripts {spec!r} do not fit an operand of shape {shape}"
            )
        labels.append(spec)
    if arrow:
        out = rhs.replace("...", ell or "")
    else:
        uses: dict[str, int] = {}
        for spec in labels:
            for ch in spec:
                uses[ch] = uses.get(ch, 0) + 1
        once = sorted(ch for ch, c in uses.items() if c == 1 and ch.islower())
        out = (ell or "") + "".join(once)
    if not all(ch.isalpha() for ch in out) or len(set(out)) != len(out):
        raise MindValueError(f"For 'einsum', the output subscripts of {equation!r} are invalid")
    return labels, out


def _einsum_reduce(x: Tensor, spec: str, keep: set[str]) -> tuple[Tensor, str]:
    """Take the diagonal of repeated labels and sum out the labels nobody else needs."""
    while True:
        repeated = next((ch for ch in spec if spec.count(ch) > 1), None)
        if repeated is None:
            break
        i = spec.index(repeated)
        j = spec.index(repeated, i + 1)
        x = diagonal(x, 0, i, j)
        spec = "".join(ch for k, ch in enumerate(spec) if k not in (i, j)) + repeated
    drop = [k for k, ch in enumerate(spec) if ch not in keep]
    if drop:
        x = sum(x, tuple(drop))
        spec = "".join(ch for ch in spec if ch in keep)
    return x, spec


def _einsum_pair(a: Tensor, sa: str, b: Tensor, sb: str, keep: set[str]) -> tuple[Tensor, str]:
    """Contract two operands as one batched matmul: batch labels (in both, kept), contracted
    ones (in both, not kept), and each side's own."""
    batch = [ch for ch in sa if ch in sb and ch in keep]
    summed = [ch for ch in sa if ch in sb and ch not in keep]
    own_a = [ch for ch in sa if ch not in sb]
    own_b = [ch for ch in sb if ch not in sa]
    size = {**dict(zip(sa, a.shape, strict=True)), **dict(zip(sb, b.shape, strict=True))}
    for ch in batch + summed:
        da, db = a.shape[sa.index(ch)], b.shape[sb.index(ch)]
        if da != db and 1 not in (da, db):
            raise I.fail("einsum", f"label {ch!r} has sizes {da} and {db} in two operands")
        size[ch] = max(da, db)

    def arrange(x: Tensor, spec: str, order: list[str], rows: list[str], cols: list[str]):
        x = transpose(x, tuple(spec.index(ch) for ch in order))
        full = tuple(size[ch] for ch in order)
        x = broadcast_to(x, full) if tuple(x.shape) != full else x
        nb = len(batch)
        prod = lambda chs: int(np.prod([size[c] for c in chs], dtype=np.int64))  # noqa: E731
        return reshape(x, (*full[:nb], prod(rows), prod(cols)))

    am = arrange(a, sa, batch + own_a + summed, own_a, summed)
    bm = arrange(b, sb, batch + summed + own_b, summed, own_b)
    out = matmul(am, bm)
    spec = "".join(batch + own_a + own_b)
    return reshape(out, tuple(size[ch] for ch in spec)), spec


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products over the labelled axes of ``operands``, written as an equation
    (``"ij,jk->ik"``; ``...`` stands for the unlabelled leading axes; without ``->`` the output
    has the labels used once, in alphabetical order). Operands are contracted left to right,
    each pair as one batched matmul.

    >>> ops.einsum("ij,jk->ik", ops.ones((2, 3)), ops.ones((3, 4))).shape  # (2, 4)
    """
    if not isinstance(equation, str):
        raise MindTypeError(f"For 'einsum', 'equation' must be a str, got {equation!r}")
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not operands:
        raise MindValueError("For 'einsum', at least one operand is needed")
    xs = [as_tensor(x) for x in operands]
    dtype = xs[0].dtype
    for x in xs[1:]:
        dtype = dt.promote(dtype, x.dtype)
    xs = [x if x.dtype is dtype else cast(x, dtype) for x in xs]
    labels, out = _einsum_parse(equation, [tuple(x.shape) for x in xs])
    for ch in out:
        if not any(ch in spec for spec in labels):
            raise MindValueError(f"For 'einsum', output label {ch!r} names no operand axis")
    need = [set(out).union(*labels[i + 1 :]) for i in range(len(labels))]
    x, spec = _einsum_reduce(xs[0], labels[0], need[0] | set(labels[1] if len(xs) > 1 else ""))
    for i in range(1, len(xs)):
        keep_next = need[i]
        y, sy = _einsum_reduce(xs[i], labels[i], keep_next | set(spec))
        x, spec = _einsum_pair(x, spec, y, sy, keep_next)
    x, spec = _einsum_reduce(x, spec, set(out))
    return transpose(x, tuple(spec.index(ch) for ch in out)) if spec != out else x


# ------------------------------------------------------------------------------------------------
# Distances and similarity
# ------------------------------------------------------------------------------------------------


def _p_norm(diff: Tensor, p: float, axis: int) -> Tensor:
    """The ``p``-norm over ``axis``, with a zero gradient where the norm is zero (where the
    root's derivative is infinite), as MindSpore's distance gradients have."""
    if p == 0:
        return sum(cast(not_equal(diff, 0), diff.dtype), axis)
    if p == float("inf"):
        return amax(abs_(diff), axis)
    if p == 1:
        return sum(abs_(diff), axis)
    if p == 2:
        power = sum(mul(diff, diff), axis)
    else:
        mag = abs_(diff)
        safe = where(greater(mag, 0), mag, 1.0)
        power = sum(where(greater(mag, 0), pow(safe, float(p)), 0.0), axis)
    positive = greater(power, 0)
    safe = where(positive, power, 1.0)
    root = sqrt(safe) if p == 2 else pow(safe, 1.0 / p)
    return where(positive, root, 0.0)


def _check_p(op: str, p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or p < 0:
        raise MindValueError(f"For '{op}', 'p' must be a non-negative number, got {p!r}")
    return float(p)


def cdist(x1: Any, x2: Any, p: float = 2.0) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` (B, P, M) and each row of ``x2``
    (B, R, M): shape (B, P, R) (2-D inputs give (P, R)).

    >>> ops.cdist(Tensor([[[0.0, 0.0]]]), Tensor([[[3.0, 4.0]]]))  # [[[5.0]]]
    """
    a, b = operands(_floating(x1), x2)
    p = _check_p("cdist", p)
    if a.ndim not in (2, 3) or b.ndim != a.ndim or a.shape[-1] != b.shape[-1]:
        raise I.fail(
            "cdist",
            f"'x1' and 'x2' must both be (B, P, M) and (B, R, M) or 2-D, got {a.shape} and "
            f"{b.shape}",
        )
    diff = sub(expand_dims(a, -2), expand_dims(b, -3))
    return _p_norm(diff, p, -1)


def pdist(input: Any, p: float = 2.0) -> Tensor:
    """The ``p``-norm distance between every pair of rows of ``input`` (*, N, M), pairs
    (i, j) with i < j in row-major order: shape (*, N * (N - 1) / 2).

    >>> ops.pdist(Tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))  # [5, 10, 5]
    """
    x = _floating(input)
    p = _check_p("pdist", p)
    if x.ndim < 2:
        raise I.fail("pdist", f"'input' must be at least 2-D (*, N, M), got shape {x.shape}")
    n = x.shape[-2]
    i, j = np.triu_indices(n, 1)
    left = gather(x, Tensor(i.astype(np.int64)), x.ndim - 2)
    right = gather(x, Tensor(j.astype(np.int64)), x.ndim - 2)
    return _p_norm(sub(left, right), p, -1)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-08) -> Tensor:
    """``sum(x1 * x2) / max(|x1| * |x2|, eps)`` along ``dim`` (the inputs broadcast).

    >>> ops.cosine_similarity(Tensor([[1.0, 0.0]]), Tensor([[1.0, 1.0]]))  # [0.7071]
    """
    a, b = operands(_floating(x1), x2)
    shape = I.broadcast_shapes("cosine_similarity", ("x1", "x2"), a.shape, b.shape)
    axis = I.normalize_axis("cosine_similarity", dim, len(shape), "dim")
    a, b = broadcast_to(a, shape), broadcast_to(b, shape)
    dot_ = sum(mul(a, b), axis)
    norms = mul(sum(mul(a, a), axis), sum(mul(b, b), axis))
    return div(dot_, sqrt(maximum(norms, float(eps) * float(eps))))


# ------------------------------------------------------------------------------------------------
# Eigenvalues; Householder QR in LAPACK's compact form (geqrf, orgqr, ormqr); triangular solves
# ------------------------------------------------------------------------------------------------

#: The dtypes the general eigen-solver and the Householder ops take (MindSpore's), each with
#: the complex dtype of its eigenvalues.
_LAPACK_DTYPES = {
    "float32": dt.complex64,
    "float64": dt.complex128,
    "complex64": dt.complex64,
    "complex128": dt.complex128,
}


def _lapack_matrices(op: str, x: Any, name: str, square: bool = False) -> Tensor:
    """``x`` as a (batch of) float32/64 or complex64/128 matrices, square with ``square``."""
    x = as_tensor(x)
    if x.dtype.name not in _LAPACK_DTYPES:
        raise MindTypeError(
            f"For '{op}', '{name}' must be float32, float64, complex64 or complex128, got {x.dtype}"
        )
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        form = "square matrices (*, N, N)" if square else "matrices (*, M, N)"
        raise MindValueError(f"For '{op}', '{name}' must be a (batch of) {form}, got {x.shape}")
    return x


def _square_lapack(op: str, x: ShapedArray) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise I.fail(op, f"'A' must be a (batch of) square matrices (*, N, N), got {x.shape}")
    if x.dtype.name not in _LAPACK_DTYPES:
        raise I.fail(op, f"'A' must be float32, float64, complex64 or complex128, got {x.dtype}")


def _eig_infer(x: ShapedArray) -> ShapedArray:
    _square_lapack("eig", x)
    n = x.shape[-1]
    # the eigenvalues as row 0, the eigenvectors (columns) below them: one output
    return ShapedArray((*x.shape[:-2], n + 1, n), _LAPACK_DTYPES[x.dtype.name])


def _eig_kernel(x):
    values, vectors = np.linalg.eig(x)
    out = np.concatenate([values[..., None, :], vectors], axis=-2)
    return out.astype(_LAPACK_DTYPES[x.dtype.name].np, copy=False)


def _eigvals_infer(x: ShapedArray) -> ShapedArray:
    _square_lapack("eigvals", x)
    return ShapedArray(x.shape[:-1], _LAPACK_DTYPES[x.dtype.name])


# MindSpore defines no gradient for Eig, nor does Mind (degenerate eigenvalues have none).
eig_p = primitive("eig", cpu=_eig_kernel, infer=_eig_infer, differentiable=False)
example(eig_p, lambda c: ([c.r(2, 3, 3)], {}, None))  # test_misc_ops checks A v = v lambda
eigvals_p = primitive(
    "eigvals",
    cpu=lambda x: np.linalg.eigvals(x).astype(_LAPACK_DTYPES[x.dtype.name].np, copy=False),
    infer=_eigvals_infer,
    differentiable=False,
)
example(eigvals_p, lambda c: ([c.r(2, 3, 3)], {}, None))


def eig(A: Any) -> tuple[Tensor, Tensor]:
    """The eigenvalues (*, N) and unit-length eigenvectors (*, N, N), as columns, of each square
    matrix in ``A`` (float32/64 or complex64/128), both complex (complex64 for 32-bit inputs);
    the eigenvalues are in no particular order. No gradient. Supported devices: cpu.

    >>> values, vectors = ops.eig(Tensor([[1.0, 0.0], [0.0, 2.0]]))  # [1+0j, 2+0j], identity
    """
    packed = bind1(eig_p, _lapack_matrices("eig", A, "A", square=True))
    return packed[..., 0, :], packed[..., 1:, :]


def eigvals(A: Any) -> Tensor:
    """The (complex) eigenvalues (*, N) of each square matrix in ``A``: :func:`eig` without the
    eigenvectors. No gradient. Supported devices: cpu.

    >>> ops.eigvals(Tensor([[2.0, 1.0], [0.0, 3.0]]))  # [2+0j, 3+0j]
    """
    return bind1(eigvals_p, _lapack_matrices("eigvals", A, "A", square=True))


def _geqrf_infer(x: ShapedArray) -> ShapedArray:
    *batch, m, n = x.shape
    return ShapedArray((*batch, m + 1, n), x.dtype)  # y, and tau as an extra last row


def _geqrf_kernel(x):
    *batch, m, n = x.shape
    out = np.zeros((*batch, m + 1, n), x.dtype)
    if x.size:
        h, tau = np.linalg.qr(x, mode="raw")  # LAPACK's geqrf, its result transposed
        out[..., :m, :] = np.swapaxes(h, -1, -2)
        out[..., m, : tau.shape[-1]] = tau
    return out


# MindSpore defines no gradient for Geqrf; orgqr and ormqr below are compositions, so they have.
geqrf_p = primitive("geqrf", cpu=_geqrf_kernel, infer=_geqrf_infer, differentiable=False)
example(geqrf_p, lambda c: ([c.r(2, 4, 3)], {}, None))  # test_misc_ops checks against LAPACK


def geqrf(input: Any) -> tuple[Tensor, Tensor]:
    """The QR decomposition of each (*, M, N) matrix in LAPACK's compact form: ``(y, tau)``,
    ``R`` on and above ``y``'s diagonal, the Householder vectors (unit first entry left out)
    below it, and their scale factors ``tau`` (*, min(M, N)); ``Q = H_1 ... H_k`` with
    ``H_i = I - tau_i v_i v_i^H``. :func:`orgqr` and :func:`ormqr` read them. No gradient.
    Supported devices: cpu.

    >>> y, tau = ops.geqrf(Tensor([[-2.0, -1.0], [1.0, 2.0]]))
    >>> y  # [[2.236, 1.789], [-0.236, 1.342]]; tau [1.894, 0.]
    """
    x = _lapack_matrices("geqrf", input, "input")
    m, n = x.shape[-2:]
    packed = bind1(geqrf_p, x)
    return packed[..., :m, :], packed[..., m, : min(m, n)]


def _apply_reflectors(x: Tensor, tau: Tensor, c: Tensor, left: bool, adjoint: bool) -> Tensor:
    """``Q c``, ``Q^H c``, ``c Q`` or ``c Q^H`` for ``Q = H_1 ... H_k`` given by geqrf's ``x``
    and ``tau``: one rank-one update of ``c`` for each reflector, so it differentiates, compiles
    and maps as matmuls do."""
    from mind.core._src.ops.complex_ops import conj

    is_complex = x.dtype.kind == "c"
    k, rows = tau.shape[-1], x.shape[-2]
    unit = Tensor(np.eye(rows, k, dtype=x.dtype.np))
    w = add(tril(x[..., :, :k], -1), unit)  # the Householder vectors, unit first entries
    order = range(k) if left == adjoint else range(k - 1, -1, -1)
    for j in order:
        v = w[..., :, j : j + 1]
        vh = conj(_mT(v)) if is_complex else _mT(v)
        t = expand_dims(tau[..., j : j + 1], -1)
        if adjoint and is_complex:
            t = conj(t)
        if left:
            c = sub(c, mul(t, matmul(v, matmul(vh, c))))
        else:
            c = sub(c, mul(t, matmul(matmul(c, v), vh)))
    return c


def _householder_tau(op: str, x: Tensor, tau: Any, name: str) -> Tensor:
    tau = as_tensor(tau)
    if tau.dtype != x.dtype:
        raise MindTypeError(
            f"For '{op}', '{name}' must have input's dtype {x.dtype}, got {tau.dtype}"
        )
    if tau.ndim != x.ndim - 1 or tuple(tau.shape[:-1]) != tuple(x.shape[:-2]):
        raise MindValueError(
            f"For '{op}', '{name}' must be (*, K) for input {x.shape} (the same batch), "
            f"got {tau.shape}"
        )
    if tau.shape[-1] > min(x.shape[-2:]):
        raise MindValueError(
            f"For '{op}', '{name}' has {tau.shape[-1]} reflectors, more than min(M, N) = "
            f"{min(x.shape[-2:])} for input {x.shape}"
        )
    return tau


def orgqr(input: Any, input2: Any) -> Tensor:
    """The first N columns (*, M, N) of ``Q = H_1 ... H_K`` from :func:`geqrf`'s Householder
    vectors ``input`` (*, M, N), M >= N, and their scale factors ``input2`` (*, K), K <= N.
    Differentiable (a product of rank-one updates). Supported devices: cpu.

    >>> y, tau = ops.geqrf(Tensor([[-2.0, -1.0], [1.0, 2.0]]))
    >>> ops.orgqr(y, tau)  # [[-0.894, 0.447], [0.447, 0.894]]
    """
    x = _lapack_matrices("orgqr", input, "input")
    m, n = x.shape[-2:]
    if m < n:
        raise MindValueError(f"For 'orgqr', 'input' must have M >= N rows, got shape {x.shape}")
    tau = _householder_tau("orgqr", x, input2, "input2")
    eye_ = broadcast_to(Tensor(np.eye(m, n, dtype=x.dtype.np)), x.shape)
    return _apply_reflectors(x, tau, eye_, left=True, adjoint=False)


def ormqr(input: Any, tau: Any, other: Any, left: bool = True, transpose: bool = False) -> Tensor:
    """``Q @ other`` (``left``) or ``other @ Q`` for the ``Q`` of :func:`geqrf`'s ``input``
    (*, mn, k) and ``tau`` (*, min(mn, k)); ``transpose`` uses ``Q^H``. ``other`` is (*, m, n)
    with mn = m for ``left``, n otherwise. Differentiable. Supported devices: cpu.

    >>> y, tau = ops.geqrf(Tensor([[-2.0, -1.0], [1.0, 2.0]]))
    >>> ops.ormqr(y, tau, Tensor([[1.0, 0.0], [0.0, 1.0]]))  # Q itself
    """
    x = _lapack_matrices("ormqr", input, "input")
    c = _lapack_matrices("ormqr", other, "other")
    for name, value in (("left", left), ("transpose", transpose)):
        if not isinstance(value, bool):
            raise MindTypeError(f"For 'ormqr', '{name}' must be a bool, got {value!r}")
    if c.dtype != x.dtype:
        raise MindTypeError(
            f"For 'ormqr', 'other' must have input's dtype {x.dtype}, got {c.dtype}"
        )
    tau = _householder_tau("ormqr", x, tau, "tau")
    side = c.shape[-2] if left else c.shape[-1]
    if tuple(c.shape[:-2]) != tuple(x.shape[:-2]) or side != x.shape[-2]:
        which = "rows" if left else "columns"
        raise MindValueError(
            f"For 'ormqr', 'other' {c.shape} must have input's batch and {x.shape[-2]} {which} "
            f"(left={left}) for input {x.shape}"
        )
    return _apply_reflectors(x, tau, c, left=left, adjoint=transpose)


def triangular_solve(
    input: Any, A: Any, upper: bool = True, transpose: bool = False, unitriangular: bool = False
) -> tuple[Tensor, Tensor]:
    """``(X, A clone)`` with ``op(T) X = input`` for the triangle ``T`` of each (*, M, M)
    ``A`` (upper, or lower with ``upper=False``; its diagonal taken as ones with
    ``unitriangular``); ``op`` transposes with ``transpose``. ``input`` is (*, M, K).
    Differentiable. Supported devices: cpu (MindSpore's ``Tensor.triangular_solve``)."""
    for name, value in (
        ("upper", upper),
        ("transpose", transpose),
        ("unitriangular", unitriangular),
    ):
        if not isinstance(value, bool):
            raise MindTypeError(f"For 'triangular_solve', '{name}' must be a bool, got {value!r}")
    a = _matrices("triangular_solve", A, "A")
    b = _matrices("triangular_solve", input, "input")
    if a.shape[-1] != a.shape[-2]:
        raise MindValueError(f"For 'triangular_solve', 'A' must be square (*, M, M), got {a.shape}")
    from mind.core._src.ops.array import triu

    t = triu(a) if upper else tril(a)
    if unitriangular:
        ones = Tensor(np.eye(a.shape[-1], dtype=a.dtype.np))
        t = add(sub(t, mul(t, ones)), ones)
    if transpose:
        t = _mT(t)
    return matrix_solve(t, b), add(a, zeros_like(a))
