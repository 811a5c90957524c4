"""mind-data: mindData pipelines, MindRecord on Apache Arrow, datasets and transforms."""

from __future__ import annotations

from mind.data.digits import load_digits as load_digits

__version__ = "0.1.0"

__all__ = ["__version__", "load_digits"]
