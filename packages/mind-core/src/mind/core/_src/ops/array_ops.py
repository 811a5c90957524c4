"""Array manipulation and linear algebra with MindSpore 2.x names and argument orders: stacking and
splitting (hstack, tensor_split...), matrix diagonals (matrix_diag, matrix_set_diag with TF's
``k`` and ``align``), block-space reshuffles (space_to_batch_nd), box arithmetic for detection
(bounding_box_encode, iou), NaN-aware reductions, medians, the small BLAS-style products
(addmv, addr, addbmm) and the decompositions over ``linalg``'s primitives (lu_unpack, svd).

Everything here is a composition of existing ops (slices, reshapes, gathers, ``where``, matmul,
the ``linalg`` primitives), so gradients, ``jit``, ``vmap`` and the native device come with them;
index maps that depend only on shapes are computed with numpy at trace time and enter the graph
as constants. Two primitives are new, the singular vectors with their gradients (``svd``).
Arguments whose values decide shapes or index maps (sequence_mask without ``maxlen``,
lu_unpack's pivots, matrix_diag's ``k``) are read eagerly: inside ``jit`` they must be Python
values or constant tensors, else GraphModeError names the op.

Supported devices: each op runs wherever the ops it is written with run (cpu, and the native
device for the compositions); the svd primitives and lu_unpack's pivots are cpu only.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import math
from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import (
    broadcast_to,
    concat,
    expand_dims,
    gather,
    getitem,
    pad,
    reshape,
    squeeze,
    stack,
    transpose,
    zeros,
)
from mind.core._src.ops.dispatch import ShapedArray, bind1, example, primitive
from mind.core._src.ops.elementwise import (
    abs,
    add,
    cast,
    clip,
    div,
    equal,
    exp,
    floor,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    mul,
    pow,
    reciprocal,
    sub,
    where,
    zeros_like,
)
from mind.core._src.ops.indexing import (
    _axis,
    _concrete,
    gather_elements,
    index_add,
    inplace_update,  # noqa: F401  (a Tensor method MindSpore binds: TENSOR_METHODS)
    sort,
    swapaxes,
    unbind,
)
from mind.core._src.ops.linalg import _scaled_sum, matrix_solve, slogdet, svdvals
from mind.core._src.ops.math_ops import isnan
from mind.core._src.ops.nn_ops import bmm, matmul  # noqa: F401  (bmm: a Tensor method)
from mind.core._src.ops.reduce import amax, amin, argmax, cumsum, mean
from mind.core._src.ops.reduce import sum as sum_
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = [
    "accumulate_n",
    "addbmm",
    "addmv",
    "addn",
    "addr",
    "adjoint",
    "aminmax",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "batch_dot",
    "batch_to_space_nd",
    "bias_add",
    "block_diag",
    "bounding_box_decode",
    "bounding_box_encode",
    "check_valid",
    "cholesky_solve",
    "column_stack",
    "combinations",
    "cov",
    "diagflat",
    "diagonal_scatter",
    "dist",
    "dsplit",
    "dstack",
    "gather_d",
    "histc",
    "hsplit",
    "hstack",
    "index_fill",
    "inplace_index_add",
    "intopk",
    "iou",
    "logcumsumexp",
    "logdet",
    "logspace",
    "lu_solve",
    "lu_unpack",
    "matrix_diag",
    "matrix_diag_part",
    "matrix_set_diag",
    "median",
    "msort",
    "mv",
    "nanmean",
    "nanmedian",
    "nansum",
    "range",
    "rank",
    "ravel",
    "renorm",
    "reverse_sequence",
    "row_stack",
    "scalar_to_tensor",
    "select_scatter",
    "sequence_mask",
    "shape",
    "size",
    "slice",
    "slice_scatter",
    "space_to_batch_nd",
    "svd",
    "swapdims",
    "tensor_split",
    "trapz",
    "tuple_to_array",
    "unstack",
    "vander",
    "vecdot",
    "vsplit",
    "vstack",
]

#: The ops MindSpore also binds as Tensor methods (the tensor first).
TENSOR_METHODS: tuple[str, ...] = (
    "addbmm",
    "addmv",
    "addr",
    "adjoint",
    "aminmax",
    "bmm",
    "cov",
    "diagonal_scatter",
    "diagflat",
    "dsplit",
    "histc",
    "hsplit",
    "index_fill",
    "inplace_update",
    "logcumsumexp",
    "logdet",
    "lu_solve",
    "median",
    "msort",
    "nanmean",
    "nanmedian",
    "nansum",
    "ravel",
    "renorm",
    "reverse_sequence",
    "select_scatter",
    "slice_scatter",
    "svd",
    "swapdims",
    "tensor_split",
    "vsplit",
    "vstack",
)

_range = builtins.range
_slice = builtins.slice


def _tensor(op: str, name: str, value: Any) -> Tensor:
    """MindSpore's functional ops take tensors only: a number or a list raises TypeError."""
    if isinstance(value, Tensor):
        return value
    raise MindTypeError(f"For '{op}', '{name}' must be a Tensor, got {type(value).__name__}")


def _float_tensor(op: str, name: str, value: Any) -> Tensor:
    x = _tensor(op, name, value)
    if not x.dtype.is_floating_point:
        raise MindTypeError(f"For '{op}', '{name}' must be a floating-point tensor, got {x.dtype}")
    return x


def _number(op: str, name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Tensor):
        raise MindTypeError(f"For '{op}', '{name}' must be a number, got {value!r}")
    return value


def _tensors(op: str, tensors: Any, name: str = "tensors") -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, list | tuple):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a tuple or list of Tensors, got {type(tensors).__name__}"
        )
    if not tensors:
        raise MindValueError(f"For '{op}', '{name}' must not be empty")
    return [_tensor(op, name, t) for t in tensors]


def _mT(x: Tensor) -> Tensor:
    return swapaxes(x, -1, -2)


# ------------------------------------------------------------------------------------------------
# Products: addmv, addr, addbmm, mv, vecdot, batch_dot, adjoint
# ------------------------------------------------------------------------------------------------


def mv(mat: Any, vec: Any) -> Tensor:
    """The matrix-vector product of ``mat`` (m, n) and ``vec`` (n,), shape (m,).

    >>> ops.mv(Tensor([[1., 2.], [3., 4.]]), Tensor([1., 1.]))   # [3., 7.]

    Supported devices: cpu, native.
    """
    mat, vec = _tensor("mv", "mat", mat), _tensor("mv", "vec", vec)
    if mat.ndim != 2 or vec.ndim != 1 or mat.shape[1] != vec.shape[0]:
        raise MindValueError(
            f"For 'mv', 'mat' must be 2-D (m, n) and 'vec' 1-D (n,), got {mat.shape} and "
            f"{vec.shape}"
        )
    return squeeze(matmul(mat, expand_dims(vec, -1)), -1)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)`` (``input`` broadcasts to (m,); with ``beta=0`` it
    is ignored, NaN included).

    >>> ops.addmv(Tensor([1., 1.]), Tensor([[1., 2.], [3., 4.]]), Tensor([1., 1.]))  # [4., 8.]

    Supported devices: cpu, native.
    """
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


def addr(x: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * x + alpha * outer(vec1, vec2)`` (``x`` broadcasts to (n, m)).

    >>> ops.addr(ops.zeros((2, 2)), Tensor([1., 2.]), Tensor([3., 4.]))   # [[3, 4], [6, 8]]

    Supported devices: cpu, native.
    """
    vec1, vec2 = _tensor("addr", "vec1", vec1), _tensor("addr", "vec2", vec2)
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise MindValueError(
            f"For 'addr', 'vec1' and 'vec2' must be 1-D, got {vec1.shape} and {vec2.shape}"
        )
    outer = mul(expand_dims(vec1, 1), expand_dims(vec2, 0))
    return _scaled_sum("addr", x, outer, beta, alpha)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]`` for ``batch1`` (b, n, m) and
    ``batch2`` (b, m, p): the batch of products reduced to one (n, p) matrix.

    >>> ops.addbmm(ops.zeros((2, 2)), ops.ones((3, 2, 4)), ops.ones((3, 4, 2)))  # all 12

    Supported devices: cpu, native.
    """
    b1, b2 = _tensor("addbmm", "batch1", batch1), _tensor("addbmm", "batch2", batch2)
    if b1.ndim != 3 or b2.ndim != 3 or b1.shape[0] != b2.shape[0] or b1.shape[2] != b2.shape[1]:
        raise MindValueError(
            f"For 'addbmm', 'batch1' (b, n, m) and 'batch2' (b, m, p) must be 3-D with matching "
            f"b and m, got {b1.shape} and {b2.shape}"
        )
    return _scaled_sum("addbmm", input, sum_(matmul(b1, b2), 0), beta, alpha)


def vecdot(x: Any, y: Any, *, axis: int = -1) -> Tensor:
    """The dot products of the vectors along ``axis`` (after broadcasting ``x`` and ``y``);
    complex ``x`` is conjugated.

    >>> ops.vecdot(Tensor([[1., 2.], [3., 4.]]), Tensor([[1., 1.], [1., 0.]]))   # [3., 3.]

    Supported devices: cpu, native.
    """
    x, y = _tensor("vecdot", "x", x), _tensor("vecdot", "y", y)
    if x.dtype.is_complex:
        x = _conj(x)
    product = mul(x, y)
    return sum_(product, _axis("vecdot", axis, product.ndim))


def _conj(x: Tensor) -> Tensor:
    from mind.core._src.ops import functional as F

    return F.conj(x) if hasattr(F, "conj") else x


def adjoint(x: Any) -> Tensor:
    """The conjugate transpose of the last two axes.

    >>> ops.adjoint(Tensor([[1., 2.], [3., 4.]]))   # [[1., 3.], [2., 4.]]

    Supported devices: cpu, native.
    """
    x = _tensor("adjoint", "x", x)
    if x.ndim < 2:
        raise MindValueError(f"For 'adjoint', 'x' must be at least 2-D, got shape {x.shape}")
    return _mT(_conj(x) if x.dtype.is_complex else x)


def _batch_dot_axes(axes: Any, n1: int, n2: int) -> list[int]:
    if axes is None:
        return [n1 - 1, n2 - 1 if n2 == 2 else n2 - 2]
    if isinstance(axes, bool):
        raise MindTypeError(f"For 'batch_dot', 'axes' must be an int or 2 ints, got {axes!r}")
    if isinstance(axes, int):
        if axes == 0 or axes > builtins.min(n1, n2):
            raise MindValueError(
                f"For 'batch_dot', 'axes' must be nonzero and at most both ranks, got {axes}"
            )
        return [axes + n1, axes + n2] if axes < 0 else [axes, axes]
    if isinstance(axes, list | tuple):
        if len(axes) != 2 or 0 in axes or not all(isinstance(a, int) for a in axes):
            raise MindValueError(
                f"For 'batch_dot', 'axes' must hold 2 nonzero ints, got {tuple(axes)}"
            )
        out = [axes[0] + n1 if axes[0] < 0 else axes[0], axes[1] + n2 if axes[1] < 0 else axes[1]]
        if out[0] <= 0 or out[1] <= 0 or out[0] >= n1 or out[1] >= n2:
            raise MindValueError(f"For 'batch_dot', 'axes' {tuple(axes)} is out of range")
        return out
    raise MindTypeError(
        f"For 'batch_dot', 'axes' must be an int, tuple or list, got {type(axes).__name__}"
    )


def batch_dot(x1: Any, x2: Any, axes: Any = None) -> Tensor:
    """For each sample of the batch (axis 0), the contraction of ``x1``'s axis ``axes[0]`` with
    ``x2``'s axis ``axes[1]`` (Keras' batch_dot); the result is ``(batch, x1's other axes,
    x2's other axes)``, and (batch, 1) when both inputs are 2-D.

    >>> ops.batch_dot(ops.ones((2, 3)), ops.ones((2, 3))).shape   # (2, 1)

    Supported devices: cpu, native.
    """
    x1, x2 = _tensor("batch_dot", "x1", x1), _tensor("batch_dot", "x2", x2)
    if x1.ndim < 2 or x2.ndim < 2:
        raise MindValueError(
            f"For 'batch_dot', both inputs must be at least 2-D, got {x1.shape} and {x2.shape}"
        )
    if x1.shape[0] != x2.shape[0]:
        raise MindValueError(
            f"For 'batch_dot', 'x1' and 'x2' must have the same batch size, got {x1.shape[0]} "
            f"and {x2.shape[0]}"
        )
    a1, a2 = _batch_dot_axes(axes, x1.ndim, x2.ndim)
    if x1.shape[a1] != x2.shape[a2]:
        raise MindValueError(
            f"For 'batch_dot', the contracted sizes differ: x1 axis {a1} has {x1.shape[a1]}, "
            f"x2 axis {a2} has {x2.shape[a2]}"
        )
    expanded1, expanded2 = x1.ndim == 2, x2.ndim == 2
    if expanded1:
        x1, a1 = expand_dims(x1, 1), a1 + 1
    if expanded2:
        x2 = expand_dims(x2, 2)
    free1 = [i for i in _range(1, x1.ndim) if i != a1]
    free2 = [i for i in _range(1, x2.ndim) if i != a2]
    batch, k = x1.shape[0], x1.shape[a1]
    left = reshape(transpose(x1, (0, *free1, a1)), (batch, -1, k))
    right = reshape(transpose(x2, (0, a2, *free2)), (batch, k, -1))
    out = reshape(
        matmul(left, right),
        (batch, *[x1.shape[i] for i in free1], *[x2.shape[i] for i in free2]),
    )
    if expanded1:
        return squeeze(out, 1)
    if expanded2:
        return squeeze(out, -1)
    return out


# ------------------------------------------------------------------------------------------------
# Sums of many tensors, bias_add, shape queries
# ------------------------------------------------------------------------------------------------


def addn(x: Any) -> Tensor:
    """The elementwise sum of the tensors in ``x`` (a tuple or list, all of one shape).

    >>> ops.addn([Tensor([1., 2.]), Tensor([3., 4.])])   # [4., 6.]

    Supported devices: cpu, native.
    """
    tensors = _tensors("addn", x, "x")
    first = tensors[0]
    for t in tensors[1:]:
        if t.shape != first.shape:
            raise MindValueError(
                f"For 'addn', every input must have the shape {first.shape}, got {t.shape}"
            )
    return functools.reduce(add, tensors)


def accumulate_n(x: Any) -> Tensor:
    """The elementwise sum of the tensors in ``x`` (MindSpore's accumulate_n: addn without
    waiting for all inputs; the same values).

    Supported devices: cpu, native.
    """
    return addn(x)


def bias_add(input_x: Any, bias: Any) -> Tensor:
    """``input_x + bias`` with the 1-D ``bias`` along the channel axis 1 (N, C, ...).

    >>> ops.bias_add(ops.zeros((1, 2, 2)), Tensor([1., 2.]))[0, :, 0]   # [1., 2.]

    Supported devices: cpu, native.
    """
    x, b = _tensor("bias_add", "input_x", input_x), _tensor("bias_add", "bias", bias)
    if x.ndim < 2 or b.ndim != 1 or b.shape[0] != x.shape[1]:
        raise MindValueError(
            f"For 'bias_add', 'input_x' must be at least 2-D and 'bias' 1-D of its channel size, "
            f"got {x.shape} and {b.shape}"
        )
    return add(x, reshape(b, (-1,) + (1,) * (x.ndim - 2)))


def shape(input_x: Any) -> tuple[int, ...]:
    """The shape of ``input_x`` as a tuple of ints."""
    return tuple(_tensor("shape", "input_x", input_x).shape)


def rank(input_x: Any) -> int:
    """The number of axes of ``input_x``."""
    return _tensor("rank", "input_x", input_x).ndim


def size(input_x: Any) -> int:
    """The number of elements of ``input_x``."""
    return int(np.prod(_tensor("size", "input_x", input_x).shape, dtype=np.int64))


def ravel(input: Any) -> Tensor:
    """``input`` flattened to 1-D (row-major)."""
    return reshape(_tensor("ravel", "input", input), (-1,))


def swapdims(input: Any, dim0: int, dim1: int) -> Tensor:
    """``input`` with axes ``dim0`` and ``dim1`` exchanged (:func:`swapaxes`)."""
    return swapaxes(input, dim0, dim1)


def unstack(input_x: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input_x`` along ``axis``, that axis removed (:func:`unbind`)."""
    return unbind(input_x, axis)


def gather_d(x: Any, dim: int, index: Any) -> Tensor:
    """``x``'s elements along ``dim`` at ``index`` (:func:`gather_elements`)."""
    return gather_elements(x, dim, index)


def slice(input_x: Any, begin: Any, size: Any) -> Tensor:
    """The block of ``input_x`` starting at ``begin`` with ``size`` elements per axis (-1: to
    the end).

    >>> ops.slice(ops.arange(12).reshape(3, 4), (1, 1), (2, -1)).shape   # (2, 3)
    """
    x = _tensor("slice", "input_x", input_x)
    begin, size = _int_list("slice", "begin", begin), _int_list("slice", "size", size)
    if len(begin) != x.ndim or len(size) != x.ndim:
        raise MindValueError(
            f"For 'slice', 'begin' and 'size' must have {x.ndim} entries, got {begin} and {size}"
        )
    index = []
    for b, s, d in zip(begin, size, x.shape, strict=True):
        end = d if s == -1 else b + s
        if b < 0 or s < -1 or end > d:
            raise MindValueError(
                f"For 'slice', begin {begin} and size {size} exceed the shape {x.shape}"
            )
        index.append(_slice(b, end))
    return getitem(x, tuple(index))


def _int_list(op: str, name: str, value: Any) -> list[int]:
    if isinstance(value, Tensor):
        value = np.asarray(value.asnumpy()).tolist()
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple) and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value
    ):
        return [int(v) for v in value]
    raise MindTypeError(f"For '{op}', '{name}' must be a tuple or list of ints, got {value!r}")


def scalar_to_tensor(input_x: Any, dtype: Any = dt.float32) -> Tensor:
    """A 0-D tensor holding the number ``input_x``, of ``dtype``."""
    if isinstance(input_x, bool) or not isinstance(input_x, int | float):
        raise MindTypeError(
            f"For 'scalar_to_tensor', 'input_x' must be an int or a float, got {input_x!r}"
        )
    return Tensor(np.asarray(input_x, dt.to_dtype(dtype).np))


def tuple_to_array(input_x: Any) -> Tensor:
    """A 1-D tensor of the numbers in the tuple ``input_x``: int64 for ints, float32 when any
    is a float."""
    if not isinstance(input_x, tuple | list) or not input_x:
        raise MindTypeError(
            f"For 'tuple_to_array', 'input_x' must be a non-empty tuple of numbers, got {input_x!r}"
        )
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in input_x):
        raise MindTypeError(f"For 'tuple_to_array', every element must be a number: {input_x!r}")
    kind = np.float32 if builtins.any(isinstance(v, float) for v in input_x) else np.int64
    return Tensor(np.asarray(input_x, kind))


def range(start: Any, end: Any, step: Any, maxlen: int = 1_000_000) -> Tensor:
    """The numbers ``start, start + step, ...`` below ``end`` (above it for a negative step):
    int64 for ints, float32 for floats (or the dtype of Tensor arguments).

    >>> ops.range(0, 6, 2)   # [0, 2, 4]
    """
    values = []
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, Tensor):
            if v.ndim:
                raise MindValueError(f"For 'range', '{name}' must be a scalar, got {v.shape}")
            values.append(v)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            values.append(v)
        else:
            raise MindTypeError(f"For 'range', '{name}' must be a number, got {v!r}")
    tensors = [v for v in values if isinstance(v, Tensor)]
    if tensors:
        kind = tensors[0].dtype.np
        values = [v.item() for v in values]
    else:
        kind = np.float32 if builtins.any(isinstance(v, float) for v in values) else np.int64
    lo, hi, delta = values
    if delta == 0:
        raise MindValueError("For 'range', 'step' must not be 0")
    if (hi - lo) * delta < 0:
        raise MindValueError(
            f"For 'range', 'end' must be reachable from 'start' with 'step': got start={lo}, "
            f"end={hi}, step={delta}"
        )
    count = math.ceil((hi - lo) / delta)
    if count > maxlen:
        raise MindValueError(f"For 'range', {count} elements exceed maxlen={maxlen}")
    return Tensor((lo + np.arange(count) * delta).astype(kind))


# ------------------------------------------------------------------------------------------------
# Stacking and splitting
# ------------------------------------------------------------------------------------------------


def _atleast(op: str, inputs: Any, ndim: int) -> Any:
    def one(x: Any) -> Tensor:
        x = _tensor(op, "inputs", x)
        if x.ndim >= ndim:
            return x
        if ndim == 3:
            shape = {0: (1, 1, 1), 1: (1, -1, 1), 2: (*x.shape, 1)}[x.ndim]
        else:
            shape = (1,) * (ndim - x.ndim) + x.shape
        return reshape(x, shape)

    if isinstance(inputs, list | tuple):
        return tuple(one(x) for x in inputs)
    return one(inputs)


def atleast_1d(inputs: Any) -> Any:
    """Each tensor with at least 1 axis (0-D becomes (1,)); a tuple for a tuple or list."""
    return _atleast("atleast_1d", inputs, 1)


def atleast_2d(inputs: Any) -> Any:
    """Each tensor with at least 2 axes ((n,) becomes (1, n))."""
    return _atleast("atleast_2d", inputs, 2)


def atleast_3d(inputs: Any) -> Any:
    """Each tensor with at least 3 axes ((n,) becomes (1, n, 1), (m, n) becomes (m, n, 1))."""
    return _atleast("atleast_3d", inputs, 3)


def hstack(tensors: Any) -> Tensor:
    """The tensors concatenated along axis 1 (axis 0 for 1-D ones).

    >>> ops.hstack([Tensor([1., 2.]), Tensor([3.])])   # [1., 2., 3.]
    """
    ts = _atleast("hstack", _tensors("hstack", tensors), 1)
    return concat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(inputs: Any) -> Tensor:
    """The tensors (1-D ones as rows) concatenated along axis 0."""
    return concat(_atleast("vstack", _tensors("vstack", inputs, "inputs"), 2), 0)


def row_stack(tensors: Any) -> Tensor:
    """:func:`vstack`."""
    return vstack(tensors)


def dstack(tensors: Any) -> Tensor:
    """The tensors concatenated along axis 2 (after :func:`atleast_3d`)."""
    return concat(_atleast("dstack", _tensors("dstack", tensors), 3), 2)


def column_stack(tensors: Any) -> Tensor:
    """The tensors as columns: 1-D ones become (n, 1), then concatenated along axis 1."""
    ts = []
    for t in _tensors("column_stack", tensors):
        ts.append(reshape(t, (-1, 1)) if t.ndim <= 1 else t)
    return concat(ts, 1)


def tensor_split(input: Any, indices_or_sections: Any, axis: int = 0) -> tuple[Tensor, ...]:
    """``input`` split along ``axis`` into ``n`` nearly equal parts (an int: the first
    ``size % n`` parts one longer) or at the given indices (a tuple or list).

    >>> [t.shape for t in ops.tensor_split(ops.ones(7), 3)]   # [(3,), (2,), (2,)]
    """
    x = _tensor("tensor_split", "input", input)
    axis = _axis("tensor_split", axis, x.ndim)
    length = x.shape[axis]
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        n = indices_or_sections
        if n <= 0:
            raise MindValueError(
                f"For 'tensor_split', 'indices_or_sections' must be positive, got {n}"
            )
        size, extra = divmod(length, n)
        bounds = [0]
        for i in _range(n):
            bounds.append(bounds[-1] + size + (1 if i < extra else 0))
    elif isinstance(indices_or_sections, list | tuple):
        cuts = _int_list("tensor_split", "indices_or_sections", list(indices_or_sections))
        bounds = [0, *(builtins.min(builtins.max(c + length if c < 0 else c, 0), length)
                       for c in cuts), length]  # fmt: skip
    else:
        raise MindTypeError(
            "For 'tensor_split', 'indices_or_sections' must be an int or a tuple or list of "
            f"ints, got {type(indices_or_sections).__name__}"
        )
    lead = (_slice(None),) * axis
    return tuple(
        getitem(x, (*lead, _slice(lo, builtins.max(lo, hi))))
        for lo, hi in itertools.pairwise(bounds)
    )


def _split_at(op: str, input: Any, indices_or_sections: Any, axis: int, min_ndim: int) -> tuple:
    x = _tensor(op, "input", input)
    if x.ndim < min_ndim:
        raise MindValueError(f"For '{op}', 'input' must be at least {min_ndim}-D, got {x.shape}")
    if isinstance(indices_or_sections, int) and not isinstance(indices_or_sections, bool):
        if indices_or_sections <= 0 or x.shape[axis] % indices_or_sections:
            raise MindValueError(
                f"For '{op}', {indices_or_sections} sections do not divide axis {axis} of size "
                f"{x.shape[axis]}"
            )
    return tensor_split(x, indices_or_sections, axis)


def hsplit(input: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``input`` split along axis 1 (axis 0 for 1-D input): :func:`tensor_split`."""
    x = _tensor("hsplit", "input", input)
    return _split_at("hsplit", x, indices_or_sections, 0 if x.ndim == 1 else 1, 1)


def vsplit(input: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``input`` (at least 2-D) split along axis 0."""
    return _split_at("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Any, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``input`` (at least 3-D) split along axis 2."""
    return _split_at("dsplit", input, indices_or_sections, 2, 3)


def block_diag(*inputs: Any) -> Tensor:
    """The matrices (0-D and 1-D inputs count as 1 x n rows) on the diagonal of one matrix,
    zeros elsewhere.

    >>> ops.block_diag(Tensor([[1., 2.]]), Tensor([[3.]]))   # [[1, 2, 0], [0, 0, 3]]
    """
    if not inputs:
        raise MindValueError("For 'block_diag', at least one input is needed")
    mats = []
    for t in inputs:
        t = _tensor("block_diag", "inputs", t)
        if t.ndim > 2:
            raise MindValueError(f"For 'block_diag', inputs must be at most 2-D, got {t.shape}")
        mats.append(reshape(t, (1, -1)) if t.ndim < 2 else t)
    kind = functools.reduce(dt.promote, [m.dtype for m in mats])
    width = builtins.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        right = width - left - m.shape[1]
        rows.append(pad(cast(m, kind), (left, right)))
        left += m.shape[1]
    return concat(rows, 0)


def diagflat(input: Any, offset: int = 0) -> Tensor:
    """The flattened ``input`` on diagonal ``offset`` of a square matrix, zeros elsewhere.

    >>> ops.diagflat(Tensor([1., 2.]))   # [[1., 0.], [0., 2.]]
    """
    x = ravel(_tensor("diagflat", "input", input))
    offset = I.check_int("diagflat", "offset", offset)
    n = x.shape[0] + builtins.abs(offset)
    rows, cols = np.arange(x.shape[0]), np.arange(x.shape[0])
    rows, cols = (rows, cols + offset) if offset >= 0 else (rows - offset, cols)
    flat = np.zeros(n * n, np.int32)
    hit = np.zeros(n * n, bool)
    flat[rows * n + cols] = np.arange(x.shape[0])
    hit[rows * n + cols] = True
    out = where(Tensor(hit), gather(x, Tensor(flat), 0), zeros_like(gather(x, Tensor(flat), 0)))
    return reshape(out, (n, n))


def vander(x: Any, N: int | None = None) -> Tensor:
    """The Vandermonde matrix of the 1-D ``x``: column ``j`` is ``x ** (N - 1 - j)`` (``N``
    columns, ``len(x)`` when None).

    >>> ops.vander(Tensor([1, 2, 3]), 3)   # [[1, 1, 1], [4, 2, 1], [9, 3, 1]]
    """
    x = _tensor("vander", "x", x)
    if x.ndim != 1:
        raise MindValueError(f"For 'vander', 'x' must be 1-D, got shape {x.shape}")
    if x.dtype is dt.bool_:
        raise MindTypeError("For 'vander', 'x' must be numeric, got Bool")
    n = x.shape[0] if N is None else I.check_int("vander", "N", N, minimum=0)
    if n == 0:
        return zeros((x.shape[0], 0), x.dtype)
    powers = Tensor(np.arange(n - 1, -1, -1).astype(x.dtype.np))
    return pow(expand_dims(x, 1), powers)


# ------------------------------------------------------------------------------------------------
# Scatter by position: slices, selections and diagonals written into a tensor
# ------------------------------------------------------------------------------------------------


def _embed(x: Tensor, src: Tensor, hit: np.ndarray, source: np.ndarray) -> Tensor:
    """``x`` where ``hit`` is False, else the flat ``src`` element ``source``: a gather and a
    where, so both inputs differentiate."""
    values = reshape(gather(ravel(cast(src, x.dtype)), Tensor(source.ravel()), 0), x.shape)
    return where(Tensor(hit), values, x)


def slice_scatter(
    input: Any, src: Any, axis: int = 0, start: Any = None, end: Any = None, step: int = 1
) -> Tensor:
    """``input`` with ``input[start:end:step]`` along ``axis`` replaced by ``src``.

    >>> ops.slice_scatter(ops.zeros((2, 4)), ops.ones((2, 2)), 1, 0, 4, 2)   # columns 0, 2 = 1
    """
    x, s = _tensor("slice_scatter", "input", input), _tensor("slice_scatter", "src", src)
    axis = _axis("slice_scatter", axis, x.ndim)
    positions = np.arange(x.shape[axis])[_slice(start, end, step)]
    want = x.shape[:axis] + (len(positions),) + x.shape[axis + 1 :]
    if s.shape != want:
        raise MindValueError(f"For 'slice_scatter', 'src' must have shape {want}, got {s.shape}")
    hit = np.zeros(x.shape, bool)
    source = np.zeros(x.shape, np.int64)
    index = (_slice(None),) * axis + (positions,)
    hit[index] = True
    source[index] = np.arange(int(np.prod(want))).reshape(want)
    return _embed(x, s, hit, source)


def select_scatter(input: Any, src: Any, axis: int, index: int) -> Tensor:
    """``input`` with the slice at ``index`` along ``axis`` replaced by ``src`` (that axis
    removed from ``src``'s shape)."""
    x, s = _tensor("select_scatter", "input", input), _tensor("select_scatter", "src", src)
    axis = _axis("select_scatter", axis, x.ndim)
    index = I.normalize_axis("select_scatter", I.check_int("select_scatter", "index", index),
                             x.shape[axis], "index")  # fmt: skip
    want = x.shape[:axis] + x.shape[axis + 1 :]
    if s.shape != want:
        raise MindValueError(f"For 'select_scatter', 'src' must have shape {want}, got {s.shape}")
    return slice_scatter(x, expand_dims(s, axis), axis, index, index + 1)


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """``input`` with the diagonal ``offset`` of the (``dim1``, ``dim2``) planes replaced by
    ``src`` (the shape :func:`diagonal` returns: the other axes, then the diagonal)."""
    x, s = _tensor("diagonal_scatter", "input", input), _tensor("diagonal_scatter", "src", src)
    d1, d2 = _axis("diagonal_scatter", dim1, x.ndim), _axis("diagonal_scatter", dim2, x.ndim)
    if d1 == d2:
        raise MindValueError("For 'diagonal_scatter', 'dim1' and 'dim2' must differ")
    offset = I.check_int("diagonal_scatter", "offset", offset)
    # Number x's elements, take their diagonal with numpy: where each diagonal element sits.
    where_in_x = np.diagonal(np.arange(x.size).reshape(x.shape), offset, d1, d2)
    if s.shape != where_in_x.shape:
        raise MindValueError(
            f"For 'diagonal_scatter', 'src' must have shape {where_in_x.shape}, got {s.shape}"
        )
    hit = np.zeros(x.size, bool)
    source = np.zeros(x.size, np.int64)
    hit[where_in_x.ravel()] = True
    source[where_in_x.ravel()] = np.arange(where_in_x.size)
    return _embed(x, s, hit.reshape(x.shape), source.reshape(x.shape))


def index_fill(x: Any, axis: int, index: Any, value: Any) -> Tensor:
    """``x`` with the slices at ``index`` (an int tensor) along ``axis`` set to ``value`` (a
    number or a 0-D tensor, which differentiates).

    >>> ops.index_fill(ops.zeros((2, 3)), 1, Tensor([0, 2]), 5.0)   # columns 0 and 2 are 5
    """
    x = _tensor("index_fill", "x", x)
    axis = _axis("index_fill", axis, x.ndim)
    index = _tensor("index_fill", "index", index)
    if not index.dtype.is_integer or index.ndim > 1:
        raise MindTypeError(
            f"For 'index_fill', 'index' must be a 0-D or 1-D int tensor, got {index.dtype} "
            f"{index.shape}"
        )
    if isinstance(value, Tensor):
        if value.ndim:
            raise MindValueError(f"For 'index_fill', 'value' must be 0-D, got {value.shape}")
        value = cast(value, x.dtype)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise MindTypeError(f"For 'index_fill', 'value' must be a number or Tensor: {value!r}")
    n = x.shape[axis]
    idx = reshape(cast(index, dt.int64), (-1, 1))
    idx = where(less(idx, 0), add(idx, n), idx)
    hit = greater(sum_(cast(equal(idx, Tensor(np.arange(n))), dt.int32), 0), 0)
    hit = reshape(hit, (n,) + (1,) * (x.ndim - axis - 1))
    return where(hit, value if isinstance(value, Tensor) else as_tensor(value, x.dtype), x)


def inplace_index_add(var: Any, indices: Any, updates: Any, axis: int) -> Tensor:
    """Add ``updates`` into ``var`` at ``indices`` along ``axis`` (repeats add up), writing
    ``var`` (a Parameter) in place, and return it."""
    from mind.core._src.ops.array import assign

    target = _tensor("inplace_index_add", "var", var)
    out = index_add(target, indices, updates, axis)
    if isinstance(var, Parameter):
        assign(var, out)
        return var
    return out


# ------------------------------------------------------------------------------------------------
# Matrix diagonals with TF's k / align (matrix_diag, matrix_diag_part, matrix_set_diag)
# ------------------------------------------------------------------------------------------------

_ALIGNS = ("LEFT_RIGHT", "LEFT_LEFT", "RIGHT_LEFT", "RIGHT_RIGHT")


def _k_range(op: str, k: Any) -> tuple[int, int]:
    ks = np.asarray(_concrete(op, k, "'k'") if isinstance(k, Tensor) else k).ravel().tolist()
    if not 1 <= len(ks) <= 2 or not all(isinstance(v, int) for v in ks):
        raise MindValueError(f"For '{op}', 'k' must be an int or 2 ints, got {k!r}")
    lo, hi = (ks[0], ks[0]) if len(ks) == 1 else (ks[0], ks[1])
    if lo > hi:
        raise MindValueError(f"For '{op}', k[0] must not exceed k[1], got {ks}")
    return lo, hi


def _diag_map(op: str, rows: int, cols: int, lo: int, hi: int, align: str) -> tuple:
    """For each stored diagonal slot (d index, position): the flat (row * cols + col) element
    it holds, and whether the slot holds one (shorter diagonals are padded)."""
    if align not in _ALIGNS:
        raise MindValueError(f"For '{op}', 'align' must be one of {list(_ALIGNS)}, got {align!r}")
    if not (-rows < lo or rows == 0) or not (hi < cols or cols == 0):
        raise MindValueError(f"For '{op}', 'k' must lie in (-{rows}, {cols}), got ({lo}, {hi})")
    length = [builtins.min(rows + builtins.min(0, d), cols - builtins.max(0, d))
              for d in _range(hi, lo - 1, -1)]  # fmt: skip
    width = builtins.max(length)
    flat = np.zeros((hi - lo + 1, width), np.int64)
    held = np.zeros((hi - lo + 1, width), bool)
    super_right, sub_right = align.split("_")[0] == "RIGHT", align.split("_")[1] == "RIGHT"
    for j, d in enumerate(_range(hi, lo - 1, -1)):
        n = length[j]
        right = super_right if d >= 0 else sub_right
        shift = width - n if right else 0
        i = np.arange(n)
        flat[j, shift + i] = (i + builtins.max(0, -d)) * cols + i + builtins.max(0, d)
        held[j, shift + i] = True
    return flat, held, width


def _padding(op: str, value: Any, dtype: Any) -> Tensor:
    value = value if isinstance(value, Tensor) else as_tensor(value, dtype)
    if value.ndim:
        raise MindValueError(f"For '{op}', 'padding_value' must be 0-D, got {value.shape}")
    return cast(value, dtype)


def matrix_diag_part(
    x: Any, k: Any = 0, padding_value: Any = 0, align: str = "RIGHT_LEFT"
) -> Tensor:
    """Diagonals ``k`` (an int, or ``(lo, hi)`` for a band) of each matrix of ``x``: shape
    (..., L) for one, (..., hi - lo + 1, L) for a band with the highest diagonal first; shorter
    diagonals are padded with ``padding_value`` on the side ``align`` names (superdiagonals
    first, subdiagonals second).

    >>> ops.matrix_diag_part(Tensor([[1., 2.], [3., 4.]]), Tensor(0), Tensor(0.))   # [1., 4.]
    """
    x = _tensor("matrix_diag_part", "x", x)
    if x.ndim < 2:
        raise MindValueError(f"For 'matrix_diag_part', 'x' must be at least 2-D, got {x.shape}")
    lo, hi = _k_range("matrix_diag_part", k)
    rows, cols = x.shape[-2:]
    flat, held, _ = _diag_map("matrix_diag_part", rows, cols, lo, hi, align)
    values = gather(reshape(x, (*x.shape[:-2], rows * cols)), Tensor(flat), x.ndim - 2)
    out = where(Tensor(held), values, _padding("matrix_diag_part", padding_value, x.dtype))
    return squeeze(out, -2) if lo == hi else out


def matrix_diag(
    x: Any,
    k: Any = 0,
    num_rows: Any = -1,
    num_cols: Any = -1,
    padding_value: Any = 0,
    align: str = "RIGHT_LEFT",
) -> Tensor:
    """Matrices with the diagonals ``k`` set from ``x`` (the layout :func:`matrix_diag_part`
    returns) and ``padding_value`` elsewhere; ``num_rows``/``num_cols`` of -1 are the smallest
    that fit (square when both are -1).

    >>> ops.matrix_diag(Tensor([1., 2.]))   # [[1., 0.], [0., 2.]]
    """
    x = _tensor("matrix_diag", "x", x)
    lo, hi = _k_range("matrix_diag", k)
    band = lo != hi
    if x.ndim < (2 if band else 1) or (band and x.shape[-2] != hi - lo + 1):
        raise MindValueError(
            f"For 'matrix_diag', 'x' must end in ({hi - lo + 1}, L) for k=({lo}, {hi}), got "
            f"{x.shape}"
        )
    if not band:
        x = expand_dims(x, -2)
    width = x.shape[-1]
    rows, cols = (
        int(_concrete("matrix_diag", v, f"'{name}'") if isinstance(v, Tensor) else v)
        for v, name in ((num_rows, "num_rows"), (num_cols, "num_cols"))
    )
    min_rows, min_cols = width - builtins.min(hi, 0), width + builtins.max(lo, 0)
    if rows == -1 and cols == -1:
        rows = cols = builtins.max(min_rows, min_cols)
    rows = min_rows if rows == -1 else rows
    cols = min_cols if cols == -1 else cols
    if rows < min_rows or cols < min_cols or (rows != min_rows and cols != min_cols):
        raise MindValueError(
            f"For 'matrix_diag', num_rows={rows} and num_cols={cols} do not fit diagonals of "
            f"length {width} for k=({lo}, {hi})"
        )
    flat, held, w = _diag_map("matrix_diag", rows, cols, lo, hi, align)
    if w != width:
        raise MindValueError(f"For 'matrix_diag', the diagonals must have length {w}, got {width}")
    # Inverse map: which stored slot each matrix element comes from.
    source = np.zeros(rows * cols, np.int64)
    hit = np.zeros(rows * cols, bool)
    source[flat[held]] = np.flatnonzero(held)
    hit[flat[held]] = True
    lead = x.shape[:-2]
    values = gather(reshape(x, (*lead, -1)), Tensor(source), len(lead))
    out = where(Tensor(hit), values, _padding("matrix_diag", padding_value, x.dtype))
    return reshape(out, (*lead, rows, cols))


def matrix_set_diag(x: Any, diagonal: Any, k: Any = 0, align: str = "RIGHT_LEFT") -> Tensor:
    """``x`` with its diagonals ``k`` replaced by ``diagonal`` (the layout of
    :func:`matrix_diag_part`)."""
    x = _tensor("matrix_set_diag", "x", x)
    diag = _tensor("matrix_set_diag", "diagonal", diagonal)
    if x.ndim < 2:
        raise MindValueError(f"For 'matrix_set_diag', 'x' must be at least 2-D, got {x.shape}")
    lo, hi = _k_range("matrix_set_diag", k)
    rows, cols = x.shape[-2:]
    flat, held, width = _diag_map("matrix_set_diag", rows, cols, lo, hi, align)
    want = (*x.shape[:-2], width) if lo == hi else (*x.shape[:-2], hi - lo + 1, width)
    if diag.shape != want:
        raise MindValueError(
            f"For 'matrix_set_diag', 'diagonal' must have shape {want}, got {diag.shape}"
        )
    source = np.zeros(rows * cols, np.int64)
    hit = np.zeros(rows * cols, bool)
    source[flat[held]] = np.flatnonzero(held)
    hit[flat[held]] = True
    lead = x.shape[:-2]
    values = gather(reshape(cast(diag, x.dtype), (*lead, -1)), Tensor(source), len(lead))
    return where(Tensor(hit.reshape(rows, cols)), reshape(values, x.shape), x)


# ------------------------------------------------------------------------------------------------
# Reductions: NaN-aware sums and means, medians, aminmax, logcumsumexp, trapz, histc, cov
# ------------------------------------------------------------------------------------------------


def _reduce_axis(op: str, axis: Any, ndim: int) -> Any:
    if axis is None:
        return None
    if isinstance(axis, list | tuple):
        return tuple(_axis(op, a, ndim) for a in axis)
    return _axis(op, axis, ndim)


def nansum(input: Any, axis: Any = None, keepdims: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over ``axis`` (all when None) with NaNs counted as zero.

    >>> ops.nansum(Tensor([1., float('nan'), 2.]))   # 3.0
    """
    x = _tensor("nansum", "input", input)
    if x.dtype.is_floating_point:
        x = where(isnan(x), zeros_like(x), x)
    if dtype is not None:
        x = cast(x, dtype)
    return sum_(x, _reduce_axis("nansum", axis, x.ndim), bool(keepdims))


def nanmean(input: Any, axis: Any = None, keepdims: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over ``axis`` of the elements that are not NaN (NaN where all are).

    >>> ops.nanmean(Tensor([1., float('nan'), 3.]))   # 2.0
    """
    x = _float_tensor("nanmean", "input", input)
    if dtype is not None:
        x = cast(x, dtype)
    axis = _reduce_axis("nanmean", axis, x.ndim)
    valid = logical_not(isnan(x))
    total = sum_(where(valid, x, zeros_like(x)), axis, bool(keepdims))
    count = sum_(cast(valid, x.dtype), axis, bool(keepdims))
    return div(total, count)


def _median_index(x: Tensor, axis: int, index: Tensor, keepdims: bool) -> tuple:
    """The sorted values and original positions at ``index`` (per slice) along ``axis``."""
    values, order = sort(x, axis)
    picked = gather_elements(values, axis, index)
    where_from = gather_elements(cast(order, dt.int64), axis, index)
    if not keepdims:
        picked, where_from = squeeze(picked, axis), squeeze(where_from, axis)
    return picked, where_from


def median(input: Any, axis: int = -1, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """The lower median along ``axis`` and where it is (int64): ``(values, indices)``; a slice
    holding a NaN has median NaN, at its first NaN.

    >>> ops.median(Tensor([[3., 1., 2., 4.]]))   # ([2.], [2])
    """
    x = _tensor("median", "input", input)
    if x.ndim == 0:
        return x, Tensor(np.asarray(0, np.int64))
    axis = _axis("median", axis, x.ndim)
    shape = x.shape[:axis] + (1,) + x.shape[axis + 1 :]
    index = Tensor(np.full(shape, (x.shape[axis] - 1) // 2, np.int64))
    values, where_from = _median_index(x, axis, index, True)
    if x.dtype.is_floating_point:  # a NaN anywhere in the slice is its median, as torch's
        nan = isnan(x)
        has_nan = greater(sum_(cast(nan, dt.int32), axis, True), 0)
        first_nan = cast(argmax(cast(nan, dt.int32), axis, True), dt.int64)
        values = where(has_nan, as_tensor(float("nan"), x.dtype), values)
        where_from = where(has_nan, first_nan, where_from)
    if not keepdims:
        values, where_from = squeeze(values, axis), squeeze(where_from, axis)
    return values, where_from


def nanmedian(input: Any, axis: int = -1, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """The lower median along ``axis`` of the elements that are not NaN (NaN where all are)
    and where it is: ``(values, indices)``."""
    x = _float_tensor("nanmedian", "input", input)
    if x.ndim == 0:
        return x, Tensor(np.asarray(0, np.int64))
    axis = _axis("nanmedian", axis, x.ndim)
    count = sum_(cast(logical_not(isnan(x)), dt.int64), axis, True)
    # sort puts NaNs last; the median of the k valid ones sits at (k - 1) // 2, and an
    # all-NaN slice picks its first NaN.
    index = where(greater(count, 0), floor(div(cast(sub(count, 1), dt.float32), 2.0)), 0.0)
    return _median_index(x, axis, cast(index, dt.int64), keepdims)


def msort(input: Any) -> Tensor:
    """``input`` sorted ascending along axis 0."""
    return sort(_tensor("msort", "input", input), 0)[0]


def aminmax(input: Any, *, axis: Any = 0, keepdims: bool = False) -> tuple[Tensor, Tensor]:
    """``(amin, amax)`` over ``axis`` (all axes when None).

    >>> ops.aminmax(Tensor([[1., 5.], [3., 2.]]), axis=1)   # ([1., 2.], [5., 3.])
    """
    x = _tensor("aminmax", "input", input)
    axis = None if axis is None else _axis("aminmax", axis, x.ndim)
    return amin(x, axis, bool(keepdims)), amax(x, axis, bool(keepdims))


def logcumsumexp(input: Any, axis: int) -> Tensor:
    """``log(cumsum(exp(input), axis))``, without overflow (the maximum is taken out first).

    >>> ops.logcumsumexp(Tensor([0., 0.]), 0)   # [0., log 2]
    """
    from mind.core._src.autodiff.eager import stop_gradient

    x = _float_tensor("logcumsumexp", "input", input)
    axis = _axis("logcumsumexp", axis, x.ndim)
    if x.ndim == 0:
        return x
    top = stop_gradient(amax(x, axis, True))
    top = where(logical_or(isnan(top), equal(abs(top), float("inf"))), zeros_like(top), top)
    return add(log(cumsum(exp(sub(x, top)), axis)), top)


def trapz(y: Any, x: Any = None, *, dx: float = 1.0, dim: int = -1) -> Tensor:
    """The trapezoidal-rule integral of ``y`` along ``dim``: sample points ``x`` (broadcast
    against ``y``, or 1-D along ``dim``), else the spacing ``dx``.

    >>> ops.trapz(Tensor([1., 2., 3.]))   # 4.0
    """
    y = _tensor("trapz", "y", y)
    if not y.dtype.is_floating_point:
        y = cast(y, dt.float32)
    dim = _axis("trapz", dim, y.ndim, "dim")
    n = y.shape[dim]
    lead = (_slice(None),) * dim
    pairs = add(getitem(y, (*lead, _slice(1, n))), getitem(y, (*lead, _slice(0, n - 1))))
    if x is None:
        return mul(sum_(pairs, dim), float(dx) / 2)
    x = cast(_tensor("trapz", "x", x), y.dtype)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise MindValueError(f"For 'trapz', 1-D 'x' must have {n} points, got {x.shape[0]}")
        x = reshape(x, (n,) + (1,) * (y.ndim - dim - 1))
        xd = _axis("trapz", dim - y.ndim, x.ndim, "dim") if x.ndim else 0
    else:
        xd = dim - y.ndim + x.ndim
    m = x.shape[xd]
    steps = sub(getitem(x, (*(_slice(None),) * xd, _slice(1, m))),
                getitem(x, (*(_slice(None),) * xd, _slice(0, m - 1))))  # fmt: skip
    return div(sum_(mul(pairs, steps), dim), 2.0)


def histc(input: Any, bins: int = 100, min: float = 0.0, max: float = 0.0) -> Tensor:
    """Counts of ``input``'s elements in ``bins`` equal bins over [``min``, ``max``] (the data's
    range when both are 0); elements outside are left out, ``max`` falls in the last bin.
    The counts are int32 for an int32 input, float32 otherwise (MindSpore's Histogram).

    >>> ops.histc(Tensor([1., 2., 1.]), bins=4, min=0., max=3.)   # [0., 2., 1., 0.]
    """
    x = _tensor("histc", "input", input)
    bins = I.check_int("histc", "bins", bins, minimum=1)
    for name, v in (("min", min), ("max", max)):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise MindTypeError(f"For 'histc', '{name}' must be a number, got {v!r}")
    if min > max:
        raise MindValueError(f"For 'histc', 'min' must not exceed 'max', got {min} > {max}")
    flat = cast(ravel(x), dt.float32 if not x.dtype.is_floating_point else x.dtype)
    if min == max and flat.shape[0]:
        lo, hi = amin(flat), amax(flat)
        same = equal(lo, hi)
        lo, hi = where(same, sub(lo, 1.0), lo), where(same, add(hi, 1.0), hi)
    else:
        lo, hi = as_tensor(float(min), flat.dtype), as_tensor(float(max), flat.dtype)
    inside = logical_and(greater_equal(flat, lo), less_equal(flat, hi))
    position = floor(div(mul(sub(flat, lo), float(bins)), sub(hi, lo)))
    position = cast(clip(position, 0.0, float(bins - 1)), dt.int64)
    hit = logical_and(equal(expand_dims(position, 1), Tensor(np.arange(bins))),
                      expand_dims(inside, 1))  # fmt: skip
    from mind.core._src.autodiff.eager import stop_gradient

    kind = dt.int32 if x.dtype is dt.int32 else dt.float32
    return stop_gradient(cast(sum_(cast(hit, dt.int64), 0), kind))


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the variables in ``input``'s rows (observations in columns),
    with integer frequency weights ``fweights`` and observation weights ``aweights``;
    ``correction=1`` is Bessel's correction.

    >>> ops.cov(Tensor([[0., 1., 2.], [2., 1., 0.]]))   # [[1., -1.], [-1., 1.]]
    """
    x = _tensor("cov", "input", input)
    if x.ndim > 2:
        raise MindValueError(f"For 'cov', 'input' must be at most 2-D, got {x.shape}")
    if not x.dtype.is_floating_point:
        x = cast(x, dt.float32)
    one_variable = x.ndim < 2
    if one_variable:
        x = reshape(x, (1, -1))
    n = x.shape[1]
    weight = aw = None
    if fweights is not None:
        fw = _tensor("cov", "fweights", fweights)
        if not fw.dtype.is_integer or fw.shape != (n,):
            raise MindValueError(f"For 'cov', 'fweights' must be ({n},) integers, got {fw.shape}")
        weight = cast(fw, x.dtype)
    if aweights is not None:
        aw = _tensor("cov", "aweights", aweights)
        if not aw.dtype.is_floating_point or aw.shape != (n,):
            raise MindValueError(f"For 'cov', 'aweights' must be ({n},) floats, got {aw.shape}")
        aw = cast(aw, x.dtype)
        weight = aw if weight is None else mul(weight, aw)
    if weight is None:
        w_sum = as_tensor(float(n), x.dtype)
        centered = sub(x, mean(x, 1, True))
        norm_ = sub(w_sum, float(correction))
        product = matmul(centered, _mT(centered))
    else:
        w_sum = sum_(weight)
        avg = div(sum_(mul(x, weight), 1, True), w_sum)
        centered = sub(x, avg)
        if aw is None or correction == 0:
            norm_ = sub(w_sum, float(correction))
        else:
            norm_ = sub(w_sum, div(mul(sum_(mul(weight, aw)), float(correction)), w_sum))
        product = matmul(mul(centered, weight), _mT(centered))
    norm_ = maximum(norm_, 0.0)
    out = div(product, norm_)
    return reshape(out, ()) if one_variable else out


def dist(input: Any, other: Any, p: float = 2) -> Tensor:
    """The ``p``-norm of ``input - other`` (after broadcasting) over all elements.

    >>> ops.dist(Tensor([0., 0.]), Tensor([3., 4.]))   # 5.0
    """
    x, y = _float_tensor("dist", "input", input), _float_tensor("dist", "other", other)
    if isinstance(p, bool) or not isinstance(p, int | float) or p < 0:
        raise MindValueError(f"For 'dist', 'p' must be a non-negative number, got {p!r}")
    diff = ravel(sub(x, y))
    if p == 0:
        return sum_(cast(greater(abs(diff), 0.0), x.dtype))
    if p == float("inf"):
        return amax(abs(diff))
    if p == 1:
        return sum_(abs(diff))
    return pow(sum_(pow(abs(diff), float(p))), 1.0 / float(p))


def renorm(input: Any, p: Any, axis: int, maxnorm: Any) -> Tensor:
    """``input`` with each slice along ``axis`` whose ``p``-norm exceeds ``maxnorm`` scaled down
    to that norm.

    >>> ops.renorm(Tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.0)   # [[0.6, 0.8], [0.3, 0.4]]
    """
    x = _tensor("renorm", "input", input)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise MindTypeError(f"For 'renorm', 'input' must be a float or complex tensor: {x.dtype}")
    if isinstance(p, bool) or not isinstance(p, int | float) or p <= 0:
        raise MindValueError(f"For 'renorm', 'p' must be a positive number, got {p!r}")
    if isinstance(maxnorm, bool) or not isinstance(maxnorm, int | float) or maxnorm < 0:
        raise MindValueError(f"For 'renorm', 'maxnorm' must be a non-negative float: {maxnorm!r}")
    axis = _axis("renorm", axis, x.ndim)
    others = tuple(i for i in _range(x.ndim) if i != axis)
    norms = pow(sum_(pow(abs(x), float(p)), others, True), 1.0 / float(p))
    scale = where(greater(norms, float(maxnorm)), div(float(maxnorm), add(norms, 1e-7)), 1.0)
    return mul(x, scale)


# ------------------------------------------------------------------------------------------------
# Sequences: reverse_sequence, sequence_mask, combinations, intopk
# ------------------------------------------------------------------------------------------------


def reverse_sequence(x: Any, seq_lengths: Any, seq_dim: int, batch_dim: int = 0) -> Tensor:
    """For each batch entry ``b`` (along ``batch_dim``), its first ``seq_lengths[b]`` elements
    along ``seq_dim`` reversed, the rest unchanged.

    >>> ops.reverse_sequence(Tensor([[1, 2, 3]]), Tensor([2]), 1)   # [[2, 1, 3]]
    """
    x = _tensor("reverse_sequence", "x", x)
    lengths = _tensor("reverse_sequence", "seq_lengths", seq_lengths)
    if not lengths.dtype.is_integer or lengths.ndim != 1:
        raise MindTypeError(
            f"For 'reverse_sequence', 'seq_lengths' must be a 1-D int tensor, got "
            f"{lengths.dtype} {lengths.shape}"
        )
    sd, bd = (
        _axis("reverse_sequence", seq_dim, x.ndim),
        _axis("reverse_sequence", batch_dim, x.ndim),
    )
    if sd == bd:
        raise MindValueError("For 'reverse_sequence', 'seq_dim' and 'batch_dim' must differ")
    if lengths.shape[0] != x.shape[bd]:
        raise MindValueError(
            f"For 'reverse_sequence', 'seq_lengths' must have {x.shape[bd]} entries, got "
            f"{lengths.shape[0]}"
        )
    shape_b = [1] * x.ndim
    shape_b[bd] = -1
    shape_s = [1] * x.ndim
    shape_s[sd] = -1
    n = reshape(cast(lengths, dt.int64), shape_b)
    j = reshape(Tensor(np.arange(x.shape[sd], dtype=np.int64)), shape_s)
    index = where(less(j, n), sub(sub(n, 1), j), j)
    return gather_elements(x, sd, broadcast_to(index, x.shape))


def sequence_mask(lengths: Any, maxlen: int | None = None) -> Tensor:
    """``mask[..., j] = j < lengths[...]`` (bool), ``maxlen`` positions (the largest length
    when None: then eager only).

    >>> ops.sequence_mask(Tensor([1, 3]), 3)   # [[T, F, F], [T, T, T]]
    """
    lengths = _tensor("sequence_mask", "lengths", lengths)
    if not lengths.dtype.is_integer:
        raise MindTypeError(f"For 'sequence_mask', 'lengths' must be integers, got {lengths.dtype}")
    if maxlen is None:
        values = _concrete("sequence_mask", lengths, "'lengths' (maxlen=None)")
        maxlen = int(values.max()) if values.size else 0
    else:
        maxlen = I.check_int("sequence_mask", "maxlen", maxlen, minimum=1)
    return less(Tensor(np.arange(maxlen, dtype=np.int64)), expand_dims(cast(lengths, dt.int64), -1))


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Tensor:
    """Every length-``r`` combination of the 1-D ``input``'s elements, one per row, in
    itertools order.

    >>> ops.combinations(Tensor([1, 2, 3]))   # [[1, 2], [1, 3], [2, 3]]
    """
    x = _tensor("combinations", "input", input)
    if x.ndim != 1:
        raise MindValueError(f"For 'combinations', 'input' must be 1-D, got shape {x.shape}")
    r = I.check_int("combinations", "r", r, minimum=0)
    pick = (itertools.combinations_with_replacement if with_replacement
            else itertools.combinations)  # fmt: skip
    if r == 0:  # torch's answer for the one empty combination
        return zeros((0,), x.dtype)
    index = np.asarray(list(pick(_range(x.shape[0]), r)), np.int64).reshape(-1, r)
    if index.size == 0:
        return zeros((0, r), x.dtype)
    return gather(x, Tensor(index), 0)


def intopk(x1: Any, x2: Any, k: int) -> Tensor:
    """For each row ``i`` of ``x1`` (N, C), whether class ``x2[i]`` is among its ``k`` largest
    (fewer than ``k`` values larger than it).

    >>> ops.intopk(Tensor([[1., 3., 2.]]), Tensor([2], mind.core.int32), 2)   # [True]
    """
    scores, target = _float_tensor("intopk", "x1", x1), _tensor("intopk", "x2", x2)
    if scores.ndim != 2 or target.ndim != 1 or target.shape[0] != scores.shape[0]:
        raise MindValueError(
            f"For 'intopk', 'x1' must be (N, C) and 'x2' (N,), got {scores.shape} and "
            f"{target.shape}"
        )
    if not target.dtype.is_integer:
        raise MindTypeError(f"For 'intopk', 'x2' must be an int tensor, got {target.dtype}")
    k = I.check_int("intopk", "k", k)
    picked = gather_elements(scores, 1, expand_dims(cast(target, dt.int64), 1))
    larger = sum_(cast(greater(scores, picked), dt.int32), 1)
    return less(larger, k)


# ------------------------------------------------------------------------------------------------
# Space-to-batch reshuffles
# ------------------------------------------------------------------------------------------------


def _pairs(op: str, name: str, value: Any, m: int) -> list[tuple[int, int]]:
    rows = np.asarray(value.asnumpy() if isinstance(value, Tensor) else value)
    if rows.shape != (m, 2) or rows.dtype.kind not in "iu" or (rows < 0).any():
        raise MindValueError(
            f"For '{op}', '{name}' must be {m} pairs of non-negative ints, got {value!r}"
        )
    return [(int(a), int(b)) for a, b in rows]


def _block_shape(op: str, value: Any, name: str) -> list[int]:
    blocks = _int_list(op, name, value)
    if not blocks or builtins.min(blocks) < 1:
        raise MindValueError(f"For '{op}', '{name}' must be positive ints, got {value!r}")
    return blocks


def space_to_batch_nd(input_x: Any, block_size: Any, paddings: Any) -> Tensor:
    """Pad the spatial axes (the ``m`` after the batch axis), cut each into ``block_size``
    blocks and move the offsets within a block into the batch: (N, H, W, ...) becomes
    (N * bh * bw, (H + pads) / bh, (W + pads) / bw, ...).

    >>> ops.space_to_batch_nd(ops.ones((1, 1, 2, 2)), (2, 2), ((0, 0), (0, 0))).shape
    (4, 1, 1, 1)
    """
    x = _tensor("space_to_batch_nd", "input_x", input_x)
    blocks = _block_shape("space_to_batch_nd", block_size, "block_size")
    m = len(blocks)
    if isinstance(block_size, int):  # one int: every spatial axis that 'paddings' names
        m = len(np.asarray(paddings.asnumpy() if isinstance(paddings, Tensor) else paddings))
        blocks = blocks * m
    # MindSpore's layout: (N, C, spatial...) with the blocks over the trailing m axes.
    pads = _pairs("space_to_batch_nd", "paddings", paddings, m)
    if x.ndim < m + 1:
        raise MindValueError(f"For 'space_to_batch_nd', 'input_x' needs {m} spatial axes")
    first = x.ndim - m
    flat_pads = [(0, 0)] * first + pads
    padded = pad(x, tuple(v for p in reversed(flat_pads) for v in p))
    spatial = padded.shape[first:]
    for s, b in zip(spatial, blocks, strict=True):
        if s % b:
            raise MindValueError(
                f"For 'space_to_batch_nd', padded spatial size {s} is not divisible by {b}"
            )
    n, rest = padded.shape[0], padded.shape[1:first]
    split = []
    for s, b in zip(spatial, blocks, strict=True):
        split += [s // b, b]
    y = reshape(padded, (n, *rest, *split))
    r = len(rest)
    block_axes = [1 + r + 2 * i + 1 for i in _range(m)]
    outer_axes = [1 + r + 2 * i for i in _range(m)]
    y = transpose(y, (*block_axes, 0, *_range(1, 1 + r), *outer_axes))
    return reshape(
        y,
        (n * int(np.prod(blocks)), *rest, *(s // b for s, b in zip(spatial, blocks, strict=True))),
    )


def batch_to_space_nd(input_x: Any, block_shape: Any, crops: Any) -> Tensor:
    """The inverse of :func:`space_to_batch_nd`: move the batch's block offsets back into the
    spatial axes and cut ``crops`` off them.

    >>> ops.batch_to_space_nd(ops.ones((4, 1, 1, 1)), (2, 2), ((0, 0), (0, 0))).shape
    (1, 1, 2, 2)
    """
    x = _tensor("batch_to_space_nd", "input_x", input_x)
    blocks = _block_shape("batch_to_space_nd", block_shape, "block_shape")
    m = len(blocks)
    if isinstance(block_shape, int):
        m = len(np.asarray(crops.asnumpy() if isinstance(crops, Tensor) else crops))
        blocks = blocks * m
    cuts = _pairs("batch_to_space_nd", "crops", crops, m)
    first = x.ndim - m
    if first < 1:
        raise MindValueError(f"For 'batch_to_space_nd', 'input_x' needs {m} spatial axes")
    prod = int(np.prod(blocks))
    if x.shape[0] % prod:
        raise MindValueError(
            f"For 'batch_to_space_nd', the batch {x.shape[0]} is not divisible by {prod}"
        )
    n, rest, spatial = x.shape[0] // prod, x.shape[1:first], x.shape[first:]
    r = len(rest)
    y = reshape(x, (*blocks, n, *rest, *spatial))
    # axes now: blocks (m), n, rest (r), spatial (m) -> n, rest, (spatial_i, block_i)...
    order = [m, *_range(m + 1, m + 1 + r)]
    for i in _range(m):
        order += [m + 1 + r + i, i]
    y = reshape(
        transpose(y, order), (n, *rest, *(s * b for s, b in zip(spatial, blocks, strict=True)))
    )
    index = [_slice(None)] * (1 + r)
    for (lo, hi), s, b in zip(cuts, spatial, blocks, strict=True):
        if lo + hi > s * b:
            raise MindValueError(f"For 'batch_to_space_nd', crops {cuts} exceed the size")
        index.append(_slice(lo, s * b - hi))
    return getitem(y, tuple(index))


# ------------------------------------------------------------------------------------------------
# Boxes: encode, decode, validity, IoU
# ------------------------------------------------------------------------------------------------


def _boxes(op: str, name: str, value: Any, floating: bool = True) -> Tensor:
    b = _float_tensor(op, name, value) if floating else _tensor(op, name, value)
    if b.ndim != 2 or b.shape[1] != 4:
        raise MindValueError(f"For '{op}', '{name}' must be (n, 4) boxes, got shape {b.shape}")
    return b


def _corners(b: Tensor) -> list[Tensor]:
    return [getitem(b, (_slice(None), i)) for i in _range(4)]


def _four(op: str, name: str, value: Any) -> list[float]:
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise MindValueError(f"For '{op}', '{name}' must be 4 floats, got {value!r}")
    return [float(v) for v in value]


def bounding_box_encode(
    anchor_box: Any,
    groundtruth_box: Any,
    means: Any = (0.0, 0.0, 0.0, 0.0),
    stds: Any = (1.0, 1.0, 1.0, 1.0),
) -> Tensor:
    """The deltas (dx, dy, dw, dh) that move each anchor box (x1, y1, x2, y2) onto its ground
    truth box, normalized by ``means`` and ``stds`` (box widths count pixels: x2 - x1 + 1).

    Supported devices: cpu, native.
    """
    ax1, ay1, ax2, ay2 = _corners(_boxes("bounding_box_encode", "anchor_box", anchor_box))
    gx1, gy1, gx2, gy2 = _corners(_boxes("bounding_box_encode", "groundtruth_box", groundtruth_box))
    means, stds = (
        _four("bounding_box_encode", "means", means),
        _four("bounding_box_encode", "stds", stds),
    )
    pw, ph = add(sub(ax2, ax1), 1.0), add(sub(ay2, ay1), 1.0)
    gw, gh = add(sub(gx2, gx1), 1.0), add(sub(gy2, gy1), 1.0)
    px, py = mul(add(ax1, ax2), 0.5), mul(add(ay1, ay2), 0.5)
    gx, gy = mul(add(gx1, gx2), 0.5), mul(add(gy1, gy2), 0.5)
    deltas = [div(sub(gx, px), pw), div(sub(gy, py), ph), log(div(gw, pw)), log(div(gh, ph))]
    return stack([div(sub(d, m), s) for d, m, s in zip(deltas, means, stds, strict=True)], 1)


def bounding_box_decode(
    anchor_box: Any,
    deltas: Any,
    max_shape: Any,
    means: Any = (0.0, 0.0, 0.0, 0.0),
    stds: Any = (1.0, 1.0, 1.0, 1.0),
    wh_ratio_clip: float = 0.016,
) -> Tensor:
    """The boxes the ``deltas`` move the anchors to (the inverse of
    :func:`bounding_box_encode`), the log-size deltas clipped to ``|log(wh_ratio_clip)|`` and
    the corners to the image ``max_shape`` (height, width).

    Supported devices: cpu, native.
    """
    op = "bounding_box_decode"
    ax1, ay1, ax2, ay2 = _corners(_boxes(op, "anchor_box", anchor_box))
    d = _corners(_boxes(op, "deltas", deltas))
    means, stds = _four(op, "means", means), _four(op, "stds", stds)
    if not isinstance(max_shape, list | tuple) or len(max_shape) < 2:
        raise MindValueError(f"For '{op}', 'max_shape' must be (height, width), got {max_shape!r}")
    height, width = float(max_shape[0]), float(max_shape[1])
    dx, dy, dw, dh = (add(mul(v, s), m) for v, m, s in zip(d, means, stds, strict=True))
    limit = builtins.abs(math.log(wh_ratio_clip))
    dw, dh = clip(dw, -limit, limit), clip(dh, -limit, limit)
    px, py = mul(add(ax1, ax2), 0.5), mul(add(ay1, ay2), 0.5)
    pw, ph = add(sub(ax2, ax1), 1.0), add(sub(ay2, ay1), 1.0)
    gx, gy = add(px, mul(pw, dx)), add(py, mul(ph, dy))
    half_w, half_h = mul(mul(pw, exp(dw)), 0.5), mul(mul(ph, exp(dh)), 0.5)
    x1 = clip(add(sub(gx, half_w), 0.5), 0.0, width)
    y1 = clip(add(sub(gy, half_h), 0.5), 0.0, height)
    x2 = clip(sub(add(gx, half_w), 0.5), 0.0, width)
    y2 = clip(sub(add(gy, half_h), 0.5), 0.0, height)
    return stack([x1, y1, x2, y2], 1)


def check_valid(bboxes: Any, img_metas: Any) -> Tensor:
    """Whether each box (x1, y1, x2, y2) lies inside the image ``img_metas`` = (height, width,
    ratio): x1, y1 >= 0, x2 <= width * ratio - 1, y2 <= height * ratio - 1.

    Supported devices: cpu, native.
    """
    boxes = _boxes("check_valid", "bboxes", bboxes, floating=False)
    # Integer boxes (int16, uint8) compare in float, as the image bound is fractional.
    x1, y1, x2, y2 = _corners(cast(boxes, dt.float32) if boxes.dtype.is_integer else boxes)
    meta = _tensor("check_valid", "img_metas", img_metas)
    if meta.shape != (3,):
        raise MindValueError(f"For 'check_valid', 'img_metas' must be (3,), got {meta.shape}")
    meta = cast(meta, x1.dtype)
    h, w, ratio = (getitem(meta, i) for i in _range(3))
    ok_low = logical_and(greater_equal(x1, 0.0), greater_equal(y1, 0.0))
    ok_high = logical_and(
        less_equal(x2, sub(mul(w, ratio), 1.0)), less_equal(y2, sub(mul(h, ratio), 1.0))
    )
    return logical_and(ok_low, ok_high)


def iou(anchor_boxes: Any, gt_boxes: Any, mode: str = "iou") -> Tensor:
    """Intersection over union (``mode='iou'``) or over the ground-truth area (``'iof'``) of
    every ground-truth box with every anchor, shape (m_gt, n_anchor); widths count pixels.

    >>> ops.iou(Tensor([[0., 0., 1., 1.]]), Tensor([[0., 0., 1., 1.]]))   # [[1.]]

    Supported devices: cpu, native.
    """
    if mode not in ("iou", "iof"):
        raise MindValueError(f"For 'iou', 'mode' must be 'iou' or 'iof', got {mode!r}")
    a = [expand_dims(c, 0) for c in _corners(_boxes("iou", "anchor_boxes", anchor_boxes))]
    g = [expand_dims(c, 1) for c in _corners(_boxes("iou", "gt_boxes", gt_boxes))]
    w = maximum(add(sub(minimum(a[2], g[2]), maximum(a[0], g[0])), 1.0), 0.0)
    h = maximum(add(sub(minimum(a[3], g[3]), maximum(a[1], g[1])), 1.0), 0.0)
    overlap = mul(w, h)
    area_a = mul(add(sub(a[2], a[0]), 1.0), add(sub(a[3], a[1]), 1.0))
    area_g = mul(add(sub(g[2], g[0]), 1.0), add(sub(g[3], g[1]), 1.0))
    if mode == "iof":
        return div(overlap, add(area_g, 1e-10))
    return div(overlap, add(sub(add(area_a, area_g), overlap), 1e-10))


# ------------------------------------------------------------------------------------------------
# Decompositions: logdet, cholesky_solve, lu_unpack, lu_solve, logspace, svd
# ------------------------------------------------------------------------------------------------


def logdet(input: Any) -> Tensor:
    """``log(det(input))`` of each square matrix: NaN where the determinant is negative, -inf
    where it is zero.

    >>> ops.logdet(Tensor([[2., 0.], [0., 3.]]))   # log 6
    """
    sign, logabs = slogdet(input)
    return where(less(sign, 0.0), as_tensor(float("nan"), logabs.dtype), logabs)


def cholesky_solve(input: Any, input2: Any, upper: bool = False) -> Tensor:
    """The solution ``X`` of ``A X = input`` from ``A``'s Cholesky factor ``input2`` (lower:
    ``A = L L^T``; ``upper=True``: ``A = U^T U``).

    Supported devices: cpu.
    """
    b = _float_tensor("cholesky_solve", "input", input)
    factor = _float_tensor("cholesky_solve", "input2", input2)
    if factor.ndim < 2 or factor.shape[-1] != factor.shape[-2] or b.ndim != factor.ndim:
        raise MindValueError(
            f"For 'cholesky_solve', 'input2' must be square matrices and 'input' of the same "
            f"rank, got {factor.shape} and {b.shape}"
        )
    low = _mT(factor) if upper else factor
    return matrix_solve(low, matrix_solve(low, b), adjoint=True)


def _permutation_from_pivots(pivots: np.ndarray, n: int) -> np.ndarray:
    """The row order that LAPACK's 1-based row swaps (``pivots``) produce, for each batch."""
    batch = pivots.shape[:-1]
    order = np.broadcast_to(np.arange(n), (*batch, n)).copy()
    flat_order = order.reshape(-1, n)
    flat_pivots = pivots.reshape(-1, pivots.shape[-1]) - 1
    for b in _range(flat_order.shape[0]):
        for i, p in enumerate(flat_pivots[b]):
            flat_order[b, i], flat_order[b, p] = flat_order[b, p], flat_order[b, i]
    return flat_order.reshape(*batch, n)


def lu_unpack(
    LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True
) -> tuple[Tensor, Tensor, Tensor]:
    """``(P, L, U)`` from a packed LU factorization: ``LU_data`` holds unit-lower ``L`` below
    the diagonal and ``U`` on and above it, ``LU_pivots`` LAPACK's 1-based row swaps (eager:
    the permutation is built from their values); ``A = P @ L @ U``.

    Supported devices: cpu.
    """
    lu = _tensor("lu_unpack", "LU_data", LU_data)
    piv = _tensor("lu_unpack", "LU_pivots", LU_pivots)
    if lu.ndim < 2:
        raise MindValueError(f"For 'lu_unpack', 'LU_data' must be at least 2-D, got {lu.shape}")
    if not piv.dtype.is_integer:
        raise MindTypeError(f"For 'lu_unpack', 'LU_pivots' must be integers, got {piv.dtype}")
    m, n = lu.shape[-2:]
    k = builtins.min(m, n)
    if piv.shape != (*lu.shape[:-2], k):
        raise MindValueError(
            f"For 'lu_unpack', 'LU_pivots' must have shape {(*lu.shape[:-2], k)}, got {piv.shape}"
        )
    from mind.core._src.ops.array import tril, triu

    if unpack_data:
        low = getitem(tril(lu, -1), (..., _slice(None), _slice(0, k)))
        low = add(low, Tensor(np.eye(m, k, dtype=lu.dtype.np)))
        up = getitem(triu(lu), (..., _slice(0, k), _slice(None)))
    else:
        low, up = zeros((0,), lu.dtype), zeros((0,), lu.dtype)
    if unpack_pivots:
        values = _concrete("lu_unpack", piv, "'LU_pivots'")
        if values.size and (values.min() < 1 or values.max() > m):
            raise MindValueError(f"For 'lu_unpack', 'LU_pivots' must lie in [1, {m}]")
        order = _permutation_from_pivots(values, m)
        perm = np.zeros((*order.shape, m), lu.dtype.np)
        np.put_along_axis(perm, order[..., None], 1, -1)
        perm = Tensor(np.swapaxes(perm, -1, -2).copy())
    else:
        perm = zeros((0,), lu.dtype)
    return perm, low, up


def lu_solve(b: Any, LU_data: Any, LU_pivots: Any) -> Tensor:
    """The solution ``y`` of ``A y = b`` from ``A``'s packed LU factorization (``LU_data``,
    1-based ``LU_pivots``, as :func:`lu_unpack` reads them).

    Supported devices: cpu.
    """
    b = _float_tensor("lu_solve", "b", b)
    perm, low, up = lu_unpack(LU_data, LU_pivots)
    return matrix_solve(up, matrix_solve(low, matmul(_mT(perm), cast(b, low.dtype))))


def logspace(
    start: Any, end: Any, steps: int, base: int = 10, *, dtype: Any = dt.float32
) -> Tensor:
    """``steps`` numbers ``base ** e`` for ``e`` evenly spaced over [``start``, ``end``] (numbers,
    or 0-D tensors: then traceable and differentiable in them).

    >>> ops.logspace(0., 2., 3)   # [1., 10., 100.]
    """
    steps = I.check_int("logspace", "steps", steps, minimum=0)
    if isinstance(base, bool) or not isinstance(base, int | float):
        raise MindTypeError(f"For 'logspace', 'base' must be a number, got {base!r}")
    kind = dt.to_dtype(dtype)
    for name, v in (("start", start), ("end", end)):
        if isinstance(v, Tensor):
            if v.ndim:
                raise MindValueError(f"For 'logspace', '{name}' must be 0-D, got {v.shape}")
        elif isinstance(v, bool) or not isinstance(v, int | float):
            raise MindTypeError(f"For 'logspace', '{name}' must be a number, got {v!r}")
    if not isinstance(start, Tensor) and not isinstance(end, Tensor):
        exponents = np.linspace(float(start), float(end), steps, dtype=np.float64)
        return Tensor(np.power(float(base), exponents).astype(kind.np))
    lo, hi = (cast(as_tensor(v), dt.float64) for v in (start, end))
    fraction = Tensor(np.linspace(0.0, 1.0, steps) if steps > 1 else np.zeros(steps))
    return cast(pow(float(base), add(lo, mul(sub(hi, lo), fraction))), kind)


# The singular vectors with their gradients. The gradient of a reduced SVD A = U S V^T is
# linear in the cotangents (dU, dS, dV) (Townsend 2016, "Differentiating the SVD"), so U and V
# are two primitives whose bprops add up with the singular values' own; real matrices with
# distinct singular values.


def _svd_np(x: np.ndarray, full: bool) -> tuple:
    wide = x.astype(np.float64) if x.dtype == np.float16 else x
    u, s, vh = np.linalg.svd(wide, full_matrices=full)
    return u.astype(x.dtype), s.astype(x.dtype), vh.astype(x.dtype)


def _svd_vec_infer(side: str):
    def infer(x: ShapedArray, *, full_matrices: bool = False) -> ShapedArray:
        if x.ndim < 2:
            raise I.fail("svd", f"'input' must be at least 2-D (..., m, n), got shape {x.shape}")
        I.require_float("svd", "input", x)
        *batch, m, n = x.shape
        k = builtins.min(m, n)
        if side == "u":
            return ShapedArray((*batch, m, m if full_matrices else k), x.dtype)
        return ShapedArray((*batch, n, n if full_matrices else k), x.dtype)

    return infer


def _inverse_gaps(s: Tensor) -> Tensor:
    """F[i, j] = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it."""
    sq = mul(s, s)
    gap = sub(expand_dims(sq, -2), expand_dims(sq, -1))
    k = s.shape[-1]
    eye = Tensor(np.eye(k, dtype=bool))
    return where(eye, zeros_like(gap), reciprocal(where(eye, 1.0, gap)))


def _left_bprop(x: Tensor, out: Tensor, dout: Tensor, *, full_matrices: bool) -> tuple:
    u, s, v = _svd_values(x)
    f = _inverse_gaps(s)
    ut_du = matmul(_mT(u), dout)
    inner = mul(mul(f, sub(ut_du, _mT(ut_du))), expand_dims(s, -2))
    da = matmul(matmul(u, inner), _mT(v))
    m = x.shape[-2]
    if m > s.shape[-1]:  # the part of dU outside U's column space
        eye = Tensor(np.eye(m, dtype=x.dtype.np))
        proj = sub(eye, matmul(u, _mT(u)))
        da = add(da, matmul(matmul(proj, div(dout, expand_dims(s, -2))), _mT(v)))
    return (da,)


def _right_bprop(x: Tensor, out: Tensor, dout: Tensor, *, full_matrices: bool) -> tuple:
    u, s, v = _svd_values(x)
    f = _inverse_gaps(s)
    vt_dv = matmul(_mT(v), dout)
    inner = mul(expand_dims(s, -1), mul(f, sub(vt_dv, _mT(vt_dv))))
    da = matmul(matmul(u, inner), _mT(v))
    n = x.shape[-1]
    if n > s.shape[-1]:
        eye = Tensor(np.eye(n, dtype=x.dtype.np))
        proj = sub(eye, matmul(v, _mT(v)))
        da = add(da, matmul(div(u, expand_dims(s, -2)), matmul(_mT(dout), proj)))
    return (da,)


def _svd_values(x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """U, S, V of the reduced SVD, not differentiated (what the bprops read)."""
    from mind.core._src.autodiff.eager import stop_gradient

    x = stop_gradient(x)
    return (
        bind1(svd_left_p, x, {"full_matrices": False}),
        svdvals(x),
        bind1(svd_right_p, x, {"full_matrices": False}),
    )


svd_left_p = primitive(
    "svd_left_vectors",
    cpu=lambda x, *, full_matrices=False: _svd_np(x, full_matrices)[0],
    infer=_svd_vec_infer("u"),
    bprop=_left_bprop,
    attrs=("full_matrices",),
)
svd_right_p = primitive(
    "svd_right_vectors",
    cpu=lambda x, *, full_matrices=False: np.swapaxes(_svd_np(x, full_matrices)[2], -1, -2).copy(),
    infer=_svd_vec_infer("v"),
    bprop=_right_bprop,
    attrs=("full_matrices",),
)


def _svd_example(c: Any, side: int) -> tuple:
    # Well-separated singular values keep the finite differences away from the gaps' poles.
    q1, _ = np.linalg.qr(c.r(4, 4))
    q2, _ = np.linalg.qr(c.r(3, 3))
    a = q1[:, :3] @ np.diag([3.0, 2.0, 1.0]) @ q2.T
    return ([a.astype(np.float32)], {"full_matrices": False}, lambda x: _gauge(x, side))


def _gauge(x: np.ndarray, side: int) -> np.ndarray:
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return u if side == 0 else np.swapaxes(vh, -1, -2)


S.attr_schema(svd_left_p, full_matrices=S.Bool())
S.attr_schema(svd_right_p, full_matrices=S.Bool())
example(svd_left_p, lambda c: _svd_example(c, 0))
example(svd_right_p, lambda c: _svd_example(c, 1))


def svd(input: Any, full_matrices: bool = False, compute_uv: bool = True) -> Any:
    """The singular value decomposition ``input = U diag(S) V^H`` of each (..., m, n) matrix:
    ``(s, u, v)`` (note ``v``, not ``v^H``), or ``s`` alone with ``compute_uv=False``. ``u`` is
    (..., m, k) and ``v`` (..., n, k), k = min(m, n); with ``full_matrices`` (..., m, m) and
    (..., n, n). Gradients flow through all three for the reduced form (distinct singular
    values); full matrices' extra columns are not differentiated.

    >>> s, u, v = ops.svd(Tensor([[3., 0.], [0., 2.]]))   # s = [3., 2.]

    Supported devices: cpu.
    """
    x = _float_tensor("svd", "input", input)
    if x.ndim < 2:
        raise MindValueError(f"For 'svd', 'input' must be at least 2-D, got shape {x.shape}")
    s = svdvals(x)
    if not compute_uv:
        return s
    attrs = {"full_matrices": bool(full_matrices)}
    m, n = x.shape[-2:]
    if full_matrices and m != n:
        from mind.core._src.autodiff.eager import stop_gradient

        frozen = stop_gradient(x)
        return s, bind1(svd_left_p, frozen, attrs), bind1(svd_right_p, frozen, attrs)
    return s, bind1(svd_left_p, x, attrs), bind1(svd_right_p, x, attrs)
