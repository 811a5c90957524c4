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
    mind_mlp,
    mind_train_step,
    torch_lenet,
    torch_mlp,
    torch_train_step,
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
    out = []

    def peer(factory):
        return {
            "peer": "torch",
            "peer_fn": factory() if have_torch else None,
            "peer_error": missing,
        }

    x, y = batch((128, 784))
    step = mind_train_step(mind_mlp())
    mx, my = Tensor(x), Tensor(y)

    def torch_mlp_step():
        s = torch_train_step(torch_mlp())
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        return lambda: s(tx, ty)

    out.append(
        Case(
            "mlp_train_b128",
            lambda: step(mx, my),
            number=5,
            repeats=repeats,
            **peer(torch_mlp_step),
        )
    )

    lx, ly = batch((64, 1, 32, 32))
    lstep = mind_train_step(mind_lenet())
    lmx, lmy = Tensor(lx), Tensor(ly)

    def torch_lenet_step():
        s = torch_train_step(torch_lenet())
        tx, ty = torch.from_numpy(lx), torch.from_numpy(ly)
        return lambda: s(tx, ty)

    out.append(
        Case(
            "lenet_train_b64",
            lambda: lstep(lmx, lmy),
            number=3,
            repeats=repeats,
            **peer(torch_lenet_step),
        )
    )

    net = mind_mlp()
    xi = Tensor(batch((1, 784))[0])

    def torch_infer():
        tnet = torch_mlp()
        tx = torch.from_numpy(batch((1, 784))[0])

        def run():
            with torch.no_grad():
                tnet(tx)

        return run

    out.append(
        Case("mlp_infer_b1", lambda: net(xi), number=200, repeats=repeats, **peer(torch_infer))
    )

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
