"""Layers with MindSpore's names, arguments and parameter names (``weight``/``bias``,
``gamma``/``beta``/``moving_mean``/``moving_variance``, ``embedding_table``)."""

from __future__ import annotations

import math
from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.nn.initializer import HeUniform, Uniform, initializer
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.ops import nn_ops
from mind.core._src.ops.dispatch import ShapedArray, bind1
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "Conv1d",
    "Conv2d",
    "Conv2dTranspose",
    "Dense",
    "Dropout",
    "Embedding",
    "FastGelu",
    "Flatten",
    "GroupNorm",
    "HShrink",
    "HSigmoid",
    "HSwish",
    "Hardtanh",
    "Identity",
    "L1Regularizer",
    "LayerNorm",
    "LeakyReLU",
    "LogSigmoid",
    "LogSoftmax",
    "MaxPool2d",
    "Mish",
    "PReLU",
    "ReLU",
    "ReLU6",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "SeLU",
    "SiLU",
    "Sigmoid",
    "SoftShrink",
    "Softmax",
    "Softmin",
    "Softsign",
    "Tanh",
    "Tanhshrink",
    "Threshold",
    "Upsample",
    "ZeroPad2d",
]


def _default_weight(shape: tuple[int, ...], init: Any) -> Tensor:
    # None: PyTorch's (and MindSpore 2.3's) default, Kaiming uniform with a = sqrt(5).
    return initializer(HeUniform(math.sqrt(5)) if init is None else init, shape)


def _default_bias(shape: tuple[int, ...], fan_in: int, init: Any) -> Tensor:
    return initializer(Uniform(1 / math.sqrt(fan_in)) if init is None else init, shape)


# ------------------------------------------------------------------------------------------------
# Dense, activations, Flatten
# ------------------------------------------------------------------------------------------------


def _params_in(cell: Cell, layer: str, dtype: Any) -> None:
    """MindSpore's ``dtype`` argument of a layer: the cell's own parameters are stored in it (a
    float dtype), so the layer computes in it."""
    want = dt.to_dtype(dtype)
    if not want.is_floating_point:
        raise MindTypeError(
            f"For '{layer}', 'dtype' must be a float dtype (float16, float32, float64), got {want}"
        )
    for param in cell._params.values():
        if param._data.dtype != want.np:
            param._data = param._data.astype(want.np)


def _nchw_only(layer: str, data_format: Any) -> None:
    if data_format != "NCHW":
        raise MindValueError(
            f"For '{layer}', 'data_format' must be 'NCHW', got {data_format!r}: Mind's "
            "convolutions and normalizations take NCHW input (MindSpore's NHWC is GPU-only); "
            "move the channels first with ops.transpose(x, (0, 3, 1, 2))"
        )


class Dense(Cell):
    """Fully connected layer: ``activation(x @ weight.T + bias)``; weight is (out, in)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        weight_init: Any = None,
        bias_init: Any = None,
        has_bias: bool = True,
        activation: Any = None,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        in_channels = I.check_int("Dense", "in_channels", in_channels, minimum=1)
        out_channels = I.check_int("Dense", "out_channels", out_channels, minimum=1)
        has_bias = I.check_bool("Dense", "has_bias", has_bias)
        self.in_channels, self.out_channels, self.has_bias = in_channels, out_channels, has_bias
        self.weight = Parameter(_default_weight((out_channels, in_channels), weight_init))
        self.bias = None
        if has_bias:
            self.bias = Parameter(_default_bias((out_channels,), in_channels, bias_init))
        self.activation = _activation(activation)
        _params_in(self, "Dense", dtype)

    def construct(self, x: Tensor) -> Tensor:
        out = F.dense(x, self.weight, self.bias)
        return out if self.activation is None else self.activation(out)

    def extend_repr(self) -> str:
        return f"input_channels={self.in_channels}, output_channels={self.out_channels}, has_bias={self.has_bias}"


class _Activation(Cell):
    fn = staticmethod(F.relu)

    def construct(self, x: Tensor) -> Tensor:
        return self.fn(x)


class ReLU(_Activation):
    fn = staticmethod(F.relu)


class SiLU(_Activation):
    fn = staticmethod(F.silu)


class Sigmoid(_Activation):
    fn = staticmethod(F.sigmoid)


class Tanh(_Activation):
    fn = staticmethod(F.tanh)


class Identity(Cell):
    def construct(self, x: Tensor) -> Tensor:
        return x


class GELU(Cell):
    """GELU; ``approximate=True`` (MindSpore's default) uses the tanh approximation."""

    def __init__(self, approximate: bool = True) -> None:
        super().__init__()
        self.approximate = "tanh" if approximate else "none"

    def construct(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)


class LeakyReLU(Cell):
    def __init__(self, alpha: float = 0.2) -> None:
        super().__init__()
        self.alpha = alpha

    def construct(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.alpha)


class ELU(Cell):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def construct(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)


class Softmax(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)


class LogSoftmax(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)


class ReLU6(_Activation):
    fn = staticmethod(F.relu6)


class Softsign(_Activation):
    fn = staticmethod(F.softsign)


class Mish(_Activation):
    fn = staticmethod(F.mish)


class LogSigmoid(_Activation):
    fn = staticmethod(F.logsigmoid)


class Tanhshrink(_Activation):
    fn = staticmethod(F.tanhshrink)


class SeLU(_Activation):
    fn = staticmethod(F.selu)


class HSwish(_Activation):
    fn = staticmethod(F.hardswish)


class HSigmoid(_Activation):
    fn = staticmethod(F.hardsigmoid)


class FastGelu(_Activation):
    fn = staticmethod(F.fast_gelu)


class Hardtanh(Cell):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if min_val > max_val:
            raise MindValueError(
                f"For 'Hardtanh', 'min_val' {min_val} must not exceed 'max_val' {max_val}"
            )
        self.min_val, self.max_val = min_val, max_val

    def construct(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)


class HShrink(Cell):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def construct(self, x: Tensor) -> Tensor:
        return F.hardshrink(x, self.lambd)


class SoftShrink(Cell):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def construct(self, x: Tensor) -> Tensor:
        return F.softshrink(x, self.lambd)


class Threshold(Cell):
    def __init__(self, threshold: float, value: float) -> None:
        super().__init__()
        self.threshold, self.value = threshold, value

    def construct(self, x: Tensor) -> Tensor:
        return F.threshold(x, self.threshold, self.value)


class CELU(Cell):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        if alpha == 0:
            raise MindValueError("For 'CELU', 'alpha' must not be 0")
        self.alpha = alpha

    def construct(self, x: Tensor) -> Tensor:
        return F.celu(x, self.alpha)


class Softmin(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        return F.softmin(x, self.axis)


class GLU(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Tensor) -> Tensor:
        return F.glu(x, self.axis)


class PReLU(Cell):
    """``x`` where positive, ``w * x`` elsewhere, ``w`` learned: one value (``channel=1``) or
    one per channel (axis 1), initialised to ``w``."""

    def __init__(self, channel: int = 1, w: Any = 0.25) -> None:
        super().__init__()
        if not isinstance(channel, int) or channel < 1:
            raise MindValueError(f"For 'PReLU', 'channel' must be a positive int, got {channel!r}")
        if isinstance(w, int | float):
            value = Tensor([float(w)] * channel, dt.float32)
        else:
            value = Tensor(w, dt.float32).reshape((-1,))
            if value.shape[0] != channel:
                raise MindValueError(
                    f"For 'PReLU', 'w' has {value.shape[0]} values for {channel} channels"
                )
        self.w = Parameter(value, name="a")

    def construct(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.w)


class Upsample(Cell):
    """``ops.interpolate`` as a layer (MindSpore's ``nn.Upsample``)."""

    def __init__(
        self,
        size: Any = None,
        scale_factor: Any = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def construct(self, x: Tensor) -> Tensor:
        return F.interpolate(
            x,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            self.recompute_scale_factor,
        )


class _PadNd(Cell):
    """Pad the last ``dims`` axes (``padding``: an int for every side of them, or (left, right,
    top, bottom, ...) from the last axis, any even number of ints, negative ones cropping in
    constant mode), as MindSpore's ``nn.*PadNd`` layers."""

    dims = 2
    mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(padding, int) and not isinstance(padding, bool):
            padding = (padding,) * (2 * self.dims)
        if not isinstance(padding, tuple | list) or any(
            isinstance(p, bool) or not isinstance(p, int) for p in padding
        ):
            raise MindTypeError(
                f"For '{name}', 'padding' must be an int or a tuple of ints, got {padding!r}"
            )
        if len(padding) % 2:
            raise MindValueError(
                f"For '{name}', 'padding' must have an even length, got {len(padding)}"
            )
        if self.mode != "constant" and min(padding, default=0) < 0:
            raise MindValueError(f"For '{name}', 'padding' must be >= 0, got {padding!r}")
        self.padding, self.value = tuple(padding), value

    def construct(self, x: Tensor) -> Tensor:
        value = self.value if self.mode == "constant" else None
        return F.pad(x, self.padding, self.mode, value)


def _pad_layer(name: str, dims: int, mode: str) -> type:
    doc = f"Pad the last {dims} axes ({mode}), MindSpore's ``nn.{name}``."
    return type(name, (_PadNd,), {"dims": dims, "mode": mode, "__doc__": doc})


ConstantPad1d = _pad_layer("ConstantPad1d", 1, "constant")
ConstantPad2d = _pad_layer("ConstantPad2d", 2, "constant")
ConstantPad3d = _pad_layer("ConstantPad3d", 3, "constant")
ReflectionPad1d = _pad_layer("ReflectionPad1d", 1, "reflect")
ReflectionPad2d = _pad_layer("ReflectionPad2d", 2, "reflect")
ReflectionPad3d = _pad_layer("ReflectionPad3d", 3, "reflect")
ReplicationPad1d = _pad_layer("ReplicationPad1d", 1, "replicate")
ReplicationPad2d = _pad_layer("ReplicationPad2d", 2, "replicate")
ReplicationPad3d = _pad_layer("ReplicationPad3d", 3, "replicate")


class ZeroPad2d(_PadNd):
    """Pad the last 2 axes with zeros, MindSpore's ``nn.ZeroPad2d``."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class L1Regularizer(Cell):
    """``scale * sum(|weights|)``, MindSpore's ``nn.L1Regularizer``."""

    def __init__(self, scale: float) -> None:
        super().__init__()
        if isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
            raise MindValueError(
                f"For 'L1Regularizer', 'scale' must be a positive float, got {scale!r}"
            )
        self.scale = float(scale)

    def construct(self, weights: Tensor) -> Tensor:
        return F.mul(F.sum(F.abs(weights)), self.scale)


_ACTIVATIONS = {
    "relu": ReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "gelu": GELU,
    "silu": SiLU,
    "softmax": Softmax,
    "leakyrelu": LeakyReLU,
    "elu": ELU,
    "relu6": ReLU6,
    "softsign": Softsign,
    "mish": Mish,
    "logsigmoid": LogSigmoid,
    "tanhshrink": Tanhshrink,
    "selu": SeLU,
    "hswish": HSwish,
    "hsigmoid": HSigmoid,
    "fast_gelu": FastGelu,
    "hardtanh": Hardtanh,
    "hshrink": HShrink,
    "softshrink": SoftShrink,
    "celu": CELU,
    "prelu": PReLU,
}


def _activation(activation: Any) -> Cell | None:
    if activation is None or isinstance(activation, Cell):
        return activation
    if isinstance(activation, str):
        try:
            return _ACTIVATIONS[activation.lower()]()
        except KeyError:
            raise MindValueError(
                f"unknown activation {activation!r}; known: {sorted(_ACTIVATIONS)}"
            ) from None
    raise MindTypeError(
        f"For 'Dense', 'activation' must be a Cell, a name or None, but got {activation!r}."
    )


class Flatten(Cell):
    """Flatten axes ``start_dim`` to ``end_dim`` (by default all but the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def construct(self, x: Tensor) -> Tensor:
        return F.flatten(x, start_dim=self.start_dim, end_dim=self.end_dim)


# ------------------------------------------------------------------------------------------------
# Convolutions
# ------------------------------------------------------------------------------------------------


def _pair(v: Any) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _check_conv(
    op: str, in_channels: Any, out_channels: Any, group: Any, padding: Any, **windows: Any
) -> None:
    """Constructor checks every convolution shares: positive int channel counts and group,
    kernel size, stride and dilation ints or pairs > 0, padding ints >= 0."""
    I.check_int(op, "in_channels", in_channels, minimum=1)
    I.check_int(op, "out_channels", out_channels, minimum=1)
    I.check_int(op, "group", group, minimum=1)
    for name, value in windows.items():
        I.check_pair(op, name, value)
    pads = (padding,) if isinstance(padding, int) else padding
    if not isinstance(pads, tuple | list) or not pads:
        raise MindTypeError(
            f"For '{op}', 'padding' must be an int or a tuple of ints, but got {padding!r}."
        )
    for i, v in enumerate(pads):
        I.check_int(op, "padding" if len(pads) == 1 else f"padding[{i}]", v, minimum=0)


class _Conv(Cell):
    """A convolution layer: ``construct`` applies the class's ``conv`` op with the layer's
    weight, bias and attributes (Conv2d, Conv3d)."""

    conv: Any = (
        None  # a staticmethod of (x, weight, bias, stride, pad_mode, padding, dilation, group)
    )

    def construct(self, x: Tensor) -> Tensor:
        return self.conv(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.pad_mode,
            self.padding,
            self.dilation,
            self.group,
        )

    def extend_repr(self) -> str:
        return (
            f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
            f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}"
        )


class Conv2d(_Conv):
    """2-D convolution over NCHW input; weight (out, in / group, kH, kW). MindSpore defaults:
    ``pad_mode="same"``, no bias."""

    conv = staticmethod(F.conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        pad_mode: str = "same",
        padding: Any = 0,
        dilation: Any = 1,
        group: int = 1,
        has_bias: bool = False,
        weight_init: Any = None,
        bias_init: Any = None,
        data_format: str = "NCHW",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        _nchw_only("Conv2d", data_format)
        _check_conv(
            "Conv2d",
            in_channels,
            out_channels,
            group,
            padding,
            kernel_size=kernel_size,
            stride=stride,
            dilation=dilation,
        )
        if in_channels % group or out_channels % group:
            raise MindValueError(
                f"For 'Conv2d', in_channels ({in_channels}) and out_channels ({out_channels}) "
                f"must be divisible by group ({group})"
            )
        if pad_mode not in ("same", "valid", "pad"):
            raise MindValueError(
                f"For 'Conv2d', 'pad_mode' must be 'same', 'valid' or 'pad', got {pad_mode!r}"
            )
        self.kernel_size = _pair(kernel_size)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.stride, self.dilation, self.group = _pair(stride), _pair(dilation), group
        self.pad_mode, self.padding, self.has_bias = pad_mode, padding, has_bias
        shape = (out_channels, in_channels // group, *self.kernel_size)
        self.weight = Parameter(_default_weight(shape, weight_init))
        fan_in = in_channels // group * self.kernel_size[0] * self.kernel_size[1]
        self.bias = (
            Parameter(_default_bias((out_channels,), fan_in, bias_init)) if has_bias else None
        )
        _params_in(self, "Conv2d", dtype)


class Conv1d(Cell):
    """1-D convolution over NCL input; weight (out, in / group, k)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int = 1,
        pad_mode: str = "same",
        padding: int = 0,
        dilation: int = 1,
        group: int = 1,
        has_bias: bool = False,
        weight_init: Any = None,
        bias_init: Any = None,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        for name, value in (
            ("kernel_size", kernel_size),
            ("stride", stride),
            ("dilation", dilation),
        ):
            I.check_int("Conv1d", name, value, minimum=1)
        _check_conv("Conv1d", in_channels, out_channels, group, padding)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.dilation, self.group = (
            kernel_size,
            stride,
            dilation,
            group,
        )
        self.pad_mode, self.padding = pad_mode, padding
        self.weight = Parameter(
            _default_weight((out_channels, in_channels // group, kernel_size), weight_init)
        )
        fan_in = in_channels // group * kernel_size
        self.bias = (
            Parameter(_default_bias((out_channels,), fan_in, bias_init)) if has_bias else None
        )
        _params_in(self, "Conv1d", dtype)

    def construct(self, x: Tensor) -> Tensor:
        return F.conv1d(
            x,
            self.weight,
            self.bias,
            self.stride,
            self.pad_mode,
            self.padding,
            self.dilation,
            self.group,
        )


class Conv2dTranspose(Cell):
    """Transposed 2-D convolution; weight (in, out / group, kH, kW). ``pad_mode="same"`` gives
    an output ``stride`` times the input."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        pad_mode: str = "same",
        padding: Any = 0,
        output_padding: Any = 0,
        dilation: Any = 1,
        group: int = 1,
        has_bias: bool = False,
        weight_init: Any = None,
        bias_init: Any = None,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        _check_conv(
            "Conv2dTranspose",
            in_channels,
            out_channels,
            group,
            padding,
            kernel_size=kernel_size,
            stride=stride,
            dilation=dilation,
        )
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.dilation = (
            _pair(kernel_size),
            _pair(stride),
            _pair(dilation),
        )
        self.pad_mode, self.padding, self.output_padding, self.group = (
            pad_mode,
            padding,
            output_padding,
            group,
        )
        shape = (in_channels, out_channels // group, *self.kernel_size)
        self.weight = Parameter(_default_weight(shape, weight_init))
        fan_in = out_channels // group * self.kernel_size[0] * self.kernel_size[1]
        self.bias = (
            Parameter(_default_bias((out_channels,), fan_in, bias_init)) if has_bias else None
        )
        _params_in(self, "Conv2dTranspose", dtype)

    def construct(self, x: Tensor) -> Tensor:
        kh, kw = self.kernel_size
        (sh, sw), (dh, dw) = self.stride, self.dilation
        full_h = (x.shape[2] - 1) * sh + dh * (kh - 1) + 1
        full_w = (x.shape[3] - 1) * sw + dw * (kw - 1) + 1
        if self.pad_mode == "same":
            out_h, out_w = x.shape[2] * sh, x.shape[3] * sw
        elif self.pad_mode == "valid":
            out_h, out_w = full_h, full_w
        if self.pad_mode == "pad":  # conv2d's padding of the output, the extra rows at the end
            ph, pw = _pair(self.padding)
            oph, opw = _pair(self.output_padding)
            out_h, out_w = full_h - 2 * ph + oph, full_w - 2 * pw + opw
            pads = (ph, ph + oph, pw, pw + opw)
        else:  # the full result cropped to the size, the odd row at the end
            crop_h, crop_w = full_h - out_h, full_w - out_w
            pads = (crop_h // 2, crop_h - crop_h // 2, crop_w // 2, crop_w - crop_w // 2)
        attrs = {
            "stride": self.stride,
            "pads": pads,
            "dilation": self.dilation,
            "groups": self.group,
            "in_hw": (out_h, out_w),
        }
        out = nn_ops.bind2(nn_ops.conv_transpose2d_p, x, self.weight, attrs)
        if self.bias is not None:
            out = F.add(out, F.reshape(self.bias, (1, -1, 1, 1)))
        return out


# ------------------------------------------------------------------------------------------------
# Pooling
# ------------------------------------------------------------------------------------------------


def _pool_pads(x_shape, kernel, stride, pad_mode: str, padding: Any) -> tuple[int, int, int, int]:
    if pad_mode == "valid":
        return (0, 0, 0, 0)
    if pad_mode == "same":
        return nn_ops._same_pads(x_shape[2], kernel[0], stride[0], 1) + nn_ops._same_pads(
            x_shape[3], kernel[1], stride[1], 1
        )
    ph, pw = _pair(padding)
    return (ph, ph, pw, pw)


class _Pool2d(Cell):
    prim = None

    def __init__(
        self,
        kernel_size: Any = 1,
        stride: Any = 1,
        pad_mode: str = "valid",
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
        data_format: str = "NCHW",
        **rest: Any,
    ) -> None:
        super().__init__()
        op = type(self).__name__
        # AvgPool2d's: padding counts as zeros in the mean (MindSpore's default)
        count_include_pad = rest.pop("count_include_pad", True)
        divisor_override = rest.pop("divisor_override", None)
        if rest:
            raise MindTypeError(f"For '{op}', unexpected arguments {sorted(rest)}")
        if data_format != "NCHW" or (
            dilation not in (1, (1, 1)) and self.prim is not nn_ops.max_pool2d_p
        ):
            raise MindValueError(
                f"For '{op}', data_format='NHWC' (and dilation for average pooling) are not "
                "supported yet"
            )
        if return_indices and self.prim is not nn_ops.max_pool2d_p:
            raise MindValueError(f"For '{op}', 'return_indices' is for max pooling")
        # Options the 2-d primitives lack go to ops.pooling's n-d compositions.
        self.dilation = I.check_pair(op, "dilation", dilation)
        self.ceil_mode = I.check_bool(op, "ceil_mode", ceil_mode)
        self.count_include_pad = I.check_bool(op, "count_include_pad", count_include_pad)
        self.divisor_override = divisor_override
        self.return_indices = bool(return_indices)
        kernel_size, stride = (
            I.check_pair(op, "kernel_size", kernel_size),
            I.check_pair(op, "stride", stride),
        )
        I.check_pair(op, "padding", padding, minimum=0)
        if not isinstance(pad_mode, str):
            raise MindTypeError(
                f"For '{op}', 'pad_mode' must be a str, but got {type(pad_mode).__name__}."
            )
        if pad_mode.lower() not in ("valid", "same", "pad"):
            raise MindValueError(
                f"For '{type(self).__name__}', 'pad_mode' must be 'valid', 'same' or 'pad', got {pad_mode!r}"
            )
        self.kernel_size, self.stride = _pair(kernel_size), _pair(stride)
        self.pad_mode, self.padding = pad_mode.lower(), padding

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim != 4:
            raise MindValueError(
                f"For '{type(self).__name__}', the input must be 4-D (N, C, H, W), got shape {x.shape}"
            )
        pads = _pool_pads(x.shape, self.kernel_size, self.stride, self.pad_mode, self.padding)
        is_max = self.prim is nn_ops.max_pool2d_p
        # MindSpore's "same" average never counts the padding (TensorFlow's rule).
        include = self.count_include_pad and not (self.pad_mode == "same" and any(pads))
        averaging = not is_max and (not include or self.divisor_override)
        if self.ceil_mode or self.dilation != (1, 1) or averaging:
            from mind.core._src.ops import pooling

            op = type(self).__name__
            if is_max:
                return pooling.max_pool_nd(
                    op,
                    x,
                    self.kernel_size,
                    self.stride,
                    pads,
                    self.dilation,
                    self.ceil_mode,
                    self.return_indices,
                )
            return pooling._avg_pool(
                op,
                x,
                self.kernel_size,
                self.stride,
                pads,
                self.ceil_mode,
                include,
                self.divisor_override,
            )
        attrs = {"kernel": self.kernel_size, "stride": self.stride, "pads": pads}
        if min(nn_ops._pool_out_hw(x.shape, self.kernel_size, self.stride, pads)) <= 0:
            # A kernel larger than the input would give an empty result: the rule says so.
            self.prim.infer(ShapedArray(x.shape, x.dtype), **attrs)
        out = bind1(self.prim, x, attrs)
        return (out, bind1(nn_ops.max_pool2d_argmax_p, x, attrs)) if self.return_indices else out

    def extend_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}"


class MaxPool2d(_Pool2d):
    """2-D max pooling (MindSpore defaults: kernel 1, stride 1, ``pad_mode="valid"``)."""

    prim = nn_ops.max_pool2d_p


class AvgPool2d(_Pool2d):
    """2-D average pooling (MindSpore defaults: kernel 1, stride 1, ``pad_mode="valid"``)."""

    prim = nn_ops.avg_pool2d_p


class AdaptiveAvgPool2d(Cell):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def construct(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)


# ------------------------------------------------------------------------------------------------
# Normalisation, dropout, embedding
# ------------------------------------------------------------------------------------------------


class _BatchNorm(Cell):
    ndims: tuple[int, ...] = (2, 3)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.9,
        affine: bool = True,
        gamma_init: Any = "ones",
        beta_init: Any = "zeros",
        moving_mean_init: Any = "zeros",
        moving_var_init: Any = "ones",
        use_batch_statistics: Any = None,
        data_format: str = "NCHW",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        _nchw_only(type(self).__name__, data_format)
        op = type(self).__name__
        num_features = I.check_int(op, "num_features", num_features, minimum=1)
        I.check_number(op, "momentum", momentum, minimum=0.0, maximum=1.0)
        I.check_number(op, "eps", eps, minimum=0.0)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.use_batch_statistics = use_batch_statistics
        self.gamma = Parameter(initializer(gamma_init, num_features), requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, num_features), requires_grad=affine)
        self.moving_mean = Parameter(
            initializer(moving_mean_init, num_features), requires_grad=False
        )
        self.moving_variance = Parameter(
            initializer(moving_var_init, num_features), requires_grad=False
        )
        _params_in(self, type(self).__name__, dtype)

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim not in self.ndims or x.shape[1] != self.num_features:
            raise MindValueError(
                f"For '{type(self).__name__}', the input must be {' or '.join(f'{n}-D' for n in self.ndims)} "
                f"with {self.num_features} channels on axis 1, got shape {x.shape}"
            )
        training = self.training if self.use_batch_statistics is None else self.use_batch_statistics
        # MindSpore's momentum weighs the running value; ops.batch_norm's weighs the new one.
        return F.batch_norm(
            x,
            self.moving_mean,
            self.moving_variance,
            self.gamma,
            self.beta,
            training,
            1 - self.momentum,
            self.eps,
        )

    def extend_repr(self) -> str:
        return f"num_features={self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input; ``momentum`` weighs the running stats."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of NCHW input; ``momentum`` weighs the running stats."""

    ndims = (4,)


class LayerNorm(Cell):
    """Normalise over the trailing ``normalized_shape``; parameters ``gamma`` and ``beta``."""

    def __init__(
        self,
        normalized_shape: Any,
        begin_norm_axis: int = -1,
        begin_params_axis: int = -1,
        gamma_init: Any = "ones",
        beta_init: Any = "zeros",
        epsilon: float = 1e-7,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        self.normalized_shape = (
            (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        )
        self.epsilon = epsilon
        self.gamma = Parameter(initializer(gamma_init, self.normalized_shape))
        self.beta = Parameter(initializer(beta_init, self.normalized_shape))
        _params_in(self, "LayerNorm", dtype)

    def construct(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.gamma, self.beta, self.epsilon)


class GroupNorm(Cell):
    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        gamma_init: Any = "ones",
        beta_init: Any = "zeros",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        I.check_int("GroupNorm", "num_groups", num_groups, minimum=1)
        I.check_int("GroupNorm", "num_channels", num_channels, minimum=1)
        if num_channels % num_groups:
            raise MindValueError(
                f"For 'GroupNorm', num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.gamma = Parameter(initializer(gamma_init, num_channels), requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, num_channels), requires_grad=affine)
        _params_in(self, "GroupNorm", dtype)

    def construct(self, x: Tensor) -> Tensor:
        return F.group_norm(x, self.num_groups, self.gamma, self.beta, self.eps)


class Dropout(Cell):
    """Zero elements with probability ``p`` in training (``keep_prob`` is MindSpore 1.x's form)."""

    def __init__(
        self, keep_prob: float | None = None, p: float | None = None, dtype: Any = dt.float32
    ) -> None:
        super().__init__()
        if p is None:
            p = 0.5 if keep_prob is None else 1 - keep_prob
        if not 0 <= p < 1:
            raise MindValueError(f"For 'Dropout', 'p' must be in [0, 1), got {p}")
        if not dt.to_dtype(dtype).is_floating_point:
            raise MindTypeError(f"For 'Dropout', 'dtype' must be a float dtype, got {dtype}")
        self.p = p  # the output keeps the input's dtype; 'dtype' names it (MindSpore's, deprecated)

    def construct(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extend_repr(self) -> str:
        return f"p={self.p}"


class Embedding(Cell):
    """Lookup table of ``vocab_size`` vectors; parameter ``embedding_table``."""

    def __init__(
        self,
        vocab_size: int,
        embedding_size: int,
        use_one_hot: bool = False,
        embedding_table: Any = "normal",
        dtype: Any = dt.int32,
        padding_idx: int | None = None,
    ) -> None:
        super().__init__()
        vocab_size = I.check_int("Embedding", "vocab_size", vocab_size, minimum=1)
        embedding_size = I.check_int("Embedding", "embedding_size", embedding_size, minimum=1)
        if padding_idx is not None:
            padding_idx = I.check_int(
                "Embedding", "padding_idx", padding_idx, minimum=-vocab_size, maximum=vocab_size - 1
            )
        self.vocab_size, self.embedding_size, self.padding_idx = (
            vocab_size,
            embedding_size,
            padding_idx,
        )
        self.use_one_hot = I.check_bool("Embedding", "use_one_hot", use_one_hot)
        if dt.to_dtype(dtype).name not in ("int32", "int64"):
            raise MindTypeError(
                f"For 'Embedding', 'dtype' (the indices' dtype) must be int32 or int64, got {dtype}"
            )
        table = initializer(embedding_table, (vocab_size, embedding_size))
        if padding_idx is not None:
            table._data[padding_idx] = 0
        self.embedding_table = Parameter(table)

    def construct(self, ids: Tensor) -> Tensor:
        if self.use_one_hot:  # MindSpore's alternative: a one-hot matrix times the table
            table = self.embedding_table
            hot = F.one_hot(ids, self.vocab_size, 1.0, 0.0)
            return F.matmul(F.cast(hot, table.dtype), table)
        # np.take wraps a negative index round to a row: the index contract is checked here.
        return nn_ops.lookup("Embedding", self.embedding_table, ids)
