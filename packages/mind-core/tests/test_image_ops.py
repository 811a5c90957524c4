"""Image layers (nn.ImageGradients, SSIM, MSSSIM, PSNR, CentralCrop) against numpy written from the
formulas (SSIM's Gaussian window and C1/C2 as MindSpore documents them), finite-difference
gradients, and jit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate2d

import mind.core as ms
from mind.core import Tensor
from mind.core._src.nn import image as I
from mind.core.errors import MindTypeError, MindValueError
from mind.core.testing import check_grads

RNG = np.random.default_rng(0)


def _np_window(size, sigma):
    r = np.arange(-size // 2 + 1, size // 2 + 1, dtype=np.float64)
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
    return g / g.sum()


def _np_ssim(a, b, max_val=1.0, size=11, sigma=1.5, k1=0.01, k2=0.03):
    """Per image and channel mean SSIM and cs, written from Wang et al.'s formula."""
    w = _np_window(size, sigma)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    n, c = a.shape[:2]
    ssim, cs = np.zeros((n, c)), np.zeros((n, c))
    for i in range(n):
        for j in range(c):
            x, y = a[i, j].astype(np.float64), b[i, j].astype(np.float64)

            def blur(z):
                return correlate2d(z, w, mode="valid")

            mx, my = blur(x), blur(y)
            sx, sy, sxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
            cs_map = (2 * sxy + c2) / (sx + sy + c2)
            ssim[i, j] = np.mean((2 * mx * my + c1) / (mx**2 + my**2 + c1) * cs_map)
            cs[i, j] = np.mean(cs_map)
    return ssim, cs


def test_image_gradients():
    x = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)
    dy, dx = I.ImageGradients()(Tensor(x))
    want_dy = np.zeros_like(x)
    want_dy[:, :, :-1] = x[:, :, 1:] - x[:, :, :-1]
    want_dx = np.zeros_like(x)
    want_dx[..., :-1] = x[..., 1:] - x[..., :-1]
    np.testing.assert_allclose(dy.asnumpy(), want_dy, rtol=1e-6)
    np.testing.assert_allclose(dx.asnumpy(), want_dx, rtol=1e-6)
    dy, dx = I.ImageGradients()(Tensor(np.array([[[[1, 2], [3, 4]]]], np.int32)))
    assert dy.asnumpy().tolist() == [[[[2, 2], [0, 0]]]]
    assert dx.asnumpy().tolist() == [[[[1, 0], [1, 0]]]]
    with pytest.raises(MindValueError, match="ImageGradients"):
        I.ImageGradients()(Tensor(x[0]))


def test_psnr_matches_formula_and_int_scaling():
    a = RNG.uniform(size=(3, 2, 5, 6)).astype(np.float32)
    b = RNG.uniform(size=(3, 2, 5, 6)).astype(np.float32)
    want = 10 * np.log10(4.0 / np.mean((a - b) ** 2, axis=(1, 2, 3)))
    np.testing.assert_allclose(I.PSNR(2.0)(Tensor(a), Tensor(b)).asnumpy(), want, rtol=1e-5)
    ai = RNG.integers(0, 255, size=(2, 1, 4, 4)).astype(np.uint8)
    bi = RNG.integers(0, 255, size=(2, 1, 4, 4)).astype(np.uint8)
    mse = np.mean(((ai / 255.0) - (bi / 255.0)) ** 2, axis=(1, 2, 3))
    got = I.PSNR(255)(Tensor(ai), Tensor(bi)).asnumpy()
    np.testing.assert_allclose(got, 10 * np.log10(1.0 / mse), rtol=1e-4)
    with pytest.raises(MindValueError, match="max_val"):
        I.PSNR(0.0)
    with pytest.raises(MindTypeError, match="max_val"):
        I.PSNR("1")


@pytest.mark.parametrize("size,sigma", [(11, 1.5), (3, 0.8)])
def test_ssim_matches_numpy(size, sigma):
    a = RNG.uniform(size=(2, 3, 14, 13)).astype(np.float32)
    b = np.clip(a + RNG.normal(scale=0.1, size=a.shape), 0, 1).astype(np.float32)
    want = _np_ssim(a, b, 1.0, size, sigma)[0].mean(-1)
    got = I.SSIM(filter_size=size, filter_sigma=sigma)(Tensor(a), Tensor(b)).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    assert got.shape == (2,)
    jitted = ms.jit(lambda x, y: I.SSIM(filter_size=size, filter_sigma=sigma)(x, y))
    np.testing.assert_allclose(jitted(Tensor(a), Tensor(b)).asnumpy(), got, rtol=1e-5)


def test_ssim_validation():
    with pytest.raises(MindValueError, match="filter_size"):
        I.SSIM(filter_size=0)
    with pytest.raises(MindTypeError, match="k1"):
        I.SSIM(k1=1)
    img = Tensor(np.zeros((1, 1, 8, 8), np.float32))
    with pytest.raises(MindValueError, match="filter_size"):
        I.SSIM()(img, img)
    with pytest.raises(MindTypeError, match="SSIM"):
        I.SSIM(filter_size=3)(Tensor(np.zeros((1, 1, 8, 8), np.int32)), img)


def test_ssim_and_psnr_gradients():
    a = RNG.uniform(size=(1, 2, 6, 6))
    b = RNG.uniform(size=(1, 2, 6, 6))
    w = Tensor(I._window(3, 1.0).astype(np.float64))
    check_grads(lambda x, y: I._ssim_maps(x, y, w, 1e-4, 9e-4)[0], (a, b), rtol=1e-4, atol=1e-6)
    # PSNR computes in float32 (as MindSpore): its gradient against the closed form
    x, y = Tensor(a.astype(np.float32)), Tensor(b.astype(np.float32))
    got = ms.grad(lambda p, q: I.PSNR()(p, q).sum())(x, y).asnumpy()
    want = -10 / np.log(10) * 2 * (a - b) / np.sum((a - b) ** 2)
    np.testing.assert_allclose(got, want, rtol=1e-3)


def test_msssim_matches_numpy():
    a = RNG.uniform(size=(2, 2, 24, 24)).astype(np.float32)
    b = np.clip(a + RNG.normal(scale=0.1, size=a.shape), 0, 1).astype(np.float32)
    powers = (0.3, 0.3, 0.4)
    want = np.ones(2)
    x, y = a.astype(np.float64), b.astype(np.float64)
    for i, p in enumerate(powers):
        ssim, cs = _np_ssim(x, y, 1.0, 5, 1.5)
        term = ssim if i == len(powers) - 1 else cs
        want = want * np.maximum(term, 0) ** p
        x = x.reshape(2, 2, x.shape[2] // 2, 2, x.shape[3] // 2, 2).mean((3, 5))
        y = y.reshape(2, 2, y.shape[2] // 2, 2, y.shape[3] // 2, 2).mean((3, 5))
    got = I.MSSSIM(power_factors=powers, filter_size=5)(Tensor(a), Tensor(b)).asnumpy()
    np.testing.assert_allclose(got, want.mean(-1), rtol=1e-4)
    one = Tensor(np.ones((1, 3, 64, 64), np.float32))
    np.testing.assert_allclose(I.MSSSIM(power_factors=(0.033,) * 3)(one, one).asnumpy(), [1.0])
    with pytest.raises(MindTypeError, match="power_factors"):
        I.MSSSIM(power_factors=0.5)


def test_central_crop():
    x = RNG.normal(size=(2, 3, 7, 10)).astype(np.float32)
    got = I.CentralCrop(0.5)(Tensor(x)).asnumpy()
    top, left = int((7 - 3.5) / 2), int((10 - 5.0) / 2)
    np.testing.assert_array_equal(got, x[:, :, top : 7 - top, left : 10 - left])
    np.testing.assert_array_equal(I.CentralCrop(1.0)(Tensor(x[0])).asnumpy(), x[0])
    assert I.CentralCrop(0.5)(Tensor(x[0])).shape == (3, 5, 6)
    with pytest.raises(MindValueError, match="central_fraction"):
        I.CentralCrop(1.5)
    with pytest.raises(MindTypeError, match="central_fraction"):
        I.CentralCrop(1)
    with pytest.raises(MindValueError, match="CentralCrop"):
        I.CentralCrop(0.5)(Tensor(x[0, 0]))
