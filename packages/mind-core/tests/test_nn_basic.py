"""Basic layers, embeddings, recurrent cells, CTC and the other losses of issue 14, and the
candidate samplers, against independent numpy references (loops written from the formulas):
forward values, gradients against finite differences, PyNative and jit, vmap where it means
something, and the Primitive classes and Cells against the functional ops."""

import math

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(11)


def r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def close(got, want, tol=1e-6):
    got = got.asnumpy() if isinstance(got, Tensor) else np.asarray(got)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def log_softmax(x, axis=-1):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


# ------------------------------------------------------------------------------------------------
# CTC
# ------------------------------------------------------------------------------------------------


def ctc_ref(lp, target, blank=0):
    """-log p(target | lp) for one (T, C) sequence: the alpha recursion in probabilities."""
    ext = [blank]
    for label in target:
        ext += [label, blank]
    p = np.exp(lp)
    alpha = np.zeros(len(ext))
    alpha[0] = p[0, ext[0]]
    if len(ext) > 1:
        alpha[1] = p[0, ext[1]]
    for t in range(1, len(lp)):
        new = np.zeros_like(alpha)
        for s in range(len(ext)):
            total = alpha[s] + (alpha[s - 1] if s >= 1 else 0)
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                total += alpha[s - 2]
            new[s] = total * p[t, ext[s]]
        alpha = new
    likelihood = alpha[-1] + (alpha[-2] if len(ext) > 1 else 0)
    return -np.log(likelihood) if likelihood > 0 else np.inf


def ctc_batch_ref(lp, targets, il, tl, blank=0):
    return np.array(
        [ctc_ref(lp[: il[n], n], targets[n, : tl[n]], blank) for n in range(lp.shape[1])]
    )


def ctc_case(T=8, N=4, C=5, S=4):
    lp = log_softmax(r(T, N, C))
    targets = rng.integers(1, C, (N, S))
    targets[0, 1] = targets[0, 0]  # a repeat: the path needs a blank between them
    il = np.array([T, T - 1, T - 3, T])[:N]
    tl = np.array([S, 2, 0, 3])[:N]
    return lp, targets, il, tl


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_loss_matches_the_alpha_recursion(reduction):
    lp, targets, il, tl = ctc_case()
    want = ctc_batch_ref(lp, targets, il, tl)
    want = {
        "none": want,
        "sum": want.sum(),
        "mean": (want / np.maximum(tl, 1)).mean(),
    }[reduction]
    loss, log_alpha = ops.ctc_loss(
        Tensor(lp), Tensor(targets), Tensor(il), Tensor(tl), 0, reduction
    )
    close(loss, want, 1e-9)
    assert log_alpha.shape == (4, 8, 2 * 4 + 1)


def test_ctc_loss_other_blank_float32_and_tuples():
    lp, targets, il, tl = ctc_case(C=6)
    targets = np.where(targets == 5, 1, targets)  # class 5 is the blank now
    want = ctc_batch_ref(lp, targets, il, tl, blank=5)
    loss, _ = ops.ctc_loss(
        Tensor(lp.astype(np.float32)),
        Tensor(targets),
        tuple(il.tolist()),
        tuple(tl.tolist()),
        5,
        "none",
    )
    assert loss.dtype == ms.float32
    close(loss, want, 1e-4)


def test_ctc_loss_impossible_alignment_is_inf_or_zero():
    lp = log_softmax(r(3, 1, 4))
    targets = np.array([[1, 1, 1]])  # needs 5 steps (blanks between repeats), only 3 given
    il, tl = np.array([3]), np.array([3])
    loss, _ = ops.ctc_loss(Tensor(lp), Tensor(targets), Tensor(il), Tensor(tl), 0, "none")
    assert np.isinf(loss.asnumpy()).all()
    loss, _ = ops.ctc_loss(Tensor(lp), Tensor(targets), Tensor(il), Tensor(tl), 0, "sum", True)
    close(loss, 0.0)


def test_ctc_loss_gradient_and_jit():
    lp, targets, il, tl = ctc_case(T=5, N=2, C=4, S=2)
    logits = r(5, 2, 4)
    tg, ilt, tlt = Tensor(targets), Tensor(il[:2]), Tensor(np.array([2, 1]))

    def f(x):
        return ops.ctc_loss(ops.log_softmax(x, -1), tg, ilt, tlt, 0, "mean")[0]

    check_grads(f, [logits], rtol=1e-5, atol=1e-7)
    eager = f(Tensor(logits))
    close(ms.jit(f)(Tensor(logits)), eager.asnumpy(), 1e-9)
    close(ms.jit(ms.grad(f))(Tensor(logits)), ms.grad(f)(Tensor(logits)).asnumpy(), 1e-9)


def test_ctc_loss_checks_its_arguments():
    lp, targets, il, tl = ctc_case()
    with pytest.raises(MindError, match="input_lengths"):
        ops.ctc_loss(Tensor(lp), Tensor(targets), Tensor(il + 5), Tensor(tl))
    with pytest.raises(TypeError, match="Float32"):
        ops.ctc_loss(Tensor(lp), Tensor(targets), Tensor(il), (0.5, 0.5, 0.5, 0.5))
    with pytest.raises(MindError, match="reduction"):
        ops.ctc_loss(Tensor(lp), Tensor(targets), Tensor(il), Tensor(tl), reduction="avg")


def test_ctc_classes_and_cell_match_the_op():
    lp, targets, il, tl = ctc_case()
    args = (Tensor(lp), Tensor(targets), Tensor(il), Tensor(tl))
    want = ops.ctc_loss(*args, 0, "sum")[0].asnumpy()
    close(P.CTCLossV2(blank=0, reduction="sum")(*args)[0], want, 1e-12)
    close(nn.CTCLoss(blank=0, reduction="sum")(*args), want, 1e-12)
    # (T, C) log_probs: one unbatched sequence, targets (S,)
    one = nn.CTCLoss(reduction="none")(
        Tensor(lp[:, 0]), Tensor(targets[0]), Tensor(il[:1]), Tensor(tl[:1])
    )
    close(one, ctc_ref(lp[:, 0], targets[0, : tl[0]]), 1e-9)


def test_ctc_loss_v1_sparse_labels_softmax_and_gradient():
    T, N, C = 6, 3, 5  # blank = C - 1
    x = r(T, N, C)
    labels = [[0, 2, 2], [1], [3, 0]]
    indices = np.array([[n, i] for n, row in enumerate(labels) for i in range(len(row))])
    values = np.array([v for row in labels for v in row], np.int32)
    seq = np.array([6, 4, 5], np.int32)
    lp = log_softmax(x)
    want = np.array([ctc_ref(lp[: seq[n], n], labels[n], blank=C - 1) for n in range(N)])
    op = P.CTCLoss()
    loss, gradient = op(Tensor(x), Tensor(indices), Tensor(values), Tensor(seq))
    close(loss, want, 1e-9)

    def total(logits):
        return op(logits, Tensor(indices), Tensor(values), Tensor(seq))[0].sum()

    close(gradient, ms.grad(total)(Tensor(x)).asnumpy(), 1e-9)
    check_grads(total, [x])
    # the same inside jit, where the sparse labels have no values
    jitted = ms.jit(lambda a, i, v, s: op(a, i, v, s)[0])
    close(jitted(Tensor(x), Tensor(indices), Tensor(values), Tensor(seq)), want, 1e-9)


def test_ctc_loss_v1_longer_labels():
    x = r(2, 1, 3)
    indices, values, seq = (
        Tensor(np.array([[0, 0], [0, 1], [0, 2]])),
        Tensor(np.array([0, 1, 0], np.int32)),
        Tensor(np.array([2], np.int32)),
    )
    with pytest.raises(MindError, match="ignore_longer_outputs_than_inputs"):
        P.CTCLoss()(Tensor(x), indices, values, seq)
    loss, _ = P.CTCLoss(ignore_longer_outputs_than_inputs=True)(Tensor(x), indices, values, seq)
    close(loss, [0.0])


def greedy_ref(x, lengths, merge):
    blank = x.shape[2] - 1
    rows, log_prob = [], []
    for n in range(x.shape[1]):
        best = x[: lengths[n], n].argmax(1)
        log_prob.append(-x[: lengths[n], n].max(1).sum())
        out, prev = [], None
        for b in best:
            if b != blank and not (merge and b == prev):
                out.append(b)
            prev = b
        rows.append(out)
    return rows, np.array(log_prob)[:, None]


@pytest.mark.parametrize("merge", [True, False])
def test_ctc_greedy_decoder(merge):
    x = r(7, 3, 3)
    x[1:3, 0] = x[1, 0]  # a repeat in sequence 0
    lengths = np.array([7, 4, 0], np.int32)
    rows, log_prob = greedy_ref(x, lengths, merge)
    indices, values, shape, lp = ops.ctc_greedy_decoder(Tensor(x), Tensor(lengths), merge)
    want_indices = [[n, i] for n, row in enumerate(rows) for i in range(len(row))]
    np.testing.assert_array_equal(
        indices.asnumpy().reshape(-1, 2), np.array(want_indices).reshape(-1, 2)
    )
    np.testing.assert_array_equal(values.asnumpy(), [v for row in rows for v in row])
    np.testing.assert_array_equal(shape.asnumpy(), [3, max(len(row) for row in rows)])
    close(lp, log_prob, 1e-12)
    got = P.CTCGreedyDecoder(merge_repeated=merge)(Tensor(x), Tensor(lengths))
    np.testing.assert_array_equal(got[1].asnumpy(), values.asnumpy())
    with pytest.raises(MindError, match="sequence_length"):
        ops.ctc_greedy_decoder(Tensor(x), Tensor(np.array([8, 1, 1], np.int32)))


# ------------------------------------------------------------------------------------------------
# Multi-label margin, dice, focal, RMSE, MAE
# ------------------------------------------------------------------------------------------------


def multilabel_margin_ref(x, t):
    out = np.zeros(len(x))
    for n in range(len(x)):
        targets = []
        for v in t[n]:
            if v < 0:
                break
            targets.append(v)
        for j in targets:
            for i in range(x.shape[1]):
                if i not in targets:
                    out[n] += max(0.0, 1 - (x[n, j] - x[n, i]))
        out[n] /= x.shape[1]
    return out


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss(reduction):
    x = r(4, 5)
    t = np.array([[3, 0, -1, 1, 2], [1, 1, 2, -1, 0], [-1, 2, 3, 4, 0], [0, 1, 2, 3, 4]])
    want = multilabel_margin_ref(x, t)
    want = {"none": want, "mean": want.mean(), "sum": want.sum()}[reduction]
    close(ops.multilabel_margin_loss(Tensor(x), Tensor(t), reduction), want, 1e-12)
    close(nn.MultilabelMarginLoss(reduction)(Tensor(x), Tensor(t)), want, 1e-12)
    loss, mask = P.MultilabelMarginLoss(reduction)(Tensor(x), Tensor(t))
    close(loss, want, 1e-12)
    np.testing.assert_array_equal(
        mask.asnumpy(), [[1, 0, 0, 1, 0], [0, 1, 1, 0, 0], [0] * 5, [1] * 5]
    )
    assert mask.dtype == ms.int32
    check_grads(lambda a: ops.multilabel_margin_loss(a, Tensor(t), reduction), [x])


def test_multilabel_margin_loss_one_sample():
    x, t = r(4), np.array([2, 0, -1, 3])
    close(
        ops.multilabel_margin_loss(Tensor(x), Tensor(t), "none"),
        multilabel_margin_ref(x[None], t[None])[0],
        1e-12,
    )


def dice_ref(x, y, smooth=1e-5):
    return 1 - 2 * np.sum(x * y) / (np.sum(x * x) + np.sum(y * y) + smooth)


def test_dice_losses():
    x, y = rng.random((3, 4)), (rng.random((3, 4)) > 0.5).astype(np.float64)
    close(nn.DiceLoss()(Tensor(x), Tensor(y)), dice_ref(x, y), 1e-9)
    check_grads(lambda a: nn.DiceLoss()(a, Tensor(y)), [x])
    with pytest.raises(ValueError):
        nn.DiceLoss()(Tensor(x), Tensor(y[:2]))
    soft = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    want = np.mean([dice_ref(soft[:, i], y[:, i]) for i in range(4)])
    close(nn.MultiClassDiceLoss()(Tensor(x), Tensor(y)), want, 1e-9)
    weights = rng.random((4, 1))
    want = sum(dice_ref(soft[:, i], y[:, i]) * weights[i, 0] for i in range(4) if i != 2) / 4
    got = nn.MultiClassDiceLoss(Tensor(weights), 2, "softmax")(Tensor(x), Tensor(y))
    close(got, want, 1e-9)
    with pytest.raises(ValueError):
        nn.MultiClassDiceLoss(activation="www")
    with pytest.raises(TypeError):
        nn.MultiClassDiceLoss(weights="1")


def focal_ref(x, y, gamma, w=None):
    lp = log_softmax(x, 1)
    n, c = x.shape
    if y.shape[1] == 1:
        picked = lp[np.arange(n), y[:, 0]]
        weight = 1.0 if w is None else w[y[:, 0]]
        return -((1 - np.exp(picked)) ** gamma) * picked * weight
    # one-hot labels: one loss per sample and class (MindSpore averages over the spatial axes)
    weight = 1.0 if w is None else w[None, :]
    return -((1 - np.exp(lp)) ** gamma) * y * lp * weight


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_focal_loss(reduction):
    x = r(5, 3)
    labels = rng.integers(0, 3, (5, 1)).astype(np.int32)
    w = rng.random(3)
    want = focal_ref(x, labels, 2.0, w)
    want = {"none": want, "mean": want.mean(), "sum": want.sum()}[reduction]
    # LossBase reduces in float32, as MindSpore
    close(nn.FocalLoss(Tensor(w), 2.0, reduction)(Tensor(x), Tensor(labels)), want, 1e-6)
    onehot = np.eye(3)[labels[:, 0]]
    want = focal_ref(x, onehot, 1.5)
    want = {"none": want, "mean": want.mean(), "sum": want.sum()}[reduction]
    close(
        nn.FocalLoss(gamma=1.5, reduction=reduction)(Tensor(x), Tensor(onehot.astype(np.float32))),
        want,
        1e-6,
    )
    with pytest.raises(TypeError):
        nn.FocalLoss(gamma="mmm")
    with pytest.raises(ValueError):
        nn.FocalLoss(reduction="m")


def test_rmse_and_mae():
    x, y = r(3, 4), r(3, 4)
    close(nn.RMSELoss()(Tensor(x), Tensor(y)), np.sqrt(np.mean((x - y) ** 2)), 1e-6)
    close(nn.MAELoss()(Tensor(x), Tensor(y)), np.mean(np.abs(x - y)), 1e-6)
    close(nn.MAELoss("none")(Tensor(x), Tensor(y)), np.abs(x - y), 1e-6)
    check_grads(lambda a: nn.RMSELoss()(a, Tensor(y)), [x])


# ------------------------------------------------------------------------------------------------
# Candidate samplers
# ------------------------------------------------------------------------------------------------


def test_uniform_candidate_sampler_shapes_counts_and_seed():
    true = np.array([[1], [3], [4], [6], [3]], np.int32)
    s, t, e = ops.uniform_candidate_sampler(Tensor(true), 1, 3, False, 4)
    assert (s.shape, t.shape, e.shape) == ((3,), (5, 1), (3,))
    assert s.dtype == ms.int32 and t.dtype == ms.float32
    assert ((s.asnumpy() >= 0) & (s.asnumpy() < 4)).all()
    close(t, np.full((5, 1), 3 / 4))
    close(e, np.full(3, 3 / 4))
    # unique: distinct classes, and one count of tries n >= 3 behind every expected count
    s, t, e = ops.uniform_candidate_sampler(Tensor(true.astype(np.int64)), 1, 3, True, 4, seed=5)
    assert s.dtype == ms.int64 and len(set(s.asnumpy().tolist())) == 3
    tries = np.log1p(-e.asnumpy().astype(np.float64)) / np.log1p(-1 / 4)
    np.testing.assert_allclose(tries, np.round(tries[0]), rtol=1e-4)
    assert round(tries[0]) >= 3
    again = ops.uniform_candidate_sampler(Tensor(true.astype(np.int64)), 1, 3, True, 4, seed=5)
    np.testing.assert_array_equal(again[0].asnumpy(), s.asnumpy())


def test_uniform_candidate_sampler_removes_accidental_hits():
    true = np.array([[0], [2], [5]], np.int32)
    for _ in range(5):
        s, _, _ = P.UniformCandidateSampler(1, 4, True, 8, remove_accidental_hits=True)(
            Tensor(true)
        )
        assert not set(s.asnumpy().tolist()) & {0, 2, 5}
        s, _, _ = P.UniformCandidateSampler(1, 5, False, 8, remove_accidental_hits=True)(
            Tensor(true)
        )
        assert not set(s.asnumpy().tolist()) & {0, 2, 5}


def test_log_uniform_candidate_sampler_distribution():
    range_max = 6
    p = np.log((np.arange(range_max) + 2) / (np.arange(range_max) + 1)) / np.log(range_max + 1)
    ms.set_seed(3)
    s, t, e = ops.log_uniform_candidate_sampler(
        Tensor(np.array([[0, 7]], np.int64)), 2, 20000, False, range_max
    )
    freq = np.bincount(s.asnumpy(), minlength=range_max) / 20000
    np.testing.assert_allclose(freq, p, atol=0.015)
    # a class past range_max still gets the formula's p (as MindSpore)
    p7 = math.log(9 / 8) / math.log(range_max + 1)
    close(t, np.array([[p[0], p7]]) * 20000, 1e-2)
    s, t, e = P.LogUniformCandidateSampler(2, 5, True, 5, seed=1)(
        Tensor(np.array([[1, 7], [0, 4], [3, 3]], np.int64))
    )
    assert sorted(s.asnumpy().tolist()) == [0, 1, 2, 3, 4]
    assert t.shape == (3, 2) and e.shape == (5,)


def test_candidate_sampler_checks_and_jit():
    with pytest.raises(MindError, match="num_sampled"):
        ops.uniform_candidate_sampler(Tensor(np.array([[1]], np.int32)), 1, 5, True, 4)
    with pytest.raises(MindError, match="num_true"):
        ops.uniform_candidate_sampler(Tensor(np.array([[1, 2]], np.int32)), 1, 2, True, 4)
    f = ms.jit(lambda x: ops.uniform_candidate_sampler(x, 2, 3, True, 10))
    s, t, e = f(Tensor(np.array([[1, 2], [3, 4]], np.int32)))
    assert s.shape == (3,) and t.shape == (2, 2) and len(set(s.asnumpy().tolist())) == 3


# ------------------------------------------------------------------------------------------------
# Dropout, RReLU, Softmax2d
# ------------------------------------------------------------------------------------------------


def test_dropout1d_zeroes_whole_channels():
    x = np.ones((4, 6, 5), np.float32)
    out = ops.dropout1d(Tensor(x), 0.5).asnumpy()
    per_channel = out.reshape(24, 5)
    assert all(set(row.tolist()) <= {0.0} or set(row.tolist()) == {2.0} for row in per_channel)
    close(ops.dropout1d(Tensor(x), 1.0), np.zeros_like(x))
    close(ops.dropout1d(Tensor(x), 0.5, training=False), x)
    close(ops.dropout1d(Tensor(x[0]), 0.0), x[0])  # (C, L)
    with pytest.raises(ValueError):
        ops.dropout1d(Tensor(x), 1.5)
    layer = nn.Dropout1d(0.5)
    close(layer(Tensor(x)), x)  # inference: the identity
    layer.set_train()
    assert layer(Tensor(x)).shape == x.shape
    for cell, shape in ((nn.Dropout2d(1.0), (2, 3, 4, 4)), (nn.Dropout3d(1.0), (2, 3, 2, 2, 2))):
        cell.set_train()
        close(cell(Tensor(np.ones(shape, np.float32))), np.zeros(shape))


def test_p_dropout_returns_the_mask():
    x = r(6, 7).astype(np.float32)
    out, mask = P.Dropout(keep_prob=0.6)(Tensor(x))
    close(out, x * mask.asnumpy() / 0.6, 1e-6)
    assert set(np.unique(mask.asnumpy()).tolist()) <= {0.0, 1.0} and mask.dtype == ms.float32
    out, mask = P.Dropout(keep_prob=1.0)(Tensor(x))
    close(out, x)
    a = P.Dropout(0.5, Seed0=3, Seed1=4)(Tensor(x))[1].asnumpy()
    b = P.Dropout(0.5, Seed0=3, Seed1=4)(Tensor(x))[1].asnumpy()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        P.Dropout(keep_prob=0.0)(Tensor(x))


def test_rrelu():
    x = r(4, 5)
    close(ops.rrelu(Tensor(x), 0.25, 0.25), np.where(x >= 0, x, 0.25 * x), 1e-12)
    out = nn.RReLU(0.1, 0.3)(Tensor(x)).asnumpy()
    neg = x < 0
    slopes = out[neg] / x[neg]
    assert ((slopes >= 0.1 - 1e-7) & (slopes <= 0.3 + 1e-7)).all()
    close(out[~neg], x[~neg])
    check_grads(lambda a: ops.rrelu(a, 0.5, 0.5), [x])
    with pytest.raises(ValueError):
        nn.RReLU(0.5, 0.1)


def test_softmax2d_and_get_activation():
    x = r(2, 3, 4, 5)
    want = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    close(nn.Softmax2d()(Tensor(x)), want, 1e-12)
    close(nn.get_activation("softmax2d")(Tensor(x[0])), want[0], 1e-12)
    assert isinstance(nn.get_activation("relu"), nn.ReLU)
    assert nn.get_activation(None) is None
    with pytest.raises(KeyError):
        nn.get_activation("Relu")
    with pytest.raises(ValueError):
        nn.Softmax2d()(Tensor(x[0, 0]))


# ------------------------------------------------------------------------------------------------
# BiDense, TimeDistributed
# ------------------------------------------------------------------------------------------------


def test_bidense_op_and_layer():
    x1, x2, w, b = r(6, 3), r(6, 4), r(5, 3, 4), r(5)
    want = np.einsum("ni,oij,nj->no", x1, w, x2) + b
    close(ops.bidense(Tensor(x1), Tensor(x2), Tensor(w), Tensor(b)), want, 1e-12)
    close(ops.bidense(Tensor(x1[0]), Tensor(x2[0]), Tensor(w)), want[0] - b, 1e-12)
    nd = ops.bidense(Tensor(x1.reshape(2, 3, 3)), Tensor(x2.reshape(2, 3, 4)), Tensor(w), Tensor(b))
    close(nd, want.reshape(2, 3, 5), 1e-12)
    check_grads(lambda a, c, v, u: ops.bidense(a, c, v, u), [x1, x2, w, b])
    close(ms.jit(ops.bidense)(Tensor(x1), Tensor(x2), Tensor(w), Tensor(b)), want, 1e-12)
    layer = nn.BiDense(3, 4, 5, weight_init=Tensor(w), bias_init=Tensor(b), dtype=ms.float64)
    close(layer(Tensor(x1), Tensor(x2)), want, 1e-6)  # the initializer holds float32 values
    assert nn.BiDense(3, 4, 5, has_bias=False).bias is None
    assert nn.BiDense(3, 4, 5, dtype=ms.float16).weight.dtype == ms.float16
    with pytest.raises(ValueError):
        nn.BiDense(3, 4, 5)(Tensor(x2), Tensor(x2))


def test_time_distributed_both_ways():
    dense = nn.Dense(3, 6)
    x = r(4, 5, 3).astype(np.float32)
    want = np.stack([dense(Tensor(x[:, t])).asnumpy() for t in range(5)], 1)
    close(nn.TimeDistributed(dense, time_axis=1)(Tensor(x)), want, 1e-5)
    close(nn.TimeDistributed(dense, time_axis=1, reshape_with_axis=0)(Tensor(x)), want, 1e-5)
    with pytest.raises(TypeError):
        nn.TimeDistributed(lambda v: v, 1)
    with pytest.raises(ValueError):
        nn.TimeDistributed(dense, 1)(Tensor(x[0]))


# ------------------------------------------------------------------------------------------------
# Clipping, L2Normalize, Norm, OneHot, Pad, Unflatten
# ------------------------------------------------------------------------------------------------


def test_clip_by_value():
    x = r(3, 4)
    close(ops.clip_by_value(Tensor(x), -0.5, 0.5), np.clip(x, -0.5, 0.5))
    close(ops.clip_by_value(Tensor(x), clip_value_max=Tensor(0.1)), np.minimum(x, 0.1))
    a, b = ops.clip_by_value((Tensor(x), Tensor(-x)), 0.0, 1.0)
    close(b, np.clip(-x, 0, 1))
    close(ops.clip_by_value(Tensor(x), 1.0, 0.0), np.zeros_like(x))  # min > max gives max
    with pytest.raises(ValueError):
        ops.clip_by_value(Tensor(x))


def test_clip_by_norm_and_global_norm():
    x, y = r(3, 4), r(5)
    total = np.sqrt(np.sum(x**2) + np.sum(y**2))
    cx, cy = ops.clip_by_norm([Tensor(x), Tensor(y)], 1.0)
    close(cx, x / (total + 1e-6), 1e-6)
    close(cy, y / (total + 1e-6), 1e-6)
    close(ops.clip_by_norm(Tensor(x), 100.0), x)
    inf_norm = np.abs(x).max()
    close(ops.clip_by_norm(Tensor(x), 0.5, math.inf), x * 0.5 / (inf_norm + 1e-6), 1e-6)
    gx, gy = ops.clip_by_global_norm((Tensor(x), Tensor(y)), 1.0)
    close(gx, x / total, 1e-6)
    close(ops.clip_by_global_norm([Tensor(x)], 100.0)[0], x, 1e-6)
    check_grads(lambda a: ops.clip_by_norm(a, 1.0), [x], rtol=1e-4)
    layer = nn.ClipByNorm(axis=1)
    norms = np.sqrt((x**2).sum(1, keepdims=True))
    close(layer(Tensor(x), Tensor(np.array([1.0]))), x / np.maximum(norms, 1.0), 1e-6)


def test_l2_normalize():
    x = r(2, 3, 4)
    for axis in (0, -1):
        want = x / np.sqrt(np.maximum((x**2).sum(axis, keepdims=True), 1e-4))
        close(P.L2Normalize(axis=axis)(Tensor(x)), want, 1e-12)
    close(P.L2Normalize(axis=[1], epsilon=1e6)(Tensor(x)), x / 1e3, 1e-12)
    check_grads(lambda a: P.L2Normalize(axis=1)(a), [x])


def test_norm_onehot_unflatten():
    x = r(3, 4, 5)
    close(nn.Norm(axis=1)(Tensor(x)), np.sqrt((x**2).sum(1)), 1e-12)
    close(
        nn.Norm(axis=(0, 2), keep_dims=True)(Tensor(x)),
        np.sqrt((x**2).sum((0, 2), keepdims=True)),
        1e-12,
    )
    close(nn.Norm()(Tensor(x)), np.sqrt((x**2).sum()), 1e-12)
    hot = nn.OneHot(depth=4, on_value=5.0, off_value=-1.0)(Tensor(np.array([0, 3, 1])))
    close(hot, np.where(np.eye(4)[[0, 3, 1]] > 0, 5.0, -1.0))
    assert hot.dtype == ms.float32
    close(nn.OneHot(axis=0, depth=3)(Tensor(np.array([2, 0]))), np.eye(3)[[2, 0]].T)
    assert nn.Unflatten(1, (2, 2))(Tensor(x)).shape == (3, 2, 2, 5)
    assert nn.Unflatten(-1, [5, 1])(Tensor(x)).shape == (3, 4, 5, 1)


@pytest.mark.parametrize(
    ("mode", "np_mode"),
    [("CONSTANT", "constant"), ("REFLECT", "reflect"), ("SYMMETRIC", "symmetric")],
)
def test_pad_modes(mode, np_mode):
    x = r(3, 4)
    paddings = ((1, 2), (2, 1))
    close(nn.Pad(paddings, mode)(Tensor(x)), np.pad(x, paddings, np_mode), 1e-12)
    check_grads(lambda a: nn.Pad(paddings, mode)(a), [x])


def test_pad_checks():
    with pytest.raises(TypeError):
        nn.Pad([[1, 1]])
    with pytest.raises(ValueError):
        nn.Pad(((1, 1),), "EDGE")
    with pytest.raises(ValueError):
        nn.Pad(((1, 1), (0, 0)))(Tensor(r(3)))
    with pytest.raises(ValueError):
        nn.Pad(((0, 0), (-1, -1)))(Tensor(r(3, 3)))


# ------------------------------------------------------------------------------------------------
# Embedding lookups
# ------------------------------------------------------------------------------------------------


def test_p_embedding_lookup_offset_and_out_of_range():
    params = np.arange(8, 16, dtype=np.float32).reshape(4, 2)
    indices = np.array([[5, 2], [8, 5]], np.int32)
    want = np.zeros((2, 2, 2), np.float32)
    for (i, j), v in np.ndenumerate(indices):
        if 0 <= v - 4 < 4:
            want[i, j] = params[v - 4]
    close(P.EmbeddingLookup()(Tensor(params), Tensor(indices), 4), want)
    check_grads(lambda p: P.EmbeddingLookup()(p, Tensor(indices), 4), [params.astype(np.float64)])


def test_embedding_lookup_layer_and_max_norm():
    layer = nn.EmbeddingLookup(6, 3)
    table = layer.embedding_table.asnumpy()
    ids = np.array([[1, 0], [5, 2]], np.int32)
    close(layer(Tensor(ids)), table[ids])
    capped = nn.EmbeddingLookup(6, 3, param_init=Tensor(table * 10), max_norm=1.0)
    rows = table[ids] * 10
    norms = np.sqrt((rows**2).sum(-1, keepdims=True))
    close(capped(Tensor(ids)), rows / np.maximum(norms, 1.0), 1e-5)
    with pytest.raises(ValueError):
        nn.EmbeddingLookup(6, 3, target="GPU")


@pytest.mark.parametrize("operator", ["SUM", "MEAN", "MAX"])
def test_multi_field_embedding_lookup(operator):
    layer = nn.MultiFieldEmbeddingLookup(10, 3, field_size=4, operator=operator)
    table = layer.embedding_table.asnumpy().astype(np.float64)
    ids = rng.integers(0, 10, (2, 5)).astype(np.int32)
    values = rng.random((2, 5)).astype(np.float32)
    values[0, 1] = 0.0
    fields = np.array([[0, 0, 1, 3, 3], [2, 2, 2, 0, 1]], np.int32)
    want = np.zeros((2, 4, 3))
    for b in range(2):
        for f in range(4):
            members = [s for s in range(5) if fields[b, s] == f]
            rows = [table[ids[b, s]] * values[b, s] for s in members]
            if operator == "SUM" and rows:
                want[b, f] = np.sum(rows, 0)
            elif operator == "MEAN" and rows:
                want[b, f] = np.sum(rows, 0) / np.sum(np.abs(values[b, members]))
            elif operator == "MAX":
                kept = [row for s, row in zip(members, rows) if values[b, s] != 0]
                want[b, f] = np.max(kept, 0) if kept else 0
    close(layer(Tensor(ids), Tensor(values), Tensor(fields)), want, 1e-5)
    with pytest.raises(TypeError):
        layer(Tensor(ids.astype(np.int16)), Tensor(values), Tensor(fields))


# ------------------------------------------------------------------------------------------------
# Recurrent cells and RNN
# ------------------------------------------------------------------------------------------------


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def params_of(cell):
    def get(n):
        p = getattr(cell, n)
        return None if p is None else p.asnumpy().astype(np.float64)

    return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")


@pytest.mark.parametrize("has_bias", [True, False])
def test_cells_match_their_formulas(has_bias):
    x, h, c = r(3, 4), r(3, 5), r(3, 5)
    for nonlinearity, act in (("tanh", np.tanh), ("relu", lambda v: np.maximum(v, 0))):
        cell = nn.RNNCell(4, 5, has_bias, nonlinearity, dtype=ms.float64)
        w_ih, w_hh, b_ih, b_hh = params_of(cell)
        b = (b_ih + b_hh) if has_bias else 0
        close(cell(Tensor(x), Tensor(h)), act(x @ w_ih.T + h @ w_hh.T + b), 1e-12)
    cell = nn.GRUCell(4, 5, has_bias, dtype=ms.float64)
    w_ih, w_hh, b_ih, b_hh = params_of(cell)
    gi = x @ w_ih.T + (b_ih if has_bias else 0)
    gh = h @ w_hh.T + (b_hh if has_bias else 0)
    rr, z = sigmoid(gi[:, :5] + gh[:, :5]), sigmoid(gi[:, 5:10] + gh[:, 5:10])
    n = np.tanh(gi[:, 10:] + rr * gh[:, 10:])
    close(cell(Tensor(x), Tensor(h)), (1 - z) * n + z * h, 1e-12)
    cell = nn.LSTMCell(4, 5, has_bias, dtype=ms.float64)
    w_ih, w_hh, b_ih, b_hh = params_of(cell)
    g = x @ w_ih.T + h @ w_hh.T + ((b_ih + b_hh) if has_bias else 0)
    i, f, gg, o = (g[:, k * 5 : (k + 1) * 5] for k in range(4))
    c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(gg)
    h_new, c_got = cell(Tensor(x), (Tensor(h), Tensor(c)))
    close(h_new, sigmoid(o) * np.tanh(c_new), 1e-12)
    close(c_got, c_new, 1e-12)


def test_cells_gradients_jit_and_checks():
    x, h, c = r(2, 3), r(2, 4), r(2, 4)
    gru = nn.GRUCell(3, 4, dtype=ms.float64)
    check_grads(lambda a, b: gru(a, b), [x, h])
    lstm = nn.LSTMCell(3, 4, dtype=ms.float64)
    check_grads(lambda a, b, d: lstm(a, (b, d))[0] * lstm(a, (b, d))[1], [x, h, c])
    rnn = nn.RNNCell(3, 4, dtype=ms.float64)
    close(
        ms.jit(lambda a, b: rnn(a, b))(Tensor(x), Tensor(h)),
        rnn(Tensor(x), Tensor(h)).asnumpy(),
        1e-12,
    )
    batched = ms.vmap(lambda a, b: rnn(a, b))(Tensor(x[:, None]), Tensor(h[:, None]))
    close(batched[:, 0], rnn(Tensor(x), Tensor(h)).asnumpy(), 1e-12)
    with pytest.raises(ValueError):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(TypeError):
        lstm(Tensor(x), Tensor(h))
    with pytest.raises(ValueError):
        nn.LSTMCell(3, 4, True, ms.float32, 8)  # MindSpore < 1.6's (batch_size, ...) arguments


@pytest.mark.parametrize(("bidirectional", "batch_first"), [(False, False), (True, True)])
def test_rnn_matches_a_loop_of_cells(bidirectional, batch_first):
    rnn = nn.RNN(
        3,
        4,
        2,
        nonlinearity="relu",
        batch_first=batch_first,
        bidirectional=bidirectional,
        dtype=ms.float64,
    )
    dirs = 2 if bidirectional else 1
    xs, h0 = r(5, 2, 3), r(2 * dirs, 2, 4)

    def run(x, layer, d, h):
        w_ih = getattr(rnn, f"weight_ih_l{layer}" + ("_reverse" if d else "")).asnumpy()
        w_hh = getattr(rnn, f"weight_hh_l{layer}" + ("_reverse" if d else "")).asnumpy()
        b = (
            getattr(rnn, f"bias_ih_l{layer}" + ("_reverse" if d else "")).asnumpy()
            + getattr(rnn, f"bias_hh_l{layer}" + ("_reverse" if d else "")).asnumpy()
        )
        out = [None] * len(x)
        for t in reversed(range(len(x))) if d else range(len(x)):
            h = np.maximum(x[t] @ w_ih.T + h @ w_hh.T + b, 0)
            out[t] = h
        return np.stack(out), h

    layer_in, finals = xs, []
    for layer in range(2):
        outs = []
        for d in range(dirs):
            o, hn = run(layer_in, layer, d, h0[layer * dirs + d])
            outs.append(o)
            finals.append(hn)
        layer_in = np.concatenate(outs, -1)
    x_in = xs.transpose(1, 0, 2) if batch_first else xs
    out, hn = rnn(Tensor(x_in), Tensor(h0))
    close(out, layer_in.transpose(1, 0, 2) if batch_first else layer_in, 1e-12)
    close(hn, np.stack(finals), 1e-12)
    check_grads(lambda a: rnn(a, Tensor(h0))[0], [x_in])


def test_sampled_softmax_loss_with_fixed_samples():
    w, b, x = r(7, 5), r(7), r(3, 5)
    labels = np.array([[0, 2], [3, 3], [6, 1]], np.int32)
    sampled = np.array([4, 5, 1], np.int32)
    true_count, sampled_count = rng.random((3, 2)) + 0.5, rng.random(3) + 0.5
    values = (Tensor(sampled), Tensor(true_count), Tensor(sampled_count))
    loss = nn.SampledSoftmaxLoss(3, 7, num_true=2, sampled_values=values)
    logits = np.concatenate(
        [
            np.einsum("nd,ntd->nt", x, w[labels]) + b[labels] - np.log(true_count),
            x @ w[sampled].T + b[sampled] - np.log(sampled_count),
        ],
        1,
    )
    targets = np.concatenate([np.full((3, 2), 0.5), np.zeros((3, 3))], 1)
    want = -(targets * log_softmax(logits, 1)).sum(1)
    close(loss(Tensor(w), Tensor(b), Tensor(labels), Tensor(x)), want, 1e-6)
    # get_loss reduces in float32 (as MindSpore): coarser finite differences
    check_grads(
        lambda a, c: loss(a, Tensor(b), Tensor(labels), c), [w, x], eps=1e-3, rtol=1e-3, atol=1e-4
    )
    drawn = nn.SampledSoftmaxLoss(4, 7, num_true=2, reduction="mean")
    assert drawn(Tensor(w), Tensor(b), Tensor(labels), Tensor(x)).shape == ()
    with pytest.raises(ValueError):
        nn.SampledSoftmaxLoss(8, 7)
