"""Control flow on tensor values: ``cond``, ``while_loop``, ``fori_loop``, ``scan``.

In PyNative mode they run as Python control flow on the values. Inside ``jit``:

- ``cond`` evaluates both branches and selects with ``where`` (branches must be pure and return the
  same structure of shapes); gradients flow through the selected branch.
- ``fori_loop`` and ``scan`` with Python-int bounds unroll into the graph.
- ``while_loop`` needs a value to decide when to stop, so inside ``jit`` it raises and says to use
  ``fori_loop`` with a static trip count; it is forward-only (no gradient) in either mode.

Nested graphs (a compiled cond or loop that runs only the taken branch) come with the next
compiler step; the signatures will not change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.ops.dispatch import STATE
from mind.core._src.ops.elementwise import where
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindError, MindTypeError, MindValueError

__all__ = ["cond", "fori_loop", "scan", "while_loop"]


def _traced(t: Tensor) -> bool:
    return not isinstance(t._data, np.ndarray | np.generic)


def _tree_map(fn: Callable[..., Any], a: Any, b: Any, where_: str) -> Any:
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            raise MindTypeError(f"For 'cond', both branches must return a Tensor at {where_}")
        if a.shape != b.shape:
            raise MindValueError(
                f"For 'cond', the branches return shapes {a.shape} and {b.shape} at {where_}"
            )
        return fn(a, b)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list) and len(a) == len(b):
        return type(a)(_tree_map(fn, x, y, f"{where_}[{i}]") for i, (x, y) in enumerate(zip(a, b)))
    raise MindTypeError(f"For 'cond', the branches return different structures at {where_}")


def cond(
    pred: Any, true_fun: Callable[..., Any], false_fun: Callable[..., Any], *operands: Any
) -> Any:
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``; ``pred`` a scalar bool
    tensor (or Python bool)."""
    if isinstance(pred, bool):
        return (true_fun if pred else false_fun)(*operands)
    pred = as_tensor(pred)
    if pred.size != 1:
        raise MindValueError(f"For 'cond', 'pred' must have one element, got shape {pred.shape}")
    if not _traced(pred):
        return (true_fun if bool(pred._data.reshape(())) else false_fun)(*operands)
    from mind.core._src.ops.array import reshape
    from mind.core._src.ops.elementwise import cast

    flag = cast(reshape(pred, ()), "bool")
    return _tree_map(
        lambda a, b: where(flag, a, b), true_fun(*operands), false_fun(*operands), "output"
    )


def while_loop(
    cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
) -> Any:
    """Repeat ``val = body_fun(val)`` while ``cond_fun(val)``; forward-only."""
    if STATE.recording:
        raise MindError(
            "while_loop cannot be differentiated (its trip count depends on values); use fori_loop "
            "with a fixed number of iterations"
        )
    val = init_val
    while True:
        flag = cond_fun(val)
        flag_t = as_tensor(flag) if not isinstance(flag, bool) else None
        if flag_t is not None and _traced(flag_t):
            from mind.core._src.ir.trace import GraphModeError, user_location

            raise GraphModeError(
                f"{user_location()}: while_loop inside jit needs its condition's value while tracing; "
                "use fori_loop with a Python-int trip count, or run the loop outside jit"
            )
        if not (flag if flag_t is None else bool(flag_t._data.reshape(()))):
            return val
        val = body_fun(val)


def fori_loop(
    lower: int, upper: int, body_fun: Callable[[int, Any], Any], init_val: Any, unroll: Any = None
) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; bounds are Python ints, so the
    loop unrolls inside ``jit`` and is differentiable."""
    if not (isinstance(lower, int) and isinstance(upper, int)):
        raise MindTypeError(
            f"For 'fori_loop', 'lower' and 'upper' must be Python ints, got {lower!r} and {upper!r}"
        )
    val = init_val
    for i in range(lower, upper):
        val = body_fun(i, val)
    return val


def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any,
    length: int | None = None,
    reverse: bool = False,
    unroll: int = 1,
) -> tuple[Any, Any]:
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the final carry and the
    ``y`` values stacked. Differentiable; unrolls inside ``jit``."""
    from mind.core._src.ops.array import getitem, stack

    if xs is None:
        if length is None:
            raise MindValueError("For 'scan', give 'xs' or 'length'")
        steps = [None] * length
    else:
        xs = as_tensor(xs)
        n = xs.shape[0] if length is None else length
        if n != xs.shape[0]:
            raise MindValueError(
                f"For 'scan', 'length' {length} differs from xs's leading axis {xs.shape[0]}"
            )
        steps = [getitem(xs, i) for i in range(n)]
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    carry, ys = init, [None] * len(steps)
    for i in order:
        carry, ys[i] = f(carry, steps[i])
    if not ys or ys[0] is None:
        return carry, None
    return carry, stack(ys, 0)
