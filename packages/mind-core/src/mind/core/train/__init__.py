"""Training with MindSpore 2.x's names (``mindspore.train``): ``Model``, callbacks and metrics.

``Model(net, loss_fn, optimizer, metrics={"accuracy"})`` then ``model.train(epochs, dataset)``,
``model.eval(dataset)`` and ``model.predict(x)``. Callbacks are also importable from
``mind.core.train.callback``. The implementation lives in ``mind.core._src.train``.
"""

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
from mind.core._src.train.metrics import F1 as F1
from mind.core._src.train.metrics import MAE as MAE
from mind.core._src.train.metrics import MSE as MSE
from mind.core._src.train.metrics import ROC as ROC
from mind.core._src.train.metrics import Accuracy as Accuracy
from mind.core._src.train.metrics import BleuScore as BleuScore
from mind.core._src.train.metrics import ConfusionMatrix as ConfusionMatrix
from mind.core._src.train.metrics import CosineSimilarity as CosineSimilarity
from mind.core._src.train.metrics import Dice as Dice
from mind.core._src.train.metrics import Fbeta as Fbeta
from mind.core._src.train.metrics import Loss as Loss
from mind.core._src.train.metrics import Metric as Metric
from mind.core._src.train.metrics import Perplexity as Perplexity
from mind.core._src.train.metrics import Precision as Precision
from mind.core._src.train.metrics import Recall as Recall
from mind.core._src.train.metrics import Top1CategoricalAccuracy as Top1CategoricalAccuracy
from mind.core._src.train.metrics import Top5CategoricalAccuracy as Top5CategoricalAccuracy
from mind.core._src.train.metrics import TopKCategoricalAccuracy as TopKCategoricalAccuracy
from mind.core._src.train.metrics import auc as auc
from mind.core._src.train.metrics import get_metric_fn as get_metric_fn
from mind.core._src.train.metrics import names as names
from mind.core._src.train.metrics import rearrange_inputs as rearrange_inputs
from mind.core._src.train.model import Model as Model
from mind.core.train import callback as callback

__all__ = [
    "F1",
    "MAE",
    "MSE",
    "ROC",
    "Accuracy",
    "BleuScore",
    "Callback",
    "CheckpointConfig",
    "ConfusionMatrix",
    "CosineSimilarity",
    "Dice",
    "EarlyStopping",
    "Fbeta",
    "History",
    "LambdaCallback",
    "Loss",
    "LossMonitor",
    "Metric",
    "Model",
    "ModelCheckpoint",
    "Perplexity",
    "Precision",
    "ProgressBar",
    "Recall",
    "RunContext",
    "TimeMonitor",
    "Top1CategoricalAccuracy",
    "Top5CategoricalAccuracy",
    "TopKCategoricalAccuracy",
    "auc",
    "callback",
    "get_metric_fn",
    "names",
    "rearrange_inputs",
]
