"""Pooling layers with MindSpore's names in 1, 2 and 3 spatial dimensions (beyond layers' 2-d ones).

Each layer keeps MindSpore's arguments (``pad_mode`` "valid", "same" or "pad" with ``padding``,
``ceil_mode``, ``return_indices``) and computes with :mod:`mind.core._src.ops.pooling`; the
layers also take unbatched input, (C, *spatial), as MindSpore's do.
"""

from __future__ import annotations

from typing import Any

from mind.core._src.nn.cell import Cell
from mind.core._src.ops import infer as I
from mind.core._src.ops import pooling as P
from mind.core._src.ops.elementwise import _floating
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "MaxPool1d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
]


def _pad_mode(op: str, pad_mode: Any) -> str:
    if not isinstance(pad_mode, str):
        raise MindTypeError(
            f"For '{op}', 'pad_mode' must be a str, but got {type(pad_mode).__name__}."
        )
    if pad_mode.lower() not in ("valid", "same", "pad"):
        raise MindValueError(
            f"For '{op}', 'pad_mode' must be 'valid', 'same' or 'pad', got {pad_mode!r}"
        )
    return pad_mode.lower()


class _WindowPool(Cell):
    """The shared constructor of MaxPool1d/3d and AvgPool1d/3d: ``nd`` spatial axes."""

    nd = 1

    def __init__(
        self, kernel_size: Any, stride: Any, pad_mode: str, padding: Any, ceil_mode: bool
    ) -> None:
        super().__init__()
        op = type(self).__name__
        self.kernel_size = P.ints(op, "kernel_size", kernel_size, self.nd)
        self.stride = P.ints(op, "stride", stride, self.nd)
        self.pad_mode = _pad_mode(op, pad_mode)
        self.pads = P.pads_of(op, padding, self.nd)
        if self.pad_mode != "pad" and any(self.pads):
            raise MindValueError(
                f"For '{op}', 'padding' must be 0 unless pad_mode is 'pad', got {padding!r}"
            )
        self.padding = padding
        self.ceil_mode = I.check_bool(op, "ceil_mode", ceil_mode)

    def window(self, x: Tensor, dilation: Any = None) -> tuple[Tensor, bool, tuple]:
        """The batched input, whether a batch axis was added, and the padding for its shape."""
        op = type(self).__name__
        x, squeeze = P._spatial(op, as_tensor(x), self.nd)
        pads = self.pads
        if self.pad_mode == "same":
            dilation = dilation or (1,) * self.nd
            pads = P._same_pads(x.shape[2:], self.kernel_size, self.stride, dilation)
        return x, squeeze, pads

    def extend_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}"


class _MaxPool(_WindowPool):
    def __init__(
        self,
        kernel_size: Any = 1,
        stride: Any = 1,
        pad_mode: str = "valid",
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode)
        op = type(self).__name__
        self.dilation = P.ints(op, "dilation", dilation, self.nd)
        self.return_indices = I.check_bool(op, "return_indices", return_indices)

    def construct(self, x: Tensor) -> Any:
        x, squeeze, pads = self.window(x, self.dilation)
        out = P.max_pool_nd(
            type(self).__name__,
            x,
            self.kernel_size,
            self.stride,
            pads,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )
        return P._unbatch(out, squeeze)


class MaxPool1d(_MaxPool):
    """1-D max pooling of (N, C, L) or (C, L) input; with ``return_indices``, also each
    maximum's position along L (int64). MindSpore defaults: kernel 1, stride 1, "valid"."""

    nd = 1


class MaxPool3d(_MaxPool):
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) input; with ``return_indices``, also
    each maximum's flat position in its D x H x W volume (int64)."""

    nd = 3


class _AvgPool(_WindowPool):
    def __init__(
        self,
        kernel_size: Any = 1,
        stride: Any = 1,
        pad_mode: str = "valid",
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: Any = None,
    ) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode)
        op = type(self).__name__
        self.count_include_pad = I.check_bool(op, "count_include_pad", count_include_pad)
        if divisor_override is not None:
            divisor_override = I.check_int(op, "divisor_override", divisor_override, minimum=1)
        self.divisor_override = divisor_override

    def construct(self, x: Tensor) -> Tensor:
        op = type(self).__name__
        x, squeeze, pads = self.window(_floating(x))
        # "same" padding never counts towards the mean (MindSpore's, as TensorFlow's).
        include = self.count_include_pad and self.pad_mode != "same"
        out = P._avg_pool(
            op,
            x,
            self.kernel_size,
            self.stride,
            pads,
            self.ceil_mode,
            include,
            self.divisor_override,
        )
        return P._unbatch(out, squeeze)


class AvgPool1d(_AvgPool):
    """1-D average pooling of (N, C, L) or (C, L) input (MindSpore defaults: kernel 1, stride
    1, "valid"; padding counts towards the mean unless ``count_include_pad=False``)."""

    nd = 1

    def __init__(
        self,
        kernel_size: Any = 1,
        stride: Any = 1,
        pad_mode: str = "valid",
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode, count_include_pad)


class AvgPool3d(_AvgPool):
    """3-D average pooling of (N, C, D, H, W) or (C, D, H, W) input; ``divisor_override``
    replaces each window's divisor."""

    nd = 3


# ------------------------------------------------------------------------------------------------
# Lp pooling
# ------------------------------------------------------------------------------------------------


class LPPool1d(Cell):
    """``(sum over the window of x ** norm_type) ** (1 / norm_type)`` over (N, C, L) or (C, L)
    input; ``stride`` defaults to the kernel size."""

    def __init__(
        self, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = (
            norm_type,
            kernel_size,
            stride,
            ceil_mode,
        )

    def construct(self, x: Tensor) -> Tensor:
        return P.lp_pool1d(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool2d(LPPool1d):
    """Lp pooling of (N, C, H, W) input (see :class:`LPPool1d`)."""

    def construct(self, x: Tensor) -> Tensor:
        return P.lp_pool2d(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


# ------------------------------------------------------------------------------------------------
# Adaptive pooling
# ------------------------------------------------------------------------------------------------


class AdaptiveAvgPool1d(Cell):
    """Average pooling of (N, C, L) input to length ``output_size`` (adaptive bins)."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = I.check_int("AdaptiveAvgPool1d", "output_size", output_size, minimum=1)

    def construct(self, input: Tensor) -> Tensor:
        return P.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool3d(Cell):
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) input to ``output_size`` (an int or
    (D, H, W), None keeping a size)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def construct(self, input: Tensor) -> Tensor:
        return P.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool1d(Cell):
    """Max pooling of (N, C, L) input to length ``output_size`` (adaptive bins)."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = I.check_int("AdaptiveMaxPool1d", "output_size", output_size, minimum=1)

    def construct(self, x: Tensor) -> Tensor:
        return P.adaptive_max_pool1d(x, self.output_size)


class AdaptiveMaxPool2d(Cell):
    """Max pooling of (N, C, H, W) or (C, H, W) input to ``output_size``; with
    ``return_indices``, also each maximum's flat position in its H x W plane (int64)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def construct(self, input: Tensor) -> Any:
        return P.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Max pooling of (N, C, D, H, W) or (C, D, H, W) input to ``output_size`` (see
    :class:`AdaptiveMaxPool2d`)."""

    def construct(self, input: Tensor) -> Any:
        return P.adaptive_max_pool3d(input, self.output_size, self.return_indices)


# ------------------------------------------------------------------------------------------------
# Fractional max pooling
# ------------------------------------------------------------------------------------------------


class FractionalMaxPool2d(Cell):
    """Fractional max pooling of (N, C, H, W) or (C, H, W) input (see
    :func:`ops.fractional_max_pool2d`): ``output_size`` or ``output_ratio``, and
    ``_random_samples`` (N, C, 2) fixing the windows (drawn per call when None)."""

    def __init__(
        self,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Any = None,
    ) -> None:
        super().__init__()
        op = type(self).__name__
        if output_size is None and output_ratio is None:
            raise MindValueError(f"For '{op}', 'output_size' or 'output_ratio' must be given.")
        self.kernel_size, self.output_size, self.output_ratio = (
            kernel_size,
            output_size,
            output_ratio,
        )
        self.return_indices = I.check_bool(op, "return_indices", return_indices)
        self._random_samples = _random_samples

    def construct(self, input: Tensor) -> Any:
        return P.fractional_max_pool2d(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            self._random_samples,
        )


class FractionalMaxPool3d(FractionalMaxPool2d):
    """Fractional max pooling of (N, C, D, H, W) or (C, D, H, W) input (see
    :class:`FractionalMaxPool2d`; ``_random_samples`` (N, C, 3))."""

    def construct(self, input: Tensor) -> Any:
        return P.fractional_max_pool3d(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            self._random_samples,
        )


# ------------------------------------------------------------------------------------------------
# Max unpooling
# ------------------------------------------------------------------------------------------------


class _MaxUnpool(Cell):
    nd = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        op = type(self).__name__
        self.kernel_size = P.ints(op, "kernel_size", kernel_size, self.nd)
        self.stride = self.kernel_size if stride is None else P.ints(op, "stride", stride, self.nd)
        self.padding = P.ints(op, "padding", padding, self.nd, minimum=0)

    def construct(self, x: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return P._max_unpool(
            type(self).__name__,
            self.nd,
            x,
            indices,
            self.kernel_size,
            self.stride,
            self.padding,
            output_size,
        )


class MaxUnpool1d(_MaxUnpool):
    """The inverse of MaxPool1d: ``x`` placed at ``indices`` in zeros of length
    ``(L - 1) * stride - 2 * padding + kernel_size`` (or ``output_size``)."""

    nd = 1


class MaxUnpool2d(_MaxUnpool):
    """The inverse of MaxPool2d (see :class:`MaxUnpool1d`)."""

    nd = 2


class MaxUnpool3d(_MaxUnpool):
    """The inverse of MaxPool3d (see :class:`MaxUnpool1d`)."""

    nd = 3
