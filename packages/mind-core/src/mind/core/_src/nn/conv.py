"""Convolution and normalization layers beyond layers' 2-d ones (Conv3d, the transposed convolutions, BatchNorm3d, InstanceNorm)."""

from __future__ import annotations

__all__: list[str] = []
