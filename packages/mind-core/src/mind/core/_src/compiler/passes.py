"""The built-in passes over MindIR, and the memory planner.

Each pass is a pure function ``pass(graph, options=None) -> FuncGraph``: it never changes the graph
it is given (graphs are cached by ``jit`` and shown to users) but builds a new one with
:func:`rebuild`, which copies nodes in order, maps every use to its replacement and keeps node
ids, so IR dumps before and after a pass line up. Parameters (the graph's signature) and the
number and abstract values of its outputs never change.

Two rules hold in every pass:

- Impure primitives (traits ``random``, ``in_place`` and ``effect``: see :func:`is_pure`) are never folded, merged or
  removed: each application draws new numbers from the global generator, so two of them are not
  the same value and a dead one still advances the generator for the ones after it.
- The runtime hands output arrays to the caller, who may change them in place (``Tensor.fill_``).
  So a computed value the caller receives (an output, or what an output is a view of through
  ``reshape``, ``transpose``... ) is never replaced by a Parameter (the caller's own input) or a
  Constant (kept by the graph for every later call), and CSE does not make two of them one array.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from mind.core._src.ir.graph import (
    Apply,
    Constant,
    FuncGraph,
    GraphError,
    Node,
    Parameter,
    subgraphs,
)
from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray, traits_of
from mind.core._src.plugins.manager import get_registry
from mind.core._src.tensor import dtype as dt

__all__ = [
    "FOLD_LIMIT_BYTES",
    "MemoryPlan",
    "ValueLifetime",
    "algebraic_simplify",
    "constant_folding",
    "copy_apply",
    "cse",
    "dce",
    "inline",
    "is_pure",
    "memory_plan",
    "plan_arena",
    "rebuild",
]

#: Constant folding leaves alone an application whose result would be larger than this: the graph
#: keeps every constant for its whole life, so folding a large value trades compute for memory.
FOLD_LIMIT_BYTES = 1 << 20


def is_pure(prim: str) -> bool:
    """Whether an application of ``prim`` may be folded, merged or removed when unused: a known
    primitive whose result is a function of its inputs and attributes alone."""
    return prim in PRIMITIVES and not PRIMITIVES[prim].traits & {"random", "in_place", "effect"}


def _pure(node: Apply) -> bool:
    """``is_pure`` of the node's primitive, and of every node of the graphs nested in it (a
    branch that assigns a Parameter or prints makes its ``cond`` impure)."""
    if not is_pure(node.prim):
        return False
    for _, sub in subgraphs(node):
        pure = sub.__dict__.get("_pure")
        if pure is None:
            pure = sub.__dict__["_pure"] = all(_pure(n) for n in sub.nodes)
        if not pure:
            return False
    return True


def nbytes(aval: ShapedArray) -> int:
    """The size in bytes of a value with this abstract value (0 for a control-flow node's tuple:
    its arrays are counted where ``tuple_getitem`` takes them out)."""
    if not isinstance(aval, ShapedArray):
        return 0
    return math.prod(aval.shape) * aval.dtype.itemsize


# ------------------------------------------------------------------------------------------------
# Rebuilding a graph
# ------------------------------------------------------------------------------------------------

#: ``rewrite(node, inputs, new_graph) -> Node | None``: ``inputs`` are the node's inputs already
#: mapped into ``new_graph``; return the node of ``new_graph`` that replaces it (an input, an
#: earlier node, a constant made with ``new_graph.add_constant``), or ``None`` to copy it.
Rewrite = Callable[[Apply, tuple[Node, ...], FuncGraph], Node | None]


def rebuild(
    graph: FuncGraph,
    rewrite: Rewrite | None = None,
    *,
    keep: Callable[[Apply], bool] | None = None,
    substitute: Mapping[int, Node] | None = None,
) -> FuncGraph:
    """A new graph made from ``graph``, which is left unchanged.

    Parameters are copied as they are. Apply nodes are copied in order, each with its inputs
    mapped to their replacements, unless ``keep(node)`` is false (the node is dropped) or
    ``rewrite`` returns a replacement. ``substitute`` maps the id of an old Constant or Parameter
    to another old node to use in its place. Constants are copied when first used, so those
    nothing uses any more disappear. Node ids are kept; new nodes get fresh ones.

    Raises :class:`GraphError` if a dropped node is still used, or a replacement's abstract value
    differs from the node it replaces (either is a bug in the pass).
    """
    new = FuncGraph(graph.name)
    new._next = graph._next  # new nodes get ids no old node has
    env: dict[int, Node] = {}
    substitute = substitute or {}
    for p in graph.parameters:
        env[p.id] = copy = Parameter(p.id, p.aval, p.name, p.kind)
        new.parameters.append(copy)

    def mapped(node: Node) -> Node:
        node = substitute.get(node.id, node)
        hit = env.get(node.id)
        if hit is not None:
            return hit
        if isinstance(node, Constant):
            copy = Constant(node.id, node.value)
            new.constants.append(copy)
            env[node.id] = copy
            return copy
        raise GraphError(
            f"graph {graph.name}: {node.ref} is used but was removed by the pass rebuilding it"
        )

    for node in graph.nodes:
        if keep is not None and not keep(node):
            continue
        inputs = tuple(mapped(i) for i in node.inputs)
        out = rewrite(node, inputs, new) if rewrite is not None else None
        if out is None:
            out = Apply(node.id, node.prim, inputs, dict(node.attrs), node.aval)
            new.nodes.append(out)
        elif out.aval != node.aval:
            raise GraphError(
                f"graph {graph.name}: {node.ref} = {node.prim}(...) was replaced by {out.ref}, "
                f"whose abstract value {out.aval} differs from {node.aval}"
            )
        env[node.id] = out
    new.outputs = tuple(mapped(o) for o in graph.outputs)
    # A constant copied for a node that was then folded or replaced may have no use left.
    used = {o.id for o in new.outputs} | {i.id for n in new.nodes for i in n.inputs}
    new.constants = [c for c in new.constants if c.id in used]
    return new


def copy_apply(node: Apply, inputs: tuple[Node, ...], new: FuncGraph) -> Apply:
    """Append to ``new`` a copy of ``node`` (same id) applied to ``inputs``; for a ``rewrite`` that
    keeps a node but must know its copy."""
    copy = Apply(node.id, node.prim, inputs, dict(node.attrs), node.aval)
    new.nodes.append(copy)
    return copy


def _output_ids(graph: FuncGraph) -> set[int]:
    return {o.id for o in graph.outputs}


def _handed_out(graph: FuncGraph) -> set[int]:
    """Ids of the nodes whose array the caller may receive: the outputs, and what an output is
    (through view-making primitives) a view of."""
    ids = _output_ids(graph)
    for node in reversed(graph.nodes):
        if node.id in ids and "view" in traits_of(node.prim):
            ids.update(i.id for i in node.inputs)
    return ids


def _aliases_on_output(node: Apply, replacement: Node, handed_out: set[int]) -> bool:
    """Replacing a computed value the caller receives by an input or a constant would hand the
    caller that array (the caller's own input, or the graph's constant for every later call)."""
    return node.id in handed_out and isinstance(replacement, Parameter | Constant)


# ------------------------------------------------------------------------------------------------
# Passes
# ------------------------------------------------------------------------------------------------


def inline(graph: FuncGraph, options: Mapping[str, Any] | None = None) -> FuncGraph:
    """Replace every use of ``identity(x)`` by ``x``.

    ``identity`` is the edge autodiff records between a watched copy and the tensor it watches;
    in a graph it computes nothing (its kernel returns its input), so removing it changes no
    value and no aliasing.
    """

    def rewrite(node: Apply, inputs: tuple[Node, ...], new: FuncGraph) -> Node | None:
        if node.prim == "identity" and len(inputs) == 1 and inputs[0].aval == node.aval:
            return inputs[0]
        return None

    return rebuild(graph, rewrite)


_CUTS = ("stop_gradient", "depend")


def without_cuts(graph: FuncGraph) -> FuncGraph:
    """``graph`` with every use of ``stop_gradient(x)`` and ``depend(x, after)`` replaced by
    ``x``: what a device runs. The cut matters only to the gradient of the graph (taken from the
    graph that keeps them), the order only to the passes (which ran), and the graph keeps its
    nodes in order; the value is the input's, so a device need not know either op."""

    def rewrite(node: Apply, inputs: tuple[Node, ...], new: FuncGraph) -> Node | None:
        return inputs[0] if node.prim in _CUTS else None

    if not any(n.prim in _CUTS for n in graph.nodes):
        return graph
    return rebuild(graph, rewrite)


def dce(graph: FuncGraph, options: Mapping[str, Any] | None = None) -> FuncGraph:
    """Dead-code elimination: drop every pure application no output needs, and unused constants.

    Impure applications stay even when unused (see the module docstring).
    """
    live = _output_ids(graph)
    for node in reversed(graph.nodes):
        if node.id in live or not _pure(node):
            live.add(node.id)
            live.update(i.id for i in node.inputs)
    return rebuild(graph, keep=lambda node: node.id in live)


def _attr_key(value: Any) -> Any:
    """A hashable key equal for equal attribute values (arrays, slices, nested tuples...).

    Types are part of the key (``1``, ``1.0`` and ``True`` differ), floats are keyed by ``repr``
    (``nan`` equals itself, ``0.0`` and ``-0.0`` differ), and an unhashable object nobody knows how
    to compare is keyed by its identity, so it only ever matches itself.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return ("ndarray-object", value.shape, tuple(_attr_key(v) for v in value.flat))
        return ("ndarray", value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes())
    if isinstance(value, np.generic):
        return ("npscalar", value.dtype.str, value.tobytes())
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, slice):
        return ("slice", _attr_key(value.start), _attr_key(value.stop), _attr_key(value.step))
    if isinstance(value, tuple | list):
        return (type(value).__name__, tuple(_attr_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), _attr_key(v)) for k, v in value.items())))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return (type(value).__qualname__, value)


def _attrs_key(attrs: Mapping[str, Any]) -> Any:
    return tuple(sorted((name, _attr_key(value)) for name, value in attrs.items()))


# Constants up to this size are merged by value in CSE (a larger one is compared by identity).
_CSE_CONSTANT_BYTES = 1 << 16


def cse(graph: FuncGraph, options: Mapping[str, Any] | None = None) -> FuncGraph:
    """Common-subexpression elimination: one node for each distinct pure application.

    Two applications are the same when they apply the same primitive to the same input nodes
    (in either order for ``add`` and ``mul``) with equal attributes. Small constants with equal
    dtype, shape and bytes are merged first, so applications to equal constants merge too.
    """
    handed_out = _handed_out(graph)
    substitute: dict[int, Node] = {}
    seen_constants: dict[Any, Constant] = {}
    for c in graph.constants:
        value = c.value
        if value.nbytes > _CSE_CONSTANT_BYTES or value.dtype.hasobject or c.id in handed_out:
            continue
        key = (value.dtype.str, value.shape, np.ascontiguousarray(value).tobytes())
        first = seen_constants.setdefault(key, c)
        if first is not c:
            substitute[c.id] = first

    seen: dict[Any, Node] = {}
    exposed: set[int] = set()  # kept nodes whose array the caller receives

    def rewrite(node: Apply, inputs: tuple[Node, ...], new: FuncGraph) -> Node | None:
        if not _pure(node):
            return None
        ids = tuple(i.id for i in inputs)
        if "commutative" in traits_of(node.prim):  # CSE: add(a, b) is add(b, a)
            ids = tuple(sorted(ids))
        key = (node.prim, ids, _attrs_key(node.attrs))
        first = seen.get(key)
        if first is not None and not (node.id in handed_out and first.id in exposed):
            if node.id in handed_out:
                exposed.add(first.id)
            return first
        # The first of its kind (or an output that must keep an array of its own): copy it here
        # rather than in ``rebuild`` so that later duplicates can find the copy.
        copy = copy_apply(node, inputs, new)
        if first is None:
            seen[key] = copy
        if node.id in handed_out:
            exposed.add(copy.id)
        return copy

    return rebuild(graph, rewrite, substitute=substitute)


def constant_folding(graph: FuncGraph, options: Mapping[str, Any] | None = None) -> FuncGraph:
    """Replace each pure application whose inputs are all constants by its value.

    The value is computed with the ``cpu`` device's kernel, as the runtime would. Left alone: an
    application whose result is larger than ``options["fold_limit_bytes"]`` (default
    :data:`FOLD_LIMIT_BYTES`), one whose array the caller receives (an output, or what an output
    views: each call must hand out a fresh array, not the graph's own constant), and one whose kernel fails or returns a value that is not
    exactly the shape and dtype inference promised (the runtime will then report it). Chains fold
    in one pass, since a folded value is a constant for the nodes after it.
    """

    limit = int((options or {}).get("fold_limit_bytes", FOLD_LIMIT_BYTES))
    kernels = get_registry().device("cpu").kernels
    handed_out = _handed_out(graph)

    def rewrite(node: Apply, inputs: tuple[Node, ...], new: FuncGraph) -> Node | None:
        if (
            node.id in handed_out
            or not _pure(node)
            or not all(isinstance(i, Constant) for i in inputs)
            or not isinstance(node.aval, ShapedArray)
            or node.aval.dtype.np is None
            or nbytes(node.aval) > limit
        ):
            return None
        value = _evaluate(node, [i.value for i in inputs], kernels)
        return None if value is None else new.add_constant(value)

    return rebuild(graph, rewrite)


def _evaluate(node: Apply, values: list[Any], kernels: Mapping[str, Callable]) -> Any:
    """``node``'s value from its inputs' with the ``cpu`` kernel, or None where the kernel fails
    (left for the runtime to raise, where it happens) or gives other than the inferred shape and
    dtype. A fresh array: a kernel may return a view of an input."""
    kernel = kernels.get(node.prim, PRIMITIVES[node.prim].cpu)
    try:
        with np.errstate(all="ignore"):
            value = kernel(*values, **node.attrs)
    except Exception:
        return None
    if not isinstance(value, np.ndarray | np.generic):
        return None
    value = np.array(value)
    if value.shape != node.aval.shape or dt.from_numpy_dtype(value.dtype) is not node.aval.dtype:
        return None
    return value


def value_from_constants(node: Node, budget: int = 64) -> Any:
    """The value of ``node`` when it is computed from constants alone by at most ``budget`` pure
    applications (a condition on a Cell's constant tensors, which MindSpore decides at compile
    time); None otherwise."""
    kernels = get_registry().device("cpu").kernels
    seen: dict[int, Any] = {}

    def value(n: Node) -> Any:
        if isinstance(n, Constant):
            return n.value
        if n.id in seen:
            return seen[n.id]
        if (
            not isinstance(n, Apply)
            or len(seen) >= budget
            or not is_pure(n.prim)
            or subgraphs(n)
            or not isinstance(n.aval, ShapedArray)
        ):
            raise LookupError
        args = [value(i) for i in n.inputs]
        out = seen[n.id] = _evaluate(n, args, kernels)
        if out is None:
            raise LookupError
        return out

    try:
        return value(node)
    except LookupError:
        return None


def _is_constant(node: Node, scalar: float) -> bool:
    return isinstance(node, Constant) and node.value.size > 0 and bool(np.all(node.value == scalar))


def _simplified(node: Apply, inputs: tuple[Node, ...]) -> Node | None:
    """The input ``node`` equals, if one of the rewrite rules applies."""
    prim = PRIMITIVES.get(node.prim)
    if prim in (E.mul_p, E.add_p) and len(inputs) == 2:
        unit = 1 if prim is E.mul_p else 0
        a, b = inputs
        if _is_constant(b, unit):
            return a
        if _is_constant(a, unit):
            return b
    elif prim is E.sub_p and len(inputs) == 2:
        if _is_constant(inputs[1], 0):
            return inputs[0]
    elif prim is E.div_p and len(inputs) == 2 and node.aval.dtype.kind == "f":
        # Floats only: the div kernel divides integers truly (a float result) although its
        # inference says the integer dtype, so int/1 is not int at run time.
        if _is_constant(inputs[1], 1):
            return inputs[0]
    elif prim in (A.reshape_p, A.broadcast_to_p, E.cast_p) and len(inputs) == 1:
        return inputs[0]  # the same abstract value (checked below) means nothing changes
    elif prim is A.transpose_p and len(inputs) == 1:
        ndim = len(node.aval.shape)
        perm = tuple(int(p) % ndim if ndim else int(p) for p in node.attrs.get("perm", ()))
        if perm == tuple(range(ndim)):
            return inputs[0]
    elif prim is E.neg_p and len(inputs) == 1:
        inner = inputs[0]
        if isinstance(inner, Apply) and PRIMITIVES.get(inner.prim) is E.neg_p:
            return inner.inputs[0]
    return None


def algebraic_simplify(graph: FuncGraph, options: Mapping[str, Any] | None = None) -> FuncGraph:
    """Replace an application by one of its inputs where algebra says they are equal.

    Rules: ``x*1``, ``1*x``, ``x+0``, ``0+x``, ``x-0``, ``x/1`` -> ``x`` (the constant may be any
    shape, all ones or zeros); ``reshape`` to the same shape, ``broadcast_to`` the same shape,
    ``cast`` to the same dtype and ``transpose`` by the identity permutation -> ``x``;
    ``neg(neg(x))`` -> ``x``. A rule applies only when ``x`` has exactly the node's shape and dtype,
    so a constant that broadcasts or promotes keeps its node. (``x+0`` turns ``-0.0`` into
    ``0.0``; the simplified graph keeps ``-0.0``, which compares equal.)
    """
    handed_out = _handed_out(graph)

    def rewrite(node: Apply, inputs: tuple[Node, ...], new: FuncGraph) -> Node | None:
        x = _simplified(node, inputs)
        if x is None or x.aval != node.aval or _aliases_on_output(node, x, handed_out):
            return None
        return x

    return rebuild(graph, rewrite)


# ------------------------------------------------------------------------------------------------
# Memory planning
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueLifetime:
    """One value as the planner sees it.

    ``defined`` and ``last_use`` are step numbers (step ``i`` runs ``graph.nodes[i]``), both
    inclusive: at the step that consumes its last input a node's output already exists, as no
    kernel writes in place. In :func:`memory_plan`, parameters and constants are defined at step 0,
    and outputs and constants live to the last step. ``offset`` is where the value's bytes start
    in the arena.
    """

    node: Any  # a node id, or the key an executor gave (a node's scratch)
    kind: str  # "parameter", "constant", "apply" or "scratch"
    nbytes: int
    defined: int
    last_use: int
    offset: int

    @property
    def ref(self) -> str:
        return f"%{self.node}"


@dataclass(frozen=True)
class MemoryPlan:
    """Where each value lives in one arena of bytes, values of disjoint lifetimes sharing bytes.

    ``peak_bytes``: the most bytes live at any step (a lower bound for any plan);
    ``arena_bytes``: what this plan allocates; ``naive_bytes``: the sum of every value's size, what
    one allocation per value would take; ``offsets``: value key -> byte offset. Sizes here are
    rounded up to the plan's alignment (``ValueLifetime.nbytes`` is the value's own size).
    """

    values: tuple[ValueLifetime, ...]
    arena_bytes: int
    peak_bytes: int
    naive_bytes: int
    offsets: Mapping[Any, int] = field(default_factory=dict)

    def __str__(self) -> str:
        saved = 1 - self.arena_bytes / self.naive_bytes if self.naive_bytes else 0.0
        return (
            f"memory plan: {len(self.values)} values in {self.arena_bytes} bytes "
            f"(naive {self.naive_bytes}, {saved:.0%} saved), peak live {self.peak_bytes} bytes"
        )


def plan_arena(spans: list[tuple[Any, str, int, int, int]], align: int = 64) -> MemoryPlan:
    """Place values in one arena by liveness: MindRT's memory planner, used by the cpu executor,
    the native device and :func:`memory_plan`.

    ``spans`` are ``(key, kind, nbytes, first step, last step)``, steps inclusive: two values
    whose spans overlap never share bytes. Values are taken by first step, larger first; each goes
    to the free block that fits it most tightly (the rest of the block stays free; freed
    neighbours merge), else at the arena's end (taking in a free block that ends there). Every
    offset is a multiple of ``align``.
    """
    order = sorted(range(len(spans)), key=lambda j: (spans[j][3], -spans[j][2], j))
    free: list[list[int]] = []  # [offset, size] blocks, by offset, merged
    busy: list[tuple[int, int, int]] = []  # heap of (last step, offset, size)
    top = 0
    offsets: dict[Any, int] = {}
    for j in order:
        key, _, nbytes, first, last = spans[j]
        while busy and busy[0][0] < first:
            _, off, freed = heapq.heappop(busy)
            at = bisect.bisect(free, [off, freed])
            free.insert(at, [off, freed])
            if at + 1 < len(free) and off + freed == free[at + 1][0]:
                free[at][1] += free.pop(at + 1)[1]
            if at and free[at - 1][0] + free[at - 1][1] == off:
                free[at - 1][1] += free.pop(at)[1]
        size = -(-max(nbytes, 1) // align) * align
        fits = [b for b in free if b[1] >= size]
        if fits:
            block = min(fits, key=lambda b: (b[1], b[0]))
            off = block[0]
            block[0], block[1] = off + size, block[1] - size
            if not block[1]:
                free.remove(block)
        elif free and free[-1][0] + free[-1][1] == top:
            off = free.pop()[0]
            top = off + size
        else:
            off, top = top, top + size
        heapq.heappush(busy, (last, off, size))
        offsets[key] = off
    end = max((s[4] for s in spans), default=0)
    delta = [0] * (end + 2)
    for _, _, nbytes, first, last in spans:
        delta[first] += -(-max(nbytes, 1) // align) * align
        delta[last + 1] -= -(-max(nbytes, 1) // align) * align
    peak = live = 0
    for change in delta[:-1]:
        live += change
        peak = max(peak, live)
    values = tuple(ValueLifetime(k, kind, n, a, b, offsets[k]) for k, kind, n, a, b in spans)
    return MemoryPlan(
        values=values,
        arena_bytes=top,
        peak_bytes=peak,
        naive_bytes=sum(-(-max(v.nbytes, 1) // align) * align for v in values),
        offsets=MappingProxyType(offsets),
    )


def memory_plan(graph: FuncGraph) -> MemoryPlan:
    """The arena plan of every value of ``graph`` (parameters and constants from step 0; outputs
    and constants to the end): what the graph needs if all its values live in one arena."""
    end = max(len(graph.nodes) - 1, 0)
    outputs = _output_ids(graph)
    last: dict[int, int] = {}
    for step, node in enumerate(graph.nodes):
        for inp in node.inputs:
            last[inp.id] = step
    spans = [(p.id, "parameter", nbytes(p.aval), 0, last.get(p.id, 0)) for p in graph.parameters]
    spans += [(c.id, "constant", nbytes(c.aval), 0, end) for c in graph.constants]
    spans += [
        (node.id, "apply", nbytes(node.aval), step, last.get(node.id, step))
        for step, node in enumerate(graph.nodes)
    ]
    return plan_arena([(k, kind, n, a, end if k in outputs else b) for k, kind, n, a, b in spans])
