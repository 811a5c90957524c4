"""int8 layers: a quantized model's convolutions and dense layers with integer arithmetic.

A FULL_QUANT (or QAT-exported) lite graph holds each quantized layer as a ``fake_quant`` of its
input (asymmetric int8, ``real = s_x * (q - z)``) followed by the layer, whose weight is stored as
int8 (symmetric per output channel, ``real = s_w[o] * w``). :func:`int8_layers` turns each such
pair into one node that computes the same thing in integers:

    u   = clip(rint(x / s_x) + z, -128, 127) + 128              (the input as uint8)
    acc = sum_k u[k] * w[o, k]                                  (int32)
    y   = (acc - (z + 128) * sum_k w[o, k]) * (s_x * s_w[o]) + bias[o],   then the activation

which is exactly ``dequant(q) @ dequant(w)`` of the fake-quant model, so the int8 model's
accuracy is the one the converter measured. Two ops, with their weights packed once at load:

- ``lite_qdense(x, w, colsum, scale, bias)``: ``x`` (..., K) -> (..., O); ``w`` packed for
  :data:`C_PRELUDE`'s *form 1* (16 output channels x 4 depths per 64-byte vector), the rows of
  ``x`` broadcast;
- ``lite_qconv2d(x, w, colsum, scale, bias)``: NCHW; ``w`` as (O, Kp) rows, the im2col of the
  input packed 16 positions x 4 depths per vector (*form 2*), so the output rows are NCHW's.

On the native backend they are C (registered into mind-core's lowering table by
:func:`register_lowerings`): ``vpdpbusd`` (AVX-512 VNNI, u8 x s8 into int32) where the CPU has
it, plain integer loops elsewhere. The numpy kernels here compute the same integers (float64
matmuls are exact at these sizes) and are the reference the C is tested against.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mind.lite._src.graph import LiteGraph, Node
from mind.lite._src.kernels import ACTIVATIONS, kernel
from mind.lite._src.optimize import drop_dead
from mind.lite._src.qmath import MAX_INT8_DEPTH, channel_axis, dequantized

__all__ = ["C_PRELUDE", "int8_layers", "register_lowerings"]

#: ``lite_dense1(x, w[, b])``: a float32 dense layer at batch 1 (``x`` (1, K), ``w`` (O, K)),
#: the native plan's own threaded GEMV (:data:`C_PRELUDE`'s ``mlg_dense``); the C lowering
#: (native_lower) uses it for such ``dense_fused`` nodes.

_LAYERS = ("conv2d", "conv2d_fused", "dense_fused", "matmul")
#: the activations the C epilogue applies itself (others follow as their own op)
C_ACTIVATIONS = {None: 0, "relu": 1, "relu6": 2}


def _pad_to(n: int, m: int) -> int:
    return -(-n // m) * m


# -- the graph rewrite -----------------------------------------------------------------------------


def int8_layers(graph: LiteGraph) -> LiteGraph:
    """``graph`` with each fake-quantized layer whose weight is int8 as a ``lite_qdense`` or
    ``lite_qconv2d`` node, the fake-quant nodes nothing else reads dropped, and every other int8
    (or float16-stored) weight dequantized to float32."""
    if not graph.quant:
        return dequantized(graph)
    producers = graph.producers()
    tensors = dict(graph.tensors)
    nodes: list[Node] = []
    for node in graph.nodes:
        fq = producers.get(node.inputs[0]) if node.inputs else None
        rewritten = None
        if node.op in _LAYERS and fq is not None and fq.op in ("fake_quant", "fake_quant_dynamic"):
            rewritten = _rewrite(node, fq, tensors, graph.quant)
        nodes.append(rewritten or node)
    rewired = LiteGraph(
        graph.inputs, graph.outputs, nodes, tensors, graph.quant, graph.metadata, graph.shapes
    )
    return dequantized(drop_dead(rewired))  # the fake quants and int8 weights now unread


def _rewrite(node: Node, fq: Node, tensors: dict, quant: dict) -> Node | None:
    name = node.inputs[1] if len(node.inputs) > 1 else None
    param = quant.get(name)
    w = tensors.get(name)
    if param is None or w is None or w.dtype != np.int8 or any(z != 0 for z in param.zero_point):
        return None
    if node.op.startswith("conv2d"):
        if w.ndim != 4 or node.attrs.get("groups", 1) != 1 or param.axis not in (0, None):
            return None
        rows = w.reshape(w.shape[0], -1)
    else:
        axis = channel_axis(node.op, node.attrs)
        if w.ndim != 2 or node.attrs.get("transpose_a") or param.axis not in (axis, None):
            return None
        rows = w if axis == 0 else w.T
    o, k = rows.shape
    if k > MAX_INT8_DEPTH:  # int32 sums could overflow: keep the float kernel
        return None
    scale_w = np.broadcast_to(np.asarray(param.scale, np.float64), (o,))
    dynamic = fq.op == "fake_quant_dynamic"
    # a dynamic grid is found at run time; the weight's scales then stay float64
    x_scale, x_zero = (
        (0.0, 0) if dynamic else (float(fq.attrs["scale"]), int(fq.attrs["zero_point"]))
    )
    if not dynamic and not (np.isfinite(x_scale) and x_scale > 0 and -128 <= x_zero <= 127):
        return None
    bias = np.zeros(o, np.float32)
    if len(node.inputs) > 2:
        b = tensors.get(node.inputs[2])
        if b is None or b.size != o:
            return None
        bias = np.asarray(b, np.float32).reshape(o)
    colsum = rows.astype(np.int32).sum(axis=1, dtype=np.int32)
    scale = scale_w.copy() if dynamic else (x_scale * scale_w).astype(np.float32)
    base = f"{node.name}/int8"
    attrs: dict[str, Any] = {
        "x_scale": x_scale,
        "x_zero": x_zero,
        "out_channels": o,
        "depth": k,
        "activation": node.attrs.get("activation"),
        "dynamic": dynamic,
    }
    if node.op.startswith("conv2d"):
        op = "lite_qconv2d"
        packed = pack_rows(rows)
        attrs.update(
            kernel=tuple(int(d) for d in w.shape[2:]),
            stride=tuple(node.attrs["stride"]),
            pads=tuple(node.attrs["pads"]),
            dilation=tuple(node.attrs["dilation"]),
        )
    else:
        op = "lite_qdense"
        packed = pack_columns(rows)
        width = _pad_to(o, 16)  # form 1 reads its per-channel values 16 at a time
        colsum, scale, bias = (np.pad(a, (0, width - o)) for a in (colsum, scale, bias))
    extra = {"w": packed, "colsum": colsum, "scale": scale, "bias": bias}
    names = []
    for key, value in extra.items():
        tensors[f"{base}/{key}"] = np.ascontiguousarray(value)
        names.append(f"{base}/{key}")
    return Node(op, node.name, [fq.inputs[0], *names], list(node.outputs), attrs)


def pack_columns(rows: np.ndarray) -> np.ndarray:
    """Form 1's weight: (O, K) int8 as (O/16, K/4, 16, 4), zero-padded (one 64-byte vector holds
    4 depths of 16 output channels)."""
    o, k = rows.shape
    op, kp = _pad_to(o, 16), _pad_to(k, 4)
    padded = np.zeros((op, kp), np.int8)
    padded[:o, :k] = rows
    return padded.reshape(op // 16, 16, kp // 4, 4).transpose(0, 2, 1, 3).copy()


def pack_rows(rows: np.ndarray) -> np.ndarray:
    """Form 2's weight: (O, K) int8 rows zero-padded to a multiple of 4 depths."""
    o, k = rows.shape
    padded = np.zeros((o, _pad_to(k, 4)), np.int8)
    padded[:, :k] = rows
    return padded


# -- numpy kernels (the reference) -----------------------------------------------------------------


def _grid(x: np.ndarray, x_scale: float, x_zero: int, scale: np.ndarray, dynamic: bool):
    """The input's grid and the per-channel output scales: fixed, or (``dynamic``) the grid of
    ``x`` itself, times the weight's float64 scales."""
    if not dynamic:
        return x_scale, x_zero, scale
    from mind.lite._src.qmath import activation_grid

    x_scale, x_zero = activation_grid(x.min(), x.max()) if x.size else (1.0, 0)
    return x_scale, x_zero, (x_scale * scale).astype(np.float32)


def _quantize_u8(x: np.ndarray, scale: float, zero: int) -> np.ndarray:
    q = np.clip(np.rint(x / np.float32(scale)) + np.float32(zero), -128, 127)
    return (q + 128).astype(np.float64)


def _epilogue(acc, colsum, scale, bias, zero, activation, channel_axis):
    shape = [1] * acc.ndim
    shape[channel_axis] = -1
    centred = (acc - (zero + 128) * colsum.astype(np.float64).reshape(shape)).astype(np.float32)
    out = centred * scale.reshape(shape) + bias.reshape(shape)
    return ACTIVATIONS[activation](out) if activation else out


@kernel("lite_qdense", internal=True)
def qdense(
    x,
    w,
    colsum,
    scale,
    bias,
    *,
    x_scale,
    x_zero,
    out_channels,
    depth,
    activation=None,
    dynamic=False,
):
    blocks, k4 = w.shape[:2]
    rows = w.transpose(0, 2, 1, 3).reshape(blocks * 16, k4 * 4)[:out_channels, :depth]
    x_scale, x_zero, scale = _grid(x, x_scale, x_zero, scale, dynamic)
    u = _quantize_u8(x, x_scale, x_zero)
    acc = u @ rows.astype(np.float64).T
    o = out_channels
    return _epilogue(acc, colsum[:o], scale[:o], bias[:o], x_zero, activation, -1)


@kernel("lite_qconv2d", internal=True)
def qconv2d(
    x,
    w,
    colsum,
    scale,
    bias,
    *,
    x_scale,
    x_zero,
    out_channels,
    depth,
    kernel,
    stride,
    pads,
    dilation,
    activation=None,
    dynamic=False,
):
    from mind.lite._src.kernels import _pad_hw, _windows

    n = x.shape[0]
    x_scale, x_zero, scale = _grid(x, x_scale, x_zero, scale, dynamic)
    u = _quantize_u8(x, x_scale, x_zero)
    # padding is real 0, which is the grid's zero point: u = z + 128 there
    win = _windows(_pad_hw(u, pads, x_zero + 128), kernel[0], kernel[1], stride, dilation)
    oh, ow = win.shape[2], win.shape[3]
    cols = win.transpose(0, 1, 4, 5, 2, 3).reshape(n, depth, oh * ow)
    acc = w[:, :depth].astype(np.float64) @ cols
    out = _epilogue(acc, colsum, scale, bias, x_zero, activation, 1)
    return out.reshape(n, out_channels, oh, ow)


# -- C ---------------------------------------------------------------------------------------------

#: The GEMM both ops call, prepended to a model's generated C. ``C[R][N] = epi(B . V)``: ``B`` is
#: R rows of ``4 * K4`` bytes (read 4 at a time and broadcast), ``V`` the packed operand (blocks
#: of 16 columns, ``K4`` vectors of 64 bytes each). Form 1 (dense): ``B`` the uint8 input rows,
#: ``V`` the int8 weights, the channel is the column. Form 2 (conv): ``B`` the int8 weight rows,
#: ``V`` the uint8 im2col, the channel is the row. Tiles of 4 rows x 4 vectors, or 8 rows x 2, keep 16
#: int32 accumulators in registers; columns past ``N`` are computed and not stored.
C_PRELUDE = r"""
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#include <pthread.h>
#include <time.h>
#include <unistd.h>
typedef struct {
  int64_t R, N, k4, ldb, ldc; const uint8_t *B, *V; int32_t zu; const int32_t *colsum;
  const float *cs, *bias; float *C; int act;
} mlq_args;
#define MLQ_ACT(v, act) ((act) == 1 ? (v > 0.0f ? v : 0.0f) \
    : (act) == 2 ? (v > 6.0f ? 6.0f : (v > 0.0f ? v : 0.0f)) : v)
#if defined(__AVX512VNNI__) && defined(__AVX512BW__)
static inline __attribute__((always_inline)) void mlq_tile(
    const int form, const int mr, const int nv, const uint8_t *B, int64_t ldb, const uint8_t *V,
    int64_t vstride, int64_t k4, int32_t zu, const int32_t *colsum, const float *cs,
    const float *bias, float *C, int64_t ldc, int64_t r0, int64_t n0, int64_t n, int act)
{
  __m512i acc[8][4];
  for (int i = 0; i < mr; ++i) for (int j = 0; j < nv; ++j) acc[i][j] = _mm512_setzero_si512();
  for (int64_t k = 0; k < k4; ++k) {
    __m512i v[4];
    for (int j = 0; j < nv; ++j) v[j] = _mm512_loadu_si512((const void *)(V + j * vstride + k * 64));
    for (int i = 0; i < mr; ++i) {
      int32_t word; memcpy(&word, B + (r0 + i) * ldb + k * 4, 4);
      __m512i b = _mm512_set1_epi32(word);
      for (int j = 0; j < nv; ++j)
        acc[i][j] = form == 1 ? _mm512_dpbusd_epi32(acc[i][j], b, v[j])
                              : _mm512_dpbusd_epi32(acc[i][j], v[j], b);
    }
  }
  const __m512 zero = _mm512_setzero_ps(), six = _mm512_set1_ps(6.0f);
  for (int j = 0; j < nv; ++j) {
    int64_t c0 = n0 + 16 * j;
    __mmask16 mask = n - c0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - c0)) - 1u);
    __m512i sums = form == 1 ? _mm512_loadu_si512((const void *)(colsum + c0)) : _mm512_setzero_si512();
    __m512 scale = form == 1 ? _mm512_loadu_ps(cs + c0) : zero;
    __m512 shift = form == 1 ? _mm512_loadu_ps(bias + c0) : zero;
    for (int i = 0; i < mr; ++i) {
      int64_t r = r0 + i;
      if (form == 2) {
        sums = _mm512_set1_epi32(colsum[r]);
        scale = _mm512_set1_ps(cs[r]);
        shift = _mm512_set1_ps(bias[r]);
      }
      __m512i centred = _mm512_sub_epi32(acc[i][j], _mm512_mullo_epi32(_mm512_set1_epi32(zu), sums));
      __m512 y = _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(centred), scale), shift);
      if (act >= 1) y = _mm512_max_ps(y, zero);
      if (act == 2) y = _mm512_min_ps(y, six);
      _mm512_mask_storeu_ps(C + r * ldc + c0, mask, y);
    }
  }
}
#define MLQ_CASE(f, a, b) case (a) * 8 + (b): mlq_tile(f, a, b, g->B, g->ldb, Vb, vstride, \
    g->k4, g->zu, g->colsum, g->cs, g->bias, g->C, g->ldc, r, nb * 16, g->N, g->act); break;
#define MLQ_ROW(f, a) MLQ_CASE(f, a, 1) MLQ_CASE(f, a, 2) MLQ_CASE(f, a, 3) MLQ_CASE(f, a, 4)
#define MLQ_ROW2(f, a) MLQ_CASE(f, a, 1) MLQ_CASE(f, a, 2)
/* The tiles, column group by column group (as many vectors per tile, up to 4, as keep a group's
   packed block in L1, about 24 KB; 8 rows a tile when the vectors are 2 or fewer, else 4), row
   group by row group within: units [t0, t1) of that order. */
#define MLQ_STEP(g) (24576 / ((g)->k4 * 64) >= 4 ? 4 : (24576 / ((g)->k4 * 64) < 1 ? 1 \
    : 24576 / ((g)->k4 * 64)))
#define MLQ_PART(name, f) \
static int64_t name##_units(const mlq_args *g) { \
  const int64_t step = MLQ_STEP(g), rows = step <= 2 ? 8 : 4; \
  return ((g->N + 15) / 16 + step - 1) / step * ((g->R + rows - 1) / rows); \
} \
static void name##_part(const void *args, int64_t t0, int64_t t1) { \
  const mlq_args *g = (const mlq_args *)args; \
  const int64_t vstride = g->k4 * 64, blocks = (g->N + 15) / 16, step = MLQ_STEP(g); \
  const int64_t rows = step <= 2 ? 8 : 4, rgroups = (g->R + rows - 1) / rows; \
  for (int64_t u = t0; u < t1; ++u) { \
    const int64_t nb = (u / rgroups) * step, r = (u % rgroups) * rows; \
    const int nv = blocks - nb >= step ? (int)step : (int)(blocks - nb); \
    const int mr = g->R - r >= rows ? (int)rows : (int)(g->R - r); \
    const uint8_t *Vb = g->V + nb * vstride; \
    switch (mr * 8 + nv) { MLQ_ROW(f, 1) MLQ_ROW(f, 2) MLQ_ROW(f, 3) MLQ_ROW(f, 4) \
      MLQ_ROW2(f, 5) MLQ_ROW2(f, 6) MLQ_ROW2(f, 7) MLQ_ROW2(f, 8) } \
  } \
}
#else
/* No VNNI: the same packed layouts, in plain integer loops; a unit is a row. */
#define MLQ_PART(name, f) \
static int64_t name##_units(const mlq_args *g) { return g->R; } \
static void name##_part(const void *args, int64_t t0, int64_t t1) { \
  const mlq_args *g = (const mlq_args *)args; \
  for (int64_t r = t0; r < t1; ++r) for (int64_t c = 0; c < g->N; ++c) { \
    const uint8_t *vb = g->V + (c / 16) * g->k4 * 64 + (c % 16) * 4; \
    const uint8_t *br = g->B + r * g->ldb; \
    int32_t acc = 0; \
    for (int64_t k = 0; k < g->k4; ++k) for (int e = 0; e < 4; ++e) \
      acc += f == 1 ? (int32_t)br[4 * k + e] * (int32_t)(int8_t)vb[64 * k + e] \
                    : (int32_t)(int8_t)br[4 * k + e] * (int32_t)vb[64 * k + e]; \
    int64_t ch = f == 1 ? c : r; \
    float y = (float)(acc - g->zu * g->colsum[ch]) * g->cs[ch] + g->bias[ch]; \
    g->C[r * g->ldc + c] = MLQ_ACT(y, g->act); \
  } \
}
#endif
/* Threads: a GEMM of at least 2^20 multiply-adds is split over up to mlq_wanted threads (the
   online CPUs, or what mind_lite_threads set), this one and workers started on first use. A
   worker spins for 200 us after its part (the next layer's GEMM usually comes sooner), then
   sleeps on a condition variable. One split GEMM at a time per module: another caller (a second
   Python thread) runs its GEMM alone. A forked child starts with no workers. */
#define MLQ_MAX_THREADS 16
typedef void (*mlq_fn)(const void *, int64_t, int64_t);
typedef struct { mlq_fn fn; const void *g; int64_t t0, t1; int state; } mlq_slot;
static mlq_slot mlq_slots[MLQ_MAX_THREADS];
static pthread_mutex_t mlq_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mlq_cv = PTHREAD_COND_INITIALIZER;
static int mlq_workers, mlq_forks, mlq_busy, mlq_wanted = -1;
static void mlq_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
static double mlq_now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static void *mlq_worker(void *arg) {
  mlq_slot *s = (mlq_slot *)arg;
  for (;;) {
    double since = 0.0;
    for (int64_t spins = 1; __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != 1; ++spins) {
      if ((spins & 255) == 0) {
        double t = mlq_now();
        if (since == 0.0) since = t;
        else if (t - since > 2e-4) {
          pthread_mutex_lock(&mlq_mu);
          while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != 1) pthread_cond_wait(&mlq_cv, &mlq_mu);
          pthread_mutex_unlock(&mlq_mu);
          break;
        }
      }
      mlq_pause();
    }
    s->fn(s->g, s->t0, s->t1);
    __atomic_store_n(&s->state, 2, __ATOMIC_RELEASE);
  }
  return NULL;
}
static void mlq_forked(void) {
  mlq_workers = 0; mlq_busy = 0;
  pthread_mutex_init(&mlq_mu, NULL); pthread_cond_init(&mlq_cv, NULL);
  for (int w = 0; w < MLQ_MAX_THREADS; ++w) mlq_slots[w].state = 0;
}
/* fn(g, t0, t1) over units [0, units), split when the work (multiply-adds) is at least
   ``least`` */
static void mlq_parallel(mlq_fn fn, const void *g, int64_t units, int64_t work, int64_t least) {
  if (mlq_wanted < 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    mlq_wanted = n < 1 ? 1 : (n > MLQ_MAX_THREADS ? MLQ_MAX_THREADS : (int)n);
  }
  int64_t threads = mlq_wanted < units ? mlq_wanted : units;
  if (threads < 2 || work < least
      || __atomic_exchange_n(&mlq_busy, 1, __ATOMIC_ACQUIRE)) {
    fn(g, 0, units);
    return;
  }
  if (!mlq_forks) mlq_forks = pthread_atfork(NULL, NULL, mlq_forked) == 0;
  while (mlq_workers < threads - 1) {
    pthread_t tid;
    mlq_slots[mlq_workers].state = 0;
    if (pthread_create(&tid, NULL, mlq_worker, &mlq_slots[mlq_workers]) != 0) break;
    pthread_detach(tid);
    ++mlq_workers;
  }
  if (threads > mlq_workers + 1) threads = mlq_workers + 1;
  const int64_t share = units / threads, extra = units % threads, mine = share + (extra > 0);
  int64_t t = mine;
  pthread_mutex_lock(&mlq_mu);
  for (int64_t w = 0; w + 1 < threads; ++w) {
    const int64_t n = share + (w + 1 < extra);
    mlq_slots[w].fn = fn; mlq_slots[w].g = g; mlq_slots[w].t0 = t; mlq_slots[w].t1 = t + n;
    t += n;
    __atomic_store_n(&mlq_slots[w].state, 1, __ATOMIC_RELEASE);
  }
  pthread_cond_broadcast(&mlq_cv);
  pthread_mutex_unlock(&mlq_mu);
  fn(g, 0, mine);
  for (int64_t w = 0; w + 1 < threads; ++w) {
    while (__atomic_load_n(&mlq_slots[w].state, __ATOMIC_ACQUIRE) != 2) mlq_pause();
    __atomic_store_n(&mlq_slots[w].state, 0, __ATOMIC_RELEASE);  /* the worker is reading it */
  }
  __atomic_store_n(&mlq_busy, 0, __ATOMIC_RELEASE);
}
/* the model's thread count: S[0] points to an int64 (0 or less: the online CPUs) */
void mind_lite_threads(void **S) {
  int64_t n = *(int64_t *)S;
  mlq_wanted = n < 1 ? -1 : (n > MLQ_MAX_THREADS ? MLQ_MAX_THREADS : (int)n);
}
#define MLQ_GEMM(name, f) \
MLQ_PART(name, f) \
static __attribute__((unused)) void name(int64_t R, int64_t N, int64_t k4, const uint8_t *B, \
    int64_t ldb, const uint8_t *V, int32_t zu, const int32_t *colsum, const float *cs, \
    const float *bias, float *C, int64_t ldc, int act) { \
  const mlq_args g = {R, N, k4, ldb, ldc, B, V, zu, colsum, cs, bias, C, act}; \
  mlq_parallel(name##_part, &g, name##_units(&g), R * N * k4 * 4, (int64_t)1 << 20); \
}
MLQ_GEMM(mlq_gemm1, 1)
MLQ_GEMM(mlq_gemm2, 2)
/* A float32 dense layer at batch 1: y[o] = w[o, :] . x + b[o], then the activation; rows split
   over the threads from 2^16 multiply-adds (reading the weight is the work: two cores' caches
   and bandwidth instead of one). */
typedef struct { const float *x, *w, *b; float *y; int64_t k, o; int act; } mlg_args;
static void mlg_part(const void *args, int64_t u0, int64_t u1) {
  /* units of 4 rows, so every row but the last few is computed the same way (the same bits)
     whatever the split */
  const mlg_args *g = (const mlg_args *)args;
  const int64_t k = g->k, o0 = 4 * u0, o1 = 4 * u1 < g->o ? 4 * u1 : g->o;
#if defined(__AVX512F__)
  int64_t o = o0;
  for (; o + 4 <= o1; o += 4) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const float *w0 = g->w + o * k, *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    int64_t j = 0;
    for (; j + 16 <= k; j += 16) {
      __m512 xv = _mm512_loadu_ps(g->x + j);
      a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + j), xv, a0);
      a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + j), xv, a1);
      a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + j), xv, a2);
      a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + j), xv, a3);
    }
    if (j < k) {
      __mmask16 m = (__mmask16)((1u << (k - j)) - 1u);
      __m512 xv = _mm512_maskz_loadu_ps(m, g->x + j);
      a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w0 + j), xv, a0);
      a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w1 + j), xv, a1);
      a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w2 + j), xv, a2);
      a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w3 + j), xv, a3);
    }
    float v[4] = {_mm512_reduce_add_ps(a0), _mm512_reduce_add_ps(a1), _mm512_reduce_add_ps(a2),
                  _mm512_reduce_add_ps(a3)};
    for (int i = 0; i < 4; ++i) {
      float y = v[i] + (g->b ? g->b[o + i] : 0.0f);
      g->y[o + i] = MLQ_ACT(y, g->act);
    }
  }
  for (; o < o1; ++o) {
#else
  for (int64_t o = o0; o < o1; ++o) {
#endif
    const float *wr = g->w + o * k;
    float acc = 0.0f;
#pragma omp simd reduction(+:acc)
    for (int64_t j = 0; j < k; ++j) acc += wr[j] * g->x[j];
    float y = acc + (g->b ? g->b[o] : 0.0f);
    g->y[o] = MLQ_ACT(y, g->act);
  }
}
static __attribute__((unused)) void mlg_dense(const float *x, const float *w, const float *b,
    float *y, int64_t o, int64_t k, int act) {
  const mlg_args g = {x, w, b, y, k, o, act};
  mlq_parallel(mlg_part, &g, (o + 3) / 4, o * k, (int64_t)1 << 16);
}
/* rows (K4 * 4 of them, ``pp`` bytes apart) -> form 2's packing: 16 positions x 4 depths per
   64 bytes, block by block */
static __attribute__((unused)) void mlq_pack4(const uint8_t *rows, uint8_t *col, int64_t k4,
    int64_t blocks, int64_t pp) {
  for (int64_t b = 0; b < blocks; ++b) for (int64_t k = 0; k < k4; ++k) {
    const uint8_t *r = rows + 4 * k * pp + b * 16;
    uint8_t *dst = col + (b * k4 + k) * 64;
#if defined(__SSE2__)
    __m128i a = _mm_loadu_si128((const __m128i *)r);
    __m128i bb = _mm_loadu_si128((const __m128i *)(r + pp));
    __m128i c = _mm_loadu_si128((const __m128i *)(r + 2 * pp));
    __m128i d = _mm_loadu_si128((const __m128i *)(r + 3 * pp));
    __m128i ab0 = _mm_unpacklo_epi8(a, bb), ab1 = _mm_unpackhi_epi8(a, bb);
    __m128i cd0 = _mm_unpacklo_epi8(c, d), cd1 = _mm_unpackhi_epi8(c, d);
    _mm_storeu_si128((__m128i *)dst, _mm_unpacklo_epi16(ab0, cd0));
    _mm_storeu_si128((__m128i *)(dst + 16), _mm_unpackhi_epi16(ab0, cd0));
    _mm_storeu_si128((__m128i *)(dst + 32), _mm_unpacklo_epi16(ab1, cd1));
    _mm_storeu_si128((__m128i *)(dst + 48), _mm_unpackhi_epi16(ab1, cd1));
#else
    for (int e = 0; e < 16; ++e) for (int t = 0; t < 4; ++t) dst[4 * e + t] = r[t * pp + e];
#endif
  }
}
/* DYNAMIC_QUANT's grid: over [min(x, 0), max(x, 0)] as qmath.activation_grid computes it (in
   double), and the output scales s * sw[o] */
static __attribute__((unused)) void mlq_grid(const float *x, int64_t n, const double *sw,
    int64_t o, float *cs, float *s, float *z, int32_t *zu) {
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < n; ++i) { lo = x[i] < lo ? x[i] : lo; hi = x[i] > hi ? x[i] : hi; }
  double scale = hi > lo ? ((double)hi - (double)lo) / 255.0 : 1.0;
  double zero = rint(-128.0 - (double)lo / scale);
  zero = zero < -128.0 ? -128.0 : (zero > 127.0 ? 127.0 : zero);
  for (int64_t c = 0; c < o; ++c) cs[c] = (float)(scale * sw[c]);
  *s = (float)scale; *z = (float)zero; *zu = (int32_t)zero + 128;
}
/* x -> clip(rint(x / s) + z, -128, 127) + 128, as uint8 */
static __attribute__((unused)) void mlq_quantize(const float *x, uint8_t *u, int64_t n, float s, float z) {
  for (int64_t i = 0; i < n; ++i) {
    float q = rintf(x[i] / s) + z;
    q = q < -128.0f ? -128.0f : (q > 127.0f ? 127.0f : q);
    u[i] = (uint8_t)(int32_t)(q + 128.0f);
  }
}
"""


def _qdense_rule(node: Any, k: Any) -> str | None:
    attrs = node.attrs
    act = C_ACTIVATIONS.get(attrs.get("activation"), -1)
    x = node.inputs[0].aval
    if act < 0 or x.dtype.name != "float32" or node.aval.dtype.name != "float32":
        return None
    depth, o = attrs["depth"], attrs["out_channels"]
    kp = _pad_to(depth, 4)
    rows = int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
    width = _pad_to(o, 16)
    base = k.scratch(width * 4 + rows * kp)
    return (
        _grid_code(node, base, rows * depth, width)
        + f"uint8_t *u = (uint8_t *){base} + {width * 4};\n"
        f"for (int64_t r = 0; r < {rows}; ++r) "
        f"mlq_quantize(in0_ + r * {depth}, u + r * {kp}, {depth}, s_, z_);\n"
        f"mlq_gemm1({rows}, {o}, {kp // 4}, u, {kp}, (const uint8_t *)in1_, zu_, "
        f"in2_, cs_, in4_, out_, {o}, {act});\n"
    )


def _f32(value: float) -> str:
    """``value`` as numpy's float32 of it, exactly: a C hexadecimal float literal."""
    return float(np.float32(value)).hex() + "f"


def _grid_code(node: Any, scratch: str, count: int, width: int) -> str:
    """C declaring the input grid ``s_``, ``z_``, ``zu_`` (the uint8 zero point) and the output
    scales ``cs_``: the node's constants, or computed from the input (dynamic, into the first
    ``width`` floats of the scratch; the weight scales there are as many)."""
    attrs = node.attrs
    if not attrs.get("dynamic"):
        return (
            f"const float s_ = {_f32(attrs['x_scale'])}, z_ = {_f32(attrs['x_zero'])};\n"
            f"const int32_t zu_ = {int(attrs['x_zero']) + 128};\nconst float *cs_ = in3_;\n"
        )
    return (
        f"float s_, z_; int32_t zu_; float *cs_ = (float *){scratch};\n"
        f"mlq_grid(in0_, {count}, in3_, {width}, cs_, &s_, &z_, &zu_);\n"
    )


def _qconv_rule(node: Any, k: Any) -> str | None:
    attrs = node.attrs
    act = C_ACTIVATIONS.get(attrs.get("activation"), -1)
    x = node.inputs[0].aval
    if act < 0 or x.dtype.name != "float32" or x.ndim != 4:
        return None
    n, c, h, w = x.shape
    o, oh, ow = node.aval.shape[1:]
    kh, kw = attrs["kernel"]
    (sh, sw), (dh, dw) = attrs["stride"], attrs["dilation"]
    pt, pb, pl, pr = attrs["pads"]
    if min(pt, pb, pl, pr) < 0:
        return None
    depth = attrs["depth"]
    kp = _pad_to(depth, 4)
    p = oh * ow
    blocks = -(-p // 16)
    pp = blocks * 16
    width = _pad_to(o, 16)
    # The input quantized into a zero-point-bordered image (padding is real 0, which is the
    # grid's zero point), so every window tap is inside; then im2col as rows (depth d: the P
    # values it meets, contiguous), packed for form 2 (16 positions x 4 depths per 64 bytes).
    hp, wp = h + pt + pb, w + pl + pr
    image = _pad_to(c * hp * wp, 64)
    base = k.scratch(width * 4 + image + 2 * kp * pp)
    buffer = f"((uint8_t *){base} + {width * 4})"
    copy = (
        f"memcpy(dst, src, {ow});"
        if sw == 1
        else f"for (int64_t ox = 0; ox < {ow}; ++ox) dst[ox] = src[ox * {sw}];"
    )
    border = f"  memset(xu, zu_, {c * hp * wp});\n" if (pt or pb or pl or pr) else ""
    return (
        _grid_code(node, base, n * c * h * w, o)
        + f"uint8_t *xu = {buffer}, *rows = {buffer} + {image}, *col = rows + {kp * pp};\n"
        f"memset(rows + {depth * pp}, 0, {(kp - depth) * pp});\n"
        f"for (int64_t q = 0; q < {n}; ++q) {{\n"
        + border
        + f"  for (int64_t r = 0; r < {c * h}; ++r) mlq_quantize(in0_ + q * {c * h * w} + r * {w}, "
        f"xu + ((r / {h}) * {hp} + r % {h} + {pt}) * {wp} + {pl}, {w}, s_, z_);\n"
        f"  for (int64_t ch = 0; ch < {c}; ++ch) for (int64_t i = 0; i < {kh}; ++i) "
        f"for (int64_t j = 0; j < {kw}; ++j) {{\n"
        f"    const uint8_t *xs = xu + ch * {hp * wp} + i * {dh} * {wp} + j * {dw};\n"
        f"    uint8_t *base = rows + ((ch * {kh} + i) * {kw} + j) * {pp};\n"
        f"    for (int64_t oy = 0; oy < {oh}; ++oy) {{\n"
        f"      uint8_t *dst = base + oy * {ow};\n"
        f"      const uint8_t *src = xs + oy * {sh * wp};\n"
        f"      {copy}\n"
        "    }\n  }\n"
        f"  mlq_pack4(rows, col, {kp // 4}, {blocks}, {pp});\n"
        f"  mlq_gemm2({o}, {p}, {kp // 4}, (const uint8_t *)in1_, {kp}, col, zu_, in2_, cs_, "
        f"in4_, out_ + q * {o * p}, {p}, {act});\n"
        "}\n"
    )


def _dense1_rule(node: Any, k: Any) -> str | None:
    act = C_ACTIVATIONS.get(node.attrs.get("activation"), -1)
    x, w = node.inputs[0].aval, node.inputs[1].aval
    if act < 0 or not (x.dtype.name == w.dtype.name == node.aval.dtype.name == "float32"):
        return None
    o, depth = w.shape
    bias = "in2_" if len(node.inputs) > 2 else "NULL"
    return f"mlg_dense(in0_, in1_, {bias}, out_, {o}, {depth}, {act});\n"


def register_lowerings() -> None:
    """Put the two ops' C rules into mind-core's native lowering table (keyed by the primitive
    objects mind-lite's plugin registered)."""
    from mind.core import ops
    from mind.core._src.devices.native.lower import LOWERINGS, Lowering

    LOWERINGS[ops.get_primitive("lite_qdense")] = Lowering(_qdense_rule)
    LOWERINGS[ops.get_primitive("lite_qconv2d")] = Lowering(_qconv_rule)
    LOWERINGS[ops.get_primitive("lite_dense1")] = Lowering(_dense1_rule)
