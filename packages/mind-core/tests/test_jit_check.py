"""jit.check: a pre-flight report of everything graph mode cannot take, without running."""

import json

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import GraphModeError


def troubled(x):
    if x.sum() > 0:
        x = x * 2
    y = float(x.mean())
    print("debug:", x.asnumpy())
    return x + y


def test_reports_every_problem_with_line_and_fix():
    # The tensor-valued if compiles (capture_mode="ast"); float() and asnumpy() cannot.
    report = ms.jit.check(troubled, Tensor([1.0, 2.0]))
    assert not report.ok
    problems = [(f["location"].rsplit(":", 1)[1], f["problem"]) for f in report.findings]
    lines = [int(line) for line, _ in problems]
    assert len(problems) == 2 and lines == sorted(lines)
    assert "Python value" in problems[0][1] and "converting a tensor to numpy" in problems[1][1]
    assert all(f["location"].startswith(__file__.rsplit("/", 1)[0]) for f in report.findings)
    doc = json.loads(ms.jit.check(troubled, Tensor([1.0, 2.0]), format="json"))
    assert doc["ok"] is False and len(doc["findings"]) == 2
    assert "2 problem(s) for graph mode" in str(report)


def test_the_tensor_if_is_a_problem_when_traced_as_written():
    traced = ms.jit(troubled, capture_mode="trace", fullgraph=True)
    with pytest.raises(GraphModeError, match="truth value of a tensor") as info:
        traced(Tensor([1.0, 2.0]))
    assert "control.cond" in str(info.value)


def test_clean_cells_and_functions_pass_and_nothing_runs():
    net = nn.SequentialCell(nn.Dense(4, 3), nn.ReLU())
    report = ms.jit.check(net, Tensor(np.ones((2, 4), np.float32)))
    assert report.ok and str(report).splitlines()[0] == "SequentialCell: ready for graph mode"
    # The memory plan of what compiles: x, the weight, the bias, matmul, add, relu: six values of
    # at most 48 bytes, 64 each once aligned; matmul's output and the bias are last used by add,
    # and add's output by relu (the output, alive to the end), so at most four are live at once.
    plan = report.memory_plan
    assert len(plan.values) == 6 and plan.naive_bytes == 6 * 64
    assert plan.peak_bytes <= plan.arena_bytes <= 4 * 64
    assert f"{plan.arena_bytes} bytes" in str(report) and json.loads(report.to_json())["memory"]
    calls = []
    assert ms.jit.check(lambda x: calls.append(1) or ops.exp(x), Tensor([1.0])).ok


def test_errors_tracing_cannot_step_past_are_reported_not_raised():
    report = ms.jit.check(lambda x: ops.matmul(x, x), Tensor(np.ones((2, 3), np.float32)))
    assert not report.ok and "ShapeInferenceError" in report.findings[0]["problem"]


def test_the_report_says_which_mode_compiled_each_function_and_what_was_converted():
    def helper(y):
        while y.sum() > 10:
            y = y / 2
        return y

    def f(x):
        if x.mean() > 0:
            x = x * 2
        return helper(x) + (lambda v: v)(x)

    report = ms.jit.check(f, Tensor(np.ones(3, np.float32)))
    by_name = {r["function"].rsplit(".", 1)[-1]: r for r in report.functions}
    assert by_name["f"]["mode"] == by_name["helper"]["mode"] == "ast"
    assert any("if -> cond" in s for s in by_name["f"]["statements"])
    assert any("while -> while_loop" in s for s in by_name["helper"]["statements"])
    assert by_name["<lambda>"]["mode"] == "trace"
    assert "compiled by ast" in str(report) and json.loads(report.to_json())["functions"]
