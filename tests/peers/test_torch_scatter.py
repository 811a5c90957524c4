"""Mind's scatter ops against PyTorch on the same inputs: forward values and gradients.

Run by ``nox -s peers`` (torch==2.13.0 CPU); the default test run does not collect this
directory. Float inputs are float64. MindSpore's ``tensor_scatter_*`` with one coordinate per
index are torch's ``index_reduce`` / ``index_add`` along dim 0 (``include_self=True``), its
``tensor_scatter_elements`` is ``scatter`` / ``scatter_add``, and ``unsorted_segment_*`` is
``index_reduce`` into a filled tensor. Extremes are drawn without ties (the two frameworks share
a tie's gradient differently), and ``update`` writes distinct indices (torch leaves repeats
undefined).
"""

import numpy as np
import pytest
import torch
from peer_compare import compare

from mind.core import Tensor, ops

RNG = np.random.default_rng(17)
ROWS = np.array([0, 2, 0, 3, 0, 2])  # repeats: row 0 three times, row 2 twice
X = RNG.normal(size=(5, 3))
U = RNG.uniform(0.5, 2.0, (6, 3)) * RNG.choice([-1, 1], (6, 3))


def _rows(i=ROWS):
    return Tensor(i.reshape(-1, 1).astype(np.int64))


@pytest.mark.parametrize(("name", "reduce"), [("mul", "prod"), ("max", "amax"), ("min", "amin")])
def test_tensor_scatter_mul_max_min_are_index_reduce(name, reduce):
    fn = getattr(ops, f"tensor_scatter_{name}")
    compare(
        lambda x, u: fn(x, _rows(), u),
        lambda x, u: x.index_reduce(0, torch.tensor(ROWS), u, reduce, include_self=True),
        X,
        U,
    )


def test_tensor_scatter_sub_and_div():
    idx = torch.tensor(ROWS)
    compare(
        lambda x, u: ops.tensor_scatter_sub(x, _rows(), u),
        lambda x, u: x.index_add(0, idx, -u),
        X,
        U,
    )
    compare(
        lambda x, u: ops.tensor_scatter_div(x, _rows(), u),
        lambda x, u: x / torch.ones_like(x).index_reduce(0, idx, u, "prod"),
        X,
        U,
    )


def test_tensor_scatter_update_is_index_put():
    points = np.array([[0, 1], [4, 2], [2, 0], [3, 1]])
    u = RNG.normal(size=4)
    compare(
        lambda x, v: ops.tensor_scatter_update(x, Tensor(points), v),
        lambda x, v: x.index_put((torch.tensor(points[:, 0]), torch.tensor(points[:, 1])), v),
        X,
        u,
    )


@pytest.mark.parametrize("dim", [0, 1])
def test_tensor_scatter_elements_is_scatter_and_scatter_add(dim):
    # distinct targets per column (dim 0) or per row (dim 1): scatter's order is moot
    index = (
        np.array([[0, 2, 1], [2, 0, 3], [4, 1, 0]])
        if dim == 0
        else np.array([[0, 2, 1], [2, 0, 1]])
    )
    src = RNG.normal(size=index.shape)
    t = torch.tensor(index)
    compare(
        lambda x, s: ops.tensor_scatter_elements(x, Tensor(index), s, dim),
        lambda x, s: x.scatter(dim, t, s),
        X,
        src,
    )
    repeated = np.zeros_like(index)
    compare(
        lambda x, s: ops.tensor_scatter_elements(x, Tensor(repeated), s, dim, "add"),
        lambda x, s: x.scatter_add(dim, torch.tensor(repeated), s),
        X,
        src,
    )


@pytest.mark.parametrize(
    ("name", "reduce", "fill"),
    [("sum", "sum", 0.0), ("prod", "prod", 1.0), ("max", "amax", None), ("min", "amin", None)],
)
def test_unsorted_segment_ops_are_index_reduce(name, reduce, fill):
    ids = np.array([1, 0, 1, 2, 0, 0])
    if fill is None:
        info = np.finfo(np.float64)
        fill = info.min if name == "max" else info.max
    fn = getattr(ops, f"unsorted_segment_{name}")

    def torch_fn(u):
        filled = torch.full((3, 3), fill, dtype=u.dtype)
        if reduce == "sum":
            return filled.index_add(0, torch.tensor(ids), u)
        return filled.index_reduce(0, torch.tensor(ids), u, reduce, include_self=True)

    compare(lambda u: fn(u, Tensor(ids.astype(np.int32)), 3), torch_fn, U)
