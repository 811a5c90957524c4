"""``mind-lite benchmark``: latency of a lite model, and its error against reference data.

MindSpore Lite's benchmark tool's flags (``--modelFile``, ``--loopCount``, ``--warmUpLoopCount``,
``--numThreads``, ``--inDataFile``, ``--benchmarkDataFile``, ``--accuracyThreshold``). Input and
reference data are ``.npy`` files (one per input/output, comma-separated), read with
``allow_pickle=False``; without ``--inDataFile`` the inputs are seeded random values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mind.lite._src.runtime import Context, Model, ModelType
from mind.lite.errors import MindLiteError

__all__ = ["BenchmarkResult", "benchmark"]


@dataclass
class BenchmarkResult:
    """Latencies in milliseconds, and the mean relative error against reference outputs."""

    latencies_ms: list[float]
    error: float | None = None

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q))

    def summary(self) -> str:
        lat = self.latencies_ms
        text = (
            f"Model latency over {len(lat)} runs: min = {min(lat):.4f} ms, avg = {np.mean(lat):.4f} ms, "
            f"p50 = {self.percentile(50):.4f} ms, p90 = {self.percentile(90):.4f} ms, "
            f"p99 = {self.percentile(99):.4f} ms, max = {max(lat):.4f} ms"
        )
        if self.error is not None:
            text += f"\nMean bias of all nodes/tensors: {self.error * 100:.6f}%"
        return text


def _load(paths: str, what: str) -> list[np.ndarray]:
    arrays = []
    for path in paths.split(","):
        try:
            arrays.append(np.load(path, allow_pickle=False))
        except (OSError, ValueError) as exc:
            raise MindLiteError(f"{what} '{path}': not a readable .npy file ({exc})") from None
    return arrays


def _relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """The mean over elements of ``|got - want| / max(|want|, 1)``: relative where the reference
    is large, absolute where it is near zero (so tiny outputs do not dominate)."""
    got, want = got.astype(np.float64), want.astype(np.float64)
    return float(np.mean(np.abs(got - want) / np.maximum(np.abs(want), 1.0)))


def benchmark(
    model_file: str,
    loop_count: int = 10,
    warm_up_loop_count: int = 3,
    num_threads: int = 2,
    in_data_file: str | None = None,
    benchmark_data_file: str | None = None,
    accuracy_threshold: float = 0.5,
) -> BenchmarkResult:
    """Run ``model_file`` ``warm_up_loop_count`` + ``loop_count`` times; compare its outputs with
    ``benchmark_data_file`` when given (raise when the error exceeds ``accuracy_threshold`` %)."""
    if loop_count < 1 or warm_up_loop_count < 0:
        raise MindLiteError("benchmark: loopCount must be >= 1 and warmUpLoopCount >= 0")
    context = Context()
    context.cpu.thread_num = num_threads
    model = Model()
    model.build_from_file(model_file, ModelType.MINDIR_LITE, context)
    inputs = model.get_inputs()
    if in_data_file:
        arrays = _load(in_data_file, "--inDataFile")
        if len(arrays) != len(inputs):
            raise MindLiteError(
                f"--inDataFile: the model takes {len(inputs)} inputs, got {len(arrays)}"
            )
    else:
        rng = np.random.default_rng(0)
        arrays = [rng.random(t.shape).astype(t.dtype.value) for t in inputs]
    for t, a in zip(inputs, arrays, strict=True):
        t.set_data_from_numpy(a)
    for _ in range(warm_up_loop_count):
        model.predict(inputs)
    latencies = []
    for _ in range(loop_count):
        start = time.perf_counter()
        outputs = model.predict(inputs)
        latencies.append((time.perf_counter() - start) * 1e3)
    result = BenchmarkResult(latencies)
    if benchmark_data_file:
        wanted = _load(benchmark_data_file, "--benchmarkDataFile")
        if len(wanted) != len(outputs):
            raise MindLiteError(
                f"--benchmarkDataFile: the model has {len(outputs)} outputs, got {len(wanted)}"
            )
        errors = []
        for t, want in zip(outputs, wanted, strict=True):
            got = t.get_data_to_numpy()
            if got.shape != want.shape:
                raise MindLiteError(
                    f"--benchmarkDataFile: output {t.name!r} has shape {list(got.shape)}, the data {list(want.shape)}"
                )
            errors.append(_relative_error(got, want))
        result.error = float(np.mean(errors))
        if result.error * 100 > accuracy_threshold:
            raise MindLiteError(
                f"benchmark: mean error {result.error * 100:.4f}% exceeds --accuracyThreshold={accuracy_threshold}%"
            )
    return result
