/* gemm.c — the public GEMM entry points: kernel dispatch, thread count,
 * cache sizes and the packing workspace; the driver itself is gemm_tmpl.h,
 * instantiated here for float and double. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gemm_internal.h"
#include "pool.h"
#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
#include "mmcalc/interrupt.h"

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#else
#define cpu_relax() ((void)0)
#endif

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
/* The most bytes of a thread's B block (half of L2 up to this): with a
 * 2 MiB L2 (Emerald Rapids), blocks of 512 KiB ran 1-4% faster than of
 * 1 MiB at 1024³ and 2048³, f32 and f64 (one thread, paired runs), 256 KiB
 * and 680 KiB no better; a 1 MiB L2 (Zen 4, Zen 5) keeps its half. */
#define B_BLOCK_MAX ((int64_t)512 << 10)
/* The most bytes of A or B packed once for all units (gemm_tmpl.h). */
#define SHARED_MAX ((size_t)256 << 20)
#define SHARED_KEEP ((size_t)64 << 20)
/* Slivers of a block that a thread packs at a time for all units. */
enum { SHARED_GROUP = 4 };
/* The skinny path (gemm_paths_tmpl.h, F(skinny_run)): the most rows of
 * A, the rows of B a call of the rows kernel takes, and the padding of
 * the rows of its sums (elements). Measured at (8x4096)@(4096x4096) and
 * (16x4096)@(4096x4096) f32 on one thread of a Zen 5 VM, paired runs
 * against OpenBLAS: B's rows 16 KiB apart all fall in the same sets of a
 * 12-way L1, so 16 rows a call (or sums kept in C's rows, as far apart)
 * evicted the lines of B before their second use; 8 rows and padded sums
 * went from 1.07-1.74x OpenBLAS (the micro-kernel over 16 rows) to
 * 1.75-2.4x; 4 rows 1.1-1.9x, 12 rows 1.7-1.9x. */
enum { SKINNY_M = 16, SKINNY_ROWS = 8, SKINNY_PAD = 16 };
_Static_assert((int)SKINNY_ROWS <= (int)MM_GEMM_ROWS_KB,
               "the rows kernel's block");
/* Bytes of a tile of A read in place (MR rows × k block) when n is at
 * most four slivers (gemm_paths_tmpl.h, F(plan_blocked)). */
enum { DIRECT_A_TILE = 32 << 10 };
/* The largest k block of a product of at most SKINNY_M rows on the
 * blocked path (B stored by columns; gemm_paths_tmpl.h, F(plan_blocked)). */
enum { SKINNY_KC = 8192 };
/* A product's path (gemm_paths_tmpl.h, F(plan)). */
enum { PATH_GEMV, PATH_SMALL, PATH_SKINNY, PATH_BLOCKED };
/* Below this many flops a second thread costs more than it brings. */
#define MT_MIN_FLOPS (2.0 * 96 * 96 * 96)
/* Matrix-vector: the most columns a unit (a polling point between
 * units), units whole multiples of GEMV_GRAIN columns, and the size n·k
 * from which threads share the columns. */
enum { GEMV_CHUNK = 2048, GEMV_GRAIN = 64 };
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

/* A block of A or B packed once for all units (gemm_tmpl.h, F(packed)):
 * its groups of slivers claimed so far, and packed so far. */
struct mm_gemm_blockstate {
	atomic_int claim, done;
};

/* A job's shared counter (the next unit, or entry of a batch) and
 * whether it was interrupted. */
struct mm_gemm_ctl {
	atomic_long next;
	atomic_bool stopped;
};

/* All of A or B packed once, with the states of its blocks. */
struct shared {
	void *p;
	size_t size;
	struct mm_gemm_blockstate *state;
	size_t nstate;
};

/* Packing buffers, kept between calls and grown on demand (under call_mu):
 * each thread's A panel and B block (a and b, n of each), and all of A
 * and of B packed once for all units with a state for each block
 * (shared_pack()). */
static struct {
	void **a, **b;
	size_t a_size, b_size;
	int n;
	struct shared sh[2];
} ws;

static void *alloc64(size_t size)
{
	return aligned_alloc(64, (size + 63) / 64 * 64);
}

static void buffers_free(void)
{
	for (int i = 0; i < ws.n; i++) {
		free(ws.a[i]);
		free(ws.b[i]);
	}
	free(ws.a);
	free(ws.b);
	ws.a = ws.b = NULL;
	ws.a_size = ws.b_size = 0;
	ws.n = 0;
}

static void workspace_free(void)
{
	for (int i = 0; i < 2; i++) {
		free(ws.sh[i].p);
		free(ws.sh[i].state);
	}
	buffers_free();
	memset(&ws, 0, sizeof ws);
}

/* Makes ws.a[i] and ws.b[i] hold at least a_size and b_size bytes for
 * i < nt; false if memory ran out (then none are left). */
static bool workspace(size_t a_size, size_t b_size, int nt)
{
	if (a_size <= ws.a_size && b_size <= ws.b_size && nt <= ws.n)
		return true;
	a_size = a_size > ws.a_size ? a_size : ws.a_size;
	b_size = b_size > ws.b_size ? b_size : ws.b_size;
	nt = nt > ws.n ? nt : ws.n;
	buffers_free();
	ws.a = calloc((size_t)nt, sizeof *ws.a);
	ws.b = calloc((size_t)nt, sizeof *ws.b);
	if (!ws.a || !ws.b) {
		buffers_free();
		return false;
	}
	ws.n = nt;
	for (int i = 0; i < nt; i++)
		if (!(ws.a[i] = alloc64(a_size ? a_size : 64)) ||
		    !(ws.b[i] = alloc64(b_size ? b_size : 64))) {
			buffers_free();
			return false;
		}
	ws.a_size = a_size;
	ws.b_size = b_size;
	return true;
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
	for (size_t i = 0; i < nstate; i++) {
		atomic_store_explicit(&sh->state[i].claim, 0, memory_order_relaxed);
		atomic_store_explicit(&sh->state[i].done, 0, memory_order_relaxed);
	}
	return sh;
}

/* The next group of a shared block's slivers for this thread to pack, or
 * -1 when all `groups` are taken. */
static int shared_claim(struct mm_gemm_blockstate *st, int groups)
{
	if (atomic_load_explicit(&st->claim, memory_order_relaxed) >= groups)
		return -1;
	int x = atomic_fetch_add_explicit(&st->claim, 1, memory_order_relaxed);
	return x < groups ? x : -1;
}

static void shared_done(struct mm_gemm_blockstate *st)
{
	atomic_fetch_add_explicit(&st->done, 1, memory_order_release);
}

/* Waits until the block's groups are all packed: the threads packing them
 * are running (a group is claimed inside a job), each for microseconds;
 * past SPIN_YIELD pauses, yields, in case one was preempted. */
enum { SPIN_YIELD = 4000 };
static void shared_wait(struct mm_gemm_blockstate *st, int groups)
{
	for (int spins = 0;
	     atomic_load_explicit(&st->done, memory_order_acquire) < groups;
	     spins++) {
		if (spins < SPIN_YIELD)
			cpu_relax();
		else
			sched_yield();
	}
}

#define T float
#define F(x) x##_s
#define UKR ukr_s
#define UKR_TYPE mm_gemm_ukr_f32
#define GEMV gemv_s
#define GEMV_TYPE mm_gemm_gemv_f32
#define MR mr_s
#define NR nr_s
#define KC kc_s
#define NRE nre_s
#define PACK_A pack_a_s
#define PACK_B pack_b_s
#define ROWS rows_s
#include "gemm_tmpl.h"
#include "gemm_paths_tmpl.h"
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
#undef PACK_A
#undef PACK_B
#undef ROWS


#define T double
#define F(x) x##_d
#define UKR ukr_d
#define UKR_TYPE mm_gemm_ukr_f64
#define GEMV gemv_d
#define GEMV_TYPE mm_gemm_gemv_f64
#define MR mr_d
#define NR nr_d
#define KC kc_d
#define NRE nre_d
#define PACK_A pack_a_d
#define PACK_B pack_b_d
#define ROWS rows_d
#include "gemm_tmpl.h"
#include "gemm_paths_tmpl.h"

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

int mm_sgemm_batch(int64_t batch, int64_t m, int64_t n, int64_t k,
                   float alpha, const float *a, int64_t bs_a, int64_t rs_a,
                   int64_t cs_a, const float *b, int64_t bs_b, int64_t rs_b,
                   int64_t cs_b, float beta, float *c, int64_t bs_c,
                   int64_t rs_c, int64_t cs_c)
{
	return batch_s(batch, m, n, k, alpha, a, bs_a, rs_a, cs_a, b, bs_b,
	               rs_b, cs_b, beta, c, bs_c, rs_c, cs_c);
}

int mm_dgemm_batch(int64_t batch, int64_t m, int64_t n, int64_t k,
                   double alpha, const double *a, int64_t bs_a, int64_t rs_a,
                   int64_t cs_a, const double *b, int64_t bs_b, int64_t rs_b,
                   int64_t cs_b, double beta, double *c, int64_t bs_c,
                   int64_t rs_c, int64_t cs_c)
{
	return batch_d(batch, m, n, k, alpha, a, bs_a, rs_a, cs_a, b, bs_b,
	               rs_b, cs_b, beta, c, bs_c, rs_c, cs_c);
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
	mm_gemm_lowp_shutdown();
}
