"""The ``mind-data`` command: convert each source kind, info, verify, doctor, and error exits.

Most tests call ``main([...])`` in-process; one runs ``python -m mind.data`` in a subprocess.
Converted datasets are read back with ``ShardReader`` (and ``MindDataset`` for MNIST/CIFAR-10)
and compared with the source values.
"""

import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import xxhash
from PIL import Image

import mind.data as ds
from mind.data._src.cli import CHUNK_ROWS, main
from mind.data._src.fixtures import write_cifar10, write_mnist
from mind.data._src.readers import Cifar10Reader, MnistReader
from mind.data.mindrecord import ShardReader


def shard_files(dataset):
    """The shard paths the dataset's header lists, in order."""
    with open(f"{dataset}.meta.json", encoding="utf-8") as f:
        header = json.load(f)
    return [os.path.join(os.path.dirname(str(dataset)), s["file"]) for s in header["shards"]]


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_error(capsys, command, argv, *fragments):
    """Exit status 2, one line on stderr starting 'mind-data <command>: ', no traceback."""
    status, out, err = run(capsys, command, *argv)
    assert status == 2, (out, err)
    assert err.startswith(f"mind-data {command}: "), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    # More training rows than one chunk, so convert writes several chunks.
    train = rng.integers(0, 256, (CHUNK_ROWS + 37, 28, 28), dtype=np.uint8)
    test = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    write_mnist(tmp_path / "mnist", train, rng.integers(0, 10, len(train)), prefix="train")
    write_mnist(tmp_path / "mnist", test, rng.integers(0, 10, len(test)), prefix="t10k")
    return tmp_path / "mnist"


@pytest.fixture
def small_dataset(tmp_path, capsys):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.arange(24, dtype=np.float32).reshape(12, 2), y=np.arange(12))
    dest = tmp_path / "small.mindrecord"
    assert main(["convert", str(path), str(dest), "--from", "numpy", "--shards", "2"]) == 0
    capsys.readouterr()
    return dest


# ------------------------------------------------------------------------------------------------
# convert
# ------------------------------------------------------------------------------------------------


def test_convert_mnist_matches_the_reader(mnist_dir, tmp_path, capsys):
    dest = tmp_path / "mnist.mindrecord"
    status, out, err = run(capsys, "convert", mnist_dir, dest, "--from", "mnist", "--shards", "3")
    assert status == 0, err
    reader = MnistReader(mnist_dir, "all")
    n = len(reader)
    assert out.startswith(f"wrote {n} rows in 3 shard(s) to {dest} in ")
    assert out.endswith(" s\n") and out.count("\n") == 1
    assert err == ""  # stderr is not a terminal: no progress bar
    with ShardReader(dest) as mr:
        assert mr.num_rows == n and len(mr.shards) == 3
        assert mr.schema == {"image": {"type": "bytes"}, "label": {"type": "int64"}}
        assert mr.index_fields == ["label"]
        desc = json.loads(mr.description)
        assert desc["converted_from"] == "mnist" and desc["usage"] == "all"
        assert desc["image"] == {
            "encoding": "raw",
            "dtype": "uint8",
            "layout": "HWC",
            "shape": [28, 28, 1],
        }
        for i in [0, 4, 5, 999, 1000, n - 1]:  # both splits, across chunk and shard boundaries
            row = mr.read_row(i)
            image, label = reader[i]
            decoded = np.frombuffer(row["image"], np.uint8).reshape(desc["image"]["shape"])
            np.testing.assert_array_equal(decoded, image)
            assert row["label"] == int(label)
    # MindDataset restores raw image bytes to their recorded shape and dtype.
    data = ds.MindDataset(str(dest), shuffle=False)
    rows = list(data.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert len(rows) == n
    for i, (image, label) in enumerate(rows):
        assert image.shape == (28, 28, 1) and image.dtype == np.uint8
        want_image, want_label = reader[i]
        np.testing.assert_array_equal(image, want_image)
        assert int(label) == int(want_label)


def test_convert_mnist_usage_test(mnist_dir, tmp_path, capsys):
    dest = tmp_path / "t.mindrecord"
    status, out, _ = run(capsys, "convert", mnist_dir, dest, "--from", "mnist", "--usage", "test")
    assert status == 0 and out.startswith("wrote 5 rows in 1 shard(s)")
    reader = MnistReader(mnist_dir, "test")
    with ShardReader(dest) as mr:
        assert json.loads(mr.description)["usage"] == "test"
        got = mr.read_rows(list(range(5)))
        assert got["label"].tolist() == [int(reader[i][1]) for i in range(5)]
        for i in range(5):
            np.testing.assert_array_equal(
                np.frombuffer(got["image"][i], np.uint8).reshape(28, 28, 1), reader[i][0]
            )


def test_convert_cifar10_matches_the_reader(tmp_path, capsys):
    rng = np.random.default_rng(1)
    src = tmp_path / "cifar"
    for name, count in [("data_batch_1.bin", 7), ("data_batch_2.bin", 4), ("test_batch.bin", 3)]:
        images = rng.integers(0, 256, (count, 32, 32, 3), dtype=np.uint8)
        write_cifar10(src, images, rng.integers(0, 10, count), name)
    dest = tmp_path / "cifar.mindrecord"
    status, out, err = run(capsys, "convert", src, dest, "--from", "cifar10", "--usage", "train")
    assert status == 0, err
    assert out.startswith("wrote 11 rows in 1 shard(s)")
    reader = Cifar10Reader(src, "train")
    with ShardReader(dest) as mr:
        desc = json.loads(mr.description)
        assert desc["converted_from"] == "cifar10" and desc["image"]["shape"] == [32, 32, 3]
        for i in range(11):
            row = mr.read_row(i)
            np.testing.assert_array_equal(
                np.frombuffer(row["image"], np.uint8).reshape(32, 32, 3), reader[i][0]
            )
            assert row["label"] == int(reader[i][1])
    rows = list(ds.MindDataset(str(dest), shuffle=False).create_tuple_iterator(output_numpy=True))
    for i, (image, label) in enumerate(rows):
        np.testing.assert_array_equal(image.reshape(32, 32, 3), reader[i][0])
        assert int(label) == int(reader[i][1])


def test_convert_imagefolder(tmp_path, capsys):
    src = tmp_path / "images"
    rng = np.random.default_rng(2)
    expected = []
    for label, cls in enumerate(["bird", "cat"]):
        (src / cls).mkdir(parents=True)
        for i in range(3):
            path = src / cls / f"{i}.png"
            Image.fromarray(rng.integers(0, 256, (4 + i, 5, 3), dtype=np.uint8)).save(path)
            expected.append((path.read_bytes(), label, f"{cls}/{i}.png"))
    (src / "cat" / "notes.txt").write_text("not an image")
    dest = tmp_path / "images.mindrecord"
    status, out, err = run(capsys, "convert", src, dest, "--from", "imagefolder", "--shards", "2")
    assert status == 0, err
    assert out.startswith(f"wrote 6 rows in 2 shard(s) to {dest}")
    with ShardReader(dest) as mr:
        assert mr.schema == {
            "image": {"type": "bytes"},
            "label": {"type": "int32"},
            "file_name": {"type": "string"},
        }
        assert mr.index_fields == ["label", "file_name"]
        assert json.loads(mr.description)["class_indexing"] == {"bird": 0, "cat": 1}
        rows = list(mr.iter_rows())
        assert [(r["image"], r["label"], r["file_name"]) for r in rows] == expected
        assert mr.lookup("file_name", "cat/2.png") == [5]
        assert mr.lookup("label", 0) == [0, 1, 2]


def test_convert_csv(tmp_path, capsys):
    src = tmp_path / "table.csv"
    src.write_text('id,score,name\n1,0.5,ann\n-7,2,"b, with comma"\n9000000000,-1.25,日本\n')
    dest = tmp_path / "table.mindrecord"
    status, out, err = run(capsys, "convert", src, dest, "--from", "csv")
    assert status == 0, err
    assert out.startswith("wrote 3 rows in 1 shard(s)")
    with ShardReader(dest) as mr:
        assert mr.schema == {
            "id": {"type": "int64"},
            "score": {"type": "float64"},
            "name": {"type": "string"},
        }
        assert json.loads(mr.description) == {"converted_from": "csv", "file": "table.csv"}
        assert list(mr.iter_rows()) == [
            {"id": 1, "score": 0.5, "name": "ann"},
            {"id": -7, "score": 2.0, "name": "b, with comma"},
            {"id": 9000000000, "score": -1.25, "name": "日本"},
        ]


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("a,flag\n1,true\n2,false\n", ["column 'flag'", "bool"]),
        ("a,b\n1,2\n3,\n", ["column 'b'", "data row 2 (line 3)"]),
        ("1,2.5\n3,4.5\n", ["looks like data", "header row"]),
        ("a,sepal length\n1,2\n", ["'sepal length'", "not a valid MindRecord field name"]),
        ("", ["cannot read", "as CSV"]),
    ],
    ids=["bool", "empty-value", "no-header", "bad-name", "empty-file"],
)
def test_convert_csv_errors(tmp_path, capsys, text, fragments):
    src = tmp_path / "bad.csv"
    src.write_text(text)
    dest = tmp_path / "bad.mindrecord"
    assert_error(capsys, "convert", [src, dest, "--from", "csv"], *fragments)
    assert not any(p.name.startswith("bad.mindrecord") for p in tmp_path.iterdir())


def test_convert_numpy(tmp_path, capsys):
    rng = np.random.default_rng(3)
    arrays = {
        "image": rng.integers(0, 256, (1203, 3, 4), dtype=np.uint8),
        "x": rng.random((1203, 2)).astype(np.float32),
        "y": rng.random(1203),
        "label": np.arange(1203, dtype=np.int64),
        "flag": rng.random(1203) > 0.5,
        "small": rng.integers(-100, 100, 1203).astype(np.int8),
    }
    src = tmp_path / "arrays.npz"
    np.savez(src, **arrays)
    dest = tmp_path / "arrays.mindrecord"
    status, out, err = run(capsys, "convert", src, dest, "--from", "numpy", "--shards", "2")
    assert status == 0, err
    assert out.startswith("wrote 1203 rows in 2 shard(s)")
    with ShardReader(dest) as mr:
        assert mr.schema == {
            "image": {"type": "int32", "shape": [3, 4]},
            "x": {"type": "float32", "shape": [2]},
            "y": {"type": "float64"},
            "label": {"type": "int64"},
            "flag": {"type": "int32"},
            "small": {"type": "int32"},
        }
        assert json.loads(mr.description)["cast"] == {
            "image": "uint8 -> int32",
            "flag": "bool -> int32",
            "small": "int8 -> int32",
        }
        got = mr.read_rows(np.arange(1203))
    for name, want in arrays.items():
        assert got[name].shape == want.shape, name
        np.testing.assert_array_equal(got[name], want.astype(got[name].dtype))
    assert got["x"].dtype == np.float32 and got["y"].dtype == np.float64


def test_convert_numpy_errors(tmp_path, capsys):
    dest = tmp_path / "out.mindrecord"
    bad = tmp_path / "u32.npz"
    np.savez(bad, ok=np.arange(3), big=np.arange(3, dtype=np.uint32))
    assert_error(capsys, "convert", [bad, dest, "--from", "numpy"], "array 'big'", "uint32")
    ragged = tmp_path / "ragged.npz"
    np.savez(ragged, a=np.arange(3), b=np.arange(4))
    assert_error(capsys, "convert", [ragged, dest, "--from", "numpy"], "a: 3, b: 4")
    scalar = tmp_path / "scalar.npz"
    np.savez(scalar, a=np.float32(1.0))
    assert_error(capsys, "convert", [scalar, dest, "--from", "numpy"], "array 'a'", "scalar")
    npy = tmp_path / "one.npy"
    np.save(npy, np.arange(3))
    assert_error(capsys, "convert", [npy, dest, "--from", "numpy"], ".npy file", "numpy.savez")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 this is not a zip file at all")
    assert_error(capsys, "convert", [garbage, dest, "--from", "numpy"], "cannot read", "garbage")


def test_convert_draws_a_progress_bar_on_a_terminal(tmp_path, capsys, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    src = tmp_path / "n.npz"
    np.savez(src, v=np.arange(2500))
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    status = main(["convert", str(src), str(tmp_path / "n.mindrecord"), "--from", "numpy"])
    assert status == 0
    drawn = stderr.getvalue()
    assert "2500/2500 rows (100%)" in drawn and "rows/s" in drawn
    assert drawn.endswith("\r")  # the bar erases itself before the summary
    assert capsys.readouterr().out.startswith("wrote 2500 rows in 1 shard(s)")


def test_convert_overwrite(mnist_dir, tmp_path, capsys):
    dest = tmp_path / "m.mindrecord"
    assert main(["convert", str(mnist_dir), str(dest), "--from", "mnist", "--usage", "test"]) == 0
    err = assert_error(
        capsys,
        "convert",
        [mnist_dir, dest, "--from", "mnist"],
        "already exists",
        "--overwrite",
    )
    assert f"{dest}.meta.json" in err
    status, out, _ = run(capsys, "convert", mnist_dir, dest, "--from", "mnist", "--overwrite")
    assert status == 0 and out.startswith(f"wrote {CHUNK_ROWS + 42} rows")


def test_convert_errors(mnist_dir, tmp_path, capsys):
    dest = tmp_path / "out.mindrecord"
    assert_error(
        capsys, "convert", [tmp_path / "nope", dest, "--from", "mnist"], "SOURCE", "does not exist"
    )
    assert_error(capsys, "convert", [mnist_dir, tmp_path, "--from", "mnist"], "is a directory")
    assert_error(
        capsys,
        "convert",
        [mnist_dir, tmp_path / "missing" / "x.mindrecord", "--from", "mnist"],
        "does not exist",
    )
    csv = tmp_path / "t.csv"
    csv.write_text("a\n1\n")
    assert_error(
        capsys, "convert", [csv, dest, "--from", "csv", "--usage", "train"], "--usage applies"
    )
    assert_error(capsys, "convert", [csv, dest, "--from", "mnist"], "needs a directory")
    assert_error(capsys, "convert", [mnist_dir, dest, "--from", "csv"], "needs a file")
    # A reader's own error (no CIFAR files here) is passed on in one line.
    assert_error(capsys, "convert", [mnist_dir, dest, "--from", "cifar10"], "Cifar10Reader")
    assert not any(p.name.startswith("out.mindrecord") for p in tmp_path.iterdir())


def test_argument_errors_and_help(capsys):
    assert main(["convert", "a", "b"]) == 2  # --from is required
    assert "--from" in capsys.readouterr().err
    assert main(["convert", "a", "b", "--from", "parquet"]) == 2
    assert main(["convert", "a", "b", "--from", "csv", "--shards", "0"]) == 2
    assert "--shards must be in [1, 1000]" in capsys.readouterr().err
    assert main([]) == 2
    capsys.readouterr()
    assert main(["convert", "--help"]) == 0
    help_text = capsys.readouterr().out
    assert "raw pixels of one uint8 array in HWC order" in help_text
    assert "[28, 28, 1]" in help_text and "[32, 32, 3]" in help_text


# ------------------------------------------------------------------------------------------------
# info and verify
# ------------------------------------------------------------------------------------------------


def test_info_text(small_dataset, capsys):
    status, out, _ = run(capsys, "info", small_dataset)
    assert status == 0
    assert f"MindRecord dataset {small_dataset}" in out
    assert "rows: 12 in 2 shard(s)" in out
    assert "x  float32 shape [2]" in out and "y  int64" in out
    assert '"converted_from": "numpy"' in out
    assert "index fields: -" in out
    first, second = (os.path.basename(p) for p in shard_files(small_dataset))
    assert first.startswith("small.mindrecord.") and first.endswith(".0.arrow")
    assert f"  {first}  " in out and f"  {second}  " in out
    assert "up to 1000 rows" in out


def test_info_json(small_dataset, capsys):
    shards = shard_files(small_dataset)
    status, out, _ = run(capsys, "info", shards[1], "--json")  # any shard's name works
    assert status == 0
    info = json.loads(out)
    assert info["dataset"] == str(small_dataset)
    assert info["num_rows"] == 12
    assert info["schema"] == {"x": {"type": "float32", "shape": [2]}, "y": {"type": "int64"}}
    assert info["index_fields"] == [] and info["page_rows"] == 1000
    assert [(s["file"], s["rows"], s["row_start"], s["pages"]) for s in info["shards"]] == [
        (os.path.basename(shards[0]), 6, 0, [6]),
        (os.path.basename(shards[1]), 6, 6, [6]),
    ]
    # The header's own path names the dataset too.
    status, out, _ = run(capsys, "info", f"{small_dataset}.meta.json", "--json")
    assert status == 0 and json.loads(out)["dataset"] == str(small_dataset)
    for shard in info["shards"]:
        data = open(shard["path"], "rb").read()
        assert shard["bytes"] == len(data) and shard["xxh3_128"] == xxhash.xxh3_128_hexdigest(data)


def test_info_of_a_missing_dataset(tmp_path, capsys):
    assert_error(capsys, "info", [tmp_path / "none.mindrecord"], "No MindRecord dataset")


def test_verify_ok_and_corrupted(small_dataset, capsys):
    status, out, _ = run(capsys, "verify", small_dataset)
    assert status == 0
    assert out == "OK: 12 rows, 2 shard(s), checksums match\n"
    shard = shard_files(small_dataset)[1]
    data = bytearray(open(shard, "rb").read())
    data[len(data) // 2] ^= 0xFF  # same size, one byte flipped
    with open(shard, "wb") as f:
        f.write(data)
    status, out, err = run(capsys, "verify", small_dataset)
    assert status == 1
    assert out.startswith(f"problem: shard {shard} has XXH3-128")
    assert "was altered" in out
    assert "1 problem(s)" in err


def test_verify_notes_stray_shards_without_failing(small_dataset, capsys):
    # A shard of a write killed before its header was replaced: named as this dataset's shards
    # are, listed by no header.
    stray = f"{small_dataset}.0123456789ab.0.arrow"
    with open(stray, "wb") as f:
        f.write(b"left by an interrupted write")
    status, out, _ = run(capsys, "verify", small_dataset)
    assert status == 0
    assert out.startswith(f"note: stray file {stray}: ")
    assert out.endswith("OK: 12 rows, 2 shard(s), checksums match\n")


def test_verify_missing_dataset(tmp_path, capsys):
    status, out, _ = run(capsys, "verify", tmp_path / "none.mindrecord")
    assert status == 1 and "No MindRecord dataset" in out


# ------------------------------------------------------------------------------------------------
# doctor
# ------------------------------------------------------------------------------------------------

PIPELINE = """\
import numpy as np
import mind.data as ds


def make():
    data = ds.NumpySlicesDataset(
        {"x": np.arange(64, dtype=np.float32), "y": np.arange(64)}, shuffle=False
    )
    return data.map(lambda x: x * 2, "x").batch(8)


dataset = make()
not_a_dataset = 42


def broken():
    return {}["missing"]
"""


def test_doctor_on_a_module_file(tmp_path, capsys):
    path = tmp_path / "pipeline.py"
    path.write_text(PIPELINE)
    for attr in ("make", "dataset"):
        status, out, err = run(capsys, "doctor", f"{path}:{attr}", "--rows", "5")
        assert status == 0, err
        assert out.startswith(f"pipeline {path}:{attr}:\n")
        assert "5 rows in" in out and "rows/s" in out
        assert "the pipeline waits on:" in out
        assert "Batch" in out and "Map" in out


def test_doctor_on_a_dotted_module(tmp_path, capsys, monkeypatch):
    (tmp_path / "my_pipeline_for_cli.py").write_text(PIPELINE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "my_pipeline_for_cli", raising=False)
    status, out, err = run(capsys, "doctor", "my_pipeline_for_cli:make")
    assert status == 0, err
    assert "8 rows in" in out  # 64 rows batched by 8: fewer than the default 200
    assert str(tmp_path) not in sys.path
    sys.modules.pop("my_pipeline_for_cli", None)


def test_doctor_errors(tmp_path, capsys):
    path = tmp_path / "pipeline.py"
    path.write_text(PIPELINE)
    assert_error(capsys, "doctor", [str(path)], "expected MODULE:ATTR")
    assert_error(capsys, "doctor", [f"{tmp_path / 'nope.py'}:make"], "does not exist")
    assert_error(capsys, "doctor", [f"{path}:nothing"], "no attribute 'nothing'")
    assert_error(capsys, "doctor", [f"{path}:not_a_dataset"], "is a int, not a mind.data Dataset")
    assert_error(capsys, "doctor", [f"{path}:broken"], "KeyError", f"{path}:")
    assert_error(capsys, "doctor", ["no_such_module_xyz:make"], "no module named")
    syntax = tmp_path / "bad.py"
    syntax.write_text("def f(:\n")
    assert_error(capsys, "doctor", [f"{syntax}:f"], "importing", "SyntaxError")


# ------------------------------------------------------------------------------------------------
# python -m mind.data
# ------------------------------------------------------------------------------------------------


def test_python_dash_m(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("a,b\n1,x\n2,y\n")
    dest = tmp_path / "t.mindrecord"

    def cli(*argv):
        return subprocess.run(
            [sys.executable, "-m", "mind.data", *map(str, argv)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = cli("convert", src, dest, "--from", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote 2 rows in 1 shard(s) to {dest}")
    assert done.stderr == ""
    done = cli("convert", src, dest, "--from", "csv")
    assert done.returncode == 2
    assert done.stderr.startswith("mind-data convert: DEST") and "Traceback" not in done.stderr
    done = cli("verify", dest)
    assert done.returncode == 0 and done.stdout == "OK: 2 rows, 1 shard(s), checksums match\n"
