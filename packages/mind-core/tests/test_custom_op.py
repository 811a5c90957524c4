"""ops.Custom: a user's op from a Python function ("pyfunc") or a C function ("aot"), in PyNative,
under grad (its bprop), jit, GRAPH_MODE, vmap and on the native device; numpy as the reference."""

import shutil

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.testing import check_grads

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)


def _bprop(a, b, out, dout):
    return dout * 2 * a, dout


def _square_add():
    return ops.Custom(
        lambda a, b: a * a + b, lambda a, b: a, lambda a, b: a, "pyfunc", bprop=_bprop
    )


@pytest.fixture(autouse=True)
def _cpu():
    ms.set_context(device_target="cpu", mode=ms.PYNATIVE_MODE)
    yield
    ms.set_context(device_target="cpu", mode=ms.PYNATIVE_MODE)


def test_pyfunc_forward_in_pynative_jit_and_vmap():
    op = _square_add()
    expected = A * A + B
    np.testing.assert_allclose(op(Tensor(A), Tensor(B)).asnumpy(), expected, rtol=1e-6)
    jitted = ms.jit(lambda a, b: op(a, b) * 2 + 1)
    np.testing.assert_allclose(jitted(Tensor(A), Tensor(B)).asnumpy(), expected * 2 + 1, rtol=1e-6)
    rows = ms.vmap(lambda a, b: op(a, b).sum())(Tensor(A), Tensor(B))
    np.testing.assert_allclose(rows.asnumpy(), expected.sum(axis=1), rtol=1e-5)


def test_pyfunc_gradient_is_the_bprop_and_matches_finite_differences():
    op = _square_add()
    ga, gb = ms.grad(lambda a, b: op(a, b).sum(), (0, 1))(Tensor(A), Tensor(B))
    np.testing.assert_allclose(ga.asnumpy(), 2 * A, rtol=1e-6)
    np.testing.assert_allclose(gb.asnumpy(), np.ones_like(B))
    check_grads(lambda a, b: op(a, b), (A.astype(np.float64), B.astype(np.float64)))
    jit_grad = ms.jit(ms.grad(lambda a, b: (op(a, b) * op(a, b)).sum()))
    np.testing.assert_allclose(
        jit_grad(Tensor(A), Tensor(B)).asnumpy(), 2 * (A * A + B) * 2 * A, rtol=1e-5
    )


def test_a_user_bprop_is_used_even_where_it_is_not_the_true_gradient():
    op = ops.Custom(
        lambda a: a * 3, lambda a: a, lambda a: a, "pyfunc", bprop=lambda a, out, dout: (dout * 7,)
    )
    g = ms.grad(lambda a: op(a).sum())(Tensor(A))
    np.testing.assert_allclose(g.asnumpy(), np.full_like(A, 7.0))


def test_without_a_bprop_the_gradient_is_a_clear_error():
    op = ops.Custom(lambda a: a * 3, lambda a: a, lambda a: a, "pyfunc")
    np.testing.assert_allclose(op(Tensor(A)).asnumpy(), A * 3, rtol=1e-6)
    with pytest.raises(MindValueError, match="no bprop"):
        ms.grad(lambda a: op(a).sum())(Tensor(A))


def test_several_outputs_run_the_function_once_per_call():
    calls = []

    def both(a):
        calls.append(1)
        return a + 1, (a * 2).astype(np.int32)

    op = ops.Custom(both, lambda a: (a, a), lambda a: (ms.float32, ms.int32), "pyfunc")
    x = np.arange(4, dtype=np.float32)
    first, second = op(Tensor(x))
    np.testing.assert_array_equal(first.asnumpy(), x + 1)
    assert second.dtype == ms.int32
    np.testing.assert_array_equal(second.asnumpy(), (x * 2).astype(np.int32))
    assert len(calls) == 1
    first, second = ms.jit(lambda a: op(a))(Tensor(x + 10))
    np.testing.assert_array_equal(first.asnumpy(), x + 11)
    np.testing.assert_array_equal(second.asnumpy(), ((x + 10) * 2).astype(np.int32))


def test_several_outputs_gradient_sums_each_outputs_share():
    def bprop(a, out, douts):
        return (douts[0] * 2 + douts[1] * 3,)

    op = ops.Custom(
        lambda a: (a * 2, a * 3), lambda a: (a, a), lambda a: (a, a), "pyfunc", bprop=bprop
    )
    g = ms.grad(lambda a: (op(a)[0] * 5 + op(a)[1]).sum())(Tensor(A))
    np.testing.assert_allclose(g.asnumpy(), np.full_like(A, 5 * 2 + 3))


def test_custom_inside_a_graph_mode_cell():
    op = _square_add()

    class Net(nn.Cell):
        def construct(self, a, b):
            return op(a, b) - b

    ms.set_context(mode=ms.GRAPH_MODE)
    np.testing.assert_allclose(Net()(Tensor(A), Tensor(B)).asnumpy(), A * A, rtol=1e-5)


AOT_SOURCE = """
#include <stdint.h>
int CustomScaleAdd(int nparam, void **params, int *ndims, int64_t **shapes,
                   const char **dtypes, void *stream, void *extra) {
  if (nparam != 3) return 1;
  const float *a = (const float *)params[0], *b = (const float *)params[1];
  float *out = (float *)params[2];
  int64_t n = 1;
  for (int i = 0; i < ndims[2]; i++) n *= shapes[2][i];
  for (int64_t i = 0; i < n; i++) out[i] = 2.0f * a[i] + b[i];
  return 0;
}
"""


def test_aot_compiles_a_c_source_and_runs_it_everywhere(tmp_path):
    source = tmp_path / "scale_add.c"
    source.write_text(AOT_SOURCE)
    op = ops.Custom(
        f"{source}:CustomScaleAdd",
        out_shape=lambda a, b: a,
        out_dtype=lambda a, b: a,
        func_type="aot",
        bprop=lambda a, b, out, dout: (dout * 2, dout),
    )
    expected = 2 * A + B
    np.testing.assert_allclose(op(Tensor(A), Tensor(B)).asnumpy(), expected, rtol=1e-6)
    ga = ms.grad(lambda a, b: op(a, b).sum())(Tensor(A), Tensor(B))
    np.testing.assert_allclose(ga.asnumpy(), np.full_like(A, 2.0))
    ms.set_context(device_target="native")
    jitted = ms.jit(lambda a, b: op(a, b) * 3 - 1)
    np.testing.assert_allclose(jitted(Tensor(A), Tensor(B)).asnumpy(), expected * 3 - 1, rtol=1e-5)


@pytest.mark.skipif(shutil.which("c++") is None, reason="no C++ compiler on this machine")
def test_aot_compiles_cplusplus_with_extern_c(tmp_path):
    source = tmp_path / "scale_add.cc"
    source.write_text('extern "C" {\n' + AOT_SOURCE + "\n}\n")
    op = ops.Custom(f"{source}:CustomScaleAdd", [3, 4], ms.float32, "aot")
    np.testing.assert_allclose(op(Tensor(A), Tensor(B)).asnumpy(), 2 * A + B, rtol=1e-6)


def test_aot_nonzero_return_and_bad_specs_are_clear_errors(tmp_path):
    source = tmp_path / "scale_add.c"
    source.write_text(AOT_SOURCE)
    op = ops.Custom(f"{source}:CustomScaleAdd", [3, 4], ms.float32, "aot")
    with pytest.raises(MindValueError, match="returned 1"):
        op(Tensor(A))  # two params only: the function refuses
    with pytest.raises(MindValueError, match="no such file"):
        ops.Custom(f"{tmp_path}/missing.c:f", [1], ms.float32, "aot")
    with pytest.raises(MindTypeError, match="path/to/file"):
        ops.Custom("no_function_here.c", [1], ms.float32, "aot")
    with pytest.raises(MindValueError, match="func_type"):
        ops.Custom(lambda a: a, [1], ms.float32, "julia")
    with pytest.raises(MindValueError, match="out_shape and out_dtype"):
        ops.Custom(lambda a: a, func_type="pyfunc")


def test_a_wrong_output_shape_names_the_op():
    op = ops.Custom(lambda a: a[:1], lambda a: a, lambda a: a, "pyfunc")
    with pytest.raises(MindValueError, match="output 0 has shape"):
        op(Tensor(A))


def test_registration_info_builders_record_what_they_are_given():
    info = (
        ops.CustomRegOp("add")
        .input(0, "a")
        .input(1, "b")
        .output(0, "y")
        .dtype_format(ops.DataType.F32_Default, ops.DataType.F32_Default, ops.DataType.F32_Default)
        .target("CPU")
        .get_op_info()
    )
    assert info["op_name"] == "add" and info["target"] == "CPU"
    assert [i["name"] for i in info["inputs"]] == ["a", "b"]
    assert info["dtype_format"] == [[["float32", "DefaultFormat"]] * 3]

    @ops.custom_info_register(info)
    def add(a, b):
        return a + b

    op = ops.Custom(add, lambda a, b: a, lambda a, b: a, "pyfunc")
    assert op.reg_info == [info]
    np.testing.assert_allclose(op(Tensor(A), Tensor(B)).asnumpy(), A + B, rtol=1e-6)


def test_no_outputs_runs_for_its_effect_also_in_graph_mode():
    seen = []
    op = ops.Custom(lambda a, b: seen.append(a + b), (), (), "pyfunc")
    assert op(Tensor(A), Tensor(B)) == ()

    class Net(nn.Cell):
        def construct(self, a, b):
            op(a, b)
            return a * 2

    ms.set_context(mode=ms.GRAPH_MODE)
    np.testing.assert_allclose(Net()(Tensor(B), Tensor(A)).asnumpy(), B * 2)
    assert len(seen) == 2
    np.testing.assert_allclose(seen[1], A + B, rtol=1e-6)


def test_a_scalar_output_and_a_one_element_shape_tuple():
    scalar = ops.Custom(lambda a, b: a - b, (), ms.int32, "pyfunc")
    out = scalar(Tensor(10), Tensor(4))
    assert out.shape == () and out.dtype == ms.int32 and int(out) == 6
    one = ops.Custom(lambda a: a * 2, ((3, 4),), (ms.float32,), "pyfunc")
    (doubled,) = one(Tensor(A))  # a tuple of one shape: a tuple of one output, as MindSpore
    np.testing.assert_allclose(doubled.asnumpy(), A * 2)


def test_aot_source_finds_headers_beside_it(tmp_path):
    (tmp_path / "scale.h").write_text("#define SCALE 2.0f\n")
    source = tmp_path / "with_header.c"
    source.write_text('#include "scale.h"\n' + AOT_SOURCE.replace("2.0f", "SCALE"))
    op = ops.Custom(f"{source}:CustomScaleAdd", [3, 4], ms.float32, "aot")
    np.testing.assert_allclose(op(Tensor(A), Tensor(B)).asnumpy(), 2 * A + B, rtol=1e-6)
