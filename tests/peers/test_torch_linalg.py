"""Mind's linear-algebra ops against PyTorch on the same inputs: forward values and gradients.

Run by ``nox -s peers`` (torch==2.13.0 CPU); the default test run does not collect this
directory. Inputs are float64 so a difference is the op's, not rounding's. Where MindSpore's
documented semantics differ from PyTorch's on purpose (``ops.diag`` of an N-D input,
``ops.dot`` of N-D operands, ``matrix_solve``'s ``adjoint``), the PyTorch side is adapted and
a comment says how.
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare as _compare

from mind.core import Tensor, ops

RNG = np.random.default_rng(11)


def _well_conditioned(*shape):
    """Random square matrices kept away from singular (a shifted diagonal)."""
    n = shape[-1]
    return RNG.normal(size=shape) + 3.0 * np.eye(n)


SQUARE = [(3, 3), (2, 4, 4), (2, 1, 2, 2)]


# ---------------------------------------------------------------- inverse, det, slogdet, solve


@pytest.mark.parametrize("shape", SQUARE, ids=str)
def test_inverse(shape):
    _compare(ops.inverse, torch.linalg.inv, _well_conditioned(*shape), rtol=1e-9, grad_rtol=1e-7)


@pytest.mark.parametrize("shape", SQUARE + [(1, 1)], ids=str)
def test_det(shape):
    _compare(ops.det, torch.linalg.det, RNG.normal(size=shape), rtol=1e-9, grad_rtol=1e-7)


@pytest.mark.parametrize("shape", SQUARE, ids=str)
def test_slogdet_sign_and_logabsdet(shape):
    a = RNG.normal(size=shape)
    a[..., 0, :] *= -1  # some determinants of each sign
    sign, logabs = ops.slogdet(Tensor(a))
    want_sign, want_logabs = torch.linalg.slogdet(torch.tensor(a))
    np.testing.assert_array_equal(sign.asnumpy(), want_sign.numpy())
    np.testing.assert_allclose(logabs.asnumpy(), want_logabs.numpy(), rtol=1e-10, atol=1e-12)
    _compare(
        lambda x: ops.slogdet(x)[1],
        lambda x: torch.linalg.slogdet(x)[1],
        a,
        rtol=1e-10,
        grad_rtol=1e-7,
    )


MATRIX_SOLVE = [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 3)), ((4, 4), (4, 1))]


@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("shapes", MATRIX_SOLVE, ids=str)
def test_matrix_solve(shapes, adjoint):
    a = _well_conditioned(*shapes[0])
    b = RNG.normal(size=shapes[1])

    # MindSpore's adjoint=True solves with A's (conjugate) transpose: torch.linalg.solve(A^T, B)
    def peer(x, y):
        return torch.linalg.solve(x.mT if adjoint else x, y)

    _compare(lambda x, y: ops.matrix_solve(x, y, adjoint), peer, a, b, rtol=1e-9, grad_rtol=1e-7)


# ---------------------------------------------------------------- cholesky, pinv, cond, svdvals


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)], ids=str)
def test_cholesky(shape, upper):
    x = RNG.normal(size=shape)
    n = shape[-1]

    # The gradient is taken through a symmetric positive-definite A = X X^T + n I built on
    # both sides, so it does not depend on how each library symmetrises dL/dA.
    def spd_mind(t):
        return ops.matmul(t, ops.swapaxes(t, -1, -2)) + Tensor(n * np.eye(n))

    def spd_torch(t):
        return t @ t.mT + torch.tensor(n * np.eye(n))

    _compare(
        lambda t: ops.cholesky(spd_mind(t), upper),
        lambda t: torch.linalg.cholesky(spd_torch(t), upper=upper),
        x,
        grad_rtol=1e-7,
    )


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 4, 3)], ids=str)
def test_pinv(shape):
    _compare(ops.pinv, torch.linalg.pinv, RNG.normal(size=shape), rtol=1e-9, grad_rtol=1e-7)


def test_pinv_rank_deficient_forward():
    x = RNG.normal(size=(5, 2)) @ RNG.normal(size=(2, 4))  # rank 2
    _compare(
        lambda t: ops.pinv(t, rtol=1e-10),
        lambda t: torch.linalg.pinv(t, rtol=1e-10),
        x,
        rtol=1e-8,
        atol=1e-10,
        grad=False,
    )


def test_pinv_hermitian():
    x = RNG.normal(size=(4, 4))
    sym = x + x.T
    _compare(
        lambda t: ops.pinv(t, hermitian=True),
        lambda t: torch.linalg.pinv(t, hermitian=True),
        sym,
        rtol=1e-9,
        grad=False,
    )


COND_P = [None, 2, -2, "fro", "nuc", math.inf, -math.inf, 1, -1]


@pytest.mark.parametrize("p", COND_P, ids=str)
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)], ids=str)
def test_cond(shape, p):
    a = _well_conditioned(*shape)
    np.testing.assert_allclose(
        ops.cond(Tensor(a), p).asnumpy(), torch.linalg.cond(torch.tensor(a), p).numpy(), rtol=1e-9
    )

    # torch.linalg.cond's backward for p outside {None, 2, -2} fails in torch 2.13 ("modified
    # by an inplace operation"): the gradient is compared with the definition it computes,
    # norm(A, p) * norm(inv(A), p).
    def peer(t):
        if p in (None, 2, -2):
            return torch.linalg.cond(t, p)
        return torch.linalg.matrix_norm(t, p) * torch.linalg.matrix_norm(torch.linalg.inv(t), p)

    _compare(lambda t: ops.cond(t, p), peer, a, rtol=1e-9, grad_rtol=1e-7)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 4)], ids=str)
def test_svdvals(shape):
    _compare(ops.svdvals, torch.linalg.svdvals, RNG.normal(size=shape), grad_rtol=1e-7)


# ---------------------------------------------------------------- trace, diag, diagonal, diag_embed


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 2)], ids=str)
def test_trace(shape):
    _compare(ops.trace, torch.trace, RNG.normal(size=shape))


def test_diag_of_a_vector():
    _compare(ops.diag, torch.diag, RNG.normal(size=(4,)))


@pytest.mark.parametrize("shape", [(2, 3), (2, 1, 3)], ids=str)
def test_diag_of_nd_input(shape):
    # MindSpore's diag of a (d1, ..., dk) input is (d1, ..., dk, d1, ..., dk), not torch.diag's
    # diagonal extraction: compare with torch.diag of the flattened input, reshaped.
    _compare(
        ops.diag, lambda t: torch.diag(t.reshape(-1)).reshape(shape + shape), RNG.normal(size=shape)
    )


DIAGONAL = [
    ((4, 4), 0, 0, 1),
    ((4, 5), 1, 0, 1),
    ((5, 4), -2, 0, 1),
    ((2, 3, 4), 0, 1, 2),
    ((2, 3, 4), 1, 0, 2),
    ((3, 2, 4), -1, 2, 0),
    ((2, 3, 4, 3), 0, -1, 1),
]


@pytest.mark.parametrize("shape, offset, dim1, dim2", DIAGONAL, ids=str)
def test_diagonal(shape, offset, dim1, dim2):
    _compare(
        lambda t: ops.diagonal(t, offset, dim1, dim2),
        lambda t: torch.diagonal(t, offset, dim1, dim2),
        RNG.normal(size=shape),
    )


DIAG_EMBED = [((3,), 0, -2, -1), ((2, 3), 0, -2, -1), ((2, 3), 1, -2, -1), ((2, 3), -2, 0, 2)]


@pytest.mark.parametrize("shape, offset, dim1, dim2", DIAG_EMBED, ids=str)
def test_diag_embed(shape, offset, dim1, dim2):
    _compare(
        lambda t: ops.diag_embed(t, offset, dim1, dim2),
        lambda t: torch.diag_embed(t, offset, dim1, dim2),
        RNG.normal(size=shape),
    )


# ---------------------------------------------------------------- products


@pytest.mark.parametrize("shapes", [((2, 3), (3, 2)), ((3,), (4,)), ((2, 1, 3), (2, 2))], ids=str)
def test_kron(shapes):
    _compare(ops.kron, torch.kron, *(RNG.normal(size=s) for s in shapes))


@pytest.mark.parametrize(
    "shape, dim", [((3,), 0), ((4, 3), 1), ((3, 4), 0), ((2, 3, 3), -1), ((2, 3, 3), 1)], ids=str
)
def test_cross(shape, dim):
    _compare(
        lambda a, b: ops.cross(a, b, dim),
        lambda a, b: torch.linalg.cross(a, b, dim=dim),
        RNG.normal(size=shape),
        RNG.normal(size=shape),
    )


def test_cross_default_dim_is_the_first_of_size_3():
    # MindSpore's default dim is the first axis of size 3 (torch.cross without dim, too)
    a, b = RNG.normal(size=(2, 3, 3)), RNG.normal(size=(2, 3, 3))
    _compare(ops.cross, lambda x, y: torch.linalg.cross(x, y, dim=1), a, b)


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(5,), (5,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 2)]),
    ("...ij,jk->...ik", [(2, 2, 3, 4), (4, 2)]),
    ("i...->...", [(3, 2, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ijk,ikl->jl", [(2, 3, 4), (2, 4, 5)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]),
    ("ba", [(3, 4)]),
]


@pytest.mark.parametrize("eq, shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(eq, shapes):
    _compare(
        lambda *xs: ops.einsum(eq, *xs),
        lambda *xs: torch.einsum(eq, *xs),
        *(RNG.normal(size=s) for s in shapes),
    )


TENSOR_DOT = [
    ((2, 3, 4), (3, 4, 5), 2),
    ((2, 3), (3, 4), 1),
    ((2, 3), (4, 5), 0),
    ((1, 2, 3), (3, 1, 2), ((0, 1), (1, 2))),
    ((4, 3, 2), (2, 4), ((0, 2), (1, 0))),
]


@pytest.mark.parametrize("sa, sb, axes", TENSOR_DOT, ids=str)
def test_tensor_dot(sa, sb, axes):
    _compare(
        lambda a, b: ops.tensor_dot(a, b, axes),
        lambda a, b: torch.tensordot(
            a, b, dims=axes if isinstance(axes, int) else [list(x) for x in axes]
        ),
        RNG.normal(size=sa),
        RNG.normal(size=sb),
    )


def test_outer():
    _compare(ops.outer, torch.outer, RNG.normal(size=(3,)), RNG.normal(size=(4,)))


@pytest.mark.parametrize(
    "sa, sb", [((4,), (4,)), ((2, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 4), (2, 1, 4))], ids=str
)
def test_inner(sa, sb):
    _compare(ops.inner, torch.inner, RNG.normal(size=sa), RNG.normal(size=sb))


def test_dot_of_vectors():
    _compare(ops.dot, torch.dot, RNG.normal(size=(5,)), RNG.normal(size=(5,)))


@pytest.mark.parametrize(
    "sa, sb", [((2, 3), (3, 4)), ((2, 3), (1, 3, 2)), ((2, 2, 3), (4, 3, 5))], ids=str
)
def test_dot_of_nd_operands(sa, sb):
    # MindSpore's dot is numpy's for N-D operands (torch.dot takes 1-D only): the last axis of
    # input against the second-to-last of other, which torch.tensordot says explicitly.
    _compare(
        ops.dot,
        lambda a, b: torch.tensordot(a, b, dims=([a.ndim - 1], [b.ndim - 2])),
        RNG.normal(size=sa),
        RNG.normal(size=sb),
    )


@pytest.mark.parametrize("sa, sb", [((2, 3), (3, 4)), ((1, 5), (5, 1)), ((4, 1), (1, 3))], ids=str)
def test_mm(sa, sb):
    _compare(ops.mm, torch.mm, RNG.normal(size=sa), RNG.normal(size=sb))


ADDMM = [((2, 4), 1, 1), ((2, 4), 0.5, 2.0), ((4,), 1, 1), ((1, 4), -1.5, 0.3), ((2, 1), 0, 1)]


@pytest.mark.parametrize("shape, beta, alpha", ADDMM, ids=str)
def test_addmm(shape, beta, alpha):
    _compare(
        lambda c, a, b: ops.addmm(c, a, b, beta=beta, alpha=alpha),
        lambda c, a, b: torch.addmm(c, a, b, beta=beta, alpha=alpha),
        RNG.normal(size=shape),
        RNG.normal(size=(2, 3)),
        RNG.normal(size=(3, 4)),
    )


BADDBMM = [((2, 3, 5), 1, 1), ((2, 3, 5), 0.5, 2.0), ((5,), 1, 1), ((1, 3, 1), -1.0, 0.25)]


@pytest.mark.parametrize("shape, beta, alpha", BADDBMM, ids=str)
def test_baddbmm(shape, beta, alpha):
    _compare(
        lambda c, a, b: ops.baddbmm(c, a, b, beta, alpha),
        lambda c, a, b: torch.baddbmm(c, a, b, beta=beta, alpha=alpha),
        RNG.normal(size=shape),
        RNG.normal(size=(2, 3, 4)),
        RNG.normal(size=(2, 4, 5)),
    )


# ---------------------------------------------------------------- distances


CDIST_P = [1.0, 2.0, 3.0, math.inf, 0.5]


@pytest.mark.parametrize("p", CDIST_P, ids=str)
@pytest.mark.parametrize(
    "sa, sb", [((4, 3), (5, 3)), ((2, 4, 3), (2, 2, 3)), ((1, 6), (3, 6))], ids=str
)
def test_cdist(sa, sb, p):
    # continuous random inputs: no ties (p = inf) and no zero differences (p = 1)
    _compare(
        lambda a, b: ops.cdist(a, b, p),
        lambda a, b: torch.cdist(a, b, p=p, compute_mode="donot_use_mm_for_euclid_dist"),
        RNG.normal(size=sa),
        RNG.normal(size=sb),
        rtol=1e-9,
        grad_rtol=1e-7,
    )


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, math.inf], ids=str)
@pytest.mark.parametrize("shape", [(5, 3), (2, 4), (4, 1)], ids=str)
def test_pdist(shape, p):
    _compare(
        lambda a: ops.pdist(a, p),
        lambda a: TF.pdist(a, p=p),
        RNG.normal(size=shape),
        rtol=1e-9,
        grad_rtol=1e-7,
    )


COSINE = [((4, 5), (4, 5), 1), ((4, 5), (4, 5), 0), ((2, 3, 4), (2, 3, 4), -1), ((3, 4), (1, 4), 1)]


@pytest.mark.parametrize("sa, sb, dim", COSINE, ids=str)
def test_cosine_similarity(sa, sb, dim):
    _compare(
        lambda a, b: ops.cosine_similarity(a, b, dim),
        lambda a, b: TF.cosine_similarity(a, b, dim=dim),
        RNG.normal(size=sa),
        RNG.normal(size=sb),
    )


def test_cosine_similarity_eps_clamps_the_product_of_norms():
    # MindSpore documents x1.x2 / max(|x1| |x2|, eps); torch clamps each norm on its own,
    # x1.x2 / (max(|x1|, eps) max(|x2|, eps)). They differ only where a norm is below eps, so
    # the peer here is MindSpore's formula written in torch.
    a = RNG.normal(size=(3, 4)) * 1e-3
    b = RNG.normal(size=(3, 4))

    def peer(x, y):
        return (x * y).sum(1) / torch.clamp_min(x.norm(dim=1) * y.norm(dim=1), 0.1)

    _compare(lambda x, y: ops.cosine_similarity(x, y, 1, 0.1), peer, a, b)
