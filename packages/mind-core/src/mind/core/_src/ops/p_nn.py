"""MindSpore's Primitive-class operators over the ops of ``nn_functional`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import grad, stop_gradient
from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import infer as I
from mind.core._src.ops import nn_functional as M
from mind.core._src.ops import nn_ops
from mind.core._src.ops import random as Rd
from mind.core._src.ops import reduce as R
from mind.core._src.ops.indexing import scatter_nd
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _seed
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindValueError


@_calls(nn_ops.dropout)
def _dropout(op: PrimitiveClass, x: Any) -> tuple[Tensor, Tensor]:
    """MindSpore's Dropout: ``(output, mask)``, mask 1 where an element is kept (x's dtype)."""
    x = M._tensor("Dropout", "x", x)
    keep = op.keep_prob
    if isinstance(keep, bool) or not isinstance(keep, int | float) or not 0 < keep <= 1:
        raise MindValueError(f"For 'Dropout', 'keep_prob' must be in (0, 1], got {keep!r}")
    if keep == 1:
        return x, E.ones_like(x)
    mask = E.less(Rd.uniform(x.shape, seed=_seed(op.Seed0, op.Seed1)), float(keep))
    return E.where(mask, E.div(x, float(keep)), E.zeros_like(x)), E.cast(mask, x.dtype)


_define("Dropout", _dropout, keep_prob=0.5, Seed0=0, Seed1=0)


@_calls(A.gather)
def _embedding_lookup(
    op: PrimitiveClass, input_params: Any, input_indices: Any, offset: Any
) -> Tensor:
    return M._lookup_rows(input_params, input_indices, offset)


_define("EmbeddingLookup", _embedding_lookup)


@_calls(R.sum)
def _l2_normalize(op: PrimitiveClass, x: Any) -> Tensor:
    x = M._tensor("L2Normalize", "x", x)
    axis = op.axis
    if isinstance(axis, list | tuple):
        if len(axis) != 1:
            raise MindValueError(f"For 'L2Normalize', 'axis' must hold one int, got {axis!r}")
        axis = axis[0]
    axis = I.check_int(
        "L2Normalize", "axis", axis, minimum=-max(x.ndim, 1), maximum=max(x.ndim, 1) - 1
    )
    squares = R.sum(E.square(x), axis, True)
    return E.div(x, E.sqrt(E.maximum(squares, float(op.epsilon))))


_define("L2Normalize", _l2_normalize, axis=0, epsilon=1e-4)


# ------------------------------------------------------------------------------------------------
# CTC
# ------------------------------------------------------------------------------------------------


@_calls(M.ctc_loss)
def _ctc_loss_v2(
    op: PrimitiveClass, log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any
) -> tuple[Tensor, Tensor]:
    return M.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, op.blank, op.reduction, op.zero_infinity
    )


_define("CTCLossV2", _ctc_loss_v2, blank=0, reduction="none", zero_infinity=False)


def _dense_labels(
    op: PrimitiveClass, indices: Tensor, values: Tensor, batch: int
) -> tuple[Tensor, Tensor]:
    """MindSpore's sparse labels (``indices`` (k, 2) [sequence, position], ``values`` (k,)) as
    padded (batch, S) targets and their lengths (batch,)."""
    idx, val = M._values(indices), M._values(values)
    if idx is None or val is None:
        # Traced (jit): the same with ops, S = k (no sequence is longer than all the labels).
        if op.preprocess_collapse_repeated:
            raise MindValueError(
                "For 'CTCLoss', preprocess_collapse_repeated=True needs the labels' values: call "
                "it outside jit"
            )
        k = indices.shape[0]
        dense = scatter_nd(E.cast(indices, dt.int64), E.cast(values, dt.int64), (batch, max(k, 1)))
        ones = E.ones_like(E.cast(indices[:, 0], dt.int64))
        lengths = scatter_nd(A.expand_dims(E.cast(indices[:, 0], dt.int64), 1), ones, (batch,))
        return dense, lengths
    idx = idx.astype(np.int64).reshape(-1, 2)
    val = val.astype(np.int64).reshape(-1)
    if idx.shape[0] != val.shape[0]:
        raise MindValueError(
            f"For 'CTCLoss', 'labels_indices' has {idx.shape[0]} rows but 'labels_values' has "
            f"{val.shape[0]} values"
        )
    rows: list[list[int]] = [[] for _ in range(batch)]
    for (n, _), v in sorted(zip(map(tuple, idx), val.tolist()), key=lambda item: item[0]):
        if not 0 <= n < batch:
            raise MindValueError(f"For 'CTCLoss', a label's batch index {n} is not in [0, {batch})")
        rows[n].append(v)
    if op.preprocess_collapse_repeated:
        rows = [[v for i, v in enumerate(r) if i == 0 or v != r[i - 1]] for r in rows]
    width = max((len(r) for r in rows), default=0)
    dense = np.zeros((batch, max(width, 1)), np.int64)
    for n, r in enumerate(rows):
        dense[n, : len(r)] = r
    return Tensor(dense), Tensor(np.asarray([len(r) for r in rows], np.int64))


@_calls(M.ctc_loss)
def _ctc_loss_v1(
    op: PrimitiveClass, x: Any, labels_indices: Any, labels_values: Any, sequence_length: Any
) -> tuple[Tensor, Tensor]:
    """TensorFlow-style CTC: ``x`` (max_time, batch, classes) are logits (softmax applied
    here), the blank is the last class, labels are sparse. Returns (loss (batch,), gradient of
    the loss with respect to ``x``)."""
    if not op.ctc_merge_repeated:
        raise MindValueError(
            "For 'CTCLoss', ctc_merge_repeated=False is not supported on Mind: only the standard "
            "CTC recursion (repeats merged unless separated by a blank) is"
        )
    x = M._tensor("CTCLoss", "x", x)
    if x.ndim != 3:
        raise MindValueError(
            f"For 'CTCLoss', 'x' must be 3-D (max_time, batch, classes), got {x.shape}"
        )
    steps, batch, classes = x.shape
    tg, tl = _dense_labels(op, as_tensor(labels_indices), as_tensor(labels_values), batch)
    seq = M._int_input("CTCLoss", "sequence_length", sequence_length, batch)
    seq_values, lengths = M._values(seq), M._values(tl)
    if seq_values is not None and lengths is not None and (lengths > seq_values).any():
        if not op.ignore_longer_outputs_than_inputs:
            raise MindValueError(
                "For 'CTCLoss', a label sequence is longer than its input sequence "
                f"(label lengths {lengths.tolist()}, sequence lengths {seq_values.tolist()}): "
                "set ignore_longer_outputs_than_inputs=True to give those sequences 0 loss"
            )
    # Sequences whose labels outnumber their steps: 0 loss (and the check above, eagerly).
    keep = E.less_equal(E.cast(tl, dt.int64), E.cast(seq, dt.int64))
    blank = classes - 1

    def losses(logits: Tensor) -> Tensor:
        loss = M.ctc_loss(nn_ops.log_softmax(logits, -1), tg, seq, tl, blank, "none")[0]
        return E.where(keep, loss, E.zeros_like(loss))

    loss = losses(x)
    gradient = grad(lambda logits: R.sum(losses(logits)))(stop_gradient(x))
    return loss, stop_gradient(gradient)


_define(
    "CTCLoss",
    _ctc_loss_v1,
    preprocess_collapse_repeated=False,
    ctc_merge_repeated=True,
    ignore_longer_outputs_than_inputs=False,
)
_define(
    "CTCGreedyDecoder",
    _calls(M.ctc_greedy_decoder)(
        lambda op, inputs, sequence_length: M.ctc_greedy_decoder(
            inputs, sequence_length, op.merge_repeated
        )
    ),
    merge_repeated=True,
)


# ------------------------------------------------------------------------------------------------
# Candidate samplers
# ------------------------------------------------------------------------------------------------


@_calls(M.uniform_candidate_sampler)
def _uniform_sampler(op: PrimitiveClass, true_classes: Any) -> tuple[Tensor, Tensor, Tensor]:
    return M.uniform_candidate_sampler(
        true_classes,
        op.num_true,
        op.num_sampled,
        op.unique,
        op.range_max,
        op.seed,
        op.remove_accidental_hits,
    )


_define(
    "UniformCandidateSampler",
    _uniform_sampler,
    num_true=_REQUIRED,
    num_sampled=_REQUIRED,
    unique=_REQUIRED,
    range_max=_REQUIRED,
    seed=0,
    remove_accidental_hits=False,
)


@_calls(M.log_uniform_candidate_sampler)
def _log_uniform_sampler(op: PrimitiveClass, true_classes: Any) -> tuple[Tensor, Tensor, Tensor]:
    return M.log_uniform_candidate_sampler(
        true_classes, op.num_true, op.num_sampled, op.unique, op.range_max, op.seed
    )


_define(
    "LogUniformCandidateSampler",
    _log_uniform_sampler,
    num_true=1,
    num_sampled=5,
    unique=True,
    range_max=5,
    seed=0,
)
