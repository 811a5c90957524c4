"""Neural-network primitives: matmul, activations, softmax, convolutions, pooling, normalisation,
dropout, embedding and losses.

Convolutions use im2col through numpy stride tricks and one BLAS matmul; their gradients are
primitives of their own (``conv2d_grad_weight``, and ``conv_transpose2d`` for the input), so the
backward pass runs BLAS too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import broadcast_to, gather, one_hot, reshape, transpose
from mind.core._src.ops.dispatch import ShapedArray, bind, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _erf_kernel,
    _floating,
    _sigmoid_kernel,
    add,
    cast,
    clip,
    div,
    erf,
    exp,
    greater,
    less,
    log,
    maximum,
    mul,
    neg,
    not_equal,
    operands,
    sigmoid,
    sqrt,
    sub,
    tanh,
    where,
    zeros_like,
)
from mind.core._src.ops.elementwise import abs as abs_
from mind.core._src.ops.random import uniform
from mind.core._src.ops.reduce import mean, sum, var
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

# ------------------------------------------------------------------------------------------------
# matmul
# ------------------------------------------------------------------------------------------------


def _last2(shape: tuple[int, ...], transpose: bool) -> tuple[int, int]:
    return (shape[-1], shape[-2]) if transpose else (shape[-2], shape[-1])


def _matmul_infer(
    x: ShapedArray, y: ShapedArray, *, transpose_a=False, transpose_b=False
) -> ShapedArray:
    if x.ndim < 2 or y.ndim < 2:
        raise I.fail(
            "matmul", f"'input' and 'other' must be at least 2-D, got {x.shape} and {y.shape}"
        )
    (m, k), (k2, n) = _last2(x.shape, transpose_a), _last2(y.shape, transpose_b)
    if k != k2:
        raise I.fail(
            "matmul",
            f"'input' shape {x.shape} has {k} columns but 'other' shape {y.shape} has {k2} rows"
            + (" (after transposing)" if transpose_a or transpose_b else ""),
        )
    batch = I.broadcast_shapes("matmul", ("input", "other"), x.shape[:-2], y.shape[:-2])
    return ShapedArray((*batch, m, n), dt.promote(x.dtype, y.dtype))


def _matmul_kernel(x, y, *, transpose_a=False, transpose_b=False):
    # Transposed views go to BLAS as a flag, not a copy.
    return np.matmul(
        x.swapaxes(-1, -2) if transpose_a else x, y.swapaxes(-1, -2) if transpose_b else y
    )


def _mm(a: Tensor, b: Tensor, ta: bool, tb: bool) -> Tensor:
    attrs = {"transpose_a": ta, "transpose_b": tb} if ta or tb else None
    return bind2(matmul_p, a, b, attrs)


def _matmul_bprop(x, y, out, dout, *, transpose_a=False, transpose_b=False, needs=(True, True)):
    """C = op(A) @ op(B); each cotangent is one matmul with transpose flags, none materialised."""
    dx = dy = None
    if needs[0]:
        dx = (
            _mm(y, dout, transpose_b, True) if transpose_a else _mm(dout, y, False, not transpose_b)
        )
    if needs[1]:
        dy = (
            _mm(dout, x, True, transpose_a) if transpose_b else _mm(x, dout, not transpose_a, False)
        )
    return dx, dy


matmul_p = primitive(
    "matmul",
    traits=("broadcasting",),
    cpu=_matmul_kernel,
    infer=_matmul_infer,
    bprop=_matmul_bprop,
    attrs=("transpose_a", "transpose_b"),
    masked_bprop=True,
)
example(matmul_p, lambda c: ([c.r(2, 3, 4), c.r(4, 5)], {}, np.matmul))
S.attr_schema(matmul_p, transpose_a=S.Bool(), transpose_b=S.Bool())


def matmul(input: Any, other: Any) -> Tensor:
    """Matrix product with numpy's rules: 1-D operands are promoted and the axis removed."""

    x, y = operands(input, other)
    if x.ndim >= 2 and y.ndim >= 2:
        return bind2(matmul_p, x, y)
    if x.ndim == 0 or y.ndim == 0:
        raise I.fail("matmul", "'input' and 'other' must not be scalars; use mul")
    x2 = reshape(x, (1, *x.shape)) if x.ndim == 1 else x
    y2 = reshape(y, (*y.shape, 1)) if y.ndim == 1 else y
    out = bind2(matmul_p, x2, y2)
    shape = out.shape
    if x.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if y.ndim == 1:
        shape = shape[:-1]
    return reshape(out, shape)


bmm = matmul
batch_matmul = matmul


def dense(input: Any, weight: Any, bias: Any = None) -> Tensor:
    """``input @ weight.T + bias``, the Dense layer's computation (weight is (out, in))."""

    x, w = operands(input, weight)
    if w.ndim != 2 or x.ndim == 0:
        raise I.fail(
            "dense", f"'weight' must be 2-D and 'input' at least 1-D, got {w.shape} and {x.shape}"
        )
    lead = x.shape[:-1]
    if x.ndim != 2:
        x = reshape(x, (-1, x.shape[-1]))
    out = bind2(matmul_p, x, w, {"transpose_a": False, "transpose_b": True})
    if bias is not None:
        out = add(out, bias)
    return out if len(lead) == 1 else reshape(out, (*lead, w.shape[0]))


# ------------------------------------------------------------------------------------------------
# Activations
# ------------------------------------------------------------------------------------------------


def _same_infer(op: str):
    def infer(x: ShapedArray, **_: Any) -> ShapedArray:
        I.require_float(op, "input", x)
        return ShapedArray(x.shape, x.dtype)

    return infer


def _relu_kernel(x):
    return np.maximum(x, 0, dtype=x.dtype)


def _step(x: Tensor, dtype: dt.DType) -> Tensor:
    return cast(greater(x, 0), dtype)


relu_p = primitive(
    "relu",
    traits=("elementwise", "fusable"),
    cpu=_relu_kernel,
    infer=_same_infer("relu"),
    bprop=lambda x, out, dout: (mul(dout, _step(out, dout.dtype)),),
)
example(relu_p, lambda c: ([c.r(6)], {}, lambda x: np.maximum(x, 0)))
leaky_relu_p = primitive(
    "leaky_relu",
    traits=("elementwise", "fusable"),
    cpu=lambda x, *, alpha: np.where(x > 0, x, x * x.dtype.type(alpha)),
    infer=_same_infer("leaky_relu"),
    bprop=lambda x, out, dout, *, alpha: (where(greater(x, 0), dout, mul(dout, alpha)),),
    attrs=("alpha",),
)
example(leaky_relu_p, lambda c: ([c.r(6)], {"alpha": 0.2}, lambda x: np.where(x > 0, x, 0.2 * x)))
S.attr_schema(leaky_relu_p, alpha=S.Number())
elu_p = primitive(
    "elu",
    traits=("elementwise",),
    cpu=lambda x, *, alpha: np.where(x > 0, x, x.dtype.type(alpha) * np.expm1(np.minimum(x, 0))),
    infer=_same_infer("elu"),
    bprop=lambda x, out, dout, *, alpha: (where(greater(x, 0), dout, mul(dout, add(out, alpha))),),
    attrs=("alpha",),
)
example(
    elu_p, lambda c: ([c.r(6)], {"alpha": 1.5}, lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)))
)
S.attr_schema(elu_p, alpha=S.Number())

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _gelu_kernel(x, *, approximate):
    if approximate == "tanh":
        inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
        return (0.5 * x * (1.0 + np.tanh(inner))).astype(x.dtype, copy=False)

    return (0.5 * x * (1.0 + _erf_kernel(x / math.sqrt(2.0)))).astype(x.dtype, copy=False)


def _gelu_bprop(x, out, dout, *, approximate):
    if approximate == "tanh":
        inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), _SQRT_2_OVER_PI)
        t = tanh(inner)
        dinner = mul(add(mul(mul(x, x), 3 * 0.044715), 1.0), _SQRT_2_OVER_PI)
        grad = add(mul(add(t, 1.0), 0.5), mul(mul(mul(x, 0.5), sub(1.0, mul(t, t))), dinner))
        return (mul(dout, grad),)
    cdf = mul(add(erf(div(x, math.sqrt(2.0))), 1.0), 0.5)
    pdf = mul(exp(mul(mul(x, x), -0.5)), 1.0 / math.sqrt(2.0 * math.pi))
    return (mul(dout, add(cdf, mul(x, pdf))),)


gelu_p = primitive(
    "gelu",
    traits=("elementwise", "fusable"),
    cpu=_gelu_kernel,
    infer=_same_infer("gelu"),
    bprop=_gelu_bprop,
    attrs=("approximate",),
)
example(gelu_p, lambda c: ([c.r(6)], {"approximate": "none"}, lambda x: x * c.special.ndtr(x)))
S.attr_schema(gelu_p, approximate=S.Str("none", "tanh"))


def _silu_kernel(x):
    return x * _sigmoid_kernel(x)


def _silu_bprop(x, out, dout):
    s = sigmoid(x)
    return (mul(dout, add(s, mul(out, sub(1.0, s)))),)


silu_p = primitive(
    "silu",
    traits=("elementwise", "fusable"),
    cpu=_silu_kernel,
    infer=_same_infer("silu"),
    bprop=_silu_bprop,
)
example(silu_p, lambda c: ([c.r(6)], {}, lambda x: x * c.special.expit(x)))


def _softplus_kernel(x, *, beta, threshold):
    bx = x * beta
    soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)


softplus_p = primitive(
    "softplus",
    traits=("elementwise",),
    cpu=_softplus_kernel,
    infer=_same_infer("softplus"),
    bprop=lambda x, out, dout, *, beta, threshold: (
        where(greater(mul(x, beta), threshold), dout, mul(dout, sigmoid(mul(x, beta)))),
    ),
    attrs=("beta", "threshold"),
)
example(
    softplus_p,
    lambda c: ([c.r(6) * 10], {"beta": 1.0, "threshold": 20.0}, lambda x: np.logaddexp(0, x)),
)
S.attr_schema(softplus_p, beta=S.Number(), threshold=S.Number())


def relu(input: Any) -> Tensor:
    """``max(input, 0)``."""
    return bind1(relu_p, _floating(input))


def leaky_relu(input: Any, alpha: float = 0.2) -> Tensor:
    return bind1(leaky_relu_p, _floating(input), {"alpha": float(alpha)})


def elu(input_x: Any, alpha: float = 1.0) -> Tensor:
    return bind1(elu_p, _floating(input_x), {"alpha": float(alpha)})


def gelu(input_x: Any, approximate: str = "none") -> Tensor:
    """GELU, exact (``approximate="none"``) or with the tanh approximation (``"tanh"``)."""
    if approximate not in ("none", "tanh"):
        raise MindValueError(
            f"For 'gelu', 'approximate' must be 'none' or 'tanh', got {approximate!r}"
        )
    return bind1(gelu_p, _floating(input_x), {"approximate": approximate})


def silu(input: Any) -> Tensor:
    """``input * sigmoid(input)``."""
    return bind1(silu_p, _floating(input))


def softplus(input: Any, beta: float = 1, threshold: float = 20) -> Tensor:
    """``log(1 + exp(beta * input)) / beta``, linear above ``threshold``."""
    return bind1(softplus_p, _floating(input), {"beta": float(beta), "threshold": float(threshold)})


# ------------------------------------------------------------------------------------------------
# softmax / log_softmax
# ------------------------------------------------------------------------------------------------


def _softmax_kernel(x, *, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax_kernel(x, *, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _axis_infer(op: str):
    def infer(x: ShapedArray, *, axis) -> ShapedArray:
        I.require_float(op, "input", x)
        I.normalize_axis(op, axis, x.ndim)
        return ShapedArray(x.shape, x.dtype)

    return infer


softmax_p = primitive(
    "softmax",
    traits=("axis",),
    cpu=_softmax_kernel,
    infer=_axis_infer("softmax"),
    attrs=("axis",),
    bprop=lambda x, out, dout, *, axis: (
        mul(out, sub(dout, sum(mul(dout, out), axis, keepdim=True))),
    ),
)
example(softmax_p, lambda c: ([c.r(3, 4)], {"axis": 1}, lambda x: c.special.softmax(x, 1)))
S.attr_schema(softmax_p, axis=S.Int())
log_softmax_p = primitive(
    "log_softmax",
    traits=("axis",),
    cpu=_log_softmax_kernel,
    infer=_axis_infer("log_softmax"),
    attrs=("axis",),
    bprop=lambda x, out, dout, *, axis: (sub(dout, mul(exp(out), sum(dout, axis, keepdim=True))),),
)
example(log_softmax_p, lambda c: ([c.r(3, 4)], {"axis": 1}, lambda x: c.special.log_softmax(x, 1)))
S.attr_schema(log_softmax_p, axis=S.Int())


def softmax(input: Any, axis: int = -1) -> Tensor:
    """``exp(input) / sum(exp(input), axis)``, computed stably."""
    return bind1(softmax_p, _floating(input), {"axis": I.check_int("softmax", "axis", axis)})


def log_softmax(logits: Any, axis: int = -1) -> Tensor:
    """``log(softmax(logits, axis))``, computed stably."""
    axis = I.check_int("log_softmax", "axis", axis)
    return bind1(log_softmax_p, _floating(logits), {"axis": axis})


# ------------------------------------------------------------------------------------------------
# Convolution
# ------------------------------------------------------------------------------------------------


def _pair(value: Any, name: str, op: str, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum`` (1 for kernel sizes, strides and
    dilations; 0 for paddings)."""
    return I.check_pair(op, name, value, minimum)


def _check_window(op: str, **pairs: Any) -> None:
    """Attribute-level checks of a window op's kernel, stride and dilation (all > 0) and
    padding (>= 0), so a graph loaded or traced with bad attributes fails like eager does."""
    for name, value in pairs.items():
        _pair(value, name, op, 0 if name == "pads" else 1)


def _windows(x: np.ndarray, kh: int, kw: int, stride, dilation) -> np.ndarray:
    """A (N, C, kh, kw, OH, OW) view of ``x``'s sliding windows, without copying."""
    n, c, h, w = x.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (w - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    s = x.strides
    return as_strided(
        x,
        (n, c, kh, kw, oh, ow),
        (s[0], s[1], s[2] * dilation[0], s[3] * dilation[1], s[2] * stride[0], s[3] * stride[1]),
        writeable=False,
    )


def _pad_hw(x: np.ndarray, pads) -> np.ndarray:
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))


def _conv_out(size: int, k: int, stride: int, dilation: int, lo: int, hi: int) -> int:
    return (size + lo + hi - dilation * (k - 1) - 1) // stride + 1


def _conv_taps(x, kh, kw, stride, dilation, oh, ow):
    """Each kernel tap's (N, C, OH, OW) strided view of (padded) ``x``."""
    for i in range(kh):
        for j in range(kw):
            r, c = i * dilation[0], j * dilation[1]
            yield (
                i,
                j,
                x[
                    :,
                    :,
                    r : r + stride[0] * (oh - 1) + 1 : stride[0],
                    c : c + stride[1] * (ow - 1) + 1 : stride[1],
                ],
            )


def _cols(x: np.ndarray, kh: int, kw: int, stride, dilation) -> np.ndarray:
    """im2col: (N, C*kh*kw, OH*OW), one contiguous copy of the windows."""
    win = _windows(x, kh, kw, stride, dilation)
    n, c, _, _, oh, ow = win.shape
    return win.reshape(n, c * kh * kw, oh * ow)


# The layouts below were chosen by timing the alternatives on LeNet's shapes (docs/benchmarks.md):
# batched (N, K, P) matmuls beat a single (K, N*P) matmul once the transposing copies are counted.


def _conv2d_kernel(x, w, *, stride, pads, dilation, groups):
    xp = _pad_hw(x, pads)
    o, cg, kh, kw = w.shape
    n = x.shape[0]
    oh = _conv_out(x.shape[2], kh, stride[0], dilation[0], pads[0], pads[1])
    ow = _conv_out(x.shape[3], kw, stride[1], dilation[1], pads[2], pads[3])
    og = o // groups
    out = np.empty((n, o, oh * ow), dtype=np.result_type(x, w))
    for g in range(groups):
        cols = _cols(xp[:, g * cg : (g + 1) * cg], kh, kw, stride, dilation)
        # (og, K) @ (N, K, OH*OW): one batched BLAS call whose result is already NCHW.
        np.matmul(w[g * og : (g + 1) * og].reshape(og, -1), cols, out=out[:, g * og : (g + 1) * og])
    return out.reshape(n, o, oh, ow)


def _conv_transpose2d_kernel(dout, w, *, stride, pads, dilation, groups, in_hw):
    """The gradient of conv2d with respect to its input (hence conv_transpose2d).

    One (K, O) @ (O, N*OH*OW) matmul gives every tap's contribution; they are summed into a
    (C, N, H, W) buffer, where each tap's block is contiguous, then transposed to NCHW once.
    """
    o, cg, kh, kw = w.shape
    n, _, oh, ow = dout.shape
    top, bottom, left, right = pads
    dtype = np.result_type(dout, w)
    acc = np.zeros((cg * groups, n, in_hw[0] + top + bottom, in_hw[1] + left + right), dtype=dtype)
    og = o // groups
    d2 = dout.transpose(1, 0, 2, 3).reshape(o, n * oh * ow)
    for g in range(groups):
        wg = w[g * og : (g + 1) * og].reshape(og, -1)
        dcols = (wg.T @ d2[g * og : (g + 1) * og]).reshape(cg, kh, kw, n, oh, ow)
        for i, j, tap in _conv_taps(acc[g * cg : (g + 1) * cg], kh, kw, stride, dilation, oh, ow):
            tap += dcols[:, i, j]
    cropped = acc[:, :, top : top + in_hw[0], left : left + in_hw[1]]
    return np.ascontiguousarray(cropped.transpose(1, 0, 2, 3))


def _conv2d_grad_weight_kernel(x, dout, *, stride, pads, dilation, groups, kernel_hw):
    xp = _pad_hw(x, pads)
    kh, kw = kernel_hw
    n, o, oh, ow = dout.shape
    cg = x.shape[1] // groups
    og = o // groups
    d = dout.reshape(n, o, oh * ow)
    out = np.empty((o, cg * kh * kw), dtype=np.result_type(x, dout))
    for g in range(groups):
        cols = _cols(xp[:, g * cg : (g + 1) * cg], kh, kw, stride, dilation)  # N, K, P
        # Per-sample (og, P) @ (P, K) products summed over the batch.
        np.sum(
            np.matmul(d[:, g * og : (g + 1) * og], cols.transpose(0, 2, 1)),
            axis=0,
            out=out[g * og : (g + 1) * og],
        )
    return out.reshape(o, cg, kh, kw)


def _conv2d_infer(x: ShapedArray, w: ShapedArray, *, stride, pads, dilation, groups) -> ShapedArray:
    _check_window("conv2d", stride=stride, dilation=dilation)
    I.check_int("conv2d", "groups", groups, minimum=1)
    return _conv2d_shape(x, w, stride=stride, pads=pads, dilation=dilation, groups=groups)


def _conv2d_shape(x: ShapedArray, w: ShapedArray, *, stride, pads, dilation, groups) -> ShapedArray:
    """The shape rule alone, for conv2d's entry, whose attributes are already checked."""
    I.require_ndim("conv2d", "input", x, 4)
    I.require_ndim("conv2d", "weight", w, 4)
    if x.shape[1] != w.shape[1] * groups:
        raise I.fail(
            "conv2d",
            f"'input' has {x.shape[1]} channels but 'weight' {w.shape} expects "
            f"{w.shape[1] * groups} (weight.shape[1] * groups)",
        )
    if w.shape[0] % groups:
        raise I.fail(
            "conv2d", f"'weight' has {w.shape[0]} output channels, not divisible by groups={groups}"
        )
    oh = _conv_out(x.shape[2], w.shape[2], stride[0], dilation[0], pads[0], pads[1])
    ow = _conv_out(x.shape[3], w.shape[3], stride[1], dilation[1], pads[2], pads[3])
    if oh <= 0 or ow <= 0:
        raise I.fail(
            "conv2d",
            f"'input' of spatial size {x.shape[2:]} is smaller than the kernel {w.shape[2:]}",
        )
    return ShapedArray((x.shape[0], w.shape[0], oh, ow), dt.promote(x.dtype, w.dtype))


def _conv2d_bprop(x, w, out, dout, *, stride, pads, dilation, groups, needs=(True, True)):
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    dx = bind2(conv_transpose2d_p, dout, w, {**attrs, "in_hw": x.shape[2:]}) if needs[0] else None
    dw = (
        bind2(conv2d_grad_weight_p, x, dout, {**attrs, "kernel_hw": w.shape[2:]})
        if needs[1]
        else None
    )
    return dx, dw


def _conv_transpose2d_bprop(dout, w, out, ddx, *, stride, pads, dilation, groups, in_hw):
    # The adjoint is conv2d of the output's cotangent. Its padding at the end is what the
    # transposed result lacks of the output size (output_padding makes that negative: those
    # last rows and columns were zeros the input never reached, so they are cut off first).
    ends = []
    for axis in (0, 1):
        reach = (
            (dout.shape[2 + axis] - 1) * stride[axis] + dilation[axis] * (w.shape[2 + axis] - 1) + 1
        )
        ends.append(reach - pads[2 * axis] - in_hw[axis])
    if min(ends) < 0:
        keep = tuple(slice(None, in_hw[a] + min(ends[a], 0)) for a in (0, 1))
        ddx = ddx[(slice(None), slice(None), *keep)]
    view = (pads[0], max(ends[0], 0), pads[2], max(ends[1], 0))
    attrs = {"stride": stride, "pads": view, "dilation": dilation, "groups": groups}
    d_dout = bind2(conv2d_p, ddx, w, attrs)
    dw = bind2(conv2d_grad_weight_p, ddx, dout, {**attrs, "kernel_hw": w.shape[2:]})
    return d_dout, dw


def _conv2d_grad_weight_bprop(x, dout, out, ddw, *, stride, pads, dilation, groups, kernel_hw):
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    dx = bind2(conv_transpose2d_p, dout, ddw, {**attrs, "in_hw": x.shape[2:]})
    d_dout = bind2(conv2d_p, x, ddw, attrs)
    return dx, d_dout


_CONV_ATTRS = ("stride", "pads", "dilation", "groups")
_CONV_SCHEMA = {
    "stride": S.Ints(2, lo=1),
    "pads": S.Ints(4, lo=0),
    "dilation": S.Ints(2, lo=1),
    "groups": S.Int(lo=1),
}
_POOL_SCHEMA = {"kernel": S.Ints(2, lo=1), "stride": S.Ints(2, lo=1), "pads": S.Ints(4, lo=0)}
conv2d_p = primitive(
    "conv2d",
    cpu=_conv2d_kernel,
    infer=_conv2d_infer,
    bprop=_conv2d_bprop,
    attrs=_CONV_ATTRS,
    masked_bprop=True,
)
example(conv2d_p, lambda c: ([c.X4, c.W4], c.CONV, lambda x, w: c.conv_ref(x, w, 1, 1)))
S.attr_schema(conv2d_p, **_CONV_SCHEMA)
conv_transpose2d_p = primitive(
    "conv_transpose2d",
    cpu=_conv_transpose2d_kernel,
    infer=lambda dout, w, *, stride, pads, dilation, groups, in_hw: ShapedArray(
        (dout.shape[0], w.shape[1] * groups) + tuple(in_hw), dt.promote(dout.dtype, w.dtype)
    ),
    bprop=_conv_transpose2d_bprop,
    attrs=(*_CONV_ATTRS, "in_hw"),
)
example(
    conv_transpose2d_p,
    lambda c: ([c.r(2, 4, 2, 2), c.r(4, 3, 3, 3)], {**c.CONV_S2, "in_hw": (5, 5)}, None),
)
S.attr_schema(conv_transpose2d_p, **_CONV_SCHEMA, in_hw=S.Ints(2, lo=0))
conv2d_grad_weight_p = primitive(
    "conv2d_grad_weight",
    cpu=_conv2d_grad_weight_kernel,
    infer=lambda x, dout, *, stride, pads, dilation, groups, kernel_hw: ShapedArray(
        (dout.shape[1], x.shape[1] // groups) + tuple(kernel_hw), dt.promote(x.dtype, dout.dtype)
    ),
    bprop=_conv2d_grad_weight_bprop,
    attrs=(*_CONV_ATTRS, "kernel_hw"),
)
example(
    conv2d_grad_weight_p, lambda c: ([c.X4, c.r(2, 4, 5, 5)], {**c.CONV, "kernel_hw": (3, 3)}, None)
)
S.attr_schema(conv2d_grad_weight_p, **_CONV_SCHEMA, kernel_hw=S.Ints(2, lo=1))


def _same_pads(size: int, k: int, stride: int, dilation: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def conv_pads(op: str, x_shape, k_hw, stride, dilation, pad_mode: str, padding: Any) -> tuple:
    """(top, bottom, left, right) for MindSpore's pad modes ``valid``, ``same`` and ``pad``."""
    if pad_mode == "valid":
        return (0, 0, 0, 0)
    if pad_mode == "same":
        return _same_pads(x_shape[2], k_hw[0], stride[0], dilation[0]) + _same_pads(
            x_shape[3], k_hw[1], stride[1], dilation[1]
        )
    if pad_mode == "pad":
        if isinstance(padding, int):
            return (padding,) * 4
        padding = tuple(int(p) for p in padding)
        if len(padding) == 2:
            return (padding[0], padding[0], padding[1], padding[1])
        if len(padding) == 4:
            return padding
        raise MindValueError(
            f"For '{op}', 'padding' must be an int, a pair or 4 ints, got {padding}"
        )
    raise MindValueError(
        f"For '{op}', 'pad_mode' must be 'valid', 'same' or 'pad', got {pad_mode!r}"
    )


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    pad_mode: str = "valid",
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution over NCHW ``input`` with OIHW ``weight``. Supported devices: cpu.

    ``pad_mode`` is ``"valid"`` (no padding), ``"same"`` (output size ``ceil(in / stride)``) or
    ``"pad"`` (explicit ``padding``: an int, (h, w) or (top, bottom, left, right)).
    """
    x, w = as_tensor(input), as_tensor(weight)
    if x.ndim != 4:
        raise I.fail("conv2d", f"'input' must be 4-D (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise I.fail("conv2d", f"'weight' must be 4-D (O, I, kH, kW), got shape {w.shape}")
    if x.dtype is not w.dtype:
        target = dt.promote(x.dtype, w.dtype)
        x, w = cast(x, target), cast(w, target)
    stride, dilation = _pair(stride, "stride", "conv2d"), _pair(dilation, "dilation", "conv2d")
    groups = I.check_int("conv2d", "groups", groups, minimum=1)
    pads = conv_pads("conv2d", x.shape, w.shape[2:], stride, dilation, pad_mode, padding)
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    # The kernel would quietly use a prefix of the channels: check shapes first (cheap).
    _conv2d_shape(ShapedArray(x.shape, x.dtype), ShapedArray(w.shape, w.dtype), **attrs)
    out = bind2(conv2d_p, x, w, attrs)
    if bias is not None:
        out = add(out, reshape(as_tensor(bias), (1, -1, 1, 1)))
    return out


def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: int = 1,
    pad_mode: str = "valid",
    padding: Any = 0,
    dilation: int = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution over NCL ``input`` with OIK ``weight`` (a conv2d with height 1)."""
    x, w = as_tensor(input), as_tensor(weight)
    if x.ndim != 3:
        raise I.fail("conv1d", f"'input' must be 3-D (N, C, L), got shape {x.shape}")
    if w.ndim != 3:
        raise I.fail("conv1d", f"'weight' must be 3-D (O, I, K), got shape {w.shape}")
    pad2 = (0, 0, padding, padding) if isinstance(padding, int) else (0, 0, *padding)
    out = conv2d(
        expand(x),
        expand(w),
        None,
        (1, stride),
        pad_mode if pad_mode != "same" else "same",
        pad2,
        (1, dilation),
        groups,
    )
    out = reshape(out, (out.shape[0], out.shape[1], out.shape[3]))
    if bias is not None:
        out = add(out, reshape(as_tensor(bias), (1, -1, 1)))
    return out


def expand(t: Tensor) -> Tensor:
    return reshape(t, t.shape[:2] + (1,) + t.shape[2:])


def conv_transpose2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """Transposed 2-D convolution (the gradient of conv2d); ``weight`` is (C_in, C_out/groups, kH, kW)."""
    x, w = as_tensor(input), as_tensor(weight)
    if x.ndim != 4 or w.ndim != 4:
        raise I.fail(
            "conv_transpose2d", f"'input' and 'weight' must be 4-D, got {x.shape} and {w.shape}"
        )
    if x.shape[1] != w.shape[0]:
        raise I.fail(
            "conv_transpose2d",
            f"'input' has {x.shape[1]} channels but 'weight' {w.shape} expects {w.shape[0]}",
        )
    stride, dilation = (
        _pair(stride, "stride", "conv_transpose2d"),
        _pair(dilation, "dilation", "conv_transpose2d"),
    )
    ph, pw = _pair(padding, "padding", "conv_transpose2d", 0)
    oph, opw = _pair(output_padding, "output_padding", "conv_transpose2d", 0)
    kh, kw = w.shape[2:]
    h = (x.shape[2] - 1) * stride[0] - 2 * ph + dilation[0] * (kh - 1) + oph + 1
    wd = (x.shape[3] - 1) * stride[1] - 2 * pw + dilation[1] * (kw - 1) + opw + 1
    pads = (ph, ph + oph, pw, pw + opw)
    attrs = {
        "stride": stride,
        "pads": pads,
        "dilation": dilation,
        "groups": int(groups),
        "in_hw": (h, wd),
    }
    out = bind2(conv_transpose2d_p, x, w, attrs)
    if bias is not None:
        out = add(out, reshape(as_tensor(bias), (1, -1, 1, 1)))
    return out


# ------------------------------------------------------------------------------------------------
# Pooling
# ------------------------------------------------------------------------------------------------


def _pool_infer(op: str):
    def infer(x: ShapedArray, *, kernel, stride, pads, **_: Any) -> ShapedArray:
        _check_window(op, kernel_size=kernel, stride=stride)
        if min(pads) < 0:
            raise MindValueError(f"For '{op}', 'padding' must be >= 0, but got {pads}.")
        I.require_ndim(op, "input", x, 4)
        oh = _conv_out(x.shape[2], kernel[0], stride[0], 1, pads[0], pads[1])
        ow = _conv_out(x.shape[3], kernel[1], stride[1], 1, pads[2], pads[3])
        if oh <= 0 or ow <= 0:
            raise I.fail(
                op, f"'input' of spatial size {x.shape[2:]} is smaller than the kernel {kernel}"
            )
        return ShapedArray((x.shape[0], x.shape[1], oh, ow), x.dtype)

    return infer


def _taps(x: np.ndarray, kernel, stride, out_hw):
    """Each kernel tap's strided (N, C, OH, OW) view of ``x``: a window op is a loop over taps
    of whole-array elementwise ops, which is much faster than reducing a 6-D strided view."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    for i in range(kh):
        for j in range(kw):
            yield i, j, x[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw]


def _pool_out_hw(shape, kernel, stride, pads):
    return (
        _conv_out(shape[2], kernel[0], stride[0], 1, pads[0], pads[1]),
        _conv_out(shape[3], kernel[1], stride[1], 1, pads[2], pads[3]),
    )


def _pad_for_max(x, pads):
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), pads[:2], pads[2:]), constant_values=-np.inf)


def _max_pool_kernel(x, *, kernel, stride, pads):
    xp = _pad_for_max(x, pads)
    out = None
    for _, _, tap in _taps(xp, kernel, stride, _pool_out_hw(x.shape, kernel, stride, pads)):
        out = tap.copy() if out is None else np.maximum(out, tap, out=out)
    return out


def _max_pool_grad_kernel(x, dout, *, kernel, stride, pads):
    """Route each window's cotangent to its first maximum (as the forward's argmax would);
    windows of equal values (common after ReLU) send it to one element only."""
    xp = _pad_for_max(x, pads)
    out_hw = _pool_out_hw(x.shape, kernel, stride, pads)
    peak = _max_pool_kernel(x, kernel=kernel, stride=stride, pads=pads)
    dxp = np.zeros(xp.shape, dtype=dout.dtype)
    taken = np.zeros(peak.shape, dtype=bool)
    dtaps = _taps(dxp, kernel, stride, out_hw)
    for (_, _, tap), (_, _, dst) in zip(_taps(xp, kernel, stride, out_hw), dtaps):
        hit = (tap == peak) & ~taken
        taken |= hit
        dst += np.where(hit, dout, 0)
    return dxp[:, :, pads[0] : pads[0] + x.shape[2], pads[2] : pads[2] + x.shape[3]]


max_pool2d_p = primitive(
    "max_pool2d",
    cpu=_max_pool_kernel,
    infer=_pool_infer("max_pool2d"),
    bprop=lambda x, out, dout, *, kernel, stride, pads: (
        bind2(max_pool2d_grad_p, x, dout, {"kernel": kernel, "stride": stride, "pads": pads}),
    ),
    attrs=("kernel", "stride", "pads"),
)
example(max_pool2d_p, lambda c: ([c.XP], c.POOL, lambda x: c._windows(x, 2, 2, np.max)))
S.attr_schema(max_pool2d_p, **_POOL_SCHEMA)
max_pool2d_grad_p = primitive(
    "max_pool2d_grad",
    cpu=_max_pool_grad_kernel,
    infer=lambda x, dout, **_: ShapedArray(x.shape, x.dtype),
    # Linear in dout with x fixed: its own gradient routes through the same argmax positions.
    bprop=lambda x, dout, out, ddx, *, kernel, stride, pads: (
        None,
        bind2(max_pool2d_gather_p, x, ddx, {"kernel": kernel, "stride": stride, "pads": pads}),
    ),
    attrs=("kernel", "stride", "pads"),
)
example(max_pool2d_grad_p, lambda c: ([c.XP, c.r(2, 2, 2, 2)], c.POOL, None))
S.attr_schema(max_pool2d_grad_p, **_POOL_SCHEMA)


def _max_pool_gather_kernel(source, ddx, *, kernel, stride, pads):
    """Pick ``ddx`` at each window's (first) maximum of ``source``: the adjoint of the grad."""
    sp = _pad_for_max(source, pads)
    dp = np.pad(ddx, ((0, 0), (0, 0), pads[:2], pads[2:])) if any(pads) else ddx
    out_hw = _pool_out_hw(source.shape, kernel, stride, pads)
    peak = _max_pool_kernel(source, kernel=kernel, stride=stride, pads=pads)
    out = np.zeros(peak.shape, dtype=ddx.dtype)
    taken = np.zeros(peak.shape, dtype=bool)
    for (_, _, tap), (_, _, dtap) in zip(
        _taps(sp, kernel, stride, out_hw), _taps(dp, kernel, stride, out_hw)
    ):
        hit = (tap == peak) & ~taken
        taken |= hit
        out += np.where(hit, dtap, 0)
    return out


max_pool2d_gather_p = primitive(
    "max_pool2d_gather",
    cpu=_max_pool_gather_kernel,
    infer=lambda x, ddx, *, kernel, stride, pads: _pool_infer("max_pool2d")(
        x, kernel=kernel, stride=stride, pads=pads
    ),
    bprop=lambda x, ddx, out, dout, *, kernel, stride, pads: (
        None,
        bind2(max_pool2d_grad_p, x, dout, {"kernel": kernel, "stride": stride, "pads": pads}),
    ),
    attrs=("kernel", "stride", "pads"),
)
example(max_pool2d_gather_p, lambda c: ([c.XP, c.r(2, 2, 4, 4)], c.POOL, None))
S.attr_schema(max_pool2d_gather_p, **_POOL_SCHEMA)


def _max_pool_argmax_kernel(x, *, kernel, stride, pads):
    """Each window's (first, in row-major order) maximum as a flat index into the input's
    H x W plane: the indices of ``max_pool2d(..., return_indices=True)``."""
    xp = _pad_for_max(x, pads)
    (oh, ow), width = _pool_out_hw(x.shape, kernel, stride, pads), x.shape[3]
    rows = np.arange(oh)[:, None] * stride[0] - pads[0]
    cols = np.arange(ow)[None, :] * stride[1] - pads[2]
    peak = index = None
    for i, j, tap in _taps(xp, kernel, stride, (oh, ow)):
        flat = (rows + i) * width + (cols + j)
        if peak is None:
            peak, index = tap.copy(), np.broadcast_to(flat, tap.shape).copy()
        else:
            better = tap > peak
            np.copyto(peak, tap, where=better)
            np.copyto(index, np.broadcast_to(flat, tap.shape), where=better)
    return index.astype(np.int64)


max_pool2d_argmax_p = primitive(
    "max_pool2d_argmax",
    cpu=_max_pool_argmax_kernel,
    infer=lambda x, **attrs: ShapedArray(_pool_infer("max_pool2d")(x, **attrs).shape, dt.int64),
    differentiable=False,
    attrs=("kernel", "stride", "pads"),
)
example(max_pool2d_argmax_p, lambda c: ([c.XP], c.POOL, None))
S.attr_schema(max_pool2d_argmax_p, **_POOL_SCHEMA)


def _avg_pool_kernel(x, *, kernel, stride, pads):
    xp = np.pad(x, ((0, 0), (0, 0), pads[:2], pads[2:])) if any(pads) else x
    out = None
    for _, _, tap in _taps(xp, kernel, stride, _pool_out_hw(x.shape, kernel, stride, pads)):
        out = tap.astype(x.dtype, copy=True) if out is None else np.add(out, tap, out=out)
    out /= kernel[0] * kernel[1]
    return out


def _avg_pool_grad_kernel(dout, *, kernel, stride, pads, in_shape):
    padded = (
        in_shape[0],
        in_shape[1],
        in_shape[2] + pads[0] + pads[1],
        in_shape[3] + pads[2] + pads[3],
    )
    dxp = np.zeros(padded, dtype=dout.dtype)
    share = dout / (kernel[0] * kernel[1])
    for _, _, tap in _taps(dxp, kernel, stride, dout.shape[2:]):
        tap += share
    return dxp[:, :, pads[0] : pads[0] + in_shape[2], pads[2] : pads[2] + in_shape[3]]


avg_pool2d_p = primitive(
    "avg_pool2d",
    cpu=_avg_pool_kernel,
    infer=_pool_infer("avg_pool2d"),
    bprop=lambda x, out, dout, *, kernel, stride, pads: (
        bind1(
            avg_pool2d_grad_p,
            dout,
            {"kernel": kernel, "stride": stride, "pads": pads, "in_shape": x.shape},
        ),
    ),
    attrs=("kernel", "stride", "pads"),
)
example(avg_pool2d_p, lambda c: ([c.XP], c.POOL, lambda x: c._windows(x, 2, 2, np.mean)))
S.attr_schema(avg_pool2d_p, **_POOL_SCHEMA)
avg_pool2d_grad_p = primitive(
    "avg_pool2d_grad",
    cpu=_avg_pool_grad_kernel,
    infer=lambda dout, *, in_shape, **_: ShapedArray(tuple(in_shape), dout.dtype),
    bprop=lambda dout, out, ddx, *, kernel, stride, pads, in_shape: (
        bind1(avg_pool2d_p, ddx, {"kernel": kernel, "stride": stride, "pads": pads}),
    ),
    attrs=("kernel", "stride", "pads", "in_shape"),
)
example(
    avg_pool2d_grad_p,
    lambda c: (
        [c.r(2, 2, 2, 2)],
        {**c.POOL, "in_shape": (2, 2, 4, 4)},
        lambda d: np.repeat(np.repeat(d, 2, 2), 2, 3) / 4,
    ),
)
S.attr_schema(avg_pool2d_grad_p, **_POOL_SCHEMA, in_shape=S.Ints(4, lo=0))


def _pool_args(op, x, kernel_size, stride, padding):
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else _pair(stride, "stride", op)
    ph, pw = _pair(padding, "padding", op, 0)
    if x.ndim != 4:
        raise I.fail(op, f"'input' must be 4-D (N, C, H, W), got shape {x.shape}")
    attrs = {"kernel": kernel, "stride": stride, "pads": (ph, ph, pw, pw)}
    if min(_pool_out_hw(x.shape, kernel, stride, attrs["pads"])) <= 0:
        # A kernel larger than the (padded) input would give an empty result: the rule says so.
        _pool_infer(op)(ShapedArray(x.shape, x.dtype), **attrs)
    return attrs


def max_pool2d(
    x: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    return_indices: bool = False,
    ceil_mode: bool = False,
) -> Tensor:
    """2-D max pooling over NCHW ``x`` (stride defaults to the kernel size); with
    ``return_indices``, ``(output, indices)``, each index the maximum's flat position in its
    input plane (H x W), int64."""
    x = _floating(x)
    if dilation not in (1, (1, 1)) or ceil_mode:
        return _pool_nd(
            "max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode, return_indices
        )
    attrs = _pool_args("max_pool2d", x, kernel_size, stride, padding)
    out = bind1(max_pool2d_p, x, attrs)
    return (out, bind1(max_pool2d_argmax_p, x, attrs)) if return_indices else out


def avg_pool2d(
    input_x: Any,
    kernel_size: Any = 1,
    stride: Any = 1,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: Any = None,
) -> Tensor:
    """2-D average pooling over NCHW ``input_x`` (padding counts towards the average)."""
    x = _floating(input_x)
    if ceil_mode or not count_include_pad or divisor_override:
        return _pool_nd(
            "avg_pool2d",
            x,
            kernel_size,
            stride,
            padding,
            None,
            ceil_mode,
            count_include_pad,
            divisor_override,
        )
    return bind1(avg_pool2d_p, x, _pool_args("avg_pool2d", x, kernel_size, stride, padding))


def _pool_nd(op: str, x: Tensor, kernel_size, stride, padding, dilation, ceil_mode, *rest):
    """The options the 2-d primitives lack (ceil_mode, dilation, count_include_pad=False,
    divisor_override), through ops.pooling's n-d compositions; ``dilation`` None for average."""
    from mind.core._src.ops import pooling

    if x.ndim != 4:
        raise I.fail(op, f"'input' must be 4-D (N, C, H, W), got shape {x.shape}")
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else _pair(stride, "stride", op)
    pads = tuple(p for p in _pair(padding, "padding", op, 0) for _ in range(2))
    if dilation is None:
        return pooling._avg_pool(op, x, kernel, stride, pads, bool(ceil_mode), *rest)
    dilation = _pair(dilation, "dilation", op)
    return pooling.max_pool_nd(op, x, kernel, stride, pads, dilation, bool(ceil_mode), *rest)


def _adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def _adaptive_kernel(x, *, output_size):
    oh, ow = output_size
    rows, cols = _adaptive_bounds(x.shape[2], oh), _adaptive_bounds(x.shape[3], ow)
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    return out


def _adaptive_grad_kernel(dout, *, output_size, in_shape):
    oh, ow = output_size
    rows, cols = _adaptive_bounds(in_shape[2], oh), _adaptive_bounds(in_shape[3], ow)
    out = np.zeros(in_shape, dtype=dout.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[:, :, r0:r1, c0:c1] += dout[:, :, i : i + 1, j : j + 1] / ((r1 - r0) * (c1 - c0))
    return out


adaptive_avg_pool2d_p = primitive(
    "adaptive_avg_pool2d",
    cpu=_adaptive_kernel,
    infer=lambda x, *, output_size: ShapedArray(x.shape[:2] + tuple(output_size), x.dtype),
    bprop=lambda x, out, dout, *, output_size: (
        bind1(adaptive_avg_pool2d_grad_p, dout, {"output_size": output_size, "in_shape": x.shape}),
    ),
    attrs=("output_size",),
)
example(
    adaptive_avg_pool2d_p,
    lambda c: (
        [c.r(1, 2, 6, 6)],
        {"output_size": (2, 3)},
        lambda x: x.reshape(1, 2, 2, 3, 3, 2).mean(axis=(3, 5)),
    ),
)
S.attr_schema(adaptive_avg_pool2d_p, output_size=S.Ints(2, lo=1))
adaptive_avg_pool2d_grad_p = primitive(
    "adaptive_avg_pool2d_grad",
    cpu=_adaptive_grad_kernel,
    infer=lambda dout, *, output_size, in_shape: ShapedArray(tuple(in_shape), dout.dtype),
    bprop=lambda dout, out, ddx, *, output_size, in_shape: (
        bind1(adaptive_avg_pool2d_p, ddx, {"output_size": output_size}),
    ),
    attrs=("output_size", "in_shape"),
)
example(
    adaptive_avg_pool2d_grad_p,
    lambda c: (
        [c.r(1, 2, 2, 3)],
        {"output_size": (2, 3), "in_shape": (1, 2, 6, 6)},
        lambda d: np.repeat(np.repeat(d, 3, 2), 2, 3) / 6,
    ),
)
S.attr_schema(adaptive_avg_pool2d_grad_p, output_size=S.Ints(2, lo=1), in_shape=S.Ints(4, lo=0))


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:
    """Average pooling to a fixed ``output_size`` (an int, or (H, W) with None keeping a size)."""
    x = _floating(input)
    if x.ndim != 4:
        raise I.fail(
            "adaptive_avg_pool2d", f"'input' must be 4-D (N, C, H, W), got shape {x.shape}"
        )
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    if not isinstance(output_size, tuple | list) or len(output_size) != 2:
        raise MindTypeError(
            "For 'adaptive_avg_pool2d', 'output_size' must be an int or a pair of ints or None, "
            f"but got {output_size!r}."
        )
    size = tuple(
        x.shape[2 + i] if s is None else I.check_int("adaptive_avg_pool2d", "output_size", s, 1)
        for i, s in enumerate(output_size)
    )
    return bind1(adaptive_avg_pool2d_p, x, {"output_size": size})


# ------------------------------------------------------------------------------------------------
# Normalisation (compositions: their gradients follow from the primitives')
# ------------------------------------------------------------------------------------------------


def batch_norm(
    input_x: Any,
    running_mean: Any,
    running_var: Any,
    weight: Any,
    bias: Any,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over axis 1. In training, batch statistics are used and the running
    ones updated in place: ``running = (1 - momentum) * running + momentum * batch``."""
    x = _floating(input_x)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training and x.size == 0:
        # Batch statistics of no values are NaN, and would be written into the running ones.
        raise MindValueError(
            "For 'batch_norm', training needs at least one value per channel, but got an input "
            f"of shape {x.shape}."
        )
    if training:
        mu = mean(x, axes, keep_dims=True)
        sigma2 = var(x, axes, keepdims=True)
        if running_mean is not None:
            from mind.core._src.autodiff.eager import stop_gradient
            from mind.core._src.ops.array import assign

            n = x.size // x.shape[1]
            batch_mean = stop_gradient(reshape(mu, (-1,)))
            batch_var = stop_gradient(reshape(sigma2, (-1,)))
            # Unbiased variance for the running estimate, as MindSpore and PyTorch keep it.
            assign(running_mean, add(mul(running_mean, 1 - momentum), mul(batch_mean, momentum)))
            assign(
                running_var,
                add(mul(running_var, 1 - momentum), mul(batch_var, momentum * n / max(n - 1, 1))),
            )
    else:
        mu = reshape(as_tensor(running_mean), shape)
        sigma2 = reshape(as_tensor(running_var), shape)
    out = div(sub(x, mu), sqrt(add(sigma2, eps)))
    if weight is not None:
        out = mul(out, reshape(as_tensor(weight), shape))
    if bias is not None:
        out = add(out, reshape(as_tensor(bias), shape))
    return out


def layer_norm(
    input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` axes."""
    x = _floating(input)
    normalized_shape = (
        (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    )
    if x.shape[x.ndim - len(normalized_shape) :] != normalized_shape:
        raise I.fail(
            "layer_norm",
            f"'input' shape {x.shape} does not end with normalized_shape {normalized_shape}",
        )
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    out = div(sub(x, mean(x, axes, keep_dims=True)), sqrt(add(var(x, axes, keepdims=True), eps)))
    if weight is not None:
        out = mul(out, weight)
    if bias is not None:
        out = add(out, bias)
    return out


def group_norm(
    input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> Tensor:
    """Normalise each of ``num_groups`` channel groups of NC... ``input``."""
    x = _floating(input)
    n, c = x.shape[:2]
    num_groups = I.check_int("group_norm", "num_groups", num_groups, minimum=1)
    if c % num_groups:
        raise I.fail(
            "group_norm", f"'input' has {c} channels, not divisible by num_groups={num_groups}"
        )
    grouped = reshape(x, (n, num_groups, -1))
    normed = div(
        sub(grouped, mean(grouped, 2, keep_dims=True)),
        sqrt(add(var(grouped, 2, keepdims=True), eps)),
    )
    out = reshape(normed, x.shape)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = mul(out, reshape(as_tensor(weight), shape))
    if bias is not None:
        out = add(out, reshape(as_tensor(bias), shape))
    return out


# ------------------------------------------------------------------------------------------------
# Dropout, embedding
# ------------------------------------------------------------------------------------------------


def dropout(input: Any, p: float = 0.5, training: bool = True, seed: Any = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    x = _floating(input)
    if not 0 <= p < 1:
        raise MindValueError(f"For 'dropout', 'p' must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    # The mask is drawn by the uniform primitive in eager and graph mode alike, so both consume
    # the global generator the same way and give the same masks under set_seed.

    keep = cast(less(uniform(x.shape, dtype=x.dtype), 1 - p), x.dtype)
    return mul(x, mul(keep, 1 / (1 - p)))


def check_indices(op: str, name: str, indices: Tensor, size: int, ignore: Any = None) -> None:
    """Raise unless every entry of eager integer ``indices`` is in ``[0, size)`` (or equals
    ``ignore``): the index contract of a lookup (Embedding rows, NLLLoss classes), which
    ``np.take`` checks only above the range, wrapping negative indices round.

    One min/max pass over the indices, as small next to the lookup as gather's own bound check;
    a traced Tensor (graph mode) holds no values and is left to the kernel.
    """
    data = getattr(indices, "_data", None)
    if not isinstance(data, np.ndarray) or not data.size or data.dtype.kind not in "iu":
        return
    if ignore is not None:
        data = data[data != ignore]
        if not data.size:
            return
    lo, hi = data.min(), data.max()
    if lo < 0 or hi >= size:
        bad = lo if lo < 0 else hi
        also = f" (or ignore_index {ignore})" if ignore is not None else ""
        raise MindValueError(
            f"For '{op}', '{name}' must hold indices in [0, {size}){also}, but got {bad}."
        )


def lookup(op: str, weight: Tensor, ids: Any) -> Tensor:
    """Rows of ``weight`` at ``ids``, refusing ids outside ``[0, rows)``: one min pass for the
    negative ids numpy would wrap round; gather's own bound check catches those too large, at
    no cost unless it fails."""
    ids = as_tensor(ids)
    data = ids._data
    if isinstance(data, np.ndarray) and data.size and data.dtype.kind == "i" and data.min() < 0:
        check_indices(op, "input", ids, weight.shape[0])
    try:
        return gather(weight, ids, 0)
    except MindValueError:
        check_indices(op, "input", ids, weight.shape[0])
        raise


def embedding(input: Any, weight: Any) -> Tensor:
    """Rows of ``weight`` at integer ``input`` (each in ``[0, weight.shape[0])``)."""
    return lookup("embedding", as_tensor(weight), input)


# ------------------------------------------------------------------------------------------------
# Losses
# ------------------------------------------------------------------------------------------------


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    if reduction == "none":
        return loss
    raise MindValueError(
        f"For '{op}', 'reduction' must be 'mean', 'sum' or 'none', got {reduction!r}"
    )


def _sparse_ce_kernel(logits, labels):
    # The labels index the rows: checked here, as the native kernel checks them, so graph mode
    # refuses a bad label too (fancy indexing would wrap a negative one round).
    # Fancy indexing checks the upper bound at no cost unless it fails; one min pass the lower.
    if labels.size and labels.min() < 0:
        _bad_labels(logits, labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    logz = np.log(np.exp(shifted).sum(axis=1))
    try:
        return logz - shifted[np.arange(len(labels)), labels]
    except IndexError:
        _bad_labels(logits, labels)
        raise


def _bad_labels(logits: np.ndarray, labels: np.ndarray) -> None:
    lo, hi = labels.min(), labels.max()
    if lo < 0 or hi >= logits.shape[1]:
        raise MindValueError(
            f"For 'cross_entropy', 'target' must hold indices in [0, {logits.shape[1]}), "
            f"but got {lo if lo < 0 else hi}."
        )


def _sparse_ce_infer(logits: ShapedArray, labels: ShapedArray) -> ShapedArray:
    I.require_ndim("cross_entropy", "input", logits, 2)
    if not labels.dtype.is_integer:
        raise MindTypeError(
            f"For 'cross_entropy', class-index 'target' must be integers, got {labels.dtype}"
        )
    if labels.shape != logits.shape[:1]:
        raise I.fail(
            "cross_entropy",
            f"'target' shape {labels.shape} must be ({logits.shape[0]},) for 'input' {logits.shape}",
        )
    return ShapedArray(labels.shape, logits.dtype)


sparse_softmax_cross_entropy_p = primitive(
    "sparse_softmax_cross_entropy",
    cpu=_sparse_ce_kernel,
    infer=_sparse_ce_infer,
    bprop=lambda logits, labels, out, dout: (
        mul(
            sub(softmax(logits, 1), one_hot(labels, logits.shape[1], 1.0, 0.0)),
            reshape(dout, (-1, 1)),
        ),
        None,
    ),
)
example(
    sparse_softmax_cross_entropy_p,
    lambda c: (
        [c.r(6, 5), c.LABELS],
        {},
        lambda x, t: -c.special.log_softmax(x, 1)[np.arange(6), t],
    ),
)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits ``input`` (N, C) and class indices or class probabilities."""
    x, t = _floating(input), as_tensor(target)
    fast = t.dtype.is_integer and weight is None and label_smoothing == 0 and x.ndim == 2
    # The fused kernel needs every label valid; ignored labels (or a traced target, whose values
    # are unknown) take the masked nll path below.
    if fast and isinstance(t._data, np.ndarray) and not (t._data == ignore_index).any():
        return _reduce(bind2(sparse_softmax_cross_entropy_p, x, t), reduction, "cross_entropy")
    logp = log_softmax(x, 1)
    if t.dtype.is_integer:
        return nll_loss(logp, t, weight, ignore_index, reduction, label_smoothing)
    probs = cast(t, x.dtype)
    if label_smoothing:
        probs = add(mul(probs, 1 - label_smoothing), label_smoothing / x.shape[1])
    if weight is not None:
        probs = mul(probs, reshape(as_tensor(weight), (1, -1)))
    return _reduce(neg(sum(mul(logp, probs), 1)), reduction, "cross_entropy")


def nll_loss(
    inputs: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``inputs`` (N, C) at class indices
    ``target`` (N,); or per position, ``inputs`` (N, C, d1, ...) with ``target`` (N, d1, ...)."""
    logp, t = _floating(inputs), as_tensor(target)
    if logp.ndim > 2:
        spatial = (logp.shape[0], *logp.shape[2:])
        if tuple(t.shape) != spatial:
            raise I.fail(
                "nll_loss",
                f"'target' must have shape {spatial} for 'inputs' of shape {logp.shape}, "
                f"got {t.shape}",
            )
        perm = (0, *range(2, logp.ndim), 1)  # classes last, then one row per position
        rows = reshape(transpose(logp, perm), (-1, logp.shape[1]))
        loss = nll_loss(rows, reshape(t, (-1,)), weight, ignore_index, reduction, label_smoothing)
        return reshape(loss, spatial) if reduction == "none" else loss
    if logp.ndim != 2:
        raise I.fail(
            "nll_loss", f"'inputs' must be (N, C) or (N, C, d1, ...), got shape {logp.shape}"
        )
    c = logp.shape[1]
    if not t.dtype.is_integer:
        raise MindTypeError(
            f"For 'nll_loss', 'target' must be an integer tensor of class indices, but got {t.dtype}."
        )
    check_indices("nll_loss", "target", t, c, ignore_index)
    valid = not_equal(t, ignore_index)
    safe_t = where(valid, t, zeros_like(t))
    onehot = cast(one_hot(safe_t, c, 1.0, 0.0), logp.dtype)
    w = as_tensor(weight) if weight is not None else None
    # The smoothing term weights each class by its own weight (MindSpore's and PyTorch's
    # -sum_c w[c] * logp[c]), not by the target's weight.
    wlogp = logp if w is None else mul(logp, reshape(cast(w, logp.dtype), (1, -1)))
    picked = neg(sum(mul(wlogp, onehot), 1))
    if label_smoothing:
        smooth = neg(sum(wlogp, 1))
        picked = add(mul(picked, 1 - label_smoothing), mul(smooth, label_smoothing / c))
    sample_w = gather(w, safe_t, 0) if w is not None else None
    mask = cast(valid, logp.dtype)
    sample_w = mask if sample_w is None else mul(sample_w, mask)
    loss = mul(picked, mask)
    if reduction == "mean":
        return div(sum(loss), sum(sample_w))
    return _reduce(loss, reduction, "nll_loss")


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    d = sub(input, target)
    return _reduce(mul(d, d), reduction, "mse_loss")


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    return _reduce(abs_(sub(input, target)), reduction, "l1_loss")


def _smooth_l1_kernel(x, y, *, beta):
    d = np.abs(x - y)
    return np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(x.dtype, copy=False)


def _smooth_l1_bprop(x, y, out, dout, *, beta):
    g = mul(dout, clip(div(sub(x, y), beta), -1.0, 1.0))
    return g, neg(g)


smooth_l1_loss_p = primitive(
    "smooth_l1_loss",
    traits=("elementwise",),
    cpu=_smooth_l1_kernel,
    infer=lambda x, y, *, beta: I.elementwise("smooth_l1_loss", x, y, names=("input", "target")),
    bprop=_smooth_l1_bprop,
    attrs=("beta",),
)
example(
    smooth_l1_loss_p,
    lambda c: (
        [c.r(6), c.r(6)],
        {"beta": 0.5},
        lambda x, y: np.where(np.abs(x - y) < 0.5, (x - y) ** 2, np.abs(x - y) - 0.25),
    ),
)
S.attr_schema(smooth_l1_loss_p, beta=S.Number())


def smooth_l1_loss(input: Any, target: Any, beta: float = 1.0, reduction: str = "none") -> Tensor:
    """Huber-like loss: quadratic below ``beta``, linear above (MindSpore's default: no reduction)."""

    x, y = operands(_floating(input), target)
    return _reduce(
        bind2(smooth_l1_loss_p, x, y, {"beta": float(beta)}), reduction, "smooth_l1_loss"
    )


def _bce_logits_kernel(x, y):
    return (np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)


bce_with_logits_p = primitive(
    "binary_cross_entropy_with_logits",
    traits=("elementwise",),
    cpu=_bce_logits_kernel,
    infer=lambda x, y: I.elementwise(
        "binary_cross_entropy_with_logits", x, y, names=("input", "target")
    ),
    bprop=lambda x, y, out, dout: (mul(dout, sub(sigmoid(x), y)), mul(dout, neg(x))),
)
example(
    bce_with_logits_p,
    lambda c: (
        [c.r(6) * 5, (c.r(6) > 0).astype(np.float32)],
        {},
        # log(1 + e^x) - x*y: the same loss, computed stably in float64 (the naive form loses
        # digits for large |x|).
        lambda x, y: np.logaddexp(0, x.astype(np.float64)) - x.astype(np.float64) * y,
    ),
)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Sigmoid plus binary cross entropy, computed stably from logits."""

    x, y = operands(_floating(input), target)
    if pos_weight is not None:
        # loss = (1 - y) * x + (1 + (pw - 1) * y) * softplus(-x)
        pw = as_tensor(pos_weight, x.dtype)
        coeff = add(mul(sub(pw, 1.0), y), 1.0)
        loss = add(mul(sub(1.0, y), x), mul(coeff, softplus(neg(x))))
    else:
        loss = bind2(bce_with_logits_p, x, y)
    if weight is not None:
        loss = mul(loss, weight)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


__all__ = [
    name
    for name in dir()
    if not name.startswith("_")
    and name
    not in {
        "Any",
        "I",
        "ShapedArray",
        "Tensor",
        "annotations",
        "as_strided",
        "dt",
        "math",
        "np",
        "primitive",
        "bind",
        "bind1",
        "bind2",
        "expand",
    }
]
_ = (broadcast_to, log, maximum, zeros_like, bind)
