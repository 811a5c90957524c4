"""Basic layers with MindSpore's names (nn/layer/basic in MindSpore): Dropout1d, BiDense, ClipByNorm, Norm, OneHot, Pad, ..."""

from __future__ import annotations

__all__: list[str] = []
