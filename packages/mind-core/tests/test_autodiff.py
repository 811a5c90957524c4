"""Eager autodiff with MindSpore 2.x's grad / value_and_grad semantics."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core._src.ops.dispatch import STATE
from mind.core.errors import MindTypeError, MindValueError
from mind.core.testing import check_grads


def f(x, y, z):
    return (x * y * z).sum()


X, Y, Z = Tensor([1.0, 2.0]), Tensor([-2.0, 3.0]), Tensor([0.5, 3.0])


def test_grad_position_int_and_tuple():
    g = ms.grad(f)(X, Y, Z)
    np.testing.assert_allclose(g.asnumpy(), (Y * Z).asnumpy())
    gy, gz = ms.grad(f, grad_position=(1, 2))(X, Y, Z)
    np.testing.assert_allclose(gy.asnumpy(), (X * Z).asnumpy())
    np.testing.assert_allclose(gz.asnumpy(), (X * Y).asnumpy())


def test_grad_with_weights_and_both():
    net = nn.Dense(3, 2)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32))

    def loss(x):
        return net(x).sum()

    wg = ms.grad(loss, grad_position=None, weights=net.trainable_params())(x)
    np.testing.assert_allclose(wg[0].asnumpy(), np.tile(x.asnumpy().sum(0), (2, 1)), rtol=1e-5)
    np.testing.assert_allclose(wg[1].asnumpy(), [4.0, 4.0])
    xg, wg2 = ms.grad(loss, 0, net.trainable_params())(x)
    np.testing.assert_allclose(
        xg.asnumpy(), np.tile(net.weight.asnumpy().sum(0), (4, 1)), rtol=1e-5
    )
    assert len(wg2) == 2


def test_has_aux_returns_gradient_and_aux():
    def fn(x):
        return (x * x).sum(), x * 10

    grads, aux = ms.grad(fn, has_aux=True)(X)
    np.testing.assert_allclose(grads.asnumpy(), [2.0, 4.0])
    assert isinstance(aux, tuple) and aux[0].asnumpy().tolist() == [10.0, 20.0]
    (value, aux2), g2 = ms.value_and_grad(fn, has_aux=True)(X)
    assert value.item() == 5.0 and aux2.asnumpy().tolist() == [10.0, 20.0]


def test_value_and_grad():
    value, g = ms.value_and_grad(f, grad_position=0)(X, Y, Z)
    assert value.item() == pytest.approx(1 * -2 * 0.5 + 2 * 3 * 3)
    np.testing.assert_allclose(g.asnumpy(), (Y * Z).asnumpy())


def test_non_scalar_output_uses_all_ones_sensitivity():
    g = ms.grad(lambda x: x * x)(X)
    np.testing.assert_allclose(g.asnumpy(), [2.0, 4.0])


def test_tuple_output_sums_gradients():
    g = ms.grad(lambda x: (x.sum(), (x * 3).sum()))(X)
    np.testing.assert_allclose(g.asnumpy(), [4.0, 4.0])


def test_unused_input_gets_zeros():
    g = ms.grad(lambda x, y: (x * 2).sum(), grad_position=1)(X, Y)
    np.testing.assert_array_equal(g.asnumpy(), [0.0, 0.0])


def test_stop_gradient_blocks_flow():
    g = ms.grad(lambda x: (x * ops.stop_gradient(x)).sum())(X)
    np.testing.assert_allclose(g.asnumpy(), X.asnumpy())


def test_grad_of_grad_of_elementwise_math():
    x = Tensor(np.array([0.3, 1.1, -0.7]))

    def fn(x):
        return (ops.sin(x) * ops.exp(x) + ops.tanh(x) ** 3).sum()

    second = ms.grad(lambda x: ms.grad(fn)(x).sum())(x).asnumpy()
    v = x.asnumpy()
    t = np.tanh(v)
    want = 2 * np.cos(v) * np.exp(v) + 6 * t * (1 - t**2) ** 2 - 6 * t**3 * (1 - t**2)
    np.testing.assert_allclose(second, want, rtol=1e-10)
    third = ms.grad(lambda x: ms.grad(lambda y: ms.grad(lambda z: (z**4).sum())(y).sum())(x).sum())(
        x
    )
    np.testing.assert_allclose(third.asnumpy(), 24 * v, rtol=1e-10)


def test_gradient_dtype_follows_the_input_through_promotion():
    x = Tensor(np.array([1.0, 2.0], np.float16))
    g = ms.grad(lambda x: (x * Tensor(np.array([3.0, 4.0], np.float32))).sum())(x)
    assert g.dtype is ms.float16
    np.testing.assert_allclose(g.asnumpy(), [3.0, 4.0])


def test_broadcast_inputs_get_reduced_gradients():
    b = Tensor(np.ones((1, 3), np.float32))
    g = ms.grad(lambda b, a: (a + b).sum(), 0)(b, Tensor(np.ones((4, 3), np.float32)))
    assert g.shape == (1, 3) and g.asnumpy().tolist() == [[4.0, 4.0, 4.0]]


def test_no_tape_is_kept_when_nothing_asks_for_a_gradient():
    net = nn.Dense(3, 2)
    out = net(Tensor(np.ones((2, 3), np.float32)))
    assert out._node is None and not STATE.recording
    _, _ = ms.value_and_grad(lambda x: net(x).sum())(Tensor(np.ones((2, 3), np.float32)))
    assert not STATE.recording and STATE.depth == 0
    assert all(p._node is None for p in net.get_parameters())


def test_returned_values_carry_no_tape():
    value, g = ms.value_and_grad(lambda x: (x * x).sum())(X)
    assert value._node is None and g._node is None


def test_parameters_get_gradients_and_stay_clean_after_errors():
    w = Parameter(Tensor([2.0]), name="w")
    with pytest.raises(ZeroDivisionError):
        ms.grad(lambda x: 1 / 0, None, [w])(X)
    assert w._node is None and not STATE.recording and STATE.depth == 0
    g = ms.grad(lambda x: (x * w).sum(), None, [w])(X)
    assert g[0].asnumpy().tolist() == [3.0]


def test_bad_arguments_are_explained():
    with pytest.raises(MindValueError, match="cannot both be None"):
        ms.grad(f, grad_position=None)(X, Y, Z)
    with pytest.raises(MindValueError, match="out of range"):
        ms.grad(f, grad_position=5)(X, Y, Z)
    with pytest.raises(MindTypeError, match="input 0 must be a Tensor"):
        ms.grad(lambda x: x)(3.0)
    with pytest.raises(MindValueError, match="has_aux=True"):
        ms.grad(lambda x: x.sum(), has_aux=True)(X)
    with pytest.raises(MindTypeError, match="must return a Tensor"):
        ms.grad(lambda x: {"loss": x})(X)  # (a number is a constant: zero gradients)


def test_gradients_of_many_slices_are_added_in_place_not_as_dense_tensors(monkeypatch):
    from mind.core._src.ops.dispatch import PRIMITIVES

    x = Tensor(np.random.default_rng(0).standard_normal((3, 50, 4)))

    def f(v):
        total = v[:, 0] * 0.0
        for t in range(50):  # a loop over time, as an RNN slices its input
            total = total + v[:, t] * float(t) + v[np.array([0, 0]), t].sum()
        return total.sum()

    calls = []
    original = PRIMITIVES["index_add"].impl
    monkeypatch.setattr(
        PRIMITIVES["index_add"], "impl", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    g = ms.grad(f)(x).asnumpy()
    want = np.zeros((3, 50, 4))
    want += np.arange(50.0)[None, :, None]
    want[0] += 2.0 * 12  # v[[0, 0], t] picks row 0 twice; its sum is added to 12 elements
    np.testing.assert_allclose(g, want)
    assert calls == []  # no dense zero tensor of x's shape per slice (that was quadratic)
    check_grads(f, [x.asnumpy()])  # against finite differences too


@pytest.mark.parametrize("mode", [ms.PYNATIVE_MODE, ms.GRAPH_MODE])
def test_an_integer_input_promoted_to_float_gets_the_gradient_cast_to_its_dtype(mode):
    # MindSpore's Cast bprop: d(int_x * w)/d int_x is w's gradient cast to int (2.5 -> 2).
    w = Tensor(np.array([2.5, -1.5], np.float32))

    def f(x):
        return ops.relu(x * w + 10).sum()

    grad = ms.jit(ms.grad(f)) if mode == ms.GRAPH_MODE else ms.grad(f)
    g = grad(Tensor(np.array([3, 4], np.int32)))
    g_float = grad(Tensor(np.array([3.0, 4.0], np.float32)))
    assert g.dtype == ms.int32
    np.testing.assert_array_equal(g.asnumpy(), g_float.asnumpy().astype(np.int32))
    np.testing.assert_array_equal(g.asnumpy(), [2, -1])


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_stop_gradient_inside_jit_stays_a_cut_when_the_jit_function_is_differentiated(device):
    def f(x):
        return (ops.stop_gradient(x * x) * x).sum()

    x = Tensor(np.array([3.0, -2.0], np.float32))
    ms.set_context(device_target=device)
    try:
        outside = ms.grad(ms.jit(f))(x).asnumpy()
        inside = ms.jit(ms.grad(f))(x).asnumpy()
    finally:
        ms.set_context(device_target="cpu")
    np.testing.assert_allclose(outside, [9.0, 4.0])  # d/dx of c * x with c = x*x held constant
    np.testing.assert_allclose(inside, [9.0, 4.0])


class _Writer(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = Parameter(Tensor(np.array([5.0], np.float32)), "a")

    def construct(self, x):
        for _ in range(3):
            self.a = self.a * x
        return self.a * x


@pytest.mark.parametrize("mode", [ms.PYNATIVE_MODE, ms.GRAPH_MODE])
def test_a_gradient_through_parameter_writes_writes_once_and_reads_what_the_forward_read(mode):
    net = _Writer()
    ms.set_context(mode=mode)
    try:
        g = ms.grad(net)(Tensor(np.array([2.0], np.float32)))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    assert net.a.asnumpy()[0] == 40.0  # 5 * 2**3: the writes ran once, not again for the backward
    assert g.asnumpy()[0] == 40.0  # the reads of a written Parameter are constants (an assign cuts)


def test_setitem_under_grad_differentiates_the_value_read_before_the_write():
    def f(x):
        m = x[0].max()
        y = x * x  # read before the write: its gradient is 2 * the old x
        x[0] = m
        return x.sum() + y.sum()

    x0 = np.array([[4.0, 1.0], [2.0, 3.0]], np.float32)
    g = ms.grad(f)(Tensor(x0)).asnumpy()
    # x.sum() after the write is 2 * max(row 0) + row 1; finite differences by hand:
    np.testing.assert_allclose(g, 2 * x0 + np.array([[2.0, 0.0], [1.0, 1.0]]))


def test_setitem_inside_jit_with_a_constant_and_a_loop_index():
    @ms.jit
    def f(x, n):
        x[0, 1] = 5.0
        i = Tensor(np.array(0, np.int32))
        while i < n:
            x[i, :] = x[i, :] * 2 + i
            i = i + 1
        return x

    x0 = np.arange(6, dtype=np.float32).reshape(3, 2)
    expected = x0.copy()
    expected[0, 1] = 5.0
    for i in range(2):
        expected[i] = expected[i] * 2 + i
    out = f(Tensor(x0), Tensor(np.array(2, np.int32)))
    np.testing.assert_allclose(out.asnumpy(), expected)


def test_a_one_element_tuple_of_positions_gives_the_tensor():
    # MindSpore's grad unwraps a one-element result (grad(f, (0,)) is a Tensor); GradOperation's
    # get_all still gives a tuple
    x = Tensor(np.array([1.0, 2.0]))
    g = ms.grad(lambda a, b: (a * b).sum(), (0,))(x, x * 3)
    np.testing.assert_array_equal(g.asnumpy(), [3.0, 6.0])
    _, gv = ms.value_and_grad(lambda a: (a * a).sum(), (0,))(x)
    np.testing.assert_array_equal(gv.asnumpy(), [2.0, 4.0])
    from mind.core.ops.composite import GradOperation

    (ga,) = GradOperation(get_all=True)(lambda a: (a * a).sum())(x)
    np.testing.assert_array_equal(ga.asnumpy(), [2.0, 4.0])
