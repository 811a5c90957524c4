"""The pass manager: runs the registered compiler passes over a graph, in order, checking each.

The passes come from the plugin registry (``mind_register_passes``), already ordered by stage,
priority and name. After each pass the graph is verified and its signature compared with the
input's, so a pass that breaks a graph is named at once instead of failing later in the runtime.
With ``save_graphs`` set (in the options or through ``set_context``) the graph after each pass is
written to ``{save_graphs_path}/{NN}_{pass}.ir``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mind.core._base.atomic import write_atomic
from mind.core._src.context import get_context
from mind.core._src.ir.graph import FuncGraph, GraphError, subgraphs
from mind.core._src.plugins.records import PASS_STAGES, PassSpec
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["PassManager", "PassRun"]


@dataclass(frozen=True)
class PassRun:
    """What one pass did: its name, the graph's node counts before and after, and its time."""

    name: str
    nodes_before: int
    nodes_after: int
    seconds: float


def _names(options: Mapping[str, Any], key: str) -> frozenset[str]:
    value = options.get(key) or ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise MindTypeError(
            f"For the pass manager, option {key!r} must be a list of pass names, got {value!r}"
        )
    return frozenset(value)


class PassManager:
    """Runs compiler passes over MindIR graphs.

    :param options: ``{"disable": [names], "enable": [names]}`` turn passes off, or on when their
        record says ``enabled=False`` (``disable`` wins when a name is in both); an unknown name
        raises, listing the known ones. ``save_graphs`` and ``save_graphs_path`` override the
        context's. Every pass receives the options as its second argument, so a pass may read its
        own (``constant_folding`` reads ``fold_limit_bytes``).
    :param passes: the passes to choose from; by default every registered one.

    ``run(graph)`` returns the optimised graph; ``history`` lists a :class:`PassRun` for each pass
    run so far.
    """

    def __init__(
        self, options: Mapping[str, Any] | None = None, *, passes: Sequence[PassSpec] | None = None
    ) -> None:
        if passes is None:
            from mind.core._src.plugins.manager import get_registry

            passes = get_registry().passes
        self.options: Mapping[str, Any] = MappingProxyType(dict(options or {}))
        known = {p.name for p in passes}
        disable, enable = _names(self.options, "disable"), _names(self.options, "enable")
        if unknown := (disable | enable) - known:
            raise MindValueError(
                f"For the pass manager, unknown passes {sorted(unknown)}; known: {sorted(known)}"
            )
        self.passes: tuple[PassSpec, ...] = tuple(
            sorted(
                (p for p in passes if p.name not in disable and (p.enabled or p.name in enable)),
                key=lambda p: (PASS_STAGES.index(p.stage), p.priority, p.name),
            )
        )
        self.history: list[PassRun] = []

    def _save_dir(self) -> str | None:
        save = self.options.get("save_graphs", get_context("save_graphs"))
        if not save:
            return None
        path = self.options.get("save_graphs_path", get_context("save_graphs_path"))
        return os.fspath(path) if path else "."

    def run(self, graph: FuncGraph) -> FuncGraph:
        """Run every selected pass over ``graph`` in order; return the last pass's graph.

        Raises :class:`GraphError` naming the pass when one raises, returns something other than a
        FuncGraph, returns a graph that fails ``verify()``, or changes the parameters or the
        outputs' number or abstract values.
        """
        return self._run(graph, self._save_dir(), {}, True)

    def _run(
        self, graph: FuncGraph, save_dir: str | None, done: dict[int, FuncGraph], top: bool
    ) -> FuncGraph:
        # Nested graphs (branches, loop bodies) first, each once however many nodes hold it;
        # their runs are not dumped or recorded in ``history``.
        for node in graph.nodes:
            nested = subgraphs(node)
            if nested:
                for _, sub in nested:
                    if id(sub) not in done:
                        done[id(sub)] = sub  # a graph that (wrongly) holds itself stops here
                        done[id(sub)] = self._run(sub, None, done, False)
                node.attrs = {**node.attrs, **{name: done[id(sub)] for name, sub in nested}}
        signature = _signature(graph)
        for index, spec in enumerate(self.passes):
            before, start = len(graph.nodes), time.perf_counter()
            try:
                result = spec.run(graph, self.options)
            except Exception as exc:
                raise GraphError(
                    f"compiler pass {spec.name!r} failed on graph {graph.name}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            if not isinstance(result, FuncGraph):
                raise GraphError(
                    f"compiler pass {spec.name!r} must return a FuncGraph, "
                    f"got {type(result).__name__}"
                )
            try:
                result.verify()
            except GraphError as exc:
                raise GraphError(
                    f"compiler pass {spec.name!r} produced a malformed graph: {exc}"
                ) from exc
            if _signature(result) != signature:
                raise GraphError(
                    f"compiler pass {spec.name!r} changed the signature of graph {graph.name}: "
                    f"{_describe(signature)} became {_describe(_signature(result))}"
                )
            graph = result
            if top:
                self.history.append(
                    PassRun(spec.name, before, len(graph.nodes), time.perf_counter() - start)
                )
            if save_dir is not None:
                _write_atomically(os.path.join(save_dir, f"{index:02d}_{spec.name}.ir"), str(graph))
        return graph


def _signature(graph: FuncGraph) -> tuple:
    """What no pass may change: the parameters, and the outputs' number and abstract values."""
    return (
        tuple((p.name, p.kind, p.aval) for p in graph.parameters),
        tuple(o.aval for o in graph.outputs),
    )


def _describe(signature: tuple) -> str:
    params, outputs = signature
    return (
        f"({', '.join(f'{name}: {aval}' for name, _, aval in params)}) -> "
        f"({', '.join(str(a) for a in outputs)})"
    )


def _write_atomically(path: str, text: str) -> None:
    """Readers see the old file or the whole new one, never a half-written one."""

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    write_atomic(path, (text + "\n").encode("utf-8"))
