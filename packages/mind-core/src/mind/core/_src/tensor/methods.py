"""Tensor's operators and methods, written with the ops: attached to :class:`Tensor` here, after
the ops exist, so that the ops' modules can import the Tensor class and nothing imports back.
``mind.core`` imports this module before anything else runs."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import (
    array_ops,
    complex_ops,
    fft,
    image_ops,
    indexing,
    linalg,
    losses,
    math_ops,
    misc_ops,
    nn_functional,
    optim_ops,
    pooling,
    scatter,
    special,
)
from mind.core._src.ops import functional as F
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor import methods_more
from mind.core._src.tensor.tensor import Tensor

__all__: list[str] = []


def _bits(x: Tensor, y: Any, logical: Any, bitwise: Any) -> Tensor:
    both_bool = x.dtype is dt.bool_ and (
        y.dtype is dt.bool_ if isinstance(y, Tensor) else isinstance(y, bool)
    )
    return logical(x, y) if both_bool else bitwise(x, y)


class _Methods:
    @property
    def T(self) -> Tensor:
        return F.transpose(self, tuple(range(self.ndim - 1, -1, -1)))

    def astype(self, dtype: Any, copy: bool = True) -> Tensor:
        return F.cast(self, dtype)

    def to(self, dtype: Any) -> Tensor:
        return F.cast(self, dtype)

    def __add__(self, other: Any) -> Tensor:
        return F.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return F.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return F.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return F.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return F.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return F.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return F.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return F.div(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return F.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return F.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return F.remainder(self, other)

    def __pow__(self, other: Any) -> Tensor:
        return F.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return F.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return F.matmul(other, self)

    def __neg__(self) -> Tensor:
        return F.neg(self)

    def __abs__(self) -> Tensor:
        return F.abs(self)

    # Bitwise on integers, logical on bools (as numpy and MindSpore).
    def __invert__(self) -> Tensor:
        return F.invert(self)

    def __and__(self, other: Any) -> Tensor:
        return _bits(self, other, F.logical_and, F.bitwise_and)

    def __rand__(self, other: Any) -> Tensor:
        return _bits(self, other, F.logical_and, F.bitwise_and)

    def __or__(self, other: Any) -> Tensor:
        return _bits(self, other, F.logical_or, F.bitwise_or)

    def __ror__(self, other: Any) -> Tensor:
        return _bits(self, other, F.logical_or, F.bitwise_or)

    def __xor__(self, other: Any) -> Tensor:
        return _bits(self, other, F.logical_xor, F.bitwise_xor)

    def __rxor__(self, other: Any) -> Tensor:
        return _bits(self, other, F.logical_xor, F.bitwise_xor)

    def __lshift__(self, other: Any) -> Tensor:
        return F.bitwise_left_shift(self, other)

    def __rshift__(self, other: Any) -> Tensor:
        return F.bitwise_right_shift(self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return F.equal(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return F.not_equal(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return F.less(self, other)

    def __le__(self, other: Any) -> Tensor:
        return F.less_equal(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return F.greater(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return F.greater_equal(self, other)

    def __getitem__(self, index: Any) -> Tensor:
        return F.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        F.setitem(self, index, value)

    def sum(self, axis=None, dtype=None, keepdims=False, initial=None) -> Tensor:
        out = F.sum(self, axis, keepdims)
        if initial is not None:
            out = out + initial
        return out if dtype is None else F.cast(out, dtype)

    def mean(self, axis=None, keep_dims=False) -> Tensor:
        return F.mean(self, axis, keep_dims)

    def max(self, axis=None, keepdims=False, *, initial=None, where=True, return_indices=False):
        return F.amax(self, axis, keepdims)

    def min(self, axis=None, keepdims=False, *, initial=None, where=True, return_indices=False):
        return F.amin(self, axis, keepdims)

    def prod(self, axis=None, keep_dims=False) -> Tensor:
        return F.prod(self, axis, keep_dims)

    def argmax(self, axis=None, keepdims=False) -> Tensor:
        return F.argmax(self, axis, keepdims)

    def argmin(self, axis=None, keepdims=False) -> Tensor:
        return F.argmin(self, axis, keepdims)

    def var(self, axis=None, ddof=0, keepdims=False) -> Tensor:
        return F.var(self, axis, ddof, keepdims)

    def std(self, axis=None, ddof=0, keepdims=False) -> Tensor:
        return F.std(self, axis, ddof, keepdims)

    def cumsum(self, axis=None, dtype=None) -> Tensor:
        if axis is None:
            return F.cumsum(self.reshape(-1), 0, dtype)
        return F.cumsum(self, axis, dtype)

    def logsumexp(self, axis, keepdims=False) -> Tensor:
        return F.logsumexp(self, axis, keepdims)

    def all(self, axis=None, keep_dims=False) -> Tensor:
        return F.all(self, axis, keep_dims)

    def any(self, axis=None, keep_dims=False) -> Tensor:
        return F.any(self, axis, keep_dims)

    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], list | tuple):
            shape = tuple(shape[0])
        return F.reshape(self, shape)

    def transpose(self, *axes) -> Tensor:
        if not axes:
            axes = tuple(range(self.ndim - 1, -1, -1))
        elif len(axes) == 1 and isinstance(axes[0], list | tuple):
            axes = tuple(axes[0])
        return F.transpose(self, axes)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[axis0], axes[axis1] = axes[axis1], axes[axis0]
        return F.transpose(self, tuple(axes))

    def squeeze(self, axis=None) -> Tensor:
        return F.squeeze(self, axis)

    def expand_dims(self, axis: int) -> Tensor:
        return F.expand_dims(self, axis)

    def unsqueeze(self, dim: int) -> Tensor:
        return F.expand_dims(self, dim)

    def flatten(self, order="C", *, start_dim=0, end_dim=-1) -> Tensor:
        return F.flatten(self, order, start_dim=start_dim, end_dim=end_dim)

    def ravel(self) -> Tensor:
        return F.reshape(self, (-1,))

    def broadcast_to(self, shape) -> Tensor:
        return F.broadcast_to(self, shape)

    def expand_as(self, other: Tensor) -> Tensor:
        return F.broadcast_to(self, other.shape)

    def tile(self, reps) -> Tensor:
        return F.tile(self, reps)

    def triu(self, diagonal=0) -> Tensor:
        return F.triu(self, diagonal)

    def tril(self, diagonal=0) -> Tensor:
        return F.tril(self, diagonal)

    def abs(self) -> Tensor:
        return F.abs(self)

    def clip(self, xmin=None, xmax=None) -> Tensor:
        return F.clip(self, xmin, xmax)

    def exp(self) -> Tensor:
        return F.exp(self)

    def log(self) -> Tensor:
        return F.log(self)

    def sqrt(self) -> Tensor:
        return F.sqrt(self)

    def square(self) -> Tensor:
        return F.square(self)

    def pow(self, exponent) -> Tensor:
        return F.pow(self, exponent)

    def tanh(self) -> Tensor:
        return F.tanh(self)

    def sigmoid(self) -> Tensor:
        return F.sigmoid(self)

    def relu(self) -> Tensor:
        return F.relu(self)

    def softmax(self, axis=-1) -> Tensor:
        return F.softmax(self, axis)

    def floor(self) -> Tensor:
        return F.floor(self)

    def round(self) -> Tensor:
        return F.round(self)

    def neg(self) -> Tensor:
        return F.neg(self)

    def sign(self) -> Tensor:
        return F.sign(self)

    def matmul(self, other) -> Tensor:
        return F.matmul(self, other)

    def add(self, other) -> Tensor:
        return F.add(self, other)

    def sub(self, other) -> Tensor:
        return F.sub(self, other)

    def mul(self, other) -> Tensor:
        return F.mul(self, other)

    def div(self, other, *, rounding_mode=None) -> Tensor:
        return F.div(self, other, rounding_mode=rounding_mode)

    def equal(self, other) -> Tensor:
        return F.equal(self, other)

    def gather(self, input_indices, axis, batch_dims=0) -> Tensor:
        return F.gather(self, input_indices, axis, batch_dims)

    def norm(self, ord=None, dim=None, keepdim=False, *, dtype=None) -> Tensor:
        return F.norm(self, ord, dim, keepdim, dtype=dtype)

    def dim(self) -> int:
        """The number of axes (``ndim``), as MindSpore's ``Tensor.dim()``."""
        return self.ndim

    def float(self) -> Tensor:
        return F.cast(self, dt.float32)

    def int(self) -> Tensor:
        return F.cast(self, dt.int32)

    def long(self) -> Tensor:
        return F.cast(self, dt.int64)

    def bool(self) -> Tensor:
        return F.cast(self, dt.bool_)

    def half(self) -> Tensor:
        return F.cast(self, dt.float16)

    def double(self) -> Tensor:
        return F.cast(self, dt.float64)

    view = reshape
    clamp = clip


_NOT_METHODS = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__hash__"}
for _name, _value in list(vars(_Methods).items()):
    if _name not in _NOT_METHODS:
        setattr(Tensor, _name, _value)
del _name, _value


def _method(fn: Any) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


# The area modules' ops that are methods with the tensor first (their TENSOR_METHODS: a name,
# or a pair (method name, function name) where MindSpore's method calls another op).
for _module in (
    array_ops,
    complex_ops,
    fft,
    image_ops,
    indexing,
    linalg,
    losses,
    math_ops,
    misc_ops,
    nn_functional,
    optim_ops,
    pooling,
    scatter,
    special,
    methods_more,
):
    for _entry in _module.TENSOR_METHODS:
        _name, _target = _entry if isinstance(_entry, tuple) else (_entry, _entry)
        if _name not in vars(_Methods):
            setattr(Tensor, _name, _method(getattr(_module, _target)))
