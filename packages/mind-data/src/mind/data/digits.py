"""The UCI optical-recognition handwritten digits, shipped with mind-data and read with numpy.

1,797 grayscale images of 8x8 pixels, each pixel an integer in 0..16, labelled with the digit
0..9 they show. They are the test set of the UCI "Optical Recognition of Handwritten Digits"
dataset (E. Alpaydin, C. Kaynak, 1998, CC BY 4.0), as scikit-learn distributes it for its own
``load_digits``; ``_data/README.md`` gives the source. The data is small enough to ship in the
wheel, so examples, tests and benchmarks train on real images without a download or a
dependency beyond numpy.

Example::

    >>> from mind.data import load_digits
    >>> images, labels = load_digits()
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((1797, 8, 8), dtype('uint8'), (1797,), dtype('int64'))
    >>> x_train, y_train = load_digits("train")
    >>> x_test, y_test = load_digits("test")
    >>> len(y_train), len(y_test)
    (1438, 359)
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import math
import numbers
from pathlib import Path

import numpy as np

from mind.core.errors import MindTypeError, MindValueError
from mind.data.errors import DatasetFileError

__all__ = ["load_digits"]

# The gzip-compressed CSV as scikit-learn ships it: one row per image, 64 pixel values in
# row-major order, then the label. A module constant so tests can point it at a damaged copy.
_PATH = Path(__file__).resolve().parent / "_data" / "digits.csv.gz"
# SHA-256 of the compressed file; checked before parsing, so a damaged installation fails with
# the file's name rather than with wrong data.
_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
_N_IMAGES = 1797
_N_COLUMNS = 8 * 8 + 1

_SPLITS = (None, "train", "test")
_DOCS = "\n(see docs/data.md#digits in the Mind repository)"


def load_digits(
    split: str | None = None, *, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Load the handwritten digits as ``(images, labels)`` numpy arrays.

    :param split: ``None`` for all 1,797 images; ``"train"`` or ``"test"`` for one side of a
        deterministic stratified split. Within each class the rows are shuffled by a generator
        seeded with ``seed``, and the first ``round(test_fraction * count)`` of them (Python's
        ``round``: halves go to the even number) go to ``"test"``, the rest to ``"train"``. So
        the two splits are disjoint, together make the whole set, and keep the class
        proportions. Rows keep their order in the file.
    :param test_fraction: the share of each class that goes to ``"test"``, strictly between 0
        and 1. It is checked even when ``split`` is ``None``. A fraction so small that it rounds
        to no row for a class leaves that class out of ``"test"``.
    :param seed: seeds the split's shuffle; the same seed gives the same split.
    :returns: ``images``, ``uint8`` of shape ``(N, 8, 8)`` with values 0..16, and ``labels``,
        ``int64`` of shape ``(N,)`` with values 0..9. Both are fresh copies the caller may modify.
    :raises MindValueError: ``split`` is not ``None``, ``"train"`` or ``"test"``, or
        ``test_fraction`` is not strictly between 0 and 1.
    :raises MindTypeError: ``test_fraction`` is not a real number or ``seed`` is not an integer.
    :raises DatasetFileError: (a :class:`~mind.data.errors.MindDataError`) the data file is
        missing, its SHA-256 differs from the recorded one, or its shape is wrong.

    Example::

        >>> images, labels = load_digits("test", test_fraction=0.25, seed=1)
        >>> images.shape
        (450, 8, 8)
    """
    if split not in _SPLITS:
        raise MindValueError(
            f"For 'load_digits', argument 'split' must be None, 'train' or 'test', got {split!r}"
            + _DOCS
        )
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real):
        raise MindTypeError(
            "For 'load_digits', argument 'test_fraction' must be a number strictly between 0 "
            f"and 1, got {type(test_fraction).__name__} {test_fraction!r}" + _DOCS
        )
    if not (math.isfinite(test_fraction) and 0 < test_fraction < 1):
        raise MindValueError(
            "For 'load_digits', argument 'test_fraction' must be strictly between 0 and 1, "
            f"got {test_fraction!r}" + _DOCS
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise MindTypeError(
            f"For 'load_digits', argument 'seed' must be an int, got {type(seed).__name__} "
            f"{seed!r}" + _DOCS
        )

    images, labels = _read(_PATH)
    if split is not None:
        rows = _test_rows(labels, float(test_fraction), int(seed))
        if split == "train":
            rows = np.setdiff1d(np.arange(len(labels)), rows, assume_unique=True)
        # Fancy indexing copies, so the cache stays untouched.
        return images[rows], labels[rows]
    return images.copy(), labels.copy()


def _test_rows(labels: np.ndarray, test_fraction: float, seed: int) -> np.ndarray:
    """Sorted row indices of the test split: per class, the head of a seeded permutation."""
    rng = np.random.default_rng(seed)
    picked = []
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)
        picked.append(rng.permutation(rows)[: round(test_fraction * len(rows))])
    return np.sort(np.concatenate(picked))


@functools.lru_cache(maxsize=4)
def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Verify and parse the file once per path; the arrays are read-only, callers get copies."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetFileError(
            f"The digits data file {path} cannot be read ({exc.strerror or exc}); "
            "the mind-data installation is incomplete" + _DOCS
        ) from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != _SHA256:
        raise DatasetFileError(
            f"The digits data file {path} has SHA-256 {digest}, expected {_SHA256}; "
            "the file is damaged or was replaced" + _DOCS
        )
    try:
        lines = gzip.decompress(raw).decode("ascii").splitlines()
        table = np.loadtxt(lines, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise DatasetFileError(
            f"The digits data file {path} cannot be parsed: {exc}" + _DOCS
        ) from exc
    if table.shape != (_N_IMAGES, _N_COLUMNS):
        raise DatasetFileError(
            f"The digits data file {path} has {table.shape[0]} rows of {table.shape[1]} "
            f"columns, expected {_N_IMAGES} rows of {_N_COLUMNS} (64 pixels and a label)" + _DOCS
        )
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        raise DatasetFileError(
            f"The digits data file {path} has pixels outside 0..16 or labels outside 0..9" + _DOCS
        )
    images = pixels.astype(np.uint8).reshape(_N_IMAGES, 8, 8)
    labels = np.ascontiguousarray(labels)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels
