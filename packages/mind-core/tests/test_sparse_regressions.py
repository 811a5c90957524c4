"""Regressions found comparing Mind's sparse ops with PyTorch's (tests/peers/test_torch_sparse.py).

A COOTensor with no stored values: ``coalesce`` (and what calls it: ``ops.coalesce``,
``coo_add``, ``SparseAdd``, ``SparseSparseMaximum``) raised, asking ``unsorted_segment_sum`` for
zero segments; PyTorch's ``coalesce`` of an empty sparse tensor gives it back empty.
"""

import numpy as np
import pytest

import mind.core as ms
from mind.core import COOTensor, Tensor, ops
from mind.core.testing import check_grads

EMPTY_AT = np.zeros((0, 2), np.int64)


@pytest.mark.parametrize("mode", ["pynative", "jit"])
def test_coalesce_of_no_values_is_empty(mode):
    def run(values):
        return COOTensor(Tensor(EMPTY_AT), values, (3, 4)).coalesce().values

    fn = ms.jit(run) if mode == "jit" else run
    out = fn(Tensor(np.zeros(0)))
    assert out.shape == (0,)
    indices, values, shape = ops.coalesce(Tensor(EMPTY_AT.T.copy()), Tensor(np.zeros(0)), (3, 4))
    assert indices.shape == (2, 0) and values.shape == (0,)
    np.testing.assert_array_equal(shape.asnumpy(), [3, 4])


def test_coo_add_of_empty_operands():
    empty = COOTensor(Tensor(EMPTY_AT), Tensor(np.zeros(0)), (3, 4))
    assert ops.coo_add(empty, empty, 0.0).values.shape == (0,)
    other = COOTensor(Tensor(np.array([[2, 1], [0, 3]])), Tensor(np.array([5.0, -1.0])), (3, 4))
    total = ops.coo_add(empty, other, 0.0)
    np.testing.assert_array_equal(total.indices.asnumpy(), [[0, 3], [2, 1]])
    np.testing.assert_array_equal(total.values.asnumpy(), [-1.0, 5.0])
    want = np.zeros((3, 4))
    want[2, 1], want[0, 3] = 5.0, -1.0
    np.testing.assert_array_equal((empty + other).to_dense().asnumpy(), want)


def test_coalesce_gradient_with_values_still_checked():
    """The early return is for no values only: a non-empty coalesce still sums repeats."""
    at = np.array([[1, 2], [0, 0], [1, 2]])
    out = COOTensor(Tensor(at), Tensor(np.array([1.0, 2.0, 4.0])), (2, 3)).coalesce()
    np.testing.assert_array_equal(out.values.asnumpy(), [2.0, 5.0])
    check_grads(
        lambda v: COOTensor(Tensor(at), v, (2, 3)).coalesce().values, [np.array([1.0, 2.0, 4.0])]
    )
