"""The docs' runnable examples run: every ```python block in docs/ whose first line is an import.

Blocks that start otherwise are fragments (a signature, part of a plugin) and are not run.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCKS = [
    pytest.param(code, id=f"{path.name}:{n}")
    for path in sorted(DOCS.glob("*.md"))
    for n, code in enumerate(re.findall(r"```python\n(.*?)```", path.read_text(), re.S))
    if code.startswith("import ")
]


def test_there_are_runnable_examples():
    assert len(BLOCKS) >= 1


@pytest.mark.parametrize("code", BLOCKS)
def test_example_runs(code, tmp_path):
    # From a file, as a user runs a script: graph mode reads functions' source (capture_mode="ast").
    script = tmp_path / "example.py"
    script.write_text(code)
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert out.returncode == 0, out.stderr
