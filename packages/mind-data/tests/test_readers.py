"""mind.data._src.readers: MNIST, CIFAR-10 and image-folder files read back exactly, fail by name."""

import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.fixtures import write_cifar10, write_mnist
from mind.data._src.readers import Cifar10Reader, ImageFolderReader, MnistReader, Reader
from mind.data.errors import MindDataError


def mnist_arrays(count, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, count, dtype=np.uint8)
    return images, labels


def cifar_arrays(count, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)
    labels = rng.integers(0, 10, count, dtype=np.uint8)
    return images, labels


def assert_rows(reader, images, labels, label_dtype):
    assert len(reader) == len(images)
    for i in range(len(images)):
        image, label = reader[i]
        assert image.dtype == images.dtype and label.dtype == label_dtype and label.shape == ()
        np.testing.assert_array_equal(image, images[i])
        assert label == labels[i]


@pytest.fixture
def mnist_dir(tmp_path):
    """train: 3 rows, t10k: 2 rows."""
    train, test = mnist_arrays(3, 0), mnist_arrays(2, 1)
    write_mnist(tmp_path, *train, prefix="train")
    write_mnist(tmp_path, *test, prefix="t10k")
    return tmp_path, train, test


# ------------------------------------------------------------------------------------------------
# MNIST
# ------------------------------------------------------------------------------------------------


def test_write_mnist_matches_an_idx_file_built_by_hand(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28) % 251
    image_path, label_path = write_mnist(tmp_path, images, [7, 2], prefix="t10k")
    # The idx layout from the MNIST page: big-endian magic, count, rows, cols, then row-major bytes.
    by_hand = b"\x00\x00\x08\x03" + struct.pack(">III", 2, 28, 28)
    by_hand += bytes(int(v) for v in images.ravel())
    assert image_path.name == "t10k-images-idx3-ubyte"
    assert image_path.read_bytes() == by_hand
    assert label_path.read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x02\x07\x02"


def test_mnist_reads_a_hand_built_file(tmp_path):
    pixels = bytes(range(256)) * 3 + bytes(range(16))  # 784 bytes
    (tmp_path / "train-images-idx3-ubyte").write_bytes(struct.pack(">4I", 2051, 1, 28, 28) + pixels)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(struct.pack(">2I", 2049, 1) + b"\x09")
    image, label = MnistReader(tmp_path, "train")[0]
    assert image.shape == (28, 28, 1) and image.dtype == np.uint8
    assert image.tobytes() == pixels
    assert label.shape == () and label.dtype == np.uint32 and label == 9


def test_mnist_round_trip_and_usage(mnist_dir):
    root, (train_x, train_y), (test_x, test_y) = mnist_dir
    train = MnistReader(root, "train")
    assert train.column_names == ("image", "label")
    assert_rows(train, train_x[..., None], train_y, np.uint32)
    assert_rows(MnistReader(root, "test"), test_x[..., None], test_y, np.uint32)
    # "all" (and None) read t10k before train: MindSpore sorts the file names.
    everything_x = np.concatenate([test_x, train_x])[..., None]
    everything_y = np.concatenate([test_y, train_y])
    assert_rows(MnistReader(root, "all"), everything_x, everything_y, np.uint32)
    assert_rows(MnistReader(str(root)), everything_x, everything_y, np.uint32)


def test_mnist_indexing(mnist_dir):
    root, (train_x, _), _ = mnist_dir
    reader = MnistReader(root, "train")
    np.testing.assert_array_equal(reader[-1][0][..., 0], train_x[-1])
    np.testing.assert_array_equal(reader[np.int64(1)][0][..., 0], train_x[1])
    with pytest.raises(IndexError, match="row 3 is out of range for 3 rows"):
        reader[3]
    with pytest.raises(MindTypeError):
        reader[1.0]
    assert len(list(reader)) == 3  # iteration stops at the IndexError


def test_mnist_memory_maps_and_returns_fresh_arrays(mnist_dir):
    root, (train_x, _), _ = mnist_dir
    reader = MnistReader(root, "train")
    assert all(isinstance(part[0], np.memmap) for part in reader._parts)
    image, label = reader[0]
    image[...] = 0
    label[...] = 99
    np.testing.assert_array_equal(reader[0][0][..., 0], train_x[0])
    assert reader[0][1] != 99


def test_mnist_gz_files_read_the_same(tmp_path):
    train = mnist_arrays(4, 2)
    paths = write_mnist(tmp_path, *train, compress=True)
    assert [p.name for p in paths] == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert_rows(MnistReader(tmp_path), train[0][..., None], train[1], np.uint32)


def test_mnist_usage_all_uses_the_splits_present(tmp_path):
    train = mnist_arrays(2, 3)
    write_mnist(tmp_path, *train)
    assert len(MnistReader(tmp_path)) == 2
    with pytest.raises(
        MindDataError, match=r"found no t10k-images-idx3-ubyte\[\.gz\] or t10k-labels"
    ):
        MnistReader(tmp_path, "test")


def test_mnist_missing_files_lists_what_was_looked_for(tmp_path):
    with pytest.raises(MindDataError) as info:
        MnistReader(tmp_path)
    for name in ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert name in str(info.value)
    with pytest.raises(MindDataError, match="does not exist"):
        MnistReader(tmp_path / "nowhere")


def test_mnist_half_a_split_is_an_error(tmp_path):
    _, label_path = write_mnist(tmp_path, *mnist_arrays(2, 4))
    label_path.unlink()
    with pytest.raises(MindDataError, match=r"train-labels-idx1-ubyte\[\.gz\]"):
        MnistReader(tmp_path, "all")


def test_mnist_bad_usage():
    with pytest.raises(MindValueError, match="'usage' must be"):
        MnistReader(".", "validation")


def test_mnist_truncated_and_overlong_files(tmp_path):
    image_path, _ = write_mnist(tmp_path, *mnist_arrays(3, 5))
    data = image_path.read_bytes()
    image_path.write_bytes(data[:-1])
    with pytest.raises(MindDataError, match=r"train-images-idx3-ubyte has 2367 bytes .*truncated"):
        MnistReader(tmp_path)
    image_path.write_bytes(data + b"\x00")
    with pytest.raises(MindDataError, match="longer than its header says"):
        MnistReader(tmp_path)
    image_path.write_bytes(data[:10])
    with pytest.raises(MindDataError, match="fewer than the 16-byte header"):
        MnistReader(tmp_path)


def test_mnist_bad_magic_names_the_file(tmp_path):
    image_path, label_path = write_mnist(tmp_path, *mnist_arrays(1, 6))
    image_path.write_bytes(struct.pack(">I", 2052) + image_path.read_bytes()[4:])
    with pytest.raises(
        MindDataError, match=r"train-images-idx3-ubyte has magic number 2052, expected 2051"
    ):
        MnistReader(tmp_path)
    # Image and label files swapped.
    images, labels = image_path.read_bytes(), label_path.read_bytes()
    image_path.write_bytes(labels)
    label_path.write_bytes(images)
    with pytest.raises(MindDataError, match=r"magic number 2049, expected 2051.*label file"):
        MnistReader(tmp_path)


def test_mnist_wrong_image_size(tmp_path):
    write_mnist(tmp_path, np.zeros((1, 27, 28), np.uint8), [0])
    with pytest.raises(MindDataError, match="images of 27x28 pixels, expected 28x28"):
        MnistReader(tmp_path)


def test_mnist_count_mismatch_names_both_files(tmp_path):
    images, labels = mnist_arrays(3, 7)
    write_mnist(tmp_path, images, labels)
    write_mnist(tmp_path / "other", images[:2], labels[:2])
    (tmp_path / "other" / "train-labels-idx1-ubyte").replace(tmp_path / "train-labels-idx1-ubyte")
    with pytest.raises(MindDataError) as info:
        MnistReader(tmp_path)
    message = str(info.value)
    assert "train-images-idx3-ubyte holds 3 images" in message
    assert "train-labels-idx1-ubyte holds 2 labels" in message


def test_mnist_damaged_gz(tmp_path):
    image_path, _ = write_mnist(tmp_path, *mnist_arrays(3, 8), compress=True)
    data = image_path.read_bytes()
    image_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MindDataError, match=r"train-images-idx3-ubyte\.gz is truncated or damaged"):
        MnistReader(tmp_path)
    # Valid gzip around a payload shorter than the header declares.
    raw = gzip.decompress(data)
    image_path.write_bytes(gzip.compress(raw[:-5]))
    with pytest.raises(MindDataError, match=r"idx3-ubyte\.gz is truncated .* trailer records"):
        MnistReader(tmp_path)


def test_mnist_uncompressed_name_on_gzip_data(tmp_path):
    image_path, _ = write_mnist(tmp_path, *mnist_arrays(1, 9))
    image_path.write_bytes(gzip.compress(image_path.read_bytes()))
    with pytest.raises(MindDataError, match="is gzip-compressed"):
        MnistReader(tmp_path)


def test_mnist_reduce_reopens_the_files(mnist_dir):
    root, _, _ = mnist_dir
    reader = MnistReader(root, "test")
    cls, args = reader.__reduce__()
    copy = cls(*args)
    assert len(copy) == len(reader)
    np.testing.assert_array_equal(copy[1][0], reader[1][0])


# ------------------------------------------------------------------------------------------------
# CIFAR-10
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def cifar_dir(tmp_path):
    """data_batch_1..5 with 2 rows each, test_batch with 3."""
    batches = [cifar_arrays(2, k) for k in range(1, 6)]
    for k, batch in enumerate(batches, start=1):
        write_cifar10(tmp_path, *batch, f"data_batch_{k}.bin")
    test = cifar_arrays(3, 10)
    write_cifar10(tmp_path, *test, "test_batch.bin")
    train = tuple(np.concatenate(parts) for parts in zip(*batches))
    return tmp_path, train, test


def test_write_cifar10_record_layout(tmp_path):
    image = np.zeros((1, 32, 32, 3), np.uint8)
    image[0, 0, 1, 0] = 11  # red, row 0, column 1
    image[0, 2, 0, 2] = 22  # blue, row 2, column 0
    path = write_cifar10(tmp_path, image, [4], "test_batch.bin")
    data = path.read_bytes()
    assert len(data) == 3073 and data[0] == 4
    assert data[1 + 1] == 11 and data[1 + 2 * 1024 + 2 * 32] == 22
    assert sum(data[1:]) == 33


def test_cifar10_round_trip_and_usage(cifar_dir):
    root, train, test = cifar_dir
    reader = Cifar10Reader(root, "train")
    assert reader.column_names == ("image", "label")
    assert_rows(reader, *train, np.uint32)
    assert_rows(Cifar10Reader(root, "test"), *test, np.uint32)
    everything = tuple(np.concatenate(parts) for parts in zip(train, test))
    assert_rows(Cifar10Reader(root), *everything, np.uint32)
    assert reader[0][0].shape == (32, 32, 3) and reader[0][0].flags.c_contiguous


def test_cifar10_uses_the_files_present(cifar_dir):
    root, train, _ = cifar_dir
    (root / "data_batch_5.bin").unlink()
    reader = Cifar10Reader(root, "train")
    assert len(reader) == 8
    assert "data_batch_5" not in reader.describe()


def test_cifar10_missing_files(tmp_path):
    write_cifar10(tmp_path, *cifar_arrays(1, 0), "data_batch_1.bin")
    with pytest.raises(MindDataError, match=r"looked for test_batch\.bin"):
        Cifar10Reader(tmp_path, "test")


def test_cifar10_size_not_a_whole_number_of_records(cifar_dir):
    root, _, _ = cifar_dir
    path = root / "data_batch_3.bin"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(
        MindDataError, match=r"data_batch_3.bin has 6145 bytes, not a whole number of 3073-byte"
    ):
        Cifar10Reader(root)


def test_cifar10_label_out_of_range(tmp_path):
    images, labels = cifar_arrays(2, 0)
    labels[1] = 10
    write_cifar10(tmp_path, images, labels, "test_batch.bin")
    reader = Cifar10Reader(tmp_path, "test")
    reader[0]
    with pytest.raises(MindDataError, match=r"record 1 of .*test_batch\.bin has label 10"):
        reader[1]


def test_cifar10_memory_maps_and_reduces(cifar_dir):
    root, _, _ = cifar_dir
    reader = Cifar10Reader(root, "test")
    assert isinstance(reader._parts[0][0], np.memmap)
    cls, args = reader.__reduce__()
    np.testing.assert_array_equal(cls(*args)[2][0], reader[2][0])


# ------------------------------------------------------------------------------------------------
# Image folders
# ------------------------------------------------------------------------------------------------


def save_png(path, seed, size=(5, 4), mode="RGB"):
    rng = np.random.default_rng(seed)
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode).save(path)
    return pixels


@pytest.fixture
def image_dir(tmp_path):
    """bird/ (empty), cat/ (2 PNGs and a note), dog/ (a PNG with an upper-case suffix and a BMP)."""
    (tmp_path / "bird").mkdir()
    pixels = {
        "cat/b.png": save_png(tmp_path / "cat" / "b.png", 1),
        "cat/a.png": save_png(tmp_path / "cat" / "a.png", 2),
        "dog/x.PNG": save_png(tmp_path / "dog" / "x.PNG", 3),
    }
    Image.fromarray(pixels["cat/a.png"]).save(tmp_path / "dog" / "y.bmp")
    pixels["dog/y.bmp"] = pixels["cat/a.png"]
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    (tmp_path / "cat" / "._a.png").write_bytes(b"macOS resource fork")
    (tmp_path / "stray.png").write_bytes(b"not in a class folder")
    return tmp_path, pixels


def test_image_folder_labels_order_and_raw_bytes(image_dir):
    root, _ = image_dir
    reader = ImageFolderReader(root)
    assert reader.column_names == ("image", "label")
    assert reader.class_indexing == {"bird": 0, "cat": 1, "dog": 2}
    files = ["cat/a.png", "cat/b.png", "dog/x.PNG", "dog/y.bmp"]
    assert len(reader) == len(files)
    for i, name in enumerate(files):
        image, label = reader[i]
        assert image.dtype == np.uint8 and image.ndim == 1
        assert image.tobytes() == (root / name).read_bytes()
        assert label.shape == () and label.dtype == np.int32
        assert label == {"cat": 1, "dog": 2}[name.split("/")[0]]


def test_image_folder_decode(image_dir):
    root, pixels = image_dir
    reader = ImageFolderReader(root, decode=True)
    for i, name in enumerate(["cat/a.png", "cat/b.png", "dog/x.PNG", "dog/y.bmp"]):
        image, _ = reader[i]
        assert image.dtype == np.uint8 and image.shape == (4, 5, 3)
        np.testing.assert_array_equal(image, pixels[name])


def test_image_folder_decodes_grayscale_to_rgb(tmp_path):
    gray = save_png(tmp_path / "only" / "g.png", 4, mode="L")
    image, label = ImageFolderReader(tmp_path, decode=True)[0]
    np.testing.assert_array_equal(image, np.repeat(gray[..., None], 3, axis=2))
    assert label == 0


def test_image_folder_class_indexing(image_dir):
    root, _ = image_dir
    reader = ImageFolderReader(root, class_indexing={"dog": 0, "cat": 7})
    assert reader.class_indexing == {"dog": 0, "cat": 7}
    assert [int(reader[i][1]) for i in range(len(reader))] == [7, 7, 0, 0]
    only_dogs = ImageFolderReader(root, class_indexing={"dog": 3})
    assert len(only_dogs) == 2 and int(only_dogs[0][1]) == 3
    assert ImageFolderReader(root, class_indexing={}).class_indexing == reader_default(root)
    with pytest.raises(
        MindDataError, match=r"class_indexing names \['cow'\].*\['bird', 'cat', 'dog'\]"
    ):
        ImageFolderReader(root, class_indexing={"cat": 0, "cow": 1})
    with pytest.raises(MindTypeError, match="must map str to int"):
        ImageFolderReader(root, class_indexing={"cat": "0"})
    with pytest.raises(MindValueError, match="int32"):
        ImageFolderReader(root, class_indexing={"cat": -1})
    with pytest.raises(MindTypeError, match="dict"):
        ImageFolderReader(root, class_indexing=[("cat", 0)])


def reader_default(root):
    return ImageFolderReader(root).class_indexing


def test_image_folder_extensions(image_dir):
    root, _ = image_dir
    bmp = ImageFolderReader(root, extensions=[".BMP"])
    assert len(bmp) == 1 and int(bmp[0][1]) == 2
    assert bmp[0][0].tobytes() == (root / "dog" / "y.bmp").read_bytes()
    assert len(ImageFolderReader(root, extensions=(".png",))) == 3
    with pytest.raises(MindDataError, match=r"found no files with extensions \['.gif'\]"):
        ImageFolderReader(root, extensions=[".gif"])
    with pytest.raises(MindValueError, match=r"'\.png'"):
        ImageFolderReader(root, extensions=["png"])
    with pytest.raises(MindTypeError, match="list of str"):
        ImageFolderReader(root, extensions=".png")
    with pytest.raises(MindValueError, match="empty"):
        ImageFolderReader(root, extensions=[])


def test_image_folder_undecodable_file_names_it(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    raw = ImageFolderReader(tmp_path)
    assert raw[0][0].tobytes() == b"\xff\xd8 not really a jpeg"
    with pytest.raises(MindDataError, match=r"broken\.jpg cannot be decoded"):
        ImageFolderReader(tmp_path, decode=True)[0]


def test_image_folder_missing_dir_and_bad_decode(tmp_path):
    with pytest.raises(MindDataError, match="does not exist"):
        ImageFolderReader(tmp_path / "nowhere")
    with pytest.raises(MindDataError, match="found no files"):
        ImageFolderReader(tmp_path)
    with pytest.raises(MindTypeError, match="'decode' must be a bool"):
        ImageFolderReader(tmp_path, decode=1)


# ------------------------------------------------------------------------------------------------
# The shared protocol
# ------------------------------------------------------------------------------------------------


def test_readers_share_the_protocol(mnist_dir, cifar_dir, image_dir):
    readers = [
        MnistReader(mnist_dir[0]),
        Cifar10Reader(cifar_dir[0]),
        ImageFolderReader(image_dir[0]),
    ]
    for reader in readers:
        assert isinstance(reader, Reader)
        row = reader[0]
        assert isinstance(row, tuple) and len(row) == len(reader.column_names)
        assert all(isinstance(column, np.ndarray) for column in row)
        text = reader.describe()
        assert type(reader).__name__ in text and f"{len(reader)} " in text


def test_fixture_writers_refuse_bad_input(tmp_path):
    with pytest.raises(MindValueError, match="'t10k'"):
        write_mnist(tmp_path, np.zeros((1, 28, 28), np.uint8), [0], prefix="test")
    with pytest.raises(MindValueError, match=r"0\.\.255"):
        write_mnist(tmp_path, np.full((1, 28, 28), 256), [0])
    with pytest.raises(MindTypeError):
        write_mnist(tmp_path, np.zeros((1, 28, 28), np.float32), [0])
    with pytest.raises(MindValueError, match=r"\(N, 32, 32, 3\)"):
        write_cifar10(tmp_path, np.zeros((1, 3, 32, 32), np.uint8), [0], "test_batch.bin")
