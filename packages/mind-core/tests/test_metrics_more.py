"""The metrics ConfusionMatrix, Dice, Perplexity, CosineSimilarity, ROC, auc and BleuScore,
each against an independent computation (numpy loops, scipy)."""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.spatial import distance

from mind.core import Tensor
from mind.core.train import (
    ROC,
    BleuScore,
    ConfusionMatrix,
    CosineSimilarity,
    Dice,
    Perplexity,
    auc,
    get_metric_fn,
    names,
)

RNG = np.random.default_rng(0)


def test_confusion_matrix_counts_over_batches():
    m = ConfusionMatrix(num_classes=3)
    expected = np.zeros((3, 3))
    for _ in range(3):
        scores = RNG.standard_normal((8, 3)).astype(np.float32)
        y = RNG.integers(0, 3, 8)
        m.update(Tensor(scores), Tensor(y))
        for t, p in zip(y, scores.argmax(1)):
            expected[t, p] += 1
    np.testing.assert_array_equal(m.eval(), expected)


@pytest.mark.parametrize("normalize", ["target", "prediction", "all"])
def test_confusion_matrix_normalized(normalize):
    y = np.array([0, 0, 1, 1, 1, 2])
    pred = np.array([0, 1, 1, 1, 0, 0])  # class 2 is never predicted: its column is zeros
    m = ConfusionMatrix(num_classes=3, normalize=normalize)
    m.update(pred, y)
    counts = np.array([[1, 1, 0], [1, 2, 0], [1, 0, 0]], float)
    if normalize == "target":
        want = counts / counts.sum(1, keepdims=True)
    elif normalize == "prediction":
        with np.errstate(invalid="ignore"):
            want = np.nan_to_num(counts / counts.sum(0, keepdims=True))
    else:
        want = counts / counts.sum()
    np.testing.assert_allclose(m.eval(), want)


def test_confusion_matrix_thresholds_binary_scores_and_checks():
    m = ConfusionMatrix(num_classes=2, threshold=0.7)
    m.update(np.array([0.9, 0.6, 0.8, 0.1]), np.array([1, 1, 0, 0]))
    np.testing.assert_array_equal(m.eval(), [[1, 1], [1, 1]])
    with pytest.raises(ValueError):
        ConfusionMatrix(2, normalize="rows")
    with pytest.raises(TypeError):
        ConfusionMatrix(2, threshold=1)
    with pytest.raises(ValueError):
        m.update(np.ones((2, 2, 2)), np.ones(2))
    with pytest.raises(ValueError):
        m.update(np.array([3]), np.array([0]))
    with pytest.raises(ValueError):
        ConfusionMatrix(2).eval()


def test_dice_sums_per_batch_coefficients_over_samples():
    batches = [(RNG.random((4, 5)), (RNG.random((4, 5)) > 0.5).astype(float)) for _ in range(2)]
    m = Dice(smooth=1e-5)
    for p, y in batches:
        m.update(p, y)
    total = sum(2 * (p * y).sum() / ((p * p).sum() + (y * y).sum() + 1e-5) for p, y in batches)
    assert math.isclose(m.eval(), total / 8, rel_tol=1e-12)
    with pytest.raises(ValueError):
        m.update(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError):
        Dice(smooth=0.0)


@pytest.mark.parametrize("ignore_label", [None, 1])
def test_perplexity(ignore_label):
    probs = RNG.random((6, 4))
    probs /= probs.sum(1, keepdims=True)
    labels = np.array([0, 1, 2, 3, 1, 0])
    m = Perplexity(ignore_label=ignore_label)
    m.update(Tensor(probs.astype(np.float32)), labels)
    keep = [i for i in range(6) if labels[i] != ignore_label]
    want = math.exp(-np.mean([math.log(probs[i, labels[i]]) for i in keep]))
    assert math.isclose(m.eval(), want, rel_tol=1e-5)
    with pytest.raises(ValueError):
        m.update(probs, labels[:5])
    with pytest.raises(TypeError):
        Perplexity(ignore_label=1.5)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("similarity", ["cosine", "dot"])
def test_cosine_similarity(similarity, reduction):
    x = RNG.standard_normal((5, 3))
    if similarity == "cosine":
        want = 1 - distance.cdist(x, x, "cosine")
    else:
        want = x @ x.T
    np.fill_diagonal(want, 0)
    want = {"none": want, "sum": want.sum(-1), "mean": want.mean(-1)}[reduction]
    m = CosineSimilarity(similarity=similarity, reduction=reduction)
    m.update(x)
    np.testing.assert_allclose(m.eval(), want, rtol=1e-10, atol=1e-12)
    keep = CosineSimilarity(zero_diagonal=False)
    keep.update(x)
    np.testing.assert_allclose(np.diag(keep.eval()), np.ones(5), rtol=1e-12)
    with pytest.raises(ValueError):
        CosineSimilarity(similarity="l2")


def _roc_brute_force(scores, positive):
    """The ROC points from every distinct threshold, counted directly."""
    fpr, tpr = [0.0], [0.0]
    for t in sorted(set(scores), reverse=True):
        predicted = scores >= t
        tpr.append((predicted & positive).sum() / positive.sum())
        fpr.append((predicted & ~positive).sum() / (~positive).sum())
    return np.array(fpr), np.array(tpr)


def test_roc_binary_against_direct_counting_and_the_mann_whitney_auc():
    scores = np.round(RNG.random(40), 1)  # ties
    y = (RNG.random(40) > 0.5).astype(int)
    m = ROC()
    m.update(scores, y)
    fpr, tpr, thresholds = m.eval()
    want_fpr, want_tpr = _roc_brute_force(scores, y == 1)
    np.testing.assert_allclose(fpr, want_fpr)
    np.testing.assert_allclose(tpr, want_tpr)
    np.testing.assert_allclose(thresholds[1:], sorted(set(scores), reverse=True))
    assert thresholds[0] == thresholds[1] + 1
    u = stats.mannwhitneyu(scores[y == 1], scores[y == 0]).statistic
    assert math.isclose(auc(fpr, tpr), u / ((y == 1).sum() * (y == 0).sum()), rel_tol=1e-12)


def test_roc_pos_label_and_multiclass():
    m = ROC(pos_label=2)
    m.update(np.array([0.1, 0.4, 0.35, 0.8]), np.array([1, 1, 2, 2]))
    fpr, tpr, _ = m.eval()
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    scores, y = RNG.random((12, 3)), np.arange(12) % 3
    m = ROC(class_num=3)
    m.update(scores, y)
    fprs, tprs, _ = m.eval()
    for c in range(3):
        want_fpr, want_tpr = _roc_brute_force(scores[:, c], y == c)
        np.testing.assert_allclose(fprs[c], want_fpr)
        np.testing.assert_allclose(tprs[c], want_tpr)
    with pytest.raises(ValueError):
        ROC(class_num=2).update(scores, y)
    with pytest.raises(ValueError):
        ROC(pos_label=1).update(scores, y)
    with pytest.raises(ValueError):
        only_positive = ROC()
        only_positive.update(np.array([0.2, 0.3]), np.array([1, 1]))
        only_positive.eval()


def test_auc():
    x = np.sort(RNG.random(10))
    y = RNG.random(10)
    assert math.isclose(auc(x, y), integrate.trapezoid(y, x), rel_tol=1e-12)
    assert math.isclose(auc(x[::-1], y[::-1]), integrate.trapezoid(y, x), rel_tol=1e-12)
    shuffled = RNG.permutation(10)
    assert math.isclose(auc(x[shuffled], y[shuffled], reorder=True), auc(x, y), rel_tol=1e-12)
    with pytest.raises(ValueError):
        auc(x[shuffled], y[shuffled])
    with pytest.raises(TypeError):
        auc([0.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError):
        auc(np.array([0.5]), np.array([0.5]))


CANDIDATE = [["i", "have", "a", "pen", "on", "my", "desk"]]
REFERENCES = [
    [
        ["i", "have", "a", "pen", "in", "my", "desk"],
        ["there", "is", "a", "pen", "on", "the", "desk"],
    ]
]


def test_bleu_against_the_counted_precisions():
    # Clipped matches per order, counted by hand: 7/7, 5/6, 3/5, 1/4; equal lengths: no penalty.
    m = BleuScore()
    m.update(CANDIDATE, REFERENCES)
    assert math.isclose(float(m.eval()), (1 * 5 / 6 * 3 / 5 * 1 / 4) ** 0.25, rel_tol=1e-12)
    m2 = BleuScore(n_gram=2)
    m2.update(CANDIDATE, REFERENCES)
    assert math.isclose(float(m2.eval()), (5 / 6) ** 0.5, rel_tol=1e-12)
    smooth = BleuScore(smooth=True)
    smooth.update(CANDIDATE, REFERENCES)
    want = (8 / 8 * 6 / 7 * 4 / 6 * 2 / 5) ** 0.25
    assert math.isclose(float(smooth.eval()), want, rel_tol=1e-12)


def test_bleu_brevity_penalty_and_zero():
    m = BleuScore(n_gram=1)
    m.update([["a", "pen"]], [[["a", "pen", "on", "desk"], ["a", "red", "pen"]]])
    # The closest reference length is 3: penalty exp(1 - 3/2), unigram precision 1.
    assert math.isclose(float(m.eval()), math.exp(1 - 3 / 2), rel_tol=1e-12)
    zero = BleuScore()
    zero.update([["x", "y"]], [[["a", "b"]]])
    assert float(zero.eval()) == 0.0
    with pytest.raises(ValueError):
        BleuScore(n_gram=5)
    with pytest.raises(ValueError):
        zero.update([["a"]], [])


def test_new_metrics_by_name():
    for name in (
        "confusion_matrix",
        "dice",
        "perplexity",
        "cosine_similarity",
        "roc",
        "bleu_score",
    ):
        assert name in names()
    assert isinstance(get_metric_fn("confusion_matrix", 3), ConfusionMatrix)
    assert isinstance(get_metric_fn("bleu_score"), BleuScore)
    assert isinstance(get_metric_fn("dice"), Dice)
