"""Models for the mind-lite tests, exported by mind-core as a user would."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as ms
from mind.core import nn, ops
from mind.core.testing import cache_dir


@pytest.fixture(autouse=True, scope="session")
def _native_cache(tmp_path_factory):
    """Plans and modules the native backend builds go to a fresh cache, never ~/.cache."""
    with cache_dir(tmp_path_factory.mktemp("mind-cache")):
        yield


class LeNet5(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid")
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
        self.fc1 = nn.Dense(16 * 5 * 5, 120)
        self.fc2 = nn.Dense(120, 84)
        self.fc3 = nn.Dense(84, 10)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()

    def construct(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.relu(self.fc1(self.flatten(x)))
        return self.fc3(self.relu(self.fc2(x)))


class ConvBNNet(nn.Cell):
    """Conv + bias + batch norm + GELU, global pooling, dense, layer norm, two outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, pad_mode="pad", padding=1, has_bias=True)
        self.bn = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, pad_mode="same", group=2)
        self.bn2 = nn.BatchNorm2d(8)
        self.dense = nn.Dense(8, 4)
        self.norm = nn.LayerNorm((4,))
        self.gelu = nn.GELU()

    def construct(self, x):
        y = self.gelu(self.bn(self.conv(x)))
        y = ops.relu(self.bn2(self.conv2(y)))
        pooled = ops.adaptive_avg_pool2d(ops.avg_pool2d(y, 2, 1), 1).reshape(x.shape[0], 8)
        return ops.softmax(self.norm(self.dense(pooled)), -1), ops.sigmoid(pooled).transpose(1, 0)


def _randomize_bn(net: nn.Cell, seed: int) -> None:
    """Non-trivial moving statistics, so that folding the batch norms is visible in the values."""
    rng = np.random.default_rng(seed)
    for name, p in net.parameters_and_names():
        if "moving_mean" in name or "beta" in name:
            p.set_data(ms.Tensor(rng.standard_normal(p.shape).astype(np.float32)))
        elif "moving_variance" in name or "gamma" in name:
            p.set_data(ms.Tensor(rng.uniform(0.5, 2.0, p.shape).astype(np.float32)))


def export(net: nn.Cell, shape: tuple[int, ...], path) -> str:
    net.set_train(False)
    ms.export(
        net, ms.Tensor(np.zeros(shape, np.float32)), file_name=str(path), file_format="MINDIR"
    )
    return str(path) + ".mindir"


@pytest.fixture
def lenet5():
    """The LeNet-5 class (a fresh network per call)."""
    return LeNet5


@pytest.fixture(scope="session")
def lenet_mindir(tmp_path_factory) -> str:
    ms.set_seed(0)
    return export(LeNet5(), (1, 1, 32, 32), tmp_path_factory.mktemp("lenet") / "lenet")


@pytest.fixture(scope="session")
def convbn_mindir(tmp_path_factory) -> str:
    ms.set_seed(1)
    net = ConvBNNet()
    _randomize_bn(net, 1)
    return export(net, (2, 3, 8, 8), tmp_path_factory.mktemp("convbn") / "convbn")


def _reference(mindir: str, *arrays: np.ndarray) -> list[np.ndarray]:
    out = nn.GraphCell(ms.load(mindir))(*[ms.Tensor(a) for a in arrays])
    return [t.asnumpy() for t in (out if isinstance(out, (tuple, list)) else (out,))]


@pytest.fixture
def reference():
    """``reference(mindir, *arrays)``: what mind-core's own runtime computes for the export."""
    return _reference
