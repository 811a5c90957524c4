"""Dataset callbacks (``mindspore.dataset.callback``): see :mod:`mind.data._src.callbacks`."""

from mind.data._src.callbacks import DSCallback as DSCallback
from mind.data._src.callbacks import DSRunContext as DSRunContext
from mind.data._src.callbacks import WaitedDSCallback as WaitedDSCallback

__all__ = ["DSCallback", "DSRunContext", "WaitedDSCallback"]
