"""A lite graph as C: the plan :mod:`mind.lite._src.native` runs, made by mind-core's native
lowering (``mind.core._src.devices.native.lower``).

This module loads mind-core's compiler; the runtime imports it only when its cache has no plan
for a model yet (the first load on a machine). The lite graph becomes a mind-core FuncGraph of
the same primitives (the fused ops expanded back into a layer, its bias and its activation, which
the lowering fuses again in C), the weights its constants; the lowering then plans the storage
and writes one C function per run of nodes it has C for. The plan is JSON: the C source, the
functions, every slot (a weight is named by its tensor, never copied into the plan) and the
steps; a node without C is a step on the runtime's own numpy kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.lite._src.format import encode_attr
from mind.lite._src.graph import LiteGraph

__all__ = ["PLAN_VERSION", "generate"]

PLAN_VERSION = 1

#: mind-lite's own C ops (mind.lite._src.int8): a plan holding one gets its C prelude
_OWN_OPS = ("lite_qdense", "lite_qconv2d", "lite_dense1")

_ACTIVATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "relu": ("relu", {}),
    "sigmoid": ("sigmoid", {}),
    "tanh": ("tanh", {}),
    "silu": ("silu", {}),
    "gelu": ("gelu", {"approximate": "none"}),
    "gelu_tanh": ("gelu", {"approximate": "tanh"}),
}


def generate(graph: LiteGraph) -> dict[str, Any]:
    """The native plan of ``graph`` (see the module docstring)."""
    from mind.core._src.devices.native.lower import lower
    from mind.core._src.ir.graph import FuncGraph
    from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray
    from mind.core._src.tensor import dtype as dt
    from mind.lite._src.int8 import C_ACTIVATIONS, C_PRELUDE, register_lowerings

    register_lowerings()
    fg = FuncGraph("lite")
    node_of: dict[str, Any] = {}
    tensor_of: dict[int, str] = {}  # id of an array given to the FuncGraph -> its lite tensor

    def constant(array: np.ndarray, tensor: str | None) -> Any:
        node = fg.add_constant(array)
        if tensor is not None:
            tensor_of[id(node.value)] = tensor
        return node

    def apply(prim: str, inputs: list[Any], attrs: dict[str, Any]) -> Any:
        aval = PRIMITIVES[prim].infer(*[i.aval for i in inputs], **attrs)
        return fg.add_apply(prim, tuple(inputs), attrs, aval)

    def own_op(prim: str, inputs: list[Any], attrs: dict[str, Any]) -> Any:
        """One of mind-lite's own C ops, its activation in the C epilogue or as its own op."""
        act = attrs.get("activation")
        inside = act in C_ACTIVATIONS
        out = apply(prim, inputs, {**attrs, "activation": act if inside else None})
        if not inside:
            act_prim, act_attrs = _ACTIVATIONS[act]
            out = apply(act_prim, [out], act_attrs)
        return out

    for v in graph.inputs:
        aval = ShapedArray(tuple(v.shape), dt.from_numpy_dtype(np.dtype(v.dtype)))
        node_of[v.name] = fg.add_parameter(aval, v.name)
    for name, array in graph.tensors.items():
        node_of[name] = constant(array, name)
    for n in graph.nodes:
        ins = [node_of[x] for x in n.inputs]
        attrs = dict(n.attrs)
        if "dtype" in attrs:
            attrs["dtype"] = dt.to_dtype(attrs["dtype"])
        if n.op == "dense_fused" and _batch_one(ins, attrs):  # the plan's threaded GEMV
            out = own_op("lite_dense1", ins, {"activation": attrs.get("activation")})
        elif n.op in ("conv2d_fused", "dense_fused"):
            act = attrs.pop("activation", None)
            if n.op == "conv2d_fused":
                out = apply("conv2d", ins[:2], attrs)
                bias_shape = (1, -1, 1, 1)
            else:
                out = apply(
                    "matmul", ins[:2], {"transpose_a": False, "transpose_b": attrs["transpose_b"]}
                )
                bias_shape = (-1,)
            if len(n.inputs) > 2:
                bias = graph.tensors[n.inputs[2]]
                out = apply("add", [out, constant(bias.reshape(bias_shape), n.inputs[2])], {})
            if act == "relu6":
                lo, hi = (constant(np.asarray(v, out.aval.dtype.np), None) for v in (0, 6))
                out = apply("clip", [out, lo, hi], {})
            elif act is not None:
                prim, act_attrs = _ACTIVATIONS[act]
                out = apply(prim, [out], act_attrs)
        elif n.op in ("lite_qdense", "lite_qconv2d"):
            out = own_op(n.op, ins, attrs)
        elif n.op == "conv_transpose2d":  # mind-core's is conv2d's input gradient: the same op
            out = _conv_transpose(apply, constant, graph, n, ins, attrs)
        elif n.op == "fake_quant":  # the int8 grid, in elementwise ops the lowering fuses
            dtype = ins[0].aval.dtype.np
            scale, zero = (
                constant(np.asarray(attrs[k], dtype), None) for k in ("scale", "zero_point")
            )
            lo, hi = (constant(np.asarray(v, dtype), None) for v in (-128, 127))
            q = apply(
                "clip",
                [
                    apply(
                        "add", [apply("round", [apply("div", [ins[0], scale], {})], {}), zero], {}
                    ),
                    lo,
                    hi,
                ],
                {},
            )
            out = apply("mul", [apply("sub", [q, zero], {}), scale], {})
        else:
            out = apply(n.op, ins, attrs)
        (name,) = n.outputs
        node_of[name] = out
    fg.outputs = tuple(node_of[v.name] for v in graph.outputs)
    lowered = lower(fg)
    uses_prelude = any(node.prim in _OWN_OPS for node in fg.nodes)

    slots = []
    for s in lowered.slots:
        entry: dict[str, Any] = {
            "kind": s.kind,
            "dtype": np.dtype(s.dtype).name if s.dtype is not None else None,
            "shape": list(s.shape) if s.shape is not None else None,
            "offset": s.offset,
            "position": s.position,
        }
        if s.kind == "const":
            tensor = tensor_of.get(id(s.value))
            if tensor is not None:
                entry["tensor"] = tensor
            else:  # a constant the lowering made (the status word, a clip bound, a 0-d copy)
                value = np.asarray(s.value)
                if value.nbytes > 4096:  # the runtime's key covers only small tensors' values
                    raise ValueError(f"the lowering copied a {value.nbytes}-byte constant")
                entry["value"] = value.reshape(-1).tolist()
        slots.append(entry)
    steps: list[list[Any]] = []
    for step in lowered.steps:
        if step.kind == "native":
            steps.append(["native", step.function])
            continue
        node = step.node
        if node.prim == "conv_transpose2d":  # lite's kernel of that name takes ONNX's attributes
            raise ValueError("a conv_transpose2d without C runs, with the model, on numpy kernels")
        ins = [
            [
                lowered.slot_of[i.id],
                None
                if lowered.slots[lowered.slot_of[i.id]].kind == "tuple"
                else list(i.aval.shape),
            ]
            for i in node.inputs
        ]
        attrs = {
            k: encode_attr(v.name if k == "dtype" else v, f"node {node.prim}")
            for k, v in node.attrs.items()
        }
        copy = bool(ins) and ins[0][1] is None
        steps.append(
            ["cpu", node.prim, ins, attrs, lowered.slot_of[node.id], list(node.aval.shape), copy]
        )
    return {
        "version": PLAN_VERSION,
        "source": (C_PRELUDE + lowered.source) if uses_prelude else lowered.source,
        # the int8 GEMM's thread count setter (see mind.lite._src.int8) beside the regions
        "functions": list(lowered.functions) + (["mind_lite_threads"] if uses_prelude else []),
        "arena_bytes": int(lowered.memory_plan.arena_bytes),
        "status_slot": int(lowered.status_slot),
        "slots": slots,
        "steps": steps,
        "outputs": [int(s) for s in lowered.output_slots],
        "output_shapes": [list(o.aval.shape) for o in fg.outputs],
        "fallback": dict(lowered.fallback),
    }


def _batch_one(ins: list, attrs: dict) -> bool:
    """A float32 ``x (1, K) @ w (O, K).T`` with a constant ``w``: one row, read once."""
    from mind.core._src.ir.graph import Constant

    x, w = ins[0].aval, ins[1].aval
    if len(ins) > 2:  # the C reads one float32 bias per row
        b = ins[2].aval
        if b.shape not in ((w.shape[0],), (1, w.shape[0])) or b.dtype.name != "float32":
            return False
    return (
        attrs.get("transpose_b", True)
        and x.ndim == 2
        and x.shape[0] == 1
        and w.ndim == 2
        and x.dtype.name == w.dtype.name == "float32"
        and isinstance(ins[1], Constant)
    )


def _conv_transpose(
    apply: Any, constant: Any, graph: LiteGraph, n: Any, ins: list, attrs: dict
) -> Any:
    """Lite's ``conv_transpose2d`` (ONNX's ConvTranspose: crop ``pads``, ``output_padding``, an
    optional bias) as mind-core's, whose ``in_hw`` is the output size; negative pads (which
    extend the output) have no mind-core form and leave the model to the numpy kernels."""
    pads, stride, dilation = attrs["pads"], attrs["stride"], attrs["dilation"]
    if any(p < 0 for p in pads):
        raise ValueError("conv_transpose2d with negative pads runs on the numpy kernels")
    extra = attrs.get("output_padding", (0, 0))
    _, _, kh, kw = ins[1].aval.shape
    h, w = ins[0].aval.shape[2:]
    in_hw = (
        (h - 1) * stride[0] - pads[0] - pads[1] + dilation[0] * (kh - 1) + 1 + extra[0],
        (w - 1) * stride[1] - pads[2] - pads[3] + dilation[1] * (kw - 1) + 1 + extra[1],
    )
    if extra[0] or extra[1]:  # the extra rows and columns: conv2d's gradient padded on the far side
        pads = (pads[0], pads[1] - extra[0], pads[2], pads[3] - extra[1])
    out = apply(
        "conv_transpose2d",
        ins[:2],
        {
            "stride": tuple(stride),
            "pads": tuple(pads),
            "dilation": tuple(dilation),
            "groups": attrs["groups"],
            "in_hw": in_hw,
        },
    )
    if len(n.inputs) > 2:
        bias = graph.tensors[n.inputs[2]]
        out = apply("add", [out, constant(bias.reshape(1, -1, 1, 1), n.inputs[2])], {})
    return out
