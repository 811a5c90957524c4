"""MindSpore's optimizer operator classes (P.ApplyAdagrad, P.FusedSparseAdam...) and the nn
optimizers built on the same rules (nn.Adagrad, nn.FTRL, nn.LARS...), against numpy
implementations of MindSpore's documented formulas: the returned values, the Parameters written
in place, in PyNative mode, inside a GRAPH_MODE Cell and under vmap."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core.ops import operations as P
from mind.core.testing import check_grads

RNG = np.random.default_rng(3)


@pytest.fixture(autouse=True)
def _pynative():
    ms.set_context(mode=ms.PYNATIVE_MODE)
    yield
    ms.set_context(mode=ms.PYNATIVE_MODE)


def _pos(*shape):
    return RNG.uniform(0.2, 1.0, size=shape).astype(np.float32)


def _sym(*shape):
    return RNG.uniform(-1.0, 1.0, size=shape).astype(np.float32)


# ------------------------------------------------------------------------------------------------
# numpy references (MindSpore's documented formulas)
# ------------------------------------------------------------------------------------------------


def np_ada_max(var, m, v, beta1_power, lr, beta1, beta2, eps, g):
    m = beta1 * m + (1 - beta1) * g
    v = np.maximum(beta2 * v, np.abs(g))
    return var - lr / (1 - beta1_power) * m / (v + eps), m, v


def np_adadelta(var, accum, update, lr, rho, eps, g):
    accum = rho * accum + (1 - rho) * g * g
    delta = np.sqrt(update + eps) / np.sqrt(accum + eps) * g
    update = rho * update + (1 - rho) * delta * delta
    return var - lr * delta, accum, update


def np_adagrad(var, accum, lr, g):
    accum = accum + g * g
    return var - lr * g / np.sqrt(accum), accum


def np_adagrad_v2(var, accum, lr, g, eps):
    accum = accum + g * g
    return var - lr * g / (np.sqrt(accum) + eps), accum


def np_adam(var, m, v, b1p, b2p, lr, b1, b2, eps, g, nesterov=False):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
    num = b1 * m + (1 - b1) * g if nesterov else m
    return var - lr_t * num / (np.sqrt(v) + eps), m, v


def np_amsgrad(var, m, v, vhat, b1p, b2p, lr, b1, b2, eps, g):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    vhat = np.maximum(vhat, v)
    lr_t = lr * np.sqrt(1 - b2p) / (1 - b1p)
    return var - lr_t * m / (np.sqrt(vhat) + eps), m, v, vhat


def np_sign_rule(var, m, lr, a, decay, beta, g, power):
    m = beta * m + (1 - beta) * g
    s = np.sign(g) * np.sign(m)
    scale = np.exp(a * decay * s) if power else a + decay * s
    return var - lr * scale * g, m


def np_rms(var, ms_, mom, lr, g, rho, momentum, eps, mg=None):
    ms_ = rho * ms_ + (1 - rho) * g * g
    denom = ms_
    if mg is not None:
        mg = rho * mg + (1 - rho) * g
        denom = ms_ - mg * mg
    mom = momentum * mom + lr * g / np.sqrt(denom + eps)
    return var - mom, ms_, mom, mg


def np_ftrl(var, accum, linear, g, lr, l1, l2, power, shrinkage=0.0):
    new_accum = accum + g * g
    sigma = (new_accum ** (-power) - accum ** (-power)) / lr
    linear = linear + g + 2 * shrinkage * var - sigma * var
    quad = new_accum ** (-power) / lr + 2 * l2
    var = np.where(np.abs(linear) > l1, (np.sign(linear) * l1 - linear) / quad, 0.0)
    return var, new_accum, linear


def np_prox(prox, rate, l1, l2):
    return np.sign(prox) * np.maximum(np.abs(prox) - rate * l1, 0) / (1 + rate * l2)


def np_prox_adagrad(var, accum, lr, l1, l2, g):
    accum = accum + g * g
    return np_prox(var - lr * g / np.sqrt(accum), lr, l1, l2), accum


def np_adagrad_da(var, acc, sq, g, lr, l1, l2, step):
    acc, sq = acc + g, sq + g * g
    tmp = np.sign(acc) * np.maximum(np.abs(acc) - l1 * step, 0) if l1 > 0 else acc
    return -lr * tmp / (l2 * step * lr + np.sqrt(sq)), acc, sq


def np_dense(var, grad, indices):
    dense = np.zeros_like(var)
    np.add.at(dense, indices, grad)
    rows = np.zeros(var.shape[0], bool)
    rows[indices] = True
    return dense, rows.reshape((-1,) + (1,) * (var.ndim - 1))


# ------------------------------------------------------------------------------------------------
# Dense operator classes: (class, attributes, state arrays, other inputs, reference, returned)
# ------------------------------------------------------------------------------------------------

S = (3, 4)
DENSE = [
    (
        "ApplyAdaMax",
        {},
        [_sym(*S), _sym(*S), _pos(*S)],
        [0.9, 0.01, 0.9, 0.99, 1e-8, _sym(*S)],
        np_ada_max,
        "all",
    ),
    (
        "ApplyAdadelta",
        {},
        [_sym(*S), _pos(*S), _pos(*S)],
        [0.5, 0.9, 1e-6, _sym(*S)],
        np_adadelta,
        "all",
    ),
    ("ApplyAdagrad", {}, [_sym(*S), _pos(*S)], [0.1, _sym(*S)], np_adagrad, "all"),
    (
        "ApplyAdagradV2",
        {"epsilon": 1e-3},
        [_sym(*S), _pos(*S)],
        [0.1, _sym(*S)],
        lambda v, a, lr, g: np_adagrad_v2(v, a, lr, g, 1e-3),
        "all",
    ),
    (
        "ApplyAdagradDA",
        {},
        [_sym(*S), _sym(*S), _pos(*S)],
        [_sym(*S), 0.01, 0.05, 0.02, 3],
        np_adagrad_da,
        "var",
    ),
    (
        "ApplyAdamWithAmsgrad",
        {"beta1": 0.8, "beta2": 0.95, "epsilon": 1e-6},
        [_sym(*S), _sym(*S), _pos(*S), _pos(*S)],
        [0.8**3, 0.95**3, 0.01, _sym(*S)],
        lambda var, m, v, vh, p1, p2, lr, g: np_amsgrad(
            var, m, v, vh, p1, p2, lr, 0.8, 0.95, 1e-6, g
        ),
        "all",
    ),
    (
        "ApplyAdamWithAmsgradV2",
        {},
        [_sym(*S), _sym(*S), _pos(*S), _pos(*S)],
        [0.9**2, 0.999**2, 0.01, 0.9, 0.999, 1e-8, _sym(*S)],
        np_amsgrad,
        "all",
    ),
    (
        "ApplyAddSign",
        {},
        [_sym(*S), _sym(*S)],
        [0.1, 1.0, 0.5, 0.9, _sym(*S)],
        lambda v, m, lr, a, d, b, g: np_sign_rule(v, m, lr, a, d, b, g, False),
        "all",
    ),
    (
        "ApplyPowerSign",
        {},
        [_sym(*S), _sym(*S)],
        [0.1, np.e, 0.5, 0.9, _sym(*S)],
        lambda v, m, lr, a, d, b, g: np_sign_rule(v, m, lr, a, d, b, g, True),
        "all",
    ),
    (
        "ApplyRMSProp",
        {},
        [_sym(*S), _pos(*S), _sym(*S)],
        [0.01, _sym(*S), 0.9, 0.5, 1e-6],
        lambda v, s, m, lr, g, r, mo, e: np_rms(v, s, m, lr, g, r, mo, e)[:3],
        "var",
    ),
    (
        "ApplyCenteredRMSProp",
        {},
        [_sym(*S), _sym(*S) * 0.1, _pos(*S) + 1, _sym(*S)],
        [_sym(*S), 0.01, 0.9, 0.5, 1e-6],
        lambda v, mg, s, m, g, lr, r, mo, e: (lambda out: (out[0], out[3], out[1], out[2]))(
            np_rms(v, s, m, lr, g, r, mo, e, mg)
        ),
        "var",
    ),
    (
        "ApplyFtrl",
        {},
        [_sym(*S), _pos(*S), _sym(*S)],
        [_sym(*S), 0.05, 0.1, 0.2, -0.5],
        np_ftrl,
        "var",
    ),
    (
        "ApplyGradientDescent",
        {},
        [_sym(*S)],
        [0.3, _sym(*S)],
        lambda v, a, d: (v - a * d,),
        "var",
    ),
    (
        "ApplyProximalGradientDescent",
        {},
        [_sym(*S)],
        [0.3, 0.2, 0.1, _sym(*S)],
        lambda v, a, l1, l2, d: (np_prox(v - a * d, a, l1, l2),),
        "var",
    ),
    (
        "ApplyProximalAdagrad",
        {},
        [_sym(*S), _pos(*S)],
        [0.1, 0.2, 0.1, _sym(*S)],
        np_prox_adagrad,
        "all",
    ),
    (
        "Adam",
        {},
        [_sym(*S), _sym(*S), _pos(*S)],
        [0.9**2, 0.999**2, 0.01, 0.9, 0.999, 1e-8, _sym(*S)],
        np_adam,
        "all",
    ),
    (
        "Adam",
        {"use_nesterov": True},
        [_sym(*S), _sym(*S), _pos(*S)],
        [0.9**2, 0.999**2, 0.01, 0.9, 0.999, 1e-8, _sym(*S)],
        lambda *a: np_adam(*a, nesterov=True),
        "all",
    ),
    (
        "AdamWeightDecay",
        {},
        [_sym(*S), _sym(*S), _pos(*S)],
        [0.01, 0.9, 0.999, 1e-6, 0.1, _sym(*S)],
        lambda var, m, v, lr, b1, b2, e, d, g: (
            lambda m2, v2: (var - lr * (m2 / (np.sqrt(v2) + e) + d * var), m2, v2)
        )(b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g),
        "all",
    ),
]


def _inputs(state, others):
    params = [Parameter(Tensor(a.copy()), name=f"s{i}") for i, a in enumerate(state)]
    rest = [Tensor(o) if isinstance(o, np.ndarray) else o for o in others]
    return params, rest


def _expected(ref, state, others):
    out = ref(*[a.astype(np.float64) for a in state], *others)
    return [np.asarray(o, np.float64) for o in out]


def _check(returned, params, want, kind):
    got = [returned] if kind == "var" else list(returned)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.asnumpy(), w, rtol=2e-5, atol=2e-6)
    for p, w in zip(params, want):  # every state input was written in place
        np.testing.assert_allclose(p.asnumpy(), w, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", DENSE, ids=[f"{c[0]}{c[1] or ''}" for c in DENSE])
def test_dense_pynative(case):
    name, attrs, state, others, ref, kind = case
    params, rest = _inputs(state, others)
    out = getattr(P, name)(**attrs)(*params, *rest)
    _check(out, params, _expected(ref, state, others), kind)


@pytest.mark.parametrize("case", DENSE, ids=[f"{c[0]}{c[1] or ''}" for c in DENSE])
def test_dense_in_graph_cell(case):
    """As MindSpore's tests: a Cell holding the Parameters calls the op in construct."""
    name, attrs, state, others, ref, kind = case
    params, rest = _inputs(state, others)

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.op = getattr(P, name)(**attrs)
            for i, p in enumerate(params):
                setattr(self, f"s{i}", p)

        def construct(self, *inputs):
            held = [getattr(self, f"s{i}") for i in range(len(params))]
            return self.op(*held, *inputs)

    ms.set_context(mode=ms.GRAPH_MODE)
    out = Net()(*rest)
    _check(out, params, _expected(ref, state, others), kind)


def test_ops_namespace_and_attributes():
    assert ops.ApplyAdagrad is P.ApplyAdagrad
    op = P.SparseApplyFtrl(lr=0.1, l1=0.0, l2=0.0, lr_power=-0.5)
    assert op.attrs == {"lr": 0.1, "l1": 0.0, "l2": 0.0, "lr_power": -0.5, "use_locking": False}
    assert P.ApplyAdamWithAmsgrad().attrs["epsilon"] == 1e-8
    with pytest.raises(TypeError):
        P.ApplyAdagradV2()  # epsilon is required
    with pytest.raises(ValueError, match="dampening"):
        P.SGD(dampening=0.5, nesterov=True)
    with pytest.raises(ValueError, match="lr_power"):
        P.FusedSparseFtrl(lr=0.1, l1=0.0, l2=0.0, lr_power=0.5)


def test_dense_argument_errors():
    var, m = Parameter(Tensor(_sym(2, 3)), name="v"), Parameter(Tensor(_sym(3, 2)), name="m")
    with pytest.raises(ValueError, match="'m' must have the shape of 'var'"):
        P.ApplyAddSign()(var, m, 0.1, 1.0, 0.5, 0.9, Tensor(_sym(2, 3)))
    with pytest.raises(TypeError, match="grad"):
        P.ApplyGradientDescent()(var, 0.1, [1.0, 2.0])
    ints = Parameter(Tensor(np.ones((2, 3), np.int32)), name="i")
    with pytest.raises(TypeError, match="dtype"):
        P.ApplyGradientDescent()(ints, 0.1, Tensor(_sym(2, 3)))


def test_a_plain_tensor_is_updated_in_pynative():
    var = Tensor(np.ones(3, np.float32))
    P.ApplyGradientDescent()(var, 0.5, Tensor(np.ones(3, np.float32)))
    np.testing.assert_allclose(var.asnumpy(), 0.5)


def test_sgd_kernel():
    """MindSpore's SGD: the first step (stat > 0) sets the accumulation to the gradient."""
    p0, g, accum0 = _sym(5), _sym(5), _sym(5)
    for nesterov, dampening in ((False, 0.3), (True, 0.0)):
        p = Parameter(Tensor(p0.copy()), name="p")
        accum = Parameter(Tensor(accum0.copy()), name="a")
        stat = Parameter(Tensor(np.ones(5, np.float32)), name="s")
        op = P.SGD(dampening=dampening, weight_decay=0.1, nesterov=nesterov)
        want_p, want_a = p0.astype(np.float64), accum0.astype(np.float64)
        for step in range(3):
            out = op(p, Tensor(g), Tensor(0.1, ms.float32), accum, Tensor(0.9, ms.float32), stat)
            gd = g + 0.1 * want_p
            want_a = gd if step == 0 else 0.9 * want_a + (1 - dampening) * gd
            use = gd + 0.9 * want_a if nesterov else want_a
            want_p = want_p - 0.1 * use
            np.testing.assert_allclose(out.asnumpy(), want_p, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(accum.asnumpy(), want_a, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(stat.asnumpy(), 0.0)


def test_lars_update():
    w, g = _sym(3, 4), _sym(3, 4)
    for use_clip, lr in ((False, 1.0), (True, 0.5)):
        got = P.LARSUpdate(1e-5, 0.01, use_clip)(
            Tensor(w), Tensor(g), ops.sum(Tensor(w) ** 2), ops.sum(Tensor(g) ** 2), 0.1, lr
        )
        wn, gn = np.linalg.norm(w.astype(np.float64)), np.linalg.norm(g.astype(np.float64))
        coeff = 0.01 * wn / (gn + 0.1 * wn + 1e-5)
        if use_clip:
            coeff = min(coeff / lr, 1.0) * lr
        np.testing.assert_allclose(got.asnumpy(), coeff * (g + 0.1 * w), rtol=1e-5)


# ------------------------------------------------------------------------------------------------
# vmap
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["PYNATIVE_MODE", "GRAPH_MODE"])
def test_vmap_writes_the_mapped_parameters(mode):
    """A vmapped update over a Cell's Parameters returns the per-example results and writes
    them into the Parameters (inside a graph too)."""
    var0, acc0, upd0, g = _sym(2, 3), _pos(2, 3), _pos(2, 3), _sym(2, 3)
    lr = np.array([0.1, 0.5], np.float32)

    def step(var, accum, update, lr, rho, eps, grad):
        return P.ApplyAdadelta()(var, accum, update, lr, rho, eps, grad)

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.var = Parameter(Tensor(var0.copy()), name="var")
            self.accum = Parameter(Tensor(acc0.copy()), name="accum")
            self.update = Parameter(Tensor(upd0.copy()), name="update")
            self.mapped = ops.vmap(step, in_axes=(0, 0, 0, 0, None, None, 0))

        def construct(self, lr, grad):
            return self.mapped(self.var, self.accum, self.update, lr, 0.9, 1e-6, grad)

    ms.set_context(mode=getattr(ms, mode))
    net = Net()
    out = net(Tensor(lr), Tensor(g))
    want = np_adadelta(var0, acc0, upd0, lr[:, None], 0.9, 1e-6, g)
    for o, w, p in zip(out, want, (net.var, net.accum, net.update)):
        np.testing.assert_allclose(o.asnumpy(), w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(p.asnumpy(), w, rtol=1e-5, atol=1e-6)


def test_vmap_of_plain_tensors_returns_the_batch():
    var, delta = _sym(4, 3), _sym(4, 3)
    alpha = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    out = ops.vmap(P.ApplyGradientDescent(), in_axes=(0, 0, 0))(
        Tensor(var), Tensor(alpha), Tensor(delta)
    )
    np.testing.assert_allclose(out.asnumpy(), var - alpha[:, None] * delta, rtol=1e-6)


def test_update_rules_are_differentiable():
    """The rules are compositions of differentiable ops (what the new variable depends on)."""
    from mind.core._src.ops import optim_ops as O

    var, m, v = (Tensor(a.astype(np.float64)) for a in (_sym(3), _sym(3), _pos(3)))
    check_grads(lambda g: O.adam(var, m, v, 0.81, 0.998, 0.1, 0.9, 0.999, 1e-8, g)[0],
                (Tensor(_sym(3).astype(np.float64)),))  # fmt: skip
    check_grads(lambda g: O.ada_max(var, m, v, 0.9, 0.1, 0.9, 0.99, 1e-8, g)[0],
                (Tensor(_sym(3).astype(np.float64) + 2.0),))  # fmt: skip


# ------------------------------------------------------------------------------------------------
# Sparse operator classes
# ------------------------------------------------------------------------------------------------

IDX = np.array([2, 0, 2], np.int32)  # a repeated index: its gradient rows are summed


def _sparse_case(name, attrs, n_state, others, ref, rows_only=True, shape=(4, 3)):
    state = [_sym(*shape)] + [_pos(*shape) for _ in range(n_state - 1)]
    grad = _sym(len(IDX), *shape[1:])
    params = [Parameter(Tensor(a.copy()), name=f"s{i}") for i, a in enumerate(state)]
    op = getattr(P, name)(**attrs)
    before, after = others
    out = op(*params, *before, Tensor(grad), Tensor(IDX), *after)
    dense, rows = np_dense(state[0].astype(np.float64), grad.astype(np.float64), IDX)
    want = ref(*[a.astype(np.float64) for a in state], dense)
    if rows_only:
        want = [np.where(rows, w, s) for w, s in zip(want, state)]
    for o, w, p in zip(out, want, params):
        np.testing.assert_allclose(o.asnumpy(), w, rtol=2e-5, atol=2e-6)
        np.testing.assert_allclose(p.asnumpy(), w, rtol=2e-5, atol=2e-6)


def test_sparse_apply_adagrad():
    _sparse_case("SparseApplyAdagrad", {"lr": 0.1}, 2, ((), ()),
                 lambda v, a, g: np_adagrad(v, a, 0.1, g))  # fmt: skip
    # V2: MindSpore's sparse kernel puts epsilon inside the square root
    _sparse_case(
        "SparseApplyAdagradV2", {"lr": 0.1, "epsilon": 1e-2}, 2, ((), ()),
        lambda v, a, g: (v - 0.1 * g / np.sqrt(a + g * g + 1e-2), a + g * g),
    )  # fmt: skip
    _sparse_case("SparseApplyAdagradV2", {"lr": 0.1, "epsilon": 1e-2, "update_slots": False},
                 2, ((), ()), lambda v, a, g: (v - 0.1 * g / np.sqrt(a + 1e-2), a))  # fmt: skip


def test_sparse_proximal_adagrad_and_ftrl():
    for name in ("SparseApplyProximalAdagrad", "FusedSparseProximalAdagrad"):
        _sparse_case(
            name, {}, 2, ((0.1, 0.05, 0.2), ()),
            lambda v, a, g: np_prox_adagrad(v, a, 0.1, 0.05, 0.2, g),
        )  # fmt: skip
    for name in ("SparseApplyFtrl", "FusedSparseFtrl"):
        attrs = {"lr": 0.05, "l1": 0.1, "l2": 0.2, "lr_power": -0.5}
        _sparse_case(name, attrs, 3, ((), ()),
                     lambda v, a, lin, g: np_ftrl(v, a, lin, g, 0.05, 0.1, 0.2, -0.5))  # fmt: skip
    attrs = {"lr": 0.05, "l1": 0.1, "l2": 0.2, "l2_shrinkage": 0.3, "lr_power": -0.5}
    _sparse_case("SparseApplyFtrlV2", attrs, 3, ((), ()),
                 lambda v, a, lin, g: np_ftrl(v, a, lin, g, 0.05, 0.1, 0.2, -0.5, 0.3))  # fmt: skip


def test_sparse_rms_prop_keeps_ms_where_the_gradient_is_zero():
    def ref(v, s, m, g):
        new_s = np.where(g != 0, 0.9 * s + 0.1 * g * g, s)
        mom = 0.5 * m + 0.01 * g / np.sqrt(new_s + 1e-6)
        return v - mom, new_s, mom

    _sparse_case("SparseApplyRMSProp", {"rho": 0.9, "momentum": 0.5, "epsilon": 1e-6}, 3,
                 ((0.01,), ()), ref)  # fmt: skip


def test_fused_sparse_adam_lazy_and_not():
    hyper = (0.9**2, 0.999**2, 0.01, 0.9, 0.999, 1e-8)
    # not lazy: every row's moments decay and every row moves
    _sparse_case("FusedSparseAdam", {}, 3, (hyper, ()), lambda v, m, s, g: np_adam(v, m, s, *hyper, g),
                 rows_only=False)  # fmt: skip
    _sparse_case("FusedSparseLazyAdam", {"use_nesterov": True}, 3, (hyper, ()),
                 lambda v, m, s, g: np_adam(v, m, s, *hyper, g, nesterov=True))  # fmt: skip


def test_sparse_in_a_graph_cell():
    var0, acc0, grad = _sym(4, 2), _pos(4, 2), _sym(2, 2)

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.op = P.SparseApplyAdagrad(lr=0.1)
            self.var = Parameter(Tensor(var0.copy()), name="var")
            self.accum = Parameter(Tensor(acc0.copy()), name="accum")

        def construct(self, grad, indices):
            return self.op(self.var, self.accum, grad, indices)

    ms.set_context(mode=ms.GRAPH_MODE)
    net = Net()
    net(Tensor(grad), Tensor(np.array([3, 1], np.int32)))
    want_v, want_a = np_adagrad(var0[[3, 1]], acc0[[3, 1]], 0.1, grad)
    np.testing.assert_allclose(net.var.asnumpy()[[3, 1]], want_v, rtol=1e-5)
    np.testing.assert_allclose(net.accum.asnumpy()[[3, 1]], want_a, rtol=1e-5)
    np.testing.assert_array_equal(net.var.asnumpy()[[0, 2]], var0[[0, 2]])


def test_sparse_argument_errors():
    var = Parameter(Tensor(_sym(3, 2)), name="v")
    accum = Parameter(Tensor(_pos(3, 2)), name="a")
    op = P.SparseApplyAdagradV2(lr=0.1, epsilon=1e-6)
    g = Tensor(_sym(2, 2))
    with pytest.raises(TypeError, match="indices"):
        op(var, accum, g, Tensor(np.array([0.0, 1.0], np.float32)))
    with pytest.raises(TypeError, match="indices"):
        op(var, accum, g, [0, 1])
    with pytest.raises(ValueError, match="1-D"):
        op(var, accum, g, Tensor(np.array(0, np.int32)))
    with pytest.raises(ValueError, match="grad"):
        op(var, accum, Tensor(_sym(2, 3)), Tensor(np.array([0, 1], np.int32)))
    with pytest.raises(TypeError, match="dtype"):  # float16 and float32 only, as MindSpore
        p64 = Parameter(Tensor(np.ones((3, 2))), name="p64")
        op(
            p64,
            Parameter(Tensor(np.ones((3, 2))), name="a64"),
            g,
            Tensor(np.array([0, 1], np.int32)),
        )


# ------------------------------------------------------------------------------------------------
# nn optimizers
# ------------------------------------------------------------------------------------------------

SHAPES = [(3, 2), (2,)]


def _problem(seed=0, steps=4):
    rng = np.random.default_rng(seed)
    values = [rng.normal(size=s).astype(np.float32) for s in SHAPES]
    grads = [[rng.normal(size=s).astype(np.float32) for s in SHAPES] for _ in range(steps)]
    return values, grads


def _run(make, values, grads):
    params = [Parameter(Tensor(v.copy()), name=f"w{i}") for i, v in enumerate(values)]
    opt = make(params)
    for gs in grads:
        opt(tuple(Tensor(g) for g in gs))
    return [p.asnumpy() for p in params], opt


def _np_run(step, state_init, values, grads):
    """``step(p, g, state, t) -> p``: numpy reference, one parameter at a time."""
    out = []
    for k, v in enumerate(values):
        p, state = v.astype(np.float64), state_init(v)
        for t, gs in enumerate(grads):
            p = step(p, gs[k].astype(np.float64), state, t)
        out.append(p)
    return out


def _ref_adagrad(p, g, s, t, lr=0.01, wd=0.0, scale=1.0):
    g = g / scale + wd * p
    s["a"] = s["a"] + g * g
    return p - lr * g / np.sqrt(s["a"])


def _ref_adadelta(p, g, s, t, lr=1.0, rho=0.9, eps=1e-6):
    p, s["a"], s["u"] = np_adadelta(p, s["a"], s["u"], lr, rho, eps, g)
    return p


def _ref_adamax(p, g, s, t, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
    p, s["m"], s["v"] = np_ada_max(p, s["m"], s["v"], b1 ** (t + 1), lr, b1, b2, eps, g)
    return p


def _ref_ftrl(p, g, s, t, lr=0.01, l1=0.01, l2=0.1):
    p, s["a"], s["l"] = np_ftrl(p, s["a"], s["l"], g, lr, l1, l2, -0.5)
    return p


def _ref_prox(p, g, s, t, lr=0.01, l1=0.01, l2=0.1):
    p, s["a"] = np_prox_adagrad(p, s["a"], lr, l1, l2, g)
    return p


def _ref_rprop(p, g, s, t, lr=0.01, etas=(0.5, 1.2), sizes=(1e-6, 50.0)):
    size = np.full_like(p, lr) if t == 0 else s["size"]
    sign = np.sign(g * s["prev"])
    factor = np.where(sign > 0, etas[1], np.where(sign < 0, etas[0], 1.0))
    size = np.clip(size * factor, *sizes)
    g = np.where(sign < 0, 0.0, g)
    s["prev"], s["size"] = g, size
    return p - np.sign(g) * size


def _ref_asgd(p, g, s, t, lr=0.01, lambd=1e-2, alpha=0.75, t0=2.0):
    eta = lr / (1 + lambd * lr * t) ** alpha
    mu = 1 / max(1.0, t - t0)
    p = p * (1 - lambd * eta) - eta * g
    s["ax"] = p if mu == 1 else s["ax"] + (p - s["ax"]) * mu
    return p


def _zeros(*names, **filled):
    return lambda v: {**{n: np.zeros(v.shape) for n in names},
                      **{n: np.full(v.shape, x) for n, x in filled.items()}}  # fmt: skip


NN = [
    ("Adagrad", lambda p: nn.Adagrad(p, learning_rate=0.01), _ref_adagrad, _zeros(a=0.1)),
    (
        "Adagrad-decay-scale",
        lambda p: nn.Adagrad(p, accum=0.5, learning_rate=0.01, weight_decay=0.1, loss_scale=4.0),
        lambda p, g, s, t: _ref_adagrad(p, g, s, t, wd=0.1, scale=4.0),
        _zeros(a=0.5),
    ),
    ("Adadelta", lambda p: nn.Adadelta(p), _ref_adadelta, _zeros("a", "u")),
    ("AdaMax", lambda p: nn.AdaMax(p, learning_rate=0.01), _ref_adamax, _zeros("m", "v")),
    (
        "FTRL",
        lambda p: nn.FTRL(p, learning_rate=0.01, l1=0.01, l2=0.1),
        _ref_ftrl,
        _zeros("l", a=0.1),
    ),
    (
        "ProximalAdagrad",
        lambda p: nn.ProximalAdagrad(p, learning_rate=0.01, l1=0.01, l2=0.1),
        _ref_prox,
        _zeros(a=0.1),
    ),
    ("Rprop", lambda p: nn.Rprop(p, learning_rate=0.01), _ref_rprop, _zeros("prev", "size")),
    (
        "ASGD",
        lambda p: nn.ASGD(p, learning_rate=0.01, lambd=1e-2, t0=2.0),
        _ref_asgd,
        _zeros("ax"),
    ),
]


@pytest.mark.parametrize("case", NN, ids=[c[0] for c in NN])
def test_nn_optimizer_against_numpy(case):
    _, make, ref, init = case
    values, grads = _problem()
    got, opt = _run(make, values, grads)
    want = _np_run(ref, init, values, grads)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert opt.global_step == len(grads)


def test_lazy_adam_is_adam_for_dense_gradients():
    values, grads = _problem()
    got, _ = _run(lambda p: nn.LazyAdam(p, learning_rate=0.01, use_nesterov=True), values, grads)
    want, _ = _run(lambda p: nn.Adam(p, learning_rate=0.01, use_nesterov=True), values, grads)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_lars_wraps_momentum():
    values, grads = _problem()

    def lars(p):
        inner = nn.Momentum(p, 0.1, 0.9, weight_decay=0.01)
        return nn.LARS(inner, coefficient=0.02, lars_filter=lambda x: x.name != "w1")

    got, opt = _run(lars, values, grads)
    assert opt.global_step == len(grads)
    want = []
    for k, v in enumerate(values):
        p, mom = v.astype(np.float64), np.zeros(v.shape)
        for gs in grads:
            g = gs[k].astype(np.float64)
            if k == 0:  # filtered in: the LARS gradient (with the decay); w1 gets neither
                wn, gn = np.linalg.norm(p), np.linalg.norm(g)
                g = 0.02 * wn / (gn + 0.01 * wn + 1e-5) * (g + 0.01 * p)
            mom = 0.9 * mom + g
            p = p - 0.1 * mom
        want.append(p)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def _train(make, mode, steps=3):
    ms.set_context(mode=getattr(ms, mode))
    rng = np.random.default_rng(1)
    net = nn.Dense(3, 2)
    net.weight.set_data(Tensor(rng.normal(size=(2, 3)).astype(np.float32)))
    net.bias.set_data(Tensor(rng.normal(size=(2,)).astype(np.float32)))
    x = Tensor(rng.normal(size=(4, 3)).astype(np.float32))
    y = Tensor(rng.normal(size=(4, 2)).astype(np.float32))
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), make(net.trainable_params()))
    losses = [float(step(x, y).asnumpy()) for _ in range(steps)]
    return losses, net.weight.asnumpy()


GRAPH = [
    lambda p: nn.Adagrad(p, learning_rate=0.1, weight_decay=0.01),
    lambda p: nn.Adadelta(p),
    lambda p: nn.AdaMax(p, learning_rate=0.1),
    lambda p: nn.FTRL(p, learning_rate=0.1),
    lambda p: nn.ProximalAdagrad(p, learning_rate=0.1, l1=0.01),
    lambda p: nn.LazyAdam(p, learning_rate=0.1),
    lambda p: nn.Rprop(p, learning_rate=[0.1, 0.05, 0.01]),
    lambda p: nn.ASGD(p, learning_rate=0.1, t0=1.0),
    lambda p: nn.LARS(nn.Momentum(p, [0.1, 0.05, 0.01], 0.9), use_clip=True),
]


@pytest.mark.parametrize("make", GRAPH, ids=["Adagrad", "Adadelta", "AdaMax", "FTRL",
                                             "ProximalAdagrad", "LazyAdam", "Rprop", "ASGD",
                                             "LARS"])  # fmt: skip
def test_graph_step_matches_pynative(make):
    eager_losses, eager_w = _train(make, "PYNATIVE_MODE")
    graph_losses, graph_w = _train(make, "GRAPH_MODE")
    assert eager_losses[-1] < eager_losses[0]
    np.testing.assert_allclose(graph_losses, eager_losses, rtol=1e-5)
    np.testing.assert_allclose(graph_w, eager_w, rtol=1e-5, atol=1e-6)


def test_param_groups():
    values, grads = _problem()

    def make(p):
        return nn.Adagrad([{"params": [p[0]], "lr": 0.05}, {"params": [p[1]]}], learning_rate=0.01)

    got, _ = _run(make, values, grads)
    want0 = _np_run(lambda p, g, s, t: _ref_adagrad(p, g, s, t, lr=0.05), _zeros(a=0.1),
                    values[:1], [gs[:1] for gs in grads])  # fmt: skip
    want1 = _np_run(_ref_adagrad, _zeros(a=0.1), values[1:], [gs[1:] for gs in grads])
    np.testing.assert_allclose(got[0], want0[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want1[0], rtol=1e-5, atol=1e-6)


def test_nn_argument_errors():
    params = [Parameter(Tensor(np.ones(2, np.float32)), name="w")]
    with pytest.raises(ValueError, match="the argument parameters must not be empty"):
        nn.ASGD([], learning_rate=0.1)
    with pytest.raises(TypeError, match="lambd"):
        nn.ASGD(params, lambd=1)
    with pytest.raises(TypeError, match="etas"):
        nn.Rprop(params, etas=[0.5, 1.2])
    with pytest.raises(ValueError, match="etaplus"):
        nn.Rprop(params, etas=(0.5, 0.9))
    with pytest.raises(ValueError, match="step size"):
        nn.Rprop(params, step_sizes=(50.0, 1e-6))
    with pytest.raises(ValueError, match="dynamic learning rate"):
        nn.FTRL(params, learning_rate=[0.1, 0.2])
    with pytest.raises(TypeError, match="accum"):
        nn.Adagrad(params, accum=1)
    with pytest.raises(ValueError, match="beta1"):
        nn.AdaMax(params, beta1=1.0)
    with pytest.raises(TypeError, match="Optimizer"):
        nn.LARS(params)
