"""COOTensor, RowTensor, MindSpore's sparse functional ops (coo_*, csr_*, dense_to_sparse_*,
sparse_segment_mean) and sparse Primitive classes, against dense numpy and scipy.sparse: eagerly,
inside jit, and the gradient with respect to the stored values."""

import numpy as np
import pytest
import scipy.sparse as sp

import mind.core as ms
from mind.core import COOTensor, CSRTensor, RowTensor, Tensor
from mind.core._src.nn import sparse as sparse_nn
from mind.core._src.ops import sparse as S
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads


def random_coo(seed, shape=(4, 5), nnz=6, repeats=True):
    """A COOTensor (possibly with repeated coordinates) and its dense numpy form."""
    rng = np.random.default_rng(seed)
    cells = rng.choice(int(np.prod(shape)), size=nnz, replace=repeats)
    idx = np.stack(np.unravel_index(cells, shape), 1).astype(np.int64)
    vals = rng.normal(size=nnz)
    dense = np.zeros(shape)
    np.add.at(dense, tuple(idx.T), vals)
    return COOTensor(Tensor(idx), Tensor(vals), shape), idx, vals, dense


def random_csr(seed, shape=(5, 7), density=0.3):
    ref = sp.random(*shape, density=density, format="csr", random_state=seed, dtype=np.float64)
    ref.sort_indices()
    m = CSRTensor(
        Tensor(ref.indptr.astype(np.int32)),
        Tensor(ref.indices.astype(np.int32)),
        Tensor(ref.data),
        shape,
    )
    return m, ref


# -- COOTensor -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_coo_tensor_dense_coalesce_and_csr_match_numpy(seed):
    x, idx, vals, dense = random_coo(seed)
    np.testing.assert_allclose(x.to_dense().asnumpy(), dense)
    c = x.coalesce()
    ci = c.indices.asnumpy()
    linear = np.ravel_multi_index(tuple(ci.T), x.shape)
    assert np.all(np.diff(linear) > 0)  # sorted, each coordinate once
    np.testing.assert_allclose(c.values.asnumpy(), dense[tuple(ci.T)])
    assert set(linear) == set(np.ravel_multi_index(tuple(idx.T), x.shape))
    csr = x.to_csr()
    counts = np.bincount(idx[:, 0], minlength=x.shape[0])  # repeated coordinates are kept
    np.testing.assert_array_equal(csr.indptr.asnumpy(), np.concatenate([[0], np.cumsum(counts)]))
    np.testing.assert_allclose(csr.to_dense().asnumpy(), dense)
    assert (x.size, x.ndim, x.shape, x.dtype, x.itemsize) == (6, 2, (4, 5), ms.float64, 8)


def test_coo_tensor_properties_copy_and_errors():
    x = COOTensor(Tensor([[0, 1], [1, 2]]), Tensor([1.0, 2.0]), (3, 4))
    y = COOTensor(coo_tensor=x)
    assert y.indices is x.indices and y.shape == (3, 4)
    assert x.astype(ms.float16).dtype == ms.float16
    np.testing.assert_array_equal(
        COOTensor(x.indices, Tensor([-1.0, 2.0]), (3, 4)).abs().values.asnumpy(), [1, 2]
    )
    idx, vals, shape = x.to_tuple()
    assert shape == (3, 4)
    with pytest.raises(MindValueError, match="inside the shape"):
        COOTensor(Tensor([[0, 4]]), Tensor([1.0]), (3, 4))
    with pytest.raises(MindValueError, match="one value per row"):
        COOTensor(Tensor([[0, 1]]), Tensor([1.0, 2.0]), (3, 4))
    with pytest.raises(MindTypeError, match="integer"):
        COOTensor(Tensor([[0.0, 1.0]]), Tensor([1.0]), (3, 4))
    with pytest.raises(MindValueError, match="'shape' must have 2"):
        COOTensor(Tensor([[0, 1]]), Tensor([1.0]), (3, 4, 5))


def test_coo_tensor_arithmetic():
    x, _, _, dense = random_coo(3)
    y, _, _, dense_y = random_coo(4)
    d = np.random.default_rng(5).uniform(1, 2, size=x.shape)
    np.testing.assert_allclose((x + Tensor(d)).asnumpy(), dense + d)
    np.testing.assert_allclose((x - Tensor(d)).asnumpy(), dense - d)
    np.testing.assert_allclose((x + y).to_dense().asnumpy(), dense + dense_y)
    np.testing.assert_allclose((x - y).to_dense().asnumpy(), dense - dense_y)
    np.testing.assert_allclose((x * Tensor(d)).to_dense().asnumpy(), dense * d)
    np.testing.assert_allclose((x / Tensor(d)).to_dense().asnumpy(), dense / d)
    np.testing.assert_allclose((-x).to_dense().asnumpy(), -dense)
    with pytest.raises(MindValueError, match="one shape"):
        x + Tensor(np.zeros((2, 2)))


def test_coo_add_drops_entries_below_thresh_and_sorts():
    a = COOTensor(Tensor([[1, 2], [0, 1]]), Tensor([4.0, 2.0]), (3, 4))
    b = COOTensor(Tensor([[0, 1], [2, 3], [1, 0]]), Tensor([-2.0, 5.0, 0.1]), (3, 4))
    out = S.coo_add(a, b, Tensor(0.5))
    np.testing.assert_array_equal(out.indices.asnumpy(), [[1, 2], [2, 3]])
    np.testing.assert_allclose(out.values.asnumpy(), [4, 5])
    keep_all = a.add(b, Tensor(0.0))
    assert keep_all.size == 4  # the zero sum at (0, 1) is kept: |0| >= 0


def test_coo_concat_against_numpy():
    x, _, _, dx = random_coo(6, shape=(3, 4))
    y, _, _, dy = random_coo(7, shape=(2, 4))
    z, _, _, dz = random_coo(8, shape=(3, 2))
    np.testing.assert_allclose(
        S.coo_concat([x, y], 0).to_dense().asnumpy(), np.concatenate([dx, dy])
    )
    np.testing.assert_allclose(
        S.coo_concat((x, z), -1).to_dense().asnumpy(), np.concatenate([dx, dz], 1)
    )
    with pytest.raises(MindValueError, match="agree"):
        S.coo_concat([x, y], 1)


def test_coo_gradient_with_respect_to_values():
    x, idx, _, _ = random_coo(9)
    w = np.random.default_rng(1).normal(size=x.shape)

    def f(values):
        c = COOTensor(Tensor(idx), values, x.shape).coalesce()
        return ms.ops.sum(S.coo_sin(c).to_dense() * Tensor(w))

    check_grads(f, (x.values,))
    g = ms.grad(f)(x.values)
    np.testing.assert_allclose(
        g.asnumpy(), np.cos(x.values.asnumpy()) * w[tuple(idx.T)], rtol=1e-10
    )


def test_coo_tensor_through_jit():
    x, idx, vals, dense = random_coo(10)

    @ms.jit
    def scale(t, k):
        return COOTensor(t.indices, t.values * k, t.shape)

    out = scale(x, Tensor(2.0))
    assert isinstance(out, COOTensor)
    np.testing.assert_allclose(out.to_dense().asnumpy(), 2 * dense)
    other = COOTensor(Tensor(idx[::-1].copy()), Tensor(vals[::-1].copy()), x.shape)
    np.testing.assert_allclose(scale(other, Tensor(3.0)).to_dense().asnumpy(), 3 * dense)

    @ms.jit
    def dense_of(t):
        return S.coo_exp(t).to_dense()

    want = np.zeros(x.shape)
    np.add.at(want, tuple(idx.T), np.exp(vals))
    np.testing.assert_allclose(dense_of(x).asnumpy(), want)


def test_row_tensor():
    r = RowTensor(Tensor([2, 0, 2]), Tensor(np.ones((3, 2))), (4, 2))
    np.testing.assert_allclose(r.to_dense().asnumpy(), [[1, 1], [0, 0], [2, 2], [0, 0]])
    assert r.dense_shape == (4, 2) and RowTensor(row_tensor=r).shape == (4, 2)

    @ms.jit
    def twice(t):
        return RowTensor(t.indices, t.values * 2, t.dense_shape).to_dense()

    np.testing.assert_allclose(twice(r).asnumpy(), 2 * r.to_dense().asnumpy())


# -- the unary table ---------------------------------------------------------------------------

UNARY = {
    "abs": np.abs,
    "acos": np.arccos,
    "asin": np.arcsin,
    "atan": np.arctan,
    "atanh": np.arctanh,
    "ceil": np.ceil,
    "cos": np.cos,
    "cosh": np.cosh,
    "exp": np.exp,
    "expm1": np.expm1,
    "floor": np.floor,
    "inv": lambda v: 1 / v,
    "isfinite": np.isfinite,
    "isinf": np.isinf,
    "isnan": np.isnan,
    "log1p": np.log1p,
    "neg": np.negative,
    "relu": lambda v: np.maximum(v, 0),
    "relu6": lambda v: np.clip(v, 0, 6),
    "round": np.round,
    "sigmoid": lambda v: 1 / (1 + np.exp(-v)),
    "sin": np.sin,
    "sinh": np.sinh,
    "softsign": lambda v: v / (1 + np.abs(v)),
    "square": np.square,
    "tan": np.tan,
    "tanh": np.tanh,
    "acosh": lambda v: np.arccosh(v + 2),
    "asinh": np.arcsinh,
    "log": lambda v: np.log(v + 2),
    "sqrt": lambda v: np.sqrt(v + 2),
}
SHIFTED = {"acosh", "log", "sqrt"}  # defined for values >= 1 (tested on values + 2)


@pytest.mark.filterwarnings("ignore:divide by zero")
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_ops_apply_to_stored_values(name):
    vals = np.array([-0.7, 0.0, 0.3, 0.9])
    if name in SHIFTED:
        vals = vals + 2
    want = UNARY[name](vals - 2 if name in SHIFTED else vals)
    coo = COOTensor(Tensor([[0, 1], [1, 0], [1, 2], [2, 2]]), Tensor(vals), (3, 3))
    csr = coo.to_csr()
    for fn_name, x in ((f"coo_{name}", coo), (f"csr_{name}", csr)):
        out = getattr(S, fn_name)(x)
        assert type(out) is type(x) and out.shape == x.shape
        np.testing.assert_allclose(out.values.asnumpy().astype(np.float64), want, rtol=1e-12)
    with pytest.raises(MindTypeError, match=f"coo_{name}"):
        getattr(S, f"coo_{name}")(csr)


def test_every_unary_name_is_generated():
    names = {n for n in S.__all__ if n.startswith(("coo_", "csr_"))}
    assert {f"{p}_{n}" for p in ("coo", "csr") for n in UNARY} <= names


# -- CSR functional ops ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_csr_functional_ops_match_scipy(seed):
    a, ra = random_csr(seed)
    b, rb = random_csr(seed + 10)
    dense = np.random.default_rng(seed).normal(size=(7, 3))
    np.testing.assert_allclose(
        S.csr_add(a, b, 2.0, -0.5).to_dense().asnumpy(), (2 * ra - 0.5 * rb).toarray()
    )
    np.testing.assert_allclose((a + b).to_dense().asnumpy(), (ra + rb).toarray())
    np.testing.assert_allclose((a - b).to_dense().asnumpy(), (ra - rb).toarray())
    np.testing.assert_allclose(S.csr_mm(a, Tensor(dense)).asnumpy(), ra @ dense)
    c, rc = random_csr(seed + 20, shape=(7, 4))
    prod = S.csr_mm(a, c)
    assert isinstance(prod, CSRTensor)
    np.testing.assert_allclose(prod.to_dense().asnumpy(), (ra @ rc).toarray())
    np.testing.assert_allclose(
        S.csr_mm(a, b, trans_b=True).to_dense().asnumpy(), (ra @ rb.T).toarray()
    )
    np.testing.assert_allclose(S.csr_mv(a, Tensor(dense[:, :1])).asnumpy(), ra @ dense[:, :1])
    np.testing.assert_allclose(S.csr_reduce_sum(a, 1).asnumpy(), ra.sum(1))
    coo = S.csr_to_coo(a)
    np.testing.assert_allclose(coo.to_dense().asnumpy(), ra.toarray())
    np.testing.assert_allclose(S.csr_to_dense(a).asnumpy(), ra.toarray())
    y = np.random.default_rng(3).uniform(1, 2, size=(1, 7))
    np.testing.assert_allclose(
        S.csr_mul(a, Tensor(y)).to_dense().asnumpy(), ra.multiply(y).toarray()
    )
    np.testing.assert_allclose((a / Tensor(y)).to_dense().asnumpy(), ra.multiply(1 / y).toarray())


def test_csr_softmax_over_each_rows_stored_values():
    a, ra = random_csr(4, shape=(6, 5), density=0.5)
    out = S.csr_softmax(a, ms.float64)
    got = out.to_dense().asnumpy()
    for i in range(6):
        row = ra.getrow(i)
        if row.nnz:
            e = np.exp(row.data - row.data.max())
            np.testing.assert_allclose(got[i, row.indices], e / e.sum(), rtol=1e-12)

    def f(values):
        m = CSRTensor(a.indptr, a.indices, values, a.shape)
        return ms.ops.sum(S.csr_softmax(m).values * Tensor(np.arange(a.size, dtype=np.float64)))

    check_grads(f, (a.values,))


def test_dense_to_sparse():
    d = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -3.0]])
    coo = S.dense_to_sparse_coo(Tensor(d))
    np.testing.assert_array_equal(coo.indices.asnumpy(), np.argwhere(d))
    np.testing.assert_allclose(coo.values.asnumpy(), d[d != 0])
    csr = S.dense_to_sparse_csr(Tensor(d))
    ref = sp.csr_matrix(d)
    np.testing.assert_array_equal(csr.indptr.asnumpy(), ref.indptr)
    np.testing.assert_array_equal(csr.indices.asnumpy(), ref.indices)
    check_grads(lambda x: ms.ops.sum(S.dense_to_sparse_coo(x).values ** 2), (Tensor(d),))


def test_sparse_segment_mean():
    x = np.arange(12.0).reshape(4, 3)
    out = S.sparse_segment_mean(Tensor(x), Tensor([0, 3, 1, 2]), Tensor([0, 0, 2, 2]))
    np.testing.assert_allclose(out.asnumpy(), [(x[0] + x[3]) / 2, np.zeros(3), (x[1] + x[2]) / 2])
    check_grads(
        lambda t: ms.ops.sum(S.sparse_segment_mean(t, Tensor([0, 3, 1]), Tensor([0, 0, 1])) ** 2),
        (Tensor(x),),
    )


def test_coalesce_function():
    idx, vals, shape = S.coalesce(
        Tensor([[0, 0, 1], [1, 1, 2]]), Tensor([1.0, 5.0, 4.0]), Tensor([3, 3])
    )
    np.testing.assert_array_equal(idx.asnumpy(), [[0, 1], [1, 2]])
    np.testing.assert_allclose(vals.asnumpy(), [6, 4])
    np.testing.assert_array_equal(shape.asnumpy(), [3, 3])


# -- Primitive classes and Cells -----------------------------------------------------------------


def test_sparse_to_dense_and_dense_matmul_primitives():
    idx = Tensor(np.array([[0, 0], [1, 1], [2, 2], [2, 3]], np.int64))
    vals = np.array([2.0, 3.0, 4.0, 5.0])
    sparse = np.array([[2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 4, 5]], np.float64)
    np.testing.assert_allclose(P.SparseToDense()(idx, Tensor(vals), (3, 4)).asnumpy(), sparse)
    b = np.arange(12.0).reshape(4, 3)
    mm = P.SparseTensorDenseMatmul()
    np.testing.assert_allclose(mm(idx, Tensor(vals), (3, 4), Tensor(b)).asnumpy(), sparse @ b)
    c = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(
        P.SparseTensorDenseMatmul(adjoint_st=True)(
            idx, Tensor(vals), Tensor([3, 4]), Tensor(c)
        ).asnumpy(),
        sparse.T @ c,
    )
    np.testing.assert_allclose(
        sparse_nn.SparseTensorDenseMatmul(False, True)(
            idx, Tensor(vals), (3, 4), Tensor(b.T)
        ).asnumpy(),
        sparse @ b,
    )
    coo = COOTensor(idx, Tensor(vals), (3, 4))
    np.testing.assert_allclose(sparse_nn.SparseToDense()(coo).asnumpy(), sparse)
    check_grads(lambda v: ms.ops.sum(mm(idx, v, (3, 4), Tensor(b)) ** 2), (Tensor(vals),))


def test_sparse_add_reorder_reshape_primitives():
    shape = Tensor(np.array([3, 4], np.int64))
    i, v, s = P.SparseAdd()(
        Tensor([[0, 1], [1, 2]]),
        Tensor([1.0, 2.0]),
        shape,
        Tensor([[0, 1], [1, 3]]),
        Tensor([1.0, 2.0]),
        shape,
        Tensor(0.0),
    )
    np.testing.assert_array_equal(i.asnumpy(), [[0, 1], [1, 2], [1, 3]])
    np.testing.assert_allclose(v.asnumpy(), [2, 2, 2])
    np.testing.assert_array_equal(s.asnumpy(), [3, 4])
    yi, yv = P.SparseReorder()(Tensor([[2, 1], [0, 1]]), Tensor([1.0, 2.0]), Tensor([3, 3]))
    np.testing.assert_array_equal(yi.asnumpy(), [[0, 1], [2, 1]])
    np.testing.assert_allclose(yv.asnumpy(), [2, 1])
    idx = Tensor(np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 2, 3]], np.int64))
    ri, rs = P.SparseReshape()(idx, Tensor([2, 3, 6]), Tensor([9, -1]))
    np.testing.assert_array_equal(ri.asnumpy(), [[0, 0], [0, 1], [1, 2], [4, 2], [8, 1]])
    np.testing.assert_array_equal(rs.asnumpy(), [9, 4])


def test_cwise_maximum_addmm_and_csr_matrix_primitives():
    idx, vals, shape = Tensor([[0, 0], [1, 2]]), Tensor([2.0, -3.0]), Tensor([2, 3])
    dense = np.array([[1.0, 2, 3], [4, 5, 6]])
    np.testing.assert_allclose(
        P.SparseDenseCwiseAdd()(idx, vals, shape, Tensor(dense)).asnumpy(), [3, 3]
    )
    np.testing.assert_allclose(
        P.SparseDenseCwiseMul()(idx, vals, shape, Tensor([2.0])).asnumpy(), [4, -6]
    )
    np.testing.assert_allclose(
        P.SparseDenseCwiseDiv()(idx, vals, shape, Tensor(dense)).asnumpy(), [2, -0.5]
    )
    mi, mv = P.SparseSparseMaximum()(
        idx, vals, shape, Tensor([[1, 2], [1, 0]]), Tensor([1.0, 5.0]), shape
    )
    np.testing.assert_array_equal(mi.asnumpy(), [[0, 0], [1, 0], [1, 2]])
    np.testing.assert_allclose(mv.asnumpy(), [2, 5, 1])
    _, nv = P.SparseSparseMinimum()(
        idx, vals, shape, Tensor([[1, 2], [1, 0]]), Tensor([1.0, 5.0]), shape
    )
    np.testing.assert_allclose(nv.asnumpy(), [0, 0, -3])
    x2, x3 = np.ones((3, 2)), np.arange(4.0).reshape(2, 2)
    sp_dense = np.array([[2.0, 0, 0], [0, 0, -3]])
    out = P.SparseAddmm()(idx, vals, shape, Tensor(x2), Tensor(x3), Tensor([2.0]), Tensor([0.5]))
    np.testing.assert_allclose(out.asnumpy(), 2 * sp_dense @ x2 + 0.5 * x3)
    # batched 3-D: SparseTensorToCSRSparseMatrix -> CSRSparseMatrixToDense / SparseMatrixMatMul
    bidx = Tensor(np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1]], np.int64))
    bvals = Tensor([1.0, 2.0, 3.0])
    want = np.zeros((2, 2, 2))
    want[1, 0, 1], want[0, 1, 0], want[1, 1, 1] = 1, 2, 3
    parts = P.SparseTensorToCSRSparseMatrix()(bidx, bvals, Tensor([2, 2, 2]))
    np.testing.assert_array_equal(parts[1].asnumpy(), [0, 1, 3])
    np.testing.assert_array_equal(parts[2].asnumpy(), [0, 0, 1, 0, 1, 2])
    np.testing.assert_allclose(P.CSRSparseMatrixToDense()(*parts).asnumpy(), want)
    b = np.arange(8.0).reshape(2, 2, 2)
    np.testing.assert_allclose(P.SparseMatrixMatMul()(*parts, Tensor(b)).asnumpy(), want @ b)
    np.testing.assert_allclose(
        P.SparseMatrixMatMul(transpose_x1=True)(*parts, Tensor(b)).asnumpy(),
        want.transpose(0, 2, 1) @ b,
    )
    seg = P.SparseSegmentMeanWithNumSegments()(
        Tensor(dense), Tensor([0, 1]), Tensor([0, 0]), Tensor(3)
    )
    np.testing.assert_allclose(seg.asnumpy(), [dense.mean(0), [0, 0, 0], [0, 0, 0]])


def test_primitives_under_graph_mode():
    idx, vals = Tensor([[0, 1], [1, 2]]), Tensor([7.0, 8.0])
    op = P.SparseToDense()

    @ms.jit
    def f(i, v):
        return op(i, v, (3, 3))

    np.testing.assert_allclose(f(idx, vals).asnumpy(), [[0, 7, 0], [0, 0, 8], [0, 0, 0]])
    g = ms.grad(lambda v: ms.ops.sum(f(idx, v) * Tensor(np.arange(9.0).reshape(3, 3))))(vals)
    np.testing.assert_allclose(g.asnumpy(), [1, 5])


def test_coo_tensor_as_a_compiled_loop_carry():
    x = COOTensor(Tensor([[0, 1], [1, 2]]), Tensor([1.0, 2.0]), (3, 4))

    @ms.jit(fullgraph=True)
    def f(t, n):
        i = Tensor(0)
        while i < n:
            t = COOTensor(t.indices, t.values * 2, t.shape)
            i = i + 1
        return t

    out = f(x, Tensor(3))
    assert isinstance(out, COOTensor)
    np.testing.assert_allclose(out.values.asnumpy(), [8, 16])


def test_sparse_matrix_softmax_primitive():
    a, ra = random_csr(5, shape=(4, 6), density=0.5)
    dense_shape, batch = Tensor(np.array([4, 6], np.int32)), Tensor(np.array([0, a.size], np.int32))
    out = P.SparseMatrixSoftmax(ms.float64)(dense_shape, batch, a.indptr, a.indices, a.values)
    np.testing.assert_array_equal(out[2].asnumpy(), ra.indptr)
    np.testing.assert_allclose(out[4].asnumpy(), S.csr_softmax(a).values.asnumpy())
    row = ra.getrow(0)
    e = np.exp(row.data - row.data.max())
    np.testing.assert_allclose(out[4].asnumpy()[: row.nnz], e / e.sum(), rtol=1e-12)
