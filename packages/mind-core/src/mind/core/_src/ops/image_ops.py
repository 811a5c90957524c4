"""Image sampling and detection ops with MindSpore's names: affine grids and grid sampling,
crop-and-resize, col2im, deformable convolution."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
