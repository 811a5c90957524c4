"""MindSpore's ``mindspore.common``: dtypes, initializers, Tensor, Parameter and ParameterTuple."""

from mind.core._src.tensor.tensor import Parameter as Parameter
from mind.core._src.tensor.tensor import ParameterTuple as ParameterTuple
from mind.core._src.tensor.tensor import Tensor as Tensor
from mind.core.common import dtype as dtype
from mind.core.common import initializer as initializer

__all__ = ["Parameter", "ParameterTuple", "Tensor", "dtype", "initializer"]
