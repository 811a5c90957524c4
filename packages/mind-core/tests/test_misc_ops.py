"""The linear-algebra factorizations (eig, eigvals, geqrf, orgqr, ormqr, Tensor.triangular_solve)
and the misc ops (assign_add/sub, gumbel_softmax, padding, dyn_shape, deepcopy, move_to, the
storage and const-arg methods) with their MindSpore classes: values against LAPACK through scipy,
closed forms or loops written here, gradients against finite differences, PyNative and jit."""

import numpy as np
import pytest
import scipy.linalg as sla
from scipy.linalg import lapack

import mind.core as ms
from mind.core import Parameter, Tensor, ops
from mind.core.errors import MindError, MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(7)


def r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def c(*shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex128)


def close(got, want, tol=1e-6):
    got = got.asnumpy() if isinstance(got, Tensor) else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# ------------------------------------------------------------------------------------------------
# eig / eigvals
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: r(2, 4, 4), lambda: c(3, 3)])
def test_eig_solves_the_eigenproblem(make):
    a = make()
    values, vectors = ops.eig(Tensor(a))
    assert values.dtype == ms.complex128 and vectors.dtype == ms.complex128
    w, v = values.asnumpy(), vectors.asnumpy()
    close(a @ v, v * w[..., None, :], 1e-9)  # A v_i = lambda_i v_i
    close(np.linalg.norm(v, axis=-2), np.ones(w.shape), 1e-9)  # unit length
    # the same eigenvalues as scipy's (as sets, matrix by matrix)
    flat = a.reshape(-1, *a.shape[-2:])
    want = np.array([np.sort_complex(sla.eigvals(m)) for m in flat])
    close(np.sort_complex(w.reshape(len(flat), -1)), want, 1e-9)
    close(np.sort_complex(ops.eigvals(Tensor(a)).asnumpy()), np.sort_complex(w), 1e-9)


def test_eig_dtypes_classes_tensor_method_and_jit():
    rot = np.array([[0.0, -1.0], [1.0, 0.0]], np.float32)  # eigenvalues +-i: complex from real
    w = ops.eigvals(Tensor(rot))
    assert w.dtype == ms.complex64
    close(np.sort_complex(w.asnumpy()), np.array([-1j, 1j]), 1e-6)
    close(Tensor(rot).eigvals(), w.asnumpy())
    close(ms.jit(ops.eigvals)(Tensor(rot)), w.asnumpy())
    values, vectors = P.Eig(compute_v=True)(Tensor(np.diag([1.0, 2.0]).astype(np.float32)))
    close(values, np.array([1, 2], np.complex64))
    close(vectors, np.eye(2))
    values, empty = P.Eig()(Tensor(np.diag([1.0, 2.0]).astype(np.float32)))
    assert empty.shape == (0,) and values.shape == (2,)


def test_eig_rejects_what_mindspore_rejects():
    with pytest.raises(MindValueError):
        ops.eig(Tensor(3.0))
    with pytest.raises(MindValueError):
        ops.eigvals(Tensor(r(2, 3)))
    with pytest.raises(MindTypeError):
        ops.eigvals(Tensor(np.eye(2, dtype=np.int32)))
    with pytest.raises(MindTypeError):
        P.Eig(compute_v=1)(Tensor(np.eye(2)))


# ------------------------------------------------------------------------------------------------
# geqrf / orgqr / ormqr: LAPACK's compact QR
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_geqrf_matches_lapack(shape):
    a = r(*shape)
    y, tau = ops.geqrf(Tensor(a))
    qr, want_tau, *_ = lapack.dgeqrf(a)
    close(y, qr, 1e-10)
    close(tau, want_tau, 1e-10)
    assert tau.shape == (min(shape),)


def test_geqrf_batches_complex_and_float32():
    a = c(2, 4, 3)
    y, tau = ops.geqrf(Tensor(a))
    for i in range(2):
        qr, want_tau, *_ = lapack.zgeqrf(a[i])
        close(y[i], qr, 1e-10)
        close(tau[i], want_tau, 1e-10)
    y32, tau32 = Tensor(a[0].real.astype(np.float32)).geqrf()
    assert y32.dtype == ms.float32 and tau32.dtype == ms.float32
    qr, want_tau, *_ = lapack.sgeqrf(a[0].real.astype(np.float32))
    close(y32, qr, 1e-5)
    # the MindSpore docs' example: the last reflector of a square matrix is the identity
    y, tau = P.Geqrf()(Tensor([[-2.0, -1.0], [1.0, 2.0]]))
    close(y, [[2.236068, 1.7888544], [-0.236068, 1.3416407]])
    close(tau, [1.8944271, 0.0])


@pytest.mark.parametrize("make", [lambda: r(5, 3), lambda: c(4, 4), lambda: r(2, 4, 2)])
def test_orgqr_rebuilds_q_of_the_qr_decomposition(make):
    a = make()
    y, tau = ops.geqrf(Tensor(a))
    q = ops.orgqr(y, tau).asnumpy()
    r_ = np.triu(y.asnumpy()[..., : a.shape[-1], :])
    close(q @ r_, a, 1e-10)  # A = Q R
    close(
        np.conj(np.swapaxes(q, -1, -2)) @ q, np.broadcast_to(np.eye(a.shape[-1]), r_.shape), 1e-10
    )
    if a.ndim == 2:
        want, _ = (
            lapack.zungqr(y.asnumpy(), tau.asnumpy())[:2]
            if a.dtype.kind == "c"
            else lapack.dorgqr(y.asnumpy(), tau.asnumpy())[:2]
        )
        close(q, want, 1e-10)


def test_orgqr_fewer_reflectors_and_the_mindspore_example():
    y, tau = r(4, 3), r(2)
    want, _ = lapack.dorgqr(y, np.concatenate([tau, [0.0]]))[:2]
    close(ops.orgqr(Tensor(y), Tensor(tau)), want, 1e-10)
    x = Tensor([[-114.6, 10.9, 1.1], [-0.304, 38.07, 69.38], [-0.45, -0.17, 62.0]])
    out = P.Orgqr()(x, Tensor([1.55, 1.94, 0.0]))
    close(
        out,
        [
            [-0.55, -0.2128925, 0.8137956],
            [0.4712, -0.8752807, 0.08240613],
            [0.6975, 0.42560163, 0.57772595],
        ],
        1e-5,
    )


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("kind", ["real", "complex"])
def test_ormqr_matches_lapack(left, transpose, kind):
    make = r if kind == "real" else c
    y, tau = ops.geqrf(Tensor(make(4, 3)))
    other = make(4, 2) if left else make(2, 4)
    out = ops.ormqr(y, tau, Tensor(other), left, transpose)
    # LAPACK's ?ormqr/?unmqr take the reflectors as (m, k) with k = len(tau)
    trans = ("C" if kind == "complex" else "T") if transpose else "N"
    fn = lapack.zunmqr if kind == "complex" else lapack.dormqr
    want, _ = fn(
        "L" if left else "R", trans, y.asnumpy(), tau.asnumpy(), other, max(1, other.size)
    )[:2]
    close(out, want, 1e-10)
    assert Tensor(y.asnumpy()).ormqr(tau, Tensor(other), left, transpose).shape == other.shape


def test_ormqr_the_mindspore_example_and_errors():
    x = Tensor([[-114.6, 10.9, 1.1], [-0.304, 38.07, 69.38], [-0.45, -0.17, 62.0]])
    out = P.Ormqr()(x, Tensor([1.55, 1.94, 3.0]), x)
    want = [
        [63.82713, -13.823125, -116.28614],
        [-53.659264, -28.157839, -70.42702],
        [-79.54292, 24.00183, -41.34253],
    ]
    np.testing.assert_allclose(out.asnumpy(), want, rtol=1e-5)
    y, tau = ops.geqrf(Tensor(r(4, 3)))
    with pytest.raises(MindValueError):
        ops.ormqr(y, tau, Tensor(r(3, 2)))  # left needs 4 rows
    with pytest.raises(MindValueError):
        ops.ormqr(y, tau[:1][None], Tensor(r(4, 2)))  # tau's batch
    with pytest.raises(MindTypeError):
        ops.ormqr(y, tau, Tensor(r(4, 2)), left=1)
    with pytest.raises(MindTypeError):
        ops.orgqr(y, Tensor(tau.asnumpy().astype(np.float32)))
    with pytest.raises(MindValueError):
        ops.orgqr(Tensor(r(2, 3)), Tensor(r(2)))  # M < N


def test_orgqr_and_ormqr_gradients():
    y, tau = r(4, 3), r(3) * 0.5
    check_grads(ops.orgqr, [y, tau], rtol=1e-5, atol=1e-7)
    other = r(4, 2)
    check_grads(lambda a, t, o: ops.ormqr(a, t, o, True, True), [y, tau, other])
    check_grads(lambda a, t, o: ops.ormqr(a, t, o, False), [y, tau, other.T.copy()])


def test_householder_ops_under_jit_and_vmap():
    a = r(3, 4, 3)

    def f(x):
        y, tau = ops.geqrf(x)
        return ops.ormqr(y, tau, ops.orgqr(y, tau), True, True)  # Q^T Q = I

    eager = f(Tensor(a)).asnumpy()
    close(eager, np.broadcast_to(np.eye(4, 3), a.shape), 1e-10)
    close(ms.jit(f)(Tensor(a)), eager, 1e-10)
    y, tau = ops.geqrf(Tensor(a))
    close(ms.vmap(ops.orgqr)(y, tau), ops.orgqr(y, tau).asnumpy(), 1e-10)
    g = ms.grad(lambda x, t: ops.orgqr(x, t).sum(), grad_position=(0, 1))
    g_eager = g(y, tau)
    for got, want in zip(ms.jit(g)(y, tau), g_eager):
        close(got, want.asnumpy(), 1e-9)


# ------------------------------------------------------------------------------------------------
# Tensor.triangular_solve
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_triangular_solve_matches_scipy(upper, transpose, unitriangular):
    a = r(3, 3) + 4 * np.eye(3)
    b = r(3, 2)
    x, a_copy = Tensor(b).triangular_solve(Tensor(a), upper, transpose, unitriangular)
    want = sla.solve_triangular(
        a, b, trans=int(transpose), lower=not upper, unit_diagonal=unitriangular
    )
    close(x, want, 1e-10)
    close(a_copy, a)  # the whole of A, as PyTorch's cloned_coefficient


def test_triangular_solve_batches_mindspore_example_and_gradient():
    x, _ = Tensor(np.ones((2, 3, 4), np.float32)).triangular_solve(
        Tensor(np.ones((2, 3, 3), np.float32))
    )
    close(x, np.broadcast_to(np.array([0, 0, 1.0])[:, None], (2, 3, 4)))
    a = np.triu(r(3, 3)) + 4 * np.eye(3)
    check_grads(lambda b, m: Tensor.triangular_solve(b, m)[0], [r(3, 2), a])
    check_grads(
        lambda b, m: Tensor.triangular_solve(b, m, False, True, True)[0], [r(3, 2), a.T.copy()]
    )
    assert not hasattr(ops, "triangular_solve")  # a method only, as MindSpore's
    with pytest.raises(MindTypeError):
        Tensor(r(3, 2)).triangular_solve(Tensor(a), upper=1)


# ------------------------------------------------------------------------------------------------
# assign_add / assign_sub
# ------------------------------------------------------------------------------------------------


def test_assign_add_and_sub_update_in_place():
    p = Parameter(Tensor([1, 2], ms.int32), name="p")
    out = ops.assign_add(p, Tensor([100, 200], ms.int32))
    close(p, [101, 202])
    close(out, [101, 202])
    ops.assign_sub(p, 1.0)  # cast to the variable's dtype, broadcast
    close(p, [100, 201])
    assert p.dtype == ms.int32
    t = Tensor(np.arange(6.0).reshape(2, 3))  # a plain Tensor too, as MindSpore's test does
    ops.assign_sub(t, Tensor(np.ones(3)))
    close(t, np.arange(6.0).reshape(2, 3) - 1)


def test_assign_add_inside_jit_updates_the_parameter():
    p = Parameter(Tensor(np.zeros(3, np.float32)), name="acc")

    @ms.jit
    def step(x):
        ops.assign_add(p, x)
        ops.assign_sub(p, x * 0.5)
        return p * 1

    step(Tensor(np.ones(3, np.float32)))
    out = step(Tensor(np.ones(3, np.float32)))
    close(p, np.ones(3))
    close(out, np.ones(3))
    close(P.AssignAdd()(p, Tensor(np.ones(3, np.float32))), 2 * np.ones(3))


# ------------------------------------------------------------------------------------------------
# gumbel_softmax
# ------------------------------------------------------------------------------------------------


def test_gumbel_softmax_samples_the_categorical_distribution():
    ms.set_seed(3)
    logits = np.log(np.array([0.1, 0.2, 0.7], np.float32))
    batch = Tensor(np.broadcast_to(logits, (4000, 3)).copy())
    soft = ops.gumbel_softmax(batch, tau=0.5)
    close(soft.sum(-1), np.ones(4000), 1e-5)
    assert (soft.asnumpy() >= 0).all()
    hard = ops.gumbel_softmax(batch, 1.0, hard=True).asnumpy()
    assert set(np.unique(hard)) <= {0.0, 1.0} and (hard.sum(-1) == 1).all()
    # the Gumbel-max trick: argmax frequencies are the softmax of the logits
    np.testing.assert_allclose(hard.mean(0), [0.1, 0.2, 0.7], atol=0.03)
    # along another axis
    col = ops.gumbel_softmax(Tensor(np.zeros((3, 5), np.float32)), dim=0)
    close(col.sum(0), np.ones(5), 1e-5)


def test_gumbel_softmax_gradients_and_jit():
    logits = Tensor(r(2, 4, dtype=np.float32))
    weights = Tensor(r(2, 4, dtype=np.float32))

    def loss(x, hard):
        ms.set_seed(11)
        return (ops.gumbel_softmax(x, 0.7, hard) * weights).sum()

    # straight-through: the hard sample's gradient is the soft sample's
    g_soft = ms.grad(lambda x: loss(x, False))(logits).asnumpy()
    g_hard = ms.grad(lambda x: loss(x, True))(logits).asnumpy()
    close(g_hard, g_soft, 1e-6)
    assert np.abs(g_soft).sum() > 0
    # against the closed form of softmax's Jacobian, the noise fixed by the seed
    ms.set_seed(11)
    y = ops.gumbel_softmax(logits, 0.7).asnumpy()
    w = weights.asnumpy()
    want = y * (w - (y * w).sum(-1, keepdims=True)) / 0.7
    close(g_soft, want, 1e-5)
    out = ms.jit(lambda x: ops.gumbel_softmax(x, 1.0, True))(logits).asnumpy()
    assert (out.sum(-1) == 1).all()


def test_gumbel_softmax_argument_errors():
    with pytest.raises(MindTypeError):
        ops.gumbel_softmax(Tensor(np.zeros(3)))  # float64: MindSpore takes float16/32
    with pytest.raises(MindValueError):
        ops.gumbel_softmax(Tensor(np.zeros(3, np.float32)), tau=0.0)
    with pytest.raises(MindTypeError):
        ops.gumbel_softmax(Tensor(np.zeros(3, np.float32)), hard=1)
    with pytest.raises(MindTypeError):
        ops.gumbel_softmax(np.zeros(3, np.float32))


# ------------------------------------------------------------------------------------------------
# padding, dyn_shape, deepcopy, move_to, Tensor.storage / set_const_arg
# ------------------------------------------------------------------------------------------------


def test_padding_extends_the_last_axis_and_differentiates():
    x = r(2, 3, 1)
    out = ops.padding(Tensor(x), 4)
    close(out, np.pad(x, ((0, 0), (0, 0), (0, 3))))
    close(ms.jit(lambda t: ops.padding(t, 2))(Tensor(x)), np.pad(x, ((0, 0), (0, 0), (0, 1))))
    check_grads(lambda t: ops.padding(t, 3), [x])
    with pytest.raises(MindValueError):
        ops.padding(Tensor(r(2, 2)))
    with pytest.raises(MindValueError):
        ops.padding(Tensor(r(2)), 2)


def test_dyn_shape_deepcopy_and_move_to():
    x = Tensor(r(3, 2, 1))
    shape = ops.dyn_shape(x)
    assert shape.dtype == ms.int64 and shape.asnumpy().tolist() == [3, 2, 1]
    copy = ops.deepcopy(x)
    ops.assign(x, Tensor(np.zeros((3, 2, 1))))
    assert np.abs(copy.asnumpy()).sum() > 0  # its own buffer
    check_grads(lambda t: ops.deepcopy(t) * 2, [r(3)])
    moved = ops.move_to(copy, "CPU")
    close(moved, copy.asnumpy())
    assert ops.move_to([1, 2]).asnumpy().tolist() == [1, 2]
    with pytest.raises(MindValueError, match="Ascend"):
        ops.move_to(copy, "Ascend")
    with pytest.raises(MindValueError):
        ops.move_to(copy, "TPU")
    with pytest.raises(MindTypeError):
        ops.move_to(copy, "CPU", blocking=None)


def test_storage_refuses_and_set_const_arg_records_the_flag():
    from mind.core._src.ops.misc_ops import is_const_arg

    x = Tensor([1.0, 2.0])
    assert x.set_const_arg() is x and is_const_arg(x)
    assert x.set_const_arg(False) is x and not is_const_arg(x)
    assert not is_const_arg(Tensor([1.0]))
    with pytest.raises(MindTypeError):
        x.set_const_arg(1)
    for method in (x.storage, x.untyped_storage):
        with pytest.raises(MindError, match="asnumpy"):
            method()


# ------------------------------------------------------------------------------------------------
# The classes: GLU, IndexPut, MaskedScatter, EditDistance, NoRepeatNGram, HistogramFixedWidth,
# FractionalMaxPool3DWithFixedKsize, ScalarCast
# ------------------------------------------------------------------------------------------------


def test_glu_index_put_and_masked_scatter_classes():
    x = r(2, 2, 5)
    close(P.GLU(axis=0)(Tensor(x)), x[:1] / (1 + np.exp(-x[1:])))
    x1 = Tensor(np.array([[1, 2, 3], [4, 5, 6]], np.int32))
    idx = [Tensor(np.array([0, 0], np.int32)), Tensor(np.array([0, 1], np.int32))]
    close(
        P.IndexPut(accumulate=1)(x1, Tensor(np.array([3], np.int32)), idx), [[4, 5, 3], [4, 5, 6]]
    )
    close(P.IndexPut()(x1, Tensor(np.array([3], np.int32)), idx), [[3, 3, 3], [4, 5, 6]])
    row = P.IndexPut()(x1, Tensor(np.array([7, 8, 9], np.int32)), [Tensor(np.array([1]))])
    close(row, [[1, 2, 3], [7, 8, 9]])
    with pytest.raises(MindTypeError):
        P.IndexPut()(x1, Tensor(np.array([3.0], np.float32)), idx)
    with pytest.raises(MindValueError):
        P.IndexPut(accumulate=2)(x1, Tensor(np.array([3], np.int32)), idx)
    mask = Tensor(np.array([True, True, False, True]))
    out = P.MaskedScatter()(Tensor([1.0, 2.0, 3.0, 4.0]), mask, Tensor([5.0, 6.0, 7.0]))
    close(out, [5, 6, 3, 7])
    with pytest.raises(MindTypeError):
        P.MaskedScatter()(Tensor([1.0, 2.0]), Tensor([1, 0]), Tensor([5.0, 6.0]))


def _dense_levenshtein(a, b):
    """The textbook full-table dynamic program (independent of the kernel's one-row form)."""
    table = np.zeros((len(a) + 1, len(b) + 1))
    table[:, 0], table[0, :] = np.arange(len(a) + 1), np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i, j] = min(
                table[i - 1, j] + 1,
                table[i, j - 1] + 1,
                table[i - 1, j - 1] + (a[i - 1] != b[j - 1]),
            )
    return table[-1, -1]


def _sparse(seqs):
    indices = [[b, t] for b, s in enumerate(seqs) for t in range(len(s))]
    values = [v for s in seqs for v in s]
    return Tensor(np.array(indices, np.int64).reshape(-1, 2)), Tensor(np.array(values, np.int64))


@pytest.mark.parametrize("normalize", [True, False])
def test_edit_distance_class(normalize):
    hyp = [list("kitten"), list("flaw"), [], list("abc")]
    truth = [list("sitting"), list("lawn"), list("xy"), []]
    hyp = [[ord(ch) for ch in s] for s in hyp]
    truth = [[ord(ch) for ch in s] for s in truth]
    h_idx, h_val = _sparse(hyp)
    t_idx, t_val = _sparse(truth)
    shape = Tensor(np.array([4, 7], np.int64))
    op = P.EditDistance(normalize)
    out = op(h_idx, h_val, shape, t_idx, t_val, shape)
    want = np.array([_dense_levenshtein(a, b) for a, b in zip(hyp, truth)])
    if normalize:
        want = np.array([d / len(b) if b else np.inf for d, b in zip(want, truth)])
    assert out.dtype == ms.float32
    close(out, want)
    assert want[0] == (3 / 7 if normalize else 3)  # kitten -> sitting
    jitted = ms.jit(lambda a, b, c_, d: op(a, b, shape, c_, d, shape))
    close(jitted(h_idx, h_val, t_idx, t_val), want)


def test_edit_distance_mindspore_example():
    hi = Tensor(np.array([[0, 0, 0], [1, 0, 1], [1, 1, 1]], np.int64))
    ti = Tensor(np.array([[0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1]], np.int64))
    out = P.EditDistance()(
        hi,
        Tensor(np.array([1, 2, 3], np.float32)),
        Tensor(np.array([1, 1, 2], np.int64)),
        ti,
        Tensor(np.array([1, 3, 2, 1], np.float32)),
        Tensor(np.array([2, 2, 2], np.int64)),
    )
    close(out, np.ones((2, 2)))
    with pytest.raises(MindTypeError):
        P.EditDistance(normalize=1)(
            hi, hi[:, 0], Tensor([1, 1, 2]), ti, ti[:, 0], Tensor([2, 2, 2])
        )


def _ngram_reference(seq, probs, n):
    out = probs.copy()
    for pos in np.ndindex(seq.shape[:-1]):
        s = list(seq[pos])
        for i in range(len(s) - n + 1):
            if s[i : i + n - 1] == s[len(s) - n + 1 :]:
                out[pos + (s[i + n - 1],)] = np.finfo(probs.dtype).min
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_no_repeat_ngram_class(n):
    seq = rng.integers(0, 4, (2, 3, 7)).astype(np.int32)
    probs = rng.random((2, 3, 5)).astype(np.float32)
    op = P.NoRepeatNGram(ngram_size=n)
    close(op(Tensor(seq), Tensor(probs)), _ngram_reference(seq, probs, n))
    close(ms.jit(op)(Tensor(seq), Tensor(probs)), _ngram_reference(seq, probs, n))
    batched = ms.vmap(op)(Tensor(np.stack([seq, seq[::-1]])), Tensor(np.stack([probs, probs])))
    close(batched[1], _ngram_reference(seq[::-1].copy(), probs, n))
    # the gradient reaches log_probs except at the banned tokens
    g = ms.grad(lambda p: op(Tensor(seq), p).sum())(Tensor(probs)).asnumpy()
    close(g, (_ngram_reference(seq, probs, n) == probs).astype(np.float32))


def test_no_repeat_ngram_mindspore_case_and_errors():
    seq = np.array([[[1, 2, 1, 2, 5, 1, 2], [9, 3, 9, 5, 4, 1, 5]]], np.int32)
    probs = rng.random((1, 2, 10)).astype(np.float32)
    want = probs.copy()
    want[0, 0, [1, 5]] = -3.4028235e38
    np.testing.assert_array_equal(P.NoRepeatNGram(3)(Tensor(seq), Tensor(probs)).asnumpy(), want)
    with pytest.raises(MindValueError):
        P.NoRepeatNGram(8)(Tensor(seq), Tensor(probs))
    with pytest.raises(MindValueError):
        P.NoRepeatNGram(0)(Tensor(seq), Tensor(probs))
    with pytest.raises(MindTypeError):
        P.NoRepeatNGram(2)(Tensor(seq.astype(np.float32)), Tensor(probs))


def test_histogram_fixed_width_class():
    out = P.HistogramFixedWidth(5)(
        Tensor([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0], ms.float16), Tensor([0.0, 5.0], ms.float16)
    )
    assert out.dtype == ms.int32
    close(out, [2, 1, 1, 0, 2])
    x = rng.uniform(-3, 13, 500).astype(np.float32)
    want = np.bincount(
        np.clip(np.floor(x.astype(np.float64) / 10 * 7), 0, 6).astype(int), minlength=7
    )
    close(P.HistogramFixedWidth(7)(Tensor(x), Tensor([0.0, 10.0])), want)
    close(ms.jit(P.HistogramFixedWidth(7))(Tensor(x), Tensor([0.0, 10.0])), want)
    with pytest.raises(MindValueError):
        P.HistogramFixedWidth(0)(Tensor(x), Tensor([0.0, 10.0]))
    with pytest.raises(MindValueError):
        P.HistogramFixedWidth(3, dtype="int64")(Tensor(x), Tensor([0.0, 1.0]))


def test_fractional_max_pool3d_with_fixed_ksize_class():
    x = Tensor(np.arange(1, 17, dtype=np.float32).reshape(1, 1, 2, 2, 4))
    samples = Tensor(np.full((1, 1, 3), 0.7, np.float32))
    y, argmax = P.FractionalMaxPool3DWithFixedKsize((1, 1, 1), (1, 1, 2))(x, samples)
    close(y, [[[[[13.0, 16.0]]]]])
    close(argmax, [[[[[12, 15]]]]])
    # channels last computes the same windows
    big = r(2, 3, 6, 5, 7, dtype=np.float32)
    s = Tensor(rng.random((2, 3, 3)).astype(np.float32))
    y1, a1 = P.FractionalMaxPool3DWithFixedKsize(2, (3, 2, 4))(Tensor(big), s)
    y2, a2 = P.FractionalMaxPool3DWithFixedKsize(2, (3, 2, 4), "NDHWC")(
        Tensor(big.transpose(0, 2, 3, 4, 1).copy()), s
    )
    close(y2.asnumpy().transpose(0, 4, 1, 2, 3), y1.asnumpy())
    close(a2.asnumpy().transpose(0, 4, 1, 2, 3), a1.asnumpy())
    # each output is the maximum of a 2x2x2 window of its plane, found at its argmax
    flat = big.reshape(2, 3, -1)
    close(
        np.take_along_axis(flat, a1.asnumpy().reshape(2, 3, -1), -1).reshape(y1.shape), y1.asnumpy()
    )
    with pytest.raises(MindValueError):
        P.FractionalMaxPool3DWithFixedKsize((1, 1), (1, 1, 2))(x, samples)
    with pytest.raises(MindValueError):
        P.FractionalMaxPool3DWithFixedKsize(1, 1, "NCHW")(x, samples)


def test_scalar_cast_class():
    cast = P.ScalarCast()
    assert cast(255.7, ms.int64) == 255 and isinstance(cast(255.7, ms.int64), int)
    assert cast(3, ms.float64) == 3.0 and isinstance(cast(3, ms.float64), float)
    assert cast(0.0, ms.bool_) is False
    with pytest.raises(MindValueError):
        cast(1.0, ms.float32)
    with pytest.raises(MindTypeError):
        cast(Tensor(1.0), ms.int64)
