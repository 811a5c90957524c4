"""The installation report: `python -m mind.core info [--json]` and `run_check()`."""

import json
import subprocess
import sys

import numpy as np

import mind.core
from mind.core._src.info import collect_info, format_info, main
from mind.core.plugins import DeviceSpec, hookimpl
from mind.core.testing import fresh_plugin_manager, isolated_plugins


def test_report_has_the_documented_shape():
    report = collect_info()
    assert {"packages", "plugins", "devices", "numpy", "problems"} <= set(report)
    assert report["mind"] == mind.core.__version__
    assert report["packages"]["mind-core"] == mind.core.__version__
    cpu = next(d for d in report["devices"] if d["name"] == "cpu")
    assert cpu["available"] is True and cpu["reason"] is None and cpu["provider"] == "cpu"
    assert cpu["modes"] == ["graph", "pynative"] and "float32" in cpu["dtypes"]
    assert report["numpy"]["version"] == np.__version__
    assert report["problems"] == []
    json.dumps(report)  # JSON-ready throughout


def test_text_report_names_every_device_and_plugin():
    text = format_info(collect_info())
    assert "cpu" in text and "null" in text and "available" in text
    assert f"numpy {np.__version__}" in text


def test_unusable_device_is_reported_with_its_reason():
    class Broken:
        @hookimpl
        def mind_register_devices(self):
            from mind.core.plugins import Allocator

            yield DeviceSpec(name="halfway", allocator=Allocator())  # allocate not written

    report = collect_info(fresh_plugin_manager(Broken()))
    halfway = next(d for d in report["devices"] if d["name"] == "halfway")
    assert halfway["available"] is False
    assert "halfway: need allocate" in halfway["reason"]


def test_registration_error_becomes_a_problem_not_a_crash(capsys):
    class Clash:
        @hookimpl
        def mind_register_devices(self):
            from mind.core._src.devices.cpu import CpuAllocator

            yield DeviceSpec(name="cpu", allocator=CpuAllocator())

    with isolated_plugins(Clash()):
        assert main(["info"]) == 1
        assert "PluginConflictError" in capsys.readouterr().out
        assert mind.core.run_check() is False


def test_run_check_passes_and_says_so(capsys):
    assert mind.core.run_check() is True
    out = capsys.readouterr().out
    assert f"Mind version: {mind.core.__version__}" in out
    assert "cpu: OK" in out and "Mind is installed correctly." in out


def test_cli_json_is_valid_and_lists_cpu():
    out = subprocess.run(
        [sys.executable, "-m", "mind.core", "info", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert "cpu" in [d["name"] for d in report["devices"]]


def test_the_lazy_top_level_names_list_every_dtype():
    """mind/core/__init__.py lists the dtype names itself (importing them would load the ops)."""
    import mind.core
    from mind.core.common import dtype

    assert set(mind.core._DTYPES) == set(dtype.__all__)
    assert all(getattr(mind.core, name) is getattr(dtype, name) for name in dtype.__all__)
