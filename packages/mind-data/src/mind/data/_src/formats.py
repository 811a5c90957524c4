"""More source datasets with MindSpore's names: CSV and text files, the MNIST-format sets
(Fashion-MNIST, KMNIST, EMNIST, QMNIST), CIFAR-100, ModelArts manifests, PASCAL VOC and COCO
detection, the USPS and Semeion digits, random data from a :class:`Schema`, and padded samples.

Each is a random-access source read through a sampler, as :func:`MnistDataset` is. The CSV,
text and USPS readers are MindSpore's "non-mappable" datasets: they take ``shuffle`` as a bool
or a ``Shuffle`` mode and no ``sampler``, and shard by contiguous runs of rows. Files are
checked (present, sizes consistent with their headers, text parsed) when the dataset is built,
and every error names the file (and line). Nothing is ever unpickled.

Example::

    >>> import mind.data as ds
    >>> data = ds.CSVDataset("train.csv", column_defaults=[0, 0.0, ""], shuffle=False)
    >>> data.get_col_names()          # from the header line
    ['id', 'score', 'name']
"""

from __future__ import annotations

import bisect
import csv
import glob
import io
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mind.core.errors import MindTypeError, MindValueError
from mind.data import Shuffle
from mind.data._src.dataset import Dataset
from mind.data._src.readers import (
    _DOCS,
    _IDX_IMAGES,
    _MNIST_SIDE,
    MnistReader,
    _by_part,
    _dataset_dir,
    _map,
    _read_idx,
    _row,
    _usage,
)
from mind.data._src.samplers import PKSampler, Sampler, epoch_rng, resolve_sampler
from mind.data._src.sources import GeneratorDataset, RandomAccessDataset, _standard
from mind.data.errors import MindDataError

__all__ = [
    "CSVDataset",
    "Cifar100Dataset",
    "CocoDataset",
    "EMnistDataset",
    "FashionMnistDataset",
    "KMnistDataset",
    "ManifestDataset",
    "PaddedDataset",
    "QMnistDataset",
    "RandomDataset",
    "Schema",
    "SemeionDataset",
    "TextFileDataset",
    "USPSDataset",
    "VOCDataset",
]

# A schema file is a small JSON document; a larger one is refused before it is read.
_SCHEMA_MAX_BYTES = 16 << 20


# ------------------------------------------------------------------------------------------------
# Non-mappable sources: CSV and text files
# ------------------------------------------------------------------------------------------------


def _find_files(op: str, dataset_files: Any) -> list[Path]:
    """The files matching ``dataset_files`` (a path, a glob pattern or a list of them), sorted,
    as MindSpore reads them."""
    if isinstance(dataset_files, (str, os.PathLike)):
        patterns = [dataset_files]
    elif isinstance(dataset_files, list) and all(
        isinstance(p, (str, os.PathLike)) for p in dataset_files
    ):
        patterns = list(dataset_files)
    else:
        raise MindTypeError(
            f"For '{op}', 'dataset_files' must be a str or a list of str, got "
            f"{type(dataset_files).__name__}"
        )
    if not patterns:
        raise MindValueError(f"For '{op}', 'dataset_files' is empty")
    found, unmatched = [], []
    for pattern in map(os.fspath, patterns):
        # A file's own name first: a name such as "data[1].csv" is also a glob pattern.
        if os.path.isfile(pattern):
            found.append(pattern)
            continue
        matches = [m for m in glob.glob(pattern, recursive=True) if os.path.isfile(m)]
        if matches:
            found.extend(matches)
        else:
            unmatched.append(pattern)
    if unmatched:
        raise MindDataError(f"For '{op}', no file matches {unmatched}")
    return [Path(p) for p in sorted(found)]


def _shuffle_mode(op: str, shuffle: Any) -> str:
    """ "global", "files", "infile" or "none" for ``shuffle``: a bool (True is
    ``Shuffle.GLOBAL``) or a ``Shuffle`` mode."""
    if shuffle is None or shuffle is True:
        return "global"
    if shuffle is False:
        return "none"
    if shuffle in (Shuffle.GLOBAL, Shuffle.FILES, Shuffle.INFILE):
        return str(shuffle.value)
    raise MindTypeError(
        f"For '{op}', 'shuffle' must be a bool or a Shuffle mode (Shuffle.GLOBAL, Shuffle.FILES, "
        f"Shuffle.INFILE), got {shuffle!r}"
    )


class _FileRowSampler(Sampler):
    """The rows of several files: in order, all shuffled ("global"), the files in a new order
    each epoch ("files") or the rows shuffled within each file ("infile"); then this shard's
    contiguous share, every shard the same length (the tail wraps around, as MindSpore's
    non-mappable sources do), and the first ``num_samples``."""

    def __init__(self, starts: list[int], mode: str, num_samples, num_shards, shard_id, op):
        if (num_shards is None) != (shard_id is None):
            raise MindValueError(f"For '{op}', 'num_shards' and 'shard_id' must be given together")
        for name, value in (("num_samples", num_samples), ("num_shards", num_shards)):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 0
            ):
                raise MindValueError(f"For '{op}', '{name}' must be an int >= 0, got {value!r}")
        if num_shards is not None and (
            num_shards < 1
            or not isinstance(shard_id, int)
            or isinstance(shard_id, bool)
            or not 0 <= shard_id < num_shards
        ):
            raise MindValueError(
                f"For '{op}', 'shard_id' must be in [0, num_shards={num_shards}), got {shard_id!r}"
            )
        self.starts, self.mode = starts, mode
        self.num_samples = num_samples or None  # MindSpore: 0 or None reads every row
        self.num_shards, self.shard_id = num_shards, shard_id

    def indices(self, size: int, epoch: int, seed: int) -> np.ndarray:
        if self.mode == "global":
            order = epoch_rng(seed, epoch, 5).permutation(size)
        elif self.mode in ("files", "infile"):
            rng = epoch_rng(seed, epoch, 5)
            files = range(len(self.starts) - 1)
            if self.mode == "files":
                files = rng.permutation(len(self.starts) - 1)
            parts = [np.arange(self.starts[f], self.starts[f + 1]) for f in files]
            if self.mode == "infile":
                parts = [rng.permutation(part) for part in parts]
            order = np.concatenate(parts) if parts else np.arange(0)
        else:
            order = np.arange(size)
        if self.num_shards is not None and size:
            per = -(-size // self.num_shards)
            order = np.resize(order, per * self.num_shards)[
                self.shard_id * per : (self.shard_id + 1) * per
            ]
        return self._limit(order)

    def __repr__(self) -> str:
        shard = "" if self.num_shards is None else f", shard {self.shard_id}/{self.num_shards}"
        return f"shuffle={self.mode}{shard}, num_samples={self.num_samples}"


class _Rows:
    """Rows held in memory (parsed text), one tuple of numpy values each."""

    def __init__(self, rows: list[tuple], column_names: Sequence[str], op: str) -> None:
        self.rows, self.column_names, self.op = rows, tuple(column_names), op

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple:
        return tuple(np.array(v) for v in self.rows[_row(self.op, i, len(self.rows))])


def _non_mappable(op, rows, names, starts, shuffle, num_samples, num_shards, shard_id, workers):
    sampler = _FileRowSampler(
        starts, _shuffle_mode(op, shuffle), num_samples, num_shards, shard_id, op
    )
    return RandomAccessDataset(_Rows(rows, names, op), names, sampler, workers, label=op)


def _read_text(op: str, path: Path) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except UnicodeDecodeError as exc:
        raise MindDataError(
            f"For '{op}', {path} is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from exc
    except OSError as exc:
        raise MindDataError(f"For '{op}', {path} cannot be read ({exc.strerror or exc})") from exc


_CSV_TYPES = {int: np.int32, float: np.float32, str: np.str_}


def _csv_kind(value: Any) -> type:
    # bool is an int, as in MindSpore's check of column_defaults.
    for kind in (float, int, str):
        if isinstance(value, kind):
            return kind
    raise MindTypeError(
        f"For 'CSVDataset', each of 'column_defaults' must be an int, float or str, got "
        f"{type(value).__name__} {value!r}"
    )


def CSVDataset(
    dataset_files: Any,
    field_delim: str = ",",
    column_defaults: list | None = None,
    column_names: list[str] | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: Any = Shuffle.GLOBAL,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """Rows of comma-separated (``field_delim``) files, read in sorted file order.

    Without ``column_names`` the first line of every file is a header naming the columns (all
    files must have the same one); with them, every line is data. ``column_defaults`` gives each
    column's type by its value's type: int -> int32, float -> float32, str -> string (columns
    past its end are strings); an empty field takes the column's default. Every value is a 0-d
    numpy array. Fields may be quoted with ``"`` (``""`` inside is a quote).

    The files are split into records when the dataset is built; as in MindSpore, a record's
    values are converted when it is read, so a bad value (or a record MindSpore cannot parse)
    raises while iterating, naming the file and line."""
    op = "CSVDataset"
    files = _find_files(op, dataset_files)
    if field_delim is None:
        field_delim = ","
    if not isinstance(field_delim, str) or len(field_delim) != 1 or field_delim in '"\r\n':
        raise MindValueError(
            f"For '{op}', 'field_delim' must be one character other than '\"', '\\r' and "
            f"'\\n', got {field_delim!r}"
        )
    if column_defaults is not None and not isinstance(column_defaults, list):
        raise MindTypeError(
            f"For '{op}', 'column_defaults' must be a list, got {type(column_defaults).__name__}"
        )
    defaults = list(column_defaults or [])
    kinds = [_csv_kind(v) for v in defaults]
    if column_names is not None:
        if not isinstance(column_names, list) or not all(isinstance(n, str) for n in column_names):
            raise MindTypeError(f"For '{op}', 'column_names' must be a list of str")
    names = list(column_names) if column_names else None
    records: list = []  # (path, line, fields), or a _BadRecord
    starts = [0]
    header_file = None
    for path in files:
        found = _csv_records(op, path, field_delim)
        if not column_names:
            if not found:
                raise MindDataError(f"For '{op}', {path} is empty: it has no header line")
            if isinstance(found[0], _BadRecord):
                raise MindDataError(found[0].message)
            (_, header), found = found[0], found[1:]
            if names is None:
                names, header_file = header, path
            elif header != names:
                raise MindDataError(
                    f"For '{op}', {path} has the header {header}, but {header_file} has "
                    f"{names}; every file must have the same columns"
                )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise MindValueError(
                f"For '{op}', duplicate column names are not allowed: {', '.join(repeated)} "
                f"(column_names or the header of {path}: {names})"
            )
        if len(defaults) > len(names):
            raise MindValueError(
                f"For '{op}', {len(defaults)} column_defaults but {len(names)} columns {names}"
            )
        records += [r if isinstance(r, _BadRecord) else (path, *r) for r in found]
        starts.append(len(records))
    kinds += [str] * (len(names) - len(kinds))
    defaults += [""] * (len(names) - len(defaults))
    sampler = _FileRowSampler(
        starts, _shuffle_mode(op, shuffle), num_samples, num_shards, shard_id, op
    )
    source = _CsvRows(records, names, kinds, defaults)
    return RandomAccessDataset(source, names, sampler, num_parallel_workers, label=op)


class _BadRecord:
    """Where a file stops being CSV: read as a row, it raises (as MindSpore fails there)."""

    def __init__(self, message: str) -> None:
        self.message = message


class _CsvRows:
    """The records of CSV files, converted to the columns' types as each is read."""

    def __init__(self, records: list, names: list[str], kinds: list[type], defaults: list):
        self.records, self.column_names = records, tuple(names)
        self.kinds, self.defaults = kinds, defaults

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> tuple:
        record = self.records[_row("CSVDataset", i, len(self.records))]
        if isinstance(record, _BadRecord):
            raise MindDataError(record.message)
        path, line, fields = record
        names = self.column_names
        if len(fields) != len(names):
            raise MindDataError(
                f"For 'CSVDataset', {path} line {line} has {len(fields)} fields, expected "
                f"{len(names)} (columns {list(names)})"
            )
        return tuple(
            np.array(_csv_value(path, line, *column))
            for column in zip(names, fields, self.kinds, self.defaults)
        )


def _csv_records(op: str, path: Path, delim: str) -> list:
    """(line number, fields) of each non-blank record of ``path``; where the text stops being
    CSV (an unclosed quote, say), a _BadRecord in place of the rest."""
    # Lines end at \n, \r or \r\n only (as in MindSpore), not at the other characters that
    # str.splitlines breaks at (\x0c, \u2028, ...).
    reader = csv.reader(io.StringIO(_read_text(op, path), newline=""), delimiter=delim, strict=True)
    records: list = []
    try:
        for fields in reader:
            if fields:
                records.append((reader.line_num, fields))
    except csv.Error as exc:
        records.append(
            _BadRecord(
                f"For '{op}', failed to parse {path} at line {reader.line_num}: not valid CSV "
                f"({exc})"
            )
        )
    return records


def _csv_value(path, line, name, field, kind, default):
    if field == "":
        return _CSV_TYPES[kind](default)
    if kind is str:
        return np.str_(field)
    try:
        value = kind(field)
    except ValueError:
        article = "an" if kind is int else "a"
        raise MindDataError(
            f"For 'CSVDataset', {path} line {line}, column '{name}': type does not match, "
            f"{field!r} is not {article} {kind.__name__} (the type of its column_defaults entry)"
        ) from None
    if kind is int and not -(2**31) <= value < 2**31:
        raise MindDataError(
            f"For 'CSVDataset', {path} line {line}, column '{name}': {value} does not fit in int32"
        )
    return _CSV_TYPES[kind](value)


def TextFileDataset(
    dataset_files: Any,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: Any = Shuffle.GLOBAL,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """One row per non-empty line of UTF-8 text files (sorted file order): column ``text``, a
    0-d string array without the line's ``\\n`` (a ``\\r`` before it is kept, as in MindSpore)."""
    op = "TextFileDataset"
    files = _find_files(op, dataset_files)
    rows: list[tuple] = []
    starts = [0]
    for path in files:
        rows += [(np.str_(line),) for line in _read_text(op, path).split("\n") if line]
        starts.append(len(rows))
    return _non_mappable(
        op, rows, ["text"], starts, shuffle, num_samples, num_shards, shard_id, num_parallel_workers
    )


# ------------------------------------------------------------------------------------------------
# MNIST-format sets
# ------------------------------------------------------------------------------------------------


class _IdxReader(MnistReader):
    """An MNIST-format set: ``splits[usage]`` lists (image name, label name) per split, in row
    order; "all" uses the splits whose files are present."""

    op = "MnistReader"
    splits: dict[str, tuple[tuple[str, str], ...]] = {}

    def __init__(self, dataset_dir, usage=None, *extra) -> None:
        self._extra = extra
        # Checked here first so that the errors name this dataset rather than MnistReader.
        _dataset_dir(self.op, dataset_dir)
        _usage(self.op, usage)
        super().__init__(dataset_dir, usage)

    def _splits(self) -> list[tuple[Path, Path]]:
        found, looked_for = [], []
        for names in self._names():
            paths = [self._find(name) for name in names]
            looked_for += [f"{name}[.gz]" for name in names]
            if all(paths):
                found.append((paths[0], paths[1]))
            elif any(paths) or self._usage != "all":
                missing = " or ".join(f"{n}[.gz]" for n, p in zip(names, paths) if p is None)
                raise MindDataError(
                    f"For '{self.op}', found no {missing} in {self._dir}; usage={self._usage!r} "
                    "needs both its images and labels" + _DOCS
                )
        if not found:
            raise MindDataError(
                f"For '{self.op}', no files in {self._dir}; looked for {', '.join(looked_for)}"
                + _DOCS
            )
        return found

    def _names(self) -> tuple[tuple[str, str], ...]:
        return self.splits[self._usage]

    def __reduce__(self):
        return (type(self), (self._dir, self._usage, *self._extra))

    def __repr__(self) -> str:
        return f"{self.op}({str(self._dir)!r}, usage={self._usage!r})"

    def describe(self) -> str:
        return super().describe().replace("MnistReader", self.op, 1)


_MNIST_NAMES = {
    "train": (("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),),
    "test": (("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),),
}
_MNIST_NAMES["all"] = _MNIST_NAMES["test"] + _MNIST_NAMES["train"]


class _FashionMnist(_IdxReader):
    op, splits = "FashionMnistDataset", _MNIST_NAMES


class _KMnist(_IdxReader):
    op, splits = "KMnistDataset", _MNIST_NAMES


_EMNIST_NAMES = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")


class _EMnist(_IdxReader):
    op = "EMnistDataset"

    def _names(self):
        (name,) = self._extra
        split = lambda s: (  # noqa: E731
            f"emnist-{name}-{s}-images-idx3-ubyte",
            f"emnist-{name}-{s}-labels-idx1-ubyte",
        )
        # MindSpore sorts the names it finds, so "all" reads test before train.
        return {"train": (split("train"),), "test": (split("test"),)}.get(
            self._usage, (split("test"), split("train"))
        )


def FashionMnistDataset(
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
    """Fashion-MNIST from its idx files (MNIST's names): ``image`` (28, 28, 1) uint8,
    ``label`` uint32."""
    return _standard(
        _FashionMnist(dataset_dir, usage),
        "FashionMnistDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


def KMnistDataset(
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
    """KMNIST (Kuzushiji-MNIST) from its idx files (MNIST's names): ``image`` (28, 28, 1)
    uint8, ``label`` uint32."""
    return _standard(
        _KMnist(dataset_dir, usage),
        "KMnistDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


def EMnistDataset(
    dataset_dir: str,
    name: str,
    usage: str | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """EMNIST split ``name`` ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    from ``emnist-<name>-<train|test>-<images-idx3|labels-idx1>-ubyte[.gz]``: ``image``
    (28, 28, 1) uint8 as stored (EMNIST's images are transposed; MindSpore does not undo it),
    ``label`` uint32."""
    if name not in _EMNIST_NAMES:
        raise MindValueError(
            f"For 'EMnistDataset', 'name' must be one of {list(_EMNIST_NAMES)}, got {name!r}"
        )
    return _standard(
        _EMnist(dataset_dir, usage, name),
        "EMnistDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


# QMNIST's labels are an idx file of big-endian int32 (type 0x0C), two dimensions: n x 8.
_QMNIST_LABELS = 3074  # 0x00000C02
_QMNIST_LABEL_LENGTH = 8
_QMNIST_FILES = {
    "train": "qmnist-train",
    "test": "qmnist-test",
    "test10k": "qmnist-test",
    "test50k": "qmnist-test",
    "nist": "xnist",
}
_QMNIST_USAGES = {
    "train": ("train",),
    "test": ("test",),
    "test10k": ("test10k",),
    "test50k": ("test50k",),
    "nist": ("nist",),
    "all": ("train", "test", "nist"),
}
_QMNIST_TEST_SPLIT = 10000  # test10k: the first 10,000 test rows; test50k: the rest


class _QMnistReader:
    column_names = ("image", "label")

    def __init__(self, dataset_dir, usage=None, compat: bool = True) -> None:
        op = "QMnistDataset"
        self._dir = _dataset_dir(op, dataset_dir)
        if usage is None:
            usage = "all"
        if usage not in _QMNIST_USAGES:
            raise MindValueError(
                f"For '{op}', 'usage' must be one of {list(_QMNIST_USAGES)} or None, got {usage!r}"
            )
        if not isinstance(compat, bool):
            raise MindTypeError(f"For '{op}', 'compat' must be a bool, got {type(compat).__name__}")
        self._usage, self._compat = usage, compat
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._starts = [0]
        for split in _QMNIST_USAGES[usage]:
            prefix = self._dir / _QMNIST_FILES[split]
            image_path = Path(f"{prefix}-images-idx3-ubyte")
            label_path = Path(f"{prefix}-labels-idx2-int")
            for path in (image_path, label_path):
                if not path.is_file():
                    raise MindDataError(
                        f"For '{op}', {path} does not exist; usage={usage!r} needs "
                        f"{image_path.name} and {label_path.name}" + _DOCS
                    )
            images = _read_idx(image_path, _IDX_IMAGES)
            labels = _qmnist_labels(label_path)
            if len(images) != len(labels):
                raise MindDataError(
                    f"For '{op}', {image_path} holds {len(images)} images but {label_path} holds "
                    f"{len(labels)} labels; the two files must come from the same split" + _DOCS
                )
            if split == "test10k":
                images, labels = images[:_QMNIST_TEST_SPLIT], labels[:_QMNIST_TEST_SPLIT]
            elif split == "test50k":
                images, labels = images[_QMNIST_TEST_SPLIT:], labels[_QMNIST_TEST_SPLIT:]
            self._parts.append((images, labels))
            self._starts.append(self._starts[-1] + len(images))
        if self._starts[-1] == 0:
            raise MindDataError(
                f"For '{op}', the files for usage={usage!r} in {self._dir} hold no rows" + _DOCS
            )

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        i = _row("QMnistDataset", index, len(self))
        part = bisect.bisect_right(self._starts, i) - 1
        images, labels = self._parts[part]
        j = i - self._starts[part]
        image = np.array(images[j], dtype=np.uint8).reshape(_MNIST_SIDE, _MNIST_SIDE, 1)
        label = np.array(labels[j], dtype=np.uint32)
        return image, (label[0].copy() if self._compat else label)

    def _read_blocks(self, indices: np.ndarray):
        for part, local in _by_part(self._starts, indices):
            images, labels = self._parts[part]
            image = np.asarray(images[local], dtype=np.uint8)
            label = np.asarray(labels[local], dtype=np.uint32)
            yield [
                image.reshape(len(local), _MNIST_SIDE, _MNIST_SIDE, 1),
                np.ascontiguousarray(label[:, 0]) if self._compat else label,
            ]

    def __reduce__(self):
        return (type(self), (self._dir, self._usage, self._compat))

    def describe(self) -> str:
        label = "uint32 ()" if self._compat else "uint32 (8,)"
        return (
            f"QMnistDataset of {self._dir}, usage={self._usage!r}: {len(self)} rows; columns "
            f"image uint8 (28, 28, 1), label {label}"
        )


def _qmnist_labels(path: Path) -> np.ndarray:
    """The (n, 8) big-endian int32 label table of ``path``, checked against its header."""
    op = "QMnistDataset"
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            header = f.read(12)
    except OSError as exc:
        raise MindDataError(f"For '{op}', {path} cannot be read ({exc.strerror or exc})") from exc
    if len(header) < 12:
        raise MindDataError(
            f"For '{op}', {path} has {size} bytes, fewer than the 12-byte header of a QMNIST "
            "label file; the file is truncated" + _DOCS
        )
    magic, count, length = (int(v) for v in np.frombuffer(header, ">u4"))
    if magic != _QMNIST_LABELS or length != _QMNIST_LABEL_LENGTH:
        raise MindDataError(
            f"For '{op}', {path} has magic number {magic} and rows of {length} values, expected "
            f"{_QMNIST_LABELS} and {_QMNIST_LABEL_LENGTH} for a QMNIST label file "
            "(labels-idx2-int)" + _DOCS
        )
    expected = 12 + 4 * _QMNIST_LABEL_LENGTH * count
    if size != expected:
        raise MindDataError(
            f"For '{op}', {path} has {size} bytes but its header declares {count} labels, "
            f"{expected} bytes with the header; the file is "
            f"{'truncated' if size < expected else 'longer than its header says'}" + _DOCS
        )
    if count == 0:
        return np.zeros((0, _QMNIST_LABEL_LENGTH), ">i4")
    return np.memmap(path, ">i4", "r", offset=12, shape=(count, _QMNIST_LABEL_LENGTH))


def QMnistDataset(
    dataset_dir: str,
    usage: str | None = None,
    compat: bool = True,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """QMNIST from ``qmnist-<train|test>-images-idx3-ubyte`` / ``-labels-idx2-int`` (and
    ``xnist-*`` for "nist"): ``image`` (28, 28, 1) uint8; ``label`` uint32, the class (a 0-d
    array) with ``compat=True``, all 8 label fields (shape (8,)) with ``compat=False``.
    ``usage``: "train", "test", "test10k" (first 10,000 test rows), "test50k" (the rest),
    "nist", or "all"/None (train, test, nist)."""
    return _standard(
        _QMnistReader(dataset_dir, usage, compat),
        "QMnistDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


# ------------------------------------------------------------------------------------------------
# CIFAR-100
# ------------------------------------------------------------------------------------------------

_CIFAR100_IMAGE = (3, 32, 32)
_CIFAR100_RECORD = 2 + math.prod(_CIFAR100_IMAGE)  # coarse label, fine label, 3,072 image bytes
_CIFAR100_CLASSES = (20, 100)
# MindSpore sorts the file names, so "all" reads test.bin before train.bin.
_CIFAR100_FILES = {"train": ("train.bin",), "test": ("test.bin",), "all": ("test.bin", "train.bin")}


class _Cifar100Reader:
    column_names = ("image", "coarse_label", "fine_label")

    def __init__(self, dataset_dir, usage=None) -> None:
        op = "Cifar100Dataset"
        self._dir = _dataset_dir(op, dataset_dir)
        if usage is None:
            usage = "all"
        if usage not in _CIFAR100_FILES:
            raise MindValueError(
                f"For '{op}', 'usage' must be 'train', 'test', 'all' or None, got {usage!r}"
            )
        self._usage = usage
        names = _CIFAR100_FILES[usage]
        paths = [self._dir / n for n in names if (self._dir / n).is_file()]
        if not paths:
            raise MindDataError(
                f"For '{op}', no CIFAR-100 binary files for usage={usage!r} in {self._dir}; looked "
                f"for {', '.join(names)} (the binary version: the python version is pickled and "
                "is never read)" + _DOCS
            )
        self._parts: list[tuple[np.ndarray, Path]] = []
        self._starts = [0]
        for path in paths:
            size = path.stat().st_size
            if size % _CIFAR100_RECORD:
                raise MindDataError(
                    f"For '{op}', {path} has {size} bytes, not a whole number of "
                    f"{_CIFAR100_RECORD}-byte records (two label bytes and 3072 image bytes); the "
                    "file is truncated or is not the CIFAR-100 binary version" + _DOCS
                )
            self._parts.append((_map(path, 0, (size // _CIFAR100_RECORD, _CIFAR100_RECORD)), path))
            self._starts.append(self._starts[-1] + size // _CIFAR100_RECORD)
        if self._starts[-1] == 0:
            raise MindDataError(
                f"For '{op}', the files for usage={usage!r} in {self._dir} hold no records" + _DOCS
            )

    def __len__(self) -> int:
        return self._starts[-1]

    def _check(self, part: int, local: np.ndarray, chunk: np.ndarray) -> None:
        for k, (name, limit) in enumerate(zip(("coarse", "fine"), _CIFAR100_CLASSES)):
            bad = np.flatnonzero(chunk[:, k] >= limit)
            if bad.size:
                raise MindDataError(
                    f"For 'Cifar100Dataset', record {int(local[bad[0]])} of "
                    f"{self._parts[part][1]} has {name} label {chunk[bad[0], k]}, expected "
                    f"0..{limit - 1}; the file is not CIFAR-100 binary" + _DOCS
                )

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i = _row("Cifar100Dataset", index, len(self))
        part = bisect.bisect_right(self._starts, i) - 1
        j = i - self._starts[part]
        record = np.array(self._parts[part][0][j : j + 1], dtype=np.uint8)
        self._check(part, np.array([j]), record)
        image = np.ascontiguousarray(record[0, 2:].reshape(_CIFAR100_IMAGE).transpose(1, 2, 0))
        return image, np.array(record[0, 0], np.uint32), np.array(record[0, 1], np.uint32)

    def _read_blocks(self, indices: np.ndarray):
        for part, local in _by_part(self._starts, indices):
            chunk = np.asarray(self._parts[part][0][local], dtype=np.uint8)
            self._check(part, local, chunk)
            images = chunk[:, 2:].reshape(len(local), *_CIFAR100_IMAGE).transpose(0, 2, 3, 1)
            yield [
                np.ascontiguousarray(images),
                chunk[:, 0].astype(np.uint32),
                chunk[:, 1].astype(np.uint32),
            ]

    def __reduce__(self):
        return (type(self), (self._dir, self._usage))

    def describe(self) -> str:
        return (
            f"Cifar100Dataset of {self._dir}, usage={self._usage!r}: {len(self)} rows; columns "
            "image uint8 (32, 32, 3), coarse_label uint32 (), fine_label uint32 ()"
        )


def Cifar100Dataset(
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
    """CIFAR-100 from its binary version (``train.bin``, ``test.bin``): ``image`` (32, 32, 3)
    uint8, ``coarse_label`` and ``fine_label`` uint32."""
    return _standard(
        _Cifar100Reader(dataset_dir, usage),
        "Cifar100Dataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


# ------------------------------------------------------------------------------------------------
# ManifestDataset
# ------------------------------------------------------------------------------------------------

# The first bytes MindSpore checks to accept an image listed in a manifest: JPEG, PNG, GIF, BMP.
# Other files are skipped, as MindSpore skips them.
_IMAGE_MAGICS = (b"\xff\xd8\xff", b"\x89PN", b"GIF", b"BM")
_MANIFEST_MAX_BYTES = 1 << 30


class _ManifestReader:
    """The images a manifest lists for one usage, with their labels (see ManifestDataset)."""

    column_names = ("image", "label")

    def __init__(self, dataset_file, usage, class_indexing, decode) -> None:
        op = "ManifestDataset"
        if not isinstance(dataset_file, str | os.PathLike):
            raise MindTypeError(
                f"For '{op}', 'dataset_file' must be a path (str), got {type(dataset_file).__name__}"
            )
        if not isinstance(usage, str):
            raise MindTypeError(f"For '{op}', 'usage' must be a str, got {type(usage).__name__}")
        if class_indexing is not None and not (
            isinstance(class_indexing, dict)
            and all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                for k, v in class_indexing.items()
            )
        ):
            raise MindTypeError(
                f"For '{op}', 'class_indexing' must be a dict of label name to int, got "
                f"{class_indexing!r}"
            )
        if not isinstance(decode, bool):
            raise MindTypeError(f"For '{op}', 'decode' must be a bool, got {type(decode).__name__}")
        path = Path(dataset_file)
        if not path.is_file():
            raise MindDataError(f"For '{op}', the manifest file {path} does not exist")
        size = path.stat().st_size
        if size > _MANIFEST_MAX_BYTES:
            raise MindDataError(
                f"For '{op}', {path} has {size} bytes, more than a manifest's limit of "
                f"{_MANIFEST_MAX_BYTES}; it is not read"
            )
        self._file, self._usage, self._decode = path, usage.lower(), decode
        self._args = (dataset_file, usage, class_indexing, decode)
        wanted = dict(class_indexing or {})
        images: list[Path] = []
        names: list[list[str]] = []
        for number, line in enumerate(_read_text(op, path).split("\n"), 1):
            if not line.strip():
                continue
            where = f"{path} line {number}"
            try:
                entry = json.loads(line)
            except (ValueError, RecursionError) as exc:
                raise MindDataError(f"For '{op}', {where} is not JSON ({exc})") from None
            if not isinstance(entry, dict) or not entry.get("source"):
                raise MindDataError(f"For '{op}', {where} has no 'source'")
            image = self._image_path(str(entry["source"]), where)
            if not self._is_image(image, where):
                continue
            if not entry.get("usage"):
                raise MindDataError(f"For '{op}', {where} has no 'usage'")
            if str(entry["usage"]).lower() != self._usage:
                continue
            annotations = entry.get("annotation")
            if not isinstance(annotations, list):
                raise MindDataError(f"For '{op}', {where} has no 'annotation' list")
            labels = []
            for annotation in annotations:
                name = annotation.get("name", "") if isinstance(annotation, dict) else ""
                if not isinstance(name, str) or not name:
                    raise MindDataError(f"For '{op}', {where} has an annotation without a 'name'")
                if not wanted or name in wanted:
                    labels.append(name)
            if labels:  # an image without (wanted) labels is skipped, as in MindSpore
                images.append(image)
                names.append(labels)
        if not images:
            raise MindDataError(
                f"For '{op}', {path} lists no image with usage {usage!r}"
                + (f" and a label in class_indexing {sorted(wanted)}" if wanted else "")
            )
        seen = sorted({n for labels in names for n in labels})
        # Without class_indexing the labels seen are numbered in sorted order (MindSpore's).
        self.class_indexing = {n: wanted[n] if wanted else k for k, n in enumerate(seen)}
        self._images = images
        self._labels = [
            np.array([self.class_indexing[n] for n in labels], np.int32) for labels in names
        ]

    def _image_path(self, source: str, where: str) -> Path:
        image = Path(source)
        if image.is_file():
            return image  # relative to the current directory, as MindSpore reads it
        beside = self._file.parent / image
        if not image.is_absolute() and beside.is_file():
            return beside  # or to the manifest's own directory
        raise MindDataError(f"For 'ManifestDataset', {where}: the image {source} does not exist")

    @staticmethod
    def _is_image(image: Path, where: str) -> bool:
        try:
            with open(image, "rb") as f:
                head = f.read(3)
        except OSError as exc:
            raise MindDataError(
                f"For 'ManifestDataset', {where}: {image} cannot be read ({exc.strerror or exc})"
            ) from exc
        if len(head) < 3:  # MindSpore reads 3 bytes of every listed file and fails on fewer
            raise MindDataError(
                f"For 'ManifestDataset', {where}: {image} has {len(head)} bytes, too few for an "
                "image"
            )
        return any(head.startswith(m) for m in _IMAGE_MAGICS)

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        from mind.data._src.readers import _decode_rgb

        i = _row("ManifestDataset", index, len(self))
        path = self._images[i]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MindDataError(
                f"For 'ManifestDataset', {path} cannot be read ({exc.strerror or exc})"
            ) from exc
        if self._decode:
            try:
                image = _decode_rgb(path, data)
            except MindDataError as exc:
                raise MindDataError(
                    str(exc).replace("ImageFolderReader", "ManifestDataset")
                ) from None
        else:
            image = np.frombuffer(data, np.uint8).copy()
        label = self._labels[i]
        return image, (label[0].copy() if len(label) == 1 else label.copy())

    def __reduce__(self):
        return (type(self), self._args)

    def describe(self) -> str:
        return (
            f"ManifestDataset of {self._file}, usage={self._usage!r}: {len(self)} images in "
            f"{len(self.class_indexing)} classes; columns image uint8, label int32"
        )


class _ClassIndexedDataset(RandomAccessDataset):
    """A source whose labels have names: ``get_class_indexing()`` and ``num_classes()``."""

    def get_class_indexing(self) -> dict[str, int]:
        """``{label name: index}`` of the classes read."""
        return dict(self.source.class_indexing)

    def num_classes(self) -> int:
        return len(self.source.class_indexing)


def ManifestDataset(
    dataset_file: str,
    usage: str = "train",
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    class_indexing: dict | None = None,
    decode: bool = False,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """The images listed in a manifest file (Huawei ModelArts' format): one JSON object per
    line with ``source`` (the image's path: relative to the current directory as in MindSpore,
    or else to the manifest's directory), ``usage`` (matched to ``usage`` without regard to
    case) and ``annotation``, a list of ``{"name": label, ...}``.

    Columns: ``image``, the file's bytes as 1-D uint8 or, with ``decode=True``, decoded RGB
    (H, W, 3); ``label``, int32: 0-d for one label, 1-D for several. Labels are numbered in
    sorted name order, or by ``class_indexing`` (then only its labels are kept; an image left
    without a label is skipped). Files that are not JPEG, PNG, GIF or BMP are skipped, as in
    MindSpore. The dataset also has ``get_class_indexing()`` and ``num_classes()``."""
    op = "ManifestDataset"
    reader = _ManifestReader(dataset_file, usage, class_indexing, decode)
    chosen = resolve_sampler(sampler, shuffle, num_samples, num_shards, shard_id, op)
    return _ClassIndexedDataset(
        reader, list(reader.column_names), chosen, num_parallel_workers, label=op
    )


# ------------------------------------------------------------------------------------------------
# VOCDataset and CocoDataset (detection; VOC segmentation)
# ------------------------------------------------------------------------------------------------

# An annotation file (VOC XML, COCO JSON) larger than this is refused before it is read.
_ANNOTATION_MAX_BYTES = 1 << 30


def _image_bytes(op: str, path: Path, decode: bool, decrypt: Any) -> np.ndarray:
    """An image file's bytes (through ``decrypt(path)`` when given) as 1-D uint8, or decoded RGB."""
    from mind.data._src.readers import _decode_rgb

    try:
        data = decrypt(str(path)) if decrypt is not None else path.read_bytes()
    except OSError as exc:
        raise MindDataError(f"For '{op}', {path} cannot be read ({exc.strerror or exc})") from exc
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MindDataError(
            f"For '{op}', decrypt({str(path)!r}) returned {type(data).__name__}, not bytes"
        )
    if not decode:
        return np.frombuffer(bytes(data), np.uint8).copy()
    try:
        return _decode_rgb(path, bytes(data))
    except MindDataError as exc:
        raise MindDataError(str(exc).replace("ImageFolderReader", op)) from None


def _check_detection_args(op: str, decode: Any, extra_metadata: Any, decrypt: Any) -> None:
    for name, value in (("decode", decode), ("extra_metadata", extra_metadata)):
        if not isinstance(value, bool):
            raise MindTypeError(f"For '{op}', '{name}' must be a bool, got {type(value).__name__}")
    if decrypt is not None and not callable(decrypt):
        raise MindTypeError(
            f"For '{op}', 'decrypt' must be a callable (path -> bytes), got {type(decrypt).__name__}"
        )


def _read_annotation(op: str, path: Path, kind: str) -> str:
    if not path.is_file():
        raise MindDataError(f"For '{op}', the {kind} {path} does not exist")
    size = path.stat().st_size
    if size > _ANNOTATION_MAX_BYTES:
        raise MindDataError(
            f"For '{op}', {path} has {size} bytes, more than an annotation file's limit of "
            f"{_ANNOTATION_MAX_BYTES}; it is not read"
        )
    return _read_text(op, path)


def _voc_objects(path: Path, wanted: dict) -> list[tuple[str, list[float], int, int]]:
    """(name, [xmin, ymin, width, height], difficult, truncated) of each object of a VOC XML
    annotation that ``wanted`` keeps (all when empty), checked as MindSpore checks them."""
    import xml.etree.ElementTree as ET

    op = "VOCDataset"
    text = _read_annotation(op, path, "annotation")
    # A VOC annotation declares no entities; refusing any keeps entity expansion out.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise MindDataError(f"For '{op}', {path} declares a DOCTYPE or entities; it is not read")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise MindDataError(f"For '{op}', {path} is not valid XML ({exc})") from None
    objects = root.findall("object")
    if not objects:
        raise MindDataError(f"For '{op}', {path} has no <object>")

    def number(node, name: str) -> float:
        child = None if node is None else node.find(name)
        if child is None or child.text is None or not child.text.strip():
            return 0.0
        try:
            return float(child.text)
        except ValueError:
            raise MindDataError(
                f"For '{op}', {path}: <{name}> holds {child.text!r}, not a number"
            ) from None

    found = []
    for obj in objects:
        name = (obj.findtext("name") or "").strip()
        box = obj.find("bndbox")
        if box is None:
            raise MindDataError(f"For '{op}', {path}: an <object> has no <bndbox>")
        xmin, ymin, xmax, ymax = (number(box, k) for k in ("xmin", "ymin", "xmax", "ymax"))
        if not (xmin > 0 and ymin > 0 and xmax > xmin and ymax > ymin):
            raise MindDataError(
                f"For '{op}', {path} has the box (xmin, ymin, xmax, ymax) = "
                f"({xmin:g}, {ymin:g}, {xmax:g}, {ymax:g}); MindSpore requires xmin, ymin > 0 "
                "and xmax > xmin, ymax > ymin"
            )
        if name and (not wanted or name in wanted):
            found.append(
                (name, [xmin, ymin, xmax - xmin, ymax - ymin], number(obj, "difficult"),
                 number(obj, "truncated"))
            )  # fmt: skip
    return found


class _VOCReader:
    def __init__(self, dataset_dir, task, usage, class_indexing, decode, extra_metadata, decrypt):
        op = "VOCDataset"
        self._dir = _dataset_dir(op, dataset_dir)
        if not isinstance(task, str) or task not in ("Segmentation", "Detection"):
            raise MindValueError(
                f"For '{op}', 'task' must be 'Segmentation' or 'Detection', got {task!r}"
            )
        if not isinstance(usage, str):
            raise MindTypeError(f"For '{op}', 'usage' must be a str, got {type(usage).__name__}")
        if class_indexing is not None:
            if task == "Segmentation":
                raise MindValueError(
                    f"For '{op}', class_indexing is not supported in the Segmentation task"
                )
            if not isinstance(class_indexing, dict) or not all(
                isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                for k, v in class_indexing.items()
            ):
                raise MindTypeError(
                    f"For '{op}', 'class_indexing' must be a dict of class name to int, got "
                    f"{class_indexing!r}"
                )
        _check_detection_args(op, decode, extra_metadata, decrypt)
        self._args = (dataset_dir, task, usage, class_indexing, decode, extra_metadata, decrypt)
        self.task, self._decode, self._decrypt = task, decode, decrypt
        sets = self._dir / "ImageSets" / ("Main" if task == "Detection" else task) / f"{usage}.txt"
        if not sets.is_file():
            raise MindDataError(f"For '{op}', the image set {sets} does not exist")
        ids = [line.rstrip("\r") for line in _read_text(op, sets).split("\n")]
        ids = [i for i in ids if i.strip()]
        self.column_names: tuple[str, ...] = (
            ("image", "bbox", "label", "difficult", "truncate")
            if task == "Detection"
            else ("image", "target")
        )
        if extra_metadata:
            self.column_names += ("_meta-filename",)
        self._objects: list[list] = []
        if task == "Detection":
            wanted = dict(class_indexing or {})
            kept = []
            for image_id in ids:
                objects = _voc_objects(self._dir / "Annotations" / f"{image_id}.xml", wanted)
                if objects:  # an image with no (wanted) object is skipped, as in MindSpore
                    kept.append(image_id)
                    self._objects.append(objects)
            ids = kept
            seen = sorted({o[0] for objects in self._objects for o in objects})
            self.class_indexing = {n: wanted[n] if wanted else k for k, n in enumerate(seen)}
        if not ids:
            raise MindDataError(f"For '{op}', {sets} lists no image with annotations to read")
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> tuple:
        i = _row("VOCDataset", index, len(self))
        image_id = self._ids[i]
        image = _image_bytes(
            "VOCDataset", self._dir / "JPEGImages" / f"{image_id}.jpg", self._decode, self._decrypt
        )
        if self.task == "Segmentation":
            target_path = self._dir / "SegmentationClass" / f"{image_id}.png"
            row = [image, _image_bytes("VOCDataset", target_path, self._decode, self._decrypt)]
        else:
            objects = self._objects[i]
            n = len(objects)
            row = [
                image,
                np.array([o[1] for o in objects], np.float32).reshape(n, 4),
                np.array([self.class_indexing[o[0]] for o in objects], np.uint32).reshape(n, 1),
                np.array([o[2] for o in objects], np.float32).astype(np.uint32).reshape(n, 1),
                np.array([o[3] for o in objects], np.float32).astype(np.uint32).reshape(n, 1),
            ]
        if len(self.column_names) > len(row):
            row.append(np.array(image_id))
        return tuple(row)

    def __reduce__(self):
        return (type(self), self._args)

    def describe(self) -> str:
        return (
            f"VOCDataset of {self._dir}, task={self.task!r}: {len(self)} images; columns "
            f"{list(self.column_names)}"
        )


class _DetectionDataset(_ClassIndexedDataset):
    def num_classes(self) -> None:
        """None, as MindSpore's VOCDataset and CocoDataset answer (see get_class_indexing)."""
        return None

    def get_class_indexing(self) -> dict:
        """The class names and their labels (VOC: ``{name: label}``; COCO: ``{name: [id]}``).
        Only VOC's Detection task and COCO's Detection and Panoptic tasks have them
        (NotImplementedError otherwise, as in MindSpore)."""
        tasks = ("Detection", "Panoptic") if self.label == "CocoDataset" else ("Detection",)
        if self.source.task not in tasks:
            raise NotImplementedError(
                f"For '{self.label}', only the {' and '.join(map(repr, tasks))} task(s) support "
                f"get_class_indexing, not {self.source.task!r}"
            )
        return dict(self.source.class_indexing)


def VOCDataset(
    dataset_dir: str,
    task: str = "Segmentation",
    usage: str = "train",
    class_indexing: dict | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    decode: bool = False,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
    extra_metadata: bool = False,
    decrypt: Any = None,
) -> Dataset:
    """PASCAL VOC: the images listed in ``ImageSets/<Main|Segmentation>/<usage>.txt``.

    ``task="Detection"``: columns ``image`` (``JPEGImages/<id>.jpg``: bytes, or decoded RGB
    with ``decode``), ``bbox`` float32 (n, 4) as [xmin, ymin, width, height], ``label``,
    ``difficult``, ``truncate`` uint32 (n, 1), from ``Annotations/<id>.xml``. Labels number the
    class names in sorted order, or follow ``class_indexing`` (then only its classes are kept);
    an image left without objects is skipped. ``task="Segmentation"``: columns ``image`` and
    ``target`` (``SegmentationClass/<id>.png``). ``extra_metadata=True`` adds the column
    ``_meta-filename`` (the image id). ``decrypt(path) -> bytes`` reads encrypted images."""
    reader = _VOCReader(dataset_dir, task, usage, class_indexing, decode, extra_metadata, decrypt)
    op = "VOCDataset"
    chosen = resolve_sampler(sampler, shuffle, num_samples, num_shards, shard_id, op)
    return _DetectionDataset(
        reader, list(reader.column_names), chosen, num_parallel_workers, label=op
    )


def _json_int(op: str, where: str, value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise MindDataError(f"For '{op}', {where}: '{name}' must be an int, got {value!r}")
    return value


# Each COCO task's columns after "image": the float32 rows (padded with -1 to the longest), then
# uint32 columns of shape (n, 1) (Captioning: strings).
_COCO_COLUMNS = {
    "Detection": ("bbox", "category_id", "iscrowd"),
    "Stuff": ("segmentation", "iscrowd"),
    "Keypoint": ("keypoints", "num_keypoints"),
    "Panoptic": ("bbox", "category_id", "iscrowd", "area"),
    "Captioning": ("captions",),
}


def _numbers(op: str, where: str, value: Any, name: str) -> list[float]:
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise MindDataError(f"For '{op}', {where}: '{name}' must be a list of numbers")
    return value


class _CocoReader:
    def __init__(self, dataset_dir, annotation_file, task, decode, extra_metadata, decrypt):
        op = "CocoDataset"
        self._dir = _dataset_dir(op, dataset_dir)
        if task not in _COCO_COLUMNS:
            raise MindValueError(
                f"For '{op}', Invalid task type {task!r}: use one of {list(_COCO_COLUMNS)}"
            )
        if not isinstance(annotation_file, str | os.PathLike):
            raise MindTypeError(
                f"For '{op}', 'annotation_file' must be a path (str), got "
                f"{type(annotation_file).__name__}"
            )
        _check_detection_args(op, decode, extra_metadata, decrypt)
        self._args = (dataset_dir, annotation_file, task, decode, extra_metadata, decrypt)
        self.task, self._decode, self._decrypt = task, decode, decrypt
        path = Path(annotation_file)
        try:
            tree = json.loads(_read_annotation(op, path, "annotation file"))
        except (ValueError, RecursionError) as exc:
            raise MindDataError(f"For '{op}', {path} is not JSON ({exc})") from None
        if not isinstance(tree, dict):
            raise MindDataError(f"For '{op}', {path} is not a COCO annotation object")
        needed = ("images", "annotations") + (
            ("categories",) if task in ("Detection", "Panoptic") else ()
        )
        for key in needed:
            if not isinstance(tree.get(key), list) or (key != "annotations" and not tree[key]):
                raise MindDataError(f"For '{op}', {path} has no '{key}' list")
        files: dict[int, str] = {}
        order: list[str] = []
        for k, image in enumerate(tree["images"]):
            where = f"{path}, images[{k}]"
            if not isinstance(image, dict) or not isinstance(image.get("file_name"), str):
                raise MindDataError(f"For '{op}', {where} has no 'file_name'")
            files[_json_int(op, where, image.get("id"), "id")] = image["file_name"]
            order.append(image["file_name"])
        # {name: [id]}, or [id, isthing] for Panoptic (MindSpore's get_class_indexing).
        self.class_indexing: dict[str, list[int]] = {}
        for k, category in enumerate(tree["categories"] if "categories" in needed else []):
            where = f"{path}, categories[{k}]"
            if not isinstance(category, dict) or not isinstance(category.get("name"), str):
                raise MindDataError(f"For '{op}', {where} has no 'name'")
            info = [_json_int(op, where, category.get("id"), "id")]
            if task == "Panoptic":
                info.append(_json_int(op, where, category.get("isthing"), "isthing"))
            self.class_indexing[category["name"]] = info
        known = {info[0] for info in self.class_indexing.values()}
        # Per image file: its float rows, and its uint32 (or caption) values, one tuple each.
        self._rows: dict[str, tuple[list, list]] = {}
        for k, annotation in enumerate(tree["annotations"]):
            where = f"{path}, annotations[{k}]"
            if not isinstance(annotation, dict):
                raise MindDataError(f"For '{op}', {where} is not an object")
            image_id = _json_int(op, where, annotation.get("image_id"), "image_id")
            if image_id not in files:
                raise MindDataError(f"For '{op}', {where}: image_id {image_id} is not in 'images'")
            coords, items = self._rows.setdefault(files[image_id], ([], []))
            self._annotation(op, where, annotation, known, coords, items)
        # Images in the order of 'images', those with annotations only (MindSpore's).
        self._files = [f for f in order if f in self._rows]
        if not self._files:
            raise MindDataError(f"For '{op}', {path} annotates no image")
        self.column_names: tuple[str, ...] = ("image", *_COCO_COLUMNS[task])
        if extra_metadata:
            self.column_names += ("_meta-filename",)

    def _annotation(self, op, where, annotation, known, coords: list, items: list) -> None:
        """One annotation's float rows (into ``coords``) and values (into ``items``)."""
        task = self.task

        def category(entry, at):
            cid = _json_int(op, at, entry.get("category_id"), "category_id")
            if cid not in known:
                raise MindDataError(f"For '{op}', {at}: category_id {cid} is not in 'categories'")
            return cid

        if task == "Detection":
            coords.append(_numbers(op, where, annotation.get("bbox"), "bbox"))
            iscrowd = _json_int(op, where, annotation.get("iscrowd", 0), "iscrowd")
            items.append((category(annotation, where), iscrowd))
        elif task == "Stuff":
            iscrowd = _json_int(op, where, annotation.get("iscrowd"), "iscrowd")
            segmentation = annotation.get("segmentation")
            if iscrowd == 0:  # polygons: one row each
                if not isinstance(segmentation, list):
                    raise MindDataError(f"For '{op}', {where}: 'segmentation' must be a list")
                coords += [_numbers(op, where, p, "segmentation") for p in segmentation]
            else:  # run-length counts: one row
                counts = segmentation.get("counts") if isinstance(segmentation, dict) else None
                coords.append(_numbers(op, where, counts, "segmentation.counts"))
            items.append((iscrowd,))
        elif task == "Keypoint":
            coords.append(_numbers(op, where, annotation.get("keypoints"), "keypoints"))
            items.append((_json_int(op, where, annotation.get("num_keypoints"), "num_keypoints"),))
        elif task == "Panoptic":
            segments = annotation.get("segments_info")
            if not isinstance(segments, list):
                raise MindDataError(f"For '{op}', {where} has no 'segments_info' list")
            for j, info in enumerate(segments):
                at = f"{where}.segments_info[{j}]"
                if not isinstance(info, dict):
                    raise MindDataError(f"For '{op}', {at} is not an object")
                coords.append(_numbers(op, at, info.get("bbox"), "bbox"))
                items.append(
                    (
                        category(info, at),
                        _json_int(op, at, info.get("iscrowd"), "iscrowd"),
                        _json_int(op, at, info.get("area"), "area"),
                    )
                )
        else:  # Captioning
            caption = annotation.get("caption")
            if not isinstance(caption, str):
                raise MindDataError(f"For '{op}', {where}: 'caption' must be a str")
            items.append((caption,))

    def __len__(self) -> int:
        return len(self._files)

    def __getitem__(self, index: int) -> tuple:
        i = _row("CocoDataset", index, len(self))
        name = self._files[i]
        row = [_image_bytes("CocoDataset", self._dir / name, self._decode, self._decrypt)]
        coords, items = self._rows[name]
        if self.task == "Captioning":
            row.append(np.array([c for (c,) in items]).reshape(-1, 1))
        else:
            # Rows of different lengths are padded with -1, as MindSpore pads them.
            width = max((len(c) for c in coords), default=0)
            floats = np.full((len(coords), width), -1.0, np.float32)
            for k, c in enumerate(coords):
                floats[k, : len(c)] = c
            row.append(floats)
            values = np.array(items, np.int64).reshape(len(items), -1)
            row += [values[:, [k]].astype(np.uint32) for k in range(values.shape[1])]
        if len(self.column_names) > len(row):
            stem, dot, _ = name.partition(".")
            if not dot:
                raise MindDataError(
                    f"For 'CocoDataset', the image file name {name!r} has no extension, which "
                    "extra_metadata needs"
                )
            row.append(np.array(stem))
        return tuple(row)

    def __reduce__(self):
        return (type(self), self._args)

    def describe(self) -> str:
        return (
            f"CocoDataset of {self._dir}, task={self.task!r}: {len(self)} images; columns "
            f"{list(self.column_names)}"
        )


def CocoDataset(
    dataset_dir: str,
    annotation_file: str,
    task: str = "Detection",
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    decode: bool = False,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
    extra_metadata: bool = False,
    decrypt: Any = None,
) -> Dataset:
    """COCO: the images of ``annotation_file`` (JSON with ``images``, ``annotations`` and, for
    Detection and Panoptic, ``categories``) that have annotations, in its order, read from
    ``dataset_dir``. Column ``image`` (bytes, or decoded RGB with ``decode``), then by ``task``:

    - "Detection": ``bbox`` float32 (n, 4) as in the file ([x, y, width, height]),
      ``category_id`` and ``iscrowd`` uint32 (n, 1);
    - "Stuff": ``segmentation`` float32 (a row per polygon, or the run-length counts of a
      crowd), ``iscrowd`` uint32 (n, 1);
    - "Keypoint": ``keypoints`` float32 (n, 51), ``num_keypoints`` uint32 (n, 1);
    - "Panoptic": per segment, ``bbox`` float32, ``category_id``, ``iscrowd``, ``area`` uint32;
    - "Captioning": ``captions``, strings of shape (n, 1).

    Float rows of different lengths are padded with -1. ``get_class_indexing()`` (Detection and
    Panoptic) gives ``{name: [category id]}`` (Panoptic: ``[id, isthing]``)."""
    reader = _CocoReader(dataset_dir, annotation_file, task, decode, extra_metadata, decrypt)
    op = "CocoDataset"
    if isinstance(sampler, PKSampler):
        raise MindValueError(f"For '{op}', PKSampler is not supported")
    chosen = resolve_sampler(sampler, shuffle, num_samples, num_shards, shard_id, op)
    return _DetectionDataset(
        reader, list(reader.column_names), chosen, num_parallel_workers, label=op
    )


# ------------------------------------------------------------------------------------------------
# USPS and Semeion (text files of digits)
# ------------------------------------------------------------------------------------------------

_USPS_FILES = {"train": ("usps",), "test": ("usps.t",), "all": ("usps", "usps.t")}
_USPS_SIDE = 16


def _usps_row(op: str, where: str, line: str) -> tuple[np.ndarray, np.ndarray]:
    """One line of USPS's libsvm text: a label 1..10, then 1:v ... 256:v with v in [-1, 1]."""
    fields = line.split()
    size = _USPS_SIDE * _USPS_SIDE
    if len(fields) != size + 1:
        raise MindDataError(
            f"For '{op}', {where} has {len(fields)} fields, expected a label and {size} "
            "index:value pairs"
        )
    try:
        label = int(fields[0])
        pairs = [f.split(":", 1) for f in fields[1:]]
        if any(len(p) != 2 or int(p[0]) != k for k, p in enumerate(pairs, 1)):
            raise ValueError("the pairs must be 1:v, 2:v, ... 256:v")
        values = np.array([float(p[1]) for p in pairs], np.float32)
    except ValueError as exc:
        raise MindDataError(f"For '{op}', {where} is not USPS data ({exc})") from None
    if not 1 <= label <= 10 or not ((values >= -1) & (values <= 1)).all():
        raise MindDataError(
            f"For '{op}', {where} has label {label} or a pixel outside [-1, 1]; USPS labels are "
            "1..10"
        )
    # MindSpore's mapping of [-1, 1] to 0..255, truncated.
    pixels = ((values.astype(np.float64) + 1.0) / 2.0 * 255.0).astype(np.uint8)
    return pixels.reshape(_USPS_SIDE, _USPS_SIDE, 1), np.uint32(label - 1)


def USPSDataset(
    dataset_dir: str,
    usage: str | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: Any = Shuffle.GLOBAL,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """USPS digits from ``usps`` (train, 7,291 rows) and ``usps.t`` (test, 2,007), as
    uncompressed libsvm text: ``image`` uint8 (16, 16, 1) (pixels in [-1, 1] scaled to
    0..255), ``label`` uint32 0..9 (the file's 1..10 less one). ``usage`` "train", "test" or
    "all"/None (train rows first). A non-mappable source, like CSVDataset."""
    op = "USPSDataset"
    root = _dataset_dir(op, dataset_dir)
    usage = _usage(op, usage)
    rows: list[tuple] = []
    starts = [0]
    for name in _USPS_FILES[usage]:
        path = root / name
        if not path.is_file():
            raise MindDataError(
                f"For '{op}', {path} does not exist; usage={usage!r} needs "
                f"{' and '.join(_USPS_FILES[usage])} (decompressed)" + _DOCS
            )
        for number, line in enumerate(_read_text(op, path).split("\n"), 1):
            if line.strip():
                rows.append(_usps_row(op, f"{path} line {number}", line))
        starts.append(len(rows))
    if not rows:
        raise MindDataError(f"For '{op}', the files for usage={usage!r} in {root} hold no rows")
    return _non_mappable(
        op, rows, ["image", "label"], starts, shuffle, num_samples, num_shards, shard_id,
        num_parallel_workers,
    )  # fmt: skip


class _SemeionReader:
    column_names = ("image", "label")

    def __init__(self, dataset_dir) -> None:
        op = "SemeionDataset"
        self._dir = _dataset_dir(op, dataset_dir)
        path = self._dir / "semeion.data"
        if not path.is_file():
            raise MindDataError(f"For '{op}', {path} does not exist" + _DOCS)
        images, labels = [], []
        for number, line in enumerate(_read_text(op, path).split("\n"), 1):
            if not line.strip():
                continue
            image, label = self._row(f"{path} line {number}", line.split())
            images.append(image)
            labels.append(label)
        if not images:
            raise MindDataError(f"For '{op}', {path} holds no rows" + _DOCS)
        self.images = np.stack(images)
        self.labels = np.array(labels, np.uint32)

    @staticmethod
    def _row(where: str, fields: list[str]) -> tuple[np.ndarray, int]:
        """256 pixels (written 0.0000 or 1.0000; MindSpore keeps their integer part, 0 or 1)
        and 10 one-hot label digits."""
        if len(fields) != 266:
            raise MindDataError(
                f"For 'SemeionDataset', {where} has {len(fields)} fields, expected 256 pixels and "
                "10 label digits"
            )
        try:
            values = [int(float(f)) for f in fields]
        except ValueError as exc:
            raise MindDataError(
                f"For 'SemeionDataset', {where} is not Semeion data ({exc})"
            ) from None
        if not all(0 <= v <= 255 for v in values):
            raise MindDataError(f"For 'SemeionDataset', {where} has a value outside 0..255")
        hot = [k for k, v in enumerate(values[256:]) if v]
        if not hot:
            raise MindDataError(f"For 'SemeionDataset', {where} has no label digit set")
        return np.array(values[:256], np.uint8).reshape(16, 16), hot[0]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        i = _row("SemeionDataset", index, len(self))
        return self.images[i].copy(), np.array(self.labels[i])

    def __reduce__(self):
        return (type(self), (self._dir,))

    def describe(self) -> str:
        return (
            f"SemeionDataset of {self._dir}: {len(self)} rows; columns image uint8 (16, 16), "
            "label uint32 ()"
        )


def SemeionDataset(
    dataset_dir: str,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    shuffle: bool | None = None,
    sampler: Any = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
    cache: Any = None,
) -> Dataset:
    """Semeion handwritten digits from ``semeion.data``: ``image`` uint8 (16, 16) of 0 and 1,
    ``label`` uint32 0..9 (the first set digit of the row's 10 label digits)."""
    return _standard(
        _SemeionReader(dataset_dir),
        "SemeionDataset",
        num_samples,
        num_parallel_workers,
        shuffle,
        sampler,
        num_shards,
        shard_id,
    )


# ------------------------------------------------------------------------------------------------
# Schema and RandomDataset
# ------------------------------------------------------------------------------------------------

# MindData's column types, in the order of its type enumeration (RandomDataset draws the first 12).
_DE_TYPES = (
    "bool int8 uint8 int16 uint16 int32 uint32 int64 uint64 float16 float32 float64 string bytes"
).split()


def _de_type(de_type: Any, op: str) -> str:
    """A column type's MindData name ("int32", "string") from that name or a mind.core dtype."""
    if isinstance(de_type, str):
        name = de_type
    else:
        from mind.core import dtype_to_nptype

        try:
            name = np.dtype(dtype_to_nptype(de_type)).name
        except Exception:  # not a mind.core dtype: reported below with the known names
            name = ""
    if name not in _DE_TYPES:
        raise MindTypeError(
            f"For '{op}', the column type {de_type!r} is unknown; use a mind.core dtype or one of "
            f"{_DE_TYPES}"
        )
    return name


def _schema_shape(shape: Any, op: str) -> list[int]:
    if not isinstance(shape, list | tuple) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d >= -1 for d in shape
    ):
        raise MindTypeError(
            f"For '{op}', 'shape' must be a list of int (-1 for a dimension of unknown size), "
            f"got {shape!r}"
        )
    return list(shape)


class Schema:
    """The columns of a dataset (name, type, shape) and its row count, as JSON: MindSpore's
    ``Schema``. ``Schema(schema_file)`` loads a JSON file ``{"columns": ..., "numRows": n,
    "datasetType": ...}`` (``columns`` as :meth:`parse_columns` takes them).

    >>> schema = Schema()
    >>> schema.add_column("image", de_type="uint8", shape=[2, 2])
    >>> schema.to_json().count('"rank": 2')
    1
    """

    def __init__(self, schema_file: str | None = None) -> None:
        self.schema_file = "" if schema_file is None else schema_file
        self.columns: list[dict] = []
        self.num_rows, self.dataset_type = 0, ""
        if schema_file is None:
            return
        if not isinstance(schema_file, str | os.PathLike):
            raise MindTypeError(
                f"For 'Schema', 'schema_file' must be a path (str), got {type(schema_file).__name__}"
            )
        path = Path(schema_file)
        if not path.is_file():
            raise MindDataError(f"For 'Schema', the schema file {path} does not exist")
        size = path.stat().st_size
        if size > _SCHEMA_MAX_BYTES:
            raise MindDataError(
                f"For 'Schema', {path} has {size} bytes, more than a schema's limit of "
                f"{_SCHEMA_MAX_BYTES}; it is not read"
            )
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MindDataError(f"For 'Schema', {path} is not JSON ({exc})") from exc
        if not isinstance(obj, dict) or "columns" not in obj:
            raise MindDataError(f"For 'Schema', {path} has no \"columns\" entry")
        try:
            self.from_json(obj)
        except (MindTypeError, MindValueError) as exc:
            raise MindDataError(f"For 'Schema', {path}: {exc}") from None

    def add_column(self, name: str, de_type: Any, shape: list[int] | None = None) -> None:
        """Add column ``name`` of type ``de_type`` (a mind.core dtype or a name such as
        "int32", "string") and ``shape`` (None: rank 1, length unknown; -1 marks a dimension
        of unknown size)."""
        op = "Schema.add_column"
        if not isinstance(name, str) or not name:
            raise MindTypeError(f"For '{op}', 'name' must be a non-empty str, got {name!r}")
        column: dict[str, Any] = {"name": name, "type": _de_type(de_type, op)}
        if shape is None:
            column["rank"] = 1
        else:
            column["shape"] = _schema_shape(shape, op)
            column["rank"] = len(column["shape"])
        self.columns.append(column)

    def parse_columns(self, columns: Any) -> None:
        """Replace the columns with ``columns``: a list of ``{"name", "type", "shape"?}`` dicts,
        or a dict of name -> ``{"type", "shape"?}``. A column without "shape" has rank 0, as in
        MindSpore (a scalar)."""
        op = "Schema.parse_columns"
        if isinstance(columns, dict):
            items = list(columns.items())
        elif isinstance(columns, list | tuple):
            items = []
            for spec in columns:
                if not isinstance(spec, dict) or "name" not in spec:
                    raise MindValueError(f"For '{op}', a column's name is missing: {spec!r}")
                items.append((spec["name"], spec))
        else:
            raise MindTypeError(
                f"For '{op}', columns must be a dict or a list of dicts holding name, type and an "
                f"optional shape; got {type(columns).__name__}"
            )
        parsed = Schema()
        for name, spec in items:
            if not isinstance(spec, dict) or "type" not in spec:
                raise MindValueError(f"For '{op}', column {name!r}'s type is missing")
            parsed.add_column(name, spec["type"], spec.get("shape", []))
        self.columns = parsed.columns

    def from_json(self, json_obj: dict) -> None:
        """Set the schema from a parsed JSON object: "columns", and optionally "numRows" and
        "datasetType"; any other key is an error."""
        op = "Schema.from_json"
        if not isinstance(json_obj, dict):
            raise MindTypeError(f"For '{op}', expected a dict, got {type(json_obj).__name__}")
        unknown = sorted(set(json_obj) - {"columns", "numRows", "datasetType"})
        if unknown:
            raise MindValueError(f"For '{op}', unknown field {unknown[0]!r}")
        num_rows = json_obj.get("numRows", self.num_rows)
        if not isinstance(num_rows, int) or isinstance(num_rows, bool) or num_rows < 0:
            raise MindValueError(f"For '{op}', numRows must be an int >= 0, got {num_rows!r}")
        if "columns" in json_obj:
            self.parse_columns(json_obj["columns"])
        if not self.columns:
            raise MindValueError(f"For '{op}', columns are missing")
        self.num_rows = num_rows
        self.dataset_type = str(json_obj.get("datasetType", self.dataset_type))

    def to_json(self) -> str:
        """The schema as JSON text: keys sorted, indented by 2 (MindSpore's layout)."""
        obj: dict[str, Any] = {"columns": self.columns}
        if self.dataset_type:
            obj["datasetType"] = self.dataset_type
        if self.num_rows > 0:
            obj["numRows"] = self.num_rows
        return json.dumps(obj, indent=2, sort_keys=True)

    def __str__(self) -> str:
        return self.to_json()

    @staticmethod
    def get_num_rows(schema: Any) -> int:
        """The ``numRows`` of ``schema`` (a Schema or a schema file)."""
        return (schema if isinstance(schema, Schema) else Schema(schema)).num_rows


_RANDOM_MAX_COLUMNS, _RANDOM_MAX_RANK, _RANDOM_MAX_DIM, _RANDOM_MAX_ROWS = 4, 4, 32, 1024
_RANDOM_TYPES = _DE_TYPES[:12]  # bool and the numbers; no strings


class _RandomRows:
    """Row i of random data. As in MindSpore, each value is one random byte repeated (so a
    float column may hold NaN or inf) and each unknown dimension (-1) is drawn in 1..32. The
    generator is seeded by (seed, i), so a row is the same every epoch and in every worker."""

    def __init__(self, columns: list[tuple[str, np.dtype, list[int]]], rows: int, seed: int):
        self.columns, self.rows, self.seed = columns, rows, seed
        self.column_names = tuple(c[0] for c in columns)

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, index: int) -> tuple:
        i = _row("RandomDataset", index, self.rows)
        rng = np.random.default_rng([self.seed, i])
        out = []
        for _, dtype, shape in self.columns:
            dims = [int(rng.integers(1, _RANDOM_MAX_DIM + 1)) if d == -1 else d for d in shape]
            byte = np.uint8(rng.integers(0, 256))
            if dtype == np.bool_:
                out.append(np.full(dims, bool(byte)))
            else:
                raw = np.full(math.prod(dims) * dtype.itemsize, byte, np.uint8)
                out.append(raw.view(dtype).reshape(dims))
        return tuple(out)


def _random_schema(rng: np.random.Generator) -> list[tuple[str, np.dtype, list[int]]]:
    """MindSpore's schema for RandomDataset without one: 1..4 columns c0, c1, ... of a random
    numeric type (or bool) and rank 1..4, each dimension 1..32 or unknown."""
    columns = []
    for k in range(int(rng.integers(1, _RANDOM_MAX_COLUMNS + 1))):
        dtype = np.dtype(_RANDOM_TYPES[int(rng.integers(len(_RANDOM_TYPES)))])
        rank = int(rng.integers(1, _RANDOM_MAX_RANK + 1))
        dims = [int(v) or -1 for v in rng.integers(0, _RANDOM_MAX_DIM + 1, rank)]
        columns.append((f"c{k}", dtype, dims))
    return columns


def RandomDataset(
    total_rows: int | None = None,
    schema: Any = None,
    columns_list: list[str] | None = None,
    num_samples: int | None = None,
    num_parallel_workers: int | None = None,
    cache: Any = None,
    shuffle: bool | None = None,
    num_shards: int | None = None,
    shard_id: int | None = None,
) -> Dataset:
    """Rows of random values shaped by ``schema`` (a :class:`Schema` or a schema file); without
    one, a random schema (see ``_random_schema``). The row count follows MindSpore: with a
    schema, ``total_rows`` or else the schema's ``numRows``; without, ``num_samples`` when
    given, else ``total_rows``; 0 or None means a random count in 1..1024. ``columns_list``
    keeps those columns, in that order. Values come from ``config.set_seed``'s seed when one
    is set. As in MindSpore, ``shuffle`` and the shard arguments are checked but rows are not
    shuffled or sharded (every row is random already)."""
    from mind.data import config

    op = "RandomDataset"
    for name, value in (("total_rows", total_rows), ("num_samples", num_samples)):
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise MindValueError(f"For '{op}', '{name}' must be an int >= 0, got {value!r}")
    if shuffle is not None and not isinstance(shuffle, bool):
        raise MindTypeError(f"For '{op}', 'shuffle' must be a bool, got {shuffle!r}")
    resolve_sampler(None, shuffle, None, num_shards, shard_id, op)  # checks the shard arguments
    seed = config.get_seed()
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    rng = np.random.default_rng([seed, 0x52414E44])
    rows = total_rows or 0
    if num_samples:
        rows = num_samples
    if schema is not None:
        schema = schema if isinstance(schema, Schema) else Schema(schema)
        rows = schema.num_rows if total_rows is None else total_rows
        columns = []
        for c in schema.columns:
            if c["type"] in ("string", "bytes"):
                raise MindValueError(
                    f"For '{op}', column {c['name']!r} is a {c['type']} column; random data is "
                    "numeric or bool"
                )
            columns.append((c["name"], np.dtype(c["type"]), c.get("shape", [-1] * c["rank"])))
    else:
        columns = _random_schema(rng)
    if columns_list is not None:
        if not isinstance(columns_list, list):
            raise MindTypeError(f"For '{op}', 'columns_list' must be a list of column names")
        known = {c[0]: c for c in columns}
        missing = [c for c in columns_list if c not in known]
        if missing:
            raise MindValueError(
                f"For '{op}', columns_list names {missing}, not among the columns {list(known)}"
            )
        columns = [known[c] for c in columns_list] if columns_list else columns
    rows = rows or int(rng.integers(1, _RANDOM_MAX_ROWS + 1))
    source = _RandomRows(columns, rows, seed)
    return RandomAccessDataset(
        source,
        list(source.column_names),
        resolve_sampler(None, False, None, None, None, op),
        num_parallel_workers,
        label=op,
    )


# ------------------------------------------------------------------------------------------------
# PaddedDataset
# ------------------------------------------------------------------------------------------------


class _Padded:
    def __init__(self, samples: list[dict], names: list[str]) -> None:
        self.samples, self.names = samples, names

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> tuple:
        sample = self.samples[_row("PaddedDataset", i, len(self.samples))]
        return tuple(np.array(sample[n]) for n in self.names)


def PaddedDataset(padded_samples: list[dict]) -> Dataset:
    """The given samples (dicts of column -> value; the columns are the first sample's keys),
    in order: filler rows to concatenate to a dataset so that it divides evenly into shards."""
    op = "PaddedDataset"
    if not isinstance(padded_samples, list):
        raise MindTypeError(
            f"For '{op}', 'padded_samples' must be a list of dicts, got "
            f"{type(padded_samples).__name__}"
        )
    if not padded_samples:
        raise MindValueError(f"For '{op}', 'padded_samples' cannot be empty")
    for k, sample in enumerate(padded_samples):
        if not isinstance(sample, dict):
            raise MindTypeError(
                f"For '{op}', padded_samples[{k}] must be a dict, got {type(sample).__name__}"
            )
    names = list(padded_samples[0])
    for k, sample in enumerate(padded_samples):
        missing = [n for n in names if n not in sample]
        if missing:
            raise MindValueError(
                f"For '{op}', padded_samples[{k}] lacks {missing}, which the first sample has "
                f"(the columns are {names})"
            )
    return GeneratorDataset(_Padded(padded_samples, names), names, shuffle=False)
