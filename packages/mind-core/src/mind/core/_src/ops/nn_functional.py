"""Functional forms of neural-network layers with MindSpore's names (dropout variants, CTC loss, ...)."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
