"""MindSpore's documented behaviour where Mind used to differ (issue 14's semantic differences),
each against numpy or MindSpore's documented values."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindValueError


@pytest.mark.parametrize("where", ["eager", "jit", "native"])
def test_sign_of_nan_is_zero(where):
    x = np.array([np.nan, -2.0, 0.0, 3.5], np.float32)
    want = np.array([0.0, -1.0, 0.0, 1.0], np.float32)
    if where == "eager":
        got = ops.sign(Tensor(x))
    else:
        if where == "native":
            ms.set_context(device_target="native")
        try:
            got = ms.jit(lambda t: ops.sign(t) * 1)(Tensor(x))
        finally:
            ms.set_context(device_target="cpu")
    np.testing.assert_array_equal(got.asnumpy(), want)


def test_div_rounding_mode_and_norm_dtype_keywords():
    x = Tensor(np.array([7.0, -7.0]))
    np.testing.assert_array_equal(x.div(2.0, rounding_mode="floor").asnumpy(), [3.0, -4.0])
    np.testing.assert_array_equal(x.div(2.0, rounding_mode="trunc").asnumpy(), [3.0, -3.0])
    v = Tensor(np.array([3.0, 4.0], np.float32))
    n = ops.norm(v, dtype=ms.float64)
    assert n.dtype == ms.float64 and n.item() == 5.0
    assert v.norm(dtype=ms.float64).dtype == ms.float64


def test_a_placeholder_declares_dynamic_inputs_for_set_inputs():
    placeholder = Tensor(shape=[None, 3], dtype=ms.float32)
    assert placeholder.shape == (-1, 3) and placeholder.dtype == ms.float32
    assert "placeholder" in repr(placeholder)
    with pytest.raises(
        MindValueError, match="placeholder Tensor of shape \\[-1, 3\\] has no values"
    ):
        placeholder + 1

    class Twice(nn.Cell):
        def construct(self, x):
            return x * 2

    net = Twice()
    net.set_inputs(placeholder)
    assert net.get_inputs()[0].shape == (-1, 3)
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for rows in (2, 5):  # any size on the dynamic axis
            x = np.arange(rows * 3, dtype=np.float32).reshape(rows, 3)
            np.testing.assert_array_equal(net(Tensor(x)).asnumpy(), x * 2)
        with pytest.raises(MindValueError, match="input_signature says float32\\[-1, 3\\]"):
            net(Tensor(np.ones((2, 4), np.float32)))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    f = ms.jit(lambda t: t + 1, input_signature=Tensor(shape=[2, None], dtype=ms.float32))
    assert f(Tensor(np.zeros((2, 7), np.float32))).shape == (2, 7)
