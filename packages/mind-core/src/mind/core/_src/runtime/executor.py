"""MindRT, first cut: run a compiled graph on the cpu device's kernels.

The graph is turned once into a flat plan: for each node, its kernel, the slots of its inputs, its
attributes and the slots it frees afterwards (values die after their last use, so memory follows
the graph's liveness rather than its size). Running the plan is a loop with no lookups.
"""

from __future__ import annotations

from typing import Any

from mind.core._src.ir.graph import FuncGraph
from mind.core.errors import MindValueError

__all__ = ["Executable"]


class Executable:
    """A graph ready to run: ``executable(*arrays) -> tuple of arrays``."""

    def __init__(self, graph: FuncGraph) -> None:
        from mind.core._src.plugins.manager import get_registry

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
        self.plan = []
        for step, node in enumerate(graph.nodes):
            kernel = kernels.get(node.prim)
            if kernel is None:
                raise MindValueError(
                    f"graph {graph.name}: the cpu device has no kernel for '{node.prim}'"
                )
            self.plan.append(
                (
                    kernel,
                    tuple(slot[i.id] for i in node.inputs),
                    node.attrs,
                    slot[node.id],
                    frees[step],
                )
            )
        self.output_slots = [slot[o.id] for o in graph.outputs]

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
        for kernel, ins, attrs, out, frees in self.plan:
            env[out] = (
                kernel(*[env[i] for i in ins], **attrs) if attrs else kernel(*[env[i] for i in ins])
            )
            for f in frees:
                env[f] = None
        return tuple(env[s] for s in self.output_slots)
