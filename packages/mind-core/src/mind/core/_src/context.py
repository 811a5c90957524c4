"""``set_context`` / ``get_context``: execution mode and device target."""

from __future__ import annotations

from typing import Any

from mind.core.errors import MindValueError

PYNATIVE_MODE = 1
GRAPH_MODE = 0

_CONTEXT: dict[str, Any] = {"mode": PYNATIVE_MODE, "device_target": "cpu", "device_id": 0}
_KNOWN = {
    "mode",
    "device_target",
    "device_id",
    "save_graphs",
    "save_graphs_path",
    "jit_config",
    "max_call_depth",
    "enable_graph_kernel",
    "jit_explain",
    "pynative_synchronize",
}


def set_context(**kwargs: Any) -> None:
    """Set execution options, as ``mindspore.set_context``.

    ``mode``: ``PYNATIVE_MODE`` (eager) or ``GRAPH_MODE`` (a Cell's ``construct`` is traced into
    MindIR on its first call for each input signature and runs as one graph).
    ``device_target``: a registered, available device; compiled graphs (``jit``, GRAPH_MODE) are
    handed to it when it compiles graphs itself, and eager execution runs on ``"cpu"``.
    """
    unknown = set(kwargs) - _KNOWN
    if unknown:
        raise MindValueError(
            f"For 'set_context', unknown options {sorted(unknown)}; known: {sorted(_KNOWN)}"
        )
    if "mode" in kwargs:
        if kwargs["mode"] not in (PYNATIVE_MODE, GRAPH_MODE):
            raise MindValueError(
                "For 'set_context', 'mode' must be GRAPH_MODE (0) or PYNATIVE_MODE (1)"
            )
    if "device_target" in kwargs:
        from mind.core._src.plugins.manager import get_registry

        name = str(kwargs["device_target"]).lower()
        device = get_registry().device(name)
        device.require_available()
        # Eager ops run on cpu kernels; the target receives compiled graphs, whose ops, dtypes and
        # mode are checked against its capabilities when each graph is compiled.
        kwargs["device_target"] = name
    _CONTEXT.update(kwargs)


def get_context(attr_key: str) -> Any:
    if attr_key not in _CONTEXT and attr_key not in _KNOWN:
        raise MindValueError(f"For 'get_context', unknown option {attr_key!r}")
    return _CONTEXT.get(attr_key)
