"""MindRT's executor: values written into reused buffers (``out=``) give the same numbers as fresh
ones, a view of a value keeps its buffer busy, and nothing handed back is overwritten later."""

import threading

import numpy as np

from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray
from mind.core._src.runtime.executor import Executable
from mind.core._src.tensor import dtype as dt

rng = np.random.default_rng(0)


def ap(g, prim, *inputs, **attrs):
    aval = PRIMITIVES[prim].infer(*(i.aval for i in inputs), **attrs)
    return g.add_apply(prim, inputs, attrs, aval)


def _view_graph():
    """a = exp(x) is only read through a reshape (a view of a's buffer) after b = x * x, a value of
    a's shape and dtype: had b taken a's buffer, the view would read b's numbers."""
    g = FuncGraph("views")
    x = g.add_parameter(ShapedArray((4, 8), dt.float32), "x")
    a = ap(g, "exp", x)
    flat = ap(g, "reshape", a, shape=(32,))
    b = ap(g, "mul", x, x)
    c = ap(g, "relu", ap(g, "sub", b, x))  # more values of that shape, to fill the pool
    out = ap(g, "add", flat, ap(g, "reshape", c, shape=(32,)))
    g.outputs = (out, ap(g, "tanh", c))
    return g


def _reference(x):
    c = np.maximum(x * x - x, 0)
    return np.exp(x).reshape(-1) + c.reshape(-1), np.tanh(c)


def test_reused_buffers_give_numpy_numbers_and_views_keep_theirs_busy():
    ex = Executable(_view_graph())
    assert ex.memory_plan.arena_bytes > 0  # the test exercises the reused buffers
    x = rng.standard_normal((4, 8)).astype(np.float32)
    for got, want in zip(ex(x), _reference(x)):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_results_survive_the_next_call():
    ex = Executable(_view_graph())
    x1, x2 = (rng.standard_normal((4, 8)).astype(np.float32) for _ in range(2))
    first = ex(x1)
    kept = [np.array(r, copy=True) for r in first]
    ex(x2)
    for r, k in zip(first, kept):
        np.testing.assert_array_equal(r, k)


def test_an_output_that_is_a_view_of_a_reusable_value_is_not_pooled():
    g = FuncGraph("escape")
    x = g.add_parameter(ShapedArray((3, 3), dt.float32), "x")
    g.outputs = (ap(g, "reshape", ap(g, "add", x, x), shape=(9,)),)
    ex = Executable(g)
    first = ex(np.ones((3, 3), np.float32))[0]
    ex(np.zeros((3, 3), np.float32))
    np.testing.assert_array_equal(first, np.full(9, 2.0, np.float32))


def test_concurrent_calls_get_their_own_numbers():
    ex = Executable(_view_graph())
    xs = [rng.standard_normal((4, 8)).astype(np.float32) for _ in range(8)]
    results: dict[int, tuple] = {}

    def work(i):
        for _ in range(50):
            results[i] = ex(xs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, x in enumerate(xs):
        for got, want in zip(results[i], _reference(x)):
            np.testing.assert_allclose(got, want, rtol=1e-6)
