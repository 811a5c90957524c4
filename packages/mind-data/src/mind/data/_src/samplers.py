"""Samplers: which rows of a random-access source an epoch visits, in which order.

A sampler is a pure function of (dataset size, epoch, seed): the same three give the same
indices, which is what makes shuffling repeatable under ``config.set_seed`` and lets an iterator
resume mid-epoch exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "DistributedSampler",
    "PKSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "SubsetSampler",
    "WeightedRandomSampler",
]


def _check_count(name: str, value, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 0:
        raise MindValueError(f"For '{name}', expected a non-negative int, got {value!r}")


def epoch_rng(seed: int, epoch: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, epoch, stream, 0x53414D50]))


class Sampler:
    """Base class of every sampler, and MindSpore's base for samplers users write.

    A user sampler subclasses it and implements ``__iter__``, yielding row indices; it may read
    ``self.dataset_size`` (the source's row count, set before each epoch) and override
    ``reset()``, called before every epoch after the first. ``num_samples`` keeps the first
    that many indices of an epoch (None: all). Mind's own samplers implement :meth:`indices`
    instead, a pure function of (size, epoch, seed)::

        class Reverse(ds.Sampler):
            def __iter__(self):
                yield from range(self.dataset_size - 1, -1, -1)
    """

    num_samples: int | None = None
    dataset_size: int = 0

    def __init__(self, num_samples: int | None = None) -> None:
        _check_count(type(self).__name__, num_samples)
        self.num_samples = num_samples

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        name = type(self).__name__
        if not hasattr(type(self), "__iter__"):
            raise NotImplementedError(
                f"For '{name}', a sampler must implement __iter__ (yielding row indices, as "
                "MindSpore's user samplers do) or indices(size, epoch, seed)"
            )
        self.dataset_size = size
        if epoch:
            self.reset()
        idx = _as_indices(name, list(iter(self)))
        _in_range(name, idx, size)
        return self._limit(idx)

    def reset(self) -> None:
        """Called before every epoch but the first (a user sampler's hook; a no-op here)."""

    def _bind(self, dataset) -> Sampler:
        """The sampler a source dataset reads through: this one, or for a sampler that needs
        the rows' values (:class:`PKSampler`'s labels), a copy that reads them from
        ``dataset``."""
        return self

    def _limit(self, idx: np.ndarray) -> np.ndarray:
        return idx if self.num_samples is None else idx[: self.num_samples]

    def get_num_samples(self, size: int) -> int:
        return len(self.indices(size, 0, 0))

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}"
            for k, v in vars(self).items()
            if not k.startswith("_") and k != "dataset_size"
        )
        return f"{type(self).__name__}({args})"


class SequentialSampler(Sampler):
    """Rows in order, from ``start_index``."""

    def __init__(self, start_index: int | None = None, num_samples: int | None = None) -> None:
        _check_count("SequentialSampler", start_index)
        _check_count("SequentialSampler", num_samples)
        self.start_index, self.num_samples = start_index or 0, num_samples

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        if self.start_index > size:
            raise MindValueError(
                f"For 'SequentialSampler', 'start_index' {self.start_index} exceeds the dataset size {size}"
            )
        return self._limit(np.arange(self.start_index, size))


class RandomSampler(Sampler):
    """A new permutation every epoch (or draws with ``replacement``)."""

    def __init__(self, replacement: bool = False, num_samples: int | None = None) -> None:
        _check_count("RandomSampler", num_samples)
        self.replacement, self.num_samples = bool(replacement), num_samples

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        rng = epoch_rng(seed, epoch, 1)
        if self.replacement:
            return rng.integers(0, size, self.num_samples if self.num_samples is not None else size)
        return self._limit(rng.permutation(size))


class DistributedSampler(Sampler):
    """This shard's share of the rows: shard ``shard_id`` of ``num_shards``, every shard the same
    length (the tail is padded by wrapping around), shuffled identically on every shard."""

    def __init__(
        self,
        num_shards: int,
        shard_id: int,
        shuffle: bool = True,
        num_samples: int | None = None,
        offset: int = -1,
    ) -> None:
        if not isinstance(num_shards, int) or num_shards < 1:
            raise MindValueError(
                f"For 'DistributedSampler', 'num_shards' must be an int >= 1, got {num_shards!r}"
            )
        if not isinstance(shard_id, int) or not 0 <= shard_id < num_shards:
            raise MindValueError(
                f"For 'DistributedSampler', 'shard_id' must be in [0, {num_shards}), got {shard_id!r}"
            )
        _check_count("DistributedSampler", num_samples)
        self.num_shards, self.shard_id, self.shuffle = num_shards, shard_id, bool(shuffle)
        self.num_samples, self.offset = num_samples, offset

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        order = epoch_rng(seed, epoch, 2).permutation(size) if self.shuffle else np.arange(size)
        per_shard = -(-size // self.num_shards)
        if size and len(order) < per_shard * self.num_shards:
            order = np.resize(order, per_shard * self.num_shards)
        return self._limit(order[self.shard_id :: self.num_shards])


class SubsetSampler(Sampler):
    """Exactly ``indices``, in that order."""

    def __init__(self, indices: Sequence[int], num_samples: int | None = None) -> None:
        self._indices = _as_indices("SubsetSampler", indices)
        _check_count("SubsetSampler", num_samples)
        self.num_samples = num_samples

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        _in_range("SubsetSampler", self._indices, size)
        return self._limit(self._indices)


class SubsetRandomSampler(SubsetSampler):
    """``indices`` in a new random order every epoch."""

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        _in_range("SubsetRandomSampler", self._indices, size)
        return self._limit(epoch_rng(seed, epoch, 3).permutation(self._indices))


class WeightedRandomSampler(Sampler):
    """``num_samples`` rows (default: ``len(weights)``) drawn at random, row ``i`` with
    probability ``weights[i] / sum(weights)``; with ``replacement=False`` each row at most once.
    New draws every epoch. Rows at or beyond ``len(weights)`` are never drawn."""

    def __init__(
        self, weights: Sequence[float], num_samples: int | None = None, replacement: bool = True
    ) -> None:
        name = "WeightedRandomSampler"
        try:
            w = np.asarray(weights, dtype=np.float64)
        except (TypeError, ValueError):
            raise MindTypeError(
                f"For '{name}', 'weights' must be a sequence of numbers, got {weights!r}"
            ) from None
        if w.ndim != 1 or not w.size:
            raise MindValueError(
                f"For '{name}', 'weights' must be a non-empty 1-D sequence, got shape {w.shape}"
            )
        if not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
            raise MindValueError(
                f"For '{name}', 'weights' must be finite and >= 0 with a positive sum, got "
                f"{w.tolist()[:8]}"
            )
        _check_count(name, num_samples)
        if not isinstance(replacement, bool):
            raise MindTypeError(f"For '{name}', 'replacement' must be a bool, got {replacement!r}")
        n = len(w) if num_samples is None else num_samples
        if not replacement and n > np.count_nonzero(w):
            raise MindValueError(
                f"For '{name}', without replacement 'num_samples' ({n}) cannot exceed the "
                f"number of positive weights ({np.count_nonzero(w)})"
            )
        self._weights, self.replacement, self.num_samples = w, replacement, num_samples

    @property
    def weights(self) -> list[float]:
        return self._weights.tolist()

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        w = self._weights
        if len(w) > size:
            raise MindValueError(
                f"For 'WeightedRandomSampler', {len(w)} weights, but the dataset has {size} rows"
            )
        n = len(w) if self.num_samples is None else self.num_samples
        rng = epoch_rng(seed, epoch, 6)
        return rng.choice(len(w), size=n, replace=self.replacement, p=w / w.sum())


class PKSampler(Sampler):
    """P classes, K rows each: for every class (label) of column ``class_column``, ``num_val``
    rows of that class, drawn at random with replacement from its rows (as MindSpore draws
    them), the classes in ascending order of their labels, or in a new random order every
    epoch with ``shuffle``. So row ``c * num_val + j`` of an epoch belongs to the c-th class.
    ``num_samples`` keeps the first that many rows (None: all ``num_val`` x classes)."""

    def __init__(
        self,
        num_val: int,
        num_class: int | None = None,
        shuffle: bool = False,
        class_column: str = "label",
        num_samples: int | None = None,
    ) -> None:
        name = "PKSampler"
        if isinstance(num_val, bool) or not isinstance(num_val, int | np.integer) or num_val < 1:
            raise MindValueError(f"For '{name}', 'num_val' must be an int >= 1, got {num_val!r}")
        if num_class is not None:
            raise NotImplementedError(
                f"For '{name}', 'num_class' is not supported (every class is sampled), as in "
                "MindSpore; leave it None"
            )
        if not isinstance(shuffle, bool):
            raise MindTypeError(f"For '{name}', 'shuffle' must be a bool, got {shuffle!r}")
        if not isinstance(class_column, str):
            raise MindTypeError(
                f"For '{name}', 'class_column' must be a column name, got {class_column!r}"
            )
        _check_count(name, num_samples)
        self.num_val, self.num_class, self.shuffle = int(num_val), num_class, shuffle
        self.class_column, self.num_samples = class_column, num_samples
        self._labels = None  # (rows -> labels) of the dataset bound by _bind

    def _bind(self, dataset) -> Sampler:
        import copy

        names = list(dataset.column_names)
        if self.class_column not in names:
            raise MindValueError(
                f"For 'PKSampler', 'class_column' {self.class_column!r} is not a column of the "
                f"dataset; its columns: {names}"
            )
        bound = copy.copy(self)
        bound._labels = _LabelReader(dataset, names.index(self.class_column))
        return bound

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        if self._labels is None:
            raise MindValueError(
                "For 'PKSampler', the sampler reads a dataset's labels: pass it to a source "
                "dataset (sampler=...)"
            )
        classes, rows_of = self._labels.classes()
        rng = epoch_rng(seed, epoch, 5)
        order = rng.permutation(len(classes)) if self.shuffle else np.arange(len(classes))
        k = self.num_val
        parts = [rows_of[c][rng.integers(0, len(rows_of[c]), k)] for c in order.tolist()]
        return self._limit(np.concatenate(parts) if parts else np.arange(0))


class _LabelReader:
    """The class labels of a source dataset's rows, read once: from the arrays of a source that
    has them (``_read_blocks``), otherwise row by row."""

    def __init__(self, dataset, position: int) -> None:
        self.dataset, self.position, self._classes = dataset, position, None

    def classes(self) -> tuple[np.ndarray, list[np.ndarray]]:
        """The labels in ascending order, and for each the rows that have it (ascending)."""
        if self._classes is None:
            labels = self._read()
            if labels.ndim != 1:
                raise MindValueError(
                    f"For 'PKSampler', the class column must hold one scalar label per row, "
                    f"got labels of shape {labels.shape[1:]}"
                )
            classes, inverse = np.unique(labels, return_inverse=True)
            order = np.argsort(inverse, kind="stable")
            bounds = np.cumsum(np.bincount(inverse, minlength=len(classes)))[:-1]
            self._classes = classes, np.split(order, bounds)
        return self._classes

    def _read(self) -> np.ndarray:
        source, k = self.dataset.source, self.position
        n = len(source)
        column = getattr(source, "_read_column", None)  # an image folder's labels, say
        labels = column(k) if callable(column) else None
        if labels is not None:
            return np.asarray(labels)
        blocks = getattr(source, "_read_blocks", None)
        if callable(blocks) and n:
            parts = [block[k] for block in blocks(np.arange(n))]
            return np.concatenate([np.stack(p) if isinstance(p, list) else p for p in parts])
        return np.asarray([np.asarray(self.dataset._fetch(i)[k]) for i in range(n)])


def _as_indices(name: str, indices) -> np.ndarray:
    try:
        arr = np.asarray(indices)
    except Exception as exc:
        raise MindTypeError(f"For '{name}', 'indices' must be a sequence of ints: {exc}") from None
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise MindTypeError(
            f"For '{name}', 'indices' must be a 1-D sequence of ints, got {arr.dtype} of shape {arr.shape}"
        )
    return arr.astype(np.int64)


def _in_range(name: str, idx: np.ndarray, size: int) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise MindValueError(
            f"For '{name}', indices must be in [0, {size}), got min {idx.min()} max {idx.max()}"
        )


def resolve_sampler(sampler, shuffle, num_samples, num_shards, shard_id, op: str) -> Sampler:
    """MindSpore's rules combining ``sampler``, ``shuffle``, ``num_samples`` and sharding."""
    if sampler is not None:
        if shuffle is not None or num_shards is not None:
            raise MindValueError(
                f"For '{op}', 'sampler' cannot be combined with 'shuffle' or 'num_shards'"
            )
        if isinstance(sampler, Sampler):
            return sampler
        return SubsetSampler(sampler, num_samples)  # a list of indices, as MindSpore accepts
    if (num_shards is None) != (shard_id is None):
        raise MindValueError(f"For '{op}', 'num_shards' and 'shard_id' must be given together")
    shuffle = True if shuffle is None else bool(shuffle)
    if num_shards is not None:
        return DistributedSampler(num_shards, shard_id, shuffle, num_samples)
    if shuffle:
        return RandomSampler(False, num_samples)
    return SequentialSampler(None, num_samples)
