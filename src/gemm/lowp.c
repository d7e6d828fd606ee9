/* lowp.c — the low-precision GEMM (bf16, i8): which kernels this CPU runs,
 * and the driver around them. B is converted and packed once, for all
 * threads, before any product is taken; then each thread takes a block
 * of C and runs the Goto/BLIS loops: for each k block an A panel
 * converted and packed (kept in L2), then B slivers and A slivers over
 * it, the sums of the block's tiles kept between k blocks in a buffer of
 * the thread's, so that C is written once, after all of k.
 * Compiled with plain flags; MM_GEMM_HAVE_* say which kernels exist. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "gemm_internal.h"
#include "lowp_internal.h"
#include "pool.h"
#include "mmcalc/diag.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
#include "mmcalc/interrupt.h"

/* Bytes of packed B made at once: a larger B goes in column chunks (the
 * same tiles, so the same bits). Buffers over KEEP are freed after the
 * product that needed them. */
#define B_MAX ((size_t)256 << 20)
#define KEEP ((size_t)64 << 20)
/* The most bytes of sums a thread keeps between k blocks. */
#define ACC_MAX ((size_t)8 << 20)
/* The deepest product run at once: a deeper one goes in slices of k, the
 * later ones added to C (beta 1), so that packed B and a vector
 * product's padded operands stay bounded however deep. A multiple of
 * every kernel's KQ. */
enum { KSLICE = 65536 };
/* The fewest rows (or columns) in a unit of work, as in gemm.c. */
enum { UNIT_MIN = 128 };
/* B slivers packed per task of the packing phase: the rows of 16 slivers
 * of 32 columns are 2 KiB of f32 read in one run. */
enum { PACK_TASK = 16 };

/* ---- What this CPU runs ---------------------------------------------- */

enum {
	CPU_AVX512 = 1,      /* F, BW, VL, DQ and the OS saving zmm state */
	CPU_BF16 = 2,        /* AVX512_BF16 */
	CPU_VNNI = 4,        /* AVX512_VNNI */
	CPU_AMX_BF16 = 8,    /* AMX-TILE + AMX-BF16, tile state granted */
	CPU_AMX_I8 = 16,     /* AMX-TILE + AMX-INT8, tile state granted */
};

static unsigned cpu_flags;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/* Linux keeps AMX's 8 KiB of tile data out of a thread's state until
 * the process asks for it (arch_prctl ARCH_REQ_XCOMP_PERM, feature 18,
 * XTILEDATA); the permission is the process's, for all its threads. */
static bool amx_granted(void)
{
#if defined(__linux__) && defined(__x86_64__) && defined(SYS_arch_prctl)
	return syscall(SYS_arch_prctl, 0x1023, 18) == 0;
#else
	return false;
#endif
}
#endif

static void detect(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) /* OSXSAVE */
		return;
	uint64_t xcr0 = xgetbv0();
	unsigned b7, c7, d7, a71 = 0;
	if (!__get_cpuid_count(7, 0, &a, &b7, &c7, &d7))
		return;
	unsigned max7 = a;
	if (max7 >= 1)
		__get_cpuid_count(7, 1, &a71, &b, &c, &d);
	/* zmm state: XCR0 bits 1, 2 (SSE, AVX) and 5-7 (opmask, ZMM) */
	bool zmm = (xcr0 & 0xe6) == 0xe6;
	bool avx512 = zmm && (b7 & (1u << 16)) && (b7 & (1u << 17)) &&
	              (b7 & (1u << 30)) && (b7 & (1u << 31));
	unsigned f = 0;
	if (avx512) {
		f |= CPU_AVX512;
		if (a71 & (1u << 5))
			f |= CPU_BF16;
		if (c7 & (1u << 11))
			f |= CPU_VNNI;
	}
	/* Tiles: AMX-TILE (edx bit 24), the OS saving tile state (XCR0
	 * bits 17, 18), and the kernel's grant. The AMX kernels use
	 * AVX512_BF16 to pack, which every AMX part has. */
	bool tile = (d7 & (1u << 24)) && (xcr0 & 0x60000) == 0x60000 &&
	            (f & CPU_BF16);
	if (tile && ((d7 & (1u << 22)) || (d7 & (1u << 25))) && amx_granted()) {
		if (d7 & (1u << 22))
			f |= CPU_AMX_BF16;
		if (d7 & (1u << 25))
			f |= CPU_AMX_I8;
	}
	cpu_flags = f;
#endif
}

static unsigned cpu(void)
{
	pthread_once(&cpu_once, detect);
	return cpu_flags;
}

/* The paths of each type, fastest first, with what they need. */
struct path {
	const struct mm_lowp_kernel *k;
	unsigned needs;
};

static const struct path bf16_paths[] = {
#if MM_GEMM_HAVE_AMX
	{&mm_lowp_amx_bf16, CPU_AMX_BF16},
#endif
#if MM_GEMM_HAVE_AVX512BF16
	{&mm_lowp_avx512bf16_bf16, CPU_AVX512 | CPU_BF16},
#endif
#if MM_GEMM_HAVE_AVX512FMA
	{&mm_lowp_avx512_bf16fma, CPU_AVX512},
#endif
	{&mm_lowp_generic_bf16, 0},
};

static const struct path i8_paths[] = {
#if MM_GEMM_HAVE_AMX
	{&mm_lowp_amx_i8, CPU_AMX_I8},
#endif
#if MM_GEMM_HAVE_AVX512VNNI
	{&mm_lowp_avx512vnni_i8, CPU_AVX512 | CPU_VNNI},
#endif
	{&mm_lowp_generic_i8, 0},
};

struct table {
	const struct path *p;
	size_t n;
	const struct mm_lowp_kernel *_Atomic cur;
};

static struct table tables[2] = {
	[MM_LOWP_BF16] = {bf16_paths, sizeof bf16_paths / sizeof bf16_paths[0],
	                  NULL},
	[MM_LOWP_I8] = {i8_paths, sizeof i8_paths / sizeof i8_paths[0], NULL},
};

/* Whether bf16 runs faster on the f32 FMA than on vdpbf16ps, which
 * Sapphire and Emerald Rapids run at half the FMA's rate and Zen 5 at
 * twice it: both instructions timed once (about 0.1 ms), a margin
 * against noise. */
static bool fma_beats_dpbf16(void)
{
#if MM_GEMM_HAVE_AVX512FMA && MM_GEMM_HAVE_AVX512BF16
	return mm_lowp_avx512_fma_peak() > 1.15 * mm_lowp_avx512bf16_peak();
#else
	return false;
#endif
}

/* want NULL: the fastest path this CPU runs; "avx512": the fastest of
 * the AVX-512 ones; else that one, or NULL. */
static const struct mm_lowp_kernel *select_path(int type, const char *want)
{
	const struct table *t = &tables[type];
	bool avx512 = want && strcmp(want, "avx512") == 0;
	for (size_t i = 0; i < t->n; i++) {
		const char *name = t->p[i].k->name;
		if (avx512 ? strncmp(name, "avx512", 6) != 0
		           : want && strcmp(want, name) != 0)
			continue;
		if ((cpu() & t->p[i].needs) == t->p[i].needs) {
			if ((!want || avx512) && strcmp(name, "avx512bf16") == 0 &&
			    fma_beats_dpbf16())
				continue; /* to avx512fma, next in the table */
			return t->p[i].k;
		}
	}
	return NULL;
}

static const struct mm_lowp_kernel *kernel(int type)
{
	const struct mm_lowp_kernel *k = atomic_load(&tables[type].cur);
	if (!k) {
		const struct mm_lowp_kernel *none = NULL;
		k = select_path(type, NULL);
		if (!atomic_compare_exchange_strong(&tables[type].cur, &none, k))
			k = none;
	}
	return k;
}

static int set_path(int type, const char *name)
{
	const struct mm_lowp_kernel *k = select_path(type, name);
	if (!k)
		return -1;
	atomic_store(&tables[type].cur, k);
	return 0;
}

const char *mm_gemm_bf16_isa(void) { return kernel(MM_LOWP_BF16)->name; }
const char *mm_gemm_i8_isa(void) { return kernel(MM_LOWP_I8)->name; }
int mm_gemm_bf16_set_isa(const char *name)
{
	return set_path(MM_LOWP_BF16, name);
}
int mm_gemm_i8_set_isa(const char *name)
{
	return set_path(MM_LOWP_I8, name);
}

/* ---- Workspace --------------------------------------------------------- */

/* Held while the workspace and the pool are in use. */
static pthread_mutex_t lowp_mu = PTHREAD_MUTEX_INITIALIZER;

static struct {
	void *p;
	size_t size;
} ws[2]; /* packed B; the threads' A panels */

static void *grow(int i, size_t size)
{
	if (size > ws[i].size) {
		free(ws[i].p);
		ws[i].p = aligned_alloc(64, (size + 63) / 64 * 64);
		ws[i].size = ws[i].p ? size : 0;
	}
	return ws[i].p;
}

static void trim(void)
{
	for (int i = 0; i < 2; i++)
		if (ws[i].size > KEEP) {
			free(ws[i].p);
			ws[i].p = NULL;
			ws[i].size = 0;
		}
}

void mm_gemm_lowp_shutdown(void)
{
	pthread_mutex_lock(&lowp_mu);
	for (int i = 0; i < 2; i++) {
		free(ws[i].p);
		ws[i].p = NULL;
		ws[i].size = 0;
	}
	pthread_mutex_unlock(&lowp_mu);
}

/* ---- The driver ------------------------------------------------------- */

struct job {
	const struct mm_lowp_kernel *kr;
	int64_t m, n, k;
	float alpha, beta;
	const float *a;
	int64_t rs_a, cs_a;
	const float *b;
	int64_t rs_b, cs_b;
	char *c;                   /* f32 or int32 C, 4-byte elements */
	int64_t rs_c, cs_c;
	int64_t kcb, nkb;          /* k blocks: kcb deep, nkb of them */
	int64_t kcp;               /* kcb rounded up to the kernel's KQ */
	int64_t mc;                /* rows of an A panel */
	int64_t j0, nsl;           /* this chunk of C: first column, slivers */
	int64_t chunk;             /* the most slivers a chunk has */
	size_t bsl;                /* bytes of a B sliver (one k block) */
	size_t asl;                /* bytes of an A sliver (one k block) */
	size_t accb;               /* bytes of an MR × NR block of sums */
	char *bpack;               /* block q, sliver s at (q·nsl + s)·bsl */
	char *thr;                 /* per thread: an A panel of one k block,
	                              then the sums of its rows of tiles */
	size_t thr_size;           /* bytes of a thread's part */
	int64_t um, un;            /* units down m and across the chunk */
	int64_t sm;                /* MR grains down m */
	atomic_long next;          /* the next task or unit to take */
	atomic_bool stopped;       /* interrupted */
};

static int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }

/* Packing phase: the chunk's B slivers, PACK_TASK at a time, by whoever
 * takes them (each sliver's bytes do not depend on who packs it). */
static void pack_job(void *arg, int tid, int nt)
{
	struct job *g = arg;
	const struct mm_lowp_kernel *kr = g->kr;
	(void)tid;
	(void)nt;
	int64_t per_q = (g->nsl + PACK_TASK - 1) / PACK_TASK;
	int64_t t;
	while (!atomic_load(&g->stopped) &&
	       (t = atomic_fetch_add(&g->next, 1)) < g->nkb * per_q) {
		if (mm_interrupted()) {
			atomic_store(&g->stopped, true);
			return;
		}
		int64_t q = t / per_q, s = t % per_q * PACK_TASK;
		int64_t kc = min64(g->kcb, g->k - q * g->kcb);
		int64_t j = g->j0 + s * kr->nr;
		int64_t cols = min64(PACK_TASK * kr->nr, g->n - j);
		kr->pack(g->bpack + (size_t)(q * g->nsl + s) * g->bsl, g->bsl,
		         g->b + q * g->kcb * g->rs_b + j * g->cs_b, g->cs_b,
		         g->rs_b, kc, cols, true);
	}
}

/* Unit x of the grid: rows i[0]..i[1], slivers s[0]..s[1] of the chunk,
 * cut in whole MR grains and whole slivers, so that the tiles are the
 * same however many units there are. */
static void unit(const struct job *g, int64_t x, int64_t i[2], int64_t s[2])
{
	int64_t u = x % g->um, v = x / g->um;
	i[0] = min64(u * g->sm / g->um * g->kr->mr, g->m);
	i[1] = min64((u + 1) * g->sm / g->um * g->kr->mr, g->m);
	s[0] = v * g->nsl / g->un;
	s[1] = (v + 1) * g->nsl / g->un;
}

/* Rows ic..ic+rows against B slivers s[0]..s[1]: for each k block, the
 * A panel of those rows packed, then loops 3 (B slivers) and 1 (A
 * slivers) over it; the sums of every tile of the unit's rows stay in
 * `acc` between k blocks. Each tile still sums its k blocks in order
 * through the same calls, so the bits are those of any other order. The
 * panel holds one k block, so it has many rows however deep k is (a
 * panel of all of k had 128 rows at k = 2048 in f32, and each B sliver
 * loaded served 16 kernel calls). Returns true if stopped. */
static bool panel(struct job *g, char *ap, char *acc, int64_t ic,
                  int64_t rows, const int64_t s[2])
{
	const struct mm_lowp_kernel *kr = g->kr;
	const int mr = kr->mr;
	const int64_t tiles = (rows + mr - 1) / mr;
	for (int64_t q = 0; q < g->nkb; q++) {
		int64_t kc = min64(g->kcb, g->k - q * g->kcb);
		int64_t kcp = (kc + kr->kq - 1) / kr->kq * kr->kq;
		int mode = (q == 0 ? MM_LOWP_FIRST : 0) |
		           (q == g->nkb - 1 ? MM_LOWP_LAST : 0);
		kr->pack(ap, g->asl, g->a + ic * g->rs_a + q * g->kcb * g->cs_a,
		         g->rs_a, g->cs_a, kc, rows, false);
		for (int64_t sl = s[0]; sl < s[1]; sl++) {
			int64_t j = g->j0 + sl * kr->nr;
			int w = (int)min64(kr->nr, g->n - j);
			const char *bs = g->bpack + (size_t)(q * g->nsl + sl) * g->bsl;
			char *at = acc + (size_t)((sl - s[0]) * tiles) * g->accb;
			for (int64_t r = 0; r < rows; r += mr)
				kr->ukr(kcp, ap + (size_t)(r / mr) * g->asl, bs,
				        at + (size_t)(r / mr) * g->accb, mode, g->alpha,
				        g->beta, g->c + 4 * ((ic + r) * g->rs_c +
				                             j * g->cs_c),
				        g->rs_c, g->cs_c, (int)min64(mr, rows - r), w);
		}
		if (mm_interrupted() ||
		    atomic_load_explicit(&g->stopped, memory_order_relaxed))
			return true;
	}
	return false;
}

/* Product phase: units taken by whoever is awake (pool.h). */
static void unit_job(void *arg, int tid, int nt)
{
	struct job *g = arg;
	(void)nt;
	char *ap = g->thr + (size_t)tid * g->thr_size;
	char *acc = ap + (size_t)(g->mc / g->kr->mr) * g->asl;
	if (g->kr->enter)
		g->kr->enter();
	int64_t i[2], s[2], x;
	while (!atomic_load(&g->stopped) &&
	       (x = atomic_fetch_add(&g->next, 1)) < g->um * g->un) {
		unit(g, x, i, s);
		for (int64_t ic = i[0]; ic < i[1]; ic += g->mc)
			if (panel(g, ap, acc, ic, min64(g->mc, i[1] - ic), s)) {
				atomic_store(&g->stopped, true);
				break;
			}
	}
	if (g->kr->leave)
		g->kr->leave();
}

/* Balanced blocks of at most `max` along `len`, a multiple of `unit`. */
static int64_t even_block(int64_t len, int64_t max, int64_t unit)
{
	int64_t nb = (len + max - 1) / max;
	int64_t b = (len + nb - 1) / nb;
	return (b + unit - 1) / unit * unit;
}

static int64_t l2_bytes(void)
{
	static _Atomic int64_t l2;
	int64_t v = atomic_load_explicit(&l2, memory_order_relaxed);
	if (!v) {
		int64_t sz[3];
		mm_gemm_caches_from("/sys/devices/system/cpu/cpu0/cache", sz);
		v = sz[1] >= 256 * 1024 ? sz[1] : 1024 * 1024;
		atomic_store_explicit(&l2, v, memory_order_relaxed);
	}
	return v;
}

/* Block sizes and the buffers for g (C row-major by now, m, n, k > 0),
 * and the B slivers packed at once (*chunk); false if the sizes overflow
 * or memory ran out. */
static bool plan(struct job *g, int nt, int64_t *chunk)
{
	const struct mm_lowp_kernel *kr = g->kr;
	int64_t mr = kr->mr, nr = kr->nr, es = kr->es;
	g->kcb = even_block(g->k, kr->kc, kr->kq);
	g->nkb = (g->k + g->kcb - 1) / g->kcb;
	g->kcp = (g->kcb + kr->kq - 1) / kr->kq * kr->kq;
	g->asl = ((size_t)(mr * g->kcp * es) + 63) / 64 * 64;
	g->bsl = (size_t)(nr * g->kcp * es + kr->bx);
	g->accb = (size_t)(mr * nr * 4);
	int64_t nsl = (g->n + nr - 1) / nr;
	size_t per_col_block, bbytes, tbytes;
	if (__builtin_mul_overflow((size_t)g->nkb, g->bsl, &per_col_block))
		return false;
	/* Slivers packed at once: all of B, or as many as fit B_MAX. */
	int64_t fit = (int64_t)(B_MAX / per_col_block);
	*chunk = fit < 1 ? 1 : fit < nsl ? fit : nsl;
	/* and whose row of sums fits ACC_MAX (small k, very wide n) */
	int64_t fit_acc = (int64_t)(ACC_MAX / g->accb);
	if (*chunk > fit_acc)
		*chunk = fit_acc < 1 ? 1 : fit_acc;
	g->chunk = *chunk;
	if (__builtin_mul_overflow(per_col_block, (size_t)*chunk, &bbytes))
		return false;
	/* A panel: about half of L2, whole slivers, one at least; its sums
	 * (a row of tiles per sliver of the chunk) at most ACC_MAX. */
	size_t half = (size_t)l2_bytes() / 2;
	size_t row_acc = (size_t)*chunk * g->accb;
	int64_t mc = half >= g->asl ? (int64_t)(half / g->asl) : 1;
	int64_t by_acc = (int64_t)(ACC_MAX / row_acc);
	mc = (mc < by_acc ? mc : by_acc) * mr;
	mc = mc < mr ? mr : mc;
	g->mc = min64(mc, (g->m + mr - 1) / mr * mr);
	g->sm = (g->m + mr - 1) / mr;
	if (__builtin_mul_overflow((size_t)(g->mc / mr), g->asl + row_acc,
	                           &g->thr_size) ||
	    __builtin_mul_overflow((size_t)nt, g->thr_size, &tbytes))
		return false;
	g->bpack = grow(0, bbytes);
	g->thr = grow(1, tbytes);
	return g->bpack && g->thr;
}

/* Units for a chunk of nsl slivers: up to two a thread along the longer
 * side (late workers still find one), none under UNIT_MIN. */
static void grid(struct job *g, int nt)
{
	int64_t cols = g->nsl * g->kr->nr;
	g->um = 1;
	g->un = 1;
	if (g->m >= cols)
		g->um = min64(g->m / UNIT_MIN, 2 * nt);
	else
		g->un = min64(cols / UNIT_MIN, 2 * nt);
	g->um = g->um < 1 ? 1 : min64(g->um, g->sm);
	g->un = g->un < 1 ? 1 : min64(g->un, g->nsl);
}

/* The product g (lowp_mu held): B packed by chunks of slivers, each
 * chunk's products taken by the threads. */
static int run(struct job *g)
{
	int nt = mm_gemm_threads();
	if (2.0 * (double)g->m * (double)g->n * (double)g->k < g->kr->mt_ops)
		nt = 1;
	int64_t chunk;
	if (!plan(g, nt, &chunk))
		return MM_ERR_NOMEM;
	int64_t nsl_all = (g->n + g->kr->nr - 1) / g->kr->nr;
	for (int64_t s0 = 0; s0 < nsl_all && !atomic_load(&g->stopped);
	     s0 += chunk) {
		g->j0 = s0 * g->kr->nr;
		g->nsl = min64(chunk, nsl_all - s0);
		atomic_store(&g->next, 0);
		int64_t tasks = g->nkb * ((g->nsl + PACK_TASK - 1) / PACK_TASK);
		mm_gemm_pool_run((int)min64(nt, tasks), pack_job, g);
		if (atomic_load(&g->stopped))
			break;
		grid(g, nt);
		atomic_store(&g->next, 0);
		mm_gemm_pool_run((int)min64(nt, g->um * g->un), unit_job, g);
	}
	return atomic_load(&g->stopped) ? MM_ERR_INTERRUPTED : 0;
}

/* ---- The matrix-vector product ---------------------------------------- */

/* From this n·k on, threads share the columns of a row vector's product
 * (as gemm.c's GEMV_MT_MIN). */
#define GEMV_MT_MIN (256.0 * 1024)

/* The vector kernel of the path: the portable one for the portable path,
 * else the AVX-512 one (every other path's CPU runs AVX-512; bf16's needs
 * AVX512_BF16, which the FMA path's CPU may lack). */
static mm_lowp_gemv *gemv_for(int type, const struct mm_lowp_kernel *kr)
{
	bool generic = strcmp(kr->name, "generic") == 0;
	(void)generic;
#if MM_GEMM_HAVE_AVX512BF16
	if (type == MM_LOWP_BF16 && !generic && (cpu() & CPU_BF16))
		return mm_lowp_gemv_avx512_bf16;
#endif
#if MM_GEMM_HAVE_AVX512VNNI
	if (type == MM_LOWP_I8 && !generic && (cpu() & CPU_AVX512))
		return mm_lowp_gemv_avx512_i8;
#endif
	return type == MM_LOWP_BF16 ? mm_lowp_gemv_generic_bf16
	                            : mm_lowp_gemv_generic_i8;
}

struct vjob {
	mm_lowp_gemv *fn;
	const struct job *g;       /* the product: m 1, B row-major */
	const void *x;             /* its row, converted */
	atomic_long next;          /* the next strip of columns */
	atomic_bool stopped;
};

static void gemv_job(void *arg, int tid, int nt)
{
	struct vjob *v = arg;
	const struct job *g = v->g;
	(void)tid;
	(void)nt;
	int64_t s;
	while (!atomic_load(&v->stopped) &&
	       (s = atomic_fetch_add(&v->next, 1)) * MM_LOWP_STRIP < g->n) {
		if (mm_interrupted()) {
			atomic_store(&v->stopped, true);
			return;
		}
		int64_t j = s * MM_LOWP_STRIP;
		v->fn(min64(MM_LOWP_STRIP, g->n - j), g->k, v->x, g->b + j * g->cs_b,
		      g->rs_b, g->cs_b, g->alpha, g->beta, g->c + 4 * j * g->cs_c,
		      g->cs_c);
	}
}

/* A row vector times a B whose rows or columns are contiguous
 * (lowp_mu held): the vector converted once, then strips of columns, no
 * packing (B is read once either way, and packing it cost more than the
 * product: 1x4096 @ 4096x4096 in bf16 took 2.6 times mm_sgemm's time). */
static int run_gemv(struct job *g, int type)
{
	void *x = grow(1, (size_t)(g->k + 1) * 4);
	if (!x)
		return MM_ERR_NOMEM;
	for (int64_t p = 0; p < g->k; p++) {
		float v = g->a[p * g->cs_a];
		if (type == MM_LOWP_BF16)
			((uint16_t *)x)[p] = mm_lowp_bf16_bits(v);
		else
			((int32_t *)x)[p] = mm_lowp_i8(v);
	}
	if (type == MM_LOWP_BF16)
		((uint16_t *)x)[g->k] = 0;
	struct vjob v = {.fn = gemv_for(type, g->kr), .g = g, .x = x};
	int nt = (double)g->n * (double)g->k < GEMV_MT_MIN ? 1 : mm_gemm_threads();
	int64_t strips = (g->n + MM_LOWP_STRIP - 1) / MM_LOWP_STRIP;
	mm_gemm_pool_run((int)min64(nt, strips), gemv_job, &v);
	return atomic_load(&v.stopped) ? MM_ERR_INTERRUPTED : 0;
}

/* The product with C row-major (or strided both ways): kernels store
 * whole rows of a tile; a column-major C is computed as Cᵀ = Bᵀ·Aᵀ, a
 * swap of operands and strides (the products commute, so the bits are
 * the same). */
static int gemm(int type, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t rs_a, int64_t cs_a, const float *b,
                int64_t rs_b, int64_t cs_b, float beta, void *c,
                int64_t rs_c, int64_t cs_c)
{
	if ((rs_c == 1 && cs_c != 1) || (n == 1 && m > 1)) {
		const float *t = a;
		a = b;
		b = t;
		int64_t x = m;
		m = n;
		n = x;
		x = rs_a;
		rs_a = cs_b;
		cs_b = x;
		x = cs_a;
		cs_a = rs_b;
		rs_b = x;
		x = rs_c;
		rs_c = cs_c;
		cs_c = x;
	}
	const struct mm_lowp_kernel *kr = kernel(type);
	int rc = 0;
	pthread_mutex_lock(&lowp_mu);
	for (int64_t k0 = 0; k0 < k && !rc; k0 += KSLICE) {
		struct job g = {
			.kr = kr, .m = m, .n = n, .k = k - k0 < KSLICE ? k - k0 : KSLICE,
			.alpha = alpha, .beta = k0 ? 1.0f : beta,
			.a = a + k0 * cs_a, .rs_a = rs_a, .cs_a = cs_a,
			.b = b + k0 * rs_b, .rs_b = rs_b, .cs_b = cs_b,
			.c = c, .rs_c = rs_c, .cs_c = cs_c,
		};
		rc = m == 1 && (cs_b == 1 || rs_b == 1) ? run_gemv(&g, type)
		                                        : run(&g);
	}
	trim();
	pthread_mutex_unlock(&lowp_mu);
	return rc;
}

int mm_gemm_bf16(int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t rs_a, int64_t cs_a,
                 const float *b, int64_t rs_b, int64_t cs_b, float beta,
                 float *c, int64_t rs_c, int64_t cs_c)
{
	if (m <= 0 || n <= 0)
		return 0;
	if (k <= 0 || alpha == 0) {
		if (beta != 1)
			for (int64_t i = 0; i < m; i++)
				for (int64_t j = 0; j < n; j++) {
					float *cij = c + i * rs_c + j * cs_c;
					*cij = beta == 0 ? 0 : beta * *cij;
				}
		return 0;
	}
	return gemm(MM_LOWP_BF16, m, n, k, alpha, a, rs_a, cs_a, b, rs_b, cs_b,
	            beta, c, rs_c, cs_c);
}

int mm_gemm_i8(int64_t m, int64_t n, int64_t k, const float *a,
               int64_t rs_a, int64_t cs_a, const float *b, int64_t rs_b,
               int64_t cs_b, bool accumulate, int32_t *c, int64_t rs_c,
               int64_t cs_c)
{
	if (m <= 0 || n <= 0)
		return 0;
	if (k <= 0) {
		if (!accumulate)
			for (int64_t i = 0; i < m; i++)
				for (int64_t j = 0; j < n; j++)
					c[i * rs_c + j * cs_c] = 0;
		return 0;
	}
	return gemm(MM_LOWP_I8, m, n, k, 1.0f, a, rs_a, cs_a, b, rs_b, cs_b,
	            accumulate ? 1.0f : 0.0f, c, rs_c, cs_c);
}
