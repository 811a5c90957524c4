"""``ShardReader``: random access to a MindRecord dataset through memory-mapped Arrow shards.

Opening reads the header, checks that every shard exists with the byte size the header records
*before* mapping it, then maps it and checks its Arrow schema (the columns, and the dataset id
that ties it to this header) and its row count. Page contents are validated by Arrow the first
time a page is read, so a damaged offset raises an error rather than reading out of bounds.
Only :func:`verify` hashes whole files.

A reader opens exactly the shard files its header lists. If a commit replaces the dataset while
the reader opens it (and removes the shards of the old header it had read), the reader reads the
new header and starts over.
"""

from __future__ import annotations

import bisect
import errno
import mmap
import os
from collections.abc import Iterator, Sequence
from contextlib import suppress
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.mindrecord import files
from mind.data._src.mindrecord.header import (
    Header,
    ShardEntry,
    is_made_shard,
    page_checksum,
    read_header,
    resolve_header,
    shard_metadata,
)
from mind.data._src.mindrecord.schema import (
    DOCS,
    FieldSpec,
    ValueProblem,
    _shape_text,
    _show,
    arrow_schema,
)
from mind.data.errors import MindRecordFormatError

__all__ = ["ShardReader", "verify"]


class _Shard:
    """One mapped shard: its pages (record batches) and where each starts within the shard."""

    def __init__(self, entry: ShardEntry, index: int, header: Header, verify: bool = True) -> None:
        self.entry = entry
        self.verify = verify
        path = entry.path
        self.map = None
        self.pages = []
        try:
            fd, info = files.open_regular(path)
        except FileNotFoundError:
            raise _fail(path, f"is missing (listed as shard {index} in {header.path})") from None
        except (OSError, ValueError) as exc:
            what = getattr(exc, "strerror", None) or exc
            if getattr(exc, "errno", None) == errno.ELOOP:
                what = "it is a symlink; a shard must be a regular file beside its header"
            elif getattr(exc, "errno", None) == errno.EINVAL:
                what = "it is not a regular file"
            raise _fail(path, f"cannot be read ({what})") from None
        try:
            size = info.st_size
            if size != entry.bytes:
                raise _fail(
                    path,
                    f"is {size} bytes but {header.path} records {entry.bytes}: the file is "
                    f"{'truncated' if size < entry.bytes else 'longer than written'} or was "
                    "replaced",
                )
            try:
                # Mapped from the descriptor that was checked, never reopened by name.
                self.map = mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if size else None
            except (OSError, ValueError) as exc:
                raise _fail(path, f"cannot be mapped ({exc})") from None
        finally:
            os.close(fd)
        try:
            source = pa.BufferReader(pa.py_buffer(self.map if self.map is not None else b""))
            reader = pa.ipc.open_file(source)
            schema = reader.schema
            self.pages = [reader.get_batch(i) for i in range(reader.num_record_batches)]
        except (pa.ArrowException, OSError, ValueError) as exc:
            self.close()
            raise _fail(path, f"is not a readable Arrow IPC file ({exc})") from None
        expected = arrow_schema(
            header.fields, shard_metadata(header.dataset_id, index, header.version)
        )
        if not schema.equals(expected, check_metadata=True):
            self.close()
            found = (
                (schema.metadata or {})
                .get(b"mindrecord.dataset_id", b"?")
                .decode("ascii", "replace")
            )
            if schema.equals(expected) and found != header.dataset_id:
                what = (
                    f"belongs to another write of this dataset (dataset id {found[:64]}, the "
                    f"header has {header.dataset_id}); the dataset was changed after it was "
                    "committed"
                )
            else:
                what = f"has Arrow schema {str(schema)[:2000]}, but the header describes {expected}"
            raise _fail(path, what)
        counts = [p.num_rows for p in self.pages]
        if sum(counts) != entry.rows:
            self.close()
            raise _fail(path, f"holds {sum(counts)} rows but {header.path} records {entry.rows}")
        if entry.pages is not None and [r for r, _ in entry.pages] != counts:
            self.close()
            raise _fail(
                path,
                f"has {len(counts)} pages of {_brief(counts)} rows but {header.path} records "
                f"{len(entry.pages)} of {_brief([r for r, _ in entry.pages])}",
            )
        # starts[i] is the shard-local index of page i's first row.
        self.starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        self.validated = [False] * len(self.pages)
        self.views: list[list[_View] | None] = [None] * len(self.pages)

    def page(self, i: int) -> pa.RecordBatch:
        if not self.validated[i]:
            page = self.pages[i]
            # The checksum first, memoized with the validation: each page is checked once, the
            # first time it is read, and costs nothing after.
            if self.verify and self.entry.pages is not None:
                try:
                    # The cheap structural check first: lengths and buffer sizes must be sane
                    # before the buffers they describe are walked.
                    page.validate()
                    actual = page_checksum(page)
                except (pa.ArrowException, ValueError, OverflowError, SystemError) as exc:
                    # SystemError: pyarrow on a length the damaged metadata made negative.
                    raise _fail(self.entry.path, f"page {i} is damaged ({exc})") from None
                recorded = self.entry.pages[i][1]
                if actual != recorded:
                    raise _fail(
                        self.entry.path,
                        f"page {i} has XXH3-64 {actual:016x} but the header records "
                        f"{recorded:08x}: the file was altered",
                    )
            try:
                page.validate(full=True)
            except (pa.ArrowException, ValueError) as exc:
                raise _fail(self.entry.path, f"page {i} is damaged ({exc})") from None
            for name, column in zip(page.schema.names, page.columns):
                if column.null_count:  # every column is non-nullable
                    raise _fail(self.entry.path, f"page {i}, field '{name}' holds nulls")
            self.validated[i] = True
        return self.pages[i]

    def close(self) -> None:
        self.pages = []
        self.views = []
        if self.map is not None:
            # Pages still referenced elsewhere keep the mapping alive; it closes when they go.
            with suppress(BufferError):
                self.map.close()
            self.map = None


class _View:
    """One column of one validated page as numpy views of its Arrow buffers (made once per page):
    what row reads index without building Arrow or Python objects per call.

    ``values``: the numbers (scalar fields), the flat bytes (string and bytes fields) or the flat
    elements (ndarray fields); ``offsets``: int64 row starts into ``values`` (string, bytes and
    variable-shape fields; None otherwise); ``width``: the common byte length of every value of a
    string or bytes page, or None when they differ; ``items``: ``values`` as a Python list for
    scalar fields (a row read then costs a list lookup).
    """

    __slots__ = ("items", "kind", "name", "offsets", "shape", "spec", "values", "width")

    def __init__(self, spec: FieldSpec, column: pa.Array) -> None:
        self.spec, self.name, self.shape = spec, spec.name, spec.shape
        self.offsets = self.width = self.items = None
        buffers = column.buffers()
        if spec.type in ("string", "bytes"):
            self.kind = spec.type
            start, n = column.offset, len(column)
            self.offsets = np.frombuffer(buffers[1], np.int64)[start : start + n + 1]
            self.values = (
                np.frombuffer(buffers[2], np.uint8) if buffers[2] else np.empty(0, np.uint8)
            )
            lengths = np.diff(self.offsets)
            if n and lengths.min() == lengths.max():
                self.width = int(lengths[0])
        elif spec.shape is None:
            self.kind = "number"
            self.values = column.to_numpy(zero_copy_only=True)
            self.items = self.values.tolist()
        elif not spec.variable:
            self.kind = "fixed"
            self.values = (
                column.flatten().to_numpy(zero_copy_only=True).reshape((len(column), *spec.shape))
            )
        else:
            self.kind = "variable"
            start, n = column.offset, len(column)
            self.offsets = np.frombuffer(buffers[1], np.int64)[start : start + n + 1]
            self.values = column.values.to_numpy(zero_copy_only=True)

    def row(self, k: int) -> Any:
        """Row ``k`` as ``read_row`` returns it (fresh copies of arrays)."""
        kind = self.kind
        if kind == "number":
            return self.items[k]
        if kind == "bytes":
            return self.values[self.offsets[k] : self.offsets[k + 1]].tobytes()
        if kind == "string":
            return self.values[self.offsets[k] : self.offsets[k + 1]].tobytes().decode("utf-8")
        if kind == "fixed":
            return self.values[k].copy()
        return self._variable(k).copy()

    def _variable(self, k: int) -> np.ndarray:
        part = self.values[self.offsets[k] : self.offsets[k + 1]]
        if len(part) % self.spec.inner:
            problem = ValueProblem(
                f"holds {len(part)} values, which no shape {_shape_text(self.shape)} fits", k
            )
            problem.field = self.name
            raise problem
        return part.reshape(self.shape)

    def span(self, lo: int, hi: int) -> Any:
        """Rows ``lo:hi`` as the block engine takes them: views where the storage allows."""
        kind = self.kind
        if kind == "number" or kind == "fixed":
            return self.values[lo:hi]
        if kind == "bytes":
            if self.width is not None:
                a, b = int(self.offsets[lo]), int(self.offsets[hi])
                return self.values[a:b].reshape(hi - lo, self.width)
            o = self.offsets[lo : hi + 1].tolist()
            return [self.values[o[k] : o[k + 1]] for k in range(hi - lo)]
        if kind == "string":
            o = self.offsets[lo : hi + 1].tolist()
            raw = self.values
            return [raw[o[k] : o[k + 1]].tobytes().decode("utf-8") for k in range(hi - lo)]
        return [self._variable(k) for k in range(lo, hi)]

    def gather(self, rows: np.ndarray) -> Any:
        """Rows ``rows`` (page-local, any order) as copies, the same types as :meth:`span`."""
        kind = self.kind
        if kind == "number" or kind == "fixed":
            return self.values[rows]
        if kind == "bytes" and self.width is not None:
            n = len(self.offsets) - 1
            base = int(self.offsets[0])
            table = self.values[base : base + n * self.width].reshape(n, self.width)
            return table[rows]
        if kind == "bytes":
            o = self.offsets
            return [self.values[o[k] : o[k + 1]].copy() for k in rows.tolist()]
        if kind == "string":
            return [self.row(k) for k in rows.tolist()]
        return [self._variable(k).copy() for k in rows.tolist()]


def _brief(values: list[int]) -> str:
    text = str(values)
    return text if len(text) <= 80 else text[:77] + "...]"


def _fail(path: str, what: str) -> MindRecordFormatError:
    return MindRecordFormatError(f"MindRecord shard {path} {what}" + DOCS)


# How often a reader starts over when commits keep replacing the dataset as it opens it.
_OPEN_ATTEMPTS = 3


def _replaced(header: Header) -> Header | None:
    """The header now at ``header.path`` if a commit replaced ``header`` since it was read."""
    try:
        current = read_header(header.path)
    except MindRecordFormatError:
        return None
    return current if current.dataset_id != header.dataset_id else None


class ShardReader:
    """Read a MindRecord dataset written by :class:`FileWriter`.

    :param file_name: the dataset's name (the ``file_name`` given to ``FileWriter``), its
        header's path (``name.meta.json``) or the path of any of its shards.
    :param columns: the fields to return, in this order; all fields when None. Projection only
        shapes what is returned: :meth:`lookup` works on any index field.
    :param verify: check each page's XXH3-64 against the header the first time the page is read
        (version 3 datasets; about one pass of ``xxhash.xxh3_64`` over the data, once). ``False``
        skips it knowingly: a byte altered inside a page is then read as data. Structure
        (sizes, schema, row counts, Arrow validation, the header's own SHA-256) is checked
        either way.

    Values come back as the schema says: ``int`` / ``float`` / ``str`` / ``bytes`` for scalar
    fields and numpy arrays of the field's dtype and shape for ndarray fields, always fresh
    copies. The reader holds the shards memory-mapped until :meth:`close` (or the end of a
    ``with`` block).

    :raises MindRecordFormatError: the header is missing, not JSON, of a newer format version,
        or inconsistent, or its SHA-256 does not match; a shard is missing, a symlink or not a
        regular file, of the wrong size, not an Arrow file, or from another write; a page's
        XXH3-64 does not match (when read). The message names the file.

    Example::

        >>> with ShardReader("/tmp/example.mindrecord") as reader:
        ...     reader.read_row(0)["label"]
        1
    """

    def __init__(
        self,
        file_name: str | os.PathLike[str],
        columns: Sequence[str] | None = None,
        verify: bool = True,
    ) -> None:
        where = "ShardReader"
        if not isinstance(file_name, (str, os.PathLike)):
            raise MindTypeError(
                f"For '{where}', 'file_name' must be a str or path, got {_show(file_name)}" + DOCS
            )
        if not isinstance(verify, bool):
            raise MindTypeError(
                f"For '{where}', 'verify' must be a bool, got {_show(verify)}" + DOCS
            )
        self._header = header = read_header(resolve_header(os.fspath(file_name)))
        by_name = {f.name: f for f in header.fields}
        if columns is None:
            names = [f.name for f in header.fields]
        else:
            if isinstance(columns, str) or not isinstance(columns, (list, tuple)):
                raise MindTypeError(
                    f"For '{where}', 'columns' must be a list of field names, got "
                    f"{_show(columns)}" + DOCS
                )
            names = list(columns)
            for name in names:
                if name not in by_name:
                    raise MindValueError(
                        f"For '{where}', column {name!r} is not a field of {header.path}; "
                        f"fields: {list(by_name)}" + DOCS
                    )
            if len(set(names)) != len(names):
                raise MindValueError(f"For '{where}', 'columns' repeats a name: {names}" + DOCS)
        self._by_name = by_name
        self._columns: list[FieldSpec] = [by_name[n] for n in names]
        self._shards: list[_Shard] = []
        self._closed = True
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                for i, entry in enumerate(header.shards):
                    self._shards.append(_Shard(entry, i, header, verify))
                break
            except MindRecordFormatError:
                self.close()
                self._shards = []
                newer = _replaced(header)
                # A commit replaced the dataset meanwhile: open the new one, if it has the same
                # schema (the projection was checked against this one).
                if newer is None or attempt == _OPEN_ATTEMPTS - 1 or newer.fields != header.fields:
                    raise
                self._header = header = newer
            except BaseException:
                self.close()
                raise
        # Every page of every shard in global row order, and the global index of its first row:
        # one binary search finds the page of any row.
        self._page_ref = [(s, p) for s in self._shards for p in range(len(s.pages))]
        self._page_starts = np.array(
            [s.entry.row_start + int(s.starts[p]) for s, p in self._page_ref], dtype=np.int64
        )
        # The same as a list, then the row count: what bisect and the block engine read.
        self._bounds = [*self._page_starts.tolist(), self.num_rows]
        self._closed = False

    # --------------------------------------------------------------------------------------------
    # What the dataset is
    # --------------------------------------------------------------------------------------------

    @property
    def schema(self) -> dict[str, dict[str, Any]]:
        """The MindSpore schema dict the dataset was written with."""
        return self._header.schema

    @property
    def description(self) -> str | None:
        return self._header.description

    @property
    def index_fields(self) -> list[str]:
        return list(self._header.index_fields)

    @property
    def num_rows(self) -> int:
        return self._header.num_rows

    def __len__(self) -> int:
        return self._header.num_rows

    @property
    def column_names(self) -> list[str]:
        """The fields this reader returns, in order (the projection)."""
        return [f.name for f in self._columns]

    @property
    def shards(self) -> list[dict[str, Any]]:
        """One dict per shard file, in order: its global rows are ``range(start, stop)``.

        Keys: ``index``, ``file`` (its path, beside the header), ``start``, ``stop``, ``rows``, ``bytes``
        and the file's digest under the name of its hash: ``xxh3_128`` (format version 4) or
        ``sha256`` (versions 1 to 3). Shards hold contiguous blocks of rows, so a dataset can shuffle the
        order of files, or rows within each file, from these ranges alone.
        """
        return [
            {
                "index": i,
                "file": e.path,
                "start": e.row_start,
                "stop": e.row_start + e.rows,
                "rows": e.rows,
                "bytes": e.bytes,
                e.digest_name: e.digest,
            }
            for i, e in enumerate(self._header.shards)
        ]

    def __repr__(self) -> str:
        return (
            f"ShardReader({self._header.path[: -len(files.HEADER_SUFFIX)]!r}, "
            f"rows={self.num_rows}, shards={len(self._header.shards)}, "
            f"columns={self.column_names})"
        )

    # --------------------------------------------------------------------------------------------
    # Reading
    # --------------------------------------------------------------------------------------------

    def read_row(self, index: int) -> dict[str, Any]:
        """Row ``index`` (a global row number; negative counts from the end) as a dict."""
        if type(index) is not int or not 0 <= index < self._header.num_rows or self._closed:
            index = self._check_index("ShardReader.read_row", index)
        # One binary search over the pages' first rows; then list and buffer lookups.
        k = bisect.bisect_right(self._bounds, index) - 1
        local = index - self._bounds[k]
        views = self._views(k)
        try:
            return {view.name: view.row(local) for view in views}
        except ValueProblem as exc:
            self._problem(k, local, exc, views)

    def _views(self, k: int) -> list[_View]:
        """The projected columns of global page ``k`` as numpy views (validated on first use)."""
        shard, page_no = self._page_ref[k]
        views = shard.views[page_no]
        if views is None:
            page = shard.page(page_no)
            views = [_View(spec, page.column(spec.name)) for spec in self._columns]
            shard.views[page_no] = views
        return views

    def _problem(self, k: int, local: int, exc: ValueProblem, views: list[_View]) -> None:
        shard, page_no = self._page_ref[k]
        name = getattr(exc, "field", "?")
        raise _fail(
            shard.entry.path, f"field '{name}', page {page_no}, row {local} of the page: {exc}"
        ) from None

    def _page_bounds(self) -> list[int]:
        """The global row where each page starts, then the number of rows."""
        return self._bounds

    def _read_span(self, start: int, stop: int) -> list[Any]:
        """Rows ``start:stop``, all within one page, one entry per projected column: numbers
        and fixed-shape arrays as views of the mapped page, bytes of one length as an ``(n,
        length)`` uint8 view, other bytes as a list of uint8 views, strings as a list of str,
        variable-shape arrays as a list of views."""
        self._check_open()
        k = bisect.bisect_right(self._bounds, start) - 1
        base = self._bounds[k]
        views = self._views(k)
        try:
            return [view.span(start - base, stop - base) for view in views]
        except ValueProblem as exc:
            self._problem(k, exc.offset or 0, exc, views)

    def _read_at(self, indices: np.ndarray) -> list[Any]:
        """Rows ``indices`` (in range, non-negative, any order, repeats allowed), the same
        types as :meth:`_read_span`, gathered into fresh arrays in the order asked."""
        self._check_open()
        pages = np.searchsorted(self._page_starts, indices, side="right") - 1
        first = int(pages[0]) if len(pages) else 0
        if len(pages) and (pages == first).all():  # one page: no reordering
            views = self._views(first)
            local = indices - self._bounds[first]
            try:
                return [view.gather(local) for view in views]
            except ValueProblem as exc:
                self._problem(first, exc.offset or 0, exc, views)
        order = np.argsort(pages, kind="stable")
        sorted_pages = pages[order]
        local = (indices - self._page_starts[pages])[order]
        bounds = np.flatnonzero(np.diff(sorted_pages)) + 1
        pieces = []
        for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(order)]):
            if lo == hi:
                continue
            k = int(sorted_pages[lo])
            views = self._views(k)
            try:
                pieces.append([view.gather(local[lo:hi]) for view in views])
            except ValueProblem as exc:
                self._problem(k, exc.offset or 0, exc, views)
        return [
            _gather(spec, [p[c] for p in pieces], order) for c, spec in enumerate(self._columns)
        ]

    def read_rows(self, indices: Sequence[int] | np.ndarray) -> dict[str, Any]:
        """The rows at ``indices`` (any order, repeats allowed) as a columnar batch.

        Each column is a 1-D array for numeric fields, a list for string and bytes fields, an
        ``(n, *shape)`` array for fixed-shape ndarray fields and a list of arrays for
        variable-shape ones.
        """
        where = "ShardReader.read_rows"
        try:
            idx = np.asarray(indices)
        except (ValueError, TypeError):
            idx = np.asarray([], dtype=object)
        if idx.ndim != 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise MindValueError(
                f"For '{where}', 'indices' must be a 1-D sequence of ints, got {_show(indices)}"
                + DOCS
            )
        idx = idx.astype(np.int64)
        bad = (idx < -self.num_rows) | (idx >= self.num_rows)
        if bad.any():
            raise MindValueError(
                f"For '{where}', row {int(idx[bad][0])} is out of range for "
                f"{self.num_rows} rows" + DOCS
            )
        idx = np.where(idx < 0, idx + self.num_rows, idx)
        self._check_open()
        # Gather page by page (one Arrow take each), then put the rows back in the order asked.
        pages = np.searchsorted(self._page_starts, idx, side="right") - 1
        order = np.argsort(pages, kind="stable")
        sorted_pages = pages[order]
        local = (idx - self._page_starts[pages])[order]
        bounds = np.flatnonzero(np.diff(sorted_pages)) + 1
        pieces = []
        for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(order)]):
            if lo == hi:
                continue
            shard, page_no = self._page_ref[int(sorted_pages[lo])]
            pieces.append(shard.page(page_no).take(pa.array(local[lo:hi])))
        out = {}
        for spec in self._columns:
            parts = [self._convert(spec, p.column(spec.name), None, None, None) for p in pieces]
            out[spec.name] = _gather(spec, parts, order)
        return out

    def iter_rows(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """Rows ``start`` .. ``stop - 1`` in order, one dict each, decoded a page at a time."""
        where = "ShardReader.iter_rows"
        stop = self.num_rows if stop is None else stop
        for name, value in (("start", start), ("stop", stop)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise MindTypeError(
                    f"For '{where}', '{name}' must be an int, got {_show(value)}" + DOCS
                )
        if not 0 <= start <= stop <= self.num_rows:
            raise MindValueError(
                f"For '{where}', need 0 <= start <= stop <= {self.num_rows}, got start={start}, "
                f"stop={stop}" + DOCS
            )
        return self._iter(int(start), int(stop))

    def _iter(self, start: int, stop: int) -> Iterator[dict[str, Any]]:
        names = self.column_names
        ends = [*self._page_starts[1:].tolist(), self.num_rows]
        for (shard, page_no), first, last in zip(self._page_ref, self._page_starts.tolist(), ends):
            if last <= start or first >= stop or first == last:
                continue
            self._check_open()
            a, b = max(start, first) - first, min(stop, last) - first
            batch = shard.page(page_no).slice(a, b - a)
            columns = [
                self._convert(spec, batch.column(spec.name), shard, page_no, a)
                for spec in self._columns
            ]
            for row in range(b - a):
                yield {
                    name: (col[row].item() if isinstance(col[row], np.generic) else col[row])
                    for name, col in zip(names, columns)
                }

    def lookup(self, field: str, value: Any) -> list[int]:
        """The global rows, ascending, whose index field ``field`` equals ``value``."""
        where = "ShardReader.lookup"
        self._check_open()
        if field not in self._header.index_fields:
            raise MindValueError(
                f"For '{where}', {field!r} is not an index field of {self._header.path}; index "
                f"fields: {list(self._header.index_fields)} (FileWriter.add_index sets them)" + DOCS
            )
        spec = self._by_name[field]
        try:
            value = spec.convert(value)
        except ValueProblem as exc:
            raise MindValueError(
                f"For '{where}', value for field '{field}': {exc}" + DOCS
            ) from None
        scalar = pa.scalar(value, type=spec.arrow_type)
        # A scan of one column per page: Arrow compares a page's column in one call, so even
        # millions of rows take milliseconds, and there is no second index to keep in sync.
        found = []
        for (shard, page_no), first in zip(self._page_ref, self._page_starts.tolist()):
            column = shard.page(page_no).column(field)
            hits = pc.indices_nonzero(pc.equal(column, scalar)).to_numpy()
            if hits.size:
                found.append(hits + first)
        return np.concatenate(found).tolist() if found else []

    # --------------------------------------------------------------------------------------------
    # Helpers
    # --------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise MindValueError(
                f"This ShardReader of {self._header.path[: -len(files.HEADER_SUFFIX)]} is "
                "closed" + DOCS
            )

    def _check_index(self, where: str, index: Any) -> int:
        self._check_open()
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise MindTypeError(f"For '{where}', 'index' must be an int, got {_show(index)}" + DOCS)
        if not -self.num_rows <= index < self.num_rows:
            raise MindValueError(
                f"For '{where}', row {index} is out of range for {self.num_rows} rows" + DOCS
            )
        return int(index) % self.num_rows

    def _convert(self, spec, column, shard, page, first) -> Any:
        try:
            return spec.to_python(column)
        except ValueProblem as exc:
            place = (
                f"page {page}, row {first + (exc.offset or 0)} of the page"
                if page is not None
                else "a page"
            )
            path = shard.entry.path if shard is not None else self._header.path
            raise _fail(path, f"field '{spec.name}', {place}: {exc}") from None

    def _pages_in_order(self) -> Iterator[pa.RecordBatch]:
        """Every page, validated, in global row order (for FileWriter.open_for_append)."""
        for shard, page_no in self._page_ref:
            yield shard.page(page_no)

    def close(self) -> None:
        """Unmap the shards; the reader cannot read afterwards. Safe to call twice."""
        self._closed = True
        for shard in getattr(self, "_shards", []):
            shard.close()
        self._page_ref = []

    def __enter__(self) -> ShardReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _gather(spec: FieldSpec, parts: list[Any], order: np.ndarray) -> Any:
    """Join per-page columns; joined row k is the row asked for at position ``order[k]``."""
    if not parts:
        if spec.type in ("string", "bytes") or spec.variable:
            return []
        return np.empty((0, *(spec.shape or ())), dtype=spec.dtype)
    if all(isinstance(p, np.ndarray) for p in parts) and len({p.shape[1:] for p in parts}) == 1:
        joined = np.concatenate(parts)
        out = np.empty_like(joined)
        out[order] = joined
        return out
    # Lists, or arrays that differ by page (bytes of one length per page, another on the next):
    # one list of the rows.
    joined = [v for part in parts for v in (part if isinstance(part, list) else list(part))]
    result: list[Any] = [None] * len(joined)
    for k, dst in enumerate(order.tolist()):
        result[dst] = joined[k]
    return result


def verify(file_name: str | os.PathLike[str]) -> list[str]:
    """Check a dataset thoroughly; return its problems, an empty list when it is sound.

    Checks the header, each shard's size and digest (XXH3-128, or SHA-256 before format version 4) against the header, that each shard opens
    with the expected schema and row count, Arrow's full validation of every page, and that a
    sample of rows (the first, the last and up to 100 spread between) decodes to the schema's
    types and shapes. It also lists stray shard files of the dataset's name that the header does
    not reference (left by an interrupted write; harmless, and removed by the next commit of that
    name): those entries start with ``"stray file"``.
    """
    problems, strays = _verify(file_name)
    return problems + strays


def _stray_message(path: str) -> str:
    if not is_made_shard(path):
        return (
            f"stray file {path}: named as a shard of this dataset but not in its header, and "
            "not a shard any write of this name made; readers ignore it and commits leave it"
        )
    return (
        f"stray file {path}: named as a shard of this dataset but not in its header, left by an "
        "interrupted write; readers ignore it, and the next commit of this name removes it"
    )


def _temp_message(path: str) -> str:
    return (
        f"stray file {path}: a temporary file of a killed write of this dataset; readers ignore "
        "it, and the next commit of this name (or mind-data verify --clean) removes it"
    )


def _verify(file_name: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """:func:`verify`'s findings: (problems of the dataset, stray files beside it)."""
    if not isinstance(file_name, (str, os.PathLike)):
        raise MindTypeError(
            f"For 'verify', 'file_name' must be a str or path, got {_show(file_name)}" + DOCS
        )
    problems: list[str] = []
    try:
        header = read_header(resolve_header(os.fspath(file_name)))
    except MindRecordFormatError as exc:
        return [str(exc).split("\n(see docs")[0]], []
    name = header.path[: -len(files.HEADER_SUFFIX)]
    strays = [_stray_message(p) for p in files.stray_shards(name, [s.path for s in header.shards])]
    strays += [_temp_message(p) for p in files.stale_temporaries(name)]
    for entry in header.shards:
        try:
            fd, info = files.open_regular(entry.path)
            os.close(fd)
            size = info.st_size
        except (OSError, ValueError) as exc:
            what = getattr(exc, "strerror", None) or exc
            problems.append(f"shard {entry.path} cannot be read as a regular file ({what})")
            continue
        if size != entry.bytes:
            problems.append(
                f"shard {entry.path} is {size} bytes but the header records {entry.bytes}"
            )
            continue
        digest = files.digest_of(entry.path, entry.digest_name, remembered=False)
        if digest != entry.digest:
            problems.append(
                f"shard {entry.path} has {files.DIGEST_NAMES[entry.digest_name]} {digest} but the header records "
                f"{entry.digest}: the file was altered"
            )
    if problems:
        return problems, strays
    try:
        with ShardReader(header.path) as reader:
            for shard, page_no in reader._page_ref:
                shard.page(page_no)
            n = reader.num_rows
            sample = sorted(set(np.linspace(0, n - 1, num=min(n, 102)).astype(int).tolist()))
            for i in sample:
                row = reader.read_row(i)
                problems.extend(_row_problems(reader._header, i, row))
    except MindRecordFormatError as exc:
        problems.append(str(exc).split("\n(see docs")[0])
    return problems, strays


def _row_problems(header: Header, index: int, row: dict[str, Any]) -> list[str]:
    """How a decoded row departs from the schema (type, dtype, shape)."""
    out = []
    for spec in header.fields:
        value = row[spec.name]
        if spec.shape is not None:
            ok = (
                isinstance(value, np.ndarray)
                and value.dtype == spec.dtype
                and spec._shape_fits(value.shape)
            )
        elif spec.type == "string":
            ok = isinstance(value, str)
        elif spec.type == "bytes":
            ok = isinstance(value, bytes)
        else:
            ok = isinstance(value, int if spec.dtype.kind == "i" else float)
        if not ok:
            out.append(f"row {index}, field '{spec.name}': {_show(value)} is not {spec.describe()}")
    return out
