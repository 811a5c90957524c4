"""MindRecord on Arrow: round trips, shards, atomic commits, validation, corruption, plain pyarrow."""

import gc
import hashlib
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pytest

from mind.core.errors import MindTypeError, MindValueError
from mind.data.errors import MindDataError, MindRecordFormatError
from mind.data.mindrecord import FileWriter, ShardReader, verify

SCHEMA = {
    "i32": {"type": "int32"},
    "i64": {"type": "int64"},
    "f32": {"type": "float32"},
    "f64": {"type": "float64"},
    "text": {"type": "string"},
    "blob": {"type": "bytes"},
    "fixed": {"type": "float32", "shape": [2, 3]},
    "vec": {"type": "int64", "shape": [-1]},
    "boxes": {"type": "float64", "shape": [-1, 4]},
    "cols": {"type": "int32", "shape": [3, -1]},
}
DTYPES = {"fixed": np.float32, "vec": np.int64, "boxes": np.float64, "cols": np.int32}


def make_row(i):
    return {
        "i32": [-(2**31), 2**31 - 1, 0, i][i % 4],
        "i64": [-(2**63), 2**63 - 1, i * 1_000_003][i % 3],
        "f32": i / 3,
        "f64": [i / 7, float("inf"), -0.0][i % 3],
        "text": ["", "héllo wörld ✓", f"row {i}", "日本語"][i % 4],
        "blob": bytes(range(i % 7)) + b"\x00\xff",
        "fixed": np.arange(6, dtype=np.float32).reshape(2, 3) * i,
        "vec": np.arange(i % 5, dtype=np.int64) - i,
        "boxes": np.full((i % 3, 4), i + 0.25),
        "cols": np.arange(3 * (i % 4), dtype=np.int32).reshape(3, -1),
    }


def write(path, rows, schema=SCHEMA, shard_num=1, index=None, desc=None, overwrite=False):
    writer = FileWriter(str(path), shard_num=shard_num, overwrite=overwrite)
    assert writer.add_schema(schema, desc) == 0
    if index:
        writer.add_index(index)
    writer.write_raw_data(rows)
    writer.commit()
    return str(path)


def assert_row_equal(got, want):
    assert list(got) == list(want)
    for name, value in want.items():
        if isinstance(value, np.ndarray):
            assert isinstance(got[name], np.ndarray), name
            assert got[name].dtype == value.dtype, name
            assert got[name].shape == value.shape, name
            np.testing.assert_array_equal(got[name], value)
        elif isinstance(value, float):
            assert type(got[name]) is float, name
            assert got[name] == value or (np.isnan(got[name]) and np.isnan(value)), name
        else:
            assert type(got[name]) is type(value), name
            assert got[name] == value, name


def expected(row):
    """What the reader returns for a written row: float32 rounding, exact everything else."""
    out = dict(row)
    out["f32"] = float(np.float32(row["f32"]))
    return out


def dataset_files(directory):
    return sorted(p.name for p in directory.iterdir())


def header_of(name):
    with open(f"{name}.meta.json", encoding="utf-8") as f:
        return json.load(f)


def shards_of(name):
    """The shard paths the header of dataset ``name`` lists, in order."""
    directory = os.path.dirname(str(name))
    return [os.path.join(directory, s["file"]) for s in header_of(name)["shards"]]


# ------------------------------------------------------------------------------------------------
# Round trips
# ------------------------------------------------------------------------------------------------


def test_round_trip_of_every_field_type(tmp_path):
    rows = [make_row(i) for i in range(13)]
    path = write(tmp_path / "all.mindrecord", rows, desc="every type")
    with ShardReader(path) as reader:
        assert reader.num_rows == len(reader) == 13
        assert reader.schema == SCHEMA
        assert reader.description == "every type"
        assert reader.column_names == list(SCHEMA)
        for i, row in enumerate(rows):
            assert_row_equal(reader.read_row(i), expected(row))
        batch = reader.read_rows(range(13))
    assert batch["i32"].dtype == np.int32 and batch["i64"].dtype == np.int64
    assert batch["f32"].dtype == np.float32 and batch["f64"].dtype == np.float64
    assert batch["text"] == [r["text"] for r in rows]
    assert batch["blob"] == [r["blob"] for r in rows]
    assert batch["fixed"].shape == (13, 2, 3) and batch["fixed"].dtype == np.float32
    np.testing.assert_array_equal(batch["fixed"], np.stack([r["fixed"] for r in rows]))
    for name in ("vec", "boxes", "cols"):
        for got, row in zip(batch[name], rows):
            assert got.dtype == DTYPES[name] and got.shape == row[name].shape
            np.testing.assert_array_equal(got, row[name])


def test_arrays_returned_are_writable_copies(tmp_path):
    path = write(tmp_path / "c.mindrecord", [make_row(1)])
    with ShardReader(path) as reader:
        first = reader.read_row(0)
        first["fixed"][:] = -1
        first["vec"][...] = 7
        np.testing.assert_array_equal(reader.read_row(0)["fixed"], make_row(1)["fixed"])


def test_lists_and_other_dtypes_are_accepted_and_cast(tmp_path):
    schema = {
        "x": {"type": "float32", "shape": [2]},
        "n": {"type": "int32"},
        "f": {"type": "float64"},
    }
    rows = [
        {"x": [1, 2], "n": np.int64(5), "f": 3},
        {"x": np.array([0.5, 1.5]), "n": np.array(6, dtype=np.int8), "f": np.float32(0.5)},
    ]
    path = write(tmp_path / "cast.mindrecord", rows, schema)
    with ShardReader(path) as reader:
        got = [reader.read_row(i) for i in range(2)]
    assert got[0]["x"].dtype == np.float32 and got[0]["x"].tolist() == [1.0, 2.0]
    assert got[1]["x"].tolist() == [0.5, 1.5]
    assert [g["n"] for g in got] == [5, 6] and [g["f"] for g in got] == [3.0, 0.5]


def test_an_empty_dataset_commits_and_reads(tmp_path):
    writer = FileWriter(str(tmp_path / "empty.mindrecord"), shard_num=2)
    writer.add_schema(SCHEMA)
    writer.commit()
    with ShardReader(str(tmp_path / "empty.mindrecord")) as reader:
        assert reader.num_rows == 0
        assert list(reader.iter_rows()) == []
        batch = reader.read_rows([])
        assert batch["fixed"].shape == (0, 2, 3) and batch["i32"].dtype == np.int32
        assert batch["vec"] == [] and batch["text"] == []
        assert [(s["start"], s["stop"]) for s in reader.shards] == [(0, 0), (0, 0)]
    assert verify(str(tmp_path / "empty.mindrecord")) == []


# ------------------------------------------------------------------------------------------------
# Shards, pages, row-wise and columnar writes
# ------------------------------------------------------------------------------------------------


def test_three_shards_hold_contiguous_blocks_in_write_order(tmp_path):
    rows = [make_row(i) for i in range(10)]
    path = write(tmp_path / "s.mindrecord", rows, shard_num=3)
    header = header_of(path)
    tag = header["dataset_id"][:12]
    assert re.fullmatch("[0-9a-f]{12}", tag) and header["version"] == 4
    # The shards are named for this write: name.<first 12 hex digits of the dataset id>.<k>.arrow
    assert dataset_files(tmp_path) == [
        f"s.mindrecord.{tag}.0.arrow",
        f"s.mindrecord.{tag}.1.arrow",
        f"s.mindrecord.{tag}.2.arrow",
        "s.mindrecord.meta.json",
    ]
    assert [s["rows"] for s in header["shards"]] == [4, 3, 3]
    assert header["num_rows"] == 10 and header["distribution"] == "contiguous"
    with ShardReader(path) as reader:
        assert [(s["start"], s["stop"]) for s in reader.shards] == [(0, 4), (4, 7), (7, 10)]
        assert [s["file"] for s in reader.shards] == [
            str(tmp_path / f"s.mindrecord.{tag}.{k}.arrow") for k in range(3)
        ]
        assert [r["i64"] for r in reader.iter_rows()] == [r["i64"] for r in rows]
    # Any shard's name opens the whole dataset, as MindSpore's readers allow, and so does the
    # header's path; a file named like a shard but not listed does not.
    for other in (shards_of(path)[1], path + ".meta.json"):
        with ShardReader(other) as reader:
            assert reader.num_rows == 10
    with pytest.raises(MindRecordFormatError, match="No MindRecord dataset"):
        ShardReader(f"{path}.0123456789ab.1.arrow")


def test_shard_indices_are_zero_padded_to_one_width(tmp_path):
    path = write(tmp_path / "w.mindrecord", [make_row(i) for i in range(11)], shard_num=11)
    tag = header_of(path)["dataset_id"][:12]
    names = [os.path.basename(p) for p in shards_of(path)]
    assert names == [f"w.mindrecord.{tag}.{k:02d}.arrow" for k in range(11)] == sorted(names)


def test_one_shard_is_one_file_named_for_its_write(tmp_path):
    path = write(tmp_path / "one.mindrecord", [make_row(0)])
    tag = header_of(path)["dataset_id"][:12]
    assert dataset_files(tmp_path) == [f"one.mindrecord.{tag}.0.arrow", "one.mindrecord.meta.json"]


def test_row_wise_and_columnar_writes_give_the_same_dataset(tmp_path):
    n = 2345  # more than two pages
    rows = [make_row(i) for i in range(n)]
    by_rows = FileWriter(str(tmp_path / "rows.mindrecord"), shard_num=3)
    by_rows.add_schema(SCHEMA)
    for start in range(0, n, 700):
        by_rows.write_raw_data(rows[start : start + 700])
    by_rows.commit()

    by_cols = FileWriter(str(tmp_path / "cols.mindrecord"), shard_num=3)
    by_cols.add_schema(SCHEMA)
    for start in range(0, n, 1000):
        part = rows[start : start + 1000]
        batch = {name: [r[name] for r in part] for name in SCHEMA}
        # numpy columns take the vectorised path; the rest are checked value by value.
        batch["i32"] = np.array(batch["i32"], dtype=np.int64)
        batch["f32"] = np.array(batch["f32"])
        batch["fixed"] = np.stack(batch["fixed"])
        by_cols.write_raw_data(batch)
    by_cols.commit()

    with ShardReader(str(tmp_path / "rows.mindrecord")) as a:
        with ShardReader(str(tmp_path / "cols.mindrecord")) as b:
            assert a.num_rows == b.num_rows == n
            assert [s["rows"] for s in a.shards] == [s["rows"] for s in b.shards] == [782, 782, 781]
            for got_a, got_b, row in zip(a.iter_rows(), b.iter_rows(), rows):
                assert_row_equal(got_a, expected(row))
                assert_row_equal(got_b, expected(row))
    for shard_a, shard_b in zip(
        shards_of(tmp_path / "rows.mindrecord"), shards_of(tmp_path / "cols.mindrecord")
    ):
        ta = pa.ipc.open_file(shard_a).read_all()
        tb = pa.ipc.open_file(shard_b).read_all()
        assert ta.equals(tb)  # same columns and values; only the dataset ids differ
        assert all(b.num_rows <= 1000 for b in ta.to_batches())


def test_pages_are_bounded_by_bytes_as_well_as_rows(tmp_path, monkeypatch):
    from mind.data._src.mindrecord import writer as writer_module

    monkeypatch.setattr(writer_module, "PAGE_BYTES", 50_000)
    rows = [{"blob": bytes([i]) * 4000} for i in range(60)]  # about 12 rows per page
    name = write(tmp_path / "p.mindrecord", rows[:30], {"blob": {"type": "bytes"}}, shard_num=2)
    pages = [
        b.num_rows
        for shard in shards_of(name)
        for b in pa.ipc.open_file(shard).read_all().to_batches()
    ]
    assert sum(pages) == 30 and max(pages) <= 13 and len(pages) >= 3
    with ShardReader(name) as reader:
        assert reader.read_rows([29, 0])["blob"] == [rows[29]["blob"], rows[0]["blob"]]


def test_columnar_ndarray_column_for_a_variable_shape(tmp_path):
    schema = {"v": {"type": "float32", "shape": [-1, 2]}}
    path = write(tmp_path / "v.mindrecord", {"v": np.ones((4, 3, 2), np.float64)}, schema)
    with ShardReader(path) as reader:
        assert [a.shape for a in reader.read_rows([0, 3])["v"]] == [(3, 2), (3, 2)]
        assert reader.read_row(2)["v"].dtype == np.float32


# ------------------------------------------------------------------------------------------------
# Reading: projection, random access, iteration, lookups
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def big(tmp_path):
    rows = [make_row(i) for i in range(2600)]
    return write(tmp_path / "big.mindrecord", rows, shard_num=3, index=["text", "i64"]), rows


def test_projection_returns_the_chosen_columns_in_order(big):
    path, rows = big
    with ShardReader(path, columns=["vec", "i32"]) as reader:
        assert reader.column_names == ["vec", "i32"]
        row = reader.read_row(17)
        assert list(row) == ["vec", "i32"]
        assert row["i32"] == rows[17]["i32"]
        np.testing.assert_array_equal(row["vec"], rows[17]["vec"])
        assert list(reader.read_rows([1, 2])) == ["vec", "i32"]
        assert list(next(reader.iter_rows())) == ["vec", "i32"]
        # lookups work on any index field, projected or not
        assert reader.lookup("text", "row 6") == [6]
    with pytest.raises(MindValueError, match="'nope' is not a field"):
        ShardReader(path, columns=["nope"])
    with pytest.raises(MindValueError, match="repeats"):
        ShardReader(path, columns=["i32", "i32"])


def test_random_access_across_shards_and_pages(big):
    path, rows = big
    with ShardReader(path) as reader:
        for i in (0, 866, 867, 999, 1000, 1733, 1734, 2599):
            assert_row_equal(reader.read_row(i), expected(rows[i]))
        assert_row_equal(reader.read_row(-1), expected(rows[-1]))
        picks = [2599, 0, 1000, 5, 5, 1733, 867, -2]
        batch = reader.read_rows(picks)
        assert batch["i64"].tolist() == [rows[i]["i64"] for i in picks]
        assert batch["text"] == [rows[i]["text"] for i in picks]
        for got, i in zip(batch["boxes"], picks):
            np.testing.assert_array_equal(got, rows[i]["boxes"])
        np.testing.assert_array_equal(batch["fixed"], np.stack([rows[i]["fixed"] for i in picks]))
        with pytest.raises(MindValueError, match="row 2600 is out of range"):
            reader.read_row(2600)
        with pytest.raises(MindValueError, match="out of range"):
            reader.read_rows([0, -2601])
        with pytest.raises(MindTypeError):
            reader.read_row("3")


def test_iter_rows_with_a_range_crossing_pages_and_shards(big):
    path, rows = big
    with ShardReader(path) as reader:
        got = [r["i64"] for r in reader.iter_rows(850, 1010)]
        assert got == [r["i64"] for r in rows[850:1010]]
        assert list(reader.iter_rows(5, 5)) == []
        with pytest.raises(MindValueError):
            reader.iter_rows(10, 5)
        with pytest.raises(MindValueError):
            reader.iter_rows(0, 2601)


def test_lookup_by_string_and_int_index_fields(big):
    path, rows = big
    with ShardReader(path) as reader:
        assert reader.index_fields == ["text", "i64"]
        want = [i for i, r in enumerate(rows) if r["text"] == "日本語"]
        assert reader.lookup("text", "日本語") == want
        assert len(want) == 650
        assert reader.lookup("i64", 2**63 - 1) == [i for i, r in enumerate(rows) if i % 3 == 1]
        assert reader.lookup("i64", 7 * 1_000_003) == []  # row 7 has i % 3 == 1
        assert reader.lookup("i64", 8 * 1_000_003) == [8]
        assert reader.lookup("i64", np.int64(-(2**63)))[:3] == [0, 3, 6]
        assert reader.lookup("text", "absent") == []
        with pytest.raises(MindValueError, match="'i32' is not an index field"):
            reader.lookup("i32", 0)
        with pytest.raises(MindValueError, match="field 'i64'"):
            reader.lookup("i64", "nine")


def test_a_closed_reader_refuses_to_read(big):
    path, _ = big
    reader = ShardReader(path)
    reader.close()
    reader.close()
    with pytest.raises(MindValueError, match="closed"):
        reader.read_row(0)


def test_plain_pyarrow_reads_the_same_values(big):
    path, rows = big
    header = json.loads(open(path + ".meta.json").read())
    directory = os.path.dirname(path)
    tables = [
        pa.ipc.open_file(pa.memory_map(os.path.join(directory, s["file"]))).read_all()
        for s in header["shards"]
    ]
    table = pa.concat_tables(tables)
    assert table.num_rows == header["num_rows"] == len(rows)
    assert table.column("i32").to_pylist() == [r["i32"] for r in rows]
    assert table.column("text").to_pylist() == [r["text"] for r in rows]
    assert table.column("blob").to_pylist() == [r["blob"] for r in rows]
    for name, spec in header["schema"].items():
        field = table.schema.field(name)
        assert field.metadata[b"mindrecord.type"].decode() == spec["type"]
        if "shape" in spec:
            shape = json.loads(field.metadata[b"mindrecord.shape"])
            assert shape == spec["shape"]
            values = table.column(name).to_pylist()
            for got, row in zip(values, rows):
                arr = np.reshape(np.asarray(got, dtype=DTYPES[name]), shape)
                np.testing.assert_array_equal(arr, row[name])
                assert arr.shape == row[name].shape


# ------------------------------------------------------------------------------------------------
# Atomic writes
# ------------------------------------------------------------------------------------------------


def test_nothing_is_visible_before_commit_and_an_exception_leaves_nothing(tmp_path):
    name = str(tmp_path / "a.mindrecord")
    writer = FileWriter(name, shard_num=2)
    writer.add_schema(SCHEMA)
    writer.write_raw_data([make_row(i) for i in range(1500)])
    assert not any(p.name.startswith("a.mindrecord") for p in tmp_path.iterdir())
    del writer
    gc.collect()
    assert dataset_files(tmp_path) == []  # the temporary files went with the writer

    with pytest.raises(RuntimeError, match="boom"):
        with FileWriter(name, shard_num=2) as writer:
            writer.add_schema(SCHEMA)
            writer.write_raw_data([make_row(i) for i in range(10)])
            raise RuntimeError("boom")
    assert dataset_files(tmp_path) == []
    with pytest.raises(MindRecordFormatError, match="No MindRecord dataset"):
        ShardReader(name)

    with FileWriter(name, shard_num=2) as writer:  # a clean exit commits
        writer.add_schema(SCHEMA)
        writer.write_raw_data([make_row(i) for i in range(10)])
    assert verify(name) == []


def test_an_existing_dataset_survives_a_failed_overwrite(tmp_path, monkeypatch):
    name = str(tmp_path / "keep.mindrecord")
    old_rows = [make_row(i) for i in range(30)]
    write(name, old_rows, shard_num=3)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    writer = FileWriter(name, shard_num=3, overwrite=True)
    writer.add_schema(SCHEMA)
    writer.write_raw_data([make_row(i + 100) for i in range(33)])
    real_replace = os.replace

    def failing_replace(src, dst, *args, **kwargs):
        if os.fspath(dst) == writer._shard_paths[1]:  # the second shard
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(MindDataError, match="untouched") as info:
        writer.commit()
    assert isinstance(info.value.__cause__, OSError)
    monkeypatch.undo()

    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files left
    assert verify(name) == []
    with ShardReader(name) as reader:
        assert [r["i64"] for r in reader.iter_rows()] == [r["i64"] for r in old_rows]
    with pytest.raises(MindValueError, match="failed"):
        writer.write_raw_data([make_row(0)])


def test_an_exception_during_an_overwrite_leaves_the_old_dataset(tmp_path):
    name = str(tmp_path / "keep.mindrecord")
    write(name, [make_row(i) for i in range(5)])
    with pytest.raises(KeyError):
        with FileWriter(name, overwrite=True) as writer:
            writer.add_schema(SCHEMA)
            writer.write_raw_data([make_row(i) for i in range(2000)])
            raise KeyError("interrupted")
    with ShardReader(name) as reader:
        assert reader.num_rows == 5
    assert dataset_files(tmp_path) == sorted(
        [os.path.basename(shards_of(name)[0]), "keep.mindrecord.meta.json"]
    )


def test_overwrite_false_refuses_existing_files_and_overwrite_true_replaces(tmp_path):
    name = str(tmp_path / "o.mindrecord")
    write(name, [make_row(i) for i in range(9)], shard_num=3)
    old_shards = shards_of(name)
    with pytest.raises(MindRecordFormatError, match="already exists"):
        FileWriter(name, shard_num=3)
    with pytest.raises(MindRecordFormatError, match="already exists"):
        FileWriter(name)  # the header is there, whatever the shard count
    write(name, [make_row(50)], overwrite=True)
    # the old dataset's three shards went once the new header was in place
    assert not any(os.path.exists(p) for p in old_shards)
    assert dataset_files(tmp_path) == sorted(
        [os.path.basename(shards_of(name)[0]), "o.mindrecord.meta.json"]
    )
    with ShardReader(name) as reader:
        assert reader.num_rows == 1 and reader.read_row(0)["i64"] == make_row(50)["i64"]

    racer = FileWriter(str(tmp_path / "r.mindrecord"))
    racer.add_schema(SCHEMA)
    write(tmp_path / "r.mindrecord", [make_row(1)])  # appears after the check in __init__
    with pytest.raises(MindRecordFormatError, match="already exists"):
        racer.commit()
    with ShardReader(str(tmp_path / "r.mindrecord")) as reader:
        assert reader.num_rows == 1
    assert len(dataset_files(tmp_path)) == 4  # and the racer left nothing behind


def test_open_for_append_keeps_rows_schema_and_index(tmp_path):
    name = str(tmp_path / "ap.mindrecord")
    write(name, [make_row(i) for i in range(1200)], shard_num=2, index=["text"], desc="d")
    old_shards = shards_of(name)
    writer = FileWriter.open_for_append(old_shards[0])
    writer.write_raw_data([make_row(i) for i in range(1200, 1210)])
    writer.commit()
    assert not set(old_shards) & set(shards_of(name)) and len(shards_of(name)) == 2
    assert len(dataset_files(tmp_path)) == 3
    with ShardReader(name) as reader:
        assert reader.num_rows == 1210 and reader.description == "d"
        assert reader.index_fields == ["text"]
        for i in (0, 999, 1209):
            assert_row_equal(reader.read_row(i), expected(make_row(i)))
        assert reader.lookup("text", "row 1206") == [1206]
    assert verify(name) == []


def test_stray_shards_are_reported_by_verify_and_removed_by_the_next_commit(tmp_path):
    name = write(tmp_path / "s.mindrecord", [make_row(i) for i in range(4)], shard_num=2)
    # A shard of another write of this name, as a write killed before its header swap leaves.
    (tmp_path / "elsewhere").mkdir()
    other = write(tmp_path / "elsewhere" / "s.mindrecord", [make_row(5)], shard_num=2)
    stray = os.path.join(tmp_path, os.path.basename(shards_of(other)[1]))
    os.replace(shards_of(other)[1], stray)
    unrelated = [
        tmp_path / "s.mindrecord.notes",
        tmp_path / "t.mindrecord.0123456789ab.0.arrow",
        tmp_path / "s.mindrecord.0123456789ab.1.arrow",  # named as a shard, but not Arrow
    ]
    for path in unrelated:
        path.write_bytes(b"someone else's")
    problems = verify(name)
    assert len(problems) == 2 and any(p.startswith(f"stray file {stray}: ") for p in problems)
    with ShardReader(name) as reader:  # readers open only what the header lists
        assert reader.num_rows == 4
    write(name, [make_row(9)], overwrite=True)
    assert not os.path.exists(stray) and all(p.exists() for p in unrelated)
    # The file named as a shard but not made as one is left alone, and verify says so.
    (note,) = verify(name)
    assert note.startswith(f"stray file {unrelated[2]}: ") and "commits leave it" in note


def test_a_reader_opening_during_a_commit_reads_the_new_dataset(tmp_path, monkeypatch):
    from mind.data._src.mindrecord import reader as reader_module

    name = write(tmp_path / "r.mindrecord", [make_row(i) for i in range(5)], shard_num=2)
    real_read_header = reader_module.read_header

    def read_then_replace(path):
        header = real_read_header(path)
        monkeypatch.setattr(reader_module, "read_header", real_read_header)
        # A commit replaces the dataset (and removes its shards) after this reader read the
        # old header and before it opens the old shards.
        write(name, [make_row(i) for i in range(7)], shard_num=3, overwrite=True)
        return header

    monkeypatch.setattr(reader_module, "read_header", read_then_replace)
    with ShardReader(name) as reader:
        assert reader.num_rows == 7 and len(reader.shards) == 3


def test_a_version_1_dataset_is_read_and_rewritten_as_version_2(tmp_path):
    rows = [make_row(i) for i in range(20)]
    name = write(tmp_path / "v1.mindrecord", rows, shard_num=2, index=["text"])
    # Turn it into what format version 1 wrote: shards name0, name1 and version "1" inside.
    doc = header_of(name)
    for k, (entry, path) in enumerate(zip(doc["shards"], shards_of(name))):
        table = pa.ipc.open_file(path).read_all()
        table = table.replace_schema_metadata(
            {**table.schema.metadata, b"mindrecord.version": b"1"}
        )
        old = f"{name}{k}"
        with pa.OSFile(old, "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            for batch in table.to_batches():
                out.write_batch(batch)
        os.remove(path)
        data = open(old, "rb").read()
        entry.update(file=os.path.basename(old), bytes=len(data))
        entry["sha256"] = hashlib.sha256(data).hexdigest()  # versions 1-3 record SHA-256s
        del entry["xxh3_128"]
    doc["version"] = 1
    del doc["header_sha256"]  # version 1 headers had no digest and no page table
    for entry in doc["shards"]:
        del entry["pages"]
    with open(name + ".meta.json", "w") as f:
        json.dump(doc, f)
    assert dataset_files(tmp_path) == [
        "v1.mindrecord.meta.json",
        "v1.mindrecord0",
        "v1.mindrecord1",
    ]
    assert verify(name) == []
    with ShardReader(name + "1") as reader:  # a version 1 shard's name finds the dataset
        assert reader.num_rows == 20 and reader.lookup("text", "row 6") == [6]

    writer = FileWriter.open_for_append(name)
    writer.write_raw_data([make_row(20)])
    writer.commit()
    assert header_of(name)["version"] == 4
    # The version 1 shards went once the new header was in place.
    assert dataset_files(tmp_path) == sorted(
        [*(os.path.basename(p) for p in shards_of(name)), "v1.mindrecord.meta.json"]
    )
    with ShardReader(name) as reader:
        assert reader.num_rows == 21
        assert_row_equal(reader.read_row(20), expected(make_row(20)))


# A commit interrupted anywhere leaves either the whole old dataset or the whole new one.

OLD_ROWS = [make_row(i) for i in range(30)]
NEW_ROWS = [make_row(i + 100) for i in range(33)]
SHARD_FILE = re.compile(r"keep\.mindrecord\.[0-9a-f]{12}\.[0-9]+\.arrow")


def visible(directory):
    """The files a listing shows, hidden temporary files aside."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))


def old_or_new(name, directory, old, new):
    """Which complete dataset ``name`` is now, after checking that it is one of the two."""
    with ShardReader(name) as reader:
        got = [r["i64"] for r in reader.iter_rows()]
    assert got in ([r["i64"] for r in old], [r["i64"] for r in new]), got
    problems = verify(name)
    assert all(p.startswith("stray file") for p in problems), problems
    # Readers see the header and what it lists; anything else visible is a stray shard of this
    # name (reported above), and every temporary file is hidden.
    listed = {os.path.basename(p) for p in shards_of(name)}
    for entry in visible(directory):
        assert (
            entry == "keep.mindrecord.meta.json" or entry in listed or SHARD_FILE.fullmatch(entry)
        )
    assert all(p.name.endswith(".tmp") for p in directory.iterdir() if p.name.startswith("."))
    return "old" if len(got) == len(old) else "new"


@pytest.mark.parametrize("error", [OSError, KeyboardInterrupt])
def test_a_commit_failing_at_each_step_leaves_the_old_or_the_new_dataset(
    tmp_path, monkeypatch, error
):
    """Every os.replace, fsync, unlink, shard sealing and header write of commit() fails in turn."""
    from mind.data._src.mindrecord import files

    name = str(tmp_path / "keep.mindrecord")
    targets = [
        (os, "replace"),
        (os, "fsync"),
        (os, "unlink"),
        (files, "seal"),
        (files, "write_temp"),
    ]
    outcomes = []
    for step in range(1, 100):
        write(name, OLD_ROWS, shard_num=3, overwrite=True)
        # That commit also removed whatever the previous round left behind.
        assert visible(tmp_path) == sorted(
            [*(os.path.basename(p) for p in shards_of(name)), "keep.mindrecord.meta.json"]
        )
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        writer = FileWriter(name, shard_num=3, overwrite=True)
        writer.add_schema(SCHEMA)
        writer.write_raw_data(NEW_ROWS)
        calls = []

        def failing(what, real, calls=calls, step=step):
            def call(*args, **kwargs):
                calls.append(what)
                if len(calls) == step:
                    raise OSError(5, f"injected into {what}") if error is OSError else error()
                return real(*args, **kwargs)

            return call

        raised = None
        with monkeypatch.context() as patch:
            for module, attr in targets:
                patch.setattr(module, attr, failing(attr, getattr(module, attr)))
            try:
                writer.commit()
            except (OSError, MindDataError, KeyboardInterrupt) as exc:
                raised = exc
        if len(calls) < step:  # nothing was injected: the commit ran to its end
            assert raised is None and old_or_new(name, tmp_path, OLD_ROWS, NEW_ROWS) == "new"
            assert verify(name) == []
            break
        state = old_or_new(name, tmp_path, OLD_ROWS, NEW_ROWS)
        outcomes.append((calls[step - 1], state))
        if state == "old":
            # The failure reached the caller, and the commit took back everything it wrote.
            assert raised is not None and writer._state == "failed"
            assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
        else:
            assert writer._state == "committed"
    else:
        pytest.fail("commit() never ran to its end")
    states = [state for _, state in outcomes]
    # Sealing, the header write, the shard moves and the header swap itself fail to "old";
    # only the tidying after the swap can fail to "new".
    assert len(outcomes) >= 12 and "old" in states and "new" in states, outcomes
    assert states == sorted(states, key=lambda s: s == "new"), outcomes
    assert ("replace", "old") in outcomes and ("unlink", "new") in outcomes


CRASHING_WRITER = """
import os
import sys

from mind.data.mindrecord import FileWriter

name, crash_at = sys.argv[1], int(sys.argv[2])
writer = FileWriter(name, shard_num=2, overwrite=True)
writer.add_schema({"i64": {"type": "int64"}, "text": {"type": "string"}})
writer.write_raw_data({"i64": list(range(100, 133)), "text": [str(i) for i in range(33)]})
calls = 0


def crashing(real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == crash_at:
            os._exit(77)  # killed here: no cleanup, no finalizers
        return real(*args, **kwargs)

    return call


for attr in ("replace", "rename", "link", "fsync", "unlink"):
    setattr(os, attr, crashing(getattr(os, attr)))
writer.commit()
"""


def test_a_writer_killed_at_each_step_of_commit_never_damages_the_dataset(tmp_path):
    """A subprocess commits over a dataset and os._exit()s before its k-th file operation."""
    script = tmp_path / "crashing_writer.py"
    script.write_text(CRASHING_WRITER)
    directory = tmp_path / "data"
    directory.mkdir()
    name = str(directory / "keep.mindrecord")
    schema = {"i64": {"type": "int64"}, "text": {"type": "string"}}
    old = [{"i64": i, "text": str(i)} for i in range(30)]
    new = [{"i64": i + 100, "text": str(i)} for i in range(33)]
    outcomes = []
    for crash_at in range(1, 100):
        write(name, old, schema, shard_num=2, overwrite=True)
        # That write also removed the temporaries the previous killed writer left behind.
        assert not [p.name for p in directory.iterdir() if p.name.startswith(".")]
        done = subprocess.run(
            [sys.executable, str(script), name, str(crash_at)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode == 0:  # past the last file operation: the commit completed
            assert old_or_new(name, directory, old, new) == "new"
            assert verify(name) == []
            break
        assert done.returncode == 77, done.stderr
        state = old_or_new(name, directory, old, new)
        strays = [p for p in verify(name) if p.startswith("stray file") and "temporary" not in p]
        outcomes.append((state, len(strays)))
    else:
        pytest.fail("the writer never completed")
    states = [state for state, _ in outcomes]
    assert len(outcomes) >= 8 and states == sorted(states, key=lambda s: s == "new"), outcomes
    assert "old" in states and "new" in states, outcomes
    # Killed between moving its shards into place and the header swap, or between the swap and
    # removing the old shards, a writer leaves stray shards, which verify reports and the next
    # commit (the write at the top of the loop) removes.
    assert ("old", 1) in outcomes and ("new", 2) in outcomes, outcomes


# ------------------------------------------------------------------------------------------------
# Validation on write
# ------------------------------------------------------------------------------------------------


def _with(**changes):
    row = make_row(2)
    for key, value in changes.items():
        if value is KeyError:
            del row[key]
        else:
            row[key] = value
    return row


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (_with(i32=KeyError), "i32", "missing"),
        ({**make_row(2), "extra": 1}, "extra", "not in the schema"),
        (_with(i32="7"), "i32", "expected an int32 scalar, got str"),
        (_with(i32=2**31), "i32", "out of range for int32"),
        (_with(i64=True), "i64", "expected an int64 scalar, got bool"),
        (_with(i64=1.0), "i64", "got float"),
        (_with(f32=1e39), "f32", "out of range for float32"),
        (_with(f64="x"), "f64", "expected a float64 scalar"),
        (_with(text=b"bytes"), "text", "expected a str"),
        (_with(text="bad \udcff surrogate"), "text", "not valid UTF-8"),
        (_with(blob="str"), "blob", "expected bytes"),
        (_with(fixed=np.zeros((3, 2), np.float32)), "fixed", "expected shape [2, 3], got [3, 2]"),
        (_with(fixed=np.zeros(6, np.float32)), "fixed", "expected shape [2, 3]"),
        (_with(vec=np.zeros((2, 2), np.int64)), "vec", "expected shape [-1]"),
        (_with(vec=np.array([0.5])), "vec", "got float values"),
        (_with(vec=np.array([True])), "vec", "dtype bool"),
        (_with(vec=[[1], [2, 3]]), "vec", "ragged"),
        (_with(boxes=np.zeros((2, 3))), "boxes", "expected shape [-1, 4], got [2, 3]"),
        (_with(cols=np.array([2**40, 1, 2], np.int64).reshape(3, 1)), "cols", "out of range"),
        (_with(cols=5), "cols", "expected an int32 ndarray of shape [3, -1]"),
    ],
)
def test_a_row_that_breaks_the_schema_names_its_global_row_and_field(tmp_path, bad, field, words):
    name = str(tmp_path / "v.mindrecord")
    writer = FileWriter(name)
    writer.add_schema(SCHEMA)
    writer.write_raw_data([make_row(i) for i in range(5)])
    with pytest.raises(MindValueError) as info:
        writer.write_raw_data([make_row(5), make_row(6), bad, make_row(8)])
    message = str(info.value)
    assert "row 7" in message and f"field '{field}'" in message, message
    assert words in message, message
    # nothing from the failed call was written, and the writer goes on
    writer.write_raw_data([make_row(5)])
    writer.commit()
    with ShardReader(name) as reader:
        assert reader.num_rows == 6


def test_a_columnar_batch_names_the_lowest_bad_row(tmp_path):
    writer = FileWriter(str(tmp_path / "c.mindrecord"))
    writer.add_schema(
        {"a": {"type": "int32"}, "b": {"type": "string"}, "v": {"type": "float32", "shape": [2]}}
    )
    writer.write_raw_data({"a": [1], "b": ["x"], "v": [[0, 0]]})
    with pytest.raises(MindValueError, match=r"row 3, field 'b'"):
        writer.write_raw_data(
            {"a": np.array([1, 2, 3, 2**40]), "b": ["x", "y", 3, "z"], "v": np.zeros((4, 2))}
        )
    with pytest.raises(MindValueError, match=r"row 1, field 'v'"):
        writer.write_raw_data({"a": [1, 2], "b": ["x", "y"], "v": np.zeros((2, 3))})
    with pytest.raises(MindValueError, match=r"row 1, field 'b': missing"):
        writer.write_raw_data({"a": [1, 2], "v": np.zeros((2, 2))})
    with pytest.raises(MindValueError, match="one length"):
        writer.write_raw_data({"a": [1, 2], "b": ["x"], "v": np.zeros((2, 2))})
    with pytest.raises(MindValueError, match=r"row 1, field 'a'"):
        writer.write_raw_data([{"a": 2**33, "b": "", "v": [0, 0]}])


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({}, "no fields"),
        ({"a": {"type": "uint8"}}, "type 'uint8'"),
        ({"a": {"type": "string", "shape": [2]}}, "needs a numeric type"),
        ({"a": {"type": "int32", "shape": [-1, -1]}}, "only one axis"),
        ({"a": {"type": "int32", "shape": [0, 2]}}, "positive ints"),
        ({"a": {"type": "int32", "shape": []}}, "non-empty"),
        ({"a": {"type": "int32", "dims": [2]}}, "unknown keys"),
        ({"bad name": {"type": "int32"}}, "letters, digits"),
        ({"a": "int32"}, "must be a dict"),
    ],
)
def test_bad_schemas_are_refused(tmp_path, schema, words):
    writer = FileWriter(str(tmp_path / "s.mindrecord"))
    with pytest.raises(MindValueError, match=words):
        writer.add_schema(schema)


def test_bad_arguments(tmp_path):
    name = str(tmp_path / "x.mindrecord")
    for shard_num, error in ((0, MindValueError), (1001, MindValueError), ("3", MindTypeError)):
        with pytest.raises(error, match="shard_num"):
            FileWriter(name, shard_num=shard_num)
    with pytest.raises(MindValueError, match="does not exist"):
        FileWriter(str(tmp_path / "no" / "x.mindrecord"))
    writer = FileWriter(name)
    with pytest.raises(MindValueError, match="add_schema first"):
        writer.write_raw_data([make_row(0)])
    writer.add_schema(SCHEMA)
    with pytest.raises(MindValueError, match="already added"):
        writer.add_schema(SCHEMA)
    with pytest.raises(MindValueError, match="only int, float and string"):
        writer.add_index(["blob"])
    with pytest.raises(MindValueError, match="not a schema field"):
        writer.add_index(["nope"])
    with pytest.raises(MindTypeError):
        writer.write_raw_data("rows")
    with pytest.raises(MindValueError, match="row 0: expected a dict"):
        writer.write_raw_data([3])
    writer.set_page_size(1 << 26)  # accepted, no effect
    writer.set_header_size(1 << 20)
    with pytest.raises(MindValueError, match="page_size"):
        writer.set_page_size(10)
    writer.write_raw_data([make_row(0)], parallel_writer=True)
    writer.commit()
    with pytest.raises(MindValueError, match="committed"):
        writer.write_raw_data([make_row(0)])
    with pytest.raises(MindValueError, match="committed"):
        writer.commit()


# ------------------------------------------------------------------------------------------------
# Damaged datasets
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def damaged(tmp_path):
    rows = [make_row(i) for i in range(40)]
    rows[20]["blob"] = b"MARKER-MARKER-MARKER"
    return write(tmp_path / "d.mindrecord", rows, shard_num=2, index=["text"])


def test_a_truncated_shard_is_refused_at_open(damaged):
    shard = shards_of(damaged)[1]
    data = open(shard, "rb").read()
    open(shard, "wb").write(data[:-100])
    with pytest.raises(
        MindRecordFormatError, match=rf"{shard} is {len(data) - 100} bytes.*truncated"
    ):
        ShardReader(damaged)
    assert any(shard in p and "bytes" in p for p in verify(damaged))


def test_an_altered_byte_is_found_by_verify(damaged):
    shard = shards_of(damaged)[1]
    data = bytearray(open(shard, "rb").read())
    at = data.index(b"MARKER-MARKER")
    data[at] = ord("W")
    open(shard, "wb").write(bytes(data))
    problems = verify(damaged)
    assert len(problems) == 1 and "XXH3-128" in problems[0] and shard in problems[0]
    with ShardReader(damaged) as reader:  # the size is right: open does not hash...
        assert reader.read_row(0)["blob"] == make_row(0)["blob"]  # ...and shard 0 is sound
        # ...but the page's XXH3-64 is checked the first time the page is read.
        with pytest.raises(MindRecordFormatError, match=rf"{shard} page 0 has XXH3-64 .* altered"):
            reader.read_row(20)
        with pytest.raises(MindRecordFormatError, match="XXH3-64"):
            reader.read_rows([21])
    with ShardReader(damaged, verify=False) as reader:  # skipped knowingly: read as data
        assert reader.read_row(20)["blob"] == b"WARKER-MARKER-MARKER"


def test_a_missing_shard_is_refused(damaged):
    shard = shards_of(damaged)[0]
    os.remove(shard)
    with pytest.raises(MindRecordFormatError, match=rf"{shard} is missing"):
        ShardReader(damaged)
    assert "missing" in " ".join(verify(damaged)) or "cannot be read" in " ".join(verify(damaged))


def test_a_header_from_the_future_or_not_json_is_refused(damaged):
    header = damaged + ".meta.json"
    doc = json.loads(open(header).read())
    first = doc["shards"][0]["file"]
    doc["version"] = 99
    open(header, "w").write(json.dumps(doc))
    with pytest.raises(MindRecordFormatError, match=rf"{header}: has format version 99.*upgrade"):
        ShardReader(damaged)
    assert "version 99" in verify(damaged)[0]
    open(header, "w").write('{"format": "mind.mindrecord", "version": 1, "sch')
    with pytest.raises(MindRecordFormatError, match=rf"{header}: is not valid JSON"):
        ShardReader(damaged)
    open(header, "wb").write(b"\xff\xfe garbage")
    with pytest.raises(MindRecordFormatError, match="not valid JSON"):
        ShardReader(damaged)
    doc["version"] = 1
    doc["shards"][0]["file"] = "../escape"
    open(header, "w").write(json.dumps(doc))
    with pytest.raises(MindRecordFormatError, match="plain file name"):
        ShardReader(damaged)
    doc["shards"][0]["file"] = first
    doc["shards"][0]["rows"] = "many"
    open(header, "w").write(json.dumps(doc))
    with pytest.raises(MindRecordFormatError, match="'rows' must be int"):
        ShardReader(damaged)


def test_a_shard_of_the_right_size_but_not_arrow_is_refused(damaged):
    shard = shards_of(damaged)[0]
    size = os.path.getsize(shard)
    open(shard, "wb").write(os.urandom(size))
    with pytest.raises(MindRecordFormatError, match=rf"{shard} is not a readable Arrow IPC file"):
        ShardReader(damaged)


def test_a_shard_from_another_write_is_refused(tmp_path, damaged):
    # The same rows written again: same sizes, different dataset id, as after a crash mid-commit.
    rows = [make_row(i) for i in range(40)]
    rows[20]["blob"] = b"MARKER-MARKER-MARKER"
    (tmp_path / "other").mkdir()
    other = write(tmp_path / "other" / "d.mindrecord", rows, shard_num=2)
    theirs, ours = shards_of(other)[0], shards_of(damaged)[0]
    assert os.path.getsize(theirs) == os.path.getsize(ours)
    os.replace(theirs, ours)
    with pytest.raises(MindRecordFormatError, match="belongs to another write"):
        ShardReader(damaged)


def test_every_single_byte_change_reads_or_raises_a_format_error(tmp_path):
    schema = {"t": {"type": "string"}, "v": {"type": "int32", "shape": [-1, 2]}}
    rows = [{"t": f"r{i}", "v": np.zeros((i % 3, 2), np.int32)} for i in range(6)]
    name = write(tmp_path / "f.mindrecord", rows, schema, index=["t"])
    (shard,) = shards_of(name)
    original = open(shard, "rb").read()
    for at in range(0, len(original), 3):
        data = bytearray(original)
        data[at] ^= 0xFF
        open(shard, "wb").write(bytes(data))
        try:
            with ShardReader(name) as reader:
                list(reader.iter_rows())
                reader.read_rows([5, 0])
                reader.lookup("t", "r1")
        except MindRecordFormatError:
            pass


# ------------------------------------------------------------------------------------------------
# Speed
# ------------------------------------------------------------------------------------------------


def test_twenty_thousand_rows_write_and_read_back_quickly(tmp_path):
    schema = {
        "id": {"type": "int64"},
        "name": {"type": "string"},
        "image": {"type": "bytes"},
        "feature": {"type": "float32", "shape": [16]},
        "tokens": {"type": "int32", "shape": [-1]},
    }
    rows = [
        {
            "id": i,
            "name": f"sample-{i}",
            "image": bytes(64),
            "feature": np.full(16, i, np.float32),
            "tokens": np.arange(i % 20, dtype=np.int32),
        }
        for i in range(20_000)
    ]
    start = time.perf_counter()
    name = write(tmp_path / "speed.mindrecord", rows, schema, shard_num=4, index=["name"])
    with ShardReader(name) as reader:
        count = 0
        for row, want in zip(reader.iter_rows(), rows):
            count += row["id"] == want["id"] and len(row["tokens"]) == len(want["tokens"])
        assert reader.lookup("name", "sample-12345") == [12345]
        batch = reader.read_rows(np.random.default_rng(0).permutation(20_000)[:5000])
    elapsed = time.perf_counter() - start
    assert count == 20_000 and len(batch["id"]) == 5000
    # A couple of seconds on a laptop; generous here for shared CI machines.
    assert elapsed < 15, f"20,000 rows took {elapsed:.1f} s"


# ------------------------------------------------------------------------------------------------
# Hardening: what an overwrite may delete, paths and JSON from headers, checksums, leftovers
# ------------------------------------------------------------------------------------------------

SMALL = {"i64": {"type": "int64"}, "text": {"type": "string"}}


def small_rows(n, base=0):
    return [{"i64": base + i, "text": f"t{base + i}"} for i in range(n)]


def rewrite_header(name, doc):
    """Write ``doc`` as the header, with its own SHA-256 recomputed (a consistent edit)."""
    from mind.data._src.mindrecord.header import header_digest

    doc["header_sha256"] = header_digest(doc)
    with open(f"{name}.meta.json", "w", encoding="utf-8") as f:
        json.dump(doc, f)


def test_an_overwrite_deletes_only_files_proven_to_be_the_old_datasets_shards(tmp_path, caplog):
    work = tmp_path / "work"
    work.mkdir()
    name = write(work / "m.mindrecord", small_rows(6), SMALL, shard_num=2)
    own = shards_of(name)
    train = work / "train.py"
    train.write_text("print('my training script')\n")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the dataset's")
    target = tmp_path / "target.bin"
    target.write_bytes(b"a symlink's target")
    link = work / "m.mindrecord.abcdefabcdef.0.arrow"  # named as a shard, but a symlink
    link.symlink_to(target)
    impostor = work / "m.mindrecord.abcdefabcdef.1.arrow"  # named as a shard, other content
    impostor.write_bytes(open(own[0], "rb").read()[:-1] + b"X")
    doc = header_of(name)
    entry = doc["shards"][0]
    for file in ("train.py", "../outside.txt", link.name, impostor.name):
        doc["shards"].append({**entry, "file": file})
    # Sizes and digests copied from a real shard: only the name and file kind tell them apart.
    with open(f"{name}.meta.json", "w", encoding="utf-8") as f:
        json.dump(doc, f)  # the digest is now stale: readers refuse this header
    with pytest.raises(MindRecordFormatError):
        ShardReader(name)
    with caplog.at_level("WARNING", logger="mind.data"):
        write(name, small_rows(3, 100), SMALL, overwrite=True)
    assert train.read_text() == "print('my training script')\n"
    assert outside.read_text() == "not the dataset's" and target.exists() and link.is_symlink()
    assert impostor.exists()
    assert not any(os.path.exists(p) for p in own)  # the real old shards are gone
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "left alone" in warned and str(train) in warned and str(impostor) in warned
    assert "../outside.txt" in warned and str(link) in warned
    with ShardReader(name) as reader:
        assert [r["i64"] for r in reader.iter_rows()] == [100, 101, 102]


def test_an_overwrite_leaves_a_listed_file_whose_content_changed(tmp_path):
    name = write(tmp_path / "c.mindrecord", small_rows(4), SMALL)
    (shard,) = shards_of(name)
    data = bytearray(open(shard, "rb").read())
    data[-20] ^= 1
    open(shard, "wb").write(bytes(data))  # same name, same size, another digest
    write(name, small_rows(2, 50), SMALL, overwrite=True)
    assert open(shard, "rb").read() == bytes(data)


def test_a_header_edit_is_refused_by_the_header_digest(tmp_path):
    name = write(tmp_path / "h.mindrecord", small_rows(4), SMALL, desc="first")
    header = f"{name}.meta.json"
    text = open(header, encoding="utf-8").read()
    open(header, "w", encoding="utf-8").write(text.replace('"first"', '"other"'))
    with pytest.raises(MindRecordFormatError, match=rf"{header}: has SHA-256 .* edited"):
        ShardReader(name)
    assert "edited" in verify(name)[0]
    # Layout alone is not content: the same JSON re-indented still reads.
    open(header, "w", encoding="utf-8").write(json.dumps(json.loads(text)))
    with ShardReader(name) as reader:
        assert reader.description == "first"


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("a\x00b", "NUL"),
        ("bad\udc80name", "lone surrogate"),
        ("sub/dir.arrow", "plain file name"),
        ("..", "plain file name"),
        ("x..y", "plain file name"),
        ("x" * 300, "at most 255"),
    ],
)
def test_file_names_from_a_header_are_checked_before_use(tmp_path, file, words):
    name = write(tmp_path / "n.mindrecord", small_rows(2), SMALL)
    doc = header_of(name)
    doc["shards"][0]["file"] = file
    rewrite_header(name, doc)
    with pytest.raises(MindRecordFormatError, match=words):
        ShardReader(name)
    assert words in verify(name)[0]


def test_a_symlinked_or_fifo_shard_is_refused_never_followed_or_waited_on(tmp_path):
    import signal

    name = write(tmp_path / "l.mindrecord", small_rows(3), SMALL)
    (shard,) = shards_of(name)
    real = tmp_path / "real.arrow"
    os.replace(shard, real)
    os.symlink(real, shard)
    with pytest.raises(MindRecordFormatError, match="symlink"):
        ShardReader(name)
    assert "regular file" in verify(name)[0]
    os.unlink(shard)
    os.mkfifo(shard)
    signal.alarm(20)  # a reader that waited on the FIFO would hang here
    try:
        with pytest.raises(MindRecordFormatError, match="not a regular file"):
            ShardReader(name)
        assert "regular file" in verify(name)[0]
    finally:
        signal.alarm(0)


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d.update(description="[" * 5000 + "]" * 5000), None),
        (lambda d: d.update(extra=[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]), "nests deeper"),
        (lambda d: d.update(dataset_id="\udc80" * 32), "dataset_id"),
        (lambda d: d.update(description="\udc80"), "lone surrogate"),
        (lambda d: d["shards"][0].update(rows=2**70), "expected 0 .. 2\\*\\*62"),
        (lambda d: d["shards"][0].update(pages=[[2, "x"]]), "page 0 must be"),
        (lambda d: d["shards"][0].update(pages=[[1, 5]]), "pages hold 1 rows, not 2"),
        (lambda d: d["schema"]["i64"].update(shape=[2**40, 2**40]), "more than"),
        (lambda d: d["schema"]["i64"].update(shape=[1] * 40), "at most 32"),
        (lambda d: d.pop("header_sha256"), "'header_sha256' is missing"),
    ],
)
def test_bad_header_content_raises_a_format_error_naming_the_header(tmp_path, edit, words):
    name = write(tmp_path / "b.mindrecord", small_rows(2), SMALL)
    doc = header_of(name)
    edit(doc)
    if words is None:  # a legal but hostile description: written, read and used as is
        desc = doc["description"]
        name = write(tmp_path / "b2.mindrecord", small_rows(2), SMALL, desc=desc)
        import mind.data as ds

        rows = list(ds.MindDataset(name, shuffle=False).create_tuple_iterator(output_numpy=True))
        assert [int(r[0]) for r in rows] == [0, 1]
        return
    if "header_sha256" in doc:
        rewrite_header(name, doc)
    else:
        with open(f"{name}.meta.json", "w", encoding="utf-8") as f:
            json.dump(doc, f)
    with pytest.raises(MindRecordFormatError, match=rf"{name}.meta.json: .*{words}"):
        ShardReader(name)


def test_a_consistent_edit_of_the_page_table_is_refused_when_the_page_is_read(tmp_path):
    name = write(tmp_path / "p.mindrecord", small_rows(5), SMALL)
    doc = header_of(name)
    doc["shards"][0]["pages"][0][1] ^= 1
    rewrite_header(name, doc)
    with ShardReader(name) as reader:  # opens: sizes and the schema are right
        with pytest.raises(MindRecordFormatError, match="page 0 has XXH3-64"):
            list(reader.iter_rows())
    with ShardReader(name, verify=False) as reader:
        assert [r["i64"] for r in reader.iter_rows()] == [0, 1, 2, 3, 4]
    assert any("XXH3-64" in p for p in verify(name))
    with pytest.raises(MindTypeError, match="'verify' must be a bool"):
        ShardReader(name, verify="no")


def test_temporaries_of_killed_writes_go_with_the_next_write_but_a_live_writers_stay(tmp_path):
    name = write(tmp_path / "t.mindrecord", small_rows(3), SMALL)
    dead = [
        tmp_path / ".t.mindrecord.meta.json.0123456789ab.tmp",
        tmp_path / ".t.mindrecord.0123456789ab.0.arrow.ba9876543210.tmp",
    ]
    others = [
        tmp_path / ".u.mindrecord.meta.json.0123456789ab.tmp",  # another dataset's
        tmp_path / ".t.mindrecord.notes.0123456789ab.tmp",  # not a name a writer uses
    ]
    for path in dead + others:
        path.write_bytes(b"left by a killed writer")
    live = FileWriter(name, overwrite=True)  # a writer still writing: its staging file is live
    live.add_schema(SMALL)
    live.write_raw_data(small_rows(2, 10))
    (staging,) = [
        p for p in tmp_path.iterdir() if p.name.startswith(".t.") and p not in dead + others
    ]
    notes = [p for p in verify(name) if "temporary" in p]
    assert sorted(notes) == sorted(
        f"stray file {p}: a temporary file of a killed write of this dataset; readers ignore "
        "it, and the next commit of this name (or mind-data verify --clean) removes it"
        for p in dead
    )
    write(name, small_rows(4, 20), SMALL, overwrite=True)
    assert not any(p.exists() for p in dead) and all(p.exists() for p in others)
    assert staging.exists()
    live.commit()  # the live writer was not disturbed
    with ShardReader(name) as reader:
        assert [r["i64"] for r in reader.iter_rows()] == [10, 11]
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".t.")] == others[1:]


def test_verify_clean_lists_and_removes_the_leftovers_of_killed_writes(tmp_path, capsys):
    from mind.data._src.cli import main

    name = write(tmp_path / "k.mindrecord", small_rows(3), SMALL)
    temp = tmp_path / ".k.mindrecord.meta.json.0123456789ab.tmp"
    temp.write_bytes(b"{")
    (tmp_path / "other").mkdir()
    other = write(tmp_path / "other" / "k.mindrecord", small_rows(1), SMALL)
    stray = tmp_path / os.path.basename(shards_of(other)[0])
    os.replace(shards_of(other)[0], stray)
    assert main(["verify", name]) == 0
    out = capsys.readouterr().out
    assert f"note: stray file {temp}" in out and f"note: stray file {stray}" in out
    assert temp.exists() and stray.exists()
    assert main(["verify", "--clean", name]) == 0
    out = capsys.readouterr().out
    assert f"removed {temp}\n" in out and f"removed {stray}\n" in out
    assert "removed 2 file(s)" in out and "note:" not in out and out.rstrip().endswith("match")
    assert not temp.exists() and not stray.exists()
    assert main(["verify", "--clean", name]) == 0
    assert "removed 0 file(s)" in capsys.readouterr().out


def test_odd_paths_given_to_the_reader_raise_format_errors(tmp_path):
    import signal

    for bad in ("a\x00b", str(tmp_path / "x\udc80")):
        with pytest.raises(MindRecordFormatError):
            ShardReader(bad)
    name = str(tmp_path / "fifo.mindrecord")
    os.mkfifo(name + ".meta.json")
    signal.alarm(20)  # a reader that waited on the FIFO would hang here
    try:
        with pytest.raises(MindRecordFormatError, match="not a regular file"):
            ShardReader(name)
        # A commit over it neither hangs nor follows it; it replaces the FIFO with a header.
        write(name, small_rows(2), SMALL, overwrite=True)
    finally:
        signal.alarm(0)
    with ShardReader(name) as reader:
        assert reader.num_rows == 2
