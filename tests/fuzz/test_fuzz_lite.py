"""Fuzz mind-lite's ``.ms`` loader and runtime with mutated model files (issue 15).

One small converted model (a convolution with bias and ReLU, pooling, a reshape, a dense layer,
a transpose). Each mutated file is read, planned and run on a fixed input: the outcome must be a
refusal (``MindLiteError``: ``LiteFormatError`` on load, ``LiteRuntimeError`` from a kernel given
values no valid model holds) or a model that runs. Two kinds of input:

- ``bytes``: byte mutations anywhere. The header's SHA-256 refuses every header change; the
  weights are not digested (a model loads in the time it takes to map it, as MindSpore Lite's),
  so a changed weight byte loads and computes other numbers: those loads count as ``silent``
  and are allowed, the rest must be refusals.
- ``resigned``: header edits (shapes, offsets, dtypes, op names, attributes, value names) with
  the digest recomputed, so only the loader's validation and the runtime's checks stand between
  the file and the kernels.
"""

import json
import struct

import numpy as np
import pytest

import mind.core as ms
import mind.lite as mslite
from mind.core import nn
from mind.core.testing import fuzz
from mind.lite._src import format as lite_format
from mind.lite.errors import MindLiteError

BAD = [
    None,
    True,
    -1,
    0,
    2,
    3,
    2**40,
    1.5,
    "x",
    "float64",
    [],
    [1],
    [0, 0],
    [2**40, 1],
    {"tuple": []},
    {"tuple": [-5, 3]},
    {"slice": [0, 1, 0]},
    {"ellipsis": 0},
    {"array": [1, 2], "dtype": "int64"},
]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lite-fuzz")
    ms.set_seed(0)
    net = nn.SequentialCell(
        nn.Conv2d(2, 3, 3, pad_mode="pad", padding=1, has_bias=True),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Dense(3 * 3 * 3, 4),
    )
    net.set_train(False)
    path = str(folder / "m")
    ms.export(
        net, ms.Tensor(np.zeros((1, 2, 6, 6), np.float32)), file_name=path, file_format="MINDIR"
    )
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, path + ".mindir", path)
    return out


def _header(data: bytes):
    hlen = struct.unpack_from("<Q", data, 16)[0]
    return json.loads(data[24 : 24 + hlen]), lite_format._align(24 + hlen)


def _join(header: dict, data: bytes, old_start: int) -> bytes:
    header["sha256"] = lite_format._digest(header)
    blob = json.dumps(header, separators=(",", ":")).encode()
    start = lite_format._align(24 + len(blob))
    return (
        data[:16]
        + struct.pack("<Q", len(blob))
        + blob
        + b"\0" * (start - 24 - len(blob))
        + data[old_start:]
    )


def resigned(data: bytes, rng: np.random.Generator) -> bytes:
    header, start = _header(data)
    kind = int(rng.integers(0, 6))
    pick = lambda seq: seq[int(rng.integers(0, len(seq)))]  # noqa: E731
    if kind == 0 and header["tensors"]:
        entry = pick(header["tensors"])
        field = pick(["shape", "offset", "nbytes", "dtype", "name"])
        entry[field] = pick(BAD)
    elif kind == 1 and header["nodes"]:
        node = pick(header["nodes"])
        if node["attrs"]:
            node["attrs"][pick(sorted(node["attrs"]))] = pick(BAD)
    elif kind == 2 and header["nodes"]:
        node = pick(header["nodes"])
        node["op"] = pick(
            [
                "relu",
                "conv2d",
                "reshape",
                "matmul",
                "getitem",
                "concat",
                "pad",
                "tile",
                "gather",
                "softmax",
            ]
        )
    elif kind == 3 and header["nodes"]:
        node = pick(header["nodes"])
        names = (
            [t["name"] for t in header["tensors"]]
            + [n["outputs"][0] for n in header["nodes"]]
            + ["arg0"]
        )
        node["inputs"] = [pick(names) for _ in range(int(rng.integers(0, 4)))]
    elif kind == 4:
        entry = pick(header["inputs"] + header["outputs"])
        entry[pick(["shape", "dtype", "name"])] = pick(BAD + [[1, 2, 6, 6], [2, 2, 6, 6]])
    else:
        header["data_size"] = pick(BAD)
    return _join(header, data, start)


def _loader(path, tmp_path, monkeypatch):
    monkeypatch.setenv(
        "MIND_LITE_BACKEND", "numpy"
    )  # the C backend's plans are fuzzed with the graph's checks
    target = tmp_path / "fuzzed.ms"
    x = np.random.default_rng(0).random((1, 2, 6, 6), np.float32)
    model = mslite.Model()
    model.build_from_file(path, mslite.ModelType.MINDIR_LITE)
    want = model.run([x])[0]

    def load(data: bytes):
        target.write_bytes(data)
        m = mslite.Model()
        m.build_from_file(str(target), mslite.ModelType.MINDIR_LITE)
        inputs = m.get_inputs()
        inputs[0].set_data_from_numpy(x)
        return m.predict(inputs)[0].get_data_to_numpy()

    return load, lambda got: got.shape == want.shape and np.array_equal(got, want)


def test_fuzz_byte_mutations(model_file, tmp_path, monkeypatch):
    load, equal = _loader(model_file, tmp_path, monkeypatch)
    original = open(model_file, "rb").read()
    report = fuzz.fuzz_loader(
        "lite bytes", original, load, equal, (MindLiteError,), n=fuzz.budget(1000)
    )
    print(report.summary())
    report.check(
        allow_silent=True
    )  # a changed weight byte computes other numbers (module docstring)
    assert report.counts["refused"] > 0.5 * sum(report.counts.values()), report.summary()


def test_fuzz_resigned_header_edits(model_file, tmp_path, monkeypatch):
    load, equal = _loader(model_file, tmp_path, monkeypatch)
    original = open(model_file, "rb").read()
    report = fuzz.fuzz_loader(
        "lite resigned",
        original,
        load,
        equal,
        (MindLiteError,),
        n=fuzz.budget(1000),
        seed=1,
        mutators=[resigned],
    )
    print(report.summary())
    report.check(allow_silent=True)  # an edited attribute may still describe a valid model
    assert report.counts["refused"] > 0.5 * sum(report.counts.values()), report.summary()
