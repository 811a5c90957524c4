"""The ops of ``_src/ops/scatter.py`` and their Primitive classes: forward against numpy loops
(one update at a time, as MindSpore's kernels apply them), gradients against finite differences,
PyNative against ``jit`` and ``GRAPH_MODE`` cells, vmap, in-place writes, and the errors."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(11)

NP_COMBINE = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": None,  # true division on floats, truncation toward zero on integers
    "max": np.maximum,
    "min": np.minimum,
    "update": lambda old, new: new,
}


def combine(name, old, new):
    if name == "div":
        if np.issubdtype(old.dtype, np.integer):
            return np.trunc(old.astype(np.float64) / new).astype(old.dtype)
        return old / new
    return NP_COMBINE[name](old, new)


def scatter_nd_loop(name, x, indices, updates):
    """``x`` with each update combined in turn at its N-dimensional index."""
    out = np.array(x, copy=True)
    for lead in np.ndindex(*indices.shape[:-1]):
        where = tuple(indices[lead])
        out[where] = combine(name, out[where], updates[lead])
    return out


def tensor_op(name):
    return {
        "add": ops.tensor_scatter_add,
        "sub": ops.tensor_scatter_sub,
        "mul": ops.tensor_scatter_mul,
        "div": ops.tensor_scatter_div,
        "max": ops.tensor_scatter_max,
        "min": ops.tensor_scatter_min,
        "update": ops.tensor_scatter_update,
    }[name]


NAMES = ["sub", "mul", "div", "max", "min", "update"]
# repeats: row 0 three times, row 2 twice
INDICES = np.array([[0], [2], [0], [3], [0], [2]], np.int32)


def updates_for(name, shape, dtype):
    if np.issubdtype(dtype, np.integer):
        u = rng.integers(-5, 6, shape)
        u[u == 0] = 3
        return u.astype(dtype)
    u = rng.uniform(0.5, 2.0, shape) * rng.choice([-1, 1], shape)
    return u.astype(dtype)


# ------------------------------------------------------------------------------------------------
# tensor_scatter_*: forward, repeats, dtypes, PyNative and jit
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.int8])
def test_tensor_scatter_ops_match_a_loop_over_repeated_indices(name, dtype):
    x = (
        rng.integers(-20, 21, (5, 3))
        if np.issubdtype(dtype, np.integer)
        else rng.normal(size=(5, 3))
    )
    x = x.astype(dtype)
    u = updates_for(name, (6, 3), dtype)
    want = scatter_nd_loop(name, x, INDICES, u)
    got = tensor_op(name)(Tensor(x), Tensor(INDICES), Tensor(u))
    assert got.dtype == Tensor(x).dtype
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)
    jitted = ms.jit(lambda a, i, b: tensor_op(name)(a, i, b))(Tensor(x), Tensor(INDICES), Tensor(u))
    np.testing.assert_allclose(jitted.asnumpy(), want, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_tensor_scatter_ops_on_slices_of_a_three_d_input(name):
    x = rng.normal(size=(4, 3, 2)).astype(np.float32)
    indices = np.array(
        [[[0, 1], [3, 2]], [[0, 1], [1, 0]]], np.int64
    )  # (2, 2, 2): elements of rank 1
    u = updates_for(name, (2, 2, 2), np.float32)
    want = scatter_nd_loop(name, x, indices, u)
    got = tensor_op(name)(Tensor(x), Tensor(indices), Tensor(u))
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)


def test_integer_division_truncates_toward_zero_at_each_update():
    x = np.array([7, -7, 9, 100], np.int32)
    indices = np.array([[0], [1], [2], [2], [3]], np.int32)
    u = np.array([-2, 2, 2, -2, 7], np.int32)
    got = ops.tensor_scatter_div(Tensor(x), Tensor(indices), Tensor(u)).asnumpy()
    np.testing.assert_array_equal(got, [-3, -3, -2, 14])
    np.testing.assert_array_equal(got, scatter_nd_loop("div", x, indices, u))


def test_tensor_scatter_update_keeps_the_last_update_in_pynative_and_in_graphs():
    x = np.zeros((3, 2), np.float32)
    indices = np.array([[1], [1], [0], [1]], np.int32)
    u = np.arange(8, dtype=np.float32).reshape(4, 2)
    want = np.array([[4, 5], [6, 7], [0, 0]], np.float32)
    f = lambda a, i, b: ops.tensor_scatter_update(a, i, b)  # noqa: E731
    np.testing.assert_array_equal(f(Tensor(x), Tensor(indices), Tensor(u)).asnumpy(), want)
    np.testing.assert_array_equal(ms.jit(f)(Tensor(x), Tensor(indices), Tensor(u)).asnumpy(), want)
    # -1 and n-1 are one slot: the later of the two wins
    same = ops.tensor_scatter_update(Tensor(x), Tensor([[2], [-1]]), Tensor(u[:2])).asnumpy()
    np.testing.assert_array_equal(same[2], u[1])


class _ScatterUpdateCell(nn.Cell):
    def __init__(self):
        super().__init__()
        self.x = Parameter(Tensor(np.zeros((3, 2), np.float32)), name="x")
        self.update = P.ScatterUpdate()
        self.nd_update = P.ScatterNdUpdate()

    def construct(self, indices, updates):
        self.update(self.x, indices, updates)
        return self.nd_update(self.x, ops.reshape(indices, (-1, 1)), updates * 10)


def test_scatter_update_with_repeated_indices_in_a_graph_mode_cell_takes_the_last_update():
    indices = Tensor(np.array([2, 0, 2], np.int32))
    updates = Tensor(np.arange(6, dtype=np.float32).reshape(3, 2))
    eager = _ScatterUpdateCell()
    out = eager(indices, updates).asnumpy()
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        graph = _ScatterUpdateCell()
        graph_out = graph(indices, updates).asnumpy()
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    want = np.array([[20, 30], [0, 0], [40, 50]], np.float32)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(graph_out, want)
    np.testing.assert_array_equal(graph.x.asnumpy(), want)


# ------------------------------------------------------------------------------------------------
# Gradients against finite differences
# ------------------------------------------------------------------------------------------------


def test_tensor_scatter_mul_and_div_gradients_with_repeats_and_a_zero_update():
    x = rng.normal(size=(4, 2))
    u = rng.uniform(0.5, 2.0, (6, 2))
    u[0, 0] = 0.0  # the product at row 0 has a zero factor: its other factors' gradient is 0
    i = Tensor(INDICES)
    check_grads(lambda a, b: ops.tensor_scatter_mul(a, i, b), [x, u], rtol=1e-5, atol=1e-8)
    check_grads(lambda a, b: ops.tensor_scatter_div(a, i, b), [x, u + 1.0], rtol=1e-5, atol=1e-8)
    check_grads(lambda a, b: ops.tensor_scatter_sub(a, i, b), [x, u], rtol=1e-5, atol=1e-8)
    u[3, 1] = 0.0  # two zeros at row 0's first column: every factor there has gradient 0
    check_grads(lambda a, b: ops.tensor_scatter_mul(a, i, b), [x, u], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", ["max", "min", "update"])
def test_tensor_scatter_max_min_update_gradients(name):
    x = rng.normal(size=(4, 2))
    u = rng.normal(size=(6, 2)) * 2
    fn = tensor_op(name)
    check_grads(lambda a, b: fn(a, Tensor(INDICES), b), [x, u], rtol=1e-5, atol=1e-8)


def test_tensor_scatter_max_shares_the_gradient_among_ties_as_mindspore():
    x = Tensor(np.array([1.0, 5.0], np.float32))
    u = Tensor(np.array([1.0, 1.0, 7.0], np.float32))
    i = Tensor(np.array([[0], [0], [1]], np.int32))
    gx, gu = ops.grad(lambda a, b: ops.tensor_scatter_max(a, i, b).sum(), (0, 1))(x, u)
    np.testing.assert_allclose(gx.asnumpy(), [1 / 3, 0.0])
    np.testing.assert_allclose(gu.asnumpy(), [1 / 3, 1 / 3, 1.0])


def test_gradients_under_jit_match_pynative():
    x, u = Tensor(rng.normal(size=(4, 2))), Tensor(rng.uniform(0.5, 2, (6, 2)))
    i = Tensor(INDICES)

    def loss(a, b):
        return (ops.tensor_scatter_mul(a, i, b) * ops.tensor_scatter_max(a, i, b)).sum()

    eager = ops.grad(loss, (0, 1))(x, u)
    jitted = ms.jit(ops.grad(loss, (0, 1)))(x, u)
    for e, j in zip(eager, jitted):
        np.testing.assert_allclose(j.asnumpy(), e.asnumpy(), rtol=1e-10)


# ------------------------------------------------------------------------------------------------
# vmap
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mul", "div", "max", "update"])
def test_vmap_over_input_and_indices_or_updates(name):
    x = rng.normal(size=(3, 4, 2)).astype(np.float32)
    indices = rng.integers(0, 4, (3, 5, 1)).astype(np.int32)
    u = updates_for(name, (3, 5, 2), np.float32)
    fn = tensor_op(name)
    got = ms.vmap(fn, in_axes=(0, 0, None))(Tensor(x), Tensor(indices), Tensor(u[0])).asnumpy()
    want = np.stack([scatter_nd_loop(name, x[k], indices[k], u[0]) for k in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-6)
    got = ms.vmap(fn, in_axes=(0, None, 0))(Tensor(x), Tensor(indices[0]), Tensor(u)).asnumpy()
    want = np.stack([scatter_nd_loop(name, x[k], indices[0], u[k]) for k in range(3)])
    np.testing.assert_allclose(got, want, rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# scatter_* and scatter_nd_*: in place
# ------------------------------------------------------------------------------------------------


ROW_OPS = {
    "mul": (ops.scatter_mul, P.ScatterMul),
    "div": (ops.scatter_div, P.ScatterDiv),
    "max": (ops.scatter_max, P.ScatterMax),
    "min": (ops.scatter_min, P.ScatterMin),
    "update": (ops.scatter_update, P.ScatterUpdate),
}
ND_OPS = {
    "add": (ops.scatter_nd_add, P.ScatterNdAdd),
    "sub": (ops.scatter_nd_sub, P.ScatterNdSub),
    "mul": (ops.scatter_nd_mul, P.ScatterNdMul),
    "div": (ops.scatter_nd_div, P.ScatterNdDiv),
    "max": (ops.scatter_nd_max, P.ScatterNdMax),
    "min": (ops.scatter_nd_min, P.ScatterNdMin),
    "update": (ops.scatter_nd_update, P.ScatterNdUpdate),
}


@pytest.mark.parametrize("name", sorted(ROW_OPS))
@pytest.mark.parametrize("form", ["function", "class"])
def test_row_scatters_write_a_parameter_in_place(name, form):
    x = rng.normal(size=(4, 3)).astype(np.float32)
    rows = np.array([[1, 3], [1, 0]], np.int32)  # any shape; row 1 twice
    u = updates_for(name, (2, 2, 3), np.float32)
    want = scatter_nd_loop(name, x, rows[..., None], u)
    p = Parameter(Tensor(x), name="p")
    fn = ROW_OPS[name][0] if form == "function" else ROW_OPS[name][1]()
    out = fn(p, Tensor(rows), Tensor(u))
    assert out is p
    np.testing.assert_allclose(p.asnumpy(), want, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(ND_OPS))
@pytest.mark.parametrize("form", ["function", "class"])
def test_nd_scatters_write_a_parameter_in_place(name, form):
    x = rng.normal(size=(4, 3)).astype(np.float32)
    indices = np.array([[1, 2], [3, 0], [1, 2]], np.int64)
    u = updates_for(name, (3,), np.float32)
    want = scatter_nd_loop(name, x, indices, u)
    p = Parameter(Tensor(x), name="p")
    fn = ND_OPS[name][0] if form == "function" else ND_OPS[name][1]()
    assert fn(p, Tensor(indices), Tensor(u)) is p
    np.testing.assert_allclose(p.asnumpy(), want, rtol=1e-6)


def test_use_locking_defaults_are_mindspores():
    assert P.ScatterNdAdd().use_locking is False
    assert P.ScatterMul(True).use_locking is True
    assert P.ScatterNdUpdate().use_locking is True
    assert P.TensorScatterElements().attrs == {"axis": 0, "reduction": "none"}


class _ScatterNdCell(nn.Cell):
    def __init__(self):
        super().__init__()
        self.x = Parameter(Tensor(np.ones((3, 2), np.float32)), name="x")
        self.mul = P.ScatterNdMul()
        self.nonaliasing = P.ScatterNonAliasingAdd()

    def construct(self, indices, updates):
        self.mul(self.x, indices, updates)
        self.nonaliasing(self.x, indices, updates)
        return self.x


def test_in_place_scatters_inside_a_graph_mode_cell():
    indices = Tensor(np.array([[0, 1], [2, 0], [0, 1]], np.int32))
    updates = Tensor(np.array([2.0, 3.0, 4.0], np.float32))
    want = scatter_nd_loop("mul", np.ones((3, 2), np.float32), indices.asnumpy(), updates.asnumpy())
    want = scatter_nd_loop("add", want, indices.asnumpy(), updates.asnumpy())
    ms.set_context(mode=ms.GRAPH_MODE)
    try:
        cell = _ScatterNdCell()
        out = cell(indices, updates).asnumpy()
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)
    np.testing.assert_allclose(out, want)
    np.testing.assert_allclose(cell.x.asnumpy(), want)


def test_a_plain_tensor_is_updated_too_and_inside_vmap():
    t = Tensor(np.ones(3, np.float32))
    assert ops.scatter_nd_mul(t, Tensor([[1]]), Tensor([5.0])) is t
    np.testing.assert_array_equal(t.asnumpy(), [1, 5, 1])

    def net(x, indices, updates):  # MindSpore's pattern: scatter, then return the input
        ops.scatter_nd_add(x, indices, updates)
        return x

    x = rng.normal(size=(2, 3)).astype(np.float32)
    got = ms.vmap(net, in_axes=(0, 0, None))(
        Tensor(x), Tensor(np.array([[[0]], [[2]]], np.int32)), Tensor([1.0])
    )
    want = x.copy()
    want[0, 0] += 1
    want[1, 2] += 1
    np.testing.assert_allclose(got.asnumpy(), want)


# ------------------------------------------------------------------------------------------------
# tensor_scatter_elements and scatter
# ------------------------------------------------------------------------------------------------


def elements_loop(x, index, updates, axis, reduction):
    out = np.array(x, copy=True)
    for pos in np.ndindex(*index.shape):
        where = list(pos)
        where[axis] = index[pos]
        where = tuple(where)
        out[where] = out[where] + updates[pos] if reduction == "add" else updates[pos]
    return out


@pytest.mark.parametrize("axis", [0, 1, -1, 2])
@pytest.mark.parametrize("reduction", ["none", "add"])
def test_tensor_scatter_elements_matches_a_loop(axis, reduction):
    x = rng.normal(size=(4, 5, 3)).astype(np.float32)
    size = x.shape[axis]
    index = rng.integers(-size, size, (3, 4, 2)).astype(np.int32)
    updates = rng.normal(size=(3, 4, 2)).astype(np.float32)
    if reduction == "none":  # a distinct target per update: MindSpore leaves the order undefined
        index = np.broadcast_to(np.arange(3).reshape(3, 1, 1) - 1, (3, 4, 2)).copy()
        index = np.moveaxis(index, 0, axis % 3) if axis % 3 != 0 else index
        updates = np.moveaxis(updates, 0, axis % 3) if axis % 3 != 0 else updates
        index, updates = np.ascontiguousarray(index), np.ascontiguousarray(updates)
    want = elements_loop(x, index, updates, axis, reduction)
    got = ops.tensor_scatter_elements(Tensor(x), Tensor(index), Tensor(updates), axis, reduction)
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-6)
    cls = P.TensorScatterElements(axis, reduction)(Tensor(x), Tensor(index), Tensor(updates))
    np.testing.assert_allclose(cls.asnumpy(), want, rtol=1e-6)
    jitted = ms.jit(lambda a, i, u: ops.tensor_scatter_elements(a, i, u, axis, reduction))
    np.testing.assert_allclose(
        jitted(Tensor(x), Tensor(index), Tensor(updates)).asnumpy(), want, rtol=1e-6
    )


def test_scatter_matches_torch_style_scatter_with_a_larger_src_and_a_number():
    x = np.zeros((4, 4), np.float32)
    src = np.arange(1, 13, dtype=np.float32).reshape(3, 4)
    index = np.array([[0, 1, 2], [0, 1, 2], [3, 1, 0]], np.int64)
    want = elements_loop(x, index, src[:, :3], 1, "none")
    np.testing.assert_array_equal(
        ops.scatter(Tensor(x), 1, Tensor(index), Tensor(src)).asnumpy(), want
    )
    np.testing.assert_array_equal(Tensor(x).scatter(1, Tensor(index), Tensor(src)).asnumpy(), want)
    filled = ops.scatter(Tensor(x), 0, Tensor(index), 2.5).asnumpy()
    np.testing.assert_array_equal(filled, elements_loop(x, index, np.full((3, 3), 2.5), 0, "none"))


def test_scatter_elements_gradients():
    x = rng.normal(size=(3, 4))
    u = rng.normal(size=(2, 4))
    index = np.array([[0, 2, 1, 1], [2, 0, 0, 2]], np.int64)  # distinct per column
    i = Tensor(index)
    check_grads(lambda a, b: ops.tensor_scatter_elements(a, i, b, 0), [x, u], rtol=1e-5, atol=1e-8)
    repeat = Tensor(np.array([[0, 0, 1, 1], [0, 0, 1, 2]], np.int64))  # repeats add up
    check_grads(
        lambda a, b: ops.tensor_scatter_elements(a, repeat, b, 1, "add"),
        [x[:2], u],
        rtol=1e-5,
        atol=1e-8,
    )
    check_grads(lambda a, b: ops.scatter(a, 0, i, b), [x, u], rtol=1e-5, atol=1e-8)


# ------------------------------------------------------------------------------------------------
# unsorted_segment_*
# ------------------------------------------------------------------------------------------------

SEGMENT_OPS = {
    "sum": (ops.unsorted_segment_sum, P.UnsortedSegmentSum, np.add, 0),
    "prod": (ops.unsorted_segment_prod, P.UnsortedSegmentProd, np.multiply, 1),
    "max": (ops.unsorted_segment_max, P.UnsortedSegmentMax, np.maximum, "lowest"),
    "min": (ops.unsorted_segment_min, P.UnsortedSegmentMin, np.minimum, "highest"),
}


def segments_loop(name, x, ids, n):
    _, _, ufunc, init = SEGMENT_OPS[name]
    rest = x.shape[ids.ndim :]
    info = np.finfo(x.dtype) if np.issubdtype(x.dtype, np.floating) else np.iinfo(x.dtype)
    init = {"lowest": info.min, "highest": info.max}.get(init, init)
    out = np.full((n,) + rest, init, x.dtype)
    for pos in np.ndindex(*ids.shape):
        if 0 <= ids[pos] < n:
            out[ids[pos]] = ufunc(out[ids[pos]], x[pos])
    return out


@pytest.mark.parametrize("name", sorted(SEGMENT_OPS))
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.float16])
def test_unsorted_segment_ops_match_a_loop(name, dtype):
    x = rng.integers(1, 4, (2, 3, 4)).astype(dtype)
    ids = np.array([[0, 3, 0], [-1, 3, 1]], np.int32)  # segment 2 absent; -1 dropped
    if name in ("sum", "prod"):
        ids[1, 1] = 7  # past num_segments: dropped
    want = segments_loop(name, x, ids, 5)
    fn, cls, _, _ = SEGMENT_OPS[name]
    for got in (fn(Tensor(x), Tensor(ids), 5), cls()(Tensor(x), Tensor(ids), Tensor(np.int64(5)))):
        assert got.dtype == Tensor(x).dtype
        np.testing.assert_array_equal(got.asnumpy(), want)
    jitted = ms.jit(lambda a, i: fn(a, i, 5))(Tensor(x), Tensor(ids))
    np.testing.assert_array_equal(jitted.asnumpy(), want)


@pytest.mark.parametrize("name", sorted(SEGMENT_OPS))
def test_unsorted_segment_gradients(name):
    x = rng.uniform(0.5, 2.0, (6, 2)) * rng.choice([-1, 1], (6, 2))
    if name == "prod":
        x[0, 0] = 0.0  # one zero in segment 1, column 0
        x[4, 1] = x[5, 1] = 0.0  # two zeros in segment 0, column 1
    ids = Tensor(np.array([1, 0, 1, 2, 0, 0], np.int32))
    fn = SEGMENT_OPS[name][0]
    n = 4 if name in ("sum", "prod") else 3  # an absent segment's extreme fill overflows sums
    check_grads(lambda a: fn(a, ids, n), [x], rtol=1e-5, atol=1e-8)


def test_unsorted_segment_methods_and_vmap():
    x = rng.normal(size=(3, 4, 5)).astype(np.float32)
    ids = np.array([0, 2, 2, 1], np.int32)
    got = ms.vmap(lambda a: ops.unsorted_segment_min(a, Tensor(ids), 3))(Tensor(x)).asnumpy()
    np.testing.assert_array_equal(
        got, np.stack([segments_loop("min", x[k], ids, 3) for k in range(3)])
    )
    t = Tensor(x[0])
    for name in ("max", "min", "prod"):
        method = getattr(t, f"unsorted_segment_{name}")
        np.testing.assert_array_equal(
            method(Tensor(ids), 3).asnumpy(), segments_loop(name, x[0], ids, 3)
        )


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_an_index_past_the_end_raises_a_value_and_runtime_error_eagerly_and_in_graphs(name):
    x, u = Tensor(np.ones((2, 3), np.float32)), Tensor(np.ones(1, np.float32))
    bad = Tensor(np.array([[1, 3]], np.int32))
    for fn in (tensor_op(name), ms.jit(lambda a, i, b: tensor_op(name)(a, i, b))):
        with pytest.raises(ValueError, match="out of range") as raised:
            fn(x, bad, u)
        assert isinstance(raised.value, RuntimeError)


def test_segment_ids_past_num_segments_raise_for_max_and_min_only():
    x, ids = Tensor(np.ones(4, np.float32)), Tensor(np.array([0, 0, 1, 2], np.int32))
    for fn in (ops.unsorted_segment_max, ms.jit(lambda a, i: ops.unsorted_segment_min(a, i, 2))):
        with pytest.raises(RuntimeError, match="segment_ids"):
            fn(x, ids, 2) if fn is ops.unsorted_segment_max else fn(x, ids)
    np.testing.assert_array_equal(ops.unsorted_segment_sum(x, ids, 2).asnumpy(), [2, 1])


def test_argument_errors_name_the_op():
    x, u = Tensor(np.ones((2, 3), np.float32)), Tensor(np.ones(1, np.float32))
    with pytest.raises(MindTypeError, match="tensor_scatter_mul.*int32 or int64"):
        ops.tensor_scatter_mul(x, Tensor(np.array([[0, 1]], np.int8)), u)
    with pytest.raises(MindValueError, match="tensor_scatter_max.*last dimension"):
        ops.tensor_scatter_max(x, Tensor(np.array([[0, 1, 2]], np.int32)), u)
    with pytest.raises(MindValueError, match="tensor_scatter_div.*'updates' must have shape"):
        ops.tensor_scatter_div(x, Tensor(np.array([[0]], np.int32)), u)
    with pytest.raises(MindValueError, match="scatter_mul.*indices.shape"):
        ops.scatter_mul(Parameter(x, name="x"), Tensor(np.array([0], np.int32)), u)
    with pytest.raises(MindValueError, match="reduction"):
        ops.tensor_scatter_elements(x, Tensor(np.zeros((1, 1), np.int32)), x, 0, "mul")
    with pytest.raises(MindValueError, match="one rank"):
        ops.tensor_scatter_elements(x, Tensor(np.zeros(1, np.int32)), x)
    with pytest.raises(MindValueError, match="prefix"):
        ops.unsorted_segment_sum(x, Tensor(np.zeros(3, np.int32)), 2)
    with pytest.raises(MindValueError, match="num_segments"):
        ops.unsorted_segment_sum(x, Tensor(np.zeros(2, np.int32)), 0)
    with pytest.raises(MindTypeError, match="'src'"):
        ops.scatter(x, 0, Tensor(np.zeros((1, 1), np.int32)), "a")


def test_tensor_methods_take_mindsporess_names():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    i, u = Tensor(np.array([[0, 1], [1, 2]], np.int32)), Tensor(np.array([1.0, 2.0], np.float32))
    np.testing.assert_array_equal(
        Tensor(x).scatter_sub(i, u).asnumpy(), scatter_nd_loop("sub", x, i.asnumpy(), u.asnumpy())
    )


def test_nested_vmap_under_jit_with_negative_indices_matches_per_example_calls():
    x = rng.normal(size=(2, 3, 4, 2)).astype(np.float32)
    indices = rng.integers(-4, 4, (2, 3, 5, 1)).astype(np.int64)
    u = rng.normal(size=(2, 3, 5, 2)).astype(np.float32)
    for name in ("update", "min"):
        fn = ms.vmap(ms.vmap(tensor_op(name)))
        want = np.stack(
            [
                np.stack([scatter_nd_loop(name, x[p, q], indices[p, q], u[p, q]) for q in range(3)])
                for p in range(2)
            ]
        )
        for f in (fn, ms.jit(fn)):
            got = f(Tensor(x), Tensor(indices), Tensor(u)).asnumpy()
            np.testing.assert_allclose(got, want, rtol=1e-6)


def test_in_place_scatter_inside_jit_writes_an_argument_and_a_captured_tensor():
    captured = Tensor(np.ones(3, np.float32))

    def f(x, i, u):
        ops.scatter_nd_add(x, i, u)
        ops.scatter_nd_mul(captured, i, u)
        return x + captured

    arg = Tensor(np.zeros(3, np.float32))
    step = ms.jit(f)
    out = step(arg, Tensor([[1]]), Tensor([5.0])).asnumpy()
    np.testing.assert_array_equal(out, [1, 10, 1])
    np.testing.assert_array_equal(arg.asnumpy(), [0, 5, 0])
    np.testing.assert_array_equal(captured.asnumpy(), [1, 5, 1])
    step(arg, Tensor([[1]]), Tensor([2.0]))
    np.testing.assert_array_equal(captured.asnumpy(), [1, 10, 1])


def test_the_method_aliases_call_mindspores_tensor_scatter_ops():
    from mind.core._src.ops import scatter as S

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    i = np.array([[0, 1], [1, 2], [0, 1]], np.int32)
    u = np.array([2.0, 3.0, 4.0], np.float32)
    for method, target in (e for e in S.TENSOR_METHODS if isinstance(e, tuple)):
        assert getattr(Tensor, method).__name__ == target  # the method calls that op
        fn = getattr(S, target)
        if method == "scatter_add":
            want = scatter_nd_loop("add", x, i, u)
            np.testing.assert_array_equal(fn(Tensor(x), Tensor(i), Tensor(u)).asnumpy(), want)
            index = np.array([[2, 2, 0]], np.int64)
            want = elements_loop(x, index, x[:1], 1, "add")
            got = fn(Tensor(x), dim=1, index=Tensor(index), src=Tensor(x[:1]))
            np.testing.assert_array_equal(got.asnumpy(), want)
            got = fn(Tensor(x), 1, Tensor(index), Tensor(x[:1]))
            np.testing.assert_array_equal(got.asnumpy(), want)
        else:
            want = scatter_nd_loop(method.removeprefix("scatter_"), x, i, u)
            np.testing.assert_allclose(fn(Tensor(x), Tensor(i), Tensor(u)).asnumpy(), want)
