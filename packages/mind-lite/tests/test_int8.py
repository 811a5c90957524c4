"""int8 layers: the integer kernels compute the fake-quant model's values, in numpy and in C
(AVX-512 VNNI where the CPU has it, and the portable loops)."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

import mind.lite as mslite
from mind.lite._src import int8
from mind.lite._src.graph import LiteGraph, Node, QuantParam, ValueInfo
from mind.lite._src.kernels import ACTIVATIONS, KERNELS
from mind.lite._src.qmath import activation_grid, fake_quant_act
from mind.lite._src.quantize import dequantize

needs_cc = pytest.mark.skipif(
    shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler on this machine"
)

X_SCALE, X_ZERO = 0.021, -7


def _input_quant(dynamic: bool) -> Node:
    if dynamic:
        return Node("fake_quant_dynamic", "q", ["x"], ["xq"], {})
    return Node("fake_quant", "q", ["x"], ["xq"], {"scale": X_SCALE, "zero_point": X_ZERO})


def _conv(shape, out, kernel, stride=1, pads=0, dilation=1, activation=None, dynamic=False):
    rng = np.random.default_rng(0)
    n, c, h, w = shape
    weight = rng.integers(-127, 128, (out, c, kernel, kernel)).astype(np.int8)
    fq = _input_quant(dynamic)
    pads = (pads,) * 4 if isinstance(pads, int) else pads
    attrs = {
        "stride": (stride, stride),
        "pads": pads,
        "dilation": (dilation, dilation),
        "groups": 1,
        "activation": activation,
    }
    layer = Node("conv2d_fused", "conv", ["xq", "w", "b"], ["y"], attrs)
    oh = (h + pads[0] + pads[1] - dilation * (kernel - 1) - 1) // stride + 1
    ow = (w + pads[2] + pads[3] - dilation * (kernel - 1) - 1) // stride + 1
    return LiteGraph(
        [ValueInfo("x", "float32", shape)],
        [ValueInfo("y", "float32", (n, out, oh, ow))],
        [fq, layer],
        {"w": weight, "b": rng.standard_normal(out).astype(np.float32)},
        {"w": QuantParam(tuple(rng.uniform(1e-3, 1e-2, out)), (0,) * out, 0)},
    )


def _dense(shape, out, activation=None, transpose_b=True, op="dense_fused", dynamic=False):
    rng = np.random.default_rng(0)
    depth = shape[-1]
    weight = rng.integers(-127, 128, (out, depth) if transpose_b else (depth, out)).astype(np.int8)
    fq = _input_quant(dynamic)
    if op == "matmul":
        layer = Node(
            op, "fc", ["xq", "w"], ["y"], {"transpose_a": False, "transpose_b": transpose_b}
        )
        tensors = {"w": weight}
    else:
        attrs = {"transpose_b": transpose_b, "activation": activation}
        layer = Node(op, "fc", ["xq", "w", "b"], ["y"], attrs)
        tensors = {"w": weight, "b": rng.standard_normal(out).astype(np.float32)}
    return LiteGraph(
        [ValueInfo("x", "float32", shape)],
        [ValueInfo("y", "float32", (*shape[:-1], out))],
        [fq, layer],
        tensors,
        {"w": QuantParam(tuple(rng.uniform(1e-3, 1e-2, out)), (0,) * out, 0 if transpose_b else 1)},
    )


def _fake_quant_reference(graph: LiteGraph, x: np.ndarray) -> np.ndarray:
    """The float model: the input on its grid, the weight dequantized, the float kernel."""
    fq, layer = graph.nodes
    w = dequantize(graph.tensors["w"], graph.quant["w"])
    xq = KERNELS[fq.op](x, **fq.attrs)  # fake_quant: qmath's grid; dynamic: x's own range
    extra = [graph.tensors[n] for n in layer.inputs[2:]]
    return KERNELS[layer.op](xq, w, *extra, **layer.attrs)


CONVS = {
    "lenet1": ((1, 1, 32, 32), 6, 5, {}),
    "padded": ((2, 3, 9, 11), 8, 3, {"pads": 1, "activation": "relu"}),
    "stride2": ((1, 5, 12, 12), 20, 3, {"stride": 2, "pads": (1, 0, 0, 1), "activation": "relu6"}),
    "dilated": ((1, 4, 13, 13), 17, 3, {"dilation": 2, "pads": 2}),
    "pointwise": ((1, 64, 4, 4), 33, 1, {}),
    "gelu": ((1, 2, 6, 6), 3, 3, {"activation": "gelu", "pads": 1}),
    "threaded": ((1, 64, 16, 16), 40, 3, {"pads": 1}),  # 5.9M multiply-adds: split over threads
    "deep": ((1, 192, 4, 4), 13, 3, {"pads": 1}),  # one vector a tile: tiles of 8 and 5 rows
}
DENSES = {
    "row": ((1, 37), 10, {"activation": "relu"}),
    "rows": ((2, 5, 64), 70, {}),
    "matmul": ((3, 19), 16, {"op": "matmul", "transpose_b": False}),
    "tanh": ((4, 8), 33, {"activation": "tanh"}),
    "dynamic": ((3, 40), 24, {"dynamic": True, "activation": "relu"}),
    "dense_threaded": ((64, 512), 256, {}),  # 8.4M multiply-adds: form 1 split over threads
}
CONVS["dynamic_conv"] = ((2, 3, 7, 7), 5, 3, {"pads": 1, "dynamic": True})


def _cases():
    for name, (shape, out, kernel, kw) in CONVS.items():
        yield name, _conv(shape, out, kernel, **kw), shape
    for name, (shape, out, kw) in DENSES.items():
        yield name, _dense(shape, out, **kw), shape


CASES = {name: (graph, shape) for name, graph, shape in _cases()}


@pytest.mark.parametrize("name", CASES)
def test_integer_kernels_compute_the_fake_quant_model(name):
    graph, shape = CASES[name]
    lowered = int8.int8_layers(graph)
    assert [n.op for n in lowered.nodes] == ["lite_qconv2d" if name in CONVS else "lite_qdense"]
    assert lowered.quant == {} and "w" not in lowered.tensors  # the packed copy replaces it
    node = lowered.nodes[0]
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32) * 2
    got = KERNELS[node.op](x, *[lowered.tensors[n] for n in node.inputs[1:]], **node.attrs)
    want = _fake_quant_reference(graph, x)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def test_layers_without_an_int8_form_stay_float():
    grouped = _conv((1, 4, 6, 6), 4, 3)
    grouped.nodes[1].attrs["groups"] = 2
    grouped.tensors["w"] = grouped.tensors["w"][:, :2]
    lowered = int8.int8_layers(grouped)
    assert [n.op for n in lowered.nodes] == ["fake_quant", "conv2d_fused"]
    assert lowered.tensors["w"].dtype == np.float32  # dequantized for the float kernel
    deep = _dense((1, 66_400), 2)  # 255 * 127 * 66,400 > 2^31: int32 sums could overflow
    assert [n.op for n in int8.int8_layers(deep).nodes] == ["fake_quant", "dense_fused"]


def _native(graph, monkeypatch):
    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    model = mslite.Model()
    model._build(graph)
    assert model.backend == "native", model.backend_reason
    return model


@needs_cc
@pytest.mark.parametrize("portable", [False, True], ids=["cpu-features", "portable"])
def test_c_matches_the_integer_kernels(portable, tmp_path, monkeypatch):
    from mind.core.testing import cache_dir

    if portable:  # the loops a CPU without AVX-512 (VNNI) runs
        undef = "#undef __AVX512VNNI__\n#undef __AVX512F__\n"
        monkeypatch.setattr(int8, "C_PRELUDE", undef + int8.C_PRELUDE)
    with cache_dir(tmp_path):
        rng = np.random.default_rng(4)
        w, b = rng.standard_normal((13, 70)).astype(np.float32), np.ones(13, np.float32)
        dense = LiteGraph(  # a float32 dense layer at batch 1: the threaded GEMV
            [ValueInfo("x", "float32", (1, 70))],
            [ValueInfo("y", "float32", (1, 13))],
            [Node("dense_fused", "fc", ["x", "w", "b"], ["y"], {"activation": "relu"})],
            {"w": w, "b": b},
        )
        x = rng.standard_normal((1, 70)).astype(np.float32)
        got = _native(dense, monkeypatch).run([x])[0]
        np.testing.assert_allclose(got, np.maximum(x @ w.T + b, 0), rtol=1e-5, atol=1e-5)
        for name, (graph, shape) in CASES.items():
            model = _native(graph, monkeypatch)
            assert model._native.fallback == {}, name  # every step is C
            x = np.random.default_rng(5).standard_normal(shape).astype(np.float32) * 2
            lowered = int8.int8_layers(graph)
            node = lowered.nodes[0]
            want = KERNELS[node.op](x, *[lowered.tensors[n] for n in node.inputs[1:]], **node.attrs)
            if node.attrs["activation"] not in int8.C_ACTIVATIONS:  # applied after, as its own op
                want = KERNELS[node.op](
                    x,
                    *[lowered.tensors[n] for n in node.inputs[1:]],
                    **{**node.attrs, "activation": None},
                )
                want = ACTIVATIONS[node.attrs["activation"]](want)
            np.testing.assert_allclose(model.run([x])[0], want, rtol=1e-5, atol=1e-5, err_msg=name)


@needs_cc
def test_int8_model_resizes(monkeypatch):
    graph, _ = CASES["rows"]
    model = _native(graph, monkeypatch)
    inputs = model.get_inputs()
    model.resize(inputs, [[3, 2, 64]])
    assert model.backend == "native", model.backend_reason
    x = np.random.default_rng(1).standard_normal((3, 2, 64)).astype(np.float32)
    np.testing.assert_allclose(
        model.run([x])[0], _fake_quant_reference(graph, x), rtol=1e-4, atol=1e-4
    )


def test_dynamic_grid_is_the_inputs_own_range():
    x = np.array([[-0.5, 0.25, 2.0]], np.float32)
    scale, zero = activation_grid(-0.5, 2.0)
    np.testing.assert_array_equal(KERNELS["fake_quant_dynamic"](x), fake_quant_act(x, scale, zero))
    graph, shape = CASES["dynamic"]
    node = int8.int8_layers(graph).nodes[0]
    assert node.attrs["dynamic"] and node.inputs[3].endswith("/scale")
    assert int8.int8_layers(graph).tensors[node.inputs[3]].dtype == np.float64  # times s_x later


@needs_cc
def test_threads_split_the_work_not_the_values(monkeypatch):
    graph, shape = CASES["threaded"]
    model = _native(graph, monkeypatch)
    x = np.random.default_rng(8).standard_normal(shape).astype(np.float32)
    results = []
    for count in (1, 2, 3, 0):  # 0: the online CPUs
        model._native.set_threads(count)
        results.append(model.run([x])[0])
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])  # integer sums: the same bits


@needs_cc
@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_forked_child_runs_without_the_parents_workers(monkeypatch):
    graph, shape = CASES["threaded"]
    model = _native(graph, monkeypatch)
    x = np.random.default_rng(9).standard_normal(shape).astype(np.float32)
    want = model.run([x])[0]  # the parent's workers exist now
    pid = os.fork()
    if pid == 0:  # the child: its pool starts afresh (a stale one would wait forever)
        code = 1
        try:
            import signal

            signal.alarm(30)
            code = 0 if np.array_equal(model.run([x])[0], want) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_a_file_cannot_name_the_runtimes_internal_ops(tmp_path):
    """The int8 ops' C trusts their attributes; only the runtime makes them, never a file."""
    from mind.lite._src import format as lite_format
    from mind.lite.errors import LiteFormatError

    graph, _ = CASES["padded"]
    path = str(tmp_path / "crafted.ms")
    lite_format.write(int8.int8_layers(graph), path)
    with pytest.raises(LiteFormatError, match="no kernel for op 'lite_qconv2d'"):
        mslite.Model().build_from_file(path)
