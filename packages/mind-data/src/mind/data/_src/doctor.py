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

from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.dataset import Dataset, MapDataset, _Run
from mind.data._src.sources import RandomAccessDataset

__all__ = ["diagnose", "format_report", "rank_stages"]


def _walk(node: Dataset):
    yield node
    for child in node.children:
        yield from _walk(child)


def _python_heavy(source: Any) -> str | None:
    for name, value in vars(source).items() if hasattr(source, "__dict__") else []:
        if isinstance(value, list | dict | set) and len(value) > 1000:
            return f"{type(source).__name__}.{name} ({type(value).__name__} of {len(value)} items)"
    return None


#: The data path's share of a training step the doctor asks for (issue 11's goal).
DATA_PATH_GOAL = 0.05


def data_path(dataset: Dataset, model: Any, steps: int) -> dict:
    """Train ``model`` for ``steps`` steps (after 3 untimed ones) on ``dataset`` and split each
    step into the iterator wait, the conversion to Tensors with the device copy, and the step."""
    profile = getattr(model, "_data_path_profile", None)
    if profile is None:
        raise MindTypeError(
            f"For 'doctor', 'model' must be a mind.core.train.Model, got {type(model).__name__}"
        )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise MindValueError(f"For 'doctor', 'steps' must be an int >= 1, got {steps!r}")
    result = profile(dataset, steps=steps, warmup=3)
    result["goal"] = DATA_PATH_GOAL
    result["meets_goal"] = result["share"] < DATA_PATH_GOAL
    return result


def _stages(profile: dict) -> list[dict]:
    """The measured per-op statistics of a profiled run as :func:`rank_stages` takes them."""
    nodes = [stats["node"] for stats in profile.values()]
    position = {id(node): k for k, node in enumerate(nodes)}
    return [
        {
            "op": node._describe(),
            "seconds": stats["seconds"],
            "children": [position[id(c)] for c in node.children if id(c) in position],
            "rows": stats["rows"],
            "engine": "blocks" if node._native() else "rows",
        }
        for node, stats in zip(nodes, profile.values())
    ]


def rank_stages(stages: list[dict], total: float) -> tuple[list[dict], str | None]:
    """Each op's own time and share of ``total``, slowest first, and the op the pipeline waits
    on (the one with the most time of its own), from per-op times.

    ``stages`` holds one dict per op: ``op`` (its description), ``seconds`` (the time spent
    producing its rows, its children's time included, as the profiler measures it),
    ``children`` (positions in ``stages``), and ``rows`` and ``engine``, which are passed on.
    An op's own time is its ``seconds`` less its children's, never below zero (clock noise);
    ties keep the order of ``stages``. This is the doctor's decision, apart from the timing,
    so that it can be checked with given numbers.
    """
    ops = []
    for stage in stages:
        children = sum(stages[c]["seconds"] for c in stage.get("children", ()))
        own = max(stage["seconds"] - children, 0.0)
        ops.append(
            {
                "op": stage["op"],
                "self_seconds": own,
                "rows": stage.get("rows", 0),
                "engine": stage.get("engine", "rows"),
                "share": own / total if total else 0.0,
            }
        )
    ops.sort(key=lambda o: -o["self_seconds"])
    return ops, (ops[0]["op"] if ops else None)


def diagnose(
    dataset: Dataset,
    num_rows: int = 200,
    verbose: bool = True,
    model: Any = None,
    steps: int = 30,
) -> dict:
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
    ops, bottleneck = rank_stages(_stages(profile), total)
    report = {
        "rows": produced,
        "seconds": total,
        "rows_per_second": produced / total if total else float("inf"),
        "ops": ops,
        "bottleneck": bottleneck,
        "warnings": warnings,
        "fixes": fixes,
    }
    if model is not None:
        report["data_path"] = data_path(dataset, model, steps)
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
    path = report.get("data_path")
    if path:
        verdict = "meets" if path["meets_goal"] else "misses"
        lines.append(
            f"data path over {path['steps']} training steps: iterator {path['iterator_ms']:.3f} "
            f"ms + to Tensors and device {path['convert_ms']:.3f} ms per step, against the step's "
            f"{path['step_ms']:.3f} ms: {path['share'] * 100:.1f}% of the step ({verdict} the "
            f"{path['goal'] * 100:.0f}% goal)"
        )
    lines += [f"fixed: {f}" for f in report["fixes"]]
    lines += [f"warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)
