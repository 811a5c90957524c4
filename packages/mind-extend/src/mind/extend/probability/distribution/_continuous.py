"""Continuous distributions: Normal, Uniform, Exponential, Gamma, Beta, Gumbel, Logistic, Cauchy.

Samples are reparameterized (a deterministic function of the parameters and parameter-free noise),
so gradients flow from a sample to the parameters, except Gamma and Beta, whose samples are not
differentiable.
"""

from __future__ import annotations

import math
from typing import Any

import mind.core as mc
from mind.core import ops
from mind.core.errors import MindValueError
from mind.extend.probability.distribution._base import (
    EULER_GAMMA,
    LOG_2PI,
    Distribution,
    check_distribution_name,
    check_dtype,
    check_greater_zero,
)

__all__ = [
    "Beta", "Cauchy", "Exponential", "Gamma", "Gumbel", "HalfNormal", "Laplace", "Logistic", "Normal",
    "StudentT", "Uniform",
]  # fmt: skip

_NAN = float("nan")
_INF = float("inf")


def _lbeta(a: Any, b: Any) -> Any:
    return ops.lgamma(a) + ops.lgamma(b) - ops.lgamma(a + b)


class _LocScale(Distribution):
    """A family with parameters ``(loc, scale)``, scale > 0 (subclasses name them)."""

    _names = ("loc", "scale")
    _positive = "scale"

    def __init__(self, loc, scale, seed, dtype, name, param):
        param["param_dict"] = {self._names[0]: loc, self._names[1]: scale}
        check_dtype(type(self).__name__, dtype)
        super().__init__(seed, dtype, name, param)
        self._loc = self._add_parameter(loc, self._names[0])
        self._scale = self._add_parameter(scale, self._names[1])
        check_greater_zero(self._scale, self._positive)

    def _get_dist_type(self) -> str:
        return type(self).__name__

    def _get_dist_args(self, loc=None, scale=None):
        return (
            self._loc if loc is None else self._check_value(loc, self._names[0]),
            self._scale if scale is None else self._check_value(scale, self._names[1]),
        )

    def _z(self, value: Any, loc: Any, scale: Any) -> Any:
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        loc, scale = self._check_param_type(loc, scale)
        return (value - loc) / scale, scale

    def _kl_loss(self, dist, loc_b, scale_b, loc=None, scale=None):
        check_distribution_name(dist, type(self).__name__)
        loc_b = ops.cast(self._check_value(loc_b, self._names[0] + "_b"), self.parameter_type)
        scale_b = ops.cast(self._check_value(scale_b, self._names[1] + "_b"), self.parameter_type)
        loc_a, scale_a = self._check_param_type(loc, scale)
        return self._kl(loc_a, scale_a, loc_b, scale_b)

    def _cross_entropy(self, dist, loc_b, scale_b, loc=None, scale=None):
        return self._entropy(loc, scale) + self._kl_loss(dist, loc_b, scale_b, loc, scale)

    def _noise(self, shape: tuple[int, ...]) -> Any:
        raise NotImplementedError

    def _sample(self, shape=(), loc=None, scale=None):
        loc, scale = self._check_param_type(loc, scale)
        full = self._sample_shape(shape, loc, scale)
        return ops.cast(loc + scale * self._noise(full), self.dtype)


class Normal(_LocScale):
    """Normal(mean, sd): the Gaussian of mean ``mean`` and standard deviation ``sd``."""

    _names = ("mean", "sd")
    _positive = "Standard deviation"

    def __init__(self, mean=None, sd=None, seed=None, dtype=mc.float32, name="Normal"):
        super().__init__(mean, sd, seed, dtype, name, dict(locals()))

    def _mean(self, mean=None, sd=None):
        return self._check_param_type(mean, sd)[0]

    _mode = _mean

    def _sd(self, mean=None, sd=None):
        return self._check_param_type(mean, sd)[1]

    def _entropy(self, mean=None, sd=None):
        sd = self._check_param_type(mean, sd)[1]
        return 0.5 * (LOG_2PI + 1.0) + ops.log(sd)

    def _log_prob(self, value, mean=None, sd=None):
        z, sd = self._z(value, mean, sd)
        return -0.5 * ops.square(z) - 0.5 * LOG_2PI - ops.log(sd)

    def _cdf(self, value, mean=None, sd=None):
        z, _ = self._z(value, mean, sd)
        return 0.5 * ops.erfc(-z / math.sqrt(2.0))

    def _survival_function(self, value, mean=None, sd=None):
        z, _ = self._z(value, mean, sd)
        return 0.5 * ops.erfc(z / math.sqrt(2.0))

    def _kl(self, mean_a, sd_a, mean_b, sd_b):
        diff_log = ops.log(sd_a) - ops.log(sd_b)
        return (
            0.5 * ops.square((mean_a - mean_b) / sd_b) + 0.5 * ops.expm1(2.0 * diff_log) - diff_log
        )

    def _noise(self, shape):
        return self._normal(shape)


class Gumbel(_LocScale):
    """Gumbel(loc, scale), the type-I extreme value distribution: cdf ``exp(-exp(-(x-loc)/scale))``."""

    def __init__(self, loc=None, scale=None, seed=0, dtype=mc.float32, name="Gumbel"):
        super().__init__(loc, scale, seed, dtype, name, dict(locals()))

    def _mean(self, loc=None, scale=None):
        loc, scale = self._check_param_type(loc, scale)
        return loc + EULER_GAMMA * scale

    def _mode(self, loc=None, scale=None):
        return self._check_param_type(loc, scale)[0]

    def _sd(self, loc=None, scale=None):
        return self._check_param_type(loc, scale)[1] * (math.pi / math.sqrt(6.0))

    def _entropy(self, loc=None, scale=None):
        return ops.log(self._check_param_type(loc, scale)[1]) + (EULER_GAMMA + 1.0)

    def _log_prob(self, value, loc=None, scale=None):
        z, scale = self._z(value, loc, scale)
        return -(z + ops.exp(-z)) - ops.log(scale)

    def _log_cdf(self, value, loc=None, scale=None):
        z, _ = self._z(value, loc, scale)
        return -ops.exp(-z)

    def _cdf(self, value, loc=None, scale=None):
        return ops.exp(self._log_cdf(value, loc, scale))

    def _kl(self, loc_a, scale_a, loc_b, scale_b):
        ratio = scale_a / scale_b
        return (
            ops.log(scale_b) - ops.log(scale_a) + EULER_GAMMA * (ratio - 1.0)
            + ops.exp((loc_b - loc_a) / scale_b + ops.lgamma(ratio + 1.0)) - 1.0
            + (loc_a - loc_b) / scale_b
        )  # fmt: skip

    def _noise(self, shape):
        u = self._uniform(shape)
        return -ops.log(-ops.log1p(-u))  # -log(-log(1 - u)), u in [0, 1): finite almost surely


class Logistic(_LocScale):
    """Logistic(loc, scale): cdf ``sigmoid((x - loc) / scale)``."""

    def __init__(self, loc=None, scale=None, seed=None, dtype=mc.float32, name="Logistic"):
        super().__init__(loc, scale, seed, dtype, name, dict(locals()))

    def _mean(self, loc=None, scale=None):
        return self._check_param_type(loc, scale)[0]

    _mode = _mean

    def _sd(self, loc=None, scale=None):
        return self._check_param_type(loc, scale)[1] * (math.pi / math.sqrt(3.0))

    def _entropy(self, loc=None, scale=None):
        return ops.log(self._check_param_type(loc, scale)[1]) + 2.0

    def _log_prob(self, value, loc=None, scale=None):
        z, scale = self._z(value, loc, scale)
        return -z - 2.0 * ops.softplus(-z) - ops.log(scale)

    def _cdf(self, value, loc=None, scale=None):
        return ops.sigmoid(self._z(value, loc, scale)[0])

    def _log_cdf(self, value, loc=None, scale=None):
        return -ops.softplus(-self._z(value, loc, scale)[0])

    def _survival_function(self, value, loc=None, scale=None):
        return ops.sigmoid(-self._z(value, loc, scale)[0])

    def _log_survival(self, value, loc=None, scale=None):
        return -ops.softplus(self._z(value, loc, scale)[0])

    def _kl_loss(self, *args, **kwargs):
        return Distribution._kl_loss(self, *args, **kwargs)

    def _cross_entropy(self, *args, **kwargs):
        return Distribution._kl_loss(self, *args, **kwargs)

    def _noise(self, shape):
        u = self._uniform(shape)
        return ops.log(u) - ops.log1p(-u)


class Cauchy(_LocScale):
    """Cauchy(loc, scale): density ``1 / (pi * scale * (1 + z**2))``; no mean or variance."""

    def __init__(self, loc=None, scale=None, seed=None, dtype=mc.float32, name="Cauchy"):
        super().__init__(loc, scale, seed, dtype, name, dict(locals()))

    def _mode(self, loc=None, scale=None):
        return self._check_param_type(loc, scale)[0]

    def _undefined(self, *args, **kwargs):
        raise MindValueError(f"For '{self._name}', the mean, sd and var of a Cauchy are undefined.")

    _mean = _sd = _var = _undefined

    def _entropy(self, loc=None, scale=None):
        return ops.log(self._check_param_type(loc, scale)[1]) + math.log(4.0 * math.pi)

    def _log_prob(self, value, loc=None, scale=None):
        z, scale = self._z(value, loc, scale)
        return -math.log(math.pi) - ops.log(scale) - ops.log1p(ops.square(z))

    def _cdf(self, value, loc=None, scale=None):
        return 0.5 + ops.atan(self._z(value, loc, scale)[0]) / math.pi

    def _survival_function(self, value, loc=None, scale=None):
        return 0.5 - ops.atan(self._z(value, loc, scale)[0]) / math.pi

    def _kl(self, loc_a, scale_a, loc_b, scale_b):
        top = ops.square(scale_a + scale_b) + ops.square(loc_a - loc_b)
        return ops.log(top) - ops.log(4.0 * scale_a * scale_b)

    def _noise(self, shape):
        return ops.tan(math.pi * (self._uniform(shape) - 0.5))


class Uniform(Distribution):
    """Uniform(low, high) on [low, high]; ``high > low``."""

    def __init__(self, low=None, high=None, seed=None, dtype=mc.float32, name="Uniform"):
        param = dict(locals())
        param["param_dict"] = {"low": low, "high": high}
        check_dtype("Uniform", dtype)
        super().__init__(seed, dtype, name, param)
        self._low = self._add_parameter(low, "low")
        self._high = self._add_parameter(high, "high")
        if self._low is not None and self._high is not None:
            check_greater_zero(self._high - self._low, "high - low")

    def _get_dist_type(self) -> str:
        return "Uniform"

    def _get_dist_args(self, low=None, high=None):
        return (self._low if low is None else low, self._high if high is None else high)

    def _mean(self, low=None, high=None):
        low, high = self._check_param_type(low, high)
        return 0.5 * (low + high)

    def _var(self, low=None, high=None):
        low, high = self._check_param_type(low, high)
        return ops.square(high - low) / 12.0

    def _entropy(self, low=None, high=None):
        low, high = self._check_param_type(low, high)
        return ops.log(high - low)

    def _inside(self, value, low, high):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        low, high = self._check_param_type(low, high)
        return value, low, high, ops.logical_and(value >= low, value <= high)

    def _prob(self, value, low=None, high=None):
        value, low, high, inside = self._inside(value, low, high)
        density = 1.0 / (high - low) + ops.zeros_like(value)
        return ops.where(inside, density, ops.zeros_like(density))

    def _log_prob(self, value, low=None, high=None):
        value, low, high, inside = self._inside(value, low, high)
        log_density = -ops.log(high - low) + ops.zeros_like(value)
        return ops.where(inside, log_density, ops.full_like(log_density, -_INF))

    def _cdf(self, value, low=None, high=None):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        low, high = self._check_param_type(low, high)
        return ops.clamp((value - low) / (high - low), 0.0, 1.0)

    def _kl_loss(self, dist, low_b, high_b, low=None, high=None):
        check_distribution_name(dist, "Uniform")
        low_b = ops.cast(self._check_value(low_b, "low_b"), self.parameter_type)
        high_b = ops.cast(self._check_value(high_b, "high_b"), self.parameter_type)
        low_a, high_a = self._check_param_type(low, high)
        kl = ops.log(high_b - low_b) - ops.log(high_a - low_a)
        covered = ops.logical_and(low_b <= low_a, high_a <= high_b)
        return ops.where(covered, kl, ops.full_like(kl, _INF))

    def _cross_entropy(self, dist, low_b, high_b, low=None, high=None):
        return self._entropy(low, high) + self._kl_loss(dist, low_b, high_b, low, high)

    def _sample(self, shape=(), low=None, high=None):
        low, high = self._check_param_type(low, high)
        u = self._uniform(self._sample_shape(shape, low, high))
        return ops.cast(low + (high - low) * u, self.dtype)


class Exponential(Distribution):
    """Exponential(rate): density ``rate * exp(-rate * x)`` on x >= 0."""

    def __init__(self, rate=None, seed=None, dtype=mc.float32, name="Exponential"):
        param = dict(locals())
        param["param_dict"] = {"rate": rate}
        check_dtype("Exponential", dtype)
        super().__init__(seed, dtype, name, param)
        self._rate = self._add_parameter(rate, "rate")
        check_greater_zero(self._rate, "rate")

    def _get_dist_type(self) -> str:
        return "Exponential"

    def _get_dist_args(self, rate=None):
        return (self._rate if rate is None else rate,)

    def _mean(self, rate=None):
        return 1.0 / self._check_param_type(rate)

    _sd = _mean

    def _mode(self, rate=None):
        return ops.zeros_like(self._check_param_type(rate))

    def _entropy(self, rate=None):
        return 1.0 - ops.log(self._check_param_type(rate))

    def _value_rate(self, value, rate):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        return value, self._check_param_type(rate)

    def _log_prob(self, value, rate=None):
        value, rate = self._value_rate(value, rate)
        out = ops.log(rate) - rate * value
        return ops.where(value >= 0, out, ops.full_like(out, -_INF))

    def _cdf(self, value, rate=None):
        value, rate = self._value_rate(value, rate)
        return -ops.expm1(-rate * ops.relu(value))

    def _log_survival(self, value, rate=None):
        value, rate = self._value_rate(value, rate)
        return -rate * ops.relu(value)

    def _kl_loss(self, dist, rate_b, rate=None):
        check_distribution_name(dist, "Exponential")
        rate_b = ops.cast(self._check_value(rate_b, "rate_b"), self.parameter_type)
        rate_a = self._check_param_type(rate)
        return ops.log(rate_a) - ops.log(rate_b) + rate_b / rate_a - 1.0

    def _cross_entropy(self, dist, rate_b, rate=None):
        return self._entropy(rate) + self._kl_loss(dist, rate_b, rate)

    def _sample(self, shape=(), rate=None):
        rate = self._check_param_type(rate)
        u = self._uniform(self._sample_shape(shape, rate))
        return ops.cast(-ops.log1p(-u) / rate, self.dtype)


class Gamma(Distribution):
    """Gamma(concentration, rate): density ``rate**a x**(a-1) exp(-rate x) / Gamma(a)``."""

    def __init__(self, concentration=None, rate=None, seed=None, dtype=mc.float32, name="Gamma"):
        param = dict(locals())
        param["param_dict"] = {"concentration": concentration, "rate": rate}
        check_dtype("Gamma", dtype)
        super().__init__(seed, dtype, name, param)
        self._concentration = self._add_parameter(concentration, "concentration")
        self._rate = self._add_parameter(rate, "rate")
        check_greater_zero(self._concentration, "concentration")
        check_greater_zero(self._rate, "rate")

    def _get_dist_type(self) -> str:
        return "Gamma"

    def _get_dist_args(self, concentration=None, rate=None):
        c = self._concentration if concentration is None else concentration
        return (c, self._rate if rate is None else rate)

    def _mean(self, concentration=None, rate=None):
        a, b = self._check_param_type(concentration, rate)
        return a / b

    def _var(self, concentration=None, rate=None):
        a, b = self._check_param_type(concentration, rate)
        return a / ops.square(b)

    def _mode(self, concentration=None, rate=None):
        a, b = self._check_param_type(concentration, rate)
        mode = (a - 1.0) / b
        return ops.where(a >= 1.0, mode, ops.full_like(mode, _NAN))

    def _entropy(self, concentration=None, rate=None):
        a, b = self._check_param_type(concentration, rate)
        return a - ops.log(b) + ops.lgamma(a) + (1.0 - a) * ops.digamma(a)

    def _log_prob(self, value, concentration=None, rate=None):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        a, b = self._check_param_type(concentration, rate)
        out = ops.xlogy(a, b) + ops.xlogy(a - 1.0, value) - b * value - ops.lgamma(a)
        return ops.where(value >= 0, out, ops.full_like(out, -_INF))

    def _cdf(self, value, concentration=None, rate=None):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        a, b = self._check_param_type(concentration, rate)
        x = b * ops.relu(value)
        return ops.igamma(a + ops.zeros_like(x), x + ops.zeros_like(a))

    def _kl_loss(self, dist, concentration_b, rate_b, concentration_a=None, rate_a=None):
        check_distribution_name(dist, "Gamma")
        a_b = ops.cast(self._check_value(concentration_b, "concentration_b"), self.parameter_type)
        r_b = ops.cast(self._check_value(rate_b, "rate_b"), self.parameter_type)
        a_a, r_a = self._check_param_type(concentration_a, rate_a)
        return (
            (a_a - a_b) * ops.digamma(a_a) - ops.lgamma(a_a) + ops.lgamma(a_b)
            + a_b * (ops.log(r_a) - ops.log(r_b)) + a_a * (r_b - r_a) / r_a
        )  # fmt: skip

    def _cross_entropy(self, dist, concentration_b, rate_b, concentration_a=None, rate_a=None):
        return self._entropy(concentration_a, rate_a) + self._kl_loss(
            dist, concentration_b, rate_b, concentration_a, rate_a
        )

    def _sample(self, shape=(), concentration=None, rate=None):
        a, b = self._check_param_type(concentration, rate)
        draws = ops.random_gamma(self._sample_shape(shape), a, seed=self._next_seed())
        return ops.cast(draws / b, self.dtype)


class Beta(Distribution):
    """Beta(concentration1, concentration0) on (0, 1): density ``x**(a-1) (1-x)**(b-1) / B(a, b)``."""

    def __init__(
        self, concentration1=None, concentration0=None, seed=None, dtype=mc.float32, name="Beta"
    ):
        param = dict(locals())
        param["param_dict"] = {"concentration1": concentration1, "concentration0": concentration0}
        check_dtype("Beta", dtype)
        super().__init__(seed, dtype, name, param)
        self._concentration1 = self._add_parameter(concentration1, "concentration1")
        self._concentration0 = self._add_parameter(concentration0, "concentration0")
        check_greater_zero(self._concentration1, "concentration1")
        check_greater_zero(self._concentration0, "concentration0")

    def _get_dist_type(self) -> str:
        return "Beta"

    def _get_dist_args(self, concentration1=None, concentration0=None):
        c1 = self._concentration1 if concentration1 is None else concentration1
        return (c1, self._concentration0 if concentration0 is None else concentration0)

    def _mean(self, concentration1=None, concentration0=None):
        a, b = self._check_param_type(concentration1, concentration0)
        return a / (a + b)

    def _var(self, concentration1=None, concentration0=None):
        a, b = self._check_param_type(concentration1, concentration0)
        total = a + b
        return a * b / (ops.square(total) * (total + 1.0))

    def _mode(self, concentration1=None, concentration0=None):
        a, b = self._check_param_type(concentration1, concentration0)
        mode = (a - 1.0) / (a + b - 2.0)
        return ops.where(ops.logical_and(a > 1.0, b > 1.0), mode, ops.full_like(mode, _NAN))

    def _entropy(self, concentration1=None, concentration0=None):
        a, b = self._check_param_type(concentration1, concentration0)
        return (
            _lbeta(a, b) - (a - 1.0) * ops.digamma(a) - (b - 1.0) * ops.digamma(b)
            + (a + b - 2.0) * ops.digamma(a + b)
        )  # fmt: skip

    def _log_prob(self, value, concentration1=None, concentration0=None):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        a, b = self._check_param_type(concentration1, concentration0)
        return ops.xlogy(a - 1.0, value) + ops.xlogy(b - 1.0, 1.0 - value) - _lbeta(a, b)

    def _kl_loss(
        self, dist, concentration1_b, concentration0_b, concentration1_a=None, concentration0_a=None
    ):
        check_distribution_name(dist, "Beta")
        a_b = ops.cast(self._check_value(concentration1_b, "concentration1_b"), self.parameter_type)
        b_b = ops.cast(self._check_value(concentration0_b, "concentration0_b"), self.parameter_type)
        a_a, b_a = self._check_param_type(concentration1_a, concentration0_a)
        return (
            _lbeta(a_b, b_b) - _lbeta(a_a, b_a) + (a_a - a_b) * ops.digamma(a_a)
            + (b_a - b_b) * ops.digamma(b_a) + (a_b - a_a + b_b - b_a) * ops.digamma(a_a + b_a)
        )  # fmt: skip

    def _cross_entropy(
        self, dist, concentration1_b, concentration0_b, concentration1_a=None, concentration0_a=None
    ):
        return self._entropy(concentration1_a, concentration0_a) + self._kl_loss(
            dist, concentration1_b, concentration0_b, concentration1_a, concentration0_a
        )

    def _sample(self, shape=(), concentration1=None, concentration0=None):
        a, b = self._check_param_type(concentration1, concentration0)
        x = ops.random_gamma(self._sample_shape(shape), a, seed=self._next_seed())
        y = ops.random_gamma(self._sample_shape(shape), b, seed=self._next_seed())
        return ops.cast(x / (x + y), self.dtype)


class _MeanSd(Distribution):
    """MindSpore's HalfNormal, Laplace and StudentT: ``log_prob``/``prob`` only, as there."""

    _names: tuple[str, ...] = ("mean", "sd")

    def __init__(self, values, seed, dtype, name, param):
        param["param_dict"] = dict(zip(self._names, values, strict=True))
        check_dtype(type(self).__name__, dtype)
        super().__init__(seed, dtype, name, param)
        self._defaults = [
            self._add_parameter(v, n) for n, v in zip(self._names, values, strict=True)
        ]
        check_greater_zero(self._defaults[-1], "Standard deviation")

    def _get_dist_type(self) -> str:
        return type(self).__name__

    def _value_params(self, value, *params):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        return value, self._check_param_type(*params)


class HalfNormal(_MeanSd):
    """HalfNormal(mean, sd): density ``sqrt(2/pi) / sd * exp(-((x - mean) / sd)**2 / 2)`` on x >= 0."""

    def __init__(self, mean=None, sd=None, seed=None, dtype=mc.float32, name="HalfNormal"):
        super().__init__((mean, sd), seed, dtype, name, dict(locals()))

    def _log_prob(self, value, mean=None, sd=None):
        value, (mean, sd) = self._value_params(value, mean, sd)
        out = 0.5 * math.log(2.0 / math.pi) - ops.log(sd) - 0.5 * ops.square((value - mean) / sd)
        return ops.where(value >= 0, out, ops.full_like(out, -_INF))


class Laplace(_MeanSd):
    """Laplace(mean, sd), ``sd`` the scale b: density ``exp(-|x - mean| / b) / (2 b)``."""

    def __init__(self, mean=None, sd=None, seed=None, dtype=mc.float32, name="Laplace"):
        super().__init__((mean, sd), seed, dtype, name, dict(locals()))

    def _log_prob(self, value, mean=None, sd=None):
        value, (mean, sd) = self._value_params(value, mean, sd)
        return -ops.abs((value - mean) / sd) - ops.log(2.0 * sd)


class StudentT(_MeanSd):
    """StudentT(df, mean, sd): Student's t with ``df`` degrees of freedom, location ``mean`` and
    scale ``sd``."""

    _names = ("df", "mean", "sd")

    def __init__(self, df=None, mean=None, sd=None, seed=None, dtype=mc.float32, name="StudentT"):
        super().__init__((df, mean, sd), seed, dtype, name, dict(locals()))
        check_greater_zero(self._defaults[0], "Degrees of freedom")

    def _log_prob(self, value, df=None, mean=None, sd=None):
        value, (df, mean, sd) = self._value_params(value, df, mean, sd)
        y = (value - mean) / sd
        norm = (
            ops.log(sd) + 0.5 * ops.log(df) + 0.5 * math.log(math.pi)
            + ops.lgamma(0.5 * df) - ops.lgamma(0.5 * (df + 1.0))
        )  # fmt: skip
        return -0.5 * (df + 1.0) * ops.log1p(ops.square(y) / df) - norm
