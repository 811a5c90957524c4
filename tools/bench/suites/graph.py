"""Suite `graph`: GRAPH_MODE (jit-compiled) Mind against PyTorch eager (torch==2.13.0, CPU).

- mlp_train_b128, lenet_train_b64: one training step with the loss and its gradients compiled to
  one graph (the optimizer then updates in place), as in the eager suite.
- mlp_infer_b1: a compiled forward pass.
- compile_lenet_train: the first call of a LeNet training step in GRAPH_MODE (tracing, passes,
  planning, one run), against torch.compile's first call of the same step.
"""

from __future__ import annotations

from importlib.util import find_spec

from _models import (
    batch,
    mind_lenet,
    mind_train_step,
    torch_lenet,
    torch_train_step,
    training_and_inference_cases,
)
from harness import Case


def cases(quick: bool, threads: int) -> list[Case]:
    import mind.core as ms
    from mind.core import Tensor

    ms.set_seed(0)
    have_torch = find_spec("torch") is not None
    if have_torch:
        import torch

        torch.set_num_threads(threads)
    missing = None if have_torch else "torch is not installed (nox -s bench installs it)"
    repeats = 5 if quick else 15
    ms.set_context(mode=ms.GRAPH_MODE)
    out = training_and_inference_cases(repeats, have_torch, missing)
    lx, ly = batch((64, 1, 32, 32))
    lmx, lmy = Tensor(lx), Tensor(ly)

    def mind_compile():
        s = mind_train_step(mind_lenet())  # a fresh cell: nothing cached
        s(lmx, lmy)

    def torch_compile_factory():
        def run():
            torch._dynamo.reset()
            s = torch.compile(torch_train_step(torch_lenet()))
            s(torch.from_numpy(lx), torch.from_numpy(ly))

        return run

    compile_peer = {
        "peer": "torch.compile",
        "peer_fn": torch_compile_factory() if have_torch else None,
        "peer_error": missing,
    }
    out.append(
        Case(
            "compile_lenet_train",
            mind_compile,
            number=1,
            repeats=1 if quick else 3,
            warmup=0,
            **compile_peer,
        )
    )
    return out
