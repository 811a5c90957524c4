"""``vmap``: vectorise a function over a batch axis, with a batching rule per primitive.

While a vmapped function runs, a batched tensor holds a :class:`Batched` value (the array with the
batch axis in front) and reports its per-example shape, so the function's own code sees the shapes
of one example. Each primitive is applied through its batching rule:

- by the primitive's traits: ``elementwise`` and ``broadcasting`` ones (``matmul``, whose leading
  axes broadcast like elementwise ones) align the batch axis and run the kernel once;
  ``reduction`` and ``axis`` ones (softmax, cumsum) shift their axis attribute by one;
- by :data:`BATCHING_RULES`, keyed by the primitive: ``reshape``, ``transpose``,
  ``broadcast_to``, ``concat`` and basic slicing rewrite their attributes for the batch axis;
- any other primitive (a plugin's too) uses the fallback rule: the kernel once per example,
  results stacked.

Gradients compose: ``vmap(grad(f))`` runs the tape's backward rules through the same batching
rules, which is how per-sample gradients are computed (differential privacy needs them).

The rules touch arrays only through the interpreter below (kernels, or a tracer), so inside ``jit`` they emit graph
nodes: ``jit(vmap(grad(f)))`` compiles the batched per-sample gradient into one graph, with the
fallback rule as one ``scan`` node over the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import backward, with_backward
from mind.core._src.ir.trace import TraceValue, is_tracing
from mind.core._src.ops import dispatch
from mind.core._src.ops.array import (
    broadcast_to_p,
    concat_p,
    getitem_p,
    reshape_p,
    stack,
    transpose_p,
)
from mind.core._src.ops.control import _inline_graph
from mind.core._src.ops.dispatch import STATE, Node, ShapedArray
from mind.core._src.ops.reduce import argmax_p, argmin_p, sum_p
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindValueError

__all__ = ["Batched", "vmap"]


class Batched:
    """A batched value: ``value`` has the batch axis first; ``shape`` is one example's shape.
    ``owner`` is the vmap (its interpreter) whose batch axis it is: to an inner vmap, an outer
    one's value is an ordinary value, which it hands to the interpreter below (the outer vmap)
    as it is. ``value`` itself may be an outer vmap's (or a tracer's) value."""

    __slots__ = ("owner", "value")

    def __init__(self, value: Any, owner: _Batching) -> None:
        self.value = value
        self.owner = owner

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape[1:]

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    @property
    def ndim(self) -> int:
        return self.value.ndim - 1

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def itemsize(self) -> int:
        return self.value.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.value.itemsize

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise MindValueError(
            "inside vmap a tensor stands for a whole batch; converting it to numpy (asnumpy(), "
            "print, bool, float) is not possible - return it from the function instead"
        )

    def __bool__(self) -> bool:
        return bool(self.__array__())

    def __repr__(self) -> str:
        return f"Batched({self.value.shape[0]} x {self.shape}, {self.dtype})"


def _shift_axes(axis: Any, ndim: int) -> Any:
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, int):
        return axis % max(ndim, 1) + 1
    return tuple(a % max(ndim, 1) + 1 for a in axis)


def _basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice | type(None)) or p is Ellipsis for p in parts)


def _array(value: Any) -> Any:
    """A kernel's result as an array (a numpy scalar becomes 0-d); a traced value as it is."""
    return np.asarray(value) if isinstance(value, np.generic | int | float | bool) else value


class _Batching(dispatch.Interpreter):
    """The batching rules, as the innermost interpreter of the vmapping thread. They transform
    arrays only through the interpreter below (``below``: the kernels, or a tracer), never numpy
    directly, so the same rules run on arrays in PyNative mode and record graph nodes inside
    ``jit``; there the per-example fallback is one ``scan`` node over the batch instead of a
    Python loop."""

    def __init__(self, batch: int) -> None:
        self.batch = batch

    def mine(self, a: Any) -> bool:
        return type(a) is Batched and a.owner is self

    def wrap(self, value: Any) -> Batched:
        return Batched(_array(value), self)

    def base(self, name: str, *values: Any, **attrs: Any) -> Any:
        return self.below(dispatch.PRIMITIVES[name], values, attrs)

    def reshape(self, v: Any, shape: tuple[int, ...]) -> Any:
        return v if tuple(v.shape) == tuple(shape) else self.base("reshape", v, shape=tuple(shape))

    def transpose(self, v: Any, perm: tuple[int, ...]) -> Any:
        return v if perm == tuple(range(len(perm))) else self.base("transpose", v, perm=perm)

    def batched(self, a: Any) -> Any:
        """``a`` with the batch axis in front (broadcast when ``a`` is shared)."""
        if self.mine(a):
            return a.value
        shape = tuple(np.shape(a)) if not hasattr(a, "shape") else tuple(a.shape)
        return self.base("broadcast_to", a, shape=(self.batch, *shape))

    def align(self, arrays: tuple) -> list[Any]:
        """Batched inputs get singleton axes after the batch axis so every input lines up from
        the right, as broadcasting expects; unbatched ones are left alone."""
        nd = max(np.ndim(a) for a in arrays)
        return [
            self.reshape(a.value, (self.batch,) + (1,) * (nd - a.ndim) + a.shape)
            if self.mine(a)
            else a
            for a in arrays
        ]

    def process(self, prim: dispatch.Primitive, arrays: tuple, attrs: dict) -> Any:
        def kernel(*values: Any, **attrs: Any) -> Any:
            return self.below(prim, values, attrs)

        if not any(self.mine(a) for a in arrays):
            return kernel(*arrays, **attrs)
        first = next(a for a in arrays if self.mine(a))
        traits = prim.traits
        if "elementwise" in traits or "broadcasting" in traits:
            return self.wrap(kernel(*self.align(arrays), **attrs))
        if "reduction" in traits and len(arrays) == 1:
            attrs = dict(attrs, axis=_shift_axes(attrs.get("axis"), first.ndim))
            if prim in (argmax_p, argmin_p) and attrs["axis"] == tuple(range(1, first.ndim + 1)):
                flat = self.reshape(first.value, (self.batch, first.size))
                return self.wrap(kernel(flat, axis=1, keepdims=False))
            return self.wrap(kernel(first.value, **attrs))
        if "axis" in traits:
            attrs = dict(attrs, axis=_shift_axes(attrs["axis"], first.ndim))
            return self.wrap(kernel(first.value, **attrs))
        rule = BATCHING_RULES.get(prim)
        if rule is not None:
            out = rule(self, kernel, first, arrays, attrs)
            if out is not NotImplemented:
                return self.wrap(out)
        return self.wrap(self.one_at_a_time(prim, kernel, arrays, attrs))

    def one_at_a_time(self, prim: Any, kernel: Any, arrays: tuple, attrs: dict) -> Any:
        """The fallback rule: the kernel once per example, results stacked."""

        values = [a.value if self.mine(a) else a for a in arrays]
        if all(isinstance(v, np.ndarray | np.generic | int | float | bool) for v in values):
            results = [
                np.asarray(
                    kernel(*(v[i] if self.mine(a) else v for a, v in zip(arrays, values)), **attrs)
                )
                for i in range(self.batch)
            ]
            return np.stack(results)
        if any(type(v) is Batched for v in values) or not is_tracing():
            # an outer vmap's values: each example through the interpreters below, stacked
            rows = []
            for i in range(self.batch):
                args = [
                    self.base("getitem", v, index=i) if self.mine(a) else v
                    for a, v in zip(arrays, values)
                ]
                row = kernel(*args, **attrs)
                rows.append(self.reshape(row, (1, *row.shape)))
            return self.base("concat", *rows, axis=0)
        # Inside jit: a scan over the batch whose body applies the primitive to one example.
        from mind.core._src.tensor import dtype as dt

        def aval(v: Any) -> ShapedArray:
            if isinstance(v, TraceValue):
                return v.node.aval
            v = np.asarray(v)
            return ShapedArray(v.shape, dt.from_numpy_dtype(v.dtype))

        mapped = [a.value for a in arrays if self.mine(a)]
        shared = [a for a in arrays if not self.mine(a)]
        slots = [ShapedArray(aval(m).shape[1:], aval(m).dtype) for m in mapped]

        def apply(*values: Any) -> list:
            m, s = iter(values[: len(mapped)]), iter(values[len(mapped) :])
            args = [next(m) if self.mine(a) else next(s) for a in arrays]
            # The body's own tracer records it (``kernel`` records into the enclosing graph).
            return [dispatch.apply(prim, *args, **attrs)]

        body = _inline_graph(f"vmap_{prim.name}", slots + [aval(v) for v in shared], apply)
        out = self.base(
            "scan",
            *mapped,
            *shared,
            body=body,
            num_carry=0,
            num_xs=len(mapped),
            length=self.batch,
            reverse=False,
            save=False,
        )
        return self.base("tuple_getitem", out, index=0)


# ------------------------------------------------------------------------------------------------
# Batching rules of the structural primitives, by primitive (elementwise, reduction and axis
# primitives are batched by their traits; every other one runs once per example)
# ------------------------------------------------------------------------------------------------

#: primitive -> ``rule(batching, kernel, first batched value, values, attrs)``, returning the
#: batched result's array (batch axis first) or ``NotImplemented`` for the per-example fallback.
BATCHING_RULES: dict[dispatch.Primitive, Callable[..., Any]] = {}


def batching_rule(prim: dispatch.Primitive) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(rule: Callable[..., Any]) -> Callable[..., Any]:
        BATCHING_RULES[prim] = rule
        return rule

    return register


@batching_rule(reshape_p)
def _reshape(b: _Batching, kernel: Any, first: Batched, arrays: tuple, attrs: dict) -> Any:
    return b.reshape(first.value, (b.batch, *attrs["shape"]))


@batching_rule(transpose_p)
def _transpose(b: _Batching, kernel: Any, first: Batched, arrays: tuple, attrs: dict) -> Any:
    return b.transpose(first.value, (0, *(p + 1 for p in attrs["perm"])))


@batching_rule(broadcast_to_p)
def _broadcast_to(b: _Batching, kernel: Any, first: Batched, arrays: tuple, attrs: dict) -> Any:
    shape = attrs["shape"]
    v = b.reshape(first.value, (b.batch,) + (1,) * (len(shape) - first.ndim) + first.shape)
    return b.base("broadcast_to", v, shape=(b.batch, *shape))


@batching_rule(concat_p)
def _concat(b: _Batching, kernel: Any, first: Batched, arrays: tuple, attrs: dict) -> Any:
    return kernel(*[b.batched(a) for a in arrays], axis=attrs["axis"] + 1)


@batching_rule(getitem_p)
def _getitem(b: _Batching, kernel: Any, first: Batched, arrays: tuple, attrs: dict) -> Any:
    if not _basic_index(attrs["index"]):
        return NotImplemented
    index = attrs["index"] if isinstance(attrs["index"], tuple) else (attrs["index"],)
    return _array(kernel(first.value, index=(slice(None), *index)))


def _wrap(value: Any, axis: Any, batching: _Batching, taped: list) -> Any:
    if axis is None:
        return value
    if isinstance(value, tuple | list):
        if isinstance(axis, tuple | list):  # one axis per element (in_axes=((1, 0),))
            if len(axis) != len(value):
                raise MindValueError(
                    f"vmap: in_axes {axis} has {len(axis)} entries for a {type(value).__name__} "
                    f"of {len(value)}"
                )
            return type(value)(_wrap(v, a, batching, taped) for v, a in zip(value, axis))
        return type(value)(_wrap(v, axis, batching, taped) for v in value)
    if not isinstance(value, Tensor):
        raise MindValueError(
            f"vmap: in_axes {axis} given for a {type(value).__name__}; only Tensors can be mapped"
        )
    t = object.__new__(Tensor)
    t._data, t._node = Batched(_move(value._data, axis, 0), batching), None
    if STATE.recording and value._node is not None:  # a gradient is taken through the vmap
        t._node = Node(None, (), None, t)
        taped.append((value, t, axis))
    return t


def _batch_first(data: Any, batching: _Batching) -> Any:
    """``data`` (a value inside the vmap) as one value with the batch axis in front."""
    if batching.mine(data):
        return data.value
    if isinstance(data, np.ndarray | np.generic):
        return np.broadcast_to(np.asarray(data), (batching.batch, *np.shape(data)))
    # traced, or an outer vmap's
    return dispatch.apply(broadcast_to_p, data, shape=(batching.batch, *data.shape))


def _unwrap(value: Any, axis: int, batching: _Batching, taped: list) -> Any:
    if isinstance(value, tuple | list):
        return type(value)(_unwrap(v, axis, batching, taped) for v in value)
    if not isinstance(value, Tensor):
        return value
    moved = _move(_batch_first(value._data, batching), 0, axis)
    t = object.__new__(Tensor)
    t._data = np.ascontiguousarray(moved) if isinstance(moved, np.ndarray) else moved
    t._node = None
    if STATE.recording and value._node is not None:
        return _taped(value, t, axis, batching, taped)
    return t


def _taped(inner: Tensor, out: Tensor, axis: int, batching: _Batching, taped: list) -> Tensor:
    """``out`` (the vmap's result ``inner``, unbatched) for the tape outside the vmap: its
    backward runs the tape the vmapped function built, under the same batching, from the
    cotangent with its batch axis in front. The gradient reaches the mapped arguments (batch
    axis moved back) and every tensor from outside the vmap that the function used (a weight,
    a closure: its per-example cotangents summed)."""
    markers = {id(t._node) for _, t, _ in taped}
    targets = [t for _, t, _ in taped]
    sources = [arg for arg, _, _ in taped]
    seen: set[int] = set()
    stack = [inner._node]
    while stack:
        node = stack.pop()
        for h in node.inputs:
            n = h._node
            if n is None or id(n) in markers or id(n) in seen:
                continue
            seen.add(id(n))
            if batching.mine(h._data):
                stack.append(n)
            else:  # computed outside the vmap, or inside from outside values only
                targets.append(h)
                sources.append(h)

    def rule(*rest: Any) -> tuple:
        dout = rest[-1]
        sens = object.__new__(Tensor)
        sens._data, sens._node = Batched(_move(dout._data, axis, 0), batching), None
        with dispatch.interpreting(batching):
            grads = backward([inner], [sens], targets)
        found = []
        for k, g in enumerate(grads):
            if g is None:
                found.append(None)
                continue
            data = _batch_first(g._data, batching)
            t = object.__new__(Tensor)
            t._node = None
            if k < len(taped):
                t._data = _move(data, 0, taped[k][2])
            else:
                t._data = dispatch.apply(sum_p, data, axis=(0,), keepdims=False)
            found.append(t)
        return tuple(found)

    return with_backward(sources, out, rule)


def _move(data: Any, source: int, destination: int) -> Any:
    """``np.moveaxis`` on an array, or through the transpose primitive on a traced value."""
    if isinstance(data, np.ndarray | np.generic):
        return np.moveaxis(np.asarray(data), source, destination)
    ndim = len(data.shape)
    source, destination = source % ndim, destination % ndim
    if source == destination:
        return data
    order = [a for a in range(ndim) if a != source]
    order.insert(destination, source)
    return dispatch.apply(dispatch.PRIMITIVES["transpose"], data, perm=tuple(order))


def vmap(fn: Callable[..., Any], in_axes: Any = 0, out_axes: int = 0) -> Callable[..., Any]:
    """``fn`` mapped over axis ``in_axes`` of its arguments (an int for all, or one entry per
    argument, ``None`` for an argument shared by every example), results stacked along
    ``out_axes``, as ``mindspore.vmap``.

    ``fn`` may be an ``nn.CellList`` of cells of one structure (model ensembling): cell ``k``
    runs on example ``k`` (the mapped axis has one entry per cell), one call per cell.

    >>> per_example_norm = vmap(lambda v: (v * v).sum())
    """
    members = getattr(fn, "_ensemble_members", None)
    if members is not None:
        return _ensemble(members(), in_axes, out_axes)

    def mapped(*args: Any) -> Any:
        axes = in_axes if isinstance(in_axes, tuple | list) else (in_axes,) * len(args)
        if len(axes) != len(args):
            raise MindValueError(f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments")
        batching = _Batching(0)
        taped: list = []  # (argument, its tensor inside, axis) for each one a gradient tracks
        wrapped = [_wrap(a, ax, batching, taped) for a, ax in zip(args, axes)]
        sizes = {len(t._data.value) for t in _tensors(wrapped) if batching.mine(t._data)}
        if not sizes:
            raise MindValueError("vmap: no argument is mapped (every in_axes entry is None)")
        if len(sizes) != 1:
            raise MindValueError(f"vmap: mapped axes have different sizes {sorted(sizes)}")
        batching.batch = sizes.pop()
        before = [(w._data if isinstance(w, Tensor) else None) for w in wrapped]
        with dispatch.interpreting(batching):
            result = fn(*wrapped)
        _carry_writes(args, wrapped, axes, before, batching)
        return _unwrap(result, out_axes, batching, taped)

    return mapped


def _carry_writes(args: Any, wrapped: list, axes: Any, before: list, batching: _Batching) -> None:
    """An ``assign`` into a mapped argument inside the function (an optimizer operator updating
    its Parameter) rebinds the argument's batched view while tracing: write the batched value
    into the argument itself instead, so the graph updates the Parameter. (In PyNative mode the
    write already went through the view.)"""
    from mind.core._src.ops.array import assign

    for arg, w, axis, data in zip(args, wrapped, axes, before):
        if axis is None or data is None or w._data is data or not isinstance(arg, Tensor):
            continue
        value = _move(_batch_first(w._data, batching), 0, axis)
        w._data = data  # the trace then has no write of the view to flush
        t = object.__new__(Tensor)
        t._data, t._node = value, None
        assign(arg, t)


def _tensors(values: Any) -> Iterator[Tensor]:
    for v in values:
        if isinstance(v, Tensor):
            yield v
        elif isinstance(v, tuple | list):
            yield from _tensors(v)


def _ensemble(cells: list, in_axes: Any, out_axes: int) -> Callable[..., Any]:
    def mapped(*args: Any) -> Any:
        axes = in_axes if isinstance(in_axes, tuple | list) else (in_axes,) * len(args)
        if len(axes) != len(args):
            raise MindValueError(f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments")
        sizes = {t.shape[ax] for a, ax in zip(args, axes) if ax is not None for t in _tensors([a])}
        if sizes != {len(cells)}:
            raise MindValueError(
                f"vmap: a CellList of {len(cells)} cells maps axes of one entry per cell, got "
                f"mapped sizes {sorted(sizes)}"
            )
        outs = [
            cell(*(_take(a, ax, k) for a, ax in zip(args, axes))) for k, cell in enumerate(cells)
        ]
        return _stacked(outs, out_axes)

    return mapped


def _take(value: Any, axis: int | None, k: int) -> Any:
    if axis is None:
        return value
    if isinstance(value, tuple | list):
        return type(value)(_take(v, axis, k) for v in value)
    return value[(slice(None),) * (axis % value.ndim) + (k,)]


def _stacked(outs: list, axis: int) -> Any:
    if isinstance(outs[0], tuple | list):
        return type(outs[0])(_stacked([o[i] for o in outs], axis) for i in range(len(outs[0])))
    return stack(outs, axis)
