"""The .ms file: round trip, alignment, and every malformed file refused with a clear error."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import numpy as np
import pytest

from mind.lite._src import format as lite_format
from mind.lite._src.graph import LiteGraph, Node, QuantParam, ValueInfo
from mind.lite._src.kernels import KERNELS
from mind.lite.errors import LiteFormatError


def _graph() -> LiteGraph:
    rng = np.random.default_rng(0)
    return LiteGraph(
        inputs=[ValueInfo("x", "float32", (2, 3))],
        outputs=[ValueInfo("y", "float32", (2, 4)), ValueInfo("z", "float32", (3, 2))],
        nodes=[
            Node(
                "dense_fused",
                "fc",
                ["x", "w", "b"],
                ["h"],
                {"transpose_b": True, "activation": "relu"},
            ),
            Node(
                "getitem",
                "pick",
                ["h"],
                ["y"],
                {"index": (slice(None), slice(0, 4, None), Ellipsis)},
            ),
            Node("transpose", "t", ["x"], ["z"], {"perm": (1, 0)}),
        ],
        tensors={
            "w": rng.standard_normal((5, 3)).astype(np.float32),
            "b": rng.standard_normal(5).astype(np.float32),
            "q": np.arange(7, dtype=np.int8),
        },
        quant={"q": QuantParam((0.5,), (0,), None)},
        metadata={"source": "test"},
    )


def test_round_trip_keeps_everything_and_aligns_tensors(tmp_path):
    path = tmp_path / "m.ms"
    graph = _graph()
    lite_format.write(graph, path)
    back = lite_format.read(path, ops=KERNELS)
    assert back.inputs == graph.inputs and back.outputs == graph.outputs
    assert [(n.op, n.name, n.inputs, n.outputs, n.attrs) for n in back.nodes] == [
        (n.op, n.name, n.inputs, n.outputs, n.attrs) for n in graph.nodes
    ]
    assert back.quant == graph.quant and back.metadata == graph.metadata
    for name, array in graph.tensors.items():
        np.testing.assert_array_equal(back.tensors[name], array)
        assert back.tensors[name].dtype == array.dtype
        assert not back.tensors[name].flags.writeable  # a view of the read-only mapping
        assert back.tensors[name].ctypes.data % lite_format.ALIGN == 0


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "m.ms"
    lite_format.write(_graph(), path)
    before = path.read_bytes()
    bad = _graph()
    bad.tensors["w"] = np.zeros(3, dtype=np.complex64)  # cannot be stored
    with pytest.raises(LiteFormatError, match="complex64"):
        lite_format.write(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.ms"]


def _edit_header(data: bytes, edit) -> bytes:
    """The file with its header changed by ``edit`` and the checksum recomputed."""
    hlen = struct.unpack_from("<Q", data, 16)[0]
    header = json.loads(data[24 : 24 + hlen])
    edit(header)
    header["sha256"] = lite_format._digest(header)
    blob = json.dumps(header, separators=(",", ":")).encode()
    start = lite_format._align(24 + len(blob))
    old_start = lite_format._align(24 + hlen)
    return (
        data[:16]
        + struct.pack("<Q", len(blob))
        + blob
        + b"\0" * (start - 24 - len(blob))
        + data[old_start:]
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda h: h["tensors"][0].update(offset=8), "64-byte aligned"),
        (lambda h: h["tensors"][0].update(nbytes=4), "do not fit its shape"),
        (lambda h: h["tensors"][1].update(offset=1 << 20), "outside the data"),
        (lambda h: h["tensors"][0].update(dtype="object"), "unknown dtype 'object'"),
        (lambda h: h["tensors"][0].update(shape=[-1, 3]), "bad shape"),
        (lambda h: h["nodes"][0].update(op="system"), "no kernel for op 'system'"),
        (
            lambda h: h["nodes"][0].update(inputs=["x", "nope", "b"]),
            "reads 'nope' before it is defined",
        ),
        (lambda h: h["nodes"][2].update(outputs=["h"]), "redefines 'h'"),
        (lambda h: h["outputs"][0].update(name="ghost"), "output 'ghost' is not computed"),
        (
            lambda h: h["nodes"][0]["attrs"].update(activation={"py/object": "os.system"}),
            "unknown attribute",
        ),
        (lambda h: h["quant"]["q"].update(scale=[-1.0]), "bad scale"),
        (lambda h: h.update(data_size=h["data_size"] + 64), "does not fit the file"),
        (lambda h: h.pop("nodes"), "header lacks \\['nodes'\\]"),
    ],
)
def test_malformed_headers_are_refused_naming_the_field(tmp_path, edit, message):
    path = tmp_path / "m.ms"
    lite_format.write(_graph(), path)
    path.write_bytes(_edit_header(path.read_bytes(), edit))
    with pytest.raises(LiteFormatError, match=message):
        lite_format.read(path, ops=KERNELS)


def test_damaged_files_are_refused(tmp_path):
    path = tmp_path / "m.ms"
    lite_format.write(_graph(), path)
    good = path.read_bytes()
    cases = {
        b"NOTLITE!" + good[8:]: "bad magic",
        good[:8] + struct.pack("<I", 9) + good[12:]: "format version 9",
        good[:16] + struct.pack("<Q", 1 << 40) + good[24:]: "runs past the end",
        good[:100] + bytes([good[100] ^ 0x20]) + good[101:]: "checksum|not valid JSON",
        good[:-64]: "does not fit the file",
        good[:10]: "too short",
    }
    for data, message in cases.items():
        path.write_bytes(data)
        with pytest.raises(LiteFormatError, match=message):
            lite_format.read(path, ops=KERNELS)


def test_mutated_files_raise_only_format_errors(tmp_path):
    """A small in-suite fuzz (the `fuzz` nox session runs 20,000): any byte flipped, any
    truncation, and the reader either loads a valid graph or raises LiteFormatError."""
    path = tmp_path / "m.ms"
    lite_format.write(_graph(), path)
    good = bytearray(path.read_bytes())
    rng = np.random.default_rng(0)
    for _ in range(300):
        data = bytearray(good)
        for _ in range(int(rng.integers(1, 4))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        if rng.random() < 0.2:
            data = data[: int(rng.integers(0, len(data)))]
        path.write_bytes(bytes(data))
        try:
            lite_format.read(path, ops=KERNELS)
        except LiteFormatError:
            pass


def test_import_loads_no_training_code():
    code = (
        "import sys, mind.lite as m; m.Model; "
        "import json; print(json.dumps(sorted(k for k in sys.modules if k.startswith('mind.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert "mind.lite" in loaded
    assert [m for m in loaded if m.startswith("mind.core.") and m != "mind.core.errors"] == []
