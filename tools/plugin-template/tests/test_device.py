"""Tests for the example device. Keep them when you copy the template; they apply to any device."""

from importlib import metadata

import mind_device_example.plugin as plugin
import numpy as np
import pytest

from mind.core.errors import UnsupportedOnDeviceError
from mind.core.testing import fresh_plugin_manager


@pytest.fixture
def registry():
    # Registered by hand: the test does not depend on what else is installed.
    return fresh_plugin_manager(plugin).registry


def test_entry_point_points_at_the_plugin_module():
    eps = [ep for ep in metadata.entry_points(group="mind") if ep.name == "example"]
    assert [ep.value for ep in eps] == ["mind_device_example.plugin"]


def test_device_is_registered_and_available(registry):
    device = registry.device("example")
    assert device.availability() == (True, None)
    assert device.ops == {"example_scale"}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_memory_round_trip_is_exact_and_frees(registry, dtype):
    device = registry.device("example")
    before = plugin.ALLOCATOR.live_buffers()
    host = np.random.default_rng(0).standard_normal((3, 4)).astype(dtype)
    handle = device.copy_from_host(host)
    np.testing.assert_array_equal(device.copy_to_host(handle), host)
    device.free(handle)
    assert plugin.ALLOCATOR.live_buffers() == before


def test_kernel_matches_the_cpu_reference(registry):
    device, cpu = registry.device("example"), registry.device("cpu")
    host = np.linspace(-2, 2, 11, dtype=np.float32)
    out = device.copy_to_host(
        device.kernel("example_scale")(device.copy_from_host(host), scale=1.5)
    )
    ref = cpu.kernel("example_scale")(host, scale=1.5)
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    np.testing.assert_allclose(out, host * 1.5, rtol=1e-6)


def test_unsupported_dtype_is_reported_before_running(registry):
    with pytest.raises(UnsupportedOnDeviceError, match=r"dtypes \['int32'\]"):
        registry.device("example").check(ops=["example_scale"], dtypes=["int32"])


def test_the_op_runs_in_pynative_grad_jit_and_vmap():
    import mind.core as ms
    from mind.core import Tensor

    x = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], np.float32)
    np.testing.assert_allclose(plugin.example_scale(Tensor(x), 2.5).asnumpy(), x * 2.5)

    def loss(t):
        return (plugin.example_scale(t, 3.0) ** 2).sum()

    want = 2 * 9.0 * x  # d/dx sum((3x)^2)
    np.testing.assert_allclose(ms.grad(loss)(Tensor(x)).asnumpy(), want, rtol=1e-6)
    np.testing.assert_allclose(ms.jit(ms.grad(loss))(Tensor(x)).asnumpy(), want, rtol=1e-6)
    graph = ms.jit(lambda t: plugin.example_scale(t, 3.0) + 1).graph(Tensor(x))
    assert "example_scale" in {n.prim for n in graph.nodes}
    rows = ms.vmap(lambda r: plugin.example_scale(r, -1.0).sum())(Tensor(x)).asnumpy()
    np.testing.assert_allclose(rows, -x.sum(axis=1), rtol=1e-6)
    # second order: the bprop is made of ops, so its own gradient exists
    np.testing.assert_allclose(
        ms.grad(lambda t: ms.grad(loss)(t).sum())(Tensor(x)).asnumpy(), np.full_like(x, 18.0)
    )


def test_pynative_on_the_device_runs_its_kernel_and_graphs_are_refused():
    import mind.core as ms
    from mind.core import Tensor

    x = Tensor(np.array([1.0, -2.0, 4.0], np.float32))
    before, live = plugin.ALLOCATOR.allocations, plugin.ALLOCATOR.live_buffers()
    ms.set_context(device_target="example")
    try:
        y = plugin.example_scale(x, 0.5)  # on the device: its allocator and kernel
        z = (x * 2.0).asnumpy()  # the device has no 'mul' kernel: cpu
        with pytest.raises(UnsupportedOnDeviceError, match="mode 'graph' is not supported"):
            ms.jit(lambda t: t * 2 + 1)(x)  # refused before anything runs
    finally:
        ms.set_context(device_target="cpu")
    np.testing.assert_allclose(y.asnumpy(), [0.5, -1.0, 2.0])
    np.testing.assert_allclose(z, [2.0, -4.0, 8.0])
    assert plugin.ALLOCATOR.allocations > before
    assert plugin.ALLOCATOR.live_buffers() == live  # every buffer went back


# The device contract, checked by mind-core's conformance suite: keep this class in your copy.
from mind.core.testing.conformance import DeviceConformance  # noqa: E402


class TestExampleDeviceConformance(DeviceConformance):
    device = "example"
