"""Weight initializers (``mindspore.common.initializer``)."""

from mind.core._src.nn.initializer import *  # noqa: F403
from mind.core._src.nn.initializer import __all__ as __all__
