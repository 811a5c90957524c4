"""``vmap``: vectorise a function over a batch axis, with a batching rule per primitive.

While a vmapped function runs, a batched tensor holds a :class:`Batched` value (the array with the
batch axis in front) and reports its per-example shape, so the function's own code sees the shapes
of one example. Each primitive is applied through its batching rule:

- elementwise primitives (and ``matmul``, whose leading axes broadcast like elementwise ones) align
  the batch axis and run the kernel once;
- reductions, softmax and cumsum shift their axis attribute by one; ``reshape``, ``transpose``,
  ``broadcast_to``, ``concat`` and basic slicing rewrite their attributes for the batch axis;
- any other primitive uses the fallback rule: the kernel once per example, results stacked.

Gradients compose: ``vmap(grad(f))`` runs the tape's backward rules through the same batching
rules, which is how per-sample gradients are computed (differential privacy needs them).

The rules touch arrays only through the primitives' impls, so inside ``jit`` they emit graph
nodes: ``jit(vmap(grad(f)))`` compiles the batched per-sample gradient into one graph, with the
fallback rule as one ``scan`` node over the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from mind.core._src.compiler.fusion import ELEMENTWISE
from mind.core._src.ops import dispatch
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindValueError

__all__ = ["Batched", "vmap"]


class Batched:
    """A batched value: ``value`` has the batch axis first; ``shape`` is one example's shape."""

    __slots__ = ("value",)

    def __init__(self, value: np.ndarray) -> None:
        self.value = value

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


# Elementwise primitives (one shared list, the compiler's), and others whose leading axes
# broadcast like theirs.
_ELEMENTWISE = ELEMENTWISE | {
    "floor_divide",
    "mod",
    "round",
    "clip",
    "elu",
    "softplus",
    "identity",
    "smooth_l1_loss",
    "binary_cross_entropy_with_logits",
    "matmul",
}
_AXIS_OPS = {
    "sum",
    "mean",
    "amax",
    "amin",
    "prod",
    "argmax",
    "argmin",
    "logsumexp",
    "var",
    "all",
    "any",
}
_SINGLE_AXIS_OPS = {"softmax", "log_softmax", "cumsum"}


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

    def base(self, name: str, *values: Any, **attrs: Any) -> Any:
        return self.below(dispatch.PRIMITIVES[name], values, attrs)

    def reshape(self, v: Any, shape: tuple[int, ...]) -> Any:
        return v if tuple(v.shape) == tuple(shape) else self.base("reshape", v, shape=tuple(shape))

    def transpose(self, v: Any, perm: tuple[int, ...]) -> Any:
        return v if perm == tuple(range(len(perm))) else self.base("transpose", v, perm=perm)

    def batched(self, a: Any) -> Any:
        """``a`` with the batch axis in front (broadcast when ``a`` is shared)."""
        if isinstance(a, Batched):
            return a.value
        shape = tuple(np.shape(a)) if not hasattr(a, "shape") else tuple(a.shape)
        return self.base("broadcast_to", a, shape=(self.batch, *shape))

    def align(self, arrays: tuple) -> list[Any]:
        """Batched inputs get singleton axes after the batch axis so every input lines up from
        the right, as broadcasting expects; unbatched ones are left alone."""
        nd = max((a.ndim if isinstance(a, Batched) else np.ndim(a)) for a in arrays)
        return [
            self.reshape(a.value, (self.batch,) + (1,) * (nd - a.ndim) + a.shape)
            if isinstance(a, Batched)
            else a
            for a in arrays
        ]

    def process(self, prim: dispatch.Primitive, arrays: tuple, attrs: dict) -> Any:
        name = prim.name

        def kernel(*values: Any, **attrs: Any) -> Any:
            return self.below(prim, values, attrs)

        if not any(isinstance(a, Batched) for a in arrays):
            return kernel(*arrays, **attrs)
        b = self.batch
        first = next(a for a in arrays if isinstance(a, Batched))
        if name in _ELEMENTWISE:
            return Batched(_array(kernel(*self.align(arrays), **attrs)))
        if name in _AXIS_OPS and len(arrays) == 1:
            attrs = dict(attrs, axis=_shift_axes(attrs.get("axis"), first.ndim))
            if name in ("argmax", "argmin") and attrs["axis"] == tuple(range(1, first.ndim + 1)):
                flat = self.reshape(first.value, (b, first.size))
                return Batched(_array(kernel(flat, axis=1, keepdims=False)))
            return Batched(_array(kernel(first.value, **attrs)))
        if name in _SINGLE_AXIS_OPS:
            attrs = dict(attrs, axis=_shift_axes(attrs["axis"], first.ndim))
            return Batched(_array(kernel(first.value, **attrs)))
        if name == "reshape":
            return Batched(self.reshape(first.value, (b, *attrs["shape"])))
        if name == "transpose":
            return Batched(self.transpose(first.value, (0, *(p + 1 for p in attrs["perm"]))))
        if name == "broadcast_to":
            v = self.reshape(
                first.value, (b,) + (1,) * (len(attrs["shape"]) - first.ndim) + first.shape
            )
            return Batched(self.base("broadcast_to", v, shape=(b, *attrs["shape"])))
        if name == "concat":
            return Batched(kernel(*[self.batched(a) for a in arrays], axis=attrs["axis"] + 1))
        if name == "getitem" and _basic_index(attrs["index"]):
            index = attrs["index"] if isinstance(attrs["index"], tuple) else (attrs["index"],)
            return Batched(_array(kernel(first.value, index=(slice(None), *index))))
        return Batched(self.one_at_a_time(prim, kernel, arrays, attrs))

    def one_at_a_time(self, prim: Any, kernel: Any, arrays: tuple, attrs: dict) -> Any:
        """The fallback rule: the kernel once per example, results stacked."""
        from mind.core._src.ir.trace import is_tracing

        if not is_tracing():
            results = [
                np.asarray(
                    kernel(*(a.value[i] if isinstance(a, Batched) else a for a in arrays), **attrs)
                )
                for i in range(self.batch)
            ]
            return np.stack(results)
        # Inside jit: a scan over the batch whose body applies the primitive to one example.
        from mind.core._src.ir.trace import TraceValue
        from mind.core._src.ops.control import _inline_graph
        from mind.core._src.ops.dispatch import ShapedArray
        from mind.core._src.tensor import dtype as dt

        def aval(v: Any) -> ShapedArray:
            if isinstance(v, TraceValue):
                return v.node.aval
            v = np.asarray(v)
            return ShapedArray(v.shape, dt.from_numpy_dtype(v.dtype))

        mapped = [a.value for a in arrays if isinstance(a, Batched)]
        shared = [a for a in arrays if not isinstance(a, Batched)]
        slots = [ShapedArray(aval(m).shape[1:], aval(m).dtype) for m in mapped]

        def apply(*values: Any) -> list:
            m, s = iter(values[: len(mapped)]), iter(values[len(mapped) :])
            args = [next(m) if isinstance(a, Batched) else next(s) for a in arrays]
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


@contextmanager
def _batching(batch: int) -> Iterator[None]:
    with dispatch.interpreting(_Batching(batch)):
        yield


def _wrap(value: Any, axis: int | None, batch: list[int]) -> Any:
    if axis is None:
        return value
    if isinstance(value, tuple | list):
        return type(value)(_wrap(v, axis, batch) for v in value)
    if not isinstance(value, Tensor):
        raise MindValueError(
            f"vmap: in_axes {axis} given for a {type(value).__name__}; only Tensors can be mapped"
        )
    data = _move(value._data, axis, 0)
    batch.append(data.shape[0])
    t = object.__new__(Tensor)
    t._data, t._node = Batched(data), None
    return t


def _unwrap(value: Any, axis: int, size: int) -> Any:
    if isinstance(value, tuple | list):
        return type(value)(_unwrap(v, axis, size) for v in value)
    if isinstance(value, Tensor):
        data = value._data
        if isinstance(data, Batched):
            array = data.value
        elif isinstance(data, np.ndarray | np.generic):
            array = np.broadcast_to(np.asarray(data), (size, *np.shape(data)))
        else:  # traced
            array = dispatch.apply(
                dispatch.PRIMITIVES["broadcast_to"], data, shape=(size, *data.shape)
            )
        moved = _move(array, 0, axis)
        t = object.__new__(Tensor)
        t._data = np.ascontiguousarray(moved) if isinstance(moved, np.ndarray) else moved
        t._node = None
        return t
    return value


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

    >>> per_example_norm = vmap(lambda v: (v * v).sum())
    """

    def mapped(*args: Any) -> Any:
        axes = in_axes if isinstance(in_axes, tuple | list) else (in_axes,) * len(args)
        if len(axes) != len(args):
            raise MindValueError(f"vmap: in_axes has {len(axes)} entries for {len(args)} arguments")
        sizes: list[int] = []
        wrapped = [_wrap(a, ax, sizes) for a, ax in zip(args, axes)]
        if not sizes:
            raise MindValueError("vmap: no argument is mapped (every in_axes entry is None)")
        if len(set(sizes)) != 1:
            raise MindValueError(f"vmap: mapped axes have different sizes {sorted(set(sizes))}")
        with _batching(sizes[0]):
            result = fn(*wrapped)
        return _unwrap(result, out_axes, sizes[0])

    return mapped
