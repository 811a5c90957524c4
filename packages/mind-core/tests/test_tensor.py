"""Tensor and Parameter: creation, dtypes and promotion, operators, indexing, memory sharing."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, ops
from mind.core.errors import MindTypeError, MindValueError, ShapeInferenceError


def test_python_data_gets_mindspore_default_dtypes():
    assert Tensor([1.0, 2.0]).dtype is ms.float32
    assert Tensor([1, 2]).dtype is ms.int64
    assert Tensor(True).dtype is ms.bool_
    assert Tensor(np.zeros(2, np.float64)).dtype is ms.float64  # numpy keeps its dtype
    assert Tensor([1, 2], ms.float16).dtype is ms.float16
    assert Tensor(np.zeros(2), dtype="int8").dtype is ms.int8


def test_bfloat16_round_trips_through_ml_dtypes():
    t = Tensor([1.5, -2.25], ms.bfloat16)
    assert t.dtype is ms.bfloat16 and repr(t.dtype) == "BFloat16"
    np.testing.assert_array_equal(t.asnumpy().astype(np.float32), [1.5, -2.25])


def test_unsupported_numpy_dtype_is_refused_by_name():
    with pytest.raises(MindTypeError, match="datetime64"):
        Tensor(np.zeros(2, "datetime64[s]"))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (ms.int32, ms.float16, ms.float16),
        (ms.uint8, ms.int8, ms.int16),
        (ms.int32, ms.int64, ms.int64),
        (ms.float16, ms.float32, ms.float32),
        (ms.float16, ms.bfloat16, ms.float32),
        (ms.bool_, ms.int8, ms.int8),
        (ms.bool_, ms.bool_, ms.bool_),
    ],
)
def test_tensor_tensor_promotion(a, b, expected):
    x = Tensor(np.ones(2), a) + Tensor(np.ones(2), b)
    assert x.dtype is expected


@pytest.mark.parametrize(
    ("dtype", "scalar", "expected"),
    [
        (ms.int32, 1, ms.int32),
        (ms.int32, 0.5, ms.float32),
        (ms.float16, 0.5, ms.float16),
        (ms.bool_, 1, ms.int64),
        (ms.uint8, 3, ms.uint8),
        (ms.float64, 2, ms.float64),
    ],
)
def test_python_scalars_are_weak(dtype, scalar, expected):
    assert (Tensor(np.ones(2), dtype) * scalar).dtype is expected
    assert (scalar * Tensor(np.ones(2), dtype)).dtype is expected


def test_operators_match_numpy():
    a = np.array([[1.5, -2.0, 3.0]], np.float32)
    b = np.array([[2.0], [4.0]], np.float32)
    x, y = Tensor(a), Tensor(b)
    for got, want in [
        (x + y, a + b),
        (x - y, a - b),
        (x * y, a * b),
        (x / y, a / b),
        (x**2, a**2),
        (-x, -a),
        (abs(x), np.abs(a)),
        (x // y, a // b),
        (x % y, a % b),
        (x.T @ y.T, a.T @ b.T),
        (2 - x, 2 - a),
        (1 / y, 1 / b),
    ]:
        np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)
    assert ((x > 0) & (x < 2)).asnumpy().tolist() == [[True, False, False]]
    assert (x == 1.5).dtype is ms.bool_


def test_broadcast_error_names_the_op_and_both_shapes():
    with pytest.raises(
        ShapeInferenceError,
        match=r"For 'add', 'input' shape \(3,\) and 'other' shape \(4,\) cannot be broadcast",
    ):
        Tensor(np.ones(3)) + Tensor(np.ones(4))


def test_matmul_error_names_the_mismatch():
    with pytest.raises(
        ShapeInferenceError,
        match=r"For 'matmul', 'input' shape \(2, 3\) has 3 columns but 'other' shape \(4, 5\) has 4 rows",
    ):
        ops.matmul(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 5))))


def test_indexing_get_and_set():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = Tensor(a)
    np.testing.assert_array_equal(t[1].asnumpy(), a[1])
    np.testing.assert_array_equal(t[:, 1:, ::2].asnumpy(), a[:, 1:, ::2])
    np.testing.assert_array_equal(t[..., -1].asnumpy(), a[..., -1])
    np.testing.assert_array_equal(t[None, 0].asnumpy(), a[None, 0])
    np.testing.assert_array_equal(t[t > 10].asnumpy(), a[a > 10])
    np.testing.assert_array_equal(t[Tensor([1, 0])].asnumpy(), a[[1, 0]])
    t[0, 0] = 100.0
    t[1, :, 0] = Tensor([7.0, 8.0, 9.0])
    a[0, 0] = 100.0
    a[1, :, 0] = [7.0, 8.0, 9.0]
    np.testing.assert_array_equal(t.asnumpy(), a)
    with pytest.raises(IndexError, match="For 'getitem'"):
        t[5]
    with pytest.raises(MindValueError, match="For 'setitem'"):
        t[0] = Tensor(np.ones(5, np.float32))


def test_setitem_under_grad_is_recorded_not_lost():
    def f(x):
        y = x * 1.0
        y[0] = x[1] * 3.0
        return y.sum()

    g = ms.grad(f)(Tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g.asnumpy(), [0.0, 4.0, 1.0])


def test_memory_sharing_is_as_documented():
    array = np.arange(3.0, dtype=np.float32)
    copied = Tensor(array)
    shared = Tensor.from_numpy(array)
    array[0] = 42.0
    assert copied.asnumpy()[0] == 0.0
    assert shared.asnumpy()[0] == 42.0
    view = shared.asnumpy()
    view[1] = -1.0
    assert shared.asnumpy()[1] == -1.0


def test_scalar_conversions_and_errors():
    t = Tensor([3.5])
    assert t.item() == 3.5 and float(t) == 3.5 and int(Tensor(4)) == 4 and bool(Tensor(1))
    with pytest.raises(MindValueError, match="ambiguous"):
        bool(Tensor([1, 2]))
    with pytest.raises(MindValueError, match="one element"):
        Tensor([1, 2]).item()
    assert len(Tensor(np.zeros((5, 2)))) == 5
    assert [r.shape for r in Tensor(np.zeros((3, 2)))] == [(2,), (2,), (2,)]


def test_repr_is_readable():
    text = repr(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert text.startswith("Tensor(shape=[2, 2], dtype=Float32, value=\n[[1., 2.],")
    p = Parameter(Tensor([1.0]), name="w")
    assert repr(p) == "Parameter(name=w, shape=[1], dtype=Float32, requires_grad=True)"


def test_methods_match_numpy():
    a = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    t = Tensor(a)
    np.testing.assert_allclose(t.sum().asnumpy(), a.sum(), rtol=1e-5)
    np.testing.assert_allclose(t.mean(axis=1).asnumpy(), a.mean(1), rtol=1e-5)
    np.testing.assert_allclose(t.max(axis=0).asnumpy(), a.max(0))
    np.testing.assert_allclose(t.min().asnumpy(), a.min())
    assert t.argmax(axis=1).asnumpy().tolist() == a.argmax(1).tolist()
    assert t.argmin().item() == a.argmin()
    np.testing.assert_allclose(t.std(axis=0).asnumpy(), a.std(0), rtol=1e-5)
    np.testing.assert_allclose(t.var(ddof=1).asnumpy(), a.var(ddof=1), rtol=1e-5)
    np.testing.assert_allclose(t.cumsum(axis=1).asnumpy(), a.cumsum(1), rtol=1e-5)
    assert t.reshape(2, 6).shape == (2, 6) and t.reshape((4, -1)).shape == (4, 3)
    assert t.transpose().shape == (4, 3) and t.T.shape == (4, 3)
    assert t.expand_dims(0).shape == (1, 3, 4) and t.expand_dims(0).squeeze(0).shape == (3, 4)
    assert t.flatten().shape == (12,)
    np.testing.assert_allclose(t.clip(-0.5, 0.5).asnumpy(), np.clip(a, -0.5, 0.5))
    np.testing.assert_allclose(t.abs().asnumpy(), np.abs(a))
    assert t.astype(ms.int32).dtype is ms.int32
    assert t.size == 12 and t.ndim == 2 and t.nbytes == 48


def test_parameter_is_a_named_trainable_tensor():
    p = Parameter(np.ones((2, 2), np.float32), name="w", requires_grad=False)
    assert isinstance(p, Tensor) and p.name == "w" and not p.requires_grad
    assert (p + 1).asnumpy().tolist() == [[2.0, 2.0], [2.0, 2.0]]
    p.set_data(Tensor(np.zeros(3, np.float32)))
    assert p.shape == (3,)
