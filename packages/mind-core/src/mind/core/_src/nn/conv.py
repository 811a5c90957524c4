"""Convolution and normalization layers beyond layers' 2-d ones (Conv3d, the transposed convolutions, BatchNorm3d, InstanceNorm),
and the image layers over the same ops (PixelShuffle, PixelUnshuffle, ChannelShuffle, LRN, Unfold)."""

from __future__ import annotations

import math
from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.nn.initializer import initializer
from mind.core._src.nn.layers import (
    BatchNorm2d,
    _check_conv,
    _Conv,
    _default_bias,
    _default_weight,
    _params_in,
)
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.ops import nn_ops as N
from mind.core._src.ops import pooling as P
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindValueError

__all__ = [
    "LRN",
    "BatchNorm3d",
    "ChannelShuffle",
    "Conv1dTranspose",
    "Conv3d",
    "Conv3dTranspose",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "PixelShuffle",
    "PixelUnshuffle",
    "Unfold",
]


def _ncdhw_only(layer: str, data_format: Any) -> None:
    if data_format != "NCDHW":
        raise MindValueError(
            f"For '{layer}', 'data_format' must be 'NCDHW', got {data_format!r}: Mind's 3-d "
            "convolutions take channels-first input"
        )


def _conv_padding(op: str, pad_mode: str, padding: Any, nd: int) -> tuple[int, ...]:
    if pad_mode not in ("same", "valid", "pad"):
        raise MindValueError(
            f"For '{op}', 'pad_mode' must be 'same', 'valid' or 'pad', got {pad_mode!r}"
        )
    pads = P.pads_of(op, padding, nd)
    if pad_mode != "pad" and any(pads):
        raise MindValueError(
            f"For '{op}', 'padding' must be 0 unless pad_mode is 'pad', got {padding!r}"
        )
    return pads


class Conv3d(_Conv):
    """3-D convolution over (N, C, D, H, W) input; weight (out, in / group, kD, kH, kW).
    MindSpore defaults: ``pad_mode="same"``, no bias; ``padding`` an int or 6 ints."""

    conv = staticmethod(P.conv3d)

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
        data_format: str = "NCDHW",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        op = type(self).__name__
        _ncdhw_only(op, data_format)
        _check_conv(op, in_channels, out_channels, group, 0)
        if in_channels % group or out_channels % group:
            raise MindValueError(
                f"For '{op}', in_channels ({in_channels}) and out_channels ({out_channels}) "
                f"must be divisible by group ({group})"
            )
        self.in_channels, self.out_channels, self.group = in_channels, out_channels, group
        self.kernel_size = P.ints(op, "kernel_size", kernel_size, 3)
        self.stride = P.ints(op, "stride", stride, 3)
        self.dilation = P.ints(op, "dilation", dilation, 3)
        self.pad_mode = pad_mode
        self.padding = _conv_padding(op, pad_mode, padding, 3)
        self.has_bias = has_bias
        self._make_params(weight_init, bias_init, dtype)

    def _make_params(self, weight_init: Any, bias_init: Any, dtype: Any) -> None:
        shape = (self.out_channels, self.in_channels // self.group, *self.kernel_size)
        self.weight = Parameter(_default_weight(shape, weight_init))
        fan_in = self.in_channels // self.group * math.prod(self.kernel_size)
        self.bias = (
            Parameter(_default_bias((self.out_channels,), fan_in, bias_init))
            if self.has_bias
            else None
        )
        _params_in(self, type(self).__name__, dtype)


class Conv3dTranspose(Conv3d):
    """Transposed 3-D convolution; weight (in, out / group, kD, kH, kW). ``pad_mode="same"``
    gives an output ``stride`` times the input."""

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
        output_padding: Any = 0,
        has_bias: bool = False,
        weight_init: Any = None,
        bias_init: Any = None,
        data_format: str = "NCDHW",
        dtype: Any = dt.float32,
    ) -> None:
        extend = P.ints(type(self).__name__, "output_padding", output_padding, 3, 0)
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            pad_mode,
            padding,
            dilation,
            group,
            has_bias,
            weight_init,
            bias_init,
            data_format,
            dtype,
        )
        self.output_padding = extend

    def _make_params(self, weight_init: Any, bias_init: Any, dtype: Any) -> None:
        shape = (self.in_channels, self.out_channels // self.group, *self.kernel_size)
        self.weight = Parameter(_default_weight(shape, weight_init))
        fan_in = self.out_channels // self.group * math.prod(self.kernel_size)
        self.bias = (
            Parameter(_default_bias((self.out_channels,), fan_in, bias_init))
            if self.has_bias
            else None
        )
        _params_in(self, type(self).__name__, dtype)

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim != 5:
            raise I.fail(
                type(self).__name__, f"the input must be 5-D (N, C, D, H, W), got {x.shape}"
            )
        lo, out = P.transpose_geometry(
            type(self).__name__,
            x.shape[2:],
            self.kernel_size,
            self.stride,
            self.dilation,
            self.pad_mode,
            self.padding,
            self.output_padding,
        )
        y = P.conv_transpose_nd3(x, self.weight, self.stride, self.dilation, self.group, lo, out)
        if self.bias is not None:
            y = F.add(y, F.reshape(self.bias, (1, -1, 1, 1, 1)))
        return y


class Conv1dTranspose(Cell):
    """Transposed 1-D convolution over (N, C, L) input; weight (in, out / group, 1, k), as
    MindSpore keeps it."""

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
        op = type(self).__name__
        for name, value in (
            ("kernel_size", kernel_size),
            ("stride", stride),
            ("dilation", dilation),
        ):
            I.check_int(op, name, value, minimum=1)
        _check_conv(op, in_channels, out_channels, group, padding)
        if in_channels % group or out_channels % group:
            raise MindValueError(
                f"For '{op}', in_channels ({in_channels}) and out_channels ({out_channels}) "
                f"must be divisible by group ({group})"
            )
        self.in_channels, self.out_channels, self.group = in_channels, out_channels, group
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation
        self.pad_mode = pad_mode
        self.padding = _conv_padding(op, pad_mode, padding, 1)
        self.has_bias = has_bias
        if isinstance(weight_init, Tensor) and weight_init.ndim == 3:
            weight_init = F.reshape(weight_init, (*weight_init.shape[:2], 1, weight_init.shape[2]))
        shape = (in_channels, out_channels // group, 1, kernel_size)
        self.weight = Parameter(_default_weight(shape, weight_init))
        fan_in = out_channels // group * kernel_size
        self.bias = (
            Parameter(_default_bias((out_channels,), fan_in, bias_init)) if has_bias else None
        )
        _params_in(self, op, dtype)

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim != 3:
            raise I.fail(type(self).__name__, f"the input must be 3-D (N, C, L), got {x.shape}")
        (lo,), (out,) = P.transpose_geometry(
            type(self).__name__,
            x.shape[2:],
            (self.kernel_size,),
            (self.stride,),
            (self.dilation,),
            self.pad_mode,
            self.padding,
            (0,),
        )
        full = (x.shape[2] - 1) * self.stride + self.dilation * (self.kernel_size - 1) + 1
        attrs = {
            "stride": (1, self.stride),
            "pads": (0, 0, lo, max(full - lo - out, 0)),
            "dilation": (1, self.dilation),
            "groups": self.group,
            "in_hw": (1, out),
        }
        x4 = F.reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2]))
        y = N.bind2(N.conv_transpose2d_p, x4, self.weight, attrs)
        y = F.reshape(y, (y.shape[0], y.shape[1], out))
        if self.bias is not None:
            y = F.add(y, F.reshape(self.bias, (1, -1, 1)))
        return y


# ------------------------------------------------------------------------------------------------
# Normalisation
# ------------------------------------------------------------------------------------------------


class BatchNorm3d(Cell):
    """Batch normalisation of (N, C, D, H, W) input: a BatchNorm2d (its parameters under
    ``bn2d``, as MindSpore names them) over (N, C, D * H, W)."""

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
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        self.bn2d = BatchNorm2d(
            num_features,
            eps,
            momentum,
            affine,
            gamma_init,
            beta_init,
            moving_mean_init,
            moving_var_init,
            use_batch_statistics,
            "NCHW",
            dtype,
        )

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim != 5:
            raise MindValueError(
                f"For 'BatchNorm3d', the input must be 5-D (N, C, D, H, W), got shape {x.shape}"
            )
        n, c, d, h, w = x.shape
        return F.reshape(self.bn2d(F.reshape(x, (n, c, d * h, w))), x.shape)


class _InstanceNorm(Cell):
    ndim = 4

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        gamma_init: Any = "ones",
        beta_init: Any = "zeros",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        op = type(self).__name__
        self.num_features = I.check_int(op, "num_features", num_features, minimum=1)
        self.eps = I.check_number(op, "eps", eps, minimum=0.0)
        self.momentum = I.check_number(op, "momentum", momentum, minimum=0.0, maximum=1.0)
        self.moving_mean = Parameter(initializer("zeros", num_features), requires_grad=False)
        self.moving_variance = Parameter(initializer("ones", num_features), requires_grad=False)
        self.gamma = Parameter(initializer(gamma_init, num_features), requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, num_features), requires_grad=affine)
        _params_in(self, op, dtype)

    def construct(self, x: Tensor) -> Tensor:
        op = type(self).__name__
        if x.ndim != self.ndim or x.shape[1] != self.num_features:
            raise MindValueError(
                f"For '{op}', the input must be {self.ndim}-D with {self.num_features} channels "
                f"on axis 1, got shape {x.shape}"
            )
        # Each (sample, channel) plane normalised by its own statistics: group norm with one
        # channel per group.
        return N.group_norm(x, self.num_features, self.gamma, self.beta, self.eps)

    def extend_repr(self) -> str:
        return f"num_features={self.num_features}, eps={self.eps}, momentum={self.momentum}"


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) input: each sample's channels by their own mean and
    variance, then ``gamma`` and ``beta``."""

    ndim = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) input (see :class:`InstanceNorm1d`)."""

    ndim = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) input (see :class:`InstanceNorm1d`)."""

    ndim = 5


# ------------------------------------------------------------------------------------------------
# Image layers
# ------------------------------------------------------------------------------------------------


class PixelShuffle(Cell):
    """(*, C * r * r, H, W) to (*, C, H * r, W * r) (see :func:`ops.pixel_shuffle`)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def construct(self, input: Tensor) -> Tensor:
        return P.pixel_shuffle(input, self.upscale_factor)


class PixelUnshuffle(Cell):
    """(*, C, H * r, W * r) to (*, C * r * r, H, W) (see :func:`ops.pixel_unshuffle`)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def construct(self, input: Tensor) -> Tensor:
        return P.pixel_unshuffle(input, self.downscale_factor)


class ChannelShuffle(Cell):
    """The channels seen as (groups, C / groups) and transposed (see :func:`ops.channel_shuffle`)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = I.check_int("ChannelShuffle", "groups", groups, minimum=1)

    def construct(self, x: Tensor) -> Tensor:
        return P.channel_shuffle(x, self.groups)


class LRN(Cell):
    """Local response normalisation across channels (see :func:`ops.lrn`)."""

    def __init__(
        self,
        depth_radius: int = 5,
        bias: float = 1.0,
        alpha: float = 1.0,
        beta: float = 0.5,
        norm_region: str = "ACROSS_CHANNELS",
    ) -> None:
        super().__init__()
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta
        self.norm_region = norm_region

    def construct(self, x: Tensor) -> Tensor:
        return P.lrn(x, self.depth_radius, self.bias, self.alpha, self.beta, self.norm_region)


def _image_arg(name: str, value: Any) -> tuple[int, int]:
    if not isinstance(value, tuple | list) or len(value) != 4 or value[0] != 1 or value[3] != 1:
        raise MindValueError(
            f"For 'Unfold', '{name}' must be [1, {name}_row, {name}_col, 1], but got {value!r}."
        )
    return (
        I.check_int("Unfold", name, value[1], minimum=1),
        I.check_int("Unfold", name, value[2], minimum=1),
    )


class Unfold(Cell):
    """Image patches of NCHW input (MindSpore's, TensorFlow's extract_image_patches): (N,
    kh * kw * C, OH, OW), each patch's entries ordered (kh, kw, C). ``ksizes``, ``strides`` and
    ``rates`` are [1, row, col, 1]; ``padding`` "valid" or "same" (zeros)."""

    def __init__(self, ksizes: Any, strides: Any, rates: Any, padding: str = "valid") -> None:
        super().__init__()
        self.ksizes = _image_arg("ksizes", ksizes)
        self.strides = _image_arg("strides", strides)
        self.rates = _image_arg("rates", rates)
        if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
            raise MindValueError(
                f"For 'Unfold', 'padding' must be 'valid' or 'same', got {padding!r}"
            )
        self.padding = padding.lower()

    def construct(self, x: Tensor) -> Tensor:
        if x.ndim != 4:
            raise I.fail("Unfold", f"the input must be 4-D (N, C, H, W), got shape {x.shape}")
        pads = 0
        if self.padding == "same":
            pads = P._same_pads(x.shape[2:], self.ksizes, self.strides, self.rates)
        n, c, h, w = x.shape
        cols = P.unfold(x, self.ksizes, self.rates, pads, self.strides)  # (N, C * K, L)
        k = self.ksizes[0] * self.ksizes[1]
        oh = P.window_out(
            h, self.ksizes[0], self.strides[0], self.rates[0], *(pads or (0, 0, 0, 0))[:2], False
        )
        cols = F.transpose(F.reshape(cols, (n, c, k, -1)), (0, 2, 1, 3))
        return F.reshape(cols, (n, k * c, oh, -1))
