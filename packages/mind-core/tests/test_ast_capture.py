"""capture_mode="ast": Python control flow on tensors compiles; the same function run eagerly
(PyNative) is the reference, finite differences the reference for gradients."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import GraphModeError
from mind.core.ops import composite as C

rng = np.random.default_rng(0)


def T(*shape):
    return Tensor(rng.standard_normal(shape).astype(np.float32))


def prims(fn, *args):
    return [n.prim for n in ms.jit(fn).graph(*args).nodes]


def same(fn, *args):
    """The compiled function equals the eager one on these arguments; returns the graph's ops."""
    want = fn(*args)
    got = ms.jit(fn)(*args)
    want, got = (w if isinstance(w, tuple) else (w,) for w in (want, got))
    assert len(want) == len(got)
    for w, g in zip(want, got):
        np.testing.assert_allclose(np.asarray(g.asnumpy()), np.asarray(_np(w)), rtol=1e-6)
    return prims(fn, *args)


def _np(v):
    return v.asnumpy() if isinstance(v, Tensor) else v


# ------------------------------------------------------------------------------------------------
# if
# ------------------------------------------------------------------------------------------------


def branchy(x):
    y = x * 2
    if y.sum() > 0:
        y = y + 1
        z = y
    else:
        y = y - 1
        z = y * 3
    return z + y


@pytest.mark.parametrize("sign", [1, -1])
def test_if_on_a_tensor_compiles_both_branches_into_one_cond(sign):
    ops_ = same(branchy, Tensor(sign * np.ones(3, np.float32)))
    assert ops_.count("cond") == 1


def early_return(x, y):
    if (x > y).any() and x.sum() > 0:
        return x
    elif x.mean() < -1:
        return x * 3
    return y - 1


def test_early_returns_elif_and_tensor_boolean_logic():
    for x, y in [(T(4), T(4)), (Tensor(np.full(4, -3.0, np.float32)), T(4))]:
        ops_ = same(early_return, x, y)
        assert "cond" in ops_ and "logical_and" in ops_  # the elif's cond is in the else graph


def nested(x):
    out = x
    if x[0] > 0:
        if x[1] > 0:
            out = x + 10
        else:
            out = x - 10
    elif not x[2] > 0:
        out = x * 0
    return out


@pytest.mark.parametrize("values", [[1, 1, 1], [1, -1, 1], [-1, 1, -1], [-1, 1, 1]])
def test_nested_ifs_and_not(values):
    assert "cond" in same(nested, Tensor(np.array(values, np.float32)))


def test_a_python_condition_is_still_decided_at_compile_time():
    def f(x, flag):
        if flag and x.shape[0] == 3:
            return x + 1
        return x - 1

    assert "cond" not in same(f, T(3), True)
    assert "cond" not in same(f, T(3), False)


def test_a_variable_from_only_one_branch_is_named_when_used():
    def f(x):
        if x.sum() > 0:
            only = x * 2
        return only + 1

    with pytest.raises(GraphModeError, match="'only'.*only one branch of the if"):
        ms.jit(f)(T(3))
    with pytest.raises(UnboundLocalError):  # eagerly, Python's own error on the path not taken
        f(Tensor(-np.ones(3, np.float32)))


def test_numbers_assigned_in_branches_become_tensors():
    def f(x):
        scale = 1.0
        if x.sum() > 0:
            scale = 2.0
        return x * scale

    same(f, Tensor(np.ones(3, np.float32)))
    same(f, Tensor(-np.ones(3, np.float32)))


# ------------------------------------------------------------------------------------------------
# loops
# ------------------------------------------------------------------------------------------------


def doubling(x):
    steps = 0
    while x.sum() < 100:
        x = x * 2
        steps = steps + 1
    return x, steps


def test_while_on_a_tensor_is_one_while_loop_node():
    ops_ = same(doubling, Tensor(np.ones(3, np.float32)))
    assert ops_.count("while_loop") == 1


def test_a_while_on_a_python_counter_is_unrolled():
    def f(x):
        i = 0
        while i < 3:
            x = x * 2
            i += 1
        return x

    ops_ = same(f, T(3))
    assert "while_loop" not in ops_ and ops_.count("mul") == 3


def accumulate(x, n):
    total = x * 0
    for i in range(n):
        total = total + x * i
    return total


def test_for_range_over_a_tensor_bound_is_a_loop_and_over_an_int_is_unrolled():
    assert "while_loop" in same(accumulate, T(3), Tensor(np.array(5)))
    assert "while_loop" not in same(accumulate, T(3), 5)


def rnn_rows(xs, h):
    for x in xs:
        h = ops.tanh(h * 0.5 + x)
    return h


def weighted_rows(xs, h):
    for i, x in enumerate(xs):
        h = h + x * i
    return h


@pytest.mark.parametrize("fn", [rnn_rows, weighted_rows])
def test_for_over_a_tensor_is_one_loop_and_its_gradient_matches_eager_and_fd(fn):
    xs, h = Tensor(rng.standard_normal((6, 3))), Tensor(rng.standard_normal(3))
    ops_ = same(fn, xs, h)
    assert ops_.count("while_loop") == 1 and "tanh" not in ops_  # the body is one nested graph
    grad = ms.grad(fn, grad_position=(0, 1))
    eager, compiled = grad(xs, h), ms.jit(grad)(xs, h)
    for e, c in zip(eager, compiled):
        np.testing.assert_allclose(c.asnumpy(), e.asnumpy(), rtol=1e-12)
    eps, x0 = 1e-6, xs.asnumpy()
    for k in [(0, 0), (3, 1), (5, 2)]:
        d = np.zeros_like(x0)
        d[k] = eps
        up, down = (fn(Tensor(x0 + s * d), h).sum().item() for s in (1, -1))
        np.testing.assert_allclose(
            compiled[0].asnumpy()[k], (up - down) / (2 * eps), rtol=1e-6, atol=1e-8
        )


def test_for_over_a_tensor_unrolls_where_a_loop_would_change_python_meaning():
    def counted(xs):
        n = 0
        for _x in xs:
            n = n + 1
        return xs * n  # n stays a Python int, as Python runs it

    def collected(xs):
        rows = []
        for x in xs:
            rows.append(x * 2)
        return ops.stack(rows)

    def over_tuple(x):
        for w in (1.0, 2.0, 3.0):
            x = x * w
        return x

    assert "while_loop" not in same(counted, T(4, 2))
    assert "while_loop" not in same(collected, T(4, 2))

    def indexing_a_tuple(xs):  # a Tensor index cannot pick from a tuple: the loop unrolls
        scales = (1.0, 2.0, 3.0, 4.0)
        total = xs[0] * 0
        for i, x in enumerate(xs):
            total = total + x * scales[i]
        return total

    assert "while_loop" not in same(over_tuple, T(3))
    assert "while_loop" not in same(indexing_a_tuple, T(4, 2))
    assert "while_loop" not in same(rnn_rows, T(1, 3), T(3))  # one row: nothing to loop


def test_break_on_a_python_condition_stops_the_unrolled_loop():
    def f(x):
        for i in range(10):
            if i == 3:
                break
            x = x + 1
        return x

    ops_ = same(f, T(2))
    assert "while_loop" not in ops_ and ops_.count("add") == 3


def jumpy(x):
    for i in range(10):
        if x.sum() > 20:
            break
        if i % 2 == 0:
            continue
        x = x * 2
    return x


def bounded(x):
    n = 0
    while x.sum() < 1000:
        n = n + 1
        if x.max() > 50:
            break
        x = x * 3
    return x, n


def skipping(x, m):
    total = x * 0
    for i in range(m):
        if i == 2:
            continue
        total = total + x * i
    return total


@pytest.mark.parametrize("scale", [0.5, 1.0, 30.0])
def test_break_and_continue_on_tensors_become_flags_the_loop_carries(scale):
    x = Tensor(np.full(3, scale, np.float32))
    same(jumpy, x)
    assert "while_loop" in same(bounded, x)
    assert "while_loop" in same(skipping, x, Tensor(np.array(5)))
    assert "while_loop" not in same(skipping, x, 5)


# ------------------------------------------------------------------------------------------------
# Cells, methods, closures, called functions
# ------------------------------------------------------------------------------------------------


def helper(y):
    if y.mean() > 0:
        return ops.relu(y)
    return -y


class Gate(nn.Cell):
    def __init__(self):
        super().__init__()
        self.dense = nn.Dense(3, 3)
        self.__limit = 0.5

    def construct(self, x):
        y = self.dense(x)
        if y.max() > self.__limit:
            y = y * self.__limit
        return helper(y)


class Outer(nn.Cell):
    def __init__(self):
        super().__init__()
        self.gate = Gate()

    def construct(self, x):
        return self.gate(x) + 1


def test_graph_mode_cells_convert_their_construct_sub_cells_and_called_functions():
    net = Outer()
    x = T(2, 3)
    want = net(x).asnumpy()
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        got = net(x).asnumpy()
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    graph = ms.jit(net.construct).graph(x)
    assert [n.prim for n in graph.nodes].count("cond") == 2  # Gate's if and helper's


def test_closures_and_super_in_converted_methods():
    offset = Tensor(np.float32(3.0))

    class Base(nn.Cell):
        def construct(self, x):
            return x + offset

    class Child(Base):
        def construct(self, x):
            if x.sum() > 0:
                return super().construct(x)
            return x - offset

    child = Child()
    for x in (T(3).abs(), -T(3).abs()):
        same(child.construct, x)


def test_capture_mode_trace_keeps_the_old_behaviour():
    with pytest.raises(GraphModeError, match="truth value of a tensor"):
        ms.jit(branchy, capture_mode="trace", fullgraph=True)(T(3))


# ------------------------------------------------------------------------------------------------
# Gradients
# ------------------------------------------------------------------------------------------------


def piecewise(x, w):
    y = x * w
    if y.sum() > 0:
        y = ops.sin(y) * w
    else:
        y = y * y
    return y.sum()


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_gradient_through_a_converted_if_matches_eager_and_finite_differences(sign):
    x = Tensor(sign * np.abs(rng.standard_normal(4)).astype(np.float64))
    w = Tensor(np.abs(rng.standard_normal(4)).astype(np.float64) + 0.5)
    grad = ms.grad(piecewise, grad_position=(0, 1))
    eager = grad(x, w)
    compiled = ms.jit(grad)(x, w)
    for e, c in zip(eager, compiled):
        np.testing.assert_allclose(c.asnumpy(), e.asnumpy(), rtol=1e-10)
    eps, xs, ws = 1e-6, x.asnumpy(), w.asnumpy()
    for k in range(4):
        d = np.zeros(4)
        d[k] = eps
        f = lambda a, b: piecewise(Tensor(a), Tensor(b)).asnumpy()  # noqa: E731
        fd = (f(xs + d, ws) - f(xs - d, ws)) / (2 * eps)
        np.testing.assert_allclose(compiled[0].asnumpy()[k], fd, rtol=1e-5, atol=1e-8)


def grow(x, w):
    while x.sum() < 50:
        x = x * w + 1
    return (x * x).sum()


def test_gradient_through_a_converted_while_matches_eager_and_finite_differences():
    x = Tensor(np.array([0.5, 1.0, 1.5]))
    w = Tensor(np.array([1.5, 1.2, 1.1]))
    grad = ms.grad(grow, grad_position=(0, 1))
    eager, compiled = grad(x, w), ms.jit(grad)(x, w)
    assert "while_loop_grad" in [n.prim for n in ms.jit(grad).graph(x, w).nodes]
    for e, c in zip(eager, compiled):
        np.testing.assert_allclose(c.asnumpy(), e.asnumpy(), rtol=1e-12)
    eps, xs = 1e-6, x.asnumpy()
    for k in range(3):
        d = np.zeros(3)
        d[k] = eps
        fd = (grow(Tensor(xs + d), w).item() - grow(Tensor(xs - d), w).item()) / (2 * eps)
        np.testing.assert_allclose(compiled[0].asnumpy()[k], fd, rtol=1e-6)


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_print_inside_a_compiled_function_prints_when_the_graph_runs(device, capfd):
    @ms.jit
    def f(x):
        y = x * 2
        print("y is", y, "sum", y.sum())
        return y + 1

    ms.set_context(device_target=device)
    try:
        f(Tensor([1.0, 2.0]))
        capfd.readouterr()  # the first call compiles (and runs once)
        out = f(Tensor([3.0, 4.0]))
    finally:
        ms.set_context(device_target="cpu")
    printed = capfd.readouterr().out
    assert "y is Tensor(shape=[2], dtype=Float32, value=[6., 8.]) sum" in printed
    assert "value=14." in printed
    np.testing.assert_allclose(out.asnumpy(), [7.0, 9.0])
    assert "print" in prims(f, Tensor([1.0, 2.0]))


@ms.jit_class
class Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, x):
        if x.sum() > 0:
            return x * self.k
        return x


def test_jit_class_methods_are_converted_and_cells_are_refused():
    scaler = Scaler(3.0)

    def f(x):
        return scaler.apply(x)

    same(f, Tensor([1.0, 2.0]))
    same(f, Tensor([-1.0, -2.0]))
    with pytest.raises(TypeError, match="is a Cell"):
        ms.jit_class(nn.Dense)


def test_jit_syntax_levels_are_accepted_and_checked():
    for level in (ms.STRICT, ms.COMPATIBLE, ms.LAX):
        ms.set_context(jit_syntax_level=level)
    with pytest.raises(ValueError, match="STRICT, COMPATIBLE or LAX"):
        ms.set_context(jit_syntax_level=7)


def scan_rnn(xs, h, w, n):
    t = n * 0
    while t < n:
        h = (xs[t] @ w + h).tanh()  # a traced index: a gather
        t = t + 1
    return h


def test_a_while_over_a_tensor_step_count_indexes_with_the_counter():
    xs, h, w = T(6, 2, 3), T(2, 3), T(3, 3)
    assert "while_loop" in same(scan_rnn, xs, h, w, Tensor(np.array(6)))
    assert "while_loop" in same(scan_rnn, xs, h, w, Tensor(np.array(2)))


class Counter(nn.Cell):
    def __init__(self):
        super().__init__()
        self.count = ms.Parameter(Tensor(np.zeros(1, np.float32)), "count")

    def construct(self, x):
        if x.sum() > 0:
            ops.assign(self.count, self.count + 1)
        else:
            ops.assign(self.count, self.count - 1)
        return x * 2


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_parameter_assignments_in_tensor_branches_are_kept_side_effects(device):
    counter = Counter()
    ms.set_context(mode=ms.GRAPH_MODE, device_target=device)
    try:
        for v in (1.0, 1.0, -1.0, 1.0):
            counter(Tensor([v]))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE, device_target="cpu")
    assert counter.count.asnumpy()[0] == 2.0


class AttributeWrites(nn.Cell):
    """MindSpore's Parameter writes by attribute: ``self.p = t`` and ``self.p += 1`` assign."""

    def __init__(self):
        super().__init__()
        self.a = ms.Parameter(Tensor(np.array(5, np.int32)), "a")
        self.b = ms.Parameter(Tensor(np.array(4, np.int32)), "b")

    def bump(self, x):
        x += 10
        if x > self.a:
            self.b += 1
            x += self.a
        return x

    def construct(self, x):
        out = self.bump(x) if self.a > self.b else self.bump(self.a)
        i = 0
        while i < x:
            self.a = self.a + i
            i += 1
        return out + self.b


def test_attribute_writes_to_parameters_in_branches_and_loops_match_pynative():
    results = {}
    for mode in (ms.PYNATIVE_MODE, ms.GRAPH_MODE):
        net = AttributeWrites()
        ms.set_context(mode=mode)
        try:
            outs = [int(net(Tensor(np.array(v, np.int32))).asnumpy()) for v in (2, -20, 3)]
        finally:
            ms.set_context(mode=ms.PYNATIVE_MODE)
        assert isinstance(net.a, ms.Parameter) and net.a is net.parameters_dict()["a"]
        results[mode] = outs, int(net.a.asnumpy()), int(net.b.asnumpy())
    assert results[ms.GRAPH_MODE] == results[ms.PYNATIVE_MODE]
    assert results[ms.PYNATIVE_MODE] == ([22, -5, 25], 9, 6)  # worked by hand


# ------------------------------------------------------------------------------------------------
# return inside loops, and in one branch of a nested if
# ------------------------------------------------------------------------------------------------


def return_in_while(x, y, bias):
    if bias > y:
        y = x + y
    else:
        while x > 0:
            if y > 0:
                return bias
            x = x - 1
            y = y + 1
    return x + y


@pytest.mark.parametrize("values", [(4, 1, -5), (4, -3, -5), (4, 1, 5), (0, -2, -5), (2, -5, -7)])
def test_a_return_inside_a_while_under_an_if_matches_eager(values):
    args = [Tensor(np.array([v], np.int32)) for v in values]
    assert "cond" in same(return_in_while, *args)  # the while sits in its else graph


def return_in_for(x, n):
    for _ in range(n):
        if x.sum() > 10:
            return x * 2
        x = x * x + 1
    return x - 1


@pytest.mark.parametrize("x0, n", [(0.5, 2), (0.5, 5), (20.0, 3), (0.5, 0)])
def test_a_return_inside_a_for_over_a_tensor_range_matches_eager_and_its_gradient_fd(x0, n):
    x, steps = Tensor(np.array([x0, 0.3])), Tensor(np.array(n))
    same(return_in_for, x, steps)

    def loss(v, k):  # a def: a lambda's source cannot be converted
        return return_in_for(v, k).sum()

    grad = ms.grad(loss)
    compiled = ms.jit(grad)(x, steps).asnumpy()
    np.testing.assert_allclose(compiled, grad(x, steps).asnumpy(), rtol=1e-12)
    eps, xs = 1e-6, x.asnumpy()
    for k in range(2):
        d = np.zeros(2)
        d[k] = eps
        fd = (loss(Tensor(xs + d), steps).item() - loss(Tensor(xs - d), steps).item()) / (2 * eps)
        np.testing.assert_allclose(compiled[k], fd, rtol=1e-5, atol=1e-8)


def return_in_nested_if(x, y):
    if x > y:
        x = x - y
    else:
        if y > 2 * x:
            return y
        x = x + 1
    return x * 3


@pytest.mark.parametrize("values", [(3.0, 1.0), (1.0, 3.0), (2.0, 3.0)])
def test_a_return_in_one_branch_of_a_nested_if_matches_eager(values):
    x, y = (Tensor(np.array(v, np.float32)) for v in values)
    assert "cond" in same(return_in_nested_if, x, y)


class RepeatedWrites(nn.Cell):
    """Reads after writes: a name bound to a Parameter sees its later writes (as in PyNative),
    and identical read-modify-writes are never merged."""

    def __init__(self):
        super().__init__()
        self.a = ms.Parameter(Tensor(np.array([5.0], np.float32)), "a")
        self.b = ms.Parameter(Tensor(np.array([4.0], np.float32)), "b")

    def construct(self, x):
        out = self.a
        for _ in range(3):
            self.b += 1
        if self.a > self.b - 3:
            for _ in range(4):
                self.a += 1
                self.b -= x
        self.b += 10
        i = 0
        while i < 3:
            self.a = self.a * x
            i += 1
        return out * x + self.b


def test_reads_after_parameter_writes_in_branches_and_loops_match_pynative():
    results = {}
    for mode in (ms.PYNATIVE_MODE, ms.GRAPH_MODE):
        ms.set_context(mode=mode)
        try:
            net = RepeatedWrites()
            outs = [net(Tensor(np.array([v], np.float32))).asnumpy()[0] for v in (2.0, -1.0)]
            grads = C.GradOperation()(RepeatedWrites())(Tensor(np.array([2.0], np.float32)))
        finally:
            ms.set_context(mode=ms.PYNATIVE_MODE)
        results[mode] = [*outs, net.a.asnumpy()[0], net.b.asnumpy()[0], grads.asnumpy()[0]]
    assert results[ms.GRAPH_MODE] == results[ms.PYNATIVE_MODE]
    # by hand, call 1 (x=2): b 4->7, a > 4 so a 5->9 and b 7->-1, b -> 9, a 9*8=72: 72*2+9=153;
    # the gradient takes the Parameters' reads as constants (an assign cuts it, as MindSpore's)
    assert results[ms.PYNATIVE_MODE][0] == 153.0 and results[ms.PYNATIVE_MODE][-1] == 72.0


def pick(x, y):
    z = x * 2 if x.sum() > y.sum() else y - 1
    return z + (1 if x.shape[0] > 2 else 2)


def test_a_conditional_expression_on_a_tensor_is_a_cond():
    for x, y in [(T(3), -T(3)), (-T(3), T(3))]:
        assert same(pick, x, y).count("cond") == 1


class Scale(nn.Cell):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def construct(self, x):
        return self.k * x


class Switched(nn.Cell):
    """MindSpore's switch_layer: a tuple or CellList of Cells indexed by a tensor."""

    def __init__(self):
        super().__init__()
        self.cells = nn.CellList([Scale(4.0), Scale(5.0), Scale(6.0)])
        self.acts = (nn.ReLU(), ops.operations.Neg())

    def construct(self, t, i, j):
        out = self.acts[j](t)
        while i < 3:
            out = out + self.cells[i](t)
            i += 1
        return out


@pytest.mark.parametrize(("i", "j"), [(0, 0), (1, 1), (3, 0)])
def test_a_tuple_or_cell_list_indexed_by_a_tensor_selects_with_conds(i, j):
    t, ti, tj = T(4), Tensor(np.array(i, np.int32)), Tensor(np.array(j, np.int32))
    prims_ = same(Switched(), t, ti, tj)
    assert "cond" in prims_ and "while_loop" in prims_
    expected = (np.maximum(_np(t), 0) if j == 0 else -_np(t)) + sum(
        k * _np(t) for k in (4.0, 5.0, 6.0)[i:]
    )
    np.testing.assert_allclose(Switched()(t, ti, tj).asnumpy(), expected, rtol=1e-6)
    grad = ms.jit(ms.grad(lambda t: Switched()(t, ti, tj).sum()))(t)
    np.testing.assert_allclose(
        grad.asnumpy(),
        (_np(t) > 0) * float(j == 0) - float(j == 1) + sum((4.0, 5.0, 6.0)[i:]),
        rtol=1e-6,
    )


class WritesInAWhile(nn.Cell):
    """MindSpore's for-in-while test: Parameter writes before, inside and after a while loop."""

    def __init__(self):
        super().__init__()
        self.a = ms.Parameter(Tensor(np.full((1,), 5, np.float32)), name="a")
        self.b = ms.Parameter(Tensor(np.full((1,), 2, np.float32)), name="b")

    def construct(self, x):
        ops.assign(self.a, x + self.a)
        while self.a > self.b:
            x = x * 2
            for _ in range(5):
                x = x + x
                self.b = self.b + 1
        ops.assign(self.a, x - self.b)
        return x


class GradInGraph(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def construct(self, x):
        return C.GradOperation(get_all=True)(self.net)(x)


@pytest.mark.parametrize("dtype", [np.int32, np.float32])
def test_a_gradient_taken_inside_graph_mode_through_a_loop_that_writes_parameters(dtype):
    # by hand: a = 7 > b = 2, x 2 -> 4 -> 128 and b -> 7, the loop stops; x doubles 6 times so
    # dx = 64, and afterwards a = 128 - 7 = 121
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        net = WritesInAWhile()
        out = net(Tensor(np.array([2], dtype)))
        (grad,) = GradInGraph(WritesInAWhile())(Tensor(np.array([2], dtype)))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    assert out.asnumpy().tolist() == [128] and net.a.asnumpy().tolist() == [121]
    assert net.b.asnumpy().tolist() == [7]
    assert grad.asnumpy().tolist() == [64] and grad.dtype == out.dtype


def test_a_parameter_assigned_a_value_with_extra_leading_ones_keeps_its_shape():
    # as the in-place write (numpy's copyto): a () Parameter takes a (1,) value
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        net = ScalarWrites()
        out = net(Tensor(np.array([6], np.int32)))
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    assert out.asnumpy().tolist() == [6]
    assert net.a.shape == () and net.a.asnumpy().item() == 11
    assert net.b.shape == () and net.b.asnumpy().item() == -5


class ScalarWrites(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = ms.Parameter(Tensor(np.array(5, np.int32)), name="a")
        self.b = ms.Parameter(Tensor(np.array(2, np.int32)), name="b")

    def construct(self, x):
        ops.assign(self.a, x + self.a)
        for _ in range(3):
            ops.assign(self.b, x - self.a)
        return x


def halve_while(x, y):
    while x < 5:
        y = y * 0.5
        x = x + 1
    return y


def test_a_loop_carry_whose_body_widens_its_dtype_is_carried_at_the_wider_dtype():
    # y enters as int32 and leaves the body as float32 (MindSpore's for-after-for-in-while test)
    x, y = Tensor(np.array(0, np.int32)), Tensor(np.array(8, np.int32))
    assert "while_loop" in prims(halve_while, x, y)
    out = ms.jit(halve_while)(x, y)
    assert out.dtype == ms.float32 and out.asnumpy().item() == 8 * 0.5**5


def while_else(x, y):
    while x > y:
        y = y + x * y
        if y > 10:
            break
    else:
        y = x + 6
    return y


def for_else(x, y):
    for _ in range(3):
        y = y + x * x
        if y.sum() > 4:
            break
    else:
        y = x * 100
    return y


@pytest.mark.parametrize(
    ("fn", "x", "y", "expected"),
    [
        (while_else, 4.0, 3.0, 15.0),  # 3 -> 15 > 10: the break skips the else
        (while_else, 3.0, 2.0, 9.0),  # 2 -> 8, then 3 > 8 fails: the else runs
        (while_else, 3.0, 20.0, 9.0),  # no iteration: the else runs
        (while_else, 0.5, 0.4, 6.5),  # 0.4 -> 0.6, then the condition fails: the else runs
        (for_else, 1.5, 0.0, 4.5),  # 2.25 -> 4.5 > 4: break
        (for_else, 0.5, 0.0, 50.0),  # the range runs out: the else runs
    ],
)
def test_a_loop_else_runs_when_the_loop_ends_without_break(fn, x, y, expected):
    tx, ty = (Tensor(np.array([v])) for v in (x, y))
    assert fn(tx, ty).item() == expected  # Python's own semantics
    assert "while_loop" in same(fn, tx, ty)
    check = ms.jit(ms.grad(fn, grad_position=(0, 1)))(tx, ty)
    eps = 1e-6
    for k in range(2):
        up, down = [x, y], [x, y]
        up[k] += eps
        down[k] -= eps
        at = [Tensor(np.array([v])) for v in up], [Tensor(np.array([v])) for v in down]
        fd = (fn(*at[0]).item() - fn(*at[1]).item()) / (2 * eps)
        np.testing.assert_allclose(check[k].item(), fd, rtol=1e-5, atol=1e-8)


class ConstantTest(nn.Cell):
    """A condition on the Cell's constant tensors (not Parameters) and one on a Parameter."""

    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = Tensor(np.array(a)), Tensor(np.array(b))
        self.w = ms.Parameter(Tensor(np.array([1.0, -1.0])), name="w")

    def construct(self, x):
        if self.a.all() == self.b:  # decided at compile time: the branches' shapes may differ
            out = self.a.any()
        else:
            out = self.b
        scale = 2.0 if self.w.sum() > 0 else 3.0  # a Parameter's value: a cond
        return out, x * scale


@pytest.mark.parametrize(
    ("a", "b", "first"), [([True, True, False], [False], True), ([True], [False], [False])]
)
def test_a_condition_on_constant_tensors_is_decided_when_compiling(a, b, first):
    net = ConstantTest(a, b)
    x = T(2)
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        out, scaled = net(x)
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    assert out.asnumpy().tolist() == first
    np.testing.assert_allclose(scaled.asnumpy(), _np(x) * 3.0)
    assert prims(net.construct, x).count("cond") == 1  # the Parameter's test only
    net.w.set_data(Tensor(np.array([1.0, 1.0])))
    np.testing.assert_allclose(ms.jit(net.construct)(x)[1].asnumpy(), _np(x) * 2.0)


class CountFromConstants(nn.Cell):
    """A loop whose carries start as the Cell's constant tensors, with break, continue and a
    return inside: its conditions vary with the carries, so none is decided when compiling."""

    def __init__(self):
        super().__init__()
        self.i, self.zero = Tensor(np.array(0, np.int32)), Tensor(np.array(0, np.int32))

    def construct(self, x, y):
        i, out = self.i, self.zero
        while i < 10:
            if i % 2 == 0:
                i = i + 1
                continue
            out = x * y + out
            if out > 20:
                break
            if out == 20:
                return out
            i = i + 1
        return out


@pytest.mark.parametrize(("x", "y", "expected"), [(1, 3, 15), (2, 5, 20), (3, 4, 24)])
def test_loop_carries_that_start_as_constants_are_not_decided_when_compiling(x, y, expected):
    args = [Tensor(np.array(v, np.int32)) for v in (x, y)]
    assert CountFromConstants()(*args).item() == expected  # PyNative
    assert "while_loop" in same(CountFromConstants(), *args)
