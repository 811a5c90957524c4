"""Checkpoints: ``save_checkpoint``, ``load_checkpoint`` and ``load_param_into_net``.

MindSpore 2.x's functions and signatures, but the file is safetensors, not protobuf: nothing in it
is ever unpickled, it can be memory-mapped, and other tools (``safetensors``, PyTorch, the Hugging
Face hub) read it. The default suffix stays ``.ckpt``.

File layout: a standard safetensors file. Every tensor is stored under its name in its own
safetensors dtype (``bfloat16`` as ``BF16``). The header's ``__metadata__`` (string to string)
holds:

- ``format``: ``"mind.checkpoint"``; ``format_version``: ``"1"``.
- ``mind.tensors``: JSON object, in save order, ``{name: {"dtype": <Mind dtype name>, "shape":
  [...], "sha256": <hex digest of the tensor's bytes as stored>}}``. Loading checks it against the
  safetensors header and the bytes, so an altered or truncated file is refused.
- ``mind.optimizer``: the optimizer's class name, when ``optimizer=`` was given; its
  ``state_dict()`` entries are then tensors named ``optimizer.<key>``.
- every ``append_dict`` entry that is not an array, under its own key, JSON-encoded.

Loading validates everything before anything is trusted or written into a net, and reports every
problem as :class:`~mind.core.errors.CheckpointError` naming the file and, where one is at fault,
the tensor.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from typing import Any, NamedTuple

import numpy as np
import safetensors
import safetensors.numpy

from mind.core._src.nn.cell import Cell
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import CheckpointError, MindTypeError

__all__ = ["load_checkpoint", "load_param_into_net", "save_checkpoint"]

logger = logging.getLogger("mind.core.train")

FORMAT = "mind.checkpoint"
FORMAT_VERSION = 1
OPTIMIZER_PREFIX = "optimizer."
_SUFFIXES = (".ckpt", ".safetensors")
# Metadata keys Mind owns; every other key is an append_dict entry.
_RESERVED_KEYS = ("format", "format_version", "__metadata__")
_RESERVED_PREFIX = "mind."

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
        if isinstance(value, np.generic):
            value = value.item()
        try:
            meta[key] = json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise MindTypeError(
                f"For 'save_checkpoint', 'append_dict' entry {key!r} must be a Tensor, an array or "
                f"JSON-encodable (a number, str, bool, None, list or dict), got "
                f"{type(value).__name__}: {exc}"
            ) from None
    clash = sorted(set(tensors) & set(meta))
    if clash:
        raise CheckpointError(
            f"For 'save_checkpoint', tensor name {clash[0]!r} is also a metadata key; "
            f"'{path}' was not written"
        )

    meta[_RESERVED_PREFIX + "tensors"] = json.dumps(
        {
            name: {
                "dtype": dt.from_numpy_dtype(arr.dtype.newbyteorder("=")).name,
                "shape": list(arr.shape),
                "sha256": _sha256(arr),
            }
            for name, arr in tensors.items()
        }
    )
    payload = safetensors.numpy.save(tensors, metadata=meta)
    try:
        _write_atomic(path, payload)
    except OSError as exc:
        raise CheckpointError(f"For 'save_checkpoint', could not write '{path}': {exc}") from exc


def _with_suffix(ckpt_file_name: Any, suffix: str) -> str:
    if not isinstance(ckpt_file_name, str | os.PathLike):
        raise MindTypeError(
            f"'ckpt_file_name' must be a str or a path, got {type(ckpt_file_name).__name__}"
        )
    path = os.fspath(ckpt_file_name)
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


def _write_atomic(path: str, payload: bytes, mode: int | None = None) -> None:
    """Write ``path`` all-or-nothing: a temporary file beside it, fsync, then ``os.replace``.
    ``mode``: the file's permissions, regardless of the umask (default: as the umask says)."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # os.open with 0o666 lets the umask decide the mode, as for any new file (mkstemp gives 0600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    if mode is not None and hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    # Make the rename itself durable; not every platform can open a directory.
    with suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


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
    path = os.fspath(ckpt_file_name)
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
        where = f"'{path}'" if tensor is None else f"'{path}', tensor {tensor!r}"
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

    # safetensors checks the header length, the JSON, and that the offsets tile the file exactly;
    # any failure of a parser fed a damaged file is the file's fault, so all become ours.
    try:
        views = safetensors.deserialize(data)
        header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
        meta = header.get("__metadata__") or {}
        if not all(isinstance(v, str) for v in meta.values()):
            raise ValueError("metadata values must be strings")
    except Exception as exc:
        raise fail(f"is truncated, damaged or not a safetensors file ({exc})") from exc
    del data
    if meta.get("format") != FORMAT:
        raise fail(
            f"is a safetensors file but not a Mind checkpoint (metadata 'format' is "
            f"{meta.get('format')!r}, expected {FORMAT!r})"
        )
    version = meta.get("format_version", "")
    if version.isdigit() and int(version) > FORMAT_VERSION:
        raise fail(
            f"was written in checkpoint format version {version} by a newer Mind; this Mind "
            f"reads version {FORMAT_VERSION} (upgrade mind-core)"
        )
    if version != str(FORMAT_VERSION):
        raise fail(f"has an invalid 'format_version' {version!r}")
    try:
        records = json.loads(meta[_RESERVED_PREFIX + "tensors"])
        if not isinstance(records, dict):
            raise TypeError("not a JSON object")
    except (KeyError, TypeError, ValueError) as exc:
        raise fail(f"has a missing or damaged 'mind.tensors' metadata entry ({exc})") from None

    found = dict(views)
    for name in found:
        if name not in records:
            raise fail("is in the file but not in its 'mind.tensors' record (file altered?)", name)
    arrays: dict[str, np.ndarray] = {}
    for name, record in records.items():
        if name not in found:
            raise fail("is recorded in 'mind.tensors' but missing from the file", name)
        view = found[name]
        if not isinstance(record, dict):
            raise fail(f"has a damaged 'mind.tensors' record {record!r}", name)
        mind_dtype = record.get("dtype")
        if mind_dtype not in _ST_DTYPE:
            raise fail(f"has dtype {mind_dtype!r}, which Mind does not know", name)
        if _ST_DTYPE[mind_dtype] != view["dtype"]:
            raise fail(
                f"is stored as safetensors {view['dtype']} but recorded as Mind {mind_dtype} "
                f"(expected {_ST_DTYPE[mind_dtype]})",
                name,
            )
        np_dtype = dt._BY_NAME[mind_dtype].np
        if np_dtype is None:
            raise fail(f"has dtype {mind_dtype}, which needs the 'ml_dtypes' package", name)
        shape = tuple(view["shape"])
        if record.get("shape") != list(shape):
            raise fail(
                f"has shape {shape} in the safetensors header but {record.get('shape')} in "
                "'mind.tensors' (file altered?)",
                name,
            )
        buffer = view["data"]
        if hashlib.sha256(buffer).hexdigest() != record.get("sha256"):
            raise fail("fails its SHA-256 check: the file was altered or damaged", name)
        arr = np.frombuffer(buffer, dtype=np_dtype.newbyteorder("<")).reshape(shape)
        arrays[name] = arr if sys.byteorder == "little" else arr.astype(np_dtype)

    user_meta: dict[str, Any] = {}
    for key, value in sorted(meta.items()):  # the header's key order is arbitrary
        if key in _RESERVED_KEYS or key.startswith(_RESERVED_PREFIX):
            continue
        try:
            user_meta[key] = json.loads(value)
        except ValueError:
            raise fail(
                f"has metadata entry {key!r} that is not valid JSON: {value!r:.80}"
            ) from None
    return arrays, user_meta, meta.get(_RESERVED_PREFIX + "optimizer")


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
            raise MindTypeError(
                f"For '{func}', entry {key!r}{where and ' of' + where} matches parameter {path!r} but is a "
                f"{type(value).__name__}, not a Tensor"
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
