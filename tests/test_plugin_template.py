"""tools/plugin-template is a working plugin: installed, Mind finds it and its own tests pass."""

import json
import re
from pathlib import Path

import pytest

from mind.core.testing import install_projects, run_python

TEMPLATE = Path(__file__).resolve().parents[1] / "tools" / "plugin-template"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return install_projects(tmp_path_factory.mktemp("template-site"), TEMPLATE)


def test_installed_template_is_listed_by_info(site):
    out = run_python(site, "-m", "mind.core", "info", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    example = next(d for d in report["devices"] if d["name"] == "example")
    assert example["available"] and example["provider"] == "example"
    plugin = next(p for p in report["plugins"] if p["name"] == "example")
    assert plugin["dist"] == "mind-device-example" and plugin["status"] == "loaded"


def test_template_tests_pass(site):
    out = run_python(site, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=TEMPLATE)
    assert out.returncode == 0, out.stdout + out.stderr
    assert " passed" in out.stdout and "failed" not in out.stdout
    # The conformance suite ran against the template's device (its memory and capability checks
    # pass; the primitives it does not declare are skipped).
    passed = int(re.search(r"(\d+) passed", out.stdout).group(1))
    assert passed >= 8 and "skipped" in out.stdout, out.stdout
