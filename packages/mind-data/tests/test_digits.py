"""mind.data.digits: the shipped UCI handwritten digits load, split and fail as documented."""

import gzip
import hashlib

import numpy as np
import pytest

import mind.data
from mind.core.errors import MindTypeError, MindValueError
from mind.data import digits, load_digits
from mind.data.errors import DatasetFileError, MindDataError

CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture
def fresh_cache():
    """Clear the parse cache around a test that points the loader at another file."""
    digits._read.cache_clear()
    yield
    digits._read.cache_clear()


def row_keys(images, labels):
    """One hashable key per row, to compare splits as sets of rows."""
    flat = np.concatenate([images.reshape(len(images), -1), labels[:, None]], axis=1)
    return [row.tobytes() for row in flat.astype(np.int64)]


def test_exported_from_mind_data():
    assert mind.data.load_digits is load_digits
    assert "load_digits" in mind.data.__all__


def test_shapes_dtypes_and_value_ranges():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    assert sorted(set(labels.tolist())) == list(range(10))


def test_per_class_counts():
    _, labels = load_digits()
    assert np.bincount(labels).tolist() == CLASS_COUNTS


def test_first_row_matches_the_file():
    # The first image of the file is a 0; its first row of pixels is 0 0 5 13 9 1 0 0.
    images, labels = load_digits()
    assert labels[0] == 0
    assert images[0, 0].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


@pytest.mark.parametrize("test_fraction", [0.2, 0.25, 0.5])
def test_split_is_disjoint_complete_and_stratified(test_fraction):
    x_train, y_train = load_digits("train", test_fraction=test_fraction)
    x_test, y_test = load_digits("test", test_fraction=test_fraction)
    x_all, y_all = load_digits()
    expected_test = [round(test_fraction * n) for n in CLASS_COUNTS]
    assert np.bincount(y_test, minlength=10).tolist() == expected_test
    assert np.bincount(y_train, minlength=10).tolist() == [
        n - t for n, t in zip(CLASS_COUNTS, expected_test, strict=True)
    ]
    # The data has duplicate rows, so compare multisets: train + test is exactly the whole set.
    assert sorted(row_keys(x_train, y_train) + row_keys(x_test, y_test)) == sorted(
        row_keys(x_all, y_all)
    )


def test_split_rows_are_disjoint_by_index_and_keep_file_order():
    # The whole set has duplicate images, so check the split by row index as well: the loader's
    # test rows and their complement, applied to the whole set, give exactly the two splits.
    x_all, y_all = load_digits()
    test_rows = digits._test_rows(y_all, 0.2, 0)
    train_rows = np.setdiff1d(np.arange(len(y_all)), test_rows)
    assert len(np.unique(test_rows)) == len(test_rows) == 359
    assert len(np.intersect1d(test_rows, train_rows)) == 0
    assert len(test_rows) + len(train_rows) == len(y_all)
    for split, rows in (("test", test_rows), ("train", train_rows)):
        images, labels = load_digits(split)
        np.testing.assert_array_equal(images, x_all[rows])
        np.testing.assert_array_equal(labels, y_all[rows])


def test_split_is_deterministic_for_a_seed_and_differs_between_seeds():
    a_images, a_labels = load_digits("test", seed=3)
    b_images, b_labels = load_digits("test", seed=3)
    np.testing.assert_array_equal(a_images, b_images)
    np.testing.assert_array_equal(a_labels, b_labels)
    c_images, _ = load_digits("test", seed=4)
    assert not np.array_equal(a_images, c_images)


def test_returns_copies_the_caller_may_modify():
    for split in (None, "train", "test"):
        images, labels = load_digits(split)
        assert images.flags.writeable and labels.flags.writeable
        images[...] = 255
        labels[...] = -1
    images, labels = load_digits()
    assert images.max() == 16 and labels.min() == 0
    assert np.bincount(labels).tolist() == CLASS_COUNTS


def test_a_corrupted_file_raises_naming_it(tmp_path, monkeypatch, fresh_cache):
    raw = bytearray(digits._PATH.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    damaged = tmp_path / "digits.csv.gz"
    damaged.write_bytes(bytes(raw))
    monkeypatch.setattr(digits, "_PATH", damaged)
    with pytest.raises(MindDataError, match="SHA-256") as info:
        load_digits()
    assert str(damaged) in str(info.value)
    assert isinstance(info.value, DatasetFileError)


def test_a_missing_file_raises_naming_it(tmp_path, monkeypatch, fresh_cache):
    missing = tmp_path / "nowhere" / "digits.csv.gz"
    monkeypatch.setattr(digits, "_PATH", missing)
    with pytest.raises(MindDataError) as info:
        load_digits("train")
    assert str(missing) in str(info.value)


def test_a_file_with_the_wrong_shape_is_rejected(tmp_path, monkeypatch, fresh_cache):
    # Row and column counts are checked after the hash; fake the hash to reach that check.
    short = tmp_path / "digits.csv.gz"
    short.write_bytes(gzip.compress(b"0,1,2\n3,4,5\n"))
    monkeypatch.setattr(digits, "_PATH", short)
    monkeypatch.setattr(digits, "_SHA256", hashlib.sha256(short.read_bytes()).hexdigest())
    with pytest.raises(DatasetFileError, match="2 rows of 3 columns, expected 1797 rows of 65"):
        load_digits()


def test_nearest_centroid_classifier_separates_the_classes():
    # An independent sanity check that images and labels line up: a classifier that knows
    # nothing but the per-class mean image of the train split must do far better than chance.
    x_train, y_train = load_digits("train")
    x_test, y_test = load_digits("test")
    x_train = x_train.reshape(len(x_train), -1).astype(np.float64)
    x_test = x_test.reshape(len(x_test), -1).astype(np.float64)
    centroids = np.stack([x_train[y_train == d].mean(axis=0) for d in range(10)])
    distances = ((x_test[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=-1)
    accuracy = (distances.argmin(axis=1) == y_test).mean()
    assert accuracy > 0.85


@pytest.mark.parametrize("split", ["validation", "TRAIN", "", 0])
def test_unknown_split_raises(split):
    with pytest.raises(MindValueError, match="'split' must be None, 'train' or 'test'"):
        load_digits(split)


@pytest.mark.parametrize("test_fraction", [0, 1, -0.1, 1.5, float("nan"), float("inf")])
def test_test_fraction_outside_the_open_interval_raises(test_fraction):
    with pytest.raises(MindValueError, match="'test_fraction' must be strictly between 0 and 1"):
        load_digits("test", test_fraction=test_fraction)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"test_fraction": "0.2"}, "test_fraction"),
        ({"test_fraction": True}, "test_fraction"),
        ({"seed": 1.5}, "seed"),
        ({"seed": "0"}, "seed"),
    ],
)
def test_wrong_types_raise(kwargs, argument):
    with pytest.raises(MindTypeError, match=f"'{argument}'"):
        load_digits("train", **kwargs)
