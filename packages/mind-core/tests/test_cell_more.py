"""Cell.compile, parameter naming and attribute rules, the containers (SequentialCell, CellList,
CellDict), the wrap Cells (TrainOneStepCell's sens/return_grad, WithGradCell,
ForwardValueAndGrad, ParameterUpdate), nn.grad's Jvp and Vjp, and mind.core.runtime."""

from collections import OrderedDict

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops, runtime
from mind.core.errors import (
    CellAttributeError,
    CellNameError,
    MindTypeError,
    MindValueError,
    ShapeInferenceError,
)
from mind.core.nn.grad import Jvp, Vjp
from mind.core.testing import check_grads


@pytest.fixture(params=["pynative", "graph"])
def mode(request):
    """Each test once in PyNative mode and once in GRAPH_MODE."""
    ms.set_context(mode=ms.GRAPH_MODE if request.param == "graph" else ms.PYNATIVE_MODE)
    yield request.param
    ms.set_context(mode=ms.PYNATIVE_MODE)


def f32(*shape, seed=0):
    return Tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


class Affine(nn.Cell):
    def __init__(self, n_in=3, n_out=2):
        super().__init__()
        rng = np.random.default_rng(1)
        self.w = Parameter(Tensor(rng.standard_normal((n_in, n_out)).astype(np.float32)))
        self.b = Parameter(Tensor(np.zeros(n_out, np.float32)))

    def construct(self, x):
        return ops.matmul(x, self.w) + self.b


# ------------------------------------------------------------------------------------------------
# Cell.compile
# ------------------------------------------------------------------------------------------------


def test_compile_builds_the_graph_a_graph_mode_call_then_runs(mode):
    net = Affine()
    x = f32(4, 3)
    assert net.compile(x) is None
    fn = net._graph_function()
    assert fn.compilations == 1
    ms.set_context(mode=ms.GRAPH_MODE)
    out = net(x)
    assert fn.compilations == 1  # the call ran the graph compile() built
    expected = x.asnumpy() @ net.w.asnumpy() + net.b.asnumpy()
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6)


def test_compile_raises_the_errors_of_compiling(mode):
    with pytest.raises(ShapeInferenceError, match="matmul"):
        Affine().compile(f32(4, 5))


def test_compile_does_not_run_a_training_step(mode):
    net = Affine()
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)
    before = net.w.asnumpy().copy()
    step.compile(f32(4, 3), f32(4, 2, seed=1))
    np.testing.assert_array_equal(net.w.asnumpy(), before)
    assert opt.global_step == 0
    step(f32(4, 3), f32(4, 2, seed=1))  # and the step then trains
    assert not np.array_equal(net.w.asnumpy(), before)


def test_compile_without_inputs_uses_the_declared_ones():
    net = Affine()
    net.set_inputs(Tensor(shape=[None, 3], dtype=ms.float32))
    net.compile()
    graph = net._graph_function().graph(Tensor(shape=[None, 3], dtype=ms.float32))
    assert "Float32[-1, 2]" in str(graph)
    with pytest.raises(MindValueError, match="input_signature"):
        net.compile(f32(4, 4))


class AddInto(nn.Cell):
    def construct(self, target, x):
        return ops.assign(target, target + x)


def test_set_inputs_passes_a_parameter_through(mode):
    p = Parameter(Tensor(np.zeros(3, np.float32)), name="acc")
    net = AddInto()
    declared = (p, Tensor(shape=[None], dtype=ms.float32))
    net.set_inputs(*declared)
    assert net.get_inputs() == declared
    x = Tensor(np.array([1.0, 2.0, 3.0], np.float32))
    net(p, x)
    net(p, x)
    np.testing.assert_array_equal(p.asnumpy(), [2.0, 4.0, 6.0])


class Keywords(nn.Cell):
    def construct(self, x, scale=None, shift=0.0):
        return x * scale + shift


def test_compile_and_run_with_keyword_inputs(mode):
    x, s = f32(2, 3), f32(2, 3, seed=2)
    net = Keywords()
    out = net.compile_and_run(x, scale=s, shift=1.5)
    np.testing.assert_allclose(out.asnumpy(), x.asnumpy() * s.asnumpy() + 1.5, rtol=1e-6)
    with pytest.raises(ShapeInferenceError):
        net.compile(x, scale=f32(4, 5))


def test_runtime_synchronize_and_launch_blocking():
    y = ops.exp(f32(3))
    assert runtime.synchronize() is None
    assert runtime.launch_blocking() is None
    np.testing.assert_allclose(y.asnumpy(), np.exp(f32(3).asnumpy()), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# Parameter names and attribute rules
# ------------------------------------------------------------------------------------------------


class Named(nn.Cell):
    def __init__(self):
        super().__init__()
        self.weight = Parameter(Tensor(np.ones(2, np.float32)), name="given")


class Outer(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = Named()
        self.inner = nn.SequentialCell([Named(), nn.Dense(2, 2)])


def test_a_childs_parameters_are_named_by_their_path():
    top = Named()
    assert top.weight.name == "given"  # a top-level name is kept
    net = Outer()
    assert list(net.parameters_dict()) == [
        "a.weight",
        "inner.0.weight",
        "inner.1.weight",
        "inner.1.bias",
    ]


def test_an_emptied_slot_keeps_its_kind():
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.p = Parameter(Tensor(np.ones(2, np.float32)))
            self.c = nn.ReLU()

    net = Net()
    with pytest.raises(MindTypeError, match="is a Parameter"):
        net.p = 3
    with pytest.raises(MindTypeError, match="is a child Cell"):
        net.c = "relu"
    net.p = None
    assert net.p is None and list(net.parameters_dict()) == []
    with pytest.raises(CellNameError, match="is a Parameter"):
        net.p = nn.ReLU()
    net.p = Parameter(Tensor(np.zeros(2, np.float32)))
    assert list(net.parameters_dict()) == ["p"]
    net.c = None
    with pytest.raises(CellNameError, match="is a child Cell"):
        net.c = Parameter(Tensor(np.zeros(1, np.float32)))
    with pytest.raises(KeyError):  # MindSpore's error type
        net.c = Parameter(Tensor(np.zeros(1, np.float32)))


def test_insert_rules():
    cell = nn.Cell()
    p = Parameter(Tensor(np.ones(2, np.float32)), name="w")
    for bad in ("", "a.b"):
        with pytest.raises(KeyError):
            cell.insert_param_to_cell(bad, p)
        with pytest.raises(KeyError):
            cell.insert_child_to_cell(bad, nn.ReLU())
    with pytest.raises(TypeError):
        cell.insert_param_to_cell("w", Tensor(np.ones(2)))
    with pytest.raises(TypeError):
        cell.insert_child_to_cell("m", p)
    with pytest.raises(KeyError, match="already has an attribute"):
        cell.insert_child_to_cell("training", nn.ReLU())
    cell.insert_child_to_cell("empty", None)
    assert cell.empty is None and [n for n, _ in cell.cells_and_names()] == [""]
    cell.insert_child_to_cell("empty", nn.ReLU())
    assert [n for n, _ in cell.cells_and_names()] == ["", "empty"]


def test_assignments_before_super_init():
    class Plain(nn.Cell):
        def __init__(self):
            self.a = 1

        def construct(self):
            return self.a

    net = Plain()  # a plain attribute may come first, as in MindSpore
    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        net()

    class Early(nn.Cell):
        def __init__(self):
            self.w = Parameter(Tensor(np.ones(1, np.float32)))
            super().__init__()

    with pytest.raises(CellAttributeError):
        Early()
    with pytest.raises(AttributeError):
        nn.Cell().construct()


def test_apply_visits_children_first():
    net = nn.SequentialCell(nn.Dense(2, 2), nn.SequentialCell(nn.Dense(2, 2)))
    seen = []
    assert net.apply(lambda c: seen.append(type(c).__name__)) is net
    assert seen == ["Dense", "Dense", "SequentialCell", "SequentialCell"]


# ------------------------------------------------------------------------------------------------
# Containers
# ------------------------------------------------------------------------------------------------


def scaled(k):
    """A Cell multiplying by a weight of value k (a parameter, so names can be checked)."""

    class Scale(nn.Cell):
        def __init__(self):
            super().__init__()
            self.k = Parameter(Tensor(np.array(k, np.float32)))

        def construct(self, x):
            return x * self.k

    return Scale()


class Holder(nn.Cell):
    def __init__(self, seq):
        super().__init__()
        self.layers = seq

    def construct(self, x):
        return self.layers(x)


def names(net):
    return [p.name for p in net.get_parameters()]


def test_sequential_cell_edits_rename_and_compute(mode):
    net = Holder(nn.SequentialCell([scaled(2.0), scaled(3.0)]))
    x = f32(3)
    assert names(net) == ["layers.0.k", "layers.1.k"]
    net.layers.append(scaled(5.0))
    assert names(net) == ["layers.0.k", "layers.1.k", "layers.2.k"]
    np.testing.assert_allclose(net(x).asnumpy(), x.asnumpy() * 30, rtol=1e-6)
    del net.layers[0]
    assert names(net) == ["layers.0.k", "layers.1.k"]
    # The same network: in GRAPH_MODE its graph is compiled again for the new structure.
    np.testing.assert_allclose(net(x).asnumpy(), x.asnumpy() * 15, rtol=1e-6)
    net.layers[-1] = scaled(7.0)
    assert names(net)[-1] == "layers.1.k"
    np.testing.assert_allclose(net(x).asnumpy(), x.asnumpy() * 21, rtol=1e-6)
    check_grads(lambda t: net(t).sum(), (x.asnumpy().astype(np.float64),))


def test_a_replaced_child_or_parameter_is_compiled_again(mode):
    net = Holder(scaled(2.0))
    x = f32(3)
    np.testing.assert_allclose(net(x).asnumpy(), x.asnumpy() * 2, rtol=1e-6)
    net.layers = scaled(5.0)
    np.testing.assert_allclose(net(x).asnumpy(), x.asnumpy() * 5, rtol=1e-6)
    net.layers.k = Parameter(Tensor(np.array(3.0, np.float32)))
    np.testing.assert_allclose(net(x).asnumpy(), x.asnumpy() * 3, rtol=1e-6)
    heads = nn.CellDict({"a": scaled(2.0)})

    class Pick(nn.Cell):
        def __init__(self):
            super().__init__()
            self.heads = heads

        def construct(self, x):
            return self.heads["a"](x)

    pick = Pick()
    np.testing.assert_allclose(pick(x).asnumpy(), x.asnumpy() * 2, rtol=1e-6)
    heads["a"] = scaled(7.0)
    np.testing.assert_allclose(pick(x).asnumpy(), x.asnumpy() * 7, rtol=1e-6)


def test_sequential_cell_slicing_and_errors():
    a, b, c = scaled(1.0), scaled(2.0), scaled(3.0)
    seq = nn.SequentialCell(a, b, c)
    part = seq[1:]
    assert isinstance(part, nn.SequentialCell) and list(part) == [b, c]
    assert b.k.name == "1.k"  # slicing renames nothing
    assert seq[-1] is c and len(seq) == 3 and bool(seq)
    with pytest.raises(TypeError):
        seq[1.0] = a
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(TypeError):
        seq[0] = "relu"
    with pytest.raises(TypeError):
        nn.SequentialCell("relu")
    del seq[:]
    assert len(seq) == 0 and not seq


def test_sequential_cell_named_items_keep_their_names():
    seq = nn.SequentialCell(OrderedDict([("first", scaled(1.0)), ("second", scaled(2.0))]))
    seq.append(scaled(3.0))
    assert [k for k, _ in seq.name_cells().items()] == ["first", "second", "2"]
    del seq[0]
    assert [k for k, _ in seq.name_cells().items()] == ["second", "1"]
    assert names(seq) == ["second.k", "1.k"]
    assert seq.second is seq[0]


def test_cell_list_edits(mode):
    a, b, c = scaled(2.0), scaled(3.0), scaled(5.0)
    holder = nn.Cell()
    holder.blocks = nn.CellList([a])
    holder.blocks += [b]
    holder.blocks.insert(0, c)
    assert list(holder.blocks) == [c, a, b]
    assert names(holder) == ["blocks.0.k", "blocks.1.k", "blocks.2.k"]
    holder.blocks.extend([scaled(7.0)])
    del holder.blocks[1:3]
    assert [float(cell.k.asnumpy()) for cell in holder.blocks] == [5.0, 7.0]
    assert names(holder) == ["blocks.0.k", "blocks.1.k"]
    holder.blocks[0] = b
    assert holder.blocks[0] is b and b.k.name == "blocks.0.k"
    assert isinstance(holder.blocks[:1], nn.CellList)

    class Chain(nn.Cell):
        def __init__(self, blocks):
            super().__init__()
            self.blocks = blocks

        def construct(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    x = f32(4)
    np.testing.assert_allclose(Chain(holder.blocks)(x).asnumpy(), x.asnumpy() * 21, rtol=1e-6)
    with pytest.raises(TypeError):
        nn.CellList(["relu"])
    with pytest.raises(TypeError):
        holder.blocks.extend(nn.ReLU())
    with pytest.raises(IndexError):
        holder.blocks.insert(5, nn.ReLU())
    with pytest.raises(TypeError):
        holder.blocks.extend([nn.CellDict()])


def test_cell_dict(mode):
    heads = nn.CellDict({"double": scaled(2.0), "triple": scaled(3.0)})
    net = nn.Cell()
    net.heads = heads
    assert names(net) == ["heads.double.k", "heads.triple.k"]
    heads["half"] = scaled(0.5)
    assert "half" in heads and len(heads) == 3 and list(heads) == ["double", "triple", "half"]
    assert heads["half"].k.name == "heads.half.k"
    assert [k for k, _ in heads.items()] == list(heads.keys())
    assert heads.pop("triple").k.name == "heads.triple.k" and "triple" not in heads
    heads.update([("quarter", scaled(0.25))])
    assert list(heads) == ["double", "half", "quarter"]

    class Apply(nn.Cell):
        def __init__(self, heads):
            super().__init__()
            self.heads = heads

        def construct(self, x):
            return self.heads["double"](x) + self.heads["quarter"](x)

    x = f32(3)
    np.testing.assert_allclose(Apply(heads)(x).asnumpy(), x.asnumpy() * 2.25, rtol=1e-6)
    for bad in ("", "a.b", "training"):
        with pytest.raises(KeyError):
            heads[bad] = nn.ReLU()
    with pytest.raises(TypeError):
        heads[1] = nn.ReLU()
    with pytest.raises(TypeError):
        heads["x"] = None
    with pytest.raises(TypeError):
        heads["x"] = nn.CellList()
    with pytest.raises(ValueError):
        heads.update([("a", nn.ReLU(), 3)])
    with pytest.raises(TypeError):
        heads.update(3)
    heads.clear()
    assert len(heads) == 0 and names(net) == []


# ------------------------------------------------------------------------------------------------
# Wrap Cells
# ------------------------------------------------------------------------------------------------


def _step(return_grad=False, sens=None):
    net = Affine()
    opt = nn.SGD(net.trainable_params(), 0.1)
    return net, nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.MSELoss()), opt, sens=sens, return_grad=return_grad
    )


def test_train_one_step_returns_the_gradients_by_name(mode):
    x, y = f32(4, 3), f32(4, 2, seed=1)
    net, step = _step(return_grad=True)
    w, b = net.w.asnumpy().copy(), net.b.asnumpy().copy()
    loss, grads = step(x, y)
    assert list(grads) == ["w", "b"]
    # Closed form for the mean squared error of x @ w + b.
    r = x.asnumpy() @ w + b - y.asnumpy()
    np.testing.assert_allclose(loss.asnumpy(), (r**2).mean(), rtol=1e-5)
    np.testing.assert_allclose(grads["w"].asnumpy(), x.asnumpy().T @ r * 2 / r.size, rtol=1e-5)
    np.testing.assert_allclose(grads["b"].asnumpy(), r.sum(0) * 2 / r.size, rtol=1e-5)
    np.testing.assert_allclose(net.w.asnumpy(), w - 0.1 * grads["w"].asnumpy(), rtol=1e-5)


def test_train_one_step_sens():
    x, y = f32(4, 3), f32(4, 2, seed=1)
    _, plain = _step(return_grad=True)
    _, scaled_step = _step(return_grad=True, sens=4.0)
    assert plain.sens == 1.0
    g1 = plain(x, y)[1]["w"].asnumpy()
    g4 = scaled_step(x, y)[1]["w"].asnumpy()
    np.testing.assert_allclose(g4, 4 * g1, rtol=1e-5)
    with pytest.raises(ValueError):
        _step(sens=0)
    with pytest.raises(TypeError):
        _step(sens="1")


def test_with_grad_cell(mode):
    x, y = f32(4, 3), f32(4, 2, seed=1)
    net = Affine()
    grads = nn.WithGradCell(net, nn.MSELoss())(x, y)
    r = x.asnumpy() @ net.w.asnumpy() + net.b.asnumpy() - y.asnumpy()
    np.testing.assert_allclose(grads[0].asnumpy(), x.asnumpy().T @ r * 2 / r.size, rtol=1e-5)
    sens = Tensor(np.float32(3.0))
    grads3 = nn.WithGradCell(net, nn.MSELoss(), sens=sens)(x, y)
    np.testing.assert_allclose(grads3[1].asnumpy(), 3 * grads[1].asnumpy(), rtol=1e-5)


class Product(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0, 3.0], np.float32)), name="w")

    def construct(self, x, y):
        return (x * y * self.w).sum()


def test_forward_value_and_grad(mode):
    x = Tensor(np.array([1.0, 2.0], np.float32))
    y = Tensor(np.array([5.0, 7.0], np.float32))
    net = Product()
    w = net.w.asnumpy()
    value, gx = nn.ForwardValueAndGrad(net)(x, y)
    np.testing.assert_allclose(value.asnumpy(), (x.asnumpy() * y.asnumpy() * w).sum())
    np.testing.assert_allclose(gx.asnumpy(), y.asnumpy() * w)
    _, (gxs, gws) = nn.ForwardValueAndGrad(
        net, net.trainable_params(), get_all=True, get_by_list=True
    )(x, y)
    np.testing.assert_allclose(gxs[1].asnumpy(), x.asnumpy() * w)
    np.testing.assert_allclose(gws[0].asnumpy(), x.asnumpy() * y.asnumpy())
    value, gx = nn.ForwardValueAndGrad(net, sens_param=True)(x, y, Tensor(np.float32(2.0)))
    np.testing.assert_allclose(gx.asnumpy(), 2 * y.asnumpy() * w)
    with pytest.raises(TypeError):
        nn.ForwardValueAndGrad(net, get_by_list=True)
    with pytest.raises(TypeError):
        nn.ForwardValueAndGrad(3)


def test_parameter_update(mode):
    p = Parameter(Tensor(np.zeros(3, np.float32)), name="lr")
    update = nn.ParameterUpdate(p)
    out = update(Tensor(np.array([1.0, 2.0, 3.0], np.float32)))
    np.testing.assert_array_equal(p.asnumpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(out.asnumpy(), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError):
        nn.ParameterUpdate(np.array([1]))


# ------------------------------------------------------------------------------------------------
# nn.grad: Jvp and Vjp
# ------------------------------------------------------------------------------------------------


class Cube(nn.Cell):
    def construct(self, x):
        return x**3


class TwoInTwoOut(nn.Cell):
    def construct(self, x, y):
        return 2 * x * y, y**3


def test_jvp_cell(mode):
    x, v = f32(2, 2), f32(2, 2, seed=3)
    out, tangent = Jvp(Cube())(x, v)
    np.testing.assert_allclose(out.asnumpy(), x.asnumpy() ** 3, rtol=1e-5)
    np.testing.assert_allclose(tangent.asnumpy(), 3 * x.asnumpy() ** 2 * v.asnumpy(), rtol=1e-5)
    y, u = f32(2, 2, seed=4), f32(2, 2, seed=5)
    (o1, o2), (t1, t2) = nn.Jvp(TwoInTwoOut())(x, y, (v, u))
    xn, yn, vn, un = (a.asnumpy() for a in (x, y, v, u))
    np.testing.assert_allclose(t1.asnumpy(), 2 * (vn * yn + xn * un), rtol=1e-5)
    np.testing.assert_allclose(t2.asnumpy(), 3 * yn**2 * un, rtol=1e-5)
    with pytest.raises(TypeError):
        Jvp(Cube())(x, (v, v))
    with pytest.raises(TypeError):
        Jvp(TwoInTwoOut())(x, y, v)
    with pytest.raises(TypeError):
        Jvp(TwoInTwoOut())((x, y), (v, u))


def test_vjp_cell(mode):
    x, v = f32(2, 2), f32(2, 2, seed=3)
    out, cot = Vjp(Cube())(x, v)
    np.testing.assert_allclose(cot.asnumpy(), 3 * x.asnumpy() ** 2 * v.asnumpy(), rtol=1e-5)
    y, u = f32(2, 2, seed=4), f32(2, 2, seed=5)
    _, (cx, cy) = nn.Vjp(TwoInTwoOut())(x, y, (v, u))
    xn, yn, vn, un = (a.asnumpy() for a in (x, y, v, u))
    np.testing.assert_allclose(cx.asnumpy(), 2 * yn * vn, rtol=1e-5)
    np.testing.assert_allclose(cy.asnumpy(), 2 * xn * vn + 3 * yn**2 * un, rtol=1e-5)
    with pytest.raises(TypeError):
        Vjp(Cube())(x, (v,))
    with pytest.raises(TypeError):
        Vjp(TwoInTwoOut())(x, y, v)
