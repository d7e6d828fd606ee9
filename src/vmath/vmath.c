/* vmath.c — vmath's ISA dispatch, its scalar functions and the
 * elementwise array functions, cut into 64 KiB chunks spread over the
 * threads. Compiled with plain flags: MM_VMATH_HAVE_AVX2/AVX512 say which
 * kernel libraries were built, __builtin_cpu_supports which may run. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "mmcalc/diag.h"
#include "mmcalc/parallel.h"
#include "vmath_fn.h"
#include "vmath_internal.h"

/* Bytes of output per piece of work: a polling point, and the least a
 * thread takes. */
#define CHUNK_BYTES 65536

static const struct mm_vmath_kernels *const all_isas[] = {
#if MM_VMATH_HAVE_AVX512
	&mm_vmath_kernels_avx512,
#endif
#if MM_VMATH_HAVE_AVX2
	&mm_vmath_kernels_avx2,
#endif
	&mm_vmath_kernels_generic,
};

static bool cpu_can(const char *isa)
{
	if (strcmp(isa, "generic") == 0)
		return true;
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	bool fma = __builtin_cpu_supports("fma");
	if (strcmp(isa, "avx2") == 0)
		return fma && __builtin_cpu_supports("avx2");
	if (strcmp(isa, "avx512") == 0)
		return fma && __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl") &&
		       __builtin_cpu_supports("avx512dq");
#endif
	return false;
}

/* want NULL: the best this CPU runs; else that path, or NULL. */
static const struct mm_vmath_kernels *select_isa(const char *want)
{
	for (size_t i = 0; i < sizeof all_isas / sizeof all_isas[0]; i++) {
		if (want && strcmp(want, all_isas[i]->name) != 0)
			continue;
		if (cpu_can(all_isas[i]->name))
			return all_isas[i];
	}
	return NULL;
}

static const struct mm_vmath_kernels *_Atomic cur_isa;
static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

static void isa_init(void)
{
	const struct mm_vmath_kernels *none = NULL;
	atomic_compare_exchange_strong(&cur_isa, &none, select_isa(NULL));
}

const struct mm_vmath_kernels *mm_vmath_current(void)
{
	pthread_once(&isa_once, isa_init);
	return atomic_load(&cur_isa);
}

const char *mm_vmath_isa(void)
{
	return mm_vmath_current()->name;
}

int mm_vmath_set_isa(const char *name)
{
	const struct mm_vmath_kernels *k = select_isa(name);
	if (!k)
		return -1;
	pthread_once(&isa_once, isa_init);
	atomic_store(&cur_isa, k);
	return 0;
}

/* --- scalar functions ------------------------------------------------------ */

double mm_vmath_exp(double x) { return vm_exp_d(x); }
double mm_vmath_log(double x) { return vm_log_d(x); }
double mm_vmath_tanh(double x) { return vm_tanh_d(x); }
double mm_vmath_erf(double x) { return vm_erf_d(x); }
double mm_vmath_sigmoid(double x) { return vm_sigmoid_d(x); }
double mm_vmath_gelu(double x) { return vm_gelu_d(x); }
double mm_vmath_gelu_tanh(double x) { return vm_gelu_tanh_d(x); }
double mm_vmath_silu(double x) { return vm_silu_d(x); }
float mm_vmath_expf(float x) { return vm_exp_f(x); }
float mm_vmath_logf(float x) { return vm_log_f(x); }
float mm_vmath_tanhf(float x) { return vm_tanh_f(x); }
float mm_vmath_erff(float x) { return vm_erf_f(x); }
float mm_vmath_sigmoidf(float x) { return vm_sigmoid_f(x); }
float mm_vmath_geluf(float x) { return vm_gelu_f(x); }
float mm_vmath_gelu_tanhf(float x) { return vm_gelu_tanh_f(x); }
float mm_vmath_siluf(float x) { return vm_silu_f(x); }

static const struct {
	const char *name;
	double (*f64)(double);
	float (*f32)(float);
} fns[MM_VMATH_FN_COUNT] = {
	[MM_VMATH_EXP] = {"exp", mm_vmath_exp, mm_vmath_expf},
	[MM_VMATH_LOG] = {"log", mm_vmath_log, mm_vmath_logf},
	[MM_VMATH_TANH] = {"tanh", mm_vmath_tanh, mm_vmath_tanhf},
	[MM_VMATH_ERF] = {"erf", mm_vmath_erf, mm_vmath_erff},
	[MM_VMATH_SIGMOID] = {"sigmoid", mm_vmath_sigmoid, mm_vmath_sigmoidf},
	[MM_VMATH_GELU] = {"gelu", mm_vmath_gelu, mm_vmath_geluf},
	[MM_VMATH_GELU_TANH] = {"gelu_tanh", mm_vmath_gelu_tanh,
	                        mm_vmath_gelu_tanhf},
	[MM_VMATH_SILU] = {"silu", mm_vmath_silu, mm_vmath_siluf},
};

double mm_vmath_scalar_f64(mm_vmath_fn fn, double x)
{
	return (unsigned)fn < MM_VMATH_FN_COUNT ? fns[fn].f64(x) : NAN;
}

float mm_vmath_scalar_f32(mm_vmath_fn fn, float x)
{
	return (unsigned)fn < MM_VMATH_FN_COUNT ? fns[fn].f32(x) : NAN;
}

const char *mm_vmath_fn_name(mm_vmath_fn fn)
{
	return (unsigned)fn < MM_VMATH_FN_COUNT ? fns[fn].name : "?";
}

/* --- elementwise arrays ------------------------------------------------------ */

struct map_job {
	void (*f32)(int64_t n, const float *x, float *y);
	void (*f64)(int64_t n, const double *x, double *y);
	const void *x;
	void *y;
};

static void map_piece(void *arg, int64_t b, int64_t e)
{
	const struct map_job *j = arg;
	if (j->f32)
		j->f32(e - b, (const float *)j->x + b, (float *)j->y + b);
	else
		j->f64(e - b, (const double *)j->x + b, (double *)j->y + b);
}

int mm_vmath_map_f32(mm_vmath_fn fn, int64_t n, const float *x, float *y)
{
	if ((unsigned)fn >= MM_VMATH_FN_COUNT || n < 0)
		return MM_ERR_ARG;
	struct map_job j = {.f32 = mm_vmath_current()->f32.map[fn],
	                    .x = x, .y = y};
	return mm_parallel_for(n, CHUNK_BYTES / sizeof *x, map_piece, &j);
}

int mm_vmath_map_f64(mm_vmath_fn fn, int64_t n, const double *x, double *y)
{
	if ((unsigned)fn >= MM_VMATH_FN_COUNT || n < 0)
		return MM_ERR_ARG;
	struct map_job j = {.f64 = mm_vmath_current()->f64.map[fn],
	                    .x = x, .y = y};
	return mm_parallel_for(n, CHUNK_BYTES / sizeof *x, map_piece, &j);
}

struct bin_job {
	void (*f32)(int64_t n, const float *a, int64_t sa, const float *b,
	            int64_t sb, float *y);
	void (*f64)(int64_t n, const double *a, int64_t sa, const double *b,
	            int64_t sb, double *y);
	const void *a, *b;
	int64_t sa, sb;
	void *y;
};

static void bin_piece(void *arg, int64_t b, int64_t e)
{
	const struct bin_job *j = arg;
	if (j->f32)
		j->f32(e - b, (const float *)j->a + b * j->sa, j->sa,
		       (const float *)j->b + b * j->sb, j->sb, (float *)j->y + b);
	else
		j->f64(e - b, (const double *)j->a + b * j->sa, j->sa,
		       (const double *)j->b + b * j->sb, j->sb,
		       (double *)j->y + b);
}

static bool bin_ok(mm_vmath_binop op, int64_t n, int64_t sa, int64_t sb)
{
	return (unsigned)op < MM_VMATH_BINOP_COUNT && n >= 0 &&
	       (sa == 0 || sa == 1) && (sb == 0 || sb == 1);
}

int mm_vmath_binary_f32(mm_vmath_binop op, int64_t n, const float *a,
                        int64_t sa, const float *b, int64_t sb, float *y)
{
	if (!bin_ok(op, n, sa, sb))
		return MM_ERR_ARG;
	struct bin_job j = {.f32 = mm_vmath_current()->f32.binary[op],
	                    .a = a, .b = b, .sa = sa, .sb = sb, .y = y};
	return mm_parallel_for(n, CHUNK_BYTES / sizeof *y, bin_piece, &j);
}

int mm_vmath_binary_f64(mm_vmath_binop op, int64_t n, const double *a,
                        int64_t sa, const double *b, int64_t sb, double *y)
{
	if (!bin_ok(op, n, sa, sb))
		return MM_ERR_ARG;
	struct bin_job j = {.f64 = mm_vmath_current()->f64.binary[op],
	                    .a = a, .b = b, .sa = sa, .sb = sb, .y = y};
	return mm_parallel_for(n, CHUNK_BYTES / sizeof *y, bin_piece, &j);
}
