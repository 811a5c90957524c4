"""Tracing and vmap interpret primitives per thread: other threads keep computing."""

import threading

import numpy as np

import mind.core as ms
from mind.core import Tensor, jit, ops, vmap
from mind.core._src.ir.trace import TraceValue, is_tracing
from mind.core._src.ops import dispatch
from mind.core._src.ops.dispatch import Primitive, ShapedArray


def _run(*targets):
    errors = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # surfaced by the test, not lost in the thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guard(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def test_eager_on_another_thread_while_one_traces_computes_real_values():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    @jit
    def f(x):
        y = x * 2.0 + 1.0
        inside.set()  # mid-trace: the other thread works now
        assert done.wait(30)
        return ops.relu(y)

    def tracer():
        seen["traced"] = f(Tensor(np.array([-3.0, 1.0], np.float32))).asnumpy()

    def eager():
        assert inside.wait(30)
        seen["tracing here"] = is_tracing()
        out = Tensor(np.array([1.0, 2.0], np.float32)) * 3
        seen["data"] = out._data
        seen["vmapped"] = vmap(lambda v: (v * v).sum())(Tensor(np.ones((4, 3)))).asnumpy()
        done.set()

    _run(tracer, eager)
    assert seen["tracing here"] is False
    assert isinstance(seen["data"], np.ndarray) and not isinstance(seen["data"], TraceValue)
    np.testing.assert_array_equal(seen["data"], [3.0, 6.0])
    np.testing.assert_array_equal(seen["vmapped"], [3.0, 3.0, 3.0, 3.0])
    np.testing.assert_array_equal(seen["traced"], [0.0, 3.0])
    assert dispatch.INTERPRETING == 0 and dispatch.interpreters() == []


def test_two_threads_tracing_at_once_each_compile_their_own_graph():
    barrier = threading.Barrier(2, timeout=30)
    results = {}

    def make(name, fn):
        compiled = jit(lambda x: fn(x, barrier))

        def run():
            x = Tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
            results[name] = (compiled(x).asnumpy(), compiled.graph(x))

        return run

    def square_sum(x, barrier):
        y = x * x
        barrier.wait()  # both traces are half done here
        return y.sum(axis=1)

    def shifted_max(x, barrier):
        y = x - 1.0
        barrier.wait()
        return ops.exp(y).max(axis=0)

    _run(make("a", square_sum), make("b", shifted_max))
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(results["a"][0], (x * x).sum(axis=1))
    np.testing.assert_allclose(results["b"][0], np.exp(x - 1.0).max(axis=0), rtol=1e-6)
    prims_a = {n.prim for n in results["a"][1].nodes}
    prims_b = {n.prim for n in results["b"][1].nodes}
    assert "mul" in prims_a and "exp" not in prims_a
    assert "exp" in prims_b and "mul" not in prims_b


def test_vmap_inside_jit_and_grad_still_compose():
    w = Tensor(np.array([1.0, -2.0, 0.5], np.float32))

    def loss(x):
        return (ops.tanh(x * w) ** 2).sum()

    per_example = jit(vmap(ms.grad(loss)))
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    got = per_example(Tensor(x)).asnumpy()
    t = np.tanh(x * w.asnumpy())
    np.testing.assert_allclose(got, 2 * t * (1 - t * t) * w.asnumpy(), rtol=1e-5)


def test_a_primitive_built_directly_binds_with_its_own_kernel():
    double = Primitive(
        "test_double",
        cpu=lambda x: x * 2,
        infer=lambda x: ShapedArray(x.shape, x.dtype),
        differentiable=False,
    )
    out = dispatch.bind1(double, Tensor(np.array([1.5, -1.0], np.float32)))
    np.testing.assert_array_equal(out.asnumpy(), [3.0, -2.0])
    assert "test_double" not in dispatch.PRIMITIVES
