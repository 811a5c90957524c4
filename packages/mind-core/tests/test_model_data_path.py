"""Model.train's data path: batches the dataset hands out are never written into."""

import numpy as np

from mind.core import nn
from mind.core.train import Model


def test_read_only_batches_train_and_stay_unchanged():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((8, 3)).astype(np.float32)
    label = (data[:, 0] > 0).astype(np.int32)
    data.flags.writeable = False
    label.flags.writeable = False
    before = data.copy(), label.copy()
    net = nn.Dense(3, 2)
    weight0 = net.weight.asnumpy().copy()
    model = Model(net, nn.CrossEntropyLoss(), nn.SGD(net.trainable_params(), 0.5))
    model.train(3, [(data, label)])
    assert not np.array_equal(net.weight.asnumpy(), weight0)  # training did update
    np.testing.assert_array_equal(data, before[0])
    np.testing.assert_array_equal(label, before[1])
    assert not data.flags.writeable and not label.flags.writeable


def test_data_path_profile_fields_add_up():
    rng = np.random.default_rng(1)
    batches = [
        (rng.standard_normal((4, 3)).astype(np.float32), rng.integers(0, 2, 4).astype(np.int32))
        for _ in range(3)
    ]
    net = nn.Dense(3, 2)
    model = Model(net, nn.CrossEntropyLoss(), nn.SGD(net.trainable_params(), 0.1))
    report = model._data_path_profile(batches, steps=5, warmup=2)
    assert report["steps"] == 5
    parts = report["iterator_ms"] + report["convert_ms"] + report["step_ms"]
    assert abs(parts - report["total_ms"]) <= 1e-6 * max(1.0, report["total_ms"])
    assert all(report[k] >= 0 for k in ("iterator_ms", "convert_ms", "step_ms"))
    data_ms = report["iterator_ms"] + report["convert_ms"]
    assert abs(report["share"] - data_ms / report["total_ms"]) < 1e-9
