"""The lite graph: what a ``.ms`` file holds and what the runtime runs.

A :class:`LiteGraph` is a list of :class:`Node` in execution order. Values are named by strings:
the graph's inputs, its constant tensors (weights, folded constants) and each node's outputs.
An op is named by its mind-core primitive name (``conv2d``, ``matmul``, ``add``, ...) with the
primitive's attributes, or by one of the fused ops the optimizer makes (see
:mod:`mind.lite._src.kernels`), so a converted graph means exactly what the mind-core graph
it came from meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["LiteGraph", "Node", "QuantParam", "ValueInfo"]


@dataclass(frozen=True)
class ValueInfo:
    """A graph input or output: its name, numpy dtype name and shape."""

    name: str
    dtype: str
    shape: tuple[int, ...]


@dataclass(frozen=True)
class QuantParam:
    """Affine int8 quantization of a tensor: ``real = scale * (q - zero_point)``; per channel
    along ``axis`` when ``scale`` has more than one entry."""

    scale: tuple[float, ...]
    zero_point: tuple[int, ...]
    axis: int | None = None


@dataclass
class Node:
    op: str
    name: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiteGraph:
    inputs: list[ValueInfo]
    outputs: list[ValueInfo]
    nodes: list[Node]
    tensors: dict[str, np.ndarray]
    quant: dict[str, QuantParam] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    #: value name -> shape, where the converter knows it (not stored in the file)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def producers(self) -> dict[str, Node]:
        """Value name -> the node that computes it."""
        return {out: node for node in self.nodes for out in node.outputs}

    def consumers(self) -> dict[str, list[Node]]:
        """Value name -> the nodes that read it (graph outputs are not nodes: see ``outputs``)."""
        users: dict[str, list[Node]] = {}
        for node in self.nodes:
            for name in node.inputs:
                users.setdefault(name, []).append(node)
        return users

    def __str__(self) -> str:
        lines = [
            "lite graph("
            + ", ".join(f"{v.name}: {v.dtype}{list(v.shape)}" for v in self.inputs)
            + ") {"
        ]
        for name, array in self.tensors.items():
            lines.append(f"  {name} = tensor {array.dtype}{list(array.shape)}")
        for node in self.nodes:
            attrs = ", ".join(f"{k}={v!r}" for k, v in node.attrs.items())
            lines.append(
                f"  {', '.join(node.outputs)} = {node.op}({', '.join(node.inputs)})"
                + (f" {{{attrs}}}" if attrs else "")
            )
        lines.append(f"  return ({', '.join(v.name for v in self.outputs)})")
        lines.append("}")
        return "\n".join(lines)
