"""MindDataset: a MindRecord dataset as a pipeline source."""

import numpy as np
import pytest

import mind.data as ds
from mind.data.mindrecord import FileWriter


@pytest.fixture
def dataset(tmp_path):
    path = str(tmp_path / "toy.mindrecord")
    writer = FileWriter(path, shard_num=3)
    writer.add_schema(
        {
            "id": {"type": "int64"},
            "data": {"type": "float32", "shape": [2]},
            "blob": {"type": "bytes"},
            "name": {"type": "string"},
        },
        "toy",
    )
    writer.add_index(["id"])
    writer.write_raw_data(
        [
            {
                "id": i,
                "data": np.array([i, -i], np.float32),
                "blob": bytes([i, i + 1]),
                "name": f"row{i}",
            }
            for i in range(30)
        ]
    )
    writer.commit()
    return path


def ids(data):
    return [int(r[0]) for r in data.create_tuple_iterator(output_numpy=True)]


def test_reads_rows_with_projection_and_mindspore_column_types(dataset):
    data = ds.MindDataset(dataset, columns_list=["id", "data", "blob"], shuffle=False)
    assert data.get_col_names() == ["id", "data", "blob"] and data.get_dataset_size() == 30
    first = next(iter(data.create_tuple_iterator(output_numpy=True)))
    assert int(first[0]) == 0 and first[1].tolist() == [0.0, -0.0] and first[1].dtype == np.float32
    assert first[2].dtype == np.uint8 and first[2].tolist() == [0, 1]
    assert ids(data) == list(range(30))


def test_shuffle_modes(dataset):
    ds.config.set_seed(5)
    rows_global = ids(ds.MindDataset(dataset, columns_list=["id"], shuffle=True))
    assert sorted(rows_global) == list(range(30)) and rows_global != list(range(30))
    blocks = [list(range(10)), list(range(10, 20)), list(range(20, 30))]
    seen_orders = set()
    for seed in range(6):
        ds.config.set_seed(seed)
        files = ids(ds.MindDataset(dataset, columns_list=["id"], shuffle=ds.Shuffle.FILES))
        chunks = [files[0:10], files[10:20], files[20:30]]
        assert sorted(chunks) == blocks  # whole files, each in order
        seen_orders.add(tuple(c[0] for c in chunks))
    assert len(seen_orders) > 1  # the file order changes with the seed
    ds.config.set_seed(1)
    infile = ids(ds.MindDataset(dataset, columns_list=["id"], shuffle=ds.Shuffle.INFILE))
    assert [sorted(infile[i : i + 10]) for i in (0, 10, 20)] == blocks and infile != list(range(30))


def test_shards_and_pipeline(dataset):
    parts = [
        ids(ds.MindDataset(dataset, columns_list=["id"], num_shards=2, shard_id=k, shuffle=False))
        for k in (0, 1)
    ]
    assert sorted(parts[0] + parts[1]) == list(range(30))
    batches = list(
        ds.MindDataset(dataset, columns_list=["data"], shuffle=False)
        .batch(8)
        .create_tuple_iterator(output_numpy=True)
    )
    assert [b[0].shape for b in batches] == [(8, 2), (8, 2), (8, 2), (6, 2)]


def test_random_access_and_index_lookups(dataset):
    data = ds.MindDataset(dataset, columns_list=["id", "name"])
    assert int(data.read_row(17)["id"]) == 17 and str(data.read_row(17)["name"]) == "row17"
    assert data.lookup("id", 23) == [23]


def test_numeric_fields_come_out_in_the_schema_dtype(tmp_path):
    path = str(tmp_path / "dtypes.mindrecord")
    schema = {
        "i32": {"type": "int32"},
        "i64": {"type": "int64"},
        "f32": {"type": "float32"},
        "f64": {"type": "float64"},
        "v32": {"type": "int32", "shape": [2]},
        "vf": {"type": "float32", "shape": [-1]},
    }
    writer = FileWriter(path)
    writer.add_schema(schema)
    rows = [
        {
            "i32": -(2**31) + i,
            "i64": 2**40 + i,
            "f32": 0.1 * i,
            "f64": 0.1 * i,
            "v32": [i, -i],
            "vf": np.full(i, 0.5, np.float32),
        }
        for i in range(4)
    ]
    writer.write_raw_data(rows)
    writer.commit()
    want = [np.int32, np.int64, np.float32, np.float64, np.int32, np.float32]
    data = ds.MindDataset(path, shuffle=False)
    got = list(data.create_tuple_iterator(output_numpy=True))
    for i, row in enumerate(got):
        assert [c.dtype for c in row] == [np.dtype(t) for t in want]
        assert row[0] == np.int32(-(2**31) + i) and row[2] == np.float32(0.1 * i)
        assert row[3] == 0.1 * i and row[1] == 2**40 + i and row[5].shape == (i,)
    fixed = ds.MindDataset(path, columns_list=["i32", "i64", "f32", "f64", "v32"], shuffle=False)
    batch = next(iter(fixed.batch(4).create_tuple_iterator(output_numpy=True)))
    assert [c.dtype for c in batch] == [np.dtype(t) for t in want[:5]]
    assert batch[0].tolist() == [-(2**31) + i for i in range(4)]
    assert data.read_row(1)["i32"].dtype == np.int32
    unchecked = ds.MindDataset(path, shuffle=False, verify=False)
    assert [int(r[1]) for r in unchecked.create_tuple_iterator(output_numpy=True)] == [
        2**40 + i for i in range(4)
    ]


def test_a_raw_layout_that_does_not_fit_the_bytes_is_a_format_error(tmp_path):
    import json

    from mind.data.errors import MindRecordFormatError

    path = str(tmp_path / "raw.mindrecord")
    writer = FileWriter(path)
    layout = {"image": {"encoding": "raw", "dtype": "uint8", "shape": [2, 2]}}
    writer.add_schema({"image": {"type": "bytes"}}, json.dumps(layout))
    writer.write_raw_data([{"image": bytes(4)}, {"image": bytes(3)}])
    writer.commit()
    data = ds.MindDataset(path, shuffle=False)
    assert data.read_row(0)["image"].shape == (2, 2)
    with pytest.raises(MindRecordFormatError, match="row 1, field 'image' holds 3 bytes"):
        data.read_row(1)
    # A layout asking for a dtype that is not a plain number is ignored: bytes come out as uint8.
    path2 = str(tmp_path / "raw2.mindrecord")
    writer = FileWriter(path2)
    layout = {"image": {"encoding": "raw", "dtype": "object", "shape": [1]}}
    writer.add_schema({"image": {"type": "bytes"}}, json.dumps(layout))
    writer.write_raw_data([{"image": bytes(8)}])
    writer.commit()
    assert ds.MindDataset(path2).read_row(0)["image"].dtype == np.uint8
