"""Learning-rate schedules: cells mapping the global step to a rate, and MindSpore's list helpers
(``cosine_decay_lr`` ...) that precompute one rate per step."""

from __future__ import annotations

import math
from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "CosineDecayLR",
    "ExponentialDecayLR",
    "InverseDecayLR",
    "LearningRateSchedule",
    "NaturalExpDecayLR",
    "PolynomialDecayLR",
    "WarmUpLR",
    "cosine_decay_lr",
    "exponential_decay_lr",
    "inverse_decay_lr",
    "natural_exp_decay_lr",
    "piecewise_constant_lr",
    "polynomial_decay_lr",
    "warmup_lr",
]


def _steps(op: str, **counts: Any) -> None:
    """Step and epoch counts of the list helpers: positive ints (MindSpore's check)."""
    for name, value in counts.items():
        I.check_int(op, name, value, minimum=1)


def _rates(op: str, **rates: Any) -> None:
    """Learning rates and decay rates: finite numbers >= 0."""
    for name, value in rates.items():
        I.check_number(op, name, value, minimum=0.0)


def _flag(op: str, name: str, value: Any) -> None:
    """A bool argument (MindSpore refuses 1 for True)."""
    if not isinstance(value, bool):
        raise MindTypeError(f"For '{op}', '{name}' must be a bool, but got {type(value).__name__}.")


class _PyMath:
    """The functions the schedules' formulas use, on a Python number."""

    cos, exp, floor, ceil, minimum, maximum = math.cos, math.exp, math.floor, math.ceil, min, max


class _TensorMath:
    """The same on a 0-D float64 step Tensor: the formula then compiles (GRAPH_MODE, jit)."""

    cos, exp, floor, ceil = F.cos, F.exp, F.floor, F.ceil
    minimum, maximum = F.minimum, F.maximum


class LearningRateSchedule(Cell):
    """Base class: ``construct(global_step) -> Tensor`` (0-D, float32). Subclasses write their
    formula once, ``rate(step, m)``, with ``m``'s functions (``math``'s or the ops'), so the same
    code gives a Python float and a compiled graph."""

    def rate(self, step: Any, m: Any = _PyMath) -> Any:
        raise NotImplementedError

    def construct(self, global_step: Any) -> Tensor:
        if isinstance(global_step, Tensor):
            return F.cast(self.rate(F.cast(global_step, dt.float64), _TensorMath), dt.float32)
        return Tensor(float(self.rate(global_step)))


class CosineDecayLR(LearningRateSchedule):
    """``min_lr + (max_lr - min_lr) * (1 + cos(pi * step / decay_steps)) / 2``, held after decay_steps."""

    def __init__(self, min_lr: float, max_lr: float, decay_steps: int) -> None:
        super().__init__()
        _rates("CosineDecayLR", min_lr=min_lr, max_lr=max_lr)
        _steps("CosineDecayLR", decay_steps=decay_steps)
        if decay_steps <= 0 or min_lr < 0 or max_lr < min_lr:
            raise MindValueError(
                "For 'CosineDecayLR', need decay_steps > 0 and 0 <= min_lr <= max_lr"
            )
        self.min_lr, self.max_lr, self.decay_steps = min_lr, max_lr, decay_steps

    def rate(self, step: Any, m: Any = _PyMath) -> Any:
        p = m.minimum(step, self.decay_steps) / self.decay_steps
        return self.min_lr + 0.5 * (self.max_lr - self.min_lr) * (1 + m.cos(math.pi * p))


class WarmUpLR(LearningRateSchedule):
    """``learning_rate * min(step, warmup_steps) / warmup_steps``."""

    def __init__(self, learning_rate: float, warmup_steps: int) -> None:
        super().__init__()
        _rates("WarmUpLR", learning_rate=learning_rate)
        I.check_int("WarmUpLR", "warmup_steps", warmup_steps)
        if warmup_steps <= 0:
            raise MindValueError(f"For 'WarmUpLR', 'warmup_steps' must be > 0, got {warmup_steps}")
        self.learning_rate, self.warmup_steps = learning_rate, warmup_steps

    def rate(self, step: Any, m: Any = _PyMath) -> Any:
        return self.learning_rate * m.minimum(step, self.warmup_steps) / self.warmup_steps


class _DecayLR(LearningRateSchedule):
    """``learning_rate`` decayed by ``decay_rate`` at ``p = step / decay_steps`` (floored with
    ``is_stair``); subclasses say how (``decayed``)."""

    def __init__(
        self, learning_rate: float, decay_rate: float, decay_steps: int, is_stair: bool = False
    ):
        super().__init__()
        op = type(self).__name__
        _rates(op, learning_rate=learning_rate, decay_rate=decay_rate)
        _steps(op, decay_steps=decay_steps)
        _flag(op, "is_stair", is_stair)
        self.learning_rate, self.decay_rate = learning_rate, decay_rate
        self.decay_steps, self.is_stair = decay_steps, is_stair

    def decayed(self, p: Any, m: Any) -> Any:
        raise NotImplementedError

    def rate(self, step: Any, m: Any = _PyMath) -> Any:
        p = step / self.decay_steps
        return self.decayed(m.floor(p) if self.is_stair else p, m)


class ExponentialDecayLR(_DecayLR):
    """``learning_rate * decay_rate ** p``."""

    def decayed(self, p: Any, m: Any) -> Any:
        return self.learning_rate * self.decay_rate**p


class NaturalExpDecayLR(_DecayLR):
    """``learning_rate * exp(-decay_rate * p)``."""

    def decayed(self, p: Any, m: Any) -> Any:
        return self.learning_rate * m.exp(-self.decay_rate * p)


class InverseDecayLR(_DecayLR):
    """``learning_rate / (1 + decay_rate * p)``."""

    def decayed(self, p: Any, m: Any) -> Any:
        return self.learning_rate / (1 + self.decay_rate * p)


class PolynomialDecayLR(LearningRateSchedule):
    """``(learning_rate - end_learning_rate) * (1 - p) ** power + end_learning_rate`` with ``p =
    min(step, decay_steps) / decay_steps``; with ``update_decay_steps`` ``decay_steps`` grows to
    the next multiple of itself at or above the step instead."""

    def __init__(
        self,
        learning_rate: float,
        end_learning_rate: float,
        decay_steps: int,
        power: float,
        update_decay_steps: bool = False,
    ):
        super().__init__()
        _flag("PolynomialDecayLR", "update_decay_steps", update_decay_steps)
        self.update_decay_steps = update_decay_steps
        _rates(
            "PolynomialDecayLR", learning_rate=learning_rate, end_learning_rate=end_learning_rate
        )
        _steps("PolynomialDecayLR", decay_steps=decay_steps)
        I.check_number("PolynomialDecayLR", "power", power)
        self.learning_rate, self.end, self.decay_steps, self.power = (
            learning_rate,
            end_learning_rate,
            decay_steps,
            power,
        )

    def rate(self, step: Any, m: Any = _PyMath) -> Any:
        decay_steps = self.decay_steps
        if self.update_decay_steps:  # the next multiple of decay_steps at or above the step
            decay_steps = decay_steps * m.maximum(m.ceil(step / decay_steps), 1)
        else:
            step = m.minimum(step, decay_steps)
        p = step / decay_steps
        return (self.learning_rate - self.end) * (1 - p) ** self.power + self.end


def natural_exp_decay_lr(
    learning_rate: float,
    decay_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    is_stair: bool = False,
) -> list[float]:
    """``learning_rate * exp(-decay_rate * epoch)`` per step; with ``is_stair`` the epoch is
    rounded down to a multiple of ``decay_epoch``."""
    _rates("natural_exp_decay_lr", learning_rate=learning_rate, decay_rate=decay_rate)
    _steps(
        "natural_exp_decay_lr",
        total_step=total_step,
        step_per_epoch=step_per_epoch,
        decay_epoch=decay_epoch,
    )
    _flag("natural_exp_decay_lr", "is_stair", is_stair)
    out = []
    for i in range(total_step):
        epoch = i // step_per_epoch
        if is_stair:
            epoch = epoch // decay_epoch * decay_epoch
        out.append(learning_rate * math.e ** (-decay_rate * epoch))
    return out


def inverse_decay_lr(
    learning_rate: float,
    decay_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    is_stair: bool = False,
) -> list[float]:
    """``learning_rate / (1 + decay_rate * epoch / decay_epoch)`` per step (the ratio floored
    with ``is_stair``)."""
    _rates("inverse_decay_lr", learning_rate=learning_rate, decay_rate=decay_rate)
    _steps(
        "inverse_decay_lr",
        total_step=total_step,
        step_per_epoch=step_per_epoch,
        decay_epoch=decay_epoch,
    )
    _flag("inverse_decay_lr", "is_stair", is_stair)
    out = []
    for i in range(total_step):
        p = (i // step_per_epoch) / decay_epoch
        out.append(learning_rate / (1 + decay_rate * (math.floor(p) if is_stair else p)))
    return out


def polynomial_decay_lr(
    learning_rate: float,
    end_learning_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    power: float,
    update_decay_epoch: bool = False,
) -> list[float]:
    """``(learning_rate - end) * (1 - epoch / decay_epoch) ** power + end`` per step, the epoch
    capped at ``decay_epoch``; with ``update_decay_epoch`` the decay period grows to the next
    multiple of ``decay_epoch`` instead of the rate staying at ``end``."""
    _rates("polynomial_decay_lr", learning_rate=learning_rate, end_learning_rate=end_learning_rate)
    _steps(
        "polynomial_decay_lr",
        total_step=total_step,
        step_per_epoch=step_per_epoch,
        decay_epoch=decay_epoch,
    )
    _flag("polynomial_decay_lr", "update_decay_epoch", update_decay_epoch)
    I.check_number("polynomial_decay_lr", "power", power, minimum=0.0)
    out = []
    for i in range(total_step):
        epoch = i // step_per_epoch
        period = decay_epoch
        if update_decay_epoch:
            period = decay_epoch * max(1, math.ceil(epoch / decay_epoch))
        else:
            epoch = min(epoch, decay_epoch)
        out.append(
            (learning_rate - end_learning_rate) * (1 - epoch / period) ** power + end_learning_rate
        )
    return out


def cosine_decay_lr(
    min_lr: float, max_lr: float, total_step: int, step_per_epoch: int, decay_epoch: int
) -> list[float]:
    """One rate per step; cosine over ``decay_epoch`` epochs, by epoch as MindSpore's."""
    _rates("cosine_decay_lr", min_lr=min_lr, max_lr=max_lr)
    _steps(
        "cosine_decay_lr",
        total_step=total_step,
        step_per_epoch=step_per_epoch,
        decay_epoch=decay_epoch,
    )
    out = []
    for i in range(total_step):
        epoch = min(i // step_per_epoch, decay_epoch)
        out.append(min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * epoch / decay_epoch)))
    return out


def piecewise_constant_lr(milestone: list[int], learning_rates: list[float]) -> list[float]:
    """``learning_rates[i]`` for steps before ``milestone[i]`` (milestones increasing)."""
    for i, m in enumerate(milestone):
        I.check_int("piecewise_constant_lr", f"milestone[{i}]", m, minimum=1)
    for i, lr in enumerate(learning_rates):
        if not isinstance(lr, float):  # MindSpore's check: floats, not ints
            raise MindTypeError(
                f"For 'piecewise_constant_lr', 'learning_rates[{i}]' must be a float, but got "
                f"{type(lr).__name__}."
            )
        I.check_number("piecewise_constant_lr", f"learning_rates[{i}]", lr, minimum=0.0)
    if len(milestone) != len(learning_rates) or sorted(milestone) != list(milestone):
        raise MindValueError(
            "For 'piecewise_constant_lr', milestone must increase and match learning_rates in length"
        )
    out, last = [], 0
    for m, lr in zip(milestone, learning_rates):
        out += [lr] * (m - last)
        last = m
    return out


def warmup_lr(
    learning_rate: float, total_step: int, step_per_epoch: int, warmup_epoch: int
) -> list[float]:
    """Linear warm-up by epoch: ``learning_rate * min(epoch, warmup_epoch) / warmup_epoch``, the
    first epoch at 0 (MindSpore's values)."""
    _rates("warmup_lr", learning_rate=learning_rate)
    _steps(
        "warmup_lr",
        total_step=total_step,
        step_per_epoch=step_per_epoch,
        warmup_epoch=warmup_epoch,
    )
    return [
        learning_rate * min(i // step_per_epoch, warmup_epoch) / warmup_epoch
        for i in range(total_step)
    ]


def exponential_decay_lr(
    learning_rate: float,
    decay_rate: float,
    total_step: int,
    step_per_epoch: int,
    decay_epoch: int,
    is_stair: bool = False,
) -> list[float]:
    _rates("exponential_decay_lr", learning_rate=learning_rate, decay_rate=decay_rate)
    _steps(
        "exponential_decay_lr",
        total_step=total_step,
        step_per_epoch=step_per_epoch,
        decay_epoch=decay_epoch,
    )
    _flag("exponential_decay_lr", "is_stair", is_stair)
    out = []
    for i in range(total_step):
        p = (i // step_per_epoch) / decay_epoch
        out.append(learning_rate * decay_rate ** (math.floor(p) if is_stair else p))
    return out
