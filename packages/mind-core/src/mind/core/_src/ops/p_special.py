"""MindSpore's Primitive-class operators over the ops of ``special`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import math_ops as M
from mind.core._src.ops import random as R
from mind.core._src.ops import special as SP
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _same, _seed
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

for _name, _fn in {
    "BesselI0": SP.bessel_i0,
    "BesselI0e": SP.bessel_i0e,
    "BesselI1": SP.bessel_i1,
    "BesselI1e": SP.bessel_i1e,
    "BesselJ0": SP.bessel_j0,
    "BesselJ1": SP.bessel_j1,
    "BesselK0": SP.bessel_k0,
    "BesselK0e": SP.bessel_k0e,
    "BesselK1": SP.bessel_k1,
    "BesselK1e": SP.bessel_k1e,
    "BesselY0": SP.bessel_y0,
    "BesselY1": SP.bessel_y1,
    "Lgamma": SP.lgamma,
    "Digamma": SP.digamma,
    "Polygamma": SP.polygamma,
    "Igamma": SP.igamma,
    "Igammac": SP.igammac,
    "Zeta": SP.zeta,
    "Erfinv": SP.erfinv,
    "NextAfter": SP.nextafter,
    "Gcd": SP.gcd,
    "Lcm": SP.lcm,
    "Fmax": SP.fmax,
    "Fmin": SP.fmin,
    "TruncateDiv": SP.truncate_div,
    "TruncateMod": SP.truncate_mod,
    "DivNoNan": SP.div_no_nan,
    "MulNoNan": SP.mul_no_nan,
    "PopulationCount": SP.population_count,
    "Rint": SP.rint,
    "Sinc": M.sinc,
    "Eps": SP.eps,
}.items():
    _same(_name, _fn)


@_calls(SP.mvlgamma)
def _mvlgamma(op: PrimitiveClass, x: Any) -> Tensor:
    return SP.mvlgamma(x, op.p)


_define("Mvlgamma", _mvlgamma, p=_REQUIRED)


@_calls(M.nan_to_num)
def _nan_to_num(op: PrimitiveClass, x: Any) -> Tensor:
    return M.nan_to_num(x, 0.0 if op.nan is None else op.nan, op.posinf, op.neginf)


_define("NanToNum", _nan_to_num, nan=0.0, posinf=None, neginf=None)


@_calls(M.logit)
def _logit(op: PrimitiveClass, x: Any) -> Tensor:
    return M.logit(x, None if op.eps < 0 else op.eps)  # MindSpore's -1.0: no clamping


_define("Logit", _logit, eps=-1.0)

# ------------------------------------------------------------------------------------------------
# Windows: the length is the input, the rest attributes
# ------------------------------------------------------------------------------------------------


def _length(value: Any) -> Any:
    return int(value.asnumpy().reshape(-1)[0]) if isinstance(value, Tensor) else value


_define(
    "BartlettWindow",
    _calls(SP.bartlett_window)(
        lambda op, window_length: SP.bartlett_window(
            _length(window_length), op.periodic, dtype=op.dtype
        )
    ),
    periodic=True,
    dtype=dt.float32,
)
_define(
    "BlackmanWindow",
    _calls(SP.blackman_window)(
        lambda op, window_length: SP.blackman_window(
            _length(window_length), op.periodic, dtype=op.dtype
        )
    ),
    periodic=True,
    dtype=dt.float32,
)


@_calls(SP.hamming_window)
def _hamming(op: PrimitiveClass, length: Any) -> Tensor:
    n = _length(length)
    if n <= 1:  # the class gives its dtype's ones (the function float64)
        return Tensor(np.ones(n, dt.to_dtype(op.dtype).np))
    return SP.hamming_window(n, op.periodic, float(op.alpha), float(op.beta), dtype=op.dtype)


_define("HammingWindow", _hamming, periodic=True, alpha=0.54, beta=0.46, dtype=dt.float32)

# ------------------------------------------------------------------------------------------------
# Random: MindSpore's (seed, seed2) attributes, both 0 meaning the global generator
# ------------------------------------------------------------------------------------------------


def _seeded(name: str, apply: Any, **attributes: Any) -> None:
    _define(name, apply, seed=0, seed2=0, **attributes)


_seeded(
    "StandardLaplace",
    _calls(SP.standard_laplace)(
        lambda op, shape: SP.standard_laplace(shape, _seed(op.seed, op.seed2))
    ),
)
_seeded(
    "RandomGamma",
    _calls(SP.random_gamma)(
        lambda op, shape, alpha: SP.random_gamma(shape, alpha, _seed(op.seed, op.seed2))
    ),
)
_seeded(
    "Gamma",
    _calls(SP.gamma)(
        lambda op, shape, alpha, beta: SP.gamma(shape, alpha, beta, _seed(op.seed, op.seed2))
    ),
)
_seeded(
    "Poisson",
    _calls(SP.poisson)(lambda op, shape, mean: SP.poisson(shape, mean, _seed(op.seed, op.seed2))),
)
_seeded(
    "RandomPoisson",
    _calls(SP.random_poisson)(
        lambda op, shape, rate: SP.random_poisson(
            shape, rate, _seed(op.seed, op.seed2), dtype=op.dtype
        )
    ),
    dtype=dt.int64,
)
_seeded(
    "RandomShuffle",
    _calls(SP.shuffle)(lambda op, x: SP.shuffle(x, _seed(op.seed, op.seed2))),
)
_seeded(
    "Multinomial",
    _calls(SP.multinomial)(
        lambda op, x, num_samples: SP.multinomial(
            x, num_samples, True, _seed(op.seed, op.seed2)
        ).astype(op.dtype)
    ),
    dtype=dt.int32,
)


@_calls(R.uniform)
def _uniform(op: PrimitiveClass, x: Any) -> Tensor:
    """MindSpore's Uniform: U[minval, maxval) shaped and typed like ``x``."""
    for name in ("minval", "maxval"):
        if not isinstance(op.attrs[name], float):
            raise MindTypeError(f"For 'Uniform', '{name}' must be a float, got {op.attrs[name]!r}")
    if op.minval > op.maxval:
        raise MindValueError(
            f"For 'Uniform', 'minval' ({op.minval}) must not exceed 'maxval' ({op.maxval})"
        )
    if not isinstance(x, Tensor) or not x.dtype.is_floating_point:
        got = x.dtype if isinstance(x, Tensor) else type(x).__name__
        raise MindTypeError(f"For 'Uniform', 'x' must be a float Tensor, got {got}")
    return R.uniform(x.shape, op.minval, op.maxval, _seed(op.seed, op.offset), x.dtype)


_define("Uniform", _uniform, minval=0.0, maxval=1.0, seed=0, offset=0)


@_calls(R.randint)
def _uniform_int(op: PrimitiveClass, shape: Any, minval: Any, maxval: Any) -> Tensor:
    low, high = (
        int(v.asnumpy().reshape(())) if isinstance(v, Tensor) else v for v in (minval, maxval)
    )
    return R.randint(low, high, SP._shape_arg(shape), _seed(op.seed, op.seed2), dtype=dt.int32)


_seeded("UniformInt", _uniform_int)


@_calls(SP.choice_with_mask)
def _choice_with_mask(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor]:
    return SP.choice_with_mask(x, op.count, _seed(op.seed, op.seed2))


_define("RandomChoiceWithMask", _choice_with_mask, count=256, seed=0, seed2=0)


@_calls(SP.random_categorical)
def _random_categorical(op: PrimitiveClass, logits: Any, num_sample: int, seed: int = 0) -> Tensor:
    return SP.random_categorical(logits, num_sample, seed, op.dtype)


_define("RandomCategorical", _random_categorical, dtype=dt.int64)


@_calls(SP.multinomial_with_replacement)
def _multinomial_wr(op: PrimitiveClass, x: Any, seed: Any, offset: Any) -> Tensor:
    return SP.multinomial_with_replacement(x, seed, offset, op.numsamples, op.replacement)


_define("MultinomialWithReplacement", _multinomial_wr, numsamples=_REQUIRED, replacement=False)


@_calls(SP.randperm)
def _randperm(op: PrimitiveClass, n: Any) -> Tensor:
    """MindSpore's older Randperm: ``max_length`` values, a permutation of ``0 .. n - 1`` then
    ``pad``."""
    n = _length(n)
    if not 0 <= n <= op.max_length:
        raise MindTypeError(
            f"For 'Randperm', 'n' must be in [0, max_length={op.max_length}], got {n}"
        )
    perm = SP.randperm(n, -1, 0, op.dtype).asnumpy()
    pad = np.full(op.max_length - n, op.pad, perm.dtype)
    return Tensor(np.concatenate([perm, pad]))


_define("Randperm", _randperm, max_length=1, pad=-1, dtype=dt.int32)
_define(
    "RandpermV2",
    _calls(SP.randperm)(lambda op, n: SP.randperm(n, op.seed, op.offset, op.dtype)),
    seed=0,
    offset=0,
    dtype=dt.int64,
)


@_calls(R.bernoulli)
def _bernoulli(op: PrimitiveClass, x: Any, p: Any = 0.5) -> Tensor:
    return R.bernoulli(x, p, None if op.seed < 0 else op.seed * 1_000_003 + op.offset)


_define("Bernoulli", _bernoulli, seed=-1, offset=0)
