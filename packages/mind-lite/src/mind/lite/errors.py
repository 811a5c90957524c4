"""Errors raised by mind-lite; all derive from :class:`mind.core.errors.MindError`.

``mind.core.errors`` loads without the rest of mind-core (its names load lazily), so importing
these costs the runtime nothing."""

from __future__ import annotations

from mind.core.errors import MindError

__all__ = ["LiteConvertError", "LiteFormatError", "LiteRuntimeError", "MindLiteError"]


class MindLiteError(MindError):
    """Root of every mind-lite error."""


class LiteFormatError(MindLiteError, ValueError):
    """A lite model file is malformed: names the file and the field at fault."""


class LiteConvertError(MindLiteError, ValueError):
    """A model cannot be converted: names the op type, the node and, for ONNX, the opset."""


class LiteRuntimeError(MindLiteError, RuntimeError):
    """A model cannot run on the inputs given (names the input and what was expected)."""
