"""vjp, jvp, jacrev, jacfwd, and reverse-mode differentiation of a MindIR graph.

All are built on the reverse-mode tape, whose backward rules are themselves differentiable:

- ``vjp(fn, *primals)`` runs ``fn`` once under the tape and returns a function mapping output
  cotangents to input cotangents;
- ``jvp(fn, primals, tangents)`` uses that the vjp is linear in the cotangent ``u``: the jvp is the
  gradient with respect to ``u`` of ``<vjp(u), tangents>`` (reverse over reverse);
- ``jacrev`` / ``jacfwd`` stack one vjp per output element / one jvp per input element;
- ``jet`` / ``derivative`` (higher-order forward mode, Taylor mode) differentiate ``fn`` along a
  curve through the primals ``k`` times in its scalar parameter, then once more in a cotangent
  ``u`` as ``jvp`` does: ``k + 1`` nested gradients for the ``k``-th derivative;
- ``grad_graph(graph)`` turns a MindIR graph into the graph of its value and gradients by replaying
  its nodes through the tape while tracing, so the result is again MindIR.

Every one of them works in PyNative mode and inside ``jit``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import grad, value_and_grad, with_backward
from mind.core._src.jit import JitFunction
from mind.core._src.ops.array import expand_dims, reshape, stack, transpose
from mind.core._src.ops.control import replay as replay_graph
from mind.core._src.ops.dispatch import STATE
from mind.core._src.ops.elementwise import cast
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "GradOperation",
    "HookBackward",
    "derivative",
    "grad_graph",
    "jacfwd",
    "jacrev",
    "jet",
    "jvp",
    "vjp",
]


def _tensors(values: Sequence[Any], what: str, complex_ok: bool = False) -> tuple[Tensor, ...]:
    out = []
    for i, v in enumerate(values):
        t = as_tensor(v)
        if not (t.dtype.is_floating_point or (complex_ok and t.dtype.is_complex)):
            raise MindTypeError(
                f"For '{what}', input {i} must be a floating-point tensor, got {t.dtype}"
            )
        out.append(t)
    return tuple(out)


class GradOperation:
    """MindSpore's classic gradient API (``ops.composite.GradOperation``), on :func:`grad`.

    ``GradOperation(get_all, get_by_list, sens_param)(fn, weights=None)`` is a function of
    ``fn``'s inputs (and, with ``sens_param``, one more: the sensitivity, the output's cotangent,
    instead of all ones) returning the gradient of the first input (the default), of every input
    (``get_all``: a tuple), of ``weights`` (``get_by_list``: a tuple), or ``(inputs' gradients,
    weights' gradients)`` with both. Integer inputs get zero gradients.

    >>> grad_all = GradOperation(get_all=True)
    >>> grad_all(lambda x, y: (x * y).sum())(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
    """

    def __init__(self, get_all: bool = False, get_by_list: bool = False, sens_param: bool = False):
        for name, value in (
            ("get_all", get_all),
            ("get_by_list", get_by_list),
            ("sens_param", sens_param),
        ):
            if not isinstance(value, bool):
                raise MindTypeError(
                    f"For 'GradOperation', '{name}' must be a bool, got {type(value).__name__}"
                )
        self.get_all, self.get_by_list, self.sens_param = get_all, get_by_list, sens_param

    def __call__(self, fn: Callable[..., Any], weights: Any = None) -> Callable[..., Any]:
        if self.get_by_list and weights is None:
            raise MindValueError(
                "For 'GradOperation', get_by_list=True needs the weights: grad_op(fn, weights)"
            )
        params = None
        if self.get_by_list:
            params = list(weights) if isinstance(weights, tuple | list) else [weights]

        def grad_fn(*args: Any) -> Any:
            target = fn
            if self.sens_param:
                if not args:
                    raise MindValueError(
                        "For 'GradOperation', sens_param=True needs the sensitivity as the last "
                        "input"
                    )
                *args, sens = args
                target = lambda *inputs: _weighted_sum(fn(*inputs), sens)  # noqa: E731
            if self.get_all:  # every Tensor input (None or a number passed along has none)
                position: Any = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
            else:
                position = None if self.get_by_list else 0
            if position is None and not params:  # no weights (a net without Parameters)
                target(*args)
                return ()
            grads = grad(target, grad_position=position, weights=params)(*args)
            if isinstance(position, tuple) and len(position) == 1:  # get_all: always a tuple
                return ((grads[0],), grads[1]) if params else (grads,)
            return grads

        return grad_fn


class HookBackward:
    """``HookBackward(hook_fn)(x, ...)`` returns its inputs unchanged; when a gradient flows back
    through one, ``hook_fn(grad)`` sees it, and a value it returns replaces it (MindSpore's
    ``ops.HookBackward``, for printing or editing gradients)."""

    def __init__(self, hook_fn: Callable[[Tensor], Any], cell_id: str = "") -> None:
        if not callable(hook_fn):
            raise MindTypeError(
                f"For 'HookBackward', 'hook_fn' must be callable, got {type(hook_fn).__name__}"
            )
        self.hook_fn, self.cell_id = hook_fn, cell_id

    def __call__(self, *inputs: Any) -> Any:
        if not inputs:
            raise MindValueError("For 'HookBackward', give at least one input")
        outs = tuple(self._watch(as_tensor(x)) for x in inputs)
        return outs[0] if len(outs) == 1 else outs

    def _watch(self, x: Tensor) -> Tensor:
        if not STATE.recording:
            return x

        def rule(x: Tensor, out: Tensor, dout: Tensor) -> tuple:
            changed = self.hook_fn(dout)
            if isinstance(changed, tuple | list):
                changed = changed[0]
            return (dout if changed is None else as_tensor(changed),)

        return with_backward([x], x, rule)


class InsertGradientOf:
    """``InsertGradientOf(f)(x)`` is ``x``; the gradient flowing back through it becomes
    ``f(gradient)`` (MindSpore's ``ops.InsertGradientOf``, e.g. to clip one tensor's gradient)."""

    def __init__(self, f: Callable[[Tensor], Any]) -> None:
        if not callable(f):
            raise MindTypeError(
                f"For 'InsertGradientOf', 'f' must be callable, got {type(f).__name__}"
            )
        self.f = f

    def __call__(self, x: Any) -> Any:
        x = as_tensor(x)
        if not STATE.recording:
            return x
        return with_backward([x], x, lambda x, out, dout: (as_tensor(self.f(dout)),))


def _weighted_sum(out: Any, sens: Any) -> Tensor:
    """``<out, sens>`` over matching Tensors (tuples and lists of them too)."""
    if isinstance(out, tuple | list):
        if not isinstance(sens, tuple | list) or len(sens) != len(out):
            raise MindValueError(
                f"For 'GradOperation', the sensitivity must match the output's structure "
                f"({len(out)} outputs)"
            )
        total = None
        for o, s in zip(out, sens):
            term = _weighted_sum(o, s)
            total = term if total is None else total + term
        return total
    sens = as_tensor(sens)
    if sens.dtype.kind == "c":  # a complex sensitivity is dL/dx + i dL/dy: the tape pairs conj
        from mind.core._src.ops.complex_ops import conj

        sens = conj(sens)
    return (out * sens).sum()


def _outputs(out: Any, what: str) -> tuple[tuple[Tensor, ...], bool]:
    """A function's output as a tuple of Tensors, and whether it was one Tensor."""
    if isinstance(out, Tensor):
        return (out,), True
    if isinstance(out, tuple | list) and out and all(isinstance(o, Tensor) for o in out):
        return tuple(out), False
    raise MindTypeError(
        f"For '{what}', the function must return a Tensor or a tuple of Tensors, got "
        f"{type(out).__name__}"
    )


def _zeros_like(value: Tensor) -> Tensor:
    dtype = value.asnumpy().dtype if isinstance(value._data, np.ndarray) else value.dtype.np
    return Tensor(np.zeros(value.shape, dtype))


def vjp(
    fn: Callable[..., Any], *primals: Any, has_aux: bool = False
) -> tuple[Any, Callable[..., Any]]:
    """``(fn(*primals), vjp_fn)``, and ``aux`` third with ``has_aux`` (``fn`` then returns
    ``(output, aux)``); ``vjp_fn(*cotangents)`` (one per output of ``fn``, which may return a
    tuple of Tensors) is the tuple of input cotangents, one per input even for one input, as
    ``mindspore.vjp``."""
    primals = _tensors(primals, "vjp", complex_ok=True)
    value = fn(*primals)
    aux = None
    if has_aux:
        value, aux = value
    outs, single = _outputs(value, "vjp")
    positions = tuple(range(len(primals)))

    def vjp_fn(*cotangents: Any) -> Any:
        if len(cotangents) == 1 and isinstance(cotangents[0], tuple | list) and not single:
            cotangents = tuple(cotangents[0])
        if len(cotangents) != len(outs):
            raise MindValueError(
                f"For 'vjp', give one cotangent per output ({len(outs)}), got {len(cotangents)}"
            )
        cots = [as_tensor(c, o.dtype) for c, o in zip(cotangents, outs)]
        for c, o in zip(cots, outs):
            if c.shape != o.shape:
                raise MindValueError(
                    f"For 'vjp', the cotangent's shape {c.shape} must be the output's {o.shape}"
                )

        def weighted(*xs):
            out = fn(*xs)
            ys, _ = _outputs(out[0] if has_aux else out, "vjp")
            total = None
            for y, c in zip(ys, cots):
                term = _weighted_sum(y, c)  # a complex cotangent as a sensitivity
                total = term if total is None else total + term
            return total

        grads = grad(weighted, positions)(*primals)
        return grads if isinstance(grads, tuple) else (grads,)

    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jvp(fn: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(fn(*primals), J @ tangents)``: the directional derivative, as ``mindspore.jvp``; for a
    function returning a tuple of Tensors, both are tuples (one entry per output)."""
    primals = _tensors(primals if isinstance(primals, tuple | list) else (primals,), "jvp")
    tangents = _tensors(tangents if isinstance(tangents, tuple | list) else (tangents,), "jvp")
    if len(primals) != len(tangents) or any(p.shape != t.shape for p, t in zip(primals, tangents)):
        raise MindValueError(
            f"For 'jvp', tangents {[t.shape for t in tangents]} must match primals {[p.shape for p in primals]}"
        )
    value = fn(*primals)
    outs, single = _outputs(value, "jvp")
    n, m = len(primals), len(outs)

    def pairing(*us_xs: Tensor) -> Tensor:
        # <vjp_x(u), tangents> is linear in u; its gradient in u is J @ tangents.
        us, xs = us_xs[:m], us_xs[m:]

        def weighted(*ys):
            total = None
            for y, u in zip(_outputs(fn(*ys), "jvp")[0], us):
                term = (y * u).sum()
                total = term if total is None else total + term
            return total

        cots = grad(weighted, tuple(range(n)) if n > 1 else 0)(*xs)
        cots = cots if isinstance(cots, tuple) else (cots,)
        total = None
        for c, t in zip(cots, tangents):
            term = (c * t).sum()
            total = term if total is None else total + term
        return total

    u0 = [_zeros_like(o) for o in outs]
    derivative = grad(pairing, 0 if single else tuple(range(m)))(*u0, *primals)
    return value, derivative


# ------------------------------------------------------------------------------------------------
# Higher-order forward mode: jet and derivative
# ------------------------------------------------------------------------------------------------
def jet(fn: Callable[..., Any], primals: Any, series: Any) -> tuple[Any, Any]:
    """The first ``n`` derivatives of ``fn`` along a curve through ``primals`` (Taylor-mode
    forward differentiation, MindSpore's ``ops.jet``).

    ``series`` gives, for each primal ``x``, the curve's derivatives ``x', x'', ...`` stacked on
    a leading axis of length ``n`` (a Tensor of ``x``'s own shape is one term): the curve is
    ``x(t) = x + x' t + x'' t**2 / 2! + ...``. The result is ``(fn(*primals), out_series)``, where
    ``out_series[k - 1]`` is the ``k``-th derivative of ``fn(x(t))`` in ``t`` at ``t = 0``
    (``x' = 1`` and the rest 0 give the ``k``-th derivatives of an elementwise ``fn``). For a
    ``fn`` returning a tuple, both are lists, one entry per output. Integer primals are
    computed in float32.

    The ``k``-th term costs ``k + 1`` nested gradients of ``fn``: meant for small ``n``.

    >>> x = Tensor([0.5, 1.0])
    >>> value, terms = jet(ops.exp, x, Tensor([[1.0, 1.0], [0.0, 0.0]]))  # exp(x), twice

    Supported devices: every device (it is made of ``grad``), PyNative mode and ``jit``.
    """
    primals, series = _jet_inputs(primals, series, "jet")
    value, terms, single = _taylor(fn, primals, series, series[0].shape[0], "jet")
    if single:
        return value, stack(terms[0], 0)
    return list(value), [stack(ts, 0) for ts in terms]


def derivative(fn: Callable[..., Any], primals: Any, order: int) -> tuple[Any, Any]:
    """``(fn(*primals), d)``: ``d`` the ``order``-th derivative of ``fn`` along the direction of
    all ones in every input (MindSpore's ``ops.derivative``: a :func:`jet` whose series is 1
    then zeros), e.g. the ``order``-th derivative of an elementwise ``fn``. For a ``fn``
    returning a tuple, both are lists, one entry per output. Integer primals are computed in
    float32.

    >>> value, d3 = derivative(ops.sin, Tensor([0.0, 1.0]), 3)   # sin(x), -cos(x)

    Supported devices: every device (it is made of ``grad``), PyNative mode and ``jit``.
    """
    if isinstance(order, bool) or not isinstance(order, int):
        raise MindTypeError(f"For 'derivative', 'order' must be an int, got {type(order).__name__}")
    if order < 1:
        raise MindValueError(f"For 'derivative', 'order' must be at least 1, got {order}")
    many = isinstance(primals, tuple | list)
    xs = tuple(
        _jet_float(as_tensor(p), "derivative", "primals") for p in (primals if many else (primals,))
    )
    series = []
    for x in xs:
        s = np.zeros((order,) + x.shape, x.dtype.np)
        s[0] = 1
        series.append(Tensor.from_numpy(s))
    value, terms, single = _taylor(fn, xs, tuple(series), order, "derivative")
    if single:
        return value, terms[0][-1]
    return list(value), [ts[-1] for ts in terms]


def _jet_float(x: Tensor, what: str, name: str) -> Tensor:
    if x.dtype in (dt.int32, dt.int64):
        return cast(x, dt.float32)
    if not x.dtype.is_floating_point:
        raise MindTypeError(
            f"For '{what}', the {name} must be floating-point, int32 or int64 tensors, got "
            f"{x.dtype}"
        )
    return x


def _jet_inputs(primals: Any, series: Any, what: str) -> tuple[tuple, tuple]:
    """The primals and series of :func:`jet` as matching tuples, each series ``(n, *shape)``."""
    many = isinstance(primals, tuple | list)
    if many != isinstance(series, tuple | list) or not (many or isinstance(primals, Tensor)):
        raise MindTypeError(
            f"For '{what}', 'primals' and 'series' must both be Tensors or both tuples of "
            f"Tensors, got {type(primals).__name__} and {type(series).__name__}"
        )
    ps = tuple(primals) if many else (primals,)
    ss = tuple(series) if many else (series,)
    if not ps or len(ps) != len(ss):
        raise MindValueError(
            f"For '{what}', give one series per primal: {len(ps)} primals, {len(ss)} series"
        )
    out_p, out_s = [], []
    for i, (p, s) in enumerate(zip(ps, ss)):
        p, s = as_tensor(p), as_tensor(s)
        if p.dtype is not s.dtype:
            raise MindTypeError(
                f"For '{what}', primal {i} and its series must have the same dtype, got "
                f"{p.dtype} and {s.dtype}"
            )
        if s.shape == p.shape:  # one term
            s = expand_dims(s, 0)
        if s.ndim == 0 or s.shape[1:] != p.shape or s.shape[0] == 0:
            raise MindValueError(
                f"For '{what}', series {i} must have shape (n, *{p.shape}) (one row per "
                f"derivative), got {s.shape}"
            )
        out_p.append(_jet_float(p, what, "primals"))
        out_s.append(_jet_float(s, what, "series"))
    if len({s.shape[0] for s in out_s}) != 1:
        raise MindValueError(
            f"For '{what}', every series must have the same number of terms, got "
            f"{[s.shape[0] for s in out_s]}"
        )
    return tuple(out_p), tuple(out_s)


def _taylor(
    fn: Callable[..., Any], primals: tuple, series: tuple, order: int, what: str
) -> tuple[Any, list[list[Tensor]], bool]:
    """``fn(*primals)``, and for each output its derivatives of order 1..``order`` along the curve
    ``x(t) = x + sum_k series[k-1] t**k / k!``.

    The ``k``-th derivative of output ``y`` is ``grad_u d^k/dt^k <y(x(t)), u>`` at ``t = 0``:
    ``k`` gradients in the scalar ``t``, then one in the cotangent ``u`` (on which it depends
    linearly, so any ``u`` will do), as :func:`jvp` takes one. Nesting :func:`jvp` ``k`` times
    would cost ``2k`` nested gradients instead."""
    value = fn(*primals)
    outs, single = _outputs(value, what)
    m = len(outs)
    t0 = Tensor(np.zeros((), primals[0].dtype.np))

    def along(t: Tensor) -> tuple[Tensor, ...]:
        xs = []
        for x, s in zip(primals, series):
            tt = t if t.dtype is x.dtype else cast(t, x.dtype)
            power, point = None, x
            for k in range(order):  # t**(k+1) / (k+1)!, by products: no pow at t = 0
                power = tt if power is None else power * tt / (k + 1)
                point = point + s[k] * power
            xs.append(point)
        return _outputs(fn(*xs), what)[0]

    def pairing(t: Tensor, *us: Tensor) -> Tensor:
        total = None
        for y, u in zip(along(t), us):
            term = (y * u).sum()
            total = term if total is None else total + term
        return total

    us = [_zeros_like(o) for o in outs]
    terms: list[list[Tensor]] = [[] for _ in range(m)]
    d = pairing
    for _ in range(order):
        d = grad(d, 0)  # one more derivative in t
        got = grad(d, tuple(range(1, m + 1)))(t0, *us)
        for j in range(m):
            terms[j].append(got[j] if isinstance(got, tuple) else got)
    return value, terms, single


def _basis(shape: tuple[int, ...], dtype: Any) -> list[Tensor]:
    size = int(np.prod(shape)) if shape else 1
    eye = np.eye(size, dtype=dtype)
    return [Tensor.from_numpy(eye[i].reshape(shape)) for i in range(size)]


def jacrev(
    fn: Callable[..., Any], grad_position: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: one vjp per output element, as ``mindspore.jacrev``.

    Each block has shape ``out.shape + in.shape``; a tuple ``grad_position`` gives a tuple of
    blocks (one per input), a function returning a tuple gives a tuple over its outputs of
    those (``jac[i][j]``: output ``i``, input ``j``). With ``has_aux`` only the first output is
    differentiated and the call returns ``(jacobian, aux)``, ``aux`` the second output (the
    rest, as a tuple, when there are more)."""
    return _jacobian(fn, grad_position, has_aux, "jacrev", forward=False)


def jacfwd(
    fn: Callable[..., Any], grad_position: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The Jacobian by forward mode: one jvp per input element, as ``mindspore.jacfwd``; the
    same structure as :func:`jacrev`."""
    return _jacobian(fn, grad_position, has_aux, "jacfwd", forward=True)


def _jacobian(fn: Any, grad_position: Any, has_aux: bool, name: str, forward: bool) -> Any:
    single = isinstance(grad_position, int)
    positions = (grad_position,) if single else tuple(grad_position)
    if not positions or not all(isinstance(p, int) for p in positions):
        raise MindTypeError(
            f"For '{name}', 'grad_position' must be an int or a non-empty tuple of ints, "
            f"got {grad_position!r}"
        )

    def jac(*args: Any) -> Any:
        for p in positions:
            if not -len(args) <= p < len(args):
                raise MindValueError(
                    f"For '{name}', 'grad_position' {p} is out of range for {len(args)} inputs"
                )
        xs = [as_tensor(args[p]) for p in positions]
        aux: list = []

        def at(*vs: Tensor) -> Any:
            full = list(args)
            for p, v in zip(positions, vs):
                full[p] = v
            out = fn(*full)
            if has_aux:
                if not isinstance(out, tuple | list) or len(out) < 2:
                    raise MindValueError(
                        f"For '{name}', has_aux=True needs 'fn' to return more than one output"
                    )
                aux[:] = [out[1] if len(out) == 2 else tuple(out[1:])]
                out = out[0]
            return out

        value = at(*xs)
        outs = tuple(value) if isinstance(value, tuple | list) else (value,)
        blocks = []
        for i, o in enumerate(outs):

            def part(*vs: Tensor, i: int = i) -> Tensor:
                out = at(*vs)
                return out[i] if isinstance(out, tuple | list) else out

            row = _forward_row(part, xs, o) if forward else _reverse_row(part, xs, o)
            blocks.append(row[0] if single else tuple(row))
        result = tuple(blocks) if isinstance(value, tuple | list) else blocks[0]
        return (result, aux[0]) if has_aux else result

    return jac


def _reverse_row(f: Callable[..., Tensor], xs: list[Tensor], out: Tensor) -> list[Tensor]:
    """d out / d x for each of ``xs``: one gradient per element of ``out``."""
    everything = tuple(range(len(xs)))
    rows = [
        grad(lambda *vs, e=e: (f(*vs) * e).sum(), everything)(*xs)
        for e in _basis(out.shape, out.dtype.np)
    ]
    rows = [r if isinstance(r, tuple) else (r,) for r in rows]
    return [reshape(stack([r[j] for r in rows], 0), out.shape + x.shape) for j, x in enumerate(xs)]


def _forward_row(f: Callable[..., Tensor], xs: list[Tensor], out: Tensor) -> list[Tensor]:
    """d out / d x for each of ``xs``: one jvp per element of each ``x``."""
    zeros = [Tensor(np.zeros(x.shape, x.dtype.np)) for x in xs]
    row = []
    for j, x in enumerate(xs):
        columns = [
            jvp(f, tuple(xs), tuple(e if k == j else z for k, z in enumerate(zeros)))[1]
            for e in _basis(x.shape, x.dtype.np)
        ]
        cols = stack(columns, 0)  # in.size x out.shape
        moved = transpose(cols, tuple(range(1, cols.ndim)) + (0,))
        row.append(reshape(moved, out.shape + x.shape))
    return row


def grad_graph(graph: Any, grad_position: Sequence[int] | None = None) -> Any:
    """The MindIR graph computing ``(value, gradients)`` of a one-output ``graph``: a
    graph-to-graph transform. Gradients are taken with respect to the parameters at
    ``grad_position`` (default: all of them); the result's outputs are the value, then one
    gradient per chosen parameter."""

    if len(graph.outputs) != 1:
        raise MindValueError(
            f"For 'grad_graph', graph {graph.name} must have one output, it has {len(graph.outputs)}"
        )
    positions = (
        tuple(range(len(graph.parameters))) if grad_position is None else tuple(grad_position)
    )

    def replay(*args: Tensor) -> Tensor:
        return replay_graph(graph, list(args))[0]

    replay.__name__ = f"grad_{graph.name}"
    examples = [Tensor(np.zeros(p.aval.shape, p.aval.dtype.np)) for p in graph.parameters]
    traced = JitFunction(value_and_grad(replay, positions), f"grad_{graph.name}")
    return traced.graph(*examples)
