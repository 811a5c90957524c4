"""The runtime: waiting for the device (MindSpore's ``mindspore.runtime``).

Mind's devices run each kernel, and each compiled graph, to the end before the call that
launched it returns (the ``cpu`` device computes with numpy; ``native`` splits a kernel over
worker threads and waits for all of them): no work is queued behind the caller's back. So waiting for the device
returns at once, and launches are always blocking. The functions exist so that code written
for an asynchronous runtime (timing a step, MindSpore's tests) runs unchanged, and stays right
on a device that does queue.

    import mind.core as ms
    from mind.core import runtime

    y = ms.ops.exp(ms.Tensor([1.0, 2.0]))
    runtime.synchronize()   # every launched kernel has finished
"""

from __future__ import annotations

__all__ = ["launch_blocking", "synchronize"]


def synchronize() -> None:
    """Wait until every kernel launched so far, on every device, has finished (MindSpore's
    ``mindspore.runtime.synchronize``). Mind's devices finish each launch before it returns,
    so there is nothing left to wait for when this is called."""


def launch_blocking() -> None:
    """Make every kernel launch wait for the kernel to finish (MindSpore's
    ``mindspore.runtime.launch_blocking``, for debugging). Mind's launches already block, so
    this changes nothing."""
