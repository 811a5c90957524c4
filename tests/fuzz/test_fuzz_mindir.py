"""Fuzz ``load`` + ``nn.GraphCell`` with mutated ``.mindir`` files (issue 10).

One small exported net with the attributes that matter (conv2d's stride, pads, dilation and
groups, max_pool2d's kernel, reshape's shape, matmul's transposes, sum's axis and keepdims, a
constant). Each mutated file is loaded AND run; the outcome must be a refusal (``MindIRError``)
or exactly the original's outputs.

- ``unsigned``: byte mutations mixed with header-consistent ones (a tensor's dtype changed to
  another of its size, a node attribute, primitive or abstract value edited, the header
  re-serialized with the right length and offsets) but the digests left as they were: the header
  digest must refuse every one (F32 -> U32 with no rehash was once loaded and run).
- ``resigned``: the same kinds of graph edits with every digest recomputed as export would, so only
  the verifier (the attribute schemas, arity, inference) stands between the file and the
  kernels. The edits are ones no valid graph contains (an attribute of the wrong type, length or
  range, a primitive whose arity or attributes do not fit, an abstract value inference
  disagrees with), so here too a load that runs with different outputs is a defect.
"""

import collections
import hashlib
import json

import numpy as np
import pytest

import mind.core as ms
from mind.core import Tensor, nn, ops
from mind.core._src.ir import mindir, serialize
from mind.core._src.ops.dispatch import PRIMITIVES
from mind.core._src.ops.schema import ATTR_SCHEMAS, arity, optional_attrs
from mind.core.errors import MindIRError
from mind.core.testing import fuzz

# Same-size dtype swaps, so the data region still tiles: only the digests can tell.
SAME_SIZE = {"F32": ["U32", "I32"], "I32": ["U32", "F32"], "F16": ["BF16", "I16"], "I64": ["F64"]}

BAD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    2,
    2**40,
    1.5,
    "x",
    [],
    [1, 1],
    {"t": "tuple", "v": []},
    {"t": "tuple", "v": [1]},
    {"t": "tuple", "v": [1, 1, 1, 1, 1]},
    {"t": "tuple", "v": [0, 0]},
    {"t": "tuple", "v": [-1, 1, 1, 1]},
    {"t": "tuple", "v": [True, 1]},
    {"t": "tuple", "v": [1.0, 1.0]},
    {"t": "tuple", "v": [[1], [1]]},
    {"t": "tuple", "v": [1, 1, 1, 1, 1, 1]},
    {"t": "dtype", "v": "float32"},
    {"t": "ellipsis"},
    {"t": "scalar", "dtype": "int64", "v": 1},
    {"t": "slice", "start": None, "stop": None, "step": 1},
]


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, pad_mode="pad", padding=1, has_bias=True)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc = nn.Dense(16, 3)

    def construct(self, x):
        y = self.pool(ops.relu(self.conv(x)))
        z = self.fc(y.reshape(x.shape[0], -1))
        return z.sum(axis=1, keepdims=True) * 0.5, ops.softmax(z, axis=-1)


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz-mindir")
    ms.set_seed(3)
    net = Net().set_train(False)
    x = Tensor(np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32))
    path = directory / "net.mindir"
    ms.export(net, x, file_name=path)
    outputs = [o.asnumpy() for o in nn.GraphCell(ms.load(path))(x)]
    return {
        "bytes": path.read_bytes(),
        "path": directory / "mutated.mindir",
        "x": x,
        "out": outputs,
    }


def loader(original):
    def load(data):
        original["path"].write_bytes(data)
        cell = nn.GraphCell(ms.load(original["path"]))
        out = cell(original["x"])
        return [o.asnumpy() for o in (out if isinstance(out, tuple | list) else (out,))]

    def equal(result):
        want = original["out"]
        return len(result) == len(want) and all(
            r.dtype == w.dtype and r.shape == w.shape and r.tobytes() == w.tobytes()
            for r, w in zip(result, want)
        )

    return load, equal


# ------------------------------------------------------------------------------------------------
# The container, taken apart and put back together
# ------------------------------------------------------------------------------------------------


def split(data):
    """``(header, data region, graph document)``, or None when the bytes no longer parse."""
    try:
        n = int.from_bytes(data[:8], "little")
        head = json.loads(data[8 : 8 + n])
        doc = json.loads(head["__metadata__"]["graph"])
        doc["graph"]["nodes"][0]  # a document that still has nodes (else: None)
    except Exception:
        return None
    return head, data[8 + n :], doc


def join(head, rest, doc=None, resign=False):
    """The file again, the header's length recomputed; ``resign``: every digest recomputed as
    export would (the tensors' from their bytes, then the header's)."""
    meta = head["__metadata__"]
    if doc is not None:
        meta["graph"] = json.dumps(doc, separators=(",", ":"))
    if resign:
        tensors = {
            k: hashlib.sha256(rest[v["data_offsets"][0] : v["data_offsets"][1]]).hexdigest()
            for k, v in head.items()
            if k != "__metadata__"
        }
        meta["sha256"] = json.dumps({"header": "0" * 64, "tensors": tensors})
        digests = {"header": mindir._header_digest(head), "tensors": tensors}
        meta["sha256"] = json.dumps(digests)
    text = json.dumps(head).encode("utf-8", "surrogatepass")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + rest


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


# ------------------------------------------------------------------------------------------------
# Graph edits that no valid graph holds
# ------------------------------------------------------------------------------------------------


def _invalid(prim, name, encoded):
    """Whether ``encoded`` (an attribute in the file's encoding) is one no valid ``prim`` node
    holds as ``name``: it does not decode, or the schema refuses it."""
    try:
        value = serialize._Decoder({}, None).value(encoded, name, arrays=False)
    except MindIRError:
        return True
    return not ATTR_SCHEMAS[prim][name].ok(value)


def edit_attr(doc, rng):
    """An attribute deleted (a required one), added (unknown), or given a value its schema
    refuses."""
    node = pick(rng, [n for n in doc["graph"]["nodes"] if n["attrs"]])
    prim = PRIMITIVES[node["prim"]]
    name = pick(rng, sorted(node["attrs"]))
    choice = rng.random()
    if choice < 0.15 and name in ATTR_SCHEMAS.get(prim, {}) and name not in optional_attrs(prim):
        del node["attrs"][name]
    elif choice < 0.25 or prim not in ATTR_SCHEMAS or name not in ATTR_SCHEMAS[prim]:
        node["attrs"]["bogus"] = 1
    else:
        bad = [v for v in BAD_VALUES if _invalid(prim, name, v)]
        node["attrs"][name] = json.loads(json.dumps(pick(rng, bad)))


def edit_prim(doc, rng):
    """A primitive that cannot take this node's inputs or attributes."""
    node = pick(rng, doc["graph"]["nodes"])
    n, names = len(node["inputs"]), set(node["attrs"])

    def misfits(p):
        least, most = arity(p)
        required = set(p.attrs) - optional_attrs(p)
        return (
            not (least <= n and (most is None or n <= most))
            or not names <= set(p.attrs)
            or not required <= names
        )

    node["prim"] = pick(rng, sorted(name for name, p in PRIMITIVES.items() if misfits(p)))
    if rng.random() < 0.5:  # and the grad of a window op with the attributes of the forward one
        swaps = {"max_pool2d": "max_pool2d_grad", "conv2d": "conv2d_grad_weight"}
        for other in doc["graph"]["nodes"]:
            if other["prim"] in swaps:
                other["prim"] = swaps[other["prim"]]
                break


def edit_inputs(doc, rng):
    node = pick(rng, doc["graph"]["nodes"])
    if node["inputs"] and rng.random() < 0.5:
        del node["inputs"][int(rng.integers(len(node["inputs"])))]
    else:
        node["inputs"].append(pick(rng, [p["id"] for p in doc["graph"]["parameters"]]))


def edit_aval(doc, rng):
    """A node's, a constant's or a weight's recorded dtype or shape, changed in the JSON only."""
    g = doc["graph"]
    entries = g["nodes"] + g["constants"] + [p for p in g["parameters"] if p["kind"] == "weight"]
    aval = pick(rng, entries)["aval"]
    if rng.random() < 0.5:
        aval["dtype"] = pick(
            rng, [d for d in ("float16", "uint32", "int32", "bool") if d != aval["dtype"]]
        )
    else:
        aval["shape"] = aval["shape"] + [1] if rng.random() < 0.5 else aval["shape"][:-1]


EDITS = [edit_attr, edit_prim, edit_inputs, edit_aval]
# What a refusal names, first match wins: the digest (a mutator's fault here), the schema, the
# arity, the inference rule, a weight's or constant's recorded type.
REASONS = ["SHA-256", "attribute", "inputs, got", "inference gives", "its tensor is", "aval"]


def graph_mutator(resign, original=None):
    """One graph edit; ``resign``: the digests recomputed. With ``original`` (the file's bytes)
    a file already edited is left alone, so that two or three edits in a row cannot assemble a
    valid, different program (a prim swapped for neg, then one of its inputs dropped)."""

    def mutate(data, rng):
        if original is not None and data != original:
            return data
        parts = split(data)
        if parts is None:
            return data
        head, rest, doc = parts
        try:
            pick(rng, EDITS)(doc, rng)
        except (KeyError, TypeError, IndexError, ValueError, AttributeError):
            return data  # an earlier mutation left no graph of the expected shape to edit
        return join(head, rest, doc, resign=resign)

    mutate.__name__ = f"graph_{'resigned' if resign else 'unsigned'}"
    return mutate


def dtype_mutator(data, rng):
    """A tensor's safetensors dtype swapped for another of its size, digests unchanged."""
    parts = split(data)
    if parts is None:
        return data
    head, rest, _ = parts
    names = [
        k
        for k, v in head.items()
        if k != "__metadata__" and isinstance(v, dict) and v.get("dtype") in SAME_SIZE
    ]
    if not names:
        return data
    entry = head[pick(rng, names)]
    entry["dtype"] = pick(rng, SAME_SIZE[entry["dtype"]])
    return join(head, rest)


def test_fuzz_unsigned_mutations_are_refused_by_the_digests(original):
    load, equal = loader(original)
    report = fuzz.fuzz_loader(
        "mindir unsigned",
        original=original["bytes"],
        load=load,
        equal=equal,
        errors=(MindIRError,),
        n=fuzz.budget(1000),
        mutators=[*fuzz.byte_mutators(), dtype_mutator, graph_mutator(False)],
    )
    print(report.summary())
    report.check()
    assert report.counts["refused"] > 0.9 * sum(report.counts.values()), report.summary()


def test_fuzz_resigned_graph_edits_are_refused_by_the_verifier(original):
    plain_load, equal = loader(original)
    reasons = collections.Counter()

    def load(data):
        try:
            return plain_load(data)
        except MindIRError as exc:
            message = str(exc)
            reason = next((r for r in REASONS if r in message), "other")
            reasons[reason] += 1
            raise

    report = fuzz.fuzz_loader(
        "mindir resigned",
        original=original["bytes"],
        load=load,
        equal=equal,
        errors=(MindIRError,),
        n=fuzz.budget(1000),
        seed=1,
        mutators=[graph_mutator(True, original["bytes"])],
    )
    print(report.summary(), dict(reasons))
    report.check()
    assert report.counts["refused"] > 0.9 * sum(report.counts.values()), report.summary()
    # Re-signed correctly: the digests passed and the verifier refused, for each kind of edit.
    assert "SHA-256" not in reasons, dict(reasons)
    for reason in ("attribute", "inputs, got", "inference gives", "its tensor is"):
        assert reasons[reason] > 0.02 * report.counts["refused"], dict(reasons)
