"""Issue 14's layers and losses against PyTorch on the same float64 inputs: CTC (through a
log_softmax, since torch's ctc_loss backward assumes its input came from one), multi-label
margin, bilinear dense, and the recurrent cells and RNN with copied weights."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from peer_compare import compare

import mind.core as ms
from mind.core import Tensor, nn, ops

RNG = np.random.default_rng(5)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("blank", [0, 3])
def test_ctc_loss(reduction, blank):
    T, N, C, S = 9, 3, 5, 4
    targets = RNG.integers(0, C - 1, (N, S))
    targets = np.where(targets >= blank, targets + 1, targets) % C  # never the blank
    targets[0, 2] = targets[0, 1]
    il, tl = np.array([9, 7, 8]), np.array([4, 2, 1])

    def mind_fn(x):
        lp = ops.log_softmax(x, -1)
        return ops.ctc_loss(lp, Tensor(targets), Tensor(il), Tensor(tl), blank, reduction)[0]

    def torch_fn(x):
        lp = torch.log_softmax(x, -1)
        return TF.ctc_loss(
            lp, torch.tensor(targets), torch.tensor(il), torch.tensor(tl), blank, reduction
        )

    compare(mind_fn, torch_fn, RNG.normal(size=(T, N, C)), rtol=1e-9, atol=1e-10, grad_rtol=1e-7)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss(reduction):
    target = np.array([[3, 0, -1, 1], [1, 2, 2, -1], [0, 1, 2, 3]])
    compare(
        lambda x: ops.multilabel_margin_loss(x, Tensor(target), reduction),
        lambda x: TF.multilabel_margin_loss(x, torch.tensor(target), reduction=reduction),
        RNG.normal(size=(3, 4)),
    )


def test_bidense_is_torch_bilinear():
    compare(
        lambda a, b, w, c: ops.bidense(a, b, w, c),
        lambda a, b, w, c: TF.bilinear(a, b, w, c),
        RNG.normal(size=(2, 4, 3)),
        RNG.normal(size=(2, 4, 5)),
        RNG.normal(size=(6, 3, 5)),
        RNG.normal(size=(6,)),
    )


def _copy(mind_cell, torch_cell):
    for name, p in torch_cell.named_parameters():
        getattr(mind_cell, name)._data = p.detach().numpy().astype(np.float64).copy()


@pytest.mark.parametrize(
    ("mind_cls", "torch_cls", "kwargs"),
    [
        (nn.RNNCell, torch.nn.RNNCell, {}),
        (nn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
        (nn.GRUCell, torch.nn.GRUCell, {}),
    ],
)
def test_cells_with_copied_weights(mind_cls, torch_cls, kwargs):
    t = torch_cls(4, 6, **kwargs).double()
    m = mind_cls(4, 6, **kwargs, dtype=ms.float64)
    _copy(m, t)
    compare(
        lambda x, h: m(x, h), lambda x, h: t(x, h), RNG.normal(size=(3, 4)), RNG.normal(size=(3, 6))
    )


def test_lstm_cell_with_copied_weights():
    t = torch.nn.LSTMCell(4, 6).double()
    m = nn.LSTMCell(4, 6, dtype=ms.float64)
    _copy(m, t)
    for k in range(2):
        compare(
            lambda x, h, c, k=k: m(x, (h, c))[k],
            lambda x, h, c, k=k: t(x, (h, c))[k],
            RNG.normal(size=(3, 4)),
            RNG.normal(size=(3, 6)),
            RNG.normal(size=(3, 6)),
        )


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_with_copied_weights(nonlinearity):
    t = torch.nn.RNN(
        4, 5, 2, nonlinearity=nonlinearity, batch_first=True, bidirectional=True
    ).double()
    m = nn.RNN(
        4, 5, 2, nonlinearity=nonlinearity, batch_first=True, bidirectional=True, dtype=ms.float64
    )
    _copy(m, t)
    h0 = RNG.normal(size=(4, 2, 5))
    for k in range(2):
        compare(
            lambda x, k=k: m(x, Tensor(h0))[k],
            lambda x, k=k: t(x, torch.tensor(h0))[k],
            RNG.normal(size=(2, 6, 4)),
        )
