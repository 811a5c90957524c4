"""MindSpore's smaller top-level names: dtype conversions, ``from_numpy``/``tensor``/``is_tensor``,
the random :class:`Generator` with ``manual_seed``/``seed``/``get_rng_state``, ``JitConfig``,
``set_device``/``get_current_device``, and the compile hints (``constexpr``, ``lazy_inline``,
``no_inline``) that Mind's tracing makes unnecessary."""

from __future__ import annotations

import random as _pyrandom
from typing import Any, NamedTuple

import numpy as np

from mind.core._src import context as C
from mind.core._src.ops import random as R
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "Generator",
    "JitConfig",
    "constexpr",
    "default_generator",
    "dtype_to_nptype",
    "dtype_to_pytype",
    "from_numpy",
    "get_current_device",
    "get_py_obj_dtype",
    "get_rng_state",
    "initial_seed",
    "is_tensor",
    "lazy_inline",
    "manual_seed",
    "no_inline",
    "pytype_to_dtype",
    "seed",
    "set_deterministic",
    "set_device",
    "set_rng_state",
    "tensor",
]


# ------------------------------------------------------------------------------------------------
# dtypes
# ------------------------------------------------------------------------------------------------
def dtype_to_nptype(type_: Any) -> type:
    """The numpy scalar type of a dtype: ``dtype_to_nptype(mind.core.int8)`` is ``numpy.int8``."""
    return dt.to_dtype(type_).np.type


def dtype_to_pytype(type_: Any) -> type:
    """The Python type of a dtype's values: ``bool``, ``int``, ``float`` or ``complex``."""
    d = dt.to_dtype(type_)
    if d is dt.bool_:
        return bool
    if d.is_complex:
        return complex
    if d.is_floating_point:
        return float
    return int


_PYTYPES = {bool: dt.bool_, int: dt.int64, float: dt.float64, complex: dt.complex128}


def pytype_to_dtype(obj: Any) -> dt.DType:
    """The dtype of a Python or numpy type (``int`` is ``int64``, ``float`` is ``float64``, as
    MindSpore's), or a dtype itself."""
    if isinstance(obj, dt.DType):
        return obj
    if isinstance(obj, np.dtype):
        obj = obj.type
    if not isinstance(obj, type):
        raise MindTypeError(
            f"For 'pytype_to_dtype', 'obj' must be a Python type such as int or float, "
            f"got {type(obj).__name__}"
        )
    if obj in _PYTYPES:
        return _PYTYPES[obj]
    try:
        return dt.from_numpy_dtype(np.dtype(obj))
    except (TypeError, MindTypeError):
        raise NotImplementedError(
            f"The python type {obj} cannot be converted to a Mind dtype"
        ) from None


def get_py_obj_dtype(obj: Any) -> dt.DType:
    """The dtype of a Tensor (its element dtype), a Python or numpy type, or a value."""
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, type | np.dtype | dt.DType):
        return pytype_to_dtype(obj)
    return pytype_to_dtype(type(obj))


# ------------------------------------------------------------------------------------------------
# tensors
# ------------------------------------------------------------------------------------------------
def from_numpy(array: Any) -> Tensor:
    """A Tensor sharing ``array``'s memory (no copy)."""
    return Tensor.from_numpy(array)


def tensor(input_data: Any = None, dtype: Any = None, device: Any = None) -> Tensor:
    """``Tensor(input_data, dtype)``, MindSpore 2.x's function form; ``device`` may be None or
    ``'CPU'`` (a tensor's data is on the host in Mind)."""
    if device not in (None, "CPU", "cpu"):
        raise MindValueError(f"For 'tensor', 'device' must be None or 'CPU', got {device!r}")
    return Tensor(input_data, dtype)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


# ------------------------------------------------------------------------------------------------
# random generators
# ------------------------------------------------------------------------------------------------
class Generator:
    """A random generator, MindSpore's ``Generator``: ``manual_seed``, ``seed``,
    ``initial_seed``, ``get_state``/``set_state``. The random-fill methods take one
    (``Tensor.uniform_(generator=g)``). ``default_generator`` is Mind's global generator, the one
    ``set_seed`` seeds and every random op without a seed draws from.

    >>> g = Generator().manual_seed(3)
    >>> g.initial_seed()
    3
    """

    def __init__(self) -> None:
        self._own = np.random.default_rng(0)
        self._seed = 0

    @property
    def _rng(self) -> np.random.Generator:
        return self._own

    def _reseed(self, value: int) -> None:
        self._own = np.random.default_rng(value)

    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator; returns it."""
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise MindTypeError(f"For 'manual_seed', 'seed' must be an int, got {seed!r}")
        if seed < 0:
            raise MindValueError(f"For 'manual_seed', 'seed' must be non-negative, got {seed}")
        self._seed = int(seed)
        self._reseed(self._seed)
        return self

    def seed(self) -> int:
        """Seed with a fresh non-deterministic seed and return it."""
        value = _pyrandom.SystemRandom().randrange(2**32)
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed last set."""
        return self._seed

    def get_state(self) -> tuple[int, dict]:
        """``(seed, state)``: the state of the underlying numpy bit generator (a dict)."""
        return self._seed, self._rng.bit_generator.state

    def set_state(self, state: tuple[int, dict]) -> None:
        """Restore a state returned by :meth:`get_state`."""
        try:
            seed_value, bits = state
            self._rng.bit_generator.state = bits
        except (TypeError, ValueError, KeyError) as exc:
            raise MindValueError(
                f"For 'set_state', give a state returned by get_state(): {exc}"
            ) from None
        self._seed = int(seed_value)


class _DefaultGenerator(Generator):
    """The global generator (``mind.core.ops.random``'s), as a :class:`Generator`."""

    def __init__(self) -> None:
        pass

    @property
    def _rng(self) -> np.random.Generator:
        return R.generator()

    @property
    def _seed(self) -> int:  # type: ignore[override]
        return R.get_seed() or 0

    @_seed.setter
    def _seed(self, value: int) -> None:
        R._GLOBAL["seed"] = value

    def _reseed(self, value: int) -> None:
        R._GLOBAL["rng"] = np.random.default_rng(value)


default_generator = _DefaultGenerator()


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (as ``set_seed``); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The global generator's seed (0 if none was set)."""
    return default_generator.initial_seed()


def get_rng_state() -> tuple[int, dict]:
    return default_generator.get_state()


def set_rng_state(state: tuple[int, dict]) -> None:
    default_generator.set_state(state)


# ------------------------------------------------------------------------------------------------
# compilation
# ------------------------------------------------------------------------------------------------
class JitConfig:
    """MindSpore's ``JitConfig`` for ``jit(jit_config=...)``. Mind honours ``jit_level``
    (``""`` for the context's, ``"O0"``, ``"O1"``, ``"O2"``) and ``jit_syntax_level``; the other
    fields are accepted only at their defaults (``exc_mode="auto"``, ``debug_level="RELEASE"``,
    ``infer_boost="off"``): Mind has no sink mode, debug build or inference boost.

    >>> config = JitConfig(jit_level="O0")
    """

    def __init__(
        self,
        jit_level: str = "",
        exc_mode: str = "auto",
        jit_syntax_level: str = "",
        debug_level: str = "RELEASE",
        infer_boost: str = "off",
        **kwargs: Any,
    ) -> None:
        if jit_level not in ("", "O0", "O1", "O2"):
            raise MindValueError(
                f"For 'JitConfig', 'jit_level' must be '', 'O0', 'O1' or 'O2', got {jit_level!r}"
            )
        if jit_syntax_level not in ("", "STRICT", "COMPATIBLE", "LAX"):
            raise MindValueError(
                "For 'JitConfig', 'jit_syntax_level' must be '', 'STRICT', 'COMPATIBLE' or "
                f"'LAX', got {jit_syntax_level!r}"
            )
        for name, value, default in (
            ("exc_mode", exc_mode, "auto"),
            ("debug_level", debug_level, "RELEASE"),
            ("infer_boost", infer_boost, "off"),
        ):
            if value != default:
                raise MindValueError(
                    f"For 'JitConfig', '{name}' must be {default!r} in Mind, got {value!r}"
                )
        if kwargs:
            raise MindValueError(f"For 'JitConfig', unsupported options {sorted(kwargs)}")
        self.jit_config_dict = {
            "jit_level": jit_level,
            "exc_mode": exc_mode,
            "jit_syntax_level": jit_syntax_level,
            "debug_level": debug_level,
            "infer_boost": infer_boost,
        }

    def __repr__(self) -> str:
        return f"JitConfig({self.jit_config_dict})"


def constexpr(
    fn: Any = None,
    get_instance: bool = True,
    name: Any = None,
    reuse_result: bool = True,
    check: bool = True,
) -> Any:
    """MindSpore's decorator for a function computed on constants while compiling. Mind traces
    Python, so a plain call on Python values already runs once at trace time: ``constexpr``
    returns the function unchanged (bare or with arguments)."""
    if fn is None:
        return lambda f: f
    return fn


def lazy_inline(fn: Any = None, attrs: Any = None, policy: Any = None) -> Any:
    """A hint to MindSpore's compiler to reuse a Cell's subgraph; Mind compiles each graph
    whole, so the decorator returns ``fn`` unchanged."""
    if fn is None:
        return lambda f: f
    return fn


def no_inline(fn: Any = None) -> Any:
    """A hint to MindSpore's compiler to keep a function's subgraph; the identity in Mind."""
    if fn is None:
        return lambda f: f
    return fn


def set_deterministic(deterministic: bool) -> None:
    """Accepted: Mind's kernels give the same result on every run."""
    if not isinstance(deterministic, bool):
        raise MindTypeError(
            f"For 'set_deterministic', 'deterministic' must be a bool, got {deterministic!r}"
        )


# ------------------------------------------------------------------------------------------------
# devices
# ------------------------------------------------------------------------------------------------
class DeviceInfo(NamedTuple):
    device_target: str
    device_id: int


def set_device(device_target: str, device_id: int | None = None) -> None:
    """``set_context(device_target=..., device_id=...)``."""
    kwargs: dict[str, Any] = {"device_target": device_target}
    if device_id is not None:
        kwargs["device_id"] = device_id
    C.set_context(**kwargs)


def get_current_device() -> DeviceInfo:
    """``(device_target, device_id)`` of the context."""
    return DeviceInfo(C.get_context("device_target"), C.get_context("device_id"))
