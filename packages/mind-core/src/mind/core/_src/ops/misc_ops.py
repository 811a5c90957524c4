"""MindSpore's remaining functional ops that fit no other area: in-place assigns, padding,
shapes, copies, Gumbel softmax, edit distance, n-gram blocking and fixed-width histograms, and the
Tensor methods about storage and graph hints.

Only what no composition expresses is a primitive here: the edit distance (a dynamic program
over sparse sequences) and the mask of the tokens an n-gram repeat bans (a search over each
sequence); both are integer/float bookkeeping with no gradient, and their results feed ordinary
differentiable ops (``where`` on ``log_probs``).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import stop_gradient
from mind.core._src.ops import infer as I
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import assign, one_hot, reshape
from mind.core._src.ops.dispatch import ShapedArray, bind, bind1, example, primitive
from mind.core._src.ops.elementwise import add, cast, div, floor, mul, sub, where, zeros_like
from mind.core._src.ops.indexing import _pad_last
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindError, MindTypeError, MindValueError

__all__: list[str] = [
    "assign_add",
    "assign_sub",
    "deepcopy",
    "dyn_shape",
    "gumbel_softmax",
    "move_to",
    "padding",
]

TENSOR_METHODS: tuple[str, ...] = ("set_const_arg", "storage", "untyped_storage")


# ------------------------------------------------------------------------------------------------
# In-place updates, copies, shapes
# ------------------------------------------------------------------------------------------------


def assign_add(variable: Any, value: Any) -> Tensor:
    """``variable += value`` in place (a Parameter or Tensor; ``value`` is cast to its dtype
    and broadcast), returning the variable's new value; inside ``jit`` an in-graph update.
    Supported devices: cpu.

    >>> step = Parameter(Tensor([1], mind.core.int32), name="step")
    >>> ops.assign_add(step, Tensor([100], mind.core.int32))  # step is now [101]
    """
    variable = as_tensor(variable)
    return assign(variable, add(variable, value))


def assign_sub(variable: Any, value: Any) -> Tensor:
    """``variable -= value`` in place (see :func:`assign_add`). Supported devices: cpu.

    >>> step = Parameter(Tensor([1], mind.core.int32), name="step")
    >>> ops.assign_sub(step, Tensor([100], mind.core.int32))  # step is now [-99]
    """
    variable = as_tensor(variable)
    return assign(variable, sub(variable, value))


def _copy(x: Tensor) -> Tensor:
    from mind.core._src.tensor.methods_more import clone

    return clone(x)


def deepcopy(input_x: Any) -> Tensor:
    """A copy of ``input_x`` with its own buffer (the gradient flows through it).
    Supported devices: cpu.

    >>> ops.deepcopy(Tensor([1.0, 2.0]))  # [1., 2.]
    """
    if not isinstance(input_x, Tensor):
        raise MindTypeError(
            f"For 'deepcopy', 'input_x' must be a Tensor, got {type(input_x).__name__}"
        )
    return _copy(input_x)


def dyn_shape(input_x: Any) -> Tensor:
    """The shape of ``input_x`` as a 1-D int64 Tensor (a constant inside ``jit``: Mind's graphs
    have static shapes). Supported devices: cpu.

    >>> ops.dyn_shape(ops.ones((3, 2, 1)))  # [3, 2, 1]
    """
    return Tensor(np.asarray(as_tensor(input_x).shape, dtype=np.int64))


def padding(x: Any, pad_dim_size: int = 8) -> Tensor:
    """``x`` (rank >= 2, last axis of size 1) with its last axis extended to ``pad_dim_size``
    by zeros. Differentiable. Supported devices: cpu.

    >>> ops.padding(Tensor([[8.0], [10.0]]), 4)  # [[8, 0, 0, 0], [10, 0, 0, 0]]
    """
    x = as_tensor(x)
    if x.ndim < 2:
        raise MindValueError(f"For 'padding', the rank of 'x' must be at least 2, got {x.shape}")
    return _pad_last(x, pad_dim_size)


def move_to(input: Any, to: str = "CPU", blocking: bool = True) -> Tensor:
    """A copy of ``input`` (a Tensor, or a list or tuple of ints) on device ``to``. Mind keeps
    tensors in host memory, so ``'CPU'`` is the one target; ``blocking`` is accepted (copies are
    always synchronous). Supported devices: cpu.

    >>> ops.move_to(Tensor([1, 2, 3]), "CPU")  # [1, 2, 3]
    """
    if not isinstance(blocking, bool):
        raise MindTypeError(f"For 'move_to', 'blocking' must be a bool, got {blocking!r}")
    if to not in ("Ascend", "CPU"):
        raise MindValueError(f"For 'move_to', 'to' must be 'Ascend' or 'CPU', got {to!r}")
    if to != "CPU":
        raise MindValueError(
            f"For 'move_to', Mind has no {to} device: its tensors live in host memory, so only "
            "to='CPU' is supported (drop the call, or move to 'CPU')"
        )
    if isinstance(input, list | tuple):
        return Tensor(np.asarray(input, dtype=np.int64))
    if not isinstance(input, Tensor):
        raise MindTypeError(
            f"For 'move_to', 'input' must be a Tensor, list or tuple, got {type(input).__name__}"
        )
    return _copy(input)


# ------------------------------------------------------------------------------------------------
# Tensor methods: storage (refused) and the graph-argument hint
# ------------------------------------------------------------------------------------------------

#: ``set_const_arg`` flags by tensor id (Tensor has slots and elementwise ``==``, so neither an
#: attribute nor a WeakKeyDictionary holds them); each entry goes with its tensor.
_CONST_ARGS: dict[int, bool] = {}


def set_const_arg(input: Tensor, const_arg: bool = True) -> Tensor:
    """Mark ``input`` as a constant (or not) when passed to a compiled network, and return it.
    Mind records the flag (:func:`is_const_arg` reads it) but its ``jit`` needs no such hint: it
    specialises on each tensor argument's shape and dtype, never its values."""
    if not isinstance(const_arg, bool):
        raise MindTypeError(f"For 'set_const_arg', 'const_arg' must be a bool, got {const_arg!r}")
    key = id(input)
    if key not in _CONST_ARGS:
        weakref.finalize(input, _CONST_ARGS.pop, key, None)
    _CONST_ARGS[key] = const_arg
    return input


def is_const_arg(input: Tensor) -> bool:
    """The flag :func:`set_const_arg` last set on ``input`` (False if never set)."""
    return _CONST_ARGS.get(id(input), False)


def storage(input: Tensor) -> Any:
    """MindSpore's ``Tensor.storage()`` returns an Ascend ``UntypedStorage``: Mind has no
    device-side storage object, so this raises with the replacement."""
    raise MindError(
        "For 'Tensor.storage', Mind has no UntypedStorage (MindSpore supports it on Ascend "
        "only): read the data with Tensor.asnumpy() (a host array sharing the tensor's buffer)"
    )


def untyped_storage(input: Tensor) -> Any:
    """See :func:`storage` (the same method under PyTorch's name)."""
    return storage(input)


# ------------------------------------------------------------------------------------------------
# Gumbel softmax
# ------------------------------------------------------------------------------------------------


def gumbel_softmax(logits: Any, tau: float = 1.0, hard: bool = False, dim: int = -1) -> Tensor:
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` along
    ``dim`` with ``g = -log(-log(u))``, ``u ~ U(0, 1)``. With ``hard`` the one-hot of its
    argmax, differentiated as the soft sample (straight-through). ``logits`` is float16 or
    float32. Supported devices: cpu.

    >>> ops.gumbel_softmax(Tensor([[-0.1, 0.3, 3.6], [0.4, 0.5, -3.2]]), 1.0, True).shape  # (2, 3)
    """
    from mind.core._src.ops.elementwise import log, neg
    from mind.core._src.ops.nn_ops import softmax
    from mind.core._src.ops.random import uniform
    from mind.core._src.ops.reduce import argmax

    if not isinstance(logits, Tensor):
        raise MindTypeError(
            f"For 'gumbel_softmax', 'logits' must be a Tensor, got {type(logits).__name__}"
        )
    if logits.dtype.name not in ("float16", "float32"):
        raise MindTypeError(
            f"For 'gumbel_softmax', 'logits' must be float16 or float32, got {logits.dtype}"
        )
    if isinstance(tau, bool) or not isinstance(tau, int | float) or tau <= 0:
        raise MindValueError(f"For 'gumbel_softmax', 'tau' must be a positive float, got {tau!r}")
    if not isinstance(hard, bool):
        raise MindTypeError(f"For 'gumbel_softmax', 'hard' must be a bool, got {hard!r}")
    if logits.ndim == 0:
        raise MindValueError("For 'gumbel_softmax', 'logits' must have at least one dimension")
    axis = I.normalize_axis("gumbel_softmax", dim, logits.ndim, "dim")
    # u in [tiny, 1): log(u) is finite and -log(u) > 0, so the noise is finite
    u = uniform(logits.shape, np.finfo(np.float32).tiny, 1.0)
    noise = cast(neg(log(neg(log(u)))), logits.dtype)
    soft = softmax(div(add(logits, noise), float(tau)), axis)
    if not hard:
        return soft
    index = argmax(soft, axis)
    one = one_hot(index, logits.shape[axis], Tensor(1, logits.dtype), Tensor(0, logits.dtype), axis)
    return add(stop_gradient(sub(one, soft)), soft)


# ------------------------------------------------------------------------------------------------
# Edit distance between sparse sequences (MindSpore's EditDistance)
# ------------------------------------------------------------------------------------------------


def _levenshtein(a: list, b: list) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def _sequences(indices: np.ndarray, values: np.ndarray) -> dict[tuple, list]:
    """The values of a sparse tensor grouped by their leading indices, in order of the last."""
    groups: dict[tuple, list] = {}
    order = np.lexsort(indices.T[::-1]) if indices.size else np.arange(0)
    for k in order:
        groups.setdefault(tuple(int(i) for i in indices[k, :-1]), []).append(values[k].item())
    return groups


def _edit_distance_kernel(h_idx, h_val, t_idx, t_val, *, normalize, shape):
    hyp, truth = _sequences(h_idx, h_val), _sequences(t_idx, t_val)
    out = np.zeros(shape, np.float32)
    for loc in set(hyp) | set(truth):
        if any(i >= s for i, s in zip(loc, shape)):
            continue  # outside the dense shape: dropped, as MindSpore's kernel does
        a, b = hyp.get(loc, []), truth.get(loc, [])
        distance = float(_levenshtein(a, b))
        if normalize:
            distance = distance / len(b) if b else np.inf
        out[loc] = distance
    return out


def _edit_distance_infer(h_idx, h_val, t_idx, t_val, *, normalize, shape):
    for name, idx, val in (("hypothesis", h_idx, h_val), ("truth", t_idx, t_val)):
        if idx.ndim != 2 or val.ndim != 1 or idx.shape[0] != val.shape[0]:
            raise I.fail(
                "EditDistance",
                f"'{name}_indices' must be (N, R) and '{name}_values' (N,), got {idx.shape} "
                f"and {val.shape}",
            )
        if idx.shape[1] != len(shape) + 1:
            raise I.fail("EditDistance", f"'{name}_indices' must have R = {len(shape) + 1} columns")
    return ShapedArray(tuple(shape), dt.float32)


edit_distance_p = primitive(
    "edit_distance",
    cpu=_edit_distance_kernel,
    infer=_edit_distance_infer,
    differentiable=False,
    attrs=("normalize", "shape"),
)
example(
    edit_distance_p,
    lambda c: (
        [
            np.array([[0, 0, 0], [1, 0, 1], [1, 1, 1]], np.int64),
            np.array([1, 2, 3], np.float32),
            np.array([[0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1]], np.int64),
            np.array([1, 3, 2, 1], np.float32),
        ],
        {"normalize": True, "shape": (2, 2)},
        lambda *_: np.ones((2, 2), np.float32),
    ),
)
S.attr_schema(edit_distance_p, normalize=S.Bool(), shape=S.Ints(None, lo=0))


def _shape_values(name: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, Tensor):
        shape = shape.asnumpy()
    values = np.asarray(shape)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        raise MindValueError(
            f"For 'EditDistance', '{name}' must be a 1-D int tensor, got {shape!r}"
        )
    return tuple(int(v) for v in values)


def edit_distance(
    hypothesis_indices: Any,
    hypothesis_values: Any,
    hypothesis_shape: Any,
    truth_indices: Any,
    truth_values: Any,
    truth_shape: Any,
    normalize: bool = True,
) -> Tensor:
    """The Levenshtein distance between the sparse sequences of a hypothesis and a truth (each
    given by (N, R) int64 indices, (N,) values and an R-long dense shape whose values must be
    known), divided by the truth's length with ``normalize`` (infinity for an empty truth):
    float32 of the shapes' elementwise maximum without their last entry. No gradient.
    Supported devices: cpu (the ``ops.EditDistance`` class applies it)."""
    if not isinstance(normalize, bool):
        raise MindTypeError(f"For 'EditDistance', 'normalize' must be a bool, got {normalize!r}")
    h_shape = _shape_values("hypothesis_shape", hypothesis_shape)
    t_shape = _shape_values("truth_shape", truth_shape)
    if len(h_shape) != len(t_shape) or len(h_shape) < 1:
        raise MindValueError(
            f"For 'EditDistance', 'hypothesis_shape' {h_shape} and 'truth_shape' {t_shape} must "
            "have the same rank R >= 1"
        )
    out_shape = tuple(max(a, b) for a, b in zip(h_shape[:-1], t_shape[:-1]))
    inputs = (hypothesis_indices, hypothesis_values, truth_indices, truth_values)
    h_idx, h_val, t_idx, t_val = (as_tensor(x) for x in inputs)
    attrs = {"normalize": normalize, "shape": out_shape}
    return bind(edit_distance_p, (h_idx, h_val, t_idx, t_val), attrs)


# ------------------------------------------------------------------------------------------------
# Blocking repeated n-grams in beam search (MindSpore's NoRepeatNGram)
# ------------------------------------------------------------------------------------------------


def _ngram_mask_kernel(seq, *, ngram_size, vocab):
    """True at each token that would complete an n-gram already in its sequence: the last
    ``ngram_size - 1`` tokens followed by it occur earlier."""
    lead = seq.shape[:-1]
    length = seq.shape[-1]
    flat = seq.reshape(-1, length)
    mask = np.zeros((flat.shape[0], vocab), bool)
    tail = ngram_size - 1
    for row, tokens in enumerate(flat):
        suffix = tokens[length - tail :] if tail else tokens[:0]
        for i in range(length - ngram_size + 1):
            if np.array_equal(tokens[i : i + tail], suffix):
                token = int(tokens[i + tail])
                if 0 <= token < vocab:
                    mask[row, token] = True
    return mask.reshape(*lead, vocab)


ngram_mask_p = primitive(
    "no_repeat_ngram_mask",
    cpu=_ngram_mask_kernel,
    infer=lambda seq, *, ngram_size, vocab: ShapedArray((*seq.shape[:-1], vocab), dt.bool_),
    differentiable=False,
    attrs=("ngram_size", "vocab"),
)
example(
    ngram_mask_p,
    lambda c: (
        [np.array([[1, 2, 1, 2, 5, 1, 2], [9, 3, 9, 5, 4, 1, 5]], np.int32)],
        {"ngram_size": 3, "vocab": 6},
        lambda seq: np.array([[0, 1, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0]], bool),
    ),
)
S.attr_schema(ngram_mask_p, ngram_size=S.Int(lo=1), vocab=S.Int(lo=0))


def no_repeat_ngram(state_seq: Any, log_probs: Any, ngram_size: int = 1) -> Tensor:
    """``log_probs`` (batch, beam, vocab) with ``-max float`` at each token that would repeat
    an n-gram of ``state_seq`` (batch, beam, m): the last ``ngram_size - 1`` tokens and the
    token seen together before. Differentiable in ``log_probs`` (zero at the banned tokens).
    Supported devices: cpu (the ``ops.NoRepeatNGram`` class applies it)."""
    seq, probs = as_tensor(state_seq), as_tensor(log_probs)
    if isinstance(ngram_size, bool) or not isinstance(ngram_size, int) or ngram_size < 1:
        raise MindValueError(
            f"For 'NoRepeatNGram', 'ngram_size' must be a positive int, got {ngram_size!r}"
        )
    if not seq.dtype.is_integer:
        raise MindTypeError(f"For 'NoRepeatNGram', 'state_seq' must be int, got {seq.dtype}")
    if not probs.dtype.is_floating_point:
        raise MindTypeError(f"For 'NoRepeatNGram', 'log_probs' must be float, got {probs.dtype}")
    if seq.ndim != probs.ndim or seq.ndim < 1 or seq.shape[:-1] != probs.shape[:-1]:
        raise MindValueError(
            f"For 'NoRepeatNGram', 'state_seq' {seq.shape} and 'log_probs' {probs.shape} must "
            "share their leading (batch, beam) axes"
        )
    if ngram_size > seq.shape[-1]:
        raise MindValueError(
            f"For 'NoRepeatNGram', 'ngram_size' {ngram_size} exceeds the sequence length "
            f"{seq.shape[-1]}"
        )
    attrs = {"ngram_size": ngram_size, "vocab": probs.shape[-1]}
    banned = bind1(ngram_mask_p, seq, attrs)
    lowest = Tensor(np.finfo(probs.dtype.np).min, probs.dtype)
    return where(banned, lowest, probs)


# ------------------------------------------------------------------------------------------------
# Fixed-width histograms (MindSpore's HistogramFixedWidth)
# ------------------------------------------------------------------------------------------------


def histogram_fixed_width(x: Any, range: Any, nbins: int) -> Tensor:
    """Counts of ``x`` in ``nbins`` equal bins over ``[range[0], range[1])`` (int32): values at
    or below ``range[0]`` count in the first bin, at or above ``range[1]`` in the last.
    Supported devices: cpu (the ``ops.HistogramFixedWidth`` class applies it)."""
    from mind.core._src.ops.elementwise import clamp
    from mind.core._src.ops.indexing import index_add

    if isinstance(nbins, bool) or not isinstance(nbins, int) or nbins < 1:
        raise MindValueError(
            f"For 'HistogramFixedWidth', 'nbins' must be an int >= 1, got {nbins!r}"
        )
    x, bounds = as_tensor(x), as_tensor(range)
    if bounds.shape != (2,):
        raise MindValueError(
            f"For 'HistogramFixedWidth', 'range' must have shape (2,), got {bounds.shape}"
        )
    values = reshape(cast(stop_gradient(x), dt.float64), (-1,))
    low, high = cast(bounds[0], dt.float64), cast(bounds[1], dt.float64)
    scaled = mul(div(sub(values, low), sub(high, low)), float(nbins))
    bins = cast(clamp(floor(scaled), 0.0, float(nbins - 1)), dt.int32)
    counts = Tensor(np.zeros(nbins, np.int32))
    ones = add(zeros_like(bins), 1)
    return index_add(counts, bins, ones, 0)
