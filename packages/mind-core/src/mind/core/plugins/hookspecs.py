"""Every hook a Mind plugin can implement.

This module is the whole contract between mind-core and its plugins: the built-in devices, the
sibling packages (mind-data, mind-insight, ...) and third parties all implement these hooks and
nothing else. Hooks are called at registration and compile time, never once per op: the plugin
manager turns what registration hooks return into dispatch tables once, and the hot path reads
those tables directly.

Registration hooks return typed, frozen records (one, an iterable of them, or ``None``) instead of
doing work. A record with a name another plugin already registered raises
:class:`~mind.core.errors.PluginConflictError` naming both plugins.

A plugin implements a hook with :data:`mind.core.plugins.hookimpl`, may accept a subset of the
arguments a spec lists (pluggy passes only the ones named), and is found through the ``mind``
entry-point group::

    # pyproject.toml of a third-party plugin
    [project.entry-points.mind]
    my_device = "my_package.plugin"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from mind.core._src.plugins.records import (
    CommBackendSpec,
    DeviceSpec,
    KernelDef,
    ModelFormatSpec,
    PassSpec,
    PrimitiveDef,
    RuntimeObserver,
)

__all__ = [
    "hookspec",
    "mind_on_graph_compiled",
    "mind_register_comm_backends",
    "mind_register_devices",
    "mind_register_kernels",
    "mind_register_model_formats",
    "mind_register_passes",
    "mind_register_primitives",
    "mind_runtime_observer",
    "mind_train_callbacks",
]

hookspec = pluggy.HookspecMarker("mind")


# ------------------------------------------------------------------------------------------------
# Registration: called once, the first time Mind needs its dispatch tables
# ------------------------------------------------------------------------------------------------


@hookspec
def mind_register_devices() -> Iterable[DeviceSpec] | DeviceSpec | None:
    """Add devices that tensors can live on and kernels can run on.

    Called once, when the device table is first needed (creating a tensor, ``set_context``,
    ``python -m mind.core info``). Mind's own ``cpu`` and ``null`` devices register here too.

    :returns: the :class:`~mind.core.plugins.DeviceSpec` records of the devices this plugin
        provides.

    firstresult: no; every plugin's devices are collected. Two devices with one name conflict.

    .. versionadded:: 0.1

    **Example**::

        from mind.core.plugins import Allocator, DeviceSpec, hookimpl

        class MyAllocator(Allocator):
            ...  # allocate, free, copy_from_host, copy_to_host

        @hookimpl
        def mind_register_devices():
            yield DeviceSpec(name="my_npu", allocator=MyAllocator(), kernels={"add": npu_add},
                             dtypes={"float16", "float32"}, modes={"pynative"})
    """


@hookspec
def mind_register_primitives() -> Iterable[PrimitiveDef] | PrimitiveDef | None:
    """Add primitives (operators): inference, backward rule and reference cpu kernel together.

    Called once, when the primitive table is first needed. mind-extend adds its GNN scatter ops
    here; mind-core's own primitives register the same way.

    :returns: :class:`~mind.core.plugins.PrimitiveDef` records.

    firstresult: no; every plugin's primitives are collected. Two primitives with one name
    conflict.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_register_primitives():
            yield PrimitiveDef(
                name="segment_sum",
                abstract_eval=segment_sum_infer,
                cpu_kernel=segment_sum_cpu,
                bprop=segment_sum_bprop,
                attrs=("num_segments",),
            )
    """


@hookspec
def mind_register_kernels() -> Iterable[KernelDef] | KernelDef | None:
    """Add kernels for existing primitives on existing devices.

    For a plugin that speeds up one device without owning it (a faster conv2d for ``cpu``) or
    that brings new primitives and their kernels for several devices. A device's own kernels
    belong in its :class:`~mind.core.plugins.DeviceSpec`.

    Called once, right after devices and primitives are collected, so a kernel may name any of
    them. A kernel for a device nobody registered raises, naming the known devices.

    :returns: :class:`~mind.core.plugins.KernelDef` records. ``device=None`` makes a generic
        kernel; a device-specific kernel beats a generic one.

    firstresult: no. Two kernels for one (primitive, device) pair conflict.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_register_kernels():
            yield KernelDef(primitive="conv2d", device="cpu", fn=winograd_conv2d)
    """


@hookspec
def mind_register_passes() -> Iterable[PassSpec] | PassSpec | None:
    """Add compiler passes over MindIR.

    Called once, when the first graph is compiled. Passes run by stage, then by priority, then by
    name; users turn each on or off by name.

    :returns: :class:`~mind.core.plugins.PassSpec` records.

    firstresult: no. Two passes with one name conflict.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_register_passes():
            yield PassSpec(name="fake_quant", run=insert_fake_quant, stage="optimize",
                           priority=50, enabled=False)
    """


@hookspec
def mind_register_comm_backends() -> Iterable[CommBackendSpec] | CommBackendSpec | None:
    """Add collective-communication backends for distributed training.

    Called once, by ``communication.init()`` and by ``info``.

    :returns: :class:`~mind.core.plugins.CommBackendSpec` records.

    firstresult: no. Two backends with one name conflict.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_register_comm_backends():
            yield CommBackendSpec(name="mpi", create=MpiBackend, probe=check_mpi4py)
    """


@hookspec
def mind_register_model_formats() -> Iterable[ModelFormatSpec] | ModelFormatSpec | None:
    """Add model file formats for ``export`` and ``load`` (ONNX, the lite format, ...).

    Called once, by the first ``export`` or ``load`` and by ``info``.

    :returns: :class:`~mind.core.plugins.ModelFormatSpec` records.

    firstresult: no. Two formats with one name conflict.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_register_model_formats():
            yield ModelFormatSpec(name="lite", suffixes=(".ms",), export=write_lite, load=read_lite)
    """


# ------------------------------------------------------------------------------------------------
# Compile time
# ------------------------------------------------------------------------------------------------


@hookspec
def mind_on_graph_compiled(graph: Any, device: str, options: Mapping[str, Any]) -> None:
    """Be told that a graph was compiled (not when a cached one is reused).

    Called once per compilation, after every pass ran and before the graph first runs. mind-insight
    records the graph for its graph view and lineage here. Implementations must not change the
    graph.

    :param graph: the compiled MindIR ``FuncGraph``.
    :param device: the name of the device it will run on.
    :param options: the compile options in force (read-only).
    :returns: nothing; return values are ignored.

    firstresult: no; every implementation is called.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_on_graph_compiled(graph, device):
            summary_writer.add_graph(graph)
    """


# ------------------------------------------------------------------------------------------------
# Run time
# ------------------------------------------------------------------------------------------------


@hookspec
def mind_runtime_observer() -> RuntimeObserver | None:
    """Subscribe an observer to kernel execution (the profiler and the debugger do).

    Called once per executable, when it is built (at each compilation), never per op. If no plugin
    returns an observer the execution loop carries no observer calls at all, so an unobserved run
    pays nothing. Each node of a compiled graph is reported (on ``native`` the graph is then built
    with one C function per node); PyNative ops are not.

    :returns: an object implementing :class:`~mind.core.plugins.RuntimeObserver` (any subset of
        its methods), or ``None`` to stay out.

    firstresult: no; every observer returned is subscribed.

    .. versionadded:: 0.1

    **Example**::

        class Timer:
            def on_kernel_end(self, node, device, seconds, outputs):
                totals[node.prim] += seconds

        @hookimpl
        def mind_runtime_observer():
            return Timer() if profiling_enabled() else None
    """


# ------------------------------------------------------------------------------------------------
# Training
# ------------------------------------------------------------------------------------------------


@hookspec
def mind_train_callbacks(model: Any) -> Iterable[Any] | None:
    """Add callbacks to every ``Model.train`` run (mind-insight's summary collector does).

    Called once at the start of each ``Model.train`` call, after the user's own callbacks are
    known; the returned callbacks run after the user's.

    :param model: the ``mind.core.train.Model`` that is about to train.
    :returns: callbacks (``mind.core.train.Callback`` instances), or ``None``.

    firstresult: no; every plugin's callbacks are added.

    .. versionadded:: 0.1

    **Example**::

        @hookimpl
        def mind_train_callbacks(model):
            if os.environ.get("MIND_SUMMARY_DIR"):
                yield SummaryCollector(os.environ["MIND_SUMMARY_DIR"])
    """
