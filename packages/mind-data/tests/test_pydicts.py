"""Python dict columns (MindSpore's Python objects in a pipeline): sources, map, batch,
per_batch_map and the iterators' conversion."""

import numpy as np
import pytest

import mind.core as ms
import mind.data as ds
from mind.data import transforms, vision
from mind.data._src.dataset import _DictColumnGuard, _DtypeGuard
from mind.data.errors import MindDataError


@pytest.fixture(autouse=True)
def _seed():
    ds.config.set_seed(1234)
    yield


def numbers():
    for i in range(5):
        yield {"number": i, "square": i**2}, i


def powers():
    for i in range(10):
        yield ({"powers": np.power(i, [1, 2, 3])},)


def assert_same(got, expected):
    """Equal values, and of the same types all the way down (arrays compared as arrays)."""
    assert type(got) is type(expected), (got, expected)
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        for k in expected:
            assert_same(got[k], expected[k])
    elif isinstance(expected, list | tuple):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e)
    elif isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    else:
        assert got == expected


# -- sources and iterators -------------------------------------------------------------------------


def test_a_generator_dict_column_iterates_as_dicts_of_arrays():
    data = ds.GeneratorDataset(numbers, ["col1", "col2"])
    got = list(data.create_dict_iterator(num_epochs=1, output_numpy=True))
    expected = [
        {"col1": {"number": np.array(i), "square": np.array(i * i)}, "col2": np.array(i)}
        for i in range(5)
    ]
    assert_same(got, expected)
    rows = list(data.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert_same(rows[3], [{"number": np.array(3), "square": np.array(9)}, np.array(3)])
    assert data.get_col_names() == ["col1", "col2"] and data.get_dataset_size() == 5


def test_dict_values_become_tensors_recursively_and_objects_pass_as_they_are():
    class Box:
        pass

    box = Box()
    value = {
        "a": np.arange(3, dtype=np.float32),
        "nested": {"b": 2.5, "list": [1, np.array([2, 3])], "tuple": (True,)},
        "obj": box,
        "none": None,
        "text": "hi",
        7: [box],  # any key
    }
    data = ds.GeneratorDataset([(value, np.int32(1))], ["d", "n"], shuffle=False)
    (d, n), *rest = list(data.create_tuple_iterator(num_epochs=1))
    assert rest == [] and isinstance(n, ms.Tensor) and n.asnumpy().tolist() == 1
    assert list(d) == ["a", "nested", "obj", "none", "text", 7]
    assert isinstance(d["a"], ms.Tensor) and d["a"].asnumpy().tolist() == [0.0, 1.0, 2.0]
    assert d["a"].dtype == ms.float32
    b, (one, two), (true,) = d["nested"]["b"], d["nested"]["list"], d["nested"]["tuple"]
    assert isinstance(d["nested"]["list"], list) and isinstance(d["nested"]["tuple"], tuple)
    assert all(isinstance(t, ms.Tensor) for t in (b, one, two, true))
    assert (b.asnumpy().tolist(), one.asnumpy().tolist(), two.asnumpy().tolist()) == (
        2.5,
        1,
        [2, 3],
    )
    assert true.asnumpy().tolist() is True
    assert d["obj"] is box and d["none"] is None and d[7][0] is box
    # A Tensor holds numbers: a string stays a numpy array.
    assert isinstance(d["text"], np.ndarray) and d["text"].tolist() == "hi"
    (d, _), *_ = list(data.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert_same(
        d["nested"],
        {"b": np.array(2.5), "list": [np.array(1), np.array([2, 3])], "tuple": (np.array(True),)},
    )
    assert d["obj"] is box and d[7][0] is box


def test_a_dict_travels_by_reference():
    source = [({"k": i, "tag": object()},) for i in range(4)]
    seen = []

    def look(d):
        seen.append(d)
        return d

    data = ds.GeneratorDataset(source, ["d"], shuffle=False).shuffle(2).map(look)
    out = list(data.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert sorted(int(r[0]["k"]) for r in out) == [0, 1, 2, 3]
    assert sorted(id(d) for d in seen) == sorted(id(row[0]) for row in source)
    assert all(
        r[0]["tag"] is next(s[0]["tag"] for s in source if s[0]["k"] == r[0]["k"]) for r in out
    )


def test_every_row_of_a_dict_column_must_be_a_dict():
    def mixed():
        yield {"a": 1}, 1
        yield [1, 2], 2

    with pytest.raises(MindDataError, match="column 'd' of row 1 is not a dict .*first row is a"):
        list(ds.GeneratorDataset(mixed, ["d", "n"]))

    def numeric_then_string():
        yield {"a": 1}, 1
        yield {"a": 2}, "two"

    with pytest.raises(MindDataError, match="column 'n' of row 1 has dtype <U3"):
        list(ds.GeneratorDataset(numeric_then_string, ["d", "n"]))

    def objects():
        yield (np.array([object()]),)

    with pytest.raises(MindDataError, match="array of Python objects .* or Python dicts"):
        list(ds.GeneratorDataset(objects, ["x"]))


def test_a_guard_of_array_columns_passes_rows_through_untouched():
    guard = _DtypeGuard("op", ["x", "y"])
    rows = [(np.array(1), np.array([1.0])), (np.array(2), np.array([2.0]))]
    assert all(guard.check(r, i) is r for i, r in enumerate(rows))  # no copy, no other check
    assert type(guard) is _DtypeGuard
    guard = _DtypeGuard("op", ["d", "y"])
    d = {"a": 1}
    out = guard.check((np.asarray(d), np.array(1.0)), 0)
    assert out[0] is d and type(guard) is _DictColumnGuard


# -- map --------------------------------------------------------------------------------------------


def test_map_passes_the_dict_to_a_python_function_and_may_return_one():
    def summed(d):
        return {"sum": d["number"] + d["square"], "was": d}

    data = ds.GeneratorDataset(numbers, ["col1", "col2"]).map(summed, "col1", "out")
    assert data.get_col_names() == ["out", "col2"]
    got = list(data.create_dict_iterator(num_epochs=1, output_numpy=True))
    assert_same(
        got[2],
        {
            "out": {"sum": np.array(6), "was": {"number": np.array(2), "square": np.array(4)}},
            "col2": np.array(2),
        },
    )
    # From arrays to a dict, on threads too.
    to_dict = ds.NumpySlicesDataset(np.arange(6), ["x"], shuffle=False).map(
        lambda x: {"x": x, "double": x * 2}, num_parallel_workers=2
    )
    assert [int(r[0]["double"]) for r in to_dict.create_tuple_iterator(output_numpy=True)] == [
        0,
        2,
        4,
        6,
        8,
        10,
    ]
    # A dict column beside the mapped one is passed on untouched.
    cast = ds.GeneratorDataset(numbers, ["col1", "col2"]).map(
        transforms.TypeCast(np.float32), "col2"
    )
    first = next(cast.create_dict_iterator(output_numpy=True))
    assert_same(
        first,
        {"col1": {"number": np.array(0), "square": np.array(0)}, "col2": np.array(0.0, np.float32)},
    )


def test_a_built_in_transform_on_a_dict_column_names_the_transform_and_the_column():
    data = ds.GeneratorDataset(numbers, ["col1", "col2"])
    with pytest.raises(MindDataError, match=r"map' \(TypeCast\), input column 'col1' holds Py"):
        list(data.map(transforms.TypeCast(np.float32), "col1"))
    with pytest.raises(MindDataError, match="'col1' holds Python dicts, but Rescale is a built-in"):
        list(data.map(transforms.Compose([vision.Rescale(2.0, 0.0)]), "col1"))
    # A Python function first may take the dict apart for the built-in ones after it.
    op = transforms.Compose([lambda d: d["square"], transforms.TypeCast(np.float32)])
    got = [float(r[0]) for r in data.map(op, "col1").create_tuple_iterator(output_numpy=True)]
    assert got == [0.0, 1.0, 4.0, 9.0, 16.0]


def test_dict_columns_and_worker_processes_give_a_clear_error():
    data = ds.GeneratorDataset(numbers, ["col1", "col2"]).map(
        lambda d: d, "col1", num_parallel_workers=2, python_multiprocessing=True
    )
    with pytest.raises(MindDataError, match=r"cannot cross into worker processes .* on threads"):
        list(data)


# -- batch ------------------------------------------------------------------------------------------


def test_batch_stacks_a_dict_column_key_by_key():
    data = ds.GeneratorDataset(powers, ["col1"]).batch(5)
    got = list(data.create_dict_iterator(num_epochs=1, output_numpy=True))
    i = np.arange(10)[:, None]
    expected = np.power(i, [1, 2, 3])
    assert_same(got, [{"col1": {"powers": expected[:5]}}, {"col1": {"powers": expected[5:]}}])
    (batch,) = next(data.create_tuple_iterator())
    assert isinstance(batch["powers"], ms.Tensor) and batch["powers"].shape == (5, 3)
    np.testing.assert_array_equal(batch["powers"].asnumpy(), expected[:5])


def test_batch_of_nested_dicts_beside_array_columns():
    def nested():
        for i in range(7):
            yield {"a": np.float32(i), "inner": {"b": [i, -i], "c": "s" * (i % 2 + 1)}}, i

    data = ds.GeneratorDataset(nested, ["d", "n"]).batch(3, drop_remainder=True)
    got = list(data.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert len(got) == 2
    rows = np.arange(3, 6)
    assert_same(
        got[1],
        [
            {
                "a": rows.astype(np.float32),
                "inner": {"b": np.stack([rows, -rows], 1), "c": np.array(["ss", "s", "ss"])},
            },
            rows,
        ],
    )


def test_batch_errors_name_the_column_and_the_key():
    def keys():
        yield ({"a": 1},)
        yield ({"b": 1},)

    with pytest.raises(MindDataError, match=r"column 'd' row 1 .* has the keys \['b'\], but the"):
        list(ds.GeneratorDataset(keys, ["d"]).batch(2))

    class Thing:
        pass

    def things():
        for _ in range(2):
            yield ({"ok": 1, "obj": {"inner": Thing()}},)

    with pytest.raises(MindDataError, match=r"column 'd', key \['obj'\]\['inner'\], row 0 .*obj"):
        list(ds.GeneratorDataset(things, ["d"]).batch(2))

    def ragged():
        yield ({"v": np.zeros(2)},)
        yield ({"v": np.zeros(3)},)

    with pytest.raises(MindDataError, match=r"column 'd', key \['v'\], has rows of different sh"):
        list(ds.GeneratorDataset(ragged, ["d"]).batch(2))
    padded = ds.GeneratorDataset(ragged, ["d"]).padded_batch(2, pad_info={})
    (d,) = next(padded.create_tuple_iterator(output_numpy=True))
    assert d["v"].shape == (2, 3) and d["v"].tolist() == [[0, 0, 0], [0, 0, 0]]
    with pytest.raises(MindDataError, match="pad_info names column 'd', which holds Python dic"):
        list(ds.GeneratorDataset(ragged, ["d"]).padded_batch(2, pad_info={"d": ([3], 0)}))


def test_per_batch_map_receives_a_dict_of_lists_and_may_return_dicts():
    received = []

    def per_batch(col1, col2, info):
        received.append(col1)
        sums = [n + s for n, s in zip(col1["number"], col1["square"])]
        return {"sums": [np.array(v) for v in sums], "count": len(sums)}, col2

    data = ds.GeneratorDataset(numbers, ["col1", "col2"]).batch(3, per_batch_map=per_batch)
    got = list(data.create_tuple_iterator(num_epochs=1, output_numpy=True))
    assert received[0] == {"number": [0, 1, 2], "square": [0, 1, 4]}
    assert type(received[0]["number"]) is list and received[1] == {
        "number": [3, 4],
        "square": [9, 16],
    }
    # the dict it returned is kept as it is: a list of arrays stays a list (converted inside)
    assert_same(got[0][0], {"sums": [np.array(0), np.array(2), np.array(6)], "count": np.array(3)})
    assert_same(got[1][1], np.array([3, 4]))
    # ... and a batch of arrays may come back as a dict, with names of its own
    data = ds.NumpySlicesDataset(np.arange(4), ["x"], shuffle=False).batch(
        2,
        per_batch_map=lambda x, info: ({"x": x, "batch": info.get_batch_num()},),
        output_columns=["d"],
    )
    got = list(data.create_dict_iterator(num_epochs=1, output_numpy=True))
    assert_same(
        got,
        [
            {"d": {"x": [np.array(0), np.array(1)], "batch": np.array(0)}},
            {"d": {"x": [np.array(2), np.array(3)], "batch": np.array(1)}},
        ],
    )


def test_dicts_go_through_the_other_ops():
    data = ds.GeneratorDataset(numbers, ["col1", "col2"])
    other = ds.NumpySlicesDataset(np.arange(5) * 10, ["ten"], shuffle=False)
    piped = data.zip(other).repeat(2).skip(1).take(5).project(["ten", "col1"]).rename("col1", "d")
    got = list(piped.create_dict_iterator(num_epochs=1, output_numpy=True))
    assert [int(r["d"]["number"]) for r in got] == [1, 2, 3, 4, 0]
    assert [int(r["ten"]) for r in got] == [10, 20, 30, 40, 0]
    shuffled = [
        int(r[0]["square"]) for r in data.shuffle(3).create_tuple_iterator(output_numpy=True)
    ]
    assert sorted(shuffled) == [0, 1, 4, 9, 16]
    even = data.filter(lambda d: d["number"] % 2 == 0, "col1")
    assert [int(r[1]) for r in even.create_tuple_iterator(output_numpy=True)] == [0, 2, 4]
    concat = data.project("col1") + data.project("col1")
    assert [int(r[0]["number"]) for r in concat.create_tuple_iterator(output_numpy=True)] == [
        0,
        1,
        2,
        3,
        4,
        0,
        1,
        2,
        3,
        4,
    ]
