"""MindSpore's optimizers beyond optim's (Adagrad, Adadelta, AdaMax, FTRL, ProximalAdagrad, LazyAdam, Rprop, ASGD, LARS)."""

from __future__ import annotations

__all__: list[str] = []
