/* bench-lowp.c — the low-precision GEMMs (gemm_lowp.h) beside mmcalc's f32
 * and f64 GEMMs, oneDNN's matmul (when built with it) and the measured
 * peak of the instruction each path runs on, side by side in one run: for
 * each size and thread count the contenders alternate and the best of
 * several timed samples counts. "x f32" is a row's rate over mmcalc's
 * f32 GEMM's in the same run. oneDNN 2.6 has no f64 data type, so the
 * f64 row has no oneDNN figure (bench-gemm runs f64 against OpenBLAS).
 *
 *   bench-lowp [--quick] [--rounds N] [--threads N] [--size N]...
 *              [--dnnl-max-isa NAME] [--cpu]
 *
 * --cpu times by the process's CPU time (divided by the threads) rather
 * than the wall clock: on a machine shared with other work, a thread
 * that is not running is not counted (waits for a descheduled thread
 * still are).
 *
 * Peaks: a loop of independent vfmadd231ps, vdpbf16ps or vpdpbusd on zmm
 * registers (24 accumulators) or of AMX tdpbf16ps or tdpbssd (6 tiles),
 * on 1 and 2 threads at once; FLOP (bf16, f32) or integer operations
 * (i8), a multiply and an add counting two.
 * oneDNN's operands are already bf16 or s8 (its matmul's own input);
 * mmcalc's are f32, converted while packing, so a second oneDNN column
 * also times its reorders from f32. --dnnl-max-isa (avx512_core_bf16,
 * avx512_core_vnni, ...) caps oneDNN's ISA, to compare like with like
 * with the AVX-512 kernels. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"

#ifdef HAVE_DNNL
#include <dnnl.h>
#if DNNL_VERSION_MAJOR >= 3
#undef HAVE_DNNL /* the C API changed; this benchmark speaks oneDNN 2 */
#endif
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static bool use_cpu_time; /* --cpu */
static int cur_threads = 1;

/* The products' clock: the wall's, or CPU seconds per thread. */
static double clock_now(void)
{
	if (!use_cpu_time)
		return now();
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec) / cur_threads;
}

/* ---- Instruction peaks ------------------------------------------------- */

#if defined(__x86_64__)
#define ZREGS "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", \
	"zmm8", "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14", "zmm15",  \
	"zmm16", "zmm17", "zmm18", "zmm19", "zmm20", "zmm21", "zmm22", "zmm23", \
	"zmm30", "zmm31"
#define X1(OP, R) OP " %%zmm31, %%zmm30, %%zmm" #R "\n\t"
#define X4(OP, A, B, C, D) X1(OP, A) X1(OP, B) X1(OP, C) X1(OP, D)
#define X24(OP) X4(OP, 0, 1, 2, 3) X4(OP, 4, 5, 6, 7) X4(OP, 8, 9, 10, 11) \
	X4(OP, 12, 13, 14, 15) X4(OP, 16, 17, 18, 19) X4(OP, 20, 21, 22, 23)
/* 24 independent chains of OP on zmm registers, n times. */
#define ZLOOP(NAME, OP)                                                   \
	__attribute__((target("avx512f"))) static void NAME(long n)       \
	{                                                                 \
		__asm__ volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"   \
		                 "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"   \
		                 "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"      \
		                 "1:\n\t" X24(OP)                         \
		                 "dec %0\n\tjnz 1b\n\t"                   \
		                 : "+r"(n) : : ZREGS, "cc");               \
	}
ZLOOP(loop_fma, "vfmadd231ps")
ZLOOP(loop_fma64, "vfmadd231pd")
ZLOOP(loop_dpbf16, "vdpbf16ps")
ZLOOP(loop_dpbusd, "vpdpbusd")

/* Six independent tile products of tiles 6 and 7 into tiles 0-5, n
 * times (palette 1, all tiles 16 rows of 64 bytes). */
static void loop_amx(long n, bool i8)
{
	static const _Alignas(64) struct {
		uint8_t palette, start, reserved[14];
		uint16_t colsb[16];
		uint8_t rows[16];
	} cfg = {1, 0, {0}, {64, 64, 64, 64, 64, 64, 64, 64},
	         {16, 16, 16, 16, 16, 16, 16, 16}};
	static _Alignas(64) char zero[1024];
	__asm__ volatile("ldtilecfg %0" : : "m"(cfg));
	__asm__ volatile("tilezero %%tmm0\n\ttilezero %%tmm1\n\t"
	                 "tilezero %%tmm2\n\ttilezero %%tmm3\n\t"
	                 "tilezero %%tmm4\n\ttilezero %%tmm5\n\t"
	                 "tileloadd (%0,%1,1), %%tmm6\n\t"
	                 "tileloadd (%0,%1,1), %%tmm7"
	                 : : "r"(zero), "r"((long)64) : "memory");
#define T1(OP, R) OP " %%tmm7, %%tmm6, %%tmm" #R "\n\t"
#define T6(OP) T1(OP, 0) T1(OP, 1) T1(OP, 2) T1(OP, 3) T1(OP, 4) T1(OP, 5)
	if (i8)
		__asm__ volatile("1:\n\t" T6("tdpbssd") "dec %0\n\tjnz 1b"
		                 : "+r"(n) : : "cc");
	else
		__asm__ volatile("1:\n\t" T6("tdpbf16ps") "dec %0\n\tjnz 1b"
		                 : "+r"(n) : : "cc");
#undef T6
#undef T1
	__asm__ volatile("tilerelease");
}

static void loop_tdpbf16(long n) { loop_amx(n, false); }
static void loop_tdpbssd(long n) { loop_amx(n, true); }
#endif

struct peak {
	const char *insn;
	void (*fn)(long);
	double per_iter;     /* operations an iteration */
	double g[2];         /* measured G/s on 1 and 2 threads, 0 if none */
};

enum { P_FMA, P_FMA64, P_DPBF16, P_DPBUSD, P_TDPBF16, P_TDPBSSD, NPEAK };

static struct peak peaks[NPEAK] = {
#if defined(__x86_64__)
	[P_FMA] = {"vfmadd231ps", loop_fma, 24 * 16 * 2, {0, 0}},
	[P_FMA64] = {"vfmadd231pd", loop_fma64, 24 * 8 * 2, {0, 0}},
	[P_DPBF16] = {"vdpbf16ps", loop_dpbf16, 24 * 16 * 4, {0, 0}},
	[P_DPBUSD] = {"vpdpbusd", loop_dpbusd, 24 * 16 * 8, {0, 0}},
	[P_TDPBF16] = {"tdpbf16ps", loop_tdpbf16, 6 * 16 * 16 * 32 * 2, {0, 0}},
	[P_TDPBSSD] = {"tdpbssd", loop_tdpbssd, 6 * 16 * 16 * 64 * 2, {0, 0}},
#else
	[P_FMA] = {"vfmadd231ps", NULL, 0, {0, 0}},
	[P_FMA64] = {"vfmadd231pd", NULL, 0, {0, 0}},
	[P_DPBF16] = {"vdpbf16ps", NULL, 0, {0, 0}},
	[P_DPBUSD] = {"vpdpbusd", NULL, 0, {0, 0}},
	[P_TDPBF16] = {"tdpbf16ps", NULL, 0, {0, 0}},
	[P_TDPBSSD] = {"tdpbssd", NULL, 0, {0, 0}},
#endif
};

struct peak_run {
	void (*fn)(long);
	long n;
	pthread_barrier_t *go;
};

static void *peak_thread(void *p)
{
	struct peak_run *r = p;
	pthread_barrier_wait(r->go);
	r->fn(r->n);
	return NULL;
}

/* G/s of `pk` on t threads at once, best of `trials` runs of n loops. */
static double measure_peak(const struct peak *pk, int t, long n, int trials)
{
	double best = 0;
	for (int tr = 0; tr < trials; tr++) {
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, (unsigned)t + 1);
		pthread_t th[2];
		struct peak_run r = {pk->fn, n, &go};
		for (int i = 0; i < t; i++)
			pthread_create(&th[i], NULL, peak_thread, &r);
		double t0 = now();
		pthread_barrier_wait(&go);
		for (int i = 0; i < t; i++)
			pthread_join(th[i], NULL);
		double g = (double)t * (double)n * pk->per_iter / (now() - t0) * 1e-9;
		pthread_barrier_destroy(&go);
		if (g > best)
			best = g;
	}
	return best;
}

/* Which peaks this CPU runs: the kernels' own availability says (the
 * library asks cpuid and, for AMX, Linux's permission). */
static void measure_peaks(bool quick, int maxt)
{
	bool have[NPEAK] = {false};
#if defined(__x86_64__)
	__builtin_cpu_init();
	have[P_FMA] = __builtin_cpu_supports("avx512f");
	have[P_FMA64] = have[P_FMA];
	have[P_DPBF16] = mm_gemm_bf16_set_isa("avx512bf16") == 0;
	have[P_DPBUSD] = mm_gemm_i8_set_isa("avx512vnni") == 0;
	have[P_TDPBF16] = mm_gemm_bf16_set_isa("amx") == 0;
	have[P_TDPBSSD] = mm_gemm_i8_set_isa("amx") == 0;
	mm_gemm_bf16_set_isa(NULL);
	mm_gemm_i8_set_isa(NULL);
#endif
	printf("# measured peaks, G/s (FLOP, or integer ops for i8), best of "
	       "%d runs\n# %-12s %10s %10s\n", quick ? 5 : 20, "instruction",
	       "1 thread", "2 threads");
	for (int i = 0; i < NPEAK; i++) {
		if (!have[i] || !peaks[i].fn) {
			printf("# %-12s %10s %10s\n", peaks[i].insn, "-", "-");
			continue;
		}
		long n = i >= P_TDPBF16 ? 20000 : 200000;
		for (int t = 1; t <= maxt; t++)
			peaks[i].g[t - 1] = measure_peak(&peaks[i], t, quick ? n / 4 : n,
			                                 quick ? 5 : 20);
		printf("# %-12s %10.1f %10.1f\n", peaks[i].insn, peaks[i].g[0],
		       peaks[i].g[1]);
	}
}

/* ---- oneDNN ------------------------------------------------------------ */

#ifdef HAVE_DNNL
static dnnl_engine_t dn_engine;
static dnnl_stream_t dn_stream;

/* A matmul of n×n operands of type `in` (bf16, s8 or f32) into `out`
 * (f32, s32, f32), and the reorder of f32 operands into `in` (none for
 * f32, whose operands are the f32 ones themselves). */
struct dn {
	dnnl_primitive_t mm, cvt;
	dnnl_memory_t a32, b32, a, b, c;
};

static bool dn_ok(dnnl_status_t s)
{
	return s == dnnl_success;
}

static void dn_run(const struct dn *d, bool convert)
{
	if (convert) {
		dnnl_exec_arg_t ra[2] = {{DNNL_ARG_FROM, d->a32}, {DNNL_ARG_TO, d->a}};
		dnnl_exec_arg_t rb[2] = {{DNNL_ARG_FROM, d->b32}, {DNNL_ARG_TO, d->b}};
		dnnl_primitive_execute(d->cvt, dn_stream, 2, ra);
		dnnl_primitive_execute(d->cvt, dn_stream, 2, rb);
	}
	dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, d->a}, {DNNL_ARG_WEIGHTS, d->b},
	                           {DNNL_ARG_DST, d->c}};
	dnnl_primitive_execute(d->mm, dn_stream, 3, args);
	dnnl_stream_wait(dn_stream);
}

enum { DN_BF16, DN_S8, DN_F32, DN_TYPES };

static bool dn_make(struct dn *d, int64_t n, int type, const float *a32,
                    const float *b32)
{
	static const dnnl_data_type_t ins[] = {dnnl_bf16, dnnl_s8, dnnl_f32};
	static const dnnl_data_type_t outs[] = {dnnl_f32, dnnl_s32, dnnl_f32};
	dnnl_dims_t dims = {n, n};
	dnnl_memory_desc_t md_in, md_out, md_f32;
	dnnl_primitive_desc_t pd;
	dnnl_matmul_desc_t mmd;
	memset(d, 0, sizeof *d);
	if (!dn_ok(dnnl_memory_desc_init_by_tag(&md_in, 2, dims, ins[type],
	                                        dnnl_ab)) ||
	    !dn_ok(dnnl_memory_desc_init_by_tag(&md_out, 2, dims, outs[type],
	                                        dnnl_ab)) ||
	    !dn_ok(dnnl_memory_desc_init_by_tag(&md_f32, 2, dims, dnnl_f32,
	                                        dnnl_ab)) ||
	    !dn_ok(dnnl_matmul_desc_init(&mmd, &md_in, &md_in, NULL, &md_out)) ||
	    !dn_ok(dnnl_primitive_desc_create(&pd, &mmd, NULL, dn_engine, NULL)))
		return false;
	bool ok = dn_ok(dnnl_primitive_create(&d->mm, pd));
	dnnl_primitive_desc_destroy(pd);
	bool f32 = type == DN_F32;
	if (ok && !f32) {
		ok = dn_ok(dnnl_reorder_primitive_desc_create(
			&pd, &md_f32, dn_engine, &md_in, dn_engine, NULL));
		if (ok) {
			ok = dn_ok(dnnl_primitive_create(&d->cvt, pd));
			dnnl_primitive_desc_destroy(pd);
		}
	}
	ok = ok &&
	     dn_ok(dnnl_memory_create(&d->a32, &md_f32, dn_engine, (void *)a32)) &&
	     dn_ok(dnnl_memory_create(&d->b32, &md_f32, dn_engine, (void *)b32)) &&
	     dn_ok(dnnl_memory_create(&d->a, &md_in, dn_engine,
	                              f32 ? (void *)a32 : DNNL_MEMORY_ALLOCATE)) &&
	     dn_ok(dnnl_memory_create(&d->b, &md_in, dn_engine,
	                              f32 ? (void *)b32 : DNNL_MEMORY_ALLOCATE)) &&
	     dn_ok(dnnl_memory_create(&d->c, &md_out, dn_engine,
	                              DNNL_MEMORY_ALLOCATE));
	/* The operands converted once: memory never written reads as the
	 * kernel's zero page, all of it from one cached page, and made
	 * oneDNN's bf16 matmul seem twice as fast. */
	if (ok && !f32)
		dn_run(d, true);
	return ok;
}

static void dn_free(struct dn *d)
{
	dnnl_primitive_destroy(d->mm);
	if (d->cvt)
		dnnl_primitive_destroy(d->cvt);
	dnnl_memory_destroy(d->a32);
	dnnl_memory_destroy(d->b32);
	dnnl_memory_destroy(d->a);
	dnnl_memory_destroy(d->b);
	dnnl_memory_destroy(d->c);
}

/* oneDNN's threads are OpenMP's; libgomp came in with libdnnl. */
static void dn_threads(int t)
{
	void (*set)(int);
	*(void **)&set = dlsym(RTLD_DEFAULT, "omp_set_num_threads");
	if (set)
		set(t);
}
#endif

/* ---- The products ------------------------------------------------------ */

/* A contender: what runs (mmcalc's f32, bf16 or i8 GEMM on a path, or
 * oneDNN's matmul with or without its reorders from f32). */
enum kind { K_NONE = -1, K_F32, K_BF16, K_I8, K_F64, K_DN_BF16,
            K_DN_CVT_BF16, K_DN_S8, K_DN_CVT_S8, K_DN_F32 };

struct problem {
	int64_t n;
	float *a, *b, *c;
	double *a64, *b64, *c64; /* the same numbers as a, b */
#ifdef HAVE_DNNL
	struct dn dn[DN_TYPES];
#endif
};

static void multiply(struct problem *p, enum kind k)
{
	int64_t n = p->n;
	int rc = 0;
	switch (k) {
	case K_F32:
		rc = mm_sgemm(n, n, n, 1, p->a, n, 1, p->b, n, 1, 0, p->c, n, 1);
		break;
	case K_BF16:
		rc = mm_gemm_bf16(n, n, n, 1, p->a, n, 1, p->b, n, 1, 0, p->c, n, 1);
		break;
	case K_I8:
		rc = mm_gemm_i8(n, n, n, p->a, n, 1, p->b, n, 1, false,
		                (int32_t *)p->c, n, 1);
		break;
	case K_F64:
		rc = mm_dgemm(n, n, n, 1, p->a64, n, 1, p->b64, n, 1, 0, p->c64,
		              n, 1);
		break;
#ifdef HAVE_DNNL
	case K_DN_BF16:
	case K_DN_CVT_BF16:
		dn_run(&p->dn[0], k == K_DN_CVT_BF16);
		break;
	case K_DN_S8:
	case K_DN_CVT_S8:
		dn_run(&p->dn[1], k == K_DN_CVT_S8);
		break;
	case K_DN_F32:
		dn_run(&p->dn[2], false);
		break;
#endif
	default:
		break;
	}
	if (rc) {
		fprintf(stderr, "bench-lowp: product failed (%d)\n", rc);
		exit(1);
	}
}

static double timed(struct problem *p, enum kind k, int reps)
{
	double t0 = clock_now();
	for (int r = 0; r < reps; r++)
		multiply(p, k);
	return (clock_now() - t0) / reps;
}

/* Repetitions so that a sample lasts about 20 ms: short enough that on
 * a shared machine some samples run undisturbed, long enough to hold
 * many products of the small sizes. */
static int reps_for(struct problem *p, enum kind k)
{
	int reps = 1;
	double t = timed(p, k, 1);
	while (t * reps < 0.005 && reps < (1 << 20)) {
		reps *= 4;
		t = timed(p, k, reps);
	}
	return t > 0.02 ? 1 : (int)(0.02 / (t + 1e-9)) + 1;
}

/* Integers in [-8, 7]: exact in bf16 and i8 alike, so every contender
 * multiplies the same numbers. */
static float *filled(int64_t count)
{
	float *x = aligned_alloc(64, (size_t)((count * 4 + 63) / 64 * 64));
	if (!x) {
		fprintf(stderr, "bench-lowp: out of memory\n");
		exit(1);
	}
	uint64_t s = 0x9e3779b97f4a7c15u;
	for (int64_t i = 0; i < count; i++) {
		s = s * 6364136223846793005u + 1442695040888963407u;
		x[i] = (float)((int)(s >> 60) - 8);
	}
	return x;
}

/* x's count elements as doubles. */
static double *widened(const float *x, int64_t count)
{
	double *y = aligned_alloc(64, (size_t)((count * 8 + 63) / 64 * 64));
	if (!y) {
		fprintf(stderr, "bench-lowp: out of memory\n");
		exit(1);
	}
	for (int64_t i = 0; i < count; i++)
		y[i] = x[i];
	return y;
}

struct row {
	const char *type, *path;
	enum kind k, dn, dn_cvt;
	int peak;            /* index in peaks, or -1 */
	double best, dbest, cbest;
};

static void set_threads(int t)
{
	cur_threads = t;
	mm_gemm_set_threads(t);
#ifdef HAVE_DNNL
	dn_threads(t);
#endif
}

/* Times every row's contenders for one size and thread count, rounds
 * times in turn (alternating the order), and prints the best of each. */
static void bench(struct problem *p, struct row *rows, int nrows, int t,
                  int rounds)
{
	set_threads(t);
	enum kind ks[3 * 8];
	const char *paths[3 * 8];
	int slot[3 * 8], nk = 0;
	double best[3 * 8];
	for (int r = 0; r < nrows; r++)
		for (int j = 0; j < 3; j++) {
			enum kind k = j == 0 ? rows[r].k : j == 1 ? rows[r].dn
			                                          : rows[r].dn_cvt;
			if (k == K_NONE)
				continue;
			ks[nk] = k;
			paths[nk] = j == 0 ? rows[r].path : NULL;
			slot[nk] = r * 3 + j;
			best[nk++] = 1e30;
		}
	int reps[3 * 8];
	for (int i = 0; i < nk; i++) {
		if (paths[i] && ks[i] == K_BF16)
			mm_gemm_bf16_set_isa(paths[i]);
		if (paths[i] && ks[i] == K_I8)
			mm_gemm_i8_set_isa(paths[i]);
		reps[i] = reps_for(p, ks[i]);
	}
	for (int r = 0; r < rounds; r++)
		for (int x = 0; x < nk; x++) {
			int i = (r & 1) ? nk - 1 - x : x;
			if (paths[i] && ks[i] == K_BF16)
				mm_gemm_bf16_set_isa(paths[i]);
			if (paths[i] && ks[i] == K_I8)
				mm_gemm_i8_set_isa(paths[i]);
			double s = timed(p, ks[i], reps[i]);
			if (s < best[i])
				best[i] = s;
		}
	double ops = 2.0 * (double)p->n * (double)p->n * (double)p->n * 1e-9;
	for (int r = 0; r < nrows; r++) {
		rows[r].best = rows[r].dbest = rows[r].cbest = 0;
		for (int i = 0; i < nk; i++) {
			double g = ops / best[i];
			if (slot[i] == r * 3)
				rows[r].best = g;
			else if (slot[i] == r * 3 + 1)
				rows[r].dbest = g;
			else if (slot[i] == r * 3 + 2)
				rows[r].cbest = g;
		}
		char d[16] = "-", dr[16] = "-", c[16] = "-", cr[16] = "-",
		     pk[16] = "-";
		if (rows[r].dbest > 0) {
			snprintf(d, sizeof d, "%.1f", rows[r].dbest);
			snprintf(dr, sizeof dr, "%.2f", rows[r].best / rows[r].dbest);
		}
		if (rows[r].cbest > 0) {
			snprintf(c, sizeof c, "%.1f", rows[r].cbest);
			snprintf(cr, sizeof cr, "%.2f", rows[r].best / rows[r].cbest);
		}
		if (rows[r].peak >= 0 && peaks[rows[r].peak].g[t - 1] > 0)
			snprintf(pk, sizeof pk, "%.0f%%", 100 * rows[r].best /
			         peaks[rows[r].peak].g[t - 1]);
		/* rows[0] is mmcalc's f32 GEMM */
		printf("%5lld %3d  %-4s %-11s %9.1f %6.2f %9s %6s %9s %6s %6s %s\n",
		       (long long)p->n, t, rows[r].type, rows[r].path, rows[r].best,
		       rows[r].best / rows[0].best, d, dr, c, cr, pk,
		       rows[r].peak >= 0 ? peaks[rows[r].peak].insn : "");
	}
	fflush(stdout);
}

/* The rows this CPU and build run: f32 and f64 (no oneDNN figure), then
 * bf16 and i8 on their default path and on the AVX-512 one when that is
 * not the default. */
static int make_rows(struct row *rows, bool have_dn)
{
	int n = 0;
	bool avx512 = strcmp(mm_gemm_isa(), "avx512") == 0;
	rows[n++] = (struct row){"f32", mm_gemm_isa(), K_F32,
	                         have_dn ? K_DN_F32 : K_NONE, K_NONE,
	                         avx512 ? P_FMA : -1, 0, 0, 0};
	rows[n++] = (struct row){"f64", mm_gemm_isa(), K_F64, K_NONE, K_NONE,
	                         avx512 ? P_FMA64 : -1, 0, 0, 0};
	static const struct {
		const char *type;
		bool i8;
		const char *avx512;
		int pk_avx512, pk_amx;
	} types[] = {{"bf16", false, "avx512bf16", P_DPBF16, P_TDPBF16},
	             {"i8", true, "avx512vnni", P_DPBUSD, P_TDPBSSD}};
	for (int t = 0; t < 2; t++) {
		bool i8 = types[t].i8;
		const char *best = i8 ? mm_gemm_i8_isa() : mm_gemm_bf16_isa();
		enum kind k = i8 ? K_I8 : K_BF16;
		enum kind dn = have_dn ? (i8 ? K_DN_S8 : K_DN_BF16) : K_NONE;
		enum kind dc = have_dn ? (i8 ? K_DN_CVT_S8 : K_DN_CVT_BF16) : K_NONE;
		int pk = strcmp(best, "amx") == 0 ? types[t].pk_amx
		         : strcmp(best, types[t].avx512) == 0 ? types[t].pk_avx512
		         : strcmp(best, "avx512fma") == 0 ? P_FMA
		                                          : -1;
		rows[n++] = (struct row){types[t].type, best, k, dn, dc, pk, 0, 0, 0};
		int ok = i8 ? mm_gemm_i8_set_isa(types[t].avx512)
		            : mm_gemm_bf16_set_isa(types[t].avx512);
		if (ok == 0 && strcmp(best, types[t].avx512) != 0)
			rows[n++] = (struct row){types[t].type, types[t].avx512, k, dn,
			                         dc, types[t].pk_avx512, 0, 0, 0};
		if (i8)
			mm_gemm_i8_set_isa(NULL);
		else
			mm_gemm_bf16_set_isa(NULL);
	}
	return n;
}

int main(int argc, char **argv)
{
	bool quick = false;
	int rounds = 9, only_threads = 0;
	int64_t sizes[16];
	int nsizes = 0;
	const char *dn_isa = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			only_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc && nsizes < 16)
			sizes[nsizes++] = atoll(argv[++i]);
		else if (strcmp(argv[i], "--dnnl-max-isa") == 0 && i + 1 < argc)
			dn_isa = argv[++i];
		else if (strcmp(argv[i], "--cpu") == 0)
			use_cpu_time = true;
		else {
			fprintf(stderr, "usage: %s [--quick] [--rounds N] [--threads N] "
			        "[--size N]... [--dnnl-max-isa NAME] [--cpu]\n", argv[0]);
			return 2;
		}
	}
	if (!nsizes) {
		static const int64_t full[] = {256, 512, 1024, 2048, 4096};
		nsizes = quick ? 1 : 5;
		memcpy(sizes, full, sizeof full);
	}
	if (rounds < 1)
		rounds = 1;
	if (quick && rounds > 2)
		rounds = 2;
	int maxt = mm_gemm_threads() > 1 ? 2 : 1;

	bool have_dn = false;
#ifdef HAVE_DNNL
	if (dn_isa) {
		static const struct {
			const char *name;
			dnnl_cpu_isa_t isa;
		} isas[] = {{"avx512_core", dnnl_cpu_isa_avx512_core},
		            {"avx512_core_vnni", dnnl_cpu_isa_avx512_core_vnni},
		            {"avx512_core_bf16", dnnl_cpu_isa_avx512_core_bf16},
		            {"avx512_core_amx", dnnl_cpu_isa_avx512_core_amx},
		            {"all", dnnl_cpu_isa_all}};
		for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++)
			if (strcmp(dn_isa, isas[i].name) == 0)
				dnnl_set_max_cpu_isa(isas[i].isa);
	}
	have_dn = dnnl_engine_create(&dn_engine, dnnl_cpu, 0) == dnnl_success &&
	          dnnl_stream_create(&dn_stream, dn_engine,
	                             dnnl_stream_default_flags) == dnnl_success;
	const dnnl_version_t *v = dnnl_version();
	printf("# oneDNN %d.%d.%d%s%s\n", v->major, v->minor, v->patch,
	       dn_isa ? ", max ISA " : "", dn_isa ? dn_isa : "");
#else
	(void)dn_isa;
	printf("# oneDNN not built in (libdnnl-dev 2.x): mmcalc and peaks only\n");
#endif
	measure_peaks(quick, maxt);
	struct row rows[8];
	int nrows = make_rows(rows, have_dn);
	printf("# best of %d alternating samples by %s; G/s = 2n^3 / time (FLOP "
	       "for f32, f64 and bf16, integer ops for i8)\n# ratio: mmcalc / oneDNN; "
	       "+cvt: oneDNN with its reorders of A and B from f32 timed too\n",
	       rounds, use_cpu_time ? "CPU time per thread" : "the wall clock");
	printf("%5s %3s  %-4s %-11s %9s %6s %9s %6s %9s %6s %6s %s\n", "n",
	       "thr", "type", "path", "mmcalc", "x f32", "oneDNN", "ratio", "+cvt",
	       "ratio", "peak", "of");
	for (int s = 0; s < nsizes; s++) {
		struct problem p = {.n = sizes[s]};
		p.a = filled(p.n * p.n);
		p.b = filled(p.n * p.n);
		p.c = filled(p.n * p.n);
		p.a64 = widened(p.a, p.n * p.n);
		p.b64 = widened(p.b, p.n * p.n);
		p.c64 = widened(p.c, p.n * p.n);
		for (int t = 1; t <= maxt; t++) {
			if (only_threads && t != only_threads)
				continue;
			/* oneDNN's primitives take the thread count they are
			 * made with: made again for each. */
			set_threads(t);
#ifdef HAVE_DNNL
			for (int i = 0; have_dn && i < DN_TYPES; i++)
				if (!dn_make(&p.dn[i], p.n, i, p.a, p.b)) {
					fprintf(stderr, "bench-lowp: no oneDNN matmul\n");
					return 1;
				}
#endif
			bench(&p, rows, nrows, t, rounds);
#ifdef HAVE_DNNL
			for (int i = 0; have_dn && i < DN_TYPES; i++)
				dn_free(&p.dn[i]);
#endif
		}
		free(p.a);
		free(p.b);
		free(p.c);
		free(p.a64);
		free(p.b64);
		free(p.c64);
	}
	mm_gemm_lowp_shutdown();
	mm_gemm_shutdown();
	return 0;
}
