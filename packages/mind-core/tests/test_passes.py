"""Compiler passes and the pass manager: each pass on small hand-built or traced graphs, checked by
node counts and by running the graph before and after on random inputs; the memory planner's
numbers worked out by hand; IR dumps, disabling passes, a broken pass named; jit after passes."""

import os

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.compiler import passes as P
from mind.core._src.compiler.manager import PassManager
from mind.core._src.ir.graph import FuncGraph, GraphError
from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray
from mind.core._src.plugins.manager import PluginManager, set_plugin_manager
from mind.core._src.runtime.executor import Executable
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindValueError
from mind.core.plugins import PassSpec, hookimpl
from mind.core.testing import isolated_plugins

rng = np.random.default_rng(0)
F32 = dt.float32


def param(g, *shape, dtype=F32, name=None):
    return g.add_parameter(ShapedArray(shape, dtype), name or f"p{len(g.parameters)}")


def ap(g, prim, *inputs, **attrs):
    """Apply ``prim``, its abstract value from the primitive's own inference."""
    aval = PRIMITIVES[prim].infer(*(i.aval for i in inputs), **attrs)
    return g.add_apply(prim, inputs, attrs, aval)


def const(g, value, dtype=np.float32):
    return g.add_constant(np.asarray(value, dtype))


def uniform(g, *shape, seed=None):
    return ap(g, "uniform", shape=shape, low=0.0, high=1.0, dtype="float32", seed=seed)


def random_inputs(graph):
    return [rng.standard_normal(p.aval.shape).astype(p.aval.dtype.np) for p in graph.parameters]


def assert_same_numbers(before, after, inputs=None):
    inputs = random_inputs(before) if inputs is None else inputs
    want, got = Executable(before)(*inputs), Executable(after)(*inputs)
    assert len(want) == len(got)
    for w, o in zip(want, got):
        assert np.asarray(o).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(o, w)


def prims(graph):
    return [n.prim for n in graph.nodes]


# ------------------------------------------------------------------------------------------------
# rebuild
# ------------------------------------------------------------------------------------------------


def test_passes_leave_their_input_alone_and_keep_node_ids():
    g = FuncGraph("g")
    x = param(g, 3)
    y = ap(g, "identity", x)
    z = ap(g, "relu", y)
    g.outputs = (z,)
    text = str(g)
    out = P.inline(g)
    assert str(g) == text and len(g.nodes) == 2
    assert prims(out) == ["relu"] and out.nodes[0].id == z.id and out.nodes[0].inputs[0].id == x.id
    assert out.parameters[0] is not x  # nothing is shared between the two graphs
    folded = P.constant_folding(_foldable())  # new nodes get ids no old node had
    assert min(c.id for c in folded.constants) > max(n.id for n in _foldable().all_nodes())


def test_rebuild_rejects_a_removed_node_that_is_still_used():
    g = FuncGraph("g")
    x = param(g, 3)
    y = ap(g, "relu", x)
    g.outputs = (ap(g, "neg", y),)
    with pytest.raises(GraphError, match=r"%2 is used but was removed"):
        P.rebuild(g, keep=lambda n: n.prim != "relu")


# ------------------------------------------------------------------------------------------------
# inline
# ------------------------------------------------------------------------------------------------


def test_inline_replaces_identity_by_its_input_everywhere():
    g = FuncGraph("g")
    x = param(g, 4, 3)
    a = ap(g, "identity", ap(g, "identity", x))
    b = ap(g, "mul", a, a)
    g.outputs = (ap(g, "add", b, ap(g, "identity", b)), a)
    out = P.inline(g)
    out.verify()
    assert prims(g).count("identity") == 3 and "identity" not in prims(out)
    assert len(out.nodes) == 2 and out.outputs[1] is out.parameters[0]
    assert_same_numbers(g, out)


# ------------------------------------------------------------------------------------------------
# dce
# ------------------------------------------------------------------------------------------------


def test_dce_removes_what_no_output_needs_but_keeps_random_ops():
    g = FuncGraph("g")
    x, w = param(g, 3), param(g, 3)
    dead = ap(g, "exp", ap(g, "mul", x, const(g, 2.0)))  # a dead chain and its constant
    ap(g, "neg", dead)
    uniform(g, 3)  # unused, but it advances the generator: kept
    live = ap(g, "add", x, w)
    g.outputs = (ap(g, "relu", live),)
    out = P.dce(g)
    out.verify()
    assert len(g.nodes) == 6 and prims(out) == ["uniform", "add", "relu"]
    assert out.constants == [] and len(out.parameters) == 2  # the signature never changes
    assert_same_numbers(g, out)


# ------------------------------------------------------------------------------------------------
# cse
# ------------------------------------------------------------------------------------------------


def test_cse_merges_identical_pure_applications():
    g = FuncGraph("g")
    x, y = param(g, 4, 3), param(g, 4, 3)
    s1, s2 = ap(g, "add", x, y), ap(g, "add", y, x)  # commutative: one value
    e1, e2 = ap(g, "exp", s1), ap(g, "exp", s2)
    t1, t2 = ap(g, "sub", x, y), ap(g, "sub", y, x)  # not commutative: two values
    m1 = ap(g, "mul", x, const(g, 2.0))
    m2 = ap(g, "mul", x, const(g, 2.0))  # equal constants merge first
    m3 = ap(g, "mul", x, const(g, 3.0))
    r1 = ap(g, "sum", x, axis=(0,), keepdims=False)
    r2 = ap(g, "sum", x, axis=(0,), keepdims=False)
    r3 = ap(g, "sum", x, axis=(1,), keepdims=False)
    total = ap(g, "add", ap(g, "mul", e1, e2), ap(g, "mul", t1, t2))
    total = ap(g, "add", total, ap(g, "add", m1, ap(g, "add", m2, m3)))
    g.outputs = (total, ap(g, "add", r1, r2), r3)
    out = P.cse(g)
    out.verify()
    assert len(g.nodes) == 19 and len(out.nodes) == 15
    assert prims(out).count("exp") == 1 and prims(out).count("sub") == 2
    assert len(out.constants) == 2
    assert_same_numbers(g, out)


def test_cse_compares_array_slice_and_tuple_attributes_by_value():
    g = FuncGraph("g")
    x = param(g, 5, 6)
    index = (slice(1, None, 2), np.array([0, 2, 5]))
    a = ap(g, "getitem", x, index=index)
    b = ap(g, "getitem", x, index=(slice(1, None, 2), np.array([0, 2, 5])))  # equal, new objects
    c = ap(g, "getitem", x, index=(slice(1, None, 2), np.array([0, 2, 4])))  # another array
    d = ap(g, "getitem", x, index=(slice(0, 4, 2), np.array([0, 2, 5])))  # another slice
    e = ap(g, "getitem", x, index=(slice(1, None, 2), np.array([0.0, 2.0, 5.0]).astype(int)))
    g.outputs = (ap(g, "add", ap(g, "add", a, b), ap(g, "add", c, ap(g, "add", d, e))),)
    out = P.cse(g)
    out.verify()
    assert prims(g).count("getitem") == 5 and prims(out).count("getitem") == 3
    assert_same_numbers(g, out)


def test_attribute_keys_tell_apart_what_differs():
    key = P._attr_key
    assert key(1) != key(1.0) != key(True)
    assert key(float("nan")) == key(float("nan")) and key(0.0) != key(-0.0)
    assert key(np.array([1, 2], np.int32)) != key(np.array([1, 2], np.int64))
    assert key(np.array([1, 2])) != key(np.array([[1, 2]]))
    assert key((1, [2, slice(None)])) == key((1, [2, slice(None)]))
    assert key((1, 2)) != key([1, 2])
    assert key({"a": np.arange(3)}) == key({"a": np.arange(3)})
    unhashable = object.__new__(type("Opaque", (), {"__hash__": None}))
    assert key(unhashable) == key(unhashable)


def test_cse_never_merges_random_ops():
    g = FuncGraph("g")
    a, b = uniform(g, 3), uniform(g, 3)
    c, d = uniform(g, 3, seed=1), uniform(g, 3, seed=1)  # equal even with equal seeds
    g.outputs = (ap(g, "sub", a, b), ap(g, "sub", c, d))
    out = P.cse(g)
    assert prims(out).count("uniform") == 4


def test_cse_does_not_make_two_outputs_one_array():
    g = FuncGraph("g")
    x = param(g, 3)
    a, b, c = ap(g, "exp", x), ap(g, "exp", x), ap(g, "exp", x)
    g.outputs = (a, b, ap(g, "neg", c))
    out = P.cse(g)
    out.verify()
    # c merges into a (internal); b is an output of its own, so it keeps its array
    assert prims(out) == ["exp", "exp", "neg"]
    assert out.outputs[0] is not out.outputs[1]
    assert_same_numbers(g, out)


# ------------------------------------------------------------------------------------------------
# constant folding
# ------------------------------------------------------------------------------------------------


def _foldable():
    g = FuncGraph("g")
    x = param(g, 2, 4)
    ones = ap(g, "broadcast_to", ap(g, "reshape", const(g, 1.0), shape=(1, 1)), shape=(2, 4))
    scale = ap(g, "exp", ap(g, "mul", const(g, [0.5, 1.0, 1.5, 2.0]), const(g, 2.0)))
    g.outputs = (ap(g, "add", ap(g, "mul", x, ones), scale),)
    return g


def test_constant_folding_folds_chains_of_constants():
    g = _foldable()
    out = P.constant_folding(g)
    out.verify()
    assert len(g.nodes) == 6 and prims(out) == ["mul", "add"]
    assert [c.value.shape for c in out.constants] == [(2, 4), (4,)]
    np.testing.assert_array_equal(out.constants[1].value, np.exp(np.float32([1, 2, 3, 4])))
    assert_same_numbers(g, out)


def test_constant_folding_never_folds_random_ops_or_outputs_and_respects_the_limit():
    g = FuncGraph("g")
    r = ap(g, "mul", uniform(g, 3), const(g, 2.0))  # its inputs are not all constants
    n = ap(g, "normal", shape=(3,), mean=0.0, stddev=1.0, dtype="float32", seed=7)
    big = ap(g, "broadcast_to", const(g, 1.0), shape=(1024, 512))  # 2 MiB
    out_const = ap(g, "neg", const(g, [1.0, 2.0, 3.0]))  # an output: a fresh array each call
    g.outputs = (ap(g, "add", r, n), ap(g, "sum", big), out_const)
    out = P.constant_folding(g)
    assert prims(out) == prims(g)
    small_limit = P.constant_folding(g, {"fold_limit_bytes": 1 << 22})
    assert "broadcast_to" not in prims(small_limit)
    assert len(small_limit.nodes) == len(g.nodes) - 1


def test_no_pass_hands_the_caller_an_input_or_a_graph_constant_through_a_view():
    g = FuncGraph("g")
    x = param(g, 2, 3)
    folded = ap(g, "sum", ap(g, "broadcast_to", const(g, 1.0), shape=(2, 3)), axis=(0,))
    g.outputs = (
        ap(g, "reshape", folded, shape=(3, 1)),  # a view of what would be a graph constant
        ap(g, "transpose", ap(g, "mul", x, const(g, 1.0)), perm=(1, 0)),  # a view of x*1
        ap(g, "reshape", ap(g, "exp", x), shape=(6,)),
        ap(g, "reshape", ap(g, "exp", x), shape=(6,)),  # equal, but two arrays for the caller
    )
    out = P.dce(P.cse(P.algebraic_simplify(P.constant_folding(g))))
    out.verify()
    assert prims(out) == prims(g)[1:]  # only the broadcast_to, which sum reads, folds
    first = Executable(out)(rng.standard_normal((2, 3)).astype(np.float32))
    first[0].fill(-1.0)  # the caller changes its outputs in place ...
    first[2].fill(-1.0)
    again = Executable(out)(np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(again[0], np.full((3, 1), 2.0, np.float32))  # ... harmlessly
    assert not np.shares_memory(again[2], again[3])


def test_constant_folding_leaves_a_failing_kernel_to_the_runtime():
    g = FuncGraph("g")
    x = param(g, 2)
    bad = ap(g, "getitem", const(g, [1.0, 2.0]), index=0)
    bad.attrs["index"] = 5  # out of range: inference was fooled, the kernel raises
    g.outputs = (ap(g, "add", x, bad),)
    out = P.constant_folding(g)
    assert prims(out) == ["getitem", "add"]


# ------------------------------------------------------------------------------------------------
# algebraic simplification
# ------------------------------------------------------------------------------------------------


def test_algebraic_simplify_applies_each_rule():
    g = FuncGraph("g")
    x = param(g, 2, 3)
    v = ap(g, "mul", ap(g, "relu", x), const(g, 1.0))  # x*1
    v = ap(g, "mul", const(g, np.ones((2, 3))), v)  # 1*x, a full-size ones constant
    v = ap(g, "add", v, const(g, 0.0))  # x+0
    v = ap(g, "add", const(g, 0.0), v)  # 0+x
    v = ap(g, "sub", v, const(g, 0.0))  # x-0
    v = ap(g, "div", v, const(g, 1.0))  # x/1
    v = ap(g, "reshape", v, shape=(2, 3))
    v = ap(g, "transpose", v, perm=(0, 1))
    v = ap(g, "cast", v, dtype="float32")
    v = ap(g, "broadcast_to", v, shape=(2, 3))
    v = ap(g, "neg", ap(g, "neg", v))
    g.outputs = (ap(g, "exp", v),)
    out = P.algebraic_simplify(g)
    out.verify()
    assert len(g.nodes) == 14 and prims(out) == ["relu", "neg", "exp"]  # the inner neg is dead
    out = P.dce(out)
    assert prims(out) == ["relu", "exp"]
    assert out.constants == []
    assert_same_numbers(g, out)


def test_algebraic_simplify_keeps_rewrites_that_would_change_shape_dtype_or_values():
    g = FuncGraph("g")
    x = param(g, 3)
    sq = param(g, 3, 3)
    i = param(g, 3, dtype=dt.int32)
    keep = [
        ap(g, "mul", x, const(g, np.ones((2, 3)))),  # broadcasts to (2, 3)
        ap(g, "mul", i, const(g, 1.0)),  # promotes int32 to float32
        ap(g, "div", i, const(g, 1, np.int32)),  # true division of ints gives floats
        ap(g, "transpose", sq, perm=(1, 0)),  # same shape, other values
        ap(g, "mul", x, const(g, [1.0, 1.0, 2.0])),  # not all ones
        ap(g, "sub", const(g, 0.0), x),  # 0-x is not x
        ap(g, "div", const(g, 1.0), x),  # nor is 1/x
        ap(g, "cast", x, dtype="float64"),
    ]
    g.outputs = (*(ap(g, "neg", k) for k in keep), ap(g, "neg", ap(g, "neg", ap(g, "exp", x))))
    out = P.dce(P.algebraic_simplify(g))
    out.verify()
    assert len(out.nodes) == len(g.nodes) - 2  # only neg(neg(exp(x))) -> exp(x)
    assert_same_numbers(g, out)


def test_algebraic_simplify_does_not_turn_an_output_into_an_input():
    g = FuncGraph("g")
    x = param(g, 3)
    g.outputs = (ap(g, "mul", x, const(g, 1.0)), ap(g, "add", ap(g, "neg", x), const(g, 0.0)))
    out = P.algebraic_simplify(g)
    # x*1 stays (it would hand out the caller's own array); neg(x)+0 -> neg(x) is fine
    assert prims(out) == ["mul", "neg"]
    assert_same_numbers(g, out)


# ------------------------------------------------------------------------------------------------
# Traced graphs, all passes
# ------------------------------------------------------------------------------------------------


def _unoptimised_jit(fn, *args):
    """The graph jit traces before any pass runs: the passes plugin is disabled."""
    manager = PluginManager(entry_points=False, disabled=("passes",))
    previous = set_plugin_manager(manager)
    try:
        return ms.jit(fn).graph(*args)
    finally:
        set_plugin_manager(previous)


def test_passes_on_a_traced_function_keep_its_numbers():
    def f(x, y):
        a = ops.relu(x * 1.0 + 0.0)
        b = ops.relu(x * 1.0 + 0.0)  # the same again: CSE
        unused = ops.exp(y)  # noqa: F841 - dead: DCE
        c = ops.reshape(ops.transpose(y, (0, 1)), (4, 3)) * (ops.ones((4, 3)) * 2.0)
        return a + b + c

    x, y = Tensor(rng.standard_normal((4, 3), np.float32)), Tensor(rng.standard_normal((4, 3)))
    y = Tensor(y.asnumpy().astype(np.float32))
    before = _unoptimised_jit(f, x, y)
    after = PassManager().run(before)
    assert len(after.nodes) < len(before.nodes)
    assert "exp" not in prims(after) and "transpose" not in prims(after)
    assert_same_numbers(before, after)
    np.testing.assert_allclose(ms.jit(f)(x, y).asnumpy(), f(x, y).asnumpy(), rtol=1e-6)


def test_jit_of_a_net_with_value_and_grad_matches_eager_with_fewer_nodes():
    net = nn.SequentialCell(nn.Dense(3, 8), nn.ReLU(), nn.Dense(8, 4))
    loss_fn = nn.CrossEntropyLoss()

    def loss(x, t):
        return loss_fn(net(x), t)

    x, t = Tensor(rng.standard_normal((6, 3)).astype(np.float32)), Tensor(np.arange(6) % 4)
    eager = ms.value_and_grad(loss, None, net.trainable_params())
    compiled = ms.jit(ms.value_and_grad(loss, None, net.trainable_params()))
    (v0, g0), (v1, g1) = eager(x, t), compiled(x, t)
    np.testing.assert_allclose(v1.asnumpy(), v0.asnumpy(), rtol=1e-6)
    for p, q in zip(g0, g1):
        np.testing.assert_allclose(q.asnumpy(), p.asnumpy(), rtol=1e-5, atol=1e-7)
    before = _unoptimised_jit(ms.value_and_grad(loss, None, net.trainable_params()), x, t)
    after = compiled.graph(x, t)
    after.verify()
    print(f"value_and_grad(Dense-ReLU-Dense, CE): {len(before.nodes)} -> {len(after.nodes)} nodes")
    assert len(after.nodes) < len(before.nodes)
    assert_same_numbers(
        before, after, [x.asnumpy(), t.asnumpy()] + [p.asnumpy() for p in net.trainable_params()]
    )
    plan = compiled.compile(x, t).memory_plan
    assert 0 < plan.peak_bytes <= plan.arena_bytes <= plan.naive_bytes


# ------------------------------------------------------------------------------------------------
# Memory plan
# ------------------------------------------------------------------------------------------------


def test_memory_plan_of_a_relu_chain_uses_two_blocks_in_turn():
    g = FuncGraph("chain")
    v = x = param(g, 1000)
    for _ in range(5):
        v = ap(g, "relu", v)
    g.outputs = (v,)
    plan = P.memory_plan(g)
    # 6 values of 4000 bytes (4032 aligned to 64); at every step one value is read while the next
    # is written
    assert plan.naive_bytes == 6 * 4032
    assert plan.peak_bytes == plan.arena_bytes == 2 * 4032
    assert [plan.offsets[n.id] for n in [x, *g.nodes]] == [0, 4032, 0, 4032, 0, 4032]
    spans = {v.node: (v.defined, v.last_use) for v in plan.values}
    assert spans[x.id] == (0, 0) and spans[g.nodes[-1].id] == (4, 4)
    assert "6 values in 8064 bytes (naive 24192, 67% saved)" in str(plan)


def test_memory_plan_keeps_outputs_and_constants_to_the_end_and_never_overlaps_live_values():
    g = FuncGraph("g")
    x = param(g, 100)  # 400 bytes
    c = const(g, np.ones(100))  # 400 bytes, held by the graph throughout
    a = ap(g, "mul", x, c)  # step 0, an output: lives to the end
    b = ap(g, "reshape", ap(g, "neg", a), shape=(10, 10))  # steps 1, 2
    wide = ap(g, "broadcast_to", b, shape=(3, 10, 10))  # step 3: 1200 bytes
    g.outputs = (a, ap(g, "sum", wide))  # step 4
    plan = P.memory_plan(g)
    life = {v.node: (v.defined, v.last_use, v.offset) for v in plan.values}
    assert life[c.id][:2] == (0, 4) and life[a.id][:2] == (0, 4) and life[x.id][:2] == (0, 0)
    assert plan.naive_bytes == 448 * 5 + 1216 + 64  # each aligned to 64 bytes
    # at step 3: c, a, reshape and broadcast live
    assert plan.peak_bytes == 448 * 3 + 1216
    # the neg takes the parameter's bytes, free after step 0
    assert life[g.nodes[1].id][2] == life[x.id][2]
    assert plan.peak_bytes <= plan.arena_bytes <= plan.naive_bytes
    for u in plan.values:  # no two values that overlap in time share a byte
        for w in plan.values:
            if (
                u.node < w.node
                and u.offset < w.offset + w.nbytes
                and w.offset < u.offset + u.nbytes
            ):
                assert u.last_use < w.defined or w.last_use < u.defined
        assert u.offset + u.nbytes <= plan.arena_bytes


# ------------------------------------------------------------------------------------------------
# Pass manager
# ------------------------------------------------------------------------------------------------


def test_builtin_passes_register_through_the_plugin_hook_in_order(_no_entry_points):
    names = [p.name for p in _no_entry_points.passes()]
    assert names == [
        "inline",
        "constant_folding",
        "algebraic_simplify",
        "cse",
        "graph_kernel_fusion",
        "dce",
    ]
    assert _no_entry_points.registry.providers[("pass", "cse")] == "passes"


def test_save_graphs_writes_one_file_per_pass(tmp_path):
    g = _foldable()
    ms.set_context(save_graphs=True, save_graphs_path=str(tmp_path / "ir"))
    try:
        manager = PassManager()
        out = manager.run(g)
    finally:
        ms.set_context(save_graphs=False, save_graphs_path=None)
    files = sorted(os.listdir(tmp_path / "ir"))
    assert files == [
        "00_inline.ir",
        "01_constant_folding.ir",
        "02_algebraic_simplify.ir",
        "03_cse.ir",
        "04_graph_kernel_fusion.ir",
        "05_dce.ir",
    ]
    assert (tmp_path / "ir" / "05_dce.ir").read_text() == str(out) + "\n"
    assert [r.name for r in manager.history] == [f[3:-3] for f in files]
    assert manager.history[1].nodes_before == 6 and manager.history[1].nodes_after == 2
    PassManager().run(g)  # the context is off again: nothing more is written
    assert len(os.listdir(tmp_path / "ir")) == 6


def test_options_turn_passes_off_and_on_by_name(tmp_path):
    g = _foldable()
    manager = PassManager(
        {"disable": ["constant_folding"], "save_graphs": 1, "save_graphs_path": tmp_path}
    )
    assert [p.name for p in manager.passes] == [
        "inline",
        "algebraic_simplify",
        "cse",
        "graph_kernel_fusion",
        "dce",
    ]
    assert len(manager.run(g).nodes) == len(g.nodes)
    assert sorted(os.listdir(tmp_path))[1] == "01_algebraic_simplify.ir"
    with pytest.raises(MindValueError, match=r"unknown passes \['csee'\]; known: \["):
        PassManager({"disable": ["csee"]})

    def off_by_default(graph, options):
        return graph

    extra = PassSpec("extra", off_by_default, enabled=False)
    assert "extra" not in [p.name for p in PassManager(passes=[extra]).passes]
    assert [p.name for p in PassManager({"enable": ["extra"]}, passes=[extra]).passes] == ["extra"]
    both = PassManager({"enable": ["extra"], "disable": ["extra"]}, passes=[extra])
    assert both.passes == ()


class _Broken:
    """A plugin whose pass drops a node that is still used."""

    @hookimpl
    def mind_register_passes(self):
        def drop_first(graph, options):
            return P.rebuild(graph, keep=lambda n: n is not graph.nodes[0])

        def explode(graph, options):
            raise RuntimeError("boom")

        def shrink_outputs(graph, options):
            out = P.rebuild(graph)
            out.outputs = out.outputs[:-1]
            return out

        yield PassSpec("drop_first", drop_first, priority=1)
        yield PassSpec("explode", explode, priority=2, enabled=False)
        yield PassSpec("shrink_outputs", shrink_outputs, priority=3, enabled=False)
        yield PassSpec("bad_use", _bad_use, priority=4, enabled=False)


def _bad_use(graph, options):
    """Returns a graph whose node uses a value defined after it (verify() catches it)."""
    out = P.rebuild(graph)
    out.nodes.reverse()
    return out


def test_a_broken_pass_is_reported_by_name():
    g = FuncGraph("g")
    x = param(g, 3)
    g.outputs = (ap(g, "neg", ap(g, "relu", x)), x)
    with isolated_plugins(_Broken()):
        with pytest.raises(GraphError, match=r"compiler pass 'drop_first' failed on graph g"):
            PassManager().run(g)
        with pytest.raises(GraphError, match=r"pass 'explode' failed .*RuntimeError: boom"):
            PassManager({"disable": ["drop_first"], "enable": ["explode"]}).run(g)
        with pytest.raises(GraphError, match=r"pass 'shrink_outputs' changed the signature"):
            PassManager({"disable": ["drop_first"], "enable": ["shrink_outputs"]}).run(g)
        with pytest.raises(GraphError, match=r"pass 'bad_use' produced a malformed graph"):
            PassManager({"disable": ["drop_first"], "enable": ["bad_use"]}).run(g)
        # jit runs the registered passes too, so a broken one stops compilation with its name
        with pytest.raises(GraphError, match="drop_first"):
            ms.jit(lambda t: ops.neg(ops.relu(t)))(Tensor(np.ones(3, np.float32)))


def test_every_builtin_pass_result_verifies_on_a_training_step_graph():
    net = nn.SequentialCell(nn.Dense(4, 6), nn.Tanh(), nn.Dense(6, 2))
    step = ms.value_and_grad(
        lambda x, t: nn.CrossEntropyLoss()(net(x), t), None, net.trainable_params()
    )
    x, t = Tensor(rng.standard_normal((5, 4)).astype(np.float32)), Tensor(np.arange(5) % 2)
    g = _unoptimised_jit(step, x, t)
    for run in (P.inline, P.constant_folding, P.algebraic_simplify, P.cse, P.dce):
        out = run(g)
        out.verify()
        assert len(out.outputs) == len(g.outputs)
        assert_same_numbers(
            g, out, [x.asnumpy(), t.asnumpy()] + [p.asnumpy() for p in net.trainable_params()]
        )
