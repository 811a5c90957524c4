"""Discrete Fourier transforms with MindSpore's names (``ops.fft``, ``rfft``, ``stft``, ...)."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
