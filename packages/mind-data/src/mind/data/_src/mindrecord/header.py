"""The header of a MindRecord dataset: ``{name}.meta.json``, written last, read first.

The header is the dataset's single source of truth and its commit point: the schema, the
description, the index fields, and the shard table (file, rows, first global row, byte size,
a digest of the file (SHA-256 up to version 3, XXH3-128 from version 4), and from version 3 each
page's row count and XXH3-64). Shard files are found through it,
never by listing the directory, so temporary files, shards of an unfinished write or shards of a
replaced dataset beside it are never read. Every shard's Arrow schema carries the header's
``dataset_id``, so a shard left over from another write of the same name is caught when the
reader opens it, without hashing.

From version 3 the header carries ``header_sha256``, the SHA-256 of its own content (the JSON
re-serialized canonically without that key), so an edited header is refused, and the page table
lets a reader check each page's XXH3-64 digest the first time it reads it (:func:`page_checksum`).

Version 4 records each shard's XXH3-128 instead of its SHA-256: the shard digest guards against
damage (a torn copy, a flipped bit, a file swapped for another), which a 128-bit non-cryptographic
hash detects all but 2^-128 of the time, at a tenth of SHA-256's cost (hashing was a third of a
write). A cryptographic digest would add nothing against tampering either: whoever can replace a
shard can replace the header that records its digest, and ``header_sha256`` has the same limit.

:func:`read_header` checks everything that can be checked without opening a shard and raises
:class:`~mind.data.errors.MindRecordFormatError` naming the header file for anything wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import xxhash

from mind.data._src.mindrecord import files
from mind.data._src.mindrecord.schema import DOCS, FieldSpec, ValueProblem, _repr, parse_schema
from mind.data.errors import MindRecordFormatError

__all__ = [
    "FORMAT",
    "VERSION",
    "Header",
    "ShardEntry",
    "header_json",
    "is_made_shard",
    "page_checksum",
    "read_header",
    "resolve_header",
    "shard_digest_name",
    "shard_metadata",
]

FORMAT = "mind.mindrecord"
# Bump when a reader of the previous version could misread a file of the new one.
# 2: shards are named per write (``name.<id12>.<k>.arrow``) instead of ``name`` / ``name<k>``.
# Version 1 files differ only in their shard names, so they are still read.
# 3: the header carries ``header_sha256`` and each shard's page table (rows and XXH3-64 of each
# page). Versions 1 and 2 are still read, without those checks.
# 4: each shard's digest is XXH3-128 (``xxh3_128``, 32 hex digits) instead of SHA-256
# (``sha256``). Versions 1 to 3 are still read, with their SHA-256s.
VERSION = 4
# A header holds a schema and one line per shard; anything near this size is not a header.
_MAX_HEADER_BYTES = 64 << 20
_MAX_DEPTH = 16  # our headers nest 4 deep; a deeper document is not one of ours
_MAX_COUNT = 1 << 62  # rows, bytes: far beyond any real dataset, and safe for int64
MAX_SHARDS = 1000  # MindSpore's limit, and the writer's
_SHA256 = re.compile(r"^[0-9a-f]{64}\Z")
_HEX = re.compile(r"^[0-9a-f]+\Z")
# The shard digest's key in the header and its width in hex digits.
_SHARD_DIGEST = {"sha256": 64, "xxh3_128": 32}
_DATASET_ID = re.compile(r"^[0-9a-f]{12,64}\Z")


@dataclass(frozen=True)
class ShardEntry:
    """One line of the shard table."""

    file: str  # the shard's file name, relative to the header's directory
    path: str  # the file's full path
    rows: int
    row_start: int  # the global index of the shard's first row
    bytes: int
    digest: str  # the file's digest, of the hash ``digest_name`` (a key of files.DIGESTS)
    # (rows, xxh3_64) of each page, in order; None for a version 1 or 2 header, which has none.
    pages: tuple[tuple[int, int], ...] | None = None
    digest_name: str = "xxh3_128"


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
    doc["header_sha256"] = header_digest(doc)
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def header_digest(doc: dict[str, Any]) -> str:
    """The SHA-256 of a header's content: its JSON without ``header_sha256``, serialized
    canonically (sorted keys, no spaces, ASCII), so it does not depend on the layout."""
    body = {k: v for k, v in doc.items() if k != "header_sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


_NODE = struct.Struct("<qqq")
_SIZE = struct.Struct("<q")
_NO_BUFFER = b"\xff" * 8


def page_checksum(batch: pa.RecordBatch) -> int:
    """XXH3-64 of one page as read back from its shard: every buffer of every column, and the
    lengths, offsets and null counts that say how to read them.

    The writer computes it from the sealed shard file and the reader on the page it mapped, so
    both see the same buffers; any change to a page's data or to its layout metadata changes it.
    XXH3 rather than zlib's CRC-32: it runs at memory speed (about 2.6 ms for 78 MB here against
    12 ms), so checking every page costs a scan almost nothing.
    """
    digest = xxhash.xxh3_64(_SIZE.pack(batch.num_rows))
    for column in batch.columns:
        _array_digest(column, digest)
    return digest.intdigest()


def _array_digest(arr: pa.Array, digest: Any) -> None:
    digest.update(_NODE.pack(len(arr), arr.offset, arr.null_count))
    for buf in arr.buffers():
        if buf is None:
            digest.update(_NO_BUFFER)
        else:
            digest.update(_SIZE.pack(buf.size))
            digest.update(buf)
    if isinstance(arr, (pa.ListArray, pa.LargeListArray, pa.FixedSizeListArray)):
        values = arr.values  # the child's own length and nulls, beyond its buffers
        digest.update(_NODE.pack(len(values), values.offset, values.null_count))


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


def is_made_shard(path: str) -> bool:
    """Whether the stray ``path`` is a shard some writer of its name made: a regular file whose
    Arrow schema carries MindRecord's metadata with a dataset id its name was made from."""
    tag = os.path.basename(path).rsplit(".", 3)[-3] if path.count(".") >= 3 else ""
    try:
        fd, _ = files.open_regular(path)
    except (OSError, ValueError):
        return False
    try:
        with os.fdopen(fd, "rb") as f:
            meta = pa.ipc.open_file(f).schema.metadata or {}
    except (pa.ArrowException, OSError, ValueError):
        return False
    found = meta.get(b"mindrecord.dataset_id", b"").decode("ascii", "replace")
    return meta.get(b"mindrecord.format") == FORMAT.encode() and found[:12] == tag


def _too_deep(doc: Any) -> bool:
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        items = value.values() if isinstance(value, dict) else value
        if depth > _MAX_DEPTH:
            return True
        stack.extend((v, depth + 1) for v in items if isinstance(v, (dict, list)))
    return False


def _read_bytes(path: str) -> bytes:
    """The header's bytes: a regular file (never a FIFO waited on), at most the size limit."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise MindRecordFormatError(
            f"No MindRecord dataset at {path[: -len(files.HEADER_SUFFIX)]}: its header {path} "
            "does not exist (a dataset is visible only after FileWriter.commit())" + DOCS
        ) from None
    except (OSError, ValueError) as exc:
        raise _fail(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _fail(path, "is not a regular file")
        if info.st_size > _MAX_HEADER_BYTES:
            raise _fail(
                path, f"is {info.st_size} bytes, more than any header ({_MAX_HEADER_BYTES})"
            )
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > _MAX_HEADER_BYTES:
                raise _fail(path, f"is more than {_MAX_HEADER_BYTES} bytes, more than any header")
        return b"".join(chunks)
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _count(entry: dict[str, Any], key: str, path: str, where: str, low: int = 0) -> int:
    value = _get(entry, key, int, path, where)
    if not low <= value <= _MAX_COUNT:
        raise _fail(path, f"{where}{key!r} is {_repr.repr(value)}, expected {low} .. 2**62")
    return value


def _pages(entry: dict[str, Any], rows: int, path: str, where: str) -> tuple[tuple[int, int], ...]:
    table = _get(entry, "pages", list, path, where)
    out = []
    for k, page in enumerate(table):
        if (
            not isinstance(page, list)
            or len(page) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in page)
            or not 0 <= page[0] <= _MAX_COUNT
            or not 0 <= page[1] < 1 << 64
        ):
            raise _fail(
                path, f"{where}page {k} must be [rows, xxh3_64] (two ints), got {_repr.repr(page)}"
            )
        out.append((page[0], page[1]))
    if sum(r for r, _ in out) != rows:
        raise _fail(path, f"{where}its pages hold {sum(r for r, _ in out)} rows, not {rows}")
    return tuple(out)


def shard_digest_name(version: int) -> str:
    """The key (and hash) of a shard's digest in a header of format ``version``."""
    return "sha256" if version < 4 else "xxh3_128"


def read_header(path: str) -> Header:
    """Read and check a header; any problem raises MindRecordFormatError naming ``path``."""
    raw = _read_bytes(path)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(path, f"is not valid JSON ({_repr.repr(str(exc))})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _fail(path, f'is not a MindRecord header (no "format": {FORMAT!r})')
    if _too_deep(doc):
        raise _fail(path, f"nests deeper than {_MAX_DEPTH} levels; no header does")
    version = _get(doc, "version", int, path)
    if version > VERSION:
        raise _fail(
            path,
            f"has format version {_repr.repr(version)}, newer than this mind-data reads (up to "
            f"{VERSION}); upgrade mind-data",
        )
    if version < 1:  # 1 and 2 read alike: they differ only in how shards are named
        raise _fail(path, f"has format version {_repr.repr(version)}; versions start at 1")

    try:
        fields = parse_schema(_get(doc, "schema", dict, path))
    except ValueProblem as exc:
        raise _fail(path, f"bad schema: {exc}") from None
    by_name = {f.name: f for f in fields}
    description = doc.get("description")
    if description is not None and not isinstance(description, str):
        raise _fail(path, f"'description' must be a str or null, got {type(description).__name__}")
    if description is not None:
        try:
            description.encode("utf-8")
        except UnicodeEncodeError:
            raise _fail(path, "'description' is not valid UTF-8 (a lone surrogate)") from None
    index_fields = _get(doc, "index_fields", list, path)
    for name in index_fields:
        if not isinstance(name, str) or name not in by_name or not by_name[name].indexable:
            raise _fail(path, f"index field {_repr.repr(name)} is not a scalar field of the schema")
    if len(set(index_fields)) != len(index_fields):
        raise _fail(path, "'index_fields' lists a field twice")

    dataset_id = _get(doc, "dataset_id", str, path)
    if not _DATASET_ID.match(dataset_id):
        raise _fail(
            path, f"'dataset_id' {_repr.repr(dataset_id)} must be 12 to 64 lowercase hex digits"
        )
    directory = os.path.dirname(path)
    shards = []
    row_start = 0
    table = _get(doc, "shards", list, path)
    if len(table) > MAX_SHARDS:
        raise _fail(path, f"lists {len(table)} shards, more than {MAX_SHARDS}")
    for i, entry in enumerate(table):
        where = f"shard {i}: "
        if not isinstance(entry, dict):
            raise _fail(path, f"{where}must be an object, got {type(entry).__name__}")
        name = _get(entry, "file", str, path, where)
        # A plain file name beside the header, never a path that leaves the directory.
        problem = files.bad_file_name(name)
        if problem:
            raise _fail(path, f"{where}file {_repr.repr(name)} {problem}")
        rows = _count(entry, "rows", path, where)
        nbytes = _count(entry, "bytes", path, where)
        kind = shard_digest_name(version)
        digest = _get(entry, kind, str, path, where)
        start = _count(entry, "row_start", path, where)
        if start != row_start:
            raise _fail(path, f"{where}row_start is {start}, expected {row_start}")
        width = _SHARD_DIGEST[kind]
        if len(digest) != width or not _HEX.match(digest):
            raise _fail(
                path, f"{where}{kind} {_repr.repr(digest)} is not {width} lowercase hex digits"
            )
        pages = _pages(entry, rows, path, where) if version >= 3 else None
        shards.append(
            ShardEntry(
                name, os.path.join(directory, name), rows, start, nbytes, digest, pages, kind
            )
        )
        row_start += rows
    if not shards:
        raise _fail(path, "the shard table is empty")
    if len({s.file for s in shards}) != len(shards):
        raise _fail(path, "the shard table lists a file twice")
    num_rows = _count(doc, "num_rows", path, "")
    if num_rows != row_start:
        raise _fail(path, f"num_rows is {num_rows} but the shards hold {row_start} rows")
    # Last, so that a hand-edited header gets the specific message above first.
    recorded = doc.get("header_sha256")
    if recorded is not None or version >= 3:
        if not isinstance(recorded, str) or not _SHA256.match(recorded):
            raise _fail(path, "'header_sha256' is missing or not 64 lowercase hex digits")
        try:
            actual = header_digest(doc)
        except (ValueError, RecursionError) as exc:  # pragma: no cover - depth is bounded
            raise _fail(path, f"cannot be hashed ({exc})") from None
        if actual != recorded:
            raise _fail(
                path,
                f"has SHA-256 {actual} but records {recorded}: the header was edited or damaged "
                "after it was written",
            )
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
