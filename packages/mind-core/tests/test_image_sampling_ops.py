"""The image sampling ops of ``_src/ops/image_ops`` and their Primitive classes (``p_image``):
affine_grid, grid_sample, crop_and_resize, col2im, ResizeBilinearV2, ResizeLinear1D and the 3-D
upsamplers, against numpy loops written from the formulas; finite-difference gradients; jit and
vmap. (tests/peers compares affine_grid, grid_sample and col2im with PyTorch as well.)"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

RNG = np.random.default_rng(3)


# ------------------------------------------------------------------------------------------------
# numpy references
# ------------------------------------------------------------------------------------------------


def _np_unnormalise(g, size, align):
    return (g + 1) / 2 * (size - 1) if align else ((g + 1) * size - 1) / 2


def _np_reflect(v, low, high):
    span = high - low
    d = abs(v - low)
    flips = np.floor(d / span)
    extra = d - flips * span
    return low + extra if flips % 2 == 0 else high - extra


def _np_coord(g, size, padding, align):
    v = _np_unnormalise(g, size, align)
    if padding == "reflection":
        v = _np_reflect(v, 0.0, size - 1.0) if align else _np_reflect(v, -0.5, size - 0.5)
    if padding != "zeros":
        v = min(max(v, 0.0), size - 1.0)
    return v


def _np_grid_sample(x, grid, mode, padding, align):
    """One output point at a time: the corners around the source point, zero outside."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    d = len(spatial)
    out = np.zeros((n, c, *grid.shape[1:-1]))
    for b in range(n):
        for pos in np.ndindex(*grid.shape[1:-1]):
            src = [
                _np_coord(grid[(b, *pos, d - 1 - a)], spatial[a], padding, align) for a in range(d)
            ]
            if mode == "nearest":
                corners = [([np.rint(s) for s in src], 1.0)]
            else:
                corners = []
                for bits in itertools.product((0, 1), repeat=d):
                    at = [np.floor(s) + bit for s, bit in zip(src, bits)]
                    w = np.prod([1 - abs(s - p) for s, p in zip(src, at)])
                    corners.append((at, w))
            for at, w in corners:
                if all(0 <= p <= size - 1 for p, size in zip(at, spatial)):
                    out[(b, slice(None), *pos)] += w * x[(b, slice(None), *map(int, at))]
    return out


def _np_crop_and_resize(image, boxes, index, crop, method, extrapolation):
    """TensorFlow's crop_and_resize, one sample at a time."""
    _, h, w, c = image.shape
    out = np.zeros((len(boxes), *crop, c))
    for k, (y1, x1, y2, x2) in enumerate(boxes):
        for i in range(crop[0]):
            yy = (
                (y1 + i * (y2 - y1) / (crop[0] - 1)) * (h - 1)
                if crop[0] > 1
                else (y1 + y2) / 2 * (h - 1)
            )
            for j in range(crop[1]):
                xx = (
                    (x1 + j * (x2 - x1) / (crop[1] - 1)) * (w - 1)
                    if crop[1] > 1
                    else (x1 + x2) / 2 * (w - 1)
                )
                if not (0 <= yy <= h - 1 and 0 <= xx <= w - 1):
                    out[k, i, j] = extrapolation
                    continue
                img = image[index[k]]
                if method == "nearest":
                    out[k, i, j] = img[int(np.floor(yy + 0.5)), int(np.floor(xx + 0.5))]
                    continue
                y0, x0 = int(np.floor(yy)), int(np.floor(xx))
                ya, xa = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
                fy, fx = yy - y0, xx - x0
                top = img[y0, x0] + (img[y0, xa] - img[y0, x0]) * fx
                bottom = img[ya, x0] + (img[ya, xa] - img[ya, x0]) * fx
                out[k, i, j] = top + (bottom - top) * fy
    return out


def _np_col2im(cols, size, kernel, dilation, padding, stride):
    n, c, _, _ = cols.shape
    out = np.zeros((n, c, size[0] + 2 * padding, size[1] + 2 * padding))
    blocks_w = (size[1] + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    for blk in range(cols.shape[3]):
        bi, bj = divmod(blk, blocks_w)
        for ki in range(kernel):
            for kj in range(kernel):
                out[:, :, bi * stride + ki * dilation, bj * stride + kj * dilation] += cols[
                    :, :, ki * kernel + kj, blk
                ]
    return out[:, :, padding : padding + size[0], padding : padding + size[1]]


def _np_linear(x, out, rule):
    """Linear resize of the last axis."""
    size = x.shape[-1]
    res = np.zeros((*x.shape[:-1], out))
    for i in range(out):
        if rule == "align_corners":
            s = i * (size - 1) / (out - 1) if out > 1 else 0.0
        elif rule == "half_pixel":
            s = (i + 0.5) * size / out - 0.5
        else:
            s = i * size / out
        s = min(max(s, 0.0), size - 1)
        lo = int(np.floor(s))
        hi = min(lo + 1, size - 1)
        res[..., i] = x[..., lo] * (1 - (s - lo)) + x[..., hi] * (s - lo)
    return res


# ------------------------------------------------------------------------------------------------
# affine_grid
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_2d_against_formula(align):
    theta = RNG.normal(size=(2, 2, 3))
    got = ops.affine_grid(Tensor(theta), (2, 1, 3, 4), align).asnumpy()
    xs = np.linspace(-1, 1, 4) if align else (2 * np.arange(4) + 1) / 4 - 1
    ys = np.linspace(-1, 1, 3) if align else (2 * np.arange(3) + 1) / 3 - 1
    want = np.zeros((2, 3, 4, 2))
    for b, i, j in np.ndindex(2, 3, 4):
        want[b, i, j] = theta[b] @ np.array([xs[j], ys[i], 1.0])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_affine_grid_3d_identity_and_grad():
    theta = np.concatenate([np.eye(3), np.zeros((3, 1))], 1)[None]
    grid = ops.affine_grid(Tensor(theta), (1, 1, 2, 3, 4), True).asnumpy()
    assert grid.shape == (1, 2, 3, 4, 3)
    np.testing.assert_allclose(grid[0, 1, 2, 3], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(grid[0, 0, 0, 0], [-1.0, -1.0, -1.0])
    check_grads(lambda t: ops.affine_grid(t, (1, 1, 2, 3, 2)), [RNG.normal(size=(1, 3, 4))])
    check_grads(lambda t: P.AffineGrid(True)(t, (2, 1, 3, 2)), [RNG.normal(size=(2, 2, 3))])


def test_affine_grid_errors():
    with pytest.raises(MindValueError, match="affine_grid"):
        ops.affine_grid(Tensor(np.zeros((1, 2, 3))), (1, 1, 2, 3, 4))
    with pytest.raises(MindValueError, match="'size'"):
        ops.affine_grid(Tensor(np.zeros((1, 2, 3))), (1, 2, 3))
    with pytest.raises(MindTypeError, match="'theta'"):
        ops.affine_grid(Tensor(np.zeros((1, 2, 3), np.int32)), (1, 1, 2, 3))


# ------------------------------------------------------------------------------------------------
# grid_sample
# ------------------------------------------------------------------------------------------------

X4 = RNG.normal(size=(2, 3, 4, 5))
G4 = RNG.uniform(-1.4, 1.4, size=(2, 3, 2, 2))
X5 = RNG.normal(size=(1, 2, 3, 4, 3))
G5 = RNG.uniform(-1.4, 1.4, size=(1, 2, 2, 3, 3))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(("x", "g"), [(X4, G4), (X5, G5)], ids=["4d", "5d"])
def test_grid_sample_against_numpy(x, g, mode, padding, align):
    got = ops.grid_sample(Tensor(x), Tensor(g), mode, padding, align).asnumpy()
    np.testing.assert_allclose(got, _np_grid_sample(x, g, mode, padding, align), atol=1e-12)


@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sample_grads(padding):
    # the grid's points stay away from pixel centres, where bilinear sampling has a kink
    check_grads(lambda a, b: ops.grid_sample(a, b, "bilinear", padding, False), [X4, G4])
    check_grads(lambda a, b: ops.grid_sample(a, b, "bilinear", padding, True), [X5, G5])
    check_grads(lambda a: ops.grid_sample(a, Tensor(G4), "nearest", padding), [X4])


def test_grid_sample_classes_jit_and_vmap():
    x, g = Tensor(X4.astype(np.float32)), Tensor(G4.astype(np.float32))
    want = _np_grid_sample(X4, G4, "bilinear", "border", True)
    op = P.GridSampler2D("bilinear", "border", True)
    np.testing.assert_allclose(op(x, g).asnumpy(), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ms.jit(op)(x, g).asnumpy(), want, rtol=1e-5, atol=1e-6)
    one = ms.vmap(lambda a, b: ops.grid_sample(a[None], b[None], align_corners=True)[0])(x, g)
    np.testing.assert_allclose(
        one.asnumpy(), _np_grid_sample(X4, G4, "bilinear", "zeros", True), rtol=1e-5, atol=1e-6
    )
    three = P.GridSampler3D("nearest", "zeros", False)(Tensor(X5), Tensor(G5)).asnumpy()
    np.testing.assert_allclose(three, _np_grid_sample(X5, G5, "nearest", "zeros", False))
    with pytest.raises(MindValueError, match="GridSampler3D"):
        P.GridSampler3D()(x, g)


def test_grid_sample_errors():
    with pytest.raises(MindValueError, match="'mode'"):
        ops.grid_sample(Tensor(X4), Tensor(G4), "bicubic")
    with pytest.raises(MindValueError, match="'padding_mode'"):
        ops.grid_sample(Tensor(X4), Tensor(G4), padding_mode="wrap")
    with pytest.raises(MindValueError, match="'grid'"):
        ops.grid_sample(Tensor(X4), Tensor(G5))


# ------------------------------------------------------------------------------------------------
# crop_and_resize
# ------------------------------------------------------------------------------------------------

IMAGE = RNG.normal(size=(2, 6, 7, 3))
BOXES = np.array([[0.1, 0.2, 0.8, 0.9], [0.9, 0.7, 0.05, 0.1], [-0.2, 0.3, 1.3, 0.6]])
INDEX = np.array([1, 0, 1], np.int32)


@pytest.mark.parametrize("method", ["bilinear", "nearest"])
@pytest.mark.parametrize("crop", [(4, 5), (1, 3)])
def test_crop_and_resize_against_numpy(method, crop):
    got = P.CropAndResize(method, 0.25)(Tensor(IMAGE), Tensor(BOXES), Tensor(INDEX), crop)
    want = _np_crop_and_resize(IMAGE, BOXES, INDEX, crop, method, 0.25)
    assert got.dtype == ms.float32
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-5)


def test_crop_and_resize_grad_and_jit():
    boxes = Tensor(BOXES.astype(np.float32))
    index = Tensor(INDEX)

    def crop(img):
        return ops.crop_and_resize(img, boxes, index, (3, 4))

    # the op computes in float32 (MindSpore's output dtype): the output is linear in the image,
    # so wide finite-difference steps are exact up to rounding
    check_grads(crop, [IMAGE], eps=0.5, rtol=1e-4, atol=1e-4)
    img = Tensor(IMAGE.astype(np.float32))
    np.testing.assert_allclose(ms.jit(crop)(img).asnumpy(), crop(img).asnumpy(), rtol=1e-6)


def test_crop_and_resize_errors():
    with pytest.raises(MindValueError, match="'method'"):
        ops.crop_and_resize(Tensor(IMAGE), Tensor(BOXES), Tensor(INDEX), (2, 2), "bicubic")
    with pytest.raises(MindValueError, match="'box_indices'"):
        ops.crop_and_resize(Tensor(IMAGE), Tensor(BOXES), Tensor(INDEX[:2]), (2, 2))
    with pytest.raises(MindValueError, match="'image'"):
        ops.crop_and_resize(Tensor(IMAGE[0]), Tensor(BOXES), Tensor(INDEX), (2, 2))


# ------------------------------------------------------------------------------------------------
# col2im
# ------------------------------------------------------------------------------------------------


def test_col2im_against_numpy_grad_and_method():
    cols = RNG.normal(size=(2, 3, 4, 12))
    got = ops.col2im(Tensor(cols), Tensor(np.array([5, 6], np.int32)), 2, 1, 1, 2)
    np.testing.assert_allclose(got.asnumpy(), _np_col2im(cols, (5, 6), 2, 1, 1, 2), rtol=1e-12)
    np.testing.assert_allclose(
        Tensor(cols).col2im((5, 6), 2, 1, 1, 2).asnumpy(), got.asnumpy(), rtol=1e-12
    )
    check_grads(lambda c: ops.col2im(c, (5, 6), 2, 1, 1, 2), [cols])
    with pytest.raises(MindValueError, match="col2im"):
        ops.col2im(Tensor(cols[0]), (5, 6), 2, 1, 1, 2)


# ------------------------------------------------------------------------------------------------
# resize classes
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("align", "half", "rule"),
    [(False, False, "asymmetric"), (True, False, "align_corners"), (False, True, "half_pixel")],
)
def test_resize_bilinear_v2(align, half, rule):
    x = RNG.normal(size=(2, 3, 4, 5))
    got = P.ResizeBilinearV2(align, half)(Tensor(x), (7, 3)).asnumpy()
    rows = np.swapaxes(_np_linear(np.swapaxes(x, 2, 3), 7, rule), 2, 3)
    np.testing.assert_allclose(got, _np_linear(rows, 3, rule), rtol=1e-12)
    check_grads(lambda a: P.ResizeBilinearV2(align, half)(a, (6, 8)), [x])
    with pytest.raises(MindValueError, match="half_pixel_centers"):
        P.ResizeBilinearV2(True, True)(Tensor(x), (7, 3))


@pytest.mark.parametrize("rule", ["align_corners", "half_pixel", "asymmetric"])
def test_resize_linear_1d(rule):
    x = RNG.normal(size=(2, 3, 5))
    got = P.ResizeLinear1D(rule)(Tensor(x), Tensor(np.array([8], np.int32))).asnumpy()
    np.testing.assert_allclose(got, _np_linear(x, 8, rule), rtol=1e-12)
    with pytest.raises(MindValueError, match="coordinate_transformation_mode"):
        P.ResizeLinear1D("cubic")(Tensor(x), (8,))


def test_upsample_3d_classes():
    x = RNG.normal(size=(1, 2, 2, 3, 2))
    near = P.UpsampleNearest3D()(Tensor(x), (4, 3, 4)).asnumpy()
    np.testing.assert_array_equal(near, x[:, :, [0, 0, 1, 1]][:, :, :, :, [0, 0, 1, 1]])
    same = P.UpsampleNearest3D()(Tensor(x), None, (2.0, 1.0, 2.0)).asnumpy()
    np.testing.assert_array_equal(same, near)
    tri = P.UpsampleTrilinear3D(True)(Tensor(x), (3, 5, 3)).asnumpy()
    want = x
    for axis, out in zip((2, 3, 4), (3, 5, 3)):
        want = np.moveaxis(_np_linear(np.moveaxis(want, axis, -1), out, "align_corners"), -1, axis)
    np.testing.assert_allclose(tri, want, rtol=1e-12)
    with pytest.raises(MindValueError, match="UpsampleTrilinear3D"):
        P.UpsampleTrilinear3D()(Tensor(x))


# ------------------------------------------------------------------------------------------------
# NMSWithMask
# ------------------------------------------------------------------------------------------------


def _np_nms(boxes, threshold):
    order = np.argsort(-boxes[:, 4], kind="stable")
    ranked = boxes[order]
    keep = []
    for i, b in enumerate(ranked):
        ok = True
        for j in keep:
            k = ranked[j]
            inter = max(0, min(b[2], k[2]) - max(b[0], k[0])) * max(
                0, min(b[3], k[3]) - max(b[1], k[1])
            )
            union = (b[2] - b[0]) * (b[3] - b[1]) + (k[2] - k[0]) * (k[3] - k[1]) - inter
            if union > 0 and inter / union > threshold:
                ok = False
                break
        if ok:
            keep.append(i)
    mask = np.zeros(len(boxes), bool)
    mask[keep] = True
    return ranked, order, mask


def test_nms_with_mask_against_numpy_and_jit():
    xy = RNG.uniform(0, 10, size=(30, 2))
    wh = RNG.uniform(1, 6, size=(30, 2))
    boxes = np.concatenate([xy, xy + wh, RNG.uniform(size=(30, 1))], 1).astype(np.float32)
    boxes[5] = [2, 2, 2, 2, 0.99]  # an empty box overlaps nothing
    op = P.NMSWithMask(0.3)
    ranked, idx, mask = op(Tensor(boxes))
    want_ranked, want_idx, want_mask = _np_nms(boxes.astype(np.float64), 0.3)
    np.testing.assert_allclose(ranked.asnumpy(), want_ranked, rtol=1e-6)
    np.testing.assert_array_equal(idx.asnumpy(), want_idx)
    assert idx.dtype == ms.int32 and mask.dtype == ms.bool_
    np.testing.assert_array_equal(mask.asnumpy(), want_mask)
    assert 0 < mask.asnumpy().sum() < 30
    jitted = ms.jit(lambda b: op(b)[2])(Tensor(boxes))
    np.testing.assert_array_equal(jitted.asnumpy(), want_mask)
    with pytest.raises(MindValueError, match="NMSWithMask"):
        op(Tensor(boxes[:, :4]))


# ------------------------------------------------------------------------------------------------
# ROIAlign
# ------------------------------------------------------------------------------------------------


def _np_roi_align(x, rois, ph, pw, scale, g, end_mode):
    _, c, h, w = x.shape
    out = np.zeros((len(rois), c, ph, pw))
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh = x1 * scale, y1 * scale
        rw, rh = (x2 + end_mode) * scale - sw, (y2 + end_mode) * scale - sh
        if end_mode == 0:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        for i, j in np.ndindex(ph, pw):
            acc = np.zeros(c)
            for iy, ix in np.ndindex(g, g):
                yy = sh + i * rh / ph + (iy + 0.5) * rh / ph / g
                xx = sw + j * rw / pw + (ix + 0.5) * rw / pw / g
                if yy < -1 or yy > h or xx < -1 or xx > w:
                    continue
                yy, xx = min(max(yy, 0), h - 1), min(max(xx, 0), w - 1)
                y0, x0 = int(yy), int(xx)
                ya, xa = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
                ly, lx = yy - y0, xx - x0
                img = x[int(b)]
                acc += (
                    (1 - ly) * (1 - lx) * img[:, y0, x0]
                    + (1 - ly) * lx * img[:, y0, xa]
                    + ly * (1 - lx) * img[:, ya, x0]
                    + ly * lx * img[:, ya, xa]
                )
            out[k, :, i, j] = acc / (g * g)
    return out


def test_roi_align_documented_example():
    feats = Tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]], np.float32))
    rois = Tensor(np.array([[0, 0.2, 0.3, 0.2, 0.3]], np.float32))
    got = P.ROIAlign(2, 2, 0.5, 2)(feats, rois).asnumpy()
    np.testing.assert_allclose(got, [[[[1.775, 2.025], [2.275, 2.525]]]], rtol=1e-6)


@pytest.mark.parametrize(("sample_num", "end_mode"), [(2, 1), (3, 0)])
def test_roi_align_against_numpy_grad_and_jit(sample_num, end_mode):
    x = RNG.normal(size=(2, 3, 6, 7))
    rois = np.array([[1, 0.5, 1.0, 9.0, 7.5], [0, -3.0, -2.0, 4.0, 3.0], [1, 2.0, 2.0, 2.2, 2.1]])
    op = P.ROIAlign(2, 3, 0.75, sample_num, end_mode)
    got = op(Tensor(x), Tensor(rois)).asnumpy()
    np.testing.assert_allclose(
        got, _np_roi_align(x, rois, 2, 3, 0.75, sample_num, end_mode), rtol=1e-10, atol=1e-12
    )
    check_grads(lambda f: op(f, Tensor(rois)), [x])
    np.testing.assert_allclose(ms.jit(op)(Tensor(x), Tensor(rois)).asnumpy(), got, rtol=1e-12)
    with pytest.raises(MindValueError, match="sample_num"):
        P.ROIAlign(2, 2, 1.0, 0)(Tensor(x), Tensor(rois))


# ------------------------------------------------------------------------------------------------
# deformable_conv2d, DeformableOffsets
# ------------------------------------------------------------------------------------------------


def _np_bilinear_zero(img, y, x):
    """img (C, H, W) at (y, x), each corner outside the image counting zero."""
    _, h, w = img.shape
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    out = np.zeros(img.shape[0])
    for yy, xx in itertools.product((y0, y0 + 1), (x0, x0 + 1)):
        if 0 <= yy < h and 0 <= xx < w:
            out += (1 - abs(y - yy)) * (1 - abs(x - xx)) * img[:, yy, xx]
    return out


def _np_deformable_conv(x, wt, off, k, stride, pad, dil, bias, groups, dg):
    n, c, _, _ = x.shape
    kh, kw = k
    ho, wo = off.shape[2:]
    parts = off.reshape(n, 3, dg, kh, kw, ho, wo)
    cols = np.zeros((n, c, kh, kw, ho, wo))
    cg = c // dg
    for b, d, i, j, oh, ow in np.ndindex(n, dg, kh, kw, ho, wo):
        y = oh * stride[0] - pad[0] + i * dil[0] + parts[b, 1, d, i, j, oh, ow]
        xx = ow * stride[1] - pad[2] + j * dil[1] + parts[b, 0, d, i, j, oh, ow]
        value = _np_bilinear_zero(x[b, d * cg : (d + 1) * cg], y, xx)
        cols[b, d * cg : (d + 1) * cg, i, j, oh, ow] = value * parts[b, 2, d, i, j, oh, ow]
    cout = wt.shape[0]
    out = np.zeros((n, cout, ho, wo))
    ci, co = c // groups, cout // groups
    for gi in range(groups):
        w_g = wt[gi * co : (gi + 1) * co].reshape(co, -1)
        col = cols[:, gi * ci : (gi + 1) * ci].reshape(n, -1, ho * wo)
        out[:, gi * co : (gi + 1) * co] = (w_g @ col).reshape(n, co, ho, wo)
    return out + (0 if bias is None else bias.reshape(1, -1, 1, 1))


def test_deformable_conv2d_documented_case():
    # MindSpore's 1x1 case: each output samples one displaced point outside a 1x2 image
    x = np.array([[[[-0.41675785, -0.05626683]]]], np.float32)
    wt = np.array([[[[-2.1361961]]]], np.float32)
    off = np.array(
        [[[[1.6402708, -1.7934356]], [[-0.84174734, 0.5028814]], [[-1.2452881, -1.0579522]]]],
        np.float32,
    )
    got = ops.deformable_conv2d(Tensor(x), Tensor(wt), Tensor(off), (1, 1), (1, 1, 1, 1), (0,) * 4)
    np.testing.assert_allclose(got.asnumpy(), [[[[-0.00852099, -0.09671781]]]], rtol=1e-5)


@pytest.mark.parametrize(
    ("stride", "pad", "dil", "groups", "dg"),
    [((1, 1), (0, 0, 0, 0), (1, 1), 1, 1), ((2, 1), (1, 0, 2, 1), (1, 2), 2, 2)],
)
def test_deformable_conv2d_against_numpy_and_grads(stride, pad, dil, groups, dg):
    x = RNG.normal(size=(2, 4, 5, 6))
    wt = RNG.normal(size=(6, 4 // groups, 2, 3))
    bias = RNG.normal(size=(6,))
    ho = (5 + pad[0] + pad[1] - dil[0] - 1) // stride[0] + 1
    wo = (6 + pad[2] + pad[3] - 2 * dil[1] - 1) // stride[1] + 1
    off = RNG.uniform(-1.6, 1.6, size=(2, 3 * dg * 6, ho, wo))

    def f(a, b, o):
        return ops.deformable_conv2d(
            a, b, o, (2, 3), (1, 1, *stride), pad, Tensor(bias), (1, 1, *dil), groups, dg
        )

    got = f(Tensor(x), Tensor(wt), Tensor(off)).asnumpy()
    want = _np_deformable_conv(x, wt, off, (2, 3), stride, pad, dil, bias, groups, dg)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    check_grads(f, [x, wt, off])
    np.testing.assert_allclose(
        ms.jit(f)(Tensor(x), Tensor(wt), Tensor(off)).asnumpy(), got, rtol=1e-12
    )


def test_zero_offsets_are_conv2d_and_deformable_offsets_layout():
    x = RNG.normal(size=(1, 2, 5, 5))
    wt = RNG.normal(size=(3, 2, 3, 3))
    off = np.concatenate([np.zeros((1, 18, 3, 3)), np.ones((1, 9, 3, 3))], 1)
    got = ops.deformable_conv2d(Tensor(x), Tensor(wt), Tensor(off), (3, 3), (1,) * 4, (0,) * 4)
    np.testing.assert_allclose(
        got.asnumpy(), ops.conv2d(Tensor(x), Tensor(wt)).asnumpy(), rtol=1e-10
    )
    tiles = P.DeformableOffsets((1, 1, 1, 1), (0, 0, 0, 0), (3, 3))(Tensor(x), Tensor(off))
    assert tiles.shape == (1, 2, 9, 9)
    # tile (oh, ow) holds the 3x3 window at (oh, ow)
    np.testing.assert_allclose(tiles.asnumpy()[0, :, 3:6, 6:9], x[0, :, 1:4, 2:5])
    with pytest.raises(MindValueError, match="'offsets'"):
        ops.deformable_conv2d(Tensor(x), Tensor(wt), Tensor(off[:, :9]), (3, 3), (1,) * 4, (0,) * 4)


# ------------------------------------------------------------------------------------------------
# PadV3
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "np_mode"), [("reflect", "reflect"), ("edge", "edge"), ("circular", "wrap")]
)
def test_pad_v3_modes_against_numpy_grad_and_jit(mode, np_mode):
    x = RNG.normal(size=(2, 3, 4, 5))
    op = P.PadV3(mode)
    got = op(Tensor(x), (1, 2, 3, 0)).asnumpy()  # the last axis (1, 2), then H (3, 0)
    want = np.pad(x, ((0, 0), (0, 0), (3, 0), (1, 2)), mode=np_mode)
    np.testing.assert_allclose(got, want)
    split = P.PadV3(mode, False)(Tensor(x), Tensor(np.array([1, 3, 2, 0]))).asnumpy()
    np.testing.assert_allclose(split, want)
    check_grads(lambda a: op(a, (1, 2, 3, 0)), [x])
    np.testing.assert_allclose(ms.jit(lambda a: op(a, (1, 2, 3, 0)))(Tensor(x)).asnumpy(), want)


def test_pad_v3_constant_and_circular_crop():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    got = P.PadV3()(Tensor(x), (1, 1, 2, 0), Tensor(1.5)).asnumpy()
    np.testing.assert_allclose(
        got, np.pad(x, ((0, 0), (0, 0), (2, 0), (1, 1)), constant_values=1.5)
    )
    # a negative amount crops first; circular padding then wraps the cropped axis
    wrapped = P.PadV3("circular")(Tensor(x), (1, -1, 1, 2)).asnumpy()
    np.testing.assert_allclose(wrapped[0, 0], x[0, 0][[2, 0, 1, 2, 0, 1]][:, [1, 0, 1]])
    with pytest.raises(MindValueError, match="PadV3"):
        P.PadV3("symmetric")(Tensor(x), (1, 1))
