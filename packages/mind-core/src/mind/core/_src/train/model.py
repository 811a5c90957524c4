"""``Model``: the high-level training loop (``mindspore.train.Model``).

``Model(network, loss_fn, optimizer, metrics)`` wraps the network into a train network
(``TrainOneStepCell(WithLossCell(network, loss_fn), optimizer)``), an eval network
(``WithEvalCell``) and a predict network (the network itself), then runs them over datasets while
calling callbacks. Each step runs eagerly (PyNative) or, in GRAPH_MODE, as one compiled graph.
With ``dataset_sink_mode=True`` the batches go to the train network in blocks (``sink_size``
steps per epoch, or the whole dataset): on a device whose compiled step loops itself
(``native``) a block is one native call; callbacks see one step per block, as in MindSpore.

A dataset is anything with ``create_tuple_iterator(num_epochs=..., output_numpy=...)`` (mind-data
and MindSpore datasets), or any re-iterable of ``(data, label)`` pairs of Tensors, numpy arrays or
numbers: a list, or a class whose ``__iter__`` starts over each epoch. A generator can be used for
one pass only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from mind.core._src.nn.cell import Cell
from mind.core._src.nn.optim import Optimizer
from mind.core._src.nn.wrap import TrainOneStepCell, WithEvalCell, WithLossCell
from mind.core._src.plugins.manager import get_plugin_manager
from mind.core._src.tensor.tensor import Tensor
from mind.core._src.train.callback import (
    Callback,
    LossMonitor,
    ProgressBar,
    RunContext,
    _CallbackManager,
    _InternalCallbackParam,
    check_callbacks,
)
from mind.core._src.train.metrics import Loss, get_metrics
from mind.core.errors import MindTypeError, MindValueError, PluginError

__all__ = ["Model"]

logger = logging.getLogger("mind.core.train")

_AMP_LEVELS = ("O0", "O1", "O2", "O3", "auto")
_BOOST_LEVELS = ("O0", "O1", "O2")
# MindSpore's extra keyword arguments; all of them configure AMP or boost.
_KNOWN_KWARGS = ("keep_batchnorm_fp32", "loss_scale_manager", "boost_config_dict")


class Model:
    """Train, evaluate and predict with a network.

    :param network: the network (a Cell). Without ``loss_fn`` and ``optimizer`` it must be the
        whole training step itself (a ``TrainOneStepCell`` or similar taking ``(data, label)``).
    :param loss_fn: the loss Cell (or function of ``(outputs, labels)``).
    :param optimizer: the optimizer; with ``loss_fn`` the train network is
        ``TrainOneStepCell(WithLossCell(network, loss_fn), optimizer)``, without it
        ``TrainOneStepCell(network, optimizer)`` (the network returns the loss).
    :param metrics: names (``{"accuracy", "loss"}``, see ``mind.core.train.names()``) or
        ``{name: Metric}`` for :meth:`eval` and :meth:`fit`.
    :param eval_network: the Cell that evaluation runs; by default ``WithEvalCell(network,
        loss_fn)``, returning ``(loss, outputs, labels)``.
    :param eval_indexes: with ``eval_network``, the positions of loss, outputs and labels in its
        outputs (``[0, 1, 2]``); ``None`` passes all outputs to every metric.
    :param amp_level: only ``"O0"`` (no mixed precision) for now.
    :param boost_level: only ``"O0"`` for now.

    >>> import numpy as np
    >>> from mind.core import nn
    >>> from mind.core.train import Model
    >>> net = nn.Dense(2, 2)
    >>> model = Model(net, nn.CrossEntropyLoss(), nn.Momentum(net.trainable_params(), 0.1, 0.9),
    ...               metrics={"accuracy"})
    >>> data = [(np.ones((4, 2), np.float32), np.array([1, 1, 1, 1], np.int32))]
    >>> model.train(5, data)
    >>> model.eval(data)
    {'accuracy': 1.0}
    """

    def __init__(
        self,
        network: Cell,
        loss_fn: Any = None,
        optimizer: Optimizer | None = None,
        metrics: Any = None,
        eval_network: Cell | None = None,
        eval_indexes: list[int] | None = None,
        amp_level: str = "O0",
        boost_level: str = "O0",
        **kwargs: Any,
    ) -> None:
        if not isinstance(network, Cell):
            raise MindTypeError(
                f"For 'Model', 'network' must be a Cell, got {type(network).__name__}"
            )
        if loss_fn is not None and not callable(loss_fn):
            raise MindTypeError(
                f"For 'Model', 'loss_fn' must be a Cell (such as nn.CrossEntropyLoss()) or None, "
                f"got {type(loss_fn).__name__}"
            )
        if optimizer is not None and not isinstance(optimizer, Optimizer):
            raise MindTypeError(
                f"For 'Model', 'optimizer' must be an optimizer (such as nn.Momentum(...)) or None, "
                f"got {type(optimizer).__name__}"
            )
        if eval_network is not None and not isinstance(eval_network, Cell):
            raise MindTypeError(
                f"For 'Model', 'eval_network' must be a Cell or None, got {type(eval_network).__name__}"
            )
        _check_level("amp_level", amp_level, _AMP_LEVELS, "AMP (automatic mixed precision)")
        _check_level("boost_level", boost_level, _BOOST_LEVELS, "Boost")
        for key, value in kwargs.items():
            if key not in _KNOWN_KWARGS:
                raise MindValueError(
                    f"For 'Model', unknown keyword argument {key!r}; accepted: {', '.join(_KNOWN_KWARGS)}"
                )
            if key == "loss_scale_manager" and value is not None:
                raise MindValueError(
                    "For 'Model', 'loss_scale_manager' is not available yet (it needs AMP); "
                    "leave it out, or scale the loss with TrainOneStepCell(..., sens=...)"
                )
        self._network = network
        self._loss_fn = loss_fn
        self._optimizer = optimizer
        self._amp_level = amp_level
        self._boost_level = boost_level
        self._kwargs = kwargs
        self._metric_fns = get_metrics(metrics, "Model")
        self._train_network = self._build_train_network()
        self._eval_network, self._eval_indexes = self._build_eval_network(
            eval_network, eval_indexes
        )
        self._predict_network = network

    # -- building the networks ---------------------------------------------------------------------

    def _build_train_network(self) -> Cell:
        if self._optimizer is not None:
            inner = (
                WithLossCell(self._network, self._loss_fn)
                if self._loss_fn is not None
                else self._network
            )
            return TrainOneStepCell(inner, self._optimizer)
        if self._loss_fn is not None:
            return WithLossCell(self._network, self._loss_fn)
        return self._network

    def _build_eval_network(
        self, eval_network: Cell | None, eval_indexes: Any
    ) -> tuple[Cell | None, list[int] | None]:
        if eval_network is not None:
            if eval_indexes is not None:
                if (
                    not isinstance(eval_indexes, list | tuple)
                    or len(eval_indexes) != 3
                    or not all(
                        isinstance(i, int) and not isinstance(i, bool) and i >= 0
                        for i in eval_indexes
                    )
                ):
                    raise MindValueError(
                        "For 'Model', 'eval_indexes' must be a list of 3 non-negative ints (the "
                        f"positions of loss, outputs and labels in eval_network's outputs), got {eval_indexes!r}"
                    )
                eval_indexes = list(eval_indexes)
            return eval_network, eval_indexes
        if eval_indexes is not None:
            raise MindValueError("For 'Model', 'eval_indexes' needs 'eval_network' to be set")
        if self._loss_fn is not None:
            return WithEvalCell(self._network, self._loss_fn), [0, 1, 2]
        if self._metric_fns:
            raise MindValueError(
                "For 'Model', 'metrics' needs a way to evaluate: pass 'loss_fn' (the eval network "
                "becomes WithEvalCell(network, loss_fn)) or 'eval_network'"
            )
        return None, None

    @property
    def train_network(self) -> Cell:
        """The Cell one training step calls with ``(data, label)``."""
        return self._train_network

    @property
    def eval_network(self) -> Cell | None:
        """The Cell evaluation calls with ``(data, label)``; ``None`` without loss or eval network."""
        return self._eval_network

    @property
    def predict_network(self) -> Cell:
        """The Cell :meth:`predict` calls: the network itself."""
        return self._predict_network

    # -- public entry points -----------------------------------------------------------------------

    def train(
        self,
        epoch: int,
        train_dataset: Any,
        callbacks: Any = None,
        dataset_sink_mode: bool = False,
        sink_size: int = -1,
        initial_epoch: int = 0,
    ) -> None:
        """Train for epochs ``initial_epoch + 1`` to ``epoch`` over ``train_dataset``.

        :param callbacks: a Callback or a list of them; plugins' callbacks (hook
            ``mind_train_callbacks``) run after them, then a progress bar when stderr is a
            terminal.
        :param dataset_sink_mode: hand the batches to the train network in blocks: on the
            ``native`` device in GRAPH_MODE each block runs as one native call. Callbacks see one
            step per block (``cur_step_num`` advances by the block's size).
        :param sink_size: with ``dataset_sink_mode``, the steps per epoch (batches are drawn
            from the dataset continuously, starting it over when it runs out); ``-1``: each epoch
            is the whole dataset.
        :param initial_epoch: epochs already done (when resuming), so numbering continues.
        """
        self._check_train_args("Model.train", epoch, initial_epoch, dataset_sink_mode, sink_size)
        self._train(
            "Model.train",
            epoch,
            train_dataset,
            callbacks,
            dataset_sink_mode,
            initial_epoch,
            None,
            1,
            sink_size,
        )

    def fit(
        self,
        epoch: int,
        train_dataset: Any,
        valid_dataset: Any = None,
        valid_frequency: int | list[int] = 1,
        callbacks: Any = None,
        dataset_sink_mode: bool = False,
        valid_dataset_sink_mode: bool = False,
        sink_size: int = -1,
        initial_epoch: int = 0,
    ) -> None:
        """Train as :meth:`train`, evaluating on ``valid_dataset`` during training.

        Evaluation runs every ``valid_frequency`` epochs (an int), or on the listed epochs (a list
        of epoch numbers), before that epoch's ``on_train_epoch_end`` callbacks; its results, plus
        ``"eval_loss"`` when the evaluation yields a loss, are in ``cb_params.eval_results``.
        """
        owner = "Model.fit"
        self._check_train_args(owner, epoch, initial_epoch, dataset_sink_mode, sink_size)
        if not isinstance(valid_dataset_sink_mode, bool):
            raise MindTypeError(
                f"For '{owner}', 'valid_dataset_sink_mode' must be a bool, got "
                f"{type(valid_dataset_sink_mode).__name__}"
            )
        if isinstance(valid_frequency, bool) or not isinstance(valid_frequency, int | list):
            raise MindTypeError(
                f"For '{owner}', 'valid_frequency' must be an int or a list of epoch numbers, got "
                f"{type(valid_frequency).__name__}"
            )
        if isinstance(valid_frequency, int) and valid_frequency < 1:
            raise MindValueError(
                f"For '{owner}', 'valid_frequency' must be >= 1, got {valid_frequency}"
            )
        if isinstance(valid_frequency, list) and not all(
            isinstance(e, int) and not isinstance(e, bool) and 1 <= e <= epoch
            for e in valid_frequency
        ):
            raise MindValueError(
                f"For '{owner}', a list 'valid_frequency' must hold epoch numbers in [1, {epoch}], "
                f"got {valid_frequency!r}"
            )
        if valid_dataset is not None:
            self._check_can_eval(owner)
            passes = (
                len({e for e in valid_frequency if e > initial_epoch})
                if isinstance(valid_frequency, list)
                else (epoch - initial_epoch) // valid_frequency
            )
            _check_reiterable(owner, "valid_dataset", valid_dataset, passes)
        self._train(
            owner,
            epoch,
            train_dataset,
            callbacks,
            dataset_sink_mode,
            initial_epoch,
            valid_dataset,
            valid_frequency,
            sink_size,
        )

    def eval(
        self, valid_dataset: Any, callbacks: Any = None, dataset_sink_mode: bool = False
    ) -> dict:
        """Evaluate the metrics over ``valid_dataset``: ``{name: value}``.

        Callbacks get the ``on_eval_*`` calls. Per-class metrics (precision, recall, f1) give
        numpy arrays, the others floats.
        """
        owner = "Model.eval"
        self._check_can_eval(owner)
        if not isinstance(dataset_sink_mode, bool):
            raise MindTypeError(
                f"For '{owner}', 'dataset_sink_mode' must be a bool, got {type(dataset_sink_mode).__name__}"
            )
        cbs = check_callbacks(callbacks, owner)
        cb_params = _InternalCallbackParam()
        cb_params.cur_epoch_num = 1
        cb_params.epoch_num = 1
        with _CallbackManager(cbs) as manager:
            return self._eval_process(owner, valid_dataset, manager, cb_params)

    def predict(self, *predict_data: Any, backend: str | None = None, config: Any = None) -> Any:
        """The network's outputs for ``predict_data`` (Tensors, numpy arrays or numbers), in
        inference mode.

        >>> import numpy as np
        >>> from mind.core import nn
        >>> from mind.core.train import Model
        >>> Model(nn.Dense(3, 2)).predict(np.ones((4, 3), np.float32)).shape
        (4, 2)
        """
        if backend is not None:
            raise MindValueError(
                f"For 'Model.predict', 'backend' {backend!r} is not available yet; leave it None"
            )
        inputs = tuple(
            _to_tensor(x, "Model.predict", f"predict_data[{i}]") for i, x in enumerate(predict_data)
        )
        self._predict_network.set_train(False)
        return self._predict_network(*inputs)

    # -- checks ------------------------------------------------------------------------------------

    def _check_train_args(
        self, owner: str, epoch: Any, initial_epoch: Any, dataset_sink_mode: Any, sink_size: Any
    ) -> None:
        for name, value in (
            ("epoch", epoch),
            ("initial_epoch", initial_epoch),
            ("sink_size", sink_size),
        ):
            if isinstance(value, bool) or not isinstance(value, int):
                raise MindTypeError(
                    f"For '{owner}', '{name}' must be an int, got {type(value).__name__}"
                )
        if epoch < 1:
            raise MindValueError(f"For '{owner}', 'epoch' must be >= 1, got {epoch}")
        if not 0 <= initial_epoch < epoch:
            raise MindValueError(
                f"For '{owner}', 'initial_epoch' must be in [0, epoch={epoch}), got {initial_epoch}"
            )
        if sink_size != -1 and sink_size < 1:
            raise MindValueError(f"For '{owner}', 'sink_size' must be -1 or >= 1, got {sink_size}")
        if not isinstance(dataset_sink_mode, bool):
            raise MindTypeError(
                f"For '{owner}', 'dataset_sink_mode' must be a bool, got {type(dataset_sink_mode).__name__}"
            )

    def _check_can_eval(self, owner: str) -> None:
        if not self._metric_fns:
            raise MindValueError(
                f"For '{owner}', the Model has no metrics to evaluate; create it with metrics, "
                "for example Model(net, loss_fn, optimizer, metrics={'accuracy', 'loss'})"
            )
        if self._eval_network is None:  # pragma: no cover - __init__ already refuses this
            raise MindValueError(
                f"For '{owner}', the Model has no eval network; pass 'loss_fn' or 'eval_network'"
            )

    # -- the loops ---------------------------------------------------------------------------------

    def _callbacks_for_training(self, owner: str, callbacks: Any) -> list[Callback]:
        cbs = check_callbacks(callbacks, owner)
        for cb in get_plugin_manager().train_callbacks(self):
            if not isinstance(cb, Callback):
                raise PluginError(
                    f"For '{owner}', a plugin's 'mind_train_callbacks' returned a "
                    f"{type(cb).__name__}, not a mind.core.train.Callback; fix or disable that plugin"
                )
            cbs.append(cb)
        if _stderr_is_terminal() and not any(
            isinstance(cb, ProgressBar | LossMonitor) for cb in cbs
        ):
            cbs.append(ProgressBar())
        return cbs

    def _train(
        self,
        owner: str,
        epoch: int,
        train_dataset: Any,
        callbacks: Any,
        dataset_sink_mode: bool,
        initial_epoch: int,
        valid_dataset: Any,
        valid_frequency: int | list[int],
        sink_size: int = -1,
    ) -> None:
        _check_dataset(owner, "train_dataset", train_dataset)
        _check_reiterable(owner, "train_dataset", train_dataset, epoch - initial_epoch)
        cbs = self._callbacks_for_training(owner, callbacks)
        batch_num = _dataset_size(train_dataset)
        cb_params = _InternalCallbackParam()
        cb_params.train_network = self._train_network
        cb_params.network = self._network
        cb_params.loss_fn = self._loss_fn
        cb_params.optimizer = self._optimizer
        cb_params.train_dataset = train_dataset
        cb_params.epoch_num = epoch
        cb_params.batch_num = batch_num
        cb_params.initial_epoch = initial_epoch
        cb_params.cur_epoch_num = initial_epoch
        cb_params.cur_step_num = initial_epoch * batch_num if batch_num else 0
        cb_params.cur_step_in_epoch = 0
        cb_params.net_outputs = None
        cb_params.train_dataset_element = None
        cb_params.dataset_sink_mode = dataset_sink_mode
        cb_params.list_callback = cbs
        cb_params.mode = "train"
        cb_params.parallel_mode = "stand_alone"
        cb_params.device_number = 1
        cb_params.eval_results = {}
        run_context = RunContext(cb_params)

        sinking = _Sinking(owner, train_dataset) if dataset_sink_mode else None
        # One iterator for every epoch, as MindSpore's Model: a dataset then reshuffles per epoch
        # (a new iterator per epoch would start each one from the same shuffle).
        source = None
        if not dataset_sink_mode and hasattr(train_dataset, "create_tuple_iterator"):
            source = _EpochSource(owner, train_dataset, epoch - initial_epoch)
        if sinking is not None and sink_size == -1:
            cb_params.batch_num = 1  # one sink block per epoch (or a few, for a long epoch)
        with _CallbackManager(cbs) as manager:
            self._train_network.set_train(True)
            manager.on_train_begin(run_context)
            for epoch_index in range(initial_epoch, epoch):
                cb_params.cur_epoch_num = epoch_index + 1
                cb_params.cur_step_in_epoch = 0
                cb_params.eval_results = {}
                manager.on_train_epoch_begin(run_context)
                steps = 0
                if dataset_sink_mode:
                    for block in sinking.blocks(sink_size):
                        steps += len(block)
                        cb_params.cur_step_num += len(block)
                        cb_params.cur_step_in_epoch = steps
                        cb_params.train_dataset_element = block[-1]
                        manager.on_train_step_begin(run_context)
                        cb_params.net_outputs = self._sink(block)
                        manager.on_train_step_end(run_context)
                        if run_context.get_stop_requested():
                            break
                for data, label in (
                    ()
                    if dataset_sink_mode
                    else source.epoch(epoch - epoch_index)
                    if source is not None
                    else _batches(owner, "train_dataset", train_dataset)
                ):
                    steps += 1
                    cb_params.cur_step_num += 1
                    cb_params.cur_step_in_epoch = steps
                    cb_params.train_dataset_element = (data, label)
                    manager.on_train_step_begin(run_context)
                    cb_params.net_outputs = self._train_network(data, label)
                    manager.on_train_step_end(run_context)
                    if run_context.get_stop_requested():
                        break
                if steps == 0:
                    raise MindValueError(
                        f"For '{owner}', 'train_dataset' yielded no batches in epoch "
                        f"{epoch_index + 1}; check that it is not empty and that iterating it again "
                        "starts over"
                    )
                if cb_params.batch_num is None and not run_context.get_stop_requested():
                    cb_params.batch_num = steps  # learnt from the first full epoch
                if valid_dataset is not None and _validate_now(epoch_index + 1, valid_frequency):
                    cb_params.eval_results = self._eval_during_train(
                        owner, valid_dataset, manager, cb_params
                    )
                    self._train_network.set_train(True)
                manager.on_train_epoch_end(run_context)
                if run_context.get_stop_requested():
                    break
            manager.on_train_end(run_context)

    def _data_path_profile(self, dataset: Any, steps: int = 30, warmup: int = 3) -> dict:
        """Time ``steps`` training steps (after ``warmup`` untimed ones) split into the data
        path and the step: ``iterator_ms`` (waiting on the dataset's next()), ``convert_ms``
        (the batch to Tensors, :func:`_to_tensor`, which is also where a device copy would
        happen) and ``step_ms`` (the train network call), each per step, with ``share`` the data
        path's fraction of the total. It trains the model (the steps are real). The doctor
        calls it; ``Model.train`` itself never measures, so it costs nothing there.
        """
        import time

        owner = "Model._data_path_profile"
        _check_dataset(owner, "dataset", dataset)
        network = self._train_network
        network.set_train(True)

        def items() -> Iterator:
            while True:
                if hasattr(dataset, "create_tuple_iterator"):
                    it = dataset.create_tuple_iterator(num_epochs=1, output_numpy=True)
                else:
                    it = iter(dataset)
                empty = True
                for item in it:
                    empty = False
                    yield item
                if empty:
                    raise MindValueError(f"For '{owner}', 'dataset' yielded no batches")

        source = items()
        clock = time.perf_counter
        wait = conv = run = 0.0
        for index in range(warmup + steps):
            t0 = clock()
            item = next(source)
            t1 = clock()
            data = _to_tensor(item[0], owner, f"the data of dataset item {index}")
            label = _to_tensor(item[1], owner, f"the label of dataset item {index}")
            t2 = clock()
            network(data, label)
            t3 = clock()
            if index >= warmup:
                wait, conv, run = wait + t1 - t0, conv + t2 - t1, run + t3 - t2
        n = max(steps, 1)
        total = wait + conv + run
        return {
            "steps": steps,
            "iterator_ms": wait / n * 1e3,
            "convert_ms": conv / n * 1e3,
            "step_ms": run / n * 1e3,
            "total_ms": total / n * 1e3,
            "share": (wait + conv) / total if total > 0 else 0.0,
        }

    def _sink(self, block: list[tuple[Tensor, Tensor]]) -> Any:
        network = self._train_network
        if isinstance(network, TrainOneStepCell):
            return network.sink_steps(block)
        out = None
        for data, label in block:
            out = network(data, label)
        return out

    def _eval_during_train(
        self, owner: str, valid_dataset: Any, manager: _CallbackManager, train_params: Any
    ) -> dict:
        cb_params = _InternalCallbackParam()
        cb_params.cur_epoch_num = train_params.cur_epoch_num
        cb_params.epoch_num = train_params.epoch_num
        return self._eval_process(owner, valid_dataset, manager, cb_params, add_eval_loss=True)

    def _eval_process(
        self,
        owner: str,
        valid_dataset: Any,
        manager: _CallbackManager,
        cb_params: Any,
        add_eval_loss: bool = False,
    ) -> dict:
        _check_dataset(owner, "valid_dataset", valid_dataset)
        metrics = dict(self._metric_fns)
        if add_eval_loss and self._eval_indexes is not None:
            metrics.setdefault("eval_loss", Loss())
        for metric in metrics.values():
            metric.clear()
        cb_params.eval_network = self._eval_network
        cb_params.network = self._network
        cb_params.valid_dataset = valid_dataset
        cb_params.batch_num = _dataset_size(valid_dataset)
        cb_params.cur_step_num = 0
        cb_params.cur_step_in_epoch = 0
        cb_params.net_outputs = None
        cb_params.mode = "eval"
        run_context = RunContext(cb_params)

        self._eval_network.set_train(False)
        manager.on_eval_begin(run_context)
        manager.on_eval_epoch_begin(run_context)
        for data, label in _batches(owner, "valid_dataset", valid_dataset):
            cb_params.cur_step_num += 1
            cb_params.cur_step_in_epoch = cb_params.cur_step_num
            manager.on_eval_step_begin(run_context)
            outputs = self._eval_network(data, label)
            cb_params.net_outputs = outputs
            self._update_metrics(owner, metrics, outputs)
            manager.on_eval_step_end(run_context)
            if run_context.get_stop_requested():
                break
        if cb_params.cur_step_num == 0:
            raise MindValueError(
                f"For '{owner}', 'valid_dataset' yielded no batches; check that it is not empty "
                "and that iterating it again starts over"
            )
        if cb_params.batch_num is None:
            cb_params.batch_num = cb_params.cur_step_num
        results = {name: metric.eval() for name, metric in metrics.items()}
        cb_params.metrics = results
        manager.on_eval_epoch_end(run_context)
        manager.on_eval_end(run_context)
        return results

    def _update_metrics(self, owner: str, metrics: dict, outputs: Any) -> None:
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        if not isinstance(outputs, tuple | list):
            raise MindTypeError(
                f"For '{owner}', the eval network must return a Tensor or a tuple of them, got "
                f"{type(outputs).__name__}"
            )
        indexes = self._eval_indexes
        if indexes is not None and max(indexes) >= len(outputs):
            raise MindValueError(
                f"For '{owner}', 'eval_indexes' {indexes} needs {max(indexes) + 1} outputs from the "
                f"eval network, which returned {len(outputs)}"
            )
        for metric in metrics.values():
            if indexes is None:
                metric.update(*outputs)
            elif isinstance(metric, Loss):
                metric.update(outputs[indexes[0]])
            else:
                metric.update(outputs[indexes[1]], outputs[indexes[2]])


# ------------------------------------------------------------------------------------------------
# Datasets
# ------------------------------------------------------------------------------------------------


def _check_level(name: str, value: Any, known: tuple[str, ...], feature: str) -> None:
    if value not in known:
        raise MindValueError(
            f"For 'Model', '{name}' must be one of {', '.join(known)}, got {value!r}"
        )
    if value != "O0":
        raise MindValueError(
            f"For 'Model', {name}={value!r} asks for {feature}, which is not available yet; "
            f"use {name}='O0'"
        )


def _check_dataset(owner: str, name: str, dataset: Any) -> None:
    if hasattr(dataset, "create_tuple_iterator"):
        return
    if not isinstance(dataset, Iterable) or isinstance(
        dataset, str | bytes | dict | Tensor | np.ndarray
    ):
        raise MindTypeError(
            f"For '{owner}', '{name}' must be a dataset (with create_tuple_iterator) or an iterable "
            f"of (data, label) pairs, got {type(dataset).__name__}"
        )


def _check_reiterable(owner: str, name: str, dataset: Any, passes: int) -> None:
    """An iterator is exhausted after one pass; refuse it up front rather than at epoch 2."""
    if (
        passes > 1
        and isinstance(dataset, Iterator)
        and not hasattr(dataset, "create_tuple_iterator")
    ):
        raise MindTypeError(
            f"For '{owner}', '{name}' is a one-pass iterator ({type(dataset).__name__}) but is read "
            f"{passes} times; pass a list, or a class whose __iter__ starts a new generator each time"
        )


def _dataset_size(dataset: Any) -> int | None:
    """Batches per epoch when the dataset says so, else None."""
    if hasattr(dataset, "get_dataset_size"):
        try:
            size = dataset.get_dataset_size()
        except Exception:  # a size is a nicety; iterating tells the truth
            return None
        return int(size) if isinstance(size, int | np.integer) and size > 0 else None
    if hasattr(dataset, "__len__") and not isinstance(dataset, Iterator):
        try:
            return len(dataset) or None
        except TypeError:
            return None
    return None


#: The most steps one sink call takes (the batches are stacked in memory for it).
_SINK_BLOCK = 256


class _Sinking:
    """The batches of a sink-mode run, in blocks: ``sink_size`` steps per epoch drawn from the
    dataset continuously (started over when it runs out), or each epoch's whole dataset."""

    def __init__(self, owner: str, dataset: Any) -> None:
        self.owner, self.dataset = owner, dataset
        self._it: Iterator | None = None

    def _next(self) -> tuple[Tensor, Tensor] | None:
        for _ in range(2):
            if self._it is None:
                self._it = _batches(self.owner, "train_dataset", self.dataset)
            item = next(self._it, None)
            if item is not None:
                return item
            self._it = None
        return None

    def blocks(self, sink_size: int) -> Iterator[list[tuple[Tensor, Tensor]]]:
        if sink_size == -1:
            epoch = _batches(self.owner, "train_dataset", self.dataset)
            while block := [b for _, b in zip(range(_SINK_BLOCK), epoch)]:
                yield block
            return
        left = sink_size
        while left:
            block = []
            while left and len(block) < _SINK_BLOCK and (item := self._next()) is not None:
                block.append(item)
                left -= 1
            if not block:
                return
            yield block


class _EpochSource:
    """The epochs of a dataset from one ``create_tuple_iterator(num_epochs=N)``: each pass over
    that iterator is the next epoch, as with MindSpore's. A dataset whose iterator is one pass
    only (a generator) gets a new one, for the epochs left, when it comes back empty."""

    def __init__(self, owner: str, dataset: Any, epochs: int) -> None:
        self.owner, self.dataset = owner, dataset
        self._it = dataset.create_tuple_iterator(num_epochs=epochs, output_numpy=True)
        self._started = False

    def epoch(self, left: int) -> Iterator[tuple[Tensor, Tensor]]:
        empty = True
        for item in _batches(self.owner, "train_dataset", self.dataset, self._it):
            empty = False
            yield item
        if empty and self._started:
            self._it = self.dataset.create_tuple_iterator(num_epochs=left, output_numpy=True)
            yield from _batches(self.owner, "train_dataset", self.dataset, self._it)
        self._started = True


def _batches(
    owner: str, name: str, dataset: Any, items: Any = None
) -> Iterator[tuple[Tensor, Tensor]]:
    """One epoch of ``(data, label)`` Tensor pairs (from ``items``, an iterator already made,
    when given)."""
    if items is not None:
        items = iter(items)
    elif hasattr(dataset, "create_tuple_iterator"):
        items = dataset.create_tuple_iterator(num_epochs=1, output_numpy=True)
    else:
        items = iter(dataset)
    for index, item in enumerate(items):
        if not isinstance(item, tuple | list):
            raise MindTypeError(
                f"For '{owner}', each item of '{name}' must be a (data, label) tuple; item {index} "
                f"is a {type(item).__name__}"
            )
        if len(item) != 2:
            raise MindValueError(
                f"For '{owner}', each item of '{name}' must be a (data, label) tuple; item {index} "
                f"has {len(item)} elements"
            )
        yield (
            _to_tensor(item[0], owner, f"the data of {name} item {index}"),
            _to_tensor(item[1], owner, f"the label of {name} item {index}"),
        )


def _to_tensor(value: Any, owner: str, what: str) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray | np.generic | int | float | bool | list):
        array = np.asarray(value)
        if array.dtype == object:
            raise MindTypeError(
                f"For '{owner}', {what} is not numeric (numpy made an object array of it)"
            )
        return Tensor(array)
    raise MindTypeError(
        f"For '{owner}', {what} must be a Tensor, a numpy array or a number, got {type(value).__name__}"
    )


def _validate_now(cur_epoch: int, valid_frequency: int | list[int]) -> bool:
    if isinstance(valid_frequency, list):
        return cur_epoch in valid_frequency
    return cur_epoch % valid_frequency == 0


def _stderr_is_terminal() -> bool:
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # replaced by an object without isatty, or closed
        return False
