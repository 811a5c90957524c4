"""Training wrappers: a network with its loss, and one training step as a Cell."""

from __future__ import annotations

from typing import Any

from mind.core._src.autodiff.eager import value_and_grad
from mind.core._src.context import _CONTEXT, GRAPH_MODE
from mind.core._src.jit import _rebuild
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
        return self._graph_grad_step(*inputs)

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

    def _graph_grad_step(self, *inputs: Any) -> Any:
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
