"""Checkpoints: ``save_checkpoint``, ``load_checkpoint`` and ``load_param_into_net``.

MindSpore 2.x's functions and signatures, but the file is safetensors, not protobuf: nothing in it
is ever unpickled, it can be memory-mapped, and other tools (``safetensors``, PyTorch, the Hugging
Face hub) read it. The default suffix stays ``.ckpt``.

File layout: a standard safetensors file. Every tensor is stored under its name in its own
safetensors dtype (``bfloat16`` as ``BF16``), 8-byte items first so that every tensor is aligned.
The header's ``__metadata__`` (string to string) holds:

- ``format``: ``"mind.checkpoint"``; ``format_version``: ``"2"``.
- ``mind.tensors``: JSON object, in save order, ``{name: {"dtype": <Mind dtype name>, "shape":
  [...], "sha256": <hex digest of the tensor's bytes as stored>}}``.
- ``mind.optimizer``: the optimizer's class name, when ``optimizer=`` was given; its
  ``state_dict()`` entries are then tensors named ``optimizer.<key>``.
- every ``append_dict`` entry that is not an array, under its own key, JSON-encoded.
- ``mind.digest``: the SHA-256 of the canonical JSON of the whole header without this entry
  (``json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True)``, UTF-8). It
  covers every name, dtype, shape, offset and metadata value, and through ``mind.tensors`` every
  tensor's bytes: a file whose header changed anywhere but in JSON whitespace is refused.

Format version 1 (Mind before the header digest) is still read, with every check but the digest.

Loading validates everything before anything is trusted or written into a net: the header is
size-capped and its nesting depth checked before it is parsed, integers are ASCII digits, names
hold no NUL or lone surrogate, dtypes are known, shapes are bounded and agree with the byte
ranges, which must tile the data exactly. Every problem is a
:class:`~mind.core.errors.CheckpointError` naming the file, the field and what was expected.

Writes are atomic (:func:`mind.core._base.atomic.write_atomic`, shared with MindIR, ONNX, the IR dumps and the native build cache): a
temporary ``.<name>.<12 hex>.tmp`` beside the file, locked with ``flock`` while it is written and
renamed over the file; the temporaries that killed writers left are removed by the next write to
the same file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from mind.core._base.atomic import write_atomic
from mind.core._src.nn.cell import Cell
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import CheckpointError, MindTypeError

__all__ = ["load_checkpoint", "load_param_into_net", "save_checkpoint"]

logger = logging.getLogger("mind.core.train")

FORMAT = "mind.checkpoint"
FORMAT_VERSION = 2
_READABLE_VERSIONS = (1, 2)
OPTIMIZER_PREFIX = "optimizer."
_SUFFIXES = (".ckpt", ".safetensors")
_TENSORS_KEY = "mind.tensors"
_OPTIMIZER_KEY = "mind.optimizer"
_DIGEST_KEY = "mind.digest"
# Metadata keys Mind owns; every other key is an append_dict entry.
_RESERVED_KEYS = ("format", "format_version", "__metadata__")
_RESERVED_PREFIX = "mind."

# Bounds a loader checks before it parses or allocates anything.
_HEADER_LIMIT = 100 * 1024 * 1024  # safetensors' own limit on the JSON header
_HEADER_DEPTH = 3  # {tensor: {"shape": [...]}}: the deepest a safetensors header nests
_META_DEPTH = 64  # the deepest an append_dict value may nest (save refuses deeper)
_MAX_NDIM = 64  # numpy's limit
_MAX_BYTES = 1 << 48  # no tensor, even an empty one, may claim more (numpy overflows near 2**63)

# Mind dtype name <-> safetensors dtype string. Every Mind dtype has a safetensors one.
_ST_DTYPE = {
    "bool": "BOOL",
    "uint8": "U8",
    "uint16": "U16",
    "uint32": "U32",
    "uint64": "U64",
    "int8": "I8",
    "int16": "I16",
    "int32": "I32",
    "int64": "I64",
    "float16": "F16",
    "bfloat16": "BF16",
    "float32": "F32",
    "float64": "F64",
}
# Item sizes by safetensors dtype: known without ml_dtypes (numpy has no bfloat16).
_ITEMSIZE = {
    "BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
    "U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "F64": 8,
}  # fmt: skip


# ------------------------------------------------------------------------------------------------
# Saving
# ------------------------------------------------------------------------------------------------


def save_checkpoint(
    save_obj: Any,
    ckpt_file_name: str | os.PathLike[str],
    integrated_save: bool = True,
    async_save: bool | str = False,
    append_dict: Mapping[str, Any] | None = None,
    enc_key: Any = None,
    enc_mode: str = "AES-GCM",
    choice_func: Callable[[str], bool] | None = None,
    *,
    optimizer: Any = None,
    **kwargs: Any,
) -> None:
    """Save parameters (and optionally optimizer state and metadata) to a checkpoint file.

    :param save_obj: a Cell (all its parameters, under their dotted names), a dict ``name ->
        Tensor / Parameter / numpy array``, or MindSpore's list of ``{"name": ..., "data": ...}``.
    :param ckpt_file_name: the file; ``.ckpt`` is appended unless it ends with ``.ckpt`` or
        ``.safetensors`` (``.safetensors`` with ``format="safetensors"``).
    :param integrated_save: accepted for compatibility; Mind has no sliced parameters to merge.
    :param async_save: accepted for compatibility; Mind always writes before returning.
    :param append_dict: extra entries. Tensors and arrays are stored as tensors; other values
        (numbers, strings, lists...) must be JSON-encodable and go into the metadata.
        ``load_checkpoint`` returns both kinds in its dict.
    :param enc_key: must be ``None``: Mind checkpoints are not encrypted.
    :param choice_func: ``choice_func(name) -> bool``; only parameters it accepts are saved.
    :param optimizer: (Mind extension) an optimizer whose ``state_dict()`` is saved under
        ``optimizer.<key>``; ``load_checkpoint(..., optimizer=opt)`` restores it.
    :raises CheckpointError: the file could not be written (the message names it), or two
        entries share a name. An existing file is replaced atomically: on any failure it is left
        as it was and no temporary file remains.

    >>> save_checkpoint(net, "model", append_dict={"epoch": 3})  # writes model.ckpt
    """
    fmt = kwargs.pop("format", "ckpt")
    if kwargs:
        raise MindTypeError(
            f"For 'save_checkpoint', unexpected keyword arguments {sorted(kwargs)}; "
            "the Mind extension is 'optimizer='"
        )
    if fmt not in ("ckpt", "safetensors"):
        raise MindTypeError(
            f"For 'save_checkpoint', 'format' must be 'ckpt' or 'safetensors', got {fmt!r}"
        )
    if enc_key is not None:
        raise CheckpointError(
            "For 'save_checkpoint', 'enc_key' is not supported: Mind checkpoints are not "
            "encrypted; encrypt the file with a dedicated tool if it must be"
        )
    if choice_func is not None and not callable(choice_func):
        raise MindTypeError(
            f"For 'save_checkpoint', 'choice_func' must be callable, got {type(choice_func).__name__}"
        )
    path = _with_suffix(ckpt_file_name, ".ckpt" if fmt == "ckpt" else ".safetensors")

    tensors: dict[str, np.ndarray] = {}

    def add(name: Any, value: Any, what: str) -> None:
        if not isinstance(name, str):
            raise MindTypeError(
                f"For 'save_checkpoint', {what} names must be str, got {type(name).__name__} ({name!r})"
            )
        if name in tensors or name == "__metadata__":
            raise CheckpointError(
                f"For 'save_checkpoint', the name {name!r} ({what}) is used twice or reserved; "
                f"'{path}' was not written"
            )
        _check_saved_name(name, what, path)
        tensors[name] = _as_array(value, name, what)

    for name, value in _entries(save_obj):
        if choice_func is None or choice_func(name):
            add(name, value, "parameter")

    meta: dict[str, str] = {"format": FORMAT, "format_version": str(FORMAT_VERSION)}
    if optimizer is not None:
        if not callable(getattr(optimizer, "state_dict", None)):
            raise MindTypeError(
                "For 'save_checkpoint', 'optimizer' must have a state_dict() method (a "
                f"mind.core.nn optimizer), got {type(optimizer).__name__}"
            )
        for key, value in optimizer.state_dict().items():
            add(OPTIMIZER_PREFIX + key, np.asarray(value), "optimizer state")
        meta[_RESERVED_PREFIX + "optimizer"] = type(optimizer).__name__

    for key, value in (append_dict or {}).items():
        if not isinstance(key, str):
            raise MindTypeError(
                f"For 'save_checkpoint', 'append_dict' keys must be str, got {type(key).__name__} ({key!r})"
            )
        if isinstance(value, Tensor | np.ndarray):
            add(key, value, "append_dict entry")
            continue
        if key in _RESERVED_KEYS or key.startswith(_RESERVED_PREFIX) or key in tensors:
            raise CheckpointError(
                f"For 'save_checkpoint', 'append_dict' key {key!r} clashes with a tensor name or "
                f"a reserved metadata key ({', '.join(_RESERVED_KEYS)}, 'mind.*'); '{path}' was "
                "not written"
            )
        _check_saved_name(key, "append_dict key", path)
        if isinstance(value, np.generic):
            value = value.item()
        try:
            meta[key] = json.dumps(value)
        except (TypeError, ValueError, RecursionError) as exc:
            raise MindTypeError(
                f"For 'save_checkpoint', 'append_dict' entry {key!r} must be a Tensor, an array or "
                f"JSON-encodable (a number, str, bool, None, list or dict), got "
                f"{type(value).__name__}: {exc}"
            ) from None
        if _json_depth(meta[key]) > _META_DEPTH:
            raise CheckpointError(
                f"For 'save_checkpoint', 'append_dict' entry {key!r} nests deeper than "
                f"{_META_DEPTH} levels, which load_checkpoint refuses; '{path}' was not written"
            )
    clash = sorted(set(tensors) & set(meta))
    if clash:
        raise CheckpointError(
            f"For 'save_checkpoint', tensor name {clash[0]!r} is also a metadata key; "
            f"'{path}' was not written"
        )

    meta[_TENSORS_KEY] = json.dumps(
        {
            name: {
                "dtype": dt.from_numpy_dtype(arr.dtype.newbyteorder("=")).name,
                "shape": list(arr.shape),
                "sha256": _sha256(arr),
            }
            for name, arr in tensors.items()
        }
    )
    chunks = _container(tensors, meta, path)
    try:
        write_atomic(path, chunks)
    except OSError as exc:
        raise CheckpointError(f"For 'save_checkpoint', could not write '{path}': {exc}") from exc


def _check_saved_name(name: str, what: str, path: str) -> None:
    """Refuse at save a name that load_checkpoint would refuse."""
    problem = _bad_text(name)
    if problem:
        raise CheckpointError(
            f"For 'save_checkpoint', the {what} {name!r:.80} {problem}; '{path}' was not written"
        )


def _bad_text(text: str) -> str | None:
    """Why ``text`` cannot be a tensor name or metadata key, or None when it can."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not valid Unicode text)"
    return None


def _canonical(header: Mapping[str, Any]) -> bytes:
    """The bytes the header digest is taken over (module docstring): independent of key order,
    whitespace and escapes, so only a change of content changes it."""
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _header_digest(header: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical header without its ``mind.digest`` entry."""
    meta = {k: v for k, v in header["__metadata__"].items() if k != _DIGEST_KEY}
    return hashlib.sha256(_canonical({**header, "__metadata__": meta})).hexdigest()


def _container(tensors: Mapping[str, np.ndarray], meta: Mapping[str, str], path: str) -> list:
    """The safetensors file as chunks (the 8-byte header length, the header, each tensor's bytes),
    so the tensors are written without being copied into one buffer first."""
    # 8-byte items first, then 4, 2, 1: with the header padded to 8 bytes every tensor is aligned.
    order = sorted(tensors, key=lambda name: -tensors[name].dtype.itemsize)
    header: dict[str, Any] = {}
    offset = 0
    for name in order:
        arr = tensors[name]
        st_dtype = _ST_DTYPE[dt.from_numpy_dtype(arr.dtype.newbyteorder("=")).name]
        header[name] = {
            "dtype": st_dtype,
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + arr.nbytes],
        }
        offset += arr.nbytes
    header["__metadata__"] = dict(meta)
    header["__metadata__"][_DIGEST_KEY] = _header_digest(header)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)  # safetensors pads with spaces
    if len(text) > _HEADER_LIMIT:
        raise CheckpointError(
            f"For 'save_checkpoint', the header (names and metadata) would be {len(text)} bytes, "
            f"over safetensors' limit of {_HEADER_LIMIT}; '{path}' was not written"
        )
    data = [tensors[name].reshape(-1).view(np.uint8).data for name in order]
    return [len(text).to_bytes(8, "little"), text, *data]


def _with_suffix(ckpt_file_name: Any, suffix: str) -> str:
    if not isinstance(ckpt_file_name, str | os.PathLike):
        raise MindTypeError(
            f"'ckpt_file_name' must be a str or a path, got {type(ckpt_file_name).__name__}"
        )
    path = os.fsdecode(os.fspath(ckpt_file_name))
    if "\x00" in path:
        raise CheckpointError(
            f"For 'save_checkpoint', 'ckpt_file_name' must be a path without NUL characters, got "
            f"{path!r:.120}"
        )
    return path if path.endswith(_SUFFIXES) else path + suffix


def _entries(save_obj: Any) -> Iterable[tuple[Any, Any]]:
    """``(name, value)`` pairs from a Cell, a dict or MindSpore's list of dicts."""
    if isinstance(save_obj, Cell):
        return list(save_obj.parameters_and_names())
    if isinstance(save_obj, Mapping):
        return list(save_obj.items())
    if isinstance(save_obj, list | tuple):
        out = []
        for i, item in enumerate(save_obj):
            if not isinstance(item, Mapping) or "name" not in item or "data" not in item:
                raise MindTypeError(
                    f"For 'save_checkpoint', 'save_obj'[{i}] must be a dict with 'name' and "
                    f"'data', got {item!r:.80}"
                )
            out.append((item["name"], item["data"]))
        return out
    raise MindTypeError(
        "For 'save_checkpoint', 'save_obj' must be a Cell, a dict of name -> Tensor, or a list "
        f"of {{'name': ..., 'data': ...}} dicts, got {type(save_obj).__name__}"
    )


def _as_array(value: Any, name: str, what: str) -> np.ndarray:
    """A C-contiguous little-endian array of a Mind dtype, as safetensors stores it."""
    if isinstance(value, Tensor):
        arr = value._data
    elif isinstance(value, np.ndarray | np.generic):
        arr = np.asarray(value)
    else:
        raise MindTypeError(
            f"For 'save_checkpoint', {what} {name!r} must be a Tensor, Parameter or numpy array, "
            f"got {type(value).__name__}"
        )
    arr = np.asarray(arr, order="C")  # not ascontiguousarray: it makes 0-D arrays 1-D
    if arr.dtype.newbyteorder("=") not in dt._BY_NP:
        raise MindTypeError(
            f"For 'save_checkpoint', {what} {name!r} has dtype {arr.dtype}, which Mind has no type "
            f"for; supported: {[d.name for d in dt.ALL]}"
        )
    # safetensors is little-endian; converting here makes the digest cover the stored bytes.
    return arr.astype(arr.dtype.newbyteorder("<"), copy=False)


def _sha256(arr: np.ndarray) -> str:
    # A uint8 view of the (contiguous) array: hashed without copying its bytes.
    return hashlib.sha256(arr.reshape(-1).view(np.uint8).data).hexdigest()


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------


def load_checkpoint(
    ckpt_file_name: str | os.PathLike[str],
    net: Cell | None = None,
    strict_load: bool = False,
    filter_prefix: str | Iterable[str] | None = None,
    dec_key: Any = None,
    dec_mode: str = "AES-GCM",
    specify_prefix: str | Iterable[str] | None = None,
    choice_func: Callable[[str], bool] | None = None,
    *,
    optimizer: Any = None,
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`, after validating all of it.

    :param ckpt_file_name: the file, suffix included.
    :param net: if given, the parameters are loaded into it with :func:`load_param_into_net`.
    :param strict_load: passed to :func:`load_param_into_net`.
    :param filter_prefix: leave out entries whose names start with this prefix (or any of these).
    :param dec_key: must be ``None``: Mind checkpoints are not encrypted.
    :param specify_prefix: keep only entries whose names start with this prefix (or any of these).
    :param choice_func: ``choice_func(name) -> bool``; keep only entries it accepts. All three
        filters apply together.
    :param optimizer: (Mind extension) restore the optimizer state saved with ``optimizer=``.
        Its state is matched to the optimizer's parameters through ``net`` when given (so a
        checkpoint of ``TrainOneStepCell`` resumes into the bare net), else by name.
    :returns: ``{name: Parameter}`` in save order, then the ``append_dict`` metadata entries
        with their Python values.
    :raises CheckpointError: the file is missing, not a regular file, truncated, not a Mind
        checkpoint, altered (a SHA-256 mismatch), holds an unknown dtype, or does not fit ``net``
        or ``optimizer``. The message names the file and, where one is at fault, the tensor.
        Nothing is written into ``net`` or ``optimizer`` unless everything fits.
    """
    if dec_key is not None:
        raise CheckpointError(
            "For 'load_checkpoint', 'dec_key' is not supported: Mind checkpoints are not encrypted"
        )
    if not isinstance(ckpt_file_name, str | os.PathLike):
        raise MindTypeError(
            f"For 'load_checkpoint', 'ckpt_file_name' must be a str or a path, got "
            f"{type(ckpt_file_name).__name__}"
        )
    path = os.fsdecode(os.fspath(ckpt_file_name))
    if "\x00" in path:
        raise CheckpointError(
            f"For 'load_checkpoint', 'ckpt_file_name' must be a path without NUL characters, got "
            f"{path!r:.120}"
        )
    if net is not None and not isinstance(net, Cell):
        raise MindTypeError(
            f"For 'load_checkpoint', 'net' must be a Cell, got {type(net).__name__}"
        )
    keep = _selector(filter_prefix, specify_prefix, choice_func)

    arrays, user_meta, optimizer_type = _read(path)
    result: dict[str, Any] = {
        name: Parameter(arr, name=name) for name, arr in arrays.items() if keep(name)
    }
    result.update((key, value) for key, value in user_meta.items() if keep(key))

    # Net and optimizer are both checked before either is written: a refused file changes nothing.
    plan = _plan_load(net, result, strict_load, path) if net is not None else None
    state = None
    if optimizer is not None:
        by_key = plan.by_key if plan is not None else {}
        state = _check_optimizer_state(path, optimizer, optimizer_type, result, arrays, by_key)
    if plan is not None:
        _apply(plan, "load_checkpoint")
    if state is not None:
        optimizer.load_state_dict(state)
    return result


def _selector(filter_prefix: Any, specify_prefix: Any, choice_func: Any) -> Callable[[str], bool]:
    def prefixes(value: Any, arg: str) -> tuple[str, ...] | None:
        if value is None:
            return None
        items = (value,) if isinstance(value, str) else tuple(value)
        for item in items:
            if not isinstance(item, str) or not item:
                raise MindTypeError(
                    f"For 'load_checkpoint', '{arg}' must be a non-empty str or a list of them, "
                    f"got {value!r}"
                )
        return items

    filters = prefixes(filter_prefix, "filter_prefix")
    specified = prefixes(specify_prefix, "specify_prefix")
    if choice_func is not None and not callable(choice_func):
        raise MindTypeError(
            f"For 'load_checkpoint', 'choice_func' must be callable, got {type(choice_func).__name__}"
        )

    def keep(name: str) -> bool:
        if specified is not None and not name.startswith(specified):
            return False
        if filters is not None and name.startswith(filters):
            return False
        return choice_func is None or bool(choice_func(name))

    return keep


def _read(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any], str | None]:
    """Validate the whole file; return its arrays, its append_dict metadata, its optimizer type."""

    def fail(problem: str, tensor: str | None = None) -> CheckpointError:
        where = f"'{path}'" if tensor is None else f"'{path}', tensor {tensor!r:.120}"
        return CheckpointError(f"For 'load_checkpoint', {where}: {problem}")

    try:
        st = os.stat(path)
    except FileNotFoundError:
        hint = ""
        if not path.endswith(_SUFFIXES) and os.path.exists(path + ".ckpt"):
            hint = f" (save_checkpoint appended '.ckpt': did you mean '{path}.ckpt'?)"
        raise fail(f"no such file{hint}") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc}") from exc
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise fail(f"is {kind}, not a checkpoint file")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise fail(f"cannot be read: {exc}") from exc

    # The container: an 8-byte header length, the JSON header, the tensors' bytes.
    if len(data) < 8:
        raise fail(
            f"is truncated or not a safetensors file: {len(data)} bytes, expected at least the "
            "8-byte header length"
        )
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise fail(
            f"is truncated or damaged: its header length field says {n} bytes but only "
            f"{len(data) - 8} follow"
        )
    if n > _HEADER_LIMIT:
        raise fail(f"has a {n}-byte header, over the limit of {_HEADER_LIMIT} bytes")
    header = _loads(data[8 : 8 + n], _HEADER_DEPTH, fail, "the safetensors header")
    if not isinstance(header, dict):
        raise fail(f"the safetensors header must be a JSON object, got {type(header).__name__}")
    meta = header.get("__metadata__")
    if meta is not None and (
        not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values())
    ):
        raise fail(f"header field '__metadata__' must be an object of strings, got {meta!r:.80}")
    if meta is None or meta.get("format") != FORMAT:
        found = None if meta is None else meta.get("format")
        raise fail(
            f"is a safetensors file but not a Mind checkpoint (metadata 'format' is {found!r:.80}, "
            f"expected {FORMAT!r})"
        )
    version = _format_version(meta.get("format_version"), fail)
    if version >= 2:
        digest = meta.get(_DIGEST_KEY)
        if digest is None:
            raise fail(
                f"has no '{_DIGEST_KEY}' metadata entry, which format version {version} requires "
                "(file altered?)"
            )
        if _header_digest(header) != digest:
            raise fail(
                f"fails its header SHA-256 check ('{_DIGEST_KEY}'): a name, dtype, shape, offset "
                "or metadata value was altered or damaged"
            )
    elif _DIGEST_KEY in meta:
        raise fail(f"is format version 1, which has no '{_DIGEST_KEY}' entry (file altered?)")

    buffer = memoryview(data)[8 + n :]
    entries = _tensor_entries(header, len(buffer), fail)
    if _TENSORS_KEY not in meta:
        raise fail(f"has no '{_TENSORS_KEY}' metadata entry (file altered?)")
    records = _loads(meta[_TENSORS_KEY], 3, fail, f"metadata entry '{_TENSORS_KEY}'")
    if not isinstance(records, dict):
        raise fail(f"metadata entry '{_TENSORS_KEY}' must be a JSON object, got {records!r:.80}")
    for name in entries:
        if name not in records:
            raise fail(
                f"is in the file but not in its '{_TENSORS_KEY}' record (file altered?)", name
            )
    arrays: dict[str, np.ndarray] = {}
    for name, record in records.items():
        if name not in entries:
            raise fail(f"is recorded in '{_TENSORS_KEY}' but missing from the file", name)
        if not isinstance(record, dict) or set(record) != {"dtype", "shape", "sha256"}:
            raise fail(
                f"its '{_TENSORS_KEY}' record must be an object with exactly 'dtype', 'shape' and "
                f"'sha256', got {record!r:.80}",
                name,
            )
        st_dtype, shape, begin, end = entries[name]
        mind_dtype = record["dtype"]
        if not isinstance(mind_dtype, str) or mind_dtype not in _ST_DTYPE:
            raise fail(
                f"'{_TENSORS_KEY}' field 'dtype' must be one of {list(_ST_DTYPE)}, got "
                f"{mind_dtype!r:.40}",
                name,
            )
        if _ST_DTYPE[mind_dtype] != st_dtype:
            raise fail(
                f"is stored as safetensors {st_dtype} but recorded as Mind {mind_dtype} "
                f"(expected {_ST_DTYPE[mind_dtype]})",
                name,
            )
        recorded = _shape(record["shape"], fail, name, f"'{_TENSORS_KEY}' field 'shape'")
        if recorded != shape:
            raise fail(
                f"has shape {shape} in the safetensors header but {recorded} in "
                f"'{_TENSORS_KEY}' (file altered?)",
                name,
            )
        np_dtype = dt._BY_NAME[mind_dtype].np
        if np_dtype is None:
            raise fail(f"has dtype {mind_dtype}, which needs the 'ml_dtypes' package", name)
        chunk = buffer[begin:end]
        if hashlib.sha256(chunk).hexdigest() != record["sha256"]:
            raise fail("fails its SHA-256 check: the file was altered or damaged", name)
        stored = np.frombuffer(chunk, dtype=np_dtype.newbyteorder("<")).reshape(shape)
        arrays[name] = stored.astype(np_dtype)  # an own, native-order copy: `data` is freed

    user_meta: dict[str, Any] = {}
    for key, value in sorted(meta.items()):  # the header's key order is arbitrary
        if key in ("format", "format_version", _TENSORS_KEY, _OPTIMIZER_KEY, _DIGEST_KEY):
            continue
        if key in _RESERVED_KEYS or key.startswith(_RESERVED_PREFIX):
            raise fail(f"has metadata key {key!r:.80}, which is reserved but unknown to this Mind")
        problem = _bad_text(key)
        if problem:
            raise fail(f"has a metadata key that {problem}: {key!r:.80}")
        if key in entries:
            raise fail(f"metadata key {key!r:.80} is also the name of a tensor (file altered?)")
        user_meta[key] = _loads(value, _META_DEPTH, fail, f"metadata entry {key!r:.80}")
    optimizer_type = meta.get(_OPTIMIZER_KEY)
    if optimizer_type is not None and not optimizer_type.isidentifier():
        raise fail(
            f"metadata entry '{_OPTIMIZER_KEY}' must be an optimizer's class name, got "
            f"{optimizer_type!r:.80}"
        )
    return arrays, user_meta, optimizer_type


def _format_version(value: Any, fail: Callable[[str], CheckpointError]) -> int:
    # isdigit() alone accepts '²' and Arabic-Indic digits, which int() then refuses or reads.
    if not (isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9):
        raise fail(
            f"metadata 'format_version' must be a version number in ASCII digits, got {value!r:.40}"
        )
    version = int(value)
    if version > FORMAT_VERSION:
        raise fail(
            f"was written in checkpoint format version {version} by a newer Mind; this Mind "
            f"reads versions up to {FORMAT_VERSION} (upgrade mind-core)"
        )
    if version not in _READABLE_VERSIONS or value != str(version):
        raise fail(
            f"has an invalid 'format_version' {value!r}; expected one of "
            f"{[str(v) for v in _READABLE_VERSIONS]}"
        )
    return version


def _tensor_entries(
    header: Mapping[str, Any], size: int, fail: Callable[..., CheckpointError]
) -> dict[str, tuple[str, tuple[int, ...], int, int]]:
    """The header's tensors, ``name -> (dtype, shape, begin, end)``, after checking each is well
    formed, its byte range fits its dtype and shape, and the ranges tile the ``size`` data bytes
    exactly (no gap, no overlap, nothing after the last)."""
    entries = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        problem = _bad_text(name)
        if problem:
            raise fail(f"the tensor name {problem}", name)
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise fail(
                "its header entry must be an object with exactly 'dtype', 'shape' and "
                f"'data_offsets', got {entry!r:.80}",
                name,
            )
        st_dtype = entry["dtype"]
        if not isinstance(st_dtype, str) or st_dtype not in _ITEMSIZE:
            raise fail(
                f"header field 'dtype' must be one of {list(_ITEMSIZE)}, got {st_dtype!r:.40}",
                name,
            )
        shape = _shape(entry["shape"], fail, name, "header field 'shape'")
        nonzero = _ITEMSIZE[st_dtype]
        for d in shape:
            nonzero *= d or 1
        if nonzero > _MAX_BYTES:
            raise fail(
                f"header field 'shape' {list(shape)} of {st_dtype} would take over 2**48 bytes",
                name,
            )
        nbytes = 0 if 0 in shape else nonzero
        offsets = entry["data_offsets"]
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(type(x) is int for x in offsets)
            and 0 <= offsets[0] <= offsets[1]
        ):
            raise fail(
                "header field 'data_offsets' must be two integers [begin, end] with "
                f"0 <= begin <= end, got {offsets!r:.80}",
                name,
            )
        begin, end = offsets
        if end > size:
            raise fail(
                f"is truncated or damaged: header field 'data_offsets' {offsets} ends past the "
                f"{size} bytes of data",
                name,
            )
        if end - begin != nbytes:
            raise fail(
                f"header field 'data_offsets' {offsets} spans {end - begin} bytes, but dtype "
                f"{st_dtype} and shape {list(shape)} take {nbytes}",
                name,
            )
        entries[name] = (st_dtype, shape, begin, end)
    expected = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda item: item[1][2:]):
        if begin != expected:
            raise fail(
                f"header field 'data_offsets' starts at {begin}, expected {expected}: the "
                "tensors' byte ranges must tile the data with no gap or overlap",
                name,
            )
        expected = end
    if expected != size:
        raise fail(
            f"is damaged: its tensors' byte ranges end at {expected} but the data is {size} "
            "bytes long"
        )
    return entries


def _shape(value: Any, fail: Callable[..., CheckpointError], name: str, field: str) -> tuple:
    if not (
        isinstance(value, list)
        and len(value) <= _MAX_NDIM
        and all(type(d) is int and 0 <= d <= _MAX_BYTES for d in value)
    ):
        raise fail(
            f"{field} must be a list of at most {_MAX_NDIM} integers in [0, 2**48], got "
            f"{value!r:.80}",
            name,
        )
    return tuple(value)


# Strings, skipped when counting how deep a JSON text nests: brackets in them do not count.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_DEPTH_STEP = np.zeros(256, np.int8)
_DEPTH_STEP[[ord("["), ord("{")]] = 1
_DEPTH_STEP[[ord("]"), ord("}")]] = -1


def _json_depth(text: str) -> int:
    """How deep the arrays and objects of the JSON ``text`` nest, found without parsing it, so a
    parser is never given more nesting than it is meant to take. (Malformed text may count deeper
    than it is; it is refused either way.)"""
    skeleton = _JSON_STRING.sub("", text).encode("ascii", "replace")
    steps = _DEPTH_STEP[np.frombuffer(skeleton, np.uint8)].astype(np.int64)
    return int(np.cumsum(steps).max(initial=0))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {key!r:.80}")
    return out


def _loads(
    text: str | bytes, max_depth: int, fail: Callable[..., CheckpointError], what: str
) -> Any:
    """``json.loads`` of a field of the file, after checking it is UTF-8 and nests at most
    ``max_depth`` deep; duplicate keys are refused (json would keep the last one silently)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"{what} must be UTF-8 JSON, but byte {exc.start} is not UTF-8") from None
    depth = _json_depth(text)
    if depth > max_depth:
        raise fail(f"{what} nests {depth} levels deep; expected at most {max_depth}")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except ValueError as exc:  # JSONDecodeError, a duplicate key, an int over 4300 digits
        raise fail(f"{what} is not valid JSON ({exc})") from None


def _check_optimizer_state(
    path: str,
    optimizer: Any,
    optimizer_type: str | None,
    selected: Mapping[str, Any],
    arrays: Mapping[str, np.ndarray],
    by_key: Mapping[str, Parameter],
) -> dict[str, np.ndarray]:
    """The optimizer's ``load_state_dict`` input, after checking it fits ``optimizer``.

    State is keyed ``<slot>.<parameter name>`` with the names at save time. A name the net load
    matched to a parameter (``by_key``) finds it even when the optimizer now calls it otherwise
    (a checkpoint of ``TrainOneStepCell`` loaded into the bare net); otherwise by name.
    """
    if not callable(getattr(optimizer, "load_state_dict", None)):
        raise MindTypeError(
            "For 'load_checkpoint', 'optimizer' must have a load_state_dict() method (a "
            f"mind.core.nn optimizer), got {type(optimizer).__name__}"
        )
    where = f"For 'load_checkpoint', '{path}'"
    if optimizer_type is None:
        raise CheckpointError(f"{where} holds no optimizer state (it was saved without optimizer=)")
    if optimizer_type != type(optimizer).__name__:
        raise CheckpointError(
            f"{where} holds {optimizer_type} state, which cannot be loaded into a "
            f"{type(optimizer).__name__}"
        )
    state = {
        name[len(OPTIMIZER_PREFIX) :]: arrays[name]
        for name in selected
        if name.startswith(OPTIMIZER_PREFIX) and name in arrays
    }
    if not state:
        raise CheckpointError(
            f"{where}: its optimizer state was all left out by filter_prefix, specify_prefix or "
            "choice_func"
        )
    own = list(getattr(optimizer, "parameters", ()))
    by_name = {p.name: p for p in own}
    ids = {id(p) for p in own}
    out: dict[str, np.ndarray] = {}
    for key, arr in state.items():
        tensor = OPTIMIZER_PREFIX + key
        if key == "global_step":
            if arr.ndim != 0 or not dt._BY_NP[arr.dtype.newbyteorder("=")].is_integer:
                raise CheckpointError(
                    f"{where}, tensor {tensor!r}: must be a 0-D integer, got shape {arr.shape} "
                    f"dtype {arr.dtype}"
                )
            out[key] = arr
            continue
        slot, _, name = key.partition(".")
        param = by_key.get(name)
        if param is None or id(param) not in ids:
            param = by_name.get(name)
        if param is None:
            raise CheckpointError(
                f"{where}, tensor {tensor!r}: the optimizer has no parameter {name!r} (its "
                f"parameters: {sorted(by_name)[:8]}); build the optimizer on the net the "
                "checkpoint is loaded into, and pass that net as net="
            )
        if arr.shape != param.shape:
            raise CheckpointError(
                f"{where}, tensor {tensor!r}: shape {arr.shape} in the checkpoint but the "
                f"parameter {param.name!r} has shape {param.shape}"
            )
        out[f"{slot}.{param.name}"] = arr
    return out


def load_param_into_net(
    net: Cell, parameter_dict: Mapping[str, Any], strict_load: bool = False
) -> tuple[list[str], list[str]]:
    """Copy ``parameter_dict``'s values into ``net``'s parameters, matched by name.

    A net parameter is matched by its dotted path (``"0.weight"``), else by its ``.name``.
    With ``strict_load=False`` an entry whose name is a net parameter's name with a prefix added
    (a checkpoint of ``TrainOneStepCell`` loaded into the bare net) is matched too, and a dtype
    difference within floats or within integers is cast; with ``strict_load=True`` a dtype
    difference raises.

    :returns: ``(param_not_load, ckpt_not_load)``: the net's parameters that got no value, and
        the dict's entries that were not used.
    :raises CheckpointError: a shape differs (the message names the parameter and both shapes),
        or a dtype cannot be cast. Nothing is written unless every matched entry fits.
    """
    plan = _plan_load(net, parameter_dict, strict_load, None)
    _apply(plan, "load_param_into_net")
    return plan.param_not_load, plan.ckpt_not_load


class _Plan(NamedTuple):
    """What loading a dict into a net will do, all checked, nothing written yet."""

    updates: list[tuple[Parameter, np.ndarray]]
    by_key: dict[str, Parameter]  # dict key -> the net parameter it loads into
    param_not_load: list[str]
    ckpt_not_load: list[str]


def _plan_load(
    net: Cell, parameter_dict: Mapping[str, Any], strict_load: bool, source: str | None
) -> _Plan:
    func = "load_checkpoint" if source is not None else "load_param_into_net"
    if not isinstance(net, Cell):
        raise MindTypeError(f"For '{func}', 'net' must be a Cell, got {type(net).__name__}")
    if not isinstance(parameter_dict, Mapping):
        raise MindTypeError(
            f"For '{func}', 'parameter_dict' must be a dict, got {type(parameter_dict).__name__}"
        )
    unused = dict.fromkeys(parameter_dict)  # an ordered set
    matched: list[tuple[str, Parameter, str]] = []
    pending: list[tuple[str, Parameter]] = []
    for path, param in net.parameters_and_names():
        key = path if path in unused else param.name if param.name in unused else None
        if key is None:
            pending.append((path, param))
        else:
            matched.append((path, param, key))
            del unused[key]

    # MindSpore's fallback: the checkpoint's names carry a prefix the net's lack.
    while pending and not strict_load:
        prefix = next(
            (
                key[: -len(path)]
                for path, _ in pending
                for key in unused
                if key.endswith("." + path)
            ),
            None,
        )
        if prefix is None:
            break
        still = []
        for path, param in pending:
            if prefix + path in unused:
                matched.append((path, param, prefix + path))
                del unused[prefix + path]
            else:
                still.append((path, param))
        pending = still

    where = f" '{source}'" if source is not None else ""
    updates = []
    for path, param, key in matched:
        value = parameter_dict[key]
        if isinstance(value, Tensor):
            arr = value._data
        elif isinstance(value, np.ndarray):
            arr = value
        else:
            # From a file, it is the file's metadata entry that is in the way: the file's fault.
            error = CheckpointError if source is not None else MindTypeError
            raise error(
                f"For '{func}', entry {key!r}{where and ' of' + where} matches parameter {path!r} "
                f"but is a {type(value).__name__}, not a Tensor"
            )
        entry = repr(path) if key == path else f"{path!r} (entry {key!r})"
        if arr.shape != param.shape:
            raise CheckpointError(
                f"For '{func}', parameter {entry} has shape {arr.shape} in the checkpoint{where} "
                f"but {param.shape} in the net"
            )
        src, dst = dt.from_numpy_dtype(arr.dtype.newbyteorder("=")), param.dtype
        if src is not dst:
            castable = (src.kind == dst.kind == "f") or (src.is_integer and dst.is_integer)
            if strict_load or not castable:
                why = (
                    "strict_load=True"
                    if strict_load
                    else "only float<->float and int<->int are cast"
                )
                raise CheckpointError(
                    f"For '{func}', parameter {entry} is {src.name} in the checkpoint{where} but "
                    f"{dst.name} in the net ({why})"
                )
            arr = arr.astype(dst.np)
        updates.append((param, arr))
    return _Plan(
        updates,
        {key: param for _, param, key in matched},
        [path for path, _ in pending],
        list(unused),
    )


def _apply(plan: _Plan, func: str) -> None:
    for param, arr in plan.updates:
        param.assign_value(arr)
    if plan.param_not_load:
        logger.warning(
            "For '%s', %d parameters of the net were not loaded: %s",
            func,
            len(plan.param_not_load),
            plan.param_not_load,
        )
