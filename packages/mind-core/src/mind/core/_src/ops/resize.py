"""Resizing: ``interpolate`` (MindSpore 2.x's ``ops.interpolate``, the modes and coordinate rules
PyTorch's ``interpolate`` defines, except ``bicubic``: MindSpore's ResizeBicubic, whose half-pixel
rule uses Keys' a = -0.5 and drops the taps outside the image), ``upsample``.

Every mode is linear in the input along each spatial axis, so each axis is one constant matrix
(output size x input size) built here with numpy and applied with ``matmul``: the gradient, jit,
vmap and the native device come with matmul, and a matrix is built once per call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mind.core._src.ops.array import reshape, transpose
from mind.core._src.ops.elementwise import _floating
from mind.core._src.ops.image_ops import _bicubic_matrix
from mind.core._src.ops.nn_ops import matmul
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["interpolate", "upsample"]

TENSOR_METHODS: tuple[str, ...] = ()

# mode -> the spatial ranks it takes (None: any)
_MODES = {
    "nearest": None,
    "nearest-exact": None,
    "area": None,
    "linear": (1,),
    "bilinear": (2,),
    "bicubic": (2,),
    "trilinear": (3,),
}


def _source(out: int, size: int, scale: float | None, align_corners: bool) -> np.ndarray:
    """The input coordinate each output index samples, linear modes (half-pixel unless
    ``align_corners``)."""
    dst = np.arange(out, dtype=np.float64)
    if align_corners:
        return dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    step = 1.0 / scale if scale is not None else size / out
    return (dst + 0.5) * step - 0.5


def _matrix(mode: str, out: int, size: int, scale: float | None, align: bool) -> np.ndarray:
    """The (out, size) matrix of ``mode`` along one axis."""
    m = np.zeros((out, size))
    rows = np.arange(out)
    step = 1.0 / scale if scale is not None else size / out
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        src = np.minimum(np.floor((rows + offset) * step).astype(np.int64), size - 1)
        m[rows, src] = 1.0
    elif mode == "area":  # adaptive average pooling
        for i in range(out):
            lo, hi = (i * size) // out, -(-((i + 1) * size) // out)
            m[i, lo:hi] = 1.0 / (hi - lo)
    elif mode == "bicubic":  # MindSpore's: ResizeBicubic, half-pixel unless align_corners
        m = _bicubic_matrix(out, size, align, not align)
    else:  # linear, bilinear, trilinear
        src = np.maximum(_source(out, size, scale, align), 0.0)
        lo = np.minimum(np.floor(src).astype(np.int64), size - 1)
        hi = np.minimum(lo + 1, size - 1)
        frac = src - lo
        np.add.at(m, (rows, lo), 1.0 - frac)
        np.add.at(m, (rows, hi), frac)
    return m


def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
) -> Tensor:
    """Resize the spatial axes of ``input`` (N, C, d1, ...) to ``size``, or by ``scale_factor``.

    :param mode: ``"nearest"``, ``"nearest-exact"``, ``"area"`` (any rank), ``"linear"`` (3-D
        input), ``"bilinear"`` / ``"bicubic"`` (4-D), ``"trilinear"`` (5-D).
    :param align_corners: for the linear and cubic modes: corner pixels' centres map onto each
        other (default False: half-pixel centres). ``bicubic`` is MindSpore's ResizeBicubic:
        with half-pixel centres Keys' a = -0.5 and the taps outside the image dropped (the
        others renormalised); with ``align_corners`` a = -0.75 and the edge pixels repeated.
    :param recompute_scale_factor: with ``scale_factor``, compute the coordinates from the output
        size instead of the factor.
    """
    x = _floating(input)
    if not isinstance(mode, str) or mode not in _MODES:
        raise MindValueError(
            f"For 'interpolate', 'mode' must be one of {list(_MODES)}, got {mode!r}"
        )
    rank = x.ndim - 2
    if rank < 1:
        raise MindValueError(
            f"For 'interpolate', 'input' must be (N, C, d1, ...), got shape {x.shape}"
        )
    if _MODES[mode] is not None and rank not in _MODES[mode]:
        raise MindValueError(
            f"For 'interpolate', mode {mode!r} needs a {_MODES[mode][0] + 2}-D input, got "
            f"{x.ndim}-D"
        )
    if align_corners is not None and mode not in ("linear", "bilinear", "bicubic", "trilinear"):
        raise MindValueError(
            f"For 'interpolate', 'align_corners' is only for the linear and cubic modes, not {mode!r}"
        )
    if (size is None) == (scale_factor is None):
        raise MindValueError("For 'interpolate', give exactly one of 'size' and 'scale_factor'")
    spatial = x.shape[2:]
    if size is not None:
        sizes = (size,) * rank if isinstance(size, int) else tuple(size)
        scales: tuple = (None,) * rank
    else:
        factors = (
            (scale_factor,) * rank if isinstance(scale_factor, int | float) else tuple(scale_factor)
        )
        if len(factors) != rank or any(not f > 0 for f in factors):
            raise MindValueError(
                f"For 'interpolate', 'scale_factor' must be positive, one per spatial axis "
                f"({rank}), got {scale_factor!r}"
            )
        sizes = tuple(math.floor(s * f) for s, f in zip(spatial, factors))
        scales = (None,) * rank if recompute_scale_factor else tuple(float(f) for f in factors)
    if len(sizes) != rank or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise MindTypeError(
            f"For 'interpolate', 'size' must be positive ints, one per spatial axis ({rank}), "
            f"got {size!r}"
        )
    align = bool(align_corners)
    out = x
    for axis in range(rank):
        if sizes[axis] == spatial[axis] and scales[axis] in (None, 1.0):
            continue  # the identity along this axis, in every mode
        m = _matrix(mode, sizes[axis], spatial[axis], scales[axis], align)
        weights = Tensor(m.T.astype(x.dtype.np))  # (in, out)
        moved = list(range(out.ndim))
        moved.append(moved.pop(2 + axis))
        y = matmul(transpose(out, tuple(moved)), weights)  # that axis last, resized
        back = list(range(y.ndim - 1))
        back.insert(2 + axis, y.ndim - 1)
        out = transpose(y, tuple(back))
    return out if out is not x else reshape(x, x.shape)


def upsample(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
) -> Tensor:
    """``interpolate`` under its older name."""
    return interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor)
