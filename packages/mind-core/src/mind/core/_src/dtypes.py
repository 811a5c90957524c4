"""Dtype names and their numpy equivalents.

Mind spells dtypes as MindSpore does (``float32``, ``bfloat16``...). ``bfloat16`` needs the
``ml_dtypes`` package; without it that name has no numpy equivalent and devices that compute in
numpy leave it out of their capabilities.
"""

from __future__ import annotations

import numpy as np

from mind.core._src.plugins.records import DTYPE_NAMES

__all__ = ["HAS_BFLOAT16", "NUMPY_DTYPES", "to_numpy_dtype"]

# Every name but bfloat16 is a numpy dtype of the same name.
NUMPY_DTYPES: dict[str, np.dtype] = {
    name: np.dtype(name) for name in sorted(DTYPE_NAMES - {"bfloat16"})
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
