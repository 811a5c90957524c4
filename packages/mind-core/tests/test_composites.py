"""MindSpore's MultitypeFuncGraph, partial/Partial, Depend, InsertGradientOf and the
PrimitiveWithInfer base: dispatch by argument types, as optimizers use them with HyperMap."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, ops
from mind.core.errors import MindTypeError
from mind.core.ops import composite as C
from mind.core.ops import operations as P


def _scale():
    scale = C.MultitypeFuncGraph("scale")

    @scale.register("Number", "Tensor")
    def _number(k, x):
        return x * k

    @scale.register("Int", "Tensor")
    def _int(k, x):  # more specific than Number: wins for an int
        return x * k + 1000

    @scale.register("Tensor", "Tensor")
    def _tensor(k, x):
        return x * k - 1

    @scale.register("Tensor", "Tuple")
    def _tuple(k, xs):
        return tuple(x + k for x in xs)

    return scale


def test_dispatch_picks_the_most_specific_registration():
    scale, x = _scale(), Tensor(np.array([1.0, 2.0], np.float32))
    np.testing.assert_allclose(scale(2.5, x).asnumpy(), [2.5, 5.0])
    np.testing.assert_allclose(scale(2, x).asnumpy(), [1002.0, 1004.0])
    np.testing.assert_allclose(scale(Tensor(3.0), x).asnumpy(), [2.0, 5.0])
    out = scale(Tensor(1.0), (x, x * 2))
    np.testing.assert_allclose(out[1].asnumpy(), [3.0, 5.0])
    with pytest.raises(MindTypeError, match="no function is registered for arguments"):
        scale("text", x)
    with pytest.raises(MindTypeError, match="unknown type names"):
        scale.register("Tensr")


def test_an_optimizer_step_written_as_mindspore_writes_them():
    update = C.MultitypeFuncGraph("sgd_update")

    @update.register("Tensor", "Tensor", "Tensor")
    def _step(lr, weight, gradient):
        ops.assign(weight, weight - lr * gradient)
        return weight

    weights = (Parameter(Tensor(np.ones(2, np.float32)), "a"), Parameter(Tensor([3.0]), "b"))
    grads = (Tensor(np.array([0.5, 1.0], np.float32)), Tensor([2.0]))
    C.HyperMap()(ops.partial(update, Tensor(0.1)), weights, grads)
    np.testing.assert_allclose(weights[0].asnumpy(), [0.95, 0.9], rtol=1e-6)
    np.testing.assert_allclose(weights[1].asnumpy(), [2.8], rtol=1e-6)
    jitted = ms.jit(lambda ws, gs: C.HyperMap()(P.Partial()(update, Tensor(0.1)), ws, gs))
    jitted(weights, grads)
    np.testing.assert_allclose(weights[0].asnumpy(), [0.9, 0.8], rtol=1e-6)


def test_insert_gradient_of_replaces_the_gradient_in_pynative_and_jit():
    clip = ops.InsertGradientOf(lambda g: ops.clip_by_value(g, -0.5, 0.5))
    x = Tensor(np.array([1.0, -2.0, 0.1], np.float32))

    def f(x):
        return (clip(x) * np.array([3.0, 3.0, 0.2], np.float32)).sum()

    want = np.clip([3.0, 3.0, 0.2], -0.5, 0.5)
    np.testing.assert_allclose(ms.grad(f)(x).asnumpy(), want, rtol=1e-6)
    np.testing.assert_allclose(ms.jit(ms.grad(f))(x).asnumpy(), want, rtol=1e-6)
    np.testing.assert_allclose(clip(x).asnumpy(), x.asnumpy())
    with pytest.raises(MindTypeError, match="callable"):
        ops.InsertGradientOf(3)


def test_depend_returns_its_value():
    a, b = Tensor([1.0]), Tensor([2.0])
    assert P.Depend()(a, b) is a
    np.testing.assert_allclose(ms.jit(lambda a, b: P.Depend()(a * 2, b + 1))(a, b).asnumpy(), [2.0])


def test_primitive_with_infer_subclasses_run_their_own_call():
    class Doubler(P.PrimitiveWithInfer):
        def __init__(self):
            super().__init__("Doubler")
            self.init_prim_io_names(inputs=["x"], outputs=["y"])

        def __call__(self, x):
            return x * 2

    op = Doubler()
    assert op.name == "Doubler" and op.attrs["input_names"] == ["x"]
    assert op.infer_shape([2, 3]) == [2, 3]
    np.testing.assert_allclose(op(Tensor([1.5])).asnumpy(), [3.0])

    class NoKernel(P.PrimitiveWithCheck):
        pass

    with pytest.raises(MindTypeError, match="ops.Custom"):
        NoKernel("NoKernel")(Tensor([1.0]))
