"""The hook specs: complete, documented, and the names DESIGN.md promises."""

import inspect

import pytest

from mind.core.plugins import hookspecs

DESIGN_HOOKS = {
    "mind_register_devices",
    "mind_register_primitives",
    "mind_register_passes",
    "mind_register_comm_backends",
    "mind_register_model_formats",
    "mind_on_graph_compiled",
    "mind_runtime_observer",
    "mind_train_callbacks",
}

SPECS = sorted(
    name for name, obj in vars(hookspecs).items() if name.startswith("mind_") and callable(obj)
)


def test_every_hook_design_md_names_is_specified():
    assert DESIGN_HOOKS <= set(SPECS)


def test_all_lists_exactly_the_hooks_and_the_marker():
    assert set(hookspecs.__all__) == set(SPECS) | {"hookspec"}


@pytest.mark.parametrize("name", SPECS)
def test_each_hook_is_marked_and_documented(name):
    fn = getattr(hookspecs, name)
    assert hasattr(fn, "mind_spec"), f"{name} lacks @hookspec"
    doc = inspect.getdoc(fn) or ""
    for part in ("firstresult:", ".. versionadded::", "**Example**", "Called "):
        assert part in doc, f"{name}'s docstring lacks {part!r}"
    params = list(inspect.signature(fn).parameters)
    for param in params:
        assert f":param {param}:" in doc, f"{name}'s docstring does not document {param!r}"
    assert ":returns:" in doc
