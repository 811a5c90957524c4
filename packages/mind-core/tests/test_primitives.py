"""Every registered primitive: its kernel against numpy, its inference rule against its kernel,
and (when differentiable) its backward rule against finite differences.

The tables below must cover the registry: a new primitive without a forward case, or a
differentiable one without a gradient case, fails ``test_every_primitive_has_cases``.
"""

import math

import numpy as np
import pytest
from scipy import special

from mind.core._src.ops import functional  # noqa: F401  (defines every primitive)
from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray, bind
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.testing import check_grads

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def pos(*shape):
    return rng.uniform(0.5, 2.0, shape).astype(np.float32)


def idx(high, *shape):
    return rng.integers(0, high, shape).astype(np.int64)


def _windows_max(x, k, s):
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.empty((n, c, oh, ow), x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * s : i * s + k, j * s : j * s + k].max(axis=(2, 3))
    return out


def _windows_mean(x, k, s):
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.empty((n, c, oh, ow), x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * s : i * s + k, j * s : j * s + k].mean(axis=(2, 3))
    return out


def conv_ref(x, w, stride=1, pad=0):
    """Direct-loop convolution: an independent reference for the im2col kernel."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out


CONV = {"stride": (1, 1), "pads": (1, 1, 1, 1), "dilation": (1, 1), "groups": 1}
CONV_S2 = {"stride": (2, 2), "pads": (0, 0, 0, 0), "dilation": (1, 1), "groups": 1}
POOL = {"kernel": (2, 2), "stride": (2, 2), "pads": (0, 0, 0, 0)}
X4, W4 = r(2, 3, 5, 5), r(4, 3, 3, 3)
XP = r(2, 2, 4, 4)
LABELS = idx(5, 6)

# name -> (inputs, attrs, numpy reference of the output)
FORWARD = {
    "identity": ([r(3)], {}, lambda x: x),
    "add": ([r(2, 3), r(3)], {}, np.add),
    "sub": ([r(2, 3), r(2, 1)], {}, np.subtract),
    "mul": ([r(2, 3), r(2, 3)], {}, np.multiply),
    "div": ([r(2, 3), pos(2, 3)], {}, np.divide),
    "pow": ([pos(4), r(4)], {}, np.power),
    "maximum": ([r(5), r(5)], {}, np.maximum),
    "minimum": ([r(5), r(5)], {}, np.minimum),
    "floor_divide": ([r(5) * 4, pos(5)], {}, np.floor_divide),
    "mod": ([r(5) * 4, pos(5)], {}, np.mod),
    "neg": ([r(4)], {}, np.negative),
    "abs": ([r(4)], {}, np.abs),
    "sign": ([r(4)], {}, np.sign),
    "exp": ([r(4)], {}, np.exp),
    "log": ([pos(4)], {}, np.log),
    "log1p": ([pos(4)], {}, np.log1p),
    "sqrt": ([pos(4)], {}, np.sqrt),
    "rsqrt": ([pos(4)], {}, lambda x: 1 / np.sqrt(x)),
    "sin": ([r(4)], {}, np.sin),
    "cos": ([r(4)], {}, np.cos),
    "tanh": ([r(4)], {}, np.tanh),
    "sigmoid": ([r(4) * 30], {}, special.expit),
    "erf": ([r(4)], {}, special.erf),
    "floor": ([r(4) * 3], {}, np.floor),
    "round": ([np.array([0.5, 1.5, -0.5, 2.4], np.float32)], {}, np.round),
    "trunc": ([r(4) * 3], {}, np.trunc),
    "equal": (
        [np.array([1.0, 2.0, 3.0], np.float32), np.array([1.0, 0.0, 3.0], np.float32)],
        {},
        np.equal,
    ),
    "not_equal": ([r(3), r(3)], {}, np.not_equal),
    "greater": ([r(3), r(3)], {}, np.greater),
    "greater_equal": ([r(3), r(3)], {}, np.greater_equal),
    "less": ([r(3), r(3)], {}, np.less),
    "less_equal": ([r(3), r(3)], {}, np.less_equal),
    "logical_and": ([r(4) > 0, r(4) > 0], {}, np.logical_and),
    "logical_or": ([r(4) > 0, r(4) > 0], {}, np.logical_or),
    "logical_xor": ([r(4) > 0, r(4) > 0], {}, np.logical_xor),
    "logical_not": ([r(4) > 0], {}, np.logical_not),
    "where": ([r(2, 3) > 0, r(2, 3), r(3)], {}, np.where),
    "cast": ([r(4) * 3], {"dtype": "int32"}, lambda x: x.astype(np.int32)),
    "clip": ([r(6), np.float32(-0.5), np.float32(0.5)], {}, np.clip),
    "reshape": ([r(2, 6)], {"shape": (3, 4)}, lambda x: x.reshape(3, 4)),
    "transpose": ([r(2, 3, 4)], {"perm": (2, 0, 1)}, lambda x: x.transpose(2, 0, 1)),
    "broadcast_to": ([r(3, 1)], {"shape": (2, 3, 4)}, lambda x: np.broadcast_to(x, (2, 3, 4))),
    "concat": ([r(2, 3), r(1, 3)], {"axis": 0}, lambda a, b: np.concatenate([a, b])),
    "tile": ([r(2, 3)], {"reps": (2, 1, 2)}, lambda x: np.tile(x, (2, 1, 2))),
    "pad": (
        [r(2, 3)],
        {"pads": ((1, 0), (2, 1)), "mode": "constant", "value": 0},
        lambda x: np.pad(x, ((1, 0), (2, 1))),
    ),
    "getitem": (
        [r(4, 5)],
        {"index": (slice(1, None, 2), np.array([0, 2, 2]))},
        lambda x: x[1::2, [0, 2, 2]],
    ),
    "index_add": (
        [r(3)],
        {"index": np.array([0, 2, 0]), "shape": (4,)},
        lambda u: np.bincount([0, 2, 0], weights=u, minlength=4),
    ),
    "assign": ([r(3), r(3)], {}, lambda t, v: v),
    "apply_momentum": (
        [
            np.array([1.0, 2.0], np.float32),
            np.array([0.5, -1.0], np.float32),
            np.array([0.1, 0.2], np.float32),
        ],
        {"lr": 0.1, "momentum": 0.9, "use_nesterov": False},
        lambda p, v, g: p - 0.1 * (0.9 * v + g),
    ),
    "index_put": (
        [r(4, 3), r(3)],
        {"index": (1,)},
        lambda x, v: np.vstack([x[:1], v[None], x[2:]]),
    ),
    "gather": ([r(5, 3), idx(5, 4)], {"axis": 0}, lambda p, i: np.take(p, i, axis=0)),
    "gather_grad": (
        [r(4, 3), np.array([0, 2, 0, 1])],
        {"axis": 0, "shape": (5, 3)},
        lambda d, i: np.stack([d[0] + d[2], d[3], d[1], 0 * d[0], 0 * d[0]]),
    ),
    "gather_nd": ([r(3, 4), np.array([[0, 1], [2, 3]])], {}, lambda x, i: x[i[:, 0], i[:, 1]]),
    "tensor_scatter_add": (
        [r(3, 2), np.array([[0], [2], [0]]), r(3, 2)],
        {},
        lambda x, i, u: x + np.stack([u[0] + u[2], 0 * u[0], u[1]]),
    ),
    "one_hot": (
        [np.array([0, 2, 1])],
        {"depth": 3, "on_value": 1.0, "off_value": 0.0, "axis": -1, "dtype": "float32"},
        lambda i: np.eye(3)[i],
    ),
    "sum": ([r(2, 3, 4)], {"axis": (0, 2), "keepdims": False}, lambda x: x.sum((0, 2))),
    "mean": ([r(2, 3)], {"axis": (1,), "keepdims": True}, lambda x: x.mean(1, keepdims=True)),
    "amax": ([r(3, 4)], {"axis": (1,), "keepdims": False}, lambda x: x.max(1)),
    "amin": ([r(3, 4)], {"axis": None, "keepdims": False}, lambda x: x.min()),
    "prod": ([pos(2, 3)], {"axis": (0,), "keepdims": False}, lambda x: x.prod(0)),
    "argmax": ([r(3, 4)], {"axis": 1, "keepdims": False}, lambda x: x.argmax(1)),
    "argmin": ([r(3, 4)], {"axis": None, "keepdims": False}, lambda x: x.argmin()),
    "logsumexp": (
        [r(3, 4) * 50],
        {"axis": (1,), "keepdims": False},
        lambda x: special.logsumexp(x, 1),
    ),
    "var": ([r(3, 4)], {"axis": (1,), "ddof": 1, "keepdims": False}, lambda x: x.var(1, ddof=1)),
    "cumsum": ([r(3, 4)], {"axis": 1, "reverse": False}, lambda x: x.cumsum(1)),
    "all": ([r(3, 4) > -1], {"axis": (1,), "keepdims": False}, lambda x: x.all(1)),
    "any": ([r(3, 4) > 1], {"axis": None, "keepdims": False}, lambda x: x.any()),
    "matmul": ([r(2, 3, 4), r(4, 5)], {}, np.matmul),
    "relu": ([r(6)], {}, lambda x: np.maximum(x, 0)),
    "leaky_relu": ([r(6)], {"alpha": 0.2}, lambda x: np.where(x > 0, x, 0.2 * x)),
    "elu": ([r(6)], {"alpha": 1.5}, lambda x: np.where(x > 0, x, 1.5 * np.expm1(x))),
    "gelu": ([r(6)], {"approximate": "none"}, lambda x: x * special.ndtr(x)),
    "silu": ([r(6)], {}, lambda x: x * special.expit(x)),
    "softplus": ([r(6) * 10], {"beta": 1.0, "threshold": 20.0}, lambda x: np.logaddexp(0, x)),
    "softmax": ([r(3, 4)], {"axis": 1}, lambda x: special.softmax(x, 1)),
    "log_softmax": ([r(3, 4)], {"axis": 1}, lambda x: special.log_softmax(x, 1)),
    "conv2d": ([X4, W4], CONV, lambda x, w: conv_ref(x, w, 1, 1)),
    "conv_transpose2d": ([r(2, 4, 2, 2), r(4, 3, 3, 3)], {**CONV_S2, "in_hw": (5, 5)}, None),
    "conv2d_grad_weight": ([X4, r(2, 4, 5, 5)], {**CONV, "kernel_hw": (3, 3)}, None),
    "max_pool2d": ([XP], POOL, lambda x: _windows_max(x, 2, 2)),
    "max_pool2d_grad": ([XP, r(2, 2, 2, 2)], POOL, None),
    "max_pool2d_gather": ([XP, r(2, 2, 4, 4)], POOL, None),
    "avg_pool2d": ([XP], POOL, lambda x: _windows_mean(x, 2, 2)),
    "avg_pool2d_grad": (
        [r(2, 2, 2, 2)],
        {**POOL, "in_shape": (2, 2, 4, 4)},
        lambda d: np.repeat(np.repeat(d, 2, 2), 2, 3) / 4,
    ),
    "adaptive_avg_pool2d": (
        [r(1, 2, 6, 6)],
        {"output_size": (2, 3)},
        lambda x: x.reshape(1, 2, 2, 3, 3, 2).mean(axis=(3, 5)),
    ),
    "adaptive_avg_pool2d_grad": (
        [r(1, 2, 2, 3)],
        {"output_size": (2, 3), "in_shape": (1, 2, 6, 6)},
        lambda d: np.repeat(np.repeat(d, 3, 2), 2, 3) / 6,
    ),
    "sparse_softmax_cross_entropy": (
        [r(6, 5), LABELS],
        {},
        lambda x, t: -special.log_softmax(x, 1)[np.arange(6), t],
    ),
    "smooth_l1_loss": (
        [r(6), r(6)],
        {"beta": 0.5},
        lambda x, y: np.where(np.abs(x - y) < 0.5, (x - y) ** 2, np.abs(x - y) - 0.25),
    ),
    "binary_cross_entropy_with_logits": (
        [r(6) * 5, (r(6) > 0).astype(np.float32)],
        {},
        # log(1 + e^x) - x*y: the same loss, computed stably in float64 (the naive form loses
        # digits for large |x|).
        lambda x, y: np.logaddexp(0, x.astype(np.float64)) - x.astype(np.float64) * y,
    ),
}


def _adjoint_refs():
    """conv_transpose2d, conv2d_grad_weight and the pool gradients are adjoints: checked by
    <A x, y> == <x, A^T y> against the forward ops."""
    return {"conv_transpose2d", "conv2d_grad_weight", "max_pool2d_grad", "max_pool2d_gather"}


RANDOM = {"uniform", "normal", "randint", "bernoulli"}

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
# test_control.py, built from real control flow.
NESTED = {"call", "cond", "scan", "while_loop", "tuple_getitem"}


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
