"""Quantization-aware training, with MindSpore Golden Stick's name.

>>> from mind.lite.quant import SimulatedQuantizationAwareTraining as SimQAT   # doctest: +SKIP
>>> algo = SimQAT()
>>> qat_net = algo.apply(net)          # every Conv2d and Dense now trains on int8 grids
>>> ...train qat_net as usual (PyNative or GRAPH_MODE)...
>>> deploy = algo.convert(qat_net)     # eval mode, ready for mind.core.export
>>> ms.export(deploy, x, file_name="net", file_format="MINDIR")
>>> mslite.Converter().convert(mslite.FmkType.MINDIR, "net.mindir", "net")   # an int8 model

Each ``nn.Conv2d`` and ``nn.Dense`` is wrapped (its own cell, weights and names kept under
``.layer``): its weight passes through ``lite_fake_quant_weight`` (symmetric, per output
channel) and its input through ``lite_fake_quant_act`` (asymmetric per tensor, over a range the
training batches set: the first batch's min/max, then an exponential moving average with
``ema_decay``). Gradients pass straight through. These are the grids mind-lite's int8 model
uses, and the primitives are mind-lite's plugin ops, so the exported MindIR holds them: the
converter turns them into the lite model's quantized weights and activation ranges. Batch norms
are not folded during training: with per-channel symmetric weights, folding them into the
convolution at conversion keeps every weight on its grid.

This module loads mind-core's ``nn`` (training code); ``import mind.lite`` does not import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core import Parameter, Tensor, nn, ops
from mind.core.errors import MindValueError

__all__ = ["SimulatedQuantizationAwareTraining"]

_DEFAULTS = {
    "per_channel": [False, True],  # activations, weights
    "symmetric": [False, True],
    "quant_delay": [0, 0],
    "ema_decay": 0.999,
    "bn_fold": False,
    "freeze_bn": 10_000_000,
    "enable_fusion": False,
    "one_conv_fold": True,
    "quant_dtype": ["INT8", "INT8"],
    "narrow_range": [False, True],
}


class _QuantLayer(nn.Cell):
    """A Conv2d or Dense computing on fake-quantized inputs and weights."""

    def __init__(self, layer: nn.Cell, ema_decay: float) -> None:
        super().__init__()
        self.layer = layer
        self.ema_decay = float(ema_decay)
        self.act_min = Parameter(
            Tensor(np.zeros((), np.float32)), name="act_min", requires_grad=False
        )
        self.act_max = Parameter(
            Tensor(np.zeros((), np.float32)), name="act_max", requires_grad=False
        )
        self.observed = Parameter(
            Tensor(np.zeros((), np.float32)), name="observed", requires_grad=False
        )
        self._weight_q = ops.get_primitive("lite_fake_quant_weight")
        self._act_q = ops.get_primitive("lite_fake_quant_act")

    def construct(self, x: Tensor) -> Tensor:
        if self.training:
            low, high = ops.stop_gradient(x.min()), ops.stop_gradient(x.max())
            d, first = self.ema_decay, self.observed
            ops.assign(self.act_min, ops.where(first > 0, d * self.act_min + (1 - d) * low, low))
            ops.assign(self.act_max, ops.where(first > 0, d * self.act_max + (1 - d) * high, high))
            ops.assign(self.observed, ops.ones_like(first))
        xq = self._act_q(x, self.act_min, self.act_max)
        layer = self.layer
        wq = self._weight_q(layer.weight)
        if isinstance(layer, nn.Dense):
            out = ops.dense(xq, wq, layer.bias)
            return out if layer.activation is None else layer.activation(out)
        return type(layer).conv(
            xq,
            wq,
            layer.bias,
            layer.stride,
            layer.pad_mode,
            layer.padding,
            layer.dilation,
            layer.group,
        )


class SimulatedQuantizationAwareTraining:
    """MindSpore Golden Stick's ``SimulatedQuantizationAwareTraining`` (SimQAT): 8-bit weights,
    symmetric per channel, and 8-bit activations, asymmetric per tensor (see the module
    docstring). ``config`` takes Golden Stick's keys; values other than these defaults are
    refused, naming the key, except ``ema_decay``."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        config = dict(config or {})
        unknown = set(config) - set(_DEFAULTS)
        if unknown:
            raise MindValueError(
                f"SimulatedQuantizationAwareTraining: unknown config keys {sorted(unknown)}"
            )
        for key, value in config.items():
            if key != "ema_decay" and value != _DEFAULTS[key]:
                raise MindValueError(
                    f"SimulatedQuantizationAwareTraining: {key}={value!r} is not supported "
                    f"(mind-lite's int8 models take {key}={_DEFAULTS[key]!r})"
                )
        self.ema_decay = float(config.get("ema_decay", _DEFAULTS["ema_decay"]))
        if not 0.0 <= self.ema_decay < 1.0:
            raise MindValueError(
                f"SimulatedQuantizationAwareTraining: ema_decay={self.ema_decay} is not in [0, 1)"
            )

    def apply(self, network: nn.Cell) -> nn.Cell:
        """Wrap every ``nn.Conv2d`` and ``nn.Dense`` of ``network`` in place; returns it."""
        count = self._wrap(network)
        if count == 0:
            raise MindValueError(
                "SimulatedQuantizationAwareTraining.apply: the network has no Conv2d or Dense"
            )
        return network

    def _wrap(self, cell: nn.Cell) -> int:
        count = 0
        for name, child in list(cell.name_cells().items()):
            if isinstance(child, _QuantLayer):
                continue
            if type(child) in (nn.Conv2d, nn.Dense):
                wrapped = _QuantLayer(child, self.ema_decay)
                if isinstance(cell, nn.SequentialCell):
                    cell[int(name)] = wrapped
                else:
                    setattr(cell, name, wrapped)
                count += 1
            else:
                count += self._wrap(child)
        return count

    def convert(self, net_opt: nn.Cell, ckpt_path: str = "") -> nn.Cell:
        """The trained network, in eval mode, to export (``ckpt_path``: load those weights first)."""
        if ckpt_path:
            from mind.core import load_checkpoint, load_param_into_net

            load_param_into_net(net_opt, load_checkpoint(ckpt_path))
        net_opt.set_train(False)
        return net_opt
