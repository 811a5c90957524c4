"""mind-lite: mind Lite: edge inference runtime, converter and quantization."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
