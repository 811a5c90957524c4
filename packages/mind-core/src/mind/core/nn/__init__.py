"""Neural-network building blocks with MindSpore's names (``mindspore.nn``)."""

from mind.core._src.ir.mindir import GraphCell as GraphCell
from mind.core._src.nn.basic import *  # noqa: F403
from mind.core._src.nn.basic import __all__ as _basic
from mind.core._src.nn.cell import Cell as Cell
from mind.core._src.nn.cell import CellList as CellList
from mind.core._src.nn.cell import SequentialCell as SequentialCell
from mind.core._src.nn.conv import *  # noqa: F403
from mind.core._src.nn.conv import __all__ as _conv
from mind.core._src.nn.embedding import *  # noqa: F403
from mind.core._src.nn.embedding import __all__ as _embedding
from mind.core._src.nn.image import *  # noqa: F403
from mind.core._src.nn.image import __all__ as _image
from mind.core._src.nn.layers import *  # noqa: F403
from mind.core._src.nn.layers import __all__ as _layers
from mind.core._src.nn.learning_rate import *  # noqa: F403
from mind.core._src.nn.learning_rate import __all__ as _lr
from mind.core._src.nn.loss import *  # noqa: F403
from mind.core._src.nn.loss import __all__ as _loss
from mind.core._src.nn.optim import *  # noqa: F403
from mind.core._src.nn.optim import __all__ as _optim
from mind.core._src.nn.optimizers import *  # noqa: F403
from mind.core._src.nn.optimizers import __all__ as _optimizers
from mind.core._src.nn.pooling import *  # noqa: F403
from mind.core._src.nn.pooling import __all__ as _pooling
from mind.core._src.nn.rnn import GRU as GRU
from mind.core._src.nn.rnn import LSTM as LSTM
from mind.core._src.nn.rnn_cells import *  # noqa: F403
from mind.core._src.nn.rnn_cells import __all__ as _rnn_cells
from mind.core._src.nn.sparse import *  # noqa: F403
from mind.core._src.nn.sparse import __all__ as _sparse
from mind.core._src.nn.transformer import *  # noqa: F403
from mind.core._src.nn.transformer import __all__ as _transformer
from mind.core._src.nn.wrap import *  # noqa: F403
from mind.core._src.nn.wrap import __all__ as _wrap

__all__ = [
    "GRU",
    "LSTM",
    "Cell",
    "CellList",
    "GraphCell",
    "SequentialCell",
    *_layers,
    *_lr,
    *_loss,
    *_optim,
    *_transformer,
    *_wrap,
    *_basic,
    *_conv,
    *_embedding,
    *_image,
    *_optimizers,
    *_pooling,
    *_rnn_cells,
    *_sparse,
]

from mind.core.nn import grad as grad  # MindSpore's nn.grad module
