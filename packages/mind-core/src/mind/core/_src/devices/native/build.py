"""Building a generated C module with cffi, and the on-disk cache of built modules.

One module per graph: its source holds every native region's function, so the compiler runs once
per graph however many ops it has. Built modules are cached under ``MIND_CACHE_DIR`` (default:
``$XDG_CACHE_HOME/mind`` or ``~/.cache/mind``) in ``native/``, keyed by the SHA-256 of the source,
the compiler's version, the flags, the Python ABI, cffi's and OpenBLAS's versions and the CPU's
feature flags (``-march=native`` code runs only where it was built).

A cache entry is two files: ``<key>-<digest>.so`` (named by its own content's SHA-256 prefix) and
``<key>.json`` recording the library's file name and full SHA-256. Both are written to temporary
names and renamed into place, so concurrent processes building the same graph never see half a
file, and whichever record lands names a library that exists with the recorded digest. A library
is loaded only when its record is there, its digest matches, and the files and the folder belong
to this user and are writable by nobody else: a library this process (or another of this user's)
did not build is never loaded; it is rebuilt instead.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import platform
import stat
import subprocess
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from mind.core._src.train.serialization import _write_atomic
from mind.core.errors import MindError

__all__ = ["NativeBuildError", "build", "cache_dir", "openblas"]

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


class NativeBuildError(MindError):
    """The native device could not build or load a graph's C module.

    Cause: no C compiler (``cc``), missing Python headers, or the ``native`` extra not installed
    (``pip install mind-core[native]``: cffi and scipy-openblas32). The message carries the
    compiler's own output.
    """

    docs = "core.md#native-device"


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


@lru_cache(maxsize=1)
def _mvec() -> tuple[str, ...]:
    """The math functions glibc's libmvec vectorizes here (AVX2 and AVX-512 variants both
    present), so loops calling them vectorize; empty where there is no libmvec."""
    import ctypes
    import ctypes.util

    from mind.core._src.devices.native.lower import MVEC_FUNCTIONS

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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _private(path: Path) -> bool:
    """Owned by this user and writable by nobody else."""
    try:
        st = path.stat()
    except OSError:
        return False
    owner = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _load(path: Path, module_name: str) -> Any:
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise NativeBuildError(f"cannot load the built module '{path}'")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cached(folder: Path, key: str) -> Path | None:
    record_path = folder / f"{key}.json"
    if not (_private(folder) and _private(record_path)):
        return None
    try:
        record = json.loads(record_path.read_text())
        library = folder / str(record["library"])
        expected = str(record["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if library.parent != folder or not _private(library):
        return None
    try:
        if _sha256(library) != expected:
            return None
    except OSError:
        return None
    return library


def build(source: str, functions: list[str]) -> tuple[Any, dict[str, Any]]:
    """The loaded module for ``source`` (``module.lib.<function>``), from the cache or built now;
    and a report: ``{"key", "cache_hit", "seconds", "library"}``."""
    import time

    start = time.perf_counter()
    blas = openblas()
    key = cache_key(source)
    module_name = f"_mind_native_{key[:32]}"
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key], {"key": key, "cache_hit": True, "seconds": 0.0, "library": None}
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        library = _cached(folder, key)
        hit = library is not None
        if library is None:
            logger.info(
                "native: compiling %d functions (%d KB of C) into %s",
                len(functions),
                len(source) // 1024,
                folder,
            )
            library = _compile(source, functions, module_name, folder, key, blas)
        module = _load(library, module_name)
        _LOADED[key] = module
    report = {
        "key": key,
        "cache_hit": hit,
        "seconds": time.perf_counter() - start,
        "library": str(library),
    }
    return module, report


def _compile(
    source: str, functions: list[str], module_name: str, folder: Path, key: str, blas: Any
) -> Path:
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
    )
    lib_dir = blas.get_lib_dir()
    ffi.set_source(
        module_name,
        source,
        include_dirs=[blas.get_include_dir()],
        library_dirs=[lib_dir],
        libraries=[blas.get_library(), *(["mvec"] if _mvec() else [])],
        extra_compile_args=_flags(),
        extra_link_args=[f"-Wl,-rpath,{lib_dir}"],
    )
    with tempfile.TemporaryDirectory(prefix="mind-native-") as tmp:
        try:
            built = Path(ffi.compile(tmpdir=tmp, verbose=False))
        except Exception as exc:  # distutils/setuptools raise their own CompileError types
            raise NativeBuildError(
                f"building the native module failed: {type(exc).__name__}: {exc}"
            ) from None
        data = built.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    library = folder / f"{key}-{digest[:16]}.so"
    # Never group- or world-writable, whatever the umask: the loader refuses such files.
    _write_atomic(str(library), data, mode=0o644)
    record = {"library": library.name, "sha256": digest, "compiler_version": COMPILER_VERSION}
    _write_atomic(str(folder / f"{key}.json"), json.dumps(record).encode(), mode=0o644)
    return library
