"""mind.core.nn's MindSpore optimizers against torch.optim where both implement one algorithm
(Adagrad, Adadelta, Adamax, Rprop, ASGD): identical float64 parameters and gradients, 10 steps
side by side. Run by ``nox -s peers``.

The tolerances say where MindSpore's rule differs from PyTorch's: AdaMax adds eps to the
denominator (PyTorch inside the max, here 1e-12 for both), Rprop and ASGD compute in float32.
"""

import numpy as np
import pytest
import torch

from mind.core import Parameter, Tensor, nn

STEPS = 10
SHAPES = [(3, 4), (4,), (2, 2)]


@pytest.fixture(autouse=True)
def _float64_scalars():
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


CONFIGS = [
    (
        "Adagrad",
        lambda p: nn.Adagrad(p, accum=0.1, learning_rate=0.1, weight_decay=0.1),
        lambda p: torch.optim.Adagrad(
            p, lr=0.1, initial_accumulator_value=0.1, eps=0.0, weight_decay=0.1
        ),
        1e-10,
    ),
    (
        "Adadelta",
        lambda p: nn.Adadelta(p, learning_rate=0.5, rho=0.8, epsilon=1e-6),
        lambda p: torch.optim.Adadelta(p, lr=0.5, rho=0.8, eps=1e-6),
        1e-10,
    ),
    (
        "Adamax",
        lambda p: nn.AdaMax(p, learning_rate=0.01, beta1=0.8, beta2=0.9, eps=1e-12),
        lambda p: torch.optim.Adamax(p, lr=0.01, betas=(0.8, 0.9), eps=1e-12),
        1e-9,
    ),
    (
        "Rprop",
        lambda p: nn.Rprop(p, learning_rate=0.01, etas=(0.4, 1.3), step_sizes=(1e-4, 0.05)),
        lambda p: torch.optim.Rprop(p, lr=0.01, etas=(0.4, 1.3), step_sizes=(1e-4, 0.05)),
        1e-6,
    ),
    (
        "ASGD",
        lambda p: nn.ASGD(p, learning_rate=0.05, lambd=1e-2, t0=4.0, weight_decay=0.1),
        lambda p: torch.optim.ASGD(p, lr=0.05, lambd=1e-2, t0=4.0, weight_decay=0.1),
        1e-6,
    ),
]


@pytest.mark.parametrize("config", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_against_torch(config):
    name, mine_fn, peer_fn, rtol = config
    rng = np.random.default_rng(0)
    values = [rng.normal(size=s) for s in SHAPES]
    ours = [Parameter(Tensor(v.copy()), name=f"p{i}") for i, v in enumerate(values)]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    mine, peer = mine_fn(ours), peer_fn(theirs)
    for step in range(STEPS):
        grads = [rng.normal(size=s) for s in SHAPES]
        for t, g in zip(theirs, grads):
            t.grad = torch.tensor(g)
        peer.step()
        mine(tuple(Tensor(g) for g in grads))
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(
                o.asnumpy(), t.detach().numpy(), rtol=rtol, atol=rtol, err_msg=f"{name} {step}"
            )
    if name == "ASGD":  # the average too
        for i, t in enumerate(theirs):
            np.testing.assert_allclose(
                mine._slot_params("ax")[i].asnumpy(), peer.state[t]["ax"].numpy(), rtol=1e-6
            )
