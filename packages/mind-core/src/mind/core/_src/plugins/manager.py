"""The plugin manager: finds plugins, calls the registration hooks once, builds dispatch tables.

Loading is lazy and happens once: nothing is imported from the ``mind`` entry-point group until a
table is first needed. What the registration hooks return becomes a :class:`Registry` of plain
dicts that the hot path reads directly; no hook is ever called per op.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module, metadata
from types import MappingProxyType
from typing import Any

import pluggy

from mind.core._src.devices.base import Device
from mind.core._src.plugins.records import (
    PASS_STAGES,
    CommBackendSpec,
    DeviceSpec,
    KernelDef,
    ModelFormatSpec,
    PassSpec,
    PrimitiveDef,
    flatten_records,
)
from mind.core.errors import DeviceNotFoundError, PluginConflictError, PluginError

__all__ = [
    "ENTRY_POINT_GROUP",
    "FIRST_PARTY_DISTS",
    "PluginInfo",
    "PluginManager",
    "Registry",
    "get_plugin_manager",
    "get_registry",
    "set_plugin_manager",
]

logger = logging.getLogger("mind.core.plugins")

ENTRY_POINT_GROUP = "mind"

#: Distributions whose plugins are Mind's own: a failure to import one of them is a bug, so it
#: raises instead of being logged and skipped like a third party's.
FIRST_PARTY_DISTS = frozenset(
    {"mind-core", "mind-data", "mind-insight", "mind-armour", "mind-lite", "mind-extend"}
)

#: mind-core's own plugins, registered through the same hooks a third party uses.
BUILTIN_PLUGINS = {
    "cpu": "mind.core._src.devices.cpu",
    "null": "mind.core._src.devices.null",
    "native": "mind.core._src.devices.native",
    "core": "mind.core._src.ops.plugin",
    "passes": "mind.core._src.compiler.plugin",
    "formats": "mind.core._src.ir.formats",
}


def _normalize_dist(name: str | None) -> str | None:
    return None if name is None else re.sub(r"[-_.]+", "-", name).lower()


def _disabled_from_env() -> frozenset[str]:
    raw = os.environ.get("MIND_DISABLE_PLUGINS", "")
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class PluginInfo:
    """What ``info`` reports about one plugin.

    ``status`` is ``"loaded"``, ``"failed"`` (``error`` says why) or ``"disabled"`` (blocked by
    ``MIND_DISABLE_PLUGINS``); ``source`` is ``"builtin"``, ``"entry point"`` or ``"manual"``.
    """

    name: str
    source: str
    status: str
    dist: str | None = None
    version: str | None = None
    hooks: tuple[str, ...] = ()
    error: str | None = None

    def describe(self) -> str:
        """``plugin 'name' (dist version)``, for error messages."""
        where = f" ({self.dist} {self.version})" if self.dist else f" ({self.source})"
        return f"plugin {self.name!r}{where}"


@dataclass(frozen=True)
class Registry:
    """The dispatch tables, built once from every plugin's records.

    ``devices`` maps a name to its ready-to-use :class:`~mind.core.plugins.Device` (kernels
    resolved); ``providers`` maps ``(kind, name)`` to the plugin that registered it;
    ``unknown_kernels`` lists, per device, kernels offered for primitives nobody registered (a
    plugin written for a newer mind-core); they are left out of the tables.
    """

    devices: Mapping[str, Device]
    primitives: Mapping[str, PrimitiveDef]
    passes: tuple[PassSpec, ...]
    comm_backends: Mapping[str, CommBackendSpec]
    model_formats: Mapping[str, ModelFormatSpec]
    providers: Mapping[tuple[str, str], str]
    unknown_kernels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def device(self, name: str) -> Device:
        """The device called ``name``; raises :class:`DeviceNotFoundError` listing known ones."""
        try:
            return self.devices[name]
        except KeyError:
            raise DeviceNotFoundError(
                f"No device named {name!r}; registered devices: {sorted(self.devices)}. "
                "A device from a plugin needs that plugin installed "
                "(`python -m mind.core info` lists plugins and their load errors)"
            ) from None


class PluginManager:
    """A typed facade over pluggy's manager, with one method per hook.

    :param builtins: register mind-core's own plugins (the ``cpu`` and ``null`` devices).
    :param entry_points: load third-party and sibling plugins from the ``mind`` entry-point group
        when a table is first needed. Tests pass ``False`` and register what they need by hand.
    :param disabled: plugin names not to load; defaults to ``MIND_DISABLE_PLUGINS`` (comma
        separated).
    :param entry_point_source: where entry points come from; defaults to
        ``importlib.metadata.entry_points(group="mind")``. Tests substitute a list.
    """

    def __init__(
        self,
        *,
        builtins: bool = True,
        entry_points: bool = True,
        disabled: Iterable[str] | None = None,
        entry_point_source: Callable[[], Iterable[metadata.EntryPoint]] | None = None,
    ) -> None:
        # Imported here: mind.core.plugins re-exports this module, so a top-level import would
        # be circular.
        from mind.core.plugins import hookspecs

        self._pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self._pm.add_hookspecs(hookspecs)
        if os.environ.get("MIND_TRACE_PLUGINS") == "1":
            self._pm.trace.root.setwriter(sys.stderr.write)
            self._pm.enable_tracing()
        self._disabled = _disabled_from_env() if disabled is None else frozenset(disabled)
        self._infos: dict[str, PluginInfo] = {}
        self._lock = threading.RLock()
        self._registry: Registry | None = None
        self._entry_points_pending = entry_points
        self._entry_point_source = entry_point_source or (
            lambda: metadata.entry_points(group=ENTRY_POINT_GROUP)
        )
        if builtins:
            for name, module in BUILTIN_PLUGINS.items():
                if name in self._disabled:
                    self._infos[name] = PluginInfo(name, "builtin", "disabled", dist="mind-core")
                    continue
                self._register(import_module(module), name, source="builtin", dist="mind-core")

    # -- loading ---------------------------------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object (a module or any object with ``hookimpl`` methods) by hand.

        The dispatch tables are rebuilt on next use. Returns the name it was registered under.
        """
        with self._lock:
            name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
            self._register(plugin, name, source="manual")
            try:
                self._check_pending()
            except PluginError:
                self._pm.unregister(plugin)
                del self._infos[name]
                raise
            self._registry = None
            return name

    def load_entry_points(self) -> None:
        """Import every plugin of the ``mind`` entry-point group, once.

        Identical entry points are loaded once (editable installs list them twice). A third-party
        plugin that fails to import is logged, recorded with its error and skipped; one of Mind's
        own distributions failing raises, as that is a bug. Called automatically on first use.
        """
        with self._lock:
            if not self._entry_points_pending:
                return
            self._entry_points_pending = False
            seen: set[tuple[str, str]] = set()
            entry_points = sorted(
                self._entry_point_source(),
                key=lambda ep: (ep.name, ep.value, _dist_name(ep) or ""),
            )
            for ep in entry_points:
                if (ep.name, ep.value) in seen:
                    continue
                seen.add((ep.name, ep.value))
                self._load_entry_point(ep)
            self._check_pending()
            self._registry = None

    def _load_entry_point(self, ep: metadata.EntryPoint) -> None:
        dist = _dist_name(ep)
        version = ep.dist.version if getattr(ep, "dist", None) is not None else None
        first_party = _normalize_dist(dist) in FIRST_PARTY_DISTS
        if ep.name in self._disabled:
            self._infos[ep.name] = PluginInfo(ep.name, "entry point", "disabled", dist, version)
            return
        if ep.name in self._infos:
            other = self._infos[ep.name]
            error = (
                f"entry point name {ep.name!r} ({ep.value}) is already taken by "
                f"{other.describe()}; rename one of them"
            )
            if first_party:
                raise PluginConflictError(f"{dist}: {error}")
            logger.warning("mind: skipping plugin from %s: %s", dist, error)
            self._infos[f"{ep.name}@{dist}"] = PluginInfo(
                ep.name, "entry point", "failed", dist, version, error=error
            )
            return
        try:
            plugin = ep.load()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if first_party:
                raise PluginError(
                    f"Mind's own plugin {ep.name!r} ({dist} {version}) failed to import: {error}"
                ) from exc
            logger.warning(
                "mind: plugin %r (%s %s) failed to import and was skipped: %s",
                ep.name,
                dist,
                version,
                error,
            )
            self._infos[ep.name] = PluginInfo(
                ep.name, "entry point", "failed", dist, version, error=error
            )
            return
        self._register(plugin, ep.name, source="entry point", dist=dist, version=version)

    def _register(
        self,
        plugin: object,
        name: str,
        *,
        source: str,
        dist: str | None = None,
        version: str | None = None,
    ) -> None:
        if dist == "mind-core" and version is None:
            from mind.core import __version__ as version
        if name in self._infos and self._infos[name].status == "loaded":
            raise PluginConflictError(
                f"A plugin named {name!r} is already registered "
                f"({self._infos[name].describe()}); register this one under another name"
            )
        info = PluginInfo(name, source, "loaded", dist, version)
        try:
            self._pm.register(plugin, name)
        except (pluggy.PluginValidationError, ValueError) as exc:
            if self._pm.get_plugin(name) is plugin:  # pluggy leaves a half-registered plugin
                self._pm.unregister(plugin)
            raise PluginError(f"{info.describe()} cannot be registered: {exc}") from exc
        hooks = tuple(sorted(h.name for h in self._pm.get_hookcallers(plugin) or ()))
        self._infos[name] = PluginInfo(name, source, "loaded", dist, version, hooks)

    def _check_pending(self) -> None:
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError as exc:
            from mind.core.plugins import hookspecs

            plugin_name = self._pm.get_name(exc.plugin) if exc.plugin is not None else "?"
            raise PluginError(
                f"plugin {plugin_name!r} implements a hook that mind does not define: {exc}. "
                f"Known hooks: {[n for n in hookspecs.__all__ if n.startswith('mind_')]}"
            ) from exc

    # -- what is registered -----------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen: loaded, failed to import, or disabled; sorted by name."""
        self.load_entry_points()
        return sorted(self._infos.values(), key=lambda info: (info.name, info.dist or ""))

    @property
    def registry(self) -> Registry:
        """The dispatch tables; built on first access (loading entry points first)."""
        registry = self._registry
        if registry is None:
            with self._lock:
                self.load_entry_points()
                if self._registry is None:
                    self._registry = self._build_registry()
                registry = self._registry
        return registry

    def devices(self) -> Mapping[str, Device]:
        """Every registered device by name."""
        return self.registry.devices

    def primitives(self) -> Mapping[str, PrimitiveDef]:
        """Every registered primitive by name."""
        return self.registry.primitives

    def passes(self) -> tuple[PassSpec, ...]:
        """Every registered compiler pass, in run order."""
        return self.registry.passes

    def comm_backends(self) -> Mapping[str, CommBackendSpec]:
        """Every registered communication backend by name."""
        return self.registry.comm_backends

    def model_formats(self) -> Mapping[str, ModelFormatSpec]:
        """Every registered model format by (lower-case) name."""
        return self.registry.model_formats

    def runtime_observers(self) -> list[Any]:
        """The observers subscribed now; the runtime calls this once when it is built."""
        self.load_entry_points()
        return [obs for obs in self._pm.hook.mind_runtime_observer() if obs is not None]

    def train_callbacks(self, model: Any) -> list[Any]:
        """Callbacks plugins add to a ``Model.train`` run."""
        self.load_entry_points()
        callbacks: list[Any] = []
        for result in self._pm.hook.mind_train_callbacks(model=model):
            if isinstance(result, Iterable) and not isinstance(result, (str, bytes)):
                callbacks.extend(result)
            elif result is not None:
                callbacks.append(result)
        return callbacks

    def on_graph_compiled(self, graph: Any, device: str, options: Mapping[str, Any]) -> None:
        """Tell the plugins a graph was compiled."""
        self.load_entry_points()
        self._pm.hook.mind_on_graph_compiled(
            graph=graph, device=device, options=MappingProxyType(dict(options))
        )

    # -- building the tables ----------------------------------------------------------------------

    def _collect(self, hook_name: str, record_type: type) -> list[tuple[str, Any]]:
        """Call each implementation of a registration hook; return (plugin name, record) pairs.

        Implementations are called one by one (not through pluggy's loop) so that every record
        can be traced to the plugin that made it, for conflict messages.
        """
        hook = getattr(self._pm.hook, hook_name)
        found: list[tuple[str, Any]] = []
        for impl in hook.get_hookimpls():
            plugin = impl.plugin_name
            if impl.hookwrapper or impl.wrapper:
                raise PluginError(
                    f"{self._infos[plugin].describe()}: {hook_name} is a registration hook and "
                    "cannot be implemented as a wrapper; return records instead"
                )
            try:
                records = flatten_records(impl.function())
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"{self._infos[plugin].describe()} failed in {hook_name}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            for record in records:
                if not isinstance(record, record_type):
                    raise PluginError(
                        f"{self._infos[plugin].describe()}: {hook_name} must return "
                        f"{record_type.__name__} records, got {type(record).__name__}"
                    )
                found.append((plugin, record))
            if os.environ.get("MIND_TRACE_PLUGINS") == "1":
                print(f"mind: {plugin}.{hook_name} -> {len(records)} records", file=sys.stderr)
        return found

    def _unique(self, kind: str, items: list[tuple[str, Any]], key: str = "name") -> dict:
        table: dict[str, Any] = {}
        providers: dict[str, str] = {}
        for plugin, record in sorted(items, key=lambda item: (getattr(item[1], key), item[0])):
            name = getattr(record, key)
            if name in table:
                raise PluginConflictError(
                    f"{kind} {name!r} is registered twice: by "
                    f"{self._infos[providers[name]].describe()} and by "
                    f"{self._infos[plugin].describe()}"
                )
            table[name] = record
            providers[name] = plugin
        self._providers.update({(kind, name): plugin for name, plugin in providers.items()})
        return table

    def _build_registry(self) -> Registry:
        self._providers: dict[tuple[str, str], str] = {}
        device_specs: dict[str, DeviceSpec] = self._unique(
            "device", self._collect("mind_register_devices", DeviceSpec)
        )
        primitives: dict[str, PrimitiveDef] = self._unique(
            "primitive", self._collect("mind_register_primitives", PrimitiveDef)
        )
        kernel_tables, unknown = self._resolve_kernels(device_specs, primitives)
        devices = {
            name: Device(spec, self._providers[("device", name)], kernel_tables[name], primitives)
            for name, spec in device_specs.items()
        }
        passes = self._unique("pass", self._collect("mind_register_passes", PassSpec))
        comm = self._unique(
            "communication backend", self._collect("mind_register_comm_backends", CommBackendSpec)
        )
        formats = self._unique(
            "model format", self._collect("mind_register_model_formats", ModelFormatSpec)
        )
        ordered_passes = tuple(
            sorted(passes.values(), key=lambda p: (PASS_STAGES.index(p.stage), p.priority, p.name))
        )
        return Registry(
            devices=MappingProxyType(devices),
            primitives=MappingProxyType(primitives),
            passes=ordered_passes,
            comm_backends=MappingProxyType(comm),
            model_formats=MappingProxyType(formats),
            providers=MappingProxyType(self._providers),
            unknown_kernels=MappingProxyType(unknown),
        )

    def _resolve_kernels(
        self, devices: Mapping[str, DeviceSpec], primitives: Mapping[str, PrimitiveDef]
    ) -> tuple[dict[str, dict[str, Callable[..., Any]]], dict[str, tuple[str, ...]]]:
        """Per device: specific kernels, then (on cpu) the reference kernels, then generic ones."""
        specific: dict[tuple[str, str], tuple[str, Callable[..., Any]]] = {}
        generic: dict[str, tuple[str, Callable[..., Any]]] = {}

        def add(table: dict, key: Any, plugin: str, fn: Callable[..., Any], what: str) -> None:
            if key in table:
                raise PluginConflictError(
                    f"{what} is registered twice: by {self._infos[table[key][0]].describe()} "
                    f"and by {self._infos[plugin].describe()}"
                )
            table[key] = (plugin, fn)

        for name, spec in devices.items():
            for prim, fn in spec.kernels.items():
                add(
                    specific,
                    (name, prim),
                    self._providers[("device", name)],
                    fn,
                    f"kernel {prim!r} on device {name!r}",
                )
        for plugin, kdef in self._collect("mind_register_kernels", KernelDef):
            if kdef.device is None:
                add(generic, kdef.primitive, plugin, kdef.fn, f"generic kernel {kdef.primitive!r}")
            elif kdef.device not in devices:
                raise PluginError(
                    f"{self._infos[plugin].describe()} registers kernel {kdef.primitive!r} for "
                    f"device {kdef.device!r}, which no plugin registered; "
                    f"known devices: {sorted(devices)}"
                )
            else:
                add(
                    specific,
                    (kdef.device, kdef.primitive),
                    plugin,
                    kdef.fn,
                    f"kernel {kdef.primitive!r} on device {kdef.device!r}",
                )

        tables: dict[str, dict[str, Callable[..., Any]]] = {name: {} for name in devices}
        unknown: dict[str, set[str]] = {}
        for (device, prim), (_, fn) in specific.items():
            if prim in primitives:
                tables[device][prim] = fn
            else:
                unknown.setdefault(device, set()).add(prim)
        for name, table in tables.items():
            for prim, pdef in primitives.items():
                if prim in table:
                    continue
                if name == "cpu":
                    table[prim] = pdef.cpu_kernel
                elif prim in generic:
                    table[prim] = generic[prim][1]
        for prim in generic:
            if prim not in primitives:
                unknown.setdefault("*", set()).add(prim)
        return tables, {dev: tuple(sorted(names)) for dev, names in sorted(unknown.items())}


def _dist_name(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return None if dist is None else dist.metadata["Name"]


# ------------------------------------------------------------------------------------------------
# The process-wide manager
# ------------------------------------------------------------------------------------------------

_default: PluginManager | None = None
_default_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, created on first call (entry points load on first use)."""
    global _default
    manager = _default
    if manager is None:
        with _default_lock:
            if _default is None:
                _default = PluginManager()
            manager = _default
    return manager


def set_plugin_manager(manager: PluginManager | None) -> PluginManager | None:
    """Replace the process-wide manager (``None`` resets it); returns the previous one.

    For tests and embedding applications; :func:`mind.core.testing.isolated_plugins` wraps it.
    """
    global _default
    with _default_lock:
        previous, _default = _default, manager
    return previous


def get_registry() -> Registry:
    """The process-wide dispatch tables."""
    return get_plugin_manager().registry
