"""The primitives' traits hold up: every elementwise primitive is lowered by the native device
(or is one of its documented cpu fallbacks) and batched by vmap in one call exactly as per
example; no op-name sets outside the primitives' definitions."""

import re
from pathlib import Path

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor
from mind.core._src.devices.native.lower import CPU_FALLBACK, lower
from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ops.dispatch import PRIMITIVES, TRAITS, ShapedArray, bind
from mind.core._src.tensor import dtype as dt
from mind.core.testing.primitive_cases import FORWARD

ELEMENTWISE = sorted(n for n, p in PRIMITIVES.items() if "elementwise" in p.traits)


def test_traits_are_known_and_consistent():
    for name, prim in PRIMITIVES.items():
        assert prim.traits <= set(TRAITS), name
        if "fusable" in prim.traits:
            assert prim.traits & {"elementwise", "reduction"}, name
        if "commutative" in prim.traits:
            assert "elementwise" in prim.traits, name
    assert len(ELEMENTWISE) >= 45


def _graph(name):
    inputs, attrs, _ = FORWARD[name]
    graph = FuncGraph(name)
    params = [
        graph.add_parameter(
            ShapedArray(np.shape(a), dt.from_numpy_dtype(np.asarray(a).dtype)), f"x{i}"
        )
        for i, a in enumerate(inputs)
    ]
    aval = PRIMITIVES[name].infer(*(p.aval for p in params), **attrs)
    graph.outputs = (graph.add_apply(name, tuple(params), attrs, aval),)
    return graph


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_primitive_is_lowered_or_a_documented_fallback(name):
    assert name in FORWARD, f"{name} has no example case"
    fallback = lower(_graph(name)).fallback
    if PRIMITIVES[name] in CPU_FALLBACK:
        assert fallback == {name: 1}  # documented, and still true: drop it once lowered
    else:
        assert fallback == {}, f"{name} is elementwise but the native device does not lower it"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_primitive_batches_in_one_call_as_per_example(name):
    inputs, attrs, _ = FORWARD[name]
    prim = PRIMITIVES[name]
    batch = 3
    stacked = [np.stack([np.asarray(a)] * batch) for a in inputs]
    stacked[0] = stacked[0] * (1 + np.arange(batch).reshape((batch,) + (1,) * np.ndim(inputs[0])))
    stacked[0] = stacked[0].astype(np.asarray(inputs[0]).dtype)
    got = ms.vmap(lambda *ts: bind(prim, ts, attrs or None))(*map(Tensor, stacked)).asnumpy()
    want = np.stack([prim.cpu(*(s[i] for s in stacked), **attrs) for i in range(batch)])
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_no_sets_of_op_names_outside_the_definitions():
    # Traits live on the primitives and rules in tables keyed by them: the passes, vmap, the
    # executor and the native lowering read those, not lists or tuples of names.
    src = Path(ms.__file__).parent / "_src"
    name = r'"(?:add|mul|exp|sum|mean|assign|reshape|relu|uniform|matmul|conv2d|apply_momentum)"'
    pattern = re.compile(
        r"frozenset\(\s*\{[^}]*" + name + r"|^\w+ = \{[^}]*" + name + r"|in \([^)]*" + name, re.M
    )
    for path in (
        "compiler/fusion.py",
        "compiler/passes.py",
        "autodiff/vmap.py",
        "runtime/executor.py",
        "devices/native/lower.py",
        "devices/native/runtime.py",
    ):
        assert not pattern.search((src / path).read_text()), path
