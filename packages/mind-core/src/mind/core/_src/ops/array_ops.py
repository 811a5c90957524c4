"""Array manipulation with MindSpore's names (stacking, splitting, matrix diagonals, segment reductions, ...)."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
