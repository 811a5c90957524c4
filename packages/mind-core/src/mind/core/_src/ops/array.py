"""Shape and indexing primitives: reshape, transpose, broadcast, concat, slicing, gather, scatter,
pad, tile, one_hot, and the compositions built on them (expand_dims, squeeze, stack, split...)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ir.trace import current_tracer
from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import STATE, ShapedArray, bind, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import _const, cast, equal, where
from mind.core._src.ops.reduce import sum as sum_
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

# ------------------------------------------------------------------------------------------------
# reshape / transpose / broadcast_to
# ------------------------------------------------------------------------------------------------


def _resolve_shape(op: str, size: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    shape = tuple(s if type(s) is int else I.check_int(op, "shape", s, minimum=-1) for s in shape)
    if shape.count(-1) > 1:
        raise I.fail(op, f"'shape' {shape} may contain -1 only once")
    known = int(np.prod([s for s in shape if s != -1])) if shape else 1
    if -1 in shape:
        if known == 0 or size % known:
            raise I.fail(op, f"cannot reshape {size} elements into {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    elif known != size:
        raise I.fail(op, f"cannot reshape {size} elements into shape {shape}")
    return shape


reshape_p = primitive(
    "reshape",
    traits=("view",),
    cpu=lambda x, *, shape: np.reshape(x, shape),
    infer=lambda x, *, shape: ShapedArray(
        _resolve_shape("reshape", int(np.prod(x.shape)), shape), x.dtype
    ),
    bprop=lambda x, out, dout, *, shape: (reshape(dout, x.shape),),
    attrs=("shape",),
)
example(reshape_p, lambda c: ([c.r(2, 6)], {"shape": (3, 4)}, lambda x: x.reshape(3, 4)))
S.attr_schema(reshape_p, shape=S.Ints(lo=-1))


def reshape(input: Any, shape: Any) -> Tensor:
    """``input`` with a new ``shape`` (one entry may be -1)."""
    input = as_tensor(input)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if shape == input.shape:
        return input
    return bind1(reshape_p, input, {"shape": _resolve_shape("reshape", input.size, shape)})


def _transpose_infer(x: ShapedArray, *, perm) -> ShapedArray:
    if sorted(perm) != list(range(x.ndim)):
        raise I.fail("transpose", f"'input_perm' {perm} is not a permutation of {x.ndim} axes")
    return ShapedArray(tuple(x.shape[p] for p in perm), x.dtype)


transpose_p = primitive(
    "transpose",
    traits=("view",),
    cpu=lambda x, *, perm: np.transpose(x, perm),
    infer=_transpose_infer,
    bprop=lambda x, out, dout, *, perm: (transpose(dout, tuple(np.argsort(perm).tolist())),),
    attrs=("perm",),
)
example(
    transpose_p, lambda c: ([c.r(2, 3, 4)], {"perm": (2, 0, 1)}, lambda x: x.transpose(2, 0, 1))
)
S.attr_schema(transpose_p, perm=S.Ints(lo=0, unique=True))


def transpose(input: Any, input_perm: Any) -> Tensor:
    """Permute the axes of ``input`` by ``input_perm``."""
    input = as_tensor(input)
    perm = tuple(int(p) % max(input.ndim, 1) for p in input_perm)
    return bind1(transpose_p, input, {"perm": perm})


permute = transpose


def _broadcast_infer(x: ShapedArray, *, shape) -> ShapedArray:
    out = I.broadcast_shapes("broadcast_to", ("input", "shape"), x.shape, tuple(shape))
    if out != tuple(shape):
        raise I.fail("broadcast_to", f"'input' shape {x.shape} cannot be broadcast to {shape}")
    return ShapedArray(out, x.dtype)


broadcast_to_p = primitive(
    "broadcast_to",
    traits=("view",),
    cpu=lambda x, *, shape: np.broadcast_to(x, shape),
    infer=_broadcast_infer,
    # The tape sums a cotangent back to its input's shape, which is exactly this bprop.
    bprop=lambda x, out, dout, *, shape: (dout,),
    attrs=("shape",),
)
example(
    broadcast_to_p,
    lambda c: ([c.r(3, 1)], {"shape": (2, 3, 4)}, lambda x: np.broadcast_to(x, (2, 3, 4))),
)
S.attr_schema(broadcast_to_p, shape=S.Ints(lo=-1))


def broadcast_to(input: Any, shape: Any) -> Tensor:
    """``input`` broadcast to ``shape`` (-1 keeps that axis)."""
    input = as_tensor(input)
    shape = tuple(int(s) for s in shape)
    pad = len(shape) - input.ndim
    shape = tuple(input.shape[i - pad] if s == -1 else s for i, s in enumerate(shape))
    if shape == input.shape:
        return input
    return bind1(broadcast_to_p, input, {"shape": shape})


def sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``x`` down to ``shape`` (the reverse of broadcasting); the tape's reducer."""

    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    out = sum_(x, axes, keepdim=True) if axes else x
    return reshape(out, shape)


def expand_dims(input_x: Any, axis: int) -> Tensor:
    """Insert an axis of length 1 at ``axis``."""
    input_x = as_tensor(input_x)
    axis = I.normalize_axis("expand_dims", axis, input_x.ndim + 1)
    shape = list(input_x.shape)
    shape.insert(axis, 1)
    return reshape(input_x, shape)


unsqueeze = expand_dims


def squeeze(input: Any, axis: Any = None) -> Tensor:
    """Remove axes of length 1 (all of them, or those in ``axis``)."""
    input = as_tensor(input)
    if axis is None:
        return reshape(input, [s for s in input.shape if s != 1])
    axes = {
        I.normalize_axis("squeeze", a, input.ndim)
        for a in ((axis,) if isinstance(axis, int) else axis)
    }
    for a in axes:
        if input.shape[a] != 1:
            raise I.fail("squeeze", f"'axis' {a} has length {input.shape[a]}, not 1")
    return reshape(input, [s for i, s in enumerate(input.shape) if i not in axes])


def flatten(input: Any, order: str = "C", *, start_dim: int = 1, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim`` to ``end_dim`` (MindSpore's ``ops.flatten`` keeps axis 0)."""
    input = as_tensor(input)
    if input.ndim == 0:
        return reshape(input, (1,))
    start = I.normalize_axis("flatten", start_dim, input.ndim, "start_dim")
    end = I.normalize_axis("flatten", end_dim, input.ndim, "end_dim")
    shape = input.shape[:start] + (-1,) + input.shape[end + 1 :]
    return reshape(input, shape)


# ------------------------------------------------------------------------------------------------
# concat / stack / split / tile / pad
# ------------------------------------------------------------------------------------------------


def _concat_infer(*xs: ShapedArray, axis) -> ShapedArray:
    first = xs[0]
    axis = I.normalize_axis("concat", axis, first.ndim)
    for i, x in enumerate(xs[1:], 1):
        if x.ndim != first.ndim or any(
            a != b for k, (a, b) in enumerate(zip(x.shape, first.shape)) if k != axis
        ):
            raise I.fail(
                "concat",
                f"'tensors[{i}]' shape {x.shape} does not match 'tensors[0]' {first.shape} "
                f"outside axis {axis}",
            )
    dtype = first.dtype
    for x in xs[1:]:
        dtype = dt.promote(dtype, x.dtype)
    shape = list(first.shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    return ShapedArray(tuple(shape), dtype)


def _concat_bprop(*args, axis):
    *xs, out, dout = args
    bounds = np.cumsum([x.shape[axis] for x in xs])[:-1].tolist()
    return tuple(split(dout, [x.shape[axis] for x in xs], axis)) if bounds else (dout,)


concat_p = primitive(
    "concat",
    cpu=lambda *xs, axis: np.concatenate(xs, axis=axis),
    infer=_concat_infer,
    bprop=_concat_bprop,
    attrs=("axis",),
)
example(
    concat_p, lambda c: ([c.r(2, 3), c.r(1, 3)], {"axis": 0}, lambda a, b: np.concatenate([a, b]))
)
S.attr_schema(concat_p, axis=S.Int())


def concat(tensors: Any, axis: int = 0) -> Tensor:
    """Join tensors along an existing ``axis``."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise MindValueError("For 'concat', 'tensors' must not be empty")
    axis = I.normalize_axis("concat", axis, tensors[0].ndim)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = dt.promote(dtype, t.dtype)
    return bind(concat_p, tuple(cast(t, dtype) for t in tensors), {"axis": axis})


cat = concat


def stack(tensors: Any, axis: int = 0) -> Tensor:
    """Join tensors along a new ``axis``."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise MindValueError("For 'stack', 'tensors' must not be empty")
    axis = I.normalize_axis("stack", axis, tensors[0].ndim + 1)
    return concat([expand_dims(t, axis) for t in tensors], axis)


def split(tensor: Any, split_size_or_sections: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """Split into pieces of ``split_size_or_sections`` (an int) or of the listed sizes."""
    tensor = as_tensor(tensor)
    axis = I.normalize_axis("split", axis, tensor.ndim)
    length = tensor.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise MindValueError(f"For 'split', 'split_size_or_sections' must be > 0, got {size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length:
            raise MindValueError(
                f"For 'split', 'split_size_or_sections' {sizes} sums to {sum(sizes)}, but axis "
                f"{axis} has length {length}"
            )
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(getitem(tensor, index))
        start += size
    return tuple(pieces)


def _tile_bprop(x, out, dout, *, reps):
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    split_shape = []
    for r, s in zip(reps, shape):
        split_shape += [r, s]
    summed = sum_(reshape(dout, split_shape), tuple(range(0, 2 * len(reps), 2)))
    return (reshape(summed, x.shape),)


tile_p = primitive(
    "tile",
    cpu=lambda x, *, reps: np.tile(x, reps),
    infer=lambda x, *, reps: ShapedArray(
        tuple(r * s for r, s in zip(reps, (1,) * (len(reps) - x.ndim) + x.shape)), x.dtype
    ),
    bprop=_tile_bprop,
    attrs=("reps",),
)
example(tile_p, lambda c: ([c.r(2, 3)], {"reps": (2, 1, 2)}, lambda x: np.tile(x, (2, 1, 2))))
S.attr_schema(tile_p, reps=S.Ints(lo=0))


def tile(input: Any, multiples: Any) -> Tensor:
    """Repeat ``input`` ``multiples[i]`` times along each axis."""
    input = as_tensor(input)
    if isinstance(multiples, int):
        multiples = (multiples,)
    reps = tuple(I.check_int("tile", "multiples", m, minimum=0) for m in multiples)
    if len(reps) < input.ndim:
        reps = (1,) * (input.ndim - len(reps)) + reps
    return bind1(tile_p, input, {"reps": reps})


def _pad_kernel(x, *, pads, mode, value):
    if mode == "constant":
        return np.pad(x, pads, mode="constant", constant_values=value)
    return np.pad(x, pads, mode={"reflect": "reflect", "replicate": "edge"}[mode])


def _pad_bprop(x, out, dout, *, pads, mode, value):
    if mode == "constant":
        index = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, x.shape))
        return (getitem(dout, index),)
    # reflect / replicate: each output position copies one input position along each axis, so
    # the gradient adds each padded axis's entries back onto the positions they came from
    np_mode = {"reflect": "reflect", "replicate": "edge"}[mode]
    grad = dout
    for axis, ((lo, hi), n) in enumerate(zip(pads, x.shape)):
        if lo or hi:
            source = np.pad(np.arange(n), (lo, hi), mode=np_mode)
            shape = (*grad.shape[:axis], n, *grad.shape[axis + 1 :])
            index = (slice(None),) * axis + (source,)
            grad = bind1(index_add_p, grad, {"index": index, "shape": shape})
    return (grad,)


pad_p = primitive(
    "pad",
    cpu=_pad_kernel,
    infer=lambda x, *, pads, mode, value: ShapedArray(
        tuple(s + lo + hi for s, (lo, hi) in zip(x.shape, pads)), x.dtype
    ),
    bprop=_pad_bprop,
    attrs=("pads", "mode", "value"),
)
example(
    pad_p,
    lambda c: (
        [c.r(2, 3)],
        {"pads": ((1, 0), (2, 1)), "mode": "constant", "value": 0},
        lambda x: np.pad(x, ((1, 0), (2, 1))),
    ),
)
S.attr_schema(
    pad_p,
    pads=S.Pairs(lo=0),
    mode=S.Str("constant", "reflect", "replicate"),
    value=S.Number(bool_ok=True),
)


def pad(input_x: Any, padding: Any, mode: str = "constant", value: Any = None) -> Tensor:
    """Pad the last ``len(padding) // 2`` axes: ``padding = (left, right, top, bottom, ...)``,
    starting from the last axis, as MindSpore's and PyTorch's ``pad``."""
    input_x = as_tensor(input_x)
    if isinstance(padding, Tensor) and padding.ndim == 1 and padding.dtype.is_integer:
        padding = tuple(np.asarray(padding._data).tolist())  # (a traced one has no value: fails)
    if not isinstance(padding, tuple | list) or any(
        isinstance(p, bool) or not isinstance(p, int | np.integer) for p in padding
    ):
        raise MindTypeError(
            "For 'pad', 'padding' must be a flat tuple of ints (left, right, top, bottom, ...), "
            f"but got {padding!r}."
        )
    padding = [int(p) for p in padding]
    if len(padding) % 2 or len(padding) // 2 > input_x.ndim:
        raise MindValueError(
            f"For 'pad', 'padding' must have an even length of at most 2 * {input_x.ndim}, "
            f"got {padding}"
        )
    if mode not in ("constant", "reflect", "replicate"):
        raise MindValueError(
            f"For 'pad', 'mode' must be 'constant', 'reflect' or 'replicate', got {mode!r}"
        )
    pads = [(0, 0)] * input_x.ndim
    for i in range(len(padding) // 2):
        pads[input_x.ndim - 1 - i] = (padding[2 * i], padding[2 * i + 1])
    # A negative amount crops that side, after the positive ones are padded (MindSpore's and
    # PyTorch's order: reflect [-1, 2] of [8, 9, 10, 11] is [9, 10, 11, 10, 9]).
    grow = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads)
    out = input_x
    if any(lo or hi for lo, hi in grow):
        out = bind1(pad_p, input_x, {"pads": grow, "mode": mode, "value": value or 0})
    if min(padding, default=0) < 0:
        crop = tuple(slice(-min(lo, 0), s - (-min(hi, 0))) for (lo, hi), s in zip(pads, out.shape))
        if any(c.start >= c.stop for c in crop):
            raise MindValueError(
                f"For 'pad', 'padding' {padding} crops away every element of an axis of "
                f"shape {tuple(input_x.shape)}"
            )
        out = getitem(out, crop)
    return out


# ------------------------------------------------------------------------------------------------
# Indexing: getitem (basic and advanced), setitem
# ------------------------------------------------------------------------------------------------


def _normalize_index(index: Any) -> Any:
    """Tensors in an index become numpy arrays; the result is hashable where possible."""
    if isinstance(index, tuple):
        return tuple(_normalize_index(i) for i in index)
    if isinstance(index, Tensor):
        return np.asarray(index._data)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _getitem_infer(x: ShapedArray, *, index) -> ShapedArray:
    out = np.empty(x.shape, dtype=np.bool_)[index]
    return ShapedArray(out.shape, x.dtype)


def _indexed_shape(op: str, shape: tuple[int, ...], index: Any, value: ShapedArray) -> None:
    """``index`` selects from an array of ``shape`` (every integer index in range) and ``value``
    broadcasts to the selection: what the kernel needs, checked on shapes only (a bool array of
    ``shape``, as getitem's inference builds), so a graph never fails inside numpy."""
    try:
        selected = np.empty(tuple(shape), dtype=np.bool_)[index].shape
    except (IndexError, TypeError, ValueError) as exc:
        raise I.fail(op, f"'index' does not fit shape {tuple(shape)}: {exc}") from None
    try:
        fits = np.broadcast_shapes(value.shape, selected) == selected
    except ValueError:
        fits = False
    if not fits:
        raise I.fail(
            op, f"the value of shape {value.shape} does not broadcast to the selection {selected}"
        )


def _index_add_infer(update: ShapedArray, *, index, shape) -> ShapedArray:
    _indexed_shape("index_add", shape, index, update)
    return ShapedArray(tuple(shape), update.dtype)


def _index_add_kernel(update, *, index, shape):
    out = np.zeros(shape, dtype=update.dtype)
    np.add.at(out, index, update)
    return out


getitem_p = primitive(
    "getitem",
    traits=("view",),
    cpu=lambda x, *, index: x[index],
    infer=_getitem_infer,
    bprop=lambda x, out, dout, *, index: (
        bind1(index_add_p, dout, {"index": index, "shape": x.shape}),
    ),
    attrs=("index",),
)
example(
    getitem_p,
    lambda c: (
        [c.r(4, 5)],
        {"index": (slice(1, None, 2), np.array([0, 2, 2]))},
        lambda x: x[1::2, [0, 2, 2]],
    ),
)
S.attr_schema(getitem_p, index=S.Index())
index_add_p = primitive(
    "index_add",
    cpu=_index_add_kernel,
    infer=_index_add_infer,
    bprop=lambda update, out, dout, *, index, shape: (getitem(dout, index),),
    attrs=("index", "shape"),
)
example(
    index_add_p,
    lambda c: (
        [c.r(3)],
        {"index": np.array([0, 2, 0]), "shape": (4,)},
        lambda u: np.bincount([0, 2, 0], weights=u, minlength=4),
    ),
)
S.attr_schema(index_add_p, index=S.Index(), shape=S.SHAPE)


def _traced_int(index: Any) -> bool:
    """An integer Tensor with no value yet (a loop index inside a compiled loop)."""
    return (
        isinstance(index, Tensor)
        and not isinstance(index._data, np.ndarray | np.generic)
        and index.dtype.is_integer
    )


def getitem(input: Any, index: Any) -> Tensor:
    """``input[index]``: ints, slices, None, Ellipsis, bool masks and integer arrays; inside a
    compiled function also an integer Tensor computed there (first in the index), as a gather."""
    input = as_tensor(input)
    first, rest = (index[0], index[1:]) if isinstance(index, tuple) and index else (index, ())
    if _traced_int(first):
        taken = gather(input, first, 0)
        return getitem(taken, (slice(None),) * first.ndim + rest) if rest else taken
    index = _normalize_index(index)
    try:
        return bind1(getitem_p, input, {"index": index})
    except MindValueError as exc:
        raise IndexError(
            f"For 'getitem', index {index!r} is invalid for shape {input.shape}: {exc}"
        ) from None


def index_put(x: Tensor, value: Tensor, index: Any) -> Tensor:
    """``x`` with ``x[index] = value`` done on a copy (``value`` broadcast, in ``x``'s dtype)."""
    return bind2(index_put_p, x, cast(value, x.dtype), {"index": _normalize_index(index)})


def _index_put_kernel(x, value, *, index):
    out = np.array(x, copy=True)
    out[index] = value
    return out


def _index_put_bprop(x, value, out, dout, *, index):
    dx = bind2(index_put_p, dout, _const(0, dout.dtype), {"index": index})
    return dx, getitem(dout, index)


index_put_p = primitive(
    "index_put",
    cpu=_index_put_kernel,
    infer=lambda x, value, *, index: (
        _indexed_shape("index_put", x.shape, index, value) or ShapedArray(x.shape, x.dtype)
    ),
    bprop=_index_put_bprop,
    attrs=("index",),
)
example(
    index_put_p,
    lambda c: (
        [c.r(4, 3), c.r(3)],
        {"index": (1,)},
        lambda x, v: np.vstack([x[:1], v[None], x[2:]]),
    ),
)
S.attr_schema(index_put_p, index=S.Index())


def setitem(tensor: Tensor, index: Any, value: Any) -> None:
    """``tensor[index] = value``. In place, unless a gradient is being recorded through
    ``tensor`` or it is traced: then the tensor is rebound to a new value (so the tape, or the
    graph, sees the old and the new one). Inside a compiled function the first index may be an
    integer Tensor computed there (a loop index)."""
    value = (
        as_tensor(value, tensor.dtype)
        if not isinstance(value, Tensor)
        else cast(value, tensor.dtype)
    )
    first, rest = (index[0], index[1:]) if isinstance(index, tuple) and index else (index, ())
    if _traced_int(first):
        if first.ndim != 0:
            raise MindValueError(
                f"For 'setitem', a traced index must be a scalar integer, got shape {first.shape}"
            )
        # Row ``first`` takes the row with ``value`` put at ``rest``; the other rows stay.
        rows = index_put(tensor, value, (slice(None), *rest))
        n = tensor.shape[0]
        hit = reshape(equal(arange(n, dtype=first.dtype), first), (n,) + (1,) * (tensor.ndim - 1))
        out = where(hit, rows, tensor)
        tensor._data, tensor._node = out._data, out._node
        return
    index = _normalize_index(index)
    traced = not isinstance(tensor._data, np.ndarray | np.generic)
    if traced or (STATE.recording and (tensor._node is not None or value._node is not None)):
        # The node must see the old value: give it its own handle, then rebind ``tensor``.
        old = object.__new__(Tensor)
        old._data, old._node = tensor._data, tensor._node
        out = bind2(index_put_p, old, value, {"index": index})
        tensor._data, tensor._node = out._data, out._node
        return
    try:
        tensor._data[index] = value._data
    except (IndexError, ValueError) as exc:
        raise MindValueError(
            f"For 'setitem', cannot assign a value of shape {value.shape} to index {index!r} "
            f"of a tensor of shape {tensor.shape}: {exc}"
        ) from None


def _assign_kernel(target, value):
    np.copyto(target, value, casting="same_kind")
    return target


def _assign_infer(target: ShapedArray, value: ShapedArray) -> ShapedArray:
    I.broadcast_shapes("assign", ("variable", "value"), target.shape, value.shape)
    return ShapedArray(target.shape, target.dtype)


# ``stop_gradient`` inside a traced function: the graph must keep the cut, since the gradient of a
# compiled graph replays its nodes under the tape (eagerly, ``autodiff.eager.stop_gradient`` makes a
# fresh tensor with no tape node, the whole op).
stop_gradient_p = primitive(
    "stop_gradient",
    traits=("elementwise", "view"),
    cpu=lambda x: x,
    infer=lambda x: ShapedArray(x.shape, x.dtype),
    differentiable=False,
)
example(stop_gradient_p, lambda c: ([c.r(3)], {}, lambda x: x))


# ``value``, ordered after ``after``: a graph node, so that what reads ``value`` through it is
# neither merged by CSE with what reads ``value`` directly nor run before ``after`` exists.
# Recompute puts one between a block's inputs and the backward's rerun of the block (MindSpore's
# ``F.depend``). A device runs it as its input (``passes.without_cuts``).
depend_p = primitive(
    "depend",
    traits=("view",),
    cpu=lambda value, after: value,
    infer=lambda value, after: ShapedArray(value.shape, value.dtype),
    bprop=lambda value, after, out, dout: (dout, None),
)
example(depend_p, lambda c: ([c.r(3), c.r(2)], {}, lambda v, a: v))

# Writes ``value`` into ``target``'s buffer (a Parameter's array) and returns it: the one
# primitive with a side effect. Compiler passes never remove or merge it.
assign_p = primitive(
    "assign", traits=("in_place",), cpu=_assign_kernel, infer=_assign_infer, differentiable=False
)
example(assign_p, lambda c: ([c.r(3), c.r(3)], {}, lambda t, v: v))


def _apply_momentum_kernel(variable, accumulation, gradient, *, lr, momentum, use_nesterov):
    accumulation *= momentum
    accumulation += gradient
    if use_nesterov:
        variable -= lr * (gradient + momentum * accumulation)
    else:
        variable -= lr * accumulation
    return variable


# MindSpore's ApplyMomentum: one in-place kernel per parameter, in eager mode and in graphs.
apply_momentum_p = primitive(
    "apply_momentum",
    traits=("in_place",),
    cpu=_apply_momentum_kernel,
    infer=lambda variable, accumulation, gradient, **_: ShapedArray(variable.shape, variable.dtype),
    differentiable=False,
    attrs=("lr", "momentum", "use_nesterov"),
)
example(
    apply_momentum_p,
    lambda c: (
        [
            np.array([1.0, 2.0], np.float32),
            np.array([0.5, -1.0], np.float32),
            np.array([0.1, 0.2], np.float32),
        ],
        {"lr": 0.1, "momentum": 0.9, "use_nesterov": False},
        lambda p, v, g: p - 0.1 * (0.9 * v + g),
    ),
)
S.attr_schema(apply_momentum_p, lr=S.Number(), momentum=S.Number(), use_nesterov=S.Bool())


def apply_momentum(
    variable: Any,
    accumulation: Any,
    learning_rate: float,
    gradient: Any,
    momentum: float,
    use_nesterov: bool = False,
) -> Tensor:
    """``accumulation = momentum * accumulation + gradient``; ``variable -= learning_rate *
    accumulation`` (or the Nesterov form), both in place, as MindSpore's ``ApplyMomentum``."""
    variable = as_tensor(variable)
    attrs = {
        "lr": float(learning_rate),
        "momentum": float(momentum),
        "use_nesterov": bool(use_nesterov),
    }
    return bind(
        apply_momentum_p,
        (variable, as_tensor(accumulation), cast(as_tensor(gradient), variable.dtype)),
        attrs,
    )


def assign(variable: Any, value: Any) -> Tensor:
    """Write ``value`` into ``variable`` (a Parameter) in place, as MindSpore's ``ops.assign``;
    inside ``jit`` it becomes an in-graph update of the parameter."""
    variable = as_tensor(variable)
    value = cast(as_tensor(value), variable.dtype)
    tracer = current_tracer()
    if tracer is None:
        return bind2(assign_p, variable, value)
    if tracer.writes is None and tracer.parent is not None:  # inside control.cond, scan...
        return bind2(assign_p, variable, value)
    # Traced functionally: later reads of the variable read the value written (so no pass
    # merges reads around the write, and no later node reads a buffer already overwritten).
    # A converted branch or loop body carries it out; the top graph writes it at its end.
    I.broadcast_shapes("assign", ("variable", "value"), variable.shape, value.shape)
    if value.shape != variable.shape:
        # as the in-place write (numpy's copyto): leading 1s of the value drop, the rest broadcast
        extra = value.ndim - variable.ndim
        if extra > 0 and all(d == 1 for d in value.shape[:extra]):
            value = reshape(value, value.shape[extra:])
        value = broadcast_to(value, variable.shape)
    value = bind1(stop_gradient_p, value)  # an assign has no gradient
    if tracer.writes is not None:
        tracer.writes.write(variable, value)
    else:
        tracer.rebound.append((variable, variable._data))
        variable._data = value._data
    return value


def strided_slice(input_x: Any, begin: Any, end: Any, strides: Any) -> Tensor:
    """``input_x[begin[0]:end[0]:strides[0], ...]``."""
    index = tuple(slice(b, e, s) for b, e, s in zip(begin, end, strides))
    return getitem(input_x, index)


# ------------------------------------------------------------------------------------------------
# gather / gather_nd / scatter_add / one_hot
# ------------------------------------------------------------------------------------------------


def _gather_infer(params: ShapedArray, indices: ShapedArray, *, axis) -> ShapedArray:
    if not indices.dtype.is_integer:
        raise MindTypeError(
            f"For 'gather', 'input_indices' must be an integer tensor, got {indices.dtype}"
        )
    axis = I.normalize_axis("gather", axis, params.ndim)
    return ShapedArray(params.shape[:axis] + indices.shape + params.shape[axis + 1 :], params.dtype)


def _gather_bprop(params, indices, out, dout, *, axis):
    return bind2(gather_grad_p, dout, indices, {"axis": axis, "shape": params.shape}), None


def _gather_grad_kernel(dout, indices, *, axis, shape):
    out = np.zeros(shape, dtype=dout.dtype)
    moved = np.moveaxis(out, axis, 0)
    d = np.moveaxis(dout.reshape(shape[:axis] + (indices.size,) + shape[axis + 1 :]), axis, 0)
    np.add.at(moved, indices.reshape(-1), d)
    return out


gather_p = primitive(
    "gather",
    cpu=lambda params, indices, *, axis: np.take(params, indices, axis=axis),
    infer=_gather_infer,
    bprop=_gather_bprop,
    attrs=("axis",),
)
example(
    gather_p, lambda c: ([c.r(5, 3), c.idx(5, 4)], {"axis": 0}, lambda p, i: np.take(p, i, axis=0))
)
S.attr_schema(gather_p, axis=S.Int())
gather_grad_p = primitive(
    "gather_grad",
    cpu=_gather_grad_kernel,
    infer=lambda dout, indices, *, axis, shape: ShapedArray(tuple(shape), dout.dtype),
    bprop=lambda dout, indices, out, ddx, *, axis, shape: (gather(ddx, indices, axis), None),
    attrs=("axis", "shape"),
)
example(
    gather_grad_p,
    lambda c: (
        [c.r(4, 3), np.array([0, 2, 0, 1])],
        {"axis": 0, "shape": (5, 3)},
        lambda d, i: np.stack([d[0] + d[2], d[3], d[1], 0 * d[0], 0 * d[0]]),
    ),
)
S.attr_schema(gather_grad_p, axis=S.Int(), shape=S.SHAPE)


def gather(input_params: Any, input_indices: Any, axis: int, batch_dims: int = 0) -> Tensor:
    """Take slices of ``input_params`` along ``axis`` at ``input_indices``."""
    if batch_dims:
        raise MindValueError("For 'gather', batch_dims other than 0 is not supported yet")
    params = as_tensor(input_params)
    indices = as_tensor(input_indices)
    axis = I.normalize_axis("gather", axis, params.ndim)
    return bind2(gather_p, params, indices, {"axis": axis})


def _gather_nd_index(indices: np.ndarray) -> tuple:
    return tuple(np.moveaxis(indices, -1, 0))


def _gather_nd_infer(x: ShapedArray, indices: ShapedArray) -> ShapedArray:
    depth = indices.shape[-1] if indices.ndim else 0
    if depth > x.ndim:
        raise I.fail("gather_nd", f"'indices' last axis {depth} exceeds the input's rank {x.ndim}")
    return ShapedArray(indices.shape[:-1] + x.shape[depth:], x.dtype)


gather_nd_p = primitive(
    "gather_nd",
    cpu=lambda x, indices: x[_gather_nd_index(indices)],
    infer=_gather_nd_infer,
    bprop=lambda x, indices, out, dout: (
        tensor_scatter_add(zeros(x.shape, dout.dtype), indices, dout),
        None,
    ),
)
example(
    gather_nd_p,
    lambda c: ([c.r(3, 4), np.array([[0, 1], [2, 3]])], {}, lambda x, i: x[i[:, 0], i[:, 1]]),
)


def gather_nd(input_x: Any, indices: Any) -> Tensor:
    """Gather slices of ``input_x`` at N-dimensional ``indices`` (last axis = coordinates)."""
    return bind2(gather_nd_p, as_tensor(input_x), as_tensor(indices))


def _scatter_add_kernel(x, indices, updates):
    out = np.array(x, copy=True)
    np.add.at(out, _gather_nd_index(indices), updates)
    return out


def _scatter_add_infer(x: ShapedArray, indices: ShapedArray, updates: ShapedArray) -> ShapedArray:
    expected = _gather_nd_infer(x, indices).shape
    if updates.shape != expected:
        raise I.fail(
            "tensor_scatter_add",
            f"'updates' must have shape {expected} for these indices, got {updates.shape}",
        )
    return ShapedArray(x.shape, x.dtype)


tensor_scatter_add_p = primitive(
    "tensor_scatter_add",
    cpu=_scatter_add_kernel,
    infer=_scatter_add_infer,
    bprop=lambda x, indices, updates, out, dout: (dout, None, gather_nd(dout, indices)),
)
example(
    tensor_scatter_add_p,
    lambda c: (
        [c.r(3, 2), np.array([[0], [2], [0]]), c.r(3, 2)],
        {},
        lambda x, i, u: x + np.stack([u[0] + u[2], 0 * u[0], u[1]]),
    ),
)


def tensor_scatter_add(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` with ``updates`` added at N-dimensional ``indices`` (repeats add up)."""
    x = as_tensor(input_x)
    return bind(tensor_scatter_add_p, (x, as_tensor(indices), as_tensor(updates, x.dtype)))


def scatter_add(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """``input_x`` with ``updates`` added to its rows ``indices`` (first axis), repeats adding up.

    Returns a new tensor; MindSpore's ``ScatterAdd`` also writes into a Parameter, which Mind
    leaves to ``Parameter.set_data``.
    """
    idx = as_tensor(indices)
    return tensor_scatter_add(input_x, reshape(idx, idx.shape + (1,)), updates)


def _one_hot_kernel(indices, *, depth, on_value, off_value, axis, dtype):
    eye = indices[..., None] == np.arange(depth)
    out = np.where(eye, on_value, off_value).astype(dt.to_dtype(dtype).np)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


def _one_hot_infer(indices: ShapedArray, *, depth, on_value, off_value, axis, dtype) -> ShapedArray:
    _check_one_hot(indices, depth, axis)
    shape = list(indices.shape)
    shape.insert(axis if axis >= 0 else len(shape) + 1 + axis, depth)
    return ShapedArray(tuple(shape), dt.to_dtype(dtype))


def _check_one_hot(indices: Any, depth: Any, axis: Any) -> None:
    """MindSpore's OneHot checks: integer indices, an int depth >= 0, axis in [-1, ndim]."""
    if not indices.dtype.is_integer:
        raise MindTypeError(
            f"For 'one_hot', 'indices' must be an integer tensor, but got {indices.dtype}."
        )
    I.check_int("one_hot", "depth", depth, minimum=0)
    I.check_int("one_hot", "axis", axis, minimum=-1, maximum=indices.ndim)


one_hot_p = primitive(
    "one_hot",
    cpu=_one_hot_kernel,
    infer=_one_hot_infer,
    differentiable=False,
    attrs=("depth", "on_value", "off_value", "axis", "dtype"),
)
example(
    one_hot_p,
    lambda c: (
        [np.array([0, 2, 1])],
        {"depth": 3, "on_value": 1.0, "off_value": 0.0, "axis": -1, "dtype": "float32"},
        lambda i: np.eye(3)[i],
    ),
)
S.attr_schema(
    one_hot_p,
    depth=S.Int(lo=0),
    on_value=S.Number(bool_ok=True),
    off_value=S.Number(bool_ok=True),
    axis=S.Int(lo=-1),
    dtype=S.DType(),
)


def one_hot(
    indices: Any, depth: int, on_value: Any = 1.0, off_value: Any = 0.0, axis: int = -1
) -> Tensor:
    """One-hot encode integer ``indices`` into ``depth`` classes (float32 by default)."""

    def value(v):
        return v.item() if isinstance(v, Tensor) else v

    indices = as_tensor(indices)
    _check_one_hot(indices, depth, axis)
    dtype = as_tensor(on_value).dtype if isinstance(on_value, Tensor) else dt.float32
    attrs = {
        "depth": int(depth),
        "on_value": value(on_value),
        "off_value": value(off_value),
        "axis": int(axis),
        "dtype": dtype.name,
    }
    return bind1(one_hot_p, indices, attrs)


# ------------------------------------------------------------------------------------------------
# Creation
# ------------------------------------------------------------------------------------------------


def _allocate(op: str, fill: Any, shape: tuple[int, ...], dtype: dt.DType) -> Tensor:
    """A tensor of ``shape`` filled with ``fill``, allocated once in ``dtype`` (never a float64
    array cast afterwards, which would need three times the memory of a float32 result)."""
    try:
        if fill == 0:
            array = np.zeros(shape, dtype=dtype.np)
        else:
            array = np.full(shape, fill, dtype=dtype.np)
    except (MemoryError, ValueError) as exc:
        raise MindValueError(
            f"For '{op}', a {dtype} tensor of shape {shape} cannot be allocated: {exc}"
        ) from None
    return _const(array, dtype)


def zeros(size: Any, dtype: Any = None) -> Tensor:
    """A tensor of zeros (float32 by default), allocated in ``dtype``."""
    shape = I.check_shape("zeros", "size", size)
    return _allocate("zeros", 0, shape, dt.to_dtype(dtype) if dtype else dt.float32)


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """A tensor of ones (float32 by default), allocated in ``dtype``."""
    shape = I.check_shape("ones", "shape", shape)
    return _allocate("ones", 1, shape, dt.to_dtype(dtype) if dtype else dt.float32)


def full(size: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    shape = I.check_shape("full", "size", size)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = dt.to_dtype(dtype) if dtype else dt.to_dtype(type(fill_value))
    return _allocate("full", fill_value, shape, dtype)


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None) -> Tensor:
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, Tensor):
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise MindTypeError(
                f"For 'arange', '{name}' must be an int or a float, but got {type(v).__name__}."
            )
    if step == 0:
        raise MindValueError("For 'arange', 'step' must not be 0.")
    values = np.arange(start, end, step)
    if dtype is None:
        dtype = dt.float32 if values.dtype.kind == "f" else dt.int64
    return _const(values, dt.to_dtype(dtype))


def eye(n: int, m: int | None = None, dtype: Any = None) -> Tensor:
    n = I.check_int("eye", "n", n, minimum=0)
    m = n if m is None else I.check_int("eye", "m", m, minimum=0)
    dtype = dt.to_dtype(dtype) if dtype else dt.float32
    return _const(np.eye(n, m, dtype=dtype.np), dtype)


# ------------------------------------------------------------------------------------------------
# Bands of matrices (the last two axes)
# ------------------------------------------------------------------------------------------------


def _band(op: str, x: Any, low: int | None, high: int | None) -> Tensor:
    """``x`` with the elements of each matrix outside ``low <= col - row <= high`` zeroed
    (``None``: no bound); a ``where`` on a constant mask, so it differentiates, compiles and
    maps like one."""
    x = as_tensor(x)
    if x.ndim < 2:
        raise MindValueError(
            f"For '{op}', the input must have at least 2 dims, got shape {x.shape}"
        )
    rows, cols = x.shape[-2:]
    offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]
    keep = np.ones((rows, cols), bool)
    if low is not None:
        keep &= offset >= low
    if high is not None:
        keep &= offset <= high
    return where(_const(keep, dt.bool_), x, _const(np.zeros((), x.dtype.np), x.dtype))


def _diagonal_arg(op: str, name: str, value: Any) -> int:
    if isinstance(value, Tensor) and not value.shape and not value.dtype.is_floating_point:
        value = value.item()
    return I.check_int(op, name, value)


def triu(input: Any, diagonal: int = 0) -> Tensor:
    """The upper triangle of each matrix: elements on and above diagonal ``diagonal`` (0 the
    main one, positive above it), the rest zero."""
    return _band("triu", input, _diagonal_arg("triu", "diagonal", diagonal), None)


def tril(input: Any, diagonal: int = 0) -> Tensor:
    """The lower triangle of each matrix: elements on and below diagonal ``diagonal``."""
    return _band("tril", input, None, _diagonal_arg("tril", "diagonal", diagonal))


def matrix_band_part(x: Any, lower: Any, upper: Any) -> Tensor:
    """Each matrix's band: ``lower`` diagonals below the main one and ``upper`` above it kept
    (a negative count keeps that whole triangle), the rest zero (MindSpore's
    ``ops.matrix_band_part``)."""
    lower = _diagonal_arg("matrix_band_part", "lower", lower)
    upper = _diagonal_arg("matrix_band_part", "upper", upper)
    low = None if lower < 0 else -lower
    return _band("matrix_band_part", x, low, None if upper < 0 else upper)
