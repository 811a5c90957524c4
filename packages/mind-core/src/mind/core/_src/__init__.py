"""mind-core's implementation. Importing anything here first loads the ops and attaches Tensor's
operators and methods, which are written with them (the public names load lazily:
``mind/core/__init__.py``)."""

from mind.core._src.tensor import methods as _methods  # noqa: F401
