"""Post-training quantization, configured as MindSpore Lite's converter is: an INI file.

    [common_quant_param]
    quant_type=WEIGHT_QUANT | FULL_QUANT | DYNAMIC_QUANT
    bit_num=8
    min_quant_weight_size=0
    min_quant_weight_channel=16
    skip_quant_node=name1,name2

    [data_preprocess_param]                  # FULL_QUANT's calibration data
    calibrate_path=input_name:/folder        # one file per sample: .npy (no pickle) or raw .bin
    calibrate_size=100
    input_type=BIN

    [full_quant_param]
    activation_quant_method=MAX_MIN | KL | REMOVAL_OUTLIER
    per_channel=true

Weights of convolutions and dense layers are stored as int8, symmetric per output channel
(``real = scale[c] * q``), so the file shrinks about 4x; the runtime dequantizes them when it
loads the model. FULL_QUANT also fixes an int8 range for the input of every quantized layer from
the calibration data (asymmetric per tensor, ``real = scale * (q - zero_point)``) and inserts a
``fake_quant`` node there: the model then computes what an int8 model with int32 accumulation
computes, and its accuracy is the int8 accuracy. DYNAMIC_QUANT needs no calibration: each
quantized layer's input gets a ``fake_quant_dynamic`` node, whose grid is the range of the input
it meets at run time. On the native backend each such pair runs as one int8 layer
(:mod:`mind.lite._src.int8`): integer sums of the uint8 input and the int8 weight.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from mind.lite._src.graph import LiteGraph, Node, QuantParam
from mind.lite._src.qmath import (
    MAX_INT8_DEPTH,
    activation_grid,
    channel_axis,
    dequantize,
    dequantized,
    weight_scales,
)
from mind.lite.errors import LiteConvertError

__all__ = [
    "QuantConfig",
    "calibration_data",
    "dequantize",
    "dequantized",
    "quantize",
    "read_config",
    "set_option",
]

_LAYERS = ("conv2d", "conv2d_fused", "matmul", "dense_fused")

_KEYS = {
    "common_quant_param": {
        "quant_type",
        "bit_num",
        "min_quant_weight_size",
        "min_quant_weight_channel",
        "skip_quant_node",
        "debug_info_save_path",
    },
    "data_preprocess_param": {"calibrate_path", "calibrate_size", "input_type"},
    "full_quant_param": {"activation_quant_method", "per_channel", "bias_correction"},
}


@dataclass
class QuantConfig:
    quant_type: str = "WEIGHT_QUANT"
    bit_num: int = 8
    min_quant_weight_size: int = 0
    min_quant_weight_channel: int = 16
    skip_quant_node: set[str] = field(default_factory=set)
    calibrate_path: dict[str, str] = field(default_factory=dict)
    calibrate_size: int = 100
    input_type: str = "BIN"
    activation_quant_method: str = "MAX_MIN"
    per_channel: bool = True


def read_config(path: str) -> QuantConfig:
    """The quantization settings of the INI file ``path``; an unknown section, key or value is
    an error naming it."""
    parser = configparser.ConfigParser(inline_comment_prefixes=("#",))
    parser.optionxform = str  # keys are case-sensitive, as converter_lite's
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except (OSError, configparser.Error) as exc:
        raise LiteConvertError(f"configFile '{path}': {exc}") from None
    config = QuantConfig()
    for section in parser.sections():
        if section not in _KEYS:
            raise LiteConvertError(f"configFile '{path}': unknown section [{section}]")
        for key, value in parser.items(section):
            if key not in _KEYS[section]:
                raise LiteConvertError(f"configFile '{path}': unknown key '{key}' in [{section}]")
            where = f"configFile '{path}': [{section}] {key}={value}"
            try:
                set_option(config, key, value.strip())
            except ValueError as exc:
                raise LiteConvertError(f"{where}: {exc}") from None
    return config


def set_option(config: QuantConfig, key: str, value: str) -> None:
    """Set one config-file option (``key=value`` of any section) on ``config``; ValueError
    names what is wrong with the value."""
    if key == "quant_type":
        if value not in ("WEIGHT_QUANT", "FULL_QUANT", "DYNAMIC_QUANT"):
            raise ValueError("quant_type is WEIGHT_QUANT, FULL_QUANT or DYNAMIC_QUANT")
        config.quant_type = value
    elif key == "bit_num":
        if value != "8":
            raise ValueError("mind-lite quantizes to 8 bits")
        config.bit_num = 8
    elif key in ("min_quant_weight_size", "min_quant_weight_channel", "calibrate_size"):
        number = int(value)
        if number < 0:
            raise ValueError("must be >= 0")
        setattr(config, key, number)
    elif key == "skip_quant_node":
        config.skip_quant_node = {v.strip() for v in value.split(",") if v.strip()}
    elif key == "calibrate_path":
        for item in value.split(","):
            name, sep, folder = item.partition(":")
            if not sep or not name or not folder:
                raise ValueError("calibrate_path is input_name:folder[,input_name:folder]")
            config.calibrate_path[name.strip()] = folder.strip()
    elif key == "input_type":
        if value not in ("BIN", "NPY"):
            raise ValueError("input_type is BIN (raw values of the input's dtype) or NPY")
        config.input_type = value
    elif key == "activation_quant_method":
        if value not in ("MAX_MIN", "KL", "REMOVAL_OUTLIER"):
            raise ValueError("activation_quant_method is MAX_MIN, KL or REMOVAL_OUTLIER")
        config.activation_quant_method = value
    elif key == "per_channel":
        if value.lower() not in ("true", "false"):
            raise ValueError("per_channel is true or false")
        config.per_channel = value.lower() == "true"
    # bias_correction, debug_info_save_path: accepted; bias correction is implicit (the bias
    # stays float) and no debug files are written.


def calibration_data(graph: LiteGraph, config: QuantConfig) -> list[list[np.ndarray]]:
    """The calibration samples: for each input of ``graph``, the sorted files of its folder
    (``.npy`` read without pickle, or raw ``.bin`` of the input's dtype and shape)."""
    if not config.calibrate_path:
        raise LiteConvertError(
            "FULL_QUANT needs [data_preprocess_param] calibrate_path=input:folder"
        )
    columns = []
    for spec in graph.inputs:
        folder = config.calibrate_path.get(spec.name)
        if folder is None:
            names = ", ".join(v.name for v in graph.inputs)
            raise LiteConvertError(
                f"calibrate_path names no folder for input '{spec.name}' (inputs: {names})"
            )
        try:
            files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
        except OSError as exc:
            raise LiteConvertError(f"calibrate_path '{folder}': {exc}") from None
        files = [f for f in files if os.path.isfile(f)][: config.calibrate_size]
        if not files:
            raise LiteConvertError(f"calibrate_path '{folder}' holds no calibration files")
        columns.append([_read_sample(f, spec.dtype, spec.shape, config.input_type) for f in files])
    if len({len(c) for c in columns}) != 1:
        raise LiteConvertError("calibrate_path: every input needs the same number of files")
    return [list(sample) for sample in zip(*columns, strict=True)]


def _read_sample(path: str, dtype: str, shape: tuple[int, ...], kind: str) -> np.ndarray:
    if kind == "NPY" or path.endswith(".npy"):
        try:
            array = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise LiteConvertError(f"calibration file '{path}': {exc}") from None
    else:
        expected = int(np.prod(shape)) * np.dtype(dtype).itemsize
        size = os.path.getsize(path)
        if size != expected:
            raise LiteConvertError(
                f"calibration file '{path}': {size} bytes, the input {list(shape)} of {dtype} is {expected}"
            )
        array = np.fromfile(path, dtype=dtype)
    try:
        return array.astype(dtype).reshape(shape)
    except ValueError:
        raise LiteConvertError(
            f"calibration file '{path}': shape {list(array.shape)} is not {list(shape)}"
        ) from None


# -- weights ---------------------------------------------------------------------------------------


def _quantize_weight(w: np.ndarray, per_channel: bool) -> tuple[np.ndarray, QuantParam]:
    """Symmetric int8 in [-127, 127]: per output channel (axis 0) or per tensor."""
    scale = weight_scales(w if per_channel else w.reshape(1, -1))
    shaped = scale.reshape((-1,) + (1,) * (w.ndim - 1)) if per_channel else scale.reshape(())
    q = np.clip(np.rint(w / shaped), -127, 127).astype(np.int8)
    return q, QuantParam(
        tuple(float(s) for s in scale), (0,) * len(scale), 0 if per_channel else None
    )


# -- activations -----------------------------------------------------------------------------------


def _range_max_min(values: list[np.ndarray]) -> tuple[float, float]:
    return float(min(v.min() for v in values)), float(max(v.max() for v in values))


def _range_outlier(values: list[np.ndarray]) -> tuple[float, float]:
    flat = np.concatenate([v.reshape(-1) for v in values])
    lo, hi = np.percentile(flat, [0.01, 99.99])
    return float(lo), float(hi)


def _range_kl(
    values: list[np.ndarray], bins: int = 2048, levels: int | None = None
) -> tuple[float, float]:
    """The clipping threshold that minimizes the KL divergence between the histogram of the
    values and its quantization to ``levels`` levels (TensorRT's entropy calibration). A range
    with negative values is taken symmetrically (the histogram of |x|, 128 levels a side, the
    threshold applied to both sides of the observed range); a non-negative one (after a ReLU) is
    covered by all 256 levels of the int8 grid from 0, so the histogram is x's own with 256."""
    lo, hi = _range_max_min(values)
    nonnegative = lo >= 0
    if levels is None:
        levels = 256 if nonnegative else 128
    flat = np.concatenate([(v if nonnegative else np.abs(v)).reshape(-1) for v in values]).astype(
        np.float64
    )
    top = float(flat.max())
    if top == 0:
        return lo, hi
    hist, edges = np.histogram(flat, bins=bins, range=(0, top))
    best, best_i = np.inf, bins
    for i in range(levels, bins + 1, 16):
        p = hist[:i].astype(np.float64)
        p[i - 1] += hist[i:].sum()  # the clipped mass lands in the last bin
        chunks = np.array_split(hist[:i].astype(np.float64), levels)
        q = np.concatenate(
            [np.where(c > 0, c.sum() / max(np.count_nonzero(c), 1), 0.0) for c in chunks]
        )
        mask = p > 0
        pn, qn = p / p.sum(), q / max(q.sum(), 1e-12)
        kl = np.sum(pn[mask] * np.log(pn[mask] / np.maximum(qn[mask], 1e-12)))
        if kl < best:
            best, best_i = kl, i
    threshold = float(edges[best_i])
    return max(lo, -threshold), min(hi, threshold)


_METHODS: dict[str, Callable[[list[np.ndarray]], tuple[float, float]]] = {
    "MAX_MIN": _range_max_min,
    "KL": _range_kl,
    "REMOVAL_OUTLIER": _range_outlier,
}


def activation_param(lo: float, hi: float) -> QuantParam:
    """Asymmetric int8 in [-128, 127] over [lo, hi] (the range always holds 0, so that zero is
    exact, as padding needs)."""
    scale, zero = activation_grid(lo, hi)
    return QuantParam((scale,), (zero,), None)


def _observe(
    graph: LiteGraph, names: set[str], samples: Iterable[list[np.ndarray]]
) -> dict[str, list[np.ndarray]]:
    """The values each of ``names`` takes over the calibration samples (float numpy kernels)."""
    from mind.lite._src.kernels import KERNELS

    seen: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for sample in samples:
        env = dict(graph.tensors)
        env.update({v.name: a for v, a in zip(graph.inputs, sample, strict=True)})
        for name in names & env.keys():
            seen[name].append(np.asarray(env[name]))
        for node in graph.nodes:
            result = KERNELS[node.op](*[env[x] for x in node.inputs], **node.attrs)
            outs = [result] if len(node.outputs) == 1 else list(result)
            for out, value in zip(node.outputs, outs, strict=True):
                env[out] = value
                if out in seen:
                    seen[out].append(np.asarray(value))
    return seen


def quantize(
    graph: LiteGraph, config: QuantConfig, samples: list[list[np.ndarray]] | None = None
) -> LiteGraph:
    """``graph`` with its layers' weights in int8 and, for FULL_QUANT, its layers' inputs
    fake-quantized to the calibrated int8 ranges (see the module docstring)."""
    tensors = dict(graph.tensors)
    quant = dict(graph.quant)
    layers = [
        n
        for n in graph.nodes
        if n.op in _LAYERS
        and n.name not in config.skip_quant_node
        and len(n.inputs) >= 2
        and n.inputs[1] in tensors
        and tensors[n.inputs[1]].dtype == np.float32
        and tensors[n.inputs[1]].ndim >= 2
    ]
    done: set[str] = set()
    for node in layers:
        name = node.inputs[1]
        if name in done:
            continue
        w = np.asarray(tensors[name])
        axis = channel_axis(node.op, node.attrs)
        channels = np.moveaxis(w, axis, 0)
        if w.size < config.min_quant_weight_size or channels.shape[0] < min(
            config.min_quant_weight_channel, channels.shape[0]
        ):
            continue
        q, param = _quantize_weight(np.ascontiguousarray(channels), config.per_channel)
        tensors[name] = np.ascontiguousarray(np.moveaxis(q, 0, axis))
        quant[name] = QuantParam(
            param.scale, param.zero_point, axis if config.per_channel else None
        )
        done.add(name)
    nodes = list(graph.nodes)
    if config.quant_type == "FULL_QUANT":
        if samples is None:
            raise LiteConvertError("FULL_QUANT needs calibration data ([data_preprocess_param])")
        targets = {n.inputs[0] for n in layers if n.inputs[0] not in tensors}
        seen = _observe(graph, targets, samples)
        method = _METHODS[config.activation_quant_method]

        def grid(src: str) -> tuple[str, dict]:
            param = activation_param(*method(seen[src]))
            return "fake_quant", {"scale": param.scale[0], "zero_point": param.zero_point[0]}

        nodes = _quantize_inputs(nodes, [n for n in layers if n.inputs[0] in targets], grid)
    elif config.quant_type == "DYNAMIC_QUANT":  # the grid of each input at run time
        # only the layers the int8 kernels take (a grouped conv keeps its int8 weight, which
        # the runtime dequantizes, and a float input)
        chosen = [
            n
            for n in layers
            if n.inputs[1] in done
            and n.inputs[0] not in tensors
            and n.attrs.get("groups", 1) == 1
            and _depth(n, tensors[n.inputs[1]]) <= MAX_INT8_DEPTH
        ]
        nodes = _quantize_inputs(nodes, chosen, lambda src: ("fake_quant_dynamic", {}))
    metadata = {**graph.metadata, "quant_type": config.quant_type}
    return LiteGraph(graph.inputs, graph.outputs, nodes, tensors, quant, metadata, graph.shapes)


def _depth(node: Node, w: np.ndarray) -> int:
    """The products summed into one output of ``node``: its weight's size per output channel."""
    return w.size // max(w.shape[channel_axis(node.op, node.attrs)], 1)


def _quantize_inputs(
    nodes: list[Node], layers: list[Node], grid: Callable[[str], tuple[str, dict]]
) -> list[Node]:
    """``nodes`` with a quantizing node (``grid(input) -> (op, attrs)``) before each of
    ``layers``' inputs, one per distinct input."""
    rewired: dict[str, str] = {}
    out: list[Node] = []
    chosen = {id(n) for n in layers}
    for node in nodes:
        if id(node) in chosen:
            src = node.inputs[0]
            if src not in rewired:
                op, attrs = grid(src)
                rewired[src] = f"{src}/quant"
                out.append(Node(op, f"{node.name}/input_quant", [src], [rewired[src]], attrs))
            node = Node(
                node.op, node.name, [rewired[src], *node.inputs[1:]], node.outputs, node.attrs
            )
        out.append(node)
    return out
