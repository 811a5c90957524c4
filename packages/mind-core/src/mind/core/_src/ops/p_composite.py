"""MindSpore's operator classes that are not computations of their own: ``Depend``,
``Partial``, ``InsertGradientOf``, ``Map``/``HyperMap``/``MultitypeFuncGraph`` (also in
``ops.composite``), and the bases ``PrimitiveWithInfer``/``PrimitiveWithCheck`` user code
subclasses."""

from __future__ import annotations

from typing import Any

from mind.core._src.autodiff.functional import InsertGradientOf
from mind.core._src.ops import operations as _operations
from mind.core._src.ops.control import depend
from mind.core._src.ops.maps import HyperMap, Map, MultitypeFuncGraph, Partial
from mind.core._src.ops.operations import PrimitiveClass
from mind.core.errors import MindTypeError

__all__ = [
    "Depend",
    "HyperMap",
    "InsertGradientOf",
    "Map",
    "MultitypeFuncGraph",
    "Partial",
    "PrimitiveWithCheck",
    "PrimitiveWithInfer",
]


class Depend(PrimitiveClass):
    """MindSpore's ``Depend`` operator: ``P.Depend()(value, expr)`` is ``value``, computed after ``expr``
    (:func:`mind.core.ops.depend`)."""

    def __call__(self, value: Any, expr: Any) -> Any:
        return depend(value, expr)


class PrimitiveWithInfer(PrimitiveClass):
    """MindSpore's ``PrimitiveWithInfer``: the base user code subclasses for an operator with
    Python inference
    (``infer_shape``, ``infer_dtype``, ``infer_value``). Mind runs a subclass that defines
    ``__call__`` (on Tensors, with ops); for a new kernel use :class:`mind.core.ops.Custom`."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.attrs: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self._name

    def init_prim_io_names(self, inputs: list[str], outputs: list[str]) -> None:
        self.attrs["input_names"], self.attrs["output_names"] = list(inputs), list(outputs)

    def infer_shape(self, *shapes: Any) -> Any:
        return shapes[0] if shapes else None

    def infer_dtype(self, *dtypes: Any) -> Any:
        return dtypes[0] if dtypes else None

    def infer_value(self, *values: Any) -> Any:
        return None

    def __call__(self, *inputs: Any) -> Any:
        raise MindTypeError(
            f"For '{self.name}', a {type(self).__mro__[1].__name__} subclass runs only when it "
            "defines __call__ (on Tensors, with ops); to add a kernel use ops.Custom"
        )


class PrimitiveWithCheck(PrimitiveWithInfer):
    """MindSpore's ``PrimitiveWithCheck``: as :class:`PrimitiveWithInfer`, with
    ``check_shape``/``check_dtype`` instead of inference."""

    def check_shape(self, *shapes: Any) -> None:
        return None

    def check_dtype(self, *dtypes: Any) -> None:
        return None


# MindSpore's ops.operations (and ops) export them; the composites are not operator classes:
# mind/core/ops/operations.py and ops/__init__.py import them by name
for _name in ("Depend", "PrimitiveWithCheck", "PrimitiveWithInfer"):
    setattr(_operations, _name, globals()[_name])
    _operations.__all__.append(_name)
