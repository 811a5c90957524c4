"""Process workers that move rows in chunks, and per-row randomness built only when drawn."""

import os
import signal
import time

import numpy as np
import pytest

import mind.data as ds
from mind.data._src import random as mrandom
from mind.data._src import workers as W
from mind.data._src.random import current_rng, row_generator
from mind.data._src.workers import ProcessPool, run_row
from mind.data.errors import MindDataError


def _leftovers(prefix):
    time.sleep(0.05)
    return [f for f in os.listdir("/dev/shm") if f.startswith(prefix)]


def _noisy(x):
    return x + current_rng().integers(0, 1000, size=x.shape)


def test_chunked_rows_match_the_serial_path_across_chunk_boundaries():
    rows = [(np.full(3, i),) for i in range(200)]  # > several chunks of 64
    pool = ProcessPool(_noisy, 2, "noisy")
    try:
        got = [out[0] for out in pool.imap(iter(rows), 7, 2, 1)]
    finally:
        pool.close()
    want = [run_row(_noisy, row, 7, 2, i, 1)[0] for i, row in enumerate(rows)]
    assert len(got) == 200
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)
    assert not _leftovers(pool.prefix)


def _fail_at_70(x):
    if int(x[0]) == 70:
        raise ValueError("bad row")
    return x


def test_an_error_inside_a_chunk_names_its_row_and_rows_before_it_come_through():
    pool = ProcessPool(_fail_at_70, 2, "fail_at_70")
    got = []
    with pytest.raises(MindDataError) as info:
        for out in pool.imap(iter([(np.array([i]),) for i in range(150)]), 1, 0, 0):
            got.append(int(out[0][0]))
    pool.close()
    text = str(info.value)
    assert "70" in text and "bad row" in text, text
    assert got == list(range(70))
    assert not _leftovers(pool.prefix)


def _kill_at_45(x):
    if int(x) == 45:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_a_worker_killed_inside_a_chunk_is_reported_with_its_row():
    data = ds.NumpySlicesDataset(np.arange(120), ["x"], shuffle=False).map(
        _kill_at_45, num_parallel_workers=2, python_multiprocessing=True
    )
    with pytest.raises(MindDataError) as info:
        list(data.create_tuple_iterator(output_numpy=True))
    text = str(info.value)
    assert "SIGKILL" in text and "on row 45;" in text, text
    assert not _leftovers(f"mind_{os.getpid()}_")


def test_a_slow_source_does_not_wait_for_a_chunk_to_fill():
    def slow():
        for i in range(4):
            time.sleep(0.2)
            yield (np.array([i]),)

    pool = ProcessPool(lambda x: x, 2, "identity")
    try:
        start = time.monotonic()
        first = next(iter(pool.imap(slow(), 1, 0, 0)))
        elapsed = time.monotonic() - start
    finally:
        pool.close()
    assert int(first[0][0]) == 0
    assert elapsed < 0.75, elapsed  # a generous bound: a filled chunk would take 0.8 s or more
    assert not _leftovers(pool.prefix)


def test_a_deterministic_op_builds_no_generator(monkeypatch):
    calls = []
    real = mrandom._row_state  # every way of setting up a row's generator goes through it
    monkeypatch.setattr(mrandom, "_row_state", lambda *a: calls.append(a) or real(*a))
    assert run_row(lambda x: x * 2, (np.arange(3),), 1, 0, 5, 0)[0].tolist() == [0, 2, 4]
    assert calls == []
    out = run_row(_noisy, (np.zeros(3, np.int64),), 1, 0, 5, 0)[0]
    assert calls == [(1, 0, 5, 0)]
    np.testing.assert_array_equal(out, row_generator(1, 0, 5, 0).integers(0, 1000, size=3))
    # The second row takes the first one's generator back, put in its own starting state.
    again = run_row(_noisy, (np.zeros(3, np.int64),), 1, 0, 6, 0)[0]
    np.testing.assert_array_equal(again, row_generator(1, 0, 6, 0).integers(0, 1000, size=3))


def test_a_row_nested_in_another_rows_ops_does_not_disturb_its_draws():
    from mind.data._src.random import row_seed

    with row_seed(3, 1, 4):
        first = current_rng().random()
        with row_seed(3, 1, 5):  # e.g. an op iterating a pipeline of its own
            inner = current_rng().random(2)
        rest = current_rng().random(3)
    reference = row_generator(3, 1, 4)
    assert first == reference.random()
    np.testing.assert_array_equal(rest, reference.random(3))
    np.testing.assert_array_equal(inner, row_generator(3, 1, 5).random(2))
    assert row_generator(3, 1, 4).random() != row_generator(3, 1, 5).random()
    assert row_generator(3, 1, 4).random() != row_generator(3, 2, 4).random()
    assert row_generator(3, 1, 4).random() != row_generator(3, 1, 4, stream=1).random()


def test_neighbouring_rows_draw_independent_uniforms():
    """Rows differ only by a key word: their first draws must still look independent."""
    first = np.array([row_generator(0, 0, i).random() for i in range(20_000)])
    counts = np.histogram(first, bins=20, range=(0.0, 1.0))[0]
    chi2 = float(((counts - 1000.0) ** 2 / 1000.0).sum())
    assert chi2 < 43.8, chi2  # the 0.999 quantile of chi-square with 19 degrees of freedom
    assert abs(np.corrcoef(first[:-1], first[1:])[0, 1]) < 0.03  # 4.2 sigma at n = 20,000
    by_epoch = np.array([row_generator(0, e, 7).random() for e in range(20_000)])
    assert abs(np.corrcoef(first, by_epoch)[0, 1]) < 0.03


def _double(x):
    return np.concatenate([x, x])


@pytest.mark.parametrize("row_bytes", [100, 40_000])
def test_chunks_are_sized_by_the_bytes_a_row_moves(monkeypatch, row_bytes):
    """The first chunks carry _CHUNK_FIRST rows; later ones about _CHUNK_BYTES of input and
    output (here a row moves 3x its input: itself in, twice itself out), at most _CHUNK_ROWS."""
    from mind.data._src import workers

    monkeypatch.setattr(workers, "_CHUNK_BYTES", 1 << 20)
    monkeypatch.setattr(workers, "_CHUNK_WAIT", 10.0)  # the source is never slow here
    rows = [(np.full(row_bytes, i % 251, np.uint8),) for i in range(1500)]
    pool = ProcessPool(_double, 1, "double")
    sizes = []
    put = pool.tasks.put
    monkeypatch.setattr(pool.tasks, "put", lambda task: sizes.append(len(task[7])) or put(task))
    try:
        got = [out[0] for out in pool.imap(iter(rows), 0, 0, 0)]
    finally:
        pool.close()
    assert len(got) == 1500 and all(np.array_equal(g, _double(r[0])) for g, r in zip(got, rows))
    per_row = 3 * row_bytes
    expected = min(workers._CHUNK_ROWS, (1 << 20) // (per_row + 1))
    assert sizes[: pool.window] == [workers._CHUNK_FIRST] * pool.window
    assert sizes[pool.window] == expected and max(sizes) <= max(expected, workers._CHUNK_FIRST)
    assert not _leftovers(pool.prefix)


@pytest.mark.skipif(W._posixshmem is None, reason="the preadv/pwritev path is Linux's")
@pytest.mark.parametrize("step", [None, 1, 7, 4096])
def test_blocks_round_trip_through_short_reads_and_writes(monkeypatch, step):
    # More arrays than one preadv/pwritev call takes, 0-d and empty ones, and (with ``step``) a
    # kernel that moves at most ``step`` bytes per call: every byte comes back where it was.
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 255, rng.integers(0, 40), dtype=np.uint8) for _ in range(1500)]
    arrays += [np.asarray(np.int32(-5)), np.zeros((0, 3), np.float32), np.array(["ab", "c"])]
    arrays.append(rng.standard_normal((3, 24, 24)).astype(np.float32)[:, ::2])  # not contiguous
    if step is not None:
        for name in ("pwritev", "preadv"):
            real = getattr(os, name)

            def short(fd, buffers, offset, real=real):
                first = memoryview(buffers[0]).cast("B")[:step]
                return real(fd, [first], offset)

            monkeypatch.setattr(os, name, short)
    name = f"mind_test_{os.getpid()}_{step}"
    try:
        layout = W._pack(tuple(arrays), name)
        back = W._unpack(name, layout)
    finally:
        W._posixshmem.shm_unlink(f"/{name}")
    assert W._size(layout) == sum(a.nbytes for a in arrays)
    assert len(back) == len(arrays)
    for a, b in zip(arrays, back):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(W._posixshmem is None, reason="the preadv/pwritev path is Linux's")
def test_a_block_shorter_than_its_layout_is_an_error_not_garbage():
    name = f"mind_test_{os.getpid()}_short"
    try:
        layout = W._pack((np.arange(10, dtype=np.int64),), name)
        with pytest.raises(MindDataError, match="ended at byte 80"):
            W._unpack(name, [(layout[0][0], (20,), 160)])
    finally:
        W._posixshmem.shm_unlink(f"/{name}")
