"""The rest of Mind's ops that PyTorch also has, against PyTorch on the same float64 inputs:
forward values and (where differentiable) the gradients, through peer_compare's ``compare``.

Run by ``nox -s peers`` (torch==2.13.0 CPU). test_torch_coverage.py checks that every op name the
two share is compared here or in another peer file, or listed with its reason. Where MindSpore's
default differs from PyTorch's under the same name (``std``'s ``ddof=0``, ``leaky_relu``'s
``alpha=0.2``, ``flatten``'s ``start_dim=1``, ``avg_pool2d``'s ``stride=1``, ``smooth_l1_loss``'s
``reduction='none'``, ``gather`` taking whole slices), the case passes the mapping explicitly.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare

import mind.core as ms
from mind.core import Tensor, ops

RNG = np.random.default_rng(11)

X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
P = np.abs(X) + 0.3
U = np.tanh(X) * 0.9
X3 = RNG.normal(size=(2, 3, 4))


def forward(mind_fn, torch_fn, *arrays, **kwargs):
    """Forward values only: integer, boolean and piecewise-constant results."""
    compare(mind_fn, torch_fn, *arrays, grad=False, **kwargs)


def same_values(got, want):
    """Results equal by value whatever their integer dtype (MindSpore's int32 against int64)."""
    got = got.asnumpy() if isinstance(got, Tensor) else np.asarray(got)
    want = want.numpy() if isinstance(want, torch.Tensor) else np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def first(fn, i=0):
    """The ``i``-th result of an op that returns a tuple (values, indices)."""
    return lambda *a: fn(*a)[i]


# ---------------------------------------------------------------- elementwise math

UNARY = [
    ("absolute", X),
    ("arccos", U),
    ("arccosh", P + 1),
    ("arcsin", U),
    ("arcsinh", X),
    ("arctan", X),
    ("arctanh", U),
    ("erf", X),
    ("log1p", P),
    ("rsqrt", P),
    ("neg", X),
    ("negative", X),
    ("positive", X),
    ("i0", X),
    ("nan_to_num", np.where(X > 1, np.nan, np.where(X < -1, -np.inf, X))),
    ("trunc", X * 3),
    ("sign", X),
    ("ravel", X3),
    ("msort", X),
    ("atleast_1d", X[0, 0]),
    ("atleast_2d", X[0]),
    ("atleast_3d", X),
    ("tril", X),
    ("triu", X),
    ("pinverse", X),
]


@pytest.mark.parametrize("name, x", UNARY, ids=[n for n, _ in UNARY])
def test_unary(name, x):
    compare(getattr(ops, name), getattr(torch, name), x)


def test_sgn_and_rounding_of_reals():
    # torch's sgn backward on a real input is a ZeroTensor that cannot leave torch: compare the
    # values, and that Mind's gradient is zero as PyTorch's is
    forward(ops.sgn, torch.sgn, X)
    np.testing.assert_array_equal(ms.grad(lambda t: ops.sgn(t).sum())(Tensor(X)).asnumpy(), 0.0)
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.2, -3.7])  # half to even in both
    for name in ("floor", "ceil", "round"):
        compare(getattr(ops, name), getattr(torch, name), np.concatenate([halves, X.ravel() * 3]))


def test_float_predicates():
    z = np.array([0.0, -np.inf, np.inf, np.nan, 1.5, -2.0])
    for name in ("isfinite", "isinf", "isnan"):
        forward(getattr(ops, name), getattr(torch, name), z)


BINARY = [
    ("arctan2", X, P),
    ("remainder", X * 3, P),
    ("true_divide", X, P),
    ("divide", X, P),
    ("multiply", X, Y),
    ("subtract", X, Y),
    ("maximum", X, Y),
    ("minimum", X, Y),
    ("vecdot", X, Y),
    ("dist", X, Y),
    ("add", X, Y),
    ("sub", X, Y),
    ("mul", X, Y),
    ("div", X, P),
]


@pytest.mark.parametrize("name, x, y", BINARY, ids=[b[0] for b in BINARY])
def test_binary(name, x, y):
    peer = getattr(torch, name, None) or getattr(torch.linalg, name)
    compare(getattr(ops, name), peer, x, y)


def test_floor_divide_and_piecewise_constant_binaries():
    forward(ops.floor_divide, torch.floor_divide, X * 3, P)
    forward(ops.heaviside, torch.heaviside, np.where(X > 1, 0.0, X), Y)
    forward(ops.nextafter, torch.nextafter, X, Y)


def test_clamp_and_clip():
    compare(lambda t: ops.clamp(t, -0.5, 0.7), lambda t: torch.clamp(t, -0.5, 0.7), X)
    compare(lambda t: ops.clip(t, None, 0.2), lambda t: torch.clip(t, None, 0.2), X)
    compare(ops.clamp, torch.clamp, X, -P, P)


def test_pow_of_tensors():
    compare(ops.pow, torch.pow, P, X)


INTEGER = ["gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor"]


@pytest.mark.parametrize("name", INTEGER)
def test_integer_binary(name):
    a, b = RNG.integers(-20, 20, size=(3, 4)), RNG.integers(1, 12, size=(3, 4))
    forward(getattr(ops, name), getattr(torch, name), a, b)


@pytest.mark.parametrize("name", ["bitwise_left_shift", "bitwise_right_shift"])
def test_shifts(name):
    a, b = RNG.integers(0, 200, size=(3, 4)), RNG.integers(0, 5, size=(3, 4))
    forward(getattr(ops, name), getattr(torch, name), a, b)


# ---------------------------------------------------------------- comparisons and predicates

COMPARISONS = [
    "eq",
    "ne",
    "not_equal",
    "ge",
    "gt",
    "le",
    "lt",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
]


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons(name):
    y = np.where(RNG.random(X.shape) < 0.3, X, Y)  # some equal elements
    forward(getattr(ops, name), getattr(torch, name), X, y)


def test_predicates():
    z = np.array([0.0, -np.inf, np.inf, np.nan, 1.5, -2.0])
    for name in ("isneginf", "isposinf", "isreal", "signbit", "logical_not"):
        forward(getattr(ops, name), getattr(torch, name), z)
    forward(ops.isclose, torch.isclose, X, X + np.where(X > 0, 1e-9, 1e-3))
    forward(lambda a, b: ops.equal(a, b), lambda a, b: torch.eq(a, b), X, np.where(X > 0, X, Y))
    forward(ops.argwhere, torch.argwhere, np.where(X > 0, X, 0.0))


def test_predicates_on_a_tensor():
    assert ops.is_complex(Tensor(X)) == torch.is_complex(torch.tensor(X))
    assert ops.is_floating_point(Tensor(X)) == torch.is_floating_point(torch.tensor(X))
    assert ops.is_tensor(Tensor(X)) == torch.is_tensor(torch.tensor(X))
    assert not ops.is_tensor(X) and not torch.is_tensor(X)
    for v in (0.0, 2.5):
        assert bool(ops.is_nonzero(Tensor([v]))) == torch.is_nonzero(torch.tensor([v]))
    assert ops.numel(Tensor(X3)) == torch.numel(torch.tensor(X3))


# ---------------------------------------------------------------- activations

ACTIVATIONS = [
    ("silu", ops.silu, TF.silu),
    ("gelu", ops.gelu, TF.gelu),
    ("gelu-tanh", lambda t: ops.gelu(t, "tanh"), lambda t: TF.gelu(t, approximate="tanh")),
    ("elu", lambda t: ops.elu(t, 0.7), lambda t: TF.elu(t, 0.7)),
    ("softplus", lambda t: ops.softplus(t, 2.0, 3.0), lambda t: TF.softplus(t, 2.0, 3.0)),
    # MindSpore's leaky_relu slope defaults to 0.2, PyTorch's to 0.01: both given
    ("leaky_relu", lambda t: ops.leaky_relu(t, 0.3), lambda t: TF.leaky_relu(t, 0.3)),
    ("threshold", lambda t: ops.threshold(t, 0.1, -2.0), lambda t: TF.threshold(t, 0.1, -2.0)),
    ("softmax", lambda t: ops.softmax(t, 0), lambda t: torch.softmax(t, 0)),
    ("softmin", lambda t: ops.softmin(t, -1), lambda t: TF.softmin(t, -1)),
    ("relu", ops.relu, torch.relu),
    ("sigmoid", ops.sigmoid, torch.sigmoid),
]


@pytest.mark.parametrize("name, mine, peer", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activations(name, mine, peer):
    x = np.where(np.abs(X - 0.1) < 0.05, X + 0.2, X)  # off threshold's kink
    compare(mine, peer, x)


# ---------------------------------------------------------------- reductions and scans


def test_reductions():
    compare(lambda t: ops.logsumexp(t, 1), lambda t: torch.logsumexp(t, 1), X)
    compare(lambda t: ops.cumsum(t, 1), lambda t: torch.cumsum(t, 1), X)
    compare(lambda t: ops.nanmean(t, 1), lambda t: torch.nanmean(t, 1), np.where(X > 1, np.nan, X))
    # MindSpore's std/var default to ddof=0, PyTorch's to correction=1: both given
    for ddof in (0, 1):
        for name in ("std", "var"):
            compare(
                lambda t, n=name, d=ddof: getattr(ops, n)(t, 1, ddof=d),
                lambda t, n=name, d=ddof: getattr(torch, n)(t, 1, correction=d),
                X,
            )
        for name in ("std_mean", "var_mean"):
            for i in (0, 1):
                compare(
                    first(lambda t, n=name, d=ddof: getattr(ops, n)(t, 0, ddof=d), i),
                    first(lambda t, n=name, d=ddof: getattr(torch, n)(t, 0, correction=d), i),
                    X,
                )


REDUCTIONS = [
    ("sum", lambda t: ops.sum(t, 1), lambda t: torch.sum(t, 1)),
    ("mean", lambda t: ops.mean(t, (0, 1)), lambda t: torch.mean(t, (0, 1))),
    ("prod", lambda t: ops.prod(t, 1), lambda t: torch.prod(t, 1)),
    ("prod-all", ops.prod, torch.prod),
    ("amax", lambda t: ops.amax(t, 1), lambda t: torch.amax(t, 1)),
    ("amin", lambda t: ops.amin(t, (0, 1), True), lambda t: torch.amin(t, (0, 1), True)),
]


@pytest.mark.parametrize("name, mine, peer", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_plain_reductions(name, mine, peer):
    compare(mine, peer, X3)


@pytest.mark.parametrize("name", ["max", "min", "median", "nanmedian"])
def test_value_and_index_reductions(name):
    x = np.where(X > 1.5, np.nan, X) if name == "nanmedian" else X
    compare(
        first(lambda t: getattr(ops, name)(t, 1)), first(lambda t: getattr(torch, name)(t, 1)), x
    )
    got = getattr(ops, name)(Tensor(x), 1)[1]
    same_values(got, getattr(torch, name)(torch.tensor(x), 1)[1])


def test_aminmax_argmax_argmin_all_any():
    for i in (0, 1):
        compare(
            first(lambda t: ops.aminmax(t, axis=1), i),
            first(lambda t: torch.aminmax(t, dim=1), i),
            X,
        )
    for name in ("argmax", "argmin"):
        same_values(getattr(ops, name)(Tensor(X), 1), getattr(torch, name)(torch.tensor(X), 1))
        same_values(getattr(ops, name)(Tensor(X)), getattr(torch, name)(torch.tensor(X)))
    b = X > 0
    for name in ("all", "any"):
        forward(
            lambda t, n=name: getattr(ops, n)(t, 1), lambda t, n=name: getattr(torch, n)(t, 1), b
        )


NORMS = [
    ("norm", lambda t: ops.norm(t), lambda t: torch.norm(t)),
    ("norm-1", lambda t: ops.norm(t, 1, 1), lambda t: torch.linalg.norm(t, 1, 1)),
    (
        "vector_norm",
        lambda t: ops.vector_norm(t, 3, 0),
        lambda t: torch.linalg.vector_norm(t, 3, 0),
    ),
    ("matrix_norm", ops.matrix_norm, torch.linalg.matrix_norm),
    (
        "matrix_norm-nuc",
        lambda t: ops.matrix_norm(t, "nuc"),
        lambda t: torch.linalg.matrix_norm(t, "nuc"),
    ),
]


@pytest.mark.parametrize("name, mine, peer", NORMS, ids=[n[0] for n in NORMS])
def test_norms(name, mine, peer):
    compare(mine, peer, X, grad_rtol=1e-7)


# ---------------------------------------------------------------- shape, joining, splitting


SHAPES = [
    ("reshape", lambda t: ops.reshape(t, (4, 6)), lambda t: torch.reshape(t, (4, 6))),
    ("permute", lambda t: ops.permute(t, (2, 0, 1)), lambda t: torch.permute(t, (2, 0, 1))),
    # MindSpore's transpose takes the whole permutation (torch's permute), not two axes
    ("transpose", lambda t: ops.transpose(t, (1, 0, 2)), lambda t: t.permute(1, 0, 2)),
    ("moveaxis", lambda t: ops.moveaxis(t, 0, 2), lambda t: torch.moveaxis(t, 0, 2)),
    ("swapdims", lambda t: ops.swapdims(t, 0, 2), lambda t: torch.swapdims(t, 0, 2)),
    ("unsqueeze", lambda t: ops.unsqueeze(t, 1), lambda t: torch.unsqueeze(t, 1)),
    ("squeeze", lambda t: ops.squeeze(t[:, :1]), lambda t: torch.squeeze(t[:, :1])),
    ("tile", lambda t: ops.tile(t, (2, 1, 3)), lambda t: torch.tile(t, (2, 1, 3))),
    ("broadcast_to", lambda t: ops.broadcast_to(t, (5, 2, 3, 4)), lambda t: t.expand(5, 2, 3, 4)),
    # MindSpore's flatten keeps the first axis by default (start_dim=1): given explicitly
    ("flatten", lambda t: ops.flatten(t, start_dim=0), lambda t: torch.flatten(t, 0)),
    ("flatten-1", lambda t: ops.flatten(t), lambda t: torch.flatten(t, 1)),
]


@pytest.mark.parametrize("name, mine, peer", SHAPES, ids=[s[0] for s in SHAPES])
def test_shapes(name, mine, peer):
    compare(mine, peer, X3)


JOINS = ["cat", "concat", "stack", "hstack", "vstack", "dstack", "column_stack", "row_stack"]


@pytest.mark.parametrize("name", JOINS)
def test_joins(name):
    a, b = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    compare(lambda *t: getattr(ops, name)(t), lambda *t: getattr(torch, name)(t), a, b)


SPLITS = [
    ("split", lambda t: ops.split(t, 2, 2), lambda t: torch.split(t, 2, 2)),
    ("split-sections", lambda t: ops.split(t, [1, 3], 2), lambda t: torch.split(t, [1, 3], 2)),
    ("hsplit", lambda t: ops.hsplit(t, 3), lambda t: torch.hsplit(t, 3)),
    ("vsplit", lambda t: ops.vsplit(t, 2), lambda t: torch.vsplit(t, 2)),
    ("dsplit", lambda t: ops.dsplit(t, [1, 3]), lambda t: torch.dsplit(t, [1, 3])),
]


@pytest.mark.parametrize("name, mine, peer", SPLITS, ids=[s[0] for s in SPLITS])
def test_splits(name, mine, peer):
    x = RNG.normal(size=(2, 3, 4))
    n = len(peer(torch.tensor(x)))
    assert len(mine(Tensor(x))) == n
    for i in range(n):
        compare(first(mine, i), first(peer, i), x)


# ---------------------------------------------------------------- gather, scatter, where

IDX = np.array([2, 0, 2])


def test_gather_is_index_select():
    # MindSpore's gather takes whole slices (torch's index_select); torch.gather is MindSpore's
    # gather_elements
    compare(
        lambda t: ops.gather(t, Tensor(IDX), 1),
        lambda t: torch.index_select(t, 1, torch.tensor(IDX)),
        X,
    )


def test_scatter():
    index = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    src = RNG.normal(size=(2, 4))
    compare(
        lambda t, s: ops.scatter(t, 0, Tensor(index), s),
        lambda t, s: torch.scatter(t, 0, torch.tensor(index), s),
        X,
        src,
    )


def test_scatter_add_and_index_add():
    # MindSpore's scatter_add adds updates[i] into row indices[i] (torch's index_add on axis 0)
    upd = RNG.normal(size=(3, 4))
    compare(
        lambda t, u: ops.scatter_add(t, Tensor(IDX), u),
        lambda t, u: torch.index_add(t, 0, torch.tensor(IDX), u),
        X,
        upd,
    )
    compare(
        lambda t, u: ops.index_add(t, Tensor(IDX.astype(np.int32)), u, 1),
        lambda t, u: torch.index_add(t, 1, torch.tensor(IDX), u),
        X,
        upd[:, :3],
    )


def test_index_fill_and_where():
    compare(
        lambda t: ops.index_fill(t, 1, Tensor(np.array([0, 2], np.int32)), 5.0),
        lambda t: torch.index_fill(t, 1, torch.tensor([0, 2]), 5.0),
        X,
    )
    compare(
        lambda a, b: ops.where(Tensor(X > 0), a, b),
        lambda a, b: torch.where(torch.tensor(X > 0), a, b),
        X,
        Y,
    )


def test_take_and_masked_scatter():
    idx = np.array([[0, 11], [5, 3]])
    compare(lambda t: t.take(Tensor(idx)), lambda t: t.take(torch.tensor(idx)), X)
    mask = X > 0
    src = RNG.normal(size=(12,))
    forward(
        lambda t, s: t.masked_scatter(Tensor(mask), s),
        lambda t, s: t.masked_scatter(torch.tensor(mask), s),
        X,
        src,
    )


# ---------------------------------------------------------------- creation


def test_creation():
    forward(lambda: ops.arange(1, 7, 2), lambda: torch.arange(1, 7, 2))
    forward(lambda: ops.arange(0.5, 2.0, 0.25), lambda: torch.arange(0.5, 2.0, 0.25))
    forward(lambda: ops.eye(3, 4), lambda: torch.eye(3, 4))
    forward(lambda: ops.ones((2, 3)), lambda: torch.ones((2, 3)))
    forward(lambda: ops.zeros((2, 3)), lambda: torch.zeros((2, 3)))
    forward(lambda: ops.full((2, 3), 1.5), lambda: torch.full((2, 3), 1.5))
    forward(lambda t: ops.full_like(t, 2.5), lambda t: torch.full_like(t, 2.5), X)
    forward(ops.ones_like, torch.ones_like, X)
    forward(ops.zeros_like, torch.zeros_like, X)
    forward(lambda: ops.logspace(0.0, 2.0, 5), lambda: torch.logspace(0.0, 2.0, 5), rtol=1e-6)
    forward(
        lambda: ops.logspace(-1.0, 3.0, 4, base=2),
        lambda: torch.logspace(-1.0, 3.0, 4, base=2),
        rtol=1e-6,
    )
    labels = np.array([0, 3, 1])
    got = ops.one_hot(Tensor(labels), 4)
    same_values(got, TF.one_hot(torch.tensor(labels), 4))


# ---------------------------------------------------------------- linear algebra


def _spd(n):
    a = RNG.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def test_bmm_mv_ger():
    compare(ops.bmm, torch.bmm, RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 5)))
    compare(ops.mv, torch.mv, X, RNG.normal(size=(4,)))
    compare(ops.ger, torch.ger, X[0], Y[1])


def test_cholesky_solve():
    lower = np.linalg.cholesky(_spd(4))
    b = RNG.normal(size=(4, 2))
    compare(ops.cholesky_solve, torch.cholesky_solve, b, lower, grad_rtol=1e-7)
    upper = lower.T.copy()
    compare(
        lambda x, u: ops.cholesky_solve(x, u, True),
        lambda x, u: torch.cholesky_solve(x, u, True),
        b,
        upper,
        grad_rtol=1e-7,
    )


def test_lu_solve_and_lu_unpack():
    a = RNG.normal(size=(4, 4)) + 3 * np.eye(4)
    lu, piv = torch.linalg.lu_factor(torch.tensor(a))
    b = RNG.normal(size=(4, 2))
    lu_np, piv_np = lu.numpy(), piv.numpy().astype(np.int32)
    compare(
        lambda x: ops.lu_solve(x, Tensor(lu_np), Tensor(piv_np)),
        lambda x: torch.linalg.lu_solve(lu, piv, x),
        b,
    )
    got = ops.lu_unpack(Tensor(lu_np), Tensor(piv_np))
    want = torch.lu_unpack(lu, piv)
    for g, w in zip(got, want, strict=True):
        same_values(g, w)


def test_triangular_solve():
    a = np.triu(RNG.normal(size=(4, 4))) + 3 * np.eye(4)
    b = RNG.normal(size=(4, 2))
    for i in (0, 1):
        compare(
            first(lambda x, m: x.triangular_solve(m), i),
            first(lambda x, m: torch.triangular_solve(x, m), i),
            b,
            a,
        )
    compare(
        first(lambda x, m: x.triangular_solve(m.T, upper=False, transpose=True)),
        first(lambda x, m: torch.triangular_solve(x, m.T, upper=False, transpose=True)),
        b,
        a,
    )


def test_eig_and_eigvals():
    # eigenvalues sorted (their order is LAPACK's, not promised); eigenvectors up to scale, so the
    # decomposition is checked as A V = V diag(w)
    a = RNG.normal(size=(4, 4))
    got = np.sort_complex(ops.eigvals(Tensor(a)).asnumpy())
    want = np.sort_complex(torch.linalg.eigvals(torch.tensor(a)).numpy())
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    w, v = (t.asnumpy() for t in ops.eig(Tensor(a)))
    np.testing.assert_allclose(np.sort_complex(w), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a @ v, v * w, atol=1e-10)


def test_geqrf_orgqr_ormqr():
    a = RNG.normal(size=(5, 3))
    got_a, got_tau = ops.geqrf(Tensor(a))
    want_a, want_tau = torch.geqrf(torch.tensor(a))
    same_values(got_a, want_a)
    same_values(got_tau, want_tau)
    h, tau = want_a.numpy(), want_tau.numpy()
    compare(ops.orgqr, torch.linalg.householder_product, h, tau, grad_rtol=1e-7)
    c = RNG.normal(size=(5, 2))
    for transpose in (False, True):
        compare(
            lambda x, t, o, tr=transpose: ops.ormqr(x, t, o, transpose=tr),
            lambda x, t, o, tr=transpose: torch.ormqr(x, t, o, transpose=tr),
            h,
            tau,
            c,
            grad=False,
        )


def test_fftn_and_ifft2():
    x = RNG.normal(size=(3, 4, 5))
    compare(lambda t: ops.real(ops.fftn(t)), lambda t: torch.fft.fftn(t).real, x)
    compare(
        lambda t: ops.imag(ops.fftn(t, (4, 4), (0, 2), "ortho")),
        lambda t: torch.fft.fftn(t, (4, 4), (0, 2), "ortho").imag,
        x,
    )
    compare(lambda t: ops.real(ops.ifft2(t)), lambda t: torch.fft.ifft2(t).real, x)
    compare(
        lambda t: ops.imag(ops.ifft2(t, (3, 6), norm="forward")),
        lambda t: torch.fft.ifft2(t, (3, 6), norm="forward").imag,
        x,
    )


# ---------------------------------------------------------------- nn: conv, pool, normalisation


def test_conv1d_conv2d():
    x1, w1, b1 = RNG.normal(size=(2, 3, 9)), RNG.normal(size=(4, 3, 3)), RNG.normal(size=(4,))
    compare(
        lambda x, w, b: ops.conv1d(x, w, b, 2, "pad", 1),
        lambda x, w, b: TF.conv1d(x, w, b, 2, 1),
        x1,
        w1,
        b1,
    )
    x2, w2 = RNG.normal(size=(1, 4, 6, 7)), RNG.normal(size=(6, 2, 3, 2))
    compare(
        lambda x, w: ops.conv2d(x, w, None, (1, 2), "pad", (1, 0), (2, 1), 2),
        lambda x, w: TF.conv2d(x, w, None, (1, 2), (1, 0), (2, 1), 2),
        x2,
        w2,
    )
    compare(ops.conv2d, TF.conv2d, x2[:, :2], w2[:4])  # 'valid'


def test_pool2d():
    x = RNG.normal(size=(2, 3, 7, 8))
    # MindSpore's avg_pool2d stride defaults to 1, PyTorch's to the kernel: given explicitly
    compare(
        lambda t: ops.avg_pool2d(t, 3, 2, 1, count_include_pad=False),
        lambda t: TF.avg_pool2d(t, 3, 2, 1, count_include_pad=False),
        x,
    )
    compare(
        lambda t: ops.avg_pool2d(t, 2, 2, ceil_mode=True),
        lambda t: TF.avg_pool2d(t, 2, 2, ceil_mode=True),
        x,
    )
    compare(lambda t: ops.max_pool2d(t, 3, 2, 1), lambda t: TF.max_pool2d(t, 3, 2, 1), x)
    compare(lambda t: ops.max_pool2d(t, 2, 1, 0, 2), lambda t: TF.max_pool2d(t, 2, 1, 0, 2), x)
    compare(
        lambda t: ops.adaptive_avg_pool2d(t, (3, 5)), lambda t: TF.adaptive_avg_pool2d(t, (3, 5)), x
    )


UNPOOL = [
    (1, TF.max_pool1d, ops.max_unpool1d, TF.max_unpool1d),
    (2, TF.max_pool2d, ops.max_unpool2d, TF.max_unpool2d),
]


@pytest.mark.parametrize("dims, pool, mine, peer", UNPOOL, ids=["1d", "2d"])
def test_max_unpool(dims, pool, mine, peer):
    x = torch.tensor(RNG.normal(size=(2, 3) + (8,) * dims))
    y, idx = pool(x, 2, 2, return_indices=True)
    compare(lambda t: mine(t, Tensor(idx.numpy()), 2, 2), lambda t: peer(t, idx, 2, 2), y.numpy())


def test_batch_layer_group_norm():
    x = RNG.normal(size=(4, 3, 5))
    mean, var = RNG.normal(size=(3,)), np.abs(RNG.normal(size=(3,))) + 0.5
    w, b = RNG.normal(size=(3,)), RNG.normal(size=(3,))
    compare(
        lambda t, g, h: ops.batch_norm(t, Tensor(mean), Tensor(var), g, h, False),
        lambda t, g, h: TF.batch_norm(t, torch.tensor(mean), torch.tensor(var), g, h, False),
        x,
        w,
        b,
    )
    compare(
        lambda t, g, h: ops.batch_norm(t, Tensor(mean), Tensor(var), g, h, True, 0.1, 1e-3),
        lambda t, g, h: TF.batch_norm(
            t, torch.tensor(mean), torch.tensor(var), g, h, True, 0.1, 1e-3
        ),
        x,
        w,
        b,
        grad_rtol=1e-7,
    )
    wl, bl = RNG.normal(size=(3, 5)), RNG.normal(size=(3, 5))
    compare(
        lambda t, g, h: ops.layer_norm(t, (3, 5), g, h, 1e-4),
        lambda t, g, h: TF.layer_norm(t, (3, 5), g, h, 1e-4),
        x,
        wl,
        bl,
        grad_rtol=1e-7,
    )
    xg, wg, bg = RNG.normal(size=(2, 6, 4)), RNG.normal(size=(6,)), RNG.normal(size=(6,))
    compare(
        lambda t, g, h: ops.group_norm(t, 3, g, h),
        lambda t, g, h: TF.group_norm(t, 3, g, h),
        xg,
        wg,
        bg,
        grad_rtol=1e-7,
    )


def test_embedding():
    ids = np.array([[0, 3, 1], [3, 3, 2]])
    compare(
        lambda w: ops.embedding(Tensor(ids), w),
        lambda w: TF.embedding(torch.tensor(ids), w),
        RNG.normal(size=(5, 4)),
    )


def test_upsample():
    x = RNG.normal(size=(1, 2, 4, 5))
    compare(
        lambda t: ops.upsample(t, (7, 3), mode="bilinear", align_corners=True),
        lambda t: TF.interpolate(t, (7, 3), mode="bilinear", align_corners=True),
        x,
    )


# ---------------------------------------------------------------- nn: losses


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_regression_losses(reduction):
    for name in ("l1_loss", "mse_loss"):
        compare(
            lambda a, b, n=name: getattr(ops, n)(a, b, reduction),
            lambda a, b, n=name: getattr(TF, n)(a, b, reduction=reduction),
            X,
            Y + np.where(np.abs(X - Y) < 0.05, 0.2, 0.0),
        )
    # MindSpore's smooth_l1_loss defaults to reduction='none': given explicitly
    compare(
        lambda a, b: ops.smooth_l1_loss(a, b, 0.5, reduction),
        lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=0.5),
        X,
        Y,
    )


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_classification_losses(reduction):
    logits = RNG.normal(size=(5, 4))
    target = np.array([0, 3, 1, -100, 2])
    weight = np.abs(RNG.normal(size=(4,))) + 0.5
    kw = {"reduction": reduction}
    compare(
        lambda t: ops.nll_loss(t, Tensor(target), Tensor(weight), **kw),
        lambda t: TF.nll_loss(t, torch.tensor(target), torch.tensor(weight), **kw),
        TF.log_softmax(torch.tensor(logits), 1).numpy(),
    )
    compare(
        lambda t: ops.cross_entropy(t, Tensor(target), Tensor(weight), label_smoothing=0.1, **kw),
        lambda t: TF.cross_entropy(
            t, torch.tensor(target), torch.tensor(weight), label_smoothing=0.1, **kw
        ),
        logits,
    )
    probs = TF.softmax(torch.tensor(RNG.normal(size=(5, 4))), 1).numpy()
    compare(
        lambda t, p: ops.cross_entropy(t, p, **kw),
        lambda t, p: TF.cross_entropy(t, p, **kw),
        logits,
        probs,
    )
    labels = (RNG.random(size=(5, 4)) > 0.5).astype(np.float64)
    compare(
        lambda t: ops.binary_cross_entropy_with_logits(
            t, Tensor(labels), Tensor(weight), Tensor(weight * 2), reduction
        ),
        lambda t: TF.binary_cross_entropy_with_logits(
            t,
            torch.tensor(labels),
            torch.tensor(weight),
            reduction=reduction,
            pos_weight=torch.tensor(weight * 2),
        ),
        logits,
    )


# ---------------------------------------------------------------- transformations and fill


def test_vmap():
    def mine(t):
        return ops.vmap(lambda r: ops.dot(r, ops.sin(r)))(t)

    def peer(t):
        return torch.vmap(lambda r: torch.dot(r, torch.sin(r)))(t)

    compare(mine, peer, X)
    compare(
        lambda t: ops.vmap(lambda c: c * 2, in_axes=1, out_axes=1)(t),
        lambda t: torch.vmap(lambda c: c * 2, in_dims=1, out_dims=1)(t),
        X,
    )


def test_while_loop():
    # torch.while_loop carries a tuple; MindSpore's while_loop one value (a tuple here)
    got = ops.while_loop(
        lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 1.5), (Tensor(0), Tensor(X))
    )
    want = torch.while_loop(
        lambda i, v: i < 5, lambda i, v: (i + 1, v * 1.5), (torch.tensor(0), torch.tensor(X))
    )
    same_values(got[0], want[0])
    same_values(got[1], want[1])


def test_fill():
    # MindSpore's fill(type, shape, value) makes a tensor; torch.fill(input, value) one of input's
    # shape and dtype
    forward(lambda: ops.fill(ms.float64, (2, 3), 2.5), lambda: torch.fill(torch.empty(2, 3), 2.5))
    forward(
        lambda: ops.fill(ms.int32, (4,), 7),
        lambda: torch.fill(torch.empty(4, dtype=torch.int32), 7),
    )


# ---------------------------------------------------------------- Tensor methods PyTorch also has

METHODS = [
    ("expand", lambda t: t.expand((2, 3, 4)), lambda t: t.expand(2, 3, 4), X[1:2]),
    (
        "expand_as",
        lambda t: t.expand_as(Tensor(X3)),
        lambda t: t.expand_as(torch.tensor(X3)),
        X[1:2],
    ),
    ("repeat", lambda t: t.repeat(2, 1, 3), lambda t: t.repeat(2, 1, 3), X),
    ("view", lambda t: t.view(2, 6), lambda t: t.view(2, 6), X),
    (
        "view_as",
        lambda t: t.view_as(Tensor(X3[0].T)),
        lambda t: t.view_as(torch.tensor(X3[0].T)),
        X,
    ),
    (
        "reshape_as",
        lambda t: t.reshape_as(Tensor(X.T)),
        lambda t: t.reshape_as(torch.tensor(X.T)),
        X,
    ),
    ("sum_to_size", lambda t: t.sum_to_size(1, 4), lambda t: t.sum_to_size(1, 4), X),
    ("clone", lambda t: t.clone() * 2, lambda t: t.clone() * 2, X),
    ("contiguous", lambda t: t.contiguous(), lambda t: t.contiguous(), X),
    ("double", lambda t: t.double(), lambda t: t.double(), X),
    ("to", lambda t: t.to(ms.float32).to(ms.float64), lambda t: t.to(torch.float32).double(), X),
]


@pytest.mark.parametrize("name, mine, peer, x", METHODS, ids=[m[0] for m in METHODS])
def test_methods(name, mine, peer, x):
    compare(mine, peer, x)


IN_PLACE = [
    ("add_", lambda t, o: t.add_(o, alpha=2)),
    ("sub_", lambda t, o: t.sub_(o, alpha=0.5)),
    ("mul_", lambda t, o: t.mul_(o)),
    ("div_", lambda t, o: t.div_(o)),
    ("floor_divide_", lambda t, o: t.floor_divide_(o)),
    ("copy_", lambda t, o: t.copy_(o)),
    ("exp_", lambda t, o: t.exp_()),
    ("floor_", lambda t, o: t.floor_()),
    ("clamp_", lambda t, o: t.clamp_(-0.5, 0.5)),
    ("fill_", lambda t, o: t.fill_(1.25)),
    ("zero_", lambda t, o: t.zero_()),
    ("masked_fill_", lambda t, o: t.masked_fill_(o > 1, -3.0)),
    ("addmm_", lambda t, o: t.addmm_(o, o.T[:, :3] if o.shape[1] > 3 else o, beta=0.5)),
]


def test_resize():
    # torch's resize keeps the leading elements of a shrunk tensor (its growth is uninitialised)
    forward(lambda t: t.resize(2, 5), lambda t: t.resize_(2, 5), X)


@pytest.mark.parametrize("name, fn", IN_PLACE, ids=[m[0] for m in IN_PLACE])
def test_in_place_methods(name, fn):
    """The in-place methods change the tensor itself and return it (values only)."""
    x = RNG.normal(size=(3, 3)) if name == "addmm_" else X
    o = P if name != "addmm_" else RNG.normal(size=(3, 3))
    mine_x, peer_x = Tensor(x.copy()), torch.tensor(x.copy())
    got, want = fn(mine_x, Tensor(o)), fn(peer_x, torch.tensor(o))
    same_values(got, want)
    same_values(mine_x, peer_x)


def test_in_place_index_methods():
    idx = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    src = RNG.normal(size=(2, 4))
    for name in ("scatter_", "scatter_add_"):
        a, b = Tensor(X.copy()), torch.tensor(X.copy())
        getattr(a, name)(0, Tensor(idx), Tensor(src))
        getattr(b, name)(0, torch.tensor(idx), torch.tensor(src))
        same_values(a, b)
    a, b = Tensor(X.copy()), torch.tensor(X.copy())
    a.index_add_(1, Tensor(IDX), Tensor(Y[:, :3]), alpha=2)
    b.index_add_(1, torch.tensor(IDX), torch.tensor(Y[:, :3]), alpha=2)
    same_values(a, b)
    rows, cols = np.array([0, 2, 0]), np.array([1, 3, 1])  # (0, 1) twice
    vals = np.array([1.0, 2.0, 3.0])
    for accumulate, n in ((False, 2), (True, 3)):  # a repeated write has no defined winner
        got = Tensor(X).index_put(
            (Tensor(rows[:n]), Tensor(cols[:n])), Tensor(vals[:n]), accumulate
        )
        want = torch.tensor(X).index_put(
            (torch.tensor(rows[:n]), torch.tensor(cols[:n])), torch.tensor(vals[:n]), accumulate
        )
        same_values(got, want)
    a, b = Tensor(X.copy()), torch.tensor(X.copy())
    a.index_put_((Tensor(rows), Tensor(cols)), Tensor(vals), True)
    b.index_put_((torch.tensor(rows), torch.tensor(cols)), torch.tensor(vals), True)
    same_values(a, b)


def test_new_tensors_casts_and_queries():
    x, t = Tensor(X), torch.tensor(X)
    same_values(x.new_zeros((2, 3)), t.new_zeros((2, 3)))
    same_values(x.new_ones((2, 3)), t.new_ones((2, 3)))
    same_values(x.new_full((2, 3), 4.5), t.new_full((2, 3), 4.5))
    assert x.new_empty((2, 3)).shape == tuple(t.new_empty((2, 3)).shape)
    for cast in ("float", "half", "bfloat16", "int", "long", "short", "byte", "bool"):
        got, want = getattr(x, cast)(), getattr(t, cast)()
        if cast == "byte":  # uint8 of a negative float is undefined behaviour in both
            got, want = getattr(Tensor(P * 40), cast)(), getattr(torch.tensor(P * 40), cast)()
        assert str(got.dtype).lower().replace("_", "") in str(want.dtype).replace("torch.", ""), (
            cast
        )
        same_values(got.astype(ms.float64), want.double())
    same_values(x.type_as(Tensor(X.astype(np.int32))), t.type_as(torch.tensor(X.astype(np.int32))))
    assert x.dim() == t.dim() and x.ndimension() == t.ndimension()
    assert x.nelement() == t.nelement()
    assert x.is_contiguous() and t.is_contiguous()
    assert x.storage_offset() == t.storage_offset()
    assert tuple(x.stride()) == t.stride()
    assert x.is_signed() == t.is_signed()
    assert Tensor(X.astype(np.uint8)).is_signed() == torch.tensor(X.astype(np.uint8)).is_signed()
    assert x.tolist() == t.tolist()
    assert Tensor(X[0, :1]).item() == torch.tensor(X[0, :1]).item()
    assert x.allclose(Tensor(X + 1e-9)) == t.allclose(torch.tensor(X + 1e-9))
    assert x.allclose(Tensor(X + 1e-3)) == t.allclose(torch.tensor(X + 1e-3))
    np.testing.assert_array_equal(x.numpy(), t.numpy())
    ints = RNG.integers(-9, 9, size=(3, 4))
    same_values(Tensor(ints).bitwise_not(), torch.tensor(ints).bitwise_not())
    same_values(Tensor(X > 0).bitwise_not(), torch.tensor(X > 0).bitwise_not())
