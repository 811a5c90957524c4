"""mind-core: tensors, ops, autodiff, nn, train, devices and the plugin system.

Written to be imported the way MindSpore is::

    import mind.core as ms
    from mind.core import nn, ops, Tensor

    x = Tensor([[1.0, 2.0]], ms.float32)
    grads = ms.grad(lambda x: ops.sum(x * x))(x)

``python -m mind.core info`` reports what is installed; ``ms.run_check()`` checks it works.
"""

from __future__ import annotations

__version__ = "0.1.0"

# First: the ops, then Tensor's operators and methods, which are written with them.
from mind.core._src.tensor import methods as _methods  # noqa: F401, I001
from mind.core import control as control
from mind.core import experimental as experimental
from mind.core import common as common
from mind.core import nn as nn
from mind.core import ops as ops
from mind.core import runtime as runtime
from mind.core import train as train
from mind.core._src.autodiff.eager import grad as grad
from mind.core._src.autodiff.eager import value_and_grad as value_and_grad
from mind.core._src.autodiff.functional import jacfwd as jacfwd
from mind.core._src.autodiff.functional import jacrev as jacrev
from mind.core._src.autodiff.functional import jvp as jvp
from mind.core._src.autodiff.functional import vjp as vjp
from mind.core._src.autodiff.vmap import vmap as vmap
from mind.core._src.context import COMPATIBLE as COMPATIBLE
from mind.core._src.context import GRAPH_MODE as GRAPH_MODE
from mind.core._src.context import LAX as LAX
from mind.core._src.context import STRICT as STRICT
from mind.core._src.context import PYNATIVE_MODE as PYNATIVE_MODE
from mind.core._src.context import get_context as get_context
from mind.core._src.context import set_context as set_context
from mind.core._src.info import run_check as run_check
from mind.core._src.ir.formats import export as export
from mind.core._src.ir.formats import load as load
from mind.core._src.jit import jit as jit
from mind.core._src.jit import mutable as mutable
from mind.core._src.nn.cell import jit_class as jit_class
from mind.core._src.nn.cell import recompute as recompute
from mind.core._src.nn.cell import _Buffer as _Buffer  # mindspore.common.parameter._Buffer
from mind.core._src.ops.random import get_seed as get_seed
from mind.core._src.ops.sparse import COOTensor as COOTensor
from mind.core._src.ops.sparse import CSRTensor as CSRTensor
from mind.core._src.ops.sparse import RowTensor as RowTensor
from mind.core._src.ops.random import set_seed as set_seed
from mind.core._src.tensor.tensor import Parameter as Parameter
from mind.core._src.tensor.tensor import ParameterTuple as ParameterTuple
from mind.core._src.tensor.tensor import Tensor as Tensor
from mind.core._src.top_level import Generator as Generator
from mind.core._src.top_level import JitConfig as JitConfig
from mind.core._src.top_level import constexpr as constexpr
from mind.core._src.top_level import dtype_to_nptype as dtype_to_nptype
from mind.core._src.top_level import dtype_to_pytype as dtype_to_pytype
from mind.core._src.top_level import from_numpy as from_numpy
from mind.core._src.top_level import get_current_device as get_current_device
from mind.core._src.top_level import get_py_obj_dtype as get_py_obj_dtype
from mind.core._src.top_level import get_rng_state as get_rng_state
from mind.core._src.top_level import initial_seed as initial_seed
from mind.core._src.top_level import is_tensor as is_tensor
from mind.core._src.top_level import lazy_inline as lazy_inline
from mind.core._src.top_level import manual_seed as manual_seed
from mind.core._src.top_level import no_inline as no_inline
from mind.core._src.top_level import pytype_to_dtype as pytype_to_dtype
from mind.core._src.top_level import seed as seed
from mind.core._src.top_level import set_deterministic as set_deterministic
from mind.core._src.top_level import set_device as set_device
from mind.core._src.top_level import set_rng_state as set_rng_state
from mind.core._src.top_level import tensor as tensor
from mind.core.common.dtype import *  # noqa: F403
from mind.core.common.dtype import __all__ as _dtypes

dtype = common.dtype

from mind.core._src.train.serialization import load_checkpoint as load_checkpoint  # noqa: E402
from mind.core._src.train.serialization import load_param_into_net as load_param_into_net  # noqa: E402
from mind.core._src.train.serialization import save_checkpoint as save_checkpoint  # noqa: E402

__all__ = [
    "COMPATIBLE",
    "COOTensor",
    "CSRTensor",
    "RowTensor",
    "GRAPH_MODE",
    "LAX",
    "STRICT",
    "PYNATIVE_MODE",
    "Parameter",
    "ParameterTuple",
    "Tensor",
    "__version__",
    "common",
    "control",
    "experimental",
    "dtype",
    "export",
    "get_context",
    "get_seed",
    "grad",
    "jacfwd",
    "jacrev",
    "jvp",
    "jit",
    "jit_class",
    "load",
    "load_checkpoint",
    "load_param_into_net",
    "mutable",
    "nn",
    "ops",
    "recompute",
    "run_check",
    "save_checkpoint",
    "set_context",
    "set_seed",
    "train",
    "value_and_grad",
    "vjp",
    "vmap",
    "Generator",
    "JitConfig",
    "constexpr",
    "dtype_to_nptype",
    "dtype_to_pytype",
    "from_numpy",
    "get_current_device",
    "get_py_obj_dtype",
    "get_rng_state",
    "initial_seed",
    "is_tensor",
    "lazy_inline",
    "manual_seed",
    "no_inline",
    "pytype_to_dtype",
    "seed",
    "set_deterministic",
    "set_device",
    "set_rng_state",
    "tensor",
    *_dtypes,
]
