"""A fixture device plugin: one primitive, one device with its own kernel for it.

The device keeps its buffers in a private table and hands out integer handles, so only its own
allocator and kernels can reach the data, as with real device memory.
"""

import numpy as np

from mind.core.plugins import Allocator, DeviceSpec, PrimitiveDef, hookimpl


class HandleAllocator(Allocator):
    def __init__(self):
        self.buffers = {}

    def allocate(self, shape, dtype):
        handle = len(self.buffers) + 1
        self.buffers[handle] = np.empty(shape, dtype)
        return handle

    def free(self, handle):
        del self.buffers[handle]

    def copy_from_host(self, array):
        handle = self.allocate(np.shape(array), np.asarray(array).dtype)
        self.buffers[handle][...] = array
        return handle

    def copy_to_host(self, handle):
        return self.buffers[handle].copy()


ALLOCATOR = HandleAllocator()


def axpy_infer(x, y, *, alpha):
    return x


def axpy_cpu(x, y, *, alpha):
    return alpha * x + y


def axpy_fixture(hx, hy, *, alpha):
    x, y = ALLOCATOR.buffers[hx], ALLOCATOR.buffers[hy]
    out = ALLOCATOR.allocate(x.shape, x.dtype)
    np.multiply(x, alpha, out=ALLOCATOR.buffers[out])
    ALLOCATOR.buffers[out] += y
    return out


@hookimpl
def mind_register_primitives():
    yield PrimitiveDef(
        name="fixture_axpy",
        abstract_eval=axpy_infer,
        cpu_kernel=axpy_cpu,
        differentiable=False,
        attrs=("alpha",),
    )


@hookimpl
def mind_register_devices():
    yield DeviceSpec(
        name="fixture",
        allocator=ALLOCATOR,
        kernels={"fixture_axpy": axpy_fixture},
        dtypes={"float32", "float64"},
        modes={"pynative"},
        description="mind-core's test fixture device",
    )
