"""PyTorch models exported to ONNX, converted by mind-lite, against onnxruntime on the same file.

Each model is written out here with random weights (torchvision is not a dependency), exported
with ``torch.onnx.export`` (opset 17, the TorchScript exporter: the dynamo one needs
onnxscript), converted with ``mind-lite``'s ``Converter`` (``FmkType.ONNX``, the default
optimizer) and run by the lite runtime; the outputs must equal onnxruntime's within 1e-4.
Run by ``nox -s peers`` (``MIND_PEERS=1``).
"""

import warnings

import numpy as np
import pytest
import torch
from torch import nn

import mind.lite as mslite
from mind.lite._src import format as lite_format

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

TOL = 1e-4


# -- the models ------------------------------------------------------------------------------------


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.GELU(), nn.Linear(32, 10)
        )

    def forward(self, x):
        return self.net(x)


class LeNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class ResNet18(nn.Module):
    """ResNet-18 for 32x32 inputs (CIFAR's stem: a 3x3 convolution, no max pooling)."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.layers(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


def _conv_bn_relu6(cin: int, cout: int, k: int, stride: int, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU6(),
    )


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [_conv_bn_relu6(cin, hidden, 1, 1)]
        layers += [
            _conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 (width 1.0) as in the paper, the first strides set for 32x32 inputs."""

    CONFIG = ((1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
              (6, 160, 3, 2), (6, 320, 1, 1))  # fmt: skip

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        layers, cin = [_conv_bn_relu6(3, 32, 3, 1)], 32
        for t, c, n, s in self.CONFIG:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(_conv_bn_relu6(cin, 1280, 1, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, classes))

    def forward(self, x):
        x = self.features(x).mean((2, 3))
        return self.classifier(x)


class Encoder(nn.Module):
    """Two ``nn.TransformerEncoderLayer`` (post-norm, GELU-free default ReLU) and a head."""

    def __init__(self) -> None:
        super().__init__()
        layer = nn.TransformerEncoderLayer(
            d_model=32, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        return self.head(self.encoder(x))


def _randomize(model: nn.Module, seed: int) -> nn.Module:
    """Random moving statistics and affine parameters, so that every batch norm counts."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            with torch.no_grad():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                    m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    return model.eval()


MODELS = {
    "mlp": (MLP, (4, 20)),
    "lenet": (LeNet, (2, 1, 32, 32)),
    "resnet18": (ResNet18, (2, 3, 32, 32)),
    "mobilenetv2": (MobileNetV2, (2, 3, 32, 32)),
    "transformer_encoder": (Encoder, (2, 7, 32)),
}


def _export(model: nn.Module, x: torch.Tensor, path: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (x,), path, opset_version=17, input_names=["x"], output_names=["y"],
            dynamo=False,
        )  # fmt: skip


@pytest.mark.parametrize("name", sorted(MODELS))
def test_pytorch_model_through_onnx(name, tmp_path):
    torch.manual_seed(0)
    cls, shape = MODELS[name]
    model = _randomize(cls(), seed=1)
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(2))
    onnx_path = str(tmp_path / f"{name}.onnx")
    _export(model, x, onnx_path)

    ms_path = mslite.Converter().convert(mslite.FmkType.ONNX, onnx_path, str(tmp_path / name))
    lite = mslite.Model()
    lite.build_from_file(ms_path, mslite.ModelType.MINDIR_LITE, mslite.Context())
    inputs = lite.get_inputs()
    inputs[0].set_data_from_numpy(x.numpy())
    (got,) = [t.get_data_to_numpy() for t in lite.predict(inputs)]

    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    (want,) = session.run(None, {"x": x.numpy()})
    with torch.no_grad():
        assert np.allclose(want, model(x).numpy(), atol=1e-3)  # the export is the model
    assert got.shape == want.shape and got.dtype == want.dtype
    diff, scale = np.abs(got - want).max(), np.abs(want).max()
    print(f"{name} ({lite.backend}): max |lite - ort| = {diff:.3g}, max |ort| = {scale:.3g}")
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)

    # the optimizer folded every batch norm and bias into its layer, and every ReLU/ReLU6 that
    # follows a layer (ResNet's after a residual add stay)
    nodes = lite_format.read(ms_path).nodes
    producer = {out: n for n in nodes for out in n.outputs}
    assert not any(n.op == "conv2d" for n in nodes)
    for n in nodes:
        if n.op in ("relu", "clip"):
            assert producer[n.inputs[0]].op not in ("conv2d_fused", "dense_fused"), n


@pytest.mark.parametrize("name", sorted(MODELS))
def test_pytorch_model_int8_keeps_onnxruntime_fp32_top1(name, tmp_path):
    """FULL_QUANT (per-channel int8 weights, calibrated int8 layer inputs) against onnxruntime's
    float32 on a fixed set of 64 inputs: the top-1 class agrees on at least 99% of them (MLP,
    LeNet, ResNet-18, MobileNetV2: all; the transformer: 99.8% of its tokens), and every
    disagreement is a near tie. (These nets have random weights, so their logits are close:
    with other seeds the MLP has had 3% of inputs whose two best logits are 0.005 apart.)"""
    torch.manual_seed(0)
    cls, shape = MODELS[name]
    shape = (64,) + shape[1:]
    model = _randomize(cls(), seed=1)
    generator = torch.Generator().manual_seed(3)
    x = torch.randn(*shape, generator=generator)
    onnx_path = str(tmp_path / f"{name}.onnx")
    _export(model, x, onnx_path)
    calibration = tmp_path / "calibration"
    calibration.mkdir()
    for i in range(4):
        np.save(calibration / f"{i}.npy", torch.randn(*shape, generator=generator).numpy())
    config = tmp_path / "int8.cfg"
    config.write_text(
        "[common_quant_param]\nquant_type=FULL_QUANT\nmin_quant_weight_channel=0\n"
        f"[data_preprocess_param]\ncalibrate_path=x:{calibration}\ninput_type=NPY\n"
    )
    ms_path = mslite.Converter().convert(
        mslite.FmkType.ONNX, onnx_path, str(tmp_path / f"{name}_int8"), config_file=str(config)
    )
    assert any(n.op == "fake_quant" for n in lite_format.read(ms_path).nodes)
    lite = mslite.Model()
    lite.build_from_file(ms_path, mslite.ModelType.MINDIR_LITE, mslite.Context())
    (got,) = lite.run([x.numpy()])
    (want,) = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"]).run(
        None, {"x": x.numpy()}
    )
    flips = got.argmax(-1) != want.argmax(-1)
    agree = 1.0 - float(np.mean(flips))
    top2 = np.sort(want, -1)[..., -2:]
    margin = top2[..., 1] - top2[..., 0]
    err = float(np.abs(got - want).max())
    print(
        f"{name} int8 ({lite.backend}): top-1 agreement with onnxruntime fp32 {agree:.4f}, max error {err:.3g}"
    )
    # every disagreement is a near tie: float32's top-2 margin there is within int8's error
    assert np.all(margin[flips] <= 2 * err), margin[flips]
    assert agree >= 0.99, agree
