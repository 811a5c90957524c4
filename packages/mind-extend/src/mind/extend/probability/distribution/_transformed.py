"""TransformedDistribution (a distribution pushed through a bijector) and LogNormal."""

from __future__ import annotations

from typing import Any

import mind.core as mc
from mind.core import ops
from mind.core.errors import MindTypeError
from mind.extend.probability.bijector import Bijector, Exp
from mind.extend.probability.distribution._base import (
    LOG_2PI,
    Distribution,
    check_distribution_name,
)
from mind.extend.probability.distribution._continuous import Normal

__all__ = ["LogNormal", "TransformedDistribution"]


class TransformedDistribution(Distribution):
    """The law of ``bijector.forward(X)`` for X ~ ``distribution`` (the bijector must be
    increasing for ``cdf`` and the survival functions). The trailing arguments of each method
    are the underlying distribution's parameters."""

    def __init__(self, bijector: Bijector, distribution: Distribution, seed: Any = None,
                 name: str = "transformed_distribution") -> None:  # fmt: skip
        if not isinstance(bijector, Bijector):
            raise MindTypeError(
                f"For '{name}', 'bijector' must be a Bijector, got {type(bijector).__name__}."
            )
        if not isinstance(distribution, Distribution):
            raise MindTypeError(
                f"For '{name}', 'distribution' must be a Distribution, got {type(distribution).__name__}."
            )
        param = dict(locals())
        super().__init__(
            seed if seed is not None else distribution.seed, distribution.dtype, name, param
        )
        self._bijector = bijector
        self._distribution = distribution
        self.parameter_type = distribution.parameter_type
        self._batch_shape = self._broadcast_shape = distribution.batch_shape
        self._is_scalar_batch = distribution.is_scalar_batch and bijector.is_scalar_batch
        self.default_parameters = distribution.default_parameters
        self.parameter_names = distribution.parameter_names

    @property
    def bijector(self) -> Bijector:
        return self._bijector

    @property
    def distribution(self) -> Distribution:
        return self._distribution

    @property
    def is_linear_transformation(self) -> bool:
        return self._bijector.is_constant_jacobian

    def _get_dist_type(self) -> str:
        return self._distribution.get_dist_type()

    def _get_dist_args(self, *args: Any, **kwargs: Any) -> Any:
        return self._distribution.get_dist_args(*args, **kwargs)

    def _inv(self, value: Any) -> Any:
        value = ops.cast(self._check_value(value, "value"), self._distribution.parameter_type)
        return self._bijector.inverse(value)

    def _log_prob(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        value = ops.cast(self._check_value(value, "value"), self._distribution.parameter_type)
        inner = self._distribution.log_prob(self._bijector.inverse(value), *args, **kwargs)
        return inner + self._bijector.inverse_log_jacobian(value)

    def _cdf(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._distribution.cdf(self._inv(value), *args, **kwargs)

    def _log_cdf(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._distribution.log_cdf(self._inv(value), *args, **kwargs)

    def _survival_function(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._distribution.survival_function(self._inv(value), *args, **kwargs)

    def _log_survival(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._distribution.log_survival(self._inv(value), *args, **kwargs)

    def _mean(self, *args: Any, **kwargs: Any) -> Any:
        if not self.is_linear_transformation:
            raise NotImplementedError(
                f"mean of '{self._name}' is only defined here for a linear (affine) bijector."
            )
        return self._bijector.forward(self._distribution.mean(*args, **kwargs))

    def _sample(self, shape: Any = (), *args: Any, **kwargs: Any) -> Any:
        draws = self._distribution.sample(shape, *args, **kwargs)
        return self._bijector.forward(ops.cast(draws, self._distribution.parameter_type))


class LogNormal(TransformedDistribution):
    """LogNormal(loc, scale): exp(X) for X ~ Normal(loc, scale)."""

    def __init__(self, loc: Any = None, scale: Any = None, seed: Any = 0, dtype: Any = mc.float32,
                 name: str = "LogNormal") -> None:  # fmt: skip
        super().__init__(Exp(), Normal(loc, scale, dtype=dtype), seed=seed, name=name)
        self._parameters = {"loc": loc, "scale": scale, "seed": seed, "dtype": dtype, "name": name}
        self.parameter_names = ["loc", "scale"]

    @property
    def loc(self) -> Any:
        return self._distribution.default_parameters[0]

    @property
    def scale(self) -> Any:
        return self._distribution.default_parameters[1]

    def _get_dist_type(self) -> str:
        return "LogNormal"

    def _ls(self, loc: Any, scale: Any) -> Any:
        return self._distribution._check_param_type(loc, scale)

    def _mean(self, loc: Any = None, scale: Any = None) -> Any:
        loc, scale = self._ls(loc, scale)
        return ops.exp(loc + 0.5 * ops.square(scale))

    def _mode(self, loc: Any = None, scale: Any = None) -> Any:
        loc, scale = self._ls(loc, scale)
        return ops.exp(loc - ops.square(scale))

    def _var(self, loc: Any = None, scale: Any = None) -> Any:
        loc, scale = self._ls(loc, scale)
        s2 = ops.square(scale)
        return ops.expm1(s2) * ops.exp(2.0 * loc + s2)

    def _entropy(self, loc: Any = None, scale: Any = None) -> Any:
        loc, scale = self._ls(loc, scale)
        return loc + 0.5 + ops.log(scale) + 0.5 * LOG_2PI

    def _log_prob(self, value: Any, loc: Any = None, scale: Any = None) -> Any:
        return super()._log_prob(value, loc, scale)

    def _kl_loss(
        self, dist: str, loc_b: Any, scale_b: Any, loc: Any = None, scale: Any = None
    ) -> Any:
        check_distribution_name(dist, "LogNormal")
        return self._distribution.kl_loss("Normal", loc_b, scale_b, loc, scale)

    def _cross_entropy(
        self, dist: str, loc_b: Any, scale_b: Any, loc: Any = None, scale: Any = None
    ) -> Any:
        return self._entropy(loc, scale) + self._kl_loss(dist, loc_b, scale_b, loc, scale)
