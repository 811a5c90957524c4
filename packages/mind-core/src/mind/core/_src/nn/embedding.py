"""Embedding lookups with MindSpore's names (EmbeddingLookup, MultiFieldEmbeddingLookup)."""

from __future__ import annotations

__all__: list[str] = []
