"""Pooling and convolution in 1, 2 and 3 spatial dimensions beyond nn_ops' 2-d ones (MindSpore 2.x's functional names).

Everything here is a composition of nn_ops' 2-d primitives and the array ops, so gradients, jit
and vmap follow from theirs:

- average (and Lp) pooling is separable: a 3-d window sum is a 2-d one over (H, W) followed by
  one over D, each an ``avg_pool2d`` primitive; 1-d pools are 2-d ones over a unit height;
- max pooling finds each window's maximum position with one primitive of its own
  (``window_argmax``, or ``adaptive_argmax`` for adaptive bins: integer outputs, no gradient)
  and takes the values with ``gather_elements``, whose gradient scatters back to those
  positions; the indices MindSpore returns with ``return_indices`` come for free;
- ``conv3d`` is one ``conv2d`` over the depth taps stacked on the channels, and its transpose
  one ``conv_transpose2d`` whose depth taps are then placed along D;
- ``unfold`` and ``fold`` (im2col, col2im) are a grouped ``conv2d`` and ``conv_transpose2d``
  with one-hot kernels.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from mind.core._src.autodiff.vmap import batching_rule
from mind.core._src.ops import infer as I
from mind.core._src.ops import nn_ops as N
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import pad, reshape, stack, transpose
from mind.core._src.ops.dispatch import ShapedArray, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _floating,
    add,
    cast,
    div,
    mul,
    pow,
    sign,
    square,
)
from mind.core._src.ops.elementwise import abs as abs_
from mind.core._src.ops.indexing import gather_elements
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "avg_pool1d",
    "avg_pool3d",
    "channel_shuffle",
    "conv3d",
    "conv3d_transpose",
    "fold",
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lrn",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
]

TENSOR_METHODS: tuple[str, ...] = ()

# ------------------------------------------------------------------------------------------------
# Argument conversions
# ------------------------------------------------------------------------------------------------


def ints(op: str, name: str, value: Any, n: int, minimum: int = 1) -> tuple[int, ...]:
    """An int, or a tuple of 1 or ``n`` ints, as ``n`` ints each >= ``minimum``."""
    if isinstance(value, Tensor):
        value = np.asarray(value.asnumpy()).tolist()
    items = [value] * n if isinstance(value, int | np.integer) else value
    if not isinstance(items, tuple | list) or len(items) not in (1, n):
        raise MindTypeError(
            f"For '{op}', '{name}' must be an int or a tuple of {n} ints, but got {value!r}."
        )
    items = list(items) * n if len(items) == 1 else list(items)
    return tuple(I.check_int(op, name, v, minimum=minimum) for v in items)


def pads_of(op: str, value: Any, n: int) -> tuple[int, ...]:
    """Padding for ``n`` spatial axes as (lo, hi) per axis, flat: an int, ``n`` ints (both sides)
    or ``2n`` ints (MindSpore's (head, tail, top, bottom, left, right))."""
    if isinstance(value, list | tuple) and len(value) == 2 * n:
        return tuple(I.check_int(op, "padding", v, minimum=0) for v in value)
    both = ints(op, "padding", value, n, minimum=0)
    return tuple(v for p in both for v in (p, p))


def _spatial(op: str, x: Tensor, nd: int) -> tuple[Tensor, bool]:
    """``x`` with a batch axis (MindSpore's layers take unbatched (C, *spatial) input too)."""
    if x.ndim == nd + 1:
        return reshape(x, (1, *x.shape)), True
    if x.ndim != nd + 2:
        raise I.fail(op, f"'input' must be {nd + 1}-D or {nd + 2}-D, got shape {x.shape}")
    return x, False


def _unbatch(out: Any, squeeze: bool) -> Any:
    if not squeeze:
        return out
    if isinstance(out, tuple):
        return tuple(reshape(o, o.shape[1:]) for o in out)
    return reshape(out, out.shape[1:])


def window_out(size, k, s, d, lo, hi, ceil_mode) -> int:
    """Output length of a window op; with ``ceil_mode`` the last window may hang over the end,
    but must start inside the input or its left padding (PyTorch's and MindSpore's rule)."""
    span = size + lo + hi - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= size + lo:
        out -= 1
    return out


def _window_pads(op, shape, kernel, stride, dilation, pads, ceil_mode):
    """Output sizes, and the pads extended at the end by what ``ceil_mode``'s last window needs."""
    sizes, wide = [], []
    for i, size in enumerate(shape):
        lo, hi = pads[2 * i], pads[2 * i + 1]
        out = window_out(size, kernel[i], stride[i], dilation[i], lo, hi, ceil_mode)
        if out <= 0:
            raise I.fail(
                op,
                f"'input' of spatial size {tuple(shape)} is smaller than the kernel "
                f"{tuple(kernel)} (with dilation {tuple(dilation)} and padding {tuple(pads)})",
            )
        reach = (out - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1
        sizes.append(out)
        wide += [lo, max(hi, reach - size - lo)]
    return tuple(sizes), tuple(wide)


# ------------------------------------------------------------------------------------------------
# Window sums (average and Lp pooling)
# ------------------------------------------------------------------------------------------------


def _mean_pool(x: Tensor, kernel, stride, pads) -> Tensor:
    """Window means over zero padding (``pads`` flat (lo, hi) per axis), for 1, 2 or 3 spatial
    axes, through the 2-d primitive; a 3-d mean is the D mean of (H, W) means."""
    nd = x.ndim - 2
    n, c = x.shape[:2]
    if nd == 1:
        attrs = {"kernel": (1, kernel[0]), "stride": (1, stride[0]), "pads": (0, 0, *pads)}
        out = bind1(N.avg_pool2d_p, reshape(x, (n, c, 1, x.shape[2])), attrs)
        return reshape(out, (n, c, out.shape[3]))
    if nd == 2:
        return bind1(N.avg_pool2d_p, x, {"kernel": kernel, "stride": stride, "pads": pads})
    d, h, w = x.shape[2:]
    attrs = {"kernel": kernel[1:], "stride": stride[1:], "pads": pads[2:]}
    planes = bind1(N.avg_pool2d_p, reshape(x, (n, c * d, h, w)), attrs)
    oh, ow = planes.shape[2:]
    attrs = {"kernel": (kernel[0], 1), "stride": (stride[0], 1), "pads": (*pads[:2], 0, 0)}
    out = bind1(N.avg_pool2d_p, reshape(planes, (n, c, d, oh * ow)), attrs)
    return reshape(out, (n, c, out.shape[2], oh, ow))


def _counts(shape, kernel, stride, pads, user_pads, out, include_pad) -> np.ndarray:
    """Each window's divisor: its size within the input and the user's padding (not the
    extension ``ceil_mode`` adds), or within the input alone."""
    per_axis = []
    for i, size in enumerate(shape):
        start = np.arange(out[i]) * stride[i] - pads[2 * i]
        end = start + kernel[i]
        if include_pad:
            per_axis.append(np.minimum(end, size + user_pads[2 * i + 1]) - start)
        else:
            per_axis.append(np.minimum(end, size) - np.maximum(start, 0))
    grid = per_axis[0]
    for axis in per_axis[1:]:
        grid = np.multiply.outer(grid, axis)
    return np.maximum(grid, 1)


def _avg_pool(op, x, kernel, stride, pads, ceil_mode, count_include_pad, divisor_override):
    x = _floating(x)
    nd = x.ndim - 2
    out, wide = _window_pads(op, x.shape[2:], kernel, stride, (1,) * nd, pads, ceil_mode)
    mean = _mean_pool(x, kernel, stride, wide)
    volume = int(np.prod(kernel))
    if divisor_override:
        return mul(mean, volume / divisor_override)
    if count_include_pad and wide == pads:
        return mean
    counts = _counts(x.shape[2:], kernel, stride, pads, pads, out, count_include_pad)
    if np.all(counts == volume):
        return mean
    return mul(mean, Tensor((volume / counts).astype(x.dtype.np)))


def avg_pool1d(
    input_x: Any,
    kernel_size: Any = 1,
    stride: Any = 1,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling over (N, C, L) ``input_x``.

    >>> ops.avg_pool1d(Tensor(np.arange(6.0).reshape(1, 1, 6)), 2, 2)  # [[[0.5, 2.5, 4.5]]]

    Supported devices: cpu.
    """
    op = "avg_pool1d"
    x, squeeze = _spatial(op, as_tensor(input_x), 1)
    kernel, stride = ints(op, "kernel_size", kernel_size, 1), ints(op, "stride", stride, 1)
    pads = pads_of(op, padding, 1)
    out = _avg_pool(op, x, kernel, stride, pads, ceil_mode, count_include_pad, None)
    return _unbatch(out, squeeze)


def avg_pool3d(
    input_x: Any,
    kernel_size: Any = 1,
    stride: Any = 1,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int = 0,
) -> Tensor:
    """3-D average pooling over (N, C, D, H, W) ``input_x``; ``padding`` is an int, 3 ints or
    (head, tail, top, bottom, left, right); ``divisor_override`` (0: none) replaces the divisor.

    >>> ops.avg_pool3d(ops.ones((1, 1, 2, 2, 2)), 2).shape  # (1, 1, 1, 1, 1)

    Supported devices: cpu.
    """
    op = "avg_pool3d"
    x, squeeze = _spatial(op, as_tensor(input_x), 3)
    kernel, stride = ints(op, "kernel_size", kernel_size, 3), ints(op, "stride", stride, 3)
    pads = pads_of(op, padding, 3)
    divisor = I.check_int(op, "divisor_override", divisor_override or 0, minimum=0)
    out = _avg_pool(op, x, kernel, stride, pads, ceil_mode, count_include_pad, divisor)
    return _unbatch(out, squeeze)


def _lp_pool(op, x, norm_type, kernel_size, stride, ceil_mode, nd):
    if isinstance(norm_type, bool) or not isinstance(norm_type, int | float):
        raise MindTypeError(
            f"For '{op}', 'norm_type' must be a float or an int, but got {type(norm_type).__name__}."
        )
    if norm_type == 0:
        raise MindValueError(f"For '{op}', 'norm_type' must not be 0.")
    x, squeeze = _spatial(op, _floating(x), nd)
    kernel = ints(op, "kernel_size", kernel_size, nd)
    stride = kernel if stride is None else ints(op, "stride", stride, nd)
    p = float(norm_type)
    mean = _avg_pool(op, pow(x, p), kernel, stride, (0,) * 2 * nd, ceil_mode, True, None)
    # MindSpore's formula: (sign(mean) * relu(|mean|) * kernel volume) ** (1 / p).
    total = mul(mul(sign(mean), N.relu(abs_(mean))), float(np.prod(kernel)))
    return _unbatch(pow(total, 1.0 / p), squeeze)


def lp_pool1d(
    x: Any, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """1-D power-average pooling, ``(sum over the window of x ** p) ** (1 / p)``, over (N, C, L)
    or (C, L) ``x``.

    >>> ops.lp_pool1d(Tensor([[[3.0, 4.0]]]), 2, 2)  # [[[5.0]]]

    Supported devices: cpu.
    """
    return _lp_pool("lp_pool1d", x, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(
    x: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """2-D power-average pooling over (N, C, H, W) ``x`` (see :func:`lp_pool1d`).

    Supported devices: cpu.
    """
    return _lp_pool("lp_pool2d", x, norm_type, kernel_size, stride, ceil_mode, 2)


# ------------------------------------------------------------------------------------------------
# Max pooling: the maximum positions (a primitive), the values gathered
# ------------------------------------------------------------------------------------------------


def _plane_strides(shape) -> np.ndarray:
    return np.array([int(np.prod(shape[i + 1 :])) for i in range(len(shape))], dtype=np.int64)


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind in "fc" else np.iinfo(dtype).min


def _window_argmax_kernel(x, *, kernel, stride, dilation, pads, out):
    """Each window's first (in row-major window order) maximum, as a flat index into the
    input's spatial plane; padding never wins."""
    spatial = x.shape[2:]
    nd = len(spatial)
    pad_width = ((0, 0), (0, 0), *((pads[2 * i], pads[2 * i + 1]) for i in range(nd)))
    xp = np.pad(x, pad_width, constant_values=_lowest(x.dtype)) if any(pads) else x
    steps = _plane_strides(spatial)
    base = np.zeros(out, dtype=np.int64)
    for i in range(nd):
        starts = (np.arange(out[i]) * stride[i] - pads[2 * i]) * steps[i]
        base = base + starts.reshape((-1,) + (1,) * (nd - 1 - i))
    peak = index = None
    for tap in itertools.product(*(range(k) for k in kernel)):
        view = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(tap, dilation, stride, out)
        )
        values = xp[(slice(None), slice(None), *view)]
        flat = base + int(sum(t * d * st for t, d, st in zip(tap, dilation, steps)))
        if peak is None:
            peak, index = values.copy(), np.broadcast_to(flat, values.shape).copy()
        else:
            better = values > peak
            np.copyto(peak, values, where=better)
            np.copyto(index, np.broadcast_to(flat, values.shape), where=better)
    return index


def _window_argmax_infer(x, *, kernel, stride, dilation, pads, out):
    nd = len(kernel)
    I.require_ndim("window_argmax", "input", x, nd + 2)
    for name, value in (("kernel", kernel), ("stride", stride), ("dilation", dilation)):
        if len(value) != nd or min(value) < 1:
            raise I.fail("window_argmax", f"'{name}' must be {nd} positive ints, got {value}")
    return ShapedArray(x.shape[:2] + tuple(out), dt.int64)


window_argmax_p = primitive(
    "window_argmax",
    cpu=_window_argmax_kernel,
    infer=_window_argmax_infer,
    differentiable=False,
    attrs=("kernel", "stride", "dilation", "pads", "out"),
)
example(
    window_argmax_p,
    lambda c: (
        [c.r(2, 2, 4, 4, 4)],
        {
            "kernel": (2, 2, 2),
            "stride": (2, 2, 2),
            "dilation": (1, 1, 1),
            "pads": (0,) * 6,
            "out": (2, 2, 2),
        },
        None,
    ),
)
S.attr_schema(
    window_argmax_p,
    kernel=S.Ints(None, lo=1),
    stride=S.Ints(None, lo=1),
    dilation=S.Ints(None, lo=1),
    pads=S.Ints(None, lo=0),
    out=S.Ints(None, lo=1),
)


def take_flat(x: Tensor, index: Tensor) -> Tensor:
    """``x``'s values at flat spatial ``index`` (N, C, *out), per plane: differentiable in ``x``."""
    n, c = x.shape[:2]
    flat = gather_elements(reshape(x, (n, c, -1)), 2, reshape(index, (n, c, -1)))
    return reshape(flat, index.shape)


def max_pool_nd(op, x, kernel, stride, pads, dilation, ceil_mode, return_indices):
    """Max pooling over ``x``'s trailing spatial axes; (values, int64 flat indices) when
    ``return_indices``."""
    out, wide = _window_pads(op, x.shape[2:], kernel, stride, dilation, pads, ceil_mode)
    for i, k in enumerate(kernel):
        if max(pads[2 * i], pads[2 * i + 1]) * 2 > dilation[i] * (k - 1) + 1:
            raise MindValueError(
                f"For '{op}', 'padding' {pads[2 * i : 2 * i + 2]} must be at most half the "
                f"kernel {kernel[i]} (dilated by {dilation[i]}) on spatial axis {i}."
            )
    attrs = {"kernel": kernel, "stride": stride, "dilation": dilation, "pads": wide, "out": out}
    index = bind1(window_argmax_p, x, attrs)
    values = take_flat(x, index)
    return (values, index) if return_indices else values


def max_pool3d(
    x: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """3-D max pooling over (N, C, D, H, W) ``x`` (stride defaults to the kernel size); with
    ``return_indices``, ``(output, argmax)``, each index the maximum's flat position in its
    D x H x W input volume, int64.

    >>> x = Tensor(np.arange(8.0).reshape(1, 1, 2, 2, 2))
    >>> ops.max_pool3d(x, 2, return_indices=True)  # ([[[[[7.]]]]], [[[[[7]]]]])

    Supported devices: cpu.
    """
    op = "max_pool3d"
    x, squeeze = _spatial(op, as_tensor(x), 3)
    kernel = ints(op, "kernel_size", kernel_size, 3)
    stride = kernel if stride is None else ints(op, "stride", stride, 3)
    pads = pads_of(op, padding, 3)
    dilation = ints(op, "dilation", dilation, 3)
    out = max_pool_nd(op, x, kernel, stride, pads, dilation, ceil_mode, return_indices)
    return _unbatch(out, squeeze)


# ------------------------------------------------------------------------------------------------
# Adaptive pooling
# ------------------------------------------------------------------------------------------------


def _adaptive_argmax_kernel(x, *, output_size):
    """Each adaptive bin's first maximum, a flat index into the input's spatial plane."""
    spatial = x.shape[2:]
    bins = [N._adaptive_bounds(size, o) for size, o in zip(spatial, output_size)]
    steps = _plane_strides(spatial)
    n, c = x.shape[:2]
    out = np.empty((n, c, *output_size), dtype=np.int64)
    for pos in itertools.product(*(range(o) for o in output_size)):
        box = tuple(slice(*bins[d][p]) for d, p in enumerate(pos))
        block = x[(slice(None), slice(None), *box)]
        local = np.unravel_index(block.reshape(n, c, -1).argmax(-1), block.shape[2:])
        flat = sum((coord + bins[d][pos[d]][0]) * steps[d] for d, coord in enumerate(local))
        out[(slice(None), slice(None), *pos)] = flat
    return out


adaptive_argmax_p = primitive(
    "adaptive_argmax",
    cpu=_adaptive_argmax_kernel,
    infer=lambda x, *, output_size: ShapedArray(x.shape[:2] + tuple(output_size), dt.int64),
    differentiable=False,
    attrs=("output_size",),
)
example(adaptive_argmax_p, lambda c: ([c.r(2, 3, 5, 7)], {"output_size": (2, 3)}, None))
S.attr_schema(adaptive_argmax_p, output_size=S.Ints(None, lo=1))


# Batching: the kernels treat every (sample, channel) plane alike, so a vmapped batch is more
# samples, in one call (the fractional samples folded the same way).
@batching_rule(window_argmax_p)
@batching_rule(adaptive_argmax_p)
def _batched_argmax(b: Any, kernel: Any, first: Any, arrays: tuple, attrs: dict) -> Any:
    x = b.batched(arrays[0])
    batch, n, c = x.shape[:3]
    rest = [b.reshape(b.batched(a), (batch * n, *a.shape[1:])) for a in arrays[1:]]
    out = kernel(b.reshape(x, (batch * n, c, *x.shape[3:])), *rest, **attrs)
    return b.reshape(out, (batch, n, c, *out.shape[2:]))


def _output_size(op: str, output_size: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """An int, or a tuple of len(shape) ints or None (None keeps that input size)."""
    nd = len(shape)
    if isinstance(output_size, Tensor):
        output_size = tuple(np.asarray(output_size.asnumpy()).tolist())
    if isinstance(output_size, int | np.integer) and not isinstance(output_size, bool):
        output_size = (output_size,) * nd
    if not isinstance(output_size, tuple | list) or len(output_size) not in (1, nd):
        raise MindTypeError(
            f"For '{op}', 'output_size' must be an int or a tuple of {nd} ints or None, "
            f"but got {output_size!r}."
        )
    if len(output_size) == 1:
        output_size = tuple(output_size) * nd
    return tuple(
        size if s is None else I.check_int(op, "output_size", s, minimum=1)
        for s, size in zip(output_size, shape)
    )


def adaptive_avg_nd(x: Tensor, size: tuple[int, ...]) -> Tensor:
    """Adaptive average pooling of ``x``'s 1, 2 or 3 trailing spatial axes to ``size``: the
    bins are separable, so a 3-d mean is the D mean of (H, W) means."""
    nd = x.ndim - 2
    n, c = x.shape[:2]
    if nd == 1:
        out = bind1(N.adaptive_avg_pool2d_p, reshape(x, (n, c, 1, -1)), {"output_size": (1, *size)})
        return reshape(out, (n, c, size[0]))
    if nd == 2:
        return bind1(N.adaptive_avg_pool2d_p, x, {"output_size": size})
    d, h, w = x.shape[2:]
    planes = bind1(N.adaptive_avg_pool2d_p, reshape(x, (n, c * d, h, w)), {"output_size": size[1:]})
    flat = reshape(planes, (n, c, d, size[1] * size[2]))
    out = bind1(N.adaptive_avg_pool2d_p, flat, {"output_size": (size[0], size[1] * size[2])})
    return reshape(out, (n, c, *size))


def adaptive_avg_pool1d(input: Any, output_size: int) -> Tensor:
    """Average pooling of (N, C, L) ``input`` to length ``output_size``: bin ``i`` averages
    ``[floor(i L / out), ceil((i + 1) L / out))``.

    >>> ops.adaptive_avg_pool1d(Tensor(np.arange(6.0).reshape(1, 1, 6)), 2)  # [[[1., 4.]]]

    Supported devices: cpu.
    """
    op = "adaptive_avg_pool1d"
    x = _floating(input)
    I.require_ndim(op, "input", ShapedArray(x.shape, x.dtype), 3)
    size = (I.check_int(op, "output_size", output_size, minimum=1),)
    return adaptive_avg_nd(x, size)


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) ``input`` to ``output_size`` (an int,
    or (D, H, W) with None keeping a size).

    Supported devices: cpu.
    """
    op = "adaptive_avg_pool3d"
    x, squeeze = _spatial(op, _floating(input), 3)
    return _unbatch(adaptive_avg_nd(x, _output_size(op, output_size, x.shape[2:])), squeeze)


def adaptive_max_nd(x: Tensor, size: tuple[int, ...], return_indices: bool) -> Any:
    index = bind1(adaptive_argmax_p, x, {"output_size": tuple(size)})
    values = take_flat(x, index)
    return (values, index) if return_indices else values


def adaptive_max_pool1d(input: Any, output_size: int) -> Tensor:
    """Max pooling of (N, C, L) ``input`` to length ``output_size`` (adaptive bins, see
    :func:`adaptive_avg_pool1d`).

    Supported devices: cpu.
    """
    op = "adaptive_max_pool1d"
    x = as_tensor(input)
    I.require_ndim(op, "input", ShapedArray(x.shape, x.dtype), (2, 3))
    x, squeeze = _spatial(op, x, 1)
    size = (I.check_int(op, "output_size", output_size, minimum=1),)
    return _unbatch(adaptive_max_nd(x, size, False), squeeze)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, H, W) or (C, H, W) ``input`` to ``output_size`` (an int, or (H, W)
    with None keeping a size); with ``return_indices``, ``(output, argmax)``, each index the
    maximum's flat position in its H x W input plane, int64.

    Supported devices: cpu.
    """
    op = "adaptive_max_pool2d"
    x, squeeze = _spatial(op, as_tensor(input), 2)
    size = _output_size(op, output_size, x.shape[2:])
    return _unbatch(
        adaptive_max_nd(x, size, I.check_bool(op, "return_indices", return_indices)), squeeze
    )


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) ``input`` to ``output_size``; see
    :func:`adaptive_max_pool2d` (the indices here are int32, as MindSpore's).

    Supported devices: cpu.
    """
    op = "adaptive_max_pool3d"
    x, squeeze = _spatial(op, as_tensor(input), 3)
    size = _output_size(op, output_size, x.shape[2:])
    if not I.check_bool(op, "return_indices", return_indices):
        return _unbatch(adaptive_max_nd(x, size, False), squeeze)
    values, index = adaptive_max_nd(x, size, True)
    return _unbatch((values, cast(index, dt.int32)), squeeze)


# ------------------------------------------------------------------------------------------------
# Fractional max pooling (Graham's pseudo-random windows, as PyTorch and MindSpore draw them)
# ------------------------------------------------------------------------------------------------


def _fractional_starts(u: np.ndarray, size: int, k: int, out: int) -> np.ndarray:
    """Window starts along one axis for samples ``u`` in [0, 1) (any shape): ``floor((i + u) *
    alpha) - floor(u * alpha)``, ``alpha = (size - k) / (out - 1)``, the last at ``size - k``."""
    starts = np.empty(u.shape + (out,), dtype=np.int64)
    if out > 1:
        alpha = (size - k) / (out - 1)
        i = np.arange(out - 1)
        starts[..., :-1] = np.floor((i + u[..., None]) * alpha) - np.floor(u[..., None] * alpha)
    starts[..., -1] = size - k
    return starts


def _fractional_argmax_kernel(x, samples, *, kernel, output_size):
    """Each pseudo-random window's first maximum, a flat index into the input's plane. The
    samples are (N, C, nd): for 2-d the first is for the width, as PyTorch reads them; for 3-d
    they are (D, H, W) in order."""
    spatial = x.shape[2:]
    nd = len(spatial)
    order = [1, 0] if nd == 2 else list(range(nd))
    steps = _plane_strides(spatial)
    n, c = x.shape[:2]
    u = samples.astype(np.float64)
    out = np.empty((n, c, *output_size), dtype=np.int64)
    for b, ch in itertools.product(range(n), range(c)):
        # Per axis, the (out, k) positions each window covers, broadcast into one grid.
        grids = []
        for axis in range(nd):
            starts = _fractional_starts(
                u[b, ch, order[axis]], spatial[axis], kernel[axis], output_size[axis]
            )
            pos = starts[:, None] + np.arange(kernel[axis])[None, :]
            shape = [1] * (2 * nd)
            shape[axis], shape[nd + axis] = output_size[axis], kernel[axis]
            grids.append(pos.reshape(shape))
        flat = sum(g * steps[axis] for axis, g in enumerate(grids))
        flat = np.broadcast_to(flat, (*output_size, *kernel)).reshape(*output_size, -1)
        values = x[b, ch].reshape(-1)[flat]
        out[b, ch] = np.take_along_axis(flat, values.argmax(-1)[..., None], -1)[..., 0]
    return out


def _fractional_infer(x, samples, *, kernel, output_size):
    nd = len(kernel)
    I.require_ndim("fractional_argmax", "input", x, nd + 2)
    if samples.shape != (x.shape[0], x.shape[1], nd):
        raise I.fail(
            "fractional_argmax",
            f"'_random_samples' must have shape {(x.shape[0], x.shape[1], nd)}, got {samples.shape}",
        )
    return ShapedArray(x.shape[:2] + tuple(output_size), dt.int64)


fractional_argmax_p = primitive(
    "fractional_argmax",
    cpu=_fractional_argmax_kernel,
    infer=_fractional_infer,
    differentiable=False,
    attrs=("kernel", "output_size"),
)
example(
    fractional_argmax_p,
    lambda c: (
        [c.r(2, 3, 7, 6), np.abs(c.r(2, 3, 2)) % 1],
        {"kernel": (2, 2), "output_size": (3, 4)},
        None,
    ),
)
S.attr_schema(fractional_argmax_p, kernel=S.Ints(None, lo=1), output_size=S.Ints(None, lo=1))
batching_rule(fractional_argmax_p)(_batched_argmax)


def _fractional(op, nd, input, kernel_size, output_size, output_ratio, return_indices, samples):
    x, squeeze = _spatial(op, as_tensor(input), nd)
    kernel = ints(op, "kernel_size", kernel_size, nd)
    spatial = x.shape[2:]
    if output_size is None:
        if output_ratio is None:
            raise MindValueError(f"For '{op}', 'output_size' or 'output_ratio' must be given.")
        ratio = (
            (output_ratio,) * nd if isinstance(output_ratio, int | float) else tuple(output_ratio)
        )
        if len(ratio) != nd or not all(0 < float(v) < 1 for v in ratio):
            raise MindValueError(
                f"For '{op}', 'output_ratio' must be {nd} numbers in (0, 1), got {output_ratio!r}"
            )
        size = tuple(int(s * float(v)) for s, v in zip(spatial, ratio))
    else:
        size = ints(op, "output_size", output_size, nd)
    for i in range(nd):
        if size[i] + kernel[i] - 1 > spatial[i]:
            raise MindValueError(
                f"For '{op}', output_size {size} plus kernel_size {kernel} minus 1 must not exceed "
                f"the input's spatial size {tuple(spatial)}."
            )
    if samples is None:
        from mind.core._src.ops.random import uniform

        samples = uniform(
            (x.shape[0], x.shape[1], nd), dtype=x.dtype if x.dtype.is_floating_point else dt.float32
        )
    samples = as_tensor(samples)
    if squeeze and samples.ndim == 2:
        samples = reshape(samples, (1, *samples.shape))
    index = bind2(fractional_argmax_p, x, samples, {"kernel": kernel, "output_size": size})
    values = take_flat(x, index)
    return _unbatch((values, index) if return_indices else values, squeeze)


def fractional_max_pool2d(
    input: Any,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """Fractional max pooling of (N, C, H, W) or (C, H, W) ``input``: ``kernel_size`` windows
    at pseudo-random starts spaced to give ``output_size`` (or ``input size * output_ratio``);
    ``_random_samples`` (N, C, 2) in [0, 1) fix the starts (drawn when None); with
    ``return_indices``, also the maxima's flat positions in each H x W plane.

    Supported devices: cpu.
    """
    return _fractional(
        "fractional_max_pool2d",
        2,
        input,
        kernel_size,
        output_size,
        output_ratio,
        return_indices,
        _random_samples,
    )


def fractional_max_pool3d(
    input: Any,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """Fractional max pooling of (N, C, D, H, W) or (C, D, H, W) ``input`` (see
    :func:`fractional_max_pool2d`; ``_random_samples`` (N, C, 3)).

    Supported devices: cpu.
    """
    return _fractional(
        "fractional_max_pool3d",
        3,
        input,
        kernel_size,
        output_size,
        output_ratio,
        return_indices,
        _random_samples,
    )


# ------------------------------------------------------------------------------------------------
# Max unpooling: the values scattered to their indices (the adjoint of the gather)
# ------------------------------------------------------------------------------------------------


def unpool_nd(op, x, indices, out_spatial) -> Tensor:
    """Zeros of spatial shape ``out_spatial`` holding ``x``'s values at flat ``indices``."""
    x, idx = as_tensor(x), as_tensor(indices)
    if tuple(x.shape) != tuple(idx.shape):
        raise I.fail(op, f"'x' shape {x.shape} and 'indices' shape {idx.shape} must be equal")
    if not idx.dtype.is_integer:
        raise MindTypeError(f"For '{op}', 'indices' must be int32 or int64, got {idx.dtype}")
    n, c = x.shape[:2]
    plane = int(np.prod(out_spatial))
    data = getattr(idx, "_data", None)
    if isinstance(data, np.ndarray) and data.size and (data.min() < 0 or data.max() >= plane):
        raise MindValueError(
            f"For '{op}', 'indices' must be in [0, {plane}) for the output size "
            f"{tuple(out_spatial)}, but got {data.min() if data.min() < 0 else data.max()}."
        )
    offsets = Tensor((np.arange(n * c, dtype=np.int64) * plane).reshape(n, c, *(1,) * (x.ndim - 2)))
    flat = reshape(add(cast(idx, dt.int64), offsets), (-1,))
    attrs = {"axis": 0, "shape": (n * c * plane,)}
    from mind.core._src.ops.array import gather_grad_p

    out = bind2(gather_grad_p, reshape(x, (-1,)), flat, attrs)
    return reshape(out, (n, c, *out_spatial))


def _max_unpool(op, nd, x, indices, kernel_size, stride, padding, output_size):
    x = as_tensor(x)
    indices = as_tensor(indices)
    x, squeeze = _spatial(op, x, nd)
    if squeeze:
        indices = reshape(indices, (1, *indices.shape))
    kernel = ints(op, "kernel_size", kernel_size, nd)
    stride = kernel if stride is None else ints(op, "stride", stride, nd)
    pads = ints(op, "padding", padding, nd, minimum=0)
    default = tuple(
        (size - 1) * s - 2 * p + k for size, s, p, k in zip(x.shape[2:], stride, pads, kernel)
    )
    if output_size is None or len(output_size) == 0:
        spatial = default
    else:
        if len(output_size) not in (nd, nd + 1, nd + 2):
            raise MindValueError(
                f"For '{op}', 'output_size' must have {nd}, {nd + 1} or {nd + 2} elements, "
                f"but got {output_size!r}."
            )
        spatial = tuple(int(v) for v in output_size[-nd:])
        for i, (want, size) in enumerate(zip(spatial, default)):
            if not size - stride[i] < want < size + stride[i]:
                raise MindValueError(
                    f"For '{op}', 'output_size' {tuple(output_size)} must be within the stride "
                    f"of the default size {default} on each axis."
                )
    return _unbatch(unpool_nd(op, x, indices, spatial), squeeze)


def max_unpool1d(
    x: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of 1-D max pooling: zeros of length ``(L - 1) * stride - 2 * padding +
    kernel_size`` (or ``output_size``) holding ``x`` at the flat ``indices`` max pooling gave.

    >>> ops.max_unpool1d(Tensor([[[5.0, 7.0]]]), Tensor([[[1, 2]]]), 2)  # [[[0., 5., 7., 0.]]]

    Supported devices: cpu.
    """
    return _max_unpool("max_unpool1d", 1, x, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(
    x: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of 2-D max pooling (see :func:`max_unpool1d`); ``indices`` are flat
    positions in each H x W output plane.

    Supported devices: cpu.
    """
    return _max_unpool("max_unpool2d", 2, x, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(
    x: Any,
    indices: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of 3-D max pooling (see :func:`max_unpool1d`).

    Supported devices: cpu.
    """
    return _max_unpool("max_unpool3d", 3, x, indices, kernel_size, stride, padding, output_size)


# ------------------------------------------------------------------------------------------------
# 3-d convolution
# ------------------------------------------------------------------------------------------------


def _same_pads(shape, kernel, stride, dilation) -> tuple[int, ...]:
    return tuple(
        v
        for i in range(len(shape))
        for v in N._same_pads(shape[i], kernel[i], stride[i], dilation[i])
    )


def _conv_pads(op, pad_mode, padding, shape, kernel, stride, dilation) -> tuple[int, ...]:
    if not isinstance(pad_mode, str) or pad_mode.lower() not in ("valid", "same", "pad"):
        raise MindValueError(
            f"For '{op}', 'pad_mode' must be 'valid', 'same' or 'pad', got {pad_mode!r}"
        )
    pad_mode = pad_mode.lower()
    if pad_mode != "pad" and padding not in (0, (0,) * 3, (0,) * 6, [0] * 3, [0] * 6):
        raise MindValueError(
            f"For '{op}', 'padding' must be 0 unless pad_mode is 'pad', got {padding!r}"
        )
    if pad_mode == "valid":
        return (0,) * 6
    if pad_mode == "same":
        return _same_pads(shape, kernel, stride, dilation)
    return pads_of(op, padding, 3)


def conv3d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: Any = 1,
    pad_mode: str = "valid",
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-D convolution over (N, C, D, H, W) ``input`` with (O, C / groups, kD, kH, kW)
    ``weight``; ``pad_mode`` as in :func:`conv2d`, ``padding`` an int, 3 ints or
    (head, tail, top, bottom, left, right).

    One conv2d: the depth taps of each output depth are stacked on the channels.

    >>> ops.conv3d(ops.ones((1, 2, 4, 4, 4)), ops.ones((3, 2, 2, 2, 2))).shape  # (1, 3, 3, 3, 3)

    Supported devices: cpu.
    """
    op = "conv3d"
    x, w = as_tensor(input), as_tensor(weight)
    if x.ndim != 5:
        raise I.fail(op, f"'input' must be 5-D (N, C, D, H, W), got shape {x.shape}")
    if w.ndim != 5:
        raise I.fail(op, f"'weight' must be 5-D (O, I, kD, kH, kW), got shape {w.shape}")
    if x.dtype is not w.dtype:
        target = dt.promote(x.dtype, w.dtype)
        x, w = cast(x, target), cast(w, target)
    groups = I.check_int(op, "groups", groups, minimum=1)
    stride, dilation = ints(op, "stride", stride, 3), ints(op, "dilation", dilation, 3)
    o, cg, kd, kh, kw = w.shape
    if x.shape[1] != cg * groups or o % groups:
        raise I.fail(
            op,
            f"'input' has {x.shape[1]} channels and 'weight' {w.shape}: weight.shape[1] * groups "
            f"must equal the channels and weight.shape[0] be divisible by groups={groups}",
        )
    pads = _conv_pads(op, pad_mode, padding, x.shape[2:], w.shape[2:], stride, dilation)
    if pads[0] or pads[1]:
        x = pad(x, (0, 0, 0, 0, pads[0], pads[1]))
    n, c, d, h, wd = x.shape
    od = (d - dilation[0] * (kd - 1) - 1) // stride[0] + 1
    if od <= 0:
        raise I.fail(op, f"'input' depth {d} is smaller than the kernel's {kd} (dilated)")
    last = stride[0] * (od - 1) + 1
    taps = [x[:, :, i * dilation[0] : i * dilation[0] + last : stride[0]] for i in range(kd)]
    # (N, kD, C, OD, H, W) -> (N, OD, groups, kD, C / groups, H, W): each group's channels
    # hold its depth taps, as the weight's (kD, C / groups) below.
    cols = reshape(stack(taps, 1), (n, kd, groups, cg, od, h, wd))
    cols = reshape(transpose(cols, (0, 4, 2, 1, 3, 5, 6)), (n * od, groups * kd * cg, h, wd))
    w2 = reshape(transpose(w, (0, 2, 1, 3, 4)), (o, kd * cg, kh, kw))
    half = cols.dtype is dt.float16
    if half:  # numpy has no float16 BLAS: compute in float32, round once at the end
        cols, w2 = cast(cols, dt.float32), cast(w2, dt.float32)
    out = N.conv2d(cols, w2, None, stride[1:], "pad", pads[2:], dilation[1:], groups)
    if half:
        out = cast(out, dt.float16)
    out = transpose(reshape(out, (n, od, o, *out.shape[2:])), (0, 2, 1, 3, 4))
    if bias is not None:
        out = add(out, reshape(as_tensor(bias), (1, -1, 1, 1, 1)))
    return out


def _zero_insert(y: Tensor, axis: int, s: int) -> Tensor:
    """``s - 1`` zeros between ``y``'s entries along ``axis``."""
    if s == 1:
        return y
    zeros = mul(y, 0.0)
    spread = stack([y] + [zeros] * (s - 1), axis + 1)
    shape = y.shape[:axis] + (y.shape[axis] * s,) + y.shape[axis + 1 :]
    merged = reshape(spread, shape)
    index = (slice(None),) * axis + (slice(0, (y.shape[axis] - 1) * s + 1),)
    return merged[index]


def conv_transpose_nd3(x, w, stride, dilation, groups, lo, out) -> Tensor:
    """Transposed 3-d convolution of (N, C_in, D, H, W) ``x`` with (C_in, C_out / groups, kD,
    kH, kW) ``w``: the full result cropped to ``out`` from offsets ``lo`` (extended by zeros
    where ``out`` reaches past it, as output_padding does)."""
    n, cin, d, h, wd = x.shape
    _, og, kd, kh, kw = w.shape
    full = [
        (size - 1) * s + dl * (k - 1) + 1
        for size, s, dl, k in zip(x.shape[2:], stride, dilation, w.shape[2:])
    ]
    # The (H, W) part is one conv_transpose2d whose output channels are (C_out / groups, kD)
    # per group; the kD depth taps are then placed along D.
    x2 = reshape(transpose(x, (0, 2, 1, 3, 4)), (n * d, cin, h, wd))
    w2 = reshape(w, (cin, og * kd, kh, kw))
    hw_pads = (lo[1], max(full[1] - lo[1] - out[1], 0), lo[2], max(full[2] - lo[2] - out[2], 0))
    attrs = {
        "stride": stride[1:],
        "pads": hw_pads,
        "dilation": dilation[1:],
        "groups": groups,
        "in_hw": tuple(out[1:]),
    }
    if x2.dtype is dt.float16:  # numpy has no float16 BLAS: compute in float32
        planes = cast(
            bind2(N.conv_transpose2d_p, cast(x2, dt.float32), cast(w2, dt.float32), attrs),
            dt.float16,
        )
    else:
        planes = bind2(N.conv_transpose2d_p, x2, w2, attrs)  # (N*D, groups*og*kD, OH, OW)
    planes = reshape(planes, (n, d, groups * og, kd, *out[1:]))
    total = None
    for i in range(kd):
        tap = transpose(planes[:, :, :, i], (0, 2, 1, 3, 4))  # (N, C_out, D, OH, OW)
        spread = _zero_insert(tap, 2, stride[0])
        front = i * dilation[0]
        back = full[0] - front - spread.shape[2]
        placed = pad(spread, (0, 0, 0, 0, front, back))
        total = placed if total is None else add(total, placed)
    extra = max(lo[0] + out[0] - full[0], 0)
    if extra:
        total = pad(total, (0, 0, 0, 0, 0, extra))
    return total[:, :, lo[0] : lo[0] + out[0]]


def conv3d_transpose(
    inputs: Any,
    weight: Any,
    pad_mode: str = "valid",
    padding: Any = 0,
    stride: Any = 1,
    dilation: Any = 1,
    group: int = 1,
    output_padding: Any = 0,
) -> Tensor:
    """Transposed 3-D convolution (the gradient of :func:`conv3d`) of (N, C_in, D, H, W)
    ``inputs`` with (C_in, C_out / group, kD, kH, kW) ``weight``; ``pad_mode="same"`` gives an
    output ``stride`` times the input, ``"pad"`` crops ``padding`` (3 or 6 ints) and extends by
    ``output_padding``.

    Supported devices: cpu.
    """
    op = "conv3d_transpose"
    x, w = as_tensor(inputs), as_tensor(weight)
    if x.ndim != 5 or w.ndim != 5:
        raise I.fail(op, f"'inputs' and 'weight' must be 5-D, got {x.shape} and {w.shape}")
    if x.dtype is not w.dtype:
        target = dt.promote(x.dtype, w.dtype)
        x, w = cast(x, target), cast(w, target)
    group = I.check_int(op, "group", group, minimum=1)
    if x.shape[1] != w.shape[0] or w.shape[0] % group:
        raise I.fail(
            op,
            f"'inputs' has {x.shape[1]} channels but 'weight' {w.shape} expects {w.shape[0]} "
            f"(divisible by group={group})",
        )
    stride, dilation = ints(op, "stride", stride, 3), ints(op, "dilation", dilation, 3)
    extend = ints(op, "output_padding", output_padding, 3, minimum=0)
    lo, out = transpose_geometry(
        op, x.shape[2:], w.shape[2:], stride, dilation, pad_mode, padding, extend
    )
    return conv_transpose_nd3(x, w, stride, dilation, group, lo, out)


def transpose_geometry(op, shape, kernel, stride, dilation, pad_mode, padding, extend):
    """The crop offsets and output sizes of a transposed convolution for MindSpore's pad modes:
    "valid" gives ``(in - 1) * stride + max(dilated kernel, stride)``, "same" ``in * stride``,
    "pad" the full result less ``padding``; "valid" and "pad" add ``output_padding``."""
    nd = len(shape)
    mode = pad_mode.lower() if isinstance(pad_mode, str) else pad_mode
    if mode not in ("valid", "same", "pad"):
        raise MindValueError(
            f"For '{op}', 'pad_mode' must be 'valid', 'same' or 'pad', got {pad_mode!r}"
        )
    pads = pads_of(op, padding, nd)
    lo, out = [], []
    for i, size in enumerate(shape):
        k = dilation[i] * (kernel[i] - 1) + 1
        full = (size - 1) * stride[i] + k
        if mode == "valid":
            lo.append(0)
            out.append((size - 1) * stride[i] + max(k, stride[i]) + extend[i])
        elif mode == "same":
            lo.append(max(full - size * stride[i], 0) // 2)
            out.append(size * stride[i])
        else:
            lo.append(pads[2 * i])
            out.append(full - pads[2 * i] - pads[2 * i + 1] + extend[i])
    if min(out) <= 0:
        raise I.fail(op, f"the output size {tuple(out)} must be positive")
    return lo, out


# ------------------------------------------------------------------------------------------------
# im2col / col2im, pixel and channel shuffles, LRN
# ------------------------------------------------------------------------------------------------


def _one_hot_kernel(c: int, kernel, dtype) -> Tensor:
    """(C * kh * kw, 1, kh, kw): output channel ``c * K + t`` picks tap ``t`` of channel ``c``."""
    k = int(np.prod(kernel))
    eye = np.eye(k, dtype=dtype.np).reshape(k, 1, *kernel)
    return Tensor(np.tile(eye, (c, 1, 1, 1)))


def unfold(
    input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """Sliding blocks of (N, C, H, W) ``input`` as columns (im2col): (N, C * kh * kw, L), the
    block entries ordered (C, kh, kw) and ``L`` the blocks in row-major order.

    >>> ops.unfold(ops.ones((1, 2, 4, 4)), 2).shape  # (1, 8, 9)

    Supported devices: cpu.
    """
    op = "unfold"
    x = _floating(input)
    if x.ndim != 4:
        raise I.fail(op, f"'input' must be 4-D (N, C, H, W), got shape {x.shape}")
    kernel = ints(op, "kernel_size", kernel_size, 2)
    dilation, stride = ints(op, "dilation", dilation, 2), ints(op, "stride", stride, 2)
    pads = pads_of(op, padding, 2)
    n, c = x.shape[:2]
    w = _one_hot_kernel(c, kernel, x.dtype)
    cols = N.conv2d(x, w, None, stride, "pad", pads, dilation, c)
    return reshape(cols, (n, cols.shape[1], -1))


def fold(
    input: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """The adjoint of :func:`unfold` (col2im): (N, C * kh * kw, L) columns summed back into an
    (N, C, *output_size) image, overlapping entries adding up.

    Supported devices: cpu.
    """
    op = "fold"
    x = _floating(input)
    size = ints(op, "output_size", output_size, 2)
    kernel = ints(op, "kernel_size", kernel_size, 2)
    dilation, stride = ints(op, "dilation", dilation, 2), ints(op, "stride", stride, 2)
    pads = pads_of(op, padding, 2)
    k = int(np.prod(kernel))
    if x.ndim != 3 or x.shape[1] % k:
        raise I.fail(
            op, f"'input' must be (N, C * {k}, L) for kernel {kernel}, got shape {x.shape}"
        )
    blocks = [
        N._conv_out(size[i], kernel[i], stride[i], dilation[i], pads[2 * i], pads[2 * i + 1])
        for i in range(2)
    ]
    if blocks[0] * blocks[1] != x.shape[2]:
        raise I.fail(
            op,
            f"'input' has {x.shape[2]} blocks but output_size {size} with kernel {kernel} gives "
            f"{blocks[0]} x {blocks[1]}",
        )
    n, ck = x.shape[:2]
    c = ck // k
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": c, "in_hw": size}
    cols = reshape(x, (n, ck, *blocks))
    return bind2(N.conv_transpose2d_p, cols, _one_hot_kernel(c, kernel, x.dtype), attrs)


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """(*, C * r * r, H, W) to (*, C, H * r, W * r): each channel block of r * r fills an r x r
    patch.

    >>> ops.pixel_shuffle(ops.ones((1, 4, 2, 2)), 2).shape  # (1, 1, 4, 4)

    Supported devices: cpu.
    """
    op = "pixel_shuffle"
    x = as_tensor(input)
    r = I.check_int(op, "upscale_factor", upscale_factor, minimum=1)
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise I.fail(
            op, f"'input' must be at least 3-D with channels divisible by {r * r}, got {x.shape}"
        )
    *lead, c, h, w = x.shape
    y = reshape(x, (-1, c // (r * r), r, r, h, w))
    y = transpose(y, (0, 1, 4, 2, 5, 3))
    return reshape(y, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """The inverse of :func:`pixel_shuffle`: (*, C, H * r, W * r) to (*, C * r * r, H, W).

    Supported devices: cpu.
    """
    op = "pixel_unshuffle"
    x = as_tensor(input)
    r = I.check_int(op, "downscale_factor", downscale_factor, minimum=1)
    if x.ndim < 3 or x.shape[-1] % r or x.shape[-2] % r:
        raise I.fail(
            op, f"'input' must be at least 3-D with H and W divisible by {r}, got {x.shape}"
        )
    *lead, c, h, w = x.shape
    y = reshape(x, (-1, c, h // r, r, w // r, r))
    y = transpose(y, (0, 1, 3, 5, 2, 4))
    return reshape(y, (*lead, c * r * r, h // r, w // r))


def channel_shuffle(x: Any, groups: int) -> Tensor:
    """(N, C, *) with its C channels seen as (groups, C / groups) and transposed.

    >>> ops.channel_shuffle(Tensor(np.arange(4.0).reshape(1, 4, 1)), 2)  # channels 0, 2, 1, 3

    Supported devices: cpu.
    """
    op = "channel_shuffle"
    x = as_tensor(x)
    groups = I.check_int(op, "groups", groups, minimum=1)
    if x.ndim < 3 or x.shape[1] % groups:
        raise I.fail(
            op,
            f"'x' must be at least 3-D with channels divisible by groups={groups}, got {x.shape}",
        )
    n, c = x.shape[:2]
    y = reshape(x, (n, groups, c // groups, -1))
    return reshape(transpose(y, (0, 2, 1, 3)), x.shape)


def lrn(
    x: Any,
    depth_radius: int = 5,
    bias: float = 1.0,
    alpha: float = 1.0,
    beta: float = 0.5,
    norm_region: str = "ACROSS_CHANNELS",
) -> Tensor:
    """Local response normalisation of NCHW ``x`` across channels:
    ``x / (bias + alpha * sum of x ** 2 over channels c - r .. c + r) ** beta``.

    Supported devices: cpu.
    """
    op = "lrn"
    x = _floating(x)
    r = I.check_int(op, "depth_radius", depth_radius, minimum=0)
    bias, alpha, beta = (
        I.check_number(op, "bias", bias),
        I.check_number(op, "alpha", alpha),
        I.check_number(op, "beta", beta),
    )
    if norm_region != "ACROSS_CHANNELS":
        raise MindValueError(
            f"For '{op}', 'norm_region' must be 'ACROSS_CHANNELS', got {norm_region!r}"
        )
    if x.ndim != 4:
        raise I.fail(op, f"'x' must be 4-D (N, C, H, W), got shape {x.shape}")
    n, c, h, w = x.shape
    sq = reshape(square(x), (n, 1, c, h * w))
    # A window sum over the channels: a mean over 2r + 1 of them, zero-padded.
    attrs = {"kernel": (2 * r + 1, 1), "stride": (1, 1), "pads": (r, r, 0, 0)}
    window = mul(bind1(N.avg_pool2d_p, sq, attrs), float(2 * r + 1))
    scale = pow(add(mul(reshape(window, x.shape), alpha), bias), beta)
    return div(x, scale)
