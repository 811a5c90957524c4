"""Attention layers with MindSpore's names and arguments: ``MultiheadAttention``, the encoder
and decoder layers and stacks, and ``Transformer``.

Both are compositions of existing ops, with PyTorch's semantics (which MindSpore 2.x follows):
boolean masks are True where attention is *not* allowed, float masks are added to the scores, and
parameter names match (``in_proj_weight``, ``in_proj_bias``, ``out_proj``, ``self_attn``,
``linear1``, ``norm1``, ...) so checkpoints map one to one (LayerNorm's weight/bias are called
``gamma``/``beta`` here, as in MindSpore).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from mind.core._src.nn.cell import Cell, CellList
from mind.core._src.nn.initializer import XavierNormal, XavierUniform, initializer
from mind.core._src.nn.layers import Dense, Dropout, LayerNorm
from mind.core._src.ops import functional as F
from mind.core._src.tensor import dtype as dt
from mind.core._src.tensor.tensor import Parameter, Tensor, as_tensor
from mind.core.errors import MindTypeError, MindValueError

__all__ = [
    "MultiheadAttention",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]


def _additive_mask(mask: Any, what: str, dtype: dt.DType) -> Tensor:
    """``mask`` as a float Tensor to add to the scores: -inf where a bool mask is True."""
    mask = as_tensor(mask)
    if mask.dtype is dt.bool_:
        return Tensor(np.where(mask.asnumpy(), -np.inf, 0.0), dtype)
    if not mask.dtype.is_floating_point:
        raise MindTypeError(
            f"For 'MultiheadAttention', '{what}' must be a bool or float tensor, got {mask.dtype}"
        )
    return mask if mask.dtype is dtype else F.cast(mask, dtype)


def _linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``x @ weight.T + bias`` over the last axis of (T, N, in) ``x``, as one 2-D dense."""
    out = F.dense(F.reshape(x, (-1, x.shape[-1])), weight, bias)
    return F.reshape(out, x.shape[:-1] + (weight.shape[0],))


class MultiheadAttention(Cell):
    """Multi-head attention (MindSpore's ``nn.MultiheadAttention``, PyTorch semantics)::

        head_i = softmax(Q_i K_i^T / sqrt(head_dim) + mask) V_i
        output = concat(head_1, ..., head_h) W_out^T + b_out

    with Q, K, V the projections of query, key and value by the rows of ``in_proj_weight``.

    :param embed_dim: features of the query and of the output (E).
    :param num_heads: heads; must divide ``embed_dim``.
    :param dropout: dropout probability on the attention weights (training only).
    :param has_bias: whether the input and output projections have biases.
    :param add_bias_kv: learn ``bias_k``/``bias_v`` (1, 1, E), appended to key and value as one
        extra position.
    :param add_zero_attn: append a position of zeros to each head's key and value.
    :param kdim: features of ``key`` (default E); ``vdim``: features of ``value`` (default E).
        When either differs from E the projections are separate parameters ``q_proj_weight`` (E, E),
        ``k_proj_weight`` (E, kdim) and ``v_proj_weight`` (E, vdim) instead of ``in_proj_weight``.
    :param batch_first: inputs and output are (batch, seq, feature) instead of (seq, batch, feature).

    Parameters: ``in_proj_weight`` (3E, E) Xavier-uniform, ``in_proj_bias`` (3E) zeros,
    ``out_proj`` a Dense(E, E) with zero bias, ``bias_k``/``bias_v`` Xavier-normal.

    ``construct(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True)``: query (L, N, E), key (S, N, kdim), value (S, N, vdim), or
    batch first, or unbatched (L, E). ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or
    (N * num_heads, L, S) are bool (True = masked out) or float (added to the scores). Returns
    ``(attn_output, attn_weights)``: attn_output shaped as query, attn_weights (N, L, S) averaged
    over heads or (N, num_heads, L, S), or None when ``need_weights=False``. A query position
    whose keys are all masked out gets NaN, as in PyTorch.

    >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
    >>> x = Tensor(np.ones((2, 5, 16), np.float32))
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((2, 5, 16), (2, 5, 5))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        has_bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise MindValueError(
                f"For 'MultiheadAttention', 'embed_dim' ({embed_dim}) must be a positive multiple "
                f"of 'num_heads' ({num_heads})"
            )
        if not 0 <= dropout < 1:
            raise MindValueError(
                f"For 'MultiheadAttention', 'dropout' must be in [0, 1), got {dropout}"
            )
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self.dropout, self.has_bias, self.batch_first = float(dropout), has_bias, batch_first
        self.add_zero_attn = add_zero_attn
        self._same_dims = self.kdim == embed_dim and self.vdim == embed_dim
        if self._same_dims:
            self.in_proj_weight = Parameter(
                initializer(XavierUniform(), (3 * embed_dim, embed_dim), dtype)
            )
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.in_proj_weight = None
            self.q_proj_weight = Parameter(
                initializer(XavierUniform(), (embed_dim, embed_dim), dtype)
            )
            self.k_proj_weight = Parameter(
                initializer(XavierUniform(), (embed_dim, self.kdim), dtype)
            )
            self.v_proj_weight = Parameter(
                initializer(XavierUniform(), (embed_dim, self.vdim), dtype)
            )
        self.in_proj_bias = (
            Parameter(initializer("zeros", 3 * embed_dim, dtype)) if has_bias else None
        )
        self.out_proj = Dense(
            embed_dim, embed_dim, bias_init="zeros", has_bias=has_bias, dtype=dtype
        )
        if add_bias_kv:
            self.bias_k = Parameter(initializer(XavierNormal(), (1, 1, embed_dim), dtype))
            self.bias_v = Parameter(initializer(XavierNormal(), (1, 1, embed_dim), dtype))
        else:
            self.bias_k = self.bias_v = None

    # -- pieces --------------------------------------------------------------------------------------

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        e = self.embed_dim
        if self._same_dims:
            w_q, w_k, w_v = F.split(self.in_proj_weight, e, 0)
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        b_q = b_k = b_v = None
        if self.in_proj_bias is not None:
            b_q, b_k, b_v = F.split(self.in_proj_bias, e, 0)
        return _linear(query, w_q, b_q), _linear(key, w_k, b_k), _linear(value, w_v, b_v)

    def _heads(self, x: Tensor, batch: int) -> Tensor:
        """(T, N, E) -> (N, heads, T, head_dim)."""
        x = F.reshape(x, (x.shape[0], batch, self.num_heads, self.head_dim))
        return F.transpose(x, (1, 2, 0, 3))

    def _masks(
        self, attn_mask: Any, key_padding_mask: Any, batch: int, tgt: int, src: int, dtype: dt.DType
    ) -> tuple[Tensor | None, Tensor | None]:
        """Both masks as additive float Tensors, shape-checked against the unpadded ``src``."""
        name = "MultiheadAttention"
        if attn_mask is not None:
            attn_mask = _additive_mask(attn_mask, "attn_mask", dtype)
            allowed = [(tgt, src), (batch * self.num_heads, tgt, src)]
            if attn_mask.shape not in allowed:
                raise MindValueError(
                    f"For '{name}', 'attn_mask' must have shape (L, S) = {allowed[0]} or "
                    f"(N * num_heads, L, S) = {allowed[1]}, got {attn_mask.shape}"
                )
        if key_padding_mask is not None:
            key_padding_mask = _additive_mask(key_padding_mask, "key_padding_mask", dtype)
            if key_padding_mask.shape != (batch, src):
                raise MindValueError(
                    f"For '{name}', 'key_padding_mask' must have shape (N, S) = {(batch, src)}, "
                    f"got {key_padding_mask.shape}"
                )
        return attn_mask, key_padding_mask

    # -- running -------------------------------------------------------------------------------------

    def construct(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
    ) -> tuple[Tensor, Tensor | None]:
        name = "MultiheadAttention"
        query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise MindValueError(
                f"For '{name}', 'query', 'key' and 'value' must all be 3-D (batched) or all 2-D "
                f"(unbatched), got shapes {query.shape}, {key.shape} and {value.shape}"
            )
        batched = query.ndim == 3
        if not batched:
            query, key, value = (F.expand_dims(t, 1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = F.expand_dims(as_tensor(key_padding_mask), 0)
        elif self.batch_first:
            query, key, value = (F.transpose(t, (1, 0, 2)) for t in (query, key, value))
        tgt, batch, e = query.shape
        src = key.shape[0]
        for what, t, features in (
            ("query", query, self.embed_dim),
            ("key", key, self.kdim),
            ("value", value, self.vdim),
        ):
            if t.shape[-1] != features:
                raise MindValueError(
                    f"For '{name}', '{what}' must have {features} features, got shape {t.shape}"
                )
        if key.shape[:2] != value.shape[:2] or key.shape[1] != batch:
            raise MindValueError(
                f"For '{name}', 'key' and 'value' must share sequence length and batch with each "
                f"other and batch with 'query', got {key.shape}, {value.shape} and {query.shape}"
            )
        attn_mask, key_padding_mask = self._masks(
            attn_mask, key_padding_mask, batch, tgt, src, query.dtype
        )

        q, k, v = self._project(query, key, value)
        if self.bias_k is not None:
            k = F.concat([k, F.broadcast_to(self.bias_k, (1, batch, e))], 0)
            v = F.concat([v, F.broadcast_to(self.bias_v, (1, batch, e))], 0)
            attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
            key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))
        q, k, v = self._heads(q, batch), self._heads(k, batch), self._heads(v, batch)
        if self.add_zero_attn:
            zeros = F.zeros((batch, self.num_heads, 1, self.head_dim), k.dtype)
            k, v = F.concat([k, zeros], 2), F.concat([v, zeros], 2)
            attn_mask = None if attn_mask is None else F.pad(attn_mask, (0, 1))
            key_padding_mask = None if key_padding_mask is None else F.pad(key_padding_mask, (0, 1))

        scores = F.matmul(F.mul(q, 1 / math.sqrt(self.head_dim)), F.transpose(k, (0, 1, 3, 2)))
        if attn_mask is not None:
            if attn_mask.ndim == 3:
                attn_mask = F.reshape(attn_mask, (batch, self.num_heads) + attn_mask.shape[1:])
            scores = F.add(scores, attn_mask)
        if key_padding_mask is not None:
            scores = F.add(scores, F.reshape(key_padding_mask, (batch, 1, 1, -1)))
        weights = F.softmax(scores, -1)
        weights = F.dropout(weights, self.dropout, self.training)
        out = F.matmul(weights, v)  # (N, heads, L, head_dim)
        out = F.reshape(F.transpose(out, (2, 0, 1, 3)), (tgt, batch, e))
        out = self.out_proj(out)
        if not batched:
            out = F.squeeze(out, 1)
        elif self.batch_first:
            out = F.transpose(out, (1, 0, 2))
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = F.mean(weights, 1)
        if not batched:
            weights = F.squeeze(weights, 0)
        return out, weights

    def extend_repr(self) -> str:
        return (
            f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
            f"batch_first={self.batch_first}"
        )


_ENCODER_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "relu": F.relu,
    "gelu": lambda x: F.gelu(x, "none"),
}


def _activation(owner: str, activation: Any) -> Any:
    if isinstance(activation, str):
        try:
            return _ENCODER_ACTIVATIONS[activation.lower()]
        except KeyError:
            raise MindValueError(
                f"For '{owner}', 'activation' must be 'relu' or 'gelu', a Cell or a callable, got "
                f"{activation!r}"
            ) from None
    if not callable(activation):
        raise MindTypeError(
            f"For '{owner}', 'activation' must be 'relu' or 'gelu', a Cell or a callable, got "
            f"{type(activation).__name__}"
        )
    return activation


class _Layer(Cell):
    """What the encoder and decoder layers share: ``_attentions`` MultiheadAttention children
    (``self_attn``, then ``multihead_attn``), the feed-forward block (``linear1``, ``dropout``,
    ``linear2``), one LayerNorm and one Dropout per sublayer (``norm1``..., ``dropout1``...),
    created in that order so the parameter names are PyTorch's and MindSpore's."""

    _attentions = 1

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Any = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        for name in ("self_attn", "multihead_attn")[: self._attentions]:
            attention = MultiheadAttention(
                d_model, nhead, dropout=dropout, batch_first=batch_first, dtype=dtype
            )
            setattr(self, name, attention)
        self.linear1 = Dense(d_model, dim_feedforward, dtype=dtype)
        self.dropout = Dropout(p=dropout)
        self.linear2 = Dense(dim_feedforward, d_model, dtype=dtype)
        self.norm_first = norm_first
        sublayers = self._attentions + 1
        for i in range(1, sublayers + 1):
            setattr(self, f"norm{i}", LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype))
        for i in range(1, sublayers + 1):
            setattr(self, f"dropout{i}", Dropout(p=dropout))
        self.activation = _activation(type(self).__name__, activation)

    def _attend(self, which: int, x: Tensor, memory: Any, mask: Any, padding: Any) -> Tensor:
        """Sublayer ``which``: attention of ``x`` to itself (0) or to ``memory`` (1), dropped out."""
        attention = self.self_attn if which == 0 else self.multihead_attn
        kv = x if memory is None else memory
        out = attention(x, kv, kv, key_padding_mask=padding, need_weights=False, attn_mask=mask)
        return getattr(self, f"dropout{which + 1}")(out[0])

    def _ff_block(self, x: Tensor) -> Tensor:
        hidden = self.dropout(self.activation(self.linear1(x)))
        return getattr(self, f"dropout{self._attentions + 1}")(self.linear2(hidden))


class TransformerEncoderLayer(_Layer):
    """One Transformer encoder layer: self-attention then a feed-forward block, each with a
    residual connection and LayerNorm (MindSpore's ``nn.TransformerEncoderLayer``)::

        norm_first=False:  x = norm1(x + sa(x));  x = norm2(x + ff(x))
        norm_first=True:   x = x + sa(norm1(x));  x = x + ff(norm2(x))

    where ``sa(x) = dropout1(self_attn(x, x, x)[0])`` and
    ``ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))``.

    :param d_model: features of the input and output.
    :param nhead: attention heads.
    :param dim_feedforward: hidden features of the feed-forward block.
    :param dropout: dropout probability everywhere (attention weights, sublayer outputs).
    :param activation: ``"relu"``, ``"gelu"`` (exact), a Cell or a callable.
    :param layer_norm_eps: LayerNorm's epsilon.
    :param batch_first: ``src`` is (batch, seq, feature) instead of (seq, batch, feature).
    :param norm_first: LayerNorm before each sublayer (pre-norm) instead of after.

    Children: ``self_attn`` (MultiheadAttention), ``linear1``, ``linear2`` (Dense), ``norm1``,
    ``norm2`` (LayerNorm), ``dropout``, ``dropout1``, ``dropout2``.

    ``construct(src, src_mask=None, src_key_padding_mask=None)``: the masks are
    MultiheadAttention's ``attn_mask`` and ``key_padding_mask``. Returns a tensor shaped as ``src``.

    >>> layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True)
    >>> _ = layer.set_train(False)
    >>> layer(Tensor(np.ones((2, 5, 16), np.float32))).shape
    (2, 5, 16)
    """

    _attentions = 1

    def construct(
        self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None
    ) -> Tensor:
        x = as_tensor(src)
        if self.norm_first:
            x = F.add(x, self._attend(0, self.norm1(x), None, src_mask, src_key_padding_mask))
            return F.add(x, self._ff_block(self.norm2(x)))
        x = self.norm1(F.add(x, self._attend(0, x, None, src_mask, src_key_padding_mask)))
        return self.norm2(F.add(x, self._ff_block(x)))


class TransformerDecoderLayer(_Layer):
    """One Transformer decoder layer: self-attention, attention over the encoder's ``memory``,
    then a feed-forward block, each with a residual connection and LayerNorm (MindSpore's
    ``nn.TransformerDecoderLayer``, PyTorch semantics)::

        norm_first=False:  x = norm1(x + sa(x));  x = norm2(x + mha(x, mem));  x = norm3(x + ff(x))
        norm_first=True:   x = x + sa(norm1(x));  x = x + mha(norm2(x), mem);  x = x + ff(norm3(x))

    Children: ``self_attn``, ``multihead_attn`` (MultiheadAttention), ``linear1``, ``linear2``,
    ``norm1``-``norm3``, ``dropout``, ``dropout1``-``dropout3``.

    ``construct(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None)`` returns a tensor shaped as ``tgt``.
    """

    _attentions = 2

    def construct(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
    ) -> Tensor:
        x, mem = as_tensor(tgt), as_tensor(memory)
        if self.norm_first:
            x = F.add(x, self._attend(0, self.norm1(x), None, tgt_mask, tgt_key_padding_mask))
            x = F.add(x, self._attend(1, self.norm2(x), mem, memory_mask, memory_key_padding_mask))
            return F.add(x, self._ff_block(self.norm3(x)))
        x = self.norm1(F.add(x, self._attend(0, x, None, tgt_mask, tgt_key_padding_mask)))
        x = self.norm2(F.add(x, self._attend(1, x, mem, memory_mask, memory_key_padding_mask)))
        return self.norm3(F.add(x, self._ff_block(x)))


def _clones(owner: str, layer: Any, kind: type, num_layers: int) -> CellList:
    if not isinstance(layer, kind):
        raise MindTypeError(
            f"For '{owner}', the layer must be a {kind.__name__}, got {type(layer).__name__}"
        )
    if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
        raise MindValueError(
            f"For '{owner}', 'num_layers' must be a positive int, got {num_layers!r}"
        )
    return CellList([copy.deepcopy(layer) for _ in range(num_layers)])


class TransformerEncoder(Cell):
    """``num_layers`` copies of ``encoder_layer`` (independent weights), then ``norm`` if given
    (MindSpore's ``nn.TransformerEncoder``). ``construct(src, src_mask=None,
    src_key_padding_mask=None)``."""

    def __init__(self, encoder_layer: Any, num_layers: int, norm: Any = None) -> None:
        super().__init__()
        self.layers = _clones(
            "TransformerEncoder", encoder_layer, TransformerEncoderLayer, num_layers
        )
        self.num_layers = num_layers
        self.norm = norm

    def construct(
        self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None
    ) -> Tensor:
        out = as_tensor(src)
        for layer in self.layers:
            out = layer(out, src_mask, src_key_padding_mask)
        return self.norm(out) if self.norm is not None else out


class TransformerDecoder(Cell):
    """``num_layers`` copies of ``decoder_layer`` (independent weights), then ``norm`` if given
    (MindSpore's ``nn.TransformerDecoder``)."""

    def __init__(self, decoder_layer: Any, num_layers: int, norm: Any = None) -> None:
        super().__init__()
        self.layers = _clones(
            "TransformerDecoder", decoder_layer, TransformerDecoderLayer, num_layers
        )
        self.num_layers = num_layers
        self.norm = norm

    def construct(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
    ) -> Tensor:
        out = as_tensor(tgt)
        for layer in self.layers:
            out = layer(
                out, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask
            )
        return self.norm(out) if self.norm is not None else out


class Transformer(Cell):
    """The encoder-decoder Transformer (MindSpore's ``nn.Transformer``, PyTorch semantics): an
    encoder of ``num_encoder_layers`` and a decoder of ``num_decoder_layers``, each closed by a
    LayerNorm; weight matrices initialised Xavier-uniform.

    ``construct(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None)`` returns
    a tensor shaped as ``tgt``.
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: Any = "relu",
        custom_encoder: Any = None,
        custom_decoder: Any = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        dtype: Any = dt.float32,
    ) -> None:
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(*args, norm_first, dtype)
            norm = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(*args, norm_first, dtype)
            norm = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for p in self.get_parameters():
            if p.ndim > 1:
                p.set_data(initializer(XavierUniform(), p.shape, p.dtype))

    def construct(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
    ) -> Tensor:
        src, tgt = as_tensor(src), as_tensor(tgt)
        batch_axis = 0 if self.batch_first else 1
        if src.shape[batch_axis] != tgt.shape[batch_axis]:
            raise MindValueError(
                f"For 'Transformer', 'src' and 'tgt' must have one batch size, got shapes "
                f"{src.shape} and {tgt.shape}"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise MindValueError(
                f"For 'Transformer', the last axis of 'src' and 'tgt' must be d_model "
                f"{self.d_model}, got shapes {src.shape} and {tgt.shape}"
            )
        memory = self.encoder(src, src_mask, src_key_padding_mask)
        return self.decoder(
            tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask
        )
