"""The device contract: memory, kernels, capabilities, availability; cpu and null."""

import numpy as np
import pytest

from mind.core import devices
from mind.core.errors import (
    DeviceNotFoundError,
    DeviceUnavailableError,
    MindTypeError,
    UnsupportedOnDeviceError,
)
from mind.core.plugins import Allocator, DeviceSpec, PrimitiveDef, hookimpl
from mind.core.testing import fresh_plugin_manager


@pytest.mark.parametrize("dtype", ["bool", "int8", "int32", "int64", "uint8", "float16", "float64"])
def test_cpu_round_trips_data_exactly(dtype):
    cpu = devices.get_device("cpu")
    host = (np.arange(24).reshape(2, 3, 4) % 5).astype(dtype)
    buffer = cpu.copy_from_host(host)
    host[0, 0, 0] = 1  # the device holds a copy, not a view of the caller's array
    back = cpu.copy_to_host(buffer)
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back.ravel()[1:], (np.arange(1, 24) % 5).astype(dtype))
    assert back.ravel()[0] == 0
    cpu.free(buffer)


def test_cpu_allocates_the_shape_and_dtype_asked_for():
    buffer = devices.get_device("cpu").allocate((3, 5), "float32")
    assert buffer.shape == (3, 5) and buffer.dtype == np.float32


def test_unknown_dtype_is_refused_with_the_known_list():
    with pytest.raises(MindTypeError, match=r"Unknown dtype 'float8'.*float32"):
        devices.get_device("cpu").allocate((2,), "float8")


def test_null_device_keeps_shapes_but_no_data():
    null = devices.get_device("null")
    buffer = null.copy_from_host(np.ones((2, 2), np.float32))
    back = null.copy_to_host(buffer)
    assert back.shape == (2, 2) and back.dtype == np.float32 and not back.any()
    assert null.kernels == {}


def test_unknown_device_lists_registered_ones():
    with pytest.raises(DeviceNotFoundError, match=r"'gpu'.*\['cpu', 'native', 'null'\]"):
        devices.get_device("gpu")


def test_list_devices():
    assert devices.list_devices() == ["cpu", "native", "null"]


# -- capabilities -----------------------------------------------------------------------------


class HostAllocator(Allocator):
    def allocate(self, shape, dtype):
        return np.empty(shape, dtype)

    def free(self, buffer):
        pass

    def copy_from_host(self, array):
        return np.array(array)

    def copy_to_host(self, buffer):
        return np.array(buffer)


class SmallDevicePlugin:
    """A device that runs 'twice' in float32 only, in pynative mode only."""

    @hookimpl
    def mind_register_primitives(self):
        yield PrimitiveDef(
            "twice", abstract_eval=lambda x: x, cpu_kernel=lambda x: 2 * x, differentiable=False
        )
        yield PrimitiveDef(
            "thrice", abstract_eval=lambda x: x, cpu_kernel=lambda x: 3 * x, differentiable=False
        )

    @hookimpl
    def mind_register_devices(self):
        yield DeviceSpec(
            name="small",
            allocator=HostAllocator(),
            kernels={"twice": lambda x: x + x},
            dtypes={"float32"},
            modes={"pynative"},
        )


def test_capabilities_follow_the_kernels_and_declaration():
    small = fresh_plugin_manager(SmallDevicePlugin()).registry.device("small")
    assert small.ops == {"twice"}
    assert small.unsupported(ops=["twice"], dtypes=["float32"], mode="pynative") == []
    np.testing.assert_array_equal(small.kernel("twice")(np.ones(3, np.float32)), [2, 2, 2])


def test_check_reports_every_unsupported_combination_before_running():
    small = fresh_plugin_manager(SmallDevicePlugin()).registry.device("small")
    with pytest.raises(UnsupportedOnDeviceError) as info:
        small.check(ops=["twice", "thrice"], dtypes=["float32", "float64"], mode="graph")
    message = str(info.value)
    assert "On device 'small'" in message
    assert "ops ['thrice']" in message
    assert "dtypes ['float64']" in message
    assert "mode 'graph'" in message


def test_missing_kernel_names_device_and_primitive():
    small = fresh_plugin_manager(SmallDevicePlugin()).registry.device("small")
    with pytest.raises(
        UnsupportedOnDeviceError, match="'small' has no kernel for primitive 'thrice'"
    ):
        small.kernel("thrice")


def test_cpu_runs_every_registered_primitive_by_its_reference_kernel():
    cpu = fresh_plugin_manager(SmallDevicePlugin()).registry.device("cpu")
    assert cpu.kernel("thrice")(np.float32(2)) == 6


def test_failing_probe_makes_the_device_unavailable_with_its_reason():
    class NeedsDriver:
        @hookimpl
        def mind_register_devices(self):
            def probe():
                raise OSError("libnpu.so: cannot open shared object file")

            yield DeviceSpec(name="npu", allocator=HostAllocator(), probe=probe)

    npu = fresh_plugin_manager(NeedsDriver()).registry.device("npu")
    assert npu.availability() == (False, "OSError: libnpu.so: cannot open shared object file")
    assert not npu.available
    with pytest.raises(DeviceUnavailableError, match=r"'npu'.*cannot run here.*libnpu.so"):
        npu.require_available()
    assert devices.get_device("cpu").available
