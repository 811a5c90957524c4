"""Scatter ops with MindSpore's names (``scatter_*``, ``scatter_nd_*``, ``tensor_scatter_*``)."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
