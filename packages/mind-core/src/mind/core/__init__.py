"""mind-core: tensors, ops, autodiff, nn, train, devices and the plugin system.

Written to be imported the way MindSpore is::

    import mind.core as ms
    from mind.core import nn, ops, Tensor

    x = Tensor([[1.0, 2.0]], ms.float32)
    grads = ms.grad(lambda x: ops.sum(x * x))(x)

``python -m mind.core info`` reports what is installed; ``ms.run_check()`` checks it works.

The names below load on first use (PEP 562): ``import mind.core.errors`` (or the package alone)
costs almost nothing, so a package that needs only the errors or the plugin records, such as
mind-lite's runtime, does not load the ops, autodiff or training code. Anything under
``mind.core._src`` loads the ops and Tensor's methods first, as the package import did.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

#: public name -> (module, attribute); a module's own name for a subpackage.
_LAZY: dict[str, tuple[str, str | None]] = {
    "control": ("mind.core.control", None),
    "experimental": ("mind.core.experimental", None),
    "common": ("mind.core.common", None),
    "nn": ("mind.core.nn", None),
    "ops": ("mind.core.ops", None),
    "runtime": ("mind.core.runtime", None),
    "train": ("mind.core.train", None),
    "grad": ("mind.core._src.autodiff.eager", "grad"),
    "value_and_grad": ("mind.core._src.autodiff.eager", "value_and_grad"),
    "jacfwd": ("mind.core._src.autodiff.functional", "jacfwd"),
    "jacrev": ("mind.core._src.autodiff.functional", "jacrev"),
    "jvp": ("mind.core._src.autodiff.functional", "jvp"),
    "vjp": ("mind.core._src.autodiff.functional", "vjp"),
    "vmap": ("mind.core._src.autodiff.vmap", "vmap"),
    "COMPATIBLE": ("mind.core._src.context", "COMPATIBLE"),
    "GRAPH_MODE": ("mind.core._src.context", "GRAPH_MODE"),
    "LAX": ("mind.core._src.context", "LAX"),
    "STRICT": ("mind.core._src.context", "STRICT"),
    "PYNATIVE_MODE": ("mind.core._src.context", "PYNATIVE_MODE"),
    "get_context": ("mind.core._src.context", "get_context"),
    "set_context": ("mind.core._src.context", "set_context"),
    "run_check": ("mind.core._src.info", "run_check"),
    "export": ("mind.core._src.ir.formats", "export"),
    "load": ("mind.core._src.ir.formats", "load"),
    "jit": ("mind.core._src.jit", "jit"),
    "mutable": ("mind.core._src.jit", "mutable"),
    "jit_class": ("mind.core._src.nn.cell", "jit_class"),
    "recompute": ("mind.core._src.nn.cell", "recompute"),
    "_Buffer": ("mind.core._src.nn.cell", "_Buffer"),
    "get_seed": ("mind.core._src.ops.random", "get_seed"),
    "COOTensor": ("mind.core._src.ops.sparse", "COOTensor"),
    "CSRTensor": ("mind.core._src.ops.sparse", "CSRTensor"),
    "RowTensor": ("mind.core._src.ops.sparse", "RowTensor"),
    "set_seed": ("mind.core._src.ops.random", "set_seed"),
    "Parameter": ("mind.core._src.tensor.tensor", "Parameter"),
    "ParameterTuple": ("mind.core._src.tensor.tensor", "ParameterTuple"),
    "Tensor": ("mind.core._src.tensor.tensor", "Tensor"),
    "Generator": ("mind.core._src.top_level", "Generator"),
    "JitConfig": ("mind.core._src.top_level", "JitConfig"),
    "constexpr": ("mind.core._src.top_level", "constexpr"),
    "dtype_to_nptype": ("mind.core._src.top_level", "dtype_to_nptype"),
    "dtype_to_pytype": ("mind.core._src.top_level", "dtype_to_pytype"),
    "from_numpy": ("mind.core._src.top_level", "from_numpy"),
    "get_current_device": ("mind.core._src.top_level", "get_current_device"),
    "get_py_obj_dtype": ("mind.core._src.top_level", "get_py_obj_dtype"),
    "get_rng_state": ("mind.core._src.top_level", "get_rng_state"),
    "initial_seed": ("mind.core._src.top_level", "initial_seed"),
    "is_tensor": ("mind.core._src.top_level", "is_tensor"),
    "lazy_inline": ("mind.core._src.top_level", "lazy_inline"),
    "manual_seed": ("mind.core._src.top_level", "manual_seed"),
    "no_inline": ("mind.core._src.top_level", "no_inline"),
    "pytype_to_dtype": ("mind.core._src.top_level", "pytype_to_dtype"),
    "seed": ("mind.core._src.top_level", "seed"),
    "set_deterministic": ("mind.core._src.top_level", "set_deterministic"),
    "set_device": ("mind.core._src.top_level", "set_device"),
    "set_rng_state": ("mind.core._src.top_level", "set_rng_state"),
    "tensor": ("mind.core._src.top_level", "tensor"),
    "_dtypes": ("mind.core.common.dtype", "__all__"),
    "load_checkpoint": ("mind.core._src.train.serialization", "load_checkpoint"),
    "load_param_into_net": ("mind.core._src.train.serialization", "load_param_into_net"),
    "save_checkpoint": ("mind.core._src.train.serialization", "save_checkpoint"),
    "dtype": ("mind.core.common.dtype", None),
}
_DTYPES = (
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
)
_LAZY.update({name: ("mind.core.common.dtype", name) for name in _DTYPES})


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'mind.core' has no attribute {name!r}") from None
    value = import_module(module)
    if attr is not None:
        value = getattr(value, attr)
    globals()[name] = value  # later lookups are plain module attributes
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
    *_DTYPES,
]
