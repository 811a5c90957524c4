"""Fuzzing the native device's compile-cache lookup with mutated records and swapped file kinds.

One tiny graph is built once; each input then rewrites its cache record (byte mutations, valid
JSON with edited fields, types, nesting, digests and names, or the record or library replaced by
a FIFO, a folder, a link, a file others can write) and calls the lookup, ``_cached``, directly:
``None`` is a refusal, a descriptor is a load whose library must be the original one. A few
dozen inputs go end to end through ``build`` (the compiler stubbed with the built bytes), which
must return a working module every time.
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core._base import native_build as B
from mind.core.testing import cache_dir, fuzz

KIND = b"\0KIND:"
KINDS = [
    "fifo-record",
    "dir-record",
    "link-record",
    "link-record-devzero",
    "writable-record",
    "fifo-library",
    "dir-library",
    "link-library",
    "writable-library",
    "huge-library",
    "missing-library",
    "other-owner-record",
    "other-owner-library",
]


class Refused(Exception):
    """``_cached`` returned None."""


@pytest.fixture(scope="module")
def entry(tmp_path_factory):
    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="native")
    try:
        f = ms.jit(lambda x: ops.relu(x * 2.0 + 1.0).sum())
        assert f(Tensor(np.arange(4, dtype=np.float32))).item() == 16.0
        (compiled,) = f.cache.values()
    finally:
        ms.set_context(device_target="cpu")
    plan = compiled.executable.plan
    folder = tmp_path_factory.mktemp("entry")
    with cache_dir(folder):
        saved = dict(B._LOADED)
        B._LOADED.clear()
        try:
            _, report = B.build(plan.source, plan.functions)
        finally:
            B._LOADED.clear()
            B._LOADED.update(saved)
    library = Path(report["library"])
    return {
        "key": B.cache_key(plan.source),
        "source": plan.source,
        "functions": plan.functions,
        "library": library.read_bytes(),
        "name": library.name,
        "record": library.with_name(f"{B.cache_key(plan.source)}.json").read_bytes(),
    }


def consistent_mutators(entry, decoy_name, decoy_digest):
    """Valid JSON whose fields are edited: what only the semantic checks can refuse."""
    good = json.loads(entry["record"])
    key = entry["key"]
    names = [
        "../" + good["library"],
        "./" + good["library"],
        "/" + good["library"],
        "sub/" + good["library"],
        good["library"] + "\0",
        good["library"].replace("-", "\0"),
        good["library"][:-3],
        good["library"] + "/",
        "..",
        "",
        decoy_name,
        f"{key}-{'0' * 16}.so",
        "x" * 5000,
        "\u00e9" + good["library"],
    ]
    values = [None, True, 0, -1, 1.5, [], {}, [good["library"]], {"a": 1}, "", "0" * 64]

    def load(data):  # the record so far (mutations chain), or the original if it no longer parses
        try:
            record = json.loads(data)
        except (ValueError, RecursionError):
            return dict(good)
        return record if isinstance(record, dict) else dict(good)

    def name(data, rng):
        record = load(data)
        record["library"] = names[int(rng.integers(len(names)))]
        return json.dumps(record).encode()

    def digest(data, rng):
        record = load(data)
        choice = int(rng.integers(5))
        wrong = hashlib.sha256(bytes(rng.integers(0, 256, 8, dtype=np.uint8))).hexdigest()
        record["sha256"] = [
            wrong,
            good["sha256"].upper(),
            good["sha256"][:-1],
            good["sha256"] + "0",
            decoy_digest,
        ][choice]
        return json.dumps(record).encode()

    def decoy(data, rng):  # a consistent record for another key's library: never ours to load
        return json.dumps({**good, "library": decoy_name, "sha256": decoy_digest}).encode()

    def retype(data, rng):
        record = load(data)
        field = ["library", "sha256", "compiler_version"][int(rng.integers(3))]
        record[field] = values[int(rng.integers(len(values)))]
        return json.dumps(record).encode()

    def nest(data, rng):
        depth = int(rng.integers(1, 3000))
        record = load(data)
        field = ["library", "sha256", "compiler_version", "extra"][int(rng.integers(4))]
        value = json.dumps(record.pop(field, 1))
        if rng.integers(2):
            inner = "[" * depth + value + "]" * depth
        else:
            inner = '{"a": ' * depth + value + "}" * depth
        return (json.dumps(record)[:-1] + f', "{field}": {inner}' + "}").encode()

    def keys(data, rng):
        record = load(data)
        if record and rng.integers(2):
            record.pop(list(record)[int(rng.integers(len(record)))], None)
        else:
            record["extra" + str(int(rng.integers(3)))] = "x"
        return json.dumps(record).encode()

    def version(data, rng):
        record = load(data)
        record["compiler_version"] = ["0", "2", " 1", "1 ", ""][int(rng.integers(5))]
        return json.dumps(record).encode()

    def document(data, rng):
        docs = ["[]", '"s"', "1", "null", "true", "", json.dumps([good]), "{}", "{" * 10]
        return docs[int(rng.integers(len(docs)))].encode()

    def respace(data, rng):  # harmless: the same fields, other whitespace and key order
        items = list(good.items())
        rng.shuffle(items)
        return json.dumps(dict(items), indent=int(rng.integers(0, 5))).encode()

    return [name, digest, decoy, retype, nest, keys, version, document, respace]


def kind_mutator(data, rng):
    return KIND + KINDS[int(rng.integers(len(KINDS)))].encode()


def test_fuzz_native_cache_lookup(entry, tmp_path):
    folder = tmp_path / "native"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    key = entry["key"]
    record_path = folder / f"{key}.json"
    library_path = folder / entry["name"]
    library_path.write_bytes(entry["library"])
    (outside / "record.json").write_bytes(entry["record"])
    (outside / "library.so").write_bytes(entry["library"])
    decoy = b"\x7fELF another graph's library" * 50
    decoy_digest = hashlib.sha256(decoy).hexdigest()
    decoy_name = f"{'f' * 64}-{decoy_digest[:16]}.so"
    (folder / decoy_name).write_bytes(decoy)
    good_digest = hashlib.sha256(entry["library"]).hexdigest()
    root = os.getuid() == 0
    folder_fd = B._open_folder(folder, create=False)

    def clear(path):
        if path.is_symlink() or path.is_file() or (path.exists() and not path.is_dir()):
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)

    dirty = [False]  # the library was swapped or changed by the previous input

    def install(data):
        clear(record_path)
        if dirty[0]:
            clear(library_path)
            library_path.write_bytes(entry["library"])
            dirty[0] = False
        kind = data[len(KIND) :].decode(errors="replace") if data.startswith(KIND) else ""
        if kind not in KINDS:  # a record's bytes (a kind marker mutated further is bytes too)
            record_path.write_bytes(data)
            return ""
        target = record_path
        if kind.endswith("-library"):
            record_path.write_bytes(entry["record"])
            target = library_path
            dirty[0] = True
        if kind.startswith(("fifo", "dir", "link", "huge", "missing")):
            clear(target)
        elif target is record_path:
            record_path.write_bytes(entry["record"])
        if kind.startswith("fifo"):
            os.mkfifo(target)
        elif kind.startswith("dir"):
            target.mkdir()
        elif kind == "link-record-devzero":
            target.symlink_to("/dev/zero")
        elif kind.startswith("link"):
            target.symlink_to(outside / ("record.json" if target is record_path else "library.so"))
        elif kind.startswith("writable"):
            os.chmod(target, 0o666)
        elif kind == "huge-library":
            with open(target, "wb") as f:
                f.truncate(B.LIBRARY_MAX_BYTES + 1)  # sparse: the size check comes first
        elif kind.startswith("other-owner"):
            if root:
                os.chown(target, 65534, 65534)
            else:
                os.chmod(target, 0o622)  # without root: writable by others instead
        return kind

    def load(data):
        kind = install(data)
        fd = B._cached(folder_fd, key)
        if fd is None:
            raise Refused
        try:
            return B._fd_sha256(fd), kind
        finally:
            os.close(fd)

    try:
        report = fuzz.fuzz_loader(
            "native cache record",
            original=entry["record"],
            load=load,
            # every swapped kind must be refused, even a link to an identical copy
            equal=lambda loaded: loaded == (good_digest, ""),
            errors=(Refused,),
            n=fuzz.budget(1000),
            mutators=[
                *fuzz.byte_mutators(),
                *consistent_mutators(entry, decoy_name, decoy_digest),
                kind_mutator,
                kind_mutator,
            ],
            timeout=5.0,
        )
    finally:
        os.close(folder_fd)
    print(report.summary())
    report.check()
    assert report.counts["refused"] > report.counts["same"] > 0


def test_fuzz_native_cache_end_to_end(entry, tmp_path, monkeypatch):
    """Mutated records through ``build`` itself: every one ends in a working module (a hit when
    the record was harmless, a rebuild otherwise) and leaves a valid record behind."""
    folder = tmp_path / "cache" / "native"
    folder.mkdir(parents=True)
    library_path = folder / entry["name"]
    record_path = folder / f"{entry['key']}.json"
    compiles = []
    monkeypatch.setattr(B, "_compile", lambda *a: compiles.append(1) or entry["library"])
    monkeypatch.setattr(B, "_LOADED", {})
    monkeypatch.setenv("MIND_CACHE_DIR", str(folder.parent))

    def load(data):
        for path in (record_path, library_path):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
        library_path.write_bytes(entry["library"])
        if data == KIND + b"fifo-record":
            os.mkfifo(record_path)
        else:
            record_path.write_bytes(data)
        B._LOADED.clear()
        before = len(compiles)
        module, report = B.build(entry["source"], entry["functions"])
        assert hasattr(module.lib, entry["functions"][0])
        assert report["cache_hit"] == (len(compiles) == before)
        fd = B._open_folder(folder, create=False)
        try:
            found = B._cached(fd, entry["key"])
            assert found is not None, "no valid record after the build"
            os.close(found)
        finally:
            os.close(fd)
        return report["cache_hit"]

    report = fuzz.fuzz_loader(
        "native cache build",
        original=entry["record"],
        load=load,
        equal=lambda hit: True,
        errors=(),
        n=40,
        mutators=[
            *fuzz.byte_mutators(),
            *consistent_mutators(entry, "x", "0" * 64),
            kind_mutator,
        ],
        timeout=20.0,
    )
    print(report.summary())
    report.check()
    assert compiles  # some inputs were refused and rebuilt
