"""triu, tril and matrix_band_part against numpy, in PyNative, jit and vmap, with gradients
against finite differences."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops

rng = np.random.default_rng(3)


def band_numpy(x, lower, upper):
    out = x
    if lower >= 0:
        out = np.triu(out, -lower)
    if upper >= 0:
        out = np.tril(out, upper)
    return out


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (5, 3), (2, 4, 4), (2, 1, 3, 2)])
@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
def test_triu_and_tril_match_numpy(shape, k):
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(ops.triu(Tensor(x), k).asnumpy(), np.triu(x, k))
    np.testing.assert_array_equal(ops.tril(Tensor(x), k).asnumpy(), np.tril(x, k))
    np.testing.assert_array_equal(Tensor(x).triu(k).asnumpy(), np.triu(x, k))
    np.testing.assert_array_equal(
        ms.jit(lambda t: ops.tril(t, k))(Tensor(x)).asnumpy(), np.tril(x, k)
    )


@pytest.mark.parametrize("dtype", [np.int32, np.float16, np.float32, np.float64])
@pytest.mark.parametrize("rows, cols", [(1, 7), (7, 1), (4, 6)])
def test_matrix_band_part_matches_numpy(dtype, rows, cols):
    x = (rng.standard_normal((2, rows, cols)) * 10).astype(dtype)
    for lower in (-1, 0, 1, rows - 1):
        for upper in (-1, 0, 2, cols - 1):
            got = ops.matrix_band_part(Tensor(x), lower, Tensor(np.int32(upper)))
            assert got.dtype == Tensor(x).dtype
            np.testing.assert_array_equal(got.asnumpy(), band_numpy(x, lower, upper))


def test_matrix_band_part_maps_over_a_batch_axis_and_refuses_vectors():
    x = rng.standard_normal((3, 4, 5))
    mapped = ms.vmap(lambda t: ops.matrix_band_part(t, 1, 0), in_axes=-1, out_axes=-1)(Tensor(x))
    want = np.stack([band_numpy(x[..., k], 1, 0) for k in range(5)], -1)
    np.testing.assert_array_equal(mapped.asnumpy(), want)
    with pytest.raises(ValueError, match="matrix_band_part.*at least 2 dims"):
        ops.matrix_band_part(Tensor(np.ones(3)), 1, 1)


def test_band_gradients_match_finite_differences():
    x = rng.standard_normal((3, 4))
    w = rng.standard_normal((3, 4))

    def f(t):
        return (ops.matrix_band_part(t, 1, 2) * Tensor(w)).sum() + (ops.triu(t, 1) ** 2).sum()

    got = ms.grad(f)(Tensor(x)).asnumpy()
    eps, fd = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[idx] = eps
        fd[idx] = (f(Tensor(x + d)).item() - f(Tensor(x - d)).item()) / (2 * eps)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ms.jit(ms.grad(f))(Tensor(x)).asnumpy(), got, rtol=1e-12)
