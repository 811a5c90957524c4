"""ops.interpolate against per-pixel numpy references; gradients against finite differences;
jit and nn.Upsample. (tests/peers compares every mode with PyTorch as well.)"""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindValueError

RNG = np.random.default_rng(5)


def bilinear_reference(x, out_h, out_w, align_corners):
    n, c, h, w = x.shape
    y = np.zeros((n, c, out_h, out_w))

    def src(i, out, size):
        if align_corners:
            return i * (size - 1) / (out - 1) if out > 1 else 0.0
        return max((i + 0.5) * size / out - 0.5, 0.0)

    for i in range(out_h):
        for j in range(out_w):
            sy, sx = src(i, out_h, h), src(j, out_w, w)
            y0, x0 = min(int(sy), h - 1), min(int(sx), w - 1)
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            fy, fx = sy - y0, sx - x0
            y[:, :, i, j] = (
                x[:, :, y0, x0] * (1 - fy) * (1 - fx)
                + x[:, :, y0, x1] * (1 - fy) * fx
                + x[:, :, y1, x0] * fy * (1 - fx)
                + x[:, :, y1, x1] * fy * fx
            )
    return y


@pytest.mark.parametrize("size, align", [((3, 9), False), ((8, 4), True), ((5, 7), False)])
def test_bilinear_matches_the_per_pixel_formula(size, align):
    x = RNG.normal(size=(2, 3, 5, 7))
    got = ops.interpolate(Tensor(x), size=size, mode="bilinear", align_corners=align)
    np.testing.assert_allclose(got.asnumpy(), bilinear_reference(x, *size, align), rtol=1e-12)


def test_nearest_and_area():
    x = RNG.normal(size=(1, 2, 4, 6))
    near = ops.interpolate(Tensor(x), size=(8, 3), mode="nearest").asnumpy()
    rows, cols = (np.arange(8) * 4) // 8, (np.arange(3) * 6) // 3
    np.testing.assert_array_equal(near, x[:, :, rows][:, :, :, cols])
    area = ops.interpolate(Tensor(x), size=(2, 3), mode="area").asnumpy()
    np.testing.assert_allclose(area, x.reshape(1, 2, 2, 2, 3, 2).mean(axis=(3, 5)), rtol=1e-12)


def test_gradient_jit_and_upsample():
    x = RNG.normal(size=(1, 1, 3, 4))
    w = RNG.normal(size=(1, 1, 5, 6))

    def loss(t):
        return (ops.interpolate(t, size=(5, 6), mode="bicubic") * Tensor(w)).sum()

    g = ms.grad(loss)(Tensor(x)).asnumpy()
    eps, want = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        want[i] = (loss(Tensor(x + d)).item() - loss(Tensor(x - d)).item()) / (2 * eps)
    np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-8)
    up = nn.Upsample(scale_factor=2, mode="bilinear")
    eager = up(Tensor(x)).asnumpy()
    np.testing.assert_allclose(ms.jit(up)(Tensor(x)).asnumpy(), eager, rtol=1e-12)
    assert eager.shape == (1, 1, 6, 8)


def test_bad_arguments_are_refused():
    x = Tensor(np.ones((1, 1, 4, 4)))
    with pytest.raises(MindValueError, match="exactly one of 'size' and 'scale_factor'"):
        ops.interpolate(x)
    with pytest.raises(MindValueError, match="mode 'linear' needs a 3-D input"):
        ops.interpolate(x, size=3, mode="linear")
    with pytest.raises(MindValueError, match="'align_corners' is only for"):
        ops.interpolate(x, size=3, mode="nearest", align_corners=True)
    with pytest.raises(MindValueError, match="'mode' must be one of"):
        ops.interpolate(x, size=3, mode="cubic")
