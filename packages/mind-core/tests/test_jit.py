"""Graph mode, first cut: jit tracing into MindIR, the cache, weights as graph inputs, graph
autodiff through the traced tape, GRAPH_MODE Cells, and errors that name the user's line."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.ir.graph import FuncGraph, GraphError
from mind.core._src.ir.trace import GraphModeError
from mind.core._src.ops.dispatch import ShapedArray

rng = np.random.default_rng(0)


def a(*shape):
    return Tensor(rng.standard_normal(shape).astype(np.float32))


@pytest.fixture(autouse=True)
def _pynative():
    yield
    ms.set_context(mode=ms.PYNATIVE_MODE)


def test_jit_function_matches_eager_and_prints_its_graph():
    def f(x, y):
        return ops.softmax(ops.relu(x @ y) * 2.0 + 1.0, axis=-1).sum(axis=0)

    x, y = a(4, 3), a(3, 5)
    jf = ms.jit(f)
    np.testing.assert_allclose(jf(x, y).asnumpy(), f(x, y).asnumpy(), rtol=1e-6)
    text = str(jf.graph(x, y))
    assert text.startswith("graph f(%1: Float32[4, 3], %2: Float32[3, 5]) {")
    assert (
        "= matmul(%1, %2) : Float32[4, 5]" in text and "= softmax(" in text and "return (" in text
    )


def test_cache_retraces_only_for_new_signatures():
    calls = []

    @ms.jit
    def f(x, scale):
        calls.append(1)
        return x * scale

    x = a(2, 3)
    f(x, 2.0)
    f(a(2, 3), 2.0)
    assert len(calls) == 1 and f.compilations == 1
    f(a(3, 3), 2.0)  # new shape
    f(x, 3.0)  # new Python constant
    f(Tensor(np.ones((2, 3))), 2.0)  # new dtype (float64)
    assert f.compilations == 4
    np.testing.assert_allclose(f(x, 3.0).asnumpy(), x.asnumpy() * 3.0)


def test_weights_are_graph_inputs_not_constants():
    net = nn.Dense(3, 2)

    @ms.jit
    def f(x):
        return net(x)

    x = a(4, 3)
    before = f(x).asnumpy()
    net.weight.set_data(net.weight.asnumpy() * 2)
    after = f(x).asnumpy()
    assert f.compilations == 1
    np.testing.assert_allclose(after, net(x).asnumpy(), rtol=1e-6)
    assert not np.allclose(before, after)
    kinds = [p.kind for p in f.graph(x).parameters]
    assert kinds == ["input", "weight", "weight"]


def test_value_and_grad_compiles_to_one_graph_with_the_backward_pass():
    net = nn.SequentialCell(nn.Dense(3, 8), nn.Tanh(), nn.Dense(8, 4))
    loss_fn = nn.CrossEntropyLoss()

    def loss(x, t):
        return loss_fn(net(x), t)

    eager = ms.value_and_grad(loss, None, net.trainable_params())
    compiled = ms.jit(ms.value_and_grad(loss, None, net.trainable_params()))
    x, t = a(6, 3), Tensor(np.array([0, 1, 2, 3, 0, 1]))
    (v0, g0), (v1, g1) = eager(x, t), compiled(x, t)
    np.testing.assert_allclose(v1.asnumpy(), v0.asnumpy(), rtol=1e-6)
    for p, q in zip(g0, g1):
        np.testing.assert_allclose(q.asnumpy(), p.asnumpy(), rtol=1e-5, atol=1e-7)
    compiled.graph(x, t).verify()


def lenet():
    return nn.SequentialCell(
        nn.Conv2d(1, 4, 3, pad_mode="valid", has_bias=True),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Dense(4 * 3 * 3, 16),
        nn.ReLU(),
        nn.Dense(16, 3),
    )


def mlp():
    return nn.SequentialCell(nn.Dense(8, 16), nn.ReLU(), nn.Dense(16, 3))


@pytest.mark.parametrize(("make", "shape"), [(mlp, (12, 8)), (lenet, (6, 1, 8, 8))])
def test_graph_mode_training_equals_pynative_over_20_steps(make, shape):
    def losses(mode):
        ms.set_context(mode=mode)
        ms.set_seed(3)
        net = make()
        step = nn.TrainOneStepCell(
            nn.WithLossCell(net, nn.CrossEntropyLoss()),
            nn.Momentum(net.trainable_params(), 0.05, 0.9),
        )
        data = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
        labels = np.random.default_rng(2).integers(0, 3, shape[0])
        return [step(Tensor(data), Tensor(labels)).item() for _ in range(20)]

    eager, graph = losses(ms.PYNATIVE_MODE), losses(ms.GRAPH_MODE)
    np.testing.assert_allclose(graph, eager, rtol=1e-5)
    assert graph[-1] < graph[0]


def test_graph_mode_cell_compiles_construct_once():
    ms.set_context(mode=ms.GRAPH_MODE)
    net = mlp()
    x = a(5, 8)
    out = net(x)
    net(a(5, 8))
    assert net._graph_fn.compilations == 1
    ms.set_context(mode=ms.PYNATIVE_MODE)
    np.testing.assert_allclose(out.asnumpy(), net(x).asnumpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (lambda x: x if x.sum() > 0 else -x, "truth value of a tensor"),
        (lambda x: Tensor(x.asnumpy() + 1), "converting a tensor to numpy"),
        (lambda x: print(x) or x, "converting a tensor to numpy"),
        (lambda x: x * float(x.sum()), "a tensor's Python value"),
    ],
)
def test_value_dependent_python_names_the_users_line(body, what):
    with pytest.raises(GraphModeError) as info:
        ms.jit(body, fullgraph=True)(a(3))
    message = str(info.value)
    assert "test_jit.py:" in message and what in message and "jit" in message


def test_verifier_rejects_malformed_graphs():
    from mind.core import float32

    g = FuncGraph("bad")
    x = g.add_parameter(ShapedArray((2, 3), float32), "x")
    out = g.add_apply("relu", (x,), {}, ShapedArray((3, 2), float32))
    g.outputs = (out,)
    with pytest.raises(
        GraphError,
        match=r"%2 = relu\(\.\.\.\) is recorded as Float32\[3, 2\] but its inference gives Float32\[2, 3\]",
    ):
        g.verify()
    h = FuncGraph("early")
    y = h.add_parameter(ShapedArray((2,), float32), "y")
    later = h.add_apply("neg", (y,), {}, ShapedArray((2,), float32))
    h.nodes.insert(0, h.add_apply("neg", (later,), {}, ShapedArray((2,), float32)))
    h.nodes.pop()
    with pytest.raises(GraphError, match="before it is defined"):
        h.verify()


def test_tensors_inside_tuples_are_graph_inputs_and_optimizers_never_compile():
    @ms.jit
    def total(parts, scale):
        return (parts[0] + parts[1][0]) * scale

    one, two = a(3), a(3)
    out = total((one, [two]), 2.0)
    np.testing.assert_allclose(out.asnumpy(), (one.asnumpy() + two.asnumpy()) * 2.0, rtol=1e-6)
    other = total((a(3), [a(3)]), 2.0)  # new values, same signature: no recompile
    assert total.compilations == 1 and not np.allclose(other.asnumpy(), out.asnumpy())
    ms.set_context(mode=ms.GRAPH_MODE)
    net = mlp()
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.CrossEntropyLoss()), opt)
    x, t = a(4, 8), Tensor(np.array([0, 1, 2, 0]))
    for _ in range(3):
        step(x, t)
    assert "_graph_fn" not in opt.__dict__ and step._graph_step_fn.compilations == 1
    assert opt.global_step == 3


def test_a_momentum_training_step_is_one_graph_that_updates_in_place():
    ms.set_context(mode=ms.GRAPH_MODE)
    ms.set_seed(5)
    net = mlp()
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9, weight_decay=0.01, use_nesterov=True)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.CrossEntropyLoss()), opt)
    x, t = a(4, 8), Tensor(np.array([0, 1, 2, 0]))
    before = [p.asnumpy().copy() for p in net.trainable_params()]
    step(x, t)
    graph = step._graph_step_fn.graph(x, t)
    updates = [n for n in graph.nodes if n.prim == "apply_momentum"]
    assert len(updates) == len(before)  # one in-place ApplyMomentum per parameter
    weights = [p for p in graph.parameters if p.kind == "weight"]
    assert {p.name for p in weights} >= {f"moments.{q.name}" for q in net.trainable_params()}
    assert all(not np.array_equal(b, p.asnumpy()) for b, p in zip(before, net.trainable_params()))
    assert step.optimizer.global_step == 1


class _Seq(nn.Cell):
    """Sequence model -> last step -> classes."""

    def __init__(self, body):
        super().__init__()
        self.body, self.head = body, nn.Dense(8, 3)

    def construct(self, x):
        out = self.body(x)
        out = out[0] if isinstance(out, tuple) else out
        return self.head(out[-1])


class _Attn(nn.Cell):
    def __init__(self):
        super().__init__()
        self.attn, self.head = nn.MultiheadAttention(8, 2), nn.Dense(8, 3)

    def construct(self, x):
        return self.head(self.attn(x, x, x)[0][-1])


class _BnDrop(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(1, 4, 3, has_bias=False), nn.BatchNorm2d(4)
        self.drop, self.flat, self.fc = nn.Dropout(p=0.3), nn.Flatten(), nn.Dense(4 * 8 * 8, 3)

    def construct(self, x):
        return self.fc(self.drop(self.flat(nn.ReLU()(self.bn(self.conv(x))))))


class _Embed(nn.Cell):
    def __init__(self):
        super().__init__()
        self.emb, self.fc = nn.Embedding(10, 8), nn.Dense(8, 3)

    def construct(self, ids):
        return self.fc(self.emb(ids).mean(axis=1))


SEQ = (5, 6, 8)
NETWORKS = {
    "lstm": (lambda: _Seq(nn.LSTM(8, 8)), SEQ, np.float32),
    "gru": (lambda: _Seq(nn.GRU(8, 8, num_layers=2)), SEQ, np.float32),
    "attention": (_Attn, SEQ, np.float32),
    "transformer": (
        lambda: _Seq(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1)),
        SEQ,
        np.float32,
    ),
    "batchnorm_dropout": (_BnDrop, (6, 1, 8, 8), np.float32),
    "embedding": (_Embed, (6, 4), np.int64),
}


def network_losses(name, mode, device="cpu"):
    """20 Adam steps of network ``name`` in ``mode`` on ``device``: the losses, and the
    untrainable and all parameters afterwards (also used by the native device's tests)."""
    make, shape, dtype = NETWORKS[name]
    ms.set_context(mode=mode, device_target=device)
    try:
        ms.set_seed(11)
        net = make()
        net.set_train(True)
        step = nn.TrainOneStepCell(
            nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Adam(net.trainable_params(), 0.01)
        )
        data = np.random.default_rng(1)
        x = (
            data.integers(0, 10, shape)
            if dtype == np.int64
            else data.standard_normal(shape).astype(dtype)
        )
        labels = Tensor(np.random.default_rng(2).integers(0, 3, 6))
        out = [step(Tensor(x), labels).item() for _ in range(20)]
        stats = [p.asnumpy().copy() for p in net.untrainable_params()]
        return out, stats, [p.asnumpy().copy() for p in net.get_parameters()]
    finally:
        ms.set_context(device_target="cpu")


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_every_kind_of_network_trains_identically_in_graph_mode(name):
    (eager, eager_stats, _), (graph, graph_stats, _) = (
        network_losses(name, ms.PYNATIVE_MODE),
        network_losses(name, ms.GRAPH_MODE),
    )
    np.testing.assert_allclose(graph, eager, rtol=1e-5, atol=1e-6)
    for a_, b_ in zip(eager_stats, graph_stats):  # BatchNorm's running statistics, updated in-graph
        np.testing.assert_allclose(b_, a_, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "options",
    [{}, {"weight_decay": 0.01, "use_nesterov": True}, {"use_amsgrad": True, "loss_scale": 4.0}],
)
def test_an_adam_training_step_is_one_graph_equal_to_eager(options):
    x, t = a(6, 8), Tensor(np.array([0, 1, 2, 0, 1, 2]))

    def train(mode):
        ms.set_context(mode=mode)
        ms.set_seed(4)
        net = mlp()
        opt = nn.Adam(net.trainable_params(), 0.01, **options)
        step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.CrossEntropyLoss()), opt)
        losses = [step(x, t).item() for _ in range(20)]
        return step, opt, losses, [p.asnumpy().copy() for p in net.trainable_params()]

    _, _, eager_losses, eager_weights = train(ms.PYNATIVE_MODE)
    step, opt, graph_losses, graph_weights = train(ms.GRAPH_MODE)
    # The bias correction reads the step count as a graph input: 20 steps, one compilation.
    assert step._graph_step_fn.compilations == 1 and "_graph_grad_fn" not in step.__dict__
    assert opt.global_step == 20
    np.testing.assert_allclose(graph_losses, eager_losses, rtol=1e-5)
    for g, e in zip(graph_weights, eager_weights):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    ("optimizer", "lr"),
    [
        ("SGD", lambda: nn.CosineDecayLR(0.001, 0.1, 10)),
        ("Momentum", lambda: [0.1] * 5 + [0.05] * 5 + [0.01]),
        ("Momentum-nesterov", lambda: nn.WarmUpLR(0.1, 8)),
        ("Adam", lambda: nn.CosineDecayLR(0.0001, 0.01, 12)),
        ("AdamW", lambda: nn.CosineDecayLR(0.0001, 0.01, 12)),
        ("AdamW", lambda: 0.01),
        ("AdamWeightDecay", lambda: nn.CosineDecayLR(0.0001, 0.01, 12)),
        ("RMSProp", lambda: 0.01),
        ("Lamb", lambda: nn.WarmUpLR(0.01, 5)),
        ("RMSProp-centered", lambda: [0.01] * 6 + [0.005]),
    ],
)
def test_a_learning_rate_schedule_is_a_graph_input_of_the_compiled_step(optimizer, lr):
    x, t = a(6, 8), Tensor(np.array([0, 1, 2, 0, 1, 2]))

    def make(params):
        if optimizer == "SGD":
            return nn.SGD(params, lr(), momentum=0.9, weight_decay=0.01)
        if optimizer.startswith("Momentum"):
            return nn.Momentum(params, lr(), 0.9, use_nesterov=optimizer.endswith("nesterov"))
        if optimizer == "AdamW":
            return nn.AdamW(params, lr(), weight_decay=0.05)
        if optimizer == "AdamWeightDecay":
            return nn.AdamWeightDecay(params, lr(), weight_decay=0.05)
        if optimizer == "Lamb":
            return nn.Lamb(params, lr(), weight_decay=0.01)
        if optimizer.startswith("RMSProp"):
            return nn.RMSProp(
                params,
                lr(),
                momentum=0.5,
                centered=optimizer.endswith("centered"),
                weight_decay=0.01,
            )
        return nn.Adam(params, lr())

    def train(mode):
        ms.set_context(mode=mode)
        ms.set_seed(6)
        net = mlp()
        step = nn.TrainOneStepCell(
            nn.WithLossCell(net, nn.CrossEntropyLoss()), make(net.trainable_params())
        )
        losses = [step(x, t).item() for _ in range(20)]
        return step, losses, [p.asnumpy().copy() for p in net.trainable_params()]

    _, eager_losses, eager_weights = train(ms.PYNATIVE_MODE)
    step, graph_losses, graph_weights = train(ms.GRAPH_MODE)
    assert step._graph_step_fn.compilations == 1 and "_graph_grad_fn" not in step.__dict__
    np.testing.assert_allclose(graph_losses, eager_losses, rtol=1e-5)
    for g, e in zip(graph_weights, eager_weights):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)


def test_an_optimizer_that_reads_the_step_refuses_a_jit_that_would_freeze_it():
    net = mlp()
    opt = nn.Adam(net.trainable_params(), 0.01)
    grad_fn = ms.value_and_grad(nn.WithLossCell(net, nn.CrossEntropyLoss()), None, opt.parameters)

    @ms.jit
    def step(x, t):
        loss, grads = grad_fn(x, t)
        opt(grads)
        return loss

    with pytest.raises(GraphModeError, match="TrainOneStepCell") as info:
        step(a(6, 8), Tensor(np.array([0, 1, 2, 0, 1, 2])))
    assert "test_jit.py:" in str(info.value)


def test_a_dict_argument_passes_its_tensors_as_inputs_and_its_other_values_as_constants():
    def scaled(d, names):
        out = d["w"] * d["k"]
        for name in names:  # a dict's keys, known at compile time
            if name >= "b":
                out = out + d["b"]
        return out

    compiled = ms.jit(scaled)
    w, b = Tensor(np.array([1.0, -2.0])), Tensor(np.array([0.5, 3.0]))
    names = {"a": 1, "c": 2, "d": 3}
    for w_now in (w, w * 3):
        got = compiled({"w": w_now, "k": 2.0, "b": b}, names)
        np.testing.assert_array_equal(
            got.asnumpy(), scaled({"w": w_now, "k": 2.0, "b": b}, names).asnumpy()
        )
    assert compiled.compilations == 1  # new Tensor values, the same graph
    compiled({"w": w, "k": 3.0, "b": b}, names)
    assert compiled.compilations == 2  # a new constant
    grad = ms.grad(lambda w: compiled({"w": w, "k": 2.0, "b": w}, {"c": 0}).sum())(w)
    np.testing.assert_array_equal(grad.asnumpy(), [3.0, 3.0])


def test_mutable_numbers_are_graph_inputs_and_tensors_pass_as_they_are():
    compiled = ms.jit(lambda x, k: x * k)
    x = Tensor(np.array([1.0, 2.0]))
    for k in (2.0, 3.0, 5.0):
        np.testing.assert_array_equal(compiled(x, ms.mutable(k)).asnumpy(), [k, 2 * k])
    assert compiled.compilations == 1  # a Python number would compile once per value
    pair = (x, [x])
    assert ms.mutable(pair)[0] is x and ms.mutable(pair)[1][0] is x
    with pytest.raises(TypeError, match="'input_data' must be"):
        ms.mutable("text")
    with pytest.raises(ValueError, match="dynamic_len=True is not supported"):
        ms.mutable((x,), dynamic_len=True)


def test_lax_runs_what_a_graph_cannot_express_in_pynative_mode():
    # MindSpore's default jit_syntax_level, LAX: a value-sized op or a tensor's Python value
    # inside jit runs the function in PyNative mode (with a warning, once per input signature);
    # STRICT and fullgraph=True raise GraphModeError
    calls = []

    def f(x):
        calls.append(1)
        values = ops.unique(x)[0]
        return values * float(values.sum())

    x = Tensor(np.array([3, 1, 3, 2], np.int64))
    g = ms.jit(f)
    with pytest.warns(UserWarning, match="runs in PyNative mode .*ops.unique"):
        np.testing.assert_array_equal(g(x).asnumpy(), np.array([1, 2, 3]) * 6)
    calls.clear()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning, no second trace
        np.testing.assert_array_equal(g(x).asnumpy(), np.array([1, 2, 3]) * 6)
    assert len(calls) == 1  # the Python function ran once, eagerly
    grad = ms.grad(ms.jit(lambda v: (v * float(v.sum())).sum()))(Tensor([1.0, 2.0]))
    np.testing.assert_allclose(grad.asnumpy(), [3.0, 3.0])  # d/dv (v * c).sum(), c = 3 a constant
    with pytest.raises(GraphModeError, match="ops.unique"):
        ms.jit(f, fullgraph=True)(x)
    ms.set_context(jit_syntax_level=ms.STRICT)
    try:
        with pytest.raises(GraphModeError, match="ops.unique"):
            ms.jit(f)(x)
    finally:
        ms.set_context(jit_syntax_level=ms.LAX)
