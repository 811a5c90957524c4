"""Functional forms of neural-network layers with MindSpore's names (dropout variants, CTC loss, ...).

Every op here is a composition of existing ops (elementwise ops, reductions, gathers and the
random primitives), so gradients, ``jit`` and ``vmap`` need nothing of their own. The
exceptions are the ops whose output shape depends on values (``ctc_greedy_decoder``), which
are eager only, as ``ops.unique`` is.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import stop_gradient
from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import indexing as X
from mind.core._src.ops import infer as I
from mind.core._src.ops import math_ops as M
from mind.core._src.ops import nn_ops as N
from mind.core._src.ops import random as Rd
from mind.core._src.ops import reduce as R
from mind.core._src.ops.elementwise import _const
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = [
    "bidense",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "ctc_greedy_decoder",
    "ctc_loss",
    "dropout1d",
    "log_uniform_candidate_sampler",
    "rrelu",
    "uniform_candidate_sampler",
]

TENSOR_METHODS: tuple[str, ...] = ()


def _tensor(op: str, name: str, value: Any) -> Tensor:
    if not isinstance(value, Tensor):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a Tensor, but got {type(value).__name__}."
        )
    return value


def _values(x: Tensor) -> np.ndarray | None:
    """``x``'s values in eager mode; None inside ``jit``/``vmap`` (a traced value has none)."""
    data = getattr(x, "_data", None)
    return np.asarray(data) if isinstance(data, np.ndarray | np.generic) else None


def _probability(op: str, p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float):
        raise MindTypeError(f"For '{op}', 'p' must be a float, but got {type(p).__name__}.")
    if not 0 <= p <= 1:
        raise MindValueError(f"For '{op}', 'p' must be in [0, 1], but got {p}.")
    return float(p)


# ------------------------------------------------------------------------------------------------
# Dropout, activations, bilinear dense
# ------------------------------------------------------------------------------------------------


def dropout1d(input: Any, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero whole channels of a (N, C, L) or (C, L) ``input`` with probability ``p`` (each
    channel's L values together), scaling the kept ones by ``1 / (1 - p)``; ``input`` itself
    when not ``training``.

    >>> ops.dropout1d(Tensor(np.ones((2, 3, 4), np.float32)), 0.5).shape   # (2, 3, 4)

    Supported devices: cpu, native.
    """
    x = _tensor("dropout1d", "input", input)
    p = _probability("dropout1d", p)
    if x.ndim not in (2, 3):
        raise MindValueError(f"For 'dropout1d', 'input' must be 2-D or 3-D, got shape {x.shape}")
    if not training or p == 0:
        return x
    return M._channel_dropout("dropout1d", x, 1.0 - p, 1)[0]


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3) -> Tensor:
    """Randomized leaky ReLU: ``x`` where ``x >= 0``, else ``a * x`` with ``a`` drawn from
    U(lower, upper) for each element (MindSpore draws in training and inference alike).

    >>> ops.rrelu(Tensor([-2.0, 3.0]), 0.5, 0.5)   # [-1, 3]

    Supported devices: cpu, native.
    """
    x = _tensor("rrelu", "input", input)
    lower = I.check_number("rrelu", "lower", lower)
    upper = I.check_number("rrelu", "upper", upper)
    if lower > upper:
        raise MindValueError(
            f"For 'rrelu', 'upper' must be greater than or equal to 'lower', got upper: {upper}, "
            f"lower: {lower}."
        )
    slope = Rd.uniform(x.shape, lower, upper, dtype=x.dtype if x.dtype.is_floating_point else None)
    return E.where(E.greater_equal(x, 0), x, E.cast(E.mul(x, slope), x.dtype))


def bidense(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """Bilinear dense: ``out[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j]
    (+ bias[o])``; ``input1`` (..., in1), ``input2`` (..., in2) with the same leading axes,
    ``weight`` (out, in1, in2), ``bias`` (out,).

    >>> ops.bidense(Tensor(np.ones((4, 2))), Tensor(np.ones((4, 3))), Tensor(np.ones((5, 2, 3))))
    ... # (4, 5), every element 6

    Supported devices: cpu, native.
    """
    x1 = _tensor("bidense", "input1", input1)
    x2 = _tensor("bidense", "input2", input2)
    w = _tensor("bidense", "weight", weight)
    if w.ndim != 3 or w.shape[1] != x1.shape[-1] or w.shape[2] != x2.shape[-1]:
        raise MindValueError(
            f"For 'bidense', 'weight' must have shape (out, {x1.shape[-1]}, {x2.shape[-1]}) for "
            f"inputs of shapes {x1.shape} and {x2.shape}, got {w.shape}"
        )
    if x1.shape[:-1] != x2.shape[:-1]:
        raise MindValueError(
            f"For 'bidense', 'input1' and 'input2' must agree on every axis but the last, got "
            f"{x1.shape} and {x2.shape}"
        )
    lead = x1.shape[:-1]
    out_features, in1, in2 = w.shape
    a = A.reshape(x1, (-1, in1))
    b = A.reshape(x2, (-1, in2))
    # x1 @ W as one matmul: (B, in1) @ (in1, out * in2), then the in2 contraction with x2.
    w_flat = A.reshape(A.transpose(w, (1, 0, 2)), (in1, out_features * in2))
    t = A.reshape(N.matmul(a, w_flat), (-1, out_features, in2))
    out = R.sum(E.mul(t, A.expand_dims(b, 1)), 2)
    if bias is not None:
        out = E.add(out, bias)
    return A.reshape(out, (*lead, out_features))


def _lookup_rows(params: Any, indices: Any, offset: Any) -> Tensor:
    """Rows ``indices - offset`` of ``params``; a row outside the table reads as 0 (MindSpore's
    EmbeddingLookup: the lookup of one shard of a split table)."""
    params = _tensor("EmbeddingLookup", "input_params", params)
    indices = E.sub(E.cast(as_tensor(indices), dt.int64), as_tensor(offset, dt.int64))
    valid = E.logical_and(E.greater_equal(indices, 0), E.less(indices, params.shape[0]))
    rows = A.gather(params, E.where(valid, indices, 0), 0)
    mask = A.reshape(valid, (*valid.shape, *(1,) * (params.ndim - 1)))
    return E.where(mask, rows, E.zeros_like(rows))


# ------------------------------------------------------------------------------------------------
# Clipping
# ------------------------------------------------------------------------------------------------


def _tensors(op: str, x: Any) -> tuple[list[Tensor], bool]:
    if isinstance(x, Tensor):
        return [x], True
    if isinstance(x, tuple | list) and all(isinstance(t, Tensor) for t in x):
        return list(x), False
    raise MindTypeError(
        f"For '{op}', 'x' must be a Tensor or a tuple or list of Tensors, got {type(x).__name__}"
    )


def _bound_value(op: str, name: str, value: Any) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, Tensor | int | float)
    ):
        raise MindTypeError(
            f"For '{op}', '{name}' must be None, a Tensor, a float or an int, got "
            f"{type(value).__name__}"
        )


def clip_by_value(x: Any, clip_value_min: Any = None, clip_value_max: Any = None) -> Any:
    """``x`` (a Tensor, or each Tensor of a tuple or list) held in [clip_value_min,
    clip_value_max]: the maximum with the minimum first, then the minimum with the maximum (so
    ``min > max`` gives ``max`` everywhere). Either bound may be None, not both.

    >>> ops.clip_by_value(Tensor([-1.0, 0.5, 2.0]), 0, 1)   # [0, 0.5, 1]

    Supported devices: cpu, native.
    """
    if clip_value_min is None and clip_value_max is None:
        raise MindValueError(
            "For 'clip_by_value', at least one of 'clip_value_min' or 'clip_value_max' must not "
            "be None"
        )
    _bound_value("clip_by_value", "clip_value_min", clip_value_min)
    _bound_value("clip_by_value", "clip_value_max", clip_value_max)
    tensors, single = _tensors("clip_by_value", x)

    def clip_one(t: Tensor) -> Tensor:
        if clip_value_min is not None:
            t = E.maximum(t, E.cast(as_tensor(clip_value_min), t.dtype))
        if clip_value_max is not None:
            t = E.minimum(t, E.cast(as_tensor(clip_value_max), t.dtype))
        return t

    out = [clip_one(t) for t in tensors]
    if single:
        return out[0]
    return tuple(out) if isinstance(x, tuple) else out


def _p_norm(t: Tensor, norm_type: float) -> Tensor:
    a = E.abs(t)
    if norm_type == math.inf:
        return R.amax(a)
    return E.pow(R.sum(E.pow(a, norm_type)), 1.0 / norm_type)


def clip_by_norm(
    x: Any, max_norm: Any, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Any:
    """Scale ``x`` (a Tensor, or all Tensors of a tuple or list together) so that their total
    ``norm_type``-norm is at most ``max_norm``: each is multiplied by
    ``min(1, max_norm / (total_norm + 1e-6))``. The total norm is the norm of the Tensors' norms.

    >>> ops.clip_by_norm(Tensor([3.0, 4.0]), 1.0)   # [0.6, 0.8]

    Supported devices: cpu, native.
    """
    tensors, single = _tensors("clip_by_norm", x)
    norm_type = (
        I.check_number("clip_by_norm", "norm_type", norm_type)
        if norm_type != math.inf
        else norm_type
    )
    norms = [
        _p_norm(t if t.dtype.is_floating_point else E.cast(t, dt.float32), norm_type)
        for t in tensors
    ]
    total = norms[0] if len(norms) == 1 else _p_norm(A.stack(norms), norm_type)
    if error_if_nonfinite:
        value = _values(total)
        if value is not None and not np.isfinite(value).all():
            raise MindValueError(
                f"For 'clip_by_norm', the total norm of order {norm_type} of the input is "
                "non-finite: the input holds nan or inf"
            )
    coef = E.minimum(E.div(E.cast(as_tensor(max_norm), total.dtype), E.add(total, 1e-6)), 1.0)
    out = [E.cast(E.mul(t, coef), t.dtype) for t in tensors]
    if single:
        return out[0]
    return tuple(out) if isinstance(x, tuple) else out


def clip_by_global_norm(x: Any, clip_norm: Any = 1.0, use_norm: Any = None) -> tuple[Tensor, ...]:
    """Scale the Tensors of ``x`` (a tuple or list) by ``clip_norm / max(global_norm,
    clip_norm)``, where ``global_norm`` is the L2 norm of all of them together: unchanged when
    it is at most ``clip_norm``. Returns a tuple.

    >>> ops.clip_by_global_norm((Tensor([3.0]), Tensor([4.0])), 1.0)   # ([0.6], [0.8])

    Supported devices: cpu, native.
    """
    if use_norm is not None:
        raise MindValueError(
            f"For 'clip_by_global_norm', 'use_norm' must be None (MindSpore's only supported "
            f"value), got {use_norm!r}"
        )
    clip_norm = I.check_number("clip_by_global_norm", "clip_norm", clip_norm)
    if clip_norm <= 0:
        raise MindValueError(f"For 'clip_by_global_norm', 'clip_norm' must be > 0, got {clip_norm}")
    tensors, _ = _tensors("clip_by_global_norm", x)
    squares = [R.sum(E.square(E.cast(t, dt.float32))) for t in tensors]
    global_norm = E.sqrt(squares[0] if len(squares) == 1 else R.sum(A.stack(squares)))
    scale = E.div(clip_norm, E.maximum(global_norm, clip_norm))
    return tuple(E.cast(E.mul(t, scale), t.dtype) for t in tensors)


# ------------------------------------------------------------------------------------------------
# CTC
# ------------------------------------------------------------------------------------------------

#: Stands for log(0) in the CTC recursion: finite, so that gradients through the log-sum-exp of
#: unreachable states are 0 and not nan; a total below half of it means "no alignment" (inf).
_CTC_NEG = -1e30


def _lse3(a: Tensor, b: Tensor, c: Tensor) -> Tensor:
    m = E.maximum(E.maximum(a, b), c)
    return E.add(m, E.log(E.add(E.add(E.exp(E.sub(a, m)), E.exp(E.sub(b, m))), E.exp(E.sub(c, m)))))


def _lse2(a: Tensor, b: Tensor) -> Tensor:
    m = E.maximum(a, b)
    return E.add(m, E.log(E.add(E.exp(E.sub(a, m)), E.exp(E.sub(b, m)))))


def _int_input(op: str, name: str, value: Any, batch: int) -> Tensor:
    t = value if isinstance(value, Tensor) else as_tensor(value)
    if not t.dtype.is_integer:
        raise MindTypeError(
            f"For '{op}', '{name}' must be a Tensor or tuple of ints, but got {t.dtype}"
        )
    if t.ndim != 1 or t.shape[0] != batch:
        raise MindValueError(
            f"For '{op}', '{name}' must have shape (batch,) = ({batch},), got {t.shape}"
        )
    return t


def _ctc(
    lp: Tensor, targets: Tensor, input_lengths: Tensor, target_lengths: Tensor, blank: int
) -> tuple[Tensor, Tensor]:
    """Negative log-likelihood (N,) and log_alpha (N, T, 2S+1) of the CTC forward recursion over
    (T, N, C) log-probabilities ``lp`` and (N, S) padded targets (in lp's float dtype)."""
    steps, batch, classes = lp.shape
    s = targets.shape[1]
    width = 2 * s + 1
    tg = E.cast(targets, dt.int64)
    # The extended label sequence: blank, l1, blank, l2, ..., blank.
    blanks = E.full_like(tg, blank)
    ext = A.reshape(A.stack([blanks, tg], 2), (batch, 2 * s))
    ext = A.concat([ext, A.full((batch, 1), blank, dtype=dt.int64)], 1)
    # Each state's log-probability at every step, read at flat position t*N*C + n*C + label:
    # a label in [0, C) reads lp[t, n, label]; one outside reads the flat buffer there, as
    # PyTorch's and MindSpore's kernels do (their tests rely on it), and past its end log(0).
    total = steps * batch * classes
    rows = _const(
        (np.arange(steps)[:, None, None] * batch + np.arange(batch)[None, :, None]) * classes,
        dt.int64,
    )
    flat_index = E.add(rows, A.expand_dims(ext, 0))  # (T, N, S')
    inside = E.logical_and(E.greater_equal(flat_index, 0), E.less(flat_index, total))
    flat = A.reshape(lp, (total,))
    lp_ext = A.gather(flat, E.where(inside, flat_index, 0), 0)
    lp_ext = E.where(inside, lp_ext, E.cast(_const(_CTC_NEG, dt.float64), lp.dtype))
    # A skip from state s - 2 is allowed into a label that differs from the label two back.
    back2 = A.concat([A.full((batch, 2), -1, dtype=dt.int64), ext[:, :-2]], 1)
    skip = E.logical_and(E.not_equal(ext, blank), E.not_equal(ext, back2))
    neg = E.cast(E.full_like(lp_ext[0], _CTC_NEG), lp.dtype)
    first_two = _const(np.arange(width) < 2, dt.bool_)
    alpha = E.where(first_two, lp_ext[0], neg)
    lengths = A.expand_dims(E.cast(input_lengths, dt.int64), 1)
    col = A.full((batch, 1), _CTC_NEG, dtype=lp.dtype)
    cols = A.full((batch, 2), _CTC_NEG, dtype=lp.dtype)
    alphas = [alpha]
    for t in range(1, steps):
        a1 = A.concat([col, alpha[:, :-1]], 1)
        a2 = E.where(skip, A.concat([cols, alpha[:, :-2]], 1), neg)
        new = E.add(_lse3(alpha, a1, a2), lp_ext[t])
        # Past a sequence's input length its alphas are held: the final read sees step len - 1.
        alpha = E.where(E.less(t, lengths), new, alpha)
        alphas.append(alpha)
    tl = E.cast(target_lengths, dt.int64)
    last = X.gather_elements(alpha, 1, A.expand_dims(E.mul(tl, 2), 1))
    prev_index = A.expand_dims(E.maximum(E.sub(E.mul(tl, 2), 1), 0), 1)
    prev = E.where(A.expand_dims(E.greater(tl, 0), 1), X.gather_elements(alpha, 1, prev_index), col)
    ll = A.squeeze(_lse2(last, prev), 1)
    nll = E.where(E.less(ll, _CTC_NEG / 2), math.inf, E.neg(ll))
    log_alpha = A.stack(alphas, 1)
    log_alpha = E.where(E.less(log_alpha, _CTC_NEG / 2), -math.inf, log_alpha)
    return nll, stop_gradient(log_alpha)


def _check_ctc_lengths(
    op: str, steps: int, s: int, input_lengths: Tensor, target_lengths: Tensor
) -> None:
    il, tl = _values(input_lengths), _values(target_lengths)
    if il is not None and (il.min(initial=0) < 0 or il.max(initial=0) > steps):
        raise MindValueError(
            f"For '{op}', 'input_lengths' must be in [0, {steps}] (the time steps of "
            f"'log_probs'), got {il.tolist()}"
        )
    if tl is not None and (tl.min(initial=0) < 0 or tl.max(initial=0) > s):
        raise MindValueError(
            f"For '{op}', 'target_lengths' must be in [0, {s}] (the length of 'targets'), got "
            f"{tl.tolist()}"
        )


def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> tuple[Tensor, Tensor]:
    """Connectionist temporal classification loss: ``(loss, log_alpha)``.

    ``log_probs`` (T, N, C) are log-probabilities over C classes (taken as given: no
    log_softmax is applied), ``targets`` (N, S) class indices padded to S, ``input_lengths``
    and ``target_lengths`` (N,) the lengths of each sequence (Tensors or tuples of ints).
    ``loss`` is each sequence's negative log-likelihood of its target over every alignment
    (``'none'``, shape (N,)), their sum, or the mean of each divided by its target length
    (``'mean'``, as PyTorch); inf where no alignment exists, 0 there with ``zero_infinity``.
    ``log_alpha`` (N, T, 2S+1) holds the forward variables (not differentiated).

    >>> lp = ops.log_softmax(Tensor(np.random.randn(6, 2, 4).astype(np.float32)), -1)
    >>> loss, _ = ops.ctc_loss(lp, Tensor([[1, 2], [3, 3]]), Tensor([6, 5]), Tensor([2, 2]))

    Supported devices: cpu, native.
    """
    op = "ctc_loss"
    lp = _tensor(op, "log_probs", log_probs)
    tg = _tensor(op, "targets", targets)
    if lp.ndim != 3:
        raise MindValueError(f"For '{op}', 'log_probs' must be 3-D (T, N, C), got {lp.shape}")
    if not lp.dtype.is_floating_point:
        raise MindTypeError(f"For '{op}', 'log_probs' must be a float Tensor, got {lp.dtype}")
    if reduction not in ("none", "mean", "sum"):
        raise MindValueError(
            f"For '{op}', 'reduction' must be 'none', 'mean' or 'sum', got {reduction!r}"
        )
    steps, batch, classes = lp.shape
    blank = I.check_int(op, "blank", blank, minimum=0, maximum=classes - 1)
    il = _int_input(op, "input_lengths", input_lengths, batch)
    tl = _int_input(op, "target_lengths", target_lengths, batch)
    if tg.ndim != 2 or tg.shape[0] != batch:
        raise MindValueError(
            f"For '{op}', 'targets' must be 2-D (N, S) with N = {batch}, got {tg.shape}"
        )
    _check_ctc_lengths(op, steps, tg.shape[1], il, tl)
    work = lp if lp.dtype in (dt.float32, dt.float64) else E.cast(lp, dt.float32)
    nll, log_alpha = _ctc(work, tg, il, tl, blank)
    if zero_infinity:
        nll = E.where(M.isinf(nll), 0.0, nll)
    if reduction == "mean":
        nll = R.mean(E.div(nll, E.cast(E.maximum(tl, 1), nll.dtype)))
    elif reduction == "sum":
        nll = R.sum(nll)
    return E.cast(nll, lp.dtype), E.cast(log_alpha, lp.dtype)


def ctc_greedy_decoder(
    inputs: Any, sequence_length: Any, merge_repeated: bool = True
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Greedy (best-path) decoding of (T, N, C) logits ``inputs``, the blank being class C - 1:
    at each step of each sequence (its first ``sequence_length[n]`` steps) take the most likely
    class; merge repeats (``merge_repeated``) and drop blanks. Returns MindSpore's sparse form:
    ``decoded_indices`` (total, 2) [sequence, position], ``decoded_values`` (total,),
    ``decoded_shape`` [N, longest decoding] (all int64) and ``log_probability`` (N, 1), minus
    the sum of the chosen logits. Eager only: the output's length depends on the values.

    >>> ops.ctc_greedy_decoder(Tensor(np.random.randn(4, 2, 3)), Tensor([4, 2], ms.int32))

    Supported devices: cpu.
    """
    op = "ctc_greedy_decoder"
    x = _tensor(op, "inputs", inputs)
    lengths = _tensor(op, "sequence_length", sequence_length)
    if x.ndim != 3:
        raise MindValueError(
            f"For '{op}', 'inputs' must be 3-D (max_time, batch, classes), got {x.shape}"
        )
    steps, batch, classes = x.shape
    if lengths.shape != (batch,):
        raise MindValueError(
            f"For '{op}', 'sequence_length' must have shape ({batch},), got {lengths.shape}"
        )
    values = X._concrete(op, x)
    lens = X._concrete(op, lengths, "sequence_length")
    if lens.size and lens.max() > steps:
        raise MindValueError(
            f"For '{op}', every 'sequence_length' value should be less than or equal to "
            f"max_time {steps}, got {lens.tolist()}"
        )
    blank = classes - 1
    indices, decoded, log_prob = [], [], np.zeros((batch, 1), values.dtype)
    longest = 0
    for n in range(batch):
        frames = values[: int(lens[n]), n, :]
        best = frames.argmax(axis=1)
        log_prob[n, 0] = -frames.max(axis=1).sum() if len(frames) else 0
        out, prev = [], -1
        for label in best.tolist():
            if label != blank and not (merge_repeated and label == prev):
                out.append(label)
            prev = label
        indices += [(n, i) for i in range(len(out))]
        decoded += out
        longest = max(longest, len(out))
    return (
        _const(np.asarray(indices, np.int64).reshape(-1, 2), dt.int64),
        _const(np.asarray(decoded, np.int64), dt.int64),
        _const(np.asarray([batch, longest], np.int64), dt.int64),
        _const(log_prob, x.dtype),
    )


# ------------------------------------------------------------------------------------------------
# Candidate samplers
# ------------------------------------------------------------------------------------------------


def _sampler_args(
    op: str,
    true_classes: Any,
    num_true: Any,
    num_sampled: Any,
    unique: Any,
    range_max: Any,
    seed: Any,
) -> Tensor:
    x = _tensor(op, "true_classes", true_classes)
    if x.dtype not in (dt.int32, dt.int64):
        raise MindTypeError(f"For '{op}', 'true_classes' must be int32 or int64, got {x.dtype}")
    I.check_int(op, "num_true", num_true, minimum=1)
    I.check_int(op, "num_sampled", num_sampled, minimum=1)
    I.check_bool(op, "unique", unique)
    I.check_int(op, "range_max", range_max, minimum=1)
    I.check_int(op, "seed", seed, minimum=0)
    if x.ndim != 2 or x.shape[1] != num_true:
        raise MindValueError(
            f"For '{op}', 'true_classes' must have shape (batch_size, num_true = {num_true}), got "
            f"{x.shape}"
        )
    if unique and num_sampled > range_max:
        raise MindValueError(
            f"For '{op}', with unique=True 'num_sampled' ({num_sampled}) must be at most "
            f"'range_max' ({range_max})"
        )
    return x


def _sample_candidates(
    x: Tensor,
    num_sampled: int,
    unique: bool,
    range_max: int,
    seed: int,
    log_uniform: bool,
    avoid: Tensor | None,
) -> tuple[Tensor, Tensor, Tensor]:
    """Draw the candidates and compute TF's/MindSpore's expected counts (see the callers)."""
    seeds = [None, None, None] if seed == 0 else [seed, seed + 1, seed + 2]
    classes = _const(np.arange(range_max, dtype=np.float64), dt.float64)
    if log_uniform:
        log_range = math.log(range_max + 1)
        # p(c) = log((c + 2) / (c + 1)) / log(range_max + 1), kept in logs
        log_p = E.sub(E.log(E.log1p(E.div(1.0, E.add(classes, 1.0)))), math.log(log_range))
    else:
        log_p = E.full_like(classes, -math.log(range_max))
    if unique or avoid is not None:
        # Gumbel top-k: the k largest of log p + Gumbel noise are k draws without replacement,
        # each in proportion to p among the classes not yet drawn (a masked class never comes).
        u = Rd.uniform((range_max,), 1e-12, 1.0, seeds[0], dt.float64)
        keys = E.sub(log_p, E.log(E.neg(E.log(u))))
        if avoid is not None:
            keys = E.where(avoid, -math.inf, keys)
        if unique:
            _, picked = X.topk(keys, num_sampled)
        else:
            noise = Rd.uniform((num_sampled, range_max), 1e-12, 1.0, seeds[0], dt.float64)
            keys2 = E.sub(log_p, E.log(E.neg(E.log(noise))))
            if avoid is not None:
                keys2 = E.where(avoid, -math.inf, keys2)
            picked = R.argmax(keys2, 1)
    elif log_uniform:
        u = Rd.uniform((num_sampled,), 0.0, 1.0, seeds[0], dt.float64)
        value = E.sub(E.floor(E.exp(E.mul(u, math.log(range_max + 1)))), 1.0)
        picked = E.cast(E.clip(value, 0, range_max - 1), dt.int64)
    else:
        picked = Rd.randint(0, range_max, (num_sampled,), seeds[0], dtype=dt.int64)
    picked = E.cast(picked, dt.int64)
    p_all = E.exp(log_p)
    p_sampled = A.gather(p_all, picked, 0)
    if log_uniform:  # the formula, not a lookup: MindSpore gives classes past range_max a p
        c = E.cast(x, dt.float64)
        p_true = E.div(E.log1p(E.div(1.0, E.add(c, 1.0))), math.log(range_max + 1))
    else:
        p_true = E.full_like(E.cast(x, dt.float64), 1.0 / range_max)
    if unique:
        # The number of with-replacement draws that finding num_sampled distinct classes takes
        # (what TF's and MindSpore's kernels count): the i-th new class costs a geometric number
        # of draws with success probability 1 - (mass of the classes already drawn).
        seen = E.sub(R.cumsum(p_sampled, 0), p_sampled)
        g = Rd.uniform((num_sampled,), 1e-12, 1.0, seeds[1], dt.float64)
        draws = E.add(E.floor(E.div(E.log(g), E.log(E.maximum(seen, 1e-300)))), 1.0)
        draws = E.where(E.greater(seen, 0), draws, 1.0)
        tries = R.sum(draws)
        expected = lambda p: E.neg(M.expm1(E.mul(tries, E.log1p(E.neg(p)))))  # noqa: E731
    else:
        expected = lambda p: E.mul(p, float(num_sampled))  # noqa: E731
    return (
        E.cast(picked, x.dtype),
        E.cast(expected(p_true), dt.float32),
        E.cast(expected(p_sampled), dt.float32),
    )


def _avoid_mask(x: Tensor, num_sampled: int, range_max: int) -> Tensor | None:
    """The classes an accidental-hit-free draw leaves out (all true classes), as MindSpore's
    kernel: None (no removal) when too few classes would be left to draw from."""
    values = _values(x)
    if values is not None and num_sampled + np.unique(values).size > range_max:
        return None
    hot = E.greater(R.sum(A.one_hot(E.cast(A.reshape(x, (-1,)), dt.int64), range_max, 1, 0), 0), 0)
    return hot


def uniform_candidate_sampler(
    true_classes: Any,
    num_true: int,
    num_sampled: int,
    unique: bool,
    range_max: int,
    seed: int = 0,
    remove_accidental_hits: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Sample ``num_sampled`` classes uniformly from [0, range_max): without replacement if
    ``unique``. Returns ``(sampled_candidates, true_expected_count, sampled_expected_count)``:
    the classes (num_sampled,) in ``true_classes``' dtype, and the expected number of times
    each true class (batch, num_true) and each sampled class (num_sampled,) would be drawn
    (float32): ``num_sampled / range_max``, or with ``unique`` ``1 - (1 - p) ** num_tries``, as
    MindSpore. ``seed`` 0 draws from the global generator; another value repeats its draw.
    ``remove_accidental_hits`` leaves the true classes out of the draw.

    >>> s, t, e = ops.uniform_candidate_sampler(Tensor([[1], [3]]), 1, 3, True, 5)

    Supported devices: cpu, native.
    """
    op = "uniform_candidate_sampler"
    x = _sampler_args(op, true_classes, num_true, num_sampled, unique, range_max, seed)
    I.check_bool(op, "remove_accidental_hits", remove_accidental_hits)
    avoid = _avoid_mask(x, num_sampled, range_max) if remove_accidental_hits else None
    return _sample_candidates(x, num_sampled, unique, range_max, seed, False, avoid)


def log_uniform_candidate_sampler(
    true_classes: Any,
    num_true: int = 1,
    num_sampled: int = 5,
    unique: bool = True,
    range_max: int = 5,
    seed: int = 0,
) -> tuple[Tensor, Tensor, Tensor]:
    """As :func:`uniform_candidate_sampler`, drawing class c with the log-uniform (Zipfian)
    probability ``log((c + 2) / (c + 1)) / log(range_max + 1)``.

    >>> s, t, e = ops.log_uniform_candidate_sampler(Tensor([[1, 7], [0, 4]]), 2, 5, True, 5)

    Supported devices: cpu, native.
    """
    op = "log_uniform_candidate_sampler"
    x = _sampler_args(op, true_classes, num_true, num_sampled, unique, range_max, seed)
    return _sample_candidates(x, num_sampled, unique, range_max, seed, True, None)
