"""Distributions with MindSpore's ``mindspore.nn.probability.distribution`` names and arguments.

Each is a Cell: call its methods (``log_prob(value, *params)``, ``sample(shape, *params)``...)
directly, inside another Cell's ``construct``, or through ``dist('log_prob', value)``. Trailing
parameters given to a call override the distribution's own for that call only.
"""

from __future__ import annotations

from mind.extend.probability.distribution._base import Distribution as Distribution
from mind.extend.probability.distribution._continuous import Beta as Beta
from mind.extend.probability.distribution._continuous import Cauchy as Cauchy
from mind.extend.probability.distribution._continuous import Exponential as Exponential
from mind.extend.probability.distribution._continuous import Gamma as Gamma
from mind.extend.probability.distribution._continuous import Gumbel as Gumbel
from mind.extend.probability.distribution._continuous import HalfNormal as HalfNormal
from mind.extend.probability.distribution._continuous import Laplace as Laplace
from mind.extend.probability.distribution._continuous import Logistic as Logistic
from mind.extend.probability.distribution._continuous import Normal as Normal
from mind.extend.probability.distribution._continuous import StudentT as StudentT
from mind.extend.probability.distribution._continuous import Uniform as Uniform
from mind.extend.probability.distribution._discrete import Bernoulli as Bernoulli
from mind.extend.probability.distribution._discrete import Categorical as Categorical
from mind.extend.probability.distribution._discrete import Geometric as Geometric
from mind.extend.probability.distribution._discrete import Poisson as Poisson
from mind.extend.probability.distribution._transformed import LogNormal as LogNormal
from mind.extend.probability.distribution._transformed import (
    TransformedDistribution as TransformedDistribution,
)

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Cauchy", "Distribution", "Exponential", "Gamma",
    "Geometric", "Gumbel", "HalfNormal", "Laplace", "LogNormal", "Logistic", "Normal", "Poisson",
    "StudentT", "TransformedDistribution", "Uniform",
]  # fmt: skip
