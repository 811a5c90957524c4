"""mind.core.experimental.optim: each optimizer against a numpy implementation of its update
rule written here (several steps, two parameter groups with their own lr and weight decay),
state_dict round trips, each scheduler's rates against its formula, and a jit'ed training step
against PyNative."""

import math

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.experimental import optim
from mind.core.experimental.optim import lr_scheduler as sched

SHAPES = [(3, 2), (4,), (2, 2)]
STEPS = 7

# ------------------------------------------------------------------------------------------------
# numpy references: one step of each rule for one parameter (arrays updated in place)
# ------------------------------------------------------------------------------------------------


def _sgd(p, g, s, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    g = g + weight_decay * p
    if momentum:
        if "buf" not in s:
            s["buf"] = g.copy()
        else:
            s["buf"] = momentum * s["buf"] + (1 - dampening) * g
        g = g + momentum * s["buf"] if nesterov else s["buf"]
    p -= lr * g


def _adam(
    p, g, s, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False
):
    b1, b2 = betas
    t = s["t"] = s.get("t", 0) + 1
    if decoupled:
        p *= 1 - lr * weight_decay
    else:
        g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    v = s["v"]
    if amsgrad:
        v = s["vmax"] = np.maximum(s.get("vmax", 0.0), v)
    m_hat = s["m"] / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    p -= lr * m_hat / (np.sqrt(v_hat) + eps)


def _adamw(p, g, s, lr, weight_decay=1e-2, **kw):
    _adam(p, g, s, lr, weight_decay=weight_decay, decoupled=True, **kw)


def _adagrad(p, g, s, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    t = s["t"] = s.get("t", 0) + 1
    g = g + weight_decay * p
    s["sum"] = s.get("sum", initial_accumulator_value) + g * g
    p -= lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["sum"]) + eps)


def _adadelta(p, g, s, lr, rho=0.9, eps=1e-6, weight_decay=0.0):
    g = g + weight_decay * p
    s["sq"] = rho * s.get("sq", 0.0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("acc", 0.0) + eps) / np.sqrt(s["sq"] + eps) * g
    s["acc"] = rho * s.get("acc", 0.0) + (1 - rho) * delta * delta
    p -= lr * delta


def _adamax(p, g, s, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    t = s["t"] = s.get("t", 0) + 1
    g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g) + eps)
    p -= lr / (1 - b1**t) * s["m"] / s["u"]


def _asgd(p, g, s, lr, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0):
    t = s["t"] = s.get("t", 0) + 1
    eta, mu = s.get("eta", lr), s.get("mu", 1.0)
    g = g + weight_decay * p
    p *= 1 - lambd * eta
    p -= eta * g
    s["ax"] = p.copy() if mu == 1 else s["ax"] + mu * (p - s["ax"])
    s["eta"] = lr / (1 + lambd * lr * t) ** alpha
    s["mu"] = 1 / max(1, t - t0)


def _nadam(p, g, s, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3):
    b1, b2 = betas
    t = s["t"] = s.get("t", 0) + 1
    g = g + weight_decay * p
    mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    s["prod"] = s.get("prod", 1.0) * mu
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    denom = np.sqrt(s["v"] / (1 - b2**t)) + eps
    p -= lr * (1 - mu) / (1 - s["prod"]) * g / denom
    p -= lr * mu_next / (1 - s["prod"] * mu_next) * s["m"] / denom


def _radam(p, g, s, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    t = s["t"] = s.get("t", 0) + 1
    g = g + weight_decay * p
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    m_hat = s["m"] / (1 - b1**t)
    rho_inf = 2 / (1 - b2) - 1
    rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
    if rho > 5:
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        p -= lr * m_hat * r * math.sqrt(1 - b2**t) / (np.sqrt(s["v"]) + eps)
    else:
        p -= lr * m_hat


def _rmsprop(p, g, s, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    g = g + weight_decay * p
    s["sq"] = alpha * s.get("sq", 0.0) + (1 - alpha) * g * g
    avg = s["sq"]
    if centered:
        s["ga"] = alpha * s.get("ga", 0.0) + (1 - alpha) * g
        avg = avg - s["ga"] ** 2
    step = g / (np.sqrt(avg) + eps)
    if momentum:
        s["buf"] = momentum * s.get("buf", 0.0) + step
        step = s["buf"]
    p -= lr * step


def _rprop(p, g, s, lr, etas=(0.5, 1.2), step_sizes=(1e-6, 50)):
    size = s.get("size", np.full_like(p, lr))
    prod = g * s.get("prev", np.zeros_like(p))
    factor = np.where(prod > 0, etas[1], np.where(prod < 0, etas[0], 1.0))
    s["size"] = np.clip(size * factor, *step_sizes)
    g = np.where(prod < 0, 0.0, g)
    p -= np.sign(g) * s["size"]
    s["prev"] = g


REFERENCES = {
    "SGD": _sgd,
    "Adam": _adam,
    "AdamW": _adamw,
    "Adagrad": _adagrad,
    "Adadelta": _adadelta,
    "Adamax": _adamax,
    "ASGD": _asgd,
    "NAdam": _nadam,
    "RAdam": _radam,
    "RMSprop": _rmsprop,
    "Rprop": _rprop,
}

# (optimizer, its keyword arguments, the first group's own options)
CASES = [
    ("SGD", {"lr": 0.1}, {"lr": 0.3, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.05}, {"lr": 0.2}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, {"lr": 0.01, "weight_decay": 0.2}),
    ("Adam", {"lr": 0.01}, {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True}, {"lr": 0.03}),
    ("AdamW", {"lr": 0.01}, {"lr": 0.02, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}, {"lr": 0.02}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}, {"lr": 0.2, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.3}, {"lr": 0.05}),
    ("Adadelta", {"lr": 1.0, "rho": 0.8}, {"lr": 0.5, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.02}, {"lr": 0.05, "weight_decay": 0.1, "betas": (0.7, 0.9)}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-2, "t0": 3}, {"lr": 0.1, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01}, {"lr": 0.04, "weight_decay": 0.1, "momentum_decay": 0.02}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9)}, {"lr": 0.05, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01}, {"lr": 0.02, "weight_decay": 0.1, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}, {"lr": 0.005}),
    ("Rprop", {"lr": 0.01}, {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.03)}),
]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(STEPS)]
    return values, grads


def _groups(params, own):
    return [{"params": [params[0]], **own}, {"params": list(params[1:])}]


def _reference_run(name, kwargs, own, values, grads, maximize=False):
    """The numpy rule, group by group: the first group's options over the defaults."""
    arrays = [v.copy() for v in values]
    states = [{} for _ in arrays]
    options = [{**kwargs, **own}] + [dict(kwargs)] * (len(arrays) - 1)
    history = []
    for step_grads in grads:
        for p, g, s, o in zip(arrays, step_grads, states, options):
            REFERENCES[name](p, -g if maximize else g, s, **o)
        history.append([a.copy() for a in arrays])
    return history


@pytest.mark.parametrize(("name", "kwargs", "own"), CASES)
def test_optimizer_follows_its_rule(name, kwargs, own):
    values, grads = _data()
    params = [Parameter(Tensor(v.copy()), name=f"w{i}") for i, v in enumerate(values)]
    opt = getattr(optim, name)(_groups(params, own), **kwargs)
    want = _reference_run(name, kwargs, own, values, grads)
    for step, g in enumerate(grads):
        assert opt(tuple(Tensor(a) for a in g)) is True
        for p, w in zip(params, want[step]):
            np.testing.assert_allclose(
                p.asnumpy(), w, rtol=1e-12, atol=1e-13, err_msg=f"step {step}"
            )
    assert not np.allclose(params[0].asnumpy(), values[0])


@pytest.mark.parametrize(
    "name", ["SGD", "Adam", "AdamW", "Adagrad", "Adamax", "ASGD", "RMSprop", "Rprop"]
)
def test_maximize_follows_the_rule_on_the_negated_gradient(name):
    kwargs = {"lr": 0.05, "momentum": 0.5} if name == "SGD" else {"lr": 0.05}
    values, grads = _data(1)
    params = [Parameter(Tensor(v.copy()), name=f"w{i}") for i, v in enumerate(values)]
    opt = getattr(optim, name)(_groups(params, {"lr": 0.1}), maximize=True, **kwargs)
    want = _reference_run(name, kwargs, {"lr": 0.1}, values, grads, maximize=True)
    for g in grads:
        opt(tuple(Tensor(a) for a in g))
    for p, w in zip(params, want[-1]):
        np.testing.assert_allclose(p.asnumpy(), w, rtol=1e-12, atol=1e-13)


def test_float32_parameters_stay_float32_and_follow_the_rule():
    values, grads = _data(2)
    params = [Parameter(Tensor(v.astype(np.float32)), name=f"w{i}") for i, v in enumerate(values)]
    opt = optim.Adam(params, lr=0.01, weight_decay=0.1)
    want = _reference_run("Adam", {"lr": 0.01, "weight_decay": 0.1}, {}, values, grads)
    for g in grads:
        opt(tuple(Tensor(a.astype(np.float32)) for a in g))
    for p, w in zip(params, want[-1]):
        assert p.dtype == ms.float32
        np.testing.assert_allclose(p.asnumpy(), w, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# groups, state, state_dict
# ------------------------------------------------------------------------------------------------


def test_param_groups_hold_the_defaults_and_a_learning_rate_parameter():
    a, b = Parameter(Tensor(np.ones(2)), name="a"), Parameter(Tensor(np.ones(3)), name="b")
    opt = optim.Adam([{"params": [a], "lr": 0.5}, {"params": b, "weight_decay": 0.1}], lr=0.01)
    first, second = opt.param_groups
    assert isinstance(first["lr"], Parameter) and first["lr"].dtype == ms.float64
    assert float(first["lr"].asnumpy()) == 0.5 and float(second["lr"].asnumpy()) == 0.01
    assert first["weight_decay"] == 0 and second["weight_decay"] == 0.1
    assert first["betas"] == (0.9, 0.999) and second["params"] == [b]
    assert list(opt.parameters) == [a, b] and opt.group_start_id == [0, 1, 2]
    assert set(opt.state[a]) == {"step", "exp_avg", "exp_avg_sq"}
    # A number assigned to group["lr"] goes into the same Parameter (what a compiled step reads).
    held = first["lr"]
    first["lr"] = 0.25
    assert first["lr"] is held and float(held.asnumpy()) == 0.25
    c = Parameter(Tensor(np.ones(1)), name="c")
    opt.add_param_group({"params": [c], "lr": 0.125})
    assert opt.group_start_id[-1] == 3 and float(opt.param_groups[2]["lr"].asnumpy()) == 0.125
    assert opt.param_groups[2]["betas"] == (0.9, 0.999) and len(opt.parameters) == 3
    # What a compiled step takes as inputs: the 3 parameters, 3 learning rates, 3 slots each.
    held = opt.state_parameters()
    assert len({id(x) for x in held}) == len(held) == 3 + 3 + 3 * 3
    assert {id(p) for p in (a, b, c)} <= {id(x) for x in held}


def test_bad_arguments_raise_clear_errors():
    a = Parameter(Tensor(np.ones(2)), name="a")
    with pytest.raises(MindValueError, match="appears twice"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    with pytest.raises(MindValueError, match="learning rate"):
        optim.Adam([a], lr=-1.0)
    with pytest.raises(MindValueError, match="beta"):
        optim.Adam([a], betas=(1.0, 0.9))
    with pytest.raises(MindTypeError, match="set"):
        optim.SGD([{"params": {a}}], lr=0.1)
    with pytest.raises(MindTypeError, match="Parameters"):
        optim.SGD([Tensor(np.ones(2))], lr=0.1)
    with pytest.raises(MindValueError, match="Nesterov"):
        optim.SGD([a], lr=0.1, nesterov=True)
    opt = optim.SGD([a], lr=0.1)
    with pytest.raises(MindValueError, match="1 parameters"):
        opt((Tensor(np.ones(2)), Tensor(np.ones(2))))
    with pytest.raises(MindValueError, match="shape"):
        opt((Tensor(np.ones(3)),))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adam", {"lr": 0.01, "amsgrad": True}),
        ("SGD", {"lr": 0.1, "momentum": 0.9}),
        ("ASGD", {"t0": 2}),
    ],
)
def test_state_dict_round_trip_continues_the_same_run(name, kwargs):
    values, grads = _data(3)
    first = [Parameter(Tensor(v.copy()), name=f"w{i}") for i, v in enumerate(values)]
    opt = getattr(optim, name)(_groups(first, {"lr": 0.05}), **kwargs)
    for g in grads[:3]:
        opt(tuple(Tensor(a) for a in g))
    saved = opt.state_dict()
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1, 2]]
    assert saved["param_groups"][0]["lr"] == 0.05
    second = [Parameter(Tensor(p.asnumpy().copy()), name=f"w{i}") for i, p in enumerate(first)]
    other = getattr(optim, name)(_groups(second, {"lr": 0.9}), **kwargs)
    other.load_state_dict(saved)
    assert float(other.param_groups[0]["lr"].asnumpy()) == 0.05
    for g in grads[3:]:
        opt(tuple(Tensor(a) for a in g))
        other(tuple(Tensor(a) for a in g))
    for p, q in zip(first, second):
        np.testing.assert_array_equal(p.asnumpy(), q.asnumpy())
    # The saved state is a copy: later steps did not change it.
    assert saved["state"][0]["step"] == 3
    with pytest.raises(MindValueError, match="parameter groups"):
        getattr(optim, name)(second, **kwargs).load_state_dict(saved)


def test_a_mindspore_style_subclass_with_its_own_construct():
    class MySGD(optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, {"lr": lr})

        def construct(self, gradients):
            for group_id, group in enumerate(self.param_groups):
                start = self.group_start_id[group_id]
                for i, param in enumerate(group["params"]):
                    ops.assign(param, param - gradients[start + i] * group["lr"])
            return True

    a = Parameter(Tensor(np.array([1.0, 2.0])), name="a")
    opt = MySGD([a], 0.5)
    opt((Tensor(np.array([1.0, -1.0])),))
    np.testing.assert_allclose(a.asnumpy(), [0.5, 2.5])


# ------------------------------------------------------------------------------------------------
# a compiled training step
# ------------------------------------------------------------------------------------------------


def _training(name, kwargs):
    ms.set_seed(0)
    net = nn.Dense(3, 2)
    opt = getattr(optim, name)(
        [{"params": [net.weight], "lr": 0.05}, {"params": [net.bias]}], lr=0.02, **kwargs
    )
    scheduler = sched.StepLR(opt, step_size=2, gamma=0.5)
    grad_fn = ms.value_and_grad(lambda x, y: ((net(x) - y) ** 2).mean(), None, opt.parameters)

    def train_step(x, y):
        loss, grads = grad_fn(x, y)
        opt(grads)
        return loss

    return net, opt, scheduler, train_step


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("Adam", {"amsgrad": True, "weight_decay": 0.1}),
        ("SGD", {"momentum": 0.9, "dampening": 0.1}),
        ("RAdam", {}),
        ("ASGD", {"t0": 2}),
        ("Rprop", {}),
    ],
)
def test_jit_train_step_matches_pynative_and_reads_the_scheduled_lr(name, kwargs):
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(4, 3)).astype(np.float32))
    y = Tensor(rng.normal(size=(4, 2)).astype(np.float32))
    eager, compiled = _training(name, kwargs), _training(name, kwargs)
    step = ms.jit(compiled[3])
    for _ in range(8):
        want = eager[3](x, y)
        got = step(x, y)
        np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-6)
        eager[2].step()
        compiled[2].step()
    for p, q in zip(eager[0].trainable_params(), compiled[0].trainable_params()):
        np.testing.assert_allclose(q.asnumpy(), p.asnumpy(), rtol=1e-6, atol=1e-7)
    # The learning rate is a graph input: eight steps under four rates, one compilation.
    assert step.compilations == 1
    assert float(compiled[1].param_groups[0]["lr"].asnumpy()) == 0.05 * 0.5**4
    assert float(compiled[1].state[compiled[0].weight]["step"].asnumpy()) == 8


def test_a_zero_lr_set_between_compiled_steps_stops_the_updates():
    net, opt, _, train_step = _training("SGD", {})
    step = ms.jit(train_step)
    x, y = Tensor(np.ones((2, 3), np.float32)), Tensor(np.zeros((2, 2), np.float32))
    step(x, y)
    for group in opt.param_groups:
        group["lr"] = 0.0
    before = net.weight.asnumpy().copy()
    step(x, y)
    np.testing.assert_array_equal(net.weight.asnumpy(), before)
    assert step.compilations == 1


# ------------------------------------------------------------------------------------------------
# schedulers: the rates against each formula
# ------------------------------------------------------------------------------------------------

BASES = (0.1, 0.4)


def _optimizer():
    a, b = Parameter(Tensor(np.ones(2)), name="a"), Parameter(Tensor(np.ones(2)), name="b")
    return optim.SGD([{"params": [a], "lr": BASES[0]}, {"params": [b], "lr": BASES[1]}])


def _rates(scheduler, epochs, metrics=None):
    """The rates after construction and after each of ``epochs`` steps, per group."""
    out = [[float(t.asnumpy()) for t in scheduler.get_last_lr()]]
    for e in range(epochs):
        scheduler.step(*(() if metrics is None else (metrics[e],)))
        out.append([float(t.asnumpy()) for t in scheduler.get_last_lr()])
        # get_last_lr is what the groups now hold
        assert out[-1] == [float(g["lr"].asnumpy()) for g in scheduler.optimizer.param_groups]
    return np.array(out)


def _expect(fn, epochs):
    return np.array([[fn(base, e) for base in BASES] for e in range(epochs + 1)])


def _cos(low, base, t, period):
    return low + (base - low) * (1 + math.cos(math.pi * t / period)) / 2


def _triangular(base, e, high=0.5, up=3, down=5):
    cycle_at = e % (up + down)
    x = cycle_at / up if cycle_at <= up else 1 - (cycle_at - up) / down
    return base + (high - base) * x


def _warm_restarts(base, e, t0=2, mult=2, low=0.01):
    period, t = t0, e
    while t >= period:
        t, period = t - period, period * mult
    return _cos(low, base, t, period)


SCHEDULES = [
    (lambda o: sched.StepLR(o, 3, 0.5), lambda b, e: b * 0.5 ** (e // 3)),
    (
        lambda o: sched.MultiStepLR(o, [2, 5, 5], 0.1),
        lambda b, e: b * 0.1 ** ((e >= 2) + 2 * (e >= 5)),
    ),
    (lambda o: sched.ExponentialLR(o, 0.8), lambda b, e: b * 0.8**e),
    (lambda o: sched.LinearLR(o, 0.2, 0.9, 5), lambda b, e: b * (0.2 + 0.7 * min(e, 5) / 5)),
    (lambda o: sched.ConstantLR(o, 0.25, 4), lambda b, e: b * (0.25 if e < 4 else 1.0)),
    (lambda o: sched.CosineAnnealingLR(o, 5, 0.01), lambda b, e: _cos(0.01, b, e, 5)),
    (lambda o: sched.PolynomialLR(o, 6, 2.0), lambda b, e: b * (1 - min(e, 6) / 6) ** 2),
    (lambda o: sched.LambdaLR(o, lambda e: 1 / (e + 1)), lambda b, e: b / (e + 1)),
    (lambda o: sched.MultiplicativeLR(o, lambda e: 0.9), lambda b, e: b * 0.9**e),
    (
        lambda o: sched.CyclicLR(o, BASES, 0.5, step_size_up=3, step_size_down=5),
        _triangular,
    ),
    (
        lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.01),
        _warm_restarts,
    ),
    (
        lambda o: sched.SequentialLR(
            o, [sched.ConstantLR(o, 0.1, 10), sched.ExponentialLR(o, 0.5)], milestones=[3]
        ),
        lambda b, e: b * 0.1 if e < 3 else b * 0.5 ** (e - 3),
    ),
    (
        lambda o: sched.ChainedScheduler([sched.StepLR(o, 2, 0.5), sched.ExponentialLR(o, 0.9)]),
        lambda b, e: b * 0.5 ** (e // 2) * 0.9**e,
    ),
]


@pytest.mark.parametrize(("build", "formula"), SCHEDULES, ids=lambda v: getattr(v, "__name__", ""))
def test_scheduler_rates_follow_the_formula(build, formula):
    epochs = 12
    got = _rates(build(_optimizer()), epochs)
    np.testing.assert_allclose(got, _expect(formula, epochs), rtol=1e-12, atol=1e-15)
    assert len(set(got[:, 0].round(12))) > 1  # the rate changes


def test_scheduler_last_epoch_and_closed_form_step():
    s = sched.StepLR(_optimizer(), 3, 0.5)
    assert s.last_epoch == 0
    for _ in range(4):
        s.step()
    assert s.last_epoch == 4
    s.step(7)  # the closed form at epoch 7
    assert s.last_epoch == 7
    np.testing.assert_allclose(
        [float(t.asnumpy()) for t in s.get_last_lr()], [b * 0.25 for b in BASES]
    )
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(_optimizer(), 3, last_epoch=4)
    with pytest.raises(MindTypeError, match="not an Optimizer"):
        sched.StepLR(nn.Dense(2, 2), 3)


def test_reduce_lr_on_plateau_waits_patience_and_cooldown():
    opt = _optimizer()
    s = sched.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=[0.0, 0.15])
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.5]
    got = _rates(s, len(metrics), metrics)
    # bad epochs after the best 0.9: the 2nd bad one halves (epoch 4), one epoch of cooldown,
    # then two bad ones again (epoch 7); the second group stops at its min_lr 0.15.
    want_first = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025]
    want_second = [0.4, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.15, 0.15, 0.15]
    np.testing.assert_allclose(got, np.array([want_first, want_second]).T, rtol=1e-12)
    s_max = sched.ReduceLROnPlateau(_optimizer(), mode="max", patience=0, threshold_mode="abs")
    s_max.step(1.0)
    s_max.step(1.00001)  # within the 1e-4 threshold: no improvement, patience 0: reduced
    assert math.isclose(float(s_max.get_last_lr()[0].asnumpy()), 0.01)


def test_scheduler_state_dict_round_trip():
    a = sched.CosineAnnealingWarmRestarts(_optimizer(), T_0=3, T_mult=2)
    for _ in range(5):
        a.step()
    opt = _optimizer()
    b = sched.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    b.load_state_dict(a.state_dict())
    a.step()
    b.step()
    assert [float(t.asnumpy()) for t in a.get_last_lr()] == [
        float(t.asnumpy()) for t in b.get_last_lr()
    ]
    assert b.last_epoch == 6 and b.T_i == 6


@pytest.fixture
def _context():
    yield
    ms.set_context(mode=ms.PYNATIVE_MODE, device_target="cpu")


@pytest.mark.usefixtures("_context")
@pytest.mark.parametrize("device", ["cpu", "native"])
@pytest.mark.parametrize("wrapped", [False, True], ids=["optimizer", "TrainOneStepCell"])
def test_graph_mode_matches_pynative(device, wrapped):
    """GRAPH_MODE compiles the optimizer on its own (or TrainOneStepCell's gradients, then the
    optimizer): the parameters it updates must be inputs of that graph, on every device."""

    def run():
        ms.set_seed(0)
        net = nn.Dense(3, 2)
        opt = optim.Adam([{"params": [net.weight], "lr": 0.05}, {"params": [net.bias]}], lr=0.02)
        scheduler = sched.ExponentialLR(opt, 0.5)
        step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)
        x = Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
        y = Tensor(np.zeros((4, 2), np.float32))
        for i in range(4):
            if wrapped:
                step(x, y)
            else:
                opt(
                    (
                        Tensor(np.full((2, 3), 0.3 + i, np.float32)),
                        Tensor(np.full(2, -0.2, np.float32)),
                    )
                )
            scheduler.step()
        return [p.asnumpy() for p in net.trainable_params()]

    want = run()
    ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
    for got, w in zip(run(), want):
        np.testing.assert_allclose(got, w, rtol=1e-6, atol=1e-7)
