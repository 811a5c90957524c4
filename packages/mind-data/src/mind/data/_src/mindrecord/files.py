"""File names, temporary files, fsync, locking and hashing for MindRecord datasets.

A dataset ``name`` is its header ``name.meta.json`` and the shard files that header lists. Each
commit writes its shards under names of its own, ``name.<id12>.<k>.arrow``: ``<id12>`` is the
first 12 hex digits of the write's random ``dataset_id`` and ``<k>`` the shard index, zero-padded
to the width of the largest index. So a new write never touches a file of the dataset it
replaces, and replacing the header is the single moment the dataset changes. Everything is
written to a hidden temporary file in the same directory first (``.<final name>.<random>.tmp``),
so every rename stays within one file system and is atomic. A writer holds an exclusive
``flock`` on each of its temporaries while it lives (:func:`hold`), so the temporaries a killed
writer left are told from a live writer's by whether their lock can be taken
(:func:`stale_temporaries`).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import xxhash

__all__ = [
    "DIGESTS",
    "HEADER_SUFFIX",
    "SHARD_SUFFIX",
    "bad_file_name",
    "commit_lock",
    "dataset_of_shard",
    "digest_of",
    "fsync_dir",
    "header_path",
    "hold",
    "open_regular",
    "release",
    "remember_digest",
    "remove_quietly",
    "remove_stale",
    "seal",
    "shard_names",
    "stale_temporaries",
    "stray_shards",
    "temp_path",
    "write_atomic",
    "write_temp",
]

HEADER_SUFFIX = ".meta.json"
SHARD_SUFFIX = ".arrow"
ID_CHARS = 12  # how much of the dataset id a shard's name carries
CHUNK = 1 << 20
# The shard digest the header records, by its key there: SHA-256 up to format version 3,
# XXH3-128 from version 4 (a tenth of SHA-256's cost; see header.py for why it is enough).
DIGESTS = {"sha256": hashlib.sha256, "xxh3_128": xxhash.xxh3_128}
DIGEST_NAMES = {"sha256": "SHA-256", "xxh3_128": "XXH3-128"}  # for messages
WRITTEN_DIGEST = "xxh3_128"  # what a writer of this version records
# ``<name>.<12 hex digits>.<index>.arrow``: group 1 is the dataset name.
_SHARD_NAME = re.compile(rf"^(.+)\.[0-9a-f]{{{ID_CHARS}}}\.[0-9]+{re.escape(SHARD_SUFFIX)}\Z")
# ``.<final name>.<12 hex digits>.tmp``, as temp_path names them: group 1 is the final name.
_TEMP_NAME = re.compile(r"^\.(.+)\.[0-9a-f]{12}\.tmp\Z")
# O_NOFOLLOW: a symlink is refused, not followed; O_NONBLOCK: opening a FIFO returns at once
# (and fstat then refuses it) instead of waiting for a writer that never comes.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)
_log = logging.getLogger("mind.data")


def bad_file_name(name: str) -> str | None:
    """Why ``name`` (a file name read from a header) cannot name a file beside it, or None.

    A name from a header is data, never a path: no NUL, no lone surrogate (it must encode as
    UTF-8), no separator, not empty, ``.`` or ``..``, no ``..`` anywhere, at most 255 bytes.
    """
    if not isinstance(name, str) or not name:
        return "must be a non-empty str"
    if "\x00" in name:
        return "contains a NUL character"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8 (it holds a lone surrogate)"
    if len(encoded) > 255:
        return f"is {len(encoded)} bytes long; a file name has at most 255"
    seps = {"/", "\\", os.sep} | ({os.altsep} if os.altsep else set())
    if any(sep in name for sep in seps) or ".." in name or name == ".":
        return "must be a plain file name beside the header (no separator, no '..')"
    return None


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """Open ``path`` read-only if it is a regular file and not a symlink; (fd, its fstat).

    Raises OSError (``ELOOP`` for a symlink, ``EINVAL`` for a FIFO, device or directory);
    the check is on the opened descriptor, so the file cannot be swapped in between.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


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
        if path in kept or os.path.lexists(header_path(path)) or not _is_regular(path):
            continue
        out.append(path)
    return sorted(out)


def _is_regular(path: str) -> bool:
    """A regular file, not a symlink to one (a link is never removed as ours)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


# Live writers hold an exclusive flock on each of their temporary files (``hold``); a killed
# writer's locks vanish with it. So a temporary whose lock can be taken is garbage.
_held: dict[str, int] = {}


def hold(path: str) -> None:
    """Mark the temporary ``path`` as in use by this process until :func:`release`."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: temporaries are never cleaned
        return
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return
    key = os.path.abspath(path)
    old = _held.pop(key, None)
    if old is not None:
        os.close(old)
    _held[key] = fd


def release(path: str) -> None:
    fd = _held.pop(os.path.abspath(path), None)
    if fd is not None:
        with suppress(OSError):
            os.close(fd)


def stale_temporaries(name: str) -> list[str]:
    """Hidden temporaries of writes of dataset ``name`` whose writer is gone, sorted.

    A temporary is ``.<final>.<12 hex>.tmp`` beside ``name`` where ``<final>`` is the header
    ``<base>.meta.json`` or a shard ``<base>.<id12>.<k>.arrow``; it is stale when no process
    holds its lock (a live writer holds one on each of its temporaries). Symlinks and
    anything not a regular file are never listed.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return []
    directory, base = os.path.split(os.path.abspath(name))
    try:
        entries = os.listdir(directory)
    except OSError:
        return []
    out = []
    for entry in entries:
        match = _TEMP_NAME.match(entry)
        if not match:
            continue
        final = match.group(1)
        shard = _SHARD_NAME.match(final)
        if final != base + HEADER_SUFFIX and not (shard and shard.group(1) == base):
            continue
        path = os.path.join(directory, entry)
        if path in _held:
            continue
        try:
            fd, _ = open_regular(path)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live writer holds it
        finally:
            os.close(fd)
        out.append(path)
    return sorted(out)


def remove_stale(name: str, paths: Iterable[str], what: str) -> list[str]:
    """Remove ``paths`` (left by killed writes of ``name``); the ones removed."""
    removed = []
    for path in paths:
        try:
            os.unlink(path)
        except OSError as exc:
            _log.warning("could not remove %s %s of %s: %s", what, path, name, exc)
            continue
        removed.append(path)
    return removed


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
    """fsync ``path`` and return its size and :data:`WRITTEN_DIGEST`, read back in one pass
    (from the page cache: the file was just written)."""
    # O_RDWR, not O_RDONLY: some platforms refuse to fsync a descriptor opened read-only.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
        size, digest = _hash_fd(fd, WRITTEN_DIGEST)
    finally:
        os.close(fd)
    return size, digest


def _hash_fd(fd: int, kind: str) -> tuple[int, str]:
    """(size, hex digest of hash ``kind``) of what the open file ``fd`` holds from its offset."""
    digest = DIGESTS[kind]()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    size = 0
    with os.fdopen(fd, "rb", buffering=0, closefd=False) as f:
        while n := f.readinto(buffer):
            digest.update(view[:n])
            size += n
    return size, digest.hexdigest()


# Digests this process computed or wrote, by (hash, device, inode, size, mtime, ctime): a file
# whose identity and times are unchanged since has the same bytes (any write moves mtime and
# ctime, and ctime cannot be set back), so a commit that replaces a dataset this process wrote
# or hashed does not read its shards again to prove them.
_DIGESTS: dict[tuple[Any, ...], str] = {}
_DIGESTS_MAX = 4096


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def remember_digest(path: str, kind: str, digest: str) -> None:
    """Record that the file now at ``path`` has digest ``digest`` of hash ``kind`` (a key of
    :data:`DIGESTS`): it was just written."""
    try:
        info = os.lstat(path)
    except OSError:
        return
    if len(_DIGESTS) >= _DIGESTS_MAX:
        _DIGESTS.clear()
    _DIGESTS[(kind, *_identity(info))] = digest


def digest_of(path: str, kind: str, remembered: bool = True) -> str:
    """The digest of hash ``kind`` (a key of :data:`DIGESTS`) of the regular file ``path``
    (OSError for a symlink, FIFO or device); ``remembered=False`` reads the file even when this
    process knows its digest (``verify``, which looks for damage the file's times do not show)."""
    fd, info = open_regular(path)
    key = (kind, *_identity(info))
    try:
        known = _DIGESTS.get(key) if remembered else None
        if known is not None:
            return known
        _, digest = _hash_fd(fd, kind)
    finally:
        os.close(fd)
    if len(_DIGESTS) >= _DIGESTS_MAX:
        _DIGESTS.clear()
    _DIGESTS[key] = digest
    return digest


def write_temp(final: str, payload: bytes) -> str:
    """Write ``payload`` to a fresh hidden temporary file beside ``final``, fsynced; its path."""
    tmp = temp_path(final)
    # os.open with 0o666 lets the umask decide the mode, as for any new file.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    hold(tmp)
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
    release(tmp)
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
    release(path)
    with suppress(OSError):
        os.unlink(path)
