"""Mind's sparse tensors and sparse ops against PyTorch's on the same inputs: forward values (as
dense results) and the gradients w.r.t. the stored values and the dense operands.

Run by ``nox -s peers`` (torch==2.13.0 CPU); the default test run does not collect this
directory. Each case fixes a sparse structure (indices, row pointers) and hands the values and
the dense operands to ``peer_compare.compare`` as float64 (or float32) arrays, so both
frameworks differentiate the same function of them. Where PyTorch has no sparse kernel for a
MindSpore op, the PyTorch side composes one from its sparse tensors and a comment says how; ops
with no PyTorch counterpart at all (``SparseReshape``, ``SparseSparseMaximum``/``Minimum``,
``SparseDenseCwiseAdd``, the ``thresh`` of ``coo_add``) are tested against numpy in mind-core.
"""

import numpy as np
import pytest
import torch
from peer_compare import compare

from mind.core import COOTensor, CSRTensor, Tensor, ops

RNG = np.random.default_rng(23)

pytestmark = pytest.mark.filterwarnings(
    "ignore:Sparse invariant checks:UserWarning", "ignore:Sparse CSR tensor support:UserWarning"
)

SHAPES = [(4, 5), (3, 7), (1, 6)]
DTYPES = [np.float64, np.float32]


def _tol(dtype):
    """compare's tolerances for a dtype: float32 differs by rounding in sum order only."""
    if dtype == np.float32:
        return {"rtol": 1e-5, "atol": 1e-6, "grad_rtol": 2e-4}
    return {}


def compare_densified(mind_fn, torch_fn, *arrays, **tol):
    """``compare`` where PyTorch's gradients come back sparse (its sparse * dense): each
    argument goes to PyTorch through a dense identity whose backward densifies the gradient."""

    class Densify(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            return g.to_dense() if g.layout != torch.strided else g

    compare(mind_fn, lambda *xs: torch_fn(*(Densify.apply(x) for x in xs)), *arrays, **tol)


def _coo_indices(shape, nnz, repeats=False):
    """``nnz`` distinct random coordinates of ``shape`` (row-major unsorted), ``(nnz, ndim)``;
    with ``repeats`` the first two also appear again at the end."""
    flat = RNG.choice(int(np.prod(shape)), size=nnz, replace=False)
    at = np.stack(np.unravel_index(flat, shape), 1).astype(np.int64)
    return np.concatenate([at, at[:2]]) if repeats else at


def _csr_parts(shape, nnz):
    """A CSR structure with ``nnz`` stored entries: (indptr, indices) as int64 arrays."""
    at = _coo_indices(shape, nnz)
    at = at[np.lexsort((at[:, 1], at[:, 0]))]
    counts = np.bincount(at[:, 0], minlength=shape[0])
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), at[:, 1].copy()


def _nnz(shape):
    return max(2, int(np.prod(shape)) // 2)


def _values(n, dtype=np.float64):
    return RNG.normal(size=n).astype(dtype)


def _torch_coo(at, v, shape):
    return torch.sparse_coo_tensor(torch.tensor(at.T), v, shape)


def _torch_csr(ptr, cols, v, shape):
    return torch.sparse_csr_tensor(torch.tensor(ptr), torch.tensor(cols), v, shape)


# ------------------------------------------------------------------------- building, to_dense


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_coo_to_dense_adds_repeats(shape, dtype):
    at = _coo_indices(shape, _nnz(shape), repeats=True)
    compare(
        lambda v: COOTensor(Tensor(at), v, shape).to_dense(),
        lambda v: _torch_coo(at, v, shape).to_dense(),
        _values(at.shape[0], dtype),
        **_tol(dtype),
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sparse_to_dense_primitive(shape):
    at = _coo_indices(shape, _nnz(shape), repeats=True)
    compare(
        lambda v: ops.SparseToDense()(Tensor(at), v, shape),
        lambda v: _torch_coo(at, v, shape).to_dense(),
        _values(at.shape[0]),
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_csr_to_dense(shape, dtype):
    ptr, cols = _csr_parts(shape, _nnz(shape))
    v = _values(cols.shape[0], dtype)
    compare(
        lambda v: CSRTensor(Tensor(ptr), Tensor(cols), v, shape).to_dense(),
        lambda v: _torch_csr(ptr, cols, v, shape).to_dense(),
        v,
        **_tol(dtype),
    )
    compare(
        lambda v: ops.csr_to_dense(CSRTensor(Tensor(ptr), Tensor(cols), v, shape)),
        lambda v: _torch_csr(ptr, cols, v, shape).to_dense(),
        v,
        **_tol(dtype),
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_csr_to_coo_and_back(shape):
    ptr, cols = _csr_parts(shape, _nnz(shape))
    v = _values(cols.shape[0])
    m = CSRTensor(Tensor(ptr), Tensor(cols), Tensor(v), shape)
    want = _torch_csr(ptr, cols, torch.tensor(v), shape).to_sparse_coo().coalesce()
    got = ops.csr_to_coo(m)
    np.testing.assert_array_equal(got.indices.asnumpy(), want.indices().numpy().T)
    np.testing.assert_array_equal(got.values.asnumpy(), want.values().numpy())
    back = got.to_csr()
    wanted_back = want.to_sparse_csr()
    np.testing.assert_array_equal(back.indptr.asnumpy(), wanted_back.crow_indices().numpy())
    np.testing.assert_array_equal(back.indices.asnumpy(), wanted_back.col_indices().numpy())
    np.testing.assert_array_equal(back.values.asnumpy(), wanted_back.values().numpy())
    compare(
        lambda v: ops.csr_to_coo(CSRTensor(Tensor(ptr), Tensor(cols), v, shape)).to_dense(),
        lambda v: _torch_csr(ptr, cols, v, shape).to_sparse_coo().to_dense(),
        v,
    )


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_dense_to_sparse_coo_is_to_sparse(shape):
    x = RNG.normal(size=shape) * (RNG.uniform(size=shape) < 0.5)
    want = torch.tensor(x).to_sparse().coalesce()
    got = ops.dense_to_sparse_coo(Tensor(x))
    np.testing.assert_array_equal(got.indices.asnumpy(), want.indices().numpy().T)
    np.testing.assert_array_equal(got.values.asnumpy(), want.values().numpy())
    assert got.shape == tuple(want.shape)
    # the gradient of the stored values w.r.t. the dense input (the structure held fixed)
    compare(
        lambda x: ops.dense_to_sparse_coo(x).values,
        lambda x: x.to_sparse().coalesce().values(),
        x,
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dense_to_sparse_csr_is_to_sparse_csr(shape):
    x = RNG.normal(size=shape) * (RNG.uniform(size=shape) < 0.5)
    want = torch.tensor(x).to_sparse_csr()
    got = ops.dense_to_sparse_csr(Tensor(x))
    np.testing.assert_array_equal(got.indptr.asnumpy(), want.crow_indices().numpy())
    np.testing.assert_array_equal(got.indices.asnumpy(), want.col_indices().numpy())
    np.testing.assert_array_equal(got.values.asnumpy(), want.values().numpy())
    compare(
        lambda x: ops.dense_to_sparse_csr(x).to_dense(), lambda x: x.to_sparse_csr().to_dense(), x
    )


# ------------------------------------------------------------------------ coalesce and reorder


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_coalesce(shape):
    at = _coo_indices(shape, _nnz(shape), repeats=True)
    v = _values(at.shape[0])
    want = _torch_coo(at, torch.tensor(v), shape).coalesce()
    for got_indices, got_values in (
        (lambda c: (c.indices.asnumpy(), c.values.asnumpy()))(
            COOTensor(Tensor(at), Tensor(v), shape).coalesce()
        ),
        (lambda r: (r[0].asnumpy().T, r[1].asnumpy()))(
            ops.coalesce(Tensor(at.T.copy()), Tensor(v), Tensor(np.array(shape)))
        ),
    ):
        np.testing.assert_array_equal(got_indices, want.indices().numpy().T)
        np.testing.assert_allclose(got_values, want.values().numpy(), rtol=1e-12)
    compare(
        lambda v: COOTensor(Tensor(at), v, shape).coalesce().values,
        lambda v: _torch_coo(at, v, shape).coalesce().values(),
        v,
    )
    compare(
        lambda v: ops.coalesce(Tensor(at.T.copy()), v, shape)[1],
        lambda v: _torch_coo(at, v, shape).coalesce().values(),
        v,
    )


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_sparse_reorder_is_coalesce_of_distinct_entries(shape):
    at = _coo_indices(shape, _nnz(shape))
    v = _values(at.shape[0])
    want = _torch_coo(at, torch.tensor(v), shape).coalesce()
    got_at, got_v = ops.SparseReorder()(Tensor(at), Tensor(v), Tensor(np.array(shape)))
    np.testing.assert_array_equal(got_at.asnumpy(), want.indices().numpy().T)
    compare(
        lambda v: ops.SparseReorder()(Tensor(at), v, Tensor(np.array(shape)))[1],
        lambda v: _torch_coo(at, v, shape).coalesce().values(),
        v,
    )


# --------------------------------------------------------------------- element-wise and unary

# MindSpore's coo_/csr_ unary ops apply the function to the stored values. PyTorch runs the
# zero-preserving ones on its sparse layouts; for the others (cos, exp, ...: not zero at 0)
# it has no sparse kernel, so its side is the function of the values.
TORCH_SPARSE_UNARY = (
    "abs asin asinh atan atanh ceil expm1 floor log1p neg relu round sin sinh sqrt square tan tanh"
).split()
TORCH_VALUES_UNARY = {
    "acos": torch.acos,
    "acosh": torch.acosh,
    "cos": torch.cos,
    "cosh": torch.cosh,
    "exp": torch.exp,
    "inv": torch.reciprocal,
    "log": torch.log,
    "relu6": torch.nn.functional.relu6,
    "sigmoid": torch.sigmoid,
    "softsign": torch.nn.functional.softsign,
}
_DOMAIN = {"acosh": (1.2, 3.0), "log": (0.2, 3.0), "sqrt": (0.2, 3.0), "inv": (0.5, 2.0)}
_NO_GRAD = {"ceil", "floor", "round"}  # torch's gradient 0, Mind's too: compared as forward


def _unary_values(name, n):
    lo, hi = _DOMAIN.get(name, (-0.9, 0.9))
    v = RNG.uniform(lo, hi, n)
    if name in ("ceil", "floor", "round"):
        v = v * 4 + 0.25  # away from ties and integers
    return v


def _torch_sparse_unary(name):
    if name == "relu":
        return torch.relu
    if name == "square":
        return torch.square
    return getattr(torch, name)


@pytest.mark.parametrize("layout", ["coo", "csr"])
@pytest.mark.parametrize("name", TORCH_SPARSE_UNARY + sorted(TORCH_VALUES_UNARY))
def test_unary(name, layout):
    shape = (4, 5)
    ptr, cols = _csr_parts(shape, 9)
    at = np.stack([np.repeat(np.arange(shape[0]), np.diff(ptr)), cols], 1)
    v = _unary_values(name, cols.shape[0])
    fn = getattr(ops, f"{layout}_{name}")
    if layout == "coo":

        def mind(v):
            return fn(COOTensor(Tensor(at), v, shape)).to_dense()

        def build(v):
            return _torch_coo(at, v, shape)
    else:

        def mind(v):
            return fn(CSRTensor(Tensor(ptr), Tensor(cols), v, shape)).to_dense()

        def build(v):
            return _torch_csr(ptr, cols, v, shape)

    f = TORCH_VALUES_UNARY.get(name) or _torch_sparse_unary(name)

    def on_values(v):
        return build(f(v)).to_dense()

    if name not in TORCH_VALUES_UNARY and not (name == "square" and layout == "csr"):
        # (torch.square has no CSR kernel)

        def on_sparse(v):
            out = f(build(v))
            assert out.layout == build(v).layout  # PyTorch keeps the sparse layout
            return out.to_dense()

        # PyTorch's sparse unary kernels have no backward: forward here, gradient below
        compare(mind, on_sparse, v, grad=False)
    compare(mind, on_values, v, grad=name not in _NO_GRAD)


@pytest.mark.parametrize("name", ["isfinite", "isinf", "isnan"])
@pytest.mark.parametrize("layout", ["coo", "csr"])
def test_unary_predicates(name, layout):
    shape = (3, 4)
    ptr, cols = _csr_parts(shape, 6)
    at = np.stack([np.repeat(np.arange(shape[0]), np.diff(ptr)), cols], 1)
    v = np.array([1.0, np.inf, -np.inf, np.nan, 0.0, -2.0])
    if layout == "coo":
        got = getattr(ops, f"coo_{name}")(COOTensor(Tensor(at), Tensor(v), shape)).values
    else:
        got = getattr(ops, f"csr_{name}")(CSRTensor(Tensor(ptr), Tensor(cols), Tensor(v), shape))
        got = got.values
    np.testing.assert_array_equal(got.asnumpy(), getattr(torch, name)(torch.tensor(v)).numpy())


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("op", ["mul", "div"])
def test_csr_mul_div_with_dense(op, shape, dtype):
    """PyTorch's sparse * dense keeps the sparse structure (a CSR times a dense of one shape);
    its sparse / dense is not defined, so its side is values / dense at the stored positions."""
    ptr, cols = _csr_parts(shape, _nnz(shape))
    v = _values(cols.shape[0], dtype)
    y = RNG.uniform(0.5, 2.0, shape).astype(dtype)
    fn = ops.csr_mul if op == "mul" else ops.csr_div

    def peer(v, y):
        m = _torch_csr(ptr, cols, v, shape)
        if op == "mul":
            return (m.to_sparse_coo() * y).to_dense()
        rows = torch.tensor(np.repeat(np.arange(shape[0]), np.diff(ptr)))
        return _torch_csr(ptr, cols, v / y[rows, torch.tensor(cols)], shape).to_dense()

    compare_densified(
        lambda v, y: fn(CSRTensor(Tensor(ptr), Tensor(cols), v, shape), y).to_dense(),
        peer,
        v,
        y,
        **_tol(dtype),
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_csr_mul_broadcasts_a_row(shape):
    ptr, cols = _csr_parts(shape, _nnz(shape))
    compare_densified(
        lambda v, y: ops.csr_mul(CSRTensor(Tensor(ptr), Tensor(cols), v, shape), y).to_dense(),
        lambda v, y: (_torch_csr(ptr, cols, v, shape).to_sparse_coo() * y.expand(shape)).to_dense(),
        _values(cols.shape[0]),
        RNG.normal(size=(1, shape[1])),
    )


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
@pytest.mark.parametrize("op", ["mul", "div"])
def test_coo_mul_div_and_sparse_dense_cwise(op, shape):
    at = _coo_indices(shape, _nnz(shape))
    y = RNG.uniform(0.5, 2.0, shape)

    def peer(v, y):
        m = _torch_coo(at, v, shape)
        if op == "mul":
            return (m * y).coalesce().to_dense()
        return _torch_coo(at, v / y[tuple(torch.tensor(at.T))], shape).to_dense()

    compare_densified(
        lambda v, y: (
            COOTensor(Tensor(at), v, shape) * y
            if op == "mul"
            else COOTensor(Tensor(at), v, shape) / y
        ).to_dense(),
        peer,
        _values(at.shape[0]),
        y,
    )
    prim = ops.SparseDenseCwiseMul() if op == "mul" else ops.SparseDenseCwiseDiv()
    compare_densified(
        lambda v, y: COOTensor(
            Tensor(at), prim(Tensor(at), v, Tensor(np.array(shape)), y), shape
        ).to_dense(),
        peer,
        _values(at.shape[0]),
        y,
    )


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_coo_plus_dense_is_torch_add(shape):
    at = _coo_indices(shape, _nnz(shape), repeats=True)
    compare(
        lambda v, y: COOTensor(Tensor(at), v, shape) + y,
        lambda v, y: torch.add(y, _torch_coo(at, v, shape)),
        _values(at.shape[0]),
        RNG.normal(size=shape),
    )


# ---------------------------------------------------------------------------- sparse + sparse


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_coo_add_is_torch_add(shape):
    a = _coo_indices(shape, _nnz(shape))
    b = _coo_indices(shape, _nnz(shape) - 1)
    va, vb = _values(a.shape[0]), _values(b.shape[0])
    want = _torch_coo(a, torch.tensor(va), shape) + _torch_coo(b, torch.tensor(vb), shape)
    want = want.coalesce()
    got = ops.coo_add(
        COOTensor(Tensor(a), Tensor(va), shape), COOTensor(Tensor(b), Tensor(vb), shape), 0.0
    )
    np.testing.assert_array_equal(got.indices.asnumpy(), want.indices().numpy().T)
    np.testing.assert_allclose(got.values.asnumpy(), want.values().numpy(), rtol=1e-12)
    compare(
        lambda va, vb: (
            COOTensor(Tensor(a), va, shape) + COOTensor(Tensor(b), vb, shape)
        ).to_dense(),
        lambda va, vb: (_torch_coo(a, va, shape) + _torch_coo(b, vb, shape)).to_dense(),
        va,
        vb,
    )
    compare(
        lambda va, vb: ops.SparseAdd()(
            Tensor(a),
            va,
            Tensor(np.array(shape)),
            Tensor(b),
            vb,
            Tensor(np.array(shape)),
            Tensor(0.0),
        )[1],
        lambda va, vb: (_torch_coo(a, va, shape) + _torch_coo(b, vb, shape)).coalesce().values(),
        va,
        vb,
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (1.0, -1.0), (0.5, 2.0)])
def test_csr_add_is_torch_add(shape, alpha, beta):
    """MindSpore's ``alpha * a + beta * b``; PyTorch's add of two CSR tensors with ``alpha``
    scales its second operand only, so the first is scaled first."""
    pa, ca = _csr_parts(shape, _nnz(shape))
    pb, cb = _csr_parts(shape, _nnz(shape) - 1)
    va, vb = _values(ca.shape[0]), _values(cb.shape[0])
    got = ops.csr_add(
        CSRTensor(Tensor(pa), Tensor(ca), Tensor(va), shape),
        CSRTensor(Tensor(pb), Tensor(cb), Tensor(vb), shape),
        Tensor(alpha),
        Tensor(beta),
    )
    want = torch.add(
        _torch_csr(pa, ca, torch.tensor(va) * alpha, shape),
        _torch_csr(pb, cb, torch.tensor(vb), shape),
        alpha=beta,
    )
    np.testing.assert_array_equal(got.indptr.asnumpy(), want.crow_indices().numpy())
    np.testing.assert_array_equal(got.indices.asnumpy(), want.col_indices().numpy())
    np.testing.assert_allclose(got.values.asnumpy(), want.values().numpy(), rtol=1e-12)
    compare(
        lambda va, vb: ops.csr_add(
            CSRTensor(Tensor(pa), Tensor(ca), va, shape),
            CSRTensor(Tensor(pb), Tensor(cb), vb, shape),
            Tensor(alpha),
            Tensor(beta),
        ).to_dense(),
        lambda va, vb: (
            _torch_csr(pa, ca, va, shape).to_sparse_coo() * alpha
            + _torch_csr(pb, cb, vb, shape).to_sparse_coo() * beta
        ).to_dense(),
        va,
        vb,
    )


@pytest.mark.parametrize(
    ("shapes", "axis"),
    [
        ([(2, 3), (4, 3)], 0),
        ([(3, 2), (3, 4), (3, 1)], 1),
        ([(2, 2, 3), (2, 1, 3)], 1),
        ([(2, 3), (1, 3)], -2),
    ],
    ids=str,
)
def test_coo_concat_is_torch_cat(shapes, axis):
    parts = [_coo_indices(s, max(1, int(np.prod(s)) // 2)) for s in shapes]
    values = [_values(p.shape[0]) for p in parts]
    want = torch.cat(
        [_torch_coo(p, torch.tensor(v), s) for p, v, s in zip(parts, values, shapes)], axis
    )
    want = want.coalesce()
    got = ops.coo_concat(
        [COOTensor(Tensor(p), Tensor(v), s) for p, v, s in zip(parts, values, shapes)], axis
    )
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.indices.asnumpy(), want.indices().numpy().T)
    np.testing.assert_array_equal(got.values.asnumpy(), want.values().numpy())

    def mind(*vs):
        coos = [COOTensor(Tensor(p), v, s) for p, v, s in zip(parts, vs, shapes)]
        return ops.coo_concat(coos, axis).to_dense()

    def peer(*vs, dense=False):
        coos = [_torch_coo(p, v, s) for p, v, s in zip(parts, vs, shapes)]
        return torch.cat([c.to_dense() for c in coos] if dense else coos, axis).to_dense()

    # PyTorch's cat of sparse tensors has no backward: the gradient against cat of their denses
    compare(mind, peer, *values, grad=False)
    compare(mind, lambda *vs: peer(*vs, dense=True), *values)


# --------------------------------------------------------------------------- sums and softmax


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_csr_reduce_sum_is_sparse_sum(shape, axis):
    """MindSpore keeps the reduced axis (a column or a row); torch.sparse.sum drops it."""
    ptr, cols = _csr_parts(shape, _nnz(shape))
    compare(
        lambda v: ops.csr_reduce_sum(CSRTensor(Tensor(ptr), Tensor(cols), v, shape), axis),
        lambda v: (
            torch.sparse.sum(_torch_csr(ptr, cols, v, shape).to_sparse_coo(), axis)
            .to_dense()
            .unsqueeze(axis)
        ),
        _values(cols.shape[0]),
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES + [(5, 3)], ids=str)
def test_csr_softmax_is_sparse_softmax(shape, dtype):
    """torch.sparse.softmax takes the entries not stored as -inf: a row's softmax over its stored
    values, as MindSpore's."""
    ptr, cols = _csr_parts(shape, _nnz(shape))
    v = (_values(cols.shape[0]) * 3).astype(dtype)

    def peer(v):
        return torch.sparse.softmax(_torch_csr(ptr, cols, v, shape).to_sparse_coo(), 1).to_dense()

    compare(
        lambda v: ops.csr_softmax(CSRTensor(Tensor(ptr), Tensor(cols), v, shape)).to_dense(),
        peer,
        v,
        **_tol(dtype),
    )
    shape_t = Tensor(np.array(shape, np.int64))
    batch = Tensor(np.array([0, cols.shape[0]], np.int64))
    compare(
        lambda v: CSRTensor(
            Tensor(ptr),
            Tensor(cols),
            ops.SparseMatrixSoftmax(dtype=ms_dtype(dtype))(
                shape_t, batch, Tensor(ptr), Tensor(cols), v
            )[4],
            shape,
        ).to_dense(),
        peer,
        v,
        **_tol(dtype),
    )


def ms_dtype(dtype):
    import mind.core as ms

    return ms.float64 if dtype == np.float64 else ms.float32


# -------------------------------------------------------------------------------- products


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("n", [1, 3])
def test_csr_mm_is_sparse_mm(shape, n, dtype):
    ptr, cols = _csr_parts(shape, _nnz(shape))
    v = _values(cols.shape[0], dtype)
    b = RNG.normal(size=(shape[1], n)).astype(dtype)
    for mind in (
        lambda v, b: ops.csr_mm(CSRTensor(Tensor(ptr), Tensor(cols), v, shape), b),
        lambda v, b: CSRTensor(Tensor(ptr), Tensor(cols), v, shape).mm(b),
    ):
        compare(
            mind,
            lambda v, b: torch.sparse.mm(_torch_csr(ptr, cols, v, shape).to_sparse_coo(), b),
            v,
            b,
            **_tol(dtype),
        )
    # PyTorch's CSR @ dense gives the same forward
    got = ops.csr_mm(CSRTensor(Tensor(ptr), Tensor(cols), Tensor(v), shape), Tensor(b)).asnumpy()
    want = (_torch_csr(ptr, cols, torch.tensor(v), shape) @ torch.tensor(b)).numpy()
    np.testing.assert_allclose(
        got, want, **{k: v for k, v in _tol(dtype).items() if k != "grad_rtol"}
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("trans_a", "trans_b"), [(True, False), (False, True), (True, True)])
def test_csr_mm_transposed(shape, trans_a, trans_b):
    ptr, cols = _csr_parts(shape, _nnz(shape))
    k = shape[0] if trans_a else shape[1]
    b = RNG.normal(size=(3, k) if trans_b else (k, 3))
    compare(
        lambda v, b: ops.csr_mm(
            CSRTensor(Tensor(ptr), Tensor(cols), v, shape), b, trans_a=trans_a, trans_b=trans_b
        ),
        lambda v, b: torch.sparse.mm(
            _torch_csr(ptr, cols, v, shape).to_sparse_coo().t()
            if trans_a
            else _torch_csr(ptr, cols, v, shape).to_sparse_coo(),
            b.t() if trans_b else b,
        ),
        _values(cols.shape[0]),
        b,
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_csr_mm_of_two_csr_is_sparse_mm(shape):
    pa, ca = _csr_parts(shape, _nnz(shape))
    other = (shape[1], 4)
    pb, cb = _csr_parts(other, _nnz(other))
    va, vb = _values(ca.shape[0]), _values(cb.shape[0])
    got = ops.csr_mm(
        CSRTensor(Tensor(pa), Tensor(ca), Tensor(va), shape),
        CSRTensor(Tensor(pb), Tensor(cb), Tensor(vb), other),
    )
    assert isinstance(got, CSRTensor)
    want = torch.sparse.mm(
        _torch_csr(pa, ca, torch.tensor(va), shape).to_sparse_coo(),
        _torch_csr(pb, cb, torch.tensor(vb), other).to_sparse_coo(),
    )
    np.testing.assert_allclose(
        got.to_dense().asnumpy(), want.to_dense().numpy(), rtol=1e-12, atol=1e-14
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("column", [False, True])
def test_csr_mv_is_torch_mv(shape, column):
    ptr, cols = _csr_parts(shape, _nnz(shape))
    x = RNG.normal(size=(shape[1], 1) if column else shape[1])

    def peer(v, x):
        m = _torch_csr(ptr, cols, v, shape).to_sparse_coo()
        return torch.sparse.mm(m, x) if column else torch.mv(m, x)

    for mind in (
        lambda v, x: ops.csr_mv(CSRTensor(Tensor(ptr), Tensor(cols), v, shape), x),
        lambda v, x: CSRTensor(Tensor(ptr), Tensor(cols), v, shape).mv(x),
    ):
        compare(mind, peer, _values(cols.shape[0]), x)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(
    ("adjoint_st", "adjoint_dt"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_sparse_tensor_dense_matmul_is_sparse_mm(shape, adjoint_st, adjoint_dt):
    at = _coo_indices(shape, _nnz(shape))
    k = shape[0] if adjoint_st else shape[1]
    b = RNG.normal(size=(2, k) if adjoint_dt else (k, 2))
    prim = ops.SparseTensorDenseMatmul(adjoint_st=adjoint_st, adjoint_dt=adjoint_dt)

    def peer(v, b):
        m = _torch_coo(at, v, shape)
        return torch.sparse.mm(m.t() if adjoint_st else m, b.t() if adjoint_dt else b)

    compare(lambda v, b: prim(Tensor(at), v, shape, b), peer, _values(at.shape[0]), b)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("alpha", "beta"), [(1.0, 1.0), (0.5, -2.0)])
def test_sparse_addmm_is_torch_sparse_addmm(shape, alpha, beta):
    at = _coo_indices(shape, _nnz(shape))
    x2 = RNG.normal(size=(shape[1], 3))
    x3 = RNG.normal(size=(shape[0], 3))
    compare(
        lambda v, x2, x3: ops.SparseAddmm()(
            Tensor(at), v, Tensor(np.array(shape)), x2, x3, Tensor(alpha), Tensor(beta)
        ),
        lambda v, x2, x3: torch.sparse.addmm(
            x3, _torch_coo(at, v, shape), x2, beta=beta, alpha=alpha
        ),
        _values(at.shape[0]),
        x2,
        x3,
    )


# ------------------------------------------------------------ CSR sparse matrices (batched)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4), (3, 2, 5)], ids=str)
def test_sparse_tensor_to_csr_matrix_is_to_sparse_csr(shape):
    """PyTorch's batched CSR needs one count per batch: each batch holds the same number."""
    per = max(1, int(np.prod(shape[-2:])) // 2)
    if len(shape) == 2:
        at = _coo_indices(shape, per)
    else:
        at = np.concatenate(
            [
                np.concatenate([np.full((per, 1), i), _coo_indices(shape[1:], per)], 1)
                for i in range(shape[0])
            ]
        )
        at = at[RNG.permutation(at.shape[0])]
    v = _values(at.shape[0])
    got = ops.SparseTensorToCSRSparseMatrix()(Tensor(at), Tensor(v), Tensor(np.array(shape)))
    want = _torch_coo(at, torch.tensor(v), shape).to_dense().to_sparse_csr(dense_dim=None)
    np.testing.assert_array_equal(got[0].asnumpy(), shape)
    np.testing.assert_array_equal(got[2].asnumpy(), want.crow_indices().numpy().reshape(-1))
    np.testing.assert_array_equal(got[3].asnumpy(), want.col_indices().numpy().reshape(-1))
    np.testing.assert_array_equal(got[4].asnumpy(), want.values().numpy().reshape(-1))
    # and back to dense
    compare(
        lambda v: ops.CSRSparseMatrixToDense()(
            *ops.SparseTensorToCSRSparseMatrix()(Tensor(at), v, Tensor(np.array(shape)))
        ),
        lambda v: _torch_coo(at, v, shape).to_dense(),
        v,
    )


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)], ids=str)
@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"transpose_x1": True},
        {"transpose_x2": True},
        {"adjoint_x1": True, "transpose_output": True},
    ],
    ids=str,
)
def test_sparse_matrix_matmul_is_csr_times_dense(shape, flags):
    per = max(1, int(np.prod(shape[-2:])) // 2)
    if len(shape) == 2:
        at = _coo_indices(shape, per)
    else:
        at = np.concatenate(
            [
                np.concatenate([np.full((per, 1), i), _coo_indices(shape[1:], per)], 1)
                for i in range(shape[0])
            ]
        )
    rows, cols = shape[-2:]
    inner = rows if flags.get("transpose_x1") or flags.get("adjoint_x1") else cols
    b_shape = (*shape[:-2], 3, inner) if flags.get("transpose_x2") else (*shape[:-2], inner, 3)
    b = RNG.normal(size=b_shape)

    def mind(v, b):
        parts = ops.SparseTensorToCSRSparseMatrix()(Tensor(at), v, Tensor(np.array(shape)))
        return ops.SparseMatrixMatMul(**flags)(*parts, b)

    def peer(v, b):
        a = _torch_coo(at, v, shape)
        if flags.get("transpose_x1") or flags.get("adjoint_x1"):
            a = a.transpose(-1, -2)
        if flags.get("transpose_x2"):
            b = b.transpose(-1, -2)
        out = torch.bmm(a, b) if len(shape) == 3 else torch.sparse.mm(a, b)
        return out.transpose(-1, -2) if flags.get("transpose_output") else out

    compare(mind, peer, _values(at.shape[0]), b)


# ------------------------------------------------------------------------- segment reductions


@pytest.mark.parametrize("row_shape", [(), (3,)], ids=str)
def test_sparse_segment_mean_is_segment_reduce(row_shape):
    """torch.segment_reduce(..., "mean", lengths) of the gathered rows: an empty segment is 0 in
    MindSpore; PyTorch's mean of nothing is its ``initial`` (0 given)."""
    x = RNG.normal(size=(6, *row_shape))
    indices = np.array([0, 2, 2, 5, 1, 3, 4])
    ids = np.array([0, 0, 1, 3, 3, 3, 4])
    lengths = torch.tensor(np.bincount(ids, minlength=5))

    def peer(x):
        return torch.segment_reduce(x[torch.tensor(indices)], "mean", lengths=lengths, initial=0.0)

    compare(lambda x: ops.sparse_segment_mean(x, Tensor(indices), Tensor(ids)), peer, x)
    compare(
        lambda x: ops.SparseSegmentMeanWithNumSegments()(
            x, Tensor(indices), Tensor(ids), Tensor(5)
        ),
        peer,
        x,
    )


def test_coalesce_and_add_of_no_values():
    """An empty COO tensor coalesces to itself, as PyTorch's (Mind raised before)."""
    at = np.zeros((0, 2), np.int64)
    want = _torch_coo(at, torch.zeros(0, dtype=torch.float64), (3, 4)).coalesce()
    got = COOTensor(Tensor(at), Tensor(np.zeros(0)), (3, 4)).coalesce()
    assert got.indices.shape == tuple(want.indices().T.shape)
    assert got.values.shape == tuple(want.values().shape)
    b = _coo_indices((3, 4), 5)
    compare(
        lambda v: (
            COOTensor(Tensor(at), Tensor(np.zeros(0)), (3, 4)) + COOTensor(Tensor(b), v, (3, 4))
        ).to_dense(),
        lambda v: (want + _torch_coo(b, v, (3, 4))).to_dense(),
        _values(5),
    )


# ---------------------------------------------------------------- methods and RowTensor


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_csr_methods_neg_abs_sub(shape):
    pa, ca = _csr_parts(shape, _nnz(shape))
    pb, cb = _csr_parts(shape, _nnz(shape) - 1)

    def a(v):
        return CSRTensor(Tensor(pa), Tensor(ca), v, shape)

    def b(v):
        return CSRTensor(Tensor(pb), Tensor(cb), v, shape)

    va, vb = _values(ca.shape[0]), _values(cb.shape[0])
    compare(lambda v: (-a(v)).to_dense(), lambda v: (-_torch_csr(pa, ca, v, shape)).to_dense(), va)
    compare(
        lambda v: a(v).abs().to_dense(),
        lambda v: _torch_csr(pa, ca, v.abs(), shape).to_dense(),
        va,
    )
    np.testing.assert_array_equal(
        a(Tensor(va)).abs().to_dense().asnumpy(),
        torch.abs(_torch_csr(pa, ca, torch.tensor(va), shape)).to_dense().numpy(),
    )
    compare(
        lambda x, y: (a(x) - b(y)).to_dense(),
        lambda x, y: (
            _torch_csr(pa, ca, x, shape).to_sparse_coo()
            - _torch_csr(pb, cb, y, shape).to_sparse_coo()
        ).to_dense(),
        va,
        vb,
    )
    m = a(Tensor(va)).astype("float32")
    want = _torch_csr(pa, ca, torch.tensor(va), shape).to(torch.float32)
    assert m.values.asnumpy().dtype == np.float32
    np.testing.assert_array_equal(m.to_dense().asnumpy(), want.to_dense().numpy())


@pytest.mark.parametrize("shape", SHAPES + [(2, 3, 4)], ids=str)
def test_coo_methods_neg_abs_sub_to_csr(shape):
    a = _coo_indices(shape, _nnz(shape))
    b = _coo_indices(shape, _nnz(shape) - 1)
    va, vb = _values(a.shape[0]), _values(b.shape[0])
    compare(
        lambda v: (-COOTensor(Tensor(a), v, shape)).to_dense(),
        lambda v: (-_torch_coo(a, v, shape)).to_dense(),
        va,
    )
    np.testing.assert_array_equal(
        COOTensor(Tensor(a), Tensor(va), shape).abs().to_dense().asnumpy(),
        torch.abs(_torch_coo(a, torch.tensor(va), shape)).to_dense().numpy(),
    )
    compare(
        lambda x, y: (COOTensor(Tensor(a), x, shape) - COOTensor(Tensor(b), y, shape)).to_dense(),
        lambda x, y: (_torch_coo(a, x, shape) - _torch_coo(b, y, shape)).to_dense(),
        va,
        vb,
    )
    compare(
        lambda x, y: COOTensor(Tensor(a), x, shape) - y,
        lambda x, y: torch.add(-y, _torch_coo(a, x, shape)),
        va,
        RNG.normal(size=shape),
    )
    if len(shape) == 2:
        got = COOTensor(Tensor(a), Tensor(va), shape).to_csr()
        want = _torch_coo(a, torch.tensor(va), shape).coalesce().to_sparse_csr()
        np.testing.assert_array_equal(got.indptr.asnumpy(), want.crow_indices().numpy())
        np.testing.assert_array_equal(got.indices.asnumpy(), want.col_indices().numpy())
        np.testing.assert_array_equal(got.values.asnumpy(), want.values().numpy())


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3)], ids=str)
def test_row_tensor_is_hybrid_coo(shape):
    """A RowTensor is PyTorch's COO tensor with one sparse dimension (dense rows)."""
    from mind.core import RowTensor

    rows = np.array([3, 0, 3, 1])
    compare(
        lambda v: RowTensor(Tensor(rows), v, shape).to_dense(),
        lambda v: torch.sparse_coo_tensor(torch.tensor(rows[None]), v, shape).to_dense(),
        RNG.normal(size=(4, *shape[1:])),
    )
