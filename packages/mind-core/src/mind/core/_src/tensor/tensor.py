"""Tensor and Parameter.

A ``Tensor`` holds a numpy array (its data on the ``cpu`` device), and, only while a gradient is
being taken, the tape node that made it. Nothing else: dtype, shape and the rest are read from the
array, so creating a tensor costs one object and two slots.

Memory sharing with numpy:

- ``Tensor(array)`` copies: later writes to ``array`` do not reach the tensor.
- ``Tensor.from_numpy(array)`` shares: the tensor is a view of ``array`` (no copy).
- ``tensor.asnumpy()`` shares: it returns the tensor's own array. Copy it (``.copy()``) before
  writing to it, or the tensor changes too. Results of ops are always new arrays.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from mind.core._src.tensor import dtype as dt
from mind.core.errors import MindTypeError, MindValueError

__all__ = ["Parameter", "Placeholder", "Tensor", "as_tensor"]

_new = object.__new__
_NP_FOR = {name: d.np for name, d in dt._BY_NAME.items()}


def _to_array(data: Any, dtype: dt.DType | None) -> np.ndarray:
    """A new array for ``Tensor(data, dtype)``: Python floats default to float32, ints to int64."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, np.ndarray | np.generic):
        array = data
    else:
        try:
            array = np.asarray(data)
        except ValueError as exc:
            if "inhomogeneous" not in str(exc):  # numpy's word for a ragged nested list
                raise MindValueError(
                    f"For 'Tensor', 'input_data' is not array-like: {exc}"
                ) from None
            raise MindValueError(
                "For 'Tensor', 'input_data' must be a number or a rectangular nested list "
                f"(every row the same length), but got a ragged one: {exc}"
            ) from None
        if dtype is None:
            if array.dtype == np.float64:
                array = array.astype(np.float32)
            elif array.dtype.kind in "iu" and array.dtype != np.int64:
                array = array.astype(np.int64)
    if dtype is not None:
        return np.array(array, dtype=dtype.np, copy=True)
    if array.dtype not in dt._BY_NP:
        raise MindTypeError(
            f"For 'Tensor', 'input_data' has dtype {array.dtype}, which Mind has no type for; "
            f"supported: {[d.name for d in dt.ALL]}"
        )
    return np.array(array, copy=True)


class Placeholder:
    """The data of a dynamic-shape placeholder, ``Tensor(shape=[None, 3], dtype=...)``: a shape
    (-1 for a dynamic axis) and a dtype, no values. It declares the inputs a Cell accepts
    (``Cell.set_inputs``, ``jit(input_signature=...)``); computing with it raises."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape: tuple, dtype: np.dtype) -> None:
        self.shape = tuple(-1 if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise MindValueError(
            f"a placeholder Tensor of shape {list(self.shape)} has no values: it declares the "
            "inputs of Cell.set_inputs or jit(input_signature=...); call with real Tensors"
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # protocol probes (copy, pickle, numpy): the usual answer
            raise AttributeError(name)
        return self.__array__()


class Tensor:
    """An n-dimensional array, MindSpore's ``Tensor``.

    :param input_data: a numpy array, a Tensor, a Python number or (nested) list.
    :param dtype: the dtype (``mind.core.float32``, ``"float32"``, ``numpy.float32``); by default
        the data's own, with Python floats as float32 and Python ints as int64.
    :param shape: with ``init``, the shape of a tensor to initialise (see
        ``mind.core.common.initializer``).
    :param init: an initializer (``Normal()``, ``"zeros"``...) used with ``shape`` and ``dtype``.

    >>> Tensor([[1, 2], [3, 4]], mind.core.float32) * 2
    Tensor(shape=[2, 2], dtype=Float32, value=
    [[2., 4.],
     [6., 8.]])
    """

    __slots__ = ("__weakref__", "_data", "_node")

    def __init__(
        self,
        input_data: Any = None,
        dtype: Any = None,
        shape: Any = None,
        init: Any = None,
        internal: bool = False,
        const_arg: bool = False,
    ) -> None:
        dtype = None if dtype is None else dt.to_dtype(dtype)
        if init is not None:
            from mind.core._src.nn.initializer import initializer

            if input_data is not None:
                raise MindValueError("For 'Tensor', give either 'input_data' or 'init', not both")
            if shape is None:
                raise MindValueError("For 'Tensor', 'shape' is required with 'init'")
            self._data = initializer(init, shape, dtype or dt.float32)._data
        elif input_data is None:
            if shape is None:
                raise MindValueError("For 'Tensor', give 'input_data', or 'shape' with 'init'")
            dims = (shape,) if isinstance(shape, int) or shape is None else tuple(shape)
            if any(d is None or d == -1 for d in dims):  # a dynamic-shape placeholder
                self._data = Placeholder(dims, (dtype or dt.float32).np)
            else:
                self._data = np.zeros(dims, dtype=(dtype or dt.float32).np)
        else:
            self._data = _to_array(input_data, dtype)
        self._node = None

    @staticmethod
    def from_numpy(array: np.ndarray) -> Tensor:
        """A Tensor sharing memory with ``array`` (no copy)."""
        array = np.asarray(array)
        dt.from_numpy_dtype(array.dtype)
        t = _new(Tensor)
        t._data = array
        t._node = None
        return t

    # -- properties --------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> dt.DType:
        return dt._BY_NP[self._data.dtype]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    # -- conversion ----------------------------------------------------------------------------------

    def asnumpy(self) -> np.ndarray:
        """The tensor's data as a numpy array; shares memory (see the module docstring)."""
        return np.asarray(self._data)

    numpy = asnumpy

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = np.asarray(self._data)
        return array if dtype is None else array.astype(dtype)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise MindValueError(
                f"For 'Tensor.item', the tensor must have one element, it has {self._data.size} "
                f"(shape {self.shape})"
            )
        return self._data.item()

    def tolist(self) -> Any:
        return np.asarray(self._data).tolist()

    def copy(self) -> Tensor:
        t = _new(Tensor)
        t._data = np.array(self._data, copy=True)
        t._node = None
        return t

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise MindValueError(
                f"The truth value of a Tensor with {self._data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise MindTypeError(f"only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise MindTypeError("len() of a 0-D tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise MindTypeError("iteration over a 0-D tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __repr__(self) -> str:
        if isinstance(self._data, Placeholder):
            return f"Tensor(shape={list(self.shape)}, dtype={self.dtype}, value= <placeholder>)"
        value = np.array2string(np.asarray(self._data), separator=", ", threshold=1000)
        shape = list(self.shape)
        sep = "\n" if self.ndim > 1 else ""
        return f"{type(self).__name__}(shape={shape}, dtype={self.dtype}, value={sep}{value})"

    def __str__(self) -> str:
        return str(np.asarray(self._data))

    def __hash__(self) -> int:
        return id(self)

    # -- operators -----------------------------------------------------------------------------------

    def __pos__(self) -> Tensor:
        return self

    # -- methods MindSpore users call -----------------------------------------------------------------

    def permute(self, *axes) -> Tensor:
        return self.transpose(*axes)

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def value(self) -> Tensor:
        """The tensor itself (MindSpore's ``Tensor.value()``; a Parameter gives a plain Tensor)."""
        return self

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with the gradient reaching this tensor whenever a backward pass
        (``grad``, ``value_and_grad``, ``GradOperation``) computes it, once with the sum when
        the tensor is used several times; a value the hook returns (not None) replaces that
        gradient. Hooks run in the order registered. Works on inputs, Parameters and tensors
        computed inside the differentiated function. Returns a handle whose ``remove()``
        unregisters the hook.

        A hook registered in PyNative mode runs in eager backward passes only, not in a
        gradient compiled by ``jit``; one registered inside the compiled function is compiled
        into its backward (see :func:`mind.core._src.autodiff.eager.register_tensor_hook`).

        >>> x = Tensor([1.0, 2.0])
        >>> handle = x.register_hook(lambda g: g * 2)
        >>> mind.core.grad(lambda x: (x * x).sum())(x)   # [4., 8.]
        >>> handle.remove()

        Supported devices: every device (the hook runs on the host between backward ops).
        """
        from mind.core._src.autodiff.eager import register_tensor_hook

        return register_tensor_hook(self, hook)

    def zero_(self) -> Tensor:
        self._data[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        self._data[...] = value
        return self

    def assign_value(self, value: Any) -> Tensor:
        """Replace the data in place (same shape and dtype); used by checkpoint loading."""
        value = np.asarray(value._data if isinstance(value, Tensor) else value)
        if value.shape != self.shape:
            raise MindValueError(
                f"For 'assign_value', the value's shape {value.shape} differs from the "
                f"tensor's {self.shape}"
            )
        self._data[...] = value
        return self

    def set_dtype(self, dtype: Any) -> Tensor:
        self._data = self._data.astype(dt.to_dtype(dtype).np)
        return self


class Parameter(Tensor):
    """A named, trainable Tensor held by a Cell (MindSpore's ``Parameter``).

    :param default_input: the initial value (a Tensor, array or number).
    :param name: the parameter's name; Cells set it from the attribute path when left out.
    :param requires_grad: whether optimizers and ``trainable_params()`` include it.

    Optimizers update parameters in place; everything else treats them as ordinary tensors.
    """

    __slots__ = ("_name_set", "name", "requires_grad")

    def __init__(
        self,
        default_input: Any,
        name: str | None = None,
        requires_grad: bool = True,
        layerwise_parallel: bool = False,
        parallel_optimizer: bool = True,
    ) -> None:
        data = default_input._data if isinstance(default_input, Tensor) else default_input
        if isinstance(default_input, Tensor):
            self._data = np.array(data, copy=True)
        else:
            self._data = _to_array(data, None)
        self._node = None
        self.name = name or "Parameter"
        self._name_set = name is not None
        self.requires_grad = requires_grad
        _LIVE.add(self)

    def __repr__(self) -> str:
        return (
            f"Parameter(name={self.name}, shape={list(self.shape)}, dtype={self.dtype}, "
            f"requires_grad={self.requires_grad})"
        )

    @property
    def data(self) -> Parameter:
        return self

    def value(self) -> Tensor:
        """The parameter's value as a plain Tensor (MindSpore's ``Parameter.value()``)."""
        t = _new(Tensor)
        t._data, t._node = self._data, self._node
        return t

    def set_data(self, data: Any) -> Parameter:
        """Replace the value (shape may change, as in MindSpore)."""
        self._data = np.array(data._data if isinstance(data, Tensor) else data, copy=True)
        return self

    def clone(self, init: Any = "same") -> Parameter:
        """A new Parameter of the same name: this one's value (``init="same"``), or filled with
        ``"zeros"``, ``"ones"`` or a number (how optimizers make their slots)."""
        if isinstance(init, str) and init == "same":
            return Parameter(self.copy(), self.name, self.requires_grad)
        fill = {"zeros": 0, "ones": 1}.get(init, init) if isinstance(init, str) else init
        if isinstance(fill, str) or not np.isscalar(fill):
            raise MindValueError(
                f"For 'Parameter.clone', 'init' must be 'same', 'zeros', 'ones' or a number, "
                f"got {init!r}"
            )
        return Parameter(
            np.full(self._data.shape, fill, self._data.dtype), self.name, self.requires_grad
        )


#: Every Parameter alive, so that a compiled function can find one it reached only while tracing.
_LIVE: weakref.WeakSet[Parameter] = weakref.WeakSet()


def live_parameters() -> list[Parameter]:
    return list(_LIVE)


class ParameterTuple(tuple):
    """A tuple of Parameters (MindSpore's ``ParameterTuple``): what ``trainable_params()``
    returns in MindSpore, and what ``GradOperation(get_by_list=True)`` differentiates."""

    def __new__(cls, iterable: Any = ()) -> ParameterTuple:
        items = tuple(iterable)
        for k, p in enumerate(items):
            if not isinstance(p, Parameter):
                raise MindTypeError(
                    f"For 'ParameterTuple', every element must be a Parameter; element {k} is "
                    f"{type(p).__name__}"
                )
        return super().__new__(cls, items)

    def clone(self, prefix: str, init: Any = "same") -> ParameterTuple:
        """Each Parameter cloned (see :meth:`Parameter.clone`), renamed ``prefix.name``."""
        if not isinstance(prefix, str) or not prefix:
            raise MindValueError("For 'ParameterTuple.clone', 'prefix' must be a non-empty str")
        out = []
        for p in self:
            c = p.clone(init)
            c.name, c._name_set = f"{prefix}.{p.name}", True
            out.append(c)
        return ParameterTuple(out)


def as_tensor(value: Any, dtype: dt.DType | None = None) -> Tensor:
    """``value`` as a Tensor (itself when it already is one of ``dtype``)."""
    if isinstance(value, Tensor):
        if dtype is None or value.dtype is dtype:
            return value
        return value.astype(dtype)  # an operator attached by tensor.methods
    return Tensor(value, dtype)
