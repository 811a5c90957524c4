"""The repository's contract: layout, one shared version, dependency direction, README and CI."""

import ast
import re
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = ["core", "data", "insight", "armour", "lite", "extend"]


def pyproject(sub):
    return tomllib.loads((ROOT / "packages" / f"mind-{sub}" / "pyproject.toml").read_text())


def core_version():
    return pyproject("core")["project"]["version"]


def test_mind_is_a_pep420_namespace_everywhere():
    offenders = sorted(
        str(p.relative_to(ROOT)) for p in ROOT.glob("packages/*/src/mind/__init__.py")
    )
    assert offenders == [], "mind must stay a namespace package; delete " + ", ".join(offenders)


def test_the_installed_mind_namespace_spans_the_packages():
    import mind

    assert getattr(mind, "__file__", None) is None
    assert len(list(mind.__path__)) >= 1


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_package_layout(sub):
    package = ROOT / "packages" / f"mind-{sub}"
    meta = pyproject(sub)
    assert meta["project"]["name"] == f"mind-{sub}"
    assert meta["build-system"]["build-backend"] == "hatchling.build"
    assert meta["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/mind"]
    assert meta["project"]["requires-python"] == ">=3.10"
    assert (package / "README.md").read_text().count("## Install it alone") == 1
    assert (package / "src" / "mind" / sub / "__init__.py").is_file()
    assert (package / "src" / "mind" / sub / "errors.py").is_file()
    assert list((package / "tests").glob("test_*.py"))
    assert not (package / "tests" / "__init__.py").exists()  # importlib mode, six trees, one run


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_one_shared_version_and_siblings_pin_core(sub):
    version = core_version()
    meta = pyproject(sub)
    assert meta["project"]["version"] == version
    init = (ROOT / "packages" / f"mind-{sub}" / "src" / "mind" / sub / "__init__.py").read_text()
    assert f'__version__ = "{version}"' in init
    if sub != "core":
        assert f"mind-core=={version}" in meta["project"]["dependencies"]


def imported_mind_subpackages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found |= {name.split(".")[1] for name in names if name.startswith("mind.")}
    return found


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_dependency_direction_only_towards_core(sub):
    allowed = {"core", sub}
    package = ROOT / "packages" / f"mind-{sub}"
    bad = {}
    for path in [*package.joinpath("src").rglob("*.py"), *package.joinpath("tests").rglob("*.py")]:
        if extra := imported_mind_subpackages(path) - allowed:
            bad[str(path.relative_to(ROOT))] = sorted(extra)
    assert bad == {}, f"mind-{sub} imports siblings other than mind.core: {bad}"


def test_import_scanner_sees_every_import_form(tmp_path):
    probe = tmp_path / "m.py"
    probe.write_text("import mind.data\nfrom mind import lite\nfrom mind.core.x import y\n")
    assert imported_mind_subpackages(probe) == {"data", "lite", "core"}


def readme_commands():
    block = re.search(
        r"## Set up on a fresh machine.*?```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S
    )
    assert block, "README.md lost its set-up block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_has_exactly_two_setup_commands_quickstart_and_tests():
    commands = readme_commands()
    assert len(commands) == 2
    assert "nox -s demo" in commands[0]
    assert "nox -s tests isolation lint peers" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci


def test_noxfile_declares_every_task():
    source = (ROOT / "noxfile.py").read_text()
    for session in ("def tests", "def isolation", "def lint", "def bench", "def demo"):
        assert session in source
    assert 'nox.options.sessions = ["tests"]' in source
    assert '"torch==2.13.0"' in source
    assert not re.search(r'install\([^)]*"torch"', source), "a bare torch pulls a CUDA build"
