"""``export``, ``load`` and ``nn.GraphCell``: a compiled graph and its weights in one file.

MindSpore 2.x's API (``mindspore.export(net, *inputs, file_name, file_format="MINDIR")``,
``mindspore.load(file_name)``, ``nn.GraphCell(graph)``), but the file is safetensors, not
protobuf: nothing in it is ever unpickled, and other tools can read its tensors.

File layout (``<name>.mindir``): a standard safetensors file whose tensors are the weights (under
their parameter names), the graph's constants (``%<id>``) and its array-valued attributes
(``%<id>.<attr>``, getitem's index arrays). The header's ``__metadata__`` (string to string)
holds:

- ``format``: ``"mind.mindir"``; ``version``: ``"2"``.
- ``graph``: the JSON document of :mod:`mind.core._src.ir.serialize` (the graph, node ids as
  traced, attributes in a tagged encoding) plus ``output_spec``, the structure the function
  returned its tensors in.
- ``sha256``: JSON ``{"header": <hex digest>, "tensors": {name: <hex digest of the tensor's bytes
  as stored>}}``. The header digest is of the whole header but itself (:func:`_header_digest`):
  every metadata entry, every tensor's dtype, shape and offsets, and the tensor digests; so a
  dtype changed from F32 to U32 in the header is refused like a changed byte. Version 1 files
  (whose digest covered the graph string only) are refused: export them again.

Loading validates everything (the container, nesting and sizes, the digests, then every field of
the graph: each node against its primitive's arity and attribute schema, then its inference rule)
before anything is returned, and reports every problem as :class:`~mind.core.errors.MindIRError`
naming the file and the node, field or tensor at fault.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from mind.core._base.atomic import write_atomic
from mind.core._src.ir import serialize
from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ir.trace import is_tracing
from mind.core._src.jit import _rebuild
from mind.core._src.nn.cell import Cell
from mind.core._src.ops.control import interpret
from mind.core._src.ops.dispatch import ShapedArray
from mind.core._src.runtime.executor import Executable
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core._src.train.serialization import _ST_DTYPE, _json_depth, _sha256
from mind.core.errors import MindError, MindIRError, MindTypeError, MindValueError

__all__ = ["GraphCell", "MindIRGraph", "read", "write"]


SUFFIX = ".mindir"
_HEADER_LIMIT = 100 * 1024 * 1024  # safetensors' own limit on the JSON header
#: The file format's version (the container: metadata and checksums). Version 2's digest covers
#: the whole header; version 1 (earlier Minds) covered only the graph string and the tensor
#: bytes, so a changed dtype went unnoticed: such files are refused (docs/migration.md).
VERSION = serialize.VERSION
# Nesting of the JSON in the metadata: a real graph's is under 200 (32 levels of nested control
# flow); json's recursion limit, and this loader's, are never reached.
_JSON_DEPTH = 400
_PLACEHOLDER = "0" * 64

# Mind dtype name <-> safetensors dtype string: one table, shared with checkpoints.
_FROM_ST = {v: k for k, v in _ST_DTYPE.items()}


# ------------------------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------------------------


def write(
    graph: FuncGraph, weights: dict[str, np.ndarray], file_name: str, *, output_spec: Any = None
) -> None:
    """Write a compiled ``graph`` and its ``weights`` (``{name: array}`` in the order of its
    weight parameters) to ``file_name`` as given; the ``mindir`` format's ``export``.

    :raises MindIRError: the graph holds a value MindIR cannot store, or the file could not be
        written (an existing file is replaced atomically: on failure it is left as it was).
    """
    tensors: dict[str, np.ndarray] = {}
    doc = serialize.graph_to_json(graph, tensors)
    doc["output_spec"] = serialize.encode_output_spec(output_spec)
    weight_entries = [p for p in doc["graph"]["parameters"] if p["kind"] == "weight"]
    for entry, (name, array) in zip(weight_entries, weights.items(), strict=True):
        tensors[entry["tensor"]] = serialize._storable(array, f"weight {name!r}")

    meta = {
        "format": serialize.FORMAT,
        "version": str(VERSION),
        "graph": json.dumps(doc, separators=(",", ":"), allow_nan=False),
    }
    chunks = _pack(tensors, meta)
    try:
        write_atomic(file_name, chunks)
    except OSError as exc:
        raise MindIRError(f"For 'export', could not write '{file_name}': {exc}") from exc


def _pack(tensors: dict[str, np.ndarray], meta: dict[str, str]) -> list[bytes | memoryview]:
    """The bytes of a ``.mindir`` file (as buffers to write one after the other) holding
    ``tensors`` and the metadata ``meta`` (``format``, ``version``, ``graph``), with its
    ``sha256`` entry computed: each tensor's digest, and the header digest.

    The header digest covers the safetensors header as written (dtypes, shapes, offsets), which
    exists only once the file is laid out: a placeholder of the digest's length is written first,
    then the digest put in its place, so the header's length and every offset stay the same.
    """
    digests = {"header": _PLACEHOLDER, "tensors": {n: _sha256(a) for n, a in tensors.items()}}
    meta = {**meta, "sha256": json.dumps(digests, separators=(",", ":"))}
    payload = safetensors.numpy.save(tensors, metadata=meta)
    header_len = int.from_bytes(payload[:8], "little")
    placeholder = f'"header":"{_PLACEHOLDER}"'.encode()
    # Found in the JSON-encoded metadata, where its quotes are escaped.
    placeholder = json.dumps(placeholder.decode())[1:-1].encode()
    at = payload.find(placeholder, 8, 8 + header_len)
    if at < 0 or payload.find(placeholder, at + 1, 8 + header_len) >= 0:
        raise MindIRError("For 'export', the header digest could not be placed (internal error)")
    at += placeholder.index(_PLACEHOLDER.encode())
    digest = _header_digest(json.loads(payload[8 : 8 + header_len])).encode()
    view = memoryview(payload)
    return [view[:at], digest, view[at + len(digest) :]]


# ------------------------------------------------------------------------------------------------
# Load
# ------------------------------------------------------------------------------------------------


class MindIRGraph:
    """A loaded MindIR file: what :func:`load` returns and :class:`GraphCell` runs.

    :ivar graph: the :class:`FuncGraph`, verified.
    :ivar weights: ``{name: numpy array}`` in the order of the graph's weight parameters (the
        parameter's name, made unique with ``#2``... when two weights share one).
    :ivar inputs: the abstract values (shape and dtype) of the graph's inputs, in call order.
    :ivar output_spec: how the outputs are arranged (a Tensor, or tuples and lists of them).
    """

    def __init__(
        self,
        graph: FuncGraph,
        weights: dict[str, np.ndarray],
        output_spec: Any,
        file_name: str | None = None,
    ) -> None:
        self.graph = graph
        self.weights = weights
        self.inputs: list[ShapedArray] = [p.aval for p in graph.parameters if p.kind == "input"]
        self.output_spec = output_spec
        self.file_name = file_name

    @property
    def name(self) -> str:
        return self.graph.name

    def __str__(self) -> str:
        return str(self.graph)

    def __repr__(self) -> str:
        inputs = ", ".join(f"{a.dtype}{list(a.shape)}" for a in self.inputs)
        return f"MindIRGraph({self.name!r}, inputs=({inputs}), {len(self.weights)} weights)"


def read(path: str) -> MindIRGraph:
    """Read a file written by :func:`write`, after validating all of it; the ``mindir`` format's
    ``load``.

    :raises MindIRError: the file is missing, not a regular file, truncated, not a MindIR file,
        written by a newer Mind, altered (a SHA-256 mismatch), or its graph is malformed. The
        message names the file and the node, field or tensor at fault.
    """
    where = f"For 'load', '{path}'"

    def fail(problem: str, tensor: str | None = None) -> MindIRError:
        at = "" if tensor is None else f", tensor {tensor!r}"
        return MindIRError(f"{where}{at}: {problem}")

    try:
        st = os.stat(path)
    except FileNotFoundError:
        hint = ""
        if not path.endswith(SUFFIX) and os.path.exists(path + SUFFIX):
            hint = f" (export appended '{SUFFIX}': did you mean '{path}{SUFFIX}'?)"
        raise fail(f"no such file{hint}") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise fail(f"is {kind}, not a MindIR file")
    if st.st_size < 8:
        raise fail(f"is {st.st_size} bytes long, too short to be a MindIR file (truncated?)")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise fail(f"cannot be read: {exc}") from exc
    return _parse(data, path, fail)


def _parse(data: bytes, path: str, fail: Any) -> MindIRGraph:
    # safetensors checks the header length, the JSON, and that the offsets tile the file exactly;
    # any failure of a parser fed a damaged file is the file's fault, so all become ours.
    header_len = int.from_bytes(data[:8], "little")
    if header_len > min(len(data) - 8, _HEADER_LIMIT):
        raise fail(
            f"is truncated, damaged or not a safetensors file (its header claims {header_len} "
            f"bytes, the file has {len(data) - 8} after the length)"
        )
    try:
        views = dict(safetensors.deserialize(data))
        header = json.loads(data[8 : 8 + header_len])
        meta = header.get("__metadata__") or {}
        if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
            raise ValueError("metadata values must be strings")
    except Exception as exc:
        raise fail(f"is truncated, damaged or not a safetensors file ({exc})") from None
    except BaseException as exc:  # a Rust panic in the parser surfaces as a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise fail(f"is damaged: the safetensors parser failed ({exc})") from None
    del data

    if meta.get("format") != serialize.FORMAT:
        raise fail(
            f"is a safetensors file but not a MindIR file (metadata 'format' is "
            f"{meta.get('format')!r:.60}, expected {serialize.FORMAT!r})"
        )
    version = meta.get("version", "")
    # Only ASCII digits: int() would read "\u0661" (an Arabic-Indic one) as 1.
    number = int(version) if version.isascii() and version.isdigit() and len(version) < 6 else -1
    if number > VERSION:
        raise fail(
            f"was written in MindIR file version {version} by a newer Mind; this Mind reads "
            f"version {VERSION} (upgrade mind-core)"
        )
    if number == 1:
        raise fail(
            "was written in MindIR file version 1 by an older Mind, whose checksums do not cover "
            f"the tensors' dtypes and shapes; this Mind reads version {VERSION} only: export the "
            "model again (see docs/migration.md)"
        )
    if version != str(VERSION):
        raise fail(f"has an invalid 'version' {version!r:.40}, expected {str(VERSION)!r}")
    for key in ("sha256", "graph"):
        if key not in meta:
            raise fail(f"has no {key!r} metadata entry")
        depth = _json_depth(meta[key])
        if depth > _JSON_DEPTH:
            raise fail(
                f"has a {key!r} metadata entry nested {depth} levels deep, over the limit "
                f"{_JSON_DEPTH}"
            )
    try:
        digests = json.loads(meta["sha256"])
        if (
            not isinstance(digests, dict)
            or sorted(digests) != ["header", "tensors"]
            or not isinstance(digests["tensors"], dict)
            or not isinstance(digests["header"], str)
            or not all(isinstance(v, str) for v in digests["tensors"].values())
        ):
            raise TypeError("not a JSON object of 'header' and 'tensors' digests")
        graph_json = meta["graph"]
    except (TypeError, ValueError, RecursionError) as exc:
        raise fail(f"has a damaged 'sha256' metadata entry ({exc})") from None
    if _header_digest(header) != digests["header"]:
        raise fail(
            "its header (graph, metadata, tensor dtypes, shapes or offsets) fails its SHA-256 "
            "check: the file was altered or damaged"
        )

    records = digests["tensors"]
    for name in views:
        if name not in records:
            raise fail("is in the file but has no SHA-256 record (file altered?)", name)
    arrays: dict[str, np.ndarray] = {}
    for name, digest in records.items():
        view = views.get(name)
        if view is None:
            raise fail("has a SHA-256 record but is missing from the file", name)
        mind_dtype = _FROM_ST.get(view["dtype"])
        if mind_dtype is None:
            raise fail(f"has safetensors dtype {view['dtype']!r}, which Mind does not know", name)
        np_dtype = dt._BY_NAME[mind_dtype].np
        if np_dtype is None:
            raise fail(f"has dtype {mind_dtype}, which needs the 'ml_dtypes' package", name)
        buffer = view["data"]
        if hashlib.sha256(buffer).hexdigest() != digest:
            raise fail("fails its SHA-256 check: the file was altered or damaged", name)
        try:
            arr = np.frombuffer(buffer, dtype=np_dtype.newbyteorder("<")).reshape(view["shape"])
        except ValueError as exc:
            raise fail(
                f"does not hold shape {view['shape']} of {mind_dtype} ({exc})", name
            ) from None
        arrays[name] = arr if sys.byteorder == "little" else arr.astype(np_dtype)

    try:
        doc = json.loads(graph_json)
    except (ValueError, RecursionError) as exc:
        raise fail(f"has a graph that is not valid JSON ({exc})") from None
    source = f"For 'load', '{path}'"
    graph = serialize.graph_from_json(doc, arrays, source=source)
    if not isinstance(doc, dict) or "output_spec" not in doc:
        raise fail("has no 'output_spec' in its graph document")
    spec = serialize.decode_output_spec(doc["output_spec"], len(graph.outputs), source=source)
    weights = {}
    for entry, param in zip(doc["graph"]["parameters"], graph.parameters, strict=True):
        if param.kind == "weight":
            weights[entry["tensor"]] = arrays[entry["tensor"]]
    return MindIRGraph(graph, weights, spec, path)


def _header_digest(header: dict[str, Any]) -> str:
    """SHA-256 of the whole header but the digest itself: every metadata entry (the graph
    included), every tensor's dtype, shape and offsets, and the tensors' own digests."""
    meta = dict(header.get("__metadata__") or {})
    sha = meta.pop("sha256", None)
    try:
        tensor_digests = json.loads(sha)["tensors"] if isinstance(sha, str) else None
    except (ValueError, TypeError, KeyError, RecursionError):  # refused by the caller
        tensor_digests = None
    canonical = {
        "metadata": meta,
        "tensor_sha256": tensor_digests,
        "tensors": {k: v for k, v in header.items() if k != "__metadata__"},
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# ------------------------------------------------------------------------------------------------
# GraphCell
# ------------------------------------------------------------------------------------------------


class GraphCell(Cell):
    """Run a graph from :func:`load` as a Cell (MindSpore's ``nn.GraphCell``).

    :param graph: a :class:`MindIRGraph`.
    :param params_init: ``{name: Tensor or array}`` replacing some of the file's weights (same
        shape and dtype); the names are the keys of ``graph.weights``.

    Call it with the graph's inputs, which must have the shapes and dtypes exported; it returns
    Tensors arranged as the exported function returned them. The weights are the cell's
    Parameters (``get_parameters()``), so ``load_param_into_net`` can update them. Inside a
    ``jit`` function the graph is inlined into the one being compiled.

    >>> net = nn.GraphCell(ms.load("net.mindir"))
    >>> out = net(Tensor(np.ones((1, 3), np.float32)))
    """

    def __init__(self, graph: MindIRGraph, params_init: dict[str, Any] | None = None) -> None:
        super().__init__()
        if not isinstance(graph, MindIRGraph):
            raise MindTypeError(
                f"For 'GraphCell', 'graph' must be what mind.core.load returns (a MindIRGraph), "
                f"got {type(graph).__name__}"
            )
        overrides = dict(params_init or {})
        unknown = sorted(set(overrides) - set(graph.weights))
        if unknown:
            raise MindValueError(
                f"For 'GraphCell', 'params_init' names {unknown[0]!r}, which is not a weight of "
                f"graph '{graph.name}'; its weights: {list(graph.weights)[:8]}"
            )
        object.__setattr__(self, "mindir", graph)
        for name, arr in graph.weights.items():
            value = overrides.get(name, arr)
            data = value._data if isinstance(value, Tensor) else np.asarray(value)
            if data.shape != arr.shape or data.dtype != arr.dtype:
                raise MindValueError(
                    f"For 'GraphCell', 'params_init' entry {name!r} is "
                    f"{data.dtype}{list(data.shape)} but the graph's weight is "
                    f"{arr.dtype}{list(arr.shape)}"
                )
            # Weights keep their (possibly dotted) names as keys, as load_param_into_net expects.
            self._params[name] = Parameter(np.array(data, copy=True), name=name)
        object.__setattr__(self, "_executable", Executable(graph.graph))

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        # Already a graph: never re-traced in GRAPH_MODE.
        if kwargs:
            raise MindTypeError(
                f"For 'GraphCell', keyword arguments are not supported, got {sorted(kwargs)}"
            )
        return self.construct(*inputs)

    def construct(self, *inputs: Any) -> Any:
        expected = self.mindir.inputs
        if len(inputs) != len(expected):
            raise MindValueError(
                f"For 'GraphCell', graph '{self.mindir.name}' takes {len(expected)} inputs, got "
                f"{len(inputs)}"
            )
        for i, (x, aval) in enumerate(zip(inputs, expected)):
            if not isinstance(x, Tensor):
                raise MindTypeError(
                    f"For 'GraphCell', input {i} must be a Tensor, got {type(x).__name__}"
                )
            shape = tuple(x._data.shape)
            if shape != aval.shape:
                raise MindValueError(
                    f"For 'GraphCell', input {i} of graph '{self.mindir.name}' must have shape "
                    f"{aval.shape} (as exported), got {shape}; export again with an input of "
                    "this shape to run it"
                )
            got = dt._BY_NP.get(np.dtype(x._data.dtype))
            if got is not aval.dtype:
                raise MindTypeError(
                    f"For 'GraphCell', input {i} of graph '{self.mindir.name}' must be "
                    f"{aval.dtype} (as exported), got {got or x._data.dtype}; cast it first"
                )
        arrays = [x._data for x in inputs] + [p._data for p in self._params.values()]
        if is_tracing():
            outputs = interpret(self.mindir.graph, arrays)
            return _rebuild(self.mindir.output_spec, outputs)
        try:
            outputs = self._executable(*arrays)
        except MindError:
            raise
        except Exception as exc:
            # The graph was verified and the inputs checked, so only values can fail here (an
            # index out of range, in an input or in one of the file's constants).
            source = f" (from '{self.mindir.file_name}')" if self.mindir.file_name else ""
            raise MindValueError(
                f"For 'GraphCell', graph '{self.mindir.name}'{source} failed while running: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        return _rebuild(self.mindir.output_spec, outputs)
