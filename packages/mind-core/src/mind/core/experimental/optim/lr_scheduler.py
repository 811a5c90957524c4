"""MindSpore's ``mindspore.experimental.optim.lr_scheduler``: learning-rate schedulers for the
experimental optimizers, with PyTorch's formulas. ``step()`` writes each group's new rate into
the group's learning-rate Parameter; call it between training steps (outside ``jit``)."""

from mind.core.experimental.optim._schedulers import ChainedScheduler as ChainedScheduler
from mind.core.experimental.optim._schedulers import ConstantLR as ConstantLR
from mind.core.experimental.optim._schedulers import (
    CosineAnnealingLR as CosineAnnealingLR,
)
from mind.core.experimental.optim._schedulers import (
    CosineAnnealingWarmRestarts as CosineAnnealingWarmRestarts,
)
from mind.core.experimental.optim._schedulers import CyclicLR as CyclicLR
from mind.core.experimental.optim._schedulers import ExponentialLR as ExponentialLR
from mind.core.experimental.optim._schedulers import LambdaLR as LambdaLR
from mind.core.experimental.optim._schedulers import LinearLR as LinearLR
from mind.core.experimental.optim._schedulers import LRScheduler as LRScheduler
from mind.core.experimental.optim._schedulers import MultiplicativeLR as MultiplicativeLR
from mind.core.experimental.optim._schedulers import MultiStepLR as MultiStepLR
from mind.core.experimental.optim._schedulers import PolynomialLR as PolynomialLR
from mind.core.experimental.optim._schedulers import ReduceLROnPlateau as ReduceLROnPlateau
from mind.core.experimental.optim._schedulers import SequentialLR as SequentialLR
from mind.core.experimental.optim._schedulers import StepLR as StepLR

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
