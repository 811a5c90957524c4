"""Suite `lite`: mind-lite's runtime against onnxruntime on the same networks and weights.

Each network is built in Mind and exported as ONNX (mind-core's exporter); mind-lite converts
that ONNX file (``Converter``, ``optimize="general"``) and runs it on its generated C (the native
backend; the plan is cached before timing), onnxruntime runs the same file with
``intra_op_num_threads`` = the suite's threads and all graph optimizations. Before timing, the two
outputs must agree (float32: ``allclose``, rtol 1e-3, atol 1e-4).

- <net>_b1: one inference at batch 1 (mlp 784-512-256-10, LeNet-5 32x32, ResNet-18 32x32, and
  transformer: a 2-layer post-norm Transformer encoder, d_model 64, 4 heads, ReLU feed-forward
  128, sequence 16, then a Dense(64, 10) head over each position).
- <net>_int8_b1: the same networks' float32 ONNX files quantized after training to int8, one
  inference at batch 1, both sides calibrated on the same 16 random samples (uniform [0, 1), as
  the timed input). mind-lite: ``Converter`` with a FULL_QUANT config file (8 bits, MAX_MIN
  activation ranges, per-channel weights, the samples as .npy files). onnxruntime:
  ``quant_pre_process`` then ``quantize_static`` (QDQ, MinMax calibration, per-channel int8
  weights, uint8 activations as onnxruntime advises for x86 CPUs (its U8S8 kernels; faster here than int8
  activations: LeNet 47 against 76 us, ResNet-18 8.4 against 17.7 ms in one comparison), ``reduce_range``
  off (this CPU has VNNI)), run with the float32 peer's session options.
  The int8 outputs are only checked to roughly agree (the same top-1 class at every position, or
  within 0.1 * max|output|); a disagreement is a warning on stderr, not a failure.
- cold_start_lenet: a fresh interpreter importing the runtime, loading the model and running
  one inference (the native plan and module already cached, as after the first run on a machine).
- cold_part_lenet: the same fresh interpreter's start timed inside it, from after numpy's
  import (which both sides pay) to the first inference's end (``unit: seconds``).
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
from _models import mind_lenet, mind_mlp, mind_resnet18, mind_transformer
from harness import Case

_TMP = tempfile.mkdtemp(prefix="mind-bench-lite-")
_CALIBRATION_SAMPLES = 16

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
# The same, timed inside the fresh interpreter from after numpy's import (which both pay) to
# the first inference's end: each runtime's own part of a cold start.
_MIND_PART = """
import sys, time, numpy as np
start = time.perf_counter()
import mind.lite as m
model = m.Model(); model.build_from_file(sys.argv[1])
model.run([np.ones(model.get_inputs()[0].shape, np.float32)])
print(time.perf_counter() - start)
"""
_ORT_PART = """
import sys, time, numpy as np
start = time.perf_counter()
import onnxruntime as ort
options = ort.SessionOptions(); options.intra_op_num_threads = int(sys.argv[2])
s = ort.InferenceSession(sys.argv[1], options, providers=["CPUExecutionProvider"])
i = s.get_inputs()[0]
s.run(None, {i.name: np.ones(i.shape, np.float32)})
print(time.perf_counter() - start)
"""

_FULL_QUANT = """[common_quant_param]
quant_type=FULL_QUANT
bit_num=8

[data_preprocess_param]
calibrate_path={input}:{folder}
calibrate_size={size}
input_type=NPY

[full_quant_param]
activation_quant_method=MAX_MIN
per_channel=true
"""


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


def _calibration(name: str, shape: tuple[int, ...]) -> tuple[str, list[np.ndarray]]:
    """``_CALIBRATION_SAMPLES`` random inputs, and the folder holding them as .npy files."""
    folder = os.path.join(_TMP, f"{name}_calibration")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(1)
    samples = [rng.random(shape, np.float32) for _ in range(_CALIBRATION_SAMPLES)]
    for i, sample in enumerate(samples):
        np.save(os.path.join(folder, f"{i:03d}.npy"), sample)
    return folder, samples


def _lite_int8(name: str, onnx_file: str, input_name: str, folder: str) -> str:
    """mind-lite's FULL_QUANT conversion of the float32 ONNX file."""
    import mind.lite as mslite

    config = os.path.join(_TMP, f"{name}_full_quant.cfg")
    with open(config, "w", encoding="utf-8") as f:
        f.write(_FULL_QUANT.format(input=input_name, folder=folder, size=_CALIBRATION_SAMPLES))
    base = os.path.join(_TMP, f"{name}_int8")
    return mslite.Converter().convert(mslite.FmkType.ONNX, onnx_file, base, config_file=config)


def _ort_int8(name: str, onnx_file: str, input_name: str, samples: list[np.ndarray]) -> str:
    """onnxruntime's static quantization of the float32 ONNX file, calibrated on ``samples``."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._feeds = iter([{input_name: s} for s in samples])

        def get_next(self):
            return next(self._feeds, None)

    prepared = os.path.join(_TMP, f"{name}_prepared.onnx")
    quant_pre_process(onnx_file, prepared)
    out = os.path.join(_TMP, f"{name}_int8.onnx")
    quantize_static(
        prepared,
        out,
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        reduce_range=False,
        activation_type=QuantType.QUInt8,  # onnxruntime's advice for x86: its faster U8S8 path
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
    )
    return out


def _roughly_agree(name: str, mind_out: np.ndarray, peer_out: np.ndarray) -> None:
    """Warn (stderr) unless two int8 models give the same top-1 class or nearly the same values."""
    same_top1 = np.array_equal(mind_out.argmax(-1), peer_out.argmax(-1))
    atol = 0.1 * float(np.abs(peer_out).max())
    if not (same_top1 or np.allclose(mind_out, peer_out, rtol=0, atol=atol)):
        diff = float(np.abs(mind_out - peer_out).max())
        print(
            f"lite: warning: {name}: mind-lite's and onnxruntime's int8 outputs differ "
            f"(top-1 differs, max |diff| {diff:.4g} > {atol:.4g})",
            file=sys.stderr,
        )


def _interpreter(code: str, *args: str, kind: type = int):
    def run():
        out = subprocess.run(
            [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True
        )
        return kind(out.stdout.split()[-1])

    return run


def cases(quick: bool, threads: int) -> list[Case]:
    import mind.core as ms
    import mind.lite as mslite

    have_ort = find_spec("onnxruntime") is not None
    error = None if have_ort else "onnxruntime is not installed (nox -s bench installs it)"
    repeats = 5 if quick else 21
    ms.set_seed(0)
    if have_ort:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads

    def load(name: str, lite: str) -> mslite.Model:
        model = mslite.Model()
        model.build_from_file(lite, mslite.ModelType.MINDIR_LITE)
        if model.backend != "native":
            print(f"lite: {name} runs on numpy kernels ({model.backend_reason})", file=sys.stderr)
        return model

    def session(path: str):
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    out, int8 = [], []
    nets = [("mlp", mind_mlp(), (1, 784)), ("lenet", mind_lenet(), (1, 1, 32, 32))]
    nets.append(("resnet18", mind_resnet18(), (1, 3, 32, 32)))
    nets.append(("transformer", mind_transformer(), (1, 16, 64)))
    numbers = {"mlp": 50, "lenet": 50, "resnet18": 5, "transformer": 50}
    files = {}
    for name, net, shape in nets:
        lite, onnx_file = _export(name, net, shape)
        files[name] = (lite, onnx_file)
        model = load(name, lite)
        x = [np.random.default_rng(0).random(shape, np.float32)]
        peer_fn = None
        if have_ort:
            s = session(onnx_file)
            feed = {s.get_inputs()[0].name: x[0]}
            np.testing.assert_allclose(model.run(x)[0], s.run(None, feed)[0], rtol=1e-3, atol=1e-4)
            peer_fn = lambda s=s, f=feed: s.run(None, f)  # noqa: E731
        number = numbers[name]
        mind_fn = lambda m=model, x=x: m.run(x)  # noqa: E731
        out.append(Case(f"{name}_b1", mind_fn, "onnxruntime", peer_fn, error, number, repeats))

        # int8: both sides quantize the float32 file above, calibrated on the same samples
        input_name = model.get_inputs()[0].name
        folder, samples = _calibration(name, shape)
        model8 = load(f"{name}_int8", _lite_int8(name, onnx_file, input_name, folder))
        peer8 = None
        if have_ort:
            s8 = session(_ort_int8(name, onnx_file, input_name, samples))
            feed8 = {s8.get_inputs()[0].name: x[0]}
            _roughly_agree(f"{name}_int8_b1", model8.run(x)[0], s8.run(None, feed8)[0])
            peer8 = lambda s=s8, f=feed8: s.run(None, f)  # noqa: E731
        mind8 = lambda m=model8, x=x: m.run(x)  # noqa: E731
        int8.append(Case(f"{name}_int8_b1", mind8, "onnxruntime", peer8, error, number, repeats))
    out += int8
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
    mind_part = _interpreter(_MIND_PART, lite, kind=float)
    ort_part = _interpreter(_ORT_PART, onnx_file, str(threads), kind=float) if have_ort else None
    out.append(
        Case(
            "cold_part_lenet",
            mind_part,
            "onnxruntime",
            ort_part,
            error,
            1,
            start_repeats,
            1,
            unit="seconds",
        )
    )
    return out
