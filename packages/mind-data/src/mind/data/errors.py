"""Errors raised by mind-data; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["DatasetFileError", "MindDataError", "MindRecordFormatError"]


class MindDataError(MindError):
    """Root of every mind-data error."""


class MindRecordFormatError(MindDataError):
    """A MindRecord file is malformed: a bad header, a truncated shard, a checksum or schema
    mismatch. The message names the file and what is wrong; rewrite the dataset or restore
    the file."""


class DatasetFileError(MindDataError):
    """A data file shipped inside mind-data is missing or is not the file Mind was released with.

    Cause: the installation is damaged (a partial copy, a file edited or truncated on disk), or a
    packaging step dropped the non-Python files from the wheel. The message names the file and
    what is wrong: a missing file, a SHA-256 that differs from the recorded one, or a row or column
    count that does not match.

    Fix: reinstall mind-data (``pip install --force-reinstall mind-data``), or restore the file from
    a checkout of the Mind repository.
    """

    docs = "data.md#digits"
