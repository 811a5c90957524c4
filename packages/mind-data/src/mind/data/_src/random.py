"""Per-row randomness for random transforms.

The pipeline engine sets a generator for each row it processes, derived from (seed, epoch, row
index), so a random transform draws the same numbers for the same row whatever worker runs it and
whether the pipeline was resumed. Outside a pipeline (calling a transform directly), a process-wide
generator is used, seeded from ``config.set_seed`` when set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from mind.data import config

__all__ = ["current_rng", "row_generator", "row_rng", "row_seed"]

_ROW_RNG: ContextVar[np.random.Generator | None] = ContextVar("mind_data_row_rng", default=None)
_FALLBACK: dict[str, object] = {"seed": object(), "rng": None}


def row_generator(seed: int | None, epoch: int, index: int, stream: int = 0) -> np.random.Generator:
    """The generator for one row: a pure function of (seed, epoch, row index, stream)."""
    entropy = [seed if seed is not None else 0, epoch, index, stream, 0x4D494E44]  # "MIND"
    return np.random.default_rng(np.random.SeedSequence(entropy))


@contextmanager
def row_rng(generator: np.random.Generator) -> Iterator[None]:
    """Make ``generator`` what :func:`current_rng` returns inside the block."""
    token = _ROW_RNG.set(generator)
    try:
        yield
    finally:
        _ROW_RNG.reset(token)


class _RowSeed:
    """A row's generator, not built until an op asks for it: a row whose ops draw nothing
    (decode, normalize, casts) pays nothing for its randomness."""

    __slots__ = ("entropy", "rng")

    def __init__(self, seed: int | None, epoch: int, index: int, stream: int) -> None:
        self.entropy, self.rng = (seed, epoch, index, stream), None

    def get(self) -> np.random.Generator:
        if self.rng is None:
            self.rng = row_generator(*self.entropy)
        return self.rng


@contextmanager
def row_seed(seed: int | None, epoch: int, index: int, stream: int = 0) -> Iterator[None]:
    """Inside the block, :func:`current_rng` is ``row_generator(seed, epoch, index, stream)``,
    built on first use."""
    token = _ROW_RNG.set(_RowSeed(seed, epoch, index, stream))
    try:
        yield
    finally:
        _ROW_RNG.reset(token)


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
