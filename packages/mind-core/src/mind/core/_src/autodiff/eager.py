"""Eager (PyNative) reverse-mode autodiff: ``grad``, ``value_and_grad``, ``stop_gradient``.

While a gradient function runs, ``STATE.recording`` is on and every op whose inputs depend on a
watched tensor records one tape node. The backward pass walks those nodes in reverse topological
order and calls each primitive's bprop, which is made of ops: when an outer gradient is being taken
(grad of grad), the backward pass records too, so its result can be differentiated again. When no
gradient is asked for, nothing is recorded and inference pays nothing.
"""

from __future__ import annotations

import itertools
import warnings
import weakref
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np

from mind.core._src.ir.trace import Draws, current_tracer, is_tracing, user_function
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import depend_p, getitem_p, stop_gradient_p, sum_to
from mind.core._src.ops.dispatch import (
    STATE,
    AbstractTuple,
    Node,
    Primitive,
    ShapedArray,
    bind1,
    bind2,
    example,
    primitive,
)
from mind.core._src.ops.elementwise import add, cast
from mind.core._src.ops.random import generator
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["TensorHookHandle", "grad", "register_tensor_hook", "stop_gradient", "value_and_grad"]

_new = object.__new__

# The edge between an inner gradient's watched copy and the outer tensor it watches.
identity_p: Primitive = primitive(
    "identity",
    traits=("elementwise", "view"),
    cpu=lambda x: x,
    infer=lambda x: ShapedArray(x.shape, x.dtype),
    bprop=lambda x, out, dout: (dout,),
)
example(identity_p, lambda c: ([c.r(3)], {}, lambda x: x))


def _tuple_getitem_infer(t: Any, *, index: int) -> ShapedArray:
    if not isinstance(t, AbstractTuple):
        raise MindTypeError(f"For 'tuple_getitem', the input must be a tuple value, got {t}")
    if not isinstance(index, int) or not 0 <= index < len(t.elements):
        raise MindValueError(
            f"For 'tuple_getitem', 'index' must be in [0, {len(t.elements)}), got {index!r}"
        )
    return t.elements[index]


# Takes one result out of a control-flow application's tuple. The backward pass handles it itself
# (it gathers the cotangents of a tuple's elements into one tuple for the control-flow bprop), so
# it has no bprop of its own.
tuple_getitem_p: Primitive = primitive(
    "tuple_getitem",
    cpu=lambda t, *, index: t[index],
    infer=_tuple_getitem_infer,
    differentiable=False,
    attrs=("index",),
)
S.attr_schema(tuple_getitem_p, index=S.Int(lo=0))


def _arity(data: Any) -> int:
    return len(data) if isinstance(data, tuple) else len(data.node.aval.elements)


def stop_gradient(value: Any) -> Any:
    """``value`` with no gradient flowing back through it (nested tuples and lists too)."""
    if isinstance(value, Tensor):
        if is_tracing():
            out = bind1(stop_gradient_p, value)
            out._node = None
            return out
        t = _new(Tensor)
        t._data = value._data
        t._node = None
        return t
    if isinstance(value, tuple | list):
        return type(value)(stop_gradient(v) for v in value)
    return value


class _Rule:
    """A tape node's backward given as a function (a Cell's ``bprop``, a hook), where a
    primitive's ``bprop`` would be."""

    masked_bprop = False

    def __init__(self, bprop: Callable[..., tuple]) -> None:
        self.bprop = bprop


def with_backward(inputs: Sequence[Tensor], out: Tensor, rule: Callable[..., tuple]) -> Tensor:
    """``out`` (computed from ``inputs`` off the tape) as a Tensor whose gradient reaches
    ``inputs`` through ``rule(*inputs, out, dout)``, which returns one cotangent (or None) per
    input."""
    t = _new(Tensor)
    t._data = out._data
    t._node = Node(_Rule(rule), tuple(inputs), None, t)
    return t


# ------------------------------------------------------------------------------------------------
# Tensor hooks (``Tensor.register_hook``)
# ------------------------------------------------------------------------------------------------
# id(tensor) -> its hooks. Only a backward pass looks here, once per pass whether the table is
# empty, then once per node when it is not: an op never looks, so a tensor nobody hooked costs
# nothing. Entries hold the tensor weakly; one goes when its tensor dies or its last hook is removed.
_TENSOR_HOOKS: dict[int, _HookEntry] = {}
_HOOK_KEYS = itertools.count()  # registration order: a tensor's hooks run in it


class _HookEntry:
    __slots__ = ("hooks", "ref")

    def __init__(self, ref: weakref.ref) -> None:
        self.ref = ref
        self.hooks: dict[int, tuple[Callable[[Tensor], Any], bool]] = {}


class TensorHookHandle:
    """What ``Tensor.register_hook`` returns: ``remove()`` unregisters the hook (again: nothing)."""

    __slots__ = ("_entry", "_key")

    def __init__(self, entry: _HookEntry, key: int) -> None:
        self._entry, self._key = entry, key

    def remove(self) -> None:
        entry = self._entry
        entry.hooks.pop(self._key, None)
        tensor = entry.ref()
        if not entry.hooks and tensor is not None and _TENSOR_HOOKS.get(id(tensor)) is entry:
            del _TENSOR_HOOKS[id(tensor)]


def register_tensor_hook(tensor: Tensor, hook: Callable[[Tensor], Any]) -> TensorHookHandle:
    """Call ``hook(grad)`` with the gradient reaching ``tensor`` in each backward pass; a value it
    returns (not None) replaces that gradient. Hooks run in the order registered.

    Where it applies: a hook registered in PyNative mode runs in every eager backward pass
    (``grad`` of a GRAPH_MODE Cell included, whose backward runs eagerly) but not in a gradient
    compiled by ``jit``, which could not see its removal (it warns there). One registered while
    ``jit`` traces a gradient (inside ``f`` of ``jit(grad(f))``) is traced into the compiled
    backward. One registered in a compiled forward (a GRAPH_MODE ``construct``, a ``jit``
    function) warns and never runs: that graph's own gradient does not see it."""
    if not callable(hook):
        raise MindTypeError(
            f"For 'Tensor.register_hook', 'hook' must be a function, got {type(hook).__name__}"
        )
    if is_tracing() and not _gradient_traced_here():
        warnings.warn(
            "Tensor.register_hook in a compiled forward (a GRAPH_MODE construct or a jit "
            "function) does not reach its gradient, as in MindSpore before 2.5: register it in "
            "PyNative mode, or inside a jit-compiled gradient (jit(grad(f)))",
            stacklevel=3,
        )
    key = id(tensor)
    entry = _TENSOR_HOOKS.get(key)
    if entry is None or entry.ref() is not tensor:

        def forget(ref: weakref.ref, key: int = key) -> None:
            if (found := _TENSOR_HOOKS.get(key)) is not None and found.ref is ref:
                del _TENSOR_HOOKS[key]

        entry = _TENSOR_HOOKS[key] = _HookEntry(weakref.ref(tensor, forget))
    slot = next(_HOOK_KEYS)
    entry.hooks[slot] = (hook, is_tracing())  # (whether it was registered while tracing)
    return TensorHookHandle(entry, slot)


#: The tracer (or None) each ``grad`` running now started under, innermost last.
_GRAD_TRACERS: list[Any] = []


def _gradient_traced_here() -> bool:
    """Whether the innermost gradient being taken is traced with the code running now (as in
    ``jit(grad(f))``), rather than taken outside the trace (``grad(jit(f))``)."""
    if not _GRAD_TRACERS or _GRAD_TRACERS[-1] is None:
        return False
    tracer = current_tracer()
    while tracer is not None and tracer is not _GRAD_TRACERS[-1]:
        tracer = tracer.parent
    return tracer is not None


def _hooked(g: Tensor, tensors: Sequence[Any]) -> Tensor:
    """``g`` passed through the hooks of each of ``tensors`` (the same tensor's once)."""
    tracing_now = is_tracing()
    seen: set[int] = set()
    for t in tensors:
        entry = _TENSOR_HOOKS.get(id(t))
        if entry is None or id(t) in seen or entry.ref() is not t:
            continue
        seen.add(id(t))
        for hook, traced in list(entry.hooks.values()):
            if tracing_now and not traced:
                warnings.warn(
                    "A Tensor hook registered in PyNative mode does not run in a gradient "
                    "compiled by jit (GRAPH_MODE); register it inside the compiled function, "
                    "or take the gradient in PyNative mode",
                    stacklevel=2,
                )
                continue
            changed = hook(g)
            if isinstance(changed, tuple | list) and len(changed) == 1:
                changed = changed[0]
            if changed is None:
                continue
            changed = changed if isinstance(changed, Tensor) else Tensor(changed, g.dtype)
            if changed.shape != g.shape:
                raise MindValueError(
                    f"For 'Tensor.register_hook', the hook returned a gradient of shape "
                    f"{changed.shape} for a tensor of shape {g.shape}"
                )
            g = changed
    return g


def _watch(x: Tensor) -> Tensor:
    """A tensor sharing ``x``'s data whose gradient the tape will report."""
    t = _new(Tensor)
    t._data = x._data
    t._node = Node(identity_p, (x,), None, t) if x._node is not None else Node(None, (), None, t)
    return t


def _toposort(roots: list[Node], stops: set[int]) -> list[Node]:
    """Nodes reachable from ``roots`` in post-order: every node after all the nodes it consumes.

    Reversed, that is an order in which a node's cotangent is complete before it is used.
    Target leaves (``stops``) are not expanded.
    """

    def inputs_of(node: Node):
        if id(node) in stops or node.prim is None:
            return iter(())
        return (inp._node for inp in node.inputs if inp._node is not None)

    order: list[Node] = []
    visited: set[int] = set()
    for root in roots:
        if id(root) in visited:
            continue
        visited.add(id(root))
        stack = [(root, inputs_of(root))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if id(child) not in visited:
                    visited.add(id(child))
                    stack.append((child, inputs_of(child)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def backward(outputs: Sequence[Tensor], sens: Sequence[Tensor], targets: Sequence[Tensor]) -> list:
    """Cotangents of ``targets`` given output cotangents ``sens``; ``None`` where unreached."""

    # First-order PyNative gradients of slices (x[t] in a loop over time) are kept as (index,
    # cotangent) pairs and added into one array when x's own turn comes: the getitem bprop
    # would make a dense zero tensor of x's shape per slice, quadratic in the number of slices.
    sparse = not STATE.recording
    pending: dict[int, list] = {}
    target_ids = {id(t._node): i for i, t in enumerate(targets)}
    roots = [o._node for o in outputs if o._node is not None]
    order = _toposort(roots, set(target_ids))
    cot: dict[int, Tensor] = {}
    for out, s in zip(outputs, sens):
        if out._node is not None:
            key = id(out._node)
            cot[key] = add(cot[key], s) if key in cot else s
    results: list[Tensor | None] = [None] * len(targets)
    hooks = bool(_TENSOR_HOOKS)  # Tensor.register_hook: looked up only when some tensor has one
    for node in reversed(order):
        g = cot.pop(id(node), None)
        slices = pending.pop(id(node), None)
        if slices is not None:
            g = _add_slices(node.out, g, slices)
        if g is None:
            continue
        if id(node) in target_ids:
            results[target_ids[id(node)]] = g
            continue
        if node.prim is None:
            continue
        # (a weight's watch edge is not its gradient: _run hooks the weights' own gradients)
        if hooks and not isinstance(g, list) and not isinstance(node.out, Parameter):
            g = _hooked(g, (node.out,))
        prim = node.prim
        if prim is tuple_getitem_p:  # collect the element cotangents of a tuple
            src = node.inputs[0]
            if src._node is not None:
                slots = cot.get(id(src._node))
                if slots is None:
                    slots = cot[id(src._node)] = [None] * _arity(src._data)
                index = node.attrs["index"]
                slots[index] = g if slots[index] is None else add(slots[index], g)
            continue
        if (
            prim is getitem_p
            and sparse
            and isinstance(g._data, np.ndarray | np.generic)
            and node.inputs[0]._node is not None
        ):
            pending.setdefault(id(node.inputs[0]._node), []).append((node.attrs["index"], g))
            continue
        if prim.bprop is None:
            continue
        if isinstance(g, list):  # a tuple's cotangents, None where no gradient reached
            g = tuple(g)
        if prim.masked_bprop:
            needs = tuple(inp._node is not None for inp in node.inputs)
            grads = prim.bprop(*node.inputs, node.out, g, needs=needs, **(node.attrs or {}))
        else:
            grads = prim.bprop(*node.inputs, node.out, g, **(node.attrs or {}))
        for inp, gi in zip(node.inputs, grads):
            if gi is None or inp._node is None:
                continue
            if gi._data.shape != inp._data.shape:
                gi = sum_to(gi, inp._data.shape)
            if gi._data.dtype != inp._data.dtype:
                gi = cast(gi, inp.dtype)
            key = id(inp._node)
            cot[key] = add(cot[key], gi) if key in cot else gi
    return results


def _add_slices(out: Tensor, dense: Tensor | None, slices: list) -> Tensor:
    """``dense`` (or zeros) of ``out``'s shape with each (index, cotangent) added at its index."""
    data = out._data
    acc = (
        np.zeros(data.shape, data.dtype)
        if dense is None
        else np.array(np.broadcast_to(dense._data, data.shape), dtype=data.dtype)
    )
    for index, g in slices:
        if _basic(index):  # a view: no position twice
            acc[index] += g._data
        else:
            np.add.at(acc, index, g._data)
    t = _new(Tensor)
    t._data, t._node = acc, None
    return t


def _basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, int | slice) for p in parts)


def _dismantle(outputs: Sequence[Any]) -> None:
    """Break the out -> node -> out cycles of a finished tape so memory returns at once."""
    stack = [o._node for o in outputs if isinstance(o, Tensor) and o._node is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for inp in node.inputs:
            if inp._node is not None:
                stack.append(inp._node)
        if node.out is not None:
            node.out._node = None
        node.out = None
        node.inputs = ()


def _flatten_outputs(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _flatten_outputs(v)]
    return []


def _positions(grad_position: Any, nargs: int) -> tuple[int, ...] | None:
    if grad_position is None:
        return None
    positions = (grad_position,) if isinstance(grad_position, int) else tuple(grad_position)
    for p in positions:
        if not isinstance(p, int) or not -nargs <= p < nargs:
            raise MindValueError(
                f"For 'grad', 'grad_position' {grad_position!r} is out of range for {nargs} inputs"
            )
    return tuple(p % nargs for p in positions)


def _weights(weights: Any) -> list[Parameter]:
    if weights is None:
        return []
    if isinstance(weights, Tensor):
        return [weights]
    weights = list(weights)
    for w in weights:
        if not isinstance(w, Tensor):
            raise MindTypeError(
                f"For 'grad', 'weights' must be Parameters (e.g. net.trainable_params()), got "
                f"{type(w).__name__}"
            )
    return weights


def _zeros_for(t: Tensor) -> Tensor:
    import numpy as np

    z = _new(Tensor)
    z._data = np.zeros(t._data.shape, t._data.dtype)
    z._node = None
    return z


def _handle(t: Tensor) -> Tensor:
    h = _new(Tensor)
    h._data, h._node = t._data, t._node
    return h


def _conj(g: Tensor) -> Tensor:
    from mind.core._src.ops.complex_ops import conj

    return conj(g)


def _run(fn, args, grad_position, weights, has_aux, sens=None, target_hooks=True):
    """Run ``fn`` under the tape; return (value, aux, input grads, weight grads). ``sens``: the
    outputs' cotangents (all ones by default). ``target_hooks``: pass the targets' gradients
    through their Tensor hooks (not for a part of a larger backward, which hooks the sum)."""
    positions = _positions(grad_position, len(args))
    params = _weights(weights)
    if positions is None and not params:
        raise MindValueError("For 'grad', 'grad_position' and 'weights' cannot both be None")
    originals = args
    args = list(args)
    watched_inputs = []
    for p in positions or ():
        if not isinstance(args[p], Tensor):
            raise MindTypeError(
                f"For 'grad', input {p} must be a Tensor to differentiate with respect to it, "
                f"got {type(args[p]).__name__}"
            )
        args[p] = _watch(args[p])
        watched_inputs.append(args[p])
    saved = [w._node for w in params]
    for w in params:
        shadow = None
        if w._node is not None:  # an outer gradient already watches this weight
            shadow = _new(Tensor)
            shadow._data, shadow._node = w._data, w._node
        w._node = (
            Node(identity_p, (shadow,), None, w) if shadow is not None else Node(None, (), None, w)
        )
    watched_weights = list(params)
    # Handles on the targets as they are now: an in-place write (``x[i] = v``) rebinds a
    # target's node, and its gradient is that of the value the function was given.
    targets = [_handle(t) for t in watched_inputs + watched_weights]
    outer = STATE.depth > 0
    STATE.depth += 1
    STATE.recording = True
    _GRAD_TRACERS.append(current_tracer())
    try:
        result = user_function(fn)(*args)
        if has_aux:
            if not isinstance(result, tuple) or len(result) < 2:
                raise MindValueError(
                    "For 'grad' with has_aux=True, the function must return a tuple of at least "
                    "two outputs (the value to differentiate, then the auxiliary ones)"
                )
            value, aux = result[0], tuple(result[1:])
            outputs = _flatten_outputs(value)
        else:
            value, aux = result, None
            outputs = _flatten_outputs(result)
        if not outputs and not isinstance(value, bool | int | float | np.number):
            raise MindTypeError(
                f"For 'grad', the function must return a Tensor, got {type(value).__name__}"
            )
        if sens is None:
            sens = []
            for o in outputs:
                s = _new(Tensor)
                s._data = np.ones(o._data.shape, o._data.dtype)
                s._node = None
                sens.append(s)
        # The backward pass only needs recording when an outer gradient will differentiate it.
        STATE.recording = outer
        # (a Python number does not depend on the inputs: every gradient is zero, as MindSpore's)
        grads = backward(outputs, sens, targets) if outputs else [None] * len(targets)
        grads = [g if g is not None else _zeros_for(t) for g, t in zip(grads, targets)]
        if target_hooks and _TENSOR_HOOKS:  # a target's hooks: the tensor given and the copy fn saw
            owners = [
                (originals[p], watched) for p, watched in zip(positions or (), watched_inputs)
            ]
            owners += [(w,) for w in watched_weights]
            grads = [_hooked(g, owner) for g, owner in zip(grads, owners)]
        # A complex input's gradient is dL/dx + i dL/dy, the conjugate of the tape's (see
        # complex_ops).
        grads = [_conj(g) if g._data.dtype.kind == "c" else g for g in grads]
    finally:
        _GRAD_TRACERS.pop()
        STATE.depth -= 1
        STATE.recording = STATE.depth > 0
        for w, node in zip(params, saved):
            w._node = node
    if not outer:
        _dismantle(_flatten_outputs(result))
        grads = [stop_gradient(g) for g in grads]
    input_grads = grads[: len(watched_inputs)]
    weight_grads = tuple(grads[len(watched_inputs) :])
    if positions is not None and isinstance(grad_position, int):
        input_grads = input_grads[0]
    else:
        input_grads = tuple(input_grads)
    return value, aux, input_grads, weight_grads, positions


def recomputed(fn: Callable[..., Any], args: tuple, weights: Sequence[Parameter]) -> Any:
    """``fn(*args)`` (a Cell's call) for the tape without its activations: the forward runs off
    the tape, and the backward runs ``fn`` again on it, from the same random state, to take the
    vjp (gradient checkpointing, MindSpore's ``recompute``). The gradient reaches the Tensor
    ``args`` and ``weights``. An output other than one Tensor is taped as usual, by running
    ``fn`` a second time (its side effects happen twice).

    Traced (``jit(grad(f))``, GRAPH_MODE), the rerun is traced into the backward: its inputs go
    through ``depend`` on the output's cotangent, so CSE keeps the rerun apart and the block's
    activations die after the forward; its random ops take the forward's values (``Draws``).
    Inside a branch or loop body the block keeps its activations."""
    tracer = current_tracer()
    if tracer is not None and tracer.parent is not None:
        return fn(*args)
    draws = Draws()
    rng = generator().bit_generator
    start = rng.state
    STATE.recording = False
    try:
        with _drawing(tracer, draws):
            out = fn(*args)
    finally:
        STATE.recording = True
    draws.replay()
    if not isinstance(out, Tensor):
        rng.state = start
        with _drawing(tracer, draws):
            return fn(*args)
    positions = [k for k, a in enumerate(args) if isinstance(a, Tensor)]
    inputs = [args[k] for k in positions] + list(weights)

    def rule(*rest: Any) -> tuple:
        *tensors, _, dout = rest
        # the inputs and weights the gradient being taken reaches (watched, or computed from)
        live = [i for i, t in enumerate(tensors) if t._node is not None]
        at = [positions[i] for i in live if i < len(positions)]
        ws = [tensors[i] for i in live if i >= len(positions)]
        if not live:
            return (None,) * len(tensors)
        traced = tracer is not None and current_tracer() is tracer
        again = list(args)
        for k, t in zip(positions, tensors):
            again[k] = bind2(depend_p, t, dout) if traced else t
        now = generator().bit_generator
        resume = now.state
        now.state = start
        draws.replay()
        try:
            with _drawing(tracer if traced else None, draws):
                _, _, ig, wg, _ = _run(
                    fn, tuple(again), tuple(at) or None, ws, False, [dout], target_hooks=False
                )
        finally:
            now.state = resume
        found = dict(zip(live, (*(ig if at else ()), *wg)))
        return tuple(found.get(i) for i in range(len(tensors)))

    return with_backward(inputs, out, rule)


def _drawing(tracer: Any, draws: Draws) -> Any:
    return tracer.drawing(draws) if tracer is not None else nullcontext()


def _pack(input_grads, weight_grads, positions, weights, unwrap: bool = True) -> Any:
    # MindSpore's grad gives the Tensor itself for a one-element tuple of positions
    # (``grad(f, (0,))``); Mind's own callers keep the tuple (``unwrap=False``)
    if unwrap and isinstance(input_grads, tuple) and len(input_grads) == 1:
        input_grads = input_grads[0]
    if positions is None:
        return weight_grads
    if weights is None:
        return input_grads
    return input_grads, weight_grads


def grad(
    fn: Callable[..., Any],
    grad_position: Any = 0,
    weights: Any = None,
    has_aux: bool = False,
    return_ids: bool = False,
) -> Callable[..., Any]:
    """A function computing the gradient of ``fn`` (MindSpore 2.x ``mindspore.grad``).

    :param grad_position: the input (int) or inputs (tuple) to differentiate with respect to, or
        ``None`` to differentiate only with respect to ``weights``.
    :param weights: Parameters (``net.trainable_params()``) to differentiate with respect to.
    :param has_aux: ``fn`` returns ``(out, aux1, ...)``; only ``out`` is differentiated and the
        gradient function returns ``(gradients, (aux1, ...))``.
    :returns: the gradients: one Tensor for an int ``grad_position`` (or a tuple of one, as
        MindSpore's), a tuple for a tuple of
        positions, the weights' gradients when ``grad_position`` is None, and
        ``(input_grads, weight_grads)`` when both are given. A non-scalar output is
        differentiated as the sum of its elements (all-ones sensitivity), as in MindSpore.

    >>> g = grad(lambda x: (x * x).sum())(Tensor([1.0, 2.0]))   # [2., 4.]
    """
    if return_ids:
        raise MindValueError("For 'grad', return_ids=True is not supported yet")

    def grad_fn(*args: Any) -> Any:
        _, aux, ig, wg, positions = _run(fn, args, grad_position, weights, has_aux)
        grads = _pack(ig, wg, positions, weights)
        return (grads, aux) if has_aux else grads

    return grad_fn


def value_and_grad(
    fn: Callable[..., Any],
    grad_position: Any = 0,
    weights: Any = None,
    has_aux: bool = False,
    return_ids: bool = False,
) -> Callable[..., Any]:
    """Like :func:`grad`, but the function returns ``(value, gradients)``; with ``has_aux``
    the value is ``(out, aux1, ...)``, as MindSpore 2.x's ``value_and_grad``."""
    if return_ids:
        raise MindValueError("For 'value_and_grad', return_ids=True is not supported yet")

    def value_and_grad_fn(*args: Any) -> Any:
        value, aux, ig, wg, positions = _run(fn, args, grad_position, weights, has_aux)
        grads = _pack(ig, wg, positions, weights)
        if STATE.depth == 0:
            value = stop_gradient(value)
            aux = stop_gradient(aux)
        return ((value, *aux) if has_aux else value), grads

    return value_and_grad_fn
