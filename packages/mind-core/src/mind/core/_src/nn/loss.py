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
