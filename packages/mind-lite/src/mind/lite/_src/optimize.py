"""Graph optimization before a lite model is written.

Passes, in order (each a function ``LiteGraph -> LiteGraph``, see :data:`PASSES`):

1. ``fold_constants``: a node whose inputs are all constant tensors is computed now, with the
   runtime's own kernels, and becomes a tensor.
2. ``fold_affine``: a per-channel ``mul``/``div``/``add``/``sub`` by a constant right after a
   convolution or a dense layer (a batch norm in inference, a scale, a bias) is folded into that
   layer's weights and bias; ``conv2d``/``matmul`` become ``conv2d_fused``/``dense_fused``.
3. ``fuse_activation``: an activation whose only input is a fused layer read by nobody else
   joins it (``relu``, ``relu6``, ``sigmoid``, ``tanh``, ``gelu``, ``silu``; ``clip(x, 0, 6)``
   with constant bounds, ONNX's ReLU6, is ``relu6``).
4. ``drop_dead``: nodes whose values nothing reads, and tensors no node reads, are removed.

Every fold keeps the graph's meaning: the converter's tests run each model before and after.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mind.lite._src.graph import LiteGraph, Node
from mind.lite._src.kernels import KERNELS

__all__ = ["PASSES", "optimize"]

# Tensors above this size are not produced by constant folding of broadcasts (a folded
# broadcast_to of a scalar to an activation's shape would only bloat the file).
_FOLD_LIMIT = 1 << 22


def fold_constants(graph: LiteGraph) -> LiteGraph:
    tensors = dict(graph.tensors)
    nodes = []
    for node in graph.nodes:
        if node.inputs and all(x in tensors for x in node.inputs) and len(node.outputs) == 1:
            result = np.asarray(KERNELS[node.op](*[tensors[x] for x in node.inputs], **node.attrs))
            if result.nbytes <= _FOLD_LIMIT and result.dtype.name in _STORABLE:
                tensors[node.outputs[0]] = np.asarray(result, order="C")  # keeps 0-d 0-d
                continue
        nodes.append(node)
    return _replace(graph, nodes, tensors)


_STORABLE = {"float32", "float16", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"}


def _channel_vector(value: np.ndarray, rank: int, channels: int, axis: int) -> np.ndarray | None:
    """``value`` as a (channels,) vector if it broadcasts only along ``axis`` of a rank-``rank``
    output with ``channels`` there (or is a scalar), else None."""
    if value.ndim > rank:
        return None
    shape = (1,) * (rank - value.ndim) + value.shape
    for i, d in enumerate(shape):
        if d != 1 and not (i == axis % rank and d == channels):
            return None
    return np.broadcast_to(value.reshape(-1) if value.size > 1 else value.reshape(()), (channels,))


def fold_affine(graph: LiteGraph) -> LiteGraph:
    tensors = dict(graph.tensors)
    users = graph.consumers()
    outputs = {v.name for v in graph.outputs}
    nodes = list(graph.nodes)
    changed = True
    while changed:
        changed = False
        producers = {out: (i, n) for i, n in enumerate(nodes) for out in n.outputs}
        for i, node in enumerate(nodes):
            if node.op not in ("add", "sub", "mul", "div") or len(node.inputs) != 2:
                continue
            a, b = node.inputs
            if b not in tensors or a not in producers:
                if node.op in ("add", "mul") and a in tensors and b in producers:
                    a, b = b, a  # the constant first: c + x, c * x
                else:
                    continue
            j, layer = producers[a]
            if layer.op not in (
                "conv2d",
                "matmul",
                "conv2d_fused",
                "dense_fused",
                "conv_transpose2d",
            ):
                continue
            if layer.attrs.get("activation") or a in outputs or len(users.get(a, [])) != 1:
                continue
            if layer.op == "conv_transpose2d":
                folded = _fold_into_transpose(layer, node, b, tensors)
                if folded is None:
                    continue
                nodes[j] = folded
                del nodes[i]
                users = _consumers(nodes)
                changed = True
                break
            fused = _as_fused(layer, tensors)
            if fused is None:
                continue
            w_name, b_name = fused.inputs[1], fused.inputs[2] if len(fused.inputs) > 2 else None
            w = tensors[w_name]
            rank = 4 if fused.op == "conv2d_fused" else _rank_of(graph, layer)
            if rank is None:
                continue
            channels = (
                w.shape[0]
                if fused.op == "conv2d_fused" or fused.attrs["transpose_b"]
                else w.shape[1]
            )
            axis = 1 if fused.op == "conv2d_fused" else -1
            vec = _channel_vector(np.asarray(tensors[b]), rank, channels, axis)
            if vec is None:
                continue
            vec = vec.astype(w.dtype)
            bias = tensors[b_name] if b_name else np.zeros(channels, w.dtype)
            if node.op in ("mul", "div"):
                scale = vec if node.op == "mul" else 1.0 / vec
                if fused.op == "conv2d_fused":
                    w = w * scale.reshape(-1, 1, 1, 1)
                elif fused.attrs["transpose_b"]:
                    w = w * scale.reshape(-1, 1)
                else:
                    w = w * scale.reshape(1, -1)
                bias = bias * scale
            else:
                bias = bias + vec if node.op == "add" else bias - vec
            new_w, new_b = f"{node.name}/weight", f"{node.name}/bias"
            tensors[new_w], tensors[new_b] = np.ascontiguousarray(w, w.dtype), bias.astype(w.dtype)
            nodes[j] = Node(
                fused.op,
                fused.name,
                [fused.inputs[0], new_w, new_b],
                list(node.outputs),
                dict(fused.attrs),
            )
            del nodes[i]
            users = _consumers(nodes)
            changed = True
            break
    return _replace(graph, nodes, tensors)


def _fold_into_transpose(
    layer: Node, node: Node, const: str, tensors: dict[str, np.ndarray]
) -> Node | None:
    """``conv_transpose2d`` followed by a per-output-channel ``node`` (mul/div/add/sub by the
    constant ``const``) as one ``conv_transpose2d`` with new weights and bias; its weight is
    (C_in, C_out / groups, KH, KW), output channel ``g * C_out/groups + j`` is ``w[g-th block
    of C_in, j]``."""
    if len(layer.inputs) < 2 or any(x not in tensors for x in layer.inputs[1:]):
        return None
    w = np.asarray(tensors[layer.inputs[1]])
    groups = int(layer.attrs.get("groups", 1))
    cin, per, kh, kw = w.shape
    channels = per * groups
    vec = _channel_vector(np.asarray(tensors[const]), 4, channels, 1)
    if vec is None:
        return None
    vec = vec.astype(w.dtype)
    bias = tensors[layer.inputs[2]] if len(layer.inputs) > 2 else np.zeros(channels, w.dtype)
    if node.op in ("mul", "div"):
        scale = vec if node.op == "mul" else (1.0 / vec).astype(w.dtype)
        blocks = w.reshape(groups, cin // groups, per, kh, kw) * scale.reshape(groups, 1, per, 1, 1)
        w, bias = blocks.reshape(w.shape), bias * scale
    else:
        bias = bias + vec if node.op == "add" else bias - vec
    new_w, new_b = f"{node.name}/weight", f"{node.name}/bias"
    tensors[new_w], tensors[new_b] = np.ascontiguousarray(w, w.dtype), bias.astype(w.dtype)
    return Node(
        layer.op, layer.name, [layer.inputs[0], new_w, new_b], list(node.outputs), dict(layer.attrs)
    )


def _rank_of(graph: LiteGraph, layer: Node) -> int | None:
    """The output rank of a dense layer, where the converter recorded its shape."""
    shape = graph.shapes.get(layer.outputs[0])
    return None if shape is None else len(shape)


def _as_fused(layer: Node, tensors: dict[str, np.ndarray]) -> Node | None:
    """The fused form of ``layer`` if its weight (and bias) are constant tensors."""
    if layer.op in ("conv2d_fused", "dense_fused"):
        return layer if all(x in tensors for x in layer.inputs[1:]) else None
    if len(layer.inputs) != 2 or layer.inputs[1] not in tensors:
        return None
    if layer.op == "conv2d":
        return Node(
            "conv2d_fused", layer.name, list(layer.inputs), list(layer.outputs), dict(layer.attrs)
        )
    w = tensors[layer.inputs[1]]
    if layer.attrs.get("transpose_a") or w.ndim != 2:
        return None
    attrs = {"transpose_b": bool(layer.attrs.get("transpose_b")), "activation": None}
    return Node("dense_fused", layer.name, list(layer.inputs), list(layer.outputs), attrs)


_ACTS: dict[tuple[str, str | None], str] = {
    ("relu", None): "relu",
    ("sigmoid", None): "sigmoid",
    ("tanh", None): "tanh",
    ("silu", None): "silu",
    ("gelu", "none"): "gelu",
    ("gelu", "tanh"): "gelu_tanh",
    ("relu6", None): "relu6",
}


def _activation(node: Node, tensors: dict[str, np.ndarray]) -> str | None:
    """The fused-op activation ``node`` computes from its first input, if it is one: also
    ``clip(x, 0, 6)`` with constant bounds, which is how ONNX exporters write ReLU6."""
    if node.op == "clip" and len(node.inputs) == 3:
        lo, hi = (tensors.get(x) for x in node.inputs[1:])
        if lo is not None and hi is not None and lo.size == 1 and hi.size == 1:
            return "relu6" if float(lo.reshape(())) == 0 and float(hi.reshape(())) == 6 else None
        return None
    return _ACTS.get((node.op, node.attrs.get("approximate") if node.op == "gelu" else None))


def fuse_activation(graph: LiteGraph) -> LiteGraph:
    nodes = list(graph.nodes)
    outputs = {v.name for v in graph.outputs}
    users = _consumers(nodes)
    producers = {out: i for i, n in enumerate(nodes) for out in n.outputs}
    fused_away: set[int] = set()
    for i, node in enumerate(nodes):
        act = _activation(node, graph.tensors)
        src = node.inputs[0] if node.inputs else None
        if act is None or src not in producers or src in outputs or len(users[src]) != 1:
            continue
        k = producers[src]
        layer = _as_fused(nodes[k], graph.tensors)
        if layer is None or layer.attrs.get("activation"):
            continue
        nodes[k] = Node(
            layer.op,
            layer.name,
            list(layer.inputs),
            list(node.outputs),
            {**layer.attrs, "activation": act},
        )
        fused_away.add(i)
    keep = [n for i, n in enumerate(nodes) if i not in fused_away]
    return _replace(graph, keep, dict(graph.tensors))


def drop_dead(graph: LiteGraph) -> LiteGraph:
    live = {v.name for v in graph.outputs}
    keep = []
    for node in reversed(graph.nodes):
        if any(out in live for out in node.outputs):
            keep.append(node)
            live.update(node.inputs)
    keep.reverse()
    tensors = {k: v for k, v in graph.tensors.items() if k in live}
    return _replace(graph, keep, tensors)


def _consumers(nodes: list[Node]) -> dict[str, list[Node]]:
    users: dict[str, list[Node]] = {}
    for node in nodes:
        for name in node.inputs:
            users.setdefault(name, []).append(node)
    return users


def _replace(graph: LiteGraph, nodes: list[Node], tensors: dict[str, np.ndarray]) -> LiteGraph:
    return LiteGraph(
        graph.inputs,
        graph.outputs,
        nodes,
        tensors,
        dict(graph.quant),
        dict(graph.metadata),
        graph.shapes,
    )


PASSES: dict[str, Callable[[LiteGraph], LiteGraph]] = {
    "fold_constants": fold_constants,
    "fold_affine": fold_affine,
    "fuse_activation": fuse_activation,
    "drop_dead": drop_dead,
}


def optimize(graph: LiteGraph, level: str = "general") -> LiteGraph:
    """Run the passes (``level="general"``) or none (``"none"``)."""
    if level == "none":
        return drop_dead(graph)
    for fn in PASSES.values():
        graph = fn(graph)
    return graph
