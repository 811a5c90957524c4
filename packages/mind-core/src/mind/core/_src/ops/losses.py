"""The loss functions beyond the basic ones in nn_ops: KL divergence, margin and embedding
losses, Gaussian and Poisson NLL, multi-label losses (MindSpore 2.x names and arguments).

Each is composed from elementwise ops, reductions and gathers, so its gradient, ``jit`` and
``vmap`` need nothing of their own; the reductions are nn_ops' (``'mean'``, ``'sum'``,
``'none'``; ``kl_div`` adds ``'batchmean'``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops.array import broadcast_to, expand_dims, gather, one_hot, squeeze
from mind.core._src.ops.dispatch import bind2, example, primitive
from mind.core._src.ops.elementwise import (
    _floating,
    add,
    cast,
    div,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    log,
    logical_and,
    logical_not,
    maximum,
    minimum,
    mul,
    neg,
    operands,
    pow,
    sqrt,
    square,
    sub,
    where,
)
from mind.core._src.ops.elementwise import abs as abs_
from mind.core._src.ops.indexing import cumprod, gather_elements
from mind.core._src.ops.nn_ops import _reduce, check_indices, softplus
from mind.core._src.ops.reduce import mean, sum
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__: list[str] = [
    "binary_cross_entropy",
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]

#: Functional ops of this module that are also Tensor methods with the tensor first
#: (``Tensor.name(*args)`` is ``name(tensor, *args)``); attached by tensor.methods.
TENSOR_METHODS: tuple[str, ...] = ()


def _number(op: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MindTypeError(f"For '{op}', '{name}' must be a number, got {value!r}")
    return float(value)


def _pair(op: str, x: Any, y: Any, names: tuple[str, str]) -> tuple[Tensor, Tensor]:
    a, b = operands(_floating(x), y)
    I.broadcast_shapes(op, names, a.shape, b.shape)
    return a, b


def _log_sigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, stable for large ``|x|``."""
    return neg(softplus(neg(x)))


# ------------------------------------------------------------------------------------------------
# Divergence and likelihoods
# ------------------------------------------------------------------------------------------------


def kl_div(logits: Any, labels: Any, reduction: str = "mean") -> Tensor:
    """``labels * (log(labels) - logits)`` elementwise, 0 where ``labels <= 0``; ``logits``
    are log-probabilities. ``reduction='batchmean'`` divides the sum by the batch size (the
    mathematical KL divergence); ``'mean'`` averages over every element.

    >>> ops.kl_div(Tensor([0.2, 0.7, 0.1]), Tensor([0.0, 1.0, 0.0]), "sum")  # -0.7
    """
    x, y = _pair("kl_div", logits, labels, ("logits", "labels"))
    positive = greater(y, 0)
    safe = where(positive, y, 1.0)
    loss = where(positive, mul(y, sub(log(safe), x)), 0.0)
    if reduction == "batchmean":
        total = sum(loss)
        return div(total, x.shape[0]) if x.ndim else total
    return _reduce(_shaped(loss, x, y), reduction, "kl_div")


def _shaped(loss: Tensor, *inputs: Tensor) -> Tensor:
    """The loss at the inputs' broadcast shape (a `where` with constants may not broadcast)."""
    shape = I.broadcast_shapes("loss", ("input", "target"), *(t.shape for t in inputs))
    return broadcast_to(loss, shape) if tuple(loss.shape) != shape else loss


def _clamped_logs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(x), -100.0), np.maximum(np.log1p(-x), -100.0)


def _bce_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    log_x, log_1mx = _clamped_logs(x)
    return (-(y * log_x + (1 - y) * log_1mx)).astype(np.result_type(x, y), copy=False)


def _bce_bprop(x: Tensor, y: Tensor, out: Tensor, dout: Tensor) -> tuple:
    # d/dx = (x - y) / (x (1 - x)), the denominator held at 1e-12 where a log is clamped (as
    # MindSpore's and PyTorch's kernels): finite at x = 0 and x = 1, where autodiff of the
    # clamped logs would give nan
    dx = div(sub(x, y), maximum(mul(x, sub(1.0, x)), 1e-12))
    dy = sub(maximum(log(sub(1.0, x)), -100.0), maximum(log(x), -100.0))
    return mul(dout, dx), mul(dout, dy)


# The elementwise loss of binary_cross_entropy: one primitive for its clamped gradient.
bce_p = primitive(
    "binary_cross_entropy",
    cpu=_bce_kernel,
    infer=lambda x, y: I.elementwise("binary_cross_entropy", x, y, names=("logits", "labels")),
    bprop=_bce_bprop,
)
example(
    bce_p,
    lambda c: (
        [np.array([0.2, 0.7, 0.5, 0.9]), np.array([0.0, 1.0, 0.3, 0.6])],
        {},
        lambda x, y: -(y * np.log(x) + (1 - y) * np.log1p(-x)),
    ),
)


def binary_cross_entropy(
    logits: Any, labels: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """``-weight * (labels * log(logits) + (1 - labels) * log(1 - logits))`` for probabilities
    ``logits`` in [0, 1]; each log is clamped below at -100, so a certain mistake costs 100 and
    not inf.

    >>> ops.binary_cross_entropy(Tensor([0.5, 0.9]), Tensor([1.0, 1.0]), reduction="none")
    """
    x, y = _pair("binary_cross_entropy", logits, labels, ("logits", "labels"))
    loss = bind2(bce_p, *operands(x, y))
    if weight is not None:
        loss = mul(loss, as_tensor(weight, x.dtype))
    return _reduce(loss, reduction, "binary_cross_entropy")


def gaussian_nll_loss(
    x: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of ``target`` under normal distributions of mean ``x`` and
    variance ``var`` (clamped below at ``eps``): ``0.5 * (log(var) + (x - target)^2 / var)``,
    plus ``0.5 * log(2 pi)`` with ``full=True``. ``var`` may have one axis fewer than ``x`` or
    size-1 axes (one variance for several values).

    >>> ops.gaussian_nll_loss(Tensor([1.0]), Tensor([1.0]), Tensor([1.0]))  # 0.0
    """
    op = "gaussian_nll_loss"
    if not isinstance(full, bool):
        raise MindTypeError(f"For '{op}', 'full' must be a bool, got {full!r}")
    if isinstance(eps, bool) or not isinstance(eps, float) or eps <= 0:
        raise MindValueError(f"For '{op}', 'eps' must be a float in (0, inf), got {eps!r}")
    mu, t = _pair(op, x, target, ("x", "target"))
    v = as_tensor(var, mu.dtype)
    if v.ndim == mu.ndim - 1 and tuple(v.shape) == tuple(mu.shape[:-1]):
        v = expand_dims(v, -1)
    I.broadcast_shapes(op, ("x", "var"), mu.shape, v.shape)
    v = maximum(v, eps)
    loss = mul(add(log(v), div(square(sub(mu, t)), v)), 0.5)
    if full:
        loss = add(loss, 0.5 * math.log(2 * math.pi))
    return _reduce(_shaped(loss, mu, t, v), reduction, op)


def poisson_nll_loss(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-08,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of counts ``target`` under Poisson rates ``input``:
    ``exp(input) - target * input`` for log-rates (``log_input=True``), else
    ``input - target * log(input + eps)``; ``full=True`` adds Stirling's approximation of
    ``log(target!)`` where ``target > 1`` (as nn.PoissonNLLLoss).

    >>> ops.poisson_nll_loss(Tensor([0.0]), Tensor([1.0]))  # 1.0
    """
    x, y = _pair("poisson_nll_loss", input, target, ("input", "target"))
    if log_input:
        loss = sub(exp(x), mul(y, x))
    else:
        loss = sub(x, mul(y, log(add(x, float(eps)))))
    if full:
        big = greater(y, 1)
        safe = where(big, y, 2.0)
        stirling = add(sub(mul(safe, log(safe)), safe), mul(log(mul(safe, 2 * math.pi)), 0.5))
        loss = add(loss, where(big, stirling, 0.0))
    return _reduce(_shaped(loss, x, y), reduction, "poisson_nll_loss")


# ------------------------------------------------------------------------------------------------
# Regression
# ------------------------------------------------------------------------------------------------


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 * d^2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, for
    ``d = input - target``.

    >>> ops.huber_loss(Tensor([0.0, 3.0]), Tensor([0.5, 0.0]), "none")  # [0.125, 2.5]
    """
    delta = _number("huber_loss", "delta", delta)
    if delta <= 0:
        raise MindValueError(f"For 'huber_loss', 'delta' must be positive, got {delta}")
    x, y = _pair("huber_loss", input, target, ("input", "target"))
    d = sub(x, y)
    ad = abs_(d)
    loss = where(less(ad, delta), mul(square(d), 0.5), mul(sub(ad, 0.5 * delta), delta))
    return _reduce(loss, reduction, "huber_loss")


# ------------------------------------------------------------------------------------------------
# Margin and embedding losses
# ------------------------------------------------------------------------------------------------


def margin_ranking_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: ``target`` 1 asks for
    ``input1 > input2``, -1 for the opposite.

    >>> ops.margin_ranking_loss(Tensor([1.0]), Tensor([0.0]), Tensor([1.0]))  # 0.0
    """
    margin = _number("margin_ranking_loss", "margin", margin)
    a, b = _pair("margin_ranking_loss", input1, input2, ("input1", "input2"))
    t = as_tensor(target, a.dtype)
    loss = maximum(add(neg(mul(t, sub(a, b))), margin), 0.0)
    return _reduce(loss, reduction, "margin_ranking_loss")


def hinge_embedding_loss(
    inputs: Any, targets: Any, margin: float = 1.0, reduction: str = "mean"
) -> Tensor:
    """``inputs`` where ``targets`` is 1 and ``max(0, margin - inputs)`` where it is -1 (for
    ``inputs`` that are distances, e.g. L1 between pairs).

    >>> ops.hinge_embedding_loss(Tensor([0.3, 0.3]), Tensor([1.0, -1.0]), reduction="none")
    """
    margin = _number("hinge_embedding_loss", "margin", margin)
    x, t = _pair("hinge_embedding_loss", inputs, targets, ("inputs", "targets"))
    positive = where(equal(t, 1), x, 0.0)
    negative = where(equal(t, -1), maximum(sub(margin, x), 0.0), 0.0)
    return _reduce(_shaped(add(positive, negative), x, t), reduction, "hinge_embedding_loss")


def soft_margin_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))`` for targets of 1 and -1.

    >>> ops.soft_margin_loss(Tensor([0.0]), Tensor([1.0]))  # log(2)
    """
    x, y = _pair("soft_margin_loss", input, target, ("input", "target"))
    return _reduce(softplus(neg(mul(y, x))), reduction, "soft_margin_loss")


def multilabel_soft_margin_loss(
    input: Any, target: Any, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """A binary logistic loss per class of ``input`` (N, C) against 0/1 ``target`` (N, C),
    averaged over the classes: one loss per sample (``weight`` (C,) scales each class).

    >>> ops.multilabel_soft_margin_loss(Tensor([[0.0, 0.0]]), Tensor([[1.0, 0.0]]))  # log(2)
    """
    x, y = _pair("multilabel_soft_margin_loss", input, target, ("input", "target"))
    if x.ndim != 2 or tuple(y.shape) != tuple(x.shape):
        raise I.fail(
            "multilabel_soft_margin_loss",
            f"'input' and 'target' must both be (N, C), got {x.shape} and {y.shape}",
        )
    per_class = add(mul(y, _log_sigmoid(x)), mul(sub(1.0, y), _log_sigmoid(neg(x))))
    if weight is not None:
        per_class = mul(per_class, as_tensor(weight, x.dtype))
    loss = neg(mean(per_class, -1))
    return _reduce(loss, reduction, "multilabel_soft_margin_loss")


def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1,
    weight: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class hinge loss of ``input`` (N, C) at class indices ``target`` (N,):
    ``sum over i != y of max(0, margin - x[y] + x[i])^p / C`` per sample, times
    ``weight[y]`` when given.

    >>> ops.multi_margin_loss(ops.ones((3, 3)), Tensor(np.array([1, 2, 1])))  # 0.6666667
    """
    op = "multi_margin_loss"
    if p not in (1, 2) or isinstance(p, bool):
        raise MindValueError(f"For '{op}', 'p' must be 1 or 2, got {p!r}")
    margin = _number(op, "margin", margin)
    x, t = _floating(input), as_tensor(target)
    if x.ndim != 2:
        raise I.fail(op, f"'input' must be (N, C), got shape {x.shape}")
    if not t.dtype.is_integer or tuple(t.shape) != (x.shape[0],):
        raise I.fail(op, f"'target' must be ({x.shape[0]},) class indices, got {t.shape} {t.dtype}")
    n, c = x.shape
    check_indices(op, "target", t, c)
    picked = one_hot(t, c, 1.0, 0.0)
    picked = cast(picked, x.dtype) if picked.dtype is not x.dtype else picked
    x_y = sum(mul(x, picked), 1, keepdim=True)
    hinge = maximum(add(sub(x, x_y), margin), 0.0)
    if p == 2:
        hinge = square(hinge)
    loss = div(sum(mul(hinge, sub(1.0, picked)), 1), c)
    if weight is not None:
        w = as_tensor(weight, x.dtype)
        if w.ndim != 1 or w.shape[0] != c:
            raise I.fail(op, f"'weight' must be ({c},), got shape {w.shape}")
        loss = mul(loss, gather(w, t, 0))
    return _reduce(loss, reduction, op)


def _multilabel_margin(input: Any, target: Any, reduction: str) -> tuple[Tensor, Tensor]:
    """The loss of :func:`multilabel_margin_loss` and the (N, C) int32 mask of target classes."""
    op = "multilabel_margin_loss"
    x, t = _floating(input), as_tensor(target)
    if x.ndim not in (1, 2):
        raise I.fail(op, f"'input' must be (C,) or (N, C), got shape {x.shape}")
    if not t.dtype.is_integer or tuple(t.shape) != tuple(x.shape):
        raise I.fail(
            op,
            f"'target' must be int class indices shaped as 'input' {x.shape}, got {t.shape} {t.dtype}",
        )
    single = x.ndim == 1
    if single:
        x, t = expand_dims(x, 0), expand_dims(t, 0)
    c = x.shape[1]
    t = cast(t, "int64")
    # The targets of a row are its entries before the first -1.
    valid = cast(cumprod(cast(greater_equal(t, 0), "int64"), 1), "bool")
    index = where(valid, t, 0)
    check_indices(op, "target", index, c)
    hot = mul(one_hot(index, c, 1.0, 0.0, -1), expand_dims(cast(valid, x.dtype), 2))  # (N, J, C)
    is_target = greater(sum(hot, 1), 0.0)  # (N, C)
    x_j = gather_elements(x, 1, index)  # (N, J)
    hinge = maximum(add(sub(expand_dims(x, 1), expand_dims(x_j, 2)), 1.0), 0.0)  # (N, J, C)
    keep = logical_and(expand_dims(valid, 2), logical_not(expand_dims(is_target, 1)))
    loss = div(sum(where(keep, hinge, 0.0), (1, 2)), c)
    mask = cast(is_target, "int32")
    if single:
        loss, mask = squeeze(loss, 0), squeeze(mask, 0)
    return _reduce(loss, reduction, op), mask


def multilabel_margin_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """The multi-label hinge loss of ``input`` (N, C) or (C,): ``target`` (same shape) lists
    each sample's classes, ended by the first -1; the loss of a sample is
    ``sum over its targets j and non-targets i of max(0, 1 - (x[j] - x[i])) / C``.

    >>> ops.multilabel_margin_loss(Tensor([[0.1, 0.2, 0.4, 0.8]]), Tensor([[3, 0, -1, 1]]))
    ... # 0.85

    Supported devices: cpu, native.
    """
    return _multilabel_margin(input, target, reduction)[0]


def _pairwise_distance(a: Tensor, b: Tensor, p: float, eps: float) -> Tensor:
    """``||a - b + eps||_p`` over the last axis, with a zero gradient at zero distance."""
    diff = add(sub(a, b), eps)
    if p == 2:
        power = sum(square(diff), -1)
    else:
        power = sum(pow(abs_(diff), p), -1)
    positive = greater(power, 0)
    safe = where(positive, power, 1.0)
    return where(positive, sqrt(safe) if p == 2 else pow(safe, 1.0 / p), 0.0)


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: int = 2,
    eps: float = 1e-06,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``max(d(anchor, positive) - d(anchor, negative) + margin, 0)`` with ``d`` the ``p``-norm
    distance over the last axis; ``swap=True`` uses the smaller of the anchor's and the
    positive's distance to the negative.

    >>> ops.triplet_margin_loss(Tensor([[0.0]]), Tensor([[0.0]]), Tensor([[2.0]]))  # 0.0
    """
    op = "triplet_margin_loss"
    if isinstance(margin, Tensor):
        if margin.ndim:
            raise MindValueError(f"For '{op}', 'margin' must be a scalar, got shape {margin.shape}")
        margin = float(margin.asnumpy())
    margin = _number(op, "margin", margin)
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise MindTypeError(f"For '{op}', 'p' must be a positive int, got {p!r}")
    if not isinstance(swap, bool):
        raise MindTypeError(f"For '{op}', 'swap' must be a bool, got {swap!r}")
    eps = _number(op, "eps", eps)
    a = _floating(anchor)
    pos, neg_ = as_tensor(positive, a.dtype), as_tensor(negative, a.dtype)
    if a.ndim <= 1 and pos.ndim <= 1 and neg_.ndim <= 1:
        raise I.fail(op, "'anchor', 'positive' and 'negative' must not all be 0-D or 1-D")
    I.broadcast_shapes(op, ("anchor", "positive", "negative"), a.shape, pos.shape, neg_.shape)
    d_pos = _pairwise_distance(a, pos, p, eps)
    d_neg = _pairwise_distance(a, neg_, p, eps)
    if swap:
        d_neg = minimum(d_neg, _pairwise_distance(pos, neg_, p, eps))
    loss = maximum(add(sub(d_pos, d_neg), margin), 0.0)
    return _reduce(loss, reduction, op)


def cosine_embedding_loss(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """``1 - cos(input1, input2)`` where ``target`` is 1 and ``max(0, cos - margin)`` where it is
    -1, the cosine taken over axis 1.

    >>> ops.cosine_embedding_loss(Tensor([[1.0, 0.0]]), Tensor([[1.0, 0.0]]), Tensor([1]))  # 0
    """
    op = "cosine_embedding_loss"
    margin = _number(op, "margin", margin)
    if not -1 <= margin <= 1:
        raise MindValueError(f"For '{op}', 'margin' must be in [-1, 1], got {margin}")
    a, b = _pair(op, input1, input2, ("input1", "input2"))
    if a.ndim < 2:
        raise I.fail(op, f"'input1' must be at least 2-D (N, D, ...), got shape {a.shape}")
    t = as_tensor(target)
    eps = 1e-12  # keeps a zero vector's cosine 0 (and its gradient finite)
    prod = sum(mul(a, b), 1)
    norms = mul(add(sum(square(a), 1), eps), add(sum(square(b), 1), eps))
    cos = div(prod, sqrt(norms))
    loss = add(
        where(equal(t, 1), sub(1.0, cos), 0.0),
        where(equal(t, -1), maximum(sub(cos, margin), 0.0), 0.0),
    )
    return _reduce(_shaped(loss, cos, t), reduction, op)
