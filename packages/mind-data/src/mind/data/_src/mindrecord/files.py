"""File names, temporary files, fsync and hashing for MindRecord datasets.

A dataset ``name`` with ``N`` shards is the shard files (``name`` itself when ``N == 1``,
``name0`` .. ``name{N-1}`` otherwise, as MindSpore names them) and the header ``name.meta.json``.
Everything is written to a hidden temporary file in the same directory first, so the final
rename stays within one file system and is atomic.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from contextlib import suppress

__all__ = [
    "HEADER_SUFFIX",
    "fsync_dir",
    "header_path",
    "remove_quietly",
    "seal",
    "sha256_of",
    "shard_names",
    "temp_path",
    "write_atomic",
]

HEADER_SUFFIX = ".meta.json"
_CHUNK = 1 << 20


def shard_names(name: str, shard_num: int) -> list[str]:
    """The shard file paths of dataset ``name``, named as MindSpore names them."""
    return [name] if shard_num == 1 else [f"{name}{i}" for i in range(shard_num)]


def header_path(name: str) -> str:
    return name + HEADER_SUFFIX


def temp_path(final: str) -> str:
    """A fresh hidden name beside ``final``; readers never look at it."""
    directory, base = os.path.split(final)
    return os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")


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


def write_atomic(path: str, payload: bytes) -> None:
    """Write ``path`` all-or-nothing: a temporary file beside it, fsync, then ``os.replace``."""
    tmp = temp_path(path)
    # os.open with 0o666 lets the umask decide the mode, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_dir(os.path.dirname(os.path.abspath(path)))


def fsync_dir(directory: str) -> None:
    """Make renames in ``directory`` durable; not every platform can open a directory."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove_quietly(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)
