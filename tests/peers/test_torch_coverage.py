"""PyTorch is the second reference for every Mind op it also has: each name that Mind's functional
ops (``mind.core.ops.__all__``) or Tensor methods share with PyTorch (``torch.<name>``,
``torch.nn.functional``, ``torch.linalg``, ``torch.special``, ``torch.fft``, ``torch.Tensor``) is
compared in a tests/peers file (``COMPARED``, by file) or listed in ``NOT_COMPARED`` with the
reason. A new shared name that is in neither fails ``test_every_shared_name_is_accounted_for``.

A Tensor method named like a shared functional op counts as that op (it calls it with the tensor
first); any other method PyTorch's Tensor has is keyed ``"Tensor.<name>"``.
``COMPARED`` is checked against the files: each name it gives a file must occur there as an
attribute (``ops.<name>``, ``t.<name>(...)``) or as a string in a case table, so an entry cannot
outlive its comparison.
"""

import ast
import inspect
from pathlib import Path

import torch
import torch.nn.functional as TF

from mind.core import Tensor, ops

HERE = Path(__file__).parent
PEER_SPACES = (torch, TF, torch.linalg, torch.special, torch.fft)


def _names(*texts):
    """A set of names from whitespace-separated text (one text per area)."""
    return {name for text in texts for name in text.split()}


# What each peer file compares with PyTorch (forward values, and gradients where there are any).
COMPARED = {
    "test_torch_array.py": _names(
        """
        addbmm addmv addr block_diag combinations cov diagflat diagonal_scatter dist histc
        logcumsumexp logdet median nansum renorm select_scatter slice_scatter svd tensor_split
        trapz vander
        """
    ),
    "test_torch_complex.py": _names(
        """
        abs add angle asin asinh atan complex conj cos div exp imag log matmul mean mul polar
        pow real reciprocal sin sinh sqrt square sub sum tan tanh view_as_real
        """
    ),
    "test_torch_fft.py": _names(
        """
        fft fft2 fftfreq fftshift hfft hfft2 hfftn ifft ifftn ifftshift ihfft ihfft2 ihfftn
        irfft irfft2 irfftn rfft rfft2 rfftfreq rfftn stft
        """
    ),
    "test_torch_hooks_jet.py": _names("Tensor.register_hook"),
    "test_torch_image_ops.py": _names("affine_grid grid_sample"),
    "test_torch_indexing.py": _names(
        """
        argsort bincount bucketize chunk count_nonzero cummax cummin cumprod diff flip fliplr
        flipud index_select linspace masked_fill masked_select meshgrid movedim narrow nonzero
        repeat_interleave roll rot90 searchsorted select sort swapaxes t topk tril_indices
        triu_indices unbind unique unique_consecutive
        """
    ),
    "test_torch_linalg.py": _names(
        """
        addmm adjoint baddbmm cdist cholesky cond cosine_similarity cross det diag diag_embed
        diagonal dot einsum inner inverse kron mm outer pdist pinv slogdet svdvals trace
        """
    ),
    "test_torch_losses.py": _names(
        """
        binary_cross_entropy cosine_embedding_loss gaussian_nll_loss hinge_embedding_loss
        huber_loss kl_div margin_ranking_loss multi_margin_loss multilabel_soft_margin_loss
        poisson_nll_loss soft_margin_loss triplet_margin_loss
        """
    ),
    "test_torch_nn_basic.py": _names("ctc_loss log_softmax multilabel_margin_loss"),
    "test_torch_ops.py": _names(
        """
        acos acosh addcdiv addcmul atan2 atanh celu conv_transpose2d cosh deg2rad erfc exp2
        expm1 fmod frac glu hardshrink hardsigmoid hardswish hardtanh hypot interpolate lerp
        log10 log2 logaddexp logit logsigmoid mish prelu rad2deg relu6 selu sinc softshrink
        softsign tanhshrink xlogy
        """
    ),
    "test_torch_pooling.py": _names(
        """
        adaptive_avg_pool1d adaptive_avg_pool3d adaptive_max_pool1d adaptive_max_pool2d
        adaptive_max_pool3d avg_pool1d avg_pool3d channel_shuffle conv3d fold
        fractional_max_pool2d fractional_max_pool3d lp_pool1d lp_pool2d max_pool3d max_unpool3d
        pad pixel_shuffle pixel_unshuffle unfold
        """
    ),
    "test_torch_special.py": _names(
        """
        bartlett_window bessel_j0 bessel_j1 bessel_y0 bessel_y1 blackman_window copysign digamma
        erfinv float_power fmax fmin hamming_window hann_window igamma igammac kaiser_window
        ldexp lgamma logaddexp2 mvlgamma polygamma zeta
        """
    ),
    "test_torch_more.py": _names(
        # elementwise math
        """
        absolute arccos arccosh arcsin arcsinh arctan arctanh erf log1p rsqrt neg negative
        positive i0 nan_to_num trunc sign sgn floor ceil round arctan2 remainder true_divide
        divide multiply subtract maximum minimum floor_divide heaviside nextafter clamp clip gcd
        lcm bitwise_and bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift isfinite
        isinf isnan
        """,
        # comparisons and predicates
        """
        eq ne not_equal ge gt le lt greater greater_equal less less_equal logical_and logical_or
        logical_xor logical_not isneginf isposinf isreal signbit isclose equal argwhere
        is_complex is_floating_point is_tensor is_nonzero numel
        """,
        # activations
        """
        silu gelu elu softplus leaky_relu threshold softmax softmin relu sigmoid
        """,
        # reductions and scans
        """
        logsumexp cumsum nanmean std var std_mean var_mean max min nanmedian aminmax argmax
        argmin all any prod amax amin norm vector_norm matrix_norm vecdot msort
        """,
        # shape, joining, splitting
        """
        reshape permute transpose moveaxis swapdims unsqueeze squeeze tile broadcast_to flatten
        ravel atleast_1d atleast_2d atleast_3d tril triu cat concat stack hstack vstack dstack
        column_stack row_stack split hsplit vsplit dsplit
        """,
        # gather, scatter, where
        """
        gather scatter scatter_add index_add index_fill where Tensor.take Tensor.masked_scatter
        """,
        # creation
        """
        arange eye ones zeros full full_like ones_like zeros_like logspace one_hot
        """,
        # linear algebra and fft
        """
        bmm mv ger pinverse cholesky_solve lu_solve lu_unpack eig eigvals geqrf orgqr ormqr
        Tensor.triangular_solve fftn ifft2
        """,
        # nn
        """
        conv1d conv2d avg_pool2d max_pool2d adaptive_avg_pool2d max_unpool1d max_unpool2d
        batch_norm layer_norm group_norm embedding upsample l1_loss mse_loss smooth_l1_loss
        nll_loss cross_entropy binary_cross_entropy_with_logits
        """,
        # transformations and fill
        """
        vmap while_loop fill
        """,
        # Tensor methods
        """
        Tensor.expand Tensor.expand_as Tensor.repeat Tensor.view Tensor.view_as
        Tensor.reshape_as Tensor.sum_to_size Tensor.clone Tensor.contiguous Tensor.resize
        Tensor.to Tensor.add_ Tensor.sub_ Tensor.mul_ Tensor.div_ Tensor.floor_divide_
        Tensor.copy_ Tensor.exp_ Tensor.floor_ Tensor.clamp_ Tensor.fill_ Tensor.zero_
        Tensor.masked_fill_ Tensor.addmm_ Tensor.scatter_ Tensor.scatter_add_ Tensor.index_add_
        Tensor.index_put Tensor.index_put_ Tensor.new_zeros Tensor.new_ones Tensor.new_full
        Tensor.new_empty Tensor.float Tensor.double Tensor.half Tensor.bfloat16 Tensor.int
        Tensor.long Tensor.short Tensor.byte Tensor.bool Tensor.type_as Tensor.dim
        Tensor.ndimension Tensor.nelement Tensor.is_contiguous Tensor.storage_offset
        Tensor.stride Tensor.is_signed Tensor.tolist Tensor.item Tensor.allclose Tensor.numpy
        Tensor.bitwise_not
        """,
    ),
}

_RANDOM = "a random draw: Mind's generator is not PyTorch's, so the values cannot agree"

# Shared names that are not compared, each with its reason.
NOT_COMPARED = {
    # different semantics under the same name (MindSpore's, which Mind follows)
    "inv": "MindSpore's ops.inv is the elementwise reciprocal; torch.linalg.inv a matrix inverse",
    "range": "MindSpore's ops.range stops below 'end' (as arange); torch.range includes 'end'",
    "Tensor.size": "MindSpore's Tensor.size is the element count (a property); torch's the shape",
    "Tensor.type": "MindSpore's Tensor.type() names the dtype ('Float64'); torch's the class",
    "Tensor.storage": "PyTorch's storage objects: Mind's tensors own contiguous arrays, none",
    "Tensor.untyped_storage": "PyTorch's storage objects: Mind's tensors own contiguous arrays",
    # random draws
    "bernoulli": _RANDOM,
    "multinomial": _RANDOM,
    "normal": _RANDOM,
    "poisson": _RANDOM,
    "rand": _RANDOM,
    "rand_like": _RANDOM,
    "randint": _RANDOM,
    "randint_like": _RANDOM,
    "randn": _RANDOM,
    "randn_like": _RANDOM,
    "randperm": _RANDOM,
    "gumbel_softmax": _RANDOM,
    "rrelu": _RANDOM,
    "dropout": _RANDOM,
    "dropout1d": _RANDOM,
    "dropout2d": _RANDOM,
    "dropout3d": _RANDOM,
    "Tensor.exponential_": _RANDOM,
    "Tensor.normal_": _RANDOM,
    "Tensor.random_": _RANDOM,
    "Tensor.uniform_": _RANDOM,
}


def _shared_names():
    """Mind's functional ops and Tensor methods whose names PyTorch also has."""

    def in_torch(name, spaces):
        return any(callable(getattr(space, name, None)) for space in spaces)

    functional = {
        name
        for name in ops.__all__
        if callable(getattr(ops, name)) and not inspect.isclass(getattr(ops, name))
    }
    names = {name for name in functional if in_torch(name, PEER_SPACES)}
    methods = {name for name in dir(Tensor) if not name.startswith("_")}
    names |= {
        f"Tensor.{name}" for name in methods - names if callable(getattr(torch.Tensor, name, None))
    }
    return names


def _compared():
    return set().union(*COMPARED.values())


def test_every_shared_name_is_accounted_for():
    missing = sorted(_shared_names() - _compared() - set(NOT_COMPARED))
    assert not missing, (
        f"{len(missing)} ops Mind shares with PyTorch are neither compared in a tests/peers file "
        f"nor listed in NOT_COMPARED with a reason: {missing}"
    )


def test_no_stale_or_doubled_entries():
    shared = _shared_names()
    stale = sorted((_compared() | set(NOT_COMPARED)) - shared)
    assert not stale, f"no longer shared with PyTorch (remove them): {stale}"
    both = sorted(_compared() & set(NOT_COMPARED))
    assert not both, f"both compared and listed as not compared: {both}"


def test_each_reason_is_a_sentence():
    for name, reason in NOT_COMPARED.items():
        assert isinstance(reason, str) and len(reason.split()) >= 5, name


def _names_in(path):
    """The attribute names and the string constants of a file's code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    return names


def test_each_compared_name_occurs_in_its_file():
    for file, names in COMPARED.items():
        present = _names_in(HERE / file)
        absent = sorted(n for n in names if n.removeprefix("Tensor.") not in present)
        assert not absent, f"{file} is said to compare {absent}, but never names them"
