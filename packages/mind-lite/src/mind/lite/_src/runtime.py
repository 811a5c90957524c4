"""The inference runtime: ``Context``, ``Model``, ``Tensor`` with MindSpore Lite 2.x's names.

>>> import mind.lite as mslite                                    # doctest: +SKIP
>>> model = mslite.Model()
>>> model.build_from_file("lenet.ms", mslite.ModelType.MINDIR_LITE, mslite.Context())
>>> inputs = model.get_inputs()
>>> inputs[0].set_data_from_numpy(images)
>>> logits = model.predict(inputs)[0].get_data_to_numpy()

A model is planned once at build: each node's kernel, its inputs' slots and the point after
which each intermediate value is dropped; ``predict`` then runs that plan.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mind.lite._src import format as lite_format
from mind.lite._src.graph import LiteGraph, ValueInfo
from mind.lite._src.kernels import KERNELS, file_ops
from mind.lite.errors import LiteRuntimeError, MindLiteError

__all__ = ["Context", "DataType", "Format", "Model", "ModelType", "Tensor"]


class ModelType(enum.Enum):
    """What a model file is: ``MINDIR_LITE`` is the ``.ms`` file ``mind-lite convert`` writes;
    ``MINDIR`` a mind-core ``.mindir`` export, converted when it is loaded."""

    MINDIR = 0
    MINDIR_LITE = 4


class DataType(enum.Enum):
    """Element types, as ``mindspore_lite.DataType``."""

    BOOL = "bool"
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    FLOAT16 = "float16"
    FLOAT32 = "float32"
    FLOAT64 = "float64"


class Format(enum.Enum):
    DEFAULT = -1
    NCHW = 0
    NHWC = 1


class _CPUInfo:
    """``context.cpu``: ``thread_num``, the threads the model's own parallel C (int8 layers, the
    batch-1 GEMV) and the generated C's BLAS use (BLAS's process-wide; 0: the online CPUs, and
    BLAS's left as they are); the other fields are kept for MindSpore Lite scripts and have no
    effect on the CPU runtime."""

    def __init__(self) -> None:
        self.thread_num = 0
        self.inter_op_parallel_num = 1
        self.precision_mode = "preferred_fp32"
        self.thread_affinity_mode = 0
        self.thread_affinity_core_list: list[int] = []

    def __repr__(self) -> str:
        return f"cpu(thread_num={self.thread_num}, precision_mode={self.precision_mode!r})"


class Context:
    """Where and how a model runs: ``target`` (``["cpu"]``) and ``cpu`` options."""

    def __init__(self) -> None:
        self._target = ["cpu"]
        self.cpu = _CPUInfo()

    @property
    def target(self) -> list[str]:
        return list(self._target)

    @target.setter
    def target(self, value: Sequence[str]) -> None:
        value = [value] if isinstance(value, str) else list(value)
        unknown = [t for t in value if str(t).lower() != "cpu"]
        if not value or unknown:
            raise MindLiteError(
                f"Context.target {value!r}: mind-lite runs on 'cpu' (its generated C when a "
                "compiler is present, else numpy kernels)"
            )
        self._target = [t.lower() for t in value]

    def __repr__(self) -> str:
        return f"Context(target={self._target}, {self.cpu!r})"


class Tensor:
    """A model's input or output: ``name``, ``shape``, ``dtype``, its data as numpy."""

    def __init__(
        self,
        tensor: Any = None,
        shape: Sequence[int] | None = None,
        dtype: DataType | None = None,
        device: str | None = None,
    ) -> None:
        self.name = ""
        self.format = Format.NCHW
        self._data: np.ndarray | None = None
        if tensor is not None:
            self.set_data_from_numpy(np.asarray(tensor))
        else:
            self._dtype = dtype or DataType.FLOAT32
            self._shape = tuple(shape or ())

    @classmethod
    def _spec(cls, info: ValueInfo) -> Tensor:
        t = cls(shape=info.shape, dtype=DataType(info.dtype))
        t.name = info.name
        return t

    @property
    def shape(self) -> list[int]:
        return list(self._shape)

    @shape.setter
    def shape(self, value: Sequence[int]) -> None:
        self._shape = tuple(int(d) for d in value)
        self._data = None

    @property
    def dtype(self) -> DataType:
        return self._dtype

    @property
    def element_num(self) -> int:
        return int(np.prod(self._shape, dtype=np.int64))

    @property
    def data_size(self) -> int:
        return self.element_num * np.dtype(self._dtype.value).itemsize

    def set_data_from_numpy(self, numpy_obj: np.ndarray) -> None:
        if not isinstance(numpy_obj, np.ndarray):
            raise MindLiteError(
                f"Tensor.set_data_from_numpy takes a numpy array, not {type(numpy_obj).__name__}"
            )
        try:
            self._dtype = DataType(numpy_obj.dtype.name)
        except ValueError:
            raise MindLiteError(
                f"Tensor {self.name!r}: unsupported dtype {numpy_obj.dtype}"
            ) from None
        self._shape = numpy_obj.shape
        self._data = numpy_obj

    def get_data_to_numpy(self) -> np.ndarray:
        if self._data is None:
            raise MindLiteError(f"Tensor {self.name!r} holds no data yet")
        return self._data

    def __repr__(self) -> str:
        return f"Tensor(name={self.name!r}, shape={self.shape}, dtype={self._dtype.name})"


class Model:
    """A lite model, built from a ``.ms`` file (or a ``.mindir``, converted on load)."""

    def __init__(self) -> None:
        self.model_path = ""
        self._graph: LiteGraph | None = None
        self._plan: list[tuple[Callable[..., Any], list[int], list[int], dict[str, Any], str]] = []
        self._input_slots: list[int] = []
        self._output_slots: list[int] = []
        self._inputs: list[ValueInfo] = []
        self._constants: list[tuple[int, np.ndarray]] = []
        self._drops: list[list[int]] = []
        self._nslots = 0
        self._native: Any = None
        self._source: LiteGraph | None = None
        #: ``"native"`` (generated C) or ``"numpy"``, and why not native when it is not
        self.backend = "numpy"
        self.backend_reason = "not built"
        self.context = Context()

    def build_from_file(
        self,
        model_path: str | os.PathLike[str],
        model_type: ModelType = ModelType.MINDIR_LITE,
        context: Context | None = None,
        config_path: str = "",
        config_dict: dict | None = None,
    ) -> None:
        """Load ``model_path`` and plan it; the file is checked completely before anything runs."""
        if not isinstance(model_type, ModelType):
            raise MindLiteError(
                f"build_from_file: model_type must be a ModelType, not {model_type!r}"
            )
        if config_path or config_dict:
            raise MindLiteError(
                "build_from_file: config_path/config_dict are not supported by mind-lite's "
                "runtime (pass conversion options to mind-lite convert)"
            )
        path = os.fspath(model_path)
        if model_type is ModelType.MINDIR:
            from mind.lite._src.converter import convert_graph  # loads mind-core: only here

            graph = convert_graph(path)
        else:
            graph = lite_format.read(path, ops=file_ops())
        self.context = context or Context()
        self.model_path = path
        self._build(graph)

    def _build(self, graph: LiteGraph) -> None:
        from mind.lite._src.qmath import dequantized

        source, graph = graph, dequantized(graph)
        self._source = source  # int8 weights and all: what the native backend plans
        slot: dict[str, int] = {}

        def slot_of(name: str) -> int:
            if name not in slot:
                slot[name] = len(slot)
            return slot[name]

        constants = [(slot_of(name), array) for name, array in graph.tensors.items()]
        input_slots = [slot_of(v.name) for v in graph.inputs]
        plan = []
        for node in graph.nodes:
            fn = KERNELS.get(node.op)
            if fn is None:
                raise LiteRuntimeError(f"node {node.name!r}: no kernel for op {node.op!r}")
            plan.append(
                (
                    fn,
                    [slot_of(x) for x in node.inputs],
                    [slot_of(x) for x in node.outputs],
                    node.attrs,
                    node.name,
                )
            )
        output_slots = [slot_of(v.name) for v in graph.outputs]
        keep = set(output_slots) | {s for s, _ in constants}
        last: dict[int, int] = {}
        for i, (_, ins, _, _, _) in enumerate(plan):
            for s in ins:
                last[s] = i
        drops: list[list[int]] = [[] for _ in plan]
        for s, i in last.items():
            if s not in keep:
                drops[i].append(s)
        self._graph, self._plan, self._drops = graph, plan, drops
        self._constants, self._input_slots, self._output_slots = (
            constants,
            input_slots,
            output_slots,
        )
        self._inputs = list(graph.inputs)
        self._nslots = len(slot)
        self._native, self.backend, self.backend_reason = None, "numpy", ""
        if os.environ.get("MIND_LITE_BACKEND", "auto") == "numpy":
            self.backend_reason = "MIND_LITE_BACKEND=numpy"
            return
        try:
            from mind.lite._src.native import load_native

            self._native = load_native(source)
            self.backend = "native"
            if self.context.cpu.thread_num:
                from mind.lite._src.native import blas_threads

                blas_threads(self.context.cpu.thread_num)
                self._native.set_threads(self.context.cpu.thread_num)
        except Exception as exc:  # no compiler, no cffi, an op without C: numpy kernels run
            self.backend_reason = f"{type(exc).__name__}: {exc}"

    def _require(self) -> LiteGraph:
        if self._graph is None:
            raise MindLiteError("Model: call build_from_file first")
        return self._graph

    def get_inputs(self) -> list[Tensor]:
        self._require()
        return [Tensor._spec(v) for v in self._inputs]

    def get_outputs(self) -> list[Tensor]:
        return [Tensor._spec(v) for v in self._require().outputs]

    def resize(self, inputs: Sequence[Tensor], dims: Sequence[Sequence[int]]) -> None:
        """Set new input shapes (``dims[i]`` for ``inputs[i]``); the kernels are shape-generic."""
        self._require()
        if len(inputs) != len(self._inputs) or len(dims) != len(self._inputs):
            raise MindLiteError(f"resize: the model has {len(self._inputs)} inputs")
        self._inputs = [
            ValueInfo(v.name, v.dtype, tuple(int(d) for d in shape))
            for v, shape in zip(self._inputs, dims, strict=True)
        ]
        if self._native is not None:  # the C is planned for the shapes it was built for
            self._native, self.backend, self.backend_reason = None, "numpy", "resized"
            graph = self._source
            resized = LiteGraph(
                self._inputs, graph.outputs, graph.nodes, graph.tensors, graph.quant, graph.metadata
            )
            try:  # planned again for the new shapes (cached like the first plan)
                from mind.lite._src.native import load_native

                self._native, self.backend = load_native(resized), "native"
                if self.context.cpu.thread_num:
                    self._native.set_threads(self.context.cpu.thread_num)
            except Exception as exc:  # a shape the graph fixes (an exported reshape): numpy
                self.backend_reason = f"resized: {type(exc).__name__}: {exc}"
        for t, shape in zip(inputs, dims, strict=True):
            t.shape = shape

    def predict(
        self, inputs: Sequence[Tensor], outputs: Sequence[Tensor] | None = None
    ) -> list[Tensor]:
        """Run the model on ``inputs`` (``get_inputs()`` with their data set)."""
        self._require()
        arrays = self._check_inputs(inputs)
        values = self.run(arrays)
        specs = self._graph.outputs
        result = outputs if outputs is not None else [Tensor._spec(v) for v in specs]
        for t, v, spec in zip(result, values, specs, strict=True):
            t.name = spec.name
            t.set_data_from_numpy(v)
        return list(result)

    def _check_inputs(self, inputs: Sequence[Tensor]) -> list[np.ndarray]:
        if len(inputs) != len(self._inputs):
            raise LiteRuntimeError(
                f"predict: the model takes {len(self._inputs)} inputs, got {len(inputs)}"
            )
        arrays = []
        for t, spec in zip(inputs, self._inputs, strict=True):
            data = t.get_data_to_numpy() if isinstance(t, Tensor) else np.asarray(t)
            if data.dtype.name != spec.dtype:
                raise LiteRuntimeError(
                    f"predict: input {spec.name!r} must be {spec.dtype}, got {data.dtype} "
                    "(cast it with numpy's astype)"
                )
            if len(data.shape) != len(spec.shape) or any(
                d != s and s != -1 for d, s in zip(data.shape, spec.shape, strict=True)
            ):
                raise LiteRuntimeError(
                    f"predict: input {spec.name!r} has shape {list(data.shape)}, the model expects "
                    f"{list(spec.shape)} (call Model.resize for another shape)"
                )
            arrays.append(data)
        return arrays

    def run(self, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The outputs for numpy ``arrays``, unchecked (``predict`` checks)."""
        if self._native is not None:
            return self._native.run(arrays)
        env: list[Any] = [None] * self._nslots
        for s, array in self._constants:
            env[s] = array
        for s, array in zip(self._input_slots, arrays, strict=True):
            env[s] = array
        for (fn, ins, outs, attrs, name), drop in zip(self._plan, self._drops, strict=True):
            try:
                result = fn(*[env[s] for s in ins], **attrs)
            except Exception as exc:  # any kernel failure names the node (the cause is chained)
                raise LiteRuntimeError(
                    f"node {name!r} failed: {type(exc).__name__}: {exc}"
                ) from exc
            if len(outs) == 1:
                env[outs[0]] = result
            else:
                try:
                    for s, r in zip(outs, result, strict=True):
                        env[s] = r
                except (TypeError, ValueError) as exc:
                    raise LiteRuntimeError(f"node {name!r}: {len(outs)} outputs expected") from exc
            for s in drop:
                env[s] = None
        return [np.asarray(env[s]) for s in self._output_slots]

    def __repr__(self) -> str:
        return f"model_path: {self.model_path}."
