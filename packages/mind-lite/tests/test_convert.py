"""Converted models compute what mind-core computes; the optimizer folds what it says it folds."""

from __future__ import annotations

import numpy as np
import pytest

import mind.core as ms
import mind.lite as mslite
from mind.core import nn, ops
from mind.lite._src import format as lite_format
from mind.lite._src.cli import main
from mind.lite.errors import LiteConvertError, LiteRuntimeError


def _predict(path: str, *arrays: np.ndarray) -> list[np.ndarray]:
    model = mslite.Model()
    model.build_from_file(path, mslite.ModelType.MINDIR_LITE, mslite.Context())
    inputs = model.get_inputs()
    for t, a in zip(inputs, arrays, strict=True):
        t.set_data_from_numpy(a)
    return [t.get_data_to_numpy() for t in model.predict(inputs)]


@pytest.mark.parametrize("optimize", ["general", "none"])
def test_lenet_converts_and_predicts_as_mind_core(lenet_mindir, tmp_path, optimize, reference):
    converter = mslite.Converter()
    converter.optimize = optimize
    out = converter.convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "lenet"))
    assert out.endswith("lenet.ms")
    x = np.random.default_rng(0).random((1, 1, 32, 32), np.float32)
    (got,) = _predict(out, x)
    (want,) = reference(lenet_mindir, x)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_optimizer_folds_bias_and_activations(lenet_mindir, tmp_path):
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "l"))
    ops_ = [n.op for n in lite_format.read(out).nodes]
    # conv+relu (x2) and dense+bias(+relu) (x3): no separate add or relu is left
    assert (
        ops_
        == ["conv2d_fused", "max_pool2d", "conv2d_fused", "max_pool2d", "reshape"]
        + ["dense_fused"] * 3
    )


def test_batch_norm_folds_into_convolutions(convbn_mindir, tmp_path, reference):
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, convbn_mindir, str(tmp_path / "c"))
    graph = lite_format.read(out)
    convs = [n for n in graph.nodes if n.op == "conv2d_fused"]
    assert len(convs) == 2 and {c.attrs["activation"] for c in convs} == {"gelu_tanh", "relu"}
    assert not any(n.op == "conv2d" for n in graph.nodes)
    # no moving statistics survive: each batch norm became its convolution's weights and bias
    assert not any("moving" in name for name in graph.tensors)
    x = np.random.default_rng(2).standard_normal((2, 3, 8, 8)).astype(np.float32)
    got = _predict(out, x)
    want = reference(convbn_mindir, x)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)


def test_load_a_mindir_directly(convbn_mindir, reference):
    model = mslite.Model()
    model.build_from_file(convbn_mindir, mslite.ModelType.MINDIR)
    x = np.ones((2, 3, 8, 8), np.float32)
    inputs = model.get_inputs()
    inputs[0].set_data_from_numpy(x)
    got = [t.get_data_to_numpy() for t in model.predict(inputs)]
    for g, w in zip(got, reference(convbn_mindir, x), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)


def test_predict_checks_its_inputs(convbn_mindir, tmp_path):
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, convbn_mindir, str(tmp_path / "c"))
    model = mslite.Model()
    model.build_from_file(out, mslite.ModelType.MINDIR_LITE)
    inputs = model.get_inputs()
    with pytest.raises(LiteRuntimeError, match="has shape \\[3, 3, 8, 8\\].*Model.resize"):
        inputs[0].set_data_from_numpy(np.zeros((3, 3, 8, 8), np.float32))
        model.predict(inputs)
    with pytest.raises(LiteRuntimeError, match="must be float32, got float64"):
        inputs[0].set_data_from_numpy(np.zeros((2, 3, 8, 8)))
        model.predict(inputs)


def test_resize_runs_another_batch(tmp_path):
    ms.set_seed(3)
    net = nn.SequentialCell(nn.Dense(5, 7), nn.Tanh(), nn.Dense(7, 3))
    path = str(tmp_path / "mlp")
    net.set_train(False)
    ms.export(net, ms.Tensor(np.zeros((1, 5), np.float32)), file_name=path, file_format="MINDIR")
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, path + ".mindir", path)
    model = mslite.Model()
    model.build_from_file(out, mslite.ModelType.MINDIR_LITE)
    inputs = model.get_inputs()
    model.resize(inputs, [[4, 5]])
    assert inputs[0].shape == [4, 5]
    x = np.random.default_rng(4).standard_normal((4, 5)).astype(np.float32)
    inputs[0].set_data_from_numpy(x)
    (got,) = model.predict(inputs)
    w1, b1, w2, b2 = (p.asnumpy() for p in net.get_parameters())
    want = np.tanh(x @ w1.T + b1) @ w2.T + b2  # numpy, independently
    np.testing.assert_allclose(got.get_data_to_numpy(), want, rtol=1e-5, atol=1e-6)


def test_unsupported_op_is_refused_naming_it(tmp_path):
    class Cum(nn.Cell):
        def construct(self, x):
            return ops.cumsum(x, 1) * 2

    path = str(tmp_path / "cum")
    Cum().set_train(False)
    ms.export(Cum(), ms.Tensor(np.ones((2, 3), np.float32)), file_name=path, file_format="MINDIR")
    with pytest.raises(LiteConvertError, match="op type 'cumsum' \\(node %\\d+ \\(cumsum\\)\\)"):
        mslite.Converter().convert(mslite.FmkType.MINDIR, path + ".mindir", str(tmp_path / "out"))
    assert not (tmp_path / "out.ms").exists()  # never a partial model


def test_cli_convert_and_info(lenet_mindir, tmp_path, capsys):
    out = tmp_path / "cli"
    assert (
        main(["convert", "--fmk=MINDIR", f"--modelFile={lenet_mindir}", f"--outputFile={out}"]) == 0
    )
    assert "CONVERT RESULT SUCCESS" in capsys.readouterr().out
    assert main(["info", str(out) + ".ms"]) == 0
    assert "conv2d_fused" in capsys.readouterr().out
    assert (
        main(["convert", "--fmk=CAFFE", f"--modelFile={lenet_mindir}", f"--outputFile={out}"]) == 1
    )
    assert "not supported yet" in capsys.readouterr().err


def test_benchmark_reports_latency_and_checks_accuracy(lenet_mindir, tmp_path, capsys, reference):
    out = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "b"))
    x = np.random.default_rng(5).random((1, 1, 32, 32), np.float32)
    np.save(tmp_path / "in.npy", x)
    np.save(tmp_path / "out.npy", reference(lenet_mindir, x)[0])
    np.save(tmp_path / "wrong.npy", reference(lenet_mindir, x)[0] + 1.0)
    args = [
        "benchmark",
        f"--modelFile={out}",
        "--loopCount=5",
        f"--inDataFile={tmp_path / 'in.npy'}",
    ]
    assert main([*args, f"--benchmarkDataFile={tmp_path / 'out.npy'}"]) == 0
    text = capsys.readouterr().out
    assert "over 5 runs: min = " in text and "p99 = " in text
    bias = float(text.split("Mean bias of all nodes/tensors: ")[1].rstrip("%\n"))
    assert bias < 1e-4
    assert main([*args, f"--benchmarkDataFile={tmp_path / 'wrong.npy'}"]) == 1
    assert "exceeds --accuracyThreshold=0.5%" in capsys.readouterr().err


def test_export_and_load_go_through_the_model_format_hook(tmp_path):
    """mind-lite registers MINDIR_LITE with mind-core's mind_register_model_formats: export
    writes an optimized .ms, load gives a runnable mind.lite.Model."""
    ms.set_seed(5)
    net = nn.SequentialCell(nn.Dense(6, 4), nn.ReLU(), nn.Dense(4, 2))
    net.set_train(False)
    x = np.random.default_rng(5).standard_normal((3, 6)).astype(np.float32)
    ms.export(net, ms.Tensor(x), file_name=str(tmp_path / "net"), file_format="MINDIR_LITE")
    path = tmp_path / "net.ms"
    assert [n.op for n in lite_format.read(str(path)).nodes] == ["dense_fused", "dense_fused"]
    model = ms.load(str(path))
    assert isinstance(model, mslite.Model)
    np.testing.assert_allclose(model.run([x])[0], net(ms.Tensor(x)).asnumpy(), rtol=1e-5, atol=1e-6)


def test_fp16_halves_the_weights_and_computes_in_float32(
    convbn_mindir, tmp_path, reference, capsys
):
    out32 = mslite.Converter().convert(mslite.FmkType.MINDIR, convbn_mindir, str(tmp_path / "f32"))
    assert (
        main(
            [
                "convert",
                "--fmk=MINDIR",
                f"--modelFile={convbn_mindir}",
                f"--outputFile={tmp_path / 'f16'}",
                "--fp16=on",
            ]
        )
        == 0
    )
    out16 = str(tmp_path / "f16.ms")
    g32, g16 = lite_format.read(out32), lite_format.read(out16)
    big = [k for k, a in g32.tensors.items() if a.size > 8]
    assert big and all(g16.tensors[k].dtype == np.float16 for k in big)
    assert sum(a.nbytes for a in g16.tensors.values()) < 0.55 * sum(
        a.nbytes for a in g32.tensors.values()
    )
    x = np.random.default_rng(9).standard_normal((2, 3, 8, 8)).astype(np.float32)
    model = mslite.Model()
    model.build_from_file(out16, mslite.ModelType.MINDIR_LITE)
    got = model.run([x])
    assert all(g.dtype == np.float32 for g in got)
    for g, w in zip(got, reference(convbn_mindir, x), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-2, atol=1e-2)  # float16's 11-bit mantissa
