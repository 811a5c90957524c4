"""Example inputs for every primitive: what the primitive tests and the device conformance suite
run each primitive on.

Each primitive's example is registered right under its definition
(``example(matmul_p, lambda c: ([c.r(2, 3, 4), c.r(4, 5)], {}, np.matmul))``, see
:func:`mind.core._src.ops.dispatch.example`), written with the input makers and references here
(``c`` is this module). ``FORWARD[name] = (inputs, attrs, reference)``: numpy inputs, the
attributes, and a numpy (or scipy) function computing the expected output from the inputs (``None``
where another test checks the value). The references that need scipy are only built when scipy is
installed; the inputs never need it. ``RANDOM`` names the random primitives (no fixed output).
"""

from __future__ import annotations

import sys

import numpy as np

try:
    from scipy import special
except ImportError:  # the references that use it are then unavailable
    special = None

from mind.core._src.autodiff import eager  # noqa: F401  (defines identity)
from mind.core._src.ops import functional  # noqa: F401  (defines every primitive)
from mind.core._src.ops.dispatch import EXAMPLES

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def pos(*shape):
    return rng.uniform(0.5, 2.0, shape).astype(np.float32)


def idx(high, *shape):
    return rng.integers(0, high, shape).astype(np.int64)


def _windows(x, k, s, reduce):
    """Pooling by a loop over windows: ``reduce`` (np.max, np.mean) of each k x k window."""
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.empty((n, c, oh, ow), x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(x[:, :, i * s : i * s + k, j * s : j * s + k], axis=(2, 3))
    return out


def conv_ref(x, w, stride=1, pad=0):
    """Direct-loop convolution: an independent reference for the im2col kernel."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


CONV = {"stride": (1, 1), "pads": (1, 1, 1, 1), "dilation": (1, 1), "groups": 1}
CONV_S2 = {"stride": (2, 2), "pads": (0, 0, 0, 0), "dilation": (1, 1), "groups": 1}
POOL = {"kernel": (2, 2), "stride": (2, 2), "pads": (0, 0, 0, 0)}
X4, W4 = r(2, 3, 5, 5), r(4, 3, 3, 3)
XP = r(2, 2, 4, 4)
LABELS = idx(5, 6)

# name -> (inputs, attrs, numpy reference of the output), from the examples registered beside the
# primitives' definitions.
FORWARD = {prim.name: case(sys.modules[__name__]) for prim, case in EXAMPLES.items()}


RANDOM = {"uniform", "normal", "randint", "bernoulli"}
