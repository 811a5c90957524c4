"""Callbacks for ``Model.train``/``eval``/``fit``, with MindSpore 2.x's names and hooks.

``Model`` calls each callback's ``on_train_*`` / ``on_eval_*`` methods with a :class:`RunContext`
whose ``original_args()`` is the run's parameters (``cb_params``: epoch, step, the network's
outputs...). The base class forwards each ``on_*`` method to its MindSpore 1.x name (``begin``,
``epoch_begin``, ``step_begin``, ``step_end``, ``epoch_end``, ``end``), so callbacks written
either way work. A callback stops training with ``run_context.request_stop()``.

Built in: :class:`LossMonitor`, :class:`TimeMonitor`, :class:`ModelCheckpoint` (with
:class:`CheckpointConfig`), :class:`EarlyStopping`, :class:`History`, :class:`LambdaCallback` and
:class:`ProgressBar`, which ``Model`` adds by itself when stderr is a terminal.
"""

from __future__ import annotations

import copy
import math
import os
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, TextIO

import numpy as np

from mind.core._src.nn.cell import Cell
from mind.core._src.tensor.tensor import Tensor
from mind.core._src.train.serialization import save_checkpoint
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "Callback",
    "CheckpointConfig",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LossMonitor",
    "ModelCheckpoint",
    "ProgressBar",
    "RunContext",
    "TimeMonitor",
]


# ------------------------------------------------------------------------------------------------
# Base class, run context, parameters
# ------------------------------------------------------------------------------------------------


class Callback:
    """Base class of callbacks: override the ``on_*`` methods you need.

    Each ``on_*`` method's default calls the MindSpore 1.x method of the same moment
    (``on_train_step_end`` and ``on_eval_step_end`` call ``step_end``, ``on_train_begin`` calls
    ``begin``...), which do nothing by default. A callback is also a context manager: ``Model``
    enters it before the run and exits it afterwards, even on error, so it can close files.

    >>> from mind.core.train import Callback
    >>> class StopAtStep(Callback):
    ...     def __init__(self, step):
    ...         super().__init__()
    ...         self.step = step
    ...     def on_train_step_end(self, run_context):
    ...         if run_context.original_args().cur_step_num >= self.step:
    ...             run_context.request_stop()
    """

    def __enter__(self) -> Callback:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    # MindSpore 1.x names -----------------------------------------------------------------------

    def begin(self, run_context: RunContext) -> None:
        """Before the run (training or evaluation)."""

    def epoch_begin(self, run_context: RunContext) -> None:
        """Before each epoch."""

    def epoch_end(self, run_context: RunContext) -> None:
        """After each epoch."""

    def step_begin(self, run_context: RunContext) -> None:
        """Before each step (batch)."""

    def step_end(self, run_context: RunContext) -> None:
        """After each step (batch)."""

    def end(self, run_context: RunContext) -> None:
        """After the run."""

    # MindSpore 2.x names -----------------------------------------------------------------------

    def on_train_begin(self, run_context: RunContext) -> None:
        self.begin(run_context)

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self.epoch_begin(run_context)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        self.epoch_end(run_context)

    def on_train_step_begin(self, run_context: RunContext) -> None:
        self.step_begin(run_context)

    def on_train_step_end(self, run_context: RunContext) -> None:
        self.step_end(run_context)

    def on_train_end(self, run_context: RunContext) -> None:
        self.end(run_context)

    def on_eval_begin(self, run_context: RunContext) -> None:
        self.begin(run_context)

    def on_eval_epoch_begin(self, run_context: RunContext) -> None:
        self.epoch_begin(run_context)

    def on_eval_epoch_end(self, run_context: RunContext) -> None:
        self.epoch_end(run_context)

    def on_eval_step_begin(self, run_context: RunContext) -> None:
        self.step_begin(run_context)

    def on_eval_step_end(self, run_context: RunContext) -> None:
        self.step_end(run_context)

    def on_eval_end(self, run_context: RunContext) -> None:
        self.end(run_context)


class _InternalCallbackParam(dict):
    """The run's parameters, read as attributes (``cb_params.cur_epoch_num``) or keys.

    Training sets: ``train_network``, ``network``, ``loss_fn``, ``optimizer``, ``train_dataset``,
    ``epoch_num``, ``batch_num`` (``None`` until known), ``initial_epoch``, ``cur_epoch_num``,
    ``cur_step_num`` (counted over the whole run), ``cur_step_in_epoch``, ``net_outputs`` (the
    train network's return value, the loss), ``train_dataset_element``, ``dataset_sink_mode``,
    ``list_callback``, ``mode`` (``"train"``), ``parallel_mode``, ``device_number`` and, during
    ``fit``, ``eval_results``. Evaluation sets ``eval_network``, ``valid_dataset``, ``metrics``
    (at the end) and the step fields, with ``mode`` ``"eval"``.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"cb_params has no {name!r}; it has: {', '.join(sorted(self))}"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class RunContext:
    """What a callback receives: the run's parameters and a way to stop the run.

    ``original_args()`` returns the parameters (see ``cb_params`` in the module docs);
    ``request_stop()`` ends training after the current step and epoch-end callbacks.
    """

    def __init__(self, original_args: dict) -> None:
        if not isinstance(original_args, dict):
            raise MindTypeError(
                f"For 'RunContext', 'original_args' must be a dict, got {type(original_args).__name__}"
            )
        self._original_args = original_args
        self._stop_requested = False

    def original_args(self) -> Any:
        """The run's parameters (``cb_params``), readable as attributes."""
        return self._original_args

    def request_stop(self) -> None:
        """Stop training: the current step finishes, epoch-end and train-end callbacks run."""
        self._stop_requested = True

    def get_stop_requested(self) -> bool:
        return self._stop_requested


class _CallbackManager(Callback):
    """Calls every callback in order; entering it enters each of them."""

    def __init__(self, callbacks: list[Callback]) -> None:
        self._callbacks = list(callbacks)
        self._stack: ExitStack | None = None

    def __enter__(self) -> _CallbackManager:
        self._stack = ExitStack()
        for cb in self._callbacks:
            self._stack.enter_context(cb)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._stack is not None:
            self._stack.__exit__(*exc)
            self._stack = None


def _dispatch(name: str) -> Callable[[_CallbackManager, RunContext], None]:
    def call(self: _CallbackManager, run_context: RunContext) -> None:
        for cb in self._callbacks:
            getattr(cb, name)(run_context)

    call.__name__ = name
    return call


for _name in [n for n in vars(Callback) if n.startswith("on_")]:
    setattr(_CallbackManager, _name, _dispatch(_name))


def check_callbacks(callbacks: Any, owner: str) -> list[Callback]:
    """``callbacks`` (None, a Callback or a list of them) as a list, type-checked."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if not isinstance(callbacks, list | tuple):
        raise MindTypeError(
            f"For '{owner}', 'callbacks' must be a Callback or a list of Callbacks, got "
            f"{type(callbacks).__name__}"
        )
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            hint = " (wrap a function in LambdaCallback)" if callable(cb) else ""
            raise MindTypeError(
                f"For '{owner}', 'callbacks[{i}]' must be a Callback, got {type(cb).__name__}{hint}"
            )
    return list(callbacks)


def _loss_value(net_outputs: Any) -> float | None:
    """The loss from a train network's outputs (a Tensor, or a tuple whose first item is)."""
    if isinstance(net_outputs, list | tuple):
        net_outputs = net_outputs[0] if net_outputs else None
    if isinstance(net_outputs, Tensor):
        return float(np.mean(net_outputs.asnumpy()))
    if isinstance(net_outputs, np.ndarray | int | float | np.generic):
        return float(np.mean(net_outputs))
    return None


def _step_in_epoch(cb_params: Any) -> int:
    step = cb_params.get("cur_step_in_epoch")
    if step is not None:
        return int(step)
    return int((cb_params.cur_step_num - 1) % cb_params.batch_num + 1)


def _check_int(owner: str, name: str, value: Any, minimum: int, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise MindTypeError(f"For '{owner}', '{name}' must be an int, got {type(value).__name__}")
    if value < minimum:
        raise MindValueError(f"For '{owner}', '{name}' must be >= {minimum}, got {value}")


# ------------------------------------------------------------------------------------------------
# Monitors
# ------------------------------------------------------------------------------------------------


class LossMonitor(Callback):
    """Print the loss every ``per_print_times`` steps (0: never), and ``fit``'s eval results.

    Prints ``epoch: 1 step: 5, loss is 0.6931`` to stdout. A NaN or infinite loss stops training
    with a :class:`~mind.core.errors.MindValueError` naming the epoch and step.
    """

    def __init__(self, per_print_times: int = 1) -> None:
        super().__init__()
        _check_int("LossMonitor", "per_print_times", per_print_times, 0)
        self._per_print_times = per_print_times
        self._last_print_time = 0

    def on_train_begin(self, run_context: RunContext) -> None:
        self._last_print_time = run_context.original_args().get("cur_step_num", 0)

    def on_train_step_end(self, run_context: RunContext) -> None:
        cb_params = run_context.original_args()
        loss = _loss_value(cb_params.net_outputs)
        step = _step_in_epoch(cb_params)
        if loss is not None and not math.isfinite(loss):
            raise MindValueError(
                f"epoch: {cb_params.cur_epoch_num} step: {step}. Invalid loss {loss}, terminating "
                "training; lower the learning rate or check the data for NaN/inf"
            )
        if (
            self._per_print_times
            and cb_params.cur_step_num - self._last_print_time >= self._per_print_times
        ):
            self._last_print_time = cb_params.cur_step_num
            print(f"epoch: {cb_params.cur_epoch_num} step: {step}, loss is {loss}", flush=True)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb_params = run_context.original_args()
        results = cb_params.get("eval_results")
        if results:
            print(f"Eval result: epoch {cb_params.cur_epoch_num}, metrics: {results}", flush=True)


class TimeMonitor(Callback):
    """Print each epoch's time and the time per step.

    ``data_size``: steps per epoch for the per-step figure; by default the steps actually run.
    Prints ``Train epoch time: 12.345 ms, per step time: 1.234 ms``.
    """

    def __init__(self, data_size: int | None = None) -> None:
        super().__init__()
        _check_int("TimeMonitor", "data_size", data_size, 1, allow_none=True)
        self.data_size = data_size
        self.epoch_time = 0.0
        self._epoch_first_step = 0

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self.epoch_time = time.perf_counter()
        self._epoch_first_step = run_context.original_args().get("cur_step_num", 0)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb_params = run_context.original_args()
        epoch_ms = (time.perf_counter() - self.epoch_time) * 1000
        steps = self.data_size or (cb_params.cur_step_num - self._epoch_first_step) or 1
        print(
            f"Train epoch time: {epoch_ms:5.3f} ms, per step time: {epoch_ms / steps:5.3f} ms",
            flush=True,
        )


class ProgressBar(Callback):
    """One self-overwriting status line per epoch: epoch, step/total, loss and steps per second.

    Writes ``\\rEpoch 2/10  step 17/32  loss 0.4213  85.3 step/s`` to ``stream`` (stderr when
    ``None``), at most every ``refresh_seconds``, and ends each epoch's line with a newline.
    ``Model`` adds one to ``train``/``fit`` by itself when stderr is a terminal and the callbacks
    include no ``ProgressBar`` or ``LossMonitor`` already; elsewhere (logs, CI) it stays silent.
    """

    def __init__(self, stream: TextIO | None = None, refresh_seconds: float = 0.1) -> None:
        super().__init__()
        if isinstance(refresh_seconds, bool) or not isinstance(refresh_seconds, int | float):
            raise MindTypeError(
                f"For 'ProgressBar', 'refresh_seconds' must be a number, got {type(refresh_seconds).__name__}"
            )
        self._stream = stream
        self.refresh_seconds = float(refresh_seconds)
        self._reset_line()

    def _reset_line(self) -> None:
        self._start = time.perf_counter()
        self._last_write = -math.inf
        self._width = 0
        self._line = ""

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self._reset_line()

    def on_train_step_end(self, run_context: RunContext) -> None:
        cb_params = run_context.original_args()
        step = _step_in_epoch(cb_params)
        total = cb_params.get("batch_num")
        elapsed = time.perf_counter() - self._start
        rate = step / elapsed if elapsed > 0 else 0.0
        loss = _loss_value(cb_params.net_outputs)
        loss_text = "?" if loss is None else f"{loss:.4f}"
        self._line = (
            f"Epoch {cb_params.cur_epoch_num}/{cb_params.epoch_num}  "
            f"step {step}/{total if total else '?'}  loss {loss_text}  {rate:.1f} step/s"
        )
        now = time.perf_counter()
        if now - self._last_write >= self.refresh_seconds or step == total:
            self._write(self._line)
            self._last_write = now

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        results = run_context.original_args().get("eval_results")
        line = self._line
        if results:
            line += "  " + "  ".join(f"{k} {_format_value(v)}" for k, v in results.items())
        if line:
            self._write(line)
            self.stream.write("\n")
            self.stream.flush()

    def _write(self, line: str) -> None:
        # Pad with spaces so a shorter line fully covers the previous one.
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)


def _format_value(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4f}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4)
    return str(value)


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_train_epoch_end=lambda run_context: ...)``.

    Each keyword is one of the ``on_*`` method names and takes the run context.
    """

    _NAMES = tuple(n for n in vars(Callback) if n.startswith("on_"))

    def __init__(self, **functions: Callable[[RunContext], Any]) -> None:
        super().__init__()
        for name, fn in functions.items():
            if name not in self._NAMES:
                raise MindValueError(
                    f"For 'LambdaCallback', unknown hook {name!r}; known: {', '.join(self._NAMES)}"
                )
            if not callable(fn):
                raise MindTypeError(
                    f"For 'LambdaCallback', {name!r} must be callable, got {type(fn).__name__}"
                )
            setattr(self, name, fn)


# ------------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------------


class CheckpointConfig:
    """When :class:`ModelCheckpoint` saves and how many files it keeps.

    :param save_checkpoint_steps: save every this many steps (0 or None: use seconds).
    :param save_checkpoint_seconds: save every this many seconds, when steps is 0/None.
    :param keep_checkpoint_max: keep at most this many files, deleting the oldest.
    :param keep_checkpoint_per_n_minutes: keep one file per this many minutes (when
        ``keep_checkpoint_max`` is 0/None).
    :param integrated_save: kept for MindSpore compatibility (parameters are never sliced here).
    :param async_save: kept for MindSpore compatibility; saving is synchronous for now.
    :param saved_network: a Cell to save instead of the model's network.
    :param append_info: extra entries saved with the parameters: ``"epoch_num"``,
        ``"step_num"`` and/or one dict of names to values.

    >>> from mind.core.train import CheckpointConfig
    >>> CheckpointConfig(save_checkpoint_steps=100, keep_checkpoint_max=3).keep_checkpoint_max
    3
    """

    def __init__(
        self,
        save_checkpoint_steps: int | None = 1,
        save_checkpoint_seconds: int | None = 0,
        keep_checkpoint_max: int | None = 5,
        keep_checkpoint_per_n_minutes: int | None = 0,
        integrated_save: bool = True,
        async_save: bool = False,
        saved_network: Cell | None = None,
        append_info: list | None = None,
    ) -> None:
        owner = "CheckpointConfig"
        for name, value in (
            ("save_checkpoint_steps", save_checkpoint_steps),
            ("save_checkpoint_seconds", save_checkpoint_seconds),
            ("keep_checkpoint_max", keep_checkpoint_max),
            ("keep_checkpoint_per_n_minutes", keep_checkpoint_per_n_minutes),
        ):
            _check_int(owner, name, value, 0, allow_none=True)
        if not save_checkpoint_steps and not save_checkpoint_seconds:
            raise MindValueError(
                f"For '{owner}', 'save_checkpoint_steps' and 'save_checkpoint_seconds' cannot both "
                "be 0 or None: say how often to save"
            )
        for name, value in (("integrated_save", integrated_save), ("async_save", async_save)):
            if not isinstance(value, bool):
                raise MindTypeError(
                    f"For '{owner}', '{name}' must be a bool, got {type(value).__name__}"
                )
        if saved_network is not None and not isinstance(saved_network, Cell):
            raise MindTypeError(
                f"For '{owner}', 'saved_network' must be a Cell or None, got {type(saved_network).__name__}"
            )
        self._save_checkpoint_steps = save_checkpoint_steps or None
        # Steps win over seconds, as in MindSpore.
        self._save_checkpoint_seconds = None if save_checkpoint_steps else save_checkpoint_seconds
        self._keep_checkpoint_max = keep_checkpoint_max or None
        self._keep_checkpoint_per_n_minutes = (
            None if keep_checkpoint_max else (keep_checkpoint_per_n_minutes or None)
        )
        if self._keep_checkpoint_max is None and self._keep_checkpoint_per_n_minutes is None:
            self._keep_checkpoint_max = 1
        self._integrated_save = integrated_save
        self._async_save = async_save
        self._saved_network = saved_network
        self._append_dict = self._handle_append_info(append_info)

    @staticmethod
    def _handle_append_info(append_info: Any) -> dict[str, Any] | None:
        if append_info is None or append_info == []:
            return None
        if not isinstance(append_info, list):
            raise MindTypeError(
                f"For 'CheckpointConfig', 'append_info' must be a list, got {type(append_info).__name__}"
            )
        out: dict[str, Any] = {}
        dicts = 0
        for item in append_info:
            if isinstance(item, str):
                if item not in ("epoch_num", "step_num"):
                    raise MindValueError(
                        "For 'CheckpointConfig', the strings in 'append_info' must be 'epoch_num' "
                        f"or 'step_num', got {item!r}"
                    )
                out[item] = 0
            elif isinstance(item, dict):
                dicts += 1
                for key, value in item.items():
                    if not isinstance(key, str):
                        raise MindTypeError(
                            f"For 'CheckpointConfig', keys of the dict in 'append_info' must be str, got {key!r}"
                        )
                    if not isinstance(value, int | float | bool | str | Tensor | np.ndarray):
                        raise MindTypeError(
                            f"For 'CheckpointConfig', 'append_info[{key!r}]' must be a number, "
                            f"string, bool or Tensor, got {type(value).__name__}"
                        )
                    out[key] = value
            else:
                raise MindTypeError(
                    "For 'CheckpointConfig', 'append_info' items must be 'epoch_num', "
                    f"'step_num' or a dict, got {type(item).__name__}"
                )
        if dicts > 1:
            raise MindValueError("For 'CheckpointConfig', 'append_info' may hold at most one dict")
        return out

    @property
    def save_checkpoint_steps(self) -> int | None:
        return self._save_checkpoint_steps

    @property
    def save_checkpoint_seconds(self) -> int | None:
        return self._save_checkpoint_seconds

    @property
    def keep_checkpoint_max(self) -> int | None:
        return self._keep_checkpoint_max

    @property
    def keep_checkpoint_per_n_minutes(self) -> int | None:
        return self._keep_checkpoint_per_n_minutes

    @property
    def integrated_save(self) -> bool:
        return self._integrated_save

    @property
    def async_save(self) -> bool:
        return self._async_save

    @property
    def saved_network(self) -> Cell | None:
        return self._saved_network

    @property
    def append_dict(self) -> dict[str, Any] | None:
        return self._append_dict

    def get_checkpoint_policy(self) -> dict[str, Any]:
        """The save and keep policy as a dict."""
        return {
            "save_checkpoint_steps": self.save_checkpoint_steps,
            "save_checkpoint_seconds": self.save_checkpoint_seconds,
            "keep_checkpoint_max": self.keep_checkpoint_max,
            "keep_checkpoint_per_n_minutes": self.keep_checkpoint_per_n_minutes,
        }


class ModelCheckpoint(Callback):
    """Save checkpoints while training, as ``{directory}/{prefix}-{epoch}_{step}.ckpt``.

    ``step`` counts within the epoch. ``config`` (a :class:`CheckpointConfig`) says how often to
    save and how many files to keep; the last step is always saved when training ends. It saves
    the model's network (or ``config.saved_network``) with the optimizer's state, through
    :func:`mind.core.save_checkpoint`. ``directory`` defaults to the working directory and is
    created if missing. As in MindSpore, when files named ``{prefix}-*.ckpt`` are already there,
    this run uses ``{prefix}_1`` (then ``_2``...) rather than mixing with them.
    """

    def __init__(
        self,
        prefix: str = "CKP",
        directory: str | None = None,
        config: CheckpointConfig | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(prefix, str) or not prefix or "/" in prefix or os.sep in prefix:
            raise MindValueError(
                f"For 'ModelCheckpoint', 'prefix' must be a non-empty file-name prefix without "
                f"path separators, got {prefix!r}"
            )
        if directory is not None and not isinstance(directory, str | os.PathLike):
            raise MindTypeError(
                f"For 'ModelCheckpoint', 'directory' must be a path or None, got {type(directory).__name__}"
            )
        if config is None:
            config = CheckpointConfig()
        if not isinstance(config, CheckpointConfig):
            raise MindTypeError(
                f"For 'ModelCheckpoint', 'config' must be a CheckpointConfig, got {type(config).__name__}"
            )
        self._directory = (
            os.path.abspath(os.fspath(directory)) if directory is not None else os.getcwd()
        )
        os.makedirs(self._directory, exist_ok=True)
        self._prefix = _unused_prefix(self._directory, prefix)
        self._config = config
        self._last_triggered_step = 0
        self._last_time = time.time()
        self._latest_ckpt_file_name = ""
        self._files: list[str] = []  # this callback's kept files, oldest first
        self._window_start = time.time()
        self._window_file: str | None = None

    @property
    def latest_ckpt_file_name(self) -> str:
        """The path of the newest checkpoint this callback wrote ("" before the first)."""
        return self._latest_ckpt_file_name

    def on_train_begin(self, run_context: RunContext) -> None:
        self._last_triggered_step = run_context.original_args().get("cur_step_num", 0)
        self._last_time = time.time()

    def on_train_step_end(self, run_context: RunContext) -> None:
        self._save_ckpt(run_context.original_args())

    def on_train_end(self, run_context: RunContext) -> None:
        self._save_ckpt(run_context.original_args(), force_to_save=True)

    def _should_save(self, cb_params: Any, force_to_save: bool) -> bool:
        if force_to_save:
            return True
        steps = self._config.save_checkpoint_steps
        if steps:
            return cb_params.cur_step_num >= self._last_triggered_step + steps
        seconds = self._config.save_checkpoint_seconds
        if seconds and time.time() - self._last_time > seconds:
            self._last_time = time.time()
            return True
        return False

    def _save_ckpt(self, cb_params: Any, force_to_save: bool = False) -> None:
        if cb_params.cur_step_num == self._last_triggered_step:
            return  # already saved at this step (the end of training right after a save)
        if not self._should_save(cb_params, force_to_save):
            return
        # Imported here so this module works before serialization is in place.

        self._last_triggered_step = cb_params.cur_step_num
        name = f"{self._prefix}-{cb_params.cur_epoch_num}_{_step_in_epoch(cb_params)}.ckpt"
        path = os.path.join(self._directory, name)
        self._prune(path)
        append = None
        if self._config.append_dict is not None:
            append = dict(self._config.append_dict)
            if "epoch_num" in append:
                append["epoch_num"] = cb_params.cur_epoch_num
            if "step_num" in append:
                append["step_num"] = cb_params.cur_step_num
        network = self._config.saved_network
        optimizer = None
        if network is None:
            network = cb_params.get("network")
            if network is None:
                network = cb_params.train_network
            optimizer = cb_params.get("optimizer")
        save_checkpoint(network, path, append_dict=append, optimizer=optimizer)
        self._latest_ckpt_file_name = path
        if path in self._files:
            self._files.remove(path)
        self._files.append(path)

    def _prune(self, new_path: str) -> None:
        """Make room for ``new_path`` under the keep policy."""
        keep_max = self._config.keep_checkpoint_max
        if keep_max:
            while len([f for f in self._files if f != new_path]) >= keep_max:
                _remove(self._files.pop(0))
            return
        minutes = self._config.keep_checkpoint_per_n_minutes
        if minutes:
            now = time.time()
            if now - self._window_start < minutes * 60:
                # Within the window only the newest file survives.
                if self._window_file is not None and self._window_file != new_path:
                    _remove(self._window_file)
                    if self._window_file in self._files:
                        self._files.remove(self._window_file)
            else:
                self._window_start = now  # the previous window's newest file is kept for good
            self._window_file = new_path


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _unused_prefix(directory: str, prefix: str) -> str:
    def taken(p: str) -> bool:
        return any(f.startswith(p + "-") and f.endswith(".ckpt") for f in os.listdir(directory))

    if not taken(prefix):
        return prefix
    n = 1
    while taken(f"{prefix}_{n}"):
        n += 1
    return f"{prefix}_{n}"


# ------------------------------------------------------------------------------------------------
# Early stopping, history
# ------------------------------------------------------------------------------------------------


class EarlyStopping(Callback):
    """Stop training when a monitored value stops improving.

    :param monitor: ``"loss"`` (the training loss of each epoch's last step) or a key of the
        evaluation results that ``Model.fit`` computes each validation epoch: a metric name, or
        ``"eval_loss"`` (``fit`` adds it whenever the model has a loss). ``"eval_<name>"`` also
        finds a metric called ``<name>``.
    :param min_delta: a change smaller than this is not an improvement.
    :param patience: epochs without improvement before stopping (0: stop at the first one).
    :param verbose: print when it stops and when it restores weights.
    :param mode: ``"min"``, ``"max"`` or ``"auto"`` (max when ``"acc"`` is in ``monitor``).
    :param baseline: the value to beat; epochs that do not beat it count as not improving.
    :param restore_best_weights: when stopping, put back the parameters of the best epoch.

    Epochs where the value is unavailable (no validation that epoch) are skipped; if it is never
    available a warning names the keys that were.
    """

    def __init__(
        self,
        monitor: str = "eval_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: bool = False,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise MindTypeError(
                f"For 'EarlyStopping', 'monitor' must be a str, got {type(monitor).__name__}"
            )
        if isinstance(min_delta, bool) or not isinstance(min_delta, int | float):
            raise MindTypeError(
                f"For 'EarlyStopping', 'min_delta' must be a number, got {type(min_delta).__name__}"
            )
        _check_int("EarlyStopping", "patience", patience, 0)
        if mode not in ("auto", "min", "max"):
            raise MindValueError(
                f"For 'EarlyStopping', 'mode' must be 'auto', 'min' or 'max', got {mode!r}"
            )
        if baseline is not None and (
            isinstance(baseline, bool) or not isinstance(baseline, int | float)
        ):
            raise MindTypeError(
                f"For 'EarlyStopping', 'baseline' must be a number or None, got {type(baseline).__name__}"
            )
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -math.inf if self.mode == "max" else math.inf
        self.best_weights: list[tuple[Any, np.ndarray]] | None = None
        self._seen_value = False
        self._available: set[str] = set()

    def _is_improvement(self, current: float, reference: float) -> bool:
        if self.mode == "max":
            return current - self.min_delta > reference
        return current - self.min_delta < reference

    def on_train_begin(self, run_context: RunContext) -> None:
        self._reset()

    def _monitor_value(self, cb_params: Any) -> float | None:
        if self.monitor == "loss":
            return _loss_value(cb_params.get("net_outputs"))
        results = cb_params.get("eval_results") or {}
        self._available.update(results)
        value = results.get(self.monitor)
        if value is None and self.monitor.startswith("eval_"):
            value = results.get(self.monitor[len("eval_") :])
        if value is None:
            return None
        value = np.asarray(value.asnumpy() if isinstance(value, Tensor) else value)
        if value.shape not in ((), (1,)):
            raise MindValueError(
                f"For 'EarlyStopping', the monitored value {self.monitor!r} must be a scalar, got "
                f"shape {value.shape}; monitor an averaged metric instead"
            )
        return float(value.reshape(()))

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb_params = run_context.original_args()
        current = self._monitor_value(cb_params)
        if current is None:
            return
        self._seen_value = True
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            if self.restore_best_weights:
                self.best_weights = [
                    (p, p.asnumpy().copy()) for p in cb_params.train_network.get_parameters()
                ]
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
                return
        if self.wait >= self.patience:
            self.stopped_epoch = cb_params.cur_epoch_num
            run_context.request_stop()
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose:
                    print("Restoring model weights from the end of the best epoch.", flush=True)
                for param, value in self.best_weights:
                    param.set_data(value)

    def on_train_end(self, run_context: RunContext) -> None:
        if not self._seen_value:
            available = sorted({"loss", *self._available})
            warnings.warn(
                f"EarlyStopping monitors {self.monitor!r}, which no epoch provided; available: "
                f"{', '.join(available)} (evaluation results come from Model.fit with a "
                "valid_dataset)",
                stacklevel=2,
            )
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch:05d}: early stopping", flush=True)


class History(Callback):
    """Record each epoch's results: ``history`` maps a name to one value per epoch.

    ``history["net_output"]`` holds the training loss of each epoch's last step (MindSpore's
    key); under ``fit``, each evaluation result (``"accuracy"``, ``"eval_loss"``...) is added under
    its name on the epochs that were validated. ``epoch`` lists the epoch numbers.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, run_context: RunContext) -> None:
        self.history = {}
        self.epoch = []

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb_params = run_context.original_args()
        self.epoch.append(cb_params.get("cur_epoch_num", len(self.epoch) + 1))
        loss = _loss_value(cb_params.get("net_outputs"))
        if loss is not None:
            self.history.setdefault("net_output", []).append(loss)
        for key, value in (cb_params.get("eval_results") or {}).items():
            self.history.setdefault(key, []).append(copy.deepcopy(value))
