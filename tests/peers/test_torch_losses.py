"""Mind's loss functions (mind.core.ops) and loss Cells (mind.core.nn) against PyTorch's on the
same inputs: forward values and gradients in every differentiable input, for each reduction.

Run by ``nox -s peers`` (torch==2.13.0 CPU); the default test run does not collect this
directory. Inputs are float64. MindSpore's argument order is PyTorch's for all of these:
``kl_div(logits, labels)`` is ``F.kl_div(input, target)`` (log-probabilities first, the target
distribution second); where a Cell takes an argument in ``construct`` that PyTorch's module
takes in ``__init__`` (TripletMarginLoss's margin, MultiMarginLoss's weight) the test says so.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare as _compare

from mind.core import Tensor, nn, ops

RNG = np.random.default_rng(17)


REDUCTIONS = ["none", "mean", "sum"]
# torch warns that kl_div's 'mean' will become 'batchmean' in its next major release
KL_MEAN_WARNING = "ignore:reduction. 'mean' divides the total loss"
N, C = 4, 5


def _signs(*shape):
    return np.where(RNG.random(size=shape) > 0.5, 1.0, -1.0)


def _log_probs(*shape):
    x = RNG.normal(size=shape)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def _probs(*shape):
    return np.exp(_log_probs(*shape))


# ---------------------------------------------------------------- kl_div


@pytest.mark.filterwarnings(KL_MEAN_WARNING)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("shape", [(N, C), (2, 3, 4)], ids=str)
def test_kl_div(shape, reduction):
    # MindSpore's kl_div(logits, labels): log-probabilities first, as torch's F.kl_div(input,
    # target); 'batchmean' divides the sum by the first axis in both
    _compare(
        lambda x, y: ops.kl_div(x, y, reduction),
        lambda x, y: TF.kl_div(x, y, reduction=reduction),
        _log_probs(*shape),
        _probs(*shape),
    )
    _compare(
        lambda x, y: nn.KLDivLoss(reduction)(x, y),
        lambda x, y: torch.nn.KLDivLoss(reduction=reduction)(x, y),
        _log_probs(*shape),
        _probs(*shape),
    )


@pytest.mark.filterwarnings(KL_MEAN_WARNING)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
def test_kl_div_with_zero_targets(reduction):
    x, y = _log_probs(N, C), _probs(N, C)
    y[:, 1] = 0.0
    y[2, :3] = 0.0
    # the target's gradient at 0 is log(0): only the input's is compared there
    _compare(
        lambda a: ops.kl_div(a, Tensor(y), reduction),
        lambda a: TF.kl_div(a, torch.tensor(y), reduction=reduction),
        x,
    )


# ---------------------------------------------------------------- probabilities and margins


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(N, C), (7,)], ids=str)
def test_binary_cross_entropy(shape, weighted, reduction):
    p = 1 / (1 + np.exp(-RNG.normal(size=shape)))
    y = RNG.random(size=shape)  # soft labels: the target's gradient is not trivial
    wt = RNG.random(size=shape[-1:]) + 0.5 if weighted else None
    _compare(
        lambda a, b: ops.binary_cross_entropy(a, b, None if wt is None else Tensor(wt), reduction),
        lambda a, b: TF.binary_cross_entropy(
            a, b, None if wt is None else torch.tensor(wt), reduction=reduction
        ),
        p,
        y,
    )
    _compare(
        lambda a, b: nn.BCELoss(None if wt is None else Tensor(wt), reduction)(a, b),
        lambda a, b: torch.nn.BCELoss(
            None if wt is None else torch.tensor(wt), reduction=reduction
        )(a, b),
        p,
        y,
    )


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning")
def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    # log(0) is -inf before the clamp (numpy warns); the loss is 100 there, as torch's.
    # Forward only: where the clamp acts the gradients differ (Mind's NaN or 0, torch's
    # (p - y) / max(p (1 - p), 1e-12), as MindSpore's BinaryCrossEntropyGrad kernel).
    p = np.array([0.0, 1.0, 0.5, 1e-50])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    _compare(
        lambda a: ops.binary_cross_entropy(a, Tensor(y), reduction="none"),
        lambda a: TF.binary_cross_entropy(a, torch.tensor(y), reduction="none"),
        p,
        grad=False,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.7])
def test_margin_ranking_loss(margin, reduction):
    a, b, y = RNG.normal(size=(8,)), RNG.normal(size=(8,)), _signs(8)
    _compare(
        lambda p, q: ops.margin_ranking_loss(p, q, Tensor(y), margin, reduction),
        lambda p, q: TF.margin_ranking_loss(p, q, torch.tensor(y), margin, reduction=reduction),
        a,
        b,
    )
    _compare(
        lambda p, q: nn.MarginRankingLoss(margin, reduction)(p, q, Tensor(y)),
        lambda p, q: torch.nn.MarginRankingLoss(margin, reduction=reduction)(p, q, torch.tensor(y)),
        a,
        b,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.4])
@pytest.mark.parametrize("shape", [(N, C), (9,)], ids=str)
def test_hinge_embedding_loss(shape, margin, reduction):
    x, y = np.abs(RNG.normal(size=shape)), _signs(*shape)
    _compare(
        lambda a: ops.hinge_embedding_loss(a, Tensor(y), margin, reduction),
        lambda a: TF.hinge_embedding_loss(a, torch.tensor(y), margin, reduction=reduction),
        x,
    )
    _compare(
        lambda a: nn.HingeEmbeddingLoss(margin, reduction)(a, Tensor(y)),
        lambda a: torch.nn.HingeEmbeddingLoss(margin, reduction=reduction)(a, torch.tensor(y)),
        x,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(weighted, reduction):
    x = RNG.normal(size=(N, C))
    y = (RNG.random(size=(N, C)) > 0.5).astype(np.float64)
    wt = RNG.random(size=(C,)) + 0.5 if weighted else None
    _compare(
        lambda a: ops.multilabel_soft_margin_loss(
            a, Tensor(y), None if wt is None else Tensor(wt), reduction
        ),
        lambda a: TF.multilabel_soft_margin_loss(
            a, torch.tensor(y), None if wt is None else torch.tensor(wt), reduction=reduction
        ),
        x,
    )
    _compare(
        lambda a: nn.MultiLabelSoftMarginLoss(None if wt is None else Tensor(wt), reduction)(
            a, Tensor(y)
        ),
        lambda a: torch.nn.MultiLabelSoftMarginLoss(
            None if wt is None else torch.tensor(wt), reduction=reduction
        )(a, torch.tensor(y)),
        x,
    )


# ---------------------------------------------------------------- regression likelihoods


GAUSSIAN_VAR = [(N, C), (N, 1), (N,)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", GAUSSIAN_VAR, ids=str)
def test_gaussian_nll_loss(var_shape, full, reduction):
    x, t = RNG.normal(size=(N, C)), RNG.normal(size=(N, C))
    var = RNG.random(size=var_shape) + 0.1
    _compare(
        lambda a, b, v: ops.gaussian_nll_loss(a, b, v, full, 1e-6, reduction),
        lambda a, b, v: TF.gaussian_nll_loss(a, b, v, full, 1e-6, reduction),
        x,
        t,
        var,
    )
    _compare(
        lambda a, b, v: nn.GaussianNLLLoss(full=full, reduction=reduction)(a, b, v),
        lambda a, b, v: torch.nn.GaussianNLLLoss(full=full, reduction=reduction)(a, b, v),
        x,
        t,
        var,
    )


def test_gaussian_nll_loss_clamps_the_variance_at_eps():
    x, t = RNG.normal(size=(N, C)), RNG.normal(size=(N, C))
    var = RNG.random(size=(N, C)) * 0.2
    # values and the gradients in x and target are torch's
    _compare(
        lambda a, b: ops.gaussian_nll_loss(a, b, Tensor(var), False, 0.1, "none"),
        lambda a, b: TF.gaussian_nll_loss(a, b, torch.tensor(var), False, 0.1, "none"),
        x,
        t,
    )

    # In var they differ on purpose below eps: MindSpore documents the loss of max(var, eps),
    # whose gradient in var is 0 there, while torch's clamp "is ignored with respect to
    # autograd" (its docs). The peer is MindSpore's formula written in torch.
    def documented(a, b, v):
        v = torch.clamp(v, min=0.1)
        return 0.5 * (torch.log(v) + (a - b) ** 2 / v)

    _compare(
        lambda a, b, v: ops.gaussian_nll_loss(a, b, v, False, 0.1, "none"),
        documented,
        x,
        t,
        var,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
def test_huber_loss(delta, reduction):
    x, t = RNG.normal(size=(N, C)) * 2, RNG.normal(size=(N, C))
    _compare(
        lambda a, b: ops.huber_loss(a, b, reduction, delta),
        lambda a, b: TF.huber_loss(a, b, reduction=reduction, delta=delta),
        x,
        t,
    )
    _compare(
        lambda a, b: nn.HuberLoss(reduction, delta)(a, b),
        lambda a, b: torch.nn.HuberLoss(reduction=reduction, delta=delta)(a, b),
        x,
        t,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "log_input, full", [(True, False), (False, False), (True, True), (False, True)]
)
def test_poisson_nll_loss(log_input, full, reduction):
    x = RNG.normal(size=(N, C)) if log_input else RNG.random(size=(N, C)) + 0.1
    t = RNG.integers(0, 5, size=(N, C)).astype(np.float64)  # counts 0 and 1 too (no Stirling)
    _compare(
        lambda a: ops.poisson_nll_loss(a, Tensor(t), log_input, full, 1e-8, reduction),
        lambda a: TF.poisson_nll_loss(
            a, torch.tensor(t), log_input, full, eps=1e-8, reduction=reduction
        ),
        x,
    )
    _compare(
        lambda a: nn.PoissonNLLLoss(log_input, full, 1e-8, reduction)(a, Tensor(t)),
        lambda a: torch.nn.PoissonNLLLoss(log_input, full, eps=1e-8, reduction=reduction)(
            a, torch.tensor(t)
        ),
        x,
    )


# ---------------------------------------------------------------- embeddings and classes


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "p, swap, margin", [(2, False, 1.0), (1, False, 0.5), (3, True, 1.0), (2, True, 2.0)]
)
def test_triplet_margin_loss(p, swap, margin, reduction):
    a, pos, neg = (RNG.normal(size=(N, C)) for _ in range(3))
    _compare(
        lambda x, y, z: ops.triplet_margin_loss(x, y, z, margin, p, 1e-6, swap, reduction),
        lambda x, y, z: TF.triplet_margin_loss(
            x, y, z, margin=margin, p=p, eps=1e-6, swap=swap, reduction=reduction
        ),
        a,
        pos,
        neg,
        rtol=1e-9,
    )
    # MindSpore's nn.TripletMarginLoss takes margin in construct; torch's in __init__
    _compare(
        lambda x, y, z: nn.TripletMarginLoss(p, swap, 1e-6, reduction)(x, y, z, margin),
        lambda x, y, z: torch.nn.TripletMarginLoss(
            margin=margin, p=p, eps=1e-6, swap=swap, reduction=reduction
        )(x, y, z),
        a,
        pos,
        neg,
        rtol=1e-9,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3, -0.2])
def test_cosine_embedding_loss(margin, reduction):
    a, b, y = RNG.normal(size=(N, C)), RNG.normal(size=(N, C)), _signs(N)
    _compare(
        lambda x1, x2: ops.cosine_embedding_loss(x1, x2, Tensor(y), margin, reduction),
        lambda x1, x2: TF.cosine_embedding_loss(
            x1, x2, torch.tensor(y), margin, reduction=reduction
        ),
        a,
        b,
        rtol=1e-9,
    )
    _compare(
        lambda x1, x2: nn.CosineEmbeddingLoss(margin, reduction)(x1, x2, Tensor(y)),
        lambda x1, x2: torch.nn.CosineEmbeddingLoss(margin, reduction=reduction)(
            x1, x2, torch.tensor(y)
        ),
        a,
        b,
        rtol=1e-9,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(N, C), (6,)], ids=str)
def test_soft_margin_loss(shape, reduction):
    x, y = RNG.normal(size=shape), _signs(*shape)
    _compare(
        lambda a: ops.soft_margin_loss(a, Tensor(y), reduction),
        lambda a: TF.soft_margin_loss(a, torch.tensor(y), reduction=reduction),
        x,
    )
    _compare(
        lambda a: nn.SoftMarginLoss(reduction)(a, Tensor(y)),
        lambda a: torch.nn.SoftMarginLoss(reduction=reduction)(a, torch.tensor(y)),
        x,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p, margin", [(1, 1.0), (2, 1.0), (1, 0.5), (2, 2.0)])
def test_multi_margin_loss(p, margin, weighted, reduction):
    x = RNG.normal(size=(N, C))
    target = RNG.integers(0, C, size=(N,))
    wt = RNG.random(size=(C,)) + 0.5 if weighted else None
    _compare(
        lambda a: ops.multi_margin_loss(
            a, Tensor(target), p, margin, None if wt is None else Tensor(wt), reduction
        ),
        lambda a: TF.multi_margin_loss(
            a,
            torch.tensor(target),
            p,
            margin,
            None if wt is None else torch.tensor(wt),
            reduction=reduction,
        ),
        x,
    )
    # MindSpore's nn.MultiMarginLoss takes weight in __init__ or in construct: both checked
    peer = torch.nn.MultiMarginLoss(
        p, margin, None if wt is None else torch.tensor(wt), reduction=reduction
    )
    _compare(
        lambda a: nn.MultiMarginLoss(p, margin, reduction, None if wt is None else Tensor(wt))(
            a, Tensor(target)
        ),
        lambda a: peer(a, torch.tensor(target)),
        x,
    )
    if wt is not None:
        _compare(
            lambda a: nn.MultiMarginLoss(p, margin, reduction)(a, Tensor(target), Tensor(wt)),
            lambda a: peer(a, torch.tensor(target)),
            x,
        )
