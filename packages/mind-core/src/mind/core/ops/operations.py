"""MindSpore's Primitive-class operators (``mindspore.ops.operations``, imported as ``P``).

>>> from mind.core import Tensor
>>> from mind.core.ops import operations as P
>>> P.ReduceMax(keep_dims=True)(Tensor([[1.0, 5.0], [3.0, 2.0]]), 1).asnumpy()
array([[5.],
       [3.]], dtype=float32)

Each class applies the functional op of the same meaning (``mind.core.ops``); the constructor
takes MindSpore's attributes with MindSpore's defaults.
"""

# MindSpore's P also carries these, which are not operator classes (not in __all__)
from mind.core._src.autodiff.functional import InsertGradientOf as InsertGradientOf
from mind.core._src.ops import (  # noqa: F401  (register their classes)
    custom,
    p_array,
    p_complex,
    p_composite,
    p_fft,
    p_image,
    p_indexing,
    p_linalg,
    p_losses,
    p_math,
    p_misc,
    p_nn,
    p_optim,
    p_pooling,
    p_scatter,
    p_sparse,
    p_special,
)
from mind.core._src.ops.custom import CustomRegOp as CustomRegOp
from mind.core._src.ops.custom import DataType as DataType
from mind.core._src.ops.custom import custom_info_register as custom_info_register
from mind.core._src.ops.maps import HyperMap as HyperMap
from mind.core._src.ops.maps import Map as Map
from mind.core._src.ops.maps import MultitypeFuncGraph as MultitypeFuncGraph
from mind.core._src.ops.maps import Partial as Partial
from mind.core._src.ops.operations import *  # noqa: F403
from mind.core._src.ops.operations import __all__ as __all__
