"""MindSpore's remaining functional ops that fit no other area: in-place assigns, padding,
shapes, Gumbel softmax, GLU, index_put and masked_scatter, edit distance, histograms."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
