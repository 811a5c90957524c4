"""Pipeline faults: hangs (the stall watchdog), crashed and orphaned workers, Ctrl-C with hung
threads, rows whose dtype or shape changes, generator errors, gzip bombs, hostile image files and
garbage iterator states."""

import ctypes
import faulthandler
import gzip
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import numpy as np
import pytest

import mind.data as ds
from mind.core.errors import MindTypeError, MindValueError
from mind.data._src import readers
from mind.data._src.fixtures import write_mnist
from mind.data._src.readers import ImageFolderReader, MnistReader
from mind.data.errors import MindDataError, PipelineStallError


@pytest.fixture(autouse=True)
def _config():
    ds.config.set_seed(1234)
    yield
    ds.config.set_multiprocessing_timeout_interval(300)
    ds.config.set_error_on_stall(False)


def leftovers(pid=None):
    time.sleep(0.05)
    prefix = f"mind_{pid or os.getpid()}_"
    return [f for f in os.listdir("/dev/shm") if f.startswith(prefix)]


def processes_with(marker):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


# ------------------------------------------------------------------------------------------------
# The stall watchdog
# ------------------------------------------------------------------------------------------------


def test_watchdog_config_follows_mindspore():
    assert ds.config.get_multiprocessing_timeout_interval() == 300  # MindSpore's default
    ds.config.set_multiprocessing_timeout_interval(7)
    assert ds.config.get_multiprocessing_timeout_interval() == 7
    with pytest.raises(MindTypeError, match="'interval' must be an int, got float"):
        ds.config.set_multiprocessing_timeout_interval(1.5)
    with pytest.raises(MindTypeError):
        ds.config.set_multiprocessing_timeout_interval(True)
    with pytest.raises(MindValueError, match=r"must be in \[1, 2147483647\], got 0"):
        ds.config.set_multiprocessing_timeout_interval(0)
    assert ds.config.get_error_on_stall() is False
    ds.config.set_error_on_stall(True)
    assert ds.config.get_error_on_stall() is True
    with pytest.raises(MindTypeError, match="must be a bool"):
        ds.config.set_error_on_stall(1)


_release = threading.Event()  # lets abandoned hung threads finish once a test is over


def _hang():
    # Released when the test is over (an abandoned thread then finishes); a forked worker waits on
    # its own copy of the event until the pool terminates it.
    _release.wait(60)


class HangsAt:
    def __init__(self, row):
        self.row = row

    def __len__(self):
        return 20

    def __getitem__(self, i):
        if i == self.row:
            _hang()
        return np.array(i)


def hang_at_7(x):
    if int(x) == 7:
        _hang()
    return x


def pipelines():
    def gen():
        for i in range(20):
            if i == 7:
                _hang()
            yield np.array(i)

    return {
        "map-threads": (
            ds.NumpySlicesDataset(np.arange(20), ["x"], shuffle=False).map(
                hang_at_7, num_parallel_workers=2
            ),
            "map (hang_at_7)",
            "worker thread",
        ),
        "map-processes": (
            ds.NumpySlicesDataset(np.arange(20), ["x"], shuffle=False).map(
                hang_at_7, num_parallel_workers=2, python_multiprocessing=True
            ),
            "map (hang_at_7)",
            "worker process pid",
        ),
        "source-threads": (
            ds.GeneratorDataset(
                HangsAt(7),
                ["x"],
                shuffle=False,
                num_parallel_workers=2,
                python_multiprocessing=False,
            ),
            "GeneratorDataset(HangsAt)[index]",
            "worker thread",
        ),
        "source-processes": (
            ds.GeneratorDataset(HangsAt(7), ["x"], shuffle=False, num_parallel_workers=2),
            "GeneratorDataset(HangsAt)[index]",
            "worker process pid",
        ),
        "generator-pipeline-thread": (
            ds.GeneratorDataset(gen, ["x"]),
            "GeneratorDataset",
            "the pipeline thread",
        ),
    }


@pytest.mark.parametrize("mode", list(pipelines()))
def test_a_hung_op_is_an_error_naming_op_worker_and_row(mode):
    data, op, worker = pipelines()[mode]
    _release.clear()
    ds.config.set_multiprocessing_timeout_interval(1)
    ds.config.set_error_on_stall(True)
    got = []
    start = time.monotonic()
    try:
        with pytest.raises(PipelineStallError) as info:
            for (x,) in data.create_tuple_iterator(output_numpy=True):
                got.append(int(x))
    finally:
        _release.set()
    elapsed = time.monotonic() - start
    text = str(info.value)
    assert got == list(range(7))
    assert f"for '{op}', {worker}" in text and "row 7" in text, text
    assert "produced no row for" in text
    assert elapsed < 30
    assert wait_until(lambda: not leftovers(), 5)
    assert wait_until(lambda: not multiprocessing.active_children(), 5)


def slow_row_3(x):
    if int(x) == 3:
        time.sleep(2.7)
    return x


def test_a_stall_is_warned_every_interval_and_the_pipeline_goes_on(caplog):
    ds.config.set_multiprocessing_timeout_interval(1)
    data = ds.NumpySlicesDataset(np.arange(6), ["x"], shuffle=False).map(
        slow_row_3, num_parallel_workers=2
    )
    with caplog.at_level(logging.WARNING, logger="mind.data"):
        out = [int(x) for (x,) in data.create_tuple_iterator(output_numpy=True)]
    assert out == list(range(6))
    warnings = [r.getMessage() for r in caplog.records if "produced no row" in r.getMessage()]
    assert 2 <= len(warnings) <= 3, warnings
    assert all("for 'map (slow_row_3)', worker thread" in w and "row 3" in w for w in warnings)


# ------------------------------------------------------------------------------------------------
# Crashed and orphaned workers, Ctrl-C
# ------------------------------------------------------------------------------------------------


def segfault_at_37(x):
    if int(x) == 37:
        faulthandler.disable()  # pytest's faulthandler would print the worker's stacks
        ctypes.string_at(0)  # SIGSEGV
    time.sleep(0.001)
    return x


def test_a_crashed_worker_is_reported_with_its_own_row():
    data = ds.NumpySlicesDataset(np.arange(60), ["x"], shuffle=False).map(
        segfault_at_37, num_parallel_workers=2, python_multiprocessing=True
    )
    with pytest.raises(MindDataError) as info:
        list(data.create_tuple_iterator(output_numpy=True))
    text = str(info.value)
    assert "a worker process died" in text and "SIGSEGV" in text, text
    assert "on row 37;" in text and "row 36" not in text, text
    assert not leftovers()


_ORPHAN_SCRIPT = """
import sys, time, numpy as np
import mind.data as ds
MARKER = "{marker}"
def work(x):
    if int(x) >= 6:
        time.sleep(1000)  # the workers are busy when the parent is killed
    return x
data = ds.NumpySlicesDataset(np.arange(100), ["x"], shuffle=False).map(
    work, num_parallel_workers=2, python_multiprocessing=True)
for i, _ in enumerate(data.create_tuple_iterator(output_numpy=True)):
    if i == 2:
        print("started", flush=True)
"""


def test_workers_and_shared_memory_go_when_the_parent_is_killed():
    marker = f"mind-orphan-{uuid.uuid4().hex}"
    child = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT.format(marker=marker)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        # Two workers and the blocks of the rows in flight exist before the kill.
        assert wait_until(lambda: len(processes_with(marker)) == 3, 10)
        assert wait_until(lambda: leftovers(child.pid), 10)
    finally:
        child.kill()
        child.wait()
    assert wait_until(lambda: processes_with(marker) == [], 10), processes_with(marker)
    assert wait_until(lambda: leftovers(child.pid) == [], 10), leftovers(child.pid)


_SIGINT_SCRIPT = """
import sys, time, numpy as np
import mind.data as ds
def work(x):
    if int(x) >= 5:
        time.sleep(1000)  # hung user code in both thread workers
    return x
data = ds.NumpySlicesDataset(np.arange(100), ["x"], shuffle=False).map(work, num_parallel_workers=2)
for i, _ in enumerate(data.create_tuple_iterator(output_numpy=True)):
    if i == 2:
        print("started", flush=True)
"""


def test_ctrl_c_with_hung_thread_workers_returns_promptly():
    child = subprocess.Popen(
        [sys.executable, "-c", _SIGINT_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(0.3)  # let the workers reach the hung rows
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        child.kill()
    assert "KeyboardInterrupt" in err and child.returncode != 0
    assert took < 2, f"exit took {took:.1f} s"  # was: never


# ------------------------------------------------------------------------------------------------
# Rows that change dtype or shape; generator errors
# ------------------------------------------------------------------------------------------------


def test_a_row_with_another_dtype_is_an_error_naming_row_op_and_dtypes():
    def gen():
        for i in range(8):
            yield (np.array(f"s{i}") if i == 5 else np.array(i),)

    with pytest.raises(MindDataError) as info:
        list(ds.GeneratorDataset(gen, ["x"]).batch(4).create_tuple_iterator(output_numpy=True))
    text = str(info.value)
    assert "For 'GeneratorDataset', column 'x' of row 5 has dtype <U2" in text, text
    assert "first row has dtype int64" in text

    def text_at_3(x):
        return np.array("three") if int(x) == 3 else x

    for workers in (1, 3):
        data = ds.NumpySlicesDataset(np.arange(8), ["x"], shuffle=False).map(
            text_at_3, num_parallel_workers=workers
        )
        with pytest.raises(
            MindDataError,
            match=r"map \(text_at_3\)', column 'x' of row 3 "
            r"has dtype <U5, but the column's first row has dtype int64",
        ):
            list(data.batch(4).create_tuple_iterator(output_numpy=True))


def objects(x):
    return np.array([int(x), "a"], dtype=object)


@pytest.mark.parametrize(("workers", "processes"), [(1, False), (2, False), (2, True)])
def test_object_arrays_are_refused_in_every_mode(workers, processes):
    data = ds.NumpySlicesDataset(np.arange(4), ["x"], shuffle=False).map(
        objects, num_parallel_workers=workers, python_multiprocessing=processes
    )
    with pytest.raises(MindDataError, match="arrays? of Python objects"):
        list(data.create_tuple_iterator(output_numpy=True))
    assert not leftovers()


def test_ragged_rows_and_shape_changes_name_the_row():
    def ragged():
        yield ([1, 2],)
        yield ([1, [2, 3]],)

    with pytest.raises(MindDataError, match=r"cannot become one array .*\(row 1;"):
        list(ds.GeneratorDataset(ragged, ["x"]).create_tuple_iterator(output_numpy=True))

    def shapes():
        for i in range(8):
            yield (np.zeros(3 if i == 5 else 2),)

    with pytest.raises(
        MindDataError,
        match=r"column 'x' has rows of different shapes \[\(2,\), \(3,\)\]: row 5 \(row 1 of "
        r"batch 1\) has shape \(3,\)",
    ):
        list(ds.GeneratorDataset(shapes, ["x"]).batch(4).create_tuple_iterator(output_numpy=True))


def test_strings_of_different_lengths_still_batch():
    words = ["a", "bcd", "ef"]
    data = ds.GeneratorDataset(lambda: ((np.array(w),) for w in words), ["w"]).batch(3)
    (batch,) = next(iter(data.create_tuple_iterator(output_numpy=True)))
    assert batch.dtype == np.dtype("<U3") and batch.tolist() == words


def test_a_generator_error_is_wrapped_with_its_row_and_traceback():
    def broken_source():
        for i in range(10):
            if i == 4:
                raise KeyError("missing sample")
            yield (np.array(i),)

    with pytest.raises(MindDataError) as info:
        list(ds.GeneratorDataset(broken_source, ["x"]).create_tuple_iterator(output_numpy=True))
    text = str(info.value)
    assert "For 'GeneratorDataset', the source failed on row 4" in text
    assert "KeyError: 'missing sample'" in text and "in broken_source" in text
    assert isinstance(info.value.__cause__, KeyError)

    def not_iterable():
        return 42

    with pytest.raises(MindDataError, match="(?s)starting the source failed.*TypeError"):
        list(ds.GeneratorDataset(not_iterable, ["x"]).create_tuple_iterator(output_numpy=True))


# ------------------------------------------------------------------------------------------------
# Readers: gzip bombs, hostile images
# ------------------------------------------------------------------------------------------------


def test_a_gzip_bomb_is_refused_before_it_is_decompressed(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "_GZ_FREE", 1 << 20)  # so a 16 MB bomb shows it
    count = 20_000
    write_mnist(
        tmp_path, np.zeros((count, 28, 28), np.uint8), np.zeros(count, np.uint8), compress=True
    )
    images = tmp_path / "train-images-idx3-ubyte.gz"
    assert images.stat().st_size < 100_000  # 15.7 MB of zeros
    decompressed = []
    readinto = gzip.GzipFile.readinto
    monkeypatch.setattr(
        gzip.GzipFile,
        "readinto",
        lambda self, b: decompressed.append(readinto(self, b)) or decompressed[-1],
    )
    with pytest.raises(MindDataError) as info:
        MnistReader(tmp_path)
    text = str(info.value)
    assert "train-images-idx3-ubyte.gz declares 20000 images of 28x28" in text, text
    assert "times its compressed size" in text and "gunzip" in text
    assert sum(decompressed) == 0
    # The same size of real (incompressible) pixels is read.
    pixels = np.random.default_rng(0).integers(0, 256, (2000, 28, 28), dtype=np.uint8)
    write_mnist(tmp_path, pixels, np.zeros(2000, np.uint8), compress=True)
    np.testing.assert_array_equal(MnistReader(tmp_path)[1999][0][..., 0], pixels[1999])


def test_a_gzip_trailer_that_disagrees_with_the_header_is_refused(tmp_path):
    image_path, _ = write_mnist(
        tmp_path, np.ones((3, 28, 28), np.uint8), np.ones(3, np.uint8), compress=True
    )
    data = bytearray(image_path.read_bytes())
    data[-4:] = (10**6).to_bytes(4, "little")
    image_path.write_bytes(bytes(data))
    with pytest.raises(MindDataError, match="trailer records 1000000 bytes uncompressed, but its"):
        MnistReader(tmp_path)


def test_image_folder_never_runs_a_program_and_names_every_bad_file(tmp_path):
    from PIL import Image

    (tmp_path / "c").mkdir()
    # An EPS file named as a JPEG: Pillow's EPS plugin would run Ghostscript to decode it.
    (tmp_path / "c" / "a.jpg").write_bytes(
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 4 4\nshowpage\n"
    )
    Image.new("RGB", (4, 4)).save(tmp_path / "c" / "b.png")
    good = (tmp_path / "c" / "b.png").read_bytes()
    (tmp_path / "c" / "c.png").write_bytes(good[: len(good) // 2])  # truncated
    (tmp_path / "c" / "d.png").write_bytes(good[:16] + b"\xff" * 40 + good[56:])  # bad header
    (tmp_path / "c" / "e.gif").write_bytes(b"GIF89a" + b"\x00" * 7)
    reader = ImageFolderReader(tmp_path, decode=True)
    assert reader[1][0].shape == (4, 4, 3)
    for i, name in [(0, "a.jpg"), (2, "c.png"), (3, "d.png"), (4, "e.gif")]:
        with pytest.raises(MindDataError, match=rf"c/{name} cannot be decoded as an image"):
            reader[i]


# ------------------------------------------------------------------------------------------------
# set_state
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "error", "message"),
    [
        (
            None,
            MindTypeError,
            "'state' must be the dict that get_state\\(\\) returned, got NoneType",
        ),
        ([1, 2], MindTypeError, "got list"),
        ({}, MindValueError, "state\\['format'\\] must be 1 .*got None"),
        ({"format": 2}, MindValueError, "got 2"),
        ({"format": 1, "seed": 1}, MindValueError, "lacks the fields \\['epoch', 'position'\\]"),
        ({"format": 1, "seed": 1, "epoch": 0, "position": 0, "x": 1}, MindValueError, "unknown"),
        ({"format": 1, "seed": "7", "epoch": 0, "position": 0}, MindTypeError, "'seed'.*got str"),
        ({"format": 1, "seed": 1, "epoch": 0.5, "position": 0}, MindTypeError, "got float"),
        ({"format": 1, "seed": 1, "epoch": True, "position": 0}, MindTypeError, "got bool"),
        ({"format": 1, "seed": -1, "epoch": 0, "position": 0}, MindValueError, "in \\[0, 4294"),
        ({"format": 1, "seed": 1, "epoch": -2, "position": 0}, MindValueError, ">= 0, got -2"),
        ({"format": 1, "seed": 1, "epoch": 3, "position": 0}, MindValueError, "runs 2 epoch"),
        ({"format": 1, "seed": 1, "epoch": 0, "position": 11}, MindValueError, "has 10 rows"),
    ],
)
def test_set_state_with_garbage_says_what_is_wrong(state, error, message):
    it = ds.NumpySlicesDataset(np.arange(10), ["x"]).create_tuple_iterator(num_epochs=2)
    with pytest.raises(error, match=message):
        it.set_state(state)
    it.set_state({"format": 1, "seed": 5, "epoch": 1, "position": 10})  # still usable
