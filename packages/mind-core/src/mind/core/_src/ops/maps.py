"""MindSpore's ``Map`` and ``HyperMap`` (``ops.composite``): a function applied across the
elements of sequences, one level deep (``Map``) or through nested tuples and lists
(``HyperMap``), as optimizers apply their update to every (weight, gradient) pair."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from mind.core.errors import MindTypeError, MindValueError

__all__ = ["HyperMap", "Map", "MultitypeFuncGraph", "Partial", "partial"]


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


# MindSpore's type names for MultitypeFuncGraph.register, each a test on a Python value, and how
# specific it is (a more specific registration wins over a broader one that also matches).
@functools.cache
def _type_tests() -> dict[str, tuple[int, Callable[[Any], bool]]]:
    from mind.core._src.ops.sparse import COOTensor, CSRTensor, RowTensor
    from mind.core._src.tensor.tensor import Tensor

    return {
        "Tensor": (2, lambda v: isinstance(v, Tensor)),
        "Bool": (3, lambda v: isinstance(v, bool)),
        "Int": (2, lambda v: isinstance(v, int) and not isinstance(v, bool)),
        "Float": (2, lambda v: isinstance(v, float)),
        "Number": (1, lambda v: isinstance(v, int | float | complex)),
        "String": (2, lambda v: isinstance(v, str)),
        "Tuple": (2, lambda v: isinstance(v, tuple)),
        "List": (2, lambda v: isinstance(v, list)),
        "Dict": (2, lambda v: isinstance(v, dict)),
        "None": (2, lambda v: v is None),
        "Function": (1, callable),
        "RowTensor": (3, lambda v: isinstance(v, RowTensor)),
        "COOTensor": (3, lambda v: isinstance(v, COOTensor)),
        "CSRTensor": (3, lambda v: isinstance(v, CSRTensor)),
        "Undetermined": (0, lambda v: True),
    }


class MultitypeFuncGraph:
    """MindSpore's ``ops.MultitypeFuncGraph``: one name, several functions chosen by the types
    of the arguments (MindSpore's type names: ``"Tensor"``, ``"Number"``, ``"Int"``,
    ``"Float"``, ``"Bool"``, ``"String"``, ``"Tuple"``, ``"List"``, ``"Dict"``, ``"None"``,
    ``"Function"``, the sparse tensors; a dtype-module type such as ``mstype.tensor_type`` by
    its name). Optimizers use it with ``HyperMap`` and ``partial``:

    >>> from mind.core import Tensor, ops
    >>> scale = ops.MultitypeFuncGraph("scale")
    >>> @scale.register("Number", "Tensor")
    ... def _(k, x):
    ...     return x * k
    >>> ops.HyperMap(ops.partial(scale, 2.0))((Tensor([1.0]), Tensor([3.0])))[1].asnumpy()
    array([6.], dtype=float32)
    """

    def __init__(self, name: str, read_value: bool = False, doc_url: str = "") -> None:
        self.name, self.read_value = name, read_value
        self.entries: list[tuple[tuple[str, ...], Callable[..., Any]]] = []

    def register(self, *type_names: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated function for arguments of these types."""
        names = tuple(_type_name(t) for t in type_names)
        unknown = [n for n in names if n not in _type_tests()]
        if unknown:
            raise MindTypeError(
                f"For MultitypeFuncGraph '{self.name}', unknown type names {unknown}; known: "
                f"{sorted(_type_tests())}"
            )

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.entries.append((names, fn))
            return fn

        return decorator

    def __call__(self, *args: Any) -> Any:
        tests = _type_tests()
        best, best_score = None, -1
        for names, fn in self.entries:
            if len(names) != len(args):
                continue
            if all(tests[n][1](a) for n, a in zip(names, args, strict=True)):
                score = sum(tests[n][0] for n in names)
                if score > best_score:
                    best, best_score = fn, score
        if best is None:
            got = ", ".join(type(a).__name__ for a in args)
            registered = "; ".join(", ".join(names) for names, _ in self.entries) or "none"
            raise MindTypeError(
                f"For MultitypeFuncGraph '{self.name}', no function is registered for "
                f"arguments ({got}); registered: {registered}"
            )
        return best(*args)


def _type_name(t: Any) -> str:
    if isinstance(t, str):
        return t
    name = getattr(t, "__name__", None) or type(t).__name__
    return {"tensor_type": "Tensor", "TensorType": "Tensor", "number": "Number"}.get(
        name, name[:1].upper() + name[1:]
    )


def partial(fn: Callable[..., Any], *args: Any) -> Callable[..., Any]:
    """MindSpore's ``F.partial``: ``fn`` with its first arguments bound."""
    if not callable(fn):
        raise MindTypeError(f"For 'partial', the function must be callable, got {type(fn)}")
    return functools.partial(fn, *args)


class Partial:
    """MindSpore's ``P.Partial()``: ``Partial()(fn, *args)`` is ``partial(fn, *args)``."""

    def __call__(self, fn: Callable[..., Any], *args: Any) -> Callable[..., Any]:
        return partial(fn, *args)
