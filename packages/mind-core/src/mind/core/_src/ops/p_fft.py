"""MindSpore's Primitive-class operators over the ops of ``fft``."""

from __future__ import annotations
