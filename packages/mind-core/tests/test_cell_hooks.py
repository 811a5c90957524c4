"""A Cell's own bprop, its forward and backward hooks, ops.HookBackward, to_float, phase and
recompute."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core import dtype as mstype


class Cube(nn.Cell):
    def construct(self, x, y):
        return x * x * x + y


class CubeWithRule(Cube):
    def bprop(self, x, y, out, dout):
        return dout * 100, dout * y  # not the true gradient: the rule must win


def loss(net):
    return lambda x, y: (net(x, y) * Tensor([1.0, 2.0])).sum()


X, Y = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])


def test_without_a_bprop_the_gradient_is_the_true_one():
    gx, gy = ms.grad(loss(Cube()), grad_position=(0, 1))(X, Y)
    np.testing.assert_allclose(gx.asnumpy(), [3.0, 24.0])  # 3x^2 * (1, 2)
    np.testing.assert_allclose(gy.asnumpy(), [1.0, 2.0])


@pytest.mark.parametrize("mode", ["pynative", "jit", "graph"])
def test_a_cells_bprop_replaces_its_traced_backward(mode):
    grad = ms.grad(loss(CubeWithRule()), grad_position=(0, 1))
    if mode == "jit":
        grad = ms.jit(grad)
    if mode == "graph":
        ms.set_context(mode=ms.GRAPH_MODE)
    try:
        gx, gy = grad(X, Y)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    np.testing.assert_allclose(gx.asnumpy(), [100.0, 200.0])
    np.testing.assert_allclose(gy.asnumpy(), [3.0, 8.0])
    # The forward value is construct's.
    np.testing.assert_allclose(CubeWithRule()(X, Y).asnumpy(), [4.0, 12.0])


def test_forward_hooks_change_inputs_and_outputs_until_removed():
    net = nn.Dense(2, 2)
    seen = []
    pre = net.register_forward_pre_hook(lambda cell, inputs: (inputs[0] * 0,))
    post = net.register_forward_hook(lambda cell, inputs, out: seen.append(out.shape) or out + 1)
    x = Tensor(np.ones((1, 2), np.float32))
    np.testing.assert_allclose(net(x).asnumpy(), net.bias.asnumpy()[None] + 1, rtol=1e-6)
    assert seen == [(1, 2)]
    pre.remove()
    post.remove()
    want = x.asnumpy() @ net.weight.asnumpy().T + net.bias.asnumpy()
    np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-6)
    assert seen == [(1, 2)]


def test_a_backward_hook_sees_and_replaces_the_input_gradient():
    net = nn.Dense(2, 1)
    calls = []

    def hook(cell, grad_input, grad_output):
        calls.append((grad_input[0].asnumpy(), grad_output[0].asnumpy()))
        return (grad_input[0] * 10,)

    handle = net.register_backward_hook(hook)
    x = Tensor(np.ones((1, 2), np.float32))
    g = ms.grad(lambda v: net(v).sum())(x)
    ((grad_in, grad_out),) = calls
    np.testing.assert_allclose(grad_in, net.weight.asnumpy(), rtol=1e-6)  # d sum(xW^T)/dx = W
    np.testing.assert_allclose(grad_out, [[1.0]])
    np.testing.assert_allclose(g.asnumpy(), 10 * net.weight.asnumpy(), rtol=1e-6)
    # Weights still get their gradients.
    gw = ms.grad(lambda v: net(v).sum(), None, net.trainable_params())(x)
    np.testing.assert_allclose(gw[0].asnumpy(), x.asnumpy(), rtol=1e-6)
    handle.remove()
    np.testing.assert_allclose(ms.grad(lambda v: net(v).sum())(x).asnumpy(), net.weight.asnumpy())


def test_hook_backward_prints_and_scales_gradients():
    seen = []
    hook = ops.HookBackward(lambda g: seen.append(g.asnumpy()) or g * 2)

    def f(x):
        return (hook(x * 3) ** 2).sum()

    x = Tensor([1.0, -1.0])
    g = ms.grad(f)(x)
    np.testing.assert_allclose(seen[0], [6.0, -6.0])  # d(u^2)/du at u = 3x
    np.testing.assert_allclose(g.asnumpy(), [36.0, -36.0])  # doubled, then times 3
    np.testing.assert_allclose(hook(x).asnumpy(), x.asnumpy())  # identity forward


def test_to_float_casts_inputs_and_phase_follows_training():
    class Echo(nn.Cell):
        def construct(self, x):
            return x

    cell = Echo().to_float(mstype.float16)
    assert cell(Tensor([1.0])).dtype == mstype.float16
    assert cell(Tensor(np.array([1]))).dtype == mstype.int64  # integers untouched
    assert Echo().phase == "predict" and Echo().set_train().phase == "train"
    cell.phase = "eval"
    assert cell.phase == "eval"


class Block(nn.Cell):
    """Dense, tanh, dropout, Dense: random masks and weights, counting its forward runs."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Dense(4, 8), nn.Dense(8, 3)
        self.drop = nn.Dropout(p=0.3)
        self.runs = 0

    def construct(self, x):
        self.runs += 1
        return self.fc2(self.drop(ops.tanh(self.fc1(x))))


class Headed(nn.Cell):
    def __init__(self, checkpoint):
        super().__init__()
        self.block, self.head = Block(), nn.Dense(3, 2)
        self.checkpoint = checkpoint
        if checkpoint == "cell":
            self.block.recompute()

    def construct(self, x):
        h = ms.recompute(self.block, x) if self.checkpoint == "function" else self.block(x)
        return (self.head(h) ** 2).sum()


@pytest.mark.parametrize("checkpoint", ["cell", "function"])
def test_recompute_runs_the_block_again_for_the_same_gradients_dropout_included(checkpoint):
    x = Tensor(np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32))
    results = {}
    for kind in (None, checkpoint):
        ms.set_seed(1)
        net = Headed(kind).set_train()
        ms.set_seed(7)  # the same dropout masks for both nets
        loss, (dx, dw) = ms.value_and_grad(net, 0, net.trainable_params())(x)
        results[kind] = (net.block.runs, loss.asnumpy(), dx.asnumpy(), [g.asnumpy() for g in dw])
    plain, again = results[None], results[checkpoint]
    assert (plain[0], again[0]) == (1, 2)  # the backward ran the block a second time
    np.testing.assert_array_equal(again[1], plain[1])
    np.testing.assert_allclose(again[2], plain[2], rtol=1e-6, atol=1e-7)
    for a, b in zip(again[3], plain[3]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert len(again[3]) == 6 and any(np.abs(g).sum() > 0 for g in again[3][:4])


def test_recompute_second_order_and_outside_a_gradient():
    x = Tensor(np.random.default_rng(1).normal(size=(3, 4)))
    ms.set_seed(2)
    plain = Headed(None)
    ms.set_seed(2)
    checkpointed = Headed("cell")
    second = [
        ms.grad(lambda x, n=n: ms.grad(n)(x).sum())(x).asnumpy() for n in (plain, checkpointed)
    ]
    np.testing.assert_allclose(second[1], second[0], rtol=1e-10)
    assert ms.recompute(checkpointed.block, x).shape == (3, 3)
    # forward, the inner backward's rerun, and the outer backward's through the block's output
    # (the head's cotangent depends on it), then the plain call
    assert checkpointed.block.runs == 4
    with pytest.raises(TypeError, match="'block' must be a Cell"):
        ms.recompute(lambda x: x, x)
    with pytest.raises(ValueError, match="unexpected arguments"):
        Block().recompute(recompute_everything=True)


class Stack(nn.Cell):
    """Four residual blocks (Dense 16->64, tanh, dropout, Dense 64->16), optionally recomputed."""

    def __init__(self, recompute, p):
        super().__init__()
        self.blocks = nn.CellList([Residual(p) for _ in range(4)])
        for block in self.blocks if recompute else ():
            block.recompute()

    def construct(self, x):
        for block in self.blocks:
            x = block(x)
        return (x * x).mean()


class Residual(nn.Cell):
    def __init__(self, p):
        super().__init__()
        self.fc1, self.fc2 = nn.Dense(16, 64), nn.Dense(64, 16)
        self.drop = nn.Dropout(p=p)

    def construct(self, x):
        h = ops.tanh(self.fc1(x))
        return x + self.fc2(self.drop(ops.sigmoid(h) * h))


@pytest.mark.parametrize("p", [0.0, 0.4])
def test_recompute_inside_a_compiled_gradient_reruns_blocks_and_lowers_peak_memory(p):
    x = Tensor(np.random.default_rng(3).normal(size=(32, 16)).astype(np.float32))
    found = {}
    for recompute in (False, True):
        ms.set_seed(1)
        net = Stack(recompute, p).set_train()
        step = ms.jit(ms.value_and_grad(net, None, net.trainable_params()))
        ms.set_seed(5)  # the same dropout masks for both graphs
        loss, grads = step(x)
        found[recompute] = loss.asnumpy(), [g.asnumpy() for g in grads], step.compile(x)
    (loss0, g0, plain), (loss1, g1, again) = found[False], found[True]
    np.testing.assert_array_equal(loss1, loss0)
    for a, b in zip(g1, g0):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    # the rerun is in the graph (one depend per block, each block's ops twice) and the blocks'
    # activations no longer live until the backward
    assert sum(n.prim == "depend" for n in again.graph.nodes) == 4
    count = lambda c: sum(n.prim == "tanh" for n in c.graph.nodes)  # noqa: E731
    assert (count(plain), count(again)) == (4, 8)
    assert again.memory_plan.peak_bytes < 0.7 * plain.memory_plan.peak_bytes
    if p == 0.0:  # against PyNative, no masks to match
        ms.set_seed(1)
        net = Stack(False, p).set_train()
        _, eager = ms.value_and_grad(net, None, net.trainable_params())(x)
        for a, b in zip(g1, eager):
            np.testing.assert_allclose(a, b.asnumpy(), rtol=1e-5, atol=1e-6)


def test_depend_keeps_cse_apart_in_a_graph_and_is_its_value():
    def f(x):
        a = ops.sin(x)
        return a + ops.sin(ops.depend(x, a))

    x = Tensor(np.array([0.5, 1.0], np.float32))
    step = ms.jit(f)
    np.testing.assert_allclose(step(x).asnumpy(), 2 * np.sin([0.5, 1.0]), rtol=1e-6)
    assert sum(n.prim == "sin" for n in step.compile(x).graph.nodes) == 2
    np.testing.assert_allclose(ms.grad(step)(x).asnumpy(), 2 * np.cos([0.5, 1.0]), rtol=1e-6)
    assert ops.depend(x, 3) is x  # eagerly: the value


class Split(nn.Cell):
    """Two float outputs and an integer one; its rule scales each cotangent differently."""

    def construct(self, x, y):
        return x * y, x + y, ops.cast(x > 1.5, mstype.int32)

    def bprop(self, x, y, out, dout):
        seen.append(dout)
        return dout[0] * 10 + dout[1], dout[1] * 100


seen = []


@pytest.mark.parametrize("mode", ["pynative", "jit", "graph"])
def test_a_bprop_of_a_cell_with_tuple_outputs_runs_once_with_a_dout_per_output(mode):
    split = Split()

    def loss_of(x, y):
        a, b, flag = split(x, y)
        return (a * 2 + b * Tensor([3.0, 5.0])).sum() + ops.cast(flag, mstype.float64).sum()

    def only_first(x, y):
        return split(x, y)[0].sum()

    x, y = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    results = []
    for fn in (loss_of, only_first):
        grad = ms.grad(fn, grad_position=(0, 1))
        if mode == "jit":
            grad = ms.jit(grad)
        seen.clear()
        if mode == "graph":
            ms.set_context(mode=ms.GRAPH_MODE)
        try:
            results.append(grad(x, y))
        finally:
            ms.set_context(mode=ms.PYNATIVE_MODE)
        if mode == "pynative":
            assert len(seen) == 1  # the rule runs once for all three outputs
    (gx, gy), (fx, fy) = results
    np.testing.assert_allclose(gx.asnumpy(), [2 * 10 + 3, 2 * 10 + 5])
    np.testing.assert_allclose(gy.asnumpy(), [300.0, 500.0])
    np.testing.assert_allclose(fx.asnumpy(), [10.0, 10.0])  # b unused: its dout is zeros
    np.testing.assert_allclose(fy.asnumpy(), [0.0, 0.0])
    if mode == "pynative":
        d_a, d_b, d_flag = (d.asnumpy() for d in seen[-1])
        np.testing.assert_allclose(d_a, [1.0, 1.0])
        np.testing.assert_allclose(d_b, [0.0, 0.0])
        assert d_flag.dtype == np.int32 and not d_flag.any()


def test_a_backward_hook_runs_once_per_pass_with_every_inputs_gradient():
    class Mul2(nn.Cell):
        def construct(self, x, y):
            return x * y, x - y

    net = Mul2()
    calls = []

    def hook(cell, grad_input, grad_output):
        calls.append(([g.asnumpy() for g in grad_input], [g.asnumpy() for g in grad_output]))
        return grad_input[0] * 2, grad_input[1] * 3

    net.register_backward_hook(hook)
    x, y = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])

    def f(x, y):
        a, b = net(x, y)
        return (a + b * Tensor([10.0, 20.0])).sum()

    gx, gy = ms.grad(f, grad_position=(0, 1))(x, y)
    ((grad_in, grad_out),) = calls  # once, not once per input
    np.testing.assert_allclose(grad_out[0], [1.0, 1.0])
    np.testing.assert_allclose(grad_out[1], [10.0, 20.0])
    np.testing.assert_allclose(grad_in[0], [3.0 + 10, 4.0 + 20])  # y + 1*db
    np.testing.assert_allclose(grad_in[1], [1.0 - 10, 2.0 - 20])  # x - db
    np.testing.assert_allclose(gx.asnumpy(), 2 * grad_in[0])
    np.testing.assert_allclose(gy.asnumpy(), 3 * grad_in[1])
