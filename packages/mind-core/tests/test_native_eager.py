"""The native device in PyNative mode: its C kernels against the cpu (numpy) kernels, the
fallbacks, in-place updates on the host arrays, training and gradients, and switching back."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core._src.ops import array as array_ops
from mind.core._src.ops import nn_ops
from mind.core._src.ops.dispatch import get_primitive, install_kernels
from mind.core._src.plugins.manager import get_registry
from mind.core.errors import MindValueError
from mind.core.testing import check_grads

K = pytest.importorskip("mind.core._src.devices.native.kernels")

RNG = np.random.default_rng(0)
TOLERANCE = {np.float32: 2e-5, np.float64: 1e-12}
DTYPES = [np.float32, np.float64]
# The numpy kernel each C kernel falls back to, by the name the kernels module imports it as.
FALLBACKS = {
    "conv2d": "_conv2d_kernel",
    "conv_transpose2d": "_conv_transpose2d_kernel",
    "conv2d_grad_weight": "_conv2d_grad_weight_kernel",
    "max_pool2d": "_max_pool_kernel",
    "max_pool2d_grad": "_max_pool_grad_kernel",
    "avg_pool2d": "_avg_pool_kernel",
    "avg_pool2d_grad": "_avg_pool_grad_kernel",
    "matmul": "_matmul_kernel",
    "softmax": "_softmax_kernel",
    "log_softmax": "_log_softmax_kernel",
    "sparse_softmax_cross_entropy": "_sparse_ce_kernel",
    "apply_momentum": "_apply_momentum_kernel",
}


@pytest.fixture(scope="module", autouse=True)
def _built():
    ok, why = get_registry().device("native").availability()
    if not ok:
        pytest.skip(f"the native device cannot build here: {why}")
    assert K.library() is not None, "the eager kernels failed to build (see the log)"


@pytest.fixture(autouse=True)
def _cpu_afterwards():
    yield
    ms.set_context(device_target="cpu", mode=ms.PYNATIVE_MODE)


@pytest.fixture
def c_only(monkeypatch):
    """The C path must be taken: the kernels module's numpy fallbacks raise."""

    def refuse(*args, **kwargs):
        raise AssertionError("fell back to the numpy kernel")

    for name in FALLBACKS.values():
        monkeypatch.setattr(K, name, refuse)


def rand(shape, dtype, low=None):
    a = RNG.standard_normal(shape).astype(dtype)
    return np.maximum(a, low).astype(dtype) if low is not None else a


def assert_same(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = TOLERANCE[want.dtype.type]
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1.0, np.abs(want).max()))


# ------------------------------------------------------------------------------------------------
# Convolutions
# ------------------------------------------------------------------------------------------------

# (x shape, weight shape, stride, pads (top, bottom, left, right), dilation)
CONVS = [
    ((4, 1, 12, 12), (3, 1, 5, 5), (1, 1), (0, 0, 0, 0), (1, 1)),
    ((3, 3, 9, 11), (4, 3, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),
    ((2, 2, 10, 9), (5, 2, 3, 2), (2, 3), (1, 2, 0, 1), (1, 1)),
    ((2, 3, 11, 10), (2, 3, 3, 3), (1, 2), (2, 2, 1, 1), (2, 2)),
    ((1, 4, 6, 7), (3, 4, 1, 1), (1, 1), (0, 0, 0, 0), (1, 1)),
    ((5, 2, 7, 7), (1, 2, 7, 7), (1, 1), (3, 3, 3, 3), (1, 1)),
    ((3, 6, 14, 14), (16, 6, 5, 5), (1, 1), (0, 0, 0, 0), (1, 1)),
]


def conv_attrs(x_shape, w_shape, stride, pads, dilation):
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": 1}
    oh = nn_ops._conv_out(x_shape[2], w_shape[2], stride[0], dilation[0], pads[0], pads[1])
    ow = nn_ops._conv_out(x_shape[3], w_shape[3], stride[1], dilation[1], pads[2], pads[3])
    return attrs, (x_shape[0], w_shape[0], oh, ow)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CONVS, ids=str)
def test_conv2d_and_its_gradients_match_numpy(case, dtype, c_only):
    x_shape, w_shape, *geometry = case
    attrs, out_shape = conv_attrs(x_shape, w_shape, *geometry)
    x, w, dout = rand(x_shape, dtype), rand(w_shape, dtype), rand(out_shape, dtype)
    assert_same(K.conv2d(x, w, **attrs), nn_ops._conv2d_kernel(x, w, **attrs))
    grad_in = {**attrs, "in_hw": x_shape[2:]}
    assert_same(
        K.conv_transpose2d(dout, w, **grad_in),
        nn_ops._conv_transpose2d_kernel(dout, w, **grad_in),
    )
    grad_w = {**attrs, "kernel_hw": w_shape[2:]}
    assert_same(
        K.conv2d_grad_weight(x, dout, **grad_w),
        nn_ops._conv2d_grad_weight_kernel(x, dout, **grad_w),
    )


def test_a_large_batch_runs_in_several_column_blocks(c_only, monkeypatch):
    monkeypatch.setattr(K, "BLOCK_BYTES", 1)  # one sample per block
    x, w = rand((5, 2, 8, 8), np.float32), rand((3, 2, 3, 3), np.float32)
    attrs, out_shape = conv_attrs(x.shape, w.shape, (1, 1), (1, 1, 1, 1), (1, 1))
    dout = rand(out_shape, np.float32)
    assert_same(K.conv2d(x, w, **attrs), nn_ops._conv2d_kernel(x, w, **attrs))
    assert_same(
        K.conv2d_grad_weight(x, dout, **attrs, kernel_hw=(3, 3)),
        nn_ops._conv2d_grad_weight_kernel(x, dout, **attrs, kernel_hw=(3, 3)),
    )
    assert_same(
        K.conv_transpose2d(dout, w, **attrs, in_hw=(8, 8)),
        nn_ops._conv_transpose2d_kernel(dout, w, **attrs, in_hw=(8, 8)),
    )


_PARALLEL_SCRIPT = """
import numpy as np
from mind.core._src.devices.native import kernels as K
from mind.core._src.ops import nn_ops
assert K.library() is not None and K._threads == 4, K._threads
K._PARALLEL_WORK = 1  # every convolution splits its batch over the threads
rng = np.random.default_rng(0)
attrs = dict(stride=(1, 1), pads=(1, 1, 1, 1), dilation=(1, 1), groups=1)
for n in (1, 2, 3, 7, 16) * 20:  # first regions start the workers; later ones reuse them
    x = rng.standard_normal((n, 2, 8, 8)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    want = nn_ops._conv2d_kernel(x, w, **attrs)
    np.testing.assert_allclose(K.conv2d(x, w, **attrs), want, rtol=2e-5, atol=2e-4)
print("ok")
"""


def test_convolutions_split_over_worker_threads_match_numpy_and_never_hang():
    """A fresh process (the pool is per process): workers start in the first parallel region;
    one that has not yet read the job counter must not miss that region (it once hung here)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "OMP_NUM_THREADS": "4"}
    done = subprocess.run(
        [sys.executable, "-c", _PARALLEL_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_conv_transpose2d_with_output_padding_matches_numpy(c_only):
    ms.set_context(device_target="native")
    x, w = rand((2, 3, 5, 5), np.float32), rand((3, 2, 3, 3), np.float32)
    got = ops.conv_transpose2d(Tensor(x), Tensor(w), stride=2, padding=1, output_padding=1)
    ms.set_context(device_target="cpu")
    want = ops.conv_transpose2d(Tensor(x), Tensor(w), stride=2, padding=1, output_padding=1)
    assert_same(got.asnumpy(), want.asnumpy())


def test_grouped_half_precision_and_strided_convolutions_get_numpy_values():
    attrs = {"stride": (1, 1), "pads": (1, 1, 1, 1), "dilation": (1, 1), "groups": 2}
    x, w = rand((2, 4, 6, 6), np.float32), rand((6, 2, 3, 3), np.float32)
    np.testing.assert_array_equal(K.conv2d(x, w, **attrs), nn_ops._conv2d_kernel(x, w, **attrs))
    attrs["groups"] = 1
    x16, w16 = x.astype(np.float16), rand((3, 4, 3, 3), np.float16)
    np.testing.assert_array_equal(
        K.conv2d(x16, w16, **attrs), nn_ops._conv2d_kernel(x16, w16, **attrs)
    )
    view = x.transpose(0, 1, 3, 2)  # not C-contiguous
    w1 = rand((3, 4, 3, 3), np.float32)
    np.testing.assert_array_equal(
        K.conv2d(view, w1, **attrs), nn_ops._conv2d_kernel(view, w1, **attrs)
    )


# ------------------------------------------------------------------------------------------------
# Pooling
# ------------------------------------------------------------------------------------------------

# (x shape, kernel, stride, pads)
POOLS = [
    ((2, 3, 8, 8), (2, 2), (2, 2), (0, 0, 0, 0)),
    ((2, 3, 9, 7), (2, 2), (2, 2), (0, 0, 0, 0)),  # odd sizes: the last row and column unused
    ((2, 2, 9, 9), (3, 3), (2, 2), (1, 1, 1, 1)),
    ((1, 2, 7, 8), (3, 2), (1, 2), (0, 1, 1, 0)),
    ((3, 1, 5, 5), (2, 2), (1, 1), (0, 0, 0, 0)),  # overlapping windows
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOLS, ids=str)
def test_max_pool_and_its_gradient_route_ties_as_numpy(case, dtype, c_only):
    shape, kernel, stride, pads = case
    attrs = {"kernel": kernel, "stride": stride, "pads": pads}
    # Small integers: most windows hold ties (as after a ReLU), which go to the first maximum.
    x = RNG.integers(-1, 2, shape).astype(dtype)
    out = nn_ops._max_pool_kernel(x, **attrs)
    np.testing.assert_array_equal(K.max_pool2d(x, **attrs), out)
    # Integer cotangents: overlapping windows' sums are exact in any order, so equal arrays
    # mean equal routing.
    dout = RNG.integers(1, 50, out.shape).astype(dtype)
    got = K.max_pool2d_grad(x, dout, **attrs)
    want = nn_ops._max_pool_grad_kernel(x, dout, **attrs)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "kernel, stride, pads", [((2, 2), (2, 2), (0, 0, 0, 0)), *[c[1:] for c in POOLS[2:4]]]
)
def test_max_pool_propagates_nan_and_infinities_as_numpy(kernel, stride, pads, c_only):
    attrs = {"kernel": kernel, "stride": stride, "pads": pads}
    x = rand((2, 2, 8, 8), np.float32)
    x[0, 0, 1, 1] = np.nan
    x[0, 1, :3, :3] = -np.inf
    x[1, 0, 4, 4] = np.inf
    out = nn_ops._max_pool_kernel(x, **attrs)
    np.testing.assert_array_equal(K.max_pool2d(x, **attrs), out)
    dout = RNG.integers(1, 50, out.shape).astype(np.float32)
    np.testing.assert_array_equal(
        K.max_pool2d_grad(x, dout, **attrs), nn_ops._max_pool_grad_kernel(x, dout, **attrs)
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", POOLS, ids=str)
def test_avg_pool_and_its_gradient_count_the_padding_as_numpy(case, dtype, c_only):
    shape, kernel, stride, pads = case
    attrs = {"kernel": kernel, "stride": stride, "pads": pads}
    x = rand(shape, dtype)
    out = nn_ops._avg_pool_kernel(x, **attrs)
    assert_same(K.avg_pool2d(x, **attrs), out)
    dout = rand(out.shape, dtype)
    assert_same(
        K.avg_pool2d_grad(dout, **attrs, in_shape=shape),
        nn_ops._avg_pool_grad_kernel(dout, **attrs, in_shape=shape),
    )


# ------------------------------------------------------------------------------------------------
# matmul, softmax, cross-entropy, apply_momentum
# ------------------------------------------------------------------------------------------------

# (x shape, y shape) before the transposes; ta and tb transpose the last two axes
MATMULS = [
    ((7, 5), (5, 3)),
    ((1, 9), (9, 4)),  # a row vector: gemv
    ((6, 4), (4, 1)),  # a column: gemv
    ((3, 4, 5), (3, 5, 2)),
    ((2, 3, 4, 5), (5, 6)),  # a 2-D right operand for every batch
    ((4, 5), (3, 5, 2)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("shapes", MATMULS, ids=str)
def test_matmul_matches_numpy(shapes, ta, tb, dtype, c_only):
    def stored(shape, transpose):
        a = rand(shape, dtype)
        return np.ascontiguousarray(a.swapaxes(-1, -2)) if transpose else a

    x, y = stored(shapes[0], ta), stored(shapes[1], tb)
    attrs = {"transpose_a": ta, "transpose_b": tb}
    assert_same(K.matmul(x, y, **attrs), nn_ops._matmul_kernel(x, y, **attrs))


def test_matmul_broadcasts_integers_and_empty_products_as_numpy():
    cases = [
        (rand((2, 1, 3, 4), np.float32), rand((5, 4, 2), np.float32)),
        (RNG.integers(0, 5, (3, 4)), RNG.integers(0, 5, (4, 2))),
        (np.zeros((3, 0), np.float32), np.zeros((0, 2), np.float32)),
    ]
    for x, y in cases:
        np.testing.assert_array_equal(K.matmul(x, y), nn_ops._matmul_kernel(x, y))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5, 10), (3, 4, 17), (1, 1), (2, 100)])
def test_softmax_and_log_softmax_over_the_last_axis_match_numpy(shape, dtype, c_only):
    x = rand(shape, dtype) * 5
    x.reshape(-1)[0] = 80.0  # large logits stay finite
    assert_same(K.softmax(x, axis=-1), nn_ops._softmax_kernel(x, axis=-1))
    assert_same(K.log_softmax(x, axis=len(shape) - 1), nn_ops._log_softmax_kernel(x, axis=-1))


def test_softmax_over_another_axis_gets_numpy_values():
    x = rand((4, 6), np.float32)
    np.testing.assert_array_equal(K.softmax(x, axis=0), nn_ops._softmax_kernel(x, axis=0))
    np.testing.assert_array_equal(K.log_softmax(x, axis=0), nn_ops._log_softmax_kernel(x, axis=0))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label_dtype", [np.int32, np.int64])
def test_sparse_cross_entropy_matches_numpy(dtype, label_dtype, c_only):
    logits = rand((9, 7), dtype) * 3
    labels = RNG.integers(0, 7, 9).astype(label_dtype)
    assert_same(
        K.sparse_softmax_cross_entropy(logits, labels), nn_ops._sparse_ce_kernel(logits, labels)
    )


@pytest.mark.parametrize("label", [-1, 7])
def test_a_label_out_of_range_raises_as_on_cpu(label):
    logits = rand((3, 7), np.float32)
    labels = np.array([0, label, 2])
    with pytest.raises(MindValueError, match=r"indices in \[0, 7\)"):
        K.sparse_softmax_cross_entropy(logits, labels)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nesterov", [False, True])
def test_apply_momentum_updates_both_arrays_in_place_exactly_as_numpy(dtype, nesterov, c_only):
    variable, accumulation, gradient = (rand((4, 33), dtype) for _ in range(3))
    want_v, want_a = variable.copy(), accumulation.copy()
    attrs = {"lr": 0.05, "momentum": 0.9, "use_nesterov": nesterov}
    nn_ops_result = array_ops._apply_momentum_kernel(want_v, want_a, gradient, **attrs)
    assert nn_ops_result is want_v
    assert K.apply_momentum(variable, accumulation, gradient, **attrs) is variable
    np.testing.assert_array_equal(variable, want_v)
    np.testing.assert_array_equal(accumulation, want_a)


# ------------------------------------------------------------------------------------------------
# Through dispatch: PyNative on native
# ------------------------------------------------------------------------------------------------


def lenet_ish():
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, pad_mode="pad", padding=1)
            self.conv2 = nn.Conv2d(4, 6, 3, pad_mode="valid")
            self.pool = nn.MaxPool2d(2, 2)
            self.relu = nn.ReLU()
            self.flatten = nn.Flatten()
            self.fc1 = nn.Dense(6 * 3 * 3, 16)
            self.fc2 = nn.Dense(16, 5)

        def construct(self, x):
            x = self.pool(self.relu(self.conv1(x)))
            x = self.pool(self.relu(self.conv2(x)))
            return self.fc2(self.relu(self.fc1(self.flatten(x))))

    return Net()


def train(target, steps=3):
    ms.set_context(device_target=target, mode=ms.PYNATIVE_MODE)
    ms.set_seed(5)
    net = lenet_ish()
    step = nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.CrossEntropyLoss()), nn.Momentum(net.trainable_params(), 0.1, 0.9)
    )
    x = Tensor(np.random.default_rng(1).standard_normal((8, 1, 16, 16)).astype(np.float32))
    y = Tensor(np.arange(8, dtype=np.int32) % 5)
    losses = [step(x, y).item() for _ in range(steps)]
    return losses, [p.asnumpy().copy() for p in net.trainable_params()]


def test_a_pynative_training_step_on_native_matches_cpu():
    cpu_losses, cpu_params = train("cpu")
    native_losses, native_params = train("native")
    np.testing.assert_allclose(native_losses, cpu_losses, rtol=1e-5)
    for got, want in zip(native_params, cpu_params):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert native_losses[-1] < native_losses[0]


def test_grad_through_conv_and_pooling_on_native_matches_finite_differences():
    ms.set_context(device_target="native")

    def f(x, w):
        y = ops.conv2d(x, w, stride=2, pad_mode="pad", padding=1)
        return ops.avg_pool2d(ops.max_pool2d(y, 2, 1), 2, 1).sum(axis=(2, 3))

    x, w = rand((2, 2, 7, 7), np.float64), rand((3, 2, 3, 3), np.float64)
    check_grads(f, [x, w])


def test_eager_apply_momentum_on_native_updates_the_parameters_in_place(c_only):
    ms.set_context(device_target="native")
    p = Parameter(Tensor(np.array([1.0, -1.0], np.float32)), name="w")
    v = Parameter(Tensor(np.array([0.5, 0.5], np.float32)), name="v")
    data_p, data_v = p._data, v._data
    ops.apply_momentum(p, v, 0.1, Tensor(np.array([1.0, 2.0], np.float32)), 0.9)
    assert p._data is data_p and v._data is data_v
    np.testing.assert_allclose(v.asnumpy(), [1.45, 2.45], rtol=1e-6)
    np.testing.assert_allclose(p.asnumpy(), [1.0 - 0.145, -1.0 - 0.245], rtol=1e-6)


def test_switching_device_target_installs_and_removes_the_c_kernels():
    conv = get_primitive("conv2d")
    ms.set_context(device_target="native")
    assert conv.impl is K.conv2d
    assert get_primitive("apply_momentum").impl is K.apply_momentum  # in place, called directly
    assert get_primitive("add").impl is get_registry().device("cpu").kernels["add"]
    ms.set_context(device_target="cpu")
    assert conv.impl is nn_ops._conv2d_kernel
    assert get_primitive("apply_momentum").impl is array_ops._apply_momentum_kernel


def test_an_unavailable_native_device_leaves_eager_on_the_cpu_kernels(monkeypatch):
    from mind.core._src.context import _CONTEXT

    device = get_registry().device("native")
    monkeypatch.setattr(device, "_availability", (False, "RuntimeError: no C compiler"))
    monkeypatch.setitem(_CONTEXT, "device_target", "native")
    install_kernels()
    assert get_primitive("conv2d").impl is nn_ops._conv2d_kernel
    monkeypatch.undo()
    install_kernels()


def test_a_library_that_cannot_be_built_leaves_every_kernel_on_numpy(monkeypatch):
    monkeypatch.setattr(K, "_TYPED", {})
    monkeypatch.setattr(K, "_tried", True)
    x, w = rand((2, 1, 6, 6), np.float32), rand((2, 1, 3, 3), np.float32)
    attrs = {"stride": (1, 1), "pads": (0, 0, 0, 0), "dilation": (1, 1), "groups": 1}
    np.testing.assert_array_equal(K.conv2d(x, w, **attrs), nn_ops._conv2d_kernel(x, w, **attrs))
    logits = rand((3, 4), np.float32)
    np.testing.assert_array_equal(
        K.softmax(logits, axis=-1), nn_ops._softmax_kernel(logits, axis=-1)
    )
