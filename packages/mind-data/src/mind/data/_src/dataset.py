"""Lazy pipelines of dataset ops and the engine that runs them.

A ``Dataset`` is a node in a graph (``source -> map -> shuffle -> batch -> repeat``). Nothing runs
until it is iterated; then each node turns its children's row streams into its own, one epoch at a
time. Rows are tuples of numpy arrays. Everything random is a pure function of (seed, epoch, row
position, op), so a pipeline gives the same rows whatever the worker count, and an iterator can be
resumed exactly from a saved position.

Iteration runs in a background thread that fills a bounded queue (``config.set_prefetch_size``),
so loading overlaps with training; ``map`` can run on threads or worker processes.
"""

from __future__ import annotations

import itertools
import logging
import operator
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from mind.core.errors import MindTypeError, MindValueError
from mind.data import config
from mind.data._src.blocks import Block, blocks_enabled, join, rechunk, split
from mind.data._src.callbacks import CallbackRunner, check_callbacks
from mind.data._src.callbacks import enabled as callbacks_enabled
from mind.data._src.callbacks import muted as muted_callbacks
from mind.data._src.pydicts import check_keys, grouped, key_path
from mind.data._src.workers import ProcessPool, Progress, ThreadPool, run_row
from mind.data.errors import MindDataError, PipelineStallError

__all__ = ["BatchInfo", "Dataset", "DictIterator", "TupleIterator"]

_log = logging.getLogger("mind.data")


# ------------------------------------------------------------------------------------------------
# Per-iteration context
# ------------------------------------------------------------------------------------------------


class _Run:
    """What one epoch's execution needs: the seed, the epoch, op ids, timing, pools to close."""

    def __init__(self, seed: int, epoch: int, profile: dict | None = None) -> None:
        self.seed, self.epoch, self.profile = seed, epoch, profile
        self.closers: list[Callable[[], None]] = []
        self.op_ids: dict[int, int] = {}
        self.progress = Progress()  # what the stall watchdog reads (TupleIterator._wait)
        # For map's dataset callbacks: whether every repeat above is on its first (last) pass
        # (an epoch of the iterator begins (ends) there), and whether this iteration calls
        # callbacks at all (a getter's does not).
        self.first_pass, self.last_pass = True, True
        self.callbacks = callbacks_enabled()

    def op_id(self, node: Dataset) -> int:
        return self.op_ids.setdefault(id(node), len(self.op_ids) + 1)

    def at_epoch(self, epoch: int, first: bool = True, last: bool = True) -> _Run:
        """The run of a repeat's pass ``epoch``; ``first``/``last``: whether it is the
        repeat's first/last pass."""
        child = _Run(self.seed, epoch, self.profile)
        child.closers, child.op_ids, child.progress = self.closers, self.op_ids, self.progress
        child.callbacks = self.callbacks
        child.first_pass, child.last_pass = self.first_pass and first, self.last_pass and last
        return child

    def close(self) -> None:
        while self.closers:
            try:
                self.closers.pop()()
            except Exception:
                pass


def _as_row(value: Any, ncols: int, op: str) -> tuple:
    if not isinstance(value, tuple | list):
        value = (value,)
    if len(value) != ncols:
        raise MindDataError(f"For '{op}', a row has {len(value)} columns, expected {ncols}")
    try:
        return tuple(np.asarray(v) for v in value)
    except ValueError as exc:  # a ragged list: numpy refuses to guess an object array
        raise MindDataError(
            f"For '{op}', a column value cannot become one array ({exc}); return arrays of "
            "one shape per column, or pad the lists"
        ) from None


class _DtypeGuard:
    """Every row of a column must have the dtype of the column's first row, and none may hold
    Python objects: otherwise numpy silently promotes a batch with one string row to strings
    (or a mixed row to objects), and a model receives the wrong type far from the cause.
    Strings of different lengths (``<U3``, ``<U5``) count as one dtype.

    The one exception is a column whose first row is a Python ``dict`` (MindSpore's Python
    objects in a pipeline): it travels as that dict, by reference, and every row of it must be a
    dict (see :class:`_DictColumnGuard`). ``check`` returns the row to pass on."""

    __slots__ = ("dicts", "first", "names", "op")

    def __init__(self, op: str, names: Sequence[str]) -> None:
        self.op, self.names, self.first, self.dicts = op, list(names), None, ()

    def check(self, values: Sequence[Any], index: int) -> Sequence[Any]:
        first = self.first
        if first is None:
            return self._first_row(values, index)
        for name, d, v in zip(self.names, first, values):
            if v.dtype is not d and v.dtype != d and not (v.dtype.kind == d.kind in "US"):
                raise MindDataError(
                    f"For '{self.op}', column '{name}' of row {index} has dtype {v.dtype}, but "
                    f"the column's first row has dtype {d}; every row of a column must have "
                    "one dtype: cast it in the operation (or with transforms.TypeCast)"
                )
        return values

    def _first_row(self, values: Sequence[Any], index: int) -> Sequence[Any]:
        dicts = tuple(k for k, v in enumerate(values) if _as_dict(v) is not None)
        for k, (name, v) in enumerate(zip(self.names, values)):
            if k not in dicts and v.dtype.hasobject:
                raise MindDataError(
                    f"For '{self.op}', column '{name}' of row {index} is an array of Python "
                    f"objects (dtype {v.dtype}); columns must be numeric, bool, string or "
                    "bytes arrays, or Python dicts: convert it with np.asarray(value, "
                    "dtype=...), split it into columns, or wrap the objects in a dict"
                )
        self.first = tuple(None if k in dicts else v.dtype for k, v in enumerate(values))
        if not dicts:
            return values
        # Rows of a source with a dict column take the dict-aware check from now on; a guard
        # of numeric columns keeps the check above, which costs nothing more per row.
        self.dicts = dicts
        self.__class__ = _DictColumnGuard
        return self.check(values, index)


def _as_dict(value: Any) -> dict | None:
    """The dict ``value`` is, or holds as a 0-d object array (what ``np.asarray`` makes of
    it), or None."""
    if isinstance(value, dict):
        return value
    if isinstance(value, np.ndarray) and value.dtype == object and value.ndim == 0:
        item = value.item()
        return item if isinstance(item, dict) else None
    return None


class _DictColumnGuard(_DtypeGuard):
    """A :class:`_DtypeGuard` for rows with dict columns (positions ``dicts``): those pass on
    as the dicts themselves, never converted, and must be dicts in every row."""

    __slots__ = ()

    def check(self, values: Sequence[Any], index: int) -> Sequence[Any]:
        out = list(values)
        for k in self.dicts:
            d = _as_dict(out[k])
            if d is None:
                got = out[k]
                what = f"dtype {got.dtype}" if isinstance(got, np.ndarray) else type(got).__name__
                raise MindDataError(
                    f"For '{self.op}', column '{self.names[k]}' of row {index} is not a dict "
                    f"({what}), but the column's first row is a Python dict; every row of a "
                    "dict column must be a dict"
                )
            out[k] = d
        for name, d, v in zip(self.names, self.first, out):
            if d is not None and v.dtype != d and not (v.dtype.kind == d.kind in "US"):
                raise MindDataError(
                    f"For '{self.op}', column '{name}' of row {index} has dtype {v.dtype}, but "
                    f"the column's first row has dtype {d}; every row of a column must have "
                    "one dtype: cast it in the operation (or with transforms.TypeCast)"
                )
        return tuple(out) if isinstance(values, tuple) else out


def _timed(rows: Iterator, node: Dataset, run: _Run, unit: type | None = None) -> Iterator:
    """Accumulate the wall time each op spends producing its rows (children included);
    ``unit=Block`` for a stream of blocks."""
    stats = run.profile.setdefault(
        run.op_id(node), {"op": node.op_name, "seconds": 0.0, "rows": 0, "node": node}
    )
    try:
        while True:
            start = time.perf_counter()
            try:
                row = next(rows)
            except StopIteration:
                stats["seconds"] += time.perf_counter() - start
                return
            stats["seconds"] += time.perf_counter() - start
            stats["rows"] += row.n if unit is not None else 1
            yield row
    finally:
        rows.close()


def _block_rows(blocks: Iterator[Block]) -> Iterator[tuple]:
    try:
        for block in blocks:
            yield from block.rows()
    finally:
        blocks.close()


# ------------------------------------------------------------------------------------------------
# Dataset
# ------------------------------------------------------------------------------------------------


class Dataset:
    """Base of every dataset; its methods build new pipeline nodes (nothing runs until iterated)."""

    op_name = "Dataset"

    def __init__(
        self, children: Sequence[Dataset] = (), num_parallel_workers: int | None = None
    ) -> None:
        self.children = list(children)
        self.num_parallel_workers = num_parallel_workers

    # -- what subclasses implement ----------------------------------------------------------------

    def _rows(self, run: _Run) -> Iterator[tuple]:
        raise NotImplementedError

    def _columns(self) -> list[str]:
        return self.children[0]._columns()

    def _size(self) -> int | None:
        """Rows per epoch, or None when it cannot be known without iterating."""
        return self.children[0]._size()

    def _native(self) -> bool:
        """Whether this node runs on blocks (``_blocks``): it has a block form and so does
        every node below it (see :mod:`mind.data._src.blocks`)."""
        return False

    def _blocks(self, run: _Run) -> Iterator[Block]:
        raise NotImplementedError

    def _children_native(self) -> bool:
        return blocks_enabled() and all(c._native() for c in self.children)

    def _stream(self, run: _Run) -> Iterator[tuple]:
        if self._native():  # a row-at-a-time parent reads this node's blocks as rows
            return _block_rows(self._block_stream(run))
        rows = self._rows(run)
        return _timed(rows, self, run) if run.profile is not None else rows

    def _block_stream(self, run: _Run) -> Iterator[Block]:
        blocks = self._blocks(run)
        return _timed(blocks, self, run, Block) if run.profile is not None else blocks

    # -- building pipelines -----------------------------------------------------------------------

    def map(
        self,
        operations: Any,
        input_columns: Any = None,
        output_columns: Any = None,
        column_order: Any = None,
        num_parallel_workers: int | None = None,
        python_multiprocessing: bool = False,
        cache: Any = None,
        callbacks: Any = None,
        max_rowsize: Any = None,
        offload: Any = None,
    ) -> Dataset:
        """Apply ``operations`` (a callable or a list applied in turn) to ``input_columns``
        (default: the first column), writing ``output_columns`` (default: the input columns).
        ``num_parallel_workers > 1`` runs rows on threads, or on processes with
        ``python_multiprocessing=True`` (arrays cross through shared memory)."""
        return MapDataset(
            self,
            operations,
            input_columns,
            output_columns,
            column_order,
            num_parallel_workers,
            python_multiprocessing,
            callbacks,
        )

    def batch(
        self,
        batch_size: Any,
        drop_remainder: bool = False,
        num_parallel_workers: int | None = None,
        per_batch_map: Callable | None = None,
        input_columns: Any = None,
        output_columns: Any = None,
        column_order: Any = None,
        pad_info: dict | None = None,
        python_multiprocessing: bool = False,
        max_rowsize: Any = None,
    ) -> Dataset:
        """Stack ``batch_size`` rows into one (``batch_size`` may be a callable of BatchInfo)."""
        return BatchDataset(
            self, batch_size, drop_remainder, per_batch_map, input_columns, output_columns, pad_info
        )

    def padded_batch(
        self,
        batch_size: Any,
        drop_remainder: bool = False,
        num_parallel_workers: int | None = None,
        pad_info: dict | None = None,
    ) -> Dataset:
        """``batch`` that pads columns to a common shape (``pad_info``: column -> (shape, value))."""
        return BatchDataset(self, batch_size, drop_remainder, None, None, None, pad_info or {})

    def filter(
        self,
        predicate: Callable[..., Any],
        input_columns: Any = None,
        num_parallel_workers: Any = None,
    ) -> Dataset:
        """Keep the rows for which ``predicate(*columns)`` is True (``input_columns``, default:
        every column, in order); ``num_parallel_workers > 1`` runs it on threads."""
        return FilterDataset(self, predicate, input_columns, num_parallel_workers)

    def shuffle(self, buffer_size: int) -> Dataset:
        """Shuffle through a buffer of ``buffer_size`` rows (a new order every epoch)."""
        return ShuffleDataset(self, buffer_size)

    def repeat(self, count: int | None = None) -> Dataset:
        """Repeat the dataset ``count`` times (None or -1: forever)."""
        return RepeatDataset(self, count)

    def take(self, count: int = -1) -> Dataset:
        """The first ``count`` rows (-1: all)."""
        return TakeDataset(self, count)

    def skip(self, count: int) -> Dataset:
        """All but the first ``count`` rows."""
        return SkipDataset(self, count)

    def zip(self, datasets: Any) -> Dataset:
        """Rows of this and ``datasets`` side by side (stops at the shortest)."""
        others = [datasets] if isinstance(datasets, Dataset) else list(datasets)
        return ZipDataset([self, *others])

    def concat(self, datasets: Any) -> Dataset:
        """This dataset's rows, then ``datasets``'."""
        others = [datasets] if isinstance(datasets, Dataset) else list(datasets)
        return ConcatDataset([self, *others])

    def __add__(self, other: Dataset) -> Dataset:
        return self.concat(other)

    def project(self, columns: Any) -> Dataset:
        """Keep only ``columns``, in that order."""
        return ProjectDataset(self, [columns] if isinstance(columns, str) else list(columns))

    def rename(self, input_columns: Any, output_columns: Any) -> Dataset:
        """Rename columns."""
        return RenameDataset(self, input_columns, output_columns)

    def split(self, sizes: Sequence[int | float], randomize: bool = True) -> list[Dataset]:
        """Disjoint datasets of ``sizes`` rows (ints) or fractions (floats summing to 1)."""
        from mind.data._src.sources import split_dataset

        return split_dataset(self, sizes, randomize)

    def bucket_batch_by_length(
        self,
        column_names: Any,
        bucket_boundaries: Sequence[int],
        bucket_batch_sizes: Sequence[int],
        element_length_function: Callable | None = None,
        pad_info: dict | None = None,
        pad_to_bucket_boundary: bool = False,
        drop_remainder: bool = False,
    ) -> Dataset:
        """Batch rows of similar length together: a row goes to the bucket its length falls in."""
        return BucketBatchDataset(
            self,
            column_names,
            bucket_boundaries,
            bucket_batch_sizes,
            element_length_function,
            pad_info,
            pad_to_bucket_boundary,
            drop_remainder,
        )

    # -- iterating --------------------------------------------------------------------------------

    def create_tuple_iterator(
        self,
        columns: Any = None,
        num_epochs: int = -1,
        output_numpy: bool = False,
        do_copy: bool = True,
    ) -> TupleIterator:
        """An iterator of lists of column values (Tensors, or numpy with ``output_numpy``).

        Each ``for`` loop over the iterator is one epoch; ``num_epochs`` limits how many.
        """
        return TupleIterator(self, columns, num_epochs, output_numpy)

    def create_dict_iterator(
        self, num_epochs: int = -1, output_numpy: bool = False, do_copy: bool = True
    ) -> DictIterator:
        """Like :meth:`create_tuple_iterator`, yielding dicts of column name -> value."""
        return DictIterator(self, None, num_epochs, output_numpy)

    def __iter__(self) -> Iterator[list]:
        return iter(self.create_tuple_iterator(num_epochs=1))

    # -- information ------------------------------------------------------------------------------

    def get_dataset_size(self) -> int:
        """Rows (or batches) per epoch; counted by iterating once if it cannot be derived."""
        size = self._size()
        if size is None:
            with muted_callbacks():  # as in MindSpore, a getter's iteration calls no callbacks
                size = sum(1 for _ in self.create_tuple_iterator(num_epochs=1, output_numpy=True))
        return size

    def get_col_names(self) -> list[str]:
        return list(self._columns())

    def _first_row(self) -> tuple:
        it = self.create_tuple_iterator(num_epochs=1, output_numpy=True)
        try:
            with muted_callbacks():  # the epoch (and its _Run) starts on the first next()
                return tuple(next(iter(it)))
        except StopIteration:
            raise MindDataError(f"{self.op_name}: the dataset is empty") from None
        finally:
            it.close()

    def output_shapes(self) -> list[list[int]]:
        """Shapes of the first row's columns."""
        return [list(np.shape(v)) for v in self._first_row()]

    def output_types(self) -> list[np.dtype]:
        """Numpy dtypes of the first row's columns."""
        return [np.asarray(v).dtype for v in self._first_row()]

    def get_batch_size(self) -> int:
        node = self
        while node.children and not isinstance(node, BatchDataset):
            node = node.children[0]
        return (
            node.batch_size
            if isinstance(node, BatchDataset) and isinstance(node.batch_size, int)
            else 1
        )

    def get_repeat_count(self) -> int:
        node = self
        while node.children and not isinstance(node, RepeatDataset):
            node = node.children[0]
        return node.count if isinstance(node, RepeatDataset) else 1

    def doctor(
        self, num_rows: int = 200, verbose: bool = True, model: Any = None, steps: int = 30
    ) -> dict:
        """Run a short pass and report each op's share of the time, where the pipeline stalls, and
        configuration problems (see :func:`mind.data._src.doctor.diagnose`). With ``model`` (a
        ``mind.core.train.Model``), also train it for ``steps`` steps on this dataset and report
        the data path: the time from the iterator to the step's first kernel (waiting on the
        iterator, conversion to Tensors and the device copy) against the step."""
        from mind.data._src.doctor import diagnose

        return diagnose(self, num_rows, verbose, model, steps)

    def __repr__(self) -> str:
        lines, node, depth = [], self, 0
        stack = [(self, 0)]
        while stack:
            node, depth = stack.pop()
            lines.append("  " * depth + node._describe())
            stack.extend((c, depth + 1) for c in reversed(node.children))
        return "\n".join(lines)

    def _describe(self) -> str:
        return self.op_name


# ------------------------------------------------------------------------------------------------
# Ops
# ------------------------------------------------------------------------------------------------


def _names(value: Any, op: str, arg: str) -> list[str] | None:
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(n, str) for n in names):
        raise MindTypeError(
            f"For '{op}', '{arg}' must be a column name or a list of names, got {value!r}"
        )
    return names


def _compose(operations: Any) -> Callable[..., tuple]:
    ops = list(operations) if isinstance(operations, list | tuple) else [operations]
    for i, op in enumerate(ops):
        if not callable(op):
            raise MindTypeError(
                f"For 'map', operations[{i}] must be callable, got {type(op).__name__}"
            )
    if len(ops) == 1:
        return ops[0]

    def composed(*cols):
        for op in ops:
            cols = op(*cols)
            if not isinstance(cols, tuple):
                cols = (cols,)
        return cols

    return composed


def _first_builtin(op: Any) -> Any:
    """The built-in transform a row meets first when ``op`` runs (into Compose and its kin),
    or None when that is a Python function."""
    from mind.data.transforms import _Transform

    while isinstance(op, _Transform):
        members = getattr(op, "transforms", None)
        if not members:
            return op
        op = members[0]
    return None


def _announced(items: Iterator, before: Callable[[], None]) -> Iterator:
    """``items``, calling ``before()`` as each is taken."""
    for item in items:
        before()
        yield item


class MapDataset(Dataset):
    op_name = "Map"

    def __init__(
        self,
        child,
        operations,
        input_columns,
        output_columns,
        column_order,
        workers,
        multiprocessing,
        callbacks=None,
    ):
        super().__init__([child], workers)
        self.fn = _compose(operations)
        # map's dataset callbacks (DSCallback), called as rows go through; None without any.
        listed = check_callbacks(callbacks)
        self._callbacks = CallbackRunner(listed) if listed else None
        ops = list(operations) if isinstance(operations, list | tuple) else [operations]
        forms = [getattr(op, "_batch", None) for op in ops]
        self._forms = forms if all(callable(f) for f in forms) else None
        self._array_op = _first_builtin(ops[0])
        # Errors, the watchdog and the doctor name the ops: "Decode, Normalize" for a list.
        self.op_label = ", ".join(getattr(op, "__name__", None) or type(op).__name__ for op in ops)
        columns = child._columns()
        self.inputs = _names(input_columns, "map", "input_columns") or columns[:1]
        missing = [c for c in self.inputs if c not in columns]
        if missing:
            raise MindValueError(
                f"For 'map', input_columns {missing} are not in the dataset's columns {columns}"
            )
        self.outputs = _names(output_columns, "map", "output_columns") or list(self.inputs)
        first = min(columns.index(c) for c in self.inputs)
        kept = [c for c in columns if c not in self.inputs]
        self.out_columns = kept[:first] + self.outputs + kept[first:]
        if len(set(self.out_columns)) != len(self.out_columns):
            raise MindValueError(f"For 'map', the output columns {self.out_columns} repeat a name")
        if column_order is not None:
            order = _names(column_order, "map", "column_order")
            if sorted(order) != sorted(self.out_columns):
                raise MindValueError(
                    f"For 'map', column_order {order} must list the columns {self.out_columns}"
                )
            self.out_columns = order
        self.in_pos = [columns.index(c) for c in self.inputs]
        self.multiprocessing = bool(multiprocessing)
        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise MindValueError(
                f"For 'map', 'num_parallel_workers' must be an int >= 1, got {workers!r}"
            )

    def _columns(self) -> list[str]:
        return self.out_columns

    def _describe(self) -> str:
        mode = "processes" if self.multiprocessing else "threads"
        return f"Map({self.op_label}, {self.inputs} -> {self.outputs}, workers={self.num_parallel_workers or 1} {mode})"

    def _rows(self, run: _Run) -> Iterator[tuple]:
        if self._callbacks is not None and run.callbacks:
            return self._rows_with_callbacks(run, self._callbacks)
        return self._plain_rows(run)

    def _rows_with_callbacks(self, run: _Run, hooks: CallbackRunner) -> Iterator[tuple]:
        """The rows, with the callbacks' hooks around each (see mind.data._src.callbacks)."""
        hooks.begin_pass(run.first_pass)
        pending: list[tuple[int, int, int]] = []  # steps begun whose rows have not come out
        for row in self._plain_rows(run, lambda: pending.append(hooks.step_begin())):
            hooks.step_end(pending.pop(0))
            yield row
        hooks.end_pass(run.last_pass)

    def _plain_rows(
        self, run: _Run, step_begin: Callable[[], None] | None = None
    ) -> Iterator[tuple]:
        child_cols = self.children[0]._columns()
        stream = run.op_id(self)
        assemble = self._assembler(child_cols)
        rows = self.children[0]._stream(run)
        workers = self.num_parallel_workers or 1
        inputs = ((row, tuple(row[p] for p in self.in_pos)) for row in rows)
        if self._array_op is not None:
            inputs = self._refuse_dicts(inputs)
        if step_begin is not None:  # called as each row is taken to be mapped
            inputs = _announced(inputs, step_begin)
        progress, op = run.progress, f"map ({self.op_label})"
        if workers == 1:
            for index, (row, args) in enumerate(inputs):
                progress.where, progress.stamp = (op, index), time.monotonic()
                yield assemble(row, self._call(args, run, index, stream), index)
            return
        pool_cls = ProcessPool if self.multiprocessing else ThreadPool
        pool = pool_cls(self.fn, workers, op, progress=progress)
        run.closers.append(pool.close)
        originals: list[tuple] = []

        def feed():
            for row, args in inputs:
                originals.append(row)
                yield args

        try:
            for index, out in enumerate(pool.imap(feed(), run.seed, run.epoch, stream)):
                yield assemble(originals.pop(0), out, index)
        finally:
            pool.close()

    def _refuse_dicts(self, inputs: Iterator[tuple]) -> Iterator[tuple]:
        """``inputs``, after checking on the first row that no input column holds Python dicts,
        which the built-in transform the rows meet first does not take (a column holds dicts
        in every row or in none)."""
        first = next(inputs, None)
        if first is None:
            return iter(())
        for name, value in zip(self.inputs, first[1]):
            if isinstance(value, dict):
                raise MindDataError(
                    f"For 'map' ({self.op_label}), input column '{name}' holds Python dicts, "
                    f"but {type(self._array_op).__name__} is a built-in transform, which takes "
                    "arrays: map a Python function over a dict column (it receives the dict), "
                    "or take the arrays out of the dicts first"
                )
        return itertools.chain([first], inputs)

    def _native(self) -> bool:
        # Callbacks run row by row, so a map with callbacks takes the row engine.
        return self._forms is not None and self._callbacks is None and self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        """Each block through the ops' batch forms at once; a block a batch form declines
        (``NotImplemented``) goes through the ops row by row, as the row engine runs them."""
        child_cols = self.children[0]._columns()
        positions = {c: i for i, c in enumerate(child_cols)}
        out_index = {c: i for i, c in enumerate(self.outputs)}
        plan = [(c in out_index, out_index.get(c, positions.get(c))) for c in self.out_columns]
        guard = _DtypeGuard(f"map ({self.op_label})", self.outputs)
        progress, op, stream = run.progress, f"map ({self.op_label})", run.op_id(self)
        index = 0
        for block in self.children[0]._block_stream(run):
            progress.where, progress.stamp = (op, index), time.monotonic()
            args = [block.columns[p] for p in self.in_pos]
            out = self._batched(args, block.n)
            if out is NotImplemented:
                out = self._row_by_row(args, block.n, run, index, stream, guard)
            else:
                guard.check(out, index)
            yield Block([out[i] if is_out else block.columns[i] for is_out, i in plan], block.n)
            index += block.n

    def _batched(self, args: list, n: int) -> list | Any:
        if not all(isinstance(a, np.ndarray) for a in args):
            return NotImplemented
        columns = tuple(args)
        try:
            for form in self._forms:
                got = form(*columns)
                if got is NotImplemented:
                    return NotImplemented
                columns = got if isinstance(got, tuple) else (got,)
        except Exception:  # the row path raises it again, naming the row
            return NotImplemented
        if len(columns) != len(self.outputs) or not all(
            isinstance(c, np.ndarray) and c.ndim and len(c) == n and not c.dtype.hasobject
            for c in columns
        ):
            return NotImplemented
        # A 1-D string column holds rows of their own widths in the row engine.
        return [
            list(map(np.asarray, c)) if c.ndim == 1 and c.dtype.kind in "US" else c for c in columns
        ]

    def _row_by_row(self, args, n, run, index, stream, guard) -> list:
        rows = zip(*[a if isinstance(a, list) else split(a) for a in args])
        columns: list[list] = [[] for _ in self.outputs]
        for k, row in enumerate(rows):
            values = self._values(self._call(row, run, index + k, stream), index + k, guard)
            for column, v in zip(columns, values):
                column.append(v)
        return columns

    def _call(self, args: tuple, run: _Run, index: int, stream: int) -> tuple:
        """The op on one row, with the row's generator; a failure names the row."""
        try:
            return run_row(self.fn, args, run.seed, run.epoch, index, stream)
        except MindDataError:
            raise
        except Exception as exc:
            import traceback

            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            raise MindDataError(
                f"For 'map' ({self.op_label}), the operation failed on row {index}:\n"
                f"{text.rstrip()}"
            ) from exc

    def _values(self, out: tuple, index: int, guard: _DtypeGuard) -> list[np.ndarray]:
        """One row's results as arrays, checked: their count and each column's dtype."""
        label, nout = self.op_label, len(self.outputs)
        if len(out) != nout:
            raise MindDataError(
                f"For 'map' ({label}), the operation returned {len(out)} values but "
                f"output_columns names {nout}: {self.outputs}"
            )
        try:
            values = [np.asarray(v) for v in out]
        except ValueError as exc:
            raise MindDataError(
                f"For 'map' ({label}), row {index}: a returned value cannot become one "
                f"array ({exc})"
            ) from None
        return guard.check(values, index)

    def _assembler(self, child_cols: list[str]) -> Callable[[tuple, tuple], tuple]:
        positions = {c: i for i, c in enumerate(child_cols)}
        out_index = {c: i for i, c in enumerate(self.outputs)}
        plan = [
            ("out", out_index[c]) if c in out_index else ("in", positions[c])
            for c in self.out_columns
        ]
        guard = _DtypeGuard(f"map ({self.op_label})", self.outputs)

        def assemble(row: tuple, out: tuple, index: int) -> tuple:
            values = self._values(out, index, guard)
            return tuple(values[i] if kind == "out" else row[i] for kind, i in plan)

        return assemble


class BatchInfo:
    """What a batch-size callable or ``per_batch_map`` learns about the batch being built."""

    def __init__(self, epoch_num: int, batch_num: int) -> None:
        self._epoch, self._batch = epoch_num, batch_num

    def get_epoch_num(self) -> int:
        return self._epoch

    def get_batch_num(self) -> int:
        return self._batch


def _pad_to(array: np.ndarray, shape: Sequence[int | None], value: Any, label: str) -> np.ndarray:
    target = [s if s is not None else array.shape[i] for i, s in enumerate(shape)]
    if len(target) != array.ndim or any(a > t for a, t in zip(array.shape, target)):
        raise MindDataError(
            f"For 'batch', {label} of shape {array.shape} does not fit pad shape {tuple(target)}"
        )
    return np.pad(array, [(0, t - a) for a, t in zip(array.shape, target)], constant_values=value)


class BatchDataset(Dataset):
    op_name = "Batch"

    def __init__(
        self,
        child,
        batch_size,
        drop_remainder,
        per_batch_map,
        input_columns,
        output_columns,
        pad_info,
    ):
        super().__init__([child])
        if not callable(batch_size) and (not isinstance(batch_size, int) or batch_size < 1):
            raise MindValueError(
                f"For 'batch', 'batch_size' must be an int >= 1 or a callable, got {batch_size!r}"
            )
        self.batch_size, self.drop_remainder = batch_size, bool(drop_remainder)
        self.per_batch_map, self.pad_info = per_batch_map, pad_info
        columns = child._columns()
        self.inputs = _names(input_columns, "batch", "input_columns") or (
            columns if per_batch_map else None
        )
        self.outputs = _names(output_columns, "batch", "output_columns")
        if pad_info:
            unknown = [c for c in pad_info if c not in columns]
            if unknown:
                raise MindValueError(
                    f"For 'batch', pad_info names unknown columns {unknown}; columns: {columns}"
                )

    def _columns(self) -> list[str]:
        columns = self.children[0]._columns()
        if self.per_batch_map and self.outputs:
            kept = [c for c in columns if c not in self.inputs]
            return kept + self.outputs if self.inputs != columns else self.outputs
        return columns

    def _size(self) -> int | None:
        n = self.children[0]._size()
        if n is None or not isinstance(self.batch_size, int):
            return None
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def _describe(self) -> str:
        return f"Batch({self.batch_size}, drop_remainder={self.drop_remainder})"

    def _native(self) -> bool:
        return (
            isinstance(self.batch_size, int)
            and self.per_batch_map is None
            and self._children_native()
        )

    def _blocks(self, run: _Run) -> Iterator[Block]:
        """Each batch from slices of the child's blocks: a view when a batch lies within one
        block, one copy into the batch array otherwise."""
        columns = self.children[0]._columns()
        size, start, batch_num = self.batch_size, 0, 0
        progress = run.progress
        for group in rechunk(self.children[0]._block_stream(run), size, len(columns)):
            # The batches one child block completed travel on together (a block of batches).
            batches: list[list] = [[] for _ in columns]
            for chunk in group:
                if chunk.n < size and self.drop_remainder:
                    break
                info = BatchInfo(run.epoch, batch_num)
                for out, c, name in zip(batches, chunk.columns, columns):
                    out.append(self._stack_block(c, name, info, start, chunk.n))
                batch_num += 1
                start += chunk.n
            if batches[0]:
                progress.stamp = time.monotonic()
                yield Block(batches, len(batches[0]))

    def _stack_block(self, column, name: str, info: BatchInfo, start: int, n: int) -> np.ndarray:
        pad = self.pad_info
        if isinstance(column, np.ndarray) and (pad is None or (pad and name not in pad)):
            # Rows of one shape and dtype: already the batch. A view (of a source's arrays, of a
            # memory-mapped page) is copied once, so that a batch, as with the row engine, is a
            # fresh writable array that aliases nothing.
            return column if column.base is None else column.copy()
        values = (
            column
            if isinstance(column, list)
            else list(column)
            if column.ndim > 1
            else [np.asarray(v) for v in column]
        )
        return self._stack(values, name, info, start)

    def _rows(self, run: _Run) -> Iterator[tuple]:
        columns = self.children[0]._columns()
        rows = self.children[0]._stream(run)
        batch_num = start = 0
        while True:
            size = (
                self.batch_size(BatchInfo(run.epoch, batch_num))
                if callable(self.batch_size)
                else self.batch_size
            )
            chunk = list(itertools.islice(rows, size))
            if not chunk or (len(chunk) < size and self.drop_remainder):
                return
            if self.per_batch_map is not None:  # user code: the watchdog names the batch
                run.progress.where = ("batch (per_batch_map)", start)
                run.progress.stamp = time.monotonic()
            yield self._make(chunk, columns, BatchInfo(run.epoch, batch_num), start)
            batch_num += 1
            start += len(chunk)

    def _make(
        self, chunk: list[tuple], columns: list[str], info: BatchInfo, start: int | None = None
    ) -> tuple:
        """One batch from ``chunk``; ``start`` is the epoch's row number of its first row."""
        cols = [[row[i] for row in chunk] for i in range(len(columns))]
        if self.per_batch_map is None:
            return tuple(self._stack(col, name, info, start) for col, name in zip(cols, columns))
        pos = [columns.index(c) for c in self.inputs]
        # A dict column reaches per_batch_map as one dict of lists, one list per key.
        args = [
            grouped(cols[p], columns[p], self._where(info, start))
            if isinstance(cols[p][0], dict)
            else cols[p]
            for p in pos
        ]
        out = self.per_batch_map(*args, info)
        out = out if isinstance(out, tuple) else (out,)
        names = self.outputs or self.inputs
        if len(out) != len(names):
            raise MindDataError(
                f"For 'batch', per_batch_map returned {len(out)} columns, expected {len(names)}"
            )
        kept = [c for c in columns if c not in self.inputs]
        by_name = dict(zip(columns, cols)) | dict(zip(names, out))
        columns = (kept + list(names)) if self.inputs != columns else list(names)
        made = set(names)
        # A dict that per_batch_map returns is the batch's value as it is (lists of arrays, say).
        return tuple(
            by_name[c]
            if c in made and isinstance(by_name[c], dict)
            else self._stack(by_name[c], c, info, start)
            for c in columns
        )

    @staticmethod
    def _where(info: BatchInfo, start: int | None) -> Callable[[int], str]:
        """How messages name row ``k`` of the batch."""

        def row(k: int) -> str:
            where = f"row {k} of batch {info.get_batch_num()}"
            return where if start is None else f"row {start + k} ({where})"

        return row

    def _stack(
        self, values: list, column: str, info: BatchInfo, start: int | None, path: tuple = ()
    ) -> Any:
        """The rows of one column (or, with ``path``, one key of a dict column) as one array;
        a dict column becomes one dict of those, key by key (nested dicts likewise)."""
        if len(values) and isinstance(values[0], dict):
            return self._stack_dicts(values, column, info, start, path)
        row = self._where(info, start)
        label = f"column '{column}'" + (f", key {key_path(path)}," if path else "")
        try:
            values = [np.asarray(v) for v in values]
        except ValueError as exc:  # a ragged list inside a dict
            raise MindDataError(
                f"For 'batch', {label} holds a value that cannot become one array ({exc})"
            ) from None
        d0 = values[0].dtype
        for k, v in enumerate(values):
            # One string row among numbers would make np.stack promote the whole batch.
            if v.dtype is not d0 and v.dtype != d0 and not (v.dtype.kind == d0.kind in "US"):
                raise MindDataError(
                    f"For 'batch', {label} {row(k)} has dtype {v.dtype}, but the "
                    f"batch's first row has dtype {d0}; cast the rows to one dtype in a map "
                    "(transforms.TypeCast)"
                )
            if v.dtype.hasobject:
                raise MindDataError(
                    f"For 'batch', {label} {row(k)} is an array of Python objects; "
                    "columns must be numeric, bool, string or bytes arrays"
                    + (
                        " (a dict's values are stacked into arrays: batch objects with a "
                        "per_batch_map, which receives them as lists)"
                        if path
                        else ""
                    )
                )
        pad = self.pad_info
        if pad is not None and ((column in pad and not path) or not pad):
            shape, value = pad.get(column, (None, 0)) if pad else (None, 0)
            if shape is None:
                ndim = values[0].ndim
                shape = [max(v.shape[d] for v in values) for d in range(ndim)]
            values = [_pad_to(v, shape, value, label.rstrip(",")) for v in values]
        s0 = values[0].shape
        for k, v in enumerate(values):
            if v.shape != s0:
                shapes = sorted({v.shape for v in values})
                raise MindDataError(
                    f"For 'batch', {label} has rows of different shapes {shapes[:4]}: "
                    f"{row(k)} has shape {v.shape}, the batch's first row {s0}; pad them with "
                    "pad_info (or padded_batch) or resize them in a map"
                )
        return np.stack(values)

    def _stack_dicts(
        self, values: list, column: str, info: BatchInfo, start: int | None, path: tuple
    ) -> dict:
        keys = check_keys(values, "batch", column, path, self._where(info, start))
        if self.pad_info and column in self.pad_info:
            raise MindDataError(
                f"For 'batch', pad_info names column '{column}', which holds Python dicts; "
                "pad_info pads arrays: pad the dict's values in a map (or use padded_batch "
                "with pad_info={} to pad every value to the batch's largest shape)"
            )
        return {
            key: self._stack([v[key] for v in values], column, info, start, (*path, key))
            for key in keys
        }


class FilterDataset(Dataset):
    op_name = "Filter"

    def __init__(self, child, predicate, input_columns, workers):
        super().__init__([child], workers)
        if not callable(predicate):
            raise MindTypeError(
                f"For 'filter', 'predicate' must be callable, got {type(predicate).__name__}"
            )
        if workers is not None and (
            isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
        ):
            raise MindValueError(
                f"For 'filter', 'num_parallel_workers' must be an int >= 1, got {workers!r}"
            )
        columns = child._columns()
        self.inputs = _names(input_columns, "filter", "input_columns") or list(columns)
        missing = [c for c in self.inputs if c not in columns]
        if missing:
            raise MindValueError(
                f"For 'filter', input_columns {missing} are not in the dataset's columns {columns}"
            )
        self.predicate, self.in_pos = predicate, [columns.index(c) for c in self.inputs]
        self.label = getattr(predicate, "__name__", None) or type(predicate).__name__

    def _size(self) -> int | None:
        return None

    def _describe(self) -> str:
        return f"Filter({self.label}, {self.inputs}, workers={self.num_parallel_workers or 1})"

    def _rows(self, run: _Run) -> Iterator[tuple]:
        rows = self.children[0]._stream(run)
        stream, progress, op = run.op_id(self), run.progress, f"filter ({self.label})"
        pos = self.in_pos
        workers = self.num_parallel_workers or 1
        if workers == 1:
            for index, row in enumerate(rows):
                progress.where, progress.stamp = (op, index), time.monotonic()
                if self._keep(self._call(tuple(row[p] for p in pos), run, index, stream), index):
                    yield row
            return
        pool = ThreadPool(self.predicate, workers, op, progress=progress)
        run.closers.append(pool.close)
        originals: list[tuple] = []

        def feed():
            for row in rows:
                originals.append(row)
                yield tuple(row[p] for p in pos)

        try:
            for index, out in enumerate(pool.imap(feed(), run.seed, run.epoch, stream)):
                row = originals.pop(0)
                if self._keep(out, index):
                    yield row
        finally:
            pool.close()

    def _call(self, args: tuple, run: _Run, index: int, stream: int) -> tuple:
        try:
            return run_row(self.predicate, args, run.seed, run.epoch, index, stream)
        except MindDataError:
            raise
        except Exception as exc:
            import traceback

            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            raise MindDataError(
                f"For 'filter' ({self.label}), the predicate failed on row {index}:\n"
                f"{text.rstrip()}"
            ) from exc

    def _keep(self, out: tuple, index: int) -> bool:
        """The predicate's answer for row ``index``: a bool (a Python or numpy one, or an array
        holding one bool)."""
        if len(out) == 1:
            value = out[0]
            if isinstance(value, bool | np.bool_):
                return bool(value)
            if isinstance(value, np.ndarray) and value.dtype == np.bool_ and value.size == 1:
                return bool(value.reshape(()))
        got = out[0] if len(out) == 1 else out
        raise MindDataError(
            f"For 'filter' ({self.label}), the predicate must return a bool, got "
            f"{type(got).__name__} {got!r} on row {index}"
        )


class ShuffleDataset(Dataset):
    op_name = "Shuffle"

    def __init__(self, child, buffer_size):
        super().__init__([child])
        if not isinstance(buffer_size, int) or buffer_size < 2:
            raise MindValueError(
                f"For 'shuffle', 'buffer_size' must be an int >= 2, got {buffer_size!r}"
            )
        self.buffer_size = buffer_size

    def _describe(self) -> str:
        return f"Shuffle(buffer_size={self.buffer_size})"

    def _rows(self, run: _Run) -> Iterator[tuple]:
        rng = np.random.default_rng(
            np.random.SeedSequence([run.seed, run.epoch, run.op_id(self), 0x5348])
        )
        buffer: list[tuple] = []
        for row in self.children[0]._stream(run):
            if len(buffer) < self.buffer_size:
                buffer.append(row)
                continue
            j = int(rng.integers(len(buffer)))
            buffer[j], row = row, buffer[j]
            yield row
        for j in rng.permutation(len(buffer)):
            yield buffer[j]

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        """The row engine's shuffle computed on positions: the buffer is a block of
        ``buffer_size`` rows, each incoming block draws its slots in one call (the same numbers
        as one draw per row) and the rows leave by gathers and scatters, not one by one."""
        rng = np.random.default_rng(
            np.random.SeedSequence([run.seed, run.epoch, run.op_id(self), 0x5348])
        )
        size, ncols = self.buffer_size, len(self._columns())
        filling: list[Block] = []
        have = 0
        buffer: Block | None = None
        for block in self.children[0]._block_stream(run):
            if buffer is None:
                take = min(size - have, block.n)
                filling.append(block.slice(0, take))
                have += take
                if have < size:
                    continue
                buffer = _writable(join(filling, ncols))
                filling = []
                block = block.slice(take, block.n)
                if not block.n:
                    continue
            slots = rng.integers(size, size=block.n)
            # Row k of the block leaves slot slots[k] and takes its place: what leaves is the
            # buffer's row, or an earlier row of this block that went into the same slot.
            source, last = [], {}
            for k, j in enumerate(slots.tolist()):
                w = last.get(j)
                source.append(j if w is None else size + w)
                last[j] = k
            yield _gather2(buffer, block, np.asarray(source, dtype=np.int64), size)
            into = np.fromiter(last.keys(), np.int64, len(last))
            rows = np.fromiter(last.values(), np.int64, len(last))
            buffer = _scatter(buffer, into, block, rows)
        if buffer is None:
            buffer = join(filling, ncols) if filling else None
        if buffer is None or not buffer.n:
            return
        order = rng.permutation(buffer.n)
        for lo in range(0, buffer.n, 1024):
            yield buffer.take(order[lo : lo + 1024])


def _writable(block: Block) -> Block:
    """``block`` with columns the shuffle buffer may write (own arrays, not views)."""
    return Block([list(c) if isinstance(c, list) else np.array(c) for c in block.columns], block.n)


def _same_layout(a: Any, b: Any) -> bool:
    """Two block columns that are arrays of one dtype and row shape (gathers stay in numpy)."""
    return (
        isinstance(a, np.ndarray)
        and isinstance(b, np.ndarray)
        and a.dtype == b.dtype
        and a.shape[1:] == b.shape[1:]
    )


def _gather2(buffer: Block, block: Block, source: np.ndarray, size: int) -> Block:
    """Rows ``source`` of the buffer followed by ``block`` (source >= size: the block's)."""
    from_block = source >= size
    columns = []
    for a, b in zip(buffer.columns, block.columns):
        if _same_layout(a, b):
            out = np.empty((len(source), *a.shape[1:]), a.dtype)
            out[~from_block] = a[source[~from_block]]
            out[from_block] = b[source[from_block] - size]
            columns.append(out)
        else:
            ra = a if isinstance(a, list) else split(a)
            rb = b if isinstance(b, list) else split(b)
            columns.append([rb[i - size] if i >= size else ra[i] for i in source.tolist()])
    return Block(columns, len(source))


def _scatter(buffer: Block, into: np.ndarray, block: Block, rows: np.ndarray) -> Block:
    """The buffer with slots ``into`` replaced by rows ``rows`` of ``block``."""
    columns = []
    for a, b in zip(buffer.columns, block.columns):
        if _same_layout(a, b):
            a[into] = b[rows]
            columns.append(a)
        else:
            ra = a if isinstance(a, list) else split(a)
            rb = b if isinstance(b, list) else split(b)
            for i, k in zip(into.tolist(), rows.tolist()):
                ra[i] = rb[k]
            columns.append(ra)
    return Block(columns, buffer.n)


class RepeatDataset(Dataset):
    op_name = "Repeat"

    def __init__(self, child, count):
        super().__init__([child])
        if count is None or count == -1:
            count = None
        elif not isinstance(count, int) or count < 1:
            raise MindValueError(f"For 'repeat', 'count' must be an int >= 1 or -1, got {count!r}")
        self.count = count

    def _size(self) -> int | None:
        n = self.children[0]._size()
        return None if n is None or self.count is None else n * self.count

    def _rows(self, run: _Run) -> Iterator[tuple]:
        for i in itertools.count() if self.count is None else range(self.count):
            # Each repeat is a sub-epoch of its own: shuffles and samplers differ between them.
            base = run.epoch * (self.count or 1_000_003) + i
            sub = run.at_epoch(base, i == 0, i + 1 == self.count)
            yield from self.children[0]._stream(sub)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        for i in itertools.count() if self.count is None else range(self.count):
            base = run.epoch * (self.count or 1_000_003) + i
            sub = run.at_epoch(base, i == 0, i + 1 == self.count)
            yield from self.children[0]._block_stream(sub)


class TakeDataset(Dataset):
    op_name = "Take"

    def __init__(self, child, count):
        super().__init__([child])
        if not isinstance(count, int) or (count < 0 and count != -1):
            raise MindValueError(f"For 'take', 'count' must be an int >= 0 or -1, got {count!r}")
        self.count = count

    def _size(self) -> int | None:
        n = self.children[0]._size()
        if self.count == -1:
            return n
        return self.count if n is None else min(n, self.count)

    def _rows(self, run: _Run) -> Iterator[tuple]:
        rows = self.children[0]._stream(run)
        yield from rows if self.count == -1 else itertools.islice(rows, self.count)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        left = self.count
        if left == 0:
            return
        blocks = self.children[0]._block_stream(run)
        try:
            for block in blocks:
                if left != -1 and block.n >= left:
                    yield block.slice(0, left)
                    return
                if left != -1:
                    left -= block.n
                yield block
        finally:
            blocks.close()


class SkipDataset(Dataset):
    op_name = "Skip"

    def __init__(self, child, count):
        super().__init__([child])
        if not isinstance(count, int) or count < 0:
            raise MindValueError(f"For 'skip', 'count' must be an int >= 0, got {count!r}")
        self.count = count

    def _size(self) -> int | None:
        n = self.children[0]._size()
        return None if n is None else max(n - self.count, 0)

    def _rows(self, run: _Run) -> Iterator[tuple]:
        yield from itertools.islice(self.children[0]._stream(run), self.count, None)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        left = self.count
        for block in self.children[0]._block_stream(run):
            if left >= block.n:
                left -= block.n
                continue
            yield block.slice(left, block.n) if left else block
            left = 0


class ZipDataset(Dataset):
    op_name = "Zip"

    def __init__(self, datasets):
        super().__init__(datasets)
        names = [c for d in datasets for c in d._columns()]
        dup = sorted({c for c in names if names.count(c) > 1})
        if dup:
            raise MindValueError(
                f"For 'zip', the datasets share column names {dup}; rename them first"
            )

    def _columns(self) -> list[str]:
        return [c for d in self.children for c in d._columns()]

    def _size(self) -> int | None:
        sizes = [d._size() for d in self.children]
        return None if None in sizes else min(sizes)

    def _rows(self, run: _Run) -> Iterator[tuple]:
        for parts in zip(*(d._stream(run) for d in self.children)):
            yield tuple(v for part in parts for v in part)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        streams = [d._block_stream(run) for d in self.children]
        current: list[Block | None] = [None] * len(streams)
        offset = [0] * len(streams)
        while True:
            for k, stream in enumerate(streams):
                while current[k] is None or offset[k] >= current[k].n:
                    current[k] = next(stream, None)
                    offset[k] = 0
                    if current[k] is None:
                        return  # the shortest dataset has ended
            n = min(b.n - o for b, o in zip(current, offset))
            parts = [b.slice(o, o + n) for b, o in zip(current, offset)]
            offset = [o + n for o in offset]
            yield Block([c for part in parts for c in part.columns], n)


class ConcatDataset(Dataset):
    op_name = "Concat"

    def __init__(self, datasets):
        super().__init__(datasets)
        first = datasets[0]._columns()
        for i, d in enumerate(datasets[1:], 1):
            if d._columns() != first:
                raise MindValueError(
                    f"For 'concat', dataset {i} has columns {d._columns()}, expected {first}"
                )

    def _size(self) -> int | None:
        sizes = [d._size() for d in self.children]
        return None if None in sizes else sum(sizes)

    def _rows(self, run: _Run) -> Iterator[tuple]:
        for d in self.children:
            yield from d._stream(run)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        for d in self.children:
            yield from d._block_stream(run)


class ProjectDataset(Dataset):
    op_name = "Project"

    def __init__(self, child, columns):
        super().__init__([child])
        have = child._columns()
        missing = [c for c in columns if c not in have]
        if missing:
            raise MindValueError(f"For 'project', columns {missing} are not in {have}")
        self.columns, self.pos = columns, [have.index(c) for c in columns]

    def _columns(self) -> list[str]:
        return list(self.columns)

    def _rows(self, run: _Run) -> Iterator[tuple]:
        for row in self.children[0]._stream(run):
            yield tuple(row[p] for p in self.pos)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        for block in self.children[0]._block_stream(run):
            yield Block([block.columns[p] for p in self.pos], block.n)


class RenameDataset(Dataset):
    op_name = "Rename"

    def __init__(self, child, input_columns, output_columns):
        super().__init__([child])
        ins, outs = (
            _names(input_columns, "rename", "input_columns"),
            _names(output_columns, "rename", "output_columns"),
        )
        if ins is None or outs is None or len(ins) != len(outs):
            raise MindValueError(
                "For 'rename', input_columns and output_columns must name the same number of columns"
            )
        have = child._columns()
        missing = [c for c in ins if c not in have]
        if missing:
            raise MindValueError(f"For 'rename', columns {missing} are not in {have}")
        mapping = dict(zip(ins, outs))
        self.names = [mapping.get(c, c) for c in have]
        if len(set(self.names)) != len(self.names):
            raise MindValueError(f"For 'rename', the result {self.names} repeats a column name")

    def _columns(self) -> list[str]:
        return self.names

    def _rows(self, run: _Run) -> Iterator[tuple]:
        return self.children[0]._stream(run)

    def _native(self) -> bool:
        return self._children_native()

    def _blocks(self, run: _Run) -> Iterator[Block]:
        return self.children[0]._block_stream(run)


class BucketBatchDataset(Dataset):
    op_name = "BucketBatchByLength"

    def __init__(
        self,
        child,
        column_names,
        boundaries,
        batch_sizes,
        length_fn,
        pad_info,
        pad_to_boundary,
        drop_remainder,
    ):
        super().__init__([child])
        self.columns = _names(column_names, "bucket_batch_by_length", "column_names")
        boundaries, batch_sizes = list(boundaries), list(batch_sizes)
        if sorted(boundaries) != boundaries or any(b <= 0 for b in boundaries):
            raise MindValueError(
                "For 'bucket_batch_by_length', bucket_boundaries must be positive and increasing"
            )
        if len(batch_sizes) != len(boundaries) + 1:
            raise MindValueError(
                f"For 'bucket_batch_by_length', bucket_batch_sizes needs len(bucket_boundaries) + 1 = "
                f"{len(boundaries) + 1} entries, got {len(batch_sizes)}"
            )
        self.boundaries, self.batch_sizes = boundaries, batch_sizes
        self.length_fn, self.pad_to_boundary, self.drop_remainder = (
            length_fn,
            pad_to_boundary,
            drop_remainder,
        )
        self.pad_info = pad_info
        have = child._columns()
        self.pos = [have.index(c) for c in self.columns]
        self._batcher = BatchDataset(child, 1, False, None, None, None, pad_info or {})

    def _size(self) -> int | None:
        return None

    def _rows(self, run: _Run) -> Iterator[tuple]:
        columns = self.children[0]._columns()
        buckets: list[list[tuple]] = [[] for _ in self.batch_sizes]
        for row in self.children[0]._stream(run):
            args = [row[p] for p in self.pos]
            length = self.length_fn(*args) if self.length_fn else len(args[0])
            b = int(np.searchsorted(self.boundaries, length, side="right"))
            buckets[b].append(row)
            if len(buckets[b]) == self.batch_sizes[b]:
                yield self._emit(buckets[b], columns, b)
                buckets[b] = []
        if not self.drop_remainder:
            for b, rows in enumerate(buckets):
                if rows:
                    yield self._emit(rows, columns, b)

    def _emit(self, rows, columns, bucket) -> tuple:
        if self.pad_to_boundary and self.pad_info is not None and bucket < len(self.boundaries):
            info = {
                c: ([self.boundaries[bucket] - 1], v) if s is None else (s, v)
                for c, (s, v) in (self.pad_info or dict.fromkeys(self.columns, (None, 0))).items()
            }
            self._batcher.pad_info = info
        else:
            self._batcher.pad_info = self.pad_info
        return self._batcher._make(rows, columns, BatchInfo(0, 0))


# ------------------------------------------------------------------------------------------------
# Iterators
# ------------------------------------------------------------------------------------------------

_DONE = object()


def _put(out: queue.Queue, item: Any, stop: threading.Event) -> bool:
    """Put ``item`` unless the consumer has gone (``stop`` set); False when it has."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _chunks(dataset: Dataset, run: _Run) -> Iterator[list[list]]:
    """The epoch's rows in the pieces the pipeline thread queues, as one list of row values per
    column: a block at a time when the pipeline runs on blocks, one row at a time otherwise.

    The iterator zips the columns into rows as it hands them out: thousands of row tuples
    waiting in the queue would keep setting off the cycle collector (arrays are not tracked).
    """
    if dataset._native():
        blocks = dataset._block_stream(run)
        try:
            for block in blocks:
                yield block.values()
        finally:
            blocks.close()
        return
    rows = dataset._stream(run)
    try:
        for row in rows:
            yield [[v] for v in row]
    finally:
        rows.close()


def _produce(
    dataset: Dataset, run: _Run, skip: int, out: queue.Queue, stop: threading.Event
) -> None:
    """The pipeline thread: run one epoch into ``out`` until done or told to stop."""
    chunks = _chunks(dataset, run)
    try:
        for chunk in chunks:
            if skip:
                if skip >= len(chunk[0]):
                    skip -= len(chunk[0])
                    continue
                chunk, skip = [c[skip:] for c in chunk], 0
            if not _put(out, chunk, stop):
                return
        _put(out, _DONE, stop)
    except BaseException as exc:
        _put(out, exc, stop)
    finally:
        chunks.close()
        run.close()


class _Epoch:
    """One epoch in flight: the pipeline thread, its queue, and how many rows went out.

    The rows generator holds this object, never the iterator: dropping the iterator (``break``,
    an exception, garbage collection) then runs its ``__del__``, which stops the thread and the
    workers it owns. The epoch keeps the run so that ``close`` can stop its workers itself if
    the pipeline thread does not finish promptly (a worker stuck in user code).
    """

    __slots__ = (
        "active",
        "current",
        "delivered",
        "interval",
        "queue",
        "rows",
        "run",
        "stop",
        "thread",
    )

    def __init__(self, dataset: Dataset, seed: int, epoch: int, skip: int) -> None:
        self.stop = threading.Event()
        self.queue: queue.Queue = queue.Queue(maxsize=config.get_prefetch_size())
        self.delivered = skip  # rows of the epoch in the chunks taken so far
        self.current: Iterator = iter(())  # the chunk's first column, being handed out
        self.rows: Iterator = iter(())  # the chunk's rows
        self.active = True
        self.run = _Run(seed, epoch)
        self.interval = config.get_multiprocessing_timeout_interval()
        self.thread: threading.Thread | None = threading.Thread(
            target=_produce,
            args=(dataset, self.run, skip, self.queue, self.stop),
            daemon=True,
            name="mind-data-pipeline",
        )
        self.thread.start()

    @property
    def position(self) -> int:
        """Rows handed out so far this epoch."""
        return self.delivered - self.current.__length_hint__()

    def advance(self) -> bool:
        """Make the next chunk current; False at the end of the epoch."""
        chunk = self._take()
        if chunk is None:
            return False
        self.delivered += len(chunk[0])
        self.current = first = iter(chunk[0])
        # zip reads the first column first: its length hint counts the rows not yet out.
        self.rows = zip(first, *chunk[1:])
        return True

    def _take(self) -> list[list] | None:
        if not self.active:
            return None
        try:
            item = self.queue.get(timeout=self.interval)
        except queue.Empty:
            item = self._wait()
        if item is _DONE:
            self.finish()
            return None
        if isinstance(item, BaseException):
            self.finish()
            raise item
        return item

    def _wait(self) -> Any:
        """The stall watchdog: called once the consumer has waited a whole interval for a row.

        Nothing is stalled while rows move somewhere in the pipeline (``Progress.stamp``); once
        none has for an interval, log a warning naming the op, worker and row in flight, once
        per interval, or raise :class:`PipelineStallError` with ``config.set_error_on_stall``.
        """
        interval, progress = self.interval, self.run.progress
        waited_since = time.monotonic() - interval
        reported = -float("inf")
        while True:
            now = time.monotonic()
            idle = now - max(progress.stamp, waited_since)
            if idle >= interval and now - reported >= interval:
                reported = now
                where = "; ".join(progress.stalled(now, interval)) or "no row is in flight"
                message = (
                    f"the pipeline has produced no row for {idle:.1f} s: {where}. The operation "
                    "may be hung (a deadlock, a blocking read, an endless loop) or slower than "
                    f"the watchdog's interval of {interval} s "
                    "(config.set_multiprocessing_timeout_interval)"
                )
                if config.get_error_on_stall():
                    self.close(wait=0.2)
                    raise PipelineStallError(message[0].upper() + message[1:])
                _log.warning(
                    "mind.data: %s; config.set_error_on_stall(True) makes this an error", message
                )
            wait = interval - idle if idle < interval else reported + interval - now
            try:
                return self.queue.get(timeout=max(wait, 0.05))
            except queue.Empty:
                continue

    def finish(self) -> None:
        self.active = False
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def close(self, wait: float = 0.5) -> None:
        """Stop the pipeline thread and its workers.

        Waits up to ``wait`` seconds for the thread to finish its current row; after that the
        workers are stopped from here, which unblocks the thread, and it gets as long again.
        """
        if self.thread is not None:
            self.stop.set()
            deadline = time.monotonic() + wait
            forced = False
            while self.thread.is_alive():
                try:
                    self.queue.get(timeout=0.05)
                except queue.Empty:
                    pass
                if time.monotonic() > deadline:
                    if forced:
                        break  # a daemon thread: it cannot keep the process alive
                    self.run.close()
                    forced, deadline = True, time.monotonic() + wait
            self.thread = None
        self.active = False

    def abandon(self) -> None:
        """Interpreter shutdown: stop, do not wait for threads."""
        self.stop.set()
        self.run.close()


_END = object()


class TupleIterator:
    """Iterates a dataset epoch by epoch in a background thread with a bounded queue.

    ``get_state()`` returns plain data (ints) from which ``Dataset.create_tuple_iterator(...)``
    followed by ``set_state(state)`` continues with exactly the rows that were next.
    """

    def __init__(self, dataset: Dataset, columns: Any, num_epochs: int, output_numpy: bool) -> None:
        if not isinstance(num_epochs, int) or (num_epochs < 1 and num_epochs != -1):
            raise MindValueError(f"'num_epochs' must be an int >= 1 or -1, got {num_epochs!r}")
        self.dataset, self.num_epochs, self.output_numpy = dataset, num_epochs, output_numpy
        names = dataset._columns()
        selected = _names(columns, "create_tuple_iterator", "columns")
        if selected is not None:
            missing = [c for c in selected if c not in names]
            if missing:
                raise MindValueError(
                    f"'columns' {missing} are not in the dataset's columns {names}"
                )
        self.columns = selected or names
        self._pick = [names.index(c) for c in self.columns]
        seed = config.get_seed()
        self.seed = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % 2**32)
        self.epoch = 0  # epochs started
        self._skip = 0
        self._epoch: _Epoch | None = None

    @property
    def _active(self) -> bool:
        return self._epoch is not None and self._epoch.active

    @property
    def position(self) -> int:
        """Rows delivered in the current epoch."""
        return self._epoch.position if self._epoch is not None else 0

    # -- state --------------------------------------------------------------------------------------

    def get_state(self) -> dict[str, int]:
        """Where the iterator is: plain ints, JSON-ready, no pickle."""
        active = self._active
        return {
            "format": 1,
            "seed": self.seed,
            "epoch": max(self.epoch - 1, 0) if active else self.epoch,
            "position": self.position if active else 0,
        }

    def set_state(self, state: dict[str, int]) -> None:
        """Continue from ``state``: the next row is the one that followed when it was taken."""
        seed, epoch, position = _check_state(state, self.num_epochs, self.dataset._size())
        self.close()
        self.seed, self.epoch, self._skip = seed, epoch, position
        self._resume = self._skip > 0

    # -- iteration ----------------------------------------------------------------------------------

    def __iter__(self) -> Iterator:
        if not self._begin():
            raise MindDataError(f"the iterator has run all of its {self.num_epochs} epoch(s)")
        return self._loop(self._epoch)

    def _begin(self) -> bool:
        """Make sure an epoch is in flight (resumed from a state, continued, or the next one);
        False when every epoch of ``num_epochs`` has run."""
        if getattr(self, "_resume", False):
            self._resume = False
            self._start(self.epoch, self._skip)
        elif not self._active:
            if self.num_epochs != -1 and self.epoch >= self.num_epochs:
                return False
            self._start(self.epoch, 0)
        return True

    def _start(self, epoch: int, skip: int) -> None:
        self.close()
        self.epoch = epoch + 1
        self._convert = self._converter()
        self._epoch = _Epoch(self.dataset, self.seed, epoch, skip)

    def _loop(self, epoch: _Epoch) -> Iterator:
        """What a ``for`` loop runs: the rest of the epoch, a chunk at a time at C speed.

        The generator holds the iterator (so it lives while a loop runs), and the iterator never
        holds the generator: leaving the loop drops both at once, and ``__del__`` stops the
        pipeline thread. ``next(iterator)`` and the loop share the chunk being handed out.
        """
        while True:
            rows = epoch.rows
            # Read per chunk: the epoch's first row settles the converter (see _converter).
            yield from map(self._convert, rows)
            if epoch.rows is not rows:  # next(iterator) took the next chunk meanwhile
                continue
            if not epoch.advance():
                return

    def __next__(self) -> Any:
        # As in MindSpore, next() on a fresh iterator (or after an epoch's StopIteration) starts
        # the next epoch; only once every epoch has run does it stop for good.
        if not self._begin():
            raise StopIteration
        epoch = self._epoch
        while True:
            row = next(epoch.rows, _END)
            if row is not _END:
                return self._convert(row)
            if not epoch.advance():
                raise StopIteration

    def _converter(self) -> Callable[[tuple], Any]:
        """What turns one pipeline row into what the iterator yields.

        The epoch's first row settles it: columns that hold Python dicts get their values
        converted inside the dicts (:func:`mind.data._src.pydicts.converter`); a pipeline of
        array columns gets the plain conversion, with nothing per row to find that out.
        """
        chosen: list[Callable[[tuple], Any]] = []

        def first(row):
            if not chosen:
                picked = self._picker()
                dicts = [k for k, v in enumerate(picked(row)) if isinstance(v, dict)]
                chosen.append(self._shaped(self._values(picked, dicts)))
                self._convert = chosen[0]
            return chosen[0](row)

        return first

    def _picker(self) -> Callable[[tuple], list]:
        """The selected columns of a row, as a list."""
        pick, ncols = self._pick, len(self.dataset._columns())
        if pick == list(range(ncols)):
            return list
        if len(pick) == 1:
            (only,) = pick

            def picked(row):
                return [row[only]]

            return picked
        getter = operator.itemgetter(*pick)

        def picked(row):
            return list(getter(row))

        return picked

    def _values(self, picked: Callable[[tuple], list], dicts: list[int]) -> Callable:
        """The selected columns of a row as the iterator yields them; ``dicts``: the positions
        of the columns that hold Python dicts."""
        if self.output_numpy and not dicts:
            return picked
        from mind.core import Tensor

        def to_tensor(v):
            # A read-only array (a view of a memory-mapped file) is copied: a Tensor may be
            # written in place. np.asarray, not np.ascontiguousarray: that one makes a 0-d
            # column (a label) a shape (1,) Tensor.
            return Tensor.from_numpy(
                np.asarray(v, order="C") if v.flags.writeable else np.array(v, order="C")
            )

        if not dicts:

            def to_tensors(row):  # to_tensor inlined: this runs for every row
                return [
                    Tensor.from_numpy(
                        np.asarray(v, order="C") if v.flags.writeable else np.array(v, order="C")
                    )
                    for v in picked(row)
                ]

            return to_tensors
        from mind.data._src.pydicts import converter

        inner, keep = converter(self.output_numpy), set(dicts)
        leaf = (lambda v: v) if self.output_numpy else to_tensor

        def with_dicts(row):
            return [inner(v) if i in keep else leaf(v) for i, v in enumerate(picked(row))]

        return with_dicts

    def _shaped(self, values: Callable[[tuple], list]) -> Callable[[tuple], Any]:
        """A row's converted values as the iterator yields them: a list (a dict for
        :class:`DictIterator`)."""
        return values

    def close(self, wait: float = 0.5) -> None:
        """Stop the pipeline thread and its workers (also done on ``break`` via GC).

        Waits up to ``wait`` seconds for the thread to finish its current row; after that the
        workers are stopped from here, which unblocks the thread, and it gets as long again.
        """
        if self._epoch is not None:
            self._epoch.close(wait)

    def stop(self) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if sys.is_finalizing():  # interpreter shutdown: stop, do not wait for threads
                if getattr(self, "_epoch", None) is not None:
                    self._epoch.abandon()
                return
            self.close()
        except Exception:
            pass

    def get_col_names(self) -> list[str]:
        return list(self.columns)


def _check_state(state: Any, num_epochs: int, size: int | None) -> tuple[int, int, int]:
    """(seed, epoch, position) from a ``get_state()`` dict, each field checked."""
    if not isinstance(state, dict):
        raise MindTypeError(
            f"For 'set_state', 'state' must be the dict that get_state() returned, got "
            f"{type(state).__name__}"
        )
    if state.get("format") != 1:
        raise MindValueError(
            f"For 'set_state', state['format'] must be 1 (the version get_state() writes), "
            f"got {state.get('format')!r}"
        )
    missing = [k for k in ("seed", "epoch", "position") if k not in state]
    if missing:
        raise MindValueError(f"For 'set_state', the state lacks the fields {missing}")
    extra = sorted(str(k) for k in state if k not in ("format", "seed", "epoch", "position"))
    if extra:
        raise MindValueError(f"For 'set_state', the state has unknown fields {extra}")
    values = []
    for key, high in (("seed", 2**32), ("epoch", None), ("position", None)):
        v = state[key]
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise MindTypeError(
                f"For 'set_state', state[{key!r}] must be an int, got {type(v).__name__} {v!r}"
            )
        if v < 0 or (high is not None and v >= high):
            bound = f"in [0, {high})" if high else ">= 0"
            raise MindValueError(f"For 'set_state', state[{key!r}] must be {bound}, got {v}")
        values.append(int(v))
    seed, epoch, position = values
    if num_epochs != -1 and epoch >= num_epochs:
        raise MindValueError(
            f"For 'set_state', state['epoch'] is {epoch}, but the iterator runs {num_epochs} "
            f"epoch(s) (0..{num_epochs - 1})"
        )
    if size is not None and position > size:
        raise MindValueError(
            f"For 'set_state', state['position'] is {position}, but an epoch has {size} rows"
        )
    return seed, epoch, position


class DictIterator(TupleIterator):
    """Yields dicts of column name -> value."""

    def _shaped(self, values: Callable[[tuple], list]) -> Callable[[tuple], Any]:
        columns = self.columns

        def as_dict(row):
            return dict(zip(columns, values(row)))

        return as_dict
