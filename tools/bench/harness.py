"""Timing for tools/bench: medians over repeats, Mind and its peer measured in the same run.

A case is one unit of work for Mind and the same work for a named peer (PyTorch, numpy, another
Mind device) or none. The sides are timed in blocks, A B A B, each block after its own warm-up:
alternating blocks spreads drift in the machine's speed over both sides, and the warm-up absorbs
the switch (numpy's OpenBLAS threads keep spinning for a while after a call and would otherwise
steal the cores from PyTorch's OpenMP threads in the first samples, and the reverse), and each
block starts after a pause (:data:`SETTLE_S`) in which the other side's threads go to sleep. Each timed
sample runs the work ``number`` times and divides, so sub-millisecond work is measured above the
timer's resolution.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["SETTLE_S", "Case", "PeerUnavailable", "run_case"]

#: A pause before each block: the other side's pool threads may still be spinning for work after
#: its last call and take a core from this side (onnxruntime's intra-op workers spin for 10-50 ms
#: here: Mind's int8 ResNet-18 ran at 4.7 ms beside them, 2.2 ms 50 ms later). Warm-up calls
#: alone do not absorb that.
SETTLE_S = 0.1


class PeerUnavailable(Exception):
    """Raised by a suite's peer factory when the peer is not installed."""


@dataclass
class Case:
    """One benchmark.

    :param name: the case's name, unique within its suite (``mlp_train_b128``).
    :param mind: does one unit of work with Mind.
    :param peer: the peer's name (``"torch"``), or ``None`` when there is nothing to compare with.
    :param peer_fn: does the same unit of work with the peer; may be a zero-argument factory's
        result. Set ``peer_error`` instead when the peer cannot run here.
    :param number: calls per timed sample.
    :param repeats: timed samples per side (the median is reported).
    :param warmup: untimed calls per side first (caches, lazy compilation, allocator pools).
    :param unit: ``"s"`` (the sides are timed) or another unit (``"bytes"``, or ``"seconds"``
        that a side measured itself, e.g. inside a fresh interpreter): each side's call then
        returns the measured value itself, and ``mind_s``/``peer_s`` hold those values.
    """

    name: str
    mind: Callable[[], Any]
    peer: str | None = None
    peer_fn: Callable[[], Any] | None = None
    peer_error: str | None = None
    number: int = 1
    repeats: int = 7
    warmup: int = 2
    unit: str = "s"


def _sample(fn: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def run_case(case: Case, suite: str, threads: int, rounds: int = 2) -> dict[str, Any]:
    """Time a case; return its JSON record (seconds per unit of work, medians)."""
    sides = [case.mind] + ([case.peer_fn] if case.peer_fn is not None else [])
    samples: list[list[float]] = [[] for _ in sides]
    per_round = max(1, -(-case.repeats // rounds))
    for _ in range(rounds):
        for i, fn in enumerate(sides):
            time.sleep(SETTLE_S)
            for _ in range(case.warmup):
                fn()
            for _ in range(per_round):
                if case.unit == "s":
                    samples[i].append(_sample(fn, case.number))
                else:
                    samples[i].append(float(fn()))
    mind_s = statistics.median(samples[0])
    peer_s = statistics.median(samples[1]) if len(sides) > 1 else None
    record: dict[str, Any] = {
        "suite": suite,
        "bench": case.name,
        "mind_s": mind_s,
        "peer": case.peer,
        "peer_s": peer_s,
        "ratio": (mind_s / peer_s) if peer_s else None,
        "repeats": len(samples[0]),
        "number": case.number,
        "threads": threads,
    }
    if case.unit != "s":
        record["unit"] = case.unit
    if case.peer_error:
        record["peer_error"] = case.peer_error
    return record
