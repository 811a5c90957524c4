"""Dtypes, spelt and promoted as MindSpore does.

``mind.core.float32`` and friends are :class:`DType` singletons (``repr`` ``Float32``, as in
MindSpore). Promotion between two tensors follows the usual lattice: bool < integers < floats, the
wider type winning within a kind, ``uint8`` with a signed integer widening to the next signed type,
``float16`` with ``bfloat16`` giving ``float32``, complex above floats (``float32`` with
``complex64`` is ``complex64``; ``float64`` with ``complex64`` is ``complex128``, as numpy's). A
Python scalar is *weak*: it never widens a tensor (``int32 tensor + 1`` stays ``int32``,
``float16 tensor + 0.5`` stays ``float16``); it only lifts the kind (``int32 tensor + 0.5`` is
``float32``, ``bool tensor + 1`` is ``int64``, ``float32 tensor * 1j`` is ``complex64``,
``float64 tensor * 1j`` is ``complex128``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.dtypes import NUMPY_DTYPES
from mind.core.errors import MindTypeError

__all__ = [
    "DType",
    "bfloat16",
    "bool_",
    "complex64",
    "complex128",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "promote",
    "scalar_dtype",
    "to_dtype",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]


_REPR = {
    "bfloat16": "BFloat16",
    "uint8": "UInt8",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
}


class DType:
    """A tensor element type. Compare with ``is`` or ``==``; the instances are unique."""

    __slots__ = ("_kind_rank", "itemsize", "kind", "name", "np")

    def __init__(self, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind  # "b" bool, "u" unsigned, "i" signed, "f" float, "c" complex
        self.np: np.dtype | None = NUMPY_DTYPES.get(name)
        digits = "".join(c for c in name if c.isdigit())
        self.itemsize = 1 if name == "bool" else int(digits) // 8
        self._kind_rank = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[kind]

    def __repr__(self) -> str:
        return _REPR.get(self.name) or self.name.capitalize()

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (to_dtype, (self.name,))

    @property
    def is_floating_point(self) -> bool:
        return self.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self.kind in "iu"

    @property
    def is_complex(self) -> bool:
        return self.kind == "c"


bool_ = DType("bool", "b")
int8 = DType("int8", "i")
int16 = DType("int16", "i")
int32 = DType("int32", "i")
int64 = DType("int64", "i")
uint8 = DType("uint8", "u")
uint16 = DType("uint16", "u")
uint32 = DType("uint32", "u")
uint64 = DType("uint64", "u")
float16 = DType("float16", "f")
bfloat16 = DType("bfloat16", "f")
float32 = DType("float32", "f")
float64 = DType("float64", "f")
complex64 = DType("complex64", "c")
complex128 = DType("complex128", "c")

ALL = (
    bool_,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float16,
    bfloat16,
    float32,
    float64,
    complex64,
    complex128,
)
_BY_NAME = {d.name: d for d in ALL}
_BY_NP: dict[np.dtype, DType] = {d.np: d for d in ALL if d.np is not None}
_PY = {bool: bool_, int: int64, float: float32, complex: complex128}


def to_dtype(value: Any) -> DType:
    """A :class:`DType` from a DType, a name (``"float32"``), a numpy dtype or ``float``/``int``."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value) or _BY_NAME.get(value.lower().replace("bool_", "bool"))
        if found is not None:
            return found
    elif value in _PY:
        return _PY[value]
    else:
        try:
            found = _BY_NP.get(np.dtype(value))
        except TypeError:
            found = None
        if found is not None:
            return found
    raise MindTypeError(
        f"{value!r} is not a Mind dtype; use one of {[d.name for d in ALL]} "
        "(as mind.core.float32, 'float32' or numpy.float32)"
    )


def from_numpy_dtype(dtype: np.dtype) -> DType:
    """The DType of a numpy array's dtype; raises for dtypes Mind has no tensor type for."""
    found = _BY_NP.get(dtype)
    if found is None:
        raise MindTypeError(
            f"numpy dtype {dtype} has no Mind equivalent; supported: {[d.name for d in ALL]}"
        )
    return found


def _promote_pair(a: DType, b: DType) -> DType:
    if a is b:
        return a
    if {a, b} == {float64, complex64}:  # complex wide enough for float64's precision
        return complex128
    if a._kind_rank != b._kind_rank:
        return a if a._kind_rank > b._kind_rank else b
    if a.kind == "c":
        return a if a.itemsize >= b.itemsize else b
    if a.kind == "f":
        if {a.name, b.name} == {"float16", "bfloat16"}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if a.kind == b.kind:  # both signed or both unsigned
        return a if a.itemsize >= b.itemsize else b
    signed, unsigned = (a, b) if a.kind == "i" else (b, a)
    if signed.itemsize > unsigned.itemsize:
        return signed
    return {1: int16, 2: int32, 4: int64}.get(unsigned.itemsize, int64)


_PROMOTE = {(a, b): _promote_pair(a, b) for a in ALL for b in ALL}


def promote(a: DType, b: DType) -> DType:
    """The dtype of a binary op between tensors of dtypes ``a`` and ``b``."""
    return _PROMOTE[a, b]


def scalar_dtype(tensor_dtype: DType, scalar: Any) -> DType:
    """The dtype of a binary op between a tensor and a Python scalar (the scalar is weak)."""
    if isinstance(scalar, bool):
        return tensor_dtype
    if isinstance(scalar, int):
        return tensor_dtype if tensor_dtype.kind != "b" else int64
    if isinstance(scalar, float):
        return tensor_dtype if tensor_dtype.kind in "fc" else float32
    if isinstance(scalar, complex):
        if tensor_dtype.kind == "c":
            return tensor_dtype
        return complex128 if tensor_dtype is float64 else complex64
    raise MindTypeError(f"expected a Tensor or a Python number, got {type(scalar).__name__}")
