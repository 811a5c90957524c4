"""Pooling and convolution in 1, 2 and 3 spatial dimensions beyond nn_ops' 2-d ones (MindSpore 2.x's functional names)."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
