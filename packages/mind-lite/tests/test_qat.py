"""Quantization-aware training: the fake-quant primitives, SimQAT on a small task, and the
trained network converted straight to an int8 lite model that computes what it computed."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as ms
import mind.lite as mslite
from mind.core import Tensor, nn, ops
from mind.lite._src import format as lite_format
from mind.lite._src.qmath import activation_grid, fake_quant_act
from mind.lite.quant import SimulatedQuantizationAwareTraining as SimQAT


def test_fake_quant_primitives_and_straight_through_gradients():
    act = ops.get_primitive("lite_fake_quant_act")
    weight = ops.get_primitive("lite_fake_quant_weight")
    x = np.linspace(-2, 3, 41).astype(np.float32)
    lo, hi = Tensor(np.float32(-1.0)), Tensor(np.float32(2.0))
    got = act(Tensor(x), lo, hi).asnumpy()
    np.testing.assert_array_equal(got, fake_quant_act(x, *activation_grid(-1.0, 2.0)))
    assert got.min() == pytest.approx(-1.0, abs=2 / 255) and got.max() == pytest.approx(
        2.0, abs=3 / 255
    )
    dx = ms.grad(lambda v: act(v, lo, hi).sum())(Tensor(x)).asnumpy()
    np.testing.assert_array_equal(dx, ((x >= -1.0) & (x <= 2.0)).astype(np.float32))
    w = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(np.float32)
    wq = weight(Tensor(w)).asnumpy()
    scale = np.abs(w.reshape(4, -1)).max(axis=1) / 127
    q = wq / scale[:, None, None, None]
    np.testing.assert_allclose(q, np.rint(q), atol=1e-3)  # on the grid
    assert np.all(np.abs(wq - w) <= scale[:, None, None, None] / 2 + 1e-7)
    np.testing.assert_array_equal(
        ms.grad(lambda v: (weight(v) * 3).sum())(Tensor(w)).asnumpy(), np.full_like(w, 3)
    )


def _task(seed: int = 0):
    """Ten classes of 32x32 images: a smooth prototype each, plus noise."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0, 1, 32, dtype=np.float32)
    protos = np.stack(
        [
            np.sin(6 * grid[:, None] * rng.uniform(0.5, 1.5) + rng.uniform(0, 6))
            * np.cos(6 * grid[None] * rng.uniform(0.5, 1.5))
            for _ in range(10)
        ]
    )
    labels = rng.integers(0, 10, 600)
    images = protos[labels] + rng.normal(0, 0.8, (600, 32, 32)).astype(np.float32)
    return images[:, None].astype(np.float32), labels.astype(np.int32)


def _train(net, images, labels, epochs, lr):
    optimizer = nn.Adam(net.trainable_params(), learning_rate=lr)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.CrossEntropyLoss()), optimizer)
    step.set_train(True)
    for _ in range(epochs):
        for i in range(0, 400, 32):
            step(Tensor(images[i : i + 32]), Tensor(labels[i : i + 32]))


def test_qat_network_converts_to_an_int8_model_with_its_accuracy(tmp_path, lenet5):
    ms.set_seed(0)
    images, labels = _task()
    net = lenet5()
    _train(net, images, labels, epochs=4, lr=3e-3)
    net.set_train(False)
    test_x, test_y = images[400:], labels[400:]
    fp32 = float(np.mean(net(Tensor(test_x)).asnumpy().argmax(1) == test_y))
    assert fp32 >= 0.9

    algo = SimQAT({"ema_decay": 0.9})
    qat = algo.apply(net)
    assert sum(type(c).__name__ == "_QuantLayer" for _, c in qat.cells_and_names()) == 5
    _train(qat, images, labels, epochs=2, lr=5e-4)
    deploy = algo.convert(qat)
    ref = deploy(Tensor(test_x[:1])).asnumpy()
    path = str(tmp_path / "qat")
    ms.export(deploy, Tensor(test_x[:1]), file_name=path, file_format="MINDIR")
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, path + ".mindir", path)
    graph = lite_format.read(out)
    assert graph.metadata["quant_type"] == "QAT"
    assert sum(n.op == "fake_quant" for n in graph.nodes) == 5
    assert sorted(a.dtype.name for a in graph.tensors.values() if a.ndim >= 2) == ["int8"] * 5
    model = mslite.Model()
    model.build_from_file(out, mslite.ModelType.MINDIR_LITE)
    np.testing.assert_allclose(model.run([test_x[:1]])[0], ref, rtol=1e-3, atol=1e-4)
    int8 = float(
        np.mean(
            [model.run([x[None]])[0].argmax() == y for x, y in zip(test_x, test_y, strict=True)]
        )
    )
    assert int8 >= fp32 - 0.005, (fp32, int8)


def test_unsupported_config_is_refused():
    with pytest.raises(Exception, match="bn_fold=True is not supported"):
        SimQAT({"bn_fold": True})
    with pytest.raises(Exception, match="unknown config keys \\['nope'\\]"):
        SimQAT({"nope": 1})
    with pytest.raises(Exception, match="no Conv2d or Dense"):
        SimQAT().apply(nn.SequentialCell(nn.ReLU()))
