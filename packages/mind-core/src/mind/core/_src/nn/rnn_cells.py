"""Recurrent cells and the plain RNN with MindSpore's names (RNNCell, GRUCell, LSTMCell, RNN).

A cell computes one time step; :class:`RNN` runs the Elman recurrence over a sequence with the
stacking, directions, ``batch_first`` and ``seq_length`` handling of ``nn.LSTM``/``nn.GRU``
(its base class). Parameters carry PyTorch's and MindSpore's names (``weight_ih``,
``weight_hh``, ``bias_ih``, ``bias_hh``; gates stacked i, f, g, o for LSTM and r, z, n for
GRU), all initialised U(-1/sqrt(H), 1/sqrt(H)), so checkpoints load unchanged.
"""

from __future__ import annotations

import math
from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.nn.initializer import Uniform, initializer
from mind.core._src.nn.rnn import _RNNBase
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["RNN", "GRUCell", "LSTMCell", "RNNCell"]

_NONLINEARITIES = ("tanh", "relu")


def _nonlinearity(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise MindTypeError(
            f"For '{name}', 'nonlinearity' must be a str, but got {type(value).__name__}."
        )
    if value not in _NONLINEARITIES:
        raise MindValueError(
            f"For '{name}', 'nonlinearity' must be in ['tanh', 'relu'], but got {value!r}."
        )
    return value


class _CellBase(Cell):
    """One recurrent step: ``weight_ih`` (chunks*H, in), ``weight_hh`` (chunks*H, H) and the
    biases (chunks*H,) when ``has_bias``."""

    _chunks = 1

    def __init__(
        self, input_size: int, hidden_size: int, has_bias: bool = True, dtype: Any = dt.float32
    ) -> None:
        super().__init__()
        name = type(self).__name__
        I.check_bool(name, "has_bias", has_bias)
        I.check_int(name, "hidden_size", hidden_size, minimum=1)
        I.check_int(name, "input_size", input_size, minimum=1)
        want = dt.to_dtype(dtype)
        if not want.is_floating_point:
            raise MindTypeError(f"For '{name}', 'dtype' must be a float dtype, got {want}")
        self.input_size, self.hidden_size, self.has_bias = input_size, hidden_size, has_bias
        init = Uniform(1 / math.sqrt(hidden_size))
        rows = self._chunks * hidden_size
        self.weight_ih = Parameter(initializer(init, (rows, input_size), want), name="weight_ih")
        self.weight_hh = Parameter(initializer(init, (rows, hidden_size), want), name="weight_hh")
        if has_bias:
            self.bias_ih = Parameter(initializer(init, (rows,), want), name="bias_ih")
            self.bias_hh = Parameter(initializer(init, (rows,), want), name="bias_hh")
        else:
            self.bias_ih = self.bias_hh = None

    def _check(self, what: str, value: Any) -> Tensor:
        name = type(self).__name__
        if not isinstance(value, Tensor):
            raise MindTypeError(
                f"For '{name}', the '{what}' must be a Tensor, but got {type(value).__name__}."
            )
        if value.dtype not in (dt.float16, dt.float32, dt.float64):
            raise MindTypeError(
                f"For '{name}', the dtype of '{what}' must be float16 or float32, got {value.dtype}"
            )
        return value

    def _gates(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        if x.shape[-1] != self.input_size:
            raise MindValueError(
                f"For '{type(self).__name__}', 'x' has {x.shape[-1]} features but input_size is "
                f"{self.input_size}"
            )
        return F.dense(x, self.weight_ih, self.bias_ih), F.dense(h, self.weight_hh, self.bias_hh)

    def extend_repr(self) -> str:
        return (
            f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"has_bias={self.has_bias}"
        )


class RNNCell(_CellBase):
    """One Elman step: ``h' = nonlinearity(W_ih x + b_ih + W_hh h + b_hh)``, ``nonlinearity``
    'tanh' or 'relu'. ``construct(x, hx)``: x (batch, input_size), hx (batch, hidden_size).

    >>> cell = nn.RNNCell(10, 16)
    >>> cell(Tensor(np.ones((3, 10), np.float32)), Tensor(np.zeros((3, 16), np.float32))).shape
    (3, 16)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        has_bias: bool = True,
        nonlinearity: str = "tanh",
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__(input_size, hidden_size, has_bias, dtype)
        self.nonlinearity = _nonlinearity("RNNCell", nonlinearity)

    def construct(self, x: Tensor, hx: Tensor) -> Tensor:
        x, hx = self._check("x", x), self._check("hx", hx)
        xw, hw = self._gates(x, hx)
        pre = F.add(xw, hw)
        return F.tanh(pre) if self.nonlinearity == "tanh" else F.relu(pre)


class GRUCell(_CellBase):
    """One GRU step (gates r, z, n in the weights' rows)::

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)     z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))  h' = (1 - z) * n + z * h
    """

    _chunks = 3

    def construct(self, x: Tensor, hx: Tensor) -> Tensor:
        x, hx = self._check("x", x), self._check("hx", hx)
        xw, hw = self._gates(x, hx)
        x_r, x_z, x_n = F.split(xw, self.hidden_size, -1)
        h_r, h_z, h_n = F.split(hw, self.hidden_size, -1)
        r = F.sigmoid(F.add(x_r, h_r))
        z = F.sigmoid(F.add(x_z, h_z))
        n = F.tanh(F.add(x_n, F.mul(r, h_n)))
        return F.add(n, F.mul(z, F.sub(hx, n)))


class LSTMCell(_CellBase):
    """One LSTM step (gates i, f, g, o in the weights' rows); ``construct(x, hx)`` with
    ``hx = (h, c)``, returns ``(h', c')``::

        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)     h' = sigmoid(o) * tanh(c')
    """

    _chunks = 4

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        has_bias: bool = True,
        dtype: Any = dt.float32,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if args or "batch_size" in kwargs or "seq_len" in kwargs:
            raise MindValueError(
                "The arguments of 'nn.LSTMCell' from old MindSpore versions (< 1.6) are given: "
                "'nn.LSTMCell' is now one LSTM step; use 'nn.LSTM' for a whole LSTM layer"
            )
        super().__init__(input_size, hidden_size, has_bias, dtype)

    def construct(self, x: Tensor, hx: Any) -> tuple[Tensor, Tensor]:
        x = self._check("x", x)
        if not isinstance(hx, tuple | list) or len(hx) != 2:
            raise MindTypeError(
                f"For 'LSTMCell', 'hx' must be a tuple (h, c), but got {type(hx).__name__}."
            )
        h, c = self._check("hx[0]", hx[0]), self._check("hx[1]", hx[1])
        xw, hw = self._gates(x, h)
        i, f, g, o = F.split(F.add(xw, hw), self.hidden_size, -1)
        c_new = F.add(F.mul(F.sigmoid(f), c), F.mul(F.sigmoid(i), F.tanh(g)))
        return F.mul(F.sigmoid(o), F.tanh(c_new)), c_new


class RNN(_RNNBase):
    """Multi-layer Elman RNN over a sequence (MindSpore's ``nn.RNN``): each layer and time step
    ``h' = nonlinearity(W_ih x + b_ih + W_hh h + b_hh)``, ``nonlinearity`` 'tanh' (default) or
    'relu' (a keyword argument, as in MindSpore).

    Arguments and parameters (H rows) as :class:`mind.core.nn.LSTM`. ``construct(x, hx=None,
    seq_length=None)``: ``hx`` is h_0 (num_layers * num_directions, batch, H), zeros when left
    out. Returns ``(output, h_n)``.

    >>> rnn = nn.RNN(10, 16, 2, batch_first=True)
    >>> output, h_n = rnn(Tensor(np.ones((3, 5, 10), np.float32)))
    >>> output.shape, h_n.shape
    ((3, 5, 16), (2, 3, 16))
    """

    _gates = 1

    def __init__(self, *args: Any, nonlinearity: str = "tanh", **kwargs: Any) -> None:
        nonlinearity = _nonlinearity("RNN", nonlinearity)
        super().__init__(*args, **kwargs)
        self.nonlinearity = nonlinearity

    def _step(self, xw: Tensor, gh: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        pre = F.add(xw, gh)
        return (F.tanh(pre) if self.nonlinearity == "tanh" else F.relu(pre),)

    def _initial_states(self, hx: Any, batch: int, dtype: dt.DType) -> list[tuple[Tensor, ...]]:
        count = self.num_layers * self.num_directions
        if hx is None:
            return [(F.zeros((batch, self.hidden_size), dtype),)] * count
        if isinstance(hx, tuple | list):
            raise MindTypeError("For 'RNN', 'hx' must be a Tensor h_0, not a tuple")
        h0 = self._state_tensor(hx, "hx", batch, dtype)
        return [(h0[k],) for k in range(count)]

    def _pack_states(self, finals: list[tuple[Tensor, ...]]) -> Any:
        return F.stack([s[0] for s in finals], 0)

    def extend_repr(self) -> str:
        return super().extend_repr() + f", nonlinearity={self.nonlinearity}"
