"""Bad input gets an error naming the op, the argument and what was expected."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core.errors import MindError, MindTypeError, MindValueError, ShapeInferenceError


def t(*shape, dtype=np.float32):
    return Tensor(np.ones(shape, dtype))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: ops.conv2d(t(1, 3, 8, 8), t(4, 2, 3, 3)),
            ShapeInferenceError,
            r"For 'conv2d', 'input' has 3 channels but 'weight' \(4, 2, 3, 3\) expects 2",
        ),
        (
            lambda: ops.conv2d(t(3, 8, 8), t(4, 3, 3, 3)),
            ShapeInferenceError,
            r"For 'conv2d', 'input' must be 4-D \(N, C, H, W\), got shape \(3, 8, 8\)",
        ),
        (
            lambda: ops.conv2d(t(1, 1, 2, 2), t(1, 1, 3, 3)),
            ShapeInferenceError,
            r"For 'conv2d', 'input' of spatial size \(2, 2\) is smaller than the kernel",
        ),
        (
            lambda: nn.Dense(4, 2)(t(3, 5)),
            ShapeInferenceError,
            r"For 'matmul', 'input' shape \(3, 5\) has 5 columns but 'other' shape \(2, 4\) has 4 rows",
        ),
        (
            lambda: ops.reshape(t(2, 3), (4, 2)),
            ShapeInferenceError,
            r"For 'reshape', cannot reshape 6 elements into shape \(4, 2\)",
        ),
        (
            lambda: ops.concat([t(2, 3), t(2, 4)], 0),
            ShapeInferenceError,
            r"For 'concat', 'tensors\[1\]' shape \(2, 4\) does not match 'tensors\[0\]' \(2, 3\)",
        ),
        (
            lambda: ops.where(t(2), t(2), t(2)),
            MindTypeError,
            r"For 'where', 'condition' must be a bool tensor, got Float32",
        ),
        (
            lambda: ops.gather(t(3, 2), t(2), 0),
            MindTypeError,
            r"For 'gather', 'input_indices' must be an integer tensor, got Float32",
        ),
        (
            lambda: ops.softmax(t(2, 3), axis=2),
            ShapeInferenceError,
            r"For 'softmax', 'axis' 2 is out of range for a 2-D input",
        ),
        (
            lambda: nn.BatchNorm2d(3)(t(2, 3, 4)),
            MindValueError,
            r"For 'BatchNorm2d', the input must be 4-D with 3 channels on axis 1, got shape \(2, 3, 4\)",
        ),
        (
            lambda: nn.CrossEntropyLoss()(t(4, 3), Tensor(np.zeros(5, np.int64))),
            ShapeInferenceError,
            r"For 'cross_entropy', 'target' shape \(5,\) must be \(4,\)",
        ),
        (
            lambda: ops.split(t(5), [2, 2]),
            MindValueError,
            r"For 'split', 'split_size_or_sections' \[2, 2\] sums to 4, but axis 0 has length 5",
        ),
        (lambda: Tensor([1.0]).astype("float8"), MindTypeError, r"'float8' is not a Mind dtype"),
        (lambda: nn.Conv2d(3, 4, 3, group=2), MindValueError, r"must be divisible by group \(2\)"),
        (
            lambda: nn.Momentum([], 0.1, 0.9),
            MindValueError,
            r"For 'Momentum', 'params' must not be empty",
        ),
        (
            lambda: ms.set_context(mode=5),
            MindValueError,
            r"'mode' must be GRAPH_MODE \(0\) or PYNATIVE_MODE \(1\)",
        ),
        (lambda: ms.set_context(device_target="tpu"), MindValueError, r"No device named 'tpu'"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message) as info:
        call()
    assert isinstance(info.value, MindError)
