"""Errors raised by mind-insight; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["MindInsightError"]


class MindInsightError(MindError):
    """Root of every mind-insight error."""
