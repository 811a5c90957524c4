"""mind.data.vision and mind.data.transforms against independent references.

Resize, rotate and decode are checked against Pillow called directly; crops, flips, padding,
normalization and one-hot against hand-written numpy. Random ops are checked for drawing only
from the row's generator: the same generator gives the same output, and the draws they document
(an angle, a crop corner) reproduce from a copy of that generator.
"""

import doctest
import io
import random

import numpy as np
import pytest
from PIL import Image

import mind.core as ms
from mind.core.errors import MindTypeError, MindValueError
from mind.data import config, transforms, vision
from mind.data._src.random import row_generator, row_rng
from mind.data.errors import MindDataError
from mind.data.vision import Border, Inter

PIL_FILTERS = {
    Inter.NEAREST: Image.Resampling.NEAREST,
    Inter.BILINEAR: Image.Resampling.BILINEAR,
    Inter.BICUBIC: Image.Resampling.BICUBIC,
    Inter.AREA: Image.Resampling.BOX,
    Inter.ANTIALIAS: Image.Resampling.LANCZOS,
}


def rgb(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def coordinates(h, w):
    """A float32 image whose pixel (r, c) holds (r, c, 0): a crop shows where it came from."""
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    return np.stack([rows, cols, np.zeros_like(rows)], axis=-1).astype(np.float32)


def encode(array, fmt, **kwargs):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def pil_per_channel_float(image, fn):
    return np.stack([np.array(fn(Image.fromarray(image[..., c]))) for c in range(3)], axis=-1)


@pytest.fixture
def seed_restored(monkeypatch):
    monkeypatch.setitem(config._CONFIG, "seed", config.get_seed())


# ------------------------------------------------------------------------------------------------
# Decode
# ------------------------------------------------------------------------------------------------


def test_decode_png_is_lossless_from_bytes_and_from_a_uint8_array():
    image = rgb(5, 7)
    data = encode(image, "PNG")
    np.testing.assert_array_equal(vision.Decode()(data), image)
    out = vision.Decode()(np.frombuffer(data, np.uint8))
    assert out.dtype == np.uint8 and out.shape == (5, 7, 3)
    np.testing.assert_array_equal(out, image)


def test_decode_jpeg_matches_pillow_and_grayscale_becomes_rgb():
    data = encode(rgb(16, 12), "JPEG", quality=90)
    expected = np.array(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(vision.Decode()(data), expected)

    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    out = vision.Decode()(encode(gray, "PNG"))
    assert out.shape == (3, 4, 3)
    np.testing.assert_array_equal(out, np.repeat(gray[..., None], 3, axis=-1))


def _jpeg_variants():
    """(name, JPEG bytes) of what Decode's JPEG path must treat as Pillow does."""
    rng = np.random.default_rng(7)
    out = []
    for k in range(60):
        h, w = int(rng.integers(1, 70)), int(rng.integers(1, 70))
        array = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        if k % 2:
            array = np.cumsum(array, axis=1, dtype=np.uint8)  # smooth, as photographs are
        mode = ("RGB", "L", "CMYK")[k % 3]
        image = Image.fromarray(array) if mode == "RGB" else Image.fromarray(array).convert(mode)
        options = {
            "quality": int(rng.integers(10, 100)),
            "subsampling": k % 3 if mode == "RGB" else 0,
        }
        options["progressive"] = bool(k % 4 == 1)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", **options)
        out.append((f"{mode} {h}x{w} {options}", buffer.getvalue()))
    return out


def test_decode_of_jpegs_gives_pillows_pixels_whichever_decoder_runs(monkeypatch):
    """The simplejpeg path (YCbCr, grayscale) and the Pillow path (CMYK, or no simplejpeg) give
    exactly what Pillow's own decode and RGB conversion give."""
    variants = _jpeg_variants()
    expected = [np.array(Image.open(io.BytesIO(data)).convert("RGB")) for _, data in variants]
    for (name, data), want in zip(variants, expected):
        got = vision.Decode()(np.frombuffer(data, np.uint8))
        assert got.dtype == np.uint8 and got.flags.writeable, name
        np.testing.assert_array_equal(got, want, err_msg=name)
    monkeypatch.setattr(vision, "_simplejpeg", None)
    for (name, data), want in zip(variants, expected):
        np.testing.assert_array_equal(vision.Decode()(data), want, err_msg=name)


def test_a_truncated_jpeg_is_refused_by_either_decoder(monkeypatch):
    data = encode(np.cumsum(rgb(40, 40), axis=1, dtype=np.uint8), "JPEG", quality=90)
    assert vision._decode_jpeg(data) is not None  # the simplejpeg path is the one under test
    for decoder in (vision._simplejpeg, None):
        monkeypatch.setattr(vision, "_simplejpeg", decoder)
        with pytest.raises(MindDataError, match=rf"could not decode the {len(data) // 2}-byte"):
            vision.Decode()(data[: len(data) // 2])


def test_decode_to_pil_returns_an_rgb_image_that_other_ops_accept():
    image = rgb(6, 8)
    pil = vision.Decode(to_pil=True)(encode(image, "PNG"))
    assert isinstance(pil, Image.Image) and pil.mode == "RGB" and pil.size == (8, 6)
    np.testing.assert_array_equal(vision.HWC2CHW()(pil), image.transpose(2, 0, 1))


def test_decode_undecodable_input_names_its_length():
    with pytest.raises(MindDataError, match=r"For 'Decode', could not decode the 7-byte input"):
        vision.Decode()(b"not-png")
    with pytest.raises(MindDataError, match=r"0-byte input"):
        vision.Decode()(np.zeros(0, np.uint8))
    truncated = encode(rgb(32, 32), "PNG")[:60]
    with pytest.raises(MindDataError, match=r"60-byte input"):
        vision.Decode()(truncated)


def test_decode_rejects_an_already_decoded_image():
    with pytest.raises(MindTypeError, match=r"got an array of shape \(4, 4, 3\) and dtype uint8"):
        vision.Decode()(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(MindTypeError, match=r"got str"):
        vision.Decode()("file.png")


# ------------------------------------------------------------------------------------------------
# Resize
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("inter", list(PIL_FILTERS))
def test_resize_uint8_matches_pillow(inter):
    image = rgb(13, 17)
    expected = np.array(Image.fromarray(image).resize((9, 21), PIL_FILTERS[inter]))
    np.testing.assert_array_equal(vision.Resize((21, 9), inter)(image), expected)


def test_resize_float_matches_pillow_mode_f_per_channel():
    image = np.random.default_rng(1).random((10, 14, 3), dtype=np.float32)
    expected = pil_per_channel_float(image, lambda p: p.resize((7, 5), Image.Resampling.BILINEAR))
    out = vision.Resize((5, 7))(image)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)


def test_resize_int_sets_the_shorter_side_and_keeps_the_aspect_ratio():
    assert vision.Resize(20)(rgb(30, 45)).shape == (20, 30, 3)
    assert vision.Resize(20)(rgb(45, 30)).shape == (30, 20, 3)
    assert vision.Resize(5)(rgb(7, 10)).shape == (5, 7, 3)  # 10 * 5 / 7 = 7.14, rounded down
    assert vision.Resize(8)(np.zeros((4, 4), np.uint8)).shape == (8, 8)


def test_resize_grayscale_and_pil_input():
    gray = rgb(12, 9)[..., 0]
    expected = np.array(Image.fromarray(gray).resize((3, 4), Image.Resampling.BICUBIC))
    np.testing.assert_array_equal(vision.Resize((4, 3), Inter.BICUBIC)(gray), expected)
    image = rgb(12, 9)
    np.testing.assert_array_equal(
        vision.Resize((4, 3))(Image.fromarray(image)), vision.Resize((4, 3))(image)
    )


def test_resize_bad_arguments():
    with pytest.raises(MindValueError, match=r"For 'Resize', 'size' must be an int > 0 or"):
        vision.Resize(0)
    with pytest.raises(MindValueError, match=r"got \(3, 4, 5\)"):
        vision.Resize((3, 4, 5))
    with pytest.raises(MindValueError, match=r"'interpolation' must be one of Inter.NEAREST"):
        vision.Resize(4, "bilinear")


def test_image_ops_reject_bad_inputs_naming_what_they_got():
    with pytest.raises(MindValueError, match=r"For 'Resize', the image must be 2-D or 3-D"):
        vision.Resize(4)(np.zeros((1, 2, 3, 4)))
    with pytest.raises(
        MindTypeError, match=r"For 'Resize', the image must be a numpy.ndarray.*got list"
    ):
        vision.Resize(4)([[1, 2]])
    with pytest.raises(MindTypeError, match=r"numeric dtype .* got <U1"):
        vision.CenterCrop(1)(np.array([["a"]]))
    with pytest.raises(MindValueError, match=r"the image is empty, got shape \(0, 3\)"):
        vision.Pad(1)(np.zeros((0, 3)))


# ------------------------------------------------------------------------------------------------
# Crops
# ------------------------------------------------------------------------------------------------


def test_center_crop_matches_slicing_and_pads_with_zeros_when_larger():
    image = rgb(10, 11)
    np.testing.assert_array_equal(vision.CenterCrop((4, 5))(image), image[3:7, 3:8])
    np.testing.assert_array_equal(vision.CenterCrop(3)(image), image[3:6, 4:7])
    small = np.arange(1, 7, dtype=np.uint8).reshape(2, 3)
    expected = np.zeros((5, 4), np.uint8)
    expected[2:4, 1:4] = small  # odd row and column of padding on the top and left
    np.testing.assert_array_equal(vision.CenterCrop((5, 4))(small), expected)


def test_random_crop_draws_top_then_left_from_the_row_generator():
    image = rgb(20, 30)
    op = vision.RandomCrop((8, 10))
    with row_rng(row_generator(7, 0, 3)):
        out = op(image)
    reference = row_generator(7, 0, 3)
    top, left = reference.integers(0, 13), reference.integers(0, 21)
    np.testing.assert_array_equal(out, image[top : top + 8, left : left + 10])


def test_random_crop_padding_forms_and_fill():
    image = rgb(6, 5)
    expected_pad = np.pad(image, ((2, 4), (1, 3), (0, 0)), constant_values=9)
    op = vision.RandomCrop((12, 9), padding=(1, 2, 3, 4), fill_value=9)  # left, top, right, bottom
    np.testing.assert_array_equal(op(image), expected_pad)  # the only 12x9 window
    op = vision.RandomCrop((10, 9), padding=(2, 2))  # left/right 2, top/bottom 2
    np.testing.assert_array_equal(op(image), np.pad(image, ((2, 2), (2, 2), (0, 0))))
    op = vision.RandomCrop((10, 9), padding=2, fill_value=(1, 2, 3))
    out = op(image)
    np.testing.assert_array_equal(out[0, 0], [1, 2, 3])
    np.testing.assert_array_equal(out[2:8, 2:7], image)
    op = vision.RandomCrop((8, 7), padding=1, padding_mode=Border.REFLECT)
    np.testing.assert_array_equal(op(image), np.pad(image, ((1, 1), (1, 1), (0, 0)), "reflect"))


def test_random_crop_pad_if_needed_and_too_small_image():
    image = rgb(4, 6)
    with row_rng(row_generator(2, 0, 5)):
        out = vision.RandomCrop((8, 6), pad_if_needed=True)(image)
    # Short by 4 rows: 4 are added on the top and 4 on the bottom, as MindSpore (and torchvision).
    padded = np.pad(image, ((4, 4), (0, 0), (0, 0)))
    reference = row_generator(2, 0, 5)
    top, left = reference.integers(0, 5), reference.integers(0, 1)
    assert left == 0
    np.testing.assert_array_equal(out, padded[top : top + 8])
    with pytest.raises(
        MindValueError, match=r"crop size \(8, 6\) is larger than the \(padded\) image \(4, 6\)"
    ):
        vision.RandomCrop((8, 6))(image)


def test_random_crop_applies_one_window_to_image_and_mask():
    image = coordinates(16, 16)
    mask = np.arange(256, dtype=np.int32).reshape(16, 16)
    with row_rng(row_generator(1, 0, 0)):
        out_image, out_mask = vision.RandomCrop(5)(image, mask)
    top, left = out_image[0, 0, :2].astype(int)
    np.testing.assert_array_equal(out_mask, mask[top : top + 5, left : left + 5])
    with pytest.raises(MindValueError, match=r"same height and width"):
        vision.RandomCrop(5)(image, mask[:10])


def test_random_resized_crop_output_size_and_crop_inside_the_image():
    h, w = 40, 60
    image = coordinates(h, w)
    op = vision.RandomResizedCrop((24, 32), interpolation=Inter.NEAREST)
    boxes = set()
    for index in range(50):
        with row_rng(row_generator(3, 0, index)):
            out = op(image)
        assert out.shape == (24, 32, 3)
        rows, cols = out[..., 0], out[..., 1]
        assert rows.min() >= 0 and rows.max() <= h - 1 and cols.min() >= 0 and cols.max() <= w - 1
        # NEAREST copies pixels: each output row comes from one source row, each column from one.
        assert (rows == rows[:, :1]).all() and (cols == cols[:1, :]).all()
        assert (np.diff(rows[:, 0]) >= 0).all() and (np.diff(cols[0]) >= 0).all()
        boxes.add((rows.min(), cols.min(), rows.max(), cols.max()))
    assert len(boxes) > 40  # the crops vary from row to row


def test_random_resized_crop_falls_back_to_a_center_crop_of_clamped_ratio():
    image = coordinates(20, 40)
    # An area of 0 never fits, so after max_attempts the center square (ratio clamped to 1) is used.
    op = vision.RandomResizedCrop(
        20, scale=(0.0, 0.0), ratio=(1.0, 1.0), interpolation=Inter.NEAREST
    )
    np.testing.assert_array_equal(op(image), image[:, 10:30])


def test_random_resized_crop_bad_arguments():
    with pytest.raises(MindValueError, match=r"'scale' must be a sequence \(min, max\).*min >= 0"):
        vision.RandomResizedCrop(8, scale=(0.5, 0.1))
    with pytest.raises(MindValueError, match=r"'ratio' .*min > 0, got \(0, 1\)"):
        vision.RandomResizedCrop(8, ratio=(0, 1))
    with pytest.raises(MindValueError, match=r"'max_attempts' must be an int >= 1, got 0"):
        vision.RandomResizedCrop(8, max_attempts=0)


# ------------------------------------------------------------------------------------------------
# Flips
# ------------------------------------------------------------------------------------------------


def test_flips_with_prob_one_and_zero():
    image = rgb(5, 6)
    np.testing.assert_array_equal(vision.RandomHorizontalFlip(1.0)(image), image[:, ::-1])
    np.testing.assert_array_equal(vision.RandomVerticalFlip(1.0)(image), image[::-1])
    np.testing.assert_array_equal(vision.RandomHorizontalFlip(0.0)(image), image)
    np.testing.assert_array_equal(vision.RandomVerticalFlip(prob=0.0)(image), image)


def test_flip_probability_is_about_one_half_over_many_rows():
    image = np.array([[0, 1]], np.uint8)
    for op in (vision.RandomHorizontalFlip(), vision.RandomVerticalFlip()):
        flips = 0
        for index in range(2000):
            with row_rng(row_generator(11, 0, index)):
                out = op(image.T if isinstance(op, vision.RandomVerticalFlip) else image)
            flips += int(out.ravel()[0] == 1)
        assert 0.45 < flips / 2000 < 0.55  # 4.5 standard deviations either side


def test_flip_applies_one_draw_to_every_column():
    image = rgb(4, 4)
    for index in range(10):
        with row_rng(row_generator(0, 0, index)):
            a, b = vision.RandomHorizontalFlip()(image, image.copy())
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------------------------------------
# Rotation
# ------------------------------------------------------------------------------------------------


def test_random_rotation_matches_pillow_at_the_drawn_angle():
    image = rgb(15, 21)
    op = vision.RandomRotation(45, resample=Inter.BILINEAR, fill_value=(10, 20, 30))
    with row_rng(row_generator(7, 0, 3)):
        out = op(image)
    angle = row_generator(7, 0, 3).uniform(-45.0, 45.0)
    expected = np.array(
        Image.fromarray(image).rotate(
            angle, resample=Image.Resampling.BILINEAR, fillcolor=(10, 20, 30)
        )
    )
    np.testing.assert_array_equal(out, expected)


def test_random_rotation_expand_center_and_float_images():
    image = rgb(10, 16)
    out = vision.RandomRotation((30, 30), expand=True, fill_value=5)(image)
    expected = np.array(Image.fromarray(image).rotate(30, expand=True, fillcolor=(5, 5, 5)))
    np.testing.assert_array_equal(out, expected)

    out = vision.RandomRotation((-20, -20), center=(2, 3))(image)
    expected = np.array(Image.fromarray(image).rotate(-20, center=(2, 3)))
    np.testing.assert_array_equal(out, expected)

    floats = np.random.default_rng(2).random((9, 11, 3), dtype=np.float32)
    out = vision.RandomRotation((10, 10), resample=Inter.BICUBIC)(floats)
    expected = pil_per_channel_float(
        floats, lambda p: p.rotate(10, resample=Image.Resampling.BICUBIC)
    )
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)


def test_random_rotation_bad_arguments():
    with pytest.raises(MindValueError, match=r"'degrees' as a number must be >= 0, got -5"):
        vision.RandomRotation(-5)
    with pytest.raises(MindValueError, match=r"'degrees' must be a sequence \(min, max\)"):
        vision.RandomRotation((10, -10))
    with pytest.raises(
        MindValueError,
        match=r"'resample' must be one of Inter.NEAREST, Inter.BILINEAR, Inter.BICUBIC",
    ):
        vision.RandomRotation(10, resample=Inter.AREA)
    with pytest.raises(MindValueError, match=r"'fill_value' must be an int in \[0, 255\]"):
        vision.RandomRotation(10, fill_value=300)
    with pytest.raises(MindValueError, match=r"'center' must be None or a sequence \(x, y\)"):
        vision.RandomRotation(10, center=5)
    with pytest.raises(MindValueError, match=r"fill_value \(r, g, b\) needs a 3-channel"):
        vision.RandomRotation(10, fill_value=(1, 2, 3))(np.zeros((4, 4), np.uint8))


# ------------------------------------------------------------------------------------------------
# Randomness comes from the row's generator only
# ------------------------------------------------------------------------------------------------

RANDOM_OPS = [
    vision.RandomCrop(9, padding=2),
    vision.RandomResizedCrop(8),
    vision.RandomHorizontalFlip(),
    vision.RandomVerticalFlip(),
    vision.RandomRotation(90),
    transforms.RandomApply([lambda x: x[::-1].copy()]),
    transforms.RandomChoice([lambda x: x[::-1].copy(), lambda x: x[:, ::-1].copy(), lambda x: x]),
]


@pytest.mark.parametrize("op", RANDOM_OPS, ids=lambda op: type(op).__name__)
def test_random_ops_repeat_under_the_same_row_generator_and_ignore_global_state(op):
    image = rgb(16, 16)
    outputs = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        random.seed(global_seed)
        np_state, py_state = np.random.get_state()[1].copy(), random.getstate()
        with row_rng(row_generator(7, 0, 3)):
            outputs.append(op(image))
        # Neither global generator was touched.
        np.testing.assert_array_equal(np.random.get_state()[1], np_state)
        assert random.getstate() == py_state
    np.testing.assert_array_equal(outputs[0], outputs[1])
    others = []
    for index in range(20):
        with row_rng(row_generator(7, 0, index)):
            others.append(op(image))
    assert any(not np.array_equal(o, outputs[0]) for o in others)


def test_direct_calls_repeat_under_set_seed(seed_restored):
    op = transforms.Compose([vision.RandomResizedCrop(6), vision.RandomRotation(30)])
    image = rgb(12, 12)
    config.set_seed(5)
    first = [op(image) for _ in range(3)]
    config.set_seed(6)
    other = op(image)
    config.set_seed(5)
    again = [op(image) for _ in range(3)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(other, first[0])


# ------------------------------------------------------------------------------------------------
# Pad, Rescale, Normalize, HWC2CHW, ToTensor
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(Border))
def test_pad_matches_numpy_pad(mode):
    image = rgb(4, 5)
    out = vision.Pad((1, 2, 3, 0), padding_mode=mode)(image)  # left, top, right, bottom
    np.testing.assert_array_equal(out, np.pad(image, ((2, 0), (1, 3), (0, 0)), mode.value))


def test_pad_forms_fill_and_grayscale():
    gray = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(
        vision.Pad(1, fill_value=7)(gray), np.pad(gray, 1, constant_values=7)
    )
    np.testing.assert_array_equal(vision.Pad((2, 1))(gray), np.pad(gray, ((1, 1), (2, 2))))
    out = vision.Pad(1, fill_value=(1, 2, 3))(rgb(2, 2))
    np.testing.assert_array_equal(out[0, 0], [1, 2, 3])
    with pytest.raises(MindValueError, match=r"For 'Pad', 'padding' must be an int >= 0"):
        vision.Pad((1, 2, 3))
    with pytest.raises(MindValueError, match=r"'padding_mode' must be one of Border.CONSTANT"):
        vision.Pad(1, padding_mode="reflect")


def test_rescale_and_normalize():
    image = rgb(3, 4)
    out = vision.Rescale(1.0 / 255.0, -0.5)(image)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, image / 255.0 - 0.5, rtol=1e-6, atol=1e-6)

    mean, std = [120.0, 110.0, 100.0], [60.0, 50.0, 40.0]
    out = vision.Normalize(mean, std)(image)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, (image - np.array(mean)) / np.array(std), rtol=1e-6)
    chw = image.transpose(2, 0, 1)
    out = vision.Normalize(mean, std, is_hwc=False)(chw)
    np.testing.assert_allclose(
        out, (chw - np.array(mean)[:, None, None]) / np.array(std)[:, None, None], rtol=1e-6
    )
    gray = image[..., 0]
    np.testing.assert_allclose(
        vision.Normalize([100.0], [50.0])(gray), (gray - 100.0) / 50.0, rtol=1e-6
    )


def test_normalize_bad_arguments_and_channel_mismatch():
    with pytest.raises(
        MindValueError, match=r"'std' must be a non-empty list .* in \(0.0, 255.0\]"
    ):
        vision.Normalize([0.5], [0.0])
    with pytest.raises(
        MindValueError, match=r"'mean' and 'std' must have the same length, got 3 and 1"
    ):
        vision.Normalize([1, 2, 3], [1])
    with pytest.raises(MindValueError, match=r"has 4 channels"):
        vision.Normalize([1, 2, 3], [1, 2, 3])(np.zeros((2, 2, 4)))
    with pytest.raises(MindTypeError, match=r"'rescale' must be a number"):
        vision.Rescale("1/255", 0)


def test_hwc2chw_and_to_tensor():
    image = rgb(4, 5)
    out = vision.HWC2CHW()(image)
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, image.transpose(2, 0, 1))
    gray = image[..., 0]
    np.testing.assert_array_equal(vision.HWC2CHW()(gray), gray)
    with pytest.raises(
        MindValueError,
        match=r"For 'HWC2CHW', the image must be 2-D or 3-D \(H, W\[, C\]\), got shape \(5,\)",
    ):
        vision.HWC2CHW()(np.zeros(5))

    out = vision.ToTensor()(image)
    assert out.dtype == np.float32 and out.shape == (3, 4, 5)
    np.testing.assert_array_equal(
        out, image.transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    )
    assert vision.ToTensor()(gray).shape == (1, 4, 5)
    assert vision.ToTensor(ms.float16)(image).dtype == np.float16
    assert vision.ToTensor(np.float64)(image).dtype == np.float64
    with pytest.raises(MindTypeError, match=r"For 'ToTensor', 'output_type' must be a Mind dtype"):
        vision.ToTensor("pixels")


# ------------------------------------------------------------------------------------------------
# mind.data.transforms
# ------------------------------------------------------------------------------------------------


def test_compose_chains_transforms_callables_and_columns():
    op = transforms.Compose(
        [transforms.Duplicate(), lambda a, b: a + 2 * b, transforms.TypeCast(np.int8)]
    )
    out = op(np.array([1, 2]))
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [3, 6])
    swap = transforms.Compose([lambda a, b: (b, a)])
    assert swap(1, 2) == (2, 1)
    with pytest.raises(
        MindValueError, match=r"For 'Compose', 'transforms' must be a non-empty list"
    ):
        transforms.Compose([])
    with pytest.raises(
        MindTypeError, match=r"For 'Compose', transforms\[1\] must be callable .* got int 3"
    ):
        transforms.Compose([vision.HWC2CHW(), 3])


def test_type_cast_accepts_numpy_and_mind_dtypes():
    x = np.array([1.7, -2.2])
    assert transforms.TypeCast(np.int32)(x).dtype == np.int32
    np.testing.assert_array_equal(transforms.TypeCast(ms.int64)(x), [1, -2])
    assert transforms.TypeCast(ms.float16)(x).dtype == np.float16
    assert transforms.TypeCast(np.uint16)(x).dtype == np.uint16  # no Mind dtype, still a numpy one
    with pytest.raises(
        MindTypeError, match=r"For 'TypeCast', 'data_type' must be a dtype, got None"
    ):
        transforms.TypeCast(None)


_LONG = pytest.mark.skipif(not hasattr(np, "float128"), reason="numpy has no float128 here")


@pytest.mark.parametrize(
    "data_type",
    [pytest.param("float128", marks=_LONG), pytest.param(np.longdouble, marks=_LONG)]
    + [np.complex64, object],
)
def test_type_cast_refuses_dtypes_no_tensor_holds(data_type):
    # numpy knows these, so np.dtype() accepted them; a column cast to one cannot become a tensor.
    name = np.dtype(data_type).name
    with pytest.raises(
        MindTypeError,
        match=rf"For 'TypeCast', 'data_type' must be a bool, int, uint, float \(at most 64 bits\) "
        rf"or string type, but got {name}\.",
    ):
        transforms.TypeCast(data_type)
    assert transforms.TypeCast(ms.bfloat16)(np.array([1.5])).dtype.name == "bfloat16"
    assert transforms.TypeCast(np.str_)(np.array([1])).tolist() == ["1"]


def test_one_hot_matches_a_hand_written_encoding():
    labels = np.array([0, 3, 1], np.int32)
    expected = np.zeros((3, 4), np.int32)
    expected[np.arange(3), labels] = 1
    out = transforms.OneHot(4)(labels)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(transforms.OneHot(3)(2), [0, 0, 1])

    smooth = transforms.OneHot(4, smoothing_rate=0.2)(labels)
    assert smooth.dtype == np.float32
    np.testing.assert_allclose(smooth, expected * 0.8 + 0.2 / 4, rtol=1e-6)
    np.testing.assert_allclose(smooth.sum(axis=1), 1.0, rtol=1e-6)


def test_one_hot_errors():
    with pytest.raises(
        MindValueError, match=r"For 'OneHot', 'num_classes' must be an int >= 1, got 0"
    ):
        transforms.OneHot(0)
    with pytest.raises(
        MindValueError, match=r"'smoothing_rate' must be a number in \[0.0, 1.0\], got 1.5"
    ):
        transforms.OneHot(3, smoothing_rate=1.5)
    with pytest.raises(MindValueError, match=r"labels must be in \[0, 3\), got 5"):
        transforms.OneHot(3)(np.array([1, 5]))
    with pytest.raises(MindTypeError, match=r"integer dtype, got float64"):
        transforms.OneHot(3)(np.array([1.0]))
    with pytest.raises(MindValueError, match=r"scalar or 1-D \(n,\), got shape \(2, 2\)"):
        transforms.OneHot(3)(np.zeros((2, 2), np.int64))
    with pytest.raises(MindTypeError, match=r"expected 1 input column, got 2"):
        transforms.OneHot(3)(1, 2)


def test_fill_and_duplicate():
    out = transforms.Fill(2.7)(np.zeros((2, 3), np.int16))
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out, np.full((2, 3), 2, np.int16))
    np.testing.assert_array_equal(
        transforms.Fill("hello")(np.array(["a", "b"])), ["hello", "hello"]
    )
    with pytest.raises(MindTypeError, match=r"'fill_value' must be a number, bool, str or bytes"):
        transforms.Fill([1])
    with pytest.raises(MindTypeError, match=r"cannot fill an array of dtype int64 with 'x'"):
        transforms.Fill("x")(np.zeros(2, np.int64))

    x = np.array([1, 2])
    a, b = transforms.Duplicate()(x)
    b[0] = 9
    np.testing.assert_array_equal(a, [1, 2])


def test_random_apply_and_random_choice_frequencies():
    apply = transforms.RandomApply([lambda x: x + 1], prob=0.25)
    choice = transforms.RandomChoice([lambda x: x + 1, lambda x: x + 2, lambda x: x + 3])
    applied, chosen = 0, np.zeros(4, int)
    for index in range(1200):
        with row_rng(row_generator(4, 1, index)):
            applied += int(apply(np.array(0)))
            chosen[int(choice(np.array(0)))] += 1
    assert 0.2 < applied / 1200 < 0.3
    assert chosen[0] == 0 and (chosen[1:] > 340).all()
    np.testing.assert_array_equal(
        transforms.RandomApply([lambda x: x + 1], prob=0.0)(np.array(1)), 1
    )
    assert transforms.RandomApply([lambda a, b: (b, a)], prob=1.0)(1, 2) == (2, 1)
    with pytest.raises(
        MindValueError, match=r"For 'RandomApply', 'prob' must be a number in \[0.0, 1.0\], got 2"
    ):
        transforms.RandomApply([abs], prob=2)


def test_docstring_examples_run():
    for module in (vision, transforms):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__


def test_reprs_name_the_arguments():
    assert repr(vision.Resize(4)) == "Resize(size=4, interpolation=<Inter.BILINEAR: 2>)"
    assert repr(transforms.OneHot(3)) == "OneHot(num_classes=3, smoothing_rate=0.0)"
