"""MindSpore's ``mindspore.ops.composite``: composite operations built from the primitives."""

from mind.core._src.autodiff.functional import GradOperation as GradOperation
from mind.core._src.autodiff.functional import HookBackward as HookBackward
from mind.core._src.ops.maps import HyperMap as HyperMap
from mind.core._src.ops.maps import Map as Map
from mind.core._src.ops.maps import MultitypeFuncGraph as MultitypeFuncGraph
from mind.core._src.ops.maps import partial as partial

__all__ = ["GradOperation", "HookBackward", "HyperMap", "Map", "MultitypeFuncGraph", "partial"]
