"""The lite model file (``.ms``): a header, then the weights, memory-mapped on load.

Layout (little-endian)::

    0   8 bytes   magic b"MINDLITE"
    8   u32       format version (1)
    12  u32       0 (reserved)
    16  u64       header length H
    24  H bytes   header: UTF-8 JSON (below)
    ..            zero padding to a multiple of 64
    D   ...       data: each tensor at D + its offset, every offset a multiple of 64

The header: ``{"producer", "inputs", "outputs", "nodes", "tensors", "quant", "metadata",
"data_size", "sha256"}``. ``tensors`` lists ``{"name", "dtype", "shape", "offset", "nbytes"}``;
``nodes`` lists ``{"op", "name", "inputs", "outputs", "attrs"}`` with attributes in a tagged JSON
encoding (:func:`encode_attr`); ``sha256`` is the digest of the header with that field empty, so
a changed shape, offset or op is refused. The weights are not digested (a model loads in the time
it takes to map it); their sizes and offsets are checked against the file before any is read.

Nothing is ever unpickled; :func:`read` validates the whole structure (magic, version, sizes,
offsets, dtypes, names, that every value is defined before it is used, that every op is one the
runtime has) and raises :class:`~mind.lite.errors.LiteFormatError` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
from typing import Any

import numpy as np

from mind.lite._src.graph import LiteGraph, Node, QuantParam, ValueInfo
from mind.lite.errors import LiteFormatError

__all__ = ["MAGIC", "VERSION", "read", "write"]

MAGIC = b"MINDLITE"
VERSION = 1
ALIGN = 64
_PREAMBLE = struct.Struct("<8sIIQ")
_HEADER_LIMIT = 64 * 1024 * 1024
_JSON_DEPTH = 64
DTYPES = ("float32", "float16", "float64", "int8", "uint8", "int16", "int32", "int64", "bool")


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# -- attributes: a tagged JSON encoding ------------------------------------------------------------


def encode_attr(value: Any, where: str) -> Any:
    """JSON for an attribute value: numbers, strings, bools, None, lists; tuples, slices and
    Ellipsis tagged (``{"tuple": [...]}``, ``{"slice": [start, stop, step]}``, ``{"ellipsis": 0}``);
    small integer/bool arrays (getitem's index arrays) as ``{"array": [...], "dtype": ...}``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return {"float": repr(float(value))}
        return float(value)
    if isinstance(value, tuple):
        return {"tuple": [encode_attr(v, where) for v in value]}
    if isinstance(value, list):
        return [encode_attr(v, where) for v in value]
    if isinstance(value, slice):
        return {"slice": [encode_attr(v, where) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"ellipsis": 0}
    if isinstance(value, np.ndarray) and value.dtype.name in DTYPES and value.size <= 1 << 16:
        return {"array": value.tolist(), "dtype": value.dtype.name}
    raise LiteFormatError(f"{where}: cannot store an attribute of type {type(value).__name__}")


def decode_attr(value: Any, where: str) -> Any:
    if isinstance(value, list):
        return [decode_attr(v, where) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, body),) = value.items()
        if tag == "tuple" and isinstance(body, list):
            return tuple(decode_attr(v, where) for v in body)
        if tag == "slice" and isinstance(body, list) and len(body) == 3:
            parts = [decode_attr(v, where) for v in body]
            if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
                return slice(*parts)
        if tag == "ellipsis":
            return Ellipsis
        if tag == "float" and body in ("nan", "inf", "-inf"):
            return float(body)
    if set(value) == {"array", "dtype"} and value["dtype"] in DTYPES:
        try:
            return np.asarray(value["array"], dtype=value["dtype"])
        except (TypeError, ValueError) as exc:
            raise LiteFormatError(f"{where}: bad array attribute: {exc}") from None
    raise LiteFormatError(f"{where}: unknown attribute encoding {json.dumps(value)[:80]}")


# -- write -----------------------------------------------------------------------------------------


def _header(graph: LiteGraph, producer: str) -> tuple[dict[str, Any], list[np.ndarray]]:
    tensors, arrays, offset = [], [], 0
    for name, array in graph.tensors.items():
        array = np.asarray(array, order="C")  # keeps 0-d (ascontiguousarray makes it 1-d)
        if array.dtype.name not in DTYPES:
            raise LiteFormatError(f"tensor {name!r}: dtype {array.dtype} cannot be stored")
        tensors.append(
            {
                "name": name,
                "dtype": array.dtype.name,
                "shape": list(array.shape),
                "offset": offset,
                "nbytes": array.nbytes,
            }
        )
        arrays.append(array)
        offset = _align(offset + array.nbytes)
    nodes = [
        {
            "op": n.op,
            "name": n.name,
            "inputs": list(n.inputs),
            "outputs": list(n.outputs),
            "attrs": {
                k: encode_attr(v, f"node {n.name!r} attribute {k!r}") for k, v in n.attrs.items()
            },
        }
        for n in graph.nodes
    ]
    info = lambda v: {"name": v.name, "dtype": v.dtype, "shape": list(v.shape)}  # noqa: E731
    header = {
        "producer": producer,
        "inputs": [info(v) for v in graph.inputs],
        "outputs": [info(v) for v in graph.outputs],
        "nodes": nodes,
        "tensors": tensors,
        "quant": {
            name: {"scale": list(q.scale), "zero_point": list(q.zero_point), "axis": q.axis}
            for name, q in graph.quant.items()
        },
        "metadata": dict(graph.metadata),
        "data_size": offset,
        "sha256": "",
    }
    return header, arrays


def _digest(header: dict[str, Any]) -> str:
    body = json.dumps({**header, "sha256": ""}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def write(graph: LiteGraph, path: str | os.PathLike[str], producer: str = "mind-lite") -> None:
    """Write ``graph`` to ``path`` atomically (mind-core's writer: a temporary beside it, fsync,
    rename)."""
    from mind.core._base.atomic import write_atomic

    header, arrays = _header(graph, producer)
    header["sha256"] = _digest(header)
    blob = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    start = _align(_PREAMBLE.size + len(blob))
    chunks: list[bytes | memoryview] = [
        _PREAMBLE.pack(MAGIC, VERSION, 0, len(blob)),
        blob,
        b"\0" * (start - _PREAMBLE.size - len(blob)),
    ]
    at = 0
    for entry, array in zip(header["tensors"], arrays, strict=True):
        chunks.append(b"\0" * (entry["offset"] - at))  # the padding to the 64-byte offset
        chunks.append(memoryview(array.reshape(-1)).cast("B"))
        at = entry["offset"] + array.nbytes
    chunks.append(b"\0" * (header["data_size"] - at))
    write_atomic(os.fspath(path), chunks)


# -- read ------------------------------------------------------------------------------------------


def read(path: str | os.PathLike[str], ops: Any = None) -> LiteGraph:
    """The graph in ``path``, its tensors read-only views of the mapped file.

    ``ops``, when given, is the set of op names the runtime can run: a node naming another op is
    refused here, before anything runs."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < _PREAMBLE.size:
                raise LiteFormatError(f"{path}: {size} bytes is too short for a lite model")
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise LiteFormatError(f"cannot read lite model '{path}': {exc}") from None
    return _parse(mapped, size, path, ops)


def _parse(data: Any, size: int, path: str, ops: Any) -> LiteGraph:
    def fail(msg: str) -> LiteFormatError:
        return LiteFormatError(f"{path}: {msg}")

    magic, version, _reserved, hlen = _PREAMBLE.unpack_from(data, 0)
    if magic != MAGIC:
        raise fail("not a lite model (bad magic; a .ms file from mind-lite convert is expected)")
    if version != VERSION:
        raise fail(f"format version {version}; this mind-lite reads version {VERSION}")
    if hlen > min(_HEADER_LIMIT, size - _PREAMBLE.size):
        raise fail(f"header length {hlen} runs past the end of the file ({size} bytes)")
    try:
        header = json.loads(bytes(data[_PREAMBLE.size : _PREAMBLE.size + hlen]))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise fail(f"header is not valid JSON: {exc}") from None
    _check_depth(header, fail)
    if not isinstance(header, dict):
        raise fail("header is not a JSON object")
    keys = {"producer", "inputs", "outputs", "nodes", "tensors", "quant", "metadata"}
    missing = (keys | {"data_size", "sha256"}) - set(header)
    if missing:
        raise fail(f"header lacks {sorted(missing)}")
    if header["sha256"] != _digest(header):
        raise fail("header checksum does not match (the file is damaged or was edited)")
    start = _align(_PREAMBLE.size + hlen)
    data_size = header["data_size"]
    if not _is_int(data_size) or data_size < 0 or start + data_size != size:
        raise fail(f"data section of {data_size!r} bytes does not fit the file ({size} bytes)")

    tensors: dict[str, np.ndarray] = {}
    entries = _list(header["tensors"], "tensors", fail)
    for i, entry in enumerate(entries):
        where = f"tensors[{i}]"
        name, dtype, shape = (
            _str(entry, "name", where, fail),
            entry.get("dtype"),
            entry.get("shape"),
        )
        if dtype not in DTYPES:
            raise fail(f"{where} ({name!r}): unknown dtype {dtype!r}")
        shape = _shape(shape, f"{where} ({name!r})", fail)
        offset, nbytes = entry.get("offset"), entry.get("nbytes")
        expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        if not (_is_int(offset) and _is_int(nbytes)) or offset % ALIGN or nbytes != expected:
            raise fail(
                f"{where} ({name!r}): offset {offset!r} / size {nbytes!r} bytes do not fit its "
                f"shape {list(shape)} of {dtype} ({expected} bytes, {ALIGN}-byte aligned)"
            )
        if offset < 0 or offset + nbytes > data_size:
            raise fail(
                f"{where} ({name!r}): bytes {offset}..{offset + nbytes} lie outside the data"
            )
        if name in tensors:
            raise fail(f"{where}: tensor {name!r} is listed twice")
        array = np.frombuffer(
            data, dtype=dtype, count=nbytes // np.dtype(dtype).itemsize, offset=start + offset
        )
        tensors[name] = array.reshape(shape)

    inputs = [
        _info(v, f"inputs[{i}]", fail)
        for i, v in enumerate(_list(header["inputs"], "inputs", fail))
    ]
    outputs = [
        _info(v, f"outputs[{i}]", fail)
        for i, v in enumerate(_list(header["outputs"], "outputs", fail))
    ]
    defined = set(tensors)
    for v in inputs:
        if v.name in defined:
            raise fail(f"input {v.name!r} is defined twice")
        defined.add(v.name)
    nodes = []
    for i, entry in enumerate(_list(header["nodes"], "nodes", fail)):
        where = f"nodes[{i}]"
        if not isinstance(entry, dict):
            raise fail(f"{where} is not an object")
        op, name = _str(entry, "op", where, fail), _str(entry, "name", where, fail)
        where = f"node {name!r} ({op})"
        if ops is not None and op not in ops:
            raise fail(f"{where}: this mind-lite has no kernel for op {op!r}")
        ins = [
            _name(x, f"{where} input", fail)
            for x in _list(entry.get("inputs"), f"{where} inputs", fail)
        ]
        outs = [
            _name(x, f"{where} output", fail)
            for x in _list(entry.get("outputs"), f"{where} outputs", fail)
        ]
        for x in ins:
            if x not in defined:
                raise fail(f"{where} reads {x!r} before it is defined")
        for x in outs:
            if x in defined:
                raise fail(f"{where} redefines {x!r}")
            defined.add(x)
        attrs = entry.get("attrs")
        if not isinstance(attrs, dict):
            raise fail(f"{where}: attrs is not an object")
        try:
            decoded = {str(k): decode_attr(v, f"{where} attribute {k!r}") for k, v in attrs.items()}
        except LiteFormatError as exc:
            raise fail(str(exc)) from None
        nodes.append(Node(op, name, ins, outs, decoded))
    for v in outputs:
        if v.name not in defined:
            raise fail(f"output {v.name!r} is not computed by the graph")
    quant = {}
    qmap = header["quant"]
    if not isinstance(qmap, dict):
        raise fail("quant is not an object")
    for name, q in qmap.items():
        if name not in tensors or not isinstance(q, dict):
            raise fail(f"quant entry {name!r} names no tensor")
        scale, zero, axis = q.get("scale"), q.get("zero_point"), q.get("axis")
        if (
            not isinstance(scale, list)
            or not isinstance(zero, list)
            or len(scale) != len(zero)
            or not scale
            or not all(isinstance(s, (int, float)) and s > 0 for s in scale)
            or not all(_is_int(z) for z in zero)
            or (axis is not None and not (_is_int(axis) and 0 <= axis < tensors[name].ndim))
            or (axis is not None and tensors[name].shape[axis] != len(scale))
            or (axis is None and len(scale) != 1)
        ):
            raise fail(f"quant entry {name!r}: bad scale / zero_point / axis")
        quant[name] = QuantParam(tuple(float(s) for s in scale), tuple(zero), axis)
    meta = header["metadata"]
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise fail("metadata is not an object of strings")
    return LiteGraph(inputs, outputs, nodes, tensors, quant, dict(meta))


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _list(x: Any, where: str, fail: Any) -> list:
    if not isinstance(x, list):
        raise fail(f"{where} is not a list")
    return x


def _str(entry: Any, key: str, where: str, fail: Any) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get(key), str) or not entry[key]:
        raise fail(f"{where}: {key!r} is missing or not a string")
    return entry[key]


def _name(x: Any, where: str, fail: Any) -> str:
    if not isinstance(x, str) or not x:
        raise fail(f"{where} {x!r} is not a value name")
    return x


def _shape(shape: Any, where: str, fail: Any) -> tuple[int, ...]:
    if (
        not isinstance(shape, list)
        or len(shape) > 16
        or not all(_is_int(d) and 0 <= d < 1 << 40 for d in shape)
    ):
        raise fail(f"{where}: bad shape {shape!r}")
    return tuple(shape)


def _info(v: Any, where: str, fail: Any) -> ValueInfo:
    name = _str(v, "name", where, fail)
    if v.get("dtype") not in DTYPES:
        raise fail(f"{where} ({name!r}): unknown dtype {v.get('dtype')!r}")
    shape = v.get("shape")
    if (
        not isinstance(shape, list)
        or not all(_is_int(d) and d >= -1 for d in shape)
        or len(shape) > 16
    ):
        raise fail(f"{where} ({name!r}): bad shape {shape!r}")
    return ValueInfo(name, v["dtype"], tuple(shape))


def _check_depth(value: Any, fail: Any) -> None:
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > _JSON_DEPTH:
            raise fail(f"header nests deeper than {_JSON_DEPTH} levels")
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)
