"""More of MindSpore's ``Tensor`` methods: the ones that call an existing op with the tensor
first, MindSpore's in-place methods (``add_``, ``clamp_``, ``copy_``... write the tensor and
return it), the ``new_*`` constructors, random fills, and the layout queries (``stride``,
``is_contiguous``) that a dense row-major tensor answers at once.

``TENSOR_METHODS`` lists the functions that become methods (see ``methods.py``); the
properties (``H``, ``mH``, ``mT``, ``strides``) are attached to :class:`Tensor` at import.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from mind.core._src.ir.trace import is_tracing
from mind.core._src.ops import functional as F
from mind.core._src.ops.dispatch import STATE
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = []


# ------------------------------------------------------------------------------------------------
# in-place writes
# ------------------------------------------------------------------------------------------------
def _write(op: str, tensor: Tensor, value: Any) -> Tensor:
    """Make ``tensor`` hold ``value`` (cast to its dtype, broadcast to its shape) and return it.

    In PyNative mode the buffer is written. While a gradient is recorded through either side, or
    inside ``jit``, the tensor is rebound to the new value instead, so the tape (or the graph)
    sees the old value and the new one; a Parameter inside ``jit`` is updated as ``ops.assign``.
    """
    value = as_tensor(value, tensor.dtype) if not isinstance(value, Tensor) else value
    if value.dtype is not tensor.dtype:
        value = F.cast(value, tensor.dtype)
    if value.shape != tensor.shape:
        try:
            shape = np.broadcast_shapes(value.shape, tensor.shape)
        except ValueError:
            shape = None
        if shape != tensor.shape:
            raise MindValueError(
                f"For '{op}', the result of shape {value.shape} cannot be written into the "
                f"tensor of shape {tensor.shape}"
            )
        value = F.broadcast_to(value, tensor.shape)
    traced = not isinstance(tensor._data, np.ndarray | np.generic)
    if traced and isinstance(tensor, Parameter) and is_tracing():
        F.assign(tensor, value)
        return tensor
    if traced or (STATE.recording and (tensor._node is not None or value._node is not None)):
        tensor._data, tensor._node = value._data, value._node
        return tensor
    tensor._data[...] = np.asarray(value._data)
    return tensor


def add_(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input += alpha * other`` in place."""
    return _write("add_", input, F.add(input, other if alpha == 1 else F.mul(other, alpha)))


def sub_(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input -= alpha * other`` in place."""
    return _write("sub_", input, F.sub(input, other if alpha == 1 else F.mul(other, alpha)))


def mul_(input: Tensor, other: Any) -> Tensor:
    """``input *= other`` in place."""
    return _write("mul_", input, F.mul(input, other))


def div_(input: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """``input /= other`` in place (``rounding_mode`` as ``ops.div``)."""
    return _write("div_", input, F.div(input, other, rounding_mode=rounding_mode))


def floor_divide(input: Tensor, other: Any) -> Tensor:
    return F.floor_divide(input, other)


def floor_divide_(input: Tensor, other: Any) -> Tensor:
    """``input //= other`` in place."""
    return _write("floor_divide_", input, F.floor_divide(input, other))


def exp_(input: Tensor) -> Tensor:
    """``exp`` in place."""
    return _write("exp_", input, F.exp(input))


def floor_(input: Tensor) -> Tensor:
    """``floor`` in place."""
    return _write("floor_", input, F.floor(input))


def clamp_(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``clamp`` in place."""
    return _write("clamp_", input, F.clamp(input, min, max))


def addmm_(input: Tensor, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``input = beta * input + alpha * (mat1 @ mat2)`` in place."""
    return _write("addmm_", input, F.addmm(input, mat1, mat2, beta=beta, alpha=alpha))


def copy_(input: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast to ``input``'s shape, cast to its dtype) into ``input``."""
    return _write("copy_", input, src)


def masked_fill_(input: Tensor, mask: Any, value: Any) -> Tensor:
    """``masked_fill`` in place."""
    return _write("masked_fill_", input, F.masked_fill(input, mask, value))


def index_add(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Both of MindSpore's forms: ``index_add(dim, index, source, *, alpha=1)`` (torch's) and
    the older ``index_add(indices, y, axis, use_lock=True, check_index_bound=True)``."""
    if args and isinstance(args[0], int) and not isinstance(args[0], bool) and "axis" not in kwargs:
        return _index_add(input, *args, **kwargs)
    return F.index_add(input, *args, **kwargs)


def _index_add(input: Tensor, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    source = as_tensor(source, input.dtype)
    if alpha != 1:
        source = F.mul(source, alpha)
    return F.index_add(input, as_tensor(index, dt.int32), F.cast(source, input.dtype), dim)


def index_add_(input: Tensor, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    """``index_add`` (torch's form) in place."""
    return _write("index_add_", input, _index_add(input, dim, index, source, alpha=alpha))


def _index_put(input: Tensor, indices: Any, values: Any, accumulate: bool) -> Tensor:
    if not isinstance(indices, list | tuple) or not all(isinstance(i, Tensor) for i in indices):
        raise MindTypeError(
            "For 'index_put', 'indices' must be a tuple or list of Tensors, "
            f"got {builtins.type(indices).__name__}"
        )
    index = tuple(indices)
    values = as_tensor(values, input.dtype)
    if accumulate:
        # repeated index rows add up, as scatter-add does
        target = F.getitem(input, index)
        flat = F.reshape(F.zeros_like(input), (-1,))
        ids = F.reshape(F.getitem(F.reshape(F.arange(input.size), input.shape), index), (-1,))
        upd = F.reshape(F.broadcast_to(F.cast(values, input.dtype), target.shape), (-1,))
        return F.add(
            input, F.reshape(F.index_add(flat, F.cast(ids, dt.int32), upd, 0), input.shape)
        )
    out = input.copy() if isinstance(input._data, np.ndarray) and not STATE.recording else input
    if out is input:
        out = F.add(input, F.zeros_like(input))  # a fresh handle, so the write leaves input alone
    F.setitem(out, index, values)
    return out


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` put at ``input[indices]`` (added, with
    ``accumulate``); ``indices`` is a tuple of index Tensors, one per leading axis."""
    return _index_put(input, indices, values, accumulate)


def index_put_(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """``index_put`` in place."""
    return _write("index_put_", input, _index_put(input, indices, values, accumulate))


def scatter_(input: Tensor, dim: int, index: Any, src: Any, *, reduce: str | None = None) -> Tensor:
    """``input[index[i][j]][j] = src[i][j]`` (for ``dim=0``) in place; ``src`` may be a number;
    ``reduce`` ``'add'`` or ``'multiply'`` combines instead of replacing."""
    index = as_tensor(index)
    src = (
        F.broadcast_to(as_tensor(src, input.dtype), index.shape)
        if not isinstance(src, Tensor)
        else src
    )
    if src.shape != index.shape:  # as MindSpore: src may be larger; its leading block is used
        src = F.getitem(src, tuple(slice(0, d) for d in index.shape))
    if reduce is None:
        out = F.tensor_scatter_elements(input, index, F.cast(src, input.dtype), dim)
    elif reduce in ("add", "multiply"):
        if reduce == "add":
            out = F.tensor_scatter_elements(input, index, F.cast(src, input.dtype), dim, "add")
        else:  # a product of repeated targets: numpy's multiply.at, PyNative only
            if not isinstance(input._data, np.ndarray) or STATE.recording:
                raise MindValueError(
                    "For 'scatter_', reduce='multiply' runs in PyNative mode without a gradient"
                )
            data = np.array(input._data)
            idx = np.asarray(index.asnumpy())
            grid = list(np.indices(idx.shape, sparse=True))
            grid[dim % input.ndim] = idx
            np.multiply.at(data, tuple(grid), np.asarray(src.asnumpy(), dtype=data.dtype))
            out = Tensor(data)
    else:
        raise MindValueError(
            f"For 'scatter_', 'reduce' must be None, 'add' or 'multiply', got {reduce!r}"
        )
    return _write("scatter_", input, out)


def scatter_add_(input: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """``scatter_(dim, index, src, reduce='add')``."""
    return scatter_(input, dim, index, src, reduce="add")


# ------------------------------------------------------------------------------------------------
# random fills (the global generator; ``generator`` a :class:`mind.core.Generator` or None)
# ------------------------------------------------------------------------------------------------
def _float(input: Tensor) -> Any:
    """The float dtype random values are drawn in for ``input`` (float64 for float64)."""
    return dt.float64 if input.dtype is dt.float64 else dt.float32


def _numpy_rng(op: str, generator: Any) -> np.random.Generator:
    """A :class:`Generator`'s numpy generator: its draws happen in Python, so not inside jit
    (a graph would replay one draw on every call)."""
    if is_tracing():
        raise MindValueError(
            f"For '{op}', a 'generator' draws in PyNative mode only; inside jit leave it None "
            "(the global generator)"
        )
    return generator._rng


def _uniform01(op: str, input: Tensor, generator: Any) -> Tensor:
    """Uniform samples on ``[0, 1)`` of ``input``'s shape: the ``uniform`` op (fresh on every
    call of a compiled graph) for the global generator, numpy for a given one."""
    if generator is None:
        return F.uniform(input.shape, 0.0, 1.0, dtype=_float(input))
    return Tensor(_numpy_rng(op, generator).random(input.shape).astype(_float(input).np))


def _normal(op: str, input: Tensor, mean: Any, std: Any, generator: Any) -> Tensor:
    if generator is None:
        return F.cast(F.normal(input.shape, float(mean), float(std)), _float(input))
    rng = _numpy_rng(op, generator)
    return Tensor(rng.normal(float(mean), float(std), input.shape).astype(_float(input).np))


def _fill(op: str, input: Tensor, values: Tensor) -> Tensor:
    return _write(op, input, F.cast(values, input.dtype))


def uniform(input: Tensor, from_: Any = 0.0, to: Any = 1.0, generator: Any = None) -> Tensor:
    """A new tensor of ``input``'s shape and dtype, sampled uniformly from ``[from_, to)``."""
    if float(from_) > float(to):
        raise MindValueError(f"For 'Tensor.uniform', 'from_' {from_} must not exceed 'to' {to}")
    u = _uniform01("Tensor.uniform", input, generator)
    return F.cast(F.add(F.mul(u, float(to) - float(from_)), float(from_)), input.dtype)


def uniform_(input: Tensor, from_: Any = 0, to: Any = 1, *, generator: Any = None) -> Tensor:
    """Fill with samples from the uniform distribution on ``[from_, to)``."""
    u = _uniform01("uniform_", input, generator)
    return _fill("uniform_", input, F.add(F.mul(u, float(to) - float(from_)), float(from_)))


def normal_(input: Tensor, mean: Any = 0, std: Any = 1, *, generator: Any = None) -> Tensor:
    """Fill with samples from the normal distribution ``N(mean, std**2)``."""
    return _fill("normal_", input, _normal("normal_", input, mean, std, generator))


def exponential_(input: Tensor, lambd: Any = 1, *, generator: Any = None) -> Tensor:
    """Fill with samples from the exponential distribution of rate ``lambd``."""
    u = _uniform01("exponential_", input, generator)
    return _fill("exponential_", input, F.div(F.neg(F.log1p(F.neg(u))), float(lambd)))


def random_(
    input: Tensor, from_: int = 0, to: int | None = None, *, generator: Any = None
) -> Tensor:
    """Fill with integers drawn uniformly from ``[from_, to - 1]``; ``to`` defaults to the
    dtype's largest value + 1 (``2**mantissa`` for floats), and ``random_(n)`` means ``[0, n)``."""
    if to is None:
        if input.dtype.is_floating_point:
            to = 2 ** (np.finfo(input.dtype.np).nmant + 1)
        elif input.dtype is dt.bool_:
            to = 2
        else:
            to = int(np.iinfo(input.dtype.np).max) + 1
        if from_ != 0:
            from_, to = 0, from_
    if generator is None:
        values = F.randint(int(from_), int(to), input.shape, dtype=dt.int64)
    else:
        rng = _numpy_rng("random_", generator)
        values = Tensor(rng.integers(int(from_), int(to), input.shape))
    return _fill("random_", input, values)


def cauchy(input: Tensor, median: float = 0.0, sigma: float = 1.0) -> Tensor:
    """A new tensor of ``input``'s shape and dtype with samples from the Cauchy distribution."""
    u = _uniform01("cauchy", input, None)
    out = F.add(F.mul(F.tan(F.mul(F.sub(u, 0.5), math.pi)), float(sigma)), float(median))
    return F.cast(out, input.dtype)


def log_normal(input: Tensor, mean: float = 1.0, std: float = 2.0) -> Tensor:
    """A new tensor of ``input``'s shape and dtype with samples of ``exp(N(mean, std**2))``."""
    return F.cast(F.exp(_normal("log_normal", input, mean, std, None)), input.dtype)


# ------------------------------------------------------------------------------------------------
# new tensors and conversions
# ------------------------------------------------------------------------------------------------
def _size(size: Any) -> tuple[int, ...]:
    if isinstance(size, Tensor):
        size = size.tolist()
    if isinstance(size, int):
        return (size,)
    return tuple(int(s) for s in size)


def new_zeros(input: Tensor, size: Any, dtype: Any = None) -> Tensor:
    """Zeros of ``size``, of ``input``'s dtype unless ``dtype`` is given."""
    return F.zeros(_size(size), dtype or input.dtype)


def new_ones(input: Tensor, size: Any, dtype: Any = None) -> Tensor:
    """Ones of ``size``, of ``input``'s dtype unless ``dtype`` is given."""
    return F.ones(_size(size), dtype or input.dtype)


def new_full(input: Tensor, size: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    """``fill_value`` of ``size``, of ``input``'s dtype unless ``dtype`` is given."""
    return F.full(_size(size), fill_value, dtype=dtype or input.dtype)


def new_empty(input: Tensor, size: Any, *, dtype: Any = None, device: Any = None) -> Tensor:
    """A tensor of ``size`` (its values unspecified; Mind gives zeros)."""
    return F.zeros(_size(size), dtype or input.dtype)


def clone(input: Tensor) -> Tensor:
    """A copy that the gradient flows through."""
    if STATE.recording or not isinstance(input._data, np.ndarray | np.generic):
        return F.add(input, F.zeros_like(input))
    return input.copy()


def contiguous(input: Tensor) -> Tensor:
    """``input`` itself: Mind's tensors are always contiguous."""
    return input


def is_contiguous(input: Tensor) -> bool:
    return True


def storage_offset(input: Tensor) -> int:
    return 0


def stride(input: Tensor, dim: int | None = None) -> Any:
    """The row-major strides, in elements (all of them, or ``dim``'s)."""
    out = []
    step = 1
    for d in reversed(input.shape):
        out.append(step)
        step *= d
    out = out[::-1]
    return out if dim is None else out[dim]


def _strides(self: Tensor) -> tuple[int, ...]:
    """The row-major strides, in bytes."""
    return tuple(s * self.itemsize for s in stride(self))


def bfloat16(input: Tensor) -> Tensor:
    return F.cast(input, dt.bfloat16)


def byte(input: Tensor) -> Tensor:
    return F.cast(input, dt.uint8)


def short(input: Tensor) -> Tensor:
    return F.cast(input, dt.int16)


def type(input: Tensor, dtype: Any = None) -> Any:
    """The dtype's name (``'Float32'``) without ``dtype``; else the tensor cast to ``dtype``."""
    return str(input.dtype) if dtype is None else F.cast(input, dtype)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    return F.cast(input, other.dtype)


def is_signed(input: Tensor) -> bool:
    return input.dtype.np.kind in "fic" or input.dtype is dt.bfloat16


def ndimension(input: Tensor) -> int:
    return input.ndim


def nelement(input: Tensor) -> int:
    return input.size


def has_init(input: Tensor) -> bool:
    """False: Mind initialises a tensor's data when it is made (no lazy ``init``)."""
    return False


def init_data(input: Tensor, slice_index: Any = None, shape: Any = None, opt_shard_group=None):
    """``input`` itself: its data already exists (Mind has no lazy initialisation)."""
    return input


def flush_from_cache(input: Tensor) -> None:
    """Nothing to do: Mind keeps no parameter-server cache."""


def move_to(input: Tensor, to: str, blocking: bool = True) -> Tensor:
    """A copy on ``to`` (``'CPU'``; Mind keeps host data, so only the CPU is accepted)."""
    if to not in ("CPU", "cpu"):
        raise MindValueError(f"For 'move_to', only 'CPU' is supported in Mind, got {to!r}")
    return input.copy()


# ------------------------------------------------------------------------------------------------
# computations
# ------------------------------------------------------------------------------------------------
def _matrix_t(op: str, x: Tensor, ndim2: bool) -> Tensor:
    if ndim2 and x.ndim != 2:
        raise MindValueError(f"For 'Tensor.{op}', only 2-D tensors are supported, got {x.ndim}-D")
    if x.ndim < 2:
        raise MindValueError(f"For 'Tensor.{op}', the tensor must be at least 2-D, got {x.ndim}-D")
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return F.transpose(x, tuple(axes))


def _h(self: Tensor) -> Tensor:
    """The conjugate transpose of a 2-D tensor."""
    out = _matrix_t("H", self, True)
    return F.conj(out) if self.dtype.is_complex else out


def _mh(self: Tensor) -> Tensor:
    """The conjugate transpose of the last two axes."""
    out = _matrix_t("mH", self, False)
    return F.conj(out) if self.dtype.is_complex else out


def _mt(self: Tensor) -> Tensor:
    """The transpose of the last two axes."""
    return _matrix_t("mT", self, False)


def allclose(input: Tensor, other: Any, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element is close (``isclose``), as a Python bool."""
    return bool(F.isclose(input, as_tensor(other), rtol, atol, equal_nan).all().item())


def eq(input: Tensor, other: Any) -> Tensor:
    return F.equal(input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Bitwise NOT on integers, logical NOT on bools."""
    return F.logical_not(input) if input.dtype is dt.bool_ else F.invert(input)


def argmax_with_value(input: Tensor, axis: int = 0, keep_dims: bool = False):
    """``(max, index)`` along ``axis``."""
    if input.ndim == 0:
        return input, Tensor(0)
    return F.amax(input, axis, keep_dims), F.argmax(input, axis, keep_dims)


def argmin_with_value(input: Tensor, axis: int = 0, keep_dims: bool = False):
    """``(min, index)`` along ``axis``."""
    if input.ndim == 0:
        return input, Tensor(0)
    return F.amin(input, axis, keep_dims), F.argmin(input, axis, keep_dims)


def ptp(input: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``max - min`` along ``axis`` (peak to peak)."""
    if not isinstance(keepdims, bool):
        raise MindTypeError(f"For 'Tensor.ptp', 'keepdims' must be a bool, got {keepdims!r}")
    return F.sub(F.amax(input, axis, keepdims), F.amin(input, axis, keepdims))


def expand(input: Tensor, size: Any) -> Tensor:
    """``broadcast_to(size)`` (``-1`` keeps an axis)."""
    return F.broadcast_to(input, _size(size))


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    """Tile the tensor ``repeats[i]`` times along axis ``i`` (new leading axes when there are
    more repeats than axes)."""
    if len(repeats) == 1 and isinstance(repeats[0], list | tuple):
        repeats = tuple(repeats[0])
    if len(repeats) < input.ndim:
        raise MindValueError(
            f"For 'Tensor.repeat', the number of repeats {len(repeats)} must be at least the "
            f"tensor's rank {input.ndim}"
        )
    x = F.reshape(input, (1,) * (len(repeats) - input.ndim) + input.shape)
    return F.tile(x, tuple(int(r) for r in repeats))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return F.reshape(input, other.shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return F.reshape(input, other.shape)


def reverse(input: Tensor, axis: Any) -> Tensor:
    """``flip`` along ``axis`` (a list of axes)."""
    return F.flip(input, tuple(axis) if isinstance(axis, list | tuple) else (axis,))


def resize(input: Tensor, *new_shape: Any) -> Tensor:
    """A tensor of ``new_shape`` with ``input``'s elements in order, cut or padded with zeros."""
    if not new_shape:
        return input
    if len(new_shape) == 1 and isinstance(new_shape[0], list | tuple):
        new_shape = tuple(new_shape[0])
    flat = F.reshape(input, (-1,))
    size = math.prod(new_shape)
    if size > flat.size:
        flat = F.concat((flat, F.zeros((size - flat.size,), input.dtype)), 0)
    else:
        flat = flat[:size]
    return F.reshape(flat, tuple(new_shape))


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sum over the axes that ``size`` broadcasts, giving a tensor of ``size``."""
    if len(size) == 1 and isinstance(size[0], list | tuple):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    shape = input.shape
    if len(size) > len(shape) or any(
        s not in (1, d) for s, d in zip(size[::-1], shape[::-1], strict=False)
    ):
        raise MindValueError(f"For 'sum_to_size', size {size} is not expandable to {shape}")
    lead = len(shape) - len(size)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = F.sum(input, axes, True) if axes else input
    return F.reshape(out, size)


def take(input: Tensor, indices: Any, axis: int | None = None, mode: str = "clip") -> Tensor:
    """Elements at ``indices`` of the flattened tensor (or along ``axis``); out-of-range indices
    are clipped (``'clip'``: ``[-n, n)`` is valid, below it gives 0) or wrapped (``'wrap'``);
    ``'raise'`` is refused, as MindSpore's."""
    if mode not in ("wrap", "clip"):
        raise MindValueError(
            f"For 'Tensor.take', 'mode' must be 'wrap' or 'clip' ('raise' is not implemented, as "
            f"in MindSpore), got {mode!r}"
        )
    x = F.reshape(input, (-1,)) if axis is None else input
    ax = 0 if axis is None else axis % max(input.ndim, 1)
    n = x.shape[ax]
    idx = as_tensor(indices)
    idx = F.remainder(idx, n) if mode == "wrap" else F.clamp(idx, -n, n - 1)
    idx = F.where(F.less(idx, 0), F.add(idx, n), idx)
    flat = F.reshape(idx, (-1,))
    out = F.gather(x, flat, ax)
    return F.reshape(out, x.shape[:ax] + idx.shape + x.shape[ax + 1 :])


def choose(input: Tensor, choices: Any, mode: str = "clip") -> Tensor:
    """``choices[input[i]][i]`` for each position (numpy's ``choose``); indices outside
    ``[0, n)`` are clipped (``'clip'``, ``'raise'``) or wrapped (``'wrap'``)."""
    if mode not in ("raise", "wrap", "clip"):
        raise MindValueError(
            f"For 'Tensor.choose', 'mode' must be 'raise', 'wrap' or 'clip', got {mode!r}"
        )
    stacked = (
        F.stack([as_tensor(c) for c in choices], 0)
        if not isinstance(choices, Tensor)
        else (choices)
    )
    n = stacked.shape[0]
    shape = np.broadcast_shapes(input.shape, stacked.shape[1:])
    idx = F.remainder(input, n) if mode == "wrap" else F.clamp(input, 0, n - 1)
    idx = F.broadcast_to(F.cast(idx, dt.int32), shape)
    stacked = F.broadcast_to(stacked, (n,) + shape)
    return F.squeeze(F.gather_elements(stacked, 0, F.expand_dims(idx, 0)), 0)


def fill_diagonal(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """A copy with the main diagonal set to ``fill_value`` (numpy's ``fill_diagonal``: a tall
    2-D matrix restarts the diagonal after every ``cols + 1`` rows when ``wrap``)."""
    if input.ndim < 2:
        raise MindValueError(
            f"For 'fill_diagonal', the tensor must be at least 2-D, got {input.ndim}-D"
        )
    if input.ndim > 2 and len(set(input.shape)) != 1:
        raise MindValueError(
            f"For 'fill_diagonal', all dimensions must be equal, got shape {input.shape}"
        )
    mask = np.zeros(input.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return F.where(Tensor(mask), as_tensor(fill_value, input.dtype), input)


def masked_scatter(input: Tensor, mask: Any, x: Any) -> Tensor:
    """``input`` with the positions where ``mask`` is True (broadcast) taken, in order, from the
    leading elements of ``x``."""
    mask = F.broadcast_to(as_tensor(mask), input.shape)
    m = np.asarray(mask.asnumpy(), dtype=bool).reshape(-1)
    x = as_tensor(x, input.dtype)
    if m.sum() > x.size:
        raise MindValueError(
            f"For 'masked_scatter', 'x' has {x.size} elements, fewer than the mask's "
            f"{int(m.sum())} True positions"
        )
    # position k of the flat result reads x's element (number of Trues before k)
    source = np.clip(np.cumsum(m) - 1, 0, None).astype(np.int32)
    taken = F.gather(F.reshape(x, (-1,)), Tensor(source), 0)
    return F.where(mask, F.reshape(taken, input.shape), input)


def itemset(input: Tensor, *args: Any) -> Tensor:
    """A copy with one element set: ``itemset(value)`` for a one-element tensor, or
    ``itemset(index, value)`` with a flat index or an index tuple."""
    if len(args) == 1:
        if input.size != 1:
            raise MindValueError(
                "For 'itemset', a single argument sets a one-element tensor; give (index, value)"
            )
        return F.fill(input.dtype, input.shape, args[0])
    if len(args) != 2:
        raise MindValueError(f"For 'itemset', give (value) or (index, value), got {len(args)}")
    index, value = args
    index = np.unravel_index(index, input.shape) if isinstance(index, int) else tuple(index)
    if len(index) != input.ndim:
        raise MindValueError(
            f"For 'itemset', the index {index} must have {input.ndim} entries (the tensor's rank)"
        )
    mask = np.zeros(input.shape, dtype=bool)
    mask[tuple(int(i) for i in index)] = True
    return F.where(Tensor(mask), as_tensor(value, input.dtype), input)


def select(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Both of MindSpore's forms: ``select(dim, index)`` (the slice at ``index`` along ``dim``)
    and ``select(condition, y)`` (``where(condition, input, y)``)."""
    if (args and isinstance(args[0], Tensor)) or "condition" in kwargs:
        condition, y = (list(args) + [kwargs.get("condition"), kwargs.get("y")])[:2]
        if len(args) == 0:
            condition, y = kwargs["condition"], kwargs.get("y")
        return F.select(condition, input, y)
    dim, index = (list(args) + [None, None])[:2]
    dim = kwargs.get("dim", dim)
    index = kwargs.get("index", index)
    key = (slice(None),) * (dim % input.ndim) + (int(index),)
    return F.getitem(input, key)


def where(input: Tensor, condition: Any, y: Any) -> Tensor:
    """``where(condition, input, y)``."""
    return F.where(condition, input, y)


def split(input: Tensor, split_size_or_sections: Any, axis: int = 0, *, dim: int | None = None):
    return F.split(input, split_size_or_sections, axis if dim is None else dim)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The sorted unique elements, with the inverse indices and counts when asked (as
    ``numpy.unique``; ``dim`` picks unique slices along an axis)."""
    a = input.asnumpy()
    out = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    values, inverse, counts = out
    result = [Tensor(values)]
    if return_inverse:
        shape = input.shape if dim is None else (input.shape[dim],)
        result.append(Tensor(inverse.reshape(shape).astype(np.int64)))
    if return_counts:
        result.append(Tensor(counts.astype(np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def to_coo(input: Tensor) -> Any:
    """The COOTensor of ``input``'s nonzero elements (indices ``int64``, row-major order)."""
    from mind.core._src.ops.sparse import COOTensor

    a = input.asnumpy()
    indices = np.argwhere(a != 0).astype(np.int64)
    return COOTensor(Tensor(indices), Tensor(a[tuple(indices.T)]), input.shape)


def to_csr(input: Tensor) -> Any:
    """The CSRTensor of a 2-D ``input``'s nonzero elements (``int32`` indptr and indices)."""
    from mind.core._src.ops.sparse import CSRTensor

    if input.ndim != 2:
        raise MindValueError(f"For 'Tensor.to_csr', the tensor must be 2-D, got {input.ndim}-D")
    a = input.asnumpy()
    rows, cols = np.nonzero(a)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=a.shape[0]))])
    return CSRTensor(
        Tensor(indptr.astype(np.int32)),
        Tensor(cols.astype(np.int32)),
        Tensor(a[rows, cols]),
        input.shape,
    )


def _same(name: str) -> Any:
    """The op ``name`` as a method (the tensor first)."""
    fn = getattr(F, name)

    def method(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(input, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``ops.{name}`` with the tensor first."
    return method


_SAME = (
    "amax", "amin", "approximate_equal", "bernoulli", "bincount", "bitwise_left_shift",
    "bitwise_right_shift", "cholesky_solve", "cos", "dot", "erf", "fold", "gather_nd", "greater",
    "greater_equal", "less", "less_equal", "log1p", "logical_and", "logical_not", "logical_or",
    "logical_xor", "maximum", "minimum", "mm", "not_equal", "reciprocal", "remainder", "rsqrt",
    "searchsorted", "sin", "trunc", "unfold",
)  # fmt: skip
for _name in _SAME:
    globals()[_name] = _same(_name)
del _name

TENSOR_METHODS = (
    *_SAME,
    "add_", "sub_", "mul_", "div_", "floor_divide", "floor_divide_", "exp_", "floor_", "clamp_",
    "addmm_", "copy_", "masked_fill_", "index_add", "index_add_", "index_put", "index_put_",
    "scatter_", "scatter_add_", "uniform", "uniform_", "to_coo", "to_csr", "normal_",
    "exponential_", "random_", "cauchy",
    "log_normal", "new_zeros", "new_ones", "new_full", "new_empty", "clone", "contiguous",
    "is_contiguous", "storage_offset", "stride", "bfloat16", "byte", "short", "type", "type_as",
    "is_signed", "ndimension", "nelement", "has_init", "init_data", "flush_from_cache", "move_to",
    "allclose", "eq", "bitwise_not", "argmax_with_value", "argmin_with_value", "ptp", "expand",
    "repeat", "reshape_as", "view_as", "reverse", "resize", "sum_to_size", "take", "choose",
    "fill_diagonal", "masked_scatter", "itemset", "select", "where", "split", "unique",
)  # fmt: skip

Tensor.H = property(_h)
Tensor.mH = property(_mh)
Tensor.mT = property(_mt)
Tensor.strides = property(_strides)
