"""mind-lite's mind-core plugin (entry point ``mind`` -> ``lite``): the fake-quant primitives of
quantization-aware training, registered through ``mind_register_primitives`` like any third
party's ops, so a network holding them trains in PyNative and graph mode, exports to MindIR and
loads again wherever mind-lite is installed.

- ``lite_fake_quant_weight(w)``: ``w`` on its symmetric per-output-channel int8 grid;
- ``lite_fake_quant_act(x, lo, hi)``: ``x`` on the asymmetric int8 grid over ``[lo, hi]``.

Both pass gradients straight through (the activation's only inside its range).
"""

from __future__ import annotations

from mind.core.plugins import PrimitiveDef, hookimpl
from mind.lite._src.qmath import activation_grid, fake_quant_act, fake_quant_weight

__all__ = ["mind_register_primitives"]


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
