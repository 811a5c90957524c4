"""MindSpore's Primitive-class operators (``mindspore.ops.operations``, imported as ``P``).

MindSpore code builds an operator object with its attributes and then calls it on tensors::

    reduce_max = P.ReduceMax(keep_dims=True)    # attributes: constructor arguments
    y = reduce_max(x, 1)                        # inputs: call arguments

Each class here is generated from one line of :data:`_TABLE`: the MindSpore name, its constructor
attributes with MindSpore's defaults, and how a call maps onto Mind's functional op (the one
definition of the op: its kernel, inference, gradient, vmap rule and lowering). So a class
computes exactly what the functional op computes, in PyNative, inside ``jit`` and under ``grad``
and ``vmap``; nothing about the op is defined a second time.

Instances also keep MindSpore's bookkeeping: ``name``, ``attrs`` (the constructor attributes and
whatever ``add_prim_attr`` adds), ``shard`` and ``recompute`` (recorded for the parallel and
memory passes that read them).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.ops import functional as F
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["PrimitiveClass"]  # extended with every generated class below

_REQUIRED = inspect.Parameter.empty


class PrimitiveClass:
    """The base of MindSpore-style operator classes: attributes at construction, tensors at call.

    Subclasses are generated (see the module docstring); ``type(op).__name__`` is MindSpore's
    name of the operator.
    """

    #: (attribute name, default) in constructor order; ``_REQUIRED`` marks a required one.
    _attributes: tuple[tuple[str, Any], ...] = ()
    #: ``apply(op, *inputs, **keywords)``: the functional call the op stands for.
    _apply: Callable[..., Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            bound = self._signature().bind(*args, **kwargs)
        except TypeError as error:
            raise MindTypeError(f"For '{self.name}', {error}") from None
        bound.apply_defaults()
        self.attrs: dict[str, Any] = dict(bound.arguments)
        for attr, value in bound.arguments.items():
            object.__setattr__(self, attr, value)

    @classmethod
    def _signature(cls) -> inspect.Signature:
        return inspect.Signature(
            [
                inspect.Parameter(attr, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)
                for attr, default in cls._attributes
            ]
        )

    @property
    def name(self) -> str:
        return type(self).__name__

    def __call__(self, *inputs: Any, **keywords: Any) -> Any:
        return type(self)._apply(self, *inputs, **keywords)

    def add_prim_attr(self, name: str, value: Any) -> PrimitiveClass:
        """Record an attribute (MindSpore's passes read some; Mind keeps them for its own)."""
        self.attrs[name] = value
        return self

    def del_prim_attr(self, name: str) -> PrimitiveClass:
        self.attrs.pop(name, None)
        return self

    def shard(self, in_strategy: Any = None, out_strategy: Any = None) -> PrimitiveClass:
        """Record the operator's parallel split (read by semi-auto parallel)."""
        self.attrs["in_strategy"], self.attrs["out_strategy"] = in_strategy, out_strategy
        return self

    def recompute(self, mode: bool = True) -> PrimitiveClass:
        self.attrs["recompute"] = bool(mode)
        return self

    def set_device(self, device_target: str) -> PrimitiveClass:
        self.attrs["primitive_target"] = device_target
        return self

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.attrs.items())
        return f"Prim[{self.name}]" + (f"<{shown}>" if shown else "")


def _define(name: str, apply: Callable[..., Any], /, **attributes: Any) -> type[PrimitiveClass]:
    """Generate the class ``name``: constructor ``attributes`` (name=default, in order) and
    ``apply(op, *inputs)``."""

    def __init__(self: PrimitiveClass, *args: Any, **kwargs: Any) -> None:
        PrimitiveClass.__init__(self, *args, **kwargs)

    cls = type(name, (PrimitiveClass,), {"_attributes": tuple(attributes.items())})
    cls._apply = apply
    cls.__module__ = "mind.core.ops.operations"
    signature = cls._signature()
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    __init__.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[self_param, *signature.parameters.values()]
    )
    __init__.__qualname__ = f"{name}.__init__"
    cls.__init__ = __init__  # type: ignore[misc]
    target = getattr(apply, "__wrapped__", None)
    cls.__doc__ = (
        f"MindSpore's ``{name}`` operator"
        + (f": applies :func:`mind.core.ops.{target.__name__}`." if target else ".")
        + (f" Attributes: {', '.join(attributes)}." if attributes else "")
    )
    globals()[name] = cls
    __all__.append(name)
    return cls


def _same(name: str, fn: Callable[..., Any]) -> None:
    """A class whose inputs are the functional op's arguments, and which has no attributes."""

    @functools.wraps(fn)
    def apply(op: PrimitiveClass, *inputs: Any, **keywords: Any) -> Any:
        return fn(*inputs, **keywords)

    _define(name, apply)


def _calls(fn: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark an adapter as applying ``fn`` (for the generated docstring)."""

    def mark(adapter: Callable[..., Any]) -> Callable[..., Any]:
        adapter.__wrapped__ = fn  # type: ignore[attr-defined]
        return adapter

    return mark


# ------------------------------------------------------------------------------------------------
# Argument conversions MindSpore's attributes need
# ------------------------------------------------------------------------------------------------


def _axes(axis: Any) -> Any:
    """MindSpore's reduction axis: ``()`` or ``[]`` means every axis."""
    if isinstance(axis, Tensor):
        axis = np.asarray(axis.asnumpy()).tolist()
    if isinstance(axis, list | tuple):
        return tuple(axis) or None
    return axis


def _ints(value: Any, what: str, op: str) -> tuple[int, ...]:
    if isinstance(value, Tensor):
        value = np.asarray(value.asnumpy()).tolist()
    if isinstance(value, int):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise MindTypeError(f"For '{op}', '{what}' must be an int or a tuple of ints, got {value!r}")


def _hw(value: Any, what: str, op: str) -> tuple[int, int]:
    """MindSpore's 2-D window arguments: an int, (h, w), or (1, 1, h, w)."""
    ints = _ints(value, what, op)
    if len(ints) == 1:
        return ints[0], ints[0]
    if len(ints) == 2:
        return ints[0], ints[1]
    if len(ints) == 4:
        return ints[2], ints[3]
    raise MindValueError(f"For '{op}', '{what}' must have 1, 2 or 4 elements, got {value!r}")


def _layout(op: PrimitiveClass, allowed: tuple[str, ...] = ("NCHW", "NHWC")) -> str:
    """The op's ``data_format``, one of ``allowed``: channels-last ops compute as NCHW between
    transposes."""
    layout = op.attrs.get("data_format", "NCHW")
    if layout not in allowed:
        raise MindValueError(
            f"For '{op.name}', data_format must be one of {list(allowed)}, got {layout!r}"
        )
    return layout


def _to_nchw(x: Any) -> Tensor:
    return F.transpose(x, (0, 3, 1, 2))


def _to_nhwc(x: Tensor) -> Tensor:
    return F.transpose(x, (0, 2, 3, 1))


def _swap_last(x: Tensor) -> Tensor:
    perm = list(range(x.ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return F.transpose(x, tuple(perm))


def _seed(seed: int, seed2: int) -> int | None:
    """MindSpore's (seed, seed2) pair: both 0 means "draw from the global seed"."""
    return None if seed == 0 and seed2 == 0 else seed * 1_000_003 + seed2


# ------------------------------------------------------------------------------------------------
# The table
# ------------------------------------------------------------------------------------------------

for _name, _fn in {
    # arithmetic
    "Add": F.add,
    "TensorAdd": F.add,  # MindSpore's deprecated name of Add
    "Sub": F.sub,
    "Mul": F.mul,
    "RealDiv": F.div,
    "Div": F.div,
    "FloorDiv": F.floor_divide,
    "FloorMod": F.remainder,
    "Pow": F.pow,
    "Maximum": F.maximum,
    "Minimum": F.minimum,
    "Neg": F.neg,
    "Abs": F.abs,
    "Square": F.square,
    "Sqrt": F.sqrt,
    "Rsqrt": F.rsqrt,
    "Reciprocal": F.reciprocal,
    "Exp": F.exp,
    "Log": F.log,
    "Log1p": F.log1p,
    "Sin": F.sin,
    "Cos": F.cos,
    "Tanh": F.tanh,
    "Sigmoid": F.sigmoid,
    "Erf": F.erf,
    "Floor": F.floor,
    "Round": F.round,
    "Sign": F.sign,
    "Trunc": F.trunc,
    # comparison and logic
    "Equal": F.equal,
    "NotEqual": F.not_equal,
    "Greater": F.greater,
    "GreaterEqual": F.greater_equal,
    "Less": F.less,
    "LessEqual": F.less_equal,
    "LogicalAnd": F.logical_and,
    "LogicalOr": F.logical_or,
    "LogicalNot": F.logical_not,
    "LogicalXor": F.logical_xor,
    "Select": F.where,
    # activations
    "ReLU": F.relu,
    "SiLU": F.silu,
    # array
    "Reshape": F.reshape,
    "ExpandDims": F.expand_dims,
    "Transpose": F.transpose,
    "Tile": F.tile,
    "Cast": F.cast,
    "GatherNd": F.gather_nd,
    "TensorScatterAdd": F.tensor_scatter_add,
    "ZerosLike": F.zeros_like,
    "OnesLike": F.ones_like,
    "Zeros": F.zeros,
    "Ones": F.ones,
    "StopGradient": F.stop_gradient,
    "Assign": F.assign,
    "Print": F.print_,
}.items():
    _same(_name, _fn)


# Reductions: keep_dims is an attribute, axis an input (default: every axis).
def _reduction(name: str, fn: Callable[..., Any]) -> None:
    @_calls(fn)
    def apply(op: PrimitiveClass, x: Any, axis: Any = ()) -> Any:
        if op.skip_mode and _axes(axis) is None:
            return x
        return fn(x, _axes(axis), op.keep_dims)

    _define(name, apply, keep_dims=False, skip_mode=False)


for _name, _fn in {
    "ReduceSum": F.sum,
    "ReduceMean": F.mean,
    "ReduceMax": F.amax,
    "ReduceMin": F.amin,
    "ReduceProd": F.prod,
    "ReduceAll": F.all,
    "ReduceAny": F.any,
}.items():
    _reduction(_name, _fn)


def _arg_reduction(name: str, fn: Callable[..., Any]) -> None:
    @_calls(fn)
    def apply(op: PrimitiveClass, x: Any) -> Any:
        return F.cast(fn(x, op.axis), op.output_type)

    _define(name, apply, axis=-1, output_type="int32")


_arg_reduction("Argmax", F.argmax)
_arg_reduction("Argmin", F.argmin)


def _arg_with_value(name: str, index: Callable[..., Any], value: Callable[..., Any]) -> None:
    @_calls(index)
    def apply(op: PrimitiveClass, x: Any) -> Any:
        return F.cast(index(x, op.axis, op.keep_dims), "int32"), value(x, op.axis, op.keep_dims)

    _define(name, apply, axis=0, keep_dims=False)


_arg_with_value("ArgMaxWithValue", F.argmax, F.amax)
_arg_with_value("ArgMinWithValue", F.argmin, F.amin)


# Ops along one axis given as an attribute.
def _along(name: str, fn: Callable[..., Any], default: int) -> None:
    @_calls(fn)
    def apply(op: PrimitiveClass, x: Any) -> Any:
        (axis,) = _ints(op.axis, "axis", op.name)
        return fn(x, axis)

    _define(name, apply, axis=default)


_along("Softmax", F.softmax, -1)
_along("LogSoftmax", F.log_softmax, -1)
_along("Concat", F.concat, 0)
_along("Stack", F.stack, 0)


@_calls(F.split)
def _split(op: PrimitiveClass, x: Tensor) -> tuple[Tensor, ...]:
    size, parts = x.shape[op.axis], op.output_num
    if size % parts:
        raise MindValueError(
            f"For 'Split', the size {size} of axis {op.axis} is not divisible by output_num {parts}"
        )
    return tuple(F.split(x, size // parts, op.axis))


_define("Split", _split, axis=0, output_num=1)


@_calls(F.squeeze)
def _squeeze(op: PrimitiveClass, x: Any) -> Tensor:
    return F.squeeze(x, _axes(op.axis))


_define("Squeeze", _squeeze, axis=())


@_calls(F.flatten)
def _flatten(op: PrimitiveClass, x: Any) -> Tensor:
    return F.flatten(x)


_define("Flatten", _flatten)


@_calls(F.broadcast_to)
def _broadcast_to(op: PrimitiveClass, x: Any) -> Tensor:
    return F.broadcast_to(x, op.shape)


_define("BroadcastTo", _broadcast_to, shape=_REQUIRED)


@_calls(F.gather)
def _gather(op: PrimitiveClass, params: Any, indices: Any, axis: int) -> Tensor:
    return F.gather(params, indices, axis, op.batch_dims)


_define("Gather", _gather, batch_dims=0)


@_calls(F.one_hot)
def _one_hot(op: PrimitiveClass, indices: Any, depth: int, on_value: Any, off_value: Any) -> Tensor:
    return F.one_hot(indices, depth, on_value, off_value, op.axis)


_define("OneHot", _one_hot, axis=-1)


@_calls(F.eye)
def _eye(op: PrimitiveClass, n: int, m: int, t: Any) -> Tensor:
    return F.eye(n, m, t)


_define("Eye", _eye)


@_calls(F.arange)
def _range(op: PrimitiveClass, start: Any, limit: Any, delta: Any) -> Tensor:
    return F.arange(start, limit, delta)


_define("Range", _range, maxlen=1_000_000)


@_calls(F.strided_slice)
def _strided_slice(op: PrimitiveClass, x: Any, begin: Any, end: Any, strides: Any) -> Tensor:
    masks = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
    used = [m for m in masks if op.attrs[m]]
    if used:
        raise MindValueError(
            f"For 'StridedSlice', {', '.join(used)} are not supported on Mind yet: index the "
            "tensor with Python slices (x[1:3, ::2]) instead"
        )
    return F.strided_slice(x, begin, end, strides)


_define(
    "StridedSlice",
    _strided_slice,
    begin_mask=0,
    end_mask=0,
    ellipsis_mask=0,
    new_axis_mask=0,
    shrink_axis_mask=0,
)


@_calls(F.strided_slice)
def _slice(op: PrimitiveClass, x: Any, begin: Any, size: Any) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    begin, size = _ints(begin, "begin", "Slice"), _ints(size, "size", "Slice")
    end = tuple(d if s == -1 else b + s for b, s, d in zip(begin, size, x.shape, strict=True))
    return F.strided_slice(x, begin, end, (1,) * len(begin))


_define("Slice", _slice)


def _shape(op: PrimitiveClass, x: Any) -> tuple[int, ...]:
    return tuple(x.shape)


_define("Shape", _shape)
_define("TensorShape", lambda op, x: Tensor(np.asarray(x.shape, np.int64)))
_define("Rank", lambda op, x: len(x.shape))
_define("Size", lambda op, x: int(np.prod(x.shape)))
_define("DType", lambda op, x: x.dtype)


@_calls(F.add)
def _add_n(op: PrimitiveClass, inputs: Any) -> Tensor:
    if not isinstance(inputs, list | tuple) or not inputs:
        raise MindTypeError(
            f"For 'AddN', 'inputs' must be a non-empty tuple or list of Tensors, got {inputs!r}"
        )
    return functools.reduce(F.add, inputs)


_define("AddN", _add_n)


@_calls(F.cumsum)
def _cumsum(op: PrimitiveClass, x: Any, axis: Any) -> Tensor:
    """MindSpore's CumSum: ``reverse`` sums from the end, ``exclusive`` leaves each element out
    of its own sum (so the first one is 0)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    axis = int(axis.asnumpy()) if isinstance(axis, Tensor) else int(axis)
    y = F.flip(x, (axis,)) if op.reverse else x
    out = F.cumsum(y, axis)
    if op.exclusive:  # shifted by one along the axis (not out - y: exact in low precision too)
        axis %= max(x.ndim, 1)
        head = (slice(None),) * axis
        out = F.concat([F.zeros_like(y[(*head, slice(0, 1))]), out[(*head, slice(0, -1))]], axis)
    return F.flip(out, (axis,)) if op.reverse else out


_define("CumSum", _cumsum, exclusive=False, reverse=False)


# ------------------------------------------------------------------------------------------------
# Linear algebra and neural-network ops
# ------------------------------------------------------------------------------------------------


@_calls(F.matmul)
def _matmul(op: PrimitiveClass, a: Any, b: Any) -> Tensor:
    a = a if isinstance(a, Tensor) else Tensor(a)
    b = b if isinstance(b, Tensor) else Tensor(b)
    return F.matmul(_swap_last(a) if op.transpose_a else a, _swap_last(b) if op.transpose_b else b)


_define("MatMul", _matmul, transpose_a=False, transpose_b=False)
_define("BatchMatMul", _matmul, transpose_a=False, transpose_b=False)


@_calls(F.add)
def _bias_add(op: PrimitiveClass, x: Tensor, bias: Tensor) -> Tensor:
    if _layout(op, ("NCHW", "NHWC", "NCDHW")) == "NHWC" or x.ndim < 3:
        return F.add(x, bias)
    return F.add(x, F.reshape(bias, (-1,) + (1,) * (x.ndim - 2)))


_define("BiasAdd", _bias_add, data_format="NCHW")


@_calls(F.conv2d)
def _conv2d(op: PrimitiveClass, x: Any, weight: Any) -> Tensor:
    last = _layout(op) == "NHWC"  # x (N, H, W, C) and weight (O, kh, kw, C/group)
    if last:
        x, weight = _to_nchw(x), _to_nchw(weight)
    out = F.conv2d(
        x,
        weight,
        None,
        _hw(op.stride, "stride", "Conv2D"),
        op.pad_mode.lower(),
        op.pad,
        _hw(op.dilation, "dilation", "Conv2D"),
        op.group,
    )
    return _to_nhwc(out) if last else out


_define(
    "Conv2D",
    _conv2d,
    out_channel=_REQUIRED,
    kernel_size=_REQUIRED,
    mode=1,
    pad_mode="valid",
    pad=0,
    stride=1,
    dilation=1,
    group=1,
    data_format="NCHW",
)


def _pool(name: str, layer: str) -> None:
    def apply(op: PrimitiveClass, x: Any) -> Tensor:
        if _layout(op) == "NHWC":
            return _to_nhwc(_pooled(op, _to_nchw(x)))
        return _pooled(op, x)

    def _pooled(op: PrimitiveClass, x: Any) -> Tensor:
        cell = op.__dict__.get("_cell")
        if cell is None:
            from mind.core._src.nn import layers

            kernel, strides = (
                _hw(op.kernel_size, "kernel_size", name),
                _hw(op.strides, "strides", name),
            )
            cell = op.__dict__["_cell"] = getattr(layers, layer)(
                kernel, strides, op.pad_mode.lower()
            )
        return cell(x)

    _define(name, apply, kernel_size=1, strides=1, pad_mode="valid", data_format="NCHW")


_pool("MaxPool", "MaxPool2d")
_pool("AvgPool", "AvgPool2d")


_define("ReLU6", _calls(F.clamp)(lambda op, x: F.clamp(x, 0.0, 6.0)))
_define("GeLU", _calls(F.gelu)(lambda op, x: F.gelu(x, "tanh")))
_define("Elu", _calls(F.elu)(lambda op, x: F.elu(x, op.alpha)), alpha=1.0)
_define("Softplus", _calls(F.softplus)(lambda op, x: F.softplus(x)))
_define("L2Loss", _calls(F.sum)(lambda op, x: F.sum(F.square(x)) / 2))
_define(
    "SigmoidCrossEntropyWithLogits",
    _calls(F.binary_cross_entropy_with_logits)(
        lambda op, logits, label: F.binary_cross_entropy_with_logits(
            logits, label, reduction="none"
        )
    ),
)
_define(
    "BCEWithLogitsLoss",
    _calls(F.binary_cross_entropy_with_logits)(
        lambda op, logits, label, weight=None, pos_weight=None: F.binary_cross_entropy_with_logits(
            logits, label, weight, pos_weight, op.reduction
        )
    ),
    reduction="mean",
)


@_calls(F.cross_entropy)
def _sparse_softmax_ce(op: PrimitiveClass, logits: Any, labels: Any) -> Tensor:
    if op.is_grad:
        raise MindValueError(
            "For 'SparseSoftmaxCrossEntropyWithLogits', is_grad=True (returning the gradient) is "
            "not supported on Mind: take grad of the loss instead"
        )
    return F.cross_entropy(logits, labels)


_define("SparseSoftmaxCrossEntropyWithLogits", _sparse_softmax_ce, is_grad=False)


@_calls(F.log_softmax)
def _softmax_ce(op: PrimitiveClass, logits: Any, labels: Any) -> tuple[Tensor, Tensor]:
    loss = F.neg(F.sum(F.mul(labels, F.log_softmax(logits, -1)), -1))
    return loss, F.sub(F.softmax(logits, -1), labels)


_define("SoftmaxCrossEntropyWithLogits", _softmax_ce)


@_calls(F.nll_loss)
def _nll_loss(op: PrimitiveClass, logits: Any, labels: Any, weight: Any) -> tuple[Tensor, Tensor]:
    loss = F.nll_loss(logits, labels, weight, op.ignore_index, op.reduction)
    picked = F.mul(
        F.gather(weight, labels, 0), F.cast(F.not_equal(labels, op.ignore_index), weight.dtype)
    )
    return loss, F.sum(picked)


_define("NLLLoss", _nll_loss, reduction="mean", ignore_index=-100)


@_calls(F.apply_momentum)
def _apply_momentum(
    op: PrimitiveClass,
    variable: Any,
    accumulation: Any,
    learning_rate: Any,
    gradient: Any,
    momentum: Any,
) -> Tensor:
    if op.gradient_scale != 1.0:
        gradient = F.mul(gradient, op.gradient_scale)
    return F.apply_momentum(
        variable, accumulation, learning_rate, gradient, momentum, op.use_nesterov
    )


_define("ApplyMomentum", _apply_momentum, use_nesterov=False, use_locking=False, gradient_scale=1.0)
_define(
    "AssignAdd",
    _calls(F.assign)(lambda op, variable, value: F.assign(variable, F.add(variable, value))),
)
_define(
    "AssignSub",
    _calls(F.assign)(lambda op, variable, value: F.assign(variable, F.sub(variable, value))),
)
_define(
    "StandardNormal",
    _calls(F.standard_normal)(lambda op, shape: F.standard_normal(shape, _seed(op.seed, op.seed2))),
    seed=0,
    seed2=0,
)
_define(
    "UniformReal",
    _calls(F.uniform)(lambda op, shape: F.uniform(shape, seed=_seed(op.seed, op.seed2))),
    seed=0,
    seed2=0,
)


# ------------------------------------------------------------------------------------------------
# Loops (MindSpore 2.3+): classes over Mind's while_loop, fori_loop and scan
# ------------------------------------------------------------------------------------------------


def _function(fn: Any, what: str, op: str) -> None:
    if not callable(fn):
        raise MindTypeError(f"For '{op}', '{what}' must be a function, got {type(fn).__name__}")


@_calls(F.while_loop)
def _while(op: PrimitiveClass, cond_func: Any, loop_func: Any, init_val: Any) -> Any:
    _function(cond_func, "cond_func", "WhileLoop")
    _function(loop_func, "loop_func", "WhileLoop")
    return F.while_loop(cond_func, loop_func, init_val)


_define("WhileLoop", _while)


def _bound(value: Any, what: str) -> int:
    if isinstance(value, Tensor) and value.size == 1 and not value.dtype.is_floating_point:
        try:
            return int(value.asnumpy())
        except Exception:
            pass
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise MindTypeError(
        f"For 'ForiLoop', '{what}' must be an int or an int Tensor with a value, got {value!r}"
    )


@_calls(F.fori_loop)
def _fori(
    op: PrimitiveClass, lower: Any, upper: Any, loop_func: Any, init_val: Any, unroll: bool = True
) -> Any:
    _function(loop_func, "loop_func", "ForiLoop")
    return F.fori_loop(_bound(lower, "lower"), _bound(upper, "upper"), loop_func, init_val, unroll)


_define("ForiLoop", _fori)


@_calls(F.scan)
def _scan(
    op: PrimitiveClass, loop_func: Any, init: Any, xs: Any, length: Any = None, unroll: bool = True
) -> tuple[Any, Any]:
    """MindSpore's Scan walks a Python sequence (or ``length`` steps with ``None``) and returns
    the ``y`` values as a list; a Tensor ``xs`` is walked along its first axis."""
    _function(loop_func, "loop_func", "Scan")
    if isinstance(xs, Tensor):
        return F.scan(loop_func, init, xs, length, unroll=unroll)
    items = [None] * length if xs is None else list(xs)
    if length is not None and length != len(items):
        raise MindValueError(f"For 'Scan', 'length' is {length} but 'xs' has {len(items)} elements")
    stackable = items and all(isinstance(x, Tensor | int | float) for x in items)
    if unroll or not stackable:
        carry, ys = init, []
        for x in items:
            carry, y = loop_func(carry, x)
            ys.append(y)
        return carry, ys
    carry, ys = F.scan(loop_func, init, F.stack([F.as_tensor(x) for x in items]), unroll=False)
    return carry, [None] * len(items) if ys is None else [ys[i] for i in range(len(items))]


_define("Scan", _scan)


@_calls(F.pad)
def _pad_class(op: PrimitiveClass, x: Any) -> Tensor:
    paddings = tuple(tuple(p) for p in op.paddings)
    flat = [int(v) for pair in reversed(paddings) for v in pair]  # the last axis first
    return F.pad(x, tuple(flat))


_define("Pad", _pad_class, paddings=_REQUIRED)  # zeros before/after each axis


@_calls(F.layer_norm)
def _layer_norm_class(op: PrimitiveClass, x: Any, gamma: Any, beta: Any) -> tuple:
    x = x if isinstance(x, Tensor) else Tensor(x)
    norm_from = op.begin_norm_axis % x.ndim
    params_from = op.begin_params_axis % x.ndim
    axes = tuple(range(norm_from, x.ndim))
    mean = F.mean(x, axes, True)
    var = F.var(x, axes, 0, True)
    params_shape = (1,) * params_from + tuple(x.shape[params_from:])
    y = F.mul(F.sub(x, mean), F.rsqrt(F.add(var, op.epsilon)))
    y = F.add(F.mul(y, F.reshape(gamma, params_shape)), F.reshape(beta, params_shape))
    return y, mean, var


# MindSpore's LayerNorm: (y, mean, variance), the statistics kept over the normalised axes.
_define("LayerNorm", _layer_norm_class, begin_norm_axis=1, begin_params_axis=1, epsilon=1e-7)
