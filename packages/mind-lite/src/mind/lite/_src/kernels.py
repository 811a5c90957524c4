"""The runtime's numpy kernels: one per op, keyed by the op's name.

Ops are mind-core's primitives with their attributes (``conv2d(x, w, stride, pads, dilation,
groups)``, ``matmul(a, b, transpose_a, transpose_b)``, ...; pads are ``(top, bottom, left,
right)``), plus the fused ops the converter's optimizer makes:

- ``conv2d_fused(x, w[, b], ..., activation)``: a convolution, its bias and an activation;
- ``dense_fused(x, w[, b], transpose_b, activation)``: ``x @ w(.T) + b`` and an activation.

``activation`` is one of :data:`ACTIVATIONS`. Each kernel takes numpy arrays and returns one
array (or a tuple for several outputs); nothing here imports mind-core.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["ACTIVATIONS", "KERNELS", "kernel"]

KERNELS: dict[str, Callable[..., Any]] = {}
#: Ops only the runtime makes (the native plan's int8 layers): never accepted from a file, whose
#: attributes they would trust.
INTERNAL: set[str] = set()


def kernel(
    *names: str, internal: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            KERNELS[name] = fn
            if internal:
                INTERNAL.add(name)
        return fn

    return register


def file_ops() -> set[str]:
    """The ops a model file may name: every kernel's but the runtime's internal ones."""
    return KERNELS.keys() - INTERNAL


# -- elementwise -----------------------------------------------------------------------------------


def _erf(x: np.ndarray) -> np.ndarray:
    try:
        from scipy import special
    except ImportError:  # scipy is optional: the math module's erf per element
        return np.vectorize(math.erf, otypes=[np.float64])(x).astype(x.dtype)
    return special.erf(x).astype(x.dtype, copy=False)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _gelu(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return (0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3)))).astype(
            x.dtype, copy=False
        )
    return (0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))).astype(x.dtype, copy=False)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(x.dtype, copy=False)


#: activation name -> function, for the fused ops
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda x: np.maximum(x, 0, out=x),
    "relu6": lambda x: np.clip(x, 0, 6, out=x),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "gelu": lambda x: _gelu(x, "none"),
    "gelu_tanh": lambda x: _gelu(x, "tanh"),
    "silu": lambda x: x * _sigmoid(x),
}

_UNARY = {
    "abs": np.abs,
    "neg": np.negative,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1.0 / np.sqrt(x),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "silu": lambda x: x * _sigmoid(x),
    "erf": _erf,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.round,
    "sign": np.sign,
    "sin": np.sin,
    "cos": np.cos,
    "logical_not": np.logical_not,
    "identity": lambda x: x,
}
for _name, _fn in _UNARY.items():
    KERNELS[_name] = _fn

_BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "pow": np.power,
    "equal": np.equal,
    "not_equal": np.not_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
    "less": np.less,
    "less_equal": np.less_equal,
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
}
for _name, _fn in _BINARY.items():
    KERNELS[_name] = _fn


@kernel("div")
def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.true_divide(a, b)
    return out.astype(np.result_type(a, b), copy=False) if np.result_type(a, b).kind == "f" else out


@kernel("gelu")
def _gelu_op(x: np.ndarray, *, approximate: str = "none") -> np.ndarray:
    return _gelu(x, approximate)


@kernel("leaky_relu")
def _leaky_relu(x: np.ndarray, *, alpha: float) -> np.ndarray:
    return np.where(x >= 0, x, x * np.asarray(alpha, x.dtype))


@kernel("elu")
def _elu(x: np.ndarray, *, alpha: float) -> np.ndarray:
    return np.where(x > 0, x, np.asarray(alpha, x.dtype) * np.expm1(np.minimum(x, 0)))


@kernel("softplus")
def _softplus(x: np.ndarray, *, beta: float, threshold: float) -> np.ndarray:
    bx = x * beta
    soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)


@kernel("clip")
def _clip(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x, lo), hi)


@kernel("where")
def _where(cond: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(cond, a, b)


@kernel("cast")
def _cast(x: np.ndarray, *, dtype: str) -> np.ndarray:
    return x.astype(dtype)


# -- reductions and normalization ------------------------------------------------------------------


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


@kernel("sum")
def _sum(x: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.sum(x, axis=_axis(axis), keepdims=keepdims)


@kernel("mean")
def _mean(x: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.mean(x, axis=_axis(axis), keepdims=keepdims).astype(x.dtype, copy=False)


@kernel("amax")
def _amax(x: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.amax(x, axis=_axis(axis), keepdims=keepdims)


@kernel("amin")
def _amin(x: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.amin(x, axis=_axis(axis), keepdims=keepdims)


@kernel("var")
def _var(x: np.ndarray, *, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> np.ndarray:
    return np.var(x, axis=_axis(axis), ddof=ddof, keepdims=keepdims).astype(x.dtype, copy=False)


@kernel("argmax")
def _argmax(x: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return np.argmax(x, axis=axis, keepdims=keepdims)


@kernel("softmax")
def _softmax(x: np.ndarray, *, axis: Any = -1) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=_axis(axis), keepdims=True))
    return e / np.sum(e, axis=_axis(axis), keepdims=True)


@kernel("log_softmax")
def _log_softmax(x: np.ndarray, *, axis: Any = -1) -> np.ndarray:
    shifted = x - np.max(x, axis=_axis(axis), keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=_axis(axis), keepdims=True))


@kernel("logsumexp")
def _logsumexp(x: np.ndarray, *, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    m = np.max(x, axis=_axis(axis), keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=_axis(axis), keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=_axis(axis))


# -- shapes ----------------------------------------------------------------------------------------


@kernel("reshape")
def _reshape(x: np.ndarray, *, shape: Any) -> np.ndarray:
    return np.reshape(x, tuple(shape))


@kernel("transpose")
def _transpose(x: np.ndarray, *, perm: Any) -> np.ndarray:
    return np.transpose(x, tuple(perm))


@kernel("broadcast_to")
def _broadcast_to(x: np.ndarray, *, shape: Any) -> np.ndarray:
    return np.broadcast_to(x, tuple(shape))


@kernel("tile")
def _tile(x: np.ndarray, *, reps: Any) -> np.ndarray:
    return np.tile(x, tuple(reps))


@kernel("concat")
def _concat(*xs: np.ndarray, axis: int = 0) -> np.ndarray:
    return np.concatenate(xs, axis=axis)


@kernel("getitem")
def _getitem(x: np.ndarray, *, index: Any) -> np.ndarray:
    return x[index]


@kernel("gather")
def _gather(x: np.ndarray, indices: np.ndarray, *, axis: int = 0) -> np.ndarray:
    return np.take(x, indices, axis=axis)


@kernel("pad")
def _pad(x: np.ndarray, *, pads: Any, mode: str = "constant", value: float = 0.0) -> np.ndarray:
    pads = tuple(tuple(p) for p in pads)
    if mode == "constant":
        return np.pad(x, pads, mode="constant", constant_values=value)
    return np.pad(x, pads, mode={"reflect": "reflect", "replicate": "edge"}[mode])


# -- matmul, convolution, pooling ------------------------------------------------------------------


@kernel("matmul")
def _matmul(
    a: np.ndarray, b: np.ndarray, *, transpose_a: bool = False, transpose_b: bool = False
) -> np.ndarray:
    if transpose_a:
        a = np.swapaxes(a, -1, -2)
    if transpose_b:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


@kernel("dense_fused")
def _dense_fused(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    transpose_b: bool = True,
    activation: str | None = None,
) -> np.ndarray:
    out = np.matmul(x, w.T if transpose_b else w)
    if b is not None:
        out += b
    return ACTIVATIONS[activation](out) if activation else out


def _windows(xp: np.ndarray, kh: int, kw: int, stride: Any, dilation: Any) -> np.ndarray:
    """(N, C, OH, OW, KH, KW) strided view of the padded input's receptive fields."""
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    view = sliding_window_view(xp, (eh, ew), axis=(2, 3))
    return view[:, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]


def _pad_hw(x: np.ndarray, pads: Any, value: float = 0.0) -> np.ndarray:
    if not any(pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), tuple(pads[:2]), tuple(pads[2:])), constant_values=value)


@kernel("conv2d", "conv2d_fused")
def _conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: Any,
    pads: Any,
    dilation: Any,
    groups: int,
    activation: str | None = None,
) -> np.ndarray:
    o, cg, kh, kw = w.shape
    n = x.shape[0]
    win = _windows(_pad_hw(x, pads), kh, kw, stride, dilation)
    oh, ow = win.shape[2], win.shape[3]
    og = o // groups
    out = np.empty((n, o, oh * ow), dtype=np.result_type(x, w))
    for g in range(groups):
        cols = (
            win[:, g * cg : (g + 1) * cg]
            .transpose(0, 1, 4, 5, 2, 3)
            .reshape(n, cg * kh * kw, oh * ow)
        )
        np.matmul(w[g * og : (g + 1) * og].reshape(og, -1), cols, out=out[:, g * og : (g + 1) * og])
    out = out.reshape(n, o, oh, ow)
    if b is not None:
        out += b.reshape(1, o, 1, 1)
    return ACTIVATIONS[activation](out) if activation else out


@kernel("max_pool2d")
def _max_pool2d(x: np.ndarray, *, kernel: Any, stride: Any, pads: Any) -> np.ndarray:
    win = _windows(_pad_hw(x, pads, -np.inf), kernel[0], kernel[1], stride, (1, 1))
    return win.max(axis=(4, 5))


@kernel("avg_pool2d")
def _avg_pool2d(x: np.ndarray, *, kernel: Any, stride: Any, pads: Any) -> np.ndarray:
    win = _windows(_pad_hw(x, pads), kernel[0], kernel[1], stride, (1, 1))
    return win.mean(axis=(4, 5), dtype=x.dtype)


def _bounds(size: int, out: int) -> list[tuple[int, int]]:
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


@kernel("adaptive_avg_pool2d")
def _adaptive_avg_pool2d(x: np.ndarray, *, output_size: Any) -> np.ndarray:
    oh, ow = output_size
    h, w = x.shape[2], x.shape[3]
    if h % oh == 0 and w % ow == 0:  # the common case (global pooling): one reshape
        return x.reshape(*x.shape[:2], oh, h // oh, ow, w // ow).mean(axis=(3, 5), dtype=x.dtype)
    out = np.empty(x.shape[:2] + (oh, ow), dtype=x.dtype)
    for i, (r0, r1) in enumerate(_bounds(h, oh)):
        for j, (c0, c1) in enumerate(_bounds(w, ow)):
            out[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    return out


# -- quantization: a value on its int8 grid (see mind.lite._src.qmath) -------------------------------


@kernel("fake_quant")
def _fake_quant(x: np.ndarray, *, scale: float, zero_point: int) -> np.ndarray:
    from mind.lite._src.qmath import fake_quant_act

    return fake_quant_act(x, scale, zero_point)


@kernel("fake_quant_dynamic")
def _fake_quant_dynamic(x: np.ndarray) -> np.ndarray:
    """DYNAMIC_QUANT's input grid: over the range of this very input (0 included)."""
    from mind.lite._src.qmath import activation_grid, fake_quant_act

    if x.size == 0:
        return x
    return fake_quant_act(x, *activation_grid(x.min(), x.max()))


@kernel("fake_quant_weight")
def _fake_quant_weight(w: np.ndarray) -> np.ndarray:
    from mind.lite._src.qmath import fake_quant_weight

    return fake_quant_weight(w)


# -- ops the ONNX importer needs (see mind.lite._src.onnx_import) ----------------------------------


@kernel("hardswish")
def _hardswish(x: np.ndarray) -> np.ndarray:
    return (x * np.clip(x / 6.0 + 0.5, 0.0, 1.0)).astype(x.dtype, copy=False)


@kernel("relu6")
def _relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0, 6)


@kernel("trunc_div")
def _trunc_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer division rounding toward zero (C's, and ONNX's ``Div`` on integers)."""
    q = np.floor_divide(a, b)
    fix = (np.remainder(a, b) != 0) & ((a < 0) != (b < 0))
    return (q + fix).astype(np.result_type(a, b), copy=False)


@kernel("conv_transpose2d")
def _conv_transpose2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: Any,
    pads: Any,
    dilation: Any,
    groups: int,
    output_padding: Any = (0, 0),
) -> np.ndarray:
    """The gradient of ``conv2d`` with respect to its input: ``w`` is (C_in, C_out / groups,
    KH, KW); ``pads`` (top, bottom, left, right) crop the full output (a negative pad extends
    it with zeros); ``output_padding`` adds rows and columns at the bottom and right."""
    n, c, h, wd = x.shape
    cg, og, kh, kw = c // groups, w.shape[1], w.shape[2], w.shape[3]
    full_h = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
    full_w = (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
    out = np.zeros((n, og * groups, full_h, full_w), dtype=np.result_type(x, w))
    for g in range(groups):
        # (n, og, kh, kw, h, w): every input pixel times every kernel tap
        cols = np.tensordot(x[:, g * cg : (g + 1) * cg], w[g * cg : (g + 1) * cg], axes=([1], [0]))
        cols = cols.transpose(0, 3, 4, 5, 1, 2)
        for p in range(kh):
            for q in range(kw):
                r0, c0 = p * dilation[0], q * dilation[1]
                out[
                    :,
                    g * og : (g + 1) * og,
                    r0 : r0 + (h - 1) * stride[0] + 1 : stride[0],
                    c0 : c0 + (wd - 1) * stride[1] + 1 : stride[1],
                ] += cols[:, :, p, q]
    grow = [max(0, -int(p)) for p in pads]
    if any(grow):
        out = np.pad(out, ((0, 0), (0, 0), (grow[0], grow[1]), (grow[2], grow[3])))
    top, bottom, left, right = (max(0, int(p)) for p in pads)
    out = out[:, :, top : out.shape[2] - bottom, left : out.shape[3] - right]
    if b is not None:
        out = out + b.reshape(1, -1, 1, 1)
    return np.ascontiguousarray(out)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


@kernel("pool2d")
def _pool2d(
    x: np.ndarray,
    *,
    mode: str,
    kernel: Any,
    stride: Any,
    pads: Any,
    dilation: Any = (1, 1),
    extra: Any = (0, 0),
    count_include_pad: bool = False,
) -> np.ndarray:
    """Max or average pooling with dilation and ceil mode: ``pads`` (top, bottom, left, right)
    are the explicit padding, ``extra`` (bottom, right) what ceil mode adds past it. An average
    divides by the window's input elements, plus its explicit padding if ``count_include_pad``
    (never ceil mode's), as ONNX's ``AveragePool`` and PyTorch do."""
    t, b, le, r = pads
    h, w = x.shape[2], x.shape[3]
    widths = ((0, 0), (0, 0), (t, b + extra[0]), (le, r + extra[1]))
    if mode == "max":
        xp = np.pad(x, widths, constant_values=_lowest(x.dtype))
        return _windows(xp, kernel[0], kernel[1], stride, dilation).max(axis=(4, 5))
    xp = np.pad(x, widths)
    total = _windows(xp, kernel[0], kernel[1], stride, dilation).sum(axis=(4, 5), dtype=x.dtype)
    mask = np.zeros((1, 1) + xp.shape[2:], x.dtype)
    if count_include_pad:
        mask[:, :, : t + h + b, : le + w + r] = 1
    else:
        mask[:, :, t : t + h, le : le + w] = 1
    count = _windows(mask, kernel[0], kernel[1], stride, dilation).sum(axis=(4, 5), dtype=x.dtype)
    return total / count


def _resize_source(
    mode: str, i: np.ndarray, scale: float, n_in: int, n_out: int, roi: tuple[float, float]
) -> np.ndarray:
    """ONNX Resize's coordinate transformation: output index -> input coordinate."""
    width = scale * n_in  # a float, as ONNX defines it
    if mode == "align_corners":
        return np.zeros(n_out) if width == 1 else i * (n_in - 1) / (width - 1)
    if mode == "asymmetric":
        return i / scale
    if mode == "tf_crop_and_resize":
        if width == 1:
            return np.full(n_out, (roi[1] - roi[0]) * (n_in - 1) / 2 + roi[0] * (n_in - 1))
        return i * (roi[1] - roi[0]) * (n_in - 1) / (width - 1) + roi[0] * (n_in - 1)
    if mode == "pytorch_half_pixel":
        return np.full(n_out, -0.5) if width == 1 else (i + 0.5) / scale - 0.5
    if mode == "half_pixel":
        return (i + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        offset = n_in / 2 * (1 - n_out / width)
        return offset + (i + 0.5) / scale - 0.5
    raise ValueError(f"resize: coordinate_transformation_mode {mode!r}")


def _cubic_weight(t: np.ndarray, a: float) -> np.ndarray:
    t = np.abs(t)
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return np.where(t <= 1, near, np.where(t < 2, far, 0.0))


def _resize_matrix(n_in: int, n_out: int, scale: float, roi: tuple[float, float], attrs: dict):
    """The (n_out, n_in) interpolation matrix of one axis, and the rows that extrapolate."""
    src = _resize_source(
        attrs["coordinate_transformation_mode"],
        np.arange(n_out, dtype=np.float64),
        scale,
        n_in,
        n_out,
        roi,
    )
    mode, a = attrs["mode"], attrs["cubic_coeff_a"]
    antialias = attrs["antialias"] and mode != "nearest" and scale < 1
    m = np.zeros((n_out, n_in))
    for row, x in enumerate(src):
        base = math.floor(x)
        ratio = 1.0 if float(x).is_integer() else x - base
        if mode == "nearest":
            nearest = attrs["nearest_mode"]
            if float(x).is_integer():
                up = True
            elif nearest == "round_prefer_floor":
                up = ratio > 0.5
            elif nearest == "round_prefer_ceil":
                up = ratio >= 0.5
            else:
                up = nearest == "ceil"
            idx = np.array([base, base + 1]) if ratio != 1.0 else np.array([base - 1, base])
            coeffs = np.array([0.0, 1.0]) if up else np.array([1.0, 0.0])
            if ratio == 1.0:  # an integer coordinate: the neighbours are x - 1 and x
                coeffs = np.array([0.0, 1.0])
        else:
            s = min(scale, 1.0) if antialias else 1.0
            reach = (1.0 if mode == "linear" else 2.0) / s
            start = math.floor(-reach) + 1
            offsets = (
                np.arange(start, 2 - start)
                if antialias
                else (np.arange(0, 2) if mode == "linear" else np.arange(-1, 3))
            )
            if ratio == 1.0:  # ONNX takes an integer x's neighbours as if it were x - 1 + 1
                offsets = offsets - 1
            idx = base + offsets
            t = (idx - x) * s
            coeffs = np.clip(1 - np.abs(t), 0, 1) if mode == "linear" else _cubic_weight(t, a)
            if antialias:
                coeffs = coeffs / coeffs.sum()
        if attrs["exclude_outside"]:
            coeffs = np.where((idx < 0) | (idx >= n_in), 0.0, coeffs)
            coeffs = coeffs / coeffs.sum()
        np.add.at(m[row], np.clip(idx, 0, n_in - 1), coeffs)
    outside = (src < 0) | (src > n_in - 1)
    if attrs["coordinate_transformation_mode"] != "tf_crop_and_resize":
        outside[:] = False
    return m, outside


@kernel("resize")
def _resize(
    x: np.ndarray,
    *,
    sizes: Any,
    scales: Any,
    roi: Any,
    mode: str = "nearest",
    coordinate_transformation_mode: str = "half_pixel",
    nearest_mode: str = "round_prefer_floor",
    cubic_coeff_a: float = -0.75,
    exclude_outside: bool = False,
    extrapolation_value: float = 0.0,
    antialias: bool = False,
) -> np.ndarray:
    """ONNX ``Resize`` (nearest, linear, cubic; every coordinate transformation mode,
    antialiasing, ``tf_crop_and_resize``'s extrapolation), one axis at a time: each axis is a
    matrix product with its interpolation matrix, computed in float64."""
    attrs = {
        "mode": mode,
        "coordinate_transformation_mode": coordinate_transformation_mode,
        "nearest_mode": nearest_mode,
        "cubic_coeff_a": cubic_coeff_a,
        "exclude_outside": exclude_outside,
        "antialias": antialias,
    }
    rank = x.ndim
    out = x.astype(np.float64)
    outside = np.zeros((1,) * rank, bool)
    for axis in range(rank):
        n_in, n_out, scale = x.shape[axis], int(sizes[axis]), float(scales[axis])
        span = (float(roi[axis]), float(roi[rank + axis]))
        crop = coordinate_transformation_mode == "tf_crop_and_resize" and span != (0.0, 1.0)
        if n_in == n_out and scale == 1.0 and not crop:
            continue
        m, out_axis = _resize_matrix(n_in, n_out, scale, span, attrs)
        out = np.moveaxis(np.tensordot(m, np.moveaxis(out, axis, 0), axes=(1, 0)), 0, axis)
        shape = [1] * rank
        shape[axis] = n_out
        outside = outside | out_axis.reshape(shape)
    if outside.any():
        out = np.where(outside, extrapolation_value, out)
    if x.dtype.kind != "f":
        out = np.round(out)
    return out.astype(x.dtype)
