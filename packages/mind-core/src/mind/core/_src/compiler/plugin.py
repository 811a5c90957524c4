"""mind-core's compiler passes, registered through ``mind_register_passes`` like any plugin's.

Order within a stage is by priority: folding first so that simplification sees the constants it
makes (the gradient seed ``broadcast_to(reshape(1.0))`` folds to ones, and ``ones * g`` is ``g``),
CSE next, and DCE last to drop whatever the others left unused.
"""

from mind.core._src.compiler import fusion, passes
from mind.core.plugins import PassSpec, hookimpl


@hookimpl
def mind_register_passes():
    yield PassSpec(
        "inline",
        passes.inline,
        stage="frontend",
        priority=10,
        description="replace uses of identity(x) by x",
    )
    yield PassSpec(
        "constant_folding",
        passes.constant_folding,
        priority=10,
        description="compute pure applications of constants at compile time",
    )
    yield PassSpec(
        "algebraic_simplify",
        passes.algebraic_simplify,
        priority=20,
        description="x*1, x+0, x-0, x/1, no-op reshape/transpose/cast, neg(neg(x)) -> x",
    )
    yield PassSpec("cse", passes.cse, priority=30, description="merge identical pure applications")
    yield PassSpec(
        "graph_kernel_fusion",
        fusion.graph_kernel_fusion,
        priority=80,
        description="elementwise chains (and a reduction they feed) -> one fused kernel; "
        "with enable_graph_kernel",
    )
    yield PassSpec(
        "dce", passes.dce, priority=90, description="remove applications no output needs"
    )
