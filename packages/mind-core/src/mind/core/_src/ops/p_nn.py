"""MindSpore's Primitive-class operators over the ops of ``nn_functional`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import grad, stop_gradient
from mind.core._src.ops import array as A
from mind.core._src.ops import elementwise as E
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.ops import nn_functional as M
from mind.core._src.ops import nn_ops
from mind.core._src.ops import random as Rd
from mind.core._src.ops import reduce as R
from mind.core._src.ops.indexing import scatter_nd
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define, _seed
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError


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


# ------------------------------------------------------------------------------------------------
# LSTM (MindSpore's Primitive with every weight packed in one tensor)
# ------------------------------------------------------------------------------------------------


def _lstm_sizes(op: PrimitiveClass) -> list[tuple[int, int, int, int]]:
    """Per (layer, direction), in the order ``w`` packs them: the sizes of W_ih, W_hh, W_hr and
    the bias (0 for the absent ones)."""
    gates, real = 4 * op.hidden_size, op.proj_size or op.hidden_size
    directions = 2 if op.bidirectional else 1
    sizes = []
    for layer in range(op.num_layers):
        layer_input = op.input_size if layer == 0 else real * directions
        for _ in range(directions):
            sizes.append(
                (
                    gates * layer_input,
                    gates * real,
                    op.proj_size * op.hidden_size,
                    gates if op.has_bias else 0,
                )
            )
    return sizes


def _lstm_weights(op: PrimitiveClass, w: Tensor) -> list[tuple[Tensor, ...]]:
    """Unpack ``w`` as MindSpore's CPU kernel reads it: every (layer, direction)'s W_ih (4H, in),
    then every W_hh (4H, real H), then every W_hr (proj, H) when ``proj_size``, then every bias
    (4H,) when ``has_bias``. Gates are stacked i, f, g, o; the one bias stands for b_ih + b_hh."""
    sizes = _lstm_sizes(op)
    expected = sum(map(sum, sizes))
    gates, real = 4 * op.hidden_size, op.proj_size or op.hidden_size
    if len(sizes) == 1 and op.has_bias and not op.proj_size and w.size == expected + gates:
        # One layer and direction packed as on GPU (cuDNN, and MindSpore's own example):
        # W_ih, W_hh, b_ih, b_hh.
        flat = F.reshape(w, (w.size,))
        w_ih, w_hh = flat[: sizes[0][0]], flat[sizes[0][0] : sizes[0][0] + sizes[0][1]]
        b_ih, b_hh = flat[expected - gates : expected], flat[expected:]
        return [
            (
                F.reshape(w_ih, (gates, op.input_size)),
                F.reshape(w_hh, (gates, real)),
                None,
                F.add(b_ih, b_hh),
            )
        ]
    if w.size != expected:
        raise MindValueError(
            f"For 'LSTM', 'w' must hold {expected} values (the W_ih, W_hh"
            + (", W_hr" if op.proj_size else "")
            + (", bias" if op.has_bias else "")
            + f" of num_layers * num_directions = {len(sizes)}), got {w.size} (shape {w.shape})"
        )
    flat = F.reshape(w, (expected,))
    shapes = [
        lambda n: (gates, n // gates),
        lambda n: (gates, real),
        lambda n: (op.proj_size, op.hidden_size),
        lambda n: (gates,),
    ]
    unpacked: list[list[Tensor | None]] = [[None] * 4 for _ in sizes]
    offset = 0
    for part in range(4):  # all W_ih first, then all W_hh, ...
        for k, size in enumerate(s[part] for s in sizes):
            if size:
                unpacked[k][part] = F.reshape(flat[offset : offset + size], shapes[part](size))
                offset += size
    return [tuple(u) for u in unpacked]  # type: ignore[misc]


def _lstm_direction(
    x: Tensor, weights: tuple[Any, ...], h: Tensor, c: Tensor, hidden: int, reverse: bool
) -> tuple[Tensor, Tensor, Tensor]:
    """One direction of one layer over (T, B, in) ``x``: (T, B, real H) outputs, h_n, c_n."""
    w_ih, w_hh, w_hr, bias = weights
    steps, batch = x.shape[0], x.shape[1]
    # The input projection does not depend on the recurrence: one matmul for all steps.
    xw = F.dense(F.reshape(x, (steps * batch, x.shape[2])), w_ih, bias)
    xw = F.reshape(xw, (steps, batch, xw.shape[1]))
    outputs: list[Any] = [None] * steps
    for t in range(steps - 1, -1, -1) if reverse else range(steps):
        i, f, g, o = F.split(F.add(xw[t], F.dense(h, w_hh)), hidden, 1)
        c = F.add(F.mul(F.sigmoid(f), c), F.mul(F.sigmoid(i), F.tanh(g)))
        h = F.mul(F.sigmoid(o), F.tanh(c))
        if w_hr is not None:
            h = F.dense(h, w_hr)
        outputs[t] = h
    return F.stack(outputs, 0), h, c


def _lstm_state(what: str, value: Any, expected: tuple[int, ...], dtype: Any) -> Tensor:
    t = M._tensor("LSTM", what, value)
    if t.shape != expected:
        raise MindValueError(
            f"For 'LSTM', '{what}' must have shape (num_layers * num_directions, batch_size, "
            f"{'proj_size' if what == 'h' and expected[2] else 'hidden_size'}) = {expected}, "
            f"got {t.shape}"
        )
    return t if t.dtype is dtype else E.cast(t, dtype)


@_calls(nn_ops.dense)
def _lstm(op: PrimitiveClass, x: Any, h: Any, c: Any, w: Any) -> tuple[Tensor, ...]:
    x = M._tensor("LSTM", "x", x)
    if x.ndim != 3 or x.shape[2] != op.input_size:
        raise MindValueError(
            f"For 'LSTM', 'x' must be 3-D (seq_len, batch_size, input_size={op.input_size}), "
            f"got shape {x.shape}"
        )
    if x.dtype not in (dt.float16, dt.float32, dt.float64):
        raise MindTypeError(f"For 'LSTM', 'x' must be float16, float32 or float64, got {x.dtype}")
    directions = 2 if op.bidirectional else 1
    count, batch = op.num_layers * directions, x.shape[1]
    h = _lstm_state("h", h, (count, batch, op.proj_size or op.hidden_size), x.dtype)
    c = _lstm_state("c", c, (count, batch, op.hidden_size), x.dtype)
    weights = _lstm_weights(op, E.cast(M._tensor("LSTM", "w", w), x.dtype))
    layer_input, h_n, c_n = x, [], []
    for layer in range(op.num_layers):
        outs = []
        for direction in range(directions):
            k = layer * directions + direction
            out, h_k, c_k = _lstm_direction(
                layer_input, weights[k], h[k], c[k], op.hidden_size, bool(direction)
            )
            outs.append(out)
            h_n.append(h_k)
            c_n.append(c_k)
        layer_input = outs[0] if directions == 1 else F.concat(outs, 2)
        # Between layers, as cuDNN does; ``is_training=False`` (a prim attr) turns it off.
        if op.dropout and layer < op.num_layers - 1 and op.attrs.get("is_training", True):
            layer_input = (
                E.zeros_like(layer_input)
                if op.dropout >= 1
                else nn_ops.dropout(layer_input, float(op.dropout))
            )
    # MindSpore's ``reserve`` and ``state`` hold its kernel's workspace and RNG state; the
    # composition needs neither, so they are (1, 1) zeros (the shape MindSpore's inference gives).
    spare = stop_gradient(F.zeros((1, 1), x.dtype))
    return layer_input, F.stack(h_n, 0), F.stack(c_n, 0), spare, spare


_LSTM = _define(
    "LSTM",
    _lstm,
    input_size=_REQUIRED,
    hidden_size=_REQUIRED,
    num_layers=_REQUIRED,
    has_bias=_REQUIRED,
    bidirectional=_REQUIRED,
    dropout=_REQUIRED,
    proj_size=0,
)
_lstm_init = _LSTM.__init__


def _lstm_checked_init(self: PrimitiveClass, *args: Any, **kwargs: Any) -> None:
    """MindSpore checks the attributes when the operator is built."""
    _lstm_init(self, *args, **kwargs)
    for what in ("input_size", "hidden_size", "num_layers"):
        I.check_int("LSTM", what, getattr(self, what), minimum=1)
    I.check_int("LSTM", "proj_size", self.proj_size, minimum=0, maximum=self.hidden_size - 1)
    I.check_bool("LSTM", "has_bias", self.has_bias)
    I.check_bool("LSTM", "bidirectional", self.bidirectional)
    if not isinstance(self.dropout, float):
        raise MindTypeError(
            f"For 'LSTM', 'dropout' must be a float, got {type(self.dropout).__name__}"
        )
    if not 0 <= self.dropout <= 1:
        raise MindValueError(f"For 'LSTM', 'dropout' must be in [0.0, 1.0], got {self.dropout}")
    self.num_directions = 2 if self.bidirectional else 1
    self.attrs["num_directions"] = self.num_directions


_lstm_checked_init.__signature__ = _lstm_init.__signature__  # type: ignore[attr-defined]
_LSTM.__init__ = _lstm_checked_init  # type: ignore[method-assign]
_LSTM.__doc__ = """MindSpore's ``LSTM``: a stacked, optionally bidirectional LSTM whose weights all
    come packed in one tensor ``w`` (applies :func:`mind.core.ops.dense` and the cell math of
    :class:`mind.core.nn.LSTM`, so gradient, ``jit`` and ``vmap`` come from those ops).

    Attributes: input_size, hidden_size, num_layers, has_bias, bidirectional, dropout (a float
    in [0, 1], applied to every layer's output but the last, unless the prim attr
    ``is_training`` is False), proj_size (0, or the size h is projected to by W_hr).

    Called as ``(x, h, c, w)``: ``x`` (seq_len, batch, input_size), ``h`` (num_layers *
    num_directions, batch, real_H) with real_H = proj_size or hidden_size, ``c`` (num_layers *
    num_directions, batch, hidden_size), and ``w`` of any shape holding, as MindSpore's CPU kernel
    reads it, every (layer, direction)'s W_ih (4H, in) in order, then every W_hh (4H, real_H),
    then every W_hr (proj_size, H) when proj_size > 0, then every bias (4H,) when has_bias (one
    bias per gate, b_ih + b_hh). Gates are stacked i, f, g, o; layer k > 0 reads the
    concatenated directions of layer k - 1 (num_directions * real_H features). With one layer
    and direction, ``w`` may also hold both biases as on GPU: W_ih, W_hh, b_ih, b_hh. Returns ``(output, h_n, c_n, reserve, state)``:
    output (seq_len, batch, num_directions * real_H), h_n and c_n shaped as h and c, reserve
    and state (1, 1) zeros (MindSpore's kernel workspace, which Mind does not need).

    >>> lstm = ops.LSTM(10, 2, 1, True, False, 0.0)
    >>> x = Tensor(np.ones((5, 2, 10), np.float32))
    >>> h0 = c0 = Tensor(np.ones((1, 2, 2), np.float32))
    >>> output, h_n, c_n, _, _ = lstm(x, h0, c0, Tensor(np.ones((104, 1, 1), np.float32)))
    >>> output.shape, h_n.shape
    ((5, 2, 2), (1, 2, 2))

    Supported devices: every device (a composition of ops).
    """
