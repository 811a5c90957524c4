"""Errors raised by mind-data; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["DatasetFileError", "MindDataError", "MindRecordFormatError", "PipelineStallError"]


class MindDataError(MindError, RuntimeError):
    """Root of every mind-data error; a RuntimeError too, as MindSpore's dataset errors are, so
    a MindSpore script's ``except RuntimeError`` catches it."""


class PipelineStallError(MindDataError):
    """No row has moved through a pipeline for a whole watchdog interval.

    Cause: an operation or a source is hung (a deadlock, a blocking read from a socket or a FIFO,
    an endless loop) or is slower than ``config.set_multiprocessing_timeout_interval``. Raised
    only with ``config.set_error_on_stall(True)``; otherwise the watchdog logs a warning on the
    ``mind.data`` logger once per interval. The message names the op, the worker and the row in
    flight.

    Fix: debug that row of that op (run it alone with ``num_parallel_workers=1``), or raise the
    interval if the operation is just slow.
    """


class MindRecordFormatError(MindDataError):
    """A MindRecord file is malformed: a bad header, a truncated shard, a checksum or schema
    mismatch. The message names the file and what is wrong; rewrite the dataset or restore
    the file."""


class DatasetFileError(MindDataError):
    """A data file shipped inside mind-data is missing or is not the file Mind was released with.

    Cause: the installation is damaged (a partial copy, a file edited or truncated on disk), or a
    packaging step dropped the non-Python files from the wheel. The message names the file and
    what is wrong: a missing file, a digest that differs from the recorded one, or a row or column
    count that does not match.

    Fix: reinstall mind-data (``pip install --force-reinstall mind-data``), or restore the file from
    a checkout of the Mind repository.
    """

    docs = "data.md#digits"
