"""The linear-algebra ops (mind.core._src.ops.linalg) against numpy and scipy: forward values
on several shapes, batch dimensions and dtypes, gradients against finite differences, one jit
case, and the MindSpore Primitive classes against the functional ops."""

import numpy as np
import pytest
import scipy.spatial.distance as ssd

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(42)


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def spd(*shape, dtype=np.float32):
    a = rng.standard_normal(shape)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def close(got, want, tol=1e-5):
    got = got.asnumpy() if isinstance(got, Tensor) else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# ------------------------------------------------------------------------------------------------
# Inverse, determinants, solve, Cholesky, pseudo-inverse
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (2, 1, 2, 2), (1, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inverse_det_slogdet_match_numpy(shape, dtype):
    a = spd(*shape, dtype=dtype) - (0.5 * np.eye(shape[-1])).astype(dtype)
    a[..., 0, :] *= -1  # negative determinants too
    x = Tensor(a)
    inv = ops.inverse(x)
    assert inv.dtype == x.dtype and inv.shape == shape
    close(inv, np.linalg.inv(a), 1e-4)
    close(ops.det(x), np.linalg.det(a), 1e-4)
    sign, logabs = ops.slogdet(x)
    want_sign, want_log = np.linalg.slogdet(a)
    close(sign, want_sign)
    close(logabs, want_log, 1e-4)
    assert sign.shape == shape[:-2]
    close(x.inverse(), np.linalg.inv(a), 1e-4)
    close(x.det(), np.linalg.det(a), 1e-4)


def test_singular_and_float16_and_bad_shapes():
    assert ops.det(Tensor(np.ones((3, 3), np.float32))).asnumpy() == pytest.approx(0, abs=1e-6)
    sign, logabs = ops.slogdet(Tensor(np.zeros((2, 2), np.float32)))
    assert sign.asnumpy() == 0 and logabs.asnumpy() == -np.inf
    half = ops.inverse(Tensor(np.array([[2.0, 0.0], [0.0, 4.0]], np.float16)))
    assert half.dtype == ms.float16
    close(half, [[0.5, 0], [0, 0.25]])
    with pytest.raises(MindError, match="square"):
        ops.inverse(Tensor(r(2, 3)))
    with pytest.raises(MindError, match="at least 2-D"):
        ops.det(Tensor(r(3)))
    with pytest.raises(MindError):
        ops.inverse(Tensor(np.zeros((2, 2), np.float32)))  # singular


@pytest.mark.parametrize(("m", "k", "batch"), [(3, 2, ()), (4, 1, (2,)), (2, 3, (2, 2))])
def test_matrix_solve_and_adjoint(m, k, batch):
    a, b = spd(*batch, m, m) + r(*batch, m, m) * 0.3, r(*batch, m, k)
    close(ops.matrix_solve(Tensor(a), Tensor(b)), np.linalg.solve(a, b), 1e-4)
    close(
        ops.matrix_solve(Tensor(a), Tensor(b), adjoint=True),
        np.linalg.solve(np.swapaxes(a, -1, -2), b),
        1e-4,
    )
    close(
        P.MatrixSolve(adjoint=True)(Tensor(a), Tensor(b)),
        np.linalg.solve(np.swapaxes(a, -1, -2), b),
        1e-4,
    )
    with pytest.raises(MindError, match="rhs"):
        ops.matrix_solve(Tensor(a), Tensor(r(*batch, m + 1, k)))


@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (3, 2, 2)])
def test_cholesky_lower_and_upper(shape):
    a = spd(*shape, dtype=np.float64)
    low = np.linalg.cholesky(a)
    close(ops.cholesky(Tensor(a)), low)
    close(ops.cholesky(Tensor(a), upper=True), np.swapaxes(low, -1, -2))
    close(Tensor(a).cholesky(), low)
    close(P.Cholesky(upper=True)(Tensor(a)), np.swapaxes(low, -1, -2))
    with pytest.raises(MindError, match="positive-definite"):
        ops.cholesky(Tensor(-np.eye(2)))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3), (5, 1)])
def test_pinv_matches_numpy(shape):
    a = r(*shape, dtype=np.float64)
    close(ops.pinv(Tensor(a)), np.linalg.pinv(a), 1e-8)
    assert ops.pinv(Tensor(a)).shape == (*shape[:-2], shape[-1], shape[-2])


def test_pinv_tolerances_and_hermitian():
    a = np.diag([4.0, 1e-3, 0.0])
    close(ops.pinv(Tensor(a)), np.diag([0.25, 1e3, 0.0]))
    # A singular value below max(atol, rtol * largest) counts as zero.
    close(ops.pinv(Tensor(a), atol=0.01), np.diag([0.25, 0, 0]))
    close(ops.pinv(Tensor(a), rtol=0.01), np.diag([0.25, 0, 0]))
    close(ops.pinverse(Tensor(a), 0.01), np.diag([0.25, 0, 0]))
    s = spd(3, 3, dtype=np.float64)
    lower_only = np.tril(s) + np.triu(np.full((3, 3), 7.0), 1)  # hermitian reads the lower half
    close(ops.pinv(Tensor(lower_only), hermitian=True), np.linalg.pinv(s), 1e-8)


@pytest.mark.parametrize(
    ("fn", "inputs"),
    [
        (ops.inverse, [spd(2, 3, 3)]),
        (ops.det, [spd(3, 3) - 2 * np.eye(3)]),
        (lambda x: ops.slogdet(x)[1], [spd(2, 3, 3) * -1]),
        (ops.matrix_solve, [spd(3, 3), r(3, 2)]),
        (lambda a, b: ops.matrix_solve(a, b, True), [spd(3, 3) + r(3, 3), r(3, 2)]),
        # The input stays symmetric positive-definite under the small steps of the check only if
        # the function sees a symmetrised matrix.
        (lambda a: ops.cholesky((a + a.swapaxes(-1, -2)) / 2), [spd(2, 3, 3)]),
        (lambda a: ops.cholesky((a + a.swapaxes(-1, -2)) / 2, upper=True), [spd(3, 3)]),
        (ops.pinv, [r(4, 3)]),
        (ops.pinv, [r(2, 2, 3)]),
    ],
)
def test_decomposition_gradients_match_finite_differences(fn, inputs):
    check_grads(fn, inputs, rtol=1e-4, atol=1e-6)


def test_inverse_second_order_gradient():
    check_grads(ops.inverse, [spd(3, 3)], order=2, rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# Diagonals and trace
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "offset", "dim1", "dim2"),
    [((3, 4), 0, 0, 1), ((3, 4), 2, 0, 1), ((3, 4), -1, 0, 1), ((2, 3, 4), 1, 1, 2),
     ((2, 3, 4), -1, 2, 0), ((3, 3), 5, 0, 1), ((2, 3, 3, 2), 0, -3, -2)],
)  # fmt: skip
def test_diagonal_matches_numpy(shape, offset, dim1, dim2):
    a = r(*shape)
    got = ops.diagonal(Tensor(a), offset, dim1, dim2)
    close(got, np.diagonal(a, offset, dim1, dim2))
    close(Tensor(a).diagonal(offset, dim1, dim2), np.diagonal(a, offset, dim1, dim2))
    check_grads(lambda x: ops.diagonal(x, offset, dim1, dim2), [a])


def test_trace_and_diag():
    a = r(3, 5)
    close(ops.trace(Tensor(a)), np.trace(a))
    close(Tensor(a).trace(), np.trace(a))
    assert ops.trace(Tensor(np.arange(9).reshape(3, 3))).asnumpy() == 12
    with pytest.raises(MindError, match="2-D"):
        ops.trace(Tensor(r(2, 2, 2)))
    v = np.array([1, -2, 3], np.int32)
    close(ops.diag(Tensor(v)), np.diag(v))
    assert ops.diag(Tensor(v)).dtype == ms.int32
    m = r(2, 3)
    want = np.zeros((2, 3, 2, 3), np.float32)
    for i in range(2):
        for j in range(3):
            want[i, j, i, j] = m[i, j]
    close(ops.diag(Tensor(m)), want)
    close(P.Diag()(Tensor(m)), want)
    check_grads(ops.diag, [r(4)])


@pytest.mark.parametrize(
    ("shape", "offset", "dim1", "dim2"),
    [((3,), 0, -2, -1), ((2, 3), 1, -2, -1), ((2, 3), -2, -2, -1), ((2, 3), 0, 0, 2),
     ((2, 3), 1, 2, 0)],
)  # fmt: skip
def test_diag_embed_inverts_diagonal(shape, offset, dim1, dim2):
    a = r(*shape)
    out = ops.diag_embed(Tensor(a), offset, dim1, dim2)
    # Reference: numpy's diagonal of the result is the input; everything else is zero.
    back = np.diagonal(out.asnumpy(), offset, dim1, dim2)
    close(back, a)
    assert np.count_nonzero(out.asnumpy()) == np.count_nonzero(a)
    size = shape[-1] + abs(offset)
    assert out.shape[dim1] == out.shape[dim2] == size
    check_grads(lambda x: ops.diag_embed(x, offset, dim1, dim2), [a])


# ------------------------------------------------------------------------------------------------
# Products
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "axes"),
    [((3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2), ((2, 3), (4,), 0),
     ((1, 2, 3), (3, 1, 2), ((0, 1), (1, 2))), ((2, 3, 4), (4, 3), ([1, 2], [1, 0]))],
)  # fmt: skip
def test_tensor_dot_matches_numpy(a, b, axes):
    x, y = r(*a), r(*b)
    np_axes = (
        axes
        if isinstance(axes, int)
        else (list(np.atleast_1d(axes[0])), list(np.atleast_1d(axes[1])))
    )
    close(ops.tensor_dot(Tensor(x), Tensor(y), axes), np.tensordot(x, y, np_axes), 1e-4)
    check_grads(lambda p, q: ops.tensor_dot(p, q, axes), [x, y], rtol=1e-4)


@pytest.mark.parametrize(("a", "b"), [((2, 3), (1, 3, 2)), ((3,), (3, 2)), ((2, 4), (4,)),
                                      ((3, 2, 3), (2, 1, 3, 2))])  # fmt: skip
def test_dot_is_numpy_dot(a, b):
    x, y = r(*a), r(*b)
    close(ops.dot(Tensor(x), Tensor(y)), np.dot(x, y), 1e-4)


@pytest.mark.parametrize(
    ("a", "b"), [((3,), (3,)), ((2, 3), (4, 3)), ((2, 2, 3), (3,)), ((), (2, 3))]
)
def test_inner_and_outer(a, b):
    x, y = r(*a), r(*b)
    close(ops.inner(Tensor(x), Tensor(y)), np.inner(x, y), 1e-5)
    close(Tensor(x).inner(Tensor(y)), np.inner(x, y), 1e-5)
    u, v = r(3), r(4)
    close(ops.outer(Tensor(u), Tensor(v)), np.outer(u, v))
    close(Tensor(u).outer(Tensor(v)), np.outer(u, v))
    assert ops.outer(Tensor([1, 2]), Tensor([3, 4])).dtype == ms.int64
    check_grads(ops.inner, [r(2, 3), r(4, 3)])


def test_mm_addmm_baddbmm():
    a, b, c = r(2, 3), r(3, 4), r(2, 4)
    close(ops.mm(Tensor(a), Tensor(b)), a @ b)
    with pytest.raises(MindError, match="2-D"):
        ops.mm(Tensor(r(2, 2, 3)), Tensor(b))
    close(ops.addmm(Tensor(c), Tensor(a), Tensor(b)), c + a @ b)
    close(ops.addmm(Tensor(c), Tensor(a), Tensor(b), beta=0.5, alpha=-2), 0.5 * c - 2 * (a @ b))
    close(Tensor(c).addmm(Tensor(a), Tensor(b), beta=2), 2 * c + a @ b)
    close(ops.addmm(Tensor(r(4)), Tensor(a), Tensor(b)).shape, (2, 4))  # input broadcasts
    nan = Tensor(np.full((2, 4), np.nan, np.float32))
    close(ops.addmm(nan, Tensor(a), Tensor(b), beta=0), a @ b)  # beta=0 ignores input
    x, y, z = r(3, 2, 4), r(3, 4, 5), r(3, 2, 5)
    close(ops.baddbmm(Tensor(z), Tensor(x), Tensor(y), 0.5, 3), 0.5 * z + 3 * (x @ y), 1e-4)
    close(Tensor(z).baddbmm(Tensor(x), Tensor(y)), z + x @ y, 1e-4)
    check_grads(lambda i, p, q: ops.addmm(i, p, q, beta=0.3, alpha=2.0), [c, a, b])
    check_grads(lambda i, p, q: ops.baddbmm(i, p, q, 2.0, 0.5), [z, x, y])


@pytest.mark.parametrize(
    ("a", "b"), [((2,), (3,)), ((2, 3), (2, 2)), ((2, 1, 2), (3, 2)), ((2, 2), (1, 2, 3))]
)
def test_kron_matches_numpy(a, b):
    x, y = r(*a), r(*b)
    close(ops.kron(Tensor(x), Tensor(y)), np.kron(x, y))
    close(Tensor(x).kron(Tensor(y)), np.kron(x, y))
    check_grads(ops.kron, [x, y])


@pytest.mark.parametrize(
    ("shape", "dim"), [((3,), None), ((4, 3), None), ((3, 4), 0), ((2, 3, 3), 2), ((2, 3, 3), -1)]
)
def test_cross_matches_numpy(shape, dim):
    x, y = r(*shape), r(*shape)
    axis = dim if dim is not None else next(i for i, s in enumerate(shape) if s == 3)
    want = np.cross(x, y, axis=axis)
    close(ops.cross(Tensor(x), Tensor(y), dim), want)
    close(Tensor(x).cross(Tensor(y), dim), want)
    check_grads(lambda p, q: ops.cross(p, q, dim), [x, y])
    with pytest.raises(MindError, match="size 3"):
        ops.cross(Tensor(r(2, 4)), Tensor(r(2, 4)))
    ints = ops.cross(Tensor(np.array([1, 0, 0])), Tensor(np.array([0, 1, 0])))
    assert ints.asnumpy().tolist() == [0, 0, 1] and ints.dtype == ms.int64


# ------------------------------------------------------------------------------------------------
# einsum
# ------------------------------------------------------------------------------------------------


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("i,i->", [(4,), (4,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 4)]),
    ("b...i->b...", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("abc,cd,bd->ad", [(2, 3, 4), (4, 5), (3, 5)]),
    ("iij->j", [(2, 2, 3)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
]


@pytest.mark.parametrize(("equation", "shapes"), EINSUM_CASES)
def test_einsum_matches_numpy(equation, shapes):
    xs = [r(*s) for s in shapes]
    close(ops.einsum(equation, *map(Tensor, xs)), np.einsum(equation, *xs), 1e-4)
    close(P.Einsum(equation)(tuple(map(Tensor, xs))), np.einsum(equation, *xs), 1e-4)


@pytest.mark.parametrize(("equation", "shapes"), EINSUM_CASES[:3] + EINSUM_CASES[9:13:2])
def test_einsum_gradients(equation, shapes):
    check_grads(lambda *ts: ops.einsum(equation, *ts), [r(*s) for s in shapes], rtol=1e-4)


def test_einsum_errors():
    with pytest.raises(MindError, match="operands"):
        ops.einsum("ij,jk->ik", Tensor(r(2, 3)))
    with pytest.raises(MindError, match="do not fit"):
        ops.einsum("ijk->i", Tensor(r(2, 3)))
    with pytest.raises(MindError, match="sizes"):
        ops.einsum("ij,jk->ik", Tensor(r(2, 3)), Tensor(r(4, 2)))
    with pytest.raises(MindError, match="names no operand"):
        ops.einsum("ij->iz", Tensor(r(2, 3)))


# ------------------------------------------------------------------------------------------------
# Distances and similarity
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, 0.0, float("inf")])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_cdist_and_pdist_match_scipy(p, batch):
    x1, x2 = r(*batch, 4, 3), r(*batch, 5, 3)
    x1[..., 1, :] = x1[..., 0, :]  # a zero distance too
    x2[..., 0, 0] = x1[..., 0, 0]
    metric = {0.0: "hamming", float("inf"): "chebyshev"}.get(p, "minkowski")
    kw = {"p": p} if metric == "minkowski" else {}

    def ref(a, b):
        d = ssd.cdist(a.astype(np.float64), b.astype(np.float64), metric, **kw)
        return d * a.shape[-1] if p == 0 else d

    want = ref(x1, x2) if not batch else np.stack([ref(a, b) for a, b in zip(x1, x2)])
    close(ops.cdist(Tensor(x1), Tensor(x2), p), want, 1e-4)
    close(P.Cdist(p)(Tensor(x1), Tensor(x2)), want, 1e-4)
    full = ref(x1, x1) if not batch else np.stack([ref(a, a) for a in x1])
    iu = np.triu_indices(4, 1)
    close(ops.pdist(Tensor(x1), p), full[..., iu[0], iu[1]], 1e-4)
    close(P.Pdist(p)(Tensor(x1)), full[..., iu[0], iu[1]], 1e-4)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
def test_distance_gradients_are_finite_and_match_finite_differences(p):
    x1, x2 = r(2, 4, 3), r(2, 5, 3)
    check_grads(lambda a, b: ops.cdist(a, b, p), [x1, x2], rtol=1e-4, atol=1e-6)
    check_grads(lambda a: ops.pdist(a, p), [r(5, 3)], rtol=1e-4, atol=1e-6)
    # Identical rows: the distance is 0 and its gradient 0 (not nan).
    same = Tensor(np.ones((1, 2, 3), np.float32))
    g = ms.grad(lambda a: ops.cdist(a, same, p).sum())(same)
    assert np.isfinite(g.asnumpy()).all()


@pytest.mark.parametrize(("shape", "dim"), [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((4,), 0)])
def test_cosine_similarity(shape, dim):
    a, b = r(*shape), r(*shape)
    want = np.sum(a * b, dim) / np.sqrt(np.sum(a * a, dim) * np.sum(b * b, dim))
    close(ops.cosine_similarity(Tensor(a), Tensor(b), dim), want)
    zero = ops.cosine_similarity(
        Tensor(np.zeros((1, 3), np.float32)), Tensor(a[..., :3].reshape(-1, 3)[:1])
    )
    assert zero.asnumpy().tolist() == [0.0]
    check_grads(lambda x, y: ops.cosine_similarity(x, y, dim), [a, b], rtol=1e-4)


# ------------------------------------------------------------------------------------------------
# Graph mode and vmap
# ------------------------------------------------------------------------------------------------


def test_linalg_under_jit_and_vmap_match_eager():
    a, b = spd(2, 3, 3), r(2, 3, 2)

    def f(x, y):
        sign, logabs = ops.slogdet(x)
        z = ops.matrix_solve(x, y) + ops.einsum("bij,bjk->bik", ops.inverse(x), y)
        return (
            ops.cholesky(x).sum()
            + ops.det(x).sum()
            + z.sum()
            + (sign * logabs).sum()
            + ops.pinv(y).sum()
        )

    eager = f(Tensor(a), Tensor(b)).asnumpy()
    close(ms.jit(f)(Tensor(a), Tensor(b)), eager, 1e-4)
    g_eager = ms.grad(f)(Tensor(a), Tensor(b)).asnumpy()
    close(ms.jit(ms.grad(f))(Tensor(a), Tensor(b)), g_eager, 1e-3)
    batched = ms.vmap(ops.inverse)(Tensor(a))
    close(batched, np.linalg.inv(a), 1e-4)


def test_classes_apply_the_functional_ops():
    a = spd(2, 3, 3)
    close(P.MatrixInverse()(Tensor(a)), np.linalg.inv(a), 1e-4)
    close(P.MatrixInverse(adjoint=True)(Tensor(a)), np.swapaxes(np.linalg.inv(a), -1, -2), 1e-4)
    close(P.MatrixDeterminant()(Tensor(a)), np.linalg.det(a), 1e-3)
    sign, logabs = P.LogMatrixDeterminant()(Tensor(a))
    close(logabs, np.linalg.slogdet(a)[1], 1e-4)
    x, y = r(3, 3), r(3, 3)
    close(P.Cross()(Tensor(x), Tensor(y)), np.cross(x, y, axis=0))
    close(P.Cross(dim=1)(Tensor(x), Tensor(y)), np.cross(x, y, axis=1))
    assert ops.BatchMatMul is P.BatchMatMul
    with pytest.raises(MindError):
        P.Einsum("ij->ji")(Tensor(x))


@pytest.mark.parametrize("p", [None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2])
def test_cond_is_the_condition_number_as_numpy_computes_it(p):
    a = np.random.default_rng(3).normal(size=(2, 4, 4))
    np.testing.assert_allclose(ops.cond(Tensor(a), p).asnumpy(), np.linalg.cond(a, p), rtol=1e-10)


def test_cond_gradient_and_svdvals():
    a = np.random.default_rng(4).normal(size=(3, 3))
    np.testing.assert_allclose(
        ops.svdvals(Tensor(a)).asnumpy(), np.linalg.svd(a, compute_uv=False), rtol=1e-12
    )
    got = ms.grad(lambda t: ops.cond(t))(Tensor(a)).asnumpy()
    eps, want = 1e-6, np.zeros_like(a)
    for i in np.ndindex(a.shape):
        d = np.zeros_like(a)
        d[i] = eps
        want[i] = (np.linalg.cond(a + d) - np.linalg.cond(a - d)) / (2 * eps)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="'p' must be one of"):
        ops.cond(Tensor(a), 3)


@pytest.mark.parametrize("order", [None, "fro", "nuc", np.inf, -np.inf, 1, -1, 2, -2])
def test_matrix_norms_against_numpy_and_finite_differences(order):
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    got = ops.norm(Tensor(x), order, dim=(1, 2)).asnumpy()
    np.testing.assert_allclose(got, np.linalg.norm(x, order, axis=(1, 2)), rtol=1e-12)
    kept = ops.matrix_norm(Tensor(x), "fro" if order is None else order, (2, 1), True)
    assert kept.shape == (2, 1, 1)
    check_grads(lambda t: ops.norm(t, order, dim=(1, 2)), [x])


@pytest.mark.parametrize("order", [None, np.inf, -np.inf, 0, 1, 2, 3, 0.5])
def test_vector_norms_against_numpy(order):
    x = np.random.default_rng(4).normal(size=(3, 5))
    np.testing.assert_allclose(
        ops.norm(Tensor(x), order, dim=1).asnumpy(), np.linalg.norm(x, order, axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(
        ops.vector_norm(Tensor(x), 2 if order is None else order, axis=None).asnumpy(),
        np.linalg.norm(x.ravel(), 2 if order is None else order),
        rtol=1e-12,
    )
    if order not in (0, np.inf, -np.inf):
        check_grads(lambda t: ops.norm(t, order, dim=1), [x])
    with pytest.raises(MindValueError, match="must be 1-D or 2-D"):
        ops.norm(Tensor(x[None]), 1)
