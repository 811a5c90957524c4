"""Set the one shared version on all six packages: `python tools/release/bump_version.py 0.2.0`.

Rewrites each package's `version`, its `__version__`, and every sibling's `mind-core==` pin, so the
dists stay in lockstep (tests/test_repository.py checks that they are).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bump(new: str) -> list[Path]:
    if not re.fullmatch(r"\d+\.\d+\.\d+([ab]\d+|rc\d+)?", new):
        raise SystemExit(f"not a release version: {new!r} (expected X.Y.Z)")
    changed = []
    for package in sorted((ROOT / "packages").glob("mind-*")):
        sub = package.name.removeprefix("mind-")
        edits = {
            package / "pyproject.toml": [
                (r'(?m)^version = "[^"]+"', f'version = "{new}"'),
                (r'"mind-core==[^"]+"', f'"mind-core=={new}"'),
            ],
            package / "src" / "mind" / sub / "__init__.py": [
                (r'(?m)^__version__ = "[^"]+"', f'__version__ = "{new}"'),
            ],
        }
        for path, subs in edits.items():
            text = original = path.read_text()
            for pattern, replacement in subs:
                text = re.sub(pattern, replacement, text)
            if text != original:
                tmp = path.with_suffix(path.suffix + ".tmp")
                tmp.write_text(text)
                tmp.replace(path)
                changed.append(path)
    return changed


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for path in bump(sys.argv[1]):
        print(path.relative_to(ROOT))
