"""Every registered primitive: its kernel against numpy, its inference rule against its kernel,
and (when differentiable) its backward rule against finite differences.

The tables below must cover the registry: a new primitive without a forward case, or a
differentiable one without a gradient case, fails ``test_every_primitive_has_cases``.
"""

import math

import numpy as np
import pytest

from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray, bind
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.testing import check_grads
from mind.core.testing.primitive_cases import (
    CONV,
    FORWARD,
    POOL,
    RANDOM,
    W4,
    X4,
    XP,
    conv_ref,
    pos,
    r,
)

# name -> (function of float64 Tensors, inputs) for check_grads; default: the forward case.
GRAD_OVERRIDES = {
    "pow": (lambda x, y: bind(PRIMITIVES["pow"], (x, y)), [pos(4), r(4)]),
    "abs": (lambda x: bind(PRIMITIVES["abs"], (x,)), [pos(4) * np.array([1, -1, 1, -1])]),
    "maximum": (lambda x, y: bind(PRIMITIVES["maximum"], (x, y)), [r(5), r(5) + 3]),
    "minimum": (lambda x, y: bind(PRIMITIVES["minimum"], (x, y)), [r(5), r(5) + 3]),
    "relu": (lambda x: bind(PRIMITIVES["relu"], (x,)), [np.array([-1.5, -0.3, 0.4, 2.0])]),
    "leaky_relu": (
        lambda x: bind(PRIMITIVES["leaky_relu"], (x,), {"alpha": 0.2}),
        [np.array([-1.5, -0.3, 0.4, 2.0])],
    ),
    "elu": (
        lambda x: bind(PRIMITIVES["elu"], (x,), {"alpha": 1.5}),
        [np.array([-1.5, -0.3, 0.4, 2.0])],
    ),
    "clip": (
        lambda x: bind(PRIMITIVES["clip"], (x, Tensor(-0.5), Tensor(0.5))),
        [np.array([-1.0, -0.2, 0.3, 0.9])],
    ),
    "amax": (
        lambda x: bind(PRIMITIVES["amax"], (x,), {"axis": (1,), "keepdims": False}),
        [r(3, 4)],
    ),
    "amin": (
        lambda x: bind(PRIMITIVES["amin"], (x,), {"axis": None, "keepdims": False}),
        [r(3, 4)],
    ),
    "cast": (lambda x: bind(PRIMITIVES["cast"], (x,), {"dtype": "float64"}), [r(3)]),
    "softplus": (
        lambda x: bind(PRIMITIVES["softplus"], (x,), {"beta": 1.0, "threshold": 20.0}),
        [r(6)],
    ),
    "max_pool2d": (lambda x: bind(PRIMITIVES["max_pool2d"], (x,), POOL), [XP]),
    "smooth_l1_loss": (
        lambda x, y: bind(PRIMITIVES["smooth_l1_loss"], (x, y), {"beta": 0.5}),
        [np.array([0.1, 2.0, -3.0]), np.array([0.0, 0.5, 0.0])],
    ),
}


def _tensors(inputs):
    return [Tensor(np.asarray(a)) for a in inputs]


# Primitives holding nested graphs, and tuple_getitem that reads their results: their forward and
# gradient cases (against eager Python control flow and finite differences) are in
# test_control.py, built from real control flow; fused (graph-kernel fusion) is in test_fusion.py.
NESTED = {"call", "cond", "scan", "while_loop", "while_loop_grad", "tuple_getitem", "fused"}


def test_every_primitive_has_cases():
    missing_forward = sorted(set(PRIMITIVES) - set(FORWARD) - RANDOM - NESTED)
    assert missing_forward == [], f"primitives without a forward case: {missing_forward}"
    unknown = sorted(set(FORWARD) - set(PRIMITIVES))
    assert unknown == [], f"cases for primitives that do not exist: {unknown}"
    for name, prim in PRIMITIVES.items():
        if prim.differentiable:
            assert prim.bprop is not None, f"{name} is differentiable but has no bprop"
        assert prim.cpu is not None and prim.infer is not None


def test_registry_lists_core_primitives_through_the_hook():
    from mind.core.testing import fresh_plugin_manager

    registered = fresh_plugin_manager().primitives()
    assert set(PRIMITIVES) <= set(registered)
    assert registered["add"].cpu_kernel is PRIMITIVES["add"].cpu


@pytest.mark.parametrize("name", sorted(FORWARD))
def test_forward_matches_numpy_and_inference_matches_kernel(name):
    inputs, attrs, reference = FORWARD[name]
    prim = PRIMITIVES[name]
    out = bind(prim, tuple(_tensors(inputs)), attrs or None)
    avals = [ShapedArray(np.shape(a), dt.from_numpy_dtype(np.asarray(a).dtype)) for a in inputs]
    inferred = prim.infer(*avals, **attrs)
    assert inferred.shape == out.shape, f"{name}: inferred {inferred.shape}, kernel {out.shape}"
    assert inferred.dtype is out.dtype, f"{name}: inferred {inferred.dtype}, kernel {out.dtype}"
    if reference is not None:
        np.testing.assert_allclose(out.asnumpy(), reference(*inputs), rtol=2e-5, atol=2e-6)


def _dot(a, b):
    return float(np.sum(np.asarray(a, np.float64) * np.asarray(b, np.float64)))


def test_conv_gradients_are_adjoints_of_conv():
    x, w = X4.astype(np.float64), W4.astype(np.float64)
    y = r(2, 4, 5, 5).astype(np.float64)
    conv = bind(PRIMITIVES["conv2d"], (Tensor(x), Tensor(w)), CONV).asnumpy()
    dx = bind(
        PRIMITIVES["conv_transpose2d"], (Tensor(y), Tensor(w)), {**CONV, "in_hw": (5, 5)}
    ).asnumpy()
    dw = bind(
        PRIMITIVES["conv2d_grad_weight"], (Tensor(x), Tensor(y)), {**CONV, "kernel_hw": (3, 3)}
    ).asnumpy()
    assert math.isclose(_dot(conv, y), _dot(x, dx), rel_tol=1e-9)
    assert math.isclose(_dot(conv, y), _dot(w, dw), rel_tol=1e-9)


def test_max_pool_gradient_and_gather_are_adjoint():
    x = XP.astype(np.float64)
    d, u = r(2, 2, 2, 2).astype(np.float64), r(2, 2, 4, 4).astype(np.float64)
    scattered = bind(PRIMITIVES["max_pool2d_grad"], (Tensor(x), Tensor(d)), POOL).asnumpy()
    gathered = bind(PRIMITIVES["max_pool2d_gather"], (Tensor(x), Tensor(u)), POOL).asnumpy()
    assert math.isclose(_dot(scattered, u), _dot(d, gathered), rel_tol=1e-9)
    # The gradient lands on each window's maximum only.
    assert (scattered != 0).sum() == d.size


GRAD_CASES = sorted(n for n, p in PRIMITIVES.items() if p.differentiable and n not in NESTED)


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradient_matches_finite_differences(name):
    if name in GRAD_OVERRIDES:
        fn, inputs = GRAD_OVERRIDES[name]
    else:
        inputs, attrs, _ = FORWARD[name]
        prim = PRIMITIVES[name]

        def fn(*xs, prim=prim, attrs=attrs):
            return bind(prim, xs, attrs or None)

    check_grads(fn, inputs, rtol=1e-4, atol=1e-6)


SECOND_ORDER = [
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "sqrt",
    "mul",
    "div",
    "erf",
    "softmax",
    "log_softmax",
    "conv2d",
    "matmul",
    "gelu",
    "silu",
]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_gradients(name):
    inputs, attrs, _ = FORWARD[name]
    prim = PRIMITIVES[name]
    check_grads(lambda *xs: bind(prim, xs, attrs or None), inputs, order=2, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_primitives_are_seeded_and_have_the_right_distribution(name):
    from mind.core import ops, set_seed

    draw = {
        "uniform": lambda: ops.uniform((4000,), -1.0, 3.0),
        "normal": lambda: ops.normal((4000,), 2.0, 0.5),
        "randint": lambda: ops.randint(2, 7, (4000,)),
        "bernoulli": lambda: ops.bernoulli(Tensor(np.zeros(4000, np.float32)), 0.3),
    }[name]
    set_seed(7)
    a = draw().asnumpy()
    set_seed(7)
    b = draw().asnumpy()
    np.testing.assert_array_equal(a, b)
    set_seed(8)
    assert not np.array_equal(a, draw().asnumpy())
    if name == "uniform":
        assert a.min() >= -1 and a.max() < 3 and abs(a.mean() - 1.0) < 0.1
    elif name == "normal":
        assert abs(a.mean() - 2.0) < 0.05 and abs(a.std() - 0.5) < 0.05
    elif name == "randint":
        assert set(np.unique(a)) == {2, 3, 4, 5, 6} and a.dtype == np.int64
    else:
        assert set(np.unique(a)) == {0.0, 1.0} and abs(a.mean() - 0.3) < 0.05


@pytest.mark.parametrize(("ta", "tb"), [(False, True), (True, False), (True, True)])
def test_matmul_transpose_flags_forward_and_gradients(ta, tb):
    a = r(2, 4, 3) if ta else r(2, 3, 4)  # op(a) is (2, 3, 4)
    b = r(2, 5, 4) if tb else r(2, 4, 5)  # op(b) is (2, 4, 5)
    attrs = {"transpose_a": ta, "transpose_b": tb}
    out = bind(PRIMITIVES["matmul"], (Tensor(a), Tensor(b)), attrs)
    want = (a.swapaxes(-1, -2) if ta else a) @ (b.swapaxes(-1, -2) if tb else b)
    np.testing.assert_allclose(out.asnumpy(), want, rtol=1e-5)
    assert PRIMITIVES["matmul"].infer(
        ShapedArray(a.shape, dt.float32), ShapedArray(b.shape, dt.float32), **attrs
    ) == ShapedArray((2, 3, 5), dt.float32)
    check_grads(
        lambda x, y: bind(PRIMITIVES["matmul"], (x, y), attrs),
        [a, b],
        order=2,
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
def test_overlapping_padded_pooling_against_loops_and_finite_differences(name):
    attrs = {"kernel": (3, 3), "stride": (2, 1), "pads": (1, 1, 0, 1)}
    x = r(2, 2, 5, 6)
    out = bind(PRIMITIVES[name], (Tensor(x),), attrs).asnumpy()
    fill = -np.inf if name == "max_pool2d" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 1)), constant_values=fill)
    oh, ow = (xp.shape[2] - 3) // 2 + 1, xp.shape[3] - 3 + 1
    want = np.empty((2, 2, oh, ow), np.float32)
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, 2 * i : 2 * i + 3, j : j + 3]
            want[:, :, i, j] = (
                win.max(axis=(2, 3)) if name == "max_pool2d" else win.mean(axis=(2, 3))
            )
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    check_grads(lambda t: bind(PRIMITIVES[name], (t,), attrs), [x], rtol=1e-4, atol=1e-6)


def test_grouped_strided_dilated_conv_against_loops_and_finite_differences():
    x, w = r(2, 4, 7, 7), r(6, 2, 3, 3)
    attrs = {"stride": (2, 2), "pads": (1, 1, 1, 1), "dilation": (1, 1), "groups": 2}
    out = bind(PRIMITIVES["conv2d"], (Tensor(x), Tensor(w)), attrs).asnumpy()
    want = np.concatenate(
        [conv_ref(x[:, :2], w[:3], 2, 1), conv_ref(x[:, 2:], w[3:], 2, 1)], axis=1
    )
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-5)
    dilated = {"stride": (1, 2), "pads": (2, 0, 1, 1), "dilation": (2, 1), "groups": 2}
    check_grads(
        lambda a, b: bind(PRIMITIVES["conv2d"], (a, b), dilated), [x, w], rtol=1e-4, atol=1e-6
    )
