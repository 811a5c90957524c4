"""The comparison every peer test makes: Mind's op and PyTorch's on the same float64 inputs,
forward values and the gradient of ``sum(out * w)`` for a fixed random ``w``."""

import numpy as np
import torch

import mind.core as ms
from mind.core import Tensor

_RNG = np.random.default_rng(7)


def compare(mind_fn, torch_fn, *arrays, rtol=1e-10, atol=1e-12, grad=True, grad_rtol=1e-8):
    """Forward and (when ``grad``) the gradient of sum(out * w) for a fixed random w."""
    out = mind_fn(*(Tensor(a) for a in arrays)).asnumpy()
    tensors = [torch.tensor(a, requires_grad=grad) for a in arrays]
    want = torch_fn(*tensors)
    np.testing.assert_allclose(out, want.detach().numpy(), rtol=rtol, atol=atol)
    assert out.shape == tuple(want.shape)
    if not grad:
        return
    w = _RNG.normal(size=out.shape)
    (want * torch.tensor(w)).sum().backward()
    positions = tuple(range(len(arrays)))

    def weighted(*xs):
        return (mind_fn(*xs) * Tensor(w)).sum()

    got = ms.grad(weighted, positions if len(arrays) > 1 else 0)(*(Tensor(a) for a in arrays))
    got = got if isinstance(got, tuple) else (got,)
    for g, t in zip(got, tensors):
        # torch leaves .grad None for an input the output does not depend on: a zero gradient
        want_grad = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(g.asnumpy(), want_grad, rtol=grad_rtol, atol=1e-10)
