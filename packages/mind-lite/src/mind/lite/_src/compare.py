"""``mind-lite compare``: a float model and its quantized conversion, layer by layer.

Both models run on the same inputs with the numpy kernels, every value kept; each layer (a
convolution or dense node of the quantized model) is matched with the float model's value of
the same name, and the error is reported as cosine similarity, largest absolute difference and
SQNR (signal to quantization-noise ratio, ``10 log10(sum(ref^2) / sum((q - ref)^2))`` dB) over
all inputs. Layers under ``min_sqnr`` are named as the ones to keep in float32: put them in
``skip_quant_node`` of the quantization config.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mind.lite._src import format as lite_format
from mind.lite._src.graph import LiteGraph
from mind.lite._src.kernels import KERNELS, file_ops
from mind.lite.errors import MindLiteError

__all__ = ["LayerError", "compare", "format_table"]

_LAYERS = ("conv2d", "conv2d_fused", "matmul", "dense_fused")


@dataclass
class LayerError:
    name: str
    op: str
    value: str
    cosine: float
    max_abs: float
    sqnr_db: float


def _values(graph: LiteGraph, arrays: list[np.ndarray]) -> dict[str, np.ndarray]:
    from mind.lite._src.qmath import dequantized

    graph = dequantized(graph)
    env: dict[str, np.ndarray] = dict(graph.tensors)
    env.update({v.name: a for v, a in zip(graph.inputs, arrays, strict=True)})
    for node in graph.nodes:
        result = KERNELS[node.op](*[env[x] for x in node.inputs], **node.attrs)
        outs = [result] if len(node.outputs) == 1 else list(result)
        env.update(zip(node.outputs, (np.asarray(o) for o in outs), strict=True))
    return env


def compare(model: str, against: str, samples: list[list[np.ndarray]]) -> list[LayerError]:
    """The per-layer errors of ``against`` (quantized) with respect to ``model`` (float)."""
    reference = lite_format.read(model, ops=file_ops())
    quantized = lite_format.read(against, ops=file_ops())
    if [v.name for v in reference.inputs] != [v.name for v in quantized.inputs]:
        raise MindLiteError("compare: the two models have different inputs")
    layers = [n for n in quantized.nodes if n.op in _LAYERS]
    # per layer: r.q, |r|^2, |q|^2, |q - r|^2, max |q - r|, samples seen
    sums = {n.name: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0] for n in layers}
    for sample in samples:
        ref, got = _values(reference, sample), _values(quantized, sample)
        for node in layers:
            value = node.outputs[0]
            if value not in ref:
                continue
            r, q = ref[value].astype(np.float64).ravel(), got[value].astype(np.float64).ravel()
            s = sums[node.name]
            s[0] += float(r @ q)
            s[1] += float(r @ r)
            s[2] += float(q @ q)
            s[3] += float((q - r) @ (q - r))
            s[4] = max(s[4], float(np.abs(q - r).max(initial=0.0)))
            s[5] += 1
    errors = []
    for node in layers:
        dot, rr, qq, noise, top, seen = sums[node.name]
        if not seen:
            continue
        cosine = dot / math.sqrt(rr * qq) if rr > 0 and qq > 0 else 1.0
        sqnr = 10 * math.log10(rr / noise) if noise > 0 else math.inf
        errors.append(LayerError(node.name, node.op, node.outputs[0], cosine, top, sqnr))
    return errors


def format_table(errors: list[LayerError], min_sqnr: float) -> str:
    width = max([len(e.name) for e in errors] + [5])
    lines = [f"{'layer':<{width}}  {'op':<13} {'cosine':>9} {'max abs':>11} {'SQNR dB':>8}"]
    for e in errors:
        lines.append(
            f"{e.name:<{width}}  {e.op:<13} {e.cosine:>9.6f} {e.max_abs:>11.4g} {e.sqnr_db:>8.2f}"
        )
    keep = [e.name for e in errors if e.sqnr_db < min_sqnr]
    lines.append(
        f"keep in float32 (SQNR < {min_sqnr:g} dB): "
        + (",".join(keep) if keep else "none")
        + ("  -> [common_quant_param] skip_quant_node=" + ",".join(keep) if keep else "")
    )
    return "\n".join(lines)
