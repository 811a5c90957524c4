"""MindSpore's Primitive-class operators over the ops of ``math_ops`` (see ops.operations: each
class is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import math_ops as M
from mind.core._src.ops.operations import PrimitiveClass, _calls, _define, _same

for _name, _fn in {
    "Tan": M.tan,
    "Atan": M.atan,
    "Asin": M.asin,
    "ACos": M.acos,
    "Acos": M.acos,
    "Sinh": M.sinh,
    "Cosh": M.cosh,
    "Asinh": M.asinh,
    "Acosh": M.acosh,
    "Atanh": M.atanh,
    "Expm1": M.expm1,
    "Erfc": M.erfc,
    "Ceil": M.ceil,
    "Atan2": M.atan2,
    "Hypot": M.hypot,
    "Mod": M.fmod,  # MindSpore's Mod: the remainder with the dividend's sign
    "IsNan": M.isnan,
    "IsInf": M.isinf,
    "IsFinite": M.isfinite,
    "Inv": M.inv,
    "Invert": M.invert,
    "BitwiseAnd": M.bitwise_and,
    "BitwiseOr": M.bitwise_or,
    "BitwiseXor": M.bitwise_xor,
    "LeftShift": M.bitwise_left_shift,
    "RightShift": M.bitwise_right_shift,
    "Xlogy": M.xlogy,
    "Xdivy": M.xdivy,
    "SquaredDifference": M.squared_difference,
    "Heaviside": M.heaviside,
    "Lerp": M.lerp,
    "Addcmul": M.addcmul,
    "Addcdiv": M.addcdiv,
    "Softsign": M.softsign,
    "SeLU": M.selu,
    "HSwish": M.hardswish,
    "HSigmoid": M.hardsigmoid,
    "Mish": M.mish,
    "ReLU6": M.relu6,
    "PReLU": M.prelu,
    "FastGeLU": M.fast_gelu,
}.items():
    _same(_name, _fn)


@_calls(M.hardshrink)
def _hshrink(op: PrimitiveClass, x: Any) -> Any:
    return M.hardshrink(x, op.lambd)


_define("HShrink", _hshrink, lambd=0.5)


@_calls(M.softshrink)
def _softshrink(op: PrimitiveClass, x: Any) -> Any:
    return M.softshrink(x, op.lambd)


_define("SoftShrink", _softshrink, lambd=0.5)


@_calls(M.celu)
def _celu(op: PrimitiveClass, x: Any) -> Any:
    return M.celu(x, op.alpha)


_define("CeLU", _celu, alpha=1.0)


@_calls(M.isclose)
def _isclose(op: PrimitiveClass, x: Any, y: Any) -> Any:
    return M.isclose(x, y, op.rtol, op.atol, op.equal_nan)


_define("IsClose", _isclose, rtol=1e-05, atol=1e-08, equal_nan=True)


@_calls(M.approximate_equal)
def _approximate_equal(op: PrimitiveClass, x: Any, y: Any) -> Any:
    return M.approximate_equal(x, y, op.tolerance)


_define("ApproximateEqual", _approximate_equal, tolerance=1e-05)


def _channel_dropout_class(name: str, spatial: int) -> None:
    def apply(op: PrimitiveClass, x: Any) -> Any:
        return M._channel_dropout(name, x, op.keep_prob, spatial)

    _define(name, apply, keep_prob=0.5)


_channel_dropout_class("Dropout2D", 2)
_channel_dropout_class("Dropout3D", 3)
