"""Complex dtypes and ops.complex_ops: the dtypes, promotion and Tensor construction; each op
against numpy in PyNative and under jit (vmap for the primitives); gradients against finite
differences on the real and imaginary parts apart (check_grads), in MindSpore's and PyTorch's
convention (dL/dx + i dL/dy); the errors where Mind takes no complex input; the native device
refusing complex graphs."""

import warnings

import numpy as np
import pytest

import mind.core as ms
import mind.core.ops.operations as P
from mind.core import Tensor, ops
from mind.core.errors import MindTypeError, UnsupportedOnDeviceError
from mind.core.testing import check_grads

RNG = np.random.default_rng(5)
Z = (RNG.normal(size=(3, 4)) + 1j * RNG.normal(size=(3, 4))).astype(np.complex64)
W = (RNG.normal(size=(3, 4)) + 1j * RNG.normal(size=(3, 4))).astype(np.complex64)
RE, IM = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))


def _z(shape=(3, 4), dtype=np.complex128):
    return (RNG.normal(size=shape) + 1j * RNG.normal(size=shape)).astype(dtype)


# -- dtypes -----------------------------------------------------------------------------------


def test_dtypes_have_mindsporess_names_and_reprs():
    assert repr(ms.complex64) == "Complex64" and str(ms.complex128) == "Complex128"
    assert ms.common.dtype.complex64 is ms.complex64 and ms.dtype.complex128 is ms.complex128
    assert ms.complex64.is_complex and not ms.complex64.is_floating_point
    assert not ms.float32.is_complex
    assert ms.complex64.itemsize == 8 and ms.complex128.itemsize == 16
    assert ms.dtype.to_dtype("complex64") is ms.complex64
    assert ms.dtype.to_dtype(np.complex128) is ms.complex128
    assert ms.dtype.to_dtype(complex) is ms.complex128


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        ("float32", "complex64", "complex64"),
        ("float64", "complex64", "complex128"),
        ("float16", "complex64", "complex64"),
        ("int64", "complex64", "complex64"),
        ("bool", "complex128", "complex128"),
        ("complex64", "complex128", "complex128"),
        ("float32", "complex128", "complex128"),
    ],
)
def test_promotion(a, b, want):
    x, y = Tensor(np.ones(2, a)), Tensor(np.ones(2, b))
    assert (x + y).dtype is ms.dtype.to_dtype(want)
    assert (y * x).dtype is ms.dtype.to_dtype(want)


def test_python_scalars_are_weak():
    z64 = Tensor(Z)
    assert (z64 * 2.5).dtype is ms.complex64
    assert (z64 + 1).dtype is ms.complex64
    assert (Tensor([1.0, 2.0]) * 1j).dtype is ms.complex64
    assert (Tensor(np.ones(2)) * 1j).dtype is ms.complex128
    assert (Tensor([1, 2]) + 2j).dtype is ms.complex64
    np.testing.assert_allclose((Tensor([1.0, 2.0]) * 1j).asnumpy(), [1j, 2j])


def test_tensor_construction_repr_and_asnumpy():
    t = Tensor(Z)
    assert t.dtype is ms.complex64 and t.shape == (3, 4)
    np.testing.assert_array_equal(t.asnumpy(), Z)
    assert Tensor(1 + 2j).dtype is ms.complex128  # a Python complex, as in MindSpore
    assert Tensor(1 + 2j).item() == 1 + 2j
    assert Tensor([1j, 2]).dtype is ms.complex128
    assert Tensor([1.0, 2.0], ms.complex64).asnumpy().tolist() == [1 + 0j, 2 + 0j]
    assert "dtype=Complex64" in repr(Tensor(Z[0]))
    assert Tensor.from_numpy(Z).dtype is ms.complex64


def test_cast_keeps_the_real_part_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ops.cast(Tensor(Z), ms.float32)
    assert out.dtype is ms.float32
    np.testing.assert_array_equal(out.asnumpy(), Z.real)
    up = ops.cast(Tensor(RE), ms.complex128)
    np.testing.assert_array_equal(up.asnumpy(), RE.astype(np.complex128))
    assert ops.cast(Tensor(Z), ms.complex128).dtype is ms.complex128


def test_cast_gradients_both_ways():
    # real -> complex: the gradient of Re(w * x) w.r.t. real x is Re(w)
    check_grads(lambda x: ops.cast(x, ms.complex128) * Tensor(W.astype(np.complex128)), [RE])
    # complex -> real keeps the real part: its gradient is real
    check_grads(lambda z: ops.cast(z, ms.float64) * 3.0, [_z()])


# -- the ops against numpy --------------------------------------------------------------------

FORWARD = {
    "real": (ops.real, np.real),
    "imag": (ops.imag, np.imag),
    "conj": (ops.conj, np.conj),
    "angle": (ops.angle, np.angle),
    "abs": (ops.abs, np.abs),
    "view_as_real": (ops.view_as_real, lambda z: np.stack([z.real, z.imag], -1)),
}


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("name", sorted(FORWARD))
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_unary_ops_match_numpy(name, dtype, jit):
    fn, ref = FORWARD[name]
    z = Z.astype(dtype)
    out = (ms.jit(fn) if jit else fn)(Tensor(z))
    want = ref(z)
    assert out.dtype is ms.dtype.to_dtype(want.dtype), (out.dtype, want.dtype)
    np.testing.assert_allclose(out.asnumpy(), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("jit", [False, True])
def test_complex_and_polar_match_numpy(jit):
    run = ms.jit if jit else (lambda f: f)
    out = run(ops.complex)(Tensor(RE), Tensor(IM[0]))  # the two broadcast
    assert out.dtype is ms.complex128
    np.testing.assert_array_equal(out.asnumpy(), RE + 1j * IM[0])
    out = run(ops.complex)(Tensor(RE.astype(np.float32)), Tensor(IM.astype(np.float32)))
    assert out.dtype is ms.complex64
    r, theta = np.abs(RE), IM
    out = run(ops.polar)(Tensor(r), Tensor(theta))
    np.testing.assert_allclose(out.asnumpy(), r * np.exp(1j * theta), rtol=1e-12)


def test_complex_keeps_infinite_parts():
    out = ops.complex(Tensor([0.0, np.inf]), Tensor([np.inf, 0.0])).asnumpy()
    assert out[0].real == 0 and out[0].imag == np.inf
    assert out[1].real == np.inf and out[1].imag == 0


def test_real_inputs_as_mindspore_documents():
    x = Tensor(RE)
    assert ops.real(x) is x and ops.conj(x) is x
    np.testing.assert_array_equal(ops.imag(x).asnumpy(), np.zeros_like(RE))
    assert not ops.is_complex(x) and ops.is_complex(Tensor(Z))


def test_tensor_methods():
    t = Tensor(Z)
    np.testing.assert_array_equal(t.real().asnumpy(), Z.real)
    np.testing.assert_array_equal(t.imag().asnumpy(), Z.imag)
    np.testing.assert_array_equal(t.conj().asnumpy(), np.conj(Z))
    np.testing.assert_allclose(t.angle().asnumpy(), np.angle(Z), rtol=1e-6)
    assert t.is_complex() and not Tensor(RE).is_complex()


def test_primitive_classes():
    t = Tensor(Z)
    np.testing.assert_array_equal(P.Real()(t).asnumpy(), Z.real)
    np.testing.assert_array_equal(P.Imag()(t).asnumpy(), Z.imag)
    np.testing.assert_array_equal(P.Conj()(t).asnumpy(), np.conj(Z))
    np.testing.assert_allclose(P.Angle()(t).asnumpy(), np.angle(Z), rtol=1e-6)
    np.testing.assert_allclose(P.ComplexAbs()(t).asnumpy(), np.abs(Z), rtol=1e-6)
    out = P.Complex()(Tensor(RE), Tensor(IM))
    np.testing.assert_array_equal(out.asnumpy(), RE + 1j * IM)
    np.testing.assert_allclose(
        P.Polar()(Tensor(np.abs(RE)), Tensor(IM)).asnumpy(), np.abs(RE) * np.exp(1j * IM)
    )
    with pytest.raises(MindTypeError, match="ComplexAbs"):
        P.ComplexAbs()(Tensor(RE))


@pytest.mark.parametrize("name", ["real", "imag", "conj", "abs"])
def test_vmap_of_the_primitives(name):
    fn = FORWARD[name][0]
    out = ms.vmap(fn)(Tensor(Z))
    np.testing.assert_allclose(out.asnumpy(), FORWARD[name][1](Z), rtol=1e-6)
    out = ms.vmap(ops.complex, in_axes=(0, None))(Tensor(RE), Tensor(IM[0]))
    np.testing.assert_array_equal(out.asnumpy(), RE + 1j * IM[0])


ELEMENTWISE = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "pow": (ops.pow, np.power),
    "matmul": (lambda a, b: ops.matmul(a, b.T), lambda a, b: a @ b.T),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_binary_ops_compute_complex(name):
    fn, ref = ELEMENTWISE[name]
    for run in (fn, ms.jit(fn)):
        out = run(Tensor(Z), Tensor(W))
        assert out.dtype is ms.complex64
        np.testing.assert_allclose(out.asnumpy(), ref(Z, W), rtol=1e-5, atol=1e-6)


UNARY = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "rsqrt": lambda z: 1 / np.sqrt(z),
    "sin": np.sin,
    "cos": np.cos,
    "tanh": np.tanh,
    "tan": np.tan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "asinh": np.arcsinh,
    "atanh": np.arctanh,
    "expm1": np.expm1,
    "log1p": np.log1p,
    "log2": np.log2,
    "log10": np.log10,
    "neg": np.negative,
    "square": np.square,
    "reciprocal": np.reciprocal,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_math_computes_complex_and_differentiates(name):
    fn = getattr(ops, name)
    for run in (fn, ms.jit(fn)):
        out = run(Tensor(Z))
        assert out.dtype is ms.complex64
        np.testing.assert_allclose(out.asnumpy(), UNARY[name](Z), rtol=2e-5, atol=2e-6)
    check_grads(fn, [_z((5,))], rtol=1e-5, atol=1e-7)


def test_reductions_and_shape_ops_compute_complex():
    t = Tensor(Z)
    np.testing.assert_allclose(t.sum(axis=1).asnumpy(), Z.sum(1), rtol=1e-6)
    np.testing.assert_allclose(ops.mean(t).asnumpy(), Z.mean(), rtol=1e-6)
    np.testing.assert_array_equal(t.reshape(4, 3).asnumpy(), Z.reshape(4, 3))
    np.testing.assert_array_equal(t.transpose(1, 0).asnumpy(), Z.T)
    np.testing.assert_array_equal(ops.concat((t, t), 0).asnumpy(), np.concatenate([Z, Z]))
    np.testing.assert_array_equal(ops.flatten(t).asnumpy(), Z.reshape(3, 4))
    np.testing.assert_array_equal(t[1:, ::2].asnumpy(), Z[1:, ::2])
    padded = ops.pad(t, (1, 1))
    assert padded.dtype is ms.complex64
    np.testing.assert_array_equal(padded.asnumpy(), np.pad(Z, ((0, 0), (1, 1))))
    np.testing.assert_array_equal((t == t).asnumpy(), np.ones((3, 4), bool))


# -- gradients --------------------------------------------------------------------------------

GRADS = {
    "real": lambda z: ops.real(z),
    "imag": lambda z: ops.imag(z),
    "conj": lambda z: ops.conj(z),
    "abs": lambda z: ops.abs(z),
    "angle": lambda z: ops.angle(z),
    "view_as_real": lambda z: ops.view_as_real(z),
    "conj_mul": lambda z: ops.conj(z) * z * z,
    "div": lambda z: ops.real(z) / (z + 3.0),
    "abs_of_exp": lambda z: ops.abs(ops.exp(z)) * ops.imag(z),
    "matmul_sum": lambda z: ops.matmul(z, ops.conj(z).T).sum(),
    "cast_real": lambda z: ops.cast(z, ms.float64) * ops.imag(z),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_of_complex_inputs_match_finite_differences(name):
    check_grads(GRADS[name], [_z()], rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("jit", [False, True])
def test_gradients_of_real_inputs_through_complex(jit):
    def complex_then_abs(re, im):
        return ops.abs(ops.complex(re, im) * ops.complex(im, re))

    def polar_then_real(r, theta):
        return ops.real(ops.polar(r, theta) * Tensor(W.astype(np.complex128)))

    for fn in (complex_then_abs, polar_then_real):
        check_grads(ms.jit(fn) if jit else fn, [np.abs(RE) + 0.1, IM], rtol=1e-5, atol=1e-7)
    check_grads(lambda re, im: ops.complex(re, im) * 2j, [RE, IM])  # a complex output


def test_gradient_convention_is_mindsporess_and_pytorchs():
    # L = |z|^2 = x^2 + y^2: dL/dx + i dL/dy = 2x + 2iy = 2z (not its conjugate)
    z = _z((4,))
    got = ms.grad(lambda t: ops.real(t * ops.conj(t)).sum())(Tensor(z))
    np.testing.assert_allclose(got.asnumpy(), 2 * z, rtol=1e-12)
    # L = imag(z): the gradient is i
    got = ms.grad(lambda t: ops.imag(t).sum())(Tensor(z))
    np.testing.assert_allclose(got.asnumpy(), np.full(4, 1j))
    # under jit the same
    got = ms.grad(ms.jit(lambda t: ops.abs(t).sum()))(Tensor(z))
    np.testing.assert_allclose(got.asnumpy(), z / np.abs(z), rtol=1e-12)


def test_complex_parameter_takes_a_descending_sgd_step():
    w = ms.Parameter(Tensor(np.array([3 + 4j], np.complex128)), name="w")

    def loss():
        return ops.abs(w * 1.0).sum()

    g = ms.grad(loss, grad_position=None, weights=[w])()[0]
    before = float(loss().asnumpy())
    w.set_data(w - g * 0.1)
    assert float(loss().asnumpy()) < before


def test_a_complex_sensitivity_is_taken_as_mindspore_takes_it():
    # MindSpore's own Dense case (tests/st/ops/cpu/test_dense_op.py): y = x . w + b with
    # sensitivity v gives dx = v * conj(w), dw = v * conj(x), db = v.
    x = np.array([0.6 + 0.7j, 0.7 + 0.9j, 0.0 + 0.7j])
    w = np.array([0.2 + 0.1j, 0.8 + 0.4j, 0.9 + 0.7j])
    b, v = np.array(-0.5 + 0.6j), np.array(-1.3 - 0.1j)

    def dense(x, w, b):
        return (x * w).sum() + b

    grads = ms.ops.GradOperation(get_all=True, sens_param=True)(dense)
    dx, dw, db = grads(Tensor(x), Tensor(w), Tensor(b), Tensor(v))
    np.testing.assert_allclose(dx.asnumpy(), [-0.27 + 0.11j, -1.08 + 0.44j, -1.24 + 0.82j])
    np.testing.assert_allclose(dw.asnumpy(), [-0.85 + 0.85j, -1.0 + 1.1j, -0.07 + 0.91j])
    np.testing.assert_allclose(db.asnumpy(), v)


def test_vjp_takes_a_complex_cotangent_as_a_sensitivity():
    a, b, v = _z((4,)), _z((4,)), _z((4,))
    _, vjp_fn = ms.vjp(lambda x, y: x * y, Tensor(a), Tensor(b))
    da, db = vjp_fn(Tensor(v))
    np.testing.assert_allclose(da.asnumpy(), v * np.conj(b), rtol=1e-12)
    np.testing.assert_allclose(db.asnumpy(), v * np.conj(a), rtol=1e-12)


@pytest.mark.parametrize("adjoint", [False, True])
def test_matrix_solve_of_complex_matrices(adjoint):
    a, b = _z((2, 3, 3)), _z((2, 3, 2))
    want = np.linalg.solve(np.conj(np.swapaxes(a, -1, -2)) if adjoint else a, b)
    out = ops.matrix_solve(Tensor(a), Tensor(b), adjoint)
    assert out.dtype is ms.complex128
    np.testing.assert_allclose(out.asnumpy(), want, rtol=1e-10)
    check_grads(lambda a, b: ops.matrix_solve(a, b, adjoint), [a, b], rtol=1e-5, atol=1e-7)


def test_inverse_det_and_slogdet_of_complex_matrices():
    a = _z((2, 3, 3))
    np.testing.assert_allclose(ops.inverse(Tensor(a)).asnumpy(), np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(ops.det(Tensor(a)).asnumpy(), np.linalg.det(a), rtol=1e-10)
    sign, logabs = ops.slogdet(Tensor(a))
    want_sign, want_logabs = np.linalg.slogdet(a)
    np.testing.assert_allclose(sign.asnumpy(), want_sign, rtol=1e-10)
    np.testing.assert_allclose(logabs.asnumpy(), want_logabs, rtol=1e-10)
    assert logabs.dtype is ms.complex128  # as MindSpore: the input's dtype
    for fn in (ops.inverse, ops.det, lambda t: ops.slogdet(t)[1], lambda t: ops.slogdet(t)[0]):
        check_grads(fn, [a], rtol=1e-5, atol=1e-7)
    with pytest.raises(MindTypeError, match="cholesky"):
        ops.cholesky(Tensor(a))


def test_complex_linear_algebra_under_jit():
    a, b = _z((3, 3)), _z((3, 2))
    np.testing.assert_allclose(ms.jit(ops.inverse)(Tensor(a)).asnumpy(), np.linalg.inv(a))
    np.testing.assert_allclose(ms.jit(ops.det)(Tensor(a)).asnumpy(), np.linalg.det(a))
    sign, _ = ms.jit(ops.slogdet)(Tensor(a))
    np.testing.assert_allclose(sign.asnumpy(), np.linalg.slogdet(a)[0])
    out = ms.jit(ops.matrix_solve)(Tensor(a), Tensor(b))
    np.testing.assert_allclose(out.asnumpy(), np.linalg.solve(a, b))


@pytest.mark.parametrize("ord", [None, 1, float("inf")])
def test_norms_of_complex_vectors_are_real(ord):
    z = _z((6,))
    out = ops.norm(Tensor(z), ord)
    assert out.dtype is ms.float64
    np.testing.assert_allclose(out.asnumpy(), np.linalg.norm(z, ord), rtol=1e-12)
    check_grads(lambda t: ops.norm(t, ord), [z], rtol=1e-5, atol=1e-7)


# -- errors where Mind takes no complex -------------------------------------------------------


@pytest.mark.parametrize("name", ["floor", "round", "sigmoid", "erf", "acosh", "ceil"])
def test_real_only_ops_refuse_complex(name):
    with pytest.raises(MindTypeError, match=name):
        getattr(ops, name)(Tensor(Z))


def test_var_and_logsumexp_refuse_complex():
    with pytest.raises(MindTypeError, match="var"):
        ops.var(Tensor(Z))
    with pytest.raises(MindTypeError, match="logsumexp"):
        ops.logsumexp(Tensor(Z), 0)


def test_argument_errors():
    with pytest.raises(MindTypeError, match="angle"):
        ops.angle(Tensor(RE))
    with pytest.raises(MindTypeError, match="view_as_real"):
        ops.view_as_real(Tensor(RE))
    with pytest.raises(MindTypeError, match="one dtype"):
        ops.complex(Tensor(RE), Tensor(IM.astype(np.float32)))
    with pytest.raises(MindTypeError, match="float32 or float64"):
        ops.complex(Tensor([1, 2]), Tensor([3, 4]))
    with pytest.raises(MindTypeError, match="polar"):
        ops.polar(Tensor(RE), Tensor(IM.astype(np.float32)))
    with pytest.raises(MindTypeError, match="is_complex"):
        ops.is_complex(RE)


def test_ordering_complex_numbers_fails_in_graph_mode():
    with pytest.raises(MindTypeError, match="no order"):
        ms.jit(lambda a, b: a > b)(Tensor(Z), Tensor(W))


def test_native_device_refuses_complex_graphs():
    from mind.core import devices

    with pytest.raises(UnsupportedOnDeviceError, match="complex64"):
        devices.get_device("native").check(dtypes={"complex64"}, mode="graph")
    f = ms.jit(lambda z: ops.abs(z * z).sum())
    ms.set_context(device_target="native")
    try:
        with pytest.raises(UnsupportedOnDeviceError, match="complex64"):
            f(Tensor(Z))
    finally:
        ms.set_context(device_target="CPU")
