"""The ONNX importer, its kernels and the optimizer on ONNX graphs, against loops written out
in numpy and onnxruntime (ONNX's own node tests are in test_onnx_backend.py)."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import mind.lite as mslite  # noqa: E402
from mind.lite._src import format as lite_format  # noqa: E402
from mind.lite._src.cli import main  # noqa: E402
from mind.lite._src.kernels import KERNELS  # noqa: E402
from mind.lite._src.onnx_import import from_onnx  # noqa: E402
from mind.lite._src.optimize import optimize  # noqa: E402
from mind.lite.errors import LiteConvertError  # noqa: E402

rng = np.random.default_rng(0)


def _model(nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        [numpy_helper.from_array(a, n) for n, a in initializers],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _run(graph, *arrays):
    model = mslite.Model()
    model._build(graph)
    return model.run(list(arrays))


def _onnxruntime(model, feeds):
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


# -- kernels ---------------------------------------------------------------------------------------


def test_hardswish_relu6_and_trunc_div():
    x = np.linspace(-8, 8, 33, dtype=np.float32)
    np.testing.assert_allclose(
        KERNELS["hardswish"](x), x * np.clip(x + 3, 0, 6) / 6, rtol=1e-6, atol=1e-7
    )
    np.testing.assert_array_equal(KERNELS["relu6"](x), np.minimum(np.maximum(x, 0), 6))
    a = np.array([7, -7, 7, -7, 6, -6], np.int32)
    b = np.array([2, 2, -2, -2, 3, 3], np.int32)
    got = KERNELS["trunc_div"](a, b)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [3, -3, -3, 3, 2, -2])


def _conv_transpose_loops(x, w, stride, pads, dilation, groups, output_padding):
    n, c, h, wd = x.shape
    cg, og, kh, kw = c // groups, w.shape[1], w.shape[2], w.shape[3]
    fh = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
    fw = (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
    full = np.zeros((n, og * groups, fh, fw))
    for b, ic, i, j, oc, p, q in itertools.product(
        range(n), range(c), range(h), range(wd), range(og), range(kh), range(kw)
    ):
        g = ic // cg
        full[b, g * og + oc, i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]] += (
            x[b, ic, i, j] * w[ic, oc, p, q]
        )
    t, bo, le, r = pads
    return full[:, :, t : fh - bo, le : fw - r]


@pytest.mark.parametrize(
    ("stride", "pads", "dilation", "groups", "output_padding"),
    [
        ((1, 1), (0, 0, 0, 0), (1, 1), 1, (0, 0)),
        ((2, 3), (1, 0, 2, 1), (1, 2), 2, (1, 0)),
        ((3, 1), (0, 1, 0, 0), (2, 1), 1, (2, 0)),
    ],
)
def test_conv_transpose2d_matches_loops(stride, pads, dilation, groups, output_padding):
    x = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(3 * groups).astype(np.float32)
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    want = _conv_transpose_loops(x, w, stride, pads, dilation, groups, output_padding)
    got = KERNELS["conv_transpose2d"](x, w, b, output_padding=output_padding, **attrs)
    np.testing.assert_allclose(got, want + b.reshape(1, -1, 1, 1), rtol=1e-4, atol=1e-5)


def test_conv_transpose2d_negative_pads_extend_with_zeros():
    x = rng.standard_normal((1, 1, 2, 2)).astype(np.float32)
    w = np.ones((1, 1, 1, 1), np.float32)
    attrs = {"stride": (1, 1), "dilation": (1, 1), "groups": 1}
    got = KERNELS["conv_transpose2d"](x, w, pads=(0, -1, 0, -2), **attrs)
    assert got.shape == (1, 1, 3, 4)
    np.testing.assert_array_equal(got[0, 0, :2, :2], x[0, 0])
    assert not got[0, 0, 2:].any() and not got[0, 0, :, 2:].any()


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("include", [False, True])
def test_pool2d_matches_loops(mode, include):
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    kernel, stride, pads, dilation, extra = (3, 2), (2, 2), (1, 0, 1, 1), (1, 2), (1, 0)
    got = KERNELS["pool2d"](
        x, mode=mode, kernel=kernel, stride=stride, pads=pads, dilation=dilation, extra=extra,
        count_include_pad=include,
    )  # fmt: skip
    h, w = 7 + 1 + 0 + 1, 6 + 1 + 1 + 0  # padded, with ceil mode's extra row
    oh = (h - (dilation[0] * (kernel[0] - 1) + 1)) // stride[0] + 1
    ow = (w - (dilation[1] * (kernel[1] - 1) + 1)) // stride[1] + 1
    assert got.shape == (2, 3, oh, ow)
    for i, j in itertools.product(range(oh), range(ow)):
        rows = [i * stride[0] + p * dilation[0] - pads[0] for p in range(kernel[0])]
        cols = [j * stride[1] + q * dilation[1] - pads[2] for q in range(kernel[1])]
        inside = [(r, c) for r in rows for c in cols if 0 <= r < 7 and 0 <= c < 6]
        values = np.stack([x[:, :, r, c] for r, c in inside], -1)
        if mode == "max":
            want = values.max(-1)
        else:
            # explicit padding counts with count_include_pad, ceil mode's extra never does
            explicit = [
                (r, c) for r in rows for c in cols if -pads[0] <= r < 7 + pads[1]
                and -pads[2] <= c < 6 + pads[3]
            ]  # fmt: skip
            want = values.sum(-1) / (len(explicit) if include else len(inside))
        np.testing.assert_allclose(got[:, :, i, j], want, rtol=1e-5, atol=1e-6)


def test_resize_nearest_and_linear_align_corners():
    x = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
    common = {"roi": (0,) * 4 + (1,) * 4, "cubic_coeff_a": -0.75}
    near = KERNELS["resize"](
        x, sizes=(1, 2, 6, 8), scales=(1, 1, 2, 2), mode="nearest",
        coordinate_transformation_mode="asymmetric", nearest_mode="floor", **common,
    )  # fmt: skip
    np.testing.assert_array_equal(near, x.repeat(2, axis=2).repeat(2, axis=3))
    lin = KERNELS["resize"](
        x, sizes=(1, 2, 5, 4), scales=(1, 1, 5 / 3, 1), mode="linear",
        coordinate_transformation_mode="align_corners", **common,
    )  # fmt: skip
    want = np.stack([x[:, :, 0], (x[:, :, 0] + x[:, :, 1]) / 2, x[:, :, 1],
                     (x[:, :, 1] + x[:, :, 2]) / 2, x[:, :, 2]], 2)  # fmt: skip
    np.testing.assert_allclose(lin, want, rtol=1e-6, atol=1e-6)


# -- the importer ----------------------------------------------------------------------------------


def _conv_bn_relu_model(act="Relu"):
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    scale = rng.uniform(0.5, 2, 8).astype(np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    mean = rng.standard_normal(8).astype(np.float32)
    var = rng.uniform(0.5, 2, 8).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "s", "o", "m", "v"], ["n"], name="bn"),
    ]
    inits = [("w", w), ("b", b), ("s", scale), ("o", bias), ("m", mean), ("v", var)]
    if act == "Relu":
        nodes.append(helper.make_node("Relu", ["n"], ["y"], name="act"))
    else:  # ReLU6 as exporters write it
        inits += [("lo", np.float32(0)), ("hi", np.float32(6))]
        nodes.append(helper.make_node("Clip", ["n", "lo", "hi"], ["y"], name="act"))
    nodes.append(helper.make_node("GlobalAveragePool", ["y"], ["p"], name="pool"))
    nodes.append(helper.make_node("Flatten", ["p"], ["f"], name="flat"))
    nodes.append(
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["out"], name="fc", transB=1, alpha=0.5)
    )
    inits += [("fc_w", rng.standard_normal((4, 8)).astype(np.float32)),
              ("fc_b", rng.standard_normal(4).astype(np.float32))]  # fmt: skip
    return _model(nodes, [("x", [2, 3, 6, 6])], ["out"], inits)


@pytest.mark.parametrize("act", ["Relu", "Clip"])
def test_conv_bn_activation_folds_into_one_conv(act):
    model = _conv_bn_relu_model(act)
    graph = optimize(from_onnx(model), "general")
    ops = [n.op for n in graph.nodes]
    assert ops == ["conv2d_fused", "mean", "reshape", "dense_fused"], ops
    assert graph.nodes[0].attrs["activation"] == ("relu" if act == "Relu" else "relu6")
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32) * 3
    (got,) = _run(graph, x)
    (want,) = _onnxruntime(model, {"x": x})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # unoptimized, the same numbers
    (plain,) = _run(optimize(from_onnx(model), "none"), x)
    np.testing.assert_allclose(plain, want, rtol=1e-5, atol=1e-5)


def test_shape_arithmetic_folds_at_conversion():
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
        helper.make_node("Unsqueeze", ["n", "zero"], ["n1"]),
        helper.make_node("Concat", ["n1", "minus1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["x", "shape"], ["y"]),
    ]
    inits = [("zero", np.array([0], np.int64)), ("minus1", np.array([-1], np.int64))]
    inits[0] = ("zero", np.array(0, np.int64))
    graph = from_onnx(_model(nodes, [("x", [2, 3, 4])], ["y"], inits))
    assert [(n.op, n.attrs) for n in graph.nodes] == [("reshape", {"shape": (2, 12)})]
    assert graph.nodes[0].outputs == ["y"]  # the ONNX output's name


def test_unsupported_op_names_type_node_and_opset(tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="first"),
             helper.make_node("Einsum", ["r", "r"], ["y"], name="the_einsum", equation="i,i->")]  # fmt: skip
    path = tmp_path / "m.onnx"
    onnx.save(_model(nodes, [("x", [3])], ["y"]), str(path))
    out = tmp_path / "m"
    with pytest.raises(LiteConvertError, match=r"op type 'Einsum' \(node 'the_einsum', opset 17\)"):
        mslite.Converter().convert(mslite.FmkType.ONNX, str(path), str(out))
    assert not (tmp_path / "m.ms").exists()  # never a partial model


@pytest.mark.parametrize(
    ("node", "message"),
    [
        (helper.make_node("Resize", ["x", "", "sc"], ["y"], name="r", mode="area"), "mode='area'"),
        (helper.make_node("Conv", ["x", "w"], ["y"], name="c", auto_pad="BOGUS"), "auto_pad"),
        (helper.make_node("Reshape", ["x", "x"], ["y"], name="s"), "known at conversion time"),
    ],
)
def test_unsupported_attribute_values_are_refused(node, message):
    inits = [("sc", np.ones(4, np.float32)), ("w", np.ones((1, 1, 1, 1), np.float32))]
    model = _model([node], [("x", [1, 1, 2, 2])], ["y"], inits)
    with pytest.raises(LiteConvertError, match=rf"op type '{node.op_type}' \(node '{node.name}'"):
        from_onnx(model)
    with pytest.raises(LiteConvertError, match=message):
        from_onnx(model)


def test_opsets_before_13_are_refused():
    model = _model([helper.make_node("Relu", ["x"], ["y"])], [("x", [2])], ["y"], opset=12)
    with pytest.raises(LiteConvertError, match="opset is 12; mind-lite reads opsets 13-"):
        from_onnx(model)


def test_dynamic_dimensions_need_input_shape(tmp_path):
    model = _model([helper.make_node("Relu", ["x"], ["y"])], [("x", ["batch", 4])], ["y"])
    with pytest.raises(LiteConvertError, match="dynamic dimension 'batch'"):
        from_onnx(model)
    with pytest.raises(LiteConvertError, match=r"input_shape names \['y'\]"):
        from_onnx(model, input_shape={"y": [3, 4]})
    graph = from_onnx(model, input_shape={"x": [3, 4]})
    assert graph.inputs[0].shape == (3, 4)
    path = tmp_path / "dyn.onnx"
    onnx.save(model, str(path))
    converter = mslite.Converter()
    converter.input_shape = {"x": [5, 4]}
    out = converter.convert(mslite.FmkType.ONNX, str(path), str(tmp_path / "dyn"))
    assert lite_format.read(out).inputs[0].shape == (5, 4)


def test_cli_converts_onnx(tmp_path, capsys):
    path = tmp_path / "net.onnx"
    onnx.save(_conv_bn_relu_model(), str(path))
    out = tmp_path / "net"
    assert main(["convert", "--fmk=ONNX", f"--modelFile={path}", f"--outputFile={out}"]) == 0
    assert "CONVERT RESULT SUCCESS" in capsys.readouterr().out
    assert main(["info", f"{out}.ms"]) == 0
    assert "conv2d_fused" in capsys.readouterr().out
    dyn = tmp_path / "dyn.onnx"
    onnx.save(_model([helper.make_node("Relu", ["x"], ["y"])], [("x", ["n", 4])], ["y"]), str(dyn))
    args = ["convert", "--fmk=ONNX", f"--modelFile={dyn}", f"--outputFile={tmp_path / 'd'}"]
    assert main(args) == 1
    assert "dynamic dimension" in capsys.readouterr().err
    assert main([*args, "--inputShape=x:2,4"]) == 0


def test_the_runtime_never_imports_onnx(tmp_path):
    path = tmp_path / "net.onnx"
    onnx.save(_conv_bn_relu_model(), str(path))
    out = mslite.Converter().convert(mslite.FmkType.ONNX, str(path), str(tmp_path / "net"))
    code = (
        "import sys, numpy as np, mind.lite as mslite\n"
        "m = mslite.Model()\n"
        f"m.build_from_file({out!r}, mslite.ModelType.MINDIR_LITE, mslite.Context())\n"
        "i = m.get_inputs(); i[0].set_data_from_numpy(np.zeros((2, 3, 6, 6), np.float32))\n"
        "m.predict(i)\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('onnx', 'onnxruntime')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("auto_pad", ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"])
def test_1d_convolution_and_pooling_against_onnxruntime(auto_pad):
    w = rng.standard_normal((6, 2, 3)).astype(np.float32)
    explicit = auto_pad == "NOTSET"
    dilations = [2] if auto_pad in ("NOTSET", "VALID") else [1]  # onnxruntime: no SAME + dilation
    nodes = [
        helper.make_node(
            "Conv", ["x", "w"], ["c"], auto_pad=auto_pad, strides=[2], dilations=dilations,
            group=2, **({"pads": [2, 1]} if explicit else {}),
        ),
        helper.make_node(
            "MaxPool", ["c"], ["m"], kernel_shape=[2], ceil_mode=1,
            **({"pads": [1, 0]} if explicit else {}),
        ),
        helper.make_node("AveragePool", ["m"], ["y"], kernel_shape=[3], pads=[1, 1]),
    ]  # fmt: skip
    model = _model(nodes, [("x", [2, 4, 11])], ["y"], [("w", w)])
    x = rng.standard_normal((2, 4, 11)).astype(np.float32)
    (got,) = _run(optimize(from_onnx(model)), x)
    (want,) = _onnxruntime(model, {"x": x})
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_folding_keeps_scalars_scalar_and_big_broadcasts_as_nodes():
    from mind.lite._src.graph import LiteGraph, Node, ValueInfo

    scalar = LiteGraph(
        [ValueInfo("x", "float32", ())],
        [ValueInfo("y", "float32", ())],
        [Node("add", "c", ["a", "b"], ["c"], {}), Node("mul", "y", ["x", "c"], ["y"], {})],
        {"a": np.asarray(np.float32(1)), "b": np.asarray(np.float32(2))},
    )
    folded = optimize(scalar, "general")
    assert [n.op for n in folded.nodes] == ["mul"] and folded.tensors["c"].shape == ()
    nodes = [helper.make_node("Expand", ["one", "shape"], ["big"]),
             helper.make_node("Add", ["x", "big"], ["y"])]  # fmt: skip
    inits = [("one", np.ones(1, np.float32)), ("shape", np.array([2048, 1024], np.int64))]
    graph = from_onnx(_model(nodes, [("x", [1024])], ["y"], inits))
    assert [n.op for n in graph.nodes] == ["broadcast_to", "add"]  # 8 MiB: computed at run time


@pytest.mark.parametrize("groups", [1, 2])
def test_conv_transpose_batch_norm_folds_into_the_transpose(groups):
    cin, cout = 4, 6
    w = rng.standard_normal((cin, cout // groups, 3, 3)).astype(np.float32)
    stats = [
        rng.uniform(0.5, 2, cout),
        rng.standard_normal(cout),
        rng.standard_normal(cout),
        rng.uniform(0.5, 2, cout),
    ]
    nodes = [
        helper.make_node(
            "ConvTranspose", ["x", "w"], ["c"], name="up", strides=[2, 2], group=groups
        ),
        helper.make_node("BatchNormalization", ["c", "s", "o", "m", "v"], ["y"], name="bn"),
    ]
    inits = [("w", w)] + [(k, a.astype(np.float32)) for k, a in zip("somv", stats, strict=True)]
    model = _model(nodes, [("x", [1, cin, 5, 5])], ["y"], inits)
    graph = optimize(from_onnx(model), "general")
    assert [n.op for n in graph.nodes] == ["conv_transpose2d"], [n.op for n in graph.nodes]
    x = rng.standard_normal((1, cin, 5, 5)).astype(np.float32)
    (got,) = _run(graph, x)
    (want,) = _onnxruntime(model, {"x": x})
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
