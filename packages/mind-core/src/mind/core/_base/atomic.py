"""Writing a file all-or-nothing, the one way mind-core does it: checkpoints, MindIR, ONNX, the
compiler's IR dumps and the native build cache all call :func:`write_atomic`. Readers see the old
file or the whole new one, never a half-written one, whatever kills the writer."""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Sequence
from contextlib import suppress

try:
    import fcntl
except ImportError:  # Windows: no flock, so stale temporaries cannot be told from live ones
    fcntl = None  # type: ignore[assignment]

__all__ = ["write_atomic"]


def write_atomic(
    path: str,
    payload: bytes | Sequence[bytes | memoryview],
    mode: int | None = None,
    *,
    dir_fd: int | None = None,
) -> None:
    """Write ``path`` all-or-nothing: a temporary file beside it, fsync, then ``os.replace``.

    ``payload``: the bytes, or a sequence of byte buffers written one after the other. ``mode``:
    the file's permissions, regardless of the umask (default: as the umask says). ``dir_fd``: a
    descriptor of the folder, ``path`` then being a bare name in it, opened without following
    links (the native build cache, whose folder was checked once and is never looked up again).

    The temporary is ``.<name>.<12 hex>.tmp`` and this writer holds an exclusive ``flock`` on it
    until it is renamed, so a writer killed with SIGKILL leaves a temporary nobody holds. Before
    writing, every such temporary of the same ``path`` whose lock can be taken is removed
    (:func:`_remove_stale_temporaries`): kill -9 leaves garbage for one write at most.
    """
    chunks = (payload,) if isinstance(payload, bytes | bytearray | memoryview) else payload
    if dir_fd is not None:
        _write_in_folder(dir_fd, path, chunks, mode)
        return
    directory = os.path.dirname(os.path.abspath(path))
    _remove_stale_temporaries(path)
    fd, tmp = _locked_temporary(directory, os.path.basename(path))
    try:
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with open(fd, "wb", closefd=False) as f:
            for chunk in chunks:
                f.write(chunk)
        os.fsync(fd)
        if fcntl is None:  # Windows renames no open file (and has no flock to hold)
            os.close(fd)
            fd = -1
        # Renamed while still locked: a cleaner that opened the temporary cannot take it now.
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        if fd >= 0:
            os.close(fd)
    # Make the rename itself durable; not every platform can open a directory.
    with suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _temporary_pattern(basename: str) -> re.Pattern[str]:
    """The names :func:`write_atomic` gives the temporaries of a file called ``basename``."""
    return re.compile(rf"\.{re.escape(basename)}\.[0-9a-f]{{12}}\.tmp")


def _locked_temporary(directory: str, basename: str) -> tuple[int, str]:
    """Create and lock a new temporary; ``(fd, path)``."""
    for _ in range(100):
        tmp = os.path.join(directory, f".{basename}.{secrets.token_hex(6)}.tmp")
        # os.open with 0o666 lets the umask decide the mode, as for any new file (mkstemp: 0600).
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(tmp, flags, 0o666)
        if fcntl is None:
            return fd, tmp
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # waits only while a cleaner briefly holds it
            except OSError:  # a file system without locks: no cleaner can lock it either
                return fd, tmp
            # A cleaner may have taken the lock between os.open and flock (it took the new file
            # for a dead writer's) and removed the name: then start again under a new one.
            if _same_file(os.fstat(fd), tmp):
                return fd, tmp
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise OSError(f"could not create a temporary file in '{directory}'")


def _same_file(st: os.stat_result, name: str) -> bool:
    try:
        now = os.lstat(name)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)


def _remove_stale_temporaries(path: str) -> list[str]:
    """Remove the temporaries of ``path`` that killed writers left; return their paths.

    A temporary is stale when its ``flock`` can be taken: a live writer holds it until the
    rename. Anything that is not a regular file (a FIFO, a symlink) is left alone and never
    waited on. Errors are ignored: cleaning up must never fail a write. Without ``fcntl``
    (Windows) nothing is removed.
    """
    if fcntl is None:
        return []
    directory = os.path.dirname(os.path.abspath(path))
    pattern = _temporary_pattern(os.path.basename(path))
    try:
        names = [name for name in os.listdir(directory) if pattern.fullmatch(name)]
    except OSError:
        return []
    removed = []
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    for name in names:
        tmp = os.path.join(directory, name)
        try:
            fd = os.open(tmp, flags)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer's
            # Still the file we locked under that name (not renamed away and replaced)?
            if _same_file(st, tmp):
                with suppress(OSError):
                    os.unlink(tmp)
                    removed.append(tmp)
        finally:
            os.close(fd)
    return removed


def _write_in_folder(folder: int, name: str, chunks: Sequence, mode: int | None) -> None:
    """``write_atomic`` of ``name`` inside the folder descriptor ``folder``: no link is followed,
    the temporary is created exclusively under a random name."""
    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, 0o600, dir_fd=folder)
    try:
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            for chunk in chunks:
                view = memoryview(chunk).cast("B")
                while view:
                    view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        raise
    with suppress(OSError):
        os.fsync(folder)
