"""Errors raised by mind-data; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["MindDataError", "MindRecordFormatError"]


class MindDataError(MindError):
    """Root of every mind-data error."""


class MindRecordFormatError(MindDataError):
    """A MindRecord file is malformed: a bad header, a truncated shard, a checksum or schema
    mismatch. The message names the file and what is wrong; rewrite the dataset or restore
    the file."""
