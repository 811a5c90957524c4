"""Image layers with MindSpore's names (ImageGradients, SSIM, MSSSIM, PSNR, CentralCrop).

All are compositions of slicing, ``conv2d`` and reductions, so gradient, jit and vmap follow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.nn.cell import Cell
from mind.core._src.ops import functional as F
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["MSSSIM", "PSNR", "SSIM", "CentralCrop", "ImageGradients"]


def _check_4d(name: str, arg: str, x: Tensor) -> None:
    if x.ndim != 4:
        raise MindValueError(f"For '{name}', '{arg}' must be 4-D (N, C, H, W), got shape {x.shape}")


def _check_max_val(name: str, max_val: Any) -> float:
    if isinstance(max_val, bool) or not isinstance(max_val, int | float):
        raise MindTypeError(f"For '{name}', 'max_val' must be an int or float, got {max_val!r}")
    if not max_val > 0:
        raise MindValueError(f"For '{name}', 'max_val' must be positive, got {max_val}")
    return float(max_val)


def _pair(name: str, img1: Any, img2: Any) -> tuple[Tensor, Tensor, float]:
    """Both images as float32 in [0, 1] scale when integer (MindSpore divides by the dtype's max),
    and that scale."""
    a, b = as_tensor(img1), as_tensor(img2)
    _check_4d(name, "img1", a)
    _check_4d(name, "img2", b)
    if a.dtype != b.dtype:
        raise MindTypeError(
            f"For '{name}', 'img1' and 'img2' must have one dtype, got {a.dtype} and {b.dtype}"
        )
    if a.shape != b.shape:
        raise MindValueError(
            f"For '{name}', 'img1' and 'img2' must have one shape and dtype, got "
            f"{a.shape} {a.dtype} and {b.shape} {b.dtype}"
        )
    np_type = a.dtype.np
    dtype_max = float(np.iinfo(np_type).max) if np.issubdtype(np_type, np.integer) else 1.0
    a, b = F.cast(a, dt.float32), F.cast(b, dt.float32)
    if dtype_max > 1.0:
        a, b = a * (1.0 / dtype_max), b * (1.0 / dtype_max)
    return a, b, dtype_max


def _scaled(max_val: float, dtype_max: float) -> float:
    return max_val / dtype_max if dtype_max > 1.0 else max_val


class ImageGradients(Cell):
    """Forward differences of an NCHW image along height (``dy``) and width (``dx``); the last row
    and column are 0.

    Example:
        >>> import numpy as np
        >>> from mind.core import Tensor, nn
        >>> dy, dx = nn.ImageGradients()(Tensor(np.array([[[[1, 2], [3, 4]]]])))
        >>> dy.asnumpy().tolist(), dx.asnumpy().tolist()
        ([[[[2, 2], [0, 0]]]], [[[[1, 0], [1, 0]]]])

    Supported devices: every device.
    """

    def construct(self, images: Any) -> tuple[Tensor, Tensor]:
        x = as_tensor(images)
        _check_4d("ImageGradients", "images", x)
        n, c, h, w = x.shape
        dy = F.concat((x[:, :, 1:, :] - x[:, :, :-1, :], F.zeros((n, c, 1, w), x.dtype)), 2)
        dx = F.concat((x[:, :, :, 1:] - x[:, :, :, :-1], F.zeros((n, c, h, 1), x.dtype)), 3)
        return dy, dx


class PSNR(Cell):
    """Peak signal-to-noise ratio per image: ``10 * log10(max_val**2 / mse)`` over (C, H, W).

    Example:
        >>> from mind.core import Tensor, nn
        >>> img1 = Tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> img2 = Tensor([[[[3.0, 4.0], [5.0, 6.0]]]])
        >>> round(float(nn.PSNR()(img1, img2)[0]), 4)
        -6.0206

    Supported devices: every device.
    """

    def __init__(self, max_val: int | float = 1.0) -> None:
        super().__init__()
        self.max_val = _check_max_val("PSNR", max_val)

    def construct(self, img1: Any, img2: Any) -> Tensor:
        a, b, dtype_max = _pair("PSNR", img1, img2)
        max_val = _scaled(self.max_val, dtype_max)
        mse = F.mean(F.square(a - b), (-3, -2, -1))
        return F.log(max_val**2 / mse) * (10.0 / float(np.log(10.0)))


def _window(size: int, sigma: float) -> np.ndarray:
    """The normalised (1, 1, size, size) Gaussian window, centred as MindSpore centres it."""
    r = np.arange(-size // 2 + 1, size // 2 + 1, dtype=np.float64)
    g = np.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * sigma**2))
    return (g / g.sum()).astype(np.float32)[None, None]


def _ssim_maps(a: Tensor, b: Tensor, window: Tensor, c1: float, c2: float) -> tuple[Tensor, Tensor]:
    """Per-channel mean SSIM and contrast-structure terms, each (N, C)."""
    n, c, h, w = a.shape

    def blur(x: Tensor) -> Tensor:
        y = F.conv2d(F.reshape(x, (n * c, 1, h, w)), window)  # valid padding, one channel at once
        return F.reshape(y, (n, c) + y.shape[2:])

    mu1, mu2 = blur(a), blur(b)
    mu1_sq, mu2_sq, mu12 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    sigma1 = blur(a * a) - mu1_sq
    sigma2 = blur(b * b) - mu2_sq
    sigma12 = blur(a * b) - mu12
    v1 = 2 * sigma12 + c2
    v2 = sigma1 + sigma2 + c2
    ssim = ((2 * mu12 + c1) * v1) / ((mu1_sq + mu2_sq + c1) * v2)
    return F.mean(ssim, (2, 3)), F.mean(v1 / v2, (2, 3))


def _check_filter(name: str, filter_size: Any, filter_sigma: Any, k1: Any, k2: Any) -> None:
    if isinstance(filter_size, bool) or not isinstance(filter_size, int):
        raise MindTypeError(f"For '{name}', 'filter_size' must be an int, got {filter_size!r}")
    if filter_size < 1:
        raise MindValueError(
            f"For '{name}', 'filter_size' must be an int >= 1, got {filter_size!r}"
        )
    if not isinstance(filter_sigma, float) or not filter_sigma > 0:
        raise MindValueError(
            f"For '{name}', 'filter_sigma' must be a positive float, got {filter_sigma!r}"
        )
    for arg, v in (("k1", k1), ("k2", k2)):
        if not isinstance(v, float):
            raise MindTypeError(f"For '{name}', '{arg}' must be a float, got {v!r}")


def _check_images(name: str, img1: Any, dtypes: tuple, filter_size: int = 1) -> None:
    x = as_tensor(img1)
    if x.dtype not in dtypes:
        raise MindTypeError(f"For '{name}', 'img1' must be one of {dtypes}, got {x.dtype}")
    _check_4d(name, "img1", x)
    if x.shape[2] < filter_size or x.shape[3] < filter_size:
        raise MindValueError(
            f"For '{name}', 'img1' H and W must be >= filter_size {filter_size}, got {x.shape}"
        )


class SSIM(Cell):
    """Structural similarity of two NCHW image batches (Wang et al. 2004), one value per image: a
    ``filter_size`` Gaussian window (``filter_sigma``) with valid padding, ``C1 = (k1 * max_val)**2``,
    ``C2 = (k2 * max_val)**2``, averaged over positions and channels.

    Example:
        >>> import numpy as np
        >>> from mind.core import Tensor, nn
        >>> img = Tensor(np.ones((1, 3, 16, 16), np.float32))
        >>> nn.SSIM()(img, img).asnumpy().tolist()
        [1.0]

    Supported devices: every device.
    """

    def __init__(
        self,
        max_val: int | float = 1.0,
        filter_size: int = 11,
        filter_sigma: float = 1.5,
        k1: float = 0.01,
        k2: float = 0.03,
    ) -> None:
        super().__init__()
        self.max_val = _check_max_val("SSIM", max_val)
        _check_filter("SSIM", filter_size, filter_sigma, k1, k2)
        self.filter_size, self.k1, self.k2 = filter_size, k1, k2
        self._window = Tensor(_window(filter_size, filter_sigma))  # a constant, not a Parameter

    def construct(self, img1: Any, img2: Any) -> Tensor:
        _check_images("SSIM", img1, (dt.float32, dt.float16), self.filter_size)
        a, b, dtype_max = _pair("SSIM", img1, img2)
        max_val = _scaled(self.max_val, dtype_max)
        ssim, _ = _ssim_maps(a, b, self._window, (self.k1 * max_val) ** 2, (self.k2 * max_val) ** 2)
        return F.mean(ssim, -1)


class MSSSIM(Cell):
    """Multi-scale SSIM (Wang, Simoncelli, Bovik 2003): at each of ``len(power_factors)`` scales
    the contrast-structure term, the last scale's full SSIM, each raised to its power factor and
    multiplied; between scales a 2x2 average pool (stride 2). Relu keeps negative terms at 0.

    Example:
        >>> import numpy as np
        >>> from mind.core import Tensor, nn
        >>> img = Tensor(np.ones((1, 3, 64, 64), np.float32))
        >>> nn.MSSSIM(power_factors=(0.033, 0.033, 0.033))(img, img).asnumpy().tolist()
        [1.0]

    Supported devices: every device.
    """

    def __init__(
        self,
        max_val: int | float = 1.0,
        power_factors: Any = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333),
        filter_size: int = 11,
        filter_sigma: float = 1.5,
        k1: float = 0.01,
        k2: float = 0.03,
    ) -> None:
        super().__init__()
        self.max_val = _check_max_val("MSSSIM", max_val)
        if not isinstance(power_factors, tuple | list) or not power_factors:
            raise MindTypeError(
                f"For 'MSSSIM', 'power_factors' must be a non-empty tuple or list, got "
                f"{power_factors!r}"
            )
        _check_filter("MSSSIM", filter_size, filter_sigma, k1, k2)
        self.power_factors = tuple(float(p) for p in power_factors)
        self.filter_size, self.k1, self.k2 = filter_size, k1, k2
        self._window = Tensor(_window(filter_size, filter_sigma))

    def construct(self, img1: Any, img2: Any) -> Tensor:
        _check_images("MSSSIM", img1, (dt.float64, dt.float32, dt.float16, dt.uint8))
        a, b, dtype_max = _pair("MSSSIM", img1, img2)
        max_val = _scaled(self.max_val, dtype_max)
        c1, c2 = (self.k1 * max_val) ** 2, (self.k2 * max_val) ** 2
        levels = len(self.power_factors)
        result = None
        for i, power in enumerate(self.power_factors):
            ssim, cs = _ssim_maps(a, b, self._window, c1, c2)
            term = F.relu(ssim if i == levels - 1 else cs) ** power
            result = term if result is None else result * term
            if i < levels - 1:
                a = F.avg_pool2d(a, 2, 2)
                b = F.avg_pool2d(b, 2, 2)
        return F.mean(result, -1)


class CentralCrop(Cell):
    """Crop the central ``central_fraction`` of the height and width of a CHW or NCHW image.

    Example:
        >>> import numpy as np
        >>> from mind.core import Tensor, nn
        >>> nn.CentralCrop(0.5)(Tensor(np.zeros((4, 3, 4, 4), np.float32))).shape
        (4, 3, 2, 2)

    Supported devices: every device.
    """

    def __init__(self, central_fraction: float) -> None:
        super().__init__()
        if not isinstance(central_fraction, float):
            raise MindTypeError(
                f"For 'CentralCrop', 'central_fraction' must be a float, got {central_fraction!r}"
            )
        if not 0.0 < central_fraction <= 1.0:
            raise MindValueError(
                f"For 'CentralCrop', 'central_fraction' must be in (0.0, 1.0], got "
                f"{central_fraction}"
            )
        self.central_fraction = central_fraction

    def construct(self, image: Any) -> Tensor:
        x = as_tensor(image)
        if x.ndim not in (3, 4):
            raise MindValueError(
                f"For 'CentralCrop', 'image' must be 3-D or 4-D, got shape {x.shape}"
            )
        if self.central_fraction == 1.0:
            return x
        h, w = x.shape[-2:]
        top = int((float(h) - float(h * self.central_fraction)) / 2)
        left = int((float(w) - float(w * self.central_fraction)) / 2)
        return x[..., top : h - top, left : w - left]
