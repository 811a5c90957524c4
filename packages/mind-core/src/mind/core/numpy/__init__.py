"""``mindspore.numpy``: numpy's functions on Mind Tensors.

Every function takes Tensors, Python numbers and (nested) lists, returns Tensors, and is composed
from ``mind.core.ops``, so it differentiates with ``grad`` and traces under ``jit`` wherever
shapes are static. MindSpore's conventions apply where they differ from numpy's: Python ints
become int32 and floats float32, float creation functions default to float32, ``divide`` of
integers gives float32, ``take``/``choose`` clip out-of-range indices by default.

    import mind.core.numpy as mnp

    x = mnp.linspace(0, 1, 5)            # float32
    y = mnp.sum(mnp.square(x)) / x.size
    m = mnp.matmul(mnp.eye(3), mnp.arange(9).reshape(3, 3))

Functions whose output shape depends on the values (``unique``, ``argwhere``, ``where`` with one
argument, ``setdiff1d``, ``intersect1d``, ``bincount`` without ``length``) run eagerly only.
Supported devices: every device with Mind's core kernels (``cpu``, ``native``).
"""

from __future__ import annotations

from mind.core.common.dtype import bool_ as bool_
from mind.core.common.dtype import float16 as float16
from mind.core.common.dtype import float32 as float32
from mind.core.common.dtype import float64 as float64
from mind.core.common.dtype import int8 as int8
from mind.core.common.dtype import int16 as int16
from mind.core.common.dtype import int32 as int32
from mind.core.common.dtype import int64 as int64
from mind.core.common.dtype import uint8 as uint8
from mind.core.common.dtype import uint16 as uint16
from mind.core.common.dtype import uint32 as uint32
from mind.core.common.dtype import uint64 as uint64
from mind.core.numpy._array import append as append
from mind.core.numpy._array import apply_along_axis as apply_along_axis
from mind.core.numpy._array import apply_over_axes as apply_over_axes
from mind.core.numpy._array import argwhere as argwhere
from mind.core.numpy._array import array_split as array_split
from mind.core.numpy._array import array_str as array_str
from mind.core.numpy._array import atleast_1d as atleast_1d
from mind.core.numpy._array import atleast_2d as atleast_2d
from mind.core.numpy._array import atleast_3d as atleast_3d
from mind.core.numpy._array import broadcast_arrays as broadcast_arrays
from mind.core.numpy._array import broadcast_to as broadcast_to
from mind.core.numpy._array import choose as choose
from mind.core.numpy._array import column_stack as column_stack
from mind.core.numpy._array import concatenate as concatenate
from mind.core.numpy._array import dsplit as dsplit
from mind.core.numpy._array import dstack as dstack
from mind.core.numpy._array import expand_dims as expand_dims
from mind.core.numpy._array import flip as flip
from mind.core.numpy._array import fliplr as fliplr
from mind.core.numpy._array import flipud as flipud
from mind.core.numpy._array import hsplit as hsplit
from mind.core.numpy._array import hstack as hstack
from mind.core.numpy._array import intersect1d as intersect1d
from mind.core.numpy._array import moveaxis as moveaxis
from mind.core.numpy._array import piecewise as piecewise
from mind.core.numpy._array import ravel as ravel
from mind.core.numpy._array import repeat as repeat
from mind.core.numpy._array import reshape as reshape
from mind.core.numpy._array import roll as roll
from mind.core.numpy._array import rollaxis as rollaxis
from mind.core.numpy._array import rot90 as rot90
from mind.core.numpy._array import select as select
from mind.core.numpy._array import size as size
from mind.core.numpy._array import split as split
from mind.core.numpy._array import squeeze as squeeze
from mind.core.numpy._array import stack as stack
from mind.core.numpy._array import swapaxes as swapaxes
from mind.core.numpy._array import take as take
from mind.core.numpy._array import take_along_axis as take_along_axis
from mind.core.numpy._array import tile as tile
from mind.core.numpy._array import transpose as transpose
from mind.core.numpy._array import unique as unique
from mind.core.numpy._array import unravel_index as unravel_index
from mind.core.numpy._array import vsplit as vsplit
from mind.core.numpy._array import vstack as vstack
from mind.core.numpy._array import where as where
from mind.core.numpy._creation import arange as arange
from mind.core.numpy._creation import array as array
from mind.core.numpy._creation import asarray as asarray
from mind.core.numpy._creation import asfarray as asfarray
from mind.core.numpy._creation import bartlett as bartlett
from mind.core.numpy._creation import blackman as blackman
from mind.core.numpy._creation import copy as copy
from mind.core.numpy._creation import diag as diag
from mind.core.numpy._creation import diag_indices as diag_indices
from mind.core.numpy._creation import diagflat as diagflat
from mind.core.numpy._creation import diagonal as diagonal
from mind.core.numpy._creation import empty as empty
from mind.core.numpy._creation import empty_like as empty_like
from mind.core.numpy._creation import eye as eye
from mind.core.numpy._creation import full as full
from mind.core.numpy._creation import full_like as full_like
from mind.core.numpy._creation import geomspace as geomspace
from mind.core.numpy._creation import hamming as hamming
from mind.core.numpy._creation import hanning as hanning
from mind.core.numpy._creation import histogram_bin_edges as histogram_bin_edges
from mind.core.numpy._creation import identity as identity
from mind.core.numpy._creation import indices as indices
from mind.core.numpy._creation import ix_ as ix_
from mind.core.numpy._creation import linspace as linspace
from mind.core.numpy._creation import logspace as logspace
from mind.core.numpy._creation import meshgrid as meshgrid
from mind.core.numpy._creation import mgrid as mgrid
from mind.core.numpy._creation import ogrid as ogrid
from mind.core.numpy._creation import ones as ones
from mind.core.numpy._creation import ones_like as ones_like
from mind.core.numpy._creation import pad as pad
from mind.core.numpy._creation import rand as rand
from mind.core.numpy._creation import randint as randint
from mind.core.numpy._creation import randn as randn
from mind.core.numpy._creation import trace as trace
from mind.core.numpy._creation import tri as tri
from mind.core.numpy._creation import tril as tril
from mind.core.numpy._creation import tril_indices as tril_indices
from mind.core.numpy._creation import tril_indices_from as tril_indices_from
from mind.core.numpy._creation import triu as triu
from mind.core.numpy._creation import triu_indices as triu_indices
from mind.core.numpy._creation import triu_indices_from as triu_indices_from
from mind.core.numpy._creation import vander as vander
from mind.core.numpy._creation import zeros as zeros
from mind.core.numpy._creation import zeros_like as zeros_like
from mind.core.numpy._linalg import bincount as bincount
from mind.core.numpy._linalg import convolve as convolve
from mind.core.numpy._linalg import corrcoef as corrcoef
from mind.core.numpy._linalg import correlate as correlate
from mind.core.numpy._linalg import cov as cov
from mind.core.numpy._linalg import cross as cross
from mind.core.numpy._linalg import diff as diff
from mind.core.numpy._linalg import digitize as digitize
from mind.core.numpy._linalg import dot as dot
from mind.core.numpy._linalg import ediff1d as ediff1d
from mind.core.numpy._linalg import gradient as gradient
from mind.core.numpy._linalg import histogram as histogram
from mind.core.numpy._linalg import histogram2d as histogram2d
from mind.core.numpy._linalg import histogramdd as histogramdd
from mind.core.numpy._linalg import inner as inner
from mind.core.numpy._linalg import interp as interp
from mind.core.numpy._linalg import kron as kron
from mind.core.numpy._linalg import matmul as matmul
from mind.core.numpy._linalg import matrix_power as matrix_power
from mind.core.numpy._linalg import multi_dot as multi_dot
from mind.core.numpy._linalg import norm as norm
from mind.core.numpy._linalg import outer as outer
from mind.core.numpy._linalg import polyadd as polyadd
from mind.core.numpy._linalg import polyder as polyder
from mind.core.numpy._linalg import polyint as polyint
from mind.core.numpy._linalg import polymul as polymul
from mind.core.numpy._linalg import polysub as polysub
from mind.core.numpy._linalg import polyval as polyval
from mind.core.numpy._linalg import promote_types as promote_types
from mind.core.numpy._linalg import ravel_multi_index as ravel_multi_index
from mind.core.numpy._linalg import result_type as result_type
from mind.core.numpy._linalg import searchsorted as searchsorted
from mind.core.numpy._linalg import tensordot as tensordot
from mind.core.numpy._linalg import trapz as trapz
from mind.core.numpy._linalg import unwrap as unwrap
from mind.core.numpy._logic import array_equal as array_equal
from mind.core.numpy._logic import array_equiv as array_equiv
from mind.core.numpy._logic import equal as equal
from mind.core.numpy._logic import greater as greater
from mind.core.numpy._logic import greater_equal as greater_equal
from mind.core.numpy._logic import in1d as in1d
from mind.core.numpy._logic import isclose as isclose
from mind.core.numpy._logic import isfinite as isfinite
from mind.core.numpy._logic import isin as isin
from mind.core.numpy._logic import isinf as isinf
from mind.core.numpy._logic import isnan as isnan
from mind.core.numpy._logic import isneginf as isneginf
from mind.core.numpy._logic import isposinf as isposinf
from mind.core.numpy._logic import isscalar as isscalar
from mind.core.numpy._logic import less as less
from mind.core.numpy._logic import less_equal as less_equal
from mind.core.numpy._logic import logical_and as logical_and
from mind.core.numpy._logic import logical_not as logical_not
from mind.core.numpy._logic import logical_or as logical_or
from mind.core.numpy._logic import logical_xor as logical_xor
from mind.core.numpy._logic import not_equal as not_equal
from mind.core.numpy._logic import setdiff1d as setdiff1d
from mind.core.numpy._logic import signbit as signbit
from mind.core.numpy._logic import sometrue as sometrue
from mind.core.numpy._math import absolute as absolute
from mind.core.numpy._math import add as add
from mind.core.numpy._math import amax as amax
from mind.core.numpy._math import amin as amin
from mind.core.numpy._math import arccos as arccos
from mind.core.numpy._math import arccosh as arccosh
from mind.core.numpy._math import arcsin as arcsin
from mind.core.numpy._math import arcsinh as arcsinh
from mind.core.numpy._math import arctan as arctan
from mind.core.numpy._math import arctan2 as arctan2
from mind.core.numpy._math import arctanh as arctanh
from mind.core.numpy._math import argmax as argmax
from mind.core.numpy._math import argmin as argmin
from mind.core.numpy._math import around as around
from mind.core.numpy._math import average as average
from mind.core.numpy._math import bitwise_and as bitwise_and
from mind.core.numpy._math import bitwise_or as bitwise_or
from mind.core.numpy._math import bitwise_xor as bitwise_xor
from mind.core.numpy._math import cbrt as cbrt
from mind.core.numpy._math import ceil as ceil
from mind.core.numpy._math import clip as clip
from mind.core.numpy._math import copysign as copysign
from mind.core.numpy._math import cos as cos
from mind.core.numpy._math import cosh as cosh
from mind.core.numpy._math import count_nonzero as count_nonzero
from mind.core.numpy._math import cumprod as cumprod
from mind.core.numpy._math import cumsum as cumsum
from mind.core.numpy._math import deg2rad as deg2rad
from mind.core.numpy._math import divide as divide
from mind.core.numpy._math import divmod as divmod
from mind.core.numpy._math import exp as exp
from mind.core.numpy._math import exp2 as exp2
from mind.core.numpy._math import expm1 as expm1
from mind.core.numpy._math import fix as fix
from mind.core.numpy._math import float_power as float_power
from mind.core.numpy._math import floor as floor
from mind.core.numpy._math import floor_divide as floor_divide
from mind.core.numpy._math import fmod as fmod
from mind.core.numpy._math import gcd as gcd
from mind.core.numpy._math import heaviside as heaviside
from mind.core.numpy._math import hypot as hypot
from mind.core.numpy._math import invert as invert
from mind.core.numpy._math import lcm as lcm
from mind.core.numpy._math import log as log
from mind.core.numpy._math import log1p as log1p
from mind.core.numpy._math import log2 as log2
from mind.core.numpy._math import log10 as log10
from mind.core.numpy._math import logaddexp as logaddexp
from mind.core.numpy._math import logaddexp2 as logaddexp2
from mind.core.numpy._math import maximum as maximum
from mind.core.numpy._math import mean as mean
from mind.core.numpy._math import minimum as minimum
from mind.core.numpy._math import multiply as multiply
from mind.core.numpy._math import nancumsum as nancumsum
from mind.core.numpy._math import nanmax as nanmax
from mind.core.numpy._math import nanmean as nanmean
from mind.core.numpy._math import nanmin as nanmin
from mind.core.numpy._math import nanstd as nanstd
from mind.core.numpy._math import nansum as nansum
from mind.core.numpy._math import nanvar as nanvar
from mind.core.numpy._math import negative as negative
from mind.core.numpy._math import positive as positive
from mind.core.numpy._math import power as power
from mind.core.numpy._math import ptp as ptp
from mind.core.numpy._math import rad2deg as rad2deg
from mind.core.numpy._math import radians as radians
from mind.core.numpy._math import reciprocal as reciprocal
from mind.core.numpy._math import remainder as remainder
from mind.core.numpy._math import rint as rint
from mind.core.numpy._math import sign as sign
from mind.core.numpy._math import sin as sin
from mind.core.numpy._math import sinh as sinh
from mind.core.numpy._math import sqrt as sqrt
from mind.core.numpy._math import square as square
from mind.core.numpy._math import std as std
from mind.core.numpy._math import subtract as subtract
from mind.core.numpy._math import sum as sum
from mind.core.numpy._math import tan as tan
from mind.core.numpy._math import tanh as tanh
from mind.core.numpy._math import true_divide as true_divide
from mind.core.numpy._math import trunc as trunc
from mind.core.numpy._math import var as var

# MindSpore's numpy dtype names and constants (int_ is int32 there, unlike mind.core.int_).
int_ = int32
uint = uint32
float_ = float32
inf = float("inf")
PINF = float("inf")
NINF = float("-inf")
nan = float("nan")
pi = 3.141592653589793
e = 2.718281828459045

# MindSpore's aliases.
abs = absolute
fabs = absolute
mod = remainder
round = around
max = amax
min = amin
bitwise_not = invert

__all__ = [
    "NINF",
    "PINF",
    "abs",
    "absolute",
    "add",
    "amax",
    "amin",
    "append",
    "apply_along_axis",
    "apply_over_axes",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argwhere",
    "around",
    "array",
    "array_equal",
    "array_equiv",
    "array_split",
    "array_str",
    "asarray",
    "asfarray",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "average",
    "bartlett",
    "bincount",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "blackman",
    "bool_",
    "broadcast_arrays",
    "broadcast_to",
    "cbrt",
    "ceil",
    "choose",
    "clip",
    "column_stack",
    "concatenate",
    "convolve",
    "copy",
    "copysign",
    "corrcoef",
    "correlate",
    "cos",
    "cosh",
    "count_nonzero",
    "cov",
    "cross",
    "cumprod",
    "cumsum",
    "deg2rad",
    "diag",
    "diag_indices",
    "diagflat",
    "diagonal",
    "diff",
    "digitize",
    "divide",
    "divmod",
    "dot",
    "dsplit",
    "dstack",
    "e",
    "ediff1d",
    "empty",
    "empty_like",
    "equal",
    "exp",
    "exp2",
    "expand_dims",
    "expm1",
    "eye",
    "fabs",
    "fix",
    "flip",
    "fliplr",
    "flipud",
    "float16",
    "float32",
    "float64",
    "float_",
    "float_power",
    "floor",
    "floor_divide",
    "fmod",
    "full",
    "full_like",
    "gcd",
    "geomspace",
    "gradient",
    "greater",
    "greater_equal",
    "hamming",
    "hanning",
    "heaviside",
    "histogram",
    "histogram2d",
    "histogram_bin_edges",
    "histogramdd",
    "hsplit",
    "hstack",
    "hypot",
    "identity",
    "in1d",
    "indices",
    "inf",
    "inner",
    "int8",
    "int16",
    "int32",
    "int64",
    "int_",
    "interp",
    "intersect1d",
    "invert",
    "isclose",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isscalar",
    "ix_",
    "kron",
    "lcm",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logspace",
    "matmul",
    "matrix_power",
    "max",
    "maximum",
    "mean",
    "meshgrid",
    "mgrid",
    "min",
    "minimum",
    "mod",
    "moveaxis",
    "multi_dot",
    "multiply",
    "nan",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanstd",
    "nansum",
    "nanvar",
    "negative",
    "norm",
    "not_equal",
    "ogrid",
    "ones",
    "ones_like",
    "outer",
    "pad",
    "pi",
    "piecewise",
    "polyadd",
    "polyder",
    "polyint",
    "polymul",
    "polysub",
    "polyval",
    "positive",
    "power",
    "promote_types",
    "ptp",
    "rad2deg",
    "radians",
    "rand",
    "randint",
    "randn",
    "ravel",
    "ravel_multi_index",
    "reciprocal",
    "remainder",
    "repeat",
    "reshape",
    "result_type",
    "rint",
    "roll",
    "rollaxis",
    "rot90",
    "round",
    "searchsorted",
    "select",
    "setdiff1d",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "size",
    "sometrue",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "swapaxes",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "trace",
    "transpose",
    "trapz",
    "tri",
    "tril",
    "tril_indices",
    "tril_indices_from",
    "triu",
    "triu_indices",
    "triu_indices_from",
    "true_divide",
    "trunc",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "unique",
    "unravel_index",
    "unwrap",
    "vander",
    "var",
    "vsplit",
    "vstack",
    "where",
    "zeros",
    "zeros_like",
]
