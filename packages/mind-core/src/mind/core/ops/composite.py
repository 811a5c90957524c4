"""MindSpore's ``mindspore.ops.composite``: composite operations built from the primitives."""

from mind.core._src.autodiff.functional import GradOperation as GradOperation
from mind.core._src.autodiff.functional import HookBackward as HookBackward

__all__ = ["GradOperation", "HookBackward"]
