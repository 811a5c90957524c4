"""Errors raised by mind-extend; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["MindExtendError"]


class MindExtendError(MindError):
    """Root of every mind-extend error."""
