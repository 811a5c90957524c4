"""Global pipeline settings, as ``mindspore.dataset.config``.

``set_seed(n)`` makes every shuffle, sampler and random transform repeat run to run, whatever the
number of workers: each row's randomness is derived from (seed, epoch, row index), not from which
worker happened to process it.
"""

from __future__ import annotations

import os

from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "get_error_on_stall",
    "get_multiprocessing_timeout_interval",
    "get_num_parallel_workers",
    "get_prefetch_size",
    "get_seed",
    "set_error_on_stall",
    "set_multiprocessing_timeout_interval",
    "set_num_parallel_workers",
    "set_prefetch_size",
    "set_seed",
]

_CONFIG = {
    "seed": None,
    "seed_generation": 0,
    "num_parallel_workers": min(8, os.cpu_count() or 1),
    "prefetch_size": 16,
    "multiprocessing_timeout_interval": 300,  # MindSpore's default
    "error_on_stall": False,
}


def set_seed(seed: int) -> None:
    """Seed shuffles, samplers and random transforms of every pipeline built afterwards."""
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise MindValueError(f"For 'set_seed', 'seed' must be an int in [0, 2**32), got {seed!r}")
    _CONFIG["seed"] = seed
    _CONFIG["seed_generation"] += 1  # setting the same seed again restarts the streams too


def get_seed() -> int | None:
    """The seed set by :func:`set_seed`, or ``None`` (fresh randomness each run)."""
    return _CONFIG["seed"]


def set_num_parallel_workers(num: int) -> None:
    """Default worker count for ops that do not set ``num_parallel_workers``."""
    if not isinstance(num, int) or num < 1:
        raise MindValueError(
            f"For 'set_num_parallel_workers', 'num' must be an int >= 1, got {num!r}"
        )
    _CONFIG["num_parallel_workers"] = num


def get_num_parallel_workers() -> int:
    return _CONFIG["num_parallel_workers"]


def set_prefetch_size(size: int) -> None:
    """Rows (or batches) each op's output queue holds ahead of its consumer."""
    if not isinstance(size, int) or size < 1:
        raise MindValueError(f"For 'set_prefetch_size', 'size' must be an int >= 1, got {size!r}")
    _CONFIG["prefetch_size"] = size


def get_prefetch_size() -> int:
    return _CONFIG["prefetch_size"]


def set_multiprocessing_timeout_interval(interval: int) -> None:
    """Seconds the stall watchdog waits, while no row moves through a pipeline, before it logs a
    warning naming the op, the worker and the row in flight; it warns again every ``interval``
    while the stall lasts (or raises, see :func:`set_error_on_stall`). Default 300, as in
    MindSpore. Applies to iterators (and epochs) started afterwards.

    >>> ds.config.set_multiprocessing_timeout_interval(60)
    """
    if isinstance(interval, bool) or not isinstance(interval, int):
        raise MindTypeError(
            "For 'set_multiprocessing_timeout_interval', 'interval' must be an int, got "
            f"{type(interval).__name__}"
        )
    if not 0 < interval <= 2**31 - 1:
        raise MindValueError(
            "For 'set_multiprocessing_timeout_interval', 'interval' must be in "
            f"[1, 2147483647], got {interval}"
        )
    _CONFIG["multiprocessing_timeout_interval"] = interval


def get_multiprocessing_timeout_interval() -> int:
    """The stall watchdog's interval in seconds (default 300)."""
    return _CONFIG["multiprocessing_timeout_interval"]


def set_error_on_stall(error: bool) -> None:
    """With ``True``, a stall (no row for a whole watchdog interval) raises
    :class:`~mind.data.errors.PipelineStallError` from the iterator, naming the op, the worker
    and the row, and stops the pipeline's workers; with ``False`` (the default) it is a logged
    warning. Not in MindSpore, which only warns."""
    if not isinstance(error, bool):
        raise MindTypeError(
            f"For 'set_error_on_stall', 'error' must be a bool, got {type(error).__name__}"
        )
    _CONFIG["error_on_stall"] = error


def get_error_on_stall() -> bool:
    """Whether a stall raises (True) or warns (False, the default)."""
    return _CONFIG["error_on_stall"]
