"""Basic layers with MindSpore's names (nn/layer/basic in MindSpore): Dropout1d, BiDense, ClipByNorm, Norm, OneHot, Pad, ...

Each is a thin Cell over the functional ops (``ops.dropout1d``, ``ops.bidense``, ``ops.pad``, ...),
so it computes in PyNative, inside ``jit`` and under ``grad`` and ``vmap`` as they do.
"""

from __future__ import annotations

import math
from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.nn.initializer import Uniform, initializer
from mind.core._src.nn.layers import _ACTIVATIONS, LogSoftmax, Softmin, _params_in
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "BiDense",
    "ClipByNorm",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Norm",
    "OneHot",
    "Pad",
    "RReLU",
    "Softmax2d",
    "TimeDistributed",
    "Unflatten",
    "get_activation",
]


# ------------------------------------------------------------------------------------------------
# Channel dropout
# ------------------------------------------------------------------------------------------------


class _ChannelDropout(Cell):
    _op = ""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(p, bool) or not isinstance(p, int | float):
            raise MindTypeError(f"For '{name}', 'p' must be a float, but got {type(p).__name__}.")
        if not 0 <= p <= 1:
            raise MindValueError(
                f"For '{name}', 'p' must be a number in range [0, 1], but got {p}."
            )
        self.prob = float(p)

    def construct(self, x: Tensor) -> Tensor:
        if not self.training or self.prob == 0:
            return x
        return getattr(F, self._op)(x, self.prob)

    def extend_repr(self) -> str:
        return f"p={self.prob}"


class Dropout1d(_ChannelDropout):
    """In training, zero each channel of a (N, C, L) or (C, L) input with probability ``p``
    (its L values together) and scale the rest by ``1 / (1 - p)``; the identity in inference.

    >>> drop = nn.Dropout1d(p=0.5); drop.set_train()
    >>> drop(Tensor(np.ones((2, 3, 4), np.float32))).shape   # (2, 3, 4)
    """

    _op = "dropout1d"


class Dropout2d(_ChannelDropout):
    """:class:`Dropout1d` over the channels of (N, C, H, W) input."""

    _op = "dropout2d"


class Dropout3d(_ChannelDropout):
    """:class:`Dropout1d` over the channels of (N, C, D, H, W) input."""

    _op = "dropout3d"


# ------------------------------------------------------------------------------------------------
# Activations
# ------------------------------------------------------------------------------------------------


class RReLU(Cell):
    """Randomized leaky ReLU (:func:`mind.core.ops.rrelu`): negative inputs times a slope drawn
    from U(lower, upper) for each element, in training and inference alike, as MindSpore.

    >>> nn.RReLU(0.5, 0.5)(Tensor([-2.0, 3.0]))   # [-1, 3]
    """

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3) -> None:
        super().__init__()
        for name, value in (("upper", upper), ("lower", lower)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise MindTypeError(
                    f"For 'RReLU', '{name}' must be a float or an int, but got {type(value).__name__}."
                )
        if lower > upper:
            raise MindValueError(
                f"For 'RReLU', the value of 'upper' must be greater than or equal to 'lower', but "
                f"got upper: {upper}, lower: {lower}."
            )
        self.lower, self.upper = float(lower), float(upper)

    def construct(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise MindTypeError(
                f"For 'rrelu', the input must be a Tensor, but got {type(x).__name__}."
            )
        return F.rrelu(x, self.lower, self.upper)

    def extend_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}"


class Softmax2d(Cell):
    """Softmax over the channels (axis -3) of (C, H, W) or (N, C, H, W) input."""

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise MindValueError(
                f"For 'Softmax2d', the input must have 3 or 4 dims, but got shape {x.shape}."
            )
        return F.softmax(x, -3)


#: MindSpore's ``get_activation`` names (case-sensitive, as there).
_BY_NAME: dict[str, Any] = {
    **_ACTIVATIONS,
    "softmin": Softmin,
    "logsoftmax": LogSoftmax,
    "softmax2d": Softmax2d,
    "rrelu": RReLU,
}


def get_activation(name: str | None, prim_name: str | None = None) -> Cell | None:
    """The activation Cell MindSpore calls ``name`` ('relu', 'softmax', 'gelu', ...), built
    with its default arguments; None for None.

    >>> nn.get_activation("sigmoid")   # Sigmoid<>
    """
    if name is None:
        return None
    if name not in _BY_NAME:
        lead = f"For '{prim_name}', the" if prim_name else "The"
        raise KeyError(f"{lead} 'name' must be in {sorted(_BY_NAME)}, but got {name}.")
    return _BY_NAME[name]()


# ------------------------------------------------------------------------------------------------
# Bilinear dense, time-distributed
# ------------------------------------------------------------------------------------------------


class BiDense(Cell):
    """Bilinear layer: ``y = x1^T A x2 + b`` (:func:`mind.core.ops.bidense`) with weight A
    (out_channels, in1_channels, in2_channels) and bias b (out_channels,), both initialised
    U(-1/sqrt(in1_channels), 1/sqrt(in1_channels)) unless ``weight_init``/``bias_init`` say.

    >>> net = nn.BiDense(20, 30, 40)
    >>> net(Tensor(np.ones((128, 20), np.float32)), Tensor(np.ones((128, 30), np.float32))).shape
    (128, 40)
    """

    def __init__(
        self,
        in1_channels: int,
        in2_channels: int,
        out_channels: int,
        weight_init: Any = None,
        bias_init: Any = None,
        has_bias: bool = True,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        for arg, value in (
            ("in1_channels", in1_channels),
            ("in2_channels", in2_channels),
            ("out_channels", out_channels),
        ):
            I.check_int("BiDense", arg, value, minimum=1)
        self.in1_channels, self.in2_channels = in1_channels, in2_channels
        self.out_channels = out_channels
        self.has_bias = I.check_bool("BiDense", "has_bias", has_bias)
        bound = 1 / math.sqrt(in1_channels)
        shape = (out_channels, in1_channels, in2_channels)
        if isinstance(weight_init, Tensor) and tuple(weight_init.shape) != shape:
            raise MindValueError(
                f"For 'BiDense', 'weight_init' must have shape (out_channels, in1_channels, "
                f"in2_channels) = {shape}, got {weight_init.shape}"
            )
        self.weight = Parameter(
            initializer(Uniform(bound) if weight_init is None else weight_init, shape),
            name="weight",
        )
        if has_bias:
            if isinstance(bias_init, Tensor) and tuple(bias_init.shape) != (out_channels,):
                raise MindValueError(
                    f"For 'BiDense', 'bias_init' must have shape ({out_channels},), got "
                    f"{bias_init.shape}"
                )
            self.bias = Parameter(
                initializer(Uniform(bound) if bias_init is None else bias_init, (out_channels,)),
                name="bias",
            )
        else:
            self.bias = None
        _params_in(self, "BiDense", dtype)

    def construct(self, input1: Tensor, input2: Tensor) -> Tensor:
        for name, t, size, arg in (
            ("input1", input1, self.in1_channels, "in1_channels"),
            ("input2", input2, self.in2_channels, "in2_channels"),
        ):
            if not isinstance(t, Tensor):
                raise MindTypeError(
                    f"For 'BiDense', '{name}' must be a Tensor, but got {type(t).__name__}."
                )
            if t.shape[-1] != size:
                raise MindValueError(
                    f"For 'BiDense', the last dimension of '{name}' must be {arg} = {size}, got "
                    f"shape {t.shape}."
                )
        return F.bidense(input1, input2, self.weight, self.bias)

    def extend_repr(self) -> str:
        s = f"in1_channels={self.in1_channels}, in2_channels={self.in2_channels}, "
        s += f"output_channels={self.out_channels}"
        return s + (f", has_bias={self.has_bias}" if self.has_bias else "")


class TimeDistributed(Cell):
    """Apply ``layer`` to every time slice of an input of rank >= 3 (slices along
    ``time_axis``, stacked back there). With ``reshape_with_axis`` the time axis is merged into
    that axis instead, so ``layer`` runs once on the merged batch (faster; the layer must keep
    that axis), and split out again after.

    >>> td = nn.TimeDistributed(nn.Dense(3, 6), time_axis=1, reshape_with_axis=0)
    >>> td(Tensor(np.ones((32, 10, 3), np.float32))).shape   # (32, 10, 6)
    """

    def __init__(self, layer: Any, time_axis: int, reshape_with_axis: int | None = None) -> None:
        from mind.core._src.ops.operations import PrimitiveClass

        if not isinstance(layer, Cell | PrimitiveClass):
            raise MindTypeError(
                f"For 'TimeDistributed', the 'layer' must be Cell or Primitive instance, but got "
                f"type: {type(layer).__name__}."
            )
        super().__init__()
        I.check_int("TimeDistributed", "time_axis", time_axis)
        if reshape_with_axis is not None:
            I.check_int("TimeDistributed", "reshape_with_axis", reshape_with_axis)
        self.layer, self.time_axis, self.reshape_with_axis = layer, time_axis, reshape_with_axis

    def construct(self, inputs: Tensor) -> Tensor:
        if not isinstance(inputs, Tensor):
            raise MindTypeError("For 'TimeDistributed', the inputs and outputs must be a Tensor.")
        rank = inputs.ndim
        if rank < 3:
            raise MindValueError(
                f"For 'TimeDistributed', inputs shape must be at least 3D, but got {rank}."
            )
        time_axis = self.time_axis % rank
        if self.reshape_with_axis is None:
            outs = [
                self._apply(inputs[(slice(None),) * time_axis + (t,)])
                for t in range(inputs.shape[time_axis])
            ]
            return F.stack(outs, time_axis)
        merge = self.reshape_with_axis % rank
        # Bring the time axis next to the merge axis (just after it, or just before it when the
        # merge axis is the last), then merge the two into one of size batch * time.
        target = rank - 2 if merge == rank - 1 else (merge + 1 if time_axis > merge else merge - 1)
        low, high = sorted((target, time_axis))
        perm = list(range(rank))
        perm = perm[:low] + [perm[high]] + perm[low:high] + perm[high + 1 :]
        moved = F.transpose(inputs, tuple(perm))
        pos = min(target, merge)
        shape = tuple(moved.shape)
        merged = F.reshape(moved, shape[:pos] + (-1,) + shape[pos + 2 :])
        out = self._apply(merged)
        if pos >= out.ndim or out.shape[pos] != merged.shape[pos]:
            raise MindValueError(
                f"For 'TimeDistributed', the layer must keep axis {pos} of size {merged.shape[pos]} "
                f"when 'reshape_with_axis' is given, but it maps {merged.shape} to {out.shape}. "
                "You may try without 'reshape_with_axis'."
            )
        split = tuple(out.shape[:pos]) + shape[pos : pos + 2] + tuple(out.shape[pos + 1 :])
        return F.reshape(out, (-1,) + split[1:])

    def _apply(self, x: Tensor) -> Tensor:
        out = self.layer(x)
        if not isinstance(out, Tensor):
            raise MindTypeError("For 'TimeDistributed', the inputs and outputs must be a Tensor.")
        return out


# ------------------------------------------------------------------------------------------------
# Norms, clipping, one-hot, padding, unflatten
# ------------------------------------------------------------------------------------------------


class ClipByNorm(Cell):
    """``x * clip_norm / max(||x||_2, clip_norm)``, the L2 norm over ``axis`` (None: all axes):
    x unchanged where its norm is at most ``clip_norm``. Returns float32, as MindSpore.

    >>> nn.ClipByNorm()(Tensor([3.0, 4.0]), Tensor([1.0]))   # [0.6, 0.8]
    """

    def __init__(self, axis: Any = None) -> None:
        super().__init__()
        if (axis is not None and not isinstance(axis, int | tuple | list)) or isinstance(
            axis, bool
        ):
            raise MindTypeError(
                f"For 'ClipByNorm', 'axis' must be None, an int or a tuple of ints, got {axis!r}"
            )
        self.axis = tuple(axis) if isinstance(axis, list) else axis

    def construct(self, x: Tensor, clip_norm: Any) -> Tensor:
        if not x.dtype.is_floating_point:
            raise MindTypeError(f"For 'ClipByNorm', 'x' must be float16 or float32, got {x.dtype}")
        x32 = F.cast(x, "float32")
        axis = self.axis if self.axis is not None else tuple(range(x.ndim))
        norm = F.sqrt(F.sum(F.square(x32), axis, True))
        limit = F.cast(F.as_tensor(clip_norm), "float32")
        return F.div(F.mul(x32, limit), F.maximum(norm, limit))


class Norm(Cell):
    """The L2 norm ``sqrt(sum(x ** 2, axis))`` (MindSpore's deprecated layer; ops.norm replaces
    it); ``axis=()`` is every axis."""

    def __init__(self, axis: Any = (), keep_dims: bool = False) -> None:
        super().__init__()
        self.keep_dims = I.check_bool("Norm", "keep_dims", keep_dims)
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        axis = self.axis
        if isinstance(axis, tuple | list) and not axis:
            axis = tuple(range(x.ndim))
        return F.sqrt(F.sum(F.square(x), axis, self.keep_dims))

    def extend_repr(self) -> str:
        return f"axis={self.axis}, keep_dims={self.keep_dims}"


class OneHot(Cell):
    """One-hot vectors of ``depth`` along ``axis`` with ``on_value``/``off_value`` in
    ``dtype`` (MindSpore's deprecated layer; ops.one_hot replaces it)."""

    def __init__(
        self,
        axis: int = -1,
        depth: int = 1,
        on_value: float = 1.0,
        off_value: float = 0.0,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        self.axis, self.depth = (
            I.check_int("OneHot", "axis", axis),
            I.check_int("OneHot", "depth", depth, minimum=0),
        )
        self.on_value, self.off_value, self.dtype = on_value, off_value, dt.to_dtype(dtype)

    def construct(self, indices: Tensor) -> Tensor:
        on = F.cast(F.as_tensor(self.on_value), self.dtype)
        off = F.cast(F.as_tensor(self.off_value), self.dtype)
        return F.one_hot(indices, self.depth, on, off, self.axis)


def _symmetric_pad(x: Tensor, pairs: tuple[tuple[int, int], ...]) -> Tensor:
    """Mirror padding that repeats the edge (MindSpore's ``SYMMETRIC``), axis by axis."""
    for axis, (before, after) in enumerate(pairs):
        size = x.shape[axis]
        if before > size or after > size:
            raise MindValueError(
                f"For 'Pad', SYMMETRIC paddings of axis {axis} must be at most its size {size}, "
                f"got ({before}, {after})"
            )
        parts = []
        lead = (slice(None),) * axis
        if before:
            parts.append(F.flip(x[lead + (slice(0, before),)], (axis,)))
        parts.append(x)
        if after:
            parts.append(F.flip(x[lead + (slice(size - after, size),)], (axis,)))
        x = F.concat(parts, axis) if len(parts) > 1 else x
    return x


class Pad(Cell):
    """Pad each axis D of the input by ``paddings[D] = (before, after)``; ``mode`` is
    ``'CONSTANT'`` (zeros), ``'REFLECT'`` (mirror without the edge) or ``'SYMMETRIC'``
    (mirror with the edge). ``paddings`` is a tuple of up to 4 pairs, one for each axis.

    >>> nn.Pad(((1, 1), (2, 2)))(Tensor(np.ones((2, 3), np.float32))).shape   # (4, 7)
    """

    def __init__(self, paddings: Any, mode: str = "CONSTANT") -> None:
        super().__init__()
        if mode not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
            raise MindValueError(
                f"For 'Pad', 'mode' must be one of ['CONSTANT', 'REFLECT', 'SYMMETRIC'], but got {mode!r}."
            )
        if not isinstance(paddings, tuple):
            raise MindTypeError(
                f"For 'Pad', the type of 'paddings' must be tuple, but got {type(paddings).__name__}."
            )
        for item in paddings:
            if len(item) != 2:
                raise MindValueError(
                    f"For 'Pad', the dimension of 'paddings' must be (n, 2), but got {paddings}."
                )
        if len(paddings) > 4:
            raise MindValueError(
                f"For 'Pad', only 'paddings' up to 4 dims is supported, but got {len(paddings)}."
            )
        self.paddings = tuple((int(a), int(b)) for a, b in paddings)
        self.mode = mode

    def construct(self, x: Tensor) -> Tensor:
        if len(self.paddings) != x.ndim:
            raise MindValueError(
                f"For 'Pad', 'paddings' must have one pair for each of the input's {x.ndim} axes, "
                f"got {len(self.paddings)}"
            )
        if any(v < 0 for pair in self.paddings for v in pair):
            raise MindValueError(
                f"For 'Pad', every value of 'paddings' must be >= 0, but got {self.paddings}."
            )
        if self.mode == "SYMMETRIC":
            return _symmetric_pad(x, self.paddings)
        flat = tuple(v for pair in reversed(self.paddings) for v in pair)  # last axis first
        return F.pad(x, flat, "constant" if self.mode == "CONSTANT" else "reflect")

    def extend_repr(self) -> str:
        return f"paddings={self.paddings}, mode={self.mode}"


class Unflatten(Cell):
    """Split axis ``axis`` of the input into ``unflattened_size`` (a tuple or list; one entry
    may be -1).

    >>> nn.Unflatten(1, (2, 5))(Tensor(np.ones((3, 10), np.float32))).shape   # (3, 2, 5)
    """

    def __init__(self, axis: int, unflattened_size: Any) -> None:
        super().__init__()
        self.axis = I.check_int("Unflatten", "axis", axis)
        if not isinstance(unflattened_size, tuple | list):
            raise MindTypeError(
                f"For 'Unflatten', 'unflattened_size' must be a tuple or list, got "
                f"{type(unflattened_size).__name__}"
            )
        self.unflattened_size = tuple(unflattened_size)

    def construct(self, input_x: Tensor) -> Tensor:
        shape = tuple(input_x.shape)
        axis = self.axis % len(shape)
        return F.reshape(input_x, shape[:axis] + self.unflattened_size + shape[axis + 1 :])
