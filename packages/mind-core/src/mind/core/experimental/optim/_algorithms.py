"""The experimental optimizers, each update written once with ops (PyTorch's update rules, as
``mindspore.experimental.optim`` follows them). Scalars that depend on the step (bias
corrections, step sizes) are computed in float64 from the step count Parameter, then cast to
the parameter's dtype."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import functional as F
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindValueError
from mind.core.experimental.optim._optimizer import Optimizer, f64

__all__ = [
    "ASGD",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "RMSprop",
    "Rprop",
]


def _check(name: str, **values: tuple[float, float, float, bool]) -> None:
    """Each value within [low, high] (high excluded when the flag says so)."""
    for key, (value, low, high, open_high) in values.items():
        ok = low <= value < high if open_high else low <= value <= high
        if not ok:
            raise MindValueError(f"For '{name}', invalid {key}: {value}.")


def _check_common(name: str, lr: Any, eps: float | None, weight_decay: float) -> None:
    if not isinstance(lr, Tensor) and lr < 0:
        raise MindValueError(f"For '{name}', invalid learning rate: {lr}.")
    if eps is not None and eps < 0:
        raise MindValueError(f"For '{name}', invalid epsilon value: {eps}.")
    if weight_decay < 0:
        raise MindValueError(f"For '{name}', invalid weight_decay value: {weight_decay}.")


def _check_betas(name: str, betas: tuple[float, float]) -> None:
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise MindValueError(f"For '{name}', invalid beta parameter at index {i}: {beta}.")


def _decay(g: Tensor, p: Parameter, group: dict) -> Tensor:
    """L2 weight decay folded into the gradient."""
    wd = group["weight_decay"]
    return F.add(g, F.mul(p, wd)) if wd != 0 else g


def _as(value: Tensor, p: Parameter) -> Tensor:
    return F.cast(value, p.dtype)


def _ema(avg: Tensor, value: Tensor, weight: float) -> Tensor:
    """``avg + weight * (value - avg)`` (PyTorch's ``lerp_``)."""
    return F.add(avg, F.mul(F.sub(value, avg), weight))


def _first(step: Tensor, at_first: Any, later: Tensor) -> Tensor:
    """``at_first`` on the first step (``step`` already advanced to 1), ``later`` after: state
    PyTorch initialises lazily from the group's values at the first step."""
    return F.where(F.equal(step, f64(1.0)), at_first, later)


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
    decay (PyTorch's ``torch.optim.SGD``; the first step's momentum buffer is the gradient)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common("SGD", lr, None, weight_decay)
        if momentum < 0:
            raise MindValueError(f"For 'SGD', invalid momentum value: {momentum}.")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise MindValueError(
                "For 'SGD', Nesterov momentum requires a momentum and zero dampening."
            )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        if group["momentum"] == 0:
            return {}
        return {
            "momentum_buffer": self._zeros(param, "momentum_buffer"),
            "step": self._scalar(param, "step"),
        }

    def _update(self, p, g, group, state):
        g = _decay(g, p, group)
        momentum = group["momentum"]
        if momentum != 0:
            buf = self._slot(p, state, "momentum_buffer")
            if "step" not in state:
                state["step"] = self._scalar(p, "step")
            step = self._count(state)
            later = F.add(F.mul(buf, momentum), F.mul(g, 1.0 - group["dampening"]))
            buf_new = _first(step, g, later) if group["dampening"] != 0 else later
            F.assign(buf, buf_new)
            g = F.add(g, F.mul(buf_new, momentum)) if group["nesterov"] else buf_new
        F.assign(p, F.sub(p, F.mul(g, self._lr(group, p))))


class Adam(Optimizer):
    """Adam with bias-corrected moments and L2 weight decay, optionally AMSGrad (PyTorch's
    ``torch.optim.Adam``)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        name = type(self).__name__
        _check_common(name, lr, eps, weight_decay)
        _check_betas(name, betas)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        state = {
            "step": self._scalar(param, "step"),
            "exp_avg": self._zeros(param, "exp_avg"),
            "exp_avg_sq": self._zeros(param, "exp_avg_sq"),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = self._zeros(param, "max_exp_avg_sq")
        return state

    _decoupled = False

    def _update(self, p, g, group, state):
        beta1, beta2 = group["betas"]
        wd = group["weight_decay"]
        start = p
        if self._decoupled:
            if wd != 0:
                keep = F.sub(f64(1.0), F.mul(group["lr"], wd))
                start = F.mul(p, _as(keep, p))
        else:
            g = _decay(g, p, group)
        step = self._count(state)
        m = _ema(state["exp_avg"], g, 1.0 - beta1)
        v = F.add(F.mul(state["exp_avg_sq"], beta2), F.mul(F.mul(g, g), 1.0 - beta2))
        F.assign(state["exp_avg"], m)
        F.assign(state["exp_avg_sq"], v)
        bias1 = F.sub(f64(1.0), F.pow(f64(beta1), step))
        bias2_sqrt = F.sqrt(F.sub(f64(1.0), F.pow(f64(beta2), step)))
        if group["amsgrad"]:
            vmax = self._slot(p, state, "max_exp_avg_sq")
            v = F.maximum(vmax, v)
            F.assign(vmax, v)
        denom = F.add(F.div(F.sqrt(v), _as(bias2_sqrt, p)), group["eps"])
        step_size = _as(F.div(group["lr"], bias1), p)
        F.assign(p, F.sub(start, F.mul(F.div(m, denom), step_size)))


class AdamW(Adam):
    """Adam with decoupled weight decay, ``p *= 1 - lr * weight_decay`` before the Adam step
    (PyTorch's ``torch.optim.AdamW``)."""

    _decoupled = True

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class Adagrad(Optimizer):
    """Adagrad with learning-rate decay (PyTorch's ``torch.optim.Adagrad``)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common("Adagrad", lr, eps, weight_decay)
        if lr_decay < 0 or initial_accumulator_value < 0:
            raise MindValueError(
                f"For 'Adagrad', invalid lr_decay {lr_decay} or initial_accumulator_value "
                f"{initial_accumulator_value}."
            )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "sum": self._zeros(param, "sum", group["initial_accumulator_value"]),
        }

    def _update(self, p, g, group, state):
        g = _decay(g, p, group)
        step = self._count(state)
        clr = F.div(group["lr"], F.add(f64(1.0), F.mul(F.sub(step, 1.0), group["lr_decay"])))
        total = F.add(state["sum"], F.mul(g, g))
        F.assign(state["sum"], total)
        std = F.add(F.sqrt(total), group["eps"])
        F.assign(p, F.sub(p, F.mul(F.div(g, std), _as(clr, p))))


class Adadelta(Optimizer):
    """Adadelta (PyTorch's ``torch.optim.Adadelta``)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common("Adadelta", lr, eps, weight_decay)
        _check("Adadelta", rho=(rho, 0.0, 1.0, False))
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "square_avg": self._zeros(param, "square_avg"),
            "acc_delta": self._zeros(param, "acc_delta"),
        }

    def _update(self, p, g, group, state):
        rho, eps = group["rho"], group["eps"]
        g = _decay(g, p, group)
        self._count(state)
        sq = F.add(F.mul(state["square_avg"], rho), F.mul(F.mul(g, g), 1.0 - rho))
        F.assign(state["square_avg"], sq)
        std = F.sqrt(F.add(sq, eps))
        delta = F.mul(F.div(F.sqrt(F.add(state["acc_delta"], eps)), std), g)
        acc = F.add(F.mul(state["acc_delta"], rho), F.mul(F.mul(delta, delta), 1.0 - rho))
        F.assign(state["acc_delta"], acc)
        F.assign(p, F.sub(p, F.mul(delta, self._lr(group, p))))


class Adamax(Optimizer):
    """Adamax, Adam's infinity-norm variant (PyTorch's ``torch.optim.Adamax``)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_common("Adamax", lr, eps, weight_decay)
        _check_betas("Adamax", betas)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "exp_avg": self._zeros(param, "exp_avg"),
            "exp_inf": self._zeros(param, "exp_inf"),
        }

    def _update(self, p, g, group, state):
        beta1, beta2 = group["betas"]
        g = _decay(g, p, group)
        step = self._count(state)
        m = _ema(state["exp_avg"], g, 1.0 - beta1)
        F.assign(state["exp_avg"], m)
        u = F.maximum(F.mul(state["exp_inf"], beta2), F.add(F.abs(g), group["eps"]))
        F.assign(state["exp_inf"], u)
        clr = F.div(group["lr"], F.sub(f64(1.0), F.pow(f64(beta1), step)))
        F.assign(p, F.sub(p, F.mul(F.div(m, u), _as(clr, p))))


class ASGD(Optimizer):
    """Averaged SGD (PyTorch's ``torch.optim.ASGD``): the state's ``ax`` holds the average."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0.0,
        maximize: bool = False,
    ) -> None:
        _check_common("ASGD", lr, None, weight_decay)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "eta": self._scalar(param, "eta", float(group["lr"].asnumpy())),
            "mu": self._scalar(param, "mu", 1.0),
            "ax": self._zeros(param, "ax"),
        }

    def _update(self, p, g, group, state):
        lambd, lr = group["lambd"], group["lr"]
        g = _decay(g, p, group)
        step = self._count(state)
        eta = _first(step, lr, state["eta"])  # PyTorch starts eta at the lr of the first step
        shrunk = F.mul(p, _as(F.sub(f64(1.0), F.mul(eta, lambd)), p))
        p_new = F.sub(shrunk, F.mul(g, _as(eta, p)))
        F.assign(p, p_new)
        mu = state["mu"]
        averaged = F.add(state["ax"], F.mul(F.sub(p_new, state["ax"]), _as(mu, p)))
        F.assign(state["ax"], F.where(F.equal(mu, f64(1.0)), p_new, averaged))
        base = F.add(f64(1.0), F.mul(F.mul(lr, lambd), step))
        F.assign(state["eta"], F.div(lr, F.pow(base, group["alpha"])))
        F.assign(state["mu"], F.div(f64(1.0), F.maximum(f64(1.0), F.sub(step, group["t0"]))))


class NAdam(Optimizer):
    """Adam with Nesterov momentum and momentum decay (PyTorch's ``torch.optim.NAdam``)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
    ) -> None:
        _check_common("NAdam", lr, eps, weight_decay)
        _check_betas("NAdam", betas)
        if momentum_decay < 0:
            raise MindValueError(f"For 'NAdam', invalid momentum_decay value: {momentum_decay}.")
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "mu_product": self._scalar(param, "mu_product", 1.0),
            "exp_avg": self._zeros(param, "exp_avg"),
            "exp_avg_sq": self._zeros(param, "exp_avg_sq"),
        }

    def _update(self, p, g, group, state):
        beta1, beta2 = group["betas"]
        decay, lr = group["momentum_decay"], group["lr"]
        g = _decay(g, p, group)
        step = self._count(state)
        bias2 = F.sub(f64(1.0), F.pow(f64(beta2), step))
        mu = F.mul(F.sub(f64(1.0), F.mul(F.pow(f64(0.96), F.mul(step, decay)), 0.5)), beta1)
        after = F.add(step, 1.0)
        mu_next = F.mul(F.sub(f64(1.0), F.mul(F.pow(f64(0.96), F.mul(after, decay)), 0.5)), beta1)
        mu_product = F.mul(state["mu_product"], mu)
        F.assign(state["mu_product"], mu_product)
        m = _ema(state["exp_avg"], g, 1.0 - beta1)
        v = F.add(F.mul(state["exp_avg_sq"], beta2), F.mul(F.mul(g, g), 1.0 - beta2))
        F.assign(state["exp_avg"], m)
        F.assign(state["exp_avg_sq"], v)
        denom = F.add(F.sqrt(F.div(v, _as(bias2, p))), group["eps"])
        grad_size = F.div(F.mul(lr, F.sub(f64(1.0), mu)), F.sub(f64(1.0), mu_product))
        avg_size = F.div(F.mul(lr, mu_next), F.sub(f64(1.0), F.mul(mu_product, mu_next)))
        p_new = F.sub(p, F.mul(F.div(g, denom), _as(grad_size, p)))
        F.assign(p, F.sub(p_new, F.mul(F.div(m, denom), _as(avg_size, p))))


class RAdam(Optimizer):
    """Rectified Adam (PyTorch's ``torch.optim.RAdam``): an SGD-with-momentum step until the
    variance estimate is tractable (``rho_t > 5``), a rectified Adam step after."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        _check_common("RAdam", lr, eps, weight_decay)
        _check_betas("RAdam", betas)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "exp_avg": self._zeros(param, "exp_avg"),
            "exp_avg_sq": self._zeros(param, "exp_avg_sq"),
        }

    def _update(self, p, g, group, state):
        beta1, beta2 = group["betas"]
        g = _decay(g, p, group)
        step = self._count(state)
        m = _ema(state["exp_avg"], g, 1.0 - beta1)
        v = F.add(F.mul(state["exp_avg_sq"], beta2), F.mul(F.mul(g, g), 1.0 - beta2))
        F.assign(state["exp_avg"], m)
        F.assign(state["exp_avg_sq"], v)
        bias1 = F.sub(f64(1.0), F.pow(f64(beta1), step))
        beta2_t = F.pow(f64(beta2), step)
        bias2 = F.sub(f64(1.0), beta2_t)
        m_hat = F.div(m, _as(bias1, p))
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = F.sub(f64(rho_inf), F.div(F.mul(F.mul(step, beta2_t), 2.0), bias2))
        tractable = F.greater(rho_t, f64(5.0))
        rho = F.where(tractable, rho_t, f64(5.0))  # keeps the unused branch's sqrt real
        ratio = F.div(
            F.mul(F.mul(F.sub(rho, 4.0), F.sub(rho, 2.0)), rho_inf),
            F.mul(rho, (rho_inf - 4.0) * (rho_inf - 2.0)),
        )
        rect = F.sqrt(F.maximum(ratio, f64(0.0)))  # negative only where rho_t never passes 5
        adaptive = F.div(_as(F.sqrt(bias2), p), F.add(F.sqrt(v), group["eps"]))
        lr = self._lr(group, p)
        rectified = F.mul(F.mul(F.mul(m_hat, lr), adaptive), _as(rect, p))
        F.assign(p, F.sub(p, F.where(tractable, rectified, F.mul(m_hat, lr))))


class RMSprop(Optimizer):
    """RMSprop, optionally centered and with momentum (PyTorch's ``torch.optim.RMSprop``)."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        maximize: bool = False,
    ) -> None:
        _check_common("RMSprop", lr, eps, weight_decay)
        if momentum < 0 or alpha < 0:
            raise MindValueError(f"For 'RMSprop', invalid momentum {momentum} or alpha {alpha}.")
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        state = {
            "step": self._scalar(param, "step"),
            "square_avg": self._zeros(param, "square_avg"),
        }
        if group["momentum"] > 0:
            state["momentum_buffer"] = self._zeros(param, "momentum_buffer")
        if group["centered"]:
            state["grad_avg"] = self._zeros(param, "grad_avg")
        return state

    def _update(self, p, g, group, state):
        alpha = group["alpha"]
        g = _decay(g, p, group)
        self._count(state)
        sq = F.add(F.mul(state["square_avg"], alpha), F.mul(F.mul(g, g), 1.0 - alpha))
        F.assign(state["square_avg"], sq)
        if group["centered"]:
            grad_avg = self._slot(p, state, "grad_avg")
            ga = _ema(grad_avg, g, 1.0 - alpha)
            F.assign(grad_avg, ga)
            avg = F.sqrt(F.sub(sq, F.mul(ga, ga)))
        else:
            avg = F.sqrt(sq)
        avg = F.add(avg, group["eps"])
        lr = self._lr(group, p)
        if group["momentum"] > 0:
            buf = self._slot(p, state, "momentum_buffer")
            buf_new = F.add(F.mul(buf, group["momentum"]), F.div(g, avg))
            F.assign(buf, buf_new)
            F.assign(p, F.sub(p, F.mul(buf_new, lr)))
        else:
            F.assign(p, F.sub(p, F.mul(F.div(g, avg), lr)))


class Rprop(Optimizer):
    """Resilient backpropagation (PyTorch's ``torch.optim.Rprop``): per-element step sizes grown
    by ``etas[1]`` while the gradient keeps its sign and shrunk by ``etas[0]`` when it flips."""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        maximize: bool = False,
    ) -> None:
        _check_common("Rprop", lr, None, 0.0)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise MindValueError(f"For 'Rprop', invalid eta values: {etas[0]}, {etas[1]}.")
        defaults = {
            "lr": lr,
            "etas": tuple(etas),
            "step_sizes": tuple(step_sizes),
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {
            "step": self._scalar(param, "step"),
            "prev": self._zeros(param, "prev"),
            "step_size": self._zeros(param, "step_size"),
        }

    def _update(self, p, g, group, state):
        etaminus, etaplus = group["etas"]
        low, high = group["step_sizes"]
        step = self._count(state)
        # PyTorch fills the step sizes with the group's lr at the first step.
        sizes = _first(step, F.broadcast_to(self._lr(group, p), p.shape), state["step_size"])
        product = F.sign(F.mul(g, state["prev"]))
        # The factors in the parameter's dtype, as PyTorch writes them into the sign tensor.
        plus, minus, one = (_as(f64(v), p) for v in (etaplus, etaminus, 1.0))
        factor = F.where(F.greater(product, 0.0), plus, F.where(F.less(product, 0.0), minus, one))
        sizes = F.clamp(F.mul(sizes, factor), low, high)
        F.assign(state["step_size"], sizes)
        g = F.where(F.equal(factor, minus), F.zeros_like(g), g)
        F.assign(p, F.sub(p, F.mul(F.sign(g), sizes)))
        F.assign(state["prev"], g)
