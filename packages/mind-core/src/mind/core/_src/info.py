"""What is installed and whether it works: ``python -m mind.core info`` and ``run_check()``."""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from typing import Any

from mind.core._src.plugins.manager import FIRST_PARTY_DISTS, PluginManager, get_plugin_manager
from mind.core.errors import MindError

__all__ = ["collect_info", "format_info", "main", "run_check"]


def _installed_mind_dists() -> dict[str, str]:
    found = {}
    for dist in sorted(FIRST_PARTY_DISTS):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def _numpy_info() -> dict[str, Any]:
    import numpy as np

    info: dict[str, Any] = {"version": np.__version__}
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = {
            k: blas.get(k)
            for k in ("name", "version", "openblas configuration")
            if blas.get(k) is not None
        }
    except Exception as exc:  # older numpy, or a build without the config
        info["blas"] = {"error": f"{type(exc).__name__}: {exc}"}
    try:
        import threadpoolctl

        info["threadpools"] = [
            {k: pool.get(k) for k in ("internal_api", "version", "num_threads", "filepath")}
            for pool in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        pass
    return info


def _device_info(device: Any) -> dict[str, Any]:
    ok, reason = device.availability()
    if ok:
        # Usable means more than a passing probe: the allocator must work as well.
        try:
            device.free(device.allocate((4,), "float32"))
        except Exception as exc:
            ok, reason = False, f"allocation failed: {type(exc).__name__}: {exc}"
    return {
        "name": device.name,
        "available": ok,
        "reason": reason,
        "provider": device.provider,
        "description": device.description,
        "kernels": len(device.kernels),
        "ops": len(device.ops),
        "dtypes": sorted(device.dtypes),
        "modes": sorted(device.modes),
        "graph_sink": device.compile_graph is not None,
    }


def collect_info(manager: PluginManager | None = None) -> dict[str, Any]:
    """Everything ``info`` reports, as plain JSON-ready data.

    Keys: ``mind`` (core version), ``python``, ``platform``, ``packages`` (installed Mind
    distributions and versions), ``plugins`` (name, dist, version, source, status, hooks, error),
    ``devices`` (name, available, reason, provider, kernels, ops, dtypes, modes, graph_sink),
    ``primitives``, ``passes``, ``comm_backends``, ``model_formats`` (names), ``numpy`` (version,
    BLAS) and ``problems`` (registration errors; empty when all is well).
    """
    from mind.core import __version__

    manager = manager or get_plugin_manager()
    report: dict[str, Any] = {
        "mind": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": _installed_mind_dists(),
        "plugins": [],
        "devices": [],
        "primitives": 0,
        "passes": [],
        "comm_backends": [],
        "model_formats": [],
        "numpy": _numpy_info(),
        "problems": [],
    }
    try:
        plugins = manager.plugins()
        registry = manager.registry
    except MindError as exc:
        report["problems"].append(f"{type(exc).__name__}: {exc}")
        return report
    report["plugins"] = [
        {
            "name": p.name,
            "dist": p.dist,
            "version": p.version,
            "source": p.source,
            "status": p.status,
            "hooks": list(p.hooks),
            "error": p.error,
        }
        for p in plugins
    ]
    report["devices"] = [_device_info(registry.devices[name]) for name in sorted(registry.devices)]
    report["primitives"] = len(registry.primitives)
    report["passes"] = [p.name for p in registry.passes]
    report["comm_backends"] = sorted(registry.comm_backends)
    report["model_formats"] = sorted(registry.model_formats)
    for device, names in registry.unknown_kernels.items():
        report["problems"].append(
            f"kernels for unregistered primitives ignored on {device!r}: {list(names)}"
        )
    return report


def format_info(report: dict[str, Any]) -> str:
    """The report as aligned, readable text."""
    lines = [f"Mind {report['mind']}  (Python {report['python']}, {report['platform']})", ""]
    lines.append("Packages:")
    for name, version in report["packages"].items():
        lines.append(f"  {name:<14} {version}")
    lines += ["", "Plugins:"]
    for p in report["plugins"]:
        origin = f"{p['dist']} {p['version']}" if p["dist"] else p["source"]
        status = p["status"] if p["status"] != "failed" else f"FAILED: {p['error']}"
        hooks = ", ".join(h.removeprefix("mind_") for h in p["hooks"]) or "-"
        lines.append(f"  {p['name']:<14} {origin:<28} {status:<8} hooks: {hooks}")
    lines += ["", "Devices:"]
    for d in report["devices"]:
        state = "available" if d["available"] else f"unavailable ({d['reason']})"
        sink = ", graph sink" if d["graph_sink"] else ""
        lines.append(
            f"  {d['name']:<14} {state}; {d['kernels']} kernels, modes {'/'.join(d['modes'])}"
            f"{sink}; {d['description']}"
        )
    lines += [
        "",
        f"Primitives: {report['primitives']}   Passes: {len(report['passes'])}   "
        f"Comm backends: {', '.join(report['comm_backends']) or '-'}   "
        f"Model formats: {', '.join(report['model_formats']) or '-'}",
    ]
    numpy = report["numpy"]
    blas = numpy.get("blas", {})
    blas_name = f"{blas.get('name', '?')} {blas.get('version', '')}".rstrip()
    lines.append(f"numpy {numpy['version']}, BLAS: {blas_name}")
    if report["problems"]:
        lines += ["", "Problems:"] + [f"  {problem}" for problem in report["problems"]]
    return "\n".join(lines)


def run_check() -> bool:
    """Check that Mind is installed and its devices work; print what was checked.

    Like ``mindspore.run_check()``: prints the version, then for every device either a
    successful round trip of data through its memory (and, where it has one, an ``add`` kernel
    checked against numpy) or the reason it is unusable. Returns ``True`` when registration
    worked, ``cpu`` is available, and every available device passed.

    Example::

        >>> import mind.core as ms
        >>> ms.run_check()   # doctest: +SKIP
        Mind version: 0.1.0
        cpu: OK (memory round trip)
        ...
    """
    import numpy as np

    from mind.core import __version__

    print(f"Mind version: {__version__}")
    manager = get_plugin_manager()
    try:
        registry = manager.registry
    except MindError as exc:
        print(f"Plugin registration failed: {exc}")
        return False
    for plugin in manager.plugins():
        if plugin.status == "failed":
            print(f"plugin {plugin.name!r} ({plugin.dist}) failed to load: {plugin.error}")
    ok = True
    sample = np.arange(12, dtype=np.float32).reshape(3, 4)
    for name in sorted(registry.devices):
        device = registry.devices[name]
        usable, reason = device.availability()
        if not usable:
            print(f"{name}: unavailable: {reason}")
            ok = ok and name != "cpu"
            continue
        try:
            buffer = device.copy_from_host(sample)
            back = np.asarray(device.copy_to_host(buffer))
            device.free(buffer)
            if back.shape != sample.shape:
                raise MindError(f"round trip changed the shape to {back.shape}")
            if name != "null" and not np.array_equal(back, sample):
                raise MindError("round trip changed the data")
            checked = "memory round trip"
            if "add" in device.kernels and name != "null":
                result = device.copy_to_host(
                    device.kernels["add"](
                        device.copy_from_host(sample), device.copy_from_host(sample)
                    )
                )
                if not np.allclose(result, sample + sample):
                    raise MindError("'add' kernel gave a wrong result")
                checked += ", add kernel"
            print(f"{name}: OK ({checked})")
        except Exception as exc:
            print(f"{name}: FAILED: {type(exc).__name__}: {exc}")
            ok = False
    if ok:
        print("Mind is installed correctly.")
    return ok


def main(argv: list[str] | None = None) -> int:
    """``python -m mind.core {info [--json], check}``."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m mind.core", description="Mind core: installation report and self-check."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="versions, plugins, devices, numpy and BLAS")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    sub.add_parser("check", help="run_check(): exercise every device")
    args = parser.parse_args(argv)

    if args.command == "check":
        return 0 if run_check() else 1
    report = collect_info()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_info(report))
    return 1 if report["problems"] and not report["devices"] else 0
