"""General transforms, as ``mindspore.dataset.transforms``: composition, casts, one-hot labels.

A transform is a callable object. The pipeline calls it with one numpy array per input column,
``op(*columns)``, and it returns one array or a tuple of arrays (one per output column); called
directly, it does the same. Image transforms live in :mod:`mind.data.vision`.

Random transforms (:class:`RandomApply`, :class:`RandomChoice`) draw only from
:func:`mind.data._src.random.current_rng`, the generator the pipeline sets for each row, so a
pipeline repeats exactly under ``mind.data.config.set_seed(n)`` whatever worker runs a row.

Example::

    >>> import numpy as np
    >>> from mind.data import transforms
    >>> op = transforms.Compose([transforms.TypeCast(np.int32), transforms.OneHot(3)])
    >>> op(np.array([0, 2]))
    array([[1, 0, 0],
           [0, 0, 1]], dtype=int32)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mind.core.common.dtype import DType, to_dtype
from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.random import current_rng

__all__ = [
    "Compose",
    "Duplicate",
    "Fill",
    "OneHot",
    "PadEnd",
    "RandomApply",
    "RandomChoice",
    "TypeCast",
]

_DOCS = "\n(see docs/data.md#transforms in the Mind repository)"


# ------------------------------------------------------------------------------------------------
# Helpers shared with mind.data.vision
# ------------------------------------------------------------------------------------------------


class _Transform:
    """Base of every transform here and in :mod:`mind.data.vision`: a readable ``repr``."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_prob(op: str, prob: Any) -> float:
    if not _is_number(prob) or not 0.0 <= prob <= 1.0:
        raise MindValueError(f"For '{op}', 'prob' must be a number in [0.0, 1.0], got {prob!r}")
    return float(prob)


def _numpy_dtype(op: str, name: str, value: Any) -> np.dtype:
    """The numpy dtype of a Mind dtype (``mind.core.float32``), a numpy dtype or a dtype name."""
    if isinstance(value, DType):
        if value.np is None:
            raise MindTypeError(
                f"For '{op}', '{name}' {value} has no numpy equivalent; use float32 or float16"
                + _DOCS
            )
        return value.np
    if value is None:  # np.dtype(None) would silently mean float64
        raise MindTypeError(f"For '{op}', '{name}' must be a dtype, got None" + _DOCS)
    try:
        return to_dtype(value).np
    except MindTypeError:
        pass
    try:
        # numpy dtypes Mind has no tensor type for (uint16, uint32...) are still fine for data.
        return np.dtype(value)
    except TypeError:
        raise MindTypeError(
            f"For '{op}', '{name}' must be a Mind dtype (mind.core.float32) or a numpy dtype "
            f"(numpy.float32), got {value!r}" + _DOCS
        ) from None


def _check_transforms(op: str, transforms: Any) -> list[Callable[..., Any]]:
    if not isinstance(transforms, (list, tuple)) or not transforms:
        raise MindValueError(
            f"For '{op}', 'transforms' must be a non-empty list of transforms or callables, "
            f"got {transforms!r}" + _DOCS
        )
    for i, t in enumerate(transforms):
        if not callable(t):
            raise MindTypeError(
                f"For '{op}', transforms[{i}] must be callable (a transform or a Python "
                f"function), got {type(t).__name__} {t!r}" + _DOCS
            )
    return list(transforms)


def _run(transforms: Sequence[Callable[..., Any]], columns: tuple[Any, ...]) -> Any:
    """Apply ``transforms`` in order; a tuple result feeds the next one as several columns."""
    result = columns
    for t in transforms:
        out = t(*result)
        result = out if isinstance(out, tuple) else (out,)
    return result[0] if len(result) == 1 else result


def _one_column(op: str, columns: tuple[Any, ...]) -> Any:
    if len(columns) != 1:
        raise MindTypeError(
            f"For '{op}', expected 1 input column, got {len(columns)}; map it over one column"
            + _DOCS
        )
    return columns[0]


# ------------------------------------------------------------------------------------------------
# Composition
# ------------------------------------------------------------------------------------------------


class Compose(_Transform):
    """Apply ``transforms`` one after another, as one transform.

    Each transform receives what the previous one returned: a tuple is passed on as several
    columns (``t(*out)``), anything else as one. Any Python callable may appear in the list.

    :param transforms: a non-empty list of transforms or callables.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> op = transforms.Compose([lambda x: x * 2, transforms.TypeCast(np.float32)])
        >>> op(np.array([1, 2]))
        array([2., 4.], dtype=float32)
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]]) -> None:
        self.transforms = _check_transforms("Compose", transforms)

    def __call__(self, *columns: Any) -> Any:
        return _run(self.transforms, columns)

    def _batch(self, *columns: np.ndarray) -> Any:
        """Batch form: every member's batch form in turn (NotImplemented as soon as one member
        has none, or declines)."""
        result = columns
        for t in self.transforms:
            form = batch_form(t)
            out = NotImplemented if form is None else form(*result)
            if out is NotImplemented:
                return NotImplemented
            result = out if isinstance(out, tuple) else (out,)
        return result[0] if len(result) == 1 else result


class RandomApply(_Transform):
    """With probability ``prob``, apply ``transforms`` in order (as :class:`Compose`); otherwise
    return the input unchanged.

    One number is drawn from the row's generator for each call.

    :param transforms: a non-empty list of transforms or callables.
    :param prob: probability of applying them, in [0.0, 1.0].

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> op = transforms.RandomApply([lambda x: x + 1], prob=1.0)
        >>> op(np.array([1, 2]))
        array([2, 3])
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]], prob: float = 0.5) -> None:
        self.transforms = _check_transforms("RandomApply", transforms)
        self.prob = _check_prob("RandomApply", prob)

    def __call__(self, *columns: Any) -> Any:
        if current_rng().random() < self.prob:
            return _run(self.transforms, columns)
        return columns[0] if len(columns) == 1 else columns


class RandomChoice(_Transform):
    """Apply one of ``transforms``, chosen uniformly at random for each call.

    :param transforms: a non-empty list of transforms or callables.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> op = transforms.RandomChoice([lambda x: x + 1, lambda x: x - 1])
        >>> int(op(np.array(10))) in (9, 11)
        True
    """

    def __init__(self, transforms: Sequence[Callable[..., Any]]) -> None:
        self.transforms = _check_transforms("RandomChoice", transforms)

    def __call__(self, *columns: Any) -> Any:
        chosen = self.transforms[int(current_rng().integers(len(self.transforms)))]
        return _run([chosen], columns)


# ------------------------------------------------------------------------------------------------
# Values
# ------------------------------------------------------------------------------------------------


class TypeCast(_Transform):
    """Cast each input column to ``data_type`` (numpy's ``astype``, so floats truncate to ints).

    :param data_type: a Mind dtype (``mind.core.float32``) or a numpy dtype (``numpy.float32``).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> import mind.core as ms
        >>> from mind.data import transforms
        >>> transforms.TypeCast(ms.float32)(np.array([1, 2])).dtype
        dtype('float32')
    """

    def __init__(self, data_type: Any) -> None:
        self.data_type = data_type
        self._np = _numpy_dtype("TypeCast", "data_type", data_type)
        # numpy also knows long double (float128), complex, dates and objects: none is a type a
        # tensor can hold, so a column cast to one would fail far from here, or never.
        kind, size = self._np.kind, self._np.itemsize
        if not (kind in "US" or (kind in "biuf" and size <= 8) or self._np.name == "bfloat16"):
            raise MindTypeError(
                "For 'TypeCast', 'data_type' must be a bool, int, uint, float (at most 64 bits) "
                f"or string type, but got {self._np.name}." + _DOCS
            )

    def __call__(self, *columns: Any) -> Any:
        out = tuple(np.asarray(c).astype(self._np) for c in columns)
        return out[0] if len(out) == 1 else out

    def _batch(self, *columns: np.ndarray) -> Any:
        """Batch form: the cast is elementwise, so casting the block casts every row."""
        if not columns or any(type(c) is not np.ndarray or c.dtype.kind == "O" for c in columns):
            return NotImplemented
        out = tuple(c.astype(self._np) for c in columns)
        return out[0] if len(out) == 1 else out


class OneHot(_Transform):
    """Encode integer labels as one-hot vectors of length ``num_classes``.

    A scalar label gives shape ``(num_classes,)``, a 1-D array of labels ``(n, num_classes)``.
    Without smoothing the output keeps the label's integer dtype. With ``smoothing_rate`` s the
    output is float32: the label's class holds ``1 - s + s / num_classes`` and every other class
    ``s / num_classes``.

    :param num_classes: number of classes, an int >= 1; labels must be in [0, num_classes).
    :param smoothing_rate: label-smoothing amount, in [0.0, 1.0].

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> transforms.OneHot(4)(np.array(2))
        array([0, 0, 1, 0])
        >>> transforms.OneHot(4, smoothing_rate=0.4)(np.array(2))
        array([0.1, 0.1, 0.7, 0.1], dtype=float32)
    """

    def __init__(self, num_classes: int, smoothing_rate: float = 0.0) -> None:
        if not _is_int(num_classes) or num_classes < 1:
            raise MindValueError(
                f"For 'OneHot', 'num_classes' must be an int >= 1, got {num_classes!r}" + _DOCS
            )
        if not _is_number(smoothing_rate) or not 0.0 <= smoothing_rate <= 1.0:
            raise MindValueError(
                f"For 'OneHot', 'smoothing_rate' must be a number in [0.0, 1.0], "
                f"got {smoothing_rate!r}" + _DOCS
            )
        self.num_classes = int(num_classes)
        self.smoothing_rate = float(smoothing_rate)

    def __call__(self, *columns: Any) -> np.ndarray:
        label = np.asarray(_one_column("OneHot", columns))
        if label.dtype.kind not in "iu":
            raise MindTypeError(
                f"For 'OneHot', the label must have an integer dtype, got {label.dtype}" + _DOCS
            )
        if label.ndim > 1:
            raise MindValueError(
                f"For 'OneHot', the label must be a scalar or 1-D (n,), got shape {label.shape}"
                + _DOCS
            )
        if label.size and (label.min() < 0 or label.max() >= self.num_classes):
            bad = label[(label < 0) | (label >= self.num_classes)].flat[0]
            raise MindValueError(
                f"For 'OneHot', labels must be in [0, {self.num_classes}), got {int(bad)}" + _DOCS
            )
        hot = np.arange(self.num_classes) == label[..., None]
        if self.smoothing_rate == 0.0:
            return hot.astype(label.dtype)
        s, n = self.smoothing_rate, self.num_classes
        return np.where(hot, 1.0 - s + s / n, s / n).astype(np.float32)

    def _batch(self, *columns: np.ndarray) -> Any:
        """Batch form: a block of scalar labels is a 1-D array of labels."""
        if len(columns) != 1 or type(columns[0]) is not np.ndarray or columns[0].ndim != 1:
            return NotImplemented
        return self(columns[0])


class Fill(_Transform):
    """Return an array of the input's shape and dtype with every element set to ``fill_value``.

    The value is cast to the input's dtype (so 2.7 fills an int array with 2); a string array
    takes the whole string.

    :param fill_value: a number, bool, str or bytes.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> transforms.Fill(7)(np.zeros((2, 2), np.uint8))
        array([[7, 7],
               [7, 7]], dtype=uint8)
    """

    def __init__(self, fill_value: Any) -> None:
        if not isinstance(fill_value, (numbers.Number, str, bytes, np.generic)):
            raise MindTypeError(
                f"For 'Fill', 'fill_value' must be a number, bool, str or bytes, "
                f"got {type(fill_value).__name__} {fill_value!r}" + _DOCS
            )
        self.fill_value = fill_value

    def __call__(self, *columns: Any) -> np.ndarray:
        array = np.asarray(_one_column("Fill", columns))
        if array.dtype.kind in "US":  # full_like would cut a longer string to the input's width
            return np.full(array.shape, self.fill_value)
        try:
            return np.full_like(array, self.fill_value)
        except (TypeError, ValueError):
            raise MindTypeError(
                f"For 'Fill', cannot fill an array of dtype {array.dtype} with "
                f"{self.fill_value!r}" + _DOCS
            ) from None

    def _batch(self, *columns: np.ndarray) -> Any:
        """Batch form: the block filled at once (strings keep their per-row path)."""
        if (
            len(columns) != 1
            or type(columns[0]) is not np.ndarray
            or columns[0].dtype.kind in "USO"
        ):
            return NotImplemented
        return self(columns[0])


class Duplicate(_Transform):
    """Return the input column and an independent copy of it, as two output columns.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> a, b = transforms.Duplicate()(np.array([1, 2]))
        >>> b[0] = 5
        >>> a, b
        (array([1, 2]), array([5, 2]))
    """

    def __call__(self, *columns: Any) -> tuple[np.ndarray, np.ndarray]:
        array = np.asarray(_one_column("Duplicate", columns))
        return array, array.copy()

    def _batch(self, *columns: np.ndarray) -> Any:
        """Batch form: the block and an independent copy of it."""
        if len(columns) != 1 or type(columns[0]) is not np.ndarray:
            return NotImplemented
        return columns[0], columns[0].copy()


class PadEnd(_Transform):
    """Pad an array at the end of each axis to ``pad_shape``, or cut it there when it is longer.

    ``pad_shape`` has one entry per axis of the input: an int > 0 is that axis's new length, and
    None keeps the axis as it is. The padding is ``pad_value``, or with the default None, 0 for
    numbers and ``""`` for strings.

    :param pad_shape: a list of ints > 0 or None, one per axis.
    :param pad_value: a number, bool, str or bytes, or None.

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import transforms
        >>> transforms.PadEnd([4], pad_value=10)(np.array([1, 2, 3]))
        array([ 1,  2,  3, 10])
        >>> transforms.PadEnd([2, None])(np.array([["a", "b"]])).tolist()
        [['a', 'b'], ['', '']]
    """

    def __init__(self, pad_shape: Sequence[int | None], pad_value: Any = None) -> None:
        if not isinstance(pad_shape, list) or not all(s is None or _is_int(s) for s in pad_shape):
            raise MindTypeError(
                f"For 'PadEnd', 'pad_shape' must be a list of int or None, got {pad_shape!r}"
                + _DOCS
            )
        if any(s is not None and s <= 0 for s in pad_shape):
            raise MindValueError(
                f"For 'PadEnd', every entry of 'pad_shape' must be > 0 or None, got {pad_shape}"
                + _DOCS
            )
        if pad_value is not None and not isinstance(pad_value, (numbers.Number, str, bytes)):
            raise MindTypeError(
                f"For 'PadEnd', 'pad_value' must be a number, bool, str, bytes or None, got "
                f"{type(pad_value).__name__} {pad_value!r}" + _DOCS
            )
        self.pad_shape = list(pad_shape)
        self.pad_value = pad_value

    def __call__(self, *columns: Any) -> np.ndarray:
        array = np.asarray(_one_column("PadEnd", columns))
        if array.ndim != len(self.pad_shape):
            raise MindValueError(
                f"For 'PadEnd', pad_shape {self.pad_shape} has {len(self.pad_shape)} axes but the "
                f"input has shape {array.shape}" + _DOCS
            )
        is_str = array.dtype.kind in "US"
        value = self.pad_value if self.pad_value is not None else ("" if is_str else 0)
        if is_str != isinstance(value, (str, bytes)):
            raise MindTypeError(
                f"For 'PadEnd', cannot pad a {array.dtype} array with {value!r}" + _DOCS
            )
        target = [a if s is None else s for a, s in zip(array.shape, self.pad_shape)]
        cut = array[tuple(slice(0, t) for t in target)]
        out = np.full(
            target,
            value,
            dtype=np.result_type(cut.dtype, np.asarray(value).dtype) if is_str else cut.dtype,
        )
        out[tuple(slice(0, n) for n in cut.shape)] = cut
        return out


def batch_form(op: Any) -> Callable[..., Any] | None:
    """Return ``op``'s batch form (``op._batch``), or None for ops without one.

    ``op._batch(*columns)`` takes one array per column with a leading axis of n rows and returns
    arrays with leading axis n whose row k equals ``op`` applied to row k, or ``NotImplemented``
    when that input needs the per-row path.
    """
    batch = getattr(op, "_batch", None)
    return batch if callable(batch) else None
