"""Mind's complex ops against PyTorch on the same complex128 inputs: forward values, and the
gradients of the real loss ``sum(Re(out * w))`` (``sum(out * w)`` for a real output) for fixed
random ``w``. Both report ``dL/dx + i dL/dy`` for a complex input ``z = x + iy``.

Run by ``nox -s peers`` (PyTorch installed); the default test run does not collect this
directory.
"""

import numpy as np
import pytest
import torch

import mind.core as ms
from mind.core import Tensor, ops

RNG = np.random.default_rng(3)


def _z(*shape):
    return RNG.normal(size=shape) + 1j * RNG.normal(size=shape)


Z, W = _z(3, 4), _z(3, 4)
X, Y = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))


def _compare(mind_fn, torch_fn, *arrays, rtol=1e-10):
    out = mind_fn(*(Tensor(a) for a in arrays))
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    want = torch_fn(*tensors)
    np.testing.assert_allclose(out.asnumpy(), want.detach().numpy(), rtol=rtol, atol=1e-12)
    w = _z(*out.shape) if out.dtype.is_complex else RNG.normal(size=out.shape)
    loss = want * torch.tensor(w)
    (loss.real if loss.is_complex() else loss).sum().backward()

    def weighted(*xs):
        total = mind_fn(*xs) * Tensor(w)
        return (ops.real(total) if total.dtype.is_complex else total).sum()

    positions = tuple(range(len(arrays)))
    got = ms.grad(weighted, positions)(*(Tensor(a) for a in arrays))
    got = got if isinstance(got, tuple) else (got,)  # one position: grad gives the Tensor
    for g, t in zip(got, tensors):
        want_grad = np.zeros(t.shape) if t.grad is None else t.grad.resolve_conj().numpy()
        np.testing.assert_allclose(g.asnumpy(), want_grad, rtol=1e-8, atol=1e-10)


UNARY = [
    ("real", ops.real, torch.real),
    ("imag", ops.imag, torch.imag),
    ("conj", ops.conj, lambda z: torch.conj(z).resolve_conj()),
    ("abs", ops.abs, torch.abs),
    ("angle", ops.angle, torch.angle),
    ("view_as_real", ops.view_as_real, torch.view_as_real),
    ("exp", ops.exp, torch.exp),
    ("log", ops.log, torch.log),
    ("sqrt", ops.sqrt, torch.sqrt),
    ("sin", ops.sin, torch.sin),
    ("cos", ops.cos, torch.cos),
    ("tanh", ops.tanh, torch.tanh),
    ("tan", ops.tan, torch.tan),
    ("sinh", ops.sinh, torch.sinh),
    ("asin", ops.asin, torch.asin),
    ("atan", ops.atan, torch.atan),
    ("asinh", ops.asinh, torch.asinh),
    ("reciprocal", ops.reciprocal, torch.reciprocal),
    ("square", ops.square, torch.square),
    ("sum", lambda z: z.sum(axis=1), lambda z: z.sum(1)),
    ("mean", ops.mean, torch.mean),
]


@pytest.mark.parametrize(("name", "mind_fn", "torch_fn"), UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, mind_fn, torch_fn):
    _compare(mind_fn, torch_fn, Z)


BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / b, lambda a, b: a / b),
    ("pow", ops.pow, torch.pow),
    ("matmul", lambda a, b: ops.matmul(a, b.T), lambda a, b: a @ b.T),
]


@pytest.mark.parametrize(("name", "mind_fn", "torch_fn"), BINARY, ids=[b[0] for b in BINARY])
def test_binary(name, mind_fn, torch_fn):
    _compare(mind_fn, torch_fn, Z, W)


def test_complex_of_real_parts():
    _compare(ops.complex, torch.complex, X, Y)


def test_polar():
    _compare(ops.polar, torch.polar, np.abs(X), Y)


def test_mixed_real_and_complex():
    _compare(lambda x, z: x * z + ops.abs(z) * x, lambda x, z: x * z + torch.abs(z) * x, X, Z)


def test_complex_sensitivity_is_torchs_grad_output():
    v = _z(3, 4)
    tensors = [torch.tensor(a, requires_grad=True) for a in (Z, W)]
    (tensors[0] * torch.tanh(tensors[1])).backward(torch.tensor(v))
    grads = ms.ops.GradOperation(get_all=True, sens_param=True)(lambda a, b: a * ops.tanh(b))
    got = grads(Tensor(Z), Tensor(W), Tensor(v))
    for g, t in zip(got, tensors):
        np.testing.assert_allclose(g.asnumpy(), t.grad.numpy(), rtol=1e-10)


def test_vjp_of_a_complex_cotangent_is_torchs():
    v = _z(3, 4)
    tensors = [torch.tensor(a, requires_grad=True) for a in (Z, W)]
    want = torch.autograd.grad(torch.sin(tensors[0]) * tensors[1], tensors, torch.tensor(v))
    _, vjp_fn = ms.vjp(lambda a, b: ops.sin(a) * b, Tensor(Z), Tensor(W))
    for g, t in zip(vjp_fn(Tensor(v)), want):
        np.testing.assert_allclose(g.asnumpy(), t.numpy(), rtol=1e-10)
