"""Evaluation metrics with MindSpore's names (``mindspore.train.Accuracy`` and friends).

A metric accumulates over batches: ``clear()`` resets it, ``update(*inputs)`` adds one batch,
``eval()`` returns the result so far. ``Model.eval`` calls ``update(outputs, labels)`` (the
``Loss`` metric gets the loss instead) for every batch. Inputs may be Tensors, numpy arrays or
lists; the arithmetic is plain numpy, so results do not depend on the device.

``names()`` lists the names ``Model(metrics={...})`` accepts and ``get_metric_fn(name)`` builds one.
"""

from __future__ import annotations

import functools
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
    "Accuracy",
    "Fbeta",
    "Loss",
    "Metric",
    "Precision",
    "Recall",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TopKCategoricalAccuracy",
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
