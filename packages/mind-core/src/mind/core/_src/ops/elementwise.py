"""Elementwise primitives: arithmetic, math, comparisons, logic, selection, casts, activations.

Each primitive sits with its reference kernel (numpy), its inference rule and its backward rule.
Backward rules may return broadcast or widened cotangents: the tape sums them back to each input's
shape and casts them to its dtype, so no rule repeats that bookkeeping.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import ShapedArray, bind, bind1, bind2, example, primitive
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindTypeError


def _special(name: str, scalar: Any) -> Any:
    """A kernel for scipy.special's ``name`` where scipy is installed (it is optional), else
    ``scalar`` (the math module's) per element: exact, slower."""
    slow = np.vectorize(scalar, otypes=[np.float64])

    def kernel(x: np.ndarray) -> np.ndarray:
        try:
            from scipy import special
        except ImportError:
            return slow(x).astype(x.dtype)
        return getattr(special, name)(x).astype(x.dtype, copy=False)

    return kernel


_erf_kernel = _special("erf", math.erf)


# ------------------------------------------------------------------------------------------------
# Operands: Tensor/Tensor promotion and weak Python scalars
# ------------------------------------------------------------------------------------------------


def operands(x: Any, y: Any) -> tuple[Tensor, Tensor]:
    """Two Tensors of one dtype for a binary op (Python scalars are weak, see dtype.py)."""
    tx, ty = type(x), type(y)
    x_is = tx is Tensor or tx is Parameter or isinstance(x, Tensor)
    y_is = ty is Tensor or ty is Parameter or isinstance(y, Tensor)
    if x_is and y_is:
        if x._data.dtype == y._data.dtype:
            return x, y
        target = dt.promote(x.dtype, y.dtype)
        return cast(x, target), cast(y, target)
    if x_is:
        if isinstance(y, (bool, int, float, complex)):
            target = dt.scalar_dtype(x.dtype, y)
            return (x if x.dtype is target else cast(x, target)), _const(y, target)
        return operands(x, as_tensor(y))
    if y_is:
        if isinstance(x, (bool, int, float, complex)):
            target = dt.scalar_dtype(y.dtype, x)
            return _const(x, target), (y if y.dtype is target else cast(y, target))
        return operands(as_tensor(x), y)
    return operands(as_tensor(x), y)


def _const(value: Any, dtype: dt.DType) -> Tensor:
    t = object.__new__(Tensor)
    t._data = np.asarray(value, dtype=dtype.np)
    t._node = None
    return t


def _floating(x: Any) -> Tensor:
    """A floating-point ``x`` as it is, integers and bool in float32; complex raises (for the
    ops whose kernel or gradient would be wrong for it; :func:`_inexact` for the others)."""
    x = as_tensor(x)
    if x.dtype.is_floating_point:
        return x
    if x.dtype.kind == "c":
        # The op is the nearest public caller (only on this path: no cost otherwise).
        frame = sys._getframe(1)
        while frame.f_code.co_name.startswith("_") and frame.f_back is not None:
            frame = frame.f_back
        op = frame.f_code.co_name
        raise MindTypeError(
            f"For '{op}', 'input' must be a real tensor, got {x.dtype}: Mind computes it for "
            "real inputs only (real(), imag() and abs() take complex apart)"
        )
    return cast(x, dt.float32)


def _inexact(x: Any) -> Tensor:
    """``x`` as it is if it is floating point or complex, else in float32 (the ops whose kernel
    and gradient are right for complex inputs, see :data:`COMPLEX_UNARY`)."""
    x = as_tensor(x)
    return x if x.dtype.kind in "fc" else cast(x, dt.float32)


#: The unary primitives whose numpy kernel and backward rule are right for complex inputs: the
#: rule is the holomorphic derivative, as the tape wants it (see complex_ops). The others take
#: real inputs only.
COMPLEX_UNARY = frozenset(
    {
        "exp",
        "log",
        "log1p",
        "sqrt",
        "rsqrt",
        "sin",
        "cos",
        "tanh",
        "tan",
        "atan",
        "asin",
        "acos",
        "sinh",
        "cosh",
        "asinh",
        "atanh",
        "expm1",
        "log2",
        "log10",
        "exp2",
    }
)


def _unary_infer(op: str, float_only: bool = False):
    complex_too = op in COMPLEX_UNARY

    def infer(x: ShapedArray) -> ShapedArray:
        if float_only and not (complex_too and x.dtype.kind == "c"):
            I.require_float(op, "input", x)
        return ShapedArray(x.shape, x.dtype)

    return infer


def _binary_infer(op: str):
    def infer(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        return I.elementwise(op, x, y, names=("input", "other"))

    return infer


def _compare_infer(op: str):
    ordering = op in ("greater", "greater_equal", "less", "less_equal")

    def infer(x: ShapedArray, y: ShapedArray) -> ShapedArray:
        if ordering and "c" in (x.dtype.kind, y.dtype.kind):  # numpy's would be lexicographic
            raise MindTypeError(f"For '{op}', complex numbers have no order, got {x.dtype}")
        return ShapedArray(I.elementwise(op, x, y, names=("input", "other")).shape, dt.bool_)

    return infer


# ------------------------------------------------------------------------------------------------
# Arithmetic
# ------------------------------------------------------------------------------------------------

add_p = primitive(
    "add",
    traits=("elementwise", "fusable", "commutative"),
    cpu=np.add,
    infer=_binary_infer("add"),
    bprop=lambda x, y, out, dout: (dout, dout),
)
example(add_p, lambda c: ([c.r(2, 3), c.r(3)], {}, np.add))
sub_p = primitive(
    "sub",
    traits=("elementwise", "fusable"),
    cpu=np.subtract,
    infer=_binary_infer("sub"),
    bprop=lambda x, y, out, dout: (dout, neg(dout)),
)
example(sub_p, lambda c: ([c.r(2, 3), c.r(2, 1)], {}, np.subtract))
mul_p = primitive(
    "mul",
    traits=("elementwise", "fusable", "commutative"),
    cpu=np.multiply,
    infer=_binary_infer("mul"),
    bprop=lambda x, y, out, dout: (mul(dout, y), mul(dout, x)),
)
example(mul_p, lambda c: ([c.r(2, 3), c.r(2, 3)], {}, np.multiply))
div_p = primitive(
    "div",
    traits=("elementwise", "fusable"),
    cpu=np.true_divide,
    infer=_binary_infer("div"),
    bprop=lambda x, y, out, dout: (div(dout, y), neg(mul(dout, div(out, y)))),
)
example(div_p, lambda c: ([c.r(2, 3), c.pos(2, 3)], {}, np.divide))


def _pow_bprop(x, y, out, dout, needs=(True, True)):
    dx = mul(dout, mul(y, pow(x, sub(y, 1)))) if needs[0] else None
    dy = None
    if needs[1]:
        # d(x**y)/dy = out * log(x), taken as 0 where x == 0 (the limit for y > 0).
        safe = where(equal(x, 0), ones_like(x), x)
        dy = mul(dout, mul(out, log(safe)))
    return dx, dy


pow_p = primitive(
    "pow",
    traits=("elementwise", "fusable"),
    cpu=np.power,
    infer=_binary_infer("pow"),
    bprop=_pow_bprop,
    masked_bprop=True,
)
example(pow_p, lambda c: ([c.pos(4), c.r(4)], {}, np.power))


def _extremum_bprop(x, y, dout, loses, wins):
    """maximum's / minimum's backward, as MindSpore's and PyTorch's: a tie splits the gradient
    in half, and an input gets none only where it lost (so with a NaN both get all of it)."""
    share = where(equal(x, y), mul(dout, 0.5), dout)
    zero = zeros_like(share)
    return where(loses(x, y), zero, share), where(wins(x, y), zero, share)


maximum_p = primitive(
    "maximum",
    traits=("elementwise", "fusable"),
    cpu=np.maximum,
    infer=_binary_infer("maximum"),
    bprop=lambda x, y, out, dout: _extremum_bprop(x, y, dout, less, greater),
)
example(maximum_p, lambda c: ([c.r(5), c.r(5)], {}, np.maximum))
minimum_p = primitive(
    "minimum",
    traits=("elementwise", "fusable"),
    cpu=np.minimum,
    infer=_binary_infer("minimum"),
    bprop=lambda x, y, out, dout: _extremum_bprop(x, y, dout, greater, less),
)
example(minimum_p, lambda c: ([c.r(5), c.r(5)], {}, np.minimum))
floor_divide_p = primitive(
    "floor_divide",
    traits=("elementwise",),
    cpu=np.floor_divide,
    infer=_binary_infer("floor_divide"),
    differentiable=False,
)
example(floor_divide_p, lambda c: ([c.r(5) * 4, c.pos(5)], {}, np.floor_divide))
mod_p = primitive(
    "mod",
    traits=("elementwise",),
    cpu=np.mod,
    infer=_binary_infer("mod"),
    # x - floor(x / y) * y: MindSpore's FloorMod backward (dy = -dout * floor(x / y))
    bprop=lambda x, y, out, dout: (dout, neg(mul(dout, floor_divide(x, y)))),
)
example(mod_p, lambda c: ([c.r(5) * 4, c.pos(5)], {}, np.mod))


def add(input: Any, other: Any) -> Tensor:
    """``input + other``, broadcasting. Supported devices: cpu.

    >>> add(Tensor([1.0, 2.0]), 1).asnumpy()
    array([2., 3.], dtype=float32)
    """
    return bind2(add_p, *operands(input, other))


def sub(input: Any, other: Any) -> Tensor:
    """``input - other``, broadcasting."""
    return bind2(sub_p, *operands(input, other))


def mul(input: Any, other: Any) -> Tensor:
    """``input * other``, broadcasting."""
    return bind2(mul_p, *operands(input, other))


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other`` (true division; ``rounding_mode="floor"`` floors, ``"trunc"`` truncates)."""
    x, y = operands(input, other)
    if rounding_mode == "floor":
        return bind2(floor_divide_p, x, y)
    if not x.dtype.is_floating_point:
        x, y = _inexact(x), _inexact(y)
    out = bind2(div_p, x, y)
    if rounding_mode == "trunc":
        return trunc(out)
    if rounding_mode is not None:
        raise MindTypeError(
            f"For 'div', 'rounding_mode' must be None, 'floor' or 'trunc', got {rounding_mode!r}"
        )
    return out


def floor_divide(input: Any, other: Any) -> Tensor:
    return bind2(floor_divide_p, *operands(input, other))


def remainder(input: Any, other: Any) -> Tensor:
    """Python-style modulo: the result has the sign of ``other``."""
    return bind2(mod_p, *operands(input, other))


def pow(input: Any, exponent: Any) -> Tensor:
    """``input ** exponent``, broadcasting."""
    return bind2(pow_p, *operands(input, exponent))


def maximum(input: Any, other: Any) -> Tensor:
    """Elementwise maximum; where they are equal each gets half the gradient."""
    return bind2(maximum_p, *operands(input, other))


def minimum(input: Any, other: Any) -> Tensor:
    """Elementwise minimum; where they are equal each gets half the gradient."""
    return bind2(minimum_p, *operands(input, other))


# ------------------------------------------------------------------------------------------------
# Unary math
# ------------------------------------------------------------------------------------------------


def _unary(
    name: str,
    kernel,
    bprop,
    float_only: bool = True,
    differentiable: bool = True,
    traits: tuple[str, ...] = ("elementwise", "fusable"),
):
    return primitive(
        name,
        traits=traits,
        cpu=kernel,
        infer=_unary_infer(name, float_only),
        bprop=bprop,
        differentiable=differentiable,
    )


def _rsqrt_kernel(x: np.ndarray) -> np.ndarray:
    return np.reciprocal(np.sqrt(x))


def _sigmoid_kernel(x: np.ndarray) -> np.ndarray:
    # exp of -|x| only: no overflow for large |x|.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


neg_p = _unary("neg", np.negative, lambda x, out, dout: (neg(dout),), float_only=False)
example(neg_p, lambda c: ([c.r(4)], {}, np.negative))


def _abs_infer(x: ShapedArray) -> ShapedArray:
    # A complex tensor's magnitude is real (complex64 -> float32, complex128 -> float64).
    return ShapedArray(x.shape, _MAGNITUDE.get(x.dtype, x.dtype))


_MAGNITUDE = {dt.complex64: dt.float32, dt.complex128: dt.float64}


def _abs_bprop(x, out, dout):
    if x.dtype.kind == "c":  # d|z| = Re(conj(z) / |z| * dz): the tape's pairing (complex_ops)
        from mind.core._src.ops.complex_ops import conj

        return (mul(dout, conj(sign(x))),)
    return (mul(dout, sign(x)),)


abs_p = primitive(
    "abs", traits=("elementwise", "fusable"), cpu=np.abs, infer=_abs_infer, bprop=_abs_bprop
)
example(abs_p, lambda c: ([c.r(4)], {}, np.abs))


def _sign(x: np.ndarray) -> np.ndarray:
    out = np.sign(x)
    if out.dtype.kind == "f":  # MindSpore's sign(nan) is 0 (numpy's is nan)
        out = np.where(np.isnan(out), np.zeros((), out.dtype), out)
    return out


sign_p = _unary("sign", _sign, None, float_only=False, differentiable=False)
example(sign_p, lambda c: ([c.r(4)], {}, np.sign))
exp_p = _unary("exp", np.exp, lambda x, out, dout: (mul(dout, out),))
example(exp_p, lambda c: ([c.r(4)], {}, np.exp))
log_p = _unary("log", np.log, lambda x, out, dout: (div(dout, x),))
example(log_p, lambda c: ([c.pos(4)], {}, np.log))
log1p_p = _unary("log1p", np.log1p, lambda x, out, dout: (div(dout, add(x, 1.0)),))
example(log1p_p, lambda c: ([c.pos(4)], {}, np.log1p))
sqrt_p = _unary("sqrt", np.sqrt, lambda x, out, dout: (div(dout, mul(out, 2.0)),))
example(sqrt_p, lambda c: ([c.pos(4)], {}, np.sqrt))
rsqrt_p = _unary(
    "rsqrt", _rsqrt_kernel, lambda x, out, dout: (mul(dout, mul(pow(out, 3.0), -0.5)),)
)
example(rsqrt_p, lambda c: ([c.pos(4)], {}, lambda x: 1 / np.sqrt(x)))
sin_p = _unary("sin", np.sin, lambda x, out, dout: (mul(dout, cos(x)),))
example(sin_p, lambda c: ([c.r(4)], {}, np.sin))
cos_p = _unary("cos", np.cos, lambda x, out, dout: (neg(mul(dout, sin(x))),))
example(cos_p, lambda c: ([c.r(4)], {}, np.cos))
tanh_p = _unary("tanh", np.tanh, lambda x, out, dout: (mul(dout, sub(1.0, mul(out, out))),))
example(tanh_p, lambda c: ([c.r(4)], {}, np.tanh))
sigmoid_p = _unary(
    "sigmoid", _sigmoid_kernel, lambda x, out, dout: (mul(dout, mul(out, sub(1.0, out))),)
)
example(sigmoid_p, lambda c: ([c.r(4) * 30], {}, lambda x: c.special.expit(x)))
erf_p = _unary(
    "erf",
    _erf_kernel,
    lambda x, out, dout: (mul(dout, mul(exp(neg(mul(x, x))), 2.0 / math.sqrt(math.pi))),),
)
example(erf_p, lambda c: ([c.r(4)], {}, lambda x: c.special.erf(x)))
floor_p = _unary("floor", np.floor, None, differentiable=False)
example(floor_p, lambda c: ([c.r(4) * 3], {}, np.floor))
round_p = _unary("round", np.rint, None, differentiable=False, traits=("elementwise",))
example(round_p, lambda c: ([np.array([0.5, 1.5, -0.5, 2.4], np.float32)], {}, np.round))
trunc_p = _unary("trunc", np.trunc, None, differentiable=False)
example(trunc_p, lambda c: ([c.r(4) * 3], {}, np.trunc))


def neg(input: Any) -> Tensor:
    """``-input``."""
    return bind1(neg_p, as_tensor(input))


def abs(input: Any) -> Tensor:
    """``|input|``; the gradient at 0 is 0."""
    return bind1(abs_p, as_tensor(input))


def sign(input: Any) -> Tensor:
    """-1, 0 or 1 by the sign of each element."""
    return bind1(sign_p, as_tensor(input))


def exp(input: Any) -> Tensor:
    """``e ** input``; integer inputs compute in float32."""
    return bind1(exp_p, _inexact(input))


def log(input: Any) -> Tensor:
    """Natural logarithm."""
    return bind1(log_p, _inexact(input))


def log1p(input: Any) -> Tensor:
    """``log(1 + input)``, accurate near 0."""
    return bind1(log1p_p, _inexact(input))


def sqrt(input: Any) -> Tensor:
    """Square root."""
    return bind1(sqrt_p, _inexact(input))


def rsqrt(input: Any) -> Tensor:
    """``1 / sqrt(input)``."""
    return bind1(rsqrt_p, _inexact(input))


def sin(input: Any) -> Tensor:
    return bind1(sin_p, _inexact(input))


def cos(input: Any) -> Tensor:
    return bind1(cos_p, _inexact(input))


def tanh(input: Any) -> Tensor:
    return bind1(tanh_p, _inexact(input))


def sigmoid(input: Any) -> Tensor:
    """``1 / (1 + exp(-input))``, computed without overflow."""
    return bind1(sigmoid_p, _floating(input))


def erf(input: Any) -> Tensor:
    """The Gauss error function."""
    return bind1(erf_p, _floating(input))


def floor(input: Any) -> Tensor:
    return bind1(floor_p, _floating(input))


def round(input: Any) -> Tensor:
    """Round half to even, as numpy and MindSpore do."""
    return bind1(round_p, _floating(input))


def trunc(input: Any) -> Tensor:
    return bind1(trunc_p, _floating(input))


def square(input: Any) -> Tensor:
    input = as_tensor(input)
    return mul(input, input)


def reciprocal(input: Any) -> Tensor:
    return div(1.0, _inexact(input))


# ------------------------------------------------------------------------------------------------
# Comparisons, logic, selection
# ------------------------------------------------------------------------------------------------


def _compare(name: str, kernel):
    return primitive(
        name,
        traits=("elementwise", "fusable"),
        cpu=kernel,
        infer=_compare_infer(name),
        differentiable=False,
    )


equal_p = _compare("equal", np.equal)
example(
    equal_p,
    lambda c: (
        [np.array([1.0, 2.0, 3.0], np.float32), np.array([1.0, 0.0, 3.0], np.float32)],
        {},
        np.equal,
    ),
)
not_equal_p = _compare("not_equal", np.not_equal)
example(not_equal_p, lambda c: ([c.r(3), c.r(3)], {}, np.not_equal))
greater_p = _compare("greater", np.greater)
example(greater_p, lambda c: ([c.r(3), c.r(3)], {}, np.greater))
greater_equal_p = _compare("greater_equal", np.greater_equal)
example(greater_equal_p, lambda c: ([c.r(3), c.r(3)], {}, np.greater_equal))
less_p = _compare("less", np.less)
example(less_p, lambda c: ([c.r(3), c.r(3)], {}, np.less))
less_equal_p = _compare("less_equal", np.less_equal)
example(less_equal_p, lambda c: ([c.r(3), c.r(3)], {}, np.less_equal))
logical_and_p = _compare("logical_and", np.logical_and)
example(logical_and_p, lambda c: ([c.r(4) > 0, c.r(4) > 0], {}, np.logical_and))
logical_or_p = _compare("logical_or", np.logical_or)
example(logical_or_p, lambda c: ([c.r(4) > 0, c.r(4) > 0], {}, np.logical_or))
logical_xor_p = _compare("logical_xor", np.logical_xor)
example(logical_xor_p, lambda c: ([c.r(4) > 0, c.r(4) > 0], {}, np.logical_xor))
logical_not_p = primitive(
    "logical_not",
    traits=("elementwise", "fusable"),
    cpu=np.logical_not,
    infer=lambda x: ShapedArray(x.shape, dt.bool_),
    differentiable=False,
)
example(logical_not_p, lambda c: ([c.r(4) > 0], {}, np.logical_not))


def equal(input: Any, other: Any) -> Tensor:
    return bind2(equal_p, *operands(input, other))


def not_equal(input: Any, other: Any) -> Tensor:
    return bind2(not_equal_p, *operands(input, other))


def greater(input: Any, other: Any) -> Tensor:
    return bind2(greater_p, *operands(input, other))


def greater_equal(input: Any, other: Any) -> Tensor:
    return bind2(greater_equal_p, *operands(input, other))


def less(input: Any, other: Any) -> Tensor:
    return bind2(less_p, *operands(input, other))


def less_equal(input: Any, other: Any) -> Tensor:
    return bind2(less_equal_p, *operands(input, other))


def logical_and(input: Any, other: Any) -> Tensor:
    return bind2(logical_and_p, *operands(input, other))


def logical_or(input: Any, other: Any) -> Tensor:
    return bind2(logical_or_p, *operands(input, other))


def logical_xor(input: Any, other: Any) -> Tensor:
    return bind2(logical_xor_p, *operands(input, other))


def logical_not(input: Any) -> Tensor:
    return bind1(logical_not_p, as_tensor(input))


def _where_infer(condition: ShapedArray, x: ShapedArray, y: ShapedArray) -> ShapedArray:
    if condition.dtype is not dt.bool_:
        raise MindTypeError(
            f"For 'where', 'condition' must be a bool tensor, got {condition.dtype}"
        )
    shape = I.broadcast_shapes("where", ("condition", "x", "y"), condition.shape, x.shape, y.shape)
    return ShapedArray(shape, dt.promote(x.dtype, y.dtype))


def _where_bprop(condition, x, y, out, dout):
    zeros = zeros_like(dout)
    return None, where(condition, dout, zeros), where(condition, zeros, dout)


where_p = primitive(
    "where", traits=("elementwise", "fusable"), cpu=np.where, infer=_where_infer, bprop=_where_bprop
)
example(where_p, lambda c: ([c.r(2, 3) > 0, c.r(2, 3), c.r(3)], {}, np.where))


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``x`` where ``condition`` holds, else ``y``; broadcasting."""
    x, y = operands(x, y)
    condition = as_tensor(condition)
    if condition.dtype is not dt.bool_:
        raise MindTypeError(
            f"For 'where', 'condition' must be a bool tensor, got {condition.dtype}"
        )
    return bind(where_p, (condition, x, y))


# ------------------------------------------------------------------------------------------------
# Casts and fills
# ------------------------------------------------------------------------------------------------


_CAST_TO = {name: d.np for name, d in dt._BY_NAME.items()}


def _cast_kernel(x: np.ndarray, *, dtype: str) -> np.ndarray:
    target = _CAST_TO.get(dtype) or dt.to_dtype(dtype).np
    if x.dtype.kind == "c" and target.kind != "c":  # the real part, as MindSpore (no warning)
        x = x.real
    return x.astype(target, copy=False)


def _cast_bprop(x, out, dout, *, dtype):
    # As MindSpore: an integer input gets the gradient cast to its dtype (``int_x * 0.5``
    # differentiates to int); a bool has none.
    if x.dtype.name == "bool" or dt.to_dtype(dtype).kind not in "fc":
        return (None,)
    return (cast(dout, x.dtype),)


cast_p = primitive(
    "cast",
    traits=("elementwise", "fusable", "view"),
    cpu=_cast_kernel,
    infer=lambda x, *, dtype: ShapedArray(x.shape, dt.to_dtype(dtype)),
    bprop=_cast_bprop,
    attrs=("dtype",),
)
example(cast_p, lambda c: ([c.r(4) * 3], {"dtype": "int32"}, lambda x: x.astype(np.int32)))
S.attr_schema(cast_p, dtype=S.DType())


def cast(input: Any, dtype: Any) -> Tensor:
    """``input`` converted to ``dtype`` (a copy only when the dtype changes)."""
    input = as_tensor(input)
    dtype = dt.to_dtype(dtype)
    if input.dtype is dtype:
        return input
    return bind1(cast_p, input, {"dtype": dtype.name})


def zeros_like(input: Any, *, dtype: Any = None) -> Tensor:
    input = as_tensor(input)
    return _const(np.zeros(input.shape), dt.to_dtype(dtype) if dtype else input.dtype)


def ones_like(input: Any, *, dtype: Any = None) -> Tensor:
    input = as_tensor(input)
    return _const(np.ones(input.shape), dt.to_dtype(dtype) if dtype else input.dtype)


def full_like(input: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    input = as_tensor(input)
    return _const(np.full(input.shape, fill_value), dt.to_dtype(dtype) if dtype else input.dtype)


# ------------------------------------------------------------------------------------------------
# clip
# ------------------------------------------------------------------------------------------------


def _clip_kernel(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.minimum(np.maximum(x, lo), hi)


def _clip_infer(x: ShapedArray, lo: ShapedArray, hi: ShapedArray) -> ShapedArray:
    I.broadcast_shapes("clip", ("input", "min", "max"), x.shape, lo.shape, hi.shape)
    return ShapedArray(x.shape, x.dtype)


def _clip_bprop(x, lo, hi, out, dout):
    inside = logical_and(greater_equal(x, lo), less_equal(x, hi))
    zeros = zeros_like(dout)
    return (
        where(inside, dout, zeros),
        where(less(x, lo), dout, zeros),
        where(logical_and(greater(x, hi), greater_equal(x, lo)), dout, zeros),
    )


clip_p = primitive(
    "clip", traits=("elementwise",), cpu=_clip_kernel, infer=_clip_infer, bprop=_clip_bprop
)
example(clip_p, lambda c: ([c.r(6), np.float32(-0.5), np.float32(0.5)], {}, np.clip))


def clip(input: Any, min: Any = None, max: Any = None) -> Tensor:
    """Limit ``input`` to ``[min, max]`` (either may be None); gradient flows inside the range."""
    input = as_tensor(input)
    if min is None and max is None:
        raise MindTypeError("For 'clip', at least one of 'min' and 'max' must be given")
    info = np.finfo if input.dtype.is_floating_point else np.iinfo
    np_dtype = input.dtype.np if input.dtype.np is not None else np.float32
    lo = _bound(min, input, info(np_dtype).min)
    hi = _bound(max, input, info(np_dtype).max)
    return bind(clip_p, (input, lo, hi))


def _bound(value: Any, like: Tensor, default: Any) -> Tensor:
    if value is None:
        return _const(default, like.dtype)
    if isinstance(value, Tensor):
        return cast(value, like.dtype)
    return _const(value, like.dtype)


clamp = clip
