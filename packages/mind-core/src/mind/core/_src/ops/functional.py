"""Every functional op in one namespace: what ``mind.core.ops`` re-exports and Tensor methods call."""

from mind.core._src.autodiff.eager import grad, stop_gradient, value_and_grad  # noqa: F401
from mind.core._src.autodiff.functional import jacfwd, jacrev, jvp, vjp  # noqa: F401
from mind.core._src.autodiff.vmap import vmap  # noqa: F401
from mind.core._src.ops.array import *  # noqa: F403
from mind.core._src.ops.array import (  # noqa: F401
    broadcast_to,
    concat,
    flatten,
    gather,
    getitem,
    reshape,
    setitem,
    squeeze,
    sum_to,
    tile,
    transpose,
)
from mind.core._src.ops.array_ops import *  # noqa: F403
from mind.core._src.ops.complex_ops import *  # noqa: F403
from mind.core._src.ops.control import cond, fori_loop, scan, while_loop  # noqa: F401
from mind.core._src.ops.debug import print_  # noqa: F401
from mind.core._src.ops.elementwise import *  # noqa: F403
from mind.core._src.ops.elementwise import (  # noqa: F401
    abs,
    add,
    cast,
    clip,
    div,
    equal,
    floor,
    greater,
    less,
    logical_not,
    mul,
    neg,
    pow,
    round,
    sign,
    sub,
)
from mind.core._src.ops.fft import *  # noqa: F403
from mind.core._src.ops.image_ops import *  # noqa: F403
from mind.core._src.ops.indexing import *  # noqa: F403
from mind.core._src.ops.linalg import *  # noqa: F403
from mind.core._src.ops.losses import *  # noqa: F403
from mind.core._src.ops.math_ops import *  # noqa: F403
from mind.core._src.ops.misc_ops import *  # noqa: F403
from mind.core._src.ops.nn_functional import *  # noqa: F403
from mind.core._src.ops.nn_ops import *  # noqa: F403
from mind.core._src.ops.nn_ops import matmul, relu, softmax  # noqa: F401
from mind.core._src.ops.pooling import *  # noqa: F403
from mind.core._src.ops.random import *  # noqa: F403
from mind.core._src.ops.reduce import *  # noqa: F403
from mind.core._src.ops.reduce import (  # noqa: F401
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    cumsum,
    logsumexp,
    mean,
    prod,
    std,
    sum,
    var,
)
from mind.core._src.ops.resize import *  # noqa: F403
from mind.core._src.ops.scatter import *  # noqa: F403
from mind.core._src.ops.sparse import *  # noqa: F403
from mind.core._src.ops.special import *  # noqa: F403
