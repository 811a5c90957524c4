"""Parallel workers for ``map`` and sources: threads for ops that release the GIL, processes for
Python ops.

Both run rows in order-preserving, bounded windows: at most ``window`` rows are in flight, and
results come back in input order. Process workers exchange arrays through shared memory, never
pickled copies: the parent writes a chunk's arrays into a block named for the task (one ``pwritev``), the
worker reads them (one ``preadv``) and writes its outputs into a second block the parent named in
advance, so every block's
name is known to the parent and unlinked by it whatever happens to the worker.

Faults:

- a failing op surfaces in the parent with the row's index and the worker's traceback;
- every worker keeps a slot saying which row it is on (a shared array for processes), so a worker
  that dies is reported with its own row, within ``_POLL`` seconds, and the stall watchdog
  (:class:`Progress`, read by the iterator) can name the worker and row that hang;
- workers die with the main process: ``PR_SET_PDEATHSIG`` on Linux, plus a parent-pid check
  between tasks elsewhere; the parent registers every block name with Python's resource tracker
  (a separate process), which unlinks whatever is left when the parent is killed;
- thread workers are daemon threads that are told to stop, never joined: a row hung in user code
  is abandoned, so Ctrl-C and interpreter exit do not wait for it.

Closing the pool (explicitly, on garbage collection or at exit) stops every worker and unlinks
every block.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
import traceback
import warnings
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from mind.data._src.random import row_seed
from mind.data.errors import MindDataError

__all__ = ["ProcessPool", "Progress", "ThreadPool", "WorkerError", "run_row"]

_POLL = 0.1  # seconds between checks that workers (and, in a worker, the parent) are alive
_CHUNK_ROWS = 256  # rows per process task at most ...
_CHUNK_BYTES = 4 << 20  # ... and about this many bytes in and out, once a row's size is known ...
_CHUNK_FIRST = 64  # ... (rows per task until then) ...
_CHUNK_WAIT = 0.002  # ... or what the source gives within this many seconds
_CHUNK_FLUSH = 0.05  # a row running this long sends the chunk's finished rows back first
_counter = itertools.count()


class WorkerError(MindDataError):
    """A user operation failed inside a pipeline worker; carries the row index and traceback."""


class Progress:
    """What the stall watchdog reads, shared by every op of one iteration.

    ``stamp`` is when a row last moved anywhere in the pipeline (``time.monotonic()``); ops running
    on the pipeline thread also set ``where`` (op, row) before calling user code, and pools list
    themselves in ``pools`` so the watchdog can ask them which worker is on which row. Ops write
    these once per row and nothing reads them until the consumer has waited a whole interval.
    """

    __slots__ = ("pools", "stamp", "where")

    def __init__(self) -> None:
        self.stamp = time.monotonic()
        self.where: tuple[str, int] | None = None
        self.pools: list[Any] = []

    def stalled(self, now: float, interval: float) -> list[str]:
        """Sentences naming each op, worker and row that has been in flight for ``interval``."""
        found = []
        for pool in list(self.pools):
            for worker, row, started in pool.in_flight():
                if now - started >= interval:
                    found.append(
                        f"for '{pool.op_name}', {worker} has been on row {row} for "
                        f"{now - started:.1f} s"
                    )
        if not found and self.where is not None:
            op, row = self.where
            found.append(f"for '{op}', the pipeline thread is on row {row}")
        return found


def run_row(
    fn: Callable[..., Any], row: tuple, seed: int, epoch: int, index: int, stream: int
) -> tuple:
    """Apply ``fn`` to one row with that row's random generator in place."""
    with row_seed(seed, epoch, index, stream):
        out = fn(*row)
    return out if isinstance(out, tuple) else (out,)


def _failure(op_name: str, index: int, exc_text: str) -> WorkerError:
    return WorkerError(
        f"For '{op_name}', the operation failed on row {index}:\n{exc_text.rstrip()}"
    )


def _format(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


# ------------------------------------------------------------------------------------------------
# Threads
# ------------------------------------------------------------------------------------------------


def _thread_main(
    fn: Callable[..., Any],
    tasks: queue.SimpleQueue,
    results: queue.SimpleQueue,
    slots: list,
    k: int,
    stop: threading.Event,
    progress: Progress,
) -> None:
    # Holds no reference to the pool, so an unclosed pool can still be collected (and stop us).
    while True:
        task = tasks.get()
        if task is None or stop.is_set():
            return
        index, row, seed, epoch, stream = task
        slots[k] = (index, time.monotonic())
        try:
            result = (index, True, run_row(fn, row, seed, epoch, index, stream))
        except BaseException as exc:
            result = (index, False, exc)
        slots[k] = None
        progress.stamp = time.monotonic()
        results.put(result)


def _stop_threads(stop: threading.Event, tasks: Any, results: Any, count: int) -> None:
    stop.set()
    for _ in range(count):
        tasks.put(None)
    results.put(None)  # wakes an imap waiting for a row that will never come


class ThreadPool:
    """Ordered, bounded map over rows on daemon threads (numpy, Pillow and most C code release the
    GIL). Closing never waits for a row: a thread hung in user code is abandoned."""

    def __init__(
        self,
        fn: Callable[..., Any],
        workers: int,
        op_name: str,
        window: int | None = None,
        progress: Progress | None = None,
    ):
        self.op_name = op_name
        self.window = window or 2 * workers
        self.progress = progress if progress is not None else Progress()
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.slots: list = [None] * workers  # (row, start time) of the row each thread is on
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(
                target=_thread_main,
                args=(fn, self.tasks, self.results, self.slots, k, self.stop, self.progress),
                daemon=True,
                name=f"mind-data-worker-{k}",
            )
            for k in range(workers)
        ]
        for t in self.threads:
            t.start()
        self.progress.pools.append(self)
        self._finalizer = weakref.finalize(
            self, _stop_threads, self.stop, self.tasks, self.results, workers
        )

    def in_flight(self) -> list[tuple[str, int, float]]:
        return [
            (f"worker thread {k}", slot[0], slot[1])
            for k, slot in enumerate(list(self.slots))
            if slot is not None
        ]

    def imap(self, rows: Iterable[tuple], seed: int, epoch: int, stream: int) -> Iterator[tuple]:
        pending: deque = deque()
        done: dict[int, tuple] = {}
        source = enumerate(rows)
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.window:
                try:
                    index, row = next(source)
                except StopIteration:
                    exhausted = True
                    break
                self.tasks.put((index, row, seed, epoch, stream))
                pending.append(index)
            if not pending:
                return
            index = pending[0]
            while index not in done:
                got = self.results.get()
                if got is None or self.stop.is_set():
                    raise MindDataError(
                        f"For '{self.op_name}', the pool was closed while row {index} was in flight"
                    )
                done[got[0]] = got
            _, ok, value = done.pop(pending.popleft())
            if not ok:
                if isinstance(value, MindDataError):
                    raise value
                raise _failure(self.op_name, index, _format(value)) from value
            yield value

    def close(self) -> None:
        if self in self.progress.pools:
            self.progress.pools.remove(self)
        self._finalizer()


# ------------------------------------------------------------------------------------------------
# Shared memory (POSIX, without Python's per-process resource tracking: see _track)
# ------------------------------------------------------------------------------------------------

try:
    if not sys.platform.startswith("linux"):
        raise ImportError  # preadv/pwritev on a shared-memory object are Linux's
    import _posixshmem
except ImportError:  # not Linux: fall back to the stdlib class, which maps the block
    _posixshmem = None


_IOV_MAX = 1024  # buffers per preadv/pwritev call (POSIX's minimum IOV_MAX)


def _transfer(fd: int, views: list[np.ndarray], write: bool) -> None:
    """Write ``views`` to ``fd`` back to back from offset 0, or read them from it: one system
    call per ``_IOV_MAX`` buffers, not one page fault per page as through a mapping."""
    call = os.pwritev if write else os.preadv
    offset, first = 0, 0
    while first < len(views):
        done = call(fd, views[first : first + _IOV_MAX], offset)
        if done <= 0:
            raise MindDataError(f"a worker's shared-memory block ended at byte {offset}")
        offset += done
        while first < len(views) and done >= views[first].nbytes:
            done -= views[first].nbytes
            first += 1
        if done:  # a short transfer: carry on from within this buffer
            views[first] = views[first][done:]


class _Block:
    """A named shared-memory block: ``fd`` of the POSIX object, or ``shm`` off POSIX."""

    def __init__(self, name: str, size: int | None = None) -> None:
        self.fd, self.shm = -1, None
        if _posixshmem is None:
            from multiprocessing import shared_memory

            self.shm = shared_memory.SharedMemory(
                name=name, create=size is not None, size=max(size or 0, 1)
            )
            return
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if size is not None else 0)
        self.fd = _posixshmem.shm_open(f"/{name}", flags, mode=0o600)

    def transfer(self, views: list[np.ndarray], write: bool) -> None:
        if self.shm is None:
            _transfer(self.fd, views, write)
            return
        flat, offset = np.frombuffer(self.shm.buf, np.uint8), 0
        for view in views:
            if write:
                flat[offset : offset + view.nbytes] = view
            else:
                view[...] = flat[offset : offset + view.nbytes]
            offset += view.nbytes
        del flat  # the buffer cannot close while a view of it is alive

    def close(self) -> None:
        if self.shm is None:
            os.close(self.fd)
        else:
            self.shm.close()


def _track(name: str) -> None:
    # The parent registers each block it names with the resource tracker, a separate process
    # that unlinks what is still registered when the parent dies, even by SIGKILL. Workers never
    # touch the tracker: SharedMemory would register (and its cleanup unregister) every block it
    # attaches to, in the tracker the workers share with the parent.
    if _posixshmem is None:
        return
    try:
        from multiprocessing import resource_tracker

        resource_tracker.register(f"/{name}", "shared_memory")
    except Exception:
        pass


def _unlink(name: str) -> None:
    if _posixshmem is None:
        try:
            from multiprocessing import shared_memory

            shm = shared_memory.SharedMemory(name=name)
        except FileNotFoundError:
            return
        shm.close()
        shm.unlink()
        return
    try:
        _posixshmem.shm_unlink(f"/{name}")
    except FileNotFoundError:
        pass
    try:
        from multiprocessing import resource_tracker

        resource_tracker.unregister(f"/{name}", "shared_memory")
    except Exception:
        pass


def _pack(arrays: tuple, name: str) -> list[tuple]:
    """Write ``arrays`` into a new block called ``name``; return their layout."""
    arrays = [a if a.flags.c_contiguous else np.array(a, order="C") for a in arrays]  # keeps 0-d
    for a in arrays:
        if a.dtype.hasobject:
            raise MindDataError(
                f"arrays of Python objects (dtype {a.dtype}) cannot cross into worker processes "
                "(they exchange arrays through shared memory): return numeric, string or bytes "
                "arrays, or, for Python dict columns, run the op on threads "
                "(python_multiprocessing=False)"
            )
    layout = [(a.dtype.str, a.shape, a.nbytes) for a in arrays]
    block = _Block(name, sum(a.nbytes for a in arrays))
    try:
        block.transfer([a.reshape(-1).view(np.uint8) for a in arrays if a.nbytes], write=True)
    finally:
        block.close()
    return layout


def _size(layout: Any) -> int:
    """The bytes of the arrays a :func:`_pack` layout describes."""
    return sum(entry[2] for entry in layout)


def _unpack(name: str, layout: list[tuple]) -> tuple:
    """Read the arrays described by ``layout`` out of block ``name`` into new arrays."""
    out = tuple(np.empty(shape, dtype) for dtype, shape, _ in layout)
    block = _Block(name)
    try:
        block.transfer([a.reshape(-1).view(np.uint8) for a in out if a.nbytes], write=False)
    finally:
        block.close()
    return out


# ------------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------------

_FUNCTIONS: dict[int, Callable[..., Any]] = {}
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when the process that forked it dies (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # not Linux: the parent-pid check in the task loop is the fallback
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _worker_main(fn_id: int, tasks: Any, results: Any, slots: Any, k: int, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and cleans up
    _die_with_parent(parent)
    fn = _FUNCTIONS[fn_id]
    chunks: list = [None]  # the chunk in progress, for the flusher thread
    flusher = None
    while True:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                os._exit(1)
            continue
        if task is None:
            return
        seq, first, seed, epoch, stream, in_name, layout, widths, out_name = task
        chunk = _Chunk(seq, results)
        if flusher is None:
            flusher = threading.Thread(target=_flush_slow, args=(chunks, slots, k), daemon=True)
            flusher.start()
        chunks[0] = chunk
        failure = None
        try:
            flat = _unpack(in_name, layout)
            at = 0
            for j, width in enumerate(widths):
                index = first + j
                slots[2 * k + 1] = time.monotonic_ns()
                slots[2 * k] = index
                row = flat[at : at + width]
                at += width
                try:
                    out = tuple(np.asarray(v) for v in run_row(fn, row, seed, epoch, index, stream))
                except BaseException as exc:
                    failure = (index, _format(exc))
                    break
                with chunk.lock:
                    chunk.outs.append(out)
            with chunk.lock:
                chunk.finished = True
                outs = chunk.outs[chunk.sent :]
            # The rows before a failing one go back with the error, to be handed out first.
            packed = _pack(tuple(v for out in outs for v in out), out_name)
            results.put((seq, True, [len(out) for out in outs], packed, failure))
        except BaseException as exc:
            with chunk.lock:
                chunk.finished = True
            results.put((seq, True, [], None, (first, _format(exc))))
        slots[2 * k] = -1


class _Chunk:
    """A worker's chunk in progress: the rows done so far, and how many went back already."""

    __slots__ = ("finished", "lock", "outs", "results", "sent", "seq")

    def __init__(self, seq: int, results: Any) -> None:
        self.seq, self.results = seq, results
        self.lock = threading.Lock()
        self.outs: list[tuple] = []
        self.sent = 0
        self.finished = False


def _flush_slow(chunks: list, slots: Any, k: int) -> None:
    """In each worker: when a row has run for ``_CHUNK_FLUSH`` seconds, send the chunk's rows
    done before it (pickled: this is the rare, slow case), so that a slow or hung row never
    holds back rows that are ready, exactly as when every row travelled alone."""
    while True:
        time.sleep(_CHUNK_FLUSH / 2)
        chunk = chunks[0]
        if chunk is None or slots[2 * k] < 0:
            continue
        if time.monotonic_ns() - slots[2 * k + 1] < _CHUNK_FLUSH * 1e9:
            continue
        with chunk.lock:
            if chunk.finished or chunk.sent == len(chunk.outs):
                continue
            outs = chunk.outs[chunk.sent :]
            chunk.sent = len(chunk.outs)
            chunk.results.put((chunk.seq, False, outs, None, None))


def _shutdown(procs: list, tasks: Any, results: Any, names: set[str], state: dict) -> None:
    state["closed"] = True
    for _ in procs:
        try:
            tasks.put_nowait(None)
        except Exception:
            pass
    deadline = time.monotonic() + 1.0
    for p in procs:
        p.join(timeout=max(deadline - time.monotonic(), 0.0))
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


def _exit_code(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"{code}, {signal.Signals(-code).name}"
        except ValueError:
            pass
    return str(code)


class ProcessPool:
    """Ordered, bounded map over rows in forked worker processes, arrays via shared memory.

    Forked workers inherit the operation, so lambdas and closures work as they do with
    MindSpore's ``python_multiprocessing=True``; only the rows' arrays cross, through shared
    memory.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        workers: int,
        op_name: str,
        window: int | None = None,
        progress: Progress | None = None,
    ):
        self.op_name = op_name
        self.window = window or 2 * workers
        self.progress = progress if progress is not None else Progress()
        self.prefix = f"mind_{os.getpid()}_{next(_counter)}"
        self.names: set[str] = set()
        self.state = {"closed": False}
        fn_id = id(fn)
        _FUNCTIONS[fn_id] = fn
        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.tasks, self.results = ctx.Queue(), ctx.Queue()
        # Per worker: the row it is on (-1 between rows) and since when (monotonic ns).
        self.slots = ctx.RawArray("q", [-1, 0] * workers)
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", DeprecationWarning
            )  # fork with threads: workers run no threads
            self.procs = [
                ctx.Process(
                    target=_worker_main,
                    args=(fn_id, self.tasks, self.results, self.slots, k, os.getpid()),
                    daemon=True,
                )
                for k in range(workers)
            ]
            for p in self.procs:
                p.start()
        _FUNCTIONS.pop(fn_id, None)
        self.progress.pools.append(self)
        self._finalizer = weakref.finalize(
            self, _shutdown, self.procs, self.tasks, self.results, self.names, self.state
        )

    def _row_of(self, k: int) -> tuple[int, float] | None:
        row, since = self.slots[2 * k], self.slots[2 * k + 1]
        return None if row < 0 else (int(row), since / 1e9)

    def in_flight(self) -> list[tuple[str, int, float]]:
        found = []
        for k, p in enumerate(self.procs):
            on = self._row_of(k)
            if on is not None:
                found.append((f"worker process pid {p.pid}", on[0], on[1]))
        return found

    def imap(self, rows: Iterable[tuple], seed: int, epoch: int, stream: int) -> Iterator[tuple]:
        """Rows through the workers in order. Consecutive rows travel in chunks (up to
        ``_CHUNK_ROWS`` rows and about ``_CHUNK_BYTES`` of input and output, as measured on the
        chunks back so far, or what the source gave within ``_CHUNK_WAIT`` seconds), one pair
        of shared-memory blocks and one message each way per chunk; row numbers, randomness
        and errors are per row, as if each row went alone. The byte bound keeps what is in
        flight (``window`` chunks) near ``window * _CHUNK_BYTES`` whatever the rows weigh."""
        pending: deque = deque()  # (seq, first row, rows, in_name, out_name, input bytes), in order
        done: dict[int, tuple] = {}
        seqs = itertools.count()
        source = iter(rows)
        next_index = 0
        exhausted = False
        limit = _CHUNK_FIRST
        while True:
            while not exhausted and len(pending) < self.window:
                if pending and self._ready(pending[0][0], done):
                    break  # the oldest chunk is back: hand it out before reading on (slow sources)
                chunk: list[tuple] = []
                started = time.monotonic()
                while len(chunk) < limit:
                    try:
                        chunk.append(next(source))
                    except StopIteration:
                        exhausted = True
                        break
                    if time.monotonic() - started > _CHUNK_WAIT:
                        break
                if not chunk:
                    break
                self._check_open(next_index)
                seq = next(seqs)
                in_name, out_name = f"{self.prefix}_{seq}_i", f"{self.prefix}_{seq}_o"
                self.names.update((in_name, out_name))
                _track(in_name)
                _track(out_name)
                flat = tuple(np.asarray(v) for row in chunk for v in row)
                try:
                    layout = _pack(flat, in_name)
                except MindDataError as exc:
                    raise MindDataError(f"For '{self.op_name}', {exc}") from None
                widths = [len(row) for row in chunk]
                self.tasks.put(
                    (seq, next_index, seed, epoch, stream, in_name, layout, widths, out_name)
                )
                pending.append((seq, next_index, len(chunk), in_name, out_name, _size(layout)))
                next_index += len(chunk)
            if not pending:
                return
            seq, first, count, in_name, out_name, in_bytes = pending[0]
            while True:
                parts = done.get(seq)
                if parts:
                    got = parts.popleft()
                    if got[1]:  # the chunk's last message
                        break
                    yield from got[2]  # rows sent early, while a later row was slow
                    first += len(got[2])
                    continue
                got = self._receive(first)
                done.setdefault(got[0], deque()).append(got)
            del done[seq]
            _, _, widths, packed, failure = got
            pending.popleft()
            _unlink(in_name)
            self.names.discard(in_name)
            try:
                flat = _unpack(out_name, packed) if packed is not None else ()
                if widths:
                    per_row = (in_bytes + _size(packed or ())) // count + 1
                    limit = max(1, min(_CHUNK_ROWS, _CHUNK_BYTES // per_row))
            finally:
                _unlink(out_name)
                self.names.discard(out_name)
            at = 0
            for width in widths:
                yield flat[at : at + width]
                at += width
            if failure is not None:
                raise _failure(self.op_name, failure[0], failure[1])

    def _check_open(self, index: int) -> None:
        if self.state["closed"]:
            raise MindDataError(
                f"For '{self.op_name}', the pool was closed while row {index} was in flight"
            )

    def _ready(self, seq: int, done: dict) -> bool:
        """Collect the results already back, without waiting; whether chunk ``seq`` is done."""
        while True:
            try:
                got = self.results.get_nowait()
            except (queue.Empty, OSError, ValueError, EOFError):
                return bool(done.get(seq))
            self.progress.stamp = time.monotonic()
            done.setdefault(got[0], deque()).append(got)

    def _receive(self, index: int) -> tuple:
        while True:
            try:
                got = self.results.get(timeout=_POLL)
                self.progress.stamp = time.monotonic()
                return got
            except queue.Empty:
                self._check_open(index)
                dead = [(k, p) for k, p in enumerate(self.procs) if not p.is_alive()]
                if dead:
                    raise self._died(dead, index) from None
            except (OSError, ValueError, EOFError):  # the queue was closed under us
                self._check_open(index)
                raise

    def _died(self, dead: list, oldest: int) -> MindDataError:
        parts, rows = [], []
        for k, p in dead:
            on = self._row_of(k)
            parts.append(f"pid {p.pid} exit code {_exit_code(p.exitcode)}")
            if on is not None:
                rows.append(on[0])
        codes = ", ".join(parts)
        if rows:
            where = f"on row {', '.join(map(str, rows))}"
        else:
            where = f"between rows (row {oldest} was the oldest in flight)"
        return MindDataError(
            f"For '{self.op_name}', a worker process died ({codes}) {where}; the operation may "
            "have crashed the interpreter or run out of memory"
        )

    def close(self) -> None:
        if self in self.progress.pools:
            self.progress.pools.remove(self)
        self._finalizer()
