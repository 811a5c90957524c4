"""Dtype names and their numpy equivalents.

Mind spells dtypes as MindSpore does (``float32``, ``bfloat16``...). ``bfloat16`` needs the
``ml_dtypes`` package; without it that name has no numpy equivalent and devices that compute in
numpy leave it out of their capabilities.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HAS_BFLOAT16", "NUMPY_DTYPES", "to_numpy_dtype"]

NUMPY_DTYPES: dict[str, np.dtype] = {
    name: np.dtype(name)
    for name in (
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "float16",
        "float32",
        "float64",
    )
}

try:
    import ml_dtypes

    NUMPY_DTYPES["bfloat16"] = np.dtype(ml_dtypes.bfloat16)
    HAS_BFLOAT16 = True
except ImportError:  # pragma: no cover - depends on the environment
    HAS_BFLOAT16 = False


def to_numpy_dtype(name: str) -> np.dtype:
    """The numpy dtype for a Mind dtype name; raises ``MindTypeError`` naming the known ones."""
    try:
        return NUMPY_DTYPES[name]
    except KeyError:
        from mind.core.errors import MindTypeError

        raise MindTypeError(
            f"Unknown dtype {name!r}; known dtypes: {sorted(NUMPY_DTYPES)}"
        ) from None
