"""``dataset.doctor()``: the bottleneck decision from given stage times, and a real run."""

import numpy as np
import pytest

import mind.data as ds
from mind.data._src.doctor import format_report, rank_stages


def stage(op, seconds, children=(), rows=0):
    return {"op": op, "seconds": seconds, "children": list(children), "rows": rows}


# -- the decision, from given times --------------------------------------------------------------


def test_own_times_shares_and_the_bottleneck_from_given_stage_times():
    # Source -> Map -> Batch, each time including its children's: own times 0.1, 0.8, 0.1.
    stages = [stage("Source", 0.1, rows=80), stage("Map", 0.9, [0], 80), stage("Batch", 1.0, [1])]
    ops, bottleneck = rank_stages(stages, total=1.25)
    assert bottleneck == "Map"
    assert [o["op"] for o in ops] == ["Map", "Source", "Batch"]  # a tie keeps the stage order
    assert [o["self_seconds"] for o in ops] == pytest.approx([0.8, 0.1, 0.1])
    assert [o["share"] for o in ops] == pytest.approx([0.64, 0.08, 0.08])
    assert [o["rows"] for o in ops] == [80, 80, 0] and {o["engine"] for o in ops} == {"rows"}
    # The same ops with a slow batch: the batch is named, not the op with the largest total.
    ops, bottleneck = rank_stages(
        [stage("Source", 0.1), stage("Map", 0.3, [0]), stage("Batch", 1.0, [1])], total=1.0
    )
    assert bottleneck == "Batch" and ops[0]["self_seconds"] == pytest.approx(0.7)


def test_rank_stages_with_two_children_clock_noise_and_nothing_measured():
    # A zip of two sources: its own time is its total less both children's.
    stages = [stage("A", 0.3), stage("B", 0.5), stage("Zip", 0.9, [0, 1])]
    ops, bottleneck = rank_stages(stages, total=1.0)
    assert bottleneck == "B"
    assert {o["op"]: o["self_seconds"] for o in ops} == pytest.approx(
        {"A": 0.3, "B": 0.5, "Zip": 0.1}
    )
    # A parent measured a hair below its child (clock noise) has no time of its own, not less.
    ops, _ = rank_stages([stage("Source", 0.5), stage("Map", 0.4, [0])], total=0.5)
    assert {o["op"]: o["self_seconds"] for o in ops} == {"Source": 0.5, "Map": 0.0}
    assert rank_stages([], total=0.0) == ([], None)
    ops, _ = rank_stages([stage("Source", 0.0)], total=0.0)
    assert ops[0]["share"] == 0.0


def test_the_report_names_the_bottleneck():
    ops, bottleneck = rank_stages([stage("Source", 0.01), stage("Map", 0.04, [0])], total=0.05)
    report = {
        "rows": 10,
        "seconds": 0.05,
        "rows_per_second": 200.0,
        "ops": ops,
        "bottleneck": bottleneck,
        "warnings": ["w"],
        "fixes": ["f"],
    }
    lines = format_report(report).splitlines()
    assert lines[0] == "10 rows in 0.050 s (200 rows/s)"
    assert lines[1].split() == ["60.0%", "30.0", "ms", "rows", "Map"]
    assert lines[2].split() == ["20.0%", "10.0", "ms", "rows", "Source"]
    assert lines[3:] == ["the pipeline waits on: Map", "fixed: f", "warning: w"]


# -- a real run: what does not depend on which op is slowest -------------------------------------


class PythonHeavy:
    def __init__(self):
        self.items = [np.full(3, i) for i in range(2000)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return (self.items[i],)


def double(x):
    return x * 2


def test_doctor_reports_shares_caps_workers_and_warns_about_python_objects(capsys):
    heavy = ds.GeneratorDataset(PythonHeavy(), ["x"], num_parallel_workers=64).batch(4)
    report = heavy.doctor(num_rows=8, verbose=False)
    assert any("num_parallel_workers 64 ->" in f for f in report["fixes"])
    assert any("PythonHeavy.items" in w for w in report["warnings"])
    data = ds.GeneratorDataset(PythonHeavy(), ["x"], shuffle=False).map(double).batch(4)
    report = data.doctor(num_rows=20)
    assert report["rows"] == 20 and report["warnings"] == [] and report["fixes"] == []
    rows = {o["op"].split("(")[0]: o["rows"] for o in report["ops"]}
    assert rows == {"Batch": 20, "Map": 80, "Source": 80}  # 20 batches of 4 rows
    slowest = max(report["ops"], key=lambda o: o["self_seconds"])
    assert report["bottleneck"] == report["ops"][0]["op"] == slowest["op"]
    shares = [o["share"] for o in report["ops"]]
    # Own times are nested parts of the run, so their shares add up to at most the whole.
    assert all(0 <= s <= 1 for s in shares) and 0 < sum(shares) <= 1 + 1e-9
    assert f"the pipeline waits on: {report['bottleneck']}" in capsys.readouterr().out
