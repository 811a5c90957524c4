"""A device without graph sink is driven through its interface: kernels and allocator per node."""

import collections
import types

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, ops
from mind.core.errors import UnsupportedOnDeviceError
from mind.core.plugins import Allocator, DeviceSpec, hookimpl
from mind.core.testing import isolated_plugins


class HandleAllocator(Allocator):
    """Buffers are integer handles into a private table: only this device's kernels read them."""

    device = "handles"

    def __init__(self):
        self.store, self.next, self.allocations = {}, 1, 0

    def allocate(self, shape, dtype):
        return self._keep(np.zeros(shape, dtype))

    def _keep(self, array):
        handle, self.next = self.next, self.next + 1
        self.store[handle] = array
        self.allocations += 1
        return handle

    def free(self, handle):
        del self.store[handle]

    def copy_from_host(self, array):
        return self._keep(np.array(array, copy=True))

    def copy_to_host(self, handle):
        return self.store[handle].copy()


ALLOCATOR = HandleAllocator()
CALLS = collections.Counter()


def _kernel(name, fn):
    def kernel(*handles, **attrs):
        CALLS[name] += 1
        return ALLOCATOR._keep(np.asarray(fn(*(ALLOCATOR.store[h] for h in handles), **attrs)))

    return kernel


def _assign(target, value):
    CALLS["assign"] += 1
    ALLOCATOR.store[target][...] = ALLOCATOR.store[value]
    return target


def _apply_momentum(var, accum, grad, *, lr, momentum, use_nesterov):
    CALLS["apply_momentum"] += 1
    from mind.core._src.ops.array import _apply_momentum_kernel

    store = ALLOCATOR.store
    _apply_momentum_kernel(
        store[var], store[accum], store[grad], lr=lr, momentum=momentum, use_nesterov=use_nesterov
    )
    return var


KERNELS = {
    "add": _kernel("add", np.add),
    "mul": _kernel("mul", np.multiply),
    "matmul": _kernel("matmul", np.matmul),
    "relu": _kernel("relu", lambda x: np.maximum(x, 0)),
    "sum": _kernel("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis, keepdims=keepdims)),
    "assign": _assign,
    "apply_momentum": _apply_momentum,
}


@pytest.fixture
def handles():
    plugin = types.ModuleType("handles_device")
    plugin.mind_register_devices = hookimpl(
        lambda: DeviceSpec(
            name="handles",
            allocator=ALLOCATOR,
            kernels=KERNELS,
            dtypes={"float32", "float64"},
            modes={"pynative", "graph"},
        )
    )
    with isolated_plugins(plugin):
        ms.set_context(device_target="handles", enable_graph_kernel=False)
        CALLS.clear()
        try:
            yield ALLOCATOR
        finally:
            ms.set_context(device_target="cpu", enable_graph_kernel=None)
    from mind.core._src.ops import dispatch

    dispatch.install_kernels()


X = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
W = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)


def test_a_graph_runs_node_by_node_on_the_device_kernels(handles):
    f = ms.jit(lambda x, w: ops.relu(x @ w + 1.0).sum(axis=1))
    live = len(handles.store)
    for _ in range(2):
        got = f(Tensor(X), Tensor(W)).asnumpy()
        np.testing.assert_allclose(got, np.maximum(X @ W + 1.0, 0).sum(axis=1), rtol=1e-5)
    assert CALLS == {"matmul": 2, "add": 2, "relu": 2, "sum": 2}
    constants = len(f.graph(Tensor(X), Tensor(W)).constants)
    assert len(handles.store) == live + constants  # each call gave back every buffer it took


def test_an_op_the_device_lacks_is_refused_before_anything_runs(handles):
    f = ms.jit(lambda x: ops.exp(x @ x.T).sum())
    before = handles.allocations
    with pytest.raises(UnsupportedOnDeviceError, match=r"ops \['exp', 'transpose'\]"):
        f(Tensor(X))
    assert CALLS == {} and handles.allocations == before


def test_in_place_updates_on_the_device_reach_the_parameter(handles):
    p = Parameter(Tensor(np.array([1.0, 2.0], np.float32)), name="p")
    step = ms.jit(lambda s: ops.assign(p, p * s + 1.0))
    step(Tensor(np.array([3.0, 3.0], np.float32)))
    np.testing.assert_allclose(p.asnumpy(), [4.0, 7.0])
    assert CALLS["assign"] == 1 and CALLS["mul"] == 1


def test_pynative_uses_the_device_kernels_it_has(handles):
    x, w = Tensor(X), Tensor(W)
    y = ops.relu(x @ w)  # device kernels
    z = ops.exp(x)  # no kernel there: cpu
    np.testing.assert_allclose(y.asnumpy(), np.maximum(X @ W, 0), rtol=1e-5)
    np.testing.assert_allclose(z.asnumpy(), np.exp(X), rtol=1e-6)
    assert CALLS == {"matmul": 1, "relu": 1}
    g = ms.grad(lambda t: (t * t).sum())(x)  # the tape's ops too
    np.testing.assert_allclose(g.asnumpy(), 2 * X, rtol=1e-6)
    assert CALLS["mul"] >= 1


def test_apply_momentum_on_the_device_updates_the_weight_and_its_momentum(handles):
    p = Parameter(Tensor(np.array([1.0, -1.0], np.float32)), name="w")
    v = Parameter(Tensor(np.array([0.5, 0.5], np.float32)), name="v")
    step = ms.jit(lambda g: ops.apply_momentum(p, v, 0.1, g, 0.9) * 1.0)
    for _ in range(2):
        step(Tensor(np.array([1.0, 2.0], np.float32)))
    want_v, want_p = np.array([0.5, 0.5]), np.array([1.0, -1.0])
    for _ in range(2):
        want_v = want_v * 0.9 + np.array([1.0, 2.0])
        want_p = want_p - 0.1 * want_v
    np.testing.assert_allclose(v.asnumpy(), want_v, rtol=1e-6)  # the accumulation came back too
    np.testing.assert_allclose(p.asnumpy(), want_p, rtol=1e-6)
    assert CALLS["apply_momentum"] == 2


def test_pynative_optimizers_step_on_a_device_that_cannot_run_their_graph():
    # The eager update is compiled once; on a device without the ops it runs on the cpu runtime.
    def train(target):
        ms.set_seed(0)
        net = ms.nn.Dense(3, 2)
        opt = ms.nn.Adam(net.trainable_params(), 0.1)
        loss = ms.value_and_grad(lambda x: (net(x) ** 2).sum(), None, opt.parameters)
        ms.set_context(device_target=target)
        try:
            for _ in range(3):
                _, grads = loss(Tensor(X[:, :3]))
                opt(grads)
        finally:
            ms.set_context(device_target="cpu")
        return [p.asnumpy() for p in net.trainable_params()]

    for got, want in zip(train("null"), train("cpu")):
        np.testing.assert_array_equal(got, want)


def test_an_eager_step_does_not_let_a_user_jit_read_a_stale_learning_rate():
    # PyNative refreshes the step count itself; a jit of the user's own still cannot.
    net = ms.nn.Dense(3, 2)
    opt = ms.nn.Adam(net.trainable_params(), 0.1)
    grads = tuple(Tensor(np.ones(p.shape, np.float32)) for p in opt.parameters)
    opt(grads)
    with pytest.raises(ms.errors.GraphModeError, match="step count"):
        ms.jit(lambda *g: opt(g))(*grads)
