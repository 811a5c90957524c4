"""``dataset.doctor()``: where a pipeline spends its time, and what is misconfigured.

It runs the pipeline for a few hundred rows in the calling thread with every op timed, then
reports each op's share of the time (its own, children excluded), names the op the pipeline waits
on, caps worker counts above the machine's cores, and warns when a Python-object source would be
copied into every worker process.
"""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

from mind.data._src.dataset import Dataset, MapDataset, _Run
from mind.data._src.sources import RandomAccessDataset

__all__ = ["diagnose"]


def _walk(node: Dataset):
    yield node
    for child in node.children:
        yield from _walk(child)


def _python_heavy(source: Any) -> str | None:
    for name, value in vars(source).items() if hasattr(source, "__dict__") else []:
        if isinstance(value, list | dict | set) and len(value) > 1000:
            return f"{type(source).__name__}.{name} ({type(value).__name__} of {len(value)} items)"
    return None


def diagnose(dataset: Dataset, num_rows: int = 200, verbose: bool = True) -> dict:
    cpus = os.cpu_count() or 1
    warnings, fixes = [], []
    for node in _walk(dataset):
        workers = node.num_parallel_workers or 1
        if workers > cpus:
            node.num_parallel_workers = cpus
            fixes.append(
                f"{node._describe()}: num_parallel_workers {workers} -> {cpus} (the CPU count)"
            )
        multiprocessing = getattr(node, "multiprocessing", False) or getattr(
            node, "python_multiprocessing", False
        )
        if isinstance(node, RandomAccessDataset) and workers > 1 and multiprocessing:
            heavy = _python_heavy(node.source)
            if heavy:
                warnings.append(
                    f"{node.label}: {heavy} lives in Python objects; every worker process ends up "
                    "with its own copy (reference counts touch the pages). Keep bulk data in numpy "
                    "arrays, or use threads (python_multiprocessing=False)"
                )
        if isinstance(node, MapDataset) and workers > 1 and not node.multiprocessing:
            pass  # threads help when the op releases the GIL; the timing below shows whether it did
    profile: dict = {}
    run = _Run(0, 0, profile)
    start = time.perf_counter()
    rows = dataset._stream(run)
    try:
        produced = sum(1 for _ in itertools.islice(rows, num_rows))
    finally:
        rows.close()
        run.close()
    total = time.perf_counter() - start
    # Each op's time includes its children's: subtract them to get its own share.
    by_node = {id(s["node"]): s for s in profile.values()}
    ops = []
    for stats in profile.values():
        node = stats["node"]
        child_time = sum(by_node[id(c)]["seconds"] for c in node.children if id(c) in by_node)
        ops.append(
            {
                "op": node._describe(),
                "self_seconds": max(stats["seconds"] - child_time, 0.0),
                "rows": stats["rows"],
                "engine": "blocks" if node._native() else "rows",
            }
        )
    for op in ops:
        op["share"] = op["self_seconds"] / total if total else 0.0
    ops.sort(key=lambda o: -o["self_seconds"])
    report = {
        "rows": produced,
        "seconds": total,
        "rows_per_second": produced / total if total else float("inf"),
        "ops": ops,
        "bottleneck": ops[0]["op"] if ops else None,
        "warnings": warnings,
        "fixes": fixes,
    }
    if verbose:
        print(format_report(report))
    return report


def format_report(report: dict) -> str:
    lines = [
        f"{report['rows']} rows in {report['seconds']:.3f} s ({report['rows_per_second']:.0f} rows/s)"
    ]
    for op in report["ops"]:
        lines.append(
            f"  {op['share'] * 100:5.1f}%  {op['self_seconds'] * 1e3:9.1f} ms  "
            f"{op.get('engine', 'rows'):6}  {op['op']}"
        )
    if report["bottleneck"]:
        lines.append(f"the pipeline waits on: {report['bottleneck']}")
    lines += [f"fixed: {f}" for f in report["fixes"]]
    lines += [f"warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)
