"""An out-of-tree plugin, installed for real, is found through the `mind` entry-point group.

The fixture projects beside this file are installed with pip into a temporary folder that only the
subprocesses these tests start put on their path, so the test environment itself is unchanged.
"""

import json
from pathlib import Path

import pytest

from mind.core.testing import install_projects, run_python

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return install_projects(
        tmp_path_factory.mktemp("site"), HERE / "fixture_plugin", HERE / "broken_plugin"
    )


def info(site, disable=""):
    out = run_python(site, "-m", "mind.core", "info", "--json", disable=disable)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), out.stderr


def test_info_lists_the_fixture_device_as_available(site):
    report, _ = info(site, disable="broken")
    devices = {d["name"]: d for d in report["devices"]}
    assert devices["fixture"]["available"] is True
    assert devices["fixture"]["provider"] == "fixture"
    assert devices["fixture"]["modes"] == ["pynative"]
    assert devices["fixture"]["dtypes"] == ["float32", "float64"]
    assert devices["cpu"]["available"] is True
    plugin = next(p for p in report["plugins"] if p["name"] == "fixture")
    assert plugin == {
        "name": "fixture",
        "dist": "mind-fixture-device",
        "version": "0.0.1",
        "source": "entry point",
        "status": "loaded",
        "hooks": ["mind_register_devices", "mind_register_primitives"],
        "error": None,
    }
    assert report["primitives"] >= 1 and report["problems"] == []


def test_a_plugin_that_raises_on_import_is_listed_and_the_rest_still_load(site):
    report, stderr = info(site)
    plugins = {p["name"]: p for p in report["plugins"]}
    assert plugins["broken"]["status"] == "failed"
    assert plugins["broken"]["dist"] == "mind-broken-plugin"
    assert plugins["broken"]["error"].startswith("RuntimeError: mind_broken_plugin cannot be")
    assert plugins["fixture"]["status"] == "loaded"
    assert {"cpu", "null", "fixture"} <= {d["name"] for d in report["devices"]}
    assert "'broken'" in stderr and "failed to import" in stderr


def test_disabled_plugin_is_neither_imported_nor_registered(site):
    report, stderr = info(site, disable="fixture,broken")
    assert "fixture" not in {d["name"] for d in report["devices"]}
    status = {p["name"]: p["status"] for p in report["plugins"]}
    assert status["fixture"] == "disabled" and status["broken"] == "disabled"
    assert stderr == ""


def test_the_fixture_device_computes_what_the_cpu_reference_computes(site):
    script = """
import json, numpy as np
from mind.core.plugins import get_registry
registry = get_registry()
dev, cpu = registry.device("fixture"), registry.device("cpu")
x = np.linspace(-1, 1, 7, dtype=np.float32); y = np.arange(7, dtype=np.float32)
out = dev.copy_to_host(dev.kernel("fixture_axpy")(dev.copy_from_host(x), dev.copy_from_host(y),
                                                   alpha=2.5))
ref = cpu.copy_to_host(cpu.kernel("fixture_axpy")(cpu.copy_from_host(x), cpu.copy_from_host(y),
                                                   alpha=2.5))
dev.check(ops=["fixture_axpy"], dtypes=["float32"], mode="pynative")
print(json.dumps({"out": out.tolist(), "ref": ref.tolist(), "numpy": (2.5 * x + y).tolist()}))
"""
    out = run_python(site, "-c", script, disable="broken")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["out"] == result["ref"] == result["numpy"]


def test_run_check_exercises_the_installed_device(site):
    out = run_python(site, "-m", "mind.core", "check", disable="broken")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "fixture: OK (memory round trip)" in out.stdout
