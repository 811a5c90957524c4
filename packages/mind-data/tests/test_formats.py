"""mind.data._src.formats: CSV and text files, the MNIST-format sets, CIFAR-100, RandomDataset with
its Schema, and PaddedDataset. Every file is written here by hand (struct, plain text), so the
values read back are checked against bytes the test chose, never against the loaders' own code."""

import json
import struct

import numpy as np
import pytest
from PIL import Image

import mind.core as mc
import mind.data as ds
from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.blocks import use_blocks
from mind.data.errors import MindDataError


def rows(data):
    return [tuple(v.tolist() for v in row) for row in data.create_tuple_iterator(output_numpy=True)]


def arrays(data):
    return list(data.create_tuple_iterator(output_numpy=True))


@pytest.fixture
def seed(monkeypatch):
    monkeypatch.setitem(ds.config._CONFIG, "seed", 1234)


# ------------------------------------------------------------------------------------------------
# CSVDataset
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def csv_files(tmp_path):
    # Written in reverse name order: the dataset reads them sorted (a.csv, then b.csv).
    (tmp_path / "b.csv").write_text("id,score,name\n4,0.25,d\n5,1e3,e\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text(
        'id,score,name\n1,2.5,plain\n2,,"with,comma"\n3,-7,"say ""hi""\nbye"\n', encoding="utf-8"
    )
    return tmp_path


def test_csv_header_types_defaults_and_quoting(csv_files):
    data = ds.CSVDataset(str(csv_files / "*.csv"), column_defaults=[0, 9.5, ""], shuffle=False)
    assert data.get_col_names() == ["id", "score", "name"]
    assert data.get_dataset_size() == 5
    got = arrays(data)
    for row in got:
        assert [v.dtype.kind for v in row] == ["i", "f", "U"] and all(v.shape == () for v in row)
        assert row[0].dtype == np.int32 and row[1].dtype == np.float32
    assert rows(data) == [
        (1, 2.5, "plain"),
        (2, 9.5, "with,comma"),  # an empty field takes its column's default
        (3, -7.0, 'say "hi"\nbye'),
        (4, 0.25, "d"),
        (5, 1000.0, "e"),
    ]


def test_csv_without_defaults_reads_strings_and_pads_short_defaults(csv_files):
    path = str(csv_files / "b.csv")
    assert rows(ds.CSVDataset(path, shuffle=False)) == [("4", "0.25", "d"), ("5", "1e3", "e")]
    # Columns past the end of column_defaults are strings.
    assert rows(ds.CSVDataset(path, column_defaults=[0], shuffle=False)) == [
        (4, "0.25", "d"),
        (5, "1e3", "e"),
    ]


def test_csv_column_names_make_every_line_data(tmp_path):
    (tmp_path / "x.csv").write_text("1|a\n\n2|b\r\n", encoding="utf-8")
    data = ds.CSVDataset(
        [str(tmp_path / "x.csv")],
        field_delim="|",
        column_defaults=[0, ""],
        column_names=["n", "s"],
        shuffle=False,
    )
    assert data.get_col_names() == ["n", "s"]
    assert rows(data) == [(1, "a"), (2, "b")]  # the blank line is skipped, CRLF ends a line


def test_csv_lines_end_only_at_cr_and_lf(tmp_path):
    # \x0c and \u2028 are line breaks to str.splitlines, but data to a CSV reader.
    (tmp_path / "x.csv").write_text("a,b\nx\x0cy,p\u2028q\rlast,1\n", encoding="utf-8")
    assert rows(ds.CSVDataset(str(tmp_path / "x.csv"), shuffle=False)) == [
        ("x\x0cy", "p\u2028q"),
        ("last", "1"),
    ]


def test_csv_shuffle_modes(csv_files, seed):
    pattern = str(csv_files / "*.csv")
    ordered = [
        r[0] for r in rows(ds.CSVDataset(pattern, column_defaults=[0, 0.0, ""], shuffle=False))
    ]
    assert ordered == [1, 2, 3, 4, 5]
    shuffled = ds.CSVDataset(pattern, column_defaults=[0, 0.0, ""])  # Shuffle.GLOBAL by default
    epochs = [[r[0] for r in rows(shuffled)] for _ in range(4)]
    assert all(sorted(e) == ordered for e in epochs) and any(e != ordered for e in epochs)
    files = ds.CSVDataset(pattern, column_defaults=[0, 0.0, ""], shuffle=ds.Shuffle.FILES)
    for _ in range(4):
        ids = [r[0] for r in rows(files)]
        assert ids in ([1, 2, 3, 4, 5], [4, 5, 1, 2, 3])  # whole files, rows in order
    infile = ds.CSVDataset(pattern, column_defaults=[0, 0.0, ""], shuffle=ds.Shuffle.INFILE)
    for _ in range(4):
        ids = [r[0] for r in rows(infile)]
        assert sorted(ids[:3]) == [1, 2, 3] and sorted(ids[3:]) == [4, 5]  # files in order
    with pytest.raises(MindTypeError, match="'shuffle'"):
        ds.CSVDataset(pattern, shuffle="yes")


def test_csv_num_samples_and_shards(csv_files):
    pattern = str(csv_files / "*.csv")

    def ids(**kwargs):
        return [
            r[0]
            for r in rows(
                ds.CSVDataset(pattern, column_defaults=[0, 0.0, ""], shuffle=False, **kwargs)
            )
        ]

    assert ids(num_samples=2) == [1, 2]
    assert ids(num_samples=0) == [1, 2, 3, 4, 5]  # 0 reads every row, as in MindSpore
    # Contiguous shares of equal length; the last shard wraps around to the first rows.
    assert ids(num_shards=2, shard_id=0) == [1, 2, 3]
    assert ids(num_shards=2, shard_id=1) == [4, 5, 1]
    assert ids(num_shards=2, shard_id=1, num_samples=2) == [4, 5]
    data = ds.CSVDataset(
        pattern, column_defaults=[0, 0.0, ""], shuffle=False, num_shards=3, shard_id=2
    )
    assert data.get_dataset_size() == 2
    with pytest.raises(MindValueError, match="together"):
        ds.CSVDataset(pattern, num_shards=2)
    with pytest.raises(MindValueError, match="shard_id"):
        ds.CSVDataset(pattern, num_shards=2, shard_id=2)
    with pytest.raises(MindValueError, match="num_samples"):
        ds.CSVDataset(pattern, num_samples=-1)


def test_csv_shards_partition_a_shuffled_epoch(csv_files, seed):
    pattern = str(csv_files / "*.csv")
    shards = [
        [
            r[0]
            for r in rows(
                ds.CSVDataset(pattern, column_defaults=[0, 0.0, ""], num_shards=5, shard_id=k)
            )
        ]
        for k in range(5)
    ]
    assert sorted(i for shard in shards for i in shard) == [1, 2, 3, 4, 5]


def test_csv_pipeline_map_and_batch(csv_files):
    data = ds.CSVDataset(str(csv_files / "b.csv"), column_defaults=[0, 0.0, ""], shuffle=False)
    data = data.map(lambda x: x * 10, "id").project(["id", "score"]).batch(2)
    ((ids, scores),) = arrays(data)
    np.testing.assert_array_equal(ids, np.array([40, 50], np.int32))
    np.testing.assert_array_equal(scores, np.array([0.25, 1000.0], np.float32))


def test_csv_errors_name_the_file(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(MindDataError, match="no file matches"):
        ds.CSVDataset(str(tmp_path / "missing*.csv"))
    # Problems with the files as a whole are found when the dataset is built.
    other = tmp_path / "other.csv"
    other.write_text("a,c\n1,2\n", encoding="utf-8")
    with pytest.raises(MindDataError, match=r"other\.csv has the header \['a', 'c'\]"):
        ds.CSVDataset([str(good), str(other)])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(MindDataError, match=r"empty\.csv is empty"):
        ds.CSVDataset(str(empty))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"a,b\n\xe9,1\n")
    with pytest.raises(MindDataError, match=r"latin\.csv is not UTF-8"):
        ds.CSVDataset(str(latin))
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    with pytest.raises(MindValueError, match="duplicate column names are not allowed: a"):
        ds.CSVDataset(str(dup))
    open_header = tmp_path / "open_header.csv"
    open_header.write_text('a,"b\n', encoding="utf-8")
    with pytest.raises(MindDataError, match=r"failed to parse .*open_header\.csv at line 1"):
        ds.CSVDataset(str(open_header))


def test_csv_record_errors_raise_when_read(tmp_path):
    # As in MindSpore, a record is converted when read: the dataset builds (and counts its
    # rows) and the bad record raises while iterating, naming the file and line.
    short = tmp_path / "short.csv"
    short.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    data = ds.CSVDataset(str(short), shuffle=False)
    assert data.get_dataset_size() == 2
    with pytest.raises(MindDataError, match=r"short\.csv line 3 has 1 fields, expected 2"):
        rows(data)
    assert rows(ds.CSVDataset(str(short), shuffle=False, num_samples=1)) == [("1", "2")]
    unterminated = tmp_path / "open.csv"
    unterminated.write_text('a,b\n1,2\n1,"2\n', encoding="utf-8")
    data = ds.CSVDataset(str(unterminated), shuffle=False)
    assert data.get_dataset_size() == 2  # the good record, then where parsing fails
    with pytest.raises(
        MindDataError, match=r"failed to parse .*open\.csv at line \d+: not valid CSV"
    ):
        rows(data)
    big = tmp_path / "big.csv"
    big.write_text("a\n4294967296\n", encoding="utf-8")
    with pytest.raises(MindDataError, match=r"big\.csv line 2.*does not fit in int32"):
        rows(ds.CSVDataset(str(big), column_defaults=[0]))


def test_csv_type_mismatch_names_file_line_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n", encoding="utf-8")
    with pytest.raises(
        MindDataError, match=r"t\.csv line 2, column 'b': type does not match, 'x' is not a float"
    ):
        rows(ds.CSVDataset(str(path), column_defaults=[0, 0.0]))
    with pytest.raises(MindDataError, match=r"t\.csv line 2, column 'b': .*'x' is not an int"):
        rows(ds.CSVDataset(str(path), column_defaults=[0, 0]))
    assert rows(ds.CSVDataset(str(path), column_defaults=[0, ""])) == [(1, "x")]


def test_csv_argument_checks(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    for delim in ('"', "\n", "ab", "", 1):
        with pytest.raises(MindValueError, match="field_delim"):
            ds.CSVDataset(str(path), field_delim=delim)
    assert rows(ds.CSVDataset(str(path), field_delim=None, shuffle=False)) == [("1", "2")]
    with pytest.raises(MindTypeError, match="column_defaults"):
        ds.CSVDataset(str(path), column_defaults=(0, 0))
    with pytest.raises(MindTypeError, match="column_defaults"):
        ds.CSVDataset(str(path), column_defaults=[0, None])
    with pytest.raises(MindValueError, match="3 column_defaults but 2 columns"):
        ds.CSVDataset(str(path), column_defaults=[0, 0, 0])
    with pytest.raises(MindTypeError, match="column_names"):
        ds.CSVDataset(str(path), column_names=["a", 1])
    with pytest.raises(MindTypeError, match="dataset_files"):
        ds.CSVDataset(3)
    with pytest.raises(MindValueError, match="empty"):
        ds.CSVDataset([])


# ------------------------------------------------------------------------------------------------
# TextFileDataset
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def text_files(tmp_path):
    (tmp_path / "2.txt").write_bytes(b"fourth\nfifth")
    (tmp_path / "1.txt").write_bytes("first\n\nsecond\r\nthird ünï\n".encode())
    return tmp_path


def test_text_lines_in_sorted_file_order(text_files):
    data = ds.TextFileDataset(str(text_files / "*.txt"), shuffle=False)
    assert data.get_col_names() == ["text"]
    assert data.get_dataset_size() == 5
    values = [row["text"] for row in data.create_dict_iterator(output_numpy=True)]
    assert all(v.shape == () and v.dtype.kind == "U" for v in values)
    # Blank lines are skipped; the \r of a CRLF line is kept, as in MindSpore.
    assert [str(v) for v in values] == ["first", "second\r", "third ünï", "fourth", "fifth"]


def test_text_shards_samples_and_shuffle(text_files, seed):
    files = [str(text_files / "2.txt"), str(text_files / "1.txt")]

    def lines(**kwargs):
        return [r[0] for r in rows(ds.TextFileDataset(files, **kwargs))]

    assert lines(shuffle=False, num_samples=2) == ["first", "second\r"]
    assert lines(shuffle=False, num_shards=2, shard_id=1) == ["fourth", "fifth", "first"]
    assert lines(shuffle=False, num_shards=2, shard_id=0) == ["first", "second\r", "third ünï"]
    assert sorted(lines()) == sorted(lines(shuffle=False))
    assert lines(shuffle=ds.Shuffle.FILES) in (
        ["first", "second\r", "third ünï", "fourth", "fifth"],
        ["fourth", "fifth", "first", "second\r", "third ünï"],
    )


def test_text_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\xfe\n")
    with pytest.raises(MindDataError, match=r"bad\.txt is not UTF-8"):
        ds.TextFileDataset(str(bad))
    with pytest.raises(MindDataError, match="no file matches"):
        ds.TextFileDataset([str(tmp_path / "nothing.txt")])


# ------------------------------------------------------------------------------------------------
# MNIST-format sets
# ------------------------------------------------------------------------------------------------


def idx_images(images):
    images = np.asarray(images, np.uint8)
    return struct.pack(">4I", 2051, len(images), 28, 28) + images.tobytes()


def idx_labels(labels):
    return struct.pack(">2I", 2049, len(labels)) + bytes(labels)


def write_idx(root, image_name, label_name, images, labels):
    (root / image_name).write_bytes(idx_images(images))
    (root / label_name).write_bytes(idx_labels(labels))


def digit_images(count, seed):
    return np.random.default_rng(seed).integers(0, 256, (count, 28, 28), dtype=np.uint8)


@pytest.fixture
def mnist_format_dir(tmp_path):
    """train: 3 rows labelled 1, 2, 3; t10k: 2 rows labelled 8, 9."""
    train, test = digit_images(3, 0), digit_images(2, 1)
    write_idx(tmp_path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", train, [1, 2, 3])
    write_idx(tmp_path, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test, [8, 9])
    return tmp_path, train, test


@pytest.mark.parametrize("loader", [ds.FashionMnistDataset, ds.KMnistDataset])
def test_mnist_format_sets_read_exactly(loader, mnist_format_dir):
    root, train, test = mnist_format_dir
    data = loader(str(root), usage="train", shuffle=False)
    assert data.get_col_names() == ["image", "label"]
    got = arrays(data)
    assert [int(label) for _, label in got] == [1, 2, 3]
    for (image, label), expected in zip(got, train):
        assert image.dtype == np.uint8 and image.shape == (28, 28, 1)
        assert label.dtype == np.uint32 and label.shape == ()
        np.testing.assert_array_equal(image[..., 0], expected)
    # "all" (and None) read t10k first: MindSpore sorts the file names.
    for usage in ("all", None):
        assert [int(r[1]) for r in arrays(loader(str(root), usage, shuffle=False))] == [
            8,
            9,
            1,
            2,
            3,
        ]
    assert [int(r[1]) for r in arrays(loader(str(root), "test", shuffle=False))] == [8, 9]


@pytest.mark.parametrize("loader", [ds.FashionMnistDataset, ds.KMnistDataset])
def test_mnist_format_sampling(loader, mnist_format_dir, seed):
    root = str(mnist_format_dir[0])
    labels = [int(r[1]) for r in arrays(loader(root))]  # shuffled by default
    assert sorted(labels) == [1, 2, 3, 8, 9]
    assert len(arrays(loader(root, num_samples=2))) == 2
    shards = [[int(r[1]) for r in arrays(loader(root, num_shards=2, shard_id=k))] for k in (0, 1)]
    assert len(shards[0]) == len(shards[1]) == 3
    assert set(shards[0]) | set(shards[1]) == {1, 2, 3, 8, 9}
    picked = loader(root, sampler=ds.SubsetSampler([4, 0]))
    assert [int(r[1]) for r in arrays(picked)] == [3, 8]


@pytest.mark.parametrize(
    ("loader", "op"),
    [(ds.FashionMnistDataset, "FashionMnistDataset"), (ds.KMnistDataset, "KMnistDataset")],
)
def test_mnist_format_errors_name_the_dataset_and_file(loader, op, tmp_path):
    with pytest.raises(MindDataError, match=f"For '{op}', no files in"):
        loader(str(tmp_path))
    with pytest.raises(MindValueError, match=f"For '{op}'.*usage"):
        loader(str(tmp_path), usage="valid")
    with pytest.raises(MindDataError, match=f"For '{op}'.*does not exist"):
        loader(str(tmp_path / "nowhere"))
    write_idx(
        tmp_path, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", digit_images(2, 0), [1, 2]
    )
    with pytest.raises(MindDataError, match=r"found no t10k-images-idx3-ubyte\[\.gz\]"):
        loader(str(tmp_path), usage="test")
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_labels([1, 2, 3]))
    with pytest.raises(MindDataError, match=r"2 images but .*train-labels-idx1-ubyte holds 3"):
        loader(str(tmp_path), usage="train")
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_images(digit_images(2, 0))[:-1])
    with pytest.raises(MindDataError, match=r"train-images-idx3-ubyte has \d+ bytes.*truncated"):
        loader(str(tmp_path), usage="train")


def test_emnist_names_and_usage(tmp_path):
    train, test = digit_images(2, 2), digit_images(1, 3)
    prefix = "emnist-letters-"
    write_idx(
        tmp_path,
        prefix + "train-images-idx3-ubyte",
        prefix + "train-labels-idx1-ubyte",
        train,
        [5, 6],
    )
    write_idx(
        tmp_path, prefix + "test-images-idx3-ubyte", prefix + "test-labels-idx1-ubyte", test, [7]
    )
    data = ds.EMnistDataset(str(tmp_path), "letters", "train", shuffle=False)
    got = arrays(data)
    assert [int(r[1]) for r in got] == [5, 6]
    np.testing.assert_array_equal(got[1][0][..., 0], train[1])  # as stored, not transposed
    assert [
        int(r[1]) for r in arrays(ds.EMnistDataset(str(tmp_path), "letters", shuffle=False))
    ] == [7, 5, 6]
    with pytest.raises(MindDataError, match=r"For 'EMnistDataset', no files.*emnist-digits-test"):
        ds.EMnistDataset(str(tmp_path), "digits")
    with pytest.raises(MindValueError, match="'name' must be one of"):
        ds.EMnistDataset(str(tmp_path), "letter")


def qmnist_labels(table):
    table = np.asarray(table, ">i4")
    return struct.pack(">3I", 3074, len(table), 8) + table.tobytes()


def label_table(classes, start):
    # 8 fields per row: the class, then 7 more QMNIST fields (writer id, digit index, ...).
    return [[c, start + k, 2, 3, 4, 5, 6, 7] for k, c in enumerate(classes)]


@pytest.fixture
def qmnist_dir(tmp_path):
    parts = {
        "qmnist-train": (digit_images(2, 4), label_table([3, 1], 100)),
        "qmnist-test": (digit_images(3, 5), label_table([0, 9, 4], 200)),
        "xnist": (digit_images(1, 6), label_table([7], 300)),
    }
    for prefix, (images, table) in parts.items():
        (tmp_path / f"{prefix}-images-idx3-ubyte").write_bytes(idx_images(images))
        (tmp_path / f"{prefix}-labels-idx2-int").write_bytes(qmnist_labels(table))
    return tmp_path, parts


def test_qmnist_compat_and_full_labels(qmnist_dir):
    root, parts = qmnist_dir
    got = arrays(ds.QMnistDataset(str(root), "test", shuffle=False))
    assert [int(label) for _, label in got] == [0, 9, 4]
    for (image, label), expected in zip(got, parts["qmnist-test"][0]):
        assert label.dtype == np.uint32 and label.shape == ()
        np.testing.assert_array_equal(image[..., 0], expected)
    full = arrays(ds.QMnistDataset(str(root), "train", compat=False, shuffle=False))
    assert [label.tolist() for _, label in full] == label_table([3, 1], 100)
    assert full[0][1].dtype == np.uint32 and full[0][1].shape == (8,)
    # "all" reads train, test, then nist (MindSpore's order, not sorted names).
    every = arrays(ds.QMnistDataset(str(root), shuffle=False))
    assert [int(r[1]) for r in every] == [3, 1, 0, 9, 4, 7]
    assert [int(r[1]) for r in arrays(ds.QMnistDataset(str(root), "nist", shuffle=False))] == [7]
    with use_blocks(False):  # the row engine reads the same rows as the block engine
        assert [int(r[1]) for r in arrays(ds.QMnistDataset(str(root), shuffle=False))] == [
            3,
            1,
            0,
            9,
            4,
            7,
        ]


def test_qmnist_test10k_and_test50k_split_the_test_file(tmp_path):
    count = 10_003
    classes = [k % 10 for k in range(count)]
    images = np.zeros((count, 28, 28), np.uint8)
    images[:, 0, 0] = np.arange(count) % 251
    (tmp_path / "qmnist-test-images-idx3-ubyte").write_bytes(idx_images(images))
    (tmp_path / "qmnist-test-labels-idx2-int").write_bytes(qmnist_labels(label_table(classes, 0)))
    first = ds.QMnistDataset(str(tmp_path), "test10k", shuffle=False)
    rest = ds.QMnistDataset(str(tmp_path), "test50k", shuffle=False, compat=False)
    assert first.get_dataset_size() == 10_000 and rest.get_dataset_size() == 3
    assert [r[1].tolist()[:2] for r in arrays(rest)] == [[0, 10_000], [1, 10_001], [2, 10_002]]
    assert [int(r[0][0, 0, 0]) for r in arrays(rest)] == [10_000 % 251, 10_001 % 251, 10_002 % 251]


def test_qmnist_errors_name_the_file(qmnist_dir):
    root, _ = qmnist_dir
    labels = root / "qmnist-train-labels-idx2-int"
    labels.write_bytes(qmnist_labels(label_table([3, 1], 100))[:-4])
    with pytest.raises(
        MindDataError, match=r"qmnist-train-labels-idx2-int has \d+ bytes.*truncated"
    ):
        ds.QMnistDataset(str(root), "train")
    labels.write_bytes(struct.pack(">3I", 3074, 2, 7) + bytes(56))
    with pytest.raises(MindDataError, match=r"qmnist-train-labels-idx2-int.*rows of 7 values"):
        ds.QMnistDataset(str(root), "train")
    labels.write_bytes(qmnist_labels(label_table([3, 1, 2], 100)))
    with pytest.raises(MindDataError, match=r"2 images but .*qmnist-train-labels-idx2-int holds 3"):
        ds.QMnistDataset(str(root), "train")
    (root / "xnist-images-idx3-ubyte").unlink()
    with pytest.raises(MindDataError, match=r"xnist-images-idx3-ubyte does not exist"):
        ds.QMnistDataset(str(root), "nist")
    with pytest.raises(MindValueError, match="'usage' must be one of"):
        ds.QMnistDataset(str(root), "test20k")
    with pytest.raises(MindTypeError, match="'compat'"):
        ds.QMnistDataset(str(root), "test", compat=1)


# ------------------------------------------------------------------------------------------------
# Cifar100Dataset
# ------------------------------------------------------------------------------------------------


def cifar100_bytes(images_hwc, coarse, fine):
    out = b""
    for image, c, f in zip(images_hwc, coarse, fine):
        out += bytes([c, f]) + np.ascontiguousarray(image.transpose(2, 0, 1)).tobytes()
    return out


@pytest.fixture
def cifar100_dir(tmp_path):
    rng = np.random.default_rng(7)
    train = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    test = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    (tmp_path / "train.bin").write_bytes(cifar100_bytes(train, [0, 5, 19], [0, 42, 99]))
    (tmp_path / "test.bin").write_bytes(cifar100_bytes(test, [7, 8], [70, 80]))
    return tmp_path, train, test


def test_cifar100_reads_exactly(cifar100_dir):
    root, train, test = cifar100_dir
    data = ds.Cifar100Dataset(str(root), "train", shuffle=False)
    assert data.get_col_names() == ["image", "coarse_label", "fine_label"]
    got = arrays(data)
    assert [(int(c), int(f)) for _, c, f in got] == [(0, 0), (5, 42), (19, 99)]
    for (image, coarse, fine), expected in zip(got, train):
        assert image.dtype == np.uint8 and image.shape == (32, 32, 3)
        assert coarse.dtype == fine.dtype == np.uint32 and coarse.shape == fine.shape == ()
        np.testing.assert_array_equal(image, expected)  # stored CHW, read back HWC
    # "all" reads test.bin before train.bin (sorted names); both engines agree.
    for blocks in (True, False):
        with use_blocks(blocks):
            every = arrays(ds.Cifar100Dataset(str(root), shuffle=False))
        assert [int(r[2]) for r in every] == [70, 80, 0, 42, 99]
        np.testing.assert_array_equal(every[1][0], test[1])


def test_cifar100_sampling(cifar100_dir, seed):
    root = str(cifar100_dir[0])
    assert sorted(int(r[2]) for r in arrays(ds.Cifar100Dataset(root))) == [0, 42, 70, 80, 99]
    shard = ds.Cifar100Dataset(root, "train", num_shards=3, shard_id=1, shuffle=False)
    assert [int(r[2]) for r in arrays(shard)] == [42]
    assert ds.Cifar100Dataset(root, num_samples=4).get_dataset_size() == 4


def test_cifar100_errors_name_the_file(cifar100_dir, tmp_path_factory):
    root, _, _ = cifar100_dir
    with pytest.raises(MindDataError, match=r"looked for test\.bin, train\.bin"):
        ds.Cifar100Dataset(str(tmp_path_factory.mktemp("empty")))
    with pytest.raises(MindValueError, match="'usage'"):
        ds.Cifar100Dataset(str(root), "valid")
    with (root / "test.bin").open("ab") as f:
        f.write(b"\x00")
    with pytest.raises(
        MindDataError, match=r"test\.bin has 6149 bytes, not a whole number of 3074"
    ):
        ds.Cifar100Dataset(str(root), "test")
    (root / "train.bin").write_bytes(bytes([20, 0]) + bytes(3072))
    with pytest.raises(MindDataError, match=r"record 0 of .*train\.bin has coarse label 20"):
        arrays(ds.Cifar100Dataset(str(root), "train"))
    (root / "train.bin").write_bytes(bytes([1, 100]) + bytes(3072))
    for blocks in (True, False):
        with use_blocks(blocks), pytest.raises(MindDataError, match=r"fine label 100"):
            arrays(ds.Cifar100Dataset(str(root), "train"))


# ------------------------------------------------------------------------------------------------
# ManifestDataset
# ------------------------------------------------------------------------------------------------


def save_image(path, pixels, fmt):
    Image.fromarray(np.asarray(pixels, np.uint8)).save(path, format=fmt)
    return path


def manifest_line(source, usage, *names):
    annotation = [{"type": "modelarts/image_classification", "name": n} for n in names]
    return json.dumps({"source": str(source), "usage": usage, "annotation": annotation})


@pytest.fixture
def manifest(tmp_path):
    rng = np.random.default_rng(3)
    red = save_image(tmp_path / "red.png", rng.integers(0, 256, (3, 4, 3)), "PNG")
    blue = save_image(tmp_path / "blue.bmp", rng.integers(0, 256, (2, 2, 3)), "BMP")
    (tmp_path / "notes.txt").write_text("not an image")
    lines = [
        manifest_line(red, "TRAIN", "dog"),
        manifest_line("blue.bmp", "train", "cat", "flower"),  # relative to the manifest
        manifest_line(tmp_path / "notes.txt", "train", "cat"),  # not an image: skipped
        manifest_line(red, "eval", "flower"),
        "",
        manifest_line(blue, "train", "cat"),
    ]
    path = tmp_path / "data.manifest"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, red, blue


def test_manifest_rows_labels_and_class_indexing(manifest):
    path, red, blue = manifest
    data = ds.ManifestDataset(str(path), shuffle=False)
    assert data.get_col_names() == ["image", "label"]
    assert data.get_class_indexing() == {"cat": 0, "dog": 1, "flower": 2}
    assert data.num_classes() == 3
    got = arrays(data)
    assert [r[1].tolist() for r in got] == [1, [0, 2], 0]
    assert got[0][1].dtype == np.int32 and got[0][1].shape == ()
    assert got[1][1].shape == (2,)
    assert got[0][0].dtype == np.uint8 and got[0][0].tobytes() == red.read_bytes()
    assert got[2][0].tobytes() == blue.read_bytes()
    decoded = arrays(ds.ManifestDataset(str(path), decode=True, shuffle=False))
    np.testing.assert_array_equal(decoded[0][0], np.asarray(Image.open(red).convert("RGB")))
    assert decoded[1][0].shape == (2, 2, 3)
    evaluation = ds.ManifestDataset(str(path), usage="EVAL", shuffle=False)
    assert [r[1].tolist() for r in arrays(evaluation)] == [0]  # flower alone: index 0
    # With class_indexing only its labels are kept, numbered by it.
    only = ds.ManifestDataset(str(path), class_indexing={"cat": 11}, shuffle=False)
    assert only.get_class_indexing() == {"cat": 11}
    assert [r[1].tolist() for r in arrays(only)] == [11, 11]


def test_manifest_sampling(manifest, seed):
    path = str(manifest[0])
    assert sorted(str(r[1].tolist()) for r in arrays(ds.ManifestDataset(path))) == [
        "0", "1", "[0, 2]",
    ]  # fmt: skip
    assert len(arrays(ds.ManifestDataset(path, num_samples=2))) == 2
    shard = ds.ManifestDataset(path, num_shards=3, shard_id=2, shuffle=False)
    assert [r[1].tolist() for r in arrays(shard)] == [0]
    picked = ds.ManifestDataset(path, sampler=ds.SubsetSampler([2, 0]))
    assert [r[1].tolist() for r in arrays(picked)] == [0, 1]


def test_manifest_errors_name_the_file_and_line(tmp_path, manifest):
    _, red, _ = manifest
    path = tmp_path / "bad.manifest"
    with pytest.raises(MindDataError, match=r"bad\.manifest does not exist"):
        ds.ManifestDataset(str(path))
    cases = [
        ("{not json", r"bad\.manifest line 1 is not JSON"),
        (json.dumps({"usage": "train", "annotation": []}), r"line 1 has no 'source'"),
        (
            manifest_line(tmp_path / "gone.png", "train", "a"),
            r"line 1: the image .*gone\.png does not",
        ),
        (json.dumps({"source": str(red), "annotation": []}), r"line 1 has no 'usage'"),
        (json.dumps({"source": str(red), "usage": "train"}), r"line 1 has no 'annotation' list"),
        (
            json.dumps({"source": str(red), "usage": "train", "annotation": [{}]}),
            "without a 'name'",
        ),
        (manifest_line(red, "eval", "a"), r"lists no image with usage 'train'"),
    ]
    for text, message in cases:
        path.write_text(text + "\n")
        with pytest.raises(MindDataError, match=message):
            ds.ManifestDataset(str(path))
    (tmp_path / "empty.jpg").write_bytes(b"")
    path.write_text(manifest_line(tmp_path / "empty.jpg", "train", "a") + "\n")
    with pytest.raises(MindDataError, match=r"line 1: .*empty\.jpg has 0 bytes, too few"):
        ds.ManifestDataset(str(path))
    path.write_text(manifest_line(red, "train", "a") + "\n")
    with pytest.raises(MindDataError, match="and a label in class_indexing"):
        ds.ManifestDataset(str(path), class_indexing={"b": 0})
    with pytest.raises(MindTypeError, match="class_indexing"):
        ds.ManifestDataset(str(path), class_indexing={"a": "0"})
    with pytest.raises(MindTypeError, match="'usage'"):
        ds.ManifestDataset(str(path), usage=1)
    with pytest.raises(MindTypeError, match="'decode'"):
        ds.ManifestDataset(str(path), decode=1)


# ------------------------------------------------------------------------------------------------
# VOCDataset and CocoDataset
# ------------------------------------------------------------------------------------------------


def voc_xml(*objects):
    parts = []
    for name, box, difficult, truncated in objects:
        coords = "".join(f"<{k}>{v}</{k}>" for k, v in zip(("xmin", "ymin", "xmax", "ymax"), box))
        parts.append(
            f"<object><name>{name}</name><difficult>{difficult}</difficult>"
            f"<truncated>{truncated}</truncated><bndbox>{coords}</bndbox></object>"
        )
    return "<annotation><filename>x.jpg</filename>" + "".join(parts) + "</annotation>"


@pytest.fixture
def voc_dir(tmp_path):
    for sub in (
        "JPEGImages",
        "Annotations",
        "ImageSets/Main",
        "ImageSets/Segmentation",
        "SegmentationClass",
    ):
        (tmp_path / sub).mkdir(parents=True)
    rng = np.random.default_rng(5)
    for image_id in ("a", "b", "c"):
        save_image(
            tmp_path / "JPEGImages" / f"{image_id}.jpg", rng.integers(0, 256, (4, 6, 3)), "JPEG"
        )
        save_image(
            tmp_path / "SegmentationClass" / f"{image_id}.png", rng.integers(0, 3, (4, 6)), "PNG"
        )
    annotations = {
        "a": voc_xml(("dog", (1, 2, 5, 4), 0, 1), ("person", (2.5, 1, 3.5, 3), 1, 0)),
        "b": voc_xml(("cat", (1, 1, 2, 2), 0, 0)),
        "c": voc_xml(("", (1, 1, 2, 2), 0, 0)),  # a nameless object is dropped: c is skipped
    }
    for image_id, text in annotations.items():
        (tmp_path / "Annotations" / f"{image_id}.xml").write_text(text)
    (tmp_path / "ImageSets/Main/train.txt").write_text("a\r\nb\nc\n")
    (tmp_path / "ImageSets/Segmentation/train.txt").write_text("c\na\n")
    return tmp_path


def test_voc_detection(voc_dir):
    data = ds.VOCDataset(str(voc_dir), task="Detection", shuffle=False)
    assert data.get_col_names() == ["image", "bbox", "label", "difficult", "truncate"]
    assert data.get_class_indexing() == {"cat": 0, "dog": 1, "person": 2}
    assert data.num_classes() is None  # as MindSpore's VOCDataset answers
    (image, bbox, label, difficult, truncate), second = arrays(data)
    assert image.tobytes() == (voc_dir / "JPEGImages/a.jpg").read_bytes()
    assert bbox.dtype == np.float32 and bbox.tolist() == [[1, 2, 4, 2], [2.5, 1, 1, 2]]
    assert label.dtype == np.uint32 and label.tolist() == [[1], [2]]
    assert difficult.tolist() == [[0], [1]] and truncate.tolist() == [[1], [0]]
    assert second[2].tolist() == [[0]]
    decoded = arrays(ds.VOCDataset(str(voc_dir), "Detection", decode=True, shuffle=False))
    assert decoded[0][0].shape == (4, 6, 3)
    only = ds.VOCDataset(str(voc_dir), "Detection", class_indexing={"person": 7}, shuffle=False)
    assert only.get_class_indexing() == {"person": 7}
    [(_, bbox, label, _, _)] = arrays(only)
    assert bbox.tolist() == [[2.5, 1, 1, 2]] and label.tolist() == [[7]]
    meta = ds.VOCDataset(str(voc_dir), "Detection", extra_metadata=True, shuffle=False)
    assert meta.get_col_names()[-1] == "_meta-filename"
    assert [str(r[-1]) for r in arrays(meta)] == ["a", "b"]


def test_voc_segmentation(voc_dir):
    data = ds.VOCDataset(str(voc_dir), shuffle=False)  # task="Segmentation" by default
    assert data.get_col_names() == ["image", "target"]
    got = arrays(data)
    assert got[0][0].tobytes() == (voc_dir / "JPEGImages/c.jpg").read_bytes()
    assert got[1][1].tobytes() == (voc_dir / "SegmentationClass/a.png").read_bytes()
    decoded = arrays(ds.VOCDataset(str(voc_dir), decode=True, shuffle=False))
    expected = np.asarray(Image.open(voc_dir / "SegmentationClass/a.png").convert("RGB"))
    np.testing.assert_array_equal(decoded[1][1], expected)
    with pytest.raises(NotImplementedError, match="only the 'Detection' task"):
        data.get_class_indexing()
    with pytest.raises(MindValueError, match="not supported in the Segmentation task"):
        ds.VOCDataset(str(voc_dir), class_indexing={"a": 1})


def test_voc_sampling_and_decrypt(voc_dir, seed):
    root = str(voc_dir)
    assert ds.VOCDataset(root, "Detection", num_shards=2, shard_id=1).get_dataset_size() == 1
    picked = ds.VOCDataset(root, "Detection", sampler=ds.SubsetSampler([1]))
    assert [r[2].tolist() for r in arrays(picked)] == [[[0]]]
    calls = []

    def decrypt(path):
        calls.append(path)
        return b"plain"

    [(image, _)] = arrays(
        ds.VOCDataset(root, usage="train", decrypt=decrypt, num_samples=1, shuffle=False)
    )
    assert image.tobytes() == b"plain" and calls[0].endswith("c.jpg")


def test_voc_errors_name_the_file(voc_dir):
    root = str(voc_dir)
    with pytest.raises(MindDataError, match=r"ImageSets/Main/valid\.txt does not exist"):
        ds.VOCDataset(root, "Detection", "valid")
    with pytest.raises(MindValueError, match="'task'"):
        ds.VOCDataset(root, "Classification")
    xml = voc_dir / "Annotations/b.xml"
    for text, message in [
        (voc_xml(("cat", (0, 1, 2, 2), 0, 0)), r"b\.xml has the box .* = \(0, 1, 2, 2\)"),
        ("<annotation><object><name>x</name></object></annotation>", r"b\.xml: an <object> has no"),
        ("<annotation></annotation>", r"b\.xml has no <object>"),
        ("<annotation><object>", r"b\.xml is not valid XML"),
        ('<!DOCTYPE a [<!ENTITY x "y">]><annotation/>', r"b\.xml declares a DOCTYPE"),
        (voc_xml(("cat", ("one", 1, 2, 2), 0, 0)), r"b\.xml: <xmin> holds 'one'"),
    ]:
        xml.write_text(text)
        with pytest.raises(MindDataError, match=message):
            ds.VOCDataset(root, "Detection")
    xml.unlink()
    with pytest.raises(MindDataError, match=r"annotation .*b\.xml does not exist"):
        ds.VOCDataset(root, "Detection")


@pytest.fixture
def coco(tmp_path):
    rng = np.random.default_rng(8)
    for name in ("one.jpg", "two.jpg", "three.jpg"):
        save_image(tmp_path / name, rng.integers(0, 256, (5, 5, 3)), "JPEG")
    tree = {
        "images": [
            {"id": 10, "file_name": "one.jpg"},
            {"id": 20, "file_name": "two.jpg"},
            {"id": 30, "file_name": "three.jpg"},
        ],
        "categories": [{"id": 1, "name": "person"}, {"id": 7, "name": "kite"}],
        "annotations": [
            {"id": 1, "image_id": 30, "bbox": [1, 2, 3, 4], "category_id": 7, "iscrowd": 1},
            {"id": 2, "image_id": 10, "bbox": [0.5, 0, 2, 2], "category_id": 1},
            {"id": 3, "image_id": 30, "bbox": [2, 2, 1, 1, 9], "category_id": 1, "iscrowd": 0},
        ],
    }
    path = tmp_path / "annotations.json"
    path.write_text(json.dumps(tree))
    return tmp_path, path, tree


def test_coco_detection(coco):
    root, path, _ = coco
    data = ds.CocoDataset(str(root), str(path), shuffle=False)
    assert data.get_col_names() == ["image", "bbox", "category_id", "iscrowd"]
    assert data.get_class_indexing() == {"person": [1], "kite": [7]}
    (image, bbox, category, crowd), third = arrays(data)  # two.jpg has no annotation
    assert image.tobytes() == (root / "one.jpg").read_bytes()
    assert bbox.dtype == np.float32 and bbox.tolist() == [[0.5, 0, 2, 2]]
    assert category.dtype == np.uint32 and category.tolist() == [[1]] and crowd.tolist() == [[0]]
    # Boxes of different lengths are padded with -1.
    assert third[1].tolist() == [[1, 2, 3, 4, -1], [2, 2, 1, 1, 9]]
    assert third[2].tolist() == [[7], [1]] and third[3].tolist() == [[1], [0]]
    meta = ds.CocoDataset(str(root), str(path), extra_metadata=True, shuffle=False)
    assert [str(r[-1]) for r in arrays(meta)] == ["one", "three"]
    decoded = arrays(
        ds.CocoDataset(str(root), str(path), decode=True, num_samples=1, shuffle=False)
    )
    assert decoded[0][0].shape == (5, 5, 3)


def test_coco_other_tasks(coco):
    root, _, tree = coco
    images = tree["images"]

    def read(task, annotations, categories=None, name="task.json"):
        path = root / name
        body = {"images": images, "annotations": annotations}
        if categories is not None:
            body["categories"] = categories
        path.write_text(json.dumps(body))
        return ds.CocoDataset(str(root), str(path), task=task, shuffle=False)

    stuff = read(
        "Stuff",
        [
            {"id": 1, "image_id": 20, "iscrowd": 0, "segmentation": [[1, 2, 3, 4], [5, 6]]},
            {
                "id": 2,
                "image_id": 20,
                "iscrowd": 1,
                "segmentation": {"counts": [7, 8, 9], "size": [5, 5]},
            },
        ],
    )
    assert stuff.get_col_names() == ["image", "segmentation", "iscrowd"]
    [(image, segmentation, crowd)] = arrays(stuff)
    assert image.tobytes() == (root / "two.jpg").read_bytes()
    assert segmentation.dtype == np.float32
    assert segmentation.tolist() == [[1, 2, 3, 4], [5, 6, -1, -1], [7, 8, 9, -1]]
    assert crowd.dtype == np.uint32 and crowd.tolist() == [[0], [1]]
    with pytest.raises(NotImplementedError, match="'Detection' and 'Panoptic'"):
        stuff.get_class_indexing()

    keypoint = read(
        "Keypoint", [{"id": 1, "image_id": 10, "keypoints": [1, 2, 2, 0, 0, 0], "num_keypoints": 1}]
    )
    assert keypoint.get_col_names() == ["image", "keypoints", "num_keypoints"]
    [(_, points, count)] = arrays(keypoint)
    assert points.tolist() == [[1, 2, 2, 0, 0, 0]] and count.tolist() == [[1]]

    segments = [
        {"id": 5, "category_id": 1, "iscrowd": 0, "bbox": [1, 1, 2, 2], "area": 4},
        {"id": 6, "category_id": 7, "iscrowd": 1, "bbox": [0, 0, 1, 1], "area": 1},
    ]
    panoptic = read(
        "Panoptic",
        [{"image_id": 30, "file_name": "three.png", "segments_info": segments}],
        [{"id": 1, "name": "person", "isthing": 1}, {"id": 7, "name": "sky", "isthing": 0}],
    )
    assert panoptic.get_col_names() == ["image", "bbox", "category_id", "iscrowd", "area"]
    assert panoptic.get_class_indexing() == {"person": [1, 1], "sky": [7, 0]}
    [(_, bbox, category, crowd, area)] = arrays(panoptic)
    assert bbox.tolist() == [[1, 1, 2, 2], [0, 0, 1, 1]]
    assert category.tolist() == [[1], [7]] and crowd.tolist() == [[0], [1]]
    assert area.dtype == np.uint32 and area.tolist() == [[4], [1]]

    captions = read(
        "Captioning",
        [
            {"id": 1, "image_id": 10, "caption": "a dog"},
            {"id": 2, "image_id": 10, "caption": "a brown dog"},
        ],
    )
    [(_, text)] = arrays(captions)
    assert text.shape == (2, 1) and text.ravel().tolist() == ["a dog", "a brown dog"]

    with pytest.raises(MindDataError, match=r"annotations\[0\]: 'num_keypoints' must be an int"):
        read("Keypoint", [{"image_id": 10, "keypoints": [1, 2]}])
    with pytest.raises(MindDataError, match=r"segments_info\[0\]: 'area' must be an int"):
        read("Panoptic", [{"image_id": 10, "segments_info": [{**segments[0], "area": None}]}],
             [{"id": 1, "name": "person", "isthing": 1}])  # fmt: skip
    with pytest.raises(MindDataError, match=r"has no 'categories' list"):
        read("Panoptic", [{"image_id": 10, "segments_info": segments}])


def test_coco_errors_name_the_file(coco):
    root, path, tree = coco
    with pytest.raises(MindValueError, match="Invalid task type 'Segmentation'"):
        ds.CocoDataset(str(root), str(path), task="Segmentation")
    with pytest.raises(MindValueError, match="PKSampler"):
        ds.CocoDataset(str(root), str(path), sampler=ds.PKSampler(1))
    with pytest.raises(MindDataError, match=r"missing\.json does not exist"):
        ds.CocoDataset(str(root), str(root / "missing.json"))
    bad = root / "bad.json"
    cases = [
        ("{", r"bad\.json is not JSON"),
        (json.dumps({**tree, "images": []}), r"bad\.json has no 'images' list"),
        (
            json.dumps({**tree, "annotations": [{"image_id": 99, "bbox": [], "category_id": 1}]}),
            r"bad\.json, annotations\[0\]: image_id 99 is not in 'images'",
        ),
        (
            json.dumps({**tree, "annotations": [{"image_id": 10, "bbox": [1], "category_id": 5}]}),
            r"annotations\[0\]: category_id 5 is not in 'categories'",
        ),
        (
            json.dumps({**tree, "annotations": [{"image_id": 10, "bbox": "x", "category_id": 1}]}),
            r"annotations\[0\]: 'bbox' must be a list",
        ),
        (json.dumps({**tree, "annotations": []}), r"bad\.json annotates no image"),
        (json.dumps({**tree, "images": [{"id": 1}]}), r"images\[0\] has no 'file_name'"),
    ]
    for text, message in cases:
        bad.write_text(text)
        with pytest.raises(MindDataError, match=message):
            ds.CocoDataset(str(root), str(bad))
    (root / "one.jpg").unlink()
    with pytest.raises(MindDataError, match=r"one\.jpg cannot be read"):
        arrays(ds.CocoDataset(str(root), str(path), shuffle=False))


# ------------------------------------------------------------------------------------------------
# USPSDataset and SemeionDataset
# ------------------------------------------------------------------------------------------------


def usps_line(label, values):
    return f"{label} " + " ".join(f"{k}:{v}" for k, v in enumerate(values, 1)) + " "


@pytest.fixture
def usps_dir(tmp_path):
    train = [(3, [-1.0] * 255 + [1.0]), (10, [0.0] * 128 + [0.5] * 128)]
    test = [(1, [-0.5] * 256)]
    (tmp_path / "usps").write_text("\n".join(usps_line(*r) for r in train) + "\n")
    (tmp_path / "usps.t").write_text("\n".join(usps_line(*r) for r in test) + "\n")
    return tmp_path


def test_usps_pixels_and_labels(usps_dir):
    data = ds.USPSDataset(str(usps_dir), shuffle=False)
    assert data.get_col_names() == ["image", "label"]
    got = arrays(data)
    assert [int(r[1]) for r in got] == [2, 9, 0]  # 1..10 in the file, 0..9 out; train first
    image = got[0][0]
    assert image.dtype == np.uint8 and image.shape == (16, 16, 1)
    assert got[0][1].dtype == np.uint32
    # MindSpore's (v + 1) / 2 * 255, truncated: -1 -> 0, 1 -> 255, 0 -> 127, 0.5 -> 191, -0.5 -> 63.
    assert image.ravel().tolist() == [0] * 255 + [255]
    assert got[1][0].ravel().tolist() == [127] * 128 + [191] * 128
    assert set(got[2][0].ravel().tolist()) == {63}
    assert [int(r[1]) for r in arrays(ds.USPSDataset(str(usps_dir), "test"))] == [0]
    shard = ds.USPSDataset(str(usps_dir), num_shards=2, shard_id=1, shuffle=False)
    assert [int(r[1]) for r in arrays(shard)] == [0, 2]  # wraps around


def test_usps_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(MindDataError, match=r"usps does not exist"):
        ds.USPSDataset(str(tmp_path), "train")
    (tmp_path / "usps").write_text(usps_line(3, [0.0] * 255) + "\n")
    with pytest.raises(MindDataError, match=r"usps line 1 has 256 fields"):
        ds.USPSDataset(str(tmp_path), "train")
    (tmp_path / "usps").write_text(
        "\n" + usps_line(3, [0.0] * 255).replace("5:", "6:") + " 256:0\n"
    )
    with pytest.raises(MindDataError, match=r"usps line 2 is not USPS data"):
        ds.USPSDataset(str(tmp_path), "train")
    (tmp_path / "usps").write_text(usps_line(11, [0.0] * 256))
    with pytest.raises(MindDataError, match=r"usps line 1 has label 11"):
        ds.USPSDataset(str(tmp_path), "train")
    with pytest.raises(MindValueError, match="'usage'"):
        ds.USPSDataset(str(tmp_path), "valid")


def semeion_line(pixels, label):
    digits = ["1" if k == label else "0" for k in range(10)]
    return " ".join(f"{p:.4f}" for p in pixels) + " " + " ".join(digits) + " "


def test_semeion_rows(tmp_path, seed):
    pixels = [np.random.default_rng(k).integers(0, 2, 256) for k in range(3)]
    (tmp_path / "semeion.data").write_text(
        "\n".join(semeion_line(p, label) for p, label in zip(pixels, [4, 0, 9])) + "\n"
    )
    data = ds.SemeionDataset(str(tmp_path), shuffle=False)
    got = arrays(data)
    assert [int(r[1]) for r in got] == [4, 0, 9]
    for (image, label), expected_pixels in zip(got, pixels):
        assert image.dtype == np.uint8 and image.shape == (16, 16)
        assert label.dtype == np.uint32 and label.shape == ()
        np.testing.assert_array_equal(image.ravel(), expected_pixels)
    assert sorted(int(r[1]) for r in arrays(ds.SemeionDataset(str(tmp_path)))) == [0, 4, 9]
    assert ds.SemeionDataset(str(tmp_path), num_shards=3, shard_id=0).get_dataset_size() == 1


def test_semeion_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(MindDataError, match=r"semeion\.data does not exist"):
        ds.SemeionDataset(str(tmp_path))
    path = tmp_path / "semeion.data"
    path.write_text(semeion_line([0] * 256, 1) + "\n" + semeion_line([0] * 255, 1) + "\n")
    with pytest.raises(MindDataError, match=r"semeion\.data line 2 has 265 fields"):
        ds.SemeionDataset(str(tmp_path))
    path.write_text(semeion_line([0] * 256, 99))
    with pytest.raises(MindDataError, match=r"line 1 has no label digit set"):
        ds.SemeionDataset(str(tmp_path))
    path.write_text(semeion_line([0] * 256, 1).replace("0.0000", "x", 1))
    with pytest.raises(MindDataError, match=r"line 1 is not Semeion data"):
        ds.SemeionDataset(str(tmp_path))


# ------------------------------------------------------------------------------------------------
# Schema
# ------------------------------------------------------------------------------------------------


def test_schema_add_column_and_to_json():
    schema = ds.Schema()
    schema.add_column("image", de_type=mc.uint8, shape=[2, -1])
    schema.add_column("label", "int32")
    expected = {
        "columns": [
            {"name": "image", "rank": 2, "shape": [2, -1], "type": "uint8"},
            {"name": "label", "rank": 1, "type": "int32"},
        ]
    }
    assert schema.to_json() == json.dumps(expected, indent=2, sort_keys=True)
    assert str(schema) == schema.to_json()


def test_schema_file_parse_columns_and_from_json(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text(
        json.dumps(
            {
                "datasetType": "TF",
                "numRows": 3,
                "columns": {"a": {"type": "float32", "shape": [4]}, "b": {"type": "int64"}},
            }
        )
    )
    schema = ds.Schema(str(path))
    assert schema.num_rows == 3 and ds.Schema.get_num_rows(str(path)) == 3
    assert schema.dataset_type == "TF"
    # A column without a shape is a scalar (rank 0), as MindSpore parses it.
    assert schema.columns == [
        {"name": "a", "type": "float32", "shape": [4], "rank": 1},
        {"name": "b", "type": "int64", "shape": [], "rank": 0},
    ]
    again = ds.Schema()
    again.from_json(json.loads(schema.to_json()))
    assert again.to_json() == schema.to_json()
    again.parse_columns([{"name": "x", "type": "bool", "shape": [1, 2]}])
    assert again.columns == [{"name": "x", "type": "bool", "shape": [1, 2], "rank": 2}]
    assert again.num_rows == 3  # parse_columns replaces the columns only


def test_schema_errors(tmp_path):
    with pytest.raises(MindTypeError, match="'schema_file'"):
        ds.Schema(1)
    with pytest.raises(MindDataError, match=r"nothing\.json does not exist"):
        ds.Schema(str(tmp_path / "nothing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{columns: 1")
    with pytest.raises(MindDataError, match=r"bad\.json is not JSON"):
        ds.Schema(str(bad))
    bad.write_text('{"numRows": 1}')
    with pytest.raises(MindDataError, match=r'bad\.json has no "columns"'):
        ds.Schema(str(bad))
    bad.write_text('{"columns": [{"name": "a", "type": "int32"}], "extra": 1}')
    with pytest.raises(MindDataError, match=r"bad\.json.*unknown field 'extra'"):
        ds.Schema(str(bad))
    schema = ds.Schema()
    with pytest.raises(MindValueError, match="name is missing"):
        schema.parse_columns([{"type": "int8", "shape": [3, 3]}])
    with pytest.raises(MindValueError, match="type is missing"):
        schema.parse_columns({"a": {"shape": [1]}})
    with pytest.raises(MindTypeError, match="column type 'float' is unknown"):
        schema.add_column("a", "float")
    with pytest.raises(MindTypeError, match="'shape'"):
        schema.add_column("a", "int8", shape=[2, "3"])
    with pytest.raises(MindTypeError, match="'name'"):
        schema.add_column("", "int8")
    with pytest.raises(MindValueError, match="numRows"):
        schema.from_json({"columns": [{"name": "a", "type": "int8"}], "numRows": -1})
    with pytest.raises(MindValueError, match="columns are missing"):
        ds.Schema().from_json({"numRows": 2})


# ------------------------------------------------------------------------------------------------
# RandomDataset
# ------------------------------------------------------------------------------------------------


def test_random_dataset_follows_the_schema(seed):
    schema = ds.Schema()
    schema.add_column("image", de_type=mc.uint8, shape=[2, 3])
    schema.add_column("score", de_type="float32", shape=[-1])
    schema.add_column("flag", de_type=mc.bool_, shape=[])
    data = ds.RandomDataset(schema=schema, total_rows=20)
    assert data.get_col_names() == ["image", "score", "flag"]
    assert data.get_dataset_size() == 20
    got = arrays(data)
    assert len(got) == 20
    lengths = set()
    for image, score, flag in got:
        assert image.dtype == np.uint8 and image.shape == (2, 3)
        assert score.dtype == np.float32 and score.ndim == 1 and 1 <= len(score) <= 32
        assert flag.dtype == np.bool_ and flag.shape == ()
        lengths.add(len(score))
        # Each value is one random byte repeated (MindSpore fills a tensor with one byte).
        assert len(set(image.tobytes())) == 1 and len(set(score.tobytes())) == 1
    assert len(lengths) > 1
    assert len({image.tobytes() for image, _, _ in got}) > 1
    again = arrays(ds.RandomDataset(schema=schema, total_rows=20))  # same seed, same rows
    for a, b in zip(got, again):
        for x, y in zip(a, b):
            assert x.tobytes() == y.tobytes()
    picked = ds.RandomDataset(schema=schema, total_rows=2, columns_list=["flag", "image"])
    assert picked.get_col_names() == ["flag", "image"]


def test_random_dataset_row_counts(tmp_path, seed):
    assert ds.RandomDataset(total_rows=7).get_dataset_size() == 7
    # Without a schema num_samples sets the count, as in MindSpore.
    assert ds.RandomDataset(total_rows=7, num_samples=3).get_dataset_size() == 3
    assert ds.RandomDataset(total_rows=3, num_samples=7).get_dataset_size() == 7
    path = tmp_path / "schema.json"
    path.write_text(
        json.dumps({"columns": [{"name": "a", "type": "int16", "shape": [2]}], "numRows": 5})
    )
    assert ds.RandomDataset(schema=str(path)).get_dataset_size() == 5
    assert ds.RandomDataset(schema=str(path), total_rows=2).get_dataset_size() == 2
    assert 1 <= ds.RandomDataset().get_dataset_size() <= 1024


NUMERIC_TYPES = (
    "bool int8 uint8 int16 uint16 int32 uint32 int64 uint64 float16 float32 float64".split()
)


def test_random_dataset_without_a_schema(seed):
    data = ds.RandomDataset(total_rows=4)
    names = data.get_col_names()
    assert 1 <= len(names) <= 4 and names == [f"c{k}" for k in range(len(names))]
    for row in arrays(data):
        for value in row:
            assert 1 <= value.ndim <= 4 and all(1 <= d <= 32 for d in value.shape)
            assert value.dtype.name in NUMERIC_TYPES


def test_random_dataset_errors(seed):
    schema = ds.Schema()
    schema.add_column("s", "string")
    with pytest.raises(MindValueError, match="'s' is a string column"):
        ds.RandomDataset(schema=schema)
    with pytest.raises(MindValueError, match="total_rows"):
        ds.RandomDataset(total_rows=-1)
    with pytest.raises(MindTypeError, match="columns_list"):
        ds.RandomDataset(total_rows=1, columns_list="c0")
    with pytest.raises(MindValueError, match=r"columns_list names \['zz'\]"):
        ds.RandomDataset(total_rows=1, columns_list=["zz"])
    with pytest.raises(MindTypeError, match="'shuffle'"):
        ds.RandomDataset(total_rows=1, shuffle=ds.Shuffle.GLOBAL)
    with pytest.raises(MindValueError, match="together"):
        ds.RandomDataset(total_rows=1, num_shards=2)


# ------------------------------------------------------------------------------------------------
# PaddedDataset
# ------------------------------------------------------------------------------------------------


def test_padded_dataset_rows_and_concat():
    samples = [
        {"image": np.zeros(2, np.uint8), "label": np.array(-1, np.int32)},
        {"label": np.array(-2, np.int32), "image": np.full(3, 7, np.uint8), "note": "ignored"},
    ]
    padded = ds.PaddedDataset(samples)
    assert padded.get_col_names() == ["image", "label"] and padded.get_dataset_size() == 2
    assert rows(padded) == [([0, 0], -1), ([7, 7, 7], -2)]
    base = ds.NumpySlicesDataset(
        {"image": np.ones((1, 2), np.uint8), "label": np.array([5], np.int32)}, shuffle=False
    )
    assert [r[1] for r in rows(base + padded)] == [5, -1, -2]


def test_padded_dataset_errors():
    with pytest.raises(MindTypeError, match="list of dicts"):
        ds.PaddedDataset({"a": 1})
    with pytest.raises(MindValueError, match="cannot be empty"):
        ds.PaddedDataset([])
    with pytest.raises(MindTypeError, match=r"padded_samples\[1\] must be a dict"):
        ds.PaddedDataset([{"a": 1}, [1]])
    with pytest.raises(MindValueError, match=r"padded_samples\[1\] lacks \['b'\]"):
        ds.PaddedDataset([{"a": 1, "b": 2}, {"a": 3}])
