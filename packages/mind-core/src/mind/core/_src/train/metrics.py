"""Evaluation metrics with MindSpore's names (``mindspore.train.Accuracy`` and friends).

A metric accumulates over batches: ``clear()`` resets it, ``update(*inputs)`` adds one batch,
``eval()`` returns the result so far. ``Model.eval`` calls ``update(outputs, labels)`` (the
``Loss`` metric gets the loss instead) for every batch. Inputs may be Tensors, numpy arrays or
lists; the arithmetic is plain numpy, so results do not depend on the device.

``names()`` lists the names ``Model(metrics={...})`` accepts and ``get_metric_fn(name)`` builds one.
"""

from __future__ import annotations

import collections
import functools
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "F1",
    "MAE",
    "MSE",
    "ROC",
    "Accuracy",
    "BleuScore",
    "ConfusionMatrix",
    "CosineSimilarity",
    "Dice",
    "Fbeta",
    "Loss",
    "Metric",
    "Perplexity",
    "Precision",
    "Recall",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "auc",
    "get_metric_fn",
    "names",
    "rearrange_inputs",
]

_EVAL_TYPES = ("classification", "multilabel")


def rearrange_inputs(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``update`` so it sees only the inputs picked by :meth:`Metric.set_indexes`.

    >>> class FirstOnly(Metric):
    ...     @rearrange_inputs
    ...     def update(self, *inputs):
    ...         self.seen = inputs
    >>> m = FirstOnly().set_indexes([1])
    >>> m.update("a", "b", "c"); m.seen
    ('b',)
    """

    @functools.wraps(func)
    def wrapper(self: Metric, *inputs: Any) -> Any:
        indexes = self.indexes
        if indexes is not None:
            if max(indexes) >= len(inputs):
                raise MindValueError(
                    f"For '{type(self).__name__}.update', the indexes {indexes} set with "
                    f"set_indexes() need {max(indexes) + 1} inputs, got {len(inputs)}"
                )
            inputs = tuple(inputs[i] for i in indexes)
        return func(self, *inputs)

    return wrapper


class Metric:
    """Base class of metrics: override ``clear``, ``update(*inputs)`` and ``eval``.

    Calling a metric (``metric(y_pred, y)``) clears it, updates it once and returns ``eval()``.

    >>> import numpy as np
    >>> from mind.core.train import Accuracy
    >>> Accuracy()(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
    0.5
    """

    def __init__(self) -> None:
        self._indexes: list[int] | None = None

    @property
    def indexes(self) -> list[int] | None:
        """Which of ``update``'s inputs are used (see :meth:`set_indexes`); ``None`` for all."""
        return getattr(self, "_indexes", None)

    def set_indexes(self, indexes: list[int]) -> Metric:
        """Use only the inputs at ``indexes``, in that order (for ``@rearrange_inputs`` updates).

        Returns the metric, so ``Accuracy().set_indexes([1, 2])`` can be passed straight on.
        """
        if not isinstance(indexes, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes
        ):
            raise MindTypeError(
                f"For '{type(self).__name__}.set_indexes', 'indexes' must be a list of "
                f"non-negative ints, got {indexes!r}"
            )
        self._indexes = list(indexes)
        return self

    def clear(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define clear()")

    def update(self, *inputs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update()")

    def eval(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define eval()")

    def __call__(self, *inputs: Any) -> Any:
        self.clear()
        self.update(*inputs)
        return self.eval()

    # -- helpers for subclasses ---------------------------------------------------------------------

    def _convert_data(self, data: Any, what: str = "input") -> np.ndarray:
        """``data`` (Tensor, numpy array, list or number) as a numpy array."""
        if isinstance(data, Tensor):
            return data.asnumpy()
        if isinstance(data, np.ndarray):
            return data
        if isinstance(data, list | tuple | int | float | np.generic):
            return np.asarray(data)
        raise MindTypeError(
            f"For '{type(self).__name__}.update', {what} must be a Tensor, a numpy array or a "
            f"list, got {type(data).__name__}"
        )

    def _check_num_inputs(self, inputs: tuple, expected: int, names: str) -> None:
        if len(inputs) != expected:
            raise MindValueError(
                f"For '{type(self).__name__}.update', it needs {expected} inputs ({names}), "
                f"got {len(inputs)}"
            )

    def _empty_error(self) -> MindValueError:
        return MindValueError(
            f"For '{type(self).__name__}.eval', no data: call update() with at least one batch "
            "first (an evaluation dataset that yields no batches causes this too)"
        )


def _check_eval_type(owner: str, eval_type: Any) -> str:
    if eval_type not in _EVAL_TYPES:
        raise MindValueError(
            f"For '{owner}', 'eval_type' must be 'classification' or 'multilabel', got {eval_type!r}"
        )
    return eval_type


# ------------------------------------------------------------------------------------------------
# Accuracy
# ------------------------------------------------------------------------------------------------


class Accuracy(Metric):
    """The fraction of samples predicted correctly.

    ``eval_type='classification'``: ``update(y_pred, y)`` with scores ``y_pred`` of shape (N, C)
    (the prediction is the argmax) and ``y`` class indices (N,) or one-hot (N, C).
    ``eval_type='multilabel'``: ``y_pred`` and ``y`` are both (N, C); scores are thresholded at 0.5
    and a sample counts as correct only when every label matches.

    >>> import numpy as np
    >>> from mind.core.train import Accuracy
    >>> m = Accuracy()
    >>> m.update(np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]), np.array([1, 0, 0]))
    >>> round(m.eval(), 4)
    0.6667
    """

    def __init__(self, eval_type: str = "classification") -> None:
        super().__init__()
        self._type = _check_eval_type("Accuracy", eval_type)
        self.clear()

    def clear(self) -> None:
        self._correct_num = 0
        self._total_num = 0
        self._class_num = 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        y_pred = self._convert_data(inputs[0], "'y_pred'")
        y = self._convert_data(inputs[1], "'y'")
        correct = _correct(type(self).__name__, self._type, y_pred, y, self)
        self._correct_num += int(correct.sum())
        self._total_num += int(correct.shape[0])

    def eval(self) -> float:
        if self._total_num == 0:
            raise self._empty_error()
        return self._correct_num / self._total_num


def _check_class_num(owner: str, metric: Any, class_num: int) -> None:
    """Every batch must have the same number of classes as the first one."""
    if metric._class_num == 0:
        metric._class_num = class_num
    elif metric._class_num != class_num:
        raise MindValueError(
            f"For '{owner}.update', 'y_pred' has {class_num} classes but earlier batches had "
            f"{metric._class_num}; call clear() between evaluations of different models"
        )


def _scores_and_labels(owner: str, eval_type: str, y_pred: np.ndarray, y: np.ndarray) -> tuple:
    """Check shapes; return (y_pred, y) with y as class indices (classification) or 0/1 labels."""
    if y_pred.ndim != 2:
        raise MindValueError(
            f"For '{owner}.update', 'y_pred' must be 2-D scores (N, C), got shape {y_pred.shape}"
        )
    n, c = y_pred.shape
    if eval_type == "classification":
        if y.ndim == 2:
            if y.shape != y_pred.shape:
                raise MindValueError(
                    f"For '{owner}.update', one-hot 'y' must have the shape of 'y_pred' {y_pred.shape}, "
                    f"got {y.shape}"
                )
            y = y.argmax(axis=1)
        y = y.reshape(-1) if y.ndim == 0 else y
        if y.shape != (n,):
            raise MindValueError(
                f"For '{owner}.update', 'y' must be class indices of shape ({n},) or one-hot "
                f"({n}, {c}) to match 'y_pred' {y_pred.shape}, got shape {y.shape}"
            )
        if n and (y.min() < 0 or y.max() >= c):
            raise MindValueError(
                f"For '{owner}.update', 'y' holds class indices in [0, {c}) for {c} classes, "
                f"got values from {y.min()} to {y.max()}"
            )
        return y_pred, y.astype(np.int64)
    if y.shape != y_pred.shape:
        raise MindValueError(
            f"For '{owner}.update' with eval_type 'multilabel', 'y' must have the shape of "
            f"'y_pred' {y_pred.shape}, got {y.shape}"
        )
    return (y_pred >= 0.5).astype(np.int64), (y >= 0.5).astype(np.int64)


def _correct(owner: str, eval_type: str, y_pred: np.ndarray, y: np.ndarray, metric: Any) -> Any:
    y_pred, y = _scores_and_labels(owner, eval_type, y_pred, y)
    _check_class_num(owner, metric, y_pred.shape[1])
    if eval_type == "classification":
        return y_pred.argmax(axis=1) == y
    return (y_pred == y).all(axis=1)


# ------------------------------------------------------------------------------------------------
# Precision, recall, F-beta: per-class counts
# ------------------------------------------------------------------------------------------------


class _ClassCounts(Metric):
    """Per-class true positives, predicted positives and actual positives."""

    # MindSpore's epsilon: 0/0 (a class never predicted or never present) gives 0, not NaN.
    eps = sys.float_info.min

    def __init__(self, eval_type: str = "classification") -> None:
        super().__init__()
        self._type = _check_eval_type(type(self).__name__, eval_type)
        self.clear()

    def clear(self) -> None:
        self._class_num = 0
        self._true_positives: Any = 0
        self._positives: Any = 0
        self._actual_positives: Any = 0
        self._updated = False

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        owner = type(self).__name__
        y_pred = self._convert_data(inputs[0], "'y_pred'")
        y = self._convert_data(inputs[1], "'y'")
        y_pred, y = _scores_and_labels(owner, self._type, y_pred, y)
        c = y_pred.shape[1]
        _check_class_num(owner, self, c)
        if self._type == "classification":
            eye = np.eye(c, dtype=np.int64)
            y_pred, y = eye[y_pred.argmax(axis=1)], eye[y]
        self._true_positives = self._true_positives + (y_pred * y).sum(axis=0)
        self._positives = self._positives + y_pred.sum(axis=0)
        self._actual_positives = self._actual_positives + y.sum(axis=0)
        self._updated = True

    def _check_average(self, average: Any) -> None:
        if not isinstance(average, bool):
            raise MindTypeError(
                f"For '{type(self).__name__}.eval', 'average' must be a bool, got {type(average).__name__}"
            )
        if not self._updated:
            raise self._empty_error()


class Precision(_ClassCounts):
    """Precision per class: true positives / predicted positives.

    Inputs as :class:`Accuracy`. ``eval()`` returns one value per class (a numpy array), as
    MindSpore does; ``eval(average=True)`` returns their mean. A class never predicted scores 0.

    >>> import numpy as np
    >>> from mind.core.train import Precision
    >>> m = Precision()
    >>> m.update(np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]), np.array([1, 0, 0]))
    >>> m.eval()
    array([1. , 0.5])
    """

    def eval(self, average: bool = False) -> Any:
        self._check_average(average)
        result = self._true_positives / (self._positives + self.eps)
        return float(result.mean()) if average else result


class Recall(_ClassCounts):
    """Recall per class: true positives / actual positives.

    Inputs as :class:`Accuracy`; ``eval(average=False)`` as :class:`Precision`.

    >>> import numpy as np
    >>> from mind.core.train import Recall
    >>> m = Recall()
    >>> m.update(np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]), np.array([1, 0, 0]))
    >>> m.eval()
    array([0.5, 1. ])
    """

    def eval(self, average: bool = False) -> Any:
        self._check_average(average)
        result = self._true_positives / (self._actual_positives + self.eps)
        return float(result.mean()) if average else result


class Fbeta(_ClassCounts):
    """F-beta per class: ``(1 + beta²)·tp / (beta²·actual positives + predicted positives)``.

    ``beta`` > 0 weighs recall ``beta`` times as much as precision. Inputs as :class:`Accuracy`
    (``'classification'`` only); ``eval(average=False)`` as :class:`Precision`.
    """

    def __init__(self, beta: float) -> None:
        if isinstance(beta, bool) or not isinstance(beta, int | float) or beta <= 0:
            raise MindValueError(
                f"For '{type(self).__name__}', 'beta' must be a number > 0, got {beta!r}"
            )
        self.beta = float(beta)
        super().__init__("classification")

    def eval(self, average: bool = False) -> Any:
        self._check_average(average)
        b2 = self.beta**2
        result = (
            (1.0 + b2)
            * self._true_positives
            / (b2 * self._actual_positives + self._positives + self.eps)
        )
        return float(result.mean()) if average else result


class F1(Fbeta):
    """F1 per class, the harmonic mean of precision and recall (:class:`Fbeta` with beta 1).

    >>> import numpy as np
    >>> from mind.core.train import F1
    >>> m = F1()
    >>> m.update(np.array([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]), np.array([1, 0, 0]))
    >>> m.eval().round(4)
    array([0.6667, 0.6667])
    """

    def __init__(self) -> None:
        super().__init__(1.0)


# ------------------------------------------------------------------------------------------------
# Loss
# ------------------------------------------------------------------------------------------------


class Loss(Metric):
    """The mean of the per-batch losses (each batch's loss averaged first, as MindSpore does).

    ``update(loss)`` takes one scalar or 1-D loss per batch.

    >>> from mind.core.train import Loss
    >>> m = Loss()
    >>> m.update(0.5); m.update([1.0, 2.0])
    >>> m.eval()
    1.0
    """

    def __init__(self) -> None:
        super().__init__()
        self.clear()

    def clear(self) -> None:
        self._sum_loss = 0.0
        self._total_num = 0

    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 1, "the loss")
        loss = self._convert_data(inputs[0], "the loss")
        if loss.ndim == 0:
            loss = loss.reshape(1)
        if loss.ndim != 1 or loss.size == 0:
            raise MindValueError(
                f"For 'Loss.update', the loss must be a scalar or a non-empty 1-D array, got shape {loss.shape}"
            )
        self._sum_loss += float(loss.mean())
        self._total_num += 1

    def eval(self) -> float:
        if self._total_num == 0:
            raise self._empty_error()
        return self._sum_loss / self._total_num


# ------------------------------------------------------------------------------------------------
# Regression errors, top-k accuracy
# ------------------------------------------------------------------------------------------------


class _ErrorSum(Metric):
    """The sum over every element of a per-element error, divided by the number of samples
    (MindSpore's MAE and MSE: for predictions of shape (N, ...), the per-sample error summed)."""

    def __init__(self) -> None:
        super().__init__()
        self.clear()

    def clear(self) -> None:
        self._error_sum = 0.0
        self._samples_num = 0

    @staticmethod
    def _error(diff: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        y_pred = self._convert_data(inputs[0], "'y_pred'").astype(np.float64)
        y = self._convert_data(inputs[1], "'y'").astype(np.float64)
        if y.size != y_pred.size:
            raise MindValueError(
                f"For '{type(self).__name__}.update', 'y' has {y.size} elements and 'y_pred' "
                f"{y_pred.size}; they must match"
            )
        self._error_sum += float(self._error(y.reshape(y_pred.shape) - y_pred).sum())
        self._samples_num += int(y.shape[0]) if y.ndim else 1

    def eval(self) -> float:
        if self._samples_num == 0:
            raise self._empty_error()
        return self._error_sum / self._samples_num


class MAE(_ErrorSum):
    """Mean absolute error: ``sum |y - y_pred| / N`` over every batch seen."""

    _error = staticmethod(np.abs)


class MSE(_ErrorSum):
    """Mean squared error: ``sum (y - y_pred)**2 / N`` over every batch seen."""

    _error = staticmethod(np.square)


class TopKCategoricalAccuracy(Metric):
    """The fraction of samples whose true class is among the ``k`` highest scores; ``update(y_pred,
    y)`` with scores (N, C) and ``y`` class indices (N,) or one-hot (N, C)."""

    def __init__(self, k: int) -> None:
        super().__init__()
        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise MindValueError(
                f"For '{type(self).__name__}', 'k' must be a positive int, got {k!r}"
            )
        self.k = k
        self.clear()

    def clear(self) -> None:
        self._correct_num = 0
        self._samples_num = 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        y_pred = self._convert_data(inputs[0], "'y_pred'")
        y = self._convert_data(inputs[1], "'y'")
        if y_pred.ndim != 2:
            raise MindValueError(
                f"For '{type(self).__name__}.update', 'y_pred' must be (N, C), got {y_pred.shape}"
            )
        if y.ndim == 2:
            y = y.argmax(axis=1)
        # a sample is correct when fewer than k classes score strictly higher than the true one
        true_score = y_pred[np.arange(len(y)), y.astype(np.int64)]
        higher = (y_pred > true_score[:, None]).sum(axis=1)
        self._correct_num += int((higher < self.k).sum())
        self._samples_num += len(y)

    def eval(self) -> float:
        if self._samples_num == 0:
            raise self._empty_error()
        return self._correct_num / self._samples_num


class Top1CategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self) -> None:
        super().__init__(1)


class Top5CategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self) -> None:
        super().__init__(5)


# ------------------------------------------------------------------------------------------------
# Confusion matrix, Dice, perplexity, cosine similarity
# ------------------------------------------------------------------------------------------------


class ConfusionMatrix(Metric):
    """The confusion matrix summed over batches: entry ``[i, j]`` counts samples of true class
    ``i`` predicted as ``j`` (MindSpore's ``ConfusionMatrix``).

    ``update(y_pred, y)``: ``y`` class indices (N, ...); ``y_pred`` scores (N, C, ...) (the
    prediction is the argmax over axis 1), integer classes (N, ...), or floating-point binary
    scores (N, ...) compared with ``threshold``. ``normalize``: ``"no_norm"``, ``"target"``
    (each row sums to 1), ``"prediction"`` (each column) or ``"all"``; a row or column with no
    samples gives zeros.

    >>> m = ConfusionMatrix(num_classes=2)
    >>> m.update([0, 1, 1, 0], [0, 1, 0, 0])
    >>> m.eval()
    array([[2., 1.],
           [0., 1.]])
    """

    _NORMALIZE = ("no_norm", "target", "prediction", "all")

    def __init__(
        self, num_classes: int, normalize: str = "no_norm", threshold: float = 0.5
    ) -> None:
        super().__init__()
        if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
            raise MindTypeError(
                f"For 'ConfusionMatrix', 'num_classes' must be a positive int, got {num_classes!r}"
            )
        if normalize not in self._NORMALIZE:
            raise MindValueError(
                f"For 'ConfusionMatrix', 'normalize' must be one of {list(self._NORMALIZE)}, got "
                f"{normalize!r}"
            )
        if not isinstance(threshold, float):
            raise MindTypeError(
                f"For 'ConfusionMatrix', 'threshold' must be a float, got {type(threshold).__name__}"
            )
        self.num_classes, self.normalize, self.threshold = num_classes, normalize, threshold
        self.clear()

    def clear(self) -> None:
        self.confusion_matrix = np.zeros((self.num_classes, self.num_classes))
        self._updated = False

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        y_pred = self._convert_data(inputs[0], "'y_pred'")
        y = self._convert_data(inputs[1], "'y'")
        if y_pred.ndim == y.ndim + 1:
            y_pred = y_pred.argmax(axis=1)
        elif y_pred.ndim != y.ndim:
            raise MindValueError(
                f"For 'ConfusionMatrix.update', 'y_pred' must have the dimensions of 'y' or one "
                f"more (the classes), got {y_pred.ndim} and {y.ndim}"
            )
        elif y_pred.dtype.kind == "f":
            y_pred = (y_pred >= self.threshold).astype(np.int64)
        true, pred = y.reshape(-1).astype(np.int64), y_pred.reshape(-1).astype(np.int64)
        n = self.num_classes
        for what, labels in (("y", true), ("y_pred", pred)):
            if labels.size and (labels.min() < 0 or labels.max() >= n):
                raise MindValueError(
                    f"For 'ConfusionMatrix.update', '{what}' holds classes outside [0, {n})"
                )
        self.confusion_matrix += np.bincount(true * n + pred, minlength=n * n).reshape(n, n)
        self._updated = True

    def eval(self) -> np.ndarray:
        if not self._updated:
            raise self._empty_error()
        matrix = self.confusion_matrix.astype(float)
        if self.normalize == "no_norm":
            return matrix
        axis = {"target": 1, "prediction": 0, "all": None}[self.normalize]
        total = matrix.sum(axis=axis, keepdims=axis is not None)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = matrix / total
        return np.nan_to_num(out, nan=0.0)


class Dice(Metric):
    """The Dice coefficient ``2 <y_pred, y> / (<y_pred, y_pred> + <y, y> + smooth)`` of each
    batch (flattened), summed over batches and divided by the number of samples seen, as
    MindSpore's ``Dice`` does. ``update(y_pred, y)`` with two arrays of one shape (N, ...).

    >>> m = Dice(smooth=1e-5)
    >>> m.update(np.array([[0.2, 0.5], [0.3, 0.1], [0.9, 0.6]]), np.array([[0, 1], [1, 0], [0, 1]]))
    >>> round(m.eval(), 6)
    0.204678
    """

    def __init__(self, smooth: float = 1e-5) -> None:
        super().__init__()
        if not isinstance(smooth, float) or not smooth > 0:
            raise MindValueError(f"For 'Dice', 'smooth' must be a positive float, got {smooth!r}")
        self.smooth = smooth
        self.clear()

    def clear(self) -> None:
        self._dice_coeff_sum = 0.0
        self._samples_num = 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        y_pred = self._convert_data(inputs[0], "'y_pred'")
        y = self._convert_data(inputs[1], "'y'")
        if y_pred.shape != y.shape:
            raise MindValueError(
                f"For 'Dice.update', 'y_pred' and 'y' must have one shape, got {y_pred.shape} "
                f"and {y.shape}"
            )
        self._samples_num += y.shape[0] if y.ndim else 1
        y_pred, y = y_pred.astype(np.float64).reshape(-1), y.astype(np.float64).reshape(-1)
        union = y_pred @ y_pred + y @ y
        self._dice_coeff_sum += 2 * float(y_pred @ y) / float(union + self.smooth)

    def eval(self) -> float:
        if self._samples_num == 0:
            raise self._empty_error()
        return self._dice_coeff_sum / self._samples_num


class Perplexity(Metric):
    """``exp(-mean(log p))`` over the labels' predicted probabilities (MindSpore's
    ``Perplexity``): ``update(preds, labels)`` with probabilities (..., C) and class labels of
    the leading shape; ``ignore_label`` drops the entries of that label. Probabilities are
    floored at 1e-10.

    >>> m = Perplexity(ignore_label=None)
    >>> m.update(np.array([[0.6, 0.5, 0.1], [0.3, 0.6, 0.05]]), np.array([2, 1]))
    >>> round(m.eval(), 6)
    4.082483
    """

    def __init__(self, ignore_label: int | None = None) -> None:
        super().__init__()
        if ignore_label is not None and (
            not isinstance(ignore_label, int) or isinstance(ignore_label, bool)
        ):
            raise MindTypeError(
                f"For 'Perplexity', 'ignore_label' must be an int or None, got "
                f"{type(ignore_label).__name__}"
            )
        self.ignore_label = ignore_label
        self.clear()

    def clear(self) -> None:
        self._sum_metric = 0.0
        self._num_inst = 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "preds, labels")
        preds = self._convert_data(inputs[0], "'preds'").astype(np.float64)
        labels = self._convert_data(inputs[1], "'labels'")
        if preds.ndim == 0 or labels.size * preds.shape[-1] != preds.size:
            raise MindValueError(
                f"For 'Perplexity.update', 'labels' {labels.shape} must give one label per row "
                f"of 'preds' {preds.shape}"
            )
        labels = labels.reshape(-1).astype(np.int64)
        picked = preds.reshape(-1, preds.shape[-1])[np.arange(labels.size), labels]
        keep = (
            np.ones(labels.size, bool) if self.ignore_label is None else labels != self.ignore_label
        )
        self._sum_metric -= float(np.log(np.maximum(1e-10, picked[keep])).sum())
        self._num_inst += int(keep.sum())

    def eval(self) -> float:
        if self._num_inst == 0:
            raise self._empty_error()
        return math.exp(self._sum_metric / self._num_inst)


class CosineSimilarity(Metric):
    """The similarity matrix of the rows of the last batch (MindSpore's ``CosineSimilarity``):
    ``update(x)`` with x of shape (N, D); ``similarity`` ``"cosine"`` (rows normalised first)
    or ``"dot"``; ``zero_diagonal`` zeroes each row's similarity with itself; ``reduction``
    ``"none"``, ``"sum"`` or ``"mean"`` along the last axis.

    >>> m = CosineSimilarity()
    >>> m.update(np.array([[1.0, 0.0], [1.0, 1.0]]))
    >>> m.eval().round(4)
    array([[0.    , 0.7071],
           [0.7071, 0.    ]])
    """

    def __init__(
        self, similarity: str = "cosine", reduction: str = "none", zero_diagonal: bool = True
    ) -> None:
        super().__init__()
        if similarity not in ("dot", "cosine"):
            raise MindValueError(
                f"For 'CosineSimilarity', 'similarity' must be 'dot' or 'cosine', got {similarity!r}"
            )
        if reduction not in ("none", "sum", "mean"):
            raise MindValueError(
                "For 'CosineSimilarity', 'reduction' must be 'none', 'sum' or 'mean', got "
                f"{reduction!r}"
            )
        if not isinstance(zero_diagonal, bool):
            raise MindTypeError(
                "For 'CosineSimilarity', 'zero_diagonal' must be a bool, got "
                f"{type(zero_diagonal).__name__}"
            )
        self.similarity, self.reduction, self.zero_diagonal = similarity, reduction, zero_diagonal
        self.clear()

    def clear(self) -> None:
        self.sqr_mtx_res: Any = 0
        self._updated = False

    @rearrange_inputs
    def update(self, inputs: Any) -> None:
        x = self._convert_data(inputs, "the input").astype(np.float64)
        if x.ndim != 2:
            raise MindValueError(
                f"For 'CosineSimilarity.update', the input must be 2-D (N, D), got {x.shape}"
            )
        if self.similarity == "cosine":
            x = x / np.linalg.norm(x, axis=1, keepdims=True)
        self.sqr_mtx_res = x @ x.T
        self._updated = True

    def eval(self) -> np.ndarray:
        if not self._updated:
            raise self._empty_error()
        out = np.array(self.sqr_mtx_res, copy=True)
        if self.zero_diagonal:
            np.fill_diagonal(out, 0)
        if self.reduction == "mean":
            return out.mean(axis=-1)
        if self.reduction == "sum":
            return out.sum(axis=-1)
        return out


# ------------------------------------------------------------------------------------------------
# ROC curve and the area under a curve
# ------------------------------------------------------------------------------------------------


def _roc_binary(scores: np.ndarray, positive: np.ndarray) -> tuple:
    """``(fpr, tpr, thresholds)`` at every distinct score, highest first, with a first point
    (0, 0) at the highest score plus one, as MindSpore's ROC."""
    order = np.argsort(-scores, kind="stable")
    scores, positive = scores[order], positive[order].astype(np.int64)
    last = np.append(np.nonzero(np.diff(scores))[0], scores.size - 1)  # where a score ends
    tps = np.append(0, np.cumsum(positive)[last])
    fps = np.append(0, last + 1 - tps[1:])
    if fps[-1] <= 0:
        raise MindValueError(
            "For 'ROC.eval', 'y' has no negative sample: the false positive rate is undefined"
        )
    if tps[-1] <= 0:
        raise MindValueError(
            "For 'ROC.eval', 'y' has no positive sample: the true positive rate is undefined"
        )
    thresholds = np.append(scores[last][0] + 1, scores[last])
    return fps / fps[-1], tps / tps[-1], thresholds


class ROC(Metric):
    """The ROC curve of the last batch (MindSpore's ``ROC``): ``update(y_pred, y)`` with
    binary scores and labels of one shape (``pos_label``, 1 by default, marks positives), or
    scores (N, C) and class labels (N,) with ``class_num=C`` (one curve per class, one against
    the rest). ``eval()`` returns ``(fpr, tpr, thresholds)``: arrays, or lists of them per class.

    >>> m = ROC(pos_label=2)
    >>> m.update(np.array([0.1, 0.4, 0.35, 0.8]), np.array([1, 1, 2, 2]))
    >>> m.eval()[0]
    array([0. , 0. , 0.5, 0.5, 1. ])
    """

    def __init__(self, class_num: int | None = None, pos_label: int | None = None) -> None:
        super().__init__()
        for name, value in (("class_num", class_num), ("pos_label", pos_label)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise MindTypeError(
                    f"For 'ROC', '{name}' must be an int or None, got {type(value).__name__}"
                )
        self.class_num, self.pos_label = class_num, pos_label
        self.clear()

    def clear(self) -> None:
        self.y_pred: Any = 0
        self.y: Any = 0
        self._updated = False

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "y_pred, y")
        y_pred = self._convert_data(inputs[0], "'y_pred'")
        y = self._convert_data(inputs[1], "'y'")
        if y_pred.ndim == y.ndim:
            if self.class_num not in (None, 1):
                raise MindValueError(
                    f"For 'ROC', scores shaped as the labels are binary: 'class_num' must be 1 or "
                    f"None, got {self.class_num}"
                )
            self.class_num = 1
            self.pos_label = 1 if self.pos_label is None else self.pos_label
            y_pred, y = y_pred.reshape(-1), y.reshape(-1)
        elif y_pred.ndim == y.ndim + 1:
            if self.pos_label is not None:
                raise MindValueError(
                    "For 'ROC', with scores per class each class is positive in turn: "
                    f"'pos_label' must be None, got {self.pos_label}"
                )
            if self.class_num != y_pred.shape[1]:
                raise MindValueError(
                    f"For 'ROC', 'class_num' must be the number of classes of 'y_pred' "
                    f"({y_pred.shape[1]}), got {self.class_num}"
                )
            y_pred, y = y_pred.reshape(-1, self.class_num), y.reshape(-1)
        else:
            raise MindValueError(
                f"For 'ROC', 'y_pred' must have the dimensions of 'y' or one more, got "
                f"{y_pred.ndim} and {y.ndim}"
            )
        self.y_pred, self.y = y_pred, y
        self._updated = True

    def eval(self) -> tuple:
        if not self._updated:
            raise self._empty_error()
        if self.class_num == 1:
            return _roc_binary(self.y_pred, self.y == self.pos_label)
        curves = [_roc_binary(self.y_pred[:, c], self.y == c) for c in range(self.class_num)]
        return tuple(list(part) for part in zip(*curves))


def auc(x: np.ndarray, y: np.ndarray, reorder: bool = False) -> float:
    """The area under the curve through the points ``(x, y)`` by the trapezoidal rule
    (MindSpore's ``auc``; ``auc(fpr, tpr)`` is the ROC AUC). ``x`` must rise or fall
    throughout unless ``reorder`` sorts the points by ``x`` first.

    >>> auc(np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0]))
    0.75
    """
    if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
        raise MindTypeError(
            f"For 'auc', 'x' and 'y' must be numpy arrays, got {type(x).__name__} and "
            f"{type(y).__name__}"
        )
    for name, a in (("x", x), ("y", y)):
        if not (a.ndim == 1 or (a.ndim == 2 and a.shape[1] == 1)):
            raise MindValueError(f"For 'auc', '{name}' must be 1-D (or (N, 1)), got {a.shape}")
    x, y = x.reshape(-1), y.reshape(-1)
    if x.size != y.size:
        raise MindValueError(
            f"For 'auc', 'x' and 'y' must have one length, got {x.size} and {y.size}"
        )
    if x.size < 2:
        raise MindValueError(f"For 'auc', at least 2 points are needed, got {x.size}")
    direction = 1.0
    if reorder:
        order = np.lexsort((y, x))
        x, y = x[order], y[order]
    else:
        dx = np.diff(x)
        if np.any(dx < 0):
            if not np.all(dx <= 0):
                raise MindValueError(
                    "For 'auc', 'x' must rise or fall throughout (or pass reorder=True)"
                )
            direction = -1.0
    return direction * float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))


# ------------------------------------------------------------------------------------------------
# BLEU
# ------------------------------------------------------------------------------------------------


def _ngrams(tokens: Any, n_gram: int) -> collections.Counter:
    """Every 1- to ``n_gram``-gram of ``tokens``, counted."""
    return collections.Counter(
        tuple(tokens[j : j + i]) for i in range(1, n_gram + 1) for j in range(len(tokens) - i + 1)
    )


class BleuScore(Metric):
    """Corpus BLEU (MindSpore's ``BleuScore``): the geometric mean of the clipped 1- to
    ``n_gram``-gram precisions over every sentence seen, times the brevity penalty.
    ``update(candidate_corpus, reference_corpus)``: token lists, and for each a list of
    reference token lists. ``smooth`` adds one to each precision's numerator and denominator.
    A precision of zero gives 0.

    >>> m = BleuScore()
    >>> m.update([["i", "have", "a", "pen", "on", "my", "desk"]],
    ...          [[["i", "have", "a", "pen", "in", "my", "desk"],
    ...            ["there", "is", "a", "pen", "on", "the", "desk"]]])
    >>> round(float(m.eval()), 6)
    0.594604
    """

    def __init__(self, n_gram: int = 4, smooth: bool = False) -> None:
        super().__init__()
        if not isinstance(n_gram, int) or isinstance(n_gram, bool):
            raise MindTypeError(
                f"For 'BleuScore', 'n_gram' must be an int, got {type(n_gram).__name__}"
            )
        if not 1 <= n_gram <= 4:
            raise MindValueError(f"For 'BleuScore', 'n_gram' must be in [1, 4], got {n_gram}")
        if not isinstance(smooth, bool):
            raise MindTypeError(
                f"For 'BleuScore', 'smooth' must be a bool, got {type(smooth).__name__}"
            )
        self.n_gram, self.smooth = n_gram, smooth
        self.clear()

    def clear(self) -> None:
        self._numerator = np.zeros(self.n_gram)
        self._denominator = np.zeros(self.n_gram)
        self._c = 0.0  # candidate length
        self._r = 0.0  # effective reference length
        self._updated = False

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        self._check_num_inputs(inputs, 2, "candidate_corpus, reference_corpus")
        candidates, references = inputs
        if len(candidates) != len(references):
            raise MindValueError(
                f"For 'BleuScore.update', give one list of references per candidate, got "
                f"{len(candidates)} candidates and {len(references)} reference lists"
            )
        for candidate, refs in zip(candidates, references):
            self._c += len(candidate)
            # The reference length closest to the candidate's (the first such, on a tie).
            self._r += min((abs(len(candidate) - len(r)), k, len(r)) for k, r in enumerate(refs))[2]
            counts = _ngrams(candidate, self.n_gram)
            most = collections.Counter()
            for ref in refs:
                most |= _ngrams(ref, self.n_gram)
            for gram, count in (counts & most).items():
                self._numerator[len(gram) - 1] += count
            for gram, count in counts.items():
                self._denominator[len(gram) - 1] += count
        self._updated = True

    def eval(self) -> np.ndarray:
        if not self._updated:
            raise self._empty_error()
        if self._numerator.min() == 0.0:
            return np.array(0.0)
        if self.smooth:
            precisions = (self._numerator + 1) / (self._denominator + 1)
        else:
            precisions = self._numerator / self._denominator
        geometric_mean = np.exp(np.log(precisions).mean())
        brevity = 1.0 if self._c > self._r else np.exp(1 - self._r / self._c)
        return np.array(brevity * geometric_mean)


# ------------------------------------------------------------------------------------------------
# Names
# ------------------------------------------------------------------------------------------------

# MindSpore's factory names; "acc" and "F1" are its aliases, "f1" is the spelling people type.
_METRICS: dict[str, type[Metric]] = {
    "accuracy": Accuracy,
    "acc": Accuracy,
    "precision": Precision,
    "recall": Recall,
    "F1": F1,
    "f1": F1,
    "loss": Loss,
    "mae": MAE,
    "mse": MSE,
    "top_1_accuracy": Top1CategoricalAccuracy,
    "top_5_accuracy": Top5CategoricalAccuracy,
    "topk": TopKCategoricalAccuracy,
    "confusion_matrix": ConfusionMatrix,
    "dice": Dice,
    "perplexity": Perplexity,
    "cosine_similarity": CosineSimilarity,
    "roc": ROC,
    "bleu_score": BleuScore,
}


def names() -> list[str]:
    """The metric names ``Model(metrics={...})`` and :func:`get_metric_fn` accept, sorted.

    >>> from mind.core.train import names
    >>> "accuracy" in names()
    True
    """
    return sorted(_METRICS)


def get_metric_fn(name: str, *args: Any, **kwargs: Any) -> Metric:
    """A new metric by name (``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"``, ``"loss"``).

    Extra arguments go to the metric's constructor.

    >>> from mind.core.train import get_metric_fn
    >>> get_metric_fn("accuracy", eval_type="multilabel")._type
    'multilabel'
    """
    if not isinstance(name, str):
        raise MindTypeError(f"For 'get_metric_fn', 'name' must be a str, got {type(name).__name__}")
    if name not in _METRICS:
        raise MindValueError(
            f"For 'get_metric_fn', unknown metric {name!r}; known names: {', '.join(names())}"
        )
    return _METRICS[name](*args, **kwargs)


def get_metrics(metrics: Any, owner: str = "Model") -> dict[str, Metric]:
    """``Model``'s ``metrics`` argument as ``{name: Metric}``: a set of names or a dict of Metrics."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        out = {}
        for key, value in metrics.items():
            if not isinstance(key, str):
                raise MindTypeError(
                    f"For '{owner}', the keys of 'metrics' must be names (str), got {key!r}"
                )
            if not isinstance(value, Metric):
                raise MindTypeError(
                    f"For '{owner}', 'metrics[{key!r}]' must be a Metric (such as Accuracy()), "
                    f"got {type(value).__name__}"
                )
            out[key] = value
        return out
    if isinstance(metrics, set | frozenset):
        out = {}
        for name in sorted(metrics, key=str):
            if not isinstance(name, str):
                raise MindTypeError(
                    f"For '{owner}', a set of 'metrics' must hold names such as 'accuracy', got "
                    f"{type(name).__name__}; pass {{'name': metric}} to use Metric objects"
                )
            out[name] = get_metric_fn(name)
        return out
    raise MindTypeError(
        f"For '{owner}', 'metrics' must be a set of names ({{'accuracy', 'loss'}}) or a dict "
        f"{{name: Metric}}, got {type(metrics).__name__}"
    )
