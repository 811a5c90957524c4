"""nn.AdaFactor and P.FusedAdaFactor against a numpy implementation of the AdaFactor formula
(factored second moments, relative step, warmup_init, scale_parameter, clip_threshold)."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as mc
from mind.core import Parameter, Tensor, nn, ops


def _rms(x):
    return np.sqrt(np.mean(np.square(x)))


class NumpyAdaFactor:
    """The reference: one state per parameter, updated in float64."""

    def __init__(self, shapes, lr=None, eps=(1e-30, 1e-3), clip=1.0, decay_rate=0.8, beta1=0.9,
                 weight_decay=0.0, scale_parameter=True, relative_step=True, warmup_init=False):  # fmt: skip
        self.__dict__.update(locals())
        self.t = 0
        self.state = [
            {
                "m": np.zeros(s),
                "row": np.zeros(s[:-1]),
                "col": np.zeros(s[:-2] + s[-1:]),
                "v": np.zeros(s),
            }
            for s in shapes
        ]

    def step(self, params, grads):
        self.t += 1
        t = self.t
        lr = self.lr
        if self.relative_step:
            lr = min(1e-6 * t if self.warmup_init else 1e-2, 1 / np.sqrt(t))
        beta2t = 1 - t ** (-self.decay_rate)
        out = []
        for p, g, st in zip(params, grads, self.state):
            rate = lr * max(self.eps[1], _rms(p)) if self.scale_parameter else lr
            sq = g**2 + self.eps[0]
            if p.ndim >= 2:
                st["row"] = beta2t * st["row"] + (1 - beta2t) * sq.mean(-1)
                st["col"] = beta2t * st["col"] + (1 - beta2t) * sq.mean(-2)
                v = np.expand_dims(
                    st["row"] / st["row"].mean(-1, keepdims=True), -1
                ) * np.expand_dims(st["col"], -2)
            else:
                st["v"] = v = beta2t * st["v"] + (1 - beta2t) * sq
            u = g / np.sqrt(v)
            u = u / max(_rms(u) / self.clip, 1.0) * rate
            if self.beta1:
                st["m"] = u = self.beta1 * st["m"] + (1 - self.beta1) * u
            if self.weight_decay:
                p = p - self.weight_decay * rate * p
            out.append(p - u)
        return out


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.w = Parameter(Tensor(rng.normal(size=(2, 3, 4)).astype(np.float32)), name="w")
        self.b = Parameter(Tensor(rng.normal(size=(4,)).astype(np.float32)), name="b")

    def construct(self, x):
        return ops.sum(ops.tanh(ops.matmul(x, self.w) + self.b) ** 2)


CONFIGS = [
    {},
    {"warmup_init": True},
    {"scale_parameter": False, "beta1": None},
    {"learning_rate": 0.05, "relative_step": False, "weight_decay": 0.1, "clip_threshold": 0.5},
    {"learning_rate": 0.02, "relative_step": False, "scale_parameter": False, "decay_rate": 0.5},
]


def _np_config(cfg):
    names = {"learning_rate": "lr", "clip_threshold": "clip"}
    out = {names.get(k, k): v for k, v in cfg.items()}
    if out.get("beta1", 0.9) is None:
        out["beta1"] = 0.0
    return out


@pytest.mark.parametrize("mode", [mc.PYNATIVE_MODE, mc.GRAPH_MODE])
@pytest.mark.parametrize("cfg", CONFIGS)
def test_adafactor_matches_numpy(cfg, mode):
    mc.set_context(mode=mode)
    try:
        net = Net()
        opt = nn.AdaFactor(net.trainable_params(), **cfg)
        step = nn.TrainOneStepCell(net, opt)
        ref = NumpyAdaFactor([(2, 3, 4), (4,)], **_np_config(cfg))
        x = Tensor(np.random.default_rng(1).normal(size=(2, 5, 3)).astype(np.float32))
        grad_fn = ops.grad(lambda *ps: _loss(x, *ps), (0, 1))
        for _ in range(4):
            params = [p.asnumpy().astype(np.float64) for p in (net.w, net.b)]
            grads = [g.asnumpy().astype(np.float64) for g in grad_fn(net.w, net.b)]
            want = ref.step(params, grads)
            step(x)
            for p, w in zip((net.w, net.b), want):
                np.testing.assert_allclose(p.asnumpy(), w, rtol=2e-5, atol=1e-6)
    finally:
        mc.set_context(mode=mc.PYNATIVE_MODE)


def _loss(x, w, b):
    return ops.sum(ops.tanh(ops.matmul(x, w) + b) ** 2)


def test_adafactor_slots_are_factored():
    net = Net()
    opt = nn.AdaFactor(net.trainable_params())
    shapes = {p.name: tuple(p.shape) for p in opt.state_parameters()}
    assert shapes["exp_avg_sq_row.w"] == (2, 3)
    assert shapes["exp_avg_sq_col.w"] == (2, 4)
    assert shapes["exp_avg_sq.w"] == (1,)
    assert shapes["exp_avg_sq.b"] == (4,)


def test_adafactor_bad_arguments():
    params = Net().trainable_params()
    with pytest.raises(ValueError, match="relative_step"):
        nn.AdaFactor(params, learning_rate=0.1)
    with pytest.raises(ValueError, match="warmup_init"):
        nn.AdaFactor(params, learning_rate=0.1, relative_step=False, warmup_init=True)
    with pytest.raises(ValueError, match="learning_rate"):
        nn.AdaFactor(params, relative_step=False)
    with pytest.raises(ValueError, match="eps"):
        nn.AdaFactor(params, eps=(1e-30,))
    with pytest.raises(TypeError, match="clip_threshold"):
        nn.AdaFactor(params, clip_threshold=1)


@pytest.mark.parametrize("flags", [(False, False, False), (True, True, True)])
def test_fused_ada_factor_matches_numpy(flags):
    scale, first, decay = flags
    rng = np.random.default_rng(2)
    p0, g = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 3, 2))
    state = [Parameter(Tensor(np.zeros(s, np.float32)), name=f"s{i}")
             for i, s in enumerate([(2, 3, 2), (2, 3), (2, 2), (1,)])]  # fmt: skip
    param = Parameter(Tensor(p0.astype(np.float32)), name="param")
    op = ops.FusedAdaFactor(enable_scale_parameter=scale, enable_first_moment=first,
                            enable_weight_decay=decay)  # fmt: skip
    op((1e-30, 1e-3), 1.0, 0.9, 0.8, 1e-2, 0.03, Tensor(g.astype(np.float32)), param, *state)
    want = _fused_reference(p0, g, scale, first, decay)
    np.testing.assert_allclose(param.asnumpy(), want, rtol=1e-5, atol=1e-6)


def _fused_reference(p, g, scale, first, decay, beta2t=0.8, lr=0.03, beta1=0.9, wd=1e-2):
    """One step from zero state with the op's beta2 (``beta2t``) given directly."""
    sq = g**2 + 1e-30
    row = (1 - beta2t) * sq.mean(-1)
    col = (1 - beta2t) * sq.mean(-2)
    v = np.expand_dims(row / row.mean(-1, keepdims=True), -1) * np.expand_dims(col, -2)
    rate = lr * max(1e-3, _rms(p)) if scale else lr
    u = g / np.sqrt(v)
    u = u / max(_rms(u), 1.0) * rate
    if first:
        u = (1 - beta1) * u
    if decay:
        p = p - wd * rate * p
    return p - u
