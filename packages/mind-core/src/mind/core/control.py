"""Mind's functional control flow: ``cond``, ``while_loop``, ``fori_loop``, ``scan``.

Python ``if``/``while``/``for`` on tensors compile to these inside ``jit`` and GRAPH_MODE (the
source is converted); call them directly for the same nodes by hand. ``mind.core.ops`` keeps
MindSpore's names: its ``ops.cond`` is the matrix condition number, and its loop classes are
``ops.WhileLoop``, ``ops.ForiLoop`` and ``ops.Scan``.

>>> from mind.core import Tensor, control
>>> control.cond(Tensor(1.0) > 0, lambda v: v * 2, lambda v: -v, Tensor([1.0, 2.0]))
Tensor(shape=[2], dtype=Float32, value=[ 2.,  4.])
"""

from mind.core._src.ops.control import cond, fori_loop, scan, while_loop

__all__ = ["cond", "fori_loop", "scan", "while_loop"]
