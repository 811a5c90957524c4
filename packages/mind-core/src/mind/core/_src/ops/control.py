"""Control flow on tensor values: ``cond``, ``while_loop``, ``fori_loop``, ``scan``.

In PyNative mode they run as Python control flow on the values. Inside ``jit`` each becomes one
node holding nested MindIR graphs, so the compiled program runs only the branch taken and loops
without unrolling (compile time does not grow with the trip count):

- ``cond(pred, true_fun, false_fun, *operands)``: a ``cond`` node with a ``true_graph`` and a
  ``false_graph``; differentiable (its gradient is a ``cond`` over the branches' gradient graphs).
- ``scan(f, init, xs)``: a ``scan`` node whose ``body`` graph maps ``(carry, x)`` to
  ``(carry, y)``; differentiable (its gradient is a reverse ``scan`` of the body's gradient
  graph, fed with the carries the forward loop saved).
- ``fori_loop(lower, upper, body_fun, init_val)``: a ``scan`` over ``arange(lower, upper)``; inside
  ``jit`` the index is a scalar int32 Tensor. ``unroll=True`` unrolls it instead (then the index
  is a Python int, as in PyNative mode).
- ``while_loop(cond_fun, body_fun, init_val)``: a ``while_loop`` node with a ``cond_graph`` and a
  ``body_graph``; differentiable (its gradient runs the loop again keeping the carries, then the
  body's gradient graph over them in reverse).

A branch or body may use tensors from outside it (a Cell's weights, earlier activations): each
becomes an extra input of the node (a *capture*), and gradients flow to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import _watch, backward, stop_gradient, tuple_getitem_p
from mind.core._src.ir.graph import FuncGraph, subgraphs
from mind.core._src.ir.trace import Tracer, TraceValue, current_tracer, is_tracing, tracing
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import broadcast_to, depend_p, getitem, reshape, stack
from mind.core._src.ops.dispatch import (
    PRIMITIVES,
    STATE,
    AbstractTuple,
    ShapedArray,
    apply,
    bind,
    bind1,
    bind2,
    primitive,
    traits_of,
)
from mind.core._src.ops.elementwise import cast
from mind.core._src.ops.sparse import SPARSE_TYPES
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["cond", "fori_loop", "scan", "while_loop"]

_new = object.__new__


# ------------------------------------------------------------------------------------------------
# Nested graphs: tracing, running, differentiating
# ------------------------------------------------------------------------------------------------


def interpret(graph: FuncGraph, values: list[Any]) -> tuple:
    """Apply ``graph``'s nodes to arrays as this thread interprets primitives now: while
    tracing, that records the graph's nodes into the graph being traced (inlining it)."""
    env: dict[int, Any] = {p.id: a for p, a in zip(graph.parameters, values, strict=True)}
    env.update((c.id, c.value) for c in graph.constants)
    for node in graph.nodes:
        env[node.id] = apply(PRIMITIVES[node.prim], *(env[i.id] for i in node.inputs), **node.attrs)
    return tuple(env[o.id] for o in graph.outputs)


def replay(graph: FuncGraph, tensors: list[Tensor]) -> list[Tensor]:
    """Apply ``graph``'s nodes to Tensors with ``bind``, so the tape records them when a gradient
    is being taken; returns the output Tensors. An ``assign`` gives the value it would write and
    writes nothing: the forward run made the write, a replay for the gradient must not again."""
    env: dict[int, Tensor] = {p.id: t for p, t in zip(graph.parameters, tensors, strict=True)}
    for c in graph.constants:
        env[c.id] = Tensor.from_numpy(c.value)
    for node in graph.nodes:
        inputs = tuple(env[i.id] for i in node.inputs)
        if node.prim == "assign":
            target, value = inputs
            if value.shape != target.shape:
                value = broadcast_to(value, target.shape)
            env[node.id] = stop_gradient(value)
            continue
        env[node.id] = bind(PRIMITIVES[node.prim], inputs, node.attrs or None)
    return [env[o.id] for o in graph.outputs]


def _run_graph(graph: FuncGraph, arrays: tuple) -> tuple:
    """Run a nested graph on arrays with MindRT (its plan is made once per graph)."""
    executable = graph.__dict__.get("_executable")
    if executable is None:
        from mind.core._src.runtime.executor import Executable

        executable = graph.__dict__["_executable"] = Executable(graph)
    return executable(*arrays)


def _wrap(data: Any) -> Tensor:
    t = _new(Tensor)
    t._data, t._node = data, None
    return t


def _np_dtype(aval: ShapedArray) -> np.dtype:
    return np.dtype(aval.dtype.np)


def _aval(t: Tensor) -> ShapedArray:
    return ShapedArray(tuple(t._data.shape), dt.from_numpy_dtype(np.dtype(t._data.dtype)))


def _differentiable(aval: ShapedArray) -> bool:
    """Whether a value carries a cotangent through control flow: every dtype but bool, integers
    included (their gradients are integers, as MindSpore computes them and as the eager tape
    does for the same ops)."""
    return aval.dtype is not dt.bool_


def _unpack(result: Tensor, n: int) -> list[Tensor]:
    return [bind1(tuple_getitem_p, result, {"index": i}) for i in range(n)]


def _zeros(aval: ShapedArray) -> Tensor:
    return _wrap(np.zeros(aval.shape, _np_dtype(aval)))


# Structures of values (tuples and lists of Tensors; Python numbers become Tensors) -------------


def _flatten(value: Any, what: str, leaves: list[Tensor]) -> Any:
    if isinstance(value, Tensor):
        leaves.append(value)
        return "t"
    if isinstance(value, tuple | list):
        return (type(value).__name__, tuple(_flatten(v, what, leaves) for v in value))
    if value is None:
        return None
    if isinstance(value, SPARSE_TYPES):  # its Tensors and a static shape
        *parts, shape = value.to_tuple()
        return ("csr", (type(value), shape, tuple(_flatten(p, what, leaves) for p in parts)))
    if isinstance(value, bool | int | float | np.ndarray | np.generic):
        leaves.append(as_tensor(value))
        return "t"
    if isinstance(value, str) or callable(value):
        # A string or a function (an op object a loop passes along): a compile-time constant the
        # structure carries; a body must hand back the same one.
        return ("const", value)
    raise MindTypeError(
        f"For '{what}', values must be Tensors, numbers, strings, functions, or tuples and lists "
        f"of them; got {type(value).__name__}"
    )


def _unflatten(tree: Any, leaves: list[Tensor]) -> Any:
    it = iter(leaves)

    def build(node: Any) -> Any:
        if node == "t":
            return next(it)
        if node is None:
            return None
        kind, items = node
        if kind == "const":
            return items
        if kind == "csr":
            cls, shape, parts = items
            return cls(*(build(p) for p in parts), shape)
        built = [build(i) for i in items]
        return tuple(built) if kind == "tuple" else built

    return build(tree)


def _describe(tree: Any) -> str:
    if tree == "t":
        return "Tensor"
    if tree is None:
        return "None"
    kind, items = tree
    if kind == "const":
        return repr(items)
    if kind == "csr":
        return f"{items[0].__name__}{list(items[1])}"
    return f"{kind}({', '.join(_describe(i) for i in items)})"


class _Sub:
    """A traced nested graph, the structure of its outputs, and what it captured."""

    def __init__(self, graph: FuncGraph, tree: Any, captures: list, outer: dict[int, Tensor]):
        self.graph, self.tree, self.captures, self.outer = graph, tree, captures, outer

    @property
    def outputs(self) -> list[ShapedArray]:
        return [o.aval for o in self.graph.outputs]


def _trace_sub(name: str, fn: Callable[..., Any], avals: list[ShapedArray], what: str) -> _Sub:
    """Trace ``fn(*tensors)`` (tensors of ``avals``) into a nested graph of the one being traced."""

    tracer = Tracer(name, parent=current_tracer())
    args = [_wrap(TraceValue(tracer.add_parameter(a, f"in{k}"))) for k, a in enumerate(avals)]
    with tracing(tracer):
        result = fn(*args)
        leaves: list[Tensor] = []
        tree = _flatten(result, what, leaves)
        tracer.graph.outputs = tuple(tracer.node_for(t._data) for t in leaves)
    # Which outer Tensors were captured: follow the tape back from the results (when a gradient
    # is being taken, a captured Tensor that needs one is an input of a recorded op).
    outer: dict[int, Tensor] = {}
    stack = []
    for t in leaves:
        if isinstance(t._data, TraceValue) and not tracer.owns(t._data):
            outer[id(t._data.node)] = t
        elif t._node is not None:
            stack.append(t._node)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for inp in node.inputs:
            data = inp._data
            if isinstance(data, TraceValue) and not tracer.owns(data):
                if inp._node is not None or id(data.node) not in outer:
                    outer[id(data.node)] = inp
            elif inp._node is not None:
                stack.append(inp._node)
    return _Sub(tracer.graph, tree, tracer.captures, outer)


def _join_captures(subs: list[_Sub], n_inputs: int) -> list[Tensor]:
    """Give every graph in ``subs`` the same parameters: its inputs, then every capture of any
    of them (in one order); returns the outer Tensors to pass for the captures."""
    order: dict[int, Any] = {}
    for sub in subs:
        for value, _ in sub.captures:
            order.setdefault(id(value.node), value)
    tensors = []
    for key, value in order.items():
        # The outer Tensor a branch used: one the tape knows (it needs a gradient) if any.
        seen = [sub.outer[key] for sub in subs if key in sub.outer]
        found = next((t for t in seen if t._node is not None), seen[0] if seen else None)
        tensors.append(found if found is not None else _wrap(value))
    for sub in subs:
        graph = sub.graph
        inputs = graph.parameters[:n_inputs]
        mine = {id(value.node): param for value, param in sub.captures}
        extra = []
        for key, value in order.items():
            param = mine.get(key)
            if param is None:  # a capture only another graph uses: an unused parameter here
                param = graph.add_parameter(value.node.aval, f"capture{len(inputs) + len(extra)}")
            extra.append(param)
        graph.parameters = inputs + extra
    return tensors


def vjp_graph(graph: FuncGraph, wrt: tuple[bool, ...], have: tuple[bool, ...]) -> FuncGraph:
    """The reverse-mode derivative of ``graph`` as a graph.

    Its parameters are ``graph``'s, then one cotangent for each output where ``have`` is true; its
    outputs are the cotangents of the parameters where ``wrt`` is true. Built by replaying
    ``graph`` under the tape while tracing, so it is made of primitives (and their bprops) and
    can itself be differentiated. Cached on ``graph``.
    """
    cache = graph.__dict__.setdefault("_vjp_cache", {})
    key = (wrt, have)
    hit = cache.get(key)
    if hit is not None:
        return hit

    tracer = Tracer(f"{graph.name}_grad")
    new = tracer.graph
    args = [_wrap(TraceValue(new.add_parameter(p.aval, p.name))) for p in graph.parameters]
    douts = [
        _wrap(TraceValue(new.add_parameter(o.aval, f"dout{k}")))
        for k, o in enumerate(graph.outputs)
        if have[k]
    ]
    saved = STATE.recording, STATE.depth
    with tracing(tracer):
        try:
            targets = []
            for k, w in enumerate(wrt):
                if w:
                    args[k] = _watch(args[k])
                    targets.append(args[k])
            STATE.recording, STATE.depth = True, 1
            outs = replay(graph, args)
            STATE.recording = False
            grads = backward([o for o, h in zip(outs, have) if h], douts, targets)
        finally:
            STATE.recording, STATE.depth = saved
        results = [
            g if g is not None else _zeros(graph.parameters[k].aval)
            for g, k in zip(grads, [k for k, w in enumerate(wrt) if w])
        ]
        new.outputs = tuple(tracer.node_for(g._data) for g in results)
    cache[key] = new
    return new


def _inline_graph(name: str, params: list[ShapedArray], build: Callable[..., list]) -> FuncGraph:
    """A graph of ``params`` whose outputs are ``build(*traced arrays)`` (a list of arrays made
    with primitives' impls, ``interpret`` of other graphs included)."""

    tracer = Tracer(name)
    values = [TraceValue(tracer.graph.add_parameter(a, f"in{k}")) for k, a in enumerate(params)]
    saved = STATE.recording
    STATE.recording = False
    try:
        with tracing(tracer):
            outs = build(*values)
            tracer.graph.outputs = tuple(tracer.node_for(o) for o in outs)
    finally:
        STATE.recording = saved
    return tracer.graph


def _check_graph(graph: Any, name: str, what: str) -> FuncGraph:
    if not isinstance(graph, FuncGraph):
        raise MindTypeError(
            f"For '{what}', '{name}' must be a FuncGraph, got {type(graph).__name__}"
        )
    return graph


def _params(graph: FuncGraph) -> list[ShapedArray]:
    return [p.aval for p in graph.parameters]


def _fmt(avals: Any) -> str:
    return "(" + ", ".join(f"{a.dtype}{list(a.shape)}" for a in avals) + ")"


# ------------------------------------------------------------------------------------------------
# call: a compiled graph as one differentiable application (grad of a jit function)
# ------------------------------------------------------------------------------------------------


def _call_infer(*ins: Any, graph: Any) -> AbstractTuple:
    graph = _check_graph(graph, "graph", "call")
    if _params(graph) != list(ins):
        raise MindValueError(
            f"For 'call', graph {graph.name} takes {_fmt(_params(graph))} but the node passes "
            f"{_fmt(ins)}"
        )
    return AbstractTuple(tuple(o.aval for o in graph.outputs))


def _call_bprop(*rest: Any, needs: tuple, graph: FuncGraph, before: Any = None) -> tuple:
    *ins, _out, dout = rest
    if before:  # inputs the forward run wrote: the backward reads them as the forward did
        ins = [before.get(k, x) for k, x in enumerate(ins)]
    wrt = tuple(bool(n) and _differentiable(_aval(x)) for n, x in zip(needs, ins))
    have = tuple(d is not None for d in dout)
    if not any(wrt) or not any(have):
        return (None,) * len(ins)
    grad_graph = vjp_graph(graph, wrt, have)
    result = bind(call_p, (*ins, *(d for d in dout if d is not None)), {"graph": grad_graph})
    grads = iter(_unpack(result, sum(wrt)))
    return tuple(next(grads) if w else None for w in wrt)


call_p = primitive(
    "call",
    cpu=lambda *ins, graph: _run_graph(graph, ins),
    infer=_call_infer,
    bprop=_call_bprop,
    masked_bprop=True,
    attrs=("graph",),
    doc="Run a nested graph; how a gradient taken in PyNative mode goes through a jit function.",
)
S.attr_schema(call_p, graph=S.Graph())


def call(graph: FuncGraph, inputs: tuple[Tensor, ...]) -> list[Tensor]:
    """Apply ``graph`` to Tensors as one recorded op: its gradient is ``graph``'s derivative,
    compiled as a graph too. Inputs the graph writes in place (a Parameter it assigns) are
    copied first when a gradient is taken, so the backward reads what the forward read."""
    written = _written_inputs(graph) if STATE.recording and not is_tracing() else ()
    before = {k: _wrap(np.array(inputs[k]._data, copy=True)) for k in written}
    result = bind(call_p, inputs, {"graph": graph})
    if before and result._node is not None:
        result._node.attrs = {"graph": graph, "before": before}
    return _unpack(result, len(graph.outputs))


def _written_inputs(graph: FuncGraph) -> frozenset[int]:
    """The positions of ``graph``'s parameters that its in-place nodes write (through chains of
    writes, and inside nested graphs); cached on the graph."""
    hit = graph.__dict__.get("_written_inputs")
    if hit is not None:
        return hit
    index = {p.id: k for k, p in enumerate(graph.parameters)}
    through: dict[int, int] = {}  # an in-place node's id -> the parameter its output is
    written: set[int] = set()
    for node in graph.nodes:
        roots = [index.get(i.id, through.get(i.id)) for i in node.inputs]
        if "in_place" in traits_of(node.prim):
            targets = roots[:2] if node.prim == "apply_momentum" else roots[:1]
            written.update(k for k in targets if k is not None)
            if roots and roots[0] is not None:
                through[node.id] = roots[0]
        elif any(_written_inputs(g) for _, g in subgraphs(node)):
            written.update(k for k in roots if k is not None)
    hit = graph.__dict__["_written_inputs"] = frozenset(written)
    return hit


# ------------------------------------------------------------------------------------------------
# cond
# ------------------------------------------------------------------------------------------------


def _cond_infer(pred: Any, *ins: Any, true_graph: Any, false_graph: Any) -> AbstractTuple:
    if not isinstance(pred, ShapedArray) or pred.shape != () or pred.dtype is not dt.bool_:
        raise MindTypeError(f"For 'cond', the predicate must be a scalar bool, got {pred}")
    outs = None
    for name, g in (("true_graph", true_graph), ("false_graph", false_graph)):
        g = _check_graph(g, name, "cond")
        if _params(g) != list(ins):
            raise MindValueError(
                f"For 'cond', '{name}' takes {_fmt(_params(g))} but the node passes {_fmt(ins)}"
            )
        mine = [o.aval for o in g.outputs]
        if outs is not None and mine != outs:
            raise MindValueError(
                f"For 'cond', the branches return {_fmt(outs)} and {_fmt(mine)}: they must return "
                "the same shapes and dtypes"
            )
        outs = mine
    return AbstractTuple(tuple(outs))


def _cond_cpu(pred: Any, *ins: Any, true_graph: FuncGraph, false_graph: FuncGraph) -> tuple:
    return _run_graph(true_graph if pred else false_graph, ins)


def _cond_bprop(pred: Any, *rest: Any, needs: tuple, true_graph: Any, false_graph: Any) -> tuple:
    *ins, _out, dout = rest
    wrt = tuple(bool(n) and _differentiable(_aval(x)) for n, x in zip(needs[1:], ins))
    have = tuple(d is not None for d in dout)
    if not any(wrt) or not any(have):
        return (None,) * (1 + len(ins))
    branches = {
        "true_graph": vjp_graph(true_graph, wrt, have),
        "false_graph": vjp_graph(false_graph, wrt, have),
    }
    result = bind(cond_p, (pred, *ins, *(d for d in dout if d is not None)), branches)
    grads = iter(_unpack(result, sum(wrt)))
    return (None, *(next(grads) if w else None for w in wrt))


cond_p = primitive(
    "cond",
    cpu=_cond_cpu,
    infer=_cond_infer,
    bprop=_cond_bprop,
    masked_bprop=True,
    attrs=("true_graph", "false_graph"),
    doc="Run one of two nested graphs on the inputs, chosen by a scalar bool.",
)
S.attr_schema(cond_p, true_graph=S.Graph(), false_graph=S.Graph())


def _tree_check(a: _Sub, b: _Sub) -> None:
    if a.tree != b.tree:
        raise MindTypeError(
            f"For 'cond', the branches return different structures: {_describe(a.tree)} and "
            f"{_describe(b.tree)}"
        )
    for i, (x, y) in enumerate(zip(a.outputs, b.outputs)):
        if x.shape != y.shape:
            raise MindValueError(
                f"For 'cond', the branches return shapes {x.shape} and {y.shape} at output {i}"
            )
        if x.dtype is not y.dtype:
            raise MindTypeError(
                f"For 'cond', the branches return dtypes {x.dtype} and {y.dtype} at output {i}"
            )


def cond(
    pred: Any, true_fun: Callable[..., Any], false_fun: Callable[..., Any], *operands: Any
) -> Any:
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``.

    :param pred: a Python bool or a one-element tensor (any dtype; nonzero is true).
    :param operands: Tensors (or tuples and lists of them) passed to the branch. The branches
        may also use other tensors directly (closures); gradients reach those too.

    Inside ``jit`` with a traced ``pred`` both branches are compiled into nested graphs and only
    the one taken runs; they must return the same structure, shapes and dtypes.
    """

    if isinstance(pred, bool):
        return (true_fun if pred else false_fun)(*operands)
    pred = as_tensor(pred)
    if pred.size != 1:
        raise MindValueError(f"For 'cond', 'pred' must have one element, got shape {pred.shape}")
    if isinstance(pred._data, np.ndarray | np.generic) or not is_tracing():
        return (true_fun if bool(pred._data.reshape(())) else false_fun)(*operands)

    flag = cast(reshape(pred, ()), "bool")
    leaves: list[Tensor] = []
    tree = _flatten(operands, "cond", leaves)
    avals = [_aval(t) for t in leaves]
    subs = [
        _trace_sub(name, lambda *ts, f=f: f(*_unflatten(tree, list(ts))), avals, "cond")
        for name, f in (("cond_true", true_fun), ("cond_false", false_fun))
    ]
    _tree_check(*subs)
    captured = _join_captures(subs, len(leaves))
    result = bind(
        cond_p,
        (flag, *leaves, *captured),
        {"true_graph": subs[0].graph, "false_graph": subs[1].graph},
    )
    return _unflatten(subs[0].tree, _unpack(result, len(subs[0].outputs)))


# ------------------------------------------------------------------------------------------------
# scan (and fori_loop)
# ------------------------------------------------------------------------------------------------


def _scan_infer(
    *ins: Any, body: Any, num_carry: int, num_xs: int, length: int, reverse: bool, save: bool
) -> AbstractTuple:
    body = _check_graph(body, "body", "scan")
    if not (isinstance(length, int) and length >= 0):
        raise MindValueError(f"For 'scan', 'length' must be an int >= 0, got {length!r}")
    if not (0 <= num_carry and 0 <= num_xs and num_carry + num_xs <= len(ins)):
        raise MindValueError(
            f"For 'scan', {num_carry} carries and {num_xs} sequences do not fit {len(ins)} inputs"
        )
    carries = list(ins[:num_carry])
    xs = ins[num_carry : num_carry + num_xs]
    for k, x in enumerate(xs):
        if not x.shape or x.shape[0] != length:
            raise MindValueError(
                f"For 'scan', sequence {k} has shape {x.shape}; its leading axis must be the "
                f"length {length}"
            )
    expected = (
        carries + [ShapedArray(x.shape[1:], x.dtype) for x in xs] + list(ins[num_carry + num_xs :])
    )
    if _params(body) != expected:
        raise MindValueError(
            f"For 'scan', the body takes {_fmt(_params(body))} but the node passes {_fmt(expected)}"
        )
    outs = [o.aval for o in body.outputs]
    if outs[:num_carry] != carries:
        raise MindValueError(
            f"For 'scan', the body returns the carry as {_fmt(outs[:num_carry])} but it enters as "
            f"{_fmt(carries)}: a loop carry must keep its shape and dtype"
        )
    ys = [ShapedArray((length, *y.shape), y.dtype) for y in outs[num_carry:]]
    history = [ShapedArray((length, *c.shape), c.dtype) for c in carries] if save else []
    return AbstractTuple((*carries, *ys, *history))


def _scan_cpu(
    *ins: Any, body: FuncGraph, num_carry: int, num_xs: int, length: int, reverse: bool, save: bool
) -> tuple:
    carry = ins[:num_carry]
    xs = ins[num_carry : num_carry + num_xs]
    captures = ins[num_carry + num_xs :]
    y_avals = [o.aval for o in body.outputs[num_carry:]]
    ys = [np.empty((length, *a.shape), _np_dtype(a)) for a in y_avals]
    history = [np.empty((length, *np.shape(c)), np.asarray(c).dtype) for c in carry] if save else []
    for i in range(length - 1, -1, -1) if reverse else range(length):
        for h, c in zip(history, carry):
            h[i] = c
        out = _run_graph(body, (*carry, *(x[i] for x in xs), *captures))
        carry = out[:num_carry]
        for y, value in zip(ys, out[num_carry:]):
            y[i] = value
    return (*carry, *ys, *history)


def _scan_bprop(
    *rest: Any,
    needs: tuple,
    body: FuncGraph,
    num_carry: int,
    num_xs: int,
    length: int,
    reverse: bool,
    save: bool,
) -> tuple:
    *ins, out, dout = rest
    nc, nx = num_carry, num_xs
    ny = len(body.outputs) - nc
    carries, xs, captures = ins[:nc], ins[nc : nc + nx], ins[nc + nx :]
    c_avals = [_aval(c) for c in carries]
    fc = tuple(_differentiable(a) for a in c_avals)
    wx = tuple(bool(n) and _differentiable(_aval(x)) for n, x in zip(needs[nc : nc + nx], xs))
    wk = tuple(bool(n) and _differentiable(_aval(k)) for n, k in zip(needs[nc + nx :], captures))
    dys = [d for d in dout[nc : nc + ny] if d is not None]
    if not (any(fc) or any(wx) or any(wk)) or all(d is None for d in dout):
        return (None,) * len(ins)
    attrs = {"body": body, "num_carry": nc, "num_xs": nx, "length": length, "reverse": reverse}
    if save:
        history = _unpack(out, nc + ny + nc)[nc + ny :]
    else:  # run the loop again, keeping the carries this time
        history = _unpack(bind(scan_p, tuple(ins), {**attrs, "save": True}), 2 * nc + ny)[nc + ny :]
    have = fc + tuple(d is not None for d in dout[nc : nc + ny])
    body_grad = vjp_graph(body, fc + wx + wk, have)

    # The reverse loop: carry (d carry, accumulated d captures), sequences (carries entering each
    # step, xs, d ys), captures as in the forward loop.
    n_fc, n_wk = sum(fc), sum(wk)
    f_avals = [a for a, f in zip(c_avals, fc) if f]
    k_avals = [_aval(k) for k, w in zip(captures, wk) if w]
    x_avals = [ShapedArray(_aval(x).shape[1:], _aval(x).dtype) for x in xs]
    dy_avals = [
        ShapedArray(_aval(d).shape[1:], _aval(d).dtype) for d in dout[nc : nc + ny] if d is not None
    ]
    # Cotangents of the saved carries (an outer gradient differentiates through them), per float
    # carry: added to the carry's cotangent as the reverse loop passes each step.
    d_hist = list(dout[nc + ny : nc + ny + nc]) if save else [None] * nc
    dh = [d for d, f in zip(d_hist, fc) if f]
    dh_present = [d is not None for d in dh]
    dh_avals = [ShapedArray(_aval(d).shape[1:], _aval(d).dtype) for d in dh if d is not None]
    params = (
        f_avals + k_avals + c_avals + x_avals + dy_avals + dh_avals + [_aval(k) for k in captures]
    )

    def step(*v: Any) -> list:

        d_c, acc = v[:n_fc], v[n_fc : n_fc + n_wk]
        c_in = v[n_fc + n_wk : n_fc + n_wk + nc]
        x_in = v[n_fc + n_wk + nc : n_fc + n_wk + nc + nx]
        at = n_fc + n_wk + nc + nx
        d_y = v[at : at + len(dy_avals)]
        d_h = iter(v[at + len(dy_avals) : at + len(dy_avals) + len(dh_avals)])
        k_in = v[at + len(dy_avals) + len(dh_avals) :]
        g = interpret(body_grad, [*c_in, *x_in, *k_in, *d_c, *d_y])
        g_c, g_x, g_k = g[:n_fc], g[n_fc : n_fc + sum(wx)], g[n_fc + sum(wx) :]
        add = PRIMITIVES["add"]
        g_c = [apply(add, c, next(d_h)) if p else c for c, p in zip(g_c, dh_present)]
        summed = [apply(add, a, b) for a, b in zip(acc, g_k)]
        return [*g_c, *summed, *g_x]

    back = _inline_graph(f"{body.name}_reverse", params, step)
    init = [
        (d if d is not None else _zeros(a))
        for d, a in zip([d for d, f in zip(dout[:nc], fc) if f], f_avals)
    ] + [_zeros(a) for a in k_avals]
    result = bind(
        scan_p,
        (*init, *history, *xs, *dys, *(d for d in dh if d is not None), *captures),
        {
            "body": back,
            "num_carry": n_fc + n_wk,
            "num_xs": nc + nx + len(dys) + len(dh_avals),
            "length": length,
            "reverse": not reverse,
            "save": STATE.recording,
        },
    )
    got = _unpack(result, n_fc + n_wk + sum(wx))
    g_c, g_k, g_x = iter(got[:n_fc]), iter(got[n_fc : n_fc + n_wk]), iter(got[n_fc + n_wk :])
    return (
        *(next(g_c) if f else None for f in fc),
        *(next(g_x) if w else None for w in wx),
        *(next(g_k) if w else None for w in wk),
    )


scan_p = primitive(
    "scan",
    cpu=_scan_cpu,
    infer=_scan_infer,
    bprop=_scan_bprop,
    masked_bprop=True,
    attrs=("body", "num_carry", "num_xs", "length", "reverse", "save"),
    doc="Loop a nested body graph over the leading axis of sequences, threading a carry.",
)
S.attr_schema(
    scan_p,
    body=S.Graph(),
    num_carry=S.Int(lo=0),
    num_xs=S.Int(lo=0),
    length=S.Int(lo=0),
    reverse=S.Bool(),
    save=S.Bool(),
)


def _scan_unrolled(
    f: Callable, init: Any, xs_tree: Any, xs_leaves: list[Tensor], n: int, reverse: bool
) -> tuple[Any, Any]:
    """scan as a Python loop (PyNative mode, or ``unroll=True`` inside jit)."""

    carry, ys = init, [None] * n
    for i in range(n - 1, -1, -1) if reverse else range(n):
        carry, ys[i] = f(carry, _unflatten(xs_tree, [getitem(x, i) for x in xs_leaves]))
    if not ys or ys[0] is None:
        return carry, None
    columns: list[list[Tensor]] = []
    for y in ys:
        leaves: list[Tensor] = []
        y_tree = _flatten(y, "scan", leaves)
        columns.append(leaves)
    return carry, _unflatten(y_tree, [stack(list(c), 0) for c in zip(*columns)])


def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any,
    length: int | None = None,
    reverse: bool = False,
    unroll: bool = False,
) -> tuple[Any, Any]:
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the final carry and the
    ``y`` values stacked (``None`` when ``f`` returns ``None`` for ``y``).

    :param init: the initial carry: a Tensor, or a tuple or list of them. ``f`` must return a
        carry of the same structure, shapes and dtypes.
    :param xs: a Tensor, a tuple or list of Tensors sharing their leading axis, or ``None`` (then
        give ``length``).
    :param reverse: walk the sequence from its end; ``ys`` keep their positions.
    :param unroll: inside ``jit``, unroll the loop into the graph instead of compiling one
        ``scan`` node with a nested body graph.

    Differentiable in PyNative mode and inside ``jit``.
    """

    xs_leaves: list[Tensor] = []
    xs_tree = _flatten(xs, "scan", xs_leaves)
    n = None
    for x in xs_leaves:
        if not x.shape:
            raise MindValueError("For 'scan', every sequence in 'xs' must have a leading axis")
        if n is not None and x.shape[0] != n:
            raise MindValueError(
                f"For 'scan', the sequences in 'xs' have leading axes {n} and {x.shape[0]}"
            )
        n = x.shape[0]
    if n is None:
        if length is None:
            raise MindValueError("For 'scan', give 'xs' or 'length'")
        n = length
    elif length is not None and length != n:
        raise MindValueError(f"For 'scan', 'length' {length} differs from xs's leading axis {n}")
    if not is_tracing() or unroll:
        return _scan_unrolled(f, init, xs_tree, xs_leaves, n, reverse)

    c_leaves: list[Tensor] = []
    c_tree = _flatten(init, "scan", c_leaves)
    nc = len(c_leaves)
    avals = [_aval(c) for c in c_leaves] + [
        ShapedArray(_aval(x).shape[1:], _aval(x).dtype) for x in xs_leaves
    ]
    y_tree_box: list[Any] = []

    def body(*ts: Tensor) -> list:
        result = f(_unflatten(c_tree, list(ts[:nc])), _unflatten(xs_tree, list(ts[nc:])))
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise MindTypeError("For 'scan', 'f' must return a pair (carry, y)")
        carry, y = result
        leaves: list[Tensor] = []
        tree = _flatten(carry, "scan", leaves)
        if tree != c_tree:
            raise MindTypeError(
                f"For 'scan', 'f' returns a carry of structure {_describe(tree)}, but 'init' is "
                f"{_describe(c_tree)}"
            )
        y_leaves: list[Tensor] = []
        y_tree_box.append(_flatten(y, "scan", y_leaves))
        return [*leaves, *y_leaves]

    sub = _trace_sub("scan_body", body, avals, "scan")
    outs = sub.outputs
    for k, (got, want) in enumerate(zip(outs[:nc], avals[:nc])):
        if got != want:
            raise MindValueError(
                f"For 'scan', carry {k} enters as {want.dtype}{list(want.shape)} and leaves the "
                f"body as {got.dtype}{list(got.shape)}: a loop carry must keep its shape and dtype"
            )
    captured = _join_captures([sub], len(avals))
    ny = len(outs) - nc
    result = bind(
        scan_p,
        (*c_leaves, *xs_leaves, *captured),
        {
            "body": sub.graph,
            "num_carry": nc,
            "num_xs": len(xs_leaves),
            "length": n,
            "reverse": bool(reverse),
            "save": STATE.recording,
        },
    )
    got = _unpack(result, nc + ny)
    carry = _unflatten(c_tree, got[:nc])
    y_tree = y_tree_box[-1]
    return carry, (None if y_tree is None else _unflatten(y_tree, got[nc:]))


def fori_loop(
    lower: int, upper: int, body_fun: Callable[[Any, Any], Any], init_val: Any, unroll: bool = False
) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; differentiable.

    The bounds are Python ints. In PyNative mode, and inside ``jit`` with ``unroll=True``, ``i``
    is a Python int and the loop runs (or unrolls) in Python; inside ``jit`` otherwise the loop is
    one ``scan`` node and ``i`` is a scalar int32 Tensor.
    """

    if not (isinstance(lower, int) and isinstance(upper, int)):
        raise MindTypeError(
            f"For 'fori_loop', 'lower' and 'upper' must be Python ints, got {lower!r} and {upper!r}"
        )
    if unroll or not is_tracing() or upper <= lower:
        val = init_val
        for i in range(lower, upper):
            val = body_fun(i, val)
        return val
    indices = _wrap(np.arange(lower, upper, dtype=np.int32))
    carry, _ = scan(lambda val, i: (body_fun(i, val), None), init_val, indices)
    return carry


# ------------------------------------------------------------------------------------------------
# while_loop
# ------------------------------------------------------------------------------------------------


def _while_infer(*ins: Any, cond_graph: Any, body_graph: Any, num_carry: int) -> AbstractTuple:
    cond_graph = _check_graph(cond_graph, "cond_graph", "while_loop")
    body_graph = _check_graph(body_graph, "body_graph", "while_loop")
    for name, g in (("cond_graph", cond_graph), ("body_graph", body_graph)):
        if _params(g) != list(ins):
            raise MindValueError(
                f"For 'while_loop', '{name}' takes {_fmt(_params(g))} but the node passes "
                f"{_fmt(ins)}"
            )
    test = [o.aval for o in cond_graph.outputs]
    if len(test) != 1 or test[0].shape != () or test[0].dtype is not dt.bool_:
        raise MindTypeError(
            f"For 'while_loop', 'cond_graph' must return one scalar bool, got {_fmt(test)}"
        )
    carries = list(ins[:num_carry])
    if [o.aval for o in body_graph.outputs] != carries:
        raise MindValueError(
            f"For 'while_loop', the body returns {_fmt(o.aval for o in body_graph.outputs)} but "
            f"the carry is {_fmt(carries)}: a loop carry must keep its shape and dtype"
        )
    return AbstractTuple(tuple(carries))


def _while_cpu(*ins: Any, cond_graph: FuncGraph, body_graph: FuncGraph, num_carry: int) -> tuple:
    carry, captures = tuple(ins[:num_carry]), ins[num_carry:]
    if not _run_graph(cond_graph, (*carry, *captures))[0]:
        return carry
    step = _step_graph(cond_graph, body_graph, num_carry)
    while True:  # one run per iteration: the body, then the condition on its result
        *carry, flag = _run_graph(step, (*carry, *captures))
        if not flag:
            return tuple(carry)


def _step_graph(cond_graph: FuncGraph, body_graph: FuncGraph, num_carry: int) -> FuncGraph:
    """One graph for an iteration: the body's outputs, then the condition on them. Cached."""
    step = body_graph.__dict__.get("_while_step")
    if step is None:

        def build(*values: Any) -> list:
            carry = list(interpret(body_graph, list(values)))
            return [*carry, interpret(cond_graph, [*carry, *values[num_carry:]])[0]]

        step = _inline_graph("while_step", _params(body_graph), build)
        body_graph.__dict__["_while_step"] = step
    return step


def _while_bprop(
    *rest: Any, needs: tuple, cond_graph: FuncGraph, body_graph: FuncGraph, num_carry: int
) -> tuple:
    """The loop runs again keeping the carry entering each iteration (memory linear in the trip
    count), then the body's gradient graph runs over them in reverse."""
    *ins, _out, dout = rest
    carries, captures = ins[:num_carry], ins[num_carry:]
    fc = tuple(_differentiable(_aval(c)) for c in carries)  # these carries pass cotangents on
    wk = tuple(bool(n) and _differentiable(_aval(k)) for n, k in zip(needs[num_carry:], captures))
    if not (any(fc) or any(wk)) or all(d is None for d in dout):
        return (None,) * len(ins)
    douts = [d if d is not None else _zeros(_aval(c)) for c, d, f in zip(carries, dout, fc) if f]
    attrs = {
        "cond_graph": cond_graph,
        "body_graph": body_graph,
        "body_grad": vjp_graph(body_graph, fc + wk, fc),
        "num_carry": num_carry,
    }
    grads = iter(_unpack(bind(while_grad_p, (*ins, *douts), attrs), sum(fc) + sum(wk)))
    out = [next(grads) if f else None for f in fc]
    out = [g if n else None for g, n in zip(out, needs[:num_carry])]
    return (*out, *(next(grads) if w else None for w in wk))


while_p = primitive(
    "while_loop",
    cpu=_while_cpu,
    infer=_while_infer,
    bprop=_while_bprop,
    masked_bprop=True,
    attrs=("cond_graph", "body_graph", "num_carry"),
    doc="Repeat a nested body graph while a nested condition graph returns true.",
)
S.attr_schema(while_p, cond_graph=S.Graph(), body_graph=S.Graph(), num_carry=S.Int(lo=0))


def _while_grad_infer(*ins: Any, body_grad: Any, **attrs: Any) -> AbstractTuple:
    graph = _check_graph(body_grad, "body_grad", "while_loop_grad")
    return AbstractTuple(tuple(o.aval for o in graph.outputs))


def _while_grad_cpu(
    *ins: Any, cond_graph: FuncGraph, body_graph: FuncGraph, body_grad: FuncGraph, num_carry: int
) -> tuple:
    n_dc = len(body_grad.parameters) - len(body_graph.parameters)  # differentiable carries
    carry, douts = tuple(ins[:num_carry]), list(ins[len(ins) - n_dc :])
    captures = ins[num_carry : len(ins) - n_dc]
    entering = []
    while _run_graph(cond_graph, (*carry, *captures))[0]:
        entering.append(carry)
        carry = _run_graph(body_graph, (*carry, *captures))
    dk = [np.zeros(o.aval.shape, _np_dtype(o.aval)) for o in body_grad.outputs[n_dc:]]
    for c in reversed(entering):
        grads = _run_graph(body_grad, (*c, *captures, *douts))
        douts = list(grads[:n_dc])
        dk = [a + g for a, g in zip(dk, grads[n_dc:])]
    return (*douts, *dk)


while_grad_p = primitive(
    "while_loop_grad",
    cpu=_while_grad_cpu,
    infer=_while_grad_infer,
    differentiable=False,
    attrs=("cond_graph", "body_graph", "body_grad", "num_carry"),
    doc="The reverse pass of a while_loop: the carries' and captures' cotangents.",
)
S.attr_schema(
    while_grad_p,
    cond_graph=S.Graph(),
    body_graph=S.Graph(),
    body_grad=S.Graph(),
    num_carry=S.Int(lo=0),
)


def while_loop(
    cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
) -> Any:
    """Repeat ``val = body_fun(val)`` while ``cond_fun(val)``.

    Inside ``jit`` it is one ``while_loop`` node with nested condition and body graphs; the body
    must return a value of the structure, shapes and dtypes of ``init_val``. Differentiable (first
    order): the reverse pass runs the loop again keeping each iteration's carry, then the body's
    gradient graph over them in reverse, so its memory grows with the trip count.
    """

    if not is_tracing():
        val = init_val
        while True:
            flag = cond_fun(val)
            if not (flag if isinstance(flag, bool) else bool(as_tensor(flag)._data.reshape(()))):
                return val
            val = body_fun(val)

    leaves: list[Tensor] = []
    tree = _flatten(init_val, "while_loop", leaves)
    avals = [_aval(t) for t in leaves]

    def test(*ts: Tensor) -> Tensor:
        flag = as_tensor(cond_fun(_unflatten(tree, list(ts))))
        if flag.size != 1:
            raise MindValueError(
                f"For 'while_loop', 'cond_fun' must return one element, got shape {flag.shape}"
            )
        return cast(reshape(flag, ()), "bool")

    def body(*ts: Tensor) -> list:
        out: list[Tensor] = []
        got = _flatten(body_fun(_unflatten(tree, list(ts))), "while_loop", out)
        if got != tree:
            raise MindTypeError(
                f"For 'while_loop', 'body_fun' returns {_describe(got)} but 'init_val' is "
                f"{_describe(tree)}"
            )
        return out

    subs = [
        _trace_sub("while_cond", test, avals, "while_loop"),
        _trace_sub("while_body", body, avals, "while_loop"),
    ]
    if subs[1].outputs != avals:
        raise MindValueError(
            f"For 'while_loop', the body returns {_fmt(subs[1].outputs)} but the carry is "
            f"{_fmt(avals)}: a loop carry must keep its shape and dtype"
        )
    captured = _join_captures(subs, len(avals))
    result = bind(
        while_p,
        (*leaves, *captured),
        {"cond_graph": subs[0].graph, "body_graph": subs[1].graph, "num_carry": len(leaves)},
    )
    return _unflatten(tree, _unpack(result, len(leaves)))


# ------------------------------------------------------------------------------------------------
# MindSpore's graph-building functions (ops.functional): switch, make_tuple, tuple_getitem, depend
# ------------------------------------------------------------------------------------------------


def switch(cond_: Any, true_branch: Any, false_branch: Any) -> Any:
    """``true_branch`` if ``cond_`` else ``false_branch`` (MindSpore's ``F.switch``): a
    ``cond`` when ``cond_`` is traced. Branches that are functions give a function that chooses
    when called; Tensor branches need one shape and dtype."""
    if callable(true_branch) and callable(false_branch):
        return lambda *args: cond(cond_, lambda: true_branch(*args), lambda: false_branch(*args))
    if isinstance(cond_, Tensor) and isinstance(cond_._data, TraceValue):
        return cond(cond_, lambda: true_branch, lambda: false_branch)
    flag = as_tensor(cond_)
    if flag.size != 1:
        raise MindValueError(f"For 'switch', 'cond' must have one element, got shape {flag.shape}")
    return true_branch if bool(np.asarray(flag._data).reshape(-1)[0]) else false_branch


def make_tuple(*elements: Any) -> tuple:
    """MindSpore's ``make_tuple``: its arguments as a tuple."""
    return elements


def tuple_getitem(data: Any, index: int) -> Any:
    """MindSpore's ``F.tuple_getitem``: ``data[index]``."""
    return data[index]


def depend(value: Any, expr: Any) -> Any:
    """MindSpore's ``F.depend``: ``value``, after ``expr``. Traced with Tensors, a ``depend``
    node that CSE does not merge across; otherwise ``value`` (Mind traces writes as values and
    runs a graph's nodes in their data order, so the ordering MindSpore needs it for holds)."""
    if (
        isinstance(value, Tensor)
        and isinstance(expr, Tensor)
        and isinstance(value._data, TraceValue)
    ):
        return bind2(depend_p, value, expr)
    return value
