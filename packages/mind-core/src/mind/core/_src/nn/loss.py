"""Loss cells, MindSpore's names and defaults (note ``SmoothL1Loss`` and
``SoftmaxCrossEntropyWithLogits`` default to no reduction, as in MindSpore)."""

from __future__ import annotations

from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

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


# ------------------------------------------------------------------------------------------------
# Segmentation, focal, RMSE/MAE, CTC and multi-label margin losses
# ------------------------------------------------------------------------------------------------

__all__ += [
    "CTCLoss",
    "DiceLoss",
    "FocalLoss",
    "MAELoss",
    "MultiClassDiceLoss",
    "MultilabelMarginLoss",
    "RMSELoss",
]


def _is_tensor(loss: str, name: str, value: Any) -> Tensor:
    if not isinstance(value, Tensor):
        raise MindTypeError(
            f"For '{loss}', '{name}' must be a Tensor, but got {type(value).__name__}."
        )
    return value


def _same_shape(loss: str, logits: Tensor, labels: Tensor) -> None:
    if tuple(logits.shape) != tuple(labels.shape):
        raise MindValueError(
            f"For '{loss}', 'logits' and 'labels' must have the same shape, got {logits.shape} "
            f"and {labels.shape}."
        )


class RMSELoss(LossBase):
    """Root mean squared error: ``sqrt(mean((logits - labels) ** 2))`` (no ``reduction``
    argument, as MindSpore).

    >>> nn.RMSELoss()(Tensor([1.0, 2.0]), Tensor([1.0, 4.0]))   # sqrt(2)
    """

    def __init__(self) -> None:
        super().__init__()

    def construct(self, logits: Tensor, label: Tensor) -> Tensor:
        for name, t in (("logits", logits), ("label", label)):
            if F.as_tensor(t).dtype.name.startswith("uint"):
                raise MindTypeError(f"For 'RMSELoss', '{name}' must not be unsigned, got {t.dtype}")
        return F.sqrt(F.mse_loss(logits, label, "mean"))


class MAELoss(LossBase):
    """Mean absolute error ``|logits - label|``, reduced by ``reduction``."""

    def construct(self, logits: Tensor, label: Tensor) -> Tensor:
        _is_tensor("MAELoss", "logits", logits)
        _is_tensor("MAELoss", "labels", label)
        return self.get_loss(F.abs(F.sub(logits, label)))


class DiceLoss(LossBase):
    """``1 - 2 * sum(logits * labels) / (sum(logits ** 2) + sum(labels ** 2) + smooth)`` over
    every element: the set-overlap loss of segmentation (1 for disjoint sets, 0 for equal ones).

    >>> nn.DiceLoss()(Tensor([[0.2, 0.5], [0.3, 0.1]]), Tensor([[0.0, 1.0], [1.0, 0.0]]))
    """

    def __init__(self, smooth: float = 1e-5) -> None:
        super().__init__()
        smooth = I.check_number("DiceLoss", "smooth", smooth)
        if smooth <= 0:
            raise MindValueError(f"For 'DiceLoss', 'smooth' must be > 0, but got {smooth}.")
        self.smooth = smooth

    def construct(self, logits: Tensor, label: Tensor) -> Tensor:
        _is_tensor("DiceLoss", "logits", logits)
        _is_tensor("DiceLoss", "labels", label)
        _same_shape("DiceLoss", logits, label)
        for name, t in (("logits", logits), ("labels", label)):
            if t.dtype.name == "uint8":
                raise MindTypeError(f"For 'DiceLoss', the dtype of '{name}' can not be uint8.")
        x, y = F.reshape(logits, (-1,)), F.reshape(label, (-1,))
        intersection = F.sum(F.mul(x, y))
        union = F.add(F.sum(F.mul(x, x)), F.sum(F.mul(y, y)))
        return F.sub(1, F.div(F.mul(2, intersection), F.add(union, self.smooth)))


class MultiClassDiceLoss(LossBase):
    """The mean over classes (axis 1) of :class:`DiceLoss` of ``activation(logits)[:, i]``
    against ``label[:, i]``, each times ``weights[i]`` when given; class ``ignore_indiex`` (sic,
    MindSpore's name) is skipped but still counts in the mean."""

    _ACTIVATIONS = ("softmax", "logsoftmax", "relu", "relu6", "tanh", "sigmoid")

    def __init__(
        self, weights: Any = None, ignore_indiex: Any = None, activation: Any = "softmax"
    ) -> None:
        super().__init__()

        if weights is not None and not isinstance(weights, Tensor):
            raise MindTypeError(
                f"For 'MultiClassDiceLoss', 'weights' must be a Tensor or None, but got "
                f"{type(weights).__name__}."
            )
        if isinstance(weights, Tensor) and weights.ndim != 2:
            raise MindValueError(
                f"For 'MultiClassDiceLoss', the dimension of 'weights' must be 2, but got {weights.ndim}."
            )
        if ignore_indiex is not None:
            I.check_int("MultiClassDiceLoss", "ignore_indiex", ignore_indiex)
        if isinstance(activation, str):
            if activation not in self._ACTIVATIONS:
                raise MindValueError(
                    f"For 'MultiClassDiceLoss', 'activation' must be in {list(self._ACTIVATIONS)}, "
                    f"but got {activation!r}."
                )
            from mind.core._src.nn.basic import get_activation

            activation = get_activation(activation)
        if activation is not None and not isinstance(activation, Cell):
            raise MindTypeError(
                f"For 'MultiClassDiceLoss', 'activation' must be a str or a Cell, but got "
                f"{type(activation).__name__}."
            )
        self.weights, self.ignore_indiex, self.activation = weights, ignore_indiex, activation
        self.binarydiceloss = DiceLoss(smooth=1e-5)

    def construct(self, logits: Tensor, label: Tensor) -> Tensor:
        _is_tensor("MultiClassDiceLoss", "logits", logits)
        _is_tensor("MultiClassDiceLoss", "labels", label)
        _same_shape("MultiClassDiceLoss", logits, label)
        if logits.ndim < 2:
            raise MindValueError(
                f"For 'MultiClassDiceLoss', 'logits' dimension must be greater than 1, but got "
                f"{logits.ndim}."
            )
        if self.activation is not None:
            logits = self.activation(logits)
        classes = label.shape[1]
        total = None
        for i in range(classes):
            if i == self.ignore_indiex:
                continue
            loss = self.binarydiceloss(logits[:, i], label[:, i])
            if self.weights is not None:
                loss = F.mul(loss, self.weights[i])
            total = loss if total is None else F.add(total, loss)
        return F.div(total, classes) if total is not None else F.zeros((), logits.dtype)


class FocalLoss(LossBase):
    """Focal loss for class imbalance: ``-(1 - p) ** gamma * log p`` of the softmax (over axis
    1) probability ``p`` of the labelled class, averaged over the class axis, then reduced.

    ``logits`` (N, C[, H[, W]]); ``labels`` either class indices (N, 1[, ...]) or one-hot
    (N, C[, ...]); ``weight`` (C,) scales each class.
    """

    def __init__(self, weight: Any = None, gamma: float = 2.0, reduction: str = "mean") -> None:
        super().__init__(reduction)

        if isinstance(gamma, bool) or not isinstance(gamma, int | float):
            raise MindTypeError(
                f"For 'FocalLoss', 'gamma' must be a float, but got {type(gamma).__name__}."
            )
        if weight is not None and not isinstance(weight, Tensor):
            raise MindTypeError(
                f"For 'FocalLoss', the type of 'weight' must be a Tensor, but got {type(weight).__name__}."
            )
        if isinstance(weight, Tensor) and weight.ndim != 1:
            raise MindValueError(
                f"For 'FocalLoss', the dimension of 'weight' must be 1, but got {weight.ndim}."
            )
        self.gamma, self.weight = float(gamma), weight

    def construct(self, logits: Tensor, labels: Tensor) -> Tensor:

        _is_tensor("FocalLoss", "logits", logits)
        _is_tensor("FocalLoss", "labels", labels)
        if not 2 <= logits.ndim <= 4 or logits.ndim != labels.ndim:
            raise MindValueError(
                f"For 'FocalLoss', 'logits' and 'labels' must have the same rank in [2, 4], got "
                f"{logits.shape} and {labels.shape}."
            )
        channels, label_channels = logits.shape[1], labels.shape[1]
        if channels == 1 or label_channels not in (1, channels):
            raise MindValueError(
                f"For 'FocalLoss', 'logits'.shape[1] must be > 1 and 'labels'.shape[1] must be 1 "
                f"or {channels}, got {channels} and {label_channels}."
            )
        if labels.dtype.name not in ("int32", "int64", "float16", "float32"):
            raise MindTypeError(
                f"For 'FocalLoss', 'labels' must be int32, int64, float16 or float32, got {labels.dtype}."
            )
        x = F.reshape(logits, (logits.shape[0], channels, -1))
        y = F.reshape(labels, (labels.shape[0], label_channels, -1))
        log_p = F.log_softmax(x, 1)
        indices = label_channels == 1
        if indices:
            log_p = F.squeeze(F.gather_elements(log_p, 1, F.cast(y, "int32")), 1)
        p = F.exp(log_p)
        if self.weight is not None:
            w = F.broadcast_to(F.reshape(self.weight, (1, -1, 1)), x.shape)
            if indices:
                w = F.squeeze(F.gather_elements(w, 1, F.cast(y, "int32")), 1)
            log_p = F.mul(log_p, w)
        modulating = F.pow(F.sub(1.0, p), self.gamma)
        if indices:
            loss = F.mean(F.neg(F.mul(modulating, log_p)), 1)
        else:
            loss = F.mean(F.neg(F.mul(F.mul(modulating, y), log_p)), -1)
        return self.get_loss(loss)


class CTCLoss(LossBase):
    """The CTC loss of :func:`mind.core.ops.ctc_loss` (the log-likelihood alone): ``log_probs``
    (T, N, C), or (T, C) for one unbatched sequence with ``targets`` (S,) or (1, S)."""

    def __init__(
        self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False
    ) -> None:
        super().__init__(reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def construct(
        self, log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        _is_tensor("CTCLoss", "log_probs", log_probs)
        _is_tensor("CTCLoss", "targets", targets)
        if log_probs.ndim == 2:
            if targets.ndim > 2 or (targets.ndim == 2 and targets.shape[0] != 1):
                raise MindValueError(
                    "For 'CTCLoss', with (T, C) 'log_probs' the targets must be (S,) or (1, S), "
                    f"got {targets.shape}"
                )
            if targets.ndim == 1:
                targets = F.expand_dims(targets, 0)
            loss, _ = F.ctc_loss(
                F.expand_dims(log_probs, 1),
                targets,
                input_lengths,
                target_lengths,
                self.blank,
                self.reduction,
                self.zero_infinity,
            )
            return F.squeeze(loss, 0) if loss.ndim else loss
        loss, _ = F.ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            self.blank,
            self.reduction,
            self.zero_infinity,
        )
        return loss


class MultilabelMarginLoss(_Loss):
    """The multi-label hinge loss of :func:`mind.core.ops.multilabel_margin_loss`."""

    def construct(self, x: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(x, target, self.reduction)


__all__ += ["SampledSoftmaxLoss"]


class SampledSoftmaxLoss(LossBase):
    """Softmax cross entropy over the true classes and ``num_sampled`` classes drawn by a
    uniform candidate sampler (without replacement), instead of all ``num_classes``: the
    training loss of a very wide output layer.

    ``construct(weights, biases, labels, logits)``: ``weights`` (num_classes, dim), ``biases``
    (num_classes,), ``labels`` (batch, num_true) int32/int64, ``logits`` (batch, dim) the inputs
    of the output layer. Each logit of class c is ``logits @ weights[c] + biases[c] - log Q(c)``,
    Q(c) the sampler's expected count; the true classes share probability ``1 / num_true``.
    ``sampled_values`` gives a fixed ``(sampled, true_expected_count, sampled_expected_count)``
    instead of drawing; ``remove_accidental_hits`` keeps the true classes out of the draw (as
    MindSpore's sampler does).

    >>> loss = nn.SampledSoftmaxLoss(num_sampled=4, num_classes=7, num_true=1)
    >>> w, b = Tensor(np.random.randn(7, 10), ms.float32), Tensor(np.zeros(7), ms.float32)
    >>> loss(w, b, Tensor(np.array([[0], [3]]), ms.int32), Tensor(np.random.randn(2, 10), ms.float32)).shape
    (2,)
    """

    def __init__(
        self,
        num_sampled: int,
        num_classes: int,
        num_true: int = 1,
        sampled_values: Any = None,
        remove_accidental_hits: bool = True,
        seed: int = 0,
        reduction: str = "none",
    ) -> None:
        super().__init__(reduction)

        name = "SampledSoftmaxLoss"
        I.check_int(name, "num_sampled", num_sampled, minimum=1)
        I.check_int(name, "num_classes", num_classes, minimum=1)
        I.check_int(name, "num_true", num_true, minimum=1)
        I.check_int(name, "seed", seed, minimum=0)
        if num_sampled > num_classes or num_true > num_classes:
            raise MindValueError(
                f"For '{name}', 'num_sampled' ({num_sampled}) and 'num_true' ({num_true}) must be "
                f"at most 'num_classes' ({num_classes})."
            )
        if sampled_values is not None:
            if not isinstance(sampled_values, list | tuple):
                raise MindTypeError(
                    f"For '{name}', 'sampled_values' must be a list or tuple, but got "
                    f"{type(sampled_values).__name__}."
                )
            if len(sampled_values) != 3:
                raise MindValueError(
                    f"For '{name}', 'sampled_values' must have 3 entries, got {len(sampled_values)}."
                )
        self.num_sampled, self.num_classes, self.num_true = num_sampled, num_classes, num_true
        self.sampled_values, self.seed = sampled_values, seed
        self.remove_accidental_hits = I.check_bool(
            name, "remove_accidental_hits", remove_accidental_hits
        )

    def construct(self, weights: Tensor, biases: Tensor, labels: Tensor, logits: Tensor) -> Tensor:
        name = "SampledSoftmaxLoss"
        for arg, t in (
            ("weights", weights),
            ("biases", biases),
            ("labels", labels),
            ("logits", logits),
        ):
            _is_tensor(name, arg, t)
        if labels.dtype.name not in ("int32", "int64"):
            raise MindTypeError(
                f"For '{name}', 'labels' must be int32 or int64, got {labels.dtype}."
            )
        labels = F.reshape(F.cast(labels, "int32"), (-1, self.num_true))
        sampled_values = self.sampled_values
        if sampled_values is None:
            sampled_values = F.uniform_candidate_sampler(
                labels,
                self.num_true,
                self.num_sampled,
                True,
                self.num_classes,
                self.seed,
                self.remove_accidental_hits,
            )
        sampled, true_expected, sampled_expected = sampled_values
        sampled = F.cast(sampled, "int32")
        true_w = F.gather(weights, F.reshape(labels, (-1,)), 0)  # (B * num_true, dim)
        true_w = F.reshape(true_w, (-1, self.num_true, weights.shape[1]))
        true_logits = F.sum(F.mul(F.expand_dims(logits, 1), true_w), 2)  # (B, num_true)
        true_logits = F.add(true_logits, F.gather(biases, labels, 0))
        sampled_logits = F.add(
            F.matmul(logits, F.transpose(F.gather(weights, sampled, 0), (1, 0))),
            F.gather(biases, sampled, 0),
        )
        # Subtract log Q: the logits of an importance-sampled softmax.
        true_logits = F.sub(true_logits, F.log(F.cast(true_expected, true_logits.dtype)))
        sampled_logits = F.sub(
            sampled_logits, F.log(F.cast(sampled_expected, sampled_logits.dtype))
        )
        out_logits = F.concat([true_logits, sampled_logits], 1)
        targets = F.concat(
            [F.div(F.ones_like(true_logits), self.num_true), F.zeros_like(sampled_logits)], 1
        )
        log_p = F.log_softmax(out_logits, 1)
        return self.get_loss(F.neg(F.sum(F.mul(targets, log_p), 1)))
