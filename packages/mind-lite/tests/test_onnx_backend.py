"""ONNX's own backend node tests (``onnx.backend.test``) through mind-lite.

Every node test of an op the importer converts runs here: its ``model.onnx`` is converted in
memory (``from_onnx`` and the default optimizer), written as a ``.ms`` file and loaded by the
runtime, and each ``test_data_set_*``'s outputs are compared with the expected ones as
``onnx.backend.test``'s runner compares them (shape, dtype, then ``rtol=1e-3, atol=1e-7``
unless the test sets its own). The tests' data are read from the ``.pb`` files with
``onnx.numpy_helper``; when the installed onnx wheel does not ship ``backend/test/data/node``,
the files are first written from ONNX's test case definitions (``onnx.backend.test.case``),
exactly as ``backend-test-tools generate-data`` writes them.

Variants mind-lite deliberately does not convert are listed in :data:`UNSUPPORTED` with the
reason, and must be refused with a ``LiteConvertError`` (so they neither pass nor fail
silently).
"""

from __future__ import annotations

import glob
import os
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from onnx import numpy_helper  # noqa: E402

import mind.lite as mslite  # noqa: E402
from mind.lite._src import format as lite_format  # noqa: E402
from mind.lite._src.onnx_import import from_onnx  # noqa: E402
from mind.lite._src.optimize import optimize  # noqa: E402
from mind.lite.errors import LiteConvertError  # noqa: E402

#: the ONNX ops of issue 15 (the importer converts a few more, tested in test_onnx_import.py)
OPS = (
    "Conv ConvTranspose Gemm MatMul BatchNormalization Relu LeakyRelu Gelu Sigmoid Tanh "
    "HardSwish Erf Add Sub Mul Div Pow Sqrt Exp Log Reshape Flatten Transpose Concat Split "
    "Slice Gather Squeeze Unsqueeze Expand Tile Shape Cast Where MaxPool AveragePool "
    "GlobalAveragePool Softmax LogSoftmax LayerNormalization ReduceMean ReduceSum ReduceMax "
    "Pad Resize Clip Identity Dropout"
).split()

_DTYPE = "lite models hold float16/32/64, int8/16/32/64, uint8 and bool"
_UNSIGNED = f"{_DTYPE}: no uint16/32/64"

#: node test -> why mind-lite refuses it (asserted: converting it raises LiteConvertError)
UNSUPPORTED: dict[str, str] = {
    **{
        f"test_{op}_{t}": _UNSIGNED
        for op in ("add", "sub", "mul", "div")
        for t in ("uint16", "uint32", "uint64")
    },
    "test_pow_types_float32_uint64": _UNSIGNED,
    "test_pow_types_float32_uint32": _UNSIGNED,
    "test_batchnorm_example_training_mode": "training-mode BatchNormalization (lite runs inference)",
    "test_batchnorm_epsilon_training_mode": "training-mode BatchNormalization (lite runs inference)",
    "test_convtranspose_3d": "3-D transposed convolution (mind-lite converts 1-D and 2-D)",
    "test_maxpool_3d_default": "3-D pooling (mind-lite converts 1-D and 2-D)",
    "test_maxpool_3d_dilations": "3-D pooling (mind-lite converts 1-D and 2-D)",
    "test_maxpool_3d_dilations_use_ref_impl": "3-D pooling (mind-lite converts 1-D and 2-D)",
    "test_maxpool_3d_dilations_use_ref_impl_large": "3-D pooling",
    "test_averagepool_3d_default": "3-D pooling (mind-lite converts 1-D and 2-D)",
    "test_averagepool_3d_dilations_small": "3-D pooling",
    **{
        f"test_averagepool_3d_dilations_large_count_include_pad_is_{i}_ceil_mode_is_{c}": (
            "3-D pooling"
        )
        for i in (0, 1)
        for c in ("True", "False")
    },
    "test_maxpool_with_argmax_2d_precomputed_pads": "MaxPool's Indices output",
    "test_maxpool_with_argmax_2d_precomputed_strides": "MaxPool's Indices output",
    "test_reduce_max_empty_set": "a max over an empty dimension",
    "test_reduce_max_empty_set_bool": "a max over an empty dimension",
    "test_training_dropout": "training-mode Dropout (lite runs inference)",
    "test_training_dropout_mask": "training-mode Dropout",
    "test_training_dropout_default": "training-mode Dropout",
    "test_training_dropout_default_mask": "training-mode Dropout",
    "test_training_dropout_zero_ratio": "training-mode Dropout",
    "test_training_dropout_zero_ratio_mask": "training-mode Dropout",
    "test_dropout_default_old": "opset 11 (mind-lite reads opsets 13 and later)",
    "test_dropout_random_old": "opset 11 (mind-lite reads opsets 13 and later)",
    "test_identity_sequence": "a sequence input (lite graphs hold tensors)",
    "test_identity_opt": "an optional input (lite graphs hold tensors)",
}


def _cast_unsupported(name: str) -> bool:
    exotic = ("BFLOAT16", "FLOAT8", "INT4", "UINT4", "FLOAT4", "INT2", "UINT2", "E8M0", "STRING")
    return any(f"_{t}" in name for t in exotic)


def _node_cases() -> dict:
    """Node test name -> ONNX's test case: the single-node tests of OPS, and their
    ``_expanded`` twins (the op's function body as a graph of other ops, where ONNX has one)."""
    from onnx.backend.test.case import node

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            cases = node.collect_testcases()
    out = {}
    for case in cases:
        nodes = case.model.graph.node
        if len(nodes) == 1 and nodes[0].op_type in OPS:
            out[case.name] = case
    for case in cases:
        base = case.name.split("_expanded")[0]
        if case.name not in out and base in out and _OP_OF.setdefault(case.name, _op_of(base, out)):
            out[case.name] = case
    return out


#: an expanded test -> the op it expands
_OP_OF: dict[str, str] = {}


def _op_of(name: str, cases: dict | None = None) -> str:
    if name in _OP_OF:
        return _OP_OF[name]
    return (CASES if cases is None else cases)[name].model.graph.node[0].op_type


CASES = _node_cases()


def _reason(name: str) -> str | None:
    if name in UNSUPPORTED:
        return UNSUPPORTED[name]
    if _op_of(name) == "Cast" and _cast_unsupported(name):
        return f"Cast to or from a type lite models do not hold ({_DTYPE})"
    return None


def _write_case(case, directory: str) -> None:
    """model.onnx and test_data_set_*/{input,output}_*.pb, as backend-test-tools writes them."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    for i, (inputs, outputs) in enumerate(case.data_sets):
        sub = os.path.join(directory, f"test_data_set_{i}")
        os.makedirs(sub, exist_ok=True)
        for kind, values, infos in (
            ("input", inputs, case.model.graph.input),
            ("output", outputs, case.model.graph.output),
        ):
            for j, value in enumerate(values):
                if not infos[j].type.HasField("tensor_type"):
                    continue  # sequences and optionals: those tests are refused before running
                proto = value if isinstance(value, onnx.TensorProto) else None
                if proto is None:
                    proto = numpy_helper.from_array(np.asarray(value), infos[j].name)
                with open(os.path.join(sub, f"{kind}_{j}.pb"), "wb") as f:
                    f.write(proto.SerializeToString())


@pytest.fixture(scope="session")
def node_data(tmp_path_factory):
    """The directory holding ``<test>/model.onnx`` and its data sets."""
    shipped = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    if os.path.isdir(shipped) and all(
        os.path.isfile(os.path.join(shipped, n, "model.onnx")) for n in CASES
    ):
        return shipped
    root = tmp_path_factory.mktemp("onnx_node")
    for name, case in CASES.items():
        _write_case(case, str(root / name))
    return str(root)


def _read_pb(path: str) -> np.ndarray:
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return numpy_helper.to_array(proto)


def _data_sets(directory: str) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    out = []
    for sub in sorted(glob.glob(os.path.join(directory, "test_data_set_*"))):
        n_in = len(glob.glob(os.path.join(sub, "input_*.pb")))
        n_out = len(glob.glob(os.path.join(sub, "output_*.pb")))
        inputs = [_read_pb(os.path.join(sub, f"input_{j}.pb")) for j in range(n_in)]
        outputs = [_read_pb(os.path.join(sub, f"output_{j}.pb")) for j in range(n_out)]
        out.append((inputs, outputs))
    return out


class LiteBackend:
    """The smallest mind.lite ONNX backend: convert in memory, write ``.ms``, load, run."""

    def __init__(self, model, tmp_dir) -> None:
        graph = optimize(from_onnx(model), "general")
        path = os.path.join(tmp_dir, "model.ms")
        lite_format.write(graph, path)
        self.model = mslite.Model()
        self.model.build_from_file(path, mslite.ModelType.MINDIR_LITE, mslite.Context())

    def run(self, arrays: list[np.ndarray]) -> list[np.ndarray]:
        inputs = self.model.get_inputs()
        for t, a in zip(inputs, arrays, strict=True):
            if a.shape != tuple(t.shape) and a.size == t.element_num:
                a = a.reshape(t.shape)  # a few tests store a scalar input as shape (1,)
            t.set_data_from_numpy(np.array(a, order="C"))
        return [t.get_data_to_numpy() for t in self.model.predict(inputs)]


#: op type -> the inputs mind-lite needs at conversion time (shapes, axes, pads, sizes: lite
#: graphs have static shapes, as converter_lite's do). ONNX's node tests feed them as graph
#: inputs; the backend binds them to the data set's values, as initializers, before converting.
STATIC_INPUTS = {
    "Reshape": (1,),
    "Expand": (1,),
    "Tile": (1,),
    "Squeeze": (1,),
    "Unsqueeze": (1,),
    "Split": (1,),
    "Slice": (1, 2, 3, 4),
    "Pad": (1, 2, 3),
    "ReduceMean": (1,),
    "ReduceSum": (1,),
    "ReduceMax": (1,),
    "Resize": (1, 2, 3),
    "Dropout": (1, 2),
}


def _bind_static(model, arrays: list[np.ndarray]):
    """``model`` with its static inputs made initializers, and the arrays left to feed."""
    node = model.graph.node[0]
    static = {node.input[k] for k in STATIC_INPUTS.get(node.op_type, ()) if k < len(node.input)}
    static.discard("")
    if not static:
        return model, arrays
    bound = onnx.ModelProto()
    bound.CopyFrom(model)
    keep, fed = [], []
    for info, array in zip(model.graph.input, arrays, strict=False):
        if info.name in static:
            bound.graph.initializer.append(numpy_helper.from_array(array, info.name))
        else:
            keep.append(info)
            fed.append(array)
    del bound.graph.input[:]
    bound.graph.input.extend(keep)
    return bound, fed


@pytest.mark.parametrize("name", sorted(CASES))
def test_onnx_node(name, node_data, tmp_path):
    directory = os.path.join(node_data, name)
    model = onnx.load(os.path.join(directory, "model.onnx"))
    data = _data_sets(directory)
    assert data, f"{name}: no data sets"
    reason = _reason(name)
    if reason is not None:
        with pytest.raises(LiteConvertError, match=f"op type '{_op_of(name)}'|graph input"):
            LiteBackend(_bind_static(model, data[0][0])[0], tmp_path)
        return
    case = CASES[name]
    for inputs, expected in data:
        bound, fed = _bind_static(model, inputs)
        got = LiteBackend(bound, tmp_path).run(fed)
        assert len(got) == len(expected)
        for k, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert g.shape == e.shape, f"output {k}: shape {g.shape}, expected {e.shape}"
            assert g.dtype == e.dtype, f"output {k}: dtype {g.dtype}, expected {e.dtype}"
            np.testing.assert_allclose(g, e, rtol=case.rtol, atol=case.atol)


def test_the_unsupported_table_names_real_tests():
    """A renamed ONNX test must not leave a stale entry behind."""
    assert set(UNSUPPORTED) <= set(CASES)
