"""The Distribution base Cell and the helpers its subclasses share.

A subclass follows MindSpore's protocol: ``__init__`` passes ``param`` (its ``locals()`` plus a
``param_dict`` of the distribution's parameters) to ``Distribution.__init__``, registers each
parameter with ``_add_parameter`` and defines the ``_log_prob``/``_cdf``/``_mean``... it has. Each
private method takes the distribution's parameters last, as optional Tensors that override the
defaults for that call (``_check_param_type`` resolves, broadcasts and casts them). The public
methods fill in what a subclass leaves out (``prob`` from ``_log_prob``, ``var`` from ``_sd``...).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import mind.core as mc
from mind.core import ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.nn import Cell

__all__ = ["Distribution"]

_FLOATS = ("float16", "float32", "float64", "bfloat16")


def _is_float(dtype: Any) -> bool:
    return dtype is not None and dtype.is_floating_point


def check_dtype(owner: str, dtype: Any, kinds: str = "float") -> None:
    """``dtype`` must be a Mind dtype of the allowed kind (``float``, or ``any`` numeric/bool)."""
    if not isinstance(dtype, mc.DType):
        raise MindTypeError(f"For '{owner}', 'dtype' must be a mind.core dtype, got {dtype!r}.")
    if kinds == "float" and not dtype.is_floating_point:
        raise MindTypeError(f"For '{owner}', 'dtype' must be a float type, got {dtype}.")
    if dtype.name == "bool":
        raise MindTypeError(f"For '{owner}', 'dtype' must be numeric, got {dtype}.")
    if dtype.is_complex:
        raise MindTypeError(f"For '{owner}', 'dtype' must be real, got {dtype}.")


def _dtype_of(value: Any) -> Any:
    if isinstance(value, mc.Tensor):
        return value.dtype
    if isinstance(value, np.ndarray):
        return mc.to_dtype(value.dtype)
    return None


def set_param_type(param_dict: dict, dtype: Any) -> Any:
    """The float dtype a distribution computes in: that of its float Tensor/array parameters
    (which must agree), float32 when they are all integers, else ``dtype`` if it is a float."""
    found = None
    for name, value in param_dict.items():
        this = _dtype_of(value)
        if this is None or not this.is_floating_point:
            continue
        if found is not None and this != found:
            raise MindTypeError(
                f"Distribution parameters must share one float dtype, got {found} and "
                f"{this} (for '{name}')."
            )
        found = this
    if found is not None:
        return found
    if any(_dtype_of(v) is not None for v in param_dict.values()):
        return mc.float32
    return dtype if _is_float(dtype) else mc.float32


def cast_to_tensor(value: Any, dtype: Any, name: str) -> mc.Tensor:
    """A parameter given as a number, list, numpy array or Tensor, as a Tensor of ``dtype``."""
    if isinstance(value, mc.Tensor):
        return ops.cast(value, dtype)
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple, np.ndarray)):
        raise MindTypeError(
            f"Distribution parameter '{name}' must be a number, list, numpy array or Tensor, "
            f"got {type(value).__name__}."
        )
    array = np.asarray(value)
    if array.dtype.kind not in "iuf":
        raise MindTypeError(f"Distribution parameter '{name}' must be numeric, got {array.dtype}.")
    return mc.Tensor(array.astype(dtype.np), dtype=dtype)


def _numpy(value: Any) -> np.ndarray:
    return value.asnumpy() if isinstance(value, mc.Tensor) else np.asarray(value)


def check_greater_zero(value: Any, name: str) -> None:
    if value is not None and not np.all(_numpy(value) > 0):
        raise MindValueError(f"{name} must be greater than zero, got {_numpy(value)}.")


def check_prob(value: Any, name: str, closed: tuple[bool, bool] = (True, True)) -> None:
    """``value`` lies in [0, 1], with the ends open where ``closed`` says so."""
    if value is None:
        return
    v = _numpy(value)
    low_ok = v >= 0 if closed[0] else v > 0
    high_ok = v <= 1 if closed[1] else v < 1
    if not np.all(low_ok & high_ok):
        raise MindValueError(f"{name} must be a probability in its valid range, got {v}.")


def check_distribution_name(given: Any, expected: str) -> None:
    if not isinstance(given, str):
        raise MindTypeError(f"The distribution name must be a str, got {type(given).__name__}.")
    if given != expected:
        raise MindValueError(f"The distribution must be '{expected}', got '{given}'.")


def check_tensor(value: Any, name: str) -> Any:
    if not isinstance(value, mc.Tensor):
        raise MindTypeError(f"The input '{name}' must be a Tensor, got {type(value).__name__}.")
    return value


def check_shape_arg(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        return (shape,)
    if not isinstance(shape, tuple) or not all(isinstance(s, int) for s in shape):
        raise MindTypeError(f"The sample 'shape' must be a tuple of ints, got {shape!r}.")
    return shape


def _not_implemented(func: str, name: str) -> Any:
    raise NotImplementedError(f"{func} is not implemented for the distribution '{name}'.")


class Distribution(Cell):
    """Base class of every distribution (MindSpore's ``Distribution(seed, dtype, name, param)``).

    ``seed`` (int, 0 when None): the sampling seed; 0 draws from ``mind.core.set_seed``'s global
    generator, another value makes this distribution's samples repeat from run to run.
    ``dtype``: the dtype of the samples. ``name``: the distribution's name. ``param``: the
    subclass's ``locals()`` with a ``param_dict`` of its parameters.
    """

    def __init__(self, seed: Any, dtype: Any, name: str, param: dict) -> None:
        super().__init__()
        if seed is None:
            seed = 0
        if not isinstance(name, str):
            raise MindTypeError(
                f"For 'Distribution', 'name' must be a str, got {type(name).__name__}."
            )
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise MindTypeError(f"For '{name}', 'seed' must be an int, got {type(seed).__name__}.")
        if seed < 0:
            raise MindValueError(f"For '{name}', 'seed' must be non-negative, got {seed}.")
        self._name = name
        self._seed = seed
        self._draws = (
            0  # with a fixed seed, the n-th sample call uses seed + n: repeatable, not equal
        )
        self._dtype = dtype
        self._parameters = {
            k: v for k, v in param.items() if not (k == "self" or k.startswith("_"))
        }
        self.default_parameters: list = []
        self.parameter_names: list = []
        if "distribution" not in self._parameters:
            param_dict = self._parameters.get("param_dict", {})
            self.parameter_type = set_param_type(param_dict, dtype)
            self._batch_shape = self._calc_batch_shape(param_dict)
            self._is_scalar_batch = all(
                v is None or isinstance(v, (int, float)) for v in param_dict.values()
            )
            self._broadcast_shape = self._batch_shape

    # -- properties ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def parameters(self) -> dict:
        return self._parameters

    @property
    def is_scalar_batch(self) -> bool:
        return self._is_scalar_batch

    @property
    def batch_shape(self) -> Any:
        return self._batch_shape

    @property
    def broadcast_shape(self) -> Any:
        return self._broadcast_shape

    # -- helpers for subclasses ---------------------------------------------------------------
    def _calc_batch_shape(self, param_dict: dict) -> Any:
        shapes = []
        for key, value in param_dict.items():
            if value is None:
                return None
            shapes.append((key, np.shape(_numpy(value))))
        try:
            return tuple(np.broadcast_shapes(*(s for _, s in shapes))) if shapes else ()
        except ValueError:
            raise MindValueError(
                f"For '{self._name}', the parameter shapes {dict(shapes)} do not broadcast."
            ) from None

    def _reset_parameters(self) -> None:
        self.default_parameters = []
        self.parameter_names = []

    def _add_parameter(self, value: Any, name: str) -> Any:
        """Register parameter ``name``'s default (None: it must come with each call)."""
        tensor = None if value is None else cast_to_tensor(value, self.parameter_type, name)
        self.default_parameters.append(tensor)
        self.parameter_names.append(name)
        return tensor

    def _check_param_type(self, *args: Any) -> Any:
        """Each argument, or its default when None, as a Tensor of ``parameter_type``, all
        broadcast to one shape; one Tensor for a one-parameter distribution, else a tuple."""
        out = []
        for arg, name, default in zip(args, self.parameter_names, self.default_parameters):
            if arg is None:
                if default is None:
                    raise MindValueError(
                        f"For '{self._name}', the parameter '{name}' was given neither at "
                        "construction nor in this call."
                    )
                arg = default
            else:
                check_tensor(arg, name)
            out.append(ops.cast(arg, self.parameter_type))
        try:
            shape = tuple(np.broadcast_shapes(*(tuple(a.shape) for a in out)))
        except ValueError:
            shapes = {n: tuple(a.shape) for n, a in zip(self.parameter_names, out)}
            raise MindValueError(
                f"For '{self._name}', parameter shapes {shapes} do not broadcast."
            ) from None
        out = [a if tuple(a.shape) == shape else ops.broadcast_to(a, shape) for a in out]
        return out[0] if len(out) == 1 else tuple(out)

    def _check_value(self, value: Any, name: str) -> Any:
        return check_tensor(value, name)

    def _next_seed(self) -> Any:
        """The seed of the next random op: None (the global generator) when ``seed`` is 0."""
        if self._seed == 0:
            return None
        self._draws += 1
        return (self._seed + self._draws - 1) % 2**32

    def _uniform(self, shape: tuple[int, ...]) -> Any:
        """U[0, 1) noise of ``shape`` in ``parameter_type``, for inverse-CDF sampling."""
        return ops.uniform(shape, 0.0, 1.0, seed=self._next_seed(), dtype=self.parameter_type)

    def _normal(self, shape: tuple[int, ...]) -> Any:
        noise = ops.standard_normal(shape, seed=self._next_seed())
        return ops.cast(noise, self.parameter_type)

    def _sample_shape(self, shape: Any, *params: Any) -> tuple[int, ...]:
        batch = tuple(np.broadcast_shapes(*(tuple(p.shape) for p in params)))
        return check_shape_arg(shape) + batch

    def _get_dist_args(self, *args: Any, **kwargs: Any) -> Any:
        return _not_implemented("get_dist_args", self._name)

    def get_dist_args(self, *args: Any, **kwargs: Any) -> Any:
        """The distribution's parameters, each the given Tensor or else its default."""
        return self._get_dist_args(*args, **kwargs)

    def _get_dist_type(self) -> Any:
        return _not_implemented("get_dist_type", self._name)

    def get_dist_type(self) -> str:
        return self._get_dist_type()

    # -- the public API: each falls back on what the subclass defines -------------------------
    def _has(self, method: str) -> bool:
        return hasattr(self, method)

    def log_prob(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        """log pdf (or log pmf) at ``value``; trailing arguments override the parameters."""
        if self._has("_log_prob"):
            return self._log_prob(value, *args, **kwargs)
        if self._has("_prob"):
            return ops.log(self._prob(value, *args, **kwargs))
        return _not_implemented("log_prob", self._name)

    def prob(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if self._has("_prob"):
            return self._prob(value, *args, **kwargs)
        if self._has("_log_prob"):
            return ops.exp(self._log_prob(value, *args, **kwargs))
        return _not_implemented("prob", self._name)

    def cdf(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if self._has("_cdf"):
            return self._cdf(value, *args, **kwargs)
        if self._has("_log_cdf"):
            return ops.exp(self._log_cdf(value, *args, **kwargs))
        if self._has("_survival_function"):
            return 1.0 - self._survival_function(value, *args, **kwargs)
        if self._has("_log_survival"):
            return -ops.expm1(self._log_survival(value, *args, **kwargs))
        return _not_implemented("cdf", self._name)

    def log_cdf(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if self._has("_log_cdf"):
            return self._log_cdf(value, *args, **kwargs)
        return ops.log(self.cdf(value, *args, **kwargs))

    def survival_function(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if self._has("_survival_function"):
            return self._survival_function(value, *args, **kwargs)
        if self._has("_log_survival"):
            return ops.exp(self._log_survival(value, *args, **kwargs))
        return 1.0 - self.cdf(value, *args, **kwargs)

    def log_survival(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        if self._has("_log_survival"):
            return self._log_survival(value, *args, **kwargs)
        if self._has("_survival_function"):
            return ops.log(self._survival_function(value, *args, **kwargs))
        if self._has("_log_cdf") and not self._has("_cdf"):
            return ops.log(-ops.expm1(self._log_cdf(value, *args, **kwargs)))
        return ops.log1p(-self.cdf(value, *args, **kwargs))

    def _kl_loss(self, *args: Any, **kwargs: Any) -> Any:
        return _not_implemented("kl_loss", self._name)

    def kl_loss(self, dist: str, *args: Any, **kwargs: Any) -> Any:
        """KL(self || other): ``dist`` names the other's family, the next arguments are its
        parameters, then optional overrides of this distribution's."""
        return self._kl_loss(dist, *args, **kwargs)

    def cross_entropy(self, dist: str, *args: Any, **kwargs: Any) -> Any:
        """H(self, other) = H(self) + KL(self || other), arguments as :meth:`kl_loss`."""
        if self._has("_cross_entropy"):
            return self._cross_entropy(dist, *args, **kwargs)
        return _not_implemented("cross_entropy", self._name)

    def _mean(self, *args: Any, **kwargs: Any) -> Any:
        return _not_implemented("mean", self._name)

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        return self._mean(*args, **kwargs)

    def _mode(self, *args: Any, **kwargs: Any) -> Any:
        return _not_implemented("mode", self._name)

    def mode(self, *args: Any, **kwargs: Any) -> Any:
        return self._mode(*args, **kwargs)

    def sd(self, *args: Any, **kwargs: Any) -> Any:
        if self._has("_sd"):
            return self._sd(*args, **kwargs)
        if self._has("_var"):
            return ops.sqrt(self._var(*args, **kwargs))
        return _not_implemented("sd", self._name)

    def var(self, *args: Any, **kwargs: Any) -> Any:
        if self._has("_var"):
            return self._var(*args, **kwargs)
        if self._has("_sd"):
            return ops.square(self._sd(*args, **kwargs))
        return _not_implemented("var", self._name)

    def _entropy(self, *args: Any, **kwargs: Any) -> Any:
        return _not_implemented("entropy", self._name)

    def entropy(self, *args: Any, **kwargs: Any) -> Any:
        return self._entropy(*args, **kwargs)

    def _sample(self, *args: Any, **kwargs: Any) -> Any:
        return _not_implemented("sample", self._name)

    def sample(self, *args: Any, **kwargs: Any) -> Any:
        """Samples of shape ``shape + batch_shape`` (``shape`` first, default ``()``)."""
        return self._sample(*args, **kwargs)

    _METHODS = (
        "prob", "log_prob", "cdf", "log_cdf", "survival_function", "log_survival", "var", "sd",
        "mode", "mean", "entropy", "kl_loss", "cross_entropy", "sample", "get_dist_args",
        "get_dist_type",
    )  # fmt: skip

    def construct(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """``dist('log_prob', value, ...)`` calls ``dist.log_prob(value, ...)``."""
        if name not in self._METHODS:
            raise MindValueError(
                f"For '{self._name}', unknown function name '{name}'; expected one of "
                f"{', '.join(self._METHODS)}."
            )
        return getattr(self, name)(*args, **kwargs)

    def extend_repr(self) -> str:
        if self._is_scalar_batch and self.default_parameters:
            return ", ".join(
                f"{n} = {p}" for n, p in zip(self.parameter_names, self.default_parameters)
            )
        return f"batch_shape = {self._broadcast_shape}"


# Shared constants, in Python floats so they fold into any dtype.
LOG_2PI = math.log(2.0 * math.pi)
EULER_GAMMA = 0.5772156649015329
