"""MindSpore's ``mindspore.experimental.optim``: PyTorch-style optimizers (``param_groups``,
``state``, ``state_dict``), called as ``optimizer(grads)`` with the gradients in parameter
order, and their learning-rate schedulers (:mod:`.lr_scheduler`)."""

from mind.core.experimental.optim import lr_scheduler as lr_scheduler
from mind.core.experimental.optim._algorithms import ASGD as ASGD
from mind.core.experimental.optim._algorithms import SGD as SGD
from mind.core.experimental.optim._algorithms import Adadelta as Adadelta
from mind.core.experimental.optim._algorithms import Adagrad as Adagrad
from mind.core.experimental.optim._algorithms import Adam as Adam
from mind.core.experimental.optim._algorithms import Adamax as Adamax
from mind.core.experimental.optim._algorithms import AdamW as AdamW
from mind.core.experimental.optim._algorithms import NAdam as NAdam
from mind.core.experimental.optim._algorithms import RAdam as RAdam
from mind.core.experimental.optim._algorithms import RMSprop as RMSprop
from mind.core.experimental.optim._algorithms import Rprop as Rprop
from mind.core.experimental.optim._optimizer import Optimizer as Optimizer

__all__ = [
    "ASGD",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
]
