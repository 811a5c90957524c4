"""The base of MindSpore's experimental (PyTorch-style) optimizers.

An optimizer is a Cell called with the gradients in parameter order, ``optimizer(grads)``. Its
``param_groups`` are dicts, each with its own hyperparameters. A group's ``lr`` is a 0-D float64
Parameter, so a compiled training step reads it as a graph input: a scheduler (or
``group["lr"] = x``) changes it between steps without a recompile. The other hyperparameters
are Python numbers, constants of a compiled step. Each optimizer writes its update once, with
ops and ``assign`` (:meth:`Optimizer._update`), for PyNative and ``jit`` alike; its state (step
counts, moments) lives in Parameters, created with the group, so a compiled step takes them as
inputs and updates them in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from mind.core._src.ir.trace import GraphModeError, is_tracing, user_location
from mind.core._src.nn.cell import Cell
from mind.core._src.ops import functional as F
from mind.core._src.tensor.tensor import Parameter, ParameterTuple, Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["Optimizer"]


class _ParamGroup(dict):
    """A parameter group. Its ``"lr"`` is the group's learning-rate Parameter: assigning a
    number (or a Tensor) to ``group["lr"]`` writes it into that Parameter, as PyTorch users and
    the schedulers do, so a compiled step sees the new value."""

    def __setitem__(self, key: str, value: Any) -> None:
        held = self.get("lr")
        if key == "lr" and isinstance(held, Parameter) and value is not held:
            F.assign(held, Tensor(np.asarray(_lr_value(value), np.float64)))
            return
        super().__setitem__(key, value)


def _lr_value(lr: Any) -> float:
    """A learning rate as a float: a number or a 0-D Tensor, >= 0."""
    if isinstance(lr, Tensor):
        if lr.ndim != 0:
            raise MindValueError(
                f"For 'Optimizer', a learning rate Tensor must be 0-D, got shape {lr.shape}."
            )
        lr = lr.item()
    if isinstance(lr, bool) or not isinstance(lr, int | float | np.integer | np.floating):
        raise MindTypeError(
            f"For 'Optimizer', the learning rate must be a number or a 0-D Tensor, got "
            f"{type(lr).__name__}."
        )
    if not lr >= 0:
        raise MindValueError(f"For 'Optimizer', the learning rate must be >= 0, got {lr}.")
    return float(lr)


def f64(value: Any) -> Tensor:
    """A 0-D float64 Tensor (a Tensor as it is): scalar arithmetic in float64 in every mode."""
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value, np.float64))


class Optimizer(Cell):
    """Base class of the experimental optimizers (``mindspore.experimental.optim.Optimizer``).

    ``params``: Parameters, or dicts ``{"params": [...], "lr": ..., ...}`` (parameter groups);
    ``defaults``: each hyperparameter's value for a group that does not give it. A subclass
    defines ``_init_state(param, group)`` (its state Parameters) and ``_update(param, grad,
    group, state)`` with ops; or, as in MindSpore, its own ``construct(gradients)`` reading
    ``self.param_groups`` and ``self.group_start_id`` and writing with ``ops.assign``.
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        super().__init__(auto_prefix=False)
        if params is None:
            raise MindValueError("For 'Optimizer', 'params' must not be None.")
        if isinstance(params, Parameter) or not isinstance(params, Iterable):
            raise MindTypeError(
                f"For 'Optimizer', 'params' must be an iterable of Parameters or dicts, got "
                f"{type(params).__name__}."
            )
        groups = list(params)
        if not groups:
            raise MindValueError("For 'Optimizer', 'params' must not be empty.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        # Plain attributes, not registered as the Cell's own parameters: the groups' Parameters
        # belong to the network; the optimizer's own ones are listed by state_parameters().
        object.__setattr__(self, "defaults", dict(defaults))
        object.__setattr__(self, "param_groups", [])
        object.__setattr__(self, "state", {})
        object.__setattr__(self, "group_start_id", [0])
        object.__setattr__(self, "_all_params", [])
        for group in groups:
            self.add_param_group(group)

    @property
    def parameters(self) -> ParameterTuple:
        """Every group's Parameters, in the order the gradients come in."""
        return ParameterTuple(self._all_params)

    # -- groups --------------------------------------------------------------------------------

    def add_param_group(self, *args: Any) -> None:
        """Add a parameter group: ``add_param_group(group)`` as PyTorch, or MindSpore's
        ``add_param_group(group_id, group)``. Missing hyperparameters take the defaults."""
        if len(args) not in (1, 2):
            raise MindTypeError(
                "For 'add_param_group', pass the group (and optionally its index before it)."
            )
        group = args[-1]
        if not isinstance(group, dict):
            raise MindTypeError(
                f"For 'add_param_group', a parameter group must be a dict, got "
                f"{type(group).__name__}."
            )
        params = group.get("params")
        if isinstance(params, Parameter):
            params = [params]
        elif isinstance(params, set):
            raise MindTypeError(
                "For 'Optimizer', a group's parameters must be an ordered collection (a list), "
                "not a set: a set's order changes between runs."
            )
        elif params is None:
            raise MindValueError("For 'Optimizer', a parameter group needs a 'params' entry.")
        params = list(params)
        for p in params:
            if not isinstance(p, Parameter):
                raise MindTypeError(
                    f"For 'Optimizer', parameters must be Parameters (net.trainable_params()), "
                    f"got {type(p).__name__}."
                )
        seen = {id(p) for p in self._all_params}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise MindValueError("For 'Optimizer', a parameter appears twice (or in two groups).")
        new = _ParamGroup(group)
        dict.__setitem__(new, "params", params)
        for name, default in self.defaults.items():
            if name not in new:
                dict.__setitem__(new, name, default)
        wd = new.get("weight_decay", 0.0)
        if isinstance(wd, bool) or not isinstance(wd, int | float) or wd < 0:
            raise MindValueError(
                f"For '{type(self).__name__}', 'weight_decay' must be a number >= 0, got {wd!r}."
            )
        if "lr" not in new:
            raise MindValueError(f"For '{type(self).__name__}', a parameter group needs an 'lr'.")
        index = len(self.param_groups)
        lr = Parameter(
            np.asarray(_lr_value(new["lr"]), np.float64),
            name=f"learning_rate_group_{index}",
            requires_grad=False,
        )
        dict.__setitem__(new, "lr", lr)
        self.param_groups.append(new)
        self.group_start_id.append(self.group_start_id[-1] + len(params))
        self._all_params.extend(params)
        for p in params:
            self.state[p] = self._init_state(p, new)

    # -- state ---------------------------------------------------------------------------------

    def _init_state(self, param: Parameter, group: dict) -> dict[str, Parameter]:
        """The state one parameter needs (Parameters, so a compiled step updates them)."""
        return {}

    @staticmethod
    def _zeros(param: Parameter, slot: str, fill: float = 0.0) -> Parameter:
        return Parameter(
            np.full(param.shape, fill, param._data.dtype),
            name=f"{slot}.{param.name}",
            requires_grad=False,
        )

    @staticmethod
    def _scalar(param: Parameter, slot: str, value: float = 0.0) -> Parameter:
        """A float64 0-D state value (a step count, a running product)."""
        return Parameter(
            np.asarray(value, np.float64), name=f"{slot}.{param.name}", requires_grad=False
        )

    def state_parameters(self) -> list[Parameter]:
        """The Parameters a compiled function that reaches the optimizer takes as graph inputs:
        those it updates (an optimizer compiled on its own, in GRAPH_MODE, reaches them only
        here), the learning rates and the state."""
        found = [*self._all_params, *(group["lr"] for group in self.param_groups)]
        for slots in self.state.values():
            found.extend(v for v in slots.values() if isinstance(v, Parameter))
        return found

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout, as numpy arrays and numbers: ``{"state": {index: {name: array}},
        "param_groups": [{hyperparameters..., "params": [indices]}]}``."""
        index = {id(p): i for i, p in enumerate(self._all_params)}
        state = {
            index[id(p)]: {k: np.array(v.asnumpy(), copy=True) for k, v in slots.items()}
            for p, slots in self.state.items()
        }
        groups = []
        for group in self.param_groups:
            saved = {k: v for k, v in group.items() if k not in ("params", "lr")}
            saved["lr"] = float(group["lr"].asnumpy())
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load what :meth:`state_dict` returned (for an optimizer over parameters of the same
        shapes, in the same groups): values are written into the existing Parameters."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise MindValueError(
                f"For 'load_state_dict', the state has {len(groups)} parameter groups, the "
                f"optimizer {len(self.param_groups)}."
            )
        for saved, group in zip(groups, self.param_groups):
            if len(saved["params"]) != len(group["params"]):
                raise MindValueError(
                    "For 'load_state_dict', a parameter group's size differs from the state's."
                )
        for saved, group in zip(groups, self.param_groups):
            for key, value in saved.items():
                if key != "params":
                    group[key] = value  # "lr" is written into the group's Parameter
        for i, p in enumerate(self._all_params):
            for key, value in state_dict["state"].get(i, {}).items():
                slot = self.state[p].get(key)
                value = np.asarray(value.asnumpy() if isinstance(value, Tensor) else value)
                if slot is None or slot.shape != value.shape:
                    raise MindValueError(
                        f"For 'load_state_dict', state {key!r} of parameter {i} ('{p.name}') "
                        f"does not fit this optimizer."
                    )
                slot._data[...] = value

    # -- the update ----------------------------------------------------------------------------

    def construct(self, gradients: Any) -> bool:
        return self._apply(tuple(gradients))

    def _apply(self, gradients: tuple) -> bool:
        if len(gradients) != len(self._all_params):
            raise MindValueError(
                f"For '{type(self).__name__}', got {len(gradients)} gradients for "
                f"{len(self._all_params)} parameters (pass them in optimizer.parameters order)."
            )
        for gid, group in enumerate(self.param_groups):
            start = self.group_start_id[gid]
            for k, p in enumerate(group["params"]):
                g = gradients[start + k]
                if tuple(g.shape) != tuple(p.shape):
                    raise MindValueError(
                        f"For '{type(self).__name__}', the gradient of '{p.name}' has shape "
                        f"{tuple(g.shape)}, the parameter {tuple(p.shape)}."
                    )
                g = F.cast(g, p.dtype)
                if group.get("maximize", False):
                    g = F.neg(g)
                self._update(p, g, group, self.state[p])
        return True

    def _update(self, param: Parameter, grad: Tensor, group: dict, state: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update or construct")

    def _slot(self, param: Parameter, state: dict, name: str, fill: float = 0.0) -> Parameter:
        """``state[name]``, created in PyNative if a hyperparameter changed since the group was
        added (momentum set on a group that had none)."""
        slot = state.get(name)
        if slot is None:
            if is_tracing():
                raise GraphModeError(
                    f"{user_location()}: {type(self).__name__} needs state {name!r} for "
                    f"'{param.name}', which a compiled step cannot create; run one step outside "
                    "jit after changing the group's hyperparameters"
                )
            slot = state[name] = self._zeros(param, name, fill)
        return slot

    @staticmethod
    def _lr(group: dict, param: Parameter) -> Tensor:
        """The group's learning rate in the parameter's dtype (a graph input under jit)."""
        return F.cast(group["lr"], param.dtype)

    @staticmethod
    def _count(state: dict) -> Tensor:
        """Advance ``state["step"]`` and return the new count (float64)."""
        step = F.add(state["step"], f64(1.0))
        F.assign(state["step"], step)
        return step

    def extend_repr(self) -> str:
        lines = []
        for i, group in enumerate(self.param_groups):
            items = ", ".join(
                f"{k}={float(v.asnumpy()) if k == 'lr' else v}"
                for k, v in sorted(group.items())
                if k != "params"
            )
            lines.append(f"group {i}: {len(group['params'])} parameters, {items}")
        return "\n".join(lines)
