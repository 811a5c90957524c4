"""mind-extend: mind Extend: GNN, probability, scientific ML and the model zoo."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
