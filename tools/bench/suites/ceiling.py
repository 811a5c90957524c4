"""The ceiling for executors that call numpy kernels: hand-written numpy against PyTorch eager.

- numpy_mlp_train_b128: the graph suite's mlp_train_b128 step (784-512-256-10 MLP, softmax
  cross-entropy, momentum SGD) written by hand in numpy with in-place updates and no framework at
  all. Here the "mind" column is that hand-written step, not Mind: the ratio says how close to
  PyTorch any executor running numpy's kernels (the cpu device's graph mode) can come on this
  machine; Mind's own ratio is in the graph suite.
"""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
from _models import batch, torch_mlp, torch_train_step
from harness import Case


def _numpy_mlp_step(x: np.ndarray, y: np.ndarray):
    rng = np.random.default_rng(0)
    sizes = [(784, 512), (512, 256), (256, 10)]
    weights = [(rng.standard_normal((o, i)) * i**-0.5).astype(np.float32) for i, o in sizes]
    biases = [np.zeros(o, np.float32) for _, o in sizes]
    params = weights + biases
    velocity = [np.zeros_like(p) for p in params]
    onehot = np.eye(10, dtype=np.float32)[y]
    rows = np.arange(len(y))

    def step() -> float:
        a1 = x @ weights[0].T
        a1 += biases[0]
        h1 = np.maximum(a1, 0)
        a2 = h1 @ weights[1].T
        a2 += biases[1]
        h2 = np.maximum(a2, 0)
        z = h2 @ weights[2].T
        z += biases[2]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.log(p[rows, y]).mean())
        g = (p - onehot) / len(y)
        d2 = g @ weights[2]
        d2 *= a2 > 0
        d1 = d2 @ weights[1]
        d1 *= a1 > 0
        grads = [d1.T @ x, d2.T @ h1, g.T @ h2, d1.sum(0), d2.sum(0), g.sum(0)]
        for param, v, grad in zip(params, velocity, grads):
            v *= 0.9
            v += grad
            param -= 0.01 * v
        return loss

    return step


def cases(quick: bool, threads: int) -> list[Case]:
    have_torch = find_spec("torch") is not None
    x, y = batch((128, 784))
    peer_fn = None
    if have_torch:
        import torch

        torch.set_num_threads(threads)
        s = torch_train_step(torch_mlp())
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        peer_fn = lambda: s(tx, ty)  # noqa: E731
    return [
        Case(
            "numpy_mlp_train_b128",
            _numpy_mlp_step(x, y),
            peer="torch",
            peer_fn=peer_fn,
            peer_error=None if have_torch else "torch is not installed (nox -s bench installs it)",
            number=5,
            repeats=5 if quick else 15,
        )
    ]
