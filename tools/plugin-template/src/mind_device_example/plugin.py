"""The hook implementations Mind loads through the `mind` entry point.

Three parts, each replaceable by your device's own:

1. ``ByteStoreAllocator``: the device's memory. Buffers are integer handles into a private byte
   store, so nothing but this allocator and this device's kernels can touch the data.
2. ``example_scale``: a primitive this plugin adds, with its shape/dtype inference, the
   reference cpu kernel every device is checked against, and its gradient written with ops.
3. The ``example`` device: its allocator, its kernels by primitive name, and what it supports.
"""

from __future__ import annotations

import numpy as np

from mind.core.plugins import Allocator, DeviceSpec, PrimitiveDef, hookimpl

# ------------------------------------------------------------------------------------------------
# 1. Memory
# ------------------------------------------------------------------------------------------------


class ByteStoreAllocator(Allocator):
    """Device memory as a table of byte arrays with their shape and dtype."""

    device = "example"

    def __init__(self) -> None:
        self._store: dict[int, tuple[bytearray, tuple[int, ...], np.dtype]] = {}
        self._next_handle = 1
        self.allocations = 0  # how many buffers were ever allocated (tests read it)

    def allocate(self, shape, dtype):
        dtype = np.dtype(dtype)
        self.allocations += 1
        handle, self._next_handle = self._next_handle, self._next_handle + 1
        self._store[handle] = (bytearray(int(np.prod(shape)) * dtype.itemsize), tuple(shape), dtype)
        return handle

    def free(self, handle):
        self._store.pop(handle)

    def copy_from_host(self, array):
        array = np.ascontiguousarray(array)
        handle = self.allocate(array.shape, array.dtype)
        self._store[handle][0][:] = array.tobytes()
        return handle

    def copy_to_host(self, handle):
        return self.view(handle).copy()

    def view(self, handle) -> np.ndarray:
        """A numpy view of a buffer, for this device's kernels only."""
        data, shape, dtype = self._store[handle]
        return np.frombuffer(data, dtype=dtype).reshape(shape)

    def live_buffers(self) -> int:
        """How many buffers are allocated (tests use it to catch leaks)."""
        return len(self._store)


ALLOCATOR = ByteStoreAllocator()

# ------------------------------------------------------------------------------------------------
# 2. A primitive: y = x * scale
# ------------------------------------------------------------------------------------------------


def example_scale_infer(x, *, scale):
    """Shape and dtype inference: the output looks like the input."""
    return x


def example_scale_cpu(x, *, scale):
    """The reference kernel, on numpy arrays."""
    return x * np.asarray(scale, dtype=x.dtype)


def example_scale_bprop(x, out, dout, *, scale):
    """d(x * scale)/dx = scale, written with ops on Tensors (here the primitive itself), so the
    gradient is itself differentiable, traceable by ``jit`` and batchable by ``vmap``."""
    return (example_scale(dout, scale),)


def example_scale(x, scale):
    """The user-facing op: ``example_scale(Tensor, float) -> Tensor``, in PyNative, under
    ``grad``, ``jit`` and ``vmap`` (which runs it once per example: it has no batching rule)."""
    from mind.core import ops

    return ops.get_primitive("example_scale")(x, scale=float(scale))


# ------------------------------------------------------------------------------------------------
# 3. The device's kernels and the hooks
# ------------------------------------------------------------------------------------------------


def example_scale_kernel(x_handle, *, scale):
    x = ALLOCATOR.view(x_handle)
    out = ALLOCATOR.allocate(x.shape, x.dtype)
    np.multiply(x, x.dtype.type(scale), out=ALLOCATOR.view(out))
    return out


def probe() -> None:
    """Raise, with a reason a user can act on, when the device cannot run on this machine.

    A real device checks for its driver or runtime library here, for example with
    ``ctypes.CDLL("libmydevice.so")``. The example device always runs.
    """


@hookimpl
def mind_register_primitives():
    yield PrimitiveDef(
        name="example_scale",
        abstract_eval=example_scale_infer,
        cpu_kernel=example_scale_cpu,
        bprop=example_scale_bprop,
        attrs=("scale",),
        doc="Multiply every element by a Python scalar.",
    )


@hookimpl
def mind_register_devices():
    yield DeviceSpec(
        name="example",
        allocator=ALLOCATOR,
        kernels={"example_scale": example_scale_kernel},
        dtypes={"float32", "float64"},
        modes={"pynative"},
        probe=probe,
        description="the plugin template's example device",
    )
