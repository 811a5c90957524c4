"""mind.core.train: Model, callbacks and metrics, checked against numpy and hand-computed values."""

import io
import os
import sys

import numpy as np
import pytest

import mind.core as ms
import mind.core.train
from mind.core import Tensor, nn
from mind.core._src.train.serialization import load_checkpoint
from mind.core.errors import MindError, MindTypeError, MindValueError, PluginError
from mind.core.plugins import hookimpl
from mind.core.testing import isolated_plugins
from mind.core.train import (
    F1,
    Accuracy,
    Callback,
    CheckpointConfig,
    EarlyStopping,
    Fbeta,
    History,
    LambdaCallback,
    Loss,
    LossMonitor,
    Metric,
    Model,
    ModelCheckpoint,
    Precision,
    ProgressBar,
    Recall,
    RunContext,
    TimeMonitor,
    get_metric_fn,
    names,
)

# ------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------


class Blobs:
    """Two Gaussian blobs, 200 shuffled samples, batches of 32 from a fresh generator per pass.

    No ``__len__``, so Model learns the number of batches from the first epoch.
    """

    def __init__(self, n=200, batch_size=32, seed=0):
        rng = np.random.default_rng(seed)
        half = n // 2
        x = np.concatenate([rng.normal(-2.0, 1.0, (half, 2)), rng.normal(2.0, 1.0, (half, 2))])
        y = np.array([0] * half + [1] * half, dtype=np.int32)
        order = rng.permutation(n)
        self.x, self.y = x[order].astype(np.float32), y[order]
        self.batch_size = batch_size
        self.passes = 0

    def __iter__(self):
        self.passes += 1
        return (
            (self.x[i : i + self.batch_size], self.y[i : i + self.batch_size])
            for i in range(0, len(self.x), self.batch_size)
        )


N_BATCHES = 7  # ceil(200 / 32)


def make_model(lr=0.1, metrics=frozenset({"accuracy", "loss"}), **kwargs):
    ms.set_seed(0)
    net = nn.Dense(2, 2)
    opt = nn.Momentum(net.trainable_params(), lr, 0.9)
    model = Model(
        net, nn.CrossEntropyLoss(), opt, metrics=set(metrics) if metrics else None, **kwargs
    )
    return net, model


def numpy_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(labels)), labels].mean())


class Recorder(Callback):
    """Records every MindSpore 2.x hook call as (tag, hook name)."""

    def __init__(self, log, tag="user"):
        super().__init__()
        self.log, self.tag = log, tag

    def __getattribute__(self, name):
        if name.startswith("on_"):
            return lambda run_context: self.log.append((object.__getattribute__(self, "tag"), name))
        return object.__getattribute__(self, name)


# ------------------------------------------------------------------------------------------------
# Model: training, evaluation, prediction
# ------------------------------------------------------------------------------------------------


def test_model_trains_blobs_to_high_accuracy_and_eval_matches_numpy():
    data = Blobs()
    net, model = make_model()
    model.train(3, data)
    assert data.passes == 3  # re-iterated each epoch
    result = model.eval(data)
    assert set(result) == {"accuracy", "loss"}
    assert result["accuracy"] > 0.95

    logits = net(Tensor(data.x)).asnumpy()
    assert result["accuracy"] == pytest.approx(float((logits.argmax(1) == data.y).mean()))
    # The Loss metric averages the per-batch mean losses.
    batch_losses = [
        numpy_cross_entropy(net(Tensor(x)).asnumpy(), y)
        for x, y in zip(
            np.array_split(data.x, range(32, 200, 32)), np.array_split(data.y, range(32, 200, 32))
        )
    ]
    assert result["loss"] == pytest.approx(np.mean(batch_losses), rel=1e-5)


def test_predict_equals_calling_the_network():
    data = Blobs()
    net, model = make_model()
    model.train(1, data)
    x = data.x[:10]
    out = model.predict(Tensor(x))
    np.testing.assert_array_equal(out.asnumpy(), net(Tensor(x)).asnumpy())
    np.testing.assert_array_equal(model.predict(x).asnumpy(), out.asnumpy())  # numpy accepted
    assert model.predict_network is net


def test_dataset_with_create_tuple_iterator_is_used_each_epoch():
    blobs = Blobs()

    class FakeDataset:
        def __init__(self):
            self.calls = []

        def get_dataset_size(self):
            return N_BATCHES

        def create_tuple_iterator(self, num_epochs=-1, output_numpy=False):
            self.calls.append((num_epochs, output_numpy))
            return ([x, y] for x, y in blobs)  # MindSpore's iterators yield lists

    ds = FakeDataset()
    seen = []
    _, model = make_model()
    model.train(
        2,
        ds,
        callbacks=LambdaCallback(
            on_train_step_end=lambda rc: seen.append(rc.original_args().batch_num)
        ),
    )
    # one iterator for the run; this one is a one-pass generator, so a new one for the epoch left
    assert ds.calls == [(2, True), (1, True)]
    assert seen == [N_BATCHES] * (2 * N_BATCHES)  # known from get_dataset_size up front


def test_list_dataset_of_tensors_and_sink_mode_runs_normally():
    blobs = Blobs()
    pairs = [(Tensor(x), Tensor(y)) for x, y in blobs]
    net, model = make_model()
    before = net.weight.asnumpy().copy()
    model.train(2, pairs, dataset_sink_mode=True, sink_size=3)
    assert not np.array_equal(before, net.weight.asnumpy())
    assert model.eval(pairs, dataset_sink_mode=True)["accuracy"] > 0.9


def test_network_without_loss_or_optimizer_is_the_train_step():
    ms.set_seed(0)
    net = nn.Dense(2, 2)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.CrossEntropyLoss()), opt)
    model = Model(step)
    assert model.train_network is step
    model.train(3, Blobs())
    assert Model(net).predict(Blobs().x).asnumpy().argmax(1).tolist() == (
        net(Tensor(Blobs().x)).asnumpy().argmax(1).tolist()
    )


def test_optimizer_without_loss_fn_trains_a_network_that_returns_the_loss():
    ms.set_seed(0)
    net = nn.Dense(2, 2)
    with_loss = nn.WithLossCell(net, nn.CrossEntropyLoss())
    model = Model(with_loss, optimizer=nn.Momentum(net.trainable_params(), 0.1, 0.9))
    losses = []
    model.train(
        3,
        Blobs(),
        callbacks=LambdaCallback(
            on_train_epoch_end=lambda rc: losses.append(rc.original_args().net_outputs.item())
        ),
    )
    assert losses[-1] < losses[0]


def test_loss_without_optimizer_computes_but_does_not_update():
    ms.set_seed(0)
    net = nn.Dense(2, 2)
    model = Model(net, nn.CrossEntropyLoss())
    before = net.weight.asnumpy().copy()
    model.train(1, Blobs())
    np.testing.assert_array_equal(before, net.weight.asnumpy())


def test_eval_network_with_eval_indexes():
    class LabelsFirst(nn.Cell):
        def __init__(self, net, loss):
            super().__init__()
            self.net, self.loss = net, loss

        def construct(self, x, y):
            out = self.net(x)
            return y, self.loss(out, y), out

    data = Blobs()
    net, model = make_model()
    model.train(2, data)
    custom = Model(
        net,
        metrics={"accuracy", "loss"},
        eval_network=LabelsFirst(net, nn.CrossEntropyLoss()),
        eval_indexes=[1, 2, 0],
    )
    assert custom.eval(data) == pytest.approx(model.eval(data))


def test_fit_evaluates_on_schedule_and_adds_eval_loss():
    data = Blobs()
    _, model = make_model()
    results = {}

    def record(rc):
        p = rc.original_args()
        results[p.cur_epoch_num] = dict(p.eval_results)

    model.fit(
        4,
        data,
        valid_dataset=data,
        valid_frequency=2,
        callbacks=LambdaCallback(on_train_epoch_end=record),
    )
    assert {e: bool(r) for e, r in results.items()} == {1: False, 2: True, 3: False, 4: True}
    assert set(results[4]) == {"accuracy", "loss", "eval_loss"}
    assert results[4]["eval_loss"] == pytest.approx(results[4]["loss"])
    assert {k: v for k, v in results[4].items() if k != "eval_loss"} == pytest.approx(
        model.eval(data)
    )

    results.clear()
    model.fit(
        3,
        data,
        valid_dataset=data,
        valid_frequency=[1, 3],
        callbacks=LambdaCallback(on_train_epoch_end=record),
    )
    assert [e for e, r in results.items() if r] == [1, 3]


def test_initial_epoch_continues_numbering():
    epochs = []
    _, model = make_model()
    model.train(
        5,
        Blobs(),
        initial_epoch=3,
        callbacks=LambdaCallback(
            on_train_epoch_begin=lambda rc: epochs.append(rc.original_args().cur_epoch_num)
        ),
    )
    assert epochs == [4, 5]


# ------------------------------------------------------------------------------------------------
# Metrics
# ------------------------------------------------------------------------------------------------

Y_PRED = np.array(
    [
        [0.1, 0.7, 0.2],
        [0.8, 0.1, 0.1],
        [0.2, 0.3, 0.5],
        [0.3, 0.4, 0.3],
        [0.6, 0.2, 0.2],
        [0.1, 0.1, 0.8],
    ]
)  # argmax: 1 0 2 1 0 2
Y = np.array([1, 0, 1, 1, 0, 2])


def confusion(pred, y, c):
    m = np.zeros((c, c))
    np.add.at(m, (y, pred), 1)
    return m  # rows: actual, columns: predicted


def test_accuracy_precision_recall_f1_by_hand():
    assert Accuracy()(Y_PRED, Y) == pytest.approx(5 / 6)
    np.testing.assert_allclose(Precision()(Y_PRED, Y), [1.0, 1.0, 0.5])
    np.testing.assert_allclose(Recall()(Y_PRED, Y), [1.0, 2 / 3, 1.0])
    np.testing.assert_allclose(F1()(Y_PRED, Y), [1.0, 0.8, 2 / 3])
    p = Precision()
    p.update(Tensor(Y_PRED), Tensor(Y))
    assert p.eval(average=True) == pytest.approx(2.5 / 3)
    # One-hot labels give the same result as indices.
    assert Accuracy()(Y_PRED, np.eye(3)[Y]) == pytest.approx(5 / 6)
    # F-beta with beta=2 weighs recall: class 2 has p=0.5, r=1.
    assert Fbeta(2)(Y_PRED, Y)[2] == pytest.approx(5 * 0.5 * 1.0 / (4 * 0.5 + 1.0))


def test_metrics_accumulate_over_batches_like_a_confusion_matrix():
    rng = np.random.default_rng(1)
    scores, labels = rng.random((100, 4)), rng.integers(0, 4, 100)
    metrics = {"accuracy": Accuracy(), "precision": Precision(), "recall": Recall(), "f1": F1()}
    for start in range(0, 100, 30):
        for m in metrics.values():
            m.update(scores[start : start + 30], labels[start : start + 30])
    cm = confusion(scores.argmax(1), labels, 4)
    tp = np.diag(cm)
    precision, recall = tp / cm.sum(axis=0), tp / cm.sum(axis=1)
    assert metrics["accuracy"].eval() == pytest.approx(tp.sum() / 100)
    np.testing.assert_allclose(metrics["precision"].eval(), precision)
    np.testing.assert_allclose(metrics["recall"].eval(), recall)
    np.testing.assert_allclose(metrics["f1"].eval(), 2 * precision * recall / (precision + recall))


def test_multilabel_accuracy_and_precision():
    y_pred = np.array([[0.9, 0.2, 0.7], [0.1, 0.8, 0.4], [0.6, 0.6, 0.6]])
    y = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 1]])
    assert Accuracy("multilabel")(y_pred, y) == pytest.approx(2 / 3)
    # Thresholded predictions: [[1,0,1],[0,1,0],[1,1,1]].
    np.testing.assert_allclose(Precision("multilabel")(y_pred, y), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(Recall("multilabel")(y_pred, y), [1.0, 1.0, 2 / 3])


def test_loss_metric_averages_per_batch_means():
    m = Loss()
    m.update(1.0)
    m.update(Tensor(np.array([2.0, 4.0])))
    assert m.eval() == pytest.approx(2.0)
    m.clear()
    with pytest.raises(MindValueError, match=r"no data"):
        m.eval()


def test_metric_names_and_factory():
    assert {"accuracy", "precision", "recall", "f1", "loss"} <= set(names())
    assert names() == sorted(names())
    assert isinstance(get_metric_fn("f1"), F1)
    assert isinstance(get_metric_fn("accuracy", eval_type="multilabel"), Accuracy)
    with pytest.raises(MindValueError, match=r"unknown metric 'acuracy'.*accuracy"):
        get_metric_fn("acuracy")


def test_set_indexes_picks_inputs():
    m = Accuracy().set_indexes([2, 0])
    m.update(Y, "ignored", Y_PRED)
    assert m.eval() == pytest.approx(5 / 6)
    assert isinstance(m, Metric)


def test_metric_errors_name_the_metric_and_the_problem():
    with pytest.raises(MindValueError, match=r"For 'Accuracy.eval', no data"):
        Accuracy().eval()
    with pytest.raises(MindValueError, match=r"For 'Accuracy.update', it needs 2 inputs"):
        Accuracy().update(Y_PRED)
    with pytest.raises(MindValueError, match=r"'y_pred' must be 2-D"):
        Accuracy().update(Y, Y)
    with pytest.raises(MindValueError, match=r"'y' must be class indices of shape \(6,\)"):
        Precision().update(Y_PRED, Y[:4])
    with pytest.raises(MindValueError, match=r"class indices in \[0, 3\)"):
        Recall().update(Y_PRED, Y + 1)
    with pytest.raises(MindTypeError, match=r"must be a Tensor, a numpy array or a list, got str"):
        Accuracy().update("abc", Y)
    with pytest.raises(MindValueError, match=r"'eval_type' must be"):
        Precision(eval_type="binary")
    m = Accuracy()
    m.update(Y_PRED, Y)
    with pytest.raises(MindValueError, match=r"2 classes but earlier batches had 3"):
        m.update(Y_PRED[:, :2], np.zeros(6, int))
    p = Precision()
    p.update(Y_PRED, Y)
    with pytest.raises(MindTypeError, match=r"'average' must be a bool"):
        p.eval("yes")
    with pytest.raises(MindValueError, match=r"'beta' must be a number > 0"):
        Fbeta(0)


# ------------------------------------------------------------------------------------------------
# Callbacks: order, parameters, stopping
# ------------------------------------------------------------------------------------------------

STEP = ["on_train_step_begin", "on_train_step_end"]
EVAL = (
    ["on_eval_begin", "on_eval_epoch_begin"]
    + ["on_eval_step_begin", "on_eval_step_end"] * 2
    + [
        "on_eval_epoch_end",
        "on_eval_end",
    ]
)


def test_callbacks_are_called_in_order_and_eval_runs_before_epoch_end():
    log = []
    batches = list(Blobs(n=64))  # 2 batches
    _, model = make_model()
    model.fit(2, batches, valid_dataset=batches, callbacks=[Recorder(log)])
    epoch = ["on_train_epoch_begin", *STEP * 2, *EVAL, "on_train_epoch_end"]
    assert [name for _, name in log] == ["on_train_begin", *epoch * 2, "on_train_end"]

    log.clear()
    model.eval(batches, callbacks=Recorder(log))
    assert [name for _, name in log] == EVAL


def test_mindspore_1x_method_names_are_called_too():
    calls = []

    class Old(Callback):
        def begin(self, rc):
            calls.append(("begin", rc.original_args().mode))

        def epoch_begin(self, rc):
            calls.append(("epoch_begin", rc.original_args().mode))

        def step_end(self, rc):
            calls.append(("step_end", rc.original_args().mode))

        def epoch_end(self, rc):
            calls.append(("epoch_end", rc.original_args().mode))

        def end(self, rc):
            calls.append(("end", rc.original_args().mode))

    batches = list(Blobs(n=64))
    _, model = make_model()
    model.train(1, batches, callbacks=[Old()])
    assert calls == [
        ("begin", "train"),
        ("epoch_begin", "train"),
        ("step_end", "train"),
        ("step_end", "train"),
        ("epoch_end", "train"),
        ("end", "train"),
    ]
    calls.clear()
    model.eval(batches, callbacks=[Old()])
    assert [c for c, _ in calls] == [
        "begin",
        "epoch_begin",
        "step_end",
        "step_end",
        "epoch_end",
        "end",
    ]
    assert {m for _, m in calls} == {"eval"}


def test_cb_params_describe_the_run():
    seen = []

    class Inspect(Callback):
        def on_train_step_end(self, rc):
            p = rc.original_args()
            seen.append((p.cur_epoch_num, p.cur_step_num, p.cur_step_in_epoch, p.batch_num))
            assert p.epoch_num == 2
            assert isinstance(p.net_outputs, Tensor) and p.net_outputs.shape == ()
            assert p.train_network is model.train_network
            assert p.optimizer is opt and p.network is net and p.mode == "train"
            assert len(p.train_dataset_element) == 2

    data = Blobs()
    net, model = make_model()
    opt = model.train_network.optimizer
    model.train(2, data, callbacks=Inspect())
    assert seen[0] == (1, 1, 1, None)  # batch count unknown before the first pass
    assert seen[N_BATCHES - 1] == (1, 7, 7, None)
    assert seen[N_BATCHES] == (2, 8, 1, N_BATCHES)
    assert seen[-1] == (2, 14, 7, N_BATCHES)
    from mind.core._src.train.callback import _InternalCallbackParam

    with pytest.raises(AttributeError, match=r"cb_params has no 'nope'; it has: a"):
        _ = _InternalCallbackParam(a=1).nope


def test_request_stop_ends_training_after_epoch_end_callbacks():
    log = []

    class StopAt(Callback):
        def on_train_step_end(self, rc):
            if rc.original_args().cur_step_num == 3:
                rc.request_stop()

    _, model = make_model()
    model.train(5, Blobs(), callbacks=[StopAt(), Recorder(log)])
    names_ = [n for _, n in log]
    assert names_.count("on_train_step_end") == 3
    assert names_[-2:] == ["on_train_epoch_end", "on_train_end"]


def test_callbacks_are_entered_and_exited_even_on_error():
    events = []

    class Ctx(Callback):
        def __enter__(self):
            events.append("enter")
            return self

        def __exit__(self, *exc):
            events.append("exit")

    class Boom(Callback):
        def on_train_step_end(self, rc):
            raise RuntimeError("boom")

    _, model = make_model()
    with pytest.raises(RuntimeError, match=r"boom"):
        model.train(1, Blobs(), callbacks=[Ctx(), Boom()])
    assert events == ["enter", "exit"]


def test_history_records_per_epoch_losses_and_eval_results():
    last_losses = []
    history = History()
    data = Blobs()
    _, model = make_model()
    model.fit(
        3,
        data,
        valid_dataset=data,
        callbacks=[
            history,
            LambdaCallback(
                on_train_epoch_end=lambda rc: last_losses.append(
                    rc.original_args().net_outputs.item()
                )
            ),
        ],
    )
    assert history.epoch == [1, 2, 3]
    assert history.history["net_output"] == pytest.approx(last_losses)
    assert len(history.history["accuracy"]) == 3 and len(history.history["eval_loss"]) == 3
    final = model.eval(data)
    assert history.history["eval_loss"][-1] == pytest.approx(final["loss"])
    assert history.history["accuracy"][-1] == pytest.approx(final["accuracy"])


def test_early_stopping_stops_when_the_monitored_value_stalls():
    data = Blobs()
    _, model = make_model(lr=0.0)  # nothing learns: eval_loss stays the same
    stop = EarlyStopping(patience=2)
    history = History()
    model.fit(10, data, valid_dataset=data, callbacks=[stop, history])
    # Epoch 1 improves on +inf, epochs 2 and 3 do not: stop after epoch 3.
    assert history.epoch == [1, 2, 3]
    assert stop.stopped_epoch == 3


def drive(callback, values, network=None, key="eval_loss"):
    """Run ``callback``'s epoch hooks over a sequence of monitored values; epochs run."""
    params = {"train_network": network, "net_outputs": None}
    from mind.core._src.train.callback import _InternalCallbackParam

    cb_params = _InternalCallbackParam(params)
    rc = RunContext(cb_params)
    callback.on_train_begin(rc)
    ran = 0
    for epoch, value in enumerate(values, 1):
        cb_params.cur_epoch_num = epoch
        cb_params.eval_results = {key: value}
        if network is not None:
            network.weight.set_data(np.full(network.weight.shape, float(epoch), np.float32))
        callback.on_train_epoch_end(rc)
        ran = epoch
        if rc.get_stop_requested():
            break
    callback.on_train_end(rc)
    return ran


def test_early_stopping_patience_min_delta_mode_and_baseline():
    assert drive(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.94, 0.93]) == 4
    assert drive(EarlyStopping(patience=0), [1.0, 0.9, 0.8, 0.85]) == 4
    assert drive(EarlyStopping(min_delta=0.05), [1.0, 0.97]) == 2
    # "acc" in the name means higher is better; "eval_accuracy" finds the "accuracy" metric.
    assert drive(EarlyStopping("eval_accuracy"), [0.5, 0.6, 0.7, 0.65], key="accuracy") == 4
    assert drive(EarlyStopping(mode="max"), [1, 2, 3], key="eval_loss") == 3
    # Improving but never under the baseline: patience runs out.
    assert drive(EarlyStopping(patience=2, baseline=0.5), [1.0, 0.9, 0.8, 0.7]) == 2


def test_early_stopping_restores_best_weights():
    net = nn.Dense(2, 2)
    stop = EarlyStopping(patience=1, restore_best_weights=True)
    assert drive(stop, [1.0, 0.5, 0.7, 0.8], network=net) == 3
    np.testing.assert_array_equal(net.weight.asnumpy(), np.full((2, 2), 2.0))  # epoch 2's


def test_early_stopping_warns_when_the_value_never_appears():
    _, model = make_model()
    with pytest.warns(UserWarning, match=r"EarlyStopping monitors 'eval_loss'.*available: loss"):
        model.train(1, Blobs(), callbacks=EarlyStopping())


def test_early_stopping_on_training_loss():
    _, model = make_model(lr=0.0)
    history = History()
    model.train(10, Blobs(), callbacks=[EarlyStopping("loss", patience=1), history])
    assert history.epoch == [1, 2]


# ------------------------------------------------------------------------------------------------
# Monitors and the progress bar
# ------------------------------------------------------------------------------------------------


def test_loss_monitor_prints_every_n_steps(capsys):
    _, model = make_model()
    model.train(2, Blobs(), callbacks=LossMonitor(per_print_times=3))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 14 // 3
    assert lines[0].startswith("epoch: 1 step: 3, loss is ")
    assert lines[-1].startswith("epoch: 2 step: 5, loss is ")  # global step 12


def test_loss_monitor_refuses_a_nan_loss():
    class NanStep(nn.Cell):
        def construct(self, x, y):
            return Tensor(np.float32("nan"))

    with pytest.raises(MindValueError, match=r"epoch: 1 step: 1. Invalid loss nan"):
        Model(NanStep()).train(1, Blobs(), callbacks=LossMonitor())


def test_time_monitor_prints_per_epoch(capsys):
    _, model = make_model()
    model.train(2, Blobs(), callbacks=TimeMonitor())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("Train epoch time: ") for line in lines)
    assert "per step time:" in lines[0]


def test_progress_bar_writes_one_line_per_epoch():
    stream = io.StringIO()
    _, model = make_model()
    model.train(2, Blobs(), callbacks=ProgressBar(stream=stream, refresh_seconds=0))
    text = stream.getvalue()
    assert text.count("\n") == 2
    assert "\rEpoch 1/2  step 3/?  loss " in text  # size unknown during the first pass
    assert "\rEpoch 2/2  step 7/7  loss " in text
    assert "step/s" in text


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_model_adds_a_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    _, model = make_model()
    model.train(1, Blobs())
    assert capsys.readouterr().err == ""  # not a terminal: silent

    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    model.train(1, Blobs())
    assert "\rEpoch 1/1  step 7/" in terminal.getvalue()

    terminal.truncate(0)
    terminal.seek(0)
    model.train(1, Blobs(), callbacks=LossMonitor(per_print_times=0))  # LossMonitor reports already
    assert terminal.getvalue() == ""


# ------------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------------


def test_model_checkpoint_writes_and_prunes(tmp_path):
    config = CheckpointConfig(
        save_checkpoint_steps=2,
        keep_checkpoint_max=3,
        append_info=["epoch_num", "step_num", {"lr": 0.1}],
    )
    ckpt = ModelCheckpoint(prefix="blobs", directory=str(tmp_path), config=config)
    net, model = make_model()
    model.train(2, Blobs(), callbacks=ckpt)
    # Saved at global steps 2, 4, 6, 8 (epoch 2 step 1), 10, 12, 14 (epoch 2 step 7): newest 3 kept.
    assert sorted(os.listdir(tmp_path)) == ["blobs-2_3.ckpt", "blobs-2_5.ckpt", "blobs-2_7.ckpt"]
    assert ckpt.latest_ckpt_file_name == str(tmp_path / "blobs-2_7.ckpt")

    loaded = load_checkpoint(ckpt.latest_ckpt_file_name)
    np.testing.assert_array_equal(loaded["weight"].asnumpy(), net.weight.asnumpy())
    np.testing.assert_array_equal(loaded["bias"].asnumpy(), net.bias.asnumpy())
    assert loaded["epoch_num"] == 2 and loaded["step_num"] == 14 and loaded["lr"] == 0.1
    assert any(key.startswith("optimizer.") for key in loaded)

    # Existing files with the prefix are left alone: the next callback uses "blobs_1".
    again = ModelCheckpoint(prefix="blobs", directory=str(tmp_path), config=CheckpointConfig(100))
    model.train(1, Blobs(), callbacks=again)
    assert "blobs_1-1_7.ckpt" in os.listdir(tmp_path)  # only the final save at train end
    assert len(os.listdir(tmp_path)) == 4


def test_checkpoint_config_checks_its_arguments():
    with pytest.raises(MindValueError, match=r"cannot both be 0 or None"):
        CheckpointConfig(save_checkpoint_steps=0, save_checkpoint_seconds=0)
    with pytest.raises(MindValueError, match=r"'keep_checkpoint_max' must be >= 0, got -1"):
        CheckpointConfig(keep_checkpoint_max=-1)
    with pytest.raises(MindValueError, match=r"'epoch_num' or 'step_num', got 'epoch'"):
        CheckpointConfig(append_info=["epoch"])
    with pytest.raises(MindTypeError, match=r"'saved_network' must be a Cell"):
        CheckpointConfig(saved_network="net")
    policy = CheckpointConfig(
        save_checkpoint_steps=None,
        save_checkpoint_seconds=30,
        keep_checkpoint_max=0,
        keep_checkpoint_per_n_minutes=5,
    ).get_checkpoint_policy()
    assert policy == {
        "save_checkpoint_steps": None,
        "save_checkpoint_seconds": 30,
        "keep_checkpoint_max": None,
        "keep_checkpoint_per_n_minutes": 5,
    }
    with pytest.raises(MindValueError, match=r"'prefix' must be a non-empty file-name prefix"):
        ModelCheckpoint(prefix="a/b")


# ------------------------------------------------------------------------------------------------
# Plugins
# ------------------------------------------------------------------------------------------------


def test_plugin_callbacks_run_after_the_users():
    log = []

    class SummaryPlugin:
        @hookimpl
        def mind_train_callbacks(self, model):
            assert isinstance(model, Model)
            return [Recorder(log, tag="plugin")]

    _, model = make_model()
    with isolated_plugins(SummaryPlugin()):
        model.train(1, list(Blobs(n=32)), callbacks=Recorder(log, tag="user"))
    assert ("plugin", "on_train_step_end") in log
    assert log[:2] == [("user", "on_train_begin"), ("plugin", "on_train_begin")]
    assert log[-2:] == [("user", "on_train_end"), ("plugin", "on_train_end")]


def test_a_plugin_returning_a_non_callback_is_named():
    class BadPlugin:
        @hookimpl
        def mind_train_callbacks(self, model):
            return ["not a callback"]

    _, model = make_model()
    with isolated_plugins(BadPlugin()), pytest.raises(PluginError, match=r"returned a str, not a"):
        model.train(1, Blobs())


# ------------------------------------------------------------------------------------------------
# Bad inputs
# ------------------------------------------------------------------------------------------------


def test_dataset_items_must_be_data_label_pairs():
    _, model = make_model()
    x, y = Blobs().x[:8], Blobs().y[:8]
    with pytest.raises(
        MindValueError, match=r"'train_dataset' must be a \(data, label\) tuple; item 1 has 3"
    ):
        model.train(1, [(x, y), (x, y, y)])
    with pytest.raises(MindTypeError, match=r"item 0 is a ndarray"):
        model.train(1, [x])
    with pytest.raises(MindTypeError, match=r"'train_dataset' must be a dataset .* got int"):
        model.train(1, 5)
    with pytest.raises(
        MindTypeError, match=r"the label of train_dataset item 0 must be a Tensor.*got str"
    ):
        model.train(1, [(x, "labels")])
    with pytest.raises(MindValueError, match=r"'train_dataset' yielded no batches in epoch 1"):
        model.train(1, [])
    with pytest.raises(MindTypeError, match=r"one-pass iterator .* read 2 times"):
        model.train(2, iter([(x, y)]))
    model.train(1, iter([(x, y)]))  # one pass is fine
    with pytest.raises(MindValueError, match=r"For 'Model.eval', each item of 'valid_dataset'"):
        model.eval([(x,)])


def test_model_arguments_are_checked():
    net = nn.Dense(2, 2)
    loss = nn.CrossEntropyLoss()
    with pytest.raises(MindTypeError, match=r"'metrics' must be a set of names .* got list"):
        Model(net, loss, metrics=["accuracy"])
    with pytest.raises(MindValueError, match=r"unknown metric 'acc_'"):
        Model(net, loss, metrics={"acc_"})
    with pytest.raises(MindTypeError, match=r"'metrics\['a'\]' must be a Metric"):
        Model(net, loss, metrics={"a": "accuracy"})
    with pytest.raises(MindValueError, match=r"'metrics' needs a way to evaluate: pass 'loss_fn'"):
        Model(net, metrics={"accuracy"})
    with pytest.raises(MindValueError, match=r"AMP .* is not available yet; use amp_level='O0'"):
        Model(net, loss, amp_level="O2")
    with pytest.raises(MindValueError, match=r"'amp_level' must be one of"):
        Model(net, loss, amp_level="fast")
    with pytest.raises(MindValueError, match=r"Boost"):
        Model(net, loss, boost_level="O1")
    with pytest.raises(MindValueError, match=r"unknown keyword argument 'lr'"):
        Model(net, loss, lr=0.1)
    with pytest.raises(MindTypeError, match=r"'network' must be a Cell, got function"):
        Model(lambda x: x)
    with pytest.raises(MindTypeError, match=r"'optimizer' must be an optimizer"):
        Model(net, loss, optimizer="sgd")
    with pytest.raises(MindValueError, match=r"'eval_indexes' must be a list of 3"):
        Model(net, eval_network=nn.WithEvalCell(net, loss), eval_indexes=[0, 1])

    _, model = make_model(metrics=None)
    data = Blobs()
    with pytest.raises(MindValueError, match=r"For 'Model.eval', the Model has no metrics"):
        model.eval(data)
    with pytest.raises(MindValueError, match=r"For 'Model.fit', the Model has no metrics"):
        model.fit(1, data, valid_dataset=data)
    with pytest.raises(MindValueError, match=r"'epoch' must be >= 1, got 0"):
        model.train(0, data)
    with pytest.raises(MindTypeError, match=r"'epoch' must be an int, got float"):
        model.train(1.5, data)
    with pytest.raises(MindValueError, match=r"'initial_epoch' must be in \[0, epoch=2\), got 2"):
        model.train(2, data, initial_epoch=2)
    with pytest.raises(
        MindTypeError, match=r"'callbacks\[1\]' must be a Callback, got function \(wrap"
    ):
        model.train(1, data, callbacks=[History(), lambda rc: None])
    with pytest.raises(MindValueError, match=r"'valid_frequency' must be >= 1"):
        model.fit(1, data, valid_frequency=0)
    with pytest.raises(MindTypeError, match=r"predict_data\[0\] must be a Tensor.*got str"):
        model.predict("x")
    with pytest.raises(MindValueError, match=r"unknown hook 'on_epoch_end'"):
        LambdaCallback(on_epoch_end=print)
    with pytest.raises(MindValueError, match=r"'per_print_times' must be >= 0"):
        LossMonitor(-1)
    assert all(issubclass(e, MindError) for e in (MindTypeError, MindValueError))


# ------------------------------------------------------------------------------------------------
# Public surface
# ------------------------------------------------------------------------------------------------


def test_public_modules_reexport_the_implementation():
    from mind.core.train import callback

    for name in callback.__all__:
        assert getattr(callback, name) is getattr(mind.core.train, name)
    for name in mind.core.train.__all__:
        assert getattr(mind.core.train, name) is not None
    assert mind.core.train.Accuracy is Accuracy


def test_model_checkpoint_keeps_one_file_per_n_minutes(tmp_path):
    config = CheckpointConfig(
        save_checkpoint_steps=2, keep_checkpoint_max=0, keep_checkpoint_per_n_minutes=1
    )
    _, model = make_model()
    model.train(1, Blobs(), callbacks=ModelCheckpoint(directory=str(tmp_path), config=config))
    # Every save falls inside the first minute, so only the newest survives.
    assert os.listdir(tmp_path) == ["CKP-1_7.ckpt"]


def test_train_makes_one_dataset_iterator_for_all_epochs():
    """As MindSpore's Model: each pass over the one iterator is the next epoch."""
    import numpy as np

    from mind.core import nn
    from mind.core.train import Model

    calls = []

    class Data:
        def create_tuple_iterator(self, num_epochs=-1, output_numpy=False):
            calls.append(num_epochs)
            x, y = np.ones((2, 3), np.float32), np.zeros(2, np.int32)

            class It:
                def __iter__(self):
                    yield (x, y)

            return It()

    net = nn.Dense(3, 2)
    Model(net, nn.CrossEntropyLoss(), nn.SGD(net.trainable_params(), 0.1)).train(4, Data())
    assert calls == [4]
