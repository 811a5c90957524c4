"""The plugin author's surface of mind-core.

Everything a device, primitive, pass or format plugin needs is importable from here, and only from
here: the hook markers, the records hooks return, the device contract and the manager.

Stability: names in ``__all__`` follow the shared version's rules. Hooks evolve additively: a new
argument may be added to a hook spec in a minor release (an implementation may ignore it, as pluggy
passes only the arguments it names); a hook or record field is deprecated for one minor release,
with a warning, before it is removed. Each hook's docstring carries ``versionadded`` and, when it
changes, ``versionchanged``.

Example, a whole device plugin::

    from mind.core.plugins import Allocator, DeviceSpec, hookimpl

    class HostAllocator(Allocator):
        def allocate(self, shape, dtype): ...
        def free(self, buffer): ...
        def copy_from_host(self, array): ...
        def copy_to_host(self, buffer): ...

    @hookimpl
    def mind_register_devices():
        yield DeviceSpec(name="my_device", allocator=HostAllocator(), kernels={...})
"""

from __future__ import annotations

import pluggy

hookimpl = pluggy.HookimplMarker("mind")

# The records and the manager import ``hookimpl`` from here, so they come after it.
from mind.core._src.devices.base import Device as Device  # noqa: E402
from mind.core._src.plugins.manager import (  # noqa: E402
    ENTRY_POINT_GROUP as ENTRY_POINT_GROUP,
)
from mind.core._src.plugins.manager import PluginInfo as PluginInfo  # noqa: E402
from mind.core._src.plugins.manager import PluginManager as PluginManager  # noqa: E402
from mind.core._src.plugins.manager import Registry as Registry  # noqa: E402
from mind.core._src.plugins.manager import get_plugin_manager as get_plugin_manager  # noqa: E402
from mind.core._src.plugins.manager import get_registry as get_registry  # noqa: E402
from mind.core._src.plugins.manager import set_plugin_manager as set_plugin_manager  # noqa: E402
from mind.core._src.plugins.records import ALL_PRIMITIVES as ALL_PRIMITIVES  # noqa: E402
from mind.core._src.plugins.records import DTYPE_NAMES as DTYPE_NAMES  # noqa: E402
from mind.core._src.plugins.records import MODES as MODES  # noqa: E402
from mind.core._src.plugins.records import PASS_STAGES as PASS_STAGES  # noqa: E402
from mind.core._src.plugins.records import Allocator as Allocator  # noqa: E402
from mind.core._src.plugins.records import CommBackendSpec as CommBackendSpec  # noqa: E402
from mind.core._src.plugins.records import DeviceSpec as DeviceSpec  # noqa: E402
from mind.core._src.plugins.records import KernelDef as KernelDef  # noqa: E402
from mind.core._src.plugins.records import ModelFormatSpec as ModelFormatSpec  # noqa: E402
from mind.core._src.plugins.records import PassSpec as PassSpec  # noqa: E402
from mind.core._src.plugins.records import PrimitiveDef as PrimitiveDef  # noqa: E402
from mind.core._src.plugins.records import RuntimeObserver as RuntimeObserver  # noqa: E402
from mind.core.plugins.hookspecs import hookspec as hookspec  # noqa: E402

__all__ = [
    "ALL_PRIMITIVES",
    "DTYPE_NAMES",
    "ENTRY_POINT_GROUP",
    "MODES",
    "PASS_STAGES",
    "Allocator",
    "CommBackendSpec",
    "Device",
    "DeviceSpec",
    "KernelDef",
    "ModelFormatSpec",
    "PassSpec",
    "PluginInfo",
    "PluginManager",
    "PrimitiveDef",
    "Registry",
    "RuntimeObserver",
    "get_plugin_manager",
    "get_registry",
    "hookimpl",
    "hookspec",
    "set_plugin_manager",
]
