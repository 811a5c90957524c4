"""ONNX export: a compiled MindIR :class:`FuncGraph` and its weights as an ONNX model.

``mind.core.export(net, *inputs, file_name=..., file_format="ONNX")`` compiles ``net`` exactly as
for MindIR and hands the graph to :func:`export_onnx`, which maps each MindIR node to one or a few
ONNX nodes of the default domain (opset 17 unless asked otherwise):

- the graph's ``"input"`` parameters become the model's inputs, under their MindIR names
  (``arg0``, ``arg1``... by position in the call), with the exported shapes and dtypes fixed;
- the weights become initializers named as the Cell's Parameters (``fc1.weight``; a name used
  twice becomes ``name#2``), the graph's constants initializers named ``const<id>``;
- the outputs are named ``out0``, ``out1``... in the order the function returned its tensors.

The model passes ``onnx.checker.check_model`` (with shape inference) before it is written, and the
file is replaced atomically. A primitive without an ONNX mapping raises :class:`MindValueError`
naming the node and listing the primitives that have one (:data:`SUPPORTED`).

Needs the optional ``onnx`` package (``pip install mind-core[onnx]``); nothing here imports it at
module import time.
"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Callable
from typing import Any

import numpy as np

import mind.core._src.compiler.fusion  # noqa: F401  (defines the fused primitive)
from mind.core._base.atomic import write_atomic
from mind.core._src.ir.graph import Apply, FuncGraph, Node, Parameter
from mind.core._src.ops.dispatch import PRIMITIVES, Primitive
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindIRError, MindTypeError, MindValueError

__all__ = ["DEFAULT_OPSET", "SUFFIX", "SUPPORTED", "export_onnx", "require_onnx", "weight_arrays"]

SUFFIX = ".onnx"
DEFAULT_OPSET = 17
MIN_OPSET = 17
MAX_OPSET = 18
_MISSING = "ONNX export needs the 'onnx' package: pip install mind-core[onnx]"

# Mind dtype name -> onnx.TensorProto.DataType name.
_ONNX_DTYPE = {
    "bool": "BOOL",
    "uint8": "UINT8",
    "uint16": "UINT16",
    "uint32": "UINT32",
    "uint64": "UINT64",
    "int8": "INT8",
    "int16": "INT16",
    "int32": "INT32",
    "int64": "INT64",
    "float16": "FLOAT16",
    "bfloat16": "BFLOAT16",
    "float32": "FLOAT",
    "float64": "DOUBLE",
}
# ORT's CPU Gemm takes these; other dtypes go through MatMul.
_GEMM_DTYPES = ("float32", "float64")


def require_onnx() -> Any:
    """The ``onnx`` module, or :class:`MindValueError` saying how to install it."""
    try:
        import onnx
        import onnx.checker
        import onnx.helper
        import onnx.numpy_helper
    except ImportError:
        raise MindValueError(_MISSING) from None
    return onnx


def weight_arrays(graph: FuncGraph, weights: list[Any]) -> dict[str, np.ndarray]:
    """``{initializer name: array}`` for ``graph``'s weight parameters, in order, from the
    Parameters (or arrays) ``weights`` (``compiled.weights``). Names are the parameters' own,
    made unique with ``#2``, ``#3``... as the MindIR file does."""
    params = [p for p in graph.parameters if p.kind == "weight"]
    if len(params) != len(weights):
        raise MindValueError(
            f"For 'export' (ONNX), graph '{graph.name}' has {len(params)} weights, got "
            f"{len(weights)} arrays"
        )
    return {
        key: np.asarray(getattr(w, "_data", w))
        for key, w in zip(_weight_keys(params), weights, strict=True)
    }


def _weight_keys(params: list[Parameter]) -> list[str]:
    keys: list[str] = []
    taken: set[str] = set()
    for p in params:
        key, n = p.name, 1
        while key in taken:
            n += 1
            key = f"{p.name}#{n}"
        taken.add(key)
        keys.append(key)
    return keys


# ------------------------------------------------------------------------------------------------
# The builder: ONNX nodes, initializers and unique value names
# ------------------------------------------------------------------------------------------------


class _Builder:
    def __init__(
        self, onnx: Any, graph: FuncGraph, opset: int, taken: set[str] | None = None
    ) -> None:
        self.onnx, self.graph, self.opset = onnx, graph, opset
        self.helper = onnx.helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        # Names are unique across the whole model: a nested graph's builder shares the set.
        self.taken: set[str] = set() if taken is None else taken
        self.names: dict[int, str] = {}
        self._ints: dict[tuple[int, ...], str] = {}
        self._scalars: dict[tuple[str, float], str] = {}
        self._count = 0
        self.tuples: dict[int, list[str]] = {}  # a control-flow node's id -> its outputs' names

    def fresh(self, base: str) -> str:
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def tensor(self, arr: np.ndarray, name: str) -> Any:
        arr = np.asarray(arr)
        if not arr.flags.c_contiguous:  # (np.ascontiguousarray would make a 0-d array 1-d)
            arr = arr.copy(order="C")
        if arr.dtype.name == "bfloat16":  # numpy_helper knows it only in recent onnx versions
            raw = arr.view(np.uint16).astype("<u2").tobytes()
            return self.helper.make_tensor(
                name, self.onnx.TensorProto.BFLOAT16, arr.shape, raw, raw=True
            )
        return self.onnx.numpy_helper.from_array(arr, name)

    def initializer(self, arr: np.ndarray, base: str, exact: bool = False) -> str:
        name = base if exact else self.fresh(base)
        self.initializers.append(self.tensor(arr, name))
        return name

    def ints(self, values: Any) -> str:
        """A 1-D int64 initializer (shapes, axes, pads), shared between nodes."""
        key = tuple(int(v) for v in values)
        if key not in self._ints:
            self._ints[key] = self.initializer(np.array(key, dtype=np.int64), "ints")
        return self._ints[key]

    def scalar(self, value: float, like: dt.DType) -> str:
        """A 0-d initializer of dtype ``like`` (the constants of decompositions)."""
        key = (like.name, float(value))
        if key not in self._scalars:
            self._scalars[key] = self.initializer(np.asarray(value, dtype=like.np), "scalar")
        return self._scalars[key]

    def emit(self, op: str, inputs: list[str], output: str | None = None, **attrs: Any) -> str:
        """Add one node; returns its (single) output's name, a fresh one unless given."""
        return self.emit_multi(op, inputs, [output], **attrs)[0]

    def emit_multi(
        self, op: str, inputs: list[str], outputs: list[str | None], **attrs: Any
    ) -> list[str]:
        """Add one node with several outputs (fresh names where None); returns their names."""
        self._count += 1
        outs = [o if o is not None else self.fresh(f"{op.lower()}{self._count}") for o in outputs]
        self.nodes.append(
            self.helper.make_node(op, inputs, outs, name=self.fresh(f"{op}_{self._count}"), **attrs)
        )
        return outs

    def value_info(self, name: str, aval: Any) -> Any:
        if aval.dtype.name not in _ONNX_DTYPE:
            raise MindValueError(
                f"For 'export' (ONNX), a value of graph '{self.graph.name}' has dtype "
                f"{aval.dtype}, which ONNX has no type for"
            )
        return self.helper.make_tensor_value_info(
            name, _elem_type(self.onnx, aval.dtype), [int(d) for d in aval.shape]
        )

    def child(self, graph: FuncGraph) -> _Builder:
        """A builder for a nested graph (a branch, a loop body) of this one."""
        return _Builder(self.onnx, graph, self.opset, self.taken)

    def subgraph(self, name: str, inputs: list[Any], outputs: list[Any]) -> Any:
        return self.helper.make_graph(
            self.nodes, self.fresh(name), inputs, outputs, initializer=self.initializers
        )


def _describe(graph: FuncGraph, node: Apply) -> str:
    args = ", ".join(i.ref for i in node.inputs)
    attrs = ", ".join(f"{k}={v!r}" for k, v in node.attrs.items())
    body = f"{node.ref} = {node.prim}({args})" + (f" {{{attrs}}}" if attrs else "")
    return f"node {body} of graph '{graph.name}'"


class _Unsupported(Exception):
    """Raised by a converter for attribute values it cannot map; becomes a MindValueError."""


# ------------------------------------------------------------------------------------------------
# Converters: (builder, node, input names, output name) -> None, emitting nodes that write `out`
# ------------------------------------------------------------------------------------------------

Converter = Callable[[_Builder, Apply, list[str], str], None]
#: The ONNX converter of each primitive, keyed by the primitive object.
_CONVERTERS: dict[Primitive, Converter] = {}


def _simple(prim: str, op: str) -> None:
    def convert(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
        b.emit(op, xs, out)

    _CONVERTERS[PRIMITIVES[prim]] = convert


for _prim, _op in {
    "add": "Add",
    "sub": "Sub",
    "mul": "Mul",
    "div": "Div",
    "pow": "Pow",
    "maximum": "Max",
    "minimum": "Min",
    "neg": "Neg",
    "abs": "Abs",
    "sign": "Sign",
    "exp": "Exp",
    "log": "Log",
    "sqrt": "Sqrt",
    "sin": "Sin",
    "cos": "Cos",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "erf": "Erf",
    "floor": "Floor",
    "round": "Round",  # half to even, as numpy
    "relu": "Relu",
    "equal": "Equal",
    "greater": "Greater",
    "greater_equal": "GreaterOrEqual",
    "less": "Less",
    "less_equal": "LessOrEqual",
    "logical_and": "And",
    "logical_or": "Or",
    "logical_xor": "Xor",
    "logical_not": "Not",
    "where": "Where",
}.items():
    _simple(_prim, _op)
del _prim, _op


def _converter(*prims: str) -> Callable[[Converter], Converter]:
    def register(fn: Converter) -> Converter:
        for prim in prims:
            _CONVERTERS[PRIMITIVES[prim]] = fn
        return fn

    return register


@_converter("not_equal")
def _not_equal(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Not", [b.emit("Equal", xs)], out)


@_converter("rsqrt")
def _rsqrt(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Reciprocal", [b.emit("Sqrt", xs)], out)


@_converter("clip")
def _clip(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    # The kernel is minimum(maximum(x, lo), hi) with broadcasting bounds, which Clip does not take.
    b.emit("Min", [b.emit("Max", [xs[0], xs[1]]), xs[2]], out)


@_converter("cast")
def _cast(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Cast", xs, out, to=_elem_type(b.onnx, node.aval.dtype))


# -- activations ----------------------------------------------------------------------------------


@_converter("leaky_relu")
def _leaky_relu(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("LeakyRelu", xs, out, alpha=float(node.attrs["alpha"]))


@_converter("elu")
def _elu(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Elu", xs, out, alpha=float(node.attrs["alpha"]))


@_converter("silu")
def _silu(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Mul", [xs[0], b.emit("Sigmoid", xs)], out)


@_converter("gelu")
def _gelu(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    # Always decomposed, also from opset 20 where ONNX has a Gelu op: onnxruntime releases
    # disagree on its tanh form (1.23 computed a different function), the decomposition does not.
    approximate = node.attrs.get("approximate", "none")
    x, like = xs[0], node.aval.dtype
    if approximate == "tanh":
        # 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3))), as the kernel computes it
        cube = b.emit("Mul", [b.emit("Mul", [x, x]), x])
        inner = b.emit("Add", [x, b.emit("Mul", [cube, b.scalar(0.044715, like)])])
        t = b.emit("Tanh", [b.emit("Mul", [inner, b.scalar(math.sqrt(2.0 / math.pi), like)])])
        b.emit(
            "Mul",
            [b.emit("Mul", [x, b.scalar(0.5, like)]), b.emit("Add", [t, b.scalar(1.0, like)])],
            out,
        )
        return
    # exact: 0.5 * x * (1 + erf(x / sqrt(2)))
    e = b.emit("Erf", [b.emit("Div", [x, b.scalar(math.sqrt(2.0), like)])])
    b.emit(
        "Mul",
        [b.emit("Mul", [x, b.scalar(0.5, like)]), b.emit("Add", [e, b.scalar(1.0, like)])],
        out,
    )


@_converter("softmax", "log_softmax")
def _softmax(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    op = "Softmax" if node.prim == "softmax" else "LogSoftmax"
    b.emit(op, xs, out, axis=int(node.attrs["axis"]))


# -- shapes -----------------------------------------------------------------------------------------


def _reshape(b: _Builder, x: str, shape: tuple[int, ...], out: str | None = None) -> str:
    # allowzero=1: a 0 in the shape is a length, not "copy the input's"; Mind shapes are exact.
    extra = {"allowzero": 1} if 0 in shape else {}
    return b.emit("Reshape", [x, b.ints(shape)], out, **extra)


@_converter("reshape")
def _reshape_node(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    _reshape(b, xs[0], tuple(node.aval.shape), out)


@_converter("transpose")
def _transpose(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Transpose", xs, out, perm=[int(p) for p in node.attrs["perm"]])


@_converter("broadcast_to")
def _broadcast_to(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Expand", [xs[0], b.ints(node.aval.shape)], out)


@_converter("concat")
def _concat(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Concat", xs, out, axis=int(node.attrs["axis"]))


@_converter("tile")
def _tile(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    reps = tuple(int(r) for r in node.attrs["reps"])
    x, shape = xs[0], tuple(node.inputs[0].aval.shape)
    if len(reps) > len(shape):  # numpy's tile prepends axes of length 1
        x = _reshape(b, x, (1,) * (len(reps) - len(shape)) + shape)
    b.emit("Tile", [x, b.ints(reps)], out)


@_converter("pad")
def _pad(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    pads = [(int(lo), int(hi)) for lo, hi in node.attrs["pads"]]
    mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}.get(
        node.attrs["mode"]
    )
    if mode is None:
        raise _Unsupported(f"pad mode {node.attrs['mode']!r}")
    inputs = [xs[0], b.ints([lo for lo, _ in pads] + [hi for _, hi in pads])]
    if mode == "constant":
        inputs.append(b.scalar(node.attrs.get("value") or 0, node.aval.dtype))
    b.emit("Pad", inputs, out, mode=mode)


@_converter("gather")
def _gather(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Gather", xs, out, axis=int(node.attrs["axis"]))


@_converter("getitem")
def _getitem(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    """Basic indexing (ints, slices, None, Ellipsis): one Slice, then a Reshape to the result's
    shape that drops the int-indexed axes and inserts the None ones."""
    shape = tuple(node.inputs[0].aval.shape)
    index = node.attrs["index"]
    items = list(index) if isinstance(index, tuple) else [index]
    for item in items:
        if isinstance(item, bool | np.bool_) or not (
            item is None or item is Ellipsis or isinstance(item, slice) or _is_int(item)
        ):
            raise _Unsupported(
                f"index {index!r}: only ints, slices, None and '...' (basic indexing) map to "
                "ONNX; integer-array and boolean-mask indexing do not"
            )
    if sum(item is Ellipsis for item in items) > 1:
        raise _Unsupported(f"index {index!r} has more than one '...'")
    used = sum(1 for item in items if item is not None and item is not Ellipsis)
    if Ellipsis in items:
        at = next(i for i, item in enumerate(items) if item is Ellipsis)
        items[at : at + 1] = [slice(None)] * (len(shape) - used)
    else:
        items += [slice(None)] * (len(shape) - used)
    starts, ends, axes, steps = [], [], [], []
    sliced = list(shape)
    axis = 0
    for item in items:
        if item is None:
            continue
        size = shape[axis]
        if isinstance(item, slice):
            start, stop, step = item.indices(size)
            sliced[axis] = len(range(start, stop, step))
            if (start, stop, step) != (0, size, 1):
                if step < 0 and stop < 0:  # "through index 0": ONNX clamps this to -1 itself
                    stop = -(2**63)
                starts.append(start)
                ends.append(stop)
                axes.append(axis)
                steps.append(step)
        else:
            i = operator.index(item)
            i = i + size if i < 0 else i
            sliced[axis] = 1
            starts.append(i)
            ends.append(i + 1)
            axes.append(axis)
            steps.append(1)
        axis += 1
    want, x = tuple(node.aval.shape), xs[0]
    exact = tuple(sliced) == want
    if axes:
        args = [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)]
        x = b.emit("Slice", args, out if exact else None)
    if not exact:
        _reshape(b, x, want, out)
    elif not axes:
        b.emit("Identity", [x], out)


def _is_int(value: Any) -> bool:
    try:
        operator.index(value)
    except TypeError:
        return False
    return not isinstance(value, np.ndarray) or value.ndim == 0


# -- reductions -------------------------------------------------------------------------------------


def _reduce(b: _Builder, op: str, x: str, axis: Any, keepdims: bool, out: str | None = None) -> str:
    """``op`` over ``axis`` (None: all axes). ReduceSum takes its axes as an input from opset 13,
    the other reductions from opset 18 (an attribute before)."""
    if axis is not None and len(tuple(axis)) == 0:  # numpy: no axes, no reduction
        return b.emit("Identity", [x], out)
    keep = int(bool(keepdims))
    if axis is None:
        return b.emit(op, [x], out, keepdims=keep)
    axes = [int(a) for a in axis]
    if op == "ReduceSum" or b.opset >= 18:
        return b.emit(op, [x, b.ints(axes)], out, keepdims=keep)
    return b.emit(op, [x], out, axes=axes, keepdims=keep)


_REDUCE_OPS = {
    "sum": "ReduceSum",
    "mean": "ReduceMean",
    "amax": "ReduceMax",
    "amin": "ReduceMin",
    "prod": "ReduceProd",
    "logsumexp": "ReduceLogSumExp",
}


@_converter(*_REDUCE_OPS)
def _reduction(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    axis = node.attrs.get("axis")
    _reduce(b, _REDUCE_OPS[node.prim], xs[0], axis, node.attrs.get("keepdims", False), out)


@_converter("var")
def _var(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    x, shape = xs[0], tuple(node.inputs[0].aval.shape)
    axis, ddof = node.attrs.get("axis"), int(node.attrs.get("ddof", 0))
    axes = tuple(range(len(shape))) if axis is None else tuple(int(a) for a in axis)
    count = int(np.prod([shape[a] for a in axes])) if axes else 1
    centred = b.emit("Sub", [x, _reduce(b, "ReduceMean", x, axes, True)])
    total = _reduce(b, "ReduceSum", b.emit("Mul", [centred, centred]), axes, node.attrs["keepdims"])
    b.emit("Div", [total, b.scalar(count - ddof, node.aval.dtype)], out)


@_converter("cumsum")
def _cumsum(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    axis = b.initializer(np.asarray(int(node.attrs["axis"]), np.int64), "axis")
    b.emit("CumSum", [xs[0], axis], out, reverse=int(bool(node.attrs.get("reverse"))))


@_converter("argmax", "argmin")
def _argmax(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    op = "ArgMax" if node.prim == "argmax" else "ArgMin"
    axis, keep = node.attrs.get("axis"), int(bool(node.attrs.get("keepdims", False)))
    if axis is None:  # numpy: the index into the flattened input
        flat = _reshape(b, xs[0], (int(np.prod(node.inputs[0].aval.shape)),))
        _reshape(b, b.emit(op, [flat], axis=0, keepdims=0), tuple(node.aval.shape), out)
        return
    b.emit(op, xs, out, axis=int(axis), keepdims=keep)


# -- matmul, convolution, pooling ------------------------------------------------------------------


def _swap_last2(b: _Builder, x: str, ndim: int) -> str:
    perm = list(range(ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return b.emit("Transpose", [x], perm=perm)


@_converter("matmul")
def _matmul(b: _Builder, node: Apply, xs: list[str], out: str, bias: str | None = None) -> None:
    ta, tb = bool(node.attrs.get("transpose_a")), bool(node.attrs.get("transpose_b"))
    a, c = node.inputs
    if a.aval.ndim == 2 and c.aval.ndim == 2 and node.aval.dtype.name in _GEMM_DTYPES:
        b.emit("Gemm", xs + ([bias] if bias else []), out, transA=int(ta), transB=int(tb))
        return
    x, y = xs
    if ta:
        x = _swap_last2(b, x, a.aval.ndim)
    if tb:
        y = _swap_last2(b, y, c.aval.ndim)
    b.emit("MatMul", [x, y], out)


def _onnx_pads(pads: Any) -> list[int]:
    top, bottom, left, right = (int(p) for p in pads)
    return [top, left, bottom, right]  # ONNX: all begins, then all ends


@_converter("conv2d")
def _conv2d(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    w = node.inputs[1].aval.shape
    b.emit(
        "Conv",
        xs,
        out,
        kernel_shape=[int(w[2]), int(w[3])],
        strides=[int(s) for s in node.attrs["stride"]],
        pads=_onnx_pads(node.attrs["pads"]),
        dilations=[int(d) for d in node.attrs["dilation"]],
        group=int(node.attrs["groups"]),
    )


@_converter("conv_transpose2d")
def _conv_transpose2d(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    """Mind's output is the full transposed convolution (zero-extended) from ``top``/``left``
    on, ``in_hw`` long; ONNX's crops ``pads`` begin and end and zero-extends by
    ``output_padding``: choose them to give the same window."""
    (_, _, h, w), (_, _, kh, kw) = node.inputs[0].aval.shape, node.inputs[1].aval.shape
    top, _bottom, left, _right = (int(p) for p in node.attrs["pads"])
    stride = [int(s) for s in node.attrs["stride"]]
    dilation = [int(d) for d in node.attrs["dilation"]]
    if top < 0 or left < 0:
        raise _Unsupported(f"negative padding {node.attrs['pads']}")
    begins, ends, extra = [top, left], [], []
    for size, k, s, d, lo, want in zip(
        (h, w), (kh, kw), stride, dilation, (top, left), node.attrs["in_hw"]
    ):
        full = (size - 1) * s + d * (k - 1) + 1
        ends.append(max(full - lo - int(want), 0))
        extra.append(max(int(want) - (full - lo), 0))
    attrs: dict[str, Any] = {
        "kernel_shape": [int(kh), int(kw)],
        "strides": stride,
        "dilations": dilation,
        "group": int(node.attrs["groups"]),
        "pads": begins + ends,
    }
    if any(extra):
        attrs["output_padding"] = extra
    b.emit("ConvTranspose", xs, out, **attrs)


@_converter("max_pool2d", "avg_pool2d")
def _pool(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    attrs: dict[str, Any] = {
        "kernel_shape": [int(k) for k in node.attrs["kernel"]],
        "strides": [int(s) for s in node.attrs["stride"]],
        "pads": _onnx_pads(node.attrs["pads"]),
    }
    if node.prim == "avg_pool2d":
        b.emit("AveragePool", xs, out, count_include_pad=1, **attrs)  # Mind divides by k*k
    else:
        b.emit("MaxPool", xs, out, **attrs)


@_converter("adaptive_avg_pool2d")
def _adaptive_avg_pool2d(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    h, w = node.inputs[0].aval.shape[2:]
    oh, ow = (int(s) for s in node.attrs["output_size"])
    if (oh, ow) == (1, 1):
        b.emit("GlobalAveragePool", xs, out)
    elif h % oh == 0 and w % ow == 0:  # equal windows: an ordinary average pool
        kernel = [h // oh, w // ow]
        b.emit("AveragePool", xs, out, kernel_shape=kernel, strides=kernel)
    else:
        raise _Unsupported(
            f"output_size {(oh, ow)} for input size {(h, w)}: only 1x1, or sizes dividing the "
            "input's, map to ONNX (its windows would overlap unevenly)"
        )


"""The MindIR primitives :func:`export_onnx` maps to ONNX."""


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------


def _elem_type(onnx: Any, dtype: dt.DType) -> int:
    return getattr(onnx.TensorProto, _ONNX_DTYPE[dtype.name])


def _gemm_fusions(graph: FuncGraph) -> dict[int, tuple[Apply, Node]]:
    """``{add node id: (matmul node, bias node)}`` for 2-D float matmuls whose only use is an add
    of a bias broadcastable to their result (``Dense``): one Gemm computes both."""
    uses: dict[int, int] = {}
    for node in graph.nodes:
        for i in node.inputs:
            uses[i.id] = uses.get(i.id, 0) + 1
    for o in graph.outputs:
        uses[o.id] = uses.get(o.id, 0) + 1
    fused: dict[int, tuple[Apply, Node]] = {}
    for node in graph.nodes:
        if node.prim != "add":
            continue
        for mm, bias in (node.inputs, node.inputs[::-1]):
            if (
                isinstance(mm, Apply)
                and mm.prim == "matmul"
                and uses.get(mm.id) == 1
                and mm.aval.dtype.name in _GEMM_DTYPES
                and all(i.aval.ndim == 2 for i in mm.inputs)
                and bias.aval.dtype is mm.aval.dtype
                and node.aval.shape == mm.aval.shape
                and bias.aval.ndim <= 2
                and all(s in (1, t) for s, t in zip(bias.aval.shape[::-1], mm.aval.shape[::-1]))
            ):
                fused[node.id] = (mm, bias)
                break
    return fused


def export_onnx(
    graph: FuncGraph,
    weights: dict[str, np.ndarray],
    file_name: str | os.PathLike[str],
    opset: int = DEFAULT_OPSET,
) -> None:
    """Write ``graph`` with ``weights`` as an ONNX model to ``file_name`` (as given, no suffix
    added).

    :param graph: a compiled graph (``JitFunction(...).compile(*args).graph``).
    :param weights: ``{name: array}`` for the graph's weight parameters, keyed by their names
        made unique as :func:`weight_arrays` does; the keys become the initializers' names.
    :param opset: the ONNX opset of the default domain, 17 or 18 (see :data:`MAX_OPSET`).
        From 18 the reductions take their axes as an input. GELU is decomposed through
        ``Erf`` or ``Tanh``.
    :raises MindValueError: ``onnx`` is not installed, or a node's primitive (or its attributes)
        has no ONNX mapping: the message names the node and lists :data:`SUPPORTED`.
    :raises MindIRError: the model fails ``onnx.checker`` (a bug: please report it) or the file
        could not be written (an existing file is then left as it was).
    """
    onnx = require_onnx()

    if not isinstance(opset, int) or isinstance(opset, bool):
        raise MindTypeError(f"For 'export' (ONNX), 'opset' must be an int, got {opset!r}")
    # Opset 19 changed AveragePool and Pad; onnxruntime releases still in use (1.23, the newest
    # for Python 3.10) compute the opset-19 forms differently, so exports stop at 18 until every
    # supported runtime agrees.
    newest = min(onnx.defs.onnx_opset_version(), MAX_OPSET)
    if not MIN_OPSET <= opset <= newest:
        raise MindValueError(
            f"For 'export' (ONNX), 'opset' must be from {MIN_OPSET} to {newest}, got {opset}"
        )
    path = os.fspath(file_name)
    b = _Builder(onnx, graph, opset)
    helper = onnx.helper

    def value_info(name: str, node: Node) -> Any:
        if node.aval.dtype.name not in _ONNX_DTYPE:
            raise MindValueError(
                f"For 'export' (ONNX), {node.ref} of graph '{graph.name}' has dtype "
                f"{node.aval.dtype}, which ONNX has no type for"
            )
        return helper.make_tensor_value_info(
            name, _elem_type(onnx, node.aval.dtype), [int(s) for s in node.aval.shape]
        )

    # Names: inputs, weights and constants first (so intermediates never take them), outputs next.
    inputs = [p for p in graph.parameters if p.kind == "input"]
    params = [p for p in graph.parameters if p.kind == "weight"]
    graph_inputs = []
    for p in inputs:
        b.names[p.id] = b.fresh(p.name)
        graph_inputs.append(value_info(b.names[p.id], p))
    keys = _weight_keys(params)
    missing = [k for k in keys if k not in weights]
    if missing:
        raise MindValueError(
            f"For 'export' (ONNX), no array given for weight {missing[0]!r} of graph "
            f"'{graph.name}'; weights given: {list(weights)[:8]}"
        )
    for p, key in zip(params, keys):
        arr = np.asarray(weights[key])
        if arr.shape != tuple(p.aval.shape):
            raise MindValueError(
                f"For 'export' (ONNX), weight {key!r} has shape {arr.shape}, but graph "
                f"'{graph.name}' expects {tuple(p.aval.shape)}"
            )
        b.names[p.id] = b.fresh(key)
        b.initializer(arr.astype(p.aval.dtype.np, copy=False), b.names[p.id], exact=True)
    for c in graph.constants:
        b.names[c.id] = b.fresh(f"const{c.id}")
        b.initializer(c.value, b.names[c.id], exact=True)
    out_names: list[str] = []
    renamed: set[int] = set()
    for i, o in enumerate(graph.outputs):
        name = b.fresh(f"out{i}")
        out_names.append(name)
        if isinstance(o, Apply) and o.id not in renamed:
            renamed.add(o.id)
            b.names[o.id] = name

    _convert_nodes(b, graph)
    # Outputs that are not a node's own name (an input, a constant, one node twice): Identity.
    for o, name in zip(graph.outputs, out_names):
        if b.names[o.id] != name:
            b.emit("Identity", [b.names[o.id]], name)
    graph_outputs = [value_info(name, o) for o, name in zip(graph.outputs, out_names)]

    onnx_graph = helper.make_graph(
        b.nodes, graph.name, graph_inputs, graph_outputs, initializer=b.initializers
    )
    opset_ids = [helper.make_opsetid("", opset)]
    model = helper.make_model(
        onnx_graph, opset_imports=opset_ids, producer_name="mind", producer_version=_version()
    )
    find_ir = getattr(helper, "find_min_ir_version_for", None)
    if find_ir is not None:  # the oldest IR that carries this opset: older runtimes load it
        model.ir_version = find_ir(opset_ids)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # onnx.checker.ValidationError, shape inference errors
        raise MindIRError(
            f"For 'export' (ONNX), the model built from graph '{graph.name}' fails onnx.checker "
            f"(a bug in Mind's ONNX export; please report it): {exc}"
        ) from exc
    payload = model.SerializeToString()
    try:
        write_atomic(path, payload)
    except OSError as exc:
        raise MindIRError(f"For 'export', could not write '{path}': {exc}") from exc


def _convert_nodes(b: _Builder, graph: FuncGraph) -> None:
    """Emit ONNX nodes for ``graph.nodes``; ``b.names`` already names its parameters and
    constants (and may name some nodes' outputs)."""
    fused = _gemm_fusions(graph)
    skipped = {mm.id for mm, _ in fused.values()}
    for node in graph.nodes:
        if node.id in skipped:
            continue
        out = b.names.get(node.id) or b.fresh(f"v{node.id}")
        b.names[node.id] = out
        try:
            if node.id in fused:
                mm, bias = fused[node.id]
                xs = [b.names[i.id] for i in mm.inputs]
                _matmul(b, mm, xs, out, bias=b.names[bias.id])
                continue
            convert = _CONVERTERS.get(PRIMITIVES.get(node.prim))
            if convert is None:
                raise _Unsupported("")
            convert(b, node, [b.names[i.id] for i in node.inputs], out)
        except _Unsupported as exc:
            why = f" ({exc})" if str(exc) else ""
            what = "its attributes have" if str(exc) else f"primitive {node.prim!r} has"
            raise MindValueError(
                f"For 'export' (ONNX), {_describe(graph, node)}: {what} no ONNX mapping{why}. "
                f"Primitives that export to ONNX: {', '.join(SUPPORTED)}"
            ) from None


def _nested(
    b: _Builder, graph: FuncGraph, names: dict[int, str], constants: bool = True
) -> tuple[_Builder, list[str]]:
    """Convert a nested graph whose parameters are the given outer (or body-input) names;
    returns its builder and the names of its outputs (fresh ones, each its own value)."""
    c = b.child(graph)
    c.names.update(names)
    for const in graph.constants:
        c.names[const.id] = c.initializer(const.value, f"const{const.id}")
    _convert_nodes(c, graph)
    outs = []
    for o in graph.outputs:
        name = c.fresh(f"{graph.name}_out")
        c.emit("Identity", [c.names[o.id]], name)
        outs.append(name)
    return c, outs


def _convert_cond(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    """cond -> If: the branches take their inputs from the enclosing scope by name."""
    branches = []
    for attr in ("true_graph", "false_graph"):
        graph = node.attrs[attr]
        names = {p.id: x for p, x in zip(graph.parameters, xs[1:])}
        c, outs = _nested(b, graph, names)
        infos = [c.value_info(n, o.aval) for n, o in zip(outs, graph.outputs)]
        branches.append(c.subgraph(attr, [], infos))
    results = b.emit_multi(
        "If", [xs[0]], [None] * len(node.aval.elements), then_branch=branches[0],
        else_branch=branches[1],
    )  # fmt: skip
    b.tuples[node.id] = results


def _convert_scan(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    """scan -> Loop over the sequences' leading axis: the body gathers each step's slices, and
    the per-step outputs (ys, and the entering carries when they are saved) stack along axis 0
    (reversed afterwards for a reverse scan, whose steps run from the end)."""
    a = node.attrs
    body: FuncGraph = a["body"]
    nc, nx, length, reverse = a["num_carry"], a["num_xs"], a["length"], a["reverse"]
    carries, seqs, captures = xs[:nc], xs[nc : nc + nx], xs[nc + nx :]
    c = b.child(body)
    i_name, cond_in = c.fresh("iter"), c.fresh("cond_in")
    carry_in = [c.fresh(f"carry{k}_in") for k in range(nc)]
    i64 = c.onnx.TensorProto.INT64
    inputs = [
        c.helper.make_tensor_value_info(i_name, i64, []),
        c.helper.make_tensor_value_info(cond_in, c.onnx.TensorProto.BOOL, []),
        *(c.value_info(n, p.aval) for n, p in zip(carry_in, body.parameters[:nc])),
    ]
    position = i_name
    if reverse:
        position = c.emit("Sub", [c.initializer(np.array(length - 1, np.int64), "last"), i_name])
    names = dict(zip((p.id for p in body.parameters[:nc]), carry_in))
    for p, seq in zip(body.parameters[nc : nc + nx], seqs):
        names[p.id] = c.emit("Gather", [seq, position], axis=0)
    names.update(zip((p.id for p in body.parameters[nc + nx :]), captures))
    for const in body.constants:
        names[const.id] = c.initializer(const.value, f"const{const.id}")
    c.names.update(names)
    _convert_nodes(c, body)
    cond_out = c.emit("Identity", [cond_in])
    outs, infos = (
        [cond_out],
        [c.helper.make_tensor_value_info(cond_out, c.onnx.TensorProto.BOOL, [])],
    )
    for o in body.outputs:
        name = c.emit("Identity", [c.names[o.id]])
        outs.append(name)
        infos.append(c.value_info(name, o.aval))
    if a["save"]:  # the carries entering each step, stacked: what the gradient reads
        for n, p in zip(carry_in, body.parameters[:nc]):
            name = c.emit("Identity", [n])
            infos.append(c.value_info(name, p.aval))
    graph = c.subgraph("scan_body", inputs, infos)
    trip = b.initializer(np.array(length, np.int64), "trip")
    results = b.emit_multi(
        "Loop", [trip, "", *carries], [None] * len(node.aval.elements), body=graph
    )
    if reverse:  # stacked in step order, which ran from the end: flip back
        ny = len(body.outputs) - nc
        for k in range(nc, nc + ny + (nc if a["save"] else 0)):
            results[k] = b.emit(
                "Slice",
                [results[k], b.ints([-1]), b.ints([-(2**62)]), b.ints([0]), b.ints([-1])],
            )
    b.tuples[node.id] = results


def _convert_while(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    """while_loop -> Loop with no trip count: the condition is evaluated once before the loop
    and again at the end of each body run."""
    a = node.attrs
    test: FuncGraph = a["cond_graph"]
    body: FuncGraph = a["body_graph"]
    nc = a["num_carry"]
    carries, captures = xs[:nc], xs[nc:]
    names = {p.id: x for p, x in zip(test.parameters, xs)}
    first, first_outs = _nested(b, test, names)
    b.nodes.extend(first.nodes)  # the first test runs in the enclosing graph
    b.initializers.extend(first.initializers)
    c = b.child(body)
    i_name, cond_in = c.fresh("iter"), c.fresh("cond_in")
    carry_in = [c.fresh(f"carry{k}_in") for k in range(nc)]
    inputs = [
        c.helper.make_tensor_value_info(i_name, c.onnx.TensorProto.INT64, []),
        c.helper.make_tensor_value_info(cond_in, c.onnx.TensorProto.BOOL, []),
        *(c.value_info(n, p.aval) for n, p in zip(carry_in, body.parameters[:nc])),
    ]
    step = dict(zip((p.id for p in body.parameters), [*carry_in, *captures]))
    for const in body.constants:
        step[const.id] = c.initializer(const.value, f"const{const.id}")
    c.names.update(step)
    _convert_nodes(c, body)
    new_carries = [c.names[o.id] for o in body.outputs]
    again = c.child(test)
    again.names.update(dict(zip((p.id for p in test.parameters), [*new_carries, *captures])))
    for const in test.constants:
        again.names[const.id] = again.initializer(const.value, f"const{const.id}")
    _convert_nodes(again, test)
    c.nodes.extend(again.nodes)
    c.initializers.extend(again.initializers)
    cond_out = c.emit("Identity", [again.names[test.outputs[0].id]])
    outs = [cond_out, *(c.emit("Identity", [n]) for n in new_carries)]
    infos = [c.helper.make_tensor_value_info(cond_out, c.onnx.TensorProto.BOOL, [])]
    infos += [c.value_info(n, o.aval) for n, o in zip(outs[1:], body.outputs)]
    graph = c.subgraph("while_body", inputs, infos)
    b.tuples[node.id] = b.emit_multi("Loop", ["", first_outs[0], *carries], [None] * nc, body=graph)


def _convert_tuple_getitem(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    b.emit("Identity", [b.tuples[node.inputs[0].id][node.attrs["index"]]], out)


def _convert_fused(b: _Builder, node: Apply, xs: list[str], out: str) -> None:
    """A fused chain (graph-kernel fusion) exports as its ops, inline."""
    graph: FuncGraph = node.attrs["graph"]
    # Its own builder (a nested graph numbers its nodes from 1 too), merged into this one.
    c, outs = _nested(b, graph, {p.id: x for p, x in zip(graph.parameters, xs)})
    b.nodes.extend(c.nodes)
    b.initializers.extend(c.initializers)
    b.emit("Identity", [outs[0]], out)


_CONVERTERS[PRIMITIVES["fused"]] = _convert_fused
_CONVERTERS[PRIMITIVES["cond"]] = _convert_cond
_CONVERTERS[PRIMITIVES["scan"]] = _convert_scan
_CONVERTERS[PRIMITIVES["while_loop"]] = _convert_while
_CONVERTERS[PRIMITIVES["tuple_getitem"]] = _convert_tuple_getitem

#: The primitives ONNX export maps.
SUPPORTED: tuple[str, ...] = tuple(sorted(prim.name for prim in _CONVERTERS))


def _version() -> str:
    from mind.core import __version__

    return __version__
