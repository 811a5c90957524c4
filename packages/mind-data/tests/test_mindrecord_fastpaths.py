"""The MindRecord writer's fast paths keep the slow paths' answers: columnar bytes and strings
converted by Arrow still name the bad row, a shard hashed while written records the digest a
second read computes, and the digests a process remembers are used only for unchanged files."""

import hashlib
import json
import os

import numpy as np
import pytest

from mind.core.errors import MindValueError
from mind.data._src.mindrecord import files
from mind.data.mindrecord import FileWriter, ShardReader


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


def test_the_shard_digest_taken_while_writing_is_the_files_sha256(tmp_path):
    path = str(tmp_path / "d.mindrecord")
    rng = np.random.default_rng(0)
    writer = _writer(path)
    writer.write_raw_data(
        {"blob": [rng.bytes(int(rng.integers(0, 300))) for _ in range(2500)], "text": ["é"] * 2500}
    )
    writer.commit()
    header = json.loads(open(files.header_path(path), encoding="utf-8").read())
    (entry,) = header["shards"]
    shard = os.path.join(str(tmp_path), entry["file"])
    with open(shard, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == entry["sha256"]
    assert os.path.getsize(shard) == entry["bytes"]
    with ShardReader(path) as reader:
        assert reader.read_row(2499)["text"] == "é"


def test_a_remembered_digest_is_used_only_while_the_file_is_unchanged(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"one")
    files.remember_sha256(str(path), "0" * 64)  # a wrong digest, to see whether it is used
    assert files.sha256_of(str(path)) == "0" * 64
    assert files.sha256_of(str(path), remembered=False) == hashlib.sha256(b"one").hexdigest()
    stat = os.stat(path)
    with open(path, "r+b") as f:  # the same size, the same mtime put back: ctime still moves
        f.write(b"two")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert files.sha256_of(str(path)) == hashlib.sha256(b"two").hexdigest()


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
