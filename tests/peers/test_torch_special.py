"""Mind's special functions and windows against PyTorch's (torch.special and the torch window
functions): forward values and gradients on float64 inputs."""

import numpy as np
import pytest
import torch
from peer_compare import compare

from mind.core import ops

_RNG = np.random.default_rng(3)
POS = _RNG.uniform(0.3, 3.0, 7)
REAL = _RNG.uniform(-3.0, 3.0, 7)

# mind name -> (torch function, input); torch differentiates only some of them
UNARY = {
    "bessel_i0": (torch.special.i0, REAL, True),
    "bessel_i0e": (torch.special.i0e, REAL, True),
    "bessel_i1": (torch.special.i1, REAL, True),
    "bessel_i1e": (torch.special.i1e, REAL, True),
    "bessel_j0": (torch.special.bessel_j0, REAL, False),
    "bessel_j1": (torch.special.bessel_j1, REAL, False),
    "bessel_y0": (torch.special.bessel_y0, POS, False),
    "bessel_y1": (torch.special.bessel_y1, POS, False),
    "bessel_k0": (torch.special.modified_bessel_k0, POS, False),
    "bessel_k1": (torch.special.modified_bessel_k1, POS, False),
    "bessel_k0e": (torch.special.scaled_modified_bessel_k0, POS, False),
    "bessel_k1e": (torch.special.scaled_modified_bessel_k1, POS, False),
    "lgamma": (torch.lgamma, POS, True),
    "digamma": (torch.digamma, POS, True),
    "erfinv": (torch.erfinv, np.tanh(REAL), True),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_functions(name):
    fn, x, grad = UNARY[name]
    compare(getattr(ops, name), fn, x, rtol=1e-9, atol=1e-12, grad=grad, grad_rtol=1e-7)


def test_polygamma_mvlgamma_igamma_zeta():
    compare(lambda x: ops.polygamma(2, x), lambda x: torch.polygamma(2, x), POS, rtol=1e-9)
    compare(lambda x: ops.mvlgamma(x, 3), lambda x: torch.mvlgamma(x, 3), POS + 2, rtol=1e-9)
    # torch has no gradient of igamma for its first argument, nor of zeta
    compare(ops.igamma, torch.special.gammainc, POS, POS[::-1].copy(), grad=False, rtol=1e-9)
    compare(ops.igammac, torch.special.gammaincc, POS, POS[::-1].copy(), grad=False, rtol=1e-9)
    compare(ops.zeta, torch.special.zeta, POS + 1.5, POS, grad=False, rtol=1e-9)


def test_elementwise_compositions():
    other = _RNG.uniform(-3.0, 3.0, 7)
    compare(ops.logaddexp2, torch.logaddexp2, REAL, other)
    compare(ops.fmax, torch.fmax, REAL, other)
    compare(ops.fmin, torch.fmin, REAL, other)
    compare(ops.copysign, torch.copysign, REAL, other, grad=False)
    compare(lambda x, y: ops.float_power(x, y), torch.float_power, POS, other)
    compare(ops.ldexp, torch.ldexp, REAL, np.array([1.0, 2, 0, -1, 3, 1, 2]), grad=False)


@pytest.mark.parametrize(
    ("name", "torch_fn"),
    [
        ("bartlett_window", torch.bartlett_window),
        ("blackman_window", torch.blackman_window),
        ("hamming_window", torch.hamming_window),
        ("hann_window", torch.hann_window),
        ("kaiser_window", torch.kaiser_window),
    ],
)
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, torch_fn, periodic):
    got = getattr(ops, name)(9, periodic).asnumpy()
    want = torch_fn(9, periodic, dtype=torch.float64).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
