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
