"""MindSpore's ``mindspore.experimental``: APIs MindSpore marks experimental (``optim``: the
PyTorch-style optimizers and learning-rate schedulers)."""

from mind.core.experimental import optim as optim

__all__ = ["optim"]
