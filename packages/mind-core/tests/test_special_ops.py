"""Special functions, elementwise aliases, windows and random sampling (ops.special, p_special):
values against scipy.special / numpy, gradients against finite differences, in PyNative and
under jit and vmap; random ops by their distributions with fixed seeds, and reproducibility."""

import math

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")

rng = np.random.default_rng(0)
X = rng.uniform(0.3, 3.0, 6)  # positive: every Bessel function is defined
XS = rng.uniform(-3.0, 3.0, 6)  # i and j are defined everywhere

# op name -> (scipy reference, input, whether it is defined for negative x)
BESSEL = {
    "bessel_i0": (special.i0, True),
    "bessel_i0e": (special.i0e, True),
    "bessel_i1": (special.i1, True),
    "bessel_i1e": (special.i1e, True),
    "bessel_j0": (special.j0, True),
    "bessel_j1": (special.j1, True),
    "bessel_k0": (special.k0, False),
    "bessel_k0e": (special.k0e, False),
    "bessel_k1": (special.k1, False),
    "bessel_k1e": (special.k1e, False),
    "bessel_y0": (special.y0, False),
    "bessel_y1": (special.y1, False),
}


def _t(a, dtype=np.float32):
    return Tensor(np.asarray(a, dtype))


@pytest.mark.parametrize("name", sorted(BESSEL))
def test_bessel_functions_match_scipy_and_differentiate(name):
    ref, signed = BESSEL[name]
    x = XS if signed else X
    fn = getattr(ops, name)
    np.testing.assert_allclose(fn(_t(x)).asnumpy(), ref(x).astype(np.float32), rtol=1e-5)
    np.testing.assert_allclose(ms.jit(fn)(_t(x)).asnumpy(), ref(x), rtol=1e-5)
    assert fn(_t(x)).dtype == ms.float32 and fn(_t(x, np.float64)).dtype == ms.float64
    check_grads(fn, [x], rtol=1e-5, atol=1e-7)
    # the P class computes the same; vmap batches it
    cls = getattr(P, "Bessel" + name[7:].upper().replace("E", "e"))
    np.testing.assert_allclose(cls()(_t(x)).asnumpy(), fn(_t(x)).asnumpy())
    batch = np.stack([x, x * 0.5 + 0.1])
    np.testing.assert_allclose(ms.vmap(fn)(_t(batch)).asnumpy(), ref(batch), rtol=1e-5)


def test_bessel_gradients_at_zero_take_the_limit():
    for name, slope in (("bessel_i1", 0.5), ("bessel_i1e", 0.5), ("bessel_j1", 0.5)):
        fn = getattr(ops, name)
        g = ms.grad(lambda x, fn=fn: fn(x).sum())(_t([0.0], np.float64))
        np.testing.assert_allclose(g.asnumpy(), [slope], rtol=1e-12)
    assert np.allclose(ops.i0(_t([0.0, 1.0])).asnumpy(), special.i0([0.0, 1.0]))


def test_gamma_family_matches_scipy():
    np.testing.assert_allclose(ops.lgamma(_t(X)).asnumpy(), special.gammaln(X), rtol=1e-5)
    np.testing.assert_allclose(ops.digamma(_t(X)).asnumpy(), special.psi(X), rtol=1e-5)
    for n in (0, 1, 3):
        np.testing.assert_allclose(
            ops.polygamma(n, _t(X)).asnumpy(), special.polygamma(n, X), rtol=1e-5
        )
    # n as a 0-D integer tensor, as MindSpore passes it
    np.testing.assert_allclose(
        ops.polygamma(Tensor(2), _t(X)).asnumpy(), special.polygamma(2, X), rtol=1e-5
    )
    for p in (1, 3):
        want = special.multigammaln(X + 2, p)
        np.testing.assert_allclose(ops.mvlgamma(_t(X + 2), p).asnumpy(), want, rtol=1e-5)
        np.testing.assert_allclose(P.Mvlgamma(p)(_t(X + 2)).asnumpy(), want, rtol=1e-5)
    x = _t(X)
    np.testing.assert_allclose(x.lgamma().asnumpy(), special.gammaln(X), rtol=1e-5)
    np.testing.assert_allclose(x.digamma().asnumpy(), special.psi(X), rtol=1e-5)
    np.testing.assert_allclose(
        _t(X + 1).mvlgamma(2).asnumpy(), special.multigammaln(X + 1, 2), rtol=1e-5
    )
    with pytest.raises(MindValueError):
        ops.polygamma(-1, x)
    with pytest.raises(MindValueError):  # every element must exceed (p - 1) / 2
        ops.mvlgamma(_t([0.9, 3.0]), 3)


def test_gamma_family_gradients():
    check_grads(ops.lgamma, [X])
    check_grads(ops.digamma, [X])
    check_grads(lambda x: ops.polygamma(2, x), [X])
    check_grads(lambda x: ops.mvlgamma(x, 3), [X + 2])
    check_grads(ops.lgamma, [X], order=2, rtol=1e-4)


def test_incomplete_gamma_and_zeta_values_and_both_gradients():
    a, x = rng.uniform(0.5, 3.0, 5), rng.uniform(0.2, 4.0, 5)
    np.testing.assert_allclose(
        ops.igamma(_t(a), _t(x)).asnumpy(), special.gammainc(a, x), rtol=1e-5
    )
    np.testing.assert_allclose(
        ops.igammac(_t(a), _t(x)).asnumpy(), special.gammaincc(a, x), rtol=1e-5
    )
    np.testing.assert_allclose(_t(a).igamma(_t(x)).asnumpy(), special.gammainc(a, x), rtol=1e-5)
    check_grads(ops.igamma, [a, x], rtol=1e-6)
    check_grads(ops.igammac, [a, x], rtol=1e-6)
    s, q = rng.uniform(1.5, 4.0, 5), rng.uniform(0.5, 3.0, 5)
    np.testing.assert_allclose(ops.zeta(_t(s), _t(q)).asnumpy(), special.zeta(s, q), rtol=1e-5)
    np.testing.assert_allclose(ops.zeta(_t(s), 1.0).asnumpy(), special.zeta(s, 1.0), rtol=1e-5)
    check_grads(ops.zeta, [s, q], rtol=1e-6)
    with pytest.raises(MindTypeError):
        ops.zeta(2.0, 1.0)
    np.testing.assert_allclose(
        P.Igamma()(_t(a), _t(x)).asnumpy(), special.gammainc(a, x), rtol=1e-5
    )


def test_erfinv_inverts_erf_and_differentiates():
    p = np.tanh(rng.standard_normal(7))
    np.testing.assert_allclose(ops.erfinv(_t(p)).asnumpy(), special.erfinv(p), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_t(p).erfinv().asnumpy(), special.erfinv(p), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(P.Erfinv()(_t(p)).asnumpy(), special.erfinv(p), rtol=1e-5, atol=1e-6)
    assert np.isinf(ops.erfinv(_t([1.0])).asnumpy()[0])
    check_grads(ops.erfinv, [p * 0.9])
    np.testing.assert_allclose(
        ms.jit(ops.erfinv)(_t(p)).asnumpy(), special.erfinv(p), rtol=1e-5, atol=1e-6
    )


def test_integer_functions():
    a = np.array([12, -18, 7, 0, 9], np.int32)
    b = np.array([8, 12, -5, 4, 0], np.int32)
    np.testing.assert_array_equal(ops.gcd(Tensor(a), Tensor(b)).asnumpy(), np.gcd(a, b))
    np.testing.assert_array_equal(ops.lcm(Tensor(a), Tensor(b)).asnumpy(), np.lcm(a, b))
    np.testing.assert_array_equal(P.Gcd()(Tensor(a), Tensor(b)).asnumpy(), np.gcd(a, b))
    np.testing.assert_array_equal(Tensor(a).lcm(Tensor(b)).asnumpy(), np.lcm(a, b))
    with pytest.raises(MindTypeError):
        ops.gcd(_t([1.0]), _t([2.0]))
    x = np.array([0, 1, 7, -1, 255, -128], np.int16)
    counts = [bin(int(v) & 0xFFFF).count("1") for v in x]
    out = ops.population_count(Tensor(x))
    assert out.dtype == ms.uint8
    np.testing.assert_array_equal(out.asnumpy(), counts)
    np.testing.assert_array_equal(
        P.PopulationCount()(Tensor(np.array([-1], np.int64))).asnumpy(), [64]
    )


def test_truncating_and_flooring_division():
    x = np.array([-7, 7, -7, 7, 6], np.int32)
    y = np.array([2, -2, -2, 2, 3], np.int32)
    q = ops.truncate_div(Tensor(x), Tensor(y))
    np.testing.assert_array_equal(q.asnumpy(), np.trunc(x / y).astype(np.int32))
    assert q.dtype == ms.int32
    np.testing.assert_array_equal(ops.truncate_mod(Tensor(x), Tensor(y)).asnumpy(), np.fmod(x, y))
    np.testing.assert_array_equal(
        P.TruncateDiv()(Tensor(x), Tensor(y)).asnumpy(), [-3, -3, 3, 3, 2]
    )
    with pytest.raises(MindTypeError):
        P.TruncateMod()(Tensor([True]), Tensor([True]))
    f = np.array([-7.5, 7.5], np.float32)
    np.testing.assert_array_equal(ops.truncate_div(_t(f), 2.0).asnumpy(), [-3.0, 3.0])
    np.testing.assert_array_equal(ops.floor_div(Tensor(x), Tensor(y)).asnumpy(), x // y)
    np.testing.assert_array_equal(ops.floor_mod(Tensor(x), Tensor(y)).asnumpy(), np.mod(x, y))
    np.testing.assert_allclose(ops.divide(_t([7.0]), 2, rounding_mode="floor").asnumpy(), [3.0])
    np.testing.assert_allclose(ops.true_divide(Tensor([1, 3]), 2).asnumpy(), [0.5, 1.5])


def test_no_nan_divisions():
    x, y = _t([1.0, np.inf, 3.0]), _t([0.0, 0.0, 2.0])
    np.testing.assert_array_equal(P.DivNoNan()(x, y).asnumpy(), [0.0, 0.0, 1.5])
    np.testing.assert_array_equal(P.MulNoNan()(x, y).asnumpy(), [0.0, 0.0, 6.0])
    check_grads(lambda a, b: P.DivNoNan()(a, b), [np.array([1.0, 2.0]), np.array([0.5, 4.0])])


def test_aliases_compute_their_targets():
    x = np.array([-0.7, 0.2, 0.9])
    t = _t(x)
    for alias, ref in (
        ("arccos", np.arccos),
        ("arcsin", np.arcsin),
        ("arctan", np.arctan),
        ("arcsinh", np.arcsinh),
        ("arctanh", np.arctanh),
    ):
        np.testing.assert_allclose(getattr(ops, alias)(t).asnumpy(), ref(x), rtol=1e-6)
        np.testing.assert_allclose(getattr(t, alias)().asnumpy(), ref(x), rtol=1e-6)
    np.testing.assert_allclose(ops.arccosh(t + 2).asnumpy(), np.arccosh(x + 2), rtol=1e-6)
    np.testing.assert_allclose(t.arctan2(t + 2).asnumpy(), np.arctan2(x, x + 2), rtol=1e-6)
    np.testing.assert_allclose(ops.absolute(t).asnumpy(), np.abs(x).astype(np.float32))
    np.testing.assert_allclose(t.negative().asnumpy(), -x.astype(np.float32))
    assert ops.positive(t) is t
    np.testing.assert_allclose(t.multiply(3).asnumpy(), (x * 3).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(
        ops.subtract(t, _t([1.0]), alpha=2).asnumpy(), (x - 2).astype(np.float32), rtol=1e-6
    )
    np.testing.assert_allclose(t.divide(2).asnumpy(), (x / 2).astype(np.float32), rtol=1e-6)
    np.testing.assert_array_equal(ops.eq(t, _t([-0.7, 0.0, 0.9])).asnumpy(), [True, False, True])
    np.testing.assert_array_equal(ops.rint(_t([0.5, 1.5, -2.5, 2.6])).asnumpy(), [0, 2, -2, 3])
    np.testing.assert_array_equal(P.Rint()(_t([0.5, 1.5])).asnumpy(), [0.0, 2.0])
    check_grads(lambda a, b: ops.subtract(a, b, alpha=3), [x, x + 1])


def test_elementwise_compositions():
    x = np.array([0.5, -1.25, 3.0])
    y = np.array([1.0, 2.0, -0.5])
    np.testing.assert_allclose(
        ops.ldexp(_t(x), Tensor([1, 2, -1])).asnumpy(), np.ldexp(x, [1, 2, -1])
    )
    np.testing.assert_allclose(
        ops.logaddexp2(_t(x), _t(y)).asnumpy(), np.logaddexp2(x, y), rtol=1e-6
    )
    with pytest.raises(MindTypeError):
        ops.logaddexp2(Tensor([1]), Tensor([2]))
    check_grads(ops.logaddexp2, [x, y])
    check_grads(ops.logaddexp2, [np.array([1.0]), np.array([1.0])])  # equal inputs: 1/2 each
    fp = ops.float_power(_t(x), 2)
    assert fp.dtype == ms.float64
    np.testing.assert_allclose(fp.asnumpy(), np.float_power(x.astype(np.float32), 2))
    np.testing.assert_allclose(
        ops.copysign(_t(x), _t(y)).asnumpy(), np.copysign(x, y).astype(np.float32)
    )
    np.testing.assert_allclose(ops.copysign(Tensor([1, -2]), -1.0).asnumpy(), [-1.0, -2.0])
    check_grads(lambda a: ops.copysign(a, _t(y, np.float64)), [x])
    np.testing.assert_array_equal(ops.signbit(_t(x)).asnumpy(), x < 0)
    np.testing.assert_array_equal(ops.sgn(_t(x)).asnumpy(), np.sign(x))
    z = np.array([3 + 4j, 0j], np.complex64)
    np.testing.assert_allclose(ops.sgn(Tensor(z)).asnumpy(), [0.6 + 0.8j, 0j], rtol=1e-6)
    nan = np.nan
    a, b = np.array([nan, 1.0, nan, 4.0]), np.array([2.0, nan, nan, 3.0])
    np.testing.assert_array_equal(ops.fmax(_t(a), _t(b)).asnumpy(), np.fmax(a, b))
    np.testing.assert_array_equal(ops.fmin(_t(a), _t(b)).asnumpy(), np.fmin(a, b))
    np.testing.assert_array_equal(P.Fmax()(Tensor([1, 5]), Tensor([3, 2])).asnumpy(), [3, 5])
    check_grads(ops.fmax, [np.array([1.0, 4.0]), np.array([2.0, 3.0])])
    nx = np.array([1.0, -2.0, 0.0], np.float32)
    toward = np.array([2.0, -3.0, -1.0], np.float32)
    np.testing.assert_array_equal(
        ops.nextafter(Tensor(nx), Tensor(toward)).asnumpy(), np.nextafter(nx, toward)
    )
    np.testing.assert_array_equal(
        P.NextAfter()(Tensor(nx.astype(np.float64)), Tensor(toward.astype(np.float64))).asnumpy(),
        np.nextafter(nx.astype(np.float64), toward.astype(np.float64)),
    )


def test_predicates():
    x = _t([-np.inf, 1.0, np.inf, np.nan])
    np.testing.assert_array_equal(ops.isneginf(x).asnumpy(), [True, False, False, False])
    np.testing.assert_array_equal(x.isposinf().asnumpy(), [False, False, True, False])
    np.testing.assert_array_equal(ops.isposinf(Tensor([1, 2])).asnumpy(), [False, False])
    np.testing.assert_array_equal(ops.isreal(x).asnumpy(), [True] * 4)
    np.testing.assert_array_equal(
        ops.isreal(Tensor(np.array([1 + 0j, 1j], np.complex64))).asnumpy(), [True, False]
    )
    assert ops.is_floating_point(x) and not ops.is_floating_point(Tensor([1]))
    assert ops.is_tensor(x) and not ops.is_tensor(np.ones(2))
    assert ops.is_nonzero(Tensor([[2]])) is True and ops.is_nonzero(Tensor(0.0)) is False
    with pytest.raises(MindValueError):
        ops.is_nonzero(Tensor([1, 2]))
    assert bool(ms.jit(ops.is_nonzero)(Tensor([[3.5]]))) is True
    assert bool(ms.jit(ops.is_nonzero)(Tensor([False]))) is False
    assert ops.numel(Tensor(np.zeros((2, 3)))) == 6 and x.numel() == 4
    eps = P.Eps()(_t([1.0, 2.0]))
    np.testing.assert_array_equal(eps.asnumpy(), [np.finfo(np.float32).eps] * 2)
    assert ops.eps(_t([1.0], np.float64)).asnumpy()[0] == np.finfo(np.float64).eps


def test_p_classes_over_math_ops():
    x = _t([np.nan, np.inf, -np.inf, 0.25])
    out = P.NanToNum(nan=1.0, posinf=2.0, neginf=-2.0)(x).asnumpy()
    np.testing.assert_array_equal(out, [1.0, 2.0, -2.0, 0.25])
    np.testing.assert_allclose(P.Logit()(_t([0.25])).asnumpy(), [math.log(1 / 3)], rtol=1e-6)
    np.testing.assert_allclose(
        P.Logit(eps=0.3)(_t([0.1])).asnumpy(), [math.log(0.3 / 0.7)], rtol=1e-6
    )
    np.testing.assert_allclose(P.Sinc()(_t([0.0, 0.5])).asnumpy(), np.sinc([0.0, 0.5]), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# Windows
# ------------------------------------------------------------------------------------------------

WINDOWS = {
    "bartlett_window": lambda n: np.bartlett(n),
    "blackman_window": lambda n: np.blackman(n),
    "hamming_window": lambda n: np.hamming(n),
    "hann_window": lambda n: np.hanning(n),
    "kaiser_window": lambda n: np.kaiser(n, 12.0),
}


@pytest.mark.parametrize("name", sorted(WINDOWS))
def test_windows_match_numpy(name):
    fn, ref = getattr(ops, name), WINDOWS[name]
    np.testing.assert_allclose(fn(7, False).asnumpy(), ref(7), atol=1e-6)
    np.testing.assert_allclose(fn(7).asnumpy(), ref(8)[:7], atol=1e-6)  # periodic: one more
    assert fn(1).asnumpy().tolist() == [1.0] and fn(0).shape == (0,)
    default = ms.float64 if name in ("hann_window", "kaiser_window") else ms.float32
    assert fn(5).dtype == default  # as MindSpore's
    assert fn(5, dtype=ms.float16).dtype == ms.float16
    with pytest.raises(MindTypeError):
        fn(5, dtype=ms.int32)
    with pytest.raises((MindValueError, MindTypeError)):
        fn(-1)


def test_window_classes():
    np.testing.assert_allclose(
        P.BartlettWindow(periodic=False)(Tensor(5, ms.int32)).asnumpy(), np.bartlett(5), atol=1e-7
    )
    out = P.BlackmanWindow(False, ms.float64)(Tensor(6, ms.int64))
    assert out.dtype == ms.float64
    np.testing.assert_allclose(out.asnumpy(), np.blackman(6), atol=1e-12)
    out = P.HammingWindow(False, 0.5, 0.5)(Tensor([6], ms.int32))
    np.testing.assert_allclose(out.asnumpy(), np.hanning(6), atol=1e-7)


# ------------------------------------------------------------------------------------------------
# Random sampling
# ------------------------------------------------------------------------------------------------


def _repeats(draw):
    """The draw repeats after set_seed, and differs under another seed."""
    ms.set_seed(11)
    a = draw()
    ms.set_seed(11)
    b = draw()
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u.asnumpy(), v.asnumpy())
    ms.set_seed(12)
    c = draw()
    c = c if isinstance(c, tuple) else (c,)
    assert not all(np.array_equal(u.asnumpy(), w.asnumpy()) for u, w in zip(a, c))
    return a[0].asnumpy() if len(a) == 1 else tuple(u.asnumpy() for u in a)


def _ks(sample, cdf):
    assert stats.kstest(np.ravel(sample), cdf).pvalue > 1e-3


def test_rand_and_randn():
    a = _repeats(lambda: ops.rand(40, 50))
    assert a.shape == (40, 50) and a.dtype == np.float32 and 0 <= a.min() and a.max() < 1
    _ks(a, "uniform")
    n = _repeats(lambda: ops.randn((2000,), dtype=ms.float64))
    assert n.dtype == np.float64
    _ks(n, "norm")
    x = Tensor(np.zeros((3, 4), np.float64))
    assert ops.rand_like(x).dtype == ms.float64 and ops.randn_like(x).dtype == ms.float32
    np.testing.assert_array_equal(ops.rand(3, seed=5).asnumpy(), ops.rand(3, seed=5).asnumpy())
    with pytest.raises(MindValueError):
        ops.rand(2, dtype=ms.int32)
    r = _repeats(lambda: ops.randint_like(Tensor(np.zeros(3000, np.int32)), 2, 6))
    assert r.dtype == np.int32 and set(np.unique(r)) == {2, 3, 4, 5}
    with pytest.raises(MindValueError):
        ops.randint_like(x, 0, 3)


def test_permutations_and_shuffle():
    p = ops.randperm(50).asnumpy()
    assert p.dtype == np.int64 and sorted(p) == list(range(50))
    # MindSpore's randperm is fixed by (seed, offset)
    np.testing.assert_array_equal(p, ops.randperm(50).asnumpy())
    assert not np.array_equal(p, ops.randperm(50, seed=1).asnumpy())
    assert not np.array_equal(p, ops.randperm(50, offset=1).asnumpy())
    q = _repeats(lambda: ops.randperm(50, seed=-1))
    assert sorted(q) == list(range(50))
    x = np.arange(40).reshape(20, 2)
    s = _repeats(lambda: ops.shuffle(Tensor(x)))
    assert sorted(s[:, 0].tolist()) == list(range(0, 40, 2)) and (s[:, 1] == s[:, 0] + 1).all()
    out = P.Randperm(max_length=8, pad=-1)(Tensor([5], ms.int32)).asnumpy()
    assert out.dtype == np.int32 and sorted(out[:5]) == list(range(5)) and (out[5:] == -1).all()
    assert sorted(P.RandpermV2(seed=3)(6).asnumpy()) == list(range(6))
    assert sorted(P.RandomShuffle(seed=1)(Tensor(np.arange(6))).asnumpy()) == list(range(6))


def test_gamma_and_poisson():
    alpha = Tensor(np.array([0.5, 2.0, 5.0], np.float32))
    g = _repeats(lambda: ops.random_gamma((3000,), alpha))
    assert g.shape == (3000, 3) and g.dtype == np.float32 and (g > 0).all()
    for k, a in enumerate([0.5, 2.0, 5.0]):
        _ks(g[:, k], stats.gamma(a).cdf)
    beta = Tensor(np.array([2.0], np.float32))
    gb = _repeats(lambda: ops.gamma((4000,), Tensor(np.array([3.0], np.float32)), beta))
    assert gb.shape == (4000,)
    _ks(gb, stats.gamma(3.0, scale=0.5).cdf)
    assert P.Gamma(seed=3)((5, 2), alpha[:2], beta).shape == (5, 2)
    rate = Tensor(np.array([1.0, 10.0], np.float32))
    p = _repeats(lambda: ops.random_poisson(Tensor(np.array([4000], np.int32)), rate))
    assert p.shape == (4000, 2) and p.dtype == np.float32
    assert abs(p[:, 0].mean() - 1) < 0.1 and abs(p[:, 1].mean() - 10) < 0.3
    assert abs(p[:, 1].var() - 10) < 1.5
    out = P.RandomPoisson(seed=1, dtype=ms.int32)(Tensor([3]), rate)
    assert out.dtype == ms.int32 and out.shape == (3, 2)
    with pytest.raises(MindTypeError):
        ops.random_poisson((3,), rate)
    with pytest.raises(MindTypeError):
        ops.random_poisson(Tensor([3]), Tensor([True]))
    assert P.Poisson(seed=2)((4,), Tensor(np.array(3.0, np.float32))).dtype == ms.int32
    np.testing.assert_array_equal(
        ops.random_gamma((5,), alpha, seed=4).asnumpy(),
        ops.random_gamma((5,), alpha, seed=4).asnumpy(),
    )


def test_laplace():
    s = _repeats(lambda: ops.standard_laplace((4000,)))
    assert s.dtype == np.float32 and np.isfinite(s).all()
    _ks(s, "laplace")
    m, b = Tensor(np.float32(1.0)), Tensor(np.float32(2.0))
    lap = _repeats(lambda: ops.laplace((4000,), m, b))
    _ks(lap, stats.laplace(1.0, 2.0).cdf)
    with pytest.raises(MindTypeError):
        ops.laplace((3,), Tensor(1.0, ms.float64), b)
    assert P.StandardLaplace(seed=3)((2, 3)).shape == (2, 3)


def test_categorical_and_multinomial():
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.0, 0.5]])
    logits = Tensor(np.log(probs + 1e-30).astype(np.float32))
    c = _repeats(lambda: ops.random_categorical(logits, 4000))
    assert c.shape == (2, 4000) and c.dtype == np.int64
    for row in range(2):
        freq = np.bincount(c[row], minlength=3) / 4000
        np.testing.assert_allclose(freq, probs[row], atol=0.04)
    assert logits.random_categorical(3, dtype=ms.int32).dtype == ms.int32
    m = _repeats(lambda: ops.multinomial(Tensor(probs.astype(np.float32) * 3), 4000))
    assert m.shape == (2, 4000) and m.dtype == np.int32
    for row in range(2):
        np.testing.assert_allclose(np.bincount(m[row], minlength=3) / 4000, probs[row], atol=0.04)
    w = ops.multinomial(Tensor(np.array([0.2, 0.5, 0.3, 0.0], np.float32)), 3, False).asnumpy()
    assert w.shape == (3,) and len(set(w.tolist())) == 3 and 3 not in w
    with pytest.raises(MindValueError):
        ops.multinomial(Tensor(np.ones(2, np.float32)), 3, False)
    # without replacement: the first draw follows the weights
    firsts = [
        ops.multinomial(Tensor(np.array([0.7, 0.3], np.float32)), 2, False).asnumpy()[0]
        for _ in range(600)
    ]
    assert abs(np.mean(np.equal(firsts, 0)) - 0.7) < 0.07
    r = ops.multinomial_with_replacement(Tensor(np.array([0.25, 0.75])), 5, 5, 4000, True)
    assert r.dtype == ms.int64 and abs(r.asnumpy().mean() - 0.75) < 0.04
    same = ops.multinomial_with_replacement(Tensor(np.array([0.25, 0.75])), 5, 5, 4000, True)
    np.testing.assert_array_equal(r.asnumpy(), same.asnumpy())
    out = P.MultinomialWithReplacement(3)(Tensor(np.array([[0.2, 0.3, 0.5]])), Tensor(1), Tensor(0))
    assert sorted(out.asnumpy()[0]) == [0, 1, 2]
    assert P.Multinomial(seed=1)(Tensor(probs.astype(np.float32)), 5).shape == (2, 5)


def test_choice_with_mask():
    x = np.zeros((4, 5), bool)
    x[[0, 1, 3, 3], [2, 0, 1, 4]] = True
    index, mask = _repeats(lambda: ops.choice_with_mask(Tensor(x), 6))
    assert index.shape == (6, 2) and index.dtype == np.int32 and mask.dtype == np.bool_
    assert mask.sum() == 4
    assert {tuple(i) for i in index[mask]} == {(0, 2), (1, 0), (3, 1), (3, 4)}
    assert (index[~mask] == 0).all()
    index, mask = P.RandomChoiceWithMask(count=2, seed=1)(Tensor(x))
    assert index.shape == (2, 2) and mask.asnumpy().all()
    assert all(x[tuple(i)] for i in index.asnumpy())
    # many draws of one: each true position equally often
    seen = [tuple(ops.choice_with_mask(Tensor(x), 1)[0].asnumpy()[0]) for _ in range(400)]
    counts = np.array([seen.count(p) for p in [(0, 2), (1, 0), (3, 1), (3, 4)]])
    assert counts.min() > 60
    with pytest.raises(MindTypeError):
        ops.choice_with_mask(Tensor([1.0]))


def test_random_classes_with_seeds():
    a = P.UniformInt(seed=2)((1000,), Tensor(1, ms.int32), Tensor(4, ms.int32)).asnumpy()
    assert a.dtype == np.int32 and set(np.unique(a)) == {1, 2, 3}
    b = P.Bernoulli(seed=1)(Tensor(np.zeros(4000, np.float32)), 0.25)
    assert b.dtype == ms.float32 and abs(b.asnumpy().mean() - 0.25) < 0.03
    ms.set_seed(5)
    c1 = P.StandardLaplace()((4,)).asnumpy()
    ms.set_seed(5)
    np.testing.assert_array_equal(c1, P.StandardLaplace()((4,)).asnumpy())


def test_uniform_class_follows_its_input():
    u = P.Uniform(minval=1.0, maxval=3.0, seed=2)(Tensor(np.zeros((40, 50), np.float64)))
    assert u.shape == (40, 50) and u.dtype == ms.float64
    _ks((u.asnumpy() - 1.0) / 2.0, "uniform")
    with pytest.raises(MindValueError):
        P.Uniform(minval=2.0, maxval=1.0)(Tensor([1.0]))
    with pytest.raises(MindTypeError):
        P.Uniform(minval=1, maxval=2.0)(Tensor([1.0]))
    with pytest.raises(MindTypeError):
        P.Uniform()(Tensor([1]))


def test_random_compositions_run_under_jit():
    f = ms.jit(lambda x: ops.random_categorical(x, 5) + ops.randperm(3)[0].astype(ms.int64))
    out = f(Tensor(np.zeros((2, 3), np.float32)))
    assert out.shape == (2, 5) and out.asnumpy().max() < 5


def test_special_gradients_under_jit_and_binary_vmap():
    x = _t(X, np.float64)

    def loss(v):
        return (ops.bessel_k1(v) * ops.digamma(v) + ops.zeta(v + 1.0, v)).sum()

    eager = ms.grad(loss)(x).asnumpy()
    np.testing.assert_allclose(ms.jit(ms.grad(loss))(x).asnumpy(), eager, rtol=1e-10)
    a = np.stack([X, X + 1.0])
    got = ms.vmap(ops.igamma, in_axes=(0, None))(_t(a), _t(X)).asnumpy()
    np.testing.assert_allclose(got, special.gammainc(a, X), rtol=1e-5)


def test_fmax_fmin_ignore_nan_and_give_a_tie_to_the_first_input():
    x = np.array([1.0, 4.0, np.nan, 2.0, np.nan])
    y = np.array([3.0, 4.0, 1.0, np.nan, np.nan])
    for fn, ref in ((ops.fmax, np.fmax), (ops.fmin, np.fmin)):
        np.testing.assert_array_equal(fn(Tensor(x), Tensor(y)).asnumpy(), ref(x, y))
        gx, gy = ms.grad(lambda a, b, fn=fn: fn(a, b).sum(), (0, 1))(Tensor(x), Tensor(y))
        takes_x = np.array([ref is np.fmin, True, False, True, True])  # MindSpore's FmaxGrad
        np.testing.assert_array_equal(gx.asnumpy(), takes_x.astype(float))
        np.testing.assert_array_equal(gy.asnumpy(), (~takes_x).astype(float))
