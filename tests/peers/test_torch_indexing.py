"""Mind's indexing, reordering, scan and search ops against PyTorch on the same inputs: forward
values and (where differentiable) gradients.

Run by ``nox -s peers`` (torch==2.13.0 CPU); the default test run does not collect this
directory. Float inputs are float64. MindSpore returns int32 indices where torch returns int64
(sort, argsort, topk, unique, bucketize): those compare by value; searchsorted's int64/int32
(``out_int32``) is documented alike in both, so its dtype is compared too.
"""

import numpy as np
import pytest
import torch
from peer_compare import compare as _compare

from mind.core import Tensor, ops

RNG = np.random.default_rng(13)


def _same_values(got, want):
    """Integer results (indices, counts) equal by value, whatever their dtype."""
    got = got.asnumpy() if hasattr(got, "asnumpy") else np.asarray(got)
    want = want.numpy() if isinstance(want, torch.Tensor) else np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_array_equal(got, want)


X3 = RNG.normal(size=(2, 3, 4))
X2 = RNG.normal(size=(4, 5))


# ---------------------------------------------------------------- reordering


FLIP = [
    ((2, 3, 4), (0,)),
    ((2, 3, 4), (1, 2)),
    ((2, 3, 4), (-1,)),
    ((5,), 0),
    ((2, 3, 4), [0, 1, 2]),
]


@pytest.mark.parametrize("shape, dims", FLIP, ids=str)
def test_flip(shape, dims):
    peer_dims = [dims] if isinstance(dims, int) else list(dims)
    _compare(
        lambda t: ops.flip(t, dims), lambda t: torch.flip(t, peer_dims), RNG.normal(size=shape)
    )


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)], ids=str)
def test_fliplr_flipud(shape):
    x = RNG.normal(size=shape)
    _compare(ops.fliplr, torch.fliplr, x)
    _compare(ops.flipud, torch.flipud, x)


def test_flipud_of_a_vector():
    _compare(ops.flipud, torch.flipud, RNG.normal(size=(5,)))


ROLL = [
    ((5,), 2, None),
    ((5,), -7, None),
    ((2, 3, 4), 3, None),
    ((2, 3, 4), 1, 0),
    ((2, 3, 4), -2, 2),
    ((2, 3, 4), (1, -1), (1, 2)),
    ((2, 3, 4), (5, 2), (0, -1)),
]


@pytest.mark.parametrize("shape, shifts, dims", ROLL, ids=str)
def test_roll(shape, shifts, dims):
    _compare(
        lambda t: ops.roll(t, shifts, dims),
        lambda t: torch.roll(t, shifts, dims),
        RNG.normal(size=shape),
    )


ROT90 = [(1, [0, 1]), (2, [0, 1]), (3, [0, 1]), (-1, [0, 1]), (5, [1, 0]), (0, [0, 1]), (1, [1, 2])]


@pytest.mark.parametrize("k, dims", ROT90, ids=str)
def test_rot90(k, dims):
    _compare(lambda t: ops.rot90(t, k, dims), lambda t: torch.rot90(t, k, dims), X3)


@pytest.mark.parametrize(
    "n, chunks, axis", [(6, 3, 0), (5, 3, 0), (7, 4, 1), (5, 5, 1), (3, 5, 0)], ids=str
)
def test_chunk(n, chunks, axis):
    x = RNG.normal(size=(n, 2) if axis == 0 else (2, n))
    got = ops.chunk(Tensor(x), chunks, axis)
    want = torch.chunk(torch.tensor(x), chunks, axis)
    assert len(got) == len(want)
    for i in range(len(want)):
        _compare(
            lambda t, i=i: ops.chunk(t, chunks, axis)[i],
            lambda t, i=i: torch.chunk(t, chunks, axis)[i],
            x,
        )


@pytest.mark.parametrize(
    "axis, start, length", [(0, 1, 2), (1, 0, 5), (1, 3, 2), (-1, 2, 1)], ids=str
)
def test_narrow(axis, start, length):
    _compare(
        lambda t: ops.narrow(t, axis, start, length),
        lambda t: torch.narrow(t, axis, start, length),
        X2,
    )


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_unbind(dim):
    assert len(ops.unbind(Tensor(X3), dim)) == X3.shape[dim]
    for i in range(X3.shape[dim]):
        _compare(lambda t, i=i: ops.unbind(t, dim)[i], lambda t, i=i: torch.unbind(t, dim)[i], X3)


@pytest.mark.parametrize("a0, a1", [(0, 2), (1, -1), (2, 2), (-3, 1)], ids=str)
def test_swapaxes(a0, a1):
    _compare(lambda t: ops.swapaxes(t, a0, a1), lambda t: torch.swapaxes(t, a0, a1), X3)


MOVEDIM = [(0, -1), (2, 0), ((0, 1), (2, 0)), ((0, 2), (1, 2)), ([-1], [0])]


@pytest.mark.parametrize("source, destination", MOVEDIM, ids=str)
def test_movedim(source, destination):
    _compare(
        lambda t: ops.movedim(t, source, destination),
        lambda t: torch.movedim(t, source, destination),
        X3,
    )


@pytest.mark.parametrize("shape", [(3, 4), (4,), ()], ids=str)
def test_t(shape):
    _compare(ops.t, torch.t, RNG.normal(size=shape))


# ---------------------------------------------------------------- gathering and masking


GATHER = [
    ((3, 4), 0, (2, 4)),
    ((3, 4), 1, (3, 6)),
    ((2, 3, 4), 2, (2, 3, 5)),
    ((2, 3, 4), 1, (1, 2, 3)),
]


@pytest.mark.parametrize("shape, dim, index_shape", GATHER, ids=str)
def test_gather_elements(shape, dim, index_shape):
    index = RNG.integers(0, shape[dim], size=index_shape)  # repeats: the gradient adds up
    _compare(
        lambda t: ops.gather_elements(t, dim, Tensor(index)),
        lambda t: torch.gather(t, dim, torch.tensor(index)),
        RNG.normal(size=shape),
    )


@pytest.mark.parametrize(
    "axis, index", [(0, [2, 0, 2]), (1, [4, 1]), (-1, [0, 0, 0, 3]), (0, [1])], ids=str
)
def test_index_select(axis, index):
    idx = np.array(index, dtype=np.int64)
    _compare(
        lambda t: ops.index_select(t, axis, Tensor(idx)),
        lambda t: torch.index_select(t, axis, torch.tensor(idx)),
        X2,
    )


@pytest.mark.parametrize("mask_shape", [(4, 5), (5,), (4, 1)], ids=str)
def test_masked_fill(mask_shape):
    mask = RNG.random(size=mask_shape) > 0.5
    _compare(
        lambda t: ops.masked_fill(t, Tensor(mask), -2.5),
        lambda t: torch.masked_fill(t, torch.tensor(mask), -2.5),
        X2,
    )


def test_masked_fill_with_a_0d_tensor_value():
    mask = RNG.random(size=(4, 5)) > 0.5
    _compare(
        lambda t, v: ops.masked_fill(t, Tensor(mask), v),
        lambda t, v: torch.masked_fill(t, torch.tensor(mask), v),
        X2,
        np.array(0.75),
    )


@pytest.mark.parametrize("mask_shape", [(4, 5), (5,), (4, 1)], ids=str)
def test_masked_select(mask_shape):
    mask = RNG.random(size=mask_shape) > 0.5
    got = ops.masked_select(Tensor(X2), Tensor(mask)).asnumpy()
    want = torch.masked_select(torch.tensor(X2), torch.tensor(mask)).numpy()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "shapes", [((4, 5), (4, 5), (4, 5)), ((4, 1), (4, 5), (5,)), ((5,), (4, 5), (4, 5))], ids=str
)
def test_select_is_where(shapes):
    # MindSpore's ops.select(cond, x, y) is torch.where(cond, x, y), not torch.select
    cond = RNG.random(size=shapes[0]) > 0.5
    _compare(
        lambda x, y: ops.select(Tensor(cond), x, y),
        lambda x, y: torch.where(torch.tensor(cond), x, y),
        RNG.normal(size=shapes[1]),
        RNG.normal(size=shapes[2]),
    )


# ---------------------------------------------------------------- scans


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_cumprod(dim):
    _compare(lambda t: ops.cumprod(t, dim), lambda t: torch.cumprod(t, dim), X3)


@pytest.mark.parametrize("zeros", [[1], [0, 3], [2, 4]], ids=str)
def test_cumprod_through_zeros(zeros):
    x = RNG.normal(size=(3, 6))
    x[:, zeros] = 0.0
    # forward only: the gradient at a zero element differs (Mind's is NaN, torch's finite)
    _compare(lambda t: ops.cumprod(t, 1), lambda t: torch.cumprod(t, 1), x, grad=False)


@pytest.mark.parametrize("name", ["cummin", "cummax"])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cummin_cummax(name, axis):
    x = RNG.normal(size=(4, 6))
    got_v, got_i = getattr(ops, name)(Tensor(x), axis)
    want_v, want_i = getattr(torch, name)(torch.tensor(x), axis)
    np.testing.assert_array_equal(got_v.asnumpy(), want_v.numpy())
    _same_values(got_i, want_i)
    _compare(
        lambda t: getattr(ops, name)(t, axis)[0], lambda t: getattr(torch, name)(t, axis)[0], x
    )


@pytest.mark.parametrize("name", ["cummin", "cummax"])
def test_cummin_cummax_with_ties(name):
    x = np.array([[2.0, 1.0, 1.0, 3.0, 1.0, 0.0], [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]])
    got_v, got_i = getattr(ops, name)(Tensor(x), 1)
    want_v, want_i = getattr(torch, name)(torch.tensor(x), 1)
    np.testing.assert_array_equal(got_v.asnumpy(), want_v.numpy())
    _same_values(got_i, want_i)


# ---------------------------------------------------------------- topk, sort, argsort


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k, dim", [(1, -1), (3, -1), (5, 1), (2, 0), (4, None)], ids=str)
def test_topk(k, dim, largest):
    x = RNG.normal(size=(4, 5))
    got_v, got_i = ops.topk(Tensor(x), k, dim, largest, True)
    want_v, want_i = torch.topk(torch.tensor(x), k, -1 if dim is None else dim, largest, True)
    np.testing.assert_array_equal(got_v.asnumpy(), want_v.numpy())
    _same_values(got_i, want_i)
    _compare(
        lambda t: ops.topk(t, k, dim, largest, True)[0],
        lambda t: torch.topk(t, k, -1 if dim is None else dim, largest, True)[0],
        x,
    )


@pytest.mark.parametrize("largest", [True, False])
def test_topk_with_ties_takes_the_smaller_index_first(largest):
    # torch.topk does not promise an order among ties; MindSpore's (and Mind's) is the smaller
    # index first, which is torch's stable sort cut to k.
    x = np.array([[1.0, 3.0, 2.0, 3.0, 1.0, 3.0], [0.0, 0.0, 0.0, 1.0, 1.0, 0.0]])
    got_v, got_i = ops.topk(Tensor(x), 4, -1, largest, True)
    want_v, want_i = torch.sort(torch.tensor(x), dim=-1, descending=largest, stable=True)
    np.testing.assert_array_equal(got_v.asnumpy(), want_v[:, :4].numpy())
    _same_values(got_i, want_i[:, :4])
    np.testing.assert_array_equal(
        got_v.asnumpy(), torch.topk(torch.tensor(x), 4, -1, largest, True)[0].numpy()
    )


SORT_INPUTS = {
    "random": RNG.normal(size=(3, 7)),
    "ties": np.array(
        [
            [3.0, 1.0, 3.0, 2.0, 1.0, 3.0, 0.0],
            [5.0, 5.0, 5.0, 5.0, 1.0, 1.0, 5.0],
            [2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
        ]
    ),
}


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("which", list(SORT_INPUTS))
def test_sort_and_argsort(which, axis, descending):
    x = SORT_INPUTS[which]
    # MindSpore's sort and argsort are stable; torch's is with stable=True
    got_v, got_i = ops.sort(Tensor(x), axis, descending)
    want_v, want_i = torch.sort(torch.tensor(x), dim=axis, descending=descending, stable=True)
    np.testing.assert_array_equal(got_v.asnumpy(), want_v.numpy())
    _same_values(got_i, want_i)
    _same_values(ops.argsort(Tensor(x), axis, descending), want_i)
    _compare(
        lambda t: ops.sort(t, axis, descending)[0],
        lambda t: torch.sort(t, dim=axis, descending=descending, stable=True)[0],
        x,
    )


# ---------------------------------------------------------------- unique, repeat, nonzero


@pytest.mark.parametrize(
    "x",
    [np.array([1, 2, 5, 2, 1, 7, 5]), np.array([[3.0, -1.0], [3.0, 0.5]]), np.array([4, 4, 4])],
    ids=["ints", "floats-2d", "one-value"],
)
def test_unique(x):
    # MindSpore's unique returns (sorted values, inverse indices of input's shape): torch's
    # unique(sorted=True, return_inverse=True). It has no counts (torch's return_counts).
    y, idx = ops.unique(Tensor(x))
    want_y, want_idx = torch.unique(torch.tensor(x), sorted=True, return_inverse=True)
    np.testing.assert_array_equal(y.asnumpy(), want_y.numpy())
    _same_values(idx, want_idx)


UNIQUE_CONSECUTIVE = [
    (np.array([1, 1, 2, 2, 3, 1, 1, 2]), None),
    (np.array([0.5, 0.5, 0.5]), None),
    (np.array([[1, 2, 2, 3], [1, 2, 2, 3], [0, 0, 1, 1]]), 0),
    (np.array([[1, 1, 2, 1], [3, 3, 4, 3]]), 1),
    (np.array([[1, 1], [2, 2]]), None),
]


@pytest.mark.parametrize("x, axis", UNIQUE_CONSECUTIVE, ids=range(len(UNIQUE_CONSECUTIVE)))
def test_unique_consecutive_with_inverse_and_counts(x, axis):
    # MindSpore's return_idx is torch's return_inverse; both give int64 indices and counts
    got = ops.unique_consecutive(Tensor(x), True, True, axis)
    want = torch.unique_consecutive(
        torch.tensor(x), return_inverse=True, return_counts=True, dim=axis
    )
    assert len(got) == len(want) == 3
    for g, w in zip(got, want):
        _same_values(g, w)
    _same_values(ops.unique_consecutive(Tensor(x), axis=axis), want[0])


REPEAT = [
    ((2, 3), 2, 0),
    ((2, 3), 3, 1),
    ((2, 3), 2, None),
    ((3,), [1, 0, 2], 0),
    ((2, 3), [2, 1, 3], 1),
    ((2, 3), [1, 2], 0),
]


@pytest.mark.parametrize("shape, repeats, axis", REPEAT, ids=str)
def test_repeat_interleave(shape, repeats, axis):
    peer_repeats = repeats if isinstance(repeats, int) else torch.tensor(repeats)
    _compare(
        lambda t: ops.repeat_interleave(t, repeats, axis),
        lambda t: torch.repeat_interleave(t, peer_repeats, axis),
        RNG.normal(size=shape),
    )


def test_repeat_interleave_with_tensor_repeats():
    reps = np.array([2, 0, 1], dtype=np.int64)
    _compare(
        lambda t: ops.repeat_interleave(t, Tensor(reps), 1),
        lambda t: torch.repeat_interleave(t, torch.tensor(reps), 1),
        RNG.normal(size=(2, 3)),
    )


NONZERO = [
    np.array([[1, 0], [0, 3]]),
    np.array([0.0, 1.5, 0.0, -2.0]),
    np.array([[[0, 1], [1, 0]], [[1, 1], [0, 0]]]),
    np.zeros((2, 3)),
    np.array([True, False, True]),
]


@pytest.mark.parametrize("x", NONZERO, ids=range(len(NONZERO)))
def test_nonzero(x):
    _same_values(ops.nonzero(Tensor(x)), torch.nonzero(torch.tensor(x)))
    got = ops.nonzero(Tensor(x), as_tuple=True)
    want = torch.nonzero(torch.tensor(x), as_tuple=True)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        _same_values(g, w)


COUNT_NONZERO = [(), 0, 1, (0, 2), -1]


@pytest.mark.parametrize("axis", COUNT_NONZERO, ids=str)
@pytest.mark.parametrize("keep_dims", [False, True])
def test_count_nonzero(axis, keep_dims):
    x = RNG.integers(-1, 2, size=(3, 4, 2)).astype(np.float64)
    t = torch.tensor(x)
    dims = tuple(range(x.ndim)) if axis == () else axis
    want = torch.count_nonzero(t, dim=dims)
    if keep_dims:  # torch.count_nonzero has no keepdim: put the reduced axes back
        want = (t != 0).sum(dim=dims, keepdim=True)
    _same_values(ops.count_nonzero(Tensor(x), axis, keep_dims), want)


# ---------------------------------------------------------------- searching and counting


SEARCHSORTED = [
    (np.array([1.0, 3.0, 5.0, 7.0]), np.array([0.0, 3.0, 4.0, 7.0, 9.0])),
    (np.array([1.0, 2.0, 2.0, 2.0, 5.0]), np.array([[2.0, 1.0], [5.0, 6.0]])),
    (np.array([[1.0, 3.0, 5.0], [2.0, 2.0, 4.0]]), np.array([[3.0, 6.0], [2.0, 0.0]])),
]


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("out_int32", [False, True])
@pytest.mark.parametrize("case", range(len(SEARCHSORTED)))
def test_searchsorted(case, right, out_int32):
    seq, values = SEARCHSORTED[case]
    got = ops.searchsorted(Tensor(seq), Tensor(values), out_int32=out_int32, right=right)
    want = torch.searchsorted(
        torch.tensor(seq), torch.tensor(values), out_int32=out_int32, right=right
    )
    _same_values(got, want)
    assert got.asnumpy().dtype == want.numpy().dtype  # int64, or int32: documented alike
    side = "right" if right else "left"
    _same_values(
        ops.searchsorted(Tensor(seq), Tensor(values), side=side),
        torch.searchsorted(torch.tensor(seq), torch.tensor(values), side=side),
    )


def test_searchsorted_with_sorter():
    seq = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    sorter = np.argsort(seq).astype(np.int64)
    values = np.array([0.5, 2.0, 3.5, 6.0])
    for right in (False, True):
        _same_values(
            ops.searchsorted(Tensor(seq), Tensor(values), right=right, sorter=Tensor(sorter)),
            torch.searchsorted(
                torch.tensor(seq), torch.tensor(values), right=right, sorter=torch.tensor(sorter)
            ),
        )


@pytest.mark.parametrize("right", [False, True])
def test_bucketize(right):
    boundaries = [1.0, 3.0, 5.0, 7.0, 9.0]
    x = np.array([[0.0, 1.0, 3.0, 4.0], [6.0, 7.0, 9.0, 10.0]])
    # MindSpore's bucketize returns int32 (torch's int64): compared by value
    _same_values(
        ops.bucketize(Tensor(x), boundaries, right=right),
        torch.bucketize(torch.tensor(x), torch.tensor(boundaries), right=right),
    )


BINCOUNT = [(np.array([0, 1, 1, 3]), 0), (np.array([2, 2, 0]), 6), (np.array([4, 0, 4, 1, 4]), 2)]


@pytest.mark.parametrize("x, minlength", BINCOUNT, ids=str)
def test_bincount(x, minlength):
    _same_values(
        ops.bincount(Tensor(x), minlength=minlength),
        torch.bincount(torch.tensor(x), minlength=minlength),
    )
    weights = RNG.normal(size=x.shape)
    length = max(int(x.max()) + 1, minlength)
    np.testing.assert_allclose(
        ops.bincount(Tensor(x), Tensor(weights), minlength).asnumpy(),
        torch.bincount(torch.tensor(x), torch.tensor(weights), minlength).numpy(),
        rtol=1e-12,
    )
    # torch.bincount does not differentiate in weights: the gradient is compared with the
    # same sums written as index_add
    _compare(
        lambda wt: ops.bincount(Tensor(x), wt, minlength),
        lambda wt: torch.zeros(length, dtype=torch.float64).index_add(0, torch.tensor(x), wt),
        weights,
    )


DIFF = [
    (1, -1, False, False),
    (2, -1, False, False),
    (1, 0, False, False),
    (1, 1, True, False),
    (2, -1, True, True),
    (3, 1, False, True),
]


@pytest.mark.parametrize("n, axis, prepend, append", DIFF, ids=str)
def test_diff(n, axis, prepend, append):
    x = RNG.normal(size=(4, 5))

    def along(size):
        shape = list(x.shape)
        shape[axis] = size
        return shape

    arrays = [x]
    if prepend:
        arrays.append(RNG.normal(size=along(2)))
    if append:
        arrays.append(RNG.normal(size=along(1)))

    def split(xs):
        xs = list(xs)
        first = xs.pop(0)
        pre = xs.pop(0) if prepend else None
        app = xs.pop(0) if append else None
        return first, pre, app

    def mine(*xs):
        first, pre, app = split(xs)
        return ops.diff(first, n, axis, pre, app)

    def peer(*xs):
        first, pre, app = split(xs)
        return torch.diff(first, n, axis, pre, app)

    _compare(mine, peer, *arrays)


def test_diff_of_bools():
    x = np.array([True, True, False, True, False, False])
    _same_values(ops.diff(Tensor(x)), torch.diff(torch.tensor(x)))


# ---------------------------------------------------------------- index and grid builders


TRI = [(3, 3, 0), (3, 2, 0), (4, 5, 1), (4, 5, -1), (5, 3, -2), (3, 4, 4), (3, 4, -4), (1, 1, 0)]


@pytest.mark.parametrize("row, col, offset", TRI, ids=str)
def test_tril_triu_indices(row, col, offset):
    _same_values(ops.tril_indices(row, col, offset), torch.tril_indices(row, col, offset))
    _same_values(ops.triu_indices(row, col, offset), torch.triu_indices(row, col, offset))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3, 4), (2, 3, 4), (5,)], ids=str)
def test_meshgrid(sizes, indexing):
    arrays = [RNG.normal(size=(n,)) for n in sizes]
    for i in range(len(sizes)):
        _compare(
            lambda *xs, i=i: ops.meshgrid(*xs, indexing=indexing)[i],
            lambda *xs, i=i: torch.meshgrid(*xs, indexing=indexing)[i],
            *arrays,
        )


def test_meshgrid_default_is_xy():
    # MindSpore's default indexing is 'xy'; torch's (deprecated default) is 'ij'
    a, b = RNG.normal(size=(3,)), RNG.normal(size=(4,))
    got = ops.meshgrid(Tensor(a), Tensor(b))
    want = torch.meshgrid(torch.tensor(a), torch.tensor(b), indexing="xy")
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.asnumpy(), w.numpy())


LINSPACE = [
    (1.0, 10.0, 5),
    (0.0, 1.0, 1),
    (-3.0, 2.5, 7),
    (2.0, -2.0, 4),
    (0.0, 1.0, 10),
    (5.0, 5.0, 3),
]


@pytest.mark.parametrize("start, end, steps", LINSPACE, ids=str)
def test_linspace(start, end, steps):
    got = ops.linspace(start, end, steps)
    want = torch.linspace(start, end, steps, dtype=torch.float32)
    # numbers give float32 in MindSpore (torch's default dtype too)
    assert got.asnumpy().dtype == np.float32
    np.testing.assert_allclose(got.asnumpy(), want.numpy(), rtol=1e-6, atol=1e-6)
    got64 = ops.linspace(Tensor(np.float64(start)), Tensor(np.float64(end)), steps)
    want64 = torch.linspace(start, end, steps, dtype=torch.float64)
    np.testing.assert_allclose(got64.asnumpy(), want64.numpy(), rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("steps", [2, 5, 8])
def test_linspace_differentiates_in_0d_tensor_ends(steps):
    # torch.linspace does not differentiate in its ends: the gradient is compared with
    # start + (end - start) * i / (steps - 1)
    frac = torch.arange(steps, dtype=torch.float64) / (steps - 1)
    _compare(
        lambda s, e: ops.linspace(s, e, steps),
        lambda s, e: s + (e - s) * frac,
        np.array(-1.25),
        np.array(3.5),
        rtol=1e-14,
        atol=1e-14,
    )
