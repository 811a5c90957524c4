"""The networks the eager and graph suites time, written once for Mind and once for PyTorch."""

from __future__ import annotations

import numpy as np


def mind_mlp():
    from mind.core import nn

    return nn.SequentialCell(
        nn.Dense(784, 512), nn.ReLU(), nn.Dense(512, 256), nn.ReLU(), nn.Dense(256, 10)
    )


def mind_lenet():
    from mind.core import nn

    class LeNet5(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid")
            self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
            self.pool = nn.MaxPool2d(2, 2)
            self.relu = nn.ReLU()
            self.flatten = nn.Flatten()
            self.fc1 = nn.Dense(400, 120)
            self.fc2 = nn.Dense(120, 84)
            self.fc3 = nn.Dense(84, 10)

        def construct(self, x):
            x = self.pool(self.relu(self.conv1(x)))
            x = self.pool(self.relu(self.conv2(x)))
            x = self.relu(self.fc1(self.flatten(x)))
            return self.fc3(self.relu(self.fc2(x)))

    return LeNet5()


def mind_train_step(net):
    from mind.core import nn

    opt = nn.Momentum(net.trainable_params(), 0.01, 0.9)
    return nn.TrainOneStepCell(nn.WithLossCell(net, nn.CrossEntropyLoss()), opt)


def torch_mlp():
    import torch.nn as tnn

    return tnn.Sequential(
        tnn.Linear(784, 512), tnn.ReLU(), tnn.Linear(512, 256), tnn.ReLU(), tnn.Linear(256, 10)
    )


def torch_lenet():
    import torch.nn as tnn

    return tnn.Sequential(
        tnn.Conv2d(1, 6, 5),
        tnn.ReLU(),
        tnn.MaxPool2d(2, 2),
        tnn.Conv2d(6, 16, 5),
        tnn.ReLU(),
        tnn.MaxPool2d(2, 2),
        tnn.Flatten(),
        tnn.Linear(400, 120),
        tnn.ReLU(),
        tnn.Linear(120, 84),
        tnn.ReLU(),
        tnn.Linear(84, 10),
    )


def torch_train_step(net):
    import torch

    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def batch(shape, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, classes, shape[0])


def training_and_inference_cases(repeats: int, have_torch: bool, missing: str | None) -> list:
    """mlp_train_b128, lenet_train_b64 and mlp_infer_b1 against PyTorch eager: shared by the eager
    and graph suites (which differ only in the execution mode set before building the cells)."""
    from harness import Case

    from mind.core import Tensor

    if have_torch:
        import torch

    def peer(factory):
        return {
            "peer": "torch",
            "peer_fn": factory() if have_torch else None,
            "peer_error": missing,
        }

    cases = []
    for name, make_mind, make_torch, shape, number in [
        ("mlp_train_b128", mind_mlp, torch_mlp, (128, 784), 5),
        ("lenet_train_b64", mind_lenet, torch_lenet, (64, 1, 32, 32), 3),
    ]:
        x, y = batch(shape)
        step = mind_train_step(make_mind())
        mx, my = Tensor(x), Tensor(y)

        def torch_step(make_torch=make_torch, x=x, y=y):
            s = torch_train_step(make_torch())
            tx, ty = torch.from_numpy(x), torch.from_numpy(y)
            return lambda: s(tx, ty)

        cases.append(
            Case(
                name,
                lambda step=step, mx=mx, my=my: step(mx, my),
                number=number,
                repeats=repeats,
                **peer(torch_step),
            )
        )
    net = mind_mlp()
    xi = Tensor(batch((1, 784))[0])

    def torch_infer():
        tnet = torch_mlp()
        tx = torch.from_numpy(batch((1, 784))[0])

        def run():
            with torch.no_grad():
                tnet(tx)

        return run

    cases.append(
        Case("mlp_infer_b1", lambda: net(xi), number=200, repeats=repeats, **peer(torch_infer))
    )
    return cases


def mind_resnet18(num_classes: int = 10):
    """ResNet-18 for 32x32 inputs (CIFAR's stem: one 3x3 convolution, no max pooling)."""
    from mind.core import nn, ops

    class Block(nn.Cell):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, pad_mode="pad", padding=1)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, pad_mode="pad", padding=1)
            self.bn2 = nn.BatchNorm2d(cout)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.SequentialCell(nn.Conv2d(cin, cout, 1, stride), nn.BatchNorm2d(cout))

        def construct(self, x):
            y = ops.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return ops.relu(y + (x if self.down is None else self.down(x)))

    class ResNet18(nn.Cell):
        def __init__(self):
            super().__init__()
            self.stem = nn.SequentialCell(
                nn.Conv2d(3, 64, 3, 1, pad_mode="pad", padding=1), nn.BatchNorm2d(64), nn.ReLU()
            )
            blocks, cin = [], 64
            for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
                blocks += [Block(cin, cout, stride), Block(cout, cout, 1)]
                cin = cout
            self.blocks = nn.SequentialCell(*blocks)
            self.fc = nn.Dense(512, num_classes)

        def construct(self, x):
            y = self.blocks(self.stem(x))
            return self.fc(ops.mean(y, (2, 3)))

    return ResNet18()


def mind_transformer(
    d_model: int = 64, nhead: int = 4, dim_feedforward: int = 128, num_layers: int = 2
):
    """A small post-norm Transformer encoder (ReLU feed-forward, batch first, dropout 0 so that
    the exported graph has no dropout nodes) and a Dense head over the last axis."""
    from mind.core import nn

    class Encoder(nn.Cell):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(
                d_model, nhead, dim_feedforward=dim_feedforward, dropout=0.0, batch_first=True
            )
            self.encoder = nn.TransformerEncoder(layer, num_layers)
            self.head = nn.Dense(d_model, 10)

        def construct(self, x):
            return self.head(self.encoder(x))

    return Encoder()
