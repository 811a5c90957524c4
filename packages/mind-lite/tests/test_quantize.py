"""Post-training quantization: the config file, int8 weights, calibrated int8 activations."""

from __future__ import annotations

import numpy as np
import pytest

import mind.lite as mslite
from mind.lite._src import format as lite_format
from mind.lite._src.quantize import _range_kl, activation_param, dequantize, read_config
from mind.lite.errors import LiteConvertError

WEIGHT = "[common_quant_param]\nquant_type=WEIGHT_QUANT\nbit_num=8\nmin_quant_weight_channel=0\n"
FULL = (
    "[common_quant_param]\nquant_type=FULL_QUANT\nmin_quant_weight_channel=0\n"
    "[data_preprocess_param]\ncalibrate_path={name}:{folder}\ncalibrate_size=8\ninput_type={kind}\n"
    "[full_quant_param]\nactivation_quant_method={method}\n"
)


def _write(tmp_path, text: str, name: str = "q.cfg") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _run(path: str, x: np.ndarray, backend: str, monkeypatch) -> list[np.ndarray]:
    monkeypatch.setenv("MIND_LITE_BACKEND", backend)
    model = mslite.Model()
    model.build_from_file(path, mslite.ModelType.MINDIR_LITE)
    return model.run([x])


def _calibration(tmp_path, shape, kind="NPY", count=8):
    folder = tmp_path / "calib"
    folder.mkdir()
    rng = np.random.default_rng(7)
    for i in range(count):
        x = rng.standard_normal(shape).astype(np.float32)
        if kind == "NPY":
            np.save(folder / f"{i}.npy", x)
        else:
            x.tofile(folder / f"{i}.bin")
    return str(folder)


def test_config_file_is_read_and_checked(tmp_path):
    config = read_config(
        _write(tmp_path, FULL.format(name="x", folder="/d", kind="BIN", method="KL"))
    )
    assert (config.quant_type, config.activation_quant_method, config.calibrate_size) == (
        "FULL_QUANT",
        "KL",
        8,
    )
    assert config.calibrate_path == {"x": "/d"}
    for text, message in [
        ("[common_quant_param]\nquant_typ=FULL_QUANT\n", "unknown key 'quant_typ'"),
        ("[common_quant_param]\nquant_type=HALF_QUANT\n", "quant_type is WEIGHT_QUANT"),
        ("[common_quant_param]\nbit_num=4\n", "8 bits"),
        ("[strange]\na=1\n", "unknown section \\[strange\\]"),
        ("[data_preprocess_param]\ncalibrate_path=nofolder\n", "input_name:folder"),
    ]:
        with pytest.raises(LiteConvertError, match=message):
            read_config(_write(tmp_path, text))


def test_weight_quant_stores_int8_per_channel(convbn_mindir, tmp_path, monkeypatch, reference):
    fp32 = mslite.Converter().convert(mslite.FmkType.MINDIR, convbn_mindir, str(tmp_path / "fp32"))
    int8 = mslite.Converter().convert(
        mslite.FmkType.MINDIR,
        convbn_mindir,
        str(tmp_path / "int8"),
        config_file=_write(tmp_path, WEIGHT),
    )
    g32, g8 = lite_format.read(fp32), lite_format.read(int8)
    quantized = [name for name, a in g8.tensors.items() if a.dtype == np.int8]
    assert len(quantized) == 3 and set(quantized) == set(g8.quant)  # two convolutions, one dense
    for name in quantized:
        w, param = g32.tensors[name], g8.quant[name]
        axis = param.axis
        assert len(param.scale) == w.shape[axis]
        channel_max = np.abs(np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)).max(axis=1)
        np.testing.assert_allclose(param.scale, channel_max / 127, rtol=1e-6)
        err = np.abs(dequantize(g8.tensors[name], param) - w)
        bound = np.expand_dims(
            np.asarray(param.scale) / 2, tuple(i for i in range(w.ndim) if i != axis)
        )
        assert np.all(err <= bound * 1.0001)
    x = np.random.default_rng(3).standard_normal((2, 3, 8, 8)).astype(np.float32)
    want = reference(convbn_mindir, x)
    for got, w in zip(_run(int8, x, "numpy", monkeypatch), want, strict=True):
        np.testing.assert_allclose(got, w, atol=0.05)


@pytest.mark.parametrize(
    ("method", "kind"), [("MAX_MIN", "NPY"), ("KL", "BIN"), ("REMOVAL_OUTLIER", "NPY")]
)
def test_full_quant_fake_quantizes_layer_inputs(lenet_mindir, tmp_path, monkeypatch, method, kind):
    model = mslite.Model()
    model.build_from_file(lenet_mindir, mslite.ModelType.MINDIR)
    name = model.get_inputs()[0].name
    folder = _calibration(tmp_path, (1, 1, 32, 32), kind)
    config = _write(tmp_path, FULL.format(name=name, folder=folder, kind=kind, method=method))
    fp32 = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "fp32"))
    out = mslite.Converter().convert(
        mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "q"), config_file=config
    )
    graph = lite_format.read(out)
    quants = [n for n in graph.nodes if n.op == "fake_quant"]
    assert len(quants) == 5  # before each of the 2 convolutions and 3 dense layers
    first = quants[0]
    assert first.inputs == [name]
    if method == "MAX_MIN":  # the input's range over the calibration files, 0 included
        data = [np.load(f"{folder}/{i}.npy") for i in range(8)]
        expected = activation_param(min(d.min() for d in data), max(d.max() for d in data))
        assert first.attrs["scale"] == pytest.approx(expected.scale[0])
        assert first.attrs["zero_point"] == expected.zero_point[0]
    x = np.random.default_rng(11).standard_normal((1, 1, 32, 32)).astype(np.float32)
    q_numpy = _run(out, x, "numpy", monkeypatch)[0]
    q_native = _run(out, x, "auto", monkeypatch)[0]
    np.testing.assert_allclose(q_native, q_numpy, rtol=1e-4, atol=1e-5)
    f32 = _run(fp32, x, "numpy", monkeypatch)[0]
    assert 0 < np.abs(q_numpy - f32).max() < 0.1 * np.abs(f32).max() + 1e-3


def test_dynamic_quant_needs_no_calibration_and_runs_int8(lenet_mindir, tmp_path, monkeypatch):
    """DYNAMIC_QUANT (onnxruntime's dynamic quantization of a convolution gives ConvInteger,
    which its CPU provider does not implement: onnxruntime#3130, #12558): int8 weights, each
    layer's input on the grid of its own range at run time, convolutions included."""
    config = _write(
        tmp_path, "[common_quant_param]\nquant_type=DYNAMIC_QUANT\nmin_quant_weight_channel=0\n"
    )
    out = mslite.Converter().convert(
        mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "d"), config_file=config
    )
    fp32 = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "f"))
    graph = lite_format.read(out)
    assert sum(n.op == "fake_quant_dynamic" for n in graph.nodes) == 5
    assert sum(a.dtype == np.int8 for a in graph.tensors.values()) == 5
    native = _run(
        out,
        x := np.random.default_rng(2).standard_normal((1, 1, 32, 32)).astype(np.float32),
        "auto",
        monkeypatch,
    )[0]
    q_numpy = _run(out, x, "numpy", monkeypatch)[0]
    np.testing.assert_allclose(native, q_numpy, rtol=1e-4, atol=1e-5)
    f32 = _run(fp32, x, "numpy", monkeypatch)[0]
    assert 0 < np.abs(q_numpy - f32).max() < 0.1 * np.abs(f32).max() + 1e-3
    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    model = mslite.Model()
    model.build_from_file(out)
    assert model.backend == "native", model.backend_reason  # int8 layers in C, nothing on numpy
    assert model._native.fallback == {}


def test_dynamic_quant_leaves_a_grouped_conv_float_and_stays_native(
    convbn_mindir, tmp_path, monkeypatch
):
    config = _write(
        tmp_path, "[common_quant_param]\nquant_type=DYNAMIC_QUANT\nmin_quant_weight_channel=0\n"
    )
    out = mslite.Converter().convert(
        mslite.FmkType.MINDIR, convbn_mindir, str(tmp_path / "d"), config_file=config
    )
    graph = lite_format.read(out)
    grouped = [n for n in graph.nodes if n.op.startswith("conv2d") and n.attrs["groups"] != 1]
    assert grouped and all(
        producer.op != "fake_quant_dynamic"
        for producer in (graph.producers().get(n.inputs[0]) for n in grouped)
        if producer is not None
    )
    monkeypatch.setenv("MIND_LITE_BACKEND", "auto")
    model = mslite.Model()
    model.build_from_file(out)
    assert model.backend == "native", model.backend_reason


def test_a_quantized_model_loads_in_a_fresh_process(lenet_mindir, tmp_path):
    """Its fake-quant ops are in the runtime's op table without the converter imported."""
    import subprocess
    import sys

    config = _write(
        tmp_path, "[common_quant_param]\nquant_type=DYNAMIC_QUANT\nmin_quant_weight_channel=0\n"
    )
    out = mslite.Converter().convert(
        mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "d"), config_file=config
    )
    code = (
        "import sys, numpy as np, mind.lite as m\n"
        "model = m.Model(); model.build_from_file(sys.argv[1])\n"
        "print(model.run([np.ones((1, 1, 32, 32), np.float32)])[0].shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 10)"


def test_activation_param_and_kl():
    p = activation_param(-1.0, 3.0)
    scale, zero = p.scale[0], p.zero_point[0]
    assert scale == pytest.approx(4 / 255)
    # the int8 grid spans [-1, 3] to within one step at each end
    assert -128 <= zero <= 127
    assert abs((-128 - zero) * scale + 1.0) < scale and abs((127 - zero) * scale - 3.0) < scale
    rng = np.random.default_rng(0)
    values = [np.concatenate([rng.standard_normal(20000), [40.0, -35.0]]).astype(np.float32)]
    lo, hi = _range_kl(values)
    assert 2.0 < hi < 20.0 and -20.0 < lo < -2.0  # the outliers are clipped, the bulk is kept
    # after a ReLU all 256 levels cover [0, hi]: the threshold is KL's over 256 levels, which
    # clips less than the 128 levels a symmetric range has per side
    relu = [np.maximum(values[0], 0)]
    lo, hi = _range_kl(relu)
    assert lo == 0 and hi == _range_kl(relu, levels=256)[1]
    assert 2.0 < _range_kl(relu, levels=128)[1] < hi < 40.0


def test_unsupported_settings_are_refused(lenet_mindir, tmp_path):
    for text, message in [
        ("[common_quant_param]\nquant_type=FULL_QUANT\n", "calibrate_path"),
        ("[common_quant_param]\nbit_num=4\n", "mind-lite quantizes to 8 bits"),
    ]:
        with pytest.raises(LiteConvertError, match=message):
            mslite.Converter().convert(
                mslite.FmkType.MINDIR,
                lenet_mindir,
                str(tmp_path / "x"),
                config_file=_write(tmp_path, text),
            )
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "0.bin").write_bytes(b"\0" * 12)
    text = FULL.format(name="arg0", folder=folder, kind="BIN", method="MAX_MIN")
    with pytest.raises(
        LiteConvertError, match="12 bytes, the input \\[1, 1, 32, 32\\] of float32 is 4096"
    ):
        mslite.Converter().convert(
            mslite.FmkType.MINDIR,
            lenet_mindir,
            str(tmp_path / "x"),
            config_file=_write(tmp_path, text),
        )


def test_compare_reports_each_layer_and_what_to_keep_in_float(lenet_mindir, tmp_path, capsys):
    from mind.lite._src.cli import main

    model = mslite.Model()
    model.build_from_file(lenet_mindir, mslite.ModelType.MINDIR)
    name = model.get_inputs()[0].name
    folder = _calibration(tmp_path, (1, 1, 32, 32))
    fp32 = mslite.Converter().convert(mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "fp32"))
    config = _write(tmp_path, FULL.format(name=name, folder=folder, kind="NPY", method="MAX_MIN"))
    int8 = mslite.Converter().convert(
        mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "q"), config_file=config
    )
    assert (
        main(
            [
                "compare",
                f"--model={fp32}",
                f"--against={int8}",
                f"--data={folder}",
                "--minSqnr=1000",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    rows = [line.split() for line in text.splitlines()[1:-1]]
    assert len(rows) == 5 and all(r[1] in ("conv2d_fused", "dense_fused") for r in rows)
    for _, _, cosine, max_abs, sqnr in rows:
        assert 0.99 < float(cosine) <= 1.0 and float(max_abs) > 0 and 15 < float(sqnr) < 80
    # every layer is below 1000 dB: all are named, ready for skip_quant_node, and skipping them
    # gives back a model with no quantized layer
    skip = text.splitlines()[-1].split("skip_quant_node=")[1]
    assert sorted(skip.split(",")) == sorted(r[0] for r in rows)
    config2 = _write(
        tmp_path, FULL.format(name=name, folder=folder, kind="NPY", method="MAX_MIN") + "", "q2.cfg"
    )
    text2 = (
        open(config2)
        .read()
        .replace(
            "min_quant_weight_channel=0", f"min_quant_weight_channel=0\nskip_quant_node={skip}"
        )
    )
    config2 = _write(tmp_path, text2, "q2.cfg")
    out2 = mslite.Converter().convert(
        mslite.FmkType.MINDIR, lenet_mindir, str(tmp_path / "q2"), config_file=config2
    )
    graph2 = lite_format.read(out2)
    assert not graph2.quant and not any(n.op == "fake_quant" for n in graph2.nodes)
    assert main(["compare", f"--model={fp32}", f"--against={int8}", f"--data={folder}"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "keep in float32 (SQNR < 20 dB): none"
