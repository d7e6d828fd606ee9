/* linalg_rot.c — the bidiagonal SVD's rotations applied to its singular
 * vectors: each QR sweep's sequence of plane rotations is logged, and the
 * log is replayed on a block of rows at a time (all sweeps on one block
 * while it is in cache, the block's current column carried in registers
 * along each sweep), blocks shared among threads, the kernel built for
 * AVX-512, AVX2 and plain x86-64 and chosen with the GEMM's. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"

#include "linalg_internal.h"

/* Rows per kernel call: vectors of eight doubles. */
#define ROWS 32
/* Doubles of log before it is replayed (16 MiB): the replay reads the
 * vectors once per log. */
#define LOG_CAP ((int64_t)1 << 21)

typedef double vd8 __attribute__((vector_size(64)));

/* Unaligned moves (macros: a function returning a vector would change
 * the ABI with the ISA). */
#define LOAD8(v, p) memcpy(&(v), (p), sizeof(vd8))
#define STORE8(p, v) memcpy((p), &(v), sizeof(vd8))

/* The rotations' c·x + s·y as fused multiply-adds where the ISA has them
 * (ISO C mode turns contraction off: 6 instructions instead of 4). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=fast")
#endif

/* One sweep on ROWS rows of a (columns 0..k-1, lda): for j = 0…k-2
 * (forward) or back, columns (j, j+1) = (x, y) become (c_j·x + s_j·y,
 * c_j·y - s_j·x) — dlasr 'R', 'V'. The column passed on from one
 * rotation to the next stays in registers. Inlined into one function per
 * instruction set below, each compiling it for its own. */
static inline __attribute__((always_inline)) void
wave_body(bool forward, int64_t k, const double *c, const double *s,
          double *a, int64_t lda)
{
#ifdef __clang__
#pragma clang fp contract(fast)
#endif
	vd8 x[ROWS / 8];
	int64_t first = forward ? 0 : k - 1;
	for (int r = 0; r < ROWS / 8; r++)
		LOAD8(x[r], a + first * lda + 8 * r);
	for (int64_t t = 0; t + 1 < k; t++) {
		int64_t j = forward ? t : k - 2 - t;
		/* forward: x is column j, the other column j+1; back: x is
		 * column j+1, the other column j */
		int64_t other = forward ? j + 1 : j, done = forward ? j : j + 1;
		double cj = c[j], sj = s[j];
		vd8 cv = {cj, cj, cj, cj, cj, cj, cj, cj};
		vd8 sv = {sj, sj, sj, sj, sj, sj, sj, sj};
		for (int r = 0; r < ROWS / 8; r++) {
			vd8 o, xn, out;
			LOAD8(o, a + other * lda + 8 * r);
			if (forward) {
				out = cv * x[r] + sv * o;
				xn = cv * o - sv * x[r];
			} else {
				out = cv * x[r] - sv * o;
				xn = cv * o + sv * x[r];
			}
			STORE8(a + done * lda + 8 * r, out);
			x[r] = xn;
		}
	}
	int64_t last = forward ? k - 1 : 0;
	for (int r = 0; r < ROWS / 8; r++)
		STORE8(a + last * lda + 8 * r, x[r]);
}

typedef void wave_fn(bool forward, int64_t k, const double *c,
                     const double *s, double *a, int64_t lda);

static void wave_generic(bool forward, int64_t k, const double *c,
                         const double *s, double *a, int64_t lda)
{
	wave_body(forward, k, c, s, a, lda);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WAVE_X86 1
__attribute__((target("avx2,fma"))) static void
wave_avx2(bool forward, int64_t k, const double *c, const double *s,
          double *a, int64_t lda)
{
	wave_body(forward, k, c, s, a, lda);
}

__attribute__((target("avx512f,fma"))) static void
wave_avx512(bool forward, int64_t k, const double *c, const double *s,
            double *a, int64_t lda)
{
	wave_body(forward, k, c, s, a, lda);
}
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

/* The kernel for the GEMM's instruction set (gemm.h: mm_gemm_isa, which
 * MMCALC_ISA and mm_gemm_set_isa choose, among those this CPU runs), so
 * that one switch selects, and the tests reach, every path. */
static wave_fn *wave_for_isa(void)
{
#ifdef WAVE_X86
	const char *isa = mm_gemm_isa();
	if (strcmp(isa, "avx512") == 0)
		return wave_avx512;
	if (strcmp(isa, "avx2") == 0)
		return wave_avx2;
#endif
	return wave_generic;
}

/* The same on fewer than ROWS rows. */
static void wave_tail(bool forward, int64_t rows, int64_t k, const double *c,
                      const double *s, double *a, int64_t lda)
{
	for (int64_t t = 0; t + 1 < k; t++) {
		int64_t j = forward ? t : k - 2 - t;
		double *x = a + j * lda, *y = x + lda;
		for (int64_t i = 0; i < rows; i++) {
			double xi = x[i], yi = y[i];
			x[i] = c[j] * xi + s[j] * yi;
			y[i] = c[j] * yi - s[j] * xi;
		}
	}
}

/* A log record: 3 doubles (ll, k, forward), then v's cosines and sines
 * and u's, k-1 each. */
struct mm_la_rotlog {
	double *buf;
	int64_t cap, used;
	double *mat[2]; /* v, u (either may be NULL) */
	int64_t ld[2], rows[2];
	int64_t n;      /* their columns */
};

mm_la_rotlog *mm_la_rotlog_new(int64_t n, double *v, int64_t ldv,
                               int64_t vrows, double *u, int64_t ldu,
                               int64_t urows)
{
	mm_la_rotlog *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	/* one sweep at least (3 + 4(n-1) doubles); for small n, about half
	 * of what the whole iteration logs (~3.3n²), so the vectors are
	 * still read only a few times. n < 2^31 here (an n×n V exists). */
	l->cap = n < 1024 && 2 * n * n < LOG_CAP ? 2 * n * n : LOG_CAP;
	if (l->cap < 4 * n + 3)
		l->cap = 4 * n + 3;
	l->buf = mm_la_zalloc(l->cap, 1, 0);
	if (!l->buf) {
		free(l);
		return NULL;
	}
	l->n = n;
	l->mat[0] = v, l->ld[0] = ldv, l->rows[0] = v ? vrows : 0;
	l->mat[1] = u, l->ld[1] = ldu, l->rows[1] = u ? urows : 0;
	return l;
}

void mm_la_rotlog_free(mm_la_rotlog *l)
{
	if (l)
		mm_la_free(l->buf);
	free(l);
}

/* The replay's shared state: row blocks of both matrices handed out in
 * turn. */
struct replay {
	const mm_la_rotlog *l;
	int64_t blocks[2];
	wave_fn *wave;
	atomic_llong next;
	atomic_bool stop, nomem;
};

/* Replays the whole log on rows i0… of one matrix, copied into w (ROWS×n,
 * column-major): the matrix's columns are ld apart, often a power of two
 * of bytes, which would put a block's pieces of every column in the same
 * few cache sets. */
static void replay_block(const mm_la_rotlog *l, int side, int64_t i0,
                         double *w, wave_fn *wave)
{
	int64_t rows = l->rows[side] - i0 < ROWS ? l->rows[side] - i0 : ROWS;
	double *a = l->mat[side] + i0;
	int64_t ld = l->ld[side], n = l->n;
	for (int64_t j = 0; j < n; j++)
		memcpy(w + j * ROWS, a + j * ld, (size_t)rows * sizeof *w);
	for (int64_t p = 0; p < l->used;) {
		int64_t ll = (int64_t)l->buf[p], k = (int64_t)l->buf[p + 1];
		bool fwd = l->buf[p + 2] != 0;
		const double *c = l->buf + p + 3 + 2 * side * (k - 1);
		const double *s = c + (k - 1);
		if (rows == ROWS)
			wave(fwd, k, c, s, w + ll * ROWS, ROWS);
		else
			wave_tail(fwd, rows, k, c, s, w + ll * ROWS, ROWS);
		p += 3 + 4 * (k - 1);
	}
	for (int64_t j = 0; j < n; j++)
		memcpy(a + j * ld, w + j * ROWS, (size_t)rows * sizeof *w);
}

static void *replay_worker(void *arg)
{
	struct replay *r = arg;
	int64_t total = r->blocks[0] + r->blocks[1];
	double *w = mm_la_zalloc(ROWS, r->l->n, 0);
	if (!w) {
		atomic_store(&r->nomem, true);
		return NULL;
	}
	for (;;) {
		int64_t b = atomic_fetch_add(&r->next, 1);
		if (b >= total || atomic_load(&r->stop))
			break;
		int side = b >= r->blocks[0];
		replay_block(r->l, side, (b - (side ? r->blocks[0] : 0)) * ROWS,
		             w, r->wave);
		if (mm_interrupted())
			atomic_store(&r->stop, true);
	}
	mm_la_free(w);
	return NULL;
}

int mm_la_rotlog_flush(mm_la_rotlog *l)
{
	if (l->used == 0)
		return 0;
	struct replay r = {.l = l, .wave = wave_for_isa()};
	for (int side = 0; side < 2; side++)
		r.blocks[side] = (l->rows[side] + ROWS - 1) / ROWS;
	atomic_init(&r.next, 0);
	atomic_init(&r.stop, false);
	atomic_init(&r.nomem, false);
	/* threads only for work worth starting them: ~1 ms or more */
	double work = (double)(l->rows[0] + l->rows[1]) * (double)l->used;
	int nt = mm_gemm_threads();
	if (work < 2e6 || nt < 1)
		nt = 1;
	if (nt > 16)
		nt = 16;
	pthread_t th[16];
	int started = 0;
	for (; started < nt - 1; started++)
		if (pthread_create(&th[started], NULL, replay_worker, &r) != 0)
			break;
	replay_worker(&r);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	l->used = 0;
	/* a worker without its buffer did nothing: if all failed, so do we */
	if (atomic_load(&r.next) < r.blocks[0] + r.blocks[1])
		return atomic_load(&r.stop) ? MM_ERR_INTERRUPTED : MM_ERR_NOMEM;
	return 0;
}

int mm_la_rotlog_add(mm_la_rotlog *l, int64_t ll, int64_t k, bool forward,
                     const double *cv, const double *sv, const double *cu,
                     const double *su)
{
	int64_t need = 3 + 4 * (k - 1);
	if (l->used + need > l->cap) {
		int rc = mm_la_rotlog_flush(l);
		if (rc)
			return rc;
	}
	double *p = l->buf + l->used;
	p[0] = (double)ll, p[1] = (double)k, p[2] = forward;
	size_t bytes = (size_t)(k - 1) * sizeof *p;
	memcpy(p + 3, cv, bytes);
	memcpy(p + 3 + (k - 1), sv, bytes);
	memcpy(p + 3 + 2 * (k - 1), cu, bytes);
	memcpy(p + 3 + 3 * (k - 1), su, bytes);
	l->used += need;
	return 0;
}
