"""MindSpore's Primitive-class operators over the ops of ``losses`` (see ops.operations: each class
is generated from one table line and applies the functional op)."""

from __future__ import annotations

from mind.core._src.ops import losses as M
from mind.core._src.ops import nn_ops
from mind.core._src.ops.operations import _calls, _define

_define(
    "KLDivLoss",
    _calls(M.kl_div)(lambda op, logits, labels: M.kl_div(logits, labels, op.reduction)),
    reduction="mean",
)
_define(
    "BinaryCrossEntropy",
    _calls(M.binary_cross_entropy)(
        lambda op, logits, labels, weight=None: M.binary_cross_entropy(
            logits, labels, weight, op.reduction
        )
    ),
    reduction="mean",
)
_define(
    "SmoothL1Loss",
    _calls(nn_ops.smooth_l1_loss)(
        lambda op, prediction, target: nn_ops.smooth_l1_loss(
            prediction, target, op.beta, op.reduction
        )
    ),
    beta=1.0,
    reduction="none",
)
_define(
    "SoftMarginLoss",
    _calls(M.soft_margin_loss)(lambda op, x, target: M.soft_margin_loss(x, target, op.reduction)),
    reduction="mean",
)
_define(
    "MultiMarginLoss",
    _calls(M.multi_margin_loss)(
        lambda op, inputs, target, weight=None: M.multi_margin_loss(
            inputs, target, op.p, op.margin, weight, op.reduction
        )
    ),
    p=1,
    margin=1.0,
    reduction="mean",
)
_define(
    "MultilabelMarginLoss",
    _calls(M.multilabel_margin_loss)(
        lambda op, x, target: M._multilabel_margin(x, target, op.reduction)
    ),
    reduction="mean",
)
