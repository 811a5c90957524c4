"""MindSpore's Primitive-class operators over the ops of ``pooling`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import functional as F
from mind.core._src.ops import nn_ops as N
from mind.core._src.ops import pooling as M
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _ints
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindValueError


def _window(value: Any, what: str, op: str, nd: int) -> tuple[int, ...]:
    """MindSpore's window attributes: an int, ``nd`` ints, or the NC-prefixed ``nd + 2``."""
    items = _ints(value, what, op)
    if len(items) == nd + 2:
        items = items[2:]
    return M.ints(op, what, items, nd)


def _pads(value: Any, op: str, nd: int) -> tuple[int, ...]:
    items = _ints(value, "pad", op)
    return M.pads_of(op, items[0] if len(items) == 1 else items, nd)


def _format(op: PrimitiveClass, want: str) -> None:
    layout = op.attrs.get("data_format", want)
    if layout != want:
        raise MindValueError(
            f"For '{op.name}', data_format must be {want!r} on Mind, got {layout!r}: move the "
            "channels to axis 1 with ops.transpose"
        )


def _mode_pads(op: PrimitiveClass, x: Tensor, kernel, stride, dilation, pad_mode, pad, nd):
    mode = pad_mode.lower() if isinstance(pad_mode, str) else pad_mode
    if mode == "same":
        return M._same_pads(x.shape[2:], kernel, stride, dilation)
    if mode == "valid":
        return (0,) * (2 * nd)
    if mode == "pad":
        return _pads(pad, op.name, nd)
    raise MindValueError(
        f"For '{op.name}', pad_mode must be 'VALID', 'SAME' or 'PAD', got {pad_mode!r}"
    )


def _argmax_type(op: PrimitiveClass, index: Tensor) -> Tensor:
    return F.cast(index, op.attrs.get("argmax_type", dt.int64))


# ------------------------------------------------------------------------------------------------
# Max and average pooling
# ------------------------------------------------------------------------------------------------


@_calls(M.max_pool3d)
def _max_pool3d(op: PrimitiveClass, x: Any) -> Tensor:
    _format(op, "NCDHW")
    x = as_tensor(x)
    kernel, stride = (
        _window(op.kernel_size, "kernel_size", op.name, 3),
        _window(op.strides, "strides", op.name, 3),
    )
    pads = _mode_pads(op, x, kernel, stride, (1, 1, 1), op.pad_mode, op.pad_list, 3)
    return M.max_pool_nd(op.name, x, kernel, stride, pads, (1, 1, 1), bool(op.ceil_mode), False)


_define(
    "MaxPool3D",
    _max_pool3d,
    kernel_size=1,
    strides=1,
    pad_mode="VALID",
    pad_list=0,
    ceil_mode=None,
    data_format="NCDHW",
)


@_calls(M.avg_pool3d)
def _avg_pool3d(op: PrimitiveClass, x: Any) -> Tensor:
    _format(op, "NCDHW")
    x = as_tensor(x)
    kernel, stride = (
        _window(op.kernel_size, "kernel_size", op.name, 3),
        _window(op.strides, "strides", op.name, 3),
    )
    pads = _mode_pads(op, x, kernel, stride, (1, 1, 1), op.pad_mode, op.pad, 3)
    same = isinstance(op.pad_mode, str) and op.pad_mode.lower() == "same"
    include = bool(op.count_include_pad) and not same  # "same" padding never counts
    return M._avg_pool(
        op.name, x, kernel, stride, pads, bool(op.ceil_mode), include, op.divisor_override
    )


_define(
    "AvgPool3D",
    _avg_pool3d,
    kernel_size=1,
    strides=1,
    pad_mode="valid",
    pad=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=0,
    data_format="NCDHW",
)


@_calls(M.max_pool3d)
def _max_pool_with_argmax(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor]:
    _format(op, "NCHW")
    x = as_tensor(x)
    kernel, stride = (
        _window(op.kernel_size, "kernel_size", op.name, 2),
        _window(op.strides, "strides", op.name, 2),
    )
    pads = _mode_pads(op, x, kernel, stride, (1, 1), op.pad_mode, 0, 2)
    out, index = M.max_pool_nd(op.name, x, kernel, stride, pads, (1, 1), False, True)
    # TensorFlow's argmax, as MindSpore's: a flat position in the sample's (C, H, W), not the plane.
    plane = x.shape[2] * x.shape[3]
    channel = Tensor((np.arange(x.shape[1], dtype=np.int64) * plane).reshape(1, -1, 1, 1))
    return out, F.cast(F.add(index, channel), dt.int32)


_define(
    "MaxPoolWithArgmax",
    _max_pool_with_argmax,
    kernel_size=1,
    strides=1,
    pad_mode="valid",
    data_format="NCHW",
)


def _with_argmax(nd: int):
    def apply(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor]:
        x = as_tensor(x)
        kernel = _window(
            op.attrs["kernel_size" if nd == 2 else "ksize"], "kernel_size", op.name, nd
        )
        strides = op.strides
        stride = kernel if strides is None else _window(strides, "strides", op.name, nd)
        pads = _pads(op.pads, op.name, nd)
        dilation = _window(op.dilation, "dilation", op.name, nd)
        out, index = M.max_pool_nd(op.name, x, kernel, stride, pads, dilation, op.ceil_mode, True)
        return out, _argmax_type(op, index)

    return _calls(M.max_pool3d)(apply)


_define(
    "MaxPoolWithArgmaxV2",
    _with_argmax(2),
    kernel_size=_REQUIRED,
    strides=None,
    pads=0,
    dilation=(1, 1),
    ceil_mode=False,
    argmax_type=dt.int64,
)
_define(
    "MaxPool3DWithArgmax",
    _with_argmax(3),
    ksize=_REQUIRED,
    strides=_REQUIRED,
    pads=_REQUIRED,
    dilation=(1, 1, 1),
    ceil_mode=False,
    data_format="NCDHW",
    argmax_type=dt.int64,
)


# ------------------------------------------------------------------------------------------------
# Adaptive pooling and unpooling
# ------------------------------------------------------------------------------------------------

_define(
    "AdaptiveAvgPool2D",
    _calls(N.adaptive_avg_pool2d)(lambda op, x: N.adaptive_avg_pool2d(x, op.output_size)),
    output_size=_REQUIRED,
)
_define(
    "AdaptiveAvgPool3D",
    _calls(M.adaptive_avg_pool3d)(lambda op, x: M.adaptive_avg_pool3d(x, op.output_size)),
    output_size=_REQUIRED,
)
_define(
    "AdaptiveMaxPool2D",
    _calls(M.adaptive_max_pool2d)(lambda op, x: M.adaptive_max_pool2d(x, op.output_size, True)),
    output_size=_REQUIRED,
)


def _unpool(nd: int):
    @_calls(M.max_unpool2d)
    def apply(op: PrimitiveClass, x: Any, argmax: Any) -> Tensor:
        _format(op, "NCHW" if nd == 2 else "NCDHW")
        kernel = _window(op.ksize, "ksize", op.name, nd)
        strides = _ints(op.strides, "strides", op.name)
        stride = kernel if not any(strides) else _window(strides, "strides", op.name, nd)
        pads = (
            _window(op.pads, "pads", op.name, nd)
            if any(_ints(op.pads, "pads", op.name))
            else (0,) * nd
        )
        return M._max_unpool(
            op.name, nd, x, argmax, kernel, stride, pads, tuple(op.output_shape) or None
        )

    return apply


_define(
    "MaxUnpool2D",
    _unpool(2),
    ksize=_REQUIRED,
    strides=0,
    pads=0,
    output_shape=(),
    data_format="NCHW",
)
_define(
    "MaxUnpool3D",
    _unpool(3),
    ksize=_REQUIRED,
    strides=0,
    pads=0,
    output_shape=(),
    data_format="NCDHW",
)


# ------------------------------------------------------------------------------------------------
# Convolutions
# ------------------------------------------------------------------------------------------------


@_calls(M.conv3d)
def _conv3d(op: PrimitiveClass, x: Any, weight: Any, bias: Any = None) -> Tensor:
    _format(op, "NCDHW")
    pad_mode = op.pad_mode.lower()
    pad = _ints(op.pad, "pad", op.name) if pad_mode == "pad" else 0
    out = M.conv3d(
        x,
        weight,
        bias,
        _window(op.stride, "stride", op.name, 3),
        pad_mode,
        pad[0] if pad_mode == "pad" and len(pad) == 1 else pad,
        _window(op.dilation, "dilation", op.name, 3),
        op.group,
    )
    return out


_define(
    "Conv3D",
    _conv3d,
    out_channel=_REQUIRED,
    kernel_size=_REQUIRED,
    mode=1,
    pad_mode="valid",
    pad=0,
    stride=1,
    dilation=1,
    group=1,
    data_format="NCDHW",
)


@_calls(M.conv3d_transpose)
def _conv3d_transpose(op: PrimitiveClass, dout: Any, weight: Any, bias: Any = None) -> Tensor:
    _format(op, "NCDHW")
    x, w = as_tensor(dout), as_tensor(weight)
    stride = _window(op.stride, "stride", op.name, 3)
    dilation = _window(op.dilation, "dilation", op.name, 3)
    extend = (
        _window(op.output_padding, "output_padding", op.name, 3)
        if any(_ints(op.output_padding, "output_padding", op.name))
        else (0, 0, 0)
    )
    pad = _ints(op.pad, "pad", op.name)
    lo, out = M.transpose_geometry(
        op.name,
        x.shape[2:],
        w.shape[2:],
        stride,
        dilation,
        op.pad_mode,
        pad[0] if len(pad) == 1 else pad,
        extend,
    )
    y = M.conv_transpose_nd3(x, w, stride, dilation, op.group, lo, out)
    if bias is not None:
        y = F.add(y, F.reshape(bias, (1, -1, 1, 1, 1)))
    return y


_define(
    "Conv3DTranspose",
    _conv3d_transpose,
    in_channel=_REQUIRED,
    out_channel=_REQUIRED,
    kernel_size=_REQUIRED,
    mode=1,
    pad_mode="valid",
    pad=0,
    stride=1,
    dilation=1,
    group=1,
    output_padding=0,
    data_format="NCDHW",
)


def _hw(value: Any, what: str, op: str) -> tuple[int, int]:
    return _window(value, what, op, 2)


@_calls(N.conv_transpose2d)
def _conv2d_backprop_input(op: PrimitiveClass, dout: Any, weight: Any, input_size: Any) -> Tensor:
    """The gradient of Conv2D with respect to its input, of shape ``input_size``."""
    _format(op, "NCHW")
    dout, weight = as_tensor(dout), as_tensor(weight)
    size = tuple(int(v) for v in _ints(input_size, "input_size", op.name))
    if len(size) != 4:
        raise MindValueError(
            f"For '{op.name}', 'input_size' must be (N, C, H, W), got {input_size!r}"
        )
    stride, dilation = _hw(op.stride, "stride", op.name), _hw(op.dilation, "dilation", op.name)
    mode = op.pad_mode.lower()
    if mode == "pad" and op.pad_list is not None and any(_ints(op.pad_list, "pad_list", op.name)):
        pads = _ints(op.pad_list, "pad_list", op.name)
    else:
        pad = _ints(op.pad, "pad", op.name)
        pads = N.conv_pads(
            op.name,
            size,
            weight.shape[2:],
            stride,
            dilation,
            mode,
            pad[0] if len(pad) == 1 else pad,
        )
    attrs = {
        "stride": stride,
        "pads": tuple(pads),
        "dilation": dilation,
        "groups": op.group,
        "in_hw": size[2:],
    }
    if dout.dtype is not weight.dtype:
        weight = F.cast(weight, dout.dtype)
    return N.bind2(N.conv_transpose2d_p, dout, weight, attrs)


for _name in ("Conv2DBackpropInput", "Conv2DTranspose"):
    _define(
        _name,
        _conv2d_backprop_input,
        out_channel=_REQUIRED,
        kernel_size=_REQUIRED,
        pad_mode="valid",
        pad=0,
        pad_list=None,
        mode=1,
        stride=1,
        dilation=1,
        group=1,
        data_format="NCHW",
    )


# ------------------------------------------------------------------------------------------------
# im2col / col2im, shuffles, LRN, BatchNorm
# ------------------------------------------------------------------------------------------------


def _im2col_pads(value: Any, op: str) -> tuple[int, ...]:
    items = _ints(value, "pads", op)
    if len(items) == 1:
        return items * 4
    if len(items) == 2:
        return (items[0], items[0], items[1], items[1])
    if len(items) == 4:
        return items
    raise MindValueError(f"For '{op}', 'pads' must be an int or 2 or 4 ints, got {value!r}")


@_calls(M.unfold)
def _im2col(op: PrimitiveClass, x: Any) -> Tensor:
    """(N, C, kh * kw, L): unfold's columns with the channels apart."""
    x = as_tensor(x)
    kernel = _hw(op.ksizes, "ksizes", op.name)
    cols = M.unfold(
        x,
        kernel,
        _hw(op.dilations, "dilations", op.name),
        _im2col_pads(op.pads, op.name),
        _hw(op.strides, "strides", op.name),
    )
    return F.reshape(cols, (x.shape[0], x.shape[1], kernel[0] * kernel[1], -1))


_define("Im2Col", _im2col, ksizes=_REQUIRED, strides=1, dilations=1, pads=0)


@_calls(M.fold)
def _col2im(op: PrimitiveClass, x: Any, output_size: Any) -> Tensor:
    x = as_tensor(x)
    if x.ndim != 4:
        raise MindValueError(f"For '{op.name}', 'x' must be 4-D (N, C, kh * kw, L), got {x.shape}")
    n, c, k, blocks = x.shape
    return M.fold(
        F.reshape(x, (n, c * k, blocks)),
        _hw(output_size, "output_size", op.name),
        _hw(op.kernel_size, "kernel_size", op.name),
        _hw(op.dilation, "dilation", op.name),
        _im2col_pads(op.padding, op.name),
        _hw(op.stride, "stride", op.name),
    )


_define("Col2Im", _col2im, kernel_size=_REQUIRED, dilation=1, padding=0, stride=1)
_define(
    "ChannelShuffle",
    _calls(M.channel_shuffle)(lambda op, x: M.channel_shuffle(x, op.group)),
    group=_REQUIRED,
)
_define(
    "LRN",
    _calls(M.lrn)(
        lambda op, x: M.lrn(x, op.depth_radius, op.bias, op.alpha, op.beta, op.norm_region)
    ),
    depth_radius=5,
    bias=1.0,
    alpha=1.0,
    beta=0.5,
    norm_region="ACROSS_CHANNELS",
)


@_calls(N.batch_norm)
def _batch_norm(
    op: PrimitiveClass, x: Any, scale: Any, bias: Any, mean: Any, variance: Any
) -> tuple[Tensor, ...]:
    """MindSpore's five outputs: (y, batch_mean, batch_variance, reserve_1, reserve_2). In
    training the batch statistics normalise and ``mean``/``variance`` (Parameters) are updated
    in place, ``(1 - momentum) * running + momentum * batch``; otherwise the running ones
    normalise and come back as the statistics."""
    _format(op, "NCHW")
    x = as_tensor(x)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if op.is_training:
        axes = (0, *range(2, x.ndim))
        batch_mean = F.mean(x, axes)
        batch_var = F.var(x, axes, 0)
        if isinstance(mean, Parameter) and isinstance(variance, Parameter):
            count = x.size // x.shape[1]
            unbiased = F.mul(F.stop_gradient(batch_var), count / max(count - 1, 1))
            m = op.momentum
            F.assign(mean, F.add(F.mul(mean, 1 - m), F.mul(F.stop_gradient(batch_mean), m)))
            F.assign(variance, F.add(F.mul(variance, 1 - m), F.mul(unbiased, m)))
        mu, sigma2 = batch_mean, batch_var
    else:
        mu, sigma2 = as_tensor(mean), as_tensor(variance)
    y = F.div(F.sub(x, F.reshape(mu, shape)), F.sqrt(F.add(F.reshape(sigma2, shape), op.epsilon)))
    y = F.add(F.mul(y, F.reshape(scale, shape)), F.reshape(bias, shape))
    return y, mu, sigma2, mu, sigma2


_define("BatchNorm", _batch_norm, is_training=False, epsilon=1e-5, momentum=0.1, data_format="NCHW")
