"""MindRT, first cut: run a compiled graph on the cpu device's kernels.

The graph is turned once into a flat plan: for each node, its kernel, the slots of its inputs, its
attributes and the slots it frees afterwards (values die after their last use, so memory follows
the graph's liveness rather than its size). Running the plan is a loop with no lookups.

Nodes whose kernel is a numpy ufunc (add, mul, exp, comparisons...) or relu write into views of one
arena the executable owns and reuses from call to call (``out=``), so a training step stops paying
the allocator and the page faults of fresh temporaries. The arena is placed by MindRT's planner
(``plan_arena``, the native device's too; ``executable.memory_plan``): two values share bytes
only when their lifetimes are disjoint, counting every view taken of a value (a reshape or
transpose of a buffer keeps it alive), and the arena never holds a graph output, so nothing
returned to the caller is overwritten by the next call. A call made while another call of the same executable runs (another
thread, re-entry) allocates as before instead of sharing those buffers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

from mind.core._src.compiler.passes import nbytes, plan_arena
from mind.core._src.dtypes import NUMPY_DTYPES
from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ops.dispatch import PRIMITIVES
from mind.core._src.ops.nn_ops import relu_p
from mind.core._src.plugins.manager import get_registry
from mind.core._src.runtime.observe import subscribed
from mind.core.errors import MindValueError

__all__ = ["Executable"]


def _relu_out(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0, out=out)


#: ``kernel(*inputs, out=buffer)`` forms of kernels that are not ufuncs, for float inputs.
_OUT_FORMS = {relu_p: _relu_out}


def _out_form(prim: str, kernel: Any, in_dtypes: list[Any], out_dtype: Any) -> Any:
    """A ``kernel(*inputs, out=buffer)`` that computes exactly what ``kernel`` does, or None."""
    form = _OUT_FORMS.get(PRIMITIVES.get(prim))
    if form is not None and in_dtypes == [out_dtype] and out_dtype.kind == "f":
        return form
    if not isinstance(kernel, np.ufunc) or kernel.nout != 1 or kernel.nin != len(in_dtypes):
        return None
    try:
        resolved = kernel.resolve_dtypes((*in_dtypes, None))
    except (TypeError, ValueError, AttributeError):
        return None
    # The loop numpy picks for these dtypes must produce the planned dtype: then writing into a
    # buffer of that dtype gives the same bits as a fresh result.
    return kernel if resolved[-1] == out_dtype else None


class Executable:
    """A graph ready to run: ``executable(*arrays) -> tuple of arrays``."""

    def __init__(self, graph: FuncGraph) -> None:
        kernels = get_registry().device("cpu").kernels
        self.graph = graph
        slot = {}
        for i, node in enumerate(graph.all_nodes()):
            slot[node.id] = i
        self.num_slots = len(slot)
        self.param_slots = [slot[p.id] for p in graph.parameters]
        self.constants = [(slot[c.id], c.value) for c in graph.constants]
        last_use: dict[int, int] = {}
        for step, node in enumerate(graph.nodes):
            for inp in node.inputs:
                last_use[inp.id] = step
        keep = {o.id for o in graph.outputs} | {c.id for c in graph.constants}
        frees: list[list[int]] = [[] for _ in graph.nodes]
        for node_id, step in last_use.items():
            if node_id not in keep:
                frees[step].append(slot[node_id])
        buffers = self._plan_buffers(graph, kernels, last_use)
        self.plan = []
        self.pooled_plan = []
        for step, node in enumerate(graph.nodes):
            kernel = kernels.get(node.prim)
            if kernel is None:
                raise MindValueError(
                    f"graph {graph.name}: the cpu device has no kernel for '{node.prim}'"
                )
            entry = (
                kernel,
                tuple(slot[i.id] for i in node.inputs),
                node.attrs,
                slot[node.id],
                frees[step],
            )
            self.plan.append(entry)
            if node.id in buffers:
                out_kernel, buffer = buffers[node.id]
                self.pooled_plan.append((out_kernel, entry[1], {"out": buffer}, entry[3], entry[4]))
            else:
                self.pooled_plan.append(entry)
        self.output_slots = [slot[o.id] for o in graph.outputs]
        self._lock = threading.Lock()
        self._observers = subscribed()

    def _plan_buffers(
        self, graph: FuncGraph, kernels: Any, last_use: dict[int, int]
    ) -> dict[int, tuple[Any, np.ndarray]]:
        """node id -> (out kernel, buffer) for the nodes that write into reused buffers: views of
        one arena placed by :func:`~mind.core._src.compiler.passes.plan_arena`."""
        forms: dict[int, Any] = {}
        for node in graph.nodes:
            try:
                out_dtype = NUMPY_DTYPES[node.aval.dtype.name]
                in_dtypes = [NUMPY_DTYPES[i.aval.dtype.name] for i in node.inputs]
            except (KeyError, AttributeError):
                continue
            if node.attrs:
                continue
            form = _out_form(node.prim, kernels.get(node.prim), in_dtypes, out_dtype)
            if form is not None:
                forms[node.id] = (form, out_dtype)
        # Every other kernel may return a view of any of its inputs: a value's buffer stays busy
        # until the last use of anything that may be a view of it.
        roots: dict[int, frozenset[int]] = {}
        end: dict[int, int] = {}
        for step, node in enumerate(graph.nodes):
            if node.id in forms:
                roots[node.id] = frozenset((node.id,))
            else:
                roots[node.id] = frozenset().union(*(roots.get(i.id, ()) for i in node.inputs))
            for r in roots[node.id]:
                end[r] = max(end.get(r, step), last_use.get(node.id, step))
        escaping: set[int] = set()
        for out in graph.outputs:
            escaping |= roots.get(out.id, frozenset())
        pooled = [
            (step, node)
            for step, node in enumerate(graph.nodes)
            if node.id in forms and node.id not in escaping
        ]
        self.memory_plan = plan_arena(
            [(n.id, "apply", nbytes(n.aval), step, end[n.id]) for step, n in pooled]
        )
        arena = np.empty(self.memory_plan.arena_bytes, np.uint8)
        assigned: dict[int, tuple[Any, np.ndarray]] = {}
        for _, node in pooled:
            form, dtype = forms[node.id]
            at = self.memory_plan.offsets[node.id]
            view = arena[at : at + nbytes(node.aval)].view(dtype).reshape(node.aval.shape)
            assigned[node.id] = (form, view)
        return assigned

    def __call__(self, *arrays: Any) -> tuple:
        if len(arrays) != len(self.param_slots):
            raise MindValueError(
                f"graph {self.graph.name} takes {len(self.param_slots)} inputs, got {len(arrays)}"
            )
        env: list[Any] = [None] * self.num_slots
        for s, a in zip(self.param_slots, arrays):
            env[s] = a
        for s, value in self.constants:
            env[s] = value
        pooled = self._lock.acquire(blocking=False)
        try:
            plan = self.pooled_plan if pooled else self.plan
            if self._observers is not None:
                self._run_observed(plan, env)
            else:
                for kernel, ins, attrs, out, frees in plan:
                    env[out] = (
                        kernel(*[env[i] for i in ins], **attrs)
                        if attrs
                        else kernel(*[env[i] for i in ins])
                    )
                    for f in frees:
                        env[f] = None
        finally:
            if pooled:
                self._lock.release()
        return tuple(env[s] for s in self.output_slots)

    def _run_observed(self, plan: list, env: list) -> None:
        """The plan's loop with the observers told of the run and of every node."""
        obs, graph = self._observers, self.graph
        for fn in obs.run_start:
            fn(graph, "cpu")
        for node, (kernel, ins, attrs, out, frees) in zip(graph.nodes, plan):
            for fn in obs.kernel_start:
                fn(node, "cpu")
            start = time.perf_counter()
            env[out] = kernel(*[env[i] for i in ins], **attrs)
            seconds = time.perf_counter() - start
            for fn in obs.kernel_end:
                fn(node, "cpu", seconds, env[out])
            for f in frees:
                env[f] = None
        for fn in obs.run_end:
            fn(graph, "cpu")
