"""mind-lite: edge inference for Mind models, with MindSpore Lite 2.x's names.

>>> import mind.lite as mslite                                              # doctest: +SKIP
>>> mslite.Converter().convert(mslite.FmkType.MINDIR, "lenet.mindir", "lenet")  # -> "lenet.ms"
>>> model = mslite.Model()
>>> model.build_from_file("lenet.ms", mslite.ModelType.MINDIR_LITE, mslite.Context())
>>> inputs = model.get_inputs()
>>> inputs[0].set_data_from_numpy(images)
>>> model.predict(inputs)[0].get_data_to_numpy()

``import mind.lite`` loads the runtime only (numpy and mind-lite's own modules); the converter
loads mind-core's compiler when it is first used.
"""

from __future__ import annotations

from typing import Any

from mind.lite._src.runtime import Context as Context
from mind.lite._src.runtime import DataType as DataType
from mind.lite._src.runtime import Format as Format
from mind.lite._src.runtime import Model as Model
from mind.lite._src.runtime import ModelType as ModelType
from mind.lite._src.runtime import Tensor as Tensor

__version__ = "0.1.0"

_CONVERTER = {"Converter", "FmkType"}


def __getattr__(name: str) -> Any:
    if name in _CONVERTER:  # the converter module is light too, but reads MindIR on use
        from mind.lite._src import converter

        return getattr(converter, name)
    raise AttributeError(f"module 'mind.lite' has no attribute {name!r}")


__all__ = [
    "Context",
    "Converter",
    "DataType",
    "FmkType",
    "Format",
    "Model",
    "ModelType",
    "Tensor",
    "__version__",
]
