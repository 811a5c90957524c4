"""Python dict columns: what ``batch`` and the iterators do with a column whose rows are dicts.

MindSpore lets Python objects through a pipeline by wrapping them in a ``dict``: a column whose
first row is a dict (from a ``GeneratorDataset``, a ``map`` function or a ``per_batch_map``)
travels as the dicts themselves, by reference, never converted. ``batch`` groups a batch of
them key by key into one dict of stacked arrays; ``per_batch_map`` receives one dict of lists;
the iterators convert what the dicts hold into Tensors (or numpy arrays) at the end. Numeric
columns never come here: each place checks a column's first value, once per batch or epoch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mind.data.errors import MindDataError

__all__ = ["check_keys", "converter", "grouped", "key_path"]


def key_path(path: tuple) -> str:
    """``('a', 'b')`` as ``['a']['b']``, how a message names a value inside a dict column."""
    return "".join(f"[{k!r}]" for k in path)


def check_keys(values: list, op: str, column: str, path: tuple, where: Callable[[int], str]):
    """The keys of the batch's first dict, after checking that every row is a dict with them."""
    keys = values[0].keys()
    label = f"column '{column}'" + (f", key {key_path(path)}," if path else "")
    for k, v in enumerate(values):
        if not isinstance(v, dict):
            raise MindDataError(
                f"For '{op}', {label} {where(k)} is a {type(v).__name__}, but the batch's first "
                "row is a dict; every row of a dict column must be a dict"
            )
        if v.keys() != keys:
            raise MindDataError(
                f"For '{op}', {label} {where(k)} has the keys {list(v)}, but the batch's first "
                f"row has {list(keys)}; the dicts of one batch must have the same keys"
            )
    return list(keys)


def grouped(values: list, column: str, where: Callable[[int], str]) -> dict[Any, list]:
    """A batch of dicts as ``per_batch_map`` receives it: one Python list per key."""
    keys = check_keys(values, "batch", column, (), where)
    return {key: [v[key] for v in values] for key in keys}


# ------------------------------------------------------------------------------------------------
# Iterators
# ------------------------------------------------------------------------------------------------


def _nested(value: Any, leaf: Callable[[np.ndarray], Any], tensor: type | None) -> Any:
    if isinstance(value, dict):
        return {k: _nested(v, leaf, tensor) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_nested(v, leaf, tensor) for v in value)
    if tensor is not None and isinstance(value, tensor):
        return value
    try:
        array = np.asarray(value)
    except Exception:  # an object numpy refuses: passed on as it is
        return value
    if array.dtype.hasobject:  # a class object, None, a ragged list: not data to convert
        return value
    return leaf(array)


def converter(output_numpy: bool) -> Callable[[Any], Any]:
    """What the iterator applies to a dict column's value: every value inside the dict (and
    inside the lists and tuples it holds), recursively, as a numpy array or a Tensor; values
    that are not arrays of data (class objects, None) stay as they are, and so do strings and
    bytes when Tensors are asked for (a Tensor holds numbers)."""
    if output_numpy:
        return lambda value: _nested(value, lambda a: a, None)
    from mind.core import Tensor

    def leaf(array: np.ndarray) -> Any:
        if array.dtype.kind in "USV":
            return array
        return Tensor.from_numpy(np.array(array, order="C"))

    return lambda value: _nested(value, leaf, Tensor)
