"""``set_context`` / ``get_context``: execution mode and device target."""

from __future__ import annotations

import os
from typing import Any

from mind.core.errors import MindTypeError, MindValueError

PYNATIVE_MODE = 1
GRAPH_MODE = 0

#: ``set_context(jit_syntax_level=...)`` (MindSpore 2.x's graph syntax levels).
STRICT, COMPATIBLE, LAX = 0, 1, 2

_CONTEXT: dict[str, Any] = {"mode": PYNATIVE_MODE, "device_target": "cpu", "device_id": 0}
_KNOWN = {
    "mode",
    "device_target",
    "device_id",
    "save_graphs",
    "save_graphs_path",
    "jit_config",
    "jit_level",
    "max_call_depth",
    "enable_graph_kernel",
    "jit_explain",
    "pynative_synchronize",
    "jit_syntax_level",
}


def _fail(key: str, want: str, value: Any, kind: type = MindTypeError) -> None:
    got = repr(value) if kind is MindValueError else type(value).__name__
    raise kind(f"For 'set_context', '{key}' must be {want}, but got {got}.")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_mode(value: Any) -> None:
    if not _is_int(value):  # True == 1 and 1.0 == 1: compare the type, not the value
        _fail("mode", "an int, GRAPH_MODE (0) or PYNATIVE_MODE (1)", value)
    if value not in (PYNATIVE_MODE, GRAPH_MODE):
        _fail("mode", "GRAPH_MODE (0) or PYNATIVE_MODE (1)", value, MindValueError)


def _check_device_target(value: Any) -> None:
    if not isinstance(value, str):
        _fail("device_target", "a str (a registered device name)", value)


def _check_device_id(value: Any) -> None:
    if not _is_int(value):
        _fail("device_id", "an int", value)
    if not 0 <= value <= 4095:
        _fail("device_id", "in [0, 4095]", value, MindValueError)


def _check_save_graphs(value: Any) -> None:
    # MindSpore 2.x: a bool, or an int level 0-3 (what is saved grows with the level).
    if not isinstance(value, bool | int):
        _fail("save_graphs", "a bool or an int in [0, 3]", value)
    if not isinstance(value, bool) and not 0 <= value <= 3:
        _fail("save_graphs", "a bool or an int in [0, 3]", value, MindValueError)


def _check_save_graphs_path(value: Any) -> None:
    if value is not None and not isinstance(value, str | os.PathLike):
        _fail("save_graphs_path", "a str or a path", value)


def _check_max_call_depth(value: Any) -> None:
    if not _is_int(value):
        _fail("max_call_depth", "an int", value)
    if value <= 0:
        _fail("max_call_depth", "a positive int", value, MindValueError)


def _check_flag(key: str, allow_none: bool = False) -> Any:
    def check(value: Any) -> None:
        if not isinstance(value, bool) and not (allow_none and value is None):
            _fail(key, "a bool" + (" or None" if allow_none else ""), value)

    return check


_JIT_LEVELS = ("O0", "O1", "O2")


def _check_jit_level(value: Any) -> None:
    if value not in _JIT_LEVELS:
        _fail("jit_level", "'O0', 'O1' or 'O2'", value, MindValueError)


def _check_jit_config(value: Any) -> None:
    if not isinstance(value, dict):
        _fail("jit_config", "a dict", value)
    if "jit_level" in value:
        _check_jit_level(value["jit_level"])


#: One check per option, run before anything is set, so a bad call changes nothing.
_CHECKS = {
    "mode": _check_mode,
    "device_target": _check_device_target,
    "device_id": _check_device_id,
    "save_graphs": _check_save_graphs,
    "save_graphs_path": _check_save_graphs_path,
    "max_call_depth": _check_max_call_depth,
    # None restores the default (fusion on for the native device only).
    "enable_graph_kernel": _check_flag("enable_graph_kernel", allow_none=True),
    "jit_explain": _check_flag("jit_explain"),
    "pynative_synchronize": _check_flag("pynative_synchronize"),
    "jit_level": _check_jit_level,
    "jit_config": _check_jit_config,
    "jit_syntax_level": lambda value: (
        None
        if _is_int(value) and value in (STRICT, COMPATIBLE, LAX)
        else _fail("jit_syntax_level", "STRICT, COMPATIBLE or LAX", value, MindValueError)
    ),
}


def set_context(**kwargs: Any) -> None:
    """Set execution options, as ``mindspore.set_context``.

    ``mode``: ``PYNATIVE_MODE`` (eager) or ``GRAPH_MODE`` (a Cell's ``construct`` is traced into
    MindIR on its first call for each input signature and runs as one graph).
    ``device_target``: a registered, available device; compiled graphs (``jit``, GRAPH_MODE) are
    handed to it when it compiles graphs itself and otherwise run node by node on its kernels;
    PyNative ops run on its kernels where it has them (on ``"cpu"`` kernels otherwise).
    """
    unknown = set(kwargs) - _KNOWN
    if unknown:
        raise MindValueError(
            f"For 'set_context', unknown options {sorted(unknown)}; known: {sorted(_KNOWN)}"
        )
    for key, value in kwargs.items():
        check = _CHECKS.get(key)
        if check is not None:
            check(value)
    if "device_target" in kwargs:
        from mind.core._src.plugins.manager import get_registry

        name = str(kwargs["device_target"]).lower()
        device = get_registry().device(name)
        device.require_available()
        # Compiled graphs are checked against the target's capabilities as each is compiled;
        # PyNative ops run on the target's kernels where it has them (see install_kernels).
        kwargs["device_target"] = name
    if "jit_level" in kwargs.get("jit_config", {}):
        kwargs["jit_level"] = kwargs["jit_config"]["jit_level"]
    retarget = "device_target" in kwargs and kwargs["device_target"] != _CONTEXT["device_target"]
    _CONTEXT.update(kwargs)
    if retarget:
        from mind.core._src.ops.dispatch import install_kernels

        install_kernels()


def get_context(attr_key: str) -> Any:
    if attr_key not in _CONTEXT and attr_key not in _KNOWN:
        raise MindValueError(f"For 'get_context', unknown option {attr_key!r}")
    return _CONTEXT.get(attr_key)
