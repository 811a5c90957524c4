"""The native device's compile cache on a shared machine: what it refuses, where it falls back,
and a second user's attempt to swap the library between write and load.

One tiny graph is compiled once for the module; every other case copies its cache entry and
stubs the compiler with the same bytes, so the tests cost no further C builds.
"""

import ctypes
import hashlib
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core._base import native_build as B
from mind.core.testing import cache_dir

NOBODY = 65534


@pytest.fixture(scope="module")
def entry(tmp_path_factory):
    """A real cache entry: (key, source, functions, library bytes, record bytes)."""
    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="native")
    try:
        f = ms.jit(lambda x: ops.relu(x * 2.0 + 1.0).sum())
        assert f(Tensor(np.arange(4, dtype=np.float32))).item() == 16.0
        (compiled,) = f.cache.values()
    finally:
        ms.set_context(device_target="cpu")
    plan = compiled.executable.plan
    key = B.cache_key(plan.source)
    folder = tmp_path_factory.mktemp("entry") / "native"
    with cache_dir(folder.parent):
        saved = dict(B._LOADED)
        B._LOADED.clear()
        try:
            _, report = B.build(plan.source, plan.functions)  # from the session cache, or built
        finally:
            B._LOADED.clear()
            B._LOADED.update(saved)
    library = Path(report["library"])
    return {
        "key": key,
        "source": plan.source,
        "functions": plan.functions,
        "library": library.read_bytes(),
        "name": library.name,
        "record": library.with_name(f"{key}.json").read_bytes(),
    }


@pytest.fixture
def cache(tmp_path, entry, monkeypatch):
    """A private cache holding ``entry``, the compiler stubbed (``cache.compiles`` counts its
    calls), nothing loaded in-process and no warnings given yet."""
    folder = tmp_path / "cache" / "native"
    folder.mkdir(parents=True)
    (folder / entry["name"]).write_bytes(entry["library"])
    (folder / f"{entry['key']}.json").write_bytes(entry["record"])
    compiles = []

    def fake_compile(source, functions, declarations, module_name, blas, *options):
        compiles.append(module_name)
        return entry.get("rebuilt", entry["library"])

    monkeypatch.setattr(B, "_compile", fake_compile)
    monkeypatch.setattr(B, "_LOADED", {})
    monkeypatch.setattr(B, "_WARNED", set())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the per-user fallback goes here
    monkeypatch.setenv("MIND_CACHE_DIR", str(folder.parent))

    class Cache:
        path = folder
        record = folder / f"{entry['key']}.json"
        library = folder / entry["name"]

        @staticmethod
        def lookup():
            fd = B._open_folder(folder, create=False)
            try:
                found = B._cached(fd, entry["key"])
            finally:
                os.close(fd)
            if found is not None:
                os.close(found)
            return found is not None

        @staticmethod
        def build():
            return B.build(entry["source"], entry["functions"])

    Cache.compiles = compiles
    return Cache


def no_hang(seconds=5):
    """SIGALRM after ``seconds``: a test that would wait on a FIFO fails instead of hanging."""

    def fire(signum, frame):
        raise AssertionError(f"hung for {seconds} s")

    signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)


@pytest.fixture(autouse=True)
def _alarm_off():
    handler = signal.getsignal(signal.SIGALRM)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, handler)


def test_a_hit_loads_through_the_checked_descriptor(cache, entry):
    module, report = cache.build()
    assert report["cache_hit"] and cache.compiles == []
    assert report["library"] == str(cache.library)
    # dlopen went through /proc/self/fd/<fd>, and that descriptor is still the checked library
    fd = int(module.__file__.rsplit("/", 1)[1])
    assert module.__file__ == f"/proc/self/fd/{fd}"
    assert os.path.samestat(os.fstat(fd), os.stat(cache.library))
    assert hasattr(module.lib, entry["functions"][0])


def test_the_checked_descriptor_is_what_loads_even_when_the_name_is_swapped(cache, entry):
    folder = B._open_folder(cache.path, create=False)
    try:
        fd = B._cached(folder, entry["key"])
    finally:
        os.close(folder)
    assert fd is not None
    junk = cache.path / "junk"
    junk.write_bytes(b"not a library")
    os.replace(junk, cache.library)  # after the check, before the load
    module = B._load(fd, f"_mind_native_{entry['key'][:32]}")
    assert hasattr(module.lib, entry["functions"][0])


def test_a_fifo_record_is_refused_without_waiting(cache):
    cache.record.unlink()
    os.mkfifo(cache.record)
    no_hang()
    assert not cache.lookup()
    module, report = cache.build()
    assert not report["cache_hit"] and len(cache.compiles) == 1
    assert stat.S_ISREG(os.lstat(cache.record).st_mode)  # the rebuild replaced it
    assert cache.lookup()


def test_a_directory_record_is_refused_and_the_module_still_builds(cache, caplog):
    cache.record.unlink()
    cache.record.mkdir()
    assert not cache.lookup()
    with caplog.at_level(logging.WARNING, "mind.core.native"):
        module, report = cache.build()
    assert not report["cache_hit"] and len(cache.compiles) == 1
    assert "could not write to the compile cache" in caplog.text  # the directory stays
    assert report["library"] is None and hasattr(module, "lib")


@pytest.mark.parametrize(
    "text",
    [
        '{"library": ' + "[" * 2000 + "]" * 2000 + "}",
        "[" * 4000,
        '{"a": {"b": {"c": 1}}}',
        "{" * 4000,
        '"just a string"',
    ],
    ids=["deep-list", "deep-open", "nested", "deep-brace", "string"],
)
def test_nested_or_non_object_records_are_refused(cache, text):
    cache.record.write_text(text)
    assert not cache.lookup()


def test_a_record_larger_than_the_limit_is_refused(cache):
    record = json.loads(cache.record.read_text())
    cache.record.write_text(json.dumps(record) + " " * B.RECORD_MAX_BYTES)
    assert not cache.lookup()
    cache.record.write_text(json.dumps(record, indent=8))  # same fields, other spacing: fine
    assert cache.lookup()


def test_links_are_never_followed_for_records_or_libraries(cache, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.move(cache.library, outside / cache.library.name)
    cache.library.symlink_to(outside / cache.library.name)
    assert not cache.lookup()
    cache.library.unlink()
    shutil.move(outside / cache.library.name, cache.library)
    assert cache.lookup()
    shutil.move(cache.record, outside / cache.record.name)
    cache.record.symlink_to(outside / cache.record.name)
    assert not cache.lookup()


def test_files_others_can_write_are_refused(cache):
    os.chmod(cache.library, 0o666)
    assert not cache.lookup()
    os.chmod(cache.library, 0o644)
    os.chmod(cache.record, 0o646)
    assert not cache.lookup()


@pytest.mark.parametrize(
    "edit",
    [
        lambda r, k: {**r, "library": "../" + r["library"]},
        lambda r, k: {**r, "library": "sub/" + r["library"]},
        lambda r, k: {**r, "library": r["library"] + "\0"},
        lambda r, k: {**r, "sha256": "0" * 64},
        lambda r, k: {**r, "sha256": r["sha256"].upper()},
        lambda r, k: {**r, "sha256": 7},
        lambda r, k: {**r, "compiler_version": "0"},
        lambda r, k: {**r, "extra": "x"},
        lambda r, k: {"library": r["library"], "sha256": r["sha256"]},
    ],
    ids=["dotdot", "separator", "nul", "digest", "upper", "int", "version", "extra", "missing"],
)
def test_records_with_edited_fields_are_refused(cache, edit, entry):
    record = json.loads(cache.record.read_text())
    cache.record.write_text(json.dumps(edit(record, entry["key"])))
    assert not cache.lookup()


def test_a_consistent_record_naming_a_bad_library_is_rebuilt(cache, entry):
    bad = b"\x7fELF not a library" * 100
    digest = hashlib.sha256(bad).hexdigest()
    name = f"{entry['key']}-{digest[:16]}.so"
    (cache.path / name).write_bytes(bad)
    record = {"library": name, "sha256": digest, "compiler_version": B.COMPILER_VERSION}
    cache.record.write_text(json.dumps(record))
    assert cache.lookup()  # consistent: only loading it shows it is bad
    module, report = cache.build()
    assert not report["cache_hit"] and len(cache.compiles) == 1
    assert hasattr(module.lib, entry["functions"][0])
    assert json.loads(cache.record.read_text())["library"] == entry["name"]
    assert not (cache.path / name).exists()  # the bad one is gone


def test_a_rebuilt_library_that_does_not_load_raises(cache, entry):
    entry["rebuilt"] = b"garbage, not ELF"
    try:
        cache.record.unlink()
        with pytest.raises(B.NativeBuildError, match="does not load"):
            cache.build()
    finally:
        del entry["rebuilt"]


def test_a_cache_root_others_can_write_falls_back_to_a_private_per_user_folder(
    cache, tmp_path, caplog
):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)  # no sticky bit: anyone could swap 'native' under it
    os.environ["MIND_CACHE_DIR"] = str(shared)
    fallback = tmp_path / f"mind-cache-{os.getuid()}" / "native"
    assert B.fallback_dir() == fallback
    with caplog.at_level(logging.WARNING, "mind.core.native"):
        _, first = cache.build()
        B._LOADED.clear()
        _, second = cache.build()
    warnings = [r for r in caplog.records if "not private to this user" in r.getMessage()]
    assert len(warnings) == 1 and "writable by others without the sticky bit" in caplog.text
    assert not first["cache_hit"] and second["cache_hit"] and len(cache.compiles) == 1
    assert Path(second["library"]).parent == fallback
    assert stat.S_IMODE(os.stat(fallback.parent).st_mode) == 0o700
    assert os.listdir(shared) == []  # nothing was written into the shared root


def test_a_fallback_that_is_not_private_either_builds_without_a_cache(
    cache, tmp_path, caplog, entry
):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    os.environ["MIND_CACHE_DIR"] = str(shared)
    (tmp_path / f"mind-cache-{os.getuid()}").mkdir()
    os.chmod(tmp_path / f"mind-cache-{os.getuid()}", 0o777)
    with caplog.at_level(logging.WARNING, "mind.core.native"):
        module, report = cache.build()
    assert "built without caching" in caplog.text
    assert report["library"] is None and not report["cache_hit"]
    assert len(cache.compiles) == 1 and hasattr(module.lib, entry["functions"][0])
    assert os.listdir(tmp_path / f"mind-cache-{os.getuid()}") == []


def test_a_link_of_this_users_in_a_private_folder_is_followed(cache, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(cache.path.parent)
    os.environ["MIND_CACHE_DIR"] = str(link)
    _, report = cache.build()
    assert report["cache_hit"]
    assert B._open_folder(link / "native", create=False) >= 0


# ------------------------------------------------------------------------------------------------
# The attack: a second user swaps the library between write and load
# ------------------------------------------------------------------------------------------------

_EVIL = r"""
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
    int fd = open(MARKER, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) { write(fd, "pwned", 5); close(fd); }
}
"""

_VICTIM = textwrap.dedent(
    """
    import json, os, numpy as np, mind.core as ms
    from mind.core import Tensor, ops
    from mind.core._base import native_build as build
    ms.set_context(device_target="native")
    f = ms.jit(lambda x: ops.relu(x * 3.0 - 1.0).sum())
    out = f(Tensor(np.arange(6, dtype=np.float32)))
    (compiled,) = f.cache.values()
    loaded = os.readlink(f"/proc/self/fd/{list(build._KEPT.values())[-1]}")
    key = build.cache_key(compiled.executable.plan.source)
    print(json.dumps({"out": out.item(), "loaded": loaded, "key": key,
                      "cache_hit": compiled.executable.report["cache_hit"]}))
    """
)


def _attacker(base: Path, evil: bytes) -> None:
    """Run as uid 65534 (forked): replace every library it can reach under the shared folders
    with ``evil``, and once the victim's key is known plant a consistent record for it."""
    stop = base / "stop"
    count = base / "attacker" / "count"
    targets = [base / "shared", base / "open"]
    digest = hashlib.sha256(evil).hexdigest()
    done = reported = 0
    deadline = time.monotonic() + 120
    while not stop.exists() and time.monotonic() < deadline:
        key_file = base / "key"
        key = key_file.read_text() if key_file.exists() else ""
        for top in targets:
            for folder, _dirs, files in os.walk(top):
                folder = Path(folder)
                for name in files:
                    path = folder / name
                    try:
                        if ".so" in name and path.lstat().st_uid != NOBODY:
                            tmp = folder / f".evil{done}"
                            tmp.write_bytes(evil)
                            os.replace(tmp, path)
                            done += 1
                    except OSError:
                        pass
                if len(key) == 64 and folder.name == "native":
                    try:
                        (folder / f"{key}-{digest[:16]}.so").write_bytes(evil)
                        record = {"library": f"{key}-{digest[:16]}.so", "sha256": digest}
                        record["compiler_version"] = B.COMPILER_VERSION
                        (folder / f"{key}.json").write_text(json.dumps(record))
                        done += 1
                    except OSError:
                        pass
        if done != reported:
            count.write_text(str(done))
            reported = done
        time.sleep(0.005)


@pytest.fixture
def arena():
    """A folder under the system tempdir that uid 65534 can reach (tmp_path's parents are 0700)."""
    base = Path(tempfile.mkdtemp(prefix="mind-attack-", dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0,
    reason="needs root: the attack runs as a second user (uid 65534) forked from the test",
)
def test_a_second_user_cannot_get_their_library_loaded(arena):
    base = arena
    marker = base / "marker"
    attacker_dir = base / "attacker"
    attacker_dir.mkdir()
    for name, code in (("evil", _EVIL), ("plain", "int plain(void) { return 1; }\n")):
        (attacker_dir / f"{name}.c").write_text(code)
        subprocess.run(
            ["cc", "-shared", "-fPIC", f'-DMARKER="{marker}"', "-o", f"{name}.so", f"{name}.c"],
            cwd=attacker_dir,
            check=True,
            capture_output=True,
        )
    evil = (attacker_dir / "evil.so").read_bytes()
    # a world-writable cache root (and 'native' in it) pre-created by the other user
    (base / "shared" / "native").mkdir(parents=True)
    # a shared parent without the sticky bit: 'cache' under it could be swapped
    (base / "open").mkdir(mode=0o777)
    # a sticky parent in which the other user planted a link to where the victim caches
    (base / "sticky").mkdir()
    (base / "tmp").mkdir(mode=0o755)
    for path in (base / "shared", base / "shared" / "native", attacker_dir):
        os.chown(path, NOBODY, NOBODY)
        os.chmod(path, 0o777)
    os.chmod(base / "open", 0o777)
    os.chmod(base / "sticky", 0o1777)
    os.symlink(base / "tmp", base / "sticky" / "cache")
    os.lchown(base / "sticky" / "cache", NOBODY, NOBODY)

    pid = os.fork()
    if pid == 0:  # the attacker
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            _attacker(base, evil)
        finally:
            os._exit(0)
    try:
        # Control: the attacker does reach a library that is loaded by path from the shared
        # folder (the old behaviour), and its constructor runs.
        control = base / "shared" / "native" / "control.so"
        shutil.copy(attacker_dir / "plain.so", control)
        deadline = time.monotonic() + 20
        while control.stat().st_uid != NOBODY and time.monotonic() < deadline:
            time.sleep(0.01)
        ctypes.CDLL(str(control))
        assert marker.exists(), "the attack harness did not work: the control was not hijacked"
        marker.unlink()

        with pytest.raises(B._NotPrivate, match="is a link owned by uid 65534"):
            B._open_folder(base / "sticky" / "cache", create=True)
        with pytest.raises(B._NotPrivate, match="writable by others without the sticky bit"):
            B._open_folder(base / "open" / "cache", create=True)

        def victim(root):
            done = subprocess.run(
                [sys.executable, "-c", _VICTIM],
                env={**os.environ, "TMPDIR": str(base / "tmp"), "MIND_CACHE_DIR": str(root)},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert not marker.exists(), f"the victim ran the other user's library:\n{done.stderr}"
            assert done.returncode == 0, done.stderr
            assert "is not private to this user" in done.stderr
            return json.loads(done.stdout.strip().splitlines()[-1])

        first = victim(base / "shared")  # compiles: the write-to-load window is open
        (base / "key").write_text(first["key"])  # now the attacker plants a consistent record
        planted = base / "shared" / "native" / f"{first['key']}.json"
        deadline = time.monotonic() + 20
        while not planted.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert planted.stat().st_uid == NOBODY
        second = victim(base / "shared")
        assert first["out"] == second["out"] == 40.0
        assert not first["cache_hit"] and second["cache_hit"]
        fallback = base / "tmp" / "mind-cache-0" / "native"
        assert Path(first["loaded"]).parent == Path(second["loaded"]).parent == fallback
    finally:
        (base / "stop").touch()
        os.waitpid(pid, 0)
    assert not marker.exists(), "the victim ran the other user's library"
    assert int((attacker_dir / "count").read_text()) > 1  # it swapped and planted files
