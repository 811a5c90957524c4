"""Random-access readers for the standard dataset files: MNIST idx, CIFAR-10 binary, image folders.

Each reader is what a dataset wraps (``MnistDataset``, ``Cifar10Dataset``, ``ImageFolderDataset``):
it finds and validates the files when it is built, then returns one row at a time. They share one
small protocol, :class:`Reader`: ``column_names``, ``len(reader)``, ``reader[i]`` (a tuple with one
numpy array per column, 0-d for scalars, each a fresh array the caller may modify) and
``describe()``. Rows come in MindSpore's order, so a sampler's indices select the same rows.

Headers and file sizes are checked before any payload is read, and uncompressed files are
memory-mapped, so building a reader over the 60,000 MNIST training images reads 24 bytes of
them. A file that is missing, truncated or not in the expected format raises
:class:`~mind.data.errors.MindDataError` naming the file and the problem.

Example::

    >>> reader = MnistReader("/data/mnist", usage="train")
    >>> reader.column_names
    ('image', 'label')
    >>> image, label = reader[0]
    >>> image.shape, image.dtype, label.shape, label.dtype
    ((28, 28, 1), dtype('uint8'), (), dtype('uint32'))
"""

from __future__ import annotations

import bisect
import gzip
import io
import math
import operator
import os
import struct
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from mind.core.errors import MindTypeError, MindValueError
from mind.data.errors import MindDataError

__all__ = ["Cifar10Reader", "ImageFolderReader", "MnistReader", "Reader"]

_DOCS = "\n(see docs/data.md#standard-dataset-files in the Mind repository)"
_USAGES = ("train", "test", "all")


@runtime_checkable
class Reader(Protocol):
    """What every reader provides; datasets depend on this, not on the classes."""

    column_names: tuple[str, ...]

    def __len__(self) -> int: ...

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]: ...

    def describe(self) -> str: ...


# ------------------------------------------------------------------------------------------------
# Shared checks
# ------------------------------------------------------------------------------------------------


def _dataset_dir(reader: str, dataset_dir: object) -> Path:
    if not isinstance(dataset_dir, (str, os.PathLike)):
        raise MindTypeError(
            f"For '{reader}', argument 'dataset_dir' must be a str or os.PathLike, got "
            f"{type(dataset_dir).__name__}" + _DOCS
        )
    path = Path(dataset_dir)
    if not path.is_dir():
        problem = "is not a directory" if path.exists() else "does not exist"
        raise MindDataError(f"For '{reader}', the dataset directory {path} {problem}" + _DOCS)
    return path


def _usage(reader: str, usage: object) -> str:
    if usage is None:
        return "all"
    if usage not in _USAGES:
        raise MindValueError(
            f"For '{reader}', argument 'usage' must be 'train', 'test', 'all' or None, got "
            f"{usage!r}" + _DOCS
        )
    return str(usage)


def _row(reader: str, index: object, length: int) -> int:
    """``index`` as a row number in ``range(length)``; negative indices count from the end."""
    if isinstance(index, bool):
        raise MindTypeError(f"For '{reader}', a row index must be an int, got bool")
    try:
        i = operator.index(index)
    except TypeError:
        raise MindTypeError(
            f"For '{reader}', a row index must be an int, got {type(index).__name__}"
        ) from None
    if not -length <= i < length:
        # IndexError rather than a MindError: it is what ends iteration over a sequence.
        raise IndexError(f"For '{reader}', row {i} is out of range for {length} rows")
    return i + length if i < 0 else i


def _map(path: Path, offset: int, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only view of ``shape`` bytes of ``path`` from ``offset``, memory-mapped."""
    if math.prod(shape) == 0:  # mmap refuses an empty range
        return np.zeros(shape, np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r", offset=offset, shape=shape)


# ------------------------------------------------------------------------------------------------
# MNIST
# ------------------------------------------------------------------------------------------------

# idx magic numbers: 0x08 (unsigned byte) in the third byte, the number of dimensions in the fourth.
_IDX_IMAGES = 2051  # 0x00000803
_IDX_LABELS = 2049  # 0x00000801
_MNIST_SIDE = 28  # MindSpore accepts only 28x28 images; so do Fashion-MNIST, KMNIST and EMNIST.
_MNIST_PREFIX = {"train": "train", "test": "t10k"}
# MindSpore sorts the file names it finds, so "all" reads t10k (the test split) before train.
_MNIST_SPLITS = {"train": ("train",), "test": ("test",), "all": ("test", "train")}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
# A .gz may declare (in its idx header) at most this many bytes, or this many times its own size
# if that is more, before anything is decompressed: real idx files compress about 5:1, a gzip
# bomb of zeros about 1000:1. Larger files are read uncompressed (memory-mapped, no limit).
_GZ_FREE = 64 << 20
_GZ_MAX_RATIO = 50


def _by_part(starts: list[int], indices: np.ndarray, rows: int = 1024) -> Iterable:
    """(part, local rows) for consecutive runs of ``indices`` within one part, at most ``rows``
    long, in order."""
    parts = np.searchsorted(starts, indices, side="right") - 1
    cuts = np.flatnonzero(np.diff(parts)) + 1
    for run_lo, run_hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(indices)]):
        part = int(parts[run_lo])
        for lo in range(run_lo, run_hi, rows):
            yield part, indices[lo : min(lo + rows, run_hi)] - starts[part]


class MnistReader:
    """MNIST (or an MNIST-format set such as Fashion-MNIST) from its idx files.

    :param dataset_dir: the directory holding ``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``,
        each uncompressed or as the ``.gz`` download; when both are present the uncompressed file
        is used. Uncompressed files are memory-mapped; ``.gz`` files are decompressed into memory.
    :param usage: ``"train"`` (60,000 rows), ``"test"`` (10,000 rows) or ``"all"``; ``None`` means
        ``"all"``. ``"all"`` uses the splits whose files are present, test rows first (MindSpore's
        order); ``"train"`` and ``"test"`` require their two files.

    Columns: ``image``, uint8 of shape (28, 28, 1) (HWC); ``label``, a 0-d uint32.

    :raises MindDataError: a file is missing (the message lists the names looked for), has the
        wrong magic number, is not 28x28, is truncated or too long for its header, or the image
        and label files of a split hold different counts.
    :raises MindValueError: ``usage`` is not one of the above.
    """

    column_names = ("image", "label")

    def __init__(self, dataset_dir: str | os.PathLike[str], usage: str | None = None) -> None:
        self._dir = _dataset_dir("MnistReader", dataset_dir)
        self._usage = _usage("MnistReader", usage)
        # One (images, labels, image path, label path) per split, in row order.
        self._parts: list[tuple[np.ndarray, np.ndarray, Path, Path]] = []
        for image_path, label_path in self._splits():
            images = _read_idx(image_path, _IDX_IMAGES)
            labels = _read_idx(label_path, _IDX_LABELS)
            if len(images) != len(labels):
                raise MindDataError(
                    f"For 'MnistReader', {image_path} holds {len(images)} images but "
                    f"{label_path} holds {len(labels)} labels; the two files must come from the "
                    "same split" + _DOCS
                )
            self._parts.append((images, labels, image_path, label_path))
        # starts[k] is the first row of part k; the last entry is the total.
        self._starts = [0]
        for images, *_ in self._parts:
            self._starts.append(self._starts[-1] + len(images))
        if self._starts[-1] == 0:
            raise MindDataError(
                f"For 'MnistReader', the files for usage={self._usage!r} in {self._dir} hold no "
                "images" + _DOCS
            )

    def _splits(self) -> list[tuple[Path, Path]]:
        """(image file, label file) for each split of the usage that is present, in row order."""
        found, looked_for = [], []
        for split in _MNIST_SPLITS[self._usage]:
            prefix = _MNIST_PREFIX[split]
            names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
            paths = [self._find(name) for name in names]
            looked_for += [f"{name}[.gz]" for name in names]
            if all(paths):
                found.append((paths[0], paths[1]))
            elif any(paths) or self._usage != "all":
                missing = " or ".join(f"{n}[.gz]" for n, p in zip(names, paths) if p is None)
                raise MindDataError(
                    f"For 'MnistReader', found no {missing} in {self._dir}; usage="
                    f"{self._usage!r} needs both the {split} images and labels" + _DOCS
                )
        if not found:
            raise MindDataError(
                f"For 'MnistReader', no MNIST files in {self._dir}; looked for "
                f"{', '.join(looked_for)}" + _DOCS
            )
        return found

    def _find(self, name: str) -> Path | None:
        for candidate in (self._dir / name, self._dir / f"{name}.gz"):
            if candidate.is_file():
                return candidate
        return None

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        i = _row("MnistReader", index, len(self))
        part = bisect.bisect_right(self._starts, i) - 1
        images, labels, _, _ = self._parts[part]
        j = i - self._starts[part]
        image = np.array(images[j], dtype=np.uint8).reshape(_MNIST_SIDE, _MNIST_SIDE, 1)
        return image, np.array(labels[j], dtype=np.uint32)

    def _read_blocks(self, indices: np.ndarray) -> Iterable[list]:
        """The batch-native engine's read: the rows at ``indices`` a part at a time, gathered."""
        for part, local in _by_part(self._starts, indices):
            images, labels, _, _ = self._parts[part]
            image = np.asarray(images[local], dtype=np.uint8)
            yield [
                image.reshape(len(local), _MNIST_SIDE, _MNIST_SIDE, 1),
                np.asarray(labels[local], dtype=np.uint32),
            ]

    def __reduce__(self) -> tuple[type, tuple[Path, str]]:
        # Send the arguments, not the memory maps (which pickle as full copies of the data); a
        # worker process reopens and revalidates the files.
        return (type(self), (self._dir, self._usage))

    def __repr__(self) -> str:
        return f"MnistReader({str(self._dir)!r}, usage={self._usage!r})"

    def describe(self) -> str:
        files = "; ".join(
            f"{image.name} + {label.name}: {len(images)} rows"
            for images, _, image, label in self._parts
        )
        return (
            f"MnistReader of {self._dir}, usage={self._usage!r}: {len(self)} rows ({files}); "
            "columns image uint8 (28, 28, 1), label uint32 ()"
        )


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """The payload of an unsigned-byte idx file, checked against its header before it is read."""
    ndim = magic & 0xFF
    header_size = 4 * (1 + ndim)
    if path.suffix == ".gz":
        return _read_idx_gz(path, magic, header_size)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            header = f.read(header_size)
    except OSError as exc:
        raise MindDataError(
            f"For 'MnistReader', {path} cannot be read ({exc.strerror or exc})" + _DOCS
        ) from exc
    if header[:2] == _GZIP_MAGIC:
        raise MindDataError(
            f"For 'MnistReader', {path} is gzip-compressed; name it {path.name}.gz or "
            "decompress it" + _DOCS
        )
    shape = _idx_shape(path, header, magic, header_size)
    expected = header_size + math.prod(shape)
    if size != expected:
        raise MindDataError(
            f"For 'MnistReader', {path} has {size} bytes but its header declares "
            f"{_describe_shape(shape)}, {expected} bytes with the header; the file is "
            f"{'truncated' if size < expected else 'longer than its header says'}" + _DOCS
        )
    return _map(path, header_size, shape)


def _read_idx_gz(path: Path, magic: int, header_size: int) -> np.ndarray:
    """Decompress an idx ``.gz`` after checking what its header and gzip trailer declare:
    never more than the header declares (plus one byte, to see whether the file goes on)."""
    try:
        with open(path, "rb") as raw:
            size, isize = os.fstat(raw.fileno()).st_size, -1
            if size >= 18:  # the smallest gzip file: a 10-byte header and an 8-byte trailer
                raw.seek(size - 4)
                (isize,) = struct.unpack("<I", raw.read(4))
                raw.seek(0)
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                shape = _idx_shape(path, f.read(header_size), magic, header_size)
                expected = math.prod(shape)
                total = header_size + expected
                limit = max(_GZ_FREE, _GZ_MAX_RATIO * size)
                if total > limit:
                    raise MindDataError(
                        f"For 'MnistReader', {path} declares {_describe_shape(shape)}, "
                        f"{total} bytes once decompressed: {total / size:.0f} times its "
                        f"compressed size of {size} bytes, more than the {_GZ_MAX_RATIO}:1 a "
                        "real idx file reaches; it is not decompressed into memory. If it is "
                        "genuine, decompress it yourself (gunzip) and the reader memory-maps "
                        "it" + _DOCS
                    )
                if isize != total % 2**32:
                    raise MindDataError(
                        f"For 'MnistReader', {path} is truncated or damaged: its gzip trailer "
                        f"records {isize} bytes uncompressed, but its idx header declares "
                        f"{_describe_shape(shape)}, {total} bytes with the header" + _DOCS
                    )
                # Into a buffer of the declared size, in chunks: never more than it declares.
                payload = np.empty(expected, np.uint8)
                view, got = memoryview(payload), 0
                while got < expected:
                    n = f.readinto(view[got : min(got + _CHUNK, expected)])
                    if not n:
                        break
                    got += n
                extra = f.read(1)
    except (OSError, EOFError, zlib.error, struct.error) as exc:
        raise MindDataError(
            f"For 'MnistReader', {path} cannot be decompressed ({exc}); the download is "
            "truncated or damaged" + _DOCS
        ) from exc
    if got < expected:
        raise MindDataError(
            f"For 'MnistReader', {path} decompresses to {header_size + got} bytes but "
            f"its header declares {_describe_shape(shape)}, {header_size + expected} bytes with "
            "the header; the file is truncated" + _DOCS
        )
    if extra:
        raise MindDataError(
            f"For 'MnistReader', {path} decompresses to more than the "
            f"{header_size + expected} bytes its header declares ({_describe_shape(shape)}); "
            "the file is longer than its header says" + _DOCS
        )
    array = payload.reshape(shape)
    array.flags.writeable = False
    return array


def _idx_shape(path: Path, header: bytes, magic: int, header_size: int) -> tuple[int, ...]:
    """The dimensions in an idx header, after checking its length, magic number and image size."""
    kind = "image" if magic == _IDX_IMAGES else "label"
    # The magic number first: a label file named as an image file is shorter than an image header.
    if len(header) >= 4:
        (found,) = struct.unpack(">I", header[:4])
        if found != magic:
            hint = ""
            if found in (_IDX_IMAGES, _IDX_LABELS):
                hint = "; it looks like an image file named as a label file or the reverse"
            raise MindDataError(
                f"For 'MnistReader', {path} has magic number {found}, expected {magic} for an "
                f"idx {kind} file{hint}" + _DOCS
            )
    if len(header) < header_size:
        raise MindDataError(
            f"For 'MnistReader', {path} has {len(header)} bytes, fewer than the "
            f"{header_size}-byte header of an idx {kind} file; the file is truncated" + _DOCS
        )
    shape = list(struct.unpack(f">{header_size // 4 - 1}I", header[4:]))
    if kind == "image" and shape[1:] != [_MNIST_SIDE, _MNIST_SIDE]:
        raise MindDataError(
            f"For 'MnistReader', {path} holds images of {shape[1]}x{shape[2]} pixels, "
            f"expected {_MNIST_SIDE}x{_MNIST_SIDE}" + _DOCS
        )
    return tuple(shape)


def _describe_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"{shape[0]} labels"
    return f"{shape[0]} images of {shape[1]}x{shape[2]}"


# ------------------------------------------------------------------------------------------------
# CIFAR-10
# ------------------------------------------------------------------------------------------------

_CIFAR_IMAGE = (3, 32, 32)  # stored CHW: the red plane, then green, then blue
_CIFAR_RECORD = 1 + math.prod(_CIFAR_IMAGE)  # a label byte, then 3,072 image bytes
_CIFAR_CLASSES = 10
# MindSpore sorts the file names, so "all" reads the training batches, then the test batch.
_CIFAR_FILES = {
    "train": tuple(f"data_batch_{k}.bin" for k in range(1, 6)),
    "test": ("test_batch.bin",),
}
_CIFAR_FILES["all"] = _CIFAR_FILES["train"] + _CIFAR_FILES["test"]


class Cifar10Reader:
    """CIFAR-10 from its binary version (``cifar-10-batches-bin``).

    :param dataset_dir: the directory holding ``data_batch_1.bin`` .. ``data_batch_5.bin`` and
        ``test_batch.bin``. Each file is a run of 3,073-byte records: a label byte, then the image
        as 3,072 bytes CHW. The files are memory-mapped. (The "python version" of CIFAR-10 is
        pickled and is never read.)
    :param usage: ``"train"`` (the data batches, 50,000 rows), ``"test"`` (10,000 rows) or
        ``"all"`` (training rows first); ``None`` means ``"all"``. As in MindSpore, the standard
        file names that are present are used, in order; at least one must be.

    Columns: ``image``, uint8 of shape (32, 32, 3) (HWC); ``label``, a 0-d uint32 in 0..9.

    :raises MindDataError: no file of the usage is present (the message lists the names looked
        for), a file's size is not a whole number of records, or a record's label is not 0..9
        (raised when that row is read).
    :raises MindValueError: ``usage`` is not one of the above.
    """

    column_names = ("image", "label")

    def __init__(self, dataset_dir: str | os.PathLike[str], usage: str | None = None) -> None:
        self._dir = _dataset_dir("Cifar10Reader", dataset_dir)
        self._usage = _usage("Cifar10Reader", usage)
        names = _CIFAR_FILES[self._usage]
        paths = [self._dir / name for name in names if (self._dir / name).is_file()]
        if not paths:
            raise MindDataError(
                f"For 'Cifar10Reader', no CIFAR-10 binary files for usage={self._usage!r} in "
                f"{self._dir}; looked for {', '.join(names)}" + _DOCS
            )
        self._parts: list[tuple[np.ndarray, Path]] = []
        self._starts = [0]
        for path in paths:
            records = _cifar_records(path)
            self._parts.append((records, path))
            self._starts.append(self._starts[-1] + len(records))
        if self._starts[-1] == 0:
            raise MindDataError(
                f"For 'Cifar10Reader', the files for usage={self._usage!r} in {self._dir} hold "
                "no records" + _DOCS
            )

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        i = _row("Cifar10Reader", index, len(self))
        part = bisect.bisect_right(self._starts, i) - 1
        records, path = self._parts[part]
        j = i - self._starts[part]
        record = np.array(records[j], dtype=np.uint8)
        if record[0] >= _CIFAR_CLASSES:
            # Checked per row: scanning every label up front would read the whole file.
            raise MindDataError(
                f"For 'Cifar10Reader', record {j} of {path} has label {record[0]}, expected "
                "0..9; the file is not CIFAR-10 binary (CIFAR-100 records have two label "
                "bytes)" + _DOCS
            )
        image = np.ascontiguousarray(record[1:].reshape(_CIFAR_IMAGE).transpose(1, 2, 0))
        return image, np.array(record[0], dtype=np.uint32)

    def _read_blocks(self, indices: np.ndarray) -> Iterable[list]:
        """The batch-native engine's read: the rows at ``indices`` a part at a time, gathered,
        with the same label check as a row read."""
        for part, local in _by_part(self._starts, indices):
            records, _ = self._parts[part]
            chunk = np.asarray(records[local], dtype=np.uint8)
            bad = np.flatnonzero(chunk[:, 0] >= _CIFAR_CLASSES)
            if bad.size:
                self[self._starts[part] + int(local[bad[0]])]  # raises, naming the record
            images = chunk[:, 1:].reshape(len(local), *_CIFAR_IMAGE).transpose(0, 2, 3, 1)
            yield [np.ascontiguousarray(images), chunk[:, 0].astype(np.uint32)]

    def __reduce__(self) -> tuple[type, tuple[Path, str]]:
        # As for MnistReader: a worker reopens the files rather than receiving copies of them.
        return (type(self), (self._dir, self._usage))

    def __repr__(self) -> str:
        return f"Cifar10Reader({str(self._dir)!r}, usage={self._usage!r})"

    def describe(self) -> str:
        files = ", ".join(f"{path.name}: {len(records)}" for records, path in self._parts)
        return (
            f"Cifar10Reader of {self._dir}, usage={self._usage!r}: {len(self)} rows ({files}); "
            "columns image uint8 (32, 32, 3), label uint32 ()"
        )


def _cifar_records(path: Path) -> np.ndarray:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MindDataError(
            f"For 'Cifar10Reader', {path} cannot be read ({exc.strerror or exc})" + _DOCS
        ) from exc
    if size % _CIFAR_RECORD:
        raise MindDataError(
            f"For 'Cifar10Reader', {path} has {size} bytes, not a whole number of "
            f"{_CIFAR_RECORD}-byte records (a label byte and 3072 image bytes); the file is "
            "truncated or is not the CIFAR-10 binary version" + _DOCS
        )
    return _map(path, 0, (size // _CIFAR_RECORD, _CIFAR_RECORD))


# ------------------------------------------------------------------------------------------------
# Image folders
# ------------------------------------------------------------------------------------------------

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".gif", ".webp")
_INT32_MAX = 2**31 - 1


class ImageFolderReader:
    """Images sorted into one folder per class: ``dataset_dir/<class>/<image file>``.

    :param dataset_dir: the directory whose subdirectories are the classes. Files directly in it,
        nested subdirectories, and names starting with ``.`` (``.DS_Store``, macOS ``._x.jpg``
        files) are ignored.
    :param extensions: the file extensions to read, each with its dot (``[".png"]``); matched
        without regard to case. ``None`` means ``.jpg .jpeg .png .bmp .tif .tiff .gif .webp``.
        Other files are skipped.
    :param class_indexing: ``{folder name: label}``. ``None`` (or ``{}``, as in MindSpore) labels
        the class folders 0, 1, ... in sorted name order, empty folders included. When given,
        only the named folders are read, and a name with no folder is an error.
    :param decode: ``False`` (MindSpore's default) returns each file's bytes; ``True`` decodes it
        with Pillow to RGB.

    Rows come class folder by class folder in sorted name order, files sorted by name within each.

    Columns: ``image``, the file's bytes as 1-D uint8 or, with ``decode=True``, uint8 of shape
    (H, W, 3); ``label``, a 0-d int32.

    :raises MindDataError: the directory is missing, ``class_indexing`` names a folder that is
        not there, no file matches ``extensions``, or (when its row is read) a file cannot be
        read or decoded.
    :raises MindTypeError: an argument has the wrong type.
    :raises MindValueError: an extension lacks its dot, or a label is outside 0..2**31-1.
    """

    column_names = ("image", "label")

    def __init__(
        self,
        dataset_dir: str | os.PathLike[str],
        extensions: Iterable[str] | None = None,
        class_indexing: Mapping[str, int] | None = None,
        decode: bool = False,
    ) -> None:
        self._dir = _dataset_dir("ImageFolderReader", dataset_dir)
        self._extensions = _extensions(extensions)
        if not isinstance(decode, bool):
            raise MindTypeError(
                f"For 'ImageFolderReader', argument 'decode' must be a bool, got "
                f"{type(decode).__name__}" + _DOCS
            )
        self._decode = decode
        folders = sorted(
            name for name in self._list(self._dir, dirs=True) if not name.startswith(".")
        )
        if class_indexing is not None:
            class_indexing = _class_indexing(class_indexing)
        if class_indexing:
            self._class_indexing = class_indexing
            missing = sorted(set(self._class_indexing) - set(folders))
            if missing:
                raise MindDataError(
                    f"For 'ImageFolderReader', class_indexing names {missing}, but {self._dir} "
                    f"has no such folder; its class folders are {folders}" + _DOCS
                )
            folders = [name for name in folders if name in self._class_indexing]
        else:
            self._class_indexing = {name: label for label, name in enumerate(folders)}
        paths, labels = [], []
        for folder in folders:
            files = sorted(
                name
                for name in self._list(self._dir / folder, dirs=False)
                if not name.startswith(".")
                and os.path.splitext(name)[1].lower() in self._extensions
            )
            paths += [self._dir / folder / name for name in files]
            labels += [self._class_indexing[folder]] * len(files)
        if not paths:
            raise MindDataError(
                f"For 'ImageFolderReader', found no files with extensions "
                f"{sorted(self._extensions)} in the {len(folders)} class folders of "
                f"{self._dir}" + _DOCS
            )
        self._paths = tuple(paths)
        self._labels = np.array(labels, dtype=np.int32)

    @staticmethod
    def _list(directory: Path, *, dirs: bool) -> list[str]:
        """Names of the subdirectories (or the files) of ``directory``, following symlinks."""
        try:
            with os.scandir(directory) as entries:
                return [e.name for e in entries if (e.is_dir() if dirs else e.is_file())]
        except OSError as exc:
            raise MindDataError(
                f"For 'ImageFolderReader', {directory} cannot be listed ({exc.strerror or exc})"
                + _DOCS
            ) from exc

    @property
    def class_indexing(self) -> dict[str, int]:
        """``{folder name: label}`` for the classes read (a copy)."""
        return dict(self._class_indexing)

    def __len__(self) -> int:
        return len(self._paths)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        i = _row("ImageFolderReader", index, len(self))
        path = self._paths[i]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise MindDataError(
                f"For 'ImageFolderReader', {path} cannot be read ({exc.strerror or exc})" + _DOCS
            ) from exc
        image = _decode_rgb(path, data) if self._decode else np.frombuffer(data, np.uint8).copy()
        return image, np.array(self._labels[i], dtype=np.int32)

    def _read_column(self, k: int) -> np.ndarray | None:
        """Column ``k`` of every row, where it can be had without reading the files: the labels
        (for ``PKSampler``), or None."""
        return self._labels.copy() if k == 1 else None

    def __repr__(self) -> str:
        return f"ImageFolderReader({str(self._dir)!r}, decode={self._decode})"

    def describe(self) -> str:
        image = "uint8 (H, W, 3) decoded RGB" if self._decode else "uint8 (n,) file bytes"
        classes = [f"{name!r}: {label}" for name, label in self._class_indexing.items()]
        if len(classes) > 6:  # ImageNet has 1,000
            classes = classes[:5] + ["..."]
        return (
            f"ImageFolderReader of {self._dir}: {len(self)} files in "
            f"{len(self._class_indexing)} classes {{{', '.join(classes)}}}, extensions "
            f"{sorted(self._extensions)}; columns image {image}, label int32 ()"
        )


def _extensions(extensions: object) -> frozenset[str]:
    if extensions is None:
        return frozenset(_IMAGE_EXTENSIONS)
    if isinstance(extensions, (str, bytes)) or not isinstance(extensions, Iterable):
        raise MindTypeError(
            "For 'ImageFolderReader', argument 'extensions' must be a list of str such as "
            f"['.png'], got {type(extensions).__name__} {extensions!r}" + _DOCS
        )
    result = []
    for ext in extensions:
        if not isinstance(ext, str):
            raise MindTypeError(
                "For 'ImageFolderReader', argument 'extensions' must hold str, got "
                f"{type(ext).__name__} {ext!r}" + _DOCS
            )
        if len(ext) < 2 or not ext.startswith(".") or "." in ext[1:]:
            raise MindValueError(
                "For 'ImageFolderReader', each extension must be a dot and a suffix such as "
                f"'.png', got {ext!r}" + _DOCS
            )
        result.append(ext.lower())
    if not result:
        raise MindValueError(
            "For 'ImageFolderReader', argument 'extensions' is empty; pass None for the default "
            "image extensions" + _DOCS
        )
    return frozenset(result)


def _class_indexing(class_indexing: object) -> dict[str, int]:
    if not isinstance(class_indexing, Mapping):
        raise MindTypeError(
            "For 'ImageFolderReader', argument 'class_indexing' must be a dict of folder name "
            f"to label, got {type(class_indexing).__name__}" + _DOCS
        )
    result = {}
    for name, label in class_indexing.items():
        if not isinstance(name, str) or isinstance(label, bool) or not isinstance(label, int):
            raise MindTypeError(
                "For 'ImageFolderReader', argument 'class_indexing' must map str to int, got "
                f"{name!r}: {label!r}" + _DOCS
            )
        if not 0 <= label <= _INT32_MAX:
            raise MindValueError(
                f"For 'ImageFolderReader', class_indexing[{name!r}] is {label}; labels must be "
                f"in 0..{_INT32_MAX} (int32)" + _DOCS
            )
        result[name] = label
    return result


# The raster formats Pillow may identify a file as. Never EPS/PS (Pillow runs Ghostscript on
# them) or any other format whose plugin runs a program; MPO is how Pillow opens many camera JPEGs.
_PIL_FORMATS = ("JPEG", "MPO", "PNG", "BMP", "TIFF", "GIF", "WEBP")


def _decode_rgb(path: Path, data: bytes) -> np.ndarray:
    from PIL import Image  # imported on first decode: raw-bytes readers never need Pillow

    Image.init()  # registers every plugin once, so each name in _PIL_FORMATS is known
    formats = [f for f in _PIL_FORMATS if f in Image.OPEN]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            return np.array(image.convert("RGB"), dtype=np.uint8)
    except Exception as exc:  # Pillow's decoders raise many types on a malformed file
        raise MindDataError(
            f"For 'ImageFolderReader', {path} cannot be decoded as an image "
            f"({type(exc).__name__}: {exc}); readable formats: {', '.join(_PIL_FORMATS)}" + _DOCS
        ) from exc
