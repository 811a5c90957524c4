"""The block engine against the row engine: random pipelines give the same rows either way.

Each case builds a random pipeline over numpy and MindRecord sources from the ops that have a
block form (and some that do not, which read their child's blocks as rows), iterates it with the
block engine on and off (``use_blocks``) and compares every row: values, dtypes, shapes, order.
Resuming from a saved position must continue with the same rows in both engines.
"""

import itertools

import numpy as np
import pytest

import mind.data as ds
from mind.data import transforms, vision
from mind.data._src.blocks import use_blocks
from mind.data.mindrecord import FileWriter

CASES = 100


class Scale:
    """A deterministic op with a batch form (the protocol vision and transforms ops follow)."""

    def __call__(self, x):
        return (x * 3).astype(np.int64)

    def _batch(self, x):
        return (x * 3).astype(np.int64)


class Declines(Scale):
    """A batch form that declines every block: the engine must fall back to rows."""

    def _batch(self, x):
        return NotImplemented


def _plus_noise(x):
    from mind.data._src.random import current_rng

    return x + current_rng().integers(0, 5, size=np.shape(x))


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    """A MindRecord dataset of 2,500 rows (three pages): bytes of one length, int32, float64."""
    path = str(tmp_path_factory.mktemp("blocks") / "rows.mindrecord")
    rng = np.random.default_rng(7)
    writer = FileWriter(path, shard_num=1)
    writer.add_schema(
        {
            "image": {"type": "bytes"},
            "label": {"type": "int32"},
            "weight": {"type": "float64"},
        }
    )
    writer.write_raw_data(
        {
            "image": [rng.integers(0, 256, 12, dtype=np.uint8).tobytes() for _ in range(2500)],
            "label": rng.integers(0, 10, 2500, dtype=np.int32),
            "weight": rng.random(2500),
        }
    )
    writer.commit()
    return path


def _source(rng, record):
    kind = rng.integers(3)
    n = int(rng.integers(1, 400))
    shuffle = bool(rng.integers(2))
    if kind == 0:
        data = {
            "a": rng.integers(0, 100, (n, 3)).astype(np.int32),
            "b": rng.random(n).astype(np.float32),
        }
        return ds.NumpySlicesDataset(data, shuffle=shuffle), ["a", "b"]
    if kind == 1:
        data = (np.arange(n, dtype=np.int64), rng.integers(0, 255, (n, 2, 2), dtype=np.uint8))
        return ds.NumpySlicesDataset(data, ["a", "b"], shuffle=shuffle), ["a", "b"]
    d = ds.MindDataset(record, shuffle=shuffle, num_samples=int(rng.integers(1, 2500)))
    return d.rename(["image", "label"], ["a", "b"]).project(["a", "b", "weight"]), ["a", "b"]


def _grow(rng, d, names, record):
    """One random op on top of ``d``; ``names`` are the two columns every op works on."""
    choice = int(rng.integers(11))
    a, b = names
    if choice == 0:
        return d.batch(int(rng.integers(1, 70)), drop_remainder=bool(rng.integers(2)))
    if choice == 1:
        return d.shuffle(int(rng.integers(2, 300)))
    if choice == 2:
        return d.repeat(int(rng.integers(1, 3)))
    if choice == 3:
        return d.take(int(rng.integers(0, 500)))
    if choice == 4:
        return d.skip(int(rng.integers(0, 200)))
    if choice == 5:
        op = [Scale(), Declines(), transforms.TypeCast(np.float64)][int(rng.integers(3))]
        return d.map(op, input_columns=[b])
    if choice == 6:
        return d.map(_plus_noise, input_columns=[b])  # per-row randomness, no batch form
    if choice == 7 and "copy" not in d.get_col_names():
        return d.map(transforms.Duplicate(), input_columns=[b], output_columns=[b, "copy"])
    if choice == 8:
        return d.concat(d)
    if choice == 9 and "x_a" not in d.get_col_names():
        other, _ = _source(rng, record)
        columns = other.get_col_names()
        return d.zip(other.rename(columns, [f"x_{c}" for c in columns]))
    return d.map(vision.Rescale(0.5, 1.0), input_columns=[b]) if choice == 10 else d


def _rows(dataset, state=None, limit=None):
    it = dataset.create_tuple_iterator(output_numpy=True, num_epochs=1)
    if state is not None:
        it.set_state(state)
    out = []
    for row in it:
        out.append([np.array(v, copy=True) for v in row])
        if limit is not None and len(out) == limit:
            return out, it.get_state()
    return out, it.get_state()


def _same(got, want, where):
    assert len(got) == len(want), f"{where}: {len(got)} rows against {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        assert len(g) == len(w), f"{where}, row {k}"
        for gv, wv in zip(g, w):
            assert gv.dtype == wv.dtype and gv.shape == wv.shape, (where, k, gv.dtype, wv.dtype)
            np.testing.assert_array_equal(gv, wv, err_msg=f"{where}, row {k}")


@pytest.mark.parametrize("case", range(CASES))
def test_a_random_pipeline_gives_the_same_rows_on_blocks_and_on_rows(case, record):
    rng = np.random.default_rng(case)
    ds.config.set_seed(case)
    d, names = _source(rng, record)
    for _ in range(int(rng.integers(1, 5))):
        d = _grow(rng, d, names, record)
        if "x_a" in d.get_col_names() and rng.integers(2):
            d = d.project(names)
    with use_blocks(False):
        want, _ = _rows(d)
    got, _ = _rows(d)
    _same(got, want, f"case {case}: {d!r}")
    if len(want) > 2:
        cut = int(rng.integers(1, len(want)))
        head, state = _rows(d, limit=cut)
        tail, _ = _rows(d, state=state)
        _same(head + tail, want, f"case {case}, resumed at {cut}")


def test_the_block_engine_runs_what_it_claims(record):
    """The cases above compare something: these pipelines really run on blocks."""
    source = ds.NumpySlicesDataset({"label": np.arange(10)}, shuffle=False)
    d = source.map(Scale(), input_columns=["label"]).batch(32)
    assert d._native()
    assert ds.MindDataset(record, shuffle=False).map(Scale(), input_columns=["label"])._native()
    assert not ds.MindDataset(record).map(_plus_noise, input_columns=["label"])._native()
    with use_blocks(False):
        assert not d._native()


def test_batches_are_fresh_writable_arrays(record):
    """A batch that lies within one block is copied out of it: writing to it changes nothing
    else (the mapped pages are read-only, a numpy source's arrays are the user's)."""
    source = np.arange(40, dtype=np.int64).reshape(20, 2)
    d = ds.NumpySlicesDataset({"v": source}, shuffle=False).batch(4)
    for (batch,) in d.create_tuple_iterator(output_numpy=True):
        assert batch.flags.writeable and batch.base is None
        batch += 100
    np.testing.assert_array_equal(source, np.arange(40).reshape(20, 2))
    for image, _, _ in (
        ds.MindDataset(record, shuffle=False).batch(100).create_tuple_iterator(output_numpy=True)
    ):
        image[:] = 0  # would raise on a view of the read-only mapping


@pytest.mark.parametrize("shuffle", [False, True])
def test_standard_datasets_read_the_same_rows_on_blocks(tmp_path, shuffle):
    from mind.data._src.fixtures import write_cifar10, write_mnist

    rng = np.random.default_rng(3)
    write_mnist(tmp_path, rng.integers(0, 256, (1500, 28, 28)), rng.integers(0, 10, 1500))
    write_mnist(
        tmp_path, rng.integers(0, 256, (700, 28, 28)), rng.integers(0, 10, 700), prefix="t10k"
    )
    for name, count in (("data_batch_1.bin", 1100), ("data_batch_2.bin", 300)):
        write_cifar10(
            tmp_path, rng.integers(0, 256, (count, 32, 32, 3)), rng.integers(0, 10, count), name
        )
    ds.config.set_seed(5)
    for d in (
        ds.MnistDataset(str(tmp_path), shuffle=shuffle).batch(100),
        ds.Cifar10Dataset(str(tmp_path), "train", shuffle=shuffle).take(1399),
        ds.DigitsDataset(shuffle=shuffle).batch(7, drop_remainder=True),
    ):
        assert d._native()
        with use_blocks(False):
            want, _ = _rows(d)
        got, _ = _rows(d)
        _same(got, want, repr(d))


def test_a_bad_cifar_label_is_named_on_blocks_too(tmp_path):
    from mind.data._src.fixtures import write_cifar10
    from mind.data.errors import MindDataError

    labels = np.zeros(50, dtype=np.int64)
    labels[37] = 12
    write_cifar10(tmp_path, np.zeros((50, 32, 32, 3), np.uint8), labels, "data_batch_1.bin")
    d = ds.Cifar10Dataset(str(tmp_path), "train", shuffle=False)
    assert d._native()
    with pytest.raises(MindDataError, match="record 37 .* has label 12"):
        _rows(d)


@pytest.fixture(scope="module")
def every_field(tmp_path_factory):
    """Every MindRecord field type over 3 shards and several pages: bytes of one length and of
    many, strings, each numeric type, fixed and variable ndarrays, and a raw-encoded column."""
    import json

    path = str(tmp_path_factory.mktemp("fields") / "every.mindrecord")
    rng = np.random.default_rng(11)
    n = 2300
    writer = FileWriter(path, shard_num=3)
    writer.add_schema(
        {
            "same": {"type": "bytes"},
            "ragged": {"type": "bytes"},
            "text": {"type": "string"},
            "i32": {"type": "int32"},
            "i64": {"type": "int64"},
            "f32": {"type": "float32"},
            "f64": {"type": "float64"},
            "fixed": {"type": "float32", "shape": [2, 3]},
            "var": {"type": "int64", "shape": [-1, 2]},
            "raw": {"type": "bytes"},
        },
        json.dumps({"raw": {"encoding": "raw", "dtype": "float32", "shape": [2, 2]}}),
    )
    writer.write_raw_data(
        {
            "same": [rng.bytes(5) for _ in range(n)],
            "ragged": [rng.bytes(int(rng.integers(0, 9))) for _ in range(n)],
            "text": ["x" * int(rng.integers(0, 6)) + "é" for _ in range(n)],
            "i32": rng.integers(-9, 9, n, dtype=np.int32),
            "i64": rng.integers(-9, 9, n),
            "f32": rng.random(n).astype(np.float32),
            "f64": rng.random(n),
            "fixed": [rng.random((2, 3)).astype(np.float32) for _ in range(n)],
            "var": [rng.integers(0, 9, (int(rng.integers(1, 4)), 2)) for _ in range(n)],
            "raw": [rng.random((2, 2)).astype(np.float32).tobytes() for _ in range(n)],
        }
    )
    writer.commit()
    return path


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_field_type_reads_the_same_on_blocks(every_field, shuffle):
    ds.config.set_seed(2)
    for d in (
        ds.MindDataset(every_field, shuffle=shuffle),
        ds.MindDataset(every_field, shuffle=shuffle).skip(990).take(1200),
        ds.MindDataset(every_field, ["same", "i32", "fixed", "raw"], shuffle=shuffle).batch(64),
    ):
        assert d._native()
        with use_blocks(False):
            want, _ = _rows(d)
        got, _ = _rows(d)
        _same(got, want, repr(d))


def test_read_row_and_the_block_reads_agree_with_read_rows(every_field):
    from mind.data.mindrecord import ShardReader

    with ShardReader(every_field) as reader:
        rows = np.random.default_rng(0).integers(0, reader.num_rows, 500)
        bulk = reader.read_rows(rows)
        gathered = reader._read_at(rows)
        for k, i in enumerate(rows.tolist()):
            row = reader.read_row(i)
            for c, name in enumerate(reader.column_names):
                want = bulk[name][k]
                got_row, got_block = row[name], gathered[c][k]
                if isinstance(want, bytes):
                    assert got_row == want and bytes(got_block) == want
                elif isinstance(want, str):
                    assert got_row == want == got_block
                else:
                    np.testing.assert_array_equal(got_row, want)
                    np.testing.assert_array_equal(got_block, want)
                    assert type(got_row) is type(want.item() if want.ndim == 0 else want)
        bounds = reader._page_bounds()
        assert bounds[0] == 0 and bounds[-1] == reader.num_rows and len(bounds) > 4
        for lo, hi in itertools.pairwise(bounds):
            span = reader._read_span(lo, hi)
            want = reader.read_rows(np.arange(lo, hi))
            assert isinstance(span[0], np.ndarray) and span[0].shape == (hi - lo, 5)
            assert span[0].flags.writeable is False  # a view of the mapped page
            for c, name in enumerate(reader.column_names):
                got = span[c]
                if name in ("same", "ragged", "raw"):
                    assert [bytes(v) for v in got] == want[name]
                elif name == "text":
                    assert got == want[name]
                elif name == "var":
                    for g, w in zip(got, want[name]):
                        np.testing.assert_array_equal(g, w)
                else:
                    np.testing.assert_array_equal(got, want[name])


def _fails_at_37(x):
    if int(x) == 37:
        raise ValueError("row 37 is bad")
    return x * 2


@pytest.mark.parametrize("rows", [20, 100])
def test_process_chunks_hand_out_the_rows_before_a_failing_one(rows):
    """Rows travel to worker processes in chunks; an error in the middle of one still comes
    after every row before it, and names its own row."""
    from mind.data.errors import MindDataError

    d = ds.GeneratorDataset(lambda: ((np.int64(i),) for i in range(rows)), ["x"], shuffle=False)
    d = d.map(_fails_at_37, num_parallel_workers=2, python_multiprocessing=True)
    got = []
    if rows <= 37:
        got = [int(x) for (x,) in d.create_tuple_iterator(output_numpy=True)]
        assert got == [2 * i for i in range(rows)]
        return
    with pytest.raises(MindDataError, match=r"failed on row 37[\s\S]*row 37 is bad"):
        for (x,) in d.create_tuple_iterator(output_numpy=True):
            got.append(int(x))
    assert got == [2 * i for i in range(37)]


def test_the_doctor_reports_the_training_data_path():
    from mind.core import nn
    from mind.core.errors import MindTypeError, MindValueError
    from mind.core.train import Model

    rng = np.random.default_rng(0)
    data = ds.NumpySlicesDataset(
        {"x": rng.random((96, 4)).astype(np.float32), "y": rng.integers(0, 3, 96)}, shuffle=False
    ).batch(16)
    net = nn.Dense(4, 3)
    model = Model(net, nn.CrossEntropyLoss(), nn.SGD(net.trainable_params(), 0.1))
    before = net.weight.asnumpy().copy()
    report = data.doctor(num_rows=4, verbose=False, model=model, steps=5)
    path = report["data_path"]
    assert path["steps"] == 5 and path["goal"] == 0.05
    parts = path["iterator_ms"] + path["convert_ms"] + path["step_ms"]
    assert parts == pytest.approx(path["total_ms"])
    assert path["share"] == pytest.approx((path["iterator_ms"] + path["convert_ms"]) / parts)
    assert path["meets_goal"] == (path["share"] < 0.05)
    assert not np.array_equal(before, net.weight.asnumpy())  # the steps really trained
    with pytest.raises(MindTypeError, match="'model' must be a mind.core.train.Model"):
        data.doctor(verbose=False, model=net)
    with pytest.raises(MindValueError, match="'steps' must be an int >= 1"):
        data.doctor(verbose=False, model=model, steps=0)
