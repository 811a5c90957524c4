"""Optimizer update ops with MindSpore's names (the ``Apply*`` family), each writing its Parameters in place."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
