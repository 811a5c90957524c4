"""Errors raised by mind-armour; all derive from :class:`mind.core.errors.MindError`."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["MindArmourError"]


class MindArmourError(MindError):
    """Root of every mind-armour error."""
