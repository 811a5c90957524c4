"""``Cell``: the base of every layer and network, and the containers SequentialCell and CellList.

A Cell holds Parameters and child Cells as attributes and computes in ``construct``. Assigning a
Parameter or a Cell to an attribute registers it (in order), so ``parameters_and_names()`` can walk
the tree; attribute reads are plain attribute reads, with no lookup hook on the hot path.
"""

from __future__ import annotations

import functools
import operator
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from mind.core._src.autodiff.eager import recomputed, with_backward
from mind.core._src.context import _CONTEXT
from mind.core._src.ir.trace import is_tracing, user_function
from mind.core._src.ops.array import assign, concat, reshape
from mind.core._src.ops.dispatch import STATE
from mind.core._src.ops.elementwise import cast, zeros_like
from mind.core._src.tensor.dtype import promote
from mind.core._src.tensor.tensor import Parameter, ParameterTuple, Tensor, as_tensor
from mind.core.errors import CellAttributeError, CellNameError, MindTypeError, MindValueError

__all__ = ["Cell", "CellDict", "CellList", "HookHandle", "SequentialCell", "jit_class"]


class _Buffer(Tensor):
    """A Tensor a Cell holds as state that is not trained (a running mean, a mask): MindSpore's
    ``mindspore.common.parameter._Buffer``. Assigning one to a Cell's attribute registers it as
    ``register_buffer`` does; it is listed by ``named_buffers`` and saved by ``state_dict``."""

    __slots__ = ()

    def __init__(self, data: Any) -> None:
        data = as_tensor(data)
        self._data = data._data
        self._node = data._node


class _IncompatibleKeys(tuple):
    """``(missing_keys, unexpected_keys)`` of ``load_state_dict``, as torch's namedtuple."""

    def __new__(cls, missing_keys: list[str], unexpected_keys: list[str]) -> _IncompatibleKeys:
        return super().__new__(cls, (missing_keys, unexpected_keys))

    @property
    def missing_keys(self) -> list[str]:
        return self[0]

    @property
    def unexpected_keys(self) -> list[str]:
        return self[1]


class HookHandle:
    """What ``register_*_hook`` returns: ``remove()`` unregisters the hook."""

    def __init__(self, table: dict, key: int) -> None:
        self._table, self._key = table, key

    def remove(self) -> None:
        self._table.pop(self._key, None)


class _Hooks:
    """A Cell's hooks and input dtype, made on the first registration."""

    def __init__(self) -> None:
        self.pre: dict[int, Callable] = {}
        self.forward: dict[int, Callable] = {}
        self.backward: dict[int, Callable] = {}
        self.dtype: Any = None
        self.recompute = False
        self.last_grad_output: Any = None
        self._next = 0

    def add(self, kind: str, hook: Callable) -> HookHandle:
        if not callable(hook):
            raise MindTypeError(f"A Cell hook must be callable, got {type(hook).__name__}")
        self._next += 1
        table = getattr(self, kind)
        table[self._next] = hook
        return HookHandle(table, self._next)


def jit_class(cls: type) -> type:
    """Mark a class whose instances graph-mode code uses (MindSpore's ``jit_class``): their
    attributes are read and their methods called, and converted, as the code reaches them. A
    Cell needs no mark, and takes none, as in MindSpore."""
    if not isinstance(cls, type):
        raise MindTypeError(f"jit_class: expected a class, got {type(cls).__name__}")
    if issubclass(cls, Cell):
        raise MindTypeError(
            f"jit_class: '{cls.__name__}' is a Cell, which graph mode takes as it is"
        )
    cls.__ms_class__ = True
    return cls


_RECOMPUTE_OPTIONS = {
    "mp_comm_recompute",
    "parallel_optimizer_comm_recompute",
    "recompute_slice_activation",
}


def recompute(block: Cell, *args: Any, **kwargs: Any) -> Any:
    """``block(*args, **kwargs)`` whose activations the gradient does not keep: its backward
    runs ``block`` again (MindSpore's ``mindspore.recompute``; see :meth:`Cell.recompute`)."""
    if not isinstance(block, Cell):
        raise MindTypeError(f"For 'recompute', 'block' must be a Cell, got {type(block).__name__}")
    for option in ("use_reentrant", "output_recompute", "early_stop", "context_fn"):
        kwargs.pop(option, None)
    hooks = block.__dict__.get("_hooks")
    if not STATE.recording or (hooks is not None and hooks.recompute):
        return block(*args, **kwargs)
    return recomputed(lambda *xs: block(*xs, **kwargs), args, list(block.get_parameters()))


# How many times a network's structure was edited after assembly: a child or a Parameter
# replaced or removed, a container that belongs to a network edited. A compiled graph made
# before an edit is made again: it would run the old structure.
_EDITS = [0]


def _edited() -> None:
    _EDITS[0] += 1


def cached_graph(cell: Cell, key: str, make: Callable[[], Any]) -> Any:
    """``cell.__dict__[key]``, a compiled function made by ``make()`` once, and again after any
    edit of a network's structure (see ``_EDITS``)."""
    fn = cell.__dict__.get(key)
    stamps = cell.__dict__.setdefault("_graph_stamps", {})
    if fn is None or stamps.get(key) != _EDITS[0]:
        fn = make()
        object.__setattr__(cell, key, fn)
        stamps[key] = _EDITS[0]
    return fn


def _has_bprop(cell: Cell) -> bool:
    return getattr(type(cell), "bprop", None) is not None


class _Packed:
    """Tensors as one flat vector for a single tape node (a bprop's or a backward hook's):
    the floating-point ones cast to one dtype, flattened end to end; ``piece`` takes each back
    out on the tape, so one cotangent of the vector holds a cotangent for each of them."""

    def __init__(self, tensors: list[Tensor]) -> None:
        self.tensors = tensors
        self.spans: dict[int, tuple[int, int]] = {}
        start = 0
        for k, t in enumerate(tensors):
            if t.dtype.is_floating_point:
                self.spans[k] = (start, start + t.size)
                start += t.size
        if self.spans:
            common = functools.reduce(promote, (tensors[k].dtype for k in self.spans))
            self.flat = concat([reshape(cast(tensors[k], common), (-1,)) for k in self.spans])

    def piece(self, flat: Tensor, k: int) -> Tensor:
        """Tensor ``k`` (a floating-point one) out of ``flat``."""
        a, b = self.spans[k]
        t = self.tensors[k]
        return cast(reshape(flat[a:b], t.shape), t.dtype)

    def pieces(self, flat: Tensor) -> list[Tensor]:
        """All the tensors out of ``flat``: zeros for an integer one, which has no cotangent."""
        return [
            self.piece(flat, k) if k in self.spans else zeros_like(t)
            for k, t in enumerate(self.tensors)
        ]


def _cast_float(x: Any, dtype: Any) -> Any:
    return cast(x, dtype) if isinstance(x, Tensor) and x.dtype.is_floating_point else x


class Cell:
    """Base class for networks: subclass it, create layers in ``__init__``, compute in
    ``construct``, call the instance.

    >>> class Net(nn.Cell):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Dense(4, 2)
    ...     def construct(self, x):
    ...         return self.fc(x)
    """

    def __init__(self, auto_prefix: bool = True, flags: dict | None = None) -> None:
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_cells", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", False)
        object.__setattr__(self, "_auto_prefix", auto_prefix)
        object.__setattr__(self, "requires_grad", False)

    # -- registration ------------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if "_params" not in self.__dict__:
            if not isinstance(value, Parameter | Cell | ParameterTuple | _Buffer):
                # As MindSpore: plain attributes may come first; calling the Cell raises.
                object.__setattr__(self, name, value)
                return
            raise CellAttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning Parameters "
                "and Cells"
            )
        slot = self._slot_kind(name)
        held = self._params.get(name, self._cells.get(name))
        if slot is not None and isinstance(value, Parameter | Cell | None) and held is not value:
            _edited()  # a child or a Parameter replaced or removed (a Tensor only writes one)
        if isinstance(value, Parameter):
            if slot == "cell":
                raise CellNameError(
                    f"For '{type(self).__name__}', '{name}' is a child Cell; a Parameter cannot "
                    "take its name"
                )
            self._vacated().pop(name, None)
            self._params[name] = value
            if not value._name_set:
                value.name = name
        elif isinstance(value, Cell):
            if slot == "param":
                raise CellNameError(
                    f"For '{type(self).__name__}', '{name}' is a Parameter; a child Cell cannot "
                    "take its name"
                )
            self._vacated().pop(name, None)
            self._cells[name] = value
            value.__dict__["_in_network"] = True  # its edits are network edits from now on
            if self._auto_prefix:
                # As MindSpore: each parameter of a child is named by its path from here when
                # the child is attached (``fc1.weight``, whatever name it had), so names are
                # full paths once the net is built.
                for path, param in value._tree_parameters():
                    param.name = f"{name}.{path}"
        elif isinstance(value, ParameterTuple):
            # As MindSpore: a Cell holds the Parameters of a ParameterTuple attribute (an
            # optimizer's ``self.moments = self.parameters.clone(...)``), listed after the tree's.
            self._params.pop(name, None)
            self._cells.pop(name, None)
            self.__dict__.setdefault("_tuples", {})[name] = value
        elif isinstance(value, _Buffer) or (
            name in self.__dict__.get("_buffers", {})
            and (value is None or isinstance(value, Tensor))
        ):
            # As MindSpore: a _Buffer attribute is a buffer; a Tensor (or None) assigned to a
            # buffer's name replaces it.
            if slot is not None:
                what = "a Parameter" if slot == "param" else "a child Cell"
                raise MindTypeError(
                    f"For '{type(self).__name__}', '{name}' is {what}; it cannot be a buffer"
                )
            table = self.__dict__.setdefault("_buffers", OrderedDict())
            if table.get(name) is not value:
                _edited()  # a compiled graph read the old buffer as a constant
            table[name] = value
        elif value is None and slot is not None:
            # As MindSpore: the name stays a Parameter's (a Cell's) slot, empty for now.
            self._params.pop(name, None)
            self._cells.pop(name, None)
            self.__dict__.setdefault("_vacated_slots", {})[name] = slot
        elif isinstance(value, Tensor) and name in self._params:
            # As MindSpore: a Tensor assigned to a Parameter's attribute writes the Parameter
            # (an ordered in-graph update inside jit: ``self.weight = x``, ``self.step += 1``).
            param = self._params[name]
            if is_tracing() or value.shape == param.shape:
                assign(param, value)
            else:
                param.set_data(value)
            return
        elif slot is not None:
            what = "a Parameter" if slot == "param" else "a child Cell"
            raise MindTypeError(
                f"For '{type(self).__name__}', '{name}' is {what}; it cannot be assigned a "
                f"{type(value).__name__}"
            )
        object.__setattr__(self, name, value)

    def _slot_kind(self, name: str) -> str | None:
        """``"param"`` or ``"cell"`` where ``name`` is (or was, until set to None) a Parameter's
        or a child Cell's attribute; else None."""
        if name in self._params:
            return "param"
        if name in self._cells:
            return "cell"
        return self._vacated().get(name)

    def _vacated(self) -> dict[str, str]:
        return self.__dict__.get("_vacated_slots", {})

    def _tree_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """``(path, parameter)`` for the parameters of the tree itself (not of ParameterTuple
        attributes, whose names their owner gives)."""
        seen: set[int] = set()
        for prefix, cell in self.cells_and_names():
            for name, param in cell._params.items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{prefix}.{name}" if prefix else name), param

    def __delattr__(self, name: str) -> None:
        if name in self._params or name in self._cells:
            _edited()
        self._params.pop(name, None)
        self._cells.pop(name, None)
        self.__dict__.get("_tuples", {}).pop(name, None)
        self.__dict__.get("_buffers", {}).pop(name, None)
        self._vacated().pop(name, None)
        object.__delattr__(self, name)

    def _check_new_name(self, method: str, argument: str, name: Any, table: dict) -> None:
        """MindSpore's rules for a name a child or a Parameter is inserted under: a non-empty
        str without '.', not another attribute of the Cell."""
        if not isinstance(name, str):
            raise MindTypeError(
                f"For '{method}', '{argument}' must be a str, got {type(name).__name__}"
            )
        if not name:
            raise CellNameError(f"For '{method}', '{argument}' must not be empty")
        if "." in name:
            raise CellNameError(f"For '{method}', '{argument}' must not contain '.', got {name!r}")
        if name not in table and name not in self._vacated() and hasattr(self, name):
            raise CellNameError(
                f"For '{method}', '{type(self).__name__}' already has an attribute {name!r}; "
                "insert under another name"
            )

    def insert_child_to_cell(self, child_name: str, child_cell: Cell | None) -> None:
        """Add ``child_cell`` under ``child_name`` (same as assigning the attribute; None leaves
        an empty child slot)."""
        if child_cell is not None and not isinstance(child_cell, Cell):
            raise MindTypeError(
                f"For 'insert_child_to_cell', 'child_cell' must be a Cell, got {type(child_cell).__name__}"
            )
        self._check_new_name("insert_child_to_cell", "child_name", child_name, self._cells)
        if child_cell is None and child_name not in self._cells:
            self.__dict__.setdefault("_vacated_slots", {})[child_name] = "cell"
            object.__setattr__(self, child_name, None)
            return
        setattr(self, child_name, child_cell)

    def insert_param_to_cell(
        self, param_name: str, param: Parameter | None, check_name_contain_dot: bool = True
    ) -> None:
        """Add ``param`` under ``param_name`` (same as assigning the attribute)."""
        if param is not None and not isinstance(param, Parameter):
            raise MindTypeError(
                f"For 'insert_param_to_cell', 'param' must be a Parameter, got {type(param).__name__}"
            )
        if check_name_contain_dot:
            self._check_new_name("insert_param_to_cell", "param_name", param_name, self._params)
        elif not param_name:
            raise CellNameError("For 'insert_param_to_cell', 'param_name' must not be empty")
        if param is None and param_name not in self._params:
            self.__dict__.setdefault("_vacated_slots", {})[param_name] = "param"
            object.__setattr__(self, param_name, None)
            return
        setattr(self, param_name, param)

    def apply(self, fn: Callable[[Cell], Any]) -> Cell:
        """Call ``fn`` on every child Cell, depth first, then on this one (MindSpore's
        ``Cell.apply``: initialise weights, for one); returns the Cell."""
        for cell in self.cells():
            cell.apply(fn)
        fn(self)
        return self

    # -- running -------------------------------------------------------------------------------------

    def construct(self, *inputs: Any, **kwargs: Any) -> Any:
        raise CellAttributeError(f"{type(self).__name__} must define construct()")

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        if "_params" not in self.__dict__:
            raise CellAttributeError(
                f"{type(self).__name__} is called, but its __init__ did not call super().__init__()"
            )
        if self.__dict__.get("_hooks") is not None or (STATE.recording and _has_bprop(self)):
            return self._call_with_hooks(inputs, kwargs)
        return self._run(inputs, kwargs)

    def _run(self, inputs: tuple, kwargs: dict) -> Any:
        if _CONTEXT["mode"] == 0 and not kwargs:  # GRAPH_MODE: compile construct once per signature
            return self._graph_call(*inputs)
        if is_tracing():  # converted first in capture_mode="ast"
            return user_function(self.construct)(*inputs, **kwargs)
        return self.construct(*inputs, **kwargs)

    def _call_with_hooks(self, inputs: tuple, kwargs: dict) -> Any:
        """A call with forward hooks, a cast of the inputs (``to_float``), a custom ``bprop`` or
        backward hooks: the slow path, taken only by Cells that have one."""
        hooks = self.__dict__.get("_hooks") or _Hooks()
        for hook in list(hooks.pre.values()):
            changed = hook(self, inputs)
            if changed is not None:
                inputs = changed if isinstance(changed, tuple) else (changed,)
        if hooks.dtype is not None:
            inputs = tuple(_cast_float(x, hooks.dtype) for x in inputs)
        backward = STATE.recording and hooks.backward
        if backward:
            inputs = self._watch_inputs(inputs)
        if STATE.recording and _has_bprop(self):
            out = self._call_bprop_cell(inputs, kwargs)
        elif STATE.recording and hooks.recompute:
            weights = list(self.get_parameters())
            out = recomputed(lambda *xs: self._run(xs, kwargs), inputs, weights)
        else:
            out = self._run(inputs, kwargs)
        for hook in list(hooks.forward.values()):
            changed = hook(self, inputs, out)
            if changed is not None:
                out = changed
        if backward:
            out = self._watch_output(out)
        return out

    def _call_bprop_cell(self, inputs: tuple, kwargs: dict) -> Any:
        """``construct`` off the tape, its gradient given by the Cell's own ``bprop(*inputs, out,
        dout)`` (MindSpore's custom backward). A tuple of outputs reaches the tape as one packed
        node, its floating-point outputs flattened end to end, so ``bprop`` runs once with a
        ``dout`` per output (zeros for an integer one and for outputs the loss does not use)."""
        name = type(self).__name__
        STATE.recording = False
        try:
            out = self._run(inputs, kwargs)
            many = isinstance(out, tuple | list)
            outs = list(out) if many else [out]
            if not all(isinstance(o, Tensor) for o in outs):
                raise MindTypeError(
                    f"For '{name}', a Cell with a bprop must return a Tensor or a tuple of "
                    f"Tensors, got {type(out).__name__}"
                )
            pack = _Packed(outs)
            if not pack.spans:
                return out
        finally:
            STATE.recording = True
        positions = [k for k, x in enumerate(inputs) if isinstance(x, Tensor)]

        def rule(*rest: Any) -> tuple:
            *tensors, _, dout = rest
            args = list(inputs)
            for k, t in zip(positions, tensors):
                args[k] = t
            douts = pack.pieces(dout)
            grads = self.bprop(*args, out, tuple(douts) if many else douts[0])
            grads = grads if isinstance(grads, tuple | list) else (grads,)
            if len(grads) != len(inputs):
                raise MindValueError(
                    f"For '{name}.bprop', expected {len(inputs)} gradients (one per input), got "
                    f"{len(grads)}"
                )
            return tuple(None if grads[k] is None else as_tensor(grads[k]) for k in positions)

        node = with_backward([inputs[k] for k in positions], pack.flat, rule)
        if not many:
            return pack.piece(node, 0)
        return type(out)(pack.piece(node, k) if k in pack.spans else o for k, o in enumerate(outs))

    def _watch_inputs(self, inputs: tuple) -> tuple:
        """``inputs`` passed on unchanged, their gradients handed together to the backward
        hooks on the way back: each hook runs once per backward pass, with one cotangent per
        Tensor input (MindSpore's ``grad_input``)."""
        positions = [k for k, x in enumerate(inputs) if isinstance(x, Tensor)]
        pack = _Packed([inputs[k] for k in positions])
        if not pack.spans:
            return inputs

        def rule(*rest: Any) -> tuple:
            dout = rest[-1]
            grads = tuple(pack.pieces(dout))
            hooks = self.__dict__.get("_hooks")
            grad_out = tuple(hooks.last_grad_output or ()) if hooks else ()
            for hook in list(hooks.backward.values()) if hooks else ():
                changed = hook(self, grads, grad_out)
                if changed is not None:
                    changed = tuple(changed) if isinstance(changed, tuple | list) else (changed,)
                    if len(changed) != len(grads):
                        raise MindValueError(
                            f"For '{type(self).__name__}', a backward hook returned "
                            f"{len(changed)} gradients for {len(grads)} inputs"
                        )
                    grads = changed
            return tuple(g if j in pack.spans else None for j, g in enumerate(grads))

        node = with_backward(pack.tensors, pack.flat, rule)
        out = list(inputs)
        for j, k in enumerate(positions):
            if j in pack.spans:
                out[k] = pack.piece(node, j)
        return tuple(out)

    def _watch_output(self, out: Any) -> Any:
        """``out`` passed on unchanged, its cotangents kept for the backward hooks
        (``grad_output``: one per Tensor output, zeros for one the loss does not use)."""
        many = isinstance(out, tuple | list)
        outs = list(out) if many else [out]
        positions = [k for k, o in enumerate(outs) if isinstance(o, Tensor)]
        pack = _Packed([outs[k] for k in positions])
        if not pack.spans:
            return out

        def rule(*rest: Any) -> tuple:
            douts = pack.pieces(rest[-1])
            self.__dict__["_hooks"].last_grad_output = tuple(douts)
            return tuple(d if j in pack.spans else None for j, d in enumerate(douts))

        node = with_backward(pack.tensors, pack.flat, rule)
        for j, k in enumerate(positions):
            if j in pack.spans:
                outs[k] = pack.piece(node, j)
        return type(out)(outs) if many else outs[0]

    # -- hooks and precision -------------------------------------------------------------------

    def _hook_table(self) -> _Hooks:
        hooks = self.__dict__.get("_hooks")
        if hooks is None:
            hooks = _Hooks()
            object.__setattr__(self, "_hooks", hooks)
        return hooks

    def register_forward_pre_hook(self, hook_fn: Callable[..., Any]) -> HookHandle:
        """``hook_fn(cell, inputs)`` runs before each call; a value it returns replaces the
        inputs. Returns a handle whose ``remove()`` unregisters it."""
        return self._hook_table().add("pre", hook_fn)

    def register_forward_hook(self, hook_fn: Callable[..., Any]) -> HookHandle:
        """``hook_fn(cell, inputs, output)`` runs after each call; a value it returns replaces
        the output."""
        return self._hook_table().add("forward", hook_fn)

    def register_backward_hook(self, hook_fn: Callable[..., Any]) -> HookHandle:
        """``hook_fn(cell, grad_input, grad_output)`` runs when the gradient reaches the Cell's
        input (a tuple holding the input's cotangent, and one holding the output's); a value it
        returns replaces the input's cotangent."""
        return self._hook_table().add("backward", hook_fn)

    def to_float(self, dst_type: Any) -> Cell:
        """Cast the Cell's floating-point inputs to ``dst_type`` on every call (MindSpore's
        mixed precision per Cell); returns the Cell."""
        self._hook_table().dtype = dst_type
        return self

    def recompute(self, **kwargs: Any) -> Cell:
        """Keep none of this Cell's activations for the gradient: its backward runs the Cell
        again (gradient checkpointing; MindSpore's ``Cell.recompute``, whose parallel options
        ``mp_comm_recompute``... are accepted and have nothing to do here). Memory for the
        Cell's intermediates then lasts one call, at the cost of a second forward. Applies in
        PyNative mode; a compiled graph keeps its activations. Returns the Cell."""
        unknown = set(kwargs) - _RECOMPUTE_OPTIONS
        if unknown:
            raise MindValueError(
                f"For 'Cell.recompute', unexpected arguments {sorted(unknown)}; expected some of "
                f"{sorted(_RECOMPUTE_OPTIONS)}"
            )
        self._hook_table().recompute = True
        return self

    @property
    def phase(self) -> str:
        """``"train"`` in training mode (``set_train()``), else ``"predict"``."""
        return self.__dict__.get("_phase") or ("train" if self.training else "predict")

    @phase.setter
    def phase(self, value: str) -> None:
        object.__setattr__(self, "_phase", value)

    def set_inputs(self, *inputs: Any) -> None:
        """Declare the inputs GRAPH_MODE calls give (MindSpore's dynamic-shape declaration):
        Tensors, placeholders among them (``Tensor(shape=[None, 3], dtype=ms.float32)``: any
        size on that axis). A call with other shapes or dtypes raises; each size still compiles
        its own graph. A Parameter among them is passed as it is (a weight, not an input)."""
        from mind.core._src.jit import _signature_of

        def without_parameters(items: Any) -> Any:
            return tuple(
                without_parameters(x) if isinstance(x, tuple | list) else x
                for x in items
                if not isinstance(x, Parameter)
            )

        object.__setattr__(self, "_input_signature", _signature_of(without_parameters(inputs)))
        object.__setattr__(self, "_declared_inputs", inputs)
        object.__setattr__(self, "_graph_fn", None)

    def get_inputs(self) -> tuple | None:
        """The inputs :meth:`set_inputs` declared, or None."""
        return self.__dict__.get("_declared_inputs")

    def _graph_call(self, *inputs: Any) -> Any:
        if is_tracing():  # a sub-cell of a cell being compiled: inline it
            return user_function(self.construct)(*inputs)
        return self._graph_function()(*inputs)

    def _graph_function(self) -> Any:
        """The compiled ``construct`` a GRAPH_MODE call runs (a ``JitFunction``, made once; its
        cache holds a graph per input signature). A Cell whose graph call compiles something
        else (TrainOneStepCell: the whole step) overrides this, so :meth:`compile` compiles
        what the call will run."""
        from mind.core._src.jit import JitFunction

        return cached_graph(
            self,
            "_graph_fn",
            lambda: JitFunction(
                self.construct,
                f"{type(self).__name__}.construct",
                input_signature=self.__dict__.get("_input_signature"),
            ),
        )

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """Compile the Cell's graph for these inputs without running it (MindSpore's
        ``Cell.compile``), in GRAPH_MODE and in PyNative alike: the errors compiling raises
        (a shape that does not fit, an unsupported construct) come here, as a ``jit`` call's
        would, and a GRAPH_MODE call with inputs of the same shapes and dtypes then runs the
        graph compiled here. With no inputs, it compiles for those :meth:`set_inputs` declared.

        >>> net = nn.Dense(3, 2)
        >>> net.compile(Tensor(np.ones((4, 3), np.float32)))  # traced and compiled, not run
        """
        if not args and not kwargs and self.__dict__.get("_input_signature") is not None:
            args = self.get_inputs()
        if kwargs:  # construct's keyword inputs: compiled as trailing positional ones
            self._keyword_function(len(args), tuple(kwargs)).compile(*args, *kwargs.values())
            return
        self._graph_function().compile(*args)

    def _keyword_function(self, n_args: int, names: tuple[str, ...]) -> Any:
        """``construct`` called with ``n_args`` positional inputs and the keywords ``names``, as
        a ``JitFunction`` of all of them (made once for each such call shape)."""
        from mind.core._src.jit import JitFunction

        table = self.__dict__.setdefault("_keyword_fns", {})
        fn = table.get((n_args, names))
        if fn is None:
            construct = self.construct

            def with_keywords(*values: Any) -> Any:
                keywords = dict(zip(names, values[n_args:]))
                return user_function(construct)(*values[:n_args], **keywords)

            fn = JitFunction(with_keywords, f"{type(self).__name__}.construct")
            table[(n_args, names)] = fn
        return fn

    def compile_and_run(self, *args: Any, **kwargs: Any) -> Any:
        """:meth:`compile`, then run the compiled graph on the inputs (MindSpore's
        ``Cell.compile_and_run``); returns its outputs."""
        self.compile(*args, **kwargs)
        if kwargs:
            return self._keyword_function(len(args), tuple(kwargs))(*args, *kwargs.values())
        return self._graph_function()(*args)

    def set_train(self, mode: bool = True) -> Cell:
        """Training mode (dropout active, batch statistics) for this cell and every child."""
        for _, cell in self.cells_and_names():
            object.__setattr__(cell, "training", mode)
        return self

    def set_grad(self, requires_grad: bool = True) -> Cell:
        """Kept for MindSpore compatibility: PyNative gradients need no preparation here."""
        object.__setattr__(self, "requires_grad", requires_grad)
        return self

    # -- walking the tree ----------------------------------------------------------------------------

    def cells_and_names(
        self, cells: Any = None, name_prefix: str = ""
    ) -> Iterator[tuple[str, Cell]]:
        """``(name, cell)`` for this cell and every descendant, depth first, each once."""
        seen: set[int] = set()

        def walk(cell: Cell, prefix: str) -> Iterator[tuple[str, Cell]]:
            if id(cell) in seen:
                return
            seen.add(id(cell))
            yield prefix, cell
            for name, child in cell._cells.items():
                # A cell built with auto_prefix=False (WithLossCell...) adds no name level.
                path = (f"{prefix}.{name}" if prefix else name) if cell._auto_prefix else prefix
                yield from walk(child, path)

        yield from walk(self, name_prefix)

    def cells(self) -> list[Cell]:
        """The direct children."""
        return list(self._cells.values())

    def name_cells(self) -> OrderedDict[str, Cell]:
        """The direct children by name."""
        return OrderedDict(self._cells)

    def parameters_and_names(
        self, name_prefix: str = "", expand: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(path, parameter)`` for every parameter, each once: the dotted attribute path from
        this cell. A parameter created without a name is named by that path from the outermost
        cell when the network is assembled (``fc1.weight``), as in MindSpore."""
        seen: set[int] = set()
        cells = self.cells_and_names(name_prefix=name_prefix) if expand else [(name_prefix, self)]
        cells = list(cells)
        held = [  # the tree's own parameters, then those of ParameterTuple attributes
            (prefix, cell._params.items()) for prefix, cell in cells
        ] + [
            (prefix, ((f"{name}.{i}", p) for name, t in tuples.items() for i, p in enumerate(t)))
            for prefix, cell in cells
            if (tuples := cell.__dict__.get("_tuples"))
        ]
        for prefix, items in held:
            for name, param in items:
                if id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{prefix}.{name}" if prefix else name), param

    def get_parameters(self, expand: bool = True) -> Iterator[Parameter]:
        for _, param in self.parameters_and_names(expand=expand):
            yield param

    def trainable_params(self, recurse: bool = True) -> list[Parameter]:
        """Parameters with ``requires_grad`` set, in definition order."""
        return [p for p in self.get_parameters(expand=recurse) if p.requires_grad]

    def untrainable_params(self, recurse: bool = True) -> list[Parameter]:
        return [p for p in self.get_parameters(expand=recurse) if not p.requires_grad]

    def parameters_dict(self, recurse: bool = True) -> OrderedDict[str, Parameter]:
        """Every parameter by its name."""
        return OrderedDict((p.name, p) for p in self.get_parameters(expand=recurse))

    def update_parameters_name(self, prefix: str = "", recurse: bool = True) -> None:
        for name, param in self.parameters_and_names(expand=recurse):
            param.name = f"{prefix}{name}"
            param._name_set = True

    # -- buffers and state dicts -------------------------------------------------------------------

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Hold ``tensor`` as the buffer ``name``: an attribute that is state but not a
        Parameter; ``persistent=False`` leaves it out of ``state_dict``."""
        if "_params" not in self.__dict__:
            raise CellAttributeError(
                f"{type(self).__name__}: call super().__init__() before register_buffer"
            )
        if not isinstance(name, str):
            raise MindTypeError(f"buffer name should be a string, got {type(name).__name__}")
        if "." in name:
            raise KeyError('buffer name can\'t contain "."')
        if not name:
            raise KeyError('buffer name can\'t be empty string ""')
        if name in self.__dict__ and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise MindTypeError(
                f"For 'register_buffer', '{name}' must be a Tensor or None, got "
                f"{type(tensor).__name__}"
            )
        if self._buffers.get(name) is not tensor:
            _edited()
        self._buffers[name] = tensor
        non_persistent = self.__dict__.setdefault("_non_persistent_buffers", set())
        if persistent:
            non_persistent.discard(name)
        else:
            non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(path, buffer)`` for this cell's buffers, then (with ``recurse``) its children's."""
        seen: set[int] = set()
        cells = self.cells_and_names(name_prefix=prefix) if recurse else [(prefix, self)]
        for path, cell in cells:
            for name, buffer in cell.__dict__.get("_buffers", {}).items():
                if buffer is None or (remove_duplicate and id(buffer) in seen):
                    continue
                seen.add(id(buffer))
                yield (f"{path}.{name}" if path else name), buffer

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (``"sub_net.running_mean"``)."""
        *path, name = target.split(".")
        cell: Any = self
        for part in path:
            child = cell._cells.get(part)
            if child is None:
                raise AttributeError(f"{type(cell).__name__} has no attribute `{part}`")
            cell = child
        if name not in cell.__dict__:
            raise AttributeError(f"{type(cell).__name__} has no attribute `{name}`")
        if name not in cell.__dict__.get("_buffers", {}):
            raise AttributeError(f"`{name}` is not a buffer")
        return cell._buffers[name]

    def _state_hooks(self, kind: str) -> dict:
        return self.__dict__.setdefault("_state_dict_hooks", {}).setdefault(kind, OrderedDict())

    def _add_state_hook(self, kind: str, hook: Callable[..., Any]) -> HookHandle:
        table = self._state_hooks(kind)
        key = max(table, default=-1) + 1
        table[key] = hook
        return HookHandle(table, key)

    def register_state_dict_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """``hook(cell, prefix, keep_vars)`` runs before ``state_dict`` collects this cell."""
        return self._add_state_hook("pre", hook)

    def register_state_dict_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """``hook(cell, state_dict, prefix, local_metadata)`` runs after; it may edit the dict."""
        return self._add_state_hook("post", hook)

    def register_load_state_dict_pre_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """``hook(cell, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` runs before ``load_state_dict`` loads this cell."""
        return self._add_state_hook("load_pre", hook)

    def register_load_state_dict_post_hook(self, hook: Callable[..., Any]) -> HookHandle:
        """``hook(cell, incompatible_keys)`` runs after ``load_state_dict``."""
        return self._add_state_hook("load_post", hook)

    def state_dict(
        self, *args: Any, destination: Any = None, prefix: str = "", keep_vars: bool = False
    ) -> OrderedDict[str, Tensor]:
        """Every Parameter and persistent buffer by its dotted path: for each cell, its
        Parameters, then its buffers, then its children's (the keys ``load_state_dict`` and
        ``save_checkpoint`` take)."""
        out = OrderedDict() if destination is None else destination
        for hook in self._state_hooks("pre").values():
            hook(self, prefix, keep_vars)
        for name, param in self._params.items():
            if param is not None:
                out[prefix + name] = param
        hidden = self.__dict__.get("_non_persistent_buffers", set())
        for name, buffer in self.__dict__.get("_buffers", {}).items():
            if buffer is not None and name not in hidden:
                out[prefix + name] = buffer
        for name, child in self._cells.items():
            if child is not None:
                child.state_dict(destination=out, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        for hook in self._state_hooks("post").values():
            result = hook(self, out, prefix, {})
            if result is not None:
                out = result
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> _IncompatibleKeys:
        """Copy the values of ``state_dict`` (from ``state_dict()`` or ``load_checkpoint``)
        into the Parameters and buffers of the same keys. With ``strict``, a missing or an
        unexpected key raises; either way the keys come back as ``(missing_keys,
        unexpected_keys)``."""
        if not isinstance(state_dict, Mapping):
            raise MindTypeError(
                f"For 'load_state_dict', 'state_dict' must be a dict, got "
                f"{type(state_dict).__name__}"
            )
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        own = self.state_dict()
        for prefix, cell in self.cells_and_names():
            key = f"{prefix}." if prefix else ""
            for hook in cell._state_hooks("load_pre").values():
                hook(cell, state_dict, key, {}, strict, missing, unexpected, errors)
        for name, target in own.items():
            if name not in state_dict:
                missing.append(name)
                continue
            value = as_tensor(state_dict[name])
            if value.shape != target.shape:
                errors.append(
                    f"size mismatch for {name}: the checkpoint has shape {value.shape}, the "
                    f"cell {target.shape}"
                )
                continue
            if isinstance(target, Parameter):
                target.set_data(cast(value, target.dtype))
            else:
                target.assign_value(cast(value, target.dtype))
        unexpected.extend(k for k in state_dict if k not in own)
        if strict and (missing or unexpected):
            errors.insert(0, f"missing keys {missing}, unexpected keys {unexpected}")
        if errors:
            raise MindValueError(
                f"For 'load_state_dict' of {type(self).__name__}: " + "; ".join(errors)
            )
        result = _IncompatibleKeys(missing, unexpected)
        for _, cell in self.cells_and_names():
            for hook in cell._state_hooks("load_post").values():
                hook(cell, result)
        return result

    # -- display -------------------------------------------------------------------------------------

    def extend_repr(self) -> str:
        """Extra text for ``repr`` (layer sizes); override in layers."""
        return ""

    def __repr__(self) -> str:
        extra = self.extend_repr()
        if not self._cells:
            return f"{type(self).__name__}<{extra}>"
        lines = [f"{type(self).__name__}<{extra}"]
        for name, child in self._cells.items():
            child_repr = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_repr}")
        lines.append("  >")
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# Containers
# ------------------------------------------------------------------------------------------------


def _check_item(owner: str, cell: Any) -> None:
    if not isinstance(cell, Cell):
        raise MindTypeError(f"For '{owner}', each item must be a Cell, got {type(cell).__name__}")


def _check_index(owner: str, index: Any, length: int, inserting: bool = False) -> int:
    """``index`` as a position in ``[0, length)`` (``[0, length]`` when inserting), negative
    ones counted from the end, as MindSpore checks it."""
    try:
        index = operator.index(index)  # an int, or what stands for one (a 0-D integer Tensor)
    except TypeError:
        raise MindTypeError(
            f"For '{owner}', 'index' must be an int, got {type(index).__name__}"
        ) from None
    high = length + 1 if inserting else length
    if not -length <= index < high:
        bound = "]" if inserting else ")"
        raise IndexError(
            f"For '{owner}', 'index' must be in [{-length}, {length}{bound}, got {index}"
        )
    return index + length if index < 0 else index


def _names_prefix(cells: dict[str, Cell]) -> str:
    """The prefix above a container in its items' parameter names (``"layers."`` when they
    are ``layers.0.weight``...), read off the first item with parameters; empty when none has
    one yet (a container filled after it was attached), as MindSpore infers it."""
    for key, cell in cells.items():
        for path, param in cell._tree_parameters():
            tail = f"{key}.{path}"
            return param.name[: -len(tail)] if param.name.endswith(tail) else ""
    return ""


class _CellSequence(Cell):
    """What SequentialCell and CellList share: children in order under keys "0", "1"... (or
    an OrderedDict's names), renumbered as items come and go. As MindSpore, an item's
    parameters are named by the container's prefix, its key and their path in the item
    (``layers.2.weight``); an item whose key changes is renamed."""

    def _init_items(self) -> None:
        object.__setattr__(self, "_order", [])
        object.__setattr__(self, "_dynamic", [])  # per item: its key is its position

    def _prefix(self) -> str:
        return _names_prefix(self._cells)

    def _rename(self, cell: Cell, prefix: str, key: str) -> None:
        if self._auto_prefix:
            for path, param in cell._tree_parameters():
                param.name = f"{prefix}{key}.{path}"

    def _edit(self) -> None:
        if self.__dict__.get("_in_network"):
            _edited()

    def _reset(self, items: list[tuple[str, Cell, bool]]) -> None:
        """Hold exactly ``items`` (key, cell, dynamic), in order; positional keys renumbered
        and their items renamed."""
        self._edit()
        prefix = self._prefix()
        for key in self._cells:
            self.__dict__.pop(key, None)
        self._cells.clear()
        for position, (key, cell, dynamic) in enumerate(items):
            if dynamic:
                if key != str(position):
                    self._rename(cell, prefix, str(position))
                key = str(position)
            self._cells[key] = cell
            object.__setattr__(self, key, cell)
        object.__setattr__(self, "_order", [cell for _, cell, _ in items])
        object.__setattr__(self, "_dynamic", [dynamic for _, _, dynamic in items])

    def _items(self) -> list[tuple[str, Cell, bool]]:
        return list(zip(self._cells, self._order, self._dynamic))

    def _add(self, cell: Cell, key: str | None = None) -> None:
        """Append ``cell`` under ``key``, or under its position."""
        _check_item(type(self).__name__, cell)
        if key is None:
            self._rename(cell, self._prefix(), str(len(self._order)))
            key, dynamic = str(len(self._order)), True
        else:
            self._check_new_name(type(self).__name__, "key", key, self._cells)
            self._rename(cell, self._prefix(), key)
            dynamic = False
        self._edit()
        self._cells[key] = cell
        object.__setattr__(self, key, cell)
        self._order.append(cell)
        self._dynamic.append(dynamic)

    def _insert(self, index: int, cell: Cell) -> None:
        owner = type(self).__name__
        index = _check_index(owner, index, len(self._order), inserting=True)
        _check_item(owner, cell)
        items = self._items()
        prefix = self._prefix()
        items.insert(index, (str(index), cell, True))
        self._rename(cell, prefix, str(index))
        self._reset(items)

    def __setitem__(self, index: int, cell: Cell) -> None:
        owner = type(self).__name__
        _check_item(owner, cell)
        index = _check_index(owner, index, len(self._order))
        key = list(self._cells)[index]
        self._edit()
        self._rename(cell, self._prefix(), key)
        self._cells[key] = cell
        object.__setattr__(self, key, cell)
        self._order[index] = cell

    def __delitem__(self, index: int | slice) -> None:
        owner = type(self).__name__
        items = self._items()
        if isinstance(index, slice):
            del items[index]
        else:
            del items[_check_index(owner, index, len(items))]
        self._reset(items)

    def _get(self, index: Any) -> Any:
        if isinstance(index, slice):
            # A new container of the same items, whose parameters keep their names (building
            # it with the items would rename them, as MindSpore's slicing does).
            view = type(self)()
            for position, cell in enumerate(self._order[index]):
                view._cells[str(position)] = cell
                object.__setattr__(view, str(position), cell)
                view._order.append(cell)
                view._dynamic.append(True)
            return view
        return self._order[_check_index(type(self).__name__, index, len(self._order))]

    def __len__(self) -> int:
        return len(self._order)

    def __bool__(self) -> bool:
        return bool(self._order)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self._order)

    def set_grad(self, requires_grad: bool = True) -> Cell:
        """Set the flag on the container and on each item."""
        object.__setattr__(self, "requires_grad", requires_grad)
        for cell in self._order:
            cell.set_grad(requires_grad)
        return self


class SequentialCell(_CellSequence):
    """Cells applied one after another, each to the previous one's output (MindSpore's
    ``nn.SequentialCell``): built from Cells, a list of them, or an OrderedDict of named ones.
    Indexing, slicing (a new SequentialCell), assignment and ``del`` work as on a list; items
    added by position are renumbered, named ones keep their names.

    >>> seq = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU()])
    >>> seq.append(nn.Dense(4, 2))
    >>> del seq[1]
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        self._init_items()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, cell in args[0].items():
                self._add(cell, name)
            return
        if len(args) == 1 and isinstance(args[0], list):
            args = tuple(args[0])
        elif len(args) == 1 and not isinstance(args[0], Cell):
            raise MindTypeError(
                "For 'SequentialCell', the argument must be Cells, a list or an OrderedDict of "
                f"them, got {type(args[0]).__name__}"
            )
        for cell in args:
            self._add(cell)

    def __getitem__(self, index: int | slice) -> Any:
        return self._get(index)

    def append(self, cell: Cell) -> SequentialCell:
        """Add ``cell`` at the end."""
        self._add(cell)
        return self

    def construct(self, input_data: Any) -> Any:
        for cell in self._order:
            input_data = cell(input_data)
        return input_data


class CellList(_CellSequence):
    """A list of Cells whose parameters belong to the enclosing network (MindSpore's
    ``nn.CellList``): index, slice, assign, ``del``, ``insert``, ``append``, ``extend``, ``+=``
    as on a Python list. It is a container, not a layer: call its items.

    >>> layers = nn.CellList([nn.Dense(3, 3) for _ in range(2)])
    >>> layers.insert(0, nn.ReLU())
    >>> layers += [nn.Dense(3, 1)]
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(auto_prefix=kwargs.pop("auto_prefix", True))
        if kwargs:
            raise MindTypeError(f"For 'CellList', unexpected keyword arguments {sorted(kwargs)}")
        self._init_items()
        cells: Iterable[Cell] = (
            args[0] if len(args) == 1 and not isinstance(args[0], Cell) else args
        )
        self.extend(cells)

    def __getitem__(self, index: int | slice) -> Any:
        return self._get(index)

    def append(self, cell: Cell) -> None:
        """Add ``cell`` at the end."""
        self._add(cell)

    def insert(self, index: int, cell: Cell) -> None:
        """Put ``cell`` before position ``index`` (``len(self)``: at the end)."""
        self._insert(index, cell)

    def extend(self, cells: Iterable[Cell]) -> CellList:
        """Append each of ``cells``; returns the list."""
        if isinstance(cells, Cell | str) or not isinstance(cells, Iterable):
            raise MindTypeError(
                f"For 'CellList', 'cells' must be a list of Cells, got {type(cells).__name__}"
            )
        for cell in cells:
            if isinstance(cell, CellDict):
                raise MindTypeError("For 'CellList', an item cannot be a CellDict")
            self._add(cell)
        return self

    def __iadd__(self, cells: Iterable[Cell]) -> CellList:
        return self.extend(cells)

    def construct(self, *inputs: Any) -> Any:
        raise MindTypeError(
            "CellList is a container; call its items, not the list (or vmap it: one cell per "
            "example, model ensembling)"
        )

    def _ensemble_members(self) -> list[Cell]:
        """The cells ``vmap(cell_list)`` maps over (model ensembling)."""
        return list(self._order)


class CellDict(Cell):
    """Cells by name, as a dict whose Cells belong to the enclosing network (MindSpore's
    ``nn.CellDict``): ``d[key]``, ``d[key] = cell``, ``del``, ``in``, ``keys()``, ``values()``,
    ``items()``, ``pop``, ``update``, ``clear``, in insertion order. A key is a non-empty
    name without '.' that is not an attribute of Cell; an item is a Cell other than a
    container. A container, not a layer: call its items.

    >>> heads = nn.CellDict({"cls": nn.Dense(4, 10), "box": nn.Dense(4, 4)})
    >>> heads["cls"](x)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(auto_prefix=kwargs.pop("auto_prefix", True))
        if kwargs:
            raise MindTypeError(f"For 'CellDict', unexpected keyword arguments {sorted(kwargs)}")
        if len(args) > 1:
            raise MindTypeError(f"For 'CellDict', expected at most 1 argument, got {len(args)}")
        if args:
            self.update(args[0])

    def _check_item(self, key: Any, cell: Any) -> None:
        owner = type(self).__name__
        self._check_new_name(owner, "key", key, self._cells)
        if cell is None or not isinstance(cell, Cell):
            raise MindTypeError(
                f"For '{owner}', the item under {key!r} must be a Cell, got {type(cell).__name__}"
            )
        if isinstance(cell, CellDict | _CellSequence):
            raise MindTypeError(
                f"For '{owner}', the item under {key!r} cannot be a container "
                f"({type(cell).__name__})"
            )

    def __getitem__(self, key: str) -> Cell:
        return self._cells[key]

    def __setitem__(self, key: str, cell: Cell) -> None:
        self._check_item(key, cell)
        if self.__dict__.get("_in_network"):
            _edited()
        if self._auto_prefix:
            prefix = _names_prefix(self._cells)
            for path, param in cell._tree_parameters():
                param.name = f"{prefix}{key}.{path}"
        self._cells[key] = cell
        object.__setattr__(self, key, cell)

    def __delitem__(self, key: str) -> None:
        del self._cells[key]
        self.__dict__.pop(key, None)
        if self.__dict__.get("_in_network"):
            _edited()

    def __len__(self) -> int:
        return len(self._cells)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells)

    def __contains__(self, key: object) -> bool:
        return key in self._cells

    def clear(self) -> None:
        """Remove every item."""
        for key in list(self._cells):
            del self[key]

    def pop(self, key: str) -> Cell:
        """Remove the item under ``key`` and return it (``KeyError`` if there is none)."""
        cell = self[key]
        del self[key]
        return cell

    def keys(self) -> Any:
        return self._cells.keys()

    def values(self) -> Any:
        return self._cells.values()

    def items(self) -> Any:
        return self._cells.items()

    def update(self, cells: Any) -> None:
        """Add or replace items from a mapping, or from an iterable of ``(key, cell)`` pairs,
        in their order."""
        if isinstance(cells, Mapping | CellDict):
            pairs = list(cells.items())
        elif isinstance(cells, Iterable) and not isinstance(cells, str | Cell):
            pairs = []
            for k, pair in enumerate(cells):
                if not isinstance(pair, Iterable):
                    raise MindTypeError(
                        f"For 'CellDict.update', element {k} must be a (key, Cell) pair, got "
                        f"{type(pair).__name__}"
                    )
                pair = tuple(pair)
                if len(pair) != 2:
                    raise MindValueError(
                        f"For 'CellDict.update', element {k} must be a (key, Cell) pair, got "
                        f"{len(pair)} values"
                    )
                pairs.append(pair)
        else:
            raise MindTypeError(
                "For 'CellDict.update', 'cells' must be a mapping or an iterable of (key, Cell) "
                f"pairs, got {type(cells).__name__}"
            )
        for key, cell in pairs:
            self[key] = cell

    def construct(self, *inputs: Any) -> Any:
        raise MindTypeError("CellDict is a container; call its items, not the dict")
