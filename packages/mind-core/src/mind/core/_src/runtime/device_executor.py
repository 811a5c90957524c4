"""MindRT on a plugin's device: a compiled graph run node by node with the device's own kernels
and allocator, for a device that does not compile whole graphs (no ``compile_graph``).

Built once per compiled graph, after the device's capability check (every op has a kernel, every
dtype and graph mode are declared). A call copies the inputs to the device, runs each node's
kernel on device buffers, frees each buffer after its last use, copies the outputs back, and
writes the inputs of in-place nodes (``assign``, ``apply_momentum`` and its accumulation) back
into the host arrays they were given, so what the device updated is updated for the caller.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ops.dispatch import traits_of
from mind.core.errors import MindValueError

__all__ = ["DeviceExecutable"]


class DeviceExecutable:
    """``executable(*host arrays) -> tuple of host arrays`` on ``device``'s kernels."""

    def __init__(self, graph: FuncGraph, device: Any) -> None:
        self.graph, self.device = graph, device
        slot = {node.id: i for i, node in enumerate(graph.all_nodes())}
        self.num_slots = len(slot)
        self.param_slots = [slot[p.id] for p in graph.parameters]
        # Constants live on the device for the executable's lifetime.
        self._constants = [(slot[c.id], device.copy_from_host(c.value)) for c in graph.constants]
        # Outputs and inputs are freed by the call, after the copies back; constants never.
        keep = {o.id for o in graph.outputs} | {c.id for c in graph.constants}
        keep |= {p.id for p in graph.parameters}
        last_use: dict[int, int] = {}
        for step, node in enumerate(graph.nodes):
            for inp in node.inputs:
                last_use[inp.id] = step
        frees: list[list[int]] = [[] for _ in graph.nodes]
        for node_id, step in last_use.items():
            if node_id not in keep:
                frees[step].append(slot[node_id])
        self.plan = [
            (
                device.kernel(node.prim),
                tuple(slot[i.id] for i in node.inputs),
                node.attrs,
                slot[node.id],
                frees[step],
            )
            for step, node in enumerate(graph.nodes)
        ]
        params = {p.id: k for k, p in enumerate(graph.parameters)}
        # An in-place kernel writes its first input and may update others (apply_momentum its
        # accumulation): every input of it that is a graph input goes back to the caller's array.
        self._write_back = sorted(
            {
                params[i.id]
                for node in graph.nodes
                if "in_place" in traits_of(node.prim)
                for i in node.inputs
                if i.id in params
            }
        )
        self.output_slots = [slot[o.id] for o in graph.outputs]
        self._lock = threading.Lock()  # the device's buffers of one call at a time

    def __call__(self, *arrays: Any) -> tuple:
        if len(arrays) != len(self.param_slots):
            raise MindValueError(
                f"graph {self.graph.name} takes {len(self.param_slots)} inputs, got {len(arrays)}"
            )
        device = self.device
        with self._lock:
            env: list[Any] = [None] * self.num_slots
            owned: dict[int, Any] = {}  # buffers this call allocated and has not freed, by id
            holders: dict[int, int] = {}  # how many slots hold each of them (in-place aliases)

            def put(slot: int, buffer: Any) -> None:
                env[slot] = buffer
                if id(buffer) in owned:
                    holders[id(buffer)] = holders.get(id(buffer), 0) + 1

            for s, buffer in self._constants:
                env[s] = buffer
            try:
                for s, a in zip(self.param_slots, arrays):
                    buffer = device.copy_from_host(np.asarray(a))
                    owned[id(buffer)] = buffer
                    put(s, buffer)
                for kernel, ins, attrs, out, frees in self.plan:
                    result = kernel(*[env[i] for i in ins], **attrs)
                    if not any(result is env[i] for i in ins):  # a new buffer, not an input's
                        owned[id(result)] = result
                    put(out, result)
                    for f in frees:  # each value's buffer goes back after its last use
                        buffer, env[f] = env[f], None
                        key = id(buffer)
                        if key in holders:
                            holders[key] -= 1
                            if not holders[key]:
                                del holders[key]
                                device.free(owned.pop(key))
                for k in self._write_back:
                    np.copyto(arrays[k], device.copy_to_host(env[self.param_slots[k]]))
                return tuple(device.copy_to_host(env[s]) for s in self.output_slots)
            finally:
                for buffer in owned.values():
                    device.free(buffer)

    def __del__(self) -> None:
        for _, buffer in getattr(self, "_constants", ()):
            try:
                self.device.free(buffer)
            except Exception:
                pass
