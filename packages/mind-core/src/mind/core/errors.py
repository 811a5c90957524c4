"""Errors raised by mind-core.

Every error Mind raises derives from :class:`MindError`, so ``except MindError`` catches them all;
the ``TypeError`` and ``ValueError`` flavours also derive from the builtin so code written for
plain Python keeps working. Messages lead with the context (which op, which plugin, which file)
and end with a pointer to the docs. Each class docstring says what causes it and how to fix it.

Sibling packages define their own errors in ``mind/<sub>/errors.py``, deriving from these roots.
"""

from __future__ import annotations

__all__ = [
    "CellAttributeError",
    "CellNameError",
    "CheckpointError",
    "DeviceNotFoundError",
    "DeviceUnavailableError",
    "GraphError",
    "GraphModeError",
    "MindError",
    "MindIRError",
    "MindTypeError",
    "MindValueError",
    "NativeBuildError",
    "PluginConflictError",
    "PluginError",
    "ShapeInferenceError",
    "UnsupportedOnDeviceError",
]


class MindError(Exception):
    """Root of every error Mind raises."""

    docs: str = ""

    def __init__(self, message: str = "") -> None:
        if self.docs and message:
            message = f"{message}\n(see docs/{self.docs} in the Mind repository)"
        super().__init__(message)


class MindTypeError(MindError, TypeError):
    """An argument has the wrong type (a Tensor where an int was expected, a bad dtype)."""


class MindValueError(MindError, ValueError):
    """An argument has the right type but an unusable value (a wrong shape, an unknown name)."""


class CellNameError(MindValueError, KeyError):
    """A name a Cell cannot hold a child or a Parameter under: empty, containing '.', or taken
    by another attribute (``insert_child_to_cell``, ``insert_param_to_cell``, a ``CellDict``
    key). A ``KeyError`` as MindSpore's, and a ``ValueError``.

    Fix: pick a plain identifier not used by the Cell.
    """

    def __str__(self) -> str:  # KeyError's str() would quote the message
        return str(self.args[0]) if self.args else ""


class CellAttributeError(MindTypeError, AttributeError):
    """A Parameter or a child Cell assigned before ``super().__init__()`` ran (the Cell has no
    tables yet), a Cell called whose ``__init__`` never ran it, or one that defines no
    ``construct``. An ``AttributeError`` as MindSpore's (and a ``TypeError``, as Mind raised
    before).

    Fix: call ``super().__init__()`` first in the subclass's ``__init__``; define
    ``construct``.
    """


class ShapeInferenceError(MindValueError):
    """An op was given inputs whose shapes or dtypes it cannot take.

    The message names the op, the argument and what was expected, for example
    ``For 'matmul', 'x' has 3 columns but 'y' has 4 rows``.

    Fix: reshape, transpose or cast the named argument.
    """


# ------------------------------------------------------------------------------------------------
# Plugins
# ------------------------------------------------------------------------------------------------


class PluginError(MindError):
    """A plugin misbehaved while registering.

    Cause: a hook implementation raised, returned something that is not the record type its hook
    spec names (for example a dict instead of a ``DeviceSpec``), or implemented a hook that does not
    exist (a misspelt ``mind_*`` name).

    Fix: the message names the plugin and the hook; correct the plugin, or block it with
    ``MIND_DISABLE_PLUGINS=<name>`` until it is fixed.
    """

    docs = "plugins.md"


class PluginConflictError(PluginError):
    """Two plugins registered the same name (two devices called ``"cpu"``, two ``add`` kernels).

    Cause: names are global. The message names both providers.

    Fix: rename one of them, or block one plugin with ``MIND_DISABLE_PLUGINS=<name>``.
    """


# ------------------------------------------------------------------------------------------------
# Devices
# ------------------------------------------------------------------------------------------------


class DeviceNotFoundError(MindValueError):
    """No device of that name is registered.

    Cause: a typo in ``device_target``, or the plugin that provides the device is not installed
    or failed to load (``python -m mind.core info`` lists load errors).

    Fix: use one of the names the message lists, or install the device's plugin.
    """

    docs = "plugins.md#devices"


class DeviceUnavailableError(MindError):
    """The device is registered but cannot be used on this machine.

    Cause: its probe failed: a driver, a runtime library or a Python package it needs is missing.

    Fix: the message carries the probe's reason; install what it names, or pick another device.
    """

    docs = "plugins.md#devices"


class UnsupportedOnDeviceError(MindValueError):
    """A device was asked for an op, dtype or execution mode it does not declare.

    Raised before anything runs, from the device's capability declaration, so a graph is never
    half-executed before the gap shows.

    Fix: cast to a dtype the device lists, run the op on another device, or use the mode it
    supports. ``python -m mind.core info`` prints every device's capabilities.
    """

    docs = "plugins.md#capabilities"


# ------------------------------------------------------------------------------------------------
# Checkpoints
# ------------------------------------------------------------------------------------------------


class CheckpointError(MindValueError):
    """A checkpoint could not be written, or a file was refused as a checkpoint.

    Cause: the file is missing, not a regular file, truncated, not in safetensors format, written
    by another tool or a newer Mind, or altered after it was written (a tensor's SHA-256 no
    longer matches); or its contents do not fit the net or optimizer they are loaded into (a
    shape or dtype that differs, a parameter the optimizer does not have). The message names the
    file and, where one is at fault, the tensor.

    Fix: a damaged file cannot be repaired; load an earlier checkpoint. For a mismatch, build the
    net with the shapes the checkpoint was saved from, or leave the entry out with
    ``filter_prefix`` / ``choice_func``.
    """

    docs = "core.md#checkpoints"


# ------------------------------------------------------------------------------------------------
# MindIR export and load
# ------------------------------------------------------------------------------------------------


class MindIRError(MindValueError):
    """A graph could not be exported, or a file was refused as a MindIR file.

    Cause: the file is missing, truncated, not in safetensors format, written by another tool,
    a newer Mind or an older one (MindIR file version 1), or altered after it was written (the
    header's or a tensor's SHA-256 no longer matches); or its graph is malformed (an unknown
    primitive, a node that uses one defined after it, a bad dtype name or shape, a node whose
    number of inputs or attributes do not fit its primitive's attribute schema, an abstract value
    its primitive's inference disagrees with). On export: the graph holds an attribute value or
    a name MindIR cannot store. The message names the file and, where one is at fault, the node
    (``%id``), the field or the tensor.

    Fix: a damaged file cannot be repaired; export the net again with ``mind.core.export`` (also
    for a version 1 file). A file from a newer Mind needs that version of mind-core to load it.
    """

    docs = "core.md#export-and-load-mindir"


# ------------------------------------------------------------------------------------------------
# Graph mode and the compiler
# ------------------------------------------------------------------------------------------------


class GraphModeError(MindError):
    """Graph mode (``jit``) met something that needs a concrete value while tracing.

    Cause: Python control flow or I/O on a tensor's value (``if x > 0:``, ``bool(x)``,
    ``x.asnumpy()``, ``print(x)``) inside a function compiled with ``jit`` or a Cell in GRAPH_MODE:
    while tracing, tensors have shapes and dtypes but no values yet.

    Fix: the message names the line. Use ``control.cond`` / ``control.while_loop`` for tensor-valued
    control flow, compute Python-level decisions from shapes, or move the code out of ``jit``.
    """

    docs = "core.md#graph-mode"


class GraphError(MindError):
    """A MindIR graph is malformed (a use before its definition, an abstract value that does not
    match its primitive's inference). The message names the graph and the node."""


class NativeBuildError(MindError):
    """The native device could not build or load a graph's C module.

    Cause: no C compiler (``cc``), missing Python headers, or the ``native`` extra not installed
    (``pip install mind-core[native]``: cffi and scipy-openblas32). The message carries the
    compiler's own output.
    """

    docs = "core.md#native-device"
