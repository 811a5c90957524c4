"""mind-core: tensors, ops, MindIR, autodiff, the compiler, MindRT, devices, nn and train.

This release holds the foundation every other package builds on: the plugin system
(:mod:`mind.core.plugins`), the device contract and the ``cpu``/``null`` devices
(:mod:`mind.core.devices`), and the installation report::

    import mind.core as ms
    ms.run_check()

or, from a shell, ``python -m mind.core info`` (``--json`` for a machine-readable report).
"""

from __future__ import annotations

__version__ = "0.1.0"

from mind.core._src.info import run_check as run_check

__all__ = ["__version__", "run_check"]
