"""LeNet-5 on the shipped UCI digits, trained with ``Model``; prints the test accuracy last.

    python examples/lenet_digits.py [--epochs N] [--device native]

The 8x8 digit images (values 0..16) are scaled to [0, 1] and upscaled to 32x32 by repeating each
pixel 4x4, the input size LeNet-5 was designed for. 1,438 images train, 359 test (a stratified,
seeded split from ``mind.data.load_digits``). Training images are shifted by up to 2 pixels each
way (a random crop of the zero-padded image), and the learning rate follows a cosine decay: test
accuracy is 0.989 (0.989-0.992 over seeds 0-2; 0.96 without shifts and schedule).
"""

from __future__ import annotations

import argparse

import numpy as np

import mind.core as ms
from mind.core import nn
from mind.core.train import Model
from mind.data import load_digits


class LeNet5(nn.Cell):
    """LeNet-5 as in MindSpore's model zoo: two valid 5x5 convolutions, three dense layers."""

    def __init__(self, num_class: int = 10, num_channel: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(num_channel, 6, 5, pad_mode="valid")
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
        self.fc1 = nn.Dense(16 * 5 * 5, 120)
        self.fc2 = nn.Dense(120, 84)
        self.fc3 = nn.Dense(84, num_class)
        self.relu = nn.ReLU()
        self.max_pool2d = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()

    def construct(self, x):
        x = self.max_pool2d(self.relu(self.conv1(x)))
        x = self.max_pool2d(self.relu(self.conv2(x)))
        x = self.flatten(x)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


def prepare(images: np.ndarray) -> np.ndarray:
    """(N, 8, 8) uint8 in 0..16 -> (N, 1, 32, 32) float32 in [0, 1]."""
    scaled = images.astype(np.float32) / 16.0
    return np.kron(scaled, np.ones((4, 4), np.float32))[:, None]


class Batches:
    """(images, labels) batches of numpy arrays; reshuffled every epoch when ``shuffle``, each
    image randomly shifted by up to ``shift`` pixels (zero fill) when ``shift`` > 0."""

    def __init__(self, images, labels, batch_size, shuffle=False, shift=0, seed=0):
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.shuffle, self.shift, self.rng = shuffle, shift, np.random.default_rng(seed)

    def __iter__(self):
        order = (
            self.rng.permutation(len(self.labels)) if self.shuffle else np.arange(len(self.labels))
        )
        for start in range(0, len(order), self.batch_size):
            take = order[start : start + self.batch_size]
            yield self._shifted(self.images[take]), self.labels[take]

    def _shifted(self, batch):
        if not self.shift:
            return batch
        s = self.shift
        padded = np.pad(batch, ((0, 0), (0, 0), (s, s), (s, s)))
        h, w = batch.shape[2:]
        out = np.empty_like(batch)
        for i, (dy, dx) in enumerate(self.rng.integers(0, 2 * s + 1, (len(batch), 2))):
            out[i] = padded[i, :, dy : dy + h, dx : dx + w]
        return out

    def __len__(self):
        return -(-len(self.labels) // self.batch_size)


def train(epochs: int = 25, seed: int = 0, device: str = "cpu"):
    """Train LeNet-5 on the digits; return (network, test accuracy).

    ``device="native"``: each training step compiles to generated C (GRAPH_MODE) and every
    epoch's steps run in native calls (dataset sink).
    """
    native = device == "native"
    if native:
        ms.set_context(mode=ms.GRAPH_MODE, device_target="native")
    ms.set_seed(seed)
    train_x, train_y = load_digits("train")
    test_x, test_y = load_digits("test")
    train_set = Batches(prepare(train_x), train_y, 32, shuffle=True, shift=2, seed=seed)
    test_set = Batches(prepare(test_x), test_y, 128)
    net = LeNet5()
    schedule = nn.CosineDecayLR(min_lr=1e-5, max_lr=3e-3, decay_steps=epochs * len(train_set))
    optimizer = nn.Adam(net.trainable_params(), learning_rate=schedule)
    model = Model(net, nn.CrossEntropyLoss(), optimizer, metrics={"accuracy"})
    model.train(epochs, train_set, dataset_sink_mode=native)
    accuracy = model.eval(test_set)["accuracy"]
    if native:
        ms.set_context(mode=ms.PYNATIVE_MODE, device_target="cpu")
    return net, accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument(
        "--device", choices=["cpu", "native"], default="cpu", help="native: steps as generated C"
    )
    args = parser.parse_args()
    _, accuracy = train(args.epochs, device=args.device)
    print(f"test accuracy: {accuracy:.4f}")
