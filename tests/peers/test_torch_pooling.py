"""Mind's 1-d and 3-d pooling, 3-d convolutions, unfold/fold and the shuffles against
torch.nn.functional on the same float64 inputs: forward values and the gradient of
``sum(out * w)``.

Run by ``nox -s peers`` (PyTorch installed); the default test run does not collect this
directory.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare as _compare

from mind.core import Tensor, ops

RNG = np.random.default_rng(5)


def _r(*shape):
    return RNG.normal(size=shape)


X1, X2, X3 = _r(2, 3, 11), _r(2, 3, 7, 6), _r(2, 3, 5, 6, 7)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "ceil", "include"),
    [(3, 2, 1, False, True), (3, 2, 1, True, True), (4, 3, 2, True, False), (2, 2, 0, False, True)],
)
def test_avg_pool1d_and_3d(kernel, stride, padding, ceil, include):
    _compare(
        lambda x: ops.avg_pool1d(x, kernel, stride, padding, ceil, include),
        lambda x: TF.avg_pool1d(x, kernel, stride, padding, ceil, include),
        X1,
    )
    _compare(
        lambda x: ops.avg_pool3d(x, kernel, stride, padding, ceil, include),
        lambda x: TF.avg_pool3d(x, kernel, stride, padding, ceil, include),
        X3,
    )


def test_avg_pool3d_divisor_override():
    _compare(
        lambda x: ops.avg_pool3d(x, 3, 2, 1, divisor_override=7),
        lambda x: TF.avg_pool3d(x, 3, 2, 1, divisor_override=7),
        X3,
    )


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation", "ceil"),
    [
        (2, 2, 0, 1, False),
        (3, 2, 1, 1, True),
        (2, 1, 1, 2, False),
        ((2, 3, 2), (1, 2, 2), (1, 1, 0), 1, True),
    ],
)
def test_max_pool3d_values_indices_and_gradient(kernel, stride, padding, dilation, ceil):
    _compare(
        lambda x: ops.max_pool3d(x, kernel, stride, padding, dilation, ceil),
        lambda x: TF.max_pool3d(x, kernel, stride, padding, dilation, ceil),
        X3,
    )
    _, idx = ops.max_pool3d(Tensor(X3), kernel, stride, padding, dilation, ceil, True)
    _, want = TF.max_pool3d(torch.tensor(X3), kernel, stride, padding, dilation, ceil, True)
    np.testing.assert_array_equal(idx.asnumpy(), want.numpy())


def test_adaptive_pools():
    _compare(lambda x: ops.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4), X1)
    _compare(lambda x: ops.adaptive_max_pool1d(x, 4), lambda x: TF.adaptive_max_pool1d(x, 4), X1)
    _compare(
        lambda x: ops.adaptive_max_pool2d(x, (3, 4)),
        lambda x: TF.adaptive_max_pool2d(x, (3, 4)),
        X2,
    )
    _compare(
        lambda x: ops.adaptive_avg_pool3d(x, (2, 4, 3)),
        lambda x: TF.adaptive_avg_pool3d(x, (2, 4, 3)),
        X3,
    )
    _compare(
        lambda x: ops.adaptive_max_pool3d(x, (2, 4, 3)),
        lambda x: TF.adaptive_max_pool3d(x, (2, 4, 3)),
        X3,
    )
    _, idx = ops.adaptive_max_pool2d(Tensor(X2), (3, 4), True)
    _, want = TF.adaptive_max_pool2d(torch.tensor(X2), (3, 4), True)
    np.testing.assert_array_equal(idx.asnumpy(), want.numpy())


def test_lp_pools():
    a1, a2 = np.abs(X1) + 0.1, np.abs(X2) + 0.1
    _compare(lambda x: ops.lp_pool1d(x, 2, 3, 2), lambda x: TF.lp_pool1d(x, 2, 3, 2), a1)
    _compare(lambda x: ops.lp_pool2d(x, 3, 2), lambda x: TF.lp_pool2d(x, 3, 2), a2)


def test_max_unpool():
    x = _r(2, 3, 4, 6, 4)
    pooled, idx = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    i = Tensor(idx.numpy())
    _compare(
        lambda v: ops.max_unpool3d(v, i, 2), lambda v: TF.max_unpool3d(v, idx, 2), pooled.numpy()
    )


@pytest.mark.parametrize(
    ("stride", "padding", "dilation", "groups"),
    [(1, 0, 1, 1), ((1, 2, 1), (1, 0, 2), (2, 1, 1), 3)],
)
def test_conv3d_and_its_transpose(stride, padding, dilation, groups):
    w = _r(6, 3 // groups, 2, 3, 2)
    _compare(
        lambda x, k: ops.conv3d(x, k, None, stride, "pad", padding, dilation, groups),
        lambda x, k: TF.conv3d(x, k, None, stride, padding, dilation, groups),
        X3,
        w,
        rtol=1e-9,
    )
    wt = _r(3, 6 // groups, 2, 3, 2)
    _compare(
        lambda x, k: ops.conv3d_transpose(x, k, "pad", padding, stride, dilation, groups, 0),
        lambda x, k: TF.conv_transpose3d(x, k, None, stride, padding, 0, groups, dilation),
        X3,
        wt,
        rtol=1e-9,
    )


def test_unfold_fold_shuffles_and_lrn():
    _compare(
        lambda x: ops.unfold(x, (2, 3), (1, 2), 1, (2, 1)),
        lambda x: TF.unfold(x, (2, 3), (1, 2), 1, (2, 1)),
        X2,
    )
    # (5 + 2 - 1) x (6 + 2 - 1) = 42 blocks of a 2 x 2 kernel, padding 1
    _compare(
        lambda x: ops.fold(x, (5, 6), 2, 1, 1, 1),
        lambda x: TF.fold(x, (5, 6), 2, 1, 1, 1),
        _r(2, 12, 42),
    )
    x = _r(2, 12, 3, 4)
    _compare(lambda v: ops.pixel_shuffle(v, 2), lambda v: TF.pixel_shuffle(v, 2), x)
    _compare(
        lambda v: ops.pixel_unshuffle(v, 2), lambda v: TF.pixel_unshuffle(v, 2), _r(2, 3, 4, 6)
    )
    _compare(lambda v: ops.channel_shuffle(v, 3), lambda v: TF.channel_shuffle(v, 3), x)
    # torch's alpha is divided by the window size; MindSpore's is not.
    _compare(
        lambda v: ops.lrn(v, 2, 1.5, 0.2, 0.75),
        lambda v: TF.local_response_norm(v, 5, 0.2 * 5, 0.75, 1.5),
        x,
    )


@pytest.mark.parametrize(("kernel", "size"), [(2, (3, 4)), ((3, 2), (4, 2))])
def test_fractional_max_pools(kernel, size):
    samples = RNG.uniform(size=(2, 3, 2))
    s = Tensor(samples)
    _compare(
        lambda x: ops.fractional_max_pool2d(x, kernel, size, None, False, s),
        lambda x: TF.fractional_max_pool2d(x, kernel, size, _random_samples=torch.tensor(samples)),
        X2,
    )
    samples3 = RNG.uniform(size=(2, 3, 3))
    s3 = Tensor(samples3)
    _compare(
        lambda x: ops.fractional_max_pool3d(x, 2, (3, 4, 3), None, False, s3),
        lambda x: TF.fractional_max_pool3d(x, 2, (3, 4, 3), _random_samples=torch.tensor(samples3)),
        X3,
    )
