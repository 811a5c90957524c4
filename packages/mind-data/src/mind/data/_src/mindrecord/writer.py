"""``FileWriter``: MindSpore's MindRecord writer API, writing Arrow IPC shards atomically.

Rows are checked against the schema as they arrive and streamed, one record batch per page, into
one hidden staging file beside the dataset. ``commit()`` is the only step that changes what
readers see, and replacing the header is the only moment it does so:

1. split the staging file into the shards (contiguous blocks of rows; with one shard the staging
   file *is* the shard), fsync each and record its size and XXH3-128; write the header to a hidden
   temporary file and fsync it;
2. under a lock on the directory (so commits there never interleave), move the shards to names
   of this write alone, ``name.<id12>.<k>.arrow``, which no other write uses, and fsync the
   directory;
3. ``os.replace`` the header, and fsync the directory: the commit point;
4. remove the shards the replaced header listed that are provably its shards (named as this
   name's shards, beside the header, regular files, with the recorded size and digest; anything
   else it lists is left alone and logged), any stray shard a write of this name made that the
   new header does not list, and the temporaries of killed writes of this name (no process
   holds their lock). Best effort: a file left here is harmless garbage.

A dataset at ``name`` is never written to, so an exception or a killed process at any step
before 3 leaves it as it was (plus, after a kill in step 2, stray shards that readers ignore and
the next commit removes), and from step 3 on the new dataset is complete.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import uuid
import weakref
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

import pyarrow as pa

from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.mindrecord import files
from mind.data._src.mindrecord.header import (
    Header,
    _read_bytes,
    header_json,
    is_made_shard,
    page_checksum,
    read_header,
    resolve_header,
    shard_digest_name,
    shard_metadata,
)
from mind.data._src.mindrecord.schema import (
    DOCS,
    FieldSpec,
    ValueProblem,
    _show,
    arrow_schema,
    parse_schema,
)
from mind.data.errors import MindDataError, MindRecordFormatError

__all__ = ["PAGE_BYTES", "PAGE_ROWS", "FileWriter"]

# A page is one Arrow record batch: at most PAGE_ROWS rows and, when rows are large, about
# PAGE_BYTES (MindSpore's default page size), so a random read touches one bounded batch.
PAGE_ROWS = 1000
PAGE_BYTES = 32 << 20
MAX_SHARDS = 1000  # MindSpore's limit
_log = logging.getLogger("mind.data")


class _Writeback:
    """Seals the staging file while later pages are still being serialised: each
    :data:`_WRITEBACK_BYTES` written, a second thread ``fdatasync``s the file (waiting on the
    disk, not the CPU) and hashes (XXH3-128, which releases the GIL) what it synced, so at
    commit only the last few megabytes are left to sync and hash. An I/O error it meets is
    raised at commit, not lost."""

    def __init__(self, path: str) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self.digest = files.DIGESTS[files.WRITTEN_DIGEST]()
        self.hashed = 0
        self.synced = 0
        self.pending: Any = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="mind-data-writeback")

    def written(self, position: int) -> None:
        if position - self.synced < _WRITEBACK_BYTES:
            return
        if self.pending is not None:
            if not self.pending.done():
                return
            self.pending.result()  # re-raises a failed sync
        self.synced = position
        self.pending = self._pool.submit(self._sync_and_hash, position)

    def _sync_and_hash(self, upto: int | None) -> None:
        _fdatasync(self.fd)
        # The file only grows (Arrow's file writer appends), so what is synced is final.
        while upto is None or self.hashed < upto:
            want = files.CHUNK if upto is None else min(files.CHUNK, upto - self.hashed)
            chunk = os.read(self.fd, want)
            if not chunk:
                break
            self.digest.update(chunk)
            self.hashed += len(chunk)

    def finish(self) -> Any:
        """After the file is closed: a future of its (size, digest), synced to disk."""
        previous = self.pending

        def seal() -> tuple[int, str]:
            try:
                if previous is not None:
                    previous.result()
                self._sync_and_hash(None)
                os.fsync(self.fd)  # the metadata too (the size), not only the data
                if self.hashed != os.fstat(self.fd).st_size:  # pragma: no cover - defensive
                    raise OSError(errno.EIO, "the staging file changed while it was sealed")
                return self.hashed, self.digest.hexdigest()
            finally:
                os.close(self.fd)

        future = self._pool.submit(seal)
        self._pool.shutdown(wait=False)
        return future


_WRITEBACK_BYTES = 8 << 20
_fdatasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


class _Staging:
    """The temporary files of one write; a finalizer discards them if commit() never runs."""

    def __init__(self) -> None:
        self.temps: list[str] = []
        self.sink: pa.NativeFile | None = None
        self.writer: pa.ipc.RecordBatchFileWriter | None = None
        self.writeback: _Writeback | None = None
        self.sealed: Any = None  # a future of the single shard's (size, digest)

    def open(self, final: str, schema: pa.Schema, is_shard: bool = False) -> str:
        tmp = files.temp_path(final)
        self.temps.append(tmp)
        self.sink = pa.OSFile(tmp, "wb")
        files.hold(tmp)  # marks it live: a commit of this name never removes it
        if is_shard:  # the staging file is the shard (else it is split, and then synced)
            self.writeback = _Writeback(tmp)
        self.writer = pa.ipc.new_file(self.sink, schema)
        return tmp

    def wrote(self) -> None:
        if self.writeback is not None:
            self.writeback.written(self.sink.tell())

    def close(self) -> None:
        writer, sink, writeback = self.writer, self.sink, self.writeback
        self.writer = self.sink = self.writeback = None
        try:
            if writer is not None:
                writer.close()
        finally:
            try:
                if sink is not None:
                    sink.close()
            finally:
                if writeback is not None:
                    self.sealed = writeback.finish()

    def discard(self) -> None:
        with suppress(Exception):
            self.close()
        for tmp in self.temps:
            files.remove_quietly(tmp)
        self.temps.clear()


class FileWriter:
    """Write a MindRecord dataset: ``shard_num`` Arrow IPC files and a ``.meta.json`` header.

    The API is MindSpore 2.x's ``mindspore.mindrecord.FileWriter``; the files are Mind's own
    (see ``docs/data.md#mindrecord``). Differences from MindSpore: a row that does not match
    the schema raises instead of being dropped with a warning, ``set_page_size`` and
    ``set_header_size`` are accepted but do nothing, and the writer is also a context manager
    (commit on success, discard on an exception).

    :param file_name: the dataset's name. The header is ``file_name + ".meta.json"``; each
        commit writes its shards as ``file_name.<id12>.<k>.arrow`` (``<id12>``: the first 12 hex
        digits of the write's dataset id, ``<k>``: the shard index), names no other write uses,
        and only then replaces the header. The directory must exist.
    :param shard_num: the number of shard files, 1 to 1000. Rows go to shards in contiguous
        blocks of (nearly) equal size, in the order they were written.
    :param overwrite: replace an existing dataset at ``file_name``. Without it, an existing
        dataset (its header) raises :class:`~mind.data.errors.MindRecordFormatError`.

    Example::

        >>> writer = FileWriter("/tmp/example.mindrecord", shard_num=1, overwrite=True)
        >>> writer.add_schema({"label": {"type": "int32"}, "x": {"type": "float32", "shape": [2]}})
        0
        >>> writer.write_raw_data([{"label": 1, "x": [0.5, 1.5]}])
        >>> writer.commit()
    """

    def __init__(
        self, file_name: str | os.PathLike[str], shard_num: int = 1, overwrite: bool = False
    ) -> None:
        where = "FileWriter"
        if not isinstance(file_name, (str, os.PathLike)):
            raise MindTypeError(
                f"For '{where}', 'file_name' must be a str or path, got {_show(file_name)}" + DOCS
            )
        name = os.fspath(file_name)
        if not isinstance(name, str) or not name or name.endswith(("/", os.sep)):
            raise MindValueError(
                f"For '{where}', 'file_name' must name a file, got {name!r}" + DOCS
            )
        if isinstance(shard_num, bool) or not isinstance(shard_num, int):
            raise MindTypeError(
                f"For '{where}', 'shard_num' must be an int, got {_show(shard_num)}" + DOCS
            )
        if not 1 <= shard_num <= MAX_SHARDS:
            raise MindValueError(
                f"For '{where}', 'shard_num' must be in [1, {MAX_SHARDS}], got {shard_num}" + DOCS
            )
        if not isinstance(overwrite, bool):
            raise MindTypeError(
                f"For '{where}', 'overwrite' must be a bool, got {_show(overwrite)}" + DOCS
            )
        directory = os.path.dirname(os.path.abspath(name))
        if not os.path.isdir(directory):
            raise MindValueError(
                f"For '{where}', the directory {directory} of {name!r} does not exist" + DOCS
            )
        if os.path.isdir(name):
            raise MindValueError(f"For '{where}', {name!r} is a directory" + DOCS)
        self._name = name
        self._shard_num = shard_num
        self._overwrite = overwrite
        # A fresh id for this write; every shard carries it, so a reader can tell a shard of
        # this write from one left by another write of the same name, and its first digits name
        # this write's shard files, so they never take the name of another write's.
        self._dataset_id = uuid.uuid4().hex
        self._shard_paths = files.shard_names(name, shard_num, self._dataset_id)
        self._header_path = files.header_path(name)
        if not overwrite:
            self._check_absent(where)
        self._fields: tuple[FieldSpec, ...] | None = None
        self._description: str | None = None
        self._index_fields: tuple[str, ...] = ()
        self._rows = 0  # rows accepted so far: the global index of the next row
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._pending_bytes = 0
        self._staging = _Staging()
        self._finalizer = weakref.finalize(self, self._staging.discard)
        self._state = "open"

    def __repr__(self) -> str:
        return (
            f"FileWriter({self._name!r}, shard_num={self._shard_num}, rows={self._rows}, "
            f"state={self._state!r})"
        )

    # --------------------------------------------------------------------------------------------
    # Schema and index
    # --------------------------------------------------------------------------------------------

    def add_schema(self, content: Mapping[str, Mapping[str, Any]], desc: str | None = None) -> int:
        """Set the dataset's schema (once, before any data); return its id, always 0.

        :param content: field name -> ``{"type": t}`` with ``t`` one of ``int32``, ``int64``,
            ``float32``, ``float64``, ``string``, ``bytes``; an ndarray field adds
            ``"shape": [d0, d1, ...]`` (a numeric type, positive dims, at most one ``-1`` for a
            variable length).
        :param desc: a free-text description stored in the header.
        """
        where = "FileWriter.add_schema"
        self._check_open(where)
        if self._fields is not None:
            raise MindValueError(
                f"For '{where}', the schema was already added; a dataset has one schema" + DOCS
            )
        if desc is not None and not isinstance(desc, str):
            raise MindTypeError(f"For '{where}', 'desc' must be a str or None, got {_show(desc)}")
        if desc is not None:
            try:
                desc.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise MindValueError(
                    f"For '{where}', 'desc' is not valid UTF-8 ({exc.reason} at position "
                    f"{exc.start})" + DOCS
                ) from None
        try:
            self._fields = parse_schema(content)
        except ValueProblem as exc:
            raise MindValueError(f"For '{where}', {exc}" + DOCS) from None
        self._description = desc
        return 0

    def add_index(self, index_fields: Sequence[str]) -> None:
        """Mark scalar fields (numbers or strings) for :meth:`ShardReader.lookup`."""
        where = "FileWriter.add_index"
        self._check_open(where)
        fields = self._need_schema(where)
        if isinstance(index_fields, str) or not isinstance(index_fields, (list, tuple)):
            raise MindTypeError(
                f"For '{where}', 'index_fields' must be a list of field names, got "
                f"{_show(index_fields)}" + DOCS
            )
        by_name = {f.name: f for f in fields}
        chosen = list(self._index_fields)
        for name in index_fields:
            if name not in by_name:
                raise MindValueError(
                    f"For '{where}', {name!r} is not a schema field; fields: {list(by_name)}" + DOCS
                )
            if not by_name[name].indexable:
                raise MindValueError(
                    f"For '{where}', field {name!r} is {by_name[name].describe()}; only int, "
                    "float and string scalar fields can be indexed" + DOCS
                )
            if name in chosen:
                raise MindValueError(f"For '{where}', field {name!r} is already indexed" + DOCS)
            chosen.append(name)
        self._index_fields = tuple(chosen)

    def set_header_size(self, header_size: int) -> None:
        """Accepted for MindSpore compatibility; does nothing.

        NOTE: MindSpore reserves a fixed header block in each file; here the header is its own
        JSON file and takes the size it needs. The MindSpore range, 16 KB to 128 MB, is checked.
        """
        _check_size("FileWriter.set_header_size", "header_size", header_size, 1 << 14, 1 << 27)

    def set_page_size(self, page_size: int) -> None:
        """Accepted for MindSpore compatibility; does nothing.

        NOTE: a page here is one Arrow record batch of up to 1,000 rows (fewer when rows are
        large: about 32 MB). The MindSpore range, 32 KB to 256 MB, is checked.
        """
        _check_size("FileWriter.set_page_size", "page_size", page_size, 1 << 15, 1 << 28)

    # --------------------------------------------------------------------------------------------
    # Data
    # --------------------------------------------------------------------------------------------

    def write_raw_data(self, raw_data: Any, parallel_writer: bool = False) -> None:
        """Check rows against the schema and append them to the dataset.

        :param raw_data: a list of dicts (one per row, each holding every schema field and no
            other), or a columnar batch: a dict of field -> list or array, all of one length
            (a numeric field may be a 1-D array, an ndarray field an ``(n, *shape)`` array).
        :param parallel_writer: accepted for MindSpore compatibility; rows are written in the
            calling thread either way.
        :raises MindValueError: a row does not match the schema. The message names the row
            (its global index across all calls) and the field. Nothing from this call is
            written, so the caller can fix the data and call again.
        """
        where = "FileWriter.write_raw_data"
        self._check_open(where)
        fields = self._need_schema(where)
        if not isinstance(parallel_writer, bool):
            raise MindTypeError(
                f"For '{where}', 'parallel_writer' must be a bool, got {_show(parallel_writer)}"
                + DOCS
            )
        if isinstance(raw_data, Mapping):
            arrays, n = self._columns_from_batch(fields, raw_data, where)
        elif isinstance(raw_data, (list, tuple)):
            arrays, n = self._columns_from_rows(fields, raw_data, where), len(raw_data)
        else:
            raise MindTypeError(
                f"For '{where}', 'raw_data' must be a list of dicts or a dict of columns, got "
                f"{_show(raw_data)}" + DOCS
            )
        if n == 0:
            return
        if self._staging.writer is None:
            self._staging.open(self._shard_paths[0], self._schema(0), self._shard_num == 1)
        self._append(pa.RecordBatch.from_arrays(arrays, schema=self._schema(0)))

    def _columns_from_rows(
        self, fields: tuple[FieldSpec, ...], rows: Sequence[Any], where: str
    ) -> list[pa.Array]:
        names = {f.name for f in fields}
        columns: list[list[Any]] = [[] for _ in fields]
        for i, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise self._bad(
                    where, i, None, f"expected a dict of field -> value, got {_show(row)}"
                )
            if row.keys() != names:
                self._raise_key_mismatch(where, i, fields, row.keys())
            for column, spec in zip(columns, fields):
                try:
                    column.append(spec.convert(row[spec.name]))
                except ValueProblem as exc:
                    raise self._bad(where, i, spec.name, str(exc)) from None
        return [spec.column(column) for spec, column in zip(fields, columns)]

    def _columns_from_batch(
        self, fields: tuple[FieldSpec, ...], batch: Mapping[str, Any], where: str
    ) -> tuple[list[pa.Array], int]:
        if batch.keys() != {f.name for f in fields}:
            self._raise_key_mismatch(where, 0, fields, batch.keys(), columnar=True)
        lengths = {}
        for spec in fields:
            values = batch[spec.name]
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                raise MindValueError(
                    f"For '{where}', columnar batch field '{spec.name}' must be a list or array "
                    f"of values, one per row, got {_show(values)}" + DOCS
                )
            lengths[spec.name] = len(values)
        if len(set(lengths.values())) > 1:
            raise MindValueError(
                f"For '{where}', the columns of a columnar batch must have one length, got "
                f"{lengths}" + DOCS
            )
        n = next(iter(lengths.values()))
        # Check every column, then report the problem in the lowest row, as row-wise input would.
        arrays, problems = [], []
        for spec in fields:
            values = batch[spec.name]
            try:
                array = spec.column_fast(values)
            except ValueProblem as exc:
                problems.append((exc.offset or 0, spec.name, str(exc)))
                continue
            if array is None:
                converted = []
                for i in range(n):
                    try:
                        converted.append(spec.convert(values[i]))
                    except ValueProblem as exc:
                        problems.append((i, spec.name, str(exc)))
                        break
                else:
                    array = spec.column(converted)
            arrays.append(array)
        if problems:
            offset, name, message = min(problems, key=lambda p: p[0])
            raise self._bad(where, offset, name, message)
        return arrays, n

    def _bad(self, where: str, offset: int, field: str | None, message: str) -> MindValueError:
        place = f"row {self._rows + offset}" + (f", field '{field}'" if field else "")
        return MindValueError(
            f"For '{where}', {place}: {message}; nothing from this call was written" + DOCS
        )

    def _raise_key_mismatch(self, where, offset, fields, keys, columnar=False) -> None:
        names = [f.name for f in fields]
        missing = [n for n in names if n not in keys]
        extra = sorted(str(k) for k in keys if k not in set(names))
        field, what = (missing[0], "missing") if missing else (extra[0], "not in the schema")
        kind = " from the columnar batch" if columnar and missing else ""
        raise MindValueError(
            f"For '{where}', row {self._rows + offset}, field '{field}': {what}{kind} (schema "
            f"fields: {names}); nothing from this call was written" + DOCS
        )

    def _append(self, batch: pa.RecordBatch) -> None:
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self._pending_bytes += batch.nbytes
        self._rows += batch.num_rows
        self._flush(final=False)

    def _flush(self, final: bool) -> None:
        """Write whole pages from the pending rows (all of them when ``final``)."""
        if not self._pending_rows:
            return
        if not final and self._pending_rows < PAGE_ROWS and self._pending_bytes < PAGE_BYTES:
            return
        table = pa.Table.from_batches(self._pending, schema=self._schema(0)).combine_chunks()
        per_page = PAGE_ROWS
        if table.nbytes >= PAGE_BYTES:
            per_page = max(1, min(PAGE_ROWS, PAGE_BYTES * table.num_rows // table.nbytes))
        start = 0
        while table.num_rows - start >= per_page or (final and start < table.num_rows):
            page = table.slice(start, per_page).combine_chunks()
            self._staging.writer.write_table(page)
            self._staging.wrote()
            start += page.num_rows
        self._pending = table.slice(start).to_batches()
        self._pending_rows = table.num_rows - start
        self._pending_bytes = sum(b.nbytes for b in self._pending)

    # --------------------------------------------------------------------------------------------
    # Commit
    # --------------------------------------------------------------------------------------------

    def commit(self) -> None:
        """Finish the dataset: seal the shards, move them into place, then replace the header.

        The header replacement is the commit point: before it an existing dataset at this name
        is untouched, after it the new one is complete. See the module docstring for the steps.

        :raises MindRecordFormatError: ``overwrite=False`` and a dataset appeared at this name
            since the writer was created.
        :raises MindDataError: a file could not be moved into place; the previous dataset at
            this name is left as it was.
        """
        where = "FileWriter.commit"
        self._check_open(where)
        fields = self._need_schema(where)
        self._state = "committing"
        try:
            if self._staging.writer is None:  # no rows: the shards are empty but well-formed
                self._staging.open(self._shard_paths[0], self._schema(0), self._shard_num == 1)
            self._flush(final=True)
            staging = self._staging.temps[-1]
            self._staging.close()
            temps = [staging] if self._shard_num == 1 else self._split(staging)
            table, start = [], 0
            digests: list[str] = []
            for i, (tmp, final) in enumerate(zip(temps, self._shard_paths)):
                pages = _page_table(tmp)  # while a single shard is sealed on its thread
                sealed = self._staging.sealed if self._shard_num == 1 else None
                nbytes, digest = sealed.result() if sealed else files.seal(tmp)
                digests.append(digest)
                rows = self._shard_rows(i)
                table.append(
                    {
                        "file": os.path.basename(final),
                        "rows": rows,
                        "row_start": start,
                        "bytes": nbytes,
                        files.WRITTEN_DIGEST: digest,
                        "pages": pages,
                    }
                )
                start += rows
            payload = header_json(
                dataset_id=self._dataset_id,
                fields=fields,
                description=self._description,
                index_fields=self._index_fields,
                shards=table,
                page_rows=PAGE_ROWS,
            )
            self._publish(temps, digests, payload, where)
        except BaseException:
            if self._state != "committed":  # else interrupted while tidying up: committed
                self._state = "failed"
                self._staging.discard()
                raise
            self._finalizer.detach()
            raise
        self._staging.temps.clear()
        self._finalizer.detach()

    def _shard_rows(self, index: int) -> int:
        base, extra = divmod(self._rows, self._shard_num)
        return base + (1 if index < extra else 0)

    def _split(self, staging: str) -> list[str]:
        """Cut the staging file into the shards, contiguous blocks of rows, page by page."""
        temps = []
        source = pa.memory_map(staging)
        try:
            table = pa.ipc.open_file(source).read_all()
            start = 0
            for i, final in enumerate(self._shard_paths):
                rows = self._shard_rows(i)
                tmp = files.temp_path(final)
                self._staging.temps.append(tmp)
                temps.append(tmp)
                schema = self._schema(i)
                part = table.slice(start, rows).replace_schema_metadata(schema.metadata)
                with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, schema) as out:
                    files.hold(tmp)
                    out.write_table(part, max_chunksize=PAGE_ROWS)
                start += rows
            del table, part
        finally:
            source.close()
        # Strict, as everything before the header swap: a failure here aborts the commit (and
        # the discard that follows tries again), rather than leaving the copy behind.
        os.unlink(staging)
        files.release(staging)
        return temps

    def _publish(
        self, temps: list[str], digests: list[str], header_payload: bytes, where: str
    ) -> None:
        """Move the shards to this write's names, replace the header, remove the old shards."""
        directory = os.path.dirname(os.path.abspath(self._header_path))
        header_tmp = files.write_temp(self._header_path, header_payload)
        self._staging.temps.append(header_tmp)
        placed: list[str] = []
        with files.commit_lock(directory):
            try:
                if not self._overwrite:
                    self._check_absent(where)
                for tmp, final in zip(temps, self._shard_paths):
                    if os.path.lexists(final):  # only a 48-bit id collision could do this
                        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), final)
                    os.replace(tmp, final)
                    files.release(tmp)
                    placed.append(final)
                    # A later overwrite of this dataset proves this shard without reading it.
                    files.remember_digest(final, files.WRITTEN_DIGEST, digests[len(placed) - 1])
                # The shards' names are durable before a header can refer to them.
                files.fsync_dir(directory, strict=True)
                previous, foreign = _replaced_shards(self._header_path, self._name)
                os.replace(header_tmp, self._header_path)  # the commit point
                files.release(header_tmp)
            except BaseException as exc:
                if _current_id(self._header_path) != self._dataset_id:
                    for final in placed:  # no header refers to them: the old dataset stands
                        files.remove_quietly(final)
                    if isinstance(exc, OSError):
                        raise MindDataError(
                            f"For '{where}', moving the files of {self._name!r} into place "
                            f"failed ({exc}); the previous dataset at that name, if any, is "
                            "untouched" + DOCS
                        ) from exc
                    raise
                previous, foreign = [], []  # the header is ours after all; the old one is unknown
            self._state = "committed"
            # Nothing below can undo the commit: it makes it durable and removes what the new
            # header does not list. A file that cannot be removed is harmless garbage, which
            # the next commit of this name (or verify) finds again.
            files.fsync_dir(directory)
            ours = {os.path.abspath(p) for p in self._shard_paths}
            for path in sorted(set(previous) - ours):
                files.remove_quietly(path)
            if foreign:
                _log.warning(
                    "For '%s', the replaced header of %r listed files that are not provably its "
                    "shards (outside its directory, not named as its shards, a symlink, or of "
                    "another size or digest); they were left alone: %s",
                    where,
                    self._name,
                    ", ".join(foreign),
                )
            # Only files named and made as shards of this name; a file the old header listed
            # but that failed the proof above is left alone, whatever its name.
            keep = [*self._shard_paths, *(f for f in foreign if os.path.isabs(f))]
            for path in files.stray_shards(self._name, keep):
                if is_made_shard(path):
                    files.remove_quietly(path)
            files.remove_stale(self._name, files.stale_temporaries(self._name), "temporary")
            files.fsync_dir(directory)

    # --------------------------------------------------------------------------------------------
    # Helpers
    # --------------------------------------------------------------------------------------------

    def _schema(self, index: int) -> pa.Schema:
        return arrow_schema(self._fields, shard_metadata(self._dataset_id, index))

    def _check_open(self, where: str) -> None:
        if self._state != "open":
            raise MindValueError(
                f"For '{where}', the writer of {self._name!r} is {self._state}; create a new "
                "FileWriter (or FileWriter.open_for_append) to write more" + DOCS
            )

    def _need_schema(self, where: str) -> tuple[FieldSpec, ...]:
        if self._fields is None:
            raise MindValueError(f"For '{where}', call add_schema first" + DOCS)
        return self._fields

    def _check_absent(self, where: str) -> None:
        if os.path.lexists(self._header_path):
            raise MindRecordFormatError(
                f"For '{where}', a MindRecord dataset already exists at {self._name!r} (its "
                f"header {self._header_path}); pass overwrite=True to replace it, or choose "
                "another file_name" + DOCS
            )

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._state = "aborted"
            self._staging.discard()
            self._finalizer.detach()
        elif self._state == "open":
            self.commit()

    @classmethod
    def open_for_append(cls, file_name: str | os.PathLike[str]) -> FileWriter:
        """A writer that adds rows to an existing dataset (any of its shard names will do).

        The existing rows are copied into the new write now, and ``commit()`` replaces the
        whole dataset atomically, so appending costs one rewrite of the dataset. Schema,
        description, index fields and shard count are kept.
        """
        from mind.data._src.mindrecord.reader import ShardReader

        if not isinstance(file_name, (str, os.PathLike)):
            raise MindTypeError(
                "For 'FileWriter.open_for_append', 'file_name' must be a str or path, got "
                f"{_show(file_name)}" + DOCS
            )
        header: Header = read_header(resolve_header(os.fspath(file_name)))
        name = header.path[: -len(files.HEADER_SUFFIX)]
        writer = cls(name, shard_num=len(header.shards), overwrite=True)
        writer.add_schema(header.schema, header.description)
        if header.index_fields:
            writer.add_index(list(header.index_fields))
        with ShardReader(header.path) as reader:
            if reader.num_rows:
                writer._staging.open(
                    writer._shard_paths[0], writer._schema(0), writer._shard_num == 1
                )
            metadata = writer._schema(0).metadata
            for page in reader._pages_in_order():
                writer._append(page.replace_schema_metadata(metadata))
        return writer


def _page_table(path: str) -> list[list[int]]:
    """[rows, XXH3-64] of each page of the shard file ``path``, read back as a reader reads it."""
    source = pa.memory_map(path)
    try:
        reader = pa.ipc.open_file(source)
        pages = (reader.get_batch(i) for i in range(reader.num_record_batches))
        return [[page.num_rows, page_checksum(page)] for page in pages]
    finally:
        source.close()


def _replaced_shards(header_path: str, name: str) -> tuple[list[str], list[str]]:
    """The files the header now at ``header_path`` lists: (those provably its shards, the rest).

    A file is provably a shard of the dataset ``name`` replaces when its name is a plain name
    that a writer of ``name`` gives its shards (``<base>.<id12>.<k>.arrow``, or version 1's
    ``<base>`` and ``<base><k>``), it is a regular file (not a symlink) beside the header, and its
    size and digest (SHA-256, or from version 4 XXH3-128) are the ones the header records. Only those are removed after the commit;
    the rest (full paths where they name a file beside the header, else the name as listed) are
    left alone and reported. The header is read leniently: a header that readers refuse may
    still list its own shards, which are then still proven one by one.
    """
    try:
        doc = json.loads(_read_bytes(header_path).decode("utf-8"))
    except (MindRecordFormatError, UnicodeDecodeError, ValueError, RecursionError):
        return [], []
    entries = doc.get("shards") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return [], []
    version = doc.get("version")
    directory, base = os.path.split(os.path.abspath(name))
    v1 = re.compile(re.escape(base) + r"[0-9]*")
    proven, foreign = [], []
    for entry in entries[: 2 * MAX_SHARDS]:
        file = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(file, str) or files.bad_file_name(file):
            foreign.append(repr(file)[:300])
            continue
        path = os.path.join(directory, file)
        kind = shard_digest_name(version) if isinstance(version, int) else "sha256"
        nbytes, digest = entry.get("bytes"), entry.get(kind)
        named = files.dataset_of_shard(file) == base or v1.fullmatch(file)
        try:
            if not named or not isinstance(nbytes, int) or not isinstance(digest, str):
                raise ValueError
            fd, info = files.open_regular(path)  # a symlink or a FIFO fails here
            os.close(fd)
            if info.st_size != nbytes or files.digest_of(path, kind) != digest:
                raise ValueError
        except (OSError, ValueError):
            if os.path.lexists(path):
                foreign.append(path)
            continue
        proven.append(os.path.abspath(path))
    return proven, foreign


def _current_id(header_path: str) -> str | None:
    """The dataset id of the header at ``header_path`` now; None if it cannot be read."""
    try:
        return read_header(header_path).dataset_id
    except MindRecordFormatError:
        return None


def _check_size(where: str, name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MindTypeError(f"For '{where}', '{name}' must be an int, got {_show(value)}" + DOCS)
    if not low <= value <= high:
        raise MindValueError(
            f"For '{where}', '{name}' must be in [{low}, {high}] bytes, got {value}" + DOCS
        )
