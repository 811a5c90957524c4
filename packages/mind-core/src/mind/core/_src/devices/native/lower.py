"""Lowering MindIR to C for the ``native`` device.

A graph becomes a list of *steps*: native regions (maximal runs of nodes this module can lower,
each one C function in the graph's single generated module) and cpu steps (one node run by the
``cpu`` device's kernel, for the ops it cannot lower). Every value lives in a *slot* of one table
of pointers that each C function receives (``void **S``):

- parameters: the caller's arrays, set per call;
- constants: the graph's arrays, fixed;
- intermediates: offsets into one workspace, planned by liveness (values whose lifetimes are
  disjoint share bytes), fixed;
- outputs: fresh arrays per call, so nothing returned is overwritten by the next call.

Views (``reshape``, ``identity``, a same-dtype ``cast``) share their input's slot, and in-place
updates (``apply_momentum``, ``assign``) share their target's; all storage is C-contiguous.

Control flow (``cond``, ``scan``, ``while_loop``, ``call``) runs as cpu steps: the node's kernel
runs its nested graphs on MindRT's cpu executor. Its value is a tuple of arrays (an
``AbstractTuple``), so its slot is a *tuple* slot: a Python tuple in the runtime's environment, no
bytes and no pointer; the ``tuple_getitem`` cpu steps after it copy the elements out into ordinary
slots. An element may be one of the node's input arrays itself (a branch that returns its input),
so the node's inputs stay alive (their workspace bytes unshared) until its last ``tuple_getitem``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mind.core._src.ir.graph import Apply, FuncGraph, Node
from mind.core._src.ops.dispatch import AbstractTuple, Primitive, ShapedArray, traits_of
from mind.core._src.ops.elementwise import floor_divide_p, mod_p

__all__ = ["Lowered", "lower"]

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

#: Nodes that share their input's storage.
VIEWS = {"reshape", "identity"}

_ALIGN = 64


def _ctype(aval: Any) -> str | None:
    return CTYPES.get(getattr(getattr(aval, "dtype", None), "name", None))


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape) if shape else 1


# ------------------------------------------------------------------------------------------------
# C expression helpers
# ------------------------------------------------------------------------------------------------


def _fn(name: str, ctype: str) -> str:
    """The C math function for ``ctype`` (``expf`` for float, ``exp`` for double)."""
    return name + ("f" if ctype == "float" else "")


def _lit(value: float, ctype: str) -> str:
    if ctype == "float":
        return f"{float(value)!r}f".replace("inff", "INFINITY").replace("nanf", "NAN")
    return repr(float(value)).replace("inf", "INFINITY").replace("nan", "NAN")


def _unary(prim: str, a: str, t: str, attrs: dict) -> str | None:
    if prim == "neg":
        return f"(-{a})"
    if prim == "abs":
        return f"{_fn('fabs', t)}({a})" if t in ("float", "double") else f"({a} < 0 ? -{a} : {a})"
    if t not in ("float", "double"):
        return None
    table = {
        "exp": f"{_fn('exp', t)}({a})",
        "log": f"{_fn('log', t)}({a})",
        "log1p": f"{_fn('log1p', t)}({a})",
        "sqrt": f"{_fn('sqrt', t)}({a})",
        "rsqrt": f"({_lit(1, t)} / {_fn('sqrt', t)}({a}))",
        "sin": f"{_fn('sin', t)}({a})",
        "cos": f"{_fn('cos', t)}({a})",
        "tanh": f"{_fn('tanh', t)}({a})",
        "erf": f"{_fn('erf', t)}({a})",
        "floor": f"{_fn('floor', t)}({a})",
        "trunc": f"{_fn('trunc', t)}({a})",
        "relu": f"({a} < 0 ? {_lit(0, t)} : {a})",
        "sigmoid": f"({a} >= 0 ? {_lit(1, t)} / ({_lit(1, t)} + {_fn('exp', t)}(-{a})) : "
        f"{_fn('exp', t)}({a}) / ({_lit(1, t)} + {_fn('exp', t)}({a})))",
        "silu": f"({a} / ({_lit(1, t)} + {_fn('exp', t)}(-{a})))",
        "sign": f"(({a} > 0) - ({a} < 0) + ({a} != {a} ? {a} : 0))",
    }
    if prim == "leaky_relu":
        return f"({a} > 0 ? {a} : {a} * {_lit(attrs['alpha'], t)})"
    if prim == "gelu" and attrs.get("approximate") == "tanh":
        c = _lit(math.sqrt(2.0 / math.pi), t)
        return (
            f"({_lit(0.5, t)} * {a} * ({_lit(1, t)} + {_fn('tanh', t)}({c} * ({a} + "
            f"{_lit(0.044715, t)} * {a} * {a} * {a}))))"
        )
    if prim == "gelu":
        return (
            f"({_lit(0.5, t)} * {a} * ({_lit(1, t)} + "
            f"{_fn('erf', t)}({a} * {_lit(1 / math.sqrt(2.0), t)})))"
        )
    return table.get(prim)


_BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
_COMPARE = {
    "greater": ">",
    "greater_equal": ">=",
    "less": "<",
    "less_equal": "<=",
    "equal": "==",
    "not_equal": "!=",
}
_LOGICAL = {"logical_and": "&&", "logical_or": "||", "logical_xor": "!="}


def _binary(prim: str, a: str, b: str, t: str) -> str | None:
    if prim in _BINARY:
        if prim == "div" and t not in ("float", "double"):
            return None  # integer division floors in numpy, truncates in C
        return f"({a} {_BINARY[prim]} {b})"
    if prim in _COMPARE:
        return f"({a} {_COMPARE[prim]} {b})"
    if prim in _LOGICAL:
        return f"((({a}) != 0) {_LOGICAL[prim]} (({b}) != 0))"
    if prim == "maximum":  # numpy propagates NaN from either side
        return f"((({a} != {a}) | ({a} > {b})) ? {a} : {b})"
    if prim == "minimum":
        return f"((({a} != {a}) | ({a} < {b})) ? {a} : {b})"
    if prim == "pow" and t in ("float", "double"):
        return f"{_fn('pow', t)}({a}, {b})"
    return None


#: The elementwise primitives (the compiler's list, and a few more the loops can compute);
#: ``element_expr`` says which have a C form.
#: Primitives with a documented reason to run on their cpu kernels between the generated C.
CPU_FALLBACK: dict[Primitive, str] = {
    floor_divide_p: "numpy's floor division of floats (npy_divmod's corrections) is not in C yet",
    mod_p: "numpy's float remainder (npy_divmod's sign corrections) is not in C yet",
}


def _elementwise(prim: str) -> bool:
    return "elementwise" in traits_of(prim)


def _in_place(prim: str) -> bool:
    return "in_place" in traits_of(prim)


def _fused_reduction(prim: str) -> bool:
    return {"reduction", "fusable"} <= traits_of(prim)


def element_expr(
    prim: str, args: list[str], arg_types: list[str], t: str, attrs: dict
) -> str | None:
    """The C expression computing one element of ``prim`` (result type ``t``) from its inputs'
    elements, or None when this module has no C form for it."""
    if prim == "cast":
        src = arg_types[0]
        if t == "uint8_t" and attrs.get("dtype") in ("bool",):
            return f"(({args[0]}) != 0)"
        return args[0] if src == t else f"(({t})({args[0]}))"
    if prim == "logical_not":
        return f"(({args[0]}) == 0)"
    if prim == "where":
        return f"(({args[0]}) ? ({t})({args[1]}) : ({t})({args[2]}))"
    if prim == "clip":  # minimum(maximum(x, lo), hi), NaN-propagating as numpy's
        lo = _binary("maximum", args[0], f"(({t}){args[1]})", t)
        return _binary("minimum", lo, f"(({t}){args[2]})", t)
    floating = t in ("float", "double")
    if floating and prim == "round":  # half to even, as numpy (the default rounding mode)
        return f"{_fn('rint', t)}({args[0]})"
    if floating and prim == "elu":
        a = args[0]
        return f"({a} > 0 ? {a} : {_lit(attrs['alpha'], t)} * {_fn('expm1', t)}({a} < 0 ? {a} : 0))"
    if floating and prim == "smooth_l1_loss":
        a, b = (f"(({t}){x})" for x in args)
        beta = _lit(attrs["beta"], t)
        d = f"{_fn('fabs', t)}({a} - {b})"
        return (
            f"({d} < {beta} ? {_lit(0.5, t)} * {d} * {d} / {beta} : {d} - {_lit(0.5, t)} * {beta})"
        )
    if floating and prim == "binary_cross_entropy_with_logits":
        a, b = (f"(({t}){x})" for x in args)
        return (
            f"(({a} > 0 ? {a} : 0) - {a} * {b} + "
            f"{_fn('log1p', t)}({_fn('exp', t)}(-{_fn('fabs', t)}({a}))))"
        )
    if floating and prim == "softplus":
        a, beta = args[0], _lit(attrs["beta"], t)
        bx = f"({a} * {beta})"
        soft = (
            f"((({bx} > 0 ? {bx} : 0) + {_fn('log1p', t)}({_fn('exp', t)}(-{_fn('fabs', t)}({bx})))) "
            f"/ {beta})"
        )
        return f"({bx} > {_lit(attrs['threshold'], t)} ? {a} : {soft})"
    if len(args) == 1:
        return _unary(prim, args[0], t, attrs)
    if len(args) == 2:
        # Inputs already have the result's type unless the op compares or mixes (promotion).
        in_t = arg_types[0] if prim in _COMPARE or prim in _LOGICAL else t
        a, b = (f"(({in_t}){x})" if at != in_t else x for x, at in zip(args, arg_types))
        return _binary(prim, a, b, in_t)
    return None


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
# The plan
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
class Step:
    """A native region (``function`` names its C function) or a cpu step (one node)."""

    kind: str  # "native" or "cpu"
    function: str = ""
    node: Apply | None = None
    nodes: list[Apply] = field(default_factory=list)


@dataclass
class Lowered:
    graph: FuncGraph
    source: str
    functions: list[str]
    steps: list[Step]
    slots: list[Slot]
    slot_of: dict[int, int]
    workspace_bytes: int
    fallback: dict[str, int]  # primitive -> how many of its nodes run on cpu kernels
    output_slots: list[int]
    sink: bool = False  # the module has mind_sink (every step is native)
    status_slot: int = -1  # int64[1]: the id of a node that found bad input, else 0


class _Emitter:
    def __init__(
        self,
        slot_of: dict[int, int],
        slots: list[Slot],
        scratch: dict[int, int],
        tables: dict[int, int],
    ) -> None:
        self.slot_of, self.slots, self.scratch, self.tables = slot_of, slots, scratch, tables
        self.counter = 0
        self.status = -1  # the slot of the error status (set by lower())

    def ptr(self, node: Node) -> str:
        return f"(({_ctype(node.aval)} *)S[{self.slot_of[node.id]}])"

    def tag(self) -> str:
        self.counter += 1
        return f"i{self.counter}_"


def _lowerable(node: Apply) -> bool:
    """Whether this module can lower ``node``."""
    prim, attrs = node.prim, node.attrs
    if not isinstance(node.aval, ShapedArray) or _ctype(node.aval) is None:
        return False
    if any(not isinstance(i.aval, ShapedArray) or _ctype(i.aval) is None for i in node.inputs):
        return False
    t = node.aval.dtype.name
    if prim in VIEWS:
        return True
    if prim == "cast":
        return True
    if _elementwise(prim):
        types = [_ctype(i.aval) for i in node.inputs]
        args = [f"a{k}" for k in range(len(node.inputs))]
        return element_expr(prim, args, types, _ctype(node.aval), attrs) is not None
    if prim in ("broadcast_to", "transpose"):
        return True
    if prim in ("sum", "mean", "amax", "amin", "prod"):
        return t in _FLOATS | {"int32", "int64"} and node.inputs[0].aval.dtype.name != "bool"
    if prim in ("softmax", "log_softmax"):
        x = node.inputs[0].aval
        return t in _FLOATS and x.ndim >= 1 and attrs["axis"] % x.ndim == x.ndim - 1
    if prim == "matmul":
        a, b = (i.aval for i in node.inputs)
        if t not in _FLOATS or a.dtype is not b.dtype or a.dtype is not node.aval.dtype:
            return False
        return (
            a.ndim >= 2
            and b.ndim >= 2
            and (a.shape[:-2] == b.shape[:-2] or a.ndim == 2 or b.ndim == 2)
        )
    if prim == "one_hot":
        return attrs.get("axis", -1) in (-1, node.aval.ndim - 1)
    if prim == "apply_momentum":
        v, a, g = (i.aval for i in node.inputs)
        return t in _FLOATS and v.shape == a.shape == g.shape and v.dtype is a.dtype is g.dtype
    if prim == "assign":
        return True
    if prim == "fused":
        return _fused_lowerable(attrs["graph"])
    if prim in _CONV:
        a, b = (i.aval for i in node.inputs)
        return (
            t in _FLOATS
            and a.dtype is b.dtype is node.aval.dtype
            and a.ndim == b.ndim == 4
            and attrs.get("groups", 1) == 1
        )
    if prim in ("max_pool2d", "max_pool2d_grad"):
        return t in _FLOATS and node.inputs[0].aval.ndim == 4
    if prim in ("getitem", "index_add", "tile", "pad"):
        return _index_plan(node) is not None
    if prim == "cumsum":
        return t in _FLOATS | {"int32", "int64"} and node.inputs[0].aval.dtype is node.aval.dtype
    if prim in ("avg_pool2d", "avg_pool2d_grad", "adaptive_avg_pool2d", "adaptive_avg_pool2d_grad"):
        return t in _FLOATS and node.aval.ndim == 4
    if prim == "concat":
        return True
    if prim in ("gather", "gather_grad"):
        return node.inputs[1].aval.dtype.name in ("int32", "int64", "uint8", "int8", "int16")
    if prim == "sparse_softmax_cross_entropy":
        return t in _FLOATS and node.inputs[1].aval.dtype.name in ("int32", "int64")
    if prim in ("argmax", "argmin"):
        axis = attrs.get("axis")
        return node.inputs[0].aval.dtype.name in _FLOATS | {"int32", "int64"} and (
            axis is None or isinstance(axis, int)
        )
    if prim in ("all", "any", "logsumexp"):
        x = node.inputs[0].aval
        axis = attrs.get("axis")
        axes = set(range(x.ndim)) if axis is None else {a % max(x.ndim, 1) for a in axis}
        ok_type = t in _FLOATS if prim == "logsumexp" else True
        return ok_type and axes == set(range(x.ndim - len(axes), x.ndim))
    if prim == "var":
        x = node.inputs[0].aval
        axis = attrs.get("axis")
        axes = set(range(x.ndim)) if axis is None else {a % max(x.ndim, 1) for a in axis}
        return t in _FLOATS and axes == set(range(x.ndim - len(axes), x.ndim))
    return False


#: An advanced index's table of element offsets is kept when it has at most this many entries.
_MAX_INDEX_TABLE = 1 << 22


def _index_plan(node: Apply) -> tuple | None:
    """How a getitem (or its gradient, index_add) reaches the indexed tensor's elements:
    ``("strided", base, strides)`` for basic indexing (ints, slices, None, Ellipsis), or
    ``("table", offsets)`` (one int64 offset per indexed element) for any other index; None when
    numpy cannot apply the index to that shape."""
    shape = tuple(node.inputs[0].aval.shape if node.prim != "index_add" else node.attrs["shape"])
    size = _size(shape)
    grid = np.arange(size, dtype=np.int64).reshape(shape)
    try:
        if node.prim == "tile":
            picked = np.tile(grid, node.attrs["reps"])
        elif node.prim == "pad":  # -1 marks a constant-filled position
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


_CONV = {"conv2d", "conv2d_grad_weight", "conv_transpose2d"}


def _conv_geometry(node: Apply) -> dict[str, int]:
    """Sizes of a convolution node: batch, channels, image, kernel, output, and attributes."""
    attrs = node.attrs
    if node.prim == "conv2d":
        x, w = (i.aval for i in node.inputs)
        n, c, h, wd = x.shape
        o, _, kh, kw = w.shape
        oh, ow = node.aval.shape[2:]
    elif node.prim == "conv2d_grad_weight":
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


def scratch_bytes(node: Apply) -> int:
    """Workspace a node needs for its own step (a convolution's column buffer)."""
    if node.prim in _CONV and _lowerable(node):
        g = _conv_geometry(node)
        return g["c"] * g["kh"] * g["kw"] * g["oh"] * g["ow"] * node.aval.dtype.itemsize
    return 0


def _window_loops(g: dict[str, int], t: str, x: str, col: str, scatter: bool) -> str:
    """im2col of sample ``q`` of ``x`` into ``col`` (K x P), or (``scatter``) col2im: add
    ``col`` back into sample ``q`` of ``x``."""
    c, h, w, kh, kw, oh, ow = g["c"], g["h"], g["w"], g["kh"], g["kw"], g["oh"], g["ow"]
    unpadded = (
        g["pt"] == 0
        and g["pl"] == 0
        and (oh - 1) * g["sh"] + (kh - 1) * g["dh"] < h
        and (ow - 1) * g["sw"] + (kw - 1) * g["dw"] < w
    )
    cell = f"cr[oy * {ow} + ox]"
    if unpadded:  # every tap is inside: no checks, and the row loop vectorizes
        src = f"xs[(oy * {g['sh']} + i * {g['dh']}) * {w} + ox * {g['sw']} + j * {g['dw']}]"
        row = (
            "#pragma GCC ivdep\n"
            f"      for (int64_t ox = 0; ox < {ow}; ++ox) "
            + (f"{src} += {cell};" if scatter else f"{cell} = {src};")
            + "\n"
        )
    else:
        inside = f"iy >= 0 && iy < {h} && ix >= 0 && ix < {w}"
        body = (
            f"if ({inside}) xs[iy * {w} + ix] += {cell};"
            if scatter
            else f"{cell} = ({inside}) ? xs[iy * {w} + ix] : 0;"
        )
        row = (
            f"      int64_t iy = oy * {g['sh']} - {g['pt']} + i * {g['dh']};\n"
            f"      for (int64_t ox = 0; ox < {ow}; ++ox) {{\n"
            f"        int64_t ix = ox * {g['sw']} - {g['pl']} + j * {g['dw']};\n"
            f"        {body}\n      }}\n"
        )
    return (
        f"for (int64_t ch = 0; ch < {c}; ++ch) {{\n"
        f"  {'' if scatter else 'const '}{t} *xs = {x} + (q * {c} + ch) * {h * w};\n"
        f"  for (int64_t i = 0; i < {kh}; ++i) for (int64_t j = 0; j < {kw}; ++j) {{\n"
        f"    {'const ' if scatter else ''}{t} *cr = {col} + ((ch * {kh} + i) * {kw} + j) * {oh * ow};\n"
        f"    for (int64_t oy = 0; oy < {oh}; ++oy) {{\n{row}    }}\n  }}\n}}\n"
    )


def _emit_conv(node: Apply, e: _Emitter, scratch: str) -> str:
    g = _conv_geometry(node)
    t = _ctype(node.aval)
    gemm = "scipy_cblas_sgemm" if t == "float" else "scipy_cblas_dgemm"
    k = g["c"] * g["kh"] * g["kw"]
    p = g["oh"] * g["ow"]
    col = f"(({t} *){scratch})"
    a, b = (e.ptr(i) for i in node.inputs)
    o = e.ptr(node)
    if node.prim == "conv2d":  # out[q] (O x P) = W (O x K) @ col (K x P)
        return (
            f"for (int64_t q = 0; q < {g['n']}; ++q) {{\n"
            + _window_loops(g, t, a, col, False)
            + f"{gemm}(CblasRowMajor, CblasNoTrans, CblasNoTrans, {g['o']}, {p}, {k}, 1, {b}, {k}, "
            f"{col}, {p}, 0, {o} + q * {g['o'] * p}, {p});\n}}\n"
        )
    if node.prim == "conv2d_grad_weight":  # dW (O x K) = sum_q dout[q] (O x P) @ col^T (P x K)
        return (
            f"for (int64_t q = 0; q < {g['n']}; ++q) {{\n"
            + _window_loops(g, t, a, col, False)
            + f"{gemm}(CblasRowMajor, CblasNoTrans, CblasTrans, {g['o']}, {k}, {p}, 1, "
            f"{b} + q * {g['o'] * p}, {p}, {col}, {p}, q ? 1 : 0, {o}, {k});\n}}\n"
        )
    # conv_transpose2d: col = W^T (K x O) @ dout[q] (O x P); dx[q] = col2im(col)
    size = g["n"] * g["c"] * g["h"] * g["w"]
    return (
        f"memset({o}, 0, {size} * sizeof({t}));\n"
        f"for (int64_t q = 0; q < {g['n']}; ++q) {{\n"
        f"{gemm}(CblasRowMajor, CblasTrans, CblasNoTrans, {k}, {p}, {g['o']}, 1, {b}, {k}, "
        f"{a} + q * {g['o'] * p}, {p}, 0, {col}, {p});\n"
        + _window_loops(g, t, o, col, True)
        + "}\n"
    )


def _emit_pool_unpadded(
    node: Apply, e: _Emitter, nchw: tuple, k: tuple, st: tuple, out_hw: tuple, t: str
) -> str:
    """Pooling without padding: every tap is inside, the taps are unrolled and the window loop
    is branch-free (selects), so it vectorizes. The gradient of non-overlapping windows writes
    each input position once; overlapping ones accumulate."""
    n, c, h, w = nchw
    (kh, kw), (sh, sw), (oh, ow) = k, st, out_hw
    xs, o = e.ptr(node.inputs[0]), e.ptr(node)
    taps = [i * w + j for i in range(kh) for j in range(kw)]
    # Every tap into a local first, then the maximum, then (gradient) the first tap equal to it:
    # no store between the loads (a store through another float pointer would force reloads).
    loads = " ".join(f"{t} v{k} = b[{off}];" for k, off in enumerate(taps))
    peak = "".join(f" m = (m > v{k} || m != m) ? m : v{k};" for k in range(1, len(taps)))
    loop = (
        f"for (int64_t pl_ = 0; pl_ < {n * c}; ++pl_) {{\n"
        f"  const {t} *xp = {xs} + pl_ * {h * w};\n"
        f"  for (int64_t oy = 0; oy < {oh}; ++oy) {{\n"
        "#pragma GCC ivdep\n"
        f"    for (int64_t ox = 0; ox < {ow}; ++ox) {{\n"
        f"      const {t} *b = xp + oy * {sh * w} + ox * {sw};\n"
        f"      {loads}\n      {t} m = v0;{peak}\n"
    )
    if node.prim == "max_pool2d":
        return loop + f"      {o}[(pl_ * {oh} + oy) * {ow} + ox] = m;\n    }}\n  }}\n}}\n"
    d = e.ptr(node.inputs[1])
    tiled = (sh, sw) == (kh, kw)
    exact = tiled and oh * kh == h and ow * kw == w
    op = "=" if tiled else "+="
    first = " ".join(f"int h{k} = (v{k} == m) & !seen; seen |= h{k};" for k in range(len(taps)))
    stores = " ".join(f"db[{off}] {op} h{k} ? dv : 0;" for k, off in enumerate(taps))
    clear = "" if exact else f"memset({o}, 0, {n * c * h * w} * sizeof({t}));\n"
    return (
        clear + loop + f"      {t} dv = {d}[(pl_ * {oh} + oy) * {ow} + ox]; int seen = 0; {first}\n"
        f"      {t} *db = {o} + pl_ * {h * w} + oy * {sh * w} + ox * {sw};\n"
        f"      {stores}\n    }}\n  }}\n}}\n"
    )


def _emit_avg_pool(node: Apply, e: _Emitter) -> str:
    """Average pooling (zero padding counted in the window, as the cpu kernels) and adaptive
    average pooling (window bounds computed here), forward and gradient."""
    t = _ctype(node.aval)
    a = node.attrs
    grad = node.prim.endswith("_grad")
    x = node.inputs[0]
    src, o = e.ptr(x), e.ptr(node)
    big = tuple(a["in_shape"]) if grad else tuple(x.aval.shape)  # the input side of the pool
    small = tuple(x.aval.shape) if grad else tuple(node.aval.shape)  # the pooled side
    n, c, h, w = big
    oh, ow = small[2:]
    if node.prim.startswith("adaptive"):
        rows = [((i * h) // oh, -((-(i + 1) * h) // oh)) for i in range(oh)]
        cols = [((j * w) // ow, -((-(j + 1) * w) // ow)) for j in range(ow)]
    else:
        (kh, kw), (sh, sw) = a["kernel"], a["stride"]
        pt, pl = a["pads"][0], a["pads"][2]
        rows = [(i * sh - pt, i * sh - pt + kh) for i in range(oh)]
        cols = [(j * sw - pl, j * sw - pl + kw) for j in range(ow)]
    tag = e.tag()
    bounds = (
        f"static const int64_t {tag}r[] = {{{', '.join(f'{r0}, {r1}' for r0, r1 in rows)}}};\n"
        f"static const int64_t {tag}c[] = {{{', '.join(f'{c0}, {c1}' for c0, c1 in cols)}}};\n"
    )
    if node.prim.startswith("adaptive"):
        area = f"(({tag}r[2 * i + 1] - {tag}r[2 * i]) * ({tag}c[2 * j + 1] - {tag}c[2 * j]))"
    else:
        area = str(a["kernel"][0] * a["kernel"][1])
    window = (
        f"    int64_t y0 = {tag}r[2 * i] < 0 ? 0 : {tag}r[2 * i], "
        f"y1 = {tag}r[2 * i + 1] > {h} ? {h} : {tag}r[2 * i + 1];\n"
        f"    int64_t x0 = {tag}c[2 * j] < 0 ? 0 : {tag}c[2 * j], "
        f"x1 = {tag}c[2 * j + 1] > {w} ? {w} : {tag}c[2 * j + 1];\n"
    )
    head = (
        f"for (int64_t pl_ = 0; pl_ < {n * c}; ++pl_)\n"
        f"  for (int64_t i = 0; i < {oh}; ++i) for (int64_t j = 0; j < {ow}; ++j) {{\n" + window
    )
    if not grad:
        return (
            bounds + head + f"    double s = 0; const {t} *xp = {src} + pl_ * {h * w};\n"
            "    for (int64_t y = y0; y < y1; ++y) for (int64_t xx = x0; xx < x1; ++xx) "
            f"s += xp[y * {w} + xx];\n"
            f"    {o}[(pl_ * {oh} + i) * {ow} + j] = ({t})(s / {area});\n  }}\n"
        )
    return (
        bounds
        + f"memset({o}, 0, {n * c * h * w} * sizeof({t}));\n"
        + head
        + f"    {t} share = {src}[(pl_ * {oh} + i) * {ow} + j] / {area}; "
        f"{t} *dp = {o} + pl_ * {h * w};\n"
        "    for (int64_t y = y0; y < y1; ++y) for (int64_t xx = x0; xx < x1; ++xx) "
        f"dp[y * {w} + xx] += share;\n  }}\n"
    )


def _emit_pool(node: Apply, e: _Emitter) -> str:
    """max_pool2d (NaN-propagating, padding never wins) and its gradient, which sends each
    window's cotangent to the window's first maximum, as the cpu kernel does."""
    x = node.inputs[0]
    n, c, h, w = x.aval.shape
    (kh, kw), (sh, sw) = node.attrs["kernel"], node.attrs["stride"]
    pt, _, pl, _ = node.attrs["pads"]
    t = _ctype(node.aval)
    grad = node.prim == "max_pool2d_grad"
    oh, ow = (node.inputs[1].aval.shape if grad else node.aval.shape)[2:]
    xs, o = e.ptr(x), e.ptr(node)
    if not any(node.attrs["pads"]):
        return _emit_pool_unpadded(node, e, (n, c, h, w), (kh, kw), (sh, sw), (oh, ow), t)
    head = (
        f"for (int64_t pl_ = 0; pl_ < {n * c}; ++pl_) {{\n"
        f"  const {t} *xp = {xs} + pl_ * {h * w};\n"
        f"  for (int64_t oy = 0; oy < {oh}; ++oy) for (int64_t ox = 0; ox < {ow}; ++ox) {{\n"
        f"    {t} m = -INFINITY; int64_t at = -1;\n"
        f"    for (int64_t i = 0; i < {kh}; ++i) for (int64_t j = 0; j < {kw}; ++j) {{\n"
        f"      int64_t iy = oy * {sh} - {pt} + i, ix = ox * {sw} - {pl} + j;\n"
        f"      if (iy < 0 || iy >= {h} || ix < 0 || ix >= {w}) continue;\n"
        f"      {t} v = xp[iy * {w} + ix];\n"
        "      if (m != m) continue;\n"
        "      if (v != v) { m = v; at = -1; }\n"
        "      else if (v > m || (at < 0 && v == m)) { m = v; at = iy * " + str(w) + " + ix; }\n"
        "    }\n"
    )
    if not grad:
        return head + f"    {o}[(pl_ * {oh} + oy) * {ow} + ox] = m;\n  }}\n}}\n"
    d = e.ptr(node.inputs[1])
    return (
        f"memset({o}, 0, {n * c * h * w} * sizeof({t}));\n"
        + head
        + f"    if (at >= 0) {o}[pl_ * {h * w} + at] += {d}[(pl_ * {oh} + oy) * {ow} + ox];\n"
        "  }\n}\n"
    )


# Sums may be reassociated across SIMD lanes (a tree of partial sums, no less accurate than the
# sequential order); max and min keep their order for numpy's NaN propagation.
_SIMD_SUM = "#pragma omp simd reduction(+:acc)"


def _fused_lowerable(sub: FuncGraph) -> bool:
    nodes = sub.nodes
    if not nodes:
        return False
    last = nodes[-1]
    chain = nodes[:-1] if _fused_reduction(last.prim) else nodes
    if _fused_reduction(last.prim) and (
        last.aval.dtype.name not in _FLOATS or last.inputs[0] is not (chain[-1] if chain else None)
    ):
        return False
    for n in chain:
        if not _elementwise(n.prim) or _ctype(n.aval) is None:
            return False
        if any(_ctype(i.aval) is None for i in n.inputs):
            return False
        args = [f"a{k}" for k in range(len(n.inputs))]
        types = [_ctype(i.aval) for i in n.inputs]
        if element_expr(n.prim, args, types, _ctype(n.aval), n.attrs) is None:
            return False
    return all(_ctype(p.aval) is not None for p in sub.parameters) and all(
        _ctype(c.aval) is not None for c in sub.constants
    )


def _emit_fused(node: Apply, e: _Emitter) -> str:
    """One loop nest for a fused chain: each input element read once, the result written once
    (or accumulated, when the chain ends in a reduction)."""
    sub: FuncGraph = node.attrs["graph"]
    last = sub.nodes[-1]
    reduce = _fused_reduction(last.prim)
    chain = sub.nodes[:-1] if reduce else sub.nodes
    shape = tuple(chain[-1].aval.shape)
    t_out = _ctype(node.aval)
    tag = e.tag()
    lines = []
    operands: list[tuple[int, str, tuple]] = []  # (node id, pointer expression, shape)
    for p, outer in zip(sub.parameters, node.inputs):
        operands.append((p.id, e.ptr(outer), tuple(p.aval.shape)))
    for k, c in enumerate(sub.constants):
        ct = _ctype(c.aval)
        values = ", ".join(
            _lit(v, ct) if ct in ("float", "double") else str(int(v)) for v in c.value.reshape(-1)
        )
        name = f"{tag}c{k}"
        lines.append(f"static const {ct} {name}[] = {{{values}}};")
        operands.append((c.id, name, tuple(c.value.shape)))
    index = {nid: k for k, (nid, _, _) in enumerate(operands)}
    ndim = len(shape)

    def chain_code(offsets: list[str]) -> tuple[str, str]:
        code = []
        for n in chain:
            args, types = [], []
            for i in n.inputs:
                if i.id in index:
                    k = index[i.id]
                    args.append(f"{operands[k][1]}[{offsets[k]}]")
                else:
                    args.append(f"v{i.id}")
                types.append(_ctype(i.aval))
            expr = element_expr(n.prim, args, types, _ctype(n.aval), n.attrs)
            code.append(f"{_ctype(n.aval)} v{n.id} = {expr};")
        return " ".join(code), f"v{chain[-1].id}"

    op_strides = [_broadcast_strides(sh, shape) for _, _, sh in operands]
    if not reduce:

        def body(off: list[str]) -> str:
            code, value = chain_code(off[1:])
            return f"{{ {code} {e.ptr(node)}[{off[0]}] = {value}; }}"

        lines.append(_loops(shape, [_strides(shape), *op_strides], body, tag))
        return "\n".join(lines) + "\n"

    axis = last.attrs.get("axis")
    axes = set(range(ndim)) if axis is None else {a % max(ndim, 1) for a in axis}
    count = math.prod(shape[a] for a in axes) if axes else 1
    o = e.ptr(node)
    if last.prim in ("sum", "mean"):
        init, update = "0", "acc += {v};"
    else:
        init = "-INFINITY" if last.prim == "amax" else "INFINITY"
        cmp = ">" if last.prim == "amax" else "<"
        update = f"if ({{v}} != {{v}} || {{v}} {cmp} acc) acc = {{v}};"
    finish = f"acc / {count}" if last.prim == "mean" else "acc"
    split = ndim - len(axes)
    if axes == set(range(split, ndim)):  # reduced axes innermost: a running double per output
        outer_shape, inner_shape = shape[:split], shape[split:]
        out_strides = _strides(outer_shape)

        def outer_body(outer_off: list[str]) -> str:
            def inner_body(inner_off: list[str]) -> str:
                offs = [f"({a}) + ({b})" for a, b in zip(outer_off[1:], inner_off)]
                code, value = chain_code(offs)
                return f"{{ {code} {update.format(v=value)} }}"

            inner = _loops(
                inner_shape,
                [s[split:] for s in op_strides],
                inner_body,
                tag + "r",
                _SIMD_SUM if last.prim in ("sum", "mean") else "#pragma GCC ivdep",
            )
            return f"{{ double acc = {init};\n{inner}{o}[{outer_off[0]}] = ({t_out})({finish}); }}"

        lines.append(
            _loops(outer_shape, [out_strides, *(s[:split] for s in op_strides)], outer_body, tag)
        )
        return "\n".join(lines) + "\n"
    # Other axes: accumulate into the output in memory order.
    kept_shape = tuple(1 if a in axes else shape[a] for a in range(ndim))
    n_out = _size(node.aval.shape)
    lines.append(f"for (int64_t q = 0; q < {n_out}; ++q) {o}[q] = ({t_out})({init});")
    red_strides = _broadcast_strides(kept_shape, shape)
    store = update.replace("acc", "*p")

    def mem_body(off: list[str]) -> str:
        code, value = chain_code(off[1:])
        return f"{{ {code} {t_out} *p = &{o}[{off[0]}]; {store.format(v=value)} }}"

    lines.append(_loops(shape, [red_strides, *op_strides], mem_body, tag))
    if last.prim == "mean":
        lines.append(f"for (int64_t q = 0; q < {n_out}; ++q) {o}[q] = ({t_out})({o}[q] / {count});")
    return "\n".join(lines) + "\n"


def _emit(node: Apply, e: _Emitter) -> str:
    """C statements computing ``node`` into its slot."""
    prim, attrs = node.prim, node.attrs
    out = node.aval
    t = _ctype(out)
    o = e.ptr(node)
    ins = node.inputs
    if prim in VIEWS:  # a view that must have storage of its own (an output): a copy
        nbytes = _size(out.shape) * out.dtype.itemsize
        return f"memcpy({o}, {e.ptr(ins[0])}, {nbytes});\n" if nbytes else ""
    if _elementwise(prim) or prim == "assign":
        if prim == "assign":  # target <- value, broadcast
            target, value = ins
            src = e.ptr(value)
            strides = [
                _strides(target.aval.shape),
                _broadcast_strides(value.aval.shape, target.aval.shape),
            ]
            return _loops(
                target.aval.shape,
                strides,
                lambda off: f"{e.ptr(target)}[{off[0]}] = ({t}){src}[{off[1]}];",
                e.tag(),
            )
        types = [_ctype(i.aval) for i in ins]
        strides = [_strides(out.shape)] + [_broadcast_strides(i.aval.shape, out.shape) for i in ins]
        ptrs = [e.ptr(i) for i in ins]

        def body(off: list[str]) -> str:
            args = [f"{p}[{x}]" for p, x in zip(ptrs, off[1:])]
            return f"{o}[{off[0]}] = {element_expr(prim, args, types, t, attrs)};"

        return _loops(out.shape, strides, body, e.tag())
    if prim == "broadcast_to":
        (x,) = ins
        strides = [_strides(out.shape), _broadcast_strides(x.aval.shape, out.shape)]
        return _loops(
            out.shape, strides, lambda off: f"{o}[{off[0]}] = {e.ptr(x)}[{off[1]}];", e.tag()
        )
    if prim == "transpose":
        (x,) = ins
        perm = [p % max(x.aval.ndim, 1) for p in attrs["perm"]]
        src = _strides(x.aval.shape)
        strides = [_strides(out.shape), [src[p] for p in perm]]
        return _loops(
            out.shape, strides, lambda off: f"{o}[{off[0]}] = {e.ptr(x)}[{off[1]}];", e.tag()
        )
    if prim == "fused":
        return _emit_fused(node, e)
    if prim in _CONV:
        return _emit_conv(node, e, f"S[{e.scratch[node.id]}]")
    if prim in ("max_pool2d", "max_pool2d_grad"):
        return _emit_pool(node, e)
    if prim in ("getitem", "index_add", "tile", "pad"):
        return _emit_index(node, e)
    if prim == "cumsum":
        (x,) = ins
        shape = x.aval.shape
        axis = attrs["axis"] % len(shape)
        pre, n, inner = _size(shape[:axis]), shape[axis], _size(shape[axis + 1 :])
        acc_t = "double" if t in ("float", "double") else "int64_t"
        order = (
            f"for (int64_t i = {n - 1}; i >= 0; --i)"
            if attrs.get("reverse")
            else f"for (int64_t i = 0; i < {n}; ++i)"
        )
        xs = e.ptr(x)
        return (
            f"for (int64_t q = 0; q < {pre}; ++q) for (int64_t j = 0; j < {inner}; ++j) {{\n"
            f"  {acc_t} acc = 0;\n  {order} {{\n"
            f"    int64_t at = (q * {n} + i) * {inner} + j; acc += {xs}[at]; {o}[at] = ({t})acc;\n"
            "  }\n}\n"
        )
    if prim in ("avg_pool2d", "avg_pool2d_grad", "adaptive_avg_pool2d", "adaptive_avg_pool2d_grad"):
        return _emit_avg_pool(node, e)
    if prim in ("gather", "gather_grad"):
        return _emit_gather(node, e)
    if prim == "sparse_softmax_cross_entropy":  # per row: log-sum-exp minus the label's logit
        logits, labels = ins
        rows, n = logits.aval.shape
        xs, ys = e.ptr(logits), e.ptr(labels)
        return (
            f"for (int64_t q = 0; q < {rows}; ++q) {{\n"
            f"  const {t} *r = {xs} + q * {n};\n"
            f"  int64_t k = (int64_t){ys}[q];\n"
            f"  if (k < 0 || k >= {n}) {{ ((int64_t *)S[{e.status}])[0] = {node.id}; return; }}\n"
            + _row_max_and_sum(t, n, finite=False)
            + f"  {o}[q] = ({t})({_fn('log', t)}(({t})s) - (r[k] - m));\n}}\n"
        )
    if prim in ("argmax", "argmin"):
        (x,) = ins
        shape = x.aval.shape
        axis = attrs.get("axis")
        if axis is None:
            pre, n, inner = 1, _size(shape), 1
        else:
            axis %= len(shape)
            pre, n, inner = _size(shape[:axis]), shape[axis], _size(shape[axis + 1 :])
        xt, xs = _ctype(x.aval), e.ptr(x)
        cmp = ">" if prim == "argmax" else "<"
        nan = " || (v != v && best == best)" if xt in ("float", "double") else ""
        return (
            f"for (int64_t q = 0; q < {pre}; ++q) for (int64_t j = 0; j < {inner}; ++j) {{\n"
            f"  const {xt} *r = {xs} + q * {n * inner} + j; {xt} best = r[0]; int64_t at = 0;\n"
            f"  for (int64_t i = 1; i < {n}; ++i) {{ {xt} v = r[i * {inner}]; "
            f"if (v {cmp} best{nan}) {{ best = v; at = i; }} }}\n"
            f"  {o}[q * {inner} + j] = at;\n}}\n"
        )
    if prim in ("all", "any", "logsumexp"):
        (x,) = ins
        axes = len(x.aval.shape) if attrs.get("axis") is None else len(attrs["axis"])
        count = _size(x.aval.shape[x.aval.ndim - axes :])
        outer = _size(x.aval.shape) // max(count, 1)
        xs = e.ptr(x)
        if prim != "logsumexp":
            start, stop = ("1", "== 0") if prim == "all" else ("0", "!= 0")
            return (
                f"for (int64_t q = 0; q < {outer}; ++q) {{\n  uint8_t acc = {start};\n"
                f"  for (int64_t j = 0; j < {count}; ++j) if ({xs}[q * {count} + j] {stop}) "
                f"{{ acc = !{start}; break; }}\n  {o}[q] = acc;\n}}\n"
            )
        return (
            f"for (int64_t q = 0; q < {outer}; ++q) {{\n"
            f"  const {t} *r = {xs} + q * {count};\n"
            + _row_max_and_sum(t, count, finite=True)
            + f"  {o}[q] = ({t})({_fn('log', t)}(({t})s) + m);\n}}\n"
        )
    if prim == "var":
        (x,) = ins
        axes = len(x.aval.shape) if attrs.get("axis") is None else len(attrs["axis"])
        count = _size(x.aval.shape[x.aval.ndim - axes :])
        outer = _size(x.aval.shape) // max(count, 1)
        xs, div = e.ptr(x), max(count - int(attrs.get("ddof", 0)), 0)
        return (
            f"for (int64_t q = 0; q < {outer}; ++q) {{\n"
            f"  const {t} *r = {xs} + q * {count}; double m = 0, v = 0;\n"
            f"{_SIMD_SUM.replace('acc', 'm')}\n"
            f"  for (int64_t j = 0; j < {count}; ++j) m += r[j];\n"
            f"  m /= {max(count, 1)};\n"
            f"{_SIMD_SUM.replace('acc', 'v')}\n"
            f"  for (int64_t j = 0; j < {count}; ++j) v += (r[j] - m) * (r[j] - m);\n"
            f"  {o}[q] = ({t})(v / {div});\n}}\n"
        )
    if prim == "concat":
        axis = attrs["axis"] % out.ndim
        out_strides = _strides(out.shape)
        code, at = [], 0
        for x in ins:
            xs = e.ptr(x)
            base = at * out_strides[axis]
            code.append(
                _loops(
                    x.aval.shape,
                    [out_strides, _strides(x.aval.shape)],
                    lambda off, xs=xs, base=base: f"{o}[{base} + {off[0]}] = ({t}){xs}[{off[1]}];",
                    e.tag(),
                )
            )
            at += x.aval.shape[axis]
        return "".join(code)
    if prim in ("sum", "mean", "amax", "amin", "prod"):
        return _reduce(node, e)
    if prim in ("softmax", "log_softmax"):
        return _softmax(node, e)
    if prim == "matmul":
        return _matmul(node, e)
    if prim == "one_hot":
        (idx,) = ins
        depth = attrs["depth"]
        on, off_v = (
            _lit(attrs["on_value"], t) if t in ("float", "double") else str(int(attrs["on_value"])),
            (
                _lit(attrs["off_value"], t)
                if t in ("float", "double")
                else str(int(attrs["off_value"]))
            ),
        )
        n = _size(idx.aval.shape)
        return (
            f"for (int64_t r = 0; r < {n}; ++r) {{\n"
            f"  int64_t k = (int64_t){e.ptr(idx)}[r];\n"
            f"  for (int64_t c = 0; c < {depth}; ++c) {o}[r * {depth} + c] = (c == k) ? {on} : {off_v};\n"
            "}\n"
        )
    if prim == "apply_momentum":
        v, a, g = (e.ptr(i) for i in ins)
        lr, m = _lit(attrs["lr"], t), _lit(attrs["momentum"], t)
        n = _size(out.shape)
        update = (
            f"{v}[j] -= {lr} * ({g}[j] + {m} * {a}[j]);"
            if attrs.get("use_nesterov")
            else f"{v}[j] -= {lr} * {a}[j];"
        )
        return (
            "#pragma GCC ivdep\n"
            f"for (int64_t j = 0; j < {n}; ++j) {{\n"
            f"  {a}[j] = {a}[j] * {m} + {g}[j];\n  {update}\n}}\n"
        )
    raise AssertionError(f"no lowering for {prim}")


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


def _emit_gather(node: Apply, e: _Emitter) -> str:
    """gather (rows of ``params`` along ``axis`` at ``indices``) and its gradient (those rows'
    cotangents added back). An index outside the axis raises, as the cpu kernel does: the loop
    stops and records the node in the status slot, which the runtime checks after the call."""
    t = _ctype(node.aval)
    if node.prim == "gather":
        params, indices = node.inputs
        shape, axis = params.aval.shape, node.attrs["axis"] % params.aval.ndim
    else:
        _, indices = node.inputs
        shape, axis = tuple(node.attrs["shape"]), node.attrs["axis"] % len(node.attrs["shape"])
    outer, inner, length = _size(shape[:axis]), _size(shape[axis + 1 :]), shape[axis]
    count = _size(indices.aval.shape)
    idx, o, src = e.ptr(indices), e.ptr(node), e.ptr(node.inputs[0])
    check = (
        f"    int64_t k = (int64_t){idx}[r]; if (k < 0) k += {length};\n"
        f"    if (k < 0 || k >= {length}) {{ ((int64_t *)S[{e.status}])[0] = {node.id}; return; }}\n"
    )
    if node.prim == "gather":
        move = f"memcpy({o} + (q * {count} + r) * {inner}, {src} + (q * {length} + k) * {inner}, {inner} * sizeof({t}));"
        head = ""
    else:
        move = (
            f"for (int64_t j = 0; j < {inner}; ++j) {o}[(q * {length} + k) * {inner} + j] += "
            f"{src}[(q * {count} + r) * {inner} + j];"
        )
        head = f"memset({o}, 0, {_size(shape)} * sizeof({t}));\n"
    return (
        head
        + f"for (int64_t q = 0; q < {outer}; ++q) for (int64_t r = 0; r < {count}; ++r) {{\n"
        + check
        + f"    {move}\n}}\n"
    )


def _emit_index(node: Apply, e: _Emitter) -> str:
    """getitem: the indexed elements, copied out; index_add: zeros with the update added at the
    indexed elements (repeated positions accumulate, as numpy's add.at)."""
    kind, base, strides, picked_shape = _index_plan(node)
    t = _ctype(node.aval)
    src, o = e.ptr(node.inputs[0]), e.ptr(node)
    getting = node.prim != "index_add"
    if kind == "strided":
        dense = _strides(picked_shape)
        if getting:
            return _loops(
                picked_shape,
                [dense, strides],
                lambda off: f"{o}[{off[0]}] = {src}[{base} + {off[1]}];",
                e.tag(),
            )
        clear = f"memset({o}, 0, {_size(node.aval.shape)} * sizeof({t}));\n"
        return clear + _loops(
            picked_shape,
            [strides, dense],
            lambda off: f"{o}[{base} + {off[0]}] += {src}[{off[1]}];",
            e.tag(),
        )
    table = f"((const int64_t *)S[{e.tables[node.id]}])"
    n = _size(picked_shape)
    if node.prim == "pad":  # a constant-filled position has offset -1
        value = node.attrs.get("value") or 0
        fill = _lit(value, t) if t in ("float", "double") else str(int(value))
        return (
            f"for (int64_t r = 0; r < {n}; ++r) {{ int64_t k = {table}[r]; "
            f"{o}[r] = k >= 0 ? {src}[k] : {fill}; }}\n"
        )
    if getting:
        return f"for (int64_t r = 0; r < {n}; ++r) {o}[r] = {src}[{table}[r]];\n"
    return (
        f"memset({o}, 0, {_size(node.aval.shape)} * sizeof({t}));\n"
        f"for (int64_t r = 0; r < {n}; ++r) {o}[{table}[r]] += {src}[r];\n"
    )


def _reduce(node: Apply, e: _Emitter) -> str:
    prim, attrs = node.prim, node.attrs
    (x,) = node.inputs
    shape = x.aval.shape
    ndim = len(shape)
    axis = attrs.get("axis")
    axes = set(range(ndim)) if axis is None else {a % max(ndim, 1) for a in axis}
    t = _ctype(node.aval)
    acc_t = "double" if t in ("float", "double") else "int64_t"
    if prim == "prod":
        init, op = "1", "acc *= v;"
    elif prim in ("sum", "mean"):
        init, op = "0", "acc += v;"
    else:
        cmp = ">" if prim == "amax" else "<"
        init = "0"  # unused: the first element of each span seeds the accumulator
        op = (
            f"if (v != v || v {cmp} acc) acc = v;"
            if t in ("float", "double")
            else f"if (v {cmp} acc) acc = v;"
        )
        acc_t = t
    count = math.prod(shape[a] for a in axes) if axes else 1
    finish = f"acc / {count}" if prim == "mean" else "acc"
    kept = [a for a in range(ndim) if a not in axes]
    xs = e.ptr(x)
    o = e.ptr(node)
    if kept == list(range(len(kept))):  # reduced axes innermost: one contiguous run per output
        outer = math.prod(shape[a] for a in kept) if kept else 1
        nan_init = prim in ("amax", "amin")
        first = f"{xs}[o * {count}]" if nan_init else init
        loop_init = "1" if nan_init else "0"
        simd = _SIMD_SUM + "\n" if prim in ("sum", "mean") else ""
        if prim == "prod":
            simd = "#pragma omp simd reduction(*:acc)\n"
        return (
            f"for (int64_t o = 0; o < {outer}; ++o) {{\n"
            f"  {acc_t} acc = {first};\n{simd}"
            f"  for (int64_t r = {loop_init}; r < {count}; ++r) {{ {acc_t} v = {xs}[o * {count} + r]; {op} }}\n"
            f"  {o}[o] = ({t})({finish});\n"
            "}\n"
        )
    # Otherwise: walk the input in memory order and accumulate into the output.
    out_shape_full = tuple(1 if a in axes else shape[a] for a in range(ndim))
    out_strides = _broadcast_strides(out_shape_full, shape)
    n_out = _size(node.aval.shape)
    if prim in ("amax", "amin"):
        # First pass seeds with the first element of each output's reduced span.
        seed_strides = [
            _strides(out_shape_full),
            [s if a not in axes else 0 for a, s in enumerate(_strides(shape))],
        ]
        seed = _loops(
            out_shape_full, seed_strides, lambda off: f"{o}[{off[0]}] = {xs}[{off[1]}];", e.tag()
        )
        cmp = ">" if prim == "amax" else "<"

        def body(off: list[str]) -> str:
            return (
                f"{{ {t} v = {xs}[{off[0]}]; {t} *p = &{o}[{off[1]}]; "
                f"if (v != v || v {cmp} *p) *p = v; }}"
            )

        return seed + _loops(shape, [_strides(shape), out_strides], body, e.tag())
    fill = f"for (int64_t o = 0; o < {n_out}; ++o) {o}[o] = ({t}){init};\n"
    sym = "*=" if prim == "prod" else "+="
    acc = _loops(
        shape,
        [_strides(shape), out_strides],
        lambda off: f"{o}[{off[1]}] {sym} {xs}[{off[0]}];",
        e.tag(),
    )
    scale = (
        f"for (int64_t o = 0; o < {n_out}; ++o) {o}[o] = ({t})({o}[o] / {count});\n"
        if prim == "mean"
        else ""
    )
    return fill + acc + scale


def _softmax(node: Apply, e: _Emitter) -> str:
    (x,) = node.inputs
    t = _ctype(node.aval)
    n = x.aval.shape[-1]
    rows = _size(x.aval.shape) // max(n, 1)
    xs, o = e.ptr(x), e.ptr(node)
    exp, log = _fn("exp", t), _fn("log", t)
    if node.prim == "softmax":
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
        f"  const {t} *xr = {xs} + r * {n}; {t} *orow = {o} + r * {n};\n"
        f"  {t} m = xr[0];\n"
        f"  for (int64_t c = 1; c < {n}; ++c) if (xr[c] > m || xr[c] != xr[c]) m = xr[c];\n"
        f"  {t} s = 0;\n" + tail + "}\n"
    )


def _matmul(node: Apply, e: _Emitter) -> str:
    a, b = node.inputs
    ta, tb = bool(node.attrs.get("transpose_a")), bool(node.attrs.get("transpose_b"))
    t = _ctype(node.aval)
    gemm = "scipy_cblas_sgemm" if t == "float" else "scipy_cblas_dgemm"
    m, n = node.aval.shape[-2:]
    k = a.aval.shape[-2] if ta else a.aval.shape[-1]
    lda, ldb = a.aval.shape[-1], b.aval.shape[-1]
    batch = _size(node.aval.shape[:-2])
    a_step = _size(a.aval.shape[-2:]) if a.aval.ndim > 2 else 0
    b_step = _size(b.aval.shape[-2:]) if b.aval.ndim > 2 else 0
    call = (
        f"{gemm}(CblasRowMajor, {'CblasTrans' if ta else 'CblasNoTrans'}, "
        f"{'CblasTrans' if tb else 'CblasNoTrans'}, {m}, {n}, {k}, 1, "
        f"{e.ptr(a)} + q * {a_step}, {lda}, {e.ptr(b)} + q * {b_step}, {ldb}, 0, "
        f"{e.ptr(node)} + q * {m * n}, {n});"
    )
    if m == 0 or n == 0:
        return ""
    if k == 0:
        return f"memset({e.ptr(node)}, 0, {batch * m * n} * sizeof({t}));\n"
    if m == 1:
        # A row vector times a matrix: OpenBLAS's gemm at M=1 runs about 6x slower than its
        # gemv (120 us against 20 us for 1x784 @ 784x512 here), so call gemv on B: y = op(B)^T x,
        # x being A's one row (or, transposed, its one column: stride lda).
        gemv = "scipy_cblas_sgemv" if t == "float" else "scipy_cblas_dgemv"
        rows, cols = (n, k) if tb else (k, n)
        call = (
            f"{gemv}(CblasRowMajor, {'CblasNoTrans' if tb else 'CblasTrans'}, {rows}, {cols}, 1, "
            f"{e.ptr(b)} + q * {b_step}, {ldb}, {e.ptr(a)} + q * {a_step}, {lda if ta else 1}, 0, "
            f"{e.ptr(node)} + q * {n}, 1);"
        )
    return f"for (int64_t q = 0; q < {batch}; ++q) {call}\n"


# ------------------------------------------------------------------------------------------------
# Planning
# ------------------------------------------------------------------------------------------------


def _view_root(node: Node, roots: dict[int, int]) -> int:
    return roots.get(node.id, node.id)


def lower(graph: FuncGraph, split: bool = False) -> Lowered:
    """Plan ``graph``'s storage and generate its C module (one function per native region; with
    ``split``, one per node, so a profile can time each)."""
    nodes = graph.nodes
    native = [_lowerable(n) for n in nodes]
    output_ids = {o.id for o in graph.outputs}

    # Storage roots: views and in-place updates share their input's storage. A view that is an
    # output while its root is not would hand out the workspace: it is copied instead.
    roots: dict[int, int] = {}
    for n, ok in zip(nodes, native):
        if not ok:
            continue
        if (n.prim in VIEWS or _in_place(n.prim)) and not (n.id in output_ids and n.prim in VIEWS):
            roots[n.id] = _view_root(n.inputs[0], roots)
        elif n.prim == "cast" and n.inputs[0].aval.dtype is n.aval.dtype and n.id not in output_ids:
            roots[n.id] = _view_root(n.inputs[0], roots)

    slots: list[Slot] = []
    slot_of: dict[int, int] = {}

    def new_slot(kind: str, node: Node, **kw: Any) -> int:
        slots.append(
            Slot(len(slots), kind, tuple(node.aval.shape), np.dtype(node.aval.dtype.np), **kw)
        )
        return len(slots) - 1

    for position, p in enumerate(graph.parameters):
        slot_of[p.id] = new_slot("param", p, position=position)
    for c in graph.constants:
        slot_of[c.id] = new_slot("const", c, value=np.ascontiguousarray(c.value))

    # Liveness of each root, in steps.
    last: dict[int, int] = {}
    defined: dict[int, int] = {}
    for step, n in enumerate(nodes):
        for i in n.inputs:
            last[_view_root(i, roots)] = step
        r = _view_root(n, roots)
        last[r] = max(last.get(r, step), step)
        if r == n.id:
            defined[n.id] = step
    end = len(nodes)
    for o in graph.outputs:
        last[_view_root(o, roots)] = end
    # A tuple's elements may be its node's inputs themselves: those stay alive as long as it does.
    for n in reversed(nodes):
        if isinstance(n.aval, AbstractTuple):
            for i in n.inputs:
                r = _view_root(i, roots)
                last[r] = max(last.get(r, 0), last.get(n.id, 0))

    # Workspace: first fit by liveness over the roots computed by nodes.
    free: list[tuple[int, int]] = []  # (offset, size) blocks
    busy: list[tuple[int, int, int]] = []  # (last use, offset, size)
    top = 0
    scratch_slot: dict[int, int] = {}

    def place(nbytes: int, until: int) -> int:
        """A block of the workspace for a value alive until step ``until``."""
        nonlocal top
        size = -(-max(nbytes, 1) // _ALIGN) * _ALIGN
        fit = [b for b in free if b[1] >= size]
        if fit:
            block = min(fit, key=lambda b: b[1])
            free.remove(block)
            off = block[0]
            if block[1] > size:
                free.append((off + size, block[1] - size))
        else:
            off, top = top, top + size
        busy.append((until, off, size))
        return off

    out_position = {}
    for k, o in enumerate(graph.outputs):
        out_position.setdefault(o.id, k)
    for step, n in enumerate(nodes):
        # Blocks whose value was last used before this step are free again.
        still = []
        for until, off, size in busy:
            (free if until < step else still).append(
                (off, size) if until < step else (until, off, size)
            )
        busy = still

        if native[step] and (extra := scratch_bytes(n)):  # lives for this step only
            scratch_slot[n.id] = len(slots)
            slots.append(
                Slot(len(slots), "work", (extra,), np.dtype(np.uint8), offset=place(extra, step))
            )
        if n.id in roots:
            continue
        if isinstance(n.aval, AbstractTuple):  # no storage: the runtime holds the tuple
            slot_of[n.id] = len(slots)
            slots.append(Slot(len(slots), "tuple", (), np.dtype(object)))
            continue
        if n.id in output_ids:
            slot_of[n.id] = new_slot("out", n, position=out_position[n.id])
            continue
        nbytes = _size(n.aval.shape) * max(n.aval.dtype.itemsize, 1)
        slot_of[n.id] = new_slot("work", n, offset=place(nbytes, last.get(n.id, step)))
    for n in nodes:
        if n.id in roots:
            slot_of[n.id] = slot_of[_view_root(n, roots)]

    # Regions: runs of lowerable nodes; others are cpu steps.
    tables: dict[int, int] = {}  # node id -> slot of its index table
    for n, ok in zip(nodes, native):
        if ok and n.prim in ("getitem", "index_add", "tile", "pad"):
            plan_ = _index_plan(n)
            if plan_[0] == "table":
                tables[n.id] = len(slots)
                offsets = plan_[1]
                slots.append(Slot(len(slots), "const", offsets.shape, offsets.dtype, value=offsets))
    emitter = _Emitter(slot_of, slots, scratch_slot, tables)
    # Generated code that finds bad data (an index out of range) writes the node's id here and
    # returns; the runtime checks it after each call and raises.
    status = np.zeros(1, np.int64)
    emitter.status = len(slots)
    slots.append(Slot(len(slots), "const", (1,), status.dtype, value=status))
    steps: list[Step] = []
    functions: list[str] = []
    bodies: list[str] = []
    fallback: dict[str, int] = {}
    current: list[Apply] = []

    def close_region() -> None:
        if not current:
            return
        code = "".join(_emit(n, emitter) for n in current if n.id not in roots or _in_place(n.prim))
        name = f"mind_region_{len(functions)}"
        functions.append(name)
        bodies.append(f"void {name}(void **S) {{\n{code}}}\n")
        steps.append(Step("native", function=name, nodes=list(current)))
        current.clear()

    for n, ok in zip(nodes, native):
        if ok:
            current.append(n)
            if split:
                close_region()
        else:
            close_region()
            steps.append(Step("cpu", node=n))
            fallback[n.prim] = fallback.get(n.prim, 0) + 1
    close_region()
    sink = all(step.kind == "native" for step in steps) and bool(functions)
    if sink:  # dataset sink: many steps in one call, moving the per-step inputs' pointers
        calls = "".join(f"    {name}(S);\n" for name in functions)
        bodies.append(
            "void mind_sink(void **S, int64_t n, int64_t k, const int64_t *slots, "
            "char **bases, const int64_t *strides) {\n"
            "  for (int64_t i = 0; i < n; ++i) {\n"
            "    for (int64_t j = 0; j < k; ++j) S[slots[j]] = bases[j] + i * strides[j];\n"
            f"{calls}  }}\n}}\n"
        )
    source = _PRELUDE + "\n".join(bodies)
    return Lowered(
        graph=graph,
        source=source,
        functions=functions,
        steps=steps,
        slots=slots,
        slot_of=slot_of,
        workspace_bytes=top,
        fallback=fallback,
        output_slots=[slot_of[o.id] for o in graph.outputs],
        sink=sink,
        status_slot=emitter.status,
    )


#: Math functions whose loops vectorize when glibc's libmvec has SIMD versions of them: the build
#: defines ``MIND_MVEC_<name>`` for each one the library provides.
MVEC_FUNCTIONS = (
    "expf", "logf", "log1pf", "tanhf", "erff", "sinf", "cosf", "powf",
    "exp", "log", "log1p", "tanh", "erf", "sin", "cos", "pow",
)  # fmt: skip


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
