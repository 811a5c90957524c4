"""Graph-kernel fusion: the pass's grouping, and fused kernels on cpu and native against the
unfused graph."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.autodiff.functional import grad_graph
from mind.core._src.compiler.fusion import graph_kernel_fusion
from mind.core._src.runtime.executor import Executable

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _defaults():
    yield
    ms.set_context(device_target="cpu", enable_graph_kernel=None, mode=ms.PYNATIVE_MODE)


def f32(*shape):
    return Tensor(RNG.standard_normal(shape).astype(np.float32))


def layer_norm_chain(a, b, c, g):
    y = ops.relu(a * b + c)
    m = y.mean(axis=-1, keep_dims=True)
    v = ((y - m) * (y - m)).mean(axis=-1, keep_dims=True)
    return (y - m) / ops.sqrt(v + 1e-5) * g


def mixed(x, y, k):
    mask = x > y
    z = ops.where(mask, ops.exp(x) - 1.0, ops.tanh(y) * 2.0)
    w = ops.cast(ops.cast(z * 10.0, ms.int32), ms.float32) + ops.sigmoid(x)
    return (
        w,
        (w * w + k).sum(axis=0),
        ops.maximum(x, y).max(axis=(0, 2), keepdims=True),
        (x - y).sum(),
    )


CASES = {
    "layer_norm_chain": (layer_norm_chain, lambda: (f32(8, 16), f32(8, 16), f32(8, 16), f32(16))),
    "mixed": (mixed, lambda: (f32(3, 4, 5), f32(4, 5), f32(5))),
}


def prims(graph):
    return [n.prim for n in graph.nodes]


def test_the_pass_groups_chains_and_is_off_unless_asked():
    fn, make = CASES["layer_norm_chain"]
    args = make()
    graph = ms.jit(fn).graph(*args)
    assert "fused" not in prims(graph)  # cpu, fusion not asked for
    fused = graph_kernel_fusion(graph, {"enable_graph_kernel": True})
    fused.verify()
    assert prims(fused).count("fused") == 4
    first = next(n for n in fused.nodes if n.prim == "fused")
    assert prims(first.attrs["graph"]) == ["mul", "add", "relu"]
    assert graph_kernel_fusion(graph, {}) is graph
    ms.set_context(enable_graph_kernel=True)
    assert "fused" in prims(ms.jit(fn).graph(*args))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("device", ["cpu", "native"])
def test_fused_kernels_compute_what_the_unfused_graph_does(name, device):
    fn, make = CASES[name]
    args = make()
    want = ms.jit(fn)(*args)
    ms.set_context(enable_graph_kernel=True, device_target=device)
    got = ms.jit(fn)(*args)
    for g, w in zip(
        got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)
    ):
        np.testing.assert_allclose(g.asnumpy(), w.asnumpy(), rtol=2e-5, atol=2e-5)


def test_a_fused_node_differentiates_like_its_chain():
    fn, make = CASES["layer_norm_chain"]
    args = make()
    graph = ms.jit(lambda *a: fn(*a).sum()).graph(*args)
    fused = graph_kernel_fusion(graph, {"enable_graph_kernel": True})
    assert "fused" in prims(fused)
    arrays = [a.asnumpy() for a in args]
    want = Executable(grad_graph(graph))(*arrays)
    got = Executable(grad_graph(fused))(*arrays)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_nothing_moves_past_an_in_place_update():
    w = ms.Parameter(Tensor(np.ones(3, np.float32)), name="w")

    def step(x):
        a = x * w  # reads w before the update
        ops.assign(w, w + 1.0)
        return ops.exp(a) + 1.0  # would read the updated w if 'a' joined this chain

    ms.set_context(enable_graph_kernel=True)
    out = ms.jit(step)(Tensor(np.ones(3, np.float32)))
    np.testing.assert_allclose(out.asnumpy(), np.exp(np.ones(3)) + 1.0, rtol=1e-6)


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_training_with_fusion_equals_without(device):
    def losses(fusion):
        ms.set_context(mode=ms.GRAPH_MODE, device_target=device, enable_graph_kernel=fusion)
        ms.set_seed(1)
        net = nn.SequentialCell(nn.Dense(8, 16), nn.GELU(), nn.Dense(16, 3))
        step = nn.TrainOneStepCell(
            nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Adam(net.trainable_params(), 0.01)
        )
        x = Tensor(np.random.default_rng(1).standard_normal((12, 8)).astype(np.float32))
        y = Tensor(np.random.default_rng(2).integers(0, 3, 12).astype(np.int32))
        out = [step(x, y).item() for _ in range(20)]
        (compiled,) = step.__dict__["_graph_step_fn"].cache.values()
        assert ("fused" in prims(compiled.graph)) == fusion
        return out

    np.testing.assert_allclose(losses(True), losses(False), rtol=1e-4)


def test_a_fused_graph_exports_to_onnx_as_its_ops(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    fn, make = CASES["layer_norm_chain"]
    args = make()
    ms.set_context(enable_graph_kernel=True)
    assert "fused" in prims(ms.jit(fn).graph(*args))
    ms.export(fn, *args, file_name=tmp_path / "chain", file_format="ONNX")
    session = ort.InferenceSession(str(tmp_path / "chain.onnx"))
    (got,) = session.run(None, {i.name: a.asnumpy() for i, a in zip(session.get_inputs(), args)})
    np.testing.assert_allclose(got, fn(*args).asnumpy(), rtol=1e-5, atol=1e-5)


UNARY = [ops.exp, ops.tanh, ops.relu, ops.sigmoid, ops.neg, ops.abs, lambda x: x * 0.5]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    ops.maximum,
    lambda a, b: ops.where(a > b, a, b),
]


def random_program(seed):
    """A chain of unary, broadcasting binary and reduction ops over inputs of random shapes
    (some axes 1, some leading axes missing), decided by ``seed``."""
    r = np.random.default_rng(seed)
    nd = int(r.integers(1, 4))
    shape = tuple(int(d) for d in r.integers(1, 6, nd))

    def broadcastable():
        return tuple(1 if r.random() < 0.4 else d for d in shape)[int(r.integers(0, nd)) :]

    steps = [
        (
            int(r.integers(0, 3)),
            int(r.integers(0, 7)),
            int(r.integers(0, 5)),
            int(r.integers(0, nd)),
        )
        for _ in range(int(r.integers(2, 7)))
    ]

    def program(a, b, c):
        x = a
        for kind, u, k, axis in steps:
            if kind == 0:
                x = UNARY[u](x)
            elif kind == 1:
                x = BINARY[k](x, (a, b, c)[(u + k) % 3])
            elif axis < x.ndim:
                x = x + (
                    x.mean(axis=axis, keep_dims=True) if k % 2 else x.max(axis=axis, keepdims=True)
                )
        return x, x.sum()

    inputs = [shape, broadcastable(), broadcastable()]
    return program, [Tensor(r.standard_normal(s).astype(np.float32)) for s in inputs]


@pytest.mark.parametrize("seed", range(12))
def test_random_elementwise_and_reduction_programs_agree_on_every_device(seed):
    program, args = random_program(seed)
    want = ms.jit(program)(*args)
    for device in ("cpu", "native"):
        ms.set_context(device_target=device, enable_graph_kernel=True)
        got = ms.jit(program)(*args)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g.asnumpy(), w.asnumpy(), rtol=1e-4, atol=1e-5)
