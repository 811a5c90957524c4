"""The backward of an op as an operator class, for custom bprops and for code written against
MindSpore's ``G`` classes (``mindspore.ops.operations._grad_ops``).

>>> import numpy as np
>>> from mind.core import Tensor
>>> from mind.core.ops import grad_ops as G
>>> G.AsinGrad()(Tensor(np.array([0.0, 0.6], np.float32)), Tensor(np.array([1.0, 1.0], np.float32)))
Tensor(shape=[2], dtype=Float32, value=[1.  , 1.25])

Each class computes its result with Mind's autodiff of the forward op (there is no second copy of
a derivative), so it runs in PyNative and GRAPH_MODE and can itself be differentiated. Mind's own
gradients never need these classes.
"""

from mind.core._src.ops.p_grad import *  # noqa: F403
from mind.core._src.ops.p_grad import __all__ as __all__
