"""Mind's affine_grid, grid_sample and col2im against torch.nn.functional (affine_grid,
grid_sample, fold) on the same float64 inputs: forward values and the gradient of
``sum(out * w)`` w.r.t. every input.

Run by ``nox -s peers`` (PyTorch installed); the default test run does not collect this
directory.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare

from mind.core import Tensor, ops

RNG = np.random.default_rng(11)


def _r(*shape, scale=1.0):
    return RNG.normal(size=shape) * scale


# grid points away from pixel centres and reflection folds, where the samplers are smooth
X4, G4 = _r(2, 3, 5, 6), RNG.uniform(-1.3, 1.3, size=(2, 4, 3, 2))
X5, G5 = _r(2, 2, 3, 4, 5), RNG.uniform(-1.3, 1.3, size=(2, 2, 3, 2, 3))


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(("x", "g"), [(X4, G4), (X5, G5)], ids=["4d", "5d"])
def test_grid_sample_bilinear(x, g, padding_mode, align):
    compare(
        lambda a, b: ops.grid_sample(a, b, "bilinear", padding_mode, align),
        lambda a, b: TF.grid_sample(a, b, "bilinear", padding_mode, align),
        x,
        g,
    )


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(("x", "g"), [(X4, G4), (X5, G5)], ids=["4d", "5d"])
def test_grid_sample_nearest(x, g, padding_mode, align):
    # nearest is piecewise constant in the grid: only the input's gradient is compared
    compare(
        lambda a: ops.grid_sample(a, Tensor(g), "nearest", padding_mode, align),
        lambda a: TF.grid_sample(a, torch.tensor(g), "nearest", padding_mode, align),
        x,
    )


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(
    ("theta", "size"), [(_r(2, 2, 3), (2, 3, 4, 5)), (_r(2, 3, 4), (2, 1, 3, 4, 2))]
)
def test_affine_grid(theta, size, align):
    compare(
        lambda t: ops.affine_grid(t, size, align),
        lambda t: TF.affine_grid(t, size, align),
        theta,
    )


def test_affine_grid_then_grid_sample():
    theta = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.05]]]) + _r(1, 2, 3, scale=0.01)
    x = _r(1, 2, 6, 7)
    compare(
        lambda t, a: ops.grid_sample(a, ops.affine_grid(t, (1, 2, 4, 5))),
        lambda t, a: TF.grid_sample(a, TF.affine_grid(t, (1, 2, 4, 5), False), align_corners=False),
        theta,
        x,
    )


def test_col2im_is_fold():
    cols = _r(2, 3, 4, 12)
    compare(
        lambda c: ops.col2im(c, (5, 6), 2, 1, 1, 2),
        lambda c: TF.fold(c.reshape(2, 12, 12), (5, 6), 2, 1, 1, 2),
        cols,
    )
