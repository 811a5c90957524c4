"""mind-core's primitives, registered through ``mind_register_primitives`` like any plugin's."""

from mind.core._src.ops import functional  # noqa: F401  (defines every primitive)
from mind.core._src.ops.dispatch import PRIMITIVES
from mind.core.plugins import hookimpl


@hookimpl
def mind_register_primitives():
    for prim in PRIMITIVES.values():
        yield prim.definition()
