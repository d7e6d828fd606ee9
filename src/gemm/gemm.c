/* gemm.c — the public GEMM entry points: kernel dispatch, thread count,
 * cache sizes and the packing workspace; the driver itself is gemm_tmpl.h,
 * instantiated here for float and double. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "gemm_internal.h"
#include "pool.h"
#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"

/* Largest k block of the small (unpacked-B) path: its stack buffers. */
enum { SMALL_KC = 256 };
/* Products up to this m·n·k (with k <= SMALL_KC) take the small path,
 * reading A and B in place. Measured on Zen 4 against the packed path, f32
 * (1 thread / 2 threads): 128³ 1.16/1.51 vs 1.04/1.19 of OpenBLAS; 256³
 * 1.12/1.18 vs 1.08/1.05; 384×256×384 1.10/1.11 vs 1.05/1.04; 512×256×512
 * 1.03/1.12 vs 1.02/1.02; 1024×128×1024 0.89/0.95 vs 1.10/1.11, where A no
 * longer stays in L2 while the B slivers pass over it. */
#define SMALL_MNK (384.0 * 384.0 * 256.0)
/* The fewest rows (or columns) of a large product's unit of work. */
enum { UNIT_MIN = 128 };
/* The most bytes of A or B packed once for all units (gemm_tmpl.h). */
#define SHARED_MAX ((size_t)256 << 20)
#define SHARED_KEEP ((size_t)64 << 20)
/* Below this many flops a second thread costs more than it brings. */
#define MT_MIN_FLOPS (2.0 * 96 * 96 * 96)
/* Matrix-vector: columns per chunk (a polling point between chunks) and
 * the size n·k from which threads share the columns. */
enum { GEMV_CHUNK = 2048 };
#define GEMV_MT_MIN (256.0 * 1024)

/* Held while the pool or the workspace is in use: one product at a time
 * uses the threads (a small product on one thread does not take it). */
static pthread_mutex_t call_mu = PTHREAD_MUTEX_INITIALIZER;

static atomic_int cfg_threads;
static const struct mm_gemm_isa_kernels *_Atomic cur_isa;

struct caches {
	int64_t l1, l2, l3;
};

static struct caches cache_info;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* The size of the first data or unified cache of each level 1-3 that
 * Linux describes under dir (normally /sys/devices/system/cpu/cpu0/cache:
 * index0/level "1", index0/type "Data", index0/size "32K"), 0 where none;
 * returns how many levels were found. */
int mm_gemm_caches_from(const char *dir, int64_t size[3])
{
	size[0] = size[1] = size[2] = 0;
	int found = 0;
	for (int i = 0; i < 16; i++) {
		char path[512], type[32] = "";
		int level = 0;
		long long n = 0;
		char unit = 0;
		FILE *f;
		snprintf(path, sizeof path, "%s/index%d/level", dir, i);
		if (!(f = fopen(path, "r")))
			continue;
		int ok = fscanf(f, "%d", &level) == 1;
		fclose(f);
		snprintf(path, sizeof path, "%s/index%d/type", dir, i);
		if (!ok || !(f = fopen(path, "r")))
			continue;
		ok = fscanf(f, "%31s", type) == 1;
		fclose(f);
		snprintf(path, sizeof path, "%s/index%d/size", dir, i);
		if (!ok || !(f = fopen(path, "r")))
			continue;
		int got = fscanf(f, "%lld%c", &n, &unit);
		fclose(f);
		if (got < 1 || n <= 0 || level < 1 || level > 3 ||
		    strcmp(type, "Instruction") == 0 || size[level - 1])
			continue;
		n *= unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 :
		     unit == 'G' ? 1024 * 1024 * 1024 : 1;
		size[level - 1] = (int64_t)n;
		found++;
	}
	return found;
}

static int64_t cache_or(int64_t v, int name, int64_t dflt)
{
	if (v > 4096)
		return v;
	long s = sysconf(name);
	return s > 4096 ? (int64_t)s : dflt;
}

/* Linux's sysfs first, then glibc's sysconf (from cpuid, which a
 * hypervisor may fill oddly: on this VM it says 320 MiB of L3 where
 * sysfs says 32), then defaults. */
static void read_caches(void)
{
	int64_t sz[3];
	mm_gemm_caches_from("/sys/devices/system/cpu/cpu0/cache", sz);
	cache_info.l1 = cache_or(sz[0], _SC_LEVEL1_DCACHE_SIZE, 32 * 1024);
	cache_info.l2 = cache_or(sz[1], _SC_LEVEL2_CACHE_SIZE, 1024 * 1024);
	cache_info.l3 = cache_or(sz[2], _SC_LEVEL3_CACHE_SIZE,
	                         8 * 1024 * 1024);
}

static const struct caches *cache_sizes(void)
{
	pthread_once(&cache_once, read_caches);
	return &cache_info;
}

void mm_gemm_test_caches(int64_t l1, int64_t l2, int64_t l3)
{
	read_caches();
	pthread_once(&cache_once, read_caches);
	if (l1 > 0)
		cache_info.l1 = l1;
	if (l2 > 0)
		cache_info.l2 = l2;
	if (l3 > 0)
		cache_info.l3 = l3;
}

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

/* The best kernels this CPU runs, unless mm_gemm_set_isa() chose. */
static void isa_default(void)
{
	const struct mm_gemm_isa_kernels *none = NULL;
	atomic_compare_exchange_strong(&cur_isa, &none, mm_gemm_select(NULL));
}

static const struct mm_gemm_isa_kernels *kernels(void)
{
	pthread_once(&isa_once, isa_default);
	return atomic_load(&cur_isa);
}

/* All of A or B packed once, with the states of its blocks. */
struct shared {
	void *p;
	size_t size;
	atomic_int *state;
	size_t nstate;
};

/* Packing buffers, kept between calls and grown on demand (under call_mu):
 * the threads' A panels, one B block per thread, and all of A and of B
 * packed once for all units with a state for each block (shared_pack()).
 * workspace() returns the array of B blocks, or NULL if memory ran out. */
static struct {
	void *a;
	size_t a_size;
	void **b;
	size_t b_size;
	int nb;
	struct shared sh[2];
} ws;

static void *alloc64(size_t size)
{
	return aligned_alloc(64, (size + 63) / 64 * 64);
}

static void workspace_free(void)
{
	for (int i = 0; i < 2; i++) {
		free(ws.sh[i].p);
		free(ws.sh[i].state);
	}
	free(ws.a);
	for (int i = 0; i < ws.nb; i++)
		free(ws.b[i]);
	free(ws.b);
	memset(&ws, 0, sizeof ws);
}

static void **workspace(size_t a_size, size_t b_size, int nb)
{
	if (a_size > ws.a_size) {
		free(ws.a);
		ws.a = alloc64(a_size);
		ws.a_size = ws.a ? a_size : 0;
		if (!ws.a)
			return NULL;
	}
	if (b_size > ws.b_size || nb > ws.nb) {
		for (int i = 0; i < ws.nb; i++)
			free(ws.b[i]);
		free(ws.b);
		ws.nb = 0;
		ws.b_size = 0;
		ws.b = calloc((size_t)nb, sizeof *ws.b);
		if (!ws.b)
			return NULL;
		for (; ws.nb < nb; ws.nb++)
			if (!(ws.b[ws.nb] = alloc64(b_size)))
				return NULL;
		ws.b_size = b_size;
	}
	return ws.b;
}

/* After a product that used `used` bytes of each shared buffer: one kept
 * from an earlier, larger product is freed if it is over SHARED_KEEP and
 * over twice what this one used, so that a REPL does not go on holding a
 * copy of the largest operand it ever multiplied, while a run of large
 * products keeps it (allocating 128 MiB afresh costs 60 ms of page
 * faults here, 4% of a 4096³ f64 product on 2 threads). */
static atomic_bool shared_big; /* a buffer over SHARED_KEEP is kept */

static void shared_trim(const size_t used[2])
{
	for (int i = 0; i < 2; i++)
		if (ws.sh[i].size > SHARED_KEEP && ws.sh[i].size / 2 > used[i]) {
			free(ws.sh[i].p);
			ws.sh[i].p = NULL;
			ws.sh[i].size = 0;
		}
	atomic_store_explicit(&shared_big, ws.sh[0].size > SHARED_KEEP ||
	                      ws.sh[1].size > SHARED_KEEP, memory_order_relaxed);
}

/* The same after a product that uses no shared buffer (small or
 * matrix-vector): one flag to read when there is nothing to free. */
static void shared_trim_unused(void)
{
	if (!atomic_load_explicit(&shared_big, memory_order_relaxed))
		return;
	const size_t none[2] = {0, 0};
	pthread_mutex_lock(&call_mu);
	shared_trim(none);
	pthread_mutex_unlock(&call_mu);
}

size_t mm_gemm_test_shared_bytes(void)
{
	pthread_mutex_lock(&call_mu);
	size_t n = ws.sh[0].size + ws.sh[1].size;
	pthread_mutex_unlock(&call_mu);
	return n;
}

/* Room for all of A (which 0) or B (1) packed, size bytes, and nstate
 * block states, all 0 (not packed); NULL if memory ran out (each unit then
 * packs its own). */
static struct shared *shared_pack(int which, size_t size, size_t nstate)
{
	struct shared *sh = &ws.sh[which];
	if (size > sh->size) {
		free(sh->p);
		sh->p = alloc64(size);
		sh->size = sh->p ? size : 0;
		if (!sh->p)
			return NULL;
	}
	if (nstate > sh->nstate) {
		free(sh->state);
		sh->state = malloc(nstate * sizeof *sh->state);
		sh->nstate = sh->state ? nstate : 0;
		if (!sh->state)
			return NULL;
	}
	for (size_t i = 0; i < nstate; i++)
		atomic_store_explicit(&sh->state[i], 0, memory_order_relaxed);
	return sh;
}

/* Row-major A into sliver layout, a few rows at a time with SSE2 (part
 * of every x86-64): dst[p·mr + i] = s[i·rs + p] for the rows i of one
 * group and p < kc. A 4×4 (float) or 2×2 (double) transpose in registers
 * replaces element-by-element strided stores, which made packing A 7% of
 * a 1024³ product. */
static void pack_rows_s(float *restrict dst, int mr, const float *s,
                        int64_t rs, int64_t kc)
{
	int64_t p = 0;
#ifdef __SSE2__
	for (; p + 4 <= kc; p += 4) {
		__m128 r0 = _mm_loadu_ps(s + p), r1 = _mm_loadu_ps(s + rs + p);
		__m128 r2 = _mm_loadu_ps(s + 2 * rs + p);
		__m128 r3 = _mm_loadu_ps(s + 3 * rs + p);
		_MM_TRANSPOSE4_PS(r0, r1, r2, r3);
		_mm_storeu_ps(dst + p * mr, r0);
		_mm_storeu_ps(dst + (p + 1) * mr, r1);
		_mm_storeu_ps(dst + (p + 2) * mr, r2);
		_mm_storeu_ps(dst + (p + 3) * mr, r3);
	}
#endif
	for (; p < kc; p++)
		for (int i = 0; i < 4; i++)
			dst[p * mr + i] = s[i * rs + p];
}

static void pack_rows_d(double *restrict dst, int mr, const double *s,
                        int64_t rs, int64_t kc)
{
	int64_t p = 0;
#ifdef __SSE2__
	for (; p + 2 <= kc; p += 2) {
		__m128d r0 = _mm_loadu_pd(s + p), r1 = _mm_loadu_pd(s + rs + p);
		_mm_storeu_pd(dst + p * mr, _mm_unpacklo_pd(r0, r1));
		_mm_storeu_pd(dst + (p + 1) * mr, _mm_unpackhi_pd(r0, r1));
	}
#endif
	for (; p < kc; p++)
		for (int i = 0; i < 2; i++)
			dst[p * mr + i] = s[i * rs + p];
}

/* Copies n bytes, with the widths of whole slivers known to the compiler
 * (NR of every kernel is 32, 64 or 128 bytes), so that these copies are a
 * few moves, not a call to memcpy. */
static inline void copy_sliver_row(char *restrict d, const char *restrict s,
                                   size_t n)
{
	switch (n) {
	case 128: memcpy(d, s, 128); break;
	case 64: memcpy(d, s, 64); break;
	case 32: memcpy(d, s, 32); break;
	default: memcpy(d, s, n); break;
	}
}

/* Rows of a row-major B into slivers (the element type's pack_b calls it
 * with sizes in bytes): `rows` rows `ld` bytes apart, `width` bytes long,
 * cut into slivers of `sw` bytes (the last zero-padded), sliver s at
 * dst + s·sstride, one row of it every sw bytes.
 * The rows are taken PACK_ROWS at a time, each sliver's part of them in
 * turn, with the next-but-one sliver's part of the same row prefetched.
 * Copying one sliver at a time down the whole k block read B in strides
 * of its row length; at 4096 doubles a row (32 KiB) those lines all fall
 * in one set of the 8-way L1 and in four of L2. Packing a 4096×4096 f64
 * B in 256×256 blocks took 16 ms that way, and takes 8.3 ms eight rows
 * (the L1's ways) at a time; the prefetch keeps 4000 doubles a row as
 * fast (8.5 ms, against 11.4 without). With each B block packed into
 * L2 for each of two 512-row panels, the (1024x4096)@(4096x4096) f64
 * layer on one thread went from 53.2-53.6 to 54.5-54.9 GFLOP/s. */
enum { PACK_ROWS = 8, PACK_AHEAD = 2 };
static void pack_rows_b(void *restrict dst, size_t sstride, const void *b,
                        int64_t ld, int rows, size_t width, size_t sw)
{
	char *d = dst;
	for (size_t j0 = 0; j0 < width; j0 += sw, d += sstride) {
		size_t w = width - j0 < sw ? width - j0 : sw;
		for (int p = 0; p < rows; p++) {
			const char *s = (const char *)b + p * ld + (int64_t)j0;
			uintptr_t ahead = (uintptr_t)s + PACK_AHEAD * sw;
			for (size_t o = 0; o < sw; o += 64)
				__builtin_prefetch((const void *)(ahead + o));
			copy_sliver_row(d + (size_t)p * sw, s, w);
			if (w < sw)
				memset(d + (size_t)p * sw + w, 0, sw - w);
		}
	}
}

#define T float
#define F(x) x##_s
#define ROWS 4
#define UKR ukr_s
#define UKR_TYPE mm_gemm_ukr_f32
#define GEMV gemv_s
#define GEMV_TYPE mm_gemm_gemv_f32
#define MR mr_s
#define NR nr_s
#define KC kc_s
#define NRE nre_s
#include "gemm_tmpl.h"
#undef T
#undef F
#undef UKR
#undef UKR_TYPE
#undef GEMV
#undef GEMV_TYPE
#undef MR
#undef NR
#undef KC
#undef NRE

#undef ROWS

#define T double
#define F(x) x##_d
#define ROWS 2
#define UKR ukr_d
#define UKR_TYPE mm_gemm_ukr_f64
#define GEMV gemv_d
#define GEMV_TYPE mm_gemm_gemv_f64
#define MR mr_d
#define NR nr_d
#define KC kc_d
#define NRE nre_d
#include "gemm_tmpl.h"

int mm_sgemm(int64_t m, int64_t n, int64_t k, float alpha,
             const float *a, int64_t rs_a, int64_t cs_a,
             const float *b, int64_t rs_b, int64_t cs_b, float beta,
             float *c, int64_t rs_c, int64_t cs_c)
{
	return gemm_s(m, n, k, alpha, a, rs_a, cs_a, b, rs_b, cs_b, beta, c,
	              rs_c, cs_c);
}

int mm_dgemm(int64_t m, int64_t n, int64_t k, double alpha,
             const double *a, int64_t rs_a, int64_t cs_a,
             const double *b, int64_t rs_b, int64_t cs_b, double beta,
             double *c, int64_t rs_c, int64_t cs_c)
{
	return gemm_d(m, n, k, alpha, a, rs_a, cs_a, b, rs_b, cs_b, beta, c,
	              rs_c, cs_c);
}

/* The most threads a product uses, whatever is asked. */
enum { MAX_THREADS = 256 };

static int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

void mm_gemm_set_threads(int n)
{
	atomic_store(&cfg_threads, n < 1 ? online_cpus()
	                           : n > MAX_THREADS ? MAX_THREADS : n);
}

int mm_gemm_threads(void)
{
	int n = atomic_load(&cfg_threads);
	return n > 0 ? n : online_cpus();
}

const char *mm_gemm_isa(void)
{
	return kernels()->name;
}

int mm_gemm_set_isa(const char *name)
{
	const struct mm_gemm_isa_kernels *k = mm_gemm_select(name);
	if (!k)
		return -1;
	pthread_once(&isa_once, isa_default);
	atomic_store(&cur_isa, k);
	return 0;
}

void mm_gemm_shutdown(void)
{
	pthread_mutex_lock(&call_mu);
	mm_gemm_pool_shutdown();
	workspace_free();
	pthread_mutex_unlock(&call_mu);
}
