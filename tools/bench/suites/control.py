"""Suite `control`: Python control flow on tensors in graph mode (capture_mode="ast").

- compile_control_20: the first call of a function of 20 statements with nested if/while/for on
  tensors, from nothing cached (source conversion, tracing with the nested graphs, passes,
  planning, one run), against torch.compile's first call of the same function.
- while_rnn_native: a tanh RNN (batch 16, width 64) over 50 steps written as a `while` on a
  tensor counter (the step count a tensor input: one while_loop node), compiled for the native
  device, against the same loop in PyTorch eager.
"""

from __future__ import annotations

from importlib.util import find_spec

import numpy as np
from harness import Case

T, B, H = 50, 16, 64


def twenty(x, y):  # 20 statements, control flow nested three deep
    s = x * 0
    n = 0
    if x.sum() > 0:
        s = s + x
        if y.mean() > 0:
            s = s * 2
        else:
            s = s - y
    else:
        s = s - x
    while s.abs().max() > 1:
        s = s / 2
        n = n + 1
        if n > 3:
            s = s * 0.9
    for i in range(3):
        s = s + y * i
    return s, n


def rnn(xs, h, w, u, n):  # n: the number of steps, a tensor (torch: an int)
    t = n * 0
    while t < n:
        h = (xs[t] @ w + h @ u).tanh()
        t = t + 1
    return h


def cases(quick: bool, threads: int) -> list[Case]:
    import mind.core as ms
    from mind.core import Tensor
    from mind.core._src.ir import ast_capture

    have_torch = find_spec("torch") is not None
    if have_torch:
        import torch

        torch.set_num_threads(threads)
    missing = None if have_torch else "torch is not installed (nox -s bench installs it)"
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 8)).astype(np.float32)
    y = rng.standard_normal((8, 8)).astype(np.float32)
    mx, my = Tensor(x), Tensor(y)

    def mind_compile():
        ast_capture._CONVERTED.clear()  # convert the source again too
        ms.jit(twenty)(mx, my)

    def torch_compile_factory():
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def run():
            torch._dynamo.reset()
            torch.compile(twenty)(tx, ty)

        return run

    xs = rng.standard_normal((T, B, H)).astype(np.float32)
    w = (rng.standard_normal((H, H)) * 0.1).astype(np.float32)
    u = (rng.standard_normal((H, H)) * 0.1).astype(np.float32)
    h0 = np.zeros((B, H), np.float32)
    ms.set_context(device_target="native")
    step = ms.jit(rnn)
    args = [Tensor(a) for a in (xs, h0, w, u)] + [Tensor(np.array(T))]
    want = step(*args).asnumpy()
    ms.set_context(device_target="cpu")

    def mind_rnn():
        ms.set_context(device_target="native")
        try:
            step(*args)
        finally:
            ms.set_context(device_target="cpu")

    def torch_rnn_factory():
        targs = [torch.from_numpy(a) for a in (xs, h0, w, u)] + [T]

        def run():
            with torch.no_grad():
                return rnn(*targs)

        np.testing.assert_allclose(run().numpy(), want, rtol=1e-4, atol=1e-5)
        return run

    return [
        Case(
            "compile_control_20",
            mind_compile,
            number=1,
            repeats=3 if quick else 7,
            warmup=0,
            peer="torch.compile",
            peer_fn=torch_compile_factory() if have_torch else None,
            peer_error=missing,
        ),
        Case(
            "while_rnn_native",
            mind_rnn,
            number=5,
            repeats=5 if quick else 15,
            peer="torch",
            peer_fn=torch_rnn_factory() if have_torch else None,
            peer_error=missing,
        ),
    ]
