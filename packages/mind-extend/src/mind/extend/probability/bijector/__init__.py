"""Bijectors with MindSpore's ``mindspore.nn.probability.bijector`` names and arguments."""

from __future__ import annotations

from mind.extend.probability.bijector._bijectors import Bijector as Bijector
from mind.extend.probability.bijector._bijectors import Exp as Exp
from mind.extend.probability.bijector._bijectors import GumbelCDF as GumbelCDF
from mind.extend.probability.bijector._bijectors import Invert as Invert
from mind.extend.probability.bijector._bijectors import PowerTransform as PowerTransform
from mind.extend.probability.bijector._bijectors import ScalarAffine as ScalarAffine
from mind.extend.probability.bijector._bijectors import Softplus as Softplus

__all__ = ["Bijector", "Exp", "GumbelCDF", "Invert", "PowerTransform", "ScalarAffine", "Softplus"]
