"""Building a generated C module with cffi, and the on-disk cache of built modules.

One module per graph: its source holds every native region's function, so the compiler runs once
per graph however many ops it has. Built modules are cached under ``MIND_CACHE_DIR`` (default:
``$XDG_CACHE_HOME/mind`` or ``~/.cache/mind``) in ``native/``, keyed by the SHA-256 of the source,
the compiler's version, the flags, the Python ABI, cffi's and OpenBLAS's versions and the CPU's
feature flags (``-march=native`` code runs only where it was built).

A cache entry is two files: ``<key>-<digest>.so`` (named by its own content's SHA-256 prefix) and
``<key>.json`` recording the library's file name and full SHA-256. Both are written to temporary
names and renamed into place, so concurrent processes building the same graph never see half a
file, and whichever record lands names a library that exists with the recorded digest.

The cache is safe on a machine shared with other users, who must never get their code run inside
this process:

- The cache folder is used only when it and every folder above it can be changed by nobody but
  this user and root: each is opened from ``/`` down, one component at a time, without following
  links (a link is followed only when it is this user's or root's, inside such a folder), and
  checked on the open descriptor: owned by this user or root, writable by nobody else (or
  sticky, as ``/tmp``); the cache folder itself must be this user's own. Otherwise the cache
  moves to a private per-user folder, ``<tempdir>/mind-cache-<uid>/native``, checked the same way
  (a warning says so once), and where that is not private either nothing is cached.
- A module is compiled in a fresh private temporary folder (0700) and its library written into
  the cache folder's descriptor under a temporary name, then renamed.
- A library is loaded only through a descriptor opened with ``O_NOFOLLOW`` whose owner, mode and
  SHA-256 were checked on that same descriptor: the dynamic loader opens
  ``/proc/self/fd/<fd>``, the very file that was checked, whatever happens to its name meanwhile.
- A record is read through a descriptor opened with ``O_NOFOLLOW | O_NONBLOCK`` (a FIFO is never
  waited on) and must be a regular file of at most 4 KiB holding one flat JSON object with
  exactly the expected string fields; anything else is refused and the module rebuilt. A library
  that fails to load is rebuilt once; when the rebuilt one fails too, :class:`NativeBuildError`.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import platform
import re
import stat
import sys
import threading
from collections import deque
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from mind.core._base.atomic import write_atomic
from mind.core.errors import NativeBuildError

__all__ = [
    "NativeBuildError",
    "abi_id",
    "build",
    "cache_dir",
    "fallback_dir",
    "load_built",
    "load_entry",
    "openblas",
    "store_entry",
]

#: Bumped whenever the code generator changes what a source means.
COMPILER_VERSION = "1"
FLAGS = (
    "-O3",
    "-march=native",
    "-fno-math-errno",
    # not -fno-trapping-math: with it GCC 12 turned the NaN-propagating max of max_pool2d into
    # code 30x slower (840 us against 28 us for LeNet's first pool)
    "-fopenmp-simd",  # honours '#pragma omp simd' (vectorized sums); no OpenMP runtime
    "-std=c11",
)

_LOCK = threading.Lock()
logger = logging.getLogger("mind.core.native")
_LOADED: dict[str, Any] = {}


def cache_dir() -> Path:
    root = os.environ.get("MIND_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "mind")
    return Path(root) / "native"


@lru_cache(maxsize=1)
def openblas() -> Any:
    """The scipy-openblas32 package, imported (its library loaded) with numpy's two-BLAS
    slowdown avoided: both OpenBLAS thread pools sleep soon after each call instead of spinning
    and taking the cores from each other."""
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    import scipy_openblas32

    return scipy_openblas32


@lru_cache(maxsize=1)
def _compiler_id() -> str:
    import subprocess  # here, not at import: a warm start (load_built) never runs a program

    cc = os.environ.get("CC") or "cc"
    try:
        done = subprocess.run(
            [cc, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise NativeBuildError(f"the native device needs a C compiler ('{cc}'): {exc}") from None
    return done.stdout.splitlines()[0] if done.stdout else cc


@lru_cache(maxsize=1)
def _cpu_id() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
        flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
        return hashlib.sha256(flags.encode()).hexdigest()[:16]
    except OSError:
        return platform.processor() or platform.machine()


#: Math functions whose loops vectorize when glibc's libmvec has SIMD versions of them: the build
#: defines ``MIND_MVEC_<name>`` for each one the library provides.
MVEC_FUNCTIONS = (
    "expf", "logf", "log1pf", "tanhf", "erff", "sinf", "cosf", "powf",
    "exp", "log", "log1p", "tanh", "erf", "sin", "cos", "pow",
)  # fmt: skip


@lru_cache(maxsize=1)
def _mvec() -> tuple[str, ...]:
    """The math functions glibc's libmvec vectorizes here (AVX2 and AVX-512 variants both
    present), so loops calling them vectorize; empty where there is no libmvec."""
    import ctypes
    import ctypes.util

    found = ctypes.util.find_library("mvec")
    if not found or not sys.platform.startswith("linux"):
        return ()
    try:
        lib = ctypes.CDLL(found)
    except OSError:
        return ()
    names = []
    for name in MVEC_FUNCTIONS:
        width = 8 if name.endswith("f") else 4
        lanes = "vv" if name.startswith("pow") else "v"
        avx2 = f"_ZGVdN{width}{lanes}_{name}"
        avx512 = f"_ZGVeN{width * 2}{lanes}_{name}"
        sse = f"_ZGVbN{width // 2}{lanes}_{name}"
        avx = f"_ZGVcN{width}{lanes}_{name}"
        if all(hasattr(lib, sym) for sym in (sse, avx, avx2, avx512)):
            names.append(name)
    return tuple(names)


def _flags() -> list[str]:
    return [*FLAGS, *(f"-DMIND_MVEC_{name}" for name in _mvec())]


def cache_key(source: str) -> str:
    import cffi

    blas = openblas()
    parts = [
        COMPILER_VERSION,
        source,
        _compiler_id(),
        " ".join(_flags()),
        sys.implementation.cache_tag or "",
        importlib.machinery.EXTENSION_SUFFIXES[0],
        cffi.__version__,
        blas.get_openblas_config(),
        _cpu_id(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# ------------------------------------------------------------------------------------------------
# Private folders: opened from '/' down, checked on each descriptor
# ------------------------------------------------------------------------------------------------

_O_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
# O_NONBLOCK: opening a FIFO planted where a file should be returns at once instead of waiting
_O_FILE = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_WRITABLE = stat.S_IWGRP | stat.S_IWOTH
_MAX_LINKS = 40
RECORD_MAX_BYTES = 4096
LIBRARY_MAX_BYTES = 1 << 30
_HEX64 = re.compile(r"[0-9a-f]{64}")
_RECORD_KEYS = frozenset({"library", "sha256", "compiler_version"})
#: Whether this platform can open folders and files relative to a folder's descriptor without
#: following links; where it cannot, nothing is cached.
_SAFE = (
    hasattr(os, "getuid")
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
    and os.open in os.supports_dir_fd
    and os.stat in os.supports_dir_fd
)
_WARNED: set[str] = set()
#: Descriptors of loaded libraries by (device, inode), never closed: glibc knows a loaded library
#: by the path it was opened with, so a later load through a reused '/proc/self/fd/<n>' would get
#: the old library; a library loaded again goes through the descriptor it was first loaded with.
_KEPT: dict[tuple[int, int], int] = {}


class _NotPrivate(Exception):
    """A folder that someone other than this user (or root) could change; the message says why."""


def _folder_problem(st: os.stat_result, last: bool) -> str:
    """Why a folder with this status may not hold (or lead to) the cache; '' when it may."""
    uid = os.getuid()
    if last:
        if st.st_uid != uid:
            return f"it belongs to uid {st.st_uid}, not to this user (uid {uid})"
        if st.st_mode & _WRITABLE:
            return f"it is writable by others (mode {stat.S_IMODE(st.st_mode):o})"
        return ""
    if st.st_uid not in (uid, 0):
        return f"it belongs to uid {st.st_uid}, neither this user (uid {uid}) nor root"
    if st.st_mode & _WRITABLE and not st.st_mode & stat.S_ISVTX:
        mode = stat.S_IMODE(st.st_mode)
        return f"it is writable by others without the sticky bit (mode {mode:o})"
    return ""


def _open_folder(path: Path | str, create: bool) -> int:
    """A descriptor of the folder ``path`` when it is private (module docstring); missing folders
    are created (0700) when ``create``. Raises :class:`_NotPrivate` saying which folder and why."""
    if not _SAFE:
        raise _NotPrivate("this platform cannot open folders without following links")
    parts = deque(p for p in os.path.abspath(os.fspath(path)).split(os.sep) if p)
    stack = [os.open(os.sep, _O_DIR)]
    shown = os.sep
    links = 0
    try:
        problem = _folder_problem(os.fstat(stack[0]), last=False)
        if problem:
            raise _NotPrivate(f"'{shown}': {problem}")
        while parts:
            name = parts.popleft()
            if name == ".":
                continue
            if name == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                shown = os.path.dirname(shown)
                continue
            parent = stack[-1]
            here = os.path.join(shown, name)
            try:
                st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                if not create:
                    raise _NotPrivate(f"'{here}' does not exist") from None
                with suppress(FileExistsError):
                    os.mkdir(name, 0o700, dir_fd=parent)
                st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                # Its folder passed the checks, so only this user or root could have put it there
                # (in a sticky folder anyone can: hence the owner check).
                if st.st_uid not in (os.getuid(), 0):
                    raise _NotPrivate(f"'{here}' is a link owned by uid {st.st_uid}")
                links += 1
                if links > _MAX_LINKS:
                    raise _NotPrivate(f"'{here}': too many levels of links")
                target = os.readlink(name, dir_fd=parent)
                if target.startswith(os.sep):
                    while len(stack) > 1:
                        os.close(stack.pop())
                    shown = os.sep
                parts.extendleft(reversed([p for p in target.split(os.sep) if p]))
                continue
            stack.append(os.open(name, _O_DIR | os.O_NOFOLLOW, dir_fd=parent))
            shown = here
            problem = _folder_problem(os.fstat(stack[-1]), last=False)
            if problem:
                raise _NotPrivate(f"'{here}': {problem}")
        # the folder reached (a link's '..' may end the walk above its last name) must be ours
        problem = _folder_problem(os.fstat(stack[-1]), last=True)
        if problem or len(stack) == 1:
            raise _NotPrivate(f"'{shown}': {problem or 'the root folder cannot hold the cache'}")
        return stack.pop()
    except OSError as exc:
        raise _NotPrivate(f"'{shown}': {exc.strerror or exc}") from None
    finally:
        for fd in stack:
            os.close(fd)


def fallback_dir() -> Path:
    """The private per-user cache used when :func:`cache_dir` is not private."""
    import tempfile

    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"mind-cache-{uid}" / "native"


def _warn_once(message: str, *args: Any) -> None:
    text = message % args
    if text not in _WARNED:
        _WARNED.add(text)
        logger.warning(text)


def _cache_folder() -> tuple[int | None, Path | None]:
    """The descriptor and path of the folder to cache in: :func:`cache_dir` when it is private,
    else :func:`fallback_dir` when that is, else ``(None, None)``: build without caching."""
    wanted = cache_dir()
    try:
        return _open_folder(wanted, create=True), wanted
    except _NotPrivate as exc:
        reason = str(exc)
    fallback = fallback_dir()
    try:
        fd = _open_folder(fallback, create=True)
    except _NotPrivate as exc:
        _warn_once(
            "native: the compile cache folder '%s' is not private to this user (%s), nor is the "
            "per-user fallback (%s): native modules are built without caching",
            wanted,
            reason,
            exc,
        )
        return None, None
    _warn_once(
        "native: the compile cache folder '%s' is not private to this user (%s); caching in '%s' "
        "instead (set MIND_CACHE_DIR to a folder only you can write)",
        wanted,
        reason,
        fallback,
    )
    return fd, fallback


# ------------------------------------------------------------------------------------------------
# Cache entries: records and libraries, read through checked descriptors
# ------------------------------------------------------------------------------------------------


def _private_file(st: os.stat_result, limit: int) -> bool:
    """A regular file of at most ``limit`` bytes, this user's, writable by nobody else."""
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & _WRITABLE
        and st.st_size <= limit
    )


def _record(folder: int, key: str) -> tuple[str, str] | None:
    """The library name and SHA-256 that ``<key>.json`` in ``folder`` records; None when it is
    missing or not exactly what :func:`_store` writes."""
    try:
        fd = os.open(f"{key}.json", _O_FILE, dir_fd=folder)
    except OSError:
        return None
    try:
        if not _private_file(os.fstat(fd), RECORD_MAX_BYTES):
            return None
        data = os.read(fd, RECORD_MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    # One flat object: no nesting to recurse into (a record of 4,000 '[' is refused here).
    if len(data) > RECORD_MAX_BYTES or data.count(b"{") != 1 or b"[" in data:
        return None
    try:
        record = json.loads(data)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(record, dict) or set(record) != _RECORD_KEYS:
        return None
    library, digest = record["library"], record["sha256"]
    if not (isinstance(library, str) and isinstance(digest, str)):
        return None
    if record["compiler_version"] != COMPILER_VERSION or not _HEX64.fullmatch(digest):
        return None
    # The name is derived, so it can hold no '..', separator or NUL, nor name another key's file.
    if library != f"{key}-{digest[:16]}.so":
        return None
    return library, digest


def _open_library(folder: int, name: str, digest: str) -> int | None:
    """A descriptor of library ``name`` in ``folder`` whose owner, mode and SHA-256 (``digest``)
    were checked on that descriptor; None when any check fails."""
    try:
        fd = os.open(name, _O_FILE, dir_fd=folder)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if _private_file(st, LIBRARY_MAX_BYTES) and _fd_sha256(fd) == digest:
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _fd_sha256(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


def _cached(folder: int, key: str) -> int | None:
    """A checked descriptor of the cached library for ``key`` in ``folder`` (a descriptor of the
    cache folder), or None when there is none this process can trust. The caller closes it."""
    found = _record(folder, key)
    return None if found is None else _open_library(folder, *found)


def _write_into(folder: int, name: str, data: bytes) -> None:
    """Write ``name`` in ``folder`` all-or-nothing, mode 0644 whatever the umask: the loader
    refuses files others can write."""
    write_atomic(name, data, 0o644, dir_fd=folder)


def _store(folder: int, key: str, data: bytes) -> tuple[str, str]:
    """Put a built library and its record into the cache folder; its (name, SHA-256)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"{key}-{digest[:16]}.so"
    _write_into(folder, name, data)
    record = {"library": name, "sha256": digest, "compiler_version": COMPILER_VERSION}
    _write_into(folder, f"{key}.json", json.dumps(record).encode())
    return name, digest


ENTRY_MAX_BYTES = 64 << 20
_ENTRY_NAME = re.compile(r"[a-z]+-[0-9a-f]{64}\.json")


def load_entry(name: str) -> bytes | None:
    """The bytes another caller's :func:`store_entry` kept under ``name`` (``<kind>-<sha256>.json``)
    in the private cache folder, read through a checked descriptor; None when there is no
    private cache, no such entry, or the file is not this user's, private and at most
    :data:`ENTRY_MAX_BYTES`. What a caller stores here only this user could have written."""
    if not _ENTRY_NAME.fullmatch(name):
        raise ValueError(f"cache entry name {name!r} is not '<kind>-<sha256>.json'")
    folder, _ = _cache_folder()
    if folder is None:
        return None
    try:
        fd = os.open(name, _O_FILE, dir_fd=folder)
    except OSError:
        return None
    finally:
        os.close(folder)
    try:
        st = os.fstat(fd)
        if not _private_file(st, ENTRY_MAX_BYTES):
            return None
        return os.pread(fd, st.st_size, 0)
    except OSError:
        return None
    finally:
        os.close(fd)


def store_entry(name: str, data: bytes) -> bool:
    """Keep ``data`` under ``name`` in the private cache folder (atomically); False when there is
    no private cache or the write failed (the caller goes on without it)."""
    if not _ENTRY_NAME.fullmatch(name):
        raise ValueError(f"cache entry name {name!r} is not '<kind>-<sha256>.json'")
    if len(data) > ENTRY_MAX_BYTES:
        return False
    folder, _ = _cache_folder()
    if folder is None:
        return False
    try:
        _write_into(folder, name, data)
    except OSError:
        return False
    finally:
        os.close(folder)
    return True


def _anonymous(data: bytes) -> int:
    """A descriptor of an unnamed private file holding ``data`` (nothing cached)."""
    import tempfile

    with tempfile.TemporaryFile(prefix="mind-native-") as f:
        f.write(data)
        f.flush()
        return os.dup(f.fileno())


# ------------------------------------------------------------------------------------------------
# Loading and building
# ------------------------------------------------------------------------------------------------


def _load(fd: int, module_name: str) -> Any:
    """Load the cffi module in the library open as ``fd`` (checked by the caller), through
    ``/proc/self/fd/<fd>``: the dynamic loader maps the checked file itself, never whatever a
    path names later. ``fd`` is kept open for good (see ``_KEPT``). Raises ImportError or
    OSError when the library does not load."""
    if not os.path.isdir("/proc/self/fd"):  # not Linux: load a copy in a private folder
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mind-native-", ignore_cleanup_errors=True) as tmp:
            try:
                os.close(_open_folder(tmp, create=False))
            except _NotPrivate as exc:
                raise ImportError(
                    f"no private folder to load the native module from: {exc}"
                ) from None
            path = os.path.join(tmp, module_name + importlib.machinery.EXTENSION_SUFFIXES[0])
            with open(path, "wb") as f:
                f.write(os.pread(fd, os.fstat(fd).st_size, 0))
            os.close(fd)
            return _exec_extension(module_name, path)
    st = os.fstat(fd)
    kept = _KEPT.setdefault((st.st_dev, st.st_ino), fd)
    if kept != fd:  # the same file (held open, so the same content): reuse its descriptor
        os.close(fd)
    return _exec_extension(module_name, f"/proc/self/fd/{kept}")


def _exec_extension(module_name: str, path: str) -> Any:
    loader = importlib.machinery.ExtensionFileLoader(module_name, path)
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    if spec is None:
        raise ImportError(f"no module spec for '{path}'")
    module = importlib.util.module_from_spec(spec)  # dlopen happens here
    loader.exec_module(module)
    return module


def build(
    source: str,
    functions: list[str],
    declarations: str | None = None,
    cplusplus: bool = False,
    include_dirs: tuple[str, ...] = (),
) -> tuple[Any, dict[str, Any]]:
    """The loaded module for ``source`` (``module.lib.<function>``), from the cache or built now;
    and a report: ``{"key", "cache_hit", "seconds", "library"}`` (``library``: the cache file,
    None when nothing was cached).

    ``functions`` are a generated graph's ``void f(void **S)`` functions; ``declarations``, when
    given, is the cffi ``cdef`` of functions with signatures of their own instead (the eager
    kernels'), and part of the cache key; ``cplusplus`` compiles ``source`` as C++ and
    ``include_dirs`` are searched for its headers (a user's ``ops.Custom`` AOT source)."""
    import time

    start = time.perf_counter()
    blas = openblas()
    key = cache_key(
        (source if declarations is None else f"{source}\0cdef\0{declarations}")
        + ("\0c++" if cplusplus else "")
        + "".join(f"\0-I{d}" for d in include_dirs)
    )
    module_name = f"_mind_native_{key[:32]}"
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key], {"key": key, "cache_hit": True, "seconds": 0.0, "library": None}
        folder, where = _cache_folder()
        try:
            module, hit, library = _from_cache(folder, where, key, module_name)
            if module is None:
                module, library = _build_and_load(
                    source,
                    functions,
                    declarations,
                    module_name,
                    folder,
                    where,
                    key,
                    blas,
                    cplusplus,
                    include_dirs,
                )
        finally:
            if folder is not None:
                os.close(folder)
        _LOADED[key] = module
    report = {
        "key": key,
        "cache_hit": hit,
        "seconds": time.perf_counter() - start,
        "library": library,
    }
    return module, report


def load_built(key: str) -> Any | None:
    """The module :func:`build` made for ``key`` (its report's ``"key"``), from the cache,
    without working the key out again: no compiler, OpenBLAS or cffi is asked anything, which is
    most of a warm start's time. None when it is not cached (or does not load). The caller's own
    record of the key must cover what the module depends on (the CPU, the Python ABI)."""
    if not _HEX64.fullmatch(key):
        raise ValueError(f"{key!r} is not a native module key")
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")  # as openblas() sets it
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        folder, where = _cache_folder()
        if folder is None:
            return None
        try:
            module, _, _ = _from_cache(folder, where, key, f"_mind_native_{key[:32]}")
        finally:
            os.close(folder)
        if module is not None:
            _LOADED[key] = module
        return module


def abi_id() -> str:
    """What a built module needs of the machine it runs on: the CPU's features (``-march=native``)
    and the Python ABI; cheap to read (no compiler asked)."""
    return f"{_cpu_id()}/{sys.implementation.cache_tag}/{importlib.machinery.EXTENSION_SUFFIXES[0]}"


def _from_cache(
    folder: int | None, where: Path | None, key: str, module_name: str
) -> tuple[Any, bool, str | None]:
    """``(module, True, library path)`` on a cache hit that loads, else ``(None, False, None)``."""
    found = None if folder is None else _record(folder, key)
    fd = None if found is None else _open_library(folder, *found)
    if fd is None:
        return None, False, None
    name = found[0]
    try:
        return _load(fd, module_name), True, str(where / name)
    except (ImportError, OSError) as exc:
        logger.warning("native: the cached module '%s' does not load (%s); rebuilding", name, exc)
        with suppress(OSError):
            os.unlink(name, dir_fd=folder)
        return None, False, None


def _build_and_load(
    source: str,
    functions: list[str],
    declarations: str | None,
    module_name: str,
    folder: int | None,
    where: Path | None,
    key: str,
    blas: Any,
    cplusplus: bool = False,
    include_dirs: tuple[str, ...] = (),
) -> tuple[Any, str | None]:
    logger.info(
        "native: compiling %d functions (%d KB of C) into %s",
        len(functions) + (declarations or "").count(";"),
        len(source) // 1024,
        where or "a private temporary file (no cache)",
    )
    data = _compile(source, functions, declarations, module_name, blas, cplusplus, include_dirs)
    fd = library = None
    if folder is not None:
        try:
            name, digest = _store(folder, key, data)
            fd = _open_library(folder, name, digest)
            library = str(where / name) if fd is not None else None
        except OSError as exc:  # a full or read-only disk: run without caching
            logger.warning("native: could not write to the compile cache '%s': %s", where, exc)
    if fd is None:
        fd = _anonymous(data)
    try:
        return _load(fd, module_name), library
    except (ImportError, OSError) as exc:
        raise NativeBuildError(
            f"the native module just built for key {key[:16]} does not load: "
            f"{type(exc).__name__}: {exc}"
        ) from None


def _compile(
    source: str,
    functions: list[str],
    declarations: str | None,
    module_name: str,
    blas: Any,
    cplusplus: bool = False,
    include_dirs: tuple[str, ...] = (),
) -> bytes:
    """The built library's bytes, compiled in a fresh private temporary folder."""
    try:
        import cffi
    except ImportError:
        raise NativeBuildError(
            "the native device needs cffi and scipy-openblas32: pip install mind-core[native]"
        ) from None
    ffi = cffi.FFI()
    ffi.cdef(
        "".join(f"void {name}(void **S);\n" for name in functions)
        + (
            "void mind_sink(void **S, int64_t n, int64_t k, const int64_t *slots, char **bases, "
            "const int64_t *strides);\n"
            if "void mind_sink(" in source
            else ""
        )
        + (declarations or "")
    )
    lib_dir = blas.get_lib_dir()
    ffi.set_source(
        module_name,
        source,
        include_dirs=[blas.get_include_dir(), *include_dirs],
        library_dirs=[lib_dir],
        libraries=[blas.get_library(), *(["mvec"] if _mvec() else [])],
        extra_compile_args=[
            "-std=c++17" if cplusplus and flag == "-std=c11" else flag for flag in _flags()
        ],
        extra_link_args=[f"-Wl,-rpath,{lib_dir}"],
        **({"source_extension": ".cpp"} if cplusplus else {}),
    )
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mind-native-") as tmp:
        if _SAFE:
            # mkdtemp made it 0700; a TMPDIR another user can rename things in could still
            # swap the sources under the compiler
            try:
                os.close(_open_folder(tmp, create=False))
            except _NotPrivate as exc:
                raise NativeBuildError(
                    f"cannot build the native module in '{tmp}': {exc}; set TMPDIR to a folder "
                    "only you can write"
                ) from None
        try:
            built = Path(ffi.compile(tmpdir=tmp, verbose=False))
        except Exception as exc:  # distutils/setuptools raise their own CompileError types
            raise NativeBuildError(
                f"building the native module failed: {type(exc).__name__}: {exc}"
            ) from None
        return built.read_bytes()
