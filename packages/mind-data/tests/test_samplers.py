"""Samplers: user samplers written as MindSpore users write them, and the built-in ones."""

import numpy as np
import pytest

import mind.data as ds
from mind.core.errors import MindTypeError, MindValueError


@pytest.fixture(autouse=True)
def _seed():
    ds.config.set_seed(1234)
    yield


def values(dataset, **kw):
    return [int(r[0]) for r in dataset.create_tuple_iterator(output_numpy=True, **kw)]


# -- user samplers (ds.Sampler with __iter__) ----------------------------------------------------


class TwoThenZero(ds.Sampler):
    def __iter__(self):
        yield from [2, 0]


class Reverse(ds.Sampler):
    def __iter__(self):
        return iter(range(self.dataset_size - 1, -1, -1))


def test_a_user_sampler_gives_the_rows_its_iter_yields():
    source = [10, 11, 12, 13]
    data = ds.GeneratorDataset(source, ["x"], sampler=TwoThenZero())
    assert values(data) == [12, 10] and data.get_dataset_size() == 2
    assert values(data.repeat(2)) == [12, 10, 12, 10]
    # dataset_size is the source's row count, set before the epoch
    assert values(ds.GeneratorDataset(source, ["x"], sampler=Reverse())) == [13, 12, 11, 10]
    # the block engine (an array source) reads the same indices
    slices = ds.NumpySlicesDataset(np.arange(5) * 2, ["x"], sampler=Reverse())
    assert values(slices) == [8, 6, 4, 2, 0]
    assert values(slices.take(3)) == [8, 6, 4]


def test_a_user_sampler_num_samples_and_reset():
    data = ds.GeneratorDataset([10, 11, 12, 13], ["x"], sampler=Reverse(num_samples=3))
    assert values(data) == [13, 12, 11] and data.get_dataset_size() == 3

    class Shifting(ds.Sampler):
        def __init__(self):
            super().__init__()
            self.shift = 0

        def reset(self):  # before every epoch but the first
            self.shift += 1

        def __iter__(self):
            yield from [(i + self.shift) % self.dataset_size for i in range(2)]

    data = ds.GeneratorDataset([10, 11, 12], ["x"], sampler=Shifting())
    it = data.create_tuple_iterator(num_epochs=3, output_numpy=True)
    assert [[int(r[0]) for r in it] for _ in range(3)] == [[10, 11], [11, 12], [12, 10]]


def test_user_sampler_errors():
    class NoIter(ds.Sampler):
        pass

    with pytest.raises(NotImplementedError, match="'NoIter', a sampler must implement __iter__"):
        values(ds.GeneratorDataset([1, 2], ["x"], sampler=NoIter()))

    class OutOfRange(ds.Sampler):
        def __iter__(self):
            yield from [0, 5]

    with pytest.raises(MindValueError, match=r"'OutOfRange', indices must be in \[0, 3\)"):
        values(ds.GeneratorDataset([1, 2, 3], ["x"], sampler=OutOfRange()))

    class Strings(ds.Sampler):
        def __iter__(self):
            yield "a"

    with pytest.raises(MindTypeError, match="'Strings', 'indices' must be a 1-D sequence"):
        values(ds.GeneratorDataset([1, 2, 3], ["x"], sampler=Strings()))
    with pytest.raises(MindValueError, match="'TwoThenZero', expected a non-negative int"):
        TwoThenZero(num_samples=-1)


# -- WeightedRandomSampler -----------------------------------------------------------------------


def test_weighted_random_sampler_draws_rows_by_weight():
    weights = [0.1, 0.0, 0.6, 0.3]
    sampler = ds.WeightedRandomSampler(weights, num_samples=20000)
    data = ds.NumpySlicesDataset(np.arange(6) * 10, ["x"], sampler=sampler)
    drawn = np.asarray(values(data)) // 10
    assert len(drawn) == 20000 and data.get_dataset_size() == 20000
    # Frequencies match weights / sum(weights), loosely (20,000 draws: a few tenths of a percent);
    # the zero weight and the rows past len(weights) are never drawn.
    freq = np.bincount(drawn, minlength=6) / len(drawn)
    np.testing.assert_allclose(freq[:4], np.asarray(weights) / sum(weights), atol=0.02)
    assert freq[1] == 0 and freq[4:].tolist() == [0, 0]

    # Unnormalised weights mean the same; new draws every epoch, the same under one seed.
    def unnormalised():
        sampler = ds.WeightedRandomSampler([1, 6, 3, 0], num_samples=50)
        return ds.NumpySlicesDataset(np.arange(4), ["x"], sampler=sampler)

    epochs = unnormalised().create_tuple_iterator(num_epochs=2, output_numpy=True)
    first, second = [int(r[0]) for r in epochs], [int(r[0]) for r in epochs]
    assert len(first) == len(second) == 50 and first != second
    assert 3 not in first + second and {0, 1, 2} <= set(first)
    assert values(unnormalised()) == first


def test_weighted_random_sampler_without_replacement_and_errors():
    sampler = ds.WeightedRandomSampler([5, 0, 1, 1, 2], num_samples=4, replacement=False)
    for seed in range(20):
        ds.config.set_seed(seed)
        drawn = values(ds.NumpySlicesDataset(np.arange(5), ["x"], sampler=sampler))
        assert len(drawn) == 4 and sorted(drawn) == [0, 2, 3, 4]  # every positive weight once
    with pytest.raises(MindValueError, match="cannot exceed the number of positive weights"):
        ds.WeightedRandomSampler([1, 0, 1], num_samples=3, replacement=False)
    with pytest.raises(MindValueError, match="finite and >= 0 with a positive sum"):
        ds.WeightedRandomSampler([1, -1])
    with pytest.raises(MindValueError, match="finite and >= 0 with a positive sum"):
        ds.WeightedRandomSampler([0, 0])
    with pytest.raises(MindValueError, match="non-empty 1-D"):
        ds.WeightedRandomSampler([])
    with pytest.raises(MindTypeError, match="'replacement' must be a bool"):
        ds.WeightedRandomSampler([1], replacement=1)
    with pytest.raises(MindValueError, match="3 weights, but the dataset has 2 rows"):
        values(
            ds.NumpySlicesDataset(np.arange(2), ["x"], sampler=ds.WeightedRandomSampler([1] * 3))
        )


# -- PKSampler -------------------------------------------------------------------------------------


LABELS = np.array([2, 0, 1, 2, 0, 2, 1, 2, 0, 7])  # class 7 has one row


def labelled(**kw):
    return ds.NumpySlicesDataset(
        {"x": np.arange(len(LABELS)), "label": LABELS}, sampler=ds.PKSampler(**kw)
    )


def groups(dataset, k):
    rows = [(int(x), int(y)) for x, y in dataset.create_tuple_iterator(output_numpy=True)]
    return [rows[i : i + k] for i in range(0, len(rows), k)]


def test_pk_sampler_takes_num_val_rows_of_each_class_in_label_order():
    got = groups(labelled(num_val=3), 3)
    assert [g[0][1] for g in got] == [0, 1, 2, 7]  # classes ascending
    for group in got:
        (label,) = {y for _, y in group}
        assert all(LABELS[x] == label for x, _ in group)  # each row is of its group's class
    assert got[-1] == [(9, 7)] * 3  # a class of one row gives that row K times
    assert labelled(num_val=3).get_dataset_size() == 12
    # With replacement within a class, as MindSpore draws: over many epochs every row of a
    # class comes up, about equally often.
    it = labelled(num_val=4).create_tuple_iterator(num_epochs=300, output_numpy=True)
    counts = np.zeros(len(LABELS), int)
    for _ in range(300):
        for x, _ in it:
            counts[int(x)] += 1
    for label in (0, 1, 2):
        rows = np.flatnonzero(LABELS == label)
        share = counts[rows] / counts[rows].sum()
        np.testing.assert_allclose(share, 1 / len(rows), atol=0.06)


def test_pk_sampler_shuffle_num_samples_and_class_column():
    orders = set()
    for seed in range(8):
        ds.config.set_seed(seed)
        got = groups(labelled(num_val=2, shuffle=True), 2)
        classes = [g[0][1] for g in got]
        assert sorted(classes) == [0, 1, 2, 7]
        assert all(len({y for _, y in g}) == 1 and LABELS[g[0][0]] == g[0][1] for g in got)
        orders.add(tuple(classes))
    assert len(orders) > 1  # the class order is shuffled
    assert [g[0][1] for g in groups(labelled(num_val=2, num_samples=5), 1)] == [0, 0, 1, 1, 2]
    assert labelled(num_val=2, num_samples=50).get_dataset_size() == 8  # all there is
    # Another column as the classes, and a GeneratorDataset read row by row.
    source = [(np.array(i), np.array(i % 2)) for i in range(6)]
    data = ds.GeneratorDataset(source, ["x", "kind"], sampler=ds.PKSampler(2, class_column="kind"))
    got = groups(data, 2)
    assert [{y for _, y in g} for g in got] == [{0}, {1}]
    assert all(x % 2 == y for g in got for x, y in g)


def test_pk_sampler_errors():
    with pytest.raises(MindValueError, match="'num_val' must be an int >= 1"):
        ds.PKSampler(0)
    with pytest.raises(NotImplementedError, match="'num_class' is not supported"):
        ds.PKSampler(2, num_class=3)
    with pytest.raises(MindTypeError, match="'shuffle' must be a bool"):
        ds.PKSampler(2, shuffle=1)
    with pytest.raises(MindValueError, match="'class_column' 'label' is not a column"):
        ds.NumpySlicesDataset(np.arange(3), ["x"], sampler=ds.PKSampler(2))


def test_pk_sampler_over_an_image_folder_reads_labels_not_files(tmp_path, monkeypatch):
    for cls in ("cat", "dog", "emu"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            (tmp_path / cls / f"{i}.png").write_bytes(bytes([ord(cls[0]), i]))
    data = ds.ImageFolderDataset(str(tmp_path), sampler=ds.PKSampler(2, shuffle=True))
    from mind.data._src.readers import ImageFolderReader

    reads = []
    original = ImageFolderReader.__getitem__
    monkeypatch.setattr(
        ImageFolderReader, "__getitem__", lambda self, i: reads.append(i) or original(self, i)
    )
    assert data.get_dataset_size() == 6 and reads == []  # the labels came without the files
    rows = [(bytes(image), int(y)) for image, y in data.create_tuple_iterator(output_numpy=True)]
    assert len(reads) == 6 and sorted(y for _, y in rows[::2]) == [0, 1, 2]
    for k in range(0, 6, 2):  # a group of 2 per class; a file's first byte names its folder
        (y,) = {y for _, y in rows[k : k + 2]}
        assert all(image[0] == ord("cde"[y]) for image, _ in rows[k : k + 2])
