"""MindSpore's optimizers beyond optim's (Adagrad, Adadelta, AdaMax, FTRL, ProximalAdagrad, LazyAdam,
Rprop, ASGD, LARS).

Each defines its update once (``_update_ops``) with the rules of ``ops.optim_ops`` - the same rules
MindSpore's optimizers apply through ``P.ApplyAdagrad``, ``P.ApplyFtrl``... - and assigns the
results into its parameters and slots, so it runs in PyNative mode (the update compiled once) and
inside a compiled training step, as the optimizers of ``optim`` do. Weight decay and the loss
scale are applied as MindSpore's ``Optimizer`` does: ``g / loss_scale + weight_decay * p``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ir.trace import is_tracing
from mind.core._src.nn.optim import Adam, Optimizer, _decays, _f64
from mind.core._src.ops import functional as F
from mind.core._src.ops import optim_ops as O
from mind.core._src.ops.p_optim import ada_factor_update
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "ASGD",
    "FTRL",
    "LARS",
    "AdaFactor",
    "AdaMax",
    "Adadelta",
    "Adagrad",
    "LazyAdam",
    "ProximalAdagrad",
    "Rprop",
]


def _float(op: str, name: str, value: Any) -> float:
    """A float hyper-parameter: MindSpore refuses ints and bools where it asks for a float."""
    if not isinstance(value, float | np.floating):
        raise MindTypeError(f"For '{op}', '{name}' must be a float, got {type(value).__name__}")
    return float(value)


def _bool(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise MindTypeError(f"For '{op}', '{name}' must be a bool, got {type(value).__name__}")
    return value


def _at_least(op: str, name: str, value: float, low: float = 0.0) -> None:
    if not value >= low:
        raise MindValueError(f"For '{op}', '{name}' must be >= {low}, got {value}")


def _nonempty(params: Any) -> Any:
    """MindSpore's check (and message) for an empty parameter list, before the base's."""
    params = list(params)
    if not params:
        raise MindValueError("For 'Optimizer', the argument parameters must not be empty.")
    return params


def _filled(opt: Optimizer, name: str, value: float) -> None:
    """Create the slot ``name`` now, every element ``value`` (MindSpore's ``clone(init=...)``)."""
    for array in opt._state(name):
        array[...] = value


def _decayed(g: Tensor, p: Parameter, wd: Any) -> Tensor:
    return F.add(g, F.mul(p, wd)) if _decays(wd) else g


class Adagrad(Optimizer):
    """MindSpore's Adagrad (``P.ApplyAdagrad``): ``accum += g^2``; ``p -= lr * g / sqrt(accum)``,
    ``accum`` starting at ``accum``."""

    def __init__(
        self,
        params: Any,
        accum: float = 0.1,
        learning_rate: Any = 0.001,
        update_slots: bool = True,
        loss_scale: float = 1.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        accum = _float("Adagrad", "accum", accum)
        _at_least("Adagrad", "accum", accum)
        self.update_slots = _bool("Adagrad", "update_slots", update_slots)
        self.graph_slots = ("accum",)
        _filled(self, "accum", accum)

    def _update_ops(self, i, p, g, lr, wd):
        accum = self._slot_params("accum")[i]
        new_p, new_accum = O.adagrad(p, accum, lr, _decayed(g, p, wd), self.update_slots)
        if self.update_slots:
            F.assign(accum, new_accum)
        F.assign(p, new_p)


class Adadelta(Optimizer):
    """MindSpore's Adadelta (``P.ApplyAdadelta``), as PyTorch's: both accumulators start at 0."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 1.0,
        rho: float = 0.9,
        epsilon: float = 1e-6,
        loss_scale: float = 1.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        self.rho = _float("Adadelta", "rho", rho)
        self.epsilon = _float("Adadelta", "epsilon", epsilon)
        if not 0.0 <= self.rho <= 1.0:
            raise MindValueError(f"For 'Adadelta', 'rho' must be in [0, 1], got {rho}")
        _at_least("Adadelta", "epsilon", self.epsilon)
        self.graph_slots = ("accum", "accum_update")

    def _update_ops(self, i, p, g, lr, wd):
        accum, update = self._slot_params("accum")[i], self._slot_params("accum_update")[i]
        new = O.adadelta(p, accum, update, lr, self.rho, self.epsilon, _decayed(g, p, wd))
        for target, value in zip((p, accum, update), new):
            F.assign(target, value)


class AdaMax(Optimizer):
    """MindSpore's AdaMax (``P.ApplyAdaMax``): ``v = max(beta2 v, |g|)``;
    ``p -= lr / (1 - beta1^t) * m / (v + eps)``."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-08,
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 < _float("AdaMax", name, value) < 1.0:
                raise MindValueError(f"For 'AdaMax', '{name}' must be in (0, 1), got {value}")
        if not _float("AdaMax", "eps", eps) > 0:
            raise MindValueError(f"For 'AdaMax', 'eps' must be > 0, got {eps}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.graph_slots = ("moment1", "moment2")
        self.uses_step_count = True

    def _update_ops(self, i, p, g, lr, wd):
        m, v = self._slot_params("moment1")[i], self._slot_params("moment2")[i]
        t = F.add(self._step_tensor(), 1.0)
        beta1_power = F.cast(F.pow(_f64(self.beta1), t), p.dtype)
        new = O.ada_max(
            p, m, v, beta1_power, lr, self.beta1, self.beta2, self.eps, _decayed(g, p, wd)
        )
        for target, value in zip((p, m, v), new):
            F.assign(target, value)


class FTRL(Optimizer):
    """MindSpore's FTRL (``P.ApplyFtrl``), the accumulators starting at ``initial_accum``. As
    MindSpore, the learning rate is one constant (no schedule, no per-group rates)."""

    def __init__(
        self,
        params: Any,
        initial_accum: float = 0.1,
        learning_rate: float = 0.001,
        lr_power: float = -0.5,
        l1: float = 0.0,
        l2: float = 0.0,
        use_locking: bool = False,
        loss_scale: float = 1.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        rates = {r.constant for r in self.group_lr}
        if None in rates or len(rates) != 1:
            raise MindValueError(
                "For 'FTRL', dynamic learning rate and group learning rate are not supported: "
                "give one float learning_rate"
            )
        accum = _float("FTRL", "initial_accum", initial_accum)
        _at_least("FTRL", "initial_accum", accum)
        self.lr = _float("FTRL", "learning_rate", float(learning_rate))
        if not self.lr > 0:
            raise MindValueError(f"For 'FTRL', 'learning_rate' must be > 0, got {learning_rate}")
        self.lr_power = _float("FTRL", "lr_power", lr_power)
        if self.lr_power > 0:
            raise MindValueError(f"For 'FTRL', 'lr_power' must be <= 0, got {lr_power}")
        self.l1, self.l2 = _float("FTRL", "l1", l1), _float("FTRL", "l2", l2)
        _at_least("FTRL", "l1", self.l1)
        _at_least("FTRL", "l2", self.l2)
        self.use_locking = _bool("FTRL", "use_locking", use_locking)
        self.graph_slots = ("moments", "linear")
        _filled(self, "moments", accum)

    def _update_ops(self, i, p, g, lr, wd):
        accum, linear = self._slot_params("moments")[i], self._slot_params("linear")[i]
        new = O.ftrl(p, accum, linear, _decayed(g, p, wd), lr, self.l1, self.l2, self.lr_power)
        for target, value in zip((p, accum, linear), new):
            F.assign(target, value)


class ProximalAdagrad(Optimizer):
    """MindSpore's ProximalAdagrad (``P.ApplyProximalAdagrad``), ``accum`` starting at
    ``accum``."""

    def __init__(
        self,
        params: Any,
        accum: float = 0.1,
        learning_rate: Any = 0.001,
        l1: float = 0.0,
        l2: float = 0.0,
        use_locking: bool = False,
        loss_scale: float = 1.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        op = "ProximalAdagrad"
        accum = _float(op, "accum", accum)
        self.l1, self.l2 = _float(op, "l1", l1), _float(op, "l2", l2)
        for name, value in (("accum", accum), ("l1", self.l1), ("l2", self.l2)):
            _at_least(op, name, value)
        self.use_locking = _bool(op, "use_locking", use_locking)
        self.graph_slots = ("accum",)
        _filled(self, "accum", accum)

    def _update_ops(self, i, p, g, lr, wd):
        accum = self._slot_params("accum")[i]
        new_p, new_accum = O.proximal_adagrad(p, accum, lr, self.l1, self.l2, _decayed(g, p, wd))
        F.assign(accum, new_accum)
        F.assign(p, new_p)


class LazyAdam(Adam):
    """MindSpore's LazyAdam. Its lazy update (only the rows a sparse gradient names move) applies
    to sparse gradients; Mind's gradients are dense, for which MindSpore's LazyAdam is Adam
    (``P.Adam``), and so is this one."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        use_locking: bool = False,
        use_nesterov: bool = False,
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
    ) -> None:
        _bool("LazyAdam", "use_locking", use_locking)
        _bool("LazyAdam", "use_nesterov", use_nesterov)
        super().__init__(
            params,
            learning_rate,
            beta1,
            beta2,
            eps,
            use_locking,
            use_nesterov,
            weight_decay,
            loss_scale,
        )


class Rprop(Optimizer):
    """Resilient backpropagation, as MindSpore's (and PyTorch's) Rprop: each element's step size
    grows by ``etas[1]`` while its gradient keeps its sign and shrinks by ``etas[0]`` when it
    flips (that step skipped), clipped to ``step_sizes``; the first step size is the learning
    rate. Computed in float32, as MindSpore."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.1,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50.0),
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, _nonempty(params), weight_decay)
        for name, pair in (("etas", etas), ("step_sizes", step_sizes)):
            if not isinstance(pair, tuple):
                raise MindTypeError(
                    f"For 'Rprop', '{name}' must be a tuple, got {type(pair).__name__}"
                )
            if len(pair) != 2:
                raise MindValueError(
                    f"For 'Rprop', '{name}' must be a tuple of 2, got {len(pair)} values"
                )
        if step_sizes[0] > step_sizes[1]:
            raise MindValueError(
                f"For 'Rprop', the maximal step size must not be less than the minimal, got "
                f"{step_sizes}"
            )
        minus, plus = _float("Rprop", "etaminus", etas[0]), _float("Rprop", "etaplus", etas[1])
        if not 0.0 < minus < 1.0:
            raise MindValueError(f"For 'Rprop', 'etaminus' must be in (0, 1), got {minus}")
        if not plus > 1.0:
            raise MindValueError(f"For 'Rprop', 'etaplus' must be > 1, got {plus}")
        self.etaminus, self.etaplus = minus, plus
        self.step_size_min = _float("Rprop", "min_step_sizes", step_sizes[0])
        self.step_size_max = _float("Rprop", "max_step_sizes", step_sizes[1])
        self.graph_slots = ("prev", "step_size")
        self.uses_step_count = True

    def _update_ops(self, i, p, g, lr, wd):
        prev, size = self._slot_params("prev")[i], self._slot_params("step_size")[i]
        f32 = dt.float32
        g32, p32 = F.cast(_decayed(g, p, wd), f32), F.cast(p, f32)
        first = F.equal(self._step_tensor(), 0.0)
        rate = F.mul(F.ones_like(p32), F.cast(_f64(lr), f32))
        size32 = F.where(first, rate, F.cast(size, f32))
        sign = F.sign(F.mul(g32, F.cast(prev, f32)))
        factor = F.where(
            F.greater(sign, 0.0),
            F.full_like(sign, self.etaplus),
            F.where(F.less(sign, 0.0), F.full_like(sign, self.etaminus), F.ones_like(sign)),
        )
        size32 = F.clamp(F.mul(size32, factor), self.step_size_min, self.step_size_max)
        flipped = F.less(sign, 0.0)
        update = F.where(flipped, F.zeros_like(g32), g32)
        F.assign(p, F.cast(F.sub(p32, F.mul(F.sign(update), size32)), p.dtype))
        F.assign(prev, update)
        F.assign(size, size32)


class ASGD(Optimizer):
    """Averaged SGD, as MindSpore's (and PyTorch's) ASGD: ``p = p (1 - lambd eta) - eta g``
    with ``eta = lr / (1 + lambd lr t)^alpha``; the average ``ax`` follows ``p`` with weight
    ``mu = 1 / max(1, t - t0)`` (``t``: the steps before this one). Computed in float32, as
    MindSpore; ``eta`` and ``mu`` are functions of the step count, so with a constant learning
    rate they are MindSpore's values."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.1,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, _nonempty(params), weight_decay)
        self.lambd = _float("ASGD", "lambd", lambd)
        self.alpha = _float("ASGD", "alpha", alpha)
        self.t0 = _float("ASGD", "t0", t0)
        self.graph_slots = ("ax",)
        self.uses_step_count = True

    def _update_ops(self, i, p, g, lr, wd):
        ax = self._slot_params("ax")[i]
        f32 = dt.float32
        t = F.cast(self._step_tensor(), f32)
        rate = F.cast(_f64(lr), f32)
        eta = F.div(rate, F.pow(F.add(1.0, F.mul(F.mul(rate, self.lambd), t)), self.alpha))
        mu = F.div(1.0, F.maximum(F.sub(t, self.t0), 1.0))
        g32, p32 = F.cast(_decayed(g, p, wd), f32), F.cast(p, f32)
        new_p = F.sub(F.mul(p32, F.sub(1.0, F.mul(eta, self.lambd))), F.mul(eta, g32))
        ax32 = F.cast(ax, f32)
        averaged = F.add(ax32, F.mul(F.sub(new_p, ax32), mu))
        F.assign(p, F.cast(new_p, p.dtype))
        F.assign(ax, F.where(F.equal(mu, 1.0), F.cast(p, ax.dtype), F.cast(averaged, ax.dtype)))


def _lars_filter(p: Parameter) -> bool:
    return "LayerNorm" not in p.name and "bias" not in p.name


class LARS(Optimizer):
    """Layer-wise adaptive rate scaling around another optimizer, as MindSpore's LARS: each
    gradient that ``lars_filter`` selects becomes ``P.LARSUpdate``'s (the trust ratio times
    ``g + weight_decay * w``) and the wrapped optimizer takes it, its own weight decay and loss
    scale then off (LARS applies them)."""

    def __init__(
        self,
        optimizer: Optimizer,
        epsilon: float = 1e-05,
        coefficient: float = 0.001,
        use_clip: bool = False,
        lars_filter: Any = _lars_filter,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise MindTypeError(
                f"For 'LARS', 'optimizer' must be an Optimizer, got {type(optimizer).__name__}"
            )
        if isinstance(optimizer, LARS):
            raise MindTypeError("For 'LARS', 'optimizer' must not be a LARS")
        object.__setattr__(self, "_inner", optimizer)
        super().__init__(0.0, [Parameter(np.zeros((), np.float32), name="fake_param")])
        self.epsilon = _float("LARS", "epsilon", epsilon)
        self.coefficient = _float("LARS", "coefficient", coefficient)
        self.use_clip = _bool("LARS", "use_clip", use_clip)
        self.opt = optimizer
        object.__setattr__(self, "_parameters", list(optimizer._parameters))
        self.lars_flag = tuple(bool(lars_filter(p)) for p in self._parameters)
        # The decay and the loss scale move from the wrapped optimizer to LARS.
        object.__setattr__(self, "_scale", optimizer.loss_scale)
        object.__setattr__(self, "_decay", list(optimizer.group_wd))
        object.__setattr__(self, "group_lr", optimizer.group_lr)
        object.__setattr__(self, "group_params", optimizer.group_params)
        optimizer.loss_scale = 1.0
        optimizer.group_wd = [type(w)(0.0, type(optimizer).__name__, "weight_decay") for w in
                              optimizer.group_wd]  # fmt: skip
        object.__setattr__(self, "_ready", True)

    # The step count, slots and graph hooks are the wrapped optimizer's.
    @property
    def global_step(self) -> int:
        inner = self.__dict__.get("_inner")
        return inner.global_step if inner is not None else 0

    @global_step.setter
    def global_step(self, value: int) -> None:
        if self.__dict__.get("_ready"):  # (the base's __init__ sets 0: not the inner's count)
            self._inner.global_step = value

    def graph_ready(self) -> bool:
        return self._inner.graph_ready() and all(w.constant is not None for w in self._decay)

    def prepare_graph(self) -> None:
        self._inner.prepare_graph()

    def state_parameters(self) -> list[Parameter]:
        return self._inner.state_parameters()

    def refreshed_parameters(self) -> list[Parameter]:
        return self._inner.refreshed_parameters()

    def before_graph_step(self) -> None:
        self._inner.before_graph_step()

    def state_dict(self) -> dict[str, np.ndarray]:
        return self._inner.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._inner.load_state_dict(state)

    def get_lr(self) -> Tensor:
        return self._inner.get_lr()

    def _lars_gradients(self, gradients: tuple) -> tuple:
        step = self._inner.global_step
        # Inside a graph a changing learning rate is the wrapped optimizer's graph input.
        held = self._inner.__dict__.get("_slotp_lr") if is_tracing() else None
        out, index = [], 0
        for k, (params, decay, rate) in enumerate(
            zip(self.group_params, self._decay, self.group_lr)
        ):
            lr = 0.0
            if self.use_clip:
                lr = rate.constant if rate.constant is not None or held is None else held[k]
                lr = rate(step) if lr is None else lr
            wd = decay(step)
            for p in params:
                g = gradients[index]
                if self._scale != 1.0:
                    g = F.div(g, self._scale)
                if self.lars_flag[index]:
                    g = O.lars_update(
                        p, F.cast(g, p.dtype), F.sum(F.square(p)), F.sum(F.square(g)), wd, lr,
                        self.epsilon, self.coefficient, self.use_clip,
                    )  # fmt: skip
                out.append(g)
                index += 1
        return tuple(out)

    def construct(self, gradients: Any) -> bool:
        gradients = tuple(gradients)
        if len(gradients) != len(self._parameters):
            raise MindValueError(
                f"For 'LARS', got {len(gradients)} gradients for {len(self._parameters)} "
                "parameters (pass them in optimizer.parameters order)"
            )
        if is_tracing():
            return self._construct_ops(gradients)
        return self._inner(self._lars_gradients(gradients))

    def _construct_ops(self, gradients: tuple, refreshed: bool = False) -> bool:
        refreshed = refreshed or bool(self.__dict__.get("_refreshed_by_step"))
        return self._inner._construct_ops(self._lars_gradients(tuple(gradients)), refreshed)

    def extend_repr(self) -> str:
        return f"optimizer={type(self._inner).__name__}"


class AdaFactor(Optimizer):
    """MindSpore's AdaFactor (Shazeer and Stern, 2018; ``P.FusedAdaFactor``'s update): second
    moments factored into row and column means for a parameter of two or more axes, the update
    clipped to an RMS of ``clip_threshold``. ``beta2`` at step ``t`` is ``1 - t^-decay_rate``.
    With ``relative_step`` the learning rate is ``min(1e-2, 1/sqrt(t))`` (``1e-6 t`` in place of
    ``1e-2`` with ``warmup_init``); ``scale_parameter`` multiplies it by
    ``max(eps[1], RMS(param))``. A manual ``learning_rate`` needs ``relative_step=False``.
    ``compression`` (float16 running averages) is accepted and ignored: the slots keep the
    parameter's dtype."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = None,
        eps: tuple = (1e-30, 1e-3),
        clip_threshold: float = 1.0,
        decay_rate: float = 0.8,
        beta1: float | None = 0.9,
        weight_decay: float = 0.0,
        scale_parameter: bool = True,
        relative_step: bool = True,
        warmup_init: bool = False,
        compression: bool = False,
        loss_scale: float = 1.0,
    ) -> None:
        op = "AdaFactor"
        if learning_rate is not None and relative_step:
            raise MindValueError(
                f"For '{op}', a manual 'learning_rate' cannot be combined with relative_step=True"
            )
        if warmup_init and not relative_step:
            raise MindValueError(f"For '{op}', 'warmup_init' requires relative_step=True")
        if learning_rate is None and not relative_step:
            raise MindValueError(f"For '{op}', relative_step=False needs a 'learning_rate'")
        fixed = learning_rate is None or isinstance(learning_rate, int | float)
        super().__init__(0.0 if learning_rate is None else learning_rate, params, weight_decay,
                         loss_scale)  # fmt: skip
        if not isinstance(eps, tuple | list) or len(eps) != 2:
            raise MindValueError(f"For '{op}', 'eps' must hold 2 floats (eps1, eps2), got {eps!r}")
        self.eps = tuple(_float(op, f"eps{i}", e) for i, e in enumerate(eps))
        for i, e in enumerate(self.eps):
            _at_least(op, f"eps{i}", e)
        self.clip_threshold = _float(op, "clip_threshold", clip_threshold)
        _at_least(op, "clip_threshold", self.clip_threshold)
        self.decay_rate = _float(op, "decay_rate", decay_rate)
        if not 0.0 < self.decay_rate < 1.0:
            raise MindValueError(f"For '{op}', 'decay_rate' must be in (0, 1), got {decay_rate}")
        if not 0.0 <= float(weight_decay) < 1.0:
            raise MindValueError(
                f"For '{op}', 'weight_decay' must be in [0, 1), got {weight_decay}"
            )
        beta1 = 0.0 if beta1 is None else beta1
        if isinstance(beta1, bool) or not isinstance(beta1, int | float):
            raise MindTypeError(f"For '{op}', 'beta1' must be a float, got {type(beta1).__name__}")
        _at_least(op, "beta1", float(beta1))
        self.beta1 = float(beta1)
        self.relative_step = _bool(op, "relative_step", relative_step)
        self.warmup_init = _bool(op, "warmup_init", warmup_init)
        self.compression = _bool(op, "compression", compression)
        # A schedule's rate is taken as it is (MindSpore neither scales nor replaces it).
        self.scale_parameter = _bool(op, "scale_parameter", scale_parameter) and fixed
        self.relative_step = self.relative_step and fixed
        self.use_first_moment = self.beta1 > 0
        self.decay_flag = bool(weight_decay)
        self.graph_slots = ("exp_avg", "exp_avg_sq_row", "exp_avg_sq_col", "exp_avg_sq")
        self.uses_step_count = True
        for name, shape in (
            ("exp_avg", lambda s: s if self.use_first_moment else ()),
            ("exp_avg_sq_row", lambda s: s[:-1] if len(s) > 1 else (1,)),
            ("exp_avg_sq_col", lambda s: s[:-2] + s[-1:] if len(s) > 1 else (1,)),
            ("exp_avg_sq", lambda s: (1,) if len(s) > 1 else s),
        ):
            self._shaped_slot(name, shape)

    def _shaped_slot(self, name: str, shape: Any) -> None:
        """Create the zero slot ``name`` with ``shape(param.shape)`` per parameter (the base's
        slots have the parameter's shape; the factored moments do not)."""
        params = [
            Parameter(
                np.zeros(shape(tuple(p.shape)), p._data.dtype),
                name=f"{name}.{p.name}",
                requires_grad=False,
            )
            for p in self._parameters
        ]
        object.__setattr__(self, f"_slotp_{name}", params)
        object.__setattr__(self, f"_slot_{name}", [sp._data for sp in params])

    def _update_ops(self, i, p, g, lr, wd):
        slots = [self._slot_params(name)[i] for name in self.graph_slots]
        step = F.add(self._step_tensor(), 1.0)
        if self.relative_step:
            low = F.mul(step, 1e-6) if self.warmup_init else 1e-2
            lr = F.minimum(low, F.rsqrt(step))
        beta2t = F.cast(F.sub(1.0, F.pow(step, -self.decay_rate)), dt.float32)
        new = ada_factor_update(
            self.eps, self.clip_threshold, self.beta1, beta2t, F.cast(_f64(wd), dt.float32),
            F.cast(_f64(lr), dt.float32), g, p, *slots,
            self.scale_parameter, self.use_first_moment, self.decay_flag,
        )  # fmt: skip
        for target, value in zip((p, *slots), new):
            F.assign(target, value)
