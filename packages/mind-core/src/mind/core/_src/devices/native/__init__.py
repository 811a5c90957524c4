"""The ``native`` device: the whole compiled graph runs as generated C, one call per step.

It registers through ``mind_register_devices`` exactly as a third-party device would. Its
``compile_graph`` lowers a MindIR graph to one C module (matmuls through OpenBLAS's
``cblas_sgemm`` from the scipy-openblas32 package, elementwise ops, reductions and softmax as
loops, in-place optimizer updates), builds it with cffi (cached on disk, see ``build``), and
returns a callable that runs the graph with one static workspace. Ops it cannot lower run on the
``cpu`` device's kernels between native regions; ``executable.report`` says which.

In PyNative mode it runs the ops that dominate training (convolutions and their gradients,
pooling, matmul, softmax, sparse cross-entropy, ``apply_momentum``) on shape-generic C kernels
built once and cached on disk (``kernels``), directly on the host arrays its allocator holds;
every other op, and every case those kernels do not cover, runs on the ``cpu`` kernels.
"""

from __future__ import annotations

from mind.core._src.dtypes import NUMPY_DTYPES
from mind.core._src.plugins.records import ALL_PRIMITIVES, DeviceSpec
from mind.core.plugins import hookimpl

__all__ = ["probe"]


def probe() -> None:
    """Raise with the reason when the native device cannot build here."""
    import shutil

    try:
        import cffi  # noqa: F401
    except ImportError:
        raise RuntimeError("cffi is not installed (pip install mind-core[native])") from None
    try:
        from mind.core._base.native_build import openblas

        openblas()
    except ImportError:
        raise RuntimeError(
            "scipy-openblas32 is not installed (pip install mind-core[native])"
        ) from None
    import os

    cc = os.environ.get("CC") or "cc"
    if shutil.which(cc.split()[0]) is None:
        raise RuntimeError(f"no C compiler: '{cc}' is not on PATH")


def _compile_graph(graph, options=None):
    from mind.core._src.devices.native.runtime import compile_graph

    return compile_graph(graph, options)


@hookimpl
def mind_register_devices():
    from mind.core._src.devices.cpu import CpuAllocator
    from mind.core._src.devices.native.kernels import KERNELS

    class NativeAllocator(CpuAllocator):
        device = "native"

    yield DeviceSpec(
        name="native",
        allocator=NativeAllocator(),
        # PyNative: these C kernels on the host arrays (built at the first op that needs them),
        # the cpu kernels for every other primitive.
        kernels=KERNELS,
        # No complex: the generated C is real arithmetic (complex graphs are refused up front).
        dtypes=frozenset(NUMPY_DTYPES) - {"complex64", "complex128"},
        modes=frozenset({"graph", "pynative"}),
        compile_graph=_compile_graph,
        # Every primitive: what the generated C cannot do runs on cpu kernels in between.
        ops=ALL_PRIMITIVES,
        probe=probe,
        description="whole graphs as generated C (cffi, OpenBLAS); PyNative ops on C kernels",
    )
