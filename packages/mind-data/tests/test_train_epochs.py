"""Model.train draws each epoch from one dataset iterator, so a shuffled dataset reshuffles every
epoch (a fresh iterator per epoch started every epoch from the same shuffle)."""

import numpy as np

import mind.data as ds
from mind.core import nn
from mind.core.train import Callback, Model


def _orders(seed: int, epochs: int = 3) -> list[list[int]]:
    ds.config.set_seed(seed)
    data = ds.NumpySlicesDataset(
        {"x": np.arange(8, dtype=np.float32).reshape(8, 1), "y": np.arange(8, dtype=np.int32)},
        shuffle=True,
    ).batch(8)
    seen = []

    class Record(Callback):
        def on_train_step_begin(self, run_context):
            seen.append(run_context.original_args().train_dataset_element[1].asnumpy().tolist())

    net = nn.Dense(1, 8)
    Model(net, nn.CrossEntropyLoss(), nn.SGD(net.trainable_params(), 0.0)).train(
        epochs, data, callbacks=[Record()]
    )
    return seen


def test_each_epoch_is_a_new_permutation_and_runs_repeat_under_a_seed():
    orders = _orders(1)
    assert len(orders) == 3
    assert all(sorted(o) == list(range(8)) for o in orders)
    assert len({tuple(o) for o in orders}) == 3  # every epoch shuffled anew
    assert _orders(1) == orders  # and the whole run is reproducible
