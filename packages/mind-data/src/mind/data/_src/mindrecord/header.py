"""The header of a MindRecord dataset: ``{name}.meta.json``, written last, read first.

The header is the dataset's single source of truth and its commit point: the schema, the
description, the index fields, and the shard table (file, rows, first global row, byte size,
SHA-256). Shard files are found through it, never by listing the directory, so temporary files,
shards of an unfinished write or shards of a replaced dataset beside it are never read. Every
shard's Arrow schema carries the header's ``dataset_id``, so a shard left over from another
write of the same name is caught when the reader opens it, without hashing.

:func:`read_header` checks everything that can be checked without opening a shard and raises
:class:`~mind.data.errors.MindRecordFormatError` naming the header file for anything wrong.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

from mind.data._src.mindrecord import files
from mind.data._src.mindrecord.schema import DOCS, FieldSpec, ValueProblem, parse_schema
from mind.data.errors import MindRecordFormatError

__all__ = [
    "FORMAT",
    "VERSION",
    "Header",
    "ShardEntry",
    "header_json",
    "read_header",
    "resolve_header",
    "shard_metadata",
]

FORMAT = "mind.mindrecord"
# Bump when a reader of the previous version could misread a file of the new one.
# 2: shards are named per write (``name.<id12>.<k>.arrow``) instead of ``name`` / ``name<k>``.
# Version 1 files differ only in their shard names, so they are still read.
VERSION = 2
# A header holds a schema and one line per shard; anything near this size is not a header.
_MAX_HEADER_BYTES = 64 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ShardEntry:
    """One line of the shard table."""

    file: str  # the shard's file name, relative to the header's directory
    path: str  # the file's full path
    rows: int
    row_start: int  # the global index of the shard's first row
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Header:
    path: str
    version: int
    dataset_id: str
    fields: tuple[FieldSpec, ...]
    description: str | None
    index_fields: tuple[str, ...]
    shards: tuple[ShardEntry, ...]
    num_rows: int

    @property
    def schema(self) -> dict[str, dict[str, Any]]:
        return {f.name: f.to_json() for f in self.fields}


def shard_metadata(dataset_id: str, index: int, version: int = VERSION) -> dict[str, str]:
    """The Arrow schema metadata of shard ``index``: what ties the file to its header."""
    return {
        "mindrecord.format": FORMAT,
        "mindrecord.version": str(version),
        "mindrecord.dataset_id": dataset_id,
        "mindrecord.shard_index": str(index),
    }


def header_json(
    *,
    dataset_id: str,
    fields: tuple[FieldSpec, ...],
    description: str | None,
    index_fields: tuple[str, ...],
    shards: list[dict[str, Any]],
    page_rows: int,
) -> bytes:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "dataset_id": dataset_id,
        "schema": {f.name: f.to_json() for f in fields},
        "description": description,
        "index_fields": list(index_fields),
        # Rows go to shards in contiguous blocks: shard k holds global rows
        # [row_start, row_start + rows), and the shards in order hold the rows in write order.
        "distribution": "contiguous",
        "page_rows": page_rows,
        "num_rows": sum(s["rows"] for s in shards),
        "shards": shards,
    }
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def resolve_header(file_name: str) -> str:
    """The header path of the dataset ``file_name`` names: the dataset, its header or a shard.

    ``train.mindrecord`` finds ``train.mindrecord.meta.json``, and so does that header's own
    path; so does ``train.mindrecord.<id12>.0.arrow`` when that is a shard the header lists (as
    MindSpore readers accept any shard's name), and a version 1 shard name such as
    ``train.mindrecord2``. Anything else gives the path a header would have, for the caller to
    report as missing.
    """
    direct = files.header_path(file_name)
    if os.path.exists(direct):
        return direct
    if file_name.endswith(files.HEADER_SUFFIX) and os.path.isfile(file_name):
        return file_name
    names = [files.dataset_of_shard(file_name)]
    match = re.match(r"^(.*?)(\d+)$", file_name)  # version 1: ``name<k>``
    if match:
        names.append(match.group(1))
    for name in names:
        if not name or not os.path.exists(files.header_path(name)):
            continue
        candidate = files.header_path(name)
        try:
            listed = [s.path for s in read_header(candidate).shards]
        except MindRecordFormatError:
            return candidate  # let the caller report the damaged header it belongs to
        if os.path.abspath(file_name) in {os.path.abspath(p) for p in listed}:
            return candidate
    return direct


def _fail(path: str, what: str) -> MindRecordFormatError:
    return MindRecordFormatError(f"MindRecord header {path}: {what}" + DOCS)


def _get(doc: dict[str, Any], key: str, kind: type | tuple[type, ...], path: str, where: str = ""):
    if key not in doc:
        raise _fail(path, f"{where}missing key {key!r}")
    value = doc[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _fail(path, f"{where}{key!r} must be {names}, got {type(value).__name__}")
    return value


def read_header(path: str) -> Header:
    """Read and check a header; any problem raises MindRecordFormatError naming ``path``."""
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise MindRecordFormatError(
            f"No MindRecord dataset at {path[: -len(files.HEADER_SUFFIX)]}: its header {path} "
            "does not exist (a dataset is visible only after FileWriter.commit())" + DOCS
        ) from None
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    if size > _MAX_HEADER_BYTES:
        raise _fail(path, f"is {size} bytes, more than any header ({_MAX_HEADER_BYTES})")
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_HEADER_BYTES + 1)
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(path, f"is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail(path, f'is not a MindRecord header (no "format": {FORMAT!r})')
    version = _get(doc, "version", int, path)
    if version > VERSION:
        raise _fail(
            path,
            f"has format version {version}, newer than this mind-data reads (up to {VERSION}); "
            "upgrade mind-data",
        )
    if version < 1:  # 1 and 2 read alike: they differ only in how shards are named
        raise _fail(path, f"has format version {version}; versions start at 1")

    try:
        fields = parse_schema(_get(doc, "schema", dict, path))
    except ValueProblem as exc:
        raise _fail(path, f"bad schema: {exc}") from None
    by_name = {f.name: f for f in fields}
    description = doc.get("description")
    if description is not None and not isinstance(description, str):
        raise _fail(path, f"'description' must be a str or null, got {type(description).__name__}")
    index_fields = _get(doc, "index_fields", list, path)
    for name in index_fields:
        if not isinstance(name, str) or name not in by_name or not by_name[name].indexable:
            raise _fail(path, f"index field {name!r} is not a scalar field of the schema")

    dataset_id = _get(doc, "dataset_id", str, path)
    directory = os.path.dirname(path)
    shards = []
    row_start = 0
    for i, entry in enumerate(_get(doc, "shards", list, path)):
        where = f"shard {i}: "
        if not isinstance(entry, dict):
            raise _fail(path, f"{where}must be an object, got {type(entry).__name__}")
        name = _get(entry, "file", str, path, where)
        # A plain file name beside the header, never a path that leaves the directory.
        if not name or name in (".", "..") or os.path.basename(name) != name or "/" in name:
            raise _fail(path, f"{where}file {name!r} must be a plain file name")
        rows = _get(entry, "rows", int, path, where)
        nbytes = _get(entry, "bytes", int, path, where)
        digest = _get(entry, "sha256", str, path, where)
        start = _get(entry, "row_start", int, path, where)
        if rows < 0 or nbytes < 0:
            raise _fail(path, f"{where}negative rows or bytes")
        if start != row_start:
            raise _fail(path, f"{where}row_start is {start}, expected {row_start}")
        if not _SHA256.match(digest):
            raise _fail(path, f"{where}sha256 {digest!r} is not 64 lowercase hex digits")
        shards.append(ShardEntry(name, os.path.join(directory, name), rows, start, nbytes, digest))
        row_start += rows
    if not shards:
        raise _fail(path, "the shard table is empty")
    if len({s.file for s in shards}) != len(shards):
        raise _fail(path, "the shard table lists a file twice")
    num_rows = _get(doc, "num_rows", int, path)
    if num_rows != row_start:
        raise _fail(path, f"num_rows is {num_rows} but the shards hold {row_start} rows")
    return Header(
        path=path,
        version=version,
        dataset_id=dataset_id,
        fields=fields,
        description=description,
        index_fields=tuple(index_fields),
        shards=tuple(shards),
        num_rows=num_rows,
    )
