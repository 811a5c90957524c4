"""ops.jet and ops.derivative (higher-order forward mode) against closed forms, Faà di Bruno and
finite differences, in PyNative mode, under jit and in GRAPH_MODE."""

import math

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError

X = np.array([0.3, -1.2, 2.0])


@pytest.fixture(params=["pynative", "jit"])
def run(request):
    """Call ``f(*args)`` eagerly, or compiled by jit."""
    return (
        (lambda f, *args: f(*args))
        if request.param == "pynative"
        else (lambda f, *args: ms.jit(f)(*args))
    )


# Closed forms: the k-th derivative of an elementwise function, k = 1..4.
CLOSED = {
    "sin": (ops.sin, lambda x, k: np.sin(x + k * np.pi / 2)),
    "exp": (ops.exp, lambda x, k: np.exp(x)),
    "x^5": (lambda x: x**5, lambda x, k: math.perm(5, k) * x ** (5 - k)),
    "log": (ops.log, lambda x, k: (-1) ** (k - 1) * math.factorial(k - 1) / x**k),
}


@pytest.mark.parametrize("name", sorted(CLOSED))
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_derivative_is_the_closed_form(name, order, run):
    fn, want = CLOSED[name]
    x = np.abs(X) if name == "log" else X
    value, d = run(lambda v: ops.derivative(fn, v, order), Tensor(x))
    np.testing.assert_allclose(value.asnumpy(), fn(Tensor(x)).asnumpy(), rtol=1e-12)
    np.testing.assert_allclose(d.asnumpy(), want(x, order), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CLOSED))
def test_jet_of_the_unit_series_stacks_every_derivative(name, run):
    fn, want = CLOSED[name]
    x = np.abs(X) if name == "log" else X
    series = np.zeros((4, 3))
    series[0] = 1.0
    value, terms = run(lambda v, s: ops.jet(fn, v, s), Tensor(x), Tensor(series))
    assert terms.shape == (4, 3)
    np.testing.assert_allclose(value.asnumpy(), fn(Tensor(x)).asnumpy(), rtol=1e-12)
    for k in range(1, 5):
        np.testing.assert_allclose(terms.asnumpy()[k - 1], want(x, k), rtol=1e-10, atol=1e-12)


def test_jet_along_a_curve_is_faa_di_bruno():
    # x(t) = x + a t + b t^2/2 + c t^3/6 and f = exp: (f o x)' = e a, '' = e (a^2 + b),
    # ''' = e (a^3 + 3ab + c), e = exp(x)
    a, b, c = np.array([2.0, -1.0, 0.5]), np.array([3.0, 0.2, -2.0]), np.array([-1.0, 1.0, 4.0])
    _, terms = ops.jet(ops.exp, Tensor(X), Tensor(np.stack([a, b, c])))
    e = np.exp(X)
    want = np.stack([e * a, e * (a**2 + b), e * (a**3 + 3 * a * b + c)])
    np.testing.assert_allclose(terms.asnumpy(), want, rtol=1e-12)
    # x^3 at 0.5 along (2, 3, -1): 3x^2 a, 6x a^2 + 3x^2 b, 6a^3 + 18 x a b + 3x^2 c
    _, cube = ops.jet(lambda v: v**3, Tensor([0.5]), Tensor([[2.0], [3.0], [-1.0]]))
    np.testing.assert_allclose(cube.asnumpy()[:, 0], [1.5, 14.25, 101.25], rtol=1e-12)


def _mix(x, y):
    # not elementwise: every output depends on every input element
    m = Tensor(np.array([[0.5, -1.0, 0.3], [0.2, 0.7, -0.4]]))
    return ops.tanh(ops.matmul(m, x * y)) + ops.sin(x[:2]) * (y**2).sum()


def test_jet_matches_finite_differences_of_the_curve_for_a_coupled_function(run):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=3), rng.normal(size=3)
    sx, sy = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))

    def along(t):
        cx = x + sx[0] * t + sx[1] * t**2 / 2
        cy = y + sy[0] * t + sy[1] * t**2 / 2
        return _mix(Tensor(cx), Tensor(cy)).asnumpy()

    h1, h2 = 1e-5, 1e-4  # truncation error h^2, rounding 1e-16 / h^order
    first = (along(h1) - along(-h1)) / (2 * h1)
    second = (along(h2) - 2 * along(0.0) + along(-h2)) / h2**2
    value, terms = run(
        lambda a, b, c, d: ops.jet(_mix, (a, b), (c, d)),
        Tensor(x),
        Tensor(y),
        Tensor(sx),
        Tensor(sy),
    )
    np.testing.assert_allclose(value.asnumpy(), along(0.0), rtol=1e-12)
    np.testing.assert_allclose(terms.asnumpy()[0], first, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(terms.asnumpy()[1], second, rtol=1e-4, atol=1e-5)
    # the first term is the jvp
    _, tangent = ms.jvp(_mix, (Tensor(x), Tensor(y)), (Tensor(sx[0]), Tensor(sy[0])))
    np.testing.assert_allclose(terms.asnumpy()[0], tangent.asnumpy(), rtol=1e-12)


# -- MindSpore's own cases (tests/st/compiler/gradient/test_taylor_differentiation.py) ------------
class SingleInput(nn.Cell):
    def construct(self, x):
        a = ops.sin(x)
        b = ops.cos(a)
        return a + b - ops.exp(b)


class TwoInputs(nn.Cell):
    def construct(self, x, y):
        a, b = ops.sin(x), ops.cos(y)
        return ops.exp(a * b + a / b)


class TwoOutputs(nn.Cell):
    def construct(self, x, y):
        return ops.sin(x), ops.cos(y)


class WithScalars(nn.Cell):
    def construct(self, x):
        return ops.mul(ops.add(ops.div(1, ops.log(x)), 2), 3)


class JetInConstruct(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def construct(self, x, series):
        return ops.jet(self.net, x, series)


UNIT = Tensor([[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("mode", [ms.PYNATIVE_MODE, ms.GRAPH_MODE])
def test_mindspores_own_taylor_cases(mode):
    ms.set_context(mode=mode)
    try:
        value, terms = ops.jet(SingleInput(), Tensor([1.0, 1.0]), UNIT)
        np.testing.assert_allclose(value.asnumpy(), [-0.43931] * 2, atol=1e-4)
        want = [[0.92187] * 2, [-1.56750] * 2, [-0.74808] * 2]
        np.testing.assert_allclose(terms.asnumpy(), want, atol=1e-4)
        value, d = ops.derivative(TwoInputs(), (Tensor([1.0, 1.0]), Tensor([1.0, 1.0])), 3)
        np.testing.assert_allclose(value.asnumpy(), [7.47868] * 2, rtol=1e-5)
        np.testing.assert_allclose(d.asnumpy(), [1237.959] * 2, rtol=1e-5)
        values, ds = ops.derivative(TwoOutputs(), (Tensor([1.0, 1.0]), Tensor([1.0, 1.0])), 3)
        assert isinstance(values, list) and isinstance(ds, list)
        np.testing.assert_allclose(values[0].asnumpy(), [np.sin(1.0)] * 2, rtol=1e-6)
        np.testing.assert_allclose(values[1].asnumpy(), [np.cos(1.0)] * 2, rtol=1e-6)
        np.testing.assert_allclose(ds[0].asnumpy(), [-np.cos(1.0)] * 2, rtol=1e-5)
        np.testing.assert_allclose(ds[1].asnumpy(), [np.sin(1.0)] * 2, rtol=1e-5)
        value, terms = JetInConstruct(WithScalars())(Tensor([2.0, 2.0]), UNIT)
        np.testing.assert_allclose(value.asnumpy(), [10.328085] * 2, rtol=1e-6)
        # 3 / log(x) + 6: derivatives of 3 / u with u = log x, in float64
        u = np.log(2.0)
        want = [-3 / (2 * u**2), 3 * (u + 2) / (4 * u**3), -3 * (2 * u**2 + 6 * u + 6) / (8 * u**4)]
        np.testing.assert_allclose(terms.asnumpy()[:, 0], want, rtol=1e-5)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)


def test_the_output_dtype_and_integer_primals():
    value, d = ops.derivative(ops.sin, Tensor(np.array([0.5, 1.0], np.float32)), 2)
    assert value.dtype == ms.float32 and d.dtype == ms.float32
    value, d = ops.derivative(lambda x: x * x * x, Tensor(np.array([1, 2], np.int32)), 2)
    assert d.dtype == ms.float32  # integers are computed in float32, as MindSpore
    np.testing.assert_allclose(d.asnumpy(), [6.0, 12.0])
    # a series of the primal's own shape is one term
    _, terms = ops.jet(ops.exp, Tensor([0.0, 1.0]), Tensor([2.0, 2.0]))
    np.testing.assert_allclose(terms.asnumpy(), [[2.0, 2 * np.e]], rtol=1e-6)


def test_vmap_of_a_derivative():
    xs = np.array([[0.1, 0.2], [1.0, -2.0]])
    got = ms.vmap(lambda v: ops.derivative(ops.sin, v, 2)[1])(Tensor(xs))
    np.testing.assert_allclose(got.asnumpy(), -np.sin(xs), rtol=1e-12)


def test_bad_arguments_name_the_op_and_argument():
    x = Tensor([1.0, 2.0])
    with pytest.raises(MindValueError, match="'derivative', 'order' must be at least 1"):
        ops.derivative(ops.sin, x, 0)
    with pytest.raises(MindTypeError, match="'derivative', 'order' must be an int"):
        ops.derivative(ops.sin, x, 2.0)
    with pytest.raises(MindTypeError, match="'derivative', the primals must be floating"):
        ops.derivative(ops.sin, Tensor([True]), 1)
    with pytest.raises(MindValueError, match=r"series 0 must have shape \(n, \*\(2,\)\)"):
        ops.jet(ops.sin, x, Tensor([[1.0, 0.0, 0.0]]))
    with pytest.raises(MindTypeError, match="same dtype"):
        ops.jet(ops.sin, x, Tensor(np.ones((1, 2), np.float64)))
    with pytest.raises(MindTypeError, match="both be Tensors or both tuples"):
        ops.jet(ops.sin, x, (Tensor([[1.0, 1.0]]),))
    with pytest.raises(MindValueError, match="one series per primal"):
        ops.jet(lambda a, b: a * b, (x, x), (Tensor([[1.0, 1.0]]),))
    with pytest.raises(MindValueError, match="the same number of terms"):
        ops.jet(
            lambda a, b: a * b, (x, x), (Tensor([[1.0, 1.0]]), Tensor(np.ones((2, 2), np.float32)))
        )
