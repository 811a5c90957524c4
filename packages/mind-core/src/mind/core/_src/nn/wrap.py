"""Training wrappers: a network with its loss, and one training step as a Cell."""

from __future__ import annotations

from typing import Any

from mind.core._src.autodiff.eager import value_and_grad
from mind.core._src.nn.cell import Cell
from mind.core._src.tensor.tensor import Tensor

__all__ = ["TrainOneStepCell", "WithEvalCell", "WithLossCell"]


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
    """One step: the loss, its gradients with respect to the optimizer's parameters, the update.

    ``sens`` scales the gradients (a loss scale). Returns the loss.
    """

    def __init__(self, network: Cell, optimizer: Cell, sens: float = 1.0) -> None:
        super().__init__(auto_prefix=False)
        self.network = network
        self.optimizer = optimizer
        self.sens = sens
        self.weights = optimizer.parameters
        object.__setattr__(self, "_grad_fn", value_and_grad(network, None, self.weights))

    def construct(self, *inputs: Any) -> Tensor:
        loss, grads = self._grad_fn(*inputs)
        if self.sens != 1.0:
            grads = tuple(g * self.sens for g in grads)
        self.optimizer(grads)
        return loss

    def _graph_call(self, *inputs: Any) -> Any:
        # GRAPH_MODE: with an optimizer that has an in-graph update (SGD, Momentum, Adam with a
        # constant learning rate), the whole step - forward, backward, update - is one graph whose assign
        # nodes write the parameters and slots in place. Otherwise the loss and gradients are one
        # graph and the optimizer runs after it.
        if getattr(self.optimizer, "graph_ready", lambda: False)() and self.sens == 1.0:
            step = self.__dict__.get("_graph_step_fn")
            if step is None:
                from mind.core._src.jit import JitFunction

                self.optimizer.prepare_graph()
                # This step refreshes the step count and learning rates before every run.
                object.__setattr__(self.optimizer, "_refreshed_by_step", True)
                step = JitFunction(self.construct, f"{type(self.network).__name__}.train_step")
                object.__setattr__(self, "_graph_step_fn", step)
            self.optimizer.before_graph_step()
            loss = step(*inputs)
            self.optimizer.global_step += 1
            return loss
        compiled = self.__dict__.get("_graph_grad_fn")
        if compiled is None:
            from mind.core._src.jit import JitFunction

            compiled = JitFunction(self._grad_fn, f"{type(self.network).__name__}.value_and_grad")
            object.__setattr__(self, "_graph_grad_fn", compiled)
        loss, grads = compiled(*inputs)
        if self.sens != 1.0:
            grads = tuple(g * self.sens for g in grads)
        self.optimizer(grads)
        return loss


class WithEvalCell(Cell):
    """``(loss, outputs, label)`` for evaluation."""

    def __init__(self, network: Cell, loss_fn: Cell, add_cast_fp32: bool = False) -> None:
        super().__init__(auto_prefix=False)
        self._network = network
        self._loss_fn = loss_fn

    def construct(self, data: Tensor, label: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        outputs = self._network(data)
        return self._loss_fn(outputs, label), outputs, label
