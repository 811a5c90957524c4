"""MindIR as JSON: a versioned, lossless document for a :class:`FuncGraph`.

The document is plain JSON, so it can be stored anywhere (a safetensors header's metadata, a
``.mindir`` file) and read without unpickling anything::

    {"format": "mind.mindir", "version": 2, "graph": {
        "name": "Net.construct",
        "parameters": [{"id": 1, "name": "arg0", "kind": "input",
                        "aval": {"shape": [2, 3], "dtype": "float32"}},
                       {"id": 2, "name": "fc.weight", "kind": "weight", "tensor": "fc.weight",
                        "aval": {...}}],
        "constants": [{"id": 5, "tensor": "%5", "aval": {"shape": [], "dtype": "float32"}}],
        "nodes": [{"id": 3, "prim": "matmul", "inputs": [1, 2],
                   "attrs": {"transpose_b": true}, "aval": {...}}],
        "outputs": [3]}}

Arrays never go into the JSON: constants, weights and array-valued attributes are tensors held
beside it (in the caller's ``tensors`` dict), named by their ``"tensor"`` / ``"ref"`` keys.
Node ids are kept as they were, so the loaded graph prints exactly as the original did.

Attribute values use a small tagged encoding: ``None``, bools, ints (int64 range), finite floats
and strings are themselves; a list is a JSON list; everything else is an object with a ``"t"``
tag: ``tuple`` (``"v"``: items), ``dict`` (``"v"``: str keys), ``slice`` (``start``, ``stop``,
``step``), ``ellipsis``, ``float`` (``"v"``: ``"nan"``, ``"inf"`` or ``"-inf"``), ``scalar`` (a
numpy scalar: ``dtype``, ``v``), ``dtype`` (a Mind dtype by name), ``ndarray`` (``"ref"``: the
tensor's key) and ``graph`` (``"v"``: a nested graph object, as control flow's branches and loop
bodies are; its constants' tensors are named under the attribute, ``%8.true_graph/%3``). The
abstract value of a control-flow node is ``{"tuple": [aval, ...]}``.

Decoding trusts nothing: every field's type, every dtype name and shape, every node reference
(only to parameters, constants and earlier nodes), every primitive name and every abstract value
(against the primitive's inference rule) is checked, and any problem raises
:class:`~mind.core.errors.MindIRError` naming the node and the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from mind.core._src.ir.graph import (
    Apply,
    Constant,
    FuncGraph,
    GraphError,
    Node,
    Parameter,
    _fmt_aval,
)
from mind.core._src.ops.dispatch import AbstractTuple, ShapedArray, find_primitive
from mind.core._src.ops.schema import check_node
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindIRError

__all__ = [
    "FORMAT",
    "VERSION",
    "decode_output_spec",
    "encode_output_spec",
    "graph_from_json",
    "graph_to_json",
]

FORMAT = "mind.mindir"
# 2: constants record their abstract value (and the .mindir file's digest covers its header).
VERSION = 2

# Sanity limits: far above any real graph, low enough that a damaged file cannot make decoding
# allocate or recurse without bound (getitem's inference rule builds an array of the input shape).
MAX_NODES = 1_000_000
MAX_NDIM = 32
MAX_ELEMENTS = 2**32
MAX_DEPTH = 32
MAX_NAME = 4096
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
# No NUL or other C0 control character, no lone surrogate, in any name (graph, parameter,
# tensor key, attribute name, primitive or dtype name).
_BAD_CHAR = re.compile("[\x00-\x1f\ud800-\udfff]")


# ------------------------------------------------------------------------------------------------
# Encoding
# ------------------------------------------------------------------------------------------------


class _Keys:
    """Unique tensor keys: the preferred name when free, else ``name#2``, ``name#3``..."""

    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        self.tensors = tensors
        self.used = set(tensors) | {"__metadata__"}

    def take(self, preferred: str) -> str:
        key, n = preferred, 1
        while key in self.used:
            n += 1
            key = f"{preferred}#{n}"
        self.used.add(key)
        return key


def _encode_aval(aval: ShapedArray | AbstractTuple, where: str) -> dict[str, Any]:
    if isinstance(aval, AbstractTuple):
        return {
            "tuple": [_encode_aval(e, f"{where} element {i}") for i, e in enumerate(aval.elements)]
        }
    shape = [int(s) for s in aval.shape]
    # The loader's sanity limits, checked here too so that export never writes a file that
    # load refuses.
    if len(shape) > MAX_NDIM or math.prod(shape) > MAX_ELEMENTS:
        raise MindIRError(
            f"{where} has shape {shape}, over MindIR's limits ({MAX_NDIM} axes, "
            f"{MAX_ELEMENTS} elements)"
        )
    return {"shape": shape, "dtype": aval.dtype.name}


def _encode_name(name: str, where: str) -> str:
    if not isinstance(name, str) or len(name) > MAX_NAME or _BAD_CHAR.search(name):
        raise MindIRError(
            f"{where} must be a str of at most {MAX_NAME} characters with no NUL, control "
            f"character or surrogate, got {name!r:.80}"
        )
    return name


def _encode_value(value: Any, keys: _Keys | None, where: str, prefix: str) -> Any:
    """One attribute value in the tagged encoding; arrays go into ``keys.tensors``."""

    def fail(kind: str) -> MindIRError:
        return MindIRError(f"{where} has a value of type {kind} that MindIR cannot store")

    def enc(v: Any, path: str, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise MindIRError(f"{where} is nested more than {MAX_DEPTH} levels deep")
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int):
            if not _INT_MIN <= v <= _INT_MAX:
                raise MindIRError(f"{where} holds the int {v}, outside the int64 range")
            return v
        if isinstance(v, float):
            if math.isfinite(v):
                return v
            return {"t": "float", "v": "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")}
        if isinstance(v, list):
            return [enc(x, path, depth + 1) for x in v]
        if isinstance(v, tuple):
            return {"t": "tuple", "v": [enc(x, path, depth + 1) for x in v]}
        if isinstance(v, dict):
            if not all(isinstance(k, str) for k in v):
                raise fail("dict with non-str keys")
            return {"t": "dict", "v": {k: enc(x, path, depth + 1) for k, x in v.items()}}
        if isinstance(v, slice):
            return {
                "t": "slice",
                "start": enc(v.start, path, depth + 1),
                "stop": enc(v.stop, path, depth + 1),
                "step": enc(v.step, path, depth + 1),
            }
        if v is Ellipsis:
            return {"t": "ellipsis"}
        if isinstance(v, dt.DType):
            return {"t": "dtype", "v": v.name}
        if isinstance(v, FuncGraph):
            if keys is None:
                raise fail("FuncGraph (not allowed here)")
            return {"t": "graph", "v": _graph_body(v, keys, f"{path}/", nested=True)}
        if isinstance(v, np.ndarray):
            if keys is None:
                raise fail("numpy.ndarray (not allowed here)")
            stored = _storable(v, where)
            key = keys.take(path)
            keys.tensors[key] = stored
            return {"t": "ndarray", "ref": key}
        if isinstance(v, np.generic):
            mind_dtype = dt._BY_NP.get(v.dtype)
            if mind_dtype is None:
                raise fail(f"numpy.{type(v).__name__}")
            return {"t": "scalar", "dtype": mind_dtype.name, "v": enc(v.item(), path, depth + 1)}
        raise fail(type(v).__name__)

    return enc(value, prefix)


def _storable(arr: np.ndarray, where: str) -> np.ndarray:
    """A C-contiguous little-endian array of a Mind dtype, as safetensors stores it."""
    arr = np.asarray(arr, order="C")  # not ascontiguousarray: it makes 0-D arrays 1-D
    native = arr.dtype.newbyteorder("=")
    if native not in dt._BY_NP:
        raise MindIRError(
            f"{where} is an array of dtype {arr.dtype}, which Mind has no type for; supported: "
            f"{[d.name for d in dt.ALL]}"
        )
    return arr.astype(native.newbyteorder("<"), copy=False)


def graph_to_json(graph: FuncGraph, tensors: dict[str, np.ndarray]) -> dict[str, Any]:
    """The JSON document for ``graph``.

    :param graph: a verified graph.
    :param tensors: filled in: each constant's value and each array-valued attribute, under the
        key the document names. A weight parameter's entry names the key its value should be
        stored under (its parameter name, made unique), which the caller fills.
    :returns: ``{"format": "mind.mindir", "version": 2, "graph": {...}}``, JSON-serializable
        (``json.dumps(doc, allow_nan=False)`` works).
    :raises MindIRError: an attribute holds a value the encoding has no form for (the message
        names the node and the attribute).
    """
    return {
        "format": FORMAT,
        "version": VERSION,
        "graph": _graph_body(graph, _Keys(tensors), "", nested=False),
    }


def _graph_body(graph: FuncGraph, keys: _Keys, prefix: str, nested: bool) -> dict[str, Any]:
    """One graph's JSON object; nested graphs (control flow) are encoded inside the attribute
    that holds them, their tensors named under ``prefix`` (``%8.true_graph/%3``)."""
    params = []
    for p in graph.parameters:
        entry: dict[str, Any] = {
            "id": p.id,
            "name": _encode_name(p.name, f"graph {graph.name}: parameter {p.ref}'s name"),
            "kind": p.kind,
            "aval": _encode_aval(p.aval, f"graph {graph.name}: parameter {p.ref}"),
        }
        if p.kind == "weight":
            if nested:
                raise MindIRError(
                    f"graph {graph.name}: parameter {p.ref} is a weight, but a nested graph "
                    "takes weights as inputs"
                )
            entry["tensor"] = keys.take(p.name)
        params.append(entry)
    constants = []
    for c in graph.constants:
        key = keys.take(prefix + c.ref)
        keys.tensors[key] = _storable(c.value, f"graph {graph.name}: constant {c.ref}")
        aval = _encode_aval(c.aval, f"graph {graph.name}: constant {c.ref}")
        constants.append({"id": c.id, "tensor": key, "aval": aval})
    nodes = []
    for n in graph.nodes:
        attrs = {
            name: _encode_value(
                value,
                keys,
                f"graph {graph.name}: {n.ref} = {n.prim}(...) attribute {name!r}",
                f"{prefix}{n.ref}.{name}",
            )
            for name, value in n.attrs.items()
        }
        nodes.append(
            {
                "id": n.id,
                "prim": n.prim,
                "inputs": [i.id for i in n.inputs],
                "attrs": attrs,
                "aval": _encode_aval(n.aval, f"graph {graph.name}: {n.ref}"),
            }
        )
    return {
        "name": _encode_name(graph.name, "the graph's name"),
        "parameters": params,
        "constants": constants,
        "nodes": nodes,
        "outputs": [o.id for o in graph.outputs],
    }


def encode_output_spec(spec: Any, depth: int = 0) -> Any:
    """A jit output spec (``("t", i)``, ``("tuple"|"list", [...])``, ``("dict", [(key, spec)])``,
    ``("py", value)``) as JSON: ``["t", i]``, ``["tuple", [...]]``, ``["list", [...]]``,
    ``["dict", [[key, ...], ...]]``, ``["py", <encoded value>]``."""
    if depth > MAX_DEPTH:
        raise MindIRError(f"the function's outputs are nested more than {MAX_DEPTH} levels deep")
    kind, payload = spec
    if kind in ("tuple", "list"):
        return [kind, [encode_output_spec(s, depth + 1) for s in payload]]
    if kind == "dict":
        if not all(isinstance(k, str) for k, _ in payload):
            raise MindIRError("a dict the function returns must have str keys to be saved")
        return ["dict", [[k, encode_output_spec(s, depth + 1)] for k, s in payload]]
    if kind == "record":
        raise MindIRError(
            f"the function returns a {payload[0].__name__} (a dataclass or namedtuple), which a "
            "MindIR file cannot rebuild; return a dict or a tuple to export it"
        )
    if kind == "py":
        return ["py", _encode_value(payload, None, "the function's Python output", "py")]
    return ["t", int(payload)]


# ------------------------------------------------------------------------------------------------
# Decoding
# ------------------------------------------------------------------------------------------------


class _Decoder:
    def __init__(self, tensors: Mapping[str, np.ndarray], source: str | None) -> None:
        self.tensors = tensors
        self.used: set[str] = set()
        self.source = source

    def fail(self, where: str, problem: str) -> MindIRError:
        prefix = f"{self.source}: " if self.source else ""
        return MindIRError(f"{prefix}MindIR {where}: {problem}")

    # -- scalars and containers ---------------------------------------------------------------------

    def obj(self, value: Any, where: str, required: tuple[str, ...], optional=()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be a JSON object, got {_kind(value)}")
        missing = [k for k in required if k not in value]
        if missing:
            raise self.fail(where, f"is missing {missing[0]!r}")
        extra = sorted(set(value) - set(required) - set(optional))
        if extra:
            raise self.fail(where, f"has an unknown field {extra[0]!r}")
        return value

    def as_list(self, value: Any, where: str, limit: int = MAX_NODES) -> list:
        if not isinstance(value, list):
            raise self.fail(where, f"must be a list, got {_kind(value)}")
        if len(value) > limit:
            raise self.fail(where, f"has {len(value)} entries, more than the limit {limit}")
        return value

    def as_int(self, value: Any, where: str, lo: int = _INT_MIN, hi: int = _INT_MAX) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, f"must be an int, got {_kind(value)}")
        if not lo <= value <= hi:
            raise self.fail(where, f"must be in [{lo}, {hi}], got {value}")
        return value

    def as_str(self, value: Any, where: str, limit: int = MAX_NAME) -> str:
        if not isinstance(value, str):
            raise self.fail(where, f"must be a string, got {_kind(value)}")
        if len(value) > limit:
            raise self.fail(
                where, f"is a string of {len(value)} characters, over the limit {limit}"
            )
        bad = _BAD_CHAR.search(value)
        if bad is not None:  # a NUL or a lone surrogate (JSON can escape one) breaks printing
            raise self.fail(
                where,
                f"holds the character U+{ord(bad.group()):04X} at {bad.start()}; names may not "
                "hold NUL, control characters or surrogates",
            )
        return value

    def dtype(self, value: Any, where: str) -> dt.DType:
        name = self.as_str(value, where, 64)
        found = dt._BY_NAME.get(name)
        if found is None:
            raise self.fail(
                where, f"unknown dtype name {name!r}; known: {[d.name for d in dt.ALL]}"
            )
        return found

    def aval(self, value: Any, where: str, depth: int = 0) -> ShapedArray | AbstractTuple:
        if isinstance(value, dict) and "tuple" in value:
            if depth > MAX_DEPTH:
                raise self.fail(where, f"is nested more than {MAX_DEPTH} levels deep")
            items = self.as_list(self.obj(value, where, ("tuple",))["tuple"], f"{where}.tuple")
            return AbstractTuple(
                tuple(self.aval(e, f"{where}.tuple[{i}]", depth + 1) for i, e in enumerate(items))
            )
        value = self.obj(value, where, ("shape", "dtype"))
        shape = self.as_list(value["shape"], f"{where}.shape", MAX_NDIM)
        dims = tuple(
            self.as_int(d, f"{where}.shape[{i}]", 0, MAX_ELEMENTS) for i, d in enumerate(shape)
        )
        if math.prod(dims) > MAX_ELEMENTS:
            raise self.fail(f"{where}.shape", f"{list(dims)} has more than {MAX_ELEMENTS} elements")
        return ShapedArray(dims, self.dtype(value["dtype"], f"{where}.dtype"))

    def tensor(self, key: Any, where: str) -> np.ndarray:
        key = self.as_str(key, where, MAX_NAME + 32)  # a name made unique with "#<n>"
        arr = self.tensors.get(key)
        if arr is None:
            raise self.fail(where, f"names tensor {key!r}, which is not in the file")
        self.used.add(key)
        return arr

    # -- attribute values ---------------------------------------------------------------------------

    def value(self, v: Any, where: str, depth: int = 0, arrays: bool = True) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(where, f"is nested more than {MAX_DEPTH} levels deep")
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int):
            return self.as_int(v, where)
        if isinstance(v, float):
            if not math.isfinite(v):  # json.loads accepts NaN; the encoder never writes it bare
                raise self.fail(where, f"is a bare non-finite float {v}")
            return v
        if isinstance(v, list):
            self.as_list(v, where)
            return [self.value(x, f"{where}[{i}]", depth + 1, arrays) for i, x in enumerate(v)]
        if not isinstance(v, dict):
            raise self.fail(where, f"has a value of unknown JSON type {_kind(v)}")
        tag = v.get("t")
        if tag == "tuple":
            items = self.as_list(self.obj(v, where, ("t", "v"))["v"], f"{where}.v")
            return tuple(
                self.value(x, f"{where}[{i}]", depth + 1, arrays) for i, x in enumerate(items)
            )
        if tag == "dict":
            items = self.obj(v, where, ("t", "v"))["v"]
            if not isinstance(items, dict):
                raise self.fail(f"{where}.v", f"must be a JSON object, got {_kind(items)}")
            return {
                k: self.value(x, f"{where}[{k!r}]", depth + 1, arrays) for k, x in items.items()
            }
        if tag == "slice":
            self.obj(v, where, ("t", "start", "stop", "step"))
            parts = []
            for field in ("start", "stop", "step"):
                part = self.value(v[field], f"{where}.{field}", depth + 1, arrays)
                if part is not None and (not isinstance(part, int) or isinstance(part, bool)):
                    raise self.fail(
                        f"{where}.{field}", f"must be an int or null, got {_kind(part)}"
                    )
                parts.append(part)
            return slice(*parts)
        if tag == "ellipsis":
            self.obj(v, where, ("t",))
            return Ellipsis
        if tag == "float":
            name = self.obj(v, where, ("t", "v"))["v"]
            if name not in _NONFINITE:
                raise self.fail(f"{where}.v", f"must be 'nan', 'inf' or '-inf', got {name!r:.40}")
            return _NONFINITE[name]
        if tag == "dtype":
            return self.dtype(self.obj(v, where, ("t", "v"))["v"], f"{where}.v")
        if tag == "scalar":
            self.obj(v, where, ("t", "dtype", "v"))
            mind_dtype = self.dtype(v["dtype"], f"{where}.dtype")
            if mind_dtype.np is None:
                raise self.fail(
                    f"{where}.dtype", f"{mind_dtype.name} needs the 'ml_dtypes' package"
                )
            item = self.value(v["v"], f"{where}.v", depth + 1, arrays)
            if item is None or not isinstance(item, bool | int | float):
                raise self.fail(f"{where}.v", f"must be a number or bool, got {_kind(item)}")
            try:
                with np.errstate(all="ignore"):
                    return mind_dtype.np.type(item)
            except (OverflowError, ValueError, TypeError) as exc:
                raise self.fail(
                    f"{where}.v", f"{item!r} is not a {mind_dtype.name}: {exc}"
                ) from None
        if tag == "graph":
            if not arrays:
                raise self.fail(where, "holds a graph, which is not allowed here")
            body = self.obj(v, where, ("t", "v"))["v"]
            return self.body(body, f"{where}.v", depth + 1, nested=True)
        if tag == "ndarray":
            if not arrays:
                raise self.fail(where, "holds an array, which is not allowed here")
            ref = self.obj(v, where, ("t", "ref"))["ref"]
            return self.tensor(ref, f"{where}.ref")
        raise self.fail(where, f"has an unknown tag {tag!r:.40}")

    # -- the graph ----------------------------------------------------------------------------------

    def graph(self, doc: Any) -> FuncGraph:
        doc = self.obj(doc, "document", ("format", "version", "graph"), ("output_spec",))
        if doc["format"] != FORMAT:
            raise self.fail("document", f"'format' is {doc['format']!r:.60}, expected {FORMAT!r}")
        version = self.as_int(doc["version"], "document.version", 0)
        if version > VERSION:
            raise self.fail(
                "document",
                f"is version {version}, written by a newer Mind; this Mind reads version "
                f"{VERSION} (upgrade mind-core)",
            )
        if version != VERSION:
            raise self.fail("document.version", f"must be {VERSION}, got {version}")
        graph = self.body(doc["graph"], "graph", 0, nested=False)
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            raise self.fail("graph", f"does not use tensor {unused[0]!r} of the file")
        try:
            graph.verify()
        except GraphError as exc:  # checked above already; kept as the graph's own word
            raise self.fail("graph", str(exc)) from None
        return graph

    def body(self, g: Any, at: str, depth: int, nested: bool) -> FuncGraph:
        """One graph object (the document's, or a nested one inside an attribute)."""
        if depth > MAX_DEPTH:
            raise self.fail(at, f"is nested more than {MAX_DEPTH} levels deep")
        g = self.obj(g, at, ("name", "parameters", "constants", "nodes", "outputs"))
        graph = FuncGraph(self.as_str(g["name"], f"{at}.name"))
        defined: dict[int, Node] = {}
        pending: dict[int, str] = {}  # ids of nodes defined later, for a precise message

        def claim(node_id: Any, where: str) -> int:
            node_id = self.as_int(node_id, where, 1)
            if node_id in defined or node_id in pending:
                raise self.fail(where, f"id %{node_id} is used by two nodes")
            return node_id

        raw_nodes = self.as_list(g["nodes"], f"{at}.nodes")
        for i, n in enumerate(raw_nodes):
            if isinstance(n, dict) and "id" in n:
                node_id = self.as_int(n["id"], f"{at}.nodes[{i}].id", 1)
                pending.setdefault(node_id, f"{at}.nodes[{i}]")

        for i, p in enumerate(self.as_list(g["parameters"], f"{at}.parameters")):
            where = f"{at}.parameters[{i}]"
            p = self.obj(p, where, ("id", "name", "kind", "aval"), ("tensor",))
            node_id = claim(p["id"], f"{where}.id")
            aval = self.aval(p["aval"], f"{where}.aval")
            if isinstance(aval, AbstractTuple):
                raise self.fail(f"{where}.aval", "must be a tensor's, not a tuple's")
            kind = p["kind"]
            if kind not in ("input", "weight") or (nested and kind == "weight"):
                allowed = "'input'" if nested else "'input' or 'weight'"
                raise self.fail(f"{where}.kind", f"must be {allowed}, got {kind!r:.40}")
            if kind == "weight":
                if "tensor" not in p:
                    raise self.fail(where, "is a weight but names no 'tensor'")
                arr = self.tensor(p["tensor"], f"{where}.tensor")
                self.check_array(arr, aval, f"{where} (%{node_id})")
            elif "tensor" in p:
                raise self.fail(where, "is an input but names a 'tensor'")
            node = Parameter(node_id, aval, self.as_str(p["name"], f"{where}.name"), kind)
            graph.parameters.append(node)
            defined[node_id] = node

        for i, c in enumerate(self.as_list(g["constants"], f"{at}.constants")):
            where = f"{at}.constants[{i}]"
            c = self.obj(c, where, ("id", "tensor", "aval"))
            node_id = claim(c["id"], f"{where}.id")
            aval = self.aval(c["aval"], f"{where}.aval")
            arr = self.tensor(c["tensor"], f"{where}.tensor")
            if isinstance(aval, AbstractTuple):
                raise self.fail(f"{where}.aval", "must be a tensor's, not a tuple's")
            self.check_array(arr, aval, f"{where} (%{node_id})")
            node = Constant(node_id, arr)
            graph.constants.append(node)
            defined[node_id] = node

        for i, n in enumerate(raw_nodes):
            where = f"{at}.nodes[{i}]"
            n = self.obj(n, where, ("id", "prim", "inputs", "attrs", "aval"))
            node_id = self.as_int(n["id"], f"{where}.id", 1)
            pending.pop(node_id, None)
            if node_id in defined or node_id in pending:
                raise self.fail(f"{where}.id", f"id %{node_id} is used by two nodes")
            where = f"{where} (%{node_id})"
            prim_name = self.as_str(n["prim"], f"{where}.prim", 256)
            prim = find_primitive(prim_name)
            if prim is None:
                raise self.fail(f"{where}.prim", f"unknown primitive {prim_name!r}")
            inputs = []
            for j, ref in enumerate(self.as_list(n["inputs"], f"{where}.inputs")):
                ref = self.as_int(ref, f"{where}.inputs[{j}]", 1)
                if ref not in defined:
                    later = pending.get(ref)
                    if ref == node_id:
                        problem = "refers to the node itself"
                    elif later is not None:
                        problem = (
                            f"refers to %{ref}, which is defined later ({later}); a node may "
                            "only use parameters, constants and earlier nodes"
                        )
                    else:
                        problem = f"refers to %{ref}, which is not defined"
                    raise self.fail(f"{where}.inputs[{j}]", problem)
                inputs.append(defined[ref])
            attrs_raw = n["attrs"]
            if not isinstance(attrs_raw, dict):
                raise self.fail(f"{where}.attrs", f"must be a JSON object, got {_kind(attrs_raw)}")
            attrs = {
                self.as_str(k, f"{where}.attrs key", 256): self.value(
                    v, f"{where}.attrs.{k}", depth
                )
                for k, v in attrs_raw.items()
            }
            aval = self.aval(n["aval"], f"{where}.aval")
            avals = tuple(x.aval for x in inputs)
            # Structure first (arity, tuple values, the attribute schema), so that an inference
            # rule only ever sees attributes of the types it was written for.
            problem = check_node(prim, avals, attrs)
            if problem is not None:
                raise self.fail(where, f"{prim_name}(...) {problem}")
            try:
                with np.errstate(all="ignore"):
                    expected = prim.infer(*avals, **attrs)
            except Exception as exc:  # a damaged file's attrs can trip any error in inference
                raise self.fail(
                    where, f"{prim_name}(...) rejects its inputs and attributes: {exc}"
                ) from None
            if expected != aval:
                raise self.fail(
                    f"{where}.aval",
                    f"{prim_name}(...) is recorded as {_fmt(aval)} but its inference gives "
                    f"{_fmt(expected)}",
                )
            node = Apply(node_id, prim_name, tuple(inputs), attrs, aval)
            graph.nodes.append(node)
            defined[node_id] = node

        outputs = []
        for j, ref in enumerate(self.as_list(g["outputs"], f"{at}.outputs")):
            ref = self.as_int(ref, f"{at}.outputs[{j}]", 1)
            if ref not in defined:
                raise self.fail(f"{at}.outputs[{j}]", f"refers to %{ref}, which is not defined")
            outputs.append(defined[ref])
        graph.outputs = tuple(outputs)
        graph._next = max(defined, default=0)
        return graph

    def check_array(self, arr: np.ndarray, aval: ShapedArray, where: str) -> None:
        found = dt._BY_NP.get(arr.dtype.newbyteorder("="))
        if tuple(arr.shape) != aval.shape or found is not aval.dtype:
            raise self.fail(
                where,
                f"is recorded as {_fmt(aval)} but its tensor is "
                f"{found.name if found else arr.dtype}{list(arr.shape)}",
            )

    def output_spec(self, spec: Any, n_outputs: int, where: str, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(where, f"is nested more than {MAX_DEPTH} levels deep")
        if not isinstance(spec, list) or len(spec) != 2 or not isinstance(spec[0], str):
            raise self.fail(where, f"must be a [kind, payload] pair, got {_kind(spec)}")
        kind, payload = spec
        if kind == "t":
            return ("t", self.as_int(payload, f"{where}[1]", 0, n_outputs - 1))
        if kind in ("tuple", "list"):
            items = self.as_list(payload, f"{where}[1]")
            return (
                kind,
                [
                    self.output_spec(s, n_outputs, f"{where}[1][{i}]", depth + 1)
                    for i, s in enumerate(items)
                ],
            )
        if kind == "dict":
            items = self.as_list(payload, f"{where}[1]")
            out = []
            for i, item in enumerate(items):
                at = f"{where}[1][{i}]"
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                    raise self.fail(at, f"must be a [str key, spec] pair, got {_kind(item)}")
                out.append((item[0], self.output_spec(item[1], n_outputs, f"{at}[1]", depth + 1)))
            return ("dict", out)
        if kind == "py":
            value = self.value(payload, f"{where}[1]", depth + 1, arrays=False)
            if value is not None and not isinstance(value, bool | int | float | str):
                raise self.fail(f"{where}[1]", f"must be a Python scalar, got {_kind(value)}")
            return ("py", value)
        raise self.fail(
            f"{where}[0]", f"must be 't', 'tuple', 'list', 'dict' or 'py', got {kind!r:.40}"
        )


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _fmt(aval: ShapedArray | AbstractTuple) -> str:
    return _fmt_aval(aval)


def graph_from_json(
    doc: Any, tensors: Mapping[str, np.ndarray], *, source: str | None = None
) -> FuncGraph:
    """The :class:`FuncGraph` a :func:`graph_to_json` document describes, after checking all of it.

    :param doc: the parsed JSON document.
    :param tensors: the arrays the document names (constants, weights, array attributes). Every
        one must be used; weights must match their parameter's shape and dtype.
    :param source: prefixed to error messages (for example the file's name).
    :raises MindIRError: anything is missing, of the wrong type, out of range or inconsistent: an
        unknown primitive or dtype name, a node using a later node, an abstract value that its
        primitive's inference rule disagrees with. The message names the node (``%id``) and field.
    """
    return _Decoder(tensors, source).graph(doc)


def decode_output_spec(spec: Any, n_outputs: int, *, source: str | None = None) -> Any:
    """The jit output spec from :func:`encode_output_spec`'s JSON, checking every index is one of
    the ``n_outputs`` graph outputs. :raises MindIRError: it is malformed."""
    return _Decoder({}, source).output_spec(spec, n_outputs, "output_spec")
