"""Callbacks for ``Model`` (``mindspore.train.callback``); also exported by ``mind.core.train``."""

from mind.core._src.train.callback import Callback as Callback
from mind.core._src.train.callback import CheckpointConfig as CheckpointConfig
from mind.core._src.train.callback import EarlyStopping as EarlyStopping
from mind.core._src.train.callback import History as History
from mind.core._src.train.callback import LambdaCallback as LambdaCallback
from mind.core._src.train.callback import LossMonitor as LossMonitor
from mind.core._src.train.callback import ModelCheckpoint as ModelCheckpoint
from mind.core._src.train.callback import ProgressBar as ProgressBar
from mind.core._src.train.callback import RunContext as RunContext
from mind.core._src.train.callback import TimeMonitor as TimeMonitor

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
