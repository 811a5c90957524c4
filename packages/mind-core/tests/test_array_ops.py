"""The array and linear-algebra ops of mind.core._src.ops.array_ops and their Primitive classes
(p_array) against numpy and scipy: forward values, MindSpore's dtype rules and argument errors,
gradients against finite differences, and jit / vmap where the op is traceable."""

import itertools
import warnings

import numpy as np
import pytest
import scipy.linalg as sl

import mind.core as ms
from mind.core import Parameter, Tensor, ops
from mind.core.errors import GraphModeError, MindError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(7)


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def close(got, want, tol=1e-5):
    got = got.asnumpy() if isinstance(got, Tensor) else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# ------------------------------------------------------------------------------------------------
# Products
# ------------------------------------------------------------------------------------------------


def test_addmv_addr_addbmm_mv_match_numpy():
    inp, mat, vec = r(3), r(3, 4), r(4)
    close(
        ops.addmv(Tensor(inp), Tensor(mat), Tensor(vec), beta=0.5, alpha=2),
        0.5 * inp + 2 * mat @ vec,
    )
    close(Tensor(inp).addmv(Tensor(mat), Tensor(vec)), inp + mat @ vec)
    nan = np.full(3, np.nan, np.float32)
    close(ops.addmv(Tensor(nan), Tensor(mat), Tensor(vec), beta=0), mat @ vec)  # beta=0 ignores NaN
    close(ops.mv(Tensor(mat), Tensor(vec)), mat @ vec)
    x, v1, v2 = r(3, 4), r(3), r(4)
    close(
        ops.addr(Tensor(x), Tensor(v1), Tensor(v2), beta=2, alpha=3), 2 * x + 3 * np.outer(v1, v2)
    )
    b1, b2, base = r(2, 3, 4), r(2, 4, 5), r(3, 5)
    close(ops.addbmm(Tensor(base), Tensor(b1), Tensor(b2)), base + (b1 @ b2).sum(0), 1e-5)
    close(Tensor(base).addbmm(Tensor(b1), Tensor(b2), alpha=0.5), base + 0.5 * (b1 @ b2).sum(0))
    with pytest.raises(MindError, match="addbmm"):
        ops.addbmm(Tensor(base), Tensor(b1), Tensor(r(2, 3, 5)))
    with pytest.raises(MindError, match="mv"):
        ops.mv(Tensor(mat), Tensor(r(3)))
    check_grads(lambda a, m, v: ops.addmv(a, m, v, beta=0.5, alpha=2), [inp, mat, vec])
    check_grads(lambda a, u, w: ops.addr(a, u, w), [x, v1, v2])
    check_grads(lambda a, p, q: ops.addbmm(a, p, q), [base, b1, b2])


@pytest.mark.parametrize(
    ("s1", "s2", "axes"),
    [((2, 3), (2, 3), None), ((2, 3, 4), (2, 4, 5), None), ((2, 3, 4), (2, 5, 4, 2), (2, 2)),
     ((3, 4, 2), (3, 2), None), ((2, 3, 4), (2, 3, 5), 1), ((2, 3), (2, 4, 3), (1, 2))],
)  # fmt: skip
def test_batch_dot_matches_keras_semantics(s1, s2, axes):
    a, b = r(*s1), r(*s2)
    if axes is None:
        ax = [a.ndim - 1, b.ndim - 1 if b.ndim == 2 else b.ndim - 2]
    elif isinstance(axes, int):
        ax = [axes, axes]
    else:
        ax = list(axes)
    want = np.stack([np.tensordot(a[i], b[i], (ax[0] - 1, ax[1] - 1)) for i in range(a.shape[0])])
    if a.ndim == 2 and b.ndim == 2:
        want = want.reshape(-1, 1)
    got = ops.batch_dot(Tensor(a), Tensor(b), axes)
    assert got.shape == want.shape
    close(got, want, 1e-5)
    check_grads(lambda p, q: ops.batch_dot(p, q, axes), [a, b])


def test_batch_dot_rejects_bad_axes_and_batches():
    with pytest.raises(MindError, match="batch"):
        ops.batch_dot(Tensor(r(2, 3)), Tensor(r(3, 3)))
    with pytest.raises(MindError, match="axes"):
        ops.batch_dot(Tensor(r(2, 3)), Tensor(r(2, 3)), (0, 1))


def test_vecdot_adjoint_and_bias_add():
    x, y = r(2, 3, 4), r(3, 4)
    close(ops.vecdot(Tensor(x), Tensor(y)), (x * y).sum(-1))
    close(ops.vecdot(Tensor(x), Tensor(y), axis=1), (x * y).sum(1))
    close(ops.adjoint(Tensor(x)), np.swapaxes(x, -1, -2))
    close(Tensor(x).adjoint(), np.swapaxes(x, -1, -2))
    b = r(3)
    close(ops.bias_add(Tensor(x), Tensor(b)), x + b[:, None])
    close(P.BiasAdd()(Tensor(x), Tensor(b)), x + b[:, None])
    with pytest.raises(MindError, match="bias_add"):
        ops.bias_add(Tensor(x), Tensor(r(4)))
    check_grads(lambda p, q: ops.vecdot(p, q), [x, y])
    check_grads(lambda p, q: ops.bias_add(p, q), [x, b])


def test_dense_primitive_matches_numpy():
    x, w, b = r(2, 5, 3), r(4, 3), r(4)
    close(P.Dense()(Tensor(x), Tensor(w), Tensor(b)), x @ w.T + b)
    close(P.Dense()(Tensor(x[0, 0]), Tensor(w[0]), Tensor(np.float32(7))), x[0, 0] @ w[0] + 7)
    check_grads(lambda p, q, c: P.Dense()(p, q, c), [x, w, b])


# ------------------------------------------------------------------------------------------------
# Sums of tensors, shape queries, conversions
# ------------------------------------------------------------------------------------------------


def test_addn_accumulate_n_and_square_sum_all():
    xs = [r(2, 3) for _ in range(3)]
    close(ops.addn([Tensor(v) for v in xs]), sum(xs))
    close(ops.accumulate_n(tuple(Tensor(v) for v in xs)), sum(xs))
    close(P.AccumulateNV2()([Tensor(v) for v in xs]), sum(xs))
    with pytest.raises(MindError, match="addn"):
        ops.addn([Tensor(xs[0]), Tensor(r(3))])
    with pytest.raises(MindError, match="addn"):
        ops.addn(Tensor(xs[0]))
    check_grads(lambda a, b: ops.addn([a, b, a]), xs[:2])
    sx, sy = P.SquareSumAll()(Tensor(xs[0]), Tensor(xs[1]))
    assert sx.shape == () and sx.dtype == ms.float32
    close(sx, (xs[0] ** 2).sum())
    close(sy, (xs[1] ** 2).sum())
    with pytest.raises(TypeError):
        P.SquareSumAll()(Tensor(xs[0]), Tensor(xs[1].astype(np.float16)))
    with pytest.raises(TypeError):
        P.SquareSumAll()(Tensor(np.ones(2, np.int32)), Tensor(np.ones(2, np.int32)))
    with pytest.raises(ValueError):
        P.SquareSumAll()(Tensor(xs[0]), Tensor(r(3, 2)))
    x, y = Tensor(np.array([1, 2, 2, 3], np.int32)), Tensor(np.array([1, 0, 2, 3], np.int32))
    count = P.EqualCount()(x, y)
    assert count.shape == (1,) and count.dtype == ms.int32 and count.asnumpy()[0] == 3


def test_shape_rank_size_ravel_swapdims_unstack_gather_d_slice():
    x = r(2, 3, 4)
    assert ops.shape(Tensor(x)) == (2, 3, 4)
    assert ops.rank(Tensor(x)) == 3 and ops.size(Tensor(x)) == 24
    close(ops.ravel(Tensor(x)), x.ravel())
    close(Tensor(x).ravel(), x.ravel())
    close(ops.swapdims(Tensor(x), 0, 2), np.swapaxes(x, 0, 2))
    close(Tensor(x).swapdims(1, 2), np.swapaxes(x, 1, 2))
    parts = ops.unstack(Tensor(x), 1)
    assert len(parts) == 3
    close(parts[2], x[:, 2])
    index = rng.integers(0, 4, (2, 3, 2))
    close(ops.gather_d(Tensor(x), 2, Tensor(index)), np.take_along_axis(x, index, 2))
    close(ops.slice(Tensor(x), (1, 0, 1), (1, -1, 2)), x[1:2, :, 1:3])
    with pytest.raises(MindError, match="slice"):
        ops.slice(Tensor(x), (1, 0, 3), (1, 1, 2))
    check_grads(lambda a: ops.slice(a, (0, 1, 1), (2, 2, -1)), [x])


def test_inputs_must_be_tensors_and_tensor_methods_mindspore_binds():
    with pytest.raises(TypeError, match="select_scatter"):
        ops.select_scatter(1.0, 2, 0, 0)
    with pytest.raises(TypeError, match="hstack"):
        ops.hstack([r(2), r(2)])
    x = r(2, 3, 4)
    close(Tensor(x).bmm(Tensor(r(2, 4, 1)) * 0 + 1), x.sum(-1, keepdims=True))
    close(Tensor(x[0]).cov(), np.cov(x[0]), 1e-5)
    close(Tensor(x).reverse_sequence(Tensor(np.array([3, 1])), 1)[0], x[0, ::-1])
    close(Tensor(x[0]).inplace_update(Tensor(np.zeros((1, 4), np.float32)), Tensor(np.array([1]))), np.where(np.arange(3)[:, None] == 1, 0, x[0]))  # fmt: skip


def test_scalar_and_tuple_conversions_and_range():
    t = ops.scalar_to_tensor(3)
    assert t.dtype == ms.float32 and t.shape == () and t.asnumpy() == 3
    assert ops.scalar_to_tensor(2.5, ms.int32).dtype == ms.int32
    assert P.ScalarToTensor()(1, ms.float64).dtype == ms.float64
    ints = ops.tuple_to_array((1, 2, 3))
    assert ints.dtype == ms.int64
    close(ints, [1, 2, 3])
    assert ops.tuple_to_array((1, 2.5)).dtype == ms.float32
    assert P.TupleToArray()((1.0, 2.0)).dtype == ms.float32
    with pytest.raises(MindError, match="scalar_to_tensor"):
        ops.scalar_to_tensor(Tensor(1.0))
    out = ops.range(0, 6, 2)
    assert out.dtype == ms.int64
    close(out, [0, 2, 4])
    close(ops.range(1.0, 0.0, -0.25), np.arange(1.0, 0.0, -0.25))
    assert ops.range(1.0, 0.0, -0.25).dtype == ms.float32
    with pytest.raises(MindError, match="step"):
        ops.range(0, 5, 0)
    with pytest.raises(MindError, match="maxlen"):
        ops.range(0, 100, 1, maxlen=10)


# ------------------------------------------------------------------------------------------------
# Stacking and splitting
# ------------------------------------------------------------------------------------------------


def test_atleast_nd_match_numpy():
    arrays = [np.float32(2.0), r(3), r(2, 3), r(2, 3, 4)]
    for ours, theirs in (
        (ops.atleast_1d, np.atleast_1d),
        (ops.atleast_2d, np.atleast_2d),
        (ops.atleast_3d, np.atleast_3d),
    ):
        got = ours([Tensor(a) for a in arrays])
        assert isinstance(got, tuple)
        for g, a in zip(got, arrays, strict=True):
            close(g, theirs(a))
        close(ours(Tensor(arrays[1])), theirs(arrays[1]))


@pytest.mark.parametrize(
    ("ours", "theirs", "shapes"),
    [
        (ops.hstack, np.hstack, [(3,), (2,)]),
        (ops.hstack, np.hstack, [(2, 3), (2, 1)]),
        (ops.vstack, np.vstack, [(3,), (3,)]),
        (ops.vstack, np.vstack, [(2, 3), (1, 3)]),
        (ops.row_stack, np.vstack, [(2, 3), (1, 3)]),
        (ops.dstack, np.dstack, [(3,), (3,)]),
        (ops.dstack, np.dstack, [(2, 3), (2, 3)]),
        (ops.column_stack, np.column_stack, [(3,), (3, 2)]),
    ],
)
def test_stacks_match_numpy(ours, theirs, shapes):
    arrays = [r(*s) for s in shapes]
    close(ours([Tensor(a) for a in arrays]), theirs(arrays))
    check_grads(lambda a, b: ours([a, b]), arrays)


def test_stacks_reject_a_lone_tensor_and_mixed_dtypes_promote():
    with pytest.raises(MindError, match="hstack"):
        ops.hstack(Tensor(r(3)))
    out = ops.vstack([Tensor(np.array([1, 2], np.int32)), Tensor(np.array([0.5, 1], np.float32))])
    assert out.dtype == ms.float32


@pytest.mark.parametrize("sections", [3, 4, 7, [2, 5], [1, 1, 6], [-3], [0, 9]])
def test_tensor_split_matches_numpy(sections):
    x = r(7, 2)
    got = ops.tensor_split(Tensor(x), sections)
    want = np.array_split(x, sections) if isinstance(sections, int) else np.split(x, sections)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        close(g, w)
    got = Tensor(x.T).tensor_split(sections, axis=1)
    assert [g.shape for g in got] == [w.T.shape for w in want]


def test_hsplit_vsplit_dsplit_match_numpy():
    x = r(4, 6, 2)
    for ours, theirs, arg in (
        (ops.hsplit, np.hsplit, 3),
        (ops.vsplit, np.vsplit, [1, 3]),
        (ops.dsplit, np.dsplit, 2),
    ):
        got, want = ours(Tensor(x), arg), theirs(x, arg)
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            close(g, w)
    close(Tensor(x).hsplit(2)[1], np.hsplit(x, 2)[1])
    close(ops.hsplit(Tensor(r(6)), 3)[0].shape, (2,))
    with pytest.raises(MindError, match="vsplit"):
        ops.vsplit(Tensor(x), 3)
    with pytest.raises(MindError, match="dsplit"):
        ops.dsplit(Tensor(r(2, 2)), 2)


def test_block_diag_diagflat_vander():
    a, b, c = r(2, 3), r(1, 1), r(2)
    close(ops.block_diag(Tensor(a), Tensor(b), Tensor(c)), sl.block_diag(a, b, c[None]))
    check_grads(lambda p, q: ops.block_diag(p, q), [a, b])
    for offset in (0, 2, -1):
        close(ops.diagflat(Tensor(r(2, 2) + 0), offset).shape, (4 + abs(offset),) * 2)
        v = r(3)
        close(ops.diagflat(Tensor(v), offset), np.diagflat(v, offset))
    check_grads(lambda p: ops.diagflat(p, 1), [r(3)])
    v = np.array([1, 2, 3], np.int32)
    got = ops.vander(Tensor(v))
    assert got.dtype == ms.int32
    close(got, np.vander(v))
    close(ops.vander(Tensor(v.astype(np.float32)), 5), np.vander(v, 5))
    check_grads(lambda p: ops.vander(p, 4), [r(3)])


# ------------------------------------------------------------------------------------------------
# Scatter by position
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "start", "end", "step"),
    [(0, None, None, 1), (1, 0, 4, 2), (1, 1, None, 2), (0, -2, None, 1)],
)
def test_slice_scatter_matches_numpy(axis, start, end, step):  # fmt: skip
    x = r(3, 5)
    index = (slice(None),) * axis + (slice(start, end, step),)
    src = r(*x[index].shape)
    want = x.copy()
    want[index] = src
    close(ops.slice_scatter(Tensor(x), Tensor(src), axis, start, end, step), want)
    close(Tensor(x).slice_scatter(Tensor(src), axis, start, end, step), want)
    check_grads(lambda a, b: ops.slice_scatter(a, b, axis, start, end, step), [x, src])


def test_select_and_diagonal_scatter_match_numpy():
    x, src = r(3, 4), r(3)
    want = x.copy()
    want[:, 2] = src
    close(ops.select_scatter(Tensor(x), Tensor(src), 1, 2), want)
    close(ops.select_scatter(Tensor(x), Tensor(src), 1, -2), want)
    check_grads(lambda a, b: ops.select_scatter(a, b, 1, 2), [x, src])
    with pytest.raises(MindError, match="select_scatter"):
        ops.select_scatter(Tensor(x), Tensor(r(4)), 1, 2)
    for offset, d1, d2 in ((0, 0, 1), (1, 0, 1), (-1, 1, 0), (1, 0, 2)):
        x = r(3, 4, 3)
        diag = np.diagonal(x, offset, d1, d2)
        src = r(*diag.shape)
        want = x.copy()
        view = np.arange(x.size).reshape(x.shape)
        flat = want.reshape(-1)
        flat[np.diagonal(view, offset, d1, d2).ravel()] = src.ravel()
        close(ops.diagonal_scatter(Tensor(x), Tensor(src), offset, d1, d2), want)
        close(
            np.diagonal(
                ops.diagonal_scatter(Tensor(x), Tensor(src), offset, d1, d2).asnumpy(),
                offset,
                d1,
                d2,
            ),
            src,
        )
    check_grads(lambda a, b: ops.diagonal_scatter(a, b, 1), [r(3, 4), r(3)])  # fmt: skip


def test_index_fill_matches_numpy_and_differentiates():
    x = r(3, 4)
    want = x.copy()
    want[:, [0, 3]] = -1.5
    close(ops.index_fill(Tensor(x), 1, Tensor(np.array([0, -1], np.int32)), -1.5), want)
    close(Tensor(x).index_fill(1, Tensor(np.array([0, 3])), Tensor(np.float32(-1.5))), want)
    close(
        P.IndexFill()(Tensor(x), Tensor(1), Tensor(np.array([0, 3])), Tensor(np.float32(-1.5))),
        want,
    )
    want = x.copy()
    want[1] = 2
    close(ops.index_fill(Tensor(x), 0, Tensor(1), 2.0), want)
    with pytest.raises(MindError, match="index_fill"):
        ops.index_fill(Tensor(x), 0, Tensor(np.array([0.5])), 1.0)
    idx = Tensor(np.array([1, 2]))
    check_grads(lambda a, v: ops.index_fill(a, 1, idx, v), [x, np.float64(0.5)])


def test_inplace_index_add_writes_a_parameter():
    var = Parameter(Tensor(r(4, 2)), name="var")
    before = var.asnumpy().copy()
    updates = r(3, 2)
    out = ops.inplace_index_add(var, Tensor(np.array([0, 2, 0], np.int32)), Tensor(updates), 0)
    want = before.copy()
    np.add.at(want, [0, 2, 0], updates)
    close(var, want)
    assert out is var
    p = Parameter(Tensor(before.copy()), name="p")
    P.InplaceIndexAdd(axis=0)(p, Tensor(np.array([1], np.int32)), Tensor(updates[:1]))
    want = before.copy()
    want[1] += updates[0]
    close(p, want)
    x = r(2, 3)
    plain = ops.inplace_index_add(
        Tensor(x), Tensor(np.array([2], np.int32)), Tensor(r(2, 1) * 0 + 1), 1
    )
    want = x.copy()
    want[:, 2] += 1
    close(plain, want)


# ------------------------------------------------------------------------------------------------
# Matrix diagonals with k and align (TF's MatrixDiagV3 family)
# ------------------------------------------------------------------------------------------------


def _diag_ref(x, lo, hi, pad, align):
    """matrix_diag_part by loops (an independent reference)."""
    m, n = x.shape[-2:]
    lens = [min(m + min(0, d), n - max(0, d)) for d in range(hi, lo - 1, -1)]
    width = max(lens)
    out = np.full((*x.shape[:-2], hi - lo + 1, width), pad, x.dtype)
    sup, sub = align.split("_")
    for j, d in enumerate(range(hi, lo - 1, -1)):
        right = (sup if d >= 0 else sub) == "RIGHT"
        shift = width - lens[j] if right else 0
        for i in range(lens[j]):
            out[..., j, shift + i] = x[..., i + max(0, -d), i + max(0, d)]
    return out if lo != hi else out[..., 0, :]


@pytest.mark.parametrize("align", ["RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT"])
@pytest.mark.parametrize(
    ("shape", "k"), [((3, 4), 0), ((3, 4), (-1, 2)), ((2, 4, 3), (-2, 0)), ((4, 3), 1)]
)
def test_matrix_diag_part_and_set_diag_match_loops(align, shape, k):  # fmt: skip
    x = r(*shape)
    lo, hi = (k, k) if isinstance(k, int) else k
    want = _diag_ref(x, lo, hi, 9.0, align)
    close(ops.matrix_diag_part(x=Tensor(x), k=Tensor(np.array(k, np.int32)), padding_value=Tensor(np.float32(9)), align=align), want)  # fmt: skip
    close(P.MatrixDiagPartV3(align=align)(Tensor(x), Tensor(np.array(k, np.int32)), Tensor(np.float32(9))), want)  # fmt: skip
    new = r(*want.shape)
    got = ops.matrix_set_diag(Tensor(x), Tensor(new), Tensor(np.array(k, np.int32)), align)
    # Reading the band back gives the new values (where they are not padding) ...
    padded = _diag_ref(got.asnumpy(), lo, hi, 9.0, align)
    held = _diag_ref(np.ones_like(x), lo, hi, 0.0, align) > 0
    close(padded[held], new[held])
    # ... and outside the band nothing moved.
    rows, cols = np.indices(shape[-2:])
    outside = ~((cols - rows >= lo) & (cols - rows <= hi))
    close(got.asnumpy()[..., outside], x[..., outside])
    close(P.MatrixSetDiagV3(align=align)(Tensor(x), Tensor(new), Tensor(np.array(k, np.int32))), got.asnumpy())  # fmt: skip
    check_grads(lambda a: ops.matrix_diag_part(a, k, 0.0, align), [x])
    check_grads(lambda a, b: ops.matrix_set_diag(a, b, k, align), [x, new])


@pytest.mark.parametrize("align", ["RIGHT_LEFT", "LEFT_RIGHT"])
def test_matrix_diag_builds_the_band_back(align):
    x = r(4, 4)
    for k in (0, 1, (-1, 1), (-2, 0)):
        lo, hi = (k, k) if isinstance(k, int) else k
        band = np.where((np.subtract.outer(np.arange(4), np.arange(4)) <= -lo) & (np.subtract.outer(np.arange(4), np.arange(4)) >= -hi), x, 0)  # fmt: skip
        part = _diag_ref(band, lo, hi, 0.0, align)
        out = ops.matrix_diag(Tensor(part), k, 4, 4, 0.0, align)
        close(out, band)
        close(P.MatrixDiagV3(align=align)(Tensor(part), Tensor(np.array(k, np.int32)), Tensor(4), Tensor(4), Tensor(np.float32(0))), band)  # fmt: skip
    close(ops.matrix_diag(Tensor(np.array([1.0, 2.0], np.float32))), np.diag([1.0, 2.0]))
    got = ops.matrix_diag(Tensor(np.array([1.0, 2.0], np.float32)), 1, padding_value=-1.0)
    want = np.full((3, 3), -1.0)
    want[0, 1], want[1, 2] = 1, 2
    close(got, want)
    assert ops.matrix_diag(Tensor(r(2, 3)), 0, 3, 4).shape == (2, 3, 4)
    with pytest.raises(MindError, match="align"):
        ops.matrix_diag(Tensor(r(3)), align="UP")
    check_grads(lambda a: ops.matrix_diag(a, (-1, 0)), [r(2, 3)])


# ------------------------------------------------------------------------------------------------
# Reductions
# ------------------------------------------------------------------------------------------------


def _with_nans(*shape):
    x = r(*shape, dtype=np.float64)
    x[rng.random(shape) < 0.3] = np.nan
    return x


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_nansum_nanmean_match_numpy(axis, keepdims):
    x = _with_nans(3, 4)
    x[0] = np.nan
    close(ops.nansum(Tensor(x), axis, keepdims), np.nansum(x, axis, keepdims=keepdims))
    with warnings.catch_warnings():  # an all-NaN row's mean is NaN, with numpy's warning
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanmean(x, axis, keepdims=keepdims)
        close(ops.nanmean(Tensor(x), axis, keepdims), want)
    close(Tensor(x).nansum(axis, keepdims), np.nansum(x, axis, keepdims=keepdims))


def test_nansum_dtype_ints_and_grads():
    ints = Tensor(np.array([1, 2, 3], np.int32))
    assert ops.nansum(ints).asnumpy() == 6
    assert ops.nansum(Tensor(r(3)), dtype=ms.float64).dtype == ms.float64
    with pytest.raises(MindError, match="nanmean"):
        ops.nanmean(ints)
    x = r(3, 4, dtype=np.float64)
    check_grads(lambda a: ops.nansum(a, 1), [x])
    check_grads(lambda a: ops.nanmean(a, 0), [x])


@pytest.mark.parametrize("shape", [(5,), (4, 6), (3, 5, 2)])
def test_median_and_nanmedian_match_numpy(shape):
    x = r(*shape)
    for axis in range(-len(shape), len(shape)):
        values, index = ops.median(Tensor(x), axis)
        want = np.take_along_axis(
            np.sort(x, axis), np.full([1] * x.ndim, (x.shape[axis] - 1) // 2), axis
        )
        close(values, np.squeeze(want, axis))
        assert index.dtype == ms.int64
        close(np.take_along_axis(x, np.expand_dims(index.asnumpy(), axis), axis), want)
    v, i = Tensor(x).median(0, True)
    assert v.shape == (1, *shape[1:]) and i.shape == v.shape
    y = x.copy().astype(np.float64)
    y.reshape(-1)[::3] = np.nan
    values, index = ops.nanmedian(Tensor(y), -1)
    sorted_ = np.sort(y, -1)
    counts = (~np.isnan(y)).sum(-1)
    want = np.take_along_axis(sorted_, np.maximum((counts - 1) // 2, 0)[..., None], -1)[..., 0]
    want[counts == 0] = np.nan
    close(values, want)
    got = np.take_along_axis(y, index.asnumpy()[..., None], -1)[..., 0]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    close(got[~np.isnan(want)], want[~np.isnan(want)])
    # median itself: a NaN in the slice is its median
    values, index = ops.median(Tensor(y), -1)
    has = np.isnan(y).any(-1)
    assert np.isnan(values.asnumpy()[has]).all()
    close(index.asnumpy()[has], np.argmax(np.isnan(y), -1)[has])


def test_median_grads_jit_and_class():
    x = r(3, 5, dtype=np.float64)
    check_grads(lambda a: ops.median(a, 1)[0], [x])
    check_grads(lambda a: ops.nanmedian(a, 0)[0], [x])
    f = ms.jit(lambda a: ops.median(a, 1)[0])
    close(f(Tensor(x)), np.sort(x, 1)[:, 2])
    values, index = P.Median(global_median=True)(Tensor(x))
    close(values, np.sort(x.ravel())[(x.size - 1) // 2])
    assert x.ravel()[int(index.asnumpy())] == values.asnumpy()
    values, _ = P.Median(axis=1, keep_dims=True)(Tensor(x))
    close(values, np.sort(x, 1)[:, 2:3])
    y = x.copy()
    y[0, 0] = np.nan
    close(P.Median(axis=1, ignore_nan=True)(Tensor(y))[0][0], np.sort(y[0, 1:])[1])
    assert np.isnan(P.Median(axis=1)(Tensor(y))[0].asnumpy()[0])
    empty = P.Median(global_median=True)(Tensor(np.zeros((2, 0), np.float32)))[0]
    assert np.isnan(empty.asnumpy())


def test_msort_aminmax_logcumsumexp():
    x = r(4, 3)
    close(ops.msort(Tensor(x)), np.sort(x, 0))
    close(Tensor(x).msort(), np.sort(x, 0))
    lo, hi = ops.aminmax(Tensor(x))
    close(lo, x.min(0))
    close(hi, x.max(0))
    lo, hi = Tensor(x).aminmax(axis=1, keepdims=True)
    close(lo, x.min(1, keepdims=True))
    close(hi, x.max(1, keepdims=True))
    lo, hi = ops.aminmax(Tensor(x), axis=None)
    assert lo.shape == () and float(hi.asnumpy()) == x.max()
    big = np.array([[1000.0, 1000.0, -5.0], [1.0, 2.0, 3.0]], np.float32)
    want = np.logaddexp.accumulate(big.astype(np.float64), 1)
    close(ops.logcumsumexp(Tensor(big), 1), want, 1e-4)
    close(Tensor(x).logcumsumexp(0), np.logaddexp.accumulate(x.astype(np.float64), 0), 1e-5)
    check_grads(lambda a: ops.logcumsumexp(a, 1), [x])
    check_grads(lambda a: ops.msort(a), [x])
    with pytest.raises(MindError, match="logcumsumexp"):
        ops.logcumsumexp(Tensor(np.array([1, 2])), 0)


@pytest.mark.parametrize(
    ("shape", "xshape", "dim"),
    [
        ((5,), None, -1),
        ((3, 4), None, 0),
        ((3, 4), (4,), -1),
        ((3, 4), (3, 4), 1),
        ((3, 4), (3,), 0),
    ],
)
def test_trapz_matches_numpy(shape, xshape, dim):  # fmt: skip
    y = r(*shape)
    if xshape is None:
        close(ops.trapz(Tensor(y), dx=0.5, dim=dim), np.trapezoid(y, dx=0.5, axis=dim))
        check_grads(lambda a: ops.trapz(a, dim=dim), [y])
    else:
        x = np.sort(r(*xshape), axis=-1 if len(xshape) == 1 else dim)
        close(ops.trapz(Tensor(y), Tensor(x), dim=dim), np.trapezoid(y, x, axis=dim))
        check_grads(lambda a, b: ops.trapz(a, b, dim=dim), [y, x])


@pytest.mark.parametrize(
    ("bins", "lo", "hi"), [(4, 0.0, 3.0), (10, -1.0, 1.0), (5, 0.0, 0.0), (1, 0.0, 0.0)]
)
def test_histc_matches_numpy(bins, lo, hi):  # fmt: skip
    x = r(50)
    x[:3] = [lo, hi, hi]  # both edges count, the upper in the last bin
    rng_ = (x.min(), x.max()) if lo == hi else (lo, hi)
    want = np.histogram(x, bins, rng_)[0]
    got = ops.histc(Tensor(x), bins, lo, hi)
    assert got.dtype == ms.float32
    close(got, want)
    close(Tensor(x).histc(bins, lo, hi), want)
    same = ops.histc(Tensor(np.ones(3, np.float32)), 3)
    close(same, [0, 3, 0])
    ints = ops.histc(Tensor(np.array([0, 1, 1, 5], np.int32)), 2, 0, 1)
    assert ints.dtype == ms.int32
    close(ints, [1, 2])
    assert ops.histc(Tensor(x.astype(np.float64)), bins, lo, hi).dtype == ms.float32
    with pytest.raises(MindError, match="histc"):
        ops.histc(Tensor(x), 4, 2.0, 1.0)


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("weights", ["none", "f", "a", "both"])
def test_cov_matches_numpy(correction, weights):
    x = r(3, 6, dtype=np.float64)
    fw = np.array([1, 2, 1, 3, 1, 2]) if weights in ("f", "both") else None
    aw = rng.uniform(0.5, 2, 6) if weights in ("a", "both") else None
    want = np.cov(x, ddof=correction, fweights=fw, aweights=aw)
    got = ops.cov(Tensor(x), correction=correction,
                  fweights=None if fw is None else Tensor(fw),
                  aweights=None if aw is None else Tensor(aw))  # fmt: skip
    close(got, want, 1e-10)
    check_grads(lambda a: ops.cov(a, correction=correction), [x])
    close(ops.cov(Tensor(x[0])), np.cov(x[0]))


def test_dist_and_renorm_match_numpy():
    a, b = r(3, 4), r(4)
    for p in (0, 1, 2, 3.5, float("inf")):
        d = (a - b).ravel()
        want = {0: np.count_nonzero(d), float("inf"): np.abs(d).max()}.get(p)
        want = np.linalg.norm(d, p) if want is None else want
        close(ops.dist(Tensor(a), Tensor(b), p), want, 1e-5)
    check_grads(lambda u, v: ops.dist(u, v, 3), [a, b])
    x = r(3, 4, 2) * 3
    for p, axis, maxnorm in ((2, 0, 1.0), (1, 1, 2.0), (3, -1, 0.5)):
        norms = (np.abs(x) ** p).sum(
            axis=tuple(i for i in range(3) if i != axis % 3), keepdims=True
        ) ** (1 / p)
        want = x * np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
        close(ops.renorm(Tensor(x), p, axis, maxnorm), want, 1e-5)
        close(Tensor(x).renorm(p, axis, maxnorm), want, 1e-5)
        close(P.Renorm(p=p, dim=axis, maxnorm=maxnorm)(Tensor(x)), want, 1e-5)
    check_grads(lambda u: ops.renorm(u, 2, 0, 1.0), [x])
    c = np.array([[3 + 4j, 0], [0.1, 0.2j]], np.complex64)
    close(ops.renorm(Tensor(c), 2, 0, 1.0), [[0.6 + 0.8j, 0], [0.1, 0.2j]])
    with pytest.raises(MindError, match="renorm"):
        ops.renorm(Tensor(x), 0, 0, 1.0)


def test_lp_norm_class():
    x = r(2, 3, 4)
    close(P.LpNorm(axis=[0, 1], p=2)(Tensor(x)), np.sqrt((x**2).sum((0, 1))))
    close(P.LpNorm(axis=1, p=1, keep_dims=True)(Tensor(x)), np.abs(x).sum(1, keepdims=True))
    close(P.LpNorm(axis=-1, p=3)(Tensor(x)), (np.abs(x) ** 3).sum(-1) ** (1 / 3), 1e-5)


# ------------------------------------------------------------------------------------------------
# Sequences
# ------------------------------------------------------------------------------------------------


def test_reverse_sequence_matches_a_loop():
    x = r(3, 5, 2)
    lengths = np.array([5, 0, 3], np.int32)
    want = x.copy()
    for b, n in enumerate(lengths):
        want[b, :n] = x[b, :n][::-1]
    close(ops.reverse_sequence(Tensor(x), Tensor(lengths), 1), want)
    close(P.ReverseSequence(seq_dim=1)(Tensor(x), Tensor(lengths)), want)
    xt = np.swapaxes(x, 0, 1)  # batch on axis 1, sequence on 0
    close(ops.reverse_sequence(Tensor(xt), Tensor(lengths), 0, 1), np.swapaxes(want, 0, 1))
    check_grads(lambda a: ops.reverse_sequence(a, Tensor(lengths), 1), [x])
    f = ms.jit(lambda a, n: ops.reverse_sequence(a, n, 1))
    close(f(Tensor(x), Tensor(lengths)), want)
    with pytest.raises(MindError, match="reverse_sequence"):
        ops.reverse_sequence(Tensor(x), Tensor(lengths), 1, 1)


def test_sequence_mask_combinations_intopk():
    lengths = np.array([[1, 3], [0, 2]])
    close(ops.sequence_mask(Tensor(lengths), 4), np.arange(4) < lengths[..., None])
    close(ops.sequence_mask(Tensor(lengths)), np.arange(3) < lengths[..., None])
    with pytest.raises(GraphModeError, match="sequence_mask"):
        ms.jit(lambda n: ops.sequence_mask(n), fullgraph=True)(Tensor(lengths))
    v = np.array([3.0, 1.0, 4.0, 1.5], np.float32)
    assert ops.combinations(Tensor(v), 0).shape == (0,)
    assert ops.combinations(Tensor(v), 5).shape == (0, 5)
    for r_, rep in itertools.product((1, 2, 3), (False, True)):
        pick = itertools.combinations_with_replacement if rep else itertools.combinations
        want = np.array([[v[i] for i in c] for c in pick(range(4), r_)], np.float32).reshape(-1, r_)
        close(ops.combinations(Tensor(v), r_, rep), want)
    check_grads(lambda a: ops.combinations(a, 2), [v])
    scores = np.array([[4, 1, 2, 0], [7, 9, 9, 0], [3, 3, 3, 0]], np.float32)
    for k, targets, want in (
        (1, [0, 1, 0], [True, True, True]),
        (1, [1, 0, 3], [False, False, False]),
        (2, [2, 2, 2], [True, True, True]),
        (100, [3, 3, 3], [True, True, True]),
        (-2, [0, 1, 0], [False, False, False]),
    ):
        close(ops.intopk(Tensor(scores), Tensor(np.array(targets, np.int32)), k), want)
        close(P.InTopK(k)(Tensor(scores), Tensor(np.array(targets, np.int32))), want)


# ------------------------------------------------------------------------------------------------
# Space-to-batch
# ------------------------------------------------------------------------------------------------


def _space_to_batch_ref(x, blocks, pads):
    """TF's definition, on NCHW: pad, split each spatial axis (h -> h/b, b), move blocks out."""
    x = np.pad(x, [(0, 0), (0, 0), *pads])
    n, c, h, w = x.shape
    bh, bw = blocks
    y = x.reshape(n, c, h // bh, bh, w // bw, bw).transpose(3, 5, 0, 1, 2, 4)
    return y.reshape(n * bh * bw, c, h // bh, w // bw)


@pytest.mark.parametrize(
    ("blocks", "pads"),
    [((2, 2), ((0, 0), (0, 0))), ((2, 3), ((1, 1), (0, 2))), ((1, 2), ((0, 2), (1, 1)))],
)
def test_space_to_batch_and_back(blocks, pads):  # fmt: skip
    x = r(2, 3, 4, 4)
    y = ops.space_to_batch_nd(Tensor(x), blocks, pads)
    want = _space_to_batch_ref(x, blocks, pads)
    close(y, want)
    close(P.SpaceToBatchND(blocks, pads)(Tensor(x)), want)
    back = ops.batch_to_space_nd(y, blocks, pads)
    close(back, x)
    close(P.BatchToSpaceND(blocks, pads)(y), x)
    check_grads(lambda a: ops.space_to_batch_nd(a, blocks, pads), [x])
    check_grads(lambda a: ops.batch_to_space_nd(a, blocks, pads), [want])
    f = ms.jit(
        lambda a: ops.batch_to_space_nd(ops.space_to_batch_nd(a, blocks, pads), blocks, pads)
    )
    close(f(Tensor(x)), x)


def test_space_to_batch_int_block_and_errors():
    x = r(1, 2, 4, 4)
    close(
        P.SpaceToBatch(2, ((0, 0), (0, 0)))(Tensor(x)),
        _space_to_batch_ref(x, (2, 2), ((0, 0), (0, 0))),
    )
    close(P.BatchToSpace(2, ((0, 0), (0, 0)))(P.SpaceToBatch(2, ((0, 0), (0, 0)))(Tensor(x))), x)
    with pytest.raises(MindError, match="divisible"):
        ops.space_to_batch_nd(Tensor(x), (3, 3), ((0, 0), (0, 0)))
    with pytest.raises(MindError, match="paddings"):
        ops.space_to_batch_nd(Tensor(x), (2, 2), ((0, 0),))


# ------------------------------------------------------------------------------------------------
# Boxes
# ------------------------------------------------------------------------------------------------


def _boxes(n):
    lo = rng.uniform(0, 5, (n, 2))
    return np.concatenate([lo, lo + rng.uniform(1, 4, (n, 2))], 1).astype(np.float32)


def test_bounding_box_encode_decode_round_trip():
    anchors, truth = _boxes(5), _boxes(5)
    means, stds = (0.1, 0.0, -0.1, 0.2), (0.5, 1.0, 2.0, 1.0)
    deltas = ops.bounding_box_encode(Tensor(anchors), Tensor(truth), means, stds)
    pw = anchors[:, 2] - anchors[:, 0] + 1
    ph = anchors[:, 3] - anchors[:, 1] + 1
    gw = truth[:, 2] - truth[:, 0] + 1
    gh = truth[:, 3] - truth[:, 1] + 1
    dx = ((truth[:, 0] + truth[:, 2]) - (anchors[:, 0] + anchors[:, 2])) / 2 / pw
    dy = ((truth[:, 1] + truth[:, 3]) - (anchors[:, 1] + anchors[:, 3])) / 2 / ph
    want = (np.stack([dx, dy, np.log(gw / pw), np.log(gh / ph)], 1) - means) / stds
    close(deltas, want, 1e-5)
    close(P.BoundingBoxEncode(means, stds)(Tensor(anchors), Tensor(truth)), want, 1e-5)
    back = ops.bounding_box_decode(Tensor(anchors), deltas, (100, 100), means, stds, 0.001)
    close(back, truth, 1e-4)
    close(P.BoundingBoxDecode((100, 100), means, stds, 0.001)(Tensor(anchors), deltas), truth, 1e-4)
    clipped = ops.bounding_box_decode(Tensor(anchors), deltas, (3, 4), means, stds, 0.001).asnumpy()
    assert clipped[:, [0, 2]].max() <= 4 and clipped[:, [1, 3]].max() <= 3 and clipped.min() >= 0
    check_grads(lambda a, t: ops.bounding_box_encode(a, t), [anchors, truth])
    check_grads(lambda a, d: ops.bounding_box_decode(a, d, (100, 100)), [anchors, want * 0.1])


def test_check_valid_and_iou():
    boxes = np.array([[0, 0, 10, 9], [-1, 0, 5, 5], [0, 0, 19, 5], [0, 0, 19, 10]], np.float32)
    meta = np.array([10, 20, 1], np.float32)  # height 10, width 20
    want = [True, False, True, False]
    close(ops.check_valid(Tensor(boxes), Tensor(meta)), want)
    close(ops.check_valid(Tensor(boxes.astype(np.int16)), Tensor(meta.astype(np.int16))), want)
    close(P.CheckValid()(Tensor(boxes), Tensor(meta)), want)
    anchors, gt = _boxes(4), _boxes(3)

    def ref(mode):
        out = np.zeros((3, 4))
        for i, g in enumerate(gt):
            for j, a in enumerate(anchors):
                w = max(0, min(a[2], g[2]) - max(a[0], g[0]) + 1)
                h = max(0, min(a[3], g[3]) - max(a[1], g[1]) + 1)
                area = lambda b: (b[2] - b[0] + 1) * (b[3] - b[1] + 1)  # noqa: E731
                out[i, j] = w * h / (area(g) if mode == "iof" else area(a) + area(g) - w * h)
        return out

    for mode in ("iou", "iof"):
        close(ops.iou(Tensor(anchors), Tensor(gt), mode), ref(mode), 1e-5)
        close(P.IOU(mode)(Tensor(anchors), Tensor(gt)), ref(mode), 1e-5)
    with pytest.raises(MindError, match="mode"):
        ops.iou(Tensor(anchors), Tensor(gt), "dice")
    check_grads(lambda a, g: ops.iou(a, g), [anchors, gt])


# ------------------------------------------------------------------------------------------------
# Decompositions
# ------------------------------------------------------------------------------------------------


def test_logdet_and_cholesky_solve():
    a = r(3, 3, 3, dtype=np.float64)
    spd = a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)
    close(ops.logdet(Tensor(spd)), np.log(np.linalg.det(spd)))
    close(Tensor(spd).logdet(), np.log(np.linalg.det(spd)))
    neg = np.diag([-1.0, 2.0])
    assert np.isnan(ops.logdet(Tensor(neg)).asnumpy())
    check_grads(lambda m: ops.logdet(m), [spd])
    b = r(3, 3, 2, dtype=np.float64)
    low = np.linalg.cholesky(spd)
    want = np.linalg.solve(spd, b)
    close(ops.cholesky_solve(Tensor(b), Tensor(low)), want, 1e-8)
    close(ops.cholesky_solve(Tensor(b), Tensor(np.swapaxes(low, -1, -2)), upper=True), want, 1e-8)
    check_grads(lambda x, f: ops.cholesky_solve(x, f), [b, low])


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (4, 3), (3, 5)])
def test_lu_unpack_and_lu_solve_match_scipy(shape):
    a = r(*shape, dtype=np.float64)
    packed = np.empty_like(a)
    pivots = np.empty((*shape[:-2], min(shape[-2:])), np.int32)
    for idx in np.ndindex(*shape[:-2]):
        lu, piv = sl.lu_factor(a[idx])
        packed[idx], pivots[idx] = lu, piv + 1  # 1-based, as MindSpore's
    p, low, up = ops.lu_unpack(Tensor(packed), Tensor(pivots))
    close(p.asnumpy() @ low.asnumpy() @ up.asnumpy(), a, 1e-10)
    pc, lc, uc = P.LuUnpack()(Tensor(packed), Tensor(pivots))
    close(pc, p.asnumpy())
    if shape[-1] == shape[-2]:
        b = r(*shape[:-1], 2, dtype=np.float64)
        close(ops.lu_solve(Tensor(b), Tensor(packed), Tensor(pivots)), np.linalg.solve(a, b), 1e-8)
        close(Tensor(b).lu_solve(Tensor(packed), Tensor(pivots)), np.linalg.solve(a, b), 1e-8)
    check_grads(lambda x: ops.lu_unpack(x, Tensor(pivots))[2], [packed])


def test_logspace_function_and_class():
    close(ops.logspace(0.0, 2.0, 3), [1.0, 10.0, 100.0])
    got = ops.logspace(1.0, -1.0, 5, 2, dtype=ms.float64)
    assert got.dtype == ms.float64
    close(got, np.logspace(1, -1, 5, base=2))
    close(
        P.LogSpace(steps=4, base=3)(Tensor(np.float32(0)), Tensor(np.float32(2))),
        np.logspace(0, 2, 4, base=3),
        1e-5,
    )
    assert ops.logspace(0.0, 1.0, 0).shape == (0,)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_svd_matches_numpy_and_reconstructs(shape):
    a = r(*shape, dtype=np.float64)
    s, u, v = ops.svd(Tensor(a))
    close(s, np.linalg.svd(a, compute_uv=False))
    close(u.asnumpy() * s.asnumpy()[..., None, :] @ np.swapaxes(v.asnumpy(), -1, -2), a, 1e-10)
    k = min(shape[-2:])
    assert u.shape == (*shape[:-1], k) and v.shape == (*shape[:-2], shape[-1], k)
    s2, u2, v2 = ops.svd(Tensor(a), full_matrices=True)
    assert u2.shape == (*shape[:-1], shape[-2]) and v2.shape == (*shape[:-2], shape[-1], shape[-1])
    close(
        np.swapaxes(u2.asnumpy(), -1, -2) @ u2.asnumpy(),
        np.broadcast_to(np.eye(shape[-2]), u2.shape),
        1e-10,
    )
    assert ops.svd(Tensor(a), compute_uv=False).shape == s.shape
    sc, uc, vc = P.Svd(full_matrices=False)(Tensor(a))
    close(uc, u.asnumpy())
    close(Tensor(a).svd()[2], v.asnumpy())


def test_svd_gradients_through_u_s_and_v():
    q1, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    q2, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    a = q1[:, :3] @ np.diag([3.0, 2.0, 0.5]) @ q2.T  # well-separated singular values
    # Gauge-invariant functions of U and V (a column's sign is arbitrary) and a raw one.
    check_grads(lambda x: ops.svd(x)[0], [a])
    check_grads(lambda x: (lambda s, u, v: ops.matmul(u * u, v * v))(*ops.svd(x)), [a])
    check_grads(lambda x: (lambda s, u, v: ops.matmul(u * s, v.swapaxes(-1, -2)))(*ops.svd(x)), [a])
    check_grads(lambda x: ops.svd(x)[1], [a])
    check_grads(lambda x: ops.svd(x.swapaxes(0, 1))[2], [a])


# ------------------------------------------------------------------------------------------------
# The remaining Primitive classes
# ------------------------------------------------------------------------------------------------


def test_fill_diagonal_fill_v2_bincount_cummax():
    x = np.zeros((7, 3), np.float32)
    want = x.copy()
    np.fill_diagonal(want, 5, wrap=True)
    close(P.FillDiagonal(5.0, True)(Tensor(x)), want)
    want = x.copy()
    np.fill_diagonal(want, 5)
    close(P.FillDiagonal(5.0)(Tensor(x)), want)
    cube = np.zeros((3, 3, 3), np.float32)
    np.fill_diagonal(cube, -1)
    close(P.FillDiagonal(-1.0)(Tensor(np.zeros((3, 3, 3), np.float32))), cube)
    out = P.FillV2()(Tensor(np.array([2, 3], np.int64)), Tensor(np.float32(1.5)))
    assert out.shape == (2, 3)
    close(out, np.full((2, 3), 1.5))
    close(P.FillV2()((2,), Tensor(np.int32(4))), [4, 4])
    values = np.array([0, 1, 1, 3, 5, 2], np.int32)
    weights = r(6)
    close(
        P.Bincount()(Tensor(values), Tensor(np.int32(4)), Tensor(weights)),
        np.bincount(values[values < 4], weights[values < 4], 4),
    )
    close(
        P.Bincount()(Tensor(values), Tensor(np.int32(6)), Tensor(np.float32(1))),
        np.bincount(values, minlength=6),
    )
    v, i = P.Cummax(axis=0)(Tensor(np.array([1.0, 3.0, 2.0, 4.0], np.float32)))
    close(v, [1, 3, 3, 4])
    close(i, [0, 1, 1, 3])


def test_invert_permutation_mirror_pad_parallel_concat():
    assert P.InvertPermutation()((3, 4, 0, 2, 1)) == (2, 4, 3, 0, 1)
    with pytest.raises(MindError, match="permutation"):
        P.InvertPermutation()((0, 0, 1))
    x = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)
    pads = ((0, 0), (0, 0), (1, 1), (2, 2))
    close(P.MirrorPad()(Tensor(x), Tensor(np.array(pads))), np.pad(x, pads, mode="reflect"))
    close(
        P.MirrorPad("SYMMETRIC")(Tensor(x), Tensor(np.array(pads))),
        np.pad(x, pads, mode="symmetric"),
    )
    with pytest.raises(MindError, match="MirrorPad"):
        P.MirrorPad()(Tensor(x), Tensor(np.array(((0, 0), (0, 0), (3, 0), (0, 0)))))
    check_grads(lambda a: P.MirrorPad("SYMMETRIC")(a, pads), [r(1, 1, 3, 3)])
    parts = [r(1, 3), r(1, 3)]
    close(P.ParallelConcat()([Tensor(p) for p in parts]), np.concatenate(parts))
    with pytest.raises(MindError, match="ParallelConcat"):
        P.ParallelConcat()([Tensor(r(2, 3))])


def test_unique_with_pad_unique_consecutive_data_format_dim_map():
    y, idx = P.UniqueWithPad()(Tensor(np.array([1, 2, 5, 2], np.int32)), 0)
    close(y, [1, 2, 5, 0])
    close(idx, [0, 1, 2, 1])
    y, idx = P.UniqueWithPad()(Tensor(np.array([5, 5, 1, 3], np.float32)), -1.0)
    close(y, [5, 1, 3, -1])
    close(idx, [0, 0, 1, 2])
    assert idx.dtype == ms.int32
    batch = Tensor(np.array([[1, 2, 5, 2], [3, 3, 3, 1]], np.int32))
    y, idx = ms.vmap(lambda v: P.UniqueWithPad()(v, -1))(batch)
    close(y, [[1, 2, 5, -1], [3, 1, -1, -1]])
    close(idx, [[0, 1, 2, 1], [0, 0, 0, 1]])
    y, idx = ms.jit(lambda v: P.UniqueWithPad()(v, 7))(batch[1])
    close(y, [3, 1, 7, 7])
    out, inverse, counts = P.UniqueConsecutive()(Tensor(np.array([1, 1, 2, 2, 3, 1, 1])))
    close(out, [1, 2, 3, 1])
    close(inverse, [0, 0, 1, 1, 2, 3, 3])
    close(counts, [2, 2, 1, 2])
    dims = Tensor(np.array([-4, -3, -2, -1, 0, 1, 2, 3], np.int32))
    close(P.DataFormatDimMap()(dims), [0, 2, 3, 1, 0, 2, 3, 1])
    close(P.DataFormatDimMap("NCHW", "NHWC")(dims), [0, 3, 1, 2, 0, 3, 1, 2])


def test_trace_triangles_and_indices_classes():
    x = r(4, 5)
    close(P.Trace()(Tensor(x)), np.trace(x))
    close(P.Tril(diagonal=1)(Tensor(x)), np.tril(x, 1))
    close(P.Triu()(Tensor(x)), np.triu(x))
    close(P.MatrixBandPart()(Tensor(x), 1, 0), np.tril(np.triu(x, -1)))
    got = P.TrilIndices(3, 4, 1)()
    assert got.dtype == ms.int32
    close(got, np.stack(np.tril_indices(3, 1, 4)))
    close(P.TriuIndices(3, 4, -1)(), np.stack(np.triu_indices(3, -1, 4)))
    close(P.NonZero()(Tensor(np.array([[1, 0], [0, 3]]))), [[0, 0], [1, 1]])


def test_inplace_update_v2_writes_a_parameter():
    x = Parameter(Tensor(r(3, 2)), name="x")
    v = r(2, 2)
    want = x.asnumpy().copy()
    want[[0, 2]] = v
    out = P.InplaceUpdateV2()(x, Tensor(np.array([0, 2], np.int32)), Tensor(v))
    assert out is x
    close(x, want)


# ------------------------------------------------------------------------------------------------
# jit and vmap
# ------------------------------------------------------------------------------------------------


def test_compositions_under_jit_match_pynative():
    x, y = r(4, 6), r(4, 6)
    fns = [
        lambda a, b: ops.hstack([a, b]),
        lambda a, b: ops.tensor_split(a, 4, 1)[1] + ops.vsplit(b, 2)[0][:, :2].sum(),
        lambda a, b: ops.slice_scatter(a, b[:, :3], 1, 0, 6, 2),
        lambda a, b: ops.diagonal_scatter(a, b[:, 0], 0),
        lambda a, b: ops.matrix_set_diag(a, ops.matrix_diag_part(b, (-1, 1), 0.0), (-1, 1)),
        lambda a, b: ops.nanmean(a, 1) + ops.nansum(b, 1),
        lambda a, b: ops.logcumsumexp(a, 1) * ops.expand_dims(ops.trapz(b), 1),
        lambda a, b: ops.index_fill(a, 1, Tensor(np.array([1, 4])), 0.5),
        lambda a, b: ops.cov(a) + ops.renorm(b, 2, 0, 1.0)[:, :4],
        lambda a, b: ops.iou(ops.abs(a[:, :4]), ops.abs(b[:3, :4]) + 1),
        lambda a, b: ops.intopk(a, Tensor(np.array([0, 1, 2, 3], np.int32)), 3),
        lambda a, b: ops.addmv(a[:, 0], a, b[0]) + ops.vecdot(a, b),
        lambda a, b: ops.median(a, 0)[0],
        lambda a, b: ops.histc(a, 5, -1.0, 1.0),
    ]
    for fn in fns:
        close(ms.jit(fn)(Tensor(x), Tensor(y)), fn(Tensor(x), Tensor(y)).asnumpy(), 1e-5)


def test_value_dependent_arguments_under_jit():
    x = Tensor(r(3, 4))
    close(ms.jit(lambda a: ops.matrix_diag_part(a, (-1, 1), 0.0))(x), _diag_ref(x.asnumpy(), -1, 1, 0.0, "RIGHT_LEFT"))  # fmt: skip
    with pytest.raises(GraphModeError, match="matrix_diag_part"):
        ms.jit(lambda a, k: ops.matrix_diag_part(a, k, 0.0), fullgraph=True)(
            x, Tensor(np.array([0, 1], np.int32))
        )


def test_vmap_over_compositions():
    x = r(3, 4, 5)
    got = ms.vmap(lambda a: ops.matrix_diag_part(a, (-1, 0), 0.0))(Tensor(x))
    close(got, np.stack([_diag_ref(m, -1, 0, 0.0, "RIGHT_LEFT") for m in x]))
    got = ms.vmap(lambda a: ops.median(a, 1)[0])(Tensor(x))
    close(got, np.stack([ops.median(Tensor(m), 1)[0].asnumpy() for m in x]))
    got = ms.vmap(lambda a: ops.logcumsumexp(a, 0))(Tensor(x))
    close(got, np.logaddexp.accumulate(x, 1), 1e-5)
    s, u, v = ms.vmap(ops.svd)(Tensor(x))
    close(s, np.linalg.svd(x, compute_uv=False))
    rebuilt = (u.asnumpy() * s.asnumpy()[:, None, :]) @ np.swapaxes(v.asnumpy(), -1, -2)
    close(rebuilt, x, 1e-5)
    s2, u2, v2 = ms.jit(ops.svd)(Tensor(x))
    close(u2, u.asnumpy())
