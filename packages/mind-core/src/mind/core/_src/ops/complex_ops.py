"""Complex numbers: ``real``, ``imag``, ``conj``, ``angle``, ``polar``, ``complex``,
``view_as_real`` and ``is_complex`` (MindSpore's names); ``abs`` of a complex tensor is its
magnitude (elementwise.py).

Gradients. Inside the tape every rule pairs a cotangent ``g`` with a change ``dz`` as
``Re(g * dz)`` (JAX's convention): a holomorphic op's rule is then its real rule unchanged
(``mul``: ``dout * y``), which is why the existing rules compute complex gradients with no
change. MindSpore and PyTorch report the conjugate, ``dL/dx + i dL/dy`` for ``z = x + iy`` (the
direction of steepest ascent, what an optimizer steps against), so ``grad`` conjugates the
gradient of each complex input once, at the end (autodiff/eager.py). The non-holomorphic rules
here follow the tape's convention: ``real``'s is ``g + 0i``, ``imag``'s ``-i g``, ``conj``'s
``conj(g)``, ``complex(re, im)``'s ``(Re g, -Im g)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.ops import infer as I
from mind.core._src.ops.array import stack
from mind.core._src.ops.dispatch import ShapedArray, bind1, bind2, example, primitive
from mind.core._src.ops.elementwise import cast, cos, mul, neg, sin, zeros_like
from mind.core._src.ops.math_ops import atan2
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError

__all__ = [
    "angle",
    "complex",
    "conj",
    "imag",
    "is_complex",
    "polar",
    "real",
    "view_as_real",
]

#: The ops that are Tensor methods with the tensor first, as MindSpore binds them.
TENSOR_METHODS = ("angle", "conj", "imag", "is_complex", "real")

#: The real dtype of a complex one's parts, and the complex dtype made of two real ones.
REAL_OF = {dt.complex64: dt.float32, dt.complex128: dt.float64}
COMPLEX_OF = {real: c for c, real in REAL_OF.items()}


def _require_complex(op: str, name: str, x: ShapedArray) -> None:
    if x.dtype.kind != "c":
        raise MindTypeError(
            f"For '{op}', '{name}' must be a complex64 or complex128 tensor, got {x.dtype}"
        )


def _parts_infer(op: str):
    def infer(x: ShapedArray) -> ShapedArray:
        _require_complex(op, "input", x)
        return ShapedArray(x.shape, REAL_OF[x.dtype])

    return infer


def _check_parts(op: str, names: tuple[str, str], re: Any, im: Any) -> None:
    """Both float32 or both float64 (what MindSpore's Complex and Polar take)."""
    for name, a in zip(names, (re, im)):
        if a.dtype not in COMPLEX_OF:
            raise MindTypeError(
                f"For '{op}', '{name}' must be a float32 or float64 tensor, got {a.dtype}"
            )
    if re.dtype is not im.dtype:
        raise MindTypeError(
            f"For '{op}', '{names[0]}' and '{names[1]}' must have one dtype, got {re.dtype} "
            f"and {im.dtype}"
        )


def _complex_infer(re: ShapedArray, im: ShapedArray) -> ShapedArray:
    _check_parts("complex", ("real", "imag"), re, im)
    shape = I.broadcast_shapes("complex", ("real", "imag"), re.shape, im.shape)
    return ShapedArray(shape, COMPLEX_OF[re.dtype])


def _complex_kernel(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    # Part by part: ``re + 1j * im`` would turn an infinite imaginary part into nan + inf j.
    out = np.empty(np.broadcast_shapes(re.shape, im.shape), COMPLEX_OF[dt._BY_NP[re.dtype]].np)
    out.real = re
    out.imag = im
    return out


def _c(c: Any, *shape: int) -> np.ndarray:
    """A complex64 example input (``c`` is mind.core.testing.primitive_cases)."""
    return (c.r(*shape) + 1j * c.r(*shape)).astype(np.complex64)


real_p = primitive(
    "real",
    traits=("elementwise",),
    cpu=lambda x: x.real.copy(),
    infer=_parts_infer("real"),
    bprop=lambda x, out, dout: (cast(dout, x.dtype),),
)
example(real_p, lambda c: ([_c(c, 2, 3)], {}, np.real))
imag_p = primitive(
    "imag",
    traits=("elementwise",),
    cpu=lambda x: x.imag.copy(),
    infer=_parts_infer("imag"),
    bprop=lambda x, out, dout: (mul(cast(dout, x.dtype), -1j),),
)
example(imag_p, lambda c: ([_c(c, 2, 3)], {}, np.imag))


def _conj_infer(x: ShapedArray) -> ShapedArray:
    _require_complex("conj", "input", x)
    return ShapedArray(x.shape, x.dtype)


conj_p = primitive(
    "conj",
    traits=("elementwise",),
    cpu=np.conjugate,
    infer=_conj_infer,
    bprop=lambda x, out, dout: (conj(dout),),
)
example(conj_p, lambda c: ([_c(c, 4)], {}, np.conjugate))
complex_p = primitive(
    "complex",
    traits=("elementwise",),
    cpu=_complex_kernel,
    infer=_complex_infer,
    bprop=lambda re, im, out, dout: (real(dout), neg(imag(dout))),
)
example(complex_p, lambda c: ([c.r(2, 3), c.r(3)], {}, lambda re, im: re + 1j * im))


# ------------------------------------------------------------------------------------------------
# The functions
# ------------------------------------------------------------------------------------------------


def is_complex(input: Any) -> bool:
    """Whether ``input``'s dtype is complex64 or complex128. Supported devices: cpu.

    >>> is_complex(Tensor(np.array([1 + 2j], np.complex64)))
    True
    """
    if not isinstance(input, Tensor):
        raise MindTypeError(
            f"For 'is_complex', 'input' must be a Tensor, got {type(input).__name__}"
        )
    return input.dtype.kind == "c"


def real(input: Any) -> Tensor:
    """The real part of each element (float32 of complex64, float64 of complex128); a real
    ``input`` is returned as it is. Supported devices: cpu.

    >>> real(Tensor(np.array([1 + 2j, 3 - 1j], np.complex64)))
    Tensor(shape=[2], dtype=Float32, value=[1., 3.])
    """
    input = as_tensor(input)
    return bind1(real_p, input) if input.dtype.kind == "c" else input


def imag(input: Any) -> Tensor:
    """The imaginary part of each element; zeros of ``input``'s dtype for a real ``input``.
    Supported devices: cpu.

    >>> imag(Tensor(np.array([1 + 2j, 3 - 1j], np.complex64)))
    Tensor(shape=[2], dtype=Float32, value=[ 2., -1.])
    """
    input = as_tensor(input)
    return bind1(imag_p, input) if input.dtype.kind == "c" else zeros_like(input)


def conj(input: Any) -> Tensor:
    """The complex conjugate ``a - bj`` of each ``a + bj``; a real ``input`` is returned as it
    is. Supported devices: cpu.

    >>> conj(Tensor(np.array([1 + 2j], np.complex64)))
    Tensor(shape=[1], dtype=Complex64, value=[1.-2.j])
    """
    input = as_tensor(input)
    return bind1(conj_p, input) if input.dtype.kind == "c" else input


def angle(input: Any) -> Tensor:
    """The argument of each complex element, ``atan2(imag, real)`` in ``(-pi, pi]``, as a real
    tensor. Supported devices: cpu.

    >>> angle(Tensor(np.array([-1.5 + 7.8j, 3 + 5.75j], np.complex64)))
    Tensor(shape=[2], dtype=Float32, value=[1.7607846, 1.0899091])
    """
    input = as_tensor(input)
    _require_complex("angle", "input", input)
    return atan2(imag(input), real(input))


def complex(real: Any, imag: Any) -> Tensor:
    """The complex tensor ``real + imag * j`` (float32 parts make complex64, float64 parts
    complex128; the two broadcast). Supported devices: cpu.

    >>> complex(Tensor([1.0, 2.0]), Tensor([3.0, -1.0]))
    Tensor(shape=[2], dtype=Complex64, value=[1.+3.j, 2.-1.j])
    """
    real, imag = as_tensor(real), as_tensor(imag)
    _check_parts("complex", ("real", "imag"), real, imag)
    return bind2(complex_p, real, imag)


def polar(abs: Any, angle: Any) -> Tensor:
    """The complex tensor of magnitude ``abs`` and argument ``angle``:
    ``abs * cos(angle) + abs * sin(angle) * j``. Supported devices: cpu.

    >>> polar(Tensor([2.0]), Tensor([0.0]))
    Tensor(shape=[1], dtype=Complex64, value=[2.+0.j])
    """
    abs, angle = as_tensor(abs), as_tensor(angle)
    _check_parts("polar", ("abs", "angle"), abs, angle)
    return bind2(complex_p, mul(abs, cos(angle)), mul(abs, sin(angle)))


def view_as_real(input: Any) -> Tensor:
    """A real tensor with one more axis of size 2 holding each element's real and imaginary
    parts (a copy, not a view). Supported devices: cpu.

    >>> view_as_real(Tensor(np.array([2 + 1j, 2 - 1j], np.complex64))).shape
    (2, 2)
    """
    input = as_tensor(input)
    _require_complex("view_as_real", "input", input)
    return stack([real(input), imag(input)], axis=-1)
