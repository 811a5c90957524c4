"""tools/plugin-template is a working plugin: installed, Mind finds it and its own tests pass."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[1] / "tools" / "plugin-template"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("template-site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(TEMPLATE),
        ],
        check=True,
    )
    return target


def run(site, *args):
    env = {**os.environ, "PYTHONPATH": str(site), "MIND_DISABLE_PLUGINS": ""}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, cwd=TEMPLATE
    )


def test_installed_template_is_listed_by_info(site):
    out = run(site, "-m", "mind.core", "info", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    example = next(d for d in report["devices"] if d["name"] == "example")
    assert example["available"] and example["provider"] == "example"
    plugin = next(p for p in report["plugins"] if p["name"] == "example")
    assert plugin["dist"] == "mind-device-example" and plugin["status"] == "loaded"


def test_template_tests_pass(site):
    out = run(site, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert out.returncode == 0, out.stdout + out.stderr
    assert " passed" in out.stdout and "failed" not in out.stdout
