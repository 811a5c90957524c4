"""``Cell``: the base of every layer and network, and the containers SequentialCell and CellList.

A Cell holds Parameters and child Cells as attributes and computes in ``construct``. Assigning a
Parameter or a Cell to an attribute registers it (in order), so ``parameters_and_names()`` can walk
the tree; attribute reads are plain attribute reads, with no lookup hook on the hot path.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from mind.core._src.context import _CONTEXT
from mind.core._src.ir.trace import is_tracing, user_function
from mind.core._src.tensor.tensor import Parameter
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["Cell", "CellList", "SequentialCell"]


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
        elif value is None and (name in self._params or name in self._cells):
            self._params.pop(name, None)
            self._cells.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._params.pop(name, None)
        self._cells.pop(name, None)
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
        if _CONTEXT["mode"] == 0 and not kwargs:  # GRAPH_MODE: compile construct once per signature
            return self._graph_call(*inputs)
        if is_tracing():  # converted first in capture_mode="ast"
            return user_function(self.construct)(*inputs, **kwargs)
        return self.construct(*inputs, **kwargs)

    def _graph_call(self, *inputs: Any) -> Any:
        if is_tracing():  # a sub-cell of a cell being compiled: inline it
            return user_function(self.construct)(*inputs)
        compiled = self.__dict__.get("_graph_fn")
        if compiled is None:
            from mind.core._src.jit import JitFunction

            compiled = JitFunction(self.construct, f"{type(self).__name__}.construct")
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
        for prefix, cell in cells:
            for name, param in cell._params.items():
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
        raise MindTypeError("CellList is a container; call its items, not the list")
