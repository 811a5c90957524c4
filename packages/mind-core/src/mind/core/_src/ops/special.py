"""Special functions, window functions and random sampling with MindSpore's names.

- Special functions (the Bessel functions, the gamma family, the Hurwitz zeta function, erfinv)
  are primitives whose kernels are scipy.special's ufuncs, with backward rules written with ops
  (derivatives of the Bessel functions are Bessel functions, that of polygamma is the next
  polygamma). Where no closed form exists (d igamma / d a, d zeta / d x) a primitive computes the
  partial derivative numerically, to float64 accuracy. scipy is needed only when one of them runs.
- Elementwise aliases and compositions (``arccos``, ``divide``, ``copysign``, ``fmax``,
  ``truncate_div``, ...) are written with existing ops, so gradient, jit and vmap come with them.
- Windows (``hann_window``, ...) are constants computed with numpy.
- Random sampling draws from :mod:`mind.core._src.ops.random`'s generator, so ``set_seed`` makes
  it repeat; most samplers are compositions of ``uniform`` (Laplace, categorical, multinomial,
  permutations), gamma and Poisson variates are primitives of their own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.autodiff.vmap import batching_rule
from mind.core._src.ops import infer as I
from mind.core._src.ops import math_ops as M
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import concat, reshape, stack
from mind.core._src.ops.dispatch import ShapedArray, bind, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _const,
    _floating,
    abs,
    add,
    cast,
    div,
    div_p,
    equal,
    exp,
    floor_divide,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    log1p,
    logical_and,
    logical_or,
    minimum,
    mul,
    neg,
    not_equal,
    operands,
    pow,
    remainder,
    round,
    sign,
    sub,
    trunc,
    where,
    zeros_like,
)
from mind.core._src.ops.indexing import argsort, gather, topk
from mind.core._src.ops.random import _SEED, generator, normal, randint, uniform
from mind.core._src.ops.reduce import amax, cumsum, sum
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindError, MindTypeError, MindValueError

__all__ = [
    "absolute",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "bartlett_window",
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "bessel_j0",
    "bessel_j1",
    "bessel_k0",
    "bessel_k0e",
    "bessel_k1",
    "bessel_k1e",
    "bessel_y0",
    "bessel_y1",
    "blackman_window",
    "choice_with_mask",
    "copysign",
    "digamma",
    "divide",
    "eps",
    "eq",
    "erfinv",
    "float_power",
    "floor_div",
    "floor_mod",
    "fmax",
    "fmin",
    "gamma",
    "gcd",
    "hamming_window",
    "hann_window",
    "i0",
    "igamma",
    "igammac",
    "is_floating_point",
    "is_nonzero",
    "is_tensor",
    "isneginf",
    "isposinf",
    "isreal",
    "kaiser_window",
    "laplace",
    "lcm",
    "ldexp",
    "lgamma",
    "logaddexp2",
    "multinomial",
    "multinomial_with_replacement",
    "multiply",
    "mvlgamma",
    "negative",
    "nextafter",
    "numel",
    "poisson",
    "polygamma",
    "population_count",
    "positive",
    "rand",
    "rand_like",
    "randint_like",
    "randn",
    "randn_like",
    "random_categorical",
    "random_gamma",
    "random_poisson",
    "randperm",
    "rint",
    "sgn",
    "shuffle",
    "signbit",
    "standard_laplace",
    "subtract",
    "true_divide",
    "truncate_div",
    "truncate_mod",
    "zeta",
]

#: The ops that are Tensor methods with the tensor first, as MindSpore binds them.
TENSOR_METHODS = (
    "absolute",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "copysign",
    "digamma",
    "divide",
    "erfinv",
    "float_power",
    "fmax",
    "fmin",
    "gcd",
    "i0",
    "igamma",
    "igammac",
    "is_nonzero",
    "isneginf",
    "isposinf",
    "isreal",
    "lcm",
    "ldexp",
    "lgamma",
    "logaddexp2",
    "multinomial",
    "multiply",
    "mvlgamma",
    "negative",
    "nextafter",
    "numel",
    "positive",
    "random_categorical",
    "sgn",
    "signbit",
    "subtract",
    "true_divide",
    "truncate_div",
    "truncate_mod",
)


# ------------------------------------------------------------------------------------------------
# Special-function primitives: scipy.special kernels, bprops with ops
# ------------------------------------------------------------------------------------------------


def _scipy(op: str, name: str) -> Callable[..., np.ndarray]:
    """A kernel applying ``scipy.special.<name>``, the result in the inputs' dtype."""

    def kernel(*arrays: np.ndarray, **attrs: Any) -> np.ndarray:
        try:
            from scipy import special
        except ImportError:
            raise MindError(
                f"For '{op}', scipy is needed (its special functions are the kernel): "
                "pip install scipy"
            ) from None
        # attributes (polygamma's order n) come first, as scipy takes them
        out = getattr(special, name)(*attrs.values(), *arrays)
        return np.asarray(out).astype(arrays[-1].dtype, copy=False)

    return kernel


def _float_infer(op: str) -> Callable[..., ShapedArray]:
    def infer(*avals: ShapedArray, **_: Any) -> ShapedArray:
        for name, aval in zip(("input", "other"), avals):
            I.require_float(op, name, aval)
        return I.elementwise(op, *avals, names=("input", "other"))

    return infer


def _align(b: Any, kernel: Any, first: Any, arrays: tuple, attrs: dict) -> Any:
    """Batching of a primitive that is elementwise but has no native lowering (so no
    ``elementwise`` trait): align the batch axis and run the kernel once."""
    return kernel(*b.align(arrays), **attrs)


def _special_prim(
    name: str,
    kernel: Callable[..., Any],
    bprop: Callable[..., tuple] | None,
    infer: Callable[..., ShapedArray] | None = None,
    attrs: tuple[str, ...] = (),
) -> Any:
    prim = primitive(
        name,
        cpu=kernel,
        infer=infer or _float_infer(name),
        bprop=bprop,
        differentiable=bprop is not None,
        attrs=attrs,
    )
    batching_rule(prim)(_align)
    return prim


def _unary_bprop(derivative: Callable[[Tensor, Tensor], Tensor]) -> Callable[..., tuple]:
    def bprop(x: Tensor, out: Tensor, dout: Tensor) -> tuple:
        return (mul(dout, derivative(x, out)),)

    return bprop


def _over_x(x: Tensor, f: Tensor, at_zero: float) -> Tensor:
    """``f / x``, ``at_zero`` where ``x`` is 0 (the limit, for the functions below)."""
    zero = equal(x, 0.0)
    safe = where(zero, _const(1.0, x.dtype), x)
    return where(zero, _const(at_zero, x.dtype), div(f, safe))


# name -> (scipy name, derivative(x, out) written with ops)
_BESSEL: dict[str, tuple[str, Callable[[Tensor, Tensor], Tensor]]] = {
    "bessel_i0": ("i0", lambda x, out: bessel_i1(x)),
    "bessel_i0e": ("i0e", lambda x, out: sub(bessel_i1e(x), mul(sign(x), out))),
    "bessel_i1": ("i1", lambda x, out: sub(bessel_i0(x), _over_x(x, out, 0.5))),
    "bessel_i1e": (
        "i1e",
        lambda x, out: sub(sub(bessel_i0e(x), mul(sign(x), out)), _over_x(x, out, 0.5)),
    ),
    "bessel_j0": ("j0", lambda x, out: neg(bessel_j1(x))),
    "bessel_j1": ("j1", lambda x, out: sub(bessel_j0(x), _over_x(x, out, 0.5))),
    "bessel_k0": ("k0", lambda x, out: neg(bessel_k1(x))),
    "bessel_k0e": ("k0e", lambda x, out: sub(out, bessel_k1e(x))),
    "bessel_k1": ("k1", lambda x, out: neg(add(bessel_k0(x), div(out, x)))),
    "bessel_k1e": ("k1e", lambda x, out: sub(sub(out, div(out, x)), bessel_k0e(x))),
    "bessel_y0": ("y0", lambda x, out: neg(bessel_y1(x))),
    "bessel_y1": ("y1", lambda x, out: sub(bessel_y0(x), div(out, x))),
}

_PRIMS: dict[str, Any] = {}
for _name, (_scipy_name, _derivative) in _BESSEL.items():
    _PRIMS[_name] = _special_prim(_name, _scipy(_name, _scipy_name), _unary_bprop(_derivative))
    # k and y are defined for x > 0 only; i and j everywhere
    _positive = _name[7] in "ky"
    example(
        _PRIMS[_name],
        lambda c, _s=_scipy_name, _p=_positive: (
            [c.pos(5) if _p else c.r(5) * 2],
            {},
            lambda x: getattr(c.special, _s)(x),
        ),
    )

lgamma_p = _special_prim(
    "lgamma", _scipy("lgamma", "gammaln"), _unary_bprop(lambda x, o: digamma(x))
)
example(lgamma_p, lambda c: ([c.pos(5)], {}, lambda x: c.special.gammaln(x)))
digamma_p = _special_prim(
    "digamma", _scipy("digamma", "psi"), _unary_bprop(lambda x, o: polygamma(1, x))
)
example(digamma_p, lambda c: ([c.pos(5)], {}, lambda x: c.special.psi(x)))


def _polygamma_bprop(x: Tensor, out: Tensor, dout: Tensor, *, n: int) -> tuple:
    return (mul(dout, bind1(polygamma_p, x, {"n": n + 1})),)


polygamma_p = _special_prim(
    "polygamma", _scipy("polygamma", "polygamma"), _polygamma_bprop, attrs=("n",)
)
S.attr_schema(polygamma_p, n=S.Int(lo=0))
example(polygamma_p, lambda c: ([c.pos(5)], {"n": 2}, lambda x: c.special.polygamma(2, x)))
erfinv_p = _special_prim(
    "erfinv",
    _scipy("erfinv", "erfinv"),
    _unary_bprop(lambda x, out: mul(exp(mul(out, out)), math.sqrt(math.pi) / 2)),
)
example(
    erfinv_p,
    lambda c: ([np.tanh(c.r(5)).astype(np.float32)], {}, lambda x: c.special.erfinv(x)),
)


# NOTE: d igamma(a, x) / d a and d zeta(x, q) / d x have no closed form; MindSpore's kernels sum
# series. This primitive takes the partial derivative of the scipy function numerically (a
# fourth-order central difference in float64, error about 1e-10 relative), which is what the
# gradient needs; it is not itself differentiable.
def _partial_kernel(*arrays: np.ndarray, fn: str, argnum: int) -> np.ndarray:
    from scipy import special

    f = getattr(special, fn)
    args = [np.asarray(a, np.float64) for a in arrays]
    x = args[argnum]
    h = 1e-3 * np.maximum(1.0, np.abs(x))

    def at(k: float) -> np.ndarray:
        moved = list(args)
        moved[argnum] = x + k * h
        return f(*moved)

    out = (at(-2) - 8 * at(-1) + 8 * at(1) - at(2)) / (12 * h)
    return out.astype(np.result_type(*arrays), copy=False)


special_partial_p = _special_prim(
    "special_partial",
    _partial_kernel,
    None,
    infer=lambda *avals, fn, argnum: I.elementwise("special_partial", *avals),
    attrs=("fn", "argnum"),
)
# ``fn`` names a scipy.special function: only these (a loaded graph names no other code).
S.attr_schema(
    special_partial_p, fn=S.Str("gammainc", "gammaincc", "zeta"), argnum=S.Int(lo=0, hi=1)
)
example(
    special_partial_p,
    lambda c: (
        [c.pos(4) + 1, c.pos(4)],
        {"fn": "gammainc", "argnum": 1},
        lambda a, x: np.exp(-x) * x ** (a - 1) / c.special.gamma(a),
    ),
)


def _igamma_dx(a: Tensor, x: Tensor) -> Tensor:
    """d P(a, x) / d x = exp(-x) x^(a-1) / Gamma(a)."""
    return exp(sub(sub(mul(sub(a, 1.0), log(x)), x), lgamma(a)))


def _igamma_bprop(a: Tensor, x: Tensor, out: Tensor, dout: Tensor, sign: float = 1.0) -> tuple:
    fn = "gammainc" if sign > 0 else "gammaincc"
    da = bind2(special_partial_p, a, x, {"fn": fn, "argnum": 0})
    return mul(dout, da), mul(dout, mul(_igamma_dx(a, x), sign))


igamma_p = _special_prim("igamma", _scipy("igamma", "gammainc"), _igamma_bprop)
example(igamma_p, lambda c: ([c.pos(4) + 1, c.pos(4)], {}, lambda a, x: c.special.gammainc(a, x)))
igammac_p = _special_prim(
    "igammac",
    _scipy("igammac", "gammaincc"),
    lambda a, x, out, dout: _igamma_bprop(a, x, out, dout, -1.0),
)
example(igammac_p, lambda c: ([c.pos(4) + 1, c.pos(4)], {}, lambda a, x: c.special.gammaincc(a, x)))


def _zeta_bprop(x: Tensor, q: Tensor, out: Tensor, dout: Tensor) -> tuple:
    dx = bind2(special_partial_p, x, q, {"fn": "zeta", "argnum": 0})
    return mul(dout, dx), mul(dout, neg(mul(x, bind2(zeta_p, add(x, 1.0), q))))


zeta_p = _special_prim("zeta", _scipy("zeta", "zeta"), _zeta_bprop)
example(zeta_p, lambda c: ([c.pos(4) + 1.5, c.pos(4)], {}, lambda x, q: c.special.zeta(x, q)))


def _integer_infer(op: str, out: Any = None) -> Callable[..., ShapedArray]:
    def infer(*avals: ShapedArray) -> ShapedArray:
        for name, aval in zip(("input", "other"), avals):
            if not aval.dtype.is_integer:
                raise MindTypeError(
                    f"For '{op}', '{name}' must be an integer tensor, got {aval.dtype}"
                )
        shaped = I.elementwise(op, *avals, names=("input", "other"))
        return ShapedArray(shaped.shape, out or shaped.dtype)

    return infer


gcd_p = _special_prim("gcd", np.gcd, None, infer=_integer_infer("gcd"))
example(
    gcd_p,
    lambda c: (
        [np.array([12, -18, 7, 0], np.int32), np.array([8, 12, 5, 4], np.int32)],
        {},
        np.gcd,
    ),
)
lcm_p = _special_prim("lcm", np.lcm, None, infer=_integer_infer("lcm"))
example(
    lcm_p,
    lambda c: ([np.array([4, -6, 7, 0], np.int64), np.array([6, 4, 5, 3], np.int64)], {}, np.lcm),
)
nextafter_p = _special_prim("nextafter", np.nextafter, None)
example(nextafter_p, lambda c: ([c.r(5), c.r(5)], {}, np.nextafter))


def _popcount(x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x)
    x = x.view(np.dtype(f"uint{x.dtype.itemsize * 8}"))  # two's complement bits (numpy counts |x|)
    if hasattr(np, "bitwise_count"):  # numpy 2
        return np.bitwise_count(x).astype(np.uint8)
    bits = np.unpackbits(np.ascontiguousarray(x).view(np.uint8).reshape(*x.shape, -1), axis=-1)
    return bits.sum(-1, dtype=np.uint8)


population_count_p = _special_prim(
    "population_count", _popcount, None, infer=_integer_infer("population_count", dt.uint8)
)
example(
    population_count_p,
    lambda c: (
        [np.array([0, 1, 7, -1, 255], np.int16)],
        {},
        lambda x: np.array([bin(v & 0xFFFF).count("1") for v in x.tolist()], np.uint8),
    ),
)

# ------------------------------------------------------------------------------------------------
# The special functions
# ------------------------------------------------------------------------------------------------


def _unary_fn(name: str) -> Callable[[Any], Tensor]:
    prim = _PRIMS[name]

    def fn(x: Any) -> Tensor:
        return bind1(prim, _floating(x))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"The Bessel function scipy.special calls ``{_BESSEL[name][0]}``, elementwise; its "
        f"gradient is written with the Bessel functions.\n\n    >>> ops.{name}(Tensor([1.0]))\n\n"
        "    Supported devices: cpu (other devices run the cpu kernel)."
    )
    return fn


bessel_i0 = _unary_fn("bessel_i0")
bessel_i0e = _unary_fn("bessel_i0e")
bessel_i1 = _unary_fn("bessel_i1")
bessel_i1e = _unary_fn("bessel_i1e")
bessel_j0 = _unary_fn("bessel_j0")
bessel_j1 = _unary_fn("bessel_j1")
bessel_k0 = _unary_fn("bessel_k0")
bessel_k0e = _unary_fn("bessel_k0e")
bessel_k1 = _unary_fn("bessel_k1")
bessel_k1e = _unary_fn("bessel_k1e")
bessel_y0 = _unary_fn("bessel_y0")
bessel_y1 = _unary_fn("bessel_y1")


def i0(input: Any) -> Tensor:
    """The modified Bessel function of the first kind, order 0 (``bessel_i0``)."""
    return bessel_i0(input)


def lgamma(input: Any) -> Tensor:
    """``log |Gamma(input)|``; its gradient is ``digamma``.

    >>> ops.lgamma(Tensor([0.5, 3.0]))   # [0.5724, 0.6931]

    Supported devices: cpu.
    """
    return bind1(lgamma_p, _floating(input))


def digamma(input: Any) -> Tensor:
    """``d lgamma(x) / dx``. Supported devices: cpu."""
    return bind1(digamma_p, _floating(input))


def polygamma(n: Any, input: Any) -> Tensor:
    """The ``n``-th derivative of ``digamma`` (``n`` an int or a 0-D integer tensor, >= 0).
    Supported devices: cpu."""
    if isinstance(n, Tensor):
        if n.dtype.is_floating_point or n.size != 1:
            raise MindTypeError(
                f"For 'polygamma', 'n' must be a 0-D integer tensor, got {n.dtype} {n.shape}"
            )
        n = int(n.asnumpy().reshape(()))
    n = I.check_int("polygamma", "n", n, minimum=0)
    x = _floating(input)
    if n == 0:
        return bind1(digamma_p, x)
    return bind1(polygamma_p, x, {"n": n})


def mvlgamma(input: Any, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{i<p} lgamma(input - i / 2)``. Supported devices: cpu."""
    p = I.check_int("mvlgamma", "p", p, minimum=1)
    x = _floating(input)
    data = x._data
    if isinstance(data, np.ndarray) and (data <= (p - 1) / 2).any():  # checked where concrete
        raise MindValueError(
            f"For 'mvlgamma', every element of 'input' must be greater than (p - 1) / 2 = "
            f"{(p - 1) / 2}"
        )
    shifts = Tensor(-np.arange(p, dtype=x.dtype.np) / 2)
    terms = lgamma(add(reshape(x, (*x.shape, 1)), shifts))
    return add(sum(terms, -1), p * (p - 1) / 4 * math.log(math.pi))


def erfinv(input: Any) -> Tensor:
    """The inverse of ``erf`` on (-1, 1) (+-inf at +-1).

    >>> ops.erfinv(Tensor([0.0, 0.5]))   # [0., 0.4769]

    Supported devices: cpu.
    """
    return bind1(erfinv_p, _floating(input))


def _float_pair(op: str, x: Any, y: Any) -> tuple[Tensor, Tensor]:
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        raise MindTypeError(f"For '{op}', at least one of the inputs must be a Tensor")
    return M._float_operands(x, y)


def igamma(input: Any, other: Any) -> Tensor:
    """The regularised lower incomplete gamma function ``P(input, other)``; both arguments
    differentiate.

    >>> ops.igamma(Tensor([1.0]), Tensor([1.0]))   # [1 - 1/e] = [0.6321]

    Supported devices: cpu.
    """
    return bind2(igamma_p, *_float_pair("igamma", input, other))


def igammac(input: Any, other: Any) -> Tensor:
    """The regularised upper incomplete gamma function ``Q(input, other) = 1 - P``."""
    return bind2(igammac_p, *_float_pair("igammac", input, other))


def zeta(input: Any, other: Any) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``.

    >>> ops.zeta(Tensor([2.0]), Tensor([1.0]))   # [pi ** 2 / 6] = [1.6449]

    Supported devices: cpu.
    """
    return bind2(zeta_p, *_float_pair("zeta", input, other))


def nextafter(input: Any, other: Any) -> Tensor:
    """The next float after ``input`` towards ``other`` (C's nextafter)."""
    return bind2(nextafter_p, *_float_pair("nextafter", input, other))


def _ints_pair(op: str, x: Any, y: Any) -> tuple[Tensor, Tensor]:
    x, y = operands(x, y)
    if not x.dtype.is_integer:
        raise MindTypeError(f"For '{op}', the inputs must be integer tensors, got {x.dtype}")
    return x, y


def gcd(input: Any, other: Any) -> Tensor:
    """The greatest common divisor, elementwise (non-negative)."""
    return bind2(gcd_p, *_ints_pair("gcd", input, other))


def lcm(input: Any, other: Any) -> Tensor:
    """The least common multiple, elementwise (non-negative)."""
    return bind2(lcm_p, *_ints_pair("lcm", input, other))


def population_count(input_x: Any) -> Tensor:
    """The number of 1 bits of each element (two's complement), as uint8."""
    x = as_tensor(input_x)
    if not x.dtype.is_integer:
        raise MindTypeError(
            f"For 'population_count', 'input_x' must be an integer tensor, got {x.dtype}"
        )
    return bind1(population_count_p, x)


# ------------------------------------------------------------------------------------------------
# Elementwise aliases and compositions
# ------------------------------------------------------------------------------------------------


def arccos(input: Any) -> Tensor:
    return M.acos(input)


def arccosh(input: Any) -> Tensor:
    return M.acosh(input)


def arcsin(x: Any) -> Tensor:
    return M.asin(x)


def arcsinh(input: Any) -> Tensor:
    return M.asinh(input)


def arctan(input: Any) -> Tensor:
    return M.atan(input)


def arctan2(input: Any, other: Any) -> Tensor:
    return M.atan2(input, other)


def arctanh(input: Any) -> Tensor:
    return M.atanh(input)


def absolute(input: Any) -> Tensor:
    return abs(input)


def negative(input: Any) -> Tensor:
    return neg(input)


def _tensor(op: str, value: Any, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise MindTypeError(f"For '{op}', '{name}' must be a Tensor, got {type(value).__name__}")
    return value


def positive(input: Any) -> Tensor:
    """``input`` itself."""
    return _tensor("positive", input)


def multiply(input: Any, other: Any) -> Tensor:
    return mul(input, other)


def subtract(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``."""
    return sub(input, other if alpha == 1 else mul(other, alpha))


def true_divide(dividend: Any, divisor: Any) -> Tensor:
    return div(dividend, divisor)


def divide(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other``; ``rounding_mode`` ``"floor"`` or ``"trunc"`` rounds the quotient."""
    return div(input, other, rounding_mode=rounding_mode)


def floor_div(x: Any, y: Any) -> Tensor:
    return floor_divide(x, y)


def floor_mod(x: Any, y: Any) -> Tensor:
    """The remainder of the floored division: the sign of ``y``."""
    return remainder(x, y)


def _numbers(op: str, x: Any, y: Any) -> tuple[Tensor, Tensor]:
    x, y = operands(x, y)
    if x.dtype is dt.bool_:
        raise MindTypeError(f"For '{op}', the inputs must be numbers, got bool")
    return x, y


def truncate_div(x: Any, y: Any) -> Tensor:
    """The quotient rounded towards zero (for integers, C's division)."""
    x, y = _numbers("truncate_div", x, y)
    if x.dtype.is_floating_point or x.dtype.is_complex:
        return trunc(div(x, y))
    quotient = floor_divide(x, y)
    inexact = not_equal(sub(x, mul(quotient, y)), 0)
    return where(
        logical_and(inexact, not_equal(less(x, 0), less(y, 0))), add(quotient, 1), quotient
    )


def truncate_mod(x: Any, y: Any) -> Tensor:
    """The remainder of ``truncate_div``: the sign of ``x`` (C's fmod)."""
    return M.fmod(*_numbers("truncate_mod", x, y))


def rint(input: Any) -> Tensor:
    """Round to the nearest integer, halves to even."""
    return round(input)


def eq(input: Any, other: Any) -> Tensor:
    return equal(input, other)


def div_no_nan(x1: Any, x2: Any) -> Tensor:
    """``x1 / x2``, 0 where ``x2`` is 0 (P.DivNoNan; not a MindSpore function)."""
    x, y = operands(x1, x2)
    zero = equal(y, 0)
    quotient = div(x, where(zero, _const(1, y.dtype), y))
    return where(zero, zeros_like(quotient), quotient)


def mul_no_nan(x: Any, y: Any) -> Tensor:
    """``x * y``, 0 where ``y`` is 0, even where ``x`` is inf or nan (P.MulNoNan)."""
    x, y = operands(x, y)
    return mul(where(equal(y, 0), zeros_like(x), x), y)


def ldexp(x: Any, other: Any) -> Tensor:
    """``x * 2 ** other``."""
    return mul(x, pow(2.0, _floating(other)))


def logaddexp2(input: Any, other: Any) -> Tensor:
    """``log2(2 ** input + 2 ** other)`` without overflow."""
    x, y = _tensor("logaddexp2", input), _tensor("logaddexp2", other, "other")
    if not (x.dtype.is_floating_point and y.dtype.is_floating_point):
        raise MindTypeError(
            f"For 'logaddexp2', 'input' and 'other' must be float tensors, got {x.dtype} and "
            f"{y.dtype}"
        )
    ln2 = math.log(2.0)
    return div(M.logaddexp(mul(x, ln2), mul(y, ln2)), ln2)


def float_power(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent`` computed in float64 (complex128 for complex operands)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise MindTypeError("For 'float_power', at least one of the inputs must be a Tensor")
    complex_ = any(
        isinstance(v, complex) or (isinstance(v, Tensor) and v.dtype.is_complex)
        for v in (input, exponent)
    )
    wide = dt.complex128 if complex_ else dt.float64
    return pow(cast(as_tensor(input), wide), cast(as_tensor(exponent), wide))


def copysign(x: Any, other: Any) -> Tensor:
    """``|x|`` with the sign of ``other`` (negative where ``other < 0``, as MindSpore)."""
    x = _tensor("copysign", x, "x")
    if x.dtype is dt.bool_ or x.dtype.is_complex:
        raise MindTypeError(f"For 'copysign', 'x' must be a real number tensor, got {x.dtype}")
    magnitude = abs(_floating(x))
    return where(less(other, 0), neg(magnitude), magnitude)


def signbit(input: Any) -> Tensor:
    """True where ``input < 0`` (as MindSpore: -0.0 gives False)."""
    return less(_tensor("signbit", input), 0)


def sgn(input: Any) -> Tensor:
    """``sign`` for real tensors; ``input / |input|`` (0 at 0) for complex ones."""
    x = _tensor("sgn", input)
    if not x.dtype.is_complex:
        return sign(x)
    modulus = abs(x)
    zero = equal(modulus, 0)
    safe = cast(where(zero, _const(1, modulus.dtype), modulus), x.dtype)
    return where(zero, zeros_like(x), bind2(div_p, x, safe))  # div() casts complex to float


def fmax(input: Any, other: Any) -> Tensor:
    """The elementwise maximum, ignoring NaN (NaN only where both are); a tie's gradient goes
    to ``input``, as MindSpore's FmaxGrad."""
    x, y = operands(input, other)
    takes_x = greater_equal(x, y)
    if x.dtype.is_floating_point:
        takes_x = logical_or(takes_x, not_equal(y, y))
    return where(takes_x, x, y)


def fmin(input: Any, other: Any) -> Tensor:
    """The elementwise minimum, ignoring NaN (NaN only where both are); a tie's gradient goes
    to ``input``, as MindSpore's FminGrad."""
    x, y = operands(input, other)
    takes_x = less_equal(x, y)
    if x.dtype.is_floating_point:
        takes_x = logical_or(takes_x, not_equal(y, y))
    return where(takes_x, x, y)


def _sign_inf(op: str, input: Any, negative: bool) -> Tensor:
    x = _tensor(op, input)
    if not x.dtype.is_floating_point:
        return not_equal(zeros_like(x, dtype=dt.bool_), zeros_like(x, dtype=dt.bool_))
    return equal(x, -math.inf if negative else math.inf)


def isneginf(input: Any) -> Tensor:
    return _sign_inf("isneginf", input, True)


def isposinf(input: Any) -> Tensor:
    return _sign_inf("isposinf", input, False)


def isreal(input: Any) -> Tensor:
    """True for every element of a real tensor; for a complex one, where the imaginary part is 0."""
    x = _tensor("isreal", input)
    if not x.dtype.is_complex:
        return equal(zeros_like(x, dtype=dt.bool_), zeros_like(x, dtype=dt.bool_))
    from mind.core._src.ops import functional as F

    return equal(F.imag(x), 0)


def is_floating_point(input: Any) -> bool:
    return _tensor("is_floating_point", input).dtype.is_floating_point


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def is_nonzero(input: Any) -> Any:
    """Whether the one element of ``input`` is nonzero: a bool (inside jit, where the value is
    not known while tracing, a 0-D bool tensor)."""
    x = _tensor("is_nonzero", input)
    if x.size != 1:
        raise MindValueError(f"For 'is_nonzero', the input must have one element, got {x.size}")
    if not isinstance(x._data, np.ndarray | np.generic):
        return not_equal(reshape(x, ()), 0)
    return bool(np.asarray(x._data).reshape(()))


def numel(input: Any) -> int:
    return _tensor("numel", input).size


def eps(x: Any) -> Tensor:
    """A tensor like ``x`` filled with its dtype's machine epsilon."""
    x = _tensor("eps", x, "x")
    if not x.dtype.is_floating_point:
        raise MindTypeError(f"For 'eps', 'x' must be a float tensor, got {x.dtype}")
    return _const(np.full(x.shape, np.finfo(x.dtype.np).eps), x.dtype)


# ------------------------------------------------------------------------------------------------
# Windows
# ------------------------------------------------------------------------------------------------


def _length(op: str, window_length: Any, tensor_ok: bool) -> int:
    if tensor_ok and isinstance(window_length, Tensor):
        if window_length.dtype.is_floating_point or window_length.size != 1:
            raise MindTypeError(
                f"For '{op}', 'window_length' must be an integer tensor of one element"
            )
        window_length = int(window_length.asnumpy().reshape(()))
    return I.check_int(op, "window_length", window_length, minimum=0)


def _window_dtype(op: str, dtype: Any, default: Any) -> dt.DType:
    dtype = dt.to_dtype(dtype) if dtype is not None else default
    if not dtype.is_floating_point:
        raise MindTypeError(f"For '{op}', 'dtype' must be a float type, got {dtype}")
    return dtype


def _cosine_window(n: int, periodic: bool, coefficients: tuple[float, ...]) -> np.ndarray:
    """``sum_k (-1)^k a_k cos(2 pi k i / (N - 1))``, N = n (+1 when periodic, dropping the last)."""
    size = n + 1 if periodic else n
    i = np.arange(size, dtype=np.float64)
    w = np.zeros(size)
    for k, a in enumerate(coefficients):
        w += (-1) ** k * a * np.cos(2 * math.pi * k * i / (size - 1))
    return w[:n]


def _window(
    op: str, n: int, periodic: Any, dtype: dt.DType, make: Callable[[int, bool], np.ndarray]
) -> Tensor:
    if not isinstance(periodic, bool | np.bool_):
        raise MindTypeError(f"For '{op}', 'periodic' must be a bool, got {periodic!r}")
    if n <= 1:
        return Tensor(np.ones(n, dtype.np))
    return Tensor(make(n, bool(periodic)).astype(dtype.np))


def bartlett_window(window_length: Any, periodic: bool = True, *, dtype: Any = None) -> Tensor:
    """The triangular window ``1 - |2 i / (N - 1) - 1|`` of ``window_length`` points (float32 by
    default; ``periodic``: N is one more, for spectral use)."""
    n = _length("bartlett_window", window_length, True)
    dtype = _window_dtype("bartlett_window", dtype, dt.float32)

    def make(n: int, periodic: bool) -> np.ndarray:
        size = n + 1 if periodic else n
        return (1 - np.abs(2 * np.arange(size) / (size - 1) - 1))[:n]

    return _window("bartlett_window", n, periodic, dtype, make)


def blackman_window(window_length: Any, periodic: bool = True, *, dtype: Any = None) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi i / (N - 1)) + 0.08 cos(4 pi i / (N - 1))``."""
    n = _length("blackman_window", window_length, True)
    dtype = _window_dtype("blackman_window", dtype, dt.float32)
    return _window(
        "blackman_window", n, periodic, dtype, lambda n, p: _cosine_window(n, p, (0.42, 0.5, 0.08))
    )


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
) -> Tensor:
    """The generalised Hamming window ``alpha - beta cos(2 pi i / (N - 1))`` (float32 by
    default; as MindSpore, lengths 0 and 1 give float64 ones)."""
    n = _length("hamming_window", window_length, False)
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not isinstance(value, float):
            raise MindTypeError(f"For 'hamming_window', '{name}' must be a float, got {value!r}")
    if not isinstance(periodic, bool):
        raise MindTypeError(f"For 'hamming_window', 'periodic' must be a bool, got {periodic!r}")
    if n <= 1:
        return Tensor(np.ones(n))
    dtype = _window_dtype("hamming_window", dtype, dt.float32)
    return _window(
        "hamming_window", n, periodic, dtype, lambda n, p: _cosine_window(n, p, (alpha, beta))
    )


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi i / (N - 1))`` (float64 by default, as MindSpore's).

    >>> ops.hann_window(4, periodic=False)   # [0., 0.75, 0.75, 0.]

    Supported devices: cpu (a constant).
    """
    n = _length("hann_window", window_length, False)
    if n <= 1:
        return Tensor(np.ones(n))
    dtype = _window_dtype("hann_window", dtype, dt.float64)
    return _window("hann_window", n, periodic, dtype, lambda n, p: _cosine_window(n, p, (0.5, 0.5)))


def kaiser_window(
    window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype: Any = None
) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - ((i - a) / a) ** 2)) / I0(beta)``, a = (N - 1) / 2
    (float64 by default, as MindSpore's)."""
    n = _length("kaiser_window", window_length, False)
    if n <= 1:
        return Tensor(np.ones(n))
    dtype = _window_dtype("kaiser_window", dtype, dt.float64)

    def make(n: int, periodic: bool) -> np.ndarray:
        size = n + 1 if periodic else n
        half = (size - 1) / 2.0
        i = np.arange(size)
        return (np.i0(beta * np.sqrt(1 - ((i - half) / half) ** 2)) / np.i0(float(beta)))[:n]

    return _window("kaiser_window", n, periodic, dtype, make)


# ------------------------------------------------------------------------------------------------
# Random sampling
# ------------------------------------------------------------------------------------------------


def _op_seed(seed: Any, op: str) -> int | None:
    """MindSpore's op seed: None (or 0, where 0 means "not set") draws from the global
    generator; another value seeds a generator of its own."""
    if seed is None:
        return None
    seed = I.check_int(op, "seed", seed, minimum=0)
    return None if seed == 0 else seed


def _nonnegative(value: int) -> int:
    return -value if value < 0 else value  # (``abs`` here is the tensor op)


def _pair_seed(seed: int, offset: int) -> int:
    return seed * 1_000_003 + offset


def _sizes(op: str, size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], list | tuple):
        size = tuple(size[0])
    return I.check_shape(op, "size", tuple(size))


def _float_dtype(op: str, dtype: Any) -> dt.DType:
    dtype = dt.to_dtype(dtype)
    if not dtype.is_floating_point:
        raise MindValueError(f"For '{op}', the 'dtype' must be a float type, but got {dtype}.")
    return dtype


def rand(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Uniform samples in [0, 1) of shape ``size`` (float32 by default); ``set_seed`` makes
    them repeat.

    >>> ops.rand(2, 3).shape   # (2, 3)

    Supported devices: cpu.
    """
    dtype = _float_dtype("rand", dtype or dt.float32)
    return cast(uniform(_sizes("rand", size), seed=_op_seed(seed, "rand")), dtype)


def rand_like(input: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """Uniform samples in [0, 1) shaped like ``input`` (its dtype by default)."""
    x = _tensor("rand_like", input)
    dtype = _float_dtype("rand_like", dtype or x.dtype)
    return cast(uniform(x.shape, seed=_op_seed(seed, "rand_like")), dtype)


def randn(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Standard normal samples of shape ``size`` (float32 by default)."""
    dtype = _float_dtype("randn", dtype or dt.float32)
    return cast(normal(_sizes("randn", size), seed=_op_seed(seed, "randn")), dtype)


def randn_like(input: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """Standard normal samples shaped like ``input`` (float32 by default, as MindSpore)."""
    x = _tensor("randn_like", input)
    dtype = _float_dtype("randn_like", dtype or dt.float32)
    return cast(normal(x.shape, seed=_op_seed(seed, "randn_like")), dtype)


def randint_like(input: Any, low: int, high: int, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """Integers in [low, high) shaped like ``input`` (its dtype by default, an integer one)."""
    x = _tensor("randint_like", input)
    dtype = dt.to_dtype(dtype) if dtype is not None else x.dtype
    if not dtype.is_integer:
        raise MindValueError(
            f"For 'randint_like', the 'dtype' must be an int type, but got {dtype}."
        )
    low = I.check_int("randint_like", "low", low)
    high = I.check_int("randint_like", "high", high)
    return randint(low, high, x.shape, _op_seed(seed, "randint_like"), dtype=dtype)


def randperm(n: Any, seed: int = 0, offset: int = 0, dtype: Any = dt.int64) -> Tensor:
    """A random permutation of ``0 .. n - 1``. As MindSpore's, it is fixed by ``seed`` and
    ``offset`` (the default 0 too); a negative ``seed`` draws from the global generator."""
    if isinstance(n, Tensor):
        n = int(n.asnumpy().reshape(()))
    n = I.check_int("randperm", "n", n, minimum=0)
    seed = I.check_int("randperm", "seed", seed)
    offset = I.check_int("randperm", "offset", offset, minimum=0)
    dtype = dt.to_dtype(dtype)
    if not (dtype.is_integer or dtype.is_floating_point):
        raise MindTypeError(f"For 'randperm', 'dtype' must be an int or float type, got {dtype}")
    keys = uniform((n,), seed=None if seed < 0 else _pair_seed(seed, offset), dtype=dt.float64)
    return cast(argsort(keys), dtype)


def shuffle(x: Any, seed: Any = None) -> Tensor:
    """``x`` with its first axis in random order."""
    x = _tensor("shuffle", x, "x")
    if x.ndim == 0:
        return x
    keys = uniform((x.shape[0],), seed=_op_seed(seed, "shuffle"), dtype=dt.float64)
    return gather(x, argsort(keys), 0)


def standard_laplace(shape: Any, seed: Any = None) -> Tensor:
    """Samples of the standard Laplace distribution (density ``exp(-|x|) / 2``), float32."""
    shape = I.check_shape("standard_laplace", "shape", _shape_arg(shape))
    u = uniform((2, *shape), seed=_op_seed(seed, "standard_laplace"))
    # the difference of two exponential variates: -log1p(-u) is finite for u in [0, 1)
    e = neg(log1p(neg(u)))
    return sub(e[0], e[1])


def laplace(shape: Any, mean: Any, lambda_param: Any, seed: Any = None) -> Tensor:
    """Laplace samples ``mean + lambda_param * standard_laplace``, broadcast with ``shape``."""
    mean, scale = as_tensor(mean), as_tensor(lambda_param)
    for name, value in (("mean", mean), ("lambda_param", scale)):
        if value.dtype is not dt.float32:
            raise MindTypeError(f"For 'laplace', '{name}' must be float32, got {value.dtype}")
    shape = I.broadcast_shapes(
        "laplace", ("shape", "mean", "lambda_param"), _shape_arg(shape), mean.shape, scale.shape
    )
    return add(mul(standard_laplace(shape, seed), scale), mean)


def _shape_arg(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        return tuple(int(s) for s in shape.asnumpy().reshape(-1))
    return (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)


def _gamma_infer(alpha: ShapedArray, *, shape: Any, seed: Any) -> ShapedArray:
    I.require_float("random_gamma", "alpha", alpha)
    return ShapedArray(tuple(shape), alpha.dtype)


random_gamma_p = primitive(
    "random_gamma",
    traits=("random",),
    cpu=lambda alpha, *, shape, seed: (
        generator(seed).standard_gamma(np.broadcast_to(alpha, shape)).astype(alpha.dtype)
    ),
    infer=_gamma_infer,
    differentiable=False,
    attrs=("shape", "seed"),
)
S.attr_schema(random_gamma_p, shape=S.SHAPE, seed=_SEED)
example(random_gamma_p, lambda c: ([c.pos(3)], {"shape": (2, 3), "seed": 1}, None))


def _poisson_infer(rate: ShapedArray, *, shape: Any, dtype: Any, seed: Any) -> ShapedArray:
    return ShapedArray(tuple(shape), dt.to_dtype(dtype))


random_poisson_p = primitive(
    "random_poisson",
    traits=("random",),
    cpu=lambda rate, *, shape, dtype, seed: (
        generator(seed).poisson(np.broadcast_to(rate, shape)).astype(dt.to_dtype(dtype).np)
    ),
    infer=_poisson_infer,
    differentiable=False,
    attrs=("shape", "dtype", "seed"),
)
S.attr_schema(random_poisson_p, shape=S.SHAPE, dtype=S.DType(), seed=_SEED)
example(
    random_poisson_p, lambda c: ([c.pos(3)], {"shape": (2, 3), "dtype": "int64", "seed": 1}, None)
)


def random_gamma(shape: Any, alpha: Any, seed: Any = None) -> Tensor:
    """Gamma(alpha, 1) samples of shape ``shape + alpha.shape``, in ``alpha``'s dtype."""
    alpha = _tensor("random_gamma", alpha, "alpha")
    full = (*_shape_arg(shape), *alpha.shape)
    return bind(random_gamma_p, (alpha,), {"shape": full, "seed": _op_seed(seed, "random_gamma")})


def gamma(shape: Any, alpha: Any, beta: Any, seed: Any = None) -> Tensor:
    """Gamma samples with shape ``alpha`` and rate ``beta``, broadcast with ``shape``."""
    alpha, beta = _tensor("gamma", alpha, "alpha"), _tensor("gamma", beta, "beta")
    full = I.broadcast_shapes(
        "gamma", ("shape", "alpha", "beta"), _shape_arg(shape), alpha.shape, beta.shape
    )
    draws = bind(random_gamma_p, (alpha,), {"shape": full, "seed": _op_seed(seed, "gamma")})
    return div(draws, beta)


_POISSON_DTYPES = (dt.float16, dt.float32, dt.float64, dt.int32, dt.int64)


def random_poisson(shape: Any, rate: Any, seed: Any = None, dtype: Any = dt.float32) -> Tensor:
    """Poisson(rate) samples of shape ``shape + rate.shape``, of ``dtype``; ``shape`` is a 1-D
    int32 or int64 tensor, as MindSpore's."""
    op = "random_poisson"
    shape = _tensor(op, shape, "shape")
    if shape.dtype not in (dt.int32, dt.int64):
        raise MindTypeError(
            f"For '{op}', 'shape' must be an int32 or int64 tensor, got {shape.dtype}"
        )
    if shape.ndim != 1:
        raise MindValueError(f"For '{op}', 'shape' must be 1-D, got shape {shape.shape}")
    rate = _tensor(op, rate, "rate")
    dtype = dt.to_dtype(dtype)
    for name, value in (("rate", rate.dtype), ("dtype", dtype)):
        if value not in _POISSON_DTYPES:
            raise MindTypeError(
                f"For '{op}', '{name}' must be one of float16, float32, float64, int32, int64, "
                f"got {value}"
            )
    full = (*I.check_shape(op, "shape", _shape_arg(shape)), *rate.shape)
    attrs = {
        "shape": full,
        "dtype": dt.to_dtype(dtype).name,
        "seed": _op_seed(seed, "random_poisson"),
    }
    return bind(random_poisson_p, (rate,), attrs)


def poisson(shape: Any, mean: Any, seed: Any = None) -> Tensor:
    """Poisson(mean) samples broadcast with ``shape``, int32 (MindSpore's older ``poisson``)."""
    mean = _tensor("poisson", mean, "mean")
    full = I.broadcast_shapes("poisson", ("shape", "mean"), _shape_arg(shape), mean.shape)
    attrs = {"shape": full, "dtype": "int32", "seed": _op_seed(seed, "poisson")}
    return bind(random_poisson_p, (mean,), attrs)


def _inverse_cdf(weights: Tensor, num: int, seed: int | None, dtype: dt.DType) -> Tensor:
    """``num`` draws per row of the (n, k) non-negative ``weights``, with replacement: the
    number of cumulative weights below a uniform variate scaled to the row's total."""
    cdf = cumsum(cast(weights, dt.float64), -1)
    total = cdf[:, -1:]
    u = mul(uniform((weights.shape[0], num, 1), seed=seed, dtype=dt.float64), total[:, :, None])
    below = sum(cast(greater(u, cdf[:, None, :]), dt.int64), -1)
    return cast(minimum(below, weights.shape[-1] - 1), dtype)


def _without_replacement(weights: Tensor, num: int, seed: int | None, dtype: dt.DType) -> Tensor:
    """``num`` distinct draws per row: the largest ``log(u) / w`` keys (u uniform), as
    weighted sampling without replacement (Efraimidis-Spirakis)."""
    u = uniform(weights.shape, seed=seed, dtype=dt.float64)
    keys = div(log(u), add(cast(weights, dt.float64), 1e-6))
    return cast(topk(keys, num)[1], dtype)


def _rows(op: str, x: Any) -> Tensor:
    x = _tensor(op, x)
    if x.ndim not in (1, 2):
        raise MindValueError(f"For '{op}', the input must be 1-D or 2-D, got shape {x.shape}")
    return x


def multinomial(input: Any, num_samples: int, replacement: bool = True, seed: Any = None) -> Tensor:
    """``num_samples`` category indices per row of ``input`` (non-negative weights, 1-D or 2-D),
    drawn in proportion to the weights; int32.

    >>> ops.multinomial(Tensor([0.0, 9.0, 1.0]), 4)   # mostly 1s, never 0

    Supported devices: cpu.
    """
    x = _rows("multinomial", input)
    num = I.check_int("multinomial", "num_samples", num_samples, minimum=0)
    rows = reshape(x, (1, -1)) if x.ndim == 1 else x
    seed = _op_seed(seed, "multinomial")
    if replacement:
        out = _inverse_cdf(rows, num, seed, dt.int32)
    else:
        if num > x.shape[-1]:
            raise MindValueError(
                f"For 'multinomial', 'num_samples' ({num}) must not exceed the number of "
                f"categories ({x.shape[-1]}) without replacement"
            )
        out = _without_replacement(rows, num, seed, dt.int32)
    return reshape(out, (num,)) if x.ndim == 1 else out


def _seed_value(op: str, value: Any, name: str) -> int:
    """An int seed from an int or a one-element tensor; 0 for a tensor without a value (traced
    inside jit), which draws from the global generator."""
    if isinstance(value, Tensor):
        if not isinstance(value._data, np.ndarray | np.generic):
            return 0
        return int(np.asarray(value._data).reshape(-1)[0])
    return I.check_int(op, name, value)


def multinomial_with_replacement(
    x: Any, seed: Any, offset: Any, numsamples: int, replacement: bool = False
) -> Tensor:
    """``multinomial`` seeded by (``seed``, ``offset``) (both 0: the global generator), int64."""
    x = _rows("multinomial_with_replacement", x)
    seed, offset = (
        _seed_value("multinomial_with_replacement", v, name)
        for v, name in ((seed, "seed"), (offset, "offset"))
    )
    num = I.check_int("multinomial_with_replacement", "numsamples", numsamples, minimum=1)
    own = (
        None if seed == 0 and offset == 0 else _pair_seed(_nonnegative(seed), _nonnegative(offset))
    )
    rows = reshape(x, (1, -1)) if x.ndim == 1 else x
    if replacement:
        out = _inverse_cdf(rows, num, own, dt.int64)
    else:
        if num > x.shape[-1]:
            raise MindValueError(
                f"For 'multinomial_with_replacement', 'numsamples' ({num}) must not exceed the "
                f"number of categories ({x.shape[-1]}) without replacement"
            )
        out = _without_replacement(rows, num, own, dt.int64)
    return reshape(out, (num,)) if x.ndim == 1 else out


def random_categorical(
    logits: Any, num_sample: int, seed: int = 0, dtype: Any = dt.int64
) -> Tensor:
    """``num_sample`` class indices per row of the (batch, classes) ``logits``, drawn with the
    probabilities ``softmax(logits)``."""
    x = _tensor("random_categorical", logits, "logits")
    dtype = dt.to_dtype(dtype)
    if dtype not in (dt.int16, dt.int32, dt.int64):
        raise MindTypeError(
            f"For 'random_categorical', 'dtype' must be int16, int32 or int64, got {dtype}"
        )
    num = I.check_int("random_categorical", "num_sample", num_sample, minimum=1)
    rows = reshape(x, (1, -1)) if x.ndim == 1 else x
    if rows.ndim != 2:
        raise MindValueError(f"For 'random_categorical', 'logits' must be 2-D, got {x.shape}")
    weights = exp(sub(cast(rows, dt.float64), _row_max(rows)))
    out = _inverse_cdf(weights, num, _op_seed(seed, "random_categorical"), dtype)
    return reshape(out, (num,)) if x.ndim == 1 else out


def _row_max(rows: Tensor) -> Tensor:
    return amax(cast(rows, dt.float64), -1, True)


def choice_with_mask(input_x: Any, count: int = 256, seed: Any = None) -> tuple[Tensor, Tensor]:
    """``(index, mask)``: up to ``count`` positions where the bool ``input_x`` is True, in random
    order, as (count, rank) int32 coordinates; ``mask`` marks the rows that hold one (the others
    are 0)."""
    x = _tensor("choice_with_mask", input_x, "input_x")
    if x.dtype is not dt.bool_:
        raise MindTypeError(
            f"For 'choice_with_mask', 'input_x' must be a bool tensor, got {x.dtype}"
        )
    if not 1 <= x.ndim <= 5:
        raise MindValueError(
            f"For 'choice_with_mask', 'input_x' must have rank 1 to 5, got shape {x.shape}"
        )
    count = I.check_int("choice_with_mask", "count", count, minimum=1)
    if count * x.ndim > (2**31 - 1) // 4:  # MindSpore's limit: the output's int32 size
        raise MindValueError(
            f"For 'choice_with_mask', 'count' {count} makes an output of more than 2**29 values"
        )
    size = x.size
    flat = reshape(x, (size,))
    keys = where(flat, uniform((size,), seed=_op_seed(seed, "choice_with_mask")), -1.0)
    if count > size:  # room for every position, the rest padding
        keys = _pad(keys, count - size)
    values, picked = topk(keys, count)
    mask = greater(values, -0.5)
    picked = cast(picked, dt.int64)
    coords = []
    stride = size
    for extent in x.shape:
        stride //= extent
        coords.append(remainder(floor_divide(picked, stride), extent))
    index = stack(coords, -1)
    index = where(reshape(mask, (count, 1)), index, zeros_like(index))
    return cast(index, dt.int32), mask


def _pad(keys: Tensor, extra: int) -> Tensor:
    return concat([keys, _const(np.full(extra, -1.0), keys.dtype)], 0)
