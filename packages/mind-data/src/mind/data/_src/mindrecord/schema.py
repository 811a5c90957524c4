"""MindRecord schemas as MindSpore writes them, and the mapping of each field to an Arrow column.

A schema is MindSpore's dict, field name -> ``{"type": ...}`` with an optional ``"shape"``::

    {"file_name": {"type": "string"}, "label": {"type": "int32"}, "data": {"type": "bytes"},
     "mask": {"type": "float32", "shape": [-1, 4]}}

Each field is one non-nullable Arrow column:

====================  ==========================================================================
schema                Arrow column
====================  ==========================================================================
int32 / int64         int32 / int64
float32 / float64     float32 / float64
string                large_string (UTF-8)
bytes                 large_binary
ndarray, fixed shape  fixed_size_list<dtype>[prod(shape)]: each row's values, C order
ndarray, one ``-1``   large_list<dtype>: each row's values, C order
====================  ==========================================================================

A variable-shape row's shape is not stored: the one ``-1`` axis is ``len(values) //
prod(other axes)``, which is what ``numpy.reshape(values, shape)`` computes from the schema's
shape, so nothing on disk can disagree with it. The other axes must be positive for that reason.

Validation raises :class:`ValueProblem` (a plain message, with the offending row when a whole
column was checked at once); the writer and the header reader turn it into their own errors.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["DOCS", "FieldSpec", "ValueProblem", "arrow_schema", "parse_schema"]

DOCS = "\n(see docs/data.md#mindrecord in the Mind repository)"

# The four numeric types MindSpore allows, both as scalars and as ndarray elements.
_NUMERIC = {
    "int32": (np.dtype(np.int32), pa.int32()),
    "int64": (np.dtype(np.int64), pa.int64()),
    "float32": (np.dtype(np.float32), pa.float32()),
    "float64": (np.dtype(np.float64), pa.float64()),
}
TYPES = (*_NUMERIC, "string", "bytes")
# MindSpore's own rule for field names; it keeps them usable as column and SQL names.
_NAME = re.compile(r"^[0-9A-Za-z_]+\Z")
# Bounds that no real schema comes near, so a damaged header cannot ask for absurd columns.
_MAX_FIELDS = 4096
_MAX_DIMS = 32
_MAX_ROW_VALUES = 2**31 - 1  # Arrow's fixed_size_list size is an int32
_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40


class ValueProblem(Exception):
    """A value or a schema that does not fit; ``offset`` is the row within a checked column."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"ndarray of {value.dtype} with shape {value.shape}"
    return f"{type(value).__name__} {_repr.repr(value)}"


def _shape_text(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


@dataclass(frozen=True)
class FieldSpec:
    """One schema field: its MindSpore type and shape, and how it is stored and checked."""

    name: str
    type: str
    # None for a scalar, string or bytes field; the schema's shape (with at most one -1) for an
    # ndarray field.
    shape: tuple[int, ...] | None = None
    # Derived; computed in __post_init__.
    dtype: np.dtype | None = field(init=False, repr=False, compare=False)
    arrow_type: pa.DataType = field(init=False, repr=False, compare=False)
    # Values per row of a fixed shape, or per step of the -1 axis of a variable one.
    inner: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dtype, value_type = _NUMERIC.get(self.type, (None, None))
        if self.type == "string":
            arrow_type = pa.large_string()
        elif self.type == "bytes":
            arrow_type = pa.large_binary()
        elif self.shape is None:
            arrow_type = value_type
        else:
            inner = math.prod(d for d in self.shape if d != -1)
            object.__setattr__(self, "inner", inner)
            arrow_type = pa.large_list(value_type) if self.variable else pa.list_(value_type, inner)
        if self.shape is None:
            object.__setattr__(self, "inner", 1)
        object.__setattr__(self, "dtype", dtype)
        object.__setattr__(self, "arrow_type", arrow_type)

    # --------------------------------------------------------------------------------------------
    # Description
    # --------------------------------------------------------------------------------------------

    @property
    def is_array(self) -> bool:
        return self.shape is not None

    @property
    def variable(self) -> bool:
        return self.shape is not None and -1 in self.shape

    @property
    def indexable(self) -> bool:
        """MindSpore indexes scalar fields only (numbers and strings, not bytes or ndarrays)."""
        return self.shape is None and self.type != "bytes"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.shape is not None:
            out["shape"] = list(self.shape)
        return out

    def describe(self) -> str:
        article = "an" if self.type[0] == "i" else "a"
        if self.shape is not None:
            return f"{article} {self.type} ndarray of shape {_shape_text(self.shape)}"
        if self.type in ("string", "bytes"):
            return "a str" if self.type == "string" else "bytes"
        return f"{article} {self.type} scalar"

    def arrow_field(self) -> pa.Field:
        # The MindSpore type and shape ride along in the field metadata, so a reader that only
        # has pyarrow (and not the header) can restore ndarray shapes.
        meta = {"mindrecord.type": self.type}
        if self.shape is not None:
            meta["mindrecord.shape"] = json.dumps(list(self.shape))
        return pa.field(self.name, self.arrow_type, nullable=False, metadata=meta)

    # --------------------------------------------------------------------------------------------
    # Checking values (writer side)
    # --------------------------------------------------------------------------------------------

    def convert(self, value: Any) -> Any:
        """Check one row's value; return it as stored (int, float, str, bytes or ndarray)."""
        if self.shape is not None:
            return self._convert_array(value)
        if self.type == "string":
            if not isinstance(value, str):
                raise ValueProblem(f"expected a str, got {_show(value)}")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueProblem(
                    f"the str is not valid UTF-8 ({exc.reason} at position {exc.start})"
                ) from None
            return value
        if self.type == "bytes":
            if not isinstance(value, (bytes, bytearray, memoryview)):
                raise ValueProblem(f"expected bytes, got {_show(value)}")
            return bytes(value)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, (bool, np.bool_)):
            raise ValueProblem(f"expected {self.describe()}, got {_show(value)}")
        if self.dtype.kind == "i":
            if not isinstance(value, (int, np.integer)):
                raise ValueProblem(f"expected {self.describe()}, got {_show(value)}")
            value = int(value)
            info = np.iinfo(self.dtype)
            if not info.min <= value <= info.max:
                raise ValueProblem(
                    f"{value} is out of range for {self.type} [{info.min}, {info.max}]"
                )
            return value
        if not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueProblem(f"expected {self.describe()}, got {_show(value)}")
        value = float(value)
        limit = float(np.finfo(self.dtype).max)
        if math.isfinite(value) and abs(value) > limit:
            raise ValueProblem(f"{value!r} is out of range for {self.type}")
        return value

    def _convert_array(self, value: Any) -> np.ndarray:
        if isinstance(value, np.ndarray):
            arr = value
        elif isinstance(value, (list, tuple)):
            try:
                arr = np.asarray(value)
            except (ValueError, TypeError):
                raise ValueProblem(
                    f"expected {self.describe()}, got a ragged or non-numeric {type(value).__name__}"
                ) from None
        else:
            raise ValueProblem(f"expected {self.describe()}, got {_show(value)}")
        self._check_kind(arr.dtype, arr)
        if not self._shape_fits(arr.shape):
            raise ValueProblem(f"expected shape {_shape_text(self.shape)}, got {list(arr.shape)}")
        return np.ascontiguousarray(arr, dtype=self.dtype)

    def _shape_fits(self, shape: tuple[int, ...]) -> bool:
        return len(shape) == len(self.shape) and all(
            want in (-1, got) for want, got in zip(self.shape, shape)
        )

    def _check_kind(self, dtype: np.dtype, arr: np.ndarray, rows: int | None = None) -> None:
        """Reject non-numeric, boolean, float-into-int and out-of-range values.

        ``rows``, when given, says ``arr`` holds that many rows on its first axis, so a problem
        can name the first offending one.
        """
        what = f"expected {self.describe()}"
        if arr.size == 0 and dtype.kind in "iuf":
            return  # an empty list is float64 to numpy; it holds no value that could not fit
        if dtype.kind not in "iuf":
            raise ValueProblem(f"{what}, got values of dtype {dtype}", 0 if rows else None)
        if self.dtype.kind == "i":
            if dtype.kind == "f":
                raise ValueProblem(f"{what}, got float values ({dtype})", 0 if rows else None)
            if not np.can_cast(dtype, self.dtype):
                info = np.iinfo(self.dtype)
                bad = (arr < info.min) | (arr > info.max)
                if bad.any():
                    offset = None
                    if rows:
                        offset = int(np.flatnonzero(bad.reshape(rows, -1).any(axis=1))[0])
                    raise ValueProblem(
                        f"values out of range for {self.type} [{info.min}, {info.max}]", offset
                    )
        elif dtype.kind == "f" and dtype.itemsize > self.dtype.itemsize:
            limit = np.finfo(self.dtype).max
            with np.errstate(invalid="ignore"):
                bad = np.isfinite(arr) & (np.abs(arr) > limit)
            if bad.any():
                offset = None
                if rows:
                    offset = int(np.flatnonzero(bad.reshape(rows, -1).any(axis=1))[0])
                raise ValueProblem(f"values out of range for {self.type}", offset)

    def column(self, values: list[Any]) -> pa.Array:
        """An Arrow column from values :meth:`convert` returned."""
        if self.type == "string" or self.type == "bytes":
            return pa.array(values, type=self.arrow_type)
        if self.shape is None:
            return pa.array(np.array(values, dtype=self.dtype), type=self.arrow_type)
        flat = (
            np.concatenate([a.reshape(-1) for a in values])
            if values
            else np.empty(0, dtype=self.dtype)
        )
        if not self.variable:
            return pa.FixedSizeListArray.from_arrays(pa.array(flat), type=self.arrow_type)
        offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([a.size for a in values], out=offsets[1:])
        return pa.LargeListArray.from_arrays(
            pa.array(offsets), pa.array(flat), type=self.arrow_type
        )

    def column_fast(self, values: Any) -> pa.Array | None:
        """An Arrow column straight from a numpy column, or None to check value by value.

        Taken for a numeric ndarray whose first axis is the rows: a 1-D array for a scalar field,
        an ``(n, *shape)`` array for an ndarray field.
        """
        if self.type in ("string", "bytes") and isinstance(values, list):
            # Arrow converts a list of one Python type in C; a list of anything else (or a str
            # that is not UTF-8) goes value by value, which names the row.
            if set(map(type, values)) <= ({str} if self.type == "string" else {bytes}):
                try:
                    return pa.array(values, type=self.arrow_type)
                except (pa.ArrowException, UnicodeError):
                    return None
            return None
        if not isinstance(values, np.ndarray) or values.dtype.kind not in "iufb":
            return None
        if self.shape is None:
            if self.type in ("string", "bytes") or values.ndim != 1:
                return None
            self._check_kind(values.dtype, values, rows=len(values))
            return pa.array(values.astype(self.dtype, copy=False), type=self.arrow_type)
        if values.ndim < 1 or not self._shape_fits(values.shape[1:]):
            return None
        n = values.shape[0]
        self._check_kind(values.dtype, values, rows=n)
        flat = np.ascontiguousarray(values, dtype=self.dtype).reshape(-1)
        if not self.variable:
            return pa.FixedSizeListArray.from_arrays(pa.array(flat), type=self.arrow_type)
        per_row = flat.size // n if n else 0
        offsets = np.arange(n + 1, dtype=np.int64) * per_row
        return pa.LargeListArray.from_arrays(
            pa.array(offsets), pa.array(flat), type=self.arrow_type
        )

    # --------------------------------------------------------------------------------------------
    # Restoring values (reader side)
    # --------------------------------------------------------------------------------------------

    def to_python(self, col: pa.Array) -> np.ndarray | list[Any]:
        """A column as the reader hands it out; every array is a fresh, writable copy.

        Numbers: a 1-D ndarray of the field's dtype. Strings and bytes: a list. Fixed-shape
        ndarrays: one ``(n, *shape)`` ndarray. Variable-shape ndarrays: a list of ndarrays.
        """
        if self.type in ("string", "bytes"):
            return col.to_pylist()
        if self.shape is None:
            return np.array(col.to_numpy(zero_copy_only=False), dtype=self.dtype)
        flat = np.array(col.flatten().to_numpy(zero_copy_only=False), dtype=self.dtype)
        if not self.variable:
            return flat.reshape((len(col), *self.shape))
        lengths = col.value_lengths().to_numpy(zero_copy_only=False)
        bad = np.flatnonzero(lengths % self.inner)
        if bad.size:
            raise ValueProblem(
                f"holds {int(lengths[bad[0]])} values, which no shape "
                f"{_shape_text(self.shape)} fits",
                int(bad[0]),
            )
        parts = np.split(flat, np.cumsum(lengths)[:-1]) if len(col) else []
        return [part.reshape(self.shape) for part in parts]


def parse_schema(content: Any) -> tuple[FieldSpec, ...]:
    """Check a MindSpore schema dict; raise :class:`ValueProblem` saying what is wrong."""
    if not isinstance(content, Mapping):
        raise ValueProblem(f"the schema must be a dict of field name -> spec, got {_show(content)}")
    if not content:
        raise ValueProblem("the schema has no fields")
    if len(content) > _MAX_FIELDS:
        raise ValueProblem(f"the schema has {len(content)} fields; at most {_MAX_FIELDS}")
    fields = []
    for name, spec in content.items():
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > 255:
            raise ValueProblem(
                f"field name {_repr.repr(name)} must be a non-empty str of at most 255 letters, "
                "digits and '_'"
            )
        if not isinstance(spec, Mapping) or "type" not in spec:
            raise ValueProblem(
                f"field {name!r} must be a dict with a 'type' (and an optional 'shape'), "
                f"got {_show(spec)}"
            )
        extra = sorted(str(k) for k in spec if k not in ("type", "shape"))
        if extra:
            raise ValueProblem(f"field {name!r} has unknown keys {extra}; allowed: type, shape")
        ftype = spec["type"]
        if not isinstance(ftype, str) or ftype not in TYPES:
            raise ValueProblem(
                f"field {name!r} has type {_repr.repr(ftype)}; supported: {list(TYPES)}"
            )
        shape = spec.get("shape")
        if shape is not None:
            if ftype not in _NUMERIC:
                raise ValueProblem(
                    f"field {name!r}: a 'shape' needs a numeric type ({list(_NUMERIC)}), "
                    f"got {ftype!r}"
                )
            if (
                not isinstance(shape, (list, tuple))
                or not shape
                or not all(
                    isinstance(d, int) and not isinstance(d, bool) and (d > 0 or d == -1)
                    for d in shape
                )
            ):
                raise ValueProblem(
                    f"field {name!r} has shape {_repr.repr(shape)}; a shape is a non-empty list "
                    "of positive ints with at most one -1"
                )
            if list(shape).count(-1) > 1:
                raise ValueProblem(
                    f"field {name!r} has shape {list(shape)}; only one axis may be -1"
                )
            if len(shape) > _MAX_DIMS:
                raise ValueProblem(
                    f"field {name!r} has {len(shape)} axes; at most {_MAX_DIMS} are supported"
                )
            if math.prod(d for d in shape if d != -1) > _MAX_ROW_VALUES:
                raise ValueProblem(
                    f"field {name!r} has shape {list(shape)}: more than {_MAX_ROW_VALUES} values "
                    "in a row (or in each step of its -1 axis)"
                )
            shape = tuple(shape)
        fields.append(FieldSpec(name, ftype, shape))
    return tuple(fields)


def arrow_schema(fields: Sequence[FieldSpec], metadata: Mapping[str, str]) -> pa.Schema:
    """The Arrow schema of every shard; ``metadata`` ties a shard to its dataset."""
    return pa.schema([f.arrow_field() for f in fields], metadata=dict(metadata))
