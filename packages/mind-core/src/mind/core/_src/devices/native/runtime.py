"""Running a lowered graph: one pointer table, one workspace, native regions and cpu steps."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import numpy as np

from mind.core._base.native_build import build
from mind.core._src.devices.native.lower import Lowered, lower
from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ops.dispatch import traits_of
from mind.core._src.plugins.manager import get_registry
from mind.core._src.runtime.observe import subscribed
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["NativeExecutable", "compile_graph"]


class NativeExecutable:
    """A graph compiled for the ``native`` device: ``executable(*arrays) -> tuple of arrays``.

    :ivar report: what compiling did: ``native_nodes`` and ``cpu_nodes`` (counts), ``fallback``
        (primitive -> nodes run by cpu kernels), ``regions`` (C functions), ``workspace_bytes``,
        ``cache_hit`` and ``build_seconds``.
    :ivar memory_plan: the workspace's :class:`~mind.core._src.compiler.passes.MemoryPlan`.
    """

    def __init__(self, graph: FuncGraph, split: bool = False) -> None:
        import cffi

        self.graph = graph
        # Observed, every native node is its own C function, so each is reported on its own.
        self._observers = subscribed()
        plan: Lowered = lower(graph, split or self._observers is not None)
        self.plan = plan
        self.memory_plan = plan.memory_plan
        if plan.functions:
            module, built = build(plan.source, plan.functions)
            self._ffi, lib = module.ffi, module.lib
        else:
            built = {"cache_hit": True, "seconds": 0.0, "key": None, "library": None}
            self._ffi, lib = cffi.FFI(), None
        ffi = self._ffi
        self.report = {
            "native_nodes": sum(len(s.nodes) for s in plan.steps if s.kind == "native"),
            "cpu_nodes": sum(1 for s in plan.steps if s.kind == "cpu"),
            "fallback": dict(plan.fallback),
            "regions": len(plan.functions),
            "workspace_bytes": plan.memory_plan.arena_bytes,
            "cache_hit": built["cache_hit"],
            "build_seconds": built["seconds"],
        }
        self._workspace = np.zeros(max(plan.memory_plan.arena_bytes, 64) // 8 + 8, np.float64)
        base = self._workspace.ctypes.data
        self._table = ffi.new("void *[]", max(len(plan.slots), 1))
        self._env: list[Any] = [None] * len(plan.slots)
        self._params: list[tuple[int, int, np.dtype, tuple]] = []  # (slot, position, dtype, shape)
        self._outs: list[tuple[int, tuple, np.dtype]] = []
        for slot in plan.slots:
            if slot.kind == "const":
                self._env[slot.index] = slot.value
                self._table[slot.index] = ffi.cast("void *", slot.value.ctypes.data)
            elif slot.kind == "work":
                count = int(np.prod(slot.shape)) if slot.shape else 1
                view = np.frombuffer(
                    self._workspace, dtype=slot.dtype, count=count, offset=slot.offset
                ).reshape(slot.shape)
                self._env[slot.index] = view
                self._table[slot.index] = ffi.cast("void *", base + slot.offset)
            elif slot.kind == "param":
                self._params.append((slot.index, slot.position, slot.dtype, slot.shape))
            elif slot.kind == "tuple":  # a control-flow node's tuple: set by its cpu step
                pass
            else:
                self._outs.append((slot.index, slot.shape, slot.dtype))
        self._steps: list[tuple] = []

        kernels = get_registry().device("cpu").kernels
        slot_of = plan.slot_of
        for step in plan.steps:
            if step.kind == "native":
                self._steps.append(("native", getattr(lib, step.function), self._table))
            else:
                node = step.node
                # A tuple input (shape None) is passed as it is.
                ins = tuple(
                    (
                        slot_of[i.id],
                        None if plan.slots[slot_of[i.id]].kind == "tuple" else tuple(i.aval.shape),
                    )
                    for i in node.inputs
                )
                out = slot_of[node.id]
                # A tuple's element may be an input or in the workspace: an output copies it.
                copy = bool(ins) and ins[0][1] is None
                self._steps.append(
                    ("cpu", kernels[node.prim], ins, node.attrs, out, tuple(node.aval.shape), copy)
                )
        self._updated = {
            slot_of[n.inputs[0].id] for n in graph.nodes if "in_place" in traits_of(n.prim)
        }
        self._n_inputs = len(graph.parameters)
        self._param_slot = {position: slot for slot, position, _, _ in self._params}
        self._last_outputs: list[Any] = [None] * len(self._outs)
        # The arrays whose pointers the table holds from the last call, per parameter: the same
        # array again (a weight, updated in place) skips the checks and the pointer update.
        self._last_params: list[Any] = [None] * len(self._params)
        self._cpu_outs = {slot_of[s.node.id] for s in plan.steps if s.kind == "cpu"} & {
            slot for slot, _, _ in self._outs
        }
        self._lock = threading.Lock()
        self._sink = lib.mind_sink if plan.sink and self._observers is None else None
        self._status = plan.slots[plan.status_slot].value
        self._output_slots = plan.output_slots
        self._output_shapes = [tuple(o.aval.shape) for o in graph.outputs]
        self._slot_kind = [s.kind for s in plan.slots]

    def __call__(self, *arrays: Any) -> tuple:
        return self._run(arrays)

    def _raise_status(self) -> None:
        node_id = int(self._status[0])
        self._status[0] = 0
        node = next((n for n in self.graph.nodes if n.id == node_id), None)
        what = f"%{node_id} = {node.prim}(...)" if node is not None else f"node %{node_id}"
        raise MindValueError(
            f"graph {self.graph.name}: {what} met an index out of range in its input (the native "
            "device stopped the call; the outputs and any in-place updates are incomplete)"
        )

    def profile(self, *arrays: Any, repeats: int = 20) -> list[tuple[str, float]]:
        """Seconds per native node (median over ``repeats``), slowest first: the graph is built
        again with one C function per node, run once on ``arrays`` to set its pointers, then each
        function is timed on its own. Like calls, the runs update the parameters the graph
        updates in place. Nodes on cpu kernels are not timed."""
        import statistics
        import time

        split = NativeExecutable(self.graph, split=True)
        with split._lock:
            split._run_locked(arrays, None)  # the pointer table now holds these arrays
            times: dict[int, list[float]] = {}
            for _ in range(repeats):
                for k, step in enumerate(split._steps):
                    if step[0] != "native":
                        continue
                    start = time.perf_counter()
                    step[1](step[2])
                    times.setdefault(k, []).append(time.perf_counter() - start)
        rows = []
        for k, values in times.items():
            nodes = split.plan.steps[k].nodes
            name = ", ".join(f"{n.ref} {n.prim}{list(n.aval.shape)}" for n in nodes)
            rows.append((name, statistics.median(values)))
        return sorted(rows, key=lambda r: -r[1])

    def run_steps(self, arrays: Any, per_step: dict[int, np.ndarray], n: int) -> tuple:
        """Run the graph ``n`` times in one call (dataset sink) and return the last run's outputs.

        :param arrays: one array per graph input, as for a call; those named in ``per_step`` are
            ignored.
        :param per_step: input position -> an array stacking that input's value for each of the
            ``n`` runs along a new leading axis (the batches, a learning rate per step).

        When every node is native the loop runs in C (``mind_sink``): no Python between steps.
        """
        if not per_step:
            return self._run(arrays)
        arrays = list(arrays)
        stacked = {}
        for position, values in per_step.items():
            values = np.ascontiguousarray(values)
            if values.shape[0] != n:
                raise MindValueError(
                    f"graph {self.graph.name}: per-step input {position} has {values.shape[0]} "
                    f"values for {n} steps"
                )
            stacked[position] = values
            arrays[position] = values[0, ...]  # an array, also for a stack of scalars
        if self._sink is None or n == 1:
            out = None
            for i in range(n):
                for position, values in stacked.items():
                    arrays[position] = values[i, ...]
                out = self._run(arrays)
            return out
        ffi = self._ffi
        slots = [self._param_slot[p] for p in stacked]
        keep = list(stacked.values())
        bases = ffi.new("char *[]", [ffi.cast("char *", v.ctypes.data) for v in keep])
        strides = ffi.new("int64_t[]", [v.strides[0] for v in keep])
        return self._run(arrays, sink=(n, ffi.new("int64_t[]", slots), bases, strides, keep))

    def _run(self, arrays: Any, sink: tuple | None = None) -> tuple:
        # One pointer table and workspace per executable: calls from several threads take turns.
        with self._lock:
            return self._run_locked(arrays, sink)

    def _run_locked(self, arrays: Any, sink: tuple | None) -> tuple:
        if len(arrays) != self._n_inputs:
            raise MindValueError(
                f"graph {self.graph.name} takes {self._n_inputs} inputs, got {len(arrays)}"
            )
        ffi, table, env = self._ffi, self._table, list(self._env)
        held = self._last_params
        for k, (slot, position, dtype, shape) in enumerate(self._params):
            a = arrays[position]
            if a is held[k]:  # the array of the last call (a weight): its pointer is in place
                env[slot] = a
                continue
            if a.dtype != dtype or a.shape != shape:
                raise MindTypeError(
                    f"graph {self.graph.name}: input {position} is {a.dtype}{list(a.shape)}, "
                    f"compiled for {dtype}{list(shape)}"
                )
            if not a.flags.c_contiguous:
                if slot in self._updated:
                    raise MindValueError(
                        f"graph {self.graph.name}: input {position} is updated in place, so it "
                        "must be a C-contiguous array"
                    )
                a = np.ascontiguousarray(a)
            env[slot] = a
            table[slot] = ffi.cast("void *", a.ctypes.data)
            held[k] = a if a is arrays[position] else None
        last = self._last_outputs
        for k, (slot, shape, dtype) in enumerate(self._outs):
            # An output array from the previous call that nobody holds any more (only the list
            # below, the local name and getrefcount's argument refer to it) is written again
            # instead of faulting in fresh pages.
            out = last[k]
            if out is None or sys.getrefcount(out) > 3 or slot in self._cpu_outs:
                out = np.empty(shape, dtype)
                last[k] = out
                table[slot] = ffi.cast("void *", out.ctypes.data)
            env[slot] = out
        out = None  # no reference of ours may outlive the call (see getrefcount above)
        if sink is not None:
            n, slots, bases, strides, _keep = sink
            self._sink(table, n, len(_keep), slots, bases, strides)
            if self._status[0]:
                self._raise_status()
            moved = set(slots)  # mind_sink left these slots pointing into the stacked inputs
            for k, (slot, *_) in enumerate(self._params):
                if slot in moved:
                    held[k] = None
        status = self._status
        if self._observers is not None:
            return self._run_observed(env, table)
        for step in self._steps if sink is None else ():
            if step[0] == "native":
                step[1](step[2])
                if status[0]:
                    self._raise_status()
                continue
            self._cpu_step(step, env, table)
        return self._results(env)

    def _run_observed(self, env: list, table: Any) -> tuple:
        """The steps with the observers told of the run and of every node."""
        obs, graph, slot_of = self._observers, self.graph, self.plan.slot_of
        for fn in obs.run_start:
            fn(graph, "native")
        for step, planned in zip(self._steps, self.plan.steps):
            node = planned.node if planned.kind == "cpu" else planned.nodes[-1]
            for fn in obs.kernel_start:
                fn(node, "native")
            start = time.perf_counter()
            if step[0] == "native":
                step[1](step[2])
                if self._status[0]:
                    self._raise_status()
            else:
                self._cpu_step(step, env, table)
            seconds = time.perf_counter() - start
            for fn in obs.kernel_end:
                fn(node, "native", seconds, env[slot_of[node.id]])
        for fn in obs.run_end:
            fn(graph, "native")
        return self._results(env)

    def _cpu_step(self, step: tuple, env: list, table: Any) -> None:
        ffi = self._ffi
        _, kernel, ins, attrs, out, shape, copy = step
        args = [env[s] if sh is None or env[s].shape == sh else env[s].reshape(sh) for s, sh in ins]
        result = kernel(*args, **attrs) if attrs else kernel(*args)
        target = env[out]
        kind = self._slot_kind[out]
        if kind == "tuple":
            env[out] = result
        elif kind == "out":
            if copy:
                result = np.array(result, dtype=target.dtype, order="C", copy=True)
            else:
                result = np.ascontiguousarray(result, dtype=target.dtype)
            env[out] = result
            table[out] = ffi.cast("void *", result.ctypes.data)
        else:
            np.copyto(target, np.reshape(result, target.shape), casting="unsafe")

    def _results(self, env: list) -> tuple:
        results = []
        for slot, shape in zip(self._output_slots, self._output_shapes):
            value = env[slot]
            if self._slot_kind[slot] == "tuple":
                results.append(value)
                continue
            if self._slot_kind[slot] == "const":
                value = value.copy()
            results.append(value.reshape(shape) if value.shape != shape else value)
        return tuple(results)


def compile_graph(graph: FuncGraph, options: dict | None = None) -> NativeExecutable:
    """The ``native`` device's graph sink: lower ``graph`` to C, build (or load from the cache)
    its module, and return the callable that runs it."""
    return NativeExecutable(graph)
