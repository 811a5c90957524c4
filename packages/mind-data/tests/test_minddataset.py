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
