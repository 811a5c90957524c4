"""Checkpoints: save_checkpoint / load_checkpoint / load_param_into_net (safetensors files)."""

import json
import os

import ml_dtypes
import numpy as np
import pytest
import safetensors
import safetensors.numpy
from safetensors import safe_open

import mind.core as ms
from mind.core import nn
from mind.core.errors import CheckpointError, MindTypeError


def make_net(seed, out=2):
    ms.set_seed(seed)
    return nn.SequentialCell(nn.Dense(4, 3), nn.ReLU(), nn.Dense(3, out))


def values(net):
    return {name: p.asnumpy().copy() for name, p in net.parameters_and_names()}


def train(net, opt, steps=2):
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)
    x = ms.Tensor(np.linspace(-1, 1, 20, dtype=np.float32).reshape(5, 4))
    y = ms.Tensor(np.ones((5, 2), np.float32))
    for _ in range(steps):
        step(x, y)


def header(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[:8], "little")
    return raw, n, json.loads(raw[8 : 8 + n])


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ------------------------------------------------------------------------------------------------
# Round trips
# ------------------------------------------------------------------------------------------------


def test_round_trip_into_a_fresh_net(tmp_path):
    net, other = make_net(1), make_net(2)
    assert not np.array_equal(values(net)["0.weight"], values(other)["0.weight"])
    ms.save_checkpoint(net, str(tmp_path / "model.ckpt"))

    loaded = ms.load_checkpoint(str(tmp_path / "model.ckpt"), net=other)

    assert list(loaded) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(isinstance(p, ms.Parameter) and p.name == k for k, p in loaded.items())
    for name, value in values(net).items():
        assert same_bits(values(other)[name], value)
    x = ms.Tensor(np.ones((2, 4), np.float32))
    np.testing.assert_array_equal(other(x).asnumpy(), net(x).asnumpy())


@pytest.mark.parametrize(
    "dtype, data",
    [
        ("float16", np.array([0.0, -0.0, 1e-7, 65504.0, np.inf, -np.inf, np.nan], np.float16)),
        ("float64", np.array([np.pi, -0.0, 5e-324, 1.7976931348623157e308, np.nan])),
        ("int32", np.array([[np.iinfo(np.int32).min, -1], [0, np.iinfo(np.int32).max]], np.int32)),
        ("bfloat16", np.array([0.0, -0.0, 1.0, 3.140625, -1e38, np.inf, np.nan])),
        ("int8", np.array([-128, 0, 127], np.int8)),
        ("uint8", np.array([0, 255], np.uint8)),
        ("int64", np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max])),
        ("bool", np.array([[True, False], [False, True]])),
        ("float32", np.float32(2.5)),  # 0-D
        ("float32", np.zeros((0, 3), np.float32)),  # empty
    ],
)
def test_dtypes_round_trip_bit_exactly(tmp_path, dtype, data):
    arr = np.asarray(data).astype(ml_dtypes.bfloat16 if dtype == "bfloat16" else dtype)
    tensor = ms.Tensor.from_numpy(arr)
    assert tensor.dtype.name == dtype
    ms.save_checkpoint({"t": tensor}, tmp_path / "d.ckpt")

    loaded = ms.load_checkpoint(tmp_path / "d.ckpt")["t"]

    assert loaded.dtype is tensor.dtype
    assert same_bits(loaded.asnumpy(), arr)


def test_bfloat16_is_stored_as_safetensors_bf16(tmp_path):
    arr = np.array([1.0, -2.5], ml_dtypes.bfloat16)
    ms.save_checkpoint({"w": ms.Tensor.from_numpy(arr)}, tmp_path / "b.ckpt")
    (name, view), *_ = safetensors.deserialize(open(tmp_path / "b.ckpt", "rb").read())
    assert (name, view["dtype"], view["shape"]) == ("w", "BF16", [2])
    assert bytes(view["data"]) == arr.tobytes()


def test_save_obj_forms(tmp_path):
    w = ms.Parameter(ms.Tensor(np.arange(6.0).reshape(2, 3), ms.float32), name="w")
    as_list = [{"name": "w", "data": w}, {"name": "b", "data": ms.Tensor([1, 2], ms.int32)}]
    ms.save_checkpoint(as_list, tmp_path / "list.ckpt")
    ms.save_checkpoint({"w": w, "b": np.array([1, 2], np.int32)}, tmp_path / "dict.ckpt")
    for name in ("list.ckpt", "dict.ckpt"):
        loaded = ms.load_checkpoint(tmp_path / name)
        assert same_bits(loaded["w"].asnumpy(), w.asnumpy())
        assert same_bits(loaded["b"].asnumpy(), np.array([1, 2], np.int32))
    with pytest.raises(MindTypeError, match="'save_obj'"):
        ms.save_checkpoint(42, tmp_path / "bad.ckpt")
    with pytest.raises(CheckpointError, match="used twice"):
        ms.save_checkpoint([{"name": "w", "data": w}] * 2, tmp_path / "bad.ckpt")
    assert not (tmp_path / "bad.ckpt").exists()


def test_suffix_is_appended_as_mindspore_does(tmp_path):
    net = make_net(0)
    ms.save_checkpoint(net, str(tmp_path / "a"))
    ms.save_checkpoint(net, tmp_path / "b.safetensors")
    ms.save_checkpoint(net, tmp_path / "c", format="safetensors")
    assert sorted(os.listdir(tmp_path)) == ["a.ckpt", "b.safetensors", "c.safetensors"]
    with pytest.raises(CheckpointError, match=r"did you mean '.*a\.ckpt'"):
        ms.load_checkpoint(str(tmp_path / "a"))


def test_append_dict_metadata_round_trip(tmp_path):
    extra = {
        "epoch_num": 7,
        "lr": 0.125,
        "note": "warm restart",
        "done": False,
        "nothing": None,
        "history": [1.5, 2.5],
        "config": {"layers": 2, "act": "relu"},
        "np_scalar": np.float32(0.5),
        "ema": ms.Tensor(np.array([1.0, 2.0], np.float32)),
        "mask": np.array([True, False]),
    }
    ms.save_checkpoint(make_net(0), tmp_path / "m.ckpt", append_dict=extra)

    loaded = ms.load_checkpoint(tmp_path / "m.ckpt")

    for key in ("epoch_num", "lr", "note", "done", "nothing", "history", "config"):
        assert loaded[key] == extra[key] and type(loaded[key]) is type(extra[key])
    assert loaded["np_scalar"] == 0.5
    assert same_bits(loaded["ema"].asnumpy(), extra["ema"].asnumpy())
    assert same_bits(loaded["mask"].asnumpy(), extra["mask"])
    # The metadata itself is JSON under the user's key, readable without Mind.
    with safe_open(tmp_path / "m.ckpt", framework="np") as f:
        meta = f.metadata()
    assert meta["format"] == "mind.checkpoint" and meta["format_version"] == "1"
    assert json.loads(meta["note"]) == "warm restart" and json.loads(meta["epoch_num"]) == 7
    records = json.loads(meta["mind.tensors"])
    assert records["0.weight"]["dtype"] == "float32" and records["0.weight"]["shape"] == [3, 4]
    assert len(records["0.weight"]["sha256"]) == 64


@pytest.mark.parametrize("key", ["format", "mind.tensors", "0.weight"])
def test_append_dict_keys_that_clash_are_refused(tmp_path, key):
    with pytest.raises(CheckpointError, match=repr(key)):
        ms.save_checkpoint(make_net(0), tmp_path / "m.ckpt", append_dict={key: 1})
    assert not (tmp_path / "m.ckpt").exists()


def test_append_dict_values_must_be_json(tmp_path):
    with pytest.raises(MindTypeError, match="'bad'"):
        ms.save_checkpoint(make_net(0), tmp_path / "m.ckpt", append_dict={"bad": object()})


def test_optimizer_state_round_trip(tmp_path):
    net = make_net(1)
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    train(net, opt)
    saved = opt.state_dict()
    assert int(saved["global_step"]) == 2 and np.abs(saved["moments.0.weight"]).sum() > 0
    ms.save_checkpoint(net, tmp_path / "s.ckpt", optimizer=opt)

    net2 = make_net(2)
    opt2 = nn.Momentum(net2.trainable_params(), learning_rate=0.1, momentum=0.9)
    loaded = ms.load_checkpoint(tmp_path / "s.ckpt", net=net2, optimizer=opt2)

    assert "optimizer.moments.0.weight" in loaded
    restored = opt2.state_dict()
    assert restored.keys() == saved.keys()
    for key in saved:
        assert same_bits(restored[key], saved[key]), key
    # Training on from both gives the same parameters: the state really was restored.
    train(net, opt, steps=1)
    train(net2, opt2, steps=1)
    for name, value in values(net).items():
        np.testing.assert_array_equal(values(net2)[name], value)


def test_training_wrapper_checkpoint_resumes_into_the_bare_net(tmp_path):
    # What ModelCheckpoint writes: the TrainOneStepCell's parameters (prefixed names) and the
    # optimizer state keyed by those names. It resumes into a bare net and a new optimizer.
    net = make_net(1)
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    train_net = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt)
    train(net, opt)
    ms.save_checkpoint(train_net, tmp_path / "t.ckpt", optimizer=opt)
    saved = {k.replace("network._backbone.", ""): v for k, v in opt.state_dict().items()}
    assert "moments.0.weight" in saved

    net2 = make_net(2)
    opt2 = nn.Momentum(net2.trainable_params(), learning_rate=0.1, momentum=0.9)
    ms.load_checkpoint(tmp_path / "t.ckpt", net=net2, optimizer=opt2)

    restored = opt2.state_dict()
    assert restored.keys() == saved.keys()
    for key in saved:
        assert same_bits(restored[key], saved[key]), key
    for name, value in values(net).items():
        assert same_bits(values(net2)[name.replace("network._backbone.", "")], value)


def test_optimizer_state_must_exist_and_match(tmp_path):
    net = make_net(1)
    ms.save_checkpoint(net, tmp_path / "plain.ckpt")
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    with pytest.raises(CheckpointError, match=r"plain\.ckpt.*no optimizer state"):
        ms.load_checkpoint(tmp_path / "plain.ckpt", optimizer=opt)

    adam = nn.Adam(net.trainable_params(), learning_rate=0.1)
    train(net, adam)
    ms.save_checkpoint(net, tmp_path / "adam.ckpt", optimizer=adam)
    with pytest.raises(CheckpointError, match=r"Adam state.*Momentum"):
        ms.load_checkpoint(tmp_path / "adam.ckpt", optimizer=opt)

    small = make_net(3, out=5)
    opt_small = nn.Adam(small.trainable_params(), learning_rate=0.1)
    before = values(small)
    with pytest.raises(CheckpointError, match=r"adam\.ckpt"):
        ms.load_checkpoint(tmp_path / "adam.ckpt", net=small, optimizer=opt_small)
    for name, value in before.items():  # refused: nothing was written into the net
        assert same_bits(values(small)[name], value)


# ------------------------------------------------------------------------------------------------
# Atomic writes
# ------------------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "model.ckpt"
    ms.save_checkpoint(make_net(1), target)
    before = target.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(CheckpointError, match=r"model\.ckpt.*No space left"):
        ms.save_checkpoint(make_net(2), target)
    monkeypatch.undo()

    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.ckpt"]


def test_an_interrupted_write_leaves_no_temporary(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ms.save_checkpoint(make_net(1), tmp_path / "model.ckpt")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------------------------
# Refusing damaged files
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def ckpt(tmp_path):
    path = tmp_path / "net.ckpt"
    ms.save_checkpoint(make_net(1), path)
    return path


@pytest.mark.parametrize("keep", [0, 5, 8, 100, -1])
def test_truncated_file_is_refused(ckpt, keep):
    raw = ckpt.read_bytes()
    ckpt.write_bytes(raw[: keep if keep >= 0 else len(raw) + keep])
    with pytest.raises(CheckpointError, match=r"net\.ckpt.*truncated"):
        ms.load_checkpoint(ckpt)


def test_flipped_payload_byte_is_refused_naming_the_tensor(ckpt):
    raw, n, head = header(ckpt)
    start = 8 + n + head["2.weight"]["data_offsets"][0]
    damaged = bytearray(raw)
    damaged[start + 5] ^= 0x01
    ckpt.write_bytes(bytes(damaged))
    with pytest.raises(CheckpointError, match=r"net\.ckpt', tensor '2\.weight'.*SHA-256"):
        ms.load_checkpoint(ckpt)


@pytest.mark.parametrize(
    "content",
    [
        b"\x20\x00\x00\x00\x00\x00\x00\x00" + b"this is not json, just garbage!!",
        b"\xff" * 8 + b"{}",
        os.urandom(64),
        b"",
    ],
    ids=["garbage-json", "huge-length", "random", "empty"],
)
def test_garbage_is_refused(tmp_path, content):
    path = tmp_path / "junk.ckpt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=r"junk\.ckpt"):
        ms.load_checkpoint(path)


def rewrite_header(path, change):
    raw, n, head = header(path)
    change(head)
    text = json.dumps(head).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + n :])


def test_tampered_header_is_refused(ckpt):
    # Same size, so safetensors itself accepts it; the shape recorded in mind.tensors does not.
    rewrite_header(ckpt, lambda head: head["0.weight"].update(shape=[4, 3]))
    with pytest.raises(CheckpointError, match=r"net\.ckpt', tensor '0\.weight'.*shape"):
        ms.load_checkpoint(ckpt)


def test_newer_format_version_is_refused(ckpt):
    rewrite_header(ckpt, lambda head: head["__metadata__"].update(format_version="2"))
    with pytest.raises(CheckpointError, match=r"net\.ckpt'.*version 2 by a newer Mind"):
        ms.load_checkpoint(ckpt)


def test_foreign_safetensors_file_is_refused(tmp_path):
    path = tmp_path / "other.safetensors"
    safetensors.numpy.save_file({"w": np.zeros(3, np.float32)}, str(path))
    with pytest.raises(CheckpointError, match=r"other\.safetensors.*not a Mind checkpoint"):
        ms.load_checkpoint(path)


def test_missing_file_and_directory_are_refused(tmp_path):
    with pytest.raises(CheckpointError, match=r"nope\.ckpt'.*no such file"):
        ms.load_checkpoint(tmp_path / "nope.ckpt")
    with pytest.raises(CheckpointError, match="is a directory"):
        ms.load_checkpoint(tmp_path)


def test_wrong_shape_is_refused_naming_file_parameter_and_shapes(ckpt):
    other = make_net(2, out=5)
    before = values(other)
    pattern = (
        r"'2\.weight' has shape \(2, 3\) in the checkpoint '.*net\.ckpt' but \(5, 3\) in the net"
    )
    with pytest.raises(CheckpointError, match=pattern):
        ms.load_checkpoint(ckpt, net=other)
    for name, value in before.items():  # "0.weight" fits but was not written either
        assert same_bits(values(other)[name], value)
    with pytest.raises(CheckpointError, match=r"'2\.weight' has shape \(2, 3\).*\(5, 3\)"):
        ms.load_param_into_net(other, ms.load_checkpoint(ckpt))


def test_encryption_is_refused(tmp_path):
    with pytest.raises(CheckpointError, match="enc_key"):
        ms.save_checkpoint(make_net(0), tmp_path / "e.ckpt", enc_key=b"0" * 16)
    assert not (tmp_path / "e.ckpt").exists()


# ------------------------------------------------------------------------------------------------
# load_param_into_net
# ------------------------------------------------------------------------------------------------


def test_load_param_into_net_returns_what_was_not_loaded():
    net = make_net(1)
    source = make_net(2)
    params = {"0.weight": source[0].weight, "2.bias": source[2].bias, "extra": ms.Tensor([1.0])}
    params["note"] = "metadata is never loaded"

    param_not_load, ckpt_not_load = ms.load_param_into_net(net, params)

    assert param_not_load == ["0.bias", "2.weight"]
    assert ckpt_not_load == ["extra", "note"]
    assert same_bits(net[0].weight.asnumpy(), source[0].weight.asnumpy())
    assert not np.array_equal(net[0].bias.asnumpy(), source[0].bias.asnumpy())


def test_strict_load_and_dtypes():
    net = make_net(1)
    weight64 = np.arange(12.0).reshape(3, 4)
    loose = {"0.weight": ms.Tensor(weight64, ms.float64)}

    with pytest.raises(CheckpointError, match=r"'0\.weight' is float64.*float32.*strict_load"):
        ms.load_param_into_net(net, loose, strict_load=True)
    ms.load_param_into_net(net, loose)  # strict_load=False casts float64 -> float32
    assert net[0].weight.dtype is ms.float32
    np.testing.assert_array_equal(net[0].weight.asnumpy(), weight64.astype(np.float32))

    as_int = {"0.weight": ms.Tensor(weight64.astype(np.int32))}
    with pytest.raises(CheckpointError, match=r"int32 in the checkpoint but float32"):
        ms.load_param_into_net(net, as_int)


def test_strict_load_and_prefixed_names(tmp_path):
    # The training wrappers add no name level (auto_prefix=False), as in MindSpore ...
    net = make_net(1)
    train_net = nn.TrainOneStepCell(
        nn.WithLossCell(net, nn.MSELoss()), nn.Momentum(net.trainable_params(), 0.1, 0.9)
    )
    ms.save_checkpoint(train_net, tmp_path / "t.ckpt")
    assert list(ms.load_checkpoint(tmp_path / "t.ckpt")) == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    # ... but a checkpoint written by a prefixing wrapper still loads non-strictly.
    ms.save_checkpoint(
        {f"network._backbone.{name}": p for name, p in net.parameters_and_names()},
        tmp_path / "p.ckpt",
    )
    saved = ms.load_checkpoint(tmp_path / "p.ckpt")
    assert "network._backbone.0.weight" in saved

    strict = make_net(2)
    param_not_load, ckpt_not_load = ms.load_param_into_net(strict, saved, strict_load=True)
    assert param_not_load == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(ckpt_not_load) == 4

    loose = make_net(2)
    assert ms.load_param_into_net(loose, saved) == ([], [])
    for name, value in values(net).items():
        assert same_bits(values(loose)[name], value)


def test_filters(ckpt):
    assert list(ms.load_checkpoint(ckpt, filter_prefix="0.")) == ["2.weight", "2.bias"]
    assert list(ms.load_checkpoint(ckpt, filter_prefix=["0.", "2.b"])) == ["2.weight"]
    assert list(ms.load_checkpoint(ckpt, specify_prefix="0.")) == ["0.weight", "0.bias"]
    chosen = ms.load_checkpoint(ckpt, choice_func=lambda name: name.endswith("bias"))
    assert list(chosen) == ["0.bias", "2.bias"]
    with pytest.raises(MindTypeError, match="filter_prefix"):
        ms.load_checkpoint(ckpt, filter_prefix="")


def test_independent_reader_reads_the_file(tmp_path):
    net = make_net(1)
    ms.save_checkpoint(net, tmp_path / "x.ckpt", append_dict={"step": np.arange(3, dtype=np.int64)})
    arrays = safetensors.numpy.load_file(str(tmp_path / "x.ckpt"))
    assert sorted(arrays) == ["0.bias", "0.weight", "2.bias", "2.weight", "step"]
    for name, value in values(net).items():
        assert same_bits(arrays[name], value)


def test_unsigned_dtypes_round_trip(tmp_path):
    params = {
        f"p{dt}": ms.Parameter(ms.Tensor(np.arange(4, dtype=dt) * 3), name=f"p{dt}")
        for dt in ("uint16", "uint32", "uint64")
    }
    ms.save_checkpoint(params, str(tmp_path / "u.ckpt"))
    loaded = ms.load_checkpoint(str(tmp_path / "u.ckpt"))
    for name, p in params.items():
        assert loaded[name].asnumpy().dtype == p.asnumpy().dtype
        np.testing.assert_array_equal(loaded[name].asnumpy(), p.asnumpy())
