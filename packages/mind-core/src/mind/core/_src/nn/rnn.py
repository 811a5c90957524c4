"""Recurrent layers with MindSpore's names and arguments: ``LSTM`` and ``GRU``.

Both are compositions of existing ops (matmul, sigmoid, tanh, split, where, stack), so their
gradients come from the tape with no bprop of their own. Parameters carry PyTorch's and
MindSpore's names (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, with a
``_reverse`` suffix for the backward direction) and gate order (LSTM: i, f, g, o; GRU: r, z, n),
so weights load from either framework's checkpoints unchanged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mind.core._src.nn.cell import Cell
from mind.core._src.nn.initializer import Uniform, initializer
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, ParameterTuple, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["GRU", "LSTM"]


class _RNNBase(Cell):
    """The stacked, optionally bidirectional recurrence shared by LSTM and GRU.

    Subclasses set ``_gates`` (how many H-sized blocks the weights stack) and implement
    ``_step`` (one time step of one direction) and the handling of ``hx``.
    """

    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        has_bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        for arg, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            I.check_int(name, arg, value, minimum=1)
        if not 0 <= dropout < 1:
            raise MindValueError(f"For '{name}', 'dropout' must be in [0, 1), got {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.has_bias, self.batch_first, self.dropout = has_bias, batch_first, float(dropout)
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        # PyTorch's and MindSpore's default: every weight and bias U(-1/sqrt(H), 1/sqrt(H)).
        init = Uniform(1 / math.sqrt(hidden_size))
        gate_size = self._gates * hidden_size
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for direction in range(self.num_directions):
                suffix = f"l{layer}" + ("_reverse" if direction else "")
                setattr(
                    self,
                    f"weight_ih_{suffix}",
                    Parameter(initializer(init, (gate_size, layer_input), dtype)),
                )
                setattr(
                    self,
                    f"weight_hh_{suffix}",
                    Parameter(initializer(init, (gate_size, hidden_size), dtype)),
                )
                if has_bias:
                    setattr(
                        self, f"bias_ih_{suffix}", Parameter(initializer(init, gate_size, dtype))
                    )
                    setattr(
                        self, f"bias_hh_{suffix}", Parameter(initializer(init, gate_size, dtype))
                    )

    # -- MindSpore's ParameterTuple views of the weights ---------------------------------------------

    # MindSpore's layers hold their weights as ``w_ih_list``, ``w_hh_list``, ``b_ih_list`` and
    # ``b_hh_list`` (one entry per layer and direction, in that order), and scripts assign them
    # to share weights between layers; here they read and write the named Parameters.
    _LISTS = {
        "w_ih_list": "weight_ih",
        "w_hh_list": "weight_hh",
        "b_ih_list": "bias_ih",
        "b_hh_list": "bias_hh",
    }

    def _list_names(self, prefix: str) -> list[str]:
        if prefix.startswith("bias") and not self.has_bias:
            return []
        return [
            f"{prefix}_l{layer}" + ("_reverse" if direction else "")
            for layer in range(self.num_layers)
            for direction in range(self.num_directions)
        ]

    def _list(self, prefix: str) -> ParameterTuple:
        return ParameterTuple(getattr(self, n) for n in self._list_names(prefix))

    w_ih_list = property(lambda self: self._list("weight_ih"))
    w_hh_list = property(lambda self: self._list("weight_hh"))
    b_ih_list = property(lambda self: self._list("bias_ih"))
    b_hh_list = property(lambda self: self._list("bias_hh"))

    def __setattr__(self, name: str, value: Any) -> None:
        prefix = _RNNBase._LISTS.get(name)
        if prefix is None or "num_layers" not in self.__dict__:
            super().__setattr__(name, value)
            return
        names = self._list_names(prefix)
        values = tuple(value)
        if len(values) != len(names):
            raise MindValueError(
                f"For '{type(self).__name__}', '{name}' must hold {len(names)} Parameters (one per "
                f"layer and direction), got {len(values)}"
            )
        for n, v in zip(names, values):
            super().__setattr__(n, v)

    # -- pieces subclasses provide -------------------------------------------------------------------

    def _step(self, xw: Tensor, gh: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        """One time step: ``xw`` = W_ih x_t + b_ih, ``gh`` = W_hh h + b_hh; returns the new state,
        whose first entry is the output h."""
        raise NotImplementedError

    def _initial_states(self, hx: Any, batch: int, dtype: dt.DType) -> list[tuple[Tensor, ...]]:
        raise NotImplementedError

    def _pack_states(self, finals: list[tuple[Tensor, ...]]) -> Any:
        raise NotImplementedError

    # -- shared helpers ------------------------------------------------------------------------------

    def _state_tensor(self, value: Any, what: str, batch: int, dtype: dt.DType) -> Tensor:
        expected = (self.num_layers * self.num_directions, batch, self.hidden_size)
        t = as_tensor(value)
        if t.shape != expected:
            raise MindValueError(
                f"For '{type(self).__name__}', '{what}' must have shape "
                f"(num_layers * num_directions, batch_size, hidden_size) = {expected}, "
                f"got {t.shape}"
            )
        return t if t.dtype is dtype else F.cast(t, dtype)

    def _weights(self, layer: int, direction: int) -> tuple[Any, Any, Any, Any]:
        suffix = f"l{layer}" + ("_reverse" if direction else "")
        return (
            getattr(self, f"weight_ih_{suffix}"),
            getattr(self, f"weight_hh_{suffix}"),
            getattr(self, f"bias_ih_{suffix}", None),
            getattr(self, f"bias_hh_{suffix}", None),
        )

    def _step_masks(self, seq_length: Any, steps: int, batch: int) -> list[Tensor] | None:
        """Per time step, a (batch, 1) bool Tensor: True where the step is inside the sequence."""
        if seq_length is None:
            return None
        lengths = np.asarray(seq_length.asnumpy() if isinstance(seq_length, Tensor) else seq_length)
        name = type(self).__name__
        if lengths.shape != (batch,) or lengths.dtype.kind not in "iu":
            raise MindValueError(
                f"For '{name}', 'seq_length' must be integers of shape (batch_size,) = ({batch},), "
                f"got {lengths.dtype} of shape {lengths.shape}"
            )
        if lengths.min() < 0 or lengths.max() > steps:
            raise MindValueError(
                f"For '{name}', 'seq_length' values must be in [0, seq_len={steps}], "
                f"got {lengths.tolist()}"
            )
        valid = np.arange(steps)[:, None] < lengths[None, :]
        return [Tensor(valid[t][:, None]) for t in range(steps)]

    def _direction(
        self,
        x: Tensor,
        layer: int,
        direction: int,
        state: tuple[Tensor, ...],
        masks: list[Tensor] | None,
    ) -> tuple[Tensor, tuple[Tensor, ...]]:
        """Run one direction of one layer over (T, B, in) ``x``; return (T, B, H) and the final
        state."""
        w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
        steps, batch = x.shape[0], x.shape[1]
        # The input projection does not depend on the recurrence: one matmul for all steps.
        xw = F.dense(F.reshape(x, (steps * batch, x.shape[2])), w_ih, b_ih)
        xw = F.reshape(xw, (steps, batch, xw.shape[1]))
        outputs: list[Tensor | None] = [None] * steps
        zeros = F.zeros_like(state[0]) if masks is not None else None
        for t in range(steps - 1, -1, -1) if direction else range(steps):
            gh = F.dense(state[0], w_hh, b_hh)
            new = self._step(xw[t], gh, state)
            if masks is None:
                state = new
                outputs[t] = new[0]
            else:
                # Past a sequence's end the state is held, so h_n is the state at its last valid
                # step and the backward direction starts at that step from hx; outputs there are 0.
                state = tuple(F.where(masks[t], n, s) for n, s in zip(new, state))
                outputs[t] = F.where(masks[t], new[0], zeros)
        return F.stack(outputs, 0), state

    # -- running -------------------------------------------------------------------------------------

    def construct(self, x: Tensor, hx: Any = None, seq_length: Any = None) -> tuple[Tensor, Any]:
        name = type(self).__name__
        x = as_tensor(x)
        if x.ndim != 3:
            layout = (
                "(batch_size, seq_len, input_size)"
                if self.batch_first
                else "(seq_len, batch_size, input_size)"
            )
            raise MindValueError(f"For '{name}', 'x' must be 3-D {layout}, got shape {x.shape}")
        if x.shape[-1] != self.input_size:
            raise MindValueError(
                f"For '{name}', 'x' has {x.shape[-1]} features but input_size is {self.input_size}"
            )
        if not x.dtype.is_floating_point:
            raise MindTypeError(f"For '{name}', 'x' must be a float tensor, got {x.dtype}")
        if self.batch_first:
            x = F.transpose(x, (1, 0, 2))
        steps, batch = x.shape[0], x.shape[1]
        states = self._initial_states(hx, batch, x.dtype)
        masks = self._step_masks(seq_length, steps, batch)
        finals: list[tuple[Tensor, ...]] = []
        layer_input = x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(self.num_directions):
                index = layer * self.num_directions + direction
                out, final = self._direction(layer_input, layer, direction, states[index], masks)
                outs.append(out)
                finals.append(final)
            layer_input = outs[0] if len(outs) == 1 else F.concat(outs, 2)
            # As in PyTorch/MindSpore: dropout on every layer's output except the last.
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        output = F.transpose(layer_input, (1, 0, 2)) if self.batch_first else layer_input
        return output, self._pack_states(finals)

    def extend_repr(self) -> str:
        return (
            f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"num_layers={self.num_layers}, has_bias={self.has_bias}, "
            f"batch_first={self.batch_first}, dropout={self.dropout}, "
            f"bidirectional={self.bidirectional}"
        )


class LSTM(_RNNBase):
    """Multi-layer long short-term memory over a sequence (MindSpore's ``nn.LSTM``).

    For each layer and time step, with gates stacked i, f, g, o in the weights' rows::

        i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)     f = sigmoid(W_if x + b_if + W_hf h + b_hf)
        g = tanh(W_ig x + b_ig + W_hg h + b_hg)        o = sigmoid(W_io x + b_io + W_ho h + b_ho)
        c' = f * c + i * g                             h' = o * tanh(c')

    :param input_size: features of ``x``.
    :param hidden_size: features of h and c.
    :param num_layers: stacked layers; layer k > 0 reads layer k - 1's output.
    :param has_bias: whether the ``bias_ih_*``/``bias_hh_*`` parameters exist.
    :param batch_first: ``x`` and ``output`` are (batch, seq, feature) instead of (seq, batch, feature).
    :param dropout: dropout probability on each layer's output except the last (training only).
    :param bidirectional: also run each layer backwards in time; outputs are concatenated.

    Parameters: ``weight_ih_l{k}`` (4H, in), ``weight_hh_l{k}`` (4H, H), ``bias_ih_l{k}`` (4H),
    ``bias_hh_l{k}`` (4H), and the same with ``_reverse`` for the backward direction, all initialised
    U(-1/sqrt(H), 1/sqrt(H)).

    ``construct(x, hx=None, seq_length=None)``: ``hx`` is ``(h_0, c_0)``, each
    (num_layers * num_directions, batch, H), zeros when left out; ``seq_length`` (batch,) gives each
    sequence's length: later steps leave the state unchanged and output zeros. Returns
    ``(output, (h_n, c_n))`` with output (seq, batch, num_directions * H) (batch first if asked)
    and h_n, c_n shaped as h_0.

    >>> lstm = nn.LSTM(10, 16, num_layers=2, batch_first=True)
    >>> x = Tensor(np.ones((3, 5, 10), np.float32))
    >>> output, (h_n, c_n) = lstm(x)
    >>> output.shape, h_n.shape, c_n.shape
    ((3, 5, 16), (2, 3, 16), (2, 3, 16))
    """

    _gates = 4

    def _step(self, xw: Tensor, gh: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        i, f, g, o = F.split(F.add(xw, gh), self.hidden_size, 1)
        c = F.add(F.mul(F.sigmoid(f), state[1]), F.mul(F.sigmoid(i), F.tanh(g)))
        return F.mul(F.sigmoid(o), F.tanh(c)), c

    def _initial_states(self, hx: Any, batch: int, dtype: dt.DType) -> list[tuple[Tensor, ...]]:
        count = self.num_layers * self.num_directions
        if hx is None:
            zero = F.zeros((batch, self.hidden_size), dtype)
            return [(zero, zero)] * count
        if not isinstance(hx, tuple | list) or len(hx) != 2:
            raise MindTypeError(
                f"For 'LSTM', 'hx' must be a tuple (h_0, c_0), got {type(hx).__name__}"
            )
        h0 = self._state_tensor(hx[0], "hx[0]", batch, dtype)
        c0 = self._state_tensor(hx[1], "hx[1]", batch, dtype)
        return [(h0[k], c0[k]) for k in range(count)]

    def _pack_states(self, finals: list[tuple[Tensor, ...]]) -> Any:
        return F.stack([h for h, _ in finals], 0), F.stack([c for _, c in finals], 0)


class GRU(_RNNBase):
    """Multi-layer gated recurrent unit over a sequence (MindSpore's ``nn.GRU``).

    For each layer and time step, with gates stacked r, z, n in the weights' rows::

        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  h' = (1 - z) * n + z * h

    Arguments, parameters (3H rows instead of 4H) and ``seq_length`` as :class:`LSTM`.
    ``construct(x, hx=None, seq_length=None)``: ``hx`` is h_0 (num_layers * num_directions, batch,
    H), zeros when left out. Returns ``(output, h_n)``.

    >>> gru = nn.GRU(10, 16, bidirectional=True)
    >>> output, h_n = gru(Tensor(np.ones((5, 3, 10), np.float32)))
    >>> output.shape, h_n.shape
    ((5, 3, 32), (2, 3, 16))
    """

    _gates = 3

    def _step(self, xw: Tensor, gh: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        x_r, x_z, x_n = F.split(xw, self.hidden_size, 1)
        h_r, h_z, h_n = F.split(gh, self.hidden_size, 1)
        r = F.sigmoid(F.add(x_r, h_r))
        z = F.sigmoid(F.add(x_z, h_z))
        n = F.tanh(F.add(x_n, F.mul(r, h_n)))
        # (1 - z) * n + z * h, written with one product fewer.
        return (F.add(n, F.mul(z, F.sub(state[0], n))),)

    def _initial_states(self, hx: Any, batch: int, dtype: dt.DType) -> list[tuple[Tensor, ...]]:
        count = self.num_layers * self.num_directions
        if hx is None:
            return [(F.zeros((batch, self.hidden_size), dtype),)] * count
        if isinstance(hx, tuple | list):
            raise MindTypeError("For 'GRU', 'hx' must be a Tensor h_0, not a tuple")
        h0 = self._state_tensor(hx, "hx", batch, dtype)
        return [(h0[k],) for k in range(count)]

    def _pack_states(self, finals: list[tuple[Tensor, ...]]) -> Any:
        return F.stack([s[0] for s in finals], 0)
