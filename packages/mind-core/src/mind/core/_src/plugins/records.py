"""The typed, frozen records that hooks return.

A hook does no work: it describes what it adds (a device, a primitive, a pass) with one of these
records, and the plugin manager builds the dispatch tables from them once. Records validate their
own fields on construction, so a plugin author sees a mistake where they made it rather than at
the first op that runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "DTYPE_NAMES",
    "MODES",
    "CommBackendSpec",
    "DeviceSpec",
    "KernelDef",
    "ModelFormatSpec",
    "PassSpec",
    "PrimitiveDef",
    "RuntimeObserver",
]

#: Every dtype name a device may declare, in MindSpore's spelling.
DTYPE_NAMES = frozenset(
    {
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "bfloat16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    }
)

#: Execution modes: ``pynative`` runs kernels one by one, ``graph`` runs compiled MindIR.
MODES = frozenset({"pynative", "graph"})

#: Compiler pass stages, in the order the pass manager runs them.
PASS_STAGES = ("frontend", "autodiff", "optimize", "backend")


def _check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise MindValueError(
            f"For {kind}, 'name' must be a Python identifier such as 'my_device', got {name!r}"
        )


def _check_callable(kind: str, name: str, arg: str, value: object, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not callable(value):
        raise MindTypeError(f"For {kind} {name!r}, {arg!r} must be callable, got {value!r}")


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


# ------------------------------------------------------------------------------------------------
# Devices
# ------------------------------------------------------------------------------------------------


class Allocator:
    """A device's memory: allocate and free buffers, copy them to and from the host.

    A buffer is whatever object the device chooses (a numpy array on ``cpu``, a handle into device
    memory elsewhere); Mind only passes it back to the same device's allocator and kernels.
    Subclass and override all four methods; a method left out raises ``NotImplementedError``
    naming the device and the method, so a half-written device fails clearly.
    """

    device = "<unnamed device>"
    #: True when every buffer is a C-contiguous numpy array in host memory (as on ``cpu`` and
    #: ``native``): PyNative then calls the device's kernels on the host arrays themselves, with
    #: no copy in or out, and in-place kernels (``apply_momentum``) update the caller's arrays.
    #: False (the default): each PyNative op copies its inputs in, runs, copies the result out.
    host_arrays = False

    def allocate(self, shape: tuple[int, ...], dtype: str) -> Any:
        """Return a new uninitialised buffer holding ``shape`` elements of ``dtype``."""
        raise NotImplementedError(f"{self.device}: need allocate")

    def free(self, buffer: Any) -> None:
        """Release ``buffer``; it is not used again afterwards."""
        raise NotImplementedError(f"{self.device}: need free")

    def copy_from_host(self, array: Any) -> Any:
        """Return a new buffer holding a copy of the numpy ``array`` (same shape and dtype)."""
        raise NotImplementedError(f"{self.device}: need copy_from_host")

    def copy_to_host(self, buffer: Any) -> Any:
        """Return a numpy array holding a copy of ``buffer``'s contents."""
        raise NotImplementedError(f"{self.device}: need copy_to_host")


class _AllPrimitives:
    """``DeviceSpec(ops=ALL_PRIMITIVES)``: every primitive registered, plugins' included."""

    def __repr__(self) -> str:
        return "ALL_PRIMITIVES"


ALL_PRIMITIVES: Any = _AllPrimitives()


@dataclass(frozen=True)
class DeviceSpec:
    """What a device plugin provides.

    :param name: the device's name as users write it (``device_target="cpu"``).
    :param allocator: the device's memory; see :class:`Allocator`.
    :param kernels: kernels by primitive name. Each is called as ``kernel(*buffers, **attrs)`` and
        returns the output buffer (or a tuple of them). ``cpu`` gets every primitive's reference
        kernel on top of these.
    :param dtypes: the dtype names the device computes in (a subset of :data:`DTYPE_NAMES`).
    :param modes: the execution modes it supports (``"pynative"``, ``"graph"``).
    :param compile_graph: optional ``compile_graph(graph, options) -> executable`` that takes a
        whole MindIR graph and returns a callable running it in one call (graph sink).
    :param ops: the ops the device supports when that differs from its kernels (a graph-sink
        device may run ops it has no single kernel for); ``None`` means "those it has kernels for",
        :data:`ALL_PRIMITIVES` every primitive registered (mind-core's and the plugins'), for a
        graph compiler that runs what it cannot generate code for on the cpu kernels.
    :param probe: optional ``probe() -> None`` that raises (any exception) with a readable reason
        when the device cannot be used on this machine (a missing driver or package).
    :param description: one line shown by ``python -m mind.core info``.
    """

    name: str
    allocator: Allocator
    kernels: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    dtypes: frozenset[str] = DTYPE_NAMES
    modes: frozenset[str] = MODES
    compile_graph: Callable[..., Any] | None = None
    ops: frozenset[str] | None = None
    probe: Callable[[], None] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        kind = "DeviceSpec"
        _check_name(kind, self.name)
        if not isinstance(self.allocator, Allocator):
            raise MindTypeError(
                f"For {kind} {self.name!r}, 'allocator' must be a mind.core.plugins.Allocator, "
                f"got {type(self.allocator).__name__}"
            )
        if not isinstance(self.kernels, Mapping):
            raise MindTypeError(
                f"For {kind} {self.name!r}, 'kernels' must map primitive names to callables, "
                f"got {type(self.kernels).__name__}"
            )
        for prim, fn in self.kernels.items():
            _check_callable(kind, self.name, f"kernels[{prim!r}]", fn)
        object.__setattr__(self, "kernels", _frozen_mapping(self.kernels))
        object.__setattr__(self, "dtypes", frozenset(self.dtypes))
        object.__setattr__(self, "modes", frozenset(self.modes))
        if self.ops is not None and self.ops is not ALL_PRIMITIVES:
            object.__setattr__(self, "ops", frozenset(self.ops))
        if unknown := self.dtypes - DTYPE_NAMES:
            raise MindValueError(
                f"For {kind} {self.name!r}, 'dtypes' has unknown names {sorted(unknown)}; "
                f"known: {sorted(DTYPE_NAMES)}"
            )
        if unknown := self.modes - MODES:
            raise MindValueError(
                f"For {kind} {self.name!r}, 'modes' has unknown names {sorted(unknown)}; "
                f"known: {sorted(MODES)}"
            )
        _check_callable(kind, self.name, "compile_graph", self.compile_graph, optional=True)
        _check_callable(kind, self.name, "probe", self.probe, optional=True)
        if type(self.allocator).device == Allocator.device:
            # Lets the allocator's "need ..." errors name the device it belongs to.
            self.allocator.device = self.name


@dataclass(frozen=True)
class KernelDef:
    """A kernel for an existing primitive, added by a plugin other than the device's own.

    :param primitive: the primitive's name.
    :param fn: the kernel, called as ``fn(*buffers, **attrs)``.
    :param device: the device it runs on; ``None`` makes it the generic kernel used on every
        device that has no kernel of its own for the primitive (device-specific beats generic).
    """

    primitive: str
    fn: Callable[..., Any]
    device: str | None = None

    def __post_init__(self) -> None:
        _check_name("KernelDef", self.primitive)
        _check_callable("KernelDef", self.primitive, "fn", self.fn)
        if self.device is not None:
            _check_name("KernelDef.device", self.device)


# ------------------------------------------------------------------------------------------------
# Primitives
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrimitiveDef:
    """One operator, defined in one place.

    :param name: the primitive's name (``"add"``, ``"conv2d"``).
    :param abstract_eval: shape and dtype inference: takes the inputs' abstract values and the
        attributes, returns the outputs' abstract values; raises a clear error on bad input.
    :param cpu_kernel: the reference kernel on numpy arrays; every other device is checked
        against it.
    :param bprop: the backward rule, written with primitives, so it serves eager autodiff, graph
        autodiff and higher-order derivatives alike; ``None`` when ``differentiable`` is false.
    :param differentiable: whether gradients flow through this primitive; a differentiable
        primitive must have a ``bprop``.
    :param attrs: the names of its (non-tensor) attributes, for printing and hashing graphs.
    :param num_outputs: how many outputs it returns.
    :param doc: a one-line summary.
    :param traits: what holds for it, from ``mind.core._src.ops.dispatch.TRAITS``
        (``"elementwise"``: vmap batches it in one call, graph passes treat it as such).
    """

    name: str
    abstract_eval: Callable[..., Any]
    cpu_kernel: Callable[..., Any]
    bprop: Callable[..., Any] | None = None
    differentiable: bool = True
    attrs: tuple[str, ...] = ()
    num_outputs: int = 1
    doc: str = ""
    traits: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        kind = "PrimitiveDef"
        object.__setattr__(self, "traits", tuple(self.traits))
        _check_name(kind, self.name)
        _check_callable(kind, self.name, "abstract_eval", self.abstract_eval)
        _check_callable(kind, self.name, "cpu_kernel", self.cpu_kernel)
        _check_callable(kind, self.name, "bprop", self.bprop, optional=True)
        if self.differentiable and self.bprop is None:
            raise MindValueError(
                f"For {kind} {self.name!r}: a differentiable primitive needs a 'bprop'; "
                "pass differentiable=False if gradients must not flow through it"
            )
        object.__setattr__(self, "attrs", tuple(self.attrs))


# ------------------------------------------------------------------------------------------------
# Compiler, communication, model formats
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassSpec:
    """A compiler pass over MindIR.

    :param name: the pass's name, used to turn it on or off.
    :param run: ``run(graph, options) -> graph``; returns the (possibly new) graph.
    :param stage: when it runs: ``"frontend"``, ``"autodiff"``, ``"optimize"`` or ``"backend"``.
    :param priority: order within a stage, lower first; ties are broken by name.
    :param enabled: whether it runs unless the user turns it off.
    :param description: one line for ``info`` and the IR dumps.
    """

    name: str
    run: Callable[..., Any]
    stage: str = "optimize"
    priority: int = 100
    enabled: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("PassSpec", self.name)
        _check_callable("PassSpec", self.name, "run", self.run)
        if self.stage not in PASS_STAGES:
            raise MindValueError(
                f"For PassSpec {self.name!r}, 'stage' must be one of {PASS_STAGES}, "
                f"got {self.stage!r}"
            )


@dataclass(frozen=True)
class CommBackendSpec:
    """A collective-communication backend for ``communication.init(backend_name)``.

    :param name: the backend's name (``"mpi"``).
    :param create: ``create() -> backend`` returning an object with the collective operations
        (all_reduce, all_gather, reduce_scatter, broadcast, barrier, rank, size).
    :param probe: optional ``probe() -> None`` raising when the backend cannot run here.
    :param description: one line for ``info``.
    """

    name: str
    create: Callable[[], Any]
    probe: Callable[[], None] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("CommBackendSpec", self.name)
        _check_callable("CommBackendSpec", self.name, "create", self.create)
        _check_callable("CommBackendSpec", self.name, "probe", self.probe, optional=True)


@dataclass(frozen=True)
class ModelFormatSpec:
    """A model file format that ``export`` writes or ``load`` reads.

    :param name: the format's name as passed to ``export(..., file_format=...)``, upper-case by
        MindSpore's convention is accepted but the name is matched case-insensitively.
    :param suffixes: file name suffixes, with the dot (``(".onnx",)``).
    :param export: optional ``export(graph, weights, file_name, **options) -> None``.
    :param load: optional ``load(file_name, **options) -> graph``.
    :param probe: optional ``probe() -> None`` that raises, with what to install, when the format
        cannot be written here; ``export`` calls it before compiling anything.
    :param description: one line for ``info``.
    """

    name: str
    suffixes: tuple[str, ...] = ()
    export: Callable[..., Any] | None = None
    load: Callable[..., Any] | None = None
    probe: Callable[[], None] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        _check_name("ModelFormatSpec", self.name)
        object.__setattr__(self, "name", self.name.lower())
        object.__setattr__(self, "suffixes", tuple(self.suffixes))
        for suffix in self.suffixes:
            if not (isinstance(suffix, str) and suffix.startswith(".")):
                raise MindValueError(
                    f"For ModelFormatSpec {self.name!r}, each suffix must start with '.', "
                    f"got {suffix!r}"
                )
        _check_callable("ModelFormatSpec", self.name, "export", self.export, optional=True)
        _check_callable("ModelFormatSpec", self.name, "load", self.load, optional=True)
        _check_callable("ModelFormatSpec", self.name, "probe", self.probe, optional=True)
        if self.export is None and self.load is None:
            raise MindValueError(
                f"For ModelFormatSpec {self.name!r}: give 'export', 'load' or both"
            )


# ------------------------------------------------------------------------------------------------
# Runtime observers
# ------------------------------------------------------------------------------------------------


@runtime_checkable
class RuntimeObserver(Protocol):
    """What the profiler and the debugger implement to watch execution.

    Each executable (the cpu runtime's, and the ``native`` device's) asks the plugins for
    observers once, when it is built; if nobody subscribed, its loop never calls anything, so an
    unobserved run pays nothing. PyNative ops are not observed (the eager path stays bare).
    """

    def on_run_start(self, graph: Any, device: str) -> None:
        """A compiled graph starts running on ``device``."""

    def on_kernel_start(self, node: Any, device: str) -> None:
        """The kernel of ``node`` (the graph's ``Apply``: ``prim``, ``inputs``, ``attrs``, and
        ``aval`` with the output's shape and dtype) is about to run."""

    def on_kernel_end(self, node: Any, device: str, seconds: float, outputs: Any) -> None:
        """The kernel of ``node`` finished after ``seconds``; ``outputs`` is its output array (read
        it, do not keep it: the buffer is reused by later runs)."""

    def on_run_end(self, graph: Any, device: str) -> None:
        """The run that ``on_run_start`` announced has finished."""


def flatten_records(results: Iterable[Any] | None) -> list[Any]:
    """A hook may return one record, an iterable of records or ``None``; return a list."""
    if results is None:
        return []
    if isinstance(
        results, (DeviceSpec, PrimitiveDef, KernelDef, PassSpec, CommBackendSpec, ModelFormatSpec)
    ):
        return [results]
    return list(results)
