"""``Cell``: the base of every layer and network, and the containers SequentialCell and CellList.

A Cell holds Parameters and child Cells as attributes and computes in ``construct``. Assigning a
Parameter or a Cell to an attribute registers it (in order), so ``parameters_and_names()`` can walk
the tree; attribute reads are plain attribute reads, with no lookup hook on the hot path.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from mind.core._src.autodiff.eager import recomputed, with_backward
from mind.core._src.context import _CONTEXT
from mind.core._src.ir.trace import is_tracing, user_function
from mind.core._src.ops.array import assign, concat, reshape
from mind.core._src.ops.dispatch import STATE
from mind.core._src.ops.elementwise import cast, zeros_like
from mind.core._src.tensor.dtype import promote
from mind.core._src.tensor.tensor import Parameter, ParameterTuple, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["Cell", "CellList", "HookHandle", "SequentialCell", "jit_class"]


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
        object.__setattr__(self, "training", False)
        object.__setattr__(self, "_auto_prefix", auto_prefix)
        object.__setattr__(self, "requires_grad", False)

    # -- registration ------------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if "_params" not in self.__dict__:
            raise MindTypeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        if isinstance(value, Parameter):
            self._cells.pop(name, None)
            self._params[name] = value
            if not value._name_set:
                value.name = name
        elif isinstance(value, Cell):
            self._params.pop(name, None)
            self._cells[name] = value
            if self._auto_prefix:
                # As MindSpore: a child's automatically named parameters take its attribute name
                # as a prefix when it is attached, so names are full paths once the net is built.
                for param in value.get_parameters():
                    if not param._name_set:
                        param.name = f"{name}.{param.name}"
        elif isinstance(value, ParameterTuple):
            # As MindSpore: a Cell holds the Parameters of a ParameterTuple attribute (an
            # optimizer's ``self.moments = self.parameters.clone(...)``), listed after the tree's.
            self._params.pop(name, None)
            self._cells.pop(name, None)
            self.__dict__.setdefault("_tuples", {})[name] = value
        elif isinstance(value, Tensor) and name in self._params:
            # As MindSpore: a Tensor assigned to a Parameter's attribute writes the Parameter
            # (an ordered in-graph update inside jit: ``self.weight = x``, ``self.step += 1``).
            param = self._params[name]
            if is_tracing() or value.shape == param.shape:
                assign(param, value)
            else:
                param.set_data(value)
            return
        elif value is None and (name in self._params or name in self._cells):
            self._params.pop(name, None)
            self._cells.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._params.pop(name, None)
        self._cells.pop(name, None)
        self.__dict__.get("_tuples", {}).pop(name, None)
        object.__delattr__(self, name)

    def insert_child_to_cell(self, child_name: str, child_cell: Cell) -> None:
        """Add ``child_cell`` under ``child_name`` (same as assigning the attribute)."""
        if not isinstance(child_cell, Cell):
            raise MindTypeError(
                f"For 'insert_child_to_cell', 'child_cell' must be a Cell, got {type(child_cell).__name__}"
            )
        if "." in child_name:
            raise MindValueError(
                f"For 'insert_child_to_cell', 'child_name' must not contain '.', got {child_name!r}"
            )
        setattr(self, child_name, child_cell)

    def insert_param_to_cell(
        self, param_name: str, param: Parameter, check_name_contain_dot: bool = True
    ) -> None:
        """Add ``param`` under ``param_name`` (same as assigning the attribute)."""
        if check_name_contain_dot and "." in param_name:
            raise MindValueError(
                f"For 'insert_param_to_cell', 'param_name' must not contain '.', got {param_name!r}"
            )
        setattr(self, param_name, param)

    # -- running -------------------------------------------------------------------------------------

    def construct(self, *inputs: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define construct()")

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
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
        its own graph."""
        from mind.core._src.jit import _signature_of

        object.__setattr__(self, "_input_signature", _signature_of(inputs))
        object.__setattr__(self, "_graph_fn", None)

    def get_inputs(self) -> tuple | None:
        """The placeholders :meth:`set_inputs` declared, or None."""
        signature = self.__dict__.get("_input_signature")
        if signature is None:
            return None
        return tuple(Tensor(shape=shape, dtype=np.dtype(dtype)) for shape, dtype in signature)

    def _graph_call(self, *inputs: Any) -> Any:
        if is_tracing():  # a sub-cell of a cell being compiled: inline it
            return user_function(self.construct)(*inputs)
        compiled = self.__dict__.get("_graph_fn")
        if compiled is None:
            from mind.core._src.jit import JitFunction

            compiled = JitFunction(
                self.construct,
                f"{type(self).__name__}.construct",
                input_signature=self.__dict__.get("_input_signature"),
            )
            object.__setattr__(self, "_graph_fn", compiled)
        return compiled(*inputs)

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


class SequentialCell(Cell):
    """Cells applied one after another; built from cells, a list of cells or an OrderedDict."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            items = list(args[0].items())
        elif len(args) == 1 and isinstance(args[0], list):
            items = [(str(i), c) for i, c in enumerate(args[0])]
        else:
            items = [(str(i), c) for i, c in enumerate(args)]
        for name, cell in items:
            if not isinstance(cell, Cell):
                raise MindTypeError(
                    f"For 'SequentialCell', every item must be a Cell, item {name!r} is {type(cell).__name__}"
                )
            self.insert_child_to_cell(name, cell)
        object.__setattr__(self, "_order", [c for _, c in items])

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return SequentialCell(self._order[index])
        return self._order[index]

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self._order)

    def append(self, cell: Cell) -> SequentialCell:
        self.insert_child_to_cell(str(len(self._order)), cell)
        self._order.append(cell)
        return self

    def construct(self, input_data: Any) -> Any:
        for cell in self._order:
            input_data = cell(input_data)
        return input_data


class CellList(Cell):
    """A list of cells whose parameters belong to the enclosing network."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        object.__setattr__(self, "_order", [])
        cells: Iterable[Cell] = (
            args[0] if len(args) == 1 and not isinstance(args[0], Cell) else args
        )
        for cell in cells:
            self.append(cell)

    def append(self, cell: Cell) -> None:
        if not isinstance(cell, Cell):
            raise MindTypeError(f"For 'CellList', items must be Cells, got {type(cell).__name__}")
        self.insert_child_to_cell(str(len(self._order)), cell)
        self._order.append(cell)

    def extend(self, cells: Iterable[Cell]) -> CellList:
        for cell in cells:
            self.append(cell)
        return self

    def __getitem__(self, index: int) -> Cell:
        return self._order[index]

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self._order)

    def construct(self, *inputs: Any) -> Any:
        raise MindTypeError(
            "CellList is a container; call its items, not the list (or vmap it: one cell per "
            "example, model ensembling)"
        )

    def _ensemble_members(self) -> list[Cell]:
        """The cells ``vmap(cell_list)`` maps over (model ensembling)."""
        return list(self._order)
