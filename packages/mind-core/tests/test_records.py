"""Records check their own fields, so a plugin author sees a mistake where it was made."""

import pytest

from mind.core.errors import MindTypeError, MindValueError
from mind.core.plugins import (
    Allocator,
    CommBackendSpec,
    DeviceSpec,
    KernelDef,
    ModelFormatSpec,
    PassSpec,
    PrimitiveDef,
)


def ident(x):
    return x


def test_records_are_frozen():
    spec = DeviceSpec(name="d", allocator=Allocator())
    with pytest.raises(AttributeError):
        spec.name = "e"
    with pytest.raises(TypeError):
        spec.kernels["add"] = ident  # the kernel table is read-only too


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda: DeviceSpec(name="my device", allocator=Allocator()),
            MindValueError,
            "'name' must be a Python identifier",
        ),
        (
            lambda: DeviceSpec(name="d", allocator=object()),
            MindTypeError,
            "'allocator' must be a mind.core.plugins.Allocator, got object",
        ),
        (
            lambda: DeviceSpec(name="d", allocator=Allocator(), kernels={"add": 3}),
            MindTypeError,
            r"kernels\['add'\]\" must be callable",
        ),
        (
            lambda: DeviceSpec(name="d", allocator=Allocator(), dtypes={"float8"}),
            MindValueError,
            r"unknown names \['float8'\]",
        ),
        (
            lambda: DeviceSpec(name="d", allocator=Allocator(), modes={"eager"}),
            MindValueError,
            r"'modes' has unknown names \['eager'\]",
        ),
        (
            lambda: PrimitiveDef(name="p", abstract_eval=ident, cpu_kernel=ident),
            MindValueError,
            "a differentiable primitive needs a 'bprop'",
        ),
        (
            lambda: PrimitiveDef(name="p", abstract_eval=None, cpu_kernel=ident),
            MindTypeError,
            "'abstract_eval' must be callable",
        ),
        (
            lambda: KernelDef(primitive="p", fn="not callable"),
            MindTypeError,
            "'fn' must be callable",
        ),
        (
            lambda: PassSpec(name="p", run=ident, stage="late"),
            MindValueError,
            "'stage' must be one of",
        ),
        (lambda: ModelFormatSpec(name="onnx"), MindValueError, "give 'export', 'load' or both"),
        (
            lambda: ModelFormatSpec(name="onnx", suffixes=("onnx",), load=ident),
            MindValueError,
            "must start with '.'",
        ),
        (
            lambda: CommBackendSpec(name="mpi", create=None),
            MindTypeError,
            "'create' must be callable",
        ),
    ],
)
def test_bad_fields_are_refused_with_the_record_and_field_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_model_format_names_are_case_insensitive():
    assert ModelFormatSpec(name="MINDIR", suffixes=(".mindir",), load=ident).name == "mindir"


def test_allocator_holes_name_the_device_and_the_method():
    spec = DeviceSpec(name="half_done", allocator=Allocator())
    with pytest.raises(NotImplementedError, match="half_done: need copy_to_host"):
        spec.allocator.copy_to_host(None)
