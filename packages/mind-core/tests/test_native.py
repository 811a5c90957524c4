"""The native device: generated C against the cpu device, its report, and its disk cache."""

import functools
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError


@pytest.fixture(autouse=True)
def _cpu_afterwards():
    yield
    ms.set_context(device_target="cpu", mode=ms.PYNATIVE_MODE)


@functools.cache
def jit_tests():
    """test_jit.py, loaded by path (the test folders are not packages): the same networks run
    here on the native device."""
    spec = importlib.util.spec_from_file_location(
        "jit_nets", Path(__file__).with_name("test_jit.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lenet():
    return jit_tests().lenet()


def mlp():
    return jit_tests().mlp()


def train(device, make, shape, optimizer):
    ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
    ms.set_seed(3)
    net = make()
    step = nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.CrossEntropyLoss()), optimizer(net.trainable_params())
    )
    x = Tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    y = Tensor(np.random.default_rng(2).integers(0, 3, shape[0]).astype(np.int32))
    losses = [step(x, y).item() for _ in range(20)]
    (compiled,) = step.__dict__["_graph_step_fn"].cache.values()
    return losses, [p.asnumpy().copy() for p in net.trainable_params()], compiled.executable


@pytest.mark.parametrize(
    "optimizer",
    [lambda p: nn.Momentum(p, 0.05, 0.9), lambda p: nn.Adam(p, 0.01)],
    ids=["momentum", "adam"],
)
@pytest.mark.parametrize(("make", "shape"), [(mlp, (12, 8)), (lenet, (6, 1, 8, 8))])
def test_training_on_native_equals_cpu_over_20_steps(make, shape, optimizer):
    cpu_losses, cpu_weights, _ = train("cpu", make, shape, optimizer)
    native_losses, native_weights, executable = train("native", make, shape, optimizer)
    np.testing.assert_allclose(native_losses, cpu_losses, rtol=1e-4)
    for a, b in zip(native_weights, cpu_weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert native_losses[-1] < native_losses[0]
    assert executable.report["native_nodes"] > 0


def test_the_report_names_what_runs_on_cpu_kernels():
    *_, executable = train("native", mlp, (12, 8), lambda p: nn.Momentum(p, 0.05, 0.9))
    assert executable.report["cpu_nodes"] == 0 and executable.report["regions"] == 1
    f = ms.jit(lambda x: (ops.exp(x) * 2.0) % 3.0 + 1.0)  # mod: numpy's sign rules, on cpu
    ms.set_context(device_target="native")
    x = Tensor(np.array([0.5, 3.0, -1.0, 2.0], np.float32))
    want = np.mod(np.exp(x.asnumpy()) * 2.0, 3.0) + 1.0
    np.testing.assert_allclose(f(x).asnumpy(), want, rtol=1e-5)
    (compiled,) = f.cache.values()
    report = compiled.executable.report
    assert report["fallback"] == {"mod": 1} and report["regions"] == 2


def test_inputs_must_have_the_compiled_dtype():
    ms.set_context(device_target="native")
    f = ms.jit(lambda x: x * 2.0)
    x = Tensor(np.ones(3, np.float32))
    f(x)
    (compiled,) = f.cache.values()
    with pytest.raises(MindTypeError, match="compiled for float32"):
        compiled.executable(np.ones(3, np.float64))


def test_broadcasting_reductions_and_views_match_numpy():
    ms.set_context(device_target="native")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 1, 5)).astype(np.float32)
    b = rng.standard_normal((4, 1)).astype(np.float32)

    def f(x, y):
        z = ops.tanh(x * y + 1.0)  # (3, 4, 5)
        return (
            z.sum(axis=(0, 2)),
            z.mean(axis=1, keep_dims=True),
            z.max(axis=0),
            ops.transpose(z, (2, 0, 1)).reshape(5, 12),
            ops.softmax(z, -1),
        )

    got = ms.jit(f)(Tensor(a), Tensor(b))
    z = np.tanh(a * b + 1.0)
    e = np.exp(z - z.max(-1, keepdims=True))
    want = (
        z.sum(axis=(0, 2)),
        z.mean(axis=1, keepdims=True),
        z.max(axis=0),
        z.transpose(2, 0, 1).reshape(5, 12),
        e / e.sum(-1, keepdims=True),
    )
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.asnumpy(), w, rtol=2e-6, atol=2e-6)


# ------------------------------------------------------------------------------------------------
# The disk cache
# ------------------------------------------------------------------------------------------------

_SCRIPT = textwrap.dedent(
    """
    import json, numpy as np, mind.core as ms
    from mind.core import Tensor, ops
    ms.set_context(device_target="native")
    f = ms.jit(lambda x: ops.relu(x * 3.0 - 1.0).sum())
    out = f(Tensor(np.arange(6, dtype=np.float32)))
    (compiled,) = f.cache.values()
    print(json.dumps({"out": out.item(), **compiled.executable.report}))
    """
)


def run_script(cache):
    env = {**os.environ, "MIND_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_process_loads_the_built_module_from_the_cache(tmp_path):
    first = run_script(tmp_path)
    second = run_script(tmp_path)
    assert first["out"] == second["out"] == 40.0
    assert not first["cache_hit"] and second["cache_hit"]
    files = sorted(p.suffix for p in (tmp_path / "native").iterdir())
    assert files == [".json", ".so"]  # one record, one library


def test_a_tampered_library_is_never_loaded_but_rebuilt(tmp_path):
    run_script(tmp_path)
    (library,) = [p for p in (tmp_path / "native").iterdir() if not p.name.endswith(".json")]
    data = bytearray(library.read_bytes())
    data[len(data) // 2] ^= 0xFF
    library.write_bytes(bytes(data))
    again = run_script(tmp_path)
    assert not again["cache_hit"] and again["out"] == 40.0
    (record,) = (tmp_path / "native").glob("*.json")
    os.chmod(record, 0o666)  # writable by others: not trusted either
    assert not run_script(tmp_path)["cache_hit"]


def test_concurrent_processes_building_the_same_graph_both_succeed(tmp_path):
    env = {**os.environ, "MIND_CACHE_DIR": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SCRIPT],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["out"] == 40.0 for r in results)
    assert run_script(tmp_path)["cache_hit"]


# ------------------------------------------------------------------------------------------------
# Dataset sink
# ------------------------------------------------------------------------------------------------


def batches(n, size=16):
    rng = np.random.default_rng(5)
    return [
        (
            Tensor(rng.standard_normal((size, 8)).astype(np.float32)),
            Tensor(rng.integers(0, 3, size).astype(np.int32)),
        )
        for _ in range(n)
    ]


OPTIMIZERS = {
    "momentum": lambda p: nn.Momentum(p, 0.05, 0.9),
    "adam": lambda p: nn.Adam(p, 0.01),
    "scheduled_sgd": lambda p: nn.SGD(p, [0.1 * 0.9**k for k in range(30)]),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_sink_runs_all_steps_in_one_native_call_and_equals_stepping_on_cpu(name, monkeypatch):
    def make(device):
        ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
        ms.set_seed(7)
        net = mlp()
        return net, nn.TrainOneStepCell(
            nn.WithLossCell(net, nn.CrossEntropyLoss()), OPTIMIZERS[name](net.trainable_params())
        )

    data = batches(20)
    net, step = make("cpu")
    for b in data:
        loss = step(*b)
    want, want_weights = loss.item(), [p.asnumpy().copy() for p in net.trainable_params()]

    net, step = make("native")
    from mind.core._src.devices.native.runtime import NativeExecutable

    calls = []
    original = NativeExecutable._run
    monkeypatch.setattr(
        NativeExecutable, "_run", lambda self, *a, **k: calls.append(k) or original(self, *a, **k)
    )
    loss = step.sink_steps(data)
    assert len(calls) == 2 and calls[1]["sink"] is not None  # the first batch, then 19 in C
    np.testing.assert_allclose(loss.item(), want, rtol=1e-4)
    for a, b in zip(net.trainable_params(), want_weights):
        np.testing.assert_allclose(a.asnumpy(), b, rtol=1e-4, atol=1e-6)
    assert step.optimizer.global_step == 20


def test_model_train_in_sink_mode_on_native_matches_normal_mode():
    from mind.core.train import LambdaCallback, Model

    def run(device, sink):
        ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
        ms.set_seed(2)
        net = mlp()
        model = Model(net, nn.CrossEntropyLoss(), nn.Momentum(net.trainable_params(), 0.05, 0.9))
        seen = []
        model.train(
            3,
            batches(8),
            callbacks=LambdaCallback(
                on_train_step_end=lambda rc: seen.append(rc.original_args().cur_step_num)
            ),
            dataset_sink_mode=sink,
            sink_size=5 if sink else -1,
        )
        return [p.asnumpy().copy() for p in net.trainable_params()], seen

    # sink_size=5 over an 8-batch dataset: 15 steps drawn continuously (8, then 7 more).
    weights, seen = run("native", True)
    assert seen == [5, 10, 15]  # one callback step per sink block
    ms.set_context(mode=ms.GRAPH_MODE, device_target="cpu")
    ms.set_seed(2)
    net = mlp()
    step = nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Momentum(net.trainable_params(), 0.05, 0.9)
    )
    data = batches(8)
    for b in (data + data)[:15]:
        step(*b)
    for a, b in zip(weights, net.trainable_params()):
        np.testing.assert_allclose(a, b.asnumpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "name", ["lstm", "gru", "attention", "transformer", "batchnorm_dropout", "embedding"]
)
def test_every_kind_of_network_trains_on_native_as_on_cpu(name):
    nets = jit_tests()  # the networks of the graph-mode equivalence tests
    cpu, _, cpu_params = nets.network_losses(name, ms.GRAPH_MODE, "cpu")
    native, _, native_params = nets.network_losses(name, ms.GRAPH_MODE, "native")
    np.testing.assert_allclose(native, cpu, rtol=1e-4, atol=1e-6)
    # Parameters too, except where attention's key bias has a gradient that is zero but for
    # rounding: Adam turns that noise into full-size steps of either sign on either device.
    degenerate = name in ("attention", "transformer")
    for a, b in zip(native_params, cpu_params):
        if not (degenerate and a.shape == (24,)):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_an_index_out_of_range_raises_instead_of_reading_past_the_table():
    ms.set_context(device_target="native")
    table = Tensor(np.arange(12, dtype=np.float32).reshape(4, 3))
    f = ms.jit(lambda t, i: ops.gather(t, i, 0) * 2.0)
    np.testing.assert_allclose(
        f(table, Tensor(np.array([3, -1, 0], np.int32))).asnumpy(),
        np.arange(12.0).reshape(4, 3)[[3, -1, 0]] * 2,
    )
    with pytest.raises(MindValueError, match=r"gather\(\.\.\.\) met an index out of range"):
        f(table, Tensor(np.array([1, 4, 0], np.int32)))
    np.testing.assert_allclose(  # the executable is usable again afterwards
        f(table, Tensor(np.array([0, 0, 1], np.int32))).asnumpy()[2], [6.0, 8.0, 10.0]
    )


def test_sink_splits_a_block_where_the_batch_shape_changes():
    data = batches(6) + batches(1, size=5) + batches(2)  # a smaller batch in the middle

    def run(device, sink):
        ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
        ms.set_seed(4)
        net = mlp()
        step = nn.TrainOneStepCell(
            nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Adam(net.trainable_params(), 0.01)
        )
        if sink:
            loss = step.sink_steps(data)
        else:
            for b in data:
                loss = step(*b)
        return loss.item(), [p.asnumpy().copy() for p in net.trainable_params()]

    (want, want_w), (got, got_w) = run("cpu", False), run("native", True)
    np.testing.assert_allclose(got, want, rtol=1e-4)
    for a, b in zip(got_w, want_w):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "ta", "tb", "dtype"),
    [
        ((1, 7), (7, 5), False, False, np.float32),
        ((1, 7), (5, 7), False, True, np.float32),  # Dense at batch 1: x @ w.T
        ((7, 1), (7, 5), True, False, np.float32),
        ((7, 1), (5, 7), True, True, np.float64),
        ((3, 1, 7), (3, 7, 5), False, False, np.float32),  # batched row vectors
        ((1, 7), (4, 7, 5), False, False, np.float64),  # a shared row against a stack
        ((4, 1, 7), (5, 7), False, True, np.float32),
    ],
)
def test_row_vector_matmul_through_gemv_matches_numpy(a_shape, b_shape, ta, tb, dtype):
    # M = 1 goes through BLAS gemv instead of gemm (6x faster in OpenBLAS at that shape).
    from mind.core._src.ops.dispatch import bind2
    from mind.core._src.ops.nn_ops import matmul_p

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(a_shape).astype(dtype), rng.standard_normal(b_shape).astype(dtype)
    want = np.matmul(np.swapaxes(a, -1, -2) if ta else a, np.swapaxes(b, -1, -2) if tb else b)
    ms.set_context(device_target="native")
    f = ms.jit(lambda x, y: bind2(matmul_p, x, y, {"transpose_a": ta, "transpose_b": tb}) + 0.0)
    got = f(Tensor(a), Tensor(b)).asnumpy()
    assert f.compile(Tensor(a), Tensor(b)).executable.report["cpu_nodes"] == 0
    np.testing.assert_allclose(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-6)


# (x shape, weight shape, stride, pads (top, bottom, left, right), dilation)
PADDED_CONVS = [
    ((2, 3, 9, 11), (4, 3, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
    ((2, 2, 10, 9), (5, 2, 3, 2), (2, 3), (1, 2, 0, 1), (1, 1)),  # asymmetric pads, strides
    ((2, 3, 11, 10), (2, 3, 3, 3), (2, 2), (2, 2, 1, 1), (2, 2)),  # stride 2, dilation 2
    ((1, 2, 5, 6), (3, 2, 3, 3), (1, 2), (4, 0, 0, 5), (1, 2)),  # rows and columns all padding
    ((2, 4, 8, 8), (3, 4, 3, 3), (1, 1), (0, 2, 0, 1), (1, 1)),  # only the far sides padded
    ((1, 3, 16, 16), (2, 3, 7, 7), (2, 2), (3, 3, 3, 3), (1, 1)),  # a ResNet stem
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", PADDED_CONVS, ids=str)
def test_padded_convolutions_and_their_gradients_in_c_match_numpy(case, dtype):
    # Graph-mode conv2d, conv_transpose2d (the input gradient) and conv2d_grad_weight through the
    # lowering's im2col and col2im, against the numpy kernels.
    from mind.core._src.ops import nn_ops
    from mind.core._src.ops.dispatch import bind2

    x_shape, w_shape, stride, pads, dilation = case
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": 1}
    oh = nn_ops._conv_out(x_shape[2], w_shape[2], stride[0], dilation[0], pads[0], pads[1])
    ow = nn_ops._conv_out(x_shape[3], w_shape[3], stride[1], dilation[1], pads[2], pads[3])
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype)
    dout = rng.standard_normal((x_shape[0], w_shape[0], oh, ow)).astype(dtype)
    grad_in = {**attrs, "in_hw": x_shape[2:]}
    grad_w = {**attrs, "kernel_hw": w_shape[2:]}
    ms.set_context(device_target="native")
    f = ms.jit(
        lambda x, w, dout: (
            bind2(nn_ops.conv2d_p, x, w, attrs) + 0.0,
            bind2(nn_ops.conv_transpose2d_p, dout, w, grad_in) + 0.0,
            bind2(nn_ops.conv2d_grad_weight_p, x, dout, grad_w) + 0.0,
        )
    )
    args = (Tensor(x), Tensor(w), Tensor(dout))
    assert f.compile(*args).executable.report["cpu_nodes"] == 0
    want = (
        nn_ops._conv2d_kernel(x, w, **attrs),
        nn_ops._conv_transpose2d_kernel(dout, w, **grad_in),
        nn_ops._conv2d_grad_weight_kernel(x, dout, **grad_w),
    )
    tol = 2e-5 if dtype == np.float32 else 1e-12
    for got, ref in zip(f(*args), want):
        assert got.shape == ref.shape
        np.testing.assert_allclose(got.asnumpy(), ref, rtol=tol, atol=tol * np.abs(ref).max())
