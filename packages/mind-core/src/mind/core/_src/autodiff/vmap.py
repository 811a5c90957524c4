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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

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


_ELEMENTWISE = {
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "maximum",
    "minimum",
    "floor_divide",
    "mod",
    "neg",
    "abs",
    "sign",
    "exp",
    "log",
    "log1p",
    "sqrt",
    "rsqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "erf",
    "floor",
    "round",
    "trunc",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "where",
    "cast",
    "clip",
    "relu",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
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


def _align(arrays: tuple, batch: int) -> list[Any]:
    """Batched inputs get singleton axes after the batch axis so every input lines up from the
    right, as numpy broadcasting expects; unbatched ones are left alone."""
    nd = max((a.ndim if isinstance(a, Batched) else np.ndim(a)) for a in arrays)
    out = []
    for a in arrays:
        if isinstance(a, Batched):
            v = a.value
            out.append(v.reshape((batch,) + (1,) * (nd - a.ndim) + a.shape))
        else:
            out.append(a)
    return out


def _shift_axes(axis: Any, ndim: int) -> Any:
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, int):
        return axis % max(ndim, 1) + 1
    return tuple(a % max(ndim, 1) + 1 for a in axis)


def _as_batched(a: Any, batch: int) -> np.ndarray:
    if isinstance(a, Batched):
        return a.value
    a = np.asarray(a)
    return np.broadcast_to(a, (batch, *a.shape))


def _basic_index(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, int | slice | type(None)) or p is Ellipsis for p in parts)


class _Batching:
    def __init__(self, batch: int) -> None:
        self.batch = batch

    def impl_for(self, prim: dispatch.Primitive, kernel: Callable[..., Any]) -> Callable[..., Any]:
        name = prim.name

        def batched(*arrays: Any, **attrs: Any) -> Any:
            if not any(isinstance(a, Batched) for a in arrays):
                return kernel(*arrays, **attrs)
            b = self.batch
            first = next(a for a in arrays if isinstance(a, Batched))
            if name in _ELEMENTWISE:
                return Batched(np.asarray(kernel(*_align(arrays, b), **attrs)))
            if name in _AXIS_OPS and len(arrays) == 1:
                attrs = dict(attrs, axis=_shift_axes(attrs.get("axis"), first.ndim))
                if name in ("argmax", "argmin") and attrs["axis"] == tuple(
                    range(1, first.ndim + 1)
                ):
                    flat = first.value.reshape(b, -1)
                    return Batched(np.asarray(kernel(flat, axis=1, keepdims=False)))
                return Batched(np.asarray(kernel(first.value, **attrs)))
            if name in _SINGLE_AXIS_OPS:
                attrs = dict(attrs, axis=_shift_axes(attrs["axis"], first.ndim))
                return Batched(np.asarray(kernel(first.value, **attrs)))
            if name == "reshape":
                return Batched(first.value.reshape((b, *attrs["shape"])))
            if name == "transpose":
                return Batched(np.transpose(first.value, (0, *(p + 1 for p in attrs["perm"]))))
            if name == "broadcast_to":
                v = first.value.reshape(
                    (b,) + (1,) * (len(attrs["shape"]) - first.ndim) + first.shape
                )
                return Batched(np.broadcast_to(v, (b, *attrs["shape"])))
            if name == "concat":
                return Batched(
                    np.concatenate([_as_batched(a, b) for a in arrays], axis=attrs["axis"] + 1)
                )
            if name == "getitem" and _basic_index(attrs["index"]):
                index = attrs["index"] if isinstance(attrs["index"], tuple) else (attrs["index"],)
                return Batched(np.asarray(first.value[(slice(None), *index)]))
            # Fallback rule: one example at a time.
            results = []
            for i in range(b):
                args = [a.value[i] if isinstance(a, Batched) else a for a in arrays]
                results.append(np.asarray(kernel(*args, **attrs)))
            return Batched(np.stack(results))

        return batched


_LOCK = threading.RLock()


@contextmanager
def _batching(batch: int) -> Iterator[None]:
    with _LOCK:
        dispatch.install_kernels()
        saved = {name: prim.impl for name, prim in dispatch.PRIMITIVES.items()}
        rules = _Batching(batch)
        for name, prim in dispatch.PRIMITIVES.items():
            prim.impl = rules.impl_for(prim, saved[name])
        try:
            yield
        finally:
            for name, impl in saved.items():
                dispatch.PRIMITIVES[name].impl = impl


def _wrap(value: Any, axis: int | None, batch: list[int]) -> Any:
    if axis is None:
        return value
    if isinstance(value, tuple | list):
        return type(value)(_wrap(v, axis, batch) for v in value)
    if not isinstance(value, Tensor):
        raise MindValueError(
            f"vmap: in_axes {axis} given for a {type(value).__name__}; only Tensors can be mapped"
        )
    data = np.moveaxis(np.asarray(value._data), axis, 0)
    batch.append(data.shape[0])
    t = object.__new__(Tensor)
    t._data, t._node = Batched(data), None
    return t


def _unwrap(value: Any, axis: int, size: int) -> Any:
    if isinstance(value, tuple | list):
        return type(value)(_unwrap(v, axis, size) for v in value)
    if isinstance(value, Tensor):
        data = value._data
        array = (
            data.value
            if isinstance(data, Batched)
            else np.broadcast_to(np.asarray(data), (size, *np.shape(data)))
        )
        t = object.__new__(Tensor)
        t._data, t._node = np.ascontiguousarray(np.moveaxis(array, 0, axis)), None
        return t
    return value


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
