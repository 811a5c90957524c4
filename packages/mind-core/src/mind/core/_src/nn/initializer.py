"""Weight initializers, as ``mindspore.common.initializer``.

``initializer(init, shape, dtype)`` returns a Tensor; ``init`` is an :class:`Initializer`, a name
(``"normal"``, ``"zeros"``, ``"ones"``, ``"xavier_uniform"``, ``"he_uniform"``, ``"he_normal"``,
``"uniform"``, ``"truncated_normal"``), a number (a constant) or a Tensor (copied, shape checked).
Random initializers draw from the generator ``mind.core.set_seed`` seeds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mind.core._src.ops.random import generator
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindValueError

__all__ = [
    "Constant",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "Normal",
    "One",
    "TruncatedNormal",
    "Uniform",
    "XavierNormal",
    "XavierUniform",
    "Zero",
    "initializer",
]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        raise MindValueError(
            f"fan in/out need a tensor of at least 2 dimensions, got shape {shape}"
        )
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _gain(nonlinearity: str, param: float | None = None) -> float:
    if nonlinearity in ("linear", "conv1d", "conv2d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    raise MindValueError(f"unknown nonlinearity {nonlinearity!r}")


class Initializer:
    """Base class: subclasses implement ``sample(shape, rng) -> np.ndarray``, or MindSpore's
    ``_initialize(self, arr)``, which fills ``arr`` (a float64 array of the shape) in place."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs  # MindSpore's Initializer keeps its keyword arguments

    def sample(self, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        if type(self)._initialize is Initializer._initialize:
            raise NotImplementedError(
                f"{type(self).__name__} must implement sample(shape, rng) or _initialize(arr)"
            )
        arr = np.zeros(shape)
        self._initialize(arr)
        return arr

    def _initialize(self, arr: np.ndarray) -> None:
        raise NotImplementedError

    def __call__(self, shape: Any, dtype: Any = dt.float32) -> Tensor:
        return initializer(self, shape, dtype)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Zero(Initializer):
    def sample(self, shape, rng):
        return np.zeros(shape)


class One(Initializer):
    def sample(self, shape, rng):
        return np.ones(shape)


class Constant(Initializer):
    def __init__(self, value: float) -> None:
        self.value = value

    def sample(self, shape, rng):
        return np.full(shape, self.value)


class Normal(Initializer):
    """N(mean, sigma**2)."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0) -> None:
        self.sigma, self.mean = sigma, mean

    def sample(self, shape, rng):
        return rng.normal(self.mean, self.sigma, shape)


class TruncatedNormal(Initializer):
    """N(mean, sigma**2) redrawn outside [a, b]."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0, a: float = -2.0, b: float = 2.0):
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b

    def sample(self, shape, rng):
        out = rng.normal(self.mean, self.sigma, shape)
        bad = (out < self.a) | (out > self.b)
        while bad.any():
            out[bad] = rng.normal(self.mean, self.sigma, int(bad.sum()))
            bad = (out < self.a) | (out > self.b)
        return out


class Uniform(Initializer):
    """U(-scale, scale)."""

    def __init__(self, scale: float = 0.07) -> None:
        self.scale = scale

    def sample(self, shape, rng):
        return rng.uniform(-self.scale, self.scale, shape)


class XavierUniform(Initializer):
    """U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, gain: float = 1) -> None:
        self.gain = gain

    def sample(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        bound = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, shape)


class XavierNormal(Initializer):
    def __init__(self, gain: float = 1) -> None:
        self.gain = gain

    def sample(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        return rng.normal(0, self.gain * math.sqrt(2.0 / (fan_in + fan_out)), shape)


class HeUniform(Initializer):
    """Kaiming uniform: U(-b, b), b = gain * sqrt(3 / fan)."""

    def __init__(
        self, negative_slope: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
    ):
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def sample(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        fan = fan_in if self.mode == "fan_in" else fan_out
        bound = _gain(self.nonlinearity, self.negative_slope) * math.sqrt(3.0 / fan)
        return rng.uniform(-bound, bound, shape)


class HeNormal(Initializer):
    """Kaiming normal: N(0, (gain / sqrt(fan))**2)."""

    def __init__(
        self, negative_slope: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
    ):
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def sample(self, shape, rng):
        fan_in, fan_out = _fans(shape)
        fan = fan_in if self.mode == "fan_in" else fan_out
        return rng.normal(0, _gain(self.nonlinearity, self.negative_slope) / math.sqrt(fan), shape)


_NAMED = {
    "zeros": Zero,
    "zero": Zero,
    "ones": One,
    "one": One,
    "normal": Normal,
    "uniform": Uniform,
    "xavier_uniform": XavierUniform,
    "xavieruniform": XavierUniform,
    "xavier_normal": XavierNormal,
    "he_uniform": HeUniform,
    "heuniform": HeUniform,
    "he_normal": HeNormal,
    "henormal": HeNormal,
    "truncated_normal": TruncatedNormal,
    "truncatednormal": TruncatedNormal,
}


def initializer(init: Any, shape: Any = None, dtype: Any = dt.float32) -> Tensor:
    """A Tensor of ``shape`` and ``dtype`` filled by ``init`` (see the module docstring)."""
    dtype = dt.to_dtype(dtype)
    shape = (shape,) if isinstance(shape, int) else tuple(shape or ())
    if isinstance(init, Tensor):
        if shape and init.shape != shape:
            raise MindValueError(
                f"For 'initializer', the tensor's shape {init.shape} differs from {shape}"
            )
        return Tensor(init, dtype)
    if isinstance(init, bool | int | float):
        init = Constant(init)
    if isinstance(init, str):
        try:
            init = _NAMED[init.lower()]()
        except KeyError:
            raise MindValueError(
                f"For 'initializer', unknown initializer {init!r}; known: {sorted(_NAMED)}"
            ) from None
    if not isinstance(init, Initializer):
        raise MindValueError(
            f"For 'initializer', 'init' must be an Initializer, a name, a number or a Tensor, got {init!r}"
        )
    t = object.__new__(Tensor)
    t._data = np.asarray(init.sample(shape, generator()), dtype=dtype.np)
    t._node = None
    return t
