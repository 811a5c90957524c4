"""Discrete Fourier transforms with MindSpore's names (``ops.fft``, ``rfft``, ``fftshift``, ...).

Three primitives carry every transform, numpy.fft their kernels: ``fftn`` (complex to complex,
forward or inverse), ``rfftn`` (real to its one-sided spectrum) and ``irfftn`` (back). Their
``axes`` are stored as negative numbers, so a vmapped batch axis in front is simply another axis.
``n``/``s`` (cropping or zero-padding the input first) and ``hfft``/``ihfft`` are compositions.

Gradients. The tape pairs a cotangent ``g`` with a change ``dz`` as ``Re(g * dz)``, so a rule is
the transpose (not the adjoint) of the linear map. The DFT matrix is symmetric, so the transpose of
``fftn`` is ``fftn`` with the same ``norm``; that of ``rfftn`` is the real part of ``fftn`` of the
cotangent zero-padded to the full length; that of ``irfftn`` is the conjugate one-sided spectrum of
the cotangent, each bin but the zero (and, for an even length, the last) weighted twice, as it
stands for itself and its Hermitian mirror.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.core._src.autodiff.vmap import batching_rule
from mind.core._src.ops import schema as S
from mind.core._src.ops.array import concat, gather, pad, transpose, zeros
from mind.core._src.ops.complex_ops import COMPLEX_OF, REAL_OF, conj, real, view_as_real
from mind.core._src.ops.dispatch import ShapedArray, bind1, example, primitive
from mind.core._src.ops.elementwise import cast, mul
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "fft",
    "fft2",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "hfft2",
    "hfftn",
    "ifft",
    "ifft2",
    "ifftn",
    "ifftshift",
    "ihfft",
    "ihfft2",
    "ihfftn",
    "irfft",
    "irfft2",
    "irfftn",
    "rfft",
    "rfft2",
    "rfftfreq",
    "rfftn",
    "stft",
]

TENSOR_METHODS: tuple[str, ...] = ()

_NORMS = ("backward", "forward", "ortho")
_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _scale(norm: str, size: int, inverse: bool) -> float:
    """The factor numpy's ``norm`` puts on a transform of ``size`` points."""
    if norm == "ortho":
        return 1.0 / np.sqrt(size)
    return 1.0 / size if (norm == "backward") == inverse else 1.0


# ------------------------------------------------------------------------------------------------
# The primitives
# ------------------------------------------------------------------------------------------------


def _complex_dtype(op: str, x: ShapedArray) -> Any:
    if x.dtype.kind != "c":
        raise MindTypeError(f"For '{op}', 'input' must be complex64 or complex128, got {x.dtype}")
    return x.dtype


def _real_dtype(op: str, x: ShapedArray) -> Any:
    if x.dtype not in COMPLEX_OF:
        raise MindTypeError(f"For '{op}', 'input' must be float32 or float64, got {x.dtype}")
    return x.dtype


def _fftn_infer(x: ShapedArray, *, axes: tuple, inverse: bool, norm: str) -> ShapedArray:
    return ShapedArray(x.shape, _complex_dtype("fftn", x))


def _fftn_kernel(x: np.ndarray, axes: tuple, inverse: bool, norm: str) -> np.ndarray:
    f = np.fft.ifftn if inverse else np.fft.fftn
    return f(x, axes=axes, norm=norm).astype(x.dtype, copy=False)


fftn_p = primitive(
    "fftn",
    cpu=_fftn_kernel,
    infer=_fftn_infer,
    attrs=("axes", "inverse", "norm"),
    # The DFT matrix (and its conjugate) is symmetric: its transpose is itself.
    bprop=lambda x, out, dout, axes, inverse, norm: (
        bind1(fftn_p, dout, {"axes": axes, "inverse": inverse, "norm": norm}),
    ),
)


def _c(c: Any, *shape: int) -> np.ndarray:
    return (c.r(*shape) + 1j * c.r(*shape)).astype(np.complex64)


example(
    fftn_p,
    lambda c: (
        [_c(c, 3, 4)],
        {"axes": (-1,), "inverse": False, "norm": "backward"},
        lambda x: np.fft.fft(x),
    ),
)


def _rfftn_infer(x: ShapedArray, *, axes: tuple, norm: str) -> ShapedArray:
    shape = list(x.shape)
    shape[axes[-1]] = shape[axes[-1]] // 2 + 1
    return ShapedArray(tuple(shape), COMPLEX_OF[_real_dtype("rfftn", x)])


def _rfftn_kernel(x: np.ndarray, axes: tuple, norm: str) -> np.ndarray:
    return np.fft.rfftn(x, axes=axes, norm=norm).astype(COMPLEX_OF[dt._BY_NP[x.dtype]].np)


def _pad_axis(x: Tensor, axis: int, n: int) -> Tensor:
    """``x`` cropped or zero-padded at the end of ``axis`` to ``n`` points."""
    have = x.shape[axis]
    if have == n:
        return x
    if have > n:
        index = [slice(None)] * x.ndim
        index[axis] = slice(0, n)
        return x[tuple(index)]
    shape = list(x.shape)
    shape[axis] = n - have
    return concat([x, zeros(tuple(shape), x.dtype)], axis % x.ndim)


def _rfftn_bprop(x: Any, out: Any, dout: Any, axes: tuple, norm: str) -> tuple:
    full = _pad_axis(dout, axes[-1], x.shape[axes[-1]])
    return (real(bind1(fftn_p, full, {"axes": axes, "inverse": False, "norm": norm})),)


rfftn_p = primitive(
    "rfftn",
    cpu=_rfftn_kernel,
    infer=_rfftn_infer,
    attrs=("axes", "norm"),
    bprop=_rfftn_bprop,
)
example(
    rfftn_p,
    lambda c: (
        [c.r(3, 6)],
        {"axes": (-2, -1), "norm": "ortho"},
        lambda x: np.fft.rfft2(x, norm="ortho"),
    ),
)


def _irfftn_infer(x: ShapedArray, *, axes: tuple, n: int, norm: str) -> ShapedArray:
    shape = list(x.shape)
    if shape[axes[-1]] != n // 2 + 1:
        raise MindValueError(
            f"For 'irfftn', the last axis must hold n // 2 + 1 = {n // 2 + 1} points, "
            f"got {shape[axes[-1]]}"
        )
    shape[axes[-1]] = n
    return ShapedArray(tuple(shape), REAL_OF[_complex_dtype("irfftn", x)])


def _irfftn_kernel(x: np.ndarray, axes: tuple, n: int, norm: str) -> np.ndarray:
    s = [x.shape[a] for a in axes[:-1]] + [n]
    return np.fft.irfftn(x, s=s, axes=axes, norm=norm).astype(REAL_OF[dt._BY_NP[x.dtype]].np)


def _irfftn_bprop(x: Any, out: Any, dout: Any, axes: tuple, n: int, norm: str) -> tuple:
    size = int(np.prod([out.shape[a] for a in axes]))
    weight = np.full(n // 2 + 1, 2.0)
    weight[0] = 1.0
    if n % 2 == 0:
        weight[-1] = 1.0
    weight = weight.reshape((-1,) + (1,) * (-axes[-1] - 1)) * _scale(norm, size, True)
    spectrum = bind1(rfftn_p, dout, {"axes": axes, "norm": "backward"})
    return (mul(conj(spectrum), Tensor(weight.astype(dout.dtype.np))),)


irfftn_p = primitive(
    "irfftn",
    cpu=_irfftn_kernel,
    infer=_irfftn_infer,
    attrs=("axes", "n", "norm"),
    bprop=_irfftn_bprop,
)
example(
    irfftn_p,
    lambda c: (
        [_c(c, 3, 4)],
        {"axes": (-1,), "n": 6, "norm": "backward"},
        lambda x: np.fft.irfft(x, 6),
    ),
)


_AXES = S.Ints(lo=-(2**31), hi=-1, unique=True)
_NORM = S.Str(*_NORMS)
S.attr_schema(fftn_p, axes=_AXES, inverse=S.Bool(), norm=_NORM)
S.attr_schema(rfftn_p, axes=_AXES, norm=_NORM)
S.attr_schema(irfftn_p, axes=_AXES, n=S.Int(1), norm=_NORM)


# The axes are negative, so a batch axis in front is one more axis the kernel leaves alone.
@batching_rule(fftn_p)
@batching_rule(rfftn_p)
@batching_rule(irfftn_p)
def _batched(b: Any, kernel: Any, first: Any, arrays: tuple, attrs: dict) -> Any:
    return kernel(b.batched(arrays[0]), **attrs)


# ------------------------------------------------------------------------------------------------
# The functions
# ------------------------------------------------------------------------------------------------


def _check_norm(op: str, norm: Any) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise MindValueError(f"For '{op}', 'norm' must be one of {_NORMS} or None, got {norm!r}")
    return norm


def _axes(op: str, x: Tensor, s: Any, dim: Any, default: int | None) -> tuple[tuple, tuple]:
    """Negative axes and their sizes from MindSpore's ``s``/``n`` and ``dim``."""
    if isinstance(dim, int | np.integer):
        dim = (int(dim),)
    if isinstance(s, int | np.integer):
        s = (int(s),)
    if dim is None:
        count = len(s) if s is not None else (default if default is not None else x.ndim)
        dim = tuple(range(-count, 0))
    dim = tuple(dim)
    if not dim or x.ndim == 0:
        raise MindValueError(f"For '{op}', 'input' needs at least one axis to transform")
    out = []
    for d in dim:
        if not -x.ndim <= d < x.ndim:
            raise MindValueError(f"For '{op}', 'dim' {d} is out of range for a {x.ndim}-D input")
        out.append(d % x.ndim - x.ndim)
    if len(set(out)) != len(out):
        raise MindValueError(f"For '{op}', 'dim' has repeated axes: {dim}")
    if s is None:
        s = tuple(x.shape[d] for d in out)
    s = tuple(int(v) for v in s)
    if len(s) != len(out):
        raise MindValueError(f"For '{op}', 's' and 'dim' must have one length, got {s} and {dim}")
    if any(v < 1 for v in s):
        raise MindValueError(f"For '{op}', the signal sizes must be positive, got {s}")
    return tuple(out), s


def _as_complex(x: Tensor) -> Tensor:
    if x.dtype.kind == "c":
        return x
    return cast(x, dt.complex128 if x.dtype is dt.float64 else dt.complex64)


def _as_real(op: str, x: Tensor) -> Tensor:
    if x.dtype.kind == "c":
        raise MindTypeError(f"For '{op}', 'input' must be real, got {x.dtype}")
    return x if x.dtype in COMPLEX_OF else cast(x, dt.float32)


def _c2c(op: str, input: Any, s: Any, dim: Any, norm: Any, inverse: bool, nd: int | None):
    x = _as_complex(as_tensor(input))
    axes, sizes = _axes(op, x, s, dim, nd)
    for a, n in zip(axes, sizes):
        x = _pad_axis(x, a, n)
    return bind1(fftn_p, x, {"axes": axes, "inverse": inverse, "norm": _check_norm(op, norm)})


def _r2c(op: str, input: Any, s: Any, dim: Any, norm: Any, nd: int | None) -> Tensor:
    x = _as_real(op, as_tensor(input))
    axes, sizes = _axes(op, x, s, dim, nd)
    for a, n in zip(axes, sizes):
        x = _pad_axis(x, a, n)
    return bind1(rfftn_p, x, {"axes": axes, "norm": _check_norm(op, norm)})


def _c2r(op: str, input: Any, s: Any, dim: Any, norm: Any, nd: int | None) -> Tensor:
    x = _as_complex(as_tensor(input))
    given = s is not None
    axes, sizes = _axes(op, x, s, dim, nd)
    if not given:
        sizes = (*sizes[:-1], 2 * (x.shape[axes[-1]] - 1))
    n = sizes[-1]
    if n < 1:
        raise MindValueError(f"For '{op}', the output length must be positive, got {n}")
    for a, size in zip(axes[:-1], sizes[:-1]):
        x = _pad_axis(x, a, size)
    x = _pad_axis(x, axes[-1], n // 2 + 1)
    return bind1(irfftn_p, x, {"axes": axes, "n": n, "norm": _check_norm(op, norm)})


def fft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``, cropped or
    zero-padded to ``n`` points first. ``norm``: "backward" (default, no scaling), "forward"
    (``1/n``) or "ortho" (``1/sqrt(n)``). A real input is made complex. Supported devices: cpu.

    >>> fft(Tensor(np.array([1.0, 2.0, 3.0, 4.0], np.float32)))
    Tensor(shape=[4], dtype=Complex64, value=[10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    return _c2c("fft", input, n, dim, norm, False, 1)


def ifft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`fft` ("backward" scales by ``1/n``). Supported devices: cpu.

    >>> ifft(Tensor(np.array([10, -2 + 2j, -2, -2 - 2j], np.complex64)))
    Tensor(shape=[4], dtype=Complex64, value=[1.+0.j, 2.+0.j, 3.+0.j, 4.+0.j])
    """
    return _c2c("ifft", input, n, dim, norm, True, 1)


def fft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`fftn` over ``dim``. Supported devices: cpu.

    >>> fft2(Tensor(np.ones((2, 2), np.complex64)))[0]
    Tensor(shape=[2], dtype=Complex64, value=[4.+0.j, 0.+0.j])
    """
    return _c2c("fft2", input, s, dim, norm, False, 2)


def ifft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of :func:`fft2`. Supported devices: cpu.

    >>> ifft2(Tensor(np.full((2, 2), 4, np.complex64))).shape
    (2, 2)
    """
    return _c2c("ifft2", input, s, dim, norm, True, 2)


def fftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-dimensional discrete Fourier transform over ``dim`` (all axes, or the last
    ``len(s)``, by default), each cropped or zero-padded to ``s``. Supported devices: cpu.

    >>> fftn(Tensor(np.ones((2, 2, 2), np.complex64)))[0, 0, 0]
    Tensor(shape=[], dtype=Complex64, value=8.+0.j)
    """
    return _c2c("fftn", input, s, dim, norm, False, None)


def ifftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`fftn`. Supported devices: cpu.

    >>> ifftn(Tensor(np.ones((2, 2), np.complex64)))[0, 0]
    Tensor(shape=[], dtype=Complex64, value=1.+0.j)
    """
    return _c2c("ifftn", input, s, dim, norm, True, None)


def rfft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-sided :func:`fft` of a real ``input``: ``n // 2 + 1`` points along ``dim``.
    Supported devices: cpu.

    >>> rfft(Tensor(np.array([1.0, 2.0, 3.0, 4.0], np.float32)))
    Tensor(shape=[3], dtype=Complex64, value=[10.+0.j, -2.+2.j, -2.+0.j])
    """
    return _r2c("rfft", input, n, dim, norm, 1)


def irfft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real signal of ``n`` points (default ``2 * (m - 1)``) whose one-sided spectrum is
    ``input``, the inverse of :func:`rfft`. Supported devices: cpu.

    >>> irfft(Tensor(np.array([10, -2 + 2j, -2], np.complex64)))
    Tensor(shape=[4], dtype=Float32, value=[1., 2., 3., 4.])
    """
    return _c2r("irfft", input, n, dim, norm, 1)


def rfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`rfftn`. Supported devices: cpu.

    >>> rfft2(Tensor(np.ones((2, 4), np.float32))).shape
    (2, 3)
    """
    return _r2c("rfft2", input, s, dim, norm, 2)


def irfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfft2`. Supported devices: cpu.

    >>> irfft2(Tensor(np.ones((2, 3), np.complex64))).shape
    (2, 4)
    """
    return _c2r("irfft2", input, s, dim, norm, 2)


def rfftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-dimensional transform of a real ``input``, one-sided along the last of ``dim``.
    Supported devices: cpu.

    >>> rfftn(Tensor(np.ones((2, 2, 4), np.float32))).shape
    (2, 2, 3)
    """
    return _r2c("rfftn", input, s, dim, norm, None)


def irfftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfftn`; the last output size is ``2 * (m - 1)`` unless ``s``
    gives it. Supported devices: cpu.

    >>> irfftn(Tensor(np.ones((2, 2, 3), np.complex64))).shape
    (2, 2, 4)
    """
    return _c2r("irfftn", input, s, dim, norm, None)


def hfft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real spectrum of a signal with Hermitian symmetry, given by its first half
    ``input``: ``irfft(conj(input))`` with the opposite ``norm``. Supported devices: cpu.

    >>> hfft(Tensor(np.array([1, 2, 3], np.complex64)))
    Tensor(shape=[4], dtype=Float32, value=[ 8., -2.,  0., -2.])
    """
    norm = _check_norm("hfft", norm)
    return _c2r("hfft", conj(_as_complex(as_tensor(input))), n, dim, _SWAP[norm], 1)


def ihfft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfft`: ``conj(rfft(input))`` with the opposite ``norm``.
    Supported devices: cpu.

    >>> ihfft(Tensor(np.array([8.0, -2.0, 0.0, -2.0], np.float32)))
    Tensor(shape=[3], dtype=Complex64, value=[1.-0.j, 2.-0.j, 3.-0.j])
    """
    norm = _check_norm("ihfft", norm)
    return conj(_r2c("ihfft", input, n, dim, _SWAP[norm], 1))


def hfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`hfftn`. Supported devices: cpu.

    >>> hfft2(Tensor(np.ones((2, 3), np.complex64))).shape
    (2, 4)
    """
    return _hermitian("hfft2", input, s, dim, norm, 2)


def hfftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The N-dimensional :func:`hfft`: ``irfftn(conj(input))`` with the opposite ``norm``.
    Supported devices: cpu.

    >>> hfftn(Tensor(np.ones((2, 2, 3), np.complex64))).shape
    (2, 2, 4)
    """
    return _hermitian("hfftn", input, s, dim, norm, None)


def ihfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfft2`. Supported devices: cpu.

    >>> ihfft2(Tensor(np.ones((2, 4), np.float32))).shape
    (2, 3)
    """
    norm = _check_norm("ihfft2", norm)
    return conj(_r2c("ihfft2", input, s, dim, _SWAP[norm], 2))


def ihfftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfftn`: ``conj(rfftn(input))`` with the opposite ``norm``.
    Supported devices: cpu.

    >>> ihfftn(Tensor(np.ones((2, 2, 4), np.float32))).shape
    (2, 2, 3)
    """
    norm = _check_norm("ihfftn", norm)
    return conj(_r2c("ihfftn", input, s, dim, _SWAP[norm], None))


def _hermitian(op: str, input: Any, s: Any, dim: Any, norm: Any, nd: int | None) -> Tensor:
    norm = _check_norm(op, norm)
    return _c2r(op, conj(_as_complex(as_tensor(input))), s, dim, _SWAP[norm], nd)


def _roll(op: str, input: Any, dim: Any, sign: int) -> Tensor:
    x = as_tensor(input)
    axes = range(x.ndim) if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    for a in axes:
        if not -x.ndim <= a < x.ndim:
            raise MindValueError(f"For '{op}', 'dim' {a} is out of range for a {x.ndim}-D input")
        a %= x.ndim
        n = x.shape[a]
        k = (n // 2) if sign > 0 else (n - n // 2)
        if n and k % n:
            head = [slice(None)] * x.ndim
            tail = [slice(None)] * x.ndim
            head[a], tail[a] = slice(n - k, n), slice(0, n - k)
            x = concat([x[tuple(head)], x[tuple(tail)]], a)
    return x


def fftshift(input: Any, dim: Any = None) -> Tensor:
    """The zero frequency moved to the middle of each axis of ``dim`` (all by default).
    Supported devices: cpu.

    >>> fftshift(Tensor(np.array([0, 1, 2, -2, -1], np.float32)))
    Tensor(shape=[5], dtype=Float32, value=[-2., -1.,  0.,  1.,  2.])
    """
    return _roll("fftshift", input, dim, 1)


def ifftshift(input: Any, dim: Any = None) -> Tensor:
    """The inverse of :func:`fftshift`. Supported devices: cpu.

    >>> ifftshift(Tensor(np.array([-2, -1, 0, 1, 2], np.float32)))
    Tensor(shape=[5], dtype=Float32, value=[ 0.,  1.,  2., -2., -1.])
    """
    return _roll("ifftshift", input, dim, -1)


def _freq_dtype(dtype: Any) -> Any:
    return dt.float32 if dtype is None else dtype


def fftfreq(n: int, d: float = 1.0, dtype: Any = None) -> Tensor:
    """The sample frequencies of an ``n``-point :func:`fft` with sample spacing ``d``.
    Supported devices: cpu.

    >>> fftfreq(4)
    Tensor(shape=[4], dtype=Float32, value=[ 0.  ,  0.25, -0.5 , -0.25])
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise MindValueError(f"For 'fftfreq', 'n' must be a positive int, got {n!r}")
    dtype = _freq_dtype(dtype)
    return Tensor(np.fft.fftfreq(int(n), d).astype(dtype.np))


def rfftfreq(n: int, d: float = 1.0, dtype: Any = None) -> Tensor:
    """The sample frequencies of an ``n``-point :func:`rfft`. Supported devices: cpu.

    >>> rfftfreq(4)
    Tensor(shape=[3], dtype=Float32, value=[0.  , 0.25, 0.5 ])
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise MindValueError(f"For 'rfftfreq', 'n' must be a positive int, got {n!r}")
    dtype = _freq_dtype(dtype)
    return Tensor(np.fft.rfftfreq(int(n), d).astype(dtype.np))


def _flag(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise MindTypeError(f"For 'stft', '{name}' must be a bool, got {type(value).__name__}")


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise MindTypeError(f"For 'stft', '{name}' must be a positive int, got {value!r}")
    return int(value)


def stft(
    x: Any,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = None,
    center: bool = True,
    pad_mode: str = "REFLECT",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
) -> Tensor:
    """The short-time Fourier transform of a 1-D signal or a 2-D batch of them: frames of
    ``n_fft`` points every ``hop_length`` (default ``n_fft // 4``), each multiplied by
    ``window`` (default ones of ``win_length``, itself default ``n_fft``; a shorter window is
    zero-padded on both sides to ``n_fft``) and transformed. ``center`` pads ``n_fft // 2``
    points at both ends first (``pad_mode`` "REFLECT" or "CONSTANT"); ``normalized`` scales by
    ``1 / sqrt(n_fft)``; ``onesided`` (default: for a real signal and window) keeps
    ``n_fft // 2 + 1`` frequencies. The result is ``(*, N, T)`` complex if ``return_complex``
    (default: for a complex signal or window), else ``(*, N, T, 2)`` real and imaginary parts.
    Supported devices: cpu.

    >>> stft(Tensor(np.ones(8, np.float32)), 4, center=False).shape
    (3, 5, 2)
    """
    x = as_tensor(x)
    n_fft = _count("n_fft", n_fft)
    hop = n_fft // 4 if hop_length is None else _count("hop_length", hop_length)
    win_length = n_fft if win_length is None else _count("win_length", win_length)
    if hop < 1:
        raise MindValueError(f"For 'stft', 'hop_length' must be positive, got {hop}")
    if win_length > n_fft:
        raise MindValueError(
            f"For 'stft', 'win_length' must be at most 'n_fft' {n_fft}, got {win_length}"
        )
    if x.ndim not in (1, 2):
        raise MindValueError(f"For 'stft', 'x' must be 1-D or 2-D, got {x.ndim}-D")
    window = Tensor(np.ones(win_length, np.float32)) if window is None else as_tensor(window)
    if window.shape != (win_length,):
        raise MindValueError(
            f"For 'stft', 'window' must be 1-D of 'win_length' {win_length} points, got "
            f"shape {window.shape}"
        )
    for name, flag in (("center", center), ("normalized", normalized)):
        _flag(name, flag)
    is_complex = x.dtype.kind == "c" or window.dtype.kind == "c"
    onesided = not is_complex if onesided is None else onesided
    return_complex = is_complex if return_complex is None else return_complex
    _flag("onesided", onesided)
    _flag("return_complex", return_complex)
    if onesided and is_complex:
        raise MindValueError("For 'stft', 'onesided' needs a real signal and window")
    if center:
        if not isinstance(pad_mode, str) or pad_mode.lower() not in ("reflect", "constant"):
            raise MindValueError(
                f"For 'stft', 'pad_mode' must be 'REFLECT' or 'CONSTANT', got {pad_mode!r}"
            )
        x = pad(x, (n_fft // 2, n_fft // 2), mode=pad_mode.lower())
    length = x.shape[-1]
    if length < n_fft:
        raise MindValueError(
            f"For 'stft', the signal ({length} points after padding) is shorter than 'n_fft' "
            f"{n_fft}"
        )
    frames = 1 + (length - n_fft) // hop
    index = np.arange(frames)[:, None] * hop + np.arange(n_fft)
    left = (n_fft - win_length) // 2
    window = pad(window, (left, n_fft - win_length - left))
    segments = mul(gather(x, Tensor(index), x.ndim - 1), window)  # (*, T, n_fft)
    norm = "ortho" if normalized else "backward"
    spectrum = rfft(segments, norm=norm) if onesided else fft(segments, norm=norm)
    perm = (*range(spectrum.ndim - 2), spectrum.ndim - 1, spectrum.ndim - 2)
    spectrum = transpose(spectrum, perm)
    return spectrum if return_complex else view_as_real(spectrum)
