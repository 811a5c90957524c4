"""mind-core's primitives, registered through ``mind_register_primitives`` like any plugin's."""

from mind.core._src.ops import functional  # noqa: F401  (defines every primitive)
from mind.core._src.ops.dispatch import _ADOPTED, PRIMITIVES
from mind.core.plugins import hookimpl


@hookimpl
def mind_register_primitives():
    import mind.core._src.compiler.fusion  # noqa: F401  (defines the fused primitive)

    for name, prim in PRIMITIVES.items():
        if name not in _ADOPTED:  # the plugins' own primitives are theirs to register
            yield prim.definition()
