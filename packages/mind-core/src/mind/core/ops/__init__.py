"""Functional ops with MindSpore 2.x names and argument orders (``mindspore.ops``).

Every op takes Tensors (Python numbers and numpy arrays are converted), returns a new Tensor, and
is differentiable where the math is. Supported devices: cpu.

>>> from mind.core import ops, Tensor
>>> ops.softmax(Tensor([1.0, 2.0, 3.0]))
Tensor(shape=[3], dtype=Float32, value=[ 0.09003057,  0.24472848,  0.66524094])
"""

from mind.core._src.autodiff.functional import GradOperation as GradOperation
from mind.core._src.autodiff.functional import HookBackward as HookBackward
from mind.core._src.autodiff.functional import InsertGradientOf as InsertGradientOf
from mind.core._src.autodiff.functional import derivative as derivative
from mind.core._src.autodiff.functional import jet as jet
from mind.core._src.ops import array_ops as _array_ops
from mind.core._src.ops import complex_ops as _complex_ops
from mind.core._src.ops import fft as _fft
from mind.core._src.ops import image_ops as _image_ops
from mind.core._src.ops import indexing as _indexing
from mind.core._src.ops import linalg as _linalg
from mind.core._src.ops import losses as _losses
from mind.core._src.ops import math_ops as _math_ops
from mind.core._src.ops import misc_ops as _misc_ops
from mind.core._src.ops import nn_functional as _nn_functional
from mind.core._src.ops import optim_ops as _optim_ops
from mind.core._src.ops import pooling as _pooling
from mind.core._src.ops import resize as _resize
from mind.core._src.ops import scatter as _scatter
from mind.core._src.ops import sparse as _sparse
from mind.core._src.ops import special as _special
from mind.core._src.ops.array import apply_momentum as apply_momentum
from mind.core._src.ops.array import assign as assign
from mind.core._src.ops.array_ops import *  # noqa: F403
from mind.core._src.ops.complex_ops import *  # noqa: F403
from mind.core._src.ops.control import depend as depend
from mind.core._src.ops.control import fori_loop as fori_loop
from mind.core._src.ops.control import make_tuple as make_tuple
from mind.core._src.ops.control import scan as scan
from mind.core._src.ops.control import switch as switch
from mind.core._src.ops.control import tuple_getitem as tuple_getitem
from mind.core._src.ops.control import while_loop as while_loop
from mind.core._src.ops.custom import CustomRegOp as CustomRegOp
from mind.core._src.ops.custom import DataType as DataType
from mind.core._src.ops.custom import custom_info_register as custom_info_register
from mind.core._src.ops.debug import print_ as print_
from mind.core._src.ops.dispatch import Primitive as Primitive
from mind.core._src.ops.dispatch import get_primitive as get_primitive
from mind.core._src.ops.fft import *  # noqa: F403
from mind.core._src.ops.functional import (
    abs as abs,
)
from mind.core._src.ops.functional import (
    adaptive_avg_pool2d as adaptive_avg_pool2d,
)
from mind.core._src.ops.functional import (
    add as add,
)
from mind.core._src.ops.functional import (
    all as all,
)
from mind.core._src.ops.functional import (
    amax as amax,
)
from mind.core._src.ops.functional import (
    amin as amin,
)
from mind.core._src.ops.functional import (
    any as any,
)
from mind.core._src.ops.functional import (
    arange as arange,
)
from mind.core._src.ops.functional import (
    argmax as argmax,
)
from mind.core._src.ops.functional import (
    argmin as argmin,
)
from mind.core._src.ops.functional import (
    avg_pool2d as avg_pool2d,
)
from mind.core._src.ops.functional import (
    batch_matmul as batch_matmul,
)
from mind.core._src.ops.functional import (
    batch_norm as batch_norm,
)
from mind.core._src.ops.functional import (
    bernoulli as bernoulli,
)
from mind.core._src.ops.functional import (
    binary_cross_entropy_with_logits as binary_cross_entropy_with_logits,
)
from mind.core._src.ops.functional import (
    bmm as bmm,
)
from mind.core._src.ops.functional import (
    broadcast_to as broadcast_to,
)
from mind.core._src.ops.functional import (
    cast as cast,
)
from mind.core._src.ops.functional import (
    cat as cat,
)
from mind.core._src.ops.functional import (
    clamp as clamp,
)
from mind.core._src.ops.functional import (
    clip as clip,
)
from mind.core._src.ops.functional import (
    concat as concat,
)
from mind.core._src.ops.functional import (
    conv1d as conv1d,
)
from mind.core._src.ops.functional import (
    conv2d as conv2d,
)
from mind.core._src.ops.functional import (
    conv_transpose2d as conv_transpose2d,
)
from mind.core._src.ops.functional import (
    cos as cos,
)
from mind.core._src.ops.functional import (
    cross_entropy as cross_entropy,
)
from mind.core._src.ops.functional import (
    cumsum as cumsum,
)
from mind.core._src.ops.functional import (
    dense as dense,
)
from mind.core._src.ops.functional import (
    div as div,
)
from mind.core._src.ops.functional import (
    dropout as dropout,
)
from mind.core._src.ops.functional import (
    elu as elu,
)
from mind.core._src.ops.functional import (
    embedding as embedding,
)
from mind.core._src.ops.functional import (
    equal as equal,
)
from mind.core._src.ops.functional import (
    erf as erf,
)
from mind.core._src.ops.functional import (
    exp as exp,
)
from mind.core._src.ops.functional import (
    expand_dims as expand_dims,
)
from mind.core._src.ops.functional import (
    eye as eye,
)
from mind.core._src.ops.functional import (
    flatten as flatten,
)
from mind.core._src.ops.functional import (
    floor as floor,
)
from mind.core._src.ops.functional import (
    floor_divide as floor_divide,
)
from mind.core._src.ops.functional import (
    full as full,
)
from mind.core._src.ops.functional import (
    full_like as full_like,
)
from mind.core._src.ops.functional import (
    gather as gather,
)
from mind.core._src.ops.functional import (
    gather_nd as gather_nd,
)
from mind.core._src.ops.functional import (
    gelu as gelu,
)
from mind.core._src.ops.functional import (
    get_seed as get_seed,
)
from mind.core._src.ops.functional import (
    grad as grad,
)
from mind.core._src.ops.functional import (
    greater as greater,
)
from mind.core._src.ops.functional import (
    greater_equal as greater_equal,
)
from mind.core._src.ops.functional import (
    group_norm as group_norm,
)
from mind.core._src.ops.functional import (
    jacfwd as jacfwd,
)
from mind.core._src.ops.functional import (
    jacrev as jacrev,
)
from mind.core._src.ops.functional import (
    jvp as jvp,
)
from mind.core._src.ops.functional import (
    l1_loss as l1_loss,
)
from mind.core._src.ops.functional import (
    layer_norm as layer_norm,
)
from mind.core._src.ops.functional import (
    leaky_relu as leaky_relu,
)
from mind.core._src.ops.functional import (
    less as less,
)
from mind.core._src.ops.functional import (
    less_equal as less_equal,
)
from mind.core._src.ops.functional import (
    log as log,
)
from mind.core._src.ops.functional import (
    log1p as log1p,
)
from mind.core._src.ops.functional import (
    log_softmax as log_softmax,
)
from mind.core._src.ops.functional import (
    logical_and as logical_and,
)
from mind.core._src.ops.functional import (
    logical_not as logical_not,
)
from mind.core._src.ops.functional import (
    logical_or as logical_or,
)
from mind.core._src.ops.functional import (
    logical_xor as logical_xor,
)
from mind.core._src.ops.functional import (
    logsumexp as logsumexp,
)
from mind.core._src.ops.functional import (
    matmul as matmul,
)
from mind.core._src.ops.functional import (
    matrix_band_part as matrix_band_part,
)
from mind.core._src.ops.functional import (
    max as max,
)
from mind.core._src.ops.functional import (
    max_pool2d as max_pool2d,
)
from mind.core._src.ops.functional import (
    maximum as maximum,
)
from mind.core._src.ops.functional import (
    mean as mean,
)
from mind.core._src.ops.functional import (
    min as min,
)
from mind.core._src.ops.functional import (
    minimum as minimum,
)
from mind.core._src.ops.functional import (
    mse_loss as mse_loss,
)
from mind.core._src.ops.functional import (
    mul as mul,
)
from mind.core._src.ops.functional import (
    neg as neg,
)
from mind.core._src.ops.functional import (
    nll_loss as nll_loss,
)
from mind.core._src.ops.functional import (
    norm as norm,
)
from mind.core._src.ops.functional import (
    normal as normal,
)
from mind.core._src.ops.functional import (
    not_equal as not_equal,
)
from mind.core._src.ops.functional import (
    one_hot as one_hot,
)
from mind.core._src.ops.functional import (
    ones as ones,
)
from mind.core._src.ops.functional import (
    ones_like as ones_like,
)
from mind.core._src.ops.functional import (
    pad as pad,
)
from mind.core._src.ops.functional import (
    permute as permute,
)
from mind.core._src.ops.functional import (
    pow as pow,
)
from mind.core._src.ops.functional import (
    prod as prod,
)
from mind.core._src.ops.functional import (
    randint as randint,
)
from mind.core._src.ops.functional import (
    reciprocal as reciprocal,
)
from mind.core._src.ops.functional import (
    relu as relu,
)
from mind.core._src.ops.functional import (
    remainder as remainder,
)
from mind.core._src.ops.functional import (
    reshape as reshape,
)
from mind.core._src.ops.functional import (
    round as round,
)
from mind.core._src.ops.functional import (
    rsqrt as rsqrt,
)
from mind.core._src.ops.functional import (
    scatter_add as scatter_add,
)
from mind.core._src.ops.functional import (
    set_seed as set_seed,
)
from mind.core._src.ops.functional import (
    sigmoid as sigmoid,
)
from mind.core._src.ops.functional import (
    sign as sign,
)
from mind.core._src.ops.functional import (
    silu as silu,
)
from mind.core._src.ops.functional import (
    sin as sin,
)
from mind.core._src.ops.functional import (
    smooth_l1_loss as smooth_l1_loss,
)
from mind.core._src.ops.functional import (
    softmax as softmax,
)
from mind.core._src.ops.functional import (
    softplus as softplus,
)
from mind.core._src.ops.functional import (
    split as split,
)
from mind.core._src.ops.functional import (
    sqrt as sqrt,
)
from mind.core._src.ops.functional import (
    square as square,
)
from mind.core._src.ops.functional import (
    squeeze as squeeze,
)
from mind.core._src.ops.functional import (
    stack as stack,
)
from mind.core._src.ops.functional import (
    standard_normal as standard_normal,
)
from mind.core._src.ops.functional import (
    std as std,
)
from mind.core._src.ops.functional import (
    stop_gradient as stop_gradient,
)
from mind.core._src.ops.functional import (
    strided_slice as strided_slice,
)
from mind.core._src.ops.functional import (
    sub as sub,
)
from mind.core._src.ops.functional import (
    sum as sum,
)
from mind.core._src.ops.functional import (
    tanh as tanh,
)
from mind.core._src.ops.functional import (
    tensor_scatter_add as tensor_scatter_add,
)
from mind.core._src.ops.functional import (
    tile as tile,
)
from mind.core._src.ops.functional import (
    transpose as transpose,
)
from mind.core._src.ops.functional import (
    tril as tril,
)
from mind.core._src.ops.functional import (
    triu as triu,
)
from mind.core._src.ops.functional import (
    trunc as trunc,
)
from mind.core._src.ops.functional import (
    uniform as uniform,
)
from mind.core._src.ops.functional import (
    unsqueeze as unsqueeze,
)
from mind.core._src.ops.functional import (
    value_and_grad as value_and_grad,
)
from mind.core._src.ops.functional import (
    var as var,
)
from mind.core._src.ops.functional import (
    vjp as vjp,
)
from mind.core._src.ops.functional import (
    vmap as vmap,
)
from mind.core._src.ops.functional import (
    where as where,
)
from mind.core._src.ops.functional import (
    zeros as zeros,
)
from mind.core._src.ops.functional import (
    zeros_like as zeros_like,
)
from mind.core._src.ops.image_ops import *  # noqa: F403
from mind.core._src.ops.indexing import *  # noqa: F403
from mind.core._src.ops.linalg import *  # noqa: F403
from mind.core._src.ops.losses import *  # noqa: F403
from mind.core._src.ops.maps import HyperMap as HyperMap
from mind.core._src.ops.maps import Map as Map
from mind.core._src.ops.maps import MultitypeFuncGraph as MultitypeFuncGraph
from mind.core._src.ops.maps import Partial as Partial
from mind.core._src.ops.maps import partial as partial
from mind.core._src.ops.math_ops import *  # noqa: F403
from mind.core._src.ops.misc_ops import *  # noqa: F403
from mind.core._src.ops.nn_functional import *  # noqa: F403
from mind.core._src.ops.optim_ops import *  # noqa: F403
from mind.core._src.ops.pooling import *  # noqa: F403
from mind.core._src.ops.resize import *  # noqa: F403
from mind.core._src.ops.scatter import *  # noqa: F403
from mind.core._src.ops.sparse import *  # noqa: F403
from mind.core._src.ops.special import *  # noqa: F403

__all__ = [
    "CustomRegOp",
    "DataType",
    "GradOperation",
    "HookBackward",
    "HyperMap",
    "InsertGradientOf",
    "Map",
    "MultitypeFuncGraph",
    "Partial",
    "Primitive",
    "abs",
    "adaptive_avg_pool2d",
    "add",
    "all",
    "amax",
    "amin",
    "any",
    "apply_momentum",
    "arange",
    "argmax",
    "argmin",
    "assign",
    "avg_pool2d",
    "batch_matmul",
    "batch_norm",
    "bernoulli",
    "binary_cross_entropy_with_logits",
    "bmm",
    "broadcast_to",
    "cast",
    "cat",
    "clamp",
    "clip",
    "concat",
    "conv1d",
    "conv2d",
    "conv_transpose2d",
    "cos",
    "cross_entropy",
    "cumsum",
    "custom_info_register",
    "dense",
    "depend",
    "derivative",
    "div",
    "dropout",
    "elu",
    "embedding",
    "equal",
    "erf",
    "exp",
    "expand_dims",
    "eye",
    "flatten",
    "floor",
    "floor_divide",
    "fori_loop",
    "full",
    "full_like",
    "gather",
    "gather_nd",
    "gelu",
    "get_primitive",
    "get_seed",
    "grad",
    "greater",
    "greater_equal",
    "group_norm",
    "jacfwd",
    "jacrev",
    "jet",
    "jvp",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log_softmax",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logsumexp",
    "make_tuple",
    "matmul",
    "matrix_band_part",
    "max",
    "max_pool2d",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mse_loss",
    "mul",
    "neg",
    "nll_loss",
    "norm",
    "normal",
    "not_equal",
    "one_hot",
    "ones",
    "ones_like",
    "pad",
    "partial",
    "permute",
    "pow",
    "print_",
    "prod",
    "randint",
    "reciprocal",
    "relu",
    "remainder",
    "reshape",
    "round",
    "rsqrt",
    "scan",
    "scatter_add",
    "set_seed",
    "sigmoid",
    "sign",
    "silu",
    "sin",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "standard_normal",
    "std",
    "stop_gradient",
    "strided_slice",
    "sub",
    "sum",
    "switch",
    "tanh",
    "tensor_scatter_add",
    "tile",
    "transpose",
    "tril",
    "triu",
    "trunc",
    "tuple_getitem",
    "uniform",
    "unsqueeze",
    "value_and_grad",
    "var",
    "vjp",
    "vmap",
    "where",
    "while_loop",
    "zeros",
    "zeros_like",
]

# MindSpore 2.x re-exports its Primitive-class operators from ``ops`` (``ops.Add()``, ``ops.ReLU()``).
from mind.core.ops import operations as operations
from mind.core.ops.operations import *  # noqa: F403

__all__ += [name for name in operations.__all__ if name != "PrimitiveClass"]
# The area modules' ops, each module's __all__ whole.
__all__ += [
    *_fft.__all__,
    *_indexing.__all__,
    *_linalg.__all__,
    *_losses.__all__,
    *_math_ops.__all__,
    *_resize.__all__,
    *_image_ops.__all__,
    *_misc_ops.__all__,
    *_pooling.__all__,
    *_optim_ops.__all__,
    *_scatter.__all__,
    *_nn_functional.__all__,
    *_sparse.__all__,
    *_special.__all__,
    *_array_ops.__all__,
    *_complex_ops.__all__,
]
