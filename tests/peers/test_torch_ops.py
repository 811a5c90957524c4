"""Mind's ops against PyTorch on the same inputs: forward values and gradients.

Run by ``nox -s peers`` (PyTorch installed, exactly torch==2.13.0 CPU); the default test run
does not collect this directory. Each case names the Mind call and the PyTorch call; inputs are
float64 so a difference is the op's, not rounding's.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare as _compare

from mind.core import ops

RNG = np.random.default_rng(7)


X = RNG.normal(size=(3, 5))
U = np.tanh(X) * 0.9
P = np.abs(X) + 0.3

UNARY = [
    ("tan", U),
    ("atan", X),
    ("asin", U),
    ("acos", U),
    ("sinh", X),
    ("cosh", X),
    ("asinh", X),
    ("acosh", P + 1),
    ("atanh", U),
    ("expm1", X),
    ("erfc", X),
    ("log2", P),
    ("log10", P),
    ("exp2", X),
    ("sinc", X),
    ("logit", (U + 1) / 2),
    ("rad2deg", X),
    ("deg2rad", X),
    ("frac", X * 3),
]


@pytest.mark.parametrize("name, x", UNARY, ids=[n for n, _ in UNARY])
def test_unary_math(name, x):
    _compare(getattr(ops, name), getattr(torch, name), x)


ACTIVATIONS = [
    ("softsign", TF.softsign),
    ("hardtanh", TF.hardtanh),
    ("relu6", TF.relu6),
    ("selu", TF.selu),
    ("celu", TF.celu),
    ("hardsigmoid", TF.hardsigmoid),
    ("hardswish", TF.hardswish),
    ("mish", TF.mish),
    ("logsigmoid", TF.logsigmoid),
    ("hardshrink", TF.hardshrink),
    ("softshrink", TF.softshrink),
    ("tanhshrink", TF.tanhshrink),
    ("glu", TF.glu),
]


@pytest.mark.parametrize("name, peer", ACTIVATIONS, ids=[n for n, _ in ACTIVATIONS])
def test_activations(name, peer):
    x = np.where(np.abs(np.abs(X * 3) - 0.5) < 0.05, X * 3 + 0.1, X * 3)  # off the kinks
    x = np.concatenate([x, x], axis=-1)  # an even last axis for glu
    # PyTorch's hardsigmoid/hardswish backward uses 1/6 as a float32 literal (2**-25 relative)
    grad_rtol = 1e-7 if name in ("hardsigmoid", "hardswish") else 1e-8
    _compare(getattr(ops, name), peer, x, grad_rtol=grad_rtol)


BINARY = [
    ("atan2", torch.atan2, X, P),
    ("hypot", torch.hypot, X, P),
    ("fmod", torch.fmod, X * 5, P + 0.5),
    ("xlogy", torch.xlogy, np.where(X > 1, 0.0, X), P),
    ("logaddexp", torch.logaddexp, X * 30, P * 30),
]


@pytest.mark.parametrize("name, peer, x, y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_math(name, peer, x, y):
    _compare(getattr(ops, name), peer, x, y, grad=name != "xlogy")
    if name == "xlogy":  # torch's gradient at x == 0 is that of x * log(y): compare elsewhere
        _compare(getattr(ops, name), peer, np.where(x == 0, 0.4, x), y)


def test_lerp_addcmul_addcdiv_and_prelu():
    a, b, w = X, P, U
    _compare(ops.lerp, torch.lerp, a, b, w)
    _compare(
        lambda x, y, z: ops.addcmul(x, y, z, 0.5),
        lambda x, y, z: torch.addcmul(x, y, z, value=0.5),
        a,
        b,
        w,
    )
    _compare(
        lambda x, y, z: ops.addcdiv(x, y, z, 2),
        lambda x, y, z: torch.addcdiv(x, y, z, value=2),
        a,
        w,
        b,
    )
    x = RNG.normal(size=(2, 3, 4))
    _compare(ops.prelu, TF.prelu, x, np.array([0.1, 0.2, 0.3]))


INTERPOLATE = [
    ((1, 2, 5, 7), {"size": (3, 9), "mode": "bilinear"}),
    ((1, 2, 5, 7), {"size": (8, 4), "mode": "bilinear", "align_corners": True}),
    ((1, 2, 5, 7), {"scale_factor": 1.7, "mode": "bilinear"}),
    # no bicubic: Mind's is MindSpore's (ResizeBicubic, TensorFlow's kernel), not PyTorch's
    ((2, 3, 6), {"size": 11, "mode": "linear"}),
    ((2, 3, 6), {"scale_factor": 2.5, "mode": "nearest"}),
    ((1, 1, 5, 7), {"size": (3, 4), "mode": "nearest"}),
    ((1, 1, 5, 7), {"size": (8, 9), "mode": "nearest-exact"}),
    ((1, 1, 5, 7), {"size": (3, 4), "mode": "area"}),
    ((1, 1, 3, 4, 5), {"size": (5, 6, 2), "mode": "trilinear"}),
    (
        (1, 2, 5, 7),
        {"scale_factor": (0.6, 1.5), "mode": "bilinear", "recompute_scale_factor": True},
    ),
]


@pytest.mark.parametrize("shape, kwargs", INTERPOLATE, ids=[str(k) for _, k in INTERPOLATE])
def test_interpolate(shape, kwargs):
    x = RNG.normal(size=shape)
    _compare(lambda t: ops.interpolate(t, **kwargs), lambda t: TF.interpolate(t, **kwargs), x)


@pytest.mark.parametrize(
    "stride, padding, output_padding", [(2, 0, 1), (2, 1, 1), (3, 1, 2), (1, 0, 0)]
)
def test_conv_transpose2d(stride, padding, output_padding):
    x, w = RNG.normal(size=(1, 2, 3, 3)), RNG.normal(size=(2, 3, 3, 3))
    kwargs = {"stride": stride, "padding": padding, "output_padding": output_padding}
    _compare(
        lambda a, b: ops.conv_transpose2d(a, b, **kwargs),
        lambda a, b: TF.conv_transpose2d(a, b, **kwargs),
        x,
        w,
    )
