"""Special functions, window functions and random sampling with MindSpore's names."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
