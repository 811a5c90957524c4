"""The int8 grids, in one place: what post-training quantization, quantization-aware training
(its fake-quant primitives) and the runtime's kernels all compute.

- weights: symmetric per output channel (axis 0), ``q = clip(rint(w / s), -127, 127)`` with
  ``s = max|w_c| / 127`` (1 for an all-zero channel);
- activations: asymmetric per tensor over a range ``[lo, hi]`` that holds 0,
  ``q = clip(rint(x / s) + z, -128, 127)`` with ``s = (hi - lo) / 255`` and
  ``z = rint(-128 - lo / s)``.
"""

from __future__ import annotations

import numpy as np

from mind.lite._src.graph import LiteGraph, QuantParam

__all__ = [
    "MAX_INT8_DEPTH",
    "activation_grid",
    "channel_axis",
    "dequantize",
    "dequantized",
    "fake_quant_act",
    "fake_quant_weight",
    "weight_scales",
]


#: The most uint8 x int8 products (|w| <= 128) an int32 sum holds without overflow.
MAX_INT8_DEPTH = (2**31 - 1) // (255 * 128)


def channel_axis(op: str, attrs: dict) -> int:
    """The output-channel axis of a layer's weight: 0 of a convolution's (O, C, KH, KW) and of a
    transposed dense weight (out, in), 1 of a plain one (in, out); ``transpose_b`` defaults as
    the kernels do (True for ``dense_fused``, False for ``matmul``)."""
    if op in ("matmul", "dense_fused"):
        return 0 if attrs.get("transpose_b", op == "dense_fused") else 1
    return 0


def weight_scales(w: np.ndarray) -> np.ndarray:
    """Per output channel (axis 0): ``max|w_c| / 127``, float64, shape (channels,)."""
    top = np.abs(w.reshape(w.shape[0], -1)).max(axis=1).astype(np.float64)
    return np.where(top > 0, top / 127.0, 1.0)


def fake_quant_weight(w: np.ndarray) -> np.ndarray:
    """``w`` rounded to its per-channel int8 grid (in ``w``'s dtype)."""
    scale = weight_scales(w).reshape((-1,) + (1,) * (w.ndim - 1))
    return (np.clip(np.rint(w / scale), -127, 127) * scale).astype(w.dtype)


def activation_grid(lo: float, hi: float) -> tuple[float, int]:
    """``(scale, zero_point)`` of the int8 grid over ``[min(lo, 0), max(hi, 0)]``."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero = int(np.clip(np.rint(-128 - lo / scale), -128, 127))
    return scale, zero


def fake_quant_act(x: np.ndarray, scale: float, zero: int) -> np.ndarray:
    """``x`` rounded to the activation grid ``scale * (q - zero)`` (in ``x``'s dtype)."""
    q = np.clip(np.rint(x / scale) + zero, -128, 127)
    return ((q - zero) * scale).astype(x.dtype, copy=False)


# -- what the runtime computes with (loaded without the converter or configparser) ------------


def dequantize(q: np.ndarray, param: QuantParam) -> np.ndarray:
    """The float32 values of int8 ``q`` (what the runtime computes with)."""
    scale = np.asarray(param.scale, np.float64)
    zero = np.asarray(param.zero_point, np.float64)
    if param.axis is not None:
        shape = [1] * q.ndim
        shape[param.axis] = -1
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    return ((q.astype(np.float64) - zero) * scale).astype(np.float32)


def dequantized(graph: LiteGraph) -> LiteGraph:
    """``graph`` with its int8 weights, and its float16-stored float32 weights (``--fp16=on``),
    as float32: what the runtime computes with."""
    widen = set(filter(None, graph.metadata.get("fp16_weights", "").split(",")))
    if not graph.quant and not widen:
        return graph
    tensors = {}
    for name, a in graph.tensors.items():
        if name in graph.quant and a.dtype == np.int8:
            a = dequantize(a, graph.quant[name])
        elif name in widen and a.dtype == np.float16:
            a = a.astype(np.float32)
        tensors[name] = a
    return LiteGraph(
        graph.inputs, graph.outputs, graph.nodes, tensors, {}, graph.metadata, graph.shapes
    )
