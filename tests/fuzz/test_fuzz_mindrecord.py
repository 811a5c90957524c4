"""Fuzz the MindRecord readers: a small dataset opened and read whole from mutated files.

Three kinds of input: byte mutations of the header and of a shard, and header-consistent edits
(a schema field, a shard name, a count, a page table entry, the version...) with the JSON
re-serialized. Every one is covered by a checksum (the header's own SHA-256, each shard's size,
each page's XXH3-64), so none may load with a different result; a last run recomputes the header
digest after structural edits, as someone rewriting the header by hand would, and the data must
still be refused or read unchanged.
"""

from __future__ import annotations

import copy
import json
import os

import numpy as np
import pytest

import mind.data as ds
from mind.core.testing import fuzz
from mind.data._src.mindrecord import writer as writer_module
from mind.data._src.mindrecord.header import header_digest
from mind.data.errors import MindRecordFormatError
from mind.data.mindrecord import FileWriter, ShardReader

SCHEMA = {
    "i32": {"type": "int32"},
    "f32": {"type": "float32"},
    "text": {"type": "string"},
    "blob": {"type": "bytes"},
    "vec": {"type": "int64", "shape": [-1]},
    "fixed": {"type": "float32", "shape": [2, 2]},
}


def _rows(n: int) -> list[dict]:
    return [
        {
            "i32": i * 7 - 20,
            "f32": i / 4,
            "text": f"row {i} ✓" * (i % 3),
            "blob": bytes(range(i % 5)),
            "vec": np.arange(i % 4, dtype=np.int64) * i,
            "fixed": np.full((2, 2), i, np.float32),
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz-mindrecord")
    name = str(directory / "f.mindrecord")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer_module, "PAGE_ROWS", 3)  # several pages a shard
        writer = FileWriter(name, shard_num=2)
        writer.add_schema(SCHEMA, "fuzzed")
        writer.add_index(["text"])
        writer.write_raw_data(_rows(14))
        writer.commit()
    with open(name + ".meta.json", "rb") as f:
        header = f.read()
    shards = [os.path.join(directory, s["file"]) for s in json.loads(header)["shards"]]
    originals = {path: open(path, "rb").read() for path in [name + ".meta.json", *shards]}
    return name, originals, shards


def _canonical(value):
    if isinstance(value, np.ndarray):
        return (str(value.dtype), value.shape, value.tobytes())
    if isinstance(value, list):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _read_all(name: str):
    with ShardReader(name) as reader:
        rows = [_canonical(r) for r in reader.iter_rows()]
        picked = _canonical(reader.read_rows([13, 0, 6]))
        found = reader.lookup("text", "row 4 ✓")
        meta = _canonical(
            {
                "schema": reader.schema,
                "description": reader.description,
                "index": reader.index_fields,
                "rows": reader.num_rows,
            }
        )
    return rows, picked, found, meta


def _read_dataset(name: str):
    data = ds.MindDataset(name, shuffle=False)
    return [_canonical(list(r)) for r in data.create_tuple_iterator(output_numpy=True)]


def _restore(originals):
    for path, data in originals.items():
        with open(path, "wb") as f:
            f.write(data)


def _loader(path: str, read, name: str):
    def load(data: bytes):
        with open(path, "wb") as f:
            f.write(data)
        return read(name)

    return load


# ------------------------------------------------------------------------------------------------
# Header-consistent edits: parse, change one thing, re-serialize
# ------------------------------------------------------------------------------------------------


def _edit(fn, recompute: bool = False):
    def mutate(data: bytes, rng: np.random.Generator) -> bytes:
        try:
            doc = json.loads(data)
        except ValueError:
            return data
        if not isinstance(doc, dict) or not isinstance(doc.get("shards"), list):
            return data
        doc = copy.deepcopy(doc)
        try:
            fn(doc, rng)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            return data
        if recompute:
            doc["header_sha256"] = header_digest(doc)
        return json.dumps(doc, ensure_ascii=bool(rng.integers(2))).encode("utf-8", "surrogatepass")

    mutate.__name__ = fn.__name__
    return mutate


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def schema_field(doc, rng):
    schema = doc["schema"]
    field = _pick(rng, sorted(schema))
    choice = int(rng.integers(5))
    if choice == 0:
        schema[field]["type"] = _pick(
            rng, ["int32", "int64", "float32", "float64", "string", "bytes"]
        )
    elif choice == 1:
        schema[field]["shape"] = _pick(rng, [[4], [-1], [2, -1], [1, 2, 2], [-1, 2]])
    elif choice == 2:
        schema[field + "x"] = schema.pop(field)
    elif choice == 3:
        del schema[field]
    else:
        schema["extra"] = {"type": "int32"}


def shard_name(doc, rng):
    shard = _pick(rng, doc["shards"])
    other = _pick(rng, doc["shards"])["file"]
    shard["file"] = _pick(
        rng,
        [
            other,
            "../" + other,
            "/etc/passwd",
            "train.py",
            "a\x00b",
            "x\udc80",
            "",
            ".",
            "..",
            shard["file"] + ".bak",
            shard["file"].replace(".arrow", ".ARROW"),
        ],
    )


def swap_shards(doc, rng):
    a, b = doc["shards"][0], doc["shards"][1]
    a["file"], b["file"] = b["file"], a["file"]


def counts(doc, rng):
    shard = _pick(rng, doc["shards"])
    key = _pick(rng, ["rows", "bytes", "row_start"])
    delta = int(_pick(rng, [-1, 1, 2**31, -(2**40)]))
    shard[key] += delta
    if key == "rows" and rng.integers(2):  # keep the totals consistent too
        doc["num_rows"] += delta
        later = doc["shards"][doc["shards"].index(shard) + 1 :]
        for s in later:
            s["row_start"] += delta


def page_table(doc, rng):
    pages = _pick(rng, doc["shards"])["pages"]
    choice = int(rng.integers(4))
    if choice == 0:
        _pick(rng, pages)[1] ^= 1 << int(rng.integers(32))
    elif choice == 1 and len(pages) > 1:
        pages[0][0] += 1
        pages[1][0] -= 1
    elif choice == 2 and len(pages) > 1:
        pages[0], pages[1] = pages[1], pages[0]
    else:
        pages.append([0, 0])


def version(doc, rng):
    doc["version"] = _pick(rng, [0, 1, 2, 4, "3", 3.0, True])


def identity(doc, rng):
    doc["dataset_id"] = _pick(rng, ["0" * 32, doc["dataset_id"][::-1], doc["dataset_id"].upper()])


def metadata(doc, rng):
    choice = int(rng.integers(3))
    if choice == 0:
        doc["description"] = "edited"
    elif choice == 1:
        doc["index_fields"] = []
    else:
        doc["num_rows"] += 1


CONSISTENT = [
    schema_field,
    shard_name,
    swap_shards,
    counts,
    page_table,
    version,
    identity,
    metadata,
]


# ------------------------------------------------------------------------------------------------
# The runs
# ------------------------------------------------------------------------------------------------


def _run(name, dataset, target, mutators, read=_read_all, n=None):
    name_, originals, _ = dataset
    path = target
    original = originals[path]
    expected = read(name_)
    try:
        report = fuzz.fuzz_loader(
            name,
            original=original,
            load=_loader(path, read, name_),
            equal=lambda got: got == expected,
            errors=(MindRecordFormatError,),
            n=n if n is not None else fuzz.budget(1000),
            mutators=mutators,
        )
    finally:
        _restore(originals)
    print(report.summary())
    report.check()
    assert read(name_) == expected
    return report


def test_header_bytes_and_consistent_edits(dataset):
    header = dataset[0] + ".meta.json"
    mutators = fuzz.byte_mutators() + [_edit(m) for m in CONSISTENT]
    report = _run("mindrecord header", dataset, header, mutators)
    assert report.counts["refused"] > 0.9 * sum(report.counts.values())


def test_header_rewritten_with_a_fresh_digest_still_protects_the_data(dataset):
    """Structural edits with the digest recomputed: the shard sizes, schemas, row counts and
    page XXH3-64 digests still refuse them (description and index edits are the header's to make)."""
    structural = [schema_field, shard_name, swap_shards, counts, page_table, version, identity]
    mutators = [_edit(m, recompute=True) for m in structural]
    _run(
        "mindrecord header, digest recomputed",
        dataset,
        dataset[0] + ".meta.json",
        mutators,
        n=max(100, fuzz.budget(1000) // 4),
    )


def test_shard_bytes(dataset):
    _run("mindrecord shard", dataset, dataset[2][0], fuzz.byte_mutators())


def test_shard_and_header_bytes_through_minddataset(dataset):
    name, _, shards = dataset
    n = max(50, fuzz.budget(1000) // 8)
    _run("MindDataset shard", dataset, shards[1], fuzz.byte_mutators(), _read_dataset, n=n)
    mutators = fuzz.byte_mutators() + [_edit(m) for m in CONSISTENT]
    _run("MindDataset header", dataset, name + ".meta.json", mutators, _read_dataset, n=n)
