"""Fuzzing mind-data's standard dataset readers: MNIST idx files (raw and ``.gz``), CIFAR-10
binary batches and decoded image-folder PNGs.

Each input rewrites one file of a tiny valid dataset and reads every row back. A refusal must be
:class:`~mind.data.errors.MindDataError` naming the file; anything else is a defect. Raw idx files
carry no checksum, so a flipped pixel loads as a different image (``silent`` is allowed there);
gzip's CRC-32 and length trailer must catch every change to a ``.gz`` payload. Consistent
mutations rewrite the idx header's counts and dimensions (and recompress), so the size checks,
not the decompressor, are what refuse them.
"""

import gzip
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from mind.core.testing import fuzz
from mind.data._src.fixtures import write_cifar10, write_mnist
from mind.data._src.readers import Cifar10Reader, ImageFolderReader, MnistReader
from mind.data.errors import MindDataError

COUNT = 4


def _header_edit(data: bytes, rng: np.random.Generator) -> bytes:
    """A new value for one header field of an (uncompressed) idx file."""
    field = int(rng.integers(1, 4 if len(data) > 16 else 2))
    value = int(rng.choice([0, 1, COUNT - 1, COUNT + 1, 27, 29, 2**31, 2**32 - 1]))
    return data[: 4 * field] + struct.pack(">I", value) + data[4 * field + 4 :]


def _gz(mutator):
    def inner(data: bytes, rng: np.random.Generator) -> bytes:
        try:
            raw = gzip.decompress(data)
        except (
            OSError,
            EOFError,
            zlib.error,
        ):  # an earlier mutation broke the gzip stream: keep it broken
            return data
        return gzip.compress(mutator(raw, rng), mtime=0)

    return inner


def _read_all(reader):
    return [tuple(np.array(v) for v in reader[i]) for i in range(len(reader))]


def _same(expected):
    def equal(rows):
        return len(rows) == len(expected) and all(
            all(np.array_equal(a, b) for a, b in zip(r, e)) for r, e in zip(rows, expected)
        )

    return equal


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("which", ["images", "labels"])
def test_fuzz_mnist_reader(tmp_path, compress, which):
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (COUNT, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, COUNT, dtype=np.uint8)
    paths = dict(
        zip(("images", "labels"), write_mnist(tmp_path, images, labels, compress=compress))
    )
    target = paths[which]
    original = target.read_bytes()
    expected = _read_all(MnistReader(tmp_path))
    mutators = fuzz.byte_mutators() + [_gz(_header_edit) if compress else _header_edit]

    def load(data: bytes):
        target.write_bytes(data)
        return _read_all(MnistReader(tmp_path))

    report = fuzz.fuzz_loader(
        f"mnist-{which}{'.gz' if compress else ''}",
        original,
        load,
        _same(expected),
        errors=(MindDataError,),
        n=fuzz.budget(1000) // 4,
        mutators=mutators,
    )
    print(report.summary())
    # Raw idx bytes are not checksummed: a changed pixel or label is a different valid file.
    report.check(allow_silent=not compress)
    assert report.counts["refused"] > 0


def test_fuzz_cifar10_reader(tmp_path):
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, (COUNT, 32, 32, 3), dtype=np.uint8)
    target = write_cifar10(tmp_path, images, rng.integers(0, 10, COUNT), "test_batch.bin")
    original = target.read_bytes()
    expected = _read_all(Cifar10Reader(tmp_path, "test"))

    def load(data: bytes):
        target.write_bytes(data)
        return _read_all(Cifar10Reader(tmp_path, "test"))

    report = fuzz.fuzz_loader(
        "cifar10",
        original,
        load,
        _same(expected),
        errors=(MindDataError,),
        n=fuzz.budget(1000) // 4,
    )
    print(report.summary())
    # CIFAR-10's records carry no checksum: a changed pixel is a different valid file; a label
    # out of 0..9, a partial record or an empty file must be refused.
    report.check(allow_silent=True)
    assert report.counts["refused"] > 0


def test_fuzz_image_folder_decode(tmp_path):
    pixels = np.random.default_rng(4).integers(0, 256, (6, 5, 3), dtype=np.uint8)
    (tmp_path / "c").mkdir()
    target = tmp_path / "c" / "a.png"
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    original = buffer.getvalue()
    target.write_bytes(original)

    def load(data: bytes):
        target.write_bytes(data)
        return ImageFolderReader(tmp_path, decode=True)[0][0]

    report = fuzz.fuzz_loader(
        "image-folder-png",
        original,
        load,
        lambda image: np.array_equal(image, pixels),
        errors=(MindDataError,),
        n=fuzz.budget(1000) // 2,
    )
    print(report.summary())
    # PNG's chunk CRCs do not cover every byte Pillow tolerates; a defect or hang is what fails.
    report.check(allow_silent=True)
    assert report.counts["refused"] > 0
