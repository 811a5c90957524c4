"""The ``cpu`` device: numpy arrays as buffers, every primitive's reference kernel.

It registers through ``mind_register_devices`` exactly as a third-party device does. Its kernels
come from the primitives themselves (each ``PrimitiveDef`` carries its ``cpu_kernel``), plus any
faster ``cpu`` kernel a plugin adds through ``mind_register_kernels``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.dtypes import NUMPY_DTYPES, to_numpy_dtype
from mind.core._src.plugins.records import Allocator, DeviceSpec
from mind.core.plugins import hookimpl


class CpuAllocator(Allocator):
    """Buffers are C-contiguous numpy arrays; freeing leaves them to the garbage collector."""

    device = "cpu"
    host_arrays = True

    def allocate(self, shape: tuple[int, ...], dtype: str) -> np.ndarray:
        return np.empty(shape, dtype=to_numpy_dtype(dtype))

    def free(self, buffer: np.ndarray) -> None:
        # Memory returns when the last reference goes; MindRT's pool reuses buffers before that.
        return None

    def copy_from_host(self, array: Any) -> np.ndarray:
        return np.array(array, copy=True, order="C")

    def copy_to_host(self, buffer: np.ndarray) -> np.ndarray:
        return buffer.copy()


@hookimpl
def mind_register_devices():
    yield DeviceSpec(
        name="cpu",
        allocator=CpuAllocator(),
        dtypes=frozenset(NUMPY_DTYPES),
        modes=frozenset({"pynative", "graph"}),
        description=f"numpy {np.__version__} reference kernels",
    )
