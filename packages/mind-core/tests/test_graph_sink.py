"""A device that declares compile_graph receives whole graphs from jit (graph sink)."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core._src.runtime.executor import Executable
from mind.core.errors import UnsupportedOnDeviceError
from mind.core.plugins import Allocator, DeviceSpec, hookimpl
from mind.core.testing import isolated_plugins


class HostAllocator(Allocator):
    def allocate(self, shape, dtype):
        return np.empty(shape, dtype)

    def free(self, buffer):
        pass

    def copy_from_host(self, array):
        return np.array(array)

    def copy_to_host(self, buffer):
        return np.array(buffer)


class SinkDevice:
    def __init__(self, ops_supported):
        self.graphs, self.runs = [], 0
        self.ops_supported = frozenset(ops_supported)

    @hookimpl
    def mind_register_devices(self):
        def compile_graph(graph, options):
            self.graphs.append(graph)
            inner = Executable(graph)

            def run(*arrays):
                self.runs += 1
                return inner(*arrays)

            return run

        yield DeviceSpec(
            name="sink",
            allocator=HostAllocator(),
            compile_graph=compile_graph,
            ops=self.ops_supported,
            dtypes={"float32"},
            modes={"graph"},
        )


@pytest.fixture(autouse=True)
def _reset_context():
    yield
    ms.set_context(device_target="cpu")


def test_jit_hands_the_whole_graph_to_a_sink_device():
    device = SinkDevice({"mul", "add", "relu"})
    with isolated_plugins(device):
        ms.set_context(device_target="sink")
        f = ms.jit(lambda x: ops.relu(x * 2.0 + 1.0))
        x = Tensor(np.array([-1.0, 0.5], np.float32))
        np.testing.assert_allclose(f(x).asnumpy(), [0.0, 2.0])
        f(x)
        assert len(device.graphs) == 1 and device.runs == 2


def test_unsupported_ops_are_reported_before_anything_runs():
    device = SinkDevice({"add"})
    with isolated_plugins(device):
        ms.set_context(device_target="sink")
        with pytest.raises(
            UnsupportedOnDeviceError, match=r"On device 'sink': ops \['mul'\] are not supported"
        ):
            ms.jit(lambda x: x * 3.0)(Tensor(np.ones(2, np.float32)))
        assert device.graphs == []


def test_the_device_is_part_of_the_cache_key(capsys):
    device = SinkDevice({"mul"})
    with isolated_plugins(device):
        f = ms.jit(lambda x: x * 3.0)
        x = Tensor(np.ones(2, np.float32))
        f(x)  # compiled for cpu
        ms.set_context(device_target="sink", jit_explain=True)
        try:
            np.testing.assert_allclose(f(x).asnumpy(), [3.0, 3.0])
        finally:
            ms.set_context(jit_explain=False)
        assert len(device.graphs) == 1 and f.compilations == 2
        assert "the device changed (cpu -> sink)" in capsys.readouterr().err
