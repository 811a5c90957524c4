"""Scatter ops with MindSpore's names: ``tensor_scatter_*`` (a new tensor with updates combined in
at N-dimensional indices), ``scatter_nd_*`` and ``scatter_*`` (the same into a Parameter, in
place; ``scatter_*`` index rows), ``tensor_scatter_elements`` / ``scatter`` (one index per element
along an axis) and ``unsorted_segment_*`` (reductions over segment ids).

Four primitives are new, each where no composition computes the values: ``tensor_scatter_mul``,
``tensor_scatter_max`` and ``tensor_scatter_min`` (updates at a repeated index combine by the
product, the maximum, the minimum) and ``tensor_scatter_update`` (a repeated index keeps its last
update, in PyNative and inside ``jit`` alike); each batches in one call under ``vmap``.
Everything else composes them with ``tensor_scatter_add``, ``gather_nd`` and ``where``, so
gradients, ``jit`` and ``vmap`` work for every op here.

Indices are int32 or int64, as MindSpore's. A negative index counts from the end (numpy's
rule); an index past the end raises :class:`ScatterIndexError`, both a ``ValueError`` and a
``RuntimeError`` (MindSpore's kernels raise either, by op). A fifth primitive,
``index_range_check``, does that check where the scatter runs, so a compiled graph raises it too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.autodiff.vmap import batching_rule
from mind.core._src.ir.trace import current_tracer
from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import (
    assign,
    full,
    gather_nd,
    getitem,
    reshape,
    stack,
    tensor_scatter_add,
    zeros,
)
from mind.core._src.ops.dispatch import ShapedArray, bind, example, primitive
from mind.core._src.ops.elementwise import (
    _const,
    add,
    cast,
    div,
    equal,
    greater_equal,
    less,
    logical_and,
    mul,
    neg,
    ones_like,
    trunc,
    where,
    zeros_like,
)
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = [
    "scatter",
    "scatter_div",
    "scatter_max",
    "scatter_min",
    "scatter_mul",
    "scatter_nd_add",
    "scatter_nd_div",
    "scatter_nd_max",
    "scatter_nd_min",
    "scatter_nd_mul",
    "scatter_nd_sub",
    "scatter_nd_update",
    "scatter_update",
    "tensor_scatter_div",
    "tensor_scatter_elements",
    "tensor_scatter_max",
    "tensor_scatter_min",
    "tensor_scatter_mul",
    "tensor_scatter_sub",
    "tensor_scatter_update",
    "unsorted_segment_max",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sum",
]

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(...)`` is ``name(tensor, ...)``); a pair (method, function) where MindSpore's method is a
#: *different* functional op: ``Tensor.scatter_mul`` is ``tensor_scatter_mul`` (N-dimensional
#: indices, a new tensor) while ``ops.scatter_mul`` indexes rows of a Parameter;
#: ``Tensor.scatter_add`` takes ``(indices, updates)`` or ``(dim, index, src)``.
TENSOR_METHODS: tuple[str | tuple[str, str], ...] = (
    "scatter",
    "unsorted_segment_max",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    ("scatter_add", "_scatter_add_method"),
    ("scatter_sub", "tensor_scatter_sub"),  # (there is no ops.scatter_sub)
    ("scatter_mul", "tensor_scatter_mul"),
    ("scatter_div", "tensor_scatter_div"),
    ("scatter_max", "tensor_scatter_max"),
    ("scatter_min", "tensor_scatter_min"),
)


class ScatterIndexError(MindValueError, RuntimeError):
    """An index of a scatter (or a segment id) is past the end of the axis it indexes.

    MindSpore's kernels raise a ``RuntimeError`` for most ops and a ``ValueError`` for some; this
    error is both, so code written for either catches it.

    Fix: keep every index in ``[-n, n)`` for an axis of size ``n`` (segment ids in
    ``[0, num_segments)``).
    """


# ------------------------------------------------------------------------------------------------
# Argument checks (on Tensors and on the ShapedArrays inference sees)
# ------------------------------------------------------------------------------------------------


def _index_tensor(op: str, name: str, value: Any) -> Tensor:
    value = as_tensor(value)
    if value.dtype not in (dt.int32, dt.int64):
        raise MindTypeError(
            f"For '{op}', '{name}' must be an int32 or int64 tensor, got {value.dtype}"
        )
    return value


def _check_nd(op: str, x: Any, indices: Any, updates: Any) -> None:
    """``indices`` (..., k) address slices ``x[i_0, ..., i_k-1]``; ``updates`` must have shape
    ``indices.shape[:-1] + x.shape[k:]``."""
    if indices.dtype not in (dt.int32, dt.int64):
        raise MindTypeError(
            f"For '{op}', 'indices' must be an int32 or int64 tensor, got {indices.dtype}"
        )
    if indices.ndim == 0:
        raise I.fail(op, "'indices' must have at least 1 dimension, got a scalar")
    depth = indices.shape[-1]
    if depth > x.ndim:
        raise I.fail(
            op,
            f"the last dimension of 'indices' ({depth}) must not exceed the rank of 'input_x' "
            f"({x.ndim})",
        )
    expected = tuple(indices.shape[:-1]) + tuple(x.shape[depth:])
    if tuple(updates.shape) != expected:
        raise I.fail(
            op,
            f"'updates' must have shape indices.shape[:-1] + input_x.shape[{depth}:] = "
            f"{expected}, got {tuple(updates.shape)}",
        )


def _range_kernel(indices, *, op, sizes, negative):
    """``indices`` unchanged, once every index is in ``[-n, n)`` of its axis (``[0, n)`` or
    below 0 with ``negative="drop"``: segment ids, where negative ones are dropped)."""
    if indices.size and sizes:
        values = np.asarray(indices).reshape(-1, len(sizes))
        bound = np.asarray(sizes, np.int64)
        out = values >= bound
        if negative == "wrap":
            out |= values < -bound
        bad = np.nonzero(out.any(axis=1))[0]
        if bad.size:
            what = "segment_ids" if negative == "drop" else "indices"
            raise ScatterIndexError(
                f"For '{op}', '{what}' {values[bad[0]].tolist()} is out of range for "
                f"{'num_segments' if negative == 'drop' else 'the indexed shape'} "
                f"{tuple(sizes) if len(sizes) > 1 else sizes[0]}"
            )
    return indices


# Checks the indices where the scatter runs (eagerly, or in the compiled graph): numpy's own
# IndexError would not name the op, and is neither of the errors MindSpore raises.
index_range_check_p = primitive(
    "index_range_check",
    cpu=_range_kernel,
    infer=lambda indices, *, op, sizes, negative: ShapedArray(indices.shape, indices.dtype),
    differentiable=False,
    attrs=("op", "sizes", "negative"),
    traits=("view",),
)
example(
    index_range_check_p,
    lambda c: (
        [np.array([[0, 1], [-2, 2]])],
        {"op": "tensor_scatter_update", "sizes": (2, 3), "negative": "wrap"},
        lambda i: i,
    ),
)
S.attr_schema(index_range_check_p, op=S.Text(), sizes=S.Ints(lo=0), negative=S.Str("wrap", "drop"))


def _in_range(op: str, indices: Tensor, sizes: tuple[int, ...], negative: str = "wrap") -> Tensor:
    attrs = {"op": op, "sizes": tuple(int(s) for s in sizes), "negative": negative}
    return bind(index_range_check_p, (indices,), attrs)


def _nd_args(op: str, input_x: Any, indices: Any, updates: Any) -> tuple[Tensor, Tensor, Tensor]:
    x, indices, updates = as_tensor(input_x), as_tensor(indices), as_tensor(updates)
    _check_nd(op, x, indices, updates)
    indices = _in_range(op, indices, tuple(x.shape[: indices.shape[-1]]))
    return x, indices, cast(updates, x.dtype)


def _row_args(op: str, input_x: Any, indices: Any, updates: Any) -> tuple[Tensor, Tensor, Tensor]:
    """``scatter_*``'s rows: ``indices`` (any shape) index the first axis and ``updates`` has
    shape ``indices.shape + input_x.shape[1:]``; returned as N-dimensional indices."""
    x, indices, updates = (
        as_tensor(input_x),
        _index_tensor(op, "indices", indices),
        as_tensor(updates),
    )
    if x.ndim == 0:
        raise I.fail(op, "'input_x' must have at least 1 dimension, got a scalar")
    expected = tuple(indices.shape) + tuple(x.shape[1:])
    if tuple(updates.shape) != expected:
        raise I.fail(
            op,
            f"'updates' must have shape indices.shape + input_x.shape[1:] = {expected}, got "
            f"{tuple(updates.shape)}",
        )
    rows = _in_range(op, reshape(indices, tuple(indices.shape) + (1,)), (x.shape[0],))
    return x, rows, cast(updates, x.dtype)


def _written(input_x: Any, new: Tensor) -> Tensor:
    """``input_x`` updated in place and returned, as MindSpore's kernels do. A Parameter, and
    inside ``jit`` any Tensor, is assigned (the graph writes it when it runs); an eager Tensor
    is rebound to the result, as ``x[i] = v`` rebinds it, so a tape that holds its old value
    still computes the right gradient."""
    if isinstance(input_x, Parameter) or (isinstance(input_x, Tensor) and current_tracer()):
        assign(input_x, new)
        return input_x
    if isinstance(input_x, Tensor):
        input_x._data, input_x._node = new._data, new._node
        return input_x
    return new


# ------------------------------------------------------------------------------------------------
# The primitives: multiply, maximum, minimum and last-update-wins at N-dimensional indices
# ------------------------------------------------------------------------------------------------


def _coordinates(indices: np.ndarray) -> tuple:
    return tuple(np.moveaxis(indices, -1, 0))


def _combining_kernel(ufunc: np.ufunc) -> Any:
    def kernel(x, indices, updates):
        out = np.array(x, copy=True)
        ufunc.at(out, _coordinates(indices), updates)
        return out

    return kernel


def _update_kernel(x, indices, updates):
    out = np.array(x, copy=True)
    depth = indices.shape[-1]
    rows = indices.reshape(-1, depth).astype(np.int64)
    if rows.shape[0] == 0:
        return out
    if depth == 0:  # each update replaces the whole input
        return np.array(updates.reshape((-1,) + x.shape)[-1], dtype=x.dtype)
    values = updates.reshape((rows.shape[0],) + x.shape[depth:])
    rows = np.where(rows < 0, rows + np.asarray(x.shape[:depth]), rows)  # -1 and n-1: one slot
    # the last write of each index wins: keep the last occurrence of each row
    _, first_from_end = np.unique(rows[::-1], axis=0, return_index=True)
    keep = np.sort(len(rows) - 1 - first_from_end)
    out[tuple(rows[keep].T)] = values[keep]
    return out


def _infer(op: str) -> Any:
    def infer(x: ShapedArray, indices: ShapedArray, updates: ShapedArray) -> ShapedArray:
        _check_nd(op, x, indices, updates)
        return ShapedArray(x.shape, x.dtype)

    return infer


def _exclusive_product(x: Tensor, indices: Tensor, updates: Tensor) -> Tensor:
    """For each update, the product of the *other* updates at its index, without dividing by a
    zero: counted zeros decide whether the product of the non-zero ones stands."""
    zero = equal(updates, 0)
    nonzero = where(zero, _const(1, updates.dtype), updates)
    products = gather_nd(bind(tensor_scatter_mul_p, (ones_like(x), indices, nonzero)), indices)
    zeros_at = gather_nd(tensor_scatter_add(zeros_like(x), indices, cast(zero, x.dtype)), indices)
    none_elsewhere = equal(zeros_at, where(zero, _const(1, x.dtype), _const(0, x.dtype)))
    own = where(zero, _const(1, x.dtype), nonzero)
    return where(none_elsewhere, div(products, own), zeros_like(products))


def _mul_bprop(x, indices, updates, out, dout):
    dx = bind(tensor_scatter_mul_p, (dout, indices, updates))
    dupdates = mul(gather_nd(mul(dout, x), indices), _exclusive_product(x, indices, updates))
    return dx, None, dupdates


def _extreme_bprop(x, indices, updates, out, dout):
    """MindSpore's rule: the cotangent is shared equally among the values equal to the result
    (the input's and every update's at that index)."""
    from_x = cast(equal(x, out), dout.dtype)
    from_updates = cast(equal(updates, gather_nd(out, indices)), dout.dtype)
    count = add(from_x, tensor_scatter_add(zeros_like(from_x), indices, from_updates))
    share = div(dout, count)
    return mul(share, from_x), None, mul(gather_nd(share, indices), from_updates)


def _last_writes(shape: tuple[int, ...], indices: Tensor) -> Tensor:
    """Per update (of ``indices.shape[:-1]``): whether it is the last one at its index."""
    lead = tuple(indices.shape[:-1])
    order = _const(np.arange(int(np.prod(lead, dtype=np.int64))).reshape(lead), dt.int64)
    last = bind(tensor_scatter_max_p, (full(shape, -1, dtype=dt.int64), indices, order))
    return equal(gather_nd(last, indices), order)


def _update_bprop(x, indices, updates, out, dout):
    depth = indices.shape[-1]
    hit = tensor_scatter_add(
        zeros(x.shape, dout.dtype), indices, ones_like(updates, dtype=dout.dtype)
    )
    dx = where(equal(hit, 0), dout, zeros_like(dout))
    won = _last_writes(tuple(x.shape[:depth]), indices)
    won = reshape(won, tuple(won.shape) + (1,) * (x.ndim - depth))
    return dx, None, where(won, gather_nd(dout, indices), _const(0, dout.dtype))


tensor_scatter_mul_p = primitive(
    "tensor_scatter_mul",
    cpu=_combining_kernel(np.multiply),
    infer=_infer("tensor_scatter_mul"),
    bprop=_mul_bprop,
)
example(
    tensor_scatter_mul_p,
    lambda c: (
        [c.r(3, 2), np.array([[0], [2], [0]]), c.r(3, 2)],
        {},
        lambda x, i, u: x * np.stack([u[0] * u[2], np.ones_like(u[0]), u[1]]),
    ),
)
tensor_scatter_max_p = primitive(
    "tensor_scatter_max",
    cpu=_combining_kernel(np.maximum),
    infer=_infer("tensor_scatter_max"),
    bprop=_extreme_bprop,
)
example(
    tensor_scatter_max_p,
    lambda c: (
        [c.r(3, 2), np.array([[0], [2], [0]]), c.r(3, 2)],
        {},
        lambda x, i, u: np.stack(
            [np.maximum(x[0], np.maximum(u[0], u[2])), x[1], np.maximum(x[2], u[1])]
        ),
    ),
)
tensor_scatter_min_p = primitive(
    "tensor_scatter_min",
    cpu=_combining_kernel(np.minimum),
    infer=_infer("tensor_scatter_min"),
    bprop=_extreme_bprop,
)
example(
    tensor_scatter_min_p,
    lambda c: (
        [c.r(3, 2), np.array([[0], [2], [0]]), c.r(3, 2)],
        {},
        lambda x, i, u: np.stack(
            [np.minimum(x[0], np.minimum(u[0], u[2])), x[1], np.minimum(x[2], u[1])]
        ),
    ),
)
tensor_scatter_update_p = primitive(
    "tensor_scatter_update",
    cpu=_update_kernel,
    infer=_infer("tensor_scatter_update"),
    bprop=_update_bprop,
)
example(
    tensor_scatter_update_p,
    lambda c: (
        [c.r(3, 2), np.array([[0], [2], [0]]), c.r(3, 2)],
        {},
        lambda x, i, u: np.stack([u[2], x[1], u[1]]),
    ),
)


# Batching: the batch axis becomes one more coordinate, so a batch scatters in one kernel call.
@batching_rule(tensor_scatter_mul_p)
@batching_rule(tensor_scatter_max_p)
@batching_rule(tensor_scatter_min_p)
@batching_rule(tensor_scatter_update_p)
def _batched_scatter(b: Any, kernel: Any, first: Any, arrays: tuple, attrs: dict) -> Any:
    x, indices, updates = (b.batched(a) for a in arrays)
    lead = tuple(indices.shape[:-1])  # the batch axis first
    which = np.arange(b.batch, dtype=indices.dtype).reshape((b.batch,) + (1,) * len(lead))
    which = np.ascontiguousarray(np.broadcast_to(which, lead + (1,)))
    return kernel(x, b.base("concat", which, indices, axis=len(lead)), updates, **attrs)


@batching_rule(index_range_check_p)
def _batched_check(b: Any, kernel: Any, first: Any, arrays: tuple, attrs: dict) -> Any:
    return kernel(first.value, **attrs)  # a batch of indices is more of them, checked alike


# ------------------------------------------------------------------------------------------------
# tensor_scatter_*: a new tensor
# ------------------------------------------------------------------------------------------------


def tensor_scatter_sub(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` with ``updates`` subtracted at the N-dimensional ``indices`` (the
    last axis of ``indices`` holds coordinates; repeated indices subtract each update).

    >>> ops.tensor_scatter_sub(Tensor([1., 2., 3.]), Tensor([[0], [0]]), Tensor([1., 2.]))
    ... # [-2., 2., 3.]

    Supported devices: cpu, native.
    """
    x, indices, updates = _nd_args("tensor_scatter_sub", input_x, indices, updates)
    return tensor_scatter_add(x, indices, neg(updates))


def tensor_scatter_mul(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` multiplied by ``updates`` at the N-dimensional ``indices``
    (repeated indices multiply by each update).

    >>> ops.tensor_scatter_mul(Tensor([1., 2., 3.]), Tensor([[1], [1]]), Tensor([2., 5.]))
    ... # [1., 20., 3.]

    Supported devices: cpu, native.
    """
    return bind(tensor_scatter_mul_p, _nd_args("tensor_scatter_mul", input_x, indices, updates))


def tensor_scatter_div(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` divided by ``updates`` at the N-dimensional ``indices`` (repeated
    indices divide by each update; integers divide truncating toward zero, as MindSpore's
    kernels). ``updates`` must not hold zeros.

    >>> ops.tensor_scatter_div(Tensor([6., 2., 3.]), Tensor([[0], [0]]), Tensor([2., 3.]))
    ... # [1., 2., 3.]

    Supported devices: cpu, native.
    """
    x, indices, updates = _nd_args("tensor_scatter_div", input_x, indices, updates)
    divisor = bind(tensor_scatter_mul_p, (ones_like(x), indices, updates))
    if x.dtype.is_floating_point or x.dtype.kind == "c":
        return div(x, divisor)
    quotient = trunc(div(cast(x, dt.float64), cast(divisor, dt.float64)))
    return cast(quotient, x.dtype)


def tensor_scatter_max(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` where each index holds the maximum of its value and the ``updates``
    at it (N-dimensional ``indices``).

    >>> ops.tensor_scatter_max(Tensor([1., 5., 3.]), Tensor([[0], [1]]), Tensor([4., 2.]))
    ... # [4., 5., 3.]

    Supported devices: cpu, native.
    """
    return bind(tensor_scatter_max_p, _nd_args("tensor_scatter_max", input_x, indices, updates))


def tensor_scatter_min(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` where each index holds the minimum of its value and the ``updates``
    at it (N-dimensional ``indices``).

    >>> ops.tensor_scatter_min(Tensor([1., 5., 3.]), Tensor([[0], [1]]), Tensor([4., 2.]))
    ... # [1., 2., 3.]

    Supported devices: cpu, native.
    """
    return bind(tensor_scatter_min_p, _nd_args("tensor_scatter_min", input_x, indices, updates))


def tensor_scatter_update(input_x: Any, indices: Any, updates: Any) -> Tensor:
    """A copy of ``input_x`` with ``updates`` written at the N-dimensional ``indices``; a
    repeated index keeps its last update, in PyNative and inside ``jit`` alike.

    >>> ops.tensor_scatter_update(Tensor([1., 2., 3.]), Tensor([[0], [0]]), Tensor([7., 9.]))
    ... # [9., 2., 3.]

    Supported devices: cpu, native.
    """
    return bind(
        tensor_scatter_update_p, _nd_args("tensor_scatter_update", input_x, indices, updates)
    )


def _scatter_add_method(self: Any, *args: Any, **kwargs: Any) -> Tensor:
    """``Tensor.scatter_add``: ``(indices, updates)`` is :func:`tensor_scatter_add`; ``(dim,
    index, src)`` adds ``src`` along ``dim`` (:func:`tensor_scatter_elements` with "add")."""
    if len(args) + len(kwargs) == 3 or "dim" in kwargs:
        names = ("dim", "index", "src")
        bound = dict(zip(names, args), **kwargs)
        return tensor_scatter_elements(self, bound["index"], bound["src"], bound["dim"], "add")
    names = ("indices", "updates")
    bound = dict(zip(names, args), **kwargs)
    x, indices, updates = _nd_args("scatter_add", self, bound["indices"], bound["updates"])
    return tensor_scatter_add(x, indices, updates)


# ------------------------------------------------------------------------------------------------
# scatter_* and scatter_nd_*: into a Parameter, in place
# ------------------------------------------------------------------------------------------------


def _row_op(op: str, combine: Any, doc: str) -> Any:
    def fn(input_x: Any, indices: Any, updates: Any) -> Tensor:
        x, rows, values = _row_args(op, input_x, indices, updates)
        return _written(input_x, combine(x, rows, values))

    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = doc
    return fn


def _nd_op(op: str, combine: Any, doc: str, use_locking: bool = False) -> Any:
    def fn(input_x: Any, indices: Any, updates: Any, use_locking: bool = use_locking) -> Tensor:
        x, indices, updates = _nd_args(op, input_x, indices, updates)
        return _written(input_x, combine(x, indices, updates))

    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = doc
    return fn


def _divide(x: Tensor, indices: Tensor, updates: Tensor) -> Tensor:
    return tensor_scatter_div(x, indices, updates)


def _row_doc(verb: str, example_line: str) -> str:
    return (
        f"``input_x`` with its rows ``indices`` (first axis) {verb} ``updates`` (shaped "
        "``indices.shape + input_x.shape[1:]``; a repeated row takes each update in turn). "
        "``input_x`` (a Parameter or a Tensor) is updated in place and returned, as "
        f"MindSpore's.\n\n    >>> {example_line}\n\n    Supported devices: cpu, native.\n"
    )


def _nd_doc(verb: str, example_line: str) -> str:
    return (
        f"``input_x`` with the slices at the N-dimensional ``indices`` {verb} ``updates`` "
        "(shaped ``indices.shape[:-1] + input_x.shape[indices.shape[-1]:]``). ``input_x`` (a "
        "Parameter or a Tensor) is updated in place and returned, as MindSpore's. "
        "``use_locking`` is accepted for MindSpore's signature (Mind's writes never race).\n\n"
        f"    >>> {example_line}\n\n    Supported devices: cpu, native.\n"
    )


_P = "x = Parameter(Tensor([[1., 1.], [2., 2.]]), name='x'); "
scatter_mul = _row_op(
    "scatter_mul",
    lambda x, i, u: bind(tensor_scatter_mul_p, (x, i, u)),
    _row_doc("multiplied by", _P + "ops.scatter_mul(x, Tensor([1]), Tensor([[3., 4.]]))"),
)
scatter_div = _row_op(
    "scatter_div",
    _divide,
    _row_doc("divided by", _P + "ops.scatter_div(x, Tensor([1]), Tensor([[2., 4.]]))"),
)
scatter_max = _row_op(
    "scatter_max",
    lambda x, i, u: bind(tensor_scatter_max_p, (x, i, u)),
    _row_doc(
        "raised to the maximum with", _P + "ops.scatter_max(x, Tensor([0]), Tensor([[0., 5.]]))"
    ),
)
scatter_min = _row_op(
    "scatter_min",
    lambda x, i, u: bind(tensor_scatter_min_p, (x, i, u)),
    _row_doc(
        "lowered to the minimum with", _P + "ops.scatter_min(x, Tensor([0]), Tensor([[0., 5.]]))"
    ),
)
scatter_update = _row_op(
    "scatter_update",
    lambda x, i, u: bind(tensor_scatter_update_p, (x, i, u)),
    _row_doc(
        "replaced by (the last update wins)",
        _P + "ops.scatter_update(x, Tensor([0, 0]), Tensor([[3., 3.], [4., 4.]]))",
    ),
)

_Q = "x = Parameter(Tensor([1., 2., 3.]), name='x'); "
scatter_nd_add = _nd_op(
    "scatter_nd_add",
    tensor_scatter_add,
    _nd_doc(
        "plus", _Q + "ops.scatter_nd_add(x, Tensor([[0], [0]]), Tensor([1., 2.]))   # [4., 2., 3.]"
    ),
)
scatter_nd_sub = _nd_op(
    "scatter_nd_sub",
    lambda x, i, u: tensor_scatter_add(x, i, neg(u)),
    _nd_doc("minus", _Q + "ops.scatter_nd_sub(x, Tensor([[2]]), Tensor([1.]))   # [1., 2., 2.]"),
)
scatter_nd_mul = _nd_op(
    "scatter_nd_mul",
    lambda x, i, u: bind(tensor_scatter_mul_p, (x, i, u)),
    _nd_doc("times", _Q + "ops.scatter_nd_mul(x, Tensor([[1]]), Tensor([4.]))   # [1., 8., 3.]"),
)
scatter_nd_div = _nd_op(
    "scatter_nd_div",
    _divide,
    _nd_doc(
        "divided by", _Q + "ops.scatter_nd_div(x, Tensor([[1]]), Tensor([4.]))   # [1., .5, 3.]"
    ),
)
scatter_nd_max = _nd_op(
    "scatter_nd_max",
    lambda x, i, u: bind(tensor_scatter_max_p, (x, i, u)),
    _nd_doc(
        "raised to the maximum with",
        _Q + "ops.scatter_nd_max(x, Tensor([[0]]), Tensor([5.]))   # [5., 2., 3.]",
    ),
)
scatter_nd_min = _nd_op(
    "scatter_nd_min",
    lambda x, i, u: bind(tensor_scatter_min_p, (x, i, u)),
    _nd_doc(
        "lowered to the minimum with",
        _Q + "ops.scatter_nd_min(x, Tensor([[2]]), Tensor([0.]))   # [1., 2., 0.]",
    ),
)
scatter_nd_update = _nd_op(
    "scatter_nd_update",
    lambda x, i, u: bind(tensor_scatter_update_p, (x, i, u)),
    _nd_doc(
        "replaced by (the last update wins)",
        _Q + "ops.scatter_nd_update(x, Tensor([[0]]), Tensor([9.]))   # [9., 2., 3.]",
    ),
    use_locking=True,
)


# ------------------------------------------------------------------------------------------------
# One index per element along an axis: tensor_scatter_elements, scatter
# ------------------------------------------------------------------------------------------------


def tensor_scatter_elements(
    input_x: Any, indices: Any, updates: Any, axis: int = 0, reduction: str = "none"
) -> Tensor:
    """A copy of ``input_x`` with ``updates[i][j]`` written (``reduction="none"``) or added
    (``"add"``) at ``[indices[i][j]][j]`` for ``axis=0``, ``[i][indices[i][j]]`` for ``axis=1``,
    and so on in higher ranks. ``indices`` has the input's rank, and outside ``axis`` sizes no
    larger than its; ``updates`` has the same rank and sizes at least ``indices``' (the part
    ``indices`` covers is used). Written positions that repeat keep the last update.

    >>> ops.tensor_scatter_elements(Tensor([[1., 2., 3.]]), Tensor([[2, 0]]),
    ...                             Tensor([[8., 9.]]), 1)   # [[9., 2., 8.]]

    Supported devices: cpu, native.
    """
    op = "tensor_scatter_elements"
    x = as_tensor(input_x)
    index = _index_tensor(op, "indices", indices)
    updates = as_tensor(updates)
    if reduction not in ("none", "add"):
        raise MindValueError(f"For '{op}', 'reduction' must be 'none' or 'add', got {reduction!r}")
    if x.ndim < 1:
        raise I.fail(op, "'input_x' must have at least 1 dimension, got a scalar")
    if index.ndim != x.ndim or updates.ndim != x.ndim:
        raise I.fail(
            op,
            f"'input_x', 'indices' and 'updates' must have one rank, got shapes {x.shape}, "
            f"{index.shape} and {updates.shape}",
        )
    axis = I.normalize_axis(op, I.check_int(op, "axis", axis), x.ndim)
    for d, (i, s, u) in enumerate(zip(index.shape, x.shape, updates.shape)):
        if u < i or (d != axis and i > s):
            raise I.fail(
                op,
                f"'indices' shape {index.shape} must be no larger than 'updates' shape "
                f"{updates.shape}, and than 'input_x' shape {x.shape} outside axis {axis}",
            )
    if tuple(updates.shape) != tuple(index.shape):
        updates = getitem(updates, tuple(slice(0, i) for i in index.shape))
    n = x.shape[axis]
    along = cast(_in_range(op, index, (n,)), dt.int64)
    along = where(less(along, 0), add(along, n), along)
    grid = np.indices(index.shape, dtype=np.int64)
    coordinates = stack(
        [along if d == axis else _const(grid[d], dt.int64) for d in range(x.ndim)], -1
    )
    updates = cast(updates, x.dtype)
    if reduction == "add":
        return tensor_scatter_add(x, coordinates, updates)
    return bind(tensor_scatter_update_p, (x, coordinates, updates))


def scatter(input: Any, axis: int, index: Any, src: Any) -> Tensor:
    """``input`` with ``src`` written along ``axis`` at ``index`` (see
    :func:`tensor_scatter_elements`); ``src`` may also be a number, written at every index.

    >>> ops.scatter(Tensor([[0., 0., 0.]]), 1, Tensor([[2, 0]]), Tensor([[8., 9.]]))
    ... # [[9., 0., 8.]]

    Supported devices: cpu, native.
    """
    if not isinstance(src, Tensor):
        if isinstance(src, bool) or not isinstance(src, int | float | np.number):
            raise MindTypeError(
                f"For 'scatter', 'src' must be a Tensor or a number, got {type(src).__name__}"
            )
        x = as_tensor(input)
        src = full(tuple(as_tensor(index).shape), src, dtype=x.dtype)
    return tensor_scatter_elements(input, index, src, axis, "none")


# ------------------------------------------------------------------------------------------------
# unsorted_segment_*: reductions over segment ids
# ------------------------------------------------------------------------------------------------


def _segments(op: str, x: Any, segment_ids: Any, num_segments: Any, strict: bool) -> tuple:
    """``x`` flattened to one row per segment id, the rows' N-dimensional indices (ids out of
    range point at segment 0), a mask of the ids in range and the output's shape."""
    x = as_tensor(x)
    ids = _index_tensor(op, "segment_ids", segment_ids)
    if isinstance(num_segments, Tensor):
        if num_segments.ndim != 0 or not num_segments.dtype.is_integer:
            raise MindTypeError(
                f"For '{op}', 'num_segments' must be an int or a 0-D integer Tensor, got "
                f"{num_segments.dtype} of shape {num_segments.shape}"
            )
        num_segments = int(np.asarray(num_segments.asnumpy()))
    n = I.check_int(op, "num_segments", num_segments, minimum=1)
    if ids.ndim > x.ndim or tuple(x.shape[: ids.ndim]) != tuple(ids.shape):
        raise I.fail(
            op,
            f"'segment_ids' shape {ids.shape} must be a prefix of the input's shape {x.shape}",
        )
    if strict:
        ids = _in_range(op, ids, (n,), "drop")
    rest = tuple(x.shape[ids.ndim :])
    count = int(np.prod(ids.shape, dtype=np.int64))
    rows = reshape(x, (count,) + rest)
    flat = reshape(ids, (count,))
    valid = logical_and(greater_equal(flat, 0), less(flat, n))
    indices = reshape(where(valid, flat, _const(0, flat.dtype)), (count, 1))
    mask = reshape(valid, (count,) + (1,) * len(rest))
    return rows, indices, mask, (n,) + rest


def _extreme_of(dtype: dt.DType, highest: bool) -> Any:
    info = np.finfo(dtype.np) if dtype.is_floating_point else np.iinfo(dtype.np)
    return info.max if highest else info.min


def unsorted_segment_sum(input_x: Any, segment_ids: Any, num_segments: Any) -> Tensor:
    """``output[i] = sum of input_x[j...]`` over the ``j...`` with ``segment_ids[j...] == i``;
    ``segment_ids`` has the shape of a prefix of ``input_x``'s, and the output has shape
    ``(num_segments,) + input_x.shape[segment_ids.ndim:]``. Ids outside ``[0, num_segments)``
    are dropped; an absent segment is 0.

    >>> ops.unsorted_segment_sum(Tensor([1., 2., 3.]), Tensor([0, 0, 2]), 3)   # [3., 0., 3.]

    Supported devices: cpu, native.
    """
    rows, indices, mask, shape = _segments(
        "unsorted_segment_sum", input_x, segment_ids, num_segments, False
    )
    values = where(mask, rows, _const(0, rows.dtype))
    return tensor_scatter_add(zeros(shape, rows.dtype), indices, values)


def _segment_extreme(op: str, prim: Any, highest: bool) -> Any:
    def fn(x: Any, segment_ids: Any, num_segments: Any) -> Tensor:
        rows, indices, mask, shape = _segments(op, x, segment_ids, num_segments, True)
        fill = _extreme_of(rows.dtype, highest)
        values = where(mask, rows, _const(fill, rows.dtype))
        return bind(prim, (full(shape, fill, dtype=rows.dtype), indices, values))

    fn.__name__ = fn.__qualname__ = op
    return fn


unsorted_segment_max = _segment_extreme("unsorted_segment_max", tensor_scatter_max_p, False)
unsorted_segment_max.__doc__ = """The maximum of ``x``'s rows per segment (see
    :func:`unsorted_segment_sum` for the shapes); an absent segment holds the lowest value of the
    dtype, as MindSpore's. Negative ids are dropped; an id ``>= num_segments`` raises
    :class:`ScatterIndexError`. The gradient is shared among the rows equal to the maximum.

    >>> ops.unsorted_segment_max(Tensor([1., 5., 3.]), Tensor([0, 0, 1]), 2)   # [5., 3.]

    Supported devices: cpu, native.
    """
unsorted_segment_min = _segment_extreme("unsorted_segment_min", tensor_scatter_min_p, True)
unsorted_segment_min.__doc__ = """The minimum of ``x``'s rows per segment (see
    :func:`unsorted_segment_sum` for the shapes); an absent segment holds the highest value of
    the dtype, as MindSpore's. Negative ids are dropped; an id ``>= num_segments`` raises
    :class:`ScatterIndexError`. The gradient is shared among the rows equal to the minimum.

    >>> ops.unsorted_segment_min(Tensor([1., 5., 3.]), Tensor([0, 0, 1]), 2)   # [1., 3.]

    Supported devices: cpu, native.
    """


def unsorted_segment_prod(x: Any, segment_ids: Any, num_segments: Any) -> Tensor:
    """The product of ``x``'s rows per segment (see :func:`unsorted_segment_sum` for the
    shapes); an absent segment is 1. Ids outside ``[0, num_segments)`` are dropped. The
    gradient is exact where rows are zero.

    >>> ops.unsorted_segment_prod(Tensor([2., 5., 3.]), Tensor([0, 0, 1]), 3)   # [10., 3., 1.]

    Supported devices: cpu, native.
    """
    rows, indices, mask, shape = _segments(
        "unsorted_segment_prod", x, segment_ids, num_segments, False
    )
    values = where(mask, rows, _const(1, rows.dtype))
    return bind(tensor_scatter_mul_p, (full(shape, 1, dtype=rows.dtype), indices, values))
