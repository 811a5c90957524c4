"""A ``mindspore`` import alias onto Mind's real objects, for running MindSpore's own tests.

``install()`` puts a ``mindspore`` package (and the submodules MindSpore's tests import) into
``sys.modules``. Every name in it is bound to the Mind object of the same meaning, taken from
Mind's public modules; nothing here implements an op, a class or a behaviour. A MindSpore name
that Mind lacks stays missing, so a test that needs it fails (``AttributeError`` or
``ModuleNotFoundError``) and is counted: that is the point of the measurement.

    import mindspore_alias; mindspore_alias.install()
    import mindspore as ms                      # -> mind.core's objects
    from mindspore.ops import composite as C    # imports; C.GradOperation -> AttributeError

``KNOWN_MISSING`` lists the MindSpore names the control-flow tests use that Mind has no
same-meaning object for, with what Mind offers instead (documentation only).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["ALIASES", "KNOWN_MISSING", "NAMESPACES", "install", "uninstall"]

# ------------------------------------------------------------------------------------------------
# The table: MindSpore module -> the Mind names it holds
# ------------------------------------------------------------------------------------------------

# Each entry is a list of sources. A source is either "mind.module" (every name in its
# ``__all__``) or "mind.module:attr" or "mind.module:attr as name" (one name, maybe renamed;
# attr may be dotted, "Cell.compile", an attribute of a Mind name).
# Submodules listed in ALIASES are attached to their parents by install(); they are not listed here.
ALIASES: dict[str, list[str]] = {
    "mindspore": [
        "mind.core",  # Tensor, Parameter, jit, grad, set_context, GRAPH_MODE, dtypes, export, load...
        "mind.core.train:Model",  # mindspore.Model
    ],
    "mindspore.context": [
        "mind.core:set_context",
        "mind.core:get_context",
        "mind.core:GRAPH_MODE",
        "mind.core:PYNATIVE_MODE",
    ],
    "mindspore.common": [
        "mind.core.common",  # Tensor, Parameter, dtype, initializer
        "mind.core:jit",  # mindspore.common exports jit (mindspore.common.api.jit)
    ],
    "mindspore.common.api": ["mind.core:jit"],
    "mindspore.runtime": ["mind.core.runtime"],
    "mindspore.common.dtype": ["mind.core.common.dtype"],
    "mindspore.common.parameter": [
        "mind.core:Parameter",
        "mind.core:ParameterTuple",
        "mind.core:_Buffer",  # a Cell's buffer (register_buffer)
    ],
    "mindspore.common.tensor": ["mind.core:Tensor"],
    "mindspore.common.initializer": ["mind.core.common.initializer"],
    "mindspore.nn": ["mind.core.nn"],
    "mindspore.nn.grad": ["mind.core.nn.grad"],  # Jvp, Vjp
    "mindspore.nn.cell": ["mind.core.nn:Cell", "mind.core.nn:GraphCell"],
    # MindSpore's submodules of nn holding the optimizers and the learning-rate functions and
    # schedules: Mind has them all in mind.core.nn.
    "mindspore.nn.optim": ["mind.core.nn"],
    "mindspore.nn.optim.optimizer": ["mind.core.nn:Optimizer"],
    "mindspore.nn.optim.adafactor": ["mind.core.nn:AdaFactor"],
    "mindspore.nn.dynamic_lr": ["mind.core.nn"],
    "mindspore.nn.learning_rate_schedule": ["mind.core.nn"],
    # mindspore.nn.probability: distributions and bijectors live in mind-extend.
    "mindspore.nn.probability": ["mind.extend.probability"],
    "mindspore.nn.probability.distribution": ["mind.extend.probability.distribution"],
    "mindspore.nn.probability.bijector": ["mind.extend.probability.bijector"],
    # mindspore.ops: the functional ops (Mind's have MindSpore 2.x names and argument orders),
    # Primitive, and the Primitive classes (ops.Add, ops.ReLU, ops.WhileLoop...).
    "mindspore.ops": ["mind.core.ops"],
    # mindspore.ops.functional (F): MindSpore's functional ops, the same functions as mindspore.ops.
    "mindspore.ops.functional": ["mind.core.ops"],
    # mindspore.ops.operations (P): MindSpore's Primitive classes.
    "mindspore.ops.operations": ["mind.core.ops.operations"],
    "mindspore.ops.operations._grad_ops": ["mind.core.ops.grad_ops"],
    # MindSpore's own modules that define the Primitive classes, by family: in Mind all are in
    # mind.core.ops.operations.
    **{
        f"mindspore.ops.operations.{family}": ["mind.core.ops.operations"]
        for family in ("array_ops", "math_ops", "nn_ops", "random_ops", "image_ops", "sparse_ops")
    },
    # mindspore.ops.function: the modules defining the functional ops (math_func, array_func,
    # nn_func...): in Mind all are in mind.core.ops.
    "mindspore.ops.function": ["mind.core.ops"],
    **{
        f"mindspore.ops.function.{family}": ["mind.core.ops"]
        for family in ("math_func", "array_func", "nn_func", "random_func")
    },
    # mindspore.ops.composite (C): GradOperation (HyperMap, MultitypeFuncGraph... not in Mind).
    "mindspore.ops.composite": ["mind.core.ops.composite"],
    "mindspore.train": ["mind.core.train"],
    "mindspore.train.callback": ["mind.core.train.callback"],
    "mindspore.train.serialization": [
        "mind.core:export",
        "mind.core:load",
        "mind.core:save_checkpoint",
        "mind.core:load_checkpoint",
        "mind.core:load_param_into_net",
    ],
    "mindspore.numpy": ["mind.core.numpy"],
    # mindspore.experimental.optim: the PyTorch-style optimizers and their lr_scheduler module
    # (the parent entry only makes "mindspore.experimental" an importable package).
    "mindspore.experimental": ["mind.core.experimental"],
    "mindspore.experimental.optim": ["mind.core.experimental.optim"],
    "mindspore.experimental.optim.lr_scheduler": ["mind.core.experimental.optim.lr_scheduler"],
    "mindspore.dataset": ["mind.data"],
    "mindspore.dataset.transforms": ["mind.data.transforms"],
    "mindspore.dataset.vision": ["mind.data.vision"],
    "mindspore.dataset.text": ["mind.data.text"],
    "mindspore.dataset.vision.transforms": ["mind.data.vision"],
    "mindspore.dataset.transforms.transforms": ["mind.data.transforms"],
    "mindspore.dataset.callback": ["mind.data.callback"],
    "mindspore.mindrecord": ["mind.data.mindrecord"],
}

# MindSpore's private executor objects that its tests call (``_cell_graph_executor.compile(net,
# *inputs)``, ``_pynative_executor.sync()``): each a namespace of Mind's public functions of the
# same meaning, "module:dotted.attr". ``Cell.compile`` unbound: compile(net, *inputs) is
# net.compile(*inputs).
NAMESPACES: dict[str, dict[str, dict[str, str]]] = {
    "mindspore.common.api": {
        "_cell_graph_executor": {"compile": "mind.core.nn:Cell.compile"},
        "_pynative_executor": {"sync": "mind.core.runtime:synchronize"},
    },
}

#: MindSpore names the control-flow tests use, absent from Mind (name -> what Mind has instead).
KNOWN_MISSING: dict[str, str] = {
    "mindspore._extends.parse.compile_config": "none",
}

# ------------------------------------------------------------------------------------------------
# Building the modules
# ------------------------------------------------------------------------------------------------


class _AliasModule(types.ModuleType):
    """A plain module whose missing attributes say they are missing from Mind."""

    def __getattr__(self, attr: str) -> Any:
        # NOTE: only reached when normal lookup fails; dunder probes (inspect, pytest) must get
        # the usual AttributeError without the note.
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r} (not in Mind)")


def _names(source: str) -> dict[str, Any]:
    module_name, _, spec = source.partition(":")
    module = importlib.import_module(module_name)
    if not spec:
        return {name: getattr(module, name) for name in module.__all__ if not name.startswith("_")}
    attr, _, alias = spec.partition(" as ")
    value: Any = module
    for part in attr.strip().split("."):  # "Cell.compile": an attribute of a Mind name
        value = getattr(value, part)
    return {(alias or attr.strip().rpartition(".")[2]).strip(): value}


def _build() -> dict[str, types.ModuleType]:
    modules: dict[str, types.ModuleType] = {}
    for name, sources in ALIASES.items():
        module = _AliasModule(name, f"MindSpore's {name!r}, aliased onto Mind (mindspore_alias).")
        module.__path__ = []  # a package: "import mindspore.x" for an unknown x is a clean miss
        module.__file__ = __file__
        for source in sources:
            for attr, value in _names(source).items():
                setattr(module, attr, value)
        for attr, members in NAMESPACES.get(name, {}).items():
            namespace = types.SimpleNamespace()
            for member, source in members.items():
                (value,) = _names(source).values()
                setattr(namespace, member, value)
            setattr(module, attr, namespace)
        modules[name] = module
    # Attach each submodule to its parent, over any same-named value copied from Mind (e.g.
    # mind.core exports ``dtype``, ``nn``, ``ops``: the alias modules take their place).
    for name, module in modules.items():
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(modules[parent], child, module)
    return modules


def install() -> types.ModuleType:
    """Put the ``mindspore`` alias into ``sys.modules`` (idempotent) and return it."""
    if isinstance(sys.modules.get("mindspore"), _AliasModule):
        return sys.modules["mindspore"]
    if "mindspore" in sys.modules:
        raise RuntimeError("a real 'mindspore' is already imported; not aliasing over it")
    sys.modules.update(_build())
    return sys.modules["mindspore"]


def uninstall() -> None:
    """Remove the alias modules from ``sys.modules``."""
    for name in list(sys.modules):
        if (name == "mindspore" or name.startswith("mindspore.")) and isinstance(
            sys.modules[name], _AliasModule
        ):
            del sys.modules[name]
