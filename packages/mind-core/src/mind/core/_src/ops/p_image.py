"""MindSpore's Primitive-class image operators (over ``image_ops`` and ``resize``), with the
CropAndResize gradients MindSpore lists among them (the vjp of ``crop_and_resize``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.autodiff.functional import vjp
from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import image_ops as I
from mind.core._src.ops.array import gather, pad
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define
from mind.core._src.ops.resize import interpolate
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError


@_calls(I.affine_grid)
def _affine_grid(op: PrimitiveClass, theta: Any, output_size: Any) -> Any:
    return I.affine_grid(theta, output_size, op.align_corners)


_define("AffineGrid", _affine_grid, align_corners=False)


def _grid_sampler(name: str, rank: int) -> None:
    @_calls(I.grid_sample)
    def apply(op: PrimitiveClass, input_x: Any, grid: Any) -> Any:
        x = as_tensor(input_x)
        if x.ndim != rank + 2:
            raise MindValueError(
                f"For '{name}', 'input_x' must be {rank + 2}-D, got shape {x.shape}"
            )
        return I.grid_sample(x, grid, op.interpolation_mode, op.padding_mode, op.align_corners)

    _define(name, apply, interpolation_mode="bilinear", padding_mode="zeros", align_corners=False)


_grid_sampler("GridSampler2D", 2)
_grid_sampler("GridSampler3D", 3)


@_calls(I.crop_and_resize)
def _crop_and_resize(op: PrimitiveClass, x: Any, boxes: Any, box_index: Any, crop_size: Any) -> Any:
    return I.crop_and_resize(x, boxes, box_index, crop_size, op.method, op.extrapolation_value)


_define("CropAndResize", _crop_and_resize, method="bilinear", extrapolation_value=0.0)


def _check_rank(name: str, x: Any, rank: int, layout: str) -> Any:
    x = as_tensor(x)
    if x.ndim != rank:
        raise MindValueError(f"For '{name}', the input must be {rank}-D {layout}, got {x.shape}")
    return x


@_calls(I._resize_linear)
def _resize_bilinear_v2(op: PrimitiveClass, image: Any, size: Any) -> Any:
    x = _check_rank("ResizeBilinearV2", image, 4, "(N, C, H, W)")
    if op.align_corners and op.half_pixel_centers:
        raise MindValueError(
            "For 'ResizeBilinearV2', 'align_corners' and 'half_pixel_centers' cannot both be True"
        )
    sizes = I._sizes("ResizeBilinearV2", "size", size)
    if len(sizes) != 2:
        raise MindValueError(f"For 'ResizeBilinearV2', 'size' must be (H, W), got {sizes}")
    rule = (
        "align_corners"
        if op.align_corners
        else ("half_pixel" if op.half_pixel_centers else "asymmetric")
    )
    return I._resize_linear(I._float_input("ResizeBilinearV2", "image", x), sizes, rule)


_define("ResizeBilinearV2", _resize_bilinear_v2, align_corners=False, half_pixel_centers=False)

_LINEAR_1D_RULES = ("align_corners", "half_pixel", "asymmetric")


@_calls(I._resize_linear)
def _resize_linear_1d(op: PrimitiveClass, x: Any, size: Any) -> Any:
    x = _check_rank("ResizeLinear1D", x, 3, "(N, C, W)")
    rule = op.coordinate_transformation_mode
    if rule not in _LINEAR_1D_RULES:
        raise MindValueError(
            f"For 'ResizeLinear1D', 'coordinate_transformation_mode' must be one of "
            f"{_LINEAR_1D_RULES}, got {rule!r}"
        )
    sizes = I._sizes("ResizeLinear1D", "size", size)
    if len(sizes) != 1:
        raise MindValueError(f"For 'ResizeLinear1D', 'size' must have one element, got {sizes}")
    return I._resize_linear(I._float_input("ResizeLinear1D", "x", x), sizes, rule)


_define("ResizeLinear1D", _resize_linear_1d, coordinate_transformation_mode="align_corners")


def _upsample_3d(op_name: str, mode: str, x: Any, output_size: Any, scales: Any, align: Any) -> Any:
    x = _check_rank(op_name, x, 5, "(N, C, D, H, W)")
    if (output_size is None) == (scales is None):
        raise MindValueError(f"For '{op_name}', give exactly one of 'output_size' and 'scales'")
    if output_size is not None:
        return interpolate(
            x, size=I._sizes(op_name, "output_size", output_size), mode=mode, align_corners=align
        )
    return interpolate(
        x, scale_factor=tuple(float(s) for s in scales), mode=mode, align_corners=align
    )


@_calls(interpolate)
def _upsample_nearest_3d(
    op: PrimitiveClass, x: Any, output_size: Any = None, scales: Any = None
) -> Any:
    return _upsample_3d("UpsampleNearest3D", "nearest", x, output_size, scales, None)


@_calls(interpolate)
def _upsample_trilinear_3d(
    op: PrimitiveClass, x: Any, output_size: Any = None, scales: Any = None
) -> Any:
    return _upsample_3d(
        "UpsampleTrilinear3D", "trilinear", x, output_size, scales, op.align_corners
    )


_define("UpsampleNearest3D", _upsample_nearest_3d)
_define("UpsampleTrilinear3D", _upsample_trilinear_3d, align_corners=False)


@_calls(I._nms_with_mask)
def _nms_with_mask(op: PrimitiveClass, bboxes: Any) -> Any:
    return I._nms_with_mask(bboxes, op.iou_threshold)


_define("NMSWithMask", _nms_with_mask, iou_threshold=0.5)


@_calls(I._roi_align)
def _roi_align(op: PrimitiveClass, features: Any, rois: Any) -> Any:
    return I._roi_align(
        features,
        rois,
        op.pooled_height,
        op.pooled_width,
        op.spatial_scale,
        op.sample_num,
        op.roi_end_mode,
    )


_define(
    "ROIAlign",
    _roi_align,
    pooled_height=_REQUIRED,
    pooled_width=_REQUIRED,
    spatial_scale=_REQUIRED,
    sample_num=2,
    roi_end_mode=1,
)


@_calls(I._deformable_offsets)
def _deformable_offsets(op: PrimitiveClass, x: Any, offsets: Any) -> Any:
    if op.data_format != "NCHW":
        raise MindValueError(
            f"For 'DeformableOffsets', 'data_format' must be 'NCHW', got {op.data_format!r}"
        )
    return I._deformable_offsets(
        x,
        offsets,
        op.strides,
        op.pads,
        op.ksize,
        op.dilations,
        op.deformable_groups,
        op.modulated,
    )


_define(
    "DeformableOffsets",
    _deformable_offsets,
    strides=_REQUIRED,
    pads=_REQUIRED,
    ksize=_REQUIRED,
    dilations=(1, 1, 1, 1),
    data_format="NCHW",
    deformable_groups=1,
    modulated=True,
)


# ------------------------------------------------------------------------------------------------
# PadV3: constant padding through ``pad``; the other modes gather each output position's source
# ------------------------------------------------------------------------------------------------

_PAD_V3_MODES = ("constant", "reflect", "edge", "circular")


def _pad_source(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """The input index of each output index along one axis (a negative amount crops)."""
    if mode == "circular":  # MindSpore crops first, then wraps around what is left
        kept = size + min(lo, 0) + min(hi, 0)
        j = np.arange(kept + max(lo, 0) + max(hi, 0)) - max(lo, 0)
        return -min(lo, 0) + np.mod(j, kept)
    j = np.arange(size + lo + hi) - lo
    if mode == "edge":
        return np.clip(j, 0, size - 1)
    period = 2 * (size - 1)
    if period == 0:
        return np.zeros_like(j)
    j = np.mod(np.abs(j), period)
    return np.where(j >= size, period - j, j)


@_calls(pad)
def _pad_v3(op: PrimitiveClass, x: Any, paddings: Any, constant_value: Any = None) -> Any:
    name = "PadV3"
    mode = op.mode
    if mode not in _PAD_V3_MODES:
        raise MindValueError(f"For '{name}', 'mode' must be one of {_PAD_V3_MODES}, got {mode!r}")
    x = as_tensor(x)
    if isinstance(paddings, Tensor):
        paddings = paddings.asnumpy().reshape(-1).tolist()
    flat = [int(p) for p in paddings]
    if len(flat) % 2 or len(flat) // 2 > x.ndim:
        raise MindValueError(
            f"For '{name}', 'paddings' must have an even length of at most 2 * {x.ndim}, got {flat}"
        )
    if not op.paddings_contiguous:  # (begin0, begin1, ..., end0, end1, ...)
        half = len(flat) // 2
        flat = [v for pair in zip(flat[:half], flat[half:]) for v in pair]
    if mode == "constant":
        value = 0 if constant_value is None else constant_value
        if isinstance(value, Tensor):
            value = value.asnumpy().item()
        return pad(x, tuple(flat), "constant", value)
    out = x
    for i in range(len(flat) // 2):  # the last axis first
        axis = x.ndim - 1 - i
        lo, hi = flat[2 * i], flat[2 * i + 1]
        if lo or hi:
            index = _pad_source(x.shape[axis], lo, hi, mode)
            out = gather(out, Tensor(index.astype(np.int64)), axis)
    return out


_define("PadV3", _pad_v3, mode="constant", paddings_contiguous=True)


@_calls(I._ps_roi_pooling)
def _ps_roi_pooling(op: PrimitiveClass, features: Any, rois: Any) -> Any:
    for what, value in (("features", features), ("rois", rois)):
        if not isinstance(value, Tensor):
            raise MindTypeError(
                f"For 'PSROIPooling', '{what}' must be a Tensor, got {type(value).__name__}"
            )
    return I._ps_roi_pooling(features, rois, op.spatial_scale, op.group_size, op.output_dim)


_PSROIPooling = _define(
    "PSROIPooling",
    _ps_roi_pooling,
    spatial_scale=_REQUIRED,
    group_size=_REQUIRED,
    output_dim=_REQUIRED,
)
_ps_roi_init = _PSROIPooling.__init__


def _ps_roi_pooling_init(self: PrimitiveClass, *args: Any, **kwargs: Any) -> None:
    """MindSpore checks the attributes when the operator is built."""
    _ps_roi_init(self, *args, **kwargs)
    scale = self.spatial_scale
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise MindTypeError(f"For 'PSROIPooling', 'spatial_scale' must be a float, got {scale!r}")
    if scale <= 0:
        raise MindValueError(f"For 'PSROIPooling', 'spatial_scale' must be positive, got {scale}")
    for what in ("group_size", "output_dim"):
        value = getattr(self, what)
        if isinstance(value, bool) or not isinstance(value, int):
            raise MindTypeError(f"For 'PSROIPooling', '{what}' must be an int, got {value!r}")
        if value <= 0:
            raise MindValueError(f"For 'PSROIPooling', '{what}' must be positive, got {value}")


_ps_roi_pooling_init.__signature__ = _ps_roi_init.__signature__  # type: ignore[attr-defined]
_PSROIPooling.__init__ = _ps_roi_pooling_init  # type: ignore[method-assign]


# ------------------------------------------------------------------------------------------------
# ResizeBicubic, the CropAndResize gradients, ExtractVolumePatches
# ------------------------------------------------------------------------------------------------


@_calls(I._resize_bicubic)
def _resize_bicubic(op: PrimitiveClass, images: Any, size: Any) -> Any:
    name = "ResizeBicubic"
    for what in ("align_corners", "half_pixel_centers"):
        if not isinstance(getattr(op, what), bool):
            raise MindTypeError(f"For '{name}', '{what}' must be a bool, got {getattr(op, what)!r}")
    if op.align_corners and op.half_pixel_centers:
        raise MindValueError(
            f"For '{name}', 'align_corners' and 'half_pixel_centers' cannot both be True"
        )
    x = _check_rank(name, images, 4, "(N, C, H, W)")
    if x.dtype not in (dt.float16, dt.float32, dt.float64):
        raise MindTypeError(
            f"For '{name}', 'images' must be float16, float32 or float64, got {x.dtype}"
        )
    sizes = I._sizes(name, "size", size)
    if len(sizes) != 2:
        raise MindValueError(f"For '{name}', 'size' must be (new_height, new_width), got {sizes}")
    return I._resize_bicubic(x, sizes, op.align_corners, op.half_pixel_centers)


_define("ResizeBicubic", _resize_bicubic, align_corners=False, half_pixel_centers=False)


def _crop_size(name: str, grads: Any) -> Tensor:
    g = as_tensor(grads)
    if g.ndim != 4:
        raise MindValueError(
            f"For '{name}', 'grads' must be 4-D (num_boxes, crop_height, crop_width, depth), got "
            f"{g.shape}"
        )
    if g.dtype not in (dt.float32, dt.float64):
        raise MindTypeError(f"For '{name}', 'grads' must be float32 or float64, got {g.dtype}")
    return g


@_calls(I.crop_and_resize)
def _crop_and_resize_grad_image(
    op: PrimitiveClass, grads: Any, boxes: Any, box_index: Any, image_size: Any
) -> Any:
    name = "CropAndResizeGradImage"
    if op.T not in (dt.float16, dt.float32, dt.float64):
        raise MindTypeError(f"For '{name}', 'T' must be float16, float32 or float64, got {op.T!r}")
    if op.method not in ("bilinear", "nearest"):
        raise MindValueError(
            f"For '{name}', 'method' must be 'bilinear' or 'nearest', got {op.method!r}"
        )
    g = _crop_size(name, grads)
    shape = I._sizes(name, "image_size", image_size)
    if len(shape) != 4:
        raise MindValueError(
            f"For '{name}', 'image_size' must be (batch, height, width, depth), got {shape}"
        )

    def crop(image: Tensor) -> Tensor:
        return I.crop_and_resize(image, boxes, box_index, g.shape[1:3], op.method)

    # the crops are linear in the image: the gradient at zeros is the gradient everywhere
    _, back = vjp(crop, A.zeros(shape, dt.float32))
    return E.cast(back(E.cast(g, dt.float32))[0], op.T)


_define("CropAndResizeGradImage", _crop_and_resize_grad_image, T=_REQUIRED, method="bilinear")


@_calls(I.crop_and_resize)
def _crop_and_resize_grad_boxes(
    op: PrimitiveClass, grads: Any, images: Any, boxes: Any, box_index: Any
) -> Any:
    name = "CropAndResizeGradBoxes"
    if op.method != "bilinear":
        raise MindValueError(f"For '{name}', 'method' must be 'bilinear', got {op.method!r}")
    g = _crop_size(name, grads)
    b = as_tensor(boxes)
    if b.dtype not in (dt.float32, dt.float64):
        raise MindTypeError(f"For '{name}', 'boxes' must be float32 or float64, got {b.dtype}")

    def crop(bx: Tensor) -> Tensor:
        return I.crop_and_resize(images, bx, box_index, g.shape[1:3], "bilinear")

    _, back = vjp(crop, E.cast(b, dt.float32))
    return E.cast(back(E.cast(g, dt.float32))[0], b.dtype)


_define("CropAndResizeGradBoxes", _crop_and_resize_grad_boxes, method="bilinear")


@_calls(I._extract_volume_patches)
def _extract_volume_patches(op: PrimitiveClass, input_x: Any) -> Any:
    return I._extract_volume_patches(input_x, op.kernel_size, op.strides, op.padding)


_ExtractVolumePatches = _define(
    "ExtractVolumePatches",
    _extract_volume_patches,
    kernel_size=_REQUIRED,
    strides=_REQUIRED,
    padding=_REQUIRED,
)
_extract_init = _ExtractVolumePatches.__init__


def _extract_volume_patches_init(self: PrimitiveClass, *args: Any, **kwargs: Any) -> None:
    """MindSpore checks the attributes when the operator is built (and upper-cases padding)."""
    _extract_init(self, *args, **kwargs)
    name = "ExtractVolumePatches"
    self.kernel_size = (1, 1, *I._three(name, "kernel_size", self.kernel_size))
    self.strides = (1, 1, *I._three(name, "strides", self.strides))
    if not isinstance(self.padding, str) or self.padding.upper() not in ("VALID", "SAME"):
        raise MindValueError(
            f"For '{name}', 'padding' must be 'VALID' or 'SAME', got {self.padding!r}"
        )
    self.padding = self.padding.upper()
    self.attrs.update(kernel_size=self.kernel_size, strides=self.strides, padding=self.padding)


_extract_volume_patches_init.__signature__ = _extract_init.__signature__  # type: ignore[attr-defined]
_ExtractVolumePatches.__init__ = _extract_volume_patches_init  # type: ignore[method-assign]
