"""Mind's benchmarks: `python tools/bench/run.py SUITE [--quick] [--json] [--threads N]`.

Each case prints one JSON line:
    {"suite", "bench", "mind_s", "peer", "peer_s", "ratio", "repeats", "number", "threads"}
with mind_s and peer_s the medians (seconds per unit of work) over repeats after warm-up, both
measured in this run, and ratio = mind_s / peer_s (below 1: Mind is faster). Without --json a
readable table follows on stderr. --quick finishes a suite in under a minute (fewer repeats).

Suites live in tools/bench/suites/<name>.py, each with
`cases(quick: bool, threads: int) -> list[Case]` (see harness.py).
`nox -s bench -- SUITE` runs a suite with its peers installed (torch==2.13.0).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITES = sorted(p.stem for p in (HERE / "suites").glob("*.py") if not p.stem.startswith("_"))


def load_suite(name: str):
    spec = importlib.util.spec_from_file_location(
        f"mind_bench_{name}", HERE / "suites" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _subscribe_noop_observer() -> None:
    import types

    from mind.core.plugins import get_plugin_manager, hookimpl

    class NoOp:
        def on_run_start(self, graph, device): ...
        def on_kernel_start(self, node, device): ...
        def on_kernel_end(self, node, device, seconds, outputs): ...
        def on_run_end(self, graph, device): ...

    plugin = types.ModuleType("bench_noop_observer")
    plugin.mind_runtime_observer = hookimpl(lambda: NoOp())
    get_plugin_manager().register(plugin)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/bench/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("suite", choices=SUITES)
    parser.add_argument("--quick", action="store_true", help="fewer repeats; under a minute")
    parser.add_argument("--json", action="store_true", help="JSON lines only, no table")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="threads for Mind and the peer alike (default: all cores)",
    )
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    parser.add_argument(
        "--observer",
        action="store_true",
        help="subscribe one no-op runtime observer first (what observing costs a compiled run)",
    )
    args = parser.parse_args(argv)

    # Both sides get the same thread count; BLAS pools read these when first loaded.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    # numpy's OpenBLAS threads otherwise busy-wait after each call and take the cores from the
    # peer's OpenMP threads (PyTorch ran 2-8x slower beside them here); with the shortest
    # timeout both sides run at the speed each has alone.
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE / "suites"))
    from harness import run_case

    if args.observer:
        _subscribe_noop_observer()
    suite = load_suite(args.suite)
    records = []
    for case in suite.cases(quick=args.quick, threads=args.threads):
        if args.case and case.name not in args.case:
            continue
        record = run_case(case, args.suite, args.threads)
        records.append(record)
        print(json.dumps(record), flush=True)
    if not args.json:
        print(
            f"\n{'bench':<24}{'mind':>12}{'peer':>10}{'peer time':>12}{'ratio':>8}", file=sys.stderr
        )
        for r in records:
            timed = r.get("unit", "s") in ("s", "seconds")
            scale, unit = (1e3, "ms") if timed else (1 / 2**20, "MB")
            peer_s = f"{r['peer_s'] * scale:.3f} {unit}" if r["peer_s"] else "-"
            ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
            print(
                f"{r['bench']:<24}{r['mind_s'] * scale:>9.3f} {unit}{r['peer'] or '-':>10}"
                f"{peer_s:>12}{ratio:>8}",
                file=sys.stderr,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
