"""Every task a developer or CI runs. `nox --list` shows them; `nox` alone runs the tests.

uv creates the environments when it is installed (it is, through the README's commands), plain
virtualenv otherwise. The bench session is the exception: it uses the stdlib venv and pip, because
the PyTorch peer must be exactly torch==2.13.0 (CPU), which pip finds and uv does not.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = True

ROOT = Path(__file__).parent
PACKAGES = ["mind-core", "mind-data", "mind-insight", "mind-armour", "mind-lite", "mind-extend"]
TORCH = "torch==2.13.0"  # the benchmark peer; never a bare "torch" (that pulls a CUDA build)


def editable_all(extra: str = "test") -> list[str]:
    args = []
    for package in PACKAGES:
        args += ["-e", f"packages/{package}[{extra}]" if extra else f"packages/{package}"]
    return args


def core_line_count() -> int:
    """Lines of mind-core's source, printed on every test run to keep the core small."""
    src = ROOT / "packages" / "mind-core" / "src"
    return sum(len(p.read_text().splitlines()) for p in src.rglob("*.py"))


@nox.session
def tests(session: nox.Session) -> None:
    """All six packages editable in one env; pytest over packages/*/tests and tests/."""
    session.install(*editable_all())
    session.log(f"mind-core source: {core_line_count()} lines")
    session.run("pytest", *session.posargs)


@nox.session(venv_backend="venv")
def peers(session: nox.Session) -> None:
    """tests/peers: ops, layers and losses against PyTorch (exactly TORCH, CPU) on the same inputs,
    forward and gradients. Outside the default run (tests/conftest.py), which needs no peer; CI
    runs it through the README's test command."""
    session.install(TORCH)
    session.install(*editable_all())
    session.run("pytest", "tests/peers", *session.posargs, env={"MIND_PEERS": "1"})


@nox.session(python=["3.10", "3.11", "3.12", "3.13"])
def compat(session: nox.Session) -> None:
    """The tests session on every supported Python found on this machine (3.10-3.13)."""
    tests(session)


@nox.session
@nox.parametrize("package", PACKAGES)
def isolation(session: nox.Session, package: str) -> None:
    """Each package alone, with only its declared dependencies, runs its own tests."""
    if package == "mind-core":
        session.install("-e", "packages/mind-core[test]")
    else:
        session.install("-e", "packages/mind-core", "-e", f"packages/{package}[test]")
    session.run("pytest", f"packages/{package}/tests", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting, over the whole repository."""
    session.install("ruff==0.17.6")  # pinned: formatting must not drift between runs
    session.run("ruff", "check", ".", *session.posargs)
    session.run("ruff", "format", "--check", ".")


@nox.session
def fuzz(session: nox.Session) -> None:
    """The loader fuzzers and kill -9 trials at full size (MIND_FUZZ_N=20000 inputs a loader)."""
    session.install(*editable_all())
    n = session.env.get("MIND_FUZZ_N") or "20000"
    session.run("pytest", "tests/fuzz", *session.posargs, env={"MIND_FUZZ_N": n})


@nox.session(venv_backend="venv")
def bench(session: nox.Session) -> None:
    """tools/bench/run.py with its peers installed: `nox -s bench -- SUITE [--quick] [--json]`."""
    session.install(TORCH, "onnx", "onnxruntime")  # onnxruntime: the `lite` suite's peer
    session.install(*editable_all(extra=""), "-e", "packages/mind-core[native]")
    args = session.posargs or ["startup"]
    session.run("python", "tools/bench/run.py", *args)


MINDSPORE = "mindspore==2.10.0"  # the optional data-suite peer (an ~800 MB wheel); not in .ci/run
MINDSPORE_CASES = [
    "mindrecord_scan_rows_mindspore",
    "mindrecord_scan_b256_mindspore",
    "mindrecord_write_mindspore",
    "pipeline_images_mindspore",
]


@nox.session(venv_backend="venv", default=False)
def bench_mindspore(session: nox.Session) -> None:
    """The data suite's MindSpore 2.10 cases: `nox -s bench_mindspore [-- --quick]`."""
    session.install(MINDSPORE)
    session.install(*editable_all(extra=""))
    cases = [arg for name in MINDSPORE_CASES for arg in ("--case", name)]
    session.run("python", "tools/bench/run.py", "data", *session.posargs, *cases)


@nox.session
def demo(session: nox.Session) -> None:
    """The quickstart: examples/quickstart.py."""
    session.install(*editable_all(extra=""))
    session.run("python", "examples/quickstart.py")
