"""Random primitives (uniform, normal, randint, bernoulli) and ``set_seed``.

One global generator (numpy's PCG64) serves every random op, so ``set_seed(n)`` makes a whole
program's randomness repeat; an op's own ``seed`` argument draws from a generator of that seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import ShapedArray, bind, primitive
from mind.core._src.ops.elementwise import _const
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindValueError

_GLOBAL = {"rng": np.random.default_rng(), "seed": None}


def set_seed(seed: int) -> None:
    """Seed every random op (initializers, dropout, shuffles in ``mind.core``)."""
    # MindSpore seeds numpy's legacy generator too, which takes [0, 2**32 - 1]: the same range.
    I.check_int("set_seed", "seed", seed, minimum=0, maximum=2**32 - 1)
    _GLOBAL["rng"] = np.random.default_rng(seed)
    _GLOBAL["seed"] = seed


def get_seed() -> int | None:
    return _GLOBAL["seed"]


def generator(seed: int | None = None) -> np.random.Generator:
    """The global generator, or a fresh one for an explicit ``seed``."""
    return _GLOBAL["rng"] if seed is None else np.random.default_rng(seed)


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)


def _random_infer(*_: ShapedArray, shape, dtype, **__: Any) -> ShapedArray:
    return ShapedArray(tuple(shape), dt.to_dtype(dtype))


# numpy's default_rng takes a non-negative seed; None draws from the global generator.
_SEED = S.Opt(S.Int(lo=0))
uniform_p = primitive(
    "uniform",
    traits=("random",),
    cpu=lambda *, shape, low, high, dtype, seed: (
        generator(seed).uniform(low, high, shape).astype(dt.to_dtype(dtype).np)
    ),
    infer=_random_infer,
    differentiable=False,
    attrs=("shape", "low", "high", "dtype", "seed"),
)
S.attr_schema(
    uniform_p, shape=S.SHAPE, low=S.Number(), high=S.Number(), dtype=S.DType(), seed=_SEED
)
normal_p = primitive(
    "normal",
    traits=("random",),
    cpu=lambda *, shape, mean, stddev, dtype, seed: (
        generator(seed).normal(mean, stddev, shape).astype(dt.to_dtype(dtype).np)
    ),
    infer=_random_infer,
    differentiable=False,
    attrs=("shape", "mean", "stddev", "dtype", "seed"),
)
S.attr_schema(
    normal_p, shape=S.SHAPE, mean=S.Number(), stddev=S.Number(), dtype=S.DType(), seed=_SEED
)
randint_p = primitive(
    "randint",
    traits=("random",),
    cpu=lambda *, shape, low, high, dtype, seed: (
        generator(seed).integers(low, high, shape).astype(dt.to_dtype(dtype).np)
    ),
    infer=_random_infer,
    differentiable=False,
    attrs=("shape", "low", "high", "dtype", "seed"),
)
S.attr_schema(
    randint_p, shape=S.SHAPE, low=S.Number(), high=S.Number(), dtype=S.DType(), seed=_SEED
)
bernoulli_p = primitive(
    "bernoulli",
    traits=("random",),
    cpu=lambda p, *, shape, dtype, seed: (generator(seed).random(shape) < p).astype(
        dt.to_dtype(dtype).np
    ),
    infer=_random_infer,
    differentiable=False,
    attrs=("shape", "dtype", "seed"),
)
S.attr_schema(bernoulli_p, shape=S.SHAPE, dtype=S.DType(), seed=_SEED)


def uniform(
    shape: Any, minval: Any = 0.0, maxval: Any = 1.0, seed: Any = None, dtype: Any = None
) -> Tensor:
    """Samples from U[minval, maxval) of ``shape`` (float32 by default)."""
    attrs = {
        "shape": _shape(shape),
        "low": float(minval),
        "high": float(maxval),
        "dtype": (dt.to_dtype(dtype) if dtype else dt.float32).name,
        "seed": seed,
    }
    return bind(uniform_p, (), attrs)


def normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, seed: Any = None) -> Tensor:
    """Samples from N(mean, stddev**2) of ``shape``, float32."""
    attrs = {
        "shape": _shape(shape),
        "mean": float(mean),
        "stddev": float(stddev),
        "dtype": "float32",
        "seed": seed,
    }
    return bind(normal_p, (), attrs)


def standard_normal(shape: Any, seed: Any = None) -> Tensor:
    return normal(shape, 0.0, 1.0, seed)


def randint(low: int, high: int, size: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """Integers in [low, high) of shape ``size`` (int64 by default)."""
    if high <= low:
        raise MindValueError(f"For 'randint', 'high' ({high}) must be greater than 'low' ({low})")
    attrs = {
        "shape": _shape(size),
        "low": int(low),
        "high": int(high),
        "dtype": (dt.to_dtype(dtype) if dtype else dt.int64).name,
        "seed": seed,
    }
    return bind(randint_p, (), attrs)


def bernoulli(input: Any, p: Any = 0.5, seed: Any = None) -> Tensor:
    """0/1 samples shaped like ``input``: 1 with probability ``p`` (a number or a tensor)."""
    input = as_tensor(input)
    prob = as_tensor(p, dt.float64) if isinstance(p, Tensor) else _const(p, dt.float64)
    attrs = {"shape": input.shape, "dtype": input.dtype.name, "seed": seed}
    return bind(bernoulli_p, (prob,), attrs)
