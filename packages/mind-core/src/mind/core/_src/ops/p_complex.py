"""MindSpore's Primitive-class operators over the ops of ``complex_ops`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import complex_ops as C
from mind.core._src.ops.elementwise import abs as _abs
from mind.core._src.ops.operations import PrimitiveClass, _calls, _define, _same
from mind.core._src.tensor.tensor import as_tensor

for _name, _fn in {
    "Complex": C.complex,
    "Real": C.real,
    "Imag": C.imag,
    "Conj": C.conj,
    "Angle": C.angle,
    "Polar": C.polar,
}.items():
    _same(_name, _fn)


@_calls(_abs)
def _complex_abs(op: PrimitiveClass, x: Any) -> Any:
    x = as_tensor(x)
    C._require_complex("ComplexAbs", "x", x)
    return _abs(x)


_define("ComplexAbs", _complex_abs)
