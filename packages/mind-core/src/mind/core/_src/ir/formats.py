"""``export`` and ``load``: every model format, MindIR and ONNX included, is a ``ModelFormatSpec``
registered through ``mind_register_model_formats``; these two functions only compile, pick the
format and call it.

MindSpore 2.x's API: ``export(net, *inputs, file_name, file_format="MINDIR")`` and
``load(file_name)``. A format's ``export(graph, weights, file_name, output_spec=...)`` gets the
compiled graph, its weights as ``{name: array}`` in the order of the graph's weight parameters
(names made unique with ``#2``...), the file name with the format's suffix, and the structure the
function returned its tensors in; its ``load(file_name)`` returns what ``nn.GraphCell`` runs.

This module is mind-core's built-in plugin for its two formats, so it imports the compiler and
the writers only when a format is used.
"""

from __future__ import annotations

import os
from typing import Any

from mind.core._src.jit import JitFunction
from mind.core._src.nn.cell import Cell
from mind.core._src.plugins.manager import get_registry
from mind.core._src.plugins.records import ModelFormatSpec
from mind.core._src.tensor.tensor import Parameter, Tensor
from mind.core.errors import MindIRError, MindTypeError, MindValueError
from mind.core.plugins import hookimpl

__all__ = ["export", "load"]


def _formats() -> Any:
    return get_registry().model_formats


def _path(func: str, file_name: Any) -> str:
    if not isinstance(file_name, str | os.PathLike):
        raise MindTypeError(
            f"For '{func}', 'file_name' must be a str or a path, got {type(file_name).__name__}"
        )
    return os.fspath(file_name)


def export(
    net: Any,
    *inputs: Any,
    file_name: str | os.PathLike[str],
    file_format: str = "MINDIR",
    **kwargs: Any,
) -> None:
    """Compile ``net`` for ``inputs`` and write the graph and its weights to ``file_name``.

    :param net: a Cell (its ``construct`` is compiled, in its current train/eval mode: call
        ``net.set_train(False)`` first for inference) or a function of Tensors.
    :param inputs: example inputs. Tensors (Parameters too) become the graph's inputs (their
        shapes and dtypes are fixed in the file); any other argument is compiled into the graph
        as a constant.
    :param file_name: the file; the format's suffix (``.mindir``, ``.onnx``) is appended unless it
        already ends with it.
    :param file_format: a registered format's name, any case: ``"MINDIR"``, ``"ONNX"`` (opset 17,
        the standard layers; needs ``pip install mind-core[onnx]``), or a plugin's.
    :param kwargs: MindSpore's ``enc_key`` is accepted only as ``None``: files are not encrypted.
    :raises MindIRError: the graph holds a value the format cannot store, or the file could not be
        written (an existing file is replaced atomically: on failure it is left as it was).

    >>> export(net, Tensor(np.ones((1, 3), np.float32)), file_name="net")  # writes net.mindir
    """
    formats = {name: spec for name, spec in _formats().items() if spec.export is not None}
    if not isinstance(file_format, str) or file_format.lower() not in formats:
        raise MindValueError(
            f"For 'export', 'file_format' must be one of {sorted(n.upper() for n in formats)}, "
            f"got {file_format!r}"
        )
    spec = formats[file_format.lower()]
    if spec.probe is not None:
        spec.probe()  # before compiling: say what to install at once
    kwargs.pop("enc_mode", None)
    if kwargs.pop("enc_key", None) is not None:
        raise MindIRError(
            "For 'export', 'enc_key' is not supported: model files are not encrypted; encrypt "
            "the file with a dedicated tool if it must be"
        )
    if kwargs:
        raise MindTypeError(f"For 'export', unexpected keyword arguments {sorted(kwargs)}")
    path = _path("export", file_name)
    if spec.suffixes and not path.endswith(spec.suffixes):
        path += spec.suffixes[0]

    from mind.core._src.ir.onnx_export import weight_arrays

    if isinstance(net, Cell):
        fn = JitFunction(net.construct, f"{type(net).__name__}.construct")
    elif callable(net):
        fn = JitFunction(net)
    else:
        raise MindTypeError(
            f"For 'export', 'net' must be a Cell or a function, got {type(net).__name__}"
        )
    # An example input that is a Parameter is an input like any Tensor, not one more weight.
    inputs = tuple(Tensor.from_numpy(a._data) if isinstance(a, Parameter) else a for a in inputs)
    compiled = fn.compile(*inputs)
    weights = weight_arrays(compiled.graph, compiled.weights)
    spec.export(compiled.graph, weights, path, output_spec=compiled.output_spec)


def load(file_name: str | os.PathLike[str], **kwargs: Any) -> Any:
    """Read a model file with the registered format its suffix names (MindIR for ``.mindir`` and
    for any suffix no format claims), after the format validated all of it.

    :param file_name: the file, suffix included.
    :param kwargs: MindSpore's ``dec_key`` is accepted only as ``None``.
    :returns: for MindIR a :class:`~mind.core._src.ir.mindir.MindIRGraph`; run it with
        ``nn.GraphCell(graph)``.
    :raises MindIRError: the file is missing, not a regular file, truncated, not a MindIR file,
        written by a newer Mind, altered (a SHA-256 mismatch), or its graph is malformed. The
        message names the file and the node, field or tensor at fault.
    """
    kwargs.pop("dec_mode", None)
    kwargs.pop("obf_func", None)
    if kwargs.pop("dec_key", None) is not None:
        raise MindIRError("For 'load', 'dec_key' is not supported: MindIR files are not encrypted")
    if kwargs:
        raise MindTypeError(f"For 'load', unexpected keyword arguments {sorted(kwargs)}")
    path = _path("load", file_name)
    formats = _formats()
    spec = next(
        (s for s in formats.values() if s.load and s.suffixes and path.endswith(s.suffixes)),
        formats.get("mindir"),
    )
    if spec is None or spec.load is None:
        raise MindValueError(f"For 'load', no registered model format reads '{path}'")
    return spec.load(path)


# ------------------------------------------------------------------------------------------------
# mind-core's own formats, registered like a third party's
# ------------------------------------------------------------------------------------------------


def _write_mindir(graph: Any, weights: dict, file_name: str, output_spec: Any = None) -> None:
    from mind.core._src.ir import mindir

    mindir.write(graph, weights, file_name, output_spec=output_spec)


def _read_mindir(file_name: str) -> Any:
    from mind.core._src.ir import mindir

    return mindir.read(file_name)


def _write_onnx(graph: Any, weights: dict, file_name: str, output_spec: Any = None) -> None:
    from mind.core._src.ir import onnx_export

    onnx_export.export_onnx(graph, weights, file_name)


def _require_onnx() -> None:
    from mind.core._src.ir import onnx_export

    onnx_export.require_onnx()


@hookimpl
def mind_register_model_formats():
    yield ModelFormatSpec(
        name="mindir",
        suffixes=(".mindir",),
        export=_write_mindir,
        load=_read_mindir,
        description="a compiled graph and its weights in one safetensors file",
    )
    yield ModelFormatSpec(
        name="onnx",
        suffixes=(".onnx",),
        export=_write_onnx,
        probe=_require_onnx,
        description="an ONNX model, opset 17, of the standard layers (needs mind-core[onnx])",
    )
