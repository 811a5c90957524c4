"""Attribute schemas (mind.core._src.ops.schema): every primitive with attributes has one, the
verifier checks graphs against them, and eager dispatch never consults them."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.ir.graph import FuncGraph, GraphError
from mind.core._src.jit import JitFunction
from mind.core._src.ops import schema as S
from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindValueError


def test_every_primitive_with_attributes_has_a_schema_naming_exactly_them():
    missing = sorted(p.name for p in PRIMITIVES.values() if p.attrs and p not in S.ATTR_SCHEMAS)
    assert missing == []
    for prim, schema in S.ATTR_SCHEMAS.items():
        assert set(schema) == set(prim.attrs), prim.name
        assert all(isinstance(c, S.Check) for c in schema.values()), prim.name
    # Keyed by the primitive object, and a schema that names other attributes is refused.
    assert S.ATTR_SCHEMAS[PRIMITIVES["conv2d"]]["groups"].describe() == "an int >= 1"
    with pytest.raises(MindValueError, match=r"schema of primitive 'conv2d' names \['pads'\]"):
        S.attr_schema(PRIMITIVES["conv2d"], pads=S.Ints(4, lo=0))


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (S.Bool(), [True, False, np.bool_(True)], [0, 1, None, "true"]),
        (S.Int(lo=1), [1, 7, np.int64(3)], [0, True, 1.0, "1", None, 2**63]),
        (S.Number(), [0, -1.5, np.float32(2)], [True, float("nan"), float("inf"), "1", None]),
        (
            S.Ints(4, lo=0),
            [(0, 1, 2, 3)],
            [(1, 1, 1), (1, 1, 1, 1, 1), (-1, 0, 0, 0), [0, 0, 0, 0]],
        ),
        (S.Ints(lo=0, unique=True), [(), (2, 0, 1)], [(0, 0), (True,), (1.0,)]),
        (S.Pairs(), [((0, 0), (1, 2))], [((0, 0, 0),), ((-1, 0),), [(0, 0)]]),
        (S.Str("none", "tanh"), ["tanh"], ["TANH", None, 0]),
        (S.AXES, [None, 1, (0, 2)], [[1], (1, 1), True]),
        (S.DType(), ["float32", dt.int8], ["float33", ["float32"], None]),
        (
            S.Index(),
            [1, slice(None, 2, 1), None, Ellipsis, (0, slice(1, None)), np.array([0, 1])],
            [slice(0, 2, 0), 1.5, "a", np.array([0.5]), ((0,),)],
        ),
    ],
)
def test_checks_accept_and_refuse(check, good, bad):
    assert all(check.ok(v) for v in good), [v for v in good if not check.ok(v)]
    assert not any(check.ok(v) for v in bad), [v for v in bad if check.ok(v)]


def test_check_node_names_arity_tuples_and_attributes():
    f32 = ShapedArray((1, 1, 4, 4), dt.float32)
    pool = PRIMITIVES["max_pool2d"]
    attrs = {"kernel": (2, 2), "stride": (2, 2), "pads": (0, 0, 0, 0)}
    assert S.check_node(pool, (f32,), attrs) is None
    assert S.check_node(PRIMITIVES["max_pool2d_grad"], (f32,), attrs) == "takes 2 inputs, got 1"
    assert "attribute 'pads' must be a tuple of 4 ints >= 0" in S.check_node(
        pool, (f32,), {**attrs, "pads": (0, 0, 0, 0, 0)}
    )
    assert S.check_node(pool, (f32,), {**attrs, "x": 1}).startswith("has an unknown attribute")
    assert S.check_node(PRIMITIVES["relu"], (f32,), {"alpha": 1}).startswith("takes no attributes")
    # A reduction's axis and keepdims have defaults in its kernel: they may be left out.
    assert S.check_node(PRIMITIVES["sum"], (f32,), {}) is None
    assert S.arity(PRIMITIVES["concat"])[1] is None  # *xs: any number of inputs
    assert S.arity(PRIMITIVES["max_pool2d_grad"]) == (2, 2)


def test_the_verifier_refuses_a_traced_graph_with_a_bad_attribute():
    ms.set_seed(0)
    net = nn.Conv2d(1, 2, 3, pad_mode="pad", padding=1)
    x = Tensor(np.ones((1, 1, 4, 4), np.float32))
    graph = JitFunction(net.construct, "conv").compile(x).graph
    graph.verify()
    (conv,) = [n for n in graph.nodes if n.prim == "conv2d"]
    conv.attrs["groups"] = True  # 1 to inference, but not an int
    with pytest.raises(GraphError, match=r"conv2d\(...\) attribute 'groups' must be an int >= 1"):
        graph.verify()


def test_nested_graphs_are_checked_too():
    inner = FuncGraph("inner")
    p = inner.add_parameter(ShapedArray((2,), dt.float32), "x")
    out = inner.add_apply(
        "sum", (p,), {"axis": (0,), "keepdims": "yes"}, ShapedArray((1,), dt.float32)
    )
    inner.outputs = (out,)
    with pytest.raises(GraphError, match=r"attribute 'keepdims' must be a bool, but got 'yes'"):
        inner.verify()


def test_eager_dispatch_never_consults_the_schemas(monkeypatch):
    calls = []
    real = S.check_node
    monkeypatch.setattr(S, "check_node", lambda *a: calls.append(a[0].name) or real(*a))
    x = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    y = ops.sum(ops.max_pool2d(ops.relu(x), 2, 2), 1, keepdim=True)
    np.testing.assert_array_equal(y.asnumpy(), [[[[5.0, 7.0], [13.0, 15.0]]]])
    assert calls == []
    # The verifier does go through it (so the patch above would have seen an eager call).
    g = FuncGraph("g")
    p = g.add_parameter(ShapedArray((2,), dt.float32), "x")
    g.outputs = (g.add_apply("relu", (p,), {}, ShapedArray((2,), dt.float32)),)
    g.verify()
    assert calls == ["relu"]
