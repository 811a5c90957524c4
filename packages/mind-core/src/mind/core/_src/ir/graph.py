"""MindIR: the graph form of a program.

A :class:`FuncGraph` is SSA: :class:`Parameter` nodes (its inputs), :class:`Constant` nodes and
:class:`Apply` nodes (a primitive applied to earlier nodes, with attributes), kept in an order in
which every use follows its definition, and a tuple of outputs. Every node carries its abstract
value (shape and dtype), so a graph can be checked, printed and planned without running it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from mind.core._src.ops import schema
from mind.core._src.ops.dispatch import AbstractTuple, ShapedArray
from mind.core._src.tensor import dtype as dt
from mind.core.errors import GraphError

__all__ = ["Apply", "Constant", "FuncGraph", "GraphError", "Node", "Parameter", "subgraphs"]


class Node:
    __slots__ = ("aval", "id")

    def __init__(self, id: int, aval: ShapedArray) -> None:
        self.id, self.aval = id, aval

    @property
    def ref(self) -> str:
        return f"%{self.id}"


class Parameter(Node):
    """A graph input. ``kind`` is ``"input"`` (an argument) or ``"weight"`` (a Cell's Parameter)."""

    __slots__ = ("kind", "name")

    def __init__(self, id: int, aval: ShapedArray, name: str, kind: str = "input") -> None:
        super().__init__(id, aval)
        self.name, self.kind = name, kind


class Constant(Node):
    __slots__ = ("value",)

    def __init__(self, id: int, value: np.ndarray) -> None:
        value = np.asarray(value)
        super().__init__(id, ShapedArray(value.shape, dt.from_numpy_dtype(value.dtype)))
        self.value = value


class Apply(Node):
    __slots__ = ("attrs", "inputs", "prim")

    def __init__(
        self, id: int, prim: str, inputs: tuple[Node, ...], attrs: dict[str, Any], aval: ShapedArray
    ):
        super().__init__(id, aval)
        self.prim, self.inputs, self.attrs = prim, inputs, attrs


def _fmt_aval(aval: ShapedArray | AbstractTuple) -> str:
    if isinstance(aval, AbstractTuple):
        return f"({', '.join(_fmt_aval(e) for e in aval.elements)})"
    return f"{aval.dtype}{list(aval.shape)}"


def _fmt_attr(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{list(value.shape)}"
    if isinstance(value, FuncGraph):
        return f"@{value.name}"
    return repr(value)


def subgraphs(node: Apply) -> list[tuple[str, FuncGraph]]:
    """The nested graphs a control-flow application holds: ``[(attribute name, graph)]``."""
    return [(k, v) for k, v in node.attrs.items() if isinstance(v, FuncGraph)]


class FuncGraph:
    """One function in MindIR."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.parameters: list[Parameter] = []
        self.constants: list[Constant] = []
        self.nodes: list[Apply] = []
        self.outputs: tuple[Node, ...] = ()
        self._next = 0

    def _id(self) -> int:
        self._next += 1
        return self._next

    def add_parameter(self, aval: ShapedArray, name: str, kind: str = "input") -> Parameter:
        node = Parameter(self._id(), aval, name, kind)
        self.parameters.append(node)
        return node

    def add_constant(self, value: np.ndarray) -> Constant:
        node = Constant(self._id(), value)
        self.constants.append(node)
        return node

    def add_apply(
        self, prim: str, inputs: tuple[Node, ...], attrs: dict[str, Any], aval: ShapedArray
    ) -> Apply:
        node = Apply(self._id(), prim, tuple(inputs), dict(attrs or {}), aval)
        self.nodes.append(node)
        return node

    def all_nodes(self) -> Iterator[Node]:
        yield from self.parameters
        yield from self.constants
        yield from self.nodes

    def __repr__(self) -> str:
        return (
            f"FuncGraph({self.name!r}, {len(self.parameters)} parameters, {len(self.nodes)} nodes)"
        )

    def __str__(self) -> str:
        text = [self._text()]
        seen: set[int] = {id(self)}
        pending = [g for n in self.nodes for _, g in subgraphs(n)]
        while pending:  # nested graphs (branches, loop bodies) follow, each printed once
            g = pending.pop(0)
            if id(g) in seen:
                continue
            seen.add(id(g))
            text.append(g._text())
            pending.extend(sg for n in g.nodes for _, sg in subgraphs(n))
        return "\n".join(text)

    def _text(self) -> str:
        params = ", ".join(
            f"{p.ref}: {_fmt_aval(p.aval)}" + (f" ({p.name})" if p.kind == "weight" else "")
            for p in self.parameters
        )
        lines = [f"graph {self.name}({params}) {{"]
        for c in self.constants:
            shown = (
                np.array2string(c.value, threshold=6)
                if c.value.size <= 6
                else f"<{c.value.size} values>"
            )
            lines.append(f"  {c.ref} = constant {shown} : {_fmt_aval(c.aval)}")
        for n in self.nodes:
            args = ", ".join(i.ref for i in n.inputs)
            attrs = ", ".join(f"{k}={_fmt_attr(v)}" for k, v in n.attrs.items())
            lines.append(
                f"  {n.ref} = {n.prim}({args}){' {' + attrs + '}' if attrs else ''} : {_fmt_aval(n.aval)}"
            )
        lines.append(f"  return ({', '.join(o.ref for o in self.outputs)})")
        lines.append("}")
        return "\n".join(lines)

    # -- checking -----------------------------------------------------------------------------------

    def verify(self, primitives: dict | None = None) -> None:
        """Raise :class:`GraphError` unless every use follows its definition, every node fits
        its primitive (number of inputs, attributes against the primitive's schema: see
        :mod:`mind.core._src.ops.schema`) and every node's abstract value is what its primitive's
        inference rule gives."""
        if primitives is None:
            from mind.core._src.ops.dispatch import PRIMITIVES as primitives
        defined: set[int] = {n.id for n in self.parameters} | {n.id for n in self.constants}
        for node in self.nodes:
            for i, inp in enumerate(node.inputs):
                if inp.id not in defined:
                    raise GraphError(
                        f"graph {self.name}: {node.ref} = {node.prim}(...) uses {inp.ref} (input {i}) before it is defined"
                    )
            prim = primitives.get(node.prim)
            if prim is None:
                raise GraphError(
                    f"graph {self.name}: {node.ref} applies unknown primitive {node.prim!r}"
                )
            avals = tuple(i.aval for i in node.inputs)
            problem = schema.check_node(prim, avals, node.attrs)
            if problem is not None:
                raise GraphError(f"graph {self.name}: {node.ref} = {node.prim}(...) {problem}")
            expected = prim.infer(*avals, **node.attrs)
            if expected != node.aval:
                raise GraphError(
                    f"graph {self.name}: {node.ref} = {node.prim}(...) is recorded as {_fmt_aval(node.aval)} "
                    f"but its inference gives {_fmt_aval(expected)}"
                )
            defined.add(node.id)
        for out in self.outputs:
            if out.id not in defined:
                raise GraphError(f"graph {self.name}: output {out.ref} is not defined")
        for node in self.nodes:
            for _, sub in subgraphs(node):
                sub.verify(primitives)
