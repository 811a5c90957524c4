"""The ``null`` device: it holds no data and has no kernels.

For tests that exercise everything around execution (plugin loading, capability checks, graph
construction, memory accounting) without computing anything, as tinygrad's ``NullDevice`` does.
Buffers only remember their shape and dtype; copying one to the host gives zeros.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from mind.core._src.dtypes import to_numpy_dtype
from mind.core._src.plugins.records import DTYPE_NAMES, Allocator, DeviceSpec
from mind.core.plugins import hookimpl


class NullBuffer(NamedTuple):
    shape: tuple[int, ...]
    dtype: str


class NullAllocator(Allocator):
    device = "null"

    def allocate(self, shape: tuple[int, ...], dtype: str) -> NullBuffer:
        if dtype not in DTYPE_NAMES:  # reject unknown dtypes as every device does
            to_numpy_dtype(dtype)
        return NullBuffer(tuple(shape), dtype)

    def free(self, buffer: NullBuffer) -> None:
        return None

    def copy_from_host(self, array: Any) -> NullBuffer:
        array = np.asarray(array)
        return NullBuffer(array.shape, array.dtype.name)

    def copy_to_host(self, buffer: NullBuffer) -> np.ndarray:
        return np.zeros(buffer.shape, dtype=to_numpy_dtype(buffer.dtype))


@hookimpl
def mind_register_devices():
    yield DeviceSpec(
        name="null",
        allocator=NullAllocator(),
        dtypes=DTYPE_NAMES,
        modes=frozenset({"pynative", "graph"}),
        description="holds no data, runs nothing (for tests)",
    )
