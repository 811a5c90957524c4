"""Errors raised by mind-lite; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["MindLiteError"]


class MindLiteError(MindError):
    """Root of every mind-lite error."""
