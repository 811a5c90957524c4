"""MindSpore's Primitive-class operators over the ops of ``special`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations
