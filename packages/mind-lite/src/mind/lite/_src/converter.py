"""``Converter``: a mind-core ``.mindir`` or an ONNX model to a lite model (``.ms``).

The only module of mind-lite that loads mind-core's compiler (to read the MindIR graph); the
runtime never imports it. Each mind-core node becomes a lite node of the same primitive (see
:mod:`mind.lite._src.kernels`); a primitive the runtime has no kernel for, or control flow,
is refused with the op and the node named, never written as a partial model.
"""

from __future__ import annotations

import enum
import os
from typing import Any

import numpy as np

from mind.lite._src import format as lite_format
from mind.lite._src.graph import LiteGraph, Node, ValueInfo
from mind.lite._src.kernels import KERNELS
from mind.lite._src.optimize import optimize
from mind.lite._src.qmath import activation_grid
from mind.lite._src.quantize import QuantConfig, quantize  # also fake_quant's kernels
from mind.lite.errors import LiteConvertError

__all__ = ["Converter", "FmkType", "convert_graph", "finish", "from_funcgraph"]


class FmkType(enum.Enum):
    """The framework a model comes from, as ``mindspore_lite.FmkType``."""

    TF = 0
    CAFFE = 1
    ONNX = 2
    MINDIR = 3
    TFLITE = 4
    PYTORCH = 5


def _numpy_dtype(dtype: Any) -> str:
    """A mind-core dtype (its name is numpy's) or a numpy dtype, as a numpy dtype name."""
    name = getattr(dtype, "name", dtype)
    try:
        return np.dtype(name).name
    except TypeError:
        raise LiteConvertError(f"convert: dtype {name} has no lite form") from None


_QAT = ("lite_fake_quant_act", "lite_fake_quant_weight")


def _qat_node(prim: str, out: str, ins: list[str], tensors: dict, where: str) -> Node:
    """The lite node of a QAT fake quant: a weight's is folded by the optimizer (the weight
    lands on its int8 grid, which the converter then stores as int8); an activation's becomes
    ``fake_quant`` over the range training learnt (its ``lo`` and ``hi`` are weights)."""
    if prim == "lite_fake_quant_weight":
        return Node("fake_quant_weight", out, ins, [out], {})
    x, lo, hi = ins
    if lo not in tensors or hi not in tensors:
        raise LiteConvertError(f"{where}: the activation range must be the trained parameters")
    lo_v, hi_v = (np.asarray(tensors[k]).reshape(-1) for k in (lo, hi))
    if lo_v.size != 1 or hi_v.size != 1:
        raise LiteConvertError(f"{where}: the activation range must be two scalars")
    scale, zero = activation_grid(float(lo_v[0]), float(hi_v[0]))
    return Node("fake_quant", out, [x], [out], {"scale": scale, "zero_point": zero})


def _from_mindir(path: str) -> LiteGraph:
    from mind.core._src.ir import mindir  # the compiler: only the converter loads it
    from mind.core.errors import MindIRError

    try:
        loaded = mindir.read(path)
    except MindIRError as exc:
        raise LiteConvertError(f"convert: {exc}") from None
    return from_funcgraph(loaded.graph, loaded.weights, path)


def from_funcgraph(graph: Any, weights_by_name: dict[str, np.ndarray], path: str) -> LiteGraph:
    """The lite graph of a mind-core FuncGraph and its weights (in its weight parameters'
    order); ``path`` names the source in errors and the metadata."""
    from mind.core._src.ir.graph import Apply, subgraphs

    names: dict[int, str] = {}
    tensors: dict[str, np.ndarray] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    inputs: list[ValueInfo] = []
    weights = iter(weights_by_name.items())
    for i, p in enumerate(graph.parameters):
        if p.kind == "weight":
            wname, array = next(weights)
            names[p.id] = wname
            tensors[wname] = np.asarray(array, order="C")
        else:
            name = p.name if p.name and not p.name.startswith("%") else f"input_{i}"
            names[p.id] = name
            inputs.append(ValueInfo(name, _numpy_dtype(p.aval.dtype), tuple(p.aval.shape)))
        shapes[names[p.id]] = tuple(p.aval.shape)
    for c in graph.constants:
        names[c.id] = f"const_{c.id}"
        tensors[names[c.id]] = np.asarray(c.value, order="C")
    nodes: list[Node] = []
    for n in graph.nodes:
        assert isinstance(n, Apply)
        where = f"node %{n.id} ({n.prim})"
        if subgraphs(n):
            raise LiteConvertError(
                f"convert '{path}': {where} is control flow ({n.prim}); lite models hold "
                "straight-line graphs: export with the condition decided, or unroll the loop"
            )
        out = f"{n.prim}_{n.id}"
        ins = [names[x.id] for x in n.inputs]
        shape = getattr(n.aval, "shape", None)
        if shape is not None:
            shapes[out] = tuple(shape)
        names[n.id] = out
        if n.prim in _QAT:  # quantization-aware training's fake quants (mind.lite.quant)
            nodes.append(_qat_node(n.prim, out, ins, tensors, f"convert '{path}': {where}"))
            continue
        if n.prim not in KERNELS:
            raise LiteConvertError(
                f"convert '{path}': op type {n.prim!r} ({where}) has no mind-lite kernel"
            )
        attrs = {k: (_numpy_dtype(v) if k == "dtype" else v) for k, v in n.attrs.items()}
        nodes.append(Node(n.prim, out, ins, [out], attrs))
    outputs = []
    for k, o in enumerate(graph.outputs):
        if o.id not in names:
            raise LiteConvertError(f"convert '{path}': output {k} is not computed by the graph")
        dtype = getattr(o.aval, "dtype", None)
        outputs.append(
            ValueInfo(names[o.id], _numpy_dtype(dtype), tuple(getattr(o.aval, "shape", ())))
        )
    return LiteGraph(
        inputs, outputs, nodes, tensors, {}, {"source": os.path.basename(path)}, shapes
    )


def convert_graph(
    model_file: str,
    fmk_type: FmkType = FmkType.MINDIR,
    optimize_level: str = "general",
    input_shape: dict[str, list[int]] | None = None,
) -> LiteGraph:
    """The optimized lite graph of ``model_file``; ``input_shape`` fixes an ONNX model's
    dynamic input dimensions (``{"x": [1, 3, 32, 32]}``)."""
    if not os.path.isfile(model_file):
        raise LiteConvertError(f"convert: no model file '{model_file}'")
    if fmk_type is FmkType.MINDIR:
        graph = _from_mindir(model_file)
    elif fmk_type is FmkType.ONNX:
        try:  # the onnx package is an extra: pip install mind-lite[onnx]
            from mind.lite._src.onnx_import import from_onnx
        except ImportError as exc:
            raise LiteConvertError(
                f"convert '{model_file}': reading ONNX needs the onnx package ({exc}); "
                "pip install mind-lite[onnx]"
            ) from None
        graph = from_onnx(model_file, input_shape)
    else:
        raise LiteConvertError(
            f"convert: fmk_type {fmk_type.name} is not supported yet (MINDIR and ONNX are)"
        )
    return finish(graph, optimize_level)


def finish(graph: LiteGraph, optimize_level: str = "general") -> LiteGraph:
    """A converted graph optimized, and its weights in int8 when it was trained with fake quants."""
    graph = optimize(graph, optimize_level)
    if any(n.op == "fake_quant" for n in graph.nodes):  # trained with quantization: int8 weights
        graph = quantize(graph, QuantConfig("WEIGHT_QUANT", min_quant_weight_channel=0))
        graph.metadata["quant_type"] = "QAT"
    return graph


class Converter:
    """MindSpore Lite's ``Converter``: ``Converter().convert(fmk_type, model_file, output_file)``.

    ``output_file`` gets the ``.ms`` suffix if it has none, as ``converter_lite`` does.
    ``optimize`` is ``"general"`` (the default: constant folding, batch norm and bias folding,
    activation fusion) or ``"none"``; ``config_file`` configures post-training quantization
    (:mod:`mind.lite._src.quantize`); ``fp16 = True`` stores float32 weights as float16."""

    def __init__(self) -> None:
        self.optimize = "general"
        self.input_shape: dict[str, list[int]] = {}
        self.fp16 = False

    def convert(
        self,
        fmk_type: FmkType,
        model_file: str,
        output_file: str,
        weight_file: str = "",
        config_file: str = "",
    ) -> str:
        if not isinstance(fmk_type, FmkType):
            raise LiteConvertError(f"convert: fmk_type must be a FmkType, not {fmk_type!r}")
        if weight_file:
            raise LiteConvertError(
                "convert: weight_file is for Caffe models, which mind-lite does not read"
            )
        if self.optimize not in ("general", "none"):
            raise LiteConvertError(f"convert: optimize={self.optimize!r}: 'general' or 'none'")
        if self.input_shape and fmk_type is not FmkType.ONNX:
            raise LiteConvertError("convert: input_shape is for ONNX models")
        graph = convert_graph(
            os.fspath(model_file), fmk_type, self.optimize, dict(self.input_shape) or None
        )
        if config_file:  # post-training quantization (see mind.lite._src.quantize)
            from mind.lite._src.quantize import calibration_data, quantize, read_config

            config = read_config(os.fspath(config_file))
            samples = calibration_data(graph, config) if config.quant_type == "FULL_QUANT" else None
            graph = quantize(graph, config, samples)
        if self.fp16:
            graph = _fp16_weights(graph)
        out = os.fspath(output_file)
        if not out.endswith(".ms"):
            out += ".ms"
        lite_format.write(graph, out)
        return out


def _fp16_weights(graph: LiteGraph) -> LiteGraph:
    """converter_lite's ``--fp16=on``: float32 weights stored as float16 (half the file); the
    runtime computes in float32 with them (``metadata["fp16_weights"]`` says which to widen)."""
    names = [
        k
        for k, a in graph.tensors.items()
        if a.dtype == np.float32 and a.ndim >= 1 and k not in graph.quant
    ]
    tensors = {k: (a.astype(np.float16) if k in names else a) for k, a in graph.tensors.items()}
    metadata = {**graph.metadata, "fp16_weights": ",".join(names)}
    return LiteGraph(
        graph.inputs, graph.outputs, graph.nodes, tensors, graph.quant, metadata, graph.shapes
    )
