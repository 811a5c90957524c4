"""Complex numbers: ``real``, ``imag``, ``conj``, ``angle``, ``polar``, ``complex`` (MindSpore's names)."""

from __future__ import annotations

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()
