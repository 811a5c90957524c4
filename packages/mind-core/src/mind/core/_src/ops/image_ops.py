"""Image sampling ops with MindSpore's names: affine grids and grid sampling, crop-and-resize,
col2im, and the separable linear resizes the Primitive classes of ``p_image`` apply.

Sampling is a composition: the sample coordinates are computed with elementwise ops, their
integer corners are the ``floor`` (no gradient), and the corner values are one ``gather`` from
the image with its channels last. So the gradient reaches the image (the gather scatters back)
and the coordinates (through the interpolation weights), and jit and vmap come with the ops.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import reduce as R
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import ShapedArray, bind1, example, primitive
from mind.core._src.ops.indexing import argsort
from mind.core._src.ops.nn_ops import matmul
from mind.core._src.ops.pooling import fold
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["affine_grid", "col2im", "crop_and_resize", "deformable_conv2d", "grid_sample"]

TENSOR_METHODS: tuple[str, ...] = ("col2im",)

_PADDING_MODES = ("zeros", "border", "reflection")


class _KernelShapeError(MindValueError, RuntimeError):
    """An input's shape does not fit the op's attributes or its other inputs.

    MindSpore's image kernels raise a ``RuntimeError`` for this (their shape checks run when the
    kernel is launched); this error is also a ``ValueError``, as Mind's other shape errors.

    Fix: give the inputs the shapes the op's attributes ask for (for a backward op, the incoming
    gradient with the forward op's output shape).
    """


def _float_input(op: str, what: str, value: Any) -> Tensor:
    x = as_tensor(value)
    if not x.dtype.is_floating_point:
        raise MindTypeError(f"For '{op}', '{what}' must be a float tensor, got {x.dtype}")
    return x


def _sizes(op: str, what: str, value: Any) -> tuple[int, ...]:
    """Static ints from a tuple, a list or a Tensor."""
    if isinstance(value, Tensor):
        value = value.asnumpy().reshape(-1).tolist()
    if isinstance(value, int | np.integer):
        value = (value,)
    try:
        sizes = tuple(int(v) for v in value)
    except TypeError:
        raise MindTypeError(
            f"For '{op}', '{what}' must be a tuple of ints, got {value!r}"
        ) from None
    if any(s <= 0 for s in sizes):
        raise MindValueError(f"For '{op}', '{what}' must be positive, got {sizes}")
    return sizes


def _gather_points(x: Tensor, flat_index: Tensor) -> Tensor:
    """``x`` (N, C, *spatial) sampled at flat spatial indices (N, P): (N, P, C)."""
    n, c = x.shape[:2]
    size = int(np.prod(x.shape[2:]))
    rows = A.reshape(A.transpose(x, (0, *range(2, x.ndim), 1)), (n * size, c))
    base = Tensor((np.arange(n, dtype=np.int64) * size).reshape(n, 1))
    picked = A.gather(rows, A.reshape(E.add(flat_index, base), (-1,)), 0)
    return A.reshape(picked, (n, -1, c))


# ------------------------------------------------------------------------------------------------
# affine_grid
# ------------------------------------------------------------------------------------------------


def _base_axis(size: int, align_corners: bool) -> np.ndarray:
    """Normalised pixel-centre coordinates of one axis, in [-1, 1]."""
    if align_corners:
        return np.linspace(-1.0, 1.0, size) if size > 1 else np.zeros(1)
    return (2.0 * np.arange(size) + 1.0) / size - 1.0


def affine_grid(theta: Any, size: Any, align_corners: bool = False) -> Tensor:
    """The sampling grid of a batch of affine maps, for :func:`grid_sample`.

    :param theta: (N, 2, 3) for a 2-D grid or (N, 3, 4) for a 3-D one.
    :param size: the target shape (N, C, H, W) or (N, C, D, H, W).
    :returns: (N, H, W, 2) or (N, D, H, W, 3) of (x, y[, z]) source coordinates in [-1, 1].

    >>> theta = Tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> ops.affine_grid(theta, (1, 1, 2, 2)).shape  # (1, 2, 2, 2)

    Supported devices: cpu, native.
    """
    op = "affine_grid"
    theta = _float_input(op, "theta", theta)
    if not isinstance(align_corners, bool):
        raise MindTypeError(f"For '{op}', 'align_corners' must be a bool, got {align_corners!r}")
    size = _sizes(op, "size", size)
    if len(size) not in (4, 5):
        raise MindValueError(f"For '{op}', 'size' must have 4 or 5 elements, got {size}")
    d = len(size) - 2
    if theta.shape != (size[0], d, d + 1):
        raise MindValueError(
            f"For '{op}', 'theta' must be ({size[0]}, {d}, {d + 1}) for size {size}, got "
            f"shape {theta.shape}"
        )
    spatial = size[2:]
    axes = [_base_axis(s, align_corners) for s in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")  # spatial order (D,) H, W
    # homogeneous coordinates (x, y[, z], 1): x runs along the last axis
    base = np.stack([*reversed(mesh), np.ones(spatial)], axis=-1).reshape(-1, d + 1)
    base_t = Tensor(base.astype(theta.dtype.np).reshape(1, -1, 1, d + 1))
    grid = R.sum(E.mul(base_t, A.reshape(theta, (size[0], 1, d, d + 1))), -1)
    return A.reshape(grid, (size[0], *spatial, d))


# ------------------------------------------------------------------------------------------------
# grid_sample
# ------------------------------------------------------------------------------------------------


def _unnormalise(coord: Tensor, size: int, align_corners: bool) -> Tensor:
    if align_corners:
        return E.mul(E.add(coord, 1.0), (size - 1) / 2.0)
    return E.div(E.sub(E.mul(E.add(coord, 1.0), float(size)), 1.0), 2.0)


def _reflect(coord: Tensor, low: float, high: float) -> Tensor:
    """Reflect ``coord`` into [low, high] (the gradient flips sign on odd reflections)."""
    if high <= low:
        return E.mul(coord, 0.0)
    span = high - low
    dist = E.abs(E.sub(coord, low))
    flips = E.floor(E.div(dist, span))
    extra = E.sub(dist, E.mul(flips, span))
    even = E.equal(E.sub(flips, E.mul(E.floor(E.div(flips, 2.0)), 2.0)), 0.0)
    return E.where(even, E.add(extra, low), E.sub(high, extra))


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    ix = _unnormalise(coord, size, align_corners)
    if padding_mode == "reflection":
        ix = _reflect(ix, 0.0, size - 1.0) if align_corners else _reflect(ix, -0.5, size - 0.5)
    if padding_mode != "zeros":
        ix = E.clip(ix, 0.0, size - 1.0)
    return ix


def _corner_value(
    x: Tensor, corner: list[Tensor], spatial: tuple[int, ...], weight: Tensor | None
) -> Tensor:
    """``x`` at integer (float-valued) coordinates ``corner`` (N, P each, spatial order), zero
    outside, times ``weight``: (N, P, C)."""
    valid = None
    flat = None
    for axis, (pos, size) in enumerate(zip(corner, spatial)):
        inside = E.logical_and(E.greater_equal(pos, 0.0), E.less_equal(pos, size - 1.0))
        valid = inside if valid is None else E.logical_and(valid, inside)
        index = E.cast(E.clip(pos, 0.0, size - 1.0), dt.int64)
        stride = int(np.prod(spatial[axis + 1 :]))
        term = E.mul(index, stride) if stride != 1 else index
        flat = term if flat is None else E.add(flat, term)
    zero = E.zeros_like(corner[0])
    w = E.where(valid, weight if weight is not None else E.ones_like(corner[0]), zero)
    values = _gather_points(x, flat)
    return E.mul(values, A.expand_dims(E.cast(w, x.dtype), -1))


def grid_sample(
    input: Any,
    grid: Any,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` (N, C, H, W) at ``grid`` (N, Ho, Wo, 2), or (N, C, D, H, W) at
    (N, Do, Ho, Wo, 3): the last axis of ``grid`` holds (x, y[, z]) in [-1, 1].

    :param mode: ``"bilinear"`` (trilinear for 5-D) or ``"nearest"`` (round half to even).
    :param padding_mode: outside the image: ``"zeros"``, ``"border"`` (the edge value) or
        ``"reflection"`` (mirrored at the edges).
    :param align_corners: -1 and 1 are the corner pixels' centres (default False: their outer
        edges).

    >>> x = ops.arange(16.0).reshape(1, 1, 4, 4)
    >>> ops.grid_sample(x, ops.zeros((1, 1, 1, 2)), align_corners=True)  # [[[[7.5]]]]

    Supported devices: cpu, native.
    """
    op = "grid_sample"
    x = _float_input(op, "input", input)
    g = _float_input(op, "grid", grid)
    if x.ndim not in (4, 5):
        raise MindValueError(f"For '{op}', 'input' must be 4-D or 5-D, got shape {x.shape}")
    d = x.ndim - 2
    if g.ndim != x.ndim or g.shape[0] != x.shape[0] or g.shape[-1] != d:
        raise MindValueError(
            f"For '{op}', 'grid' must be (N, *out, {d}) with input's N {x.shape[0]}, got shape "
            f"{g.shape}"
        )
    if mode not in ("bilinear", "nearest"):
        raise MindValueError(f"For '{op}', 'mode' must be 'bilinear' or 'nearest', got {mode!r}")
    if padding_mode not in _PADDING_MODES:
        raise MindValueError(
            f"For '{op}', 'padding_mode' must be one of {_PADDING_MODES}, got {padding_mode!r}"
        )
    align = False if align_corners is None else align_corners
    if not isinstance(align, bool):
        raise MindTypeError(f"For '{op}', 'align_corners' must be a bool, got {align_corners!r}")
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    out = g.shape[1:-1]
    flat_grid = A.reshape(g, (n, -1, d))
    # grid's last axis is (x, y, z): x indexes the last spatial axis
    src = [
        _source(
            A.reshape(flat_grid[:, :, d - 1 - axis], (n, -1)), spatial[axis], padding_mode, align
        )
        for axis in range(d)
    ]
    if mode == "nearest":
        result = _corner_value(x, [E.round(s) for s in src], spatial, None)
    else:
        low = [E.floor(s) for s in src]
        frac = [E.sub(s, lo) for s, lo in zip(src, low)]
        result = None
        for bits in itertools.product((0, 1), repeat=d):
            corner = [E.add(lo, 1.0) if b else lo for lo, b in zip(low, bits)]
            weight = None
            for f, b in zip(frac, bits):
                w = f if b else E.sub(1.0, f)
                weight = w if weight is None else E.mul(weight, w)
            term = _corner_value(x, corner, spatial, weight)
            result = term if result is None else E.add(result, term)
    # (N, P, C) -> (N, C, *out)
    return A.transpose(A.reshape(result, (n, *out, c)), (0, d + 1, *range(1, d + 1)))


# ------------------------------------------------------------------------------------------------
# crop_and_resize
# ------------------------------------------------------------------------------------------------


def crop_and_resize(
    image: Any,
    boxes: Any,
    box_indices: Any,
    crop_size: Any,
    method: str = "bilinear",
    extrapolation_value: float = 0.0,
) -> Tensor:
    """Crops of ``image`` (N, H, W, C) resized to ``crop_size`` (crop_h, crop_w): float32
    (num_boxes, crop_h, crop_w, C).

    :param boxes: (num_boxes, 4) of normalised (y1, x1, y2, x2): 0 and 1 are the first and
        last pixel centres; y1 > y2 flips the crop.
    :param box_indices: (num_boxes,) the image of each box.
    :param method: ``"bilinear"`` or ``"nearest"``.
    :param extrapolation_value: the value of samples outside the image.

    >>> img = ops.arange(16.0).reshape(1, 4, 4, 1)
    >>> ops.crop_and_resize(img, Tensor([[0.0, 0.0, 1.0, 1.0]]), Tensor([0]), (2, 2))
    ... # the four corners: [[[[0], [3]], [[12], [15]]]]

    Supported devices: cpu, native.
    """
    op = "crop_and_resize"
    x = as_tensor(image)
    if x.ndim != 4:
        raise MindValueError(f"For '{op}', 'image' must be 4-D (N, H, W, C), got shape {x.shape}")
    if x.dtype != dt.float32:
        x = E.cast(x, dt.float32)
    b = E.cast(as_tensor(boxes), dt.float32)
    if b.ndim != 2 or b.shape[1] != 4:
        raise MindValueError(f"For '{op}', 'boxes' must be (num_boxes, 4), got shape {b.shape}")
    index = as_tensor(box_indices)
    if index.shape != (b.shape[0],) or index.dtype.is_floating_point:
        raise MindValueError(
            f"For '{op}', 'box_indices' must be ({b.shape[0]},) ints, got {index.dtype} "
            f"{index.shape}"
        )
    if method not in ("bilinear", "nearest"):
        raise MindValueError(
            f"For '{op}', 'method' must be 'bilinear' or 'nearest', got {method!r}"
        )
    crop = _sizes(op, "crop_size", crop_size)
    if len(crop) != 2:
        raise MindValueError(f"For '{op}', 'crop_size' must be (crop_h, crop_w), got {crop}")
    n, h, w, c = x.shape
    nb = b.shape[0]

    def axis_coords(lo: Tensor, hi: Tensor, out: int, size: int) -> Tensor:  # (nb, out)
        if out > 1:
            steps = Tensor((np.arange(out) / (out - 1)).astype(np.float32).reshape(1, out))
            return E.mul(E.add(lo, E.mul(E.sub(hi, lo), steps)), size - 1.0)
        return A.broadcast_to(E.mul(E.mul(E.add(lo, hi), 0.5), size - 1.0), (nb, 1))

    ys = axis_coords(b[:, 0:1], b[:, 2:3], crop[0], h)
    xs = axis_coords(b[:, 1:2], b[:, 3:4], crop[1], w)
    ys = A.broadcast_to(A.expand_dims(ys, 2), (nb, *crop))
    xs = A.broadcast_to(A.expand_dims(xs, 1), (nb, *crop))
    inside = E.logical_and(
        E.logical_and(E.greater_equal(ys, 0.0), E.less_equal(ys, h - 1.0)),
        E.logical_and(E.greater_equal(xs, 0.0), E.less_equal(xs, w - 1.0)),
    )
    rows = A.reshape(x, (n * h * w, c))
    base = A.reshape(E.mul(E.cast(index, dt.int64), h * w), (nb, 1, 1))

    def at(yy: Tensor, xx: Tensor) -> Tensor:  # (nb, ch, cw, C)
        yi = E.cast(E.clip(yy, 0.0, h - 1.0), dt.int64)
        xi = E.cast(E.clip(xx, 0.0, w - 1.0), dt.int64)
        flat = E.add(base, E.add(E.mul(yi, w), xi))
        return A.reshape(A.gather(rows, A.reshape(flat, (-1,)), 0), (nb, *crop, c))

    if method == "nearest":
        # half away from zero (TensorFlow's rounding; samples inside the image are >= 0)
        out = at(E.floor(E.add(ys, 0.5)), E.floor(E.add(xs, 0.5)))
    else:
        y0, x0 = E.floor(ys), E.floor(xs)
        fy = A.expand_dims(E.sub(ys, y0), -1)
        fx = A.expand_dims(E.sub(xs, x0), -1)
        y1, x1 = E.add(y0, 1.0), E.add(x0, 1.0)
        top = E.add(at(y0, x0), E.mul(E.sub(at(y0, x1), at(y0, x0)), fx))
        bottom = E.add(at(y1, x0), E.mul(E.sub(at(y1, x1), at(y1, x0)), fx))
        out = E.add(top, E.mul(E.sub(bottom, top), fy))
    fill = E.full_like(out, float(extrapolation_value))
    return E.where(A.expand_dims(inside, -1), out, fill)


# ------------------------------------------------------------------------------------------------
# col2im
# ------------------------------------------------------------------------------------------------


def col2im(
    input_x: Any, output_size: Any, kernel_size: Any, dilation: Any, padding_value: Any, stride: Any
) -> Tensor:
    """Sum (N, C, kh * kw, L) sliding blocks back into an (N, C, *output_size) image, overlaps
    adding up (the adjoint of ``unfold``; ``fold`` with 4-D columns).

    >>> ops.col2im(ops.ones((1, 1, 4, 4)), Tensor([3, 3]), 2, 1, 0, 1)[0, 0, 1, 1]  # 4.0

    Supported devices: cpu.
    """
    op = "col2im"
    x = _float_input(op, "input_x", input_x)
    if x.ndim != 4:
        raise MindValueError(f"For '{op}', 'input_x' must be 4-D (N, C, kh*kw, L), got {x.shape}")
    size = _sizes(op, "output_size", output_size)
    n, c, k, blocks = x.shape
    return fold(
        A.reshape(x, (n, c * k, blocks)), size, kernel_size, dilation, padding_value, stride
    )


# ------------------------------------------------------------------------------------------------
# separable linear resizes (the Primitive classes' coordinate rules)
# ------------------------------------------------------------------------------------------------


def _linear_matrix(out: int, size: int, rule: str) -> np.ndarray:
    """(out, size) linear interpolation along one axis; ``rule``: ``"align_corners"``,
    ``"half_pixel"`` or ``"asymmetric"`` (source = destination * size / out)."""
    dst = np.arange(out, dtype=np.float64)
    if rule == "align_corners":
        src = dst * ((size - 1) / (out - 1) if out > 1 else 0.0)
    elif rule == "half_pixel":
        src = (dst + 0.5) * (size / out) - 0.5
    else:
        src = dst * (size / out)
    src = np.clip(src, 0.0, size - 1)
    lo = np.floor(src).astype(np.int64)
    hi = np.minimum(lo + 1, size - 1)
    frac = src - lo
    m = np.zeros((out, size))
    rows = np.arange(out)
    np.add.at(m, (rows, lo), 1.0 - frac)
    np.add.at(m, (rows, hi), frac)
    return m


def _apply_axes(x: Tensor, matrices: list[np.ndarray | None]) -> Tensor:
    """Apply one (out, in) matrix to each trailing spatial axis (None: unchanged)."""
    first = x.ndim - len(matrices)
    out = x
    for i, m in enumerate(matrices):
        if m is None:
            continue
        axis = first + i
        weights = Tensor(m.T.astype(x.dtype.np))
        moved = [a for a in range(out.ndim) if a != axis] + [axis]
        y = matmul(A.transpose(out, tuple(moved)), weights)
        back = list(range(y.ndim - 1))
        back.insert(axis, y.ndim - 1)
        out = A.transpose(y, tuple(back))
    return out


_CUBIC_TABLE = 1024  # the cubic weights are tabulated at 1/1024 steps of the fraction


def _cubic_weights(frac: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic weights of the four taps at -1, 0, 1, 2 from a sample at ``frac`` in [0, 1):
    (len, 4), the fraction rounded to the table's step first, as MindSpore's (TensorFlow's)
    kernel looks them up."""
    t = np.rint(frac * _CUBIC_TABLE) / _CUBIC_TABLE

    def near(u: np.ndarray) -> np.ndarray:  # |u| <= 1
        return ((a + 2) * u - (a + 3)) * u * u + 1

    def far(u: np.ndarray) -> np.ndarray:  # 1 < |u| < 2
        return ((a * u - 5 * a) * u + 8 * a) * u - 4 * a

    w = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)
    return w.astype(np.float32).astype(np.float64)


def _bicubic_matrix(out: int, size: int, align_corners: bool, half_pixel: bool) -> np.ndarray:
    """(out, size) bicubic interpolation along one axis, as MindSpore's ResizeBicubic: with
    ``half_pixel`` Keys' a = -0.5 and the taps outside the image dropped (the rest renormalised),
    else a = -0.75 and the outside taps clamped onto the edge."""
    scale = np.float32((size - 1) / (out - 1) if align_corners and out > 1 else size / out)
    dst = np.arange(out, dtype=np.float32)
    src = (dst + np.float32(0.5)) * scale - np.float32(0.5) if half_pixel else dst * scale
    base = np.floor(src)
    weights = _cubic_weights((src - base).astype(np.float64), -0.5 if half_pixel else -0.75)
    taps = base.astype(np.int64)[:, None] + np.arange(-1, 3)[None, :]
    if half_pixel:
        weights = np.where((taps >= 0) & (taps < size), weights, 0.0)
        total = weights.sum(axis=1, keepdims=True)
        weights = weights / np.where(total == 0, 1.0, total)
    m = np.zeros((out, size))
    rows = np.repeat(np.arange(out), 4)
    np.add.at(m, (rows, np.clip(taps, 0, size - 1).reshape(-1)), weights.reshape(-1))
    return m


def _resize_bicubic(
    x: Tensor, sizes: tuple[int, int], align_corners: bool, half_pixel: bool
) -> Tensor:
    spatial = x.shape[2:]
    wide = E.cast(x, dt.float32) if x.dtype == dt.float16 else x  # as _resize_linear
    out = _apply_axes(
        wide, [_bicubic_matrix(o, s, align_corners, half_pixel) for o, s in zip(sizes, spatial)]
    )
    return E.cast(out, x.dtype) if out.dtype != x.dtype else out


def _resize_linear(x: Tensor, sizes: tuple[int, ...], rule: str) -> Tensor:
    spatial = x.shape[x.ndim - len(sizes) :]
    # float16 is resized in float32 and rounded once, as MindSpore's kernels do
    wide = E.cast(x, dt.float32) if x.dtype == dt.float16 else x
    out = _apply_axes(
        wide,
        [None if o == s else _linear_matrix(o, s, rule) for o, s in zip(sizes, spatial)],
    )
    return E.cast(out, x.dtype) if out.dtype != x.dtype else out


# ------------------------------------------------------------------------------------------------
# non-maximum suppression: the greedy pass is sequential, so it is one primitive
# ------------------------------------------------------------------------------------------------


def _nms_keep_kernel(boxes: np.ndarray, *, iou_threshold: float) -> np.ndarray:
    """Greedy NMS over (N, >=4) boxes (x1, y1, x2, y2) already in score order: which survive.
    A box is dropped when its IoU with a kept, higher-scored box exceeds the threshold; an
    empty union (zero-area boxes) counts as no overlap."""
    b = boxes[:, :4].astype(np.float64)
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    keep = np.ones(len(b), dtype=bool)
    for i in range(len(b)):
        if not keep[i]:
            continue
        rest = slice(i + 1, None)
        w = np.maximum(0.0, np.minimum(b[i, 2], b[rest, 2]) - np.maximum(b[i, 0], b[rest, 0]))
        h = np.maximum(0.0, np.minimum(b[i, 3], b[rest, 3]) - np.maximum(b[i, 1], b[rest, 1]))
        inter = w * h
        union = area[i] + area[rest] - inter
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        keep[rest] &= ~(iou > iou_threshold)
    return keep


def _nms_keep_infer(boxes: ShapedArray, *, iou_threshold: float) -> ShapedArray:
    return ShapedArray(boxes.shape[:1], dt.bool_)


nms_keep_p = primitive(
    "nms_keep",
    cpu=_nms_keep_kernel,
    infer=_nms_keep_infer,
    differentiable=False,
    attrs=("iou_threshold",),
)
S.attr_schema(nms_keep_p, iou_threshold=S.Number(lo=0.0, hi=1.0))
example(
    nms_keep_p,
    lambda c: (
        [np.array([[0, 0, 2, 2], [0, 0, 2, 1.9], [3, 3, 4, 4], [0, 0, 0, 0]], np.float32)],
        {"iou_threshold": 0.5},
        lambda boxes: np.array([True, False, True, True]),
    ),
)


def _nms_with_mask(bboxes: Any, iou_threshold: float) -> tuple[Tensor, Tensor, Tensor]:
    """MindSpore's NMSWithMask: the (N, 5) boxes (x1, y1, x2, y2, score) sorted by descending
    score (stable), their original indices (int32), and which of them survive greedy NMS."""
    op = "NMSWithMask"
    x = as_tensor(bboxes)
    if x.ndim != 2 or x.shape[1] != 5:
        raise MindValueError(f"For '{op}', 'bboxes' must be (N, 5), got shape {x.shape}")
    if x.dtype not in (dt.float16, dt.float32):
        raise MindTypeError(f"For '{op}', 'bboxes' must be float16 or float32, got {x.dtype}")
    order = argsort(x[:, 4], descending=True)
    ranked = A.gather(x, order, 0)
    keep = bind1(nms_keep_p, ranked, {"iou_threshold": float(iou_threshold)})
    return ranked, E.cast(order, dt.int32), keep


# ------------------------------------------------------------------------------------------------
# ROIAlign
# ------------------------------------------------------------------------------------------------


def _roi_align(
    features: Any,
    rois: Any,
    pooled_height: int,
    pooled_width: int,
    spatial_scale: float,
    sample_num: int,
    roi_end_mode: int,
) -> Tensor:
    """MindSpore's ROIAlign: each (batch, x1, y1, x2, y2) roi of ``features`` (N, C, H, W)
    pooled to (C, pooled_height, pooled_width), each bin the mean of ``sample_num`` squared
    bilinear samples (samples up to one pixel outside the map use the edge, farther ones are 0)."""
    op = "ROIAlign"
    x = _float_input(op, "features", features)
    r = as_tensor(rois)
    if x.ndim != 4:
        raise MindValueError(f"For '{op}', 'features' must be 4-D (N, C, H, W), got {x.shape}")
    if r.ndim != 2 or r.shape[1] != 5:
        raise MindValueError(f"For '{op}', 'rois' must be (rois_n, 5), got shape {r.shape}")
    if not isinstance(sample_num, int) or sample_num <= 0:
        raise MindValueError(
            f"For '{op}', Mind needs a positive 'sample_num' (the adaptive 0 is not supported), "
            f"got {sample_num!r}"
        )
    if roi_end_mode not in (0, 1):
        raise MindValueError(f"For '{op}', 'roi_end_mode' must be 0 or 1, got {roi_end_mode!r}")
    n, c, h, w = x.shape
    nr, ph, pw, g = r.shape[0], int(pooled_height), int(pooled_width), sample_num
    r = E.cast(r, x.dtype)

    def axis_points(lo: Tensor, hi: Tensor, pooled: int) -> Tensor:  # (nr, pooled * g)
        start = E.mul(lo, float(spatial_scale))
        end = E.mul(E.add(hi, float(roi_end_mode)), float(spatial_scale))
        length = E.sub(end, start)
        if roi_end_mode == 0:  # the legacy mode makes malformed rois at least one pixel
            length = E.maximum(length, 1.0)
        steps = (np.arange(pooled)[:, None] + (np.arange(g)[None, :] + 0.5) / g).reshape(1, -1)
        return E.add(start, E.mul(E.div(length, float(pooled)), Tensor(steps.astype(x.dtype.np))))

    ys = axis_points(r[:, 2:3], r[:, 4:5], ph)
    xs = axis_points(r[:, 1:2], r[:, 3:4], pw)
    ys = A.broadcast_to(A.expand_dims(ys, 2), (nr, ph * g, pw * g))
    xs = A.broadcast_to(A.expand_dims(xs, 1), (nr, ph * g, pw * g))
    inside = E.logical_and(
        E.logical_and(E.greater_equal(ys, -1.0), E.less_equal(ys, float(h))),
        E.logical_and(E.greater_equal(xs, -1.0), E.less_equal(xs, float(w))),
    )
    ys, xs = E.clip(ys, 0.0, h - 1.0), E.clip(xs, 0.0, w - 1.0)
    y0, x0 = E.floor(ys), E.floor(xs)
    y1, x1 = E.minimum(E.add(y0, 1.0), h - 1.0), E.minimum(E.add(x0, 1.0), w - 1.0)
    fy, fx = E.sub(ys, y0), E.sub(xs, x0)
    rows = A.reshape(A.transpose(x, (0, 2, 3, 1)), (n * h * w, c))
    base = A.reshape(E.mul(E.cast(r[:, 0], dt.int64), h * w), (nr, 1, 1))

    def at(yy: Tensor, xx: Tensor, weight: Tensor) -> Tensor:
        flat = E.add(base, E.add(E.mul(E.cast(yy, dt.int64), w), E.cast(xx, dt.int64)))
        values = A.reshape(A.gather(rows, A.reshape(flat, (-1,)), 0), (nr, ph * g, pw * g, c))
        return E.mul(values, A.expand_dims(weight, -1))

    gy, gx = E.sub(1.0, fy), E.sub(1.0, fx)
    total = E.add(
        E.add(at(y0, x0, E.mul(gy, gx)), at(y0, x1, E.mul(gy, fx))),
        E.add(at(y1, x0, E.mul(fy, gx)), at(y1, x1, E.mul(fy, fx))),
    )
    total = E.where(A.expand_dims(inside, -1), total, E.zeros_like(total))
    bins = R.mean(A.reshape(total, (nr, ph, g, pw, g, c)), (2, 4))
    return A.transpose(bins, (0, 3, 1, 2))


# ------------------------------------------------------------------------------------------------
# deformable convolution
# ------------------------------------------------------------------------------------------------


def _four(op: str, what: str, value: Any) -> tuple[int, int, int, int]:
    if isinstance(value, int) or len(tuple(value)) != 4:
        raise MindValueError(f"For '{op}', '{what}' must be a tuple of 4 ints, got {value!r}")
    return tuple(int(v) for v in value)  # type: ignore[return-value]


def _deformable_samples(
    op: str,
    x: Any,
    offsets: Any,
    kernel_size: Any,
    strides: Any,
    padding: Any,
    dilations: Any,
    deformable_groups: int,
    modulated: bool,
    out_size: tuple[int, int] | None = None,
) -> Tensor:
    """The deformed, mask-weighted samples: (N, C, kh * kw, Ho, Wo); (Ho, Wo) is the sliding
    window's output size, or ``out_size`` (MindSpore's DeformableOffsetsGrad takes it from its
    incoming gradient).

    ``offsets`` (N, 3 * dg * kh * kw, Ho, Wo) holds the x offsets, then the y offsets, then the
    masks, each (dg, kh, kw) ordered; kernel point (i, j) of output (oh, ow) samples at
    (oh * sh - top + i * dh + dy, ow * sw - left + j * dw + dx), bilinearly, zero outside."""
    x = _float_input(op, "x", x)
    off = _float_input(op, "offsets", offsets)
    if x.ndim != 4 or off.ndim != 4:
        raise MindValueError(
            f"For '{op}', 'x' and 'offsets' must be 4-D (NCHW), got {x.shape} and {off.shape}"
        )
    kernel = _sizes(op, "kernel_size", kernel_size)
    if len(kernel) != 2:
        raise MindValueError(f"For '{op}', 'kernel_size' must be (kh, kw), got {kernel}")
    _, _, sh, sw = _four(op, "strides", strides)
    top, bottom, left, right = _four(op, "padding", padding)
    _, _, dh, dw = _four(op, "dilations", dilations)
    if not modulated:
        raise MindValueError(f"For '{op}', 'modulated' must be True (as MindSpore's), got False")
    n, c, h, w = x.shape
    kh, kw = kernel
    dg = int(deformable_groups)
    if dg <= 0 or c % dg:
        raise MindValueError(
            f"For '{op}', 'deformable_groups' must divide the {c} channels, got {deformable_groups}"
        )
    ho = (h + top + bottom - (kh - 1) * dh - 1) // sh + 1
    wo = (w + left + right - (kw - 1) * dw - 1) // sw + 1
    if out_size is not None:
        ho, wo = out_size
    if off.shape != (n, 3 * dg * kh * kw, ho, wo):
        raise MindValueError(
            f"For '{op}', 'offsets' must be {(n, 3 * dg * kh * kw, ho, wo)}, got {off.shape}"
        )
    parts = A.reshape(off, (n, 3, dg, kh, kw, ho, wo))
    base_y = (np.arange(ho) * sh - top)[None, :] + (np.arange(kh) * dh)[:, None]  # (kh, ho)
    base_x = (np.arange(wo) * sw - left)[None, :] + (np.arange(kw) * dw)[:, None]  # (kw, wo)
    base_y = Tensor(base_y.astype(x.dtype.np).reshape(1, 1, kh, 1, ho, 1))
    base_x = Tensor(base_x.astype(x.dtype.np).reshape(1, 1, 1, kw, 1, wo))
    xs = A.reshape(E.add(parts[:, 0], base_x), (n * dg, -1))
    ys = A.reshape(E.add(parts[:, 1], base_y), (n * dg, -1))
    mask = A.reshape(parts[:, 2], (n * dg, -1, 1))
    grouped = A.reshape(x, (n * dg, c // dg, h, w))
    y0, x0 = E.floor(ys), E.floor(xs)
    fy, fx = E.sub(ys, y0), E.sub(xs, x0)
    y1, x1 = E.add(y0, 1.0), E.add(x0, 1.0)
    gy, gx = E.sub(1.0, fy), E.sub(1.0, fx)
    total = E.add(
        E.add(
            _corner_value(grouped, [y0, x0], (h, w), E.mul(gy, gx)),
            _corner_value(grouped, [y0, x1], (h, w), E.mul(gy, fx)),
        ),
        E.add(
            _corner_value(grouped, [y1, x0], (h, w), E.mul(fy, gx)),
            _corner_value(grouped, [y1, x1], (h, w), E.mul(fy, fx)),
        ),
    )
    total = E.mul(total, mask)  # (n * dg, kh * kw * ho * wo, c // dg)
    total = A.reshape(total, (n, dg, kh * kw, ho, wo, c // dg))
    return A.reshape(A.transpose(total, (0, 1, 5, 2, 3, 4)), (n, c, kh * kw, ho, wo))


def deformable_conv2d(
    x: Any,
    weight: Any,
    offsets: Any,
    kernel_size: Any,
    strides: Any,
    padding: Any,
    bias: Any = None,
    dilations: Any = (1, 1, 1, 1),
    groups: int = 1,
    deformable_groups: int = 1,
    modulated: bool = True,
) -> Tensor:
    """Deformable (v2, modulated) convolution of ``x`` (N, C, H, W) with ``weight``
    (Cout, C / groups, kh, kw): each kernel point samples at its own learned offset, scaled by
    its mask.

    :param offsets: (N, 3 * deformable_groups * kh * kw, Ho, Wo): the x offsets, the y offsets,
        then the masks, each ordered (deformable group, kh, kw).
    :param strides: (1, 1, sh, sw); ``padding``: (top, bottom, left, right); ``dilations``:
        (1, 1, dh, dw).

    >>> x = ops.ones((1, 1, 3, 3)); w = ops.ones((1, 1, 2, 2))
    >>> off = ops.concat([ops.zeros((1, 8, 2, 2)), ops.ones((1, 4, 2, 2))], 1)
    >>> ops.deformable_conv2d(x, w, off, (2, 2), (1, 1, 1, 1), (0, 0, 0, 0))  # all 4.0

    Supported devices: cpu, native.
    """
    op = "deformable_conv2d"
    wt = _float_input(op, "weight", weight)
    samples = _deformable_samples(
        op, x, offsets, kernel_size, strides, padding, dilations, deformable_groups, modulated
    )
    n, c, k, ho, wo = samples.shape
    g = int(groups)
    if wt.ndim != 4 or g <= 0 or c % g or wt.shape[0] % g or wt.shape[1] * g != c:
        raise MindValueError(
            f"For '{op}', 'weight' must be (Cout, {c} / groups, kh, kw) with groups dividing "
            f"Cout, got {wt.shape} and groups={groups}"
        )
    cols = A.reshape(samples, (n, g, (c // g) * k, ho * wo))
    kernel = A.reshape(wt, (1, g, wt.shape[0] // g, (c // g) * k))
    out = A.reshape(matmul(A.broadcast_to(kernel, (n, *kernel.shape[1:])), cols), (n, -1, ho, wo))
    if bias is not None:
        out = E.add(out, A.reshape(as_tensor(bias), (1, -1, 1, 1)))
    return out


def _deformable_offsets(
    x: Any,
    offsets: Any,
    strides: Any,
    pads: Any,
    ksize: Any,
    dilations: Any,
    deformable_groups: int,
    modulated: bool,
    out_size: tuple[int, int] | None = None,
) -> Tensor:
    """MindSpore's DeformableOffsets: the samples laid out (N, C, Ho * kh, Wo * kw), kernel
    point (i, j) of output (oh, ow) at (oh * kh + i, ow * kw + j)."""
    op = "DeformableOffsets"
    kernel = _sizes(op, "ksize", ksize)
    samples = _deformable_samples(
        op, x, offsets, kernel, strides, pads, dilations, deformable_groups, modulated, out_size
    )
    n, c, _, ho, wo = samples.shape
    kh, kw = kernel
    tiles = A.transpose(A.reshape(samples, (n, c, kh, kw, ho, wo)), (0, 1, 4, 2, 5, 3))
    return A.reshape(tiles, (n, c, ho * kh, wo * kw))


# ------------------------------------------------------------------------------------------------
# PSROIPooling
# ------------------------------------------------------------------------------------------------


def _round_half_away(v: Tensor) -> Tensor:
    return E.mul(E.sign(v), E.floor(E.add(E.abs(v), 0.5)))


def _ps_roi_pooling(
    features: Any,
    rois: Any,
    spatial_scale: float,
    group_size: int,
    output_dim: int,
    full_edge: bool = False,
) -> Tensor:
    """MindSpore's PSROIPooling: position-sensitive average pooling. Bin (gh, gw) of output
    channel d averages input channel (d * G + gh) * G + gw over the bin's pixels; ``rois``
    (batch, 5, rois_n) are read as consecutive (batch index, x1, y1, x2, y2) records, as
    MindSpore's kernel reads them.

    ``full_edge``: bins may reach the map's last row and column, as in MindSpore's
    PSROIPoolingGrad kernel (its forward kernel stops every bin one pixel short of the edge)."""
    op = "PSROIPooling"
    x = _float_input(op, "features", features)
    r = _float_input(op, "rois", rois)
    g, d = int(group_size), int(output_dim)
    if x.ndim != 4 or x.shape[1] != d * g * g:
        raise _KernelShapeError(
            f"For '{op}', 'features' must be (N, output_dim * group_size ** 2 = {d * g * g}, H, "
            f"W), got shape {x.shape}"
        )
    if r.ndim != 3 or r.shape[1] != 5:
        raise MindValueError(f"For '{op}', 'rois' must be (batch, 5, rois_n), got {r.shape}")
    _, _, h, w = x.shape
    boxes = A.reshape(E.cast(r, x.dtype), (-1, 5))
    nr = boxes.shape[0]

    def bins(lo: Any, hi: Any, size: int) -> tuple[Tensor, Tensor]:  # (nr, g) starts and ends
        start = _round_half_away(E.mul(lo, float(spatial_scale)))
        end = _round_half_away(E.mul(hi, float(spatial_scale)))
        step = E.div(E.maximum(E.sub(end, start), 0.1), float(g))
        k = Tensor(np.arange(g, dtype=x.dtype.np).reshape(1, g))
        first = E.add(E.floor(E.mul(step, k)), start)
        last = E.sub(start, E.floor(E.neg(E.mul(step, E.add(k, 1.0)))))  # ceil
        # clipped to the last pixel, which MindSpore's forward kernel leaves out of every bin's
        # end (``full_edge``: to the edge)
        limit = float(size) if full_edge else size - 1.0
        return E.clip(first, 0.0, limit), E.clip(last, 0.0, limit)

    ys, ye = bins(boxes[:, 2:3], boxes[:, 4:5], h)
    xs, xe = bins(boxes[:, 1:2], boxes[:, 3:4], w)

    def member(first: Tensor, last: Tensor, size: int) -> Tensor:  # (nr, g, size)
        pos = Tensor(np.arange(size, dtype=x.dtype.np).reshape(1, 1, size))
        first, last = A.expand_dims(first, -1), A.expand_dims(last, -1)
        inside = E.logical_and(E.greater_equal(pos, first), E.less(pos, last))
        return E.cast(inside, x.dtype)

    mh = A.reshape(member(ys, ye, h), (nr, 1, g, 1, h, 1))
    mw = A.reshape(member(xs, xe, w), (nr, 1, 1, g, 1, w))
    picked = A.gather(x, E.cast(boxes[:, 0], dt.int64), 0)
    picked = A.reshape(picked, (nr, d, g, g, h, w))
    total = R.sum(E.mul(E.mul(picked, mh), mw), (4, 5))
    area = E.mul(A.reshape(E.sub(ye, ys), (nr, 1, g, 1)), A.reshape(E.sub(xe, xs), (nr, 1, 1, g)))
    empty = E.less_equal(area, 0.0)
    safe = E.where(empty, E.ones_like(area), area)
    return E.where(empty, E.zeros_like(total), E.div(total, safe))


# ------------------------------------------------------------------------------------------------
# ExtractVolumePatches: one gather of every window's voxels from the zero-padded volume
# ------------------------------------------------------------------------------------------------


def _three(op: str, what: str, value: Any) -> tuple[int, int, int]:
    """An int, (d, h, w) or (1, 1, d, h, w) of positive ints."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = (int(value),) * 3
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value
    ):
        raise MindTypeError(
            f"For '{op}', '{what}' must be an int or a tuple of ints, got {value!r}"
        )
    value = tuple(int(v) for v in value)
    if len(value) == 5:
        if value[:2] != (1, 1):
            raise MindValueError(f"For '{op}', '{what}' must start with (1, 1), got {value}")
        value = value[2:]
    if len(value) != 3 or any(v <= 0 for v in value):
        raise MindValueError(f"For '{op}', '{what}' must be 3 (or 5) positive ints, got {value}")
    return value  # type: ignore[return-value]


def _extract_volume_patches(x: Any, kernel_size: Any, strides: Any, padding: str) -> Tensor:
    """MindSpore's ExtractVolumePatches: each (kd, kh, kw) window of ``x`` (N, C, D, H, W) laid
    out along the channels, (N, kd * kh * kw * C, Do, Ho, Wo) with channel ``k * C + c`` for
    window voxel ``k`` (row-major over (kd, kh, kw)); ``padding`` ``"SAME"`` pads with zeros
    (the smaller half before), ``"VALID"`` does not pad."""
    op = "ExtractVolumePatches"
    x = as_tensor(x)
    if x.ndim != 5:
        raise MindValueError(f"For '{op}', 'input_x' must be 5-D (N, C, D, H, W), got {x.shape}")
    kernel = _three(op, "kernel_size", kernel_size)
    stride = _three(op, "strides", strides)
    mode = padding.upper() if isinstance(padding, str) else padding
    if mode not in ("VALID", "SAME"):
        raise MindValueError(f"For '{op}', 'padding' must be 'VALID' or 'SAME', got {padding!r}")
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    outs, before, after = [], [], []
    for size, k, s in zip(spatial, kernel, stride):
        if mode == "VALID":
            if size < k:
                raise MindValueError(
                    f"For '{op}', with 'VALID' padding the input {spatial} must be at least the "
                    f"kernel {kernel}"
                )
            outs.append(1 + (size - k) // s)
            before.append(0)
            after.append(0)
        else:
            out = -(-size // s)
            needed = max((out - 1) * s + k - size, 0)
            outs.append(out)
            before.append(needed // 2)
            after.append(needed - needed // 2)
    if any(before) or any(after):
        flat_pad = tuple(v for i in (2, 1, 0) for v in (before[i], after[i]))
        x = A.pad(x, flat_pad, "constant", 0)
    padded = x.shape[2:]
    # the flat padded-volume index of voxel k of output window p: (K, P)
    grid = np.meshgrid(*[np.arange(o) * s for o, s in zip(outs, stride)], indexing="ij")
    offsets = np.meshgrid(*[np.arange(k) for k in kernel], indexing="ij")
    starts = np.ravel_multi_index([g.reshape(-1) for g in grid], padded)
    shifts = np.ravel_multi_index([o.reshape(-1) for o in offsets], padded)
    index = (shifts[:, None] + starts[None, :]).reshape(-1)
    kk = int(np.prod(kernel))
    flat = A.reshape(x, (n, c, -1))
    picked = A.gather(flat, Tensor(index.astype(np.int64)), 2)  # (N, C, K * P)
    picked = A.transpose(A.reshape(picked, (n, c, kk, *outs)), (0, 2, 1, 3, 4, 5))
    return A.reshape(picked, (n, kk * c, *outs))
