"""Mind's Transformer layers against PyTorch's with the same weights (copied by name), in eval
mode, float64: forward values and input gradients. Run by ``nox -s peers``."""

import re

import numpy as np
import pytest
import torch

import mind.core as ms
from mind.core import Tensor, nn


def _copy_weights(peer: torch.nn.Module, cell) -> None:
    """PyTorch's parameters into Mind's, by path (LayerNorm's weight/bias are gamma/beta)."""
    mine = dict(cell.parameters_and_names())
    theirs = dict(peer.named_parameters())
    assert len(mine) == len(theirs)
    for name, value in theirs.items():
        path = re.sub(r"(norm\d?)\.weight$", r"\1.gamma", name)
        path = re.sub(r"(norm\d?)\.bias$", r"\1.beta", path)
        mine[path].set_data(Tensor(value.detach().numpy().copy()))


def _both(peer, cell, *arrays, **kwargs):
    peer.eval()
    cell.set_train(False)
    _copy_weights(peer, cell)
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    want = peer(*tensors, **kwargs)
    w = np.random.default_rng(1).normal(size=tuple(want.shape))
    (want * torch.tensor(w)).sum().backward()
    mind_kwargs = {k: Tensor(v.numpy()) for k, v in kwargs.items()}
    got = cell(*(Tensor(a) for a in arrays), **mind_kwargs)
    np.testing.assert_allclose(got.asnumpy(), want.detach().numpy(), rtol=1e-9, atol=1e-11)
    positions = tuple(range(len(arrays)))
    grads = ms.grad(lambda *xs: (cell(*xs, **mind_kwargs) * Tensor(w)).sum(), positions)(
        *(Tensor(a) for a in arrays)
    )
    grads = grads if isinstance(grads, tuple) else (grads,)  # one position: the Tensor
    for g, t in zip(grads, tensors):
        np.testing.assert_allclose(g.asnumpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_encoder_decoder_and_whole(norm_first, batch_first):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    kw = {
        "dim_feedforward": 12,
        "dropout": 0.0,
        "batch_first": batch_first,
        "norm_first": norm_first,
    }
    src = rng.normal(size=(2, 5, 8) if batch_first else (5, 2, 8))
    tgt = rng.normal(size=(2, 3, 8) if batch_first else (3, 2, 8))
    mask = torch.triu(torch.full((3, 3), float("-inf"), dtype=torch.float64), diagonal=1)

    peer = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(8, 2, **kw, dtype=torch.float64),
        2,
        enable_nested_tensor=False,
    )
    cell = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, **kw, dtype=ms.float64), 2)
    _both(peer, cell, src)

    peer = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(8, 2, **kw, dtype=torch.float64), 2
    )
    cell = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, **kw, dtype=ms.float64), 2)
    _both(peer, cell, tgt, src, tgt_mask=mask)

    peer = torch.nn.Transformer(8, 2, 2, 2, **kw, dtype=torch.float64)
    cell = nn.Transformer(8, 2, 2, 2, **kw, dtype=ms.float64)
    _both(peer, cell, src, tgt, tgt_mask=mask)
