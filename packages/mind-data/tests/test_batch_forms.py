"""Batch forms of deterministic transforms equal the stacked per-row results."""

import numpy as np
import pytest

from mind.data import transforms


def _rows(op, *cols):
    outs = [op(*[c[k] for c in cols]) for k in range(len(cols[0]))]
    return outs


@pytest.mark.parametrize("n", [0, 1, 5])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float64])
def test_typecast_batch_matches_rows(n, dtype):
    rng = np.random.default_rng(0)
    block = (rng.random((n, 3, 2)) * 100).astype(dtype)
    op = transforms.TypeCast(np.float32)
    out = transforms.batch_form(op)(block)
    assert out.dtype == np.float32 and out.shape == block.shape
    for k, row in enumerate(_rows(op, block)):
        np.testing.assert_array_equal(out[k], row)
        assert out[k].dtype == row.dtype


def test_typecast_batch_not_implemented_for_lists():
    assert transforms.TypeCast(np.int32)._batch([1, 2]) is NotImplemented


def test_duplicate_batch_is_independent_copy():
    block = np.arange(6).reshape(3, 2)
    a, b = transforms.batch_form(transforms.Duplicate())(block)
    np.testing.assert_array_equal(a, block)
    b[0, 0] = 99
    assert block[0, 0] == 0
    assert transforms.Duplicate()._batch(block, block) is NotImplemented


def test_batch_form_none_for_plain_callables():
    assert transforms.batch_form(lambda x: x) is None
    assert transforms.batch_form(transforms.Compose([lambda x: x])) is None
