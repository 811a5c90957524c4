"""Per-row randomness for random transforms.

The pipeline engine sets a generator for each row it processes, derived from (seed, epoch, row
index), so a random transform draws the same numbers for the same row whatever worker runs it and
whether the pipeline was resumed. Outside a pipeline (calling a transform directly), a process-wide
generator is used, seeded from ``config.set_seed`` when set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from mind.data import config

__all__ = ["current_rng", "row_generator", "row_rng", "row_seed"]

_ROW_RNG: ContextVar[np.random.Generator | None] = ContextVar("mind_data_row_rng", default=None)
_FALLBACK: dict[str, object] = {"seed": object(), "rng": None}


_MASK = (1 << 64) - 1
_TAG = 0x4D494E44  # "MIND"
_EMPTY_BUFFER = np.zeros(4, np.uint64)


def _row_state(seed: int | None, epoch: int, index: int, stream: int) -> dict[str, Any]:
    """The Philox state that starts a row's stream.

    Philox is a counter-based generator: its 128-bit key picks a bijection and the 256-bit counter
    walks through it, one counter step per four 64-bit draws. The key is (seed, row index) and the
    counter starts at (0, epoch, stream, "MIND"): draws advance the first word only, so distinct
    (seed, epoch, index, stream) never share a stream, and building it is two small arrays, not
    a SeedSequence hash (9 us a row, a tenth of a small image's whole pipeline).
    """
    return {
        "bit_generator": "Philox",
        "state": {
            "counter": np.array([0, epoch & _MASK, stream & _MASK, _TAG], np.uint64),
            "key": np.array([(seed or 0) & _MASK, index & _MASK], np.uint64),
        },
        "buffer": _EMPTY_BUFFER,
        "buffer_pos": 4,
        "has_uint32": 0,
        "uinteger": 0,
    }


def row_generator(seed: int | None, epoch: int, index: int, stream: int = 0) -> np.random.Generator:
    """The generator for one row: a pure function of (seed, epoch, row index, stream)."""
    bits = np.random.Philox(key=0)
    bits.state = _row_state(seed, epoch, index, stream)
    return np.random.Generator(bits)


# Generators a thread reuses for its rows (their state is set afresh for each row): a row holds
# one from its first draw until its ops are done, so nested pipelines take different ones.
_SPARE = threading.local()


@contextmanager
def row_rng(generator: np.random.Generator) -> Iterator[None]:
    """Make ``generator`` what :func:`current_rng` returns inside the block."""
    token = _ROW_RNG.set(generator)
    try:
        yield
    finally:
        _ROW_RNG.reset(token)


class _RowSeed:
    """A row's generator, not set up until an op asks for it: a row whose ops draw nothing
    (decode, normalize, casts) pays nothing for its randomness. It is one of the thread's spare
    generators, put in the row's starting state, so it draws what :func:`row_generator` would."""

    __slots__ = ("entropy", "rng")

    def __init__(self, seed: int | None, epoch: int, index: int, stream: int) -> None:
        self.entropy, self.rng = (seed, epoch, index, stream), None

    def get(self) -> np.random.Generator:
        if self.rng is None:
            spare = getattr(_SPARE, "free", None)
            if spare:
                rng = spare.pop()
                rng.bit_generator.state = _row_state(*self.entropy)
            else:
                rng = row_generator(*self.entropy)
            self.rng = rng
        return self.rng


@contextmanager
def row_seed(seed: int | None, epoch: int, index: int, stream: int = 0) -> Iterator[None]:
    """Inside the block, :func:`current_rng` draws what ``row_generator(seed, epoch, index,
    stream)`` would, set up on first use. An op must not keep that generator past its row: it is
    reused for the thread's next rows."""
    row = _RowSeed(seed, epoch, index, stream)
    token = _ROW_RNG.set(row)
    try:
        yield
    finally:
        _ROW_RNG.reset(token)
        if row.rng is not None:
            spare = getattr(_SPARE, "free", None)
            if spare is None:
                spare = _SPARE.free = []
            if len(spare) < 8:
                spare.append(row.rng)


def current_rng() -> np.random.Generator:
    """The generator random transforms must draw from."""
    rng = _ROW_RNG.get()
    if rng is not None:
        return rng.get() if type(rng) is _RowSeed else rng
    seed = config.get_seed()
    key = (seed, config._CONFIG["seed_generation"])
    if _FALLBACK["seed"] != key or _FALLBACK["rng"] is None:
        _FALLBACK["seed"] = key
        _FALLBACK["rng"] = np.random.default_rng(seed)
    return _FALLBACK["rng"]  # type: ignore[return-value]
