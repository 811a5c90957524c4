"""kill -9 trials for MindRecord writes: an overwriting commit and an append.

Each trial kills the writer (at one of its commit points, or at a random moment) and then checks
that the dataset is the old one or the new one, whole, and that the next write to the same name
leaves no temporary file and no stray shard behind. ``MIND_FUZZ_N`` (``nox -s fuzz``) runs every
commit point and 50 random kills a writer; the default run a few of each.
"""

from __future__ import annotations

import os

import pytest

from mind.core.testing import fuzz
from mind.data.mindrecord import FileWriter, ShardReader, verify

SCHEMA = {"i64": {"type": "int64"}, "text": {"type": "string"}}
OLD = list(range(30))
NEW = list(range(100, 133))
ADDED = list(range(500, 520))

OVERWRITE = """
import os
from mind.data.mindrecord import FileWriter

mind_kill_ready()
writer = FileWriter(os.environ["MIND_KILL_DATASET"], shard_num=2, overwrite=True)
writer.add_schema({"i64": {"type": "int64"}, "text": {"type": "string"}})
writer.write_raw_data({"i64": list(range(100, 133)), "text": [str(i) for i in range(33)]})
writer.commit()
"""

APPEND = """
import os
from mind.data.mindrecord import FileWriter

mind_kill_ready()
writer = FileWriter.open_for_append(os.environ["MIND_KILL_DATASET"])
writer.write_raw_data({"i64": list(range(500, 520)), "text": [str(i) for i in range(20)]})
writer.commit()
"""


def _write_old(name: str) -> None:
    writer = FileWriter(name, shard_num=2, overwrite=True)
    writer.add_schema(SCHEMA)
    writer.write_raw_data({"i64": OLD, "text": [str(i) for i in OLD]})
    writer.commit()


def _trials(tmp_path, script: str, new: list[int], targeted: int) -> dict[str, int]:
    directory = tmp_path / "data"
    directory.mkdir()
    name = str(directory / "k.mindrecord")
    _write_old(name)
    seen = {"old": 0, "new": 0}

    def check(kind: str) -> None:
        with ShardReader(name) as reader:
            got = [r["i64"] for r in reader.iter_rows()]
        assert got in (OLD, new), (kind, got)
        if kind == "clean":
            assert got == new
        seen["old" if got == OLD else "new"] += 1
        problems = verify(name)
        assert all(p.startswith("stray file") for p in problems), problems
        # The next write to this name removes whatever the killed one left behind.
        _write_old(name)
        left = sorted(p.name for p in directory.iterdir() if p.name.startswith("."))
        assert left == [], left
        assert verify(name) == []

    full = "MIND_FUZZ_N" in os.environ
    counts = fuzz.kill_trials(
        script,
        check,
        n_random=50 if full else 1,
        env={"MIND_KILL_DATASET": name},
        max_targeted=None if full else targeted,
    )
    print(script.strip().splitlines()[-1], counts, seen)
    assert seen["old"] and seen["new"], seen
    return counts


# Each trial is a fresh interpreter importing mind.data (about a second here), so the default run
# kills at the first, last and middle commit points only.
@pytest.mark.parametrize(
    ("script", "new", "targeted"), [(OVERWRITE, NEW, 3), (APPEND, OLD + ADDED, 2)]
)
def test_a_killed_write_leaves_old_or_new_and_the_next_write_cleans_up(
    tmp_path, script, new, targeted
):
    counts = _trials(tmp_path, script, new, targeted)
    assert counts["targeted"] >= (targeted if "MIND_FUZZ_N" not in os.environ else 8)
