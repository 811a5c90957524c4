"""Array manipulation by position: flips and rolls, chunks and slices, gathers and scatters
by index or mask, sorting, top-k, unique, cumulative extrema, grids and ranges (MindSpore 2.x
names and argument orders)."""

from __future__ import annotations

__all__: list[str] = []

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(*args)`` is ``name(tensor, *args)``); attached by tensor.methods.
TENSOR_METHODS: tuple[str, ...] = ()
