"""MindSpore's image backward classes (``mind.core.ops.grad_ops``: ResizeBilinearGrad,
ResizeBicubicGrad, ResizeLinear1DGrad, the 3-D upsample gradients, PadV3Grad, ROIAlignGrad,
GridSampler2DGrad/3DGrad, PSROIPoolingGrad, DeformableOffsetsGrad) and the P classes
ResizeBicubic, CropAndResizeGradImage/Boxes and ExtractVolumePatches.

A backward class of a linear op is checked against the adjoint of a numpy reference (its matrix
built from unit vectors); one of a nonlinear op against central finite differences of the forward
op; the values MindSpore documents or tests are checked as written there."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import grad_ops as G
from mind.core.ops import operations as P
from mind.core.testing import check_grads

RNG = np.random.default_rng(11)


def _adjoint(forward, in_shape, dy):
    """``J^T dy`` for the linear numpy map ``forward`` (its matrix from unit vectors)."""
    size = int(np.prod(in_shape))
    columns = []
    for k in range(size):
        e = np.zeros(size)
        e[k] = 1.0
        columns.append(np.asarray(forward(e.reshape(in_shape)), np.float64).reshape(-1))
    return (np.stack(columns, 1).T @ dy.reshape(-1)).reshape(in_shape)


def _numeric_vjp(forward, x, dy, eps=1e-5):
    """Central differences of ``sum(forward(x) * dy)`` at the float64 array ``x``."""
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        up, down = forward(x + d), forward(x - d)
        out[i] = np.sum((up - down) * dy) / (2 * eps)
    return out


# ------------------------------------------------------------------------------------------------
# resize backward classes
# ------------------------------------------------------------------------------------------------


def _np_bilinear_axis(out, size, align, half):
    """TensorFlow's (MindSpore's) ResizeBilinear weights along one axis, (out, size)."""
    scale = (size - 1) / (out - 1) if align and out > 1 else size / out
    m = np.zeros((out, size))
    for i in range(out):
        src = (i + 0.5) * scale - 0.5 if half else i * scale
        lower = max(int(np.floor(src)), 0)
        upper = min(int(np.ceil(src)), size - 1)
        lerp = src - np.floor(src)
        m[i, min(lower, size - 1)] += 1 - lerp
        m[i, upper] += lerp
    return m


def _np_resize_2d(x, mh, mw):
    return np.einsum("ih,nchw,jw->ncij", mh, x, mw)


@pytest.mark.parametrize("align, half", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("out", [(3, 7), (6, 2)])
def test_resize_bilinear_grad_is_the_adjoint(align, half, out):
    x = RNG.normal(size=(2, 3, 4, 5))
    dy = RNG.normal(size=(2, 3, *out))
    mh = _np_bilinear_axis(out[0], 4, align, half)
    mw = _np_bilinear_axis(out[1], 5, align, half)
    want = _adjoint(lambda t: _np_resize_2d(t, mh, mw), x.shape, dy)
    op = G.ResizeBilinearGrad(align_corners=align, half_pixel_centers=half)
    got = op(Tensor(dy.astype(np.float32)), Tensor(x.astype(np.float32)))
    assert got.shape == x.shape and got.dtype == ms.float32
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-5)
    jitted = ms.jit(lambda a, b: op(a, b))(Tensor(dy), Tensor(x))
    np.testing.assert_allclose(jitted.asnumpy(), want, rtol=1e-10, atol=1e-12)


def test_resize_bilinear_grad_mindspore_values():
    # MindSpore's tests/st/ops/cpu/test_resize_bilinear_grad_op.py (align_corners False)
    dy = np.array([[[[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]]], np.float32)
    image = Tensor(np.zeros((1, 1, 2, 2), np.float16))
    got = G.ResizeBilinearGrad()(Tensor(dy), image)
    assert got.dtype == ms.float16
    np.testing.assert_array_equal(got.asnumpy(), [[[[2.25, 0.75], [0.75, 4.25]]]])


def _np_bicubic_axis(out, size, align, half):
    """TensorFlow's (MindSpore's) ResizeBicubic weights along one axis, written per output
    pixel: the fraction is looked up at 1/1024 steps; half-pixel centres use a = -0.5 and drop
    the taps outside the image, else a = -0.75 with the taps clamped to the edge."""
    a = -0.5 if half else -0.75
    scale = np.float32((size - 1) / (out - 1) if align and out > 1 else size / out)

    def kernel(d):
        d = abs(d)
        if d <= 1:
            return ((a + 2) * d - (a + 3)) * d * d + 1
        if d < 2:
            return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
        return 0.0

    m = np.zeros((out, size))
    for i in range(out):
        src = (np.float32(i) + np.float32(0.5)) * scale - np.float32(0.5) if half else i * scale
        low = int(np.floor(src))
        t = round(float(src - low) * 1024) / 1024
        taps = [(low + k, kernel(t - k)) for k in (-1, 0, 1, 2)]
        if half:
            taps = [(j, w) for j, w in taps if 0 <= j < size]
            total = sum(w for _, w in taps)
            taps = [(j, w / total) for j, w in taps]
        for j, w in taps:
            m[i, min(max(j, 0), size - 1)] += w
    return m


INTERP_INPUT = np.array(
    [
        [
            [
                [0.003088, 0.313131, 0.481231, 0.326219, 0.190293],
                [0.711616, 0.583990, 0.718121, 0.258823, 0.121847],
                [0.781316, 0.591508, 0.858185, 0.091935, 0.444639],
            ],
            [
                [0.389884, 0.894497, 0.471427, 0.188708, 0.557449],
                [0.998047, 0.380719, 0.570574, 0.722258, 0.997173],
                [0.195751, 0.050744, 0.002008, 0.482685, 0.708559],
            ],
        ]
    ],
    np.float32,
)
# MindSpore's tests/st/ops/test_func_interpolate.py, bicubic to (5, 3): channel 1, half-pixel
INTERP_HALF_PIXEL_C1 = [
    [0.522484, 0.463939, 0.409831],
    [0.670862, 0.531739, 0.626711],
    [0.821431, 0.570574, 0.926654],
    [0.40312, 0.206133, 0.777062],
    [0.107333, -0.040933, 0.642958],
]


@pytest.mark.parametrize("align, half", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("out", [(5, 3), (2, 9), (1, 1)])
def test_resize_bicubic_against_numpy(align, half, out):
    x = RNG.normal(size=(2, 2, 4, 6))
    mh, mw = _np_bicubic_axis(out[0], 4, align, half), _np_bicubic_axis(out[1], 6, align, half)
    want = _np_resize_2d(x, mh, mw)
    op = P.ResizeBicubic(align, half)
    np.testing.assert_allclose(op(Tensor(x), out).asnumpy(), want, rtol=1e-6, atol=1e-6)
    size = Tensor(np.array(out, np.int32))
    got32 = op(Tensor(x.astype(np.float32)), size)
    assert got32.dtype == ms.float32
    np.testing.assert_allclose(got32.asnumpy(), want, rtol=1e-5, atol=1e-5)
    jitted = ms.jit(lambda t: op(t, out))(Tensor(x))
    np.testing.assert_allclose(jitted.asnumpy(), want, rtol=1e-6, atol=1e-6)
    dy = RNG.normal(size=(2, 2, *out))
    back = G.ResizeBicubicGrad(align, half)(Tensor(dy), Tensor(x))
    want_back = _adjoint(lambda t: _np_resize_2d(t, mh, mw), x.shape, dy)
    np.testing.assert_allclose(back.asnumpy(), want_back, rtol=1e-6, atol=1e-6)


def test_resize_bicubic_mindspore_values_and_interpolate():
    one = np.array([1, 2, 3, 4], np.float32).reshape(1, 1, 2, 2)
    got = P.ResizeBicubic()(Tensor(one), Tensor(np.array([1, 4], np.int32)))
    np.testing.assert_allclose(got.asnumpy(), [[[[1.0, 1.5, 2.0, 2.09375]]]], rtol=1e-6)
    # ops.interpolate's bicubic is ResizeBicubic (half-pixel unless align_corners), as MindSpore's
    x = Tensor(INTERP_INPUT)
    half = ops.interpolate(x, size=(5, 3), mode="bicubic").asnumpy()
    np.testing.assert_allclose(half[0, 1], INTERP_HALF_PIXEL_C1, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(half, P.ResizeBicubic(False, True)(x, (5, 3)).asnumpy())
    align = ops.interpolate(x, size=(5, 3), mode="bicubic", align_corners=True).asnumpy()
    np.testing.assert_allclose(align, P.ResizeBicubic(True, False)(x, (5, 3)).asnumpy())
    np.testing.assert_allclose(align[0, 0, ::2, 0], INTERP_INPUT[0, 0, :, 0], rtol=1e-6)


def test_resize_bicubic_gradient_and_vmap():
    x = RNG.normal(size=(1, 2, 3, 4))
    check_grads(lambda t: P.ResizeBicubic(False, True)(t, (5, 2)), [x])
    check_grads(lambda t: P.ResizeBicubic(True, False)(t, (2, 7)), [x])
    batch = RNG.normal(size=(3, 1, 2, 3, 4))
    got = ms.vmap(lambda t: P.ResizeBicubic()(t, (4, 4)))(Tensor(batch)).asnumpy()
    want = np.stack([P.ResizeBicubic()(Tensor(b), (4, 4)).asnumpy() for b in batch])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_resize_bicubic_errors():
    x = Tensor(np.ones((1, 1, 3, 3), np.float32))
    with pytest.raises(MindValueError, match="cannot both be True"):
        P.ResizeBicubic(True, True)(x, (2, 2))
    with pytest.raises(MindValueError, match="'size'"):
        P.ResizeBicubic()(x, (2, 2, 2))
    with pytest.raises(MindValueError, match="4-D"):
        P.ResizeBicubic()(Tensor(np.ones((3, 3), np.float32)), (2, 2))
    with pytest.raises(MindTypeError, match="'images'"):
        P.ResizeBicubic()(Tensor(np.ones((1, 1, 3, 3), np.int32)), (2, 2))


def test_resize_linear_1d_and_upsample_3d_grads():
    x = RNG.normal(size=(2, 3, 5))
    dy = RNG.normal(size=(2, 3, 8))
    for mode in ("align_corners", "half_pixel", "asymmetric"):
        fwd = P.ResizeLinear1D(mode)

        def np_forward(t, fwd=fwd):
            return fwd(Tensor(t), (8,)).asnumpy()

        got = G.ResizeLinear1DGrad(mode)(Tensor(dy), Tensor(x)).asnumpy()
        np.testing.assert_allclose(got, _adjoint(np_forward, x.shape, dy), rtol=1e-10)
    v = RNG.normal(size=(1, 2, 2, 3, 2))
    dv = RNG.normal(size=(1, 2, 3, 4, 4))
    near = G.UpsampleNearest3DGrad()(Tensor(dv), v.shape, (3, 4, 4)).asnumpy()
    rows = [(np.arange(o) * s) // o for o, s in zip((3, 4, 4), (2, 3, 2))]
    want = np.zeros_like(v)
    for i, j, k in itertools.product(*(range(o) for o in (3, 4, 4))):
        want[:, :, rows[0][i], rows[1][j], rows[2][k]] += dv[:, :, i, j, k]
    np.testing.assert_allclose(near, want, rtol=1e-12)
    for align in (False, True):
        fwd = P.UpsampleTrilinear3D(align)

        def np_tri(t, fwd=fwd):
            return fwd(Tensor(t), (3, 4, 4)).asnumpy()

        got = G.UpsampleTrilinear3DGrad(align)(Tensor(dv), v.shape, (3, 4, 4)).asnumpy()
        np.testing.assert_allclose(got, _adjoint(np_tri, v.shape, dv), rtol=1e-10, atol=1e-12)
    scaled = G.UpsampleTrilinear3DGrad()(Tensor(dv[:, :, :, :, :4]), v.shape, None, (1.5, 4 / 3, 2))
    assert scaled.shape == v.shape


# ------------------------------------------------------------------------------------------------
# PadV3Grad
# ------------------------------------------------------------------------------------------------

_NP_PAD_MODES = {"reflect": "reflect", "edge": "edge", "circular": "wrap"}


@pytest.mark.parametrize("mode", ["reflect", "edge", "circular"])
@pytest.mark.parametrize("shape, paddings", [((2, 5), (2, 1)), ((1, 2, 4, 5), (1, 2, 3, 0))])
def test_pad_v3_grad_is_the_adjoint(mode, shape, paddings):
    x = RNG.normal(size=shape)
    pairs = [(0, 0)] * (len(shape) - len(paddings) // 2) + [
        (paddings[2 * i], paddings[2 * i + 1]) for i in reversed(range(len(paddings) // 2))
    ]
    dy = RNG.normal(size=np.pad(x, pairs).shape)
    want = _adjoint(lambda t: np.pad(t, pairs, mode=_NP_PAD_MODES[mode]), x.shape, dy)
    op = G.PadV3Grad(mode)
    got = op(Tensor(dy), Tensor(np.array(paddings, np.int64)))
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)
    jitted = ms.jit(lambda t: op(t, paddings))(Tensor(dy))
    np.testing.assert_allclose(jitted.asnumpy(), want, rtol=1e-12, atol=1e-12)
    # paddings given (begin..., end...) instead of (begin, end) pairs
    half = len(paddings) // 2
    split = tuple(paddings[0::2]) + tuple(paddings[1::2])
    assert half and G.PadV3Grad(mode, False)(Tensor(dy), split).shape == x.shape


def test_pad_v3_grad_mindspore_values_and_errors():
    # MindSpore's tests/st/ops/cpu/test_pad_v3_grad_op.py
    x = Tensor(np.arange(18, dtype=np.float32).reshape(1, 1, 3, 6))
    got = G.PadV3Grad("circular")(x, Tensor(np.array([1, 2, 1, 0], np.int64)))
    np.testing.assert_array_equal(got.asnumpy(), [[[[17.0, 19.0, 15.0], [34.0, 38.0, 30.0]]]])
    with pytest.raises(MindValueError, match="'mode'"):
        G.PadV3Grad("constant")
    with pytest.raises(MindValueError, match="leave no input"):
        G.PadV3Grad("edge")(Tensor(np.ones((2, 3))), (2, 1))


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_grad_is_the_adjoint(mode):
    x = RNG.normal(size=(3, 4))
    rows = np.array([[1, 2], [0, 3]])
    dy = RNG.normal(size=(6, 7))
    want = _adjoint(lambda t: np.pad(t, rows.tolist(), mode=mode.lower()), x.shape, dy)
    got = G.MirrorPadGrad(mode)(Tensor(dy), Tensor(rows))
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-12, atol=1e-12)
    with pytest.raises(MindValueError, match="'paddings'"):
        G.MirrorPadGrad(mode)(Tensor(dy), Tensor(np.array([1, 2])))


# ------------------------------------------------------------------------------------------------
# ROIAlignGrad, GridSampler2DGrad / 3DGrad
# ------------------------------------------------------------------------------------------------


def test_roi_align_grad_is_the_adjoint():
    feats = RNG.normal(size=(2, 2, 6, 7))
    rois = np.array([[0, 0.5, 1.0, 4.2, 5.1], [1, 2.0, 0.3, 6.5, 3.9], [1, 1.0, 1.0, 1.5, 2.0]])
    dy = RNG.normal(size=(3, 2, 2, 3))
    fwd = P.ROIAlign(2, 3, 0.8, 2, 1)

    def np_forward(t):
        return fwd(Tensor(t), Tensor(rois)).asnumpy()

    got = G.ROIAlignGrad(2, 3, 0.8)(Tensor(dy), Tensor(rois), feats.shape)
    np.testing.assert_allclose(got.asnumpy(), _adjoint(np_forward, feats.shape, dy), rtol=1e-10)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sampler_2d_grad(mode, padding):
    x = RNG.normal(size=(1, 2, 4, 5))
    # grid points away from the pixel-cell edges, where the sampling is smooth
    cells = RNG.integers(-2, 6, size=(1, 3, 2, 2)) + RNG.uniform(0.2, 0.8, size=(1, 3, 2, 2))
    grid = (2 * cells + 1) / np.array([5, 4]) - 1
    dy = RNG.normal(size=(1, 2, 3, 2))
    fwd = P.GridSampler2D(mode, padding, False)
    dx, dgrid = G.GridSampler2DGrad(mode, padding, False)(Tensor(dy), Tensor(x), Tensor(grid))

    def of_x(t):
        return fwd(Tensor(t), Tensor(grid)).asnumpy()

    def of_grid(t):
        return fwd(Tensor(x), Tensor(t)).asnumpy()

    np.testing.assert_allclose(dx.asnumpy(), _adjoint(of_x, x.shape, dy), rtol=1e-10, atol=1e-12)
    want = _numeric_vjp(of_grid, grid, dy)
    np.testing.assert_allclose(dgrid.asnumpy(), want, rtol=1e-6, atol=1e-6)
    only_dx = G.GridSampler2DGrad(mode, padding, False, (1, 0))(Tensor(dy), Tensor(x), Tensor(grid))
    np.testing.assert_array_equal(only_dx[1].asnumpy(), 0.0)
    np.testing.assert_allclose(only_dx[0].asnumpy(), dx.asnumpy())


def test_grid_sampler_3d_grad():
    x = RNG.normal(size=(1, 1, 3, 4, 3))
    cells = RNG.integers(0, 3, size=(1, 2, 2, 1, 3)) + RNG.uniform(0.2, 0.8, size=(1, 2, 2, 1, 3))
    grid = (2 * cells + 1) / np.array([3, 4, 3]) - 1
    dy = RNG.normal(size=(1, 1, 2, 2, 1))
    fwd = P.GridSampler3D("bilinear", "border", True)
    dx, dgrid = G.GridSampler3DGrad("bilinear", "border", True)(Tensor(dy), Tensor(x), Tensor(grid))

    def of_x(t):
        return fwd(Tensor(t), Tensor(grid)).asnumpy()

    def of_grid(t):
        return fwd(Tensor(x), Tensor(t)).asnumpy()

    np.testing.assert_allclose(dx.asnumpy(), _adjoint(of_x, x.shape, dy), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgrid.asnumpy(), _numeric_vjp(of_grid, grid, dy), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# PSROIPoolingGrad
# ------------------------------------------------------------------------------------------------


def _np_round(v):
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def _np_ps_roi_pooling_grad(dy, rois, size, scale, g, d):
    """A loop over MindSpore's PSROIPoolingGrad kernel as its source reads: the bins run from
    floor(k * bin + start) to ceil((k + 1) * bin + start), clipped to [0, size]."""
    batch, _, rois_n = rois.shape
    h, w = size
    dx = np.zeros((batch, d * g * g, h, w))
    for b, r in itertools.product(range(batch), range(rois_n)):
        index, x1, y1, x2, y2 = rois[b, :, r]
        x1, y1, x2, y2 = (_np_round(v * scale) for v in (x1, y1, x2, y2))
        bin_h, bin_w = max(y2 - y1, 0.1) / g, max(x2 - x1, 0.1) / g
        for c, gh, gw in itertools.product(range(d), range(g), range(g)):
            hs = int(min(max(np.floor(gh * bin_h + y1), 0), h))
            he = int(min(max(np.ceil((gh + 1) * bin_h + y1), 0), h))
            ws = int(min(max(np.floor(gw * bin_w + x1), 0), w))
            we = int(min(max(np.ceil((gw + 1) * bin_w + x1), 0), w))
            area = (he - hs) * (we - ws)
            if area > 0:
                channel = (c * g + gh) * g + gw
                dx[int(index), channel, hs:he, ws:we] += dy[b * rois_n + r, c, gh, gw] / area
    return dx


PS_ROIS = np.array(
    [
        [[0.0, 1.0], [15.03563, 3.0], [20.0132, 9.5], [57.93563, 30.0], [60.23452, 48.7]],
        [[1.0, 0.0], [6.51263, 20.0], [3.08564, 0.0], [76.24214, 41.0], [56.79854, 79.0]],
    ]
)


def test_ps_roi_pooling_grad_against_numpy():
    dy = RNG.normal(size=(4, 2, 2, 2))
    op = G.PSROIPoolingGrad((5, 4), 1 / 16, 2, 2)
    got = op(Tensor(dy.astype(np.float32)), Tensor(PS_ROIS.astype(np.float32)))
    want = _np_ps_roi_pooling_grad(dy, PS_ROIS, (5, 4), 1 / 16, 2, 2)
    assert got.shape == (2, 8, 5, 4) and got.dtype == ms.float32
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)
    jitted = ms.jit(lambda a, b: op(a, b))(
        Tensor(dy.astype(np.float32)), Tensor(PS_ROIS, ms.float32)
    )
    np.testing.assert_allclose(jitted.asnumpy(), want, rtol=1e-5, atol=1e-6)
    # MindSpore's test_ps_roi_pooling_grad_op.py: roi (1, 6.5, 3.1, 76.2, 56.8) / 16, channel 0
    ones = G.PSROIPoolingGrad((5, 4), 1 / 16, 2, 2)(
        Tensor(np.ones((2, 2, 2, 2), np.float32)), Tensor(PS_ROIS[:, :, :1].astype(np.float32))
    )
    sixth = np.zeros((5, 4))
    sixth[:2, :3] = 1 / 6
    np.testing.assert_allclose(ones.asnumpy()[1, 0], sixth, rtol=1e-6)


def test_ps_roi_pooling_grad_errors():
    with pytest.raises(MindTypeError, match="'input_size'"):
        G.PSROIPoolingGrad([2, 2], 1 / 16, 7, 3)
    with pytest.raises(MindValueError, match="'input_size'"):
        G.PSROIPoolingGrad((100, -1), 1 / 16, 7, 3)
    with pytest.raises(MindValueError, match="'spatial_scale'"):
        G.PSROIPoolingGrad(100, -0.15, 7, 3)
    with pytest.raises(MindTypeError, match="'group_size'"):
        G.PSROIPoolingGrad(100, 1 / 16, 7.1, 3)
    op = G.PSROIPoolingGrad(4, 1 / 16, 2, 2)
    assert op.input_size == [4, 4]
    rois = Tensor(PS_ROIS.astype(np.float32))
    with pytest.raises(RuntimeError, match="'x' must be"):  # MindSpore's kernel error type
        op(Tensor(np.ones((5, 2, 2, 2), np.float32)), rois)
    with pytest.raises(MindTypeError, match="'x'"):
        op(Tensor(np.ones((4, 2, 2, 2))), Tensor(PS_ROIS))
    with pytest.raises(MindValueError, match="2 inputs"):
        op(rois, rois, rois)


# ------------------------------------------------------------------------------------------------
# DeformableOffsetsGrad
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_deformable_offsets_grad_mindspore_values(dtype):
    # MindSpore's tests/st/ops/cpu/test_deformable_offsets_grad.py (the output positions come
    # from the incoming gradient: one 3 x 3 window over the 4 x 4 input)
    op = G.DeformableOffsetsGrad((1, 1, 1, 1), (0, 0, 0, 0), (3, 3))
    dout = Tensor(np.ones((1, 2, 3, 3), dtype))
    x = Tensor(np.ones((1, 2, 4, 4), dtype))
    offsets = Tensor(np.full((1, 27, 1, 1), 0.1, dtype))
    dx, doff = op(dout, x, offsets)
    row = np.array([0.9, 1.0, 1.0, 0.1])
    want_dx = np.broadcast_to(np.outer(row, row) * 0.1, (1, 2, 4, 4))
    assert dx.dtype == ms.float16 if dtype == np.float16 else dx.dtype == ms.float32
    np.testing.assert_allclose(dx.asnumpy(), want_dx, rtol=1e-3, atol=1e-4)
    want_doff = np.array([0.0] * 18 + [2.0] * 9).reshape(1, 27, 1, 1)
    np.testing.assert_allclose(doff.asnumpy(), want_doff, rtol=1e-3, atol=1e-4)
    nhwc = G.DeformableOffsetsGrad((1, 1, 1, 1), (0, 0, 0, 0), (3, 3), data_format="NHWC")
    t = (0, 2, 3, 1)
    dx2, doff2 = nhwc(
        Tensor(dout.asnumpy().transpose(t)),
        Tensor(x.asnumpy().transpose(t)),
        Tensor(offsets.asnumpy().transpose(t)),
    )
    np.testing.assert_allclose(dx2.asnumpy(), want_dx.transpose(t), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(doff2.asnumpy(), want_doff.transpose(t), rtol=1e-3, atol=1e-4)


def test_deformable_offsets_grad_against_finite_differences():
    x = RNG.normal(size=(1, 2, 5, 4))
    kernel, strides, pads = (2, 2), (1, 1, 2, 1), (1, 0, 0, 1)
    ho, wo = 3, 4
    shifts = RNG.integers(-1, 2, size=(1, 16, ho, wo)) + RNG.uniform(0.2, 0.8, (1, 16, ho, wo))
    masks = RNG.uniform(0.5, 1.5, size=(1, 8, ho, wo))
    offsets = np.concatenate([shifts, masks], axis=1)
    fwd = P.DeformableOffsets(strides, pads, kernel, deformable_groups=2)
    dy = RNG.normal(size=(1, 2, ho * 2, wo * 2))
    op = G.DeformableOffsetsGrad(strides, pads, kernel, deformable_groups=2)
    dx, doff = op(Tensor(dy, ms.float32), Tensor(x, ms.float32), Tensor(offsets, ms.float32))

    def of_x(t):
        return fwd(Tensor(t), Tensor(offsets)).asnumpy()

    def of_offsets(t):
        return fwd(Tensor(x), Tensor(t)).asnumpy()

    np.testing.assert_allclose(dx.asnumpy(), _adjoint(of_x, x.shape, dy), rtol=1e-4, atol=1e-5)
    want = _numeric_vjp(of_offsets, offsets, dy)
    np.testing.assert_allclose(doff.asnumpy(), want, rtol=1e-4, atol=1e-4)


def test_deformable_offsets_grad_vmap():
    op = G.DeformableOffsetsGrad((1, 1, 1, 1), (0, 0, 0, 0), (3, 3))
    dout = Tensor(np.arange(36, dtype=np.float32).reshape(2, 1, 2, 3, 3))
    x = Tensor(np.arange(64, dtype=np.float32).reshape(2, 1, 2, 4, 4))
    offsets = Tensor((np.arange(54).reshape(2, 1, 27, 1, 1) * 0.1).astype(np.float32))
    batched = ms.vmap(lambda a, b, c: op(a, b, c))(dout, x, offsets)
    for i in range(2):
        one = op(dout[i], x[i], offsets[i])
        np.testing.assert_allclose(batched[0].asnumpy()[i], one[0].asnumpy(), rtol=1e-6)
        np.testing.assert_allclose(batched[1].asnumpy()[i], one[1].asnumpy(), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# CropAndResizeGradImage / CropAndResizeGradBoxes
# ------------------------------------------------------------------------------------------------


def test_crop_and_resize_grads_mindspore_values():
    # the examples of MindSpore's CropAndResizeGradBoxes and CropAndResizeGradImage
    grads = Tensor(np.array([[[[2.0], [5.0]], [[1.0], [4.0]]]], np.float32))
    image = Tensor(np.array([[9, 5, 2, 1], [6, 1, 9, 7], [6, 0, 2, 9], [1, 2, 6, 7]], np.float32))
    image = image.reshape(1, 4, 4, 1)
    boxes = Tensor(np.array([[0.3, 0.8, 0.3, 0.8]], np.float32))
    index = Tensor(np.array([0], np.int32))
    got = P.CropAndResizeGradBoxes()(grads, image, boxes, index)
    np.testing.assert_allclose(got.asnumpy(), [[138.6, -17.1, 99.0, -51.3]], rtol=1e-5)
    grads = Tensor(np.array([[[[1.0], [2.0]], [[3.0], [4.0]]]], np.float32))
    boxes = Tensor(np.array([[0.1, 0.2, 0.3, 0.4]], np.float32))
    size = Tensor(np.array([1, 4, 4, 1], np.int32))
    got = P.CropAndResizeGradImage(ms.float32)(grads, boxes, index, size)
    want = np.zeros((4, 4))
    want[0, :3] = [0.4, 2.04, 0.36]
    want[1, :3] = [1.2, 5.16, 0.84]
    np.testing.assert_allclose(got.asnumpy()[0, :, :, 0], want, rtol=1e-5, atol=1e-6)
    assert P.CropAndResizeGradImage(ms.float64)(grads, boxes, index, size).dtype == ms.float64


def test_crop_and_resize_grads_against_the_forward():
    image = RNG.normal(size=(2, 5, 6, 2))
    boxes = np.array([[0.12, 0.23, 0.81, 0.67], [0.9, 0.71, 0.07, 0.13]])
    index = np.array([1, 0], np.int32)
    dy = RNG.normal(size=(2, 3, 4, 2))

    def of_image(t):
        return ops.crop_and_resize(Tensor(t), Tensor(boxes), Tensor(index), (3, 4)).asnumpy()

    def of_boxes(b):
        b32 = Tensor(b.astype(np.float32))
        return ops.crop_and_resize(Tensor(image), b32, Tensor(index), (3, 4)).asnumpy()

    for method in ("bilinear", "nearest"):
        got = P.CropAndResizeGradImage(ms.float32, method)(
            Tensor(dy, ms.float32), Tensor(boxes), Tensor(index), image.shape
        )
        if method == "bilinear":
            want = _adjoint(of_image, image.shape, dy)
            np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-4, atol=1e-5)
    got = P.CropAndResizeGradBoxes()(
        Tensor(dy, ms.float32), Tensor(image, ms.float32), Tensor(boxes, ms.float32), Tensor(index)
    )
    np.testing.assert_allclose(got.asnumpy(), _numeric_vjp(of_boxes, boxes, dy, 1e-3), rtol=2e-3)
    with pytest.raises(MindValueError, match="'method'"):
        P.CropAndResizeGradBoxes("nearest")(Tensor(dy), Tensor(image), Tensor(boxes), index)


# ------------------------------------------------------------------------------------------------
# ExtractVolumePatches
# ------------------------------------------------------------------------------------------------


def _np_extract_volume_patches(x, kernel, strides, padding):
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    if padding == "VALID":
        outs = [1 + (s - k) // st for s, k, st in zip(spatial, kernel, strides)]
        before = [0, 0, 0]
    else:
        outs = [-(-s // st) for s, st in zip(spatial, strides)]
        needed = [
            max((o - 1) * st + k - s, 0) for o, st, k, s in zip(outs, strides, kernel, spatial)
        ]
        before = [p // 2 for p in needed]
    out = np.zeros((n, int(np.prod(kernel)) * c, *outs), x.dtype)
    for p in itertools.product(*(range(o) for o in outs)):
        for k, offset in enumerate(itertools.product(*(range(k) for k in kernel))):
            src = [pi * st + oi - b for pi, st, oi, b in zip(p, strides, offset, before)]
            if all(0 <= s < size for s, size in zip(src, spatial)):
                out[(slice(None), slice(k * c, (k + 1) * c), *p)] = x[
                    (slice(None), slice(None), *src)
                ]
    return out


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("kernel, strides", [((2, 2, 3), (1, 2, 2)), ((1, 3, 2), (2, 1, 3))])
def test_extract_volume_patches_against_numpy(padding, kernel, strides):
    x = RNG.normal(size=(2, 3, 4, 5, 6))
    op = P.ExtractVolumePatches((1, 1, *kernel), strides, padding.lower())
    assert op.padding == padding and op.kernel_size == (1, 1, *kernel)
    want = _np_extract_volume_patches(x, kernel, strides, padding)
    np.testing.assert_allclose(op(Tensor(x)).asnumpy(), want, rtol=0)
    np.testing.assert_allclose(ms.jit(op)(Tensor(x)).asnumpy(), want, rtol=0)
    ints = Tensor(np.arange(2 * 3 * 4 * 5 * 6, dtype=np.int32).reshape(x.shape))
    assert op(ints).dtype == ms.int32


def test_extract_volume_patches_gradient_vmap_and_errors():
    x = RNG.normal(size=(1, 2, 3, 4, 3))
    check_grads(P.ExtractVolumePatches(2, (1, 2, 1), "SAME"), [x])
    batch = RNG.normal(size=(3, 1, 1, 3, 3, 3))
    op = P.ExtractVolumePatches(2, 1, "VALID")
    got = ms.vmap(op)(Tensor(batch)).asnumpy()
    np.testing.assert_allclose(got, np.stack([op(Tensor(b)).asnumpy() for b in batch]))
    with pytest.raises(MindValueError, match="'padding'"):
        P.ExtractVolumePatches(2, 1, "FULL")
    with pytest.raises(MindValueError, match="'kernel_size'"):
        P.ExtractVolumePatches((2, 1, 2, 2, 2), 1, "VALID")
    with pytest.raises(MindValueError, match="at least the kernel"):
        P.ExtractVolumePatches(4, 1, "VALID")(Tensor(x))


def test_backward_classes_are_differentiable():
    # the gradient of a backward class of a linear op is the forward op
    w = RNG.normal(size=(2, 3, 4, 5))
    dy = RNG.normal(size=(2, 3, 7, 3))

    def loss(t):
        return (G.ResizeBilinearGrad(False, True)(t, Tensor(w)) * Tensor(w)).sum()

    got = ms.grad(loss)(Tensor(dy)).asnumpy()
    want = P.ResizeBilinearV2(False, True)(Tensor(w), (7, 3)).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    v = RNG.normal(size=(2, 4))
    pad = (1, 2)
    got = ms.grad(lambda t: (G.PadV3Grad("reflect")(t, pad) * Tensor(v)).sum())(
        Tensor(RNG.normal(size=(2, 7)))
    )
    np.testing.assert_allclose(got.asnumpy(), np.pad(v, [(0, 0), (1, 2)], mode="reflect"))
