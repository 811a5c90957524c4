"""Every hook fires where its spec says: graph compiled, runtime observers, model formats."""

import types

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, ops
from mind.core.errors import MindValueError
from mind.core.plugins import ModelFormatSpec, hookimpl
from mind.core.testing import isolated_plugins


def _plugin(**hooks):
    module = types.ModuleType("test_hooks_plugin")
    for name, fn in hooks.items():
        setattr(module, name, hookimpl(fn))
    return module


def _net(x, w):
    return ops.relu(x @ w + 1.0).sum(axis=1)


X = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
W = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)


def test_graph_compiled_fires_once_per_compilation_after_the_passes():
    seen = []

    def mind_on_graph_compiled(graph, device, options):
        seen.append((graph, device, dict(options)))

    with isolated_plugins(_plugin(mind_on_graph_compiled=mind_on_graph_compiled)):
        ms.set_context(enable_graph_kernel=True)
        try:
            f = ms.jit(lambda x, w: ops.exp(x * 2.0 + 1.0) @ w)
            f(Tensor(X), Tensor(W))
            f(Tensor(X), Tensor(W))  # cached: no second compilation
            f(Tensor(X[:2]), Tensor(W))  # a new signature compiles again
            compiled = f.graph(Tensor(X), Tensor(W))
        finally:
            ms.set_context(enable_graph_kernel=None)
    assert len(seen) == 2
    graph, device, options = seen[0]
    assert device == "cpu" and options["enable_graph_kernel"] is True
    assert graph is compiled  # what runs, after the passes
    assert "fused" in {n.prim for n in graph.nodes}  # the fusion pass ran before the hook


class _Recorder:
    def __init__(self):
        self.events = []

    def on_run_start(self, graph, device):
        self.events.append(("start", graph.name, device))

    def on_kernel_start(self, node, device):
        self.events.append(("begin", node.prim))

    def on_kernel_end(self, node, device, seconds, outputs):
        assert seconds >= 0
        out = np.asarray(outputs)
        assert out.shape == tuple(node.aval.shape), node
        self.events.append(("end", node.prim, out.nbytes, out.copy()))

    def on_run_end(self, graph, device):
        self.events.append(("stop", graph.name, device))


@pytest.mark.parametrize("device", ["cpu", "native"])
def test_an_observer_sees_every_node_of_a_run(device):
    recorder = _Recorder()
    with isolated_plugins(_plugin(mind_runtime_observer=lambda: recorder)):
        previous = ms.get_context("device_target")
        ms.set_context(device_target=device, enable_graph_kernel=False)
        try:
            f = ms.jit(_net)
            got = f(Tensor(X), Tensor(W)).asnumpy()
            graph = f.graph(Tensor(X), Tensor(W))
        finally:
            ms.set_context(device_target=previous, enable_graph_kernel=None)
    np.testing.assert_allclose(got, np.maximum(X @ W + 1.0, 0).sum(axis=1), rtol=1e-5)
    events = recorder.events
    assert events[0] == ("start", graph.name, device) and events[-1] == ("stop", graph.name, device)
    begins = [e[1] for e in events if e[0] == "begin"]
    ends = [e for e in events if e[0] == "end"]
    assert begins == [e[1] for e in ends] == [n.prim for n in graph.nodes]
    for node, end in zip(graph.nodes, ends):
        assert end[2] == int(np.prod(node.aval.shape)) * node.aval.dtype.np.itemsize
    np.testing.assert_allclose(ends[-1][3], got, rtol=1e-6)  # the last node's output is the result


def test_nobody_subscribed_means_no_observer_in_the_loop():
    f = ms.jit(_net)
    f(Tensor(X), Tensor(W))
    executable = f.compile(Tensor(X), Tensor(W)).executable
    assert executable._observers is None


def _toy_export(graph, weights, file_name, output_spec=None):
    with open(file_name, "w") as f:
        f.write(f"{graph.name} {len(graph.nodes)} {sorted(weights)}")


def _toy_load(file_name):
    with open(file_name) as f:
        return ("toy", f.read())


def test_a_plugin_format_is_exported_and_loaded_like_mindir(tmp_path):
    def mind_register_model_formats():
        yield ModelFormatSpec(name="toy", suffixes=(".toy",), export=_toy_export, load=_toy_load)

    net = ms.nn.Dense(3, 2)
    with isolated_plugins(_plugin(mind_register_model_formats=mind_register_model_formats)):
        ms.export(net, Tensor(X), file_name=tmp_path / "net", file_format="TOY")
        kind, text = ms.load(tmp_path / "net.toy")
        ms.export(net, Tensor(X), file_name=tmp_path / "net", file_format="MINDIR")
        assert ms.load(tmp_path / "net.mindir").inputs[0].shape == (4, 3)
    assert kind == "toy" and text.endswith("['bias', 'weight']")


def test_export_has_no_format_of_its_own(tmp_path):
    # mind-core's formats are a plugin like any other: without it there is nothing to write.
    from mind.core._src.plugins.manager import PluginManager, set_plugin_manager

    manager = PluginManager(entry_points=False, disabled=("formats",))
    previous = set_plugin_manager(manager)
    try:
        with pytest.raises(MindValueError, match=r"'file_format' must be one of \[\]"):
            ms.export(ms.nn.Dense(3, 2), Tensor(X), file_name=tmp_path / "n")
        with pytest.raises(MindValueError, match="no registered model format reads"):
            ms.load(tmp_path / "n.mindir")
    finally:
        set_plugin_manager(previous)
