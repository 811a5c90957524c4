"""Fuzz load_checkpoint and load_param_into_net with mutated checkpoints (issue 10).

Two runs over one checkpoint (parameters, optimizer state, append_dict metadata and tensors, an
empty and a bfloat16 tensor):

- byte mutations mixed with header-consistent ones (a field of the safetensors header or of its
  metadata edited, the header re-serialized with the right length, offsets kept or recomputed):
  every mutated file must be refused with CheckpointError or load exactly the original;
- the same consistent mutations with the header digest recomputed, as a deliberate forger would:
  the loader's own validation must then refuse cleanly (no other exception, no hang). A re-signed
  file may load with different content (it is indistinguishable from a real one), so silent loads
  are allowed there.
"""

import hashlib
import json

import ml_dtypes
import numpy as np
import pytest

import mind.core as ms
from mind.core import nn
from mind.core.errors import CheckpointError
from mind.core.testing import fuzz

ST_DTYPES = ["BOOL", "U8", "I8", "U16", "I16", "F16", "BF16", "U32", "I32", "F32", "U64", "I64"]
MIND_DTYPES = ["bool", "uint8", "int8", "float16", "bfloat16", "int32", "float32", "int64"]
WEIRD = [
    None,
    True,
    -1,
    0,
    1,
    2**31,
    2**63,
    2**64 + 3,
    1.5,
    "",
    "F32",
    "\x00",
    "\ud800",
    "\u00b2",
    [],
    [1],
    [2**63, 0],
    {},
    {"a": 1},
    "[" * 200,
]


def make_net(seed):
    ms.set_seed(seed)
    return nn.SequentialCell(nn.Dense(4, 3), nn.ReLU(), nn.Dense(3, 3))


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fuzz-ckpt")
    net = make_net(1)
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    extra = {
        "epoch_num": 3,
        "lr": 0.5,
        "note": "warm",
        "config": {"layers": [4, 3, 3], "act": "relu"},
        "steps": np.arange(4, dtype=np.int64),
        "half": np.array([1.0, -2.0], ml_dtypes.bfloat16),
        "empty": np.zeros((0, 2), np.float32),
    }
    path = directory / "net.ckpt"
    ms.save_checkpoint(net, path, append_dict=extra, optimizer=opt)
    expected = ms.load_checkpoint(path)
    return {
        "bytes": path.read_bytes(),
        "path": directory / "mutated.ckpt",
        "expected": expected,
        "net": {name: p.asnumpy().copy() for name, p in net.parameters_and_names()},
    }


def same_value(a, b):
    if isinstance(a, ms.Tensor) or isinstance(b, ms.Tensor):
        if not (isinstance(a, ms.Tensor) and isinstance(b, ms.Tensor)):
            return False
        x, y = a.asnumpy(), b.asnumpy()
        return x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    return type(a) is type(b) and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def loader(original):
    target = make_net(2)
    params = dict(target.parameters_and_names())

    def load(data):
        for p in params.values():  # a sentinel: whatever is not loaded shows
            p.assign_value(np.full(p.shape, -7.0, np.float32))
        original["path"].write_bytes(data)
        # net=: the file's entries go through load_param_into_net's matching and checks.
        loaded = ms.load_checkpoint(original["path"], net=target)
        return loaded, {name: p.asnumpy().copy() for name, p in params.items()}

    def equal(result):
        loaded, net_values = result
        expected = original["expected"]
        return (
            list(loaded) == list(expected)
            and all(same_value(loaded[k], expected[k]) for k in expected)
            and all(net_values[k].tobytes() == v.tobytes() for k, v in original["net"].items())
        )

    return load, equal


# ------------------------------------------------------------------------------------------------
# Header-consistent mutations
# ------------------------------------------------------------------------------------------------


def split(data):
    """``(header, data region)`` of a safetensors file, or None when it no longer parses."""
    try:
        n = int.from_bytes(data[:8], "little")
        head = json.loads(data[8 : 8 + n])
    except Exception:
        return None
    if not isinstance(head, dict) or not isinstance(head.get("__metadata__"), dict):
        return None
    return head, data[8 + n :]


def join(head, rest):
    text = json.dumps(head).encode("utf-8", "surrogatepass")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + rest


def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def tensor_names(head):
    return [k for k in head if k != "__metadata__"]


def records_of(head):
    try:
        records = json.loads(head["__metadata__"]["mind.tensors"])
        return records if isinstance(records, dict) else None
    except Exception:
        return None


def set_records(head, records):
    head["__metadata__"]["mind.tensors"] = json.dumps(records)


def relayout(head):
    """Recompute every tensor's offsets from its (possibly edited) dtype and shape, in order."""
    sizes = {"BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2}
    sizes |= {"U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "F64": 8}
    offset = 0
    for name in sorted(tensor_names(head), key=lambda k: head[k]["data_offsets"][0]):
        entry = head[name]
        size = sizes.get(entry["dtype"], 1) * int(np.prod(entry["shape"], dtype=object))
        entry["data_offsets"] = [offset, offset + size]
        offset += size


def edit_dtype(head, rng):
    name = pick(rng, tensor_names(head))
    head[name]["dtype"] = pick(rng, ST_DTYPES + WEIRD)
    records = records_of(head)
    if records and name in records and rng.random() < 0.7:
        records[name]["dtype"] = pick(rng, MIND_DTYPES + WEIRD)
        set_records(head, records)


def edit_shape(head, rng):
    name = pick(rng, tensor_names(head))
    shape = list(head[name]["shape"])
    choice = int(rng.integers(5))
    if choice == 0:
        shape = shape[::-1]
    elif choice == 1:
        shape = shape + [1]
    elif choice == 2 and shape:
        shape[int(rng.integers(len(shape)))] = pick(rng, WEIRD)
    elif choice == 3:
        shape = [int(x) for x in rng.integers(0, 5, int(rng.integers(0, 4)))]
    else:
        shape = pick(rng, WEIRD)
    head[name]["shape"] = shape
    records = records_of(head)
    if records and name in records and rng.random() < 0.7:
        records[name]["shape"] = shape
        set_records(head, records)
    if rng.random() < 0.5:
        relayout(head)


def edit_offsets(head, rng):
    names = tensor_names(head)
    a, b = pick(rng, names), pick(rng, names)
    choice = int(rng.integers(3))
    if choice == 0:  # swap two tensors' bytes (same-sized ones load as each other's)
        head[a]["data_offsets"], head[b]["data_offsets"] = (
            head[b]["data_offsets"],
            head[a]["data_offsets"],
        )
    elif choice == 1:
        shift = int(rng.integers(-8, 9))
        head[a]["data_offsets"] = [x + shift for x in head[a]["data_offsets"]]
    else:
        head[a]["data_offsets"] = pick(rng, WEIRD)


def edit_names(head, rng):
    names = tensor_names(head)
    records = records_of(head) or {}
    a, b = pick(rng, names), pick(rng, names)
    if rng.random() < 0.5 and a != b:  # swap two names everywhere (two biases swapped)
        head[a], head[b] = head[b], head[a]
        if a in records and b in records:
            records[a], records[b] = records[b], records[a]
    else:
        new = pick(rng, [a + "x", a[:-1], "", "__metadata__", a + "\x00", a + "\ud800", b])
        if new in head:
            return
        head[new] = head.pop(a)
        if a in records and rng.random() < 0.8:
            records = {new if k == a else k: v for k, v in records.items()}
    set_records(head, records)


def edit_metadata(head, rng):
    meta = head["__metadata__"]
    key = pick(rng, list(meta))
    choice = int(rng.integers(4))
    if choice == 0:
        del meta[key]
    elif choice == 1:
        meta[key] = pick(rng, ["1", "2", "3", "\u00b2", "01", "", "[]", "{}", meta[key] + " "])
    elif choice == 2:
        meta[pick(rng, ["mind.x", "epoch_num2", "__metadata__", "k\x00"])] = "1"
    else:
        meta[key] = meta[key][: int(rng.integers(len(meta[key]) + 1))]


def edit_append_dict(head, rng):
    meta = head["__metadata__"]
    user = [k for k in meta if k not in ("format", "format_version") and not k.startswith("mind.")]
    key = pick(rng, user)
    value = json.loads(meta[key])
    replacement = pick(
        rng,
        [
            json.dumps(value if not isinstance(value, int | float) else value + 1),
            json.dumps([value]),
            "[" * 5000 + "]" * 5000,
            "9" * 5000,
            "NaN",
            '{"a": 1, "a": 2}',
            "nope",
            json.dumps(str(value)),
        ],
    )
    meta[key] = replacement


def edit_records(head, rng):
    records = records_of(head)
    if not records:
        return
    name = pick(rng, list(records))
    choice = int(rng.integers(3))
    if choice == 0:
        del records[name]
    elif choice == 1:
        digest = records[name]["sha256"]
        records[name]["sha256"] = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    else:
        records[name] = pick(rng, WEIRD)
    set_records(head, records)


EDITS = [
    edit_dtype,
    edit_shape,
    edit_offsets,
    edit_names,
    edit_metadata,
    edit_append_dict,
    edit_records,
]


def consistent(edit, resign=False):
    def mutator(data, rng):
        parts = split(data)
        if parts is None:
            return data
        head, rest = parts
        try:
            edit(head, rng)
        except Exception:  # an edit that does not apply to an already-mutated header
            return data
        if resign:
            meta = {k: v for k, v in head["__metadata__"].items() if k != "mind.digest"}
            canonical = json.dumps(
                {**head, "__metadata__": meta},
                sort_keys=True,
                separators=(",", ":"),
                ensure_ascii=True,
            )
            head["__metadata__"]["mind.digest"] = hashlib.sha256(canonical.encode()).hexdigest()
        return join(head, rest)

    mutator.__name__ = edit.__name__
    return mutator


# ------------------------------------------------------------------------------------------------
# The runs
# ------------------------------------------------------------------------------------------------


def test_fuzz_checkpoint_byte_and_consistent_mutations(original):
    load, equal = loader(original)
    assert equal(load(original["bytes"]))  # the harness sees the original as the original
    n = fuzz.budget(1000)
    report = fuzz.fuzz_loader(
        "checkpoint",
        original=original["bytes"],
        load=load,
        equal=equal,
        errors=(CheckpointError,),
        n=n,
        mutators=fuzz.byte_mutators() + [consistent(edit) for edit in EDITS],
    )
    print(report.summary())
    report.check()
    assert report.counts["refused"] > 0.9 * n  # the mutations reached the loader's checks


def test_fuzz_checkpoint_resigned_headers_are_validated(original):
    load, equal = loader(original)
    n = fuzz.budget(1000)
    report = fuzz.fuzz_loader(
        "checkpoint-resigned",
        original=original["bytes"],
        load=load,
        equal=equal,
        errors=(CheckpointError,),
        n=n,
        seed=1,
        mutators=[consistent(edit, resign=True) for edit in EDITS],
    )
    print(report.summary())
    report.check(allow_silent=True)
    assert report.counts["refused"] > 0.5 * n
