"""Optimizers, called as ``optimizer(grads)`` with the gradients in parameter order.

Updates happen in place on the parameters' arrays (the documented exception to "ops never mutate
their inputs"), with numpy ``out=`` arithmetic so a step allocates almost nothing. Each optimizer
follows MindSpore's update rule; docs/migration.md notes where a rule differs from PyTorch's.

Parameter groups: ``params`` may be a list of dicts ``{"params": [...], "lr": ...,
"weight_decay": ...}``; a group without a key uses the optimizer's value. ``learning_rate`` may be a
number, a 0-D Tensor, a list of per-step values, or a ``LearningRateSchedule``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from mind.core._src.ir.trace import GraphModeError, is_tracing, user_location
from mind.core._src.nn.cell import Cell
from mind.core._src.nn.learning_rate import LearningRateSchedule
from mind.core._src.ops import functional as F
from mind.core._src.ops import infer as I
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, ParameterTuple, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["SGD", "Adam", "AdamW", "AdamWeightDecay", "Lamb", "Momentum", "Optimizer", "RMSProp"]


def _f64(value: Any) -> Tensor:
    """A float64 scalar graph value: a Tensor as it is (learning-rate inputs already are), a
    Python number as a 0-D float64 constant."""
    return value if isinstance(value, Tensor) else Tensor(np.array(value, np.float64))


def _decays(wd: Any) -> bool:
    """Whether a weight decay applies: a graph input (a schedule's value) always does."""
    return isinstance(wd, Tensor) or wd != 0


def _lr_as(lr: Any, p: Parameter) -> Any:
    """A learning rate for ``p``'s update: a float as it is, a float64 graph input cast to
    ``p``'s dtype (as numpy casts a Python float against an array)."""
    if isinstance(lr, Tensor):
        return F.cast(lr, p.dtype)
    return lr


class _LR:
    """A learning rate (or a weight decay) as a function of the step: constant, per-step list,
    or schedule (for a weight decay, any Cell called with the step, as MindSpore's dynamic
    weight decay)."""

    def __init__(self, value: Any, op: str = "Optimizer", name: str = "learning_rate") -> None:
        schedules = Cell if name == "weight_decay" else LearningRateSchedule
        if isinstance(value, schedules):
            self.schedule, self.values, self.constant = value, None, None
        elif (isinstance(value, Tensor) and value.ndim == 0) or (
            isinstance(value, int | float | np.integer | np.floating)
            and not isinstance(value, bool)
        ):
            self.schedule, self.values, self.constant = None, None, float(value)
            I.check_number(op, name, self.constant, minimum=0.0)
        elif isinstance(value, Tensor | Sequence | np.ndarray) and not isinstance(
            value, str | bytes
        ):
            try:
                values = np.asarray(
                    value._data if isinstance(value, Tensor) else value, dtype=np.float64
                ).reshape(-1)
            except (TypeError, ValueError):
                raise MindTypeError(
                    f"For '{op}', '{name}' as a list must hold numbers, but got {value!r}."
                ) from None
            self.schedule, self.values, self.constant = None, values, None
            if not len(self.values):
                raise MindValueError(f"For '{op}', '{name}' as a list must not be empty.")
            if not (np.isfinite(values).all() and (values >= 0).all()):
                raise MindValueError(
                    f"For '{op}', '{name}' values must be finite numbers >= 0, but got "
                    f"{values[~(np.isfinite(values) & (values >= 0))][0]}."
                )
        else:
            raise MindTypeError(
                f"For '{op}', '{name}' must be a number, a Tensor, a list or a "
                f"{schedules.__name__}, but got {type(value).__name__}."
            )

    def __call__(self, step: int) -> float:
        if self.constant is not None:
            return self.constant
        if self.values is not None:
            return float(self.values[min(step, len(self.values) - 1)])
        rate = getattr(type(self.schedule), "rate", LearningRateSchedule.rate)
        if rate is not LearningRateSchedule.rate:  # one of Mind's schedules: its formula
            return float(self.schedule.rate(step))
        return float(self.schedule(Tensor(step)).item())  # a user's construct


class Optimizer(Cell):
    """Base class. Subclasses implement ``_update_ops(index, param, grad, lr, weight_decay)``
    once, with ops (``assign`` into the parameter and its slots), and name their slots in
    ``graph_slots``: a compiled training step traces it into its graph, and a PyNative call runs
    the same update compiled on its own."""

    def __init__(
        self,
        learning_rate: Any,
        parameters: Any,
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
    ) -> None:
        super().__init__(auto_prefix=False)
        op = type(self).__name__
        I.check_number(op, "loss_scale", loss_scale)
        if not loss_scale > 0:
            raise MindValueError(f"For '{op}', 'loss_scale' must be > 0, but got {loss_scale}.")
        if parameters is None:
            parameters = []
        if isinstance(parameters, Parameter):
            raise MindTypeError(
                f"For '{op}', 'params' must be a list of Parameters (net.trainable_params()), "
                "got one Parameter"
            )
        parameters = list(parameters) if not isinstance(parameters, list) else parameters
        if not parameters:
            raise MindValueError(  # MindSpore's wording quoted: its tests match it
                f"For '{op}', 'params' must not be empty (MindSpore: \"For 'Optimizer', the "
                'argument parameters must not be empty")'
            )
        if isinstance(parameters[0], dict):
            groups = parameters
        else:
            groups = [{"params": parameters}]
        self.group_params: list[list[Parameter]] = []
        self.group_lr: list[_LR] = []
        self.group_wd: list[_LR] = []
        for group in groups:
            if "order_params" in group:
                continue
            params = list(group["params"])
            for p in params:
                if not isinstance(p, Parameter):
                    raise MindTypeError(
                        f"For '{type(self).__name__}', 'params' must hold Parameters "
                        f"(net.trainable_params()), got {type(p).__name__}"
                    )
            self.group_params.append(params)
            self.group_lr.append(_LR(group.get("lr", learning_rate), op))
            self.group_wd.append(_LR(group.get("weight_decay", weight_decay), op, "weight_decay"))
        object.__setattr__(self, "_parameters", [p for ps in self.group_params for p in ps])
        if len({id(p) for p in self._parameters}) != len(self._parameters):
            raise MindValueError(f"For '{type(self).__name__}', a parameter appears in two groups")
        self.loss_scale = float(loss_scale)
        self.global_step = 0
        self.learning_rate = learning_rate

    @property
    def parameters(self) -> ParameterTuple:
        """The parameters it updates, in gradient order (a ParameterTuple, as MindSpore's: a
        custom ``construct`` may ``clone`` it for its slots)."""
        return ParameterTuple(self._parameters)

    #: Slots an optimizer that can run inside a compiled step needs before tracing.
    graph_slots: tuple[str, ...] | None = None
    #: Whether the in-graph update reads the step count (Adam's bias correction).
    uses_step_count = False

    def _state(self, name: str) -> list[np.ndarray]:
        """A zero-initialised slot (momentum, moments...) per parameter, created once.

        Each slot array is also held by a Parameter (``_slotp_<name>``), so a compiled training
        step takes the slots as graph inputs and updates them in place with ``assign``.
        """
        slots = self.__dict__.get(f"_slot_{name}")
        if slots is None:
            params = [
                Parameter(
                    np.zeros(p._data.shape, p._data.dtype),
                    name=f"{name}.{p.name}",
                    requires_grad=False,
                )
                for p in self._parameters
            ]
            slots = [sp._data for sp in params]
            object.__setattr__(self, f"_slotp_{name}", params)
            object.__setattr__(self, f"_slot_{name}", slots)
        return slots

    def state_parameters(self) -> list[Parameter]:
        """The Parameters this optimizer holds outside any network: its slots (momentum,
        moments...), and the learning rate and step count a compiled step reads as inputs. A
        compiled function that reaches the optimizer takes them as graph inputs (any Cell may
        define this method for Parameters of its own outside its parameter tree)."""
        found: list[Parameter] = []
        for key, value in self.__dict__.items():
            if key.startswith("_slotp_"):
                found.extend(value if isinstance(value, list) else [value])
        return found

    def refreshed_parameters(self) -> list[Parameter]:
        """The state parameters :meth:`before_graph_step` rewrites before each compiled step (the
        step count, the learning rates)."""
        step = self.__dict__.get("_slotp_global_step")
        rates = [*self.__dict__.get("_slotp_lr", ()), *self.__dict__.get("_slotp_wd", ())]
        return ([step] if step is not None else []) + rates

    def _slot_params(self, name: str) -> list[Parameter]:
        self._state(name)
        return self.__dict__[f"_slotp_{name}"]

    def graph_ready(self) -> bool:
        """Whether this optimizer can update parameters inside a compiled step: it defines its
        update with ops (``_update_ops``). A learning rate that changes with the step (a list, a
        schedule) is a graph input the step refreshes, not a constant."""
        return self.graph_slots is not None

    def prepare_graph(self) -> None:
        """Create every slot before tracing, so the slots are graph inputs, not constants; and a
        float64 scalar Parameter per group for the learning rate where it is not a constant."""
        for name in self.graph_slots or ():
            self._state(name)
        if self.uses_step_count:
            self._step_tensor()
        for key, name, rates in (
            ("_slotp_lr", "learning_rate", self.group_lr),
            ("_slotp_wd", "weight_decay", self.group_wd),
        ):
            if key not in self.__dict__:
                inputs = [
                    Parameter(np.array(r(0), np.float64), name=f"{name}.{i}", requires_grad=False)
                    for i, r in enumerate(rates)
                ]
                object.__setattr__(self, key, inputs)

    def _update_ops(self, i: int, p: Parameter, g: Tensor, lr: float, wd: float) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update_ops")

    def before_graph_step(self) -> None:
        """Called by a compiled training step before each run: copy host-side state the graph
        reads (the step count) into its graph inputs."""
        step = self.__dict__.get("_slotp_global_step")
        if step is not None:
            step._data[...] = self.global_step
        for rates, key in ((self.group_lr, "_slotp_lr"), (self.group_wd, "_slotp_wd")):
            for rate, held in zip(rates, self.__dict__.get(key, ())):
                held._data[...] = rate(self.global_step)

    def _step_tensor(self) -> Parameter:
        """The step count as a float64 scalar Parameter, so a compiled step reads it as an input
        (a Python int would be a constant and retrace every step)."""
        step = self.__dict__.get("_slotp_global_step")
        if step is None:
            step = Parameter(
                np.array(self.global_step, np.float64), name="global_step", requires_grad=False
            )
            object.__setattr__(self, "_slotp_global_step", step)
        return step

    def _moments_ops(self, i: int, g: Tensor) -> tuple[Tensor, Tensor]:
        """:meth:`_moments` as graph ops: the new moments, assigned into the slots."""
        m, v = self._slot_params("moment1")[i], self._slot_params("moment2")[i]
        m_new = F.add(F.mul(m, self.beta1), F.mul(g, 1 - self.beta1))
        v_new = F.add(F.mul(v, self.beta2), F.mul(F.mul(g, 1 - self.beta2), g))
        F.assign(m, m_new)
        F.assign(v, v_new)
        return m_new, v_new

    def _bias_corrections_ops(self) -> tuple[Tensor, Tensor]:
        """``1 - beta1**t`` and ``1 - beta2**t`` for this step, float64 graph values."""
        t = F.add(self._step_tensor(), 1.0)
        return tuple(F.sub(_f64(1.0), F.pow(_f64(beta), t)) for beta in (self.beta1, self.beta2))

    def state_dict(self) -> dict[str, np.ndarray]:
        """Slots and step as plain arrays (for checkpoints): ``{"<slot>.<param name>": array}``."""
        out = {"global_step": np.asarray(self.global_step, dtype=np.int64)}
        for key, value in self.__dict__.items():
            if key.startswith("_slot_"):
                for p, arr in zip(self._parameters, value):
                    out[f"{key[6:]}.{p.name}"] = arr
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.global_step = int(np.asarray(state.get("global_step", self.global_step)))
        slot_names = {k.split(".", 1)[0] for k in state if "." in k}
        for slot in slot_names:
            arrays = self._state(slot)
            for i, p in enumerate(self._parameters):
                key = f"{slot}.{p.name}"
                if key in state:
                    arrays[i][...] = np.asarray(state[key])

    def _graph_call(self, *inputs: Any) -> Any:
        # An optimizer updates parameters in place; it runs eagerly after the compiled step.
        return self.construct(*inputs)

    def get_lr(self) -> Tensor:
        return Tensor(self.group_lr[0](self.global_step))

    def construct(self, gradients: Iterable[Tensor] | None = None) -> bool:
        if type(self)._update_ops is Optimizer._update_ops:
            raise NotImplementedError(
                f"{type(self).__name__} defines no update: subclass Optimizer and define "
                "_update_ops (or construct)"
            )
        if gradients is None:
            raise MindTypeError(f"For '{type(self).__name__}', pass the gradients")
        gradients = tuple(gradients)
        if is_tracing():
            return self._construct_ops(gradients)
        if len(gradients) != len(self._parameters):
            raise MindValueError(
                f"For '{type(self).__name__}', got {len(gradients)} gradients for "
                f"{len(self._parameters)} parameters (pass them in optimizer.parameters order)"
            )
        for p, g in zip(self._parameters, gradients):
            if g.shape != p.shape:
                raise MindValueError(
                    f"For '{type(self).__name__}', the gradient of '{p.name}' has shape "
                    f"{g.shape}, the parameter {p.shape}"
                )
        # The update _update_ops defines, compiled once per gradient signature and run by the
        # runtime (its buffers reused from step to step): PyNative and compiled training steps
        # run the same update, and neither pays a fresh temporary per op.
        update = self.__dict__.get("_eager_update")
        if update is None:
            from mind.core._src.jit import JitFunction

            self.prepare_graph()
            update = JitFunction(
                # This call refreshes the step count and learning rates itself (below).
                lambda grads, _params: self._construct_ops(grads, refreshed=True),
                f"{type(self).__name__}.update",
                host_fallback=True,  # on a device without graph mode: the cpu runtime
            )
            object.__setattr__(self, "_eager_update", update)
        self.before_graph_step()
        update(gradients, self._parameters)  # the parameters: the graph's weights, updated in place
        self.global_step += 1
        return True

    def _construct_ops(self, gradients: tuple, refreshed: bool = False) -> bool:
        """The update as graph nodes: ops, then ``assign`` into parameters and slots. The step
        counter advances when the compiled step runs (TrainOneStepCell does it), not here.
        ``refreshed``: the caller refreshes the step count and learning rates before each run."""

        if not self.graph_ready():
            raise GraphModeError(
                f"{user_location()}: {type(self).__name__} with this learning rate cannot update "
                "parameters inside a compiled graph yet; call it outside jit (TrainOneStepCell does)"
            )
        if len(gradients) != len(self._parameters):
            raise MindValueError(
                f"For '{type(self).__name__}', got {len(gradients)} gradients for "
                f"{len(self._parameters)} parameters (pass them in optimizer.parameters order)"
            )
        varying = self.uses_step_count or any(
            r.constant is None for r in (*self.group_lr, *self.group_wd)
        )
        if varying and not (refreshed or self.__dict__.get("_refreshed_by_step")):
            raise GraphModeError(
                f"{user_location()}: {type(self).__name__} reads the step count or a changing "
                "learning rate, which a compiled graph only sees when the step refreshes them; "
                "train with nn.TrainOneStepCell, or call the optimizer outside jit"
            )
        index = 0
        lr_inputs = self.__dict__.get("_slotp_lr") or [None] * len(self.group_lr)
        wd_inputs = self.__dict__.get("_slotp_wd") or [None] * len(self.group_wd)
        for params, lr_fn, wd_fn, lr_input, wd_input in zip(
            self.group_params, self.group_lr, self.group_wd, lr_inputs, wd_inputs
        ):
            lr = lr_fn.constant if lr_fn.constant is not None else lr_input
            wd = wd_fn.constant if wd_fn.constant is not None else wd_input
            for p in params:
                g = gradients[index]
                if self.loss_scale != 1.0:
                    g = g / self.loss_scale
                self._update_ops(index, p, g, lr, wd)
                index += 1
        return True

    def extend_repr(self) -> str:
        return f"parameters={len(self._parameters)}"


class SGD(Optimizer):
    """``v = momentum * v + (1 - dampening) * g``; ``p -= lr * v`` (or the Nesterov form)."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.1,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        loss_scale: float = 1.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        I.check_number("SGD", "momentum", momentum, minimum=0.0)
        I.check_number("SGD", "dampening", dampening)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise MindValueError("For 'SGD', nesterov needs momentum > 0 and dampening 0")
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.graph_slots = ("moments",) if momentum else ()

    def _update_ops(self, i, p, g, lr, wd):
        if _decays(wd):
            g = F.add(g, F.mul(p, wd))
        if self.momentum:
            v = self._slot_params("moments")[i]
            v_new = F.add(F.mul(v, self.momentum), F.mul(g, 1 - self.dampening))
            F.assign(v, v_new)
            g = F.add(g, F.mul(v_new, self.momentum)) if self.nesterov else v_new
        F.assign(p, F.sub(p, F.mul(g, _lr_as(lr, p))))


class Momentum(Optimizer):
    """MindSpore's ApplyMomentum: ``v = momentum * v + g``; ``p -= lr * v``."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any,
        momentum: float,
        weight_decay: float = 0.0,
        loss_scale: float = 1.0,
        use_nesterov: bool = False,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        I.check_number("Momentum", "momentum", momentum, minimum=0.0)
        self.momentum, self.use_nesterov = float(momentum), use_nesterov
        self.graph_slots = ("moments",)

    def _update_ops(self, i, p, g, lr, wd):
        if _decays(wd):
            g = F.add(g, F.mul(p, wd))
        v = self._slot_params("moments")[i]
        if not isinstance(lr, Tensor):
            F.apply_momentum(p, v, lr, g, self.momentum, self.use_nesterov)
            return
        # A learning rate that is a graph input: ApplyMomentum's kernel, op for op.
        v_new = F.add(F.mul(v, self.momentum), g)
        F.assign(v, v_new)
        step = F.add(g, F.mul(v_new, self.momentum)) if self.use_nesterov else v_new
        F.assign(p, F.sub(p, F.mul(step, _lr_as(lr, p))))


class Adam(Optimizer):
    """Adam with bias correction folded into the step size, as MindSpore's Adam."""

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
        use_amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        # MindSpore's use_lazy (LazyAdam's update, for sparse gradients) and use_offload (the
        # update on the host): with dense gradients on one host, both are this update.
        unknown = set(kwargs) - {"use_lazy", "use_offload"}
        if unknown:
            raise MindTypeError(f"For 'Adam', unexpected keyword arguments {sorted(unknown)}")
        if kwargs.get("use_lazy") and kwargs.get("use_offload"):
            raise MindValueError("For 'Adam', 'use_lazy' and 'use_offload' cannot both be True")
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        _check_betas("Adam", beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.use_nesterov, self.use_amsgrad = use_nesterov, use_amsgrad

        self.graph_slots = ("moment1", "moment2") + (("vhat_max",) if use_amsgrad else ())
        self.uses_step_count = True

    def _update_ops(self, i, p, g, lr, wd):
        # The eager update below, op for op: the moments in p's dtype, the bias-corrected step
        # size in float64 from the step count (a graph input), then cast as numpy casts a float.
        if _decays(wd):
            g = F.add(g, F.mul(p, wd))
        m_new, v_new = self._moments_ops(i, g)
        denom_v = v_new
        if self.use_amsgrad:
            vmax = self._slot_params("vhat_max")[i]
            denom_v = F.maximum(vmax, v_new)
            F.assign(vmax, denom_v)
        bias1, bias2 = self._bias_corrections_ops()
        lr_t = F.cast(F.div(F.mul(F.sqrt(bias2), lr), bias1), p.dtype)
        num = (
            F.add(F.mul(m_new, self.beta1), F.mul(g, 1 - self.beta1))
            if self.use_nesterov
            else m_new
        )
        F.assign(p, F.sub(p, F.div(F.mul(num, lr_t), F.add(F.sqrt(denom_v), self.eps))))


class AdamWeightDecay(Optimizer):
    """MindSpore's AdamWeightDecay: decoupled weight decay and no bias correction."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay)
        _check_betas("AdamWeightDecay", beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.graph_slots = ("moment1", "moment2")

    def _update_ops(self, i, p, g, lr, wd):
        m_new, v_new = self._moments_ops(i, g)
        update = F.div(m_new, F.add(F.sqrt(v_new), self.eps))
        if _decays(wd):
            update = F.add(update, F.mul(p, wd))
        F.assign(p, F.sub(p, F.mul(update, _lr_as(lr, p))))


class AdamW(Optimizer):
    """AdamW as in PyTorch and ``mindspore.experimental.optim.AdamW``: bias-corrected moments,
    decoupled decay ``p -= lr * wd * p``."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay)
        _check_betas("AdamW", beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.graph_slots = ("moment1", "moment2")
        self.uses_step_count = True

    def _update_ops(self, i, p, g, lr, wd):
        # The eager update below, op for op; scalars computed in float64, then cast to p's dtype.
        like = p.dtype
        start = p
        if _decays(wd):
            start = F.mul(p, F.cast(F.sub(_f64(1.0), F.mul(_f64(lr), wd)), like))
        m_new, v_new = self._moments_ops(i, g)
        bias1, bias2 = self._bias_corrections_ops()
        m_hat = F.div(m_new, F.cast(bias1, like))
        v_hat = F.div(v_new, F.cast(bias2, like))
        step = F.div(F.mul(m_hat, _lr_as(lr, p)), F.add(F.sqrt(v_hat), self.eps))
        F.assign(p, F.sub(start, step))


class Lamb(Optimizer):
    """LAMB: Adam's direction (plus decoupled decay) scaled by the layer's trust ratio."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay)
        _check_betas("Lamb", beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.graph_slots = ("moment1", "moment2")
        self.uses_step_count = True

    def _update_ops(self, i, p, g, lr, wd):
        # The eager update below: the moments and the update in p's dtype, the norms, the trust
        # ratio and its product with the learning rate in float64, then cast to p's dtype.
        like = p.dtype
        m_new, v_new = self._moments_ops(i, g)
        bias1, bias2 = self._bias_corrections_ops()
        v_hat = F.div(v_new, F.cast(bias2, like))
        update = F.div(F.div(m_new, F.cast(bias1, like)), F.add(F.sqrt(v_hat), self.eps))
        if _decays(wd):
            update = F.add(update, F.mul(p, wd))
        w_norm = F.cast(F.sqrt(F.sum(F.mul(p, p))), dt.float64)
        u_norm = F.cast(F.sqrt(F.sum(F.mul(update, update))), dt.float64)
        zero, one = _f64(0.0), _f64(1.0)
        both = F.logical_and(F.greater(w_norm, zero), F.greater(u_norm, zero))
        ratio = F.where(both, F.div(w_norm, F.where(both, u_norm, one)), one)
        scale = F.cast(F.mul(_f64(lr), ratio), like)
        F.assign(p, F.sub(p, F.mul(update, scale)))


class RMSProp(Optimizer):
    """RMSProp as MindSpore's ApplyRMSProp / ApplyCenteredRMSProp."""

    def __init__(
        self,
        params: Any,
        learning_rate: Any = 0.1,
        decay: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-10,
        use_locking: bool = False,
        centered: bool = False,
        loss_scale: float = 1.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if not 0 <= decay <= 1 or momentum < 0 or epsilon <= 0:
            raise MindValueError("For 'RMSProp', need 0 <= decay <= 1, momentum >= 0, epsilon > 0")
        self.decay, self.momentum, self.epsilon, self.centered = decay, momentum, epsilon, centered
        self.graph_slots = ("mean_square", "moment") + (("mean_grad",) if centered else ())

    def _update_ops(self, i, p, g, lr, wd):
        # The eager update below, op for op.
        if _decays(wd):
            g = F.add(g, F.mul(p, wd))
        ms, mom = self._slot_params("mean_square")[i], self._slot_params("moment")[i]
        ms_new = F.add(F.mul(ms, self.decay), F.mul(F.mul(g, 1 - self.decay), g))
        F.assign(ms, ms_new)
        denom = ms_new
        if self.centered:
            mg = self._slot_params("mean_grad")[i]
            mg_new = F.add(F.mul(mg, self.decay), F.mul(g, 1 - self.decay))
            F.assign(mg, mg_new)
            denom = F.sub(ms_new, F.mul(mg_new, mg_new))
        scaled = F.div(F.mul(g, _lr_as(lr, p)), F.sqrt(F.add(denom, self.epsilon)))
        mom_new = F.add(F.mul(mom, self.momentum), scaled)
        F.assign(mom, mom_new)
        F.assign(p, F.sub(p, mom_new))


def _check_betas(name: str, beta1: float, beta2: float, eps: float) -> None:
    I.check_number(name, "beta1", beta1)
    I.check_number(name, "beta2", beta2)
    I.check_number(name, "eps", eps)
    if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
        raise MindValueError(
            f"For '{name}', beta1 and beta2 must be in [0, 1), got {beta1}, {beta2}"
        )
    if eps <= 0:
        raise MindValueError(f"For '{name}', 'eps' must be > 0, got {eps}")
