"""Dataset callbacks: user code that a ``map`` calls as its rows go through (MindSpore's
``mindspore.dataset.DSCallback`` and ``WaitedDSCallback``).

A callback passed as ``dataset.map(op, callbacks=cb)`` is called by that map, on the pipeline's
thread, with a :class:`DSRunContext`:

- ``ds_begin`` once, before the first row the map ever takes (context 0, 0, 0);
- ``ds_epoch_begin`` before each epoch's first row, ``ds_epoch_end`` after its last (a
  ``repeat`` above the map makes one epoch of several passes, as in MindSpore). Epochs and
  steps are counted over every iteration of the map, so that ``Model.train``, which takes a new
  iterator for each epoch, shows its callbacks epochs 1, 2, ... as MindSpore's Model does;
- ``ds_step_begin`` before the map runs on a row and ``ds_step_end`` after, for rows 1,
  1 + step_size, 1 + 2 * step_size, ... of each epoch.

Iterations that only look at a dataset (``get_dataset_size``, ``output_shapes``,
``output_types``) call no callbacks. Example::

    >>> import mind.data as ds
    >>> class Steps(ds.DSCallback):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.seen = []
    ...     def ds_step_begin(self, ds_run_context):
    ...         self.seen.append(ds_run_context.cur_step_num)
    >>> steps = Steps()
    >>> data = ds.NumpySlicesDataset([1, 2, 3], shuffle=False).map(lambda x: x, callbacks=steps)
    >>> _ = list(data.create_tuple_iterator(num_epochs=1))
    >>> steps.seen
    [1, 2, 3]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from mind.core.errors import MindTypeError, MindValueError
from mind.core.train import Callback

__all__ = ["DSCallback", "DSRunContext", "WaitedDSCallback"]

# How long a WaitedDSCallback waits for the training step or epoch it follows, in seconds:
# MindSpore's default ``config.get_callback_timeout()``.
CALLBACK_TIMEOUT = 60


def callback_timeout() -> float:
    """``config.get_callback_timeout()`` where mind.data.config has it, else 60 seconds."""
    from mind.data import config

    getter = getattr(config, "get_callback_timeout", None)
    return getter() if getter is not None else CALLBACK_TIMEOUT


_HOOKS = ("ds_begin", "ds_epoch_begin", "ds_epoch_end", "ds_step_begin", "ds_step_end")


@dataclass(frozen=True)
class DSRunContext:
    """Where the pipeline is when a callback is called: the epoch (1-based; 0 in ``ds_begin``),
    the step (row) within it, and the step counted over every epoch of the iterator."""

    cur_epoch_num: int
    cur_step_num_in_epoch: int
    cur_step_num: int


class DSCallback:
    """Base of dataset callbacks: override any of ``ds_begin``, ``ds_epoch_begin``,
    ``ds_epoch_end``, ``ds_step_begin``, ``ds_step_end`` and pass an instance to
    ``map(callbacks=...)``. ``step_size``: the step hooks run on every ``step_size``-th row."""

    def __init__(self, step_size: int = 1) -> None:
        if (
            not isinstance(step_size, int)
            or isinstance(step_size, bool)
            or not 0 < step_size < 2**31
        ):
            raise MindValueError(
                f"For 'DSCallback', 'step_size' must be an int in [1, 2**31), got {step_size!r}"
            )
        self.step_size = step_size

    def ds_begin(self, ds_run_context: DSRunContext) -> None:
        """Called before the pipeline's first epoch."""

    def ds_epoch_begin(self, ds_run_context: DSRunContext) -> None:
        """Called before each epoch."""

    def ds_epoch_end(self, ds_run_context: DSRunContext) -> None:
        """Called after each epoch."""

    def ds_step_begin(self, ds_run_context: DSRunContext) -> None:
        """Called before a step (a row through the map), every ``step_size`` steps."""

    def ds_step_end(self, ds_run_context: DSRunContext) -> None:
        """Called after a step, every ``step_size`` steps."""

    def _hooks(self) -> dict[str, Callable[[DSRunContext], None]]:
        """The hooks this callback overrides, by name; a callback overriding none is an error
        (MindSpore raises AttributeError, and so does this)."""
        hooks = {
            name: getattr(self, name)
            for name in _HOOKS
            if getattr(type(self), name) is not getattr(DSCallback, name)
        }
        if not hooks:
            raise AttributeError(
                f"For 'map', the callback {type(self).__name__} inherits DSCallback without "
                f"overriding any of its methods ({', '.join(_HOOKS)}); Inheriting Callback "
                "class without overriding any methods is an error"
            )
        return hooks


class WaitedDSCallback(Callback, DSCallback):
    """A dataset callback kept in step with training: pass it both to ``map(callbacks=...)``
    and to ``Model.train(callbacks=...)``. Before each dataset step after the first
    ``step_size`` rows (and each epoch after the first) the pipeline waits until the previous
    training step (epoch) has ended, then calls ``sync_step_begin`` (``sync_epoch_begin``) with
    the training's run context and the pipeline's. ``step_size`` is usually the batch size.
    A wait longer than the callback timeout (60 seconds) raises RuntimeError."""

    def __init__(self, step_size: int = 1) -> None:
        Callback.__init__(self)
        DSCallback.__init__(self, step_size)
        self.step_event, self.epoch_event = threading.Event(), threading.Event()
        self.step_run_context = self.epoch_run_context = None
        self.training_ended = False

    def sync_epoch_begin(self, train_run_context: Any, ds_run_context: DSRunContext) -> None:
        """Called before a dataset epoch, after the previous training epoch has ended."""

    def sync_step_begin(self, train_run_context: Any, ds_run_context: DSRunContext) -> None:
        """Called before a dataset step, after the previous training step has ended."""

    # The training side (mind.core.train.Callback's hooks): release the pipeline's waits.

    def epoch_end(self, run_context: Any) -> None:
        self.epoch_run_context = run_context
        self.epoch_event.set()

    def step_end(self, run_context: Any) -> None:
        self.step_run_context = run_context
        self.step_event.set()

    def end(self, run_context: Any) -> None:
        self.epoch_end(run_context)
        self.step_end(run_context)
        self.training_ended = True

    # The pipeline side.

    def ds_epoch_begin(self, ds_run_context: DSRunContext) -> None:
        if ds_run_context.cur_epoch_num > 1:
            self._wait(self.epoch_event, "ds_epoch_begin")
            self.sync_epoch_begin(self.epoch_run_context, ds_run_context)

    def ds_step_begin(self, ds_run_context: DSRunContext) -> None:
        if ds_run_context.cur_step_num > self.step_size:
            self._wait(self.step_event, "ds_step_begin")
            self.sync_step_begin(self.step_run_context, ds_run_context)

    def _wait(self, event: threading.Event, hook: str) -> None:
        if self.training_ended:
            return
        timeout = callback_timeout()
        done = event.wait(timeout=timeout)
        event.clear()
        if not done:
            raise RuntimeError(f"{hook} timed out after {timeout} second(s).")

    def _hooks(self) -> dict[str, Callable[[DSRunContext], None]]:
        hooks = {}
        if type(self).sync_step_begin is not WaitedDSCallback.sync_step_begin:
            hooks["ds_step_begin"] = self.ds_step_begin
        if type(self).sync_epoch_begin is not WaitedDSCallback.sync_epoch_begin:
            hooks["ds_epoch_begin"] = self.ds_epoch_begin
        if not hooks:
            raise AttributeError(
                f"For 'map', the callback {type(self).__name__} inherits WaitedDSCallback "
                "without overriding sync_step_begin or sync_epoch_begin; Inheriting Callback "
                "class without overriding any methods is an error"
            )
        return hooks


def check_callbacks(callbacks: Any) -> list[DSCallback]:
    """``map``'s ``callbacks`` argument as a list: None, a DSCallback or a list of them."""
    if callbacks is None:
        return []
    items = callbacks if isinstance(callbacks, list) else [callbacks]
    if not isinstance(callbacks, list | DSCallback):
        raise MindTypeError(
            f"For 'map': Argument callbacks with value {callbacks!r} is not of type "
            "[DSCallback, list] (a DSCallback or a list of them)"
        )
    for k, cb in enumerate(items):
        if not isinstance(cb, DSCallback):
            raise MindTypeError(
                f"For 'map': Argument callbacks[{k}] with value {cb!r} is not of type DSCallback"
            )
        cb._hooks()  # a callback that overrides nothing fails here, when the map is built
    return items


# ------------------------------------------------------------------------------------------------
# Running them
# ------------------------------------------------------------------------------------------------

_MUTED = threading.local()


@contextmanager
def muted() -> Iterator[None]:
    """Iterations started inside (on this thread) call no dataset callbacks: the getters'."""
    previous = getattr(_MUTED, "on", False)
    _MUTED.on = True
    try:
        yield
    finally:
        _MUTED.on = previous


def enabled() -> bool:
    """Whether an iteration started now on this thread calls dataset callbacks."""
    return not getattr(_MUTED, "on", False)


class CallbackRunner:
    """One map's callbacks and its counts of epochs and steps.

    The counts run over every iteration of the map, not one iterator's: ``Model.train`` takes
    a new iterator for each epoch, and its callbacks must see epochs 1, 2, ... and steps
    counted on across them, as MindSpore's (whose ``Model`` keeps one iterator) do. So
    ``ds_begin`` runs once, on the first iteration.
    """

    def __init__(self, callbacks: list[DSCallback]) -> None:
        self.hooks = [(cb.step_size, cb._hooks()) for cb in callbacks]
        self.begun = False
        self.epoch = self.step_in_epoch = self.step = 0

    def _call(self, name: str, epoch: int, step_in_epoch: int, step: int) -> None:
        context = DSRunContext(epoch, step_in_epoch, step)
        for step_size, hooks in self.hooks:
            hook = hooks.get(name)
            if hook is None:
                continue
            if name in ("ds_step_begin", "ds_step_end") and (step_in_epoch - 1) % step_size:
                continue
            hook(context)

    def begin_pass(self, first_pass: bool) -> None:
        """Before one pass of the map's input; ``first_pass``: no repeat above the map has gone
        round yet in this epoch, so the epoch begins here."""
        if not first_pass:
            return
        if not self.begun:
            self.begun = True
            self._call("ds_begin", 0, 0, 0)
        self.epoch += 1
        self.step_in_epoch = 0
        self._call("ds_epoch_begin", self.epoch, 0, self.step)

    def step_begin(self) -> tuple[int, int, int]:
        """Before a row; returns the (epoch, step in epoch, step) that :meth:`step_end` takes."""
        self.step_in_epoch += 1
        self.step += 1
        self._call("ds_step_begin", self.epoch, self.step_in_epoch, self.step)
        return self.epoch, self.step_in_epoch, self.step

    def step_end(self, where: tuple[int, int, int]) -> None:
        self._call("ds_step_end", *where)

    def end_pass(self, last_pass: bool) -> None:
        """After one pass; ``last_pass``: every repeat above is on its last round, so the epoch
        ends here."""
        if last_pass:
            self._call("ds_epoch_end", self.epoch, self.step_in_epoch, self.step)
