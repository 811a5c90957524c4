"""The ``native`` device's eager (PyNative) kernels: shape-generic C, built once, then cached.

Graph mode generates C for each graph with its shapes baked in; an eager op cannot wait for a
compiler, so these kernels take their shapes and attributes as arguments at run time. They are
one C library (``_SOURCE``, float32 and float64 instances of one template), built by
:func:`~mind.core._base.native_build.build` on the first eager op that needs it and
loaded from the disk cache by every later process.

Each kernel here is a thin wrapper with the signature of the primitive's cpu kernel: it checks
only what picks the C path (dtype, contiguity, groups, ranks) and otherwise calls that cpu
kernel, so a case the C does not cover (groups > 1, float16, a strided view, a softmax over
another axis) still gets numpy's values, and so does every op when the library cannot be built
here (no compiler: a warning once). Results match the cpu kernels' dtype and shape, and their
values to float rounding; max pooling routes a window's gradient to its first maximum in window
order, as numpy does, ties included.

Convolutions are im2col (or col2im) around one OpenBLAS ``sgemm``/``dgemm`` over the whole
batch, with the column buffer in a per-thread scratch array kept between calls.
"""

from __future__ import annotations

import logging
import os
import threading
from string import Template
from typing import Any

import numpy as np

from mind.core._src.ops.array import _apply_momentum_kernel
from mind.core._src.ops.nn_ops import (
    _avg_pool_grad_kernel,
    _avg_pool_kernel,
    _conv2d_grad_weight_kernel,
    _conv2d_kernel,
    _conv_out,
    _conv_transpose2d_kernel,
    _log_softmax_kernel,
    _matmul_kernel,
    _max_pool_grad_kernel,
    _max_pool_kernel,
    _softmax_kernel,
    _sparse_ce_kernel,
)

__all__ = ["KERNELS", "library"]

logger = logging.getLogger("mind.core.native")

# ------------------------------------------------------------------------------------------------
# The C library
# ------------------------------------------------------------------------------------------------

_PRELUDE = """\
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_atfork (cffi's Python.h sets it) */
#endif
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

/* libmvec's vector exp and log, where build.py found them: the softmax loops vectorize */
#ifdef MIND_MVEC_expf
__attribute__((simd("notinbranch"))) extern float expf(float);
#endif
#ifdef MIND_MVEC_exp
__attribute__((simd("notinbranch"))) extern double exp(double);
#endif

/* BLAS takes 32-bit sizes: a kernel whose sizes do not fit returns MK_UNSUPPORTED and the
   Python side runs the cpu kernel instead. */
#define MK_UNSUPPORTED 1
#define MK_FITS(v) ((v) >= 0 && (v) <= INT32_MAX)

/* np.maximum's rule: NaN wins. The rare NaN test first: GCC 12 turns what is left into a
   select, where "m > v || ..." first became a branch, mispredicted half the time on a
   window's values (10x slower); and it vectorizes, where ">=" does not. */
#define MK_MAX(m, v) ((m) != (m) || (m) > (v) ? (m) : (v))

/* glibc hands a freed block of more than 128 KB back to the kernel (and trims the heap's free
   top), so every large temporary of the next op is mapped and faulted in afresh: in a LeNet
   training step that was a third of the time. Fixed thresholds keep such blocks for reuse. */
int mk_keep_freed_memory(void) {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  return mallopt(M_MMAP_THRESHOLD, 4 << 20) && mallopt(M_TRIM_THRESHOLD, 32 << 20);
#else
  return 0;
#endif
}

/* ---- Threads: the caller and up to MK_MAX_WORKERS workers split a kernel's batch ---------- */

/* A task does part `part` of `parts` (part 0 on the calling thread); with parts == 1, all. */
typedef void (*mk_task)(void *ctx, int64_t part, int64_t parts);

#define MK_MAX_WORKERS 15
/* A worker spins this long after a task before it sleeps: the next op's kernel usually comes
   within that time (a training step calls one every few tens of microseconds), and waking a
   sleeping thread costs about as much as a small kernel. */
#define MK_SPIN_NS 200000

static struct {
  pthread_mutex_t region; /* one parallel region at a time; other callers run alone */
  pthread_mutex_t lock;   /* with wake: where idle workers sleep */
  pthread_cond_t wake;
  _Atomic uint64_t job;   /* bumped for each region */
  _Atomic int64_t done;   /* workers through the current region */
  _Atomic int sleepers;
  _Atomic int started;    /* workers that have read the job counter they wait past */
  mk_task fn;
  void *ctx;
  int64_t parts;
  int workers, wanted;
} mk_pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static int64_t mk_now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void *mk_worker(void *arg) {
  int64_t part = (int64_t)(intptr_t)arg;
  uint64_t seen = atomic_load(&mk_pool.job);
  atomic_fetch_add(&mk_pool.started, 1);
  for (;;) {
    uint64_t job;
    int64_t since = mk_now_ns();
    while ((job = atomic_load(&mk_pool.job)) == seen) {
      if (mk_now_ns() - since < MK_SPIN_NS) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        continue;
      }
      pthread_mutex_lock(&mk_pool.lock);
      atomic_fetch_add(&mk_pool.sleepers, 1);
      while ((job = atomic_load(&mk_pool.job)) == seen) pthread_cond_wait(&mk_pool.wake, &mk_pool.lock);
      atomic_fetch_sub(&mk_pool.sleepers, 1);
      pthread_mutex_unlock(&mk_pool.lock);
    }
    seen = job;
    if (part < mk_pool.parts) mk_pool.fn(mk_pool.ctx, part, mk_pool.parts);
    atomic_fetch_add(&mk_pool.done, 1);
  }
  return NULL;
}

/* In a forked child the workers are gone: start afresh. */
static void mk_after_fork(void) {
  pthread_mutex_init(&mk_pool.region, NULL);
  pthread_mutex_init(&mk_pool.lock, NULL);
  pthread_cond_init(&mk_pool.wake, NULL);
  atomic_store(&mk_pool.sleepers, 0);
  atomic_store(&mk_pool.started, 0);
  mk_pool.workers = 0;
}

/* How many threads kernels may use (the caller included); returns what it takes. */
int mk_set_threads(int threads) {
  mk_pool.wanted = threads < 1 ? 1 : threads > MK_MAX_WORKERS + 1 ? MK_MAX_WORKERS + 1 : threads;
  return mk_pool.wanted;
}

/* Run fn's parts on the calling thread and the workers (started on first use), or the whole
   of it on the calling thread when parts is 1, threads are off, or another region runs;
   returns how many parts ran. */
static int64_t mk_parallel(mk_task fn, void *ctx, int64_t parts) {
  if (parts > 1 && pthread_mutex_trylock(&mk_pool.region) == 0) {
    static int forks_handled = 0;
    if (!forks_handled) forks_handled = !pthread_atfork(NULL, NULL, mk_after_fork);
    while (mk_pool.workers < mk_pool.wanted - 1) {
      pthread_t t;
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
      int failed = pthread_create(&t, &attr, mk_worker, (void *)(intptr_t)(mk_pool.workers + 1));
      pthread_attr_destroy(&attr);
      if (failed) break;
      mk_pool.workers++;
    }
    /* A new worker must read the job counter before this region bumps it, or it would wait
       for the next region and this one would wait for it forever. */
    while (atomic_load(&mk_pool.started) < mk_pool.workers) sched_yield();
    int64_t workers = mk_pool.workers;
    if (parts > workers + 1) parts = workers + 1;
    if (parts > 1) {
      mk_pool.fn = fn;
      mk_pool.ctx = ctx;
      mk_pool.parts = parts;
      atomic_store(&mk_pool.done, 0);
      atomic_fetch_add(&mk_pool.job, 1);
      if (atomic_load(&mk_pool.sleepers)) {
        pthread_mutex_lock(&mk_pool.lock);
        pthread_cond_broadcast(&mk_pool.wake);
        pthread_mutex_unlock(&mk_pool.lock);
      }
      fn(ctx, 0, parts);
      while (atomic_load(&mk_pool.done) < workers) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      pthread_mutex_unlock(&mk_pool.region);
      return parts;
    }
    pthread_mutex_unlock(&mk_pool.region);
  }
  fn(ctx, 0, 1);
  return 1;
}

/* The first and one-past-last output column whose input column ix = base + ox * s lies in
   [0, w): the taps outside read zero (im2col) or are dropped (col2im). */
static void mk_inside(int64_t base, int64_t s, int64_t w, int64_t ow, int64_t *lo, int64_t *hi) {
  int64_t a = base >= 0 ? 0 : (-base + s - 1) / s;
  int64_t b = w - base > 0 ? (w - base + s - 1) / s : 0;
  if (b > ow) b = ow;
  if (a > b) a = b;
  *lo = a;
  *hi = b;
}
"""

# Geometry of a convolution, in this order everywhere: batch, input channels, input height and
# width, output channels, kernel height and width, output height and width, strides, dilations,
# top and left padding (bottom and right follow from the output size).
_GEOMETRY = ("n", "c", "h", "w", "o", "kh", "kw", "oh", "ow", "sh", "sw", "dh", "dw", "pt", "pl")
_GEOM = ", ".join(f"int64_t {name}" for name in _GEOMETRY)

# One template, instantiated for float ($T = float, $S = f32) and double: $GEMM is BLAS's gemm.
_TEMPLATE = Template(
    """
/* ---- $T ---------------------------------------------------------------------------------- */

/* im2col of one sample x (c, h, w) into col: row (ch, i, j) holds that tap's oh*ow values,
   consecutive rows ld apart. */
static void mk_im2col_$S(const $T *x, $T *col, int64_t ld, $GEOM) {
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        $T *row = col + ((ch * kh + i) * kw + j) * ld;
        const $T *xc = x + ch * h * w;
        int64_t lo, hi;
        mk_inside(j * dw - pl, sw, w, ow, &lo, &hi);
        for (int64_t oy = 0; oy < oh; ++oy) {
          $T *dst = row + oy * ow;
          int64_t iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) {
            memset(dst, 0, ow * sizeof($T));
            continue;
          }
          const $T *src = xc + iy * w + j * dw - pl;
          for (int64_t ox = 0; ox < lo; ++ox) dst[ox] = 0;
          if (sw == 1) {
            memcpy(dst + lo, src + lo, (hi - lo) * sizeof($T));
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) dst[ox] = src[ox * sw];
          }
          for (int64_t ox = hi; ox < ow; ++ox) dst[ox] = 0;
        }
      }
}

/* col2im: add each tap's row of col back into sample x (c, h, w), which the caller zeroed. */
static void mk_col2im_$S(const $T *col, $T *x, int64_t ld, $GEOM) {
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        const $T *row = col + ((ch * kh + i) * kw + j) * ld;
        $T *xc = x + ch * h * w;
        int64_t lo, hi;
        mk_inside(j * dw - pl, sw, w, ow, &lo, &hi);
        for (int64_t oy = 0; oy < oh; ++oy) {
          int64_t iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) continue;
          const $T *src = row + oy * ow;
          $T *dst = xc + iy * w + j * dw - pl;
          if (sw == 1) {
#pragma GCC ivdep
            for (int64_t ox = lo; ox < hi; ++ox) dst[ox] += src[ox];
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) dst[ox * sw] += src[ox];
          }
        }
      }
}

/* (rows, n, cols) <-> (n, rows, cols): between a batch of (rows x cols) matrices and one
   (rows x n*cols) matrix. */
static void mk_gather_$S(const $T *src, $T *dst, int64_t n, int64_t rows, int64_t cols) {
  for (int64_t q = 0; q < n; ++q)
    for (int64_t r = 0; r < rows; ++r)
      memcpy(dst + (r * n + q) * cols, src + (q * rows + r) * cols, cols * sizeof($T));
}

static void mk_scatter_$S(const $T *src, $T *dst, int64_t n, int64_t rows, int64_t cols) {
  for (int64_t q = 0; q < n; ++q)
    for (int64_t r = 0; r < rows; ++r)
      memcpy(dst + (q * rows + r) * cols, src + (r * n + q) * cols, cols * sizeof($T));
}

/* The convolutions work on blocks of nb samples: the block's columns, col (K x nb*P) with
   K = c*kh*kw and P = oh*ow, stay in cache between im2col and the gemm, and the gemm is one
   call per block. Each part of the batch (one per thread) has `stride` elements of work: col
   and, when nb > 1, the block's (o x nb*P) product or dout; the weight gradient's parts after
   the first also accumulate their own (o x K) partial sum there. */
typedef struct {
  const $T *a, *b;
  $T *out, *work;
  int64_t nb, stride, n, c, h, w, o, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl;
} mk_conv_$S;

#define MK_CONV_PART                                                                        \
  const mk_conv_$S *j = ctx;                                                                \
  int64_t n = j->n, c = j->c, h = j->h, w = j->w, o = j->o, kh = j->kh, kw = j->kw;          \
  int64_t oh = j->oh, ow = j->ow, sh = j->sh, sw = j->sw, dh = j->dh, dw = j->dw;            \
  int64_t pt = j->pt, pl = j->pl, nb = j->nb, k = c * kh * kw, p = oh * ow;                  \
  int64_t first = n * part / parts, last = n * (part + 1) / parts;                          \
  $T *col = j->work + part * j->stride, *tmp = col + k * nb * p;

#define MK_GEOM_ARGS n, c, h, w, o, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl

static void mk_conv2d_part_$S(void *ctx, int64_t part, int64_t parts) {
  MK_CONV_PART
  for (int64_t q0 = first; q0 < last; q0 += nb) {
    int64_t b = last - q0 < nb ? last - q0 : nb, bp = b * p;
    for (int64_t q = 0; q < b; ++q)
      mk_im2col_$S(j->a + (q0 + q) * c * h * w, col + q * p, bp, MK_GEOM_ARGS);
    $T *dst = b == 1 ? j->out + q0 * o * p : tmp;
    $GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, o, bp, k, 1, j->b, k, col, bp, 0, dst, bp);
    if (b > 1) mk_scatter_$S(tmp, j->out + q0 * o * p, b, o, p);
  }
}

/* conv2d's input gradient: col (K x nb*P) = w^T (K x o) @ dout (o x nb*P), then col2im. */
static void mk_conv2d_grad_input_part_$S(void *ctx, int64_t part, int64_t parts) {
  MK_CONV_PART
  memset(j->out + first * c * h * w, 0, (last - first) * c * h * w * sizeof($T));
  for (int64_t q0 = first; q0 < last; q0 += nb) {
    int64_t b = last - q0 < nb ? last - q0 : nb, bp = b * p;
    const $T *src = j->a + q0 * o * p;
    if (b > 1) mk_gather_$S(src, tmp, b, o, p);
    $GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, k, bp, o, 1, j->b, k, b > 1 ? tmp : src, bp,
          0, col, bp);
    for (int64_t q = 0; q < b; ++q)
      mk_col2im_$S(col + q * p, j->out + (q0 + q) * c * h * w, bp, MK_GEOM_ARGS);
  }
}

/* conv2d's weight gradient: dw (o x K) = sum over blocks of dout (o x nb*P) @ col^T; a part
   after the first sums into its own partial, after its columns. */
static void mk_conv2d_grad_weight_part_$S(void *ctx, int64_t part, int64_t parts) {
  MK_CONV_PART
  $T *dst = part ? tmp + o * nb * p : j->out;
  if (first == last) memset(dst, 0, o * k * sizeof($T));
  for (int64_t q0 = first; q0 < last; q0 += nb) {
    int64_t b = last - q0 < nb ? last - q0 : nb, bp = b * p;
    for (int64_t q = 0; q < b; ++q)
      mk_im2col_$S(j->b + (q0 + q) * c * h * w, col + q * p, bp, MK_GEOM_ARGS);
    const $T *src = j->a + q0 * o * p;
    if (b > 1) mk_gather_$S(src, tmp, b, o, p);
    $GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, o, k, bp, 1, b > 1 ? tmp : src, bp, col, bp,
          q0 > first ? 1 : 0, dst, k);
  }
}

#define MK_CONV_ENTRY(NAME, A, B, OUT)                                                      \
  int mk_##NAME##_$S(const $T *A, const $T *B, $T *OUT, $T *work, int64_t nb, int64_t parts, \
                     int64_t stride, $GEOM) {                                               \
    if (!MK_FITS(c * kh * kw) || !MK_FITS(nb * oh * ow) || !MK_FITS(o)) return MK_UNSUPPORTED; \
    mk_conv_$S job = {A, B, OUT, work, nb, stride, MK_GEOM_ARGS};                            \
    mk_parallel(mk_##NAME##_part_$S, &job, parts);                                          \
    return 0;                                                                               \
  }

MK_CONV_ENTRY(conv2d, x, wt, out)
MK_CONV_ENTRY(conv2d_grad_input, dout, wt, dx)

int mk_conv2d_grad_weight_$S(const $T *dout, const $T *x, $T *dwt, $T *work, int64_t nb,
                             int64_t parts, int64_t stride, $GEOM) {
  if (!MK_FITS(c * kh * kw) || !MK_FITS(nb * oh * ow) || !MK_FITS(o)) return MK_UNSUPPORTED;
  mk_conv_$S job = {dout, x, dwt, work, nb, stride, MK_GEOM_ARGS};
  int64_t ran = mk_parallel(mk_conv2d_grad_weight_part_$S, &job, parts);
  int64_t k = c * kh * kw, p = oh * ow;
  for (int64_t part = 1; part < ran; ++part) {
    const $T *partial = work + part * stride + (k + o) * nb * p;
    for (int64_t i = 0; i < o * k; ++i) dwt[i] += partial[i];
  }
  return 0;
}

/* v when keep is 1, +0 when it is 0: bit masks, where a select on data-dependent flags
   became a mispredicted branch. */
static inline $T mk_keep_$S(int keep, $T v) {
  $U bits;
  memcpy(&bits, &v, sizeof bits);
  bits &= -($U)keep;
  memcpy(&v, &bits, sizeof v);
  return v;
}

/* Pooling, any window: tap by tap over each plane, as the cpu kernels, the inner loop along
   an output row (taps in padding skipped: -inf never changes a maximum, 0 never a sum). */
#define MK_TAPS(...)                                                                 \
  for (int64_t i = 0; i < kh; ++i)                                                   \
    for (int64_t j = 0; j < kw; ++j) {                                               \
      int64_t lo, hi;                                                                \
      mk_inside(j - pl, sw, w, ow, &lo, &hi);                                        \
      for (int64_t oy = 0; oy < oh; ++oy) {                                          \
        int64_t iy = oy * sh - pt + i;                                               \
        int inside = iy >= 0 && iy < h;                                              \
        int64_t at = iy * w + j - pl; /* the input under output (oy, 0) */          \
        __VA_ARGS__                                                                  \
      }                                                                              \
    }

/* max_pool2d over planes (n*c of them), padding reading -inf. NaN propagates, as
   np.maximum's does. */
static void mk_plane_max_$S(const $T *xp, $T *op, int64_t h, int64_t w, int64_t oh, int64_t ow,
                            int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                            int64_t pl) {
  for (int64_t k = 0; k < oh * ow; ++k) op[k] = -INFINITY;
  MK_TAPS(
    if (!inside) continue;
    $T *mr = op + oy * ow;
    const $T *xr = xp + at;
    for (int64_t ox = lo; ox < hi; ++ox) mr[ox] = MK_MAX(mr[ox], xr[ox * sw]);
  )
}

void mk_max_pool_$S(const $T *x, $T *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                    int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                    int64_t pl) {
  for (int64_t pc = 0; pc < planes; ++pc)
    mk_plane_max_$S(x + pc * h * w, out + pc * oh * ow, h, w, oh, ow, kh, kw, sh, sw, pt, pl);
}

/* max_pool2d's gradient: each window's cotangent goes to the first tap (in window order) equal
   to the window's maximum, as the cpu kernel's: none when the maximum is NaN, and none when it
   is -inf and a padding tap comes first. work: a plane's maxima, then its "taken" flags. */
void mk_max_pool_grad_$S(const $T *x, const $T *dout, $T *dx, $T *work, int64_t planes,
                         int64_t h, int64_t w, int64_t oh, int64_t ow, int64_t kh, int64_t kw,
                         int64_t sh, int64_t sw, int64_t pt, int64_t pl) {
  $T *m = work;
  unsigned char *taken = (unsigned char *)(work + oh * ow);
  memset(dx, 0, planes * h * w * sizeof($T));
  for (int64_t pc = 0; pc < planes; ++pc) {
    const $T *xp = x + pc * h * w, *dp = dout + pc * oh * ow;
    $T *gp = dx + pc * h * w;
    mk_plane_max_$S(xp, m, h, w, oh, ow, kh, kw, sh, sw, pt, pl);
    memset(taken, 0, oh * ow);
    MK_TAPS(
      const $T *mr = m + oy * ow, *dr = dp + oy * ow;
      unsigned char *tr = taken + oy * ow;
      int64_t from = inside ? lo : ow, to = inside ? hi : ow;
      for (int64_t ox = 0; ox < from; ++ox) tr[ox] |= mr[ox] == -INFINITY;  /* padding */
      for (int64_t ox = to; ox < ow; ++ox) tr[ox] |= mr[ox] == -INFINITY;
      const $T *xr = xp + at;
      $T *gr = gp + at;
      for (int64_t ox = from; ox < to; ++ox) {
        int hit = !tr[ox] & (xr[ox * sw] == mr[ox]);
        tr[ox] |= hit;
        gr[ox * sw] += mk_keep_$S(hit, dr[ox]);
      }
    )
  }
}

/* 2x2 windows, stride 2, no padding (LeNet's and most CNNs' pooling). With AVX-512, MK_L
   windows of a row at a time: two masked loads per input row, split into the windows' left
   and right columns (short rows need no scalar remainder, whose data-dependent selects cost
   more than the rest here); otherwise one window at a time. */
#ifdef __AVX512F__
static inline $V mk_vmax_$S($V m, $V v) {
  $M keep = _mm512_cmp_${P}_mask(m, v, _CMP_GT_OQ) | _mm512_cmp_${P}_mask(m, m, _CMP_UNORD_Q);
  return _mm512_mask_blend_$P(keep, v, m);
}

#define MK_2X2_LOAD                                                                   \
  int64_t cnt = ow - ox < $L ? ow - ox : $L, two = 2 * cnt;                           \
  $M lanes = ($M)((1u << cnt) - 1), lo = two >= $L ? ($M)~0 : ($M)((1u << two) - 1);  \
  $M hi = two > $L ? ($M)((1u << (two - $L)) - 1) : 0;                                \
  $V t0 = _mm512_maskz_loadu_$P(lo, r0 + 2 * ox);                                     \
  $V t1 = _mm512_maskz_loadu_$P(hi, r0 + 2 * ox + $L);                                \
  $V b0 = _mm512_maskz_loadu_$P(lo, r1 + 2 * ox);                                     \
  $V b1 = _mm512_maskz_loadu_$P(hi, r1 + 2 * ox + $L);                                \
  $V a = _mm512_permutex2var_$P(t0, even, t1), b = _mm512_permutex2var_$P(t0, odd, t1); \
  $V c = _mm512_permutex2var_$P(b0, even, b1), d = _mm512_permutex2var_$P(b0, odd, b1); \
  $V m = mk_vmax_$S(mk_vmax_$S(mk_vmax_$S(a, b), c), d);
#endif

void mk_max_pool_2x2_$S(const $T *x, $T *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                        int64_t ow) {
#ifdef __AVX512F__
  const __m512i even = _mm512_loadu_si512(mk_even_$S), odd = _mm512_loadu_si512(mk_odd_$S);
#endif
  for (int64_t pc = 0; pc < planes; ++pc)
    for (int64_t oy = 0; oy < oh; ++oy) {
      const $T *r0 = x + (pc * h + 2 * oy) * w, *r1 = r0 + w;
      $T *op = out + (pc * oh + oy) * ow;
#ifdef __AVX512F__
      for (int64_t ox = 0; ox < ow; ox += $L) {
        MK_2X2_LOAD
        _mm512_mask_storeu_$P(op + ox, lanes, m);
      }
#else
      for (int64_t ox = 0; ox < ow; ++ox) {
        $T a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
        op[ox] = MK_MAX(MK_MAX(MK_MAX(a, b), c), d);
      }
#endif
    }
}

void mk_max_pool_grad_2x2_$S(const $T *x, const $T *dout, $T *dx, int64_t planes, int64_t h,
                             int64_t w, int64_t oh, int64_t ow) {
  if (2 * oh != h || 2 * ow != w) memset(dx, 0, planes * h * w * sizeof($T));
#ifdef __AVX512F__
  const __m512i even = _mm512_loadu_si512(mk_even_$S), odd = _mm512_loadu_si512(mk_odd_$S);
  const __m512i left = _mm512_loadu_si512(mk_left_$S), right = _mm512_loadu_si512(mk_right_$S);
#endif
  for (int64_t pc = 0; pc < planes; ++pc)
    for (int64_t oy = 0; oy < oh; ++oy) {
      const $T *r0 = x + (pc * h + 2 * oy) * w, *r1 = r0 + w;
      $T *g0 = dx + (pc * h + 2 * oy) * w, *g1 = g0 + w;
      const $T *dp = dout + (pc * oh + oy) * ow;
#ifdef __AVX512F__
      for (int64_t ox = 0; ox < ow; ox += $L) {
        MK_2X2_LOAD
        /* the first tap equal to the maximum, in window order a, b, c, d */
        $M ha = _mm512_cmp_${P}_mask(a, m, _CMP_EQ_OQ);
        $M hb = _mm512_cmp_${P}_mask(b, m, _CMP_EQ_OQ) & ~ha;
        $M hc = _mm512_cmp_${P}_mask(c, m, _CMP_EQ_OQ) & ~(ha | hb);
        $M hd = _mm512_cmp_${P}_mask(d, m, _CMP_EQ_OQ) & ~(ha | hb | hc);
        $V g = _mm512_maskz_loadu_$P(lanes, dp + ox);
        $V ga = _mm512_maskz_mov_$P(ha, g), gb = _mm512_maskz_mov_$P(hb, g);
        $V gc = _mm512_maskz_mov_$P(hc, g), gd = _mm512_maskz_mov_$P(hd, g);
        _mm512_mask_storeu_$P(g0 + 2 * ox, lo, _mm512_permutex2var_$P(ga, left, gb));
        _mm512_mask_storeu_$P(g0 + 2 * ox + $L, hi, _mm512_permutex2var_$P(ga, right, gb));
        _mm512_mask_storeu_$P(g1 + 2 * ox, lo, _mm512_permutex2var_$P(gc, left, gd));
        _mm512_mask_storeu_$P(g1 + 2 * ox + $L, hi, _mm512_permutex2var_$P(gc, right, gd));
      }
#else
      for (int64_t ox = 0; ox < ow; ++ox) {
        $T a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
        $T m = MK_MAX(MK_MAX(MK_MAX(a, b), c), d), g = dp[ox];
        int ha = a == m, hb = (b == m) & !ha, hc = (c == m) & !(ha | hb);
        int hd = (d == m) & !(ha | hb | hc);
        g0[2 * ox] = ha ? g : 0;
        g0[2 * ox + 1] = hb ? g : 0;
        g1[2 * ox] = hc ? g : 0;
        g1[2 * ox + 1] = hd ? g : 0;
      }
#endif
    }
}

/* avg_pool2d: the window's sum over kh*kw, zero padding counted (as the cpu kernel does). */
void mk_avg_pool_$S(const $T *x, $T *out, int64_t planes, int64_t h, int64_t w, int64_t oh,
                    int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt,
                    int64_t pl) {
  $T area = ($T)(kh * kw);
  for (int64_t pc = 0; pc < planes; ++pc) {
    const $T *xp = x + pc * h * w;
    $T *op = out + pc * oh * ow;
    memset(op, 0, oh * ow * sizeof($T));
    MK_TAPS(
      if (!inside) continue;
      $T *sr = op + oy * ow;
      const $T *xr = xp + at;
      for (int64_t ox = lo; ox < hi; ++ox) sr[ox] += xr[ox * sw];
    )
    for (int64_t k = 0; k < oh * ow; ++k) op[k] /= area;
  }
}

void mk_avg_pool_grad_$S(const $T *dout, $T *dx, $T *work, int64_t planes, int64_t h, int64_t w,
                         int64_t oh, int64_t ow, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                         int64_t pt, int64_t pl) {
  $T area = ($T)(kh * kw), *share = work;
  memset(dx, 0, planes * h * w * sizeof($T));
  for (int64_t pc = 0; pc < planes; ++pc) {
    const $T *dp = dout + pc * oh * ow;
    $T *gp = dx + pc * h * w;
    for (int64_t k = 0; k < oh * ow; ++k) share[k] = dp[k] / area;
    MK_TAPS(
      if (!inside) continue;
      const $T *sr = share + oy * ow;
      $T *gr = gp + at;
      for (int64_t ox = lo; ox < hi; ++ox) gr[ox * sw] += sr[ox];
    )
  }
}

/* matmul: out[q] = op(a[q]) @ op(b[q]) for q < batch, a's and b's steps 0 for a broadcast 2-D
   operand. M = 1 or N = 1 goes to gemv: OpenBLAS's gemm runs several times slower there. */
int mk_matmul_$S(const $T *a, const $T *b, $T *out, int64_t batch, int64_t m, int64_t n,
                 int64_t k, int ta, int tb, int64_t a_step, int64_t b_step) {
  if (!MK_FITS(m) || !MK_FITS(n) || !MK_FITS(k)) return MK_UNSUPPORTED;
  int64_t lda = ta ? m : k, ldb = tb ? k : n;
  if (k == 0) {
    memset(out, 0, batch * m * n * sizeof($T));
    return 0;
  }
  for (int64_t q = 0; q < batch; ++q) {
    const $T *aq = a + q * a_step, *bq = b + q * b_step;
    $T *oq = out + q * m * n;
    if (m == 1)  /* out row = op(b)^T @ (a's one row, or column when transposed) */
      $GEMV(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? n : k, tb ? k : n, 1, bq, ldb,
            aq, ta ? lda : 1, 0, oq, 1);
    else if (n == 1)  /* out column = op(a) @ (b's one column, or row when transposed) */
      $GEMV(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, ta ? k : m, ta ? m : k, 1, aq, lda,
            bq, tb ? 1 : ldb, 0, oq, 1);
    else
      $GEMM(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
            k, 1, aq, lda, bq, ldb, 0, oq, n);
  }
  return 0;
}

/* softmax and log_softmax over the last axis of (rows, n); NaN propagates through the maximum
   as np.max's does. */
static $T mk_row_max_$S(const $T *x, int64_t n) {
  $T m = x[0];
  for (int64_t i = 1; i < n; ++i) m = MK_MAX(m, x[i]);
  return m;
}

void mk_softmax_$S(const $T *x, $T *out, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const $T *xr = x + r * n;
    $T *orow = out + r * n;
    $T m = mk_row_max_$S(xr, n), s = 0;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) orow[i] = $EXP(xr[i] - m);
#pragma omp simd reduction(+:s)
    for (int64_t i = 0; i < n; ++i) s += orow[i];
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) orow[i] = orow[i] / s;
  }
}

void mk_log_softmax_$S(const $T *x, $T *out, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) {
    const $T *xr = x + r * n;
    $T *orow = out + r * n;
    $T m = mk_row_max_$S(xr, n), s = 0;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) orow[i] = xr[i] - m;
#pragma omp simd reduction(+:s)
    for (int64_t i = 0; i < n; ++i) s += $EXP(orow[i]);
    $T ls = $LOG(s);
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) orow[i] = orow[i] - ls;
  }
}

/* Sparse softmax cross-entropy: loss[r] = log(sum(exp(x[r] - m))) - (x[r, label] - m). A label
   outside [0, n) returns MK_UNSUPPORTED before anything is written: the cpu kernel then raises
   its error. */
int mk_sparse_ce_$S(const $T *x, const int64_t *labels, $T *loss, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r)
    if (labels[r] < 0 || labels[r] >= n) return MK_UNSUPPORTED;
  for (int64_t r = 0; r < rows; ++r) {
    const $T *xr = x + r * n;
    $T m = mk_row_max_$S(xr, n), s = 0;
#pragma omp simd reduction(+:s)
    for (int64_t i = 0; i < n; ++i) s += $EXP(xr[i] - m);
    loss[r] = $LOG(s) - (xr[labels[r]] - m);
  }
  return 0;
}

/* ApplyMomentum in place: acc = momentum * acc + g; var -= lr * acc (or the Nesterov form),
   each step rounded as numpy's (no fused multiply-add: -std=c11 keeps contraction off). */
void mk_apply_momentum_$S($T *var, $T *acc, const $T *g, int64_t size, double lr,
                          double momentum, int nesterov) {
  $T l = ($T)lr, mo = ($T)momentum;
  if (nesterov) {
#pragma omp simd
    for (int64_t i = 0; i < size; ++i) {
      acc[i] = acc[i] * mo + g[i];
      var[i] = var[i] - l * (g[i] + mo * acc[i]);
    }
  } else {
#pragma omp simd
    for (int64_t i = 0; i < size; ++i) {
      acc[i] = acc[i] * mo + g[i];
      var[i] = var[i] - l * acc[i];
    }
  }
}

#undef MK_2X2_LOAD
#undef MK_TAPS
#undef MK_CONV_PART
#undef MK_CONV_ENTRY
"""
)


def _lane_tables(suffix: str, lanes: int, index: str) -> str:
    """The AVX-512 permutations of the 2x2 pooling: a row pair's two vectors of 2*lanes inputs
    into the windows' left (even) and right (odd) columns, and back (left, right halves)."""
    tables = {
        "even": range(0, 2 * lanes, 2),
        "odd": range(1, 2 * lanes, 2),
        "left": [k // 2 + (k % 2) * lanes for k in range(lanes)],
        "right": [lanes // 2 + k // 2 + (k % 2) * lanes for k in range(lanes)],
    }
    return "".join(
        f"static const {index} mk_{name}_{suffix}[{lanes}] = {{{', '.join(map(str, values))}}};\n"
        for name, values in tables.items()
    )


_TYPES = {
    "f32": {
        "T": "float",
        "U": "uint32_t",
        "GEMM": "scipy_cblas_sgemm",
        "GEMV": "scipy_cblas_sgemv",
        "EXP": "expf",
        "LOG": "logf",
        # AVX-512: the vector, its mask, the intrinsics' suffix, lanes
        "V": "__m512",
        "M": "__mmask16",
        "P": "ps",
        "L": "16",
    },
    "f64": {
        "T": "double",
        "U": "uint64_t",
        "GEMM": "scipy_cblas_dgemm",
        "GEMV": "scipy_cblas_dgemv",
        "EXP": "exp",
        "LOG": "log",
        "V": "__m512d",
        "M": "__mmask8",
        "P": "pd",
        "L": "8",
    },
}

_SOURCE = (
    _PRELUDE
    + "#ifdef __AVX512F__\n"
    + _lane_tables("f32", 16, "int32_t")
    + _lane_tables("f64", 8, "int64_t")
    + "#endif\n"
    + "".join(_TEMPLATE.substitute(S=s, GEOM=_GEOM, **types) for s, types in _TYPES.items())
)

# cffi's view of the functions: arrays as ``void *``, so that the buffers of numpy arrays
# (``ffi.from_buffer``, 0.1 us each) pass without a cast.
_PLANE = "int64_t planes, int64_t h, int64_t w, int64_t oh, int64_t ow"
_WINDOW = f"{_PLANE}, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t pt, int64_t pl"
_DECLARATIONS = Template(
    """
int mk_conv2d_$S(void *, void *, void *, void *, int64_t, int64_t, int64_t, $GEOM);
int mk_conv2d_grad_input_$S(void *, void *, void *, void *, int64_t, int64_t, int64_t, $GEOM);
int mk_conv2d_grad_weight_$S(void *, void *, void *, void *, int64_t, int64_t, int64_t, $GEOM);
void mk_max_pool_$S(void *, void *, $WINDOW);
void mk_max_pool_grad_$S(void *, void *, void *, void *, $WINDOW);
void mk_max_pool_2x2_$S(void *, void *, $PLANE);
void mk_max_pool_grad_2x2_$S(void *, void *, void *, $PLANE);
void mk_avg_pool_$S(void *, void *, $WINDOW);
void mk_avg_pool_grad_$S(void *, void *, void *, $WINDOW);
int mk_matmul_$S(void *, void *, void *, int64_t, int64_t, int64_t, int64_t, int, int, int64_t,
                 int64_t);
void mk_softmax_$S(void *, void *, int64_t, int64_t);
void mk_log_softmax_$S(void *, void *, int64_t, int64_t);
int mk_sparse_ce_$S(void *, void *, void *, int64_t, int64_t);
void mk_apply_momentum_$S(void *, void *, void *, int64_t, double, double, int);
"""
)
_CDEF = "int mk_keep_freed_memory(void);\nint mk_set_threads(int);\n" + "".join(
    _DECLARATIONS.substitute(S=s, GEOM=_GEOM, PLANE=_PLANE, WINDOW=_WINDOW) for s in _TYPES
)
_FUNCTIONS = (
    "conv2d",
    "conv2d_grad_input",
    "conv2d_grad_weight",
    "max_pool",
    "max_pool_grad",
    "max_pool_2x2",
    "max_pool_grad_2x2",
    "avg_pool",
    "avg_pool_grad",
    "matmul",
    "softmax",
    "log_softmax",
    "sparse_ce",
    "apply_momentum",
)


class _Typed:
    """One dtype's C functions, by the names in ``_FUNCTIONS`` (``typed.conv2d``)."""

    def __init__(self, lib: Any, suffix: str) -> None:
        for name in _FUNCTIONS:
            setattr(self, name, getattr(lib, f"mk_{name}_{suffix}"))


#: The C functions by numpy dtype, once the library is loaded; empty until then (and for good
#: when it cannot be built). Wrappers look their input's dtype up here: a miss means the cpu
#: kernel.
_TYPED: dict[np.dtype, _Typed] = {}
#: glibc's own malloc settings: when the user has chosen any, the library leaves malloc alone.
_MALLOC_SET_BY_USER = {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"}
_ffi: Any = None
_tried = False
_LOAD_LOCK = threading.Lock()


def library() -> Any:
    """The loaded cffi module of the eager kernels, built (or loaded from the disk cache) on the
    first call; None when it cannot be built here (the reason is logged once)."""
    global _ffi, _threads, _tried
    with _LOAD_LOCK:
        if not _tried:
            _tried = True
            from mind.core._base.native_build import build

            try:
                module, _ = build(_SOURCE, [], declarations=_CDEF)
            except Exception as exc:  # no compiler, cffi or OpenBLAS: numpy kernels throughout
                logger.warning(
                    "native: the eager kernels could not be built (%s: %s); PyNative ops run "
                    "on the cpu kernels",
                    type(exc).__name__,
                    exc,
                )
                return None
            _ffi = module.ffi
            if not _MALLOC_SET_BY_USER.intersection(os.environ) and "malloc" not in os.environ.get(
                "GLIBC_TUNABLES", ""
            ):
                module.lib.mk_keep_freed_memory()
            _threads = module.lib.mk_set_threads(_thread_count())
            _TYPED[np.dtype(np.float32)] = _Typed(module.lib, "f32")
            _TYPED[np.dtype(np.float64)] = _Typed(module.lib, "f64")
        return _ffi


def _thread_count() -> int:
    """``OMP_NUM_THREADS`` when set (as PyTorch reads it), else the cores this process may use."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        pass
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _typed(dtype: np.dtype) -> _Typed | None:
    """The C functions for ``dtype`` (building the library first if nobody has tried yet)."""
    if not _tried:
        library()
    return _TYPED.get(dtype)


# ------------------------------------------------------------------------------------------------
# Scratch memory: one growing array per thread, kept between calls
# ------------------------------------------------------------------------------------------------


class _Scratch(threading.local):
    array: np.ndarray = np.empty(0, np.float64)


_SCRATCH = _Scratch()


def _work(count: int, dtype: np.dtype) -> Any:
    """A pointer to ``count`` elements of ``dtype`` of this thread's scratch (grown as needed;
    a fresh array per call would be a fresh mmap and page faults for the large ones)."""
    array = _SCRATCH.array
    nbytes = count * dtype.itemsize
    if array.nbytes < nbytes:
        array = _SCRATCH.array = np.empty(-(-nbytes // 8), np.float64)
    return _ffi.from_buffer(array)


# ------------------------------------------------------------------------------------------------
# Kernels: the cpu kernels' signatures, C where it applies
# ------------------------------------------------------------------------------------------------


#: The most bytes of a convolution's column block (the samples im2col'd for one gemm), so that
#: it stays in the core's cache between the two.
BLOCK_BYTES = 256 << 10
#: OpenBLAS runs a gemm whose m*n*k is at most this on the calling thread (interface/gemm.c);
#: the convolutions' gemms stay below it, so their threads (ours) never queue for OpenBLAS's.
_BLAS_SERIAL = 65536 * 4
#: Multiply-adds below which a convolution runs on one thread (the others' wake-up would cost
#: more than they save).
_PARALLEL_WORK = 1 << 21
#: Threads the C kernels may use, the caller included (set when the library loads).
_threads = 1


def _contiguous(*arrays: np.ndarray) -> bool:
    for a in arrays:
        if not a.flags.c_contiguous or not a.size:
            return False
    return True


def _conv(fn: Any, a: np.ndarray, b: np.ndarray, out: np.ndarray, geometry: tuple) -> bool:
    """Run a convolution kernel (``mk_conv2d*``) on ``geometry`` (see ``_GEOMETRY``): samples
    per column block, parts of the batch (threads) and their scratch; False if it declined."""
    n, c, _, _, o, kh, kw, oh, ow = geometry[:9]
    k, p = c * kh * kw, oh * ow
    per_sample = o * k * p
    nb = max(1, min(n, _BLAS_SERIAL // per_sample, BLOCK_BYTES // (out.itemsize * k * p)))
    parts = 1
    if per_sample <= _BLAS_SERIAL and n * per_sample >= _PARALLEL_WORK:
        parts = min(_threads, n)
    stride = (k + o) * nb * p + o * k  # columns, product (or dout), a weight-gradient partial
    fb = _ffi.from_buffer
    work = _work(parts * stride, out.dtype)
    return not fn(fb(a), fb(b), fb(out), work, nb, parts, stride, *geometry)


def conv2d(x, w, *, stride, pads, dilation, groups):
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    if k is None or groups != 1 or w.dtype != x.dtype or x.ndim != 4 or w.ndim != 4:
        return _conv2d_kernel(x, w, stride=stride, pads=pads, dilation=dilation, groups=groups)
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh = _conv_out(h, kh, stride[0], dilation[0], pads[0], pads[1])
    ow = _conv_out(wd, kw, stride[1], dilation[1], pads[2], pads[3])
    if w.shape[1] == c and oh > 0 and ow > 0 and _contiguous(x, w):
        out = np.empty((n, o, oh, ow), x.dtype)
        geometry = (n, c, h, wd, o, kh, kw, oh, ow, *stride, *dilation, pads[0], pads[2])
        if _conv(k.conv2d, x, w, out, geometry):
            return out
    return _conv2d_kernel(x, w, stride=stride, pads=pads, dilation=dilation, groups=groups)


def conv_transpose2d(dout, w, *, stride, pads, dilation, groups, in_hw):
    k = _TYPED.get(dout.dtype) or _typed(dout.dtype)
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    if k is None or groups != 1 or w.dtype != dout.dtype or dout.ndim != 4 or w.ndim != 4:
        return _conv_transpose2d_kernel(dout, w, in_hw=in_hw, **attrs)
    n, o, oh, ow = dout.shape
    _, c, kh, kw = w.shape
    h, wd = in_hw
    # The taps must fit the padded input, as the cpu kernel's slices must.
    fits_h = (oh - 1) * stride[0] + (kh - 1) * dilation[0] < h + pads[0] + pads[1]
    fits_w = (ow - 1) * stride[1] + (kw - 1) * dilation[1] < wd + pads[2] + pads[3]
    if w.shape[0] == o and fits_h and fits_w and h and wd and _contiguous(dout, w):
        dx = np.empty((n, c, h, wd), dout.dtype)
        geometry = (n, c, h, wd, o, kh, kw, oh, ow, *stride, *dilation, pads[0], pads[2])
        if _conv(k.conv2d_grad_input, dout, w, dx, geometry):
            return dx
    return _conv_transpose2d_kernel(dout, w, in_hw=in_hw, **attrs)


def conv2d_grad_weight(x, dout, *, stride, pads, dilation, groups, kernel_hw):
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    attrs = {"stride": stride, "pads": pads, "dilation": dilation, "groups": groups}
    if k is None or groups != 1 or dout.dtype != x.dtype or x.ndim != 4 or dout.ndim != 4:
        return _conv2d_grad_weight_kernel(x, dout, kernel_hw=kernel_hw, **attrs)
    n, c, h, wd = x.shape
    _, o, oh, ow = dout.shape
    kh, kw = kernel_hw
    same = (
        dout.shape[0] == n
        and oh == _conv_out(h, kh, stride[0], dilation[0], pads[0], pads[1])
        and ow == _conv_out(wd, kw, stride[1], dilation[1], pads[2], pads[3])
    )
    if same and _contiguous(x, dout):
        dw = np.empty((o, c, kh, kw), x.dtype)
        geometry = (n, c, h, wd, o, kh, kw, oh, ow, *stride, *dilation, pads[0], pads[2])
        if _conv(k.conv2d_grad_weight, dout, x, dw, geometry):
            return dw
    return _conv2d_grad_weight_kernel(x, dout, kernel_hw=kernel_hw, **attrs)


def _pool_hw(x: np.ndarray, kernel, stride, pads) -> tuple[int, int]:
    return (
        _conv_out(x.shape[2], kernel[0], stride[0], 1, pads[0], pads[1]),
        _conv_out(x.shape[3], kernel[1], stride[1], 1, pads[2], pads[3]),
    )


def _pool_out(x: np.ndarray, kernel, stride, pads) -> tuple | None:
    """(the typed kernels, the output array, (planes, h, w, oh, ow)) for a 2-D pool the C
    kernels take, or None where numpy's kernel does it."""
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    if k is None or x.ndim != 4 or not _contiguous(x):
        return None
    oh, ow = _pool_hw(x, kernel, stride, pads)
    if oh <= 0 or ow <= 0:
        return None
    n, c, h, w = x.shape
    return k, np.empty((n, c, oh, ow), x.dtype), (n * c, h, w, oh, ow)


def max_pool2d(x, *, kernel, stride, pads):
    found = _pool_out(x, kernel, stride, pads)
    if found is None:
        return _max_pool_kernel(x, kernel=kernel, stride=stride, pads=pads)
    k, out, dims = found
    fb = _ffi.from_buffer
    if kernel == stride == (2, 2) and not any(pads):
        k.max_pool_2x2(fb(x), fb(out), *dims)
    else:
        k.max_pool(fb(x), fb(out), *dims, *kernel, *stride, pads[0], pads[2])
    return out


def max_pool2d_grad(x, dout, *, kernel, stride, pads):
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    if k is None or dout.dtype != x.dtype or x.ndim != 4 or not _contiguous(x, dout):
        return _max_pool_grad_kernel(x, dout, kernel=kernel, stride=stride, pads=pads)
    n, c, h, w = x.shape
    oh, ow = _pool_hw(x, kernel, stride, pads)
    if dout.shape != (n, c, oh, ow):
        return _max_pool_grad_kernel(x, dout, kernel=kernel, stride=stride, pads=pads)
    dx = np.empty(x.shape, x.dtype)
    fb = _ffi.from_buffer
    if kernel == stride == (2, 2) and not any(pads):
        k.max_pool_grad_2x2(fb(x), fb(dout), fb(dx), n * c, h, w, oh, ow)
    else:
        work = _work(2 * oh * ow, x.dtype)  # a plane's maxima and flags
        k.max_pool_grad(
            fb(x), fb(dout), fb(dx), work, n * c, h, w, oh, ow, *kernel, *stride, pads[0], pads[2]
        )
    return dx


def avg_pool2d(x, *, kernel, stride, pads):
    found = _pool_out(x, kernel, stride, pads)
    if found is None:
        return _avg_pool_kernel(x, kernel=kernel, stride=stride, pads=pads)
    k, out, dims = found
    fb = _ffi.from_buffer
    k.avg_pool(fb(x), fb(out), *dims, *kernel, *stride, pads[0], pads[2])
    return out


def avg_pool2d_grad(dout, *, kernel, stride, pads, in_shape):
    k = _TYPED.get(dout.dtype) or _typed(dout.dtype)
    if k is None or dout.ndim != 4 or len(in_shape) != 4 or not _contiguous(dout):
        return _avg_pool_grad_kernel(
            dout, kernel=kernel, stride=stride, pads=pads, in_shape=in_shape
        )
    n, c, h, w = in_shape
    oh, ow = dout.shape[2:]
    # The windows must fit the padded input, as the cpu kernel's slices must.
    fits = (oh - 1) * stride[0] + kernel[0] <= h + pads[0] + pads[1] and (ow - 1) * stride[
        1
    ] + kernel[1] <= w + pads[2] + pads[3]
    if dout.shape[:2] != (n, c) or not fits or not h or not w:
        return _avg_pool_grad_kernel(
            dout, kernel=kernel, stride=stride, pads=pads, in_shape=in_shape
        )
    dx = np.empty((n, c, h, w), dout.dtype)
    fb = _ffi.from_buffer
    work = _work(oh * ow, dout.dtype)  # a plane's shares
    k.avg_pool_grad(fb(dout), fb(dx), work, n * c, h, w, oh, ow, *kernel, *stride, pads[0], pads[2])
    return dx


def matmul(x, y, *, transpose_a=False, transpose_b=False):
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    if k is None or y.dtype != x.dtype or x.ndim < 2 or y.ndim < 2 or not _contiguous(x, y):
        return _matmul_kernel(x, y, transpose_a=transpose_a, transpose_b=transpose_b)
    m, kx = (x.shape[-1], x.shape[-2]) if transpose_a else x.shape[-2:]
    ky, n = (y.shape[-1], y.shape[-2]) if transpose_b else y.shape[-2:]
    # Equal batch shapes, or one operand 2-D (used for every batch); other broadcasts: numpy.
    if kx != ky or (x.ndim > 2 and y.ndim > 2 and x.shape[:-2] != y.shape[:-2]):
        return _matmul_kernel(x, y, transpose_a=transpose_a, transpose_b=transpose_b)
    batch_shape = x.shape[:-2] if x.ndim > 2 else y.shape[:-2]
    out = np.empty((*batch_shape, m, n), x.dtype)
    if not out.size:
        return _matmul_kernel(x, y, transpose_a=transpose_a, transpose_b=transpose_b)
    batch = out.size // (m * n)
    a_step = m * kx if x.ndim > 2 else 0
    b_step = kx * n if y.ndim > 2 else 0
    fb = _ffi.from_buffer
    if k.matmul(fb(x), fb(y), fb(out), batch, m, n, kx, transpose_a, transpose_b, a_step, b_step):
        return _matmul_kernel(x, y, transpose_a=transpose_a, transpose_b=transpose_b)
    return out


def _last_axis(x: np.ndarray, axis: int) -> bool:
    return x.ndim > 0 and axis in (-1, x.ndim - 1) and _contiguous(x)


def softmax(x, *, axis):
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    if k is None or not _last_axis(x, axis):
        return _softmax_kernel(x, axis=axis)
    out = np.empty(x.shape, x.dtype)
    n = x.shape[-1]
    k.softmax(_ffi.from_buffer(x), _ffi.from_buffer(out), x.size // n, n)
    return out


def log_softmax(x, *, axis):
    k = _TYPED.get(x.dtype) or _typed(x.dtype)
    if k is None or not _last_axis(x, axis):
        return _log_softmax_kernel(x, axis=axis)
    out = np.empty(x.shape, x.dtype)
    n = x.shape[-1]
    k.log_softmax(_ffi.from_buffer(x), _ffi.from_buffer(out), x.size // n, n)
    return out


_INT64 = np.dtype(np.int64)


def sparse_softmax_cross_entropy(logits, labels):
    k = _TYPED.get(logits.dtype) or _typed(logits.dtype)
    if (
        k is None
        or logits.ndim != 2
        or labels.shape != logits.shape[:1]
        or labels.dtype.kind not in "iu"
        or not _contiguous(logits)
    ):
        return _sparse_ce_kernel(logits, labels)
    labels = np.ascontiguousarray(labels, _INT64)
    loss = np.empty(labels.shape, logits.dtype)
    fb = _ffi.from_buffer
    if k.sparse_ce(fb(logits), fb(labels), fb(loss), *logits.shape):
        return _sparse_ce_kernel(logits, labels)  # a label out of range: its error
    return loss


def apply_momentum(variable, accumulation, gradient, *, lr, momentum, use_nesterov):
    k = _TYPED.get(variable.dtype) or _typed(variable.dtype)
    same = variable.shape == accumulation.shape == gradient.shape
    if (
        k is None
        or not same
        or accumulation.dtype != variable.dtype
        or gradient.dtype != variable.dtype
        or not _contiguous(variable, accumulation, gradient)
        or not (variable.flags.writeable and accumulation.flags.writeable)
    ):
        return _apply_momentum_kernel(
            variable, accumulation, gradient, lr=lr, momentum=momentum, use_nesterov=use_nesterov
        )
    fb = _ffi.from_buffer
    k.apply_momentum(
        fb(variable), fb(accumulation), fb(gradient), variable.size, lr, momentum, use_nesterov
    )
    return variable


#: The native device's PyNative kernels, by primitive name.
KERNELS = {
    "conv2d": conv2d,
    "conv_transpose2d": conv_transpose2d,
    "conv2d_grad_weight": conv2d_grad_weight,
    "max_pool2d": max_pool2d,
    "max_pool2d_grad": max_pool2d_grad,
    "avg_pool2d": avg_pool2d,
    "avg_pool2d_grad": avg_pool2d_grad,
    "matmul": matmul,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "sparse_softmax_cross_entropy": sparse_softmax_cross_entropy,
    "apply_momentum": apply_momentum,
}
