"""The MindRecord writer's fast paths keep the slow paths' answers: columnar bytes and strings
converted by Arrow still name the bad row, a shard hashed while written records the digest a
second read computes, and the digests a process remembers are used only for unchanged files."""

import hashlib
import json
import os

import numpy as np
import pyarrow as pa
import pytest
import xxhash

from mind.core.errors import MindValueError
from mind.data._src.mindrecord import files
from mind.data.mindrecord import FileWriter, ShardReader, verify


def _writer(path, overwrite=False):
    writer = FileWriter(path, shard_num=1, overwrite=overwrite)
    writer.add_schema({"blob": {"type": "bytes"}, "text": {"type": "string"}})
    return writer


@pytest.mark.parametrize(
    ("column", "values", "message"),
    [
        ("blob", [b"a", b"b", "c", b"d"], r"row 2, field 'blob': expected bytes"),
        ("text", ["a", "b", "c", b"d"], r"row 3, field 'text': expected a str"),
        ("text", ["a", "\ud800", "c", "d"], r"row 1, field 'text': the str is not valid UTF-8"),
    ],
)
def test_a_bad_value_in_a_columnar_list_is_named(tmp_path, column, values, message):
    writer = _writer(str(tmp_path / "d.mindrecord"))
    batch = {"blob": [b"x"] * 4, "text": ["x"] * 4, column: values}
    with pytest.raises(MindValueError, match=message):
        writer.write_raw_data(batch)


@pytest.mark.parametrize("rows", [2500, 40_000])  # one page; several writeback steps
def test_the_shard_digest_taken_while_writing_is_the_files_xxh3_128(tmp_path, rows):
    path = str(tmp_path / "d.mindrecord")
    rng = np.random.default_rng(0)
    writer = _writer(path)
    writer.write_raw_data(
        {"blob": [rng.bytes(int(rng.integers(0, 600))) for _ in range(rows)], "text": ["é"] * rows}
    )
    writer.commit()
    header = json.loads(open(files.header_path(path), encoding="utf-8").read())
    (entry,) = header["shards"]
    shard = os.path.join(str(tmp_path), entry["file"])
    with open(shard, "rb") as f:
        assert xxhash.xxh3_128_hexdigest(f.read()) == entry["xxh3_128"]
    assert "sha256" not in entry and header["version"] == 4
    assert os.path.getsize(shard) == entry["bytes"]
    with ShardReader(path) as reader:
        assert reader.read_row(rows - 1)["text"] == "é"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_remembered_digest_is_used_only_while_the_file_is_unchanged(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"one")
    files.remember_digest(str(path), "sha256", "0" * 64)  # a wrong one, to see if it is used
    assert files.digest_of(str(path), "sha256") == "0" * 64
    assert files.digest_of(str(path), "xxh3_128") == xxhash.xxh3_128_hexdigest(b"one")
    assert files.digest_of(str(path), "sha256", remembered=False) == sha256(b"one")
    stat = os.stat(path)
    with open(path, "r+b") as f:  # the same size, the same mtime put back: ctime still moves
        f.write(b"two")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert files.digest_of(str(path), "sha256") == sha256(b"two")


def test_overwriting_a_dataset_this_process_wrote_removes_its_shards(tmp_path):
    path = str(tmp_path / "d.mindrecord")
    for k in range(3):
        writer = _writer(path, overwrite=True)
        writer.write_raw_data({"blob": [bytes([k])] * 10, "text": [str(k)] * 10})
        writer.commit()
    shards = [f for f in os.listdir(tmp_path) if f.endswith(".arrow")]
    assert len(shards) == 1
    with ShardReader(path) as reader:
        assert reader.read_row(0) == {"blob": b"\x02", "text": "2"}


def _as_version_3(name):
    """Rewrite the dataset ``name`` as format version 3 wrote it: SHA-256 shard digests."""
    from mind.data._src.mindrecord.header import header_digest

    header = files.header_path(name)
    doc = json.loads(open(header, encoding="utf-8").read())
    for entry in doc["shards"]:
        path = os.path.join(os.path.dirname(name), entry["file"])
        table = pa.ipc.open_file(path).read_all()
        meta = {**table.schema.metadata, b"mindrecord.version": b"3"}
        table = table.replace_schema_metadata(meta)
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
            for batch in table.to_batches():
                out.write_batch(batch)
        data = open(path, "rb").read()
        del entry["xxh3_128"]
        entry.update(bytes=len(data), sha256=sha256(data))
    doc["version"] = 3
    doc["header_sha256"] = header_digest(doc)
    with open(header, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return doc


def test_a_version_3_dataset_is_read_verified_by_sha256_and_replaced(tmp_path, caplog):
    name = str(tmp_path / "v3.mindrecord")
    with _writer(name) as writer:
        writer.write_raw_data({"blob": [bytes([i]) * i for i in range(50)], "text": ["t"] * 50})
    doc = _as_version_3(name)
    shard = os.path.join(str(tmp_path), doc["shards"][0]["file"])
    assert verify(name) == []
    with ShardReader(name) as reader:
        assert reader.read_row(7)["blob"] == b"\x07" * 7
        assert reader.shards[0]["sha256"] == doc["shards"][0]["sha256"]
    data = bytearray(open(shard, "rb").read())
    data[data.index(b"\x07" * 7)] = 8  # same size: only the digest can tell
    open(shard, "wb").write(bytes(data))
    (problem,) = verify(name)
    assert f"shard {shard} has SHA-256 {sha256(bytes(data))}" in problem
    open(shard, "wb").write(bytes(data).replace(b"\x08" + b"\x07" * 6, b"\x07" * 7))
    with _writer(name, overwrite=True) as writer:  # proves the old shard by its SHA-256
        writer.write_raw_data({"blob": [b"new"], "text": ["n"]})
    assert not os.path.exists(shard) and "not provably" not in caplog.text


def test_a_failed_writeback_fails_the_commit_and_keeps_the_old_dataset(tmp_path, monkeypatch):
    from mind.data._src.mindrecord import writer as writer_module

    name = str(tmp_path / "d.mindrecord")
    with _writer(name) as writer:
        writer.write_raw_data({"blob": [b"old"], "text": ["old"]})

    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer_module, "_fdatasync", broken)
    writer = _writer(name, overwrite=True)
    blob = b"x" * 4096
    writer.write_raw_data({"blob": [blob] * 3000, "text": ["new"] * 3000})  # > one writeback step
    with pytest.raises(OSError, match="Input/output error"):
        writer.commit()
    with ShardReader(name) as reader:
        assert reader.num_rows == 1 and reader.read_row(0)["blob"] == b"old"
    assert sorted(os.listdir(tmp_path)) == sorted(
        [os.path.basename(files.header_path(name)), *(os.path.basename(p) for p in _shards(name))]
    )


def _shards(name):
    doc = json.loads(open(files.header_path(name), encoding="utf-8").read())
    return [os.path.join(os.path.dirname(name), e["file"]) for e in doc["shards"]]
