"""Discrete distributions: Bernoulli, Geometric, Poisson, Categorical."""

from __future__ import annotations

from typing import Any

import numpy as np

import mind.core as mc
from mind.core import ops
from mind.core.errors import MindValueError
from mind.extend.probability.distribution._base import (
    Distribution,
    check_distribution_name,
    check_dtype,
    check_greater_zero,
    check_prob,
)

__all__ = ["Bernoulli", "Categorical", "Geometric", "Poisson"]

_INF = float("inf")


def _entropy_terms(p: Any) -> Any:
    """-(p log p + (1-p) log(1-p)), 0 at p in {0, 1}."""
    return -(ops.xlogy(p, p) + ops.xlogy(1.0 - p, 1.0 - p))


class _OneProb(Distribution):
    """A family with one probability parameter ``probs`` (``probs1`` in method signatures)."""

    _closed = (False, False)  # as MindSpore: 0 and 1 are degenerate and refused

    def __init__(self, probs, seed, dtype, name, param):
        param["param_dict"] = {"probs": probs}
        check_dtype(type(self).__name__, dtype, kinds="any")
        super().__init__(seed, dtype, name, param)
        self._probs = self._add_parameter(probs, "probs1")
        check_prob(self._probs, "probs", self._closed)

    @property
    def probs(self) -> Any:
        return self._probs

    def _get_dist_type(self) -> str:
        return type(self).__name__

    def _get_dist_args(self, probs1=None):
        return (self._probs if probs1 is None else probs1,)

    def _value_p(self, value, probs1):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        return value, self._check_param_type(probs1)

    def _cross_entropy(self, dist, probs1_b, probs1=None):
        return self._entropy(probs1) + self._kl_loss(dist, probs1_b, probs1)

    def _kl_loss(self, dist, probs1_b, probs1=None):
        check_distribution_name(dist, type(self).__name__)
        p_b = ops.cast(self._check_value(probs1_b, "probs1_b"), self.parameter_type)
        return self._kl(self._check_param_type(probs1), p_b)


class Bernoulli(_OneProb):
    """Bernoulli(probs): 1 with probability ``probs``, else 0."""

    def __init__(self, probs=None, seed=None, dtype=mc.int32, name="Bernoulli"):
        super().__init__(probs, seed, dtype, name, dict(locals()))

    def _mean(self, probs1=None):
        return self._check_param_type(probs1)

    def _mode(self, probs1=None):
        p = self._check_param_type(probs1)
        return ops.cast(p > 0.5, self.dtype)

    def _var(self, probs1=None):
        p = self._check_param_type(probs1)
        return p * (1.0 - p)

    def _entropy(self, probs1=None):
        return _entropy_terms(self._check_param_type(probs1))

    def _log_prob(self, value, probs1=None):
        value, p = self._value_p(value, probs1)
        return ops.xlogy(value, p) + ops.xlogy(1.0 - value, 1.0 - p)

    def _cdf(self, value, probs1=None):
        value, p = self._value_p(value, probs1)
        zeros = ops.zeros_like(value + p)
        inner = ops.where(value < 1.0, 1.0 - p + zeros, zeros + 1.0)
        return ops.where(value < 0.0, zeros, inner)

    def _kl(self, p_a, p_b):
        return (
            ops.xlogy(p_a, p_a) - ops.xlogy(p_a, p_b)
            + ops.xlogy(1.0 - p_a, 1.0 - p_a) - ops.xlogy(1.0 - p_a, 1.0 - p_b)
        )  # fmt: skip

    def _sample(self, shape=(), probs1=None):
        p = self._check_param_type(probs1)
        u = self._uniform(self._sample_shape(shape, p))
        return ops.cast(u < p, self.dtype)


class Geometric(_OneProb):
    """Geometric(probs): the number of failures before the first success, k = 0, 1, 2, ..."""

    def __init__(self, probs=None, seed=None, dtype=mc.int32, name="Geometric"):
        super().__init__(probs, seed, dtype, name, dict(locals()))

    def _mean(self, probs1=None):
        p = self._check_param_type(probs1)
        return (1.0 - p) / p

    def _mode(self, probs1=None):
        return ops.zeros_like(self._check_param_type(probs1))

    def _var(self, probs1=None):
        p = self._check_param_type(probs1)
        return (1.0 - p) / ops.square(p)

    def _entropy(self, probs1=None):
        p = self._check_param_type(probs1)
        return _entropy_terms(p) / p

    def _log_prob(self, value, probs1=None):
        value, p = self._value_p(value, probs1)
        k = ops.floor(value)
        out = ops.log(p) + ops.xlogy(k, 1.0 - p)
        return ops.where(value >= 0.0, out, ops.full_like(out, -_INF))

    def _cdf(self, value, probs1=None):
        value, p = self._value_p(value, probs1)
        k = ops.floor(value)
        out = -ops.expm1((k + 1.0) * ops.log1p(-p))
        return ops.where(value >= 0.0, out, ops.zeros_like(out))

    def _kl(self, p_a, p_b):
        q_a = 1.0 - p_a
        return ops.log(p_a) - ops.log(p_b) + (ops.xlogy(q_a, q_a) - ops.xlogy(q_a, 1.0 - p_b)) / p_a

    def _sample(self, shape=(), probs1=None):
        p = self._check_param_type(probs1)
        u = self._uniform(self._sample_shape(shape, p))
        # Inverse cdf; p = 1 gives log1p(-1) = -inf and k = 0, as it should.
        k = ops.floor(ops.log1p(-u) / ops.log1p(-p))
        return ops.cast(k, self.dtype)


class Poisson(Distribution):
    """Poisson(rate): ``P(k) = rate**k exp(-rate) / k!`` for k = 0, 1, 2, ..."""

    def __init__(self, rate=None, seed=None, dtype=mc.float32, name="Poisson"):
        param = dict(locals())
        param["param_dict"] = {"rate": rate}
        check_dtype("Poisson", dtype, kinds="any")
        super().__init__(seed, dtype, name, param)
        self._rate = self._add_parameter(rate, "rate")
        check_greater_zero(self._rate, "rate")

    @property
    def rate(self) -> Any:
        return self._rate

    def _get_dist_type(self) -> str:
        return "Poisson"

    def _get_dist_args(self, rate=None):
        return (self._rate if rate is None else rate,)

    def _mean(self, rate=None):
        return self._check_param_type(rate)

    _var = _mean

    def _mode(self, rate=None):
        return ops.floor(self._check_param_type(rate))

    def _log_prob(self, value, rate=None):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        rate = self._check_param_type(rate)
        out = ops.xlogy(value, rate) - rate - ops.lgamma(value + 1.0)
        valid = ops.logical_and(value >= 0.0, ops.floor(value) == value)
        return ops.where(valid, out, ops.full_like(out, -_INF))

    def _cdf(self, value, rate=None):
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        rate = self._check_param_type(rate)
        k = ops.floor(ops.relu(value)) + 1.0 + ops.zeros_like(rate)
        out = ops.igammac(k, rate + ops.zeros_like(k))
        return ops.where(value >= 0.0, out, ops.zeros_like(out))

    def _sample(self, shape=(), rate=None):
        rate = self._check_param_type(rate)
        full = self._sample_shape(shape, rate)
        draws = ops.poisson(full, rate, seed=self._next_seed())
        return ops.cast(draws, self.dtype)


class Categorical(Distribution):
    """Categorical(probs): class k in 0..K-1 with probability ``probs[..., k]`` (last axis)."""

    def __init__(self, probs=None, seed=None, dtype=mc.int32, name="Categorical"):
        param = dict(locals())
        param["param_dict"] = {"probs": probs}
        check_dtype("Categorical", dtype, kinds="any")
        super().__init__(seed, dtype, name, param)
        self._probs = self._add_parameter(probs, "probs")
        if self._probs is not None:
            p = self._probs.asnumpy()
            if p.ndim == 0 or p.shape[-1] < 2:
                raise MindValueError(
                    f"For '{name}', 'probs' needs at least 2 classes, got {p.shape}."
                )
            check_prob(p, "probs")
            if not np.allclose(p.sum(-1), 1.0, atol=1e-5):
                raise MindValueError(f"For '{name}', 'probs' must sum to 1 on the last axis.")
            self._batch_shape = self._broadcast_shape = tuple(p.shape[:-1])

    @property
    def probs(self) -> Any:
        return self._probs

    def _get_dist_type(self) -> str:
        return "Categorical"

    def _get_dist_args(self, probs=None):
        return (self._probs if probs is None else probs,)

    def _p(self, probs):
        return self._check_param_type(probs)

    def _classes(self, p):
        return ops.cast(ops.arange(p.shape[-1]), self.parameter_type)

    def _mean(self, probs=None):
        p = self._p(probs)
        return ops.sum(p * self._classes(p), -1)

    def _mode(self, probs=None):
        return ops.cast(ops.argmax(self._p(probs), -1), self.dtype)

    def _var(self, probs=None):
        p = self._p(probs)
        k = self._classes(p)
        mean = ops.sum(p * k, -1, keepdim=True)
        return ops.sum(p * ops.square(k - mean), -1)

    def _entropy(self, probs=None):
        p = self._p(probs)
        return -ops.sum(ops.xlogy(p, p), -1)

    def _kl_loss(self, dist, probs_b, probs=None):
        check_distribution_name(dist, "Categorical")
        p_b = ops.cast(self._check_value(probs_b, "probs_b"), self.parameter_type)
        p_a = self._p(probs)
        return ops.sum(ops.xlogy(p_a, p_a) - ops.xlogy(p_a, p_b), -1)

    def _cross_entropy(self, dist, probs_b, probs=None):
        return self._entropy(probs) + self._kl_loss(dist, probs_b, probs)

    def _pick(self, table, value):
        """``table[..., value]`` with ``value`` broadcast against the batch shape; values outside
        0..K-1 pick ``outside``."""
        k = table.shape[-1]
        value = ops.cast(self._check_value(value, "value"), self.parameter_type)
        batch = tuple(np.broadcast_shapes(tuple(value.shape), tuple(table.shape[:-1])))
        value = ops.broadcast_to(value, batch)
        index = ops.cast(ops.clamp(value, 0.0, float(k - 1)), mc.int32)
        full = ops.broadcast_to(table, (*batch, k))
        picked = ops.gather_elements(full, -1, ops.expand_dims(index, -1))
        return ops.squeeze(picked, -1), value

    def _log_prob(self, value, probs=None):
        p = self._p(probs)
        k = p.shape[-1]
        out, value = self._pick(ops.log(p), value)
        valid = ops.logical_and(value >= 0.0, value <= float(k - 1))
        valid = ops.logical_and(valid, ops.floor(value) == value)
        return ops.where(valid, out, ops.full_like(out, -_INF))

    def _cdf(self, value, probs=None):
        p = self._p(probs)
        out, value = self._pick(ops.cumsum(p, -1), ops.floor(value))
        out = ops.where(value >= float(p.shape[-1] - 1), ops.ones_like(out), out)
        return ops.where(value < 0.0, ops.zeros_like(out), out)

    def _sample(self, shape=(), probs=None):
        p = self._p(probs)
        full = (*shape, *p.shape)
        u = self._uniform(full)
        gumbel = -ops.log(-ops.log1p(-u) + 1e-30)
        # argmax(log p + Gumbel noise) is a draw from the categorical (the Gumbel-max trick).
        return ops.cast(ops.argmax(ops.log(p) + gumbel, -1), self.dtype)
