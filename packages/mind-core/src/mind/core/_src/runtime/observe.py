"""Runtime observers (``mind_runtime_observer``): asked for once when an executable is built.

An executable built while nobody subscribed holds ``None`` and runs its plain loop: an unobserved
run pays one test per call, never one per node. An observed one calls, per run and per node (a
cpu kernel, or on ``native`` one generated C function per node: the executable is built split,
as for ``profile``):

- ``on_run_start(graph, device)`` and ``on_run_end(graph, device)``;
- ``on_kernel_start(node, device)``: ``node`` is the graph's ``Apply`` (``node.prim``,
  ``node.inputs``, ``node.attrs``, ``node.aval`` with the output's shape and dtype);
- ``on_kernel_end(node, device, seconds, outputs)``: ``outputs`` is the node's output array (read
  it, do not keep it: the buffer is reused), ``seconds`` the kernel's wall time.

An observer implements any subset of these methods.
"""

from __future__ import annotations

from typing import Any

from mind.core._src.plugins.manager import get_plugin_manager

__all__ = ["Observers", "subscribed"]


class Observers:
    """The subscribed observers' methods, bound once."""

    __slots__ = ("kernel_end", "kernel_start", "run_end", "run_start")

    def __init__(self, observers: list[Any]) -> None:
        def bound(name: str) -> tuple:
            return tuple(getattr(o, name) for o in observers if callable(getattr(o, name, None)))

        self.run_start = bound("on_run_start")
        self.kernel_start = bound("on_kernel_start")
        self.kernel_end = bound("on_kernel_end")
        self.run_end = bound("on_run_end")


def subscribed() -> Observers | None:
    """The observers the plugins subscribe now, or None when there are none."""

    found = get_plugin_manager().runtime_observers()
    return Observers(found) if found else None
