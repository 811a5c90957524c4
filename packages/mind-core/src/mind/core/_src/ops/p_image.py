"""MindSpore's Primitive-class image and detection operators (over ``resize`` and the array ops)."""

from __future__ import annotations
