"""mind.core.experimental.optim against torch.optim: the same optimizer and scheduler
configurations on identical float64 parameters and gradients, side by side for 10 steps; the
parameters (and the learning rates) must agree to 1e-10. Run by ``nox -s peers``."""

import numpy as np
import pytest
import torch

from mind.core import Parameter, Tensor
from mind.core.experimental import optim

STEPS = 10


@pytest.fixture(autouse=True)
def _float64_scalars():
    """torch keeps scalar state (ASGD's eta and mu, step counts) in the default dtype: float64
    here, as Mind's, so the comparison is of the rules, not of float32 rounding."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


SHAPES = [(3, 4), (4,), (2, 2)]


def _start(seed=0):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(STEPS)]
    return values, grads


def _groups(params, per_group):
    """Two groups: the first parameter alone with its own options, the rest with the defaults."""
    if per_group is None:
        return list(params)
    return [{"params": [params[0]], **per_group}, {"params": list(params[1:])}]


def _pair(name, kwargs, per_group=None, seed=0):
    values, grads = _start(seed)
    ours = [Parameter(Tensor(v.copy()), name=f"p{i}") for i, v in enumerate(values)]
    theirs = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    mine = getattr(optim, name)(_groups(ours, per_group), **kwargs)
    peer = getattr(torch.optim, name)(_groups(theirs, per_group), **kwargs)
    return ours, theirs, mine, peer, grads


def _step(ours, theirs, mine, peer, grads):
    for t, g in zip(theirs, grads):
        t.grad = torch.tensor(g)
    peer.step()
    mine(tuple(Tensor(g) for g in grads))


def _same(ours, theirs, what):
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(
            o.asnumpy(), t.detach().numpy(), rtol=1e-10, atol=1e-10, err_msg=what
        )


CONFIGS = [
    ("SGD", {"lr": 0.1}, None),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, {"lr": 0.05}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "maximize": True}, None),
    ("SGD", {"lr": 0.1, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1}, {"lr": 0.2}),
    ("Adam", {"lr": 0.01}, {"lr": 0.03, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True, "maximize": True}, None),
    ("AdamW", {"lr": 0.01}, {"lr": 0.02, "weight_decay": 0.5}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}, None),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}, {"lr": 0.3}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.5, "maximize": True}, None),
    ("Adadelta", {"lr": 1.0, "rho": 0.8, "weight_decay": 0.1}, {"lr": 0.5}),
    ("Adamax", {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.05, "betas": (0.5, 0.9)}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-3, "t0": 4, "weight_decay": 0.1}, {"lr": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.03, "momentum_decay": 0.01}),
    ("RAdam", {"lr": 0.01}, {"lr": 0.05, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9)}, None),  # rho_t passes 5 at the 6th step
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.02, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "maximize": True}, None),
    ("Rprop", {"lr": 0.01}, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.02)}),
]


@pytest.mark.parametrize(("name", "kwargs", "per_group"), CONFIGS)
def test_optimizer_matches_torch(name, kwargs, per_group):
    ours, theirs, mine, peer, grads = _pair(name, kwargs, per_group)
    for step, g in enumerate(grads):
        _step(ours, theirs, mine, peer, g)
        _same(ours, theirs, f"{name} {kwargs} step {step}")
    # The parameters moved: the comparison is not between two untouched copies.
    assert not np.allclose(ours[0].asnumpy(), _start()[0][0])


def _lrs(mine, peer):
    got = [float(t.asnumpy()) for t in mine.get_last_lr()]
    np.testing.assert_allclose(got, peer.get_last_lr(), rtol=1e-12, atol=1e-15)


SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 8], "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.8}),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.9, "total_iters": 6}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 4}),
    ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.001}),
    ("PolynomialLR", {"total_iters": 7, "power": 2.0}),
    ("LambdaLR", {"lr_lambda": lambda e: 1.0 / (1 + e)}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "triangular2"}),
    (
        "CyclicLR",
        {
            "base_lr": [0.01, 0.02],
            "max_lr": 0.1,
            "step_size_up": 2,
            "step_size_down": 4,
            "mode": "exp_range",
            "gamma": 0.9,
        },
    ),
]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULERS)
def test_scheduler_matches_torch(name, kwargs):
    ours, theirs, mine, peer, grads = _pair("SGD", {"lr": 0.1, "momentum": 0.9}, {"lr": 0.3})
    extra = {"cycle_momentum": False} if name == "CyclicLR" else {}
    s_mine = getattr(optim.lr_scheduler, name)(mine, **kwargs)
    s_peer = getattr(torch.optim.lr_scheduler, name)(peer, **kwargs, **extra)
    _lrs(s_mine, s_peer)
    for step in range(3 * STEPS):
        _step(ours, theirs, mine, peer, grads[step % STEPS])
        s_mine.step()
        s_peer.step()
        _lrs(s_mine, s_peer)
        _same(ours, theirs, f"{name} step {step}")


def test_sequential_chained_and_plateau_match_torch():
    ours, theirs, mine, peer, grads = _pair("Adam", {"lr": 0.05}, {"lr": 0.1})

    def build(lib, opt):
        sched = lib.optim.lr_scheduler if lib is torch else optim.lr_scheduler
        warm = sched.LinearLR(opt, start_factor=0.1, total_iters=3)
        decay = sched.ExponentialLR(opt, gamma=0.7)
        seq = sched.SequentialLR(opt, [warm, decay], milestones=[3])
        return seq

    seq_mine, seq_peer = build(None, mine), build(torch, peer)
    _lrs(seq_mine, seq_peer)
    for step in range(STEPS):
        _step(ours, theirs, mine, peer, grads[step])
        seq_mine.step()
        seq_peer.step()
        _lrs(seq_mine, seq_peer)
        _same(ours, theirs, f"SequentialLR step {step}")

    ours, theirs, mine, peer, grads = _pair("SGD", {"lr": 0.1}, {"lr": 0.2})
    chain_mine = optim.lr_scheduler.ChainedScheduler(
        [optim.lr_scheduler.StepLR(mine, 2, 0.5), optim.lr_scheduler.ExponentialLR(mine, 0.9)]
    )
    chain_peer = torch.optim.lr_scheduler.ChainedScheduler(
        [
            torch.optim.lr_scheduler.StepLR(peer, 2, 0.5),
            torch.optim.lr_scheduler.ExponentialLR(peer, 0.9),
        ]
    )
    plateau_mine = optim.lr_scheduler.ReduceLROnPlateau(mine, patience=1, factor=0.5, cooldown=1)
    plateau_peer = torch.optim.lr_scheduler.ReduceLROnPlateau(
        peer, patience=1, factor=0.5, cooldown=1
    )
    metrics = [1.0, 0.9, 0.95, 0.97, 0.99, 0.5, 0.6, 0.7, 0.8, 0.9]
    for step in range(STEPS):
        _step(ours, theirs, mine, peer, grads[step])
        chain_mine.step()
        chain_peer.step()
        _lrs(chain_mine, chain_peer)
        plateau_mine.step(metrics[step])
        plateau_peer.step(metrics[step])
        _lrs(plateau_mine, plateau_peer)
        _same(ours, theirs, f"Chained/ReduceLROnPlateau step {step}")


def test_state_dict_entries_match_torch():
    ours, theirs, mine, peer, grads = _pair("Adam", {"lr": 0.01, "amsgrad": True}, {"lr": 0.1})
    for g in grads[:3]:
        _step(ours, theirs, mine, peer, g)
    got, want = mine.state_dict(), peer.state_dict()
    assert [g["params"] for g in got["param_groups"]] == [g["params"] for g in want["param_groups"]]
    assert [g["lr"] for g in got["param_groups"]] == [g["lr"] for g in want["param_groups"]]
    for i, slots in want["state"].items():
        assert set(slots) == set(got["state"][i])
        for key, value in slots.items():
            np.testing.assert_allclose(got["state"][i][key], value.numpy(), rtol=1e-12)
