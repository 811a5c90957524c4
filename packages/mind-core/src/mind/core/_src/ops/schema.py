"""Attribute schemas: what each primitive's attributes must be, declared beside its definition.

Right under a primitive's definition, one line says what each of its attributes may hold::

    attr_schema(max_pool2d_p, kernel=S.Ints(2, lo=1), stride=S.Ints(2, lo=1), pads=S.Ints(4, lo=0))

The table, :data:`ATTR_SCHEMAS`, is keyed by the primitive object like every other rule table.
The MindIR verifier (:meth:`FuncGraph.verify`, and the ``.mindir`` loader before any node is
built) checks each node with :func:`check_node`: its number of inputs against its inference rule's
signature, tuple values only into ``tuple_getitem``, and its attributes against the schema (no
unknown or missing names, each value of the declared type, length and range). Eager dispatch never
calls any of this: the op functions build their attributes from checked Python arguments.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from mind.core._src.ops.dispatch import AbstractTuple, Primitive
from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindValueError

__all__ = [
    "ATTR_SCHEMAS",
    "Bool",
    "DType",
    "Either",
    "Graph",
    "Index",
    "Int",
    "Ints",
    "Number",
    "Opt",
    "Pairs",
    "Str",
    "arity",
    "attr_schema",
    "check_node",
]

#: A shape entry or an axis count is never more than this (MindIR's element limit).
MAX_SIZE = 2**32
#: At most this many entries in a shape-like tuple (MindIR's axis limit, with room for an index).
MAX_LEN = 64


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _range(lo: Any, hi: Any) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo}, {hi}]"
    if lo is not None:
        return f" >= {lo}"
    return f" <= {hi}" if hi is not None else ""


class Check:
    """One attribute's rule: ``ok(value)`` and the phrase ``describe()`` for the message."""

    def ok(self, value: Any) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class Bool(Check):
    def ok(self, value: Any) -> bool:
        return isinstance(value, bool | np.bool_)

    def describe(self) -> str:
        return "a bool"


class Int(Check):
    """An int (not a bool) in ``[lo, hi]``; by default within int64."""

    def __init__(self, lo: int | None = None, hi: int | None = None) -> None:
        self.lo, self.hi = lo, hi

    def ok(self, value: Any) -> bool:
        if not _is_int(value):
            return False
        lo = -(2**63) if self.lo is None else self.lo
        hi = 2**63 - 1 if self.hi is None else self.hi
        return lo <= int(value) <= hi

    def describe(self) -> str:
        return "an int" + _range(self.lo, self.hi)


class Number(Check):
    """A finite int or float (not a bool unless ``bool_ok``) in ``[lo, hi]``."""

    def __init__(self, lo: float | None = None, hi: float | None = None, bool_ok: bool = False):
        self.lo, self.hi, self.bool_ok = lo, hi, bool_ok

    def ok(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_):
            return self.bool_ok
        if not isinstance(value, int | float | np.integer | np.floating):
            return False
        if isinstance(value, float | np.floating) and not math.isfinite(value):
            return False
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)

    def describe(self) -> str:
        return "a finite number" + _range(self.lo, self.hi)


class Str(Check):
    def __init__(self, *choices: str) -> None:
        self.choices = choices

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.choices

    def describe(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)


_MAX_TEXT = 1 << 12


class Text(Check):
    """Any str (of at most 4096 characters), or with ``parts`` a tuple of them and None."""

    def __init__(self, parts: bool = False) -> None:
        self.parts = parts

    def ok(self, value: Any) -> bool:
        if self.parts:
            return (
                isinstance(value, tuple)
                and len(value) <= _MAX_TEXT
                and all(v is None or (isinstance(v, str) and len(v) <= _MAX_TEXT) for v in value)
            )
        return isinstance(value, str) and len(value) <= _MAX_TEXT

    def describe(self) -> str:
        return "a tuple of str and None" if self.parts else "a str"


class Ints(Check):
    """A tuple of ints in ``[lo, hi]``: exactly ``n`` of them when given (else at most
    :data:`MAX_LEN`), all different when ``unique``."""

    def __init__(
        self,
        n: int | None = None,
        lo: int | None = None,
        hi: int | None = MAX_SIZE,
        unique: bool = False,
    ) -> None:
        self.n, self.unique, self.item = n, unique, Int(lo, hi)

    def ok(self, value: Any) -> bool:
        # A tuple, never a list: numpy reads a list as an array (``axis=[1]`` is a TypeError).
        if not isinstance(value, tuple):
            return False
        if (len(value) != self.n) if self.n is not None else len(value) > MAX_LEN:
            return False
        if not all(self.item.ok(v) for v in value):
            return False
        return not self.unique or len({int(v) for v in value}) == len(value)

    def describe(self) -> str:
        count = f"{self.n} " if self.n is not None else ""
        unique = " all different" if self.unique else ""
        hi = None if self.item.hi == MAX_SIZE else self.item.hi
        return f"a tuple of {count}ints{_range(self.item.lo, hi)}{unique}"


class Pairs(Check):
    """A tuple of ``(low, high)`` int pairs, one per axis (``pad``'s ``pads``)."""

    def __init__(self, lo: int | None = 0) -> None:
        self.pair = Ints(2, lo=lo)

    def ok(self, value: Any) -> bool:
        return (
            isinstance(value, tuple)
            and len(value) <= MAX_LEN
            and all(self.pair.ok(p) for p in value)
        )

    def describe(self) -> str:
        return f"a tuple of pairs of ints{_range(self.pair.item.lo, None)}, one per axis"


class Opt(Check):
    """``None`` or what ``check`` allows."""

    def __init__(self, check: Check) -> None:
        self.check = check

    def ok(self, value: Any) -> bool:
        return value is None or self.check.ok(value)

    def describe(self) -> str:
        return f"None or {self.check.describe()}"


class Either(Check):
    def __init__(self, *checks: Check) -> None:
        self.checks = checks

    def ok(self, value: Any) -> bool:
        return any(c.ok(value) for c in self.checks)

    def describe(self) -> str:
        return " or ".join(c.describe() for c in self.checks)


class DType(Check):
    """A Mind dtype, or its name (``"float32"``)."""

    def ok(self, value: Any) -> bool:
        if isinstance(value, dt.DType):
            return True
        return isinstance(value, str) and value in dt._BY_NAME

    def describe(self) -> str:
        return "a Mind dtype name"


class Graph(Check):
    """A nested :class:`FuncGraph` (control flow's branches and bodies)."""

    def ok(self, value: Any) -> bool:
        from mind.core._src.ir.graph import FuncGraph

        return isinstance(value, FuncGraph)

    def describe(self) -> str:
        return "a graph"


class Index(Check):
    """A tensor index: an int, a slice of ints, None, Ellipsis, an int or bool array, or a
    tuple of these."""

    @staticmethod
    def _one(v: Any) -> bool:
        if v is None or v is Ellipsis or isinstance(v, bool | np.bool_) or _is_int(v):
            return True
        if isinstance(v, slice):
            return all(p is None or _is_int(p) for p in (v.start, v.stop, v.step)) and (v.step != 0)
        if isinstance(v, np.ndarray):
            return v.dtype.kind in "biu" and v.ndim <= 32
        return False

    def ok(self, value: Any) -> bool:
        if isinstance(value, tuple):
            return len(value) <= MAX_LEN and all(self._one(v) for v in value)
        return self._one(value)

    def describe(self) -> str:
        return "an index (ints, slices with a non-zero step, None, ..., int or bool arrays)"


#: ``{primitive: {attribute name: Check}}`` for every primitive that has attributes.
ATTR_SCHEMAS: dict[Primitive, dict[str, Check]] = {}

#: Shared rules, so that one kind of attribute reads the same everywhere.
AXES = Opt(Either(Int(), Ints(unique=True)))
SHAPE = Ints(lo=0)


def attr_schema(prim: Primitive, **checks: Check) -> None:
    """Declare the schema of ``prim``'s attributes; it must name exactly ``prim.attrs``."""
    if set(checks) != set(prim.attrs):
        raise MindValueError(
            f"For 'attr_schema', the schema of primitive {prim.name!r} names {sorted(checks)} "
            f"but the primitive's attributes are {sorted(prim.attrs)}"
        )
    ATTR_SCHEMAS[prim] = checks


_ARITY: dict[Primitive, tuple[int, int | None]] = {}
_OPTIONAL: dict[Primitive, frozenset[str]] = {}


def optional_attrs(prim: Primitive) -> frozenset[str]:
    """The attributes a node may leave out: those the reference kernel gives a default
    (``sum``'s ``axis=None``); every other one must be present."""
    found = _OPTIONAL.get(prim)
    if found is None:
        try:
            params = inspect.signature(prim.cpu).parameters
        except (TypeError, ValueError):
            params = {}
        found = _OPTIONAL[prim] = frozenset(
            a for a in prim.attrs if a in params and params[a].default is not params[a].empty
        )
    return found


def arity(prim: Primitive) -> tuple[int, int | None]:
    """``(least, most)`` inputs ``prim``'s inference rule takes (``most`` None: any number)."""
    found = _ARITY.get(prim)
    if found is None:
        least, most = 0, 0
        try:
            params = inspect.signature(prim.infer).parameters.values()
        except (TypeError, ValueError):  # a builtin or C callable: no signature to read
            params = ()
            most = None
        for p in params:
            if p.kind is p.VAR_POSITIONAL:
                most = None
            elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                if p.default is p.empty:
                    least += 1
                if most is not None:
                    most += 1
        found = _ARITY[prim] = (least, most)
    return found


def check_node(prim: Primitive, avals: tuple, attrs: dict[str, Any]) -> str | None:
    """What is wrong with applying ``prim`` to inputs of abstract values ``avals`` with
    ``attrs``, as a phrase ("takes 2 inputs, got 1"), or None if it fits. Only the structure is
    checked here; the caller runs the inference rule next."""
    least, most = arity(prim)
    n = len(avals)
    if n < least or (most is not None and n > most):
        want = (
            f"{least}"
            if least == most
            else f"{least} or more"
            if most is None
            else (f"{least} to {most}")
        )
        return f"takes {want} inputs, got {n}"
    wants_tuple = prim.name == "tuple_getitem"
    for i, aval in enumerate(avals):
        if isinstance(aval, AbstractTuple) != wants_tuple:
            what = "a tuple value" if wants_tuple else "a tensor"
            return f"input {i} must be {what}"
    schema = ATTR_SCHEMAS.get(prim)
    if schema is None:
        if attrs and not prim.attrs:
            return f"takes no attributes, got {sorted(attrs)}"
        return None
    for name in attrs:
        if name not in schema:
            return f"has an unknown attribute {name!r:.60}; its attributes: {sorted(schema)}"
    for name, check in schema.items():
        if name not in attrs:
            if name in optional_attrs(prim):
                continue
            return f"is missing its attribute {name!r}"
        value = attrs[name]
        if not check.ok(value):
            return f"attribute {name!r} must be {check.describe()}, but got {_show(value)}"
    return None


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of {value.dtype}{list(value.shape)}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
