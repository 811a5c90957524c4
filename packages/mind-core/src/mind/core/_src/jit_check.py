"""``jit.check(fn_or_cell, *example_inputs)``: what graph mode cannot take, before compiling.

It traces the function abstractly (shapes and dtypes only, nothing runs) with every unsupported
construct recorded instead of raised, and tracing carried on past it with a stand-in value, so one
pass reports every problem: where (file:line), what, and what to write instead. Use it as a CI
gate::

    report = mind.core.jit.check(net, Tensor(np.zeros((1, 3, 32, 32), np.float32)))
    assert report.ok, str(report)
"""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from typing import Any

from mind.core._src.compiler.passes import MemoryPlan
from mind.core._src.ir.ast_capture import reporting
from mind.core._src.ir.trace import (
    collecting,
    user_location,  # noqa: F401  (same rule for frames)
)
from mind.core._src.nn.cell import Cell

__all__ = ["CheckReport", "check"]


@dataclass
class CheckReport:
    """The findings of :func:`check`; ``ok`` when there are none."""

    function: str
    findings: list[dict] = field(default_factory=list)
    #: The traced graph's memory plan (MindRT's planner, as the executors place their values),
    #: when the trace got through.
    memory_plan: MemoryPlan | None = None
    #: Each of the user's functions the trace reached: ``function``, ``location``, ``mode``
    #: (``"ast"`` when its source was converted, ``"trace"`` otherwise) and ``statements`` (what
    #: was converted, or kept as Python and why).
    functions: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> str:
        plan = self.memory_plan
        memory = plan and {
            "arena_bytes": plan.arena_bytes,
            "peak_bytes": plan.peak_bytes,
            "naive_bytes": plan.naive_bytes,
            "values": len(plan.values),
        }
        return json.dumps(
            {
                "function": self.function,
                "ok": self.ok,
                "findings": self.findings,
                "memory": memory,
                "functions": self.functions,
            },
            indent=2,
        )

    def __str__(self) -> str:
        if self.ok:
            lines = [f"{self.function}: ready for graph mode"]
        else:
            lines = [f"{self.function}: {len(self.findings)} problem(s) for graph mode"]
        for f in self.findings:
            lines.append(f"  {f['location']}: {f['problem']}\n      fix: {f['fix']}")
        for f in self.functions:
            lines.append(f"  {f['function']} ({f['location']}): compiled by {f['mode']}")
            lines.extend(f"      {note}" for note in f["statements"])
        if self.memory_plan is not None:
            lines.append(f"  {self.memory_plan}")
        return "\n".join(lines)


def _user_frame(exc: BaseException) -> str:
    import os

    mind_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not os.path.abspath(f.filename).startswith(mind_root)
    ]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "<unknown>"


def check(fn_or_cell: Any, *example_inputs: Any, format: str = "report") -> Any:
    """Trace ``fn_or_cell`` on ``example_inputs`` without running it; return a :class:`CheckReport`
    (``format="json"`` returns its JSON text)."""
    from mind.core._src.jit import JitFunction

    fn = fn_or_cell.construct if isinstance(fn_or_cell, Cell) else fn_or_cell
    name = (
        type(fn_or_cell).__name__
        if isinstance(fn_or_cell, Cell)
        else getattr(fn, "__name__", "function")
    )
    report = CheckReport(name)
    with collecting(report.findings), reporting(report.functions):
        try:
            report.memory_plan = JitFunction(fn, name)._trace(tuple(example_inputs)).memory_plan
        except Exception as exc:  # a problem tracing could not step past
            report.findings.append(
                {
                    "location": _user_frame(exc),
                    "problem": f"{type(exc).__name__}: {str(exc).splitlines()[0]}",
                    "fix": "see the error; run the function in PyNative mode to debug it",
                }
            )
    # The same line reached twice (a loop) is one problem.
    unique, seen = [], set()
    for f in report.findings:
        key = (f["location"], f["problem"])
        if key not in seen:
            seen.add(key)
            unique.append(f)
    report.findings = unique
    return report.to_json() if format == "json" else report
