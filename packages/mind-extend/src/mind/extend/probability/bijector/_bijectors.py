"""Bijectors: invertible maps y = f(x) with their log-Jacobians, MindSpore's ``bijector`` names.

A subclass defines ``_forward``, ``_inverse``, ``_forward_log_jacobian`` and
``_inverse_log_jacobian`` on values; parameters are Tensors cast to the input's dtype
(``cast_param_by_value``). Calling a bijector on a Distribution gives the TransformedDistribution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import mind.core as mc
from mind.core import ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.nn import Cell

__all__ = ["Bijector", "Exp", "GumbelCDF", "Invert", "PowerTransform", "ScalarAffine", "Softplus"]


class Bijector(Cell):
    """Base class of bijectors (MindSpore's ``Bijector(is_constant_jacobian, is_injective, name,
    dtype, param)``). ``dtype`` None accepts any float input; a dtype demands exactly it."""

    def __init__(
        self,
        is_constant_jacobian: bool = False,
        is_injective: bool = True,
        name: str | None = None,
        dtype: Any = None,
        param: dict | None = None,
    ) -> None:
        super().__init__()
        owner = type(self).__name__
        if not isinstance(name, str):
            raise MindTypeError(f"For '{owner}', 'name' must be a str, got {type(name).__name__}.")
        for flag, value in (
            ("is_constant_jacobian", is_constant_jacobian),
            ("is_injective", is_injective),
        ):
            if not isinstance(value, bool):
                raise MindTypeError(f"For '{name}', '{flag}' must be a bool, got {value!r}.")
        if dtype is not None and not (isinstance(dtype, mc.DType) and dtype.is_floating_point):
            raise MindTypeError(f"For '{name}', 'dtype' must be None or a float type, got {dtype}.")
        self._name = name
        self._dtype = dtype
        param = param or {}
        self._parameters = {
            k: v
            for k, v in param.items()
            if k != "param" and not (k == "self" or k.startswith("_"))
        }
        self._is_constant_jacobian = is_constant_jacobian
        self._is_injective = is_injective
        if "bijector" not in param:
            param_dict = self._parameters.get("param_dict", {})
            shapes = [
                np.shape(v.asnumpy() if isinstance(v, mc.Tensor) else v)
                for v in param_dict.values()
            ]
            self._batch_shape = tuple(np.broadcast_shapes(*shapes)) if shapes else ()
            self._is_scalar_batch = all(isinstance(v, (int, float)) for v in param_dict.values())

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def parameters(self) -> dict:
        return self._parameters

    @property
    def is_constant_jacobian(self) -> bool:
        return self._is_constant_jacobian

    @property
    def is_injective(self) -> bool:
        return self._is_injective

    @property
    def batch_shape(self) -> Any:
        return self._batch_shape

    @property
    def is_scalar_batch(self) -> bool:
        return self._is_scalar_batch

    def _add_parameter(self, value: Any, name: str) -> Any:
        if isinstance(value, mc.Tensor):
            tensor = value
        else:
            array = np.asarray(value)
            if array.dtype.kind not in "iuf" or isinstance(value, bool):
                raise MindTypeError(f"For '{self._name}', '{name}' must be numeric, got {value!r}.")
            dtype = self._dtype or (
                mc.to_dtype(array.dtype) if array.dtype.kind == "f" else mc.float32
            )
            tensor = mc.Tensor(array.astype(dtype.np), dtype=dtype)
        if not tensor.dtype.is_floating_point:
            tensor = ops.cast(tensor, self._dtype or mc.float32)
        return tensor

    def _check_value_dtype(self, value: Any) -> Any:
        """``value`` must be a float Tensor, of ``dtype`` when the bijector has one."""
        if not isinstance(value, mc.Tensor):
            raise MindTypeError(
                f"For '{self._name}', the input value must be a Tensor, got {type(value).__name__}."
            )
        if self._dtype is None:
            if not value.dtype.is_floating_point:
                raise MindTypeError(
                    f"For '{self._name}', the input must be a float Tensor, got {value.dtype}."
                )
        elif value.dtype != self._dtype:
            raise MindTypeError(
                f"For '{self._name}', the input must be {self._dtype}, got {value.dtype}."
            )
        return value

    def _check_value(self, value: Any, name: str) -> Any:
        if not isinstance(value, mc.Tensor):
            raise MindTypeError(
                f"For '{self._name}', '{name}' must be a Tensor, got {type(value).__name__}."
            )
        return value

    def cast_param_by_value(self, value: Any, para: Any) -> Any:
        """``para`` in ``value``'s dtype."""
        return ops.cast(para, value.dtype)

    def _shape_mapping(self, shape: tuple) -> tuple:
        return tuple(np.broadcast_shapes(tuple(shape), tuple(self._batch_shape or ())))

    def shape_mapping(self, shape: tuple) -> tuple:
        return self._shape_mapping(shape)

    def _missing(self, what: str) -> Any:
        raise NotImplementedError(f"{what} is not implemented for the bijector '{self._name}'.")

    def _forward(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._missing("forward")

    def _inverse(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._missing("inverse")

    def _forward_log_jacobian(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._missing("forward_log_jacobian")

    def _inverse_log_jacobian(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        return self._missing("inverse_log_jacobian")

    def forward(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """y = f(x)."""
        return self._forward(value, *args, **kwargs)

    def inverse(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """x = f^-1(y)."""
        return self._inverse(value, *args, **kwargs)

    def forward_log_jacobian(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """log |f'(x)|."""
        return self._forward_log_jacobian(value, *args, **kwargs)

    def inverse_log_jacobian(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """log |(f^-1)'(y)|."""
        return self._inverse_log_jacobian(value, *args, **kwargs)

    _METHODS = ("forward", "inverse", "forward_log_jacobian", "inverse_log_jacobian")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from mind.extend.probability.distribution import Distribution, TransformedDistribution

        if args and isinstance(args[0], Distribution):
            return TransformedDistribution(self, args[0])
        return super().__call__(*args, **kwargs)

    def construct(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in self._METHODS:
            raise MindValueError(
                f"For '{self._name}', unknown function '{name}'; expected one of {', '.join(self._METHODS)}."
            )
        return getattr(self, name)(*args, **kwargs)


class Exp(Bijector):
    """y = exp(x)."""

    def __init__(self, name: str = "Exp") -> None:
        super().__init__(name=name, param=dict(locals()))

    def _forward(self, x: Any) -> Any:
        return ops.exp(self._check_value_dtype(x))

    def _inverse(self, y: Any) -> Any:
        return ops.log(self._check_value_dtype(y))

    def _forward_log_jacobian(self, x: Any) -> Any:
        return self._check_value_dtype(x)

    def _inverse_log_jacobian(self, y: Any) -> Any:
        return -ops.log(self._check_value_dtype(y))


class PowerTransform(Bijector):
    """y = (1 + power * x) ** (1 / power), and y = exp(x) at power 0 (power >= 0)."""

    def __init__(self, power: Any = 0.0, name: str = "PowerTransform") -> None:
        param = dict(locals())
        param["param_dict"] = {"power": power}
        super().__init__(name=name, param=param)
        self._power = self._add_parameter(power, "power")
        if np.any(self._power.asnumpy() < 0):
            raise MindValueError(f"For '{name}', 'power' must be non-negative, got {power}.")

    @property
    def power(self) -> Any:
        return self._power

    def _p(self, value: Any) -> Any:
        return self.cast_param_by_value(value, self._power)

    @staticmethod
    def _safe(p: Any, x: Any) -> Any:
        """A power of 1 and an input of 0 where power is 0, so the branch ``where`` drops stays
        finite and its gradient (multiplied by zero) cannot be nan."""
        zero = p == 0
        return ops.where(zero, ops.ones_like(p), p), ops.where(zero, ops.zeros_like(x), x)

    def _forward(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        p = self._p(x)
        safe, x_safe = self._safe(p, x)
        powered = ops.exp(ops.log1p(x_safe * safe) / safe)
        return ops.where(p == 0, ops.exp(x), powered)

    def _inverse(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        p = self._p(y)
        safe, _ = self._safe(p, y)
        return ops.where(p == 0, ops.log(y), ops.expm1(ops.log(y) * safe) / safe)

    def _forward_log_jacobian(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        p = self._p(x)
        safe, x_safe = self._safe(p, x)
        return ops.where(p == 0, x, (1.0 / safe - 1.0) * ops.log1p(x_safe * safe))

    def _inverse_log_jacobian(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        return (self._p(y) - 1.0) * ops.log(y)


class ScalarAffine(Bijector):
    """y = scale * x + shift."""

    def __init__(self, scale: Any = 1.0, shift: Any = 0.0, name: str = "ScalarAffine") -> None:
        param = dict(locals())
        param["param_dict"] = {"scale": scale, "shift": shift}
        super().__init__(is_constant_jacobian=True, name=name, param=param)
        self._scale = self._add_parameter(scale, "scale")
        self._shift = self._add_parameter(shift, "shift")
        if np.any(self._scale.asnumpy() == 0):
            raise MindValueError(f"For '{name}', 'scale' must be non-zero, got {scale}.")

    @property
    def scale(self) -> Any:
        return self._scale

    @property
    def shift(self) -> Any:
        return self._shift

    def _forward(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        return self.cast_param_by_value(x, self._scale) * x + self.cast_param_by_value(
            x, self._shift
        )

    def _inverse(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        return (y - self.cast_param_by_value(y, self._shift)) / self.cast_param_by_value(
            y, self._scale
        )

    def _forward_log_jacobian(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        return ops.log(ops.abs(self.cast_param_by_value(x, self._scale))) + ops.zeros_like(x)

    def _inverse_log_jacobian(self, y: Any) -> Any:
        return -self._forward_log_jacobian(y)


class Softplus(Bijector):
    """y = log(1 + exp(sharpness * x)) / sharpness."""

    def __init__(self, sharpness: Any = 1.0, name: str = "Softplus") -> None:
        param = dict(locals())
        param["param_dict"] = {"sharpness": sharpness}
        super().__init__(name=name, param=param)
        self._sharpness = self._add_parameter(sharpness, "sharpness")
        if np.any(self._sharpness.asnumpy() <= 0):
            raise MindValueError(f"For '{name}', 'sharpness' must be positive, got {sharpness}.")

    @property
    def sharpness(self) -> Any:
        return self._sharpness

    def _forward(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        k = self.cast_param_by_value(x, self._sharpness)
        return ops.softplus(k * x) / k

    def _inverse(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        k = self.cast_param_by_value(y, self._sharpness)
        ky = k * y
        # log(expm1(ky)) = ky + log(-expm1(-ky)), stable for large ky.
        return (ky + ops.log(-ops.expm1(-ky))) / k

    def _forward_log_jacobian(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        k = self.cast_param_by_value(x, self._sharpness)
        return ops.logsigmoid(k * x)

    def _inverse_log_jacobian(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        k = self.cast_param_by_value(y, self._sharpness)
        return -ops.log(-ops.expm1(-k * y))


class GumbelCDF(Bijector):
    """y = exp(-exp(-(x - loc) / scale)), the Gumbel cdf; scale > 0."""

    def __init__(self, loc: Any = 0.0, scale: Any = 1.0, name: str = "GumbelCDF") -> None:
        param = dict(locals())
        param["param_dict"] = {"loc": loc, "scale": scale}
        super().__init__(name=name, param=param)
        self._loc = self._add_parameter(loc, "loc")
        self._scale = self._add_parameter(scale, "scale")
        if np.any(self._scale.asnumpy() <= 0):
            raise MindValueError(f"For '{name}', 'scale' must be positive, got {scale}.")

    @property
    def loc(self) -> Any:
        return self._loc

    @property
    def scale(self) -> Any:
        return self._scale

    def _z(self, x: Any) -> Any:
        x = self._check_value_dtype(x)
        scale = self.cast_param_by_value(x, self._scale)
        return (x - self.cast_param_by_value(x, self._loc)) / scale, scale

    def _forward(self, x: Any) -> Any:
        return ops.exp(-ops.exp(-self._z(x)[0]))

    def _inverse(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        loc, scale = (
            self.cast_param_by_value(y, self._loc),
            self.cast_param_by_value(y, self._scale),
        )
        return loc - scale * ops.log(-ops.log(y))

    def _forward_log_jacobian(self, x: Any) -> Any:
        z, scale = self._z(x)
        return -z - ops.exp(-z) - ops.log(scale)

    def _inverse_log_jacobian(self, y: Any) -> Any:
        y = self._check_value_dtype(y)
        scale = self.cast_param_by_value(y, self._scale)
        return ops.log(scale) - ops.log(-ops.log(y)) - ops.log(y)


class Invert(Bijector):
    """The inverse of ``bijector``: forward is its inverse and the other way round."""

    def __init__(self, bijector: Bijector, name: str = "") -> None:
        if not isinstance(bijector, Bijector):
            raise MindTypeError(
                f"For 'Invert', 'bijector' must be a Bijector, got {type(bijector).__name__}."
            )
        param = dict(locals())
        name = name or ("Invert" + bijector.name)
        param["name"] = name
        super().__init__(
            is_constant_jacobian=bijector.is_constant_jacobian,
            is_injective=bijector.is_injective,
            name=name,
            dtype=bijector.dtype,
            param=param,
        )
        self._bijector = bijector
        self._batch_shape = bijector.batch_shape
        self._is_scalar_batch = bijector.is_scalar_batch

    @property
    def bijector(self) -> Bijector:
        return self._bijector

    def _forward(self, x: Any) -> Any:
        return self._bijector.inverse(x)

    def _inverse(self, y: Any) -> Any:
        return self._bijector.forward(y)

    def _forward_log_jacobian(self, x: Any) -> Any:
        return self._bijector.inverse_log_jacobian(x)

    def _inverse_log_jacobian(self, y: Any) -> Any:
        return self._bijector.forward_log_jacobian(y)
