"""Devices: what is registered, and getting one by name.

Example::

    from mind.core import devices

    print(devices.list_devices())          # ['cpu', 'null', ...]
    cpu = devices.get_device("cpu")
    buf = cpu.copy_from_host(numpy.arange(4.0))
    cpu.check(dtypes=["float32"], mode="graph")   # raises if unsupported, before anything runs
"""

from __future__ import annotations

from mind.core._src.devices.base import Device as Device
from mind.core._src.plugins.manager import get_registry


def list_devices() -> list[str]:
    """Names of every registered device, usable here or not, sorted."""
    return sorted(get_registry().devices)


def get_device(name: str) -> Device:
    """The registered device called ``name``.

    Raises ``DeviceNotFoundError`` (listing the registered names) if there is none. The device may
    still be unusable on this machine; ``device.availability()`` says, and
    ``device.require_available()`` raises with the reason.
    """
    return get_registry().device(name)


__all__ = ["Device", "get_device", "list_devices"]
