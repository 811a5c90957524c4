"""Bad arguments get MindSpore-style errors: the right type (TypeError for a wrong type, ValueError
for a wrong value, both Mind's own), naming the op, the argument, what was expected and what was
given. One case per argument that was once accepted silently, gave a wrong value, or failed with an
opaque numpy or Python error."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError


def _f32(*shape: int) -> Tensor:
    return Tensor(np.ones(shape, np.float32))


def _params() -> list:
    return nn.Dense(2, 1).trainable_params()


CASES = {
    # -- ops -----------------------------------------------------------------------------------
    "one_hot_negative_depth": (
        lambda: ops.one_hot(Tensor(np.array([0, 1])), -1),
        MindValueError,
        r"For 'one_hot', 'depth' must be >= 0, but got -1\.",
    ),
    "one_hot_float_indices": (
        lambda: ops.one_hot(Tensor(np.array([0.0, 1.0], np.float32)), 3),
        MindTypeError,
        r"For 'one_hot', 'indices' must be an integer tensor, but got Float32\.",
    ),
    "one_hot_float_depth": (
        lambda: ops.one_hot(Tensor(np.array([0, 1])), 2.5),
        MindTypeError,
        r"For 'one_hot', 'depth' must be an int, but got float\.",
    ),
    "max_pool2d_kernel_larger_than_input": (
        lambda: ops.max_pool2d(_f32(1, 1, 2, 2), 3),
        MindValueError,
        r"For 'max_pool2d', 'input' of spatial size \(2, 2\) is smaller than the kernel \(3, 3\)",
    ),
    "pad_nested_tuple": (
        lambda: ops.pad(_f32(2, 2), ((1, 1), (2, 2))),
        MindTypeError,
        r"For 'pad', 'padding' must be a flat tuple of ints \(left, right, top, bottom, \.\.\.\), "
        r"but got \(\(1, 1\), \(2, 2\)\)\.",
    ),
    "zeros_negative_shape": (
        lambda: ops.zeros((2, -1)),
        MindValueError,
        r"For 'zeros', 'size\[1\]' must be >= 0, but got -1\.",
    ),
    "zeros_float_shape": (
        lambda: ops.zeros((2, 1.5)),
        MindTypeError,
        r"For 'zeros', 'size\[1\]' must be an int, but got float\.",
    ),
    "zeros_huge_shape": (
        lambda: ops.zeros((2**40,)),
        MindValueError,
        r"For 'zeros', a Float32 tensor of shape \(1099511627776,\) cannot be allocated",
    ),
    "ones_negative_shape": (
        lambda: ops.ones(-3),
        MindValueError,
        r"For 'ones', 'shape\[0\]' must be >= 0, but got -3\.",
    ),
    "arange_step_zero": (
        lambda: ops.arange(0, 5, 0),
        MindValueError,
        r"For 'arange', 'step' must not be 0\.",
    ),
    "tensor_ragged_list": (
        lambda: Tensor([[1, 2], [3]]),
        MindValueError,
        r"For 'Tensor', 'input_data' must be a number or a rectangular nested list "
        r"\(every row the same length\), but got a ragged one",
    ),
    "embedding_negative_index": (
        lambda: nn.Embedding(4, 2)(Tensor(np.array([1, -1]))),
        MindValueError,
        r"For 'Embedding', 'input' must hold indices in \[0, 4\), but got -1\.",
    ),
    "embedding_index_too_large": (
        lambda: ops.embedding(Tensor(np.array([4])), _f32(4, 2)),
        MindValueError,
        r"For 'embedding', 'input' must hold indices in \[0, 4\), but got 4\.",
    ),
    "nll_loss_label_out_of_range": (
        lambda: nn.NLLLoss()(_f32(2, 3), Tensor(np.array([0, 3]))),
        MindValueError,
        r"For 'nll_loss', 'target' must hold indices in \[0, 3\) \(or ignore_index -100\), "
        r"but got 3\.",
    ),
    "cross_entropy_negative_label": (
        lambda: nn.CrossEntropyLoss()(_f32(2, 3), Tensor(np.array([0, -2]))),
        MindValueError,
        r"For 'cross_entropy', 'target' must hold indices in \[0, 3\), but got -2\.",
    ),
    "batch_norm_empty_batch": (
        lambda: nn.BatchNorm1d(3).set_train(True)(_f32(0, 3)),
        MindValueError,
        r"For 'batch_norm', training needs at least one value per channel, but got an input of "
        r"shape \(0, 3\)\.",
    ),
    "reshape_float_size": (
        lambda: ops.reshape(_f32(2, 3), (2.5, 2)),  # int() truncated it to 2
        MindTypeError,
        r"For 'reshape', 'shape' must be an int, but got float\.",
    ),
    "softmax_float_axis": (
        lambda: ops.softmax(_f32(2, 3), 1.5),  # int() truncated it to 1
        MindTypeError,
        r"For 'softmax', 'axis' must be an int, but got float\.",
    ),
    "mean_str_axis": (
        lambda: ops.mean(_f32(2, 3), "a"),
        MindTypeError,
        r"For 'mean', 'axis' must be an int, but got str\.",
    ),
    "tile_negative_multiple": (
        lambda: ops.tile(_f32(2, 3), (-1, 1)),
        MindValueError,
        r"For 'tile', 'multiples' must be >= 0, but got -1\.",
    ),
    "argmax_float_dim": (
        lambda: ops.argmax(_f32(2, 3), 1.5),
        MindTypeError,
        r"For 'argmax', 'dim' must be an int, but got float\.",
    ),
    "adaptive_avg_pool2d_zero_size": (
        lambda: ops.adaptive_avg_pool2d(_f32(1, 1, 4, 4), 0),
        MindValueError,
        r"For 'adaptive_avg_pool2d', 'output_size' must be a positive int, but got 0\.",
    ),
    # -- nn layers -----------------------------------------------------------------------------
    "group_norm_zero_groups": (
        lambda: nn.GroupNorm(0, 3),
        MindValueError,
        r"For 'GroupNorm', 'num_groups' must be a positive int, but got 0\.",
    ),
    "dense_activation_int": (
        lambda: nn.Dense(2, 2, activation=3),
        MindTypeError,
        r"For 'Dense', 'activation' must be a Cell, a name or None, but got 3\.",
    ),
    "dense_zero_in_channels": (
        lambda: nn.Dense(0, 3),
        MindValueError,
        r"For 'Dense', 'in_channels' must be a positive int, but got 0\.",
    ),
    "dense_negative_in_channels": (
        lambda: nn.Dense(-1, 3),
        MindValueError,
        r"For 'Dense', 'in_channels' must be a positive int, but got -1\.",
    ),
    "dense_float_in_channels": (
        lambda: nn.Dense(3.5, 2),
        MindTypeError,
        r"For 'Dense', 'in_channels' must be an int, but got float\.",
    ),
    "conv2d_kernel_zero": (
        lambda: nn.Conv2d(1, 1, 0),
        MindValueError,
        r"For 'Conv2d', 'kernel_size' must be positive, but got 0\.",
    ),
    "conv2d_stride_zero": (
        lambda: nn.Conv2d(1, 1, 3, stride=0),
        MindValueError,
        r"For 'Conv2d', 'stride' must be positive, but got 0\.",
    ),
    "conv2d_functional_stride_zero": (
        lambda: ops.conv2d(_f32(1, 1, 4, 4), _f32(1, 1, 3, 3), stride=(1, 0)),
        MindValueError,
        r"For 'conv2d', 'stride' must be positive, but got \(1, 0\)\.",
    ),
    "maxpool2d_kernel_zero": (
        lambda: nn.MaxPool2d(kernel_size=0),
        MindValueError,
        r"For 'MaxPool2d', 'kernel_size' must be positive, but got 0\.",
    ),
    "maxpool2d_kernel_larger_than_input": (
        lambda: nn.MaxPool2d(kernel_size=3)(_f32(1, 1, 2, 2)),
        MindValueError,
        r"For 'max_pool2d', 'input' of spatial size \(2, 2\) is smaller than the kernel \(3, 3\)",
    ),
    # -- optimizers and schedules --------------------------------------------------------------
    "sgd_lr_string": (
        lambda: nn.SGD(_params(), learning_rate="0.1"),
        MindTypeError,
        r"For 'SGD', 'learning_rate' must be a number, a Tensor, a list or a "
        r"LearningRateSchedule, but got str\.",
    ),
    "sgd_lr_nan": (
        lambda: nn.SGD(_params(), learning_rate=float("nan")),
        MindValueError,
        r"For 'SGD', 'learning_rate' must be a finite number, but got nan\.",
    ),
    "sgd_lr_list_negative": (
        lambda: nn.SGD(_params(), learning_rate=[0.1, -0.1]),
        MindValueError,
        r"For 'SGD', 'learning_rate' values must be finite numbers >= 0, but got -0\.1\.",
    ),
    "momentum_momentum_nan": (
        lambda: nn.Momentum(_params(), 0.1, float("nan")),
        MindValueError,
        r"For 'Momentum', 'momentum' must be a finite number, but got nan\.",
    ),
    "cosine_decay_lr_zero_steps": (
        lambda: nn.cosine_decay_lr(0.0, 0.1, 0, 1, 1),
        MindValueError,
        r"For 'cosine_decay_lr', 'total_step' must be a positive int, but got 0\.",
    ),
    "warmup_lr_negative_warmup": (
        lambda: nn.warmup_lr(0.1, 10, 2, -1),
        MindValueError,
        r"For 'warmup_lr', 'warmup_epoch' must be a positive int, but got -1\.",
    ),
    # -- context -------------------------------------------------------------------------------
    "set_context_mode_bool": (
        lambda: ms.set_context(mode=True),
        MindTypeError,
        r"For 'set_context', 'mode' must be an int, GRAPH_MODE \(0\) or PYNATIVE_MODE \(1\), "
        r"but got bool\.",
    ),
    "set_context_mode_float": (
        lambda: ms.set_context(mode=1.0),
        MindTypeError,
        r"For 'set_context', 'mode' must be an int, .* but got float\.",
    ),
    "set_context_save_graphs_str": (
        lambda: ms.set_context(save_graphs="yes"),
        MindTypeError,
        r"For 'set_context', 'save_graphs' must be a bool or an int in \[0, 3\], but got str\.",
    ),
    "set_context_enable_graph_kernel_str": (
        lambda: ms.set_context(enable_graph_kernel="no"),
        MindTypeError,
        r"For 'set_context', 'enable_graph_kernel' must be a bool or None, but got str\.",
    ),
    "set_context_device_id_negative": (
        lambda: ms.set_context(device_id=-5),
        MindValueError,
        r"For 'set_context', 'device_id' must be in \[0, 4095\], but got -5\.",
    ),
    "set_context_max_call_depth_negative": (
        lambda: ms.set_context(max_call_depth=-1),
        MindValueError,
        r"For 'set_context', 'max_call_depth' must be a positive int, but got -1\.",
    ),
    "set_context_save_graphs_path_int": (
        lambda: ms.set_context(save_graphs_path=3),
        MindTypeError,
        r"For 'set_context', 'save_graphs_path' must be a str or a path, but got int\.",
    ),
    "set_seed_too_large": (
        lambda: ms.set_seed(2**64),
        MindValueError,
        r"For 'set_seed', 'seed' must be in \[0, 4294967295\], but got 18446744073709551616\.",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_argument_raises(case: str) -> None:
    call, error, match = CASES[case]
    context = {k: ms.get_context(k) for k in ("mode", "device_id")}
    with pytest.raises(error, match=match):
        call()
    # A refused set_context changes nothing.
    assert {k: ms.get_context(k) for k in context} == context


def test_set_context_refusal_sets_nothing() -> None:
    before = ms.get_context("device_id")
    with pytest.raises(MindValueError):
        ms.set_context(device_id=before + 1, max_call_depth=0)
    assert ms.get_context("device_id") == before


def test_good_arguments_still_accepted() -> None:
    # The boundaries the checks must let through.
    assert ops.one_hot(Tensor(np.array([0, 2])), 0).shape == (2, 0)
    np.testing.assert_array_equal(
        ops.one_hot(Tensor(np.array([0, 5])), 3).asnumpy(), [[1, 0, 0], [0, 0, 0]]
    )  # out-of-range indices give off_value rows, as MindSpore's one_hot
    assert ops.zeros(0).shape == (0,)
    assert ops.zeros((np.int64(2), 3)).shape == (2, 3)
    assert ops.max_pool2d(_f32(1, 1, 3, 3), 3).shape == (1, 1, 1, 1)
    assert nn.MaxPool2d(kernel_size=(2, 1))(_f32(1, 1, 2, 2)).shape == (1, 1, 1, 2)
    loss = nn.NLLLoss()(Tensor(np.log(np.full((2, 3), 1 / 3, np.float32))), Tensor([2, -100]))
    np.testing.assert_allclose(loss.asnumpy(), np.log(3), rtol=1e-6)
    assert nn.Embedding(4, 2)(Tensor(np.array([0, 3]))).shape == (2, 2)
    ms.set_seed(2**32 - 1)
    ms.set_context(enable_graph_kernel=None, save_graphs_path=None)


@pytest.mark.parametrize(
    ("make", "dtype", "fill"),
    [
        (ops.zeros, ms.float32, 0),
        (ops.ones, ms.float32, 1),
        (ops.zeros, ms.int8, 0),
        (ops.ones, ms.float16, 1),
    ],
)
def test_creation_allocates_in_the_requested_dtype(make, dtype, fill) -> None:
    # 64 MiB results: a float64 array cast afterwards peaked at 3x the result (192 MiB for float32).
    shape = (64 * 2**20 // np.dtype(dtype.np).itemsize,)
    tracemalloc.start()
    try:
        out = make(shape, dtype)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.dtype == dtype and out.shape == shape
    assert out.asnumpy()[:: shape[0] // 64].tolist() == [fill] * 64
    assert peak < 1.3 * 64 * 2**20, peak
