"""MindSpore's ``ops.Custom``: a user's own operator from a Python function or a C function.

``Custom(func, out_shape, out_dtype, func_type="pyfunc", bprop=None)`` defines one primitive per
instance (named ``Custom_<function>_<n>``), so the op is a real op everywhere a built-in one is:
PyNative, ``grad`` (through ``bprop``, written with ops), ``jit`` and graph mode (a node of the
graph; on the native device a cpu-kernel region), and ``vmap`` (the per-example loop every
primitive without a batching rule gets).

- ``func_type="pyfunc"``: ``func`` runs on numpy arrays and returns an array (a tuple for several
  outputs).
- ``func_type="aot"``: ``func`` is ``"path:function"``. A C source (``.c``; ``.cc``/``.cpp`` as
  C++ with ``extern "C"``) is compiled through the native device's build path (cffi, cached like
  the native graphs); a ``.so`` is loaded as it is. The function has MindSpore's AOT signature::

      int function(int nparam, void **params, int *ndims, int64_t **shapes,
                   const char **dtypes, void *stream, void *extra);

  ``params`` holds the inputs then the outputs (C-contiguous buffers the op allocated), dtypes
  are names like ``"float32"``; a nonzero return is an error.

``out_shape`` and ``out_dtype`` are values (a shape, a dtype; tuples of them for several
outputs) or functions of the inputs' shapes and dtypes. Several outputs are one primitive each
over the same inputs; the function runs once per call and the others read its results.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mind.core._src.ops import operations as _operations
from mind.core._src.ops.dispatch import ShapedArray, bind, get_primitive
from mind.core._src.ops.operations import PrimitiveClass
from mind.core._src.plugins.manager import get_plugin_manager
from mind.core._src.plugins.records import PrimitiveDef
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError
from mind.core.plugins import hookimpl

__all__ = ["Custom", "CustomRegOp", "DataType", "custom_info_register"]

_FUNC_TYPES = ("pyfunc", "aot")
_NAMES = itertools.count()
_AOT_DECLARATION = (
    "int {name}(int nparam, void **params, int *ndims, int64_t **shapes, const char **dtypes, "
    "void *stream, void *extra);\n"
)


class Custom(PrimitiveClass):
    """MindSpore's ``Custom`` operator: a user-defined op (see the module docstring).

    >>> import numpy as np
    >>> from mind.core import Tensor, ops
    >>> add = ops.Custom(lambda a, b: a + b, lambda a, b: a, lambda a, b: a, "pyfunc")
    >>> add(Tensor([1.0, 2.0]), Tensor([3.0, 4.0])).asnumpy()
    array([4., 6.], dtype=float32)
    """

    def __init__(
        self,
        func: Callable[..., Any] | str,
        out_shape: Any = None,
        out_dtype: Any = None,
        func_type: str = "pyfunc",
        bprop: Callable[..., Any] | None = None,
        reg_info: Any = None,
    ) -> None:
        if func_type not in _FUNC_TYPES:
            raise MindValueError(
                f"For 'Custom', func_type must be one of {list(_FUNC_TYPES)} on Mind, got "
                f"{func_type!r} (MindSpore's 'hybrid', 'akg', 'tbe', 'aicpu' and 'julia' target "
                "its own compilers; see docs/migration.md)"
            )
        if out_shape is None or out_dtype is None:
            raise MindValueError(
                f"For 'Custom' ({func_type}), out_shape and out_dtype are required: a value or a "
                "function of the inputs' shapes and dtypes"
            )
        if bprop is not None and not callable(bprop):
            raise MindTypeError(f"For 'Custom', bprop must be a function, got {type(bprop)}")
        self.func, self.func_type, self.bprop = func, func_type, bprop
        self.out_shape, self.out_dtype = out_shape, out_dtype
        self.reg_info = reg_info if reg_info is not None else getattr(func, "reg_info", None)
        if func_type == "pyfunc":
            if not callable(func):
                raise MindTypeError(
                    f"For 'Custom' (pyfunc), func must be a Python function, got {type(func)}"
                )
            label, self._run = getattr(func, "__name__", "func"), _pyfunc(func)
        else:
            label, self._run = _aot(func)
        self.attrs = {"func_name": label, "func_type": func_type}
        self._base = f"Custom_{re.sub(r'[^A-Za-z0-9_]', '_', label)}_{next(_NAMES)}"
        self._prims: dict[int, tuple] = {}  # number of outputs -> their primitives
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "Custom"

    def __call__(self, *inputs: Any) -> Any:
        tensors = tuple(x if isinstance(x, Tensor) else Tensor(np.asarray(x)) for x in inputs)
        shapes = [tuple(t.shape) for t in tensors]
        dtypes = [t.dtype for t in tensors]
        out_shapes, out_dtypes, as_tuple = self._outputs(shapes, dtypes)
        prims = self._primitives(len(out_shapes))
        attrs = {"out_shapes": out_shapes, "out_dtypes": tuple(d.name for d in out_dtypes)}
        outs = tuple(bind(p, tensors, attrs) for p in prims)
        if not out_shapes:
            return ()
        return outs if as_tuple else outs[0]

    # -- outputs ----------------------------------------------------------------------------------

    def _outputs(self, shapes: list, dtypes: list) -> tuple[tuple, tuple, bool]:
        """The outputs' shapes and dtypes, and whether they are returned as a tuple (out_shape
        a tuple of shapes, even of one)."""
        shape = self.out_shape(*shapes) if callable(self.out_shape) else self.out_shape
        dtype = self.out_dtype(*dtypes) if callable(self.out_dtype) else self.out_dtype
        if isinstance(dtype, list | tuple) and not dtype and not shape:
            return (), (), True  # no outputs: the function runs for its effect
        shape_list = list(shape) if _is_shape_list(shape) else [shape]
        dtype_list = list(dtype) if isinstance(dtype, list | tuple) else [dtype]
        if len(shape_list) != len(dtype_list):
            raise MindValueError(
                f"For 'Custom' {self.attrs['func_name']!r}: out_shape gives {len(shape_list)} "
                f"outputs but out_dtype {len(dtype_list)}"
            )
        try:
            out_shapes = tuple(tuple(int(n) for n in s) for s in shape_list)
        except (TypeError, ValueError):
            raise MindTypeError(
                f"For 'Custom' {self.attrs['func_name']!r}: out_shape must give a shape (a "
                f"list or tuple of ints) per output, got {shape!r}"
            ) from None
        return out_shapes, tuple(dt.to_dtype(d) for d in dtype_list), _is_shape_list(shape)

    def _primitives(self, count: int) -> tuple:
        with self._lock:
            if count not in self._prims:
                self._prims[count] = self._define(count)
            return self._prims[count]

    def _define(self, count: int) -> tuple:
        run, label, user_bprop = self._run, self.attrs["func_name"], self.bprop
        # the latest run's (inputs, outputs, outputs not read yet): the first output's kernel runs
        # the function, the others read its results; dropped once every output was read
        last: list = [None, None, set()]

        def compute(arrays: tuple, out_shapes: tuple, out_dtypes: tuple, index: int) -> Any:
            cached_inputs, cached, unread = last
            if index in unread and all(a is b for a, b in zip(cached_inputs, arrays, strict=True)):
                unread.discard(index)
                if not unread:
                    last[:] = [None, None, set()]
                return cached[index]
            outs = run(arrays, out_shapes, out_dtypes)
            outs = outs if isinstance(outs, tuple | list) else (outs,)
            if len(outs) != len(out_shapes):
                raise MindValueError(
                    f"For 'Custom' {label!r}: the function returned {len(outs)} outputs, "
                    f"out_shape declares {len(out_shapes)}"
                )
            checked = []
            for i, (o, shape, dtype) in enumerate(zip(outs, out_shapes, out_dtypes, strict=True)):
                o = np.asarray(o)
                if o.shape != shape:
                    raise MindValueError(
                        f"For 'Custom' {label!r}: output {i} has shape {o.shape}, out_shape "
                        f"declares {shape}"
                    )
                checked.append(o.astype(dtype, copy=False))
            if count > 1:
                last[:] = [arrays, tuple(checked), set(range(count)) - {index}]
            return checked[index]

        if count == 0:
            return _register(f"{self._base}x0", [_effect(self._base, run, label)])
        prims = []
        for index in range(count):

            def cpu(*arrays: Any, out_shapes: tuple, out_dtypes: tuple, _i: int = index) -> Any:
                return compute(arrays, out_shapes, out_dtypes, _i)

            def infer(*avals: Any, out_shapes: tuple, out_dtypes: tuple, _i: int = index) -> Any:
                return ShapedArray(out_shapes[_i], dt.to_dtype(out_dtypes[_i]))

            def bprop(*args: Any, out_shapes: tuple, out_dtypes: tuple, _i: int = index) -> tuple:
                *inputs, out, dout = args
                if user_bprop is None:
                    raise MindValueError(
                        f"For 'Custom' {label!r}: no bprop was given, so it has no gradient "
                        "(pass bprop=fn(*inputs, out, dout) returning one cotangent per input)"
                    )
                from mind.core._src.ops import functional as F

                if count == 1:
                    grads = user_bprop(*inputs, out, dout)
                else:  # output _i's share: the other outputs' cotangents are zero
                    douts = tuple(
                        dout if j == _i else F.zeros(s, dt.to_dtype(d))
                        for j, (s, d) in enumerate(zip(out_shapes, out_dtypes, strict=True))
                    )
                    grads = user_bprop(*inputs, None, douts)
                grads = grads if isinstance(grads, tuple | list) else (grads,)
                if len(grads) != len(inputs):
                    raise MindValueError(
                        f"For 'Custom' {label!r}: bprop returned {len(grads)} cotangents for "
                        f"{len(inputs)} inputs"
                    )
                return tuple(grads)

            prims.append(
                PrimitiveDef(
                    name=f"{self._base}_{index}" if count > 1 else self._base,
                    abstract_eval=infer,
                    cpu_kernel=cpu,
                    bprop=bprop,
                    attrs=("out_shapes", "out_dtypes"),
                    doc=f"the user's Custom op {label!r}",
                )
            )
        return _register(f"{self._base}x{count}", prims)


def _register(plugin_name: str, definitions: list) -> tuple:
    """Register ``definitions`` through ``mind_register_primitives`` as a plugin of their own
    (the path a third party's op takes), and return the bindable primitives."""

    class _CustomPlugin:
        @hookimpl
        def mind_register_primitives(self) -> list:
            return definitions

    get_plugin_manager().register(_CustomPlugin(), name=plugin_name)
    return tuple(get_primitive(d.name) for d in definitions)


def _effect(name: str, run: Callable[..., Any], label: str) -> PrimitiveDef:
    """The primitive of a Custom op with no outputs: it runs for its effect, in order, and is
    never removed (its value is an empty array nothing reads)."""

    def cpu(*arrays: Any, out_shapes: tuple, out_dtypes: tuple) -> np.ndarray:
        run(arrays, (), ())
        return np.zeros(0, np.float32)

    return PrimitiveDef(
        name=name,
        abstract_eval=lambda *avals, out_shapes, out_dtypes: ShapedArray((0,), dt.float32),
        cpu_kernel=cpu,
        differentiable=False,
        attrs=("out_shapes", "out_dtypes"),
        doc=f"the user's Custom op {label!r} (no outputs)",
        traits=("effect",),
    )


def _is_shape_list(shape: Any) -> bool:
    """Whether ``shape`` is several outputs' shapes (a sequence of sequences)."""
    return (
        isinstance(shape, list | tuple)
        and len(shape) > 0
        and all(isinstance(s, list | tuple) for s in shape)
    )


def _pyfunc(func: Callable[..., Any]) -> Callable[..., Any]:
    def run(arrays: tuple, out_shapes: tuple, out_dtypes: tuple) -> Any:
        return func(*arrays)

    return run


def _aot(spec: Any) -> tuple[str, Callable[..., Any]]:
    """The label and runner of an AOT function ``"path:function"``."""
    if not isinstance(spec, str) or spec.count(":") != 1:
        raise MindTypeError(
            f"For 'Custom' (aot), func must be 'path/to/file.{{c,cc,so}}:function', got {spec!r}"
        )
    path_text, name = spec.split(":")
    path = Path(path_text)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise MindValueError(f"For 'Custom' (aot), {name!r} is not a C function name")
    if not path.is_file():
        raise MindValueError(f"For 'Custom' (aot), no such file: '{path}'")
    import cffi

    declaration = _AOT_DECLARATION.format(name=name)
    if path.suffix == ".so":
        ffi = cffi.FFI()
        ffi.cdef(declaration)
        function = getattr(ffi.dlopen(str(path.resolve())), name)
    elif path.suffix in (".c", ".cc", ".cpp"):
        from mind.core._base.native_build import build

        module, _ = build(
            path.read_text(),
            [],
            declarations=declaration,
            cplusplus=path.suffix != ".c",
            include_dirs=(str(path.resolve().parent),),  # the source's own headers
        )
        ffi, function = module.ffi, getattr(module.lib, name)
    else:
        raise MindValueError(
            f"For 'Custom' (aot), '{path}' must be a C source (.c), C++ source (.cc, .cpp) or "
            "a shared library (.so)"
        )

    def run(arrays: tuple, out_shapes: tuple, out_dtypes: tuple) -> tuple:
        inputs = [np.ascontiguousarray(a) for a in arrays]
        outputs = [np.empty(s, dtype=d) for s, d in zip(out_shapes, out_dtypes, strict=True)]
        buffers = inputs + outputs
        keep = [ffi.new("int64_t[]", list(b.shape) or [0]) for b in buffers]
        names = [ffi.new("char[]", b.dtype.name.encode()) for b in buffers]
        params = ffi.new("void *[]", [ffi.cast("void *", b.ctypes.data) for b in buffers])
        code = function(
            len(buffers),
            params,
            ffi.new("int[]", [b.ndim for b in buffers]),
            ffi.new("int64_t *[]", keep),
            ffi.new("char *[]", names),
            ffi.NULL,
            ffi.NULL,
        )
        if code != 0:
            raise MindValueError(f"For 'Custom' (aot), {name}() returned {code}")
        return tuple(outputs)

    return name, run


class DataType:
    """MindSpore's dtype-and-format pairs for :class:`CustomRegOp` (``DataType.F32_Default``).

    Mind takes the dtypes from the inputs and records these only."""


for _short, _dtype in {
    "BOOL": "bool",
    "I8": "int8",
    "I16": "int16",
    "I32": "int32",
    "I64": "int64",
    "U8": "uint8",
    "U16": "uint16",
    "U32": "uint32",
    "U64": "uint64",
    "F16": "float16",
    "F32": "float32",
    "F64": "float64",
    "BF16": "bfloat16",
    "C64": "complex64",
    "C128": "complex128",
}.items():
    for _format in ("Default", "None"):
        setattr(DataType, f"{_short}_{_format}", (_dtype, "DefaultFormat"))


class CustomRegOp:
    """MindSpore's registration information builder for a Custom op's inputs, outputs,
    attributes and dtypes. Mind infers dtypes from the inputs, so the information is recorded
    (``get_op_info()``) and not needed to run."""

    def __init__(self, op_name: str = "Custom") -> None:
        self._info: dict[str, Any] = {
            "op_name": op_name,
            "inputs": [],
            "outputs": [],
            "attr": [],
            "dtype_format": [],
            "target": None,
        }

    def input(
        self,
        index: int | None = None,
        name: str | None = None,
        param_type: str = "required",
        **kwargs,
    ):
        self._info["inputs"].append({"index": index, "name": name, "paramType": param_type})
        return self

    def output(
        self,
        index: int | None = None,
        name: str | None = None,
        param_type: str = "required",
        **kwargs,
    ):
        self._info["outputs"].append({"index": index, "name": name, "paramType": param_type})
        return self

    def dtype_format(self, *args: Sequence[str]) -> CustomRegOp:
        self._info["dtype_format"].append([list(a) for a in args])
        return self

    def attr(
        self,
        name: str | None = None,
        param_type: str | None = None,
        value_type: str | None = None,
        **kwargs,
    ):
        self._info["attr"].append({"name": name, "paramType": param_type, "type": value_type})
        return self

    def target(self, target: str | None = None) -> CustomRegOp:
        self._info["target"] = target
        return self

    def get_op_info(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._info.items()}


def custom_info_register(*reg_info: Any) -> Callable[[Any], Any]:
    """Attach registration information to a Custom op's function (recorded, see
    :class:`CustomRegOp`)."""

    def decorator(func: Any) -> Any:
        func.reg_info = list(reg_info)
        return func

    return decorator


# MindSpore's ops.operations (and ops) export the operator class; the registration-information
# helpers are not operator classes: mind/core/ops/operations.py and ops/__init__.py import them
_operations.Custom = Custom
_operations.__all__.append("Custom")
