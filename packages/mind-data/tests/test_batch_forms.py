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
    # Compose has a batch form, which declines when a member has none.
    form = transforms.batch_form(transforms.Compose([lambda x: x]))
    assert form(np.zeros((2, 3))) is NotImplemented


@pytest.mark.parametrize("shape", [(1, 4, 5, 3), (3, 4, 5, 3), (2, 6, 7), (2, 3, 3, 1)])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_image_batch_forms_match_rows(shape, dtype):
    from mind.data import vision

    block = (np.random.default_rng(1).random(shape) * 255).astype(dtype)
    channels = 1 if len(shape) == 3 else shape[3]
    mean, std = [10.0, 20.0, 30.0][:channels], [2.0, 4.0, 8.0][:channels]
    for op in (
        vision.Rescale(1 / 255, -0.5),
        vision.HWC2CHW(),
        vision.Normalize(mean, std),
        vision.Normalize([5.0], [3.0], is_hwc=False),
        vision.ToTensor(),
        transforms.Compose([vision.Rescale(0.5, 1.0), vision.HWC2CHW()]),
        transforms.Fill(3),
    ):
        out = transforms.batch_form(op)(block)
        rows = _rows(op, block)
        assert out.shape == (len(rows), *rows[0].shape)
        for k, row in enumerate(rows):
            np.testing.assert_array_equal(out[k], row)
            assert out[k].dtype == row.dtype


def test_image_batch_forms_not_implemented():
    from mind.data import vision

    for op in (vision.Rescale(2.0, 0.0), vision.HWC2CHW()):
        assert op._batch(np.zeros((2, 3))) is NotImplemented  # rows are 1-D
        assert op._batch(np.zeros((0, 4, 4, 3))) is NotImplemented  # no rows
        assert op._batch([np.zeros((4, 4, 3))]) is NotImplemented  # not an array


def test_one_hot_batch_matches_rows():
    labels = np.array([0, 2, 1, 2], np.int32)
    for op in (transforms.OneHot(3), transforms.OneHot(4, smoothing_rate=0.1)):
        out = op._batch(labels)
        for k, label in enumerate(labels):
            row = op(label)
            np.testing.assert_array_equal(out[k], row)
            assert out[k].dtype == row.dtype
        assert op._batch(labels.reshape(2, 2)) is NotImplemented


def test_normalize_batch_declines_a_channel_count_it_does_not_fit():
    from mind.data import vision

    op = vision.Normalize([1.0, 2.0], [1.0, 1.0])
    assert op._batch(np.zeros((2, 4, 4, 3), np.uint8)) is NotImplemented
