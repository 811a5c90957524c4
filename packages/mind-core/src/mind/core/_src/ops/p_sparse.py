"""MindSpore's Primitive-class sparse operators (over ``sparse``)."""

from __future__ import annotations
