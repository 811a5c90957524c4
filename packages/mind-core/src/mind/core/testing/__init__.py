"""Helpers for testing Mind and Mind plugins.

Tests must not depend on what happens to be installed, so they never load the ``mind`` entry-point
group: they build a fresh plugin manager with exactly the plugins they need.

Example::

    from mind.core.testing import isolated_plugins

    def test_my_device():
        with isolated_plugins(my_plugin_module) as manager:
            device = manager.registry.device("my_device")
            ...
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mind.core._src.autodiff.eager import grad
from mind.core._src.plugins.manager import PluginManager, set_plugin_manager
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindError

__all__ = [
    "cache_dir",
    "check_grads",
    "distribution_problems",
    "fresh_plugin_manager",
    "install_projects",
    "isolated_plugins",
    "run_python",
]


@contextmanager
def cache_dir(path: str | Path) -> Iterator[Path]:
    """Point the native device's compile cache (``MIND_CACHE_DIR``) at ``path`` for the block, so
    tests never write to the user's cache; the previous setting comes back afterwards."""
    import os

    saved = os.environ.get("MIND_CACHE_DIR")
    os.environ["MIND_CACHE_DIR"] = str(path)
    try:
        yield Path(path)
    finally:
        if saved is None:
            os.environ.pop("MIND_CACHE_DIR", None)
        else:
            os.environ["MIND_CACHE_DIR"] = saved


def fresh_plugin_manager(*plugins: object, builtins: bool = True) -> PluginManager:
    """A plugin manager with mind-core's built-ins (unless ``builtins=False``) and ``plugins``.

    Entry points are never loaded and ``MIND_DISABLE_PLUGINS`` is ignored, so the result does not
    depend on the environment.
    """
    manager = PluginManager(builtins=builtins, entry_points=False, disabled=())
    for plugin in plugins:
        manager.register(plugin)
    return manager


@contextmanager
def isolated_plugins(*plugins: object, builtins: bool = True) -> Iterator[PluginManager]:
    """Make a fresh manager (see :func:`fresh_plugin_manager`) the process-wide one for a block.

    Everything that looks up devices or primitives inside the block sees only these plugins; the
    previous manager is restored afterwards.
    """
    manager = fresh_plugin_manager(*plugins, builtins=builtins)
    previous = set_plugin_manager(manager)
    try:
        yield manager
    finally:
        set_plugin_manager(previous)


def distribution_problems(dist: str) -> list[str]:
    """What is wrong with an installed Mind distribution, as readable lines; empty if nothing.

    Checks, for ``dist`` = ``"mind-<sub>"`` importing as ``mind.<sub>``: ``mind`` is a PEP 420
    namespace (no ``mind/__init__.py``); ``__version__`` equals the installed metadata and
    mind-core's version; a sibling pins ``mind-core==<that version>``; every class in
    ``mind.<sub>.errors.__all__`` derives from ``MindError``; and importing ``mind.<sub>`` (with its
    errors) in a fresh interpreter loads no Mind package but core and itself.
    """
    import importlib
    import json
    import subprocess
    import sys
    from importlib import metadata

    import mind.core

    sub = dist.removeprefix("mind-")
    problems = []
    mind_pkg = sys.modules["mind"]
    if getattr(mind_pkg, "__file__", None) is not None:
        problems.append(f"'mind' must be a namespace package, but it has {mind_pkg.__file__}")
    module = importlib.import_module(f"mind.{sub}")
    installed = metadata.version(dist)
    if module.__version__ != installed:
        problems.append(
            f"mind.{sub}.__version__ is {module.__version__}, metadata says {installed}"
        )
    if module.__version__ != mind.core.__version__:
        problems.append(
            f"{dist} {module.__version__} differs from mind-core {mind.core.__version__}"
        )
    if sub != "core":
        requires = [r.replace(" ", "") for r in metadata.requires(dist) or []]
        if f"mind-core=={mind.core.__version__}" not in requires:
            problems.append(f"{dist} must pin mind-core=={mind.core.__version__}, has {requires}")
    errors = importlib.import_module(f"mind.{sub}.errors")
    for name in errors.__all__:
        cls = getattr(errors, name)
        if not (isinstance(cls, type) and issubclass(cls, MindError)):
            problems.append(f"mind.{sub}.errors.{name} does not derive from MindError")
    code = (
        f"import json, sys, mind.{sub}, mind.{sub}.errors; "
        "print(json.dumps(sorted({m.split('.')[1] for m in sys.modules "
        "if m.startswith('mind.')})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        problems.append(f"importing mind.{sub} failed: {out.stderr.strip()}")
    elif extra := set(json.loads(out.stdout)) - {"core", sub}:
        problems.append(f"importing mind.{sub} also imports sibling packages {sorted(extra)}")
    return problems


def install_projects(target: Path, *projects: Path) -> Path:
    """Install plugin projects (folders with a pyproject.toml) into ``target``; return it.

    Installs with pip, without dependencies or build isolation (the build backend, hatchling for
    Mind's fixtures, must be installed already), into a folder that only the interpreters started
    by :func:`run_python` see: the test environment itself is not changed.
    """
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(target),
            *map(str, projects),
        ],
        check=True,
    )
    return target


def run_python(
    site: Path, *args: str, disable: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python *args`` with ``site`` (see :func:`install_projects`) on its path.

    ``disable`` sets ``MIND_DISABLE_PLUGINS`` for the run. Output is captured as text.
    """
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": str(site), "MIND_DISABLE_PLUGINS": disable}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, cwd=cwd)


def check_grads(
    f,
    args,
    order: int = 1,
    modes: tuple[str, ...] = ("rev",),
    argnums: tuple[int, ...] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> None:
    """Check ``f``'s reverse-mode gradients against central finite differences, in float64
    (complex128 for complex arguments).

    ``f`` takes Tensors and returns a Tensor. Floating-point ``args`` (numpy arrays, numbers or
    Tensors) are converted to float64; integer args (indices, labels) are passed through and not
    differentiated. The check contracts the output with a random cotangent, so every output element
    counts (the real part, for a complex output). A complex argument's real and imaginary parts
    are perturbed apart: its gradient is ``dL/dx + i dL/dy``, as MindSpore's and PyTorch's.
    ``order=2`` also checks the gradient of the gradient. Raises ``AssertionError`` naming
    the argument and the worst element on a mismatch.

    >>> check_grads(lambda x: x * x, [np.array([1.0, 2.0])])
    """
    import numpy as np

    if set(modes) - {"rev"}:
        from mind.core.errors import MindValueError

        raise MindValueError("check_grads: only reverse mode ('rev') exists in PyNative mode")
    arrays = []
    for a in args:
        # C order: the finite differences perturb a flat view (a transposed input has none)
        a = np.asarray(a._data if isinstance(a, Tensor) else a, order="C")
        wide = {"f": np.float64, "c": np.complex128}.get(a.dtype.kind)
        arrays.append(a.astype(wide) if wide is not None else a)
    if argnums is None:
        argnums = tuple(i for i, a in enumerate(arrays) if a.dtype.kind in "fc")
    rng = np.random.default_rng(seed)
    out = f(*[Tensor(a) for a in arrays])
    cotangent = rng.standard_normal(out.shape)
    if out.dtype.kind == "c":
        cotangent = cotangent + 1j * rng.standard_normal(out.shape)

    def scalar(*xs):
        total = (f(*xs) * Tensor(cotangent)).sum()
        if total.dtype.kind == "c":
            from mind.core._src.ops.complex_ops import real

            total = real(total)
        return total

    def numeric(i: int) -> np.ndarray:
        base = [a.copy() for a in arrays]
        result = np.zeros_like(arrays[i])
        flat = result.reshape(-1)
        for j in range(arrays[i].size):
            for step in (1, 1j) if result.dtype.kind == "c" else (1,):
                values = []
                for sign in (1, -1):
                    xs = [b.copy() for b in base]
                    xs[i].reshape(-1)[j] += sign * eps * step
                    values.append(float(scalar(*[Tensor(x) for x in xs]).item()))
                flat[j] += step * (values[0] - values[1]) / (2 * eps)
        return result

    analytic = grad(scalar, grad_position=argnums)(*[Tensor(a) for a in arrays])
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)
    for k, i in enumerate(argnums):
        wide = np.complex128 if arrays[i].dtype.kind == "c" else np.float64
        got = np.asarray(analytic[k]._data, dtype=wide)
        want = numeric(i)
        if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=atol):
            worst = (
                np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
                if got.shape == want.shape
                else None
            )
            raise AssertionError(
                f"gradient of argument {i} differs from finite differences: worst at {worst}, "
                f"analytic {got[worst] if worst is not None else got.shape}, "
                f"numeric {want[worst] if worst is not None else want.shape}"
            )
    if order >= 2:
        grad_fn = grad(scalar, grad_position=argnums)
        seconds = [rng.standard_normal(arrays[i].shape) for i in argnums]

        def second(*xs):
            gs = grad_fn(*xs)
            gs = gs if isinstance(gs, tuple) else (gs,)
            total = None
            for g, c in zip(gs, seconds):
                term = (g * Tensor(c)).sum()
                total = term if total is None else total + term
            return total

        check_grads(second, arrays, order - 1, modes, argnums, eps, rtol * 10, atol * 10, seed + 1)
