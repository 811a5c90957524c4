"""Write tiny, valid MNIST and CIFAR-10 files, for tests of the readers and of the datasets.

The writers follow the published formats byte for byte, so a file they write is one the real
dataset could contain: MNIST idx files have big-endian headers (magic 2051 for images, 2049 for
labels, then the counts and dimensions), and CIFAR-10 binary records are one label byte and the
image's 3,072 bytes in CHW order. ``tests/test_readers.py`` cross-checks the MNIST writer against a
header built by hand.

Example::

    >>> import numpy as np
    >>> images = np.zeros((2, 28, 28), np.uint8)
    >>> paths = write_mnist("/tmp/mnist", images, [3, 7], prefix="t10k")
    >>> [p.name for p in paths]
    ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from mind.core.errors import MindTypeError, MindValueError

__all__ = ["write_cifar10", "write_mnist"]

_MNIST_PREFIXES = ("train", "t10k")


def write_mnist(
    dataset_dir: str | os.PathLike[str],
    images: np.ndarray,
    labels: np.ndarray,
    prefix: str = "train",
    *,
    compress: bool = False,
) -> tuple[Path, Path]:
    """Write ``<prefix>-images-idx3-ubyte`` and ``<prefix>-labels-idx1-ubyte`` into ``dataset_dir``.

    :param images: integers 0..255 of shape ``(N, rows, cols)`` or ``(N, rows, cols, 1)``. Any
        ``rows``/``cols`` are written, so a test can make a file the reader must reject.
    :param labels: integers 0..255 of shape ``(N,)``.
    :param prefix: ``"train"`` or ``"t10k"`` (the test split's name in the MNIST files).
    :param compress: write the ``.gz`` variants instead.
    :returns: the image file's path and the label file's path. The directory is created if needed.
    """
    if prefix not in _MNIST_PREFIXES:
        raise MindValueError(
            f"For 'write_mnist', argument 'prefix' must be 'train' or 't10k' (the test split), "
            f"got {prefix!r}"
        )
    images = _as_bytes("write_mnist", "images", images)
    labels = _as_bytes("write_mnist", "labels", labels)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise MindValueError(
            "For 'write_mnist', argument 'images' must have shape (N, rows, cols) or "
            f"(N, rows, cols, 1), got {images.shape}"
        )
    if labels.shape != (len(images),):
        raise MindValueError(
            f"For 'write_mnist', argument 'labels' must have shape ({len(images)},) to match "
            f"'images', got {labels.shape}"
        )
    count, rows, cols = images.shape
    image_data = struct.pack(">4I", 2051, count, rows, cols) + images.tobytes()
    label_data = struct.pack(">2I", 2049, count) + labels.tobytes()
    suffix = ".gz" if compress else ""
    root = Path(dataset_dir)
    root.mkdir(parents=True, exist_ok=True)
    image_path = root / f"{prefix}-images-idx3-ubyte{suffix}"
    label_path = root / f"{prefix}-labels-idx1-ubyte{suffix}"
    _write(image_path, image_data, compress)
    _write(label_path, label_data, compress)
    return image_path, label_path


def write_cifar10(
    dataset_dir: str | os.PathLike[str], images: np.ndarray, labels: np.ndarray, name: str
) -> Path:
    """Write one CIFAR-10 binary batch file ``dataset_dir/name``.

    :param images: integers 0..255 of shape ``(N, 32, 32, 3)`` (HWC, as the reader returns them);
        the file stores each image CHW.
    :param labels: integers 0..255 of shape ``(N,)`` (CIFAR-10 uses 0..9; larger values let a
        test make a file the reader must reject).
    :param name: the file name, normally ``data_batch_1.bin`` .. ``data_batch_5.bin`` or
        ``test_batch.bin``.
    :returns: the file's path. The directory is created if needed.
    """
    images = _as_bytes("write_cifar10", "images", images)
    labels = _as_bytes("write_cifar10", "labels", labels)
    if images.ndim != 4 or images.shape[1:] != (32, 32, 3):
        raise MindValueError(
            f"For 'write_cifar10', argument 'images' must have shape (N, 32, 32, 3), got "
            f"{images.shape}"
        )
    if labels.shape != (len(images),):
        raise MindValueError(
            f"For 'write_cifar10', argument 'labels' must have shape ({len(images)},) to match "
            f"'images', got {labels.shape}"
        )
    records = np.empty((len(images), 1 + 3 * 32 * 32), np.uint8)
    records[:, 0] = labels
    records[:, 1:] = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    root = Path(dataset_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_bytes(records.tobytes())
    return path


def _as_bytes(func: str, arg: str, values: np.ndarray) -> np.ndarray:
    """``values`` as uint8, refusing non-integers and anything outside 0..255 rather than wrapping."""
    array = np.asarray(values)
    if array.dtype.kind not in "biu":
        raise MindTypeError(
            f"For '{func}', argument '{arg}' must hold integers 0..255, got dtype {array.dtype}"
        )
    if array.size and (array.min() < 0 or array.max() > 255):
        raise MindValueError(
            f"For '{func}', argument '{arg}' must hold integers 0..255, got values "
            f"{array.min()}..{array.max()}"
        )
    return np.ascontiguousarray(array, dtype=np.uint8)


def _write(path: Path, data: bytes, compress: bool) -> None:
    # mtime=0 keeps the .gz bytes the same from run to run.
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
