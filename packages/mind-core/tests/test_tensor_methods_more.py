"""More of MindSpore's Tensor methods (_src/tensor/methods_more.py): in-place writes, the new_*
constructors, random fills, layout queries and the methods that call an op with the tensor first."""

import numpy as np
import pytest

import mind.core as ms
from mind.core import Parameter, Tensor, ops
from mind.core.errors import MindValueError

rng = np.random.default_rng(0)


def _x(*shape):
    return rng.standard_normal(shape).astype(np.float32)


# -- in-place methods: write the tensor and return it ------------------------------------------------
@pytest.mark.parametrize(
    "call, ref",
    [
        (lambda t: t.add_(2.0), lambda a: a + 2),
        (lambda t: t.add_(Tensor(np.ones(3, np.float32)), alpha=3), lambda a: a + 3),
        (lambda t: t.sub_(1.5, alpha=2), lambda a: a - 3),
        (lambda t: t.mul_(Tensor(np.arange(3, dtype=np.float32))), lambda a: a * np.arange(3)),
        (lambda t: t.div_(4.0), lambda a: a / 4),
        (lambda t: t.div_(0.7, rounding_mode="floor"), lambda a: np.floor(a / np.float32(0.7))),
        (lambda t: t.floor_divide_(0.5), lambda a: np.floor_divide(a, np.float32(0.5))),
        (lambda t: t.exp_(), np.exp),
        (lambda t: t.floor_(), np.floor),
        (lambda t: t.clamp_(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5)),
        (lambda t: t.copy_(Tensor(np.full(3, 7, np.float64))), lambda a: np.full_like(a, 7)),
        (
            lambda t: t.masked_fill_(Tensor(np.array([True, False, True])), 9.0),
            lambda a: np.where([True, False, True], 9, a),
        ),
    ],
)
def test_in_place_methods_write_the_tensor_and_return_it(call, ref):
    a = _x(2, 3)
    t = Tensor(a.copy())
    out = call(t)
    assert out is t
    assert t.dtype is ms.float32
    np.testing.assert_allclose(t.asnumpy(), ref(a).astype(np.float32), rtol=1e-6, atol=1e-6)


def test_in_place_result_must_fit_the_tensor():
    t = Tensor(np.zeros(3, np.float32))
    with pytest.raises(MindValueError, match="add_"):
        t.add_(Tensor(np.ones((2, 3), np.float32)))


def test_addmm_and_index_add_in_place():
    a, m1, m2 = _x(2, 4), _x(2, 3), _x(3, 4)
    t = Tensor(a.copy())
    assert t.addmm_(Tensor(m1), Tensor(m2), beta=0.5, alpha=2) is t
    np.testing.assert_allclose(t.asnumpy(), 0.5 * a + 2 * m1 @ m2, rtol=1e-5, atol=1e-5)
    t = Tensor(np.zeros((4, 2), np.float32))
    src = _x(3, 2)
    t.index_add_(0, Tensor(np.array([0, 2, 0], np.int32)), Tensor(src), alpha=2)
    want = np.zeros((4, 2), np.float32)
    np.add.at(want, [0, 2, 0], 2 * src)
    np.testing.assert_allclose(t.asnumpy(), want, rtol=1e-6)
    # the older form: index_add(indices, y, axis)
    out = Tensor(np.zeros((4, 2), np.float32)).index_add(
        Tensor(np.array([0, 2, 0], np.int32)), Tensor(src), 0
    )
    np.add.at(want := np.zeros((4, 2), np.float32), [0, 2, 0], src)
    np.testing.assert_allclose(out.asnumpy(), want, rtol=1e-6)


def test_scatter_in_place_with_reductions():
    a = _x(3, 4)
    idx = np.array([[0, 1, 2, 0], [2, 0, 0, 1]])
    src = _x(2, 4)
    want = a.copy()
    for i in range(2):
        for j in range(4):
            want[idx[i, j], j] = src[i, j]
    t = Tensor(a.copy())
    assert t.scatter_(0, Tensor(idx), Tensor(src)) is t
    np.testing.assert_allclose(t.asnumpy(), want)
    add = a.copy()
    np.add.at(add, (idx, np.arange(4)[None]), src)
    np.testing.assert_allclose(
        Tensor(a.copy()).scatter_add_(0, Tensor(idx), Tensor(src)).asnumpy(), add, rtol=1e-6
    )
    mul = a.copy()
    np.multiply.at(mul, (idx, np.arange(4)[None]), src)
    np.testing.assert_allclose(
        Tensor(a.copy()).scatter_(0, Tensor(idx), Tensor(src), reduce="multiply").asnumpy(),
        mul,
        rtol=1e-6,
    )
    value = Tensor(a.copy()).scatter_(1, Tensor(np.array([[3], [0], [1]])), 5.0).asnumpy()
    assert value[0, 3] == value[1, 0] == value[2, 1] == 5


def test_index_put_out_of_place_and_in_place():
    a = _x(3, 4)
    rows, cols = np.array([0, 2, 0]), np.array([1, 3, 1])
    vals = np.array([1.0, 2.0, 3.0], np.float32)
    t = Tensor(a.copy())
    out = t.index_put((Tensor(rows), Tensor(cols)), Tensor(vals))
    np.testing.assert_allclose(t.asnumpy(), a)  # unchanged
    want = a.copy()
    want[rows, cols] = vals
    np.testing.assert_allclose(out.asnumpy(), want)
    acc = a.copy()
    np.add.at(acc, (rows, cols), vals)
    assert t.index_put_((Tensor(rows), Tensor(cols)), Tensor(vals), accumulate=True) is t
    np.testing.assert_allclose(t.asnumpy(), acc, rtol=1e-6)


def test_in_place_method_under_grad_differentiates_the_new_value():
    def f(x):
        y = x * 1.0
        y.mul_(x)  # y = x * x
        y.add_(x, alpha=3)  # y = x*x + 3x
        return y.sum()

    a = _x(4)
    g = ms.grad(f)(Tensor(a))
    np.testing.assert_allclose(g.asnumpy(), 2 * a + 3, rtol=1e-5)


def test_in_place_method_under_jit():
    @ms.jit
    def f(x):
        y = x + 0.0
        y.clamp_(0.0, 1.0)
        return y.mul_(2.0)

    a = _x(5) * 2
    np.testing.assert_allclose(f(Tensor(a)).asnumpy(), 2 * np.clip(a, 0, 1), rtol=1e-6)


def test_in_place_on_a_parameter_under_jit_updates_it():
    p = Parameter(Tensor(np.ones(3, np.float32)), name="p")

    @ms.jit
    def f(x):
        p.add_(x)
        return x

    f(Tensor(np.full(3, 2.0, np.float32)))
    np.testing.assert_allclose(p.asnumpy(), np.full(3, 3.0))


# -- random fills ---------------------------------------------------------------------------------
def test_random_fills_write_in_place_with_the_right_distribution():
    ms.set_seed(1)
    t = Tensor(np.zeros(20000, np.float32))
    assert t.uniform_(2.0, 5.0) is t
    a = t.asnumpy()
    assert a.min() >= 2 and a.max() < 5 and abs(a.mean() - 3.5) < 0.05
    a = t.normal_(1.0, 2.0).asnumpy()
    assert abs(a.mean() - 1) < 0.1 and abs(a.std() - 2) < 0.1
    a = t.exponential_(4.0).asnumpy()
    assert a.min() >= 0 and abs(a.mean() - 0.25) < 0.02
    i = Tensor(np.zeros(5000, np.int32))
    a = i.random_(3, 7).asnumpy()
    assert set(np.unique(a)) == {3, 4, 5, 6}
    assert set(np.unique(i.random_(4).asnumpy())) == {0, 1, 2, 3}
    c = t.cauchy(1.0, 0.5).asnumpy()
    assert c.shape == (20000,) and abs(np.median(c) - 1) < 0.05
    ln = t.log_normal(0.0, 0.5).asnumpy()
    assert ln.min() > 0 and abs(np.median(np.log(ln))) < 0.05


def test_uniform_gives_a_new_tensor_and_sparse_conversions():
    t = Tensor(np.zeros((200, 3), np.float32))
    u = t.uniform(1.0, 2.0)
    assert u is not t and u.shape == (200, 3) and u.dtype is ms.float32
    a = u.asnumpy()
    assert a.min() >= 1 and a.max() < 2
    np.testing.assert_array_equal(t.asnumpy(), 0)
    d = np.array([[0, 1.5, 0], [2, 0, 3]], np.float32)
    coo = Tensor(d).to_coo()
    np.testing.assert_array_equal(coo.indices.asnumpy(), [[0, 1], [1, 0], [1, 2]])
    np.testing.assert_array_equal(coo.values.asnumpy(), [1.5, 2, 3])
    np.testing.assert_array_equal(coo.to_dense().asnumpy(), d)
    csr = Tensor(d).to_csr()
    np.testing.assert_array_equal(csr.indptr.asnumpy(), [0, 1, 3])
    np.testing.assert_array_equal(csr.to_dense().asnumpy(), d)


def test_random_fills_under_jit_draw_fresh_values_each_call():
    @ms.jit
    def f(x):
        y = x + 0.0
        y.uniform_(-1.0, 1.0)
        return y.exponential_(2.0) + x.cauchy() * 0.0

    x = Tensor(np.zeros(64, np.float32))
    a, b = f(x).asnumpy(), f(x).asnumpy()
    assert a.min() >= 0 and not np.array_equal(a, b)
    g = ms.Generator()
    with pytest.raises(MindValueError, match="PyNative"):
        ms.jit(lambda t: (t + 0.0).normal_(generator=g))(x)


def test_random_fill_with_a_generator_is_reproducible():
    g = ms.Generator()
    g.manual_seed(5)
    a = Tensor(np.zeros(4, np.float32)).uniform_(generator=g).asnumpy()
    g.manual_seed(5)
    b = Tensor(np.zeros(4, np.float32)).uniform_(generator=g).asnumpy()
    np.testing.assert_array_equal(a, b)


# -- constructors, conversions, layout ------------------------------------------------------------
def test_new_constructors_keep_the_dtype_unless_given():
    t = Tensor(np.zeros(2, np.float16))
    assert t.new_zeros((2, 3)).dtype is ms.float16
    np.testing.assert_array_equal(t.new_ones(3, ms.int32).asnumpy(), np.ones(3, np.int32))
    np.testing.assert_array_equal(t.new_full([2], 4.0).asnumpy(), [4, 4])
    assert t.new_empty((1, 2)).shape == (1, 2)


def test_clone_copies_and_keeps_the_gradient():
    a = _x(3)
    t = Tensor(a)
    c = t.clone()
    c.add_(1.0)
    np.testing.assert_allclose(t.asnumpy(), a)
    g = ms.grad(lambda x: (x.clone() * x).sum())(Tensor(a))
    np.testing.assert_allclose(g.asnumpy(), 2 * a, rtol=1e-6)


def test_layout_and_type_queries():
    t = Tensor(np.zeros((2, 3, 4), np.float32))
    assert t.stride() == [12, 4, 1] and t.stride(1) == 4
    assert t.strides == (48, 16, 4)
    assert t.is_contiguous() and t.contiguous() is t and t.storage_offset() == 0
    assert t.ndimension() == 3 and t.nelement() == 24
    assert t.type() == "Float32" and t.type(ms.int32).dtype is ms.int32
    assert t.type_as(Tensor([1])).dtype is ms.int64
    assert t.byte().dtype is ms.uint8 and t.short().dtype is ms.int16
    assert t.bfloat16().dtype is ms.bfloat16
    assert t.is_signed() and not Tensor(np.zeros(1, np.uint8)).is_signed()
    assert not t.has_init() and t.init_data() is t
    assert t.move_to("CPU").shape == t.shape


def test_transposes_as_properties():
    a = (_x(2, 3) + 1j * _x(2, 3)).astype(np.complex64)
    t = Tensor(a)
    np.testing.assert_allclose(t.H.asnumpy(), a.conj().T)
    b = _x(4, 2, 3)
    np.testing.assert_allclose(Tensor(b).mT.asnumpy(), b.transpose(0, 2, 1))
    np.testing.assert_allclose(Tensor(b).mH.asnumpy(), b.transpose(0, 2, 1))
    with pytest.raises(MindValueError, match="2-D"):
        _ = Tensor(b).H


# -- computations --------------------------------------------------------------------------------
def test_methods_that_call_an_op_agree_with_numpy():
    a, b = _x(3, 4), _x(3, 4)
    x, y = Tensor(a), Tensor(b)
    np.testing.assert_allclose(x.cos().asnumpy(), np.cos(a), rtol=1e-6)
    np.testing.assert_allclose(x.sin().asnumpy(), np.sin(a), rtol=1e-6)
    np.testing.assert_allclose(x.maximum(y).asnumpy(), np.maximum(a, b))
    np.testing.assert_allclose(x.minimum(y).asnumpy(), np.minimum(a, b))
    np.testing.assert_array_equal(x.greater(y).asnumpy(), a > b)
    np.testing.assert_array_equal(x.less_equal(y).asnumpy(), a <= b)
    np.testing.assert_array_equal(x.eq(x).asnumpy(), np.ones((3, 4), bool))
    np.testing.assert_allclose(x.mm(Tensor(b.T)).asnumpy(), a @ b.T, rtol=1e-5)
    np.testing.assert_allclose(x.trunc().asnumpy(), np.trunc(a))
    np.testing.assert_allclose(x.abs().log1p().asnumpy(), np.log1p(np.abs(a)), rtol=1e-6)
    np.testing.assert_allclose(x.amax(1).asnumpy(), a.max(1))
    np.testing.assert_allclose(x.ptp(0).asnumpy(), np.ptp(a, 0), rtol=1e-6)
    np.testing.assert_allclose(x.ptp().asnumpy(), np.ptp(a), rtol=1e-6)
    assert x.allclose(Tensor(a + 1e-9)) is True and x.allclose(y) is False
    v, i = x.argmax_with_value(1)
    np.testing.assert_allclose(v.asnumpy(), a.max(1))
    np.testing.assert_array_equal(i.asnumpy(), a.argmax(1))
    v, i = x.argmin_with_value(axis=0, keep_dims=True)
    np.testing.assert_array_equal(i.asnumpy(), a.argmin(0)[None])
    np.testing.assert_array_equal(
        Tensor(np.array([1, 6], np.int32)).bitwise_not().asnumpy(), [-2, -7]
    )
    np.testing.assert_array_equal(Tensor(np.array([True, False])).bitwise_not().asnumpy(), [0, 1])


def test_shape_methods():
    a = _x(2, 3)
    x = Tensor(a)
    np.testing.assert_allclose(x.repeat(2, 1, 2).asnumpy(), np.tile(a, (2, 1, 2)))
    np.testing.assert_allclose(x.repeat((1, 2)).asnumpy(), np.tile(a, (1, 2)))
    assert x.reshape_as(Tensor(np.zeros(6))).shape == (6,)
    assert x.view_as(Tensor(np.zeros((3, 2)))).shape == (3, 2)
    np.testing.assert_allclose(x.reverse([1]).asnumpy(), a[:, ::-1])
    np.testing.assert_allclose(x.resize(2, 4).asnumpy(), np.resize(np.append(a, [0, 0]), (2, 4)))
    np.testing.assert_allclose(x.resize((1, 2)).asnumpy(), a.reshape(-1)[:2].reshape(1, 2))
    np.testing.assert_allclose(x.sum_to_size(1, 3).asnumpy(), a.sum(0, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(x.sum_to_size(3).asnumpy(), a.sum(0), rtol=1e-6)
    with pytest.raises(MindValueError, match="sum_to_size"):
        x.sum_to_size(2, 2)
    np.testing.assert_allclose(
        Tensor(a[:1]).expand((4, -1)).asnumpy(), np.broadcast_to(a[:1], (4, 3))
    )


def test_take_choose_fill_diagonal_itemset_masked_scatter():
    a = _x(3, 4)
    x = Tensor(a)
    np.testing.assert_allclose(
        x.take(Tensor(np.array([0, 5, 11]))).asnumpy(), a.ravel()[[0, 5, 11]]
    )
    np.testing.assert_allclose(
        x.take(Tensor(np.array([[0, 7]])), axis=1, mode="wrap").asnumpy(),
        np.take(a, [[0, 7]], axis=1, mode="wrap"),
    )
    np.testing.assert_allclose(
        x.take(Tensor(np.array([-1, 20])), mode="clip").asnumpy(),
        a.ravel()[[11, 11]],  # -1 counts from the end, as MindSpore's clip mode
    )
    with pytest.raises(MindValueError, match="raise"):
        x.take(Tensor(np.array([0])), mode="raise")
    c = [_x(3), _x(3), _x(3)]
    idx = np.array([2, 0, 1])
    np.testing.assert_allclose(
        Tensor(idx).choose([Tensor(v) for v in c]).asnumpy(), np.choose(idx, c)
    )
    np.testing.assert_allclose(
        Tensor(np.array([3, -1, 4])).choose(tuple(Tensor(v) for v in c), mode="wrap").asnumpy(),
        np.choose([3, -1, 4], c, mode="wrap"),
    )
    tall = np.zeros((7, 3), np.float32)
    want = tall.copy()
    np.fill_diagonal(want, 5, wrap=True)
    np.testing.assert_allclose(Tensor(tall).fill_diagonal(5.0, wrap=True).asnumpy(), want)
    want = tall.copy()
    np.fill_diagonal(want, 5)
    np.testing.assert_allclose(Tensor(tall).fill_diagonal(5.0).asnumpy(), want)
    want = a.copy()
    want[1, 2] = 9
    out = x.itemset((1, 2), 9)
    np.testing.assert_allclose(out.asnumpy(), want)
    np.testing.assert_allclose(x.asnumpy(), a)  # itemset gives a copy, as MindSpore's
    np.testing.assert_allclose(x.itemset(6, 9).asnumpy(), want)
    mask = rng.random((3, 4)) > 0.5
    src = _x(12)
    want = a.copy()
    want[mask] = src[: mask.sum()]
    np.testing.assert_allclose(x.masked_scatter(Tensor(mask), Tensor(src)).asnumpy(), want)


def test_select_where_split_unique_both_forms():
    a, b = _x(3, 4), _x(3, 4)
    x = Tensor(a)
    cond = a > 0
    np.testing.assert_allclose(x.select(1, 2).asnumpy(), a[:, 2])
    np.testing.assert_allclose(x.select(Tensor(cond), Tensor(b)).asnumpy(), np.where(cond, a, b))
    np.testing.assert_allclose(x.where(Tensor(cond), Tensor(b)).asnumpy(), np.where(cond, a, b))
    parts = x.split(2, 1)
    assert [p.shape for p in parts] == [(3, 2), (3, 2)]
    u = Tensor(np.array([3, 1, 3, 2, 1]))
    np.testing.assert_array_equal(u.unique().asnumpy(), [1, 2, 3])
    vals, inv, cnt = u.unique(return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(inv.asnumpy(), [2, 0, 2, 1, 0])
    np.testing.assert_array_equal(cnt.asnumpy(), [2, 1, 2])


def test_methods_are_differentiable_where_the_op_is():
    a = _x(3, 4)
    g = ms.grad(lambda t: t.ptp(1).sum())(Tensor(a))
    want = np.zeros_like(a)
    want[np.arange(3), a.argmax(1)] += 1
    want[np.arange(3), a.argmin(1)] -= 1
    np.testing.assert_allclose(g.asnumpy(), want)
    g = ms.grad(lambda t: t.repeat(2, 1).sum_to_size(1, 4).sum())(Tensor(a))
    np.testing.assert_allclose(g.asnumpy(), np.full_like(a, 2))
    g = ms.grad(lambda t: t.take(Tensor(np.array([0, 0, 5]))).sum())(Tensor(a))
    want = np.zeros(12, np.float32)
    want[[0, 5]] = [2, 1]
    np.testing.assert_allclose(g.asnumpy().ravel(), want)


def test_methods_run_under_jit():
    @ms.jit
    def f(x, y):
        return x.maximum(y).ptp(0) + x.repeat(1, 1).sum_to_size(4) + x.take(Tensor([0, 1, 2, 3]))

    a, b = _x(3, 4), _x(3, 4)
    want = np.ptp(np.maximum(a, b), 0) + a.sum(0) + a.ravel()[:4]
    np.testing.assert_allclose(f(Tensor(a), Tensor(b)).asnumpy(), want, rtol=1e-5)
    assert ops is not None


# -- top-level names (_src/top_level.py) -------------------------------------------------------------
def test_dtype_conversions():
    assert ms.dtype_to_nptype(ms.int8) is np.int8 and ms.dtype_to_nptype(ms.float32) is np.float32
    assert ms.dtype_to_pytype(ms.bool_) is bool and ms.dtype_to_pytype(ms.uint8) is int
    assert ms.dtype_to_pytype(ms.float16) is float and ms.dtype_to_pytype(ms.complex64) is complex
    assert ms.pytype_to_dtype(int) is ms.int64 and ms.pytype_to_dtype(float) is ms.float64
    assert ms.pytype_to_dtype(bool) is ms.bool_ and ms.pytype_to_dtype(np.int16) is ms.int16
    assert ms.pytype_to_dtype(np.dtype("float16")) is ms.float16
    assert ms.get_py_obj_dtype(Tensor([1.0])) is ms.float32 and ms.get_py_obj_dtype(3) is ms.int64
    with pytest.raises(NotImplementedError):
        ms.pytype_to_dtype(dict)


def test_from_numpy_shares_memory_and_tensor_function():
    a = np.zeros(3, np.float32)
    t = ms.from_numpy(a)
    a[1] = 5
    assert t.asnumpy()[1] == 5
    assert ms.is_tensor(t) and not ms.is_tensor(a)
    assert ms.tensor([1, 2], ms.float16).dtype is ms.float16


def test_generator_and_global_seed_functions():
    g = ms.Generator()
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    state = g.get_state()
    a = Tensor(np.zeros(3, np.float32)).normal_(generator=g).asnumpy()
    g.set_state(state)
    b = Tensor(np.zeros(3, np.float32)).normal_(generator=g).asnumpy()
    np.testing.assert_array_equal(a, b)
    s = g.seed()
    assert g.initial_seed() == s
    ms.manual_seed(11)
    assert ms.initial_seed() == 11 and ms.get_seed() == 11
    state = ms.get_rng_state()
    x = ops.uniform((4,)).asnumpy()
    ms.set_rng_state(state)
    np.testing.assert_array_equal(ops.uniform((4,)).asnumpy(), x)
    ms.manual_seed(11)
    np.testing.assert_array_equal(ops.uniform((4,)).asnumpy(), x)
    with pytest.raises(MindValueError):
        g.manual_seed(-1)


def test_jit_config_sets_the_level_and_refuses_what_mind_cannot():
    f = ms.jit(lambda x: x * 2, jit_config=ms.JitConfig(jit_level="O0"))
    np.testing.assert_allclose(f(Tensor([1.0, 2.0])).asnumpy(), [2, 4])
    assert ms.JitConfig(jit_level="O1").jit_config_dict["jit_level"] == "O1"
    with pytest.raises(MindValueError, match="jit_level"):
        ms.JitConfig(jit_level="O3")
    with pytest.raises(MindValueError, match="exc_mode"):
        ms.JitConfig(exc_mode="sink")
    with pytest.raises(MindValueError, match="jit_syntax_level"):
        ms.jit(lambda x: x, jit_config=ms.JitConfig(jit_syntax_level="STRICT"))


def test_compile_hints_are_identities_and_devices():
    def f(a):
        return a + 1

    assert ms.constexpr(f) is f and ms.constexpr(check=False)(f) is f
    assert ms.lazy_inline(f) is f and ms.no_inline(f) is f
    ms.set_deterministic(True)
    ms.set_device("CPU")
    info = ms.get_current_device()
    assert info.device_target == "cpu" and info.device_id == 0


# -- Cell buffers and state dicts (_src/nn/cell.py) ---------------------------------------------------
class _BufNet(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.buf = ms._Buffer(Tensor(np.array([1.0, 2.0], np.float32)))
        self.register_buffer("scale", Tensor(np.array([3.0, 4.0], np.float32)))
        self.register_buffer("tmp", Tensor(np.zeros(2, np.float32)), persistent=False)
        self.w = Parameter(Tensor(np.array([10.0, 20.0], np.float32)), name="w")

    def construct(self, x):
        return (x + self.buf) * self.scale + self.w


class _Outer(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.inner = _BufNet()
        self.register_buffer("count", Tensor(np.array([0.0], np.float32)))

    def construct(self, x):
        return self.inner(x) + self.count


@pytest.mark.parametrize("mode", [ms.PYNATIVE_MODE, ms.GRAPH_MODE])
def test_buffers_are_listed_by_path_and_read_in_construct(mode):
    ms.set_context(mode=mode)
    try:
        net = _Outer()
        names = [n for n, _ in net.named_buffers()]
        assert names == ["count", "inner.buf", "inner.scale", "inner.tmp"]
        assert [n for n, _ in net.named_buffers(recurse=False)] == ["count"]
        assert len(list(net.buffers())) == 4 and len(net.inner._buffers) == 3
        np.testing.assert_allclose(net.get_buffer("inner.scale").asnumpy(), [3, 4])
        x = Tensor(np.array([2.0, 2.0], np.float32))
        np.testing.assert_allclose(net(x).asnumpy(), [19, 36])
        net.inner.scale = Tensor(np.array([1.0, 1.0], np.float32))  # replaces the buffer
        np.testing.assert_allclose(net(x).asnumpy(), [13, 24])
        assert [p.name for p in net.trainable_params()] == ["inner.w"]  # buffers are not params
    finally:
        ms.set_context(mode=ms.PYNATIVE_MODE)


def test_register_buffer_errors():
    net = _BufNet()
    with pytest.raises(TypeError, match="string"):
        net.register_buffer(2, Tensor([1.0]))
    with pytest.raises(KeyError, match='contain "."'):
        net.register_buffer("a.b", Tensor([1.0]))
    with pytest.raises(KeyError, match="already exists"):
        net.register_buffer("w", Tensor([1.0]))
    with pytest.raises(AttributeError, match="has no attribute"):
        net.get_buffer("nothing")
    with pytest.raises(AttributeError, match="not a buffer"):
        net.get_buffer("w")


def test_state_dict_round_trip_through_a_checkpoint(tmp_path):
    net = _Outer()
    sd = net.state_dict()
    assert list(sd) == ["count", "inner.w", "inner.buf", "inner.scale"]  # no non-persistent
    calls = []
    net.register_state_dict_pre_hook(lambda cell, prefix, keep: calls.append("pre"))
    net.register_state_dict_post_hook(lambda cell, d, prefix, meta: calls.append(len(d)))
    net.inner.w.set_data(Tensor(np.array([5.0, 6.0], np.float32)))
    net.count.fill_(7.0)
    path = str(tmp_path / "net.ckpt")
    ms.save_checkpoint(net.state_dict(), path)
    assert calls == ["pre", 4]
    other = _Outer()
    seen = []
    other.register_load_state_dict_post_hook(lambda cell, keys: seen.append(tuple(keys)))
    keys = other.load_state_dict(ms.load_checkpoint(path))
    assert keys.missing_keys == [] and keys.unexpected_keys == [] and seen == [([], [])]
    np.testing.assert_allclose(other.inner.w.value().asnumpy(), [5, 6])
    np.testing.assert_allclose(other.count.asnumpy(), [7])
    with pytest.raises(MindValueError, match="missing keys"):
        other.load_state_dict({"count": Tensor([1.0])})
    keys = other.load_state_dict({"count": Tensor([1.0]), "extra": Tensor([0.0])}, strict=False)
    assert keys.unexpected_keys == ["extra"] and "inner.w" in keys.missing_keys
