"""Suite `startup`: what a user waits for before the first op.

- import_core: a fresh interpreter importing mind.core and touching Tensor, ops and nn (the
  package's names load on first use), against one importing torch.
- registry_build: loading every plugin (entry points included) and building the dispatch
  tables, from a new plugin manager; no peer has this step, so none is named.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec

from harness import Case


def _interpreter(code: str):
    def run():
        subprocess.run([sys.executable, "-c", code], check=True)

    return run


def _registry_build():
    from mind.core.plugins import PluginManager

    _ = PluginManager().registry


def cases(quick: bool, threads: int) -> list[Case]:
    repeats = 3 if quick else 9
    have_torch = find_spec("torch") is not None
    return [
        Case(
            "import_core",
            mind=_interpreter("import mind.core as ms; ms.Tensor, ms.ops, ms.nn"),
            peer="torch",
            peer_fn=_interpreter("import torch") if have_torch else None,
            peer_error=None if have_torch else "torch is not installed (nox -s bench installs it)",
            repeats=repeats,
            warmup=1,
        ),
        Case("registry_build", mind=_registry_build, number=20, repeats=repeats),
    ]
