"""Graph-kernel fusion: chains of elementwise ops (and an elementwise chain feeding a reduction)
become one ``fused`` node holding the chain as a nested graph.

Device-independent: the pass only regroups nodes. Each device runs a ``fused`` node its own way:
on ``cpu`` the chain is evaluated by numpy with the intermediate results written into one reused
buffer (``out=``) instead of a fresh array per op; on ``native`` it is one C loop that reads each
input element once and writes the result once.

Grouping: starting from the last node of a chain (the *sink*), producers join while they are
elementwise, have the sink's shape (only the chain's inputs may broadcast), every use of them is inside the group,
and no in-place update (``assign``, ``apply_momentum``) lies between them and the sink; a
reduction whose input is such a chain's sink, used by nothing else, closes the group. Groups of
one node are left alone. Turned on with ``set_context(enable_graph_kernel=
True)``; it is on by default when the device is ``native``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mind.core._src.ir.graph import Apply, Constant, FuncGraph, Node, Parameter
from mind.core._src.ops import schema as S
from mind.core._src.ops.control import _aval, _differentiable, _unpack, call_p, vjp_graph
from mind.core._src.ops.dispatch import ShapedArray, bind, primitive, traits_of
from mind.core._src.plugins.manager import get_registry

__all__ = ["fused_p", "graph_kernel_fusion"]


def _has(prim: str, kind: str) -> bool:
    """Whether a node of ``prim`` may join a fused chain (``kind`` "elementwise") or end one
    ("reduction"): the primitive's own traits say so."""
    return {kind, "fusable"} <= traits_of(prim)


def _infer(*ins: Any, graph: FuncGraph) -> ShapedArray:
    if [p.aval for p in graph.parameters] != list(ins):
        from mind.core.errors import MindValueError

        raise MindValueError(
            f"For 'fused', graph {graph.name} takes {[p.aval for p in graph.parameters]} but the "
            f"node passes {list(ins)}"
        )
    return graph.outputs[0].aval


def _plan(graph: FuncGraph) -> list[tuple]:
    """The chain as (kernel, input refs, attrs, may write into the running buffer) steps."""
    plan = graph.__dict__.get("_numpy_plan")
    if plan is not None:
        return plan

    kernels = get_registry().device("cpu").kernels
    index = {p.id: ("in", k) for k, p in enumerate(graph.parameters)}
    index.update({c.id: ("const", c.value) for c in graph.constants})
    plan = []
    fresh: list[bool] = []
    for k, node in enumerate(graph.nodes):
        kernel = kernels[node.prim]
        refs = [index[i.id] for i in node.inputs]
        # In place into the previous step's result when it is this node's first input, has this
        # node's shape and dtype, and no later node reads it.
        later = {i.id for n in graph.nodes[k + 1 :] for i in n.inputs}
        prev = graph.nodes[k - 1] if k else None
        reuse = (
            isinstance(kernel, np.ufunc)
            and not node.attrs
            and prev is not None
            and fresh[-1]  # the previous result is an array of its own, not a view of an input
            and node.inputs
            and node.inputs[0] is prev
            and prev.aval == node.aval
            and prev.id not in later
            and prev not in graph.outputs
        )
        plan.append((kernel, refs, node.attrs, bool(reuse)))
        fresh.append(bool(reuse) or (isinstance(kernel, np.ufunc) and not node.attrs))
        index[node.id] = ("step", k)
    graph.__dict__["_numpy_plan"] = plan
    return plan


def _cpu(*ins: Any, graph: FuncGraph) -> Any:
    values: list[Any] = []
    for kernel, refs, attrs, reuse in _plan(graph):
        args = [
            ins[r[1]] if r[0] == "in" else r[1] if r[0] == "const" else values[r[1]] for r in refs
        ]
        if reuse and isinstance(args[0], np.ndarray):  # (0-d results come back as scalars)
            values.append(kernel(*args, out=args[0]))
        else:
            values.append(kernel(*args, **attrs) if attrs else kernel(*args))
    return values[-1]


def _bprop(*rest: Any, needs: tuple, graph: FuncGraph) -> tuple:
    *ins, _out, dout = rest
    wrt = tuple(bool(n) and _differentiable(_aval(x)) for n, x in zip(needs, ins))
    if not any(wrt):
        return (None,) * len(ins)
    result = bind(call_p, (*ins, dout), {"graph": vjp_graph(graph, wrt, (True,))})
    grads = iter(_unpack(result, sum(wrt)))
    return tuple(next(grads) if w else None for w in wrt)


fused_p = primitive(
    "fused",
    cpu=_cpu,
    infer=_infer,
    bprop=_bprop,
    masked_bprop=True,
    attrs=("graph",),
    doc="A chain of elementwise ops (maybe ending in a reduction) made one kernel by fusion.",
)
S.attr_schema(fused_p, graph=S.Graph())


def _fusable(node: Node) -> bool:
    return (
        isinstance(node, Apply)
        and _has(node.prim, "elementwise")
        and isinstance(node.aval, ShapedArray)
        and node.aval.dtype.np is not None
    )


def graph_kernel_fusion(graph: FuncGraph, options: Mapping[str, Any] | None = None) -> FuncGraph:
    """Group elementwise chains (and a reduction they feed) into ``fused`` nodes; see the module
    docstring. Does nothing unless ``options["enable_graph_kernel"]`` is true."""
    if not (options or {}).get("enable_graph_kernel"):
        return graph
    users: dict[int, list[Apply]] = {}
    for node in graph.nodes:
        for i in node.inputs:
            users.setdefault(i.id, []).append(node)
    outputs = {o.id for o in graph.outputs}
    position = {n.id: k for k, n in enumerate(graph.nodes)}
    # A group runs at its sink's position: no producer may move past an in-place update.
    writes = [k for k, n in enumerate(graph.nodes) if "in_place" in traits_of(n.prim)]
    group_of: dict[int, int] = {}
    groups: list[list[Apply]] = []

    for sink in reversed(graph.nodes):
        if sink.id in group_of:
            continue
        members: list[Apply] = []
        if _has(sink.prim, "reduction") and isinstance(sink.aval, ShapedArray):
            src = sink.inputs[0]
            if not (_fusable(src) and src.id not in group_of and src.id not in outputs):
                continue
            if [u.id for u in users.get(src.id, [])] != [sink.id]:
                continue
            members, shape, top = [sink, src], src.aval.shape, src
        elif _fusable(sink):
            members, shape, top = [sink], sink.aval.shape, sink
        else:
            continue
        ids = {m.id for m in members}
        frontier = [top]
        while frontier:
            node = frontier.pop()
            for p in node.inputs:
                if (
                    p.id in ids
                    or p.id in group_of
                    or p.id in outputs
                    or not _fusable(p)
                    or p.aval.shape != shape
                    or any(u.id not in ids for u in users.get(p.id, []))
                    or any(position[p.id] < w < position[sink.id] for w in writes)
                ):
                    continue
                members.append(p)
                ids.add(p.id)
                frontier.append(p)
        if len(members) < 2:
            continue
        for m in members:
            group_of[m.id] = len(groups)
        groups.append(sorted(members, key=lambda n: position[n.id]))

    if not groups:
        return graph
    return _rewrite(graph, groups, group_of)


def _rewrite(graph: FuncGraph, groups: list[list[Apply]], group_of: dict[int, int]) -> FuncGraph:
    new = FuncGraph(graph.name)
    new._next = graph._next
    env: dict[int, Node] = {}

    for p in graph.parameters:
        env[p.id] = copy = Parameter(p.id, p.aval, p.name, p.kind)
        new.parameters.append(copy)

    def mapped(node: Node) -> Node:
        hit = env.get(node.id)
        if hit is None and isinstance(node, Constant):
            hit = env[node.id] = Constant(node.id, node.value)
            new.constants.append(hit)
        return hit

    sinks = {members[-1].id: k for k, members in enumerate(groups)}
    for node in graph.nodes:
        g = group_of.get(node.id)
        if g is None:
            copy = Apply(
                node.id,
                node.prim,
                tuple(mapped(i) for i in node.inputs),
                dict(node.attrs),
                node.aval,
            )
            new.nodes.append(copy)
            env[node.id] = copy
            continue
        if node.id not in sinks:
            continue  # computed inside its group, at the group's sink
        members = groups[g]
        member_ids = {m.id for m in members}
        sub = FuncGraph(f"fused_{node.id}")
        inner: dict[int, Node] = {}
        outer_inputs: list[Node] = []
        for m in members:
            args = []
            for i in m.inputs:
                if i.id in member_ids:
                    args.append(inner[i.id])
                    continue
                if i.id not in inner:
                    if isinstance(i, Constant) and i.value.size <= 16:
                        inner[i.id] = sub.add_constant(i.value)
                    else:
                        inner[i.id] = sub.add_parameter(i.aval, f"in{len(outer_inputs)}")
                        outer_inputs.append(mapped(i))
                args.append(inner[i.id])
            inner[m.id] = sub.add_apply(m.prim, tuple(args), dict(m.attrs), m.aval)
        sub.outputs = (inner[node.id],)
        fused = Apply(node.id, "fused", tuple(outer_inputs), {"graph": sub}, node.aval)
        new.nodes.append(fused)
        env[node.id] = fused
    new.outputs = tuple(mapped(o) for o in graph.outputs)
    return new
