"""MindSpore's Primitive-class operators (``ops.operations`` as ``P``), against numpy and scipy.

Each class maps MindSpore's constructor attributes and call inputs onto a functional op; these
tests check that mapping (defaults, attribute meanings, output dtypes and tuples) on values
computed independently, in PyNative and inside ``jit``, and gradients by finite differences.
"""

import inspect

import numpy as np
import pytest
from scipy import signal, special

import mind.core as ms
from mind.core import Parameter, Tensor, jit, nn, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.ops.operations import PrimitiveClass

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
POS = (np.abs(A) + 0.5).astype(np.float32)

# class name -> (inputs, numpy reference)
ELEMENTWISE = {
    "Add": ((A, B), np.add),
    "TensorAdd": ((A, B), np.add),
    "Sub": ((A, B), np.subtract),
    "Mul": ((A, B), np.multiply),
    "RealDiv": ((A, POS), np.divide),
    "Div": ((A, POS), np.divide),
    "FloorDiv": ((A * 4, POS), np.floor_divide),
    "FloorMod": ((A * 4, POS), np.mod),
    "Pow": ((POS, B), np.power),
    "Maximum": ((A, B), np.maximum),
    "Minimum": ((A, B), np.minimum),
    "Neg": ((A,), np.negative),
    "Abs": ((A,), np.abs),
    "Square": ((A,), np.square),
    "Sqrt": ((POS,), np.sqrt),
    "Rsqrt": ((POS,), lambda x: 1 / np.sqrt(x)),
    "Reciprocal": ((POS,), np.reciprocal),
    "Exp": ((A,), np.exp),
    "Log": ((POS,), np.log),
    "Log1p": ((POS,), np.log1p),
    "Sin": ((A,), np.sin),
    "Cos": ((A,), np.cos),
    "Tanh": ((A,), np.tanh),
    "Sigmoid": ((A,), special.expit),
    "Erf": ((A,), special.erf),
    "Floor": ((A * 3,), np.floor),
    "Round": ((A * 3,), np.round),
    "Sign": ((A,), np.sign),
    "Trunc": ((A * 3,), np.trunc),
    "Equal": ((A, A * (B > 0)), np.equal),
    "NotEqual": ((A, A * (B > 0)), np.not_equal),
    "Greater": ((A, B), np.greater),
    "GreaterEqual": ((A, B), np.greater_equal),
    "Less": ((A, B), np.less),
    "LessEqual": ((A, B), np.less_equal),
    "LogicalAnd": ((A > 0, B > 0), np.logical_and),
    "LogicalOr": ((A > 0, B > 0), np.logical_or),
    "LogicalXor": ((A > 0, B > 0), np.logical_xor),
    "LogicalNot": ((A > 0,), np.logical_not),
    "Select": ((A > 0, A, B), np.where),
    "ReLU": ((A,), lambda x: np.maximum(x, 0)),
    "ReLU6": ((A * 8,), lambda x: np.clip(x, 0, 6)),
    "SiLU": ((A,), lambda x: x * special.expit(x)),
    "Elu": ((A,), lambda x: np.where(x > 0, x, np.expm1(x))),
    "Softplus": ((A,), lambda x: np.log1p(np.exp(x))),
    "GeLU": (
        (A,),
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
    ),
    "ZerosLike": ((A,), np.zeros_like),
    "OnesLike": ((A,), np.ones_like),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_classes_match_numpy(name):
    inputs, reference = ELEMENTWISE[name]
    out = getattr(P, name)()(*(Tensor(x) for x in inputs))
    np.testing.assert_allclose(out.asnumpy(), reference(*inputs), rtol=1e-5, atol=1e-6)


def test_every_class_is_a_primitive_class_named_as_mindspore_and_reexported_from_ops():
    names = [n for n in P.__all__ if n != "PrimitiveClass"]
    assert len(names) > 100
    for name in names:
        cls = getattr(P, name)
        assert issubclass(cls, PrimitiveClass) and cls.__name__ == name
        assert getattr(ops, name) is cls
        assert cls.__doc__.startswith(f"MindSpore's ``{name}``")


def test_constructor_takes_mindspore_attributes_and_defaults_and_refuses_others():
    assert str(inspect.signature(P.ReduceSum)) == "(keep_dims=False, skip_mode=False)"
    op = P.Conv2D(8, 3, pad_mode="same")
    assert op.attrs["out_channel"] == 8 and op.stride == 1 and op.group == 1
    assert op.name == "Conv2D" and "out_channel=8" in repr(op)
    with pytest.raises(MindTypeError, match="For 'ReduceSum'.*keepdims"):
        P.ReduceSum(keepdims=True)
    with pytest.raises(MindTypeError, match="For 'Conv2D'.*kernel_size"):
        P.Conv2D(8)


def test_prim_attr_shard_and_recompute_are_recorded_and_chain():
    op = P.MatMul().add_prim_attr("primitive_target", "CPU").shard(((2, 1), (1, 1)))
    assert op.attrs["primitive_target"] == "CPU"
    assert op.attrs["in_strategy"] == ((2, 1), (1, 1))
    assert op.recompute().attrs["recompute"] is True
    assert "primitive_target" not in op.del_prim_attr("primitive_target").attrs


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("ReduceSum", np.sum),
        ("ReduceMean", np.mean),
        ("ReduceMax", np.max),
        ("ReduceMin", np.min),
        ("ReduceProd", np.prod),
    ],
)
def test_reductions_take_keep_dims_as_attribute_and_axis_as_input(name, reference):
    cls = getattr(P, name)
    np.testing.assert_allclose(cls()(Tensor(A)).asnumpy(), reference(A), rtol=1e-5)
    out = cls(keep_dims=True)(Tensor(A), 1)
    np.testing.assert_allclose(out.asnumpy(), reference(A, axis=1, keepdims=True), rtol=1e-5)
    out = cls()(Tensor(A), (0, 1))
    np.testing.assert_allclose(out.asnumpy(), reference(A), rtol=1e-5)
    assert cls(skip_mode=True)(Tensor(A), ()).shape == A.shape  # an empty axis skips


def test_reduce_all_any_on_bools():
    m = A > 0
    np.testing.assert_array_equal(P.ReduceAll()(Tensor(m), 0).asnumpy(), m.all(0))
    np.testing.assert_array_equal(
        P.ReduceAny(True)(Tensor(m), 1).asnumpy(), m.any(1, keepdims=True)
    )


def test_argmax_gives_int32_and_argmax_with_value_a_pair():
    out = P.Argmax()(Tensor(A))
    assert out.dtype == ms.int32
    np.testing.assert_array_equal(out.asnumpy(), A.argmax(-1))
    np.testing.assert_array_equal(P.Argmin(axis=0)(Tensor(A)).asnumpy(), A.argmin(0))
    index, value = P.ArgMaxWithValue(axis=1, keep_dims=True)(Tensor(A))
    np.testing.assert_array_equal(index.asnumpy(), A.argmax(1)[:, None])
    np.testing.assert_allclose(value.asnumpy(), A.max(1, keepdims=True))
    index, value = P.ArgMinWithValue()(Tensor(A))
    np.testing.assert_array_equal(index.asnumpy(), A.argmin(0))
    np.testing.assert_allclose(value.asnumpy(), A.min(0))


def test_array_classes_match_numpy():
    x = Tensor(A)
    assert P.Shape()(x) == (3, 4) and P.Rank()(x) == 2 and P.Size()(x) == 12
    assert P.DType()(x) == ms.float32
    np.testing.assert_array_equal(P.TensorShape()(x).asnumpy(), [3, 4])
    np.testing.assert_allclose(P.Reshape()(x, (4, 3)).asnumpy(), A.reshape(4, 3))
    np.testing.assert_allclose(P.ExpandDims()(x, 1).asnumpy(), A[:, None])
    np.testing.assert_allclose(P.Squeeze()(Tensor(A[:, None])).asnumpy(), A)
    np.testing.assert_allclose(P.Squeeze(1)(Tensor(A[:, None, None])).shape, (3, 1, 4))
    np.testing.assert_allclose(P.Transpose()(x, (1, 0)).asnumpy(), A.T)
    np.testing.assert_allclose(P.Tile()(x, (2, 1)).asnumpy(), np.tile(A, (2, 1)))
    np.testing.assert_allclose(P.Flatten()(Tensor(A.reshape(3, 2, 2))).asnumpy(), A)
    np.testing.assert_allclose(P.BroadcastTo((2, 3, 4))(x).asnumpy(), np.broadcast_to(A, (2, 3, 4)))
    np.testing.assert_allclose(P.Concat(1)((x, x)).asnumpy(), np.concatenate([A, A], 1))
    np.testing.assert_allclose(P.Stack()([x, x]).asnumpy(), np.stack([A, A]))
    parts = P.Split(axis=1, output_num=2)(x)
    assert isinstance(parts, tuple) and len(parts) == 2
    np.testing.assert_allclose(parts[1].asnumpy(), A[:, 2:])
    with pytest.raises(MindValueError, match="not divisible by output_num 3"):
        P.Split(1, 3)(x)
    assert P.Cast()(x, ms.int32).dtype == ms.int32
    idx = np.array([2, 0], np.int32)
    np.testing.assert_allclose(P.Gather()(x, Tensor(idx), 0).asnumpy(), A[idx])
    np.testing.assert_allclose(P.GatherNd()(x, Tensor(np.array([[1, 2]]))).asnumpy(), [A[1, 2]])
    np.testing.assert_allclose(P.Slice()(x, (1, 1), (2, -1)).asnumpy(), A[1:3, 1:])
    np.testing.assert_allclose(
        P.StridedSlice()(x, (0, 1), (3, 4), (2, 2)).asnumpy(), A[0:3:2, 1:4:2]
    )
    with pytest.raises(MindValueError, match="shrink_axis_mask are not supported"):
        P.StridedSlice(shrink_axis_mask=1)(x, (0,), (1,), (1,))
    hot = P.OneHot()(Tensor(np.array([0, 2])), 3, Tensor(1.0), Tensor(0.0))
    np.testing.assert_allclose(hot.asnumpy(), np.eye(3)[[0, 2]])
    np.testing.assert_allclose(P.Eye()(2, 3, ms.float32).asnumpy(), np.eye(2, 3))
    np.testing.assert_allclose(P.Range()(Tensor(1.0), Tensor(4.0), Tensor(1.5)).asnumpy(), [1, 2.5])
    np.testing.assert_allclose(P.AddN()((x, x, x)).asnumpy(), 3 * A, rtol=1e-6)
    np.testing.assert_allclose(P.CumSum()(x, 1).asnumpy(), np.cumsum(A, 1), rtol=1e-5)
    np.testing.assert_allclose(P.Zeros()((2, 2), ms.float32).asnumpy(), np.zeros((2, 2)))
    np.testing.assert_allclose(P.Softmax()(x).asnumpy(), special.softmax(A, -1), rtol=1e-5)
    np.testing.assert_allclose(P.LogSoftmax(0)(x).asnumpy(), special.log_softmax(A, 0), rtol=1e-5)


def test_matmul_transposes_as_attributes():
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((5, 4))
    out = P.MatMul(transpose_a=True, transpose_b=True)(Tensor(a), Tensor(b))
    np.testing.assert_allclose(out.asnumpy(), a.T @ b.T, rtol=1e-6)
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 3, 5))
    out = P.BatchMatMul(transpose_a=True)(Tensor(a), Tensor(b))
    np.testing.assert_allclose(out.asnumpy(), np.swapaxes(a, 1, 2) @ b, rtol=1e-6)


def test_bias_add_conv2d_and_pools_in_nchw():
    x = RNG.standard_normal((1, 2, 5, 5)).astype(np.float32)
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    bias = np.array([1.0, -1.0], np.float32)
    np.testing.assert_allclose(
        P.BiasAdd()(Tensor(x), Tensor(bias)).asnumpy(), x + bias[:, None, None], rtol=1e-6
    )
    out = P.Conv2D(3, 3)(Tensor(x), Tensor(w)).asnumpy()
    reference = np.stack(
        [sum(signal.correlate2d(x[0, c], w[o, c], "valid") for c in range(2)) for o in range(3)]
    )
    np.testing.assert_allclose(out[0], reference, rtol=1e-4, atol=1e-5)
    assert P.Conv2D(3, 3, pad_mode="same", stride=2)(Tensor(x), Tensor(w)).shape == (1, 3, 3, 3)
    with pytest.raises(MindValueError, match="data_format must be one of"):
        P.Conv2D(3, 3, data_format="NDHWC")(Tensor(x), Tensor(w))
    pooled = P.MaxPool(kernel_size=2, strides=2)(Tensor(x)).asnumpy()
    np.testing.assert_allclose(pooled, x[:, :, :4, :4].reshape(1, 2, 2, 2, 2, 2).max((3, 5)))
    pooled = P.AvgPool(kernel_size=2, strides=2)(Tensor(x)).asnumpy()
    np.testing.assert_allclose(
        pooled, x[:, :, :4, :4].reshape(1, 2, 2, 2, 2, 2).mean((3, 5)), rtol=1e-5
    )


def test_loss_classes_match_numpy():
    logits = RNG.standard_normal((4, 3)).astype(np.float32)
    labels = np.array([0, 2, 1, 2], np.int32)
    onehot = np.eye(3, dtype=np.float32)[labels]
    log_p = special.log_softmax(logits, -1)
    np.testing.assert_allclose(P.L2Loss()(Tensor(A)).asnumpy(), (A**2).sum() / 2, rtol=1e-5)
    loss, dlogits = P.SoftmaxCrossEntropyWithLogits()(Tensor(logits), Tensor(onehot))
    np.testing.assert_allclose(loss.asnumpy(), -(onehot * log_p).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(dlogits.asnumpy(), np.exp(log_p) - onehot, rtol=1e-5, atol=1e-6)
    out = P.SparseSoftmaxCrossEntropyWithLogits()(Tensor(logits), Tensor(labels))
    np.testing.assert_allclose(out.asnumpy(), -log_p[np.arange(4), labels].mean(), rtol=1e-5)
    weight = np.array([1.0, 2.0, 0.5], np.float32)
    loss, total = P.NLLLoss(reduction="sum")(Tensor(log_p), Tensor(labels), Tensor(weight))
    np.testing.assert_allclose(
        loss.asnumpy(), -(weight[labels] * log_p[np.arange(4), labels]).sum(), rtol=1e-5
    )
    np.testing.assert_allclose(total.asnumpy(), weight[labels].sum())
    target = (B > 0).astype(np.float32)
    expected = np.logaddexp(0, A) - target * A
    out = P.SigmoidCrossEntropyWithLogits()(Tensor(A), Tensor(target))
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-5, atol=1e-6)
    out = P.BCEWithLogitsLoss()(Tensor(A), Tensor(target), Tensor(np.ones(4, np.float32)), None)
    np.testing.assert_allclose(out.asnumpy(), expected.mean(), rtol=1e-5)


def test_assign_classes_and_apply_momentum_update_parameters():
    p = Parameter(Tensor(A.copy()), name="p")
    P.AssignAdd()(p, Tensor(B))
    np.testing.assert_allclose(p.asnumpy(), A + B, rtol=1e-6)
    P.AssignSub()(p, Tensor(B))
    P.Assign()(p, Tensor(2 * A))
    np.testing.assert_allclose(p.asnumpy(), 2 * A, rtol=1e-6)
    var, acc = Parameter(Tensor(A.copy()), name="v"), Parameter(Tensor(B.copy()), name="a")
    P.ApplyMomentum(gradient_scale=2.0)(var, acc, 0.1, Tensor(A), 0.9)
    expected_acc = 0.9 * B + 2 * A
    np.testing.assert_allclose(acc.asnumpy(), expected_acc, rtol=1e-5)
    np.testing.assert_allclose(var.asnumpy(), A - 0.1 * expected_acc, rtol=1e-5)


def test_random_classes_take_mindspore_seed_pairs():
    a = P.StandardNormal(seed=3, seed2=4)((1000,)).asnumpy()
    b = P.StandardNormal(seed=3, seed2=4)((1000,)).asnumpy()
    np.testing.assert_array_equal(a, b)
    assert abs(a.mean()) < 0.15 and abs(a.std() - 1) < 0.1
    u = P.UniformReal(seed=1)((1000,)).asnumpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.05


class _ConvNet(nn.Cell):
    def __init__(self):
        super().__init__()
        self.mul, self.reduce_max, self.relu = P.Mul(), P.ReduceMax(keep_dims=False), P.ReLU()

    def construct(self, x, y):
        z = self.relu(self.mul(x, y))
        if self.reduce_max(z) > 1:
            z = z * 2
        return self.reduce_max(z, 1)


def test_classes_in_a_graph_mode_cell_match_pynative_and_finite_differences():
    x, y = Tensor(A), Tensor(B)
    eager = _ConvNet()(x, y).asnumpy()
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        net = _ConvNet()
        np.testing.assert_allclose(net(x, y).asnumpy(), eager, rtol=1e-6)
        gx = ops.grad(lambda a: P.ReduceSum()(net(a, y)))(x).asnumpy()
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)

    def f(a):
        z = np.maximum(a * B, 0)
        z = z * 2 if z.max() > 1 else z
        return z.max(1).sum()

    eps, numeric = 1e-3, np.zeros_like(A)
    for i in np.ndindex(A.shape):
        d = np.zeros_like(A)
        d[i] = eps
        numeric[i] = (f(A + d) - f(A - d)) / (2 * eps)
    np.testing.assert_allclose(gx, numeric, rtol=1e-2, atol=1e-2)


def test_while_loop_fori_loop_and_scan_classes_inside_jit_match_python():
    @jit
    def loops(x):
        a = P.WhileLoop()(lambda v: v[1] < 5, lambda v: [v[0] * 2, v[1] + 1, v[2]], [x, 0, P.Add()])
        b = P.ForiLoop()(0, 4, lambda i, v: P.Add()(v, i), x, False)
        c, ys = P.Scan()(lambda carry, el: (carry + el, carry), x, [1.0, 2.0, 3.0], 3, False)
        return a[0], a[1], b, c, ys[2]

    a0, a1, b, c, y2 = loops(Tensor(np.float32(1.5)))
    assert float(a0.asnumpy()) == 1.5 * 32 and int(a1.asnumpy()) == 5
    assert float(b.asnumpy()) == 1.5 + 6 and float(c.asnumpy()) == 7.5
    assert float(y2.asnumpy()) == 4.5
    carry, ys = P.Scan()(lambda carry, el: (carry + el, carry * 1), Tensor(0.0), [1, 2, 3])
    assert float(carry.asnumpy()) == 6 and [float(y.asnumpy()) for y in ys] == [0, 1, 3]
    with pytest.raises(MindTypeError, match="'loop_func' must be a function"):
        P.WhileLoop()(lambda v: v < 3, 3, Tensor(0))
    with pytest.raises(MindTypeError, match="'lower' must be an int"):
        P.ForiLoop()(0.5, 3, lambda i, v: v, Tensor(0))


def test_hyper_map_and_map_apply_a_function_across_nested_sequences():
    from mind.core.ops import composite as C

    xs = (Tensor(np.array([1.0, 2.0])), [Tensor(np.array(3.0)), Tensor(np.array([4.0]))])
    ys = (Tensor(np.array([0.5, 0.5])), [Tensor(np.array(2.0)), Tensor(np.array([-1.0]))])
    out = C.HyperMap(ops.mul)(xs, ys)
    assert isinstance(out, tuple) and isinstance(out[1], list)
    np.testing.assert_array_equal(out[0].asnumpy(), [0.5, 1.0])
    assert [o.asnumpy().tolist() for o in out[1]] == [6.0, [-4.0]]
    seen = []
    flat = C.Map(reverse=True)(lambda a, b: seen.append(b) or a + b, [1, 2, 3], [10, 20, 30])
    assert flat == [11, 22, 33] and seen == [30, 20, 10]  # reverse: last first, order kept
    with pytest.raises(ValueError, match=r"sequences\[1\] must have one length"):
        C.HyperMap()(ops.add, xs, (ys[0], ys[1][:1]))
    with pytest.raises(TypeError, match="must be tuples or lists"):
        C.Map(ops.add)(Tensor(1.0), Tensor(2.0))


def _conv_nchw_reference(x, w):
    """A valid, stride-1 2-D cross-correlation by explicit sums (x NCHW, w OIHW)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(h - kh + 1):
        for j in range(wd - kw + 1):
            out[:, :, i, j] = np.einsum("nchw,ochw->no", x[:, :, i : i + kh, j : j + kw], w)
    return out


def test_conv2d_and_pools_take_channels_last_data():
    r = np.random.default_rng(3)
    x, w = r.normal(size=(2, 5, 6, 3)), r.normal(size=(4, 3, 3, 3))  # NHWC, (O, kh, kw, C)
    got = ops.Conv2D(out_channel=4, kernel_size=3, data_format="NHWC")(Tensor(x), Tensor(w))
    want = _conv_nchw_reference(x.transpose(0, 3, 1, 2), w.transpose(0, 3, 1, 2))
    np.testing.assert_allclose(got.asnumpy(), want.transpose(0, 2, 3, 1), rtol=1e-10)
    pooled = ops.MaxPool(kernel_size=2, strides=2, data_format="NHWC")(Tensor(x[:, :4, :6]))
    np.testing.assert_array_equal(
        pooled.asnumpy(), x[:, :4, :6].reshape(2, 2, 2, 3, 2, 3).max(axis=(2, 4))
    )
    with pytest.raises(ValueError, match="data_format must be one of"):
        ops.Conv2D(out_channel=4, kernel_size=3, data_format="NCDHW")(Tensor(x), Tensor(w))
    volume, bias = r.normal(size=(2, 3, 2, 2, 2)), r.normal(size=3)
    np.testing.assert_array_equal(
        ops.BiasAdd(data_format="NCDHW")(Tensor(volume), Tensor(bias)).asnumpy(),
        volume + bias[:, None, None, None],
    )


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumsum_exclusive_and_reverse(exclusive, reverse):
    x = np.arange(1.0, 13.0).reshape(3, 4)
    y = x[:, ::-1] if reverse else x
    expect = np.cumsum(y, 1) - (y if exclusive else 0)
    expect = expect[:, ::-1] if reverse else expect
    got = P.CumSum(exclusive=exclusive, reverse=reverse)(Tensor(x), 1)
    np.testing.assert_array_equal(got.asnumpy(), expect)
