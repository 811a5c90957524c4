"""MindIR export and load: round trips that print and compute the same, clear errors for wrong
inputs, and a loader that refuses every damaged file with MindIRError (including a seeded fuzz)."""

import hashlib
import json
import math
import os
import random
import time

import numpy as np
import pytest
import safetensors
import safetensors.numpy

import mind.core as ms
from mind.core import Tensor, control, nn, ops
from mind.core._src.ir import mindir, serialize
from mind.core._src.jit import JitFunction
from mind.core.errors import MindError, MindIRError, MindTypeError, MindValueError

rng = np.random.default_rng(0)


def a(*shape, dtype=np.float32):
    return Tensor(rng.standard_normal(shape).astype(dtype))


@pytest.fixture(autouse=True)
def _pynative():
    yield
    ms.set_context(mode=ms.PYNATIVE_MODE)


# ------------------------------------------------------------------------------------------------
# Nets
# ------------------------------------------------------------------------------------------------


def mlp():
    return nn.SequentialCell(nn.Dense(4, 8), nn.ReLU(), nn.Dense(8, 3))


class LeNet(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, pad_mode="pad", padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 6, 3, pad_mode="valid")
        self.flatten = nn.Flatten()
        self.fc = nn.Dense(6 * 2 * 2, 5)

    def construct(self, x):
        x = self.pool(ops.relu(self.bn(self.conv1(x))))
        return self.fc(self.flatten(ops.relu(self.conv2(x))))


class WithDropout(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(6, 6)
        self.drop = nn.Dropout(p=0.4)
        self.fc2 = nn.Dense(6, 2)

    def construct(self, x):
        return self.fc2(self.drop(ops.relu(self.fc1(x))))


def indexing(x):
    """getitem with slices, None, Ellipsis, an index array and a bool mask; pad's nested tuples;
    outputs in a nested structure with a Python value."""
    picked = x[1:, ::2, None, ..., Tensor(np.array([0, 2]))]
    padded = ops.pad(x, (1, 0, 2, 1), value=np.float32(0.5))
    masked = x[np.array([True, False, True])]
    return picked, [padded.sum(), 7], masked * 2.0


CASES = {
    "mlp": (mlp, lambda: (a(2, 4),)),
    "lenet": (LeNet, lambda: (a(2, 1, 8, 8),)),
    "dropout_eval": (WithDropout, lambda: (a(3, 6),)),
    "indexing": (lambda: indexing, lambda: (a(3, 4, 5),)),
}


def build(case):
    make, inputs = CASES[case]
    net = make()
    if isinstance(net, nn.Cell):
        net.set_train(False)
    return net, inputs()


def original_graph(net, *inputs):
    if isinstance(net, nn.Cell):
        return JitFunction(net.construct, f"{type(net).__name__}.construct").graph(*inputs)
    return JitFunction(net).graph(*inputs)


def flat(out):
    if isinstance(out, Tensor):
        return [out.asnumpy()]
    if isinstance(out, tuple | list):
        return [x for o in out for x in flat(o)]
    return [out]


def assert_same_outputs(got, want):
    assert type(got) is type(want)
    got, want = flat(got), flat(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if isinstance(w, np.ndarray):
            assert g.dtype == w.dtype and g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6)
        else:
            assert g == w


# ------------------------------------------------------------------------------------------------
# Round trips
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_load_graphcell_matches_the_net(case, tmp_path):
    net, inputs = build(case)
    path = tmp_path / f"{case}.mindir"
    ms.export(net, *inputs, file_name=str(path))
    loaded = ms.load(path)
    assert str(loaded.graph) == str(original_graph(net, *inputs))
    assert [(x.shape, x.dtype) for x in loaded.inputs] == [
        (tuple(x.shape), x.dtype) for x in inputs
    ]
    cell = nn.GraphCell(loaded)
    assert_same_outputs(cell(*inputs), net(*inputs))
    # New values of the same shape run through the same graph.
    fresh = CASES[case][1]()
    assert_same_outputs(cell(*fresh), net(*fresh))


def test_weights_are_stored_by_parameter_name_and_become_the_cells_parameters(tmp_path):
    net = mlp()
    ms.export(net, a(2, 4), file_name=tmp_path / "m")
    with safetensors.safe_open(str(tmp_path / "m.mindir"), "numpy") as f:
        names = set(f.keys())
        meta = f.metadata()
    assert names == {"0.weight", "0.bias", "2.weight", "2.bias"}  # an MLP has no constants
    assert meta["format"] == "mind.mindir" and meta["version"] == "2"
    loaded = ms.load(tmp_path / "m.mindir")
    cell = nn.GraphCell(loaded)
    assert [p.name for p in cell.get_parameters()] == list(loaded.weights)
    for p in net.get_parameters():
        np.testing.assert_array_equal(loaded.weights[p.name], p.asnumpy())


def test_shared_weight_names_constants_and_every_dtype_round_trip(tmp_path):
    first, second = nn.Dense(3, 3), nn.Dense(3, 2)  # both name their parameters 'weight', 'bias'
    scale = Tensor(np.full((2, 3), 0.5, ms.bfloat16.np))  # a captured Tensor: a constant

    def f(x, u):
        return second(first(x)), u + 1, x.astype(ms.bfloat16) * scale

    inputs = (a(2, 3), Tensor(np.arange(4, dtype=np.uint16)))
    ms.export(f, *inputs, file_name=tmp_path / "f")
    loaded = ms.load(tmp_path / "f.mindir")
    assert list(loaded.weights) == ["weight", "bias", "weight#2", "bias#2"]
    assert str(loaded.graph) == str(original_graph(f, *inputs))
    assert_same_outputs(nn.GraphCell(loaded)(*inputs), f(*inputs))


def test_params_init_replaces_weights_and_is_checked(tmp_path):
    net = nn.Dense(3, 2)
    x = a(4, 3)
    ms.export(net, x, file_name=tmp_path / "d.mindir")
    loaded = ms.load(tmp_path / "d.mindir")
    name = net.weight.name
    doubled = net.weight.asnumpy() * 2
    cell = nn.GraphCell(loaded, params_init={name: Tensor(doubled)})
    expected = x.asnumpy() @ doubled.T + net.bias.asnumpy()
    np.testing.assert_allclose(cell(x).asnumpy(), expected, rtol=1e-5)
    with pytest.raises(MindValueError, match=r"'params_init' names 'nope', which is not a weight"):
        nn.GraphCell(loaded, params_init={"nope": doubled})
    with pytest.raises(MindValueError, match=rf"'params_init' entry '{name}' is float32\[3, 3\]"):
        nn.GraphCell(loaded, params_init={name: np.zeros((3, 3), np.float32)})


def test_suffix_is_added_and_no_temporary_file_remains(tmp_path):
    ms.export(mlp(), a(1, 4), file_name=str(tmp_path / "net"))
    assert sorted(os.listdir(tmp_path)) == ["net.mindir"]
    with pytest.raises(MindIRError, match=r"did you mean '.*net\.mindir'\?"):
        ms.load(tmp_path / "net")


def test_graphcell_inlines_into_jit(tmp_path):
    net = mlp()
    x = a(2, 4)
    ms.export(net, x, file_name=tmp_path / "m.mindir")
    cell = nn.GraphCell(ms.load(tmp_path / "m.mindir"))

    @ms.jit
    def f(x):
        return ops.relu(cell(x)) + 1.0

    np.testing.assert_allclose(f(x).asnumpy(), ops.relu(net(x)).asnumpy() + 1.0, rtol=1e-6)
    assert "matmul" in str(f.graph(x))
    ms.set_context(mode=ms.GRAPH_MODE)  # a GraphCell is already a graph: never re-traced
    np.testing.assert_allclose(cell(x).asnumpy(), net(x).asnumpy(), rtol=1e-6)


def test_attribute_values_round_trip_losslessly():
    values = [
        None,
        True,
        -(2**63),
        0.1,
        math.inf,
        -math.inf,
        "same",
        [1, (2, 3)],
        ((1, 0), (2, 1)),
        {"k": (1, None)},
        slice(None, -1, 2),
        Ellipsis,
        np.float32(0.5),
        np.int8(-3),
        np.bool_(True),
        ms.float16,
        (slice(1, None), None, Ellipsis, 3),
    ]
    for value in values:
        encoded = serialize._encode_value(value, None, "test", "v")
        json.dumps(encoded, allow_nan=False)  # standard JSON: no bare NaN or Infinity
        decoded = serialize._Decoder({}, None).value(json.loads(json.dumps(encoded)), "v")
        assert repr(decoded) == repr(value) and type(decoded) is type(value)
    nan = serialize._Decoder({}, None).value(serialize._encode_value(math.nan, None, "", ""), "v")
    assert math.isnan(nan)
    with pytest.raises(MindIRError, match=r"test has a value of type object"):
        serialize._encode_value(object(), None, "test", "v")


# ------------------------------------------------------------------------------------------------
# Using a loaded graph wrongly
# ------------------------------------------------------------------------------------------------


def test_wrong_inputs_to_graphcell_are_named(tmp_path):
    ms.export(LeNet().set_train(False), a(2, 1, 8, 8), file_name=tmp_path / "l.mindir")
    cell = nn.GraphCell(ms.load(tmp_path / "l.mindir"))
    with pytest.raises(
        MindValueError,
        match=r"input 0 of graph 'LeNet.construct' must have shape \(2, 1, 8, 8\) \(as exported\), got \(3, 1, 8, 8\)",
    ):
        cell(a(3, 1, 8, 8))
    with pytest.raises(
        MindTypeError, match=r"input 0 .* must be Float32 \(as exported\), got Float64"
    ):
        cell(a(2, 1, 8, 8, dtype=np.float64))
    with pytest.raises(MindValueError, match=r"takes 1 inputs, got 2"):
        cell(a(2, 1, 8, 8), a(2, 1, 8, 8))
    with pytest.raises(MindTypeError, match=r"input 0 must be a Tensor, got ndarray"):
        cell(np.zeros((2, 1, 8, 8), np.float32))
    with pytest.raises(MindTypeError, match=r"'graph' must be what mind.core.load returns"):
        nn.GraphCell("l.mindir")


def test_export_formats_and_arguments(tmp_path):
    with pytest.raises(
        MindValueError, match=r"'file_format' must be one of \['MINDIR', 'ONNX'\], got 'AIR'"
    ):
        ms.export(mlp(), a(1, 4), file_name=tmp_path / "m", file_format="AIR")
    with pytest.raises(MindIRError, match=r"'enc_key' is not supported"):
        ms.export(mlp(), a(1, 4), file_name=tmp_path / "m", enc_key=b"k" * 16)
    with pytest.raises(MindTypeError, match=r"'net' must be a Cell or a function, got int"):
        ms.export(3, a(1, 4), file_name=tmp_path / "m")
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------------------------------
# Damaged files
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def exported(tmp_path):
    net, inputs = build("lenet")
    path = tmp_path / "net.mindir"
    ms.export(net, *inputs, file_name=path)
    return path


def read_container(data):
    """The tensors and metadata of a MindIR file's bytes."""
    n = int.from_bytes(data[:8], "little")
    meta = json.loads(data[8 : 8 + n])["__metadata__"]
    arrays = {k: np.array(v) for k, v in safetensors.numpy.load(bytes(data)).items()}
    return arrays, meta


def write_container(arrays, meta, doc=None):
    """Bytes of a well-formed container: re-encodes ``doc`` and recomputes every digest as export
    does (``mindir._pack``), so the loader's graph validation (not the checksum) is what a JSON
    edit meets."""
    meta = {k: v for k, v in meta.items() if k != "sha256"}
    if doc is not None:
        meta["graph"] = json.dumps(doc)
    return b"".join(bytes(c) for c in mindir._pack(arrays, meta))


def edit_graph(path, edit):
    arrays, meta = read_container(path.read_bytes())
    doc = json.loads(meta["graph"])
    edit(doc)
    path.write_bytes(write_container(arrays, meta, doc))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(MindIRError, match=r"'.*nope.mindir': no such file"):
        ms.load(tmp_path / "nope.mindir")
    with pytest.raises(MindIRError, match=r"is a directory, not a MindIR file"):
        ms.load(tmp_path)


def test_truncated_file(exported):
    data = exported.read_bytes()
    for size in (0, 5, 100, len(data) - 1):
        exported.write_bytes(data[:size])
        with pytest.raises(MindIRError, match=r"truncated"):
            ms.load(exported)


def test_altered_tensor_byte_fails_its_checksum(exported):
    data = bytearray(exported.read_bytes())
    data[-3] ^= 0x40  # inside the last tensor's bytes
    exported.write_bytes(bytes(data))
    with pytest.raises(MindIRError, match=r"tensor '.+': fails its SHA-256 check"):
        ms.load(exported)


def test_altered_graph_fails_its_checksum(exported):
    arrays, meta = read_container(exported.read_bytes())
    meta["graph"] = meta["graph"].replace('"stride"', '"strides"', 1)
    exported.write_bytes(safetensors.numpy.save(arrays, metadata=meta))
    with pytest.raises(MindIRError, match=r"its header \(graph, metadata, .*\) fails its SHA-256"):
        ms.load(exported)


def test_garbage_header(exported):
    exported.write_bytes((40).to_bytes(8, "little") + b"{this is not json at all}" + b" " * 15)
    with pytest.raises(MindIRError, match=r"truncated, damaged or not a safetensors file"):
        ms.load(exported)


def test_other_safetensors_file_and_checkpoint(tmp_path):
    ms.save_checkpoint(mlp(), str(tmp_path / "c.ckpt"))
    with pytest.raises(
        MindIRError, match=r"not a MindIR file \(metadata 'format' is 'mind.checkpoint'"
    ):
        ms.load(tmp_path / "c.ckpt")


def test_future_version(exported):
    arrays, meta = read_container(exported.read_bytes())
    exported.write_bytes(write_container(arrays, {**meta, "version": "3"}))
    with pytest.raises(
        MindIRError, match=r"MindIR file version 3 by a newer Mind; this Mind reads version 2"
    ):
        ms.load(exported)
    exported.write_bytes(write_container(arrays, meta))  # container back to version 2...
    edit_graph(exported, lambda doc: doc.update(version=7))  # ...but the document is newer
    with pytest.raises(MindIRError, match=r"document: is version 7, written by a newer Mind"):
        ms.load(exported)


def test_unknown_primitive(exported):
    edit_graph(exported, lambda doc: doc["graph"]["nodes"][2].update(prim="frobnicate"))
    with pytest.raises(
        MindIRError, match=r"graph.nodes\[2\] \(%\d+\).prim: unknown primitive 'frobnicate'"
    ):
        ms.load(exported)


def test_node_referencing_a_later_node(exported):
    def edit(doc):
        nodes = doc["graph"]["nodes"]
        nodes[1]["inputs"][0] = nodes[4]["id"]

    edit_graph(exported, edit)
    with pytest.raises(
        MindIRError,
        match=r"graph.nodes\[1\] \(%\d+\).inputs\[0\]: refers to %\d+, which is defined later \(graph.nodes\[4\]\)",
    ):
        ms.load(exported)


def test_bad_dtype_name(exported):
    edit_graph(exported, lambda doc: doc["graph"]["nodes"][0]["aval"].update(dtype="float33"))
    with pytest.raises(
        MindIRError, match=r"graph.nodes\[0\] \(%\d+\).aval.dtype: unknown dtype name 'float33'"
    ):
        ms.load(exported)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda g: g["nodes"][0]["aval"].update(shape=[2, -4]),
            r"aval.shape\[1\]: must be in \[0, ",
        ),
        (
            lambda g: g["nodes"][0]["aval"].update(shape=[2**20] * 4),
            r"has more than 4294967296 elements",
        ),
        (
            lambda g: g["nodes"][0]["aval"]["shape"].__setitem__(0, 9),
            r"recorded as Float32\[9, .* but its inference gives",
        ),
        (lambda g: g["nodes"][3].update(inputs=[12345]), r"refers to %12345, which is not defined"),
        (lambda g: g["nodes"][3].update(id=g["nodes"][0]["id"]), r"is used by two nodes"),
        (
            lambda g: g["nodes"][0]["attrs"].update(stride={"t": "bogus"}),
            r"attrs.stride: has an unknown tag 'bogus'",
        ),
        (
            lambda g: g["nodes"][0]["attrs"].update(stride=(7, "x")),
            r"conv2d\(...\) attribute 'stride' must be a tuple of 2 ints >= 1, but got \[7, 'x'\]",
        ),
        (
            lambda g: g["parameters"][1].update(tensor="missing"),
            r"names tensor 'missing', which is not in the file",
        ),
        (
            lambda g: g["parameters"][1]["aval"].update(shape=[1]),
            r"parameters\[1\] \(%2\): is recorded as Float32\[1\] but its tensor is float32\[4, 1, 3, 3\]",
        ),
        (lambda g: g["parameters"][0].update(kind="output"), r"kind: must be 'input' or 'weight'"),
        (lambda g: g.update(outputs=[999]), r"graph.outputs\[0\]: refers to %999"),
        (lambda g: g.pop("constants"), r"MindIR graph: is missing 'constants'"),
        (lambda g: g.update(nodes="all of them"), r"graph.nodes: must be a list, got str"),
    ],
)
def test_malformed_graphs_are_named(exported, edit, message):
    edit_graph(exported, lambda doc: edit(doc["graph"]))
    with pytest.raises(MindIRError, match=message):
        ms.load(exported)


def test_output_spec_is_validated(exported):
    edit_graph(exported, lambda doc: doc.update(output_spec=["t", 5]))
    with pytest.raises(MindIRError, match=r"output_spec\[1\]: must be in \[0, 0\], got 5"):
        ms.load(exported)


# ------------------------------------------------------------------------------------------------
# Fuzz: damaged files raise MindIRError, nothing else
# ------------------------------------------------------------------------------------------------


def fuzz_net():
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(2, 3, 3, pad_mode="pad", padding=1)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc = nn.Dense(3 * 2 * 2, 4)

        def construct(self, x, idx):
            y = self.pool(ops.relu(self.conv(x)))
            z = self.fc(y.reshape(x.shape[0], -1))
            sel = z[:, ::2, None][..., 0] + idx.astype(ms.float32)[:, None]
            padded = ops.pad(z, (1, 0))
            # Control flow: nested graphs inside attributes are fuzzed too.
            branch = control.cond(
                z.sum() > 0, lambda v: v * 2.0, lambda v: ops.exp(v) - sel.sum(), z
            )
            carry, ys = ops.scan(lambda c, e: (c + e, c * e), z[0], z)
            return (sel * 0.5, [padded.sum(axis=1), z[np.array([True, False])]], branch, carry, ys)

    return Net().set_train(False), (a(2, 2, 4, 4), Tensor(np.array([1, 2], np.int32)))


def _json_paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _json_paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _json_paths(v, (*path, i))


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


_REPLACEMENTS = [
    None, True, False, 0, 1, -1, 2, 3, 7, 2**31, 2**63, -(2**70), 0.5, -1.5, 1e308, "x", "",
    "float32", "int64", "bool", "relu", "getitem", "input", "weight", "t", [], [1], [[]], {},
    {"t": "tuple", "v": []}, {"t": "tuple", "v": [1, 2]}, {"t": "slice", "start": 1, "stop": None, "step": 0},
    {"t": "ellipsis"}, {"t": "ndarray", "ref": "%1"}, {"t": "scalar", "dtype": "int8", "v": 999},
    {"t": "float", "v": "nan"}, {"t": "dict", "v": {"a": 1}}, {"t": "dtype", "v": "bfloat16"},
]  # fmt: skip


def _mutate_doc(doc, r):
    """One random structural edit: a new value of any type, a tweaked number, a deleted key, a
    dropped, duplicated or reordered list item, or a name swapped for another valid-looking one."""
    paths = list(_json_paths(doc))
    path = r.choice(paths[1:])
    parent, key = _get(doc, path[:-1]), path[-1]
    value = parent[key]
    op = r.random()
    if op < 0.3:
        parent[key] = json.loads(json.dumps(r.choice(_REPLACEMENTS)))
    elif op < 0.5 and isinstance(value, int | float) and not isinstance(value, bool):
        parent[key] = r.choice([value + 1, value - 1, -value, value * 2, 0, value + 1000])
    elif op < 0.6 and isinstance(parent, dict):
        del parent[key]
    elif op < 0.8 and isinstance(value, list) and value:
        i, j = r.randrange(len(value)), r.randrange(len(value))
        choice = r.random()
        if choice < 0.4:
            value[i], value[j] = value[j], value[i]
        elif choice < 0.7:
            del value[i]
        else:
            value.insert(j, json.loads(json.dumps(value[i])))
    elif isinstance(value, str):
        names = [p for p in paths if p and isinstance(_get(doc, p), str)]
        parent[key] = _get(doc, r.choice(names))
    else:
        parent[key] = json.loads(json.dumps(r.choice(_REPLACEMENTS)))


def _mutate(data, arrays, meta, r):
    """A damaged copy of ``data``: raw byte damage, or an edit of the metadata or the graph
    re-serialized into a well-formed container with a matching graph digest."""
    kind = r.random()
    if kind < 0.15:
        out = bytearray(data)
        for _ in range(r.randint(1, 4)):
            out[r.randrange(len(out))] ^= 1 << r.randrange(8)
        return bytes(out), "flip"
    if kind < 0.22:
        return data[: r.randrange(len(data))], "truncate"
    if kind < 0.29:
        at = r.randrange(len(data) + 1)
        return data[:at] + bytes(r.randrange(256) for _ in range(r.randint(1, 8))) + data[
            at:
        ], "insert"
    if kind < 0.36:
        meta = dict(meta)
        key = r.choice(["format", "version", "sha256", "graph"])
        choice = r.random()
        if choice < 0.3:
            del meta[key]
        elif choice < 0.6:
            meta[key] = r.choice(["", "2", "1 ", "mind.mindir", "{}", "[]", "null", "\uff11"])
        else:
            digests = json.loads(meta["sha256"])
            name = r.choice(sorted(digests["tensors"]))
            digests["tensors"][name] = r.choice([None, 0, "00", digests["header"]])
            meta["sha256"] = json.dumps(digests)
        # Saved as is: the digests are not recomputed, so they are what must refuse the edit.
        return safetensors.numpy.save(arrays, metadata=meta), "metadata"
    doc = json.loads(meta["graph"])
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        _mutate_doc(doc, r)
    return write_container(arrays, meta, doc), "graph"


def test_fuzz_damaged_files_raise_only_mindirerror(tmp_path):
    net, inputs = fuzz_net()
    path = tmp_path / "fuzz.mindir"
    ms.export(net, *inputs, file_name=path)
    data = path.read_bytes()
    arrays, meta = read_container(data)
    assert str(ms.load(path).graph)  # the unmutated file loads
    assert '"t":"graph"' in meta["graph"]  # with nested graphs for the mutations to reach

    r = random.Random(20240607)
    outcomes: dict[tuple[str, str], int] = {}
    deepest = 0
    start = time.perf_counter()
    for i in range(3000):
        mutated, kind = _mutate(data, arrays, meta, r)
        path.write_bytes(mutated)
        t0 = time.perf_counter()
        try:
            ms.load(path)
            result = "ok"
        except MindIRError as exc:
            message = str(exc)
            result = "graph" if "MindIR graph" in message else "other"
            if kind == "graph" and result == "graph":
                deepest += "inference" in message or "recorded as" in message
        except BaseException as exc:  # the point: nothing else may escape
            pytest.fail(f"mutation {i} ({kind}) raised {type(exc).__name__}: {exc}")
        assert time.perf_counter() - t0 < 2.0, f"mutation {i} ({kind}) took too long"
        outcomes[kind, result] = outcomes.get((kind, result), 0) + 1
    elapsed = time.perf_counter() - start
    assert elapsed < 60, elapsed
    # Every kind of damage was tried, and the graph edits reached the graph validation (down to
    # the primitives' inference rules), not just the container parser.
    assert {k for k, _ in outcomes} == {"flip", "truncate", "insert", "metadata", "graph"}
    assert outcomes.get(("graph", "graph"), 0) > 500, outcomes
    assert deepest > 20, (deepest, outcomes)
    assert outcomes.get(("graph", "ok"), 0) > 10, outcomes  # harmless edits still load


def test_mindirerror_is_a_value_error_with_a_docs_pointer(exported):
    exported.write_bytes(b"12345678")
    with pytest.raises(MindIRError) as info:
        ms.load(exported)
    assert isinstance(info.value, MindError | ValueError)
    assert "docs/core.md#export-and-load-mindir" in str(info.value)


# ------------------------------------------------------------------------------------------------
# Hardening (issue 10): one test per finding of the hostile probe
# ------------------------------------------------------------------------------------------------


def rewrite_header(data, edit):
    """The file with its safetensors header edited by ``edit(header)`` and re-serialized with the
    right length, the digests left as they were."""
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    edit(header)
    text = json.dumps(header).encode("utf-8", "surrogatepass")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + data[8 + n :]


def test_deep_json_is_refused_before_it_is_parsed(exported):
    arrays, meta = read_container(exported.read_bytes())
    deep = meta["graph"][:-1] + ',"x":' + "[" * 50_000 + "]" * 50_000 + "}"
    exported.write_bytes(write_container(arrays, {**meta, "graph": deep}))
    with pytest.raises(MindIRError, match=r"'graph' metadata entry nested 50\d\d\d levels deep"):
        ms.load(exported)
    exported.write_bytes(
        safetensors.numpy.save(arrays, metadata={**meta, "sha256": "[" * 5000 + "]" * 5000})
    )
    with pytest.raises(MindIRError, match=r"'sha256' metadata entry nested 5000 levels deep"):
        ms.load(exported)
    # Brackets inside strings do not count: a name may hold them.
    text = '{"a": "' + "[" * 1000 + '", "b": [1, {"c": "]]]\\"[["}]}'
    assert json.loads(text)["b"][1]["c"] == ']]]"[['
    assert mindir._json_depth(text) == 3


def test_only_ascii_digits_make_a_version_or_an_int(exported):
    arrays, meta = read_container(exported.read_bytes())
    for version in ("\u0662", "\u00b2", "\uff12", " 2", "2.0", "9" * 5000):
        exported.write_bytes(write_container(arrays, {**meta, "version": version}))
        with pytest.raises(MindIRError, match=r"has an invalid 'version'|newer Mind"):
            ms.load(exported)
    graph = meta["graph"].replace('"groups":1', '"groups":\u0661', 1)
    assert graph != meta["graph"]
    exported.write_bytes(write_container(arrays, {**meta, "graph": graph}))
    with pytest.raises(MindIRError, match=r"has a graph that is not valid JSON"):
        ms.load(exported)
    graph = meta["graph"].replace('"groups":1', '"groups":' + "1" * 5000, 1)
    exported.write_bytes(write_container(arrays, {**meta, "graph": graph}))
    with pytest.raises(MindIRError, match=r"not valid JSON \(Exceeds the limit"):
        ms.load(exported)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda g: g["nodes"][0]["aval"].update(dtype=["float32"]),
            r"nodes\[0\] \(%\d+\).aval.dtype: must be a string, got list",
        ),
        (
            lambda g: g["nodes"][0]["attrs"].update(stride={"t": "dtype", "v": ["float32"]}),
            r"attrs.stride.v: must be a string, got list",
        ),
        (
            lambda g: g["constants"][0]["aval"].update(dtype={"float32": 1}),
            r"constants\[0\].aval.dtype: must be a string, got dict",
        ),
    ],
)
def test_unhashable_dtypes_are_refused(exported, edit, message):
    edit_graph(exported, lambda doc: edit(doc["graph"]))
    with pytest.raises(MindIRError, match=message):
        ms.load(exported)


def test_shapes_of_two_to_the_63_are_refused(exported):
    original = exported.read_bytes()
    edit_graph(exported, lambda doc: doc["graph"]["nodes"][0]["aval"].update(shape=[2**63, 1]))
    with pytest.raises(MindIRError, match=r"aval.shape\[0\]: must be in \[0, 4294967296\]"):
        ms.load(exported)
    reshape = lambda doc: next(n for n in doc["graph"]["nodes"] if n["prim"] == "reshape")  # noqa: E731
    exported.write_bytes(original)
    edit_graph(
        exported, lambda doc: reshape(doc)["attrs"].update(shape={"t": "tuple", "v": [2**63]})
    )
    with pytest.raises(MindIRError, match=r"attrs.shape\[0\]: must be in \[-9223372036854775808"):
        ms.load(exported)
    exported.write_bytes(original)
    edit_graph(
        exported, lambda doc: reshape(doc)["attrs"].update(shape={"t": "tuple", "v": [2**62, 2]})
    )
    with pytest.raises(
        MindIRError, match=r"reshape\(...\) attribute 'shape' must be a tuple of ints"
    ):
        ms.load(exported)
    arrays, meta = read_container(exported.read_bytes())
    name = sorted(arrays)[0]
    data = rewrite_header(write_container(arrays, meta), lambda h: h[name].update(shape=[2**63]))
    exported.write_bytes(data)
    with pytest.raises(MindIRError, match=r"truncated, damaged or not a safetensors file"):
        ms.load(exported)


def _node(doc, prim):
    return next(n for n in doc["graph"]["nodes"] if n["prim"] == prim)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda d: _node(d, "conv2d")["attrs"].update(pads={"t": "tuple", "v": [1] * 5}),
            r"conv2d\(...\) attribute 'pads' must be a tuple of 4 ints >= 0, but got \(1, 1, 1, 1, 1\)",
        ),
        (
            lambda d: _node(d, "conv2d")["attrs"].update(groups=True),
            r"conv2d\(...\) attribute 'groups' must be an int >= 1, but got True",
        ),
        (
            lambda d: _node(d, "max_pool2d")["attrs"].update(kernel={"t": "tuple", "v": [0, 2]}),
            r"max_pool2d\(...\) attribute 'kernel' must be a tuple of 2 ints >= 1, but got \(0, 2\)",
        ),
        (
            lambda d: _node(d, "max_pool2d").update(prim="max_pool2d_grad"),
            r"nodes\[\d+\] \(%\d+\): max_pool2d_grad\(...\) takes 2 inputs, got 1",
        ),
        (
            lambda d: _node(d, "matmul")["attrs"].update(transpose_b=1),
            r"matmul\(...\) attribute 'transpose_b' must be a bool, but got 1",
        ),
        (
            lambda d: _node(d, "matmul")["attrs"].update(alpha=0.5),
            r"matmul\(...\) has an unknown attribute 'alpha'",
        ),
        (
            lambda d: _node(d, "conv2d")["attrs"].pop("dilation"),
            r"conv2d\(...\) is missing its attribute 'dilation'",
        ),
        (
            lambda d: _node(d, "relu")["inputs"].append(_node(d, "relu")["inputs"][0]),
            r"relu\(...\) takes 1 inputs, got 2",
        ),
    ],
)
def test_node_attributes_and_arity_are_checked_before_anything_runs(exported, edit, message):
    edit_graph(exported, edit)
    with pytest.raises(MindIRError, match=message):
        ms.load(exported)


def test_sum_keepdims_none_is_refused(tmp_path):
    path = tmp_path / "s.mindir"
    ms.export(lambda x: x.sum(axis=1, keepdims=True), a(2, 3), file_name=path)
    edit_graph(path, lambda d: _node(d, "sum")["attrs"].update(keepdims=None))
    with pytest.raises(MindIRError, match=r"sum\(...\) attribute 'keepdims' must be a bool"):
        ms.load(path)
    edit_graph(path, lambda d: _node(d, "sum")["attrs"].update(axis=[1]))  # a list, not a tuple
    with pytest.raises(MindIRError, match=r"attribute 'axis' must be None or an int or a tuple"):
        ms.load(path)


def test_a_changed_tensor_dtype_is_refused(tmp_path):
    path = tmp_path / "c.mindir"
    ms.export(lambda x: x + Tensor(np.float32(1.5)), a(2, 3), file_name=path)
    data = path.read_bytes()
    arrays, meta = read_container(data)
    (const,) = [k for k in arrays if k.startswith("%")]
    for dtype in ("U32", "I32"):
        path.write_bytes(rewrite_header(data, lambda h: h[const].update(dtype=dtype)))  # noqa: B023
        with pytest.raises(MindIRError, match=r"its header \(graph, metadata, tensor dtypes"):
            ms.load(path)
    # Re-signed, as a forger would: the constant's recorded abstract value still refuses it.
    arrays[const] = arrays[const].view(np.uint32)
    path.write_bytes(write_container(arrays, meta))
    with pytest.raises(
        MindIRError,
        match=r"constants\[0\] \(%\d+\): is recorded as Float32\[\] but its tensor is uint32\[\]",
    ):
        ms.load(path)


def test_offsets_and_metadata_are_covered_by_the_header_digest(exported):
    data = exported.read_bytes()
    arrays, _ = read_container(data)
    by_size = {}
    for name, arr in sorted(arrays.items()):
        by_size.setdefault((arr.dtype, arr.shape), []).append(name)
    first, second = next(names for names in by_size.values() if len(names) > 1)[:2]

    def swap(h):  # two same-size tensors' regions swapped: the data still tiles exactly
        h[first]["data_offsets"], h[second]["data_offsets"] = (
            h[second]["data_offsets"],
            h[first]["data_offsets"],
        )

    for edit in (swap, lambda h: h["__metadata__"].update(note="hi")):
        exported.write_bytes(rewrite_header(data, edit))
        with pytest.raises(MindIRError, match=r"its header .* fails its SHA-256 check"):
            ms.load(exported)


def test_version_1_files_are_refused_with_a_clear_message(exported):
    arrays, meta = read_container(exported.read_bytes())
    digests = json.loads(meta["sha256"])
    old = {
        **meta,
        "version": "1",
        "sha256": json.dumps(
            {
                "graph": hashlib.sha256(meta["graph"].encode()).hexdigest(),
                "tensors": digests["tensors"],
            }
        ),
    }
    exported.write_bytes(safetensors.numpy.save(arrays, metadata=old))
    with pytest.raises(
        MindIRError, match=r"MindIR file version 1 by an older Mind, .*export the model again"
    ):
        ms.load(exported)


@pytest.mark.parametrize("bad", ["w\x00", "w\ud800", "\x1b[2J"])
def test_names_with_nul_control_characters_or_surrogates_are_refused(exported, bad):
    edit_graph(exported, lambda doc: doc["graph"]["parameters"][0].update(name=bad))
    with pytest.raises(MindIRError, match=r"parameters\[0\].name: holds the character U\+"):
        ms.load(exported)


def test_export_refuses_a_name_load_would_refuse(tmp_path):
    with pytest.raises(MindIRError, match=r"no NUL, control character or surrogate"):
        ms.export(JitFunction(lambda x: x * 2, "bad\x00name"), a(2), file_name=tmp_path / "n")
    assert os.listdir(tmp_path) == []


def _resign_int_tensors(path, value):
    """Every integer tensor of the file set to ``value``, re-signed as export would."""
    arrays, meta = read_container(path.read_bytes())
    for name, arr in arrays.items():
        if arr.dtype.kind in "iu":
            arrays[name] = np.full_like(arr, value)
    path.write_bytes(write_container(arrays, meta))


def test_an_index_attribute_out_of_range_is_refused_at_load(tmp_path):
    path = tmp_path / "g.mindir"
    grad_of_take = ms.grad(lambda v: (v[np.array([0, 2])] * 2.0).sum())
    ms.export(grad_of_take, a(4), file_name=path)  # an index_add with an index array attribute
    np.testing.assert_array_equal(nn.GraphCell(ms.load(path))(a(4)).asnumpy(), [2, 0, 2, 0])
    _resign_int_tensors(path, 99)
    with pytest.raises(
        MindIRError, match=r"index_add\(...\) rejects .* 'index' does not fit shape \(4,\)"
    ):
        ms.load(path)


def test_a_value_failure_while_running_is_a_typed_error_naming_the_graph(tmp_path):
    path = tmp_path / "g.mindir"
    idx = Tensor(np.array([0, 2], np.int32))
    ms.export(lambda x: ops.gather(x, idx, 0) * 2.0, a(4), file_name=path)
    _resign_int_tensors(path, 99)  # a constant's values: no abstract value can tell
    cell = nn.GraphCell(ms.load(path))
    with pytest.raises(
        MindValueError, match=r"For 'GraphCell', graph .* failed while running: IndexError"
    ):
        cell(a(4))


def test_a_dict_output_round_trips_and_a_dataclass_is_refused_with_the_reason(tmp_path):
    import dataclasses

    class Heads(nn.Cell):
        def __init__(self):
            super().__init__()
            self.body = nn.Dense(4, 3)

        def construct(self, x):
            h = self.body(x)
            return {"logits": h, "parts": (h * 2, h.sum())}

    net, x = Heads(), a(2, 4)
    ms.export(net, x, file_name=tmp_path / "heads")
    got = nn.GraphCell(ms.load(tmp_path / "heads.mindir"))(x)
    want = net(x)
    assert list(got) == ["logits", "parts"]
    np.testing.assert_allclose(got["logits"].asnumpy(), want["logits"].asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(got["parts"][1].asnumpy(), want["parts"][1].asnumpy(), rtol=1e-6)

    @dataclasses.dataclass
    class Out:
        logits: Tensor

    class Record(nn.Cell):
        def construct(self, x):
            return Out(x * 2)

    assert isinstance(ms.jit(Record().construct)(x), Out)  # jit rebuilds it
    with pytest.raises(MindIRError, match="return a dict or a tuple"):
        ms.export(Record(), x, file_name=tmp_path / "record")
