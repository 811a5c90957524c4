"""The native device: whole graphs as generated C (set_context(device_target="native")).

- mlp_train_b128, lenet_train_b64, mlp_infer_b1: the graph suite's workloads compiled for the
  native device (graph-kernel fusion on, its default there), against PyTorch eager.
- fused_chain_1m: y = relu(a*b + c), gelu(y) and a layer-norm-like chain over the rows of
  1024x1024 floats, compiled for native (each chain one fused C loop) against the same function
  compiled for Mind's cpu device (numpy kernels, one pass over memory per op).
- cache_hit_load: compiling the LeNet training step when its module is already in the disk cache
  (lowering, hashing, verifying and loading the library), no peer: seconds.
"""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
from _models import batch, mind_lenet, mind_train_step, training_and_inference_cases
from harness import Case


def _chains(a, b, c):
    from mind.core import ops

    y = ops.relu(a * b + c)
    g = ops.gelu(y, approximate="tanh")
    m = g.mean(axis=-1, keep_dims=True)
    d = g - m
    v = (d * d).mean(axis=-1, keep_dims=True)
    return y, g, d / ops.sqrt(v + 1e-5)


def cases(quick: bool, threads: int) -> list[Case]:
    import mind.core as ms
    from mind.core import Tensor
    from mind.core._src.jit import JitFunction

    have_torch = find_spec("torch") is not None
    if have_torch:
        import torch

        torch.set_num_threads(threads)
    missing = None if have_torch else "torch is not installed (nox -s bench installs it)"
    repeats = 5 if quick else 15
    ms.set_seed(0)
    ms.set_context(mode=ms.GRAPH_MODE, device_target="native")
    out = training_and_inference_cases(repeats, have_torch, missing)

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((1024, 1024)).astype(np.float32) for _ in range(3)]
    tensors = [Tensor(a) for a in arrays]
    native_fn = JitFunction(_chains, "chains").compile(*tensors).executable
    ms.set_context(device_target="cpu")
    cpu_fn = JitFunction(_chains, "chains").compile(*tensors).executable
    ms.set_context(device_target="native")
    out.append(
        Case(
            "fused_chain_1m",
            lambda: native_fn(*arrays),
            peer="mind cpu device",
            peer_fn=lambda: cpu_fn(*arrays),
            number=3,
            repeats=repeats,
        )
    )

    from mind.core._base import native_build as build

    lx, ly = batch((64, 1, 32, 32))
    step = mind_train_step(mind_lenet())
    step(Tensor(lx), Tensor(ly))  # builds the module into the disk cache
    (compiled,) = step.__dict__["_graph_step_fn"].cache.values()
    graph = compiled.graph
    from mind.core._src.devices.native.runtime import compile_graph

    # The step's own build may key differently (its donated buffers): compile this graph once
    # here, so the first run after a source change finds it on disk too.
    compile_graph(graph)

    def load_from_cache():

        build._LOADED.clear()  # forget the in-process module: the disk cache must answer
        executable = compile_graph(graph)
        assert executable.report["cache_hit"]

    out.append(Case("cache_hit_load", load_from_cache, number=1, repeats=repeats, warmup=1))
    return out
