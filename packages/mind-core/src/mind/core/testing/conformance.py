"""The device conformance suite: point it at a device and pytest checks the device keeps the
device contract.

In a test module of your plugin::

    from mind.core.testing.conformance import DeviceConformance

    class TestMyDevice(DeviceConformance):
        device = "mydevice"          # the name your DeviceSpec registers

pytest then runs, against that device:

- every primitive the device declares (its ``ops``), on the example inputs of
  :mod:`mind.core.testing.primitive_cases`: through the device's ``compile_graph`` when it has
  one (a one-node graph), else through its kernel on buffers from its allocator. The result must
  have the shape and dtype the primitive's inference rule gives and match the ``cpu`` reference
  within the tolerance for its dtype (:attr:`DeviceConformance.tolerances`); integer and bool
  results must match exactly;
- graph execution: an MLP's forward and backward pass compiled for the device, against ``cpu``;
- memory round trips: every declared dtype through ``allocate`` / ``copy_from_host`` /
  ``copy_to_host``;
- capabilities: the device is available, and ``check`` refuses an op, a dtype or a mode it did
  not declare with :class:`~mind.core.errors.UnsupportedOnDeviceError`.

A primitive the device does not declare is reported as skipped, with the reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from mind.core._src.ir.graph import FuncGraph
from mind.core._src.ops.dispatch import PRIMITIVES, ShapedArray
from mind.core._src.plugins.manager import get_registry
from mind.core._src.tensor import dtype as dt
from mind.core.errors import UnsupportedOnDeviceError
from mind.core.testing.primitive_cases import FORWARD

__all__ = ["DeviceConformance"]


def _device(name: str) -> Any:
    return get_registry().device(name)


def _one_node_graph(name: str, inputs: list[np.ndarray], attrs: dict) -> FuncGraph:
    graph = FuncGraph(f"conformance_{name}")
    params = [
        graph.add_parameter(ShapedArray(a.shape, dt.from_numpy_dtype(a.dtype)), f"x{k}")
        for k, a in enumerate(inputs)
    ]
    prim = PRIMITIVES[name]
    aval = prim.infer(*(p.aval for p in params), **attrs)
    graph.outputs = (graph.add_apply(name, tuple(params), attrs, aval),)
    return graph


class DeviceConformance:
    """Subclass with ``device = "<name>"``; every ``test_*`` method below runs against it."""

    device: ClassVar[str] = ""
    #: dtype name -> (rtol, atol) against the cpu reference; other dtypes must match exactly.
    tolerances: ClassVar[dict[str, tuple[float, float]]] = {
        "float16": (1e-2, 1e-3),
        "bfloat16": (2e-2, 1e-2),
        "float32": (2e-5, 2e-5),
        "float64": (1e-10, 1e-12),
    }

    def _the_device(self) -> Any:
        if not self.device:
            pytest.fail("set 'device' on the DeviceConformance subclass to the device's name")
        device = _device(self.device)
        ok, why = device.availability()
        if not ok:
            pytest.skip(f"device {self.device!r} is not available here: {why}")
        return device

    def _assert_close(self, got: np.ndarray, want: np.ndarray, what: str) -> None:
        got, want = np.asarray(got), np.asarray(want)
        assert got.shape == want.shape, f"{what}: shape {got.shape}, cpu gives {want.shape}"
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, cpu gives {want.dtype}"
        tol = self.tolerances.get(dt.from_numpy_dtype(want.dtype).name)
        if tol is None:
            np.testing.assert_array_equal(got, want, err_msg=what)
        else:
            np.testing.assert_allclose(
                got.astype(np.float64),
                want.astype(np.float64),
                rtol=tol[0],
                atol=tol[1],
                err_msg=what,
            )

    # -- primitives -------------------------------------------------------------------------------

    @pytest.mark.parametrize("primitive", sorted(FORWARD))
    def test_primitive_matches_the_cpu_reference(self, primitive: str) -> None:
        device = self._the_device()
        if primitive not in device.ops:
            pytest.skip(f"device {self.device!r} does not declare {primitive!r}")
        inputs, attrs, _ = FORWARD[primitive]
        arrays = [np.ascontiguousarray(np.asarray(a)) for a in inputs]
        cpu = _device("cpu")
        want = cpu.kernels[primitive](*[a.copy() for a in arrays], **attrs)
        want = np.asarray(want)
        aval = PRIMITIVES[primitive].infer(
            *(ShapedArray(a.shape, dt.from_numpy_dtype(a.dtype)) for a in arrays), **attrs
        )
        if device.compile_graph is not None and "graph" in device.modes:
            graph = _one_node_graph(primitive, arrays, attrs)
            run = device.compile_graph(graph, {"device_target": self.device})
            (got,) = run(*[a.copy() for a in arrays])
        else:
            kernel = device.kernels[primitive]
            buffers = [device.copy_from_host(a) for a in arrays]
            got = device.copy_to_host(kernel(*buffers, **attrs))
        got = np.asarray(got)
        assert got.shape == aval.shape, f"{primitive}: shape {got.shape}, inference {aval.shape}"
        assert dt.from_numpy_dtype(got.dtype) is aval.dtype, (
            f"{primitive}: dtype {got.dtype}, inference {aval.dtype}"
        )
        self._assert_close(got, want.astype(got.dtype, copy=False), primitive)

    # -- graphs ----------------------------------------------------------------------------------

    def test_graph_execution_of_a_training_step_matches_cpu(self) -> None:
        device = self._the_device()
        if "graph" not in device.modes:
            pytest.skip(f"device {self.device!r} does not run graphs")
        import mind.core as ms
        from mind.core import Tensor, nn

        def losses(target: str) -> list[float]:
            ms.set_context(device_target=target)
            try:
                ms.set_seed(0)
                net = nn.SequentialCell(nn.Dense(6, 8), nn.ReLU(), nn.Dense(8, 3))
                step = ms.jit(
                    ms.value_and_grad(
                        lambda x, y: nn.CrossEntropyLoss()(net(x), y),
                        None,
                        net.trainable_params(),
                    )
                )
                rng = np.random.default_rng(0)
                x = Tensor(rng.standard_normal((5, 6)).astype(np.float32))
                y = Tensor(rng.integers(0, 3, 5).astype(np.int32))
                loss, grads = step(x, y)
                return [loss.item(), *(float(g.asnumpy().sum()) for g in grads)]
            finally:
                ms.set_context(device_target="cpu")

        np.testing.assert_allclose(losses(self.device), losses("cpu"), rtol=1e-4, atol=1e-6)

    # -- memory ----------------------------------------------------------------------------------

    def test_memory_round_trips_every_declared_dtype(self) -> None:
        device = self._the_device()
        rng = np.random.default_rng(0)
        for name in sorted(device.dtypes):
            np_dtype = dt._BY_NAME[name].np
            if np_dtype is None:
                continue
            host = (rng.standard_normal((3, 4)) * 10).astype(np_dtype)
            buffer = device.copy_from_host(host)
            back = np.asarray(device.copy_to_host(buffer))
            np.testing.assert_array_equal(back, host, err_msg=f"round trip of {name}")
            fresh = device.allocate((2, 5), name)
            assert tuple(np.asarray(device.copy_to_host(fresh)).shape) == (2, 5), name
            device.free(fresh)

    # -- capabilities ----------------------------------------------------------------------------

    def test_declared_capabilities_are_enforced(self) -> None:
        device = self._the_device()
        with pytest.raises(UnsupportedOnDeviceError):
            device.check(ops={"no_such_primitive"}, dtypes=set(), mode=next(iter(device.modes)))
        undeclared = sorted(set(dt._BY_NAME) - set(device.dtypes))
        if undeclared:
            with pytest.raises(UnsupportedOnDeviceError):
                device.check(ops=set(), dtypes={undeclared[0]}, mode=next(iter(device.modes)))
        for mode in {"pynative", "graph"} - set(device.modes):
            with pytest.raises(UnsupportedOnDeviceError):
                device.check(ops=set(), dtypes=set(), mode=mode)
        device.check(ops=set(device.ops), dtypes=set(device.dtypes), mode=next(iter(device.modes)))
