"""The runtime side of the device contract.

A plugin describes a device with a :class:`~mind.core.plugins.DeviceSpec`; the plugin manager
turns each spec into a :class:`Device` once, with its kernel table resolved. Everything that runs
code on a device (eager dispatch, MindRT) holds a :class:`Device` and reads its attributes
directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from mind.core._src.plugins.records import ALL_PRIMITIVES
from mind.core.errors import DeviceUnavailableError, UnsupportedOnDeviceError

__all__ = ["Device"]


class Device:
    """A registered device, ready to use.

    ``allocate``, ``free``, ``copy_from_host`` and ``copy_to_host`` are the allocator's own bound
    methods, so calling them costs nothing extra. ``kernels`` maps primitive names to kernels
    (device-specific, then on ``cpu`` the reference kernels, then generic ones). ``ops``,
    ``dtypes`` and ``modes`` are the capability declaration that :meth:`check` enforces before
    anything runs.
    """

    __slots__ = (
        "_availability",
        "allocate",
        "allocator",
        "compile_graph",
        "copy_from_host",
        "copy_to_host",
        "description",
        "dtypes",
        "free",
        "kernels",
        "modes",
        "name",
        "ops",
        "provider",
        "spec",
    )

    def __init__(
        self,
        spec: Any,
        provider: str,
        kernels: Mapping[str, Callable[..., Any]],
        primitives: Iterable[str] = (),
    ) -> None:
        self.spec = spec
        self.name: str = spec.name
        self.provider = provider
        self.description: str = spec.description
        self.kernels: Mapping[str, Callable[..., Any]] = MappingProxyType(dict(kernels))
        if spec.ops is None:
            self.ops: frozenset[str] = frozenset(self.kernels)
        elif spec.ops is ALL_PRIMITIVES:
            self.ops = frozenset(primitives)
        else:
            self.ops = spec.ops
        self.dtypes: frozenset[str] = spec.dtypes
        self.modes: frozenset[str] = spec.modes
        self.compile_graph = spec.compile_graph
        self.allocator = spec.allocator
        self.allocate = spec.allocator.allocate
        self.free = spec.allocator.free
        self.copy_from_host = spec.allocator.copy_from_host
        self.copy_to_host = spec.allocator.copy_to_host
        self._availability: tuple[bool, str | None] | None = None

    def __repr__(self) -> str:
        return f"Device({self.name!r}, kernels={len(self.kernels)}, provider={self.provider!r})"

    # -- availability ---------------------------------------------------------------------------

    def availability(self) -> tuple[bool, str | None]:
        """``(True, None)`` when the device can run here, else ``(False, reason)``.

        Runs the plugin's probe once and remembers the answer.
        """
        if self._availability is None:
            probe = self.spec.probe
            try:
                if probe is not None:
                    probe()
                self._availability = (True, None)
            except Exception as exc:
                self._availability = (False, f"{type(exc).__name__}: {exc}")
        return self._availability

    @property
    def available(self) -> bool:
        """Whether the device can run on this machine (see :meth:`availability`)."""
        return self.availability()[0]

    def require_available(self) -> None:
        """Raise :class:`DeviceUnavailableError` with the probe's reason if the device can't run."""
        ok, reason = self.availability()
        if not ok:
            raise DeviceUnavailableError(
                f"Device {self.name!r} (from plugin {self.provider!r}) cannot run here: {reason}"
            )

    # -- capabilities ---------------------------------------------------------------------------

    def kernel(self, primitive: str) -> Callable[..., Any]:
        """The kernel for ``primitive``; raises :class:`UnsupportedOnDeviceError` if it has none."""
        try:
            return self.kernels[primitive]
        except KeyError:
            raise UnsupportedOnDeviceError(
                f"Device {self.name!r} has no kernel for primitive {primitive!r} "
                f"(it has {len(self.kernels)} kernels; run it on 'cpu', which has them all)"
            ) from None

    def unsupported(
        self, ops: Iterable[str] = (), dtypes: Iterable[str] = (), mode: str | None = None
    ) -> list[str]:
        """Every reason the device cannot run the given ops, dtypes and mode; empty if it can."""
        problems = []
        if missing := sorted(set(ops) - self.ops):
            problems.append(f"ops {missing} are not supported")
        if missing := sorted(set(dtypes) - self.dtypes):
            problems.append(
                f"dtypes {missing} are not supported (supported: {sorted(self.dtypes)})"
            )
        if mode is not None and mode not in self.modes:
            problems.append(f"mode {mode!r} is not supported (supported: {sorted(self.modes)})")
        return problems

    def check(
        self, ops: Iterable[str] = (), dtypes: Iterable[str] = (), mode: str | None = None
    ) -> None:
        """Raise :class:`UnsupportedOnDeviceError` listing every unsupported op, dtype and mode.

        Called before anything runs (when a graph is compiled, when a context is set), so a
        missing capability is reported up front rather than halfway through a run.
        """
        if problems := self.unsupported(ops, dtypes, mode):
            raise UnsupportedOnDeviceError(f"On device {self.name!r}: " + "; ".join(problems))
