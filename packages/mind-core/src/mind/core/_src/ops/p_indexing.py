"""MindSpore's Primitive-class operators over the ops of ``indexing`` (see ops.operations: each class
is generated from one table line and applies the functional op)."""

from __future__ import annotations

from mind.core._src.ops import indexing as M  # noqa: F401
from mind.core._src.ops.operations import _calls, _define, _same  # noqa: F401
