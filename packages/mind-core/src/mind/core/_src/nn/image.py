"""Image layers with MindSpore's names (SSIM, MSSSIM, PSNR, CentralCrop, ...)."""

from __future__ import annotations

__all__: list[str] = []
