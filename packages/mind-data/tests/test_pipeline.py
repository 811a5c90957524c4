"""The pipeline engine: sources, ops, iterators, samplers, workers, failures, shutdown, resume."""

import multiprocessing
import os
import time

import numpy as np
import pytest

import mind.core as ms
import mind.data as ds
from mind.core.errors import MindTypeError, MindValueError
from mind.data.errors import MindDataError


@pytest.fixture(autouse=True)
def _seed():
    ds.config.set_seed(1234)
    yield


def rows(dataset, **kw):
    return [
        tuple(np.asarray(v).tolist() for v in r)
        for r in dataset.create_tuple_iterator(output_numpy=True, **kw)
    ]


def no_leftovers():
    time.sleep(0.05)
    shm = [f for f in os.listdir("/dev/shm") if f.startswith(f"mind_{os.getpid()}_")]
    return multiprocessing.active_children() == [] and shm == []


class Squares:
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return np.array(i), np.array(i * i)


# -- sources ---------------------------------------------------------------------------------------


def test_generator_dataset_sources():
    ra = ds.GeneratorDataset(Squares(), ["x", "y"], shuffle=False)
    assert rows(ra)[:3] == [(0, 0), (1, 1), (2, 4)] and ra.get_dataset_size() == 10
    it = ds.GeneratorDataset(lambda: ((np.array(i),) for i in range(4)), ["x"])
    assert rows(it) == [(0,), (1,), (2,), (3,)] and it.get_dataset_size() == 4
    assert rows(ds.GeneratorDataset([np.array(5), np.array(6)], "v", shuffle=False)) == [(5,), (6,)]
    assert sorted(rows(ds.GeneratorDataset(Squares(), ["x", "y"]))) == rows(
        ra
    )  # shuffled by default
    with pytest.raises(MindValueError, match="need a random-access source"):
        ds.GeneratorDataset(lambda: iter([]), ["x"], shuffle=True)
    with pytest.raises(MindValueError, match="column_names"):
        ds.GeneratorDataset(Squares())


def test_numpy_slices_and_digits():
    d = ds.NumpySlicesDataset({"a": np.arange(6), "b": np.arange(6) * 10}, shuffle=False)
    assert d.get_col_names() == ["a", "b"] and rows(d)[2] == (2, 20)
    digits = ds.DigitsDataset("test", shuffle=False)
    image, label = next(iter(digits.create_tuple_iterator(output_numpy=True)))
    assert image.shape == (8, 8, 1) and image.dtype == np.uint8 and label.dtype == np.uint32
    assert digits.get_dataset_size() == 359
    assert digits.output_shapes() == [[8, 8, 1], []] and digits.output_types() == [
        np.uint8,
        np.uint32,
    ]


def test_iterating_directly_gives_tensors_and_dict_iterator_names():
    d = ds.NumpySlicesDataset(
        (np.ones((4, 2), np.float32), np.arange(4)), ["x", "y"], shuffle=False
    ).batch(2)
    batches = list(d)
    assert (
        len(batches) == 2 and isinstance(batches[0][0], ms.Tensor) and batches[0][0].shape == (2, 2)
    )
    first = next(iter(d.create_dict_iterator(output_numpy=True)))
    assert set(first) == {"x", "y"} and first["y"].tolist() == [0, 1]


def test_num_epochs_and_each_loop_is_an_epoch():
    d = ds.NumpySlicesDataset(np.arange(5), shuffle=True)
    it = d.create_tuple_iterator(num_epochs=2, output_numpy=True)
    e1, e2 = [int(r[0]) for r in it], [int(r[0]) for r in it]
    assert sorted(e1) == sorted(e2) == list(range(5)) and e1 != e2
    with pytest.raises(MindDataError, match="all of its 2 epoch"):
        list(it)


def test_tensors_keep_the_shapes_of_the_columns():
    d = ds.NumpySlicesDataset(
        (np.arange(4), np.arange(8.0).reshape(4, 2)[:, ::-1]), ["label", "x"], shuffle=False
    )
    label, x = next(d.create_tuple_iterator())
    assert label.shape == () and label.asnumpy().tolist() == 0  # was (1,)
    assert x.shape == (2,) and x.asnumpy().tolist() == [1.0, 0.0]  # a strided row, copied
    (batch,) = next(d.project("label").batch(2).create_tuple_iterator())
    assert batch.shape == (2,) and batch.asnumpy().tolist() == [0, 1]


def test_next_on_a_fresh_iterator_starts_the_epoch():
    d = ds.GeneratorDataset([10, 11, 12], ["x"], shuffle=False)
    it = d.create_tuple_iterator(num_epochs=2, output_numpy=True)
    assert next(it)[0].tolist() == 10 and next(it)[0].tolist() == 11
    assert [r[0].tolist() for r in it] == [12]  # a loop continues the epoch next() began
    assert next(it)[0].tolist() == 10  # after the epoch ended, next() begins the next one
    assert [next(it)[0].tolist() for _ in range(2)] == [11, 12]
    with pytest.raises(StopIteration):
        next(it)  # the end of epoch 1 of 2
    with pytest.raises(StopIteration):
        next(it)  # and every epoch has run
    first = next(d.create_dict_iterator(output_numpy=True))
    assert list(first) == ["x"] and first["x"].tolist() == 10
    tensor = next(d.create_tuple_iterator())[0]
    assert isinstance(tensor, ms.Tensor) and tensor.asnumpy().tolist() == 10
    resumed = d.create_tuple_iterator(output_numpy=True)
    resumed.set_state({"format": 1, "seed": 0, "epoch": 0, "position": 2})
    assert next(resumed)[0].tolist() == 12


# -- ops -------------------------------------------------------------------------------------------


def test_map_columns_and_orders():
    base = ds.NumpySlicesDataset(
        {"a": np.arange(3), "b": np.arange(3) + 10, "c": np.arange(3) + 20}, shuffle=False
    )
    m = base.map(lambda a, b: (a + b, a - b), ["a", "b"], ["s", "d"])
    assert m.get_col_names() == ["s", "d", "c"] and rows(m)[1] == (12, -10, 21)
    m2 = base.map([lambda c: c * 2, lambda c: c + 1], "c")
    assert rows(m2)[0] == (0, 10, 41)
    m3 = base.map(lambda b: b, "b", column_order=["c", "b", "a"])
    assert m3.get_col_names() == ["c", "b", "a"]
    with pytest.raises(MindValueError, match=r"input_columns \['z'\] are not in"):
        base.map(lambda z: z, "z")
    with pytest.raises(MindTypeError, match="must be callable"):
        base.map([3])


def test_batch_variants():
    d = ds.NumpySlicesDataset(np.arange(7), ["x"], shuffle=False)
    assert [r[0] for r in rows(d.batch(3))] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [r[0] for r in rows(d.batch(3, drop_remainder=True))] == [[0, 1, 2], [3, 4, 5]]
    assert d.batch(3).get_dataset_size() == 3 and d.batch(3, True).get_dataset_size() == 2

    def double(x, info):
        return ([v * 2 for v in x],)

    assert rows(d.batch(4, per_batch_map=double))[0] == ([0, 2, 4, 6],)
    ragged = ds.GeneratorDataset(lambda: ((np.arange(n),) for n in (1, 3, 2)), ["v"])
    with pytest.raises(MindDataError, match="column 'v' has rows of different shapes"):
        rows(ragged.batch(3))
    assert rows(ragged.batch(3, pad_info={"v": ([4], -1)}))[0] == (
        [[0, -1, -1, -1], [0, 1, 2, -1], [0, 1, -1, -1]],
    )
    assert rows(ragged.padded_batch(3, pad_info={"v": (None, 0)}))[0][0][0] == [0, 0, 0]


def test_filter_keeps_the_rows_the_predicate_accepts():
    x = np.arange(20)
    data = ds.NumpySlicesDataset({"x": x, "y": x % 3}, shuffle=False)
    kept = data.filter(lambda x, y: y == 1)  # every column, in order
    assert rows(kept) == [(v, 1) for v in x[x % 3 == 1].tolist()]
    assert kept.get_dataset_size() == 7 and kept.get_col_names() == ["x", "y"]
    squares = data.filter(lambda x: int(np.sqrt(x)) ** 2 == x, input_columns="x")
    assert [r[0] for r in rows(squares)] == [0, 1, 4, 9, 16]
    on_threads = data.filter(lambda y: y == 1, ["y"], num_parallel_workers=3)
    assert rows(on_threads) == rows(kept)
    batched = data.filter(lambda x, y: np.array([x > 13])).batch(4)
    assert [r[0] for r in rows(batched)] == [[14, 15, 16, 17], [18, 19]]


def test_filter_errors():
    data = ds.NumpySlicesDataset({"x": np.arange(5)}, shuffle=False)
    with pytest.raises(
        MindDataError, match=r"'filter' \(<lambda>\), the predicate must return a b"
    ):
        rows(data.filter(lambda x: 1))
    with pytest.raises(
        MindDataError, match="(?s)the predicate failed on row 3:.*ZeroDivisionError"
    ):
        rows(data.filter(lambda x: 1 / (3 - int(x)) > 0))
    with pytest.raises(MindValueError, match=r"input_columns \['z'\] are not in"):
        data.filter(lambda z: True, "z")
    with pytest.raises(MindTypeError, match="'predicate' must be callable"):
        data.filter(3)


def test_shuffle_repeat_take_skip_zip_concat_project_rename():
    d = ds.NumpySlicesDataset(np.arange(10), ["x"], shuffle=False)
    shuffled = [r[0] for r in rows(d.shuffle(4))]
    assert sorted(shuffled) == list(range(10)) and shuffled != list(range(10))
    assert [r[0] for r in rows(d.shuffle(4))] == shuffled  # same seed, same order
    rep = [r[0] for r in rows(d.shuffle(4).repeat(2))]
    assert len(rep) == 20 and rep[:10] != rep[10:] and d.repeat(3).get_dataset_size() == 30
    assert [r[0] for r in rows(d.skip(7))] == [7, 8, 9] and [r[0] for r in rows(d.take(2))] == [
        0,
        1,
    ]
    other = ds.NumpySlicesDataset(np.arange(3) * 10, ["y"], shuffle=False)
    assert rows(d.zip(other)) == [(0, 0), (1, 10), (2, 20)]
    assert [r[0] for r in rows(other.rename("y", "x") + d.take(2))] == [0, 10, 20, 0, 1]
    assert d.zip(other).project(["y"]).get_col_names() == ["y"]
    with pytest.raises(MindValueError, match="share column names"):
        d.zip(d)
    with pytest.raises(MindValueError, match="has columns"):
        d.concat(other)


def test_split_is_disjoint_and_complete():
    d = ds.NumpySlicesDataset(np.arange(10), ["x"], shuffle=False)
    a, b = d.split([0.7, 0.3])
    xa, xb = [r[0] for r in rows(a)], [r[0] for r in rows(b)]
    assert len(xa) == 7 and len(xb) == 3 and sorted(xa + xb) == list(range(10))
    p, q = d.map(lambda x: x).split([4, 6], randomize=False)
    assert [r[0] for r in rows(p)] == [0, 1, 2, 3] and len(rows(q)) == 6
    with pytest.raises(MindValueError, match="randomize=True needs a random-access source"):
        d.map(lambda x: x).split([5, 5])


def test_bucket_batch_by_length():
    lengths = [1, 5, 2, 6, 1, 7]
    d = ds.GeneratorDataset(lambda: ((np.ones(n),) for n in lengths), ["v"])
    batches = rows(d.bucket_batch_by_length(["v"], [3], [2, 2], pad_info={"v": (None, 0)}))
    assert [len(b[0]) for b in batches] == [2, 2, 1, 1]
    assert [len(b[0][0]) for b in batches] == [2, 6, 1, 7]


# -- samplers ----------------------------------------------------------------------------------------


def test_samplers():
    def d(sampler):
        return [r[0] for r in rows(ds.NumpySlicesDataset(np.arange(10), ["x"], sampler=sampler))]

    assert d(ds.SequentialSampler(2, 3)) == [2, 3, 4]
    assert sorted(d(ds.RandomSampler())) == list(range(10))
    assert len(d(ds.RandomSampler(replacement=True, num_samples=25))) == 25
    assert sorted(d(ds.SubsetRandomSampler([1, 5, 7]))) == [1, 5, 7]
    shards = [d(ds.DistributedSampler(3, i, shuffle=True)) for i in range(3)]
    assert all(len(s) == 4 for s in shards) and {i for s in shards for i in s} == set(range(10))
    sharded = ds.NumpySlicesDataset(np.arange(10), ["x"], num_shards=2, shard_id=1, shuffle=False)
    assert [r[0] for r in rows(sharded)] == [1, 3, 5, 7, 9]
    with pytest.raises(MindValueError, match="cannot be combined"):
        ds.NumpySlicesDataset(np.arange(3), sampler=ds.RandomSampler(), shuffle=True)
    with pytest.raises(MindValueError, match="'shard_id' must be in"):
        ds.DistributedSampler(2, 2)


# -- workers and determinism ---------------------------------------------------------------------------


def noisy(x):
    from mind.data._src.random import current_rng

    return x + current_rng().integers(0, 1000)


@pytest.mark.parametrize(("workers", "processes"), [(3, False), (2, True)])
def test_same_rows_whatever_the_worker_count(workers, processes):
    base = ds.NumpySlicesDataset(np.arange(40), ["x"])
    one = rows(base.map(noisy).shuffle(8).batch(4))
    many = rows(
        base.map(noisy, num_parallel_workers=workers, python_multiprocessing=processes)
        .shuffle(8)
        .batch(4)
    )
    assert one == many
    ds.config.set_seed(99)
    assert rows(base.map(noisy).shuffle(8).batch(4)) != one
    assert no_leftovers()


def failing(x):
    if int(x) == 13:
        raise ValueError("thirteen is unlucky")
    return x


@pytest.mark.parametrize(("workers", "processes"), [(1, False), (3, False), (2, True)])
def test_user_error_names_the_row_and_keeps_the_traceback(workers, processes):
    d = ds.NumpySlicesDataset(np.arange(20), ["x"], shuffle=False).map(
        failing, num_parallel_workers=workers, python_multiprocessing=processes
    )
    with pytest.raises(MindDataError) as info:
        rows(d)
    text = str(info.value)
    assert "row 13" in text and "ValueError: thirteen is unlucky" in text and "in failing" in text
    assert no_leftovers()


def test_a_dying_worker_is_reported_quickly_and_cleaned_up():
    def die(x):
        if int(x) == 5:
            os._exit(3)
        return x

    d = ds.NumpySlicesDataset(np.arange(50), ["x"], shuffle=False).map(
        die, num_parallel_workers=2, python_multiprocessing=True
    )
    start = time.perf_counter()
    with pytest.raises(MindDataError, match=r"worker process died \(pid \d+ exit code 3\)"):
        rows(d)
    assert time.perf_counter() - start < 5
    assert no_leftovers()


def slow(x):
    time.sleep(0.002)
    return x


def test_break_interrupt_and_gc_shut_everything_down():
    d = ds.NumpySlicesDataset(np.arange(500), ["x"], shuffle=False).map(
        slow, num_parallel_workers=2, python_multiprocessing=True
    )
    it = d.create_tuple_iterator(output_numpy=True)
    for i, _ in enumerate(it):
        if i == 3:
            break
    it.close()
    assert no_leftovers()
    with pytest.raises(KeyboardInterrupt):
        for i, _ in enumerate(d.create_tuple_iterator(output_numpy=True)):
            if i == 3:
                raise KeyboardInterrupt
    import gc

    gc.collect()
    assert no_leftovers()
    it = iter(d.create_tuple_iterator(output_numpy=True))
    next(it)
    del it
    gc.collect()
    assert no_leftovers()


# -- resume ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 3])
def test_resume_mid_epoch_continues_with_the_next_rows(workers):
    def pipeline(n):
        return (
            ds.NumpySlicesDataset(np.arange(30), ["x"])
            .map(noisy, num_parallel_workers=n)
            .shuffle(5)
            .batch(3)
        )

    it = pipeline(1).create_tuple_iterator(num_epochs=3, output_numpy=True)
    list(it)  # epoch 0
    taken = []
    for i, row in enumerate(it):
        taken.append(row[0].tolist())
        if i == 3:
            state = it.get_state()
            break
    rest_original = [r[0].tolist() for r in it] if False else None
    reference = pipeline(1).create_tuple_iterator(num_epochs=3, output_numpy=True)
    list(reference)
    full = [r[0].tolist() for r in reference]
    import json

    state = json.loads(json.dumps(state))  # plain data
    resumed = pipeline(workers).create_tuple_iterator(num_epochs=3, output_numpy=True)
    resumed.set_state(state)
    assert [r[0].tolist() for r in resumed] == full[4:]
    assert taken == full[:4] and rest_original is None


def test_ctrl_c_in_a_real_process_leaves_no_workers_or_shared_memory(tmp_path):
    import signal
    import subprocess
    import sys
    import uuid

    marker = f"mind-sigint-{uuid.uuid4().hex}"
    script = f"""
import sys, time, numpy as np
import mind.data as ds
MARKER = "{marker}"
def slow(x):
    time.sleep(0.01)
    return x
data = ds.NumpySlicesDataset(np.arange(100000), ["x"]).map(slow, num_parallel_workers=2,
                                                            python_multiprocessing=True)
for i, _ in enumerate(data.create_tuple_iterator(output_numpy=True)):
    if i == 5:
        print("started", flush=True)
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "started"
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode != 0, err

    def survivors():
        found = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if marker.encode() in f.read():
                            found.append(pid)
                except OSError:
                    pass
        return found

    deadline = (
        time.time() + 20
    )  # generous: the machine may be busy; the loop ends as soon as they are gone
    while survivors() and time.time() < deadline:
        time.sleep(0.1)
    assert survivors() == []
    assert [f for f in os.listdir("/dev/shm") if f.startswith(f"mind_{child.pid}_")] == []
