"""Mind's array and linear-algebra compositions (array_ops) against PyTorch on the same float64
inputs: forward values and gradients. Where MindSpore's semantics differ from PyTorch's
(``svd`` returns V, not V^H; ``median`` returns the lower median, as torch does), the PyTorch
side is adapted and a comment says how.
"""

import numpy as np
import pytest
import torch
from peer_compare import compare

from mind.core import Tensor, ops

RNG = np.random.default_rng(3)


def r(*shape):
    return RNG.normal(size=shape)


@pytest.mark.parametrize(
    ("mind_fn", "torch_fn", "shapes"),
    [
        (lambda a, m, v: ops.addmv(a, m, v, beta=0.5, alpha=2),
         lambda a, m, v: torch.addmv(a, m, v, beta=0.5, alpha=2), [(3,), (3, 4), (4,)]),
        (lambda a, u, v: ops.addr(a, u, v, beta=2), lambda a, u, v: torch.addr(a, u, v, beta=2),
         [(3, 4), (3,), (4,)]),
        (lambda a, p, q: ops.addbmm(a, p, q, alpha=3), lambda a, p, q: torch.addbmm(a, p, q, alpha=3),
         [(3, 5), (2, 3, 4), (2, 4, 5)]),
        (lambda a, b: ops.block_diag(a, b), lambda a, b: torch.block_diag(a, b), [(2, 3), (1, 2)]),
        (lambda a: ops.diagflat(a, 1), lambda a: torch.diagflat(a, 1), [(2, 2)]),
        (lambda a: ops.logcumsumexp(a, 1), lambda a: torch.logcumsumexp(a, 1), [(3, 5)]),
        (lambda a: ops.cov(a), lambda a: torch.cov(a), [(3, 6)]),
        (lambda a: ops.cov(a, correction=0), lambda a: torch.cov(a, correction=0), [(2, 5)]),
        (lambda a: ops.renorm(a, 2, 0, 1.0), lambda a: torch.renorm(a, 2, 0, 1.0), [(3, 4)]),
        (lambda a, b: ops.dist(a, b, 3), lambda a, b: torch.dist(a, b, 3), [(3, 4), (4,)]),
        # torch.vander's backward trips over its own in-place writes: its definition instead
        (lambda a: ops.vander(a, 4),
         lambda a: a[:, None] ** torch.arange(3, -1, -1, dtype=a.dtype), [(3,)]),
        (lambda a: ops.trapz(a, dx=0.5), lambda a: torch.trapezoid(a, dx=0.5), [(3, 5)]),
        (lambda a, b: ops.trapz(a, b), lambda a, b: torch.trapezoid(a, b), [(3, 5), (5,)]),
        (lambda a: ops.combinations(a, 2), lambda a: torch.combinations(a, 2), [(4,)]),
        (lambda a: ops.combinations(a, 3, True),
         lambda a: torch.combinations(a, 3, with_replacement=True), [(3,)]),
        (lambda a: ops.median(a, 1)[0], lambda a: torch.median(a, 1)[0], [(3, 6)]),
        (lambda a: ops.nansum(a, 0), lambda a: torch.nansum(a, 0), [(3, 4)]),
        (lambda a: ops.logdet(a @ a.swapaxes(-1, -2) + 3 * Tensor(np.eye(3))),
         lambda a: torch.logdet(a @ a.mT + 3 * torch.eye(3, dtype=a.dtype)), [(2, 3, 3)]),
        (lambda a, b: ops.slice_scatter(a, b, 1, 0, 5, 2),
         lambda a, b: torch.slice_scatter(a, b, 1, 0, 5, 2), [(3, 5), (3, 3)]),
        (lambda a, b: ops.diagonal_scatter(a, b, 1), lambda a, b: torch.diagonal_scatter(a, b, 1),
         [(3, 4), (3,)]),
        (lambda a, b: ops.select_scatter(a, b, 0, 1), lambda a, b: torch.select_scatter(a, b, 0, 1),
         [(3, 4), (4,)]),
    ],
)  # fmt: skip
def test_ops_match_torch(mind_fn, torch_fn, shapes):
    compare(mind_fn, torch_fn, *(r(*s) for s in shapes), rtol=1e-9, grad_rtol=1e-7)


def test_tensor_split_histc_vander_match_torch():
    v = r(4)
    np.testing.assert_allclose(ops.vander(Tensor(v)).asnumpy(), torch.vander(torch.tensor(v)))
    x = r(7, 3)
    for sections in (3, [2, 5]):
        got = ops.tensor_split(Tensor(x), sections)
        want = torch.tensor_split(torch.tensor(x), sections)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g.asnumpy(), w.numpy())
    values = r(100)
    got = ops.histc(Tensor(values), 7, -1.0, 1.5).asnumpy()
    np.testing.assert_array_equal(got, torch.histc(torch.tensor(values), 7, -1.0, 1.5).numpy())


def test_svd_gauge_invariant_products_match_torch():
    q1, _ = np.linalg.qr(r(5, 5))
    q2, _ = np.linalg.qr(r(3, 3))
    a = q1[:, :3] @ np.diag([4.0, 2.0, 0.5]) @ q2.T

    # |U| and |V| do not depend on the sign of each singular pair; torch gives V^H, Mind V.
    compare(
        lambda x: (lambda s, u, v: ops.abs(u) * s + ops.abs(v).sum())(*ops.svd(x)),
        lambda x: (lambda u, s, vh: u.abs() * s + vh.mT.abs().sum())(*torch.linalg.svd(x, False)),
        a,
        rtol=1e-9,
        grad_rtol=1e-6,
    )
