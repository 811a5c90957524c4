"""The loss functions beyond the basic ones in nn_ops: KL divergence, margin and embedding
losses, Gaussian and Poisson NLL, multi-label losses (MindSpore 2.x names and arguments)."""

from __future__ import annotations

__all__: list[str] = []

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(*args)`` is ``name(tensor, *args)``); attached by tensor.methods.
TENSOR_METHODS: tuple[str, ...] = ()
