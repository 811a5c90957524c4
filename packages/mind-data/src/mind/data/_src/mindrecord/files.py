"""File names, temporary files, fsync, locking and hashing for MindRecord datasets.

A dataset ``name`` is its header ``name.meta.json`` and the shard files that header lists. Each
commit writes its shards under names of its own, ``name.<id12>.<k>.arrow``: ``<id12>`` is the
first 12 hex digits of the write's random ``dataset_id`` and ``<k>`` the shard index, zero-padded
to the width of the largest index. So a new write never touches a file of the dataset it
replaces, and replacing the header is the single moment the dataset changes. Everything is
written to a hidden temporary file in the same directory first (``.<final name>.<random>.tmp``),
so every rename stays within one file system and is atomic.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress

__all__ = [
    "HEADER_SUFFIX",
    "SHARD_SUFFIX",
    "commit_lock",
    "dataset_of_shard",
    "fsync_dir",
    "header_path",
    "remove_quietly",
    "seal",
    "sha256_of",
    "shard_names",
    "stray_shards",
    "temp_path",
    "write_atomic",
    "write_temp",
]

HEADER_SUFFIX = ".meta.json"
SHARD_SUFFIX = ".arrow"
ID_CHARS = 12  # how much of the dataset id a shard's name carries
_CHUNK = 1 << 20
# ``<name>.<12 hex digits>.<index>.arrow``: group 1 is the dataset name.
_SHARD_NAME = re.compile(rf"^(.+)\.[0-9a-f]{{{ID_CHARS}}}\.[0-9]+{re.escape(SHARD_SUFFIX)}$")


def shard_names(name: str, shard_num: int, dataset_id: str) -> list[str]:
    """The shard file paths of the write ``dataset_id`` of dataset ``name``."""
    width = len(str(shard_num - 1))
    tag = dataset_id[:ID_CHARS]
    return [f"{name}.{tag}.{i:0{width}d}{SHARD_SUFFIX}" for i in range(shard_num)]


def dataset_of_shard(path: str) -> str | None:
    """The dataset name a shard path such as ``train.mindrecord.<id12>.0.arrow`` belongs to."""
    directory, base = os.path.split(path)
    match = _SHARD_NAME.match(base)
    return os.path.join(directory, match.group(1)) if match else None


def stray_shards(name: str, keep: Iterable[str]) -> list[str]:
    """Files named like shards of dataset ``name`` that are not in ``keep`` (paths), sorted.

    They are left by a write killed between moving its shards into place and replacing the
    header, or after replacing the header but before removing the replaced dataset's shards.
    A file that is itself the name of a dataset (it has a header) is never counted.
    """
    directory, base = os.path.split(os.path.abspath(name))
    kept = {os.path.abspath(p) for p in keep}
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    out = []
    for entry in entries:
        match = _SHARD_NAME.match(entry)
        if not match or match.group(1) != base:
            continue
        path = os.path.join(directory, entry)
        if path in kept or os.path.lexists(header_path(path)) or not os.path.isfile(path):
            continue
        out.append(path)
    return sorted(out)


def header_path(name: str) -> str:
    return name + HEADER_SUFFIX


def temp_path(final: str) -> str:
    """A fresh hidden name beside ``final``; readers never look at it."""
    directory, base = os.path.split(final)
    return os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")


@contextmanager
def commit_lock(directory: str) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``directory`` while a commit publishes its files.

    Commits in one directory then never interleave: one commit's removal of stray shards cannot
    remove the shards another commit has just moved into place. Where ``flock`` is missing or
    refused (Windows, some network file systems) commits go on unlocked.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def seal(path: str) -> tuple[int, str]:
    """fsync ``path`` and return its size and SHA-256, read back in one pass."""
    digest = hashlib.sha256()
    size = 0
    # O_RDWR, not O_RDONLY: some platforms refuse to fsync a descriptor opened read-only.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        while chunk := os.read(fd, _CHUNK):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(fd)
    finally:
        os.close(fd)
    return size, digest.hexdigest()


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_temp(final: str, payload: bytes) -> str:
    """Write ``payload`` to a fresh hidden temporary file beside ``final``, fsynced; its path."""
    tmp = temp_path(final)
    # os.open with 0o666 lets the umask decide the mode, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        remove_quietly(tmp)
        raise
    return tmp


def write_atomic(path: str, payload: bytes) -> None:
    """Write ``path`` all-or-nothing: a temporary file beside it, fsync, then ``os.replace``."""
    tmp = write_temp(path, payload)
    try:
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def fsync_dir(directory: str, strict: bool = False) -> None:
    """Make renames in ``directory`` durable; not every platform can open a directory.

    With ``strict``, an I/O error of the fsync itself is raised (a platform that cannot open or
    fsync a directory at all is still tolerated).
    """
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if strict and exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP, errno.EACCES):
            raise
    finally:
        os.close(fd)


def remove_quietly(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)
