"""Example inputs for every primitive: what the primitive tests and the device conformance suite
run each primitive on.

``FORWARD[name] = (inputs, attrs, reference)``: numpy inputs, the attributes, and a numpy (or
scipy) function computing the expected output from the inputs (``None`` where another test checks
the value). The references that need scipy are only built when scipy is installed; the inputs
never need it. ``RANDOM`` names the random primitives (no fixed output).
"""

from __future__ import annotations

import numpy as np

try:
    from scipy import special
except ImportError:  # the references that use it are then unavailable
    special = None

from mind.core._src.ops import functional  # noqa: F401  (defines every primitive)

rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def pos(*shape):
    return rng.uniform(0.5, 2.0, shape).astype(np.float32)


def idx(high, *shape):
    return rng.integers(0, high, shape).astype(np.int64)


def _windows(x, k, s, reduce):
    """Pooling by a loop over windows: ``reduce`` (np.max, np.mean) of each k x k window."""
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out = np.empty((n, c, oh, ow), x.dtype)
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = reduce(x[:, :, i * s : i * s + k, j * s : j * s + k], axis=(2, 3))
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
    "sigmoid": ([r(4) * 30], {}, lambda x: special.expit(x)),
    "erf": ([r(4)], {}, lambda x: special.erf(x)),
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
    "max_pool2d": ([XP], POOL, lambda x: _windows(x, 2, 2, np.max)),
    "max_pool2d_grad": ([XP, r(2, 2, 2, 2)], POOL, None),
    "max_pool2d_gather": ([XP, r(2, 2, 4, 4)], POOL, None),
    "avg_pool2d": ([XP], POOL, lambda x: _windows(x, 2, 2, np.mean)),
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
