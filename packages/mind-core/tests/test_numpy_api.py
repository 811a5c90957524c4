"""mind.core.numpy (MindSpore's mindspore.numpy) against numpy itself on the same inputs: values,
shapes and dtypes (MindSpore's where they differ: Python ints are int32, floats float32, float
creation defaults to float32), gradients against finite differences, and jit."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import mind.core as ms
import mind.core.numpy as mnp
from mind.core import Tensor
from mind.core.testing import check_grads

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4)).astype(np.float32)
B = rng.standard_normal((4, 5)).astype(np.float32)
C = rng.standard_normal((2, 3, 4)).astype(np.float32)
V = rng.standard_normal(5).astype(np.float32)
W = rng.standard_normal(3).astype(np.float32)
S = rng.standard_normal((3, 3)).astype(np.float32)
I = rng.integers(-5, 6, (3, 4)).astype(np.int32)  # noqa: E741
X3 = rng.standard_normal((4, 3)).astype(np.float32)
Y3 = rng.standard_normal((4, 3)).astype(np.float32)
NANS = A.copy()
NANS[0, 1] = np.nan
NANS[2, :] = np.nan
SPECIAL = np.array([1.0, np.inf, -np.inf, np.nan, -0.0, 0.0], np.float32)
POS = np.abs(A) + 0.5
t = Tensor


def _as32(dtype):
    """numpy's dtype as MindSpore's 32-bit defaults see it."""
    return np.dtype({np.float64: np.float32, np.int64: np.int32}.get(np.dtype(dtype).type, dtype))


def check(got, want, tol=1e-5, dtype="auto"):
    """Values, shape and dtype of a Tensor (or nested tuples/lists of them) against numpy's."""
    if isinstance(want, tuple | list):
        assert isinstance(got, tuple | list) and len(got) == len(want)
        for g, w in zip(got, want):
            check(g, w, tol, dtype)
        return
    want = np.asarray(want)
    assert isinstance(got, Tensor), type(got)
    g = got.asnumpy()
    assert g.shape == want.shape, (g.shape, want.shape)
    if dtype == "auto":
        assert g.dtype == _as32(want.dtype), (g.dtype, want.dtype)
    elif dtype is not None:
        assert g.dtype == np.dtype(dtype), (g.dtype, dtype)
    np.testing.assert_allclose(g, want, rtol=tol, atol=tol, equal_nan=True)


def test_every_mindspore_numpy_name_exists():
    names = json.loads(
        (Path(__file__).parents[3] / "tools/mindspore_compat/mindspore_names.json").read_text()
    )["groups"]["mindspore.numpy"]
    missing = [n for n in names if not hasattr(mnp, n)]
    assert not missing
    assert len(names) == 232


# ------------------------------------------------------------------------------------------------
# Creation
# ------------------------------------------------------------------------------------------------

CREATION = {
    "linspace": (lambda: mnp.linspace(0, 1, 7), lambda: np.linspace(0, 1, 7)),
    "linspace_arrays_axis": (
        lambda: mnp.linspace(t([0.0, 1.0]), t([2.0, 5.0]), 4, axis=1),
        lambda: np.linspace([0, 1], [2, 5], 4, axis=1),
    ),
    "linspace_retstep": (
        lambda: mnp.linspace(0, 1, 5, endpoint=False, retstep=True),
        lambda: np.linspace(0, 1, 5, endpoint=False, retstep=True),
    ),
    "logspace": (lambda: mnp.logspace(0, 2, 5, base=2.0), lambda: np.logspace(0, 2, 5, base=2.0)),
    "geomspace": (lambda: mnp.geomspace(1, 1000, 4), lambda: np.geomspace(1, 1000, 4)),
    "geomspace_negative": (
        lambda: mnp.geomspace(-1, -1000, 4, endpoint=False),
        lambda: np.geomspace(-1, -1000, 4, endpoint=False),
    ),
    "arange_float": (lambda: mnp.arange(0, 3, 0.5), lambda: np.arange(0, 3, 0.5)),
    "arange_int": (lambda: mnp.arange(7, 1, -2), lambda: np.arange(7, 1, -2)),
    "eye": (lambda: mnp.eye(3, 4, 1), lambda: np.eye(3, 4, 1)),
    "identity": (lambda: mnp.identity(3, mnp.int32), lambda: np.identity(3, np.int32)),
    "tri": (lambda: mnp.tri(3, 4, -1), lambda: np.tri(3, 4, -1)),
    "tril": (lambda: mnp.tril(A, 1), lambda: np.tril(A, 1)),
    "triu": (lambda: mnp.triu(C, -1), lambda: np.triu(C, -1)),
    "triu_of_vector": (lambda: mnp.triu(V), lambda: np.triu(V)),
    "diag_build": (lambda: mnp.diag(V, 2), lambda: np.diag(V, 2)),
    "diag_build_below": (lambda: mnp.diag(V, -1), lambda: np.diag(V, -1)),
    "diag_extract": (lambda: mnp.diag(A, 1), lambda: np.diag(A, 1)),
    "diagflat": (lambda: mnp.diagflat(A[:2, :2], 1), lambda: np.diagflat(A[:2, :2], 1)),
    "diagonal": (lambda: mnp.diagonal(C, 1, 2, 0), lambda: np.diagonal(C, 1, 2, 0)),
    "trace": (lambda: mnp.trace(A, -1), lambda: np.trace(A, -1)),
    "vander": (lambda: mnp.vander(V, 3), lambda: np.vander(V, 3)),
    "vander_increasing": (
        lambda: mnp.vander(W, increasing=True),
        lambda: np.vander(W, increasing=True),
    ),
    "meshgrid": (
        lambda: mnp.meshgrid(t([1.0, 2, 3]), t([4.0, 5])),
        lambda: np.meshgrid([1.0, 2, 3], [4.0, 5]),
    ),
    "meshgrid_3d_xy": (
        lambda: mnp.meshgrid(t([1.0, 2, 3]), t([4.0, 5]), t([1.0, 7, 8, 9])),
        lambda: np.meshgrid([1.0, 2, 3], [4.0, 5], [1.0, 7, 8, 9]),
    ),
    "meshgrid_ij_sparse": (
        lambda: mnp.meshgrid(t([1.0, 2, 3]), t([4.0, 5]), sparse=True, indexing="ij"),
        lambda: np.meshgrid([1.0, 2, 3], [4.0, 5], sparse=True, indexing="ij"),
    ),
    "mgrid": (lambda: mnp.mgrid[0:3, 0:2], lambda: np.mgrid[0:3, 0:2]),
    "ogrid": (lambda: mnp.ogrid[0:1:5j, 0:2], lambda: np.ogrid[0:1:5j, 0:2]),
    "indices": (lambda: mnp.indices((2, 3)), lambda: np.indices((2, 3))),
    "ix_": (lambda: mnp.ix_([0, 1], [2, 3, 4]), lambda: np.ix_([0, 1], [2, 3, 4])),
    "diag_indices": (lambda: mnp.diag_indices(3, 3), lambda: np.diag_indices(3, 3)),
    "tril_indices": (lambda: mnp.tril_indices(3, 1, 4), lambda: np.tril_indices(3, 1, 4)),
    "triu_indices": (lambda: mnp.triu_indices(4, -1), lambda: np.triu_indices(4, -1)),
    "tril_indices_from": (lambda: mnp.tril_indices_from(A), lambda: np.tril_indices_from(A)),
    "triu_indices_from": (lambda: mnp.triu_indices_from(A, 1), lambda: np.triu_indices_from(A, 1)),
    "windows": (
        lambda: [mnp.hamming(5), mnp.hanning(6), mnp.bartlett(5), mnp.blackman(7)],
        lambda: [np.hamming(5), np.hanning(6), np.bartlett(5), np.blackman(7)],
    ),
    "histogram_bin_edges": (
        lambda: mnp.histogram_bin_edges(V, 4),
        lambda: np.histogram_bin_edges(V, 4),
    ),
    "pad_constant": (
        lambda: mnp.pad(A, ((1, 2), (3, 2)), constant_values=((1, 2), (3, 4))),
        lambda: np.pad(A, ((1, 2), (3, 2)), constant_values=((1, 2), (3, 4))),
    ),
    "pad_reflect_wider_than_input": (
        lambda: mnp.pad(V, 7, "reflect"),
        lambda: np.pad(V, 7, "reflect"),
    ),
    "pad_stat_length": (
        lambda: mnp.pad(V, (2, 3), "mean", stat_length=2),
        lambda: np.pad(V, (2, 3), "mean", stat_length=2),
    ),
}
PAD_MODES = [
    "edge",
    "reflect",
    "symmetric",
    "wrap",
    "linear_ramp",
    "maximum",
    "minimum",
    "mean",
    "median",
]
for _mode in PAD_MODES:
    CREATION[f"pad_{_mode}"] = (
        lambda m=_mode: mnp.pad(A, ((1, 2), (3, 2)), m),
        lambda m=_mode: np.pad(A, ((1, 2), (3, 2)), m),
    )


@pytest.mark.parametrize("name", sorted(CREATION))
def test_creation_matches_numpy(name):
    mine, theirs = CREATION[name]
    check(mine(), theirs(), 1e-4)


def test_creation_dtypes_follow_mindspore():
    # Python ints are int32 and floats float32 (numpy: int64, float64)
    assert mnp.asarray([1, 2, 3]).dtype == ms.int32
    assert mnp.array([[1.0, 2.0]]).dtype == ms.float32
    assert mnp.array(True).dtype == ms.bool_
    assert mnp.asarray(np.arange(3, dtype=np.int16)).dtype == ms.int16  # numpy keeps its own
    for make in (mnp.zeros, mnp.ones, mnp.empty):
        assert make((2, 3)).dtype == ms.float32 and make(4).shape == (4,)
    assert mnp.eye(2).dtype == mnp.identity(2).dtype == mnp.tri(2).dtype == ms.float32
    assert mnp.full((2,), 3).dtype == ms.int32
    assert mnp.full((2,), 3.0).dtype == ms.float32
    assert mnp.full((2, 2), [1, 2]).asnumpy().tolist() == [[1, 2], [1, 2]]
    assert mnp.arange(5).dtype == ms.int32 and mnp.arange(5.0).dtype == ms.float32
    assert mnp.linspace(0, 4, 5).dtype == ms.float32
    assert mnp.asfarray([1, 2], mnp.int32).dtype == ms.float32
    assert mnp.indices((2,)).dtype == ms.int32
    x = Tensor(np.ones((2, 3), np.float16))
    for like in (mnp.zeros_like, mnp.ones_like, mnp.empty_like):
        y = like(x)
        assert y.dtype == ms.float16 and y.shape == (2, 3)
    check(mnp.full_like(x, 7, shape=(4,)), np.full(4, 7, np.float16), dtype=np.float16)
    check(mnp.zeros_like(x, ms.int32), np.zeros((2, 3), np.int32))
    check(mnp.array([1, 2], ndmin=3), np.array([1, 2], ndmin=3))
    src = Tensor(A)
    assert mnp.asarray(src) is src and mnp.array(src) is not src
    check(mnp.copy(src), A)


def test_random_functions_shapes_dtypes_and_ranges():
    r = mnp.rand(200, 3)
    assert r.shape == (200, 3) and r.dtype == ms.float32
    assert 0 <= r.asnumpy().min() and r.asnumpy().max() < 1
    n = mnp.randn((500,))
    assert n.dtype == ms.float32 and abs(float(n.asnumpy().mean())) < 0.3
    k = mnp.randint(2, 5, (300,))
    assert k.dtype == ms.int32 and set(np.unique(k.asnumpy())) <= {2, 3, 4}
    assert mnp.randint(3).shape == ()


# ------------------------------------------------------------------------------------------------
# Element-wise math
# ------------------------------------------------------------------------------------------------

UNARY = (
    "absolute negative positive square cbrt exp exp2 expm1 sin cos tan arctan sinh cosh tanh "
    "arcsinh deg2rad rad2deg radians floor ceil trunc fix rint sign"
).split()
UNARY_POSITIVE = "sqrt log log2 log10 log1p reciprocal".split()
BINARY = (
    "add subtract multiply power maximum minimum hypot arctan2 logaddexp logaddexp2 copysign "
    "heaviside fmod remainder floor_divide divide true_divide"
).split()


@pytest.mark.parametrize("name", UNARY + UNARY_POSITIVE)
def test_unary_math_matches_numpy(name):
    x = POS if name in UNARY_POSITIVE else A
    check(getattr(mnp, name)(x), getattr(np, name)(x), 2e-5)


@pytest.mark.parametrize(
    "name,x", [("arccos", A / 3), ("arcsin", A / 3), ("arctanh", A / 3), ("arccosh", POS + 1)]
)
def test_inverse_trig_matches_numpy(name, x):
    check(getattr(mnp, name)(x), getattr(np, name)(x), 2e-5)


@pytest.mark.parametrize("name", BINARY)
def test_binary_math_matches_numpy(name):
    x, y = A, A[::-1] + 0.1
    if name == "power":
        x = POS
    check(getattr(mnp, name)(x, y), getattr(np, name)(x, y), 1e-4)
    # broadcasting and a Python number on either side
    check(getattr(mnp, name)(x, 1.5), getattr(np, name)(x, np.float32(1.5)), 1e-4)
    check(getattr(mnp, name)(y[:1], x), getattr(np, name)(y[:1], x), 1e-4)


def test_integer_math_matches_numpy():
    check(mnp.divide(I, 3), I / 3, dtype=np.float32)  # integers divide to float32 in MindSpore
    check(mnp.floor_divide(I, 3), np.floor_divide(I, 3))
    check(mnp.remainder(I, -3), np.remainder(I, -3))
    check(mnp.fmod(I, -3), np.fmod(I, -3))
    check(mnp.divmod(I, 3), np.divmod(I, 3))
    check(mnp.gcd(I, 6), np.gcd(I, 6))
    check(mnp.lcm(I, 6), np.lcm(I, 6))
    big = np.array([832040, 1346269, 0, -12], np.int64)  # Fibonacci neighbours: Euclid's worst
    check(
        mnp.gcd(big, np.array([514229, 832040, 7, 18], np.int64)),
        np.gcd(big, [514229, 832040, 7, 18]),
        dtype=np.int64,
    )
    check(mnp.bitwise_and(I, 3), np.bitwise_and(I, 3))
    check(mnp.bitwise_or(I, I[::-1]), np.bitwise_or(I, I[::-1]))
    check(mnp.bitwise_xor(I, I[::-1]), np.bitwise_xor(I, I[::-1]))
    check(mnp.invert(I), np.invert(I))
    check(mnp.invert(I > 0), np.invert(I > 0))
    check(
        mnp.around(t(np.array([15, 25, 151], np.int32)), -1),
        np.around(np.array([15, 25, 151], np.int32), -1),
    )
    check(mnp.absolute(I), np.absolute(I))
    check(mnp.sqrt(np.array([4, 9], np.int32)), np.array([2.0, 3.0], np.float32))  # float32


def test_rounding_and_clipping_match_numpy():
    halves = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.675], np.float32)
    check(mnp.rint(halves), np.rint(halves))
    check(mnp.around(A, 2), np.around(A, 2))
    check(mnp.around(halves, 1), np.around(halves, 1))
    check(mnp.clip(A, -0.5, 0.5), np.clip(A, -0.5, 0.5))
    check(mnp.clip(A, None, 0.1), np.clip(A, None, 0.1))
    check(mnp.clip(A, A[:1], 0.4), np.clip(A, A[:1], 0.4))
    check(mnp.float_power(POS, 2), np.float_power(POS, 2).astype(np.float32), 1e-5)
    nan_pair = (t([1.0, np.nan, 3.0]), t([2.0, 1.0, np.nan]))
    check(mnp.maximum(*nan_pair), np.maximum([1.0, np.nan, 3.0], [2.0, 1.0, np.nan]))
    check(mnp.minimum(*nan_pair), np.minimum([1.0, np.nan, 3.0], [2.0, 1.0, np.nan]))
    check(mnp.copysign(A, SPECIAL[4]), np.copysign(A, SPECIAL[4]))


def test_dtype_argument_casts_the_result():
    check(mnp.add(I, I, dtype=ms.float32), (I + I).astype(np.float32))
    check(mnp.sqrt(POS, dtype="float16"), np.sqrt(POS).astype(np.float16), 1e-2, dtype=np.float16)
    check(mnp.less(A, 0, dtype=ms.int32), (A < 0).astype(np.int32))


def test_python_numbers_stay_weak():
    x = Tensor(np.ones(3, np.float16))
    assert mnp.add(x, 2.0).dtype == ms.float16
    assert mnp.multiply(Tensor(I), 2).dtype == ms.int32
    assert mnp.add(2, 3).dtype == ms.int32 and mnp.add(2, 3.5).dtype == ms.float32


# ------------------------------------------------------------------------------------------------
# Reductions
# ------------------------------------------------------------------------------------------------

AXES = [None, 0, 1, -1, (0, 1)]


@pytest.mark.parametrize("axis", AXES)
def test_reductions_match_numpy(axis):
    check(mnp.sum(A, axis), np.sum(A, axis), 1e-4)
    check(
        mnp.sum(A, axis, keepdims=True, initial=2.0),
        np.sum(A, axis, keepdims=True, initial=2.0),
        1e-4,
    )
    check(mnp.mean(A, axis, keepdims=True), np.mean(A, axis, keepdims=True))
    check(mnp.amax(A, axis), np.amax(A, axis))
    check(mnp.amin(A, axis, keepdims=True), np.amin(A, axis, keepdims=True))
    check(mnp.max(A, axis), np.max(A, axis))
    check(mnp.std(A, axis, ddof=1), np.std(A, axis, ddof=1))
    check(mnp.var(A, axis, keepdims=True), np.var(A, axis, keepdims=True))
    check(mnp.ptp(A, axis), np.ptp(A, axis))
    check(mnp.count_nonzero(I, axis), np.count_nonzero(I, axis), dtype=np.int32)
    check(
        mnp.average(A, axis, weights=POS, returned=True),
        np.average(A, axis, weights=POS, returned=True),
        1e-4,
    )
    check(mnp.sometrue(A > 1, axis), np.any(A > 1, axis))
    for name in ("nansum", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin"):
        with warnings.catch_warnings():  # numpy warns on the all-NaN row
            warnings.simplefilter("ignore")
            want = getattr(np, name)(NANS, axis=axis)
        check(getattr(mnp, name)(NANS, axis=axis), want, 1e-5)


def test_reduction_details_follow_mindspore():
    check(mnp.amax(A, 1, initial=-10, where=A < 0.5), np.amax(A, 1, initial=-10, where=A < 0.5))
    check(mnp.amin(A, initial=-10), np.amin(A, initial=-10))
    check(mnp.average(A, 1, weights=t([1.0, 2, 3, 4])), np.average(A, 1, weights=[1.0, 2, 3, 4]))
    check(mnp.mean(I), np.float32(np.mean(I)))  # integers average in float32
    check(mnp.sum(I > 0), np.int32((I > 0).sum()))  # bools sum in int32 (MindSpore)
    check(mnp.sum(I, dtype=ms.float32), np.float32(I.sum()))
    check(mnp.argmax(A), np.int32(np.argmax(A)))
    check(mnp.argmax(A, 1), np.argmax(A, 1))
    check(mnp.argmin(A, 0), np.argmin(A, 0))
    check(mnp.argmax(np.array([1.0, 3.0, 3.0], np.float32)), np.int32(1))  # the first wins
    check(mnp.cumsum(A), np.cumsum(A), 1e-5)
    check(mnp.cumsum(A, 1), np.cumsum(A, 1), 1e-5)
    check(mnp.cumsum(I > 0, 0), np.cumsum(I > 0, 0), dtype=np.int32)
    check(mnp.cumprod(A, 0), np.cumprod(A, 0), 1e-5)
    check(mnp.nancumsum(NANS, 1), np.nancumsum(NANS, 1))


# ------------------------------------------------------------------------------------------------
# Manipulation and indexing
# ------------------------------------------------------------------------------------------------

IX = np.argsort(A, 1)
CHOICE = np.array([[0, 1, 2, 1]] * 3)
A1 = np.array([1, 3, 4, 3, 7], np.int32)
A2 = np.array([3, 1, 2, 1, 9, 7], np.int32)

MANIPULATION = {
    "reshape": (lambda: mnp.reshape(A, (2, -1)), lambda: np.reshape(A, (2, -1))),
    "ravel": (lambda: mnp.ravel(A), lambda: np.ravel(A)),
    "transpose": (
        lambda: (mnp.transpose(C), mnp.transpose(C, (1, 0, 2))),
        lambda: (np.transpose(C), np.transpose(C, (1, 0, 2))),
    ),
    "swapaxes": (lambda: mnp.swapaxes(C, 0, 2), lambda: np.swapaxes(C, 0, 2)),
    "moveaxis": (
        lambda: (mnp.moveaxis(C, 0, -1), mnp.moveaxis(C, (0, 1), (2, 0))),
        lambda: (np.moveaxis(C, 0, -1), np.moveaxis(C, (0, 1), (2, 0))),
    ),
    "rollaxis": (
        lambda: [mnp.rollaxis(C, a, s) for a, s in [(2, 0), (0, 3), (1, 0), (2, 1), (-1, -2)]],
        lambda: [np.rollaxis(C, a, s) for a, s in [(2, 0), (0, 3), (1, 0), (2, 1), (-1, -2)]],
    ),
    "expand_dims": (
        lambda: (mnp.expand_dims(A, 1), mnp.expand_dims(A, (0, -1))),
        lambda: (np.expand_dims(A, 1), np.expand_dims(A, (0, -1))),
    ),
    "squeeze": (
        lambda: (mnp.squeeze(C[:1, :, :1]), mnp.squeeze(C[:1], 0)),
        lambda: (np.squeeze(C[:1, :, :1]), np.squeeze(C[:1], 0)),
    ),
    "atleast": (
        lambda: (mnp.atleast_1d(1.0), mnp.atleast_2d(V), mnp.atleast_3d(V), mnp.atleast_3d(A)),
        lambda: (
            np.atleast_1d(np.float32(1.0)),
            np.atleast_2d(V),
            np.atleast_3d(V),
            np.atleast_3d(A),
        ),
    ),
    "concatenate": (
        lambda: (mnp.concatenate([A, A], 1), mnp.concatenate([A, V], None)),
        lambda: (np.concatenate([A, A], 1), np.concatenate([A.ravel(), V])),
    ),
    "concatenate_promotes": (
        lambda: mnp.concatenate([I, A]),
        lambda: np.concatenate([I, A]).astype(np.float32),
    ),
    "stack": (lambda: mnp.stack([A, A], -1), lambda: np.stack([A, A], -1)),
    "hstack": (
        lambda: (mnp.hstack([V, V]), mnp.hstack([A, A])),
        lambda: (np.hstack([V, V]), np.hstack([A, A])),
    ),
    "vstack": (
        lambda: (mnp.vstack([V, V]), mnp.vstack([A, A])),
        lambda: (np.vstack([V, V]), np.vstack([A, A])),
    ),
    "dstack": (
        lambda: (mnp.dstack([V, V]), mnp.dstack([A, A])),
        lambda: (np.dstack([V, V]), np.dstack([A, A])),
    ),
    "column_stack": (
        lambda: mnp.column_stack([V, V, np.ones((5, 2), np.float32)]),
        lambda: np.column_stack([V, V, np.ones((5, 2), np.float32)]),
    ),
    "append": (
        lambda: (mnp.append(A, A, 0), mnp.append(A, V)),
        lambda: (np.append(A, A, 0), np.append(A, V)),
    ),
    "split": (lambda: mnp.split(A, 2, 1), lambda: np.split(A, 2, 1)),
    "split_at_indices": (lambda: mnp.split(A, [1, 3], 1), lambda: np.split(A, [1, 3], 1)),
    "array_split": (lambda: mnp.array_split(V, 3), lambda: np.array_split(V, 3)),
    "hsplit": (lambda: mnp.hsplit(A, 2), lambda: np.hsplit(A, 2)),
    "vsplit": (lambda: mnp.vsplit(C, [1]), lambda: np.vsplit(C, [1])),
    "dsplit": (lambda: mnp.dsplit(C, 2), lambda: np.dsplit(C, 2)),
    "tile": (
        lambda: (mnp.tile(A, 2), mnp.tile(V, (2, 1, 2))),
        lambda: (np.tile(A, 2), np.tile(V, (2, 1, 2))),
    ),
    "repeat": (
        lambda: (mnp.repeat(A, 2), mnp.repeat(A, [1, 0, 2], 0), mnp.repeat(A, 3, -1)),
        lambda: (np.repeat(A, 2), np.repeat(A, [1, 0, 2], 0), np.repeat(A, 3, -1)),
    ),
    "flip": (
        lambda: (mnp.flip(C), mnp.flip(C, (0, 2)), mnp.flipud(A), mnp.fliplr(A)),
        lambda: (np.flip(C), np.flip(C, (0, 2)), np.flipud(A), np.fliplr(A)),
    ),
    "roll": (
        lambda: (mnp.roll(A, 2), mnp.roll(A, -1, 1), mnp.roll(A, (1, 2), (0, 1))),
        lambda: (np.roll(A, 2), np.roll(A, -1, 1), np.roll(A, (1, 2), (0, 1))),
    ),
    "rot90": (
        lambda: [mnp.rot90(C, k, (2, 0)) for k in range(-1, 5)],
        lambda: [np.rot90(C, k, (2, 0)) for k in range(-1, 5)],
    ),
    "where": (lambda: mnp.where(A > 0, A, 0.0), lambda: np.where(A > 0, A, np.float32(0.0))),
    "where_indices": (
        lambda: mnp.where(A > 0),
        lambda: tuple(i.astype(np.int32) for i in np.where(A > 0)),
    ),
    "take": (
        lambda: (mnp.take(A, t([0, 5, 11])), mnp.take(A, t([[0, 3]]), 1)),
        lambda: (np.take(A, [0, 5, 11]), np.take(A, [[0, 3]], 1)),
    ),
    "take_clips_by_default": (
        lambda: mnp.take(A, t([-1, 40])),
        lambda: np.take(A, [-1, 40], mode="clip"),
    ),
    "take_wrap": (
        lambda: mnp.take(A, t([-1, 40]), 1, mode="wrap"),
        lambda: np.take(A, [-1, 40], 1, mode="wrap"),
    ),
    "take_along_axis": (
        lambda: mnp.take_along_axis(A, t(IX), 1),
        lambda: np.take_along_axis(A, IX, 1),
    ),
    "take_along_axis_broadcast": (
        lambda: mnp.take_along_axis(A, t(IX[:, :1]), 1),
        lambda: np.take_along_axis(A, IX[:, :1], 1),
    ),
    "take_along_axis_flat": (
        lambda: mnp.take_along_axis(A, t(np.array([3, 0])), None),
        lambda: np.take_along_axis(A, np.array([3, 0]), None),
    ),
    "choose": (
        lambda: mnp.choose(t(CHOICE), [A, A * 2, A * 3]),
        lambda: np.choose(CHOICE, [A, A * 2, A * 3]),
    ),
    "choose_wrap": (
        lambda: mnp.choose(t(CHOICE + 2), [A, A * 2, A * 3], mode="wrap"),
        lambda: np.choose(CHOICE + 2, [A, A * 2, A * 3], mode="wrap"),
    ),
    "select": (
        lambda: mnp.select([A < -0.5, A > 0.5], [A, A * 10], -1),
        lambda: np.select([A < -0.5, A > 0.5], [A, A * 10], -1),
    ),
    "piecewise": (
        lambda: mnp.piecewise(A, [A < 0, A >= 0], [lambda x: -x, lambda x: x * 2]),
        lambda: np.piecewise(A, [A < 0, A >= 0], [lambda x: -x, lambda x: x * 2]),
    ),
    "piecewise_default": (
        lambda: mnp.piecewise(A, [A < 0], [-1.0, 5.0]),
        lambda: np.piecewise(A, [A < 0], [-1.0, 5.0]),
    ),
    "apply_along_axis": (
        lambda: mnp.apply_along_axis(lambda r: r * r.sum(), 1, A),
        lambda: np.apply_along_axis(lambda r: r * r.sum(), 1, A),
    ),
    "apply_along_axis_scalar": (
        lambda: mnp.apply_along_axis(lambda r: r.sum(), 0, C),
        lambda: np.apply_along_axis(lambda r: r.sum(), 0, C),
    ),
    "apply_over_axes": (
        lambda: mnp.apply_over_axes(mnp.sum, C, [0, 2]),
        lambda: np.apply_over_axes(np.sum, C, [0, 2]),
    ),
    "unravel_index": (
        lambda: (
            mnp.unravel_index([5, 7, 11], (3, 4)),
            mnp.unravel_index([5, 7, 11], (3, 4), "F"),
        ),
        lambda: (
            np.unravel_index([5, 7, 11], (3, 4)),
            np.unravel_index([5, 7, 11], (3, 4), order="F"),
        ),
    ),
    "ravel_multi_index": (
        lambda: [mnp.ravel_multi_index(([1, 2], [3, 0]), (3, 4), order=o) for o in "CF"],
        lambda: [np.ravel_multi_index(([1, 2], [3, 0]), (3, 4), order=o) for o in "CF"],
    ),
    "unique": (
        lambda: mnp.unique(I, True),
        lambda: [u.ravel() for u in np.unique(I, return_inverse=True)],
    ),
    "argwhere": (lambda: mnp.argwhere(I > 0), lambda: np.argwhere(I > 0)),
    "intersect1d": (
        lambda: mnp.intersect1d(A1, A2, return_indices=True),
        lambda: np.intersect1d(A1, A2, return_indices=True),
    ),
    "broadcast_arrays": (
        lambda: mnp.broadcast_arrays(A, V[:4]),
        lambda: np.broadcast_arrays(A, V[:4]),
    ),
    "broadcast_to": (lambda: mnp.broadcast_to(V, (2, 5)), lambda: np.broadcast_to(V, (2, 5))),
}
NATIVE_INT64 = {"argwhere"}  # index results MindSpore gives as int64 too


@pytest.mark.parametrize("name", sorted(MANIPULATION))
def test_manipulation_matches_numpy(name):
    mine, theirs = MANIPULATION[name]
    check(mine(), theirs(), 1e-4, dtype=np.int64 if name in NATIVE_INT64 else "auto")


def test_size_array_str_and_isscalar():
    assert mnp.size(A) == 12 and mnp.size(A, 1) == 4 and mnp.size([[1, 2]]) == 2
    assert mnp.array_str(Tensor(np.array([1, 2]))) == "[1 2]"
    assert mnp.isscalar(3.0) and not mnp.isscalar(Tensor(3.0)) and not mnp.isscalar([1])


# ------------------------------------------------------------------------------------------------
# Linear algebra, statistics, signals, polynomials
# ------------------------------------------------------------------------------------------------

XS = np.array([-1, 0, 0.5, 1, 3, 4, 5], np.float32)
XP = np.array([0.0, 1.0, 2.0, 4.0], np.float32)
FP = np.array([1.0, 3.0, 2.0, 0.0], np.float32)
BINS = np.array([-1.0, 0.0, 0.5, 1.0], np.float32)
BI = np.array([0, 1, 1, 3, 2, 1, 7], np.int32)
PTS = rng.standard_normal((20, 2)).astype(np.float32)
P1 = np.array([1.0, 2, 3], np.float32)
P2 = np.array([4.0, 5], np.float32)
PHASE = np.cumsum(rng.standard_normal(10) * 3).astype(np.float32)
ONES243 = np.ones((2, 4, 3), np.float32)

LINALG = {
    "matmul": (
        lambda: (
            mnp.matmul(A, B),
            mnp.matmul(V, B.T),
            mnp.matmul(B, V),
            mnp.matmul(V, V),
            mnp.matmul(C, B),
        ),
        lambda: (
            np.matmul(A, B),
            np.matmul(V, B.T),
            np.matmul(B, V),
            np.matmul(V, V),
            np.matmul(C, B),
        ),
    ),
    "dot": (
        lambda: (
            mnp.dot(A, B),
            mnp.dot(V, V),
            mnp.dot(C, B),
            mnp.dot(2.0, A),
            mnp.dot(B, V),
            mnp.dot(C, ONES243),
        ),
        lambda: (
            np.dot(A, B),
            np.dot(V, V),
            np.dot(C, B),
            np.dot(np.float32(2.0), A),
            np.dot(B, V),
            np.dot(C, ONES243),
        ),
    ),
    "inner": (lambda: (mnp.inner(A, A), mnp.inner(V, V)), lambda: (np.inner(A, A), np.inner(V, V))),
    "outer": (lambda: mnp.outer(V, A), lambda: np.outer(V, A)),
    "tensordot": (
        lambda: (
            mnp.tensordot(C, A.T, 1),
            mnp.tensordot(C, A, ((1, 2), (0, 1))),
            mnp.tensordot(V, V, 0),
        ),
        lambda: (
            np.tensordot(C, A.T, 1),
            np.tensordot(C, A, ((1, 2), (0, 1))),
            np.tensordot(V, V, 0),
        ),
    ),
    "kron": (lambda: (mnp.kron(A, B), mnp.kron(V, A)), lambda: (np.kron(A, B), np.kron(V, A))),
    "cross": (
        lambda: (
            mnp.cross(X3, Y3),
            mnp.cross(X3[:, :2], Y3[:, :2]),
            mnp.cross(X3[:, :2], Y3),
            mnp.cross(X3.T, Y3.T, axis=0),
        ),
        lambda: (
            np.cross(X3, Y3),
            X3[:, 0] * Y3[:, 1] - X3[:, 1] * Y3[:, 0],  # numpy 2 deprecates 2-vectors
            np.cross(np.pad(X3[:, :2], ((0, 0), (0, 1))), Y3),
            np.cross(X3.T, Y3.T, axis=0),
        ),
    ),
    "multi_dot": (
        lambda: mnp.multi_dot([V[:3], A, B, V]),
        lambda: np.linalg.multi_dot([V[:3], A, B, V]),
    ),
    "matrix_power": (
        lambda: (mnp.matrix_power(S, 0), mnp.matrix_power(S, 1), mnp.matrix_power(S, 5)),
        lambda: (np.linalg.matrix_power(S, 0), S, np.linalg.matrix_power(S, 5)),
    ),
    "norm_vector": (
        lambda: [mnp.norm(V, o) for o in (None, 1, 2, 3, np.inf, -np.inf, 0)],
        lambda: [np.linalg.norm(V, o) for o in (None, 1, 2, 3, np.inf, -np.inf, 0)],
    ),
    "norm_matrix": (
        lambda: [mnp.norm(A, o) for o in (None, "fro", 1, -1, np.inf, -np.inf)],
        lambda: [np.linalg.norm(A, o) for o in (None, "fro", 1, -1, np.inf, -np.inf)],
    ),
    "norm_axis": (
        lambda: mnp.norm(C, 3, axis=1, keepdims=True),
        lambda: np.linalg.norm(C, 3, axis=1, keepdims=True),
    ),
    "cov": (
        lambda: (
            mnp.cov(A),
            mnp.cov(A, rowvar=False, bias=True),
            mnp.cov(A, A[::-1]),
            mnp.cov(A, fweights=t([1, 2, 1, 3]), aweights=t([0.5, 1.0, 2.0, 1.0])),
        ),
        lambda: (
            np.cov(A),
            np.cov(A, rowvar=False, bias=True),
            np.cov(A, A[::-1]),
            np.cov(A, fweights=[1, 2, 1, 3], aweights=[0.5, 1, 2, 1]),
        ),
    ),
    "corrcoef": (lambda: mnp.corrcoef(A), lambda: np.corrcoef(A)),
    "diff": (
        lambda: (mnp.diff(A), mnp.diff(A, 2, 0), mnp.diff(V, prepend=0.0, append=t([1.0, 2.0]))),
        lambda: (
            np.diff(A),
            np.diff(A, 2, 0),
            np.diff(V, prepend=np.float32(0), append=np.float32([1, 2])),
        ),
    ),
    "ediff1d": (
        lambda: mnp.ediff1d(A, to_end=t([9.0]), to_begin=t([1.0, 2.0])),
        lambda: np.ediff1d(A, to_end=np.float32([9]), to_begin=np.float32([1, 2])),
    ),
    "gradient": (
        lambda: (mnp.gradient(V), mnp.gradient(A, 2.0), mnp.gradient(A, axis=1)),
        lambda: (np.gradient(V), np.gradient(A, 2.0), np.gradient(A, axis=1)),
    ),
    "trapz": (
        lambda: (mnp.trapz(A), mnp.trapz(A, dx=0.5, axis=0), mnp.trapz(A, t([0.0, 1.0, 3.0, 4.0]))),
        lambda: (
            np.trapezoid(A),
            np.trapezoid(A, dx=0.5, axis=0),
            np.trapezoid(A, np.float32([0, 1, 3, 4])),
        ),
    ),
    "unwrap": (lambda: mnp.unwrap(PHASE), lambda: np.unwrap(PHASE)),
    "searchsorted": (
        lambda: (
            mnp.searchsorted(np.sort(V), A),
            mnp.searchsorted(np.sort(V), np.sort(V), "right"),
            mnp.searchsorted(V, np.sort(V), sorter=t(np.argsort(V))),
        ),
        lambda: (
            np.searchsorted(np.sort(V), A),
            np.searchsorted(np.sort(V), np.sort(V), "right"),
            np.searchsorted(V, np.sort(V), sorter=np.argsort(V)),
        ),
    ),
    "digitize": (
        lambda: [mnp.digitize(A, b, r) for b in (BINS, BINS[::-1].copy()) for r in (False, True)],
        lambda: [np.digitize(A, b, r) for b in (BINS, BINS[::-1]) for r in (False, True)],
    ),
    "interp": (
        lambda: (mnp.interp(XS, XP, FP), mnp.interp(XS, XP, FP, left=-9.0, right=9.0)),
        lambda: (np.interp(XS, XP, FP), np.interp(XS, XP, FP, left=-9.0, right=9.0)),
    ),
    "bincount": (
        lambda: (
            mnp.bincount(BI),
            mnp.bincount(BI, minlength=10),
            mnp.bincount(BI, weights=t(np.arange(7.0, dtype=np.float32))),
        ),
        lambda: (
            np.bincount(BI),
            np.bincount(BI, minlength=10),
            np.bincount(BI, weights=np.arange(7.0)),
        ),
    ),
    "histogram": (
        lambda: (
            mnp.histogram(A),
            mnp.histogram(A, 3, (-1, 1)),
            mnp.histogram(A, [-2.0, 0.0, 0.3, 2.0], weights=POS, density=True),
        ),
        lambda: (
            np.histogram(A),
            np.histogram(A, 3, (-1, 1)),
            np.histogram(A, [-2.0, 0.0, 0.3, 2.0], weights=POS, density=True),
        ),
    ),
    "histogramdd": (lambda: mnp.histogramdd(PTS, (3, 4)), lambda: np.histogramdd(PTS, (3, 4))),
    "histogram2d": (
        lambda: mnp.histogram2d(PTS[:, 0], PTS[:, 1], 3, density=True),
        lambda: np.histogram2d(PTS[:, 0], PTS[:, 1], 3, density=True),
    ),
    "polynomials": (
        lambda: (
            mnp.polyadd(P1, P2),
            mnp.polysub(P2, P1),
            mnp.polymul(P1, P2),
            mnp.polyval(P1, A),
            mnp.polyder(P1),
            mnp.polyder(P1, 2),
            mnp.polyint(P1),
            mnp.polyint(P1, 2, [1.0, 2.0]),
        ),
        lambda: (
            np.polyadd(P1, P2),
            np.polysub(P2, P1),
            np.polymul(P1, P2),
            np.polyval(P1, A),
            np.polyder(P1),
            np.polyder(P1, 2),
            np.polyint(P1),
            np.polyint(P1, 2, [1.0, 2.0]),
        ),
    ),
}
for _mode in ("full", "same", "valid"):
    LINALG[f"convolve_{_mode}"] = (
        lambda m=_mode: (mnp.convolve(V, W, m), mnp.convolve(W, V, m)),
        lambda m=_mode: (np.convolve(V, W, m), np.convolve(W, V, m)),
    )
    LINALG[f"correlate_{_mode}"] = (
        lambda m=_mode: (mnp.correlate(V, W, m), mnp.correlate(W, V, m)),
        lambda m=_mode: (np.correlate(V, W, m), np.correlate(W, V, m)),
    )


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_and_statistics_match_numpy(name):
    mine, theirs = LINALG[name]
    check(mine(), theirs(), 1e-4)


def test_dtype_helpers():
    assert mnp.promote_types(mnp.float32, mnp.float64) == ms.float64
    assert mnp.promote_types("int8", mnp.uint8) == ms.int16
    assert mnp.result_type("i2", np.float32, True) == ms.float32  # MindSpore's documented example
    assert mnp.result_type(1, Tensor(np.ones(1, np.int8))) == ms.int32


# ------------------------------------------------------------------------------------------------
# Logic
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    "equal not_equal less less_equal greater greater_equal logical_and logical_or logical_xor".split(),
)
def test_comparisons_match_numpy(name):
    x, y = (A > 0, A[::-1] > 0) if name.startswith("logical") else (A, A[::-1])
    check(getattr(mnp, name)(x, y), getattr(np, name)(x, y))
    check(getattr(mnp, name)(x, 0), getattr(np, name)(x, 0))


@pytest.mark.parametrize(
    "name", "isnan isinf isfinite isposinf isneginf signbit logical_not".split()
)
def test_float_classification_matches_numpy(name):
    check(getattr(mnp, name)(SPECIAL), getattr(np, name)(SPECIAL))
    check(getattr(mnp, name)(I), getattr(np, name)(I))


def test_closeness_equality_and_membership():
    check(
        mnp.isclose(SPECIAL, SPECIAL + 1e-6, equal_nan=True),
        np.isclose(SPECIAL, SPECIAL + 1e-6, equal_nan=True),
    )
    check(mnp.isclose(A, A + 1e-3, atol=1e-3), np.isclose(A, A + 1e-3, atol=1e-3))
    check(mnp.isclose(A, A + 1e-3), np.isclose(A, A + 1e-3))
    assert bool(mnp.array_equal(A, A)) and not bool(mnp.array_equal(A, V))
    assert not bool(mnp.array_equal(SPECIAL, SPECIAL)) and bool(
        mnp.array_equal(SPECIAL, SPECIAL, True)
    )
    assert bool(mnp.array_equiv(A[:1], np.repeat(A[:1], 3, 0))) and not bool(mnp.array_equiv(A, V))
    check(mnp.in1d(A1, A2), np.isin(A1, A2))
    check(mnp.isin(I, A2, invert=True), np.isin(I, A2, invert=True))
    check(mnp.setdiff1d(A1, A2), np.setdiff1d(A1, A2))


# ------------------------------------------------------------------------------------------------
# Gradients and jit
# ------------------------------------------------------------------------------------------------

GRADS = {
    "linspace": (
        lambda a, b: mnp.linspace(a, b, 5, axis=1),
        [np.array([0.5, 1.0]), np.array([2.0, 3.0])],
    ),
    "logspace": (lambda a: mnp.logspace(a, 1.0, 4, base=2.0), [np.array(0.3)]),
    "diag_build": (lambda v: mnp.diag(v, -1), [V]),
    "diagonal_trace": (lambda x: mnp.trace(x, 1) * mnp.diagonal(x, -1), [A]),
    "tril": (lambda x: mnp.tril(x, -1) + mnp.triu(x, 2), [A]),
    "vander": (lambda x: mnp.vander(x, 4), [np.array([0.0, 1.5, -2.0])]),
    "meshgrid": (lambda x, y: mnp.meshgrid(x, y)[0] * mnp.meshgrid(x, y)[1], [V, W]),
    "pad_reflect_edge": (
        lambda x: mnp.pad(x, ((1, 2), (2, 1)), "reflect") + mnp.pad(x, ((1, 2), (2, 1)), "edge"),
        [A],
    ),
    "pad_linear_ramp_mean": (lambda x: mnp.pad(x, 2, "linear_ramp") * mnp.pad(x, 2, "mean"), [A]),
    "unary_chain": (lambda x: mnp.sin(x) * mnp.exp(x) + mnp.cbrt(x + 3) + mnp.arctan2(x, 2.0), [A]),
    "log_sqrt": (lambda x: mnp.log2(x) + mnp.sqrt(x) * mnp.log1p(x) + mnp.power(x, 1.5), [POS]),
    "binary": (
        lambda x, y: mnp.hypot(x, y) + mnp.logaddexp2(x, y) + mnp.divide(x, y + 3),
        [A, A[::-1]],
    ),
    "clip_maximum": (lambda x: mnp.clip(x, -0.5, 0.5) + mnp.maximum(x, 0.1), [A]),
    "reductions": (
        lambda x: mnp.std(x, 0, ddof=1) + mnp.var(x, 0) + mnp.mean(x, 0) + mnp.amax(x, 0),
        [A],
    ),
    "average_ptp": (lambda x, w: mnp.average(x, 1, weights=w) + mnp.ptp(x, 1), [A, POS]),
    "nan_reductions": (lambda x: mnp.nansum(x, 1) + mnp.nanmean(x, 1) + mnp.nanstd(x, 1), [A]),
    "cumulative": (lambda x: mnp.cumsum(x, 1) * mnp.cumprod(x, 0), [A]),
    "manipulation": (
        lambda x: mnp.concatenate([mnp.rot90(x, 1), mnp.flip(x, 0).T, mnp.roll(x, 2).T], 1),
        [A],
    ),
    "splits_stacks": (
        lambda x: (
            mnp.vstack(mnp.split(x, 2, 1)).sum() * 2 + mnp.hstack(mnp.array_split(x, 3, 1)[::-1])
        ),
        [A],
    ),
    "take_choose_select": (
        lambda x: (
            mnp.take(x, Tensor(np.array([3, 0, 11]))).sum()
            + mnp.take_along_axis(x, Tensor(IX), 1)
            + mnp.choose(Tensor(CHOICE), [x, x * 2, -x])
            + mnp.select([x < 0], [x * x], 1.0)
        ),
        [A],
    ),
    "repeat_tile": (
        lambda x: mnp.repeat(x, [1, 0, 2], 0).sum(0) + mnp.tile(x, (1, 2))[0, 2:6],
        [A],
    ),
    "products": (
        lambda a, b: (
            mnp.dot(a, b).sum(0)
            + mnp.outer(a[0], b[0]).sum(0)
            + mnp.kron(a[:1, :2], b[:2, :2]).sum()
        ),
        [A, B],
    ),
    "tensordot_cross": (
        lambda x, y: mnp.tensordot(x, y, ((0,), (0,))).sum() + mnp.cross(x, y),
        [X3, Y3],
    ),
    "matrix_power_norm": (
        lambda s: mnp.matrix_power(s, 3) + mnp.norm(s, "fro") + mnp.norm(s, 3, axis=0),
        [S],
    ),
    "cov_corrcoef": (lambda x: mnp.cov(x) + mnp.corrcoef(x), [A]),
    "signals": (
        lambda a, v: (
            mnp.convolve(a, v, "same").sum() * mnp.correlate(a, v)
            + mnp.trapz(a)
            + mnp.diff(a, 2).sum()
        ),
        [V, W],
    ),
    "gradient_interp": (
        lambda f, y: (
            mnp.gradient(f)
            + mnp.interp(Tensor(np.float64([0.5, 1.2, 3.0])), Tensor(np.float64(XP)), y).sum()
        ),
        [V, FP],
    ),
    "polynomials": (
        lambda p, x: mnp.polyval(p, x) + mnp.polymul(p, p).sum() + mnp.polyint(p).sum(),
        [P1, V],
    ),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_match_finite_differences(name):
    f, args = GRADS[name]
    check_grads(f, [np.asarray(a, np.float64) for a in args], rtol=1e-4, atol=1e-6)


def test_jit_traces_and_matches_eager():
    def f(x, y):
        grid = mnp.meshgrid(mnp.linspace(0.0, 1.0, 4), mnp.arange(3))[0]
        z = mnp.concatenate([mnp.tril(x), mnp.flip(x, 1)], 0)
        w = (
            mnp.matmul(z, mnp.transpose(y))
            + mnp.pad(mnp.diag(mnp.diagonal(x)), ((0, 3), (0, 0)))[:, :1]
        )
        return mnp.std(w, 0) + mnp.sum(grid) + mnp.take(
            mnp.ravel(x), Tensor(np.array([0, 50, -3]))
        ), mnp.cumsum(mnp.where(x > 0, x, 0.0), 1)

    x, y = Tensor(S), Tensor(A[:3, :3])
    eager = f(x, y)
    jitted = ms.jit(f)(x, y)
    for e, j in zip(eager, jitted):
        np.testing.assert_allclose(j.asnumpy(), e.asnumpy(), rtol=1e-6)
    g = ms.grad(ms.jit(lambda x: mnp.sum(mnp.square(mnp.rot90(x)) * mnp.arange(3.0))))(x)
    # rot90(x)[i, j] = x[j, 2 - i], weighted by j: the gradient weights x's row a by a
    np.testing.assert_allclose(g.asnumpy(), 2 * S * np.arange(3.0)[:, None], rtol=1e-6)


def test_value_dependent_shapes_say_so_inside_jit():
    with pytest.raises(Exception, match="length"):
        ms.jit(lambda x: mnp.bincount(x))(Tensor(BI))
    check(
        ms.jit(lambda x: mnp.bincount(x, length=9))(Tensor(BI)),
        np.bincount(BI, minlength=9),
        dtype=np.int32,
    )


def test_errors_name_the_function():
    with pytest.raises(ValueError, match="split"):
        mnp.split(A, 3, 1)
    with pytest.raises(ValueError, match="'xmin' and 'xmax'"):
        mnp.clip(A, None, None)
    with pytest.raises(TypeError, match="arange"):
        mnp.arange("3")
    with pytest.raises(ValueError, match="rectangular"):
        mnp.asarray([[1, 2], [3]])
    with pytest.raises(ValueError, match="pad"):
        mnp.pad(A, 1, "nope")
