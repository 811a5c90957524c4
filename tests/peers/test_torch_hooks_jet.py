"""Tensor.register_hook and ops.jet against PyTorch: the same hooks on the same float64 graph give
the same gradients and see the same values; jet's terms are torch's nested derivatives in t of
f(x(t))."""

import math

import numpy as np
import torch

import mind.core as ms
from mind.core import Tensor, ops

_RNG = np.random.default_rng(11)
X, Y = _RNG.normal(size=4), _RNG.normal(size=4)


def test_hooks_on_an_input_and_an_intermediate_match_torch():
    def build(lib, x, y, seen):
        z = x * y
        z.register_hook(
            lambda g: (
                seen.append((g.detach().numpy() if lib is torch else g.asnumpy()).copy()) or g * 3
            )
        )
        w = lib.sin(z) * z + z * z  # z used three times
        w.register_hook(lambda g: g + 1)
        return (w * y).sum()

    mind_seen, torch_seen = [], []
    xm, ym = Tensor(X), Tensor(Y)
    xm.register_hook(lambda g: g * -2)
    gx, gy = ms.grad(lambda x, y: build(ops, x, y, mind_seen), (0, 1))(xm, ym)
    xt = torch.tensor(X, requires_grad=True)
    yt = torch.tensor(Y, requires_grad=True)
    xt.register_hook(lambda g: g * -2)
    build(torch, xt, yt, torch_seen).backward()
    assert len(mind_seen) == len(torch_seen) == 1
    np.testing.assert_allclose(mind_seen[0], torch_seen[0], rtol=1e-12)
    np.testing.assert_allclose(gx.asnumpy(), xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gy.asnumpy(), yt.grad.numpy(), rtol=1e-12)


def _torch_terms(f, x, series):
    """d^k/dt^k f(x + sum_k s_k t^k / k!) at t = 0, by nested torch.autograd.grad in t."""
    t = torch.zeros((), dtype=torch.float64, requires_grad=True)
    curve = torch.tensor(x)
    for k, s in enumerate(series, 1):
        curve = curve + torch.tensor(s) * t**k / math.factorial(k)
    out, terms = f(curve), []
    for i in range(out.numel()):
        d = out.reshape(-1)[i]
        column = []
        for _ in range(len(series)):
            (d,) = torch.autograd.grad(d, t, create_graph=True)
            column.append(d.item())
        terms.append(column)
    return np.array(terms).T.reshape((len(series), *out.shape))


def test_jet_terms_are_torchs_nested_derivatives():
    series = _RNG.normal(size=(3, 4))

    def f(lib):
        return lambda v: lib.tanh(v) * lib.exp(v[::-1] if lib is ops else v.flip(0)) + v**3

    _, terms = ops.jet(f(ops), Tensor(X), Tensor(series))
    want = _torch_terms(f(torch), X, series)
    np.testing.assert_allclose(terms.asnumpy(), want, rtol=1e-10, atol=1e-12)
