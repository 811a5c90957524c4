"""Mind's Fourier transforms against torch.fft on the same float64/complex128 inputs: forward
values, and the gradients of the real loss ``sum(Re(out * w))`` (``sum(out * w)`` for a real
output) for fixed random ``w``, torch.autograd's against Mind's.

Run by ``nox -s peers`` (PyTorch installed); the default test run does not collect this
directory.
"""

import numpy as np
import pytest
import torch

import mind.core as ms
from mind.core import Tensor, ops
from mind.core._src.ops import fft as F

RNG = np.random.default_rng(11)


def _z(*shape):
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


def _compare(mind_fn, torch_fn, x):
    out = mind_fn(Tensor(x))
    t = torch.tensor(x, requires_grad=True)
    want = torch_fn(t)
    np.testing.assert_allclose(
        out.asnumpy(), want.detach().resolve_conj().numpy(), rtol=1e-10, atol=1e-12
    )
    w = _z(*out.shape) if out.dtype.is_complex else RNG.normal(size=out.shape)
    loss = want * torch.tensor(w)
    (loss.real if loss.is_complex() else loss).sum().backward()

    def weighted(z):
        total = mind_fn(z) * Tensor(w)
        return (ops.real(total) if total.dtype.is_complex else total).sum()

    got = ms.grad(weighted)(Tensor(x))
    np.testing.assert_allclose(got.asnumpy(), t.grad.resolve_conj().numpy(), rtol=1e-8, atol=1e-10)


CASES = [
    (
        "fft",
        lambda x: F.fft(x, n=7, norm="ortho"),
        lambda x: torch.fft.fft(x, n=7, norm="ortho"),
        "c",
    ),
    ("ifft", lambda x: F.ifft(x, dim=0), lambda x: torch.fft.ifft(x, dim=0), "c"),
    ("fft2", lambda x: F.fft2(x, s=(2, 6)), lambda x: torch.fft.fft2(x, s=(2, 6)), "c"),
    (
        "ifftn",
        lambda x: F.ifftn(x, norm="forward"),
        lambda x: torch.fft.ifftn(x, norm="forward"),
        "c",
    ),
    ("fft_real", F.fft, torch.fft.fft, "r"),
    ("rfft", lambda x: F.rfft(x, n=9), lambda x: torch.fft.rfft(x, n=9), "r"),
    ("rfft2", F.rfft2, torch.fft.rfft2, "r"),
    ("rfftn", lambda x: F.rfftn(x, norm="ortho"), lambda x: torch.fft.rfftn(x, norm="ortho"), "r"),
    ("irfft", F.irfft, torch.fft.irfft, "c"),
    ("irfft_odd", lambda x: F.irfft(x, n=7), lambda x: torch.fft.irfft(x, n=7), "c"),
    ("irfft2", F.irfft2, torch.fft.irfft2, "c"),
    ("irfftn", lambda x: F.irfftn(x, s=(3, 4, 5)), lambda x: torch.fft.irfftn(x, s=(3, 4, 5)), "c"),
    ("hfft", lambda x: F.hfft(x, n=8), lambda x: torch.fft.hfft(x, n=8), "c"),
    ("ihfft", F.ihfft, torch.fft.ihfft, "r"),
    ("hfft2", F.hfft2, torch.fft.hfft2, "c"),
    ("hfftn", lambda x: F.hfftn(x, norm="ortho"), lambda x: torch.fft.hfftn(x, norm="ortho"), "c"),
    ("ihfft2", F.ihfft2, torch.fft.ihfft2, "r"),
    ("ihfftn", lambda x: F.ihfftn(x, s=(3, 4, 5)), lambda x: torch.fft.ihfftn(x, s=(3, 4, 5)), "r"),
    ("fftshift", F.fftshift, torch.fft.fftshift, "r"),
    ("ifftshift", lambda x: F.ifftshift(x, 1), lambda x: torch.fft.ifftshift(x, 1), "c"),
]


@pytest.mark.parametrize("name, mind_fn, torch_fn, kind", CASES, ids=[c[0] for c in CASES])
def test_transform_matches_torch(name, mind_fn, torch_fn, kind):
    x = _z(3, 4, 5) if kind == "c" else RNG.normal(size=(3, 4, 6))
    _compare(mind_fn, torch_fn, x)


@pytest.mark.parametrize("normalized", [False, True])
def test_stft_matches_torch(normalized):
    x, window = RNG.normal(size=(2, 30)), np.hanning(6)

    def mind_fn(t):
        return F.stft(t, 8, 3, 6, Tensor(window), normalized=normalized, return_complex=True)

    def torch_fn(t):
        return torch.stft(
            t,
            8,
            3,
            6,
            torch.tensor(window),
            normalized=normalized,
            return_complex=True,
            pad_mode="reflect",
        )

    _compare(mind_fn, torch_fn, x)


def test_frequencies_match_torch():
    np.testing.assert_allclose(
        F.fftfreq(9, 0.1).asnumpy(), torch.fft.fftfreq(9, 0.1).numpy(), rtol=1e-6
    )
    np.testing.assert_allclose(F.rfftfreq(8).asnumpy(), torch.fft.rfftfreq(8).numpy(), rtol=1e-6)
