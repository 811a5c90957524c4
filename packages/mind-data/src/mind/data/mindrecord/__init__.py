"""MindRecord: MindSpore's dataset file format API, stored as Apache Arrow IPC files.

``FileWriter`` takes MindSpore 2.x's ``mindspore.mindrecord.FileWriter`` calls (``add_schema``,
``add_index``, ``write_raw_data``, ``commit``) and writes ``shard_num`` memory-mappable Arrow
files plus a JSON header; ``ShardReader`` reads them back with random access, projection and
index lookups; ``verify`` checks a dataset's checksums and contents. The on-disk layout is in
``docs/data.md#mindrecord``.

Example::

    >>> from mind.data.mindrecord import FileWriter, ShardReader
    >>> writer = FileWriter("/tmp/demo.mindrecord", overwrite=True)
    >>> writer.add_schema({"label": {"type": "int64"}, "image": {"type": "bytes"}}, "demo")
    0
    >>> writer.write_raw_data([{"label": 3, "image": b"\\x89PNG"}])
    >>> writer.commit()
    >>> with ShardReader("/tmp/demo.mindrecord") as reader:
    ...     reader.read_row(0)
    {'label': 3, 'image': b'\\x89PNG'}
"""

from __future__ import annotations

from mind.data._src.mindrecord.reader import ShardReader as ShardReader
from mind.data._src.mindrecord.reader import verify as verify
from mind.data._src.mindrecord.writer import FileWriter as FileWriter
from mind.data.errors import MindRecordFormatError as MindRecordFormatError

__all__ = ["FileWriter", "MindRecordFormatError", "ShardReader", "verify"]
