"""Primitives and eager (PyNative) dispatch.

A :class:`Primitive` is one operator defined in one place: its reference cpu kernel, its shape and
dtype inference, and its backward rule written with other ops. Eager dispatch (``bind``) calls the
kernel on the inputs' arrays and wraps the result; that is all it does unless a gradient is being
taken, in which case it also records one :class:`Node` for the tape. It never calls a plugin hook,
logs or validates: a kernel that fails is explained afterwards, from the primitive's inference
rule, so the error names the op, the argument and what was expected at no cost to the calls that
succeed.

Tracing and vmap are :class:`Interpreter` objects on a per-thread stack (``interpreting``): while
one is pushed on a thread, that thread's applications go to it instead of the kernel. ``bind``
reads one module global (are any pushed, on any thread?) before it looks at its thread's stack.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mind.core._src.context import _CONTEXT
from mind.core._src.plugins.manager import get_registry
from mind.core._src.plugins.records import PrimitiveDef
from mind.core._src.tensor.dtype import DType, from_numpy_dtype
from mind.core._src.tensor.tensor import Tensor
from mind.core.errors import MindError, MindTypeError, MindValueError, ShapeInferenceError

__all__ = [
    "EXAMPLES",
    "PRIMITIVES",
    "STATE",
    "TRAITS",
    "AbstractTuple",
    "Interpreter",
    "Node",
    "Primitive",
    "ShapedArray",
    "apply",
    "bind",
    "bind1",
    "bind2",
    "example",
    "find_primitive",
    "get_primitive",
    "interpreters",
    "interpreting",
    "primitive",
    "traits_of",
]


class ShapedArray:
    """An abstract tensor: a shape and a dtype, no data. What inference rules take and return."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape: tuple[int, ...], dtype: DType) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ShapedArray)
            and self.shape == other.shape
            and self.dtype is other.dtype
        )

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype.name))

    def __repr__(self) -> str:
        return f"ShapedArray({self.shape}, {self.dtype})"


class AbstractTuple:
    """The abstract value of a control-flow application (``cond``, ``scan``, ``while_loop``): a
    tuple of :class:`ShapedArray`; ``tuple_getitem`` takes its elements out. Only those
    primitives produce one, and only ``tuple_getitem`` consumes one."""

    __slots__ = ("elements",)

    #: No array has this value; code that asks for a shape or dtype is given empty ones.
    shape: tuple[int, ...] = ()
    dtype: Any = None

    def __init__(self, elements: tuple[ShapedArray, ...]) -> None:
        self.elements = tuple(elements)

    @property
    def ndim(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AbstractTuple) and self.elements == other.elements

    def __hash__(self) -> int:
        return hash(self.elements)

    def __repr__(self) -> str:
        return f"AbstractTuple({list(self.elements)})"


class _State:
    """Whether eager ops record tape nodes. Only ``grad`` and ``value_and_grad`` turn it on."""

    __slots__ = ("depth", "recording")

    def __init__(self) -> None:
        self.recording = False
        self.depth = 0


STATE = _State()


class Node:
    """One recorded op application: the backward pass calls ``prim.bprop`` on it.

    ``out`` is the output tensor itself (not a copy) so that higher-order gradients see how the
    output depends on the inputs; the cycle this makes (out -> node -> out) is broken when the
    outermost gradient computation ends.
    """

    __slots__ = ("attrs", "inputs", "out", "prim")

    def __init__(self, prim: Primitive | None, inputs: tuple, attrs: dict | None, out: Any) -> None:
        self.prim = prim
        self.inputs = inputs
        self.attrs = attrs
        self.out = out


#: What a primitive may declare about itself (``primitive(..., traits=(...))``); the compiler
#: passes, vmap and the devices read these instead of lists of op names.
TRAITS = {
    "elementwise": "numpy broadcasting, one output element per position (vmap aligns the batch "
    "axis; native lowers it as one expression)",
    "broadcasting": "not elementwise, but its leading axes broadcast like an elementwise op's "
    "(matmul): vmap aligns the batch axis the same way",
    "fusable": "graph-kernel fusion may put it in a fused chain (elementwise) or end a chain "
    "with it (reduction)",
    "reduction": "reduces over its 'axis' attribute (None: all axes), with 'keepdims'",
    "axis": "works along its single 'axis' attribute (softmax, cumsum)",
    "in_place": "writes its result into its first input and returns it (and may update other "
    "inputs in place, as apply_momentum its accumulation)",
    "random": "draws random numbers: never folded, merged or removed",
    "effect": "acts on the world (prints): never folded, merged or removed, and runs in order",
    "view": "its cpu kernel may return its input's array or a view of it",
    "commutative": "its two inputs may be swapped (exactly, in IEEE arithmetic too)",
}


# PrimitiveDef's fields and the Primitive attributes they become.
_RECORD_FIELDS = (
    ("abstract_eval", "infer"),
    ("cpu_kernel", "cpu"),
    ("bprop", "bprop"),
    ("differentiable", "differentiable"),
    ("attrs", "attrs"),
    ("doc", "doc"),
    ("traits", "traits"),
)


class Primitive:
    """The runtime form of a primitive; eager dispatch reads ``impl`` directly.

    :param name: the primitive's name.
    :param cpu: the reference kernel, on numpy arrays; called as ``cpu(*arrays, **attrs)``.
    :param infer: shape and dtype inference, ``infer(*shaped_arrays, **attrs) -> ShapedArray``;
        raises :class:`ShapeInferenceError` naming the op, the argument and what was expected.
    :param bprop: ``bprop(*inputs, out, dout, **attrs) -> tuple`` of input cotangents (``None``
        for an input with no gradient), written with ops so it is itself differentiable. Results
        may be broadcast or of a wider dtype: the tape sums and casts them to each input's shape
        and dtype.
    :param differentiable: ``False`` for ops with no gradient (comparisons, argmax, random).
    :param masked_bprop: the bprop takes ``needs=(bool, ...)`` saying which inputs want a
        cotangent, and skips the others (matmul and conv2d: a skipped input saves a whole matmul).
    :param traits: names from :data:`TRAITS` that hold for it.
    """

    __slots__ = (
        "attrs",
        "bprop",
        "cpu",
        "differentiable",
        "doc",
        "impl",
        "infer",
        "masked_bprop",
        "name",
        "traits",
    )

    def __init__(
        self,
        name: str,
        *,
        cpu: Callable[..., Any],
        infer: Callable[..., ShapedArray],
        bprop: Callable[..., tuple] | None = None,
        differentiable: bool = True,
        attrs: tuple[str, ...] = (),
        doc: str = "",
        masked_bprop: bool = False,
        traits: tuple[str, ...] | frozenset[str] = (),
    ) -> None:
        unknown = sorted(set(traits) - set(TRAITS))
        if unknown:
            raise MindValueError(
                f"primitive {name!r}: unknown traits {unknown}; known: {sorted(TRAITS)}"
            )
        self.traits = frozenset(traits)
        self.name = name
        self.masked_bprop = masked_bprop
        self.cpu = cpu
        self.infer = infer
        self.bprop = bprop
        self.differentiable = differentiable
        self.attrs = attrs
        self.doc = doc
        self.impl = self._first_call

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"

    def definition(self) -> PrimitiveDef:
        """The record this primitive registers through ``mind_register_primitives``."""
        fields = {record: getattr(self, mine) for record, mine in _RECORD_FIELDS}
        return PrimitiveDef(name=self.name, **dict(fields, traits=tuple(sorted(self.traits))))

    @classmethod
    def from_definition(cls, definition: PrimitiveDef) -> Primitive:
        """The primitive a plugin's ``PrimitiveDef`` describes."""
        if definition.num_outputs != 1:
            raise MindValueError(
                f"primitive {definition.name!r} declares {definition.num_outputs} outputs; "
                "plugin primitives have one output (return a stacked array and split it with ops)"
            )
        return cls(
            definition.name,
            **{mine: getattr(definition, record) for record, mine in _RECORD_FIELDS},
        )

    def __call__(self, *inputs: Any, **attrs: Any) -> Any:
        """Apply the primitive to Tensors (numbers and arrays are made Tensors), its attributes
        as keywords: ``get_primitive("example_scale")(x, scale=2.0)``."""
        tensors = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
        return bind(self, tensors, attrs or None)

    def _first_call(self, *args: Any, **kwargs: Any) -> Any:
        install_kernels()
        if self.impl == self._first_call:  # not one of PRIMITIVES: its own reference kernel
            self.impl = self.cpu
        return self.impl(*args, **kwargs)


#: Every primitive mind-core defines, and those the plugins register, by name.
PRIMITIVES: dict[str, Primitive] = {}
_ADOPTED: dict[str, PrimitiveDef] = {}  # the plugins' primitives in PRIMITIVES, by name


#: Example cases by primitive, registered right under each definition with :func:`example`: what
#: the primitive tests and the device conformance suite run each primitive on.
EXAMPLES: dict[Primitive, Callable[[Any], tuple]] = {}


def example(prim: Primitive, case: Callable[[Any], tuple]) -> None:
    """Register ``prim``'s example: ``case(c) -> (inputs, attrs, reference)``, numpy inputs, the
    attributes and a numpy (or scipy) function computing the expected output from the inputs
    (``None`` where another test checks the value). ``c`` is
    :mod:`mind.core.testing.primitive_cases`, the input makers and references, so nothing is built
    until a test asks."""
    EXAMPLES[prim] = case


def primitive(name: str, **kwargs: Any) -> Primitive:
    """Define a primitive (see :class:`Primitive`) and add it to :data:`PRIMITIVES`."""
    if name in PRIMITIVES:
        raise MindValueError(f"primitive {name!r} is defined twice")
    prim = PRIMITIVES[name] = Primitive(name, **kwargs)
    return prim


def install_kernels() -> None:
    """Make the plugins' primitives bindable, and point every primitive's ``impl`` at the ``cpu``
    device's kernel from the plugin registry.

    Runs once, at the first eager op (or the first :func:`get_primitive` of a plugin's op): a
    plugin's faster ``cpu`` kernel (``mind_register_kernels``) replaces the reference one;
    afterwards dispatch reads ``impl`` with no lookup at all.
    """

    registry = get_registry()
    for name, definition in list(_ADOPTED.items()):  # a plugin manager was swapped (tests)
        if registry.primitives.get(name) is not definition:
            del PRIMITIVES[name], _ADOPTED[name]
    for name, definition in registry.primitives.items():
        if name not in PRIMITIVES:
            PRIMITIVES[name] = Primitive.from_definition(definition)
            _ADOPTED[name] = definition
    kernels = registry.device("cpu").kernels
    on_device = _device_kernels(registry)
    for name, prim in PRIMITIVES.items():
        prim.impl = on_device.get(name) or kernels.get(name, prim.cpu)


def _device_kernels(registry: Any) -> dict[str, Callable[..., Any]]:
    """For a ``device_target`` other than cpu that runs PyNative (and can run here): its kernels
    by primitive name. Those of a device whose buffers are host arrays (``Allocator.host_arrays``)
    are called as they are; any other device's are wrapped to take and return host arrays (copy
    in, run, copy out, free), in-place ones left out, as their writes would land in the copies."""

    target = _CONTEXT.get("device_target", "cpu")
    if target == "cpu":
        return {}
    device = registry.device(target)
    if "pynative" not in device.modes or not device.available:
        return {}
    if device.allocator.host_arrays:
        return dict(device.kernels)
    return {
        name: _host_call(device, kernel)
        for name, kernel in device.kernels.items()
        if "in_place" not in traits_of(name)
    }


def _host_call(device: Any, kernel: Callable[..., Any]) -> Callable[..., Any]:
    import numpy as np

    to_device, to_host, free = device.copy_from_host, device.copy_to_host, device.free

    def on_device(*arrays: Any, **attrs: Any) -> Any:
        buffers = [to_device(np.asarray(a)) for a in arrays]
        try:
            out = kernel(*buffers, **attrs)
            try:
                return to_host(out)
            finally:
                if not any(out is b for b in buffers):
                    free(out)
        finally:
            for b in buffers:
                free(b)

    on_device.__name__ = getattr(kernel, "__name__", "kernel")
    return on_device


def traits_of(name: str) -> frozenset[str]:
    """The traits of the primitive called ``name`` (none for a name nobody defines)."""
    prim = PRIMITIVES.get(name)
    return prim.traits if prim is not None else frozenset()


def find_primitive(name: str) -> Primitive | None:
    """The primitive called ``name`` (mind-core's or a plugin's), or None."""
    prim = PRIMITIVES.get(name)
    if prim is None:
        install_kernels()
        prim = PRIMITIVES.get(name)
    return prim


def get_primitive(name: str) -> Primitive:
    """The primitive called ``name``: one of mind-core's, or one a plugin registers through
    ``mind_register_primitives``. Call it on Tensors to apply it."""
    prim = find_primitive(name)
    if prim is None:
        raise MindValueError(
            f"no primitive is called {name!r}: neither mind-core nor an installed plugin "
            "registers it (`python -m mind.core info` lists the plugins)"
        )
    return prim


# ------------------------------------------------------------------------------------------------
# Interpreters: what a primitive application means on this thread
# ------------------------------------------------------------------------------------------------


class Interpreter:
    """A way to apply primitives other than computing them: tracing records graph nodes, vmap
    applies batching rules. Each thread has its own stack of them; the innermost one decides
    what ``bind`` does with an application on that thread, and may pass it (or the
    applications it turns it into) to the one below with :meth:`below`; below the stack, the
    device kernels compute."""

    level = 0  # its place in the thread's stack, set while it is pushed

    def process(self, prim: Primitive, values: tuple, attrs: dict) -> Any:
        """Apply ``prim`` to raw ``values`` (arrays, or the values of outer interpreters)."""
        raise NotImplementedError

    def below(self, prim: Primitive, values: tuple, attrs: dict) -> Any:
        """Apply ``prim`` as the interpreter under this one would (or the kernel)."""
        if self.level:
            return _LOCAL.stack[self.level - 1].process(prim, values, attrs)
        return prim.impl(*values, **attrs)


class _Local(threading.local):
    def __init__(self) -> None:
        self.stack: list[Interpreter] = []


_LOCAL = _Local()
#: How many interpreters are pushed on all threads together. ``bind`` reads this global (a
#: dict-free, lock-free read) before it looks at its thread's stack, so eager code pays one
#: truth test while nothing anywhere is traced or vmapped.
INTERPRETING = 0
_COUNT = threading.Lock()


def interpreters() -> list[Interpreter]:
    """This thread's interpreter stack, innermost last (read it, do not change it)."""
    return _LOCAL.stack


@contextmanager
def interpreting(interpreter: Interpreter) -> Iterator[Interpreter]:
    """Push ``interpreter`` on this thread's stack for the duration of the block."""
    global INTERPRETING
    stack = _LOCAL.stack
    interpreter.level = len(stack)
    with _COUNT:
        INTERPRETING += 1
    stack.append(interpreter)
    try:
        yield interpreter
    finally:
        stack.pop()
        with _COUNT:
            INTERPRETING -= 1


def apply(prim: Primitive, *values: Any, **attrs: Any) -> Any:
    """Apply ``prim`` to raw values as this thread interprets it now (computing, tracing or
    batching): for code that works below Tensors (batching rules, graph interpretation)."""
    if INTERPRETING:
        stack = _LOCAL.stack
        if stack:
            return stack[-1].process(prim, values, attrs)
    return prim.impl(*values, **attrs)


# ------------------------------------------------------------------------------------------------
# Eager dispatch
# ------------------------------------------------------------------------------------------------

_new = object.__new__


def bind1(prim: Primitive, x: Any, attrs: dict | None = None) -> Any:
    """Apply a one-input primitive to a Tensor."""
    try:
        if INTERPRETING and _LOCAL.stack:
            out = _LOCAL.stack[-1].process(prim, (x._data,), attrs or {})
        else:
            out = prim.impl(x._data, **attrs) if attrs else prim.impl(x._data)
    except MindError:
        raise
    except Exception as exc:
        raise explain(prim, (x,), attrs, exc) from exc
    t = _new(Tensor)
    t._data = out
    t._node = None
    if STATE.recording and x._node is not None:
        t._node = Node(prim, (_held(x),), attrs, t)
    return t


def bind2(prim: Primitive, x: Any, y: Any, attrs: dict | None = None) -> Any:
    """Apply a two-input primitive to two Tensors."""
    try:
        if INTERPRETING and _LOCAL.stack:
            out = _LOCAL.stack[-1].process(prim, (x._data, y._data), attrs or {})
        else:
            out = prim.impl(x._data, y._data, **attrs) if attrs else prim.impl(x._data, y._data)
    except MindError:
        raise
    except Exception as exc:
        raise explain(prim, (x, y), attrs, exc) from exc
    t = _new(Tensor)
    t._data = out
    t._node = None
    if STATE.recording and (x._node is not None or y._node is not None):
        t._node = Node(prim, (_held(x), _held(y)), attrs, t)
    return t


def bind(prim: Primitive, inputs: tuple, attrs: dict | None = None) -> Any:
    """Apply a primitive to any number of Tensors."""
    try:
        if INTERPRETING and _LOCAL.stack:
            out = _LOCAL.stack[-1].process(prim, tuple(x._data for x in inputs), attrs or {})
        else:
            out = prim.impl(*[x._data for x in inputs], **(attrs or {}))
    except MindError:
        raise
    except Exception as exc:
        raise explain(prim, inputs, attrs, exc) from exc
    t = _new(Tensor)
    t._data = out
    t._node = None
    if STATE.recording:
        for x in inputs:
            if x._node is not None:
                t._node = Node(prim, tuple(_held(x) for x in inputs), attrs, t)
                break
    return t


def _held(x: Any) -> Any:
    """What a tape node keeps of an input: its value and node now, which an in-place write
    (``x[i] = v`` rebinds ``x``) does not change."""
    h = _new(Tensor)
    h._data = x._data
    h._node = x._node
    return h


def explain(prim: Primitive, inputs: tuple, attrs: dict | None, exc: Exception) -> MindError:
    """Turn a kernel's failure into an error naming the op, the argument and what was expected.

    Runs only after a kernel raised: the primitive's inference rule, given the inputs' shapes and
    dtypes, usually says precisely what was wrong; if it finds nothing, the kernel's own message
    is passed on with the op's name and the inputs' shapes.
    """
    try:
        avals = [ShapedArray(x._data.shape, from_numpy_dtype(x._data.dtype)) for x in inputs]
        prim.infer(*avals, **(attrs or {}))
    except (ShapeInferenceError, MindTypeError, MindValueError) as found:
        return found
    except Exception:  # the inference rule itself could not cope: fall through
        pass
    shapes = ", ".join(str(tuple(x._data.shape)) for x in inputs)
    kind = MindTypeError if isinstance(exc, TypeError) else MindValueError
    return kind(f"For '{prim.name}', the kernel failed on inputs of shapes {shapes}: {exc}")
