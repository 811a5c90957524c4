"""The runtime's kernels against loops written out in numpy (and scipy's erf)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import special

from mind.lite._src.kernels import ACTIVATIONS, KERNELS

rng = np.random.default_rng(0)


def _conv_loops(x, w, stride, pads, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), pads[:2], pads[2:]))
    oh = (h + pads[0] + pads[1] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd + pads[2] + pads[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    og = o // groups
    for b, oc, i, j in itertools.product(range(n), range(o), range(oh), range(ow)):
        g = oc // og
        for ic, p, q in itertools.product(range(cg), range(kh), range(kw)):
            out[b, oc, i, j] += (
                xp[b, g * cg + ic, i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]]
                * w[oc, ic, p, q]
            )
    return out


@pytest.mark.parametrize(
    ("stride", "pads", "dilation", "groups"),
    [
        ((1, 1), (0, 0, 0, 0), (1, 1), 1),
        ((2, 1), (1, 2, 0, 1), (1, 2), 2),
        ((1, 2), (2, 2, 2, 2), (2, 1), 4),
    ],
)
def test_conv2d_matches_loops(stride, pads, dilation, groups):
    x = rng.standard_normal((2, 4, 7, 6)).astype(np.float32)
    w = rng.standard_normal((8, 4 // groups, 3, 2)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    want = _conv_loops(x, w, stride, pads, dilation, groups)
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    np.testing.assert_allclose(KERNELS["conv2d"](x, w, **attrs), want, rtol=1e-4, atol=1e-5)
    fused = KERNELS["conv2d_fused"](x, w, b, activation="relu", **attrs)
    np.testing.assert_allclose(
        fused, np.maximum(want + b.reshape(1, -1, 1, 1), 0), rtol=1e-4, atol=1e-5
    )


def test_pooling_matches_loops():
    x = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    kernel, stride, pads = (3, 2), (2, 2), (1, 1, 0, 1)
    got_max = KERNELS["max_pool2d"](x, kernel=kernel, stride=stride, pads=pads)
    got_avg = KERNELS["avg_pool2d"](x, kernel=kernel, stride=stride, pads=pads)
    xp_max = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 1)), constant_values=-np.inf)
    xp_avg = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 1)))
    oh, ow = (7 + 2 - 3) // 2 + 1, (8 + 1 - 2) // 2 + 1
    assert got_max.shape == got_avg.shape == (2, 3, oh, ow)
    for i, j in itertools.product(range(oh), range(ow)):
        win = np.s_[:, :, i * 2 : i * 2 + 3, j * 2 : j * 2 + 2]
        np.testing.assert_allclose(got_max[:, :, i, j], xp_max[win].max(axis=(2, 3)))
        np.testing.assert_allclose(got_avg[:, :, i, j], xp_avg[win].mean(axis=(2, 3)), rtol=1e-6)


@pytest.mark.parametrize("size", [(1, 1), (2, 3), (3, 4)])
def test_adaptive_avg_pool(size):
    x = rng.standard_normal((2, 3, 6, 8)).astype(np.float32)
    got = KERNELS["adaptive_avg_pool2d"](x, output_size=size)
    for i, j in itertools.product(range(size[0]), range(size[1])):
        r0, r1 = i * 6 // size[0], -(-(i + 1) * 6 // size[0])
        c0, c1 = j * 8 // size[1], -(-(j + 1) * 8 // size[1])
        np.testing.assert_allclose(
            got[:, :, i, j], x[:, :, r0:r1, c0:c1].mean(axis=(2, 3)), rtol=1e-5
        )


def test_activations_and_elementwise_closed_forms():
    x = rng.standard_normal(50).astype(np.float32) * 3
    sig = 1 / (1 + np.exp(-x.astype(np.float64)))
    gelu = 0.5 * x * (1 + special.erf(x / np.sqrt(2)))
    gelu_tanh = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    expected = {
        "relu": np.maximum(x, 0),
        "relu6": np.clip(x, 0, 6),
        "sigmoid": sig,
        "tanh": np.tanh(x),
        "gelu": gelu,
        "gelu_tanh": gelu_tanh,
        "silu": x * sig,
    }
    assert set(expected) == set(ACTIVATIONS)
    for name, want in expected.items():
        np.testing.assert_allclose(
            ACTIVATIONS[name](x.copy()), want, rtol=1e-5, atol=1e-6, err_msg=name
        )
    np.testing.assert_allclose(KERNELS["gelu"](x, approximate="none"), gelu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(KERNELS["leaky_relu"](x, alpha=0.1), np.where(x >= 0, x, 0.1 * x))
    np.testing.assert_allclose(
        KERNELS["elu"](x, alpha=1.5), np.where(x > 0, x, 1.5 * np.expm1(x)), rtol=1e-6
    )
    sp = KERNELS["softplus"](x, beta=2.0, threshold=20.0)
    np.testing.assert_allclose(sp, np.log1p(np.exp(2 * x.astype(np.float64))) / 2, rtol=1e-5)
    assert KERNELS["div"](np.float32([1]), np.float32([3])).dtype == np.float32


def test_reductions_and_softmax():
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        KERNELS["softmax"](x, axis=1), e / e.sum(axis=1, keepdims=True), rtol=1e-6
    )
    np.testing.assert_allclose(
        KERNELS["log_softmax"](x, axis=-1),
        x - np.log(np.exp(x).sum(-1, keepdims=True)),
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        KERNELS["logsumexp"](x, axis=(0, 2)), np.log(np.exp(x).sum(axis=(0, 2))), rtol=1e-5
    )
    np.testing.assert_allclose(
        KERNELS["var"](x, axis=(1,), ddof=1, keepdims=True),
        x.var(1, ddof=1, keepdims=True),
        rtol=1e-5,
    )
    assert KERNELS["mean"](x, axis=(0, 1), keepdims=False).shape == (5,)


def test_dense_and_matmul():
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w = rng.standard_normal((5, 4)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    np.testing.assert_allclose(KERNELS["matmul"](x, w, transpose_b=True), x @ w.T, rtol=1e-5)
    np.testing.assert_allclose(
        KERNELS["dense_fused"](x, w, b, transpose_b=True, activation="tanh"),
        np.tanh(x @ w.T + b),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        KERNELS["dense_fused"](x, w.T.copy(), None, transpose_b=False), x @ w.T, rtol=1e-5
    )
