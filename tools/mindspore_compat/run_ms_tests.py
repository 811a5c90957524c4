"""Run MindSpore's own graph-mode control-flow tests on Mind, through ``mindspore_alias``.

MindSpore's test files never enter this repository: ``--extract GIT_DIR`` writes them (from a
bare clone of mindspore-ai/mindspore_test) into a folder outside it, ``/tmp/ms_tests`` by default,
with a stub for the one helper they import (``tests/mark_utils.arg_mark``, which only adds pytest
marks). Then each test file runs in its own ``pytest`` subprocess, with the alias installed before
collection, a per-test timeout (SIGALRM) and a per-file one (the subprocess is killed).

    python tools/mindspore_compat/run_ms_tests.py --extract /path/to/mindspore_test.git
    python tools/mindspore_compat/run_ms_tests.py [FOLDER] [--platform cpu|all] [--json OUT]

``--platform cpu`` (the default) honours MindSpore's ``arg_mark(plat_marks=[...])``: only tests
marked ``cpu_linux`` run, the rest are skipped and reported as such. ``--platform all`` runs the
tests MindSpore marks for Ascend or GPU too (on Mind's CPU device).

The same module is the pytest plugin of those subprocesses (``-p run_ms_tests``): it installs the
alias, applies the platform filter, times tests out and writes one JSON line per test outcome.
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DEST = Path("/tmp/ms_tests")
CONTROL = "tests/st/compiler/control/"
CPU_MARKS = {"cpu_linux"}  # the plat_marks that mean "runs on this machine"
PLAT_MARKS = {
    "platform_ascend",
    "platform_ascend910b",
    "platform_ascend310p",
    "platform_gpu",
    "cpu_linux",
    "cpu_windows",
    "cpu_macos",
}

# ------------------------------------------------------------------------------------------------
# Extraction (from a bare clone, into a folder outside the repository)
# ------------------------------------------------------------------------------------------------

# tests/mark_utils.py only turns arg_mark's arguments into pytest marks (and seeds numpy); the
# stub keeps the marks, which the platform filter reads, and returns the function unchanged.
_MARK_UTILS_STUB = '''"""Stub of MindSpore's tests/mark_utils.py (written by run_ms_tests.py): marks only."""
import numpy as np
import pytest


def arg_mark(plat_marks, level_mark, card_mark, essential_mark):
    def decorator(func):
        for mark in (*plat_marks, level_mark, card_mark, essential_mark):
            func = getattr(pytest.mark, mark)(func)
        np.random.seed(1967515154)  # as MindSpore's set_numpy_global_seed()
        return func

    return decorator
'''


def _selected(path: str) -> bool:
    """Whether a file under tests/st/compiler/control/ is one of the measured ones: all of
    inner/, the files beside it whose name has a grad/if/while/for token, and those with a CPU
    platform mark (checked by the caller)."""
    if not path.startswith(CONTROL):
        return False
    rest = path[len(CONTROL) :]
    if rest.startswith("inner/"):
        return True
    if "/" in rest:
        return False
    return bool({"grad", "if", "while", "for"} & set(re.split(r"[_.]", rest)))


# Issue 14's measure: MindSpore's op, functional-op and nn tests.
API_PREFIXES = ("tests/st/ops/cpu/", "tests/st/nn/", "tests/ut/python/nn/")


def _api_selected(path: str) -> bool:
    if path.startswith(API_PREFIXES):
        return True
    return path.startswith("tests/st/ops/test_func_") and "/" not in path[len("tests/st/ops/") :]


SUITES = {"control": _selected, "api": _api_selected}

# Helper modules elsewhere in MindSpore's tests that the API suite's files import.
API_HELPERS = (
    "tests/st/utils/",
    "tests/st/common/",
    "tests/st/pynative/utils/",
    "tests/st/numpy_native/utils.py",
)


def extract(git_dir: Path, dest: Path, suite: str = "control") -> list[str]:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True
        ).stdout

    files = [
        p for p in git("ls-tree", "-r", "HEAD", "--name-only").splitlines() if p.endswith(".py")
    ]
    chosen = []
    for path in files:
        if suite == "control":
            if not path.startswith(CONTROL):
                continue
            text = git("show", f"HEAD:{path}")
            wanted = _selected(path) or "cpu_linux" in text or path == CONTROL + "__init__.py"
        else:  # the suite's files, the helper modules beside them, the conftests above them
            folder, _, name = path.rpartition("/")
            folder += "/"
            helper = not name.startswith("test_") and any(
                folder.startswith(p) or (p.startswith(folder) and name != "__init__.py")
                for p in API_PREFIXES
            )  # a package __init__ above the suites (tests/ut/python's loads MindSpore's VM) is
            # written empty below
            wanted = _api_selected(path) or helper or path.startswith(API_HELPERS)
            text = git("show", f"HEAD:{path}") if wanted else ""
        if wanted:
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            chosen.append(path)
    for pkg in {str(Path(p).parent) for p in chosen} | {"tests", "tests/st"}:
        for parent in [Path(pkg), *Path(pkg).parents][:-1]:
            init = dest / parent / "__init__.py"
            if not init.exists():
                init.parent.mkdir(parents=True, exist_ok=True)
                init.write_text("")
    (dest / "tests/mark_utils.py").write_text(_MARK_UTILS_STUB)
    marks = "\n".join(f"    {m}" for m in sorted(PLAT_MARKS) + _OTHER_MARKS)
    (dest / "pytest.ini").write_text(f"[pytest]\nmarkers =\n{marks}\n")
    commit = git("rev-parse", "HEAD").strip()
    (dest / "SOURCE").write_text(
        f"mindspore-ai/mindspore_test@{commit}\n" + "\n".join(chosen) + "\n"
    )
    return chosen


_OTHER_MARKS = [
    *(f"level{i}" for i in range(5)),
    "onecard",
    "allcards",
    "dryrun",
    "dryrun_only",
    "essential",
    "unessential",
]

# ------------------------------------------------------------------------------------------------
# Static inventory: every test, with its platform marks (also for files that fail to import)
# ------------------------------------------------------------------------------------------------


def _plat_marks(fn: ast.FunctionDef) -> list[str]:
    for deco in fn.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", None) == "arg_mark":
            for kw in deco.keywords:
                if kw.arg == "plat_marks":
                    return [ast.literal_eval(e) for e in kw.value.elts]
            if deco.args:
                return [ast.literal_eval(e) for e in deco.args[0].elts]
        name = ast.unparse(deco)
        for mark in PLAT_MARKS:
            if name == f"pytest.mark.{mark}":
                return [mark]
    return []


def inventory(path: Path, root: Path) -> list[dict[str, Any]]:
    rel = path.relative_to(root).as_posix()
    tests = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            tests.append({"nodeid": f"{rel}::{node.name}", "platforms": _plat_marks(node)})
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef) and sub.name.startswith("test"):
                    marks = _plat_marks(sub) or _plat_marks(node)  # type: ignore[arg-type]
                    tests.append({"nodeid": f"{rel}::{node.name}::{sub.name}", "platforms": marks})
    return tests


def _runs_here(platforms: list[str], platform: str) -> bool:
    """Whether a test with these platform marks runs under ``--platform``: with ``cpu``, those
    marked cpu_linux and those with no platform mark (MindSpore's unit tests, tests/ut, carry
    none: they run on every platform)."""
    return platform == "all" or not platforms or bool(CPU_MARKS & set(platforms))


# ------------------------------------------------------------------------------------------------
# The pytest plugin (loaded in each subprocess with -p run_ms_tests)
# ------------------------------------------------------------------------------------------------


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _record(**fields: Any) -> None:
    with open(os.environ["MS_COMPAT_RESULTS"], "a") as out:
        out.write(json.dumps(fields) + "\n")


def pytest_configure(config: Any) -> None:
    import numpy as np

    # numpy 1 names MindSpore's tests use that numpy 2 removed (the tests' environment, not
    # Mind's), each what it was an alias of
    for old, new in {"complex_": np.complex128, "float_": np.float64, "int": int}.items():
        if old not in np.__dict__:
            setattr(np, old, new)
    sys.path.insert(0, str(HERE))
    import mindspore_alias

    mindspore_alias.install()


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    import pytest

    platform = os.environ.get("MS_COMPAT_PLATFORM", "cpu")
    for item in items:
        marks = [m.name for m in item.iter_markers() if m.name in PLAT_MARKS]
        item.user_properties.append(("platforms", marks))
        if not _runs_here(marks, platform):
            item.add_marker(pytest.mark.skip(reason=f"platform: MindSpore marks it {marks}"))


def _timeout(signum: int, frame: Any) -> None:
    raise TimeoutError(f"per-test timeout ({os.environ.get('MS_COMPAT_TEST_TIMEOUT')} s)")


def _hookwrapper(fn: Any) -> Any:
    import pytest

    return pytest.hookimpl(wrapper=True)(fn)


@_hookwrapper
def pytest_runtest_call(item: Any) -> Any:
    seconds = int(os.environ.get("MS_COMPAT_TEST_TIMEOUT", "0"))
    if seconds:
        signal.signal(signal.SIGALRM, _timeout)
        signal.alarm(seconds)
    try:
        return (yield)
    finally:
        signal.alarm(0)


@_hookwrapper
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    report = yield
    platforms = dict(item.user_properties).get("platforms", [])
    if report.when == "call" or (report.when == "setup" and not report.passed):
        error = where = None
        if call.excinfo is not None and report.failed:
            error = _first_line(call.excinfo.value)
            last = call.excinfo.traceback[-1]
            where = f"{last.path}:{last.lineno + 1}"
        outcome = "failed" if report.failed else report.outcome
        if report.skipped and str(report.longrepr).find("platform:") >= 0:
            outcome = "platform-skipped"
        _record(nodeid=item.nodeid, platforms=platforms, outcome=outcome, error=error, where=where)
    return report


def pytest_exception_interact(node: Any, call: Any, report: Any) -> None:
    import pytest

    if isinstance(report, pytest.CollectReport):
        exc = call.excinfo.value
        while exc.__cause__ is not None and type(exc).__name__ == "CollectError":
            exc = exc.__cause__
        _record(collect_error=node.nodeid, error=_first_line(exc))


# ------------------------------------------------------------------------------------------------
# The driver
# ------------------------------------------------------------------------------------------------


def _run_file(
    path: Path, root: Path, results: Path, platform: str, test_timeout: int, file_timeout: int
) -> list[dict[str, Any]]:
    out = results / (path.relative_to(root).as_posix().replace("/", "__") + ".jsonl")
    out.unlink(missing_ok=True)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(HERE), str(root)]),
        MS_COMPAT_RESULTS=str(out),
        MS_COMPAT_PLATFORM=platform,
        MS_COMPAT_TEST_TIMEOUT=str(test_timeout),
    )
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "run_ms_tests", "-p", "no:cacheprovider"]
    cmd += ["--rootdir", str(root), "-c", str(root / "pytest.ini"), str(path)]
    timed_out = False
    try:
        subprocess.run(
            cmd, cwd=path.parent, env=env, timeout=file_timeout, capture_output=True, check=False
        )
    except subprocess.TimeoutExpired:
        timed_out = True
    lines = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []

    static = inventory(path, root)
    by_id = {r["nodeid"]: r for r in lines if "nodeid" in r}
    collect = [r for r in lines if "collect_error" in r]
    merged = []
    first_missing = True
    for test in static:
        runs = [
            r for k, r in by_id.items() if k == test["nodeid"] or k.startswith(test["nodeid"] + "[")
        ]
        if runs:
            merged += runs
            continue
        rec = dict(test)
        if not _runs_here(test["platforms"], platform):
            rec.update(outcome="platform-skipped", error=None)
        elif collect:
            rec.update(outcome="failed", error="[collection] " + collect[0]["error"])
        elif timed_out:
            rec.update(
                outcome="failed",
                error=f"TimeoutError: file killed after {file_timeout} s"
                if first_missing
                else "not run (file killed)",
            )
            first_missing = False
        else:
            rec.update(outcome="failed", error="not reported (process crashed?)")
        merged.append(rec)
    for rec in merged:
        rec["file"] = path.relative_to(root).as_posix()
    return merged


_ADDR = re.compile(r"0x[0-9a-fA-F]+")
_LOCATION = re.compile(r"(?<=: )/\S+?\.py:\d+: ")  # Mind's errors lead with file:line
_MODULE_FILE = re.compile(r" \(/\S+\.py\)")  # "cannot import name X from Y (/path)"


def _key(error: str) -> str:
    """The histogram key of an error line: locations and addresses dropped, result mismatches
    merged (the JSON keeps each test's full line)."""
    error = _MODULE_FILE.sub("", _LOCATION.sub("", _ADDR.sub("0x…", error)))
    if error.startswith(("AssertionError", "[collection] AssertionError")):
        return "AssertionError (wrong result)"
    return error if len(error) <= 160 else error[:157] + "..."


def summarize(records: list[dict[str, Any]], platform: str) -> dict[str, Any]:
    counts = collections.Counter(r["outcome"] for r in records)
    ran = [r for r in records if r["outcome"] != "platform-skipped"]
    failed = [r for r in ran if r["outcome"] == "failed"]
    hist = collections.Counter(_key(r["error"] or "failed (no exception)") for r in failed)
    by_marks = collections.Counter(
        (",".join(sorted(r.get("platforms") or ["(none)"])), r["outcome"]) for r in records
    )
    return {
        "platform": platform,
        "selected": len(records),
        "platform_skipped": counts["platform-skipped"],
        "total": len(ran),
        "passed": counts["passed"],
        "failed": len(failed),
        "skipped": counts["skipped"],
        "histogram": hist.most_common(),
        "by_platform_marks": sorted([*k, v] for k, v in by_marks.items()),
    }


def per_file_table(records: list[dict[str, Any]]) -> str:
    """A Markdown table of passed / run (not skipped) tests per file, for docs/compat.md."""
    counts: dict[str, list[int]] = {}
    for r in records:
        if r["outcome"] in ("passed", "failed"):
            c = counts.setdefault(r["file"], [0, 0])
            c[0] += r["outcome"] == "passed"
            c[1] += 1
    rows = [f"| `{f}` | {p} | {n} |" for f, (p, n) in sorted(counts.items())]
    return "\n".join(["| file | passed | run |", "| --- | --- | --- |", *rows]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DEST)
    parser.add_argument(
        "--extract",
        type=Path,
        metavar="GIT_DIR",
        help="first write the tests from this bare mindspore_test clone into FOLDER",
    )
    parser.add_argument(
        "--platform",
        choices=("cpu", "all"),
        default="cpu",
        help="cpu: honour MindSpore's plat_marks (cpu_linux, or none as in tests/ut); all: every test",
    )
    parser.add_argument(
        "--suite",
        choices=sorted(SUITES),
        default="control",
        help="control: tests/st/compiler/control (issue 13); api: tests/st/ops/cpu, "
        "tests/st/ops/test_func_*.py, tests/st/nn, tests/ut/python/nn (issue 14)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the results as JSON")
    parser.add_argument(
        "--markdown", type=Path, metavar="OUT", help="also write passed/run per file as Markdown"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--test-timeout", type=int, default=20)
    parser.add_argument("--file-timeout", type=int, default=120)
    parser.add_argument("--top", type=int, default=25, help="histogram lines to print")
    parser.add_argument("-k", dest="match", default="", help="only files whose path contains this")
    args = parser.parse_args(argv)

    root = args.folder.resolve()
    if args.extract:
        if HERE.parent.parent in root.parents or root == HERE.parent.parent:
            parser.error("FOLDER must be outside the repository: MindSpore's code stays out of it")
        print(f"extracted {len(extract(args.extract, root, args.suite))} files into {root}")
    files = sorted(p for p in root.rglob("test_*.py") if args.match in p.as_posix())
    if not files:
        parser.error(f"no test files under {root} (run with --extract first)")
    results = root / ".results"
    results.mkdir(exist_ok=True)

    start = time.monotonic()
    with ThreadPoolExecutor(args.jobs) as pool:
        jobs = [
            pool.submit(
                _run_file, f, root, results, args.platform, args.test_timeout, args.file_timeout
            )
            for f in files
        ]
        records = [r for job in jobs for r in job.result()]
    summary = summarize(records, args.platform)
    summary["files"] = len(files)
    summary["seconds"] = round(time.monotonic() - start, 1)

    print(
        f"MindSpore {args.suite} tests on Mind ({len(files)} files, {summary['seconds']} s, "
        f"--platform {args.platform})"
    )
    print(
        f"  selected {summary['selected']}, skipped by MindSpore platform marks "
        f"{summary['platform_skipped']}"
    )
    print(
        f"  total {summary['total']}: passed {summary['passed']}, failed {summary['failed']}, "
        f"skipped {summary['skipped']}"
    )
    if summary["histogram"]:
        print("  first error line per failure:")
        for key, n in summary["histogram"][: args.top]:
            print(f"    {n:4d}  {key}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "tests": records}, indent=1))
        print(f"  wrote {args.json}")
    if args.markdown:
        args.markdown.write_text(per_file_table(records))
        print(f"  wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
