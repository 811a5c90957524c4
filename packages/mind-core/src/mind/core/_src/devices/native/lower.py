"""Lowering MindIR to C for the ``native`` device.

Four stages, each its own function:

1. *Selection* (:func:`_select`): each node's lowering rule, from :data:`LOWERINGS` (keyed by the
   primitive object, registered with :func:`lowering`), returns the node's C statements or None
   ("run it on its cpu kernel"). A rule writes against names, not storage: ``out_`` is the node's
   output, ``in0_``, ``in1_``... its inputs, and it may ask its :class:`Kernel` for a column
   buffer (``scratch``), a constant offset table (``index_table``) or the statement that reports
   bad input (``fail``).
2. *Storage planning* (:func:`_plan_storage`): every value gets a *slot* of one table of pointers
   that each C function receives (``void **S``): parameters (the caller's arrays, set per call),
   constants (fixed), intermediates (offsets into one workspace, placed by MindRT's liveness
   planner :func:`~mind.core._src.compiler.passes.plan_arena`, so values whose lifetimes are
   disjoint share bytes) and outputs (fresh arrays per call, so nothing returned is overwritten by
   the next call). A view (``reshape``, a same-dtype ``cast``) shares its input's slot and an
   in-place update (trait ``in_place``: ``assign``, ``apply_momentum``) its target's; all storage
   is C-contiguous. Slot 0 is the status: generated code that finds bad data (an index out of
   range) writes the node's id there and returns; the runtime checks it after each call.
3. *Region splitting* (:func:`_split`): maximal runs of selected nodes become native regions (one
   C function each; one per node with ``split``), the others cpu steps.
4. *Emission* (:func:`_emit_module`): each node's statements in a block that declares its pointer
   names from the slots, the regions' functions, and ``mind_sink`` when every step is native.

A ``while_loop`` whose condition and body nodes all have C is lowered whole (:class:`Loop`): its
carries get workspace buffers, its nested values slots alive for its step, and its C is one
``for (;;)`` (condition, break, body, results copied back into the carries) inside the region,
so the loop costs no Python at all; its ``tuple_getitem`` nodes share the carry buffers.

Other control flow (``cond``, ``scan``, such loops, ``call``) runs as cpu steps: the node's kernel
runs its nested graphs on MindRT's cpu executor. Its value is a tuple of arrays (an
``AbstractTuple``), so its slot is a *tuple* slot: a Python tuple in the runtime's environment, no
bytes and no pointer; the ``tuple_getitem`` cpu steps after it copy the elements out into ordinary
slots. An element may be one of the node's input arrays itself (a branch that returns its input),
so the node's inputs stay alive (their workspace bytes unshared) until its last ``tuple_getitem``.

Adding an op: one ``@lowering(op_p)`` rule here (or one ``@expression(op_p)`` for an elementwise
op), nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mind.core._base.native_build import MVEC_FUNCTIONS
from mind.core._src.autodiff.eager import identity_p
from mind.core._src.compiler.fusion import fused_p
from mind.core._src.compiler.passes import MemoryPlan, plan_arena
from mind.core._src.ir.graph import Apply, FuncGraph, Node
from mind.core._src.ops import array as A
from mind.core._src.ops import complex_ops as X
from mind.core._src.ops import control as C
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import math_ops as M
from mind.core._src.ops import nn_ops as N
from mind.core._src.ops import reduce as R
from mind.core._src.ops.array import stop_gradient_p
from mind.core._src.ops.dispatch import PRIMITIVES, AbstractTuple, Primitive, ShapedArray

__all__ = ["CPU_FALLBACK", "EXPRESSIONS", "LOWERINGS", "Kernel", "Lowered", "lower", "lowering"]

CTYPES = {
    "float32": "float",
    "float64": "double",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "uint8": "uint8_t",
    "uint16": "uint16_t",
    "uint32": "uint32_t",
    "uint64": "uint64_t",
    "bool": "uint8_t",
}
_FLOATS = {"float32", "float64"}
_FLOAT_C = ("float", "double")
_ALIGN = 64


def _ctype(aval: Any) -> str | None:
    return CTYPES.get(getattr(getattr(aval, "dtype", None), "name", None))


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape) if shape else 1


def _op(node: Apply) -> Primitive | None:
    return PRIMITIVES.get(node.prim)


# ------------------------------------------------------------------------------------------------
# The tables
# ------------------------------------------------------------------------------------------------


class Kernel:
    """What a lowering rule writes its C against, for one node: pointer names (:meth:`ptr`), loop
    variable prefixes (:meth:`tag`), and the extras the node needs."""

    def __init__(self, node: Apply, status_id: int | None = None) -> None:
        self.node = node
        self.status_id = node.id if status_id is None else status_id  # reported by fail()
        self.scratch_bytes = 0  # a column buffer alive for this node's step only
        self.table: np.ndarray | None = None  # an int64 constant (an index's element offsets)
        self._tags = 0

    def ptr(self, node: Node) -> str:
        """The C pointer name of this node's output or of one of its inputs."""
        if node is self.node:
            return "out_"
        return f"in{next(k for k, i in enumerate(self.node.inputs) if i is node)}_"

    def tag(self) -> str:
        self._tags += 1
        return f"i{self._tags}_"

    def scratch(self, nbytes: int) -> str:
        self.scratch_bytes = nbytes
        return "scratch_"

    def index_table(self, offsets: np.ndarray) -> str:
        self.table = offsets
        return "table_"

    def fail(self) -> str:
        """The statement that stops the module, reporting bad input in this node."""
        return f"{{ ((int64_t *)S[0])[0] = {self.status_id}; return; }}"


Rule = Callable[[Apply, Kernel], "str | None"]


@dataclass(frozen=True)
class Lowering:
    """A primitive's C: ``rule(node, kernel)`` returns statements or None (run it on cpu);
    ``view(node)`` says when the output may share its first input's storage instead (not for a
    graph output), with no code run at all."""

    rule: Rule
    view: Callable[[Apply], bool] | None = None


#: How the native device computes each primitive, by primitive object.
LOWERINGS: dict[Primitive, Lowering] = {}

#: One element of an elementwise primitive as a C expression:
#: ``expression(args, arg_types, t, attrs) -> str | None``, args being C expressions of the inputs'
#: elements (of C types ``arg_types``) and ``t`` the result's C type.
EXPRESSIONS: dict[Primitive, Callable[..., str | None]] = {}

#: Primitives with a documented reason to run on their cpu kernels between the generated C.
CPU_FALLBACK: dict[Primitive, str] = {
    E.floor_divide_p: "numpy's floor division of floats (npy_divmod's corrections) is not in C yet",
    E.mod_p: "numpy's float remainder (npy_divmod's sign corrections) is not in C yet",
    # The device declares no complex dtype, so a graph holding these is refused before lowering.
    **dict.fromkeys(
        (X.real_p, X.imag_p, X.conj_p, X.complex_p), "no complex type in the generated C"
    ),
}


def lowering(*prims: Primitive, view: Callable[[Apply], bool] | None = None):
    """Register the decorated ``rule(node, kernel) -> C | None`` for ``prims``."""

    def register(rule: Rule) -> Rule:
        for prim in prims:
            LOWERINGS[prim] = Lowering(rule, view)
        return rule

    return register


def expression(*prims: Primitive):
    """Register the decorated element expression for the elementwise ``prims``: they lower as
    one loop nest over the broadcast output."""

    def register(expr: Callable[..., str | None]) -> Callable[..., str | None]:
        for prim in prims:
            EXPRESSIONS[prim] = expr
            LOWERINGS.setdefault(prim, Lowering(_elementwise))
        return expr

    return register


def _elementwise(node: Apply, k: Kernel) -> str | None:
    """An elementwise primitive: one loop nest over the output, each input's (broadcast) element
    read into a local, then the element's expression."""
    args = [f"a{j}" for j in range(len(node.inputs))]
    expr = element_expr(node, args)
    if expr is None:
        return None
    out = node.aval
    strides = [_strides(out.shape)] + [
        _broadcast_strides(i.aval.shape, out.shape) for i in node.inputs
    ]
    types = [_ctype(i.aval) for i in node.inputs]

    def body(off: list[str]) -> str:
        loads = " ".join(
            f"{t} {a} = in{j}_[{x}];" for j, (t, a, x) in enumerate(zip(types, args, off[1:]))
        )
        return f"{{ {loads} out_[{off[0]}] = {expr}; }}"

    return _loops(out.shape, strides, body, k.tag())


# ------------------------------------------------------------------------------------------------
# Element expressions
# ------------------------------------------------------------------------------------------------


def _fn(name: str, ctype: str) -> str:
    """The C math function for ``ctype`` (``expf`` for float, ``exp`` for double)."""
    return name + ("f" if ctype == "float" else "")


def _lit(value: float, ctype: str) -> str:
    if ctype == "float":
        return f"{float(value)!r}f".replace("inff", "INFINITY").replace("nanf", "NAN")
    return repr(float(value)).replace("inf", "INFINITY").replace("nan", "NAN")


def _value(value: float, ctype: str) -> str:
    """A literal of ``ctype``: a float literal, or an integer."""
    return _lit(value, ctype) if ctype in _FLOAT_C else str(int(value))


def element_expr(node: Apply, args: list[str]) -> str | None:
    """The C expression of one element of the elementwise ``node`` from its inputs' elements."""
    expr = EXPRESSIONS.get(_op(node))
    types = [_ctype(i.aval) for i in node.inputs]
    if expr is None or None in types:
        return None
    return expr(args, types, _ctype(node.aval), node.attrs)


def _floating(template: Callable[[list[str], str, dict], str]):
    """An expression defined for float results only (``template(args, t, attrs)``)."""
    return lambda args, types, t, attrs: template(args, t, attrs) if t in _FLOAT_C else None


def _math(name: str):
    return _floating(lambda a, t, attrs: f"{_fn(name, t)}({a[0]})")


# C's math functions of the same names (expf for float, exp for double).
for _prim in (
    E.exp_p, E.log_p, E.log1p_p, E.sqrt_p, E.sin_p, E.cos_p, E.tanh_p, E.erf_p, E.floor_p,
    E.trunc_p,
):  # fmt: skip
    expression(_prim)(_math(_prim.name))
expression(E.round_p)(_math("rint"))  # half to even, as numpy (the default rounding mode)


@expression(E.neg_p)
def _neg(a, types, t, attrs):
    return f"(-{a[0]})"


@expression(E.abs_p)
def _abs(a, types, t, attrs):
    return f"{_fn('fabs', t)}({a[0]})" if t in _FLOAT_C else f"({a[0]} < 0 ? -{a[0]} : {a[0]})"


expression(E.rsqrt_p)(_floating(lambda a, t, _: f"({_lit(1, t)} / {_fn('sqrt', t)}({a[0]}))"))
expression(N.relu_p)(_floating(lambda a, t, _: f"({a[0]} < 0 ? {_lit(0, t)} : {a[0]})"))
expression(E.sign_p)(_floating(lambda a, t, _: f"(({a[0]} > 0) - ({a[0]} < 0))"))  # nan -> 0
expression(N.silu_p)(_floating(lambda a, t, _: f"({a[0]} / ({_lit(1, t)} + {_fn('exp', t)}(-{a[0]})))"))  # fmt: skip
expression(N.leaky_relu_p)(_floating(lambda a, t, at: f"({a[0]} > 0 ? {a[0]} : {a[0]} * {_lit(at['alpha'], t)})"))  # fmt: skip


@expression(E.sigmoid_p)
@_floating
def _sigmoid(args, t, attrs):
    a, one, exp = args[0], _lit(1, t), _fn("exp", t)
    return f"({a} >= 0 ? {one} / ({one} + {exp}(-{a})) : {exp}({a}) / ({one} + {exp}({a})))"


@expression(N.gelu_p)
@_floating
def _gelu(args, t, attrs):
    a, half, one = args[0], _lit(0.5, t), _lit(1, t)
    if attrs.get("approximate") == "tanh":
        c = _lit(math.sqrt(2.0 / math.pi), t)
        cube = f"{_lit(0.044715, t)} * {a} * {a} * {a}"
        return f"({half} * {a} * ({one} + {_fn('tanh', t)}({c} * ({a} + {cube}))))"
    return f"({half} * {a} * ({one} + {_fn('erf', t)}({a} * {_lit(1 / math.sqrt(2.0), t)})))"


@expression(N.elu_p)
@_floating
def _elu(args, t, attrs):
    a = args[0]
    return f"({a} > 0 ? {a} : {_lit(attrs['alpha'], t)} * {_fn('expm1', t)}({a} < 0 ? {a} : 0))"


@expression(N.softplus_p)
@_floating
def _softplus(args, t, attrs):
    bx = f"({args[0]} * {_lit(attrs['beta'], t)})"
    soft = (
        f"((({bx} > 0 ? {bx} : 0) + {_fn('log1p', t)}({_fn('exp', t)}(-{_fn('fabs', t)}({bx})))) "
        f"/ {_lit(attrs['beta'], t)})"
    )
    return f"({bx} > {_lit(attrs['threshold'], t)} ? {args[0]} : {soft})"


@expression(N.smooth_l1_loss_p)
@_floating
def _smooth_l1(args, t, attrs):
    a, b = (f"(({t}){x})" for x in args)
    beta, half = _lit(attrs["beta"], t), _lit(0.5, t)
    d = f"{_fn('fabs', t)}({a} - {b})"
    return f"({d} < {beta} ? {half} * {d} * {d} / {beta} : {d} - {half} * {beta})"


@expression(N.bce_with_logits_p)
@_floating
def _bce_with_logits(args, t, attrs):
    a, b = (f"(({t}){x})" for x in args)
    soft = f"{_fn('log1p', t)}({_fn('exp', t)}(-{_fn('fabs', t)}({a})))"
    return f"(({a} > 0 ? {a} : 0) - {a} * {b} + {soft})"


def _binary(template: Callable[[str, str, str], str | None], compare: bool = False):
    """A two-input expression: both inputs in the result's type (the first input's, for a
    comparison), cast where their types differ."""

    def expr(args, types, t, attrs):
        in_t = types[0] if compare else t
        a, b = (f"(({in_t}){x})" if xt != in_t else x for x, xt in zip(args, types))
        return template(a, b, in_t)

    return expr


for _prim, _sym in ((E.add_p, "+"), (E.sub_p, "-"), (E.mul_p, "*")):
    expression(_prim)(_binary(lambda a, b, t, s=_sym: f"({a} {s} {b})"))
# Integer division floors in numpy and truncates in C: floats only.
expression(E.div_p)(_binary(lambda a, b, t: f"({a} / {b})" if t in _FLOAT_C else None))
expression(E.pow_p)(_binary(lambda a, b, t: f"{_fn('pow', t)}({a}, {b})" if t in _FLOAT_C else None))  # fmt: skip
for _prim, _sym in (
    (E.greater_p, ">"), (E.greater_equal_p, ">="), (E.less_p, "<"), (E.less_equal_p, "<="),
    (E.equal_p, "=="), (E.not_equal_p, "!="),
):  # fmt: skip
    expression(_prim)(_binary(lambda a, b, t, s=_sym: f"({a} {s} {b})", compare=True))
for _prim, _sym in ((E.logical_and_p, "&&"), (E.logical_or_p, "||"), (E.logical_xor_p, "!=")):
    expression(_prim)(
        _binary(lambda a, b, t, s=_sym: f"((({a}) != 0) {s} (({b}) != 0))", compare=True)
    )


def _maximum(a: str, b: str, t: str = "") -> str:  # numpy propagates NaN from either side
    return f"((({a} != {a}) | ({a} > {b})) ? {a} : {b})"


def _minimum(a: str, b: str, t: str = "") -> str:
    return f"((({a} != {a}) | ({a} < {b})) ? {a} : {b})"


expression(E.maximum_p)(_binary(_maximum))
# math_ops: C's functions of the same names; fmod and the bitwise operators.
for _prim in (
    M.tan_p, M.atan_p, M.asin_p, M.acos_p, M.sinh_p, M.cosh_p, M.asinh_p, M.acosh_p, M.atanh_p,
    M.expm1_p, M.erfc_p, M.log2_p, M.log10_p, M.exp2_p, M.ceil_p,
):  # fmt: skip
    expression(_prim)(_math(_prim.name))
expression(M.atan2_p)(_binary(lambda a, b, t: f"{_fn('atan2', t)}({a}, {b})" if t in _FLOAT_C else None))  # fmt: skip
expression(M.hypot_p)(_binary(lambda a, b, t: f"{_fn('hypot', t)}({a}, {b})" if t in _FLOAT_C else None))  # fmt: skip
expression(M.fmod_p)(_binary(lambda a, b, t: f"{_fn('fmod', t)}({a}, {b})" if t in _FLOAT_C else f"({b} == 0 ? 0 : {a} % {b})"))  # fmt: skip
for _prim, _sym in (
    (M.bitwise_and_p, "&"), (M.bitwise_or_p, "|"), (M.bitwise_xor_p, "^"),
    (M.left_shift_p, "<<"), (M.right_shift_p, ">>"),
):  # fmt: skip
    expression(_prim)(_binary(lambda a, b, t, _s=_sym: f"({a} {_s} {b})" if t not in _FLOAT_C else None))  # fmt: skip
expression(M.invert_p)(lambda args, types, t, attrs: f"((({t})~{args[0]}))")

expression(E.minimum_p)(_binary(_minimum))


@expression(E.clip_p)  # minimum(maximum(x, lo), hi), NaN-propagating as numpy's
def _clip(args, types, t, attrs):
    return _minimum(_maximum(args[0], f"(({t}){args[1]})"), f"(({t}){args[2]})")


@expression(E.logical_not_p)
def _logical_not(args, types, t, attrs):
    return f"(({args[0]}) == 0)"


@expression(E.where_p)
def _where(args, types, t, attrs):
    return f"(({args[0]}) ? ({t})({args[1]}) : ({t})({args[2]}))"


@expression(E.cast_p)
def _cast(args, types, t, attrs):
    if t == "uint8_t" and attrs.get("dtype") == "bool":
        return f"(({args[0]}) != 0)"
    return args[0] if types[0] == t else f"(({t})({args[0]}))"


def _same_dtype(node: Apply) -> bool:
    return node.inputs[0].aval.dtype is node.aval.dtype


LOWERINGS[E.cast_p] = Lowering(_elementwise, view=_same_dtype)
expression(identity_p)(lambda args, types, t, attrs: args[0])
LOWERINGS[identity_p] = Lowering(_elementwise, view=lambda node: True)
expression(stop_gradient_p)(lambda args, types, t, attrs: args[0])
LOWERINGS[stop_gradient_p] = Lowering(_elementwise, view=lambda node: True)


# ------------------------------------------------------------------------------------------------
# Loops
# ------------------------------------------------------------------------------------------------


def _strides(shape: tuple[int, ...]) -> list[int]:
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return out[::-1]


def _broadcast_strides(shape: tuple[int, ...], out_shape: tuple[int, ...]) -> list[int]:
    """Element strides of a C-contiguous ``shape`` read as ``out_shape`` (0 on broadcast axes)."""
    pad = len(out_shape) - len(shape)
    full = (1,) * pad + tuple(shape)
    strides = _strides(full)
    return [0 if full[k] == 1 and out_shape[k] != 1 else strides[k] for k in range(len(full))]


def _coalesce(
    shape: tuple[int, ...], strides: list[list[int]]
) -> tuple[list[int], list[list[int]]]:
    """Merge adjacent axes that every operand walks contiguously; drop size-1 axes."""
    dims = list(shape)
    sts = [list(s) for s in strides]
    keep = [k for k, d in enumerate(dims) if d != 1]
    dims = [dims[k] for k in keep]
    sts = [[s[k] for k in keep] for s in sts]
    k = len(dims) - 2
    while k >= 0:
        if all(s[k] == s[k + 1] * dims[k + 1] for s in sts):
            dims[k] *= dims[k + 1]
            for s in sts:
                s[k] = s[k + 1]
                del s[k + 1]
            del dims[k + 1]
        k -= 1
    return dims, sts


def _loops(
    shape: tuple[int, ...],
    strides: list[list[int]],
    body: Callable[[list[str]], str],
    tag: str,
    pragma: str = "#pragma GCC ivdep",
) -> str:
    """Nested loops over ``shape``; ``body(offsets)`` is the innermost statement, given each
    operand's element offset expression; ``pragma`` precedes the innermost loop."""
    dims, sts = _coalesce(shape, strides)
    if not dims:
        return body(["0"] * len(strides)) + "\n"
    lines = []
    names = [f"{tag}{k}" for k in range(len(dims))]
    for k, (d, name) in enumerate(zip(dims, names)):
        if k == len(dims) - 1:
            lines.append(pragma)
        lines.append(f"{'  ' * k}for (int64_t {name} = 0; {name} < {d}; ++{name}) {{")
    offsets = []
    for s in sts:
        terms = [f"{n} * {st}" if st != 1 else n for n, st in zip(names, s) if st != 0]
        offsets.append(" + ".join(terms) if terms else "0")
    lines.append("  " * len(dims) + body(offsets))
    for k in reversed(range(len(dims))):
        lines.append("  " * k + "}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# Data movement
# ------------------------------------------------------------------------------------------------


@lowering(A.reshape_p, view=lambda node: True)
def _reshape(node: Apply, k: Kernel) -> str:
    """Only a reshape that is a graph output runs: a copy (the others share their input)."""
    nbytes = _size(node.aval.shape) * node.aval.dtype.itemsize
    return f"memcpy(out_, in0_, {nbytes});\n" if nbytes else ""


@lowering(A.assign_p)
def _assign(node: Apply, k: Kernel) -> str:  # target <- value, broadcast
    target, value = node.inputs
    t = _ctype(target.aval)
    strides = [_strides(target.aval.shape), _broadcast_strides(value.aval.shape, target.aval.shape)]
    return _loops(
        target.aval.shape, strides, lambda off: f"in0_[{off[0]}] = ({t})in1_[{off[1]}];", k.tag()
    )


def _copy(node: Apply, k: Kernel, source_strides: list[int]) -> str:
    out = node.aval.shape
    return _loops(
        out, [_strides(out), source_strides], lambda o: f"out_[{o[0]}] = in0_[{o[1]}];", k.tag()
    )


@lowering(A.broadcast_to_p)
def _broadcast_to(node: Apply, k: Kernel) -> str:
    return _copy(node, k, _broadcast_strides(node.inputs[0].aval.shape, node.aval.shape))


@lowering(A.transpose_p)
def _transpose(node: Apply, k: Kernel) -> str:
    shape = node.inputs[0].aval.shape
    src = _strides(shape)
    return _copy(node, k, [src[p % max(len(shape), 1)] for p in node.attrs["perm"]])


@lowering(A.concat_p)
def _concat(node: Apply, k: Kernel) -> str:
    out = node.aval
    t = _ctype(out)
    axis = node.attrs["axis"] % out.ndim
    out_strides = _strides(out.shape)
    code, at = [], 0
    for j, x in enumerate(node.inputs):
        base = at * out_strides[axis]
        code.append(
            _loops(
                x.aval.shape,
                [out_strides, _strides(x.aval.shape)],
                lambda off, j=j, base=base: f"out_[{base} + {off[0]}] = ({t})in{j}_[{off[1]}];",
                k.tag(),
            )
        )
        at += x.aval.shape[axis]
    return "".join(code)


@lowering(A.one_hot_p)
def _one_hot(node: Apply, k: Kernel) -> str | None:
    attrs, t = node.attrs, _ctype(node.aval)
    if attrs.get("axis", -1) not in (-1, node.aval.ndim - 1):
        return None
    depth = attrs["depth"]
    on, off = _value(attrs["on_value"], t), _value(attrs["off_value"], t)
    return (
        f"for (int64_t r = 0; r < {_size(node.inputs[0].aval.shape)}; ++r) {{\n"
        "  int64_t k = (int64_t)in0_[r];\n"
        f"  for (int64_t c = 0; c < {depth}; ++c) out_[r * {depth} + c] = (c == k) ? {on} : {off};\n"
        "}\n"
    )


#: An advanced index's table of element offsets is kept when it has at most this many entries.
_MAX_INDEX_TABLE = 1 << 22


def _index_plan(node: Apply) -> tuple | None:
    """How a getitem (or its gradient, index_add; or tile, pad) reaches the indexed tensor's
    elements: ``("strided", base, strides, shape)`` for basic indexing (ints, slices, None,
    Ellipsis), or ``("table", offsets, None, shape)`` (one int64 offset per indexed element, -1 for
    a padded one) for any other index; None when numpy cannot apply the index to that shape."""
    prim = _op(node)
    shape = tuple(node.attrs["shape"] if prim is A.index_add_p else node.inputs[0].aval.shape)
    grid = np.arange(_size(shape), dtype=np.int64).reshape(shape)
    try:
        if prim is A.tile_p:
            picked = np.tile(grid, node.attrs["reps"])
        elif prim is A.pad_p:  # -1 marks a constant-filled position
            pads, mode = node.attrs["pads"], node.attrs["mode"]
            if mode == "constant":
                picked = np.pad(grid, pads, mode="constant", constant_values=-1)
            else:
                picked = np.pad(grid, pads, mode={"reflect": "reflect", "replicate": "edge"}[mode])
        else:
            picked = grid[node.attrs["index"]]
    except (IndexError, TypeError, ValueError, KeyError):
        return None
    if picked.size and np.shares_memory(picked, grid):  # a view: basic indexing
        base = int(picked.reshape(-1)[0])
        return ("strided", base, [st // 8 for st in picked.strides], picked.shape)
    if picked.size <= _MAX_INDEX_TABLE:
        return ("table", np.ascontiguousarray(picked.reshape(-1)), None, picked.shape)
    return None


@lowering(A.getitem_p, A.index_add_p, A.tile_p, A.pad_p)
def _index(node: Apply, k: Kernel) -> str | None:
    """getitem, tile, pad: the indexed elements, copied out; index_add: zeros with the update
    added at the indexed elements (repeated positions accumulate, as numpy's add.at)."""
    plan = _index_plan(node)
    if plan is None:
        return None
    kind, base, strides, picked_shape = plan
    t = _ctype(node.aval)
    getting = _op(node) is not A.index_add_p
    clear = f"memset(out_, 0, {_size(node.aval.shape)} * sizeof({t}));\n"
    if kind == "strided":
        dense = _strides(picked_shape)
        if getting:
            return _loops(
                picked_shape,
                [dense, strides],
                lambda o: f"out_[{o[0]}] = in0_[{base} + {o[1]}];",
                k.tag(),
            )
        return clear + _loops(
            picked_shape,
            [strides, dense],
            lambda o: f"out_[{base} + {o[0]}] += in0_[{o[1]}];",
            k.tag(),
        )
    table = k.index_table(base)
    n = _size(picked_shape)
    if _op(node) is A.pad_p:  # a constant-filled position has offset -1
        fill = _value(node.attrs.get("value") or 0, t)
        return (
            f"for (int64_t r = 0; r < {n}; ++r) {{ int64_t k = ((const int64_t *){table})[r]; "
            f"out_[r] = k >= 0 ? in0_[k] : {fill}; }}\n"
        )
    if getting:
        return f"for (int64_t r = 0; r < {n}; ++r) out_[r] = in0_[((const int64_t *){table})[r]];\n"
    return (
        clear
        + f"for (int64_t r = 0; r < {n}; ++r) out_[((const int64_t *){table})[r]] += in0_[r];\n"
    )


_INDEX_DTYPES = ("int32", "int64", "uint8", "int8", "int16")


@lowering(A.gather_p, A.gather_grad_p)
def _gather(node: Apply, k: Kernel) -> str | None:
    """gather (rows of ``params`` along ``axis`` at ``indices``) and its gradient (those rows'
    cotangents added back). An index outside the axis raises, as the cpu kernel does."""
    if node.inputs[1].aval.dtype.name not in _INDEX_DTYPES:
        return None
    t = _ctype(node.aval)
    forward = _op(node) is A.gather_p
    shape = tuple(node.inputs[0].aval.shape if forward else node.attrs["shape"])
    axis = node.attrs["axis"] % len(shape)
    outer, inner, length = _size(shape[:axis]), _size(shape[axis + 1 :]), shape[axis]
    count = _size(node.inputs[1].aval.shape)
    check = (
        f"    int64_t k = (int64_t)in1_[r]; if (k < 0) k += {length};\n"
        f"    if (k < 0 || k >= {length}) {k.fail()}\n"
    )
    if forward:
        head = ""
        move = (
            f"memcpy(out_ + (q * {count} + r) * {inner}, in0_ + (q * {length} + k) * {inner}, "
            f"{inner} * sizeof({t}));"
        )
    else:
        head = f"memset(out_, 0, {_size(shape)} * sizeof({t}));\n"
        move = (
            f"for (int64_t j = 0; j < {inner}; ++j) out_[(q * {length} + k) * {inner} + j] += "
            f"in0_[(q * {count} + r) * {inner} + j];"
        )
    return (
        head
        + f"for (int64_t q = 0; q < {outer}; ++q) for (int64_t r = 0; r < {count}; ++r) {{\n"
        + check
        + f"    {move}\n}}\n"
    )


# ------------------------------------------------------------------------------------------------
# Reductions and scans
# ------------------------------------------------------------------------------------------------

# Sums may be reassociated across SIMD lanes (a tree of partial sums, no less accurate than the
# sequential order); max and min keep their order for numpy's NaN propagation.
_SIMD_SUM = "#pragma omp simd reduction(+:acc)"


def _axes(node: Apply, ndim: int) -> set[int]:
    axis = node.attrs.get("axis")
    return set(range(ndim)) if axis is None else {a % max(ndim, 1) for a in axis}


def _innermost(axes: set[int], ndim: int) -> bool:
    return axes == set(range(ndim - len(axes), ndim))


def _reduction(kind: Primitive) -> Rule:
    """sum, mean, amax, amin or prod (``kind``) over the node's axes."""

    def rule(node: Apply, k: Kernel) -> str | None:
        (x,) = node.inputs
        t = _ctype(node.aval)
        if node.aval.dtype.name not in _FLOATS | {"int32", "int64"} or x.aval.dtype.name == "bool":
            return None
        shape = x.aval.shape
        ndim = len(shape)
        axes = _axes(node, ndim)
        acc_t = "double" if t in _FLOAT_C else "int64_t"
        if kind is R.prod_p:
            init, op = "1", "acc *= v;"
        elif kind in (R.sum_p, R.mean_p):
            init, op = "0", "acc += v;"
        else:
            cmp = ">" if kind is R.amax_p else "<"
            init = "0"  # unused: the first element of each span seeds the accumulator
            nan = "v != v || " if t in _FLOAT_C else ""
            op, acc_t = f"if ({nan}v {cmp} acc) acc = v;", t
        count = math.prod(shape[a] for a in axes) if axes else 1
        finish = f"acc / {count}" if kind is R.mean_p else "acc"
        kept = [a for a in range(ndim) if a not in axes]
        if kept == list(range(len(kept))):  # reduced axes innermost: one contiguous run per output
            outer = math.prod(shape[a] for a in kept) if kept else 1
            seeded = kind in (R.amax_p, R.amin_p)
            simd = {
                R.sum_p: _SIMD_SUM,
                R.mean_p: _SIMD_SUM,
                R.prod_p: "#pragma omp simd reduction(*:acc)",
            }
            pragma = simd[kind] + "\n" if kind in simd else ""
            return (
                f"for (int64_t o = 0; o < {outer}; ++o) {{\n"
                f"  {acc_t} acc = {f'in0_[o * {count}]' if seeded else init};\n{pragma}"
                f"  for (int64_t r = {int(seeded)}; r < {count}; ++r) "
                f"{{ {acc_t} v = in0_[o * {count} + r]; {op} }}\n"
                f"  out_[o] = ({t})({finish});\n"
                "}\n"
            )
        # Otherwise: walk the input in memory order and accumulate into the output.
        kept_shape = tuple(1 if a in axes else shape[a] for a in range(ndim))
        out_strides = _broadcast_strides(kept_shape, shape)
        n_out = _size(node.aval.shape)
        if kind in (R.amax_p, R.amin_p):  # seeded with the first element of each reduced span
            first = [s if a not in axes else 0 for a, s in enumerate(_strides(shape))]
            seed = _loops(
                kept_shape,
                [_strides(kept_shape), first],
                lambda o: f"out_[{o[0]}] = in0_[{o[1]}];",
                k.tag(),
            )
            store = op.replace("acc", "*p")
            return seed + _loops(
                shape,
                [_strides(shape), out_strides],
                lambda o: f"{{ {t} v = in0_[{o[0]}]; {t} *p = &out_[{o[1]}]; {store} }}",
                k.tag(),
            )
        sym = "*=" if kind is R.prod_p else "+="
        code = f"for (int64_t o = 0; o < {n_out}; ++o) out_[o] = ({t}){init};\n" + _loops(
            shape,
            [_strides(shape), out_strides],
            lambda o: f"out_[{o[1]}] {sym} in0_[{o[0]}];",
            k.tag(),
        )
        if kind is R.mean_p:
            code += f"for (int64_t o = 0; o < {n_out}; ++o) out_[o] = ({t})(out_[o] / {count});\n"
        return code

    return rule


for _prim in (R.sum_p, R.mean_p, R.amax_p, R.amin_p, R.prod_p):
    lowering(_prim)(_reduction(_prim))


@lowering(R.argmax_p, R.argmin_p)
def _argextreme(node: Apply, k: Kernel) -> str | None:
    (x,) = node.inputs
    axis = node.attrs.get("axis")
    if x.aval.dtype.name not in _FLOATS | {"int32", "int64"} or not (
        axis is None or isinstance(axis, int)
    ):
        return None
    shape = x.aval.shape
    if axis is None:
        pre, n, inner = 1, _size(shape), 1
    else:
        axis %= len(shape)
        pre, n, inner = _size(shape[:axis]), shape[axis], _size(shape[axis + 1 :])
    xt = _ctype(x.aval)
    cmp = ">" if _op(node) is R.argmax_p else "<"
    nan = " || (v != v && best == best)" if xt in _FLOAT_C else ""
    return (
        f"for (int64_t q = 0; q < {pre}; ++q) for (int64_t j = 0; j < {inner}; ++j) {{\n"
        f"  const {xt} *r = in0_ + q * {n * inner} + j; {xt} best = r[0]; int64_t at = 0;\n"
        f"  for (int64_t i = 1; i < {n}; ++i) {{ {xt} v = r[i * {inner}]; "
        f"if (v {cmp} best{nan}) {{ best = v; at = i; }} }}\n"
        f"  out_[q * {inner} + j] = at;\n}}\n"
    )


def _rows(node: Apply) -> tuple[int, int] | None:
    """(outer, count) for a reduction over the innermost axes, else None."""
    shape = node.inputs[0].aval.shape
    axes = _axes(node, len(shape))
    if not _innermost(axes, len(shape)):
        return None
    count = _size(shape[len(shape) - len(axes) :])
    return _size(shape) // max(count, 1), count


@lowering(R.all_p, R.any_p)
def _all_any(node: Apply, k: Kernel) -> str | None:
    if (rows := _rows(node)) is None:
        return None
    outer, count = rows
    start, stop = ("1", "== 0") if _op(node) is R.all_p else ("0", "!= 0")
    return (
        f"for (int64_t q = 0; q < {outer}; ++q) {{\n  uint8_t acc = {start};\n"
        f"  for (int64_t j = 0; j < {count}; ++j) if (in0_[q * {count} + j] {stop}) "
        f"{{ acc = !{start}; break; }}\n  out_[q] = acc;\n}}\n"
    )


def _row_max_and_sum(t: str, n: int, finite: bool) -> str:
    """C statements over the row ``r`` of ``n`` values: ``m``, its maximum (NaN-propagating; 0
    when ``finite`` and the maximum is not finite, as logsumexp shifts), and ``s``, the sum of
    ``exp(r[j] - m)`` in double precision."""
    return (
        f"  {t} m = r[0];\n"
        f"  for (int64_t j = 1; j < {n}; ++j) if (r[j] > m || r[j] != r[j]) m = r[j];\n"
        + ("  if (!isfinite(m)) m = 0;\n" if finite else "")
        + f"  double s = 0;\n{_SIMD_SUM.replace('acc', 's')}\n"
        f"  for (int64_t j = 0; j < {n}; ++j) s += {_fn('exp', t)}(r[j] - m);\n"
    )


@lowering(R.logsumexp_p)
def _logsumexp(node: Apply, k: Kernel) -> str | None:
    t = _ctype(node.aval)
    if t not in _FLOAT_C or (rows := _rows(node)) is None:
        return None
    outer, count = rows
    return (
        f"for (int64_t q = 0; q < {outer}; ++q) {{\n"
        f"  const {t} *r = in0_ + q * {count};\n"
        + _row_max_and_sum(t, count, finite=True)
        + f"  out_[q] = ({t})({_fn('log', t)}(({t})s) + m);\n}}\n"
    )


@lowering(R.var_p)
def _var(node: Apply, k: Kernel) -> str | None:
    t = _ctype(node.aval)
    if t not in _FLOAT_C or (rows := _rows(node)) is None:
        return None
    outer, count = rows
    div = max(count - int(node.attrs.get("ddof", 0)), 0)
    return (
        f"for (int64_t q = 0; q < {outer}; ++q) {{\n"
        f"  const {t} *r = in0_ + q * {count}; double m = 0, v = 0;\n"
        f"{_SIMD_SUM.replace('acc', 'm')}\n"
        f"  for (int64_t j = 0; j < {count}; ++j) m += r[j];\n"
        f"  m /= {max(count, 1)};\n"
        f"{_SIMD_SUM.replace('acc', 'v')}\n"
        f"  for (int64_t j = 0; j < {count}; ++j) v += (r[j] - m) * (r[j] - m);\n"
        f"  out_[q] = ({t})(v / {div});\n}}\n"
    )


@lowering(R.cumsum_p)
def _cumsum(node: Apply, k: Kernel) -> str | None:
    t = _ctype(node.aval)
    if node.aval.dtype.name not in _FLOATS | {"int32", "int64"} or not _same_dtype(node):
        return None
    shape = node.inputs[0].aval.shape
    axis = node.attrs["axis"] % len(shape)
    pre, n, inner = _size(shape[:axis]), shape[axis], _size(shape[axis + 1 :])
    acc_t = "double" if t in _FLOAT_C else "int64_t"
    order = (
        f"for (int64_t i = {n - 1}; i >= 0; --i)"
        if node.attrs.get("reverse")
        else f"for (int64_t i = 0; i < {n}; ++i)"
    )
    return (
        f"for (int64_t q = 0; q < {pre}; ++q) for (int64_t j = 0; j < {inner}; ++j) {{\n"
        f"  {acc_t} acc = 0;\n  {order} {{\n"
        f"    int64_t at = (q * {n} + i) * {inner} + j; acc += in0_[at]; out_[at] = ({t})acc;\n"
        "  }\n}\n"
    )


# ------------------------------------------------------------------------------------------------
# Fused chains (graph-kernel fusion's ``fused`` nodes)
# ------------------------------------------------------------------------------------------------


def _ends_in_reduction(node: Apply) -> bool:
    prim = _op(node)
    return prim is not None and {"reduction", "fusable"} <= prim.traits


@lowering(fused_p)
def _fused(node: Apply, k: Kernel) -> str | None:
    """One loop nest for a fused chain: each input element read once, the result written once
    (or accumulated, when the chain ends in a reduction)."""
    sub: FuncGraph = node.attrs["graph"]
    if not sub.nodes or any(_ctype(v.aval) is None for v in (*sub.parameters, *sub.constants)):
        return None
    last = sub.nodes[-1]
    reduce = _ends_in_reduction(last)
    chain = sub.nodes[:-1] if reduce else sub.nodes
    if reduce and (
        last.aval.dtype.name not in _FLOATS or not chain or last.inputs[0] is not chain[-1]
    ):
        return None
    tag = k.tag()
    lines = []
    operands: list[tuple[int, str, tuple]] = []  # (node id, pointer name, shape)
    for j, p in enumerate(sub.parameters):
        operands.append((p.id, f"in{j}_", tuple(p.aval.shape)))
    for j, c in enumerate(sub.constants):
        ct = _ctype(c.aval)
        values = ", ".join(_value(v, ct) for v in c.value.reshape(-1))
        lines.append(f"static const {ct} {tag}c{j}[] = {{{values}}};")
        operands.append((c.id, f"{tag}c{j}", tuple(c.value.shape)))
    types = [_ctype(v.aval) for v in (*sub.parameters, *sub.constants)]
    local = {nid: f"p{j}" for j, (nid, _, _) in enumerate(operands)}
    statements = []
    for n in chain:
        if "elementwise" not in getattr(_op(n), "traits", ()) or _ctype(n.aval) is None:
            return None
        expr = element_expr(n, [local.get(i.id, f"v{i.id}") for i in n.inputs])
        if expr is None:
            return None
        statements.append(f"{_ctype(n.aval)} v{n.id} = {expr};")
    chain_code, value = " ".join(statements), f"v{chain[-1].id}"

    def compute(off: list[str]) -> str:  # each operand's element into its local, then the chain
        loads = " ".join(
            f"{t} p{j} = {ptr}[{x}];"
            for j, (t, (_, ptr, _), x) in enumerate(zip(types, operands, off))
        )
        return f"{loads} {chain_code}"

    shape = tuple(chain[-1].aval.shape)
    ndim = len(shape)
    t_out = _ctype(node.aval)
    op_strides = [_broadcast_strides(sh, shape) for _, _, sh in operands]
    if not reduce:
        body = lambda off: f"{{ {compute(off[1:])} out_[{off[0]}] = {value}; }}"  # noqa: E731
        lines.append(_loops(shape, [_strides(shape), *op_strides], body, tag))
        return "\n".join(lines) + "\n"

    axes = _axes(last, ndim)
    count = math.prod(shape[a] for a in axes) if axes else 1
    summing = _op(last) in (R.sum_p, R.mean_p)
    if summing:
        init, update = "0", f"acc += {value};"
    else:
        init = "-INFINITY" if _op(last) is R.amax_p else "INFINITY"
        cmp = ">" if _op(last) is R.amax_p else "<"
        update = f"if ({value} != {value} || {value} {cmp} acc) acc = {value};"
    mean = _op(last) is R.mean_p
    split = ndim - len(axes)
    if _innermost(axes, ndim):  # reduced axes innermost: a running double per output
        outer_shape, inner_shape = shape[:split], shape[split:]

        def outer_body(outer_off: list[str]) -> str:
            def inner_body(inner_off: list[str]) -> str:
                offs = [f"({a}) + ({b})" for a, b in zip(outer_off[1:], inner_off)]
                return f"{{ {compute(offs)} {update} }}"

            pragma = _SIMD_SUM if summing else "#pragma GCC ivdep"
            inner = _loops(
                inner_shape, [s[split:] for s in op_strides], inner_body, tag + "r", pragma
            )
            finish = f"acc / {count}" if mean else "acc"
            return f"{{ double acc = {init};\n{inner}out_[{outer_off[0]}] = ({t_out})({finish}); }}"

        outer_strides = [_strides(outer_shape), *(s[:split] for s in op_strides)]
        lines.append(_loops(outer_shape, outer_strides, outer_body, tag))
        return "\n".join(lines) + "\n"
    # Other axes: accumulate into the output in memory order.
    kept_shape = tuple(1 if a in axes else shape[a] for a in range(ndim))
    n_out = _size(node.aval.shape)
    lines.append(f"for (int64_t q = 0; q < {n_out}; ++q) out_[q] = ({t_out})({init});")
    store = update.replace("acc", "*p")
    red_strides = _broadcast_strides(kept_shape, shape)
    mem_body = lambda off: f"{{ {compute(off[1:])} {t_out} *p = &out_[{off[0]}]; {store} }}"  # noqa: E731
    lines.append(_loops(shape, [red_strides, *op_strides], mem_body, tag))
    if mean:
        lines.append(
            f"for (int64_t q = 0; q < {n_out}; ++q) out_[q] = ({t_out})(out_[q] / {count});"
        )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------
# Neural-network ops
# ------------------------------------------------------------------------------------------------


def _gemm(t: str) -> str:
    return "scipy_cblas_sgemm" if t == "float" else "scipy_cblas_dgemm"


@lowering(N.matmul_p)
def _matmul(node: Apply, k: Kernel) -> str | None:
    a, b = (i.aval for i in node.inputs)
    t = _ctype(node.aval)
    if t not in _FLOAT_C or not (a.dtype is b.dtype is node.aval.dtype):
        return None
    if a.ndim < 2 or b.ndim < 2 or not (a.shape[:-2] == b.shape[:-2] or a.ndim == 2 or b.ndim == 2):
        return None
    ta, tb = bool(node.attrs.get("transpose_a")), bool(node.attrs.get("transpose_b"))
    m, n = node.aval.shape[-2:]
    depth = a.shape[-2] if ta else a.shape[-1]
    lda, ldb = a.shape[-1], b.shape[-1]
    batch = _size(node.aval.shape[:-2])
    a_step = _size(a.shape[-2:]) if a.ndim > 2 else 0
    b_step = _size(b.shape[-2:]) if b.ndim > 2 else 0
    if m == 0 or n == 0:
        return ""
    if depth == 0:
        return f"memset(out_, 0, {batch * m * n} * sizeof({t}));\n"
    trans = {True: "CblasTrans", False: "CblasNoTrans"}
    if m == 1:
        # A row vector times a matrix: OpenBLAS's gemm at M=1 runs about 6x slower than its
        # gemv (120 us against 20 us for 1x784 @ 784x512 here), so call gemv on B: y = op(B)^T x,
        # x being A's one row (or, transposed, its one column: stride lda).
        gemv = "scipy_cblas_sgemv" if t == "float" else "scipy_cblas_dgemv"
        rows, cols = (n, depth) if tb else (depth, n)
        call = (
            f"{gemv}(CblasRowMajor, {trans[not tb]}, {rows}, {cols}, 1, in1_ + q * {b_step}, "
            f"{ldb}, in0_ + q * {a_step}, {lda if ta else 1}, 0, out_ + q * {n}, 1);"
        )
    else:
        call = (
            f"{_gemm(t)}(CblasRowMajor, {trans[ta]}, {trans[tb]}, {m}, {n}, {depth}, 1, "
            f"in0_ + q * {a_step}, {lda}, in1_ + q * {b_step}, {ldb}, 0, out_ + q * {m * n}, {n});"
        )
    return f"for (int64_t q = 0; q < {batch}; ++q) {call}\n"


def _last_axis_rows(node: Apply) -> tuple[int, int] | None:
    x = node.inputs[0].aval
    if (
        node.aval.dtype.name not in _FLOATS
        or x.ndim < 1
        or node.attrs["axis"] % x.ndim != x.ndim - 1
    ):
        return None
    n = x.shape[-1]
    return _size(x.shape) // max(n, 1), n


@lowering(N.softmax_p, N.log_softmax_p)
def _softmax(node: Apply, k: Kernel) -> str | None:
    if (shape := _last_axis_rows(node)) is None:
        return None
    rows, n = shape
    t = _ctype(node.aval)
    exp, log = _fn("exp", t), _fn("log", t)
    if _op(node) is N.softmax_p:
        tail = (
            f"  for (int64_t c = 0; c < {n}; ++c) {{ {t} v = {exp}(xr[c] - m); orow[c] = v; s += v; }}\n"
            f"  for (int64_t c = 0; c < {n}; ++c) orow[c] = ({t})(orow[c] / s);\n"
        )
    else:
        tail = (
            f"  for (int64_t c = 0; c < {n}; ++c) s += {exp}(xr[c] - m);\n"
            f"  {t} ls = ({t}){log}(({t})s);\n"
            f"  for (int64_t c = 0; c < {n}; ++c) orow[c] = (xr[c] - m) - ls;\n"
        )
    return (
        f"for (int64_t r = 0; r < {rows}; ++r) {{\n"
        f"  const {t} *xr = in0_ + r * {n}; {t} *orow = out_ + r * {n};\n"
        f"  {t} m = xr[0];\n"
        f"  for (int64_t c = 1; c < {n}; ++c) if (xr[c] > m || xr[c] != xr[c]) m = xr[c];\n"
        f"  {t} s = 0;\n" + tail + "}\n"
    )


@lowering(N.sparse_softmax_cross_entropy_p)
def _sparse_softmax_cross_entropy(node: Apply, k: Kernel) -> str | None:
    """Per row: log-sum-exp minus the label's logit."""
    t = _ctype(node.aval)
    if t not in _FLOAT_C or node.inputs[1].aval.dtype.name not in ("int32", "int64"):
        return None
    rows, n = node.inputs[0].aval.shape
    return (
        f"for (int64_t q = 0; q < {rows}; ++q) {{\n"
        f"  const {t} *r = in0_ + q * {n};\n"
        "  int64_t k = (int64_t)in1_[q];\n"
        f"  if (k < 0 || k >= {n}) {k.fail()}\n"
        + _row_max_and_sum(t, n, finite=False)
        + f"  out_[q] = ({t})({_fn('log', t)}(({t})s) - (r[k] - m));\n}}\n"
    )


@lowering(A.apply_momentum_p)
def _apply_momentum(node: Apply, k: Kernel) -> str | None:
    v, a, g = (i.aval for i in node.inputs)
    t = _ctype(node.aval)
    if t not in _FLOAT_C or not (v.shape == a.shape == g.shape and v.dtype is a.dtype is g.dtype):
        return None
    lr, m = _lit(node.attrs["lr"], t), _lit(node.attrs["momentum"], t)
    update = (
        f"in0_[j] -= {lr} * (in2_[j] + {m} * in1_[j]);"
        if node.attrs.get("use_nesterov")
        else f"in0_[j] -= {lr} * in1_[j];"
    )
    return (
        "#pragma GCC ivdep\n"
        f"for (int64_t j = 0; j < {_size(node.aval.shape)}; ++j) {{\n"
        f"  in1_[j] = in1_[j] * {m} + in2_[j];\n  {update}\n}}\n"
    )


def _conv_geometry(node: Apply) -> dict[str, int]:
    """Sizes of a convolution node: batch, channels, image, kernel, output, and attributes."""
    attrs, prim = node.attrs, _op(node)
    if prim is N.conv2d_p:
        x, w = (i.aval for i in node.inputs)
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        oh, ow = node.aval.shape[2:]
    elif prim is N.conv2d_grad_weight_p:
        x, dout = (i.aval for i in node.inputs)
        n, c, h, wd = x.shape
        o, oh, ow = dout.shape[1], dout.shape[2], dout.shape[3]
        kh, kw = attrs["kernel_hw"]
    else:  # conv_transpose2d: (dout, w) -> dx
        dout, w = (i.aval for i in node.inputs)
        n, o, oh, ow = dout.shape
        _, c, kh, kw = w.shape
        h, wd = attrs["in_hw"]
    (sh, sw), (dh, dw) = attrs["stride"], attrs["dilation"]
    pt, _, pl, _ = attrs["pads"]
    names = ("n", "c", "h", "w", "o", "kh", "kw", "oh", "ow", "sh", "sw", "dh", "dw", "pt", "pl")
    return dict(zip(names, (n, c, h, wd, o, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl)))


def _window_hw(g: dict[str, int]) -> tuple[int, int]:
    """The rows and columns, padding included, that a convolution's windows span."""
    hp = (g["oh"] - 1) * g["sh"] + (g["kh"] - 1) * g["dh"] + 1
    return hp, (g["ow"] - 1) * g["sw"] + (g["kw"] - 1) * g["dw"] + 1


def _all_inside(g: dict[str, int]) -> bool:
    hp, wp = _window_hw(g)
    return g["pt"] == g["pl"] == 0 and hp <= g["h"] and wp <= g["w"]


def _padded_hw(g: dict[str, int], scatter: bool) -> tuple[int, int] | None:
    """The rows and columns of the zero-padded copy of a sample that a padded convolution's
    windows go through, or None where they read the sample itself: every tap inside it, a
    negative pad, or a col2im with few taps per pixel (stride 2: zeroing and copying back the
    padded image costs more than testing every tap)."""
    hp, wp = _window_hw(g)
    if _all_inside(g) or g["pt"] < 0 or g["pl"] < 0:
        return None
    if scatter and g["kh"] * g["kw"] * g["oh"] * g["ow"] < 4 * hp * wp:
        return None
    return hp, wp


def _window_loops(
    g: dict[str, int], t: str, x: str, col: str, scatter: bool, pad: str | None = None
) -> str:
    """im2col of sample ``q`` of ``x`` into ``col`` (K x P), or (``scatter``) col2im: add
    ``col`` back into sample ``q`` of ``x``. A padded convolution goes through a zero-padded
    copy of the sample in ``pad`` (``_padded_hw`` elements per channel): the windows then read
    without bounds checks and the row loops vectorize (a 3x3 conv's im2col at 8x8 runs 2.5x
    faster than testing every tap, a 7x7 stride-2 stem's 4x). The same values, and the same
    additions in the same order, as testing every tap."""
    c, h, w, kh, kw, oh, ow = g["c"], g["h"], g["w"], g["kh"], g["kw"], g["oh"], g["ow"]
    sh, sw, dh, dw, pt, pl = g["sh"], g["sw"], g["dh"], g["dw"], g["pt"], g["pl"]
    sample = f"{x} + q * {c * h * w}"

    def windows(src: str, hh: int, ww: int, body: str) -> str:
        return (
            f"for (int64_t ch = 0; ch < {c}; ++ch) {{\n"
            f"  {'' if scatter else 'const '}{t} *xs = {src} + ch * {hh * ww};\n"
            f"  for (int64_t i = 0; i < {kh}; ++i) for (int64_t j = 0; j < {kw}; ++j) {{\n"
            f"    {'const ' if scatter else ''}{t} *cr = {col} + ((ch * {kh} + i) * {kw} + j) * {oh * ow};\n"
            f"    for (int64_t oy = 0; oy < {oh}; ++oy) {{\n{body}    }}\n  }}\n}}\n"
        )

    def inside(src: str, hh: int, ww: int) -> str:  # every tap is inside the image
        cell, tap = (
            f"cr[oy * {ow} + ox]",
            f"xs[(oy * {sh} + i * {dh}) * {ww} + ox * {sw} + j * {dw}]",
        )
        return windows(
            src,
            hh,
            ww,
            "#pragma GCC ivdep\n"
            f"      for (int64_t ox = 0; ox < {ow}; ++ox) "
            + (f"{tap} += {cell};" if scatter else f"{cell} = {tap};")
            + "\n",
        )

    if _all_inside(g):
        return inside(sample, h, w)
    padded = _padded_hw(g, scatter)
    if padded is None or pad is None:  # test every tap
        test = f"iy >= 0 && iy < {h} && ix >= 0 && ix < {w}"
        body = (
            f"if ({test}) xs[iy * {w} + ix] += cr[oy * {ow} + ox];"
            if scatter
            else f"cr[oy * {ow} + ox] = ({test}) ? xs[iy * {w} + ix] : 0;"
        )
        return windows(
            sample,
            h,
            w,
            f"      int64_t iy = oy * {sh} - {pt} + i * {dh};\n"
            f"      for (int64_t ox = 0; ox < {ow}; ++ox) {{\n"
            f"        int64_t ix = ox * {sw} - {pl} + j * {dw};\n"
            f"        {body}\n      }}\n",
        )
    hp, wp = padded
    # the padded image: `top` rows of zeros, `rows` of the sample's, `bottom` of zeros; the
    # same across (`left`, `cols`, `right`). Only what the windows read.
    top, left = min(pt, hp), min(pl, wp)
    rows, cols = max(0, min(h, hp - pt)), max(0, min(w, wp - pl))
    bottom, right = hp - top - rows, wp - left - cols
    size = f" * sizeof({t})"
    if scatter:  # col2im into the zeroed padded image, then its inside into the sample
        return (
            f"{{\n{t} *xp = {pad};\nmemset(xp, 0, {c * hp * wp}{size});\n"
            + inside("xp", hp, wp)
            + f"for (int64_t ch = 0; ch < {c}; ++ch) for (int64_t y = 0; y < {rows}; ++y)\n"
            f"  memcpy({sample} + ch * {h * w} + y * {w}, xp + (ch * {hp} + y + {pt}) * {wp} + {pl}, "
            f"{cols}{size});\n}}\n"
        )
    return (
        f"{{\n{t} *xp = {pad};\n"
        f"for (int64_t ch = 0; ch < {c}; ++ch) {{\n"
        f"  const {t} *xs = {sample} + ch * {h * w};\n"
        f"  {t} *pc = xp + ch * {hp * wp};\n"
        + (f"  memset(pc, 0, {top * wp}{size});\n" if top else "")
        + f"  for (int64_t y = 0; y < {rows}; ++y) {{\n"
        f"    {t} *pr = pc + (y + {pt}) * {wp};\n"
        + (f"    memset(pr, 0, {left}{size});\n" if left else "")
        + f"    memcpy(pr + {left}, xs + y * {w}, {cols}{size});\n"
        + (f"    memset(pr + {left + cols}, 0, {right}{size});\n" if right else "")
        + "  }\n"
        + (f"  memset(pc + {(top + rows) * wp}, 0, {bottom * wp}{size});\n" if bottom else "")
        + "}\n"
        + inside("xp", hp, wp)
        + "}\n"
    )


@lowering(N.conv2d_p, N.conv2d_grad_weight_p, N.conv_transpose2d_p)
def _conv(node: Apply, k: Kernel) -> str | None:
    """conv2d and its two gradients by im2col (or col2im) into a column buffer and one GEMM per
    sample."""
    a, b = (i.aval for i in node.inputs)
    t = _ctype(node.aval)
    if t not in _FLOAT_C or not (a.dtype is b.dtype is node.aval.dtype and a.ndim == b.ndim == 4):
        return None
    if node.attrs.get("groups", 1) != 1:
        return None
    g, prim = _conv_geometry(node), _op(node)
    depth, p = g["c"] * g["kh"] * g["kw"], g["oh"] * g["ow"]
    padded = _padded_hw(g, prim is N.conv_transpose2d_p)  # the padded sample, after the columns
    extra = g["c"] * padded[0] * padded[1] if padded else 0
    col = f"(({t} *){k.scratch((depth * p + extra) * node.aval.dtype.itemsize)})"
    pad = f"({col} + {depth * p})" if padded else None
    gemm = _gemm(t)
    if prim is N.conv2d_p:  # out[q] (O x P) = W (O x K) @ col (K x P)
        return (
            f"for (int64_t q = 0; q < {g['n']}; ++q) {{\n"
            + _window_loops(g, t, "in0_", col, False, pad)
            + f"{gemm}(CblasRowMajor, CblasNoTrans, CblasNoTrans, {g['o']}, {p}, {depth}, 1, in1_, "
            f"{depth}, {col}, {p}, 0, out_ + q * {g['o'] * p}, {p});\n}}\n"
        )
    if prim is N.conv2d_grad_weight_p:  # dW (O x K) = sum_q dout[q] (O x P) @ col^T (P x K)
        return (
            f"for (int64_t q = 0; q < {g['n']}; ++q) {{\n"
            + _window_loops(g, t, "in0_", col, False, pad)
            + f"{gemm}(CblasRowMajor, CblasNoTrans, CblasTrans, {g['o']}, {depth}, {p}, 1, "
            f"in1_ + q * {g['o'] * p}, {p}, {col}, {p}, q ? 1 : 0, out_, {depth});\n}}\n"
        )
    # conv_transpose2d: col = W^T (K x O) @ dout[q] (O x P); dx[q] = col2im(col)
    return (
        f"memset(out_, 0, {g['n'] * g['c'] * g['h'] * g['w']} * sizeof({t}));\n"
        f"for (int64_t q = 0; q < {g['n']}; ++q) {{\n"
        f"{gemm}(CblasRowMajor, CblasTrans, CblasNoTrans, {depth}, {p}, {g['o']}, 1, in1_, {depth}, "
        f"in0_ + q * {g['o'] * p}, {p}, 0, {col}, {p});\n"
        + _window_loops(g, t, "out_", col, True, pad)
        + "}\n"
    )


def _pool_unpadded(
    node: Apply, nchw: tuple, kernel: tuple, st: tuple, out_hw: tuple, t: str
) -> str:
    """Max pooling without padding: every tap is inside, the taps are unrolled and the window
    loop is branch-free (selects), so it vectorizes. The gradient of non-overlapping windows
    writes each input position once; overlapping ones accumulate."""
    n, c, h, w = nchw
    (kh, kw), (sh, sw), (oh, ow) = kernel, st, out_hw
    taps = [i * w + j for i in range(kh) for j in range(kw)]
    # Every tap into a local first, then the maximum, then (gradient) the first tap equal to it:
    # no store between the loads (a store through another float pointer would force reloads).
    loads = " ".join(f"{t} v{j} = b[{off}];" for j, off in enumerate(taps))
    peak = "".join(f" m = (m > v{j} || m != m) ? m : v{j};" for j in range(1, len(taps)))
    loop = (
        f"for (int64_t pl_ = 0; pl_ < {n * c}; ++pl_) {{\n"
        f"  const {t} *xp = in0_ + pl_ * {h * w};\n"
        f"  for (int64_t oy = 0; oy < {oh}; ++oy) {{\n"
        "#pragma GCC ivdep\n"
        f"    for (int64_t ox = 0; ox < {ow}; ++ox) {{\n"
        f"      const {t} *b = xp + oy * {sh * w} + ox * {sw};\n"
        f"      {loads}\n      {t} m = v0;{peak}\n"
    )
    if _op(node) is N.max_pool2d_p:
        return loop + f"      out_[(pl_ * {oh} + oy) * {ow} + ox] = m;\n    }}\n  }}\n}}\n"
    tiled = (sh, sw) == (kh, kw)
    exact = tiled and oh * kh == h and ow * kw == w
    op = "=" if tiled else "+="
    first = " ".join(f"int h{j} = (v{j} == m) & !seen; seen |= h{j};" for j in range(len(taps)))
    stores = " ".join(f"db[{off}] {op} h{j} ? dv : 0;" for j, off in enumerate(taps))
    clear = "" if exact else f"memset(out_, 0, {n * c * h * w} * sizeof({t}));\n"
    return (
        clear
        + loop
        + f"      {t} dv = in1_[(pl_ * {oh} + oy) * {ow} + ox]; int seen = 0; {first}\n"
        f"      {t} *db = out_ + pl_ * {h * w} + oy * {sh * w} + ox * {sw};\n"
        f"      {stores}\n    }}\n  }}\n}}\n"
    )


@lowering(N.max_pool2d_p, N.max_pool2d_grad_p)
def _max_pool(node: Apply, k: Kernel) -> str | None:
    """max_pool2d (NaN-propagating, padding never wins) and its gradient, which sends each
    window's cotangent to the window's first maximum, as the cpu kernel does."""
    x = node.inputs[0]
    if node.aval.dtype.name not in _FLOATS or x.aval.ndim != 4:
        return None
    n, c, h, w = x.aval.shape
    (kh, kw), (sh, sw) = node.attrs["kernel"], node.attrs["stride"]
    pt, _, pl, _ = node.attrs["pads"]
    t = _ctype(node.aval)
    grad = _op(node) is N.max_pool2d_grad_p
    oh, ow = (node.inputs[1].aval.shape if grad else node.aval.shape)[2:]
    if not any(node.attrs["pads"]):
        return _pool_unpadded(node, (n, c, h, w), (kh, kw), (sh, sw), (oh, ow), t)
    head = (
        f"for (int64_t pl_ = 0; pl_ < {n * c}; ++pl_) {{\n"
        f"  const {t} *xp = in0_ + pl_ * {h * w};\n"
        f"  for (int64_t oy = 0; oy < {oh}; ++oy) for (int64_t ox = 0; ox < {ow}; ++ox) {{\n"
        f"    {t} m = -INFINITY; int64_t at = -1;\n"
        f"    for (int64_t i = 0; i < {kh}; ++i) for (int64_t j = 0; j < {kw}; ++j) {{\n"
        f"      int64_t iy = oy * {sh} - {pt} + i, ix = ox * {sw} - {pl} + j;\n"
        f"      if (iy < 0 || iy >= {h} || ix < 0 || ix >= {w}) continue;\n"
        f"      {t} v = xp[iy * {w} + ix];\n"
        "      if (m != m) continue;\n"
        "      if (v != v) { m = v; at = -1; }\n"
        f"      else if (v > m || (at < 0 && v == m)) {{ m = v; at = iy * {w} + ix; }}\n"
        "    }\n"
    )
    if not grad:
        return head + f"    out_[(pl_ * {oh} + oy) * {ow} + ox] = m;\n  }}\n}}\n"
    return (
        f"memset(out_, 0, {n * c * h * w} * sizeof({t}));\n"
        + head
        + f"    if (at >= 0) out_[pl_ * {h * w} + at] += in1_[(pl_ * {oh} + oy) * {ow} + ox];\n"
        "  }\n}\n"
    )


@lowering(
    N.avg_pool2d_p, N.avg_pool2d_grad_p, N.adaptive_avg_pool2d_p, N.adaptive_avg_pool2d_grad_p
)
def _avg_pool(node: Apply, k: Kernel) -> str | None:
    """Average pooling (zero padding counted in the window, as the cpu kernels) and adaptive
    average pooling (window bounds computed here), forward and gradient."""
    if node.aval.dtype.name not in _FLOATS or node.aval.ndim != 4:
        return None
    t = _ctype(node.aval)
    a, prim = node.attrs, _op(node)
    grad = prim in (N.avg_pool2d_grad_p, N.adaptive_avg_pool2d_grad_p)
    adaptive = prim in (N.adaptive_avg_pool2d_p, N.adaptive_avg_pool2d_grad_p)
    x = node.inputs[0]
    big = tuple(a["in_shape"]) if grad else tuple(x.aval.shape)  # the input side of the pool
    small = tuple(x.aval.shape) if grad else tuple(node.aval.shape)  # the pooled side
    n, c, h, w = big
    oh, ow = small[2:]
    if adaptive:
        rows = [((i * h) // oh, -((-(i + 1) * h) // oh)) for i in range(oh)]
        cols = [((j * w) // ow, -((-(j + 1) * w) // ow)) for j in range(ow)]
    else:
        (kh, kw), (sh, sw) = a["kernel"], a["stride"]
        pt, pl = a["pads"][0], a["pads"][2]
        rows = [(i * sh - pt, i * sh - pt + kh) for i in range(oh)]
        cols = [(j * sw - pl, j * sw - pl + kw) for j in range(ow)]
    tag = k.tag()
    bounds = (
        f"static const int64_t {tag}r[] = {{{', '.join(f'{r0}, {r1}' for r0, r1 in rows)}}};\n"
        f"static const int64_t {tag}c[] = {{{', '.join(f'{c0}, {c1}' for c0, c1 in cols)}}};\n"
    )
    if adaptive:
        area = f"(({tag}r[2 * i + 1] - {tag}r[2 * i]) * ({tag}c[2 * j + 1] - {tag}c[2 * j]))"
    else:
        area = str(a["kernel"][0] * a["kernel"][1])
    head = (
        f"for (int64_t pl_ = 0; pl_ < {n * c}; ++pl_)\n"
        f"  for (int64_t i = 0; i < {oh}; ++i) for (int64_t j = 0; j < {ow}; ++j) {{\n"
        f"    int64_t y0 = {tag}r[2 * i] < 0 ? 0 : {tag}r[2 * i], "
        f"y1 = {tag}r[2 * i + 1] > {h} ? {h} : {tag}r[2 * i + 1];\n"
        f"    int64_t x0 = {tag}c[2 * j] < 0 ? 0 : {tag}c[2 * j], "
        f"x1 = {tag}c[2 * j + 1] > {w} ? {w} : {tag}c[2 * j + 1];\n"
    )
    if not grad:
        return (
            bounds + head + f"    double s = 0; const {t} *xp = in0_ + pl_ * {h * w};\n"
            "    for (int64_t y = y0; y < y1; ++y) for (int64_t xx = x0; xx < x1; ++xx) "
            f"s += xp[y * {w} + xx];\n"
            f"    out_[(pl_ * {oh} + i) * {ow} + j] = ({t})(s / {area});\n  }}\n"
        )
    return (
        bounds
        + f"memset(out_, 0, {n * c * h * w} * sizeof({t}));\n"
        + head
        + f"    {t} share = in0_[(pl_ * {oh} + i) * {ow} + j] / {area}; "
        f"{t} *dp = out_ + pl_ * {h * w};\n"
        "    for (int64_t y = y0; y < y1; ++y) for (int64_t xx = x0; xx < x1; ++xx) "
        f"dp[y * {w} + xx] += share;\n  }}\n"
    )


# ------------------------------------------------------------------------------------------------
# 1. Selection
# ------------------------------------------------------------------------------------------------


@dataclass
class Selected:
    """A node the native device computes: its C statements and what they asked for."""

    code: str
    scratch_bytes: int = 0
    table: np.ndarray | None = None
    view: bool = False  # may share its first input's storage (then runs no code)


def _select(node: Apply, status_id: int | None = None) -> Selected | None:
    """``node``'s lowering, or None: it runs on its cpu kernel. ``status_id``: the node id its
    bad-input check reports (a nested graph's node reports its loop's)."""
    lowered = LOWERINGS.get(_op(node))
    if lowered is None or not isinstance(node.aval, ShapedArray) or _ctype(node.aval) is None:
        return None
    if any(not isinstance(i.aval, ShapedArray) or _ctype(i.aval) is None for i in node.inputs):
        return None
    kernel = Kernel(node, status_id)
    code = lowered.rule(node, kernel)
    if code is None:
        return None
    in_place = "in_place" in _op(node).traits
    view = in_place or (lowered.view is not None and lowered.view(node))
    return Selected(code, kernel.scratch_bytes, kernel.table, view)


@dataclass
class Loop:
    """A ``while_loop`` lowered whole: every node of its condition and body graphs selected, so
    the loop is one C ``for`` over carry buffers in the workspace, and one C call. Filled in by
    storage planning: each carry's buffer slot, and each nested graph's slots by node id."""

    node: Apply
    graphs: tuple[FuncGraph, FuncGraph]  # condition, body
    selected: tuple[dict[int, Selected], dict[int, Selected]]
    carries: list[int] = field(default_factory=list)
    slot_of: tuple[dict[int, int], dict[int, int]] = field(default_factory=lambda: ({}, {}))
    extra: tuple[dict, dict] = field(default_factory=lambda: ({}, {}))


def _select_loop(node: Apply, output_ids: set[int]) -> Loop | None:
    """``node`` as a :class:`Loop`, or None (it runs on its cpu kernel, each iteration a graph
    run): not a ``while_loop``, a graph output itself, or a nested node without C (control flow
    inside, an in-place update, a dtype C lacks), or a body that swaps two carries."""
    if _op(node) is not C.while_p or node.id in output_ids:
        return None
    graphs = (node.attrs["cond_graph"], node.attrs["body_graph"])
    chosen: list[dict[int, Selected]] = []
    for g in graphs:
        if any(_ctype(p.aval) is None or not isinstance(p.aval, ShapedArray) for p in g.parameters):
            return None
        picked = {}
        for m in g.nodes:
            selected = _select(m, status_id=node.id)
            if selected is None or "in_place" in _op(m).traits:
                return None
            picked[m.id] = selected
        chosen.append(picked)
    carry_ids = [p.id for p in graphs[1].parameters[: node.attrs["num_carry"]]]
    for j, o in enumerate(graphs[1].outputs):  # carry j <- carry k, k != j: copies would clash
        if o.id in carry_ids and o.id != carry_ids[j]:
            return None
    return Loop(node, graphs, (chosen[0], chosen[1]))


# ------------------------------------------------------------------------------------------------
# 2. Storage planning
# ------------------------------------------------------------------------------------------------


@dataclass
class Slot:
    """Where a value lives: ``kind`` is ``param``, ``const``, ``work``, ``out`` or ``tuple`` (a
    control-flow node's tuple of arrays, held by the runtime as a Python object: no storage)."""

    index: int
    kind: str
    shape: tuple[int, ...]
    dtype: np.dtype
    offset: int = 0  # work: byte offset in the workspace
    position: int = 0  # param: the graph parameter's position; out: the output's position
    value: np.ndarray | None = None  # const


@dataclass
class Storage:
    slots: list[Slot]
    slot_of: dict[int, int]  # node id -> its value's slot
    extra: dict[int, tuple[str, int]]  # node id -> (pointer name, slot) of its scratch or table
    roots: dict[int, int]  # node id -> the node whose storage it shares
    memory_plan: MemoryPlan  # the workspace
    loops: dict[int, Loop] = field(default_factory=dict)  # while_loop node id -> its Loop
    carried: dict[int, int] = field(default_factory=dict)  # its tuple_getitem -> carry's slot


def _plan_storage(
    graph: FuncGraph, selected: dict[int, Selected], loops: dict[int, Loop]
) -> Storage:
    nodes = graph.nodes
    output_ids = {o.id for o in graph.outputs}
    # Storage roots: views and in-place updates share their input's storage. A view that is an
    # output while its root is not would hand out the workspace: it gets storage (and copies).
    roots: dict[int, int] = {}
    for n in nodes:
        chosen = selected.get(n.id)
        in_place = chosen is not None and "in_place" in _op(n).traits
        if chosen is not None and chosen.view and (in_place or n.id not in output_ids):
            roots[n.id] = roots.get(n.inputs[0].id, n.inputs[0].id)

    def root(node: Node) -> int:
        return roots.get(node.id, node.id)

    slots: list[Slot] = []
    slot_of: dict[int, int] = {}

    def add(kind: str, shape: tuple, dtype: Any, **kw: Any) -> int:
        slots.append(Slot(len(slots), kind, tuple(shape), np.dtype(dtype), **kw))
        return len(slots) - 1

    add("const", (1,), np.int64, value=np.zeros(1, np.int64))  # slot 0: the status
    for position, p in enumerate(graph.parameters):
        slot_of[p.id] = add("param", p.aval.shape, p.aval.dtype.np, position=position)
    for c in graph.constants:
        slot_of[c.id] = add(
            "const", c.aval.shape, c.aval.dtype.np, value=np.ascontiguousarray(c.value)
        )

    # Liveness of each root, in steps.
    last: dict[int, int] = {}
    for step, n in enumerate(nodes):
        for i in n.inputs:
            last[root(i)] = step
        last[root(n)] = max(last.get(root(n), step), step)
    for o in graph.outputs:
        last[root(o)] = len(nodes)
    # A tuple's elements may be its node's inputs themselves: those stay alive as long as it does.
    for n in reversed(nodes):
        if isinstance(n.aval, AbstractTuple):
            for i in n.inputs:
                last[root(i)] = max(last.get(root(i), 0), last.get(n.id, 0))

    # The workspace: the intermediates (and scratch, alive for its node's step) by liveness.
    spans: list[tuple[Any, str, int, int, int]] = []  # (key, kind, bytes, first step, last step)
    span_slot: dict[Any, int] = {}

    def span(key: Any, kind: str, slot: int, first: int, last_step: int) -> None:
        value = slots[slot]
        nbytes = _size(value.shape) * max(value.dtype.itemsize, 1)
        spans.append((key, kind, nbytes, first, last_step))
        span_slot[key] = slot

    # A lowered loop's tuple_getitem shares its carry's buffer (an output copies it out).
    carried_by = {
        n.id: (n.inputs[0].id, n.attrs["index"])
        for n in nodes
        if n.inputs and n.inputs[0].id in loops
    }
    extra: dict[int, tuple[str, int]] = {}
    out_position: dict[int, int] = {}
    for k, o in enumerate(graph.outputs):
        out_position.setdefault(o.id, k)
    for step, n in enumerate(nodes):
        chosen = selected.get(n.id)
        if chosen is not None:
            _plan_extra(n, chosen, extra, add, span, ("scratch", n.id), step)
        if n.id in roots or (n.id in carried_by and n.id not in output_ids):
            continue
        if isinstance(n.aval, AbstractTuple):  # no storage: the runtime holds the tuple
            slot_of[n.id] = add("tuple", (), object)
        elif n.id in output_ids:
            slot_of[n.id] = add("out", n.aval.shape, n.aval.dtype.np, position=out_position[n.id])
        else:
            slot_of[n.id] = add("work", n.aval.shape, n.aval.dtype.np)
            span(n.id, "apply", slot_of[n.id], step, last.get(n.id, step))
        loop = loops.get(n.id)
        if loop is not None:  # its carries live until its last tuple_getitem's last use
            end = max([last.get(u, step) for u, (w, _) in carried_by.items() if w == n.id] + [step])
            for j, p in enumerate(loop.graphs[1].parameters[: n.attrs["num_carry"]]):
                loop.carries.append(add("work", p.aval.shape, p.aval.dtype.np))
                span(("carry", n.id, j), "carry", loop.carries[-1], step, end)
            for gi, g in enumerate(loop.graphs):  # the nested values: alive for this step
                nested = loop.slot_of[gi]
                for c in g.constants:
                    value = np.ascontiguousarray(c.value)
                    nested[c.id] = add("const", c.aval.shape, c.aval.dtype.np, value=value)
                for m in g.nodes:
                    key = ("loop", n.id, gi, m.id)
                    _plan_extra(m, loop.selected[gi][m.id], loop.extra[gi], add, span, key, step)
                    nested[m.id] = add("work", m.aval.shape, m.aval.dtype.np)
                    span(key + ("value",), "apply", nested[m.id], step, step)
    plan = plan_arena(spans, _ALIGN)
    for key, offset in plan.offsets.items():
        slots[span_slot[key]].offset = offset
    carried: dict[int, int] = {}
    for u, (w, j) in carried_by.items():
        carried[u] = loops[w].carries[j]
        slot_of.setdefault(u, carried[u])
    for n in nodes:
        if n.id in roots:
            slot_of[n.id] = slot_of[roots[n.id]]
    for loop in loops.values():  # the nested parameters: the carries, then the captured inputs
        k = loop.node.attrs["num_carry"]
        for nested, g in zip(loop.slot_of, loop.graphs):
            for i, p in enumerate(g.parameters):
                nested[p.id] = loop.carries[i] if i < k else slot_of[loop.node.inputs[i].id]
    return Storage(slots, slot_of, extra, roots, plan, loops, carried)


def _plan_extra(node, chosen, extra, add, span, key, step) -> None:
    """The node's scratch (workspace, alive for its step) or offset table (a constant)."""
    if chosen.scratch_bytes:
        extra[node.id] = ("scratch_", add("work", (chosen.scratch_bytes,), np.uint8))
        span(key, "scratch", extra[node.id][1], step, step)
    if chosen.table is not None:
        table = chosen.table
        extra[node.id] = ("table_", add("const", table.shape, table.dtype, value=table))


# ------------------------------------------------------------------------------------------------
# 3. Region splitting
# ------------------------------------------------------------------------------------------------


@dataclass
class Step:
    """A native region (``function`` names its C function) or a cpu step (one node)."""

    kind: str  # "native" or "cpu"
    function: str = ""
    node: Apply | None = None
    nodes: list[Apply] = field(default_factory=list)


def _split(nodes: list[Apply], selected: dict[int, Selected], split: bool) -> list[Step]:
    """Runs of selected nodes as native regions (each node its own with ``split``); the others
    as cpu steps."""
    steps: list[Step] = []
    for n in nodes:
        if n.id not in selected:
            steps.append(Step("cpu", node=n))
        elif split or not steps or steps[-1].kind != "native":
            name = f"mind_region_{sum(s.kind == 'native' for s in steps)}"
            steps.append(Step("native", function=name, nodes=[n]))
        else:
            steps[-1].nodes.append(n)
    return steps


# ------------------------------------------------------------------------------------------------
# 4. Emission
# ------------------------------------------------------------------------------------------------


def _emit_node(node: Apply, chosen: Selected, slot_of: dict[int, int], extra: dict) -> str:
    """The node's statements in a block declaring the pointer names they use."""
    code = chosen.code
    if not code:
        return ""
    names = [("out_", node)] + [(f"in{j}_", i) for j, i in enumerate(node.inputs)]
    decls = [
        f"{_ctype(v.aval)} *{name} = ({_ctype(v.aval)} *)S[{slot_of[v.id]}];"
        for name, v in names
        if name in code
    ]
    if node.id in extra:
        name, slot = extra[node.id]
        decls.append(f"void *{name} = S[{slot}];")
    return "{\n" + "".join(d + "\n" for d in decls) + code + "}\n"


def _memcpy(to: int, source: int, slot: Slot) -> str:
    nbytes = _size(slot.shape) * slot.dtype.itemsize
    return f"memcpy(S[{to}], S[{source}], {nbytes});\n" if nbytes and to != source else ""


def _emit_loop(loop: Loop, storage: Storage) -> str:
    """The carries copied in; then, until the condition is false, the body and its results
    copied back into the carries."""
    slots, (cond_slots, body_slots) = storage.slots, loop.slot_of
    cond, body = loop.graphs
    init = [storage.slot_of[i.id] for i in loop.node.inputs]
    code = "".join(_memcpy(c, i, slots[c]) for c, i in zip(loop.carries, init))
    test = cond_slots[cond.outputs[0].id]
    nested = [
        _emit_node(m, loop.selected[gi][m.id], loop.slot_of[gi], loop.extra[gi])
        for gi, g in enumerate(loop.graphs)
        for m in g.nodes
    ]
    back = "".join(
        _memcpy(c, body_slots[o.id], slots[c]) for c, o in zip(loop.carries, body.outputs)
    )
    return (
        f"{{\n{code}for (;;) {{\n{''.join(nested[: len(cond.nodes)])}"
        f"if (!*(uint8_t *)S[{test}]) break;\n{''.join(nested[len(cond.nodes) :])}{back}}}\n}}\n"
    )


def _emit(node: Apply, selected: dict[int, Selected], storage: Storage) -> str:
    if node.id in storage.loops:
        return _emit_loop(storage.loops[node.id], storage)
    if node.id in storage.carried:  # a loop's result: shares its carry, or is an output (copy)
        slot = storage.slot_of[node.id]
        return _memcpy(slot, storage.carried[node.id], storage.slots[slot])
    return _emit_node(node, selected[node.id], storage.slot_of, storage.extra)


def _emit_module(steps: list[Step], selected: dict[int, Selected], storage: Storage) -> str:
    bodies = []
    for step in steps:
        if step.kind != "native":
            continue
        code = "".join(
            _emit(n, selected, storage)
            for n in step.nodes
            if n.id not in storage.roots or "in_place" in _op(n).traits
        )
        bodies.append(f"void {step.function}(void **S) {{\n{code}}}\n")
    functions = [s.function for s in steps if s.kind == "native"]
    if functions and len(functions) == len(steps):  # dataset sink: many steps in one call
        calls = "".join(f"    {name}(S);\n" for name in functions)
        bodies.append(
            "void mind_sink(void **S, int64_t n, int64_t k, const int64_t *slots, "
            "char **bases, const int64_t *strides) {\n"
            "  for (int64_t i = 0; i < n; ++i) {\n"
            "    for (int64_t j = 0; j < k; ++j) S[slots[j]] = bases[j] + i * strides[j];\n"
            f"{calls}  }}\n}}\n"
        )
    return _PRELUDE + "\n".join(bodies)


@dataclass
class Lowered:
    graph: FuncGraph
    source: str
    functions: list[str]
    steps: list[Step]
    slots: list[Slot]
    slot_of: dict[int, int]
    memory_plan: MemoryPlan  # the workspace: intermediates and scratch
    fallback: dict[str, int]  # primitive -> how many of its nodes run on cpu kernels
    output_slots: list[int]
    sink: bool = False  # the module has mind_sink (every step is native)
    status_slot: int = 0  # int64[1]: the id of a node that found bad input, else 0


def lower(graph: FuncGraph, split: bool = False) -> Lowered:
    """Plan ``graph``'s storage and generate its C module (one function per native region; with
    ``split``, one per node, so a profile can time each)."""
    selected = {n.id: s for n in graph.nodes if (s := _select(n)) is not None}
    output_ids = {o.id for o in graph.outputs}
    loops = {n.id: lp for n in graph.nodes if (lp := _select_loop(n, output_ids)) is not None}
    for n in graph.nodes:  # a lowered loop and its tuple_getitems run in the C
        if n.id in loops or (n.inputs and n.inputs[0].id in loops):
            selected[n.id] = Selected("")
    storage = _plan_storage(graph, selected, loops)
    steps = _split(graph.nodes, selected, split)
    fallback: dict[str, int] = {}
    for step in steps:
        if step.kind == "cpu":
            fallback[step.node.prim] = fallback.get(step.node.prim, 0) + 1
    functions = [s.function for s in steps if s.kind == "native"]
    return Lowered(
        graph=graph,
        source=_emit_module(steps, selected, storage),
        functions=functions,
        steps=steps,
        slots=storage.slots,
        slot_of=storage.slot_of,
        memory_plan=storage.memory_plan,
        fallback=fallback,
        output_slots=[storage.slot_of[o.id] for o in graph.outputs],
        sink=bool(functions) and len(functions) == len(steps),
    )


def _mvec_declarations() -> str:
    lines = []
    for name in MVEC_FUNCTIONS:
        t = "float" if name.endswith("f") and name not in ("erf",) else "double"
        args = f"{t}, {t}" if name.startswith("pow") else t
        lines.append(
            f"#ifdef MIND_MVEC_{name}\n"
            f'__attribute__((simd("notinbranch"))) extern {t} {name}({args});\n#endif'
        )
    return "\n".join(lines) + "\n"


_PRELUDE = """\
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <cblas.h>
""" + _mvec_declarations()
