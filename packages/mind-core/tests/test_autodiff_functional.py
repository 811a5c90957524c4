"""vjp, jvp, jacrev, jacfwd and the graph-to-graph gradient, against finite differences."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.autodiff.functional import grad_graph
from mind.core._src.runtime.executor import Executable
from mind.core.errors import MindTypeError, MindValueError


def numeric_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, np.float64)
    out = np.asarray(f(x))
    jac = np.zeros(out.shape + x.shape)
    for idx in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[idx] = eps
        jac[(...,) + idx] = (np.asarray(f(x + d)) - np.asarray(f(x - d))) / (2 * eps)
    return jac


def f(x):
    return (
        ops.tanh(ops.matmul(Tensor(np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])), x)) * 2
        + x[:2] ** 2
    )


def f_np(x):
    return f(Tensor(x)).asnumpy()


X = np.array([0.4, -0.7, 1.1])


@pytest.mark.parametrize("jac", [ms.jacrev, ms.jacfwd])
def test_jacobians_match_finite_differences_eager_and_jit(jac):
    want = numeric_jacobian(f_np, X)
    np.testing.assert_allclose(jac(f)(Tensor(X)).asnumpy(), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ms.jit(jac(f))(Tensor(X)).asnumpy(), want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("jac", [ms.jacrev, ms.jacfwd])
def test_jacobians_over_several_inputs_and_outputs_and_with_aux(jac):
    # MindSpore's structure: jac[i][j] is output i by input j (a tuple grad_position used to
    # raise TypeError); has_aux returns (jacobian, aux) (the aux used to be dropped)
    x, y, z = np.array([1.0, 2.0]), np.array([-0.5, 3.0]), np.array([0.7, 0.1])

    def net(x, y, z):
        return x**2 + y**2 + z**2, x * y * z

    got = jac(net, grad_position=(0, 1))(Tensor(x), Tensor(y), Tensor(z))
    for i in range(2):
        for j, arg in enumerate((x, y)):

            def out_i(v, i=i, j=j):
                args = [x, y, z]
                args[j] = v
                return net(*(Tensor(a) for a in args))[i].asnumpy()

            np.testing.assert_allclose(
                got[i][j].asnumpy(), numeric_jacobian(out_i, arg), rtol=1e-6, atol=1e-8
            )
    jacobian, aux = jac(lambda x: (ops.sin(x), x * 10), has_aux=True)(Tensor(x))
    np.testing.assert_allclose(jacobian.asnumpy(), np.diag(np.cos(x)), rtol=1e-12)
    np.testing.assert_allclose(aux.asnumpy(), x * 10)
    with pytest.raises(MindValueError, match="more than one output"):
        jac(ops.sin, has_aux=True)(Tensor(x))
    with pytest.raises(MindTypeError, match="'grad_position' must be an int"):
        jac(ops.sin, grad_position=(0.5,))


def test_vjp_and_jvp_are_the_jacobian_products():
    jac = numeric_jacobian(f_np, X)
    u, t = np.array([0.5, -1.5]), np.array([1.0, 2.0, -0.5])
    value, pullback = ms.vjp(f, Tensor(X))
    np.testing.assert_allclose(value.asnumpy(), f_np(X))
    (cot,) = pullback(Tensor(u))  # a tuple even for one input, as mindspore.vjp
    np.testing.assert_allclose(cot.asnumpy(), u @ jac, rtol=1e-6)
    value2, tangent_out = ms.jvp(f, (Tensor(X),), (Tensor(t),))
    np.testing.assert_allclose(tangent_out.asnumpy(), jac @ t, rtol=1e-6)
    with pytest.raises(
        MindValueError, match=r"cotangent's shape \(5,\) must be the output's \(2,\)"
    ):
        pullback(Tensor(np.ones(5)))


def test_vjp_with_aux_returns_the_aux_third_and_a_cotangent_per_input():
    y = np.array([2.0, -1.0, 0.5])

    def g(a, b):
        return a * b * 3.0, a.sum()

    value, pullback, aux = ms.vjp(g, Tensor(X), Tensor(y), has_aux=True)
    np.testing.assert_allclose(value.asnumpy(), X * y * 3.0)
    np.testing.assert_allclose(aux.asnumpy(), X.sum())
    u = np.array([1.0, 2.0, 3.0])
    da, db = pullback(Tensor(u))
    np.testing.assert_allclose(da.asnumpy(), u * y * 3.0)
    np.testing.assert_allclose(db.asnumpy(), u * X * 3.0)


def test_grad_graph_is_a_mindir_to_mindir_transform():
    net = nn.SequentialCell(nn.Dense(3, 4), nn.Tanh(), nn.Dense(4, 1))
    x = Tensor(np.random.default_rng(0).standard_normal((5, 3)))
    forward = ms.jit(lambda x: net(x).sum()).graph(Tensor(x.asnumpy().astype(np.float32)))
    backward = grad_graph(forward)
    assert len(backward.outputs) == 1 + len(forward.parameters)
    backward.verify()
    inputs = [x.asnumpy().astype(np.float32)] + [p.asnumpy() for p in net.trainable_params()]
    value, *grads = Executable(backward)(*inputs)
    eager_value, eager_grads = ms.value_and_grad(
        lambda x: net(x).sum(), None, net.trainable_params()
    )(Tensor(inputs[0]))
    np.testing.assert_allclose(value, eager_value.asnumpy(), rtol=1e-6)
    for got, want in zip(grads[1:], eager_grads):
        np.testing.assert_allclose(got, want.asnumpy(), rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------------------------------------
# GradOperation (ops.composite) and ParameterTuple
# ------------------------------------------------------------------------------------------------


def test_grad_operation_returns_what_mindspore_returns():
    from mind.core.ops.composite import GradOperation

    x, y = Tensor([1.0, 2.0]), Tensor([3.0, 5.0])

    def f(a, b):
        return (a * a * b).sum()

    np.testing.assert_allclose(GradOperation()(f)(x, y).asnumpy(), [6.0, 20.0])  # 2ab
    gx, gy = GradOperation(get_all=True)(f)(x, y)
    np.testing.assert_allclose(gy.asnumpy(), [1.0, 4.0])  # a^2
    # sens_param: the last input weighs the output (here elementwise, before the sum).
    sens = Tensor([10.0, 100.0])
    (sx, sy) = GradOperation(get_all=True, sens_param=True)(lambda a, b: a * a * b)(x, y, sens)
    np.testing.assert_allclose(sx.asnumpy(), [60.0, 2000.0])
    np.testing.assert_allclose(sy.asnumpy(), [10.0, 400.0])


def test_grad_operation_by_list_in_graph_mode_matches_pynative():
    from mind.core.ops.composite import GradOperation

    net = nn.Dense(3, 2)
    weights = ms.ParameterTuple(net.trainable_params())

    class GradNet(nn.Cell):
        def __init__(self):
            super().__init__()
            self.grad = GradOperation(get_all=True, get_by_list=True)

        def construct(self, x):
            return self.grad(net, weights)(x)

    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    (gx,), (gw, gb) = GradNet()(x)
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        (cx,), (cw, cb) = GradNet()(x)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    # d sum(x W^T + b): x's gradient is the column sums of W, W's the column sums of x
    np.testing.assert_allclose(gx.asnumpy(), np.tile(net.weight.asnumpy().sum(0), (2, 1)), 1e-6)
    np.testing.assert_allclose(gw.asnumpy(), np.tile(x.asnumpy().sum(0), (2, 1)))
    np.testing.assert_allclose(gb.asnumpy(), [2.0, 2.0])
    for a, b in ((gx, cx), (gw, cw), (gb, cb)):
        np.testing.assert_allclose(b.asnumpy(), a.asnumpy(), rtol=1e-6)


def test_parameter_tuple_clone_makes_renamed_slots():
    net = nn.Dense(3, 2)
    params = ms.ParameterTuple(net.trainable_params())
    moments = params.clone("moments", init="zeros")
    assert [p.name for p in moments] == ["moments.weight", "moments.bias"]
    assert all(not m.asnumpy().any() for m in moments)
    assert np.array_equal(params.clone("copy")[0].asnumpy(), net.weight.asnumpy())
    with pytest.raises(MindTypeError, match="element 0 is Tensor"):
        ms.ParameterTuple([Tensor([1.0])])


def test_grad_operation_by_list_of_no_weights_runs_the_function_and_returns_an_empty_tuple():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2

    from mind.core import ParameterTuple
    from mind.core.ops.composite import GradOperation

    grad_by_list = GradOperation(get_by_list=True)
    assert grad_by_list(f, ParameterTuple(()))(Tensor([1.0])) == ()
    assert calls == [1]


def test_vjp_and_jvp_of_a_function_returning_a_tuple():
    # MindSpore's vjp_fn takes one cotangent per output, and jvp gives one derivative per output
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.5, -1.0], [2.0, 1.5]])
    v1, v2 = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[3.0, 1.0], [1.0, 2.0]])

    def f(a, b):
        return 2 * a * b, b**3

    value, vjp_fn = ms.vjp(f, Tensor(x), Tensor(y))
    np.testing.assert_allclose(value[1].asnumpy(), y**3)
    gx, gy = vjp_fn(Tensor(v1), Tensor(v2))
    np.testing.assert_allclose(gx.asnumpy(), 2 * y * v1)
    np.testing.assert_allclose(gy.asnumpy(), 2 * x * v1 + 3 * y**2 * v2)
    gx2, _ = vjp_fn((Tensor(v1), Tensor(v2)))  # or as one tuple
    np.testing.assert_allclose(gx2.asnumpy(), gx.asnumpy())
    with pytest.raises(MindValueError, match="one cotangent per output"):
        vjp_fn(Tensor(v1))

    out, tangent = ms.jvp(f, (Tensor(x), Tensor(y)), (Tensor(v1), Tensor(v2)))
    assert isinstance(out, tuple) and isinstance(tangent, tuple) and len(tangent) == 2
    np.testing.assert_allclose(tangent[0].asnumpy(), 2 * v1 * y + 2 * x * v2)
    np.testing.assert_allclose(tangent[1].asnumpy(), 3 * y**2 * v2)
