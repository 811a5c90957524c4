"""The ops of ``_src/ops/pooling.py``, their Primitive classes and the layers of ``nn/pooling.py``
and ``nn/conv.py``: forward against brute-force numpy references (loops over every window,
written independently of the ops' compositions), gradients against finite differences, jit and
vmap cases, and MindSpore's argument conventions."""

import itertools

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, nn, ops
from mind.core.errors import MindTypeError, MindValueError
from mind.core.ops import operations as P
from mind.core.testing import check_grads

rng = np.random.default_rng(11)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def np_(t):
    return t.asnumpy()


# ------------------------------------------------------------------------------------------------
# numpy references
# ------------------------------------------------------------------------------------------------


def out_len(size, k, s, d, lo, hi, ceil):
    span = size + lo + hi - d * (k - 1) - 1
    if not ceil:
        return span // s + 1
    n = int(np.ceil(span / s)) + 1
    return n - 1 if (n - 1) * s >= size + lo else n


def ref_pool(x, kind, kernel, stride, pads, dilation=None, ceil=False, include=True, divisor=0):
    """Loops over every output position: max (value, flat index) or average."""
    spatial = x.shape[2:]
    nd = len(spatial)
    dilation = dilation or (1,) * nd
    outs = [
        out_len(spatial[i], kernel[i], stride[i], dilation[i], pads[2 * i], pads[2 * i + 1], ceil)
        for i in range(nd)
    ]
    vals = np.zeros(x.shape[:2] + tuple(outs))
    idx = np.zeros(x.shape[:2] + tuple(outs), dtype=np.int64)
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        for pos in itertools.product(*(range(o) for o in outs)):
            starts = [pos[i] * stride[i] - pads[2 * i] for i in range(nd)]
            best, where, total, inside = -np.inf, -1, 0.0, 0
            for tap in itertools.product(*(range(k) for k in kernel)):
                at = [starts[i] + tap[i] * dilation[i] for i in range(nd)]
                if all(0 <= at[i] < spatial[i] for i in range(nd)):
                    v = x[(n, c, *at)]
                    inside += 1
                    total += v
                    if v > best:
                        best, where = v, int(np.ravel_multi_index(at, spatial))
            if kind == "max":
                vals[(n, c, *pos)], idx[(n, c, *pos)] = best, where
            else:
                if divisor:
                    count = divisor
                elif include:
                    count = 1
                    for i in range(nd):
                        end = min(starts[i] + kernel[i], spatial[i] + pads[2 * i + 1])
                        count *= end - starts[i]
                else:
                    count = inside
                vals[(n, c, *pos)] = total / count
    return (vals, idx) if kind == "max" else vals


def ref_adaptive(x, size, kind):
    spatial = x.shape[2:]
    bins = [[(i * s // o, -(-(i + 1) * s // o)) for i in range(o)] for s, o in zip(spatial, size)]
    vals = np.zeros(x.shape[:2] + tuple(size))
    idx = np.zeros(x.shape[:2] + tuple(size), dtype=np.int64)
    for pos in itertools.product(*(range(o) for o in size)):
        box = tuple(slice(*bins[d][p]) for d, p in enumerate(pos))
        block = x[(slice(None), slice(None), *box)]
        if kind == "avg":
            vals[(..., *pos)] = block.mean(axis=tuple(range(2, x.ndim)))
        else:
            flat = block.reshape(*x.shape[:2], -1)
            vals[(..., *pos)] = flat.max(-1)
            local = np.unravel_index(flat.argmax(-1), block.shape[2:])
            at = [local[d] + bins[d][pos[d]][0] for d in range(len(size))]
            idx[(..., *pos)] = np.ravel_multi_index(at, spatial)
    return vals, idx


def ref_conv3d(x, w, stride, pads, dilation, groups):
    xp = np.pad(x, ((0, 0), (0, 0), *zip(pads[::2], pads[1::2])))
    o, cg = w.shape[:2]
    outs = [
        (xp.shape[2 + i] - dilation[i] * (w.shape[2 + i] - 1) - 1) // stride[i] + 1
        for i in range(3)
    ]
    out = np.zeros((x.shape[0], o, *outs))
    og = o // groups
    for tap in itertools.product(*(range(k) for k in w.shape[2:])):
        view = tuple(
            slice(
                tap[i] * dilation[i],
                tap[i] * dilation[i] + stride[i] * (outs[i] - 1) + 1,
                stride[i],
            )
            for i in range(3)
        )
        patch = xp[(slice(None), slice(None), *view)]
        for g in range(groups):
            wg = w[g * og : (g + 1) * og, :, tap[0], tap[1], tap[2]]
            pg = patch[:, g * cg : (g + 1) * cg]
            out[:, g * og : (g + 1) * og] += np.einsum("oc,ncdhw->nodhw", wg, pg)
    return out


def ref_conv3d_transpose(x, w, stride, dilation, groups, lo, out):
    n, cin = x.shape[:2]
    og = w.shape[1]
    cpg = cin // groups
    kernel = w.shape[2:]
    full = [(x.shape[2 + i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 for i in range(3)]
    size = [max(full[i], lo[i] + out[i]) for i in range(3)]
    acc = np.zeros((n, og * groups, *size))
    for pos in itertools.product(*(range(s) for s in x.shape[2:])):
        for tap in itertools.product(*(range(k) for k in kernel)):
            at = tuple(pos[i] * stride[i] + tap[i] * dilation[i] for i in range(3))
            for g in range(groups):
                xin = x[(slice(None), slice(g * cpg, (g + 1) * cpg), *pos)]  # (n, cpg)
                wg = w[(slice(g * cpg, (g + 1) * cpg), slice(None), *tap)]  # (cpg, og)
                acc[(slice(None), slice(g * og, (g + 1) * og), *at)] += xin @ wg
    return acc[:, :, lo[0] : lo[0] + out[0], lo[1] : lo[1] + out[1], lo[2] : lo[2] + out[2]]


def ref_unfold(x, kernel, dilation, pads, stride):
    xp = np.pad(x, ((0, 0), (0, 0), pads[:2], pads[2:]))
    oh = (xp.shape[2] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
    ow = (xp.shape[3] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
    cols = np.zeros((x.shape[0], x.shape[1], kernel[0], kernel[1], oh, ow))
    for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
        for a, b in itertools.product(range(oh), range(ow)):
            cols[:, :, i, j, a, b] = xp[
                :, :, a * stride[0] + i * dilation[0], b * stride[1] + j * dilation[1]
            ]
    return cols.reshape(x.shape[0], -1, oh * ow)


# ------------------------------------------------------------------------------------------------
# Average pooling
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "ceil", "include"),
    [
        (2, 2, 0, False, True),
        (3, 2, 1, False, True),
        (3, 2, 1, True, True),
        (3, 2, 1, True, False),
        (4, 3, 2, True, False),
        (1, 1, 0, False, True),
    ],
)
def test_avg_pool1d_matches_reference(kernel, stride, padding, ceil, include):
    x = r(2, 3, 9)
    got = ops.avg_pool1d(Tensor(x), kernel, stride, padding, ceil, include)
    want = ref_pool(x, "avg", (kernel,), (stride,), (padding, padding), ceil=ceil, include=include)
    np.testing.assert_allclose(np_(got), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "ceil", "include", "divisor"),
    [
        ((2, 2, 2), 2, 0, False, True, 0),
        ((3, 2, 3), (2, 1, 2), 1, False, True, 0),
        (3, 2, (1, 0, 1, 1, 0, 1), True, True, 0),
        (3, 2, 1, True, False, 0),
        (2, 1, 1, False, True, 5),
    ],
)
def test_avg_pool3d_matches_reference(kernel, stride, padding, ceil, include, divisor):
    x = r(2, 2, 5, 6, 7)
    got = ops.avg_pool3d(Tensor(x), kernel, stride, padding, ceil, include, divisor)
    k = (kernel,) * 3 if isinstance(kernel, int) else kernel
    s = (stride,) * 3 if isinstance(stride, int) else stride
    p = (padding,) * 6 if isinstance(padding, int) else padding
    want = ref_pool(x, "avg", k, s, p, ceil=ceil, include=include, divisor=divisor)
    np.testing.assert_allclose(np_(got), want, rtol=1e-5, atol=1e-6)


def test_avg_pool_gradients():
    check_grads(lambda x: ops.avg_pool1d(x, 3, 2, 1, True, False), [r(2, 2, 8)])
    check_grads(lambda x: ops.avg_pool3d(x, 2, 2, 1, True, True), [r(1, 2, 3, 4, 5)])
    check_grads(lambda x: ops.avg_pool3d(x, 3, 2, 1, False, False), [r(1, 2, 4, 4, 4)])


def test_avg_pool_layers_and_same_padding():
    x = r(2, 3, 4, 5, 6)
    got = nn.AvgPool3d(3, 2, "pad", 1, count_include_pad=False)(Tensor(x))
    np.testing.assert_allclose(
        np_(got),
        ref_pool(x, "avg", (3,) * 3, (2,) * 3, (1,) * 6, include=False),
        rtol=1e-5,
        atol=1e-6,
    )
    # "same": padded as TensorFlow does (the extra at the end), the padding never counted.
    x1 = r(2, 3, 7)
    got = nn.AvgPool1d(3, 2, "same")(Tensor(x1))
    np.testing.assert_allclose(
        np_(got), ref_pool(x1, "avg", (3,), (2,), (1, 1), include=False), rtol=1e-5
    )
    # Unbatched input keeps its rank.
    assert nn.AvgPool1d(2, 2)(Tensor(x1[0])).shape == (3, 3)
    assert nn.AvgPool3d(2, 2)(Tensor(x[0])).shape == (3, 2, 2, 3)
    with pytest.raises(MindValueError, match="padding"):
        nn.AvgPool3d(2, 2, "valid", 1)
    with pytest.raises(MindValueError, match="pad_mode"):
        nn.AvgPool1d(2, 2, "full")


# ------------------------------------------------------------------------------------------------
# Max pooling
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "dilation", "ceil"),
    [
        (2, None, 0, 1, False),
        (3, 2, 1, 1, False),
        (3, 2, 1, 1, True),
        (2, 1, 1, 2, False),
        ((2, 3, 2), (1, 2, 2), (1, 1, 0), (2, 1, 1), True),
    ],
)
def test_max_pool3d_matches_reference(kernel, stride, padding, dilation, ceil):
    x = r(2, 2, 5, 6, 7)
    out, idx = ops.max_pool3d(Tensor(x), kernel, stride, padding, dilation, ceil, True)
    k = (kernel,) * 3 if isinstance(kernel, int) else kernel
    s = k if stride is None else ((stride,) * 3 if isinstance(stride, int) else stride)
    p = padding if isinstance(padding, tuple) else (padding,) * 3
    d = (dilation,) * 3 if isinstance(dilation, int) else dilation
    want, want_idx = ref_pool(x, "max", k, s, tuple(v for q in p for v in (q, q)), d, ceil)
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    assert idx.dtype == ms.int64
    np.testing.assert_array_equal(
        np_(ops.max_pool3d(Tensor(x), kernel, stride, padding, dilation, ceil)), np_(out)
    )


def test_max_pool_gradient_routes_to_the_maximum():
    check_grads(lambda x: ops.max_pool3d(x, 2, 1, 1), [r(1, 2, 3, 4, 4)])
    check_grads(lambda x: ops.max_pool3d(x, 3, 2, 1, 2, True), [r(1, 1, 5, 5, 5)])
    check_grads(lambda x: nn.MaxPool1d(3, 2, "pad", 1, ceil_mode=True)(x), [r(2, 2, 8)])
    # Higher order: the gradient is linear in the cotangent, so its own gradient exists.
    check_grads(lambda x: ops.max_pool3d(x, 2), [r(1, 1, 4, 4, 4)], order=2)


def test_max_pool_layers():
    x = r(2, 3, 10)
    out, idx = nn.MaxPool1d(3, 2, "pad", 1, return_indices=True)(Tensor(x))
    want, want_idx = ref_pool(x, "max", (3,), (2,), (1, 1))
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    got = nn.MaxPool1d(3, 2, "same")(Tensor(x))  # TensorFlow's padding: 1 before, 1 after
    np.testing.assert_array_equal(
        np_(got), ref_pool(x, "max", (3,), (2,), (0, 1))[0].astype(np.float32)
    )
    x3 = r(3, 4, 5, 6)  # unbatched
    got = nn.MaxPool3d(2, 2)(Tensor(x3))
    np.testing.assert_array_equal(
        np_(got), ref_pool(x3[None], "max", (2,) * 3, (2,) * 3, (0,) * 6)[0][0].astype(np.float32)
    )
    with pytest.raises(MindValueError, match="half the kernel"):
        ops.max_pool3d(Tensor(r(1, 1, 4, 4, 4)), 2, 1, 2)


def test_max_pool_under_jit_and_vmap():
    x = r(2, 3, 4, 6, 6)
    f = ms.jit(lambda a: ops.max_pool3d(a, 2, return_indices=True))
    out, idx = f(Tensor(x))
    want, want_idx = ref_pool(x, "max", (2,) * 3, (2,) * 3, (0,) * 6)
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    g = ms.jit(ms.grad(lambda a: ops.max_pool3d(a, 2).sum()))(Tensor(x))
    np.testing.assert_array_equal(
        np_(g), np_(ms.grad(lambda a: ops.max_pool3d(a, 2).sum())(Tensor(x)))
    )
    assert np_(g).sum() == want.size
    batch = r(3, 2, 3, 4, 6, 6)
    got = ms.vmap(lambda a: ops.max_pool3d(a, 2))(Tensor(batch))
    for i in range(3):
        np.testing.assert_array_equal(np_(got)[i], np_(ops.max_pool3d(Tensor(batch[i]), 2)))


# ------------------------------------------------------------------------------------------------
# Adaptive pooling
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "size"), [(6, 2), (7, 3), (5, 5), (4, 7)])
def test_adaptive_1d_match_reference(length, size):
    x = r(2, 3, length)
    avg, _ = ref_adaptive(x, (size,), "avg")
    mx, _ = ref_adaptive(x, (size,), "max")
    np.testing.assert_allclose(
        np_(ops.adaptive_avg_pool1d(Tensor(x), size)), avg, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(
        np_(ops.adaptive_max_pool1d(Tensor(x), size)), mx.astype(np.float32)
    )
    np.testing.assert_allclose(
        np_(nn.AdaptiveAvgPool1d(size)(Tensor(x))), avg, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(np_(nn.AdaptiveMaxPool1d(size)(Tensor(x))), mx.astype(np.float32))


def test_adaptive_2d_and_3d_match_reference():
    x2, x3 = r(2, 3, 7, 5), r(2, 2, 5, 7, 6)
    out, idx = ops.adaptive_max_pool2d(Tensor(x2), (3, None), True)
    want, want_idx = ref_adaptive(x2, (3, 5), "max")
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    out, idx = ops.adaptive_max_pool3d(Tensor(x3), (2, 3, 4), True)
    want, want_idx = ref_adaptive(x3, (2, 3, 4), "max")
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    want, _ = ref_adaptive(x3, (3, 7, 2), "avg")
    np.testing.assert_allclose(
        np_(ops.adaptive_avg_pool3d(Tensor(x3), (3, None, 2))), want, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        np_(nn.AdaptiveAvgPool3d((3, None, 2))(Tensor(x3[0]))), want[0], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(
        np_(nn.AdaptiveMaxPool2d(2)(Tensor(x2[0]))),
        ref_adaptive(x2[:1], (2, 2), "max")[0][0].astype(np.float32),
    )
    got = nn.AdaptiveMaxPool3d(2, return_indices=True)(Tensor(x3))
    assert got[1].dtype == ms.int32  # MindSpore's AdaptiveMaxPool3D index type
    np.testing.assert_array_equal(np_(got[1]), ref_adaptive(x3, (2, 2, 2), "max")[1])
    with pytest.raises(MindTypeError, match="output_size"):
        ops.adaptive_max_pool2d(Tensor(x2), (1, 2, 3))


def test_adaptive_gradients_and_transforms():
    check_grads(lambda x: ops.adaptive_avg_pool1d(x, 3), [r(2, 2, 7)])
    check_grads(lambda x: ops.adaptive_avg_pool3d(x, (2, 3, 2)), [r(1, 2, 3, 5, 4)])
    check_grads(lambda x: ops.adaptive_max_pool2d(x, (2, 3)), [r(2, 2, 5, 7)])
    check_grads(lambda x: ops.adaptive_max_pool3d(x, 2), [r(1, 2, 3, 4, 5)])
    x = r(2, 3, 7, 5)
    f = ms.jit(lambda a: ops.adaptive_max_pool2d(a, (3, 2), True))
    out, idx = f(Tensor(x))
    np.testing.assert_array_equal(np_(idx), ref_adaptive(x, (3, 2), "max")[1])
    got = ms.vmap(lambda a: ops.adaptive_avg_pool1d(a, 2))(Tensor(r(4, 2, 3, 6)))
    assert got.shape == (4, 2, 3, 2)


# ------------------------------------------------------------------------------------------------
# Lp pooling and unpooling
# ------------------------------------------------------------------------------------------------


def test_lp_pool_is_the_p_norm_of_each_window():
    x = np.abs(r(2, 3, 8)) + 0.1
    want = np.stack([np.linalg.norm(x[..., i : i + 2], 3, axis=-1) for i in range(0, 8, 2)], -1)
    np.testing.assert_allclose(np_(ops.lp_pool1d(Tensor(x), 3, 2)), want, rtol=1e-5)
    np.testing.assert_allclose(np_(nn.LPPool1d(3, 2)(Tensor(x))), want, rtol=1e-5)
    x2 = np.abs(r(2, 3, 4, 6)) + 0.1
    want = np.sqrt((x2**2).reshape(2, 3, 2, 2, 3, 2).sum(axis=(3, 5)))
    np.testing.assert_allclose(np_(ops.lp_pool2d(Tensor(x2), 2, 2)), want, rtol=1e-5)
    np.testing.assert_allclose(np_(nn.LPPool2d(2, (2, 2), 2)(Tensor(x2))), want, rtol=1e-5)
    check_grads(lambda a: ops.lp_pool2d(a, 2, 2), [x2])
    check_grads(lambda a: ops.lp_pool1d(a, 1.5, 3, 2), [x])
    with pytest.raises(MindValueError, match="norm_type"):
        ops.lp_pool1d(Tensor(x), 0, 2)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_inverts_max_pool(nd):
    shape = (2, 3) + (4, 6, 4)[:nd]
    x = r(*shape)
    pooled, idx = ref_pool(x, "max", (2,) * nd, (2,) * nd, (0,) * 2 * nd)
    unpool = {1: ops.max_unpool1d, 2: ops.max_unpool2d, 3: ops.max_unpool3d}[nd]
    got = unpool(Tensor(pooled.astype(np.float32)), Tensor(idx), 2)
    want = np.zeros(shape, np.float32).reshape(2, 3, -1)
    np.put_along_axis(want, idx.reshape(2, 3, -1), pooled.reshape(2, 3, -1), -1)
    np.testing.assert_array_equal(np_(got), want.reshape(shape))
    layer = {1: nn.MaxUnpool1d, 2: nn.MaxUnpool2d, 3: nn.MaxUnpool3d}[nd](2)
    np.testing.assert_array_equal(
        np_(layer(Tensor(pooled.astype(np.float32)), Tensor(idx))), want.reshape(shape)
    )
    check_grads(lambda v: unpool(v, Tensor(idx), 2), [pooled])


def test_max_unpool_output_size_and_checks():
    x = r(1, 1, 5, 5)
    pooled, idx = ops.max_pool2d(Tensor(x), 2, 2, return_indices=True)
    got = ops.max_unpool2d(pooled, idx, 2, output_size=(1, 1, 5, 5))
    assert got.shape == (1, 1, 5, 5)
    np.testing.assert_array_equal(np_(got).max(), np_(pooled).max())
    with pytest.raises(MindValueError, match="output_size"):
        ops.max_unpool2d(pooled, idx, 2, output_size=(9, 9))
    with pytest.raises(MindValueError, match="indices"):
        ops.max_unpool2d(pooled, Tensor(np.full(idx.shape, 99, np.int64)), 2)


# ------------------------------------------------------------------------------------------------
# 3-d convolution and its transpose
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stride", "padding", "dilation", "groups"),
    [(1, 0, 1, 1), ((1, 2, 1), (1, 0, 2), (2, 1, 1), 2), (2, (1, 0, 0, 1, 1, 2), 1, 1)],
)
def test_conv3d_matches_reference(stride, padding, dilation, groups):
    x, w = r(2, 4, 5, 6, 7), r(6, 4 // groups, 2, 3, 2)
    got = ops.conv3d(Tensor(x), Tensor(w), None, stride, "pad", padding, dilation, groups)
    s = (stride,) * 3 if isinstance(stride, int) else stride
    d = (dilation,) * 3 if isinstance(dilation, int) else dilation
    if isinstance(padding, int):
        p = (padding,) * 6
    elif len(padding) == 3:
        p = tuple(v for q in padding for v in (q, q))
    else:
        p = padding
    np.testing.assert_allclose(np_(got), ref_conv3d(x, w, s, p, d, groups), rtol=1e-4, atol=1e-4)


def test_conv3d_same_bias_gradients_and_jit():
    x, w, b = r(1, 2, 4, 5, 5), r(3, 2, 3, 3, 3), r(3)
    got = ops.conv3d(Tensor(x), Tensor(w), Tensor(b), 2, "same")
    # "same": ceil(in / stride), the odd padding at the end.
    want = ref_conv3d(x, w, (2,) * 3, (0, 1, 1, 1, 1, 1), (1,) * 3, 1) + b.reshape(1, 3, 1, 1, 1)
    np.testing.assert_allclose(np_(got), want, rtol=1e-4, atol=1e-4)
    check_grads(
        lambda a, k: ops.conv3d(a, k, None, (1, 2, 1), "pad", 1, 1, 1),
        [r(1, 2, 3, 4, 3), r(2, 2, 2, 2, 2)],
    )
    check_grads(
        lambda a, k: ops.conv3d(a, k, None, 1, "valid", 0, (2, 1, 1), 2),
        [r(1, 4, 4, 3, 3), r(2, 2, 2, 2, 1)],
    )
    f = ms.jit(lambda a, k: ops.conv3d(a, k, None, 1, "pad", 1))
    np.testing.assert_allclose(
        np_(f(Tensor(x), Tensor(w))),
        ref_conv3d(x, w, (1,) * 3, (1,) * 6, (1,) * 3, 1),
        rtol=1e-4,
        atol=1e-4,
    )


@pytest.mark.parametrize(
    ("mode", "padding", "stride", "dilation", "group", "extend"),
    [
        ("valid", 0, 1, 1, 1, 0),
        ("pad", (1, 0, 1), (2, 1, 3), (1, 2, 1), 1, (1, 0, 2)),
        ("pad", 1, 2, 1, 2, 1),
        ("same", 0, 2, 1, 1, 0),
        ("valid", 0, 3, 1, 1, 0),
    ],
)
def test_conv3d_transpose_matches_reference(mode, padding, stride, dilation, group, extend):
    x, w = r(2, 4, 3, 4, 3), r(4, 3, 2, 3, 2)
    got = ops.conv3d_transpose(Tensor(x), Tensor(w), mode, padding, stride, dilation, group, extend)
    s = (stride,) * 3 if isinstance(stride, int) else stride
    d = (dilation,) * 3 if isinstance(dilation, int) else dilation
    e = (extend,) * 3 if isinstance(extend, int) else extend
    p = (padding,) * 3 if isinstance(padding, int) else padding
    k = w.shape[2:]
    full = [(x.shape[2 + i] - 1) * s[i] + d[i] * (k[i] - 1) + 1 for i in range(3)]
    if mode == "pad":
        lo, out = list(p), [full[i] - 2 * p[i] + e[i] for i in range(3)]
    elif mode == "same":
        out = [x.shape[2 + i] * s[i] for i in range(3)]
        lo = [max(full[i] - out[i], 0) // 2 for i in range(3)]
    else:  # MindSpore's valid: (in - 1) * stride + max(kernel, stride)
        lo = [0] * 3
        out = [(x.shape[2 + i] - 1) * s[i] + max(d[i] * (k[i] - 1) + 1, s[i]) for i in range(3)]
    want = ref_conv3d_transpose(x, w, s, d, group, lo, out)
    np.testing.assert_allclose(np_(got), want, rtol=1e-4, atol=1e-4)


def test_conv3d_transpose_is_the_adjoint_of_conv3d():
    x, w = r(1, 2, 4, 5, 4), r(3, 2, 2, 3, 2)
    y = ops.conv3d(Tensor(x), Tensor(w), None, (2, 1, 2), "pad", 1)
    v = r(*y.shape)
    back = ops.conv3d_transpose(Tensor(v), Tensor(w), "pad", 1, (2, 1, 2), 1, 1, 0)
    assert back.shape == x.shape
    np.testing.assert_allclose(float((np_(y) * v).sum()), float((x * np_(back)).sum()), rtol=1e-4)
    check_grads(
        lambda a, k: ops.conv3d_transpose(a, k, "pad", 1, 2, 1, 1, 1),
        [r(1, 2, 2, 3, 2), r(2, 2, 2, 2, 3)],
    )


# ------------------------------------------------------------------------------------------------
# Convolution layers and normalisation
# ------------------------------------------------------------------------------------------------


def test_conv3d_layers():
    x = r(2, 4, 5, 6, 6)
    conv = nn.Conv3d(4, 6, 3, 1, "pad", 1, group=2, has_bias=True)
    assert conv.weight.shape == (6, 2, 3, 3, 3)
    want = ref_conv3d(x, np_(conv.weight), (1,) * 3, (1,) * 6, (1,) * 3, 2) + np_(
        conv.bias
    ).reshape(1, 6, 1, 1, 1)
    np.testing.assert_allclose(np_(conv(Tensor(x))), want, rtol=1e-4, atol=1e-4)
    assert nn.Conv3d(4, 2, 3, 2)(Tensor(x)).shape == (2, 2, 3, 3, 3)  # "same" by default
    deconv = nn.Conv3dTranspose(4, 2, 3, 2)  # "same": stride times the input
    assert deconv.weight.shape == (4, 2, 3, 3, 3)
    assert deconv(Tensor(x)).shape == (2, 2, 10, 12, 12)
    deconv = nn.Conv3dTranspose(
        4, 2, 2, 2, "pad", (1, 0, 0, 0, 1, 1), output_padding=1, has_bias=True
    )
    lo, out = [1, 0, 1], [10 - 1 + 1, 12 + 1, 12 - 2 + 1]
    want = ref_conv3d_transpose(x, np_(deconv.weight), (2,) * 3, (1,) * 3, 1, lo, out)
    np.testing.assert_allclose(
        np_(deconv(Tensor(x))), want + np_(deconv.bias).reshape(1, 2, 1, 1, 1), rtol=1e-4, atol=1e-4
    )
    with pytest.raises(MindValueError, match="NCDHW"):
        nn.Conv3d(4, 2, 3, data_format="NDHWC")


def test_conv1d_transpose_layer():
    x = r(2, 3, 6)
    layer = nn.Conv1dTranspose(3, 4, 3, 2, "pad", 1, has_bias=True)
    assert layer.weight.shape == (3, 4, 1, 3)
    w5 = np_(layer.weight)[:, :, None]  # as a 3-d kernel of unit depth and height
    want = ref_conv3d_transpose(
        x[:, :, None, None], w5, (1, 1, 2), (1,) * 3, 1, [0, 0, 1], [1, 1, 11]
    )
    got = layer(Tensor(x))
    np.testing.assert_allclose(
        np_(got), want[:, :, 0, 0] + np_(layer.bias).reshape(1, 4, 1), rtol=1e-4, atol=1e-4
    )
    assert nn.Conv1dTranspose(3, 4, 3, 2)(Tensor(x)).shape == (2, 4, 12)
    assert nn.Conv1dTranspose(3, 4, 3, 2, "valid")(Tensor(x)).shape == (2, 4, 13)


def test_batchnorm3d_and_instance_norm():
    x = r(4, 3, 2, 3, 4)
    bn = nn.BatchNorm3d(3)
    bn.set_train(True)
    assert "bn2d.gamma" in [name for name, _ in bn.parameters_and_names()]
    mu, var = x.mean(axis=(0, 2, 3, 4), keepdims=True), x.var(axis=(0, 2, 3, 4), keepdims=True)
    np.testing.assert_allclose(
        np_(bn(Tensor(x))), (x - mu) / np.sqrt(var + 1e-5), rtol=1e-4, atol=1e-5
    )
    n = x.size // 3
    np.testing.assert_allclose(np_(bn.bn2d.moving_mean), 0.1 * mu.ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        np_(bn.bn2d.moving_variance), 0.9 + 0.1 * var.ravel() * n / (n - 1), rtol=1e-5
    )
    bn.set_train(False)
    np.testing.assert_allclose(
        np_(bn(Tensor(x))),
        x / np.sqrt(np_(bn.bn2d.moving_variance)).reshape(1, 3, 1, 1, 1)
        - (np_(bn.bn2d.moving_mean) / np.sqrt(np_(bn.bn2d.moving_variance) + 1e-5)).reshape(
            1, 3, 1, 1, 1
        ),
        rtol=1e-3,
        atol=1e-4,
    )
    for layer, shape in (
        (nn.InstanceNorm1d, (2, 3, 5)),
        (nn.InstanceNorm2d, (2, 3, 4, 5)),
        (nn.InstanceNorm3d, (2, 3, 2, 3, 4)),
    ):
        y = r(*shape)
        axes = tuple(range(2, len(shape)))
        want = (y - y.mean(axes, keepdims=True)) / np.sqrt(y.var(axes, keepdims=True) + 1e-5)
        np.testing.assert_allclose(np_(layer(3)(Tensor(y))), want, rtol=1e-4, atol=1e-5)
        with pytest.raises(MindValueError, match=layer.__name__):
            layer(4)(Tensor(y))
    check_grads(lambda a: nn.InstanceNorm2d(2)(a), [r(2, 2, 3, 3)])


def test_p_batchnorm_five_outputs_and_running_update():
    x, scale, bias = r(4, 3, 2, 2), r(3), r(3)
    mean = Parameter(Tensor(np.zeros(3, np.float32)))
    var = Parameter(Tensor(np.ones(3, np.float32)))
    y, bm, bv, r1, r2 = P.BatchNorm(is_training=True, momentum=0.2)(
        Tensor(x), Tensor(scale), Tensor(bias), mean, var
    )
    mu, sigma2 = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    want = (x - mu.reshape(1, 3, 1, 1)) / np.sqrt(
        sigma2.reshape(1, 3, 1, 1) + 1e-5
    ) * scale.reshape(1, 3, 1, 1) + bias.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(np_(y), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np_(bm), mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(mean), 0.2 * mu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(var), 0.8 + 0.2 * sigma2 * 16 / 15, rtol=1e-5)
    y, bm, *_ = P.BatchNorm()(Tensor(x), Tensor(scale), Tensor(bias), mean, var)
    want = (x - np_(mean).reshape(1, 3, 1, 1)) / np.sqrt(
        np_(var).reshape(1, 3, 1, 1) + 1e-5
    ) * scale.reshape(1, 3, 1, 1) + bias.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(np_(y), want, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------------------------------------
# im2col / col2im, shuffles, LRN
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "dilation", "padding", "stride"),
    [(2, 1, 0, 1), ((2, 3), (1, 2), 1, (2, 1)), (3, 1, (1, 0), 2)],
)
def test_unfold_fold_match_reference(kernel, dilation, padding, stride):
    x = r(2, 3, 6, 7)
    k = (kernel,) * 2 if isinstance(kernel, int) else kernel
    d = (dilation,) * 2 if isinstance(dilation, int) else dilation
    s = (stride,) * 2 if isinstance(stride, int) else stride
    p = (
        (padding,) * 4
        if isinstance(padding, int)
        else (padding[0], padding[0], padding[1], padding[1])
    )
    cols = ops.unfold(Tensor(x), kernel, dilation, padding, stride)
    want = ref_unfold(x, k, d, p, s)
    np.testing.assert_allclose(np_(cols), want, rtol=1e-6)
    # fold is unfold's adjoint: <unfold(x), v> == <x, fold(v)>.
    v = r(*cols.shape)
    back = ops.fold(Tensor(v), (6, 7), kernel, dilation, padding, stride)
    np.testing.assert_allclose(float((want * v).sum()), float((x * np_(back)).sum()), rtol=1e-4)
    check_grads(lambda a: ops.unfold(a, kernel, dilation, padding, stride), [r(1, 2, 6, 7)])
    check_grads(
        lambda a: ops.fold(a, (6, 7), kernel, dilation, padding, stride), [r(1, *cols.shape[1:])]
    )


def test_fold_sums_overlaps_and_checks_block_count():
    ones = ops.ones((1, 4, 9))
    got = np_(ops.fold(ones, (4, 4), 2))
    want = np.array([[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]], np.float32)
    np.testing.assert_array_equal(got[0, 0], want)
    with pytest.raises(MindValueError, match="blocks"):
        ops.fold(ops.ones((1, 4, 8)), (4, 4), 2)


def test_im2col_col2im_and_nn_unfold():
    x = r(2, 3, 5, 6)
    cols = P.Im2Col(ksizes=2, strides=1, dilations=1, pads=1)(Tensor(x))
    want = ref_unfold(x, (2, 2), (1, 1), (1, 1, 1, 1), (1, 1))
    np.testing.assert_allclose(np_(cols), want.reshape(2, 3, 4, -1), rtol=1e-6)
    back = P.Col2Im(kernel_size=2, padding=1)(cols, Tensor(np.array([5, 6], np.int32)))
    np.testing.assert_allclose(np_(back), np_(ops.fold(Tensor(want), (5, 6), 2, 1, 1)), rtol=1e-6)
    # nn.Unfold: TensorFlow's image patches, (kh, kw, C) ordering.
    got = nn.Unfold([1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1])(Tensor(x[:, :, :4, :4]))
    patches = (
        x[:, :, :4, :4].reshape(2, 3, 2, 2, 2, 2).transpose(0, 3, 5, 1, 2, 4).reshape(2, 12, 2, 2)
    )
    np.testing.assert_array_equal(np_(got), patches)
    assert nn.Unfold([1, 3, 3, 1], [1, 2, 2, 1], [1, 1, 1, 1], "same")(Tensor(x)).shape == (
        2,
        27,
        3,
        3,
    )


def test_pixel_and_channel_shuffles():
    x = r(2, 8, 3, 4)
    got = ops.pixel_shuffle(Tensor(x), 2)
    want = np.zeros((2, 2, 6, 8), np.float32)
    for c, i, j in itertools.product(range(2), range(2), range(2)):
        want[:, c, i::2, j::2] = x[:, c * 4 + i * 2 + j]
    np.testing.assert_array_equal(np_(got), want)
    np.testing.assert_array_equal(np_(ops.pixel_unshuffle(got, 2)), x)
    np.testing.assert_array_equal(np_(nn.PixelShuffle(2)(Tensor(x))), want)
    np.testing.assert_array_equal(np_(nn.PixelUnshuffle(2)(Tensor(want))), x)
    np.testing.assert_array_equal(np_(ops.pixel_shuffle(Tensor(x[0]), 2)), want[0])  # unbatched
    shuffled = ops.channel_shuffle(Tensor(x), 4)
    np.testing.assert_array_equal(np_(shuffled), x[:, [(k % 4) * 2 + k // 4 for k in range(8)]])
    np.testing.assert_array_equal(np_(nn.ChannelShuffle(4)(Tensor(x))), np_(shuffled))
    np.testing.assert_array_equal(np_(P.ChannelShuffle(group=4)(Tensor(x))), np_(shuffled))
    check_grads(lambda a: ops.pixel_shuffle(a, 2), [x])
    check_grads(lambda a: ops.channel_shuffle(a, 2), [x])
    with pytest.raises(MindValueError, match="pixel_shuffle"):
        ops.pixel_shuffle(Tensor(r(1, 3, 2, 2)), 2)
    with pytest.raises(MindValueError, match="channel_shuffle"):
        ops.channel_shuffle(Tensor(x), 3)


def test_lrn_matches_reference():
    x = r(2, 7, 3, 3)
    got = ops.lrn(Tensor(x), 2, 1.5, 0.3, 0.75)
    want = np.empty_like(x)
    for c in range(7):
        window = (x[:, max(c - 2, 0) : c + 3] ** 2).sum(1)
        want[:, c] = x[:, c] / (1.5 + 0.3 * window) ** 0.75
    np.testing.assert_allclose(np_(got), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        np_(nn.LRN(2, 1.5, 0.3, 0.75)(Tensor(x))), want, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(np_(P.LRN(2, 1.5, 0.3, 0.75)(Tensor(x))), want, rtol=1e-5, atol=1e-6)
    check_grads(lambda a: ops.lrn(a, 1, 1.0, 0.5, 0.75), [x])
    with pytest.raises(MindValueError, match="norm_region"):
        ops.lrn(Tensor(x), norm_region="WITHIN_CHANNEL")


# ------------------------------------------------------------------------------------------------
# Primitive classes
# ------------------------------------------------------------------------------------------------


def test_pool_primitive_classes():
    x = r(1, 2, 4, 6, 4)
    np.testing.assert_array_equal(
        np_(P.MaxPool3D(2, 2)(Tensor(x))), np_(ops.max_pool3d(Tensor(x), 2))
    )
    np.testing.assert_array_equal(
        np_(
            P.MaxPool3D(kernel_size=3, strides=2, pad_mode="PAD", pad_list=1, ceil_mode=True)(
                Tensor(x)
            )
        ),
        np_(ops.max_pool3d(Tensor(x), 3, 2, 1, ceil_mode=True)),
    )
    np.testing.assert_allclose(
        np_(
            P.AvgPool3D(kernel_size=3, strides=2, pad_mode="pad", pad=1, count_include_pad=False)(
                Tensor(x)
            )
        ),
        ref_pool(x, "avg", (3,) * 3, (2,) * 3, (1,) * 6, include=False),
        rtol=1e-5,
        atol=1e-6,
    )
    out, idx = P.MaxPool3DWithArgmax(ksize=2, strides=1, pads=1)(Tensor(x))
    want, want_idx = ref_pool(x, "max", (2,) * 3, (1,) * 3, (1,) * 6)
    np.testing.assert_array_equal(np_(idx), want_idx)
    x2 = r(1, 2, 6, 6)
    out, idx = P.MaxPoolWithArgmax(kernel_size=3, strides=2, pad_mode="same")(Tensor(x2))
    want, want_idx = ref_pool(x2, "max", (3, 3), (2, 2), (0, 1, 0, 1))
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    # TensorFlow's argmax: a position in the sample's (C, H, W).
    np.testing.assert_array_equal(np_(idx), want_idx + 36 * np.arange(2).reshape(1, 2, 1, 1))
    assert idx.dtype == ms.int32
    out, idx = P.MaxPoolWithArgmaxV2(kernel_size=3, strides=2, pads=1, argmax_type=ms.int32)(
        Tensor(x2)
    )
    np.testing.assert_array_equal(np_(idx), ref_pool(x2, "max", (3, 3), (2, 2), (1,) * 4)[1])
    out, idx = P.AdaptiveMaxPool2D((2, 3))(Tensor(x2))
    np.testing.assert_array_equal(np_(idx), ref_adaptive(x2, (2, 3), "max")[1])
    np.testing.assert_allclose(
        np_(P.AdaptiveAvgPool3D((2, 3, 2))(Tensor(x))),
        ref_adaptive(x, (2, 3, 2), "avg")[0],
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        np_(P.AdaptiveAvgPool2D(3)(Tensor(x2))),
        ref_adaptive(x2, (3, 3), "avg")[0],
        rtol=1e-5,
        atol=1e-6,
    )
    pooled, idx = ops.max_pool3d(Tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(
        np_(P.MaxUnpool3D(ksize=2)(pooled, idx)), np_(ops.max_unpool3d(pooled, idx, 2))
    )
    pooled, idx = ops.max_pool2d(Tensor(x2), 2, return_indices=True)
    np.testing.assert_array_equal(
        np_(P.MaxUnpool2D(ksize=2, strides=2)(pooled, idx)), np_(ops.max_unpool2d(pooled, idx, 2))
    )


def test_conv_primitive_classes():
    x, w = r(1, 2, 4, 5, 5), r(3, 2, 2, 3, 2)
    got = P.Conv3D(
        out_channel=3,
        kernel_size=(2, 3, 2),
        pad_mode="pad",
        pad=(1, 0, 1, 1, 0, 1),
        stride=(1, 2, 1),
    )(Tensor(x), Tensor(w))
    np.testing.assert_allclose(
        np_(got), ref_conv3d(x, w, (1, 2, 1), (1, 0, 1, 1, 0, 1), (1,) * 3, 1), rtol=1e-4, atol=1e-4
    )
    wt = r(2, 3, 2, 2, 2)
    got = P.Conv3DTranspose(in_channel=2, out_channel=3, kernel_size=2, stride=2)(
        Tensor(x), Tensor(wt)
    )
    np.testing.assert_allclose(
        np_(got),
        ref_conv3d_transpose(x, wt, (2,) * 3, (1,) * 3, 1, [0] * 3, [8, 10, 10]),
        rtol=1e-4,
        atol=1e-4,
    )
    # Conv2DBackpropInput is conv2d's input gradient.
    x2, w2 = r(1, 2, 7, 6), r(3, 2, 3, 3)
    for mode, pad in (("valid", 0), ("same", 0), ("pad", (1, 0, 1, 1))):
        dout = r(*ops.conv2d(Tensor(x2), Tensor(w2), None, 2, mode, pad).shape)

        def loss(a, mode=mode, pad=pad, dout=dout):
            return (ops.conv2d(a, Tensor(w2), None, 2, mode, pad) * Tensor(dout)).sum()

        want = ms.grad(loss)(Tensor(x2))
        for name in ("Conv2DBackpropInput", "Conv2DTranspose"):
            op = getattr(P, name)(out_channel=3, kernel_size=3, pad_mode=mode, pad=pad, stride=2)
            got = op(Tensor(dout), Tensor(w2), x2.shape)
            np.testing.assert_allclose(np_(got), np_(want), rtol=1e-5, atol=1e-5)
    with pytest.raises(MindValueError, match="NCDHW"):
        P.Conv3D(3, 2, data_format="NDHWC")(Tensor(x), Tensor(w))


# ------------------------------------------------------------------------------------------------
# The 2-d pools' options beyond their primitives (nn_ops and layers route them here)
# ------------------------------------------------------------------------------------------------


def test_2d_pools_take_ceil_mode_dilation_and_divisors():
    x = r(2, 3, 7, 6)
    out, idx = ops.max_pool2d(Tensor(x), 3, 2, 1, 2, True, True)
    want, want_idx = ref_pool(x, "max", (3, 3), (2, 2), (1,) * 4, (2, 2), True)
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    got = ops.avg_pool2d(Tensor(x), 3, 2, 1, True, False)
    np.testing.assert_allclose(
        np_(got),
        ref_pool(x, "avg", (3, 3), (2, 2), (1,) * 4, ceil=True, include=False),
        rtol=1e-5,
        atol=1e-6,
    )
    got = ops.avg_pool2d(Tensor(x), 2, 2, 1, divisor_override=3)
    np.testing.assert_allclose(
        np_(got), ref_pool(x, "avg", (2, 2), (2, 2), (1,) * 4, divisor=3), rtol=1e-5, atol=1e-6
    )
    layer = nn.MaxPool2d(3, 2, "pad", 1, return_indices=True, ceil_mode=True)
    out, idx = layer(Tensor(x))
    want, want_idx = ref_pool(x, "max", (3, 3), (2, 2), (1,) * 4, ceil=True)
    np.testing.assert_array_equal(np_(idx), want_idx)
    got = nn.AvgPool2d(3, 2, "pad", 1, ceil_mode=True, count_include_pad=False)(Tensor(x))
    np.testing.assert_allclose(
        np_(got),
        ref_pool(x, "avg", (3, 3), (2, 2), (1,) * 4, ceil=True, include=False),
        rtol=1e-5,
        atol=1e-6,
    )
    # "same" average pooling never counts its padding (TensorFlow's and MindSpore's rule).
    got = nn.AvgPool2d(3, 2, "same")(Tensor(x))
    np.testing.assert_allclose(
        np_(got),
        ref_pool(x, "avg", (3, 3), (2, 2), (1, 1, 0, 1), include=False),
        rtol=1e-5,
        atol=1e-6,
    )
    check_grads(lambda a: ops.avg_pool2d(a, 3, 2, 1, True, False), [r(1, 2, 5, 6)])
    check_grads(lambda a: ops.max_pool2d(a, 2, 1, 1, 2), [r(1, 2, 5, 6)])


# ------------------------------------------------------------------------------------------------
# Fractional max pooling
# ------------------------------------------------------------------------------------------------


def ref_fractional(x, samples, kernel, size):
    """Graham's windows: start i = floor((i + u) a) - floor(u a), a = (in - k) / (out - 1), the
    last at in - k; for 2-d the first sample is the width's."""
    nd = len(kernel)
    order = [1, 0] if nd == 2 else list(range(nd))
    vals = np.zeros(x.shape[:2] + tuple(size))
    idx = np.zeros(x.shape[:2] + tuple(size), dtype=np.int64)
    spatial = x.shape[2:]
    for n, c in itertools.product(range(x.shape[0]), range(x.shape[1])):
        starts = []
        for axis in range(nd):
            u, length, k, o = samples[n, c, order[axis]], spatial[axis], kernel[axis], size[axis]
            a = (length - k) / (o - 1) if o > 1 else 0
            starts.append(
                [int(np.floor((i + u) * a) - np.floor(u * a)) for i in range(o - 1)] + [length - k]
            )
        for pos in itertools.product(*(range(o) for o in size)):
            best, where = -np.inf, -1
            for tap in itertools.product(*(range(k) for k in kernel)):
                at = tuple(starts[a][pos[a]] + tap[a] for a in range(nd))
                if x[(n, c, *at)] > best:
                    best, where = x[(n, c, *at)], int(np.ravel_multi_index(at, spatial))
            vals[(n, c, *pos)], idx[(n, c, *pos)] = best, where
    return vals, idx


@pytest.mark.parametrize(("kernel", "size"), [((2, 2), (3, 4)), ((3, 2), (4, 2)), ((1, 1), (7, 1))])
def test_fractional_max_pool2d_matches_reference(kernel, size):
    x = r(2, 3, 7, 6)
    samples = rng.uniform(size=(2, 3, 2)).astype(np.float32)
    out, idx = ops.fractional_max_pool2d(Tensor(x), kernel, size, None, True, Tensor(samples))
    want, want_idx = ref_fractional(x, samples, kernel, size)
    np.testing.assert_array_equal(np_(out), want.astype(np.float32))
    np.testing.assert_array_equal(np_(idx), want_idx)
    layer = nn.FractionalMaxPool2d(
        kernel, size, return_indices=True, _random_samples=Tensor(samples)
    )
    np.testing.assert_array_equal(np_(layer(Tensor(x))[1]), want_idx)
    check_grads(
        lambda a: ops.fractional_max_pool2d(a, kernel, size, None, False, Tensor(samples)), [x]
    )


def test_fractional_max_pool3d_ratio_draws_and_checks():
    x = r(1, 2, 5, 6, 7)
    samples = rng.uniform(size=(1, 2, 3)).astype(np.float32)
    out, idx = ops.fractional_max_pool3d(Tensor(x), 2, None, 0.5, True, Tensor(samples))
    want, want_idx = ref_fractional(x, samples, (2, 2, 2), (2, 3, 3))
    np.testing.assert_array_equal(np_(idx), want_idx)
    got = nn.FractionalMaxPool3d((1, 2, 2), (3, 3, 3), _random_samples=Tensor(samples))(
        Tensor(x[0])
    )
    np.testing.assert_array_equal(
        np_(got), ref_fractional(x, samples, (1, 2, 2), (3, 3, 3))[0][0].astype(np.float32)
    )
    # Without samples they are drawn; the values are still the input's at the indices.
    out, idx = ops.fractional_max_pool3d(Tensor(x), 2, (3, 3, 3), return_indices=True)
    picked = np.take_along_axis(x.reshape(1, 2, -1), np_(idx).reshape(1, 2, -1), -1)
    np.testing.assert_array_equal(np_(out), picked.reshape(out.shape))
    with pytest.raises(MindValueError, match="output_size"):
        ops.fractional_max_pool3d(Tensor(x), 3, (4, 4, 4))
    with pytest.raises(MindValueError, match="output_ratio"):
        nn.FractionalMaxPool2d(2)


def test_argmax_primitives_batch_in_one_call_under_vmap():
    x = r(3, 2, 2, 4, 6, 6)
    samples = rng.uniform(size=(3, 2, 2, 3)).astype(np.float32)

    def pools(a, u):
        return (
            ops.max_pool3d(a, 2, return_indices=True)[1],
            ops.adaptive_max_pool3d(a, (2, 3, 2), True)[1],
            ops.fractional_max_pool3d(a, 2, (2, 3, 3), None, True, u)[1],
        )

    got = ms.vmap(pools)(Tensor(x), Tensor(samples))
    jitted = ms.jit(ms.vmap(pools))(Tensor(x), Tensor(samples))
    for i in range(3):
        want = pools(Tensor(x[i]), Tensor(samples[i]))
        for g, j, w in zip(got, jitted, want):
            np.testing.assert_array_equal(np_(g)[i], np_(w))
            np.testing.assert_array_equal(np_(j)[i], np_(w))
    grads = ms.vmap(ms.grad(lambda a: ops.max_pool3d(a, 2).sum()))(Tensor(x))
    assert np_(grads).sum() == 3 * 2 * 2 * 2 * 3 * 3
