"""The ops of ``_src/ops/indexing.py`` and their Primitive classes: forward against numpy,
gradients against finite differences, one jit case per family, vmap where it means something,
and the MindSpore classes against the functional ops."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import GraphModeError, MindTypeError, MindValueError
from mind.core.testing import check_grads

rng = np.random.default_rng(7)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def np_(t):
    return t.asnumpy()


# ------------------------------------------------------------------------------------------------
# Flips, rolls, rotations
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "dims"),
    [((4,), (0,)), ((3, 4), (1,)), ((3, 4), (0, 1)), ((2, 3, 4), (-1, 0)), ((2, 3, 4), [1])],
)
def test_flip_matches_numpy(shape, dims):
    x = r(*shape)
    np.testing.assert_array_equal(np_(ops.flip(Tensor(x), dims)), np.flip(x, tuple(dims)))
    np.testing.assert_array_equal(np_(Tensor(x).flip(dims)), np.flip(x, tuple(dims)))


def test_fliplr_flipud_and_their_rank_checks():
    x = np.arange(24).reshape(2, 3, 4).astype(np.int32)
    np.testing.assert_array_equal(np_(ops.fliplr(Tensor(x))), np.fliplr(x))
    np.testing.assert_array_equal(np_(ops.flipud(Tensor(x))), np.flipud(x))
    with pytest.raises(MindValueError, match="fliplr"):
        ops.fliplr(Tensor(np.arange(3)))
    with pytest.raises(MindValueError, match="flipud"):
        ops.flipud(Tensor(np.float32(1)))
    with pytest.raises(MindValueError, match="repeats"):
        ops.flip(Tensor(x), (0, -3))


@pytest.mark.parametrize(
    ("shifts", "dims"), [(2, None), (-7, None), (1, 0), ((1, -2), (0, 2)), (5, -1), (0, 1)]
)
def test_roll_matches_numpy(shifts, dims):
    x = r(3, 4, 5)
    np.testing.assert_array_equal(np_(ops.roll(Tensor(x), shifts, dims)), np.roll(x, shifts, dims))


@pytest.mark.parametrize("k", [-3, -1, 0, 1, 2, 3, 5])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (2, 0), (-1, 1)])
def test_rot90_matches_numpy(k, dims):
    x = r(2, 3, 4)
    np.testing.assert_array_equal(np_(ops.rot90(Tensor(x), k, dims)), np.rot90(x, k, dims))


def test_rot90_rejects_bad_dims():
    with pytest.raises(MindValueError, match="differ"):
        ops.rot90(Tensor(r(2, 2)), 1, (0, 0))
    with pytest.raises(MindValueError, match="2 ints"):
        ops.rot90(Tensor(r(2, 2)), 1, (0,))


def test_flip_roll_rot90_gradients():
    check_grads(lambda x: ops.flip(x, (0, 2)), [r(2, 3, 4)])
    check_grads(lambda x: ops.roll(x, (1, -1), (0, 1)), [r(3, 4)])
    check_grads(lambda x: ops.rot90(x, 1, (0, 1)), [r(3, 4)])


def test_flip_roll_under_jit_and_vmap():
    x = r(3, 4)
    f = ms.jit(lambda a: ops.roll(ops.flip(a, (1,)), 1, 0))
    np.testing.assert_array_equal(np_(f(Tensor(x))), np.roll(np.flip(x, 1), 1, 0))
    got = ms.vmap(lambda a: ops.roll(a, 1, 0))(Tensor(x))
    np.testing.assert_array_equal(np_(got), np.roll(x, 1, 1))


# ------------------------------------------------------------------------------------------------
# Pieces and axis moves
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "chunks"), [(5, 3), (6, 3), (2, 4), (7, 1), (4, 4)])
def test_chunk_sizes_follow_ceil_division(n, chunks):
    x = r(2, n)
    pieces = ops.chunk(Tensor(x), chunks, axis=-1)
    size = -(-n // chunks)
    want = [x[:, i : i + size] for i in range(0, n, size)]
    assert len(pieces) == len(want)
    for got, ref in zip(pieces, want):
        np.testing.assert_array_equal(np_(got), ref)


def test_narrow_unbind_swapaxes_t():
    x = r(3, 4, 5)
    np.testing.assert_array_equal(np_(ops.narrow(Tensor(x), 1, 1, 2)), x[:, 1:3])
    np.testing.assert_array_equal(np_(ops.narrow(Tensor(x), -1, -2, 2)), x[..., 3:5])
    assert ops.narrow(Tensor(x), 0, 3, 0).shape == (0, 4, 5)
    with pytest.raises(MindValueError, match="length"):
        ops.narrow(Tensor(x), 1, 3, 2)
    pieces = ops.unbind(Tensor(x), -2)
    assert len(pieces) == 4
    for i, p in enumerate(pieces):
        np.testing.assert_array_equal(np_(p), x[:, i])
    np.testing.assert_array_equal(np_(ops.swapaxes(Tensor(x), 0, -1)), np.swapaxes(x, 0, -1))
    m = r(2, 3)
    np.testing.assert_array_equal(np_(ops.t(Tensor(m))), m.T)
    np.testing.assert_array_equal(np_(Tensor(m[0]).t()), m[0])
    with pytest.raises(MindValueError, match="'t'"):
        ops.t(Tensor(x))


@pytest.mark.parametrize(
    ("source", "destination"), [(0, -1), (-1, 0), ((0, 1), (2, 0)), ([2, 0], [0, 1]), (1, 1)]
)
def test_movedim_and_moveaxis_match_numpy(source, destination):
    x = r(2, 3, 4)
    want = np.moveaxis(x, source, destination)
    np.testing.assert_array_equal(np_(ops.movedim(Tensor(x), source, destination)), want)
    np.testing.assert_array_equal(np_(Tensor(x).moveaxis(source, destination)), want)


def test_pieces_gradients():
    check_grads(lambda x: ops.chunk(x, 3, 1)[1] * 2 + ops.chunk(x, 3, 1)[2].sum(), [r(2, 5)])
    check_grads(lambda x: ops.narrow(x, 0, 1, 2), [r(4, 3)])
    check_grads(lambda x: ops.unbind(x, 1)[2] * ops.unbind(x, 1)[0], [r(3, 4)])
    check_grads(lambda x: ops.movedim(x, (0, 1), (2, 0)), [r(2, 3, 4)])


# ------------------------------------------------------------------------------------------------
# Gathers, masks, scatters
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_gather_elements_matches_take_along_axis(dim):
    x = r(3, 4, 5)
    index_shape = list(x.shape)
    index_shape[dim] = 6
    index_shape[(dim + 1) % 3] -= 1  # smaller than the input outside dim is allowed
    index = rng.integers(0, x.shape[dim], index_shape)
    sliced = x[
        tuple(slice(0, s) if d != dim % 3 else slice(None) for d, s in enumerate(index_shape))
    ]
    want = np.take_along_axis(sliced, index, dim)
    np.testing.assert_array_equal(np_(ops.gather_elements(Tensor(x), dim, Tensor(index))), want)
    np.testing.assert_array_equal(np_(ops.GatherD()(Tensor(x), dim, Tensor(index))), want)


def test_gather_elements_negative_indices_and_errors():
    x = r(2, 3)
    index = np.array([[-1, 0], [-3, 2]])
    want = np.take_along_axis(x, index % 3, 1)
    np.testing.assert_array_equal(np_(ops.gather_elements(Tensor(x), 1, Tensor(index))), want)
    with pytest.raises(MindValueError, match=r"\[-3, 3\)"):
        ops.gather_elements(Tensor(x), 1, Tensor(np.array([[3]])))
    with pytest.raises(MindValueError, match="rank"):
        ops.gather_elements(Tensor(x), 1, Tensor(np.array([0])))
    with pytest.raises(MindTypeError, match="integer"):
        ops.gather_elements(Tensor(x), 1, Tensor(np.zeros((2, 2), np.float32)))


def test_gather_elements_gradient_adds_repeats():
    index = np.array([[0, 0, 2], [1, 1, 1]])
    check_grads(lambda x: ops.gather_elements(x, 1, Tensor(index)), [r(2, 3)])
    g = ms.grad(lambda x: ops.gather_elements(x, 1, Tensor(index)).sum())(Tensor(r(2, 3)))
    np.testing.assert_array_equal(np_(g), [[2, 0, 1], [0, 3, 0]])


def test_gather_elements_under_jit_with_a_traced_index():
    x = r(3, 4)
    f = ms.jit(lambda a: ops.gather_elements(a, 1, ops.argsort(a, 1)))
    np.testing.assert_array_equal(np_(f(Tensor(x))), np.sort(x, 1))


def test_index_select():
    x = r(3, 4)
    idx = np.array([3, 0, 3])
    np.testing.assert_array_equal(np_(ops.index_select(Tensor(x), 1, Tensor(idx))), x[:, idx])
    np.testing.assert_array_equal(np_(Tensor(x).index_select(0, Tensor(idx[1:2]))), x[[0]])
    with pytest.raises(MindValueError, match="1-D"):
        ops.index_select(Tensor(x), 0, Tensor(np.array([[0]])))


def test_masked_fill_broadcasts_and_casts_value():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    mask = np.array([True, False, True])
    got = ops.masked_fill(Tensor(x), Tensor(mask), 7.9)
    np.testing.assert_array_equal(np_(got), np.where(mask, np.int32(7), x))
    assert got.dtype == ms.int32
    np.testing.assert_array_equal(
        np_(ops.MaskedFill()(Tensor(x), Tensor(mask), Tensor(np.int32(-1)))), np.where(mask, -1, x)
    )
    with pytest.raises(MindTypeError, match="bool"):
        ops.masked_fill(Tensor(x), Tensor(np.ones(3, np.int32)), 1)


def test_masked_fill_gradient_reaches_input_and_value():
    mask = Tensor(np.array([[True, False], [False, True]]))
    check_grads(lambda x, v: ops.masked_fill(x, mask, v), [r(2, 2), np.float64(0.3)])


def test_masked_select_broadcasts_and_can_be_empty():
    x = r(2, 3)
    mask = np.array([False, True, True])
    want = np.broadcast_to(x, (2, 3))[np.broadcast_to(mask, (2, 3))]
    np.testing.assert_array_equal(np_(ops.masked_select(Tensor(x), Tensor(mask))), want)
    np.testing.assert_array_equal(np_(ops.MaskedSelect()(Tensor(x), Tensor(mask))), want)
    empty = ops.masked_select(Tensor(x), Tensor(np.zeros(3, bool)))
    assert empty.shape == (0,)
    check_grads(lambda a: ops.masked_select(a, Tensor(mask)), [x])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: ops.masked_select(x, x > 0),
        lambda x: ops.nonzero(x),
        lambda x: ops.argwhere(x),
        lambda x: ops.unique(x)[0],
        lambda x: ops.unique_consecutive(x),
        lambda x: ops.bincount(ops.cast(x > 0, ms.int32)),
        lambda x: ops.repeat_interleave(x, ops.cast(x > 0, ms.int32)),
    ],
)
def test_value_dependent_shapes_raise_graph_mode_error_under_jit(fn):
    with pytest.raises(GraphModeError, match="output shape depends on the values"):
        ms.jit(fn, fullgraph=True)(Tensor(r(4)))


def test_select_is_where():
    cond = np.array([[True, False], [False, True]])
    x, y = r(2, 2), r(2, 2)
    np.testing.assert_array_equal(
        np_(ops.select(Tensor(cond), Tensor(x), Tensor(y))), np.where(cond, x, y)
    )
    np.testing.assert_array_equal(
        np_(ops.select(Tensor(cond), Tensor(x), 0.0)), np.where(cond, x, 0)
    )
    with pytest.raises(MindTypeError, match="bool"):
        ops.select(Tensor(x), Tensor(x), Tensor(y))


def test_scatter_nd_adds_repeats_and_matches_the_class():
    indices = np.array([[0, 1], [2, 2], [0, 1]])
    updates = np.array([1.0, 2.0, 3.0], np.float32)
    want = np.zeros((3, 3), np.float32)
    np.add.at(want, (indices[:, 0], indices[:, 1]), updates)
    np.testing.assert_array_equal(
        np_(ops.scatter_nd(Tensor(indices), Tensor(updates), (3, 3))), want
    )
    np.testing.assert_array_equal(
        np_(ops.ScatterNd()(Tensor(indices), Tensor(updates), (3, 3))), want
    )
    slices = ops.scatter_nd(Tensor(np.array([[1]])), Tensor(np.ones((1, 2), np.float32)), [3, 2])
    np.testing.assert_array_equal(np_(slices), [[0, 0], [1, 1], [0, 0]])
    check_grads(lambda u: ops.scatter_nd(Tensor(indices), u, (3, 3)), [updates])


def test_tensor_scatter_update_writes_and_last_repeat_wins():
    x = r(3, 4)
    indices = np.array([[0, 0], [2, 3], [0, 0]])
    updates = np.array([10.0, 20.0, 30.0], np.float32)
    want = x.copy()
    want[0, 0], want[2, 3] = 30.0, 20.0
    np.testing.assert_array_equal(
        np_(ops.TensorScatterUpdate()(Tensor(x), Tensor(indices), Tensor(updates))), want
    )
    rows = ops.TensorScatterUpdate()(
        Tensor(x), Tensor(np.array([[1]])), Tensor(np.zeros((1, 4), np.float32))
    )
    np.testing.assert_array_equal(np_(rows), np.vstack([x[:1], np.zeros((1, 4)), x[2:]]))
    distinct = Tensor(np.array([[0, 1], [2, 2]]))
    check_grads(lambda a, u: ops.TensorScatterUpdate()(a, distinct, u), [x, updates[:2]])


# ------------------------------------------------------------------------------------------------
# Sorting and top-k
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.float16, np.int64])
@pytest.mark.parametrize("axis", [-1, 0, 1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_in_both_directions(dtype, axis, descending):
    x = rng.integers(0, 4, (5, 6)).astype(dtype)  # many ties
    values, indices = ops.sort(Tensor(x), axis, descending)
    key = -x.astype(np.float64) if descending else x
    want = np.argsort(key, axis=axis, kind="stable")
    np.testing.assert_array_equal(np_(indices), want)
    np.testing.assert_array_equal(np_(values), np.take_along_axis(x, want, axis))
    assert indices.dtype == ms.int32 and values.dtype == Tensor(x).dtype
    np.testing.assert_array_equal(np_(ops.argsort(Tensor(x), axis, descending)), want)
    cls_values, cls_indices = ops.Sort(axis, descending)(Tensor(x))
    np.testing.assert_array_equal(np_(cls_indices), want)
    np.testing.assert_array_equal(np_(cls_values), np_(values))


def test_sort_descending_puts_nan_first_and_ascending_last():
    x = np.array([1.0, np.nan, 3.0, -1.0], np.float32)
    np.testing.assert_array_equal(np_(ops.sort(Tensor(x))[1]), [3, 0, 2, 1])
    np.testing.assert_array_equal(np_(ops.sort(Tensor(x), descending=True)[1]), [1, 2, 0, 3])


def test_sort_gradient_goes_back_to_the_sources():
    check_grads(lambda x: ops.sort(x, 0, True)[0], [r(4, 3)])
    check_grads(lambda x: Tensor.sort(x)[0], [r(3, 5)])


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize(("k", "dim"), [(1, None), (3, -1), (2, 0), (0, 1), (6, 1)])
def test_topk_values_indices_and_tie_order(largest, k, dim):
    x = rng.integers(0, 3, (4, 6)).astype(np.float32)
    axis = -1 if dim is None else dim
    key = -x if largest else x
    want = np.take(np.argsort(key, axis=axis, kind="stable"), np.arange(k), axis=axis)
    values, indices = ops.topk(Tensor(x), k, dim, largest)
    np.testing.assert_array_equal(np_(indices), want)  # ties: the smaller index first
    np.testing.assert_array_equal(np_(values), np.take_along_axis(x, want, axis))
    assert indices.dtype == ms.int32


def test_topk_unsorted_keeps_input_order_and_takes_a_tensor_k():
    x = np.array([[0.1, 0.9, 0.5, 0.7], [3.0, 1.0, 2.0, 0.0]], np.float32)
    values, indices = ops.topk(Tensor(x), Tensor(np.int32(3)), sorted=False)
    np.testing.assert_array_equal(np_(indices), [[1, 2, 3], [0, 1, 2]])
    np.testing.assert_array_equal(np_(values), np.take_along_axis(x, np_(indices), 1))
    np.testing.assert_array_equal(np_(ops.TopK(False)(Tensor(x), 4)[0]), x)
    assert ops.topk(Tensor(x), Tensor(np.array([2], np.int32)))[0].shape == (2, 2)


def test_topk_errors_class_and_gradient():
    x = r(3, 5)
    with pytest.raises(MindValueError, match="'k'"):
        ops.topk(Tensor(x), 6)
    values, indices = ops.TopK()(Tensor(x), 2)
    np.testing.assert_array_equal(np_(values), np_(ops.topk(Tensor(x), 2)[0]))
    np.testing.assert_array_equal(np_(indices), np.argsort(-x, 1, kind="stable")[:, :2])
    check_grads(lambda a: ops.topk(a, 2, 0)[0], [x])


def test_sort_topk_under_jit_and_vmap():
    x = r(3, 6)
    f = ms.jit(lambda a: (ops.sort(a)[0], ops.topk(a, 2)[1]))
    values, indices = f(Tensor(x))
    np.testing.assert_array_equal(np_(values), np.sort(x, -1))
    np.testing.assert_array_equal(np_(indices), np.argsort(-x, -1, kind="stable")[:, :2])
    mapped = ms.vmap(lambda a: ops.topk(a, 3)[0], in_axes=1)(Tensor(x))
    np.testing.assert_array_equal(np_(mapped), -np.sort(-x.T, -1)[:, :3])


# ------------------------------------------------------------------------------------------------
# Cumulative products and extrema
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_matches_numpy_and_differentiates(dim):
    x = rng.uniform(0.5, 2.0, (3, 4)).astype(np.float32)
    np.testing.assert_allclose(np_(ops.cumprod(Tensor(x), dim)), np.cumprod(x, dim), rtol=1e-6)
    np.testing.assert_allclose(np_(Tensor(x).cumprod(dim)), np.cumprod(x, dim), rtol=1e-6)
    check_grads(lambda a: ops.cumprod(a, dim), [x * np.sign(r(3, 4))])


def test_cumprod_dtype_and_int_input():
    x = np.array([1, 2, 3, 4], np.int32)
    np.testing.assert_array_equal(np_(ops.cumprod(Tensor(x), 0)), [1, 2, 6, 24])
    assert ops.cumprod(Tensor(x), 0, ms.float32).dtype == ms.float32


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumprod_class_exclusive_and_reverse(exclusive, reverse):
    x = rng.uniform(0.5, 2.0, (2, 5))
    y = np.flip(x, 1) if reverse else x
    want = np.cumprod(y, 1)
    if exclusive:
        want = np.concatenate([np.ones((2, 1)), want[:, :-1]], 1)
    want = np.flip(want, 1) if reverse else want
    op = ops.CumProd(exclusive=exclusive, reverse=reverse)
    np.testing.assert_allclose(np_(op(Tensor(x), 1)), want, rtol=1e-12)
    check_grads(lambda a: op(a, 1), [x])


def _running(x, axis, better):
    x = np.moveaxis(x, axis, 0)
    values, indices = np.empty_like(x), np.empty(x.shape, np.int64)
    for pos in np.ndindex(x.shape[1:]):
        best, at = None, 0
        for i in range(x.shape[0]):
            v = x[(i, *pos)]
            if best is None or better(v, best):
                best, at = v, i
            values[(i, *pos)], indices[(i, *pos)] = best, at
    return np.moveaxis(values, 0, axis), np.moveaxis(indices, 0, axis)


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_cummin_cummax_against_a_loop_with_ties(axis, dtype):
    x = rng.integers(-2, 3, (4, 5)).astype(dtype)
    for op, better in ((ops.cummin, np.less_equal), (ops.cummax, np.greater_equal)):
        values, indices = op(Tensor(x), axis)
        want_values, want_indices = _running(x, axis, better)
        np.testing.assert_array_equal(np_(values), want_values)
        np.testing.assert_array_equal(np_(indices), want_indices)  # a tie moves to the later one
        assert indices.dtype == ms.int64


def test_cummin_class_docs_example_and_gradients():
    a = np.array([-0.2284, -0.6628, 0.0975, 0.2680, -1.3298, -0.4220], np.float32)
    values, indices = ops.Cummin(0)(Tensor(a))
    np.testing.assert_allclose(np_(values), [-0.2284, -0.6628, -0.6628, -0.6628, -1.3298, -1.3298])
    np.testing.assert_array_equal(np_(indices), [0, 1, 1, 1, 4, 4])
    check_grads(lambda x: ops.cummin(x, 1)[0], [r(3, 5)])
    check_grads(lambda x: ops.cummax(x, 0)[0], [r(4, 2)])


def test_cumulative_ops_under_jit():
    x = rng.uniform(0.5, 2.0, (3, 4)).astype(np.float32)
    f = ms.jit(lambda a: (ops.cumprod(a, 1), ops.cummax(a, 0)[0]))
    prod, peak = f(Tensor(x))
    np.testing.assert_allclose(np_(prod), np.cumprod(x, 1), rtol=1e-6)
    np.testing.assert_array_equal(np_(peak), np.maximum.accumulate(x, 0))


# ------------------------------------------------------------------------------------------------
# Unique, nonzero, counts, searches, diff
# ------------------------------------------------------------------------------------------------


def test_unique_sorted_with_inverse_and_class():
    x = np.array([[5, 2, 2], [1, 5, 7]], np.int32)
    y, idx = ops.unique(Tensor(x))
    want, inverse = np.unique(x, return_inverse=True)
    np.testing.assert_array_equal(np_(y), want)
    np.testing.assert_array_equal(np_(idx), inverse.reshape(x.shape))
    assert idx.dtype == ms.int32 and y.dtype == ms.int32
    y2, idx2 = ops.Unique()(Tensor(np.array([1, 2, 5, 2], np.int32)))
    np.testing.assert_array_equal(np_(y2), [1, 2, 5])
    np.testing.assert_array_equal(np_(idx2), [0, 1, 2, 1])
    g = ms.grad(lambda a: (ops.unique(a)[0] * Tensor(np.array([1.0, 2.0, 3.0]))).sum())
    np.testing.assert_array_equal(np_(g(Tensor(np.array([3.0, 1.0, 3.0, 2.0])))), [3, 1, 0, 2])


def test_unique_consecutive_flat_and_along_an_axis():
    x = np.array([1, 1, 2, 2, 3, 1, 1, 2], np.int32)
    output, idx, counts = ops.unique_consecutive(Tensor(x), True, True, None)
    np.testing.assert_array_equal(np_(output), [1, 2, 3, 1, 2])
    np.testing.assert_array_equal(np_(idx), [0, 0, 1, 1, 2, 3, 3, 4])
    np.testing.assert_array_equal(np_(counts), [2, 2, 1, 2, 1])
    assert isinstance(ops.unique_consecutive(Tensor(x)), Tensor)
    only_counts = ops.unique_consecutive(Tensor(x), return_counts=True)
    assert len(only_counts) == 2
    m = np.array([[1, 1, 2], [1, 1, 2], [3, 3, 4]])
    rows, counts = ops.unique_consecutive(Tensor(m), return_counts=True, axis=0)
    np.testing.assert_array_equal(np_(rows), [[1, 1, 2], [3, 3, 4]])
    np.testing.assert_array_equal(np_(counts), [2, 1])
    cols, idx = ops.unique_consecutive(Tensor(m), return_idx=True, axis=1)
    np.testing.assert_array_equal(np_(cols), m[:, [0, 2]])
    np.testing.assert_array_equal(np_(idx), [0, 0, 1])


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2), ()])
def test_nonzero_argwhere_match_numpy(shape):
    x = (rng.integers(0, 3, shape) * 1.5).astype(np.float32)
    np.testing.assert_array_equal(np_(ops.nonzero(Tensor(x))), np.argwhere(x))
    np.testing.assert_array_equal(np_(ops.argwhere(Tensor(x))), np.argwhere(x))
    assert ops.nonzero(Tensor(x)).dtype == ms.int64
    if shape:
        for got, want in zip(ops.nonzero(Tensor(x), as_tuple=True), np.nonzero(x)):
            np.testing.assert_array_equal(np_(got), want)


def test_nonzero_of_all_zeros_is_empty():
    assert ops.nonzero(Tensor(np.zeros((2, 3)))).shape == (0, 2)


@pytest.mark.parametrize(("axis", "keep"), [((), False), (0, False), ((0, 2), True), (-1, True)])
def test_count_nonzero(axis, keep):
    x = rng.integers(0, 2, (3, 4, 2)).astype(np.float32)
    got = ops.count_nonzero(Tensor(x), axis, keep)
    want = np.count_nonzero(x, axis=None if axis == () else axis, keepdims=keep)
    np.testing.assert_array_equal(np_(got), want)
    assert got.dtype == ms.int32
    assert ops.count_nonzero(Tensor(x), dtype=ms.int64).dtype == ms.int64


def test_bincount_counts_weights_and_minlength():
    x = np.array([0, 1, 1, 3, 1])
    np.testing.assert_array_equal(np_(ops.bincount(Tensor(x))), np.bincount(x))
    np.testing.assert_array_equal(
        np_(ops.bincount(Tensor(x), minlength=7)), np.bincount(x, minlength=7)
    )
    w = r(5)
    np.testing.assert_allclose(
        np_(ops.bincount(Tensor(x), Tensor(w))), np.bincount(x, w), rtol=1e-6
    )
    assert ops.bincount(Tensor(np.zeros(0, np.int64))).shape == (0,)
    with pytest.raises(MindValueError, match="non-negative"):
        ops.bincount(Tensor(np.array([-1, 2])))
    check_grads(lambda weights: ops.bincount(Tensor(x), weights), [w])


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_one_and_many_rows(right):
    seq = np.array([1.0, 2.0, 2.0, 5.0], np.float32)
    values = np.array([[0.0, 2.0], [5.0, 6.0]], np.float32)
    side = "right" if right else "left"
    got = ops.searchsorted(Tensor(seq), Tensor(values), right=right)
    np.testing.assert_array_equal(np_(got), np.searchsorted(seq, values, side))
    assert got.dtype == ms.int64
    rows = np.sort(r(3, 5), -1)
    vals = r(3, 2)
    got = ops.searchsorted(Tensor(rows), Tensor(vals), side=side, out_int32=True)
    want = np.stack([np.searchsorted(rows[i], vals[i], side) for i in range(3)])
    np.testing.assert_array_equal(np_(got), want)
    assert got.dtype == ms.int32


def test_searchsorted_sorter_and_errors():
    seq = np.array([5.0, 1.0, 3.0], np.float32)
    sorter = np.argsort(seq)
    got = ops.searchsorted(
        Tensor(seq), Tensor(np.array([2.0, 4.0], np.float32)), sorter=Tensor(sorter)
    )
    np.testing.assert_array_equal(np_(got), np.searchsorted(seq, [2.0, 4.0], sorter=sorter))
    with pytest.raises(MindValueError, match="side"):
        ops.searchsorted(Tensor(seq), Tensor(seq), side="middle")


def test_searchsorted_class():
    seq = np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]], np.float32)
    values = np.array([[3.0, 6.0], [1.0, 4.0]], np.float32)
    got = ops.SearchSorted(dtype=ms.int32, right=True)(Tensor(seq), Tensor(values))
    want = np.stack([np.searchsorted(seq[i], values[i], "right") for i in range(2)])
    np.testing.assert_array_equal(np_(got), want)
    assert got.dtype == ms.int32
    assert ops.SearchSorted()(Tensor(seq), Tensor(values)).dtype == ms.int64


@pytest.mark.parametrize("right", [False, True])
def test_bucketize_follows_the_documented_bounds(right):
    x = np.array([[3, 6, 9], [1, 0, 10]])
    bounds = [1.0, 3.0, 5.0, 7.0, 9.0]
    got = ops.bucketize(Tensor(x), bounds, right=right)
    np.testing.assert_array_equal(
        np_(got), np.searchsorted(bounds, x, "right" if right else "left")
    )
    assert got.dtype == ms.int32
    if right:
        np.testing.assert_array_equal(np_(got)[0], [2, 3, 5])  # MindSpore's docs example


@pytest.mark.parametrize(("n", "axis"), [(1, -1), (2, 0), (0, 1), (3, 1)])
def test_diff_matches_numpy(n, axis):
    x = r(4, 5)
    np.testing.assert_allclose(np_(ops.diff(Tensor(x), n, axis)), np.diff(x, n, axis), rtol=1e-6)
    pre, app = r(4, 1) if axis else r(1, 5), r(4, 2) if axis else r(2, 5)
    got = ops.diff(Tensor(x), n, axis, Tensor(pre), Tensor(app))
    np.testing.assert_allclose(np_(got), np.diff(x, n, axis, prepend=pre, append=app), rtol=1e-5)


def test_diff_of_bools_and_gradient():
    b = np.array([True, True, False, True])
    np.testing.assert_array_equal(np_(ops.diff(Tensor(b))), np.diff(b))
    check_grads(lambda x: ops.diff(x, 2, 0), [r(5, 2)])


def test_searches_under_jit():
    seq = np.sort(r(6))
    vals = r(4)
    f = ms.jit(lambda s, v: (ops.searchsorted(s, v), ops.bucketize(v, [0.0, 1.0]), ops.diff(v)))
    found, buckets, d = f(Tensor(seq), Tensor(vals))
    np.testing.assert_array_equal(np_(found), np.searchsorted(seq, vals))
    np.testing.assert_array_equal(np_(buckets), np.searchsorted([0.0, 1.0], vals))
    np.testing.assert_allclose(np_(d), np.diff(vals), rtol=1e-6)


# ------------------------------------------------------------------------------------------------
# Creation and repeats
# ------------------------------------------------------------------------------------------------


def test_fill_and_class():
    got = ops.fill(ms.float32, (2, 3), 1.5)
    np.testing.assert_array_equal(np_(got), np.full((2, 3), 1.5))
    assert got.dtype == ms.float32
    got = ops.Fill()(ms.int32, (2,), Tensor(np.int32(4)))
    np.testing.assert_array_equal(np_(got), [4, 4])
    assert got.dtype == ms.int32


@pytest.mark.parametrize(
    ("start", "end", "steps"), [(1, 10, 5), (-1.5, 2.0, 1), (0, 0, 3), (3, -3, 7)]
)
def test_linspace_numbers_tensors_and_class(start, end, steps):
    want = np.linspace(start, end, steps).astype(np.float32)
    np.testing.assert_allclose(np_(ops.linspace(start, end, steps)), want, rtol=1e-6, atol=1e-7)
    got = ops.LinSpace()(Tensor(np.float32(start)), Tensor(np.float32(end)), steps)
    np.testing.assert_allclose(np_(got), want, rtol=1e-6, atol=1e-6)
    assert got.dtype == ms.float32


def test_linspace_differentiates_in_start_and_end():
    check_grads(lambda s, e: ops.linspace(s, e, 4), [np.float64(0.5), np.float64(2.0)])
    with pytest.raises(MindValueError, match="steps"):
        ops.linspace(0, 1, 0)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sizes", [(3,), (3, 2), (2, 3, 4)])
def test_meshgrid_matches_numpy(indexing, sizes):
    inputs = [r(s) for s in sizes]
    got = ops.meshgrid(*map(Tensor, inputs), indexing=indexing)
    for g, w in zip(got, np.meshgrid(*inputs, indexing=indexing)):
        np.testing.assert_array_equal(np_(g), w)
    for g, w in zip(
        ops.Meshgrid(indexing)(tuple(map(Tensor, inputs))), np.meshgrid(*inputs, indexing=indexing)
    ):
        np.testing.assert_array_equal(np_(g), w)


def test_meshgrid_errors_and_gradient():
    with pytest.raises(MindValueError, match="indexing"):
        ops.meshgrid(Tensor(r(2)), indexing="yx")
    with pytest.raises(MindValueError, match="1-D"):
        ops.meshgrid(Tensor(r(2, 2)))
    check_grads(lambda a, b: ops.meshgrid(a, b)[0] * ops.meshgrid(a, b)[1], [r(3), r(2)])


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize(("row", "col"), [(3, 3), (4, 2), (2, 5), (0, 3)])
def test_tril_triu_indices_match_numpy(row, col, offset):
    np.testing.assert_array_equal(
        np_(ops.tril_indices(row, col, offset)), np.tril_indices(row, offset, col)
    )
    got = ops.triu_indices(row, col, offset, dtype=ms.int32)
    np.testing.assert_array_equal(np_(got), np.triu_indices(row, offset, col))
    assert got.dtype == ms.int32 and got.shape[0] == 2


@pytest.mark.parametrize(
    ("repeats", "axis"),
    [(2, 0), (3, 1), (1, -1), (2, None), ([1, 0, 2], 1), (Tensor(np.array([2, 1])), 0), ([3], 0)],
)
def test_repeat_interleave_matches_numpy_repeat(repeats, axis):
    x = r(2, 3)
    counts = repeats.asnumpy() if isinstance(repeats, Tensor) else repeats
    np.testing.assert_array_equal(
        np_(ops.repeat_interleave(Tensor(x), repeats, axis)), np.repeat(x, counts, axis)
    )


def test_repeat_interleave_errors_gradient_and_repeat_elements():
    x = r(2, 3)
    with pytest.raises(MindValueError, match="counts"):
        ops.repeat_interleave(Tensor(x), [1, 2], 1)
    check_grads(lambda a: ops.repeat_interleave(a, 2, 1), [x])
    check_grads(lambda a: ops.repeat_interleave(a, [2, 0, 1], 1), [x])
    np.testing.assert_array_equal(np_(ops.repeat_elements(Tensor(x), 2, 1)), np.repeat(x, 2, 1))
    np.testing.assert_array_equal(np_(ops.repeat_elements(Tensor(x), 3)), np.repeat(x, 3, 0))
    with pytest.raises(MindValueError, match="rep"):
        ops.repeat_elements(Tensor(x), 0)


def test_creation_and_repeats_under_jit():
    f = ms.jit(
        lambda a, s: (
            ops.repeat_interleave(a, 2, 0),
            ops.linspace(s, s * 3, 3),
            ops.meshgrid(a, a)[1],
        )
    )
    a = r(3)
    rep, lin, grid = f(Tensor(a), Tensor(np.float32(1.0)))
    np.testing.assert_array_equal(np_(rep), np.repeat(a, 2))
    np.testing.assert_allclose(np_(lin), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(np_(grid), np.meshgrid(a, a)[1])


# ------------------------------------------------------------------------------------------------
# Depth and space, and the remaining classes
# ------------------------------------------------------------------------------------------------


def _depth_to_space_ref(x, b):
    n, c, h, w = x.shape
    out = np.empty((n, c // (b * b), h * b, w * b), x.dtype)
    for i in range(b):
        for j in range(b):
            for ch in range(c // (b * b)):
                out[:, ch, i::b, j::b] = x[:, (i * b + j) * (c // (b * b)) + ch]
    return out


@pytest.mark.parametrize(
    ("shape", "b"), [((1, 12, 1, 1), 2), ((2, 18, 2, 3), 3), ((1, 8, 3, 2), 2)]
)
def test_depth_to_space_and_space_to_depth_round_trip(shape, b):
    x = r(*shape)
    want = _depth_to_space_ref(x, b)
    np.testing.assert_array_equal(np_(ops.depth_to_space(Tensor(x), b)), want)
    np.testing.assert_array_equal(np_(ops.DepthToSpace(b)(Tensor(x))), want)
    np.testing.assert_array_equal(np_(ops.space_to_depth(Tensor(want), b)), x)
    np.testing.assert_array_equal(np_(ops.SpaceToDepth(b)(Tensor(want))), x)


def test_depth_space_errors_and_gradients():
    with pytest.raises(MindValueError, match="divisible"):
        ops.depth_to_space(Tensor(r(1, 6, 2, 2)), 2)
    with pytest.raises(MindValueError, match="4-D"):
        ops.space_to_depth(Tensor(r(4, 4)), 2)
    with pytest.raises(MindValueError, match="block_size"):
        ops.DepthToSpace(1)(Tensor(r(1, 4, 1, 1)))
    check_grads(lambda x: ops.depth_to_space(x, 2), [r(1, 8, 2, 1)])
    check_grads(lambda x: ops.space_to_depth(x, 2), [r(1, 2, 2, 4)])


def test_padding_class():
    x = np.array([[8.0], [10.0]], np.float32)
    np.testing.assert_array_equal(np_(ops.Padding(4)(Tensor(x))), [[8, 0, 0, 0], [10, 0, 0, 0]])
    assert ops.Padding()(Tensor(r(2, 3, 1))).shape == (2, 3, 8)
    np.testing.assert_array_equal(np_(ops.Padding(1)(Tensor(x))), x)
    with pytest.raises(MindValueError, match="last axis"):
        ops.Padding()(Tensor(r(2, 2)))


def test_reverse_roll_unstack_identity_classes():
    x = r(3, 4)
    np.testing.assert_array_equal(np_(ops.ReverseV2(axis=[0, 1])(Tensor(x))), x[::-1, ::-1])
    np.testing.assert_array_equal(
        np_(ops.Roll(shift=[1, -1], axis=[0, 1])(Tensor(x))), np.roll(x, (1, -1), (0, 1))
    )
    np.testing.assert_array_equal(np_(ops.Roll(2, 1)(Tensor(x))), np.roll(x, 2, 1))
    pieces = ops.Unstack(axis=-1)(Tensor(x))
    assert len(pieces) == 4
    np.testing.assert_array_equal(np_(pieces[3]), x[:, 3])
    with pytest.raises(MindValueError, match="num"):
        ops.Unstack(axis=0, num=2)(Tensor(x))
    np.testing.assert_array_equal(np_(ops.Identity()(Tensor(x))), x)
    check_grads(lambda a: ops.Identity()(a) * 2, [x])
    with pytest.raises(MindTypeError):
        ops.ReverseV2()  # axis is required


def test_classes_are_exported_and_named():
    from mind.core.ops import operations as P

    for name in (
        "GatherD MaskedFill MaskedSelect ScatterNd TensorScatterUpdate CumProd Cummin TopK Sort "
        "Unique Fill LinSpace Meshgrid ReverseV2 Roll Unstack Identity DepthToSpace SpaceToDepth "
        "Padding SearchSorted"
    ).split():
        assert getattr(ops, name) is getattr(P, name)
        assert name in ops.__all__
    assert ops.Sort().attrs == {"axis": -1, "descending": False}
    assert ops.CumProd(True).attrs == {"exclusive": True, "reverse": False}
