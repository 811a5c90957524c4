"""Training wrappers: a network with its loss, and one training step as a Cell."""

from __future__ import annotations

import numbers
import types
from typing import Any

from mind.core._src.autodiff.eager import value_and_grad
from mind.core._src.autodiff.functional import GradOperation, jvp
from mind.core._src.context import _CONTEXT, GRAPH_MODE
from mind.core._src.jit import _rebuild
from mind.core._src.nn.cell import Cell, CellDict, cached_graph
from mind.core._src.ops.array import assign
from mind.core._src.tensor.tensor import Parameter, ParameterTuple, Tensor
from mind.core.errors import MindTypeError, MindValueError

# CellDict is defined with the other containers in cell.py; it is exported from here.
__all__ = [
    "CellDict",
    "ForwardValueAndGrad",
    "Jvp",
    "ParameterUpdate",
    "TrainOneStepCell",
    "Vjp",
    "WithEvalCell",
    "WithGradCell",
    "WithLossCell",
]


class WithLossCell(Cell):
    """``loss_fn(backbone(data), label)``."""

    def __init__(self, backbone: Cell, loss_fn: Cell) -> None:
        super().__init__(auto_prefix=False)
        self._backbone = backbone
        self._loss_fn = loss_fn

    def construct(self, data: Tensor, label: Tensor) -> Tensor:
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self) -> Cell:
        return self._backbone


class TrainOneStepCell(Cell):
    """One step: the loss, its gradients with respect to the optimizer's parameters, the update
    (MindSpore's ``nn.TrainOneStepCell``).

    :param sens: the backward pass's initial cotangent, scaling every gradient (a loss scale);
        None (the default) is 1.0, and 0 is refused.
    :param return_grad: also return the gradients, ``(loss, {parameter name: gradient})``.
    :returns: the loss (and the gradients by name with ``return_grad``).
    """

    def __init__(
        self, network: Cell, optimizer: Cell, sens: float | None = None, return_grad: bool = False
    ) -> None:
        super().__init__(auto_prefix=False)
        if sens is not None and (isinstance(sens, bool) or not isinstance(sens, numbers.Real)):
            raise MindTypeError(
                f"For 'TrainOneStepCell', 'sens' must be a number or None, got {type(sens).__name__}"
            )
        if sens == 0:
            raise MindValueError("For 'TrainOneStepCell', 'sens' must not be 0")
        if not isinstance(return_grad, bool):
            raise MindTypeError(
                f"For 'TrainOneStepCell', 'return_grad' must be a bool, got "
                f"{type(return_grad).__name__}"
            )
        self.network = network
        self.optimizer = optimizer
        self.sens = 1.0 if sens is None else sens
        self.return_grad = return_grad
        self.weights = optimizer.parameters
        # As MindSpore: the names the gradients are returned under, read when the step is made.
        self.weights_name = [p.name for p in self.weights]
        object.__setattr__(self, "_grad_fn", value_and_grad(network, None, self.weights))

    def construct(self, *inputs: Any) -> Any:
        loss, grads = self._grad_fn(*inputs)
        if self.sens != 1.0:
            grads = tuple(g * self.sens for g in grads)
        self.optimizer(grads)
        return self._result(loss, grads)

    def _result(self, loss: Tensor, grads: tuple) -> Any:
        if self.return_grad:
            return loss, dict(zip(self.weights_name, grads))
        return loss

    def _graph_call(self, *inputs: Any) -> Any:
        # GRAPH_MODE: with an optimizer that has an in-graph update (SGD, Momentum, Adam with a
        # constant learning rate), the whole step - forward, backward, update - is one graph whose assign
        # nodes write the parameters and slots in place. Otherwise the loss and gradients are one
        # graph and the optimizer runs after it.
        if self._whole_step():
            step = self._graph_function()
            self.optimizer.before_graph_step()
            loss = step(*inputs)
            self.optimizer.global_step += 1
            return loss
        return self._graph_grad_step(*inputs)

    def _whole_step(self) -> bool:
        """Whether a GRAPH_MODE step is one graph, the optimizer's update in it."""
        return getattr(self.optimizer, "graph_ready", lambda: False)() and self.sens == 1.0

    def _graph_function(self) -> Any:
        """What a GRAPH_MODE step compiles (so ``compile`` compiles it): the whole step, or the
        loss and gradients where the optimizer runs after the graph."""
        if not self._whole_step():
            return self._grad_function()

        def make() -> Any:
            from mind.core._src.jit import JitFunction

            self.optimizer.prepare_graph()
            # This step refreshes the step count and learning rates before every run.
            object.__setattr__(self.optimizer, "_refreshed_by_step", True)
            return JitFunction(self.construct, f"{type(self.network).__name__}.train_step")

        return cached_graph(self, "_graph_step_fn", make)

    def sink_steps(self, batches: list[tuple[Any, ...]]) -> Any:
        """Run one training step per batch and return the last step's loss (dataset sink).

        In GRAPH_MODE on a device whose compiled step can loop itself (``native``), the batches
        go to the device stacked and every step runs in one call, the step count and learning
        rate of each step given to it as per-step inputs; otherwise the steps run one by one.
        Either way the weights end exactly as after ``len(batches)`` calls. Batches of another
        shape (an epoch's last, smaller batch) start a run of their own.
        """
        loss = None
        run: list[tuple[Any, ...]] = []
        for batch in (tuple(b) for b in batches):
            if run and _signature(batch) != _signature(run[0]):
                loss = self._sink_run(run)
                run = []
            run.append(batch)
        return self._sink_run(run) if run else loss

    def _sink_run(self, batches: list[tuple[Any, ...]]) -> Any:
        """sink_steps for batches of one signature."""
        import numpy as np

        executable = None
        if (
            _CONTEXT.get("mode") == GRAPH_MODE
            and getattr(self.optimizer, "graph_ready", lambda: False)()
            and self.sens == 1.0
            and len(batches) > 1
            and all(isinstance(t, Tensor) for b in batches for t in b)
        ):
            self._graph_call(*batches[0])  # compiles the step (and runs the first batch)
            compiled = self.__dict__["_graph_step_fn"].compile(*batches[1])
            executable = getattr(compiled.executable, "run_steps", None)
            batches = batches[1:]
        if executable is None:  # step by step
            loss = None
            for batch in batches:
                loss = self(*batch)
            return loss
        # Per-step inputs: the batches, and the host-side state the optimizer refreshes before
        # each step (step count, scheduled learning rates), recorded for every step up front.
        n_args = len(compiled.tensor_positions)
        weights = compiled.weights
        position = {id(w): n_args + i for i, w in enumerate(weights)}
        refreshed = [p for p in self.optimizer.refreshed_parameters() if id(p) in position]
        history: dict[int, list] = {position[id(p)]: [] for p in refreshed}
        for _ in batches:
            self.optimizer.before_graph_step()
            for p in refreshed:
                history[position[id(p)]].append(np.array(p._data, copy=True))
            self.optimizer.global_step += 1
        per_step = {k: np.stack([b[k]._data for b in batches]) for k in range(n_args)}
        per_step.update({k: np.stack(v) for k, v in history.items()})
        arrays = [t._data for t in batches[0]] + [w._data for w in weights]
        return _rebuild(compiled.output_spec, executable(arrays, per_step, len(batches)))

    def _grad_function(self) -> Any:
        from mind.core._src.jit import JitFunction

        name = f"{type(self.network).__name__}.value_and_grad"
        return cached_graph(self, "_graph_grad_fn", lambda: JitFunction(self._grad_fn, name))

    def _graph_grad_step(self, *inputs: Any) -> Any:
        loss, grads = self._grad_function()(*inputs)
        if self.sens != 1.0:
            grads = tuple(g * self.sens for g in grads)
        self.optimizer(grads)
        return self._result(loss, grads)


def _signature(batch: tuple[Any, ...]) -> tuple:
    """What must match for batches to be stacked: each Tensor's shape and dtype (anything else
    makes the batch a run of its own)."""
    return tuple((t.shape, t.dtype) if isinstance(t, Tensor) else ("object", id(t)) for t in batch)


class WithEvalCell(Cell):
    """``(loss, outputs, label)`` for evaluation."""

    def __init__(self, network: Cell, loss_fn: Cell, add_cast_fp32: bool = False) -> None:
        super().__init__(auto_prefix=False)
        self._network = network
        self._loss_fn = loss_fn

    def construct(self, data: Tensor, label: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        outputs = self._network(data)
        return self._loss_fn(outputs, label), outputs, label


class WithGradCell(Cell):
    """The gradients of a network's loss with respect to its trainable parameters (MindSpore's
    ``nn.WithGradCell``): ``loss_fn(network(data), label)``, or ``network(*inputs)`` itself
    when ``loss_fn`` is None (a network that computes its loss).

    :param sens: the loss's cotangent (a Tensor or number shaped as the loss), or None for
        ones.
    :returns: a tuple with one gradient per trainable parameter, in their order.
    """

    def __init__(self, network: Cell, loss_fn: Cell | None = None, sens: Any = None) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.loss_fn = loss_fn
        self.weights = ParameterTuple(network.trainable_params())
        self.sens = sens
        self.network_with_loss = network if loss_fn is None else WithLossCell(network, loss_fn)
        self.network_with_loss.set_train()
        object.__setattr__(
            self, "_grad", GradOperation(get_by_list=True, sens_param=sens is not None)
        )

    def construct(self, *inputs: Any) -> tuple:
        grad_fn = self._grad(self.network_with_loss, self.weights)
        if self.sens is None:
            return grad_fn(*inputs)
        return grad_fn(*inputs, self.sens)


class ForwardValueAndGrad(Cell):
    """``(network(*inputs), gradients)`` (MindSpore's ``nn.ForwardValueAndGrad``): the gradients
    as ``ops.GradOperation(get_all, get_by_list, sens_param)`` gives them - of the first input
    by default, of every input with ``get_all``, of ``weights`` with ``get_by_list``, both
    with both. With ``sens_param`` the last input is the output's cotangent.
    """

    def __init__(
        self,
        network: Any,
        weights: Any = None,
        get_all: bool = False,
        get_by_list: bool = False,
        sens_param: bool = False,
    ) -> None:
        super().__init__(auto_prefix=False)
        if not isinstance(network, Cell | types.FunctionType | types.MethodType):
            raise MindTypeError(
                "For 'ForwardValueAndGrad', 'network' must be a Cell or a function, got "
                f"{type(network).__name__}"
            )
        for name, value in (("get_all", get_all), ("get_by_list", get_by_list)):
            if not isinstance(value, bool):
                raise MindTypeError(
                    f"For 'ForwardValueAndGrad', '{name}' must be a bool, got {type(value).__name__}"
                )
        if get_by_list and not isinstance(weights, ParameterTuple | tuple | list):
            raise MindTypeError(
                "For 'ForwardValueAndGrad', with get_by_list=True 'weights' must be a tuple or "
                f"list of Parameters, got {type(weights).__name__}"
            )
        self.network = network
        self.weights = weights
        self.get_all, self.get_by_list, self.sens_param = get_all, get_by_list, sens_param
        object.__setattr__(self, "_grad", GradOperation(get_all, get_by_list, sens_param))

    def construct(self, *inputs: Any) -> tuple:
        forward_inputs = inputs[:-1] if self.sens_param else inputs
        value = self.network(*forward_inputs)
        if self.get_by_list:
            grads = self._grad(self.network, self.weights)(*inputs)
        else:
            grads = self._grad(self.network)(*inputs)
        return value, grads


class ParameterUpdate(Cell):
    """Write its input into a Parameter (MindSpore's ``nn.ParameterUpdate``): calling it with
    ``x`` assigns ``x`` to ``param`` (a learning rate, a step count, set from outside a
    training step) and returns ``x``."""

    def __init__(self, param: Parameter) -> None:
        super().__init__(auto_prefix=False)
        if not isinstance(param, Parameter):
            raise MindTypeError(
                f"For 'ParameterUpdate', 'param' must be a Parameter, got {type(param).__name__}"
            )
        self._param = param

    def construct(self, x: Tensor) -> Tensor:
        assign(self._param, x)
        return x


def _split(owner: str, args: tuple) -> tuple[tuple, Any]:
    """``(inputs, v)`` out of a Jvp's or Vjp's arguments: Tensors, then the vector."""
    if len(args) < 2:
        raise MindTypeError(f"For '{owner}', give the inputs and then 'v', got {len(args)} values")
    inputs = args[:-1]
    for k, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise MindTypeError(
                f"For '{owner}', input {k} must be a Tensor, got {type(x).__name__} (pass the "
                "inputs one by one, then 'v')"
            )
    return inputs, args[-1]


def _matching(owner: str, what: str, value: Any, like: Any) -> tuple:
    """``value`` as a tuple with one Tensor for each of ``like`` (a Tensor: one; a tuple: as
    many), or a TypeError saying how it differs."""
    if isinstance(like, Tensor):
        if not isinstance(value, Tensor):
            raise MindTypeError(
                f"For '{owner}', '{what}' must be a Tensor (one input or output), got "
                f"{type(value).__name__}"
            )
        return (value,)
    if not isinstance(value, tuple | list) or len(value) != len(like):
        got = f"{len(value)} values" if isinstance(value, tuple | list) else type(value).__name__
        raise MindTypeError(
            f"For '{owner}', '{what}' must be a tuple of {len(like)} Tensors, got {got}"
        )
    if not all(isinstance(v, Tensor) for v in value):
        raise MindTypeError(f"For '{owner}', '{what}' must hold Tensors")
    return tuple(value)


class Jvp(Cell):
    """The Jacobian-vector product of ``fn`` (MindSpore's ``nn.grad.Jvp``, which MindSpore
    deprecates for ``ops.jvp``): ``Jvp(fn)(*inputs, v)`` is ``(fn(*inputs), J @ v)``, where
    ``v`` is a Tensor for one input and a tuple of Tensors (one per input) for several; the
    product is a Tensor, or a tuple for a function returning a tuple.
    """

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self.fn = fn

    def construct(self, *args: Any) -> tuple:
        inputs, v = _split("Jvp", args)
        tangents = _matching("Jvp", "v", v, inputs[0] if len(inputs) == 1 else inputs)
        return jvp(self.fn, inputs, tangents)


class Vjp(Cell):
    """The vector-Jacobian product of ``fn`` (MindSpore's ``nn.grad.Vjp``, which MindSpore
    deprecates for ``ops.vjp``): ``Vjp(fn)(*inputs, v)`` is ``(fn(*inputs), v @ J)``, where
    ``v`` has the structure of ``fn``'s output (a Tensor, or a tuple of Tensors); the product
    is a Tensor for one input, a tuple (one per input) for several.
    """

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self.fn = fn

    def construct(self, *args: Any) -> tuple:
        inputs, v = _split("Vjp", args)
        output = self.fn(*inputs)
        cotangent = _matching("Vjp", "v", v, output)
        sens = cotangent[0] if isinstance(output, Tensor) else cotangent
        grads = GradOperation(get_all=True, sens_param=True)(self.fn)(*inputs, sens)
        return output, grads[0] if len(inputs) == 1 else grads
