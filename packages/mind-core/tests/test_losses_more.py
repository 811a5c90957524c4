"""The losses of mind.core._src.ops.losses against independent numpy (and scipy) references:
every reduction, several shapes and dtypes, edge cases, gradients against finite differences,
one jit case, and the Primitive classes and nn Cells against the functional ops."""

import math

import numpy as np
import pytest
from scipy import special

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(7)


def r(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def signs(*shape):
    return np.where(rng.random(shape) > 0.5, 1.0, -1.0).astype(np.float32)


def reduce(loss, reduction):
    return {"none": loss, "mean": np.mean(loss), "sum": np.sum(loss)}[reduction]


def close(got, want, tol=1e-5):
    got = got.asnumpy() if isinstance(got, Tensor) else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


REDUCTIONS = ["none", "mean", "sum"]

# ------------------------------------------------------------------------------------------------
# References, written from the formulas (loops where that is clearer)
# ------------------------------------------------------------------------------------------------


def kl_ref(x, y):
    return np.where(y > 0, y * (np.log(np.where(y > 0, y, 1)) - x), 0)


def bce_ref(x, y, w=None):
    loss = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log(1 - x), -100))
    return loss if w is None else loss * w


def huber_ref(x, y, delta):
    d = np.abs(x - y)
    return np.where(d < delta, 0.5 * d**2, delta * (d - 0.5 * delta))


def multi_margin_ref(x, t, p, margin, w):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(c):
            if j != t[i]:
                out[i] += max(0.0, margin - x[i, t[i]] + x[i, j]) ** p
        out[i] = out[i] / c * (1 if w is None else w[t[i]])
    return out


def triplet_ref(a, p_, n, margin, p, eps, swap):
    def dist(u, v):
        return np.sum(np.abs(u - v + eps) ** p, -1) ** (1 / p)

    dn = dist(a, n)
    if swap:
        dn = np.minimum(dn, dist(p_, n))
    return np.maximum(dist(a, p_) - dn + margin, 0)


def cosine_embedding_ref(a, b, t, margin):
    cos = np.sum(a * b, 1) / np.sqrt(np.sum(a * a, 1) * np.sum(b * b, 1))
    return np.where(t == 1, 1 - cos, np.maximum(0, cos - margin))


def poisson_ref(x, y, log_input, full, eps):
    loss = np.exp(x) - y * x if log_input else x - y * np.log(x + eps)
    if full:
        safe = np.where(y > 1, y, 1)
        loss = loss + np.where(
            y > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe), 0
        )
    return loss


# ------------------------------------------------------------------------------------------------
# Forward values
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", [*REDUCTIONS, "batchmean"])
@pytest.mark.parametrize("shape", [(4,), (3, 5), (2, 3, 4)])
def test_kl_div(reduction, shape):
    x = np.log(rng.uniform(0.05, 1, shape)).astype(np.float32)
    y = rng.uniform(-0.5, 1, shape).astype(np.float32)  # negative and zero labels count 0
    y.flat[0] = 0.0
    loss = kl_ref(x, y)
    want = loss.sum() / shape[0] if reduction == "batchmean" else reduce(loss, reduction)
    close(ops.kl_div(Tensor(x), Tensor(y), reduction), want)
    close(P.KLDivLoss(reduction)(Tensor(x), Tensor(y)), want)
    close(nn.KLDivLoss(reduction)(Tensor(x), Tensor(y)), want)


def test_kl_div_matches_scipy_rel_entr_for_distributions():
    p, q = special.softmax(r(3, 4), -1), special.softmax(r(3, 4), -1)
    got = ops.kl_div(Tensor(np.log(q)), Tensor(p), "batchmean")
    close(got, special.rel_entr(p, q).sum() / 3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    x = rng.uniform(0.01, 0.99, (4, 3)).astype(np.float32)
    y = rng.uniform(0, 1, (4, 3)).astype(np.float32)
    w = rng.uniform(0, 2, (4, 3)).astype(np.float32) if weighted else None
    want = reduce(bce_ref(x, y, w), reduction)
    wt = None if w is None else Tensor(w)
    close(ops.binary_cross_entropy(Tensor(x), Tensor(y), wt, reduction), want)
    close(P.BinaryCrossEntropy(reduction)(Tensor(x), Tensor(y), wt), want)
    close(nn.BCELoss(wt, reduction)(Tensor(x), Tensor(y)), want)


def test_binary_cross_entropy_clamps_the_log_at_certain_mistakes():
    got = ops.binary_cross_entropy(
        Tensor([0.0, 1.0, 1.0]), Tensor([1.0, 0.0, 1.0]), reduction="none"
    )
    close(got, [100.0, 100.0, 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huber_loss(reduction, delta, dtype):
    x, y = r(3, 4, dtype=dtype) * 2, r(3, 4, dtype=dtype)
    want = reduce(huber_ref(x, y, delta), reduction)
    got = ops.huber_loss(Tensor(x), Tensor(y), reduction, delta)
    assert got.dtype == Tensor(x).dtype
    close(got, want)
    close(nn.HuberLoss(reduction, delta)(Tensor(x), Tensor(y)), want)
    with pytest.raises(MindError, match="delta"):
        ops.huber_loss(Tensor(x), Tensor(y), reduction, 0.0)


def test_smooth_l1_class():
    x, y = r(5), r(5)
    want = ops.smooth_l1_loss(Tensor(x), Tensor(y), 0.5).asnumpy()
    close(P.SmoothL1Loss(0.5)(Tensor(x), Tensor(y)), want)
    close(P.SmoothL1Loss(0.5, "sum")(Tensor(x), Tensor(y)), want.sum())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_margin_ranking_loss(reduction, margin):
    a, b, t = r(6), r(6), signs(6)
    want = reduce(np.maximum(0, -t * (a - b) + margin), reduction)
    close(ops.margin_ranking_loss(Tensor(a), Tensor(b), Tensor(t), margin, reduction), want)
    close(nn.MarginRankingLoss(margin, reduction)(Tensor(a), Tensor(b), Tensor(t)), want)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5,), (2, 3)])
def test_hinge_embedding_loss(reduction, shape):
    x, t = np.abs(r(*shape)), signs(*shape)
    want = reduce(np.where(t == 1, x, np.maximum(0, 1.5 - x)), reduction)
    close(ops.hinge_embedding_loss(Tensor(x), Tensor(t), 1.5, reduction), want)
    close(nn.HingeEmbeddingLoss(1.5, reduction)(Tensor(x), Tensor(t)), want)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    x, t = r(3, 4) * 10, signs(3, 4)  # large margins: the stable form matters
    want = reduce(np.logaddexp(0, -t * x.astype(np.float64)), reduction)
    close(ops.soft_margin_loss(Tensor(x), Tensor(t), reduction), want)
    close(P.SoftMarginLoss(reduction)(Tensor(x), Tensor(t)), want)
    close(nn.SoftMarginLoss(reduction)(Tensor(x), Tensor(t)), want)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(reduction, weighted):
    x, y = r(4, 3) * 5, (rng.random((4, 3)) > 0.5).astype(np.float32)
    w = rng.uniform(0.5, 2, 3).astype(np.float32) if weighted else None
    sig = special.expit(x.astype(np.float64))
    per = y * np.log(sig) + (1 - y) * np.log(1 - sig)
    want = reduce(-np.mean(per * (1 if w is None else w), -1), reduction)
    wt = None if w is None else Tensor(w)
    close(ops.multilabel_soft_margin_loss(Tensor(x), Tensor(y), wt, reduction), want, 1e-4)
    close(nn.MultiLabelSoftMarginLoss(wt, reduction)(Tensor(x), Tensor(y)), want, 1e-4)
    with pytest.raises(MindError, match=r"\(N, C\)"):
        ops.multilabel_soft_margin_loss(Tensor(r(4)), Tensor(r(4)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("p", "margin", "weighted"), [(1, 1.0, False), (2, 0.5, True), (1, 2, True)]
)
def test_multi_margin_loss(reduction, p, margin, weighted):
    x, t = r(5, 4), rng.integers(0, 4, 5).astype(np.int64)
    w = rng.uniform(0.5, 2, 4).astype(np.float32) if weighted else None
    want = reduce(multi_margin_ref(x, t, p, margin, w), reduction)
    wt = None if w is None else Tensor(w)
    close(ops.multi_margin_loss(Tensor(x), Tensor(t), p, margin, wt, reduction), want)
    close(P.MultiMarginLoss(p, margin, reduction)(Tensor(x), Tensor(t), wt), want)
    close(nn.MultiMarginLoss(p, margin, reduction, wt)(Tensor(x), Tensor(t)), want)
    with pytest.raises(MindError, match="'p'"):
        ops.multi_margin_loss(Tensor(x), Tensor(t), 3)
    with pytest.raises(MindError, match="target"):
        ops.multi_margin_loss(Tensor(x), Tensor(np.array([0, 1, 2, 3, 4])))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("full", "var_shape"), [(False, (4, 3)), (True, (4, 1)), (False, (4,))])
def test_gaussian_nll_loss(reduction, full, var_shape):
    x, y = r(4, 3), r(4, 3)
    var = rng.uniform(0.1, 2, var_shape).astype(np.float32)
    var.flat[0] = 1e-9  # clamped at eps
    v = np.maximum(var if var.ndim == 2 else var[:, None], 1e-6)
    loss = 0.5 * (np.log(v) + (x - y) ** 2 / v) + (0.5 * math.log(2 * math.pi) if full else 0)
    want = reduce(loss, reduction)
    close(
        ops.gaussian_nll_loss(Tensor(x), Tensor(y), Tensor(var), full, 1e-6, reduction), want, 1e-4
    )
    cell = nn.GaussianNLLLoss(full=full, reduction=reduction)
    close(cell(Tensor(x), Tensor(y), Tensor(var)), want, 1e-4)
    with pytest.raises(MindError, match="eps"):
        ops.gaussian_nll_loss(Tensor(x), Tensor(y), Tensor(var), eps=0.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("log_input", "full"), [(True, False), (False, False), (True, True), (False, True)]
)
def test_poisson_nll_loss(reduction, log_input, full):
    x = r(3, 4) if log_input else rng.uniform(0.1, 3, (3, 4)).astype(np.float32)
    y = rng.integers(0, 5, (3, 4)).astype(np.float32)
    want = reduce(poisson_ref(x, y, log_input, full, 1e-8), reduction)
    close(ops.poisson_nll_loss(Tensor(x), Tensor(y), log_input, full, 1e-8, reduction), want, 1e-4)
    close(nn.PoissonNLLLoss(log_input, full, 1e-8, reduction)(Tensor(x), Tensor(y)), want, 1e-4)


def test_poisson_nll_loss_documented_value():
    got = nn.PoissonNLLLoss()(Tensor([[0.3, 0.7], [0.5, 0.5]]), Tensor([[1.0, 2.0], [3.0, 4.0]]))
    close(got, 0.3652635)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("p", "swap", "margin"), [(2, False, 1.0), (1, True, 0.5), (3, False, 2.0)]
)
def test_triplet_margin_loss(reduction, p, swap, margin):
    a, pos, neg = r(5, 3), r(5, 3), r(5, 3)
    want = reduce(triplet_ref(a, pos, neg, margin, p, 1e-6, swap), reduction)
    got = ops.triplet_margin_loss(
        Tensor(a), Tensor(pos), Tensor(neg), margin, p, 1e-6, swap, reduction
    )
    close(got, want)
    cell = nn.TripletMarginLoss(p, swap, 1e-6, reduction)
    close(cell(Tensor(a), Tensor(pos), Tensor(neg), Tensor(np.float32(margin))), want)
    with pytest.raises(MindError, match="1-D"):
        ops.triplet_margin_loss(Tensor(r(3)), Tensor(r(3)), Tensor(r(3)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3, -0.2])
def test_cosine_embedding_loss(reduction, margin):
    a, b, t = r(6, 4), r(6, 4), signs(6)
    want = reduce(cosine_embedding_ref(a, b, t, margin), reduction)
    close(ops.cosine_embedding_loss(Tensor(a), Tensor(b), Tensor(t), margin, reduction), want)
    close(nn.CosineEmbeddingLoss(margin, reduction)(Tensor(a), Tensor(b), Tensor(t)), want)
    with pytest.raises(MindError, match="margin"):
        ops.cosine_embedding_loss(Tensor(a), Tensor(b), Tensor(t), 2.0)


def test_bad_reductions_are_refused():
    x = Tensor(r(3))
    with pytest.raises(MindError, match="reduction"):
        ops.huber_loss(x, x, "avg")
    with pytest.raises(MindError, match="reduction"):
        nn.SoftMarginLoss("batchmean")
    with pytest.raises(MindError, match="reduction"):
        nn.KLDivLoss("avg")


# ------------------------------------------------------------------------------------------------
# LossBase
# ------------------------------------------------------------------------------------------------


class _AbsLoss(nn.LossBase):
    def construct(self, logits, labels):
        return self.get_loss(
            ops.abs(logits - labels), Tensor(np.array([1.0, 2.0, 0.5], np.float32))
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_base_weights_and_reduces(reduction):
    x, y = r(2, 3), r(2, 3)
    want = reduce(np.abs(x - y) * np.array([1.0, 2.0, 0.5]), reduction)
    close(_AbsLoss(reduction)(Tensor(x), Tensor(y)), want)
    half = _AbsLoss(reduction)(Tensor(x.astype(np.float16)), Tensor(y.astype(np.float16)))
    assert half.dtype == ms.float16
    assert nn.LossBase().get_axis(Tensor(x)) == (0, 1)
    close(nn.LossBase("sum").get_loss(Tensor(x)), x.sum())


# ------------------------------------------------------------------------------------------------
# Gradients and graph mode
# ------------------------------------------------------------------------------------------------


# Targets are drawn once, outside the functions: the check calls each function many times.
T6, T5, T4 = Tensor(signs(6)), Tensor(signs(5)), Tensor(signs(4))
MULTILABEL = Tensor((r(3, 4) > 0).astype(np.float32))

GRADS = [
    ("kl_div", lambda x, y: ops.kl_div(x, y, "batchmean"), [r(3, 4), rng.uniform(0.1, 1, (3, 4))]),
    ("bce", lambda x, y: ops.binary_cross_entropy(x, y), [rng.uniform(0.1, 0.9, 6), rng.uniform(0, 1, 6)]),
    ("huber", lambda x, y: ops.huber_loss(x, y, "sum", 0.7), [np.array([0.1, 2.0, -3.0, 0.5]), np.zeros(4)]),
    ("margin_ranking", lambda a, b: ops.margin_ranking_loss(a, b, T6, 0.3),
     [r(6), r(6) + 0.05]),
    ("hinge", lambda x: ops.hinge_embedding_loss(x, Tensor(np.array([1.0, -1.0, -1.0])), 1.0, "sum"),
     [np.array([0.3, 0.2, 1.7])]),
    ("soft_margin", lambda x: ops.soft_margin_loss(x, T5), [r(5)]),
    ("multilabel", lambda x: ops.multilabel_soft_margin_loss(x, MULTILABEL),
     [r(3, 4)]),
    ("multi_margin", lambda x: ops.multi_margin_loss(x, Tensor(np.array([0, 2, 1])), 2, 1.0,
                                                     Tensor(np.array([1.0, 0.5, 2.0], np.float32))),
     [np.array([[0.1, 0.3, -0.4], [0.9, 0.2, 0.5], [-0.7, 0.35, 0.6]])]),
    ("gaussian_nll", lambda x, y, v: ops.gaussian_nll_loss(x, y, v, True),
     [r(3, 2), r(3, 2), rng.uniform(0.5, 2, (3, 1))]),
    ("poisson_log", lambda x: ops.poisson_nll_loss(x, Tensor(np.array([0.0, 2.0, 3.0], np.float32)), full=True),
     [r(3)]),
    ("poisson", lambda x: ops.poisson_nll_loss(x, Tensor(np.array([0.0, 2.0, 3.0], np.float32)), False),
     [rng.uniform(0.5, 2, 3)]),
    ("triplet", lambda a, p, n: ops.triplet_margin_loss(a, p, n, 2.0, 2, 1e-6, True), [r(4, 3), r(4, 3), r(4, 3)]),
    ("triplet_p1", lambda a, p, n: ops.triplet_margin_loss(a, p, n, 3.0, 1), [r(4, 3), r(4, 3), r(4, 3)]),
    ("cosine_embedding", lambda a, b: ops.cosine_embedding_loss(a, b, T4, -0.5), [r(4, 3), r(4, 3)]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "fn", "inputs"), GRADS, ids=[g[0] for g in GRADS])
def test_loss_gradients_match_finite_differences(name, fn, inputs):
    check_grads(fn, inputs, rtol=1e-4, atol=1e-6)


def test_losses_under_jit_match_eager():
    x, y, v = (
        r(4, 3),
        rng.uniform(0.1, 0.9, (4, 3)).astype(np.float32),
        rng.uniform(0.5, 2, (4, 3)).astype(np.float32),
    )
    t = Tensor(np.array([0, 2, 1, 1]))

    def f(a, b, var):
        return (
            ops.kl_div(a, b, "batchmean")
            + ops.gaussian_nll_loss(a, b, var)
            + ops.multi_margin_loss(a, t)
            + ops.triplet_margin_loss(a, b, var)
            + ops.cosine_embedding_loss(a, b, Tensor(np.array([1.0, -1.0, 1.0, -1.0], np.float32)))
            + ops.binary_cross_entropy(b, b)
            + ops.poisson_nll_loss(a, b, full=True)
        )

    eager = f(Tensor(x), Tensor(y), Tensor(v))
    close(ms.jit(f)(Tensor(x), Tensor(y), Tensor(v)), eager.asnumpy(), 1e-5)
    close(
        ms.jit(ms.grad(f))(Tensor(x), Tensor(y), Tensor(v)),
        ms.grad(f)(Tensor(x), Tensor(y), Tensor(v)).asnumpy(),
        1e-4,
    )


def test_loss_cells_train_under_value_and_grad():
    w = ms.Parameter(Tensor(np.zeros((3, 1), np.float32)), name="w")
    x, y = Tensor(r(8, 3)), Tensor(r(8, 1))
    loss_fn = nn.HuberLoss()

    def loss(w_):
        return loss_fn(ops.matmul(x, w_), y)

    value, grad = ms.value_and_grad(loss)(w)
    d = x.asnumpy() @ np.zeros((3, 1)) - y.asnumpy()
    close(value, huber_ref(d, 0, 1.0).mean())
    close(grad, x.asnumpy().T @ np.clip(d, -1, 1) / d.size, 1e-5)


def test_binary_cross_entropy_gradient_is_finite_where_a_log_is_clamped():
    # MindSpore's (and PyTorch's) gradient (x - y) / max(x (1 - x), 1e-12); autodiff of the
    # clamped logs gave nan at x = 0 and x = 1
    p = np.array([0.0, 0.0, 1.0, 1.0, 1e-50, 1 - 1e-17, 0.3])
    t = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.6])
    got = ms.grad(lambda a: ops.binary_cross_entropy(a, Tensor(t), reduction="sum"))(Tensor(p))
    np.testing.assert_allclose(got.asnumpy(), (p - t) / np.maximum(p * (1 - p), 1e-12))
    loss = ops.binary_cross_entropy(Tensor(p), Tensor(t), reduction="none").asnumpy()
    np.testing.assert_allclose(loss[[0, 3, 4, 5]], 100.0)
