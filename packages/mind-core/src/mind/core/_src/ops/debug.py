"""``print_``: printing tensors' values, in PyNative mode and from inside compiled graphs.

Inside ``jit`` a tensor has no value yet, so ``print_`` records a ``print`` node (trait ``effect``:
never folded, merged or removed) that prints when the graph runs, in graph order. With
``capture_mode="ast"`` the builtin ``print`` inside a compiled function does the same.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from mind.core._src.ir.trace import TraceValue
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import ShapedArray, bind, example, primitive
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor

__all__ = ["print_"]


def _print_kernel(*arrays: Any, parts: tuple, sep: str, end: str) -> np.ndarray:
    values = iter(arrays)
    text = [repr(Tensor(next(values))) if p is None else p for p in parts]
    sys.stdout.write(sep.join(text) + end)
    sys.stdout.flush()
    return np.zeros((), np.int32)


print_p = primitive(
    "print",
    cpu=_print_kernel,
    infer=lambda *xs, parts, sep, end: ShapedArray((), dt.int32),
    differentiable=False,
    traits=("effect",),
    attrs=("parts", "sep", "end"),
    doc="Print the tensor inputs between the text parts (None marks where each goes).",
)
S.attr_schema(print_p, parts=S.Text(parts=True), sep=S.Text(), end=S.Text())
example(print_p, lambda c: ([c.r(2)], {"parts": ("x:", None), "sep": " ", "end": "\n"}, None))


def print_(*args: Any, sep: str = " ", end: str = "\n") -> None:
    """Print ``args`` like the builtin ``print``, tensors as their values; inside a compiled
    function, when the graph runs (MindSpore's ``ops.print_``)."""
    tensors = [a for a in args if isinstance(a, Tensor) and isinstance(a._data, TraceValue)]
    if not tensors:
        print(*args, sep=sep, end=end)
        return
    parts = tuple(None if isinstance(a, Tensor) else str(a) for a in args)
    inputs = tuple(a for a in args if isinstance(a, Tensor))
    bind(print_p, inputs, {"parts": parts, "sep": sep, "end": end})
