"""Probability: distributions and bijectors with MindSpore's ``mindspore.nn.probability`` names.

Every distribution and bijector is an ``nn.Cell`` written with ``mind.core.ops``, so gradients,
``jit`` (GRAPH_MODE) and ``vmap`` go through them; continuous samples are reparameterized
(``loc + scale * noise``) wherever a closed form exists, so they carry gradients to the parameters.
"""

from __future__ import annotations

from mind.extend.probability import bijector as bijector
from mind.extend.probability import distribution as distribution

__all__ = ["bijector", "distribution"]
