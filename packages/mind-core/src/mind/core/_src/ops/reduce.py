"""Reductions: sum, mean, max, min, prod, argmax, argmin, logsumexp, var, std, cumsum, all, any."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import ShapedArray, bind1, example, primitive
from mind.core._src.ops.elementwise import _floating, cast, div, equal, exp, mul, sqrt, sub
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor


def _axes(axis: Any, op: str) -> tuple[int, ...] | None:
    if axis is None:
        return None
    if type(axis) is int:
        return (axis,)
    if isinstance(axis, int | np.integer | bool | float | str) or not hasattr(axis, "__iter__"):
        return (I.check_int(op, "axis", axis),)
    return tuple(a if type(a) is int else I.check_int(op, "axis", a) for a in axis)


def _reduce_infer(op: str, out_dtype: dt.DType | None = None):
    def infer(x: ShapedArray, *, axis=None, keepdims=False, **_: Any) -> ShapedArray:
        shape = I.reduce_shape(op, x.shape, axis, keepdims)
        return ShapedArray(shape, out_dtype or x.dtype)

    return infer


def _count(shape: tuple[int, ...], axis: tuple[int, ...] | None) -> int:
    if axis is None:
        return int(np.prod(shape)) if shape else 1
    return int(np.prod([shape[a] for a in axis]))


def expand_reduced(dout: Tensor, shape: tuple[int, ...], axis, keepdims: bool) -> Tensor:
    """Broadcast a reduction's cotangent back to the input's shape."""
    from mind.core._src.ops.array import broadcast_to, reshape

    if not keepdims:
        kept = I.reduce_shape("sum", shape, axis, keepdims=True)
        dout = reshape(dout, kept)
    return broadcast_to(dout, shape)


# -- sum / mean -------------------------------------------------------------------------------------


def _same_int(x: np.ndarray) -> Any:
    """numpy widens int8-int32 sums and products to int64; the ops keep the input's dtype (as
    their inference rules say, and as MindSpore does)."""
    return x.dtype if x.dtype.kind in "iu" else None


def _sum_kernel(x, *, axis=None, keepdims=False):
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=_same_int(x))


def _mean_kernel(x, *, axis=None, keepdims=False):
    return np.mean(x, axis=axis, keepdims=keepdims)


sum_p = primitive(
    "sum",
    traits=("fusable", "reduction"),
    cpu=_sum_kernel,
    infer=_reduce_infer("sum"),
    attrs=("axis", "keepdims"),
    bprop=lambda x, out, dout, *, axis, keepdims: (expand_reduced(dout, x.shape, axis, keepdims),),
)
example(
    sum_p, lambda c: ([c.r(2, 3, 4)], {"axis": (0, 2), "keepdims": False}, lambda x: x.sum((0, 2)))
)
S.attr_schema(sum_p, axis=S.AXES, keepdims=S.Bool())
mean_p = primitive(
    "mean",
    traits=("fusable", "reduction"),
    cpu=_mean_kernel,
    infer=_reduce_infer("mean"),
    attrs=("axis", "keepdims"),
    bprop=lambda x, out, dout, *, axis, keepdims: (
        div(expand_reduced(dout, x.shape, axis, keepdims), float(_count(x.shape, axis))),
    ),
)
example(
    mean_p,
    lambda c: ([c.r(2, 3)], {"axis": (1,), "keepdims": True}, lambda x: x.mean(1, keepdims=True)),
)
S.attr_schema(mean_p, axis=S.AXES, keepdims=S.Bool())


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (an int, a tuple, or None for all). Supported devices: cpu."""
    input = as_tensor(input)
    if dtype is not None:
        input = cast(input, dtype)
    elif input.dtype is dt.bool_:
        input = cast(input, dt.int64)
    return bind1(sum_p, input, {"axis": _axes(dim, "sum"), "keepdims": bool(keepdim)})


def mean(input: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """Mean over ``axis``; integer inputs average in float32."""
    input = as_tensor(input)
    if not input.dtype.is_floating_point and input.dtype.kind != "c":
        input = cast(input, dt.float32)
    return bind1(mean_p, input, {"axis": _axes(axis, "mean"), "keepdims": bool(keep_dims)})


# -- max / min / prod -----------------------------------------------------------------------------


def _extreme_bprop(x, out, dout, *, axis, keepdims):
    """The cotangent goes to the maxima, split evenly between ties."""
    full_out = expand_reduced(out, x.shape, axis, keepdims)
    mask = cast(equal(x, full_out), dout.dtype)
    ties = expand_reduced(sum(mask, axis, keepdim=keepdims), x.shape, axis, keepdims)
    return (div(mul(mask, expand_reduced(dout, x.shape, axis, keepdims)), ties),)


amax_p = primitive(
    "amax",
    traits=("fusable", "reduction"),
    cpu=lambda x, *, axis=None, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
    infer=_reduce_infer("amax"),
    bprop=_extreme_bprop,
    attrs=("axis", "keepdims"),
)
example(amax_p, lambda c: ([c.r(3, 4)], {"axis": (1,), "keepdims": False}, lambda x: x.max(1)))
S.attr_schema(amax_p, axis=S.AXES, keepdims=S.Bool())
amin_p = primitive(
    "amin",
    traits=("fusable", "reduction"),
    cpu=lambda x, *, axis=None, keepdims=False: np.min(x, axis=axis, keepdims=keepdims),
    infer=_reduce_infer("amin"),
    bprop=_extreme_bprop,
    attrs=("axis", "keepdims"),
)
example(amin_p, lambda c: ([c.r(3, 4)], {"axis": None, "keepdims": False}, lambda x: x.min()))
S.attr_schema(amin_p, axis=S.AXES, keepdims=S.Bool())
prod_p = primitive(
    "prod",
    traits=("reduction",),
    cpu=lambda x, *, axis=None, keepdims=False: np.prod(
        x, axis=axis, keepdims=keepdims, dtype=_same_int(x)
    ),
    infer=_reduce_infer("prod"),
    attrs=("axis", "keepdims"),
    # Defined where no element is 0, like MindSpore's ReduceProd gradient.
    bprop=lambda x, out, dout, *, axis, keepdims: (
        mul(expand_reduced(mul(dout, out), x.shape, axis, keepdims), div(1.0, x)),
    ),
)
example(prod_p, lambda c: ([c.pos(2, 3)], {"axis": (0,), "keepdims": False}, lambda x: x.prod(0)))
S.attr_schema(prod_p, axis=S.AXES, keepdims=S.Bool())


def amax(input: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis``."""
    return bind1(
        amax_p, as_tensor(input), {"axis": _axes(axis, "amax"), "keepdims": bool(keepdims)}
    )


def amin(input: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis``."""
    return bind1(
        amin_p, as_tensor(input), {"axis": _axes(axis, "amin"), "keepdims": bool(keepdims)}
    )


def max(input: Any, axis: Any = None, keepdims: bool = False, *, initial=None, where=None):
    """``(values, indices)`` of the maximum along ``axis``, as MindSpore 2.x's ``ops.max``."""
    return amax(input, axis, keepdims), argmax(input, axis, keepdims)


def min(input: Any, axis: Any = None, keepdims: bool = False, *, initial=None, where=None):
    """``(values, indices)`` of the minimum along ``axis``, as MindSpore 2.x's ``ops.min``."""
    return amin(input, axis, keepdims), argmin(input, axis, keepdims)


def prod(input: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    """Product over ``axis``."""
    return bind1(
        prod_p, as_tensor(input), {"axis": _axes(axis, "prod"), "keepdims": bool(keep_dims)}
    )


# -- argmax / argmin --------------------------------------------------------------------------------


def _arg_infer(op: str):
    def infer(x: ShapedArray, *, axis=None, keepdims=False) -> ShapedArray:
        if axis is None:
            return ShapedArray((1,) * x.ndim if keepdims else (), dt.int64)
        return ShapedArray(I.reduce_shape(op, x.shape, axis, keepdims), dt.int64)

    return infer


def _arg_kernel(fn):
    def kernel(x, *, axis=None, keepdims=False):
        return fn(x, axis=axis, keepdims=keepdims).astype(np.int64, copy=False)

    return kernel


argmax_p = primitive(
    "argmax",
    traits=("reduction",),
    cpu=_arg_kernel(np.argmax),
    infer=_arg_infer("argmax"),
    differentiable=False,
    attrs=("axis", "keepdims"),
)
example(argmax_p, lambda c: ([c.r(3, 4)], {"axis": 1, "keepdims": False}, lambda x: x.argmax(1)))
S.attr_schema(argmax_p, axis=S.Opt(S.Int()), keepdims=S.Bool())
argmin_p = primitive(
    "argmin",
    traits=("reduction",),
    cpu=_arg_kernel(np.argmin),
    infer=_arg_infer("argmin"),
    differentiable=False,
    attrs=("axis", "keepdims"),
)
example(argmin_p, lambda c: ([c.r(3, 4)], {"axis": None, "keepdims": False}, lambda x: x.argmin()))
S.attr_schema(argmin_p, axis=S.Opt(S.Int()), keepdims=S.Bool())


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the maximum along ``dim`` (of the flattened input when None)."""
    dim = dim if dim is None else I.check_int("argmax", "dim", dim)
    return bind1(argmax_p, as_tensor(input), {"axis": dim, "keepdims": bool(keepdim)})


def argmin(input: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Index of the minimum along ``axis`` (of the flattened input when None)."""
    axis = axis if axis is None else I.check_int("argmin", "axis", axis)
    return bind1(argmin_p, as_tensor(input), {"axis": axis, "keepdims": bool(keepdims)})


# -- logsumexp / var / std ---------------------------------------------------------------------------


def _logsumexp_kernel(x, *, axis=None, keepdims=False):
    peak = np.max(x, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0)
    out = np.log(np.sum(np.exp(x - peak), axis=axis, keepdims=True)) + peak
    return out if keepdims else np.squeeze(out, axis=axis)


logsumexp_p = primitive(
    "logsumexp",
    traits=("reduction",),
    cpu=_logsumexp_kernel,
    infer=_reduce_infer("logsumexp"),
    attrs=("axis", "keepdims"),
    bprop=lambda x, out, dout, *, axis, keepdims: (
        mul(
            expand_reduced(dout, x.shape, axis, keepdims),
            exp(sub(x, expand_reduced(out, x.shape, axis, keepdims))),
        ),
    ),
)
example(
    logsumexp_p,
    lambda c: (
        [c.r(3, 4) * 50],
        {"axis": (1,), "keepdims": False},
        lambda x: c.special.logsumexp(x, 1),
    ),
)
S.attr_schema(logsumexp_p, axis=S.AXES, keepdims=S.Bool())


def logsumexp(input: Any, axis: Any, keep_dims: bool = False) -> Tensor:
    """``log(sum(exp(input), axis))``, computed stably."""
    input = as_tensor(input)
    if not input.dtype.is_floating_point:
        input = _floating(input)  # complex raises: no complex rule here
    return bind1(
        logsumexp_p, input, {"axis": _axes(axis, "logsumexp"), "keepdims": bool(keep_dims)}
    )


def _var_kernel(x, *, axis=None, ddof=0, keepdims=False):
    return np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)


def _var_bprop(x, out, dout, *, axis, ddof, keepdims):
    n = _count(x.shape, axis) - ddof
    centred = sub(x, mean(x, axis, keep_dims=True))
    return (mul(expand_reduced(dout, x.shape, axis, keepdims), mul(centred, 2.0 / n)),)


var_p = primitive(
    "var",
    traits=("reduction",),
    cpu=_var_kernel,
    infer=_reduce_infer("var"),
    bprop=_var_bprop,
    attrs=("axis", "ddof", "keepdims"),
)
example(
    var_p,
    lambda c: (
        [c.r(3, 4)],
        {"axis": (1,), "ddof": 1, "keepdims": False},
        lambda x: x.var(1, ddof=1),
    ),
)
S.attr_schema(var_p, axis=S.AXES, ddof=S.Int(lo=0), keepdims=S.Bool())


def var(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """Variance over ``axis`` with ``ddof`` delta degrees of freedom (MindSpore's bool ``ddof``:
    True is 1, the unbiased estimate; False is 0)."""
    input = as_tensor(input)
    if isinstance(ddof, bool):
        ddof = int(ddof)
    if not input.dtype.is_floating_point:
        input = _floating(input)  # complex raises: no complex rule here
    return bind1(
        var_p,
        input,
        {
            "axis": _axes(axis, "var"),
            "ddof": I.check_int("var", "ddof", ddof, minimum=0),
            "keepdims": bool(keepdims),
        },
    )


def std(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
    """Standard deviation: ``sqrt(var(...))``."""
    return sqrt(var(input, axis, ddof, keepdims))


# -- cumsum -----------------------------------------------------------------------------------------


def _cumsum_kernel(x, *, axis, reverse=False):
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis=axis, dtype=_same_int(x)), axis)
    return np.cumsum(x, axis=axis, dtype=_same_int(x))


def _cumsum_infer(x: ShapedArray, *, axis, reverse=False) -> ShapedArray:
    I.normalize_axis("cumsum", axis, x.ndim)
    return ShapedArray(x.shape, x.dtype)


cumsum_p = primitive(
    "cumsum",
    traits=("axis",),
    cpu=_cumsum_kernel,
    infer=_cumsum_infer,
    attrs=("axis", "reverse"),
    bprop=lambda x, out, dout, *, axis, reverse: (
        bind1(cumsum_p, dout, {"axis": axis, "reverse": not reverse}),
    ),
)
example(cumsum_p, lambda c: ([c.r(3, 4)], {"axis": 1, "reverse": False}, lambda x: x.cumsum(1)))
S.attr_schema(cumsum_p, axis=S.Int(), reverse=S.Bool())


def cumsum(x: Any, axis: int, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``axis``."""
    x = as_tensor(x)
    if dtype is not None:
        x = cast(x, dtype)
    return bind1(cumsum_p, x, {"axis": int(axis), "reverse": False})


# -- all / any --------------------------------------------------------------------------------------

all_p = primitive(
    "all",
    traits=("reduction",),
    cpu=lambda x, *, axis=None, keepdims=False: np.all(x, axis=axis, keepdims=keepdims),
    infer=_reduce_infer("all", dt.bool_),
    differentiable=False,
    attrs=("axis", "keepdims"),
)
example(all_p, lambda c: ([c.r(3, 4) > -1], {"axis": (1,), "keepdims": False}, lambda x: x.all(1)))
S.attr_schema(all_p, axis=S.AXES, keepdims=S.Bool())
any_p = primitive(
    "any",
    traits=("reduction",),
    cpu=lambda x, *, axis=None, keepdims=False: np.any(x, axis=axis, keepdims=keepdims),
    infer=_reduce_infer("any", dt.bool_),
    differentiable=False,
    attrs=("axis", "keepdims"),
)
example(any_p, lambda c: ([c.r(3, 4) > 1], {"axis": None, "keepdims": False}, lambda x: x.any()))
S.attr_schema(any_p, axis=S.AXES, keepdims=S.Bool())


def all(input: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    return bind1(all_p, as_tensor(input), {"axis": _axes(axis, "all"), "keepdims": bool(keep_dims)})


def any(input: Any, axis: Any = None, keep_dims: bool = False) -> Tensor:
    return bind1(any_p, as_tensor(input), {"axis": _axes(axis, "any"), "keepdims": bool(keep_dims)})
