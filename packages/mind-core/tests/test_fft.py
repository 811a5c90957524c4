"""ops.fft and its family: values against numpy.fft, gradients against finite differences, under
jit and vmap, and P.FFTWithSize."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as mc
from mind.core import Tensor, ops
from mind.core._src.ops import fft as F
from mind.core.testing import check_grads

RNG = np.random.default_rng(0)


def _r(*shape):
    return RNG.standard_normal(shape)


def _c(*shape):
    return _r(*shape) + 1j * _r(*shape)


C2C = [
    (F.fft, np.fft.fft, {"n": 5}),
    (F.ifft, np.fft.ifft, {"n": 3, "dim": 0}),
    (F.fft2, np.fft.fft2, {}),
    (F.ifft2, np.fft.ifft2, {"s": (2, 6)}),
    (F.fftn, np.fft.fftn, {}),
    (F.ifftn, np.fft.ifftn, {"dim": (0, 2)}),
]


def _np_kwargs(kw):
    out = dict(kw)
    if "dim" in out:
        dim = out.pop("dim")
        out["axis" if isinstance(dim, int) else "axes"] = dim
    return out


@pytest.mark.parametrize("norm", [None, "backward", "forward", "ortho"])
@pytest.mark.parametrize("op, ref, kw", C2C)
def test_complex_transforms_match_numpy(op, ref, kw, norm):
    x = _c(3, 4, 4)
    np.testing.assert_allclose(
        op(Tensor(x), **kw, norm=norm).asnumpy(), ref(x, **_np_kwargs(kw), norm=norm), atol=1e-10
    )


R2C = [
    (F.rfft, np.fft.rfft, {"n": 7}),
    (F.rfft2, np.fft.rfft2, {}),
    (F.rfftn, np.fft.rfftn, {"s": (3, 5), "dim": (-2, -1)}),
    (F.ihfft, np.fft.ihfft, {"dim": 1}),
]
C2R = [
    (F.irfft, np.fft.irfft, {}),
    (F.irfft, np.fft.irfft, {"n": 7}),
    (F.irfft2, np.fft.irfft2, {"s": (3, 5)}),
    (F.irfftn, np.fft.irfftn, {}),
    (F.hfft, np.fft.hfft, {"n": 5}),
]


@pytest.mark.parametrize("norm", ["backward", "forward", "ortho"])
@pytest.mark.parametrize("op, ref, kw", R2C)
def test_real_to_complex_match_numpy(op, ref, kw, norm):
    x = _r(3, 4, 6)
    got = op(Tensor(x), **kw, norm=norm)
    assert got.dtype == mc.complex128
    np.testing.assert_allclose(got.asnumpy(), ref(x, **_np_kwargs(kw), norm=norm), atol=1e-10)


@pytest.mark.parametrize("norm", ["backward", "forward", "ortho"])
@pytest.mark.parametrize("op, ref, kw", C2R)
def test_complex_to_real_match_numpy(op, ref, kw, norm):
    x = _c(3, 4, 4)
    got = op(Tensor(x), **kw, norm=norm)
    assert got.dtype == mc.float64
    np.testing.assert_allclose(got.asnumpy(), ref(x, **_np_kwargs(kw), norm=norm), atol=1e-10)


def test_float32_stays_single_precision():
    x = _r(8).astype(np.float32)
    assert F.fft(Tensor(x)).dtype == mc.complex64
    assert F.irfft(F.rfft(Tensor(x))).dtype == mc.float32
    np.testing.assert_allclose(F.irfft(F.rfft(Tensor(x))).asnumpy(), x, atol=1e-5)


@pytest.mark.parametrize("dim", [None, 0, (1,), (0, 1)])
def test_shifts_match_numpy(dim):
    x = _r(5, 4)
    np.testing.assert_array_equal(F.fftshift(Tensor(x), dim).asnumpy(), np.fft.fftshift(x, dim))
    np.testing.assert_array_equal(F.ifftshift(Tensor(x), dim).asnumpy(), np.fft.ifftshift(x, dim))


def test_frequencies():
    np.testing.assert_allclose(F.fftfreq(7, 0.5).asnumpy(), np.fft.fftfreq(7, 0.5), rtol=1e-6)
    np.testing.assert_allclose(F.rfftfreq(6).asnumpy(), np.fft.rfftfreq(6), rtol=1e-6)
    assert F.fftfreq(4, dtype=mc.float64).dtype == mc.float64


GRADS = [
    (lambda x: F.fft(x, n=6, norm="ortho"), "c"),
    (lambda x: F.ifft2(x, s=(2, 3)), "c"),
    (lambda x: F.fftn(x, norm="forward"), "r"),
    (lambda x: F.rfft(x), "r"),
    (lambda x: F.rfftn(x, s=(3, 4), norm="ortho"), "r"),
    (lambda x: F.irfft(x), "c"),
    (lambda x: F.irfft(x, n=7, norm="forward"), "c"),
    (lambda x: F.irfft2(x), "c"),
    (lambda x: F.hfft(x, norm="ortho"), "c"),
    (lambda x: F.ihfft(x), "r"),
    (lambda x: F.fftshift(x), "r"),
    (lambda x: F.hfft2(x, norm="forward"), "c"),
    (lambda x: F.ihfftn(x), "r"),
]


@pytest.mark.parametrize("norm", ["backward", "forward", "ortho"])
def test_hermitian_nd_transforms(norm):
    z, x = _c(3, 4, 3), _r(3, 4, 6)
    swap = {"backward": "forward", "forward": "backward", "ortho": "ortho"}[norm]
    np.testing.assert_allclose(
        F.hfftn(Tensor(z), norm=norm).asnumpy(), np.fft.irfftn(z.conj(), norm=swap), atol=1e-10
    )
    np.testing.assert_allclose(
        F.hfft2(Tensor(z), s=(4, 5), norm=norm).asnumpy(),
        np.fft.irfft2(z.conj(), s=(4, 5), norm=swap),
        atol=1e-10,
    )
    np.testing.assert_allclose(
        F.ihfft2(Tensor(x), norm=norm).asnumpy(), np.fft.rfft2(x, norm=swap).conj(), atol=1e-10
    )
    np.testing.assert_allclose(F.hfftn(F.ihfftn(Tensor(x)), s=x.shape).asnumpy(), x, atol=1e-10)


@pytest.mark.parametrize("f, kind", GRADS)
def test_gradients_match_finite_differences(f, kind):
    x = _c(3, 4) if kind == "c" else _r(3, 4)
    check_grads(f, (Tensor(x),), modes=("rev",))


def test_irfft_gradient_weights_the_mirrored_bins():
    # d/dc of sum(irfft(c) * g): bin 0 and the Nyquist bin once, the others twice.
    n = 6
    g = _r(n)
    grad = ops.grad(lambda c: (F.irfft(c, n=n) * Tensor(g)).sum())(Tensor(_c(4)))
    expect = np.fft.rfft(g) / n * np.array([1, 2, 2, 1])
    np.testing.assert_allclose(grad.asnumpy(), expect, atol=1e-10)


def test_under_jit_and_vmap():
    x = _c(3, 2, 8)
    f = mc.jit(lambda t: F.irfft(F.fft2(t)[..., :5], n=8))
    np.testing.assert_allclose(
        f(Tensor(x)).asnumpy(), np.fft.irfft(np.fft.fft2(x)[..., :5], n=8), atol=1e-10
    )
    v = ops.vmap(lambda t: F.rfftn(F.real(t)), in_axes=1)(Tensor(x))
    np.testing.assert_allclose(
        v.asnumpy(), np.stack([np.fft.rfftn(x[:, i].real) for i in range(2)]), atol=1e-10
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="norm"):
        F.fft(Tensor(_r(4)), norm="half")
    with pytest.raises(ValueError, match="dim"):
        F.fft(Tensor(_r(4)), dim=1)
    with pytest.raises(TypeError, match="rfft"):
        F.rfft(Tensor(_c(4)))


@pytest.mark.parametrize("mode", [mc.PYNATIVE_MODE, mc.GRAPH_MODE])
def test_fft_with_size(mode):
    mc.set_context(mode=mode)
    try:
        x = _r(1, 2, 3, 4)
        P = ops.operations
        out = P.FFTWithSize(3, False, True)(Tensor(x))
        np.testing.assert_allclose(out.asnumpy(), np.fft.rfftn(x, axes=(1, 2, 3)), atol=1e-10)
        back = P.FFTWithSize(3, True, True, signal_sizes=(2, 3, 4))(out)
        np.testing.assert_allclose(back.asnumpy(), x, atol=1e-10)
        c = _c(2, 4)
        np.testing.assert_allclose(
            P.FFTWithSize(1, True, False, "ortho")(Tensor(c)).asnumpy(),
            np.fft.ifft(c, norm="ortho"),
            atol=1e-10,
        )
        full = P.FFTWithSize(2, False, True, onesided=False)(Tensor(x[0, 0]))
        np.testing.assert_allclose(full.asnumpy(), np.fft.fft2(x[0, 0]), atol=1e-10)
    finally:
        mc.set_context(mode=mc.PYNATIVE_MODE)


def _np_stft(x, n_fft, hop, window, normalized, onesided):
    frames = np.stack(
        [
            x[..., m * hop : m * hop + n_fft] * window
            for m in range(1 + (x.shape[-1] - n_fft) // hop)
        ],
        -2,
    )
    spec = np.fft.fft(frames, norm="ortho" if normalized else "backward")
    if onesided:
        spec = spec[..., : n_fft // 2 + 1]
    return np.swapaxes(spec, -1, -2)


@pytest.mark.parametrize("normalized", [False, True])
def test_stft_matches_numpy(normalized):
    x, window = _r(2, 20), np.hanning(6)
    got = F.stft(Tensor(x), 8, 3, 6, Tensor(window), normalized=normalized)
    padded = np.pad(x, ((0, 0), (4, 4)), mode="reflect")
    want = _np_stft(padded, 8, 3, np.pad(window, 1), normalized, True)
    assert got.shape == (*want.shape, 2)
    np.testing.assert_allclose(got.asnumpy(), np.stack([want.real, want.imag], -1), atol=1e-10)
    z = _c(13)
    got = F.stft(Tensor(z), 4, 2, center=False)
    assert got.dtype == mc.complex128
    np.testing.assert_allclose(got.asnumpy(), _np_stft(z, 4, 2, 1.0, False, False), atol=1e-10)


def test_stft_gradient_and_jit():
    window = Tensor(np.hanning(4))
    check_grads(lambda t: F.stft(t, 4, 2, window=window), (Tensor(_r(10)),), modes=("rev",))
    x = Tensor(_r(2, 12))
    np.testing.assert_allclose(
        mc.jit(lambda t: F.stft(t, 4))(x).asnumpy(), F.stft(x, 4).asnumpy(), atol=1e-12
    )


def test_stft_bad_arguments():
    with pytest.raises(ValueError, match="onesided"):
        F.stft(Tensor(_c(10)), 4, onesided=True)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        F.stft(Tensor(_r(1, 2, 10)), 4)
    with pytest.raises(TypeError, match="n_fft"):
        F.stft(Tensor(_r(10)), 4.0)
