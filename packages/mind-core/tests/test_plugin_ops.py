"""A primitive a plugin registers is a real op: PyNative, grad, jit, vmap, MindIR."""

import sys
import types

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindValueError
from mind.core.plugins import PrimitiveDef, hookimpl
from mind.core.testing import isolated_plugins


def _cube_bprop(x, out, dout):
    return (dout * 3.0 * x * x,)


@hookimpl
def mind_register_primitives():
    yield PrimitiveDef(
        name="test_cube",
        abstract_eval=lambda x: x,
        cpu_kernel=lambda x: x * x * x,
        bprop=_cube_bprop,
        doc="x ** 3",
    )


PLUGIN = types.ModuleType("test_cube_plugin")
PLUGIN.mind_register_primitives = mind_register_primitives


@pytest.fixture
def cube():
    with isolated_plugins(PLUGIN):
        yield ops.get_primitive("test_cube")
    from mind.core._src.ops import dispatch

    dispatch.install_kernels()  # back to the process's own plugins
    assert "test_cube" not in dispatch.PRIMITIVES


X = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]], np.float32)


def test_pynative_and_grad(cube):
    np.testing.assert_allclose(cube(Tensor(X)).asnumpy(), X**3, rtol=1e-6)
    g = ms.grad(lambda t: cube(t).sum())(Tensor(X)).asnumpy()
    np.testing.assert_allclose(g, 3 * X**2, rtol=1e-6)
    gg = ms.grad(lambda t: ms.grad(lambda u: cube(u).sum())(t).sum())(Tensor(X)).asnumpy()
    np.testing.assert_allclose(gg, 6 * X, rtol=1e-6)


def test_jit_records_it_and_runs_it(cube):
    f = ms.jit(lambda t: ms.grad(lambda u: (cube(u) + u).sum())(t))
    np.testing.assert_allclose(f(Tensor(X)).asnumpy(), 3 * X**2 + 1, rtol=1e-6)
    g = ms.jit(lambda t: cube(t) - t)
    np.testing.assert_allclose(g(Tensor(X)).asnumpy(), X**3 - X, rtol=1e-6)
    assert "test_cube" in {n.prim for n in g.graph(Tensor(X)).nodes}


def test_vmap_runs_it_per_example(cube):
    got = ms.vmap(lambda r: cube(r).sum())(Tensor(X)).asnumpy()
    np.testing.assert_allclose(got, (X**3).sum(axis=1), rtol=1e-6)
    per_sample = ms.jit(ms.vmap(ms.grad(lambda r: cube(r).sum())))(Tensor(X)).asnumpy()
    np.testing.assert_allclose(per_sample, 3 * X**2, rtol=1e-6)


def test_mindir_round_trip_with_the_plugin_op(cube, tmp_path):
    class Net(ms.nn.Cell):
        def construct(self, x):
            return cube(x) * 2.0

    ms.export(Net(), Tensor(X), file_name=str(tmp_path / "cube"), file_format="MINDIR")
    graph = ms.load(str(tmp_path / "cube.mindir"))
    np.testing.assert_allclose(ms.nn.GraphCell(graph)(Tensor(X)).asnumpy(), 2 * X**3, rtol=1e-6)


def test_an_unknown_primitive_is_named():
    with pytest.raises(MindValueError, match="no primitive is called 'test_nope'"):
        ops.get_primitive("test_nope")


def test_plugin_module_name_is_not_importable_by_accident():
    assert "test_cube_plugin" not in sys.modules


def test_on_native_it_runs_as_a_cpu_kernel_between_generated_code(cube):
    previous = ms.get_context("device_target")
    ms.set_context(device_target="native")
    try:
        f = ms.jit(lambda t: cube(t * 2.0) - t)
        np.testing.assert_allclose(f(Tensor(X)).asnumpy(), (2 * X) ** 3 - X, rtol=1e-5)
        g = ms.jit(ms.grad(lambda t: cube(t * 2.0).sum()))
        np.testing.assert_allclose(g(Tensor(X)).asnumpy(), 24 * X**2, rtol=1e-5)
    finally:
        ms.set_context(device_target=previous)
