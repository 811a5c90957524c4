"""mind.data._src.callbacks: DSCallback hooks called by map with MindSpore's epochs and steps,
WaitedDSCallback kept in step with Model.train, and the getters calling none."""

import numpy as np
import pytest

import mind.data as ds
from mind.core import nn
from mind.core.errors import MindTypeError, MindValueError
from mind.core.train import Callback, Model
from mind.data._src import callbacks as callbacks_module


class Recorder(ds.DSCallback):
    """Every hook, recorded as (hook, epoch, step in epoch, step)."""

    def __init__(self, events, step_size=1, tag=None):
        super().__init__(step_size)
        self.events, self.tag = events, tag

    def _add(self, name, context):
        event = (name, context.cur_epoch_num, context.cur_step_num_in_epoch, context.cur_step_num)
        self.events.append(event if self.tag is None else (self.tag, *event))

    def ds_begin(self, ds_run_context):
        self._add("begin", ds_run_context)

    def ds_epoch_begin(self, ds_run_context):
        self._add("epoch_begin", ds_run_context)

    def ds_epoch_end(self, ds_run_context):
        self._add("epoch_end", ds_run_context)

    def ds_step_begin(self, ds_run_context):
        self._add("step_begin", ds_run_context)

    def ds_step_end(self, ds_run_context):
        self._add("step_end", ds_run_context)


def expected(epochs, rows, step_size=1):
    """MindSpore's events for one map over ``rows`` rows per epoch, written out by hand."""
    events = [("begin", 0, 0, 0)]
    for e in range(epochs):
        events.append(("epoch_begin", e + 1, 0, e * rows))
        for s in range(rows):
            if s % step_size == 0:
                events.append(("step_begin", e + 1, s + 1, e * rows + s + 1))
                events.append(("step_end", e + 1, s + 1, e * rows + s + 1))
        events.append(("epoch_end", e + 1, rows, (e + 1) * rows))
    return events


def run_epochs(data, epochs):
    iterator = data.create_tuple_iterator(num_epochs=epochs)
    for _ in range(epochs):
        for _ in iterator:
            pass


def source(rows):
    return ds.NumpySlicesDataset(np.arange(1, rows + 1), shuffle=False)


@pytest.mark.parametrize(
    ("epochs", "rows", "step_size"), [(1, 1, 1), (2, 4, 1), (3, 5, 2), (2, 3, 7)]
)
def test_hooks_epochs_and_steps(epochs, rows, step_size):
    events = []
    data = source(rows).map(lambda x: x, callbacks=Recorder(events, step_size))
    run_epochs(data, epochs)
    assert events == expected(epochs, rows, step_size)


def test_repeat_above_the_map_makes_one_epoch_of_its_passes():
    events = []
    data = source(3).map(lambda x: x, callbacks=Recorder(events)).repeat(2)
    run_epochs(data, 2)
    assert events == expected(2, 6)
    # Nested repeats: 2 x 2 passes per epoch.
    events.clear()
    data = source(2).map(lambda x: x, callbacks=Recorder(events)).repeat(2).map(lambda x: x)
    run_epochs(data.repeat(2), 1)
    assert events == expected(1, 8)


def test_repeat_below_the_map_is_one_pass():
    events = []
    data = source(2).repeat(3).map(lambda x: x, callbacks=Recorder(events))
    run_epochs(data, 1)
    assert events == expected(1, 6)


def test_several_callbacks_and_several_maps():
    events = []
    data = source(3).map(
        lambda x: x, callbacks=[Recorder(events, tag="a"), Recorder(events, 2, tag="b")]
    )
    data = data.map(lambda x: x + 1, callbacks=Recorder(events, tag="c"))
    run_epochs(data, 2)
    for tag, step_size in (("a", 1), ("b", 2), ("c", 1)):
        mine = [e[1:] for e in events if e[0] == tag]
        assert mine == expected(2, 3, step_size)


def test_callbacks_see_the_mapped_rows_in_order_and_the_values_are_unchanged():
    class Seen(ds.DSCallback):
        def __init__(self):
            super().__init__()
            self.calls = 0

        def ds_step_end(self, ds_run_context):
            self.calls += 1

    seen = Seen()
    data = source(4).map(lambda x: x * 10, callbacks=seen)
    assert [int(r[0]) for r in data.create_tuple_iterator(num_epochs=1, output_numpy=True)] == [
        10,
        20,
        30,
        40,
    ]
    assert seen.calls == 4


def test_parallel_map_calls_each_step_once_in_order():
    events = []
    data = source(6).map(lambda x: x, num_parallel_workers=3, callbacks=Recorder(events, 2))
    run_epochs(data, 1)
    assert sorted(events, key=lambda e: (e[3], e[0])) == sorted(
        expected(1, 6, 2), key=lambda e: (e[3], e[0])
    )
    begins = [e[3] for e in events if e[0] == "step_begin"]
    ends = [e[3] for e in events if e[0] == "step_end"]
    assert begins == ends == [1, 3, 5]
    for step in ends:  # a step ends after it began
        assert events.index(("step_begin", 1, step, step)) < events.index(
            ("step_end", 1, step, step)
        )
    assert events[0][0] == "begin" and events[-1][0] == "epoch_end"


def test_a_builtin_transform_with_callbacks_still_runs_per_row():
    events = []
    data = ds.NumpySlicesDataset(np.arange(4, dtype=np.uint8).reshape(4, 1), shuffle=False)
    data = data.map(ds.vision.Rescale(2.0, 0.0), callbacks=Recorder(events))
    got = [r[0].tolist() for r in data.create_tuple_iterator(num_epochs=1, output_numpy=True)]
    assert got == [[0.0], [2.0], [4.0], [6.0]]
    assert events == expected(1, 4)


def test_getters_call_no_callbacks():
    events = []
    data = source(4).map(lambda x: x, callbacks=Recorder(events)).filter(lambda x: True)
    assert data.get_dataset_size() == 4  # counted by iterating: filter hides the size
    assert data.output_shapes() == [[]]
    assert data.output_types() == [np.dtype(np.int64)]
    assert events == []
    run_epochs(data, 1)
    assert events == expected(1, 4)


def test_epochs_count_on_over_new_iterators():
    # Model.train takes a new iterator each epoch; the callbacks see epochs 1, 2 all the same.
    events = []
    data = source(2).map(lambda x: x, callbacks=Recorder(events))
    run_epochs(data, 1)
    run_epochs(data, 1)
    assert events == expected(2, 2)


def test_an_exception_in_a_callback_reaches_the_loop():
    class Bad(ds.DSCallback):
        def ds_begin(self, ds_run_context):
            raise RuntimeError("Bad begin")

    data = source(2).map(lambda x: x, callbacks=Bad())
    with pytest.raises(RuntimeError, match="Bad begin"):
        run_epochs(data, 1)


def test_validation():
    data = source(2)
    with pytest.raises(MindTypeError, match="Argument callbacks with value 0 is not "):
        data.map(lambda x: x, callbacks=0)
    with pytest.raises(MindTypeError, match=r"callbacks\[1\] with value 0"):
        data.map(lambda x: x, callbacks=[Recorder([]), 0])
    with pytest.raises(AttributeError, match="without overriding any methods"):
        data.map(lambda x: x, callbacks=ds.DSCallback())

    class Idle(ds.WaitedDSCallback):
        pass

    with pytest.raises(AttributeError, match="without overriding"):
        data.map(lambda x: x, callbacks=Idle())
    for bad in (0, -1, 1.5, True):
        with pytest.raises(MindValueError, match="step_size"):
            ds.DSCallback(bad)
    assert ds.callback.DSCallback is ds.DSCallback
    assert ds.callback.WaitedDSCallback is ds.WaitedDSCallback


# ------------------------------------------------------------------------------------------------
# WaitedDSCallback with Model.train
# ------------------------------------------------------------------------------------------------


class Synced(ds.WaitedDSCallback):
    def __init__(self, events, step_size=1):
        super().__init__(step_size)
        self.events = events

    def sync_epoch_begin(self, train_run_context, ds_run_context):
        self.events.append(
            f"ds_epoch_begin_{ds_run_context.cur_epoch_num}_{ds_run_context.cur_step_num}"
        )

    def sync_step_begin(self, train_run_context, ds_run_context):
        self.events.append(
            f"ds_step_begin_{ds_run_context.cur_epoch_num}_{ds_run_context.cur_step_num}"
        )


class Training(Callback):
    def __init__(self, events):
        self.events = events

    def epoch_end(self, run_context):
        p = run_context.original_args()
        self.events.append(f"ms_epoch_end_{p.cur_epoch_num}_{p.cur_step_num}")

    def step_end(self, run_context):
        p = run_context.original_args()
        self.events.append(f"ms_step_end_{p.cur_epoch_num}_{p.cur_step_num}")


class Identity(nn.Cell):
    def construct(self, x, y):
        return x


def train_with(step_size, batch):
    events = []
    synced = Synced(events, step_size)
    data = ds.NumpySlicesDataset(([1, 2, 3, 4], [1, 2, 3, 4]), ["c1", "c2"], shuffle=False)
    data = data.map(lambda x: x, callbacks=synced)
    if batch:
        data = data.batch(batch)
    Model(Identity()).train(2, data, dataset_sink_mode=False, callbacks=[Training(events), synced])
    return events


def test_waited_callback_follows_training_steps():
    # MindSpore's expected order (its test_callbacks_non_sink).
    assert train_with(1, None) == [
        "ms_step_end_1_1", "ds_step_begin_1_2", "ms_step_end_1_2", "ds_step_begin_1_3",
        "ms_step_end_1_3", "ds_step_begin_1_4", "ms_step_end_1_4", "ms_epoch_end_1_4",
        "ds_epoch_begin_2_4", "ds_step_begin_2_5", "ms_step_end_2_5", "ds_step_begin_2_6",
        "ms_step_end_2_6", "ds_step_begin_2_7", "ms_step_end_2_7", "ds_step_begin_2_8",
        "ms_step_end_2_8", "ms_epoch_end_2_8",
    ]  # fmt: skip


def test_waited_callback_with_batches():
    # MindSpore's test_callbacks_non_sink_batch_size2: step_size is the batch size.
    assert train_with(2, 2) == [
        "ms_step_end_1_1", "ds_step_begin_1_3", "ms_step_end_1_2", "ms_epoch_end_1_2",
        "ds_epoch_begin_2_4", "ds_step_begin_2_5", "ms_step_end_2_3", "ds_step_begin_2_7",
        "ms_step_end_2_4", "ms_epoch_end_2_4",
    ]  # fmt: skip


def test_waited_callback_times_out_without_training(monkeypatch):
    monkeypatch.setattr(callbacks_module, "callback_timeout", lambda: 0.2)
    data = source(3).map(lambda x: x, callbacks=Synced([]))
    with pytest.raises(RuntimeError, match=r"ds_step_begin timed out after 0\.2 second"):
        run_epochs(data, 1)
