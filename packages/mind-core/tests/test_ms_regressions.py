"""Values that MindSpore's own tests showed Mind computing wrongly, checked against numpy."""

import numpy as np
import pytest

from mind.core import Tensor, jit, ops


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8])
def test_inv_integer_keeps_dtype_and_truncates(dtype):
    x = np.array([1, 2, 3, 7, 100, 1, 5], dtype=dtype)
    if np.issubdtype(dtype, np.signedinteger):
        x = x * np.array([1, -1, 1, -1, 1, -1, 1], dtype=dtype)
    # numpy's integer reciprocal truncates toward zero: 1, -1 stay; the rest become 0.
    expect = np.trunc(1.0 / x.astype(np.float64)).astype(dtype)
    for fn in (ops.inv, ops.Inv(), jit(ops.inv)):
        out = fn(Tensor(x)).asnumpy()
        assert out.dtype == dtype
        np.testing.assert_array_equal(out, expect)


def test_inv_float_is_reciprocal():
    x = np.array([0.5, -4.0, 3.0], dtype=np.float32)
    np.testing.assert_allclose(ops.inv(Tensor(x)).asnumpy(), 1.0 / x, rtol=1e-6)
