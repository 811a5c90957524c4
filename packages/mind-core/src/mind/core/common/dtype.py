"""Dtypes (``mindspore.common.dtype``, often imported as ``mstype``)."""

from mind.core._src.tensor.dtype import DType as DType
from mind.core._src.tensor.dtype import bfloat16 as bfloat16
from mind.core._src.tensor.dtype import bool_ as bool_
from mind.core._src.tensor.dtype import complex64 as complex64
from mind.core._src.tensor.dtype import complex128 as complex128
from mind.core._src.tensor.dtype import float16 as float16
from mind.core._src.tensor.dtype import float32 as float32
from mind.core._src.tensor.dtype import float64 as float64
from mind.core._src.tensor.dtype import int8 as int8
from mind.core._src.tensor.dtype import int16 as int16
from mind.core._src.tensor.dtype import int32 as int32
from mind.core._src.tensor.dtype import int64 as int64
from mind.core._src.tensor.dtype import to_dtype as to_dtype
from mind.core._src.tensor.dtype import uint8 as uint8
from mind.core._src.tensor.dtype import uint16 as uint16
from mind.core._src.tensor.dtype import uint32 as uint32
from mind.core._src.tensor.dtype import uint64 as uint64

float_ = float32
int_ = int64

__all__ = [
    "DType",
    "bfloat16",
    "bool_",
    "complex64",
    "complex128",
    "float16",
    "float32",
    "float64",
    "float_",
    "int8",
    "int16",
    "int32",
    "int64",
    "int_",
    "to_dtype",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
]
