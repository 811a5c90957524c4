"""Arguments MindSpore code passes are implemented or refused, never silently ignored."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import (
    GraphError,
    GraphModeError,
    MindTypeError,
    MindValueError,
    NativeBuildError,
)

X = Tensor(np.ones((2, 3), np.float32))


@pytest.mark.parametrize(
    "make",
    [
        lambda d: nn.Dense(3, 4, dtype=d),
        lambda d: nn.Conv2d(2, 3, 3, has_bias=True, dtype=d),
        lambda d: nn.Conv1d(2, 3, 3, has_bias=True, dtype=d),
        lambda d: nn.Conv2dTranspose(2, 3, 3, has_bias=True, dtype=d),
        lambda d: nn.BatchNorm2d(3, dtype=d),
        lambda d: nn.LayerNorm((3,), dtype=d),
        lambda d: nn.GroupNorm(1, 3, dtype=d),
    ],
)
def test_layer_dtype_is_the_parameters_dtype(make):
    layer = make(ms.float64)
    params = list(layer.get_parameters())
    assert params and all(p.dtype == ms.float64 for p in params)
    with pytest.raises(MindTypeError, match="'dtype' must be a float dtype"):
        make(ms.int32)


def test_dense_in_float64_computes_in_float64():
    out = nn.Dense(3, 2, dtype=ms.float64)(Tensor(np.ones((1, 3))))
    assert out.dtype == ms.float64


def test_nhwc_is_refused_with_the_fix():
    with pytest.raises(MindValueError, match="'data_format' must be 'NCHW'.*ops.transpose"):
        nn.Conv2d(2, 3, 3, data_format="NHWC")
    with pytest.raises(MindValueError, match="'data_format' must be 'NCHW'"):
        nn.BatchNorm2d(3, data_format="NHWC")


def test_embedding_use_one_hot_gives_the_lookup():
    ms.set_seed(0)
    a = nn.Embedding(7, 4)
    b = nn.Embedding(7, 4, use_one_hot=True)
    b.embedding_table.set_data(a.embedding_table)
    ids = Tensor(np.array([[0, 6], [3, 3]], np.int32))
    np.testing.assert_allclose(b(ids).asnumpy(), a(ids).asnumpy(), rtol=1e-6)
    with pytest.raises(MindTypeError, match="int32 or int64"):
        nn.Embedding(7, 4, dtype=ms.float32)


def test_jit_input_signature_is_enforced():
    f = ms.jit(lambda t: t * 2, input_signature=Tensor(np.zeros((2, 3), np.float32)))
    np.testing.assert_allclose(f(X).asnumpy(), 2 * X.asnumpy())
    with pytest.raises(MindValueError, match=r"argument 0 is float32\[3, 3\].*float32\[2, 3\]"):
        f(Tensor(np.zeros((3, 3), np.float32)))


def test_jit_hash_args_recompile_when_they_change():
    class Scale:  # a value the function reads from outside its arguments, hashed by its content
        def __init__(self, k):
            self.k = k

        def __hash__(self):
            return hash(self.k)

        def __eq__(self, other):
            return isinstance(other, Scale) and other.k == self.k

    scale = Scale(2.0)
    f = ms.jit(lambda t: t * scale.k, hash_args=scale)
    np.testing.assert_allclose(f(X).asnumpy(), 2 * X.asnumpy())
    f(X)
    assert f.compilations == 1
    scale.k = 3.0  # without hash_args the cached graph would keep multiplying by 2
    np.testing.assert_allclose(f(X).asnumpy(), 3 * X.asnumpy())
    assert f.compilations == 2


def test_jit_compile_once_shares_the_cache():
    def body(t):
        return ops.exp(t)

    first = ms.jit(body, compile_once=True)
    first(X)
    again = ms.jit(body, compile_once=True)
    again(X)
    assert first.compilations == 1 and again.compilations == 0 and again.cache is first.cache


def test_jit_modes_and_config():
    # PIJit (bytecode capture) is taken as capture_mode="ast"; "trace" traces as written.
    assert ms.jit(lambda t: t, mode="PIJit").capture_mode == "ast"
    assert ms.jit(lambda t: t, capture_mode="trace").capture_mode == "trace"
    for bad, match in [
        ({"capture_mode": "graph"}, "'capture_mode' must be"),
        ({"jit_level": "O3"}, "'jit_level' must be"),
        ({"dynamic": 1}, "'dynamic' must be 0"),
        ({"backend": "GE"}, "'backend' must be"),
    ]:
        with pytest.raises(MindValueError, match=match):
            ms.jit(lambda t: t, **bad)
    with pytest.raises(MindValueError, match="'mode' must be"):
        ms.jit(lambda t: t, mode="fast")
    with pytest.raises(MindValueError, match="'jit_config' is not supported"):
        ms.jit(lambda t: t, jit_config={"jit_level": "O2"})


def test_context_jit_level_sets_the_default_compilation_level():
    from mind.core._src.context import _CONTEXT

    def prims(fn):
        fn(X)
        return [n.prim for n in fn.compile(X).graph.nodes]

    body = lambda t: ops.exp(ops.sin(t) * 2 + 1)  # noqa: E731
    try:
        assert prims(ms.jit(body)) == ["sin", "mul", "add", "exp"]  # cpu: no fusion by default
        ms.set_context(jit_level="O1")
        assert prims(ms.jit(body)) == ["fused"]
        assert prims(ms.jit(body, jit_level="O0")) == ["sin", "mul", "add", "exp"]  # jit's wins
        ms.set_context(jit_config={"jit_level": "O0"})  # MindSpore's older spelling
        assert ms.get_context("jit_level") == "O0"
        assert prims(ms.jit(body)) == ["sin", "mul", "add", "exp"]
        with pytest.raises(MindValueError, match="'jit_level' must be 'O0', 'O1' or 'O2'"):
            ms.set_context(jit_level="O3")
        with pytest.raises(MindTypeError, match="'jit_config' must be a dict"):
            ms.set_context(jit_config="O1")
    finally:
        _CONTEXT.pop("jit_level", None)
        _CONTEXT.pop("jit_config", None)


def test_documented_errors_are_importable_from_errors():
    assert issubclass(GraphModeError, ms.errors.MindError if hasattr(ms, "errors") else Exception)
    with pytest.raises(GraphModeError):
        ms.jit(lambda t: t * 2 if bool(t.sum() > 0) else t, fullgraph=True)(X)
    assert GraphError.__module__ == NativeBuildError.__module__ == "mind.core.errors"
