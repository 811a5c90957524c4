"""ONNX models (opsets 13 and later) to lite graphs: ``converter_lite --fmk=ONNX``.

The only module of mind-lite that imports the ``onnx`` package (``pip install mind-lite[onnx]``),
and it reads models only through it (``onnx.load``, ``onnx.numpy_helper``), never by parsing
protobuf itself. Each ONNX node becomes lite nodes of mind-core primitives (``conv2d``,
``matmul``, ``reshape``, ...) or of the few ops mind-lite adds for ONNX (``conv_transpose2d``,
``pool2d``, ``resize``, ``hardswish``, ``trunc_div``; see :mod:`mind.lite._src.kernels`).

Shapes are static: every graph input needs fixed dimensions, and each value's shape and dtype
are found by running its kernel on zeros of its inputs' shapes while the graph is read. A node
whose inputs are all known at conversion time (initializers, ``Constant``, ``Shape`` of a
static shape, and what is computed from them) is computed then, so the shape arithmetic of an
exported model (``Shape -> Gather -> Concat -> Reshape``) folds away.

An op, attribute value or dtype mind-lite does not support is a
:class:`~mind.lite.errors.LiteConvertError` naming the op type, the node and the opset; a
partial model is never produced.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from mind.lite._src.format import DTYPES
from mind.lite._src.graph import LiteGraph, Node, ValueInfo
from mind.lite._src.kernels import KERNELS
from mind.lite.errors import LiteConvertError

__all__ = ["MAX_OPSET", "MIN_OPSET", "SUPPORTED_OPS", "from_onnx"]

#: the default-domain opsets the importer reads (every op's semantics there are known)
MIN_OPSET = 13
MAX_OPSET = onnx.defs.onnx_opset_version()

_FLOATS = ("float16", "float32", "float64")
#: a broadcast or tile of constants larger than this stays a node (as in optimize.py)
_FOLD_LIMIT = 1 << 22


class _Unsupported(Exception):
    """Raised by a handler; the importer turns it into a LiteConvertError naming the node."""


def _attrs(node: onnx.NodeProto) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in node.attribute:
        if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS):
            raise _Unsupported(f"attribute {a.name!r} is a subgraph (control flow)")
        if a.ref_attr_name:
            raise _Unsupported(f"attribute {a.name!r} refers to a function attribute")
        value = onnx.helper.get_attribute_value(a)
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, onnx.TensorProto):
            value = numpy_helper.to_array(value)
        elif isinstance(value, list) and value and isinstance(value[0], bytes):
            value = [v.decode() for v in value]
        out[a.name] = value
    return out


def _np_dtype(elem_type: int, what: str) -> np.dtype:
    try:
        dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
    except (KeyError, TypeError, ValueError):
        dtype = None
    if dtype is None or dtype.name not in DTYPES:
        name = onnx.TensorProto.DataType.Name(elem_type) if elem_type else "undefined"
        raise _Unsupported(f"{what} has dtype {name}; lite models hold {', '.join(DTYPES)}")
    return dtype


class _Importer:
    def __init__(self, model: onnx.ModelProto, source: str, input_shape: dict | None) -> None:
        self.model = model
        self.source = source
        self.input_shape = dict(input_shape or {})
        self.opset = 0
        #: ONNX value name -> lite value name (Identity and Dropout alias their input)
        self.alias: dict[str, str] = {}
        #: lite value name -> its array, for values known at conversion time
        self.consts: dict[str, np.ndarray] = {}
        #: lite value name -> (shape, dtype) of values computed at run time
        self.avals: dict[str, tuple[tuple[int, ...], np.dtype]] = {}
        self.nodes: list[Node] = []
        #: lite names given out, and the ONNX graph's names (kept for the values they name)
        self.used: set[str] = set()
        self.reserved: set[str] = set()
        self.node: onnx.NodeProto | None = None

    # -- values -----------------------------------------------------------------------------------

    def fresh(self, hint: str) -> str:
        """An unused lite name: ``hint`` itself if it is free, or is the current node's own
        ONNX output name (a Constant's value keeps its name)."""
        own = self.node is not None and hint in self.node.output
        name, k = hint, 0
        while name in self.used or (name in self.reserved and not (own and name == hint)):
            k += 1
            name = f"{hint}:{k}"
        self.used.add(name)
        return name

    def const(self, array: Any, hint: str = "const") -> str:
        array = np.asarray(array)
        if array.dtype.name not in DTYPES:
            raise _Unsupported(f"a constant of dtype {array.dtype}")
        name = self.fresh(hint)
        self.consts[name] = np.asarray(array, order="C")  # (ascontiguousarray makes 0-d 1-d)
        return name

    def shape(self, v: str) -> tuple[int, ...]:
        return tuple(self.consts[v].shape) if v in self.consts else self.avals[v][0]

    def dtype(self, v: str) -> np.dtype:
        return self.consts[v].dtype if v in self.consts else self.avals[v][1]

    def value(self, v: str | None, what: str) -> np.ndarray:
        """A value that must be known at conversion time (a shape, axes, pads, ...)."""
        if v is None or v not in self.consts:
            raise _Unsupported(
                f"input {what!r} must be known at conversion time (an initializer or a "
                "constant); it is computed at run time"
            )
        return self.consts[v]

    def emit(
        self, op: str, inputs: Sequence[str], attrs: dict[str, Any] | None = None, n_out: int = 1
    ) -> list[str]:
        """Lite node(s) computing ``op``; folded into constants if every input is one."""
        attrs = dict(attrs or {})
        base = self.node.output[0] if self.node is not None and self.node.output else op
        args = [
            self.consts[x] if x in self.consts else np.zeros(self.avals[x][0], self.avals[x][1])
            for x in inputs
        ]
        with np.errstate(all="ignore"):
            try:
                result = KERNELS[op](*args, **attrs)
            except (ValueError, TypeError, IndexError) as exc:
                raise _Unsupported(f"mind-lite's {op!r} cannot compute it: {exc}") from None
        results = list(result) if n_out > 1 else [result]
        results = [np.asarray(r) for r in results]
        for r in results:
            if r.dtype.name not in DTYPES:
                raise _Unsupported(f"it computes dtype {r.dtype}; lite models hold {DTYPES}")
        big = op in ("broadcast_to", "tile") and sum(r.nbytes for r in results) > _FOLD_LIMIT
        if all(x in self.consts for x in inputs) and not big:
            return [self.const(r, f"{base}/{op}") for r in results]
        outs = [self.fresh(f"{base}/{op}") for _ in results]
        for o, r in zip(outs, results, strict=True):
            self.avals[o] = (tuple(r.shape), r.dtype)
        self.nodes.append(Node(op, outs[0], list(inputs), outs, attrs))
        return outs

    def one(self, op: str, inputs: Sequence[str], attrs: dict[str, Any] | None = None) -> str:
        return self.emit(op, inputs, attrs)[0]

    def reshape(self, x: str, shape: Sequence[int]) -> str:
        shape = tuple(int(d) for d in shape)
        return x if self.shape(x) == shape else self.one("reshape", [x], {"shape": shape})

    def scalar(self, value: float, like: str) -> str:
        return self.const(np.asarray(value, self.dtype(like)), "scalar")

    def require_float(self, x: str, what: str = "input") -> None:
        if self.dtype(x).name not in _FLOATS:
            raise _Unsupported(f"{what} has dtype {self.dtype(x)}; mind-lite converts float ones")

    # -- the graph --------------------------------------------------------------------------------

    def fail(self, node: onnx.NodeProto | None, message: str) -> LiteConvertError:
        if node is None:
            return LiteConvertError(f"convert '{self.source}': {message}")
        name = node.name or (node.output[0] if node.output else "?")
        return LiteConvertError(
            f"convert '{self.source}': op type {node.op_type!r} (node {name!r}, opset "
            f"{self.opset}): {message}"
        )

    def run(self) -> LiteGraph:
        model, graph = self.model, self.model.graph
        opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
        self.opset = opsets.get("ai.onnx", 0)
        if not MIN_OPSET <= self.opset <= MAX_OPSET:
            raise self.fail(
                graph.node[0] if graph.node else None,
                f"the model's default-domain opset is {self.opset}; mind-lite reads opsets "
                f"{MIN_OPSET}-{MAX_OPSET} (re-export it, e.g. torch.onnx.export(..., "
                "opset_version=17), or upgrade it with onnx.version_converter)",
            )
        self.reserved.update(v.name for v in graph.value_info)
        for n in graph.node:
            self.reserved.update(x for x in n.output if x)
        self.reserved.update(v.name for v in graph.output)
        self.used.update(v.name for v in graph.input)
        self.used.update(t.name for t in graph.initializer)
        for t in graph.initializer:
            array = numpy_helper.to_array(t)
            try:
                _np_dtype(t.data_type, f"initializer {t.name!r}")
            except _Unsupported as exc:
                raise self.fail(None, str(exc)) from None
            self.consts[t.name] = np.asarray(array, order="C")
            self.alias[t.name] = t.name
        if graph.sparse_initializer:
            raise self.fail(None, "sparse initializers are not supported")
        unknown = set(self.input_shape) - {v.name for v in graph.input}
        if unknown:
            raise self.fail(
                None,
                f"input_shape names {sorted(unknown)}; the model's inputs are "
                f"{[v.name for v in graph.input if v.name not in self.consts]}",
            )
        inputs: list[ValueInfo] = []
        for v in graph.input:
            if v.name in self.consts:  # an initializer with a default-input entry: a weight
                continue
            try:
                inputs.append(self._input(v))
            except LiteConvertError as exc:  # name the op that reads it, if one does
                reader = next((n for n in graph.node if v.name in n.input), None)
                if reader is None:
                    raise
                message = str(exc).split(": ", 1)[1]
                raise self.fail(reader, f"its input {message}") from None
        for node in graph.node:
            self.node = node
            try:
                self._node(node)
            except _Unsupported as exc:
                raise self.fail(node, str(exc)) from None
        self.node = None
        return self._finish(inputs)

    def _input(self, v: onnx.ValueInfoProto) -> ValueInfo:
        if not v.type.HasField("tensor_type"):
            raise self.fail(
                None,
                f"graph input {v.name!r} is not a tensor (sequences, maps and "
                "optionals are not supported)",
            )
        t = v.type.tensor_type
        try:
            dtype = _np_dtype(t.elem_type, f"graph input {v.name!r}")
        except _Unsupported as exc:
            raise self.fail(None, str(exc)) from None
        if v.name in self.input_shape:
            shape = tuple(int(d) for d in self.input_shape[v.name])
        elif not t.HasField("shape"):
            raise self.fail(
                None,
                f"graph input {v.name!r} has no shape: give it one (input_shape={{name: dims}})",
            )
        else:
            dims = []
            for d in t.shape.dim:
                if not d.HasField("dim_value"):
                    raise self.fail(
                        None,
                        f"graph input {v.name!r} has the dynamic dimension "
                        f"{d.dim_param or '?'!r}; lite models have static shapes: export "
                        "with fixed dimensions or give input_shape={name: dims}",
                    )
                dims.append(int(d.dim_value))
            shape = tuple(dims)
        self.alias[v.name] = v.name
        self.avals[v.name] = (shape, dtype)
        return ValueInfo(v.name, dtype.name, shape)

    def _node(self, node: onnx.NodeProto) -> None:
        domain = node.domain or "ai.onnx"
        if domain != "ai.onnx":
            raise _Unsupported(f"domain {node.domain!r} (mind-lite reads the default domain)")
        handler = _HANDLERS.get(node.op_type)
        if handler is None:
            raise _Unsupported(
                "not supported by mind-lite's ONNX importer (supported: "
                + ", ".join(sorted(_HANDLERS))
                + ")"
            )
        try:
            onnx.defs.get_schema(node.op_type, self.opset)
        except onnx.defs.SchemaError:
            raise _Unsupported(f"no {node.op_type} exists in opset {self.opset}") from None
        ins: list[str | None] = []
        for x in node.input:
            if not x:
                ins.append(None)
            elif x not in self.alias:
                raise _Unsupported(f"input {x!r} is not defined before the node")
            else:
                ins.append(self.alias[x])
        start = len(self.nodes)
        outs = handler(self, ins, _attrs(node), node)
        made = {x for n in self.nodes[start:] for x in n.outputs}
        for k, o in enumerate(node.output):
            if not o:
                continue
            if k >= len(outs) or outs[k] is None:
                raise _Unsupported(f"output {k} ({o!r}) is not supported")
            if outs[k] in made:  # computed here: the lite value takes the ONNX name
                self._rename(start, outs[k], o)
                made.add(o)
                outs = [o if x == outs[k] else x for x in outs]
            self.alias[o] = outs[k]

    def _rename(self, start: int, old: str, new: str) -> None:
        for n in self.nodes[start:]:
            n.inputs = [new if x == old else x for x in n.inputs]
            n.outputs = [new if x == old else x for x in n.outputs]
            if n.name == old:
                n.name = new
        self.avals[new] = self.avals.pop(old)
        self.used.add(new)

    def _finish(self, inputs: list[ValueInfo]) -> LiteGraph:
        outputs: list[ValueInfo] = []
        for v in self.model.graph.output:
            if v.name not in self.alias:
                raise self.fail(None, f"graph output {v.name!r} is not computed by the graph")
            lite = self.alias[v.name]
            if lite != v.name:
                if lite in self.consts:
                    self.consts[v.name] = self.consts[lite]
                else:  # an output that is another value (Identity of an input, say)
                    self.used.add(v.name)
                    self.nodes.append(Node("identity", v.name, [lite], [v.name], {}))
                    self.avals[v.name] = self.avals[lite]
            outputs.append(ValueInfo(v.name, self.dtype(v.name).name, self.shape(v.name)))
        read = {x for n in self.nodes for x in n.inputs} | {v.name for v in outputs}
        tensors = {k: a for k, a in self.consts.items() if k in read}
        shapes = {k: s for k, (s, _) in self.avals.items()}
        shapes.update({k: tuple(a.shape) for k, a in tensors.items()})
        metadata = {
            "source": os.path.basename(self.source),
            "onnx_opset": str(self.opset),
            "onnx_producer": f"{self.model.producer_name} {self.model.producer_version}".strip(),
        }
        return LiteGraph(inputs, outputs, self.nodes, tensors, {}, metadata, shapes)


def from_onnx(
    model: str | os.PathLike[str] | onnx.ModelProto,
    input_shape: dict[str, Sequence[int]] | None = None,
) -> LiteGraph:
    """The lite graph of an ONNX model (a path, or an ``onnx.ModelProto`` already loaded).

    ``input_shape`` fixes the dimensions of inputs exported with dynamic ones
    (``{"x": [1, 3, 224, 224]}``, converter_lite's ``--inputShape``)."""
    if isinstance(model, onnx.ModelProto):
        source = model.graph.name or "<onnx model>"
    else:
        source = os.fspath(model)
        try:
            model = onnx.load(source)
        except Exception as exc:  # onnx raises DecodeError, OSError, ...: all "not a model"
            raise LiteConvertError(
                f"convert '{source}': not a readable ONNX model ({exc})"
            ) from None
    return _Importer(model, source, input_shape).run()


# == op handlers ===================================================================================
# Each takes the importer, the node's inputs as lite value names (None for an omitted optional
# input), its attributes and the node; it returns the lite names of the node's outputs.

Handler = Callable[[_Importer, list, dict, onnx.NodeProto], list]
_HANDLERS: dict[str, Handler] = {}


def _op(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            _HANDLERS[name] = fn
        return fn

    return register


def _opt(ins: list, k: int) -> str | None:
    return ins[k] if len(ins) > k else None


def _axis(axis: int, rank: int) -> int:
    if not -rank <= axis < max(rank, 1):
        raise _Unsupported(f"axis {axis} is out of range for rank {rank}")
    return axis % rank if rank else 0


def _ints(value: np.ndarray) -> list[int]:
    return [int(v) for v in np.asarray(value).reshape(-1)]


# -- elementwise ------------------------------------------------------------------------------------

_UNARY = {
    "Relu": "relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Erf": "erf",
    "Sqrt": "sqrt",
    "Exp": "exp",
    "Log": "log",
    "Neg": "neg",
    "Abs": "abs",
    "Floor": "floor",
    "Ceil": "ceil",
    "Not": "logical_not",
    "HardSwish": "hardswish",
    "Sin": "sin",
    "Cos": "cos",
    "Sign": "sign",
}


@_op(*_UNARY)
def _unary(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [b.one(_UNARY[node.op_type], [ins[0]])]


_BINARY = {
    "Add": "add",
    "Sub": "sub",
    "Mul": "mul",
    "Equal": "equal",
    "Less": "less",
    "LessOrEqual": "less_equal",
    "Greater": "greater",
    "GreaterOrEqual": "greater_equal",
    "And": "logical_and",
    "Or": "logical_or",
}


@_op(*_BINARY)
def _binary(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [b.one(_BINARY[node.op_type], ins[:2])]


@_op("Div")
def _div(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    kind = b.dtype(ins[0]).kind
    return [b.one("div" if kind == "f" else "trunc_div", ins[:2])]


@_op("Pow")
def _pow(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    y = b.one("pow", ins[:2])
    want = b.dtype(ins[0])  # ONNX: the result has the base's type
    return [y if b.dtype(y) == want else b.one("cast", [y], {"dtype": want.name})]


@_op("Reciprocal")
def _reciprocal(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    b.require_float(ins[0])
    return [b.one("div", [b.scalar(1.0, ins[0]), ins[0]])]


@_op("HardSigmoid")
def _hard_sigmoid(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    b.require_float(x)
    y = b.one("mul", [x, b.scalar(float(a.get("alpha", 0.2)), x)])
    y = b.one("add", [y, b.scalar(float(a.get("beta", 0.5)), x)])
    return [b.one("clip", [y, b.scalar(0.0, x), b.scalar(1.0, x)])]


@_op("Max", "Min", "Sum", "Mean")
def _variadic(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    op = {"Max": "maximum", "Min": "minimum", "Sum": "add", "Mean": "add"}[node.op_type]
    y = ins[0]
    for x in ins[1:]:
        y = b.one(op, [y, x])
    if node.op_type == "Mean":
        y = b.one("div", [y, b.scalar(len(ins), y)])
    return [y]


@_op("LeakyRelu")
def _leaky_relu(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [b.one("leaky_relu", [ins[0]], {"alpha": float(a.get("alpha", 0.01))})]


@_op("Gelu")
def _gelu(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    approximate = a.get("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise _Unsupported(f"approximate={approximate!r}")
    return [b.one("gelu", [ins[0]], {"approximate": approximate})]


@_op("Clip")
def _clip(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    dtype = b.dtype(x)
    lo, hi = _opt(ins, 1), _opt(ins, 2)
    if lo is None:
        lo = b.const(np.asarray(_lowest(dtype), dtype), "clip_min")
    if hi is None:
        hi = b.const(
            np.asarray(-_lowest(dtype) if dtype.kind == "f" else np.iinfo(dtype).max, dtype),
            "clip_max",
        )
    return [b.one("clip", [x, lo, hi])]


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


@_op("Where")
def _where(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [b.one("where", ins[:3])]


@_op("Cast")
def _cast(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    dtype = _np_dtype(int(a["to"]), "the target type")
    if b.dtype(ins[0]) == dtype:
        return [ins[0]]
    return [b.one("cast", [ins[0]], {"dtype": dtype.name})]


@_op("CastLike")
def _cast_like(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    dtype = b.dtype(ins[1])
    if b.dtype(ins[0]) == dtype:
        return [ins[0]]
    return [b.one("cast", [ins[0]], {"dtype": dtype.name})]


@_op("Identity")
def _identity(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [ins[0]]


@_op("Dropout")
def _dropout(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    training = _opt(ins, 2)
    if training is not None and bool(b.value(training, "training_mode")):
        raise _Unsupported("training_mode=True: lite models run inference (dropout is identity)")
    x = ins[0]
    mask = b.const(np.ones(b.shape(x), bool), "dropout_mask")
    return [x, mask]


# -- constants and shapes ---------------------------------------------------------------------------


@_op("Constant")
def _constant(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    if "value" in a:
        value = np.asarray(a["value"])
    elif "value_float" in a:
        value = np.asarray(a["value_float"], np.float32)
    elif "value_floats" in a:
        value = np.asarray(a["value_floats"], np.float32)
    elif "value_int" in a:
        value = np.asarray(a["value_int"], np.int64)
    elif "value_ints" in a:
        value = np.asarray(a["value_ints"], np.int64)
    else:
        raise _Unsupported(f"a constant given by {sorted(a)} (sparse or string)")
    return [b.const(value, node.output[0])]


@_op("ConstantOfShape")
def _constant_of_shape(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    shape = _ints(b.value(ins[0], "input"))
    fill = np.asarray(a.get("value", np.zeros(1, np.float32))).reshape(-1)
    return [b.const(np.full(shape, fill[0], fill.dtype), node.output[0])]


@_op("Shape")
def _shape(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    shape = b.shape(ins[0])
    rank = len(shape)
    start = a.get("start", 0)
    end = a.get("end", rank)
    start, end = (min(max(s + rank if s < 0 else s, 0), rank) for s in (start, end))
    return [b.const(np.asarray(shape[start:end], np.int64), node.output[0])]


@_op("Size")
def _size(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [b.const(np.asarray(math.prod(b.shape(ins[0])), np.int64), node.output[0])]


@_op("Mod")
def _mod(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    # exporters' shape arithmetic (head sizes): folded here, no runtime kernel
    x, y = (b.value(v, w) for v, w in zip(ins, ("A", "B"), strict=True))
    with np.errstate(all="ignore"):
        out = np.fmod(x, y) if int(a.get("fmod", 0)) else np.mod(x, y)
    return [b.const(out.astype(x.dtype), node.output[0])]


@_op("Range")
def _range(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    start, limit, delta = (b.value(x, w) for x, w in zip(ins, ("start", "limit", "delta")))
    return [b.const(np.arange(start, limit, delta).astype(start.dtype), node.output[0])]


@_op("Reshape")
def _reshape(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    want = _ints(b.value(ins[1], "shape"))
    shape = b.shape(x)
    allowzero = int(a.get("allowzero", 0))
    out = [shape[i] if d == 0 and not allowzero else d for i, d in enumerate(want)]
    if out.count(-1) > 1:
        raise _Unsupported(f"shape {want} has more than one -1")
    if -1 in out:
        known = math.prod(d for d in out if d != -1)
        out[out.index(-1)] = math.prod(shape) // known if known else 0
    if math.prod(out) != math.prod(shape):
        raise _Unsupported(f"cannot reshape {list(shape)} to {want}")
    return [b.reshape(x, out)]


@_op("Flatten")
def _flatten(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    shape = b.shape(ins[0])
    axis = a.get("axis", 1)
    axis = axis + len(shape) if axis < 0 else axis
    return [b.reshape(ins[0], (math.prod(shape[:axis]), math.prod(shape[axis:])))]


@_op("Squeeze")
def _squeeze(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    shape = b.shape(ins[0])
    axes_in = _opt(ins, 1)
    if axes_in is not None:
        axes = {_axis(i, len(shape)) for i in _ints(b.value(axes_in, "axes"))}
    else:
        axes = {i for i, d in enumerate(shape) if d == 1}
    if any(shape[i] != 1 for i in axes):
        raise _Unsupported(f"squeezing axes {sorted(axes)} of shape {list(shape)}")
    return [b.reshape(ins[0], [d for i, d in enumerate(shape) if i not in axes])]


@_op("Unsqueeze")
def _unsqueeze(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    shape = list(b.shape(ins[0]))
    rank = len(shape) + len(_ints(b.value(ins[1], "axes")))
    axes = sorted(_axis(i, rank) for i in _ints(b.value(ins[1], "axes")))
    for i in axes:
        shape.insert(i, 1)
    return [b.reshape(ins[0], shape)]


@_op("Transpose")
def _transpose(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    rank = len(b.shape(ins[0]))
    perm = tuple(int(p) for p in a.get("perm", range(rank - 1, -1, -1)))
    if perm == tuple(range(rank)):
        return [ins[0]]
    return [b.one("transpose", [ins[0]], {"perm": perm})]


@_op("Concat")
def _concat(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    xs = [x for x in ins if x is not None]
    axis = _axis(int(a["axis"]), len(b.shape(xs[0])))
    return [b.one("concat", xs, {"axis": axis})]


@_op("Split")
def _split(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    shape = b.shape(x)
    axis = _axis(int(a.get("axis", 0)), len(shape))
    dim = shape[axis]
    n = len(node.output)
    if _opt(ins, 1) is not None:
        sizes = _ints(b.value(ins[1], "split"))
    elif "split" in a:
        sizes = [int(s) for s in a["split"]]
    else:
        parts = int(a.get("num_outputs", n))
        chunk = -(-dim // parts)
        sizes = [min(chunk, max(dim - i * chunk, 0)) for i in range(parts)]
    if sum(sizes) != dim or len(sizes) != n:
        raise _Unsupported(f"split sizes {sizes} for {n} outputs of a dimension of {dim}")
    outs, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        outs.append(b.one("getitem", [x], {"index": index}))
        start += size
    return outs


@_op("Slice")
def _slice(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    shape = b.shape(x)
    starts = _ints(b.value(ins[1], "starts"))
    ends = _ints(b.value(ins[2], "ends"))
    axes_in, steps_in = _opt(ins, 3), _opt(ins, 4)
    axes = _ints(b.value(axes_in, "axes")) if axes_in else list(range(len(starts)))
    steps = _ints(b.value(steps_in, "steps")) if steps_in else [1] * len(starts)
    index = [slice(None)] * len(shape)
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        axis = _axis(axis, len(shape))
        dim = shape[axis]
        if step == 0:
            raise _Unsupported("a step of 0")
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        index[axis] = slice(start, end if end >= 0 else None, step)
    while index and index[-1] == slice(None):
        index.pop()
    if not index:
        return [x]
    return [b.one("getitem", [x], {"index": tuple(index)})]


@_op("Gather")
def _gather(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    axis = _axis(int(a.get("axis", 0)), len(b.shape(ins[0])))
    if b.dtype(ins[1]).kind not in "iu":
        raise _Unsupported(f"indices of dtype {b.dtype(ins[1])}")
    return [b.one("gather", ins[:2], {"axis": axis})]


@_op("Expand")
def _expand(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    want = _ints(b.value(ins[1], "shape"))
    try:
        shape = np.broadcast_shapes(b.shape(ins[0]), tuple(want))
    except ValueError:
        raise _Unsupported(f"cannot expand {list(b.shape(ins[0]))} to {want}") from None
    if shape == b.shape(ins[0]):
        return [ins[0]]
    return [b.one("broadcast_to", [ins[0]], {"shape": tuple(shape)})]


@_op("Tile")
def _tile(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    reps = tuple(_ints(b.value(ins[1], "repeats")))
    return [b.one("tile", [ins[0]], {"reps": reps})]


@_op("Pad")
def _pad(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    shape = b.shape(x)
    rank = len(shape)
    pads = _ints(b.value(ins[1], "pads"))
    value = _opt(ins, 2)
    value = float(b.value(value, "constant_value").reshape(-1)[0]) if value else 0.0
    axes_in = _opt(ins, 3)
    axes = [_axis(i, rank) for i in _ints(b.value(axes_in, "axes"))] if axes_in else range(rank)
    axes = list(axes)
    if len(pads) != 2 * len(axes):
        raise _Unsupported(f"{len(pads)} pads for {len(axes)} axes")
    widths = [[0, 0] for _ in range(rank)]
    for k, axis in enumerate(axes):
        widths[axis] = [pads[k], pads[len(axes) + k]]
    mode = a.get("mode", "constant")
    grow = tuple((max(p, 0), max(q, 0)) for p, q in widths)
    if mode == "wrap":
        y = x
        for axis, (p, q) in enumerate(grow):
            if not p and not q:
                continue
            dim = b.shape(y)[axis]
            if p > dim or q > dim:
                raise _Unsupported(f"wrap padding {p, q} wider than the dimension {dim}")
            lead = (slice(None),) * axis
            parts = [b.one("getitem", [y], {"index": lead + (slice(dim - p, dim),)})] if p else []
            parts.append(y)
            if q:
                parts.append(b.one("getitem", [y], {"index": lead + (slice(0, q),)}))
            y = b.one("concat", parts, {"axis": axis})
    elif mode in ("constant", "reflect", "edge"):
        lite_mode = {"constant": "constant", "reflect": "reflect", "edge": "replicate"}[mode]
        y = x
        if any(p or q for p, q in grow):
            y = b.one("pad", [x], {"pads": grow, "mode": lite_mode, "value": value})
    else:
        raise _Unsupported(f"mode={mode!r}")
    if any(p < 0 or q < 0 for p, q in widths):  # negative pads crop
        index = tuple(
            slice(-min(p, 0), (dy + min(q, 0)) if q < 0 else None)
            for (p, q), dy in zip(widths, b.shape(y), strict=True)
        )
        y = b.one("getitem", [y], {"index": index})
    return [y]


# -- linear algebra and normalization ---------------------------------------------------------------


@_op("MatMul")
def _matmul(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    return [b.one("matmul", ins[:2], {"transpose_a": False, "transpose_b": False})]


@_op("Gemm")
def _gemm(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    attrs = {"transpose_a": bool(a.get("transA", 0)), "transpose_b": bool(a.get("transB", 0))}
    y = b.one("matmul", ins[:2], attrs)
    alpha, beta = float(a.get("alpha", 1.0)), float(a.get("beta", 1.0))
    if alpha != 1.0:
        y = b.one("mul", [y, b.scalar(alpha, y)])
    c = _opt(ins, 2)
    if c is not None and beta != 0.0:
        if beta != 1.0:
            c = b.one("mul", [c, b.scalar(beta, c)])
        y = b.one("add", [y, c])
    return [y]


def _channel_shape(b: _Importer, x: str) -> tuple[int, ...]:
    shape = b.shape(x)
    return (1, shape[1]) + (1,) * (len(shape) - 2)


@_op("BatchNormalization")
def _batch_norm(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    if int(a.get("training_mode", 0)):
        raise _Unsupported("training_mode=1: lite models run inference (moving statistics)")
    x, scale, bias, mean, var = ins[:5]
    b.require_float(x)
    eps = b.scalar(float(a.get("epsilon", 1e-5)), var)
    inv = b.one("rsqrt", [b.one("add", [var, eps])])
    s = b.one("mul", [scale, inv])
    t = b.one("sub", [bias, b.one("mul", [mean, s])])
    cs = _channel_shape(b, x)
    y = b.one("mul", [x, b.reshape(s, cs)])
    return [b.one("add", [y, b.reshape(t, cs)])]


@_op("LayerNormalization")
def _layer_norm(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    b.require_float(x)
    rank = len(b.shape(x))
    axis = _axis(int(a.get("axis", -1)), rank)
    axes = tuple(range(axis, rank))
    dtype = b.dtype(x)
    stash = _np_dtype(int(a.get("stash_type", 1)), "stash_type")
    xs = b.one("cast", [x], {"dtype": stash.name}) if stash != dtype else x
    mean = b.one("mean", [xs], {"axis": axes, "keepdims": True})
    d = b.one("sub", [xs, mean])
    var = b.one("mean", [b.one("mul", [d, d])], {"axis": axes, "keepdims": True})
    inv = b.one("rsqrt", [b.one("add", [var, b.scalar(float(a.get("epsilon", 1e-5)), var)])])
    y = b.one("mul", [d, inv])
    if stash != dtype:
        y = b.one("cast", [y], {"dtype": dtype.name})
    y = b.one("mul", [y, ins[1]])
    if _opt(ins, 2) is not None:
        y = b.one("add", [y, ins[2]])
    return [y, mean, inv]


@_op("Softmax", "LogSoftmax")
def _softmax(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    axis = _axis(int(a.get("axis", -1)), len(b.shape(ins[0])))
    op = "softmax" if node.op_type == "Softmax" else "log_softmax"
    return [b.one(op, [ins[0]], {"axis": axis})]


@_op("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin")
def _reduce(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    shape = b.shape(x)
    if _opt(ins, 1) is not None:
        axes = _ints(b.value(ins[1], "axes"))
    else:
        axes = [int(i) for i in a.get("axes", [])]
    keepdims = bool(a.get("keepdims", 1))
    if not axes and int(a.get("noop_with_empty_axes", 0)):
        return [x]
    axis = tuple(sorted(_axis(i, len(shape)) for i in axes)) if axes else None
    op = {"ReduceMean": "mean", "ReduceSum": "sum", "ReduceMax": "amax", "ReduceMin": "amin"}
    reduced = range(len(shape)) if axis is None else axis
    if op[node.op_type] in ("amax", "amin") and any(shape[i] == 0 for i in reduced):
        raise _Unsupported("a max/min over an empty dimension (numpy has no identity for it)")
    return [b.one(op[node.op_type], [x], {"axis": axis, "keepdims": keepdims})]


# -- convolution and pooling ------------------------------------------------------------------------


def _spatial(b: _Importer, x: str, what: str) -> int:
    shape = b.shape(x)
    if len(shape) not in (3, 4):
        raise _Unsupported(
            f"{len(shape) - 2}-D {what}: mind-lite converts 1-D and 2-D ones (N, C, [H,] W)"
        )
    return len(shape) - 2


def _explicit_pads(
    a: dict,
    spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
) -> list[int]:
    """ONNX pads (begin..., end...) with auto_pad resolved, as ONNX defines it."""
    nd = len(spatial)
    auto = a.get("auto_pad", "NOTSET")
    if auto == "NOTSET":
        pads = [int(p) for p in a.get("pads", [0] * 2 * nd)]
    elif auto == "VALID":
        pads = [0] * 2 * nd
    elif auto in ("SAME_UPPER", "SAME_LOWER"):
        begin, end = [], []
        for size, k, s, d in zip(spatial, kernel, strides, dilations, strict=True):
            out = -(-size // s)
            total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
            small = total // 2
            begin.append(small if auto == "SAME_UPPER" else total - small)
            end.append(total - begin[-1])
        pads = begin + end
    else:
        raise _Unsupported(f"auto_pad={auto!r}")
    if any(p < 0 for p in pads):
        raise _Unsupported(f"negative pads {pads}")
    return pads


def _to_2d(nd: int, values: Sequence[int], fill: int) -> tuple[int, int]:
    return (fill, int(values[0])) if nd == 1 else (int(values[0]), int(values[1]))


def _lite_pads(nd: int, pads: Sequence[int]) -> tuple[int, int, int, int]:
    """ONNX (begin..., end...) as lite (top, bottom, left, right); 1-D is W only."""
    if nd == 1:
        return (0, 0, pads[0], pads[1])
    return (pads[0], pads[2], pads[1], pads[3])


def _as_4d(b: _Importer, x: str, nd: int) -> str:
    if nd == 2:
        return x
    n, c, w = b.shape(x)
    return b.reshape(x, (n, c, 1, w))


def _from_4d(b: _Importer, y: str, nd: int) -> str:
    if nd == 2:
        return y
    n, c, _, w = b.shape(y)
    return b.reshape(y, (n, c, w))


@_op("Conv")
def _conv(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x, w = ins[0], ins[1]
    nd = _spatial(b, x, "convolution")
    b.require_float(x)
    kernel = [int(k) for k in a.get("kernel_shape", b.shape(w)[2:])]
    strides = [int(s) for s in a.get("strides", [1] * nd)]
    dilations = [int(d) for d in a.get("dilations", [1] * nd)]
    pads = _explicit_pads(a, b.shape(x)[2:], kernel, strides, dilations)
    if nd == 1:
        o, cg, k = b.shape(w)
        w = b.reshape(w, (o, cg, 1, k))
    attrs = {
        "stride": _to_2d(nd, strides, 1),
        "pads": _lite_pads(nd, pads),
        "dilation": _to_2d(nd, dilations, 1),
        "groups": int(a.get("group", 1)),
    }
    y = b.one("conv2d", [_as_4d(b, x, nd), w], attrs)
    if _opt(ins, 2) is not None:
        y = b.one("add", [y, b.reshape(ins[2], (1, b.shape(ins[2])[0], 1, 1))])
    return [_from_4d(b, y, nd)]


@_op("ConvTranspose")
def _conv_transpose(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x, w = ins[0], ins[1]
    nd = _spatial(b, x, "transposed convolution")
    b.require_float(x)
    spatial = b.shape(x)[2:]
    kernel = [int(k) for k in a.get("kernel_shape", b.shape(w)[2:])]
    strides = [int(s) for s in a.get("strides", [1] * nd)]
    dilations = [int(d) for d in a.get("dilations", [1] * nd)]
    out_pad = [int(p) for p in a.get("output_padding", [0] * nd)]
    auto = a.get("auto_pad", "NOTSET")
    full = [
        s * (n - 1) + op + (k - 1) * d + 1
        for n, k, s, d, op in zip(spatial, kernel, strides, dilations, out_pad, strict=True)
    ]
    if "output_shape" in a or auto in ("SAME_UPPER", "SAME_LOWER"):
        if "output_shape" in a:
            shape = [int(v) for v in a["output_shape"]][-nd:]
        else:
            shape = [n * s for n, s in zip(spatial, strides, strict=True)]
        total = [f - o for f, o in zip(full, shape, strict=True)]
        if auto == "SAME_UPPER":
            begin = [t // 2 for t in total]
        else:
            begin = [t - t // 2 for t in total]
        pads = begin + [t - p for t, p in zip(total, begin, strict=True)]
    elif auto == "VALID":
        pads = [0] * 2 * nd
    elif auto == "NOTSET":
        pads = [int(p) for p in a.get("pads", [0] * 2 * nd)]
    else:
        raise _Unsupported(f"auto_pad={auto!r}")
    if nd == 1:
        cin, og, k = b.shape(w)
        w = b.reshape(w, (cin, og, 1, k))
    attrs = {
        "stride": _to_2d(nd, strides, 1),
        "pads": _lite_pads(nd, pads),
        "dilation": _to_2d(nd, dilations, 1),
        "groups": int(a.get("group", 1)),
        "output_padding": _to_2d(nd, out_pad, 0),
    }
    y = b.one("conv_transpose2d", [_as_4d(b, x, nd), w], attrs)
    if _opt(ins, 2) is not None:
        y = b.one("add", [y, b.reshape(ins[2], (1, b.shape(ins[2])[0], 1, 1))])
    return [_from_4d(b, y, nd)]


@_op("MaxPool", "AveragePool")
def _pool(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    nd = _spatial(b, x, "pooling")
    if len(node.output) > 1 and node.output[1]:
        raise _Unsupported("the Indices output (argmax) is not supported")
    is_max = node.op_type == "MaxPool"
    if not is_max:
        b.require_float(x)
    elif b.dtype(x).name not in (*_FLOATS, "int8", "uint8"):
        raise _Unsupported(f"input of dtype {b.dtype(x)}")
    spatial = b.shape(x)[2:]
    kernel = [int(k) for k in a["kernel_shape"]]
    strides = [int(s) for s in a.get("strides", [1] * nd)]
    dilations = [int(d) for d in a.get("dilations", [1] * nd)]
    pads = _explicit_pads(a, spatial, kernel, strides, dilations)
    ceil = bool(a.get("ceil_mode", 0)) and a.get("auto_pad", "NOTSET") in ("NOTSET", "VALID")
    extra = []
    for i, (size, k, s, d) in enumerate(zip(spatial, kernel, strides, dilations, strict=True)):
        span = size + pads[i] + pads[nd + i] - ((k - 1) * d + 1)
        out = span // s + 1
        if ceil:
            out = -(-span // s) + 1
            if (out - 1) * s >= size + pads[i]:  # the last window would start in the padding
                out -= 1
        extra.append(max(0, (out - 1) * s + (k - 1) * d + 1 - (size + pads[i] + pads[nd + i])))
    include = bool(a.get("count_include_pad", 0))
    lite_pads = _lite_pads(nd, pads)
    xs = _as_4d(b, x, nd)
    k2, s2, d2 = _to_2d(nd, kernel, 1), _to_2d(nd, strides, 1), _to_2d(nd, dilations, 1)
    simple = d2 == (1, 1) and not any(extra) and b.dtype(x).kind == "f"
    if simple and is_max:
        y = b.one("max_pool2d", [xs], {"kernel": k2, "stride": s2, "pads": lite_pads})
    elif simple and (include or not any(pads)):
        y = b.one("avg_pool2d", [xs], {"kernel": k2, "stride": s2, "pads": lite_pads})
    else:
        attrs = {
            "mode": "max" if is_max else "avg",
            "kernel": k2,
            "stride": s2,
            "pads": lite_pads,
            "dilation": d2,
            "extra": (0, extra[0]) if nd == 1 else (extra[0], extra[1]),
            "count_include_pad": include,
        }
        y = b.one("pool2d", [xs], attrs)
    return [_from_4d(b, y, nd)]


@_op("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    rank = len(b.shape(ins[0]))
    op = "mean" if node.op_type == "GlobalAveragePool" else "amax"
    return [b.one(op, [ins[0]], {"axis": tuple(range(2, rank)), "keepdims": True})]


# -- resize -----------------------------------------------------------------------------------------


@_op("Resize")
def _resize(b: _Importer, ins: list, a: dict, node: onnx.NodeProto) -> list:
    x = ins[0]
    shape = b.shape(x)
    rank = len(shape)
    mode = a.get("mode", "nearest")
    ctm = a.get("coordinate_transformation_mode", "half_pixel")
    if mode not in ("nearest", "linear", "cubic"):
        raise _Unsupported(f"mode={mode!r}")
    if ctm == "tf_half_pixel_for_nn":
        raise _Unsupported("coordinate_transformation_mode='tf_half_pixel_for_nn'")
    axes = [_axis(int(i), rank) for i in a.get("axes", range(rank))]
    roi_in, scales_in, sizes_in = _opt(ins, 1), _opt(ins, 2), _opt(ins, 3)
    roi = [0.0] * rank + [1.0] * rank
    if roi_in is not None and ctm == "tf_crop_and_resize":
        given = [float(v) for v in b.value(roi_in, "roi").reshape(-1)]
        if given:
            for k, axis in enumerate(axes):
                roi[axis], roi[rank + axis] = given[k], given[len(axes) + k]
    scales = [1.0] * rank
    sizes = list(shape)
    given_scales = b.value(scales_in, "scales").reshape(-1) if scales_in else np.zeros(0)
    if given_scales.size:
        for k, axis in enumerate(axes):
            scales[axis] = float(given_scales[k])
            sizes[axis] = math.floor(shape[axis] * scales[axis])
    elif sizes_in is not None:
        want = _ints(b.value(sizes_in, "sizes"))
        policy = a.get("keep_aspect_ratio_policy", "stretch")
        ratios = [want[k] / shape[axis] for k, axis in enumerate(axes)]
        if policy in ("not_larger", "not_smaller"):
            r = min(ratios) if policy == "not_larger" else max(ratios)
            ratios = [r] * len(axes)
            want = [math.floor(r * shape[axis] + 0.5) for axis in axes]
        elif policy != "stretch":
            raise _Unsupported(f"keep_aspect_ratio_policy={policy!r}")
        for k, axis in enumerate(axes):
            scales[axis], sizes[axis] = ratios[k], want[k]
    else:
        raise _Unsupported("neither scales nor sizes is given")
    attrs = {
        "sizes": tuple(sizes),
        "scales": tuple(scales),
        "roi": tuple(roi),
        "mode": mode,
        "coordinate_transformation_mode": ctm,
        "nearest_mode": a.get("nearest_mode", "round_prefer_floor"),
        "cubic_coeff_a": float(a.get("cubic_coeff_a", -0.75)),
        "exclude_outside": bool(a.get("exclude_outside", 0)),
        "extrapolation_value": float(a.get("extrapolation_value", 0.0)),
        "antialias": bool(a.get("antialias", 0)),
    }
    return [b.one("resize", [x], attrs)]


#: the ONNX op types the importer converts
SUPPORTED_OPS = tuple(sorted(_HANDLERS))
