"""Suite `lite`: mind-lite's runtime against onnxruntime on the same networks and weights.

Each network is built in Mind and exported as ONNX (mind-core's exporter); mind-lite converts
that ONNX file (``Converter``, ``optimize="general"``) and runs it on its generated C (the native
backend; the plan is cached before timing), onnxruntime runs the same file with
``intra_op_num_threads`` = the suite's threads and all graph optimizations.

- <net>_b1: one inference at batch 1 (mlp 784-512-256-10, LeNet-5 32x32, ResNet-18 32x32).
- cold_start_lenet: a fresh interpreter importing the runtime, loading the model and running
  one inference (the native plan and module already cached, as after the first run on a machine).
- rss_lenet: a fresh interpreter's peak resident memory (VmHWM) after loading the model and
  running it once (``unit: bytes``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib.util import find_spec

import numpy as np
from _models import mind_lenet, mind_mlp, mind_resnet18
from harness import Case

_TMP = tempfile.mkdtemp(prefix="mind-bench-lite-")

_MIND_RUN = """
import sys, numpy as np, mind.lite as m
model = m.Model(); model.build_from_file(sys.argv[1])
model.run([np.ones(model.get_inputs()[0].shape, np.float32)])
print(_peak())
"""
_ORT_RUN = """
import sys, numpy as np, onnxruntime as ort
options = ort.SessionOptions(); options.intra_op_num_threads = int(sys.argv[2])
s = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
i = s.get_inputs()[0]
s.run(None, {i.name: np.ones(i.shape, np.float32)})
print(_peak())
"""
# The peak resident set of this process image (VmHWM: reset by exec, unlike ru_maxrss, which a
# child started from the benchmark's own large process inherits).
_PEAK = """
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
"""
_MIND_RUN = _PEAK + _MIND_RUN
_ORT_RUN = _PEAK + _ORT_RUN


def _export(name: str, net, shape: tuple[int, ...]) -> tuple[str, str]:
    import mind.core as ms
    import mind.lite as mslite

    net.set_train(False)
    x = ms.Tensor(np.zeros(shape, np.float32))
    base = os.path.join(_TMP, name)
    ms.export(net, x, file_name=base, file_format="ONNX")
    # the same ONNX file both sides run: mind-lite converts it (its MindIR path gives the same graph)
    lite = mslite.Converter().convert(mslite.FmkType.ONNX, base + ".onnx", base)
    return lite, base + ".onnx"


def _interpreter(code: str, *args: str):
    def run() -> int:
        out = subprocess.run(
            [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
        )
        return int(out.stdout.split()[-1])

    return run


def cases(quick: bool, threads: int) -> list[Case]:
    import mind.core as ms
    import mind.lite as mslite

    have_ort = find_spec("onnxruntime") is not None
    error = None if have_ort else "onnxruntime is not installed (nox -s bench installs it)"
    repeats = 5 if quick else 21
    ms.set_seed(0)
    out = []
    nets = [("mlp", mind_mlp(), (1, 784)), ("lenet", mind_lenet(), (1, 1, 32, 32))]
    nets.append(("resnet18", mind_resnet18(), (1, 3, 32, 32)))
    files = {}
    for name, net, shape in nets:
        lite, onnx_file = _export(name, net, shape)
        files[name] = (lite, onnx_file)
        model = mslite.Model()
        model.build_from_file(lite, mslite.ModelType.MINDIR_LITE)
        if model.backend != "native":
            print(f"lite: {name} runs on numpy kernels ({model.backend_reason})", file=sys.stderr)
        x = [np.random.default_rng(0).random(shape, np.float32)]
        peer_fn = None
        if have_ort:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            session = ort.InferenceSession(onnx_file, options, providers=["CPUExecutionProvider"])
            feed = {session.get_inputs()[0].name: x[0]}
            np.testing.assert_allclose(
                model.run(x)[0], session.run(None, feed)[0], rtol=1e-3, atol=1e-4
            )
            peer_fn = lambda s=session, f=feed: s.run(None, f)  # noqa: E731
        number = 50 if name != "resnet18" else 5
        out.append(
            Case(
                f"{name}_b1",
                lambda m=model, x=x: m.run(x),
                "onnxruntime",
                peer_fn,
                error,
                number,
                repeats,
            )
        )
    lite, onnx_file = files["lenet"]
    start_repeats = 3 if quick else 9
    mind_start = _interpreter(_MIND_RUN, lite)
    ort_start = _interpreter(_ORT_RUN, onnx_file, str(threads)) if have_ort else None
    out.append(
        Case("cold_start_lenet", mind_start, "onnxruntime", ort_start, error, 1, start_repeats, 1)
    )
    out.append(
        Case("rss_lenet", mind_start, "onnxruntime", ort_start, error, 1, 3, 0, unit="bytes")
    )
    return out
