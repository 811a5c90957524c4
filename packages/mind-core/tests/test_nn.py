"""nn: Cell API, layers against numpy, losses, optimizers against their update formulas."""

import numpy as np
import pytest
from scipy import special

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core.common.initializer import HeUniform, Normal, XavierUniform, initializer
from mind.core.errors import MindTypeError, MindValueError

rng = np.random.default_rng(3)


def a(*shape):
    return rng.standard_normal(shape).astype(np.float32)


# -- Cell ----------------------------------------------------------------------------------------


class Block(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = nn.Dense(3, 2)
        self.scale = Parameter(Tensor([2.0]), requires_grad=False)

    def construct(self, x):
        return self.fc(x) * self.scale


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.drop = nn.Dropout(p=0.5)
        self.head = nn.SequentialCell(nn.ReLU(), nn.Dense(2, 1))

    def construct(self, x):
        return self.head(self.drop(self.block(x)))


def test_parameter_names_follow_attribute_paths():
    net = Net()
    names = [n for n, _ in net.parameters_and_names()]
    assert names == [
        "block.scale",
        "block.fc.weight",
        "block.fc.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert [p.name for p in net.get_parameters()] == names
    assert [n for n, _ in net.block.parameters_and_names()] == ["scale", "fc.weight", "fc.bias"]
    assert net.block.fc.weight.name == "block.fc.weight"  # walking a sub-cell renames nothing
    assert [p.name for p in net.trainable_params()] == [
        "block.fc.weight",
        "block.fc.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert [p.name for p in net.untrainable_params()] == ["block.scale"]
    assert list(net.parameters_dict()) == names
    wrapped = nn.WithLossCell(net, nn.MSELoss())  # auto_prefix=False: no "_backbone." level
    assert [n for n, _ in wrapped.parameters_and_names()] == names
    assert [n for n, _ in net.cells_and_names()] == [
        "",
        "block",
        "block.fc",
        "drop",
        "head",
        "head.0",
        "head.1",
    ]


def test_set_train_reaches_every_cell_and_dropout_obeys():
    net = Net()
    x = Tensor(np.ones((4, 3), np.float32))
    net.set_train(False)
    np.testing.assert_array_equal(net(x).asnumpy(), net(x).asnumpy())
    net.set_train(True)
    assert all(c.training for _, c in net.cells_and_names())


def test_insert_child_and_errors():
    cell = nn.Cell()
    cell.insert_child_to_cell("fc", nn.Dense(2, 2))
    assert "fc.weight" in cell.parameters_dict()
    with pytest.raises(MindValueError, match=r"must not contain '\.'"):
        cell.insert_child_to_cell("a.b", nn.Dense(2, 2))
    with pytest.raises(MindTypeError, match="must be a Cell"):
        cell.insert_child_to_cell("x", 3)

    class Forgot(nn.Cell):
        def __init__(self):
            self.fc = nn.Dense(2, 2)

    with pytest.raises(MindTypeError, match=r"call super\(\).__init__\(\)"):
        Forgot()


def test_cell_list_and_sequential():
    cells = nn.CellList([nn.Dense(2, 2), nn.Dense(2, 3)])
    seq = nn.SequentialCell(list(cells))
    assert len(cells) == 2 and len(seq) == 2 and seq[1] is cells[1]
    assert seq(Tensor(np.ones((1, 2), np.float32))).shape == (1, 3)
    assert len(list(seq.get_parameters())) == 4


# -- layers --------------------------------------------------------------------------------------


def test_dense_matches_numpy_and_activation():
    layer = nn.Dense(4, 3, activation="relu")
    x = a(5, 4)
    want = np.maximum(x @ layer.weight.asnumpy().T + layer.bias.asnumpy(), 0)
    np.testing.assert_allclose(layer(Tensor(x)).asnumpy(), want, rtol=1e-5)
    assert layer(Tensor(a(2, 6, 4))).shape == (2, 6, 3)


@pytest.mark.parametrize(
    ("pad_mode", "stride", "expected"),
    [("same", 1, (7, 7)), ("same", 2, (4, 4)), ("valid", 1, (5, 5)), ("pad", 1, (7, 7))],
)
def test_conv2d_output_shapes_follow_mindspore_pad_modes(pad_mode, stride, expected):
    conv = nn.Conv2d(
        3, 4, 3, stride=stride, pad_mode=pad_mode, padding=1 if pad_mode == "pad" else 0
    )
    assert conv(Tensor(a(2, 3, 7, 7))).shape == (2, 4, *expected)
    assert conv.weight.shape == (4, 3, 3, 3) and conv.bias is None


def test_conv1d_and_transpose_shapes():
    assert nn.Conv1d(2, 3, 3, pad_mode="same", has_bias=True)(Tensor(a(2, 2, 9))).shape == (2, 3, 9)
    up = nn.Conv2dTranspose(4, 2, 3, stride=2, pad_mode="same")
    assert up(Tensor(a(1, 4, 5, 5))).shape == (1, 2, 10, 10)
    assert nn.Conv2dTranspose(4, 2, 3, stride=2, pad_mode="valid")(Tensor(a(1, 4, 5, 5))).shape == (
        1,
        2,
        11,
        11,
    )


def test_conv_transpose_is_the_adjoint_of_conv():
    x, y = a(1, 2, 6, 6), a(1, 3, 3, 3)
    w = a(3, 2, 3, 3)
    conv = ops.conv2d(Tensor(x), Tensor(w), stride=2, pad_mode="pad", padding=1).asnumpy()
    back = ops.conv_transpose2d(
        Tensor(y), Tensor(w), stride=2, padding=1, output_padding=1
    ).asnumpy()
    assert back.shape == x.shape
    assert np.isclose((conv * y).sum(), (x * back).sum(), rtol=1e-4)


def test_pooling_layers():
    x = a(1, 1, 4, 4)
    np.testing.assert_allclose(
        nn.MaxPool2d(2, 2)(Tensor(x)).asnumpy(), x.reshape(1, 1, 2, 2, 2, 2).max(axis=(3, 5))
    )
    np.testing.assert_allclose(
        nn.AvgPool2d(2, 2)(Tensor(x)).asnumpy(),
        x.reshape(1, 1, 2, 2, 2, 2).mean(axis=(3, 5)),
        rtol=1e-6,
    )
    assert nn.MaxPool2d(3, 2, pad_mode="same")(Tensor(a(1, 1, 5, 5))).shape == (1, 1, 3, 3)
    np.testing.assert_allclose(
        nn.AdaptiveAvgPool2d(1)(Tensor(x)).asnumpy().ravel(), [x.mean()], rtol=1e-6
    )


def test_batchnorm_training_and_eval_match_numpy():
    bn = nn.BatchNorm2d(3, momentum=0.9)
    x = a(4, 3, 2, 2) * 3 + 1
    bn.set_train(True)
    y = bn(Tensor(x)).asnumpy()
    mu, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(
        y,
        (x - mu[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-5),
        rtol=1e-4,
        atol=1e-5,
    )
    n = x.size / 3
    np.testing.assert_allclose(bn.moving_mean.asnumpy(), 0.1 * mu, rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_variance.asnumpy(), 0.9 + 0.1 * var * n / (n - 1), rtol=1e-5
    )
    bn.set_train(False)
    mm, mv = bn.moving_mean.asnumpy(), bn.moving_variance.asnumpy()
    want = (x - mm[None, :, None, None]) / np.sqrt(mv[None, :, None, None] + 1e-5)
    np.testing.assert_allclose(bn(Tensor(x)).asnumpy(), want, rtol=1e-4, atol=1e-5)
    with pytest.raises(MindValueError, match="with 3 channels"):
        bn(Tensor(a(2, 4, 2, 2)))


def test_layer_norm_and_group_norm_match_numpy():
    x = a(2, 4, 3)
    ln = nn.LayerNorm((3,), epsilon=1e-5)
    want = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(ln(Tensor(x)).asnumpy(), want, rtol=1e-4, atol=1e-5)
    gn = nn.GroupNorm(2, 4)
    g = x.reshape(2, 2, -1)
    want = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + 1e-5)).reshape(
        x.shape
    )
    np.testing.assert_allclose(gn(Tensor(x)).asnumpy(), want, rtol=1e-4, atol=1e-5)


def test_dropout_scales_kept_values_and_is_seeded():
    drop = nn.Dropout(p=0.25)
    drop.set_train(True)
    ms.set_seed(1)
    y = drop(Tensor(np.ones(10000, np.float32))).asnumpy()
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    ms.set_seed(1)
    np.testing.assert_array_equal(drop(Tensor(np.ones(10000, np.float32))).asnumpy(), y)


def test_embedding_and_flatten_and_activations():
    emb = nn.Embedding(5, 3, padding_idx=0)
    ids = Tensor(np.array([[0, 4], [2, 2]]))
    np.testing.assert_array_equal(
        emb(ids).asnumpy(), emb.embedding_table.asnumpy()[[[0, 4], [2, 2]]]
    )
    assert not emb.embedding_table.asnumpy()[0].any()
    assert nn.Flatten()(Tensor(a(2, 3, 4))).shape == (2, 12)
    x = a(5)
    np.testing.assert_allclose(
        nn.GELU()(Tensor(x)).asnumpy(),
        0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        nn.GELU(approximate=False)(Tensor(x)).asnumpy(), x * special.ndtr(x), rtol=1e-5
    )
    np.testing.assert_allclose(nn.Softmax()(Tensor(x)).asnumpy(), special.softmax(x), rtol=1e-5)


def test_initializers():
    ms.set_seed(0)
    w = initializer(XavierUniform(), (64, 32))
    bound = np.sqrt(6 / 96)
    assert w.shape == (64, 32) and np.abs(w.asnumpy()).max() <= bound
    assert abs(initializer(Normal(0.5), (200, 200)).asnumpy().std() - 0.5) < 0.01
    he = initializer(HeUniform(), (100, 50)).asnumpy()
    assert np.abs(he).max() <= np.sqrt(2 / (1 + 0)) * np.sqrt(3 / 50) * 1.0001 * np.sqrt(
        1 / (1 + 0.0)
    )
    assert initializer("zeros", (2,)).asnumpy().tolist() == [0.0, 0.0]
    assert initializer(3, (2,), ms.int32).asnumpy().tolist() == [3, 3]
    with pytest.raises(MindValueError, match="unknown initializer 'glorot'"):
        initializer("glorot", (2, 2))


# -- losses --------------------------------------------------------------------------------------


def test_losses_match_numpy():
    logits, labels = a(6, 4), rng.integers(0, 4, 6)
    logp = special.log_softmax(logits, 1)
    ce = -logp[np.arange(6), labels]
    np.testing.assert_allclose(
        nn.CrossEntropyLoss()(Tensor(logits), Tensor(labels)).asnumpy(), ce.mean(), rtol=1e-5
    )
    np.testing.assert_allclose(
        nn.CrossEntropyLoss(reduction="sum")(Tensor(logits), Tensor(labels)).asnumpy(),
        ce.sum(),
        rtol=1e-5,
    )
    smoothed = nn.CrossEntropyLoss(label_smoothing=0.1)(Tensor(logits), Tensor(labels)).asnumpy()
    target = np.eye(4)[labels] * 0.9 + 0.1 / 4
    np.testing.assert_allclose(smoothed, -(target * logp).sum(1).mean(), rtol=1e-5)
    ignore = labels.copy()
    ignore[0] = -100
    np.testing.assert_allclose(
        nn.CrossEntropyLoss()(Tensor(logits), Tensor(ignore)).asnumpy(), ce[1:].mean(), rtol=1e-5
    )
    onehot = np.eye(4, dtype=np.float32)[labels]
    np.testing.assert_allclose(
        nn.SoftmaxCrossEntropyWithLogits()(Tensor(logits), Tensor(onehot)).asnumpy(), ce, rtol=1e-5
    )
    np.testing.assert_allclose(
        nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")(
            Tensor(logits), Tensor(labels)
        ).asnumpy(),
        ce.mean(),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        nn.NLLLoss()(Tensor(logp.astype(np.float32)), Tensor(labels)).asnumpy(),
        ce.mean(),
        rtol=1e-5,
    )
    x, y = a(5), a(5)
    np.testing.assert_allclose(
        nn.MSELoss()(Tensor(x), Tensor(y)).asnumpy(), ((x - y) ** 2).mean(), rtol=1e-5
    )
    np.testing.assert_allclose(
        nn.L1Loss()(Tensor(x), Tensor(y)).asnumpy(), np.abs(x - y).mean(), rtol=1e-5
    )
    d = np.abs(x - y)
    np.testing.assert_allclose(
        nn.SmoothL1Loss()(Tensor(x), Tensor(y)).asnumpy(),
        np.where(d < 1, 0.5 * d * d, d - 0.5),
        rtol=1e-5,
    )
    t = (y > 0).astype(np.float32)
    p = special.expit(x)
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss()(Tensor(x), Tensor(t)).asnumpy(), bce.mean(), rtol=1e-5
    )
    pw = np.float32(2.0)
    bce_pw = -(pw * t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(pos_weight=Tensor(pw))(Tensor(x), Tensor(t)).asnumpy(),
        bce_pw.mean(),
        rtol=1e-5,
    )


def test_cross_entropy_errors_name_the_argument():
    with pytest.raises(
        MindValueError, match=r"For 'cross_entropy', 'target' shape \(3,\) must be \(2,\)"
    ):
        ops.cross_entropy(Tensor(a(2, 4)), Tensor(np.array([0, 1, 2])))


# -- optimizers ----------------------------------------------------------------------------------


def _run_optimizer(make, steps=3, wd=0.0):
    """Apply fixed gradients to one parameter; return its trajectory."""
    p = Parameter(Tensor(np.array([1.0, -2.0, 3.0], np.float32)), name="p")
    opt = make([p])
    grads = [np.array([0.5, -1.0, 2.0], np.float32) * (k + 1) for k in range(steps)]
    out = []
    for g in grads:
        opt((Tensor(g),))
        out.append(p.asnumpy().copy())
    return np.array(out), grads


def test_momentum_matches_apply_momentum():
    traj, grads = _run_optimizer(lambda ps: nn.Momentum(ps, 0.1, 0.9))
    p, v = np.array([1.0, -2.0, 3.0]), np.zeros(3)
    for k, g in enumerate(grads):
        v = 0.9 * v + g
        p = p - 0.1 * v
        np.testing.assert_allclose(traj[k], p, rtol=1e-6)


def test_sgd_with_weight_decay_and_nesterov():
    traj, grads = _run_optimizer(
        lambda ps: nn.SGD(ps, 0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    )
    p, v = np.array([1.0, -2.0, 3.0]), np.zeros(3)
    for k, g in enumerate(grads):
        g = g + 0.01 * p
        v = 0.9 * v + g
        p = p - 0.1 * (g + 0.9 * v)
        np.testing.assert_allclose(traj[k], p, rtol=1e-5)


def test_adam_matches_formula():
    traj, grads = _run_optimizer(lambda ps: nn.Adam(ps, 0.01))
    p, m, v = np.array([1.0, -2.0, 3.0]), np.zeros(3), np.zeros(3)
    for k, g in enumerate(grads, 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - 0.01 * np.sqrt(1 - 0.999**k) / (1 - 0.9**k) * m / (np.sqrt(v) + 1e-8)
        np.testing.assert_allclose(traj[k - 1], p, rtol=1e-5)


def test_adamw_and_adam_weight_decay():
    traj, grads = _run_optimizer(lambda ps: nn.AdamW(ps, 0.01, weight_decay=0.1))
    p, m, v = np.array([1.0, -2.0, 3.0]), np.zeros(3), np.zeros(3)
    for k, g in enumerate(grads, 1):
        p = p * (1 - 0.01 * 0.1)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - 0.01 * (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-8)
        np.testing.assert_allclose(traj[k - 1], p, rtol=1e-5)
    traj, grads = _run_optimizer(lambda ps: nn.AdamWeightDecay(ps, 0.01, weight_decay=0.1))
    p, m, v = np.array([1.0, -2.0, 3.0]), np.zeros(3), np.zeros(3)
    for k, g in enumerate(grads):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - 0.01 * (m / (np.sqrt(v) + 1e-6) + 0.1 * p)
        np.testing.assert_allclose(traj[k], p, rtol=1e-5)


def test_lamb_and_rmsprop():
    traj, grads = _run_optimizer(lambda ps: nn.Lamb(ps, 0.01, weight_decay=0.01))
    p, m, v = np.array([1.0, -2.0, 3.0]), np.zeros(3), np.zeros(3)
    for k, g in enumerate(grads, 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        u = (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-6) + 0.01 * p
        p = p - 0.01 * np.linalg.norm(p) / np.linalg.norm(u) * u
        np.testing.assert_allclose(traj[k - 1], p, rtol=1e-5)
    traj, grads = _run_optimizer(lambda ps: nn.RMSProp(ps, 0.01, momentum=0.5, centered=True))
    p, ms_, mg, mom = np.array([1.0, -2.0, 3.0]), np.zeros(3), np.zeros(3), np.zeros(3)
    for k, g in enumerate(grads):
        ms_ = 0.9 * ms_ + 0.1 * g * g
        mg = 0.9 * mg + 0.1 * g
        mom = 0.5 * mom + 0.01 * g / np.sqrt(ms_ - mg * mg + 1e-10)
        p = p - mom
        np.testing.assert_allclose(traj[k], p, rtol=1e-4)


def test_parameter_groups_and_schedules():
    a_, b_ = Parameter(Tensor([1.0]), name="a"), Parameter(Tensor([1.0]), name="b")
    opt = nn.SGD(
        [{"params": [a_], "lr": 0.5}, {"params": [b_], "weight_decay": 1.0}], learning_rate=0.1
    )
    opt((Tensor([1.0]), Tensor([1.0])))
    assert a_.item() == pytest.approx(0.5) and b_.item() == pytest.approx(1 - 0.1 * 2.0)
    sched = nn.CosineDecayLR(0.0, 1.0, 4)
    assert [round(sched(Tensor(s)).item(), 6) for s in range(5)] == [
        1.0,
        0.853553,
        0.5,
        0.146447,
        0.0,
    ]
    assert nn.WarmUpLR(0.1, 2)(Tensor(1)).item() == pytest.approx(0.05)
    assert nn.piecewise_constant_lr([2, 5], [0.1, 0.01]) == [0.1, 0.1, 0.01, 0.01, 0.01]
    # MindSpore's documented values: the first epoch at 0 (silent wrong value 3 of issue 14)
    assert nn.warmup_lr(0.1, 6, 2, 2) == [0.0, 0.0, 0.05, 0.05, 0.1, 0.1]
    c = Parameter(Tensor([0.0]), name="c")
    opt = nn.SGD([c], learning_rate=[1.0, 2.0])
    for _ in range(3):
        opt((Tensor([1.0]),))
    assert c.item() == pytest.approx(-5.0)  # 1 + 2 + 2: the last rate holds
    with pytest.raises(MindValueError, match="got 1 gradients for 2 parameters"):
        nn.SGD([a_, b_], 0.1)((Tensor([1.0]),))


def test_train_one_step_reduces_loss():
    ms.set_seed(0)
    net = nn.SequentialCell(nn.Dense(4, 16), nn.ReLU(), nn.Dense(16, 3))
    step = nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Adam(net.trainable_params(), 0.05)
    )
    x = Tensor(a(32, 4))
    y = Tensor((x.asnumpy()[:, 0] > 0).astype(np.int64) + (x.asnumpy()[:, 1] > 0))
    losses = [step(x, y).item() for _ in range(60)]
    assert losses[-1] < 0.2 * losses[0]
