"""MindSpore's documented behaviour where Mind used to differ (issue 14's semantic differences),
each against numpy or MindSpore's documented values."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindValueError


@pytest.mark.parametrize("where", ["eager", "jit", "native"])
def test_sign_of_nan_is_zero(where):
    x = np.array([np.nan, -2.0, 0.0, 3.5], np.float32)
    want = np.array([0.0, -1.0, 0.0, 1.0], np.float32)
    if where == "eager":
        got = ops.sign(Tensor(x))
    else:
        if where == "native":
            ms.set_context(device_target="native")
        try:
            got = ms.jit(lambda t: ops.sign(t) * 1)(Tensor(x))
        finally:
            ms.set_context(device_target="cpu")
    np.testing.assert_array_equal(got.asnumpy(), want)


def test_div_rounding_mode_and_norm_dtype_keywords():
    x = Tensor(np.array([7.0, -7.0]))
    np.testing.assert_array_equal(x.div(2.0, rounding_mode="floor").asnumpy(), [3.0, -4.0])
    np.testing.assert_array_equal(x.div(2.0, rounding_mode="trunc").asnumpy(), [3.0, -3.0])
    v = Tensor(np.array([3.0, 4.0], np.float32))
    n = ops.norm(v, dtype=ms.float64)
    assert n.dtype == ms.float64 and n.item() == 5.0
    assert v.norm(dtype=ms.float64).dtype == ms.float64


def test_a_placeholder_declares_dynamic_inputs_for_set_inputs():
    placeholder = Tensor(shape=[None, 3], dtype=ms.float32)
    assert placeholder.shape == (-1, 3) and placeholder.dtype == ms.float32
    assert "placeholder" in repr(placeholder)
    with pytest.raises(
        MindValueError, match="placeholder Tensor of shape \\[-1, 3\\] has no values"
    ):
        placeholder + 1

    class Twice(nn.Cell):
        def construct(self, x):
            return x * 2

    net = Twice()
    net.set_inputs(placeholder)
    assert net.get_inputs()[0].shape == (-1, 3)
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for rows in (2, 5):  # any size on the dynamic axis
            x = np.arange(rows * 3, dtype=np.float32).reshape(rows, 3)
            np.testing.assert_array_equal(net(Tensor(x)).asnumpy(), x * 2)
        with pytest.raises(MindValueError, match="input_signature says float32\\[-1, 3\\]"):
            net(Tensor(np.ones((2, 4), np.float32)))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    f = ms.jit(lambda t: t + 1, input_signature=Tensor(shape=[2, None], dtype=ms.float32))
    assert f(Tensor(np.zeros((2, 7), np.float32))).shape == (2, 7)


class _Linear(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = ms.Parameter(Tensor(np.array([1.0, -2.0], np.float32)), name="w")

    def construct(self, x):
        return (self.w * x).sum()


class _MyMomentum(nn.Optimizer):
    """A custom optimizer as MindSpore users write one: slots cloned from ``self.parameters``,
    the update in its own ``construct``."""

    def __init__(self, params, learning_rate, momentum=0.9):
        super().__init__(learning_rate, params)
        self.momentum = momentum
        self.moments = self.parameters.clone(prefix="moments", init="zeros")

    def construct(self, gradients):
        lr = self.get_lr()
        for p, m, g in zip(self.parameters, self.moments, gradients):
            ops.assign(m, m * self.momentum + g)
            ops.assign(p, p - lr * m)
        return True


@pytest.mark.parametrize("mode", ["pynative", "graph", "jit"])
def test_a_custom_optimizer_with_its_own_construct_and_cloned_slots(mode):
    net = _Linear()
    opt = _MyMomentum(net.trainable_params(), 0.1)
    assert isinstance(opt.parameters, ms.ParameterTuple)
    assert [p.name for p in opt.moments] == ["moments.w"]
    step = nn.TrainOneStepCell(net, opt)
    if mode == "jit":
        step = ms.jit(step)
    x = Tensor(np.array([3.0, 4.0], np.float32))
    if mode == "graph":
        ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for _ in range(3):
            step(x)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    w, m, g = np.array([1.0, -2.0]), np.zeros(2), np.array([3.0, 4.0])
    for _ in range(3):
        m = 0.9 * m + g
        w = w - 0.1 * m
    np.testing.assert_allclose(net.w.asnumpy(), w, rtol=1e-6)
    np.testing.assert_allclose(opt.moments[0].asnumpy(), m, rtol=1e-6)


@pytest.mark.parametrize("mode", ["pynative", "graph"])
def test_weight_decay_given_as_a_cell_of_the_step(mode):
    class Halving(nn.Cell):  # MindSpore's dynamic weight decay: a Cell called with the step
        def construct(self, global_step):
            return 0.1 * ops.pow(0.5, ops.cast(global_step, ms.float32))

    net = _Linear()
    step = nn.TrainOneStepCell(net, nn.SGD(net.trainable_params(), 0.1, weight_decay=Halving()))
    x = Tensor(np.array([3.0, 4.0], np.float32))
    if mode == "graph":
        ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for _ in range(3):
            step(x)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    w, g = np.array([1.0, -2.0]), np.array([3.0, 4.0])
    for t in range(3):
        w = w - 0.1 * (g + 0.1 * 0.5**t * w)
    np.testing.assert_allclose(net.w.asnumpy(), w, rtol=1e-6)


def test_a_custom_initializer_filling_its_array_in_place():
    from mind.core.common.initializer import Initializer, initializer

    class Ramp(Initializer):  # MindSpore's way: _initialize(arr) fills arr
        def __init__(self, step=1.0):
            super().__init__(step=step)
            self.step = step

        def _initialize(self, arr):
            arr[...] = np.arange(arr.size).reshape(arr.shape) * self.step

    dense = nn.Dense(3, 2, weight_init=Ramp(0.5))
    np.testing.assert_array_equal(dense.weight.asnumpy(), np.arange(6).reshape(2, 3) * 0.5)
    assert initializer(Ramp(), (2,), ms.float32).asnumpy().tolist() == [0.0, 1.0]

    class Nothing(Initializer):
        pass

    with pytest.raises(NotImplementedError, match="must implement sample"):
        initializer(Nothing(), (2,), ms.float32)


def _argmax_reference(x, k, s, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    oh, ow = (h + 2 * pad - k) // s + 1, (w + 2 * pad - k) // s + 1
    out, idx = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow), np.int64)
    for b, ch, i, j in np.ndindex(n, c, oh, ow):
        window = xp[b, ch, i * s : i * s + k, j * s : j * s + k]
        r, q = np.unravel_index(np.argmax(window), window.shape)  # the first maximum
        out[b, ch, i, j] = window[r, q]
        idx[b, ch, i, j] = (i * s + r - pad) * w + (j * s + q - pad)
    return out, idx


@pytest.mark.parametrize("k, s, pad", [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_max_pool_return_indices_are_flat_positions_of_the_first_maximum(k, s, pad):
    x = np.random.default_rng(k + s).integers(0, 4, size=(2, 3, 6, 5)).astype(np.float32)  # ties
    out, idx = ops.max_pool2d(Tensor(x), k, s, pad, return_indices=True)
    want, want_idx = _argmax_reference(x, k, s, pad)
    np.testing.assert_array_equal(out.asnumpy(), want)
    np.testing.assert_array_equal(idx.asnumpy(), want_idx)
    assert idx.dtype == ms.int64
    mode = "pad" if pad else "valid"
    layer = nn.MaxPool2d(k, s, pad_mode=mode, padding=pad, return_indices=True)
    out2, idx2 = ms.jit(layer)(Tensor(x))
    np.testing.assert_array_equal(idx2.asnumpy(), want_idx)
    np.testing.assert_array_equal(out2.asnumpy(), want)


def test_pool_arguments_are_taken_or_refused():
    with pytest.raises(ValueError, match="NHWC"):
        nn.MaxPool2d(2, data_format="NHWC")
    assert nn.MaxPool2d(2, 2, ceil_mode=True)(Tensor(np.ones((1, 1, 5, 5)))).shape == (1, 1, 3, 3)
    with pytest.raises(ValueError, match="'return_indices' is for max pooling"):
        nn.AvgPool2d(2, return_indices=True)
    with pytest.raises(TypeError, match="unexpected arguments \\['kernal'\\]"):
        nn.AvgPool2d(2, kernal=3)
    assert nn.AvgPool2d(2, 2, count_include_pad=True)(Tensor(np.ones((1, 1, 4, 4)))).shape == (
        1,
        1,
        2,
        2,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_over_positions_of_a_4d_input(reduction):
    rng = np.random.default_rng(9)
    logits = rng.normal(size=(2, 3, 4, 5))
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    target = rng.integers(0, 3, size=(2, 4, 5))
    target[0, 0, 0] = -100  # ignored
    weight = np.array([0.5, 1.0, 2.0])
    picked = -np.take_along_axis(logp, np.where(target < 0, 0, target)[:, None], 1)[:, 0]
    w = np.where(target < 0, 0.0, weight[np.where(target < 0, 0, target)])
    want = {"none": picked * w, "sum": (picked * w).sum(), "mean": (picked * w).sum() / w.sum()}
    got = ops.nll_loss(Tensor(logp), Tensor(target), Tensor(weight), reduction=reduction)
    np.testing.assert_allclose(got.asnumpy(), want[reduction], rtol=1e-12)
    g = ms.grad(lambda x: ops.nll_loss(x, Tensor(target), Tensor(weight), reduction="sum"))
    expected = np.zeros_like(logp)
    for b, i, j in np.ndindex(2, 4, 5):
        if target[b, i, j] >= 0:
            expected[b, target[b, i, j], i, j] = -weight[target[b, i, j]]
    np.testing.assert_allclose(g(Tensor(logp)).asnumpy(), expected, rtol=1e-12)


def test_vmap_over_a_cell_list_runs_cell_k_on_example_k():
    ms.set_seed(3)
    cells = nn.CellList([nn.Dense(2, 1) for _ in range(3)])
    x = np.random.default_rng(2).normal(size=(3, 4, 2)).astype(np.float32)
    got = ms.vmap(cells)(Tensor(x))
    want = np.stack([x[k] @ c.weight.asnumpy().T + c.bias.asnumpy() for k, c in enumerate(cells)])
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)
    shared = ms.vmap(cells, in_axes=None, out_axes=1)
    with pytest.raises(MindValueError, match="one entry per cell"):
        shared(Tensor(x[0]))
    # gradients reach every member's own weights
    grads = ms.grad(lambda x: ms.vmap(cells)(x).sum(), None, cells.trainable_params())(Tensor(x))
    for k in range(3):
        np.testing.assert_allclose(grads[2 * k].asnumpy(), x[k].sum(0, keepdims=True), rtol=1e-6)


def test_export_takes_a_parameter_example_input_as_a_graph_input(tmp_path):
    ms.set_seed(4)
    net = nn.Dense(3, 2)
    example = ms.Parameter(Tensor(np.ones((1, 3), np.float32)), name="example")
    ms.export(net, example, file_name=str(tmp_path / "m"), file_format="MINDIR")
    graph = nn.GraphCell(ms.load(str(tmp_path / "m.mindir")))
    x = np.full((1, 3), 2.0, np.float32)
    np.testing.assert_allclose(
        graph(Tensor(x)).asnumpy(),
        x @ net.weight.asnumpy().T + net.bias.asnumpy(),
        rtol=1e-6,
    )


def test_decay_lr_functions_and_schedules_give_mindsporess_documented_values():
    # the values in MindSpore's documentation examples
    assert nn.natural_exp_decay_lr(0.1, 0.9, 6, 2, 2, True) == [
        0.1,
        0.1,
        0.1,
        0.1,
        0.016529888822158657,
        0.016529888822158657,
    ]
    np.testing.assert_allclose(
        nn.inverse_decay_lr(0.1, 0.5, 6, 1, 1),
        [0.1, 0.06666666666666667, 0.05, 0.04, 0.03333333333333333, 0.028571428571428574],
        rtol=1e-15,
    )
    np.testing.assert_allclose(
        nn.polynomial_decay_lr(0.1, 0.01, 6, 2, 2, 0.5),
        [0.1, 0.1, 0.07363961030678928, 0.07363961030678928, 0.01, 0.01],
        rtol=1e-15,
    )
    # update_decay_epoch: the period grows to the next multiple instead of stopping at the end
    grown = nn.polynomial_decay_lr(0.1, 0.01, 8, 1, 2, 1.0, update_decay_epoch=True)
    np.testing.assert_allclose(grown[3], 0.09 * (1 - 3 / 4) + 0.01)
    step = Tensor(np.array(3, np.int32))
    natural = nn.NaturalExpDecayLR(0.1, 0.9, 2, is_stair=True)(step).asnumpy()
    np.testing.assert_allclose(natural, 0.1 * np.exp(-0.9 * 1), rtol=1e-6)
    inverse = nn.InverseDecayLR(0.1, 0.5, 2)(step).asnumpy()
    np.testing.assert_allclose(inverse, 0.1 / (1 + 0.5 * 1.5), rtol=1e-6)


def test_mae_mse_and_top_k_accuracy():
    from mind.core.train import MAE, MSE, TopKCategoricalAccuracy, get_metric_fn

    y_pred = np.array([[0.1, 0.2], [0.4, 0.5], [1.0, 0.0]])
    y = np.array([[0.0, 0.5], [0.4, 0.1], [0.5, 0.0]])
    mae, mse = MAE(), MSE()
    mae.update(y_pred, y)
    mse.update(Tensor(y_pred), Tensor(y))
    assert mae.eval() == pytest.approx(np.abs(y - y_pred).sum() / 3)
    assert mse.eval() == pytest.approx(((y - y_pred) ** 2).sum() / 3)
    scores = np.array([[0.1, 0.5, 0.4, 0.0], [0.7, 0.1, 0.1, 0.1], [0.2, 0.3, 0.1, 0.4]])
    labels = np.array([2, 1, 0])
    top2 = TopKCategoricalAccuracy(2)
    top2.update(scores, labels)
    want = np.mean([labels[i] in np.argsort(-scores[i])[:2] for i in range(3)])
    assert top2.eval() == pytest.approx(want)
    top1 = get_metric_fn("top_1_accuracy")
    top1.update(scores, np.eye(4)[labels])  # one-hot labels
    assert top1.eval() == pytest.approx(np.mean(scores.argmax(1) == labels))
    with pytest.raises(ValueError, match="no data"):
        MAE().eval()


def test_grad_operation_get_all_skips_inputs_that_are_not_tensors_and_tensor_dim():
    from mind.core.ops import composite as C

    class Weighted(nn.Cell):
        def construct(self, x, y, weight=None):
            d = (x - y) ** 2
            return (d if weight is None else d * weight).sum()

    x, y = np.array([1.0, 2.0], np.float32), np.array([0.5, 0.5], np.float32)
    dx, dy = C.GradOperation(get_all=True)(Weighted())(Tensor(x), Tensor(y), None)
    np.testing.assert_allclose(dx.asnumpy(), 2 * (x - y))
    np.testing.assert_allclose(dy.asnumpy(), -2 * (x - y))
    assert Tensor(np.zeros((2, 3, 4))).dim() == 3


@pytest.mark.parametrize("stride, padding, output_padding", [(2, 0, 1), (2, 1, 1), (3, 1, 2)])
def test_conv2d_transpose_layer_with_output_padding_is_the_functional_op(
    stride, padding, output_padding
):
    ms.set_seed(0)
    layer = nn.Conv2dTranspose(
        2, 3, 3, stride=stride, pad_mode="pad", padding=padding, output_padding=output_padding
    )
    x = Tensor(np.random.default_rng(1).normal(size=(1, 2, 3, 3)).astype(np.float32))
    want = ops.conv_transpose2d(
        x, layer.weight, stride=stride, padding=padding, output_padding=output_padding
    )
    got = layer(x)
    np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-6)
    assert got.shape[2] == (3 - 1) * stride - 2 * padding + 3 + output_padding


def test_dynamic_lr_arguments_mindspore_refuses():
    with pytest.raises(TypeError, match="'learning_rates\\[0\\]' must be a float"):
        nn.piecewise_constant_lr([1, 2], [1, 2])
    with pytest.raises(TypeError, match="'is_stair' must be a bool"):
        nn.exponential_decay_lr(0.1, 0.9, 6, 2, 2, 1)
    with pytest.raises(TypeError, match="'update_decay_epoch' must be a bool"):
        nn.polynomial_decay_lr(0.1, 0.01, 6, 2, 2, 0.5, 1)


def test_conv_transpose2d_gradients_with_output_padding_match_finite_differences():
    from mind.core.testing import check_grads

    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(1, 2, 3, 3)), rng.normal(size=(2, 3, 3, 3))
    # output_padding 1 with stride 2 and no padding: rows the input never reaches (they were
    # an index error in the backward before)
    check_grads(
        lambda a, b: ops.conv_transpose2d(a, b, stride=2, padding=0, output_padding=1),
        [Tensor(x), Tensor(w)],
    )


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_a_parameter_reached_only_while_tracing_is_a_weight_and_its_writes_persist(device):
    class Holder:  # not a Cell: jit cannot find the Parameter before running the code
        pass

    class Accumulate(nn.Cell):
        def __init__(self):
            super().__init__()
            holder = Holder()
            holder.total = ms.Parameter(Tensor(np.zeros(2, np.float32)), name="total")
            object.__setattr__(self, "_holder", holder)

        def construct(self, x):
            total = self._holder.total
            ops.assign(total, total + x)
            return total * 1

    ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
    try:
        net = Accumulate()
        for _ in range(3):
            out = net(Tensor(np.ones(2, np.float32)))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE, device_target="cpu")
    # it was a graph constant: every call started again from zeros (silently 1, 1)
    np.testing.assert_array_equal(out.asnumpy(), [3.0, 3.0])
    np.testing.assert_array_equal(net._holder.total.asnumpy(), [3.0, 3.0])


def test_tensor_operators_are_bitwise_on_integers_and_logical_on_bools():
    # silently wrong before: Tensor & Tensor on int8 gave the logical and (bools)
    a = np.array([5, -3, 12, 7], np.int8)
    b = np.array([3, 6, 2, 1], np.int8)
    ta, tb = Tensor(a), Tensor(b)
    np.testing.assert_array_equal((ta & tb).asnumpy(), a & b)
    np.testing.assert_array_equal((ta | tb).asnumpy(), a | b)
    np.testing.assert_array_equal((ta ^ tb).asnumpy(), a ^ b)
    np.testing.assert_array_equal((~ta).asnumpy(), ~a)
    np.testing.assert_array_equal((ta << 1).asnumpy(), a << 1)
    np.testing.assert_array_equal((ta >> 1).asnumpy(), a >> 1)
    np.testing.assert_array_equal((3 & ta).asnumpy(), 3 & a)
    p, q = np.array([True, False, True]), np.array([True, True, False])
    np.testing.assert_array_equal((Tensor(p) & Tensor(q)).asnumpy(), p & q)
    np.testing.assert_array_equal((~Tensor(p)).asnumpy(), ~p)
    assert (Tensor(p) | True).dtype == ms.bool_


def test_index_add_and_the_inplace_row_ops_against_numpy():
    x = np.arange(12.0).reshape(3, 4)
    idx = np.array([0, 3, 0], np.int32)
    y = np.arange(9.0).reshape(3, 3)
    want = x.copy()
    np.add.at(want, (slice(None), idx), y)  # repeated indices add up
    np.testing.assert_array_equal(
        ops.index_add(Tensor(x), Tensor(idx), Tensor(y), 1).asnumpy(), want
    )
    np.testing.assert_array_equal(
        ops.IndexAdd(axis=1)(Tensor(x), Tensor(idx), Tensor(y)).asnumpy(), want
    )
    dy = ms.grad(lambda t: (ops.index_add(Tensor(x), Tensor(idx), t, 1) * Tensor(x)).sum())(
        Tensor(y)
    )
    np.testing.assert_array_equal(dy.asnumpy(), x[:, idx])
    v = np.ones((2, 4))
    rows = x.copy()
    rows[[0, 2]] += v
    np.testing.assert_array_equal(ops.inplace_add(Tensor(x), Tensor(v), (0, 2)).asnumpy(), rows)
    rows = x.copy()
    rows[[1]] -= 2
    np.testing.assert_array_equal(ops.InplaceSub(1)(Tensor(x), Tensor(v[:1] * 2)).asnumpy(), rows)
    rows = x.copy()
    rows[[2, 0]] = v * 7
    np.testing.assert_array_equal(
        ops.inplace_update(Tensor(x), Tensor(v * 7), (2, 0)).asnumpy(), rows
    )


def test_pad_classes_layers_and_small_ops_against_numpy():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(
        ops.Pad(((0, 0), (1, 2), (3, 0)))(Tensor(x)).asnumpy(),
        np.pad(x, ((0, 0), (1, 2), (3, 0))),
    )
    np.testing.assert_array_equal(
        nn.ConstantPad2d((1, 2, 0, 1), 9.0)(Tensor(x)).asnumpy(),
        np.pad(x, ((0, 0), (0, 1), (1, 2)), constant_values=9.0),
    )
    np.testing.assert_array_equal(
        nn.ReflectionPad1d(2)(Tensor(x)).asnumpy(), np.pad(x, ((0, 0), (0, 0), (2, 2)), "reflect")
    )
    np.testing.assert_array_equal(
        nn.ReplicationPad2d(1)(Tensor(x)).asnumpy(), np.pad(x, ((0, 0), (1, 1), (1, 1)), "edge")
    )
    np.testing.assert_array_equal(
        nn.ZeroPad2d(1)(Tensor(x)).asnumpy(), np.pad(x, ((0, 0), (1, 1), (1, 1)))
    )
    std, mean = ops.std_mean(Tensor(x), 1, ddof=1)
    np.testing.assert_allclose(std.asnumpy(), x.std(1, ddof=1))
    np.testing.assert_allclose(mean.asnumpy(), x.mean(1))
    var, _ = ops.var_mean(Tensor(x), (0, 2), keepdims=True)
    np.testing.assert_allclose(var.asnumpy(), x.var((0, 2), keepdims=True))
    near = ops.approximate_equal(Tensor([1.0, 2.0]), Tensor([1.000001, 2.1]))
    assert near.asnumpy().tolist() == [True, False]
    np.testing.assert_array_equal(
        ops.Ger()(Tensor([1.0, 2.0]), Tensor([3.0, 4.0])).asnumpy(), [[3, 4], [6, 8]]
    )
    assert nn.L1Regularizer(0.5)(Tensor([-1.0, 2.0])).item() == 1.5
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 1)
    mask = Tensor(np.array([[False, True], [False, False]]))
    assert encoder(Tensor(np.ones((2, 1, 4), np.float32)), src_mask=mask).shape == (2, 1, 4)


def test_ger_and_a_boolean_ddof():
    np.testing.assert_array_equal(
        ops.ger(Tensor([1.0, 2.0]), Tensor([3.0, 4.0, 5.0])).asnumpy(), np.outer([1, 2], [3, 4, 5])
    )
    x = np.array([1.0, 2.0, 4.0])
    assert ops.var(Tensor(x), ddof=True).item() == pytest.approx(x.var(ddof=1))
    assert ops.std(Tensor(x), ddof=False).item() == pytest.approx(x.std())


@pytest.mark.parametrize("cls, spatial", [(ops.Dropout2D, 2), (ops.Dropout3D, 3)])
def test_channel_dropout_keeps_or_zeroes_whole_channels(cls, spatial):
    ms.set_seed(5)
    x = np.random.default_rng(0).uniform(1, 2, size=(40, 50) + (3,) * spatial).astype(np.float32)
    out, mask = cls(keep_prob=0.5)(Tensor(x))
    out, mask = out.asnumpy(), mask.asnumpy()
    flat_out = out.reshape(2000, -1)
    flat_mask = mask.reshape(2000, -1)
    kept = flat_mask.all(axis=1)
    assert (flat_mask.any(axis=1) == kept).all()  # a channel is kept or dropped whole
    np.testing.assert_allclose(flat_out[kept], (x.reshape(2000, -1) / 0.5)[kept], rtol=1e-6)
    assert (flat_out[~kept] == 0).all()
    assert 0.45 < kept.mean() < 0.55  # 2,000 channels at keep_prob 0.5
    same, _ = cls(keep_prob=1.0)(Tensor(x))
    np.testing.assert_array_equal(same.asnumpy(), x)
    none, none_mask = cls(keep_prob=0.0)(Tensor(x))
    assert not none.asnumpy().any() and not none_mask.asnumpy().any()
    functional = ops.dropout2d if spatial == 2 else ops.dropout3d
    np.testing.assert_array_equal(functional(Tensor(x), 0.5, training=False).asnumpy(), x)


def test_the_layer_norm_class_returns_y_mean_and_variance():
    rng = np.random.default_rng(6)
    x, gamma, beta = rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    y, mean, var = ops.LayerNorm(begin_norm_axis=1, begin_params_axis=1, epsilon=1e-7)(
        Tensor(x), Tensor(gamma), Tensor(beta)
    )
    m, v = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(mean.asnumpy(), m, rtol=1e-12)
    np.testing.assert_allclose(var.asnumpy(), v, rtol=1e-12)
    np.testing.assert_allclose(y.asnumpy(), (x - m) / np.sqrt(v + 1e-7) * gamma + beta, rtol=1e-10)


@pytest.mark.parametrize("align_corners", [False, True])
def test_resize_nearest_neighbor_picks_the_documented_source_pixels(align_corners):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    out = ops.ResizeNearestNeighbor((7, 3), align_corners)(Tensor(x)).asnumpy()
    for i in range(7):
        for j in range(3):
            if align_corners:  # round(i * (in - 1) / (out - 1)), halves up
                r, c = int(np.floor(i * 3 / 6 + 0.5)), int(np.floor(j * 4 / 2 + 0.5))
            else:  # floor(i * in / out)
                r, c = (i * 4) // 7, (j * 5) // 3
            np.testing.assert_array_equal(out[:, :, i, j], x[:, :, r, c])
    assert ops.ResizeNearestNeighbor((1, 1))(Tensor(x)).asnumpy()[0, 0, 0, 0] == 0.0


def test_scatter_classes_write_a_parameter_in_place():
    x = ms.Parameter(Tensor(np.zeros((3, 2), np.float32)), name="x")
    indices = Tensor(np.array([[0, 2], [2, 1]], np.int32))
    updates = Tensor(np.arange(8, dtype=np.float32).reshape(2, 2, 2))
    out = ops.ScatterAdd()(x, indices, updates)
    want = np.zeros((3, 2), np.float32)
    np.add.at(want, np.array([0, 2, 2, 1]), np.arange(8, dtype=np.float32).reshape(4, 2))
    np.testing.assert_array_equal(x.asnumpy(), want)  # written in place, as MindSpore's
    assert out is x
    ops.ScatterSub()(x, Tensor(np.array([1], np.int32)), Tensor(np.ones((1, 2), np.float32)))
    want[1] -= 1
    np.testing.assert_array_equal(x.asnumpy(), want)
    ops.ScatterUpdate()(
        x, Tensor(np.array([0], np.int32)), Tensor(np.full((1, 2), 9.0, np.float32))
    )
    want[0] = 9
    np.testing.assert_array_equal(x.asnumpy(), want)
    plain = ops.ScatterAdd()(Tensor(np.zeros((3, 2), np.float32)), indices, updates)
    first = np.zeros((3, 2), np.float32)
    np.add.at(first, np.array([0, 2, 2, 1]), np.arange(8, dtype=np.float32).reshape(4, 2))
    np.testing.assert_array_equal(plain.asnumpy(), first)  # a plain Tensor: a new result


def test_a_placeholder_copies_like_a_tensor():
    import copy

    placeholder = Tensor(shape=[None, 3], dtype=ms.float32)
    assert copy.deepcopy(placeholder).shape == (-1, 3)  # a copy probe is not a use of values


def test_maximum_and_minimum_split_the_gradient_of_a_tie():
    # MindSpore's MaximumGrad/MinimumGrad and PyTorch: half to each side of a tie; an input gets
    # nothing only where it lost, so a NaN (no comparison holds) sends all of it to both
    x = np.array([1.0, 2.0, 3.0, np.nan])
    y = np.array([1.0, 5.0, 0.0, 4.0])
    dout = np.array([2.0, 3.0, 5.0, 7.0])
    for fn, to_x, to_y in (
        (ops.maximum, [1.0, 0.0, 5.0, 7.0], [1.0, 3.0, 0.0, 7.0]),
        (ops.minimum, [1.0, 3.0, 0.0, 7.0], [1.0, 0.0, 5.0, 7.0]),
    ):
        loss = lambda a, b, fn=fn: (fn(a, b) * Tensor(dout)).sum()  # noqa: E731
        gx, gy = ms.grad(loss, (0, 1))(Tensor(x), Tensor(y))
        np.testing.assert_array_equal(gx.asnumpy(), to_x)
        np.testing.assert_array_equal(gy.asnumpy(), to_y)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
def test_pad_crops_with_negative_amounts_and_differentiates_every_mode(mode):
    from mind.core.testing import check_grads

    x = np.arange(24.0).reshape(1, 2, 3, 4)
    np_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge"}[mode]
    grown = np.pad(x, ((0, 0), (0, 0), (2, 1), (0, 2)), mode=np_mode)  # positives first
    expect = grown[..., 1:]  # then the -1 crops the left of the last axis
    got = ops.pad(Tensor(x), Tensor(np.array([-1, 2, 2, 1])), mode)
    np.testing.assert_array_equal(got.asnumpy(), expect)
    check_grads(
        lambda t: ops.pad(t, (-1, 2, 2, 1), mode),
        [np.random.default_rng(1).normal(size=(1, 2, 3, 4))],
    )
    with pytest.raises(MindValueError, match="crops away every element"):
        ops.pad(Tensor(x), (-2, -2), mode)


def test_pad_layers_take_any_even_padding_and_check_it_as_mindspore():
    x = np.ones((1, 2, 3, 4), np.float32)
    out = nn.ConstantPad2d((0, 1), 0.5)(Tensor(x)).asnumpy()  # the last axis only
    np.testing.assert_array_equal(
        out, np.pad(x, ((0, 0), (0, 0), (0, 0), (0, 1)), constant_values=0.5)
    )
    with pytest.raises(TypeError):
        nn.ReflectionPad1d("-1")
    with pytest.raises(TypeError):
        nn.ReflectionPad1d(("2", 2))
    with pytest.raises(ValueError):
        nn.ReflectionPad1d((1, 2, 2))
    with pytest.raises(ValueError):
        nn.ReflectionPad1d((-1, 2))
    with pytest.raises(ValueError):  # more axes than the input has
        nn.ReflectionPad1d((1,) * 8)(Tensor(np.ones((2, 3), np.float32)))


def test_the_gradient_of_a_function_returning_a_number_is_zero():
    # MindSpore: GradOperation of ops.Size (a Python int) gives zeros; a non-number still raises
    x = Tensor(np.array([[2, 3], [4, 5]], np.int32))
    g = ms.grad(lambda t: ops.size(t), (0,))(x)  # one position in a tuple: the Tensor
    np.testing.assert_array_equal(g.asnumpy(), np.zeros((2, 2), np.int32))
    gx = ms.grad(lambda t: float(t.shape[0]))(Tensor(np.ones(3)))
    np.testing.assert_array_equal(gx.asnumpy(), np.zeros(3))
    with pytest.raises(TypeError, match="must return a Tensor, got str"):
        ms.grad(lambda t: "no")(Tensor(np.ones(3)))


@pytest.mark.parametrize(
    "schedule",
    [
        lambda: nn.CosineDecayLR(0.01, 0.1, 4),
        lambda: nn.WarmUpLR(0.1, 3),
        lambda: nn.ExponentialDecayLR(0.1, 0.9, 2, True),
        lambda: nn.NaturalExpDecayLR(0.1, 0.9, 2),
        lambda: nn.InverseDecayLR(0.1, 0.5, 2, True),
        lambda: nn.PolynomialDecayLR(0.1, 0.01, 3, 0.5),
        lambda: nn.PolynomialDecayLR(0.1, 0.01, 3, 2.0, update_decay_steps=True),
    ],
)
def test_learning_rate_schedules_compile_to_their_python_values(schedule):
    # the schedules were Python-only (a step's .item()): Cell.compile and GRAPH_MODE refused them
    lr = schedule()
    lr.compile(Tensor(np.int32(1)))
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        for step in range(8):
            got = lr(Tensor(np.int32(step))).asnumpy()
            np.testing.assert_allclose(got, np.float32(lr.rate(step)), rtol=1e-6)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    poly = nn.PolynomialDecayLR(0.1, 0.01, 3, 2.0, update_decay_steps=True)
    assert poly.rate(0) == pytest.approx(0.1) and poly.rate(4) == pytest.approx(
        0.09 * (1 - 4 / 6) ** 2 + 0.01
    )


def test_relu6_and_celu_gradients_at_their_kinks():
    # relu6 = min(relu(x), 6) took half of minimum's split tie at x = 6; MindSpore's ReLU6Grad
    # gives 1 on (0, 6]; celu's x > 0 branch owns x = 0 (gradient 1, as PyTorch's)
    x = Tensor(np.array([-1.0, 0.0, 3.0, 6.0, 7.0], np.float32))
    np.testing.assert_array_equal(
        ms.grad(lambda t: ops.relu6(t).sum())(x).asnumpy(), [0, 0, 1, 1, 0]
    )
    g = ms.grad(lambda t: ops.celu(t).sum())(x).asnumpy()
    np.testing.assert_allclose(g, [np.exp(-1.0), 1, 1, 1, 1], rtol=1e-6)
