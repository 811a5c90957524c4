"""MindSpore's optimizer operator classes (``P.ApplyAdagrad()``, ``P.FusedSparseAdam()``...) over
the update rules of ``optim_ops``.

Each class computes the rule, writes the new values into its Parameter inputs in place (as
MindSpore's kernels do: inside a ``jit`` graph the write is an ``assign`` node; a plain Tensor
is written too in PyNative mode) and returns what MindSpore returns: the updated variable, or a
tuple of the variable and its slots.
"""

from __future__ import annotations

from typing import Any

from mind.core._src.autodiff.vmap import Batched
from mind.core._src.ir.trace import is_tracing
from mind.core._src.ops import functional as F
from mind.core._src.ops import optim_ops as O
from mind.core._src.ops.operations import _REQUIRED, PrimitiveClass, _calls, _define
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindValueError

_F16_32 = (dt.float16, dt.float32)
_F16_32_64 = (dt.float16, dt.float32, dt.float64)
_F32 = (dt.float32,)


def _write(target: Any, value: Tensor) -> None:
    """Write ``value`` into an updated input: a Parameter; a plain Tensor in PyNative mode
    (MindSpore updates ``Union[Parameter, Tensor]`` inputs); a mapped argument inside ``vmap``
    (vmap writes it into the argument). A plain Tensor input of a graph only gets the returned
    value."""
    if not isinstance(target, Tensor):
        return
    data = target._data
    if isinstance(target, Parameter) or type(data) is Batched or not is_tracing():
        F.assign(target, value)


def _state(op: str, dtypes: Any, **named: Any) -> list[Tensor]:
    """Check the variable and its slots (Tensors of one shape and an allowed dtype)."""
    tensors = [O.tensor_arg(op, name, value, dtypes) for name, value in named.items()]
    names = list(named)
    O.same_shape(op, (names[0], tensors[0]), *zip(names[1:], tensors[1:]))
    return tensors


def _grad(op: str, grad: Any, var: Tensor, dense: bool = True) -> Tensor:
    grad = O.tensor_arg(op, "grad", grad, None)
    if dense:
        O.same_shape(op, ("var", var), ("grad", grad))
    return F.cast(grad, var.dtype)


def _commit(targets: tuple, values: tuple) -> tuple:
    for target, value in zip(targets, values):
        _write(target, value)
    return values


# ------------------------------------------------------------------------------------------------
# Dense updates
# ------------------------------------------------------------------------------------------------


@_calls(O.ada_max)
def _ada_max(op: PrimitiveClass, var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad):
    t = _state(op.name, _F16_32, var=var, m=m, v=v)
    new = O.ada_max(*t, beta1_power, lr, beta1, beta2, epsilon, _grad(op.name, grad, t[0]))
    return _commit((var, m, v), new)


_define("ApplyAdaMax", _ada_max)


@_calls(O.adadelta)
def _adadelta(op: PrimitiveClass, var, accum, accum_update, lr, rho, epsilon, grad):
    t = _state(op.name, _F16_32, var=var, accum=accum, accum_update=accum_update)
    new = O.adadelta(*t, lr, rho, epsilon, _grad(op.name, grad, t[0]))
    return _commit((var, accum, accum_update), new)


_define("ApplyAdadelta", _adadelta)


@_calls(O.adagrad)
def _adagrad(op: PrimitiveClass, var, accum, lr, grad):
    t = _state(op.name, None, var=var, accum=accum)
    epsilon = op.attrs.get("epsilon")
    new = O.adagrad(*t, lr, _grad(op.name, grad, t[0]), op.update_slots, epsilon)
    return _commit((var, accum), new)


_define("ApplyAdagrad", _adagrad, update_slots=True)
_define("ApplyAdagradV2", _adagrad, epsilon=_REQUIRED, update_slots=True)


@_calls(O.adagrad_da)
def _adagrad_da(op: PrimitiveClass, var, gradient_accumulator, gradient_squared_accumulator,
                grad, lr, l1, l2, global_step):  # fmt: skip
    t = _state(
        op.name,
        _F16_32,
        var=var,
        gradient_accumulator=gradient_accumulator,
        gradient_squared_accumulator=gradient_squared_accumulator,
    )
    new = O.adagrad_da(*t, _grad(op.name, grad, t[0]), lr, l1, l2, global_step)
    _commit((var, gradient_accumulator, gradient_squared_accumulator), new)
    return new[0]


_define("ApplyAdagradDA", _adagrad_da, use_locking=False)


@_calls(O.adam_with_amsgrad)
def _amsgrad(op: PrimitiveClass, var, m, v, vhat, beta1_power, beta2_power, lr, grad):
    t = _state(op.name, _F16_32, var=var, m=m, v=v, vhat=vhat)
    g = _grad(op.name, grad, t[0])
    new = O.adam_with_amsgrad(*t, beta1_power, beta2_power, lr, op.beta1, op.beta2, op.epsilon, g)
    return _commit((var, m, v, vhat), new)


_define("ApplyAdamWithAmsgrad", _amsgrad, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False)


@_calls(O.adam_with_amsgrad)
def _amsgrad_v2(op: PrimitiveClass, var, m, v, vhat, beta1_power, beta2_power, lr, beta1, beta2,
                epsilon, grad):  # fmt: skip
    t = _state(op.name, _F16_32_64, var=var, m=m, v=v, vhat=vhat)
    g = _grad(op.name, grad, t[0])
    new = O.adam_with_amsgrad(*t, beta1_power, beta2_power, lr, beta1, beta2, epsilon, g)
    return _commit((var, m, v, vhat), new)


_define("ApplyAdamWithAmsgradV2", _amsgrad_v2, use_locking=False)


@_calls(O.add_sign)
def _add_sign(op: PrimitiveClass, var, m, lr, alpha, sign_decay, beta, grad):
    t = _state(op.name, _F16_32_64, var=var, m=m)
    new = O.add_sign(*t, lr, alpha, sign_decay, beta, _grad(op.name, grad, t[0]))
    return _commit((var, m), new)


_define("ApplyAddSign", _add_sign)


@_calls(O.power_sign)
def _power_sign(op: PrimitiveClass, var, m, lr, logbase, sign_decay, beta, grad):
    t = _state(op.name, _F16_32_64, var=var, m=m)
    new = O.power_sign(*t, lr, logbase, sign_decay, beta, _grad(op.name, grad, t[0]))
    return _commit((var, m), new)


_define("ApplyPowerSign", _power_sign)


@_calls(O.rms_prop)
def _rms_prop(op: PrimitiveClass, var, mean_square, moment, learning_rate, grad, decay, momentum,
              epsilon):  # fmt: skip
    t = _state(op.name, _F16_32, var=var, mean_square=mean_square, moment=moment)
    new_var, ms, mom, _ = O.rms_prop(
        *t, learning_rate, _grad(op.name, grad, t[0]), decay, momentum, epsilon
    )
    _commit((var, mean_square, moment), (new_var, ms, mom))
    return new_var


_define("ApplyRMSProp", _rms_prop, use_locking=False)


@_calls(O.rms_prop)
def _centered_rms_prop(op: PrimitiveClass, var, mean_gradient, mean_square, moment, grad,
                       learning_rate, decay, momentum, epsilon):  # fmt: skip
    t = _state(
        op.name,
        _F16_32,
        var=var,
        mean_gradient=mean_gradient,
        mean_square=mean_square,
        moment=moment,
    )
    g = _grad(op.name, grad, t[0])
    new_var, ms, mom, mg = O.rms_prop(
        t[0], t[2], t[3], learning_rate, g, decay, momentum, epsilon, mean_gradient=t[1]
    )
    _commit((var, mean_gradient, mean_square, moment), (new_var, mg, ms, mom))
    return new_var


_define("ApplyCenteredRMSProp", _centered_rms_prop, use_locking=False)


@_calls(O.ftrl)
def _ftrl(op: PrimitiveClass, var, accum, linear, grad, lr, l1, l2, lr_power):
    t = _state(op.name, _F16_32, var=var, accum=accum, linear=linear)
    new = O.ftrl(*t, _grad(op.name, grad, t[0]), lr, l1, l2, lr_power)
    _commit((var, accum, linear), new)
    return new[0]


_define("ApplyFtrl", _ftrl, use_locking=False)


@_calls(O.gradient_descent)
def _gradient_descent(op: PrimitiveClass, var, alpha, delta):
    (v,) = _state(op.name, _F16_32, var=var)
    new = O.gradient_descent(v, alpha, _grad(op.name, delta, v))
    _write(var, new)
    return new


_define("ApplyGradientDescent", _gradient_descent)


@_calls(O.proximal_gradient_descent)
def _proximal_gd(op: PrimitiveClass, var, alpha, l1, l2, delta):
    (v,) = _state(op.name, _F16_32, var=var)
    new = O.proximal_gradient_descent(v, alpha, l1, l2, _grad(op.name, delta, v))
    _write(var, new)
    return new


_define("ApplyProximalGradientDescent", _proximal_gd)


@_calls(O.proximal_adagrad)
def _proximal_adagrad(op: PrimitiveClass, var, accum, lr, l1, l2, grad):
    t = _state(op.name, _F16_32, var=var, accum=accum)
    new = O.proximal_adagrad(*t, lr, l1, l2, _grad(op.name, grad, t[0]))
    return _commit((var, accum), new)


_define("ApplyProximalAdagrad", _proximal_adagrad, use_locking=False)


@_calls(O.adam)
def _adam(op: PrimitiveClass, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon,
          gradient):  # fmt: skip
    t = _state(op.name, _F16_32, var=var, m=m, v=v)
    g = _grad(op.name, gradient, t[0])
    new = O.adam(*t, beta1_power, beta2_power, lr, beta1, beta2, epsilon, g, op.use_nesterov)
    return _commit((var, m, v), new)


_define("Adam", _adam, use_locking=False, use_nesterov=False)


@_calls(O.adam_weight_decay)
def _adam_weight_decay(op: PrimitiveClass, var, m, v, lr, beta1, beta2, epsilon, decay, gradient):
    t = _state(op.name, _F16_32, var=var, m=m, v=v)
    g = O.tensor_arg(op.name, "gradient", gradient, None)
    O.same_shape(op.name, ("var", t[0]), ("gradient", g))
    new = O.adam_weight_decay(*t, lr, beta1, beta2, epsilon, decay, g)
    return _commit((var, m, v), new)


_define("AdamWeightDecay", _adam_weight_decay, use_locking=False)


@_calls(O.sgd)
def _sgd(op: PrimitiveClass, parameters, gradient, learning_rate, accum, momentum, stat):
    t = _state(op.name, _F16_32, parameters=parameters, accum=accum)
    p = t[0]
    g = O.tensor_arg(op.name, "gradient", gradient, None)
    stat_t = O.tensor_arg(op.name, "stat", stat, None)
    new = O.sgd(
        p, g, learning_rate, t[1], momentum, stat_t, op.dampening, op.weight_decay, op.nesterov
    )
    _commit((parameters, accum, stat), new)
    return new[0]


def _check_sgd(op: PrimitiveClass) -> None:
    if op.nesterov and op.dampening != 0:
        raise MindValueError(
            f"For 'SGD', 'dampening' must be 0 when 'nesterov' is True, got {op.dampening}"
        )


_SGD = _define("SGD", _sgd, dampening=0.0, weight_decay=0.0, nesterov=False)
_sgd_init = _SGD.__init__


def _sgd_checked_init(self: PrimitiveClass, *args: Any, **kwargs: Any) -> None:
    _sgd_init(self, *args, **kwargs)
    _check_sgd(self)


_sgd_checked_init.__signature__ = _sgd_init.__signature__  # type: ignore[attr-defined]
_SGD.__init__ = _sgd_checked_init  # type: ignore[method-assign]


@_calls(O.lars_update)
def _lars(op: PrimitiveClass, weight, gradient, norm_weight, norm_gradient, weight_decay,
          learning_rate):  # fmt: skip
    w = O.tensor_arg(op.name, "weight", weight, None)
    g = O.tensor_arg(op.name, "gradient", gradient, None)
    O.same_shape(op.name, ("weight", w), ("gradient", g))
    return O.lars_update(
        w, g, norm_weight, norm_gradient, weight_decay, learning_rate,
        op.epsilon, op.hyperpara, op.use_clip,
    )  # fmt: skip


_define("LARSUpdate", _lars, epsilon=1e-5, hyperpara=1e-3, use_clip=False)


# ------------------------------------------------------------------------------------------------
# Sparse updates (rows ``indices``)
# ------------------------------------------------------------------------------------------------


def _sparse_grad(op: str, grad: Any, var: Tensor) -> Tensor:
    return F.cast(O.tensor_arg(op, "grad", grad, None), var.dtype)


@_calls(O.sparse_adagrad)
def _sparse_adagrad(op: PrimitiveClass, var, accum, grad, indices):
    t = _state(op.name, _F16_32, var=var, accum=accum)
    new = O.sparse_adagrad(
        op.name, *t, _sparse_grad(op.name, grad, t[0]), indices, op.lr, op.update_slots,
        op.attrs.get("epsilon"),
    )  # fmt: skip
    return _commit((var, accum), new)


_define("SparseApplyAdagrad", _sparse_adagrad, lr=_REQUIRED, update_slots=True, use_locking=False)
_define(
    "SparseApplyAdagradV2",
    _sparse_adagrad,
    lr=_REQUIRED,
    epsilon=_REQUIRED,
    use_locking=False,
    update_slots=True,
)


@_calls(O.sparse_proximal_adagrad)
def _sparse_proximal_adagrad(op: PrimitiveClass, var, accum, lr, l1, l2, grad, indices):
    dtypes = _F32 if op.name.startswith("Fused") else _F16_32
    t = _state(op.name, dtypes, var=var, accum=accum)
    g = _sparse_grad(op.name, grad, t[0])
    new = O.sparse_proximal_adagrad(op.name, *t, lr, l1, l2, g, indices)
    return _commit((var, accum), new)


_define("SparseApplyProximalAdagrad", _sparse_proximal_adagrad, use_locking=False)
_define("FusedSparseProximalAdagrad", _sparse_proximal_adagrad, use_locking=False)


@_calls(O.sparse_ftrl)
def _sparse_ftrl(op: PrimitiveClass, var, accum, linear, grad, indices):
    dtypes = _F32 if op.name.startswith("Fused") else _F16_32
    t = _state(op.name, dtypes, var=var, accum=accum, linear=linear)
    g = _sparse_grad(op.name, grad, t[0])
    shrinkage = op.attrs.get("l2_shrinkage", 0.0)
    new = O.sparse_ftrl(op.name, *t, g, indices, op.lr, op.l1, op.l2, op.lr_power, shrinkage)
    return _commit((var, accum, linear), new)


def _ftrl_class(name: str, **attributes: Any) -> None:
    cls = _define(name, _sparse_ftrl, **attributes)
    base_init = cls.__init__

    def __init__(self: PrimitiveClass, *args: Any, **kwargs: Any) -> None:
        base_init(self, *args, **kwargs)
        if not self.lr > 0 or self.l1 < 0 or self.l2 < 0 or self.lr_power > 0:
            raise MindValueError(
                f"For '{name}', need lr > 0, l1 >= 0, l2 >= 0 and lr_power <= 0, got lr="
                f"{self.lr}, l1={self.l1}, l2={self.l2}, lr_power={self.lr_power}"
            )

    __init__.__signature__ = base_init.__signature__  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[method-assign]


_ftrl_class("SparseApplyFtrl", lr=_REQUIRED, l1=_REQUIRED, l2=_REQUIRED, lr_power=_REQUIRED,
            use_locking=False)  # fmt: skip
_ftrl_class("FusedSparseFtrl", lr=_REQUIRED, l1=_REQUIRED, l2=_REQUIRED, lr_power=_REQUIRED,
            use_locking=False)  # fmt: skip
_ftrl_class("SparseApplyFtrlV2", lr=_REQUIRED, l1=_REQUIRED, l2=_REQUIRED, l2_shrinkage=_REQUIRED,
            lr_power=_REQUIRED, use_locking=False)  # fmt: skip


@_calls(O.sparse_rms_prop)
def _sparse_rms_prop(op: PrimitiveClass, var, ms, mom, lr, grad, indices):
    t = _state(op.name, _F16_32, var=var, ms=ms, mom=mom)
    g = _sparse_grad(op.name, grad, t[0])
    new = O.sparse_rms_prop(op.name, *t, lr, g, indices, op.rho, op.momentum, op.epsilon)
    return _commit((var, ms, mom), new)


_define(
    "SparseApplyRMSProp",
    _sparse_rms_prop,
    rho=_REQUIRED,
    momentum=_REQUIRED,
    epsilon=_REQUIRED,
    use_locking=False,
)


@_calls(O.sparse_adam)
def _fused_sparse_adam(op: PrimitiveClass, var, m, v, beta1_power, beta2_power, lr, beta1, beta2,
                       epsilon, grad, indices):  # fmt: skip
    t = _state(op.name, _F32, var=var, m=m, v=v)
    g = _sparse_grad(op.name, grad, t[0])
    new = O.sparse_adam(
        op.name, *t, beta1_power, beta2_power, lr, beta1, beta2, epsilon, g, indices,
        op.use_nesterov, lazy=op.name == "FusedSparseLazyAdam",
    )  # fmt: skip
    return _commit((var, m, v), new)


_define("FusedSparseAdam", _fused_sparse_adam, use_locking=False, use_nesterov=False)
_define("FusedSparseLazyAdam", _fused_sparse_adam, use_locking=False, use_nesterov=False)


# ------------------------------------------------------------------------------------------------
# AdaFactor
# ------------------------------------------------------------------------------------------------


def _rms(x: Tensor) -> Tensor:
    return F.sqrt(F.mean(F.square(x)))


def ada_factor_update(
    eps: tuple,
    clip_threshold: Any,
    beta1: Any,
    beta2t: Any,
    weight_decay: Any,
    lr: Any,
    grad: Tensor,
    param: Tensor,
    exp_avg: Tensor,
    exp_avg_sq_row: Tensor,
    exp_avg_sq_col: Tensor,
    exp_avg_sq: Tensor,
    scale_parameter: bool,
    first_moment: bool,
    decay: bool,
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """One AdaFactor step (Shazeer and Stern, 2018), as MindSpore's ``FusedAdaFactor``:
    the new ``(param, exp_avg, exp_avg_sq_row, exp_avg_sq_col, exp_avg_sq)``, computed in
    float32. A parameter of two or more axes keeps factored second moments: the running means
    of ``g^2 + eps[0]`` over its last axis (``exp_avg_sq_row``) and its second last
    (``exp_avg_sq_col``), whose outer product over the rows' mean stands for the full one; a
    vector keeps the full ``exp_avg_sq``. The update ``g / sqrt(v)`` is scaled down to an RMS of
    at most ``clip_threshold`` and by ``lr`` (times ``max(eps[1], RMS(param))`` when
    ``scale_parameter``), averaged with ``beta1`` when ``first_moment``; ``decay`` subtracts
    ``weight_decay * lr * param`` too."""
    f32 = dt.float32
    g, p = F.cast(grad, f32), F.cast(param, f32)
    lr = F.cast(lr, f32)
    if scale_parameter:
        lr = F.mul(lr, F.maximum(F.cast(eps[1], f32), _rms(p)))
    squared = F.add(F.square(g), F.cast(eps[0], f32))
    row, col, sq = exp_avg_sq_row, exp_avg_sq_col, exp_avg_sq
    keep = F.sub(1.0, beta2t)
    if p.ndim >= 2:
        row = F.add(F.mul(F.cast(row, f32), beta2t), F.mul(F.mean(squared, -1), keep))
        col = F.add(F.mul(F.cast(col, f32), beta2t), F.mul(F.mean(squared, -2), keep))
        r_factor = F.rsqrt(F.div(row, F.mean(row, -1, True)))
        c_factor = F.rsqrt(col)
        update = F.mul(F.mul(F.expand_dims(r_factor, -1), F.expand_dims(c_factor, -2)), g)
    else:
        sq = F.add(F.mul(F.cast(sq, f32), beta2t), F.mul(squared, keep))
        update = F.mul(F.rsqrt(sq), g)
    clip = F.maximum(F.div(_rms(update), clip_threshold), 1.0)
    update = F.mul(F.div(update, clip), lr)
    avg = exp_avg
    if first_moment:
        avg = F.add(F.mul(F.cast(exp_avg, f32), beta1), F.mul(update, F.sub(1.0, beta1)))
        update = avg
    if decay:
        p = F.sub(p, F.mul(F.mul(p, weight_decay), lr))
    p = F.sub(p, update)
    like = (param, exp_avg, exp_avg_sq_row, exp_avg_sq_col, exp_avg_sq)
    return tuple(F.cast(v, t.dtype) for v, t in zip((p, avg, row, col, sq), like))


def _adafactor_scalar(op: str, name: str, value: Any) -> Any:
    return O.tensor_arg(op, name, value, None) if isinstance(value, Tensor) else float(value)


@_calls(ada_factor_update)
def _fused_ada_factor(op: PrimitiveClass, epsilon, clip_threshold, beta1, beta2, weight_decay,
                      learning_rate, grad, param, exp_avg, exp_avg_sq_row, exp_avg_sq_col,
                      exp_avg_sq, global_norm=None):  # fmt: skip
    name = op.name
    if isinstance(epsilon, Tensor):
        epsilon = tuple(float(e) for e in epsilon.asnumpy().reshape(-1))
    if not isinstance(epsilon, tuple | list) or len(epsilon) != 2:
        raise MindValueError(f"For '{name}', 'epsilon' must hold 2 numbers, got {epsilon!r}")
    var = O.tensor_arg(name, "param", param, _F16_32)
    g = _grad(name, grad, var)
    slots = [
        O.tensor_arg(name, n, v, _F16_32)
        for n, v in (
            ("exp_avg", exp_avg),
            ("exp_avg_sq_row", exp_avg_sq_row),
            ("exp_avg_sq_col", exp_avg_sq_col),
            ("exp_avg_sq", exp_avg_sq),
        )
    ]
    if global_norm is not None:
        norm = F.cast(_adafactor_scalar(name, "global_norm", global_norm), dt.float32)
        g = F.cast(F.div(F.cast(g, dt.float32), F.where(F.less(norm, 1e-32), 1.0, norm)), g.dtype)
    scalars = [
        _adafactor_scalar(name, n, v)
        for n, v in (
            ("clip_threshold", clip_threshold),
            ("beta1", beta1),
            ("beta2", beta2),
            ("weight_decay", weight_decay),
            ("learning_rate", learning_rate),
        )
    ]
    new = ada_factor_update(
        tuple(epsilon), *scalars, g, var, *slots,
        op.enable_scale_parameter, op.enable_first_moment, op.enable_weight_decay,
    )  # fmt: skip
    _commit((param, exp_avg, exp_avg_sq_row, exp_avg_sq_col, exp_avg_sq), new)
    return new[0]


for _name in ("FusedAdaFactor", "FusedAdaFactorWithGlobalNorm"):
    _define(
        _name,
        _fused_ada_factor,
        enable_scale_parameter=False,
        enable_first_moment=False,
        enable_weight_decay=False,
    )
