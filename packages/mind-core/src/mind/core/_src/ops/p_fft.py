"""MindSpore's Primitive-class operators over the ops of ``fft`` (see ops.operations: each class
is generated from one table line and applies the functional op)."""

from __future__ import annotations

from typing import Any

from mind.core._src.ops import fft as F
from mind.core._src.ops.complex_ops import real
from mind.core._src.ops.operations import PrimitiveClass, _calls, _define
from mind.core._src.tensor.tensor import as_tensor
from mind.core.errors import MindValueError


@_calls(F.fftn)
def _fft_with_size(op: PrimitiveClass, x: Any) -> Any:
    """The last ``signal_ndim`` axes transformed: complex to complex (``real=False``), real to
    its spectrum (one-sided unless ``onesided=False``), or back to real (``inverse`` and
    ``real``), whose sizes ``signal_sizes`` gives (by default the last is ``2 * (m - 1)``)."""
    x = as_tensor(x)
    nd, sizes = op.signal_ndim, tuple(op.signal_sizes or ())
    if not isinstance(nd, int) or not 1 <= nd <= 3 or nd > x.ndim:
        raise MindValueError(
            f"For 'FFTWithSize', 'signal_ndim' must be 1, 2 or 3 and at most the input's rank "
            f"{x.ndim}, got {nd}"
        )
    dim = tuple(range(-nd, 0))
    if not op.real:
        transform = F.ifftn if op.inverse else F.fftn
        return transform(x, dim=dim, norm=op.norm)
    if not op.inverse:
        if op.onesided:
            return F.rfftn(x, dim=dim, norm=op.norm)
        return F.fftn(x, dim=dim, norm=op.norm)
    if not op.onesided:
        return real(F.ifftn(x, dim=dim, norm=op.norm))
    if not sizes and x.shape[-1] == 1:
        raise MindValueError(
            "For 'FFTWithSize', the last dimension of the input cannot be 1 when 'signal_sizes' "
            "is not given: the output would have no points"
        )
    if sizes and len(sizes) != nd:
        raise MindValueError(f"For 'FFTWithSize', 'signal_sizes' must hold {nd} sizes, got {sizes}")
    return F.irfftn(x, s=sizes or None, dim=dim, norm=op.norm)


_define(
    "FFTWithSize",
    _fft_with_size,
    signal_ndim=None,
    inverse=None,
    real=None,
    norm="backward",
    onesided=True,
    signal_sizes=(),
)
