"""Optimizer update rules with MindSpore's formulas (the ``Apply*``, ``SparseApply*`` and
``FusedSparse*`` families), each written once with ops.

Each rule takes the current values (variable, slots, hyper-parameters, gradient) and returns the
new values, writing nothing: the operator classes of ``p_optim`` write the results into their
Parameter inputs (MindSpore's in-place contract), and the optimizers of ``nn.optimizers`` assign
them into their parameters and slots. Being ops, every rule runs in PyNative mode, inside
``jit`` (as graph nodes) and under ``vmap``.

The sparse rules update rows ``indices`` of the variable: the gradient rows of repeated indices
are summed first (as MindSpore's kernels merge them), and rows not named keep their values.

MindSpore has no functional names for these (only the classes), so the module exports none.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import functional as F
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = []

TENSOR_METHODS: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------------
# Arguments
# ------------------------------------------------------------------------------------------------


def tensor_arg(op: str, name: str, value: Any, dtypes: tuple[dt.DType, ...] | None) -> Tensor:
    """``value`` as a Tensor input of ``op``, its dtype one of ``dtypes`` (None: any float)."""
    if not isinstance(value, Tensor):
        raise MindTypeError(
            f"For '{op}', '{name}' must be a Tensor or Parameter, got {type(value).__name__}"
        )
    ok = value.dtype.is_floating_point if dtypes is None else value.dtype in dtypes
    if not ok:
        allowed = "a float type" if dtypes is None else [d.name for d in dtypes]
        raise MindTypeError(f"For '{op}', '{name}' must have dtype {allowed}, got {value.dtype}")
    return value


def same_shape(op: str, first: tuple[str, Tensor], *others: tuple[str, Tensor]) -> None:
    name, ref = first
    for other, t in others:
        if tuple(t.shape) != tuple(ref.shape):
            raise MindValueError(
                f"For '{op}', '{other}' must have the shape of '{name}' {tuple(ref.shape)}, "
                f"got {tuple(t.shape)}"
            )


def scalar(value: Any, like: Tensor) -> Tensor:
    """A hyper-parameter (a number or a Tensor of one value, or one per vmapped example) in
    ``like``'s dtype, as MindSpore's implicit conversion of scalar inputs."""
    if isinstance(value, Tensor):
        return F.cast(value, like.dtype)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise MindTypeError(f"a hyper-parameter must be a number or a Tensor, got {value!r}")
    return Tensor(np.asarray(value, dtype=like.dtype.np))


def sparse_rows(op: str, var: Tensor, grad: Tensor, indices: Any) -> tuple[Tensor, Tensor]:
    """The sparse gradient as a dense one (rows of repeated indices summed) and a boolean mask,
    broadcastable to ``var``, of the rows it names."""
    if not isinstance(indices, Tensor):
        raise MindTypeError(f"For '{op}', 'indices' must be a Tensor, got {type(indices).__name__}")
    if indices.dtype not in (dt.int32, dt.int64):
        raise MindTypeError(f"For '{op}', 'indices' must be int32 or int64, got {indices.dtype}")
    if indices.ndim != 1:
        raise MindValueError(f"For '{op}', 'indices' must be 1-D, got shape {tuple(indices.shape)}")
    if grad.ndim < 1:
        raise MindValueError(f"For '{op}', 'grad' must have rank >= 1, got a scalar")
    if tuple(grad.shape) != (indices.shape[0], *var.shape[1:]):
        raise MindValueError(
            f"For '{op}', 'grad' must have shape indices.shape + var.shape[1:] = "
            f"{(indices.shape[0], *var.shape[1:])}, got {tuple(grad.shape)}"
        )
    rows = F.reshape(indices, (-1, 1))
    dense = F.tensor_scatter_add(F.zeros_like(var), rows, F.cast(grad, var.dtype))
    hits = F.tensor_scatter_add(
        F.zeros((var.shape[0],), dt.float32), rows, F.ones((indices.shape[0],), dt.float32)
    )
    mask = F.reshape(F.greater(hits, 0.0), (var.shape[0],) + (1,) * (var.ndim - 1))
    return dense, mask


def _keep(mask: Tensor, new: Tensor, old: Tensor) -> Tensor:
    return F.where(mask, new, old)


def _shrink(x: Tensor, threshold: Tensor) -> Tensor:
    """``sign(x) * max(|x| - threshold, 0)`` (the proximal step of an l1 penalty)."""
    return F.mul(F.sign(x), F.maximum(F.sub(F.abs(x), threshold), 0.0))


# ------------------------------------------------------------------------------------------------
# Dense rules
# ------------------------------------------------------------------------------------------------


def ada_max(var, m, v, beta1_power, lr, beta1, beta2, epsilon, grad):
    """AdaMax: ``m = b1 m + (1-b1) g``; ``v = max(b2 v, |g|)``;
    ``var -= lr / (1 - b1^t) * m / (v + eps)``."""
    b1, b2 = scalar(beta1, var), scalar(beta2, var)
    m = F.add(F.mul(b1, m), F.mul(F.sub(1.0, b1), grad))
    v = F.maximum(F.mul(b2, v), F.abs(grad))
    step = F.div(scalar(lr, var), F.sub(1.0, scalar(beta1_power, var)))
    var = F.sub(var, F.mul(step, F.div(m, F.add(v, scalar(epsilon, var)))))
    return var, m, v


def adadelta(var, accum, accum_update, lr, rho, epsilon, grad):
    """Adadelta: ``accum = rho accum + (1-rho) g^2``;
    ``update = sqrt(accum_update + eps) / sqrt(accum + eps) * g``;
    ``accum_update = rho accum_update + (1-rho) update^2``; ``var -= lr * update``."""
    rho, eps = scalar(rho, var), scalar(epsilon, var)
    accum = F.add(F.mul(rho, accum), F.mul(F.sub(1.0, rho), F.square(grad)))
    update = F.mul(F.div(F.sqrt(F.add(accum_update, eps)), F.sqrt(F.add(accum, eps))), grad)
    accum_update = F.add(F.mul(rho, accum_update), F.mul(F.sub(1.0, rho), F.square(update)))
    var = F.sub(var, F.mul(scalar(lr, var), update))
    return var, accum, accum_update


def adagrad(var, accum, lr, grad, update_slots=True, epsilon=None):
    """Adagrad: ``accum += g^2`` (when ``update_slots``); ``var -= lr * g / sqrt(accum)``, or
    with ``epsilon`` (ApplyAdagradV2) ``var -= lr * g / (sqrt(accum) + eps)``."""
    if update_slots:
        accum = F.add(accum, F.square(grad))
    denom = F.sqrt(accum)
    if epsilon is not None:
        denom = F.add(denom, scalar(epsilon, var))
    return F.sub(var, F.div(F.mul(scalar(lr, var), grad), denom)), accum


def adagrad_da(var, gradient_accumulator, gradient_squared_accumulator, grad, lr, l1, l2, step):
    """Adagrad dual averaging: the accumulators add ``g`` and ``g^2``; ``var = -lr *
    shrink(acc, l1 * step) / (l2 * step * lr + sqrt(sq_acc))`` (no shrink when ``l1 <= 0``)."""
    acc = F.add(gradient_accumulator, grad)
    sq = F.add(gradient_squared_accumulator, F.square(grad))
    lr, l1, l2, step = (scalar(x, var) for x in (lr, l1, l2, step))
    tmp = F.where(F.greater(l1, 0.0), _shrink(acc, F.mul(l1, step)), acc)
    denom = F.add(F.mul(F.mul(l2, step), lr), F.sqrt(sq))
    return F.div(F.mul(F.neg(lr), tmp), denom), acc, sq


def adam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, use_nesterov=False):
    """Adam with the bias correction folded into the step:
    ``var -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``; with ``use_nesterov``
    the numerator is ``b1 m + (1-b1) g``."""
    b1, b2 = scalar(beta1, var), scalar(beta2, var)
    m = F.add(F.mul(b1, m), F.mul(F.sub(1.0, b1), grad))
    v = F.add(F.mul(b2, v), F.mul(F.sub(1.0, b2), F.square(grad)))
    lr_t = F.div(
        F.mul(scalar(lr, var), F.sqrt(F.sub(1.0, scalar(beta2_power, var)))),
        F.sub(1.0, scalar(beta1_power, var)),
    )
    num = F.add(F.mul(b1, m), F.mul(F.sub(1.0, b1), grad)) if use_nesterov else m
    var = F.sub(var, F.div(F.mul(lr_t, num), F.add(F.sqrt(v), scalar(epsilon, var))))
    return var, m, v


def adam_with_amsgrad(var, m, v, vhat, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad):
    """Adam with AMSGrad: ``vhat = max(vhat, v)`` replaces ``v`` in the denominator."""
    b1, b2 = scalar(beta1, var), scalar(beta2, var)
    m = F.add(F.mul(b1, m), F.mul(F.sub(1.0, b1), grad))
    v = F.add(F.mul(b2, v), F.mul(F.sub(1.0, b2), F.square(grad)))
    vhat = F.maximum(vhat, v)
    lr_t = F.div(
        F.mul(scalar(lr, var), F.sqrt(F.sub(1.0, scalar(beta2_power, var)))),
        F.sub(1.0, scalar(beta1_power, var)),
    )
    var = F.sub(var, F.div(F.mul(lr_t, m), F.add(F.sqrt(vhat), scalar(epsilon, var))))
    return var, m, v, vhat


def adam_weight_decay(var, m, v, lr, beta1, beta2, epsilon, decay, gradient):
    """Adam without bias correction and with decoupled decay:
    ``var -= lr * (m / (sqrt(v) + eps) + decay * var)``."""
    b1, b2 = scalar(beta1, var), scalar(beta2, var)
    grad = F.cast(gradient, var.dtype)
    m = F.add(F.mul(b1, m), F.mul(F.sub(1.0, b1), grad))
    v = F.add(F.mul(b2, v), F.mul(F.sub(1.0, b2), F.square(grad)))
    update = F.add(F.div(m, F.add(F.sqrt(v), scalar(epsilon, var))), F.mul(scalar(decay, var), var))
    return F.sub(var, F.mul(scalar(lr, var), update)), m, v


def add_sign(var, m, lr, alpha, sign_decay, beta, grad):
    """AddSign: ``m = b m + (1-b) g``; ``var -= lr * (alpha + sign_decay sign(g) sign(m)) g``."""
    b = scalar(beta, var)
    m = F.add(F.mul(b, m), F.mul(F.sub(1.0, b), grad))
    agree = F.mul(F.sign(grad), F.sign(m))
    update = F.mul(F.add(scalar(alpha, var), F.mul(scalar(sign_decay, var), agree)), grad)
    return F.sub(var, F.mul(scalar(lr, var), update)), m


def power_sign(var, m, lr, logbase, sign_decay, beta, grad):
    """PowerSign: ``m = b m + (1-b) g``;
    ``var -= lr * exp(logbase * sign_decay * sign(g) sign(m)) * g``."""
    b = scalar(beta, var)
    m = F.add(F.mul(b, m), F.mul(F.sub(1.0, b), grad))
    agree = F.mul(F.sign(grad), F.sign(m))
    scale = F.exp(F.mul(F.mul(scalar(logbase, var), scalar(sign_decay, var)), agree))
    return F.sub(var, F.mul(scalar(lr, var), F.mul(scale, grad))), m


def rms_prop(var, mean_square, moment, lr, grad, decay, momentum, epsilon, mean_gradient=None):
    """RMSProp: ``ms = rho ms + (1-rho) g^2``; ``mom = momentum mom + lr g / sqrt(ms + eps)``;
    ``var -= mom``. Centered (with ``mean_gradient``): ``mg = rho mg + (1-rho) g`` and the
    denominator is ``sqrt(ms - mg^2 + eps)``."""
    rho = scalar(decay, var)
    ms = F.add(F.mul(rho, mean_square), F.mul(F.sub(1.0, rho), F.square(grad)))
    denom, mg = ms, None
    if mean_gradient is not None:
        mg = F.add(F.mul(rho, mean_gradient), F.mul(F.sub(1.0, rho), grad))
        denom = F.sub(ms, F.square(mg))
    step = F.div(F.mul(scalar(lr, var), grad), F.sqrt(F.add(denom, scalar(epsilon, var))))
    mom = F.add(F.mul(scalar(momentum, var), moment), step)
    return F.sub(var, mom), ms, mom, mg


def ftrl(var, accum, linear, grad, lr, l1, l2, lr_power, l2_shrinkage=0.0):
    """FTRL-proximal: ``accum' = accum + g^2``;
    ``linear += g' - (accum'^-p - accum^-p) / lr * var`` (``g' = g + 2 l2_shrinkage var``);
    ``var = (sign(linear) l1 - linear) / (accum'^-p / lr + 2 l2)`` where ``|linear| > l1``,
    else 0."""
    lr, l1, l2, power = (scalar(x, var) for x in (lr, l1, l2, lr_power))
    new_accum = F.add(accum, F.square(grad))
    neg_power = F.neg(power)
    sigma = F.div(F.sub(F.pow(new_accum, neg_power), F.pow(accum, neg_power)), lr)
    shrunk = grad
    if isinstance(l2_shrinkage, Tensor) or l2_shrinkage != 0:
        shrunk = F.add(grad, F.mul(F.mul(2.0, scalar(l2_shrinkage, var)), var))
    linear = F.sub(F.add(linear, shrunk), F.mul(sigma, var))
    quadratic = F.add(F.div(F.pow(new_accum, neg_power), lr), F.mul(2.0, l2))
    x = F.div(F.sub(F.mul(F.sign(linear), l1), linear), quadratic)
    var = F.where(F.greater(F.abs(linear), l1), x, F.zeros_like(x))
    return var, new_accum, linear


def gradient_descent(var, alpha, delta):
    """``var -= alpha * delta``."""
    return F.sub(var, F.mul(scalar(alpha, var), delta))


def proximal_gradient_descent(var, alpha, l1, l2, delta):
    """FOBOS: ``prox = var - alpha delta``; ``var = shrink(prox, alpha l1) / (1 + alpha l2)``."""
    alpha = scalar(alpha, var)
    prox = F.sub(var, F.mul(alpha, delta))
    return _prox(prox, alpha, scalar(l1, var), scalar(l2, var))


def _prox(prox, rate, l1, l2):
    return F.div(_shrink(prox, F.mul(rate, l1)), F.add(1.0, F.mul(rate, l2)))


def proximal_adagrad(var, accum, lr, l1, l2, grad):
    """Proximal Adagrad: ``accum += g^2``; ``prox = var - lr g / sqrt(accum)``;
    ``var = shrink(prox, lr l1) / (1 + lr l2)``."""
    lr = scalar(lr, var)
    accum = F.add(accum, F.square(grad))
    prox = F.sub(var, F.div(F.mul(lr, grad), F.sqrt(accum)))
    return _prox(prox, lr, scalar(l1, var), scalar(l2, var)), accum


def sgd(parameters, gradient, learning_rate, accum, momentum, stat, dampening, weight_decay,
        nesterov):  # fmt: skip
    """MindSpore's SGD kernel: ``g += weight_decay * p``; with momentum > 0 ``accum = g`` on the
    first step (``stat > 0``, then cleared), else ``accum = momentum accum + (1 - dampening) g``,
    and ``g = accum`` (Nesterov: ``g += momentum accum``); ``p -= lr * g``."""
    p = parameters
    g = F.cast(gradient, p.dtype)
    if weight_decay > 0:
        g = F.add(g, F.mul(p, float(weight_decay)))
    mom = scalar(momentum, p)
    first = F.greater(stat, 0.0)
    moved = F.add(F.mul(accum, mom), F.mul(g, 1.0 - float(dampening)))
    new_accum = F.where(first, g, moved)
    use = F.greater(mom, 0.0)
    step = F.add(g, F.mul(new_accum, mom)) if nesterov else new_accum
    step = F.where(use, step, g)
    accum = F.where(use, new_accum, accum)
    stat = F.where(use, F.zeros_like(stat), stat)
    return F.sub(p, F.mul(scalar(learning_rate, p), step)), accum, stat


def lars_update(weight, gradient, norm_weight, norm_gradient, weight_decay, learning_rate,
                epsilon=1e-5, hyperpara=1e-3, use_clip=False):  # fmt: skip
    """LARS: ``coeff = hyperpara * |w| / (|g| + weight_decay |w| + eps)`` (1 where a norm is
    0; with ``use_clip`` ``min(coeff / lr, 1) * lr``); the new gradient
    ``coeff * (g + weight_decay * w)``. ``norm_*`` are sums of squares."""
    wd, lr = scalar(weight_decay, weight), scalar(learning_rate, weight)
    w_norm = F.sqrt(F.cast(norm_weight, weight.dtype))
    g_norm = F.sqrt(F.cast(norm_gradient, weight.dtype))
    coeff = F.div(F.mul(hyperpara, w_norm), F.add(F.add(g_norm, F.mul(wd, w_norm)), float(epsilon)))
    both = F.logical_and(F.greater(w_norm, 0.0), F.greater(g_norm, 0.0))
    coeff = F.where(both, coeff, F.ones_like(coeff))
    if use_clip:
        coeff = F.mul(F.minimum(F.div(coeff, lr), 1.0), lr)
    return F.mul(coeff, F.add(gradient, F.mul(wd, weight)))


# ------------------------------------------------------------------------------------------------
# Sparse rules (rows ``indices``)
# ------------------------------------------------------------------------------------------------


def sparse_adagrad(op, var, accum, grad, indices, lr, update_slots=True, epsilon=None):
    """Adagrad on rows ``indices``; MindSpore's sparse kernels put ``epsilon`` (V2) inside the
    square root: ``var -= lr g / sqrt(accum + eps)``."""
    g, rows = sparse_rows(op, var, grad, indices)
    new_accum = F.add(accum, F.square(g)) if update_slots else accum
    denom = new_accum if epsilon is None else F.add(new_accum, scalar(epsilon, var))
    new_var = F.sub(var, F.div(F.mul(scalar(lr, var), g), F.sqrt(denom)))
    return _keep(rows, new_var, var), _keep(rows, new_accum, accum)


def sparse_proximal_adagrad(op, var, accum, lr, l1, l2, grad, indices):
    g, rows = sparse_rows(op, var, grad, indices)
    new_var, new_accum = proximal_adagrad(var, accum, lr, l1, l2, g)
    return _keep(rows, new_var, var), _keep(rows, new_accum, accum)


def sparse_ftrl(op, var, accum, linear, grad, indices, lr, l1, l2, lr_power, l2_shrinkage=0.0):
    g, rows = sparse_rows(op, var, grad, indices)
    new = ftrl(var, accum, linear, g, lr, l1, l2, lr_power, l2_shrinkage)
    return tuple(_keep(rows, n, o) for n, o in zip(new, (var, accum, linear)))


def sparse_rms_prop(op, var, ms, mom, lr, grad, indices, rho, momentum, epsilon):
    """RMSProp on rows ``indices``; as MindSpore's kernel, ``ms`` keeps its value where the
    gradient is 0; float16 moments are computed in float32 (the variable then moves by the
    rounded moment), as there."""
    g, rows = sparse_rows(op, var, grad, indices)
    if var.dtype is dt.float16:
        wide = [F.cast(x, dt.float32) for x in (var, ms, mom, g)]
        _, new_ms, new_mom = sparse_rms_prop_rows(*wide, lr, rows, rho, momentum, epsilon)
        new_ms, new_mom = F.cast(new_ms, dt.float16), F.cast(new_mom, dt.float16)
        return _keep(rows, F.sub(var, new_mom), var), new_ms, new_mom
    return sparse_rms_prop_rows(var, ms, mom, g, lr, rows, rho, momentum, epsilon)


def sparse_rms_prop_rows(var, ms, mom, g, lr, rows, rho, momentum, epsilon):
    rho = scalar(rho, var)
    moved = F.add(F.mul(rho, ms), F.mul(F.sub(1.0, rho), F.square(g)))
    new_ms = F.where(F.not_equal(g, 0.0), moved, ms)
    step = F.div(F.mul(scalar(lr, var), g), F.sqrt(F.add(new_ms, scalar(epsilon, var))))
    new_mom = F.add(F.mul(scalar(momentum, var), mom), step)
    new_var = F.sub(var, new_mom)
    return _keep(rows, new_var, var), _keep(rows, new_ms, ms), _keep(rows, new_mom, mom)


def sparse_adam(op, var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad, indices,
                use_nesterov=False, lazy=False):  # fmt: skip
    """Adam with a sparse gradient. Not lazy (FusedSparseAdam): every row's moments decay and
    every row moves; lazy (FusedSparseLazyAdam): only rows ``indices`` change."""
    g, rows = sparse_rows(op, var, grad, indices)
    new_var, new_m, new_v = adam(
        var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, g, use_nesterov
    )
    if not lazy:
        return new_var, new_m, new_v
    return _keep(rows, new_var, var), _keep(rows, new_m, m), _keep(rows, new_v, v)
