"""MindSpore's Primitive-class operators over the ops of ``scatter`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import scatter as M
from mind.core._src.ops.operations import PrimitiveClass, _calls, _define, _same

for _name, _fn in {
    "TensorScatterSub": M.tensor_scatter_sub,
    "TensorScatterMul": M.tensor_scatter_mul,
    "TensorScatterDiv": M.tensor_scatter_div,
    "TensorScatterMax": M.tensor_scatter_max,
    "TensorScatterMin": M.tensor_scatter_min,
    "UnsortedSegmentSum": M.unsorted_segment_sum,
    "UnsortedSegmentMax": M.unsorted_segment_max,
    "UnsortedSegmentMin": M.unsorted_segment_min,
    "UnsortedSegmentProd": M.unsorted_segment_prod,
    # a Parameter written in place, as ScatterNdAdd (MindSpore's class has no attributes)
    "ScatterNonAliasingAdd": M.scatter_nd_add,
}.items():
    _same(_name, _fn)


def _in_place(name: str, fn: Any, use_locking: bool = False) -> None:
    """``Scatter*`` / ``ScatterNd*``: ``(input_x, indices, updates)``, a Parameter written in
    place; ``use_locking`` is MindSpore's attribute (Mind's writes never race)."""

    @_calls(fn)
    def apply(op: PrimitiveClass, input_x: Any, indices: Any, updates: Any) -> Any:
        return fn(input_x, indices, updates)

    _define(name, apply, use_locking=use_locking)


for _name, _fn in {
    "ScatterMul": M.scatter_mul,
    "ScatterDiv": M.scatter_div,
    "ScatterMax": M.scatter_max,
    "ScatterMin": M.scatter_min,
    "ScatterNdAdd": M.scatter_nd_add,
    "ScatterNdSub": M.scatter_nd_sub,
    "ScatterNdMul": M.scatter_nd_mul,
    "ScatterNdDiv": M.scatter_nd_div,
    "ScatterNdMax": M.scatter_nd_max,
    "ScatterNdMin": M.scatter_nd_min,
}.items():
    _in_place(_name, _fn)
_in_place("ScatterNdUpdate", M.scatter_nd_update, use_locking=True)


@_calls(M.tensor_scatter_elements)
def _tensor_scatter_elements(op: PrimitiveClass, input_x: Any, indices: Any, updates: Any) -> Any:
    return M.tensor_scatter_elements(input_x, indices, updates, op.axis, op.reduction)


_define("TensorScatterElements", _tensor_scatter_elements, axis=0, reduction="none")
