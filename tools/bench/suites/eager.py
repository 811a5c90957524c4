"""Suite `eager`: PyNative Mind against PyTorch eager (torch==2.13.0, CPU, same threads).

- dispatch_add16: one add of two (16,) tensors (per op; 10,000 per sample).
- mlp_train_b128: one training step of a 784-512-256-10 ReLU MLP, cross entropy, Momentum 0.9.
- lenet_train_b64: one training step of LeNet-5 on a batch of 64 1x32x32 images.
- lenet_train_b64_native: the same step with device_target="native" (the C eager kernels).
- mlp_infer_b1, mlp_infer_b128: a forward pass of the MLP, no gradient.
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
    training_and_inference_cases,
)
from harness import Case


def cases(quick: bool, threads: int) -> list[Case]:
    import numpy as np

    import mind.core as ms
    from mind.core import Tensor

    ms.set_seed(0)
    have_torch = find_spec("torch") is not None
    if have_torch:
        import torch

        torch.set_num_threads(threads)
        torch.manual_seed(0)
    missing = None if have_torch else "torch is not installed (nox -s bench installs it)"
    repeats = 5 if quick else 15

    def pair(mind_fn, torch_factory):
        return {
            "peer": "torch",
            "peer_fn": torch_factory() if have_torch else None,
            "peer_error": missing,
        }

    out = []

    a = Tensor(np.ones(16, np.float32))
    b = Tensor(np.ones(16, np.float32))

    def mind_add():
        a + b

    def torch_add_factory():
        ta, tb = torch.ones(16), torch.ones(16)

        def run():
            ta + tb

        return run

    out.append(
        Case(
            "dispatch_add16",
            mind_add,
            number=10000 if not quick else 2000,
            repeats=repeats,
            **pair(mind_add, torch_add_factory),
        )
    )

    out += training_and_inference_cases(repeats, have_torch, missing)

    x, y = batch((64, 1, 32, 32))
    ms.set_context(device_target="native")
    native_step = mind_train_step(mind_lenet())
    mx, my = Tensor(x), Tensor(y)
    ms.set_context(device_target="cpu")

    def mind_lenet_native():
        ms.set_context(device_target="native")
        try:
            native_step(mx, my)
        finally:
            ms.set_context(device_target="cpu")

    def torch_lenet_factory():
        step = torch_train_step(torch_lenet())
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        return lambda: step(tx, ty)

    out.append(
        Case(
            "lenet_train_b64_native",
            mind_lenet_native,
            number=3,
            repeats=repeats,
            **pair(None, torch_lenet_factory),
        )
    )

    net = mind_mlp()
    xi = Tensor(batch((128, 784))[0])

    def torch_infer_b128():
        tnet = torch_mlp()
        tx = torch.from_numpy(batch((128, 784))[0])

        def run():
            with torch.no_grad():
                tnet(tx)

        return run

    out.append(
        Case(
            "mlp_infer_b128",
            lambda: net(xi),
            number=20,
            repeats=repeats,
            **pair(None, torch_infer_b128),
        )
    )
    return out
