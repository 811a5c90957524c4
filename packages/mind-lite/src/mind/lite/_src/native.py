"""Running a lite model as generated C (the native device's code generator, mind-core's build cache).

The C is never read from the model file: a file someone sends is data, not code. The runtime
keys the graph (its ops, attributes, shapes and dtypes, and the versions of the generator),
looks the key up in mind-core's private build cache, and on a miss generates the plan with
mind-core's lowering (:mod:`mind.lite._src.native_lower`, loaded only then) and stores it there.
A later load of the same model, in any process, maps the cached module straight away.

:class:`NativeRunner` then runs the plan: one pointer table, one workspace, the weights used in
place from the mapped file; steps with C call their function, the others the runtime's numpy
kernel for that node.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any

import numpy as np

from mind.lite._src.format import decode_attr, encode_attr
from mind.lite._src.graph import LiteGraph
from mind.lite._src.kernels import KERNELS
from mind.lite.errors import LiteRuntimeError

__all__ = ["NativeRunner", "blas_threads", "load_native"]

_RUNNER_VERSION = "lite-native-3"


_INLINE_BYTES = 4096  # native_lower never writes a larger tensor into the plan


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(array, order="C").tobytes()).hexdigest()


def _graph_key(graph: LiteGraph, versions: str) -> str:
    doc = {
        "inputs": [[v.name, v.dtype, list(v.shape)] for v in graph.inputs],
        "outputs": [v.name for v in graph.outputs],
        # small tensors by value too: the plan may hold them inline (a 0-d epsilon, a clip bound)
        "tensors": [
            [k, a.dtype.name, list(a.shape), _digest(a) if a.nbytes <= _INLINE_BYTES else None]
            for k, a in graph.tensors.items()
        ],
        "nodes": [
            [n.op, n.inputs, n.outputs, {k: encode_attr(v, n.name) for k, v in n.attrs.items()}]
            for n in graph.nodes
        ],
        "versions": versions,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _openblas() -> Any:
    import ctypes
    import os

    from mind.core._base import native_build

    blas = native_build.openblas()
    folder = blas.get_lib_dir()
    name = next(f for f in sorted(os.listdir(folder)) if f.startswith("lib" + blas.get_library()))
    return ctypes.CDLL(os.path.join(folder, name))


def blas_threads(count: int | None = None) -> int:
    """The threads the generated C's BLAS calls use (process-wide), after setting them to
    ``count`` when given (``Context.cpu.thread_num``; 0 or None leaves them)."""
    lib = _openblas()
    if count:
        lib.scipy_openblas_set_num_threads(int(count))
    return int(lib.scipy_openblas_get_num_threads())


def _code() -> str:
    """The digest of the code that writes and runs plans (this package's lowering, int8 C,
    plugin primitives and runner; mind-core's native lowering, fusion and storage planning; read
    as files: nothing is imported): a plan made by other code is never reused, whatever version
    numbers say."""
    global _CODE
    if _CODE is None:
        import mind.core

        folder = os.path.dirname(__file__)
        core = os.path.join(os.path.dirname(mind.core.__file__), "_src")
        digest = hashlib.sha256()
        for path in (
            *(os.path.join(folder, f) for f in ("native_lower.py", "int8.py", "plugin.py")),
            __file__,
            os.path.join(core, "devices", "native", "lower.py"),
            os.path.join(core, "compiler", "fusion.py"),
            os.path.join(core, "compiler", "passes.py"),
        ):
            try:
                with open(path, "rb") as f:
                    digest.update(f.read())
            except OSError:  # an installation without sources: its versions must do
                digest.update(path.encode())
        _CODE = digest.hexdigest()[:16]
    return _CODE


_CODE: str | None = None
_MODULE_THREADS: dict[int, int] = {}  # id(module lib) -> the thread count last set in it


def load_native(graph: LiteGraph) -> NativeRunner:
    """The runner of ``graph`` (as read from its file: int8 weights and all) as C; raises
    (ImportError, the build's errors, LiteRuntimeError) when that cannot be had, and the caller
    runs the numpy plan instead. Its fake-quantized layers run as int8 layers
    (:mod:`mind.lite._src.int8`), its other weights in float32."""
    import mind.core
    from mind.core._base import native_build
    from mind.lite._src.int8 import int8_layers

    graph = int8_layers(graph)

    versions = (
        f"{_RUNNER_VERSION}/{mind.core.__version__}/{native_build.COMPILER_VERSION}/{_code()}/"
        f"{native_build.abi_id()}"
    )
    name = f"lite-{_graph_key(graph, versions)}.json"
    blob = native_build.load_entry(name)
    plan = json.loads(blob) if blob is not None else None
    # a warm start: the module the plan records, straight from the cache (its key covers the
    # CPU and the Python ABI, as the plan's does)
    module = None
    if plan and isinstance(plan.get("module"), str):
        try:
            module = native_build.load_built(plan["module"])
        except ValueError:  # not a key: built again below, and the plan rewritten
            module = None
    if module is None:
        if plan is None:
            from mind.lite._src.native_lower import generate  # mind-core's compiler: only here

            plan = generate(graph)
        module, report = native_build.build(plan["source"], plan["functions"])
        if plan.get("module") != report["key"]:
            plan["module"] = report["key"]
            native_build.store_entry(name, json.dumps(plan).encode())
    return NativeRunner(plan, graph, module)


class NativeRunner:
    """``runner.run(arrays) -> list of arrays`` for a plan (see the module docstring)."""

    def __init__(self, plan: dict[str, Any], graph: LiteGraph, module: Any) -> None:
        ffi, lib = module.ffi, module.lib
        self._ffi, self._lib = ffi, lib
        slots = plan["slots"]
        # the workspace starts on a cache line, as the plan's 64-byte aligned offsets assume
        # (vector loads that straddle lines run at a fraction of their speed)
        self._workspace = np.zeros(max(int(plan["arena_bytes"]), 64) // 8 + 16, np.float64)
        shift = -self._workspace.ctypes.data % 64
        base = self._workspace.ctypes.data + shift
        self._table = ffi.new("void *[]", max(len(slots), 1))
        self._env: list[Any] = [None] * len(slots)
        self._params: list[tuple[int, int, np.dtype, tuple]] = []
        self._outs: list[tuple[int, tuple, np.dtype]] = []
        self._kinds = [s["kind"] for s in slots]
        for i, s in enumerate(slots):
            kind = s["kind"]
            shape = tuple(s["shape"]) if s["shape"] is not None else None
            dtype = np.dtype(s["dtype"]) if s["dtype"] is not None else None
            if kind == "const":
                if "tensor" in s:  # a weight, in place in the mapped file (read only)
                    value = graph.tensors[s["tensor"]].reshape(shape)
                else:  # the status word and the like: private and writable
                    value = np.array(s["value"], dtype=dtype).reshape(shape)
                self._env[i] = value
                self._table[i] = ffi.cast("void *", value.ctypes.data)
            elif kind == "work":
                count = int(np.prod(shape)) if shape else 1
                view = np.frombuffer(
                    self._workspace, dtype=dtype, count=count, offset=s["offset"] + shift
                )
                self._env[i] = view.reshape(shape)
                self._table[i] = ffi.cast("void *", base + s["offset"])
            elif kind == "param":
                self._params.append((i, s["position"], dtype, shape))
            elif kind == "out":
                self._outs.append((i, shape, dtype))
        self._steps: list[tuple] = []
        for step in plan["steps"]:
            if step[0] == "native":
                self._steps.append(("native", getattr(lib, step[1])))
                continue
            _, op, ins, attrs, out, shape, copy = step
            kernel = KERNELS.get(op)
            if kernel is None:
                raise LiteRuntimeError(f"native plan: no kernel for the cpu step {op!r}")
            decoded = {k: decode_attr(v, op) for k, v in attrs.items()}
            ins = [(s, None if sh is None else tuple(sh)) for s, sh in ins]
            self._steps.append(("cpu", kernel, ins, decoded, out, tuple(shape), copy))
        self._status = self._env[plan["status_slot"]]
        self._outputs = [int(s) for s in plan["outputs"]]
        self._output_shapes = [tuple(s) for s in plan["output_shapes"]]
        self.fallback = dict(plan.get("fallback", {}))
        self._has_cpu = any(step[0] == "cpu" for step in self._steps)
        self._lock = threading.Lock()
        self._setter = getattr(lib, "mind_lite_threads", None)
        self._threads = 0
        self.set_threads(0)

    def set_threads(self, count: int) -> None:
        """The threads the plan's own parallel C (int8 GEMMs, the batch-1 GEMV) uses; 0: the
        CPUs this process may run on."""
        if not count:
            count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        self._threads = int(count) or (os.cpu_count() or 1)
        self._apply_threads()

    def _apply_threads(self) -> None:
        # the count lives in the module, which runners of the same source share
        if self._setter is not None and _MODULE_THREADS.get(id(self._lib)) != self._threads:
            self._setter(self._ffi.cast("void **", self._ffi.new("int64_t[1]", [self._threads])))
            _MODULE_THREADS[id(self._lib)] = self._threads

    def run(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        with self._lock:
            if self._setter is not None:
                self._apply_threads()
            return self._run(arrays)

    def _run(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        ffi, table = self._ffi, self._table
        env = list(self._env) if self._has_cpu else self._env  # only cpu steps read it
        # from_buffer is the cheapest way to an array's address (a third of .ctypes.data's
        # time); the cdata objects in ``held`` keep the arrays alive while the C runs.
        held = []
        for slot, position, dtype, shape in self._params:
            a = np.asarray(arrays[position], dtype=dtype, order="C")
            if a.shape != shape:
                raise LiteRuntimeError(
                    f"input {position} has shape {list(a.shape)}, the plan {list(shape)}"
                )
            if self._has_cpu:
                env[slot] = a
            held.append(ffi.from_buffer(a))
            table[slot] = held[-1]
        outputs = {}
        for slot, shape, dtype in self._outs:
            out = np.empty(shape, dtype)
            outputs[slot] = out
            if self._has_cpu:
                env[slot] = out
            held.append(ffi.from_buffer(out))
            table[slot] = held[-1]
        status = self._status
        for step in self._steps:
            if step[0] == "native":
                step[1](table)
                if status[0]:
                    node, status[0] = int(status[0]), 0
                    raise LiteRuntimeError(f"node %{node} met an index out of range in its input")
            else:
                self._cpu_step(step, env, table)
        results = []
        for slot, shape in zip(self._outputs, self._output_shapes, strict=True):
            value = env[slot] if self._has_cpu or slot not in outputs else outputs[slot]
            if self._kinds[slot] == "const":
                value = value.copy()
            results.append(value.reshape(shape) if value.shape != shape else value)
        return results

    def _cpu_step(self, step: tuple, env: list, table: Any) -> None:
        _, kernel, ins, attrs, out, shape, copy = step
        args = [env[s] if sh is None or env[s].shape == sh else env[s].reshape(sh) for s, sh in ins]
        result = kernel(*args, **attrs)
        kind = self._kinds[out]
        if kind == "out":
            result = (
                np.array(result, dtype=env[out].dtype, order="C", copy=copy)
                if copy
                else (np.asarray(result, dtype=env[out].dtype, order="C"))
            )
            env[out] = result
            table[out] = self._ffi.cast("void *", result.ctypes.data)
        else:
            np.copyto(env[out], np.reshape(result, env[out].shape), casting="unsafe")
