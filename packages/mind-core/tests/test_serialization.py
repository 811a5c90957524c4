"""Checkpoints: save_checkpoint / load_checkpoint / load_param_into_net (safetensors files)."""

import hashlib
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
    assert meta["format"] == "mind.checkpoint" and meta["format_version"] == "2"
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


def header_digest(head):
    """The documented 'mind.digest': SHA-256 of the canonical header without it."""
    meta = {k: v for k, v in head["__metadata__"].items() if k != "mind.digest"}
    canonical = json.dumps(
        {**head, "__metadata__": meta}, sort_keys=True, separators=(",", ":"), ensure_ascii=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def resign_header(path, change):
    """Change the header and recompute its digest, as a writer would: what is left to refuse the
    file is the loader's validation of the content."""

    def changed(head):
        change(head)
        head["__metadata__"]["mind.digest"] = header_digest(head)

    rewrite_header(path, changed)


def test_tampered_header_is_refused(ckpt):
    # Same size, so safetensors itself accepts it; the header digest does not.
    rewrite_header(ckpt, lambda head: head["0.weight"].update(shape=[4, 3]))
    with pytest.raises(CheckpointError, match=r"net\.ckpt'.*header SHA-256"):
        ms.load_checkpoint(ckpt)
    # Re-signed, the header digest passes; the shape recorded in mind.tensors does not.
    resign_header(ckpt, lambda head: None)
    with pytest.raises(CheckpointError, match=r"net\.ckpt', tensor '0\.weight'.*shape"):
        ms.load_checkpoint(ckpt)


def test_newer_format_version_is_refused(ckpt):
    rewrite_header(ckpt, lambda head: head["__metadata__"].update(format_version="3"))
    with pytest.raises(CheckpointError, match=r"net\.ckpt'.*version 3 by a newer Mind"):
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


# ------------------------------------------------------------------------------------------------
# Hardening: one test per finding of the hostile probe (issue 10)
# ------------------------------------------------------------------------------------------------


def test_header_digest_is_documented_and_covers_the_whole_header(ckpt):
    _, _, head = header(ckpt)
    assert head["__metadata__"]["format_version"] == "2"
    assert head["__metadata__"]["mind.digest"] == header_digest(head)
    # JSON whitespace, key order and escapes are not content: still the same header, still loads.
    raw, n, _ = header(ckpt)
    spaced = json.dumps(dict(reversed(list(head.items()))), indent=2, ensure_ascii=True).encode()
    spaced += b" " * (-len(spaced) % 8)
    ckpt.write_bytes(len(spaced).to_bytes(8, "little") + spaced + raw[8 + n :])
    loaded = ms.load_checkpoint(ckpt)
    for name, value in values(make_net(1)).items():
        assert same_bits(loaded[name].asnumpy(), value)


def test_deeply_nested_metadata_is_refused_without_recursion(ckpt):
    deep = "[" * 100_000 + "]" * 100_000
    resign_header(ckpt, lambda head: head["__metadata__"].update(deep=deep))
    with pytest.raises(CheckpointError, match=r"net\.ckpt'.*'deep' nests 100000 levels deep"):
        ms.load_checkpoint(ckpt)
    # ... and in the safetensors header itself, where nothing nests deeper than 3.
    raw, n, _ = header(ckpt)
    text = b'{"a":' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    ckpt.write_bytes(len(text).to_bytes(8, "little") + text)
    with pytest.raises(CheckpointError, match=r"safetensors header nests 50001 levels"):
        ms.load_checkpoint(ckpt)


def test_append_dict_values_nesting_too_deep_are_refused_at_save(tmp_path):
    value = []
    for _ in range(70):
        value = [value]
    with pytest.raises(CheckpointError, match=r"'deep' nests deeper than 64"):
        ms.save_checkpoint(make_net(0), tmp_path / "m.ckpt", append_dict={"deep": value})
    assert not (tmp_path / "m.ckpt").exists()


@pytest.mark.parametrize("version", ["\u00b2", "\u0662", "1 ", "01", "", "0"])
def test_format_version_must_be_ascii_digits(ckpt, version):
    resign_header(ckpt, lambda head: head["__metadata__"].update(format_version=version))
    with pytest.raises(CheckpointError, match=r"net\.ckpt'.*'format_version'"):
        ms.load_checkpoint(ckpt)


@pytest.mark.parametrize("dtype", [["F32"], {"F32": 1}, 4, None, "F8_E4M3", "f32"])
def test_dtype_must_be_a_known_string(ckpt, dtype):
    resign_header(ckpt, lambda head: head["0.weight"].update(dtype=dtype))
    with pytest.raises(CheckpointError, match=r"tensor '0\.weight': header field 'dtype'"):
        ms.load_checkpoint(ckpt)


def test_mind_dtype_record_must_be_a_known_string(ckpt):
    def change(head):
        records = json.loads(head["__metadata__"]["mind.tensors"])
        records["0.bias"]["dtype"] = ["float32"]
        head["__metadata__"]["mind.tensors"] = json.dumps(records)

    resign_header(ckpt, change)
    with pytest.raises(CheckpointError, match=r"tensor '0\.bias': 'mind\.tensors' field 'dtype'"):
        ms.load_checkpoint(ckpt)


def zero_size_tensor(shape):
    """A checkpoint holding one empty tensor, re-signed with ``shape`` (still zero bytes)."""

    def change(head):
        head["e"]["shape"] = shape
        records = json.loads(head["__metadata__"]["mind.tensors"])
        records["e"]["shape"] = shape
        head["__metadata__"]["mind.tensors"] = json.dumps(records)

    return change


@pytest.mark.parametrize(
    "shape",
    [[2**63, 0], [0, 2**64 + 1], [2**40, 2**40, 0], [-1, 0], [0] * 65, [0, 1.0], [0, True], "0"],
    ids=["2**63", "2**64+1", "product-2**80", "negative", "65-dims", "float", "bool", "str"],
)
def test_shapes_are_bounded_and_integers(tmp_path, shape):
    path = tmp_path / "e.ckpt"
    ms.save_checkpoint({"e": np.zeros((0, 3), np.float32)}, path)
    resign_header(path, zero_size_tensor(shape))
    with pytest.raises(CheckpointError, match=r"e\.ckpt', tensor 'e': header field 'shape'"):
        ms.load_checkpoint(path)


def test_shape_and_offsets_must_agree_with_the_bytes(ckpt):
    # Consistent in both headers and re-signed, (3, 4) -> (3, 5) needs 4 more bytes than stored.
    def reshape(head):
        head["0.weight"]["shape"] = [3, 5]
        records = json.loads(head["__metadata__"]["mind.tensors"])
        records["0.weight"]["shape"] = [3, 5]
        head["__metadata__"]["mind.tensors"] = json.dumps(records)

    resign_header(ckpt, reshape)
    with pytest.raises(CheckpointError, match=r"'0\.weight'.*spans 48 bytes.*take 60"):
        ms.load_checkpoint(ckpt)


def test_byte_ranges_must_tile_the_data(ckpt):
    raw = ckpt.read_bytes()

    def overlap(head):
        # The second tensor in the data starts 4 bytes early, inside the first (48 bytes long).
        first, second = sorted(
            (k for k in head if k != "__metadata__"), key=lambda k: head[k]["data_offsets"]
        )[:2]
        assert head[first]["data_offsets"][1] - head[first]["data_offsets"][0] >= 4
        head[second]["data_offsets"] = [x - 4 for x in head[second]["data_offsets"]]

    resign_header(ckpt, overlap)
    with pytest.raises(CheckpointError, match=r"starts at \d+, expected \d+.*no gap or overlap"):
        ms.load_checkpoint(ckpt)
    ckpt.write_bytes(raw + b"\x00" * 8)  # trailing bytes that no tensor claims
    with pytest.raises(CheckpointError, match=r"byte ranges end at \d+ but the data is \d+"):
        ms.load_checkpoint(ckpt)


@pytest.mark.parametrize("where", ["tensor", "metadata key", "optimizer", "path"])
def test_nul_characters_are_refused_cleanly(tmp_path, where):
    path = tmp_path / "n.ckpt"
    net = make_net(1)
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    ms.save_checkpoint(net, path, optimizer=opt, append_dict={"epoch": 1})

    def rename_tensor(head):
        head["0.we\x00ight"] = head.pop("0.weight")
        records = json.loads(head["__metadata__"]["mind.tensors"])
        records = {k.replace("0.weight", "0.we\x00ight"): v for k, v in records.items()}
        head["__metadata__"]["mind.tensors"] = json.dumps(records)

    def rename_key(head):
        head["__metadata__"]["ep\x00och"] = head["__metadata__"].pop("epoch")

    def retype_optimizer(head):
        head["__metadata__"]["mind.optimizer"] = "Momen\x00tum"

    if where == "path":
        with pytest.raises(CheckpointError, match="NUL"):
            ms.load_checkpoint(str(path) + "\x00x")
        with pytest.raises(CheckpointError, match="NUL"):
            ms.save_checkpoint(net, str(tmp_path / "a\x00b.ckpt"))
        return
    change = {"tensor": rename_tensor, "metadata key": rename_key, "optimizer": retype_optimizer}
    resign_header(path, change[where])
    with pytest.raises(CheckpointError, match=r"n\.ckpt'.*(NUL|class name)"):
        ms.load_checkpoint(path, optimizer=opt)


def test_names_that_cannot_be_loaded_are_refused_at_save(tmp_path):
    for bad in ("a\x00b", "lone\ud800"):
        with pytest.raises(CheckpointError, match=r"was not written"):
            ms.save_checkpoint({bad: np.zeros(2, np.float32)}, tmp_path / "s.ckpt")
        with pytest.raises(CheckpointError, match=r"was not written"):
            ms.save_checkpoint(make_net(0), tmp_path / "s.ckpt", append_dict={bad: 1})
    assert not (tmp_path / "s.ckpt").exists()


def test_lone_surrogate_name_is_refused_at_load(ckpt):
    resign_header(ckpt, lambda head: head["__metadata__"].update({"k\ud800": "1"}))
    with pytest.raises(CheckpointError, match=r"net\.ckpt'.*surrogate"):
        ms.load_checkpoint(ckpt)


def test_a_header_byte_flip_that_drops_a_metadata_entry_is_refused(tmp_path):
    path = tmp_path / "m.ckpt"
    ms.save_checkpoint(make_net(1), path, append_dict={"epoch1": 1, "epoch2": 2})
    raw = path.read_bytes()
    assert raw.count(b'"epoch2"') == 1
    # "epoch2" -> "epoch1": one bit, and json.loads would keep one "epoch1" and drop the other.
    path.write_bytes(raw.replace(b'"epoch2"', b'"epoch1"'))
    with pytest.raises(CheckpointError, match=r"m\.ckpt'.*duplicate key 'epoch1'"):
        ms.load_checkpoint(path)


def test_append_dict_values_are_under_the_checksum(tmp_path):
    path = tmp_path / "m.ckpt"
    ms.save_checkpoint(make_net(1), path, append_dict={"epoch_num": 7, "note": "abc"})
    raw = path.read_bytes()
    for old, new in ((b'"epoch_num":"7"', b'"epoch_num":"8"'), (b'\\"abc\\"', b'\\"abd\\"')):
        assert raw.count(old) == 1
        path.write_bytes(raw.replace(old, new))
        with pytest.raises(CheckpointError, match=r"m\.ckpt'.*header SHA-256"):
            ms.load_checkpoint(path)


def consistent(change_entry, change_record):
    """Edit a tensor in both the safetensors header and mind.tensors, as a careful forger (or a
    fuzzer that understands the format) would, without recomputing the digest."""

    def change(head):
        records = json.loads(head["__metadata__"]["mind.tensors"])
        change_entry(head)
        change_record(records)
        head["__metadata__"]["mind.tensors"] = json.dumps(records)

    return change


def swap(mapping, a, b):
    mapping[a], mapping[b] = mapping[b], mapping[a]


@pytest.mark.parametrize("edit", ["swap-names", "retype", "reshape"])
def test_consistent_header_edits_are_refused(tmp_path, edit):
    path = tmp_path / "s.ckpt"
    net = make_net(1, out=3)  # both biases have shape (3,)
    ms.save_checkpoint(net, path)

    def retype(entry_or_record, value):
        entry_or_record["dtype"] = value

    edits = {
        "swap-names": consistent(
            lambda h: swap(h, "0.bias", "2.bias"), lambda r: swap(r, "0.bias", "2.bias")
        ),
        "retype": consistent(
            lambda h: retype(h["0.bias"], "I32"), lambda r: retype(r["0.bias"], "int32")
        ),
        "reshape": consistent(
            lambda h: h["0.weight"].update(shape=[4, 3]),
            lambda r: r["0.weight"].update(shape=[4, 3]),
        ),
    }
    rewrite_header(path, edits[edit])
    other = make_net(2, out=3)
    before = values(other)
    with pytest.raises(CheckpointError, match=r"s\.ckpt'.*header SHA-256"):
        ms.load_checkpoint(path, net=other)
    for name, value in before.items():
        assert same_bits(values(other)[name], value)


def test_format_version_1_files_still_load(tmp_path):
    # Written as Mind wrote checkpoints before the header digest (safetensors' own writer).
    net = make_net(1)
    arrays = {name: p.asnumpy() for name, p in net.parameters_and_names()}
    records = {
        name: {"dtype": "float32", "shape": list(a.shape), "sha256": hashlib.sha256(a).hexdigest()}
        for name, a in arrays.items()
    }
    meta = {
        "format": "mind.checkpoint",
        "format_version": "1",
        "mind.tensors": json.dumps(records),
        "epoch": "3",
    }
    path = tmp_path / "v1.ckpt"
    safetensors.numpy.save_file(arrays, str(path), metadata=meta)

    loaded = ms.load_checkpoint(path)

    assert loaded["epoch"] == 3
    for name, value in arrays.items():
        assert same_bits(loaded[name].asnumpy(), value)
    # A version-2 file passed off as version 1 (its digest then dropped) is still caught.
    rewrite_header(path, lambda head: head["__metadata__"].update({"mind.digest": "0" * 64}))
    with pytest.raises(CheckpointError, match=r"v1\.ckpt'.*format version 1.*'mind\.digest'"):
        ms.load_checkpoint(path)


def test_unknown_reserved_metadata_key_is_refused(ckpt):
    resign_header(ckpt, lambda head: head["__metadata__"].update({"mind.future": "{}"}))
    with pytest.raises(CheckpointError, match=r"'mind\.future', which is reserved"):
        ms.load_checkpoint(ckpt)


def test_huge_integers_in_metadata_are_refused_cleanly(ckpt):
    resign_header(ckpt, lambda head: head["__metadata__"].update(big="9" * 5000))
    with pytest.raises(CheckpointError, match=r"'big' is not valid JSON"):
        ms.load_checkpoint(ckpt)


# -- temporaries left by killed writers --


def stale_temporary(directory, name, content=b"half-written"):
    path = directory / f".{name}.{os.urandom(6).hex()}.tmp"
    path.write_bytes(content)
    return path


def test_temporaries_of_killed_writers_are_removed_by_the_next_write(tmp_path):
    import fcntl

    target = tmp_path / "model.ckpt"
    ms.save_checkpoint(make_net(1), target)
    stale = [stale_temporary(tmp_path, "model.ckpt") for _ in range(3)]
    # A live writer's temporary (its flock held) and other files' temporaries are left alone.
    live = stale_temporary(tmp_path, "model.ckpt")
    other = stale_temporary(tmp_path, "other.ckpt")
    unrelated = tmp_path / ".model.ckpt.notours.tmp"
    unrelated.write_bytes(b"x")
    fifo = tmp_path / f".model.ckpt.{'ab' * 6}.tmp"
    os.mkfifo(fifo)  # never opened for reading, so never waited on
    with open(live, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        ms.save_checkpoint(make_net(2), target)
    assert not any(p.exists() for p in stale)
    assert live.exists() and other.exists() and unrelated.exists() and fifo.exists()
    loaded = ms.load_checkpoint(target)
    assert same_bits(loaded["0.weight"].asnumpy(), values(make_net(2))["0.weight"])
    ms.save_checkpoint(make_net(2), target)  # the live writer has gone: its temporary too
    assert not live.exists()


def test_a_write_holds_the_lock_on_its_temporary_until_the_rename(tmp_path, monkeypatch):
    import fcntl

    from mind.core._base import atomic

    target = tmp_path / "model.ckpt"
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        # Another process's cleanup, run at the worst moment, must not take the temporary.
        fd = os.open(src, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        seen.append(os.path.basename(src))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    ms.save_checkpoint(make_net(1), target)
    monkeypatch.undo()
    assert len(seen) == 1 and atomic._temporary_pattern("model.ckpt").fullmatch(seen[0])
    assert os.listdir(tmp_path) == ["model.ckpt"]


def test_a_cleaner_that_takes_a_new_temporary_before_its_lock_is_survived(tmp_path, monkeypatch):
    # The race: writer B creates its temporary; before B locks it, writer A's cleanup takes the
    # lock (free: B has none yet) and removes it. B must notice and write under a new name.
    import fcntl as real_fcntl

    from mind.core._base import atomic

    target = tmp_path / "model.ckpt"
    raced = []

    class Racing:
        LOCK_EX, LOCK_NB = real_fcntl.LOCK_EX, real_fcntl.LOCK_NB

        @staticmethod
        def flock(fd, op):
            if op == real_fcntl.LOCK_EX and not raced:  # the writer's own, blocking lock
                raced.extend(atomic._remove_stale_temporaries(str(target)))
            return real_fcntl.flock(fd, op)

    monkeypatch.setattr(atomic, "fcntl", Racing)
    ms.save_checkpoint(make_net(1), target)
    monkeypatch.undo()
    assert len(raced) == 1  # the cleaner did remove the first temporary ...
    loaded = ms.load_checkpoint(target)  # ... and the write still went through, whole
    assert same_bits(loaded["0.weight"].asnumpy(), values(make_net(1))["0.weight"])
    assert os.listdir(tmp_path) == ["model.ckpt"]


def test_a_metadata_entry_named_like_a_parameter_is_the_files_fault(tmp_path):
    path = tmp_path / "m.ckpt"
    net = make_net(1)
    ms.save_checkpoint({"0.weight": net[0].weight}, path, append_dict={"0.bias": 1})
    with pytest.raises(CheckpointError, match=r"'0\.bias' of '.*m\.ckpt' matches parameter"):
        ms.load_checkpoint(path, net=make_net(2))
    with pytest.raises(MindTypeError, match=r"'0\.bias' matches parameter"):
        ms.load_param_into_net(make_net(2), ms.load_checkpoint(path))
