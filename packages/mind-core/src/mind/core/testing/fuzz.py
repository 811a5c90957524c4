"""Mutation fuzzing for Mind's file loaders, and kill -9 trials for its writers.

A loader is fuzzed by feeding it mutated copies of a valid file and sorting each outcome:

- ``refused``: it raised one of the errors it is documented to raise (``MindIRError``,
  ``CheckpointError``...): what a loader must do with a file it cannot trust;
- ``same``: it loaded and the result equals the original's (the mutation was harmless, such as
  a change inside JSON whitespace that the checksums do not cover by design);
- ``silent``: it loaded and the result differs: a mutation its checksums should have caught;
- ``defect``: it raised anything else (a ``KeyError`` from deep inside, a numpy ``TypeError``);
- ``hang``: it ran past the time limit (a FIFO waited on, a loop that never ends).

Mutations are byte-level (flips, interesting values, truncation, splices) plus the loader's own
*consistent* mutations: edit a field and recompute what the format itself would (lengths,
offsets), so the mutated file passes the format's structural checks and only the checksums or the
semantic validation can refuse it.

Example::

    from mind.core.testing import fuzz

    report = fuzz.fuzz_loader(
        "checkpoint", original=path.read_bytes(), load=load_bytes, equal=same_params,
        errors=(CheckpointError,), n=fuzz.budget(1000),
    )
    report.check()  # raises AssertionError listing the defects, hangs and silent loads

``budget(default)`` reads ``MIND_FUZZ_N`` so ``nox -s fuzz`` runs 20,000 inputs per loader with the
same tests the default suite runs at 1,000.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "FuzzReport",
    "Hang",
    "budget",
    "byte_mutators",
    "fuzz_loader",
    "kill_trials",
    "mutate",
]

Mutator = Callable[[bytes, np.random.Generator], bytes]

INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x22, 0x2C, 0x30, 0x39, 0x5B, 0x5D, 0x7B, 0x7D)


def budget(default: int) -> int:
    """How many inputs a fuzz test runs: ``MIND_FUZZ_N`` when set (``nox -s fuzz``), else
    ``default``."""
    value = os.environ.get("MIND_FUZZ_N", "")
    return int(value) if value.isascii() and value.isdigit() else default


def _flip(data: bytes, rng: np.random.Generator) -> bytes:
    out = bytearray(data)
    i = int(rng.integers(len(out)))
    out[i] ^= 1 << int(rng.integers(8))
    return bytes(out)


def _interesting(data: bytes, rng: np.random.Generator) -> bytes:
    out = bytearray(data)
    out[int(rng.integers(len(out)))] = INTERESTING[int(rng.integers(len(INTERESTING)))]
    return bytes(out)


def _truncate(data: bytes, rng: np.random.Generator) -> bytes:
    return data[: int(rng.integers(len(data)))]


def _extend(data: bytes, rng: np.random.Generator) -> bytes:
    return data + rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()


def _delete(data: bytes, rng: np.random.Generator) -> bytes:
    i = int(rng.integers(len(data)))
    return data[:i] + data[i + int(rng.integers(1, 16)) :]


def _duplicate(data: bytes, rng: np.random.Generator) -> bytes:
    i = int(rng.integers(len(data)))
    j = min(len(data), i + int(rng.integers(1, 64)))
    k = int(rng.integers(len(data)))
    return data[:k] + data[i:j] + data[k:]


def byte_mutators() -> list[Mutator]:
    """The format-blind mutations: a bit flip, an interesting byte, truncation, random bytes
    appended, a range deleted, a range copied elsewhere."""
    return [_flip, _interesting, _truncate, _extend, _delete, _duplicate]


def mutate(data: bytes, rng: np.random.Generator, mutators: Sequence[Mutator] = ()) -> bytes:
    """One to three mutations of ``data``, drawn from ``mutators`` (default: the byte ones)."""
    choices = list(mutators) or byte_mutators()
    for _ in range(int(rng.integers(1, 4))):
        if not data:
            break
        data = choices[int(rng.integers(len(choices)))](data, rng)
    return data


class Hang(BaseException):
    """Raised inside the loader when it runs past the fuzz time limit (a BaseException, so a
    loader's ``except Exception`` cannot turn a hang into a refusal)."""


@dataclass
class FuzzReport:
    """What a fuzz run found: ``counts`` by outcome and up to ten examples of each bad one."""

    name: str
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, outcome: str, detail: str = "") -> None:
        self.counts[outcome] += 1
        if outcome in ("defect", "hang", "silent"):
            bucket = self.examples.setdefault(outcome, [])
            if len(bucket) < 10:
                bucket.append(detail)

    def summary(self) -> str:
        parts = ", ".join(
            f"{k}={self.counts[k]}" for k in ("refused", "same", "silent", "defect", "hang")
        )
        return f"{self.name}: {sum(self.counts.values())} inputs: {parts}"

    def check(self, allow_silent: bool = False) -> None:
        """Fail (AssertionError) on any defect or hang, and on silent loads unless allowed."""
        bad = ["defect", "hang"] + ([] if allow_silent else ["silent"])
        found = {k: self.examples[k] for k in bad if self.counts[k]}
        if found:
            lines = [self.summary()]
            for kind, examples in found.items():
                lines.append(f"-- {kind}:")
                lines.extend(examples)
            raise AssertionError("\n".join(lines))


def _alarm(seconds: float):
    """A context that raises :class:`Hang` in the main thread after ``seconds`` (SIGALRM: a
    blocking ``open`` of a FIFO is interrupted too); a no-op off the main thread."""

    class _Ctx:
        def __enter__(self):
            self.armed = (
                hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
            )
            if self.armed:
                self.old = signal.signal(signal.SIGALRM, self._fire)
                signal.setitimer(signal.ITIMER_REAL, seconds)
            return self

        @staticmethod
        def _fire(signum, frame):
            raise Hang(f"ran past {seconds} s")

        def __exit__(self, *exc):
            if self.armed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, self.old)
            return False

    return _Ctx()


def fuzz_loader(
    name: str,
    original: bytes,
    load: Callable[[bytes], Any],
    equal: Callable[[Any], bool],
    errors: tuple[type[BaseException], ...],
    n: int,
    seed: int = 0,
    mutators: Sequence[Mutator] = (),
    timeout: float = 10.0,
) -> FuzzReport:
    """Run ``load`` on ``n`` mutations of ``original`` and sort the outcomes (module docstring).

    :param load: takes the mutated bytes (writes them where the loader reads) and returns what
        was loaded; it must not swallow errors.
    :param equal: whether a loaded result equals the original's.
    :param errors: the errors a refusal may raise.
    :param mutators: the mutations to draw from (default: :func:`byte_mutators`); pass the
        loader's consistent mutations together with the byte ones.
    """
    rng = np.random.default_rng(seed)
    report = FuzzReport(name)
    for i in range(n):
        data = mutate(original, rng, mutators)
        if data == original:
            continue
        try:
            with _alarm(timeout):
                result = load(data)
        except Hang as exc:
            report.add("hang", f"input {i}: {exc}")
        except errors:
            report.add("refused")
        except Exception:
            report.add("defect", f"input {i}: {traceback.format_exc(limit=-3)}")
        else:
            try:
                same = equal(result)
            except Exception:
                same = False
            report.add("same" if same else "silent", f"input {i}: loaded, result differs")
    return report


# ------------------------------------------------------------------------------------------------
# kill -9 trials
# ------------------------------------------------------------------------------------------------

#: Prepended to a writer script: with ``MIND_KILL_AT=k`` the process SIGKILLs itself at its k-th
#: call of os.replace / os.rename / os.unlink / os.fsync (the points where a commit can be cut).
#: A script calls ``mind_kill_ready()`` (a builtin the prelude adds) once its imports and setup
#: are done, just before it writes: random kills then land within the write, not in Python's
#: start-up. At exit it prints the commit points it passed and the seconds since it was ready.
KILL_PRELUDE = """
import atexit as _atexit, builtins as _builtins, os as _os, signal as _signal, time as _time
_at = int(_os.environ.get("MIND_KILL_AT", "0") or 0)
_calls = [0]
_t = [_time.perf_counter()]
def _wrap(fn):
    def inner(*a, **k):
        _calls[0] += 1
        if _calls[0] == _at:
            _os.kill(_os.getpid(), _signal.SIGKILL)
        return fn(*a, **k)
    return inner
for _name in ("replace", "rename", "unlink", "fsync"):  # wrapped on clean runs too: counted
    setattr(_os, _name, _wrap(getattr(_os, _name)))
def _ready():
    _t[0] = _time.perf_counter()
    print("\\nMIND_KILL_READY", flush=True)
_builtins.mind_kill_ready = _ready
_atexit.register(
    lambda: print("\\nMIND_KILL_POINTS %d %.6f" % (_calls[0], _time.perf_counter() - _t[0]), flush=True)
)
"""


def kill_trials(
    script: str,
    check: Callable[[str], None],
    n_random: int,
    seed: int = 0,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    max_targeted: int | None = None,
) -> dict[str, int]:
    """Run the writer ``script`` (Python source) in subprocesses and kill it with SIGKILL: once
    at every commit point (each os.replace/rename/unlink/fsync call it makes, counted by a clean
    run first), then ``n_random`` times after a random delay within a clean run's writing time
    (from its ``mind_kill_ready()`` call, or from its start when it makes none).
    After each trial ``check(kind)`` must find the old or the new version intact (it raises
    otherwise) and may run the next write to see that it cleans up. Returns trial counts.
    ``max_targeted`` kills at only that many of the commit points, spread evenly over them
    (for a short default run; None: every one).
    """
    import subprocess
    import sys
    import time

    base_env = {**os.environ, **(env or {})}
    code = KILL_PRELUDE + script

    def run(extra: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code],
            env={**base_env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    start = time.perf_counter()
    clean = run({})
    duration = time.perf_counter() - start
    if clean.returncode != 0:
        raise AssertionError(f"the writer script failed on a clean run:\n{clean.stderr}")
    points_text, window_text = clean.stdout.rsplit("MIND_KILL_POINTS", 1)[1].split()[:2]
    points = int(points_text)
    synced = "MIND_KILL_READY" in clean.stdout
    if synced:
        duration = float(window_text)
    check("clean")
    counts = Counter()
    chosen = range(1, points + 1)
    if max_targeted is not None and max_targeted < points:
        chosen = sorted({int(k) for k in np.linspace(1, points, max(1, max_targeted))})
    for k in chosen:
        run({"MIND_KILL_AT": str(k)})
        check("targeted")
        counts["targeted"] += 1
    rng = np.random.default_rng(seed)
    for _ in range(n_random):
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            env=base_env,
            stdout=subprocess.PIPE if synced else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            if synced:  # wait for the script to reach its write
                for line in proc.stdout:
                    if line.strip() == "MIND_KILL_READY":
                        break
            time.sleep(float(rng.uniform(0.0, duration)))
        finally:
            proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        check("random")
        counts["random"] += 1
    return dict(counts)
