"""Suite `data`: what MindRecord's integrity checks cost a reader.

The dataset: 100,000 rows in one shard, a 784-byte uint8 image (stored as bytes, MNIST-sized) and
an int32 label. Both cases compare ``verify=True`` (each page's XXH3-64 checked the first time it
is read) with ``verify=False`` on a fresh reader each time, so every timed scan pays every check:
ratio = with / without.

- mindrecord_scan_checksum: one full epoch of ``MindDataset(...).batch(1000)``, what a training
  loop sees.
- shardreader_bulk_checksum: the reader's bulk path alone, ``ShardReader.read_rows`` over every
  row in batches of 1,000: the least work per byte, so the largest share for the checksum (one
  ``xxhash.xxh3_64`` pass over the 78 MB of pages).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import numpy as np
from harness import Case

ROWS = 100_000
BATCH = 1000


def _dataset() -> str:
    from mind.data.mindrecord import FileWriter

    directory = tempfile.mkdtemp(prefix="mind-bench-data-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    name = f"{directory}/mnist_like.mindrecord"
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (ROWS, 784), dtype=np.uint8)
    writer = FileWriter(name, shard_num=1)
    writer.add_schema({"image": {"type": "bytes"}, "label": {"type": "int32"}})
    for lo in range(0, ROWS, 10_000):
        writer.write_raw_data(
            {
                "image": [row.tobytes() for row in images[lo : lo + 10_000]],
                "label": rng.integers(0, 10, 10_000, dtype=np.int32),
            }
        )
    writer.commit()
    return name


def _scan(name: str, verify: bool):
    from mind.data.mindrecord import ShardReader

    def run():
        with ShardReader(name, verify=verify) as reader:
            for lo in range(0, reader.num_rows, BATCH):
                batch = reader.read_rows(np.arange(lo, min(lo + BATCH, reader.num_rows)))
            assert len(batch["label"]) == BATCH

    return run


def _epoch(name: str, verify: bool):
    import mind.data as ds

    def run():
        data = ds.MindDataset(name, shuffle=False, verify=verify).batch(BATCH)
        count = sum(1 for _ in data.create_tuple_iterator(output_numpy=True))
        assert count == ROWS // BATCH

    return run


def cases(quick: bool, threads: int) -> list[Case]:
    name = _dataset()
    repeats = 5 if quick else 15
    return [
        Case(
            "mindrecord_scan_checksum",
            mind=_epoch(name, verify=True),
            peer="mind verify=False",
            peer_fn=_epoch(name, verify=False),
            repeats=5 if quick else 9,
            warmup=1,
        ),
        Case(
            "shardreader_bulk_checksum",
            mind=_scan(name, verify=True),
            peer="mind verify=False",
            peer_fn=_scan(name, verify=False),
            repeats=repeats,
            warmup=1,
        ),
    ]
