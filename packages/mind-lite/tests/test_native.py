"""The generated-C backend: the same outputs as the numpy kernels, its plan cached by mind-core's
build cache, and a warm load that imports none of mind-core's compiler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import mind.lite as mslite

pytestmark = pytest.mark.skipif(
    shutil.which(os.environ.get("CC", "cc")) is None, reason="no C compiler on this machine"
)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("MIND_CACHE_DIR", str(folder))
    return folder


def _model(path: str, backend: str, monkeypatch) -> mslite.Model:
    monkeypatch.setenv("MIND_LITE_BACKEND", backend)
    model = mslite.Model()
    model.build_from_file(path, mslite.ModelType.MINDIR_LITE)
    return model


@pytest.mark.parametrize("which", ["lenet_mindir", "convbn_mindir"])
def test_native_matches_numpy(which, request, tmp_path, cache, monkeypatch):
    mindir = request.getfixturevalue(which)
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, mindir, str(tmp_path / "m"))
    native = _model(out, "auto", monkeypatch)
    numpy_ = _model(out, "numpy", monkeypatch)
    assert native.backend == "native", native.backend_reason
    assert numpy_.backend == "numpy"
    shape = native.get_inputs()[0].shape
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
        for a, b in zip(native.run([x]), numpy_.run([x]), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert any(p.name.startswith("lite-") for p in (cache / "native").iterdir())  # the plan


def test_warm_load_imports_no_compiler(lenet_mindir, tmp_path, cache):
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "m"))
    code = (
        "import json, sys, numpy as np, mind.lite as m\n"
        "model = m.Model(); model.build_from_file(sys.argv[1])\n"
        "y = model.run([np.ones((1, 1, 32, 32), np.float32)])[0]\n"
        "mods = sorted(k for k in sys.modules if k.startswith('mind.core'))\n"
        "asked = sorted(k for k in ('cffi', 'scipy_openblas32', 'subprocess') if k in sys.modules)\n"
        "print(json.dumps([model.backend, mods, y.tolist(), asked]))\n"
    )
    env = {**os.environ, "MIND_CACHE_DIR": str(cache)}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code, out],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout
        )
        for _ in range(2)
    ]
    (first_backend, first_modules, first_y, first_asked), (backend, modules, y, asked) = runs
    assert first_backend == backend == "native"
    assert any(m.startswith("mind.core._src") for m in first_modules)  # generated the plan
    assert first_asked == ["cffi", "scipy_openblas32", "subprocess"]  # and built the module
    assert asked == []  # the warm start asks no compiler, OpenBLAS or cffi for the module's key
    assert modules == [
        "mind.core",
        "mind.core._base",
        "mind.core._base.atomic",
        "mind.core._base.native_build",
        "mind.core.errors",
    ]
    np.testing.assert_array_equal(y, first_y)


def test_resize_plans_the_c_again(tmp_path, cache, monkeypatch):
    import mind.core as ms
    from mind.core import nn

    net = nn.SequentialCell(nn.Dense(5, 3), nn.ReLU())
    net.set_train(False)
    path = str(tmp_path / "mlp")
    ms.export(net, ms.Tensor(np.zeros((1, 5), np.float32)), file_name=path, file_format="MINDIR")
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, path + ".mindir", path)
    model = _model(out, "auto", monkeypatch)
    assert model.backend == "native"
    inputs = model.get_inputs()
    model.resize(inputs, [[4, 5]])
    assert model.backend == "native", model.backend_reason
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    inputs[0].set_data_from_numpy(x)
    w, b = (p.asnumpy() for p in net.get_parameters())
    np.testing.assert_allclose(
        model.predict(inputs)[0].get_data_to_numpy(),
        np.maximum(x @ w.T + b, 0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_plans_of_graphs_differing_only_in_a_small_constant_do_not_collide(
    tmp_path, cache, monkeypatch
):
    """A 0-d constant may be written into the plan by value, so its value is part of the key."""
    from mind.lite._src.graph import LiteGraph, Node, ValueInfo

    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    outs = []
    for eps in (1e-5, 0.5):
        graph = LiteGraph(
            [ValueInfo("x", "float32", (2, 3))],
            [ValueInfo("y", "float32", (2, 3))],
            [Node("add", "add", ["x", "eps"], ["s"]), Node("sqrt", "sqrt", ["s"], ["y"])],
            {"eps": np.asarray(eps, np.float32)},
        )
        path = str(tmp_path / f"m{eps}.ms")
        lite_format_write(graph, path)
        model = mslite.Model()
        model.build_from_file(path, mslite.ModelType.MINDIR_LITE)
        assert model.backend == "native", model.backend_reason
        outs.append(model.run([np.ones((2, 3), np.float32)])[0])
    np.testing.assert_allclose(outs[0], np.sqrt(1 + 1e-5), rtol=1e-6)
    np.testing.assert_allclose(outs[1], np.sqrt(1.5), rtol=1e-6)


def lite_format_write(graph, path):
    from mind.lite._src import format as lite_format

    lite_format.write(graph, path)


def test_thread_num_sets_the_blas_threads(lenet_mindir, tmp_path, cache, monkeypatch):
    from mind.lite._src.native import blas_threads

    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "m"))
    before = blas_threads()
    try:
        context = mslite.Context()
        context.cpu.thread_num = 1
        model = mslite.Model()
        model.build_from_file(out, mslite.ModelType.MINDIR_LITE, context)
        assert model.backend == "native" and blas_threads() == 1
        x = np.ones((1, 1, 32, 32), np.float32)
        one = model.run([x])[0]
        blas_threads(2)
        np.testing.assert_allclose(model.run([x])[0], one, rtol=1e-6, atol=1e-7)
    finally:
        blas_threads(before)


@pytest.mark.parametrize(
    ("stride", "pads", "output_padding", "groups"),
    [
        ((2, 2), (0, 0, 0, 0), (0, 0), 1),
        ((2, 1), (1, 0, 1, 1), (1, 0), 2),
        ((3, 3), (1, 1, 1, 1), (2, 1), 1),
    ],
)
def test_conv_transpose_runs_as_c(
    tmp_path, cache, monkeypatch, stride, pads, output_padding, groups
):
    from mind.lite._src import format as lite_format
    from mind.lite._src.graph import LiteGraph, Node, ValueInfo
    from mind.lite._src.kernels import KERNELS

    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 6 // groups, 3, 2)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    attrs = {
        "stride": stride,
        "pads": pads,
        "dilation": (1, 1),
        "groups": groups,
        "output_padding": output_padding,
    }
    x = rng.standard_normal((1, 4, 5, 4)).astype(np.float32)
    want = KERNELS["conv_transpose2d"](x, w, b, **attrs)
    graph = LiteGraph(
        [ValueInfo("x", "float32", x.shape)],
        [ValueInfo("y", "float32", want.shape)],
        [Node("conv_transpose2d", "up", ["x", "w", "b"], ["y"], attrs)],
        {"w": w, "b": b},
    )
    path = str(tmp_path / "t.ms")
    lite_format.write(graph, path)
    model = _model(path, "auto", monkeypatch)
    # mind-core's lowering has C for ungrouped transposed convolutions; a grouped one runs the
    # model on the numpy kernels
    assert model.backend == ("native" if groups == 1 else "numpy"), model.backend_reason
    np.testing.assert_allclose(model.run([x])[0], want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("depth", "width", "bias", "activation"),
    [
        (784, 512, True, "relu"),
        (37, 10, False, None),
        (300, 33, True, "relu6"),
        (64, 6, True, "gelu"),
    ],
)
def test_batch_one_dense_layers_run_the_threaded_gemv(
    depth, width, bias, activation, cache, monkeypatch
):
    """A float32 dense layer at batch 1 runs as the plan's own GEMV (rows split over threads):
    numpy's values, and the same bits whatever the thread count."""
    from mind.lite._src.graph import LiteGraph, Node, ValueInfo
    from mind.lite._src.kernels import KERNELS
    from mind.lite._src.native_lower import generate

    rng = np.random.default_rng(depth)
    tensors = {"w": rng.standard_normal((width, depth)).astype(np.float32)}
    inputs = ["x", "w"]
    if bias:
        tensors["b"] = rng.standard_normal(width).astype(np.float32)
        inputs.append("b")
    attrs = {"transpose_b": True, "activation": activation}
    graph = LiteGraph(
        [ValueInfo("x", "float32", (1, depth))],
        [ValueInfo("y", "float32", (1, width))],
        [Node("dense_fused", "fc", inputs, ["y"], attrs)],
        tensors,
    )
    assert "mlg_dense(" in generate(graph)["source"]
    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    model = mslite.Model()
    model._build(graph)
    assert model.backend == "native", model.backend_reason
    x = rng.standard_normal((1, depth)).astype(np.float32)
    want = KERNELS["dense_fused"](x, *[tensors[n] for n in inputs[1:]], **attrs)
    runs = []
    for count in (1, 2, 3, 5, 0):  # rows go in fours: the same bits whatever the split
        model._native.set_threads(count)
        runs.append(model.run([x])[0])
    np.testing.assert_allclose(runs[0], want, rtol=1e-5, atol=1e-5)
    for other in runs[1:]:
        np.testing.assert_array_equal(other, runs[0])


def test_a_batch_one_dense_layer_with_a_broadcast_bias_keeps_the_blas_path(cache, monkeypatch):
    from mind.lite._src.graph import LiteGraph, Node, ValueInfo
    from mind.lite._src.native_lower import generate

    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((20, 30)).astype(np.float32), np.full(1, 0.5, np.float32)
    graph = LiteGraph(
        [ValueInfo("x", "float32", (1, 30))],
        [ValueInfo("y", "float32", (1, 20))],
        [Node("dense_fused", "fc", ["x", "w", "b"], ["y"], {"transpose_b": True})],
        {"w": w, "b": b},
    )
    assert "mlg_dense(" not in generate(graph)["source"]  # the GEMV reads one bias per row
    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    model = mslite.Model()
    model._build(graph)
    x = rng.standard_normal((1, 30)).astype(np.float32)
    np.testing.assert_allclose(model.run([x])[0], x @ w.T + 0.5, rtol=1e-5, atol=1e-5)
