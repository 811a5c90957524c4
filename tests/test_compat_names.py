"""docs/compat.md's table of MindSpore's API names is the code's: regenerated here, it must match.

After adding or removing a MindSpore name, run ``python tools/mindspore_compat/names.py --write``.
"""

import json
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "mindspore_compat"
sys.path.insert(0, str(TOOLS))

import names  # noqa: E402


def test_the_names_table_in_compat_md_is_current():
    data = json.loads(names.NAMES.read_text())
    assert sum(len(v) for v in data["groups"].values()) > 1500  # the extract is whole
    section = names.current_section(names.COMPAT.read_text())
    assert section is not None, "docs/compat.md lost its names table markers"
    assert section == names.table(data), (
        "docs/compat.md's names table is stale: run python tools/mindspore_compat/names.py --write"
    )
    assert "mindspore" not in sys.modules  # the alias is gone again


def test_statuses_follow_the_code():
    groups = {"mindspore.ops": ["add", "no_such_op_xyz", "cond", "Scan"]}
    rows = dict(names.statuses({"groups": groups})["mindspore.ops"])
    assert rows == {
        "add": "implemented",
        "no_such_op_xyz": "missing",
        "cond": "implemented",  # the condition number, as MindSpore's
        "Scan": "different",
    }
