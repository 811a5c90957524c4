"""``jit``: compile a function or a Cell's ``construct`` into MindIR and run it as one graph.

The first call with a given input signature (tensor shapes and dtypes, plus the values of
non-tensor arguments) traces the function into a graph, verifies it and plans its execution;
later calls with the same signature run the plan directly. A Cell's Parameters (found through the
function's bound Cell, its closure and the globals it names) become graph inputs, so updating a
weight never needs a recompile.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.autodiff.vmap import Batched
from mind.core._src.compiler.manager import PassManager
from mind.core._src.compiler.passes import memory_plan, without_cuts
from mind.core._src.context import _CONTEXT, LAX, STRICT
from mind.core._src.ir.ast_capture import convert
from mind.core._src.ir.graph import Constant, FuncGraph, subgraphs
from mind.core._src.ir.trace import (
    GraphModeError,
    Tracer,
    TraceValue,
    ValueNeeded,
    is_tracing,
    tracing,
    user_location,
)
from mind.core._src.nn.cell import Cell
from mind.core._src.ops.control import call
from mind.core._src.ops.dispatch import STATE, ShapedArray
from mind.core._src.ops.sparse import SPARSE_TYPES
from mind.core._src.plugins.manager import get_plugin_manager, get_registry
from mind.core._src.runtime.executor import Executable
from mind.core._src.tensor.tensor import Parameter, Tensor, live_parameters
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["JitFunction", "jit"]

_CACHE_LIMIT = 32


def _batched(args: tuple) -> bool:
    """Whether a vmap batches one of these arguments (a compiled graph runs on examples)."""
    return any(
        type(a._data) is Batched
        if isinstance(a, Tensor)
        else isinstance(a, tuple | list) and _batched(a)
        for a in args
    )


def _cells_and_params_of(fn: Callable[..., Any], args: tuple) -> list[Parameter]:
    """Every Parameter the function can reach: bound Cells, Cells and Parameters (or lists of
    them) in closures and in the globals the code names, recursively through the functions found
    there, and among the arguments."""
    import types

    params: list[Parameter] = []
    seen_params: set[int] = set()
    seen: set[int] = set()

    def visit(obj: Any, depth: int) -> None:
        if id(obj) in seen or depth > 6:
            return
        seen.add(id(obj))
        if isinstance(obj, Parameter):
            if id(obj) not in seen_params:
                seen_params.add(id(obj))
                params.append(obj)
        elif isinstance(obj, Cell):
            for p in obj.get_parameters():
                visit(p, depth + 1)
            # Parameters a Cell holds outside its tree (an optimizer's slots), as it lists them.
            state = getattr(obj, "state_parameters", None)
            if callable(state):
                visit(list(state()), depth + 1)
            for value in vars(obj).values():
                if isinstance(value, Cell):
                    visit(value, depth + 1)
        elif isinstance(obj, list | tuple):
            for item in obj:
                visit(item, depth + 1)
        elif isinstance(obj, types.MethodType):
            visit(obj.__self__, depth + 1)
            visit(obj.__func__, depth + 1)
        elif isinstance(obj, types.FunctionType):
            for cell in obj.__closure__ or ():
                try:
                    visit(cell.cell_contents, depth + 1)
                except ValueError:
                    continue
            names = obj.__code__.co_names
            for name in names:
                if name in obj.__globals__:
                    value = obj.__globals__[name]
                    if isinstance(value, Cell | Parameter | list | tuple | types.FunctionType):
                        visit(value, depth + 1)
        elif callable(obj) and hasattr(obj, "__dict__"):
            for value in vars(obj).values():
                if isinstance(value, Cell | Parameter | types.FunctionType | types.MethodType):
                    visit(value, depth + 1)

    visit(fn, 0)
    for a in args:
        visit(a, 0)
    return params


def _arg_key(a: Any) -> Any:
    if isinstance(a, Tensor) and not isinstance(a, Parameter):
        return ("T", a._data.shape, a._data.dtype)
    if isinstance(a, tuple | list):
        return (type(a).__name__, tuple(_arg_key(v) for v in a))
    if type(a) is dict:  # its keys (in order) and its values' keys: Tensor values are inputs
        return ("dict", tuple((_static_key(k), _arg_key(v)) for k, v in a.items()))
    if isinstance(a, SPARSE_TYPES):
        return (type(a).__name__, a.shape, tuple(_arg_key(getattr(a, f)) for f in a._parts))
    return _static_key(a)


def _at(args: tuple, path: tuple[Any, ...]) -> Any:
    value: Any = args
    for j in path:
        value = getattr(value, j) if isinstance(value, SPARSE_TYPES) else value[j]
    return value


def _static_key(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        raise MindTypeError(
            f"{user_location()}: jit arguments must be Tensors or hashable Python values (their value "
            f"is compiled into the graph); got an unhashable {type(value).__name__}"
        ) from None
    return (type(value).__name__, value)


def _flatten(value: Any, tracer: Tracer, nodes: list) -> Any:
    """Outputs -> graph nodes, and a spec to rebuild their structure."""
    if isinstance(value, Tensor):
        nodes.append(tracer.node_for(value._data))
        return ("t", len(nodes) - 1)
    if isinstance(value, tuple | list) and not hasattr(value, "_fields"):
        return (type(value).__name__, [_flatten(v, tracer, nodes) for v in value])
    if isinstance(value, dict):
        return ("dict", [(k, _flatten(v, tracer, nodes)) for k, v in value.items()])
    if hasattr(value, "_fields") or dataclasses.is_dataclass(value):  # a namedtuple, a dataclass
        fields = (
            value._fields
            if hasattr(value, "_fields")
            else [f.name for f in dataclasses.fields(value) if f.init]
        )
        items = [(f, _flatten(getattr(value, f), tracer, nodes)) for f in fields]
        return ("record", (type(value), items))
    if value is None or isinstance(value, bool | int | float | str):
        return ("py", value)
    raise MindTypeError(
        f"{user_location()}: a jit function must return Tensors (or tuples, lists, dicts, "
        f"namedtuples or dataclasses of them), got {type(value).__name__}"
    )


def _rebuild(spec: Any, arrays: tuple) -> Any:
    """The function's output structure around ``arrays`` (wrapped as Tensors; Tensors given
    instead are placed as they are)."""
    kind, payload = spec
    if kind == "t":
        value = arrays[payload]
        if isinstance(value, Tensor):
            return value
        t = object.__new__(Tensor)
        t._data, t._node = value, None
        return t
    if kind == "py":
        return payload
    if kind == "dict":
        return {k: _rebuild(s, arrays) for k, s in payload}
    if kind == "record":
        cls, items = payload
        return cls(**{f: _rebuild(s, arrays) for f, s in items})
    items = [_rebuild(s, arrays) for s in payload]
    return tuple(items) if kind == "tuple" else items


def _executable_for(graph: FuncGraph, host_fallback: bool = False) -> Callable[..., tuple]:
    """How the context's device runs ``graph``: MindRT's plan on cpu kernels for ``cpu``; the
    whole graph handed to a device that compiles graphs itself (graph sink); otherwise the
    device's own kernels and allocator, node by node. The device's capabilities (graph mode, every
    op, every dtype) are checked first, so nothing runs on a device that cannot run all of it;
    with ``host_fallback`` (Mind's own graphs of host arrays, as PyNative's optimizer update) a
    device that cannot runs it on ``cpu`` instead."""

    target = _CONTEXT.get("device_target", "cpu")
    if target == "cpu":
        return Executable(graph)
    device = get_registry().device(target)
    graph = without_cuts(graph)
    nodes = list(_all_nodes(graph))
    needs = {
        "ops": {n.prim for n in nodes if hasattr(n, "prim")},
        "dtypes": {n.aval.dtype.name for n in nodes if n.aval.dtype is not None},
        "mode": "graph",
    }
    if host_fallback and device.unsupported(**needs):
        return Executable(graph)
    device.check(**needs)
    if device.compile_graph is not None:
        return device.compile_graph(graph, {"device_target": target})
    from mind.core._src.runtime.device_executor import DeviceExecutable

    return DeviceExecutable(graph, device)


def _graph_kernel(target: str, jit_level: str | None = None) -> bool:
    """Whether graph-kernel fusion runs: ``jit(jit_level="O0")`` off, ``"O1"`` (or ``"O2"``)
    on, else the context's ``jit_level`` the same way, else ``enable_graph_kernel``, by default
    on for the native device only."""
    jit_level = jit_level or _CONTEXT.get("jit_level")
    if jit_level is not None:
        return jit_level != "O0"
    flag = _CONTEXT.get("enable_graph_kernel")
    return bool(flag) if flag is not None else target == "native"


def _hidden_parameters(graph: FuncGraph, weights: list[Parameter]) -> list[Parameter]:
    """The live Parameters whose arrays ``graph`` holds as constants (not among ``weights``)."""
    by_data = {id(p._data): p for p in live_parameters()}
    known = {id(w) for w in weights}
    found: dict[int, Parameter] = {}
    for node in _all_nodes(graph):
        if isinstance(node, Constant):
            p = by_data.get(id(node.value))
            if p is not None and id(p) not in known and p._data is node.value:
                found[id(p)] = p
    return list(found.values())


def _all_nodes(graph: FuncGraph) -> Any:
    """Every node of ``graph`` and of the graphs nested in it (branches, loop bodies)."""

    yield from graph.all_nodes()
    for node in graph.nodes:
        for _, sub in subgraphs(node):
            yield from _all_nodes(sub)


class _Compiled:
    __slots__ = (
        "executable",
        "graph",
        "memory_plan",
        "output_spec",
        "tensor_positions",
        "weights",
    )

    def __init__(
        self,
        graph: FuncGraph,
        weights: list[Parameter],
        tensor_positions: list[int],
        output_spec: Any,
        host_fallback: bool = False,
    ):
        self.graph, self.weights, self.tensor_positions, self.output_spec = (
            graph,
            weights,
            tensor_positions,
            output_spec,
        )
        self.executable = _executable_for(graph, host_fallback)


class JitFunction:
    """A compiled function; call it like the original. ``.graph(*args)`` shows the MindIR."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        input_signature: tuple | None = None,
        hash_args: tuple = (),
        cache: dict | None = None,
        host_fallback: bool = False,
        capture_mode: str = "ast",
        jit_level: str | None = None,
        fullgraph: bool = False,
    ) -> None:
        self.fn = fn
        self.capture_mode = capture_mode
        self.jit_level = jit_level
        self.fullgraph = fullgraph
        self._eager: set = set()  # signatures that run in PyNative mode (see __call__)
        self.name = name or getattr(fn, "__name__", None) or type(fn).__name__
        self.input_signature = input_signature  # ((shape, dtype) per Tensor argument), or None
        self.hash_args = hash_args
        self.host_fallback = host_fallback
        self.cache: dict[Any, _Compiled] = {} if cache is None else cache
        self.compilations = 0
        self._last_key: Any = None
        functools.update_wrapper(self, fn)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        bound = obj.__dict__.get(f"_jit_{self.name}")
        if bound is None:
            bound = JitFunction(
                self.fn.__get__(obj, objtype),
                self.name,
                self.input_signature,
                self.hash_args,
                capture_mode=self.capture_mode,
                jit_level=self.jit_level,
                fullgraph=self.fullgraph,
            )
            obj.__dict__[f"_jit_{self.name}"] = bound
        return bound

    def _signature(self, args: tuple) -> Any:
        # The device and the compile options are part of the key: a graph compiled for one
        # device (or with fusion on) never runs where another was asked for.
        target = _CONTEXT.get("device_target", "cpu")
        extra = tuple(_static_key(v) if _hashable(v) else ("id", id(v)) for v in self.hash_args)
        fusion = _graph_kernel(target, self.jit_level)
        return (*(_arg_key(a) for a in args), ("device", target, fusion), extra)

    def compile(self, *args: Any) -> _Compiled:
        if self.input_signature is not None:
            _check_signature(self.name, self.input_signature, args)
        key = self._signature(args)
        compiled = self.cache.get(key)
        if compiled is None:
            if self.cache and _explain_enabled():
                _explain(self.name, self._last_key, key)
            compiled = self._trace(args)
            if len(self.cache) >= _CACHE_LIMIT:
                warnings.warn(
                    f"jit: '{self.name}' compiled for {self.compilations} different input signatures; "
                    "inputs whose shapes, dtypes or Python values keep changing defeat the cache",
                    stacklevel=3,
                )
                self.cache.pop(next(iter(self.cache)))
            self.cache[key] = compiled
        self._last_key = key
        return compiled

    def graph(self, *args: Any) -> FuncGraph:
        """The MindIR graph this function compiles to for these arguments."""
        return self.compile(*args).graph

    def _trace(self, args: tuple, hidden: tuple = ()) -> _Compiled:
        tracer = Tracer(self.name)
        if self.capture_mode == "ast":
            tracer.convert = convert
        fn = convert(self.fn) if self.capture_mode == "ast" else self.fn
        graph = tracer.graph
        weights = _cells_and_params_of(self.fn, args)
        weights += [p for p in hidden if all(p is not w for w in weights)]
        positions: list[tuple[int, ...]] = []

        def trace_arg(a: Any, path: tuple[int, ...]) -> Any:
            # Tensors, also inside tuples and lists (a tuple of gradients), are graph inputs.
            if isinstance(a, Tensor) and not isinstance(a, Parameter):
                p = graph.add_parameter(_aval(a), "arg" + "_".join(map(str, path)))
                t = object.__new__(Tensor)
                t._data, t._node = TraceValue(p), None
                positions.append(path)
                return t
            if isinstance(a, tuple | list):
                return type(a)(trace_arg(v, (*path, j)) for j, v in enumerate(a))
            if type(a) is dict:
                return {k: trace_arg(v, (*path, k)) for k, v in a.items()}
            if isinstance(a, SPARSE_TYPES):
                parts = (trace_arg(getattr(a, f), (*path, f)) for f in a._parts)
                return type(a)(*parts, a.shape)
            return a

        traced_args = [trace_arg(a, (i,)) for i, a in enumerate(args)]
        saved = [(w, w._data) for w in weights]
        try:
            for w in weights:
                w._data = TraceValue(graph.add_parameter(_aval(w), w.name, "weight"))
            with tracing(tracer):
                result = fn(*traced_args)
                tracer.flush_writes()
            nodes: list = []
            spec = _flatten(result, tracer, nodes)
        finally:
            tracer.undo_writes()
            for w, data in saved:
                w._data = data
        graph.outputs = tuple(nodes)
        graph.verify()
        if not hidden:
            # A Parameter the code reached only while running (in a plain object, a dict) was
            # traced as a constant: trace again with it as a weight, so its writes persist.
            missed = _hidden_parameters(graph, weights)
            if missed:
                return self._trace(args, tuple(missed))
        target = _CONTEXT.get("device_target", "cpu")
        options = {
            "enable_graph_kernel": _graph_kernel(target, self.jit_level),
            "device_target": target,
        }
        graph = PassManager(options).run(graph)
        get_plugin_manager().on_graph_compiled(graph, target, options)
        self.compilations += 1
        compiled = _Compiled(graph, weights, positions, spec, self.host_fallback)
        compiled.memory_plan = memory_plan(graph)
        return compiled

    def __call__(self, *args: Any) -> Any:
        if is_tracing() or _batched(args):  # inside another jit, or vmapped: run the Python
            return self.fn(*args)  # function, whose ops the enclosing tracer or vmap interprets
        if self._eager and self._signature(args) in self._eager:
            return self.fn(*args)
        try:
            compiled = self.compile(*args)
        except ValueNeeded as exc:
            if self.fullgraph or _CONTEXT.get("jit_syntax_level", LAX) == STRICT:
                raise
            # MindSpore's LAX level (its default): what a graph cannot express runs in Python.
            # Here the whole function runs in PyNative mode for these argument types, with the
            # same values; STRICT or fullgraph=True make it an error.
            self._eager.add(self._signature(args))
            warnings.warn(
                f"jit: '{self.name}' runs in PyNative mode for these inputs (jit_syntax_level=LAX): "
                f"{exc}",
                stacklevel=2,
            )
            return self.fn(*args)
        if STATE.recording:  # a gradient is being taken through this call
            return self._recorded_call(compiled, args)
        arrays = [_at(args, path)._data for path in compiled.tensor_positions] + [
            w._data for w in compiled.weights
        ]
        return _rebuild(compiled.output_spec, compiled.executable(*arrays))

    def _recorded_call(self, compiled: _Compiled, args: tuple) -> Any:
        """Run the graph as one op the tape records, so that ``grad`` of a jit function gets
        the graph's derivative (itself compiled) instead of no gradient."""

        tensors = tuple(_at(args, path) for path in compiled.tensor_positions) + tuple(
            compiled.weights
        )
        return _rebuild(compiled.output_spec, tuple(call(compiled.graph, tensors)))


def _aval(t: Tensor):
    from mind.core._src.tensor import dtype as dt

    return ShapedArray(t._data.shape, dt.from_numpy_dtype(np.dtype(t._data.dtype)))


def _config_level(config: Any, jit_level: str | None) -> str | None:
    """The ``jit_level`` a :class:`JitConfig` asks for (``jit_level=`` given to ``jit`` wins)."""
    from mind.core._src.top_level import JitConfig

    if not isinstance(config, JitConfig):
        raise MindValueError(
            f"jit: 'jit_config' is not supported as a {type(config).__name__}; give a "
            "mind.core.JitConfig"
        )
    fields = config.jit_config_dict
    if fields["jit_syntax_level"]:
        raise MindValueError(
            "jit: a JitConfig's 'jit_syntax_level' is not supported per function; set it with "
            "set_context(jit_syntax_level=...)"
        )
    return jit_level if jit_level is not None else (fields["jit_level"] or None)


def jit(
    function: Callable[..., Any] | None = None,
    mode: str = "PSJit",
    input_signature: Any = None,
    hash_args: Any = None,
    jit_config: Any = None,
    compile_once: bool = False,
    *,
    capture_mode: str = "ast",
    jit_level: str | None = None,
    dynamic: int = 0,
    fullgraph: bool = False,
    backend: str = "",
) -> Any:
    """Compile ``function`` into a graph on first call (decorator or call form, MindSpore 2.x's
    ``mindspore.jit``, both its older and its 2.5 keywords); works on functions and on a Cell's
    ``construct``.

    :param capture_mode: ``"ast"`` (the default): the source of the function, and of the Python
        functions and Cells it calls, is converted before tracing, so ``if``, ``while`` and ``for
        i in range(n)`` on tensors compile to control-flow nodes and ``and``/``or``/``not`` work
        on tensors (see ``mind.core._src.ir.ast_capture``); ``"trace"``: traced as written, a
        tensor-valued condition raising :class:`GraphModeError`; ``"bytecode"``: taken as
        ``"ast"`` (Mind has no bytecode capture; docs/migration.md).
    :param jit_level: ``"O0"`` (no graph-kernel fusion), ``"O1"`` or ``"O2"`` (fusion on), or
        ``None``: ``set_context(enable_graph_kernel=...)``.
    :param dynamic: ``0`` only (every call compiles for its own shapes).
    :param fullgraph: ``True``: a function the graph cannot express (one needing a tensor's
        value while tracing: ``asnumpy``, ``item``, ``ops.unique``) raises :class:`GraphModeError`;
        ``False`` (the default): under ``set_context(jit_syntax_level=LAX)`` (the default, as
        MindSpore's) it runs in PyNative mode for those inputs instead, with a warning; under
        ``STRICT`` it raises.
    :param backend: ``""`` or ``"ms_backend"`` (MindRT); others raise.
    :param mode: ``"PSJit"`` (the default) or ``"PIJit"`` (taken as ``capture_mode="bytecode"``).
    :param input_signature: a Tensor or tuple of Tensors: calls whose Tensor arguments differ in
        shape or dtype are refused (dynamic shapes are not supported).
    :param hash_args: values the function reads from outside its arguments: a change in one
        compiles it again.
    :param jit_config: ``None`` or a :class:`mind.core.JitConfig`, whose ``jit_level`` is used
        (``jit_level=`` wins); its ``jit_syntax_level`` must be ``""`` (set it with
        ``set_context``).
    :param compile_once: every ``jit`` of the same function's code shares one compile cache
        (as MindSpore's: a closure's free variables are not part of the key, so two closures of
        one code object with different captured values must not use it).

    >>> @jit
    ... def f(x, y):
    ...     return ops.relu(x @ y)
    """
    if mode not in ("PSJit", "PIJit"):
        raise MindValueError(f"jit: 'mode' must be 'PSJit' or 'PIJit', got {mode!r}")
    if capture_mode not in ("ast", "bytecode", "trace"):
        raise MindValueError(
            f"jit: 'capture_mode' must be 'ast', 'bytecode' or 'trace', got {capture_mode!r}"
        )
    if jit_level not in (None, "O0", "O1", "O2"):
        raise MindValueError(f"jit: 'jit_level' must be 'O0', 'O1' or 'O2', got {jit_level!r}")
    if dynamic != 0:
        raise MindValueError(
            f"jit: 'dynamic' must be 0, got {dynamic!r}: Mind compiles each call for its own "
            "shapes (dynamic shapes are not supported)"
        )
    if not isinstance(fullgraph, bool):
        raise MindTypeError(f"jit: 'fullgraph' must be a bool, got {type(fullgraph).__name__}")
    if backend not in ("", "ms_backend"):
        raise MindValueError(
            f"jit: 'backend' must be '' or 'ms_backend' (MindRT), got {backend!r}; the device is "
            "chosen with set_context(device_target=...)"
        )
    if jit_config is not None:
        jit_level = _config_level(jit_config, jit_level)
    capture = "trace" if capture_mode == "trace" else "ast"  # bytecode (and PIJit): as ast
    signature = None if input_signature is None else _signature_of(input_signature)
    extra = (
        hash_args
        if isinstance(hash_args, tuple | list)
        else (() if hash_args is None else (hash_args,))
    )

    def make(fn: Any) -> JitFunction:
        if not callable(fn):
            raise MindTypeError(f"jit: expected a function or method, got {type(fn).__name__}")
        shared = None
        if compile_once:  # one cache for every jit of this function's code
            shared = _COMPILE_ONCE.setdefault(getattr(fn, "__code__", fn), {})
        return JitFunction(
            fn,
            input_signature=signature,
            hash_args=tuple(extra),
            cache=shared,
            capture_mode=capture,
            jit_level=jit_level,
            fullgraph=fullgraph,
        )

    return make if function is None else make(function)


def mutable(input_data: Any, dynamic_len: bool = False) -> Any:
    """MindSpore's ``mutable``: ``input_data`` as a variable of the compiled graph, not a
    constant. Every Tensor argument (also inside tuples, lists and dicts) already is one in
    Mind, so Tensors and containers of them come back as they are; a Python number becomes a
    0-d Tensor, so a new value reuses the compiled graph."""
    if dynamic_len:
        raise MindValueError(
            "For 'mutable', dynamic_len=True is not supported: a sequence of another length "
            "compiles its own graph"
        )
    if isinstance(input_data, Tensor):
        return input_data
    if isinstance(input_data, bool | int | float):
        return Tensor(input_data)
    if isinstance(input_data, tuple | list):
        return type(input_data)(mutable(v) for v in input_data)
    if isinstance(input_data, dict):
        return {k: mutable(v) for k, v in input_data.items()}
    raise MindTypeError(
        f"For 'mutable', 'input_data' must be a number, a Tensor, or a tuple, list or dict of "
        f"them, got {type(input_data).__name__}"
    )


_COMPILE_ONCE: dict[Any, dict] = {}


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _signature_of(value: Any) -> tuple:
    """``input_signature`` (Tensors, also inside tuples and lists, as ``Cell.set_inputs`` takes
    them) as ((shape, dtype), ...) in order; numbers in it (mutable scalars) are not checked."""
    items = value if isinstance(value, tuple | list) else (value,)
    out: list = []
    for k, t in enumerate(items):
        if isinstance(t, tuple | list):
            out.extend(_signature_of(t))
        elif isinstance(t, Tensor):
            out.append((tuple(t.shape), t._data.dtype))
        elif not isinstance(t, int | float | bool):
            raise MindTypeError(
                f"jit: 'input_signature' must be Tensors (or tuples of them); entry {k} is "
                f"{type(t).__name__}"
            )
    return tuple(out)


def _signature_tensors(args: Any) -> list[Tensor]:
    out: list[Tensor] = []
    for a in args:
        if isinstance(a, tuple | list):
            out.extend(_signature_tensors(a))
        elif isinstance(a, Tensor) and not isinstance(a, Parameter):
            out.append(a)
    return out


def _check_signature(name: str, signature: tuple, args: tuple) -> None:
    tensors = _signature_tensors(args)
    if len(tensors) != len(signature):
        raise MindValueError(
            f"jit: '{name}' was declared with input_signature of {len(signature)} Tensors, "
            f"called with {len(tensors)}"
        )
    for k, (t, (shape, dtype)) in enumerate(zip(tensors, signature)):
        fits = len(t.shape) == len(shape) and all(s in (-1, d) for s, d in zip(shape, t.shape))
        if not fits or t._data.dtype != dtype:
            raise MindValueError(
                f"jit: '{name}' Tensor argument {k} is {t._data.dtype}{list(t.shape)}, its "
                f"input_signature says {np.dtype(dtype)}{list(shape)} (-1: any size; each "
                "size compiles its own graph)"
            )


_ = GraphModeError


def _explain_enabled() -> bool:
    import os

    return bool(_CONTEXT.get("jit_explain")) or os.environ.get("MIND_JIT_EXPLAIN") == "1"


def _describe_arg(entry: Any) -> str:
    if entry[0] == "T":
        return f"Tensor(shape={entry[1]}, dtype={entry[2]})"
    return f"{entry[0]} {entry[1]!r}"


def _explain(name: str, old: Any, new: Any) -> None:
    """Say why ``name`` is compiling again: which arguments changed, and how."""
    import sys

    changes = []
    if old is not None and old[-1] != new[-1]:
        changes.append("a value in hash_args changed")
    old, new = (None if old is None else old[:-1]), new[:-1]
    if old is not None and old[-1][1] != new[-1][1]:
        changes.append(f"the device changed ({old[-1][1]} -> {new[-1][1]})")
    elif old is not None and old[-1] != new[-1]:
        changes.append(f"graph-kernel fusion was turned {'on' if new[-1][2] else 'off'}")
    old, new = (None if old is None else old[:-1]), new[:-1]
    if old is None or len(old) != len(new):
        changes.append(
            f"the number of arguments changed ({0 if old is None else len(old)} -> {len(new)})"
        )
    else:
        for i, (a, b) in enumerate(zip(old, new)):
            if a == b:
                continue
            if a[0] == "T" and b[0] == "T":
                what = []
                if a[1] != b[1]:
                    what.append(f"shape {a[1]} -> {b[1]}")
                if a[2] != b[2]:
                    what.append(f"dtype {a[2]} -> {b[2]}")
                changes.append(f"argument {i}: {', '.join(what)}")
            elif a[0] == "T" or b[0] == "T":
                changes.append(f"argument {i}: {_describe_arg(a)} -> {_describe_arg(b)}")
            else:
                changes.append(f"argument {i}: Python constant {a[1]!r} -> {b[1]!r}")
    print(f"jit: recompiling '{name}' because " + "; ".join(changes), file=sys.stderr)


from mind.core._src.jit_check import check as _check  # noqa: E402

jit.check = _check  # type: ignore[attr-defined]
