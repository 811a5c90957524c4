"""MindSpore's ``Map`` and ``HyperMap`` (``ops.composite``): a function applied across the
elements of sequences, one level deep (``Map``) or through nested tuples and lists
(``HyperMap``), as optimizers apply their update to every (weight, gradient) pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mind.core.errors import MindTypeError, MindValueError

__all__ = ["HyperMap", "Map"]


class Map:
    """``Map(fn)(xs, ys, ...)`` is ``tuple(fn(x, y, ...) for x, y, ... in zip(xs, ys, ...))``
    (a list when the first sequence is a list); ``Map()(fn, xs, ...)`` takes ``fn`` per call.
    ``reverse=True`` applies ``fn`` from the last element to the first (the order of its side
    effects); the result keeps the elements' order."""

    nested = False

    def __init__(self, ops: Callable[..., Any] | None = None, reverse: bool = False) -> None:
        if ops is not None and not callable(ops):
            raise MindTypeError(
                f"For '{type(self).__name__}', 'ops' must be callable, got {type(ops).__name__}"
            )
        self.ops, self.reverse = ops, bool(reverse)

    def __call__(self, *args: Any) -> Any:
        fn = self.ops
        if fn is None:
            if not args or not callable(args[0]):
                raise MindTypeError(
                    f"For '{type(self).__name__}' built without 'ops', the first argument must "
                    "be the function to apply"
                )
            fn, args = args[0], args[1:]
        if not args:
            raise MindValueError(f"For '{type(self).__name__}', expected at least one sequence")
        return self._apply(fn, args, "")

    def _apply(self, fn: Callable[..., Any], args: tuple, where: str) -> Any:
        name = type(self).__name__
        sequences = [isinstance(a, tuple | list) for a in args]
        if not any(sequences):
            if not self.nested:
                raise MindTypeError("For 'Map', the arguments must be tuples or lists")
            return fn(*args)
        if not all(sequences):
            raise MindTypeError(
                f"For '{name}', the arguments{where} mix sequences and other values: "
                f"{[type(a).__name__ for a in args]}"
            )
        if len({len(a) for a in args}) != 1:
            raise MindValueError(
                f"For '{name}', the sequences{where} must have one length, got "
                f"{[len(a) for a in args]}"
            )
        order = range(len(args[0]))
        results: dict[int, Any] = {}
        for k in reversed(order) if self.reverse else order:
            items = tuple(a[k] for a in args)
            results[k] = self._apply(fn, items, f"{where}[{k}]") if self.nested else fn(*items)
        out = [results[k] for k in order]
        return out if isinstance(args[0], list) else tuple(out)


class HyperMap(Map):
    """``Map`` through nested tuples and lists: ``fn`` applies to the leaves, which must sit
    at the same places in every argument. A non-sequence argument is ``fn`` applied to it."""

    nested = True
