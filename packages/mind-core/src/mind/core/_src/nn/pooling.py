"""Pooling layers with MindSpore's names in 1, 2 and 3 spatial dimensions (beyond layers' 2-d ones)."""

from __future__ import annotations

__all__: list[str] = []
