"""ONNX export: standard nets and every mapped primitive run in onnxruntime as they do in Mind
(atol and rtol 1e-5), the models pass onnx.checker, and what cannot be exported says so."""

import sys

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.ir import onnx_export
from mind.core._src.jit import JitFunction
from mind.core._src.ops.nn_ops import _mm
from mind.core.errors import MindIRError, MindTypeError, MindValueError

rng = np.random.default_rng(0)
TOL = {"atol": 1e-5, "rtol": 1e-5}
# Largest |onnxruntime - Mind| seen per case, printed at the end with `pytest -s`.
MAX_DIFF: dict[str, float] = {}


def a(*shape, dtype=np.float32):
    return Tensor(rng.standard_normal(shape).astype(dtype))


def positive(*shape):
    return Tensor(rng.uniform(0.5, 2.0, shape).astype(np.float32))


def ints(*shape, high=5):
    return Tensor(rng.integers(0, high, shape).astype(np.int64))


@pytest.fixture(scope="module")
def onnx():
    return pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def ort():
    return pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if MAX_DIFF:
        worst = max(MAX_DIFF.values())
        print(f"\nONNX vs Mind, max |diff| over {len(MAX_DIFF)} cases: {worst:.3g}")
        for case, diff in sorted(MAX_DIFF.items()):
            print(f"  {case}: {diff:.3g}")


def flat(out):
    if isinstance(out, Tensor):
        return [out.asnumpy()]
    return [x for o in out for x in flat(o)]


def run_onnx(ort, path, inputs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    feed = {i.name: x.asnumpy() for i, x in zip(session.get_inputs(), inputs)}
    return session.run(None, feed)


def compare(onnx, ort, net, *inputs, path, case, opset=None):
    """Export ``net`` for ``inputs`` (through ms.export, or export_onnx for another opset), check
    the model, run it in onnxruntime and compare with Mind; returns the ONNX model."""
    if opset is None:
        ms.export(net, *inputs, file_name=path, file_format="ONNX")
    else:
        compiled = _jit(net).compile(*inputs)
        weights = onnx_export.weight_arrays(compiled.graph, compiled.weights)
        onnx_export.export_onnx(compiled.graph, weights, path, opset=opset)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    got = run_onnx(ort, path, [x for x in inputs if isinstance(x, Tensor)])
    want = flat(net(*inputs))
    assert [o.name for o in model.graph.output] == [f"out{i}" for i in range(len(want))]
    assert len(got) == len(want)
    diff = 0.0
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape, (g.dtype, g.shape, w.dtype, w.shape)
        if w.dtype.kind in "biu":
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, **TOL)
            diff = max(diff, float(np.max(np.abs(g - w), initial=0.0)))
    MAX_DIFF[case] = max(MAX_DIFF.get(case, 0.0), diff)
    return model


def _jit(net):
    if isinstance(net, nn.Cell):
        return JitFunction(net.construct, f"{type(net).__name__}.construct")
    return JitFunction(net)


def op_types(model):
    return [n.op_type for n in model.graph.node]


def attrs(node):
    import onnx.helper

    return {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}


# ------------------------------------------------------------------------------------------------
# Standard nets
# ------------------------------------------------------------------------------------------------


def mlp():
    return nn.SequentialCell(
        nn.Dense(16, 32), nn.ReLU(), nn.Dense(32, 10), nn.Softmax(axis=-1)
    ).set_train(False)


class LeNet5(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid", has_bias=True)
        self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.relu = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Dense(16 * 5 * 5, 120)
        self.fc2 = nn.Dense(120, 84)
        self.fc3 = nn.Dense(84, 10)

    def construct(self, x):
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.flatten(x)
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


class SameConvNet(nn.Cell):
    """Conv2d 'same' with stride 2 on an even size (asymmetric pads), AvgPool2d, GELU, and a
    reshape/transpose; two outputs."""

    def __init__(self, approximate):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, pad_mode="same", has_bias=True)
        self.pool = nn.AvgPool2d(kernel_size=3, stride=2, pad_mode="same")
        self.gelu = nn.GELU(approximate=approximate)
        self.fc = nn.Dense(8, 4)

    def construct(self, x):
        x = self.gelu(self.pool(self.conv(x)))  # (2, 8, 8, 8) -> (2, 8, 4, 4)
        n, c, h, w = x.shape
        tokens = ops.transpose(x.reshape(n, c, h * w), (0, 2, 1))  # (2, 16, 8)
        return self.fc(tokens), x.mean(axis=(2, 3))


def test_mlp(onnx, ort, tmp_path):
    net, x = mlp(), a(4, 16)
    model = compare(onnx, ort, net, x, path=tmp_path / "mlp.onnx", case="mlp")
    # Dense = one Gemm (matmul with transB, bias fused); the weights are named initializers.
    assert op_types(model) == ["Gemm", "Relu", "Gemm", "Softmax"]
    assert all(attrs(n)["transB"] == 1 for n in model.graph.node if n.op_type == "Gemm")
    names = {t.name for t in model.graph.initializer}
    assert {p.name for p in net.get_parameters()} <= names
    assert [i.name for i in model.graph.input] == ["arg0"]
    assert model.opset_import[0].version == 17


def test_lenet5(onnx, ort, tmp_path):
    net = LeNet5().set_train(False)
    model = compare(onnx, ort, net, a(2, 1, 32, 32), path=tmp_path / "lenet.onnx", case="lenet5")
    kinds = op_types(model)
    assert kinds.count("Conv") == 2 and kinds.count("MaxPool") == 2 and kinds.count("Gemm") == 3
    dims = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    assert dims == [2, 10]


@pytest.mark.parametrize("approximate", [False, True], ids=["gelu_erf", "gelu_tanh"])
def test_same_conv_avgpool_gelu(onnx, ort, tmp_path, approximate):
    net = SameConvNet(approximate).set_train(False)
    model = compare(
        onnx, ort, net, a(2, 3, 16, 16), path=tmp_path / "s.onnx", case=f"same_conv_{approximate}"
    )
    conv = next(n for n in model.graph.node if n.op_type == "Conv")
    # Mind's pads (top, bottom, left, right) = (0, 1, 0, 1) become ONNX's [top, left, bottom, right]
    assert attrs(conv)["pads"] == [0, 0, 1, 1] and attrs(conv)["strides"] == [2, 2]
    pool = next(n for n in model.graph.node if n.op_type == "AveragePool")
    assert attrs(pool)["count_include_pad"] == 1
    assert ("Erf" if not approximate else "Tanh") in op_types(model)


@pytest.mark.parametrize("opset", [18])
def test_newer_opsets(onnx, ort, tmp_path, opset):
    """From 18 the reductions take their axes as an input."""
    net = SameConvNet(False).set_train(False)
    model = compare(
        onnx, ort, net, a(2, 3, 16, 16), path=tmp_path / "m.onnx", case=f"opset{opset}", opset=opset
    )
    assert model.opset_import[0].version == opset
    assert "Gelu" not in op_types(model)  # decomposed at every opset (runtimes disagree on Gelu)
    mean = next(n for n in model.graph.node if n.op_type == "ReduceMean")
    assert len(mean.input) == 2 and "axes" not in attrs(mean)


def test_opset_17_reduce_forms(onnx, ort, tmp_path):
    """At opset 17 ReduceSum takes axes as an input, ReduceMean/Max/Min as an attribute."""

    def f(x):
        return x.sum(axis=1), x.mean(axis=(0, 2), keep_dims=True), ops.amax(x, 2), ops.amin(x, -1)

    model = compare(onnx, ort, f, a(3, 4, 5), path=tmp_path / "r.onnx", case="reduce_forms")
    for node in model.graph.node:
        has_attr = "axes" in attrs(node)
        if node.op_type == "ReduceSum":
            assert len(node.input) == 2 and not has_attr
        elif node.op_type.startswith("Reduce"):
            assert len(node.input) == 1 and has_attr


# ------------------------------------------------------------------------------------------------
# Every mapped primitive
# ------------------------------------------------------------------------------------------------


class Norms(nn.Cell):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(4)
        self.gn = nn.GroupNorm(2, 4)
        self.ln = nn.LayerNorm((5,))

    def construct(self, x):
        return self.bn(x), self.gn(x), self.ln(x)


class Embed(nn.Cell):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.fc = nn.Dense(4, 3, activation="tanh")

    def construct(self, ids):
        return self.fc(self.emb(ids))


def _indexing(x):
    return (
        x[1],
        x[-1, 1:3],
        x[:, ::-1],
        x[..., ::2],
        x[None, 0, ..., -2:],
        x[2:0:-1, None, 3],
        x[:, 1:-1, ::-2],
        x[:],
        x[1, -2, 3],
        x[np.int64(2), ...],
    )


FUNCTIONS = {
    "arith": (
        lambda x, y: (x + y, x - y, x * y, x / y, -x, x * 2.0 + 1.0, ops.pow(ops.abs(x), y)),
        lambda: (a(3, 4), a(4)),
    ),
    "unary": (
        lambda x: (
            ops.exp(x),
            ops.log(x),
            ops.sqrt(x),
            ops.rsqrt(x),
            ops.tanh(x),
            ops.sigmoid(x),
            ops.erf(x),
            ops.sin(x),
            ops.cos(x),
            ops.floor(x),
            ops.round(x * 3.0),
            ops.sign(x - 1.0),
        ),
        lambda: (positive(3, 5),),
    ),
    "activations": (
        lambda x: (
            ops.relu(x),
            ops.leaky_relu(x, 0.1),
            ops.elu(x),
            ops.silu(x),
            ops.gelu(x),
            ops.gelu(x, approximate="tanh"),
            ops.softmax(x, 1),
            ops.log_softmax(x, 0),
        ),
        lambda: (a(4, 6),),
    ),
    "compare_select": (
        lambda x, y: (
            ops.maximum(x, y),
            ops.minimum(x, y),
            ops.where(x > y, x, y),
            ops.cast(ops.logical_and(x >= 0, y < 0), ms.float32),
            ops.logical_or(x <= y, ops.logical_not(x != y)),
            ops.logical_xor(x == y, x > 0),
            ops.clip(x, -0.5, 0.5),
        ),
        lambda: (a(3, 4), a(3, 4)),
    ),
    "cast": (
        lambda x: (ops.cast(x * 4.0, ms.int32), ops.cast(x, ms.float64), ops.cast(x > 0, ms.int64)),
        lambda: (a(3, 4),),
    ),
    "reductions": (
        lambda x: (
            x.sum(),
            x.sum(axis=(0, 2), keepdims=True),
            x.mean(),
            ops.amax(x, (1, 2)),
            ops.amin(x, 0, keepdims=True),
            ops.prod(x, 1),
            ops.logsumexp(x, 2),
            ops.var(x, (1, 2), ddof=1),
            ops.std(x, -1, keepdims=True),
            ops.cumsum(x, 1),
            ops.argmax(x, 1),
            ops.argmin(x),
        ),
        lambda: (a(2, 3, 4),),
    ),
    "shapes": (
        lambda x: (
            ops.broadcast_to(x[:, :1], (3, 4)),
            ops.concat([x, x * 2.0], 1),
            ops.stack([x, x], 0),
            ops.tile(x, (2, 1, 2)),
            ops.pad(x, (1, 2, 0, 1), value=0.5),
            ops.pad(x, (2, 1, 1, 1), mode="reflect"),
            ops.pad(x, (1, 1), mode="replicate"),
            ops.squeeze(ops.expand_dims(x, 0)),
            x.T,
            ops.split(x, 2, 1)[1],
        ),
        lambda: (a(3, 4),),
    ),
    "indexing": (_indexing, lambda: (a(4, 5, 6),)),
    "scalars": (lambda x, y: (x * 2.0 + 1.0, ops.exp(x) + y, y.sum() * x), lambda: (a(), a(3))),
    "matmul": (
        lambda x, y, m, n: (
            ops.matmul(x, y),  # batched N-D: MatMul
            _mm(y, x, True, True),  # N-D with both transpose flags: Transpose + MatMul
            _mm(m, n, True, False),  # 2-D: Gemm with transA, no bias
            ops.matmul(m.T, n) + 1.0,  # Gemm with a scalar bias
            ops.matmul(ops.cast(m * 3.0, ms.int32).T, ops.cast(n * 3.0, ms.int32)),  # MatMul
        ),
        lambda: (a(2, 3, 4), a(2, 4, 5), a(4, 3), a(4, 6)),
    ),
    "conv_pool": (
        lambda x, w, wg: (
            ops.conv2d(x, w, pad_mode="pad", padding=(1, 2, 0, 3)),
            ops.conv2d(x, wg, stride=2, dilation=2, groups=2, pad_mode="same"),
            ops.max_pool2d(x, 3, 2, padding=1),
            ops.avg_pool2d(x, 2, 1, padding=1),
            ops.adaptive_avg_pool2d(x, 1),
            ops.adaptive_avg_pool2d(x, (2, 4)),
        ),
        lambda: (a(2, 4, 8, 8), a(5, 4, 3, 3), a(6, 2, 3, 3)),
    ),
    "conv_transpose": (
        lambda x, w: (
            ops.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
            ops.conv_transpose2d(x, w, stride=(2, 1), padding=0, dilation=(1, 2)),
        ),
        lambda: (a(2, 4, 5, 5), a(4, 3, 3, 3)),
    ),
}

CELLS = {
    "norms": (Norms, lambda: (a(2, 4, 3, 5),)),
    "embedding": (Embed, lambda: (ints(2, 7, high=10),)),
    "conv_transpose_same": (
        lambda: nn.Conv2dTranspose(3, 4, 3, stride=2, pad_mode="same", has_bias=True),
        lambda: (a(2, 3, 5, 5),),
    ),
    "conv_transpose_valid": (
        lambda: nn.Conv2dTranspose(3, 2, 2, stride=2, pad_mode="valid"),
        lambda: (a(1, 3, 4, 4),),
    ),
    "leaky_gelu_dense": (
        lambda: nn.SequentialCell(
            nn.Dense(6, 6, activation="gelu"), nn.LeakyReLU(0.3), nn.Dense(6, 2), nn.LogSoftmax()
        ),
        lambda: (a(3, 6),),
    ),
}


@pytest.mark.parametrize("case", sorted(FUNCTIONS))
def test_primitives(onnx, ort, tmp_path, case):
    fn, inputs = FUNCTIONS[case]
    compare(onnx, ort, fn, *inputs(), path=tmp_path / "f.onnx", case=case)


@pytest.mark.parametrize("case", sorted(CELLS))
def test_cells(onnx, ort, tmp_path, case):
    make, inputs = CELLS[case]
    compare(onnx, ort, make().set_train(False), *inputs(), path=tmp_path / "c.onnx", case=case)


def test_outputs_that_are_inputs_constants_or_repeated(onnx, ort, tmp_path):
    def f(x, k):
        y = x * k
        return x, y, y, ops.ones((2,))

    model = compare(onnx, ort, f, a(2, 3), 3.0, path=tmp_path / "o.onnx", case="outputs")
    assert [o.name for o in model.graph.output] == ["out0", "out1", "out2", "out3"]
    assert op_types(model).count("Identity") == 3


def test_weights_sharing_a_name(onnx, ort, tmp_path):
    w1 = ms.Parameter(rng.standard_normal((3, 3)).astype(np.float32), name="w")
    w2 = ms.Parameter(rng.standard_normal((3,)).astype(np.float32), name="w")

    def f(x):
        return ops.matmul(x, w1) * w2

    model = compare(onnx, ort, f, a(2, 3), path=tmp_path / "w.onnx", case="shared_names")
    assert sorted(t.name for t in model.graph.initializer if t.name.startswith("w")) == [
        "w",
        "w#2",
    ]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_models_check(onnx, tmp_path, dtype):
    """float16 and bfloat16 weights and constants are stored as such (onnxruntime's CPU provider
    runs few bfloat16 kernels, so only the checker is asked here)."""
    x = Tensor(np.ones((2, 4), np.float32)).astype(getattr(ms, dtype))
    w = Tensor(np.ones((3, 4), np.float32)).astype(getattr(ms, dtype))

    def f(x):
        return ops.gelu(ops.dense(x, w) * 2.0)

    ms.export(f, x, file_name=tmp_path / "h", file_format="ONNX")
    model = onnx.load(str(tmp_path / "h.onnx"))
    onnx.checker.check_model(model, full_check=True)
    kind = getattr(onnx.TensorProto, dtype.upper())
    assert model.graph.input[0].type.tensor_type.elem_type == kind
    assert {t.data_type for t in model.graph.initializer} == {kind}
    assert all(list(t.dims) in ([], [3, 4]) for t in model.graph.initializer)


def test_graph_conv_pads_are_begin_then_end(onnx, tmp_path):
    def f(x, w):
        return ops.conv2d(x, w, pad_mode="pad", padding=(1, 2, 3, 4))  # top, bottom, left, right

    ms.export(f, a(1, 1, 6, 6), a(1, 1, 3, 3), file_name=tmp_path / "p", file_format="onnx")
    model = onnx.load(str(tmp_path / "p.onnx"))
    conv = next(n for n in model.graph.node if n.op_type == "Conv")
    assert attrs(conv)["pads"] == [1, 3, 2, 4]
    assert [i.name for i in model.graph.input] == ["arg0", "arg1"]


def test_file_names_and_format_case(onnx, tmp_path):
    for fmt, name, written in (
        ("ONNX", "a", "a.onnx"),
        ("onnx", "b.onnx", "b.onnx"),
        ("Onnx", "c.model", "c.model.onnx"),
    ):
        ms.export(mlp(), a(1, 16), file_name=tmp_path / name, file_format=fmt)
        assert (tmp_path / written).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.onnx", "b.onnx", "c.model.onnx"]


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------


def test_unsupported_primitive_names_node_and_lists_supported(onnx, tmp_path):
    path = tmp_path / "u.onnx"
    path.write_bytes(b"old")

    def f(x):
        return ops.remainder(x, 3.0) + 1.0

    with pytest.raises(MindValueError) as info:
        ms.export(f, a(2, 3), file_name=path, file_format="ONNX")
    msg = str(info.value)
    assert "primitive 'mod' has no ONNX mapping" in msg
    assert "= mod(%1, %" in msg and "of graph 'f'" in msg
    assert "Primitives that export to ONNX: " in msg and "conv2d" in msg and "softmax" in msg
    assert path.read_bytes() == b"old"  # left as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["u.onnx"]


@pytest.mark.parametrize(
    "fn, inputs, match",
    [
        (lambda x: x[Tensor(np.array([0, 2]))], (a(3, 4),), r"integer-array and boolean-mask"),
        (lambda x: ops.adaptive_avg_pool2d(x, 3), (a(1, 2, 8, 8),), r"output_size \(3, 3\)"),
        (
            lambda x: ops.dropout(x, 0.5, training=True, seed=1),
            (a(2, 3),),
            r"has no ONNX mapping",
        ),
    ],
    ids=["advanced_index", "adaptive_uneven", "random"],
)
def test_unsupported_attributes(onnx, tmp_path, fn, inputs, match):
    with pytest.raises(MindValueError, match=match) as info:
        ms.export(fn, *inputs, file_name=tmp_path / "u", file_format="ONNX")
    assert "For 'export' (ONNX), node %" in str(info.value)
    assert not list(tmp_path.iterdir())


def test_bad_opset(onnx, tmp_path):
    compiled = _jit(mlp()).compile(a(1, 16))
    weights = onnx_export.weight_arrays(compiled.graph, compiled.weights)
    with pytest.raises(MindValueError, match=r"'opset' must be from 17 to 18, got 16"):
        onnx_export.export_onnx(compiled.graph, weights, tmp_path / "m.onnx", opset=16)
    with pytest.raises(MindValueError, match=r"'opset' must be from 17 to 18, got 20"):
        onnx_export.export_onnx(compiled.graph, weights, tmp_path / "m.onnx", opset=20)
    with pytest.raises(MindTypeError, match=r"'opset' must be an int"):
        onnx_export.export_onnx(compiled.graph, weights, tmp_path / "m.onnx", opset="17")
    with pytest.raises(MindValueError, match=r"no array given for weight '0.weight'"):
        onnx_export.export_onnx(compiled.graph, {}, tmp_path / "m.onnx")
    assert not list(tmp_path.iterdir())


def test_write_failure_is_a_mindir_error(onnx, tmp_path):
    with pytest.raises(MindIRError, match=r"could not write"):
        ms.export(mlp(), a(1, 16), file_name=tmp_path / "no" / "m", file_format="ONNX")


def test_missing_onnx_package(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now raises ImportError
    with pytest.raises(MindValueError) as info:
        ms.export(mlp(), a(1, 16), file_name=tmp_path / "m", file_format="ONNX")
    assert "ONNX export needs the 'onnx' package: pip install mind-core[onnx]" in str(info.value)
    assert not list(tmp_path.iterdir())
    ms.export(mlp(), a(1, 16), file_name=tmp_path / "m")  # MindIR needs no onnx
    assert [p.name for p in tmp_path.iterdir()] == ["m.mindir"]


def test_supported_list():
    assert {"matmul", "conv2d", "max_pool2d", "avg_pool2d", "getitem", "cast", "gelu"} <= set(
        onnx_export.SUPPORTED
    )
    assert list(onnx_export.SUPPORTED) == sorted(onnx_export.SUPPORTED)
