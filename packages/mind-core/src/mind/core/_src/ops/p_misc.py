"""MindSpore's Primitive-class operators over ``misc_ops`` and the linear-algebra factorizations."""

from __future__ import annotations
