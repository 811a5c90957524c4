"""Recurrent cells and the plain RNN with MindSpore's names (RNNCell, GRUCell, LSTMCell, RNN)."""

from __future__ import annotations

__all__: list[str] = []
