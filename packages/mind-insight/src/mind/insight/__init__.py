"""mind-insight: mind Insight: summaries, dashboard, lineage, profiler and debugger."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
