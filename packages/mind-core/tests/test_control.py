"""Control flow on tensor values, eager and inside jit."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core._src.ir.trace import GraphModeError
from mind.core.errors import MindError, MindValueError
from mind.core.testing import check_grads


def branchy(x):
    return ops.cond(x.sum() > 0, lambda v: (v * 2, v.sum()), lambda v: (-v, v.mean()), x)


@pytest.mark.parametrize("values", [[1.0, -2.0], [3.0, 1.0]])
def test_cond_eager_and_jit_agree_and_differentiate(values):
    x = Tensor(values)
    for got, want in zip(ms.jit(branchy)(x), branchy(x)):
        np.testing.assert_allclose(got.asnumpy(), want.asnumpy())
    g_eager = ms.grad(lambda v: branchy(v)[0].sum())(x)
    g_jit = ms.jit(ms.grad(lambda v: branchy(v)[0].sum()))(x)
    np.testing.assert_allclose(g_jit.asnumpy(), g_eager.asnumpy())
    assert g_eager.asnumpy().tolist() == ([2.0, 2.0] if sum(values) > 0 else [-1.0, -1.0])


def test_cond_rejects_mismatched_branches():
    with pytest.raises(MindValueError, match="shapes"):
        ms.jit(lambda x: ops.cond(x.sum() > 0, lambda v: v, lambda v: v.sum(), x))(
            Tensor([1.0, 2.0])
        )


def test_fori_loop_and_scan_unroll_and_differentiate():
    check_grads(
        lambda x: ops.fori_loop(0, 3, lambda i, v: v * v + i, x), [np.array([0.7, -0.4])], order=2
    )
    c, ys = ops.scan(lambda carry, x: (carry + x, carry * x), Tensor(0.0), Tensor([1.0, 2.0, 3.0]))
    assert c.item() == 6.0 and ys.asnumpy().tolist() == [0.0, 2.0, 9.0]
    jit_scan = ms.jit(lambda xs: ops.scan(lambda carry, x: (carry + x, carry * x), Tensor(0.0), xs))
    c2, ys2 = jit_scan(Tensor([1.0, 2.0, 3.0]))
    assert c2.item() == 6.0 and ys2.asnumpy().tolist() == [0.0, 2.0, 9.0]
    _, rev = ops.scan(
        lambda carry, x: (carry + x, carry), Tensor(0.0), Tensor([1.0, 2.0, 3.0]), reverse=True
    )
    assert rev.asnumpy().tolist() == [5.0, 3.0, 0.0]


def test_while_loop_is_forward_only_and_refuses_jit_with_advice():
    assert ops.while_loop(lambda v: v < 10, lambda v: v * 2, Tensor(1.0)).item() == 16.0
    with pytest.raises(MindError, match="while_loop cannot be differentiated"):
        ms.grad(lambda x: ops.while_loop(lambda v: v < 10, lambda v: v * 2, x))(Tensor(1.0))
    with pytest.raises(
        GraphModeError, match=r"test_control.py:\d+: while_loop inside jit.*fori_loop"
    ):
        ms.jit(lambda x: ops.while_loop(lambda v: v < 10, lambda v: v * 2, x))(Tensor(1.0))
