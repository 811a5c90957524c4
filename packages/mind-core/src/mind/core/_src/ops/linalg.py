"""Linear algebra and products: matrix inverse, determinants, solves, decompositions, einsum,
tensor_dot, outer/inner/dot, distances (MindSpore 2.x names and argument orders)."""

from __future__ import annotations

__all__: list[str] = []

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(*args)`` is ``name(tensor, *args)``); attached by tensor.methods.
TENSOR_METHODS: tuple[str, ...] = ()
