"""MindSpore's Primitive-class operators over ``misc_ops`` and the linear-algebra factorizations
(see ops.operations: each class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import linalg as L
from mind.core._src.ops import math_ops as M
from mind.core._src.ops import misc_ops as X
from mind.core._src.ops import pooling
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _same
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

for _name, _fn in {
    "Geqrf": L.geqrf,
    "Orgqr": L.orgqr,
}.items():
    _same(_name, _fn)


# ------------------------------------------------------------------------------------------------
# Linear algebra
# ------------------------------------------------------------------------------------------------


@_calls(L.eig)
def _eig(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor]:
    """MindSpore's Eig: the eigenvectors only with ``compute_v``, an empty tensor otherwise."""
    if not isinstance(op.compute_v, bool):
        raise MindTypeError(f"For 'Eig', 'compute_v' must be a bool, got {op.compute_v!r}")
    if op.compute_v:
        return L.eig(x)
    values = L.eigvals(x)
    return values, Tensor([], values.dtype)


_define("Eig", _eig, compute_v=False)
_define(
    "Ormqr",
    _calls(L.ormqr)(lambda op, x, tau, other: L.ormqr(x, tau, other, op.left, op.transpose)),
    left=True,
    transpose=False,
)


# ------------------------------------------------------------------------------------------------
# Activations, indexing and masked writes
# ------------------------------------------------------------------------------------------------

_define("GLU", _calls(M.glu)(lambda op, x: M.glu(x, op.axis)), axis=-1)


@_calls(Tensor.index_put)
def _index_put(op: PrimitiveClass, x1: Any, x2: Any, indices: Any) -> Tensor:
    """MindSpore's IndexPut: ``x1[indices] = x2`` on a copy (added with ``accumulate=1``);
    ``indices`` a tuple or list of 1-D int tensors, one per leading axis."""
    if op.accumulate not in (0, 1) or isinstance(op.accumulate, bool):
        raise MindValueError(f"For 'IndexPut', 'accumulate' must be 0 or 1, got {op.accumulate!r}")
    x1, x2 = as_tensor(x1), as_tensor(x2)
    if x1.dtype != x2.dtype:
        raise MindTypeError(f"For 'IndexPut', 'x2' must have x1's dtype {x1.dtype}, got {x2.dtype}")
    if x2.ndim != 1:
        raise MindValueError(f"For 'IndexPut', 'x2' must be 1-D, got shape {x2.shape}")
    if not isinstance(indices, list | tuple) or not indices:
        raise MindTypeError(
            f"For 'IndexPut', 'indices' must be a tuple or list of Tensors, got {indices!r}"
        )
    indices = tuple(as_tensor(i) for i in indices)
    if len(indices) > x1.ndim:
        raise MindValueError(
            f"For 'IndexPut', {len(indices)} index tensors are more than x1's rank {x1.ndim}"
        )
    for i in indices:
        if i.dtype.name not in ("int32", "int64") or i.ndim != 1:
            raise MindTypeError(
                f"For 'IndexPut', each index must be a 1-D int32 or int64 Tensor, got "
                f"{i.dtype} of shape {i.shape}"
            )
    return x1.index_put(indices, x2, bool(op.accumulate))


_define("IndexPut", _index_put, accumulate=0)


@_calls(Tensor.masked_scatter)
def _masked_scatter(op: PrimitiveClass, x: Any, mask: Any, updates: Any) -> Tensor:
    x, mask = as_tensor(x), as_tensor(mask)
    if mask.dtype != dt.bool_:
        raise MindTypeError(f"For 'MaskedScatter', 'mask' must be bool, got {mask.dtype}")
    if mask.ndim > x.ndim:
        raise MindTypeError(
            f"For 'MaskedScatter', 'mask' has rank {mask.ndim}, more than x's {x.ndim}"
        )
    return x.masked_scatter(mask, updates)


_define("MaskedScatter", _masked_scatter)


# ------------------------------------------------------------------------------------------------
# Sequences, histograms, pooling
# ------------------------------------------------------------------------------------------------

_define(
    "EditDistance",
    _calls(X.edit_distance)(
        lambda op, h_idx, h_val, h_shape, t_idx, t_val, t_shape: X.edit_distance(
            h_idx, h_val, h_shape, t_idx, t_val, t_shape, op.normalize
        )
    ),
    normalize=True,
)
_define(
    "NoRepeatNGram",
    _calls(X.no_repeat_ngram)(
        lambda op, state_seq, log_probs: X.no_repeat_ngram(state_seq, log_probs, op.ngram_size)
    ),
    ngram_size=1,
)


@_calls(X.histogram_fixed_width)
def _histogram_fixed_width(op: PrimitiveClass, x: Any, range: Any) -> Tensor:
    if op.dtype != "int32":
        raise MindValueError(
            f"For 'HistogramFixedWidth', 'dtype' must be 'int32', got {op.dtype!r}"
        )
    return X.histogram_fixed_width(x, range, op.nbins)


_define("HistogramFixedWidth", _histogram_fixed_width, nbins=_REQUIRED, dtype="int32")


def _three(op: str, name: str, value: Any) -> tuple[int, int, int]:
    values = (value,) * 3 if isinstance(value, int) else tuple(value)
    if len(values) != 3 or not all(isinstance(v, int) and v > 0 for v in values):
        raise MindValueError(
            f"For '{op}', '{name}' must be a positive int or 3 of them, got {value!r}"
        )
    return values  # type: ignore[return-value]


@_calls(pooling.fractional_max_pool3d)
def _fractional_max_pool3d(op: PrimitiveClass, x: Any, random_samples: Any) -> tuple:
    """MindSpore's FractionalMaxPool3DWithFixedKsize: ``(y, argmax)``, NCDHW or NDHWC."""
    name = "FractionalMaxPool3DWithFixedKsize"
    if op.data_format not in ("NCDHW", "NDHWC"):
        raise MindValueError(
            f"For '{name}', 'data_format' must be 'NCDHW' or 'NDHWC', got {op.data_format!r}"
        )
    ksize, size = _three(name, "ksize", op.ksize), _three(name, "output_shape", op.output_shape)
    x = as_tensor(x)
    last = op.data_format == "NDHWC"
    if last:  # channels last: (N, D, H, W, C) or (D, H, W, C)
        x = x.transpose(0, 4, 1, 2, 3) if x.ndim == 5 else x.transpose(3, 0, 1, 2)
    y, argmax = pooling.fractional_max_pool3d(
        x, ksize, size, return_indices=True, _random_samples=random_samples
    )
    if last:
        order = (0, 2, 3, 4, 1) if y.ndim == 5 else (1, 2, 3, 0)
        y, argmax = y.transpose(*order), argmax.transpose(*order)
    return y, argmax


_define(
    "FractionalMaxPool3DWithFixedKsize",
    _fractional_max_pool3d,
    ksize=_REQUIRED,
    output_shape=_REQUIRED,
    data_format="NCDHW",
)


# ------------------------------------------------------------------------------------------------
# Scalars
# ------------------------------------------------------------------------------------------------


def _scalar_cast(op: PrimitiveClass, input_x: Any, input_y: Any) -> Any:
    """MindSpore's ScalarCast (deprecated there since 2.3 for int() and float()): a Python
    number cast to int64, float64 or bool."""
    if isinstance(input_x, Tensor) or not isinstance(input_x, bool | int | float):
        raise MindTypeError(f"For 'ScalarCast', 'input_x' must be a number, got {input_x!r}")
    target = dt.to_dtype(input_y) if not isinstance(input_y, str) else None
    cast = {dt.int64: int, dt.float64: float, dt.bool_: bool}.get(target)
    if cast is None:
        raise MindValueError(
            "For 'ScalarCast', the supported types are [mindspore.int64, mindspore.float64, "
            f"mindspore.bool_], but got {input_y}"
        )
    return cast(input_x)


_define("ScalarCast", _scalar_cast)
