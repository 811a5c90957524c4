"""Tracing Python into MindIR.

While a function is traced, a :class:`Tracer` is the innermost interpreter of the tracing thread
(``dispatch.interpreting``): each primitive application on that thread records an Apply node
instead of computing, and tensors hold a :class:`TraceValue` (a node, a shape and a dtype) where
they normally hold a numpy array. Other threads keep computing. The eager code paths run
unchanged, including ``grad``: its tape and the primitives' bprops are traced too, so a training
step becomes one graph with its backward pass.

Anything that needs a concrete value inside a traced function (``bool(tensor)``, a tensor-valued
``if``, ``.asnumpy()``, ``print`` of a value) raises :class:`GraphModeError` naming the user's file
and line and what to write instead.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from mind.core._src.ir.graph import FuncGraph, Node
from mind.core._src.ops import dispatch
from mind.core.errors import GraphModeError

__all__ = [
    "Draws",
    "GraphModeError",
    "TraceValue",
    "Tracer",
    "Writes",
    "collecting",
    "current_tracer",
    "is_tracing",
    "tracing",
    "user_function",
    "user_location",
]


def user_location() -> str:
    """``file:line`` of the innermost frame outside Mind's own packages."""
    mind_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    skip = (mind_root + os.sep, os.path.dirname(np.__file__) + os.sep)
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(skip) and "importlib" not in filename:
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown>"


class _Findings(threading.local):
    def __init__(self) -> None:
        self.stack: list[list[dict]] = []  # pushed by collecting(): record problems, not raise


_FINDINGS = _Findings()


class ValueNeeded(GraphModeError):
    """The trace needed a tensor's value (``asnumpy``, ``item``, an op whose output shape
    depends on values): what ``jit_syntax_level=LAX`` lets a ``jit`` function run in PyNative
    mode for, instead of failing."""


def _unsupported(what: str, fix: str, stand_in: Any = None) -> Any:
    """Raise ValueNeeded for ``what``; in collecting mode, record it and return ``stand_in``."""
    location = user_location()
    if _FINDINGS.stack:
        _FINDINGS.stack[-1].append({"location": location, "problem": what, "fix": fix})
        return stand_in
    raise ValueNeeded(f"{location}: {what} inside jit: tensors have no values while tracing. {fix}")


@contextmanager
def collecting(findings: list[dict]) -> Iterator[list[dict]]:
    """While active, unsupported constructs are recorded in ``findings`` and tracing carries on
    with a stand-in value (True for a condition, zeros for an array, 0 for a number)."""
    _FINDINGS.stack.append(findings)
    try:
        yield findings
    finally:
        _FINDINGS.stack.pop()


class TraceValue:
    """What a tensor holds while traced: its graph node, shape and numpy dtype, no data."""

    __slots__ = ("dtype", "itemsize", "nbytes", "ndim", "node", "shape", "size")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.shape = tuple(node.aval.shape)
        if node.aval.dtype is None:  # a control-flow application's tuple of results
            self.dtype, self.ndim, self.size, self.itemsize, self.nbytes = None, 0, 0, 0, 0
            return
        np_dtype = node.aval.dtype.np
        self.dtype = np_dtype
        self.ndim = len(self.shape)
        self.size = int(np.prod(self.shape)) if self.shape else 1
        self.itemsize = np_dtype.itemsize if np_dtype is not None else 2
        self.nbytes = self.size * self.itemsize

    def __bool__(self) -> bool:
        return _unsupported(
            "the truth value of a tensor (an if/while on a tensor, or bool())",
            "Write control.cond(pred, true_fn, false_fn, *operands) (mind.core.control) or ops.where for tensor-valued "
            "branches, or decide outside jit.",
            True,
        )

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return _unsupported(
            "converting a tensor to numpy (asnumpy(), np.asarray, print of a value)",
            "Return the tensor from the jitted function and convert it outside.",
            np.zeros(self.shape, self.dtype),
        )

    def item(self) -> Any:
        return _unsupported(
            "a tensor's Python value (item(), float(), int(), tolist())",
            "Return the tensor from the jitted function and convert it outside.",
            0,
        )

    __float__ = __int__ = __index__ = tolist = item

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"TraceValue({self.node.ref}, {self.shape}, {self.dtype})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__array_"):  # numpy probing protocols: let it fall back to __array__
            raise AttributeError(name)
        stand_in = _unsupported(
            f"numpy attribute '{name}' of a traced tensor (an op reading raw data)",
            "This operation cannot be compiled yet; run it in PyNative mode.",
        )
        return getattr(np.zeros(self.shape, self.dtype), name, stand_in)


class Tracer(dispatch.Interpreter):
    """Builds one FuncGraph from primitive applications.

    A tracer with a ``parent`` builds a nested graph (a branch, a loop body) while the parent's
    graph is being built: a value of an enclosing graph used inside it (a closure: a weight, an
    earlier activation) becomes one extra parameter of the nested graph, listed in ``captures``
    (the enclosing graph's value, the nested graph's parameter), so the control-flow application
    can pass it in.
    """

    def __init__(self, name: str, parent: Tracer | None = None) -> None:
        self.graph = FuncGraph(name)
        self.parent = parent
        self._constants: dict[int, tuple[Any, Node]] = {}
        self._own: set[int] = set()  # ids of the nodes of this graph (nested tracers only)
        self.captures: list[tuple[TraceValue, Node]] = []
        self._captured: dict[int, Node] = {}
        # capture_mode="ast": how the user's functions and Cells it reaches are converted first
        # (ir.ast_capture.convert); None traces them as written.
        self.convert: Any = parent.convert if parent is not None else None
        # Set while a converted if's branch or while's body is traced: the Tensors it assigns
        # (ops.assign, ``self.param = x``) become values the cond or while_loop carries.
        self.writes: Writes | None = None
        # (tensor, its data before) for each tensor an assign rebound to the assign's output,
        # so later reads depend on the write; undone when the trace ends.
        self.rebound: list[tuple[Any, Any]] = []
        # Set while a recompute block is traced (see ``Draws``).
        self.draws: Draws | None = None

    def flush_writes(self) -> None:
        """At the end of the top graph: one in-place ``assign`` per tensor the trace wrote,
        from its value before to its last value (the writes the function made, in effect)."""
        first: dict[int, tuple[Any, Any]] = {}
        for tensor, data in self.rebound:
            first.setdefault(id(tensor), (tensor, data))
        assign = dispatch.PRIMITIVES["assign"]
        for tensor, data in first.values():
            if tensor._data is not data:
                self.process(assign, (data, tensor._data), {})

    def undo_writes(self) -> None:
        for tensor, data in reversed(self.rebound):
            tensor._data = data
        self.rebound.clear()

    def add_parameter(self, aval: Any, name: str) -> Node:
        node = self.graph.add_parameter(aval, name)
        self._own.add(id(node))
        return node

    def owns(self, value: TraceValue) -> bool:
        return self.parent is None or id(value.node) in self._own

    def node_for(self, value: Any) -> Node:
        if isinstance(value, TraceValue):
            if self.parent is None or id(value.node) in self._own:
                return value.node
            hit = self._captured.get(id(value.node))
            if hit is None:
                hit = self.add_parameter(value.node.aval, f"capture{len(self.captures)}")
                self._captured[id(value.node)] = hit
                self.captures.append((value, hit))
            return hit
        key = id(value)
        hit = self._constants.get(key)
        if hit is not None and hit[0] is value:
            return hit[1]
        node = self.graph.add_constant(np.asarray(value))
        self._constants[key] = (value, node)  # keep ``value`` alive so its id stays unique
        return node

    @contextmanager
    def drawing(self, draws: Draws) -> Iterator[Draws]:
        """Record (or, when ``draws.replaying``, hand out again) the random values drawn."""
        before, self.draws = self.draws, draws
        try:
            yield draws
        finally:
            self.draws = before

    def process(self, prim: dispatch.Primitive, values: tuple, attrs: dict) -> TraceValue:
        if self.draws is not None and "random" in prim.traits:
            return self.draws.draw(lambda: self._apply(prim, values, attrs))
        return self._apply(prim, values, attrs)

    def _apply(self, prim: dispatch.Primitive, values: tuple, attrs: dict) -> TraceValue:
        inputs = tuple(self.node_for(a) for a in values)
        aval = prim.infer(*(n.aval for n in inputs), **attrs)
        node = self.graph.add_apply(prim.name, inputs, attrs, aval)
        if self.parent is not None:
            self._own.add(id(node))
        return TraceValue(node)


class Draws:
    """The random values a recompute block draws in its traced forward, in order; when the
    backward traces the block again (``replaying``), its draws get the same values, so that a
    dropout mask is the forward's."""

    def __init__(self) -> None:
        self.values: list[TraceValue] = []
        self.replaying = False
        self._next = 0

    def replay(self) -> None:
        """From now on hand out the recorded values again, from the first."""
        self.replaying, self._next = True, 0

    def draw(self, apply: Any) -> TraceValue:
        if not self.replaying:
            self.values.append(apply())
            return self.values[-1]
        if self._next == len(self.values):
            raise GraphModeError(
                "a recompute block drew more random values when run again than in its forward; "
                "its random ops must not depend on Python state that changes between runs"
            )
        self._next += 1
        return self.values[self._next - 1]


class Writes:
    """The Tensors (Parameters, mostly) that a converted branch or loop body assigns, traced
    functionally: an assign there rebinds the tensor to the assigned value instead of recording
    an in-place node, the cond or while_loop carries the value out, and one assign after it
    writes the tensor. ``carried`` are those the statement already carries; a write to any other
    is ``missed`` (with the data to restore) and the statement is traced again carrying it."""

    def __init__(self, carried: list[Any]) -> None:
        self.carried = carried
        self.missed: list[tuple[Any, Any]] = []

    def write(self, tensor: Any, value: Any) -> None:
        if not any(tensor is c for c in self.carried) and not any(
            tensor is m for m, _ in self.missed
        ):
            self.missed.append((tensor, tensor._data))
        tensor._data = value._data


def current_tracer() -> Tracer | None:
    """The tracer recording on this thread now (the innermost, while a nested graph is traced)."""
    if not dispatch.INTERPRETING:  # nothing is traced or vmapped on any thread: one global read
        return None
    for interpreter in reversed(dispatch.interpreters()):
        if isinstance(interpreter, Tracer):
            return interpreter
    return None


def user_function(fn: Any) -> Any:
    """``fn`` as the current trace calls the user's code: converted in ``capture_mode="ast"``."""
    tracer = current_tracer() if is_tracing() else None
    return tracer.convert(fn) if tracer is not None and tracer.convert is not None else fn


def is_tracing() -> bool:
    """Whether this thread is tracing (other threads run eagerly meanwhile)."""
    return current_tracer() is not None


@contextmanager
def tracing(tracer: Tracer) -> Iterator[Tracer]:
    """Record every primitive application of this thread into ``tracer`` for the block."""
    with dispatch.interpreting(tracer):
        yield tracer
