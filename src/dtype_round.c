/* dtype_round.c — rounding and wrapping f32 values to what a narrow dtype
 * holds (f16, bf16, f8e4m3, f8e5m2, i8, i4), element by element and over
 * arrays: branch-free bit arithmetic that the compiler vectorises. */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "mmcalc/dtype_round.h"
#include "mmcalc/parallel.h"

static const mm_span nospan = {0, 0};

/* A narrow float format as f32 bits: mantissa bits kept, the bits of its
 * smallest normal (below it the quantum is fixed), of its largest finite
 * value, and what overflow gives. */
typedef struct ffmt {
	int shift;        /* 23 - mantissa bits: low bits rounded off */
	uint32_t min_normal;
	float sub_up, sub_down; /* 2^(mbits - emin) and its inverse */
	uint32_t max;     /* largest finite magnitude */
	uint32_t over;    /* magnitude beyond max: inf, or NaN (e4m3) */
} ffmt;

#define INF_BITS 0x7f800000u
#define QNAN_BITS 0x7fc00000u

static const ffmt f16_fmt = {13, 0x38800000u /* 2^-14 */, 0x1p24f, 0x1p-24f,
                             0x477fe000u /* 65504 */, INF_BITS};
static const ffmt e4m3_fmt = {20, 0x3c800000u /* 2^-6 */, 0x1p9f, 0x1p-9f,
                              0x43e00000u /* 448 */, QNAN_BITS};
static const ffmt e5m2_fmt = {21, 0x38800000u /* 2^-14 */, 0x1p16f, 0x1p-16f,
                              0x47600000u /* 57344 */, INF_BITS};

static inline uint32_t bits_of(float x)
{
	uint32_t u;
	memcpy(&u, &x, sizeof u);
	return u;
}

static inline float float_of(uint32_t u)
{
	float x;
	memcpy(&x, &u, sizeof x);
	return x;
}

/* c ? x : y with masks, not branches: the loops stay straight-line code
 * that the compiler vectorises (it will not if-convert float work). */
static inline uint32_t pick(bool c, uint32_t x, uint32_t y)
{
	uint32_t m = 0u - (uint32_t)c;
	return (x & m) | (y & ~m);
}

/* Round to nearest even at bit `shift` of a magnitude's bits: a carry out
 * of the mantissa moves to the next binade (and from the largest one to
 * the infinity pattern), as it should. */
static inline uint32_t rne_bits(uint32_t a, int shift)
{
	uint32_t bias = ((a >> shift) & 1u) + (1u << (shift - 1)) - 1u;
	return (a + bias) & ~((1u << shift) - 1u);
}

/* bf16 shares f32's exponent range: rounding off 16 bits is all, for
 * subnormals too. */
static inline float round_bf16(float x)
{
	uint32_t u = bits_of(x), a = u & 0x7fffffffu;
	uint32_t r = pick(a > INF_BITS, QNAN_BITS, rne_bits(a, 16));
	return float_of(r | (u & 0x80000000u));
}

/* A format with a narrower exponent range: below its smallest normal the
 * value is rounded to a multiple of the fixed quantum 2^(emin - mbits)
 * by scaling to an integer and adding and taking away 2^23 (exact f32
 * operations under round-to-nearest-even, on normal numbers only, so
 * flush-to-zero modes change nothing that matters: an f32 subnormal
 * rounds to zero in all these formats). */
static inline float round_fmt(const ffmt *f, float x)
{
	uint32_t u = bits_of(x), a = u & 0x7fffffffu;
	float ax = float_of(a);
	float sub = ((ax * f->sub_up + 0x1p23f) - 0x1p23f) * f->sub_down;
	uint32_t r = pick(a < f->min_normal, bits_of(sub), rne_bits(a, f->shift));
	r = pick(r > f->max, f->over, r);
	r = pick(a > INF_BITS, QNAN_BITS, r);
	return float_of(r | (u & 0x80000000u));
}

/* v's low `bits` bits as a signed integer. */
static inline float wrap_i32(int32_t v, int bits)
{
	uint32_t m = (1u << bits) - 1u, s = 1u << (bits - 1);
	uint32_t w = ((uint32_t)v & m) ^ s;
	return (float)((int32_t)w - (int32_t)s);
}

/* NumPy's float to int8 cast as x86-64 does it (truncation to int32, the
 * low bits kept), wrapped to `bits` bits: anything of magnitude 2^31 or
 * more, NaN and ±inf give the int32 "indefinite" value, whose low bits
 * are 0. */
static inline float wrap_int(float x, int bits)
{
	uint32_t u = bits_of(x);
	float c = float_of(pick((u & 0x7fffffffu) < 0x4f000000u /* 2^31 */, u, 0));
	return wrap_i32((int32_t)c, bits);
}

float mm_dtype_round(mm_dtype t, float x)
{
	switch (t) {
	case MM_F16: return round_fmt(&f16_fmt, x);
	case MM_BF16: return round_bf16(x);
	case MM_F8E4M3: return round_fmt(&e4m3_fmt, x);
	case MM_F8E5M2: return round_fmt(&e5m2_fmt, x);
	case MM_I8: return wrap_int(x, 8);
	case MM_I4: return wrap_int(x, 4);
	default: return x;
	}
}

double mm_dtype_round_double(mm_dtype t, double x)
{
	if (t == MM_F64)
		return x;
	return (double)mm_dtype_round(t, (float)x);
}

/* One loop per type and ISA, each with its format as constants, so that
 * the compiler sees a straight-line body to vectorise: for AVX-512, AVX2
 * and baseline x86-64 (integer and exact float operations only, so every
 * path gives the same bits), the best this CPU runs chosen once. */
typedef void loop_fn(int64_t n, const float *x, float *y);

#define ROUND_LOOP(NAME, ATTR, EXPR)                                         \
	ATTR static void NAME(int64_t n, const float *x, float *y)           \
	{                                                                    \
		for (int64_t i = 0; i < n; i++) {                            \
			float v = x[i];                                      \
			y[i] = EXPR;                                         \
		}                                                            \
	}
/* The six loops of one ISA and their table, in mm_dtype order of the
 * narrow types. */
#define ISA_LOOPS(SFX, ATTR)                                                 \
	ROUND_LOOP(f16_##SFX, ATTR, round_fmt(&f16_fmt, v))                  \
	ROUND_LOOP(bf16_##SFX, ATTR, round_bf16(v))                          \
	ROUND_LOOP(e4m3_##SFX, ATTR, round_fmt(&e4m3_fmt, v))                \
	ROUND_LOOP(e5m2_##SFX, ATTR, round_fmt(&e5m2_fmt, v))                \
	ROUND_LOOP(i8_##SFX, ATTR, wrap_int(v, 8))                           \
	ROUND_LOOP(i4_##SFX, ATTR, wrap_int(v, 4))                           \
	static loop_fn *const loops_##SFX[MM_DTYPE_COUNT] = {                \
		[MM_F16] = f16_##SFX, [MM_BF16] = bf16_##SFX,                \
		[MM_F8E4M3] = e4m3_##SFX, [MM_F8E5M2] = e5m2_##SFX,          \
		[MM_I8] = i8_##SFX, [MM_I4] = i4_##SFX};

ISA_LOOPS(generic, )
#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_X86_LOOPS 1
ISA_LOOPS(avx2, __attribute__((target("avx2"))))
ISA_LOOPS(avx512, __attribute__((target("avx512f"))))
#endif

static const struct isa {
	const char *name;
	loop_fn *const *loops;
	bool (*runs)(void);
} *isa_now;

static bool always(void) { return true; }
#ifdef HAVE_X86_LOOPS
static bool has_avx2(void) { return __builtin_cpu_supports("avx2"); }
static bool has_avx512(void) { return __builtin_cpu_supports("avx512f"); }
#endif

/* Best first. */
static const struct isa isas[] = {
#ifdef HAVE_X86_LOOPS
	{"avx512", loops_avx512, has_avx512},
	{"avx2", loops_avx2, has_avx2},
#endif
	{"generic", loops_generic, always},
};
#define NISAS (sizeof isas / sizeof isas[0])

static pthread_once_t isa_once = PTHREAD_ONCE_INIT;

static void pick_best(void)
{
	for (size_t i = 0; i < NISAS; i++)
		if (isas[i].runs()) {
			isa_now = &isas[i];
			return;
		}
}

static const struct isa *isa_in_use(void)
{
	pthread_once(&isa_once, pick_best);
	return isa_now;
}

const char *mm_dtype_round_isa(void) { return isa_in_use()->name; }

int mm_dtype_round_set_isa(const char *name)
{
	isa_in_use();
	if (!name) {
		pick_best();
		return 0;
	}
	for (size_t i = 0; i < NISAS; i++)
		if (strcmp(isas[i].name, name) == 0 && isas[i].runs()) {
			isa_now = &isas[i];
			return 0;
		}
	return -1;
}

void mm_dtype_round_array(mm_dtype t, int64_t n, const float *x, float *y)
{
	loop_fn *f = (unsigned)t < MM_DTYPE_COUNT ? isa_in_use()->loops[t] : NULL;
	if (f)
		f(n, x, y);
	else if (y != x && n > 0)
		memmove(y, x, (size_t)n * sizeof *y);
}

/* Pieces of 64 Ki elements (256 KiB, in L2 while it is worked on). */
enum { GRAIN = 1 << 16 };

struct job {
	mm_dtype t;
	float *p;
};

static void round_piece(void *arg, int64_t b, int64_t e)
{
	const struct job *j = arg;
	mm_dtype_round_array(j->t, e - b, j->p + b, j->p + b);
}

/* Strided tensors (rare: results are new contiguous tensors) element by
 * element in C order. */
static void round_strided(mm_tensor *x, mm_dtype t)
{
	int64_t n = mm_tensor_numel(x), idx[MM_MAX_NDIM] = {0};
	for (int64_t k = 0; k < n; k++) {
		float *p = (float *)x->data;
		for (int i = 0; i < x->ndim; i++)
			p += idx[i] * x->strides[i];
		*p = mm_dtype_round(t, *p);
		for (int i = x->ndim - 1; i >= 0; i--) {
			if (++idx[i] < x->shape[i])
				break;
			idx[i] = 0;
		}
	}
}

mm_code mm_dtype_round_tensor(mm_tensor *x, mm_dtype t, mm_diag *d)
{
	if (!mm_dtype_narrow(t) || x->dtype != MM_F32)
		return MM_OK;
	int64_t n = mm_tensor_numel(x);
	if (!mm_tensor_is_contiguous(x)) {
		round_strided(x, t);
		return MM_OK;
	}
	struct job j = {t, x->data};
	if (n <= GRAIN) {
		round_piece(&j, 0, n);
		return MM_OK;
	}
	if (mm_parallel_for(n, GRAIN, round_piece, &j) != 0)
		return mm_diag_set(d, MM_ERR_INTERRUPTED, nospan,
		                   "interrupted while rounding to %s",
		                   mm_dtype_name(t));
	return MM_OK;
}

void mm_dtype_from_int32(mm_dtype t, int64_t n, const int32_t *in,
                         float *out)
{
	/* memcpy per element: in and out may be one buffer, seen as int32
	 * then float, which plain pointers of both types must not do */
	for (int64_t i = 0; i < n; i++) {
		int32_t v;
		memcpy(&v, (const char *)in + 4 * i, 4);
		float f = t == MM_I8 ? wrap_i32(v, 8)
		          : t == MM_I4 ? wrap_i32(v, 4) : (float)v;
		memcpy((char *)out + 4 * i, &f, 4);
	}
}

/* f16 bits of an f16-representable float: its exponent re-biased (or a
 * subnormal's multiple of 2^-24), the top 10 mantissa bits. */
static inline uint16_t f16_bits(float x)
{
	uint32_t u = bits_of(x), a = u & 0x7fffffffu;
	uint16_t s = (uint16_t)((u >> 16) & 0x8000u);
	uint32_t h;
	if (a > INF_BITS)
		h = 0x7e00u;
	else if (a >= 0x47800000u) /* 65536 and up: inf */
		h = 0x7c00u;
	else if (a >= 0x38800000u) /* normal */
		h = ((a - 0x38000000u) >> 13) & 0x7fffu;
	else
		h = (uint32_t)(float_of(a) * 0x1p24f);
	return (uint16_t)(s | h);
}

void mm_dtype_to_f16_bits(int64_t n, const float *x, uint16_t *out)
{
	for (int64_t i = 0; i < n; i++)
		out[i] = f16_bits(round_fmt(&f16_fmt, x[i]));
}

float mm_dtype_from_f16_bits(uint16_t h)
{
	uint32_t s = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu,
	         m = h & 0x3ffu;
	float v;
	if (e == 0x1f)
		return float_of(s | (m ? QNAN_BITS | (m << 13) : INF_BITS));
	if (e == 0)
		v = (float)m * 0x1p-24f;
	else
		v = float_of((e + 112u) << 23 | m << 13);
	return float_of(bits_of(v) | s);
}
