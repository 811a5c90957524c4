"""mind.extend.probability against scipy.stats, closed-form KLs, sample moments and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as mc
from mind.core import nn
from mind.core.errors import MindTypeError, MindValueError
from mind.core.testing import check_grads
from mind.extend.probability import bijector as msb
from mind.extend.probability import distribution as msd

stats = pytest.importorskip("scipy.stats")
integrate = pytest.importorskip("scipy.integrate")

F64 = mc.float64


def T(x, dtype=F64):
    return mc.Tensor(np.asarray(x, dtype=dtype.np), dtype=dtype)


# (name, Mind distribution, scipy frozen distribution, values to evaluate at); parameters are
# arrays so the batch broadcasts against the values.
A = np.array([0.7, 1.5, 3.0])
CONTINUOUS = [
    ("normal", lambda: msd.Normal(np.array([-1.0, 0.5, 2.0]), A, dtype=F64),
     stats.norm(np.array([-1.0, 0.5, 2.0]), A), [-1.3, 0.2, 4.0]),
    ("lognormal", lambda: msd.LogNormal(np.array([-0.5, 0.0, 0.3]), np.array([0.4, 1.0, 0.6]), dtype=F64),
     stats.lognorm(np.array([0.4, 1.0, 0.6]), scale=np.exp([-0.5, 0.0, 0.3])), [0.3, 1.0, 2.5]),
    ("uniform", lambda: msd.Uniform(np.array([-1.0, 0.0, 2.0]), np.array([1.0, 0.5, 5.0]), dtype=F64),
     stats.uniform(np.array([-1.0, 0.0, 2.0]), np.array([2.0, 0.5, 3.0])), [0.3, 0.25, 4.0]),
    ("exponential", lambda: msd.Exponential(A, dtype=F64), stats.expon(scale=1 / A), [0.1, 1.0, 2.5]),
    ("gamma", lambda: msd.Gamma(np.array([0.5, 2.0, 5.0]), A, dtype=F64),
     stats.gamma(np.array([0.5, 2.0, 5.0]), scale=1 / A), [0.2, 1.3, 1.9]),
    ("beta", lambda: msd.Beta(np.array([0.5, 2.0, 5.0]), np.array([1.5, 2.0, 0.8]), dtype=F64),
     stats.beta(np.array([0.5, 2.0, 5.0]), np.array([1.5, 2.0, 0.8])), [0.2, 0.5, 0.9]),
    ("gumbel", lambda: msd.Gumbel(np.array([-1.0, 0.0, 2.0]), A, dtype=F64),
     stats.gumbel_r(np.array([-1.0, 0.0, 2.0]), A), [-2.0, 0.3, 5.0]),
    ("logistic", lambda: msd.Logistic(np.array([-1.0, 0.0, 2.0]), A, dtype=F64),
     stats.logistic(np.array([-1.0, 0.0, 2.0]), A), [-2.0, 0.3, 5.0]),
    ("cauchy", lambda: msd.Cauchy(np.array([-1.0, 0.0, 2.0]), A, dtype=F64),
     stats.cauchy(np.array([-1.0, 0.0, 2.0]), A), [-2.0, 0.3, 5.0]),
]  # fmt: skip
NO_CDF = {"beta"}  # MindSpore's Beta has no cdf either
NO_MOMENTS = {"cauchy"}


def _close(got, want, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got.asnumpy(), np.float64), want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name, make, ref, values", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_matches_scipy(name, make, ref, values):
    dist = make()
    x = T(values)
    _close(dist.log_prob(x), ref.logpdf(values))
    _close(dist.prob(x), ref.pdf(values))
    _close(dist.entropy(), ref.entropy())
    if name not in NO_CDF:
        _close(dist.cdf(x), ref.cdf(values))
        _close(dist.log_cdf(x), ref.logcdf(values))
        _close(dist.survival_function(x), ref.sf(values))
        _close(dist.log_survival(x), ref.logsf(values))
    if name in NO_MOMENTS:
        with pytest.raises(MindValueError):
            dist.mean()
    else:
        _close(dist.mean(), ref.mean())
        _close(dist.var(), ref.var())
        _close(dist.sd(), ref.std())


def test_outside_the_support():
    _close(msd.Exponential(2.0, dtype=F64).log_prob(T([-1.0])), [-np.inf])
    _close(msd.Uniform(0.0, 1.0, dtype=F64).prob(T([-0.5, 1.5])), [0.0, 0.0])
    _close(msd.Uniform(0.0, 1.0, dtype=F64).cdf(T([-0.5, 1.5])), [0.0, 1.0])
    _close(msd.Exponential(2.0, dtype=F64).cdf(T([-1.0])), [0.0])


def test_modes():
    _close(msd.Normal(1.5, 2.0, dtype=F64).mode(), 1.5)
    _close(msd.Gamma(np.array([3.0, 0.5]), 2.0, dtype=F64).mode(), [1.0, np.nan])
    _close(msd.Beta(3.0, 2.0, dtype=F64).mode(), 2.0 / 3.0)
    _close(msd.LogNormal(0.5, 0.5, dtype=F64).mode(), np.exp(0.25))
    _close(msd.Gumbel(1.0, 2.0, dtype=F64).mode(), 1.0)
    _close(msd.Cauchy(1.0, 2.0, dtype=F64).mode(), 1.0)


P = np.array([0.2, 0.5, 0.9])
DISCRETE = [
    ("bernoulli", lambda: msd.Bernoulli(P, dtype=mc.int32), stats.bernoulli(P), [0.0, 1.0, 1.0]),
    ("geometric", lambda: msd.Geometric(P), stats.geom(P, loc=-1), [0.0, 3.0, 1.0]),
    ("poisson", lambda: msd.Poisson(np.array([0.5, 3.0, 10.0])), stats.poisson(np.array([0.5, 3.0, 10.0])),
     [0.0, 2.0, 12.0]),
]  # fmt: skip


@pytest.mark.parametrize("name, make, ref, values", DISCRETE, ids=[d[0] for d in DISCRETE])
def test_discrete_matches_scipy(name, make, ref, values):
    dist = make()
    x = T(values, mc.float32)
    _close(dist.log_prob(x), ref.logpmf(values), rtol=1e-5, atol=1e-6)
    _close(dist.prob(x), ref.pmf(values), rtol=1e-5, atol=1e-6)
    _close(dist.cdf(x), ref.cdf(values), rtol=1e-5, atol=1e-6)
    _close(dist.survival_function(x), ref.sf(values), rtol=1e-5, atol=1e-6)
    _close(dist.mean(), ref.mean(), rtol=1e-5)
    _close(dist.var(), ref.var(), rtol=1e-5)
    if name != "poisson":  # MindSpore's Poisson has no entropy
        _close(dist.entropy(), ref.entropy(), rtol=1e-5)


def test_categorical_matches_scipy():
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])
    dist = msd.Categorical(probs, dtype=mc.int32)
    values = np.array([2, 0])
    _close(dist.log_prob(T(values, mc.int32)), np.log(probs[[0, 1], values]), rtol=1e-6)
    _close(dist.cdf(T(values, mc.int32)), [1.0, 0.6], rtol=1e-6)
    _close(dist.cdf(T([-1, 5], mc.int32)), [0.0, 1.0], rtol=1e-6)
    ks = np.arange(3)
    _close(dist.mean(), (probs * ks).sum(-1), rtol=1e-6)
    _close(dist.var(), (probs * ks**2).sum(-1) - (probs * ks).sum(-1) ** 2, rtol=1e-5)
    _close(dist.entropy(), [stats.entropy(p) for p in probs], rtol=1e-6)
    assert dist.mode().asnumpy().tolist() == [2, 0]


# -- KL divergences, against numerical integration / summation --------------------------------
def _kl_integral(p, q, lo, hi):
    value, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)), lo, hi, limit=200)
    return value


KL_CASES = [
    ("Normal", msd.Normal, (0.5, 1.5), (-0.3, 0.8), lambda a, b: (stats.norm(*a), stats.norm(*b)), -30, 30),
    ("Gumbel", msd.Gumbel, (0.5, 1.5), (-0.3, 0.8), lambda a, b: (stats.gumbel_r(*a), stats.gumbel_r(*b)),
     -30, 60),
    ("Cauchy", msd.Cauchy, (0.5, 1.5), (-0.3, 0.8), lambda a, b: (stats.cauchy(*a), stats.cauchy(*b)),
     -np.inf, np.inf),
    ("Exponential", msd.Exponential, (1.5,), (0.4,), lambda a, b: (stats.expon(scale=1 / a[0]),
                                                                   stats.expon(scale=1 / b[0])), 0, np.inf),
    ("Gamma", msd.Gamma, (2.5, 1.5), (1.2, 0.6),
     lambda a, b: (stats.gamma(a[0], scale=1 / a[1]), stats.gamma(b[0], scale=1 / b[1])), 0, np.inf),
    ("Beta", msd.Beta, (2.5, 1.5), (1.2, 3.0), lambda a, b: (stats.beta(*a), stats.beta(*b)), 0, 1),
    ("LogNormal", msd.LogNormal, (0.2, 0.5), (-0.1, 0.9),
     lambda a, b: (stats.lognorm(a[1], scale=np.exp(a[0])), stats.lognorm(b[1], scale=np.exp(b[0]))),
     0, np.inf),
    ("Uniform", msd.Uniform, (0.0, 1.0), (-1.0, 2.0), lambda a, b: (stats.uniform(a[0], a[1] - a[0]),
                                                                   stats.uniform(b[0], b[1] - b[0])), 0, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    "family, cls, pa, pb, refs, lo, hi", KL_CASES, ids=[k[0] for k in KL_CASES]
)
def test_kl_loss_and_cross_entropy(family, cls, pa, pb, refs, lo, hi):
    p, q = refs(pa, pb)
    want = _kl_integral(p, q, lo, hi)
    a = cls(*pa, dtype=F64)
    b_args = [T(v) for v in pb]
    _close(a.kl_loss(family, *b_args), want, rtol=1e-6, atol=1e-8)
    _close(a.cross_entropy(family, *b_args), p.entropy() + want, rtol=1e-6, atol=1e-8)
    # With a's parameters given in the call instead of at construction.
    bare = cls(dtype=F64)
    _close(bare.kl_loss(family, *b_args, *[T(v) for v in pa]), want, rtol=1e-6, atol=1e-8)
    with pytest.raises(MindValueError):
        a.kl_loss("NotAFamily", *b_args)


def test_uniform_kl_is_infinite_when_not_covered():
    _close(msd.Uniform(0.0, 2.0, dtype=F64).kl_loss("Uniform", T(0.5), T(3.0)), np.inf)


@pytest.mark.parametrize(
    "cls, family", [(msd.Bernoulli, "Bernoulli"), (msd.Geometric, "Geometric")]
)
def test_discrete_kl(cls, family):
    pa, pb = 0.3, 0.7
    ks = np.arange(0, 400)
    ref = stats.bernoulli if family == "Bernoulli" else (lambda p: stats.geom(p, loc=-1))
    ka, kb = ref(pa).pmf(ks), ref(pb).pmf(ks)
    mask = ka > 0
    want = float(np.sum(ka[mask] * np.log(ka[mask] / kb[mask])))
    _close(cls(pa).kl_loss(family, T(pb, mc.float32)), want, rtol=1e-5)


def test_categorical_kl():
    pa, pb = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
    got = msd.Categorical(pa).kl_loss("Categorical", T(pb, mc.float32))
    _close(got, stats.entropy(pa, pb), rtol=1e-5)


# -- parameters given per call ---------------------------------------------------------------
def test_call_parameters_override_and_broadcast():
    n = msd.Normal(0.0, 1.0, dtype=F64)
    x = T([[0.5], [1.5]])
    mean, sd = T([0.0, 1.0, 2.0]), T([1.0, 2.0, 3.0])
    got = n.log_prob(x, mean, sd)
    assert got.shape == (2, 3)
    _close(got, stats.norm([0.0, 1.0, 2.0], [1.0, 2.0, 3.0]).logpdf([[0.5], [1.5]]))
    _close(
        n.log_prob(x, sd=T(2.0)), stats.norm(0, 2).logpdf([[0.5], [1.5]])
    )  # keyword, default mean
    _close(n.log_prob(x), stats.norm(0, 1).logpdf([[0.5], [1.5]]))  # defaults unchanged
    with pytest.raises(MindValueError):
        msd.Normal(dtype=F64).log_prob(x)  # no parameters anywhere


def test_call_by_name_and_dist_args():
    n = msd.Normal(1.0, 2.0, dtype=F64)
    _close(n("log_prob", T([0.5])), stats.norm(1, 2).logpdf([0.5]))
    assert n.get_dist_type() == "Normal"
    mean, sd = n.get_dist_args()
    _close(mean, 1.0)
    _close(sd, 2.0)
    with pytest.raises(MindValueError):
        n("nope")


# -- sampling ----------------------------------------------------------------------------------
SAMPLE_CASES = [
    (lambda: msd.Normal(1.0, 2.0), 1.0, 4.0),
    (lambda: msd.LogNormal(0.1, 0.4), np.exp(0.1 + 0.08), np.expm1(0.16) * np.exp(0.2 + 0.16)),
    (lambda: msd.Uniform(-1.0, 3.0), 1.0, 16 / 12),
    (lambda: msd.Exponential(2.0), 0.5, 0.25),
    (lambda: msd.Gamma(3.0, 2.0), 1.5, 0.75),
    (lambda: msd.Beta(2.0, 3.0), 0.4, 0.04),
    (lambda: msd.Gumbel(1.0, 2.0), 1.0 + 2.0 * np.euler_gamma, (np.pi * 2.0) ** 2 / 6),
    (lambda: msd.Logistic(1.0, 2.0), 1.0, (np.pi * 2.0) ** 2 / 3),
    (lambda: msd.Bernoulli(0.3), 0.3, 0.21),
    (lambda: msd.Geometric(0.3), 0.7 / 0.3, 0.7 / 0.09),
    (lambda: msd.Poisson(4.0), 4.0, 4.0),
    (lambda: msd.Categorical([0.2, 0.3, 0.5]), 1.3, 0.61),
]


@pytest.mark.parametrize("make, mean, var", SAMPLE_CASES, ids=lambda v: "" if callable(v) else None)
def test_sample_moments(make, mean, var):
    mc.set_seed(7)
    n = 40000
    draws = make().sample((n,)).asnumpy().astype(np.float64)
    assert draws.shape == (n,)
    # 5 standard errors of the mean; the variance to 10%.
    assert abs(draws.mean() - mean) < 5 * np.sqrt(var / n), (draws.mean(), mean)
    assert abs(draws.var() - var) < 0.1 * var, (draws.var(), var)


def test_sample_shape_dtype_and_seed():
    dist = msd.Normal(np.zeros((2, 1)), np.ones(3))
    s = dist.sample((4,))
    assert s.shape == (4, 2, 3) and s.dtype == mc.float32
    assert msd.Normal(0.0, 1.0).sample().shape == ()
    assert msd.Bernoulli(0.5).sample((3,)).dtype == mc.int32
    assert msd.Categorical([[0.5, 0.5]] * 2).sample((3,)).shape == (3, 2)
    first = msd.Normal(0.0, 1.0, seed=5).sample((3,)).asnumpy()
    again = msd.Normal(0.0, 1.0, seed=5).sample((3,)).asnumpy()
    np.testing.assert_array_equal(first, again)
    seeded = msd.Normal(0.0, 1.0, seed=5)
    assert not np.array_equal(seeded.sample((3,)).asnumpy(), seeded.sample((3,)).asnumpy())


# -- gradients -------------------------------------------------------------------------------
GRAD_CASES = [
    (msd.Normal, [0.3], (np.array([0.1, -0.4]), np.array([1.2, 0.7]))),
    (msd.LogNormal, [0.8], (np.array([0.1, -0.4]), np.array([1.2, 0.7]))),
    (msd.Gamma, [1.4], (np.array([2.0, 0.8]), np.array([1.2, 0.7]))),
    (msd.Beta, [0.35], (np.array([2.0, 0.8]), np.array([1.2, 3.0]))),
    (msd.Gumbel, [0.3], (np.array([0.1, -0.4]), np.array([1.2, 0.7]))),
    (msd.Logistic, [0.3], (np.array([0.1, -0.4]), np.array([1.2, 0.7]))),
    (msd.Cauchy, [0.3], (np.array([0.1, -0.4]), np.array([1.2, 0.7]))),
    (msd.Uniform, [0.3], (np.array([-0.1, -0.4]), np.array([1.2, 0.7]))),
    (msd.Exponential, [0.3], (np.array([1.2, 0.7]),)),
]


@pytest.mark.parametrize("cls, value, params", GRAD_CASES, ids=[g[0].__name__ for g in GRAD_CASES])
def test_log_prob_and_entropy_gradients(cls, value, params):
    dist = cls(dtype=F64)
    x = np.array(value)
    check_grads(lambda v, *p: dist.log_prob(v, *p), (x, *params))
    check_grads(lambda *p: dist.entropy(*p), params)
    if cls not in (msd.Uniform, msd.Beta):
        check_grads(lambda v, *p: dist.cdf(v, *p), (x, *params))


def test_kl_gradient():
    dist = msd.Gamma(dtype=F64)
    check_grads(lambda cb, rb, ca, ra: dist.kl_loss("Gamma", cb, rb, ca, ra),
                (np.array([1.2]), np.array([0.6]), np.array([2.5]), np.array([1.5])))  # fmt: skip


@pytest.mark.parametrize("cls", [msd.Normal, msd.Gumbel, msd.Logistic, msd.Uniform])
def test_reparameterized_sample_gradient(cls):
    dist = cls(dtype=F64)

    def draw(a, b):  # the same noise on every call, so finite differences see a smooth function
        mc.set_seed(3)
        return dist.sample((4,), a, b)

    check_grads(draw, (np.array([0.2, -0.5]), np.array([1.5, 2.0])))


def test_exponential_sample_gradient():
    dist = msd.Exponential(dtype=F64)

    def draw(rate):
        mc.set_seed(3)
        return dist.sample((4,), rate)

    check_grads(draw, (np.array([0.5, 2.0]),))


# -- jit, GRAPH_MODE, vmap --------------------------------------------------------------------
class _Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.normal = msd.Normal(3.0, 4.0)
        self.bare = msd.Gamma()

    def construct(self, value, conc, rate):
        return (self.normal.log_prob(value) + self.normal.cdf(value) + self.normal("survival_function", value)
                + self.bare.log_prob(value, conc, rate) + self.normal.kl_loss("Normal", conc, rate))  # fmt: skip


def _net_reference(value, conc, rate):
    kl = np.log(rate / 4.0) + (16.0 + (3.0 - conc) ** 2) / (2 * rate**2) - 0.5
    return (
        stats.norm(3, 4).logpdf(value) + 1.0 + stats.gamma(conc, scale=1 / rate).logpdf(value) + kl
    )


def test_in_a_cell_pynative_graph_and_jit():
    args = (T([0.5, 2.0], mc.float32), T([2.0], mc.float32), T([1.5], mc.float32))
    want = _net_reference(np.array([0.5, 2.0]), 2.0, 1.5)
    net = _Net()
    _close(net(*args), want, rtol=1e-5)
    mc.set_context(mode=mc.GRAPH_MODE)
    try:
        _close(_Net()(*args), want, rtol=1e-5)
    finally:
        mc.set_context(mode=mc.PYNATIVE_MODE)
    _close(mc.jit(net.construct)(*args), want, rtol=1e-5)


def test_sampling_under_jit():
    dist = msd.Normal(0.0, 1.0)
    out = mc.jit(lambda m: dist.sample((1000,), m, T(0.5, mc.float32)))(T(2.0, mc.float32))
    assert out.shape == (1000,) and abs(float(out.asnumpy().mean()) - 2.0) < 0.1


def test_vmap_over_parameters():
    dist = msd.Normal(dtype=F64)
    means = T([0.0, 1.0, 2.0])
    got = mc.vmap(lambda m: dist.log_prob(T([0.5, 1.5]), m, T(1.0)))(means)
    want = stats.norm(np.array([[0.0], [1.0], [2.0]]), 1.0).logpdf([0.5, 1.5])
    _close(got, want)


# -- errors ----------------------------------------------------------------------------------
def test_argument_errors():
    with pytest.raises(MindValueError):
        msd.Normal(0.0, 0.0)
    with pytest.raises(MindValueError):
        msd.Normal([[2.0], [1.0]], [[2.0], [3.0], [4.0]])
    with pytest.raises(MindTypeError):
        msd.Normal(0.0, 1.0, dtype=mc.int32)
    with pytest.raises(MindTypeError):
        msd.Normal(0.0, 1.0, name=1.0)
    with pytest.raises(MindTypeError):
        msd.Normal(0.0, 1.0, seed="seed")
    with pytest.raises(MindValueError):
        msd.Bernoulli(1.0)
    with pytest.raises(MindValueError):
        msd.Uniform(1.0, 0.0)
    with pytest.raises(MindValueError):
        msd.Categorical([0.5, 0.6])
    with pytest.raises(MindTypeError):
        msd.Normal(0.0, 1.0).log_prob([0.5])  # values must be Tensors, as MindSpore's
    with pytest.raises(NotImplementedError):
        msd.Logistic(0.0, 1.0).kl_loss("Logistic", T(0.0), T(1.0))
    with pytest.raises(TypeError):  # MindTypeError is a TypeError
        msd.Normal(0.0, 1.0).sample([2])


class _NoMethods(msd.Distribution):
    def __init__(self):
        param = dict(locals())
        param["param_dict"] = {"rate": None}
        super().__init__(None, mc.float32, "NoMethods", param)


@pytest.mark.parametrize("method", ["prob", "log_prob", "cdf", "log_cdf", "survival_function",
                                    "log_survival", "sd", "var", "mode", "mean", "entropy", "kl_loss",
                                    "cross_entropy", "sample"])  # fmt: skip
def test_a_subclass_without_methods_raises_not_implemented(method):
    with pytest.raises(NotImplementedError):
        getattr(_NoMethods(), method)(T([0.2], mc.float32))


# -- bijectors --------------------------------------------------------------------------------
BIJECTORS = [
    (lambda: msb.Exp(), [-1.0, 0.3, 2.0]),
    (lambda: msb.PowerTransform(0.5), [-1.0, 0.3, 2.0]),
    (lambda: msb.PowerTransform(0.0), [-1.0, 0.3, 2.0]),
    (lambda: msb.ScalarAffine(-2.0, 1.0), [-1.0, 0.3, 2.0]),
    (lambda: msb.Softplus(2.0), [-1.0, 0.3, 2.0]),
    (lambda: msb.GumbelCDF(0.5, 2.0), [-1.0, 0.3, 2.0]),
    (lambda: msb.Invert(msb.Exp()), [0.2, 1.0, 3.0]),
]


@pytest.mark.parametrize("make, xs", BIJECTORS, ids=["exp", "power", "power0", "affine", "softplus", "gumbel",
                                                      "invert"])  # fmt: skip
def test_bijector_round_trip_and_log_jacobians(make, xs):
    bij = make()
    x = T(xs)
    y = bij.forward(x)
    _close(bij.inverse(y), xs, rtol=1e-9)
    # log|f'(x)| against the autodiff derivative of forward, and the inverse's against it.
    dfdx = mc.grad(lambda v: bij.forward(v).sum())(x).asnumpy()
    _close(bij.forward_log_jacobian(x), np.log(np.abs(dfdx)), rtol=1e-9)
    _close(bij.inverse_log_jacobian(y), -np.log(np.abs(dfdx)), rtol=1e-9)
    check_grads(lambda v: bij.forward(v), (np.array(xs),))
    assert bij("forward", x).shape == x.shape


def test_bijector_closed_forms():
    x = np.array([-1.0, 0.3, 2.0])
    _close(msb.PowerTransform(0.5).forward(T(x)), (1 + 0.5 * x) ** 2)
    _close(msb.Softplus(2.0).forward(T(x)), np.log1p(np.exp(2 * x)) / 2)
    _close(msb.GumbelCDF(0.5, 2.0).forward(T(x)), stats.gumbel_r(0.5, 2.0).cdf(x))
    _close(msb.ScalarAffine(-2.0, 1.0).forward(T(x)), -2 * x + 1)
    assert msb.ScalarAffine().is_constant_jacobian and not msb.Exp().is_constant_jacobian
    assert msb.Invert(msb.Exp()).name == "InvertExp"


def test_bijector_input_checks():
    with pytest.raises(MindTypeError):
        msb.Exp().forward(1.0)
    with pytest.raises(MindTypeError):
        msb.Exp().forward(T([1], mc.int32))
    with pytest.raises(MindValueError):
        msb.Softplus(-1.0)
    with pytest.raises(MindValueError):
        msb.ScalarAffine(0.0)
    with pytest.raises(MindTypeError):
        msb.Invert(msd.Normal(0.0, 1.0))


def test_transformed_distribution():
    affine = msd.TransformedDistribution(
        msb.ScalarAffine(2.0, 1.0), msd.Normal(0.0, 1.0, dtype=F64)
    )
    x = [-1.0, 0.5, 3.0]
    ref = stats.norm(1.0, 2.0)
    _close(affine.log_prob(T(x)), ref.logpdf(x))
    _close(affine.cdf(T(x)), ref.cdf(x))
    _close(affine.log_survival(T(x)), ref.logsf(x))
    _close(affine.mean(), 1.0)
    # the underlying distribution's parameters may come with the call
    bare = msd.TransformedDistribution(msb.Exp(), msd.Normal(dtype=F64))
    _close(
        bare.log_prob(T([0.5, 2.0]), T(0.3), T(0.5)),
        stats.lognorm(0.5, scale=np.exp(0.3)).logpdf([0.5, 2.0]),
    )
    mc.set_seed(0)
    draws = (msb.Exp())(msd.Normal(0.0, 0.5)).sample((20000,)).asnumpy()
    assert draws.min() > 0 and abs(np.log(draws).std() - 0.5) < 0.02


def test_half_normal_laplace_student_t_match_scipy():
    x = np.array([-0.5, 0.3, 1.7])
    sd = np.array([0.5, 1.0, 2.0])
    _close(msd.Laplace(np.array([0.0, 0.5, -1.0]), sd, dtype=F64).log_prob(T(x)),
           stats.laplace([0.0, 0.5, -1.0], sd).logpdf(x))  # fmt: skip
    _close(msd.HalfNormal(0.0, sd, dtype=F64).prob(T(x)), stats.halfnorm(0.0, sd).pdf(x))
    df = np.array([1.5, 4.0, 30.0])
    _close(msd.StudentT(df, np.array([0.0, 0.5, -1.0]), sd, dtype=F64).log_prob(T(x)),
           stats.t(df, [0.0, 0.5, -1.0], sd).logpdf(x))  # fmt: skip
    check_grads(lambda v, *p: msd.StudentT(dtype=F64).log_prob(v, *p), (x, df, np.zeros(3), sd))
    with pytest.raises(MindValueError):
        msd.StudentT(-1.0, 0.0, 1.0)
