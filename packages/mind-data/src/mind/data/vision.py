"""Image transforms, as ``mindspore.dataset.vision``: decode, resize, crop, flip, rotate, normalize.

Images are numpy arrays of shape ``(H, W, C)`` ("HWC") or ``(H, W)`` for grayscale, uint8 or
float, as MindSpore's. A ``PIL.Image.Image`` (as ``Decode(to_pil=True)`` returns) is accepted
too and converted to a numpy array first; every op returns numpy arrays.

Resizing and rotating go through Pillow, the reference Python imaging library, one channel at a
time: uint8 channels in Pillow's mode ``"L"``, float channels in mode ``"F"`` (float32, cast
back to the input's float dtype). Other integer dtypes go through ``"F"`` and are rounded back
(exact for 16-bit values). Crops, flips, padding and normalization are plain numpy and keep any
dtype.

Each image op takes one or more image columns, ``op(image)`` or ``op(image, mask)``; a random op
draws its parameters once per call and applies the same crop, flip or angle to every column, so
an image and its segmentation mask stay aligned. Random ops draw only from
:func:`mind.data._src.random.current_rng`, the generator the pipeline sets for each row, so
results repeat under ``mind.data.config.set_seed(n)`` whatever worker runs a row.

Example::

    >>> import numpy as np
    >>> from mind.data import vision
    >>> image = np.zeros((32, 48, 3), np.uint8)
    >>> op = vision.Resize(16)  # the shorter side becomes 16, the aspect ratio is kept
    >>> op(image).shape
    (16, 24, 3)
    >>> vision.ToTensor()(image).shape  # CHW float32 in [0, 1]
    (3, 32, 48)
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from enum import Enum, IntEnum
from typing import Any

import numpy as np
from PIL import Image

try:  # libjpeg-turbo without Pillow's Python marker parsing; Pillow decodes when it is absent
    import simplejpeg as _simplejpeg
except ImportError:  # pragma: no cover - a dependency; kept optional for odd platforms
    _simplejpeg = None

from mind.core.errors import MindTypeError, MindValueError
from mind.data._src.random import current_rng
from mind.data.errors import MindDataError
from mind.data.transforms import _check_prob, _is_int, _is_number, _numpy_dtype, _Transform

__all__ = [
    "HWC2CHW",
    "Border",
    "CenterCrop",
    "Decode",
    "Inter",
    "Normalize",
    "Pad",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
    "Rescale",
    "Resize",
    "ToTensor",
]

_DOCS = "\n(see docs/data.md#transforms in the Mind repository)"


class Inter(IntEnum):
    """Interpolation modes, as ``mindspore.dataset.vision.Inter``.

    Each maps to a Pillow filter: ``NEAREST``, ``BILINEAR`` (alias ``LINEAR``), ``BICUBIC``
    (alias ``CUBIC``) and ``PILCUBIC`` to Pillow's filters of those names, ``AREA`` to ``BOX``
    (the average of the source pixels each output pixel covers), ``ANTIALIAS`` to ``LANCZOS``.
    """

    NEAREST = 0
    ANTIALIAS = 1
    BILINEAR = 2
    LINEAR = 2
    BICUBIC = 3
    CUBIC = 3
    AREA = 4
    PILCUBIC = 5


class Border(str, Enum):
    """Padding modes, as ``mindspore.dataset.vision.Border``.

    ``CONSTANT`` fills with a value; ``EDGE`` repeats the last pixel; ``REFLECT`` mirrors without
    repeating the edge pixel (``[1, 2, 3]`` padded by 2 on the left gives ``[3, 2, 1, 2, 3]``);
    ``SYMMETRIC`` mirrors repeating it (``[2, 1, 1, 2, 3]``). The values are numpy's pad modes.
    """

    CONSTANT = "constant"
    EDGE = "edge"
    REFLECT = "reflect"
    SYMMETRIC = "symmetric"


_PIL_FILTERS = {
    Inter.NEAREST: Image.Resampling.NEAREST,
    Inter.ANTIALIAS: Image.Resampling.LANCZOS,
    Inter.BILINEAR: Image.Resampling.BILINEAR,
    Inter.BICUBIC: Image.Resampling.BICUBIC,
    Inter.AREA: Image.Resampling.BOX,
    Inter.PILCUBIC: Image.Resampling.BICUBIC,
}
# Pillow's rotate (an affine transform) takes only these three filters.
_ROTATE_INTERS = (Inter.NEAREST, Inter.BILINEAR, Inter.BICUBIC)


# ------------------------------------------------------------------------------------------------
# Argument checks
# ------------------------------------------------------------------------------------------------


def _check_size(op: str, size: Any, name: str = "size") -> int | tuple[int, int]:
    """An int > 0, or a sequence ``(height, width)`` of two ints > 0."""
    if _is_int(size) and size > 0:
        return int(size)
    if (
        isinstance(size, (list, tuple))
        and len(size) == 2
        and all(_is_int(s) and s > 0 for s in size)
    ):
        return (int(size[0]), int(size[1]))
    raise MindValueError(
        f"For '{op}', '{name}' must be an int > 0 or a sequence (height, width) of two ints > 0, "
        f"got {size!r}" + _DOCS
    )


def _square(size: int | tuple[int, int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else size


def _check_enum(op: str, name: str, value: Any, enum: type, allowed: Sequence[Any]) -> Any:
    if not isinstance(value, enum) or value not in allowed:
        names = ", ".join(f"{enum.__name__}.{m.name}" for m in allowed)
        raise MindValueError(f"For '{op}', '{name}' must be one of {names}, got {value!r}" + _DOCS)
    return value


def _check_fill(op: str, fill: Any) -> int | tuple[int, int, int]:
    """An int in [0, 255] for every channel, or ``(r, g, b)`` of three such ints."""
    if _is_int(fill) and 0 <= fill <= 255:
        return int(fill)
    if (
        isinstance(fill, (list, tuple))
        and len(fill) == 3
        and all(_is_int(f) and 0 <= f <= 255 for f in fill)
    ):
        return (int(fill[0]), int(fill[1]), int(fill[2]))
    raise MindValueError(
        f"For '{op}', 'fill_value' must be an int in [0, 255] or a tuple (r, g, b) of three such "
        f"ints, got {fill!r}" + _DOCS
    )


def _check_padding(op: str, padding: Any) -> tuple[int, int, int, int]:
    """``(left, top, right, bottom)`` from an int, ``(left/right, top/bottom)`` or four ints."""
    if _is_int(padding) and padding >= 0:
        p = int(padding)
        return (p, p, p, p)
    if (
        isinstance(padding, (list, tuple))
        and len(padding) in (2, 4)
        and all(_is_int(p) and p >= 0 for p in padding)
    ):
        p = tuple(int(x) for x in padding)
        return (p[0], p[1], p[0], p[1]) if len(p) == 2 else p  # type: ignore[return-value]
    raise MindValueError(
        f"For '{op}', 'padding' must be an int >= 0, a sequence (left/right, top/bottom) or "
        f"(left, top, right, bottom) of ints >= 0, got {padding!r}" + _DOCS
    )


def _check_range(op: str, name: str, value: Any, need: str) -> tuple[float, float]:
    """A sequence ``(min, max)`` of two numbers, min <= max; ``need`` bounds min: "any",
    ">= 0" or "> 0"."""
    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(_is_number(v) for v in value)
        and value[0] <= value[1]
    )
    if ok and need != "any":
        ok = value[0] >= 0 if need == ">= 0" else value[0] > 0
    if not ok:
        bound = "" if need == "any" else f" and min {need}"
        raise MindValueError(
            f"For '{op}', '{name}' must be a sequence (min, max) of two numbers with "
            f"min <= max{bound}, got {value!r}" + _DOCS
        )
    return (float(value[0]), float(value[1]))


def _check_bool(op: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise MindTypeError(f"For '{op}', '{name}' must be a bool, got {value!r}" + _DOCS)
    return bool(value)


# ------------------------------------------------------------------------------------------------
# Input checks and the numpy / Pillow kernels
# ------------------------------------------------------------------------------------------------


def _as_array(op: str, image: Any) -> np.ndarray:
    """A numeric numpy array from a numpy array or a PIL image."""
    if isinstance(image, Image.Image):
        if image.mode in ("1", "P", "PA", "LA"):
            image = image.convert("RGBA" if image.mode in ("PA", "LA") else "RGB")
        image = np.array(image)
    if not isinstance(image, np.ndarray):
        raise MindTypeError(
            f"For '{op}', the image must be a numpy.ndarray (H, W[, C]) or a PIL.Image.Image, "
            f"got {type(image).__name__}" + _DOCS
        )
    if image.dtype.kind not in "buif":
        raise MindTypeError(
            f"For '{op}', the image must have a numeric dtype (uint8 or float as a rule), "
            f"got {image.dtype}" + _DOCS
        )
    return image


def _as_image(op: str, image: Any) -> np.ndarray:
    image = _as_array(op, image)
    if image.ndim not in (2, 3):
        raise MindValueError(
            f"For '{op}', the image must be 2-D or 3-D (H, W[, C]), got shape {image.shape}" + _DOCS
        )
    if image.shape[0] == 0 or image.shape[1] == 0 or image.size == 0:
        raise MindValueError(f"For '{op}', the image is empty, got shape {image.shape}" + _DOCS)
    return image


def _per_channel(op: str, image: np.ndarray, fn: Any) -> np.ndarray:
    """Apply ``fn(plane: PIL.Image, channel: int) -> PIL.Image`` to each channel of an image.

    uint8 planes go to Pillow as mode "L", everything else as float32 mode "F"; the result is
    cast back to the input dtype (rounded and clipped for integers).
    """
    if image.dtype.kind == "b":
        raise MindTypeError(
            f"For '{op}', the image must be uint8, float or integer, got {image.dtype}" + _DOCS
        )
    work = image if image.dtype == np.uint8 else image.astype(np.float32)
    planes = [work] if work.ndim == 2 else [work[..., c] for c in range(work.shape[2])]
    out = [np.array(fn(Image.fromarray(np.ascontiguousarray(p)), c)) for c, p in enumerate(planes)]
    result = out[0] if image.ndim == 2 else np.stack(out, axis=-1)
    if image.dtype.kind in "iu" and image.dtype != np.uint8:
        info = np.iinfo(image.dtype)
        result = np.clip(np.rint(result), info.min, info.max)
    return result.astype(image.dtype, copy=False)


def _resize(op: str, image: np.ndarray, height: int, width: int, inter: Inter) -> np.ndarray:
    pil_filter = _PIL_FILTERS[inter]
    if image.dtype == np.uint8 and (image.ndim == 2 or image.shape[2] == 3):
        # One Pillow call for all channels: Pillow resamples each 8-bit band on its own with
        # the same coefficients, so this is the per-channel result at a third of the cost.
        # frombuffer and tobytes: Pillow's raw codec both ways, without the array interface's
        # Python-level checks (2 us of a small image's 16).
        source = np.ascontiguousarray(image)
        mode = "RGB" if image.ndim == 3 else "L"
        size = (source.shape[1], source.shape[0])
        plane = Image.frombuffer(mode, size, source, "raw", mode, 0, 1)
        out = plane.resize((width, height), pil_filter).tobytes()
        return np.frombuffer(out, np.uint8).reshape((height, width) + image.shape[2:]).copy()
    return _per_channel(op, image, lambda plane, _: plane.resize((width, height), pil_filter))


def _channel_fill(op: str, image: np.ndarray, fill: int | tuple[int, int, int]) -> Any:
    """The constant for padded pixels: a scalar, or one value per channel for an (r, g, b)."""
    if isinstance(fill, int):
        return fill
    if image.ndim != 3 or image.shape[2] != 3:
        raise MindValueError(
            f"For '{op}', a fill_value (r, g, b) needs a 3-channel (H, W, 3) image, "
            f"got shape {image.shape}; use an int fill_value" + _DOCS
        )
    return np.asarray(fill)


def _pad(
    op: str,
    image: np.ndarray,
    padding: tuple[int, int, int, int],
    fill: int | tuple[int, int, int],
    mode: Border,
) -> np.ndarray:
    left, top, right, bottom = padding
    if mode is not Border.CONSTANT:
        widths = ((top, bottom), (left, right)) + ((0, 0),) * (image.ndim - 2)
        return np.pad(image, widths, mode=mode.value)
    value = _channel_fill(op, image, fill)
    h, w = image.shape[:2]
    out = np.empty((top + h + bottom, left + w + right) + image.shape[2:], image.dtype)
    out[...] = value
    out[top : top + h, left : left + w] = image
    return out


def _decode_jpeg(raw: bytes) -> np.ndarray | None:
    """A YCbCr or grayscale JPEG decoded to RGB by simplejpeg, or None to let Pillow decode it.

    Both run libjpeg-turbo with its defaults (accurate DCT, fancy upsampling), so the pixels are
    Pillow's (tests/test_vision_decode.py checks them against Pillow); CMYK and YCCK, which
    Pillow converts with its own formula, and anything simplejpeg refuses (a truncated or
    damaged file: Pillow then raises with the message Decode gives) go to Pillow.
    """
    if _simplejpeg is None:
        return None
    try:
        if _simplejpeg.decode_jpeg_header(raw)[2] not in _JPEG_SPACES:
            return None
        return _simplejpeg.decode_jpeg(raw, colorspace="RGB")
    except ValueError:
        return None


_JPEG_SPACES = frozenset({"YCbCr", "Gray"})


# ------------------------------------------------------------------------------------------------
# Op bases
# ------------------------------------------------------------------------------------------------


def _batchable(blocks: tuple[Any, ...]) -> bool:
    """True for one non-empty numeric block of n 2-D or 3-D images, which batch forms handle."""
    if len(blocks) != 1:
        return False
    block = blocks[0]
    return (
        type(block) is np.ndarray
        and block.dtype.kind in "buif"
        and block.ndim in (3, 4)
        and block.size > 0
    )


class _ImageOp(_Transform):
    """An op on one or more image columns: parameters drawn once, then applied to each column."""

    # A random op applies one draw to every column, so the columns must share (H, W).
    _random = False

    def _check_input(self, image: Any) -> np.ndarray:
        return _as_image(type(self).__name__, image)

    def _draw(self, image: np.ndarray) -> Any:
        return None

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, *images: Any) -> Any:
        if len(images) == 1:
            image = images[0]
            # The common case, checked in one line: a single non-empty numeric image.
            if (
                type(image) is np.ndarray
                and image.dtype.kind in "buif"
                and image.ndim in (2, 3)
                and image.size
            ):
                return self._apply(image, self._draw(image))
        op = type(self).__name__
        if not images:
            raise MindTypeError(f"For '{op}', expected at least one image, got no input" + _DOCS)
        arrays = [self._check_input(image) for image in images]
        if self._random:
            for i, a in enumerate(arrays[1:], 1):
                if a.shape[:2] != arrays[0].shape[:2]:
                    raise MindValueError(
                        f"For '{op}', every input image must have the same height and width "
                        f"(one random draw applies to all), got shape {arrays[0].shape} for "
                        f"input 0 and {a.shape} for input {i}" + _DOCS
                    )
        params = self._draw(arrays[0])
        out = tuple(self._apply(a, params) for a in arrays)
        return out[0] if len(out) == 1 else out


# ------------------------------------------------------------------------------------------------
# Decode
# ------------------------------------------------------------------------------------------------


class Decode(_Transform):
    """Decode an encoded image file (JPEG, PNG, BMP, GIF, TIFF, WebP) into an RGB image.

    :param to_pil: return a ``PIL.Image.Image`` in mode ``"RGB"`` instead of a numpy array.

    Input: the file's bytes, as ``bytes`` or a 1-D uint8 numpy array (what a dataset column of
    raw files holds). Output: an ``(H, W, 3)`` uint8 RGB array; grayscale, palette and RGBA files
    are converted to RGB, and a multi-frame GIF or TIFF gives its first frame. Input that Pillow
    cannot decode raises :class:`mind.data.errors.MindDataError` naming its length.

    Supported Platforms: ``CPU`` (Pillow).

    Example::

        >>> import io
        >>> import numpy as np
        >>> from PIL import Image
        >>> from mind.data import vision
        >>> buffer = io.BytesIO()
        >>> Image.new("RGB", (4, 2), (255, 0, 0)).save(buffer, format="PNG")
        >>> data = np.frombuffer(buffer.getvalue(), np.uint8)
        >>> image = vision.Decode()(data)
        >>> image.shape, image.dtype, image[0, 0].tolist()
        ((2, 4, 3), dtype('uint8'), [255, 0, 0])
    """

    def __init__(self, to_pil: bool = False) -> None:
        self.to_pil = _check_bool("Decode", "to_pil", to_pil)

    def __call__(self, *data: Any) -> Any:
        if not data:
            raise MindTypeError("For 'Decode', expected at least one encoded image, got no input")
        out = tuple(self._decode(d) for d in data)
        return out[0] if len(out) == 1 else out

    def _decode(self, data: Any) -> Any:
        if isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind == "S":
            data = data.item()
        if isinstance(data, np.ndarray):
            if data.ndim != 1 or data.dtype != np.uint8:
                raise MindTypeError(
                    f"For 'Decode', the input must be bytes or a 1-D uint8 numpy.ndarray (the "
                    f"encoded file), got an array of shape {data.shape} and dtype {data.dtype}; "
                    "is it already decoded?" + _DOCS
                )
            raw = data.tobytes()
        elif isinstance(data, (bytes, bytearray, memoryview)):
            raw = bytes(data)
        else:
            raise MindTypeError(
                f"For 'Decode', the input must be bytes or a 1-D uint8 numpy.ndarray (the encoded "
                f"file), got {type(data).__name__}" + _DOCS
            )
        if not self.to_pil and raw[:2] == b"\xff\xd8":
            fast = _decode_jpeg(raw)
            if fast is not None:
                return fast
        try:
            with Image.open(io.BytesIO(raw)) as image:
                image.load()
                rgb = image if image.mode == "RGB" and not self.to_pil else image.convert("RGB")
                if not self.to_pil:
                    return np.array(rgb)
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            # UnidentifiedImageError and truncated-file errors are OSErrors; broken headers
            # surface from some plugins as ValueError or SyntaxError.
            raise MindDataError(
                f"For 'Decode', could not decode the {len(raw)}-byte input (starting "
                f"{raw[:8]!r}) as an image; expected a JPEG, PNG, BMP, GIF, TIFF or WebP file: "
                f"{exc}" + _DOCS
            ) from exc
        return rgb if self.to_pil else np.array(rgb)


# ------------------------------------------------------------------------------------------------
# Geometry: resize, crop, flip, rotate, pad
# ------------------------------------------------------------------------------------------------


class Resize(_ImageOp):
    """Resize an image to ``size`` with Pillow.

    :param size: ``(height, width)``; or an int, to which the shorter side is resized while the
        aspect ratio is kept: the longer side becomes ``longer * size // shorter`` (rounded
        down, as MindSpore).
    :param interpolation: an :class:`Inter` mode.

    Supported Platforms: ``CPU`` (Pillow). uint8, float and integer images, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> image = np.zeros((20, 30, 3), np.uint8)
        >>> vision.Resize((8, 6))(image).shape
        (8, 6, 3)
        >>> vision.Resize(10, vision.Inter.NEAREST)(image).shape
        (10, 15, 3)
    """

    def __init__(self, size: int | Sequence[int], interpolation: Inter = Inter.BILINEAR) -> None:
        self.size = _check_size("Resize", size)
        self.interpolation = _check_enum(
            "Resize", "interpolation", interpolation, Inter, list(_PIL_FILTERS)
        )

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        h, w = image.shape[:2]
        if isinstance(self.size, tuple):
            out_h, out_w = self.size
        elif h <= w:
            out_h, out_w = self.size, w * self.size // h
        else:
            out_h, out_w = h * self.size // w, self.size
        return _resize("Resize", image, out_h, out_w, self.interpolation)


class CenterCrop(_ImageOp):
    """Crop the center ``size`` of an image.

    The crop's top-left corner is at ``((H - h) // 2, (W - w) // 2)``. Where the crop is larger
    than the image, the missing rows and columns are zeros (the odd one on the top or left).

    :param size: ``(height, width)``, or an int for a square crop.

    Supported Platforms: ``CPU``. Any dtype, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> image = np.arange(16).reshape(4, 4)
        >>> vision.CenterCrop(2)(image)
        array([[ 5,  6],
               [ 9, 10]])
    """

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = _check_size("CenterCrop", size)

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        crop_h, crop_w = _square(self.size)
        h, w = image.shape[:2]
        top, left = (h - crop_h) // 2, (w - crop_w) // 2
        if top < 0 or left < 0:  # pad with zeros to the crop's size first
            pad_t, pad_l = max(0, -top), max(0, -left)
            pad_b, pad_r = max(0, crop_h - h - pad_t), max(0, crop_w - w - pad_l)
            image = _pad("CenterCrop", image, (pad_l, pad_t, pad_r, pad_b), 0, Border.CONSTANT)
            top, left = max(0, top), max(0, left)
        return image[top : top + crop_h, left : left + crop_w].copy()


class RandomCrop(_ImageOp):
    """Crop a random ``size`` window of an image, after optional padding.

    The image is first padded by ``padding``; then, with ``pad_if_needed``, a side still shorter
    than the crop is padded by the shortfall on both ends. The window's top and left are drawn
    uniformly (two integers from the row's generator, top first).

    :param size: ``(height, width)``, or an int for a square crop.
    :param padding: None; an int for every side; ``(left/right, top/bottom)``; or
        ``(left, top, right, bottom)``.
    :param pad_if_needed: pad an image smaller than the crop instead of raising.
    :param fill_value: for ``Border.CONSTANT``: an int in [0, 255], or ``(r, g, b)`` for a
        3-channel image.
    :param padding_mode: a :class:`Border` mode.

    Supported Platforms: ``CPU``. Any dtype, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> image = np.zeros((28, 28), np.uint8)
        >>> vision.RandomCrop(28, padding=4)(image).shape
        (28, 28)
    """

    _random = True

    def __init__(
        self,
        size: int | Sequence[int],
        padding: int | Sequence[int] | None = None,
        pad_if_needed: bool = False,
        fill_value: int | tuple[int, int, int] = 0,
        padding_mode: Border = Border.CONSTANT,
    ) -> None:
        self.size = _check_size("RandomCrop", size)
        self.padding = None if padding is None else _check_padding("RandomCrop", padding)
        self.pad_if_needed = _check_bool("RandomCrop", "pad_if_needed", pad_if_needed)
        self.fill_value = _check_fill("RandomCrop", fill_value)
        self.padding_mode = _check_enum(
            "RandomCrop", "padding_mode", padding_mode, Border, list(Border)
        )

    def _padding_for(self, h: int, w: int) -> tuple[int, int, int, int]:
        left, top, right, bottom = self.padding or (0, 0, 0, 0)
        crop_h, crop_w = _square(self.size)
        if self.pad_if_needed:
            short_h, short_w = crop_h - (h + top + bottom), crop_w - (w + left + right)
            if short_h > 0:
                top, bottom = top + short_h, bottom + short_h
            if short_w > 0:
                left, right = left + short_w, right + short_w
        return (left, top, right, bottom)

    def _draw(self, image: np.ndarray) -> tuple[int, int]:
        h, w = image.shape[:2]
        left, top, right, bottom = self._padding_for(h, w)
        padded_h, padded_w = h + top + bottom, w + left + right
        crop_h, crop_w = _square(self.size)
        if crop_h > padded_h or crop_w > padded_w:
            raise MindValueError(
                f"For 'RandomCrop', the crop size ({crop_h}, {crop_w}) is larger than the "
                f"(padded) image ({padded_h}, {padded_w}) from an image of shape {image.shape}; "
                "set pad_if_needed=True or pass a larger 'padding'" + _DOCS
            )
        rng = current_rng()
        return int(rng.integers(0, padded_h - crop_h + 1)), int(
            rng.integers(0, padded_w - crop_w + 1)
        )

    def _apply(self, image: np.ndarray, params: tuple[int, int]) -> np.ndarray:
        padding = self._padding_for(*image.shape[:2])
        if any(padding):
            image = _pad("RandomCrop", image, padding, self.fill_value, self.padding_mode)
        top, left = params
        crop_h, crop_w = _square(self.size)
        return image[top : top + crop_h, left : left + crop_w].copy()


class RandomResizedCrop(_ImageOp):
    """Crop a random area of random aspect ratio, then resize it to ``size`` (Inception-style).

    Up to ``max_attempts`` times, draw an area fraction from ``scale`` and a log-uniform aspect
    ratio (width / height) from ``ratio``; the first box that fits inside the image is used,
    placed uniformly. If none fits, the center crop whose ratio is ``ratio`` clamped to the
    image's own is used, as MindSpore does.

    :param size: output ``(height, width)``, or an int for a square output.
    :param scale: ``(min, max)`` fraction of the image area, 0 <= min <= max.
    :param ratio: ``(min, max)`` aspect ratio width / height, 0 < min <= max.
    :param interpolation: an :class:`Inter` mode for the resize.
    :param max_attempts: draws before falling back to the center crop, an int >= 1.

    Supported Platforms: ``CPU`` (Pillow). uint8, float and integer images, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> image = np.zeros((64, 80, 3), np.uint8)
        >>> vision.RandomResizedCrop(32)(image).shape
        (32, 32, 3)
    """

    _random = True

    def __init__(
        self,
        size: int | Sequence[int],
        scale: Sequence[float] = (0.08, 1.0),
        ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: Inter = Inter.BILINEAR,
        max_attempts: int = 10,
    ) -> None:
        self.size = _check_size("RandomResizedCrop", size)
        self.scale = _check_range("RandomResizedCrop", "scale", scale, ">= 0")
        self.ratio = _check_range("RandomResizedCrop", "ratio", ratio, "> 0")
        self.interpolation = _check_enum(
            "RandomResizedCrop", "interpolation", interpolation, Inter, list(_PIL_FILTERS)
        )
        if not _is_int(max_attempts) or max_attempts < 1:
            raise MindValueError(
                f"For 'RandomResizedCrop', 'max_attempts' must be an int >= 1, "
                f"got {max_attempts!r}" + _DOCS
            )
        self.max_attempts = int(max_attempts)

    def _draw(self, image: np.ndarray) -> tuple[int, int, int, int]:
        h, w = image.shape[:2]
        rng = current_rng()
        random = rng.random
        s0, s1 = self.scale
        r0, r1 = math.log(self.ratio[0]), math.log(self.ratio[1])
        for _ in range(self.max_attempts):
            # rng.uniform(a, b) is a + (b - a) * rng.random(), the same draw at a quarter of
            # the call's cost.
            area = h * w * (s0 + (s1 - s0) * random())
            aspect = math.exp(r0 + (r1 - r0) * random())
            crop_w = round(math.sqrt(area * aspect))
            crop_h = round(crop_w / aspect)
            if 0 < crop_w <= w and 0 < crop_h <= h:
                top = int(rng.integers(0, h - crop_h + 1))
                left = int(rng.integers(0, w - crop_w + 1))
                return top, left, crop_h, crop_w
        image_ratio = w / h
        if image_ratio < self.ratio[0]:
            crop_w, crop_h = w, round(w / self.ratio[0])
        elif image_ratio > self.ratio[1]:
            crop_w, crop_h = round(h * self.ratio[1]), h
        else:
            crop_w, crop_h = w, h
        crop_h, crop_w = min(max(crop_h, 1), h), min(max(crop_w, 1), w)
        return (h - crop_h) // 2, (w - crop_w) // 2, crop_h, crop_w

    def _apply(self, image: np.ndarray, params: tuple[int, int, int, int]) -> np.ndarray:
        top, left, crop_h, crop_w = params
        out_h, out_w = _square(self.size)
        crop = image[top : top + crop_h, left : left + crop_w]
        return _resize("RandomResizedCrop", crop, out_h, out_w, self.interpolation)


class RandomHorizontalFlip(_ImageOp):
    """Flip an image left to right with probability ``prob``.

    One number is drawn from the row's generator for each call, and the image is flipped when it
    is below ``prob``.

    :param prob: probability of flipping, in [0.0, 1.0].

    Supported Platforms: ``CPU``. Any dtype, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> vision.RandomHorizontalFlip(prob=1.0)(np.array([[1, 2, 3]]))
        array([[3, 2, 1]])
    """

    _random = True

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = _check_prob("RandomHorizontalFlip", prob)

    def _draw(self, image: np.ndarray) -> bool:
        return bool(current_rng().random() < self.prob)

    def _apply(self, image: np.ndarray, flip: bool) -> np.ndarray:
        return image[:, ::-1].copy() if flip else image


class RandomVerticalFlip(_ImageOp):
    """Flip an image upside down with probability ``prob``.

    One number is drawn from the row's generator for each call, and the image is flipped when it
    is below ``prob``.

    :param prob: probability of flipping, in [0.0, 1.0].

    Supported Platforms: ``CPU``. Any dtype, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> vision.RandomVerticalFlip(prob=1.0)(np.array([[1], [2]]))
        array([[2],
               [1]])
    """

    _random = True

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = _check_prob("RandomVerticalFlip", prob)

    def _draw(self, image: np.ndarray) -> bool:
        return bool(current_rng().random() < self.prob)

    def _apply(self, image: np.ndarray, flip: bool) -> np.ndarray:
        return image[::-1].copy() if flip else image


class RandomRotation(_ImageOp):
    """Rotate an image by a random angle, counter-clockwise in degrees, with Pillow.

    :param degrees: a number d >= 0 for angles in [-d, d], or a sequence ``(min, max)``.
    :param resample: ``Inter.NEAREST``, ``Inter.BILINEAR`` or ``Inter.BICUBIC``.
    :param expand: enlarge the output to hold the whole rotated image; otherwise it keeps the
        input's size and the corners are cut off.
    :param center: ``(x, y)`` center of rotation, from the top-left corner; None for the
        image's center.
    :param fill_value: for the area outside the rotated image: an int in [0, 255], or
        ``(r, g, b)`` for a 3-channel image.

    Supported Platforms: ``CPU`` (Pillow). uint8, float and integer images, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> image = np.zeros((20, 10, 3), np.uint8)
        >>> vision.RandomRotation((90, 90), expand=True)(image).shape
        (10, 20, 3)
    """

    _random = True

    def __init__(
        self,
        degrees: float | Sequence[float],
        resample: Inter = Inter.NEAREST,
        expand: bool = False,
        center: Sequence[float] | None = None,
        fill_value: int | tuple[int, int, int] = 0,
    ) -> None:
        if _is_number(degrees):
            if degrees < 0:
                raise MindValueError(
                    f"For 'RandomRotation', 'degrees' as a number must be >= 0, got {degrees!r}"
                    + _DOCS
                )
            self.degrees = (-float(degrees), float(degrees))
        else:
            self.degrees = _check_range("RandomRotation", "degrees", degrees, "any")
        self.resample = _check_enum("RandomRotation", "resample", resample, Inter, _ROTATE_INTERS)
        self.expand = _check_bool("RandomRotation", "expand", expand)
        if center is not None and not (
            isinstance(center, (list, tuple))
            and len(center) == 2
            and all(_is_number(c) for c in center)
        ):
            raise MindValueError(
                f"For 'RandomRotation', 'center' must be None or a sequence (x, y) of two "
                f"numbers, got {center!r}" + _DOCS
            )
        self.center = None if center is None else (float(center[0]), float(center[1]))
        self.fill_value = _check_fill("RandomRotation", fill_value)

    def _draw(self, image: np.ndarray) -> float:
        return float(current_rng().uniform(*self.degrees))

    def _apply(self, image: np.ndarray, angle: float) -> np.ndarray:
        fill = _channel_fill("RandomRotation", image, self.fill_value)
        fills = [fill] * (image.shape[2] if image.ndim == 3 else 1) if np.isscalar(fill) else fill

        def rotate(plane: Image.Image, channel: int) -> Image.Image:
            value = fills[channel]
            value = int(value) if plane.mode == "L" else float(value)
            return plane.rotate(
                angle,
                resample=_PIL_FILTERS[self.resample],
                expand=self.expand,
                center=self.center,
                fillcolor=value,
            )

        return _per_channel("RandomRotation", image, rotate)


class Pad(_ImageOp):
    """Pad the sides of an image.

    :param padding: an int for every side; ``(left/right, top/bottom)``; or
        ``(left, top, right, bottom)``.
    :param fill_value: for ``Border.CONSTANT``: an int in [0, 255], or ``(r, g, b)`` for a
        3-channel image.
    :param padding_mode: a :class:`Border` mode.

    Supported Platforms: ``CPU``. Any dtype, HWC or HW.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> vision.Pad((1, 0), padding_mode=vision.Border.EDGE)(np.array([[1, 2]]))
        array([[1, 1, 2, 2]])
    """

    def __init__(
        self,
        padding: int | Sequence[int],
        fill_value: int | tuple[int, int, int] = 0,
        padding_mode: Border = Border.CONSTANT,
    ) -> None:
        self.padding = _check_padding("Pad", padding)
        self.fill_value = _check_fill("Pad", fill_value)
        self.padding_mode = _check_enum("Pad", "padding_mode", padding_mode, Border, list(Border))

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        return _pad("Pad", image, self.padding, self.fill_value, self.padding_mode)


# ------------------------------------------------------------------------------------------------
# Values and layout: rescale, normalize, HWC2CHW, ToTensor
# ------------------------------------------------------------------------------------------------


class Rescale(_ImageOp):
    """Return ``image * rescale + shift`` as float32.

    :param rescale: the scale factor, a number.
    :param shift: the offset, a number.

    Supported Platforms: ``CPU``. Any numeric array of any shape.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> vision.Rescale(1.0 / 255.0, -1.0)(np.array([0, 255], np.uint8))
        array([-1.,  0.], dtype=float32)
    """

    def __init__(self, rescale: float, shift: float) -> None:
        for name, value in (("rescale", rescale), ("shift", shift)):
            if not _is_number(value):
                raise MindTypeError(
                    f"For 'Rescale', '{name}' must be a number, got {value!r}" + _DOCS
                )
        self.rescale = float(rescale)
        self.shift = float(shift)

    def _check_input(self, image: Any) -> np.ndarray:
        return _as_array("Rescale", image)

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        return image.astype(np.float32) * np.float32(self.rescale) + np.float32(self.shift)

    def _batch(self, *blocks: np.ndarray) -> Any:
        """Batch form: elementwise, so the block of n images is rescaled in one pass."""
        if not _batchable(blocks):
            return NotImplemented
        return self._apply(blocks[0], None)


class Normalize(_ImageOp):
    """Return ``(image - mean) / std`` per channel, as float32.

    :param mean: one value per channel, each in [0.0, 255.0] (a single value applies to all).
    :param std: one value per channel, each in (0.0, 255.0], as many as ``mean``.
    :param is_hwc: whether the image is HWC (channels last) or CHW (channels first). A 2-D image
        is one channel.

    Supported Platforms: ``CPU``. Any numeric dtype.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> image = np.full((2, 2, 3), 255, np.uint8)
        >>> vision.Normalize([127.5] * 3, [127.5] * 3)(image)[0, 0]
        array([1., 1., 1.], dtype=float32)
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], is_hwc: bool = True) -> None:
        for name, values, low, open_low in (("mean", mean, 0.0, False), ("std", std, 0.0, True)):
            ok = (
                isinstance(values, (list, tuple))
                and len(values) > 0
                and all(
                    _is_number(v) and (v > low if open_low else v >= low) and v <= 255.0
                    for v in values
                )
            )
            if not ok:
                bounds = "(0.0, 255.0]" if open_low else "[0.0, 255.0]"
                raise MindValueError(
                    f"For 'Normalize', '{name}' must be a non-empty list or tuple of numbers in "
                    f"{bounds}, one per channel, got {values!r}" + _DOCS
                )
        if len(mean) != len(std):
            raise MindValueError(
                f"For 'Normalize', 'mean' and 'std' must have the same length, got {len(mean)} "
                f"and {len(std)}" + _DOCS
            )
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]
        self.is_hwc = _check_bool("Normalize", "is_hwc", is_hwc)
        m, sd = np.asarray(self.mean, np.float32), np.asarray(self.std, np.float32)
        self._hwc, self._chw = (m, sd), (m[:, None, None], sd[:, None, None])

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        channels = 1 if image.ndim == 2 else image.shape[2 if self.is_hwc else 0]
        if len(self.mean) not in (1, channels):
            layout = "HWC" if self.is_hwc else "CHW"
            raise MindValueError(
                f"For 'Normalize', 'mean' and 'std' have {len(self.mean)} values but the "
                f"{layout} image of shape {image.shape} has {channels} channels; pass one value "
                "per channel (or set is_hwc to match the layout)" + _DOCS
            )
        return self._normalize(image, image.ndim == 3 and not self.is_hwc)

    def _normalize(self, x: np.ndarray, chw: bool) -> np.ndarray:
        mean, std = self._chw if chw else self._hwc
        if x.dtype == np.uint8:  # uint8 - float32 computes in float32: one pass, no copy
            return (x - mean) / std
        return (x.astype(np.float32) - mean) / std

    def _batch(self, *blocks: np.ndarray) -> Any:
        """Batch form: the per-channel constants broadcast over the block."""
        if not _batchable(blocks):
            return NotImplemented
        block = blocks[0]
        rows = block.ndim - 1
        channels = 1 if rows == 2 else block.shape[3 if self.is_hwc else 1]
        if len(self.mean) not in (1, channels):
            return NotImplemented  # the row path raises, naming the row
        return self._normalize(block, rows == 3 and not self.is_hwc)


class HWC2CHW(_ImageOp):
    """Transpose an ``(H, W, C)`` image to ``(C, H, W)``; a 2-D ``(H, W)`` image is returned as is.

    Supported Platforms: ``CPU``. Any dtype.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> vision.HWC2CHW()(np.zeros((4, 5, 3), np.uint8)).shape
        (3, 4, 5)
    """

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        return np.ascontiguousarray(image.transpose(2, 0, 1)) if image.ndim == 3 else image

    def _batch(self, *blocks: np.ndarray) -> Any:
        """Batch form: an ``(n, H, W, C)`` block becomes ``(n, C, H, W)``; 2-D rows pass as is."""
        if not _batchable(blocks):
            return NotImplemented
        block = blocks[0]
        return np.ascontiguousarray(block.transpose(0, 3, 1, 2)) if block.ndim == 4 else block


class ToTensor(_ImageOp):
    """Convert an HWC image to a CHW array of ``output_type``, dividing the values by 255.

    A uint8 image in [0, 255] becomes float in [0.0, 1.0]; a 2-D ``(H, W)`` image becomes
    ``(1, H, W)``. Any input dtype is divided by 255 (as MindSpore).

    :param output_type: a numpy dtype (``numpy.float32``) or a Mind dtype (``mind.core.float32``).

    Supported Platforms: ``CPU``.

    Example::

        >>> import numpy as np
        >>> from mind.data import vision
        >>> out = vision.ToTensor()(np.full((2, 3, 3), 255, np.uint8))
        >>> out.shape, out.dtype, float(out.max())
        ((3, 2, 3), dtype('float32'), 1.0)
    """

    def __init__(self, output_type: Any = np.float32) -> None:
        self.output_type = output_type
        self._np = _numpy_dtype("ToTensor", "output_type", output_type)

    def _apply(self, image: np.ndarray, params: Any) -> np.ndarray:
        chw = image[None] if image.ndim == 2 else image.transpose(2, 0, 1)
        return np.ascontiguousarray((chw.astype(np.float64) / 255.0).astype(self._np))

    def _batch(self, *blocks: np.ndarray) -> Any:
        """Batch form: (n, H, W, C) -> (n, C, H, W) and (n, H, W) -> (n, 1, H, W)."""
        if not _batchable(blocks):
            return NotImplemented
        block = blocks[0]
        chw = block[:, None] if block.ndim == 3 else block.transpose(0, 3, 1, 2)
        return np.ascontiguousarray((chw.astype(np.float64) / 255.0).astype(self._np))
