"""Control flow on the native device: cond, scan and fori_loop nodes run on cpu kernels between
native regions; a while_loop whose nested nodes all have C is lowered whole (one C loop, in the
same call as the code around it), else it runs on its cpu kernel too. Every result equals the
cpu device's."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, control, nn, ops

RNG = np.random.default_rng(0)


def f32(*shape):
    return RNG.normal(size=shape).astype(np.float32)


@pytest.fixture(autouse=True)
def _cpu_afterwards():
    yield
    ms.set_context(device_target="cpu", mode=ms.PYNATIVE_MODE)


def on(device, fn, *args):
    """``jit(fn)(*args)`` compiled for ``device``: the outputs as arrays, and the executable."""
    ms.set_context(device_target=device)
    f = ms.jit(fn)
    out = f(*(Tensor(a) for a in args))
    (compiled,) = f.cache.values()
    return [o.asnumpy() for o in flat(out)], compiled.executable


def flat(value):
    if isinstance(value, tuple | list):
        return [leaf for v in value for leaf in flat(v)]
    return [value]


# Each function computes around its control flow on both sides (native regions before and after
# the cpu steps) and returns several of its results, so tuple_getitem takes more than one out.
W = ms.Parameter(Tensor(np.array([0.5, -0.3, 0.8], np.float32)), name="w")


def with_cond(x):
    y = ops.exp(x * 0.5)
    a, b = control.cond(y.sum() > 4.0, lambda v: (v * 2.0, v.sum()), lambda v: (-v, v.mean()), y)
    return a * W + 1.0, b * 3.0


def with_scan(h0, xs):
    def step(h, x):
        h2 = ops.tanh(h * W + x)
        return h2, (h2 * h2).sum()

    carry, ys = ops.scan(step, ops.sin(h0), xs * 2.0)
    return carry * 2.0, ys + 1.0


def with_fori_loop(x):
    return ops.fori_loop(0, 3, lambda i, v: ops.tanh(v * W) + i, x * 1.5, unroll=False) * 2.0


def with_cond_in_scan(xs):
    def step(c, x):
        return control.cond(x.sum() > 0, lambda a: a + x * W, lambda a: a * 0.5, c), c.sum()

    carry, ys = ops.scan(step, ops.zeros((3,), ms.float32) + 1.0, xs * 1.0)
    return carry + 0.5, ys * 2.0


def with_while_loop(x):
    return ops.while_loop(lambda v: v.sum() < 10.0, lambda v: v * 2.0 + W, ops.abs(x) + 0.1) * 3.0


# name -> (function, its arguments, the control-flow primitive run on cpu, None when it lowers
# whole). cond's two arguments take either branch; fori_loop is a scan node (unroll=False keeps
# the loop).
CASES = {
    "cond_true": (with_cond, [np.array([1.0, 2.0, 3.0], np.float32)], "cond"),
    "cond_false": (with_cond, [np.array([-1.0, -2.0, 0.5], np.float32)], "cond"),
    "scan": (with_scan, [f32(3), f32(5, 3)], "scan"),
    "fori_loop": (with_fori_loop, [f32(3)], "scan"),
    "cond_in_scan": (with_cond_in_scan, [f32(6, 3)], "scan"),
    "while_loop": (with_while_loop, [f32(3)], None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_on_native_equals_cpu_and_the_report_names_the_fallback(name):
    fn, args, prim = CASES[name]
    want, _ = on("cpu", fn, *args)
    got, executable = on("native", fn, *args)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    report = executable.report
    if prim is None:  # one C function: the loop, the code around it, the results taken out
        assert report["fallback"] == {} and report["cpu_nodes"] == 0 and report["regions"] == 1
    else:
        assert report["fallback"].get(prim) == 1
        assert report["fallback"]["tuple_getitem"] >= 1
    assert report["native_nodes"] > 0  # the arithmetic around the loop is still generated C
    if name == "cond_true":  # the branch taken: mul and sum, not neg and mean
        np.testing.assert_allclose(want[1], 3.0 * np.exp(args[0] * 0.5).sum(), rtol=1e-6)
    if name == "cond_false":
        np.testing.assert_allclose(want[1], 3.0 * np.exp(args[0] * 0.5).mean(), rtol=1e-6)


def test_a_graph_of_control_flow_only_needs_no_c_and_its_outputs_are_fresh_arrays():
    # cond then tuple_getitem: no native region at all. The branch taken returns its input
    # itself, so the kernel's result is the caller's array: the output is a copy.
    x, yes = np.array([20.0, 1.0], np.float32), np.array(True)
    fn = lambda p, v: control.cond(p, lambda u: u, lambda u: u * 2.0, v)  # noqa: E731
    (got,), executable = on("native", fn, yes, x)
    np.testing.assert_array_equal(got, x)
    assert executable.report["regions"] == 0 and executable.report["native_nodes"] == 0
    (out,) = executable(yes, x)
    assert out is not x and not np.shares_memory(out, x)
    np.testing.assert_array_equal(out, x)


# ------------------------------------------------------------------------------------------------
# while_loop lowered whole
# ------------------------------------------------------------------------------------------------


def rnn(xs, h, w, u, n):  # n: a tensor step count, so the loop is one while_loop node
    t = n * 0
    while t < n:
        h = (xs[t] @ w + h @ u).tanh()
        t = t + 1
    return h, t


def numpy_rnn(xs, h, w, u, n):
    for t in range(n):
        h = np.tanh(xs[t] @ w + h @ u)
    return h


def rnn_args(steps):
    w, u = f32(8, 8) * 0.3, f32(8, 8) * 0.3
    return [f32(steps, 4, 8), f32(4, 8), w, u, np.array(steps)]


def test_a_while_loop_whose_nodes_all_have_c_is_one_c_call_and_matches_numpy():
    args = rnn_args(7)
    want, _ = on("cpu", rnn, *args)
    got, executable = on("native", rnn, *args)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[0], numpy_rnn(*args), rtol=1e-5, atol=1e-6)
    assert got[1] == 7
    report = executable.report
    assert report["fallback"] == {} and report["cpu_nodes"] == 0 and report["regions"] == 1
    # The executable runs again with other inputs of the same shapes (the carries start afresh).
    again = rnn_args(7)
    h, t = executable(*again)
    np.testing.assert_allclose(h, numpy_rnn(*again), rtol=1e-5, atol=1e-6)
    assert int(t) == 7


def test_a_lowered_loop_that_never_runs_returns_copies_of_its_inputs():
    args = rnn_args(3)
    args[4] = np.array(0)
    (h, t), executable = on("native", rnn, *args)
    np.testing.assert_array_equal(h, args[1])
    assert t == 0
    out = executable(*args)
    assert not np.shares_memory(out[0], args[1])
    assert executable.report["cpu_nodes"] == 0


def test_lowered_loop_results_used_after_the_loop_keep_their_values():
    # Both carries come out, are used by later native code and returned too: their workspace
    # bytes stay the carries' until the last use.
    def f(x, y):
        a, b = ops.while_loop(
            lambda c: c[0].sum() < 50.0, lambda c: (c[0] * 1.5 + c[1], c[1] + 1.0), (x, y)
        )
        z = ops.exp(x * 0.1) + ops.sin(y)  # new intermediates while a and b are alive
        return a, b * z, (a + b).sum() * z

    args = [np.abs(f32(3, 4)) + 0.1, f32(3, 4)]
    want, _ = on("cpu", f, *args)
    got, executable = on("native", f, *args)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert executable.report["cpu_nodes"] == 0


def test_loops_that_cannot_lower_whole_run_on_cpu_with_the_same_values():
    def swap(x, y):  # the body swaps two carries: copying back in C would clash
        return ops.while_loop(lambda c: c[0].sum() < 30.0, lambda c: (c[1], c[0] * 2.0), (x, y))

    def nested(x):  # an inner while: the outer one's body is not all C
        def body(v):
            return ops.while_loop(lambda u: u.sum() < v.sum() * 3.0, lambda u: u + 1.0, v) * 1.1

        return ops.while_loop(lambda v: v.sum() < 200.0, body, x)

    for fn, args in ((swap, [np.abs(f32(3)) + 0.5, np.abs(f32(3)) + 0.5]), (nested, [f32(3)])):
        args[0] = np.abs(args[0]) + 0.5
        want, _ = on("cpu", fn, *args)
        got, executable = on("native", fn, *args)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
        assert executable.report["fallback"]["while_loop"] == 1


def test_an_index_out_of_range_inside_a_lowered_loop_names_the_loop():
    args = rnn_args(3)
    _, executable = on("native", rnn, *args)
    args[4] = np.array(5)  # xs has 3 steps
    with pytest.raises(ms.errors.MindValueError, match="while_loop"):
        executable(*args)


def test_gradients_through_a_lowered_while_loop_equal_cpu_and_numpy():
    def loss(xs, h, w, u, n):
        return rnn(xs, h, w, u, n)[0].sum()

    args = rnn_args(4)
    g = ms.grad(loss, (0, 1, 2, 3))
    want, _ = on("cpu", g, *args)
    got, _ = on("native", g, *args)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # dL/dw by central differences of the numpy loop (float64)
    xs, h, w, u, n = (np.asarray(a, np.float64) for a in args)
    eps, probe = 1e-6, (1, 2)
    plus, minus = w.copy(), w.copy()
    plus[probe] += eps
    minus[probe] -= eps
    n = int(n)
    fd = (numpy_rnn(xs, h, plus, u, n).sum() - numpy_rnn(xs, h, minus, u, n).sum()) / (2 * eps)
    np.testing.assert_allclose(got[2][probe], fd, rtol=1e-3, atol=1e-4)


def test_a_branch_returning_its_inputs_keeps_them_alive_until_taken_out():
    # The false branch returns its two inputs themselves (workspace arrays on native), swapped:
    # copying the first element out must not overwrite the bytes of the second one.
    def f(x):
        a, b = ops.exp(x), ops.sin(x)
        p, q = control.cond(x.sum() > 100.0, lambda u, v: (u + v, u - v), lambda u, v: (v, u), a, b)
        return (p * 3.0 + 1.0) * q, ops.cos(q) + p

    x = f32(4, 5)
    want, _ = on("cpu", f, x)
    got, _ = on("native", f, x)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(want[1], np.cos(np.exp(x)) + np.sin(x), rtol=1e-5)


# Gradients through cond, scan and fori_loop (while_loop is forward-only), input and weight.
GRADS = {
    "cond_true": (lambda x: with_cond(x)[0].sum() + with_cond(x)[1], CASES["cond_true"][1]),
    "cond_false": (lambda x: with_cond(x)[0].sum() + with_cond(x)[1], CASES["cond_false"][1]),
    "scan": (lambda h, xs: with_scan(h, xs)[0].sum() + with_scan(h, xs)[1].sum(), CASES["scan"][1]),
    "fori_loop": (lambda x: with_fori_loop(x).sum(), CASES["fori_loop"][1]),
    "cond_in_scan": (
        lambda xs: with_cond_in_scan(xs)[0].sum() + with_cond_in_scan(xs)[1].sum(),
        CASES["cond_in_scan"][1],
    ),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_through_control_flow_on_native_equal_cpu(name):
    loss, args = GRADS[name]
    g = ms.grad(loss, tuple(range(len(args))), [W])
    want, _ = on("cpu", g, *args)
    got, executable = on("native", g, *args)
    assert len(got) == len(want) == len(args) + 1
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(want[-1], 0.0)  # the weight's gradient flows through the loop
    assert executable.report["cpu_nodes"] >= 2  # the forward node and its backward


# ------------------------------------------------------------------------------------------------
# Training in GRAPH_MODE, step by step and through the dataset sink
# ------------------------------------------------------------------------------------------------


class ScanCondNet(nn.Cell):
    """A recurrent net: its time loop is ops.scan, its head branches with control.cond."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Dense(4, 6)
        self.rec = nn.Dense(6, 6, has_bias=False)
        self.head = nn.Dense(6, 3)

    def construct(self, xs):  # xs: (time, batch, 4)
        def step(h, x):
            h = ops.tanh(self.inp(x) + self.rec(h))
            return h, h.mean()

        h, means = ops.scan(step, ops.zeros((xs.shape[1], 6), ms.float32), xs)
        logits = self.head(h)
        return control.cond(
            means.sum() > 0.0, lambda v: v * 2.0, lambda v: v + means.mean(), logits
        )


def make_step(device):
    ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
    ms.set_seed(5)
    net = ScanCondNet()
    return net, nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Momentum(net.trainable_params(), 0.1, 0.9)
    )


def batches(n):
    rng = np.random.default_rng(1)
    return [
        (
            Tensor(rng.standard_normal((5, 4, 4)).astype(np.float32)),
            Tensor(rng.integers(0, 3, 4).astype(np.int32)),
        )
        for _ in range(n)
    ]


def test_graph_mode_training_with_scan_and_cond_on_native_equals_cpu():
    data = batches(6)

    def train(device):
        net, step = make_step(device)
        losses = [step(*b).item() for b in data]
        (compiled,) = step.__dict__["_graph_step_fn"].cache.values()
        return losses, [p.asnumpy().copy() for p in net.trainable_params()], compiled.executable

    want, want_w, _ = train("cpu")
    got, got_w, executable = train("native")
    np.testing.assert_allclose(got, want, rtol=1e-5)
    for a, b in zip(got_w, want_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert got[-1] < got[0]
    fallback = executable.report["fallback"]
    assert fallback["scan"] == 2 and fallback["cond"] == 2  # forward and backward of each
    assert executable.report["native_nodes"] > 0


def test_dataset_sink_with_control_flow_falls_back_to_step_by_step(monkeypatch):
    data = batches(5)
    net, step = make_step("cpu")
    for b in data:
        loss = step(*b)
    want, want_w = loss.item(), [p.asnumpy().copy() for p in net.trainable_params()]

    from mind.core._src.devices.native.runtime import NativeExecutable

    calls = []
    original = NativeExecutable._run
    monkeypatch.setattr(
        NativeExecutable, "_run", lambda self, *a, **k: calls.append(k) or original(self, *a, **k)
    )
    net, step = make_step("native")
    loss = step.sink_steps(data)
    # No single-call loop in C (the cpu steps run in between): one native call per batch.
    assert len(calls) == 5 and all(k.get("sink") is None for k in calls)
    np.testing.assert_allclose(loss.item(), want, rtol=1e-5)
    for a, b in zip(net.trainable_params(), want_w):
        np.testing.assert_allclose(a.asnumpy(), b, rtol=1e-5, atol=1e-6)
    assert step.optimizer.global_step == 5
