"""Tensor.register_hook: hooks that scale, replace and observe gradients, against the analytic
gradient; removal; order; a tensor used twice; inputs, intermediates and Parameters; jit."""

import gc
import warnings

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core._src.autodiff import eager
from mind.core.errors import MindTypeError, MindValueError

A = np.array([1.0, 2.0, 3.0], np.float32)
B = np.array([0.5, -1.0, 2.0], np.float32)


def test_mindspores_example_doubles_an_intermediates_gradient():
    # z = x * y, out = z * y: d/dx = y^2, d/dy = 2 x y, and the hook doubles dL/dz = y
    def f(x, y):
        z = x * y
        z.register_hook(lambda g: g * 2)
        return z * y

    gx, gy = ms.grad(f, grad_position=(0, 1))(Tensor(1.0), Tensor(2.0))
    assert (gx.asnumpy(), gy.asnumpy()) == (8.0, 6.0)  # MindSpore's documented output
    gx, gy = ms.grad(f, grad_position=(0, 1))(Tensor(A), Tensor(B))
    np.testing.assert_allclose(gx.asnumpy(), 2 * B * B)
    np.testing.assert_allclose(gy.asnumpy(), 2 * A * B + A * B)  # through z doubled, plus z


def test_a_hook_that_replaces_the_gradient_and_one_that_observes_it():
    seen = []

    def f(x):
        z = ops.sin(x)
        z.register_hook(lambda g: seen.append(g.asnumpy().copy()))  # None: unchanged
        w = z * z
        w.register_hook(lambda g: ops.ones_like(g) * 3)  # dL/dw = 3 instead of 1
        return w.sum()

    g = ms.grad(f)(Tensor(A))
    np.testing.assert_allclose(seen[0], 3 * 2 * np.sin(A), rtol=1e-6)  # after w's hook
    np.testing.assert_allclose(g.asnumpy(), 6 * np.sin(A) * np.cos(A), rtol=1e-6)
    value, g = ms.value_and_grad(f)(Tensor(A))
    np.testing.assert_allclose(value.asnumpy(), (np.sin(A) ** 2).sum(), rtol=1e-6)
    np.testing.assert_allclose(g.asnumpy(), 6 * np.sin(A) * np.cos(A), rtol=1e-6)


def test_hooks_run_in_order_and_once_with_the_summed_gradient_of_a_tensor_used_twice():
    calls = []

    def f(x):
        z = x * 2
        z.register_hook(lambda g: calls.append(("add", g.asnumpy().copy())) or g + 1)
        z.register_hook(lambda g: calls.append(("scale", g.asnumpy().copy())) or g * 10)
        return (z * z + z * 3).sum()  # z used three times

    g = ms.grad(f)(Tensor(A))
    dz = 2 * (2 * A) + 3
    assert [name for name, _ in calls] == ["add", "scale"]  # once each, in order
    np.testing.assert_allclose(calls[0][1], dz)
    np.testing.assert_allclose(calls[1][1], dz + 1)
    np.testing.assert_allclose(g.asnumpy(), (dz + 1) * 10 * 2)  # not dz * 10 + 1


def test_hooks_on_inputs_removed_one_by_one():
    x = Tensor(np.array([1.0], np.float32))
    first = x.register_hook(lambda g: g * 2)
    second = x.register_hook(lambda g: g * 3)

    def f(v):
        return v**2 + v + 1  # d/dv = 3 at 1

    np.testing.assert_allclose(ms.grad(f)(x).asnumpy(), [18.0])
    first.remove()
    np.testing.assert_allclose(ms.grad(f)(x).asnumpy(), [9.0])
    first.remove()  # again: nothing
    second.remove()
    np.testing.assert_allclose(ms.grad(f)(x).asnumpy(), [3.0])
    assert id(x) not in eager._TENSOR_HOOKS  # no hook left: the backward skips the lookup


def test_a_hook_removed_inside_the_function_before_the_backward_does_not_run():
    def f(x, y):
        z = x * y
        handle = z.register_hook(lambda g: g * 2)
        z = z * y
        handle.remove()
        return z

    gx, gy = ms.grad(f, grad_position=(0, 1))(Tensor(1.0), Tensor(2.0))
    assert (gx.asnumpy(), gy.asnumpy()) == (4.0, 4.0)  # MindSpore's documented output


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.weight1 = Parameter(Tensor(A), name="weight1")
        self.weight2 = Parameter(Tensor(A), name="weight2")

    def construct(self, x):
        return x * self.weight1 + x * self.weight2 * self.weight2


@pytest.mark.parametrize("mode", [ms.PYNATIVE_MODE, ms.GRAPH_MODE])
def test_parameter_hooks_with_grad_operation(mode):
    ms.set_context(mode=mode)
    try:
        net = Net()
        x = Tensor(B)
        grad_fn = ops.GradOperation(get_by_list=True)(net, net.trainable_params())
        h1 = net.weight1.register_hook(lambda g: g * 2)
        net.weight2.register_hook(lambda g: -g)
        g1, g2 = grad_fn(x)
        np.testing.assert_allclose(g1.asnumpy(), 2 * B)
        np.testing.assert_allclose(g2.asnumpy(), -2 * B * A)  # once, the sum of both uses
        h1.remove()
        g1, _ = grad_fn(x)
        np.testing.assert_allclose(g1.asnumpy(), B)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)


def test_a_weights_hook_sees_zeros_when_the_loss_does_not_use_it():
    net = Net()
    seen = []
    net.weight2.register_hook(lambda g: seen.append(g.asnumpy().copy()))
    grads = ms.grad(lambda x: (x * net.weight1).sum(), None, net.trainable_params())(Tensor(B))
    np.testing.assert_allclose(seen, [np.zeros(3)])
    np.testing.assert_allclose(grads[1].asnumpy(), np.zeros(3))


def test_no_hook_runs_without_a_gradient_and_a_dead_tensors_entry_goes():
    calls = []
    x = Tensor(A)
    x.register_hook(calls.append)
    (x * 2).sum()
    assert calls == []
    key = id(x)
    del x
    gc.collect()
    assert key not in eager._TENSOR_HOOKS


def test_a_hook_inside_a_compiled_gradient_is_compiled_into_it():
    def f(x, y):
        z = x * y
        z.register_hook(lambda g: g * 2)
        return (z * y).sum()

    grad = ms.jit(ms.grad(f, grad_position=(0, 1)))
    for _ in range(2):  # the second call runs the cached graph
        gx, gy = grad(Tensor(A), Tensor(B))
        np.testing.assert_allclose(gx.asnumpy(), 2 * B * B)
        np.testing.assert_allclose(gy.asnumpy(), 3 * A * B)


def test_hooks_that_cannot_apply_in_a_compiled_graph_warn():
    w = Parameter(Tensor(A), name="w")
    w.register_hook(lambda g: g * 100)
    with pytest.warns(UserWarning, match="registered in PyNative mode does not run"):
        (g,) = ms.jit(ms.grad(lambda x: (x * w).sum(), None, [w]))(Tensor(B))
    np.testing.assert_allclose(g.asnumpy(), B)  # PyNative-only, as documented

    def forward(x):
        z = x * x
        z.register_hook(lambda g: g * 100)
        return z.sum()

    with pytest.warns(UserWarning, match="compiled forward"):
        g = ms.grad(ms.jit(forward))(Tensor(A))
    np.testing.assert_allclose(g.asnumpy(), 2 * A)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a PyNative hook in a PyNative gradient: no warning
        np.testing.assert_allclose(ms.grad(forward)(Tensor(A)).asnumpy(), 200 * A)


def test_bad_hooks_are_refused():
    with pytest.raises(MindTypeError, match="'hook' must be a function"):
        Tensor(A).register_hook(3)

    def f(x):
        z = x * 2
        z.register_hook(lambda g: ops.ones((2,)))
        return z.sum()

    with pytest.raises(MindValueError, match=r"gradient of shape \(2,\) for a tensor of shape"):
        ms.grad(f)(Tensor(A))


def test_second_order_gradient_through_a_hooked_tensor():
    # d/dx of the hooked gradient: z = x^2 with dL/dz tripled, L = sum(z) -> grad 6x, grad' 6
    def f(x):
        z = x * x
        z.register_hook(lambda g: g * 3)
        return z.sum()

    g2 = ms.grad(lambda x: ms.grad(f)(x).sum())(Tensor(A))
    np.testing.assert_allclose(g2.asnumpy(), [6.0, 6.0, 6.0])


def test_value_is_the_tensor_itself():
    x = Tensor(A)
    assert x.value() is x
    p = Parameter(Tensor(A), name="p")
    assert type(p.value()) is Tensor
    np.testing.assert_allclose(p.value().asnumpy(), A)


def test_a_weights_hook_runs_once_per_gradient_when_gradients_nest():
    # inner: d/dw sum(w^3) = 3w^2, doubled; outer: d/dw sum(6w^2) = 12w, doubled = 24w (the
    # inner gradient's watch on w is not w's gradient in the outer pass)
    w = Parameter(Tensor(A), name="w")
    w.register_hook(lambda g: g * 2)
    inner = ms.grad(lambda: (w**3).sum(), None, [w])
    (g,) = ms.grad(lambda: inner()[0].sum(), None, [w])()
    np.testing.assert_allclose(g.asnumpy(), 24 * A, rtol=1e-6)
