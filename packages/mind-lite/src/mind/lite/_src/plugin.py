"""mind-lite's mind-core plugin (entry point ``mind`` -> ``lite``): the lite model format, through
``mind_register_model_formats`` (``export(net, x, file_name=..., file_format="MINDIR_LITE")``
writes an optimized ``.ms``; ``load("net.ms")`` gives a ``mind.lite.Model``), and the fake-quant
primitives of quantization-aware training, through ``mind_register_primitives`` like any third
party's ops, so a network holding them trains in PyNative and graph mode, exports to MindIR and
loads again wherever mind-lite is installed.

- ``lite_fake_quant_weight(w)``: ``w`` on its symmetric per-output-channel int8 grid;
- ``lite_fake_quant_act(x, lo, hi)``: ``x`` on the asymmetric int8 grid over ``[lo, hi]``.

Both pass gradients straight through (the activation's only inside its range). And the int8
layers the native runtime runs (:mod:`mind.lite._src.int8`; no gradient): ``lite_qdense`` and
``lite_qconv2d``, and ``lite_dense1`` (a float32 dense layer at batch 1), whose C lowerings
mind-lite adds to mind-core's native lowering table.
"""

from __future__ import annotations

from mind.core.plugins import ModelFormatSpec, PrimitiveDef, hookimpl
from mind.lite._src.qmath import activation_grid, fake_quant_act, fake_quant_weight

__all__ = ["mind_register_model_formats", "mind_register_primitives"]


def _export_lite(graph, weights, file_name, output_spec=None):
    """``export``'s MINDIR_LITE: the compiled graph converted and optimized as ``mind-lite
    convert`` does, written as ``file_name``."""
    from mind.lite._src import format as lite_format
    from mind.lite._src.converter import finish, from_funcgraph

    lite_format.write(finish(from_funcgraph(graph, weights, file_name)), file_name)


def _load_lite(file_name):
    from mind.lite._src.runtime import Model, ModelType

    model = Model()
    model.build_from_file(file_name, ModelType.MINDIR_LITE)
    return model


@hookimpl
def mind_register_model_formats():
    yield ModelFormatSpec(
        name="mindir_lite",
        suffixes=(".ms",),
        export=_export_lite,
        load=_load_lite,
        description="mind-lite's edge model: optimized graph, aligned weights (load gives a mind.lite.Model)",
    )


def _weight_bprop(w, out, dout):
    return (dout,)


def _act_cpu(x, lo, hi):
    return fake_quant_act(x, *activation_grid(lo.reshape(-1)[0], hi.reshape(-1)[0]))


def _act_bprop(x, lo, hi, out, dout):
    from mind.core import ops

    inside = ops.logical_and(x >= ops.minimum(lo, 0.0), x <= ops.maximum(hi, 0.0))
    return dout * inside.astype(dout.dtype), ops.zeros_like(lo), ops.zeros_like(hi)


@hookimpl
def mind_register_primitives():
    yield PrimitiveDef(
        name="lite_fake_quant_weight",
        abstract_eval=lambda w: w,
        cpu_kernel=fake_quant_weight,
        bprop=_weight_bprop,
        doc="A weight on its symmetric per-output-channel int8 grid (straight-through gradient).",
    )
    yield PrimitiveDef(
        name="lite_fake_quant_act",
        abstract_eval=lambda x, lo, hi: x,
        cpu_kernel=_act_cpu,
        bprop=_act_bprop,
        doc="An activation on the asymmetric int8 grid over [lo, hi] (straight-through inside).",
    )
    yield from _int8_primitives()


def _check(what, ok):
    if not ok:
        raise ValueError(f"lite int8 layer: {what} does not match the layer's attributes")


def _check_types(w, colsum, scale, bias, dynamic):
    names = (w.dtype.name, colsum.dtype.name, scale.dtype.name, bias.dtype.name)
    _check("dtypes", names == ("int8", "int32", "float64" if dynamic else "float32", "float32"))


def _qdense_infer(x, w, colsum, scale, bias, *, out_channels, depth, **attrs):
    # the C trusts these sizes: they are checked here, where the plan is made
    width, k4 = -(-out_channels // 16) * 16, -(-depth // 4)
    _check("x", x.ndim >= 1 and x.shape[-1] == depth)
    _check("w", w.shape == (width // 16, k4, 16, 4))
    _check("colsum/scale/bias", colsum.shape == scale.shape == bias.shape == (width,))
    _check_types(w, colsum, scale, bias, attrs.get("dynamic"))
    return type(x)((*x.shape[:-1], out_channels), x.dtype)


def _qconv_infer(
    x, w, colsum, scale, bias, *, out_channels, depth, kernel, stride, pads, dilation, **attrs
):
    _check("x", x.ndim == 4 and x.shape[1] * kernel[0] * kernel[1] == depth)
    _check("w", w.shape == (out_channels, -(-depth // 4) * 4))
    _check("colsum/scale/bias", colsum.shape == scale.shape == bias.shape == (out_channels,))
    _check_types(w, colsum, scale, bias, attrs.get("dynamic"))
    n, _, h, wd = x.shape
    size = [
        (extent + pads[2 * a] + pads[2 * a + 1] - dilation[a] * (kernel[a] - 1) - 1) // stride[a]
        + 1
        for a, extent in enumerate((h, wd))
    ]
    return type(x)((n, out_channels, *size), x.dtype)


def _dense1_infer(x, w, *bias, activation=None):
    return type(x)((*x.shape[:-1], w.shape[0]), x.dtype)


def _dense1_cpu(x, w, *bias, activation=None):
    from mind.lite._src.kernels import KERNELS

    return KERNELS["dense_fused"](x, w, *bias, transpose_b=True, activation=activation)


def _qdense_cpu(*args, **attrs):
    from mind.lite._src.int8 import qdense

    return qdense(*args, **attrs)


def _qconv_cpu(*args, **attrs):
    from mind.lite._src.int8 import qconv2d

    return qconv2d(*args, **attrs)


_Q_ATTRS = ("x_scale", "x_zero", "out_channels", "depth", "activation", "dynamic")


def _int8_primitives():
    yield PrimitiveDef(
        name="lite_qdense",
        abstract_eval=_qdense_infer,
        cpu_kernel=_qdense_cpu,
        differentiable=False,
        attrs=_Q_ATTRS,
        doc="An int8 dense layer: uint8 input grid, packed int8 weights, int32 sums (inference).",
    )
    yield PrimitiveDef(
        name="lite_qconv2d",
        abstract_eval=_qconv_infer,
        cpu_kernel=_qconv_cpu,
        differentiable=False,
        attrs=(*_Q_ATTRS, "kernel", "stride", "pads", "dilation"),
        doc="An int8 NCHW convolution: uint8 input grid, int8 weight rows, int32 sums (inference).",
    )
    yield PrimitiveDef(
        name="lite_dense1",
        abstract_eval=_dense1_infer,
        cpu_kernel=_dense1_cpu,
        differentiable=False,
        attrs=("activation",),
        doc="A float32 dense layer at batch 1, x (1, K) @ w (O, K).T + b: the threaded GEMV.",
    )
