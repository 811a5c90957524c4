"""Blocks: runs of consecutive rows in columnar form, what the batch-native engine moves.

A pipeline whose ops all have a block form (MindRecord and numpy sources, ``batch`` without a
``per_batch_map``, ``map`` with ops that have a batch form, ``project``, ``rename``, ``take``,
``skip``, ``repeat``, ``concat``, ``zip``, ``shuffle``) moves :class:`Block` objects between its
stages instead of one Python tuple per row: a source hands out slices of its arrays (for
MindRecord, views of the memory-mapped pages), ``batch`` cuts those slices to the batch size, and
``map`` runs an op once per block. Rows are only made where something needs them: the iterator,
when it hands rows out, and an op that has no block form, which reads its child's blocks as rows.

A block's rows are exactly the rows the row-at-a-time engine produces for the same positions
(the same values, dtypes, shapes and order), so the two engines are interchangeable;
:func:`use_blocks` switches the block engine off, which the tests use to compare them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["Block", "blocks_enabled", "split", "use_blocks"]

_ENABLED = [True]

#: A source cuts its epoch into blocks of at most this many rows ...
BLOCK_ROWS = 1024
#: ... and of about this many bytes when rows are large (copies, such as a shuffled gather).
BLOCK_BYTES = 4 << 20


def blocks_enabled() -> bool:
    return _ENABLED[0]


@contextmanager
def use_blocks(enabled: bool) -> Iterator[None]:
    """Run pipelines built or iterated inside the block with the block engine on or off."""
    previous, _ENABLED[0] = _ENABLED[0], bool(enabled)
    try:
        yield
    finally:
        _ENABLED[0] = previous


_KEYS: list[tuple[int, Any]] = []


def _zero_d(column: np.ndarray) -> list:
    """The elements of a 1-D array as 0-d arrays (the row engine's rows are 0-d arrays, not
    numpy scalars): ``column[i, ...]`` views, with the index tuples made once."""
    if column.dtype.kind in "US":  # each string row has its own width ('<U3', '<U5')
        return list(map(np.asarray, column))
    n = len(column)
    if len(_KEYS) < n:
        _KEYS.extend((i, ...) for i in range(len(_KEYS), max(n, BLOCK_ROWS)))
    if column.flags.writeable and column.base is not None:
        column = column.copy()  # a row must not alias a source's (or user's) writable array
    return list(map(column.__getitem__, _KEYS[:n]))


def split(column: Any) -> list:
    """The per-row values of one block column, as the row engine holds them."""
    if isinstance(column, list):
        return column
    if column.ndim > 1:
        return list(column)
    return _zero_d(column)


class Block:
    """``n`` consecutive rows: ``columns[i]`` is an array whose first axis holds the n rows (every
    row one shape and dtype) or a list of the n per-row arrays (rows that differ)."""

    __slots__ = ("columns", "n")

    def __init__(self, columns: list, n: int) -> None:
        self.columns, self.n = columns, n

    def values(self) -> list[list]:
        """Each column's per-row values."""
        return [split(c) for c in self.columns]

    def rows(self) -> list[tuple]:
        return list(zip(*[split(c) for c in self.columns]))

    def slice(self, lo: int, hi: int) -> Block:
        if lo == 0 and hi >= self.n:
            return self
        return Block([c[lo:hi] for c in self.columns], min(hi, self.n) - lo)

    def take(self, order: np.ndarray) -> Block:
        """The rows at positions ``order`` (a gather)."""
        index = order.tolist()
        return Block(
            [[c[k] for k in index] if isinstance(c, list) else c[order] for c in self.columns],
            len(index),
        )


def join(blocks: list[Block], ncols: int) -> Block:
    """One block of the rows of ``blocks`` in turn (arrays joined where they agree)."""
    if len(blocks) == 1:
        return blocks[0]
    columns = []
    for i in range(ncols):
        parts = [b.columns[i] for b in blocks]
        columns.append(join_column(parts))
    return Block(columns, sum(b.n for b in blocks))


def join_column(parts: list) -> Any:
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, np.ndarray) for p in parts):
        first = parts[0]
        if all(p.dtype == first.dtype and p.shape[1:] == first.shape[1:] for p in parts):
            return np.concatenate(parts)
    return [v for p in parts for v in split(p)]


def rechunk(stream: Iterator[Block], size: int, ncols: int) -> Iterator[list[Block]]:
    """The rows of ``stream`` in blocks of exactly ``size`` rows (the last may be short),
    grouped: each list holds the blocks that one incoming block completed (so that a consumer
    can pass several small batches along at once)."""
    pending: list[Block] = []
    have = 0
    for block in stream:
        done = []
        lo = 0
        while lo < block.n:
            take = min(size - have, block.n - lo)
            pending.append(block.slice(lo, lo + take))
            have += take
            lo += take
            if have == size:
                done.append(join(pending, ncols))
                pending, have = [], 0
        if done:
            yield done
    if pending:
        yield [join(pending, ncols)]
