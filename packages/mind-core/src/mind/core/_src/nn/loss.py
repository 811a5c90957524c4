"""Loss cells, MindSpore's names and defaults (note ``SmoothL1Loss`` and
``SoftmaxCrossEntropyWithLogits`` default to no reduction, as in MindSpore)."""

from __future__ import annotations

from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor.tensor import Tensor

__all__ = [
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "L1Loss",
    "MSELoss",
    "NLLLoss",
    "SmoothL1Loss",
    "SoftmaxCrossEntropyWithLogits",
]


class _Loss(Cell):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            from mind.core.errors import MindValueError

            raise MindValueError(
                f"For '{type(self).__name__}', 'reduction' must be 'mean', 'sum' or 'none', got {reduction!r}"
            )
        self.reduction = reduction


class CrossEntropyLoss(_Loss):
    """Cross entropy of logits (N, C) against class indices (N,) or probabilities (N, C)."""

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        I.check_int("CrossEntropyLoss", "ignore_index", ignore_index)
        I.check_number("CrossEntropyLoss", "label_smoothing", label_smoothing, 0.0, 1.0)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.cross_entropy(
            logits, labels, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class SoftmaxCrossEntropyWithLogits(_Loss):
    """``sparse=True``: labels are class indices; otherwise one-hot/probabilities."""

    def __init__(self, sparse: bool = False, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.sparse = sparse

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        if self.sparse:
            labels = F.cast(labels, "int64")
        return F.cross_entropy(logits, labels, reduction=self.reduction)


class NLLLoss(_Loss):
    def __init__(
        self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        I.check_int("NLLLoss", "ignore_index", ignore_index)
        self.weight, self.ignore_index = weight, ignore_index

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.nll_loss(logits, labels, self.weight, self.ignore_index, self.reduction)


class MSELoss(_Loss):
    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.mse_loss(logits, labels, self.reduction)


class L1Loss(_Loss):
    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.l1_loss(logits, labels, self.reduction)


class SmoothL1Loss(_Loss):
    def __init__(self, beta: float = 1.0, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.beta = beta

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.smooth_l1_loss(logits, labels, self.beta, self.reduction)


class BCEWithLogitsLoss(_Loss):
    def __init__(self, reduction: str = "mean", weight: Any = None, pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            logits, labels, self.weight, self.pos_weight, self.reduction
        )


# ------------------------------------------------------------------------------------------------
# The base of custom losses, and the losses of ops.losses
# ------------------------------------------------------------------------------------------------

__all__ += [
    "BCELoss",
    "CosineEmbeddingLoss",
    "GaussianNLLLoss",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "KLDivLoss",
    "LossBase",
    "MarginRankingLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "PoissonNLLLoss",
    "SoftMarginLoss",
    "TripletMarginLoss",
]


class LossBase(_Loss):
    """MindSpore's base for custom losses: ``construct`` computes the elementwise loss and
    returns ``self.get_loss(x, weights)``, which weights and reduces it as ``reduction`` says."""

    def get_axis(self, x: Tensor) -> tuple[int, ...]:
        """Every axis of ``x`` (what ``'mean'`` and ``'sum'`` reduce over)."""
        return tuple(range(F.as_tensor(x).ndim))

    def get_loss(self, x: Tensor, weights: Any = 1.0) -> Tensor:
        """``x * weights`` reduced by ``reduction``, computed in float32 and returned in ``x``'s
        dtype."""
        x = F.as_tensor(x)
        dtype = x.dtype
        weighted = F.mul(F.cast(x, "float32"), F.cast(F.as_tensor(weights), "float32"))
        if self.reduction == "mean":
            weighted = F.mean(weighted, self.get_axis(weighted))
        elif self.reduction == "sum":
            weighted = F.sum(weighted, self.get_axis(weighted))
        return F.cast(weighted, dtype)

    def construct(self, *inputs: Any) -> Tensor:
        raise NotImplementedError(
            f"'{type(self).__name__}' subclasses LossBase: define construct(logits, labels) "
            "and return self.get_loss(loss)"
        )


class BCELoss(_Loss):
    """Binary cross entropy of probabilities against targets, ``weight`` per element."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.binary_cross_entropy(logits, labels, self.weight, self.reduction)


class KLDivLoss(Cell):
    """KL divergence of log-probabilities ``logits`` from ``labels``; ``reduction`` may also be
    ``'batchmean'``."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "batchmean", "sum", "none"):
            from mind.core.errors import MindValueError

            raise MindValueError(
                "For 'KLDivLoss', 'reduction' must be 'mean', 'batchmean', 'sum' or 'none', "
                f"got {reduction!r}"
            )
        self.reduction = reduction

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.kl_div(logits, labels, self.reduction)


class HuberLoss(_Loss):
    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.huber_loss(logits, labels, self.reduction, self.delta)


class SoftMarginLoss(_Loss):
    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.soft_margin_loss(logits, labels, self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def construct(self, x: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(x, target, self.weight, self.reduction)


class MultiMarginLoss(_Loss):
    def __init__(
        self, p: int = 1, margin: float = 1.0, reduction: str = "mean", weight: Any = None
    ) -> None:
        super().__init__(reduction)
        self.p, self.margin, self.weight = p, margin, weight

    def construct(self, x: Tensor, target: Tensor, weight: Any = None) -> Tensor:
        weight = self.weight if weight is None else weight
        return F.multi_margin_loss(x, target, self.p, self.margin, weight, self.reduction)


class GaussianNLLLoss(_Loss):
    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full, self.eps = full, eps

    def construct(self, logits: Tensor, labels: Tensor, var: Tensor) -> Tensor:
        return F.gaussian_nll_loss(logits, labels, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        eps: float = 1e-08,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def construct(self, input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(
            input, target, self.log_input, self.full, self.eps, self.reduction
        )


class MarginRankingLoss(_Loss):
    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def construct(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class HingeEmbeddingLoss(_Loss):
    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:
        return F.hinge_embedding_loss(logits, labels, self.margin, self.reduction)


class CosineEmbeddingLoss(_Loss):
    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def construct(self, logits_x1: Tensor, logits_x2: Tensor, labels: Tensor) -> Tensor:
        return F.cosine_embedding_loss(logits_x1, logits_x2, labels, self.margin, self.reduction)


class TripletMarginLoss(_Loss):
    """The margin is a call argument, as in MindSpore: ``loss(x, positive, negative, margin)``."""

    def __init__(
        self, p: int = 2, swap: bool = False, eps: float = 1e-06, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.p, self.swap, self.eps = p, swap, eps

    def construct(self, x: Tensor, positive: Tensor, negative: Tensor, margin: Any = 1.0) -> Tensor:
        return F.triplet_margin_loss(
            x, positive, negative, margin, self.p, self.eps, self.swap, self.reduction
        )
