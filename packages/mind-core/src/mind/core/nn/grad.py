"""The Jacobian-vector and vector-Jacobian product Cells (MindSpore's ``mindspore.nn.grad``).

Both are also in :mod:`mind.core.nn`; the functions :func:`mind.core.jvp` and
:func:`mind.core.vjp` are their functional forms.
"""

from mind.core._src.nn.wrap import Jvp as Jvp
from mind.core._src.nn.wrap import Vjp as Vjp

__all__ = ["Jvp", "Vjp"]
