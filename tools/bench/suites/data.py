"""Suite `data`: MindRecord and pipelines against the raw-Arrow floor and PyTorch's DataLoader,
and what MindRecord's integrity checks cost a reader.

The dataset: 100,000 rows in one shard, a 784-byte uint8 image (stored as bytes, MNIST-sized) and
an int32 label. Both cases compare ``verify=True`` (each page's XXH3-64 checked the first time it
is read) with ``verify=False`` on a fresh reader each time, so every timed scan pays every check:
ratio = with / without.

- mindrecord_scan_checksum: one full epoch of ``MindDataset(...).batch(1000)``, what a training
  loop sees.
Against a peer (issue 11's goals, ratio mind/peer):

- mindrecord_scan_rows / mindrecord_scan_b256: one epoch of ``MindDataset(shuffle=False)`` as
  numpy rows, and batched by 256; peer: the same table in one memory-mapped Arrow IPC file, read
  with pyarrow directly (per-row slices of the value buffer; 256-row copies of it). Goals <= 2.0
  and <= 1.25.
- mindrecord_random_access: 10,000 random rows through ``ShardReader.read_row``; peer: a search
  over the IPC file's cumulative batch counts and a slice of that batch. Goal <= 1.5.
- mindrecord_write: ``FileWriter`` (columnar ``write_raw_data``, commit); peer: pyarrow's IPC
  file writer on the same table with batches of the same size. Goal <= 1.5.
- pipeline_images: JPEG decode + RandomResizedCrop(24) + RandomHorizontalFlip + Normalize +
  HWC2CHW + batch 64, 2 process workers, over 2,048 32x32 JPEGs; peer: torch.utils.data.
  DataLoader with the same Pillow/numpy transforms and 2 workers (torch==2.13.0, `nox -s bench`).
  Goal <= 0.8.

Checksum cost (peer: Mind itself with ``verify=False``):

- shardreader_bulk_checksum: the reader's bulk path alone, ``ShardReader.read_rows`` over every
  row in batches of 1,000: the least work per byte, so the largest share for the checksum (one
  ``xxhash.xxh3_64`` pass over the 78 MB of pages).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import numpy as np
from harness import Case, PeerUnavailable

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


# ------------------------------------------------------------------------------------------------
# The raw-Arrow peer
# ------------------------------------------------------------------------------------------------


def _arrow_table():
    import pyarrow as pa

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (ROWS, 784), dtype=np.uint8)
    offsets = np.arange(0, ROWS * 784 + 1, 784, dtype=np.int32)
    image = pa.BinaryArray.from_buffers(
        pa.binary(), ROWS, [None, pa.py_buffer(offsets), pa.py_buffer(images)]
    )
    label = pa.array(rng.integers(0, 10, ROWS, dtype=np.int32))
    return pa.table({"image": image, "label": label})


def _arrow_write(table, path: str) -> None:
    import pyarrow as pa

    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=1000):  # MindRecord's PAGE_ROWS
            writer.write_batch(batch)


def _arrow_pages(path: str):
    """(values, offsets, labels) of each batch of the memory-mapped IPC file, as numpy views."""
    import pyarrow as pa

    reader = pa.ipc.open_file(pa.memory_map(path))
    pages = []
    for i in range(reader.num_record_batches):
        batch = reader.get_batch(i)
        image, label = batch.column(0), batch.column(1)
        bufs = image.buffers()
        offsets = np.frombuffer(bufs[1], np.int32)[image.offset : image.offset + len(image) + 1]
        pages.append((np.frombuffer(bufs[2], np.uint8), offsets, label.to_numpy()))
    return pages


def _arrow_rows(path: str):
    def run():
        count = 0
        for values, offsets, labels in _arrow_pages(path):
            for i in range(len(labels)):
                image, label = values[offsets[i] : offsets[i + 1]], labels[i]
                count += 1
        assert count == ROWS and image.shape == (784,) and label >= 0

    return run


def _arrow_b256(path: str):
    def run():
        pages = _arrow_pages(path)
        values = np.concatenate([v[o[0] : o[-1]] for v, o, _ in pages]).reshape(ROWS, 784)
        labels = np.concatenate([lab for _, _, lab in pages])
        count = 0
        for lo in range(0, ROWS, 256):
            images, batch_labels = values[lo : lo + 256].copy(), labels[lo : lo + 256].copy()
            count += len(batch_labels)
        assert count == ROWS and images.shape[1] == 784

    return run


def _mind_rows(name: str):
    import mind.data as ds

    def run():
        count = sum(
            1 for _ in ds.MindDataset(name, shuffle=False).create_tuple_iterator(output_numpy=True)
        )
        assert count == ROWS

    return run


def _mind_b256(name: str):
    import mind.data as ds

    def run():
        data = ds.MindDataset(name, shuffle=False).batch(256)
        count = sum(len(label) for _, label in data.create_tuple_iterator(output_numpy=True))
        assert count == ROWS

    return run


INDICES = np.random.default_rng(1).integers(0, ROWS, 10_000)


def _mind_random(name: str):
    from mind.data.mindrecord import ShardReader

    reader = ShardReader(name)
    atexit.register(reader.close)

    def run():
        for i in INDICES.tolist():
            row = reader.read_row(i)
        assert len(row["image"]) == 784

    return run


def _arrow_random(path: str):
    pages = _arrow_pages(path)
    starts = np.cumsum([0] + [len(lab) for _, _, lab in pages])

    def run():
        for i in INDICES.tolist():
            k = int(np.searchsorted(starts, i, side="right")) - 1
            values, offsets, labels = pages[k]
            j = i - int(starts[k])
            row = {"image": values[offsets[j] : offsets[j + 1]].copy(), "label": labels[j]}
        assert len(row["image"]) == 784

    return run


def _mind_write(directory: str, table):
    from mind.data.mindrecord import FileWriter

    images = np.frombuffer(table.column("image").chunk(0).buffers()[2], np.uint8)
    images = images.reshape(ROWS, 784)
    labels = table.column("label").to_numpy()
    rows = [row.tobytes() for row in images]

    def run():
        writer = FileWriter(f"{directory}/w.mindrecord", shard_num=1, overwrite=True)
        writer.add_schema({"image": {"type": "bytes"}, "label": {"type": "int32"}})
        writer.write_raw_data({"image": rows, "label": labels})
        writer.commit()

    return run


def _arrow_writer(directory: str, table):
    def run():
        _arrow_write(table, f"{directory}/w.arrow")

    return run


# ------------------------------------------------------------------------------------------------
# pipeline_images: Mind's pipeline against torch's DataLoader, the same transforms
# ------------------------------------------------------------------------------------------------

IMAGES = 2048
MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
STD = np.array([0.229, 0.224, 0.225], np.float32) * 255


def _jpegs(quick: bool) -> list[bytes]:
    import io

    from PIL import Image

    rng = np.random.default_rng(2)
    out = []
    for _ in range(512 if quick else IMAGES):
        buffer = io.BytesIO()
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(
            buffer, format="JPEG", quality=90
        )
        out.append(buffer.getvalue())
    return out


def _mind_pipeline(jpegs: list[bytes]):
    import mind.data as ds
    from mind.data import vision

    def run():
        data = ds.GeneratorDataset(
            lambda: ((np.frombuffer(j, np.uint8), np.int32(k % 10)) for k, j in enumerate(jpegs)),
            ["image", "label"],
            shuffle=False,
        )
        data = data.map(
            [
                vision.Decode(),
                vision.RandomResizedCrop(24),
                vision.RandomHorizontalFlip(),
                vision.Normalize(MEAN.tolist(), STD.tolist()),
                vision.HWC2CHW(),
            ],
            "image",
            num_parallel_workers=2,
            python_multiprocessing=True,
        ).batch(64)
        count = sum(len(label) for _, label in data.create_tuple_iterator(output_numpy=True))
        assert count == len(jpegs)

    return run


def _torch_pipeline(jpegs: list[bytes]):
    try:
        import torch
        from torch.utils.data import DataLoader, Dataset
    except ImportError as exc:
        raise PeerUnavailable(
            f"torch is not installed ({exc}); run `nox -s bench -- data`"
        ) from None
    import io
    import random

    from PIL import Image

    class Jpegs(Dataset):
        def __len__(self):
            return len(jpegs)

        def __getitem__(self, k):
            image = Image.open(io.BytesIO(jpegs[k])).convert("RGB")
            w, h = image.size
            # RandomResizedCrop(24): scale (0.08, 1), ratio (3/4, 4/3), as torchvision's
            for _ in range(10):
                area = w * h * random.uniform(0.08, 1.0)
                ratio = np.exp(random.uniform(np.log(3 / 4), np.log(4 / 3)))
                cw, ch = round((area * ratio) ** 0.5), round((area / ratio) ** 0.5)
                if 0 < cw <= w and 0 < ch <= h:
                    x, y = random.randint(0, w - cw), random.randint(0, h - ch)
                    break
            else:
                cw, ch, x, y = w, h, 0, 0
            image = image.resize((24, 24), Image.BILINEAR, box=(x, y, x + cw, y + ch))
            array = np.asarray(image, np.float32)
            if random.random() < 0.5:
                array = array[:, ::-1]
            array = ((array - MEAN) / STD).transpose(2, 0, 1)
            return torch.from_numpy(np.ascontiguousarray(array)), k % 10

    loader_args = {"batch_size": 64, "num_workers": 2, "shuffle": False}

    def run():
        count = sum(len(label) for _, label in DataLoader(Jpegs(), **loader_args))
        assert count == len(jpegs)

    return run


# ------------------------------------------------------------------------------------------------
# MindSpore 2.10 as the optional peer (issue 11): imported lazily, inside the peer factories, so a
# bench env without it skips these cases with a reason and the other cases never see it
# ------------------------------------------------------------------------------------------------

MINDSPORE = "mindspore==2.10.0"


def _mindspore():
    try:
        import mindspore
        import mindspore.dataset
        import mindspore.mindrecord
    except Exception as exc:  # ImportError, or a broken native build raising something else
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise PeerUnavailable(
            f"mindspore is not importable ({reason}); run `nox -s bench_mindspore`"
        ) from None
    return mindspore


def _ms_write_rows(path: str, rows: list[dict]) -> None:
    from mindspore.mindrecord import FileWriter

    writer = FileWriter(path, shard_num=1, overwrite=True)
    writer.add_schema({"image": {"type": "bytes"}, "label": {"type": "int32"}}, "mnist_like")
    for lo in range(0, len(rows), 10_000):  # write_raw_data takes a list of row dicts
        writer.write_raw_data(rows[lo : lo + 10_000])
    writer.commit()


def _ms_rows_of(table) -> list[dict]:
    images = np.frombuffer(table.column("image").chunk(0).buffers()[2], np.uint8)
    images = images.reshape(ROWS, 784)
    labels = table.column("label").to_numpy()
    return [{"image": im.tobytes(), "label": int(lab)} for im, lab in zip(images, labels)]


def _ms_scan(directory: str, table, batch: int | None):
    _mindspore()
    import mindspore.dataset as msds

    path = f"{directory}/ms_peer.mindrecord"
    _ms_write_rows(path, _ms_rows_of(table))

    def run():
        data = msds.MindDataset(path, shuffle=False)
        if batch is not None:
            data = data.batch(batch)
            count = sum(len(lab) for _, lab in data.create_tuple_iterator(output_numpy=True))
        else:
            count = sum(1 for _ in data.create_tuple_iterator(output_numpy=True))
        assert count == ROWS

    return run


def _ms_writer(directory: str, table):
    _mindspore()
    rows = _ms_rows_of(table)

    def run():
        _ms_write_rows(f"{directory}/ms_w.mindrecord", rows)

    return run


def _ms_pipeline(jpegs: list[bytes]):
    _mindspore()
    import mindspore.dataset as msds
    from mindspore.dataset import vision as msvision

    def run():
        data = msds.GeneratorDataset(
            # 0-d arrays, not numpy scalars: MindSpore 2.10's GeneratorDataset calls
            # np.array(x, copy=False), which numpy 2 refuses for a scalar
            lambda: (
                (np.frombuffer(j, np.uint8), np.array(k % 10, np.int32))
                for k, j in enumerate(jpegs)
            ),
            ["image", "label"],
            shuffle=False,
        )
        data = data.map(
            [
                msvision.Decode(),
                msvision.RandomResizedCrop(24),
                msvision.RandomHorizontalFlip(),
                msvision.Normalize(MEAN.tolist(), STD.tolist()),
                msvision.HWC2CHW(),
            ],
            "image",
            num_parallel_workers=2,
            python_multiprocessing=True,
        ).batch(64)
        count = sum(len(label) for _, label in data.create_tuple_iterator(output_numpy=True))
        assert count == len(jpegs)

    return run


def _lazy(factory):
    built = []

    def run():
        if not built:
            built.append(factory())
        return built[0]()

    return run


def _mindspore_cases(name, directory, table, jpegs, quick: bool) -> list[Case]:
    """The four MindSpore-peer cases; each one's peer_error is the reason when it cannot run."""
    scans = 3 if quick else 7
    specs = [
        (
            "mindrecord_scan_rows_mindspore",
            _mind_rows(name),
            "mindspore MindDataset",
            lambda: _ms_scan(directory, table, None),
            scans,
        ),
        (
            "mindrecord_scan_b256_mindspore",
            _mind_b256(name),
            "mindspore MindDataset",
            lambda: _ms_scan(directory, table, 256),
            scans,
        ),
        (
            "mindrecord_write_mindspore",
            _mind_write(directory, table),
            "mindspore FileWriter",
            lambda: _ms_writer(directory, table),
            scans,
        ),
        (
            "pipeline_images_mindspore",
            _mind_pipeline(jpegs),
            "mindspore GeneratorDataset",
            lambda: _ms_pipeline(jpegs),
            3 if quick else 5,
        ),
    ]
    import importlib.util

    # find_spec does not import: cases() runs for every --case filter, and only a selected case's
    # first (untimed warm-up) call imports mindspore and builds the peer's file
    error = None
    if importlib.util.find_spec("mindspore") is None:
        error = f"mindspore is not installed; run `nox -s bench_mindspore` ({MINDSPORE})"
    out = []
    for case_name, mind, peer, factory, repeats in specs:
        peer_fn = None if error else _lazy(factory)
        out.append(
            Case(
                case_name,
                mind=mind,
                peer=peer,
                peer_fn=peer_fn,
                peer_error=error,
                repeats=repeats,
                warmup=1,
            )
        )
    return out


def cases(quick: bool, threads: int) -> list[Case]:
    name = _dataset()
    directory = tempfile.mkdtemp(prefix="mind-bench-arrow-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    table = _arrow_table()
    arrow = f"{directory}/peer.arrow"
    _arrow_write(table, arrow)
    jpegs = _jpegs(quick)
    try:
        torch_pipeline, torch_error = _torch_pipeline(jpegs), None
    except PeerUnavailable as exc:
        torch_pipeline, torch_error = None, str(exc)
    repeats = 5 if quick else 15
    scans = 3 if quick else 7
    return [
        Case(
            "mindrecord_scan_rows",
            mind=_mind_rows(name),
            peer="pyarrow ipc mmap",
            peer_fn=_arrow_rows(arrow),
            repeats=scans,
            warmup=1,
        ),
        Case(
            "mindrecord_scan_b256",
            mind=_mind_b256(name),
            peer="pyarrow ipc mmap",
            peer_fn=_arrow_b256(arrow),
            repeats=scans,
            warmup=1,
        ),
        Case(
            "mindrecord_random_access",
            mind=_mind_random(name),
            peer="pyarrow ipc mmap",
            peer_fn=_arrow_random(arrow),
            repeats=scans,
            warmup=1,
        ),
        Case(
            "mindrecord_write",
            mind=_mind_write(directory, table),
            peer="pyarrow ipc write",
            peer_fn=_arrow_writer(directory, table),
            repeats=scans,
            warmup=1,
        ),
        Case(
            "pipeline_images",
            mind=_mind_pipeline(jpegs),
            peer="torch DataLoader",
            peer_fn=torch_pipeline,
            peer_error=torch_error,
            repeats=3 if quick else 5,
            warmup=1,
        ),
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
        # last: importing mindspore may change thread settings for whatever runs after it
        *_mindspore_cases(name, directory, table, jpegs, quick),
    ]
