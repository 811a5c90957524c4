"""Control flow on tensor values, eager and inside jit (nested MindIR graphs)."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, control, nn, ops
from mind.core._src.ir.graph import subgraphs
from mind.core.errors import MindTypeError, MindValueError
from mind.core.testing import check_grads

RNG = np.random.default_rng(0)


def f32(*shape):
    return RNG.normal(size=shape).astype(np.float32)


def prims(graph):
    return [n.prim for n in graph.nodes]


def assert_close(a, b, rtol=1e-5, atol=1e-6):
    a = a if isinstance(a, tuple | list) else (a,)
    b = b if isinstance(b, tuple | list) else (b,)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, tuple | list):
            assert_close(x, y, rtol, atol)
        else:
            np.testing.assert_allclose(x.asnumpy(), y.asnumpy(), rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------------------------
# cond
# ------------------------------------------------------------------------------------------------


def branchy(x):
    return control.cond(x.sum() > 0, lambda v: (v * 2, v.sum()), lambda v: (-v, v.mean()), x)


@pytest.mark.parametrize("values", [[1.0, -2.0], [3.0, 1.0]])
def test_cond_eager_and_jit_agree_and_differentiate(values):
    x = Tensor(values)
    assert_close(ms.jit(branchy)(x), branchy(x))
    g_eager = ms.grad(lambda v: branchy(v)[0].sum())(x)
    g_jit = ms.jit(ms.grad(lambda v: branchy(v)[0].sum()))(x)
    assert_close(g_jit, g_eager)
    assert g_eager.asnumpy().tolist() == ([2.0, 2.0] if sum(values) > 0 else [-1.0, -1.0])


def test_cond_compiles_to_one_node_with_two_nested_graphs():
    graph = ms.jit(branchy).graph(Tensor([1.0, 2.0]))
    assert prims(graph).count("cond") == 1 and "select" not in prims(graph)
    (node,) = [n for n in graph.nodes if n.prim == "cond"]
    names = dict(subgraphs(node))
    assert set(names) == {"true_graph", "false_graph"}
    assert "mul" in prims(names["true_graph"]) and "neg" in prims(names["false_graph"])
    text = str(graph)
    assert "graph cond_true(" in text and "graph cond_false(" in text


def test_cond_runs_only_the_branch_taken():
    # The untaken branch is sqrt of a negative number: evaluating both and selecting (what a
    # where-lowering does) gives a NaN gradient (0 * inf); the nested graph gives exactly 0.
    def f(x):
        return control.cond(x.sum() > 0, lambda v: ops.sqrt(v).sum(), lambda v: (v * 0.0).sum(), x)

    x = Tensor(np.array([-1.0, -4.0], np.float32))
    with np.errstate(all="raise"):  # sqrt(-1) would raise here if it ran
        assert ms.jit(f)(x).item() == 0.0
        assert ms.jit(ms.grad(f))(x).asnumpy().tolist() == [0.0, 0.0]
    y = Tensor(np.array([1.0, 4.0], np.float32))
    np.testing.assert_allclose(ms.jit(ms.grad(f))(y).asnumpy(), [0.5, 0.25])


def test_cond_captures_weights_and_activations_and_their_gradients():
    net = nn.Dense(3, 2)
    scale = ms.Parameter(Tensor(np.float32(1.5)), name="scale")

    def loss(x):
        h = net(x)
        out = control.cond(
            h.sum() > -100.0,  # taken
            lambda v: (v.sum() * h * scale).sum(),  # v operand; h and scale captured
            lambda v: v.sum(),
            x,
        )
        return out

    x = Tensor(f32(4, 3))
    weights = [*net.trainable_params(), scale]
    g_eager = ms.grad(loss, 0, weights)(x)
    g_jit = ms.jit(ms.grad(loss, 0, weights))(x)
    assert_close(g_jit, g_eager, rtol=1e-5, atol=1e-6)


def test_cond_second_order_through_mindir():
    h = lambda x: control.cond(x.sum() > 0, lambda v: (v**3).sum(), lambda v: (v**2).sum(), x)  # noqa: E731
    gg = lambda x: ms.grad(lambda u: ms.grad(h)(u).sum())(x)  # noqa: E731
    for values, want in (([1.0, 2.0], [6.0, 12.0]), ([-1.0, -2.0], [2.0, 2.0])):
        x = Tensor(np.array(values, np.float32))
        np.testing.assert_allclose(ms.jit(gg)(x).asnumpy(), want)
        np.testing.assert_allclose(gg(x).asnumpy(), want)


def test_cond_matches_finite_differences_inside_jit():
    def f(x):
        return control.cond(x[0] > 0, lambda v: ops.sin(v) * v, lambda v: ops.exp(v) - v, x).sum()

    for x0 in (np.array([0.3, -0.7, 1.1]), np.array([-0.3, -0.7, 1.1])):
        check_grads(ms.jit(f), [x0], rtol=1e-4, atol=1e-6)


def test_cond_rejects_mismatched_branches():
    with pytest.raises(MindValueError, match="shapes"):
        ms.jit(lambda x: control.cond(x.sum() > 0, lambda v: v, lambda v: v.sum(), x))(
            Tensor([1.0, 2.0])
        )
    with pytest.raises(MindTypeError, match="different structures"):
        ms.jit(lambda x: control.cond(x.sum() > 0, lambda v: (v, v), lambda v: v, x))(
            Tensor([1.0, 2.0])
        )


# ------------------------------------------------------------------------------------------------
# scan and fori_loop
# ------------------------------------------------------------------------------------------------

W = ms.Parameter(Tensor(np.array([0.5, -0.3], np.float32)), name="w")


def rnn_loss(h0, xs):
    def step(h, x):
        h2 = ops.tanh(h * W + x)
        return h2, (h2 * h2).sum()

    carry, ys = ops.scan(step, h0, xs)
    return carry.sum() + ys.sum()


def test_scan_eager_and_jit_agree_and_differentiate_inputs_and_captured_weights():
    h0, xs = Tensor(f32(2)), Tensor(f32(6, 2))
    assert_close(ms.jit(rnn_loss)(h0, xs), rnn_loss(h0, xs))
    g = ms.grad(rnn_loss, (0, 1), [W])
    assert_close(ms.jit(g)(h0, xs), g(h0, xs), rtol=1e-5, atol=1e-6)
    check_grads(ms.jit(rnn_loss), [f32(2).astype(np.float64), f32(6, 2).astype(np.float64)])


def test_scan_graph_does_not_grow_with_the_trip_count():
    sizes = [len(ms.jit(rnn_loss).graph(Tensor(f32(2)), Tensor(f32(n, 2))).nodes) for n in (3, 40)]
    assert sizes[0] == sizes[1] and sizes[0] < 12
    graph = ms.jit(ms.grad(rnn_loss, (0, 1))).graph(Tensor(f32(2)), Tensor(f32(40, 2)))
    assert prims(graph).count("scan") == 2  # the loop, and its reverse for the gradient


def test_scan_reverse_structures_and_no_ys():
    def f(xs):
        return ops.scan(lambda c, x: (c + x, c), Tensor(np.float32(0.0)), xs, reverse=True)

    c, ys = ms.jit(f)(Tensor([1.0, 2.0, 3.0]))
    assert c.item() == 6.0 and ys.asnumpy().tolist() == [5.0, 3.0, 0.0]
    assert ops.scan(lambda c, x: (c + x, c), Tensor(0.0), Tensor([1.0, 2.0]))[1].shape == (2,)

    def g(a, b, xs, ys):
        def body(carry, pair):
            s, p = carry
            x, y = pair
            return (s + x * y, p * x), None

        return ops.scan(body, (a, b), (xs, ys))

    args = (Tensor(np.float32(0.0)), Tensor(np.float32(1.0)), Tensor(f32(4)), Tensor(f32(4)))
    (s1, p1), none1 = ms.jit(g)(*args)
    (s2, p2), none2 = g(*args)
    assert none1 is None and none2 is None
    assert_close((s1, p1), (s2, p2))
    gr = ms.grad(lambda *a: g(*a)[0][0] + g(*a)[0][1], (0, 1, 2, 3))
    assert_close(ms.jit(gr)(*args), gr(*args))


def test_scan_second_order_and_length_only():
    def f(x):
        return ops.fori_loop(0, 3, lambda i, v: v * v + i, x)

    x = Tensor(np.array([0.7, -0.4], np.float32))
    assert_close(ms.jit(f)(x), f(x))
    gg = lambda v: ms.grad(lambda u: ms.grad(lambda q: f(q).sum())(u).sum())(v)  # noqa: E731
    assert_close(ms.jit(gg)(x), gg(x), rtol=1e-5)
    check_grads(ms.jit(lambda v: f(v).sum()), [np.array([0.7, -0.4])], order=2)
    counter = ms.jit(lambda v: ops.scan(lambda c, _: (c * 2.0, None), v, None, length=5)[0])(
        Tensor([1.0])
    )
    assert counter.asnumpy().tolist() == [32.0]


def test_fori_loop_index_is_a_tensor_in_the_nested_loop_and_unroll_inlines():
    def f(x, unroll):
        return ops.fori_loop(1, 4, lambda i, v: v * i, x, unroll=unroll)

    x = Tensor([1.0, 2.0])
    for unroll in (False, True):
        assert ms.jit(f)(x, unroll).asnumpy().tolist() == [6.0, 12.0]
    assert "scan" in prims(ms.jit(f).graph(x, False))
    assert "scan" not in prims(ms.jit(f).graph(x, True))


def test_scan_rejects_a_carry_that_changes():
    with pytest.raises(MindValueError, match="carry 0 enters as Float32\\[2\\]"):
        ms.jit(lambda xs: ops.scan(lambda c, x: (c.sum(), x), Tensor([0.0, 0.0]), xs))(
            Tensor(f32(3))
        )
    with pytest.raises(MindValueError, match="leading axes 3 and 4"):
        ops.scan(lambda c, x: (c, None), Tensor(0.0), (Tensor(f32(3)), Tensor(f32(4))))


def test_cond_inside_scan_and_scan_inside_cond():
    def f(xs):
        def step(c, x):
            return control.cond(x > 0, lambda a: a + x, lambda a: a * 0.5, c), c

        return ops.scan(step, Tensor(np.float32(1.0)), xs)

    xs = Tensor(np.array([1.0, -1.0, 2.0, -3.0], np.float32))
    assert_close(ms.jit(f)(xs), f(xs))
    g = ms.grad(lambda v: f(v)[0] + f(v)[1].sum())
    assert_close(ms.jit(g)(xs), g(xs))

    def h(x):
        return control.cond(
            x.sum() > 0, lambda v: ops.scan(lambda c, e: (c * e, c), v[0], v)[0], lambda v: v[1], x
        )

    x = Tensor(np.array([2.0, 3.0, 0.5], np.float32))
    assert_close(ms.jit(h)(x), h(x))
    assert_close(ms.jit(ms.grad(h))(x), ms.grad(h)(x))


# ------------------------------------------------------------------------------------------------
# while_loop
# ------------------------------------------------------------------------------------------------


def test_while_loop_compiles_to_a_nested_loop():
    wl = lambda x: ops.while_loop(lambda v: v.sum() < 10, lambda v: v * 2, x)  # noqa: E731
    for start in ([1.0, 0.5], [3.0, 4.0], [0.01, 0.0]):
        x = Tensor(start)
        assert_close(ms.jit(wl)(x), wl(x))
    graph = ms.jit(wl).graph(Tensor([1.0, 0.5]))
    assert prims(graph) == ["while_loop", "tuple_getitem"]


def test_while_loop_with_a_tuple_carry_and_a_capture():
    limit = Tensor(np.float32(20.0))

    def collatz_like(x):
        def body(state):
            n, v = state
            return n + 1, v * 1.5 + 1.0

        return ops.while_loop(lambda s: s[1] < limit, body, (Tensor(np.int32(0)), x))

    x = Tensor(np.float32(1.0))
    n1, v1 = ms.jit(collatz_like)(x)
    n2, v2 = collatz_like(x)
    assert n1.item() == n2.item() == 5 and v1.item() == pytest.approx(v2.item())


def _doubling(x, w):
    # x <- x * w + 1 until its sum reaches 50: the trip count depends on the values.
    v, n = ops.while_loop(lambda c: c[0].sum() < 50, lambda c: (c[0] * w + 1, c[1] + 1), (x, 0))
    return (v * v).sum() + n


def test_while_loop_gradients_match_eager_and_finite_differences():
    assert ops.while_loop(lambda v: v < 10, lambda v: v * 2, Tensor(1.0)).item() == 16.0
    x = Tensor(np.array([0.5, 1.0, 1.5]))
    w = Tensor(np.array([1.5, 1.2, 1.1]))
    grad = ms.grad(_doubling, grad_position=(0, 1))
    eager, compiled = grad(x, w), ms.jit(grad)(x, w)
    eps = 1e-6
    for k, (e, c) in enumerate(zip(eager, compiled)):
        np.testing.assert_allclose(c.asnumpy(), e.asnumpy(), rtol=1e-12)
        base = [x.asnumpy(), w.asnumpy()]
        for j in range(3):
            up, down = [b.copy() for b in base], [b.copy() for b in base]
            up[k][j] += eps
            down[k][j] -= eps
            fd = (_doubling(*map(Tensor, up)).item() - _doubling(*map(Tensor, down)).item()) / (
                2 * eps
            )
            np.testing.assert_allclose(c.asnumpy()[j], fd, rtol=1e-6)
    # No gradient needed through the loop: the loop runs once, no reverse pass.
    g = ms.jit(
        ms.grad(lambda x: x * ops.while_loop(lambda v: v < 10, lambda v: v * 2, Tensor(1.0)))
    )
    assert g(Tensor(3.0)).item() == 16.0


def _squaring(x):
    def body(i, t):
        return t * t * 0.5 + i

    return ops.fori_loop(0, 3, body, x, unroll=False).sum()


def test_second_order_through_a_nested_loop_matches_finite_differences_of_the_gradient():
    # MindSpore refuses higher order through a loop with unroll=False; here it is exact
    x = np.array([0.3, 1.2, -0.7])
    second = ms.jit(ms.grad(ms.grad(_squaring)))(Tensor(x)).asnumpy()
    first = ms.grad(_squaring)
    eps = 1e-6
    fd = (first(Tensor(x + eps)).asnumpy() - first(Tensor(x - eps)).asnumpy()) / (2 * eps)
    np.testing.assert_allclose(second, fd, rtol=1e-6)
    assert "scan" in {n.prim for n in ms.jit(_squaring).graph(Tensor(x)).nodes}


# ------------------------------------------------------------------------------------------------
# Graphs with nested graphs elsewhere: passes, files
# ------------------------------------------------------------------------------------------------


def test_passes_optimise_nested_graphs():
    def f(x):
        return control.cond(x.sum() > 0, lambda v: (v * 1.0 + 0.0) * 2.0, lambda v: v - v * 0.0, x)

    graph = ms.jit(f).graph(Tensor([1.0, 2.0]))
    (node,) = [n for n in graph.nodes if n.prim == "cond"]
    branches = dict(subgraphs(node))
    assert prims(branches["true_graph"]) == ["mul"]  # *1 and +0 simplified away
    assert prims(branches["false_graph"]) == ["identity"] or len(branches["false_graph"].nodes) <= 2


def test_graph_with_control_flow_round_trips_through_a_mindir_file(tmp_path):
    net = nn.Dense(2, 2)

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.dense = net

        def construct(self, x, xs):
            y = control.cond(x.sum() > 0, lambda v: self.dense(v), lambda v: v * 2.0, x)
            carry, ys = ops.scan(lambda c, e: (c + e * y.sum(), c), x.sum(), xs)
            z = ops.while_loop(lambda v: v.sum() < 50, lambda v: v * 3.0, ops.abs(y) + 0.1)
            return carry, ys, z

    model = Net()
    x, xs = Tensor(f32(1, 2)), Tensor(f32(5))
    want = model(x, xs)
    ms.export(model, x, xs, file_name=tmp_path / "ctl")
    loaded = ms.load(tmp_path / "ctl.mindir")
    assert "graph cond_true(" in str(loaded)
    got = nn.GraphCell(loaded)(x, xs)
    assert_close(got, want, rtol=1e-5)
    negative = Tensor(-np.abs(f32(1, 2)))
    assert_close(nn.GraphCell(loaded)(negative, xs), model(negative, xs), rtol=1e-5)


def onnx_outputs(fn, args, path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    ms.export(fn, *args, file_name=path, file_format="ONNX")
    session = ort.InferenceSession(str(path) + ".onnx")
    feeds = {i.name: a.asnumpy() for i, a in zip(session.get_inputs(), args)}
    return session.run(None, feeds)


def flat(value):
    if isinstance(value, tuple | list):
        return [t for v in value for t in flat(v)]
    return [] if value is None else [value.asnumpy()]


@pytest.mark.parametrize("positive", [True, False])
def test_control_flow_exports_to_onnx_if_and_loop_and_runs_in_onnxruntime(tmp_path, positive):
    net = nn.Dense(3, 3)
    limit = Tensor(np.float32(20.0))

    def program(x, xs):
        y = control.cond(x.sum() > 0, lambda v: net(v), lambda v: v * 2.0, x)  # a captured Dense
        carry, ys = ops.scan(
            lambda c, e: (control.cond(e > 0, lambda a: a + e, lambda a: a * 0.5, c), c),
            y.sum(),
            xs,
            reverse=True,
        )
        z = ops.fori_loop(0, 3, lambda i, v: v * 1.5 + ops.cast(i, ms.float32), y)
        w = ops.while_loop(lambda v: v.sum() < limit, lambda v: v * 2.0 + 0.1, ops.abs(y))
        return carry, ys, z, w

    x = Tensor(f32(1, 3) * (1.0 if positive else -1.0) + (2.0 if positive else -2.0))
    xs = Tensor(np.array([1.0, -1.0, 2.0, -3.0], np.float32))
    got = onnx_outputs(program, (x, xs), tmp_path / "program")
    want = flat(program(x, xs))
    assert len(got) == len(want) == 4
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_grad_of_a_jit_function_differentiates_its_compiled_graph():
    net = nn.Dense(3, 2)

    @ms.jit
    def loss(x):
        return ops.tanh(net(x)).sum()

    x = Tensor(f32(4, 3))
    eager = ms.grad(lambda v: ops.tanh(net(v)).sum(), 0, net.trainable_params())(x)
    through_jit = ms.grad(loss, 0, net.trainable_params())(x)  # PyNative grad, compiled callee
    assert_close(through_jit, eager)
    check_grads(loss, [f32(4, 3)], order=2)


class ScanRNN(nn.Cell):
    """A recurrent net whose time loop is ops.scan and whose head branches with control.cond."""

    def __init__(self):
        super().__init__()
        self.inp = nn.Dense(4, 6)
        self.rec = nn.Dense(6, 6, has_bias=False)
        self.head = nn.Dense(6, 3)

    def construct(self, xs):  # xs: (time, batch, 4)
        def step(h, x):
            h = ops.tanh(self.inp(x) + self.rec(h))
            return h, h.mean()

        h0 = ops.zeros((xs.shape[1], 6), ms.float32)
        h, means = ops.scan(step, h0, xs)
        logits = self.head(h)
        return control.cond(
            means.sum() > 100.0, lambda v: v * 0.0, lambda v: v + means.mean(), logits
        )


def test_graph_mode_training_with_scan_and_cond_equals_pynative_over_20_steps():
    def losses(mode):
        ms.set_context(mode=mode)
        try:
            ms.set_seed(5)
            net = ScanRNN()
            step = nn.TrainOneStepCell(
                nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Adam(net.trainable_params(), 0.01)
            )
            data = np.random.default_rng(1).standard_normal((7, 5, 4)).astype(np.float32)
            labels = np.random.default_rng(2).integers(0, 3, 5)
            out = [step(Tensor(data), Tensor(labels)).item() for _ in range(20)]
            if mode == ms.GRAPH_MODE:  # one compiled step: the loops are nodes, not unrolled
                (compiled,) = step.__dict__["_graph_step_fn"].cache.values()
                assert prims(compiled.graph).count("scan") == 2
                assert prims(compiled.graph).count("cond") == 2
            return out
        finally:
            ms.set_context(mode=ms.PYNATIVE_MODE)

    eager, graph = losses(ms.PYNATIVE_MODE), losses(ms.GRAPH_MODE)
    np.testing.assert_allclose(graph, eager, rtol=1e-5)
    assert graph[-1] < graph[0]


@pytest.mark.parametrize("values", [[1.0, 2.0], [-1.0, -2.0]])
def test_a_weight_both_branches_capture_gets_its_gradient_from_the_branch_taken(values):
    w = ms.Parameter(Tensor(np.array([0.5, 2.0], np.float32)), name="w")

    def f(x):
        return control.cond(x.sum() > 0, lambda v: (v * w * w).sum(), lambda v: (v + w).sum(), x)

    x = Tensor(np.array(values, np.float32))
    assert_close(ms.jit(ms.grad(f, 0, [w]))(x), ms.grad(f, 0, [w])(x))


def test_switch_make_tuple_and_tuple_getitem_as_mindspore_functional():
    def pick(flag, y):
        return ops.switch(flag, y + 1, y * 10)

    y = Tensor(np.array([1, 2], np.int32))
    for flag, want in ((True, [2, 3]), (False, [10, 20])):
        t = Tensor(np.array(flag))
        assert pick(t, y).asnumpy().tolist() == want
        assert ms.jit(pick)(t, y).asnumpy().tolist() == want
    assert "cond" in {n.prim for n in ms.jit(pick).graph(Tensor(np.array(True)), y).nodes}
    chosen = ops.switch(Tensor(np.array(False)), lambda v: v + 1, lambda v: v - 1)
    assert chosen(y).asnumpy().tolist() == [0, 1]

    def swap(z):
        return ops.make_tuple(ops.tuple_getitem(z, 1), ops.depend(ops.tuple_getitem(z, 0), z))

    a, b = ms.jit(swap)((y, y * 2))
    assert a.asnumpy().tolist() == [2, 4] and b.asnumpy().tolist() == [1, 2]
