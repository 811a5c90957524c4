"""Array manipulation by position: flips and rolls, chunks and slices, gathers and scatters
by index or mask, sorting, top-k, unique, cumulative extrema, grids and ranges (MindSpore 2.x
names and argument orders).

Most ops here are compositions of the primitives of ``array``, ``elementwise`` and ``reduce``
(slices, reshapes, transposes, concat, gather, tensor_scatter_add, where), so that gradients,
``jit``, ``vmap`` and the native device work for them unchanged. Four primitives are new, each
where no composition computes the values: ``argsort`` (a stable sort's indices, under sort, topk
and argsort), ``cumulative_argextreme`` (under cummin and cummax), ``cumprod`` and
``searchsorted``.

Ops whose output *shape* depends on the input's values (unique, masked_select, nonzero,
bincount, repeat_interleave with per-element repeats) run eagerly only: inside ``jit`` or
``vmap`` they raise :class:`GraphModeError` naming the op.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from mind.core._src.ir.trace import _unsupported
from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import (
    broadcast_to,
    concat,
    full,
    gather,
    getitem,
    reshape,
    split,
    tensor_scatter_add,
    transpose,
    zeros,
)
from mind.core._src.ops.dispatch import ShapedArray, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _const,
    add,
    cast,
    div,
    less,
    mul,
    neg,
    not_equal,
    sub,
    where,
)
from mind.core._src.ops.reduce import cumsum_p
from mind.core._src.ops.reduce import sum as sum_
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = [
    "argsort",
    "argwhere",
    "bincount",
    "bucketize",
    "chunk",
    "count_nonzero",
    "cummax",
    "cummin",
    "cumprod",
    "depth_to_space",
    "diff",
    "fill",
    "flip",
    "fliplr",
    "flipud",
    "gather_elements",
    "index_add",
    "index_select",
    "inplace_add",
    "inplace_sub",
    "inplace_update",
    "linspace",
    "masked_fill",
    "masked_select",
    "meshgrid",
    "moveaxis",
    "movedim",
    "narrow",
    "nonzero",
    "repeat_elements",
    "repeat_interleave",
    "roll",
    "rot90",
    "scatter_nd",
    "searchsorted",
    "select",
    "sort",
    "space_to_depth",
    "swapaxes",
    "t",
    "topk",
    "tril_indices",
    "triu_indices",
    "unbind",
    "unique",
    "unique_consecutive",
]

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(*args)`` is ``name(tensor, *args)``); attached by tensor.methods.
TENSOR_METHODS: tuple[str, ...] = (
    "argsort",
    "argwhere",
    "chunk",
    "count_nonzero",
    "cummax",
    "cummin",
    "cumprod",
    "diff",
    "flip",
    "fliplr",
    "flipud",
    "gather_elements",
    "index_select",
    "masked_fill",
    "masked_select",
    "moveaxis",
    "movedim",
    "narrow",
    "nonzero",
    "repeat_interleave",
    "roll",
    "rot90",
    "sort",
    "swapaxes",
    "t",
    "topk",
    "unbind",
    "unique_consecutive",
)


# ------------------------------------------------------------------------------------------------
# Shared checks
# ------------------------------------------------------------------------------------------------


def _axis(op: str, axis: Any, ndim: int, name: str = "axis") -> int:
    return I.normalize_axis(op, I.check_int(op, name, axis), ndim, name)


def _axes_list(op: str, axes: Any, ndim: int, name: str) -> list[int]:
    if isinstance(axes, Tensor):
        axes = np.asarray(axes.asnumpy()).tolist()
    if isinstance(axes, int | np.integer) and not isinstance(axes, bool):
        axes = [axes]
    if not isinstance(axes, list | tuple):
        raise MindTypeError(
            f"For '{op}', '{name}' must be an int or a tuple or list of ints, got "
            f"{type(axes).__name__}"
        )
    out = [_axis(op, a, ndim, name) for a in axes]
    if len(set(out)) != len(out):
        raise MindValueError(f"For '{op}', '{name}' {tuple(axes)} repeats an axis")
    return out


def _int_tensor(op: str, name: str, value: Any) -> Tensor:
    value = as_tensor(value)
    if not value.dtype.is_integer:
        raise MindTypeError(f"For '{op}', '{name}' must be an integer tensor, got {value.dtype}")
    return value


def _bool_tensor(op: str, name: str, value: Any) -> Tensor:
    value = as_tensor(value)
    if value.dtype is not dt.bool_:
        raise MindTypeError(f"For '{op}', '{name}' must be a bool tensor, got {value.dtype}")
    return value


def _concrete(op: str, x: Tensor, what: str = "the input") -> np.ndarray:
    """``x``'s values, for an op whose output shape depends on them. Inside ``jit`` (or
    ``vmap``) there are none: a GraphModeError names the op (jit_check records it and carries
    on with zeros)."""
    data = x._data
    if isinstance(data, np.ndarray | np.generic):
        return np.asarray(data)
    stand_in = _unsupported(
        f"ops.{op}, whose output shape depends on the values of {what},",
        f"A compiled graph (jit, GRAPH_MODE) or vmap needs fixed shapes: call ops.{op} outside "
        "it, or use a fixed-shape form (ops.where with a mask, ops.topk with a fixed k).",
        np.zeros(x.shape, x.dtype.np),
    )
    return stand_in


def _slice_along(ndim: int, axis: int, piece: Any) -> tuple:
    return (slice(None),) * axis + (piece,)


# ------------------------------------------------------------------------------------------------
# Flips, rolls, rotations
# ------------------------------------------------------------------------------------------------


def flip(input: Any, dims: Any) -> Tensor:
    """``input`` reversed along each axis in ``dims`` (an int or a tuple/list of ints).

    >>> ops.flip(Tensor([[1, 2], [3, 4]]), (1,))   # [[2, 1], [4, 3]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    axes = _axes_list("flip", dims, input.ndim, "dims")
    if input.ndim == 0 or not axes:
        return input
    index = [slice(None)] * input.ndim
    for a in axes:
        index[a] = slice(None, None, -1)
    return getitem(input, tuple(index))


def fliplr(input: Any) -> Tensor:
    """``input`` reversed left to right (axis 1); it must have at least 2 dims.

    >>> ops.fliplr(Tensor([[1, 2], [3, 4]]))   # [[2, 1], [4, 3]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    if input.ndim < 2:
        raise MindValueError(f"For 'fliplr', the input must be at least 2-D, got {input.shape}")
    return flip(input, (1,))


def flipud(input: Any) -> Tensor:
    """``input`` reversed upside down (axis 0); it must have at least 1 dim.

    >>> ops.flipud(Tensor([[1, 2], [3, 4]]))   # [[3, 4], [1, 2]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    if input.ndim < 1:
        raise MindValueError("For 'flipud', the input must be at least 1-D, got a scalar")
    return flip(input, (0,))


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:
    """``input`` rolled by ``shifts`` positions along ``dims`` (elements that fall off one end
    come back at the other); ``dims=None`` rolls the flattened tensor and restores the shape.

    >>> ops.roll(Tensor([0, 1, 2, 3, 4]), 2)   # [3, 4, 0, 1, 2]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    shift_list = [shifts] if isinstance(shifts, int | np.integer) else list(shifts)
    shift_list = [I.check_int("roll", "shifts", s) for s in shift_list]
    if dims is None:
        if len(shift_list) != 1:
            raise MindValueError(
                f"For 'roll', 'shifts' must be one int when 'dims' is None, got {shifts!r}"
            )
        flat = reshape(input, (-1,))
        return reshape(roll(flat, shift_list, (0,)), input.shape)
    axes = [dims] if isinstance(dims, int | np.integer) else list(dims)
    axes = [_axis("roll", a, input.ndim, "dims") for a in axes]
    if len(axes) != len(shift_list):
        raise MindValueError(
            f"For 'roll', 'shifts' {tuple(shift_list)} and 'dims' {tuple(axes)} must have the "
            "same length"
        )
    out = input
    for s, a in zip(shift_list, axes):
        n = out.shape[a]
        s = s % n if n else 0
        if s:
            tail = getitem(out, _slice_along(out.ndim, a, slice(n - s, None)))
            head = getitem(out, _slice_along(out.ndim, a, slice(0, n - s)))
            out = concat([tail, head], a)
    return out


def rot90(input: Any, k: int, dims: Any) -> Tensor:
    """``input`` rotated by 90 degrees ``k`` times in the plane of the two axes ``dims``, from
    the first towards the second (``k < 0`` the other way).

    >>> ops.rot90(Tensor([[0, 1], [2, 3]]), 1, [0, 1])   # [[1, 3], [0, 2]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    k = I.check_int("rot90", "k", k)
    if not isinstance(dims, list | tuple) or len(dims) != 2:
        raise MindValueError(f"For 'rot90', 'dims' must be a list or tuple of 2 ints, got {dims}")
    a, b = (_axis("rot90", d, input.ndim, "dims") for d in dims)
    if a == b:
        raise MindValueError(f"For 'rot90', the two 'dims' must differ, got {tuple(dims)}")
    k %= 4
    if k == 0:
        return input
    if k == 2:
        return flip(input, (a, b))
    return swapaxes(flip(input, (b,) if k == 1 else (a,)), a, b)


# ------------------------------------------------------------------------------------------------
# Pieces and axis moves
# ------------------------------------------------------------------------------------------------


def chunk(input: Any, chunks: int, axis: int = 0) -> tuple[Tensor, ...]:
    """Split ``input`` into ``chunks`` pieces along ``axis``, each ``ceil(n / chunks)`` long
    (the last one shorter; fewer pieces when ``n`` is too short for ``chunks``).

    >>> [c.shape for c in ops.chunk(ops.ones((5, 2)), 3)]   # [(2, 2), (2, 2), (1, 2)]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    chunks = I.check_int("chunk", "chunks", chunks, minimum=1)
    axis = _axis("chunk", axis, input.ndim)
    n = input.shape[axis]
    if n == 0:
        return (input,)
    return split(input, -(-n // chunks), axis)


def narrow(input: Any, axis: int, start: int, length: int) -> Tensor:
    """The ``length`` elements of ``input`` from ``start`` along ``axis``.

    >>> ops.narrow(Tensor([[1, 2, 3], [4, 5, 6]]), 1, 1, 2)   # [[2, 3], [5, 6]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    axis = _axis("narrow", axis, input.ndim)
    n = input.shape[axis]
    start = I.check_int("narrow", "start", start, minimum=-n, maximum=n)
    start = start + n if start < 0 else start
    length = I.check_int("narrow", "length", length, minimum=0, maximum=n - start)
    return getitem(input, _slice_along(input.ndim, axis, slice(start, start + length)))


def unbind(input: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, that axis removed.

    >>> [u.shape for u in ops.unbind(ops.ones((2, 3)), 1)]   # [(2,), (2,), (2,)]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    if input.ndim == 0:
        raise MindValueError("For 'unbind', the input must have at least 1 dim, got a scalar")
    dim = _axis("unbind", dim, input.ndim, "dim")
    return tuple(getitem(input, _slice_along(input.ndim, dim, i)) for i in range(input.shape[dim]))


def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor:
    """``input`` with axes ``axis0`` and ``axis1`` exchanged.

    >>> ops.swapaxes(ops.ones((2, 3, 4)), 0, 2).shape   # (4, 3, 2)

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    a = _axis("swapaxes", axis0, input.ndim, "axis0")
    b = _axis("swapaxes", axis1, input.ndim, "axis1")
    if a == b:
        return input
    perm = list(range(input.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(input, tuple(perm))


def movedim(x: Any, source: Any, destination: Any) -> Tensor:
    """``x`` with the axes ``source`` moved to positions ``destination`` (ints or sequences of
    ints of one length), the other axes keeping their order.

    >>> ops.movedim(ops.ones((2, 3, 4)), 0, -1).shape   # (3, 4, 2)

    Supported devices: cpu, native.
    """
    x = as_tensor(x)
    src = _axes_list("movedim", source, x.ndim, "source")
    dst = _axes_list("movedim", destination, x.ndim, "destination")
    if len(src) != len(dst):
        raise MindValueError(
            f"For 'movedim', 'source' {source} and 'destination' {destination} must have the "
            "same number of axes"
        )
    rest = [a for a in range(x.ndim) if a not in src]
    perm = [0] * x.ndim
    for s, d in zip(src, dst):
        perm[d] = s
    free = iter(rest)
    placed = set(dst)
    for i in range(x.ndim):
        if i not in placed:
            perm[i] = next(free)
    if perm == list(range(x.ndim)):
        return x
    return transpose(x, tuple(perm))


def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    """The same as :func:`movedim`.

    >>> ops.moveaxis(ops.ones((2, 3, 4)), (0, 1), (2, 0)).shape   # (3, 4, 2)

    Supported devices: cpu, native.
    """
    return movedim(x, source, destination)


def t(input: Any) -> Tensor:
    """A 2-D ``input`` transposed; a 0-D or 1-D one as it is.

    >>> ops.t(ops.ones((2, 3))).shape   # (3, 2)

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    if input.ndim > 2:
        raise MindValueError(f"For 't', the input must be at most 2-D, got shape {input.shape}")
    return transpose(input, (1, 0)) if input.ndim == 2 else input


# ------------------------------------------------------------------------------------------------
# Gathers, masks, scatters
# ------------------------------------------------------------------------------------------------


def gather_elements(input: Any, dim: int, index: Any) -> Tensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0`` (and so on for other
    axes): ``index`` has ``input``'s rank and, outside ``dim``, sizes no larger than its.

    A gather from the flattened input at ``index * stride + offset``, so it differentiates
    (the gradient scatters back, repeats adding up), compiles and maps like gather.

    >>> ops.gather_elements(Tensor([[1, 2], [3, 4]]), 1, Tensor([[0, 0], [1, 0]]))
    ... # [[1, 1], [4, 3]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    index = _int_tensor("gather_elements", "index", index)
    if index.ndim != input.ndim:
        raise MindValueError(
            f"For 'gather_elements', 'index' must have the input's rank {input.ndim}, got shape "
            f"{index.shape}"
        )
    dim = _axis("gather_elements", dim, input.ndim, "dim")
    for d, (i, s) in enumerate(zip(index.shape, input.shape)):
        if d != dim and i > s:
            raise MindValueError(
                f"For 'gather_elements', 'index' shape {index.shape} exceeds the input's shape "
                f"{input.shape} on axis {d}"
            )
    n = input.shape[dim] if input.ndim else 1
    if isinstance(index._data, np.ndarray | np.generic) and index.size:
        values = np.asarray(index._data)
        if values.min() < -n or values.max() >= n:
            raise MindValueError(
                f"For 'gather_elements', 'index' values must be in [{-n}, {n}) on axis {dim}, "
                f"got values from {values.min()} to {values.max()}"
            )
    if input.ndim == 0:
        return input
    strides = np.cumprod((input.shape[1:] + (1,))[::-1])[::-1].astype(np.int64)
    offset = np.zeros(index.shape, np.int64)
    for d in range(input.ndim):
        if d != dim:
            shape = [1] * input.ndim
            shape[d] = index.shape[d]
            offset = offset + np.arange(index.shape[d], dtype=np.int64).reshape(shape) * strides[d]
    idx = cast(index, dt.int64)
    idx = where(less(idx, 0), add(idx, n), idx)
    flat = add(mul(idx, int(strides[dim])), _const(offset, dt.int64))
    return gather(reshape(input, (-1,)), flat, 0)


def index_select(input: Any, axis: int, index: Any) -> Tensor:
    """The entries of ``input`` along ``axis`` at the 1-D integer ``index``.

    >>> ops.index_select(Tensor([[1, 2], [3, 4]]), 1, Tensor([1, 1]))   # [[2, 2], [4, 4]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    index = _int_tensor("index_select", "index", index)
    if index.ndim != 1:
        raise MindValueError(f"For 'index_select', 'index' must be 1-D, got shape {index.shape}")
    return gather(input, index, _axis("index_select", axis, input.ndim))


def masked_fill(input_x: Any, mask: Any, value: Any) -> Tensor:
    """``input_x`` with ``value`` (a number or a 0-D tensor) where the bool ``mask`` is True
    (``mask`` broadcasts against ``input_x``).

    >>> ops.masked_fill(Tensor([1., 2., 3.]), Tensor([True, False, True]), 0.5)
    ... # [0.5, 2., 0.5]

    Supported devices: cpu, native.
    """
    input_x = as_tensor(input_x)
    mask = _bool_tensor("masked_fill", "mask", mask)
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise MindValueError(
                f"For 'masked_fill', 'value' must be a number or a 0-D tensor, got {value.shape}"
            )
        value = cast(value, input_x.dtype)
    elif isinstance(value, bool | int | float | np.number):
        value = _const(value, input_x.dtype)
    else:
        raise MindTypeError(
            f"For 'masked_fill', 'value' must be a number or a Tensor, got {type(value).__name__}"
        )
    return where(mask, value, input_x)


def masked_select(input: Any, mask: Any) -> Tensor:
    """The 1-D tensor of ``input``'s elements where the bool ``mask`` is True (the two broadcast
    together first). Its length depends on the mask's values: eager only (the mask may not be
    computed inside ``jit``).

    >>> ops.masked_select(Tensor([1, 2, 3]), Tensor([True, False, True]))   # [1, 3]

    Supported devices: cpu.
    """
    input = as_tensor(input)
    mask = _bool_tensor("masked_select", "mask", mask)
    values = _concrete("masked_select", mask, "'mask'")
    shape = I.broadcast_shapes("masked_select", ("input", "mask"), input.shape, mask.shape)
    return getitem(broadcast_to(input, shape), np.broadcast_to(values, shape))


def select(cond: Any, x: Any, y: Any) -> Tensor:
    """``x`` where the bool ``cond`` holds, else ``y`` (numbers or tensors, broadcast).

    >>> ops.select(Tensor([True, False]), Tensor([1, 2]), Tensor([3, 4]))   # [1, 4]

    Supported devices: cpu, native.
    """
    return where(_bool_tensor("select", "cond", cond), x, y)


def scatter_nd(indices: Any, updates: Any, shape: Any) -> Tensor:
    """A zero tensor of ``shape`` with ``updates`` added at the N-dimensional ``indices`` (the
    last axis of ``indices`` holds coordinates; repeated indices add up).

    >>> ops.scatter_nd(Tensor([[0], [2]]), Tensor([1., 2.]), (4,))   # [1., 0., 2., 0.]

    Supported devices: cpu, native.
    """
    updates = as_tensor(updates)
    indices = _int_tensor("scatter_nd", "indices", indices)
    shape = I.check_shape("scatter_nd", "shape", tuple(shape) if isinstance(shape, list) else shape)
    if not shape:
        raise MindValueError("For 'scatter_nd', 'shape' must not be empty")
    return tensor_scatter_add(zeros(shape, updates.dtype), indices, updates)


def _tensor_scatter_update(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` with ``updates`` written at the N-dimensional ``indices`` (a
    repeated index keeps its last update, inside ``jit`` too: ``scatter.tensor_scatter_update``
    is one primitive)."""
    from mind.core._src.ops.scatter import tensor_scatter_update

    return tensor_scatter_update(input_x, indices, updates)


# ------------------------------------------------------------------------------------------------
# Sorting: one primitive for a stable sort's indices
# ------------------------------------------------------------------------------------------------


def _argsort_kernel(x, *, axis, descending):
    if not descending:
        return np.argsort(x, axis=axis, kind="stable").astype(np.int64, copy=False)
    # Descending and stable (ties keep their order): sort the reversed array ascending, then
    # reverse the result and map the positions back.
    n = x.shape[axis]
    rev = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - rev, axis).astype(np.int64, copy=False)


def _argsort_infer(x: ShapedArray, *, axis, descending) -> ShapedArray:
    I.normalize_axis("argsort", axis, x.ndim)
    return ShapedArray(x.shape, dt.int64)


argsort_p = primitive(
    "argsort",
    cpu=_argsort_kernel,
    infer=_argsort_infer,
    differentiable=False,
    attrs=("axis", "descending"),
)
example(
    argsort_p,
    lambda c: (
        [np.array([[3.0, 1.0, 3.0, 2.0], [0.0, 0.0, -1.0, 5.0]], np.float32)],
        {"axis": 1, "descending": True},
        lambda x: np.array([[0, 2, 3, 1], [3, 0, 1, 2]]),
    ),
)
S.attr_schema(argsort_p, axis=S.Int(), descending=S.Bool())


def _sort_indices(op: str, x: Tensor, axis: int, descending: bool) -> Tensor:
    if x.ndim == 0:
        return _const(0, dt.int64)
    return bind1(argsort_p, x, {"axis": axis, "descending": bool(descending)})


def sort(input_x: Any, axis: int = -1, descending: bool = False) -> tuple[Tensor, Tensor]:
    """``(values, indices)``: ``input_x`` sorted along ``axis`` (ascending, or descending), and
    where each value came from (int32). The sort is stable: equal values keep their order.
    The values differentiate (the gradient goes back to where each value came from).

    >>> ops.sort(Tensor([[8., 2., 1.], [5., 9., 3.]]))
    ... # ([[1., 2., 8.], [3., 5., 9.]], [[2, 1, 0], [2, 0, 1]])

    Supported devices: cpu.
    """
    input_x = as_tensor(input_x)
    axis = _axis("sort", axis, input_x.ndim)
    if not isinstance(descending, bool | np.bool_):
        raise MindTypeError(f"For 'sort', 'descending' must be a bool, got {descending!r}")
    indices = _sort_indices("sort", input_x, axis, descending)
    if input_x.ndim == 0:
        return input_x, cast(indices, dt.int32)
    return gather_elements(input_x, axis, indices), cast(indices, dt.int32)


def argsort(input: Any, axis: int = -1, descending: bool = False) -> Tensor:
    """The int32 indices that sort ``input`` along ``axis`` (stable: ties keep their order).

    >>> ops.argsort(Tensor([3., 1., 2.]))   # [1, 2, 0]

    Supported devices: cpu.
    """
    input = as_tensor(input)
    axis = _axis("argsort", axis, input.ndim)
    return cast(_sort_indices("argsort", input, axis, descending), dt.int32)


def topk(
    input: Any, k: int, dim: int | None = None, largest: bool = True, sorted: bool = True
) -> tuple[Tensor, Tensor]:
    """``(values, indices)`` of the ``k`` largest (or, ``largest=False``, smallest) elements
    along ``dim`` (the last axis when None), in order (``sorted=False``: in their order in the
    input); of equal elements the one with the smaller index comes first. ``k`` is an int (or a
    one-element integer tensor with a value). Indices are int32; the values differentiate.

    >>> ops.topk(Tensor([1., 3., 2., 3.]), 2)   # ([3., 3.], [1, 3])

    Supported devices: cpu.
    """
    input = as_tensor(input)
    if not isinstance(sorted, bool | np.bool_):
        raise MindTypeError(f"For 'topk', 'sorted' must be a bool, got {sorted!r}")
    if input.ndim == 0:
        input = reshape(input, (1,))
    axis = _axis("topk", -1 if dim is None else dim, input.ndim, "dim")
    if isinstance(k, Tensor) and k.size == 1 and k.dtype.is_integer:
        k = k.item()  # a constant k (MindSpore's must be one); a traced one raises GraphModeError
    k = I.check_int("topk", "k", k, minimum=0, maximum=input.shape[axis])
    order = _sort_indices("topk", input, axis, largest)
    indices = getitem(order, _slice_along(input.ndim, axis, slice(0, k)))
    if not sorted:  # the k elements in their order in the input
        indices = gather_elements(indices, axis, _sort_indices("topk", indices, axis, False))
    return gather_elements(input, axis, indices), cast(indices, dt.int32)


# ------------------------------------------------------------------------------------------------
# Cumulative products and extrema
# ------------------------------------------------------------------------------------------------


def _cumprod_kernel(x, *, axis, exclusive, reverse):
    if reverse:
        x = np.flip(x, axis)
    out = np.cumprod(x, axis=axis, dtype=x.dtype)
    if exclusive:
        ones = np.ones_like(np.take(out, [0], axis=axis))
        out = np.concatenate([ones, np.take(out, np.arange(x.shape[axis] - 1), axis=axis)], axis)
    return np.flip(out, axis) if reverse else out


def _cumprod_infer(x: ShapedArray, *, axis, exclusive, reverse) -> ShapedArray:
    I.normalize_axis("cumprod", axis, x.ndim)
    return ShapedArray(x.shape, x.dtype)


def _cumprod_bprop(x, out, dout, *, axis, exclusive, reverse):
    # d out_j / d x_i = out_j / x_i for each j that includes x_i, so dx_i is the sum of
    # dout_j * out_j over those j (a cumulative sum the other way), over x_i. Defined where no
    # element is 0, as MindSpore's CumProd gradient.
    prod = mul(dout, out)
    summed = bind1(cumsum_p, prod, {"axis": axis, "reverse": not reverse})
    if exclusive:
        summed = sub(summed, prod)
    return (div(summed, x),)


cumprod_p = primitive(
    "cumprod",
    traits=("axis",),
    cpu=_cumprod_kernel,
    infer=_cumprod_infer,
    bprop=_cumprod_bprop,
    attrs=("axis", "exclusive", "reverse"),
)
example(
    cumprod_p,
    lambda c: (
        [c.pos(3, 4)],
        {"axis": 1, "exclusive": False, "reverse": False},
        lambda x: np.cumprod(x, axis=1),
    ),
)
S.attr_schema(cumprod_p, axis=S.Int(), exclusive=S.Bool(), reverse=S.Bool())


def cumprod(input: Any, dim: int, dtype: Any = None) -> Tensor:
    """The cumulative product of ``input`` along ``dim`` (cast to ``dtype`` first if given).

    >>> ops.cumprod(Tensor([1., 2., 3.]), 0)   # [1., 2., 6.]

    Supported devices: cpu.
    """
    input = as_tensor(input)
    if dtype is not None:
        input = cast(input, dtype)
    dim = _axis("cumprod", dim, input.ndim, "dim")
    if input.ndim == 0:
        return input
    return _cumprod(input, dim, False, False)


def _cumprod(x: Tensor, axis: int, exclusive: bool, reverse: bool) -> Tensor:
    attrs = {"axis": axis, "exclusive": bool(exclusive), "reverse": bool(reverse)}
    return bind1(cumprod_p, x, attrs)


def _cum_argextreme_kernel(x, *, axis, mode):
    moved = np.moveaxis(x, axis, 0)
    out = np.zeros(moved.shape, np.int64)
    if moved.shape[0]:
        best = moved[0].copy()
        at = np.zeros(moved.shape[1:], np.int64)
        for i in range(moved.shape[0]):
            v = moved[i]
            # A later equal value (or NaN) takes over, as MindSpore's (and PyTorch's) kernels do.
            better = (v <= best) if mode == "min" else (v >= best)
            if v.dtype.kind == "f":
                better = better | np.isnan(v)
            best = np.where(better, v, best)
            at = np.where(better, i, at)
            out[i] = at
    return np.moveaxis(out, 0, axis)


def _cum_argextreme_infer(x: ShapedArray, *, axis, mode) -> ShapedArray:
    I.normalize_axis("cumulative_argextreme", axis, x.ndim)
    return ShapedArray(x.shape, dt.int64)


cum_argextreme_p = primitive(
    "cumulative_argextreme",
    cpu=_cum_argextreme_kernel,
    infer=_cum_argextreme_infer,
    differentiable=False,
    attrs=("axis", "mode"),
)
example(
    cum_argextreme_p,
    lambda c: (
        [np.array([[3.0, 1.0, 1.0, 2.0, 0.5], [0.0, 2.0, 2.0, -1.0, 4.0]], np.float32)],
        {"axis": 1, "mode": "min"},
        lambda x: np.array([[0, 1, 2, 2, 4], [0, 0, 0, 3, 3]]),
    ),
)
S.attr_schema(cum_argextreme_p, axis=S.Int(), mode=S.Str("min", "max"))


def _cum_extreme(op: str, input: Any, axis: int) -> tuple[Tensor, Tensor]:
    input = as_tensor(input)
    if input.ndim == 0:
        raise MindValueError(f"For '{op}', the input must have at least 1 dim, got a scalar")
    if input.dtype is dt.bool_:
        raise MindTypeError(f"For '{op}', the input must not be bool")
    axis = _axis(op, axis, input.ndim)
    mode = "min" if op == "cummin" else "max"
    indices = bind1(cum_argextreme_p, input, {"axis": axis, "mode": mode})
    return gather_elements(input, axis, indices), indices


def cummin(input: Any, axis: int) -> tuple[Tensor, Tensor]:
    """``(values, indices)``: the running minimum of ``input`` along ``axis`` and the (int64)
    index it was found at (of equal values, the latest). The values differentiate.

    >>> ops.cummin(Tensor([2., 1., 3., 0.]), 0)   # ([2., 1., 1., 0.], [0, 1, 1, 3])

    Supported devices: cpu.
    """
    return _cum_extreme("cummin", input, axis)


def cummax(input: Any, axis: int) -> tuple[Tensor, Tensor]:
    """``(values, indices)``: the running maximum of ``input`` along ``axis`` and the (int64)
    index it was found at (of equal values, the latest). The values differentiate.

    >>> ops.cummax(Tensor([1., 3., 2., 4.]), 0)   # ([1., 3., 3., 4.], [0, 1, 1, 3])

    Supported devices: cpu.
    """
    return _cum_extreme("cummax", input, axis)


# ------------------------------------------------------------------------------------------------
# Unique values, nonzero positions, counts (output shapes that depend on values: eager only)
# ------------------------------------------------------------------------------------------------


def unique(input: Any) -> tuple[Tensor, Tensor]:
    """``(y, idx)``: the distinct elements of ``input``, sorted ascending, and for each input
    element its position in ``y`` (int32, ``input``'s shape). ``y`` differentiates (each value
    comes from its first occurrence). Eager only: ``y``'s length depends on the values.

    >>> ops.unique(Tensor([1, 2, 5, 2]))   # ([1, 2, 5], [0, 1, 2, 1])

    Supported devices: cpu.
    """
    input = as_tensor(input)
    values = _concrete("unique", input)
    _, first, inverse = np.unique(values.reshape(-1), return_index=True, return_inverse=True)
    y = gather(reshape(input, (-1,)), _const(first, dt.int64), 0)
    return y, _const(inverse.reshape(input.shape), dt.int32)


def unique_consecutive(
    input: Any, return_idx: bool = False, return_counts: bool = False, axis: int | None = None
) -> Any:
    """``input`` with each run of equal consecutive elements (or, with ``axis``, of equal
    consecutive slices along it) reduced to one; with ``return_idx`` also each element's
    position in the output, with ``return_counts`` each run's length (both int64). Returns the
    output alone, or a tuple ``(output[, idx][, counts])``. Eager only.

    >>> ops.unique_consecutive(Tensor([1, 1, 2, 2, 3, 1, 1, 2]), True, True)
    ... # ([1, 2, 3, 1, 2], [0, 0, 1, 1, 2, 3, 3, 4], [2, 2, 1, 2, 1])

    Supported devices: cpu.
    """
    input = as_tensor(input)
    values = _concrete("unique_consecutive", input)
    if axis is None:
        source, values, ax = reshape(input, (-1,)), values.reshape(-1), 0
    else:
        ax = _axis("unique_consecutive", axis, input.ndim)
        source = input
    n = values.shape[ax] if values.ndim else 1
    if n == 0:
        starts = np.zeros(0, np.int64)
    else:
        moved = np.moveaxis(values, ax, 0).reshape(n, -1)
        changed = np.any(moved[1:] != moved[:-1], axis=1)
        starts = np.concatenate([[0], np.nonzero(changed)[0] + 1]).astype(np.int64)
    output = gather(source, _const(starts, dt.int64), ax)
    results = [output]
    if return_idx:
        run = np.zeros(n, np.int64)
        run[starts[1:]] = 1
        idx = np.cumsum(run)
        results.append(_const(idx.reshape(input.shape) if axis is None else idx, dt.int64))
    if return_counts:
        results.append(_const(np.diff(np.append(starts, n)), dt.int64))
    return results[0] if len(results) == 1 else tuple(results)


def nonzero(input: Any, as_tuple: bool = False) -> Any:
    """The (int64) coordinates of the nonzero elements of ``input``, one row each, in order;
    ``as_tuple=True``: one 1-D tensor per axis instead. Eager only.

    >>> ops.nonzero(Tensor([[1, 0], [0, 3]]))   # [[0, 0], [1, 1]]

    Supported devices: cpu.
    """
    input = as_tensor(input)
    where_nonzero = np.argwhere(_concrete("nonzero", input)).astype(np.int64)
    if as_tuple:
        if input.ndim == 0:
            return (_const(np.zeros(len(where_nonzero), np.int64), dt.int64),)
        return tuple(_const(where_nonzero[:, i], dt.int64) for i in range(input.ndim))
    return _const(where_nonzero, dt.int64)


def argwhere(input: Any) -> Tensor:
    """The (int64) coordinates of the nonzero elements of ``input``, shape ``(N, ndim)``.
    Eager only.

    >>> ops.argwhere(Tensor([[0, 2], [3, 0]]))   # [[0, 1], [1, 0]]

    Supported devices: cpu.
    """
    return nonzero(input)


def count_nonzero(x: Any, axis: Any = (), keep_dims: bool = False, dtype: Any = dt.int32) -> Tensor:
    """How many elements of ``x`` are nonzero along ``axis`` (``()``: all of them), in
    ``dtype``.

    >>> ops.count_nonzero(Tensor([[0, 1, 2], [0, 0, 3]]), 1)   # [2, 1]

    Supported devices: cpu, native.
    """
    x = as_tensor(x)
    if isinstance(axis, list | tuple):
        axis = tuple(axis) or None
    nonzero_mask = cast(not_equal(x, _const(0, x.dtype)), dt.int64)
    return cast(sum_(nonzero_mask, axis, bool(keep_dims)), dtype)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:
    """How often each value ``0 .. max(input)`` occurs in the 1-D non-negative integer
    ``input`` (at least ``minlength`` counts); with ``weights``, their sums instead of counts
    (differentiable in them). Eager only: the length depends on the values.

    >>> ops.bincount(Tensor([0, 1, 1, 3]))   # [1, 2, 0, 1]

    Supported devices: cpu.
    """
    input = _int_tensor("bincount", "input", input)
    if input.ndim != 1:
        raise MindValueError(f"For 'bincount', 'input' must be 1-D, got shape {input.shape}")
    minlength = I.check_int("bincount", "minlength", minlength, minimum=0)
    values = _concrete("bincount", input)
    if values.size and values.min() < 0:
        raise MindValueError("For 'bincount', 'input' must be non-negative")
    length = builtins.max(int(values.max()) + 1 if values.size else 0, minlength)
    if weights is None:
        return _const(np.bincount(values, minlength=length), dt.int64)
    weights = as_tensor(weights)
    if weights.shape != input.shape:
        raise MindValueError(
            f"For 'bincount', 'weights' must have the input's shape {input.shape}, got "
            f"{weights.shape}"
        )
    return tensor_scatter_add(zeros((length,), weights.dtype), reshape(input, (-1, 1)), weights)


def _sorted_search_kernel(sorted_sequence, values, *, right, dtype):
    side = "right" if right else "left"
    out_dtype = dt.to_dtype(dtype).np
    if sorted_sequence.ndim == 1:
        return np.searchsorted(sorted_sequence, values, side=side).astype(out_dtype)
    lead = sorted_sequence.shape[:-1]
    seq = sorted_sequence.reshape(-1, sorted_sequence.shape[-1])
    vals = values.reshape(seq.shape[0], -1)
    out = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(seq, vals)])
    return out.reshape(lead + values.shape[len(lead) :]).astype(out_dtype)


def _searchsorted_infer(sorted_sequence: ShapedArray, values: ShapedArray, *, right, dtype):
    if sorted_sequence.ndim == 0:
        raise I.fail("searchsorted", "'sorted_sequence' must have at least 1 dim")
    lead = sorted_sequence.shape[:-1]
    if sorted_sequence.ndim > 1 and values.shape[:-1] != lead:
        raise I.fail(
            "searchsorted",
            f"'values' shape {values.shape} must match 'sorted_sequence' shape "
            f"{sorted_sequence.shape} on all but the last axis",
        )
    return ShapedArray(values.shape, dt.to_dtype(dtype))


searchsorted_p = primitive(
    "searchsorted",
    cpu=_sorted_search_kernel,
    infer=_searchsorted_infer,
    differentiable=False,
    attrs=("right", "dtype"),
)
example(
    searchsorted_p,
    lambda c: (
        [np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 5.0]], np.float32), c.r(2, 4) * 3],
        {"right": True, "dtype": "int64"},
        lambda s, v: np.stack(
            [np.searchsorted(s[0], v[0], "right"), np.searchsorted(s[1], v[1], "right")]
        ),
    ),
)
S.attr_schema(searchsorted_p, right=S.Bool(), dtype=S.DType())


def searchsorted(
    sorted_sequence: Any,
    values: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Tensor:
    """For each of ``values``, the index in the innermost axis of ``sorted_sequence`` where it
    would be inserted to keep it sorted: the first such index, or with ``right=True`` (or
    ``side='right'``) the last. A ``sorted_sequence`` of more than 1 dim searches each row for
    the matching row of ``values``; ``sorter`` gives the indices that sort an unsorted one.
    int64 indices, or int32 with ``out_int32``.

    >>> ops.searchsorted(Tensor([1., 3., 5.]), Tensor([3., 6.]))   # [1, 3]

    Supported devices: cpu.
    """
    sorted_sequence = as_tensor(sorted_sequence)
    values = as_tensor(values)
    if side is not None:
        if side not in ("left", "right"):
            raise MindValueError(
                f"For 'searchsorted', 'side' must be 'left' or 'right', got {side!r}"
            )
        if right and side == "left":
            raise MindValueError("For 'searchsorted', side='left' contradicts right=True")
        right = side == "right"
    if sorter is not None:
        sorted_sequence = gather_elements(sorted_sequence, -1, sorter)
    if values.dtype is not sorted_sequence.dtype:
        values = cast(values, dt.promote(values.dtype, sorted_sequence.dtype))
        sorted_sequence = cast(sorted_sequence, values.dtype)
    attrs = {"right": bool(right), "dtype": "int32" if out_int32 else "int64"}
    return bind2(searchsorted_p, sorted_sequence, values, attrs)


def bucketize(input: Any, boundaries: Any, *, right: bool = False) -> Tensor:
    """For each element ``x`` of ``input``, the index ``i`` of its bucket among the sorted
    ``boundaries`` (a list): ``boundaries[i-1] < x <= boundaries[i]``, or with ``right=True``
    ``boundaries[i-1] <= x < boundaries[i]``; int32.

    >>> ops.bucketize(Tensor([3, 6, 9]), [1., 3., 5., 7., 9.], right=True)   # [2, 3, 5]

    Supported devices: cpu.
    """
    input = as_tensor(input)
    if not isinstance(boundaries, list | tuple):
        raise MindTypeError(
            f"For 'bucketize', 'boundaries' must be a list, got {type(boundaries).__name__}"
        )
    bounds = np.asarray(boundaries, dtype=np.float64).reshape(-1)
    seq = _const(bounds, dt.float64)
    return searchsorted(seq, input, out_int32=True, right=right)


def diff(x: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """The ``n``-th forward difference ``x[i+1] - x[i]`` along ``axis``, after joining
    ``prepend`` before and ``append`` after ``x`` there (for bool, ``x[i+1] != x[i]``).

    >>> ops.diff(Tensor([1, 3, 2]))   # [2, -1]

    Supported devices: cpu, native.
    """
    x = as_tensor(x)
    if x.ndim == 0:
        raise MindValueError("For 'diff', the input must have at least 1 dim, got a scalar")
    n = I.check_int("diff", "n", n, minimum=0)
    axis = _axis("diff", axis, x.ndim)
    if n == 0:  # as numpy: nothing joined, nothing differenced
        return x
    pieces = [as_tensor(p) for p in (prepend,) if p is not None]
    pieces += [x] + [as_tensor(a) for a in (append,) if a is not None]
    if len(pieces) > 1:
        x = concat(pieces, axis)
    for _ in range(n):
        length = x.shape[axis]
        if length == 0:
            break
        later = getitem(x, _slice_along(x.ndim, axis, slice(1, None)))
        earlier = getitem(x, _slice_along(x.ndim, axis, slice(0, length - 1)))
        x = not_equal(later, earlier) if x.dtype is dt.bool_ else sub(later, earlier)
    return x


# ------------------------------------------------------------------------------------------------
# Creation: fills, ranges, grids, triangle indices
# ------------------------------------------------------------------------------------------------


def fill(type: Any, shape: Any, value: Any) -> Tensor:
    """A tensor of ``shape`` and dtype ``type`` filled with ``value``.

    >>> ops.fill(mind.core.float32, (2, 2), 1)   # [[1., 1.], [1., 1.]]

    Supported devices: cpu, native.
    """
    if isinstance(shape, Tensor):
        shape = tuple(np.asarray(shape.asnumpy()).reshape(-1).tolist())
    return full(shape, value, dtype=dt.to_dtype(type))


def linspace(start: Any, end: Any, steps: int) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive: numbers or 0-D
    tensors (which differentiate); float32, or the tensors' floating dtype.

    >>> ops.linspace(1, 10, 5)   # [1., 3.25, 5.5, 7.75, 10.]

    Supported devices: cpu, native.
    """
    if isinstance(steps, Tensor):
        steps = steps.item()
    steps = I.check_int("linspace", "steps", steps, minimum=1)
    if not isinstance(start, Tensor) and not isinstance(end, Tensor):
        return _const(np.linspace(float(start), float(end), steps), dt.float32)
    start, end = as_tensor(start), as_tensor(end)
    dtype = dt.promote(start.dtype, end.dtype)
    dtype = dtype if dtype.is_floating_point else dt.float32
    start, end = cast(reshape(start, ()), dtype), cast(reshape(end, ()), dtype)
    if steps == 1:
        return reshape(start, (1,))
    ramp = _const(np.arange(steps) / (steps - 1), dtype)
    return add(start, mul(ramp, sub(end, start)))


def meshgrid(*inputs: Any, indexing: str = "xy") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D ``inputs``: ``indexing='xy'`` (Cartesian, the first two output
    axes swapped) or ``'ij'`` (matrix).

    >>> [g.shape for g in ops.meshgrid(Tensor([1, 2, 3]), Tensor([4, 5]))]   # [(2, 3), (2, 3)]

    Supported devices: cpu, native.
    """
    if len(inputs) == 1 and isinstance(inputs[0], list | tuple):
        inputs = tuple(inputs[0])
    if indexing not in ("xy", "ij"):
        raise MindValueError(f"For 'meshgrid', 'indexing' must be 'xy' or 'ij', got {indexing!r}")
    tensors = [as_tensor(x) for x in inputs]
    if not tensors:
        raise MindValueError("For 'meshgrid', 'inputs' must not be empty")
    for i, x in enumerate(tensors):
        if x.ndim != 1:
            raise MindValueError(f"For 'meshgrid', 'inputs[{i}]' must be 1-D, got {x.shape}")
    n = len(tensors)
    place = list(range(n))
    if indexing == "xy" and n >= 2:
        place[0], place[1] = 1, 0
    shape = [0] * n
    for i, x in enumerate(tensors):
        shape[place[i]] = x.shape[0]
    grids = []
    for i, x in enumerate(tensors):
        view = [1] * n
        view[place[i]] = x.shape[0]
        grids.append(broadcast_to(reshape(x, view), tuple(shape)))
    return tuple(grids)


def _triangle_indices(op: str, row: int, col: int, offset: int, dtype: Any, upper: bool):
    row = I.check_int(op, "row", row, minimum=0)
    col = I.check_int(op, "col", col, minimum=0)
    offset = I.check_int(op, "offset", offset)
    dtype = dt.to_dtype(dtype)
    if dtype not in (dt.int32, dt.int64):
        raise MindTypeError(f"For '{op}', 'dtype' must be int32 or int64, got {dtype}")
    rows, cols = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    return _const(np.stack([rows, cols]).reshape(2, -1), dtype)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = dt.int64) -> Tensor:
    """The ``(2, N)`` coordinates of the lower triangle (on and below diagonal ``offset``) of a
    ``row x col`` matrix, row by row.

    >>> ops.tril_indices(3, 2)   # [[0, 1, 1, 2, 2], [0, 0, 1, 0, 1]]

    Supported devices: cpu, native.
    """
    return _triangle_indices("tril_indices", row, col, offset, dtype, upper=False)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = dt.int64) -> Tensor:
    """The ``(2, N)`` coordinates of the upper triangle (on and above diagonal ``offset``) of a
    ``row x col`` matrix, row by row.

    >>> ops.triu_indices(2, 3)   # [[0, 0, 0, 1, 1], [0, 1, 2, 1, 2]]

    Supported devices: cpu, native.
    """
    return _triangle_indices("triu_indices", row, col, offset, dtype, upper=True)


# ------------------------------------------------------------------------------------------------
# Repeats
# ------------------------------------------------------------------------------------------------


def repeat_interleave(input: Any, repeats: Any, axis: int | None = None) -> Tensor:
    """Each element of ``input`` repeated ``repeats`` times along ``axis`` (the flattened input
    when None); ``repeats`` is an int, or one count per element (a list, tuple or 1-D tensor:
    eager only, as the output length depends on them).

    >>> ops.repeat_interleave(Tensor([[0, 1], [2, 3]]), 2, 0)   # [[0, 1], [0, 1], [2, 3], [2, 3]]

    Supported devices: cpu, native.
    """
    input = as_tensor(input)
    if axis is None:
        input, axis = reshape(input, (-1,)), 0
    axis = _axis("repeat_interleave", axis, input.ndim)
    if isinstance(repeats, Tensor):
        counts = _concrete("repeat_interleave", repeats, "'repeats'").reshape(-1)
        if counts.dtype.kind not in "iu":
            raise MindTypeError(
                f"For 'repeat_interleave', 'repeats' must be integers, got {repeats.dtype}"
            )
        repeats = counts.tolist()
    if isinstance(repeats, list | tuple):
        if len(repeats) == 1:
            repeats = repeats[0]
        else:
            counts = [I.check_int("repeat_interleave", "repeats", r, minimum=0) for r in repeats]
            if len(counts) != input.shape[axis]:
                raise MindValueError(
                    f"For 'repeat_interleave', 'repeats' has {len(counts)} counts but axis "
                    f"{axis} has length {input.shape[axis]}"
                )
            index = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
            return gather(input, _const(index, dt.int64), axis)
    repeats = I.check_int("repeat_interleave", "repeats", repeats, minimum=0)
    shape = input.shape
    expanded = reshape(input, shape[: axis + 1] + (1,) + shape[axis + 1 :])
    tiled = broadcast_to(expanded, shape[: axis + 1] + (repeats,) + shape[axis + 1 :])
    return reshape(tiled, shape[:axis] + (shape[axis] * repeats,) + shape[axis + 1 :])


def repeat_elements(x: Any, rep: int, axis: int = 0) -> Tensor:
    """Each slice of ``x`` along ``axis`` repeated ``rep`` times in place.

    >>> ops.repeat_elements(Tensor([[0, 1]]), 2, 1)   # [[0, 0, 1, 1]]

    Supported devices: cpu, native.
    """
    x = as_tensor(x)
    rep = I.check_int("repeat_elements", "rep", rep, minimum=1)
    return repeat_interleave(x, rep, _axis("repeat_elements", axis, x.ndim))


# ------------------------------------------------------------------------------------------------
# Depth and space
# ------------------------------------------------------------------------------------------------


def _block(op: str, x: Tensor, block_size: Any) -> int:
    block = I.check_int(op, "block_size", block_size, minimum=2)
    if x.ndim != 4:
        raise MindValueError(f"For '{op}', the input must be 4-D (N, C, H, W), got {x.shape}")
    return block


def depth_to_space(x: Any, block_size: int) -> Tensor:
    """Rearrange the channels of an NCHW ``x`` into ``block_size x block_size`` spatial blocks:
    ``(N, C * b * b, H, W) -> (N, C, H * b, W * b)``, channel ``(i * b + j) * C + c`` going to
    pixel ``(h * b + i, w * b + j)`` of channel ``c``.

    >>> ops.depth_to_space(ops.ones((1, 12, 1, 1)), 2).shape   # (1, 3, 2, 2)

    Supported devices: cpu, native.
    """
    x = as_tensor(x)
    b = _block("depth_to_space", x, block_size)
    n, c, h, w = x.shape
    if c % (b * b):
        raise MindValueError(
            f"For 'depth_to_space', the channels {c} must be divisible by block_size**2 = {b * b}"
        )
    blocks = reshape(x, (n, b, b, c // (b * b), h, w))
    return reshape(transpose(blocks, (0, 3, 4, 1, 5, 2)), (n, c // (b * b), h * b, w * b))


def space_to_depth(x: Any, block_size: int) -> Tensor:
    """The inverse of :func:`depth_to_space`: ``(N, C, H, W) -> (N, C * b * b, H / b, W / b)``.

    >>> ops.space_to_depth(ops.ones((1, 3, 2, 2)), 2).shape   # (1, 12, 1, 1)

    Supported devices: cpu, native.
    """
    x = as_tensor(x)
    b = _block("space_to_depth", x, block_size)
    n, c, h, w = x.shape
    if h % b or w % b:
        raise MindValueError(
            f"For 'space_to_depth', height {h} and width {w} must be divisible by block_size {b}"
        )
    blocks = reshape(x, (n, c, h // b, b, w // b, b))
    return reshape(transpose(blocks, (0, 3, 5, 1, 2, 4)), (n, c * b * b, h // b, w // b))


def _identity(x: Any) -> Tensor:
    """MindSpore's ``Identity``: ``x`` itself, through the identity primitive (a graph node,
    differentiable)."""
    from mind.core._src.autodiff.eager import identity_p

    return bind1(identity_p, as_tensor(x))


def _pad_last(x: Any, size: int) -> Tensor:
    """MindSpore's ``Padding``: the last axis (of size 1) extended to ``size`` with zeros."""
    x = as_tensor(x)
    size = I.check_int("Padding", "pad_dim_size", size, minimum=1)
    if x.ndim < 1 or x.shape[-1] != 1:
        raise MindValueError(f"For 'Padding', the last axis of the input must be 1, got {x.shape}")
    if size == 1:
        return x
    return concat([x, zeros(x.shape[:-1] + (size - 1,), x.dtype)], -1)


# ------------------------------------------------------------------------------------------------
# Adding into rows: index_add, inplace_add/sub/update (MindSpore's names; they return the result)
# ------------------------------------------------------------------------------------------------


def index_add(
    x: Any, indices: Any, y: Any, axis: int, use_lock: bool = True, check_index_bound: bool = True
) -> Tensor:
    """``x`` with ``y``'s slices added at ``indices`` along ``axis``: for each ``i``,
    ``x[..., indices[i], ...] += y[..., i, ...]`` (repeated indices add up). ``use_lock`` and
    ``check_index_bound`` are MindSpore's kernel options; indices are always bound-checked."""
    x, y = as_tensor(x), as_tensor(y)
    axis = _axis("index_add", axis, x.ndim)
    idx = _int_tensor("index_add", "indices", indices)
    if idx.ndim != 1 or y.ndim != x.ndim or y.shape[axis] != idx.shape[0]:
        raise MindValueError(
            f"For 'index_add', 'indices' must be 1-D with one entry per slice of 'y' along axis "
            f"{axis}, got indices {idx.shape}, x {x.shape}, y {y.shape}"
        )
    moved = movedim(x, axis, 0)
    added = tensor_scatter_add(moved, reshape(idx, (-1, 1)), movedim(cast(y, x.dtype), axis, 0))
    return movedim(added, 0, axis)


def _rows(op: str, x: Tensor, v: Any, indices: Any) -> tuple[Tensor, Tensor]:
    """``indices`` (an int or ints) as a 1-D index and ``v`` with one row per index."""
    idx = [indices] if isinstance(indices, int) else list(indices)
    v = as_tensor(v)
    if v.ndim == x.ndim - 1:
        v = reshape(v, (1, *v.shape))
    if v.ndim != x.ndim or v.shape[0] != len(idx) or tuple(v.shape[1:]) != tuple(x.shape[1:]):
        raise MindValueError(
            f"For '{op}', 'v' must have one row of shape {tuple(x.shape[1:])} per index "
            f"({len(idx)}), got {v.shape}"
        )
    return Tensor(np.asarray(idx, np.int64)), v


def inplace_add(x: Any, v: Any, indices: Any) -> Tensor:
    """``x`` with ``v``'s rows added to its rows ``indices`` (an int or a tuple of ints)."""
    x = as_tensor(x)
    idx, v = _rows("inplace_add", x, v, indices)
    return index_add(x, idx, v, 0)


def inplace_sub(x: Any, v: Any, indices: Any) -> Tensor:
    """``x`` with ``v``'s rows subtracted from its rows ``indices``."""
    x = as_tensor(x)
    idx, v = _rows("inplace_sub", x, v, indices)
    return index_add(x, idx, neg(v), 0)


def inplace_update(x: Any, v: Any, indices: Any) -> Tensor:
    """``x`` with its rows ``indices`` replaced by ``v``'s rows."""
    x = as_tensor(x)
    idx, v = _rows("inplace_update", x, v, indices)
    return _tensor_scatter_update(x, reshape(idx, (-1, 1)), cast(v, x.dtype))
