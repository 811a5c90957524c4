"""Parallel workers for ``map``: threads for ops that release the GIL, processes for Python ops.

Both run rows in order-preserving, bounded windows: at most ``window`` rows are in flight, and
results come back in input order. Process workers exchange arrays through shared memory, never
pickled copies: the parent writes a row's arrays into a block named for the task, the worker maps
them and writes its outputs into a second block the parent named in advance, so every block's
name is known to the parent and unlinked by it whatever happens to the worker.

A failing op surfaces in the parent with the row's index and the worker's traceback; a worker that
dies is noticed within ``poll`` seconds; closing the pool (explicitly, on garbage collection or at
exit) stops and joins every worker and unlinks every block.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import signal
import traceback
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import shared_memory
from typing import Any

import numpy as np

from mind.data._src.random import row_generator, row_rng
from mind.data.errors import MindDataError

__all__ = ["ProcessPool", "ThreadPool", "WorkerError", "run_row"]

_POLL = 0.1  # seconds between checks that workers are alive
_counter = itertools.count()


class WorkerError(MindDataError):
    """A user operation failed inside a pipeline worker; carries the row index and traceback."""


def run_row(
    fn: Callable[..., Any], row: tuple, seed: int, epoch: int, index: int, stream: int
) -> tuple:
    """Apply ``fn`` to one row with that row's random generator in place."""
    with row_rng(row_generator(seed, epoch, index, stream)):
        out = fn(*row)
    return out if isinstance(out, tuple) else (out,)


def _failure(op_name: str, index: int, exc_text: str) -> WorkerError:
    return WorkerError(
        f"For '{op_name}', the operation failed on row {index}:\n{exc_text.rstrip()}"
    )


# ------------------------------------------------------------------------------------------------
# Threads
# ------------------------------------------------------------------------------------------------


class ThreadPool:
    """Ordered, bounded map over rows on threads (numpy, Pillow and most C code release the GIL)."""

    def __init__(
        self, fn: Callable[..., Any], workers: int, op_name: str, window: int | None = None
    ):
        self.fn, self.op_name = fn, op_name
        self.window = window or 2 * workers
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mind-data")

    def imap(self, rows: Iterable[tuple], seed: int, epoch: int, stream: int) -> Iterator[tuple]:
        pending: deque = deque()
        try:
            for index, row in enumerate(rows):
                pending.append(
                    (index, self.executor.submit(run_row, self.fn, row, seed, epoch, index, stream))
                )
                if len(pending) >= self.window:
                    yield self._take(pending)
            while pending:
                yield self._take(pending)
        finally:
            for _, future in pending:
                future.cancel()

    def _take(self, pending: deque) -> tuple:
        index, future = pending.popleft()
        try:
            return future.result()
        except MindDataError:
            raise
        except Exception as exc:
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            raise _failure(self.op_name, index, text) from exc

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------------------------------------
# Processes with shared memory
# ------------------------------------------------------------------------------------------------


def _attach(name: str) -> shared_memory.SharedMemory:
    shm = shared_memory.SharedMemory(name=name)
    _untrack(name)
    return shm


def _create(name: str, size: int) -> shared_memory.SharedMemory:
    shm = shared_memory.SharedMemory(name=name, create=True, size=max(size, 1))
    _untrack(name)
    return shm


def _untrack(name: str) -> None:
    # The pool unlinks every block itself; Python's resource tracker would otherwise report
    # (and try to unlink again) blocks that pass between processes.
    try:
        from multiprocessing import resource_tracker

        resource_tracker.unregister(
            f"/{name}" if not name.startswith("/") else name, "shared_memory"
        )
    except Exception:
        pass


def _unlink(name: str) -> None:
    try:
        import _posixshmem

        _posixshmem.shm_unlink(f"/{name}")  # no resource-tracker bookkeeping: see _untrack
    except FileNotFoundError:
        pass
    except ImportError:  # not POSIX
        try:
            shm = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            return
        shm.close()
        shm.unlink()


def _pack(arrays: tuple, name: str) -> list[tuple]:
    """Write ``arrays`` into a new block called ``name``; return their layout."""
    arrays = [a if a.flags.c_contiguous else np.array(a, order="C") for a in arrays]  # keeps 0-d
    layout, offset = [], 0
    for a in arrays:
        if a.dtype.hasobject:
            raise MindDataError(
                f"arrays of Python objects (dtype {a.dtype}) cannot cross into worker processes; "
                "use python_multiprocessing=False or numeric/bytes columns"
            )
        layout.append((a.dtype.str, a.shape, offset, a.nbytes))
        offset += -(-a.nbytes // 64) * 64
    shm = _create(name, offset)
    try:
        for a, (_, _, off, nbytes) in zip(arrays, layout):
            shm.buf[off : off + nbytes] = a.reshape(-1).view(np.uint8).data if nbytes else b""
    finally:
        shm.close()
    return layout


def _unpack(name: str, layout: list[tuple]) -> tuple:
    """Copy the arrays described by ``layout`` out of block ``name``."""
    shm = _attach(name)
    try:
        out = []
        for dtype, shape, off, nbytes in layout:
            out.append(
                np.frombuffer(shm.buf, dtype=np.dtype(dtype), count=int(np.prod(shape)), offset=off)
                .reshape(shape)
                .copy()
                if nbytes
                else np.empty(shape, np.dtype(dtype))
            )
        return tuple(out)
    finally:
        shm.close()


_FUNCTIONS: dict[int, Callable[..., Any]] = {}


def _worker_main(fn_id: int, tasks: Any, results: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and cleans up
    fn = _FUNCTIONS[fn_id]
    while True:
        task = tasks.get()
        if task is None:
            return
        seq, index, seed, epoch, stream, in_name, layout, out_name = task
        try:
            row = _unpack(in_name, layout)
            out = tuple(np.asarray(v) for v in run_row(fn, row, seed, epoch, index, stream))
            results.put((seq, True, _pack(out, out_name)))
        except BaseException as exc:
            results.put(
                (seq, False, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
            )


def _shutdown(procs: list, tasks: Any, results: Any, names: set[str]) -> None:
    for _ in procs:
        try:
            tasks.put_nowait(None)
        except Exception:
            pass
    for p in procs:
        p.join(timeout=1.0)
    for p in procs:
        if p.is_alive():
            p.terminate()
            p.join(timeout=1.0)
        if p.is_alive():
            p.kill()
            p.join()
    for name in list(names):
        _unlink(name)
    names.clear()
    for q in (tasks, results):
        try:
            q.cancel_join_thread()
            q.close()
        except Exception:
            pass


class ProcessPool:
    """Ordered, bounded map over rows in forked worker processes, arrays via shared memory.

    Forked workers inherit the operation, so lambdas and closures work as they do with
    MindSpore's ``python_multiprocessing=True``; only the rows' arrays cross, through shared
    memory.
    """

    def __init__(
        self, fn: Callable[..., Any], workers: int, op_name: str, window: int | None = None
    ):
        self.op_name = op_name
        self.window = window or 2 * workers
        self.prefix = f"mind_{os.getpid()}_{next(_counter)}"
        self.names: set[str] = set()
        fn_id = id(fn)
        _FUNCTIONS[fn_id] = fn
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.tasks, self.results = ctx.Queue(), ctx.Queue()
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", DeprecationWarning
            )  # fork with threads: workers run no threads
            self.procs = [
                ctx.Process(
                    target=_worker_main, args=(fn_id, self.tasks, self.results), daemon=True
                )
                for _ in range(workers)
            ]
            for p in self.procs:
                p.start()
        _FUNCTIONS.pop(fn_id, None)
        self._finalizer = weakref.finalize(
            self, _shutdown, self.procs, self.tasks, self.results, self.names
        )

    def imap(self, rows: Iterable[tuple], seed: int, epoch: int, stream: int) -> Iterator[tuple]:
        pending: deque = deque()  # (seq, index, in_name, out_name) in submission order
        done: dict[int, tuple] = {}
        seqs = itertools.count()
        source = enumerate(rows)
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.window:
                try:
                    index, row = next(source)
                except StopIteration:
                    exhausted = True
                    break
                seq = next(seqs)
                in_name, out_name = f"{self.prefix}_{seq}_i", f"{self.prefix}_{seq}_o"
                self.names.update((in_name, out_name))
                layout = _pack(tuple(np.asarray(v) for v in row), in_name)
                self.tasks.put((seq, index, seed, epoch, stream, in_name, layout, out_name))
                pending.append((seq, index, in_name, out_name))
            if not pending:
                return
            seq, index, in_name, out_name = pending[0]
            while seq not in done:
                got = self._receive(index)
                done[got[0]] = got
            _, ok, payload = done.pop(seq)
            pending.popleft()
            _unlink(in_name)
            self.names.discard(in_name)
            if not ok:
                _unlink(out_name)
                self.names.discard(out_name)
                raise _failure(self.op_name, index, payload)
            try:
                out = _unpack(out_name, payload)
            finally:
                _unlink(out_name)
                self.names.discard(out_name)
            yield out

    def _receive(self, index: int) -> tuple:
        while True:
            try:
                return self.results.get(timeout=_POLL)
            except queue.Empty:
                dead = [p for p in self.procs if not p.is_alive()]
                if dead:
                    codes = ", ".join(f"pid {p.pid} exit code {p.exitcode}" for p in dead)
                    raise MindDataError(
                        f"For '{self.op_name}', a worker process died ({codes}) while row {index} "
                        "was in flight; an operation may have crashed the interpreter or run out "
                        "of memory"
                    ) from None

    def close(self) -> None:
        self._finalizer()
