"""``capture_mode="ast"``: Python control flow on tensors, compiled by source transformation.

Before a function is traced for graph mode its source (and that of the Python functions and Cells
it calls, recursively, as they are reached) is parsed and rewritten so that control flow goes
through the functions at the bottom of this module:

- ``if test: ... else: ...`` -> :func:`if_stmt`: each branch becomes a function of the variables
  either branch assigns, returning their new values. A Python (or concrete) ``test`` picks one
  branch as Python would; a traced tensor compiles both into a ``cond`` node. A variable assigned
  in only one branch, and not defined before, is an :class:`Undefined` afterwards: using it
  raises, naming it and the ``if``.
- ``return`` inside branches: the rest of the block moves into the branch that does not return,
  so every branch ends in one, and the value leaves through a variable.
- ``while test: ...`` -> :func:`while_stmt` (a ``while_loop`` node once the condition is a traced
  tensor); ``for i in range(...)`` -> :func:`for_range` (a ``while_loop`` when a bound is a traced
  tensor, else the Python loop, unrolled into the graph as before).
- ``a and b``, ``a or b``, ``not a`` -> :func:`and_`, :func:`or_`, :func:`not_` (elementwise logic
  on traced tensors, Python's otherwise).
- calls ``f(...)`` -> :func:`call`, which converts ``f`` first when it is the user's Python
  function or method.

- ``return`` inside loops (or in one branch of an ``if`` nested in another, which lifting cannot
  bring to a block's end): every ``return v`` becomes ``__mind_return__ = v`` and a returned flag
  (and a ``break``), what follows is guarded by the flag, and the function ends in the one
  ``return``. The value starts :class:`Pending`; a compiled branch or loop that may assign it
  carries zeros of the shape it assigns (found by tracing the branch once into a dropped graph).

A loop's ``else`` becomes an ``if`` after it on a flag the loop's own ``break``s set. Jumps
inside a ``try`` or ``with`` keep Python semantics (a tensor condition there raises
:class:`GraphModeError` as in ``capture_mode="trace"``). A function whose source cannot be read
(a lambda, the REPL, a C function) is traced as it is.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import inspect
import sys
import textwrap
import threading
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np

from mind.core._src.compiler.passes import value_from_constants
from mind.core._src.ir.trace import Tracer, TraceValue, Writes, current_tracer, tracing
from mind.core._src.ops.array import assign, zeros
from mind.core._src.ops.control import cond, while_loop
from mind.core._src.ops.debug import print_ as ops_print
from mind.core._src.ops.elementwise import add, cast, equal, logical_and, logical_not, logical_or
from mind.core._src.ops.sparse import SPARSE_TYPES
from mind.core._src.tensor.dtype import promote
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import GraphModeError, MindTypeError

__all__ = ["Pending", "Undefined", "convert"]

_NAME = "__mind_ag__"  # the name the converted code reaches this module by

# ------------------------------------------------------------------------------------------------
# Converting a function
# ------------------------------------------------------------------------------------------------

#: code object -> (converted code object or None to keep the original, what was converted)
_CONVERTED: dict[Any, tuple[Any, list[str]]] = {}
_SKIP_MODULES = {"mind", "numpy", "scipy", "torch", "pytest", "_pytest"}


def convert(fn: Any) -> Any:
    """``fn`` with its control flow rewritten (see the module's docstring), or ``fn`` itself when
    it needs no rewriting or its source cannot be read. Bound methods stay bound."""
    if isinstance(fn, types.MethodType):
        func = convert(fn.__func__)
        return fn if func is fn.__func__ else types.MethodType(func, fn.__self__)
    if not isinstance(fn, types.FunctionType) or not _users(fn):
        return fn
    code = fn.__code__
    if code not in _CONVERTED:
        _CONVERTED[code] = _convert_code(fn)
    new, notes = _CONVERTED[code]
    if _REPORTS.stack:
        where = f"{code.co_filename}:{code.co_firstlineno}"
        _REPORTS.stack[-1].append(
            {
                "function": fn.__qualname__,
                "location": where,
                "mode": "ast" if new is not None else "trace",
                "statements": list(notes),
            }
        )
    if new is None:
        return fn
    cells = dict(zip(code.co_freevars, fn.__closure__ or ()))
    fn.__globals__.setdefault(_NAME, sys.modules[__name__])
    converted = types.FunctionType(
        new, fn.__globals__, fn.__name__, fn.__defaults__, tuple(cells[n] for n in new.co_freevars)
    )
    converted.__kwdefaults__ = fn.__kwdefaults__
    converted.__wrapped__ = fn
    return converted


class _Reports(threading.local):
    def __init__(self) -> None:
        self.stack: list[list[dict]] = []


_REPORTS = _Reports()


@contextmanager
def reporting(into: list[dict]) -> Iterator[list[dict]]:
    """Record, into ``into``, each function converted meanwhile on this thread: its name and
    location, the mode that compiled it (``"ast"``, or ``"trace"`` when nothing needed converting
    or its source could not be read) and what was converted, statement by statement."""
    _REPORTS.stack.append(into)
    try:
        yield into
    finally:
        _REPORTS.stack.pop()


def _users(fn: types.FunctionType) -> bool:
    """Whether ``fn`` is the user's code (not Mind's, a library's or the standard library's)."""
    top = (getattr(fn, "__module__", None) or "").split(".")[0]
    return top not in _SKIP_MODULES and top not in sys.stdlib_module_names


def _convert_code(fn: types.FunctionType) -> tuple[types.CodeType | None, list[str]]:
    code = fn.__code__
    if code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        return None, ["not converted: a generator or coroutine"]
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None, ["not converted: its source cannot be read (a lambda, python -c, exec)"]
    if not tree.body or not isinstance(tree.body[0], ast.FunctionDef | ast.AsyncFunctionDef):
        return None, ["not converted: its source is not one def statement (a lambda)"]
    (definition,) = tree.body[:1]
    if definition.name != code.co_name or isinstance(definition, ast.AsyncFunctionDef):
        return None, ["not converted: its source is not one def statement"]
    ast.increment_lineno(tree, code.co_firstlineno - 1)  # the source starts at that line
    _mangle(definition, fn.__qualname__)
    if "__class__" in code.co_freevars and definition.args.args:  # super() inside branches
        first = definition.args.args[0].arg
        for node in ast.walk(definition):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "super":
                if not node.args:
                    node.args = [ast.Name("__class__", ast.Load()), ast.Name(first, ast.Load())]
    definition.decorator_list = []
    converter = _Converter(code.co_filename)
    definition.body = _LoopElse().visit(ast.Module(definition.body, type_ignores=[])).body
    definition.body = _lower_function_returns(definition.body)
    if _RETURNED in {n.id for n in ast.walk(definition) if isinstance(n, ast.Name)}:
        converter.changed = True
        converter.note(definition, "return inside a loop -> a returned flag the loops carry")
    definition.body = converter.block(definition.body)
    if not converter.changed:
        return None, converter.notes
    # Define it inside a function of its free variables, so it closes over cells of those names.
    factory = ast.FunctionDef(
        name="__mind_factory__",
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(n) for n in code.co_freevars],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=[definition, ast.Return(ast.Name(definition.name, ast.Load()))],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    module = ast.fix_missing_locations(ast.Module([factory], type_ignores=[]))
    compiled = compile(module, code.co_filename, "exec")
    factory_code = next(c for c in compiled.co_consts if isinstance(c, types.CodeType))
    new = next(
        c
        for c in factory_code.co_consts
        if isinstance(c, types.CodeType) and c.co_name == definition.name
    )
    return new, converter.notes


def _mangle(definition: ast.FunctionDef, qualname: str) -> None:
    """Private names (``self.__x``) as the class body compiled them (``self._Cls__x``): the
    converted function is compiled outside its class."""
    parts = qualname.split(".")
    owner = parts[-2].lstrip("_") if len(parts) > 1 and parts[-2] != "<locals>" else ""
    if not owner:
        return

    def mangled(name: str) -> str:
        private = name.startswith("__") and not name.endswith("__")
        return f"_{owner}{name}" if private else name

    for node in ast.walk(definition):
        if isinstance(node, ast.Attribute):
            node.attr = mangled(node.attr)
        elif isinstance(node, ast.Name):
            node.id = mangled(node.id)


# ------------------------------------------------------------------------------------------------
# The rewriting
# ------------------------------------------------------------------------------------------------


def _assigned(stmts: list[ast.stmt]) -> set[str]:
    """Names these statements bind (not inside nested functions, classes or comprehensions)."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if not node.name.startswith("__mind_"):  # not the branches and bodies made here
                names.add(node.name)
            return
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp):
            return
        if isinstance(node, ast.GeneratorExp):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            base = node.value  # ``x[i] = v`` (or ``x[i][j] = v``) gives ``x`` a new value
            while isinstance(base, ast.Subscript):
                base = base.value
            if isinstance(base, ast.Name):
                names.add(base.id)
        if isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    for s in stmts:
        visit(s)
    return names


def _escapes(stmts: list[ast.stmt], tail_return_ok: bool) -> bool:
    """Whether these statements hold a ``break``/``continue`` of an enclosing loop, a ``yield``,
    a ``global``/``nonlocal``, or a ``return`` other than the block's last statement."""

    def visit(node: ast.AST, in_loop: bool, tail: bool) -> bool:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            return False
        if isinstance(node, ast.Break | ast.Continue) and not in_loop:
            return True
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Global | ast.Nonlocal | ast.Await):
            return True
        if isinstance(node, ast.Return) and not tail:
            return True
        if isinstance(node, ast.For | ast.While | ast.AsyncFor):
            return any(visit(c, True, False) for c in ast.iter_child_nodes(node))
        if isinstance(node, ast.If):
            return visit(node.test, in_loop, False) or any(
                block_escapes(b, in_loop, tail) for b in (node.body, node.orelse)
            )
        return any(visit(c, in_loop, False) for c in ast.iter_child_nodes(node))

    def block_escapes(block: list[ast.stmt], in_loop: bool, tail: bool) -> bool:
        return any(visit(s, in_loop, tail and k == len(block) - 1) for k, s in enumerate(block))

    return block_escapes(stmts, False, tail_return_ok)


def _returns(block: list[ast.stmt]) -> bool:
    """Whether the block always ends in a ``return``."""
    if not block:
        return False
    last = block[-1]
    if isinstance(last, ast.Return):
        return True
    return isinstance(last, ast.If) and _returns(last.body) and _returns(last.orelse)


def _lift_returns(block: list[ast.stmt]) -> list[ast.stmt]:
    """Move what follows an ``if`` one of whose branches returns into its other branch, so that
    returns end blocks: ``if c: return a`` + rest -> ``if c: return a else: rest``."""
    for k, s in enumerate(block):
        if isinstance(s, ast.If):
            s.body, s.orelse = _lift_returns(s.body), _lift_returns(s.orelse)
            rest = block[k + 1 :]
            if rest and _returns(s.body) != _returns(s.orelse):
                if _returns(s.body):
                    s.orelse = _lift_returns(s.orelse + rest)
                else:
                    s.body = _lift_returns(s.body + rest)
                return block[: k + 1]
    return block


_RET = "__mind_return__"
_RETURNED = "__mind_returned__"


def _nested_defs(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)


def _has_return(node: ast.AST) -> bool:
    if isinstance(node, ast.Return):
        return True
    return not _nested_defs(node) and any(_has_return(c) for c in ast.iter_child_nodes(node))


def _loop_return(stmts: list[ast.stmt]) -> bool:
    """Whether a ``return`` sits inside a loop of these statements."""
    for s in stmts:
        for node in ast.walk(s):
            if isinstance(node, ast.For | ast.While) and any(_has_return(b) for b in node.body):
                return True
    return False


def _lower_returns(stmts: list[ast.stmt], in_loop: bool) -> list[ast.stmt] | None:
    """The statements with each ``return v`` made ``__mind_return__ = v; __mind_returned__ =
    True`` (and a ``break`` inside a loop, and ``if __mind_returned__: break`` after a loop inside
    another), and what follows a statement that may return guarded by ``if not
    __mind_returned__``; None where a return sits where this cannot reach it (a try, a with, a
    loop's else)."""
    out: list[ast.stmt] = []
    for k, s in enumerate(stmts):
        if isinstance(s, ast.Return):
            value = s.value or ast.Constant(None)
            out += [ast.Assign([ast.Name(_RET, ast.Store())], value), _assign(_RETURNED, True)]
            if in_loop:
                out.append(ast.Break())
            return [ast.copy_location(x, s) for x in out]
        if not _has_return(s):
            out.append(s)
            continue
        if isinstance(s, ast.If):
            body, orelse = _lower_returns(s.body, in_loop), _lower_returns(s.orelse, in_loop)
            if body is None or orelse is None:
                return None
            s.body, s.orelse = body or [ast.Pass()], orelse
        elif isinstance(s, ast.For | ast.While) and not s.orelse:
            body = _lower_returns(s.body, True)
            if body is None:
                return None
            s.body = body
        else:
            return None
        out.append(s)
        rest = _lower_returns(stmts[k + 1 :], in_loop)
        if rest is None:
            return None
        returned = ast.Name(_RETURNED, ast.Load())
        if in_loop and isinstance(s, ast.For | ast.While):
            out.append(ast.copy_location(ast.If(returned, [ast.Break()], []), s))
        if in_loop:  # the break the return became guards the rest
            out.extend(rest)
        elif rest:
            guard = ast.copy_location(ast.If(ast.UnaryOp(ast.Not(), returned), rest, []), s)
            guard.mind_guard = True
            out.append(guard)
        return out
    return out


def _lower_function_returns(body: list[ast.stmt]) -> list[ast.stmt]:
    """A function body with a ``return`` inside a loop, or one that lifting cannot bring to the
    end of a block (a return in one branch of an if nested in another), its returns made flags
    (see :func:`_lower_returns`), ending in the one ``return``; other bodies as they are."""
    if not _loop_return(body) and not _escapes(_lift_returns(copy.deepcopy(body)), True):
        return body
    lowered = _lower_returns(body, False)
    if lowered is None:
        return body
    start = [
        _assign(_RETURNED, False),
        ast.Assign(
            [ast.Name(_RET, ast.Store())], ast.Call(_helper("Pending"), [ast.Constant(_RET)], [])
        ),
    ]
    end = ast.Return(ast.Call(_helper("returned"), [ast.Name(_RET, ast.Load())], []))
    return [*[ast.copy_location(x, body[0]) for x in start], *lowered, end]


def _returns_to_assignments(block: list[ast.stmt]) -> None:
    """Turn the return ending each path of ``block`` into an assignment to ``__mind_return__``."""
    last = block[-1]
    if isinstance(last, ast.Return):
        value = last.value or ast.Constant(None)
        block[-1] = ast.copy_location(ast.Assign([ast.Name(_RET, ast.Store())], value), last)
    else:
        _returns_to_assignments(last.body)
        _returns_to_assignments(last.orelse)


def _helper(name: str) -> ast.expr:
    return ast.Attribute(ast.Name(_NAME, ast.Load()), name, ast.Load())


def _names(names: list[str], ctx: ast.expr_context) -> ast.Tuple:
    return ast.Tuple([ast.Name(n, ctx) for n in names], ctx)


def _function(name: str, params: list[str], body: list[ast.stmt], result: ast.expr) -> ast.stmt:
    return ast.FunctionDef(
        name=name,
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(p) for p in params],
            kwonlyargs=[],
            kw_defaults=[],
            defaults=[],
        ),
        body=[*body, ast.Return(result)],
        decorator_list=[],
        returns=None,
        type_params=[],
    )


def _guards(names: list[str]) -> list[ast.stmt]:
    """``try: n / except NameError: n = Undefined('n')`` for each name not bound yet."""
    return [
        ast.Try(
            body=[ast.Expr(ast.Name(n, ast.Load()))],
            handlers=[
                ast.ExceptHandler(
                    ast.Name("NameError", ast.Load()),
                    None,
                    [
                        ast.Assign(
                            [ast.Name(n, ast.Store())],
                            ast.Call(_helper("Undefined"), [ast.Constant(n)], []),
                        )
                    ],
                )
            ],
            orelse=[],
            finalbody=[],
        )
        for n in names
    ]


class _LoopElse(ast.NodeTransformer):
    """``while``/``for`` with an ``else`` as Python runs them: a flag the loop's own ``break``s
    set, and the ``else`` block after the loop under ``if not flag`` (right after it when the
    loop has no break). Innermost loops first, so an inner loop's lifted ``else`` is part of
    the outer loop's body."""

    def __init__(self) -> None:
        self.count = 0

    def visit_loop(self, node: ast.For | ast.While) -> Any:
        self.generic_visit(node)
        if not node.orelse:
            return node
        orelse, node.orelse = node.orelse, []
        if "break" not in _own_jumps(node.body):
            return [node, *orelse]
        self.count += 1
        flag = f"__mind_broke_{self.count}"
        node.body = _flag_breaks(node.body, flag)
        test = ast.UnaryOp(ast.Not(), ast.Name(flag, ast.Load()))
        out = [_assign(flag, False), node, ast.If(test, orelse, [])]
        return [ast.copy_location(s, node) for s in out]

    visit_For = visit_While = visit_loop

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        return node  # a nested function's loops are converted with it


def _flag_breaks(stmts: list[ast.stmt], flag: str) -> list[ast.stmt]:
    """``stmts`` (a loop's body) with each of the loop's own ``break``s setting ``flag``."""

    def block(body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in body:
            if isinstance(s, ast.Break):
                out += [ast.copy_location(_assign(flag, True), s), s]
                continue
            if not isinstance(s, ast.For | ast.While | ast.FunctionDef | ast.ClassDef):
                for field in ("body", "orelse", "finalbody"):
                    if isinstance(getattr(s, field, None), list):
                        setattr(s, field, block(getattr(s, field)))
                for handler in getattr(s, "handlers", []):
                    handler.body = block(handler.body)
                for case in getattr(s, "cases", []):
                    case.body = block(case.body)
            out.append(s)
        return out

    return block(stmts)


def _own_jumps(stmts: list[ast.stmt]) -> set[str]:
    """``"break"``/``"continue"`` of the loop these statements are the body of (not of loops
    nested in them)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Break):
            found.add("break")
        elif isinstance(node, ast.Continue):
            found.add("continue")
        elif not isinstance(
            node, ast.For | ast.While | ast.AsyncFor | ast.FunctionDef | ast.Lambda
        ):
            for child in ast.iter_child_nodes(node):
                visit(child)
        elif isinstance(node, ast.For | ast.While):
            for child in node.orelse:  # a nested loop's else belongs to this loop's body
                visit(child)

    for s in stmts:
        visit(s)
    return found


_MUTATORS = frozenset(
    "append extend insert pop remove clear update setdefault popitem add discard sort reverse".split()
)


def _mutates(stmts: list[ast.stmt]) -> bool:
    """Whether these statements may change a Python object in place (a list's ``append``, an
    item store): a loop that does runs as Python, since a compiled body runs only once."""
    for s in stmts:
        for n in ast.walk(s):
            if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store | ast.Del):
                return True
            if (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in _MUTATORS
            ):
                return True
    return False


def _plain_target(target: ast.expr) -> bool:
    """A loop target made of names only (``x``, ``a, b``)."""
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, ast.Tuple | ast.List) and all(_plain_target(e) for e in target.elts)


def _assign(name: str, value: Any) -> ast.stmt:
    return ast.Assign([ast.Name(name, ast.Store())], ast.Constant(value))


def _lower_jumps(stmts: list[ast.stmt], brk: str, cont: str) -> list[ast.stmt] | None:
    """The loop body with its ``break`` and ``continue`` made assignments of flags (``brk``,
    ``cont``), and what follows a statement that may jump guarded by ``if not (brk or cont)``;
    None when a jump sits where this cannot reach it (a ``try``, a ``with``)."""
    out: list[ast.stmt] = []
    for k, s in enumerate(stmts):
        if isinstance(s, ast.Break | ast.Continue):
            out.append(
                ast.copy_location(_assign(brk if isinstance(s, ast.Break) else cont, True), s)
            )
            return out
        if not _own_jumps([s]):
            out.append(s)
            continue
        if not isinstance(s, ast.If):
            return None
        body, orelse = _lower_jumps(s.body, brk, cont), _lower_jumps(s.orelse, brk, cont)
        rest = _lower_jumps(stmts[k + 1 :], brk, cont)
        if body is None or orelse is None or rest is None:
            return None
        s.body, s.orelse = body or [ast.Pass()], orelse
        out.append(s)
        if rest:
            jumped = ast.BoolOp(ast.Or(), [ast.Name(brk, ast.Load()), ast.Name(cont, ast.Load())])
            guard = ast.copy_location(ast.If(ast.UnaryOp(ast.Not(), jumped), rest, []), s)
            guard.mind_guard = True  # made here: not reported as the user's if
            out.append(guard)
        return out
    return out


_BUILTINS = set(dir(builtins))


class _Converter(ast.NodeTransformer):
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.count = 0
        self.changed = False
        self.notes: list[str] = []  # what was converted (or kept), statement by statement

    def note(self, node: ast.AST, text: str) -> None:
        self.notes.append(f"line {node.lineno}: {text}")

    def where(self, node: ast.AST) -> str:
        return f"{self.filename}:{node.lineno}"

    def block(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in _lift_returns(stmts):
            new = self.visit(s)
            out.extend(new if isinstance(new, list) else [new])
        return out

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.body = self.block(_lower_function_returns(node.body))
        return node

    def visit_If(self, node: ast.If) -> Any:
        node.test = self.visit(node.test)
        returning = _returns(node.body) and _returns(node.orelse)
        if _escapes([node], tail_return_ok=returning):
            self.note(node, "if kept as Python (a break, continue or early return inside)")
            node.body, node.orelse = self.block(node.body), self.block(node.orelse or [])
            return node
        self.changed = True
        lifted = ", returns lifted" if returning else ""
        if not getattr(node, "mind_guard", False):
            self.note(node, f"if -> cond when its test is a tensor{lifted}")
        if returning:
            _returns_to_assignments(node.body)
            _returns_to_assignments(node.orelse)
        body, orelse = self.block(node.body), self.block(node.orelse) or [ast.Pass()]
        in_body, in_else = _assigned(body), _assigned(orelse)
        names = sorted(in_body | in_else)
        self.count += 1
        true_name, false_name = f"__mind_if_true_{self.count}", f"__mind_if_false_{self.count}"
        call = ast.Call(
            _helper("if_stmt"),
            [
                node.test,
                ast.Name(true_name, ast.Load()),
                ast.Name(false_name, ast.Load()),
                _names(names, ast.Load()),
                ast.Constant(tuple(names)),
                ast.Constant(tuple(n in in_body and n in in_else for n in names)),
                ast.Constant(self.where(node)),
            ],
            [],
        )
        out = [
            *_guards(names),
            _function(true_name, names, body, _names(names, ast.Load())),
            _function(false_name, names, orelse, _names(names, ast.Load())),
            ast.Assign([_names(names, ast.Store())], call) if names else ast.Expr(call),
        ]
        if returning:
            out.append(ast.Return(ast.Name(_RET, ast.Load())))
        return [ast.copy_location(s, node) for s in out]

    def _loop_escapes(self, node: ast.For | ast.While) -> bool:
        """A loop this cannot convert: one with an ``else`` (only if ``_LoopElse`` left one), a
        ``return``, a ``yield``, or a ``global``/``nonlocal``."""
        return bool(node.orelse) or any(
            isinstance(n, ast.Return | ast.Yield | ast.YieldFrom | ast.Global | ast.Nonlocal)
            for s in node.body
            for n in ast.walk(s)
        )

    def visit_While(self, node: ast.While, label: str = "while", source: str | None = None) -> Any:
        if self._loop_escapes(node):
            self.note(node, "while kept as Python (a return or an else)")
            return self.generic_visit(node)
        self.count += 1
        n = self.count
        before: list[ast.stmt] = []
        jumps = _own_jumps(node.body)
        if jumps:  # break/continue: flags the loop carries
            brk, cont = f"__mind_break_{n}", f"__mind_continue_{n}"
            body = _lower_jumps(node.body, brk, cont)
            if body is None:
                self.note(node, "loop kept as Python (a break or continue inside a try or with)")
                return self.generic_visit(node)
            node.body = [_assign(cont, False), *body]
            before = [_assign(brk, False)]
            stop = ast.UnaryOp(ast.Not(), ast.Name(brk, ast.Load()))
            node.test = ast.BoolOp(ast.And(), [stop, node.test])
        self.changed = True
        jumped = ", break/continue as flags" if jumps else ""
        what = "over its rows when the sequence is" if source else "when its condition is"
        self.note(node, f"{label} -> while_loop {what} a tensor{jumped}")
        test, body = self.visit(node.test), self.block(node.body)
        names = sorted(_assigned(body))
        test_name, body_name = f"__mind_while_test_{n}", f"__mind_while_body_{n}"
        call = ast.Call(
            _helper("while_stmt"),
            [
                ast.Name(test_name, ast.Load()),
                ast.Name(body_name, ast.Load()),
                _names(names, ast.Load()),
                ast.Constant(tuple(names)),
                ast.Constant(self.where(node)),
            ],
            [] if source is None else [ast.keyword("source", ast.Name(source, ast.Load()))],
        )
        out = [
            *before,
            *_guards(names),
            _function(test_name, names, [], test),
            _function(body_name, names, body, _names(names, ast.Load())),
            ast.Assign([_names(names, ast.Store())], call) if names else ast.Expr(call),
        ]
        return [ast.copy_location(s, node) for s in out]

    def visit_For(self, node: ast.For) -> Any:
        it = node.iter
        ranged = (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "range"
            and not it.keywords
            and 1 <= len(it.args) <= 3
            and isinstance(node.target, ast.Name)
        )
        if not ranged:
            return self._for_over(node)
        if self._loop_escapes(node):
            self.note(node, "for kept as Python (a return or an else)")
            return self.generic_visit(node)
        if _own_jumps(node.body):  # as a while over the index, which carries the jump flags
            self.count += 1
            i, stop, step = (f"__mind_{k}_{self.count}" for k in ("index", "stop", "step"))
            bounds = ast.Call(_helper("range_bounds"), list(it.args), [])
            state = ast.Assign([_names([i, stop, step], ast.Store())], bounds)
            test = ast.Call(
                _helper("in_range"), [ast.Name(v, ast.Load()) for v in (i, stop, step)], []
            )
            advance = ast.Assign(
                [ast.Name(i, ast.Store())],
                ast.BinOp(ast.Name(i, ast.Load()), ast.Add(), ast.Name(step, ast.Load())),
            )
            target = ast.Assign([ast.Name(node.target.id, ast.Store())], ast.Name(i, ast.Load()))
            loop = ast.copy_location(ast.While(test, [target, advance, *node.body], []), node)
            converted = self.visit_While(loop, label="for over range")
            return [ast.copy_location(state, node), *converted]
        self.changed = True
        self.note(node, "for over range -> while_loop when a bound is a tensor")
        bounds = [self.visit(a) for a in it.args]
        body = self.block(node.body)
        index = node.target.id
        names = sorted(_assigned(body) - {index})
        self.count += 1
        body_name = f"__mind_for_body_{self.count}"
        call = ast.Call(
            _helper("for_range"),
            [
                ast.Tuple(bounds, ast.Load()),
                ast.Name(body_name, ast.Load()),
                _names(names, ast.Load()),
                ast.Constant(tuple(names)),
                ast.Constant(self.where(node)),
            ],
            [],
        )
        out = [
            *_guards(names),
            _function(body_name, [index, *names], body, _names(names, ast.Load())),
            ast.Assign([_names(names, ast.Store())], call) if names else ast.Expr(call),
        ]
        return [ast.copy_location(s, node) for s in out]

    def _for_over(self, node: ast.For) -> Any:
        """``for x in seq`` and ``for i, x in enumerate(seq)`` as a while over an index into
        ``seq``: a ``while_loop`` when ``seq`` is a traced tensor, Python's loop otherwise."""
        it, target, index = node.iter, node.target, None
        if (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "enumerate"
            and len(it.args) == 1
            and not it.keywords
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
            and isinstance(target.elts[0], ast.Name)
        ):
            it, index, target = it.args[0], target.elts[0].id, target.elts[1]
        if (
            self._loop_escapes(node)
            or _own_jumps(node.body)
            or not _plain_target(target)
            or _mutates(node.body)
        ):
            return self.generic_visit(node)
        self.count += 1
        src, i, stop, step = (
            f"__mind_{k}_{self.count}" for k in ("source", "index", "stop", "step")
        )
        state = ast.Assign(
            [_names([src, i, stop, step], ast.Store())], ast.Call(_helper("iter_source"), [it], [])
        )
        item = ast.Subscript(ast.Name(src, ast.Load()), ast.Name(i, ast.Load()), ast.Load())
        head = [ast.Assign([target], item)]
        if index is not None:
            head.append(ast.Assign([ast.Name(index, ast.Store())], ast.Name(i, ast.Load())))
        advance = ast.Assign(
            [ast.Name(i, ast.Store())],
            ast.BinOp(ast.Name(i, ast.Load()), ast.Add(), ast.Name(step, ast.Load())),
        )
        test = ast.Call(_helper("in_range"), [ast.Name(v, ast.Load()) for v in (i, stop, step)], [])
        loop = ast.copy_location(ast.While(test, [*head, advance, *node.body], []), node)
        loop = ast.fix_missing_locations(loop)
        converted = self.visit_While(loop, label="for over a sequence", source=src)
        return [ast.copy_location(state, node), *converted]

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        self.changed = True
        helper = "and_" if isinstance(node.op, ast.And) else "or_"
        thunks = [ast.Lambda(_no_args(), v) for v in node.values]
        return ast.copy_location(ast.Call(_helper(helper), thunks, []), node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        self.generic_visit(node)
        self.changed = True
        self.note(node, "a if test else b -> cond when test is a tensor")
        thunks = [ast.Lambda(_no_args(), v) for v in (node.body, node.orelse)]
        return ast.copy_location(ast.Call(_helper("if_exp"), [node.test, *thunks], []), node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Not):
            return node
        self.changed = True
        return ast.copy_location(ast.Call(_helper("not_"), [node.operand], []), node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            self.changed = True  # prints tensors' values when the graph runs
            self.note(node, "print -> a print node when given tensors")
            return ast.copy_location(ast.Call(_helper("print_"), node.args, node.keywords), node)
        if isinstance(node.func, ast.Name) and node.func.id in _BUILTINS:
            return node  # super(), len(), isinstance() ... as they are
        self.changed = True
        return ast.copy_location(
            ast.Call(_helper("call"), [node.func, *node.args], node.keywords), node
        )

    def visit_Lambda(self, node: ast.Lambda) -> ast.Lambda:
        return node  # a lambda stays as it is (and is traced as it is)

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load) or isinstance(
            node.slice, ast.Slice | ast.Tuple | ast.Constant
        ):
            return node  # slices and multi-axis indices only ever index tensors
        self.changed = True
        return ast.copy_location(ast.Call(_helper("subscript"), [node.value, node.slice], []), node)


def _no_args() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[])


# ------------------------------------------------------------------------------------------------
# What the converted code calls
# ------------------------------------------------------------------------------------------------


class Undefined:
    """A variable with no value on some path (assigned in only one branch of an ``if`` on a
    tensor, or only inside a loop on one): using it raises, naming it and where."""

    def __init__(self, name: str, why: str = "") -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_why", why)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise GraphModeError(
            f"'{self._name}' is used where it has no value"
            + (f": {self._why}" if self._why else "")
            + "; assign it before the control flow (or in every branch)"
        )

    __getattr__ = __call__ = __bool__ = __iter__ = __len__ = __getitem__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = _fail

    def __repr__(self) -> str:
        return f"Undefined({self._name!r})"


class Pending(Undefined):
    """The return value of a function with a ``return`` inside a loop, before one ran. A
    compiled branch or loop that may assign it carries zeros shaped as what it assigns."""


def returned(value: Any) -> Any:
    """What the function returns: None when no ``return`` ran (Python's fall off the end)."""
    return None if isinstance(value, Pending) else value


def _zeros_as(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return type(value)(_zeros_as(v) for v in value)
    value = as_tensor(value)
    return zeros(value.shape, value.dtype)


_PROBE = "probe"  # the name of the tracer _fill_pending traces a branch or body into


def _fill_pending(values: tuple, fns: list[Callable[..., tuple]]) -> tuple:
    """``values`` with each :class:`Pending` replaced by zeros shaped as what one of ``fns``
    (taking all of ``values``) assigns there, found by tracing them into a graph then dropped."""
    pending = [k for k, v in enumerate(values) if isinstance(v, Pending)]
    if not pending:
        return values
    filled = list(values)
    for fn in fns:
        probe = Tracer(_PROBE, parent=current_tracer())
        with tracing(probe):
            out = fn(*values)
            shapes = {k: _zeros_as(out[k]) for k in pending if not isinstance(out[k], Undefined)}
        for k, shape in shapes.items():
            if isinstance(filled[k], Pending):
                filled[k] = _zeros_as(shape)  # made again here: a value of the outer graph
    return tuple(filled)


def _traced(value: Any) -> bool:
    return isinstance(value, Tensor) and isinstance(value._data, TraceValue)


def _decided(test: Any) -> Any:
    """A traced ``test`` computed from constants alone (a Cell's constant tensor attributes),
    as its value: MindSpore decides such an ``if`` at compile time, and so may each branch
    return a different shape. Anything else as it is."""
    if not _traced(test) or _probing():
        return test
    value = value_from_constants(test._data.node)
    return test if value is None else value


def _probing() -> bool:
    """Whether :func:`_fill_pending` is tracing a branch or body once for shapes: its inputs are
    the values before the loop, constants that the loop itself will carry as variables."""
    tracer = current_tracer()
    while tracer is not None:
        if tracer.graph.name == _PROBE:
            return True
        tracer = tracer.parent
    return False


def _truth(value: Any) -> bool:
    if isinstance(value, Tensor):
        return (
            bool(np.asarray(value._data).reshape(-1)[0]) if value._data.size == 1 else bool(value)
        )
    return bool(value)


_PY_NUMBERS = (bool, int, float, np.number, np.bool_)  # what a carry turns into a Tensor


def _as_carry(value: Any, name: str, where: str) -> Any:
    """A value a compiled branch or loop can carry: Tensors (and tuples and lists of them) as
    they are, Python numbers as Tensors."""
    if isinstance(value, _PY_NUMBERS):
        return as_tensor(value)
    if isinstance(value, tuple | list):
        return type(value)(_as_carry(v, name, where) for v in value)
    if isinstance(value, (Tensor, *SPARSE_TYPES)):
        return value
    raise GraphModeError(
        f"{where}: '{name}' is a {type(value).__name__} changed under a condition on a tensor; "
        "a compiled branch or loop can only change Tensors, numbers and tuples of them"
    )


class _Missed(Exception):
    """A converted branch or loop body assigned tensors its statement did not carry yet."""

    def __init__(self, tensors: list[Tensor]) -> None:
        super().__init__("retrace")
        self.tensors = tensors


class _Widen(Exception):
    """A converted loop body gave carried variables a wider dtype than they entered with
    (``y = 7`` as int, ``y = softmax(c) + a`` inside): the loop carries them at that dtype."""

    def __init__(self, dtypes: dict[int, Any]) -> None:
        super().__init__("retrace")
        self.dtypes = dtypes


def _widened(before: tuple, after: tuple, positions: list[int]) -> dict[int, Any]:
    """The positions whose Tensor dtype ``after`` promotes beyond ``before`` (same shapes)."""
    out = {}
    for k, b, a in zip(positions, before, after):
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape == b.shape:
            wide = promote(a.dtype, b.dtype)
            if wide != b.dtype:
                out[k] = wide
    return out


def _snapshot(tensor: Tensor) -> Tensor:
    """A Tensor holding ``tensor``'s value now (which an assign may rebind later)."""
    out = object.__new__(Tensor)
    out._data, out._node = tensor._data, None
    return out


@contextmanager
def _carrying(written: list[Tensor], inner: tuple) -> Iterator[Writes]:
    """While a branch or body is traced: the ``written`` tensors hold its ``inner`` values (its
    graph's inputs), assigns to them (or to others: ``missed``) are traced functionally, and
    every tensor gets its outer value back afterwards."""
    tracer = current_tracer()
    saved = [(t, t._data) for t in written]
    writes = Writes(written)
    tracer.writes = writes
    try:
        for t, v in zip(written, inner):
            t._data = v._data
        yield writes
    finally:
        tracer.writes = None
        for t, data in [*saved, *reversed(writes.missed)]:
            t._data = data


def _write_back(written: list[Tensor], values: Any) -> None:
    """After a cond or while_loop that carried ``written`` out: assign their new values."""
    for t, v in zip(written, values):
        assign(t, v)


def _retracing(trace: Callable[[list[Tensor]], tuple]) -> tuple:
    """``trace(written)``, again with more tensors carried while a traced body misses some."""
    written: list[Tensor] = []
    while True:
        try:
            return trace(written)
        except _Missed as missed:
            written = written + [t for t in missed.tensors if not any(t is w for w in written)]


def if_stmt(
    test: Any,
    true_fn: Callable[..., tuple],
    false_fn: Callable[..., tuple],
    values: tuple,
    names: tuple[str, ...],
    both: tuple[bool, ...],
    where: str,
) -> tuple:
    """The converted ``if``: ``names`` are the variables either branch assigns, ``values`` their
    values before it (:class:`Undefined` where unbound), ``both`` which both branches assign.
    Tensors the branches assign (Parameters) are carried out as extra outputs and written after
    the ``cond``."""
    test = _decided(test)
    if not _traced(test):
        return (true_fn if _truth(test) else false_fn)(*values)
    values = _fill_pending(values, [true_fn, false_fn])
    kept = [
        k for k, v in enumerate(values) if both[k] or not isinstance(v, Undefined)
    ]  # the outputs defined on both paths
    given = [k for k, v in enumerate(values) if not isinstance(v, Undefined)]

    def trace(written: list[Tensor]) -> tuple:
        def branch(fn: Callable[..., tuple]) -> Callable[..., tuple]:
            def run(*operands: Any) -> tuple:
                full = list(values)
                for k, v in zip(given, operands):
                    full[k] = v
                with _carrying(written, operands[len(given) :]) as writes:
                    out = fn(*full)
                    if writes.missed:
                        raise _Missed([t for t, _ in writes.missed])
                    return tuple(_as_carry(out[k], names[k], where) for k in kept) + tuple(
                        _snapshot(t) for t in written
                    )

            return run

        operands = [_as_carry(values[k], names[k], where) for k in given]
        operands += [_snapshot(t) for t in written]
        result = cond(test, branch(true_fn), branch(false_fn), *operands)
        _write_back(written, result[len(kept) :])
        out: list[Any] = [
            Undefined(n, f"it is assigned in only one branch of the if at {where}") for n in names
        ]
        for k, v in zip(kept, result):
            out[k] = v
        return tuple(out)

    return _retracing(trace)


def while_stmt(
    test_fn: Callable[..., Any],
    body_fn: Callable[..., tuple],
    values: tuple,
    names: tuple[str, ...],
    where: str,
    source: Any = None,
) -> tuple:
    """The converted ``while``: ``names`` are the variables the body assigns. The loop runs in
    Python while its condition is a Python value, and becomes a ``while_loop`` node from the
    first iteration whose condition is a traced tensor. Tensors the body assigns (Parameters)
    are carried by the loop and written after it.

    ``source`` is the sequence of a converted ``for x in source``: a traced tensor of more than
    one row makes the loop a ``while_loop`` over its rows from the start, unless the body
    carries a Python number (a counter stays a Python int, as it would unrolled) or cannot be
    compiled as a loop body; then it unrolls."""
    if _loops_over(source, values, names):
        # A body that fails as a loop (a tensor index into a tuple of Cells, say) unrolls
        # below, as Python runs it, where a genuine error raises again.
        with suppress(Exception):
            return _while_node(test_fn, body_fn, values, names, where)
    flag = test_fn(*values)
    while not _traced(flag):
        if not _truth(flag):
            return values
        values = body_fn(*values)
        flag = test_fn(*values)
    return _while_node(test_fn, body_fn, values, names, where)


def _loops_over(source: Any, values: tuple, names: tuple[str, ...]) -> bool:
    if not (_traced(source) and source.ndim and source.shape[0] > 1) or _probing():
        return False
    return not any(
        isinstance(v, _PY_NUMBERS) for v, n in zip(values, names) if not n.startswith("__mind_")
    )


def _while_node(
    test_fn: Callable[..., Any],
    body_fn: Callable[..., tuple],
    values: tuple,
    names: tuple[str, ...],
    where: str,
) -> tuple:
    """The ``while_loop`` node of a converted ``while`` from ``values`` on."""
    values = _fill_pending(values, [body_fn])
    carried = [k for k, v in enumerate(values) if not isinstance(v, Undefined)]
    count = len(carried)

    def full(carry: tuple) -> list:
        out = list(values)
        for k, v in zip(carried, carry):
            out[k] = v
        return out

    widen: dict[int, Any] = {}

    def trace(written: list[Tensor]) -> tuple:
        init = tuple(_as_carry(values[k], names[k], where) for k in carried)
        init = tuple(cast(v, widen[k]) if k in widen else v for k, v in zip(carried, init))
        init += tuple(_snapshot(t) for t in written)

        def test(carry: tuple) -> Any:
            with _carrying(written, carry[count:]):
                return test_fn(*full(carry[:count]))

        def body(carry: tuple) -> tuple:
            with _carrying(written, carry[count:]) as writes:
                out = body_fn(*full(carry[:count]))
                if writes.missed:
                    raise _Missed([t for t, _ in writes.missed])
                new = tuple(_as_carry(out[k], names[k], where) for k in carried)
                grown = _widened(carry[:count], new, carried)
                if grown:
                    raise _Widen(grown)
                return new + tuple(_snapshot(t) for t in written)

        final = while_loop(test, body, init)
        _write_back(written, final[count:])
        out: list[Any] = [
            Undefined(n, f"it is assigned only inside the while loop at {where}") for n in names
        ]
        for k, v in zip(carried, final):
            out[k] = v
        return tuple(out)

    while True:
        try:
            return _retracing(trace)
        except _Widen as grown:
            widen.update(grown.dtypes)


def for_range(
    bounds: tuple, body_fn: Callable[..., tuple], values: tuple, names: tuple[str, ...], where: str
) -> tuple:
    """The converted ``for i in range(...)``: a Python loop for Python (or concrete) bounds, a
    ``while_loop`` node over ``i`` when a bound is a traced tensor."""
    if not any(_traced(b) for b in bounds):
        for i in range(*(int(b) if isinstance(b, Tensor) else b for b in bounds)):
            values = body_fn(i, *values)
        return values
    start, stop, step = range_bounds(*bounds)
    stop = as_tensor(stop)
    index = as_tensor(start).astype(stop.dtype)

    def body(i: Tensor, *vals: Any) -> tuple:
        return (add(i, step), *body_fn(i, *vals))

    out = while_stmt(
        lambda i, *vals: in_range(i, stop, step),
        body,
        (index, *values),
        ("range index", *names),
        where,
    )
    return out[1:]


def iter_source(seq: Any) -> tuple:
    """``(items, 0, len, 1)`` of a converted ``for x in seq``: a Tensor as it is (its rows),
    anything else as the list of what iterating it gives."""
    if isinstance(seq, Tensor):
        if not seq.shape:
            raise MindTypeError("iteration over a 0-d tensor")
        return seq, 0, seq.shape[0], 1
    items = list(seq)
    return items, 0, len(items), 1


def print_(*args: Any, **kwargs: Any) -> None:
    """The builtin ``print`` in converted code: tensors print their values when the graph runs
    (a ``print`` node); ``file`` and ``flush`` keep the builtin's meaning outside graphs."""
    if any(_traced(a) for a in args) and not set(kwargs) - {"sep", "end"}:
        ops_print(*args, **kwargs)
    else:
        print(*args, **kwargs)


def range_bounds(*args: Any) -> tuple:
    """``(start, stop, step)`` of ``range(*args)``; ``step`` must be a nonzero Python int."""
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
    if isinstance(step, Tensor) or step == 0:
        raise GraphModeError("range(): the step must be a nonzero Python int")
    return start, stop, step


def in_range(i: Any, stop: Any, step: int) -> Any:
    """Whether index ``i`` is still inside ``range(..., stop, step)``."""
    return (i < stop) if step > 0 else (i > stop)


def and_(*thunks: Callable[[], Any]) -> Any:
    value = thunks[0]()
    for thunk in thunks[1:]:
        if _traced(value):
            value = logical_and(value, thunk())
        elif not _truth(value):
            return value
        else:
            value = thunk()
    return value


def or_(*thunks: Callable[[], Any]) -> Any:
    value = thunks[0]()
    for thunk in thunks[1:]:
        if _traced(value):
            value = logical_or(value, thunk())
        elif _truth(value):
            return value
        else:
            value = thunk()
    return value


def if_exp(test: Any, body: Callable[[], Any], orelse: Callable[[], Any]) -> Any:
    """The converted ``body if test else orelse``: a ``cond`` when ``test`` is traced."""
    test = _decided(test)
    if not _traced(test):
        return body() if _truth(test) else orelse()
    return cond(test, body, orelse)


def subscript(value: Any, index: Any) -> Any:
    """The converted ``value[index]``: a tuple or list of functions (Cells, ops) indexed by a
    traced tensor is MindSpore's switch_layer, a function that runs the one chosen."""
    if _traced(index) and _selectable(value):
        if not all(callable(f) for f in value):
            raise GraphModeError(
                f"indexing a {type(value).__name__} with a tensor inside jit selects a function "
                "(switch_layer); this one holds values that are not callable: index it with a "
                "Python int, or stack the values into a Tensor"
            )
        return _Switch(list(value), index)
    return value[index]


def _selectable(value: Any) -> bool:
    from mind.core._src.nn.cell import CellList  # the nn package imports this module's users

    return isinstance(value, tuple | list | CellList) and len(value) > 0


class _Switch:
    """``fns[index]`` for a traced ``index``: calling it compiles one ``cond`` per choice and
    runs the chosen function (the last for an index past the end)."""

    def __init__(self, fns: list[Any], index: Tensor) -> None:
        self.fns, self.index = fns, index

    def __call__(self, *args: Any) -> Any:
        def choose(k: int) -> Callable[..., Any]:
            fn = self.fns[k]
            if k == len(self.fns) - 1:
                return lambda *a: call(fn, *a)
            rest = choose(k + 1)
            return lambda *a: cond(equal(self.index, k), lambda *b: call(fn, *b), rest, *a)

        return choose(0)(*args)


def not_(value: Any) -> Any:
    return logical_not(value) if _traced(value) else not _truth(value)


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, ``fn`` converted first when it is the user's function."""
    return convert(fn)(*args, **kwargs) if isinstance(fn, _CONVERTIBLE) else fn(*args, **kwargs)


_CONVERTIBLE = (types.FunctionType, types.MethodType, functools.partial)
