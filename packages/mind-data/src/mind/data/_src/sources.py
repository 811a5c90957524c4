"""Source datasets: where rows come from.

Random-access sources (anything with ``__getitem__`` and ``__len__``: numpy slices, the standard
dataset readers, MindRecord, a user's class) are read through a sampler, so they can be shuffled,
sharded and resumed. Iterable sources (a generator function, any iterable) are read in order.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.blocks import BLOCK_BYTES, BLOCK_ROWS, Block, blocks_enabled
from mind.data._src.dataset import Dataset, _as_row, _DtypeGuard, _Run
from mind.data._src.samplers import Sampler, SubsetRandomSampler, SubsetSampler, resolve_sampler
from mind.data._src.workers import ProcessPool, ThreadPool
from mind.data.errors import MindDataError

__all__ = [
    "Cifar10Dataset",
    "DigitsDataset",
    "GeneratorDataset",
    "ImageFolderDataset",
    "MindDataset",
    "MnistDataset",
    "NumpySlicesDataset",
    "RandomAccessDataset",
]


class RandomAccessDataset(Dataset):
    """A source read by index through a sampler (shuffle, shards, subsets, resume)."""

    op_name = "Source"

    def __init__(
        self,
        source: Any,
        column_names: Sequence[str],
        sampler: Sampler,
        num_parallel_workers: int | None = 1,
        python_multiprocessing: bool = False,
        label: str | None = None,
    ) -> None:
        super().__init__([], num_parallel_workers)
        self.source, self.column_names = source, list(column_names)
        self.sampler = sampler._bind(self)
        self.python_multiprocessing = python_multiprocessing
        self.label = label or type(source).__name__

    def _columns(self) -> list[str]:
        return self.column_names

    def _size(self) -> int | None:
        return self.sampler.get_num_samples(len(self.source))

    def _describe(self) -> str:
        return f"{self.op_name}({self.label}, {len(self.source)} rows, {self.sampler!r})"

    def _indices(self, run: _Run) -> np.ndarray:
        return self.sampler.indices(len(self.source), run.epoch, run.seed)

    def _fetch(self, index) -> tuple:
        return _as_row(self.source[int(index)], len(self.column_names), self.label)

    def _native(self) -> bool:
        return blocks_enabled() and callable(getattr(self.source, "_read_blocks", None))

    def _blocks(self, run: _Run) -> Iterator[Block]:
        """The sampler's indices in runs: slices of the source's arrays where they are
        consecutive (for MindRecord, views of the mapped pages), gathers where not."""
        progress = run.progress
        for columns in self.source._read_blocks(self._indices(run)):
            progress.stamp = time.monotonic()
            yield Block(columns, len(columns[0]))

    def _rows(self, run: _Run) -> Iterator[tuple]:
        indices = self._indices(run)
        workers = self.num_parallel_workers or 1
        guard, progress = _DtypeGuard(self.label, self.column_names), run.progress
        if workers == 1:
            for i in indices:
                progress.where, progress.stamp = (self.label, int(i)), time.monotonic()
                yield guard.check(self._fetch_checked(i), int(i))
            return
        pool_cls = ProcessPool if self.python_multiprocessing else ThreadPool
        pool = pool_cls(
            lambda idx: self._fetch(idx), workers, f"{self.label}[index]", progress=progress
        )
        run.closers.append(pool.close)
        try:
            rows = pool.imap(
                ((np.asarray(i),) for i in indices), run.seed, run.epoch, run.op_id(self)
            )
            for i, row in zip(indices, rows):
                yield guard.check(row, int(i))
        finally:
            pool.close()

    def _fetch_checked(self, index) -> tuple:
        try:
            return self._fetch(index)
        except MindDataError:
            raise
        except Exception as exc:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            raise MindDataError(
                f"For '{self.label}', reading row {int(index)} failed:\n{text.rstrip()}"
            ) from exc


class _IterableSource(Dataset):
    op_name = "Generator"

    def __init__(self, source: Any, column_names: Sequence[str], num_samples: int | None) -> None:
        super().__init__([])
        self.source, self.column_names, self.num_samples = source, list(column_names), num_samples

    def _columns(self) -> list[str]:
        return self.column_names

    def _size(self) -> int | None:
        return None

    def _rows(self, run: _Run) -> Iterator[tuple]:
        op, progress = "GeneratorDataset", run.progress
        progress.where, progress.stamp = (op, 0), time.monotonic()
        try:
            produced = iter(
                self.source()
                if callable(self.source) and not hasattr(self.source, "__iter__")
                else self.source
            )
        except Exception as exc:
            raise self._failed("starting the source failed", exc) from exc
        n = len(self.column_names)
        guard = _DtypeGuard(op, self.column_names)
        count = 0
        while self.num_samples is None or count < self.num_samples:
            progress.where, progress.stamp = (op, count), time.monotonic()
            try:
                item = next(produced)
            except StopIteration:
                return
            except MindDataError:
                raise
            except Exception as exc:
                raise self._failed(f"the source failed on row {count}", exc) from exc
            try:
                row = guard.check(_as_row(item, n, op), count)
            except MindDataError as exc:
                raise MindDataError(
                    f"{exc} (row {count}; column_names={self.column_names})"
                ) from None
            yield row
            count += 1

    def _failed(self, what: str, exc: Exception) -> MindDataError:
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return MindDataError(f"For 'GeneratorDataset', {what}:\n{text.rstrip()}")


def _column_names(column_names: Any, schema: Any, op: str) -> list[str]:
    if column_names is None and schema is None:
        raise MindValueError(
            f"For '{op}', give 'column_names' (or 'schema') naming the source's columns"
        )
    if column_names is None:
        return list(schema)
    names = [column_names] if isinstance(column_names, str) else list(column_names)
    if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise MindValueError(
            f"For '{op}', 'column_names' must be distinct strings, got {column_names!r}"
        )
    return names


def GeneratorDataset(
    source: Any,
    column_names: Any = None,
    column_types: Any = None,
    schema: Any = None,
    num_samples: int | None = None,
    num_parallel_workers: int = 1,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    python_multiprocessing: bool = True,
    max_rowsize: Any = None,
) -> Dataset:
    """A dataset from Python: a random-access object (``__getitem__`` + ``__len__``), an
    iterable, or a generator function. Random-access sources shuffle by default and accept
    ``sampler`` and sharding; iterable ones are read in order.

    >>> ds = GeneratorDataset(lambda: ((np.array([i]),) for i in range(3)), ["x"])
    """
    names = _column_names(column_names, schema, "GeneratorDataset")
    random_access = hasattr(source, "__getitem__") and hasattr(source, "__len__")
    if not random_access:
        if not (hasattr(source, "__iter__") or callable(source)):
            raise MindTypeError(
                "For 'GeneratorDataset', 'source' must be random-access (__getitem__ and __len__), "
                f"iterable, or a generator function; got {type(source).__name__}"
            )
        if shuffle or sampler is not None or num_shards is not None:
            raise MindValueError(
                "For 'GeneratorDataset', shuffle, sampler and num_shards need a random-access source "
                "(__getitem__ and __len__); this one is only iterable"
            )
        return _IterableSource(source, names, num_samples)
    chosen = resolve_sampler(
        sampler, shuffle, num_samples, num_shards, shard_id, "GeneratorDataset"
    )
    return RandomAccessDataset(
        source,
        names,
        chosen,
        num_parallel_workers,
        python_multiprocessing,
        label=f"GeneratorDataset({type(source).__name__})",
    )


def _consecutive(indices: np.ndarray) -> bool:
    n = len(indices)
    return bool(
        n
        and int(indices[-1]) - int(indices[0]) == n - 1
        and (n < 3 or (np.diff(indices) == 1).all())
    )


def _block_column(column: np.ndarray) -> Any:
    # A 1-D column of strings holds rows of their own widths ('<U3', '<U5') in the row engine.
    return (
        list(map(np.asarray, column)) if column.ndim == 1 and column.dtype.kind in "US" else column
    )


def _nbytes(column: Any) -> int:
    if isinstance(column, np.ndarray):
        return column.nbytes
    return sum(getattr(v, "nbytes", 0) for v in column)


def _rows_per_block(row_bytes: int) -> int:
    return max(1, min(BLOCK_ROWS, BLOCK_BYTES // max(row_bytes, 1)))


def _array_blocks(columns: list[np.ndarray], indices: np.ndarray) -> Iterator[list]:
    """Blocks of rows ``indices`` of ``columns``: slices (views) where the indices are
    consecutive, gathers (copies) where they are not."""
    if not len(indices):
        return
    step = _rows_per_block(sum(c[:1].nbytes for c in columns))
    if _consecutive(indices):
        start = int(indices[0])
        for lo in range(start, start + len(indices), step):
            hi = min(lo + step, start + len(indices))
            yield [_block_column(c[lo:hi]) for c in columns]
        return
    for lo in range(0, len(indices), step):
        part = indices[lo : lo + step]
        yield [_block_column(c[part]) for c in columns]


class _Slices:
    """Row i of each column array."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self.columns = columns
        if any(c.dtype.hasobject or c.ndim == 0 for c in columns):
            self._read_blocks = None  # the row engine names the bad column and row

    def __len__(self) -> int:
        return len(self.columns[0])

    def __getitem__(self, i: int) -> tuple:
        return tuple(c[i] for c in self.columns)

    def _read_blocks(self, indices: np.ndarray) -> Iterator[list]:
        return _array_blocks(self.columns, indices)


def NumpySlicesDataset(
    data: Any,
    column_names: Any = None,
    num_samples: int | None = None,
    num_parallel_workers: int = 1,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
) -> Dataset:
    """Rows sliced along the first axis of ``data``: an array, a list, a tuple of arrays (one per
    column) or a dict of column name -> array."""
    if isinstance(data, dict):
        names = (
            list(data)
            if column_names is None
            else _column_names(column_names, None, "NumpySlicesDataset")
        )
        columns = [np.asarray(v) for v in data.values()]
    elif isinstance(data, tuple):
        columns = [np.asarray(v) for v in data]
        names = (
            _column_names(column_names, None, "NumpySlicesDataset")
            if column_names
            else [f"column_{i}" for i in range(len(columns))]
        )
    else:
        columns = [np.asarray(data)]
        names = (
            _column_names(column_names, None, "NumpySlicesDataset")
            if column_names
            else ["column_0"]
        )
    if len(names) != len(columns):
        raise MindValueError(
            f"For 'NumpySlicesDataset', {len(columns)} columns but column_names {names}"
        )
    lengths = {len(c) for c in columns}
    if len(lengths) != 1:
        raise MindValueError(
            f"For 'NumpySlicesDataset', columns have different lengths {sorted(lengths)}"
        )
    chosen = resolve_sampler(
        sampler, shuffle, num_samples, num_shards, shard_id, "NumpySlicesDataset"
    )
    return RandomAccessDataset(
        _Slices(columns), names, chosen, num_parallel_workers, label="NumpySlicesDataset"
    )


# ------------------------------------------------------------------------------------------------
# Standard datasets
# ------------------------------------------------------------------------------------------------


class _Digits:
    column_names = ("image", "label")

    def __init__(self, usage: str | None) -> None:
        from mind.data.digits import load_digits

        split = None if usage in (None, "all") else usage
        images, labels = load_digits(split)
        self.images, self.labels = images[..., None], labels.astype(np.uint32)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple:
        return self.images[i], self.labels[i]

    def _read_blocks(self, indices: np.ndarray) -> Iterator[list]:
        return _array_blocks([self.images, self.labels], indices)


def _standard(
    reader: Any, op: str, num_samples, num_parallel_workers, shuffle, sampler, num_shards, shard_id
) -> Dataset:
    chosen = resolve_sampler(sampler, shuffle, num_samples, num_shards, shard_id, op)
    return RandomAccessDataset(
        reader, list(reader.column_names), chosen, num_parallel_workers, label=op
    )


def DigitsDataset(
    usage: str | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
) -> Dataset:
    """The UCI digits shipped with mind-data: ``image`` (8, 8, 1) uint8 in 0..16, ``label`` uint32.
    ``usage``: "train" (1,438), "test" (359) or None/"all" (1,797)."""
    if usage not in (None, "all", "train", "test"):
        raise MindValueError(
            f"For 'DigitsDataset', 'usage' must be 'train', 'test', 'all' or None, got {usage!r}"
        )
    return _standard(
        _Digits(usage),
        "DigitsDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


def MnistDataset(
    dataset_dir: str,
    usage: str | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """MNIST from its idx files: ``image`` (28, 28, 1) uint8, ``label`` uint32."""
    from mind.data._src.readers import MnistReader

    return _standard(
        MnistReader(dataset_dir, usage),
        "MnistDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


def Cifar10Dataset(
    dataset_dir: str,
    usage: str | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """CIFAR-10 from its binary batches: ``image`` (32, 32, 3) uint8, ``label`` uint32."""
    from mind.data._src.readers import Cifar10Reader

    return _standard(
        Cifar10Reader(dataset_dir, usage),
        "Cifar10Dataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


def ImageFolderDataset(
    dataset_dir: str,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    extensions: Any = None,
    class_indexing: dict | None = None,
    decode: bool = False,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
    decrypt: Any = None,
) -> Dataset:
    """Images in one folder per class: ``image`` (file bytes, or decoded HWC with ``decode``),
    ``label`` int32 (folders in sorted order, or ``class_indexing``)."""
    from mind.data._src.readers import ImageFolderReader

    reader = ImageFolderReader(dataset_dir, extensions, class_indexing, decode)
    return _standard(
        reader,
        "ImageFolderDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


# The numpy dtypes ``mind-data convert`` records for a raw column: plain numbers only, so a
# description cannot ask for object arrays.
_RAW_DTYPES = frozenset(
    ["uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "bool"]
    + ["float16", "float32", "float64"]
)


def _raw_layouts(description: Any) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
    """Columns that ``mind-data convert`` stored as raw bytes, with their dtype and shape
    (recorded in the description as {"<column>": {"encoding": "raw", "dtype", "shape"}}).

    A description that is not such JSON (any free text, or JSON of another shape) names no raw
    columns; one that names a raw column with a bad dtype or shape is ignored for that column.
    """
    import json

    if not isinstance(description, str) or len(description) > 1 << 20:
        return {}
    try:
        info = json.loads(description)
    except (ValueError, RecursionError):
        return {}
    layouts = {}
    for column, spec in info.items() if isinstance(info, dict) else []:
        if not isinstance(spec, dict) or spec.get("encoding") != "raw":
            continue
        dtype, shape = spec.get("dtype", "uint8"), spec.get("shape")
        if (
            dtype not in _RAW_DTYPES
            or not isinstance(shape, list)
            or len(shape) > 32
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            continue
        layouts[column] = (np.dtype(dtype), tuple(shape))
    return layouts


class _MindRecordSource:
    def __init__(self, reader: Any, columns: list[str]) -> None:
        self.reader, self.columns = reader, columns
        self.column_names = tuple(columns)
        layouts = _raw_layouts(getattr(reader, "description", None))
        self.decode = [layouts.get(c) for c in columns]
        # Numeric scalars come out in the schema's dtype (int32 stays int32), as MindSpore's
        # MindDataset yields them; read_row hands back Python ints and floats.
        specs = {f.name: f for f in reader._header.fields}
        self.dtypes = [specs[c].dtype if specs[c].shape is None else None for c in columns]

    def __len__(self) -> int:
        return self.reader.num_rows

    def __getitem__(self, i: int) -> tuple:
        row = self.reader.read_row(i)
        # bytes fields come out as 1-D uint8 arrays, as MindSpore's MindDataset yields them.
        out = []
        for column, layout, dtype in zip(self.columns, self.decode, self.dtypes):
            v = row[column]
            if isinstance(v, bytes):
                # Raw arrays written by `mind-data convert` come back in their shape and dtype.
                v = self._raw(v, layout, column, i) if layout else np.frombuffer(v, np.uint8)
            out.append(np.asarray(v, dtype=dtype) if dtype is not None else np.asarray(v))
        return tuple(out)

    def _read_blocks(self, indices: np.ndarray) -> Iterator[list]:
        """Blocks of rows ``indices``: zero-copy views of a page for consecutive rows (cut at
        page edges), one gather for the rest."""
        import bisect

        reader, n = self.reader, len(indices)
        if not n:
            return
        if _consecutive(indices):
            bounds = reader._page_bounds()
            start, stop = int(indices[0]), int(indices[-1]) + 1
            page = bisect.bisect_right(bounds, start) - 1
            while start < stop:
                end = min(bounds[page + 1], stop)
                if end > start:
                    yield self._block(reader._read_span(start, end), start, None)
                start, page = end, page + 1
            return
        step = None
        lo = 0
        while lo < n:
            part = indices[lo : lo + (step or 64)]
            block = self._block(reader._read_at(part), None, part)
            if step is None:  # size the gathers by the first one's bytes
                step = _rows_per_block(sum(_nbytes(c) for c in block) // max(len(part), 1))
            yield block
            lo += len(part)

    def _block(self, columns: list, start: int | None, rows: np.ndarray | None) -> list:
        """A block's columns as the row engine yields them (raw arrays decoded, numbers in the
        schema's dtype, strings as 0-d arrays)."""
        out = []
        for column, value, layout, dtype in zip(self.columns, columns, self.decode, self.dtypes):
            if layout is not None:
                value = self._raw_block(value, layout, column, start, rows)
            elif isinstance(value, np.ndarray):
                if dtype is not None and value.dtype != dtype:
                    value = value.astype(dtype)
            elif value and isinstance(value[0], str):
                value = [np.asarray(v) for v in value]
            out.append(value)
        return out

    def _raw_block(self, value, layout, column: str, start, rows) -> Any:
        dtype, shape = layout
        size = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[1] == size:
            return value.view(dtype).reshape(len(value), *shape)
        values = value if isinstance(value, list) else list(value)
        return [
            self._raw(
                v.tobytes(),
                layout,
                column,
                start + k if start is not None else int(rows[k]),
            )
            for k, v in enumerate(values)
        ]

    def _raw(self, value: bytes, layout: tuple[np.dtype, tuple[int, ...]], column: str, i: int):
        dtype, shape = layout
        if len(value) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
            from mind.data.errors import MindRecordFormatError

            raise MindRecordFormatError(
                f"For 'MindDataset', row {i}, field '{column}' holds {len(value)} bytes, but the "
                f"dataset's description says it is a raw {dtype} array of shape {list(shape)} "
                f"({dtype.itemsize * int(np.prod(shape, dtype=np.int64))} bytes)"
            )
        return np.frombuffer(value, dtype).reshape(shape)


def MindDataset(
    dataset_files: Any,
    columns_list: Any = None,
    num_parallel_workers: int | None = None,
    shuffle: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    sampler: Any = None,
    padded_sample: Any = None,
    num_padded: int | None = None,
    num_samples: int | None = None,
    cache: Any = None,
    verify: bool = True,
) -> Dataset:
    """A MindRecord dataset (see ``mind.data.mindrecord``), read memory-mapped with columnar
    projection (``columns_list``). ``shuffle``: True/``Shuffle.GLOBAL`` (rows across all files),
    ``Shuffle.FILES`` (file order only), ``Shuffle.INFILE`` (rows within each file), or False.
    Numeric fields come out in the schema's dtype (``int32`` as int32), bytes fields as 1-D
    uint8 arrays. ``verify=False`` skips the per-page XXH3-64 check (``ShardReader``'s
    ``verify``): a byte altered inside a page is then read as data."""
    from mind.data.mindrecord import ShardReader

    files = [dataset_files] if isinstance(dataset_files, str) else list(dataset_files)
    if len(files) != 1:
        raise MindValueError(
            "For 'MindDataset', pass one dataset: its name (as given to FileWriter), its header or one of its shards"
        )
    reader = ShardReader(files[0], columns=columns_list, verify=verify)
    columns = list(columns_list) if columns_list else list(reader.column_names)
    source = _MindRecordSource(reader, columns)
    mode = getattr(shuffle, "value", shuffle)
    if mode in ("files", "infile"):
        chosen = _ShardOrderSampler(reader, mode, num_samples)
    else:
        chosen = resolve_sampler(
            sampler,
            None if mode is None else bool(mode),
            num_samples,
            num_shards,
            shard_id,
            "MindDataset",
        )
    return _MindRecordDataset(source, columns, chosen, num_parallel_workers, label="MindDataset")


class _MindRecordDataset(RandomAccessDataset):
    """A MindDataset: a pipeline source that can also be read by row and looked up by index."""

    def read_row(self, index: int) -> dict[str, Any]:
        """Row ``index`` (global, in write order) as a dict of the projected columns."""
        return dict(zip(self.column_names, self.source[index]))

    def lookup(self, field: str, value: Any) -> list[int]:
        """Global row indices whose index field ``field`` equals ``value``."""
        return self.source.reader.lookup(field, value)


class _ShardOrderSampler(Sampler):
    """Shuffle.FILES: shard files in a random order, rows in order; Shuffle.INFILE: files in order,
    rows shuffled within each file."""

    def __init__(self, reader: Any, mode: str, num_samples: int | None) -> None:
        self.ranges = [(s["start"], s["stop"]) for s in reader.shards]
        self.mode, self.num_samples = mode, num_samples

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        from mind.data._src.samplers import epoch_rng

        rng = epoch_rng(seed, epoch, 4)
        ranges = (
            [self.ranges[i] for i in rng.permutation(len(self.ranges))]
            if self.mode == "files"
            else self.ranges
        )
        parts = [
            np.arange(a, b) if self.mode == "files" else rng.permutation(np.arange(a, b))
            for a, b in ranges
        ]
        return self._limit(np.concatenate(parts) if parts else np.arange(0))


# ------------------------------------------------------------------------------------------------
# split
# ------------------------------------------------------------------------------------------------


def _split_sizes(sizes: Sequence[int | float], total: int) -> list[int]:
    if all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        if sum(sizes) != total or any(s <= 0 for s in sizes):
            raise MindValueError(
                f"For 'split', sizes {list(sizes)} must be positive and sum to the dataset size {total}"
            )
        return list(sizes)
    if all(isinstance(s, float) for s in sizes):
        if abs(sum(sizes) - 1) > 1e-6 or any(s <= 0 for s in sizes):
            raise MindValueError(
                f"For 'split', fractions {list(sizes)} must be positive and sum to 1"
            )
        counts = [round(s * total) for s in sizes]
        counts[-1] = total - sum(counts[:-1])
        if any(c <= 0 for c in counts):
            raise MindValueError(
                f"For 'split', fractions {list(sizes)} leave an empty split of {total} rows"
            )
        return counts
    raise MindTypeError(f"For 'split', sizes must be all ints or all floats, got {list(sizes)}")


def split_dataset(dataset: Dataset, sizes: Sequence[int | float], randomize: bool) -> list[Dataset]:
    """Random-access sources split by disjoint index sets; other pipelines by position."""
    import copy

    from mind.data import config

    if isinstance(dataset, RandomAccessDataset):
        total = len(dataset.source)
        counts = _split_sizes(sizes, total)
        seed = config.get_seed() or 0
        order = np.random.default_rng(seed).permutation(total) if randomize else np.arange(total)
        parts, start = [], 0
        for count in counts:
            part = copy.copy(dataset)
            idx = order[start : start + count]
            part.sampler = SubsetRandomSampler(idx) if randomize else SubsetSampler(idx)
            parts.append(part)
            start += count
        return parts
    if randomize:
        raise MindValueError(
            "For 'split', randomize=True needs a random-access source dataset directly (split before "
            "map/batch), as in MindSpore; use randomize=False to split this pipeline by position"
        )
    counts = _split_sizes(sizes, dataset.get_dataset_size())
    parts, start = [], 0
    for count in counts:
        parts.append(dataset.skip(start).take(count))
        start += count
    return parts
