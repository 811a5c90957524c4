"""The plugin manager: loading, deduplication, failures, conflicts and the dispatch tables."""

import logging
import types

import numpy as np
import pytest

from mind.core.errors import PluginConflictError, PluginError
from mind.core.plugins import (
    Allocator,
    DeviceSpec,
    KernelDef,
    ModelFormatSpec,
    PassSpec,
    PluginManager,
    PrimitiveDef,
    hookimpl,
)
from mind.core.testing import fresh_plugin_manager

# ------------------------------------------------------------------------------------------------
# Helpers: plugins as modules, fake entry points
# ------------------------------------------------------------------------------------------------


def no_records():
    return []


def plugin(name, **hooks):
    """A plugin module whose hooks are the given functions."""
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, hookimpl(fn))
    return module


class FakeDist:
    def __init__(self, name, version="1.0"):
        self.metadata = {"Name": name}
        self.version = version


class FakeEntryPoint:
    """What the manager reads of importlib.metadata.EntryPoint."""

    def __init__(self, name, value, dist, load):
        self.name, self.value, self.dist, self._load = name, value, FakeDist(dist), load

    def load(self):
        return self._load()


def entry_points_of(*eps):
    calls = []

    def source():
        calls.append(1)
        return list(eps)

    source.calls = calls
    return source


def prim(name, cpu_kernel=lambda x: x, differentiable=False):
    return PrimitiveDef(
        name=name, abstract_eval=lambda x: x, cpu_kernel=cpu_kernel, differentiable=differentiable
    )


def device(name, kernels=None, **kw):
    return DeviceSpec(name=name, allocator=Allocator(), kernels=kernels or {}, **kw)


def manager_with_entry_points(*eps, disabled=()):
    return PluginManager(
        entry_points=True, entry_point_source=entry_points_of(*eps), disabled=disabled
    )


# ------------------------------------------------------------------------------------------------
# Built-ins and registration by hand
# ------------------------------------------------------------------------------------------------


def test_builtin_devices_register_through_the_public_hook():
    manager = fresh_plugin_manager()
    assert set(manager.devices()) == {"cpu", "native", "null"}
    infos = {p.name: p for p in manager.plugins()}
    assert infos["cpu"].hooks == ("mind_register_devices",)
    assert infos["cpu"].source == "builtin" and infos["cpu"].dist == "mind-core"


def test_plugin_registered_by_hand_adds_its_device_and_rebuilds_tables():
    manager = fresh_plugin_manager()
    assert "mine" not in manager.devices()
    manager.register(plugin("mine", mind_register_devices=lambda: [device("mine")]))
    assert "mine" in manager.devices()
    assert manager.registry.providers[("device", "mine")] == "mine"


def test_hook_may_return_a_single_record_or_none():
    manager = fresh_plugin_manager(
        plugin("one", mind_register_devices=lambda: device("solo")),
        plugin("none", mind_register_devices=lambda: None),
    )
    assert "solo" in manager.devices()


def test_same_plugin_name_twice_is_refused():
    manager = fresh_plugin_manager(plugin("twin"))
    with pytest.raises(PluginConflictError, match="'twin' is already registered"):
        manager.register(plugin("twin"))


# ------------------------------------------------------------------------------------------------
# Registration errors raise, naming the plugin
# ------------------------------------------------------------------------------------------------


def test_conflicting_devices_name_both_providers():
    manager = fresh_plugin_manager(
        plugin("alpha", mind_register_devices=lambda: [device("npu")]),
        plugin("beta", mind_register_devices=lambda: [device("npu")]),
    )
    with pytest.raises(PluginConflictError) as info:
        _ = manager.registry
    message = str(info.value)
    assert "device 'npu'" in message and "'alpha'" in message and "'beta'" in message


def test_a_third_party_cpu_device_conflicts_with_the_builtin():
    manager = fresh_plugin_manager(
        plugin("impostor", mind_register_devices=lambda: [device("cpu")])
    )
    with pytest.raises(PluginConflictError, match=r"plugin 'cpu'.*plugin 'impostor'"):
        _ = manager.registry


@pytest.mark.parametrize(
    ("hook", "make"),
    [
        ("mind_register_primitives", lambda: prim("twice")),
        ("mind_register_passes", lambda: PassSpec(name="twice", run=lambda g, o: g)),
        ("mind_register_model_formats", lambda: ModelFormatSpec(name="twice", load=print)),
    ],
)
def test_conflicts_are_detected_for_every_record_kind(hook, make):
    manager = fresh_plugin_manager(plugin("a", **{hook: make}), plugin("b", **{hook: make}))
    with pytest.raises(PluginConflictError, match="'twice' is registered twice"):
        _ = manager.registry


def test_wrong_record_type_names_plugin_hook_and_type():
    manager = fresh_plugin_manager(plugin("sloppy", mind_register_devices=lambda: [{"name": "x"}]))
    with pytest.raises(PluginError, match=r"'sloppy'.*mind_register_devices.*DeviceSpec.*dict"):
        _ = manager.registry


def test_hook_that_raises_is_reported_with_plugin_and_hook():
    def boom():
        raise KeyError("no driver")

    manager = fresh_plugin_manager(plugin("flaky", mind_register_devices=boom))
    with pytest.raises(PluginError, match=r"'flaky'.*mind_register_devices.*KeyError"):
        _ = manager.registry


def test_misspelt_hook_fails_loudly_at_registration():
    manager = fresh_plugin_manager()
    with pytest.raises(PluginError, match="mind_register_device"):
        manager.register(plugin("typo", mind_register_device=no_records))
    manager.register(plugin("fine", mind_register_devices=no_records))  # the manager still works


def test_hook_with_an_argument_the_spec_lacks_is_refused():
    manager = fresh_plugin_manager()
    with pytest.raises(PluginError, match=r"(?s)'odd' \(manual\) cannot be registered.*gpu_count"):
        manager.register(plugin("odd", mind_register_devices=lambda gpu_count: []))
    assert set(manager.devices()) == {"cpu", "native", "null"}  # nothing of it is left behind


# ------------------------------------------------------------------------------------------------
# Entry points: lazy, once, deduplicated, defensive
# ------------------------------------------------------------------------------------------------


def test_entry_points_load_lazily_and_once():
    module = plugin("ext", mind_register_devices=lambda: [device("ext")])
    source = entry_points_of(FakeEntryPoint("ext", "ext_mod", "ext-dist", lambda: module))
    manager = PluginManager(entry_points=True, entry_point_source=source, disabled=())
    assert source.calls == []  # constructing the manager imports nothing
    assert "ext" in manager.devices()
    manager.devices(), manager.plugins(), manager.registry
    assert len(source.calls) == 1


def test_duplicate_entry_points_from_editable_installs_load_once():
    loads = []

    def load():
        loads.append(1)
        return plugin("dup", mind_register_devices=lambda: [device("dup")])

    ep = FakeEntryPoint("dup", "dup_mod", "dup-dist", load)
    manager = manager_with_entry_points(ep, FakeEntryPoint("dup", "dup_mod", "dup-dist", load))
    assert "dup" in manager.devices()
    assert len(loads) == 1


def test_third_party_import_failure_is_recorded_and_others_still_load(caplog):
    def fail():
        raise ImportError("No module named 'cupy'")

    good = plugin("good", mind_register_devices=lambda: [device("good")])
    manager = manager_with_entry_points(
        FakeEntryPoint("bad", "bad_mod", "bad-dist", fail),
        FakeEntryPoint("good", "good_mod", "good-dist", lambda: good),
    )
    with caplog.at_level(logging.WARNING, logger="mind.core.plugins"):
        devices = manager.devices()
    assert "good" in devices and "cpu" in devices
    bad = next(p for p in manager.plugins() if p.name == "bad")
    assert bad.status == "failed" and bad.dist == "bad-dist"
    assert bad.error == "ImportError: No module named 'cupy'"
    assert "'bad'" in caplog.text and "cupy" in caplog.text


def test_first_party_import_failure_raises():
    def fail():
        raise ImportError("broken install")

    manager = manager_with_entry_points(FakeEntryPoint("data", "mind.data._p", "mind-data", fail))
    with pytest.raises(PluginError, match=r"Mind's own plugin 'data'.*broken install"):
        manager.devices()


def test_same_entry_point_name_from_two_dists_keeps_the_first_and_reports_the_second():
    first = plugin("first", mind_register_devices=lambda: [device("first")])
    second = plugin("second", mind_register_devices=lambda: [device("second")])
    manager = manager_with_entry_points(
        FakeEntryPoint("same", "pkg_a", "a-dist", lambda: first),
        FakeEntryPoint("same", "pkg_b", "b-dist", lambda: second),
    )
    assert "first" in manager.devices() and "second" not in manager.devices()
    failed = [p for p in manager.plugins() if p.status == "failed"]
    assert len(failed) == 1 and "already taken" in failed[0].error and "a-dist" in failed[0].error


def test_disabled_plugins_are_not_imported(monkeypatch):
    def must_not_load():
        raise AssertionError("a disabled plugin was imported")

    monkeypatch.setenv("MIND_DISABLE_PLUGINS", "skipme, null")
    manager = PluginManager(
        entry_points=True,
        entry_point_source=entry_points_of(FakeEntryPoint("skipme", "x", "x-dist", must_not_load)),
    )
    assert set(manager.devices()) == {"cpu", "native"}  # the built-in null device is blocked too
    status = {p.name: p.status for p in manager.plugins()}
    assert status == {
        "core": "loaded",
        "cpu": "loaded",
        "formats": "loaded",
        "native": "loaded",
        "null": "disabled",
        "passes": "loaded",
        "skipme": "disabled",
    }


def test_tracing_reports_each_registration_call(monkeypatch, capsys):
    monkeypatch.setenv("MIND_TRACE_PLUGINS", "1")
    _ = PluginManager(entry_points=False, disabled=()).registry
    assert "cpu.mind_register_devices -> 1 records" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# Dispatch tables
# ------------------------------------------------------------------------------------------------


def test_registration_hooks_run_once_however_many_lookups():
    calls = []

    def register():
        calls.append(1)
        return [prim("op")]

    manager = fresh_plugin_manager(plugin("counted", mind_register_primitives=register))
    for _ in range(100):
        manager.registry.devices["cpu"].kernels["op"]
    assert len(calls) == 1


def test_cpu_gets_reference_kernels_and_specific_kernels_beat_them():
    def reference(x):
        return x + 1

    def faster(x):
        return x + 2

    def generic(x):
        return x + 3

    manager = fresh_plugin_manager(
        plugin("ops", mind_register_primitives=lambda: [prim("inc", reference), prim("dec")]),
        plugin(
            "boost",
            mind_register_kernels=lambda: [
                KernelDef("inc", faster, device="cpu"),
                KernelDef("inc", generic),
            ],
        ),
        plugin("accel", mind_register_devices=lambda: [device("accel")]),
    )
    devices = manager.devices()
    assert devices["cpu"].kernels["inc"] is faster
    assert devices["cpu"].kernels["dec"] is not None
    assert devices["accel"].kernels["inc"] is generic  # generic fills what a device lacks
    assert "dec" not in devices["accel"].kernels  # reference kernels are cpu's alone
    assert devices["null"].kernels["inc"] is generic


def test_two_kernels_for_one_device_and_primitive_conflict():
    manager = fresh_plugin_manager(
        plugin("ops", mind_register_primitives=lambda: [prim("op")]),
        plugin("dev", mind_register_devices=lambda: [device("dev", {"op": np.negative})]),
        plugin("more", mind_register_kernels=lambda: [KernelDef("op", np.abs, device="dev")]),
    )
    with pytest.raises(PluginConflictError, match=r"kernel 'op' on device 'dev'.*'dev'.*'more'"):
        _ = manager.registry


def test_kernel_for_an_unknown_device_lists_the_known_ones():
    manager = fresh_plugin_manager(
        plugin("ops", mind_register_primitives=lambda: [prim("op")]),
        plugin("lost", mind_register_kernels=lambda: [KernelDef("op", np.abs, device="tpu")]),
    )
    with pytest.raises(
        PluginError, match=r"device 'tpu'.*known devices: \['cpu', 'native', 'null'\]"
    ):
        _ = manager.registry


def test_kernels_for_unregistered_primitives_are_set_aside_and_reported():
    manager = fresh_plugin_manager(
        plugin("future", mind_register_devices=lambda: [device("future", {"op_from_v9": abs})])
    )
    registry = manager.registry
    assert "op_from_v9" not in registry.devices["future"].kernels
    assert registry.unknown_kernels == {"future": ("op_from_v9",)}


def test_passes_are_ordered_by_stage_priority_and_name():
    def run(graph, options):
        return graph

    manager = fresh_plugin_manager(
        plugin(
            "my_passes",
            mind_register_passes=lambda: [
                PassSpec("late", run, stage="backend", priority=0),
                PassSpec("b", run, stage="optimize", priority=10),
                PassSpec("a", run, stage="optimize", priority=10),
                PassSpec("first", run, stage="frontend", priority=999),
                PassSpec("early", run, stage="optimize", priority=1),
            ],
        ),
        builtins=False,
    )
    assert [p.name for p in manager.passes()] == ["first", "early", "a", "b", "late"]


def test_notification_hooks_reach_every_plugin():
    seen = []

    class Observer:
        def on_kernel_end(self, primitive, device, seconds, outputs):
            pass

    observer = Observer()
    manager = fresh_plugin_manager(
        plugin(
            "watch",
            mind_on_graph_compiled=lambda graph, device: seen.append((graph, device)),
            mind_runtime_observer=lambda: observer,
            mind_train_callbacks=lambda model: ["cb1", "cb2"],
        ),
        plugin("quiet", mind_runtime_observer=lambda: None),
    )
    manager.on_graph_compiled("G", "cpu", {"opt_level": 2})
    assert seen == [("G", "cpu")]
    assert manager.runtime_observers() == [observer]
    assert manager.train_callbacks(model=object()) == ["cb1", "cb2"]
