"""CSRTensor against scipy.sparse: its dense form, products and sums, eagerly, inside jit, as a
loop carry, and the gradient with respect to its values."""

import numpy as np
import pytest
import scipy.sparse as sp

import mind.core as ms
from mind.core import CSRTensor, Tensor, nn


def random_csr(seed, shape=(5, 7), density=0.3):
    ref = sp.random(*shape, density=density, format="csr", random_state=seed, dtype=np.float64)
    ref.sort_indices()
    m = CSRTensor(
        Tensor(ref.indptr.astype(np.int32)),
        Tensor(ref.indices.astype(np.int32)),
        Tensor(ref.data),
        shape,
    )
    return m, ref


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_csr_tensor_matches_scipy_eagerly_and_compiled(seed):
    m, ref = random_csr(seed)
    b = np.random.default_rng(seed).normal(size=(7, 3))
    np.testing.assert_array_equal(m.to_dense().asnumpy(), ref.toarray())
    np.testing.assert_allclose(m.mm(Tensor(b)).asnumpy(), ref @ b, rtol=1e-12)
    np.testing.assert_allclose(m.mv(Tensor(b[:, 0])).asnumpy(), ref @ b[:, 0], rtol=1e-12)
    np.testing.assert_allclose(m.sum(1).asnumpy(), ref.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(m.sum(0).asnumpy(), ref.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.abs().astype(ms.float32).values.asnumpy(), np.abs(ref.data))
    compiled = ms.jit(lambda m, b: (m.mm(b), m.to_dense()))
    product, dense = compiled(m, Tensor(b))
    np.testing.assert_allclose(product.asnumpy(), ref @ b, rtol=1e-12)
    np.testing.assert_array_equal(dense.asnumpy(), ref.toarray())


def test_the_gradient_of_a_product_reaches_the_values():
    m, ref = random_csr(3)
    b = np.random.default_rng(3).normal(size=(7, 2))

    def loss(values):
        return (CSRTensor(m.indptr, m.indices, values, m.shape).mm(Tensor(b)) ** 2).sum()

    grad = ms.grad(loss)(m.values).asnumpy()
    rows = np.repeat(np.arange(5), np.diff(ref.indptr))
    expected = [2 * (ref @ b)[r] @ b[c] for r, c in zip(rows, ref.indices)]  # d/dv_k of sum(AB^2)
    np.testing.assert_allclose(grad, expected, rtol=1e-10)


class Shift(nn.Cell):
    def construct(self, x, y, z):
        while x < y:
            z = CSRTensor(z.indptr, z.indices, z.values + x, z.shape)
            x = x + 1
        return z


def test_a_csr_tensor_is_a_jit_argument_result_and_loop_carry():
    z = CSRTensor(Tensor([0, 1, 2], ms.int32), Tensor([0, 1], ms.int32), Tensor([1.0, 2.0]), (2, 4))
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        out = Shift()(Tensor(2.0), Tensor(4.0), z)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    assert isinstance(out, CSRTensor) and out.shape == (2, 4)
    np.testing.assert_array_equal(out.values.asnumpy(), [6.0, 7.0])  # + 2 + 3
    np.testing.assert_array_equal(out.indptr.asnumpy(), [0, 1, 2])


@pytest.mark.parametrize(
    ("indptr", "indices", "shape", "message"),
    [
        ([0, 1], [0, 1], (2, 4), "rows \\+ 1 = 3 entries"),
        ([0, 2, 1], [0, 1], (2, 4), "must rise from 0"),
        ([0, 1, 2], [0, 4], (2, 4), "columns in \\[0, 4\\)"),
        ([0, 1, 2], [0, 1], (2, 4, 1), "2 sizes"),
    ],
)
def test_a_malformed_csr_tensor_is_refused_naming_the_part(indptr, indices, shape, message):
    with pytest.raises(ValueError, match=message):
        CSRTensor(Tensor(indptr), Tensor(indices), Tensor([1.0, 2.0]), shape)
