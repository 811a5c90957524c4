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


class _Linear(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = ms.Parameter(Tensor(np.array([1.0, -2.0], np.float32)), name="w")

    def construct(self, x):
        return (self.w * x).sum()


class _MyMomentum(nn.Optimizer):
    """A custom optimizer as MindSpore users write one: slots cloned from ``self.parameters``,
    the update in its own ``construct``."""

    def __init__(self, params, learning_rate, momentum=0.9):
        super().__init__(learning_rate, params)
        self.momentum = momentum
        self.moments = self.parameters.clone(prefix="moments", init="zeros")

    def construct(self, gradients):
        lr = self.get_lr()
        for p, m, g in zip(self.parameters, self.moments, gradients):
            ops.assign(m, m * self.momentum + g)
            ops.assign(p, p - lr * m)
        return True


@pytest.mark.parametrize("mode", ["pynative", "graph", "jit"])
def test_a_custom_optimizer_with_its_own_construct_and_cloned_slots(mode):
    net = _Linear()
    opt = _MyMomentum(net.trainable_params(), 0.1)
    assert isinstance(opt.parameters, ms.ParameterTuple)
    assert [p.name for p in opt.moments] == ["moments.w"]
    step = nn.TrainOneStepCell(net, opt)
    if mode == "jit":
        step = ms.jit(step)
    x = Tensor(np.array([3.0, 4.0], np.float32))
    if mode == "graph":
        ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for _ in range(3):
            step(x)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    w, m, g = np.array([1.0, -2.0]), np.zeros(2), np.array([3.0, 4.0])
    for _ in range(3):
        m = 0.9 * m + g
        w = w - 0.1 * m
    np.testing.assert_allclose(net.w.asnumpy(), w, rtol=1e-6)
    np.testing.assert_allclose(opt.moments[0].asnumpy(), m, rtol=1e-6)


@pytest.mark.parametrize("mode", ["pynative", "graph"])
def test_weight_decay_given_as_a_cell_of_the_step(mode):
    class Halving(nn.Cell):  # MindSpore's dynamic weight decay: a Cell called with the step
        def construct(self, global_step):
            return 0.1 * ops.pow(0.5, ops.cast(global_step, ms.float32))

    net = _Linear()
    step = nn.TrainOneStepCell(net, nn.SGD(net.trainable_params(), 0.1, weight_decay=Halving()))
    x = Tensor(np.array([3.0, 4.0], np.float32))
    if mode == "graph":
        ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for _ in range(3):
            step(x)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    w, g = np.array([1.0, -2.0]), np.array([3.0, 4.0])
    for t in range(3):
        w = w - 0.1 * (g + 0.1 * 0.5**t * w)
    np.testing.assert_allclose(net.w.asnumpy(), w, rtol=1e-6)


def test_a_custom_initializer_filling_its_array_in_place():
    from mind.core.common.initializer import Initializer, initializer

    class Ramp(Initializer):  # MindSpore's way: _initialize(arr) fills arr
        def __init__(self, step=1.0):
            super().__init__(step=step)
            self.step = step

        def _initialize(self, arr):
            arr[...] = np.arange(arr.size).reshape(arr.shape) * self.step

    dense = nn.Dense(3, 2, weight_init=Ramp(0.5))
    np.testing.assert_array_equal(dense.weight.asnumpy(), np.arange(6).reshape(2, 3) * 0.5)
    assert initializer(Ramp(), (2,), ms.float32).asnumpy().tolist() == [0.0, 1.0]

    class Nothing(Initializer):
        pass

    with pytest.raises(NotImplementedError, match="must implement sample"):
        initializer(Nothing(), (2,), ms.float32)
