/* ops.c — elementwise arithmetic and math with broadcasting, reductions,
 * softmax, layernorm, reshape, concat and matmul on concrete tensors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/ops.h"
#include "mmcalc/shape.h"

#define NOSPAN ((mm_span){0, 0})
#define CHUNK_BYTES 65536 /* poll the interrupt flag this often */
#define PI 3.14159265358979323846

static const char *binop_names[MM_BINOP_COUNT] = {"+", "-", "*", "/", "%",
                                                  "**"};
static const char *unop_names[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = "neg",
#define UNARY(ID, NAME, FLOPS, F64, F32, SUMMARY) [MM_OP_##ID] = #NAME,
#include "mmcalc/unary.def"
};
static const char *reduce_names[MM_REDUCE_COUNT] = {"sum", "mean", "max",
                                                    "min", "norm"};

const char *mm_op_binop_name(mm_binop op)
{
	return (unsigned)op < MM_BINOP_COUNT ? binop_names[op] : "?";
}

const char *mm_op_unop_name(mm_unop op)
{
	return (unsigned)op < MM_UNOP_COUNT ? unop_names[op] : "?";
}

const char *mm_op_reduce_name(mm_reduce op)
{
	return (unsigned)op < MM_REDUCE_COUNT ? reduce_names[op] : "?";
}

bool mm_op_unop_parse(const char *name, mm_unop *out)
{
	for (int i = 0; i < MM_UNOP_COUNT; i++)
		if (strcmp(name, unop_names[i]) == 0) {
			*out = (mm_unop)i;
			return true;
		}
	return false;
}

bool mm_op_reduce_parse(const char *name, mm_reduce *out)
{
	for (int i = 0; i < MM_REDUCE_COUNT; i++)
		if (strcmp(name, reduce_names[i]) == 0) {
			*out = (mm_reduce)i;
			return true;
		}
	return false;
}

/* "(2, 3)" into buf, NumPy's spelling of a shape. */
static const char *shape_str(int nd, const int64_t *s, char *buf, size_t cap)
{
	size_t n = 0;
	n += (size_t)snprintf(buf + n, cap - n, "(");
	for (int i = 0; i < nd && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "",
		                      (long long)s[i]);
	if (n < cap)
		snprintf(buf + n, cap - n, nd == 1 ? ",)" : ")");
	return buf;
}

/* The broadcast shape of two tensors for operator op, by shape.c's rule
 * (the checker's), into nd and out (MM_MAX_NDIM entries). */
static mm_code broadcast(const mm_tensor *a, const mm_tensor *b,
                         const char *op, int *nd, int64_t *out, mm_diag *d)
{
	mm_shape sa = mm_shape_make(a->ndim, a->shape);
	mm_shape sb = mm_shape_make(b->ndim, b->shape), r;
	mm_code c = mm_shape_broadcast(&sa, &sb, op, &r, d);
	if (c != MM_OK)
		return c;
	if (r.ndim > MM_MAX_NDIM)
		return mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		                   "%s: the result would have %d axes (at most %d)",
		                   op, r.ndim, MM_MAX_NDIM);
	*nd = r.ndim;
	memcpy(out, r.dim, sizeof *out * (size_t)r.ndim);
	return MM_OK;
}

/* --- the elementwise loop engine ---------------------------------------
 * Operand 0 is the output, 1 and 2 inputs. Inputs are right-aligned to the
 * output shape with stride 0 on broadcast axes; axes of length 1 are
 * dropped and adjacent axes merged when every operand allows it, so a
 * contiguous same-shape operation becomes a single flat loop. */
typedef struct loop {
	int nd, nop;
	int64_t shape[MM_MAX_NDIM];
	int64_t st[3][MM_MAX_NDIM];
	char *ptr[3];
	size_t es; /* element size of the output */
} loop;

static void loop_init(loop *L, const mm_tensor *out, int nin,
                      const mm_tensor *const *in)
{
	const mm_tensor *ops[3] = {out, nin > 0 ? in[0] : NULL,
	                           nin > 1 ? in[1] : NULL};
	L->nop = 1 + nin;
	L->es = mm_tensor_elsize(out);
	for (int k = 0; k < L->nop; k++)
		L->ptr[k] = ops[k]->data;
	if (mm_tensor_numel(out) == 0) {
		/* nothing to do, in O(1): one empty axis */
		L->nd = 1;
		L->shape[0] = 0;
		for (int k = 0; k < L->nop; k++)
			L->st[k][0] = 0;
		return;
	}
	int nd = 0;
	for (int i = 0; i < out->ndim; i++) {
		if (out->shape[i] == 1)
			continue;
		L->shape[nd] = out->shape[i];
		for (int k = 0; k < L->nop; k++) {
			const mm_tensor *t = ops[k];
			int j = t->ndim - out->ndim + i;
			L->st[k][nd] = j >= 0 && t->shape[j] != 1 ? t->strides[j]
			                                          : 0;
		}
		nd++;
	}
	/* merge axis i into i+1 when contiguous for every operand */
	int m = 0;
	for (int i = 0; i < nd; i++) {
		if (m > 0) {
			bool ok = true;
			for (int k = 0; k < L->nop; k++)
				if (L->st[k][m - 1] !=
				    L->st[k][i] * L->shape[i])
					ok = false;
			if (ok) {
				L->shape[m - 1] *= L->shape[i];
				for (int k = 0; k < L->nop; k++)
					L->st[k][m - 1] = L->st[k][i];
				continue;
			}
		}
		L->shape[m] = L->shape[i];
		for (int k = 0; k < L->nop; k++)
			L->st[k][m] = L->st[k][i];
		m++;
	}
	L->nd = m;
	for (int k = 0; k < L->nop; k++)
		L->ptr[k] = ops[k]->data;
}

typedef void (*kern_fn)(int64_t n, void *o, int64_t so, const void *a,
                        int64_t sa, const void *b, int64_t sb);

/* Runs f over the loop in rows of the innermost axis, split into chunks
 * of CHUNK_BYTES of output, polling the interrupt flag between chunks. */
static mm_code loop_run(const loop *L, kern_fn f, size_t in_es, mm_diag *d)
{
	int nd = L->nd;
	int64_t inner = nd ? L->shape[nd - 1] : 1;
	int64_t s0 = nd ? L->st[0][nd - 1] : 0, s1 = nd ? L->st[1][nd - 1] : 0,
		s2 = L->nop > 2 && nd ? L->st[2][nd - 1] : 0;
	int64_t rows = 1;
	for (int i = 0; i < nd - 1; i++)
		rows *= L->shape[i];
	if (inner == 0 || rows == 0)
		return MM_OK;
	int64_t chunk = (int64_t)(CHUNK_BYTES / L->es);
	int64_t idx[MM_MAX_NDIM] = {0}, done = 0;
	int64_t es0 = (int64_t)L->es, es1 = (int64_t)in_es;
	for (int64_t r = 0; r < rows; r++) {
		int64_t off[3] = {0, 0, 0};
		for (int i = 0; i < nd - 1; i++)
			for (int k = 0; k < L->nop; k++)
				off[k] += idx[i] * L->st[k][i];
		for (int64_t c = 0; c < inner; c += chunk) {
			int64_t n = inner - c < chunk ? inner - c : chunk;
			char *o = L->ptr[0] + (off[0] + c * s0) * es0;
			const char *a = L->ptr[1] + (off[1] + c * s1) * es1;
			const char *b = L->nop > 2
				? L->ptr[2] + (off[2] + c * s2) * es1
				: NULL;
			f(n, o, s0, a, s1, b, s2);
			if ((done += n) >= chunk) {
				done = 0;
				if (mm_interrupted())
					return mm_diag_set(d, MM_ERR_INTERRUPTED,
					                   NOSPAN, "interrupted");
			}
		}
		for (int i = nd - 2; i >= 0; i--) {
			if (++idx[i] < L->shape[i])
				break;
			idx[i] = 0;
		}
	}
	return MM_OK;
}

/* Binary kernels: one function per dtype and operator, each with fast
 * paths the auto-vectoriser handles (all unit strides, one broadcast
 * scalar) and a general strided loop. */
#define BIN_KERNEL(NAME, T, EXPR)                                             \
	static void NAME(int64_t n, void *ov, int64_t so, const void *av,    \
	                 int64_t sa, const void *bv, int64_t sb)             \
	{                                                                    \
		T *restrict o = ov;                                          \
		const T *restrict a = av;                                    \
		const T *restrict b = bv;                                    \
		if (so == 1 && sa == 1 && sb == 1) {                         \
			for (int64_t i = 0; i < n; i++) {                    \
				T x = a[i], y = b[i];                        \
				o[i] = (EXPR);                               \
			}                                                    \
		} else if (so == 1 && sa == 1 && sb == 0) {                  \
			T y = b[0];                                          \
			for (int64_t i = 0; i < n; i++) {                    \
				T x = a[i];                                  \
				o[i] = (EXPR);                               \
			}                                                    \
		} else if (so == 1 && sa == 0 && sb == 1) {                  \
			T x = a[0];                                          \
			for (int64_t i = 0; i < n; i++) {                    \
				T y = b[i];                                  \
				o[i] = (EXPR);                               \
			}                                                    \
		} else {                                                     \
			for (int64_t i = 0; i < n; i++) {                    \
				T x = a[i * sa], y = b[i * sb];              \
				o[i * so] = (EXPR);                          \
			}                                                    \
		}                                                            \
	}

/* NumPy's floor-mod (npy_divmod): fmod, moved to the divisor's sign. */
static inline double fmod_floor(double x, double y)
{
	double m = fmod(x, y);
	if (y == 0)
		return m;
	if (m != 0) {
		if ((y < 0) != (m < 0))
			m += y;
	} else {
		m = copysign(0.0, y);
	}
	return m;
}

static inline float fmod_floorf(float x, float y)
{
	float m = fmodf(x, y);
	if (y == 0)
		return m;
	if (m != 0) {
		if ((y < 0) != (m < 0))
			m += y;
	} else {
		m = copysignf(0.0f, y);
	}
	return m;
}

/* The operators, one line each: ID, f64 and f32 expressions of x and y.
 * The kernels and the constant fold (mm_op_binary_scalar) come from the
 * same expression. */
#define BINARY_OPS(X)                                                         	X(ADD, x + y, x + y)                                                 	X(SUB, x - y, x - y)                                                 	X(MUL, x * y, x * y)                                                 	X(DIV, x / y, x / y)                                                 	X(MOD, fmod_floor(x, y), fmod_floorf(x, y))                          	X(POW, pow(x, y), powf(x, y))

#define BIN_DEFS(ID, F64, F32)                                                	static inline double bin_##ID##_d(double x, double y) { return F64; } 	static inline float bin_##ID##_f(float x, float y) { return F32; }   	BIN_KERNEL(k_##ID##_d, double, bin_##ID##_d(x, y))                   	BIN_KERNEL(k_##ID##_f, float, bin_##ID##_f(x, y))
BINARY_OPS(BIN_DEFS)

#define BIN_ROW_D(ID, F64, F32) [MM_OP_##ID] = k_##ID##_d,
#define BIN_ROW_F(ID, F64, F32) [MM_OP_##ID] = k_##ID##_f,
static const kern_fn bin_d[MM_BINOP_COUNT] = {BINARY_OPS(BIN_ROW_D)};
static const kern_fn bin_f[MM_BINOP_COUNT] = {BINARY_OPS(BIN_ROW_F)};

double mm_op_binary_scalar(mm_binop op, double x, double y)
{
	switch (op) {
#define BIN_CASE(ID, F64, F32) case MM_OP_##ID: return bin_##ID##_d(x, y);
	BINARY_OPS(BIN_CASE)
	default: return NAN;
	}
}

/* Unary kernels, same scheme; the b operand is unused. */
#define UN_KERNEL(NAME, TO, TI, EXPR)                                         \
	static void NAME(int64_t n, void *ov, int64_t so, const void *av,    \
	                 int64_t sa, const void *bv, int64_t sb)             \
	{                                                                    \
		(void)bv;                                                    \
		(void)sb;                                                    \
		TO *restrict o = ov;                                         \
		const TI *restrict a = av;                                   \
		if (so == 1 && sa == 1) {                                    \
			for (int64_t i = 0; i < n; i++) {                    \
				TI x = a[i];                                 \
				o[i] = (TO)(EXPR);                           \
			}                                                    \
		} else {                                                     \
			for (int64_t i = 0; i < n; i++) {                    \
				TI x = a[i * sa];                            \
				o[i * so] = (TO)(EXPR);                      \
			}                                                    \
		}                                                            \
	}

/* Helpers of unary.def's expressions. */
static inline double sigmoid_d(double x)
{
	if (x >= 0)
		return 1.0 / (1.0 + exp(-x));
	double e = exp(x);
	return e / (1.0 + e);
}

static inline float sigmoid_f(float x)
{
	if (x >= 0)
		return 1.0f / (1.0f + expf(-x));
	float e = expf(x);
	return e / (1.0f + e);
}

static inline double relu_d(double x) { return x > 0 || x != x ? x : 0.0; }
static inline float relu_f(float x) { return x > 0 || x != x ? x : 0.0f; }
static inline double gelu_d(double x) { return 0.5 * x * (1.0 + erf(x * M_SQRT1_2)); }
static inline float gelu_f(float x)
{
	return 0.5f * x * (1.0f + erff(x * (float)M_SQRT1_2));
}

UN_KERNEL(neg_d, double, double, -x)
UN_KERNEL(neg_f, float, float, -x)
#define UNARY(ID, NAME, FLOPS, F64, F32, SUMMARY)                              \
	static inline double un_##ID##_d(double x) { return F64; }          \
	static inline float un_##ID##_f(float x) { return F32; }            \
	UN_KERNEL(k_##ID##_d, double, double, un_##ID##_d(x))               \
	UN_KERNEL(k_##ID##_f, float, float, un_##ID##_f(x))
#include "mmcalc/unary.def"
UN_KERNEL(copy_dd, double, double, x)
UN_KERNEL(copy_ff, float, float, x)

static const kern_fn un_d[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = neg_d,
#define UNARY(ID, NAME, FLOPS, F64, F32, SUMMARY) [MM_OP_##ID] = k_##ID##_d,
#include "mmcalc/unary.def"
};
static const kern_fn un_f[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = neg_f,
#define UNARY(ID, NAME, FLOPS, F64, F32, SUMMARY) [MM_OP_##ID] = k_##ID##_f,
#include "mmcalc/unary.def"
};

double mm_op_unary_scalar(mm_unop op, double x)
{
	switch (op) {
	case MM_OP_NEG: return -x;
#define UNARY(ID, NAME, FLOPS, F64, F32, SUMMARY) \
	case MM_OP_##ID: return un_##ID##_d(x);
#include "mmcalc/unary.def"
	default: return NAN;
	}
}

/* Both operands as the promoted dtype (new references). */
static bool promote2(const mm_tensor *a, const mm_tensor *b, mm_tensor **pa,
                     mm_tensor **pb, mm_diag *d)
{
	mm_dtype t = mm_dtype_promote(a->dtype, b->dtype);
	*pa = mm_tensor_cast(a, t, d);
	*pb = *pa ? mm_tensor_cast(b, t, d) : NULL;
	if (!*pb) {
		mm_tensor_unref(*pa);
		*pa = NULL;
		return false;
	}
	return true;
}

/* out = a OP b with a, b already of out's dtype and broadcastable. */
static mm_code binary_run(mm_binop op, const mm_tensor *a, const mm_tensor *b,
                          mm_tensor *out, mm_diag *d)
{
	const mm_tensor *in[2] = {a, b};
	loop L;
	loop_init(&L, out, 2, in);
	kern_fn f = out->dtype == MM_F64 ? bin_d[op] : bin_f[op];
	return loop_run(&L, f, mm_tensor_elsize(out), d);
}

static bool check_binop(mm_binop op, mm_diag *d)
{
	if ((unsigned)op < MM_BINOP_COUNT)
		return true;
	mm_diag_set(d, MM_ERR_ARG, NOSPAN, "unknown binary operator %d",
	            (int)op);
	return false;
}

mm_tensor *mm_op_binary(mm_binop op, const mm_tensor *a, const mm_tensor *b,
                        mm_diag *d)
{
	int nd;
	int64_t shape[MM_MAX_NDIM];
	mm_tensor *pa, *pb, *out = NULL;
	if (!check_binop(op, d) ||
	    broadcast(a, b, binop_names[op], &nd, shape, d) != MM_OK ||
	    !promote2(a, b, &pa, &pb, d))
		return NULL;
	out = mm_tensor_new(pa->dtype, nd, shape, d);
	if (out && binary_run(op, pa, pb, out, d) != MM_OK) {
		mm_tensor_unref(out);
		out = NULL;
	}
	mm_tensor_unref(pa);
	mm_tensor_unref(pb);
	return out;
}

mm_code mm_op_binary_into(mm_binop op, const mm_tensor *a,
                          const mm_tensor *b, mm_tensor *out, mm_diag *d)
{
	int nd;
	int64_t shape[MM_MAX_NDIM];
	mm_tensor *pa, *pb;
	if (!check_binop(op, d))
		return d ? d->code : MM_ERR_ARG;
	mm_code c = broadcast(a, b, binop_names[op], &nd, shape, d);
	if (c != MM_OK)
		return c;
	bool fits = nd == out->ndim;
	for (int i = 0; fits && i < nd; i++)
		fits = shape[i] == out->shape[i];
	if (!fits) {
		char b1[160], b2[160];
		return mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		                   "output shape %s does not match the "
		                   "broadcast shape %s",
		                   shape_str(out->ndim, out->shape, b1,
		                             sizeof b1),
		                   shape_str(nd, shape, b2, sizeof b2));
	}
	if (mm_dtype_promote(a->dtype, b->dtype) != out->dtype)
		return mm_diag_set(d, MM_ERR_TYPE, NOSPAN,
		                   "output dtype %s is not the promoted dtype",
		                   mm_dtype_name(out->dtype));
	if (!promote2(a, b, &pa, &pb, d))
		return d ? d->code : MM_ERR_NOMEM;
	c = binary_run(op, pa, pb, out, d);
	mm_tensor_unref(pa);
	mm_tensor_unref(pb);
	return c;
}

/* dst = src elementwise (same dtype, src broadcastable to dst). */
static mm_code assign(mm_tensor *dst, const mm_tensor *src, mm_diag *d)
{
	loop L;
	loop_init(&L, dst, 1, &src);
	return loop_run(&L, dst->dtype == MM_F64 ? copy_dd : copy_ff,
	                mm_tensor_elsize(dst), d);
}

mm_tensor *mm_op_unary(mm_unop op, const mm_tensor *x, mm_diag *d)
{
	if ((unsigned)op >= MM_UNOP_COUNT) {
		mm_diag_set(d, MM_ERR_ARG, NOSPAN, "unknown function %d",
		            (int)op);
		return NULL;
	}
	mm_tensor *out = mm_tensor_new(x->dtype, x->ndim, x->shape, d);
	if (!out)
		return NULL;
	loop L;
	loop_init(&L, out, 1, &x);
	if (loop_run(&L, x->dtype == MM_F64 ? un_d[op] : un_f[op],
	             mm_tensor_elsize(x), d) != MM_OK) {
		mm_tensor_unref(out);
		return NULL;
	}
	return out;
}

/* --- reductions ---------------------------------------------------------
 * The contiguous input is seen as outer × r × inner with the reduced
 * axis (or all axes, r = numel) in the middle; inner rows are combined
 * into a double accumulator row, which vectorises along inner. */

static bool norm_axis(int axis, int ndim, int *out, mm_diag *d)
{
	if (axis < -ndim || axis >= ndim) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "axis %d is out of bounds for a tensor with %d axes",
		            axis, ndim);
		return false;
	}
	*out = axis < 0 ? axis + ndim : axis;
	return true;
}

static void split3(const mm_tensor *x, int axis, int64_t *outer, int64_t *r,
                   int64_t *inner)
{
	*outer = *inner = 1;
	for (int i = 0; i < axis; i++)
		*outer *= x->shape[i];
	for (int i = axis + 1; i < x->ndim; i++)
		*inner *= x->shape[i];
	*r = x->shape[axis];
}

#define RED_ROW(T)                                                            \
	static void red_row_##T(mm_reduce op, const T *restrict x, int64_t r, \
	                        int64_t inner, double *restrict acc)          \
	{                                                                     \
		for (int64_t i = 0; i < inner; i++)                           \
			acc[i] = op == MM_RED_MAX || op == MM_RED_MIN         \
				? (double)x[i]                                \
				: 0.0;                                        \
		for (int64_t j = 0; j < r; j++) {                             \
			const T *restrict row = x + j * inner;                \
			switch (op) {                                         \
			case MM_RED_SUM:                                      \
			case MM_RED_MEAN:                                     \
				for (int64_t i = 0; i < inner; i++)           \
					acc[i] += row[i];                     \
				break;                                        \
			case MM_RED_NORM:                                     \
				for (int64_t i = 0; i < inner; i++)           \
					acc[i] += (double)row[i] * row[i];    \
				break;                                        \
			case MM_RED_MAX:                                      \
				for (int64_t i = 0; i < inner; i++) {         \
					double v = row[i];                    \
					acc[i] = v > acc[i] || v != v ? v     \
					                              : acc[i];\
				}                                             \
				break;                                        \
			default:                                              \
				for (int64_t i = 0; i < inner; i++) {         \
					double v = row[i];                    \
					acc[i] = v < acc[i] || v != v ? v     \
					                              : acc[i];\
				}                                             \
				break;                                        \
			}                                                     \
		}                                                             \
	}

/* inner == 1: one long row folded into eight independent lanes (which
 * the vectoriser maps to SIMD registers for sums; gcc 12 leaves the
 * NaN-aware max/min scalar), combined at the end. NaN is
 * sticky in max/min: a lane that saw one keeps it. */
#define ADD_STEP(a, v) a += v
#define SQ_STEP(a, v) a += v * v
#define MAX_STEP(a, v) a = v > a || v != v ? v : a
#define MIN_STEP(a, v) a = v < a || v != v ? v : a
#define FLAT(T, NAME, STEP)                                                   \
	static void NAME(const T *restrict x, int64_t r, double *restrict s)  \
	{                                                                     \
		int64_t i = 0;                                                \
		for (; i + 8 <= r; i += 8)                                    \
			for (int k = 0; k < 8; k++) {                         \
				double v = x[i + k];                          \
				STEP(s[k], v);                                \
			}                                                     \
		for (; i < r; i++) {                                          \
			double v = x[i];                                      \
			STEP(s[0], v);                                        \
		}                                                             \
	}
FLAT(float, flat_add_float, ADD_STEP)
FLAT(float, flat_sq_float, SQ_STEP)
FLAT(float, flat_max_float, MAX_STEP)
FLAT(float, flat_min_float, MIN_STEP)
FLAT(double, flat_add_double, ADD_STEP)
FLAT(double, flat_sq_double, SQ_STEP)
FLAT(double, flat_max_double, MAX_STEP)
FLAT(double, flat_min_double, MIN_STEP)

#define RED_FLAT(T)                                                           \
	static double red_flat_##T(mm_reduce op, const T *restrict x,         \
	                           int64_t r)                                 \
	{                                                                     \
		bool ext = op == MM_RED_MAX || op == MM_RED_MIN;              \
		double s[8];                                                  \
		for (int k = 0; k < 8; k++)                                   \
			s[k] = ext ? (double)x[0] : 0.0;                      \
		switch (op) {                                                 \
		case MM_RED_MAX:                                              \
			flat_max_##T(x, r, s);                                \
			break;                                                \
		case MM_RED_MIN:                                              \
			flat_min_##T(x, r, s);                                \
			break;                                                \
		case MM_RED_NORM:                                             \
			flat_sq_##T(x, r, s);                                 \
			break;                                                \
		default:                                                      \
			flat_add_##T(x, r, s);                                \
			break;                                                \
		}                                                             \
		if (!ext)                                                     \
			return ((s[0] + s[1]) + (s[2] + s[3])) +              \
			       ((s[4] + s[5]) + (s[6] + s[7]));               \
		double m = s[0];                                              \
		for (int k = 1; k < 8; k++) {                                 \
			if (op == MM_RED_MAX)                                 \
				MAX_STEP(m, s[k]);                            \
			else                                                  \
				MIN_STEP(m, s[k]);                            \
		}                                                             \
		return m;                                                     \
	}

RED_ROW(float)
RED_ROW(double)
RED_FLAT(float)
RED_FLAT(double)

mm_tensor *mm_op_reduce(mm_reduce op, const mm_tensor *x, int axis,
                        bool keepdims, mm_diag *d)
{
	if ((unsigned)op >= MM_REDUCE_COUNT) {
		mm_diag_set(d, MM_ERR_ARG, NOSPAN, "unknown reduction %d",
		            (int)op);
		return NULL;
	}
	bool all = axis == MM_AXIS_ALL;
	int ax = 0;
	if (!all && !norm_axis(axis, x->ndim, &ax, d))
		return NULL;
	int64_t outer, r, inner;
	if (all) {
		outer = inner = 1;
		r = mm_tensor_numel(x);
	} else {
		split3(x, ax, &outer, &r, &inner);
	}
	if (r == 0 && (op == MM_RED_MAX || op == MM_RED_MIN)) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "zero-size array to reduction operation %s which "
		            "has no identity", op == MM_RED_MAX ? "max" : "min");
		return NULL;
	}
	int nd = 0;
	int64_t shape[MM_MAX_NDIM];
	for (int i = 0; i < x->ndim; i++) {
		bool red = all || i == ax;
		if (!red)
			shape[nd++] = x->shape[i];
		else if (keepdims)
			shape[nd++] = 1;
	}
	mm_tensor *out = mm_tensor_new(x->dtype, nd, shape, d);
	if (!out)
		return NULL;
	mm_tensor *c = mm_tensor_contiguous(x, d);
	double *acc = malloc((size_t)(inner ? inner : 1) * sizeof *acc);
	if (!c || !acc) {
		if (c && !acc)
			mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory");
		free(acc);
		mm_tensor_unref(c);
		mm_tensor_unref(out);
		return NULL;
	}
	bool f64 = x->dtype == MM_F64;
	size_t es = mm_tensor_elsize(x);
	for (int64_t o = 0; o < outer; o++) {
		const char *base = (const char *)c->data +
		                   (size_t)(o * r * inner) * es;
		if (inner == 1)
			acc[0] = r == 0 ? 0.0
			       : f64 ? red_flat_double(op, (const double *)base, r)
			             : red_flat_float(op, (const float *)base, r);
		else if (f64)
			red_row_double(op, (const double *)base, r, inner, acc);
		else
			red_row_float(op, (const float *)base, r, inner, acc);
		for (int64_t i = 0; i < inner; i++) {
			double v = acc[i];
			if (op == MM_RED_MEAN)
				v = r ? v / (double)r : NAN;
			else if (op == MM_RED_NORM)
				v = sqrt(v);
			if (f64)
				((double *)out->data)[o * inner + i] = v;
			else
				((float *)out->data)[o * inner + i] = (float)v;
		}
		if ((o & 63) == 63 && mm_interrupted()) {
			free(acc);
			mm_tensor_unref(c);
			mm_tensor_unref(out);
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			return NULL;
		}
	}
	free(acc);
	mm_tensor_unref(c);
	return out;
}

/* --- softmax ------------------------------------------------------------ */

#define SOFTMAX(T, EXP)                                                       \
	static void softmax_##T(const T *restrict x, T *restrict y, int64_t r, \
	                        int64_t inner, double *restrict mx,           \
	                        double *restrict sum)                         \
	{                                                                     \
		if (inner == 1) { /* the usual case: a contiguous row */      \
			/* A NaN is noted beside the max, not in it, and the \
			 * sum runs in four chains. With `m = x > m || x != x  \
			 * ? x : m` and one running sum, the max took as long  \
			 * as the exps, and attention on 8 heads of 256 tokens \
			 * ran at 31 GFLOP/s; now 50. (Without the NaN flag    \
			 * GCC branches in the max: 45.) */                   \
			T m = -INFINITY;                                      \
			bool nan = false;                                     \
			for (int64_t j = 0; j < r; j++) {                     \
				m = x[j] > m ? x[j] : m;                      \
				nan |= x[j] != x[j];                          \
			}                                                     \
			if (nan)                                              \
				m = (T)NAN;                                   \
			double s[4] = {0, 0, 0, 0};                           \
			int64_t j = 0;                                        \
			for (; j + 4 <= r; j += 4)                            \
				for (int k = 0; k < 4; k++) {                 \
					T e = EXP(x[j + k] - m);              \
					y[j + k] = e;                         \
					s[k] += e;                            \
				}                                             \
			for (; j < r; j++) {                                  \
				T e = EXP(x[j] - m);                          \
				y[j] = e;                                     \
				s[0] += e;                                    \
			}                                                     \
			T sv = (T)((s[0] + s[1]) + (s[2] + s[3]));            \
			for (j = 0; j < r; j++)                               \
				y[j] /= sv;                                   \
			return;                                               \
		}                                                             \
		for (int64_t i = 0; i < inner; i++) {                         \
			mx[i] = -INFINITY;                                    \
			sum[i] = 0;                                           \
		}                                                             \
		for (int64_t j = 0; j < r; j++)                               \
			for (int64_t i = 0; i < inner; i++) {                 \
				double v = x[j * inner + i];                  \
				mx[i] = v > mx[i] || v != v ? v : mx[i];      \
			}                                                     \
		for (int64_t j = 0; j < r; j++)                               \
			for (int64_t i = 0; i < inner; i++) {                 \
				T e = EXP(x[j * inner + i] - (T)mx[i]);       \
				y[j * inner + i] = e;                         \
				sum[i] += e;                                  \
			}                                                     \
		for (int64_t j = 0; j < r; j++)                               \
			for (int64_t i = 0; i < inner; i++)                   \
				y[j * inner + i] =                            \
					(T)(y[j * inner + i] / sum[i]);       \
	}

SOFTMAX(double, exp)
SOFTMAX(float, expf)

mm_tensor *mm_op_softmax(const mm_tensor *x, int axis, mm_diag *d)
{
	int ax;
	if (!norm_axis(axis, x->ndim, &ax, d))
		return NULL;
	int64_t outer, r, inner;
	split3(x, ax, &outer, &r, &inner);
	mm_tensor *c = mm_tensor_contiguous(x, d);
	mm_tensor *out = c ? mm_tensor_new(x->dtype, x->ndim, x->shape, d)
	                   : NULL;
	double *tmp = out ? malloc(2 * (size_t)(inner ? inner : 1) *
	                           sizeof *tmp)
	                  : NULL;
	if (!tmp) {
		if (out)
			mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory");
		mm_tensor_unref(c);
		mm_tensor_unref(out);
		return NULL;
	}
	size_t es = mm_tensor_elsize(x), blk = (size_t)(r * inner) * es;
	for (int64_t o = 0; o < outer; o++) {
		const char *src = (const char *)c->data + (size_t)o * blk;
		char *dst = (char *)out->data + (size_t)o * blk;
		if (x->dtype == MM_F64)
			softmax_double((const double *)src, (double *)dst, r,
			               inner, tmp, tmp + inner);
		else
			softmax_float((const float *)src, (float *)dst, r,
			              inner, tmp, tmp + inner);
		if ((o & 63) == 63 && mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			mm_tensor_unref(out);
			out = NULL;
			break;
		}
	}
	free(tmp);
	mm_tensor_unref(c);
	return out;
}

/* --- layernorm ---------------------------------------------------------- */

static bool affine_ok(const mm_tensor *w, int64_t n, const char *what,
                      mm_diag *d)
{
	int64_t k = mm_tensor_numel(w);
	if (w->ndim <= 1 && (k == n || k == 1))
		return true;
	mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
	            "layernorm %s must be 1-D with %lld elements (the last "
	            "axis), not %d-D with %lld", what, (long long)n, w->ndim,
	            (long long)k);
	return false;
}

/* Element i of a 1-D (or single-element) weight or bias. */
static double affine_at(const mm_tensor *w, int64_t i)
{
	return mm_tensor_get_flat(w, mm_tensor_numel(w) == 1 ? 0 : i);
}

mm_tensor *mm_op_layernorm(const mm_tensor *x, const mm_tensor *weight,
                           const mm_tensor *bias, mm_diag *d)
{
	if (x->ndim < 1) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "layernorm needs at least one axis");
		return NULL;
	}
	int64_t n = x->shape[x->ndim - 1];
	if ((weight && !affine_ok(weight, n, "weight", d)) ||
	    (bias && !affine_ok(bias, n, "bias", d)))
		return NULL;
	int64_t rows = n ? mm_tensor_numel(x) / n : 0;
	mm_tensor *c = mm_tensor_contiguous(x, d);
	mm_tensor *out = c ? mm_tensor_new(x->dtype, x->ndim, x->shape, d)
	                   : NULL;
	double *wb = out ? malloc(2 * (size_t)(n ? n : 1) * sizeof *wb) : NULL;
	if (!wb) {
		if (out)
			mm_diag_set(d, MM_ERR_NOMEM, NOSPAN, "out of memory");
		mm_tensor_unref(c);
		mm_tensor_unref(out);
		return NULL;
	}
	for (int64_t i = 0; i < n; i++) {
		wb[i] = weight ? affine_at(weight, i) : 1.0;
		wb[n + i] = bias ? affine_at(bias, i) : 0.0;
	}
	bool f64 = x->dtype == MM_F64;
	for (int64_t r = 0; r < rows; r++) {
		const double *xd = (const double *)c->data + r * n;
		const float *xf = (const float *)c->data + r * n;
		double mean = 0, var = 0;
		for (int64_t i = 0; i < n; i++)
			mean += f64 ? xd[i] : xf[i];
		mean /= (double)n;
		for (int64_t i = 0; i < n; i++) {
			double v = (f64 ? xd[i] : xf[i]) - mean;
			var += v * v;
		}
		var /= (double)n;
		double inv = 1.0 / sqrt(var + 1e-5);
		for (int64_t i = 0; i < n; i++) {
			double v = ((f64 ? xd[i] : xf[i]) - mean) * inv * wb[i] +
			           wb[n + i];
			if (f64)
				((double *)out->data)[r * n + i] = v;
			else
				((float *)out->data)[r * n + i] = (float)v;
		}
		if ((r & 255) == 255 && mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			mm_tensor_unref(out);
			out = NULL;
			break;
		}
	}
	free(wb);
	mm_tensor_unref(c);
	return out;
}

/* --- reshape and concat ------------------------------------------------- */

mm_tensor *mm_op_reshape(const mm_tensor *x, int ndim, const int64_t *shape,
                         mm_diag *d)
{
	char b1[160], b2[160];
	if (ndim < 0 || ndim > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "a tensor has 0 to %d axes, not %d", MM_MAX_NDIM, ndim);
		return NULL;
	}
	int64_t s[MM_MAX_NDIM], known = 1, numel = mm_tensor_numel(x);
	int infer = -1;
	for (int i = 0; i < ndim; i++) {
		s[i] = shape[i];
		if (s[i] == -1 && infer < 0) {
			infer = i;
			continue;
		}
		if (s[i] < 0) {
			mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
			            s[i] == -1 ? "can only specify one unknown "
			                         "dimension (-1)"
			                       : "negative dimension in reshape");
			return NULL;
		}
		if (s[i] && known > INT64_MAX / s[i]) {
			mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
			            "reshape: element count overflows");
			return NULL;
		}
		known *= s[i];
	}
	if (infer >= 0) {
		if (known == 0 || numel % known) {
			mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
			            "cannot reshape array of size %lld into shape "
			            "%s", (long long)numel,
			            shape_str(ndim, shape, b2, sizeof b2));
			return NULL;
		}
		s[infer] = numel / known;
		known = numel;
	}
	if (known != numel) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "cannot reshape array of size %lld %s into shape %s",
		            (long long)numel,
		            shape_str(x->ndim, x->shape, b1, sizeof b1),
		            shape_str(ndim, s, b2, sizeof b2));
		return NULL;
	}
	mm_tensor *c = mm_tensor_contiguous(x, d);
	if (!c)
		return NULL;
	int64_t st[MM_MAX_NDIM], acc = 1;
	for (int i = ndim - 1; i >= 0; i--) {
		st[i] = acc;
		acc *= s[i] ? s[i] : 1;
	}
	mm_tensor *v = mm_tensor_view(c, ndim, s, st, 0, d);
	mm_tensor_unref(c);
	return v;
}

mm_tensor *mm_op_concat(const mm_tensor *const *list, int n, int axis,
                        mm_diag *d)
{
	char b1[160], b2[160];
	if (n < 1) {
		mm_diag_set(d, MM_ERR_ARG, NOSPAN,
		            "concat needs at least one tensor");
		return NULL;
	}
	int nd = list[0]->ndim, ax;
	if (nd == 0) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "zero-dimensional tensors cannot be concatenated");
		return NULL;
	}
	if (!norm_axis(axis, nd, &ax, d))
		return NULL;
	mm_dtype t = list[0]->dtype;
	int64_t shape[MM_MAX_NDIM];
	memcpy(shape, list[0]->shape, sizeof shape);
	shape[ax] = 0;
	for (int k = 0; k < n; k++) {
		const mm_tensor *x = list[k];
		bool ok = x->ndim == nd;
		for (int i = 0; ok && i < nd; i++)
			ok = i == ax || x->shape[i] == list[0]->shape[i];
		if (!ok) {
			mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
			            "concat: tensor %d has shape %s, which does "
			            "not fit %s along axis %d", k,
			            shape_str(x->ndim, x->shape, b1, sizeof b1),
			            shape_str(nd, list[0]->shape, b2, sizeof b2),
			            ax);
			return NULL;
		}
		shape[ax] += x->shape[ax];
		t = mm_dtype_promote(t, x->dtype);
	}
	mm_tensor *out = mm_tensor_new(t, nd, shape, d);
	if (!out)
		return NULL;
	int64_t pos = 0;
	for (int k = 0; k < n; k++) {
		mm_index idx[MM_MAX_NDIM];
		for (int i = 0; i < nd; i++)
			idx[i] = MM_INDEX_ALL;
		idx[ax].has_start = idx[ax].has_stop = true;
		idx[ax].start = pos;
		idx[ax].stop = pos + list[k]->shape[ax];
		pos = idx[ax].stop;
		mm_tensor *dst = mm_tensor_index(out, idx, nd, d);
		mm_tensor *src = dst ? mm_tensor_cast(list[k], t, d) : NULL;
		mm_code c = src ? assign(dst, src, d) : MM_ERR_NOMEM;
		mm_tensor_unref(src);
		mm_tensor_unref(dst);
		if (c != MM_OK) {
			mm_tensor_unref(out);
			return NULL;
		}
	}
	return out;
}

/* --- matmul ------------------------------------------------------------- */

/* True when the last two axes can go to the GEMM as they are: every axis
 * longer than 1 has a positive stride. */
static bool gemm_ready(const mm_tensor *t)
{
	for (int i = t->ndim - 2 < 0 ? 0 : t->ndim - 2; i < t->ndim; i++)
		if (t->shape[i] > 1 && t->strides[i] <= 0)
			return false;
	return true;
}

mm_tensor *mm_op_matmul(const mm_tensor *a, const mm_tensor *b, mm_diag *d)
{
	/* The shapes by the checker's rule: 1-D operands promoted, batch
	 * axes broadcast, what does not fit an error. */
	mm_shape sa = mm_shape_make(a->ndim, a->shape);
	mm_shape sb = mm_shape_make(b->ndim, b->shape), so;
	int64_t m, k, n;
	uint64_t nbatch_u;
	double nbatch_f;
	if (mm_shape_matmul(&sa, &sb, &so, &m, &k, &n, &nbatch_u, &nbatch_f, d) !=
	    MM_OK)
		return NULL;
	if (so.ndim > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "matmul result would have %d axes (at most %d)", so.ndim,
		            MM_MAX_NDIM);
		return NULL;
	}
	/* the operands as >=2-D descriptors: 1-D a is 1×k, 1-D b is k×1 */
	int64_t as[MM_MAX_NDIM + 1], ast[MM_MAX_NDIM + 1], bs[MM_MAX_NDIM + 1],
		bst[MM_MAX_NDIM + 1];
	int an = a->ndim, bn = b->ndim;
	if (an == 1) {
		as[0] = 1, ast[0] = 0, as[1] = a->shape[0];
		ast[1] = a->strides[0];
		an = 2;
	} else {
		memcpy(as, a->shape, sizeof a->shape);
		memcpy(ast, a->strides, sizeof a->strides);
	}
	if (bn == 1) {
		bs[0] = b->shape[0], bst[0] = b->strides[0], bs[1] = 1;
		bst[1] = 0;
		bn = 2;
	} else {
		memcpy(bs, b->shape, sizeof b->shape);
		memcpy(bst, b->strides, sizeof b->strides);
	}
	int bnd = so.ndim - (a->ndim > 1) - (b->ndim > 1);
	const int64_t *batch = so.dim;
	int ond = so.ndim;
	const int64_t *oshape = so.dim;
	mm_tensor *pa, *pb;
	if (!promote2(a, b, &pa, &pb, d))
		return NULL;
	/* operands with zero or negative strides go to the GEMM as copies;
	 * the stride descriptors are then taken from what the GEMM reads
	 * (a promoted operand is a contiguous copy with its own strides) */
	mm_tensor *ops[2] = {pa, pb};
	int64_t *sts[2] = {ast, bst};
	for (int w = 0; w < 2; w++) {
		if (!gemm_ready(ops[w])) {
			mm_tensor *c = mm_tensor_copy(ops[w], d);
			if (!c) {
				mm_tensor_unref(ops[0]);
				mm_tensor_unref(ops[1]);
				return NULL;
			}
			mm_tensor_unref(ops[w]);
			ops[w] = c;
		}
		if (ops[w]->ndim == 1)
			sts[w][w == 0 ? 1 : 0] = ops[w]->strides[0];
		else
			memcpy(sts[w], ops[w]->strides, sizeof ops[w]->strides);
	}
	pa = ops[0];
	pb = ops[1];
	mm_tensor *out = mm_tensor_new(pa->dtype, ond, oshape, d);
	if (!out) {
		mm_tensor_unref(pa);
		mm_tensor_unref(pb);
		return NULL;
	}
	/* GEMM strides must be positive: an axis of length ≤ 1 takes 1 */
	int64_t rsa = m > 1 ? ast[an - 2] : 1, csa = k > 1 ? ast[an - 1] : 1;
	int64_t rsb = k > 1 ? bst[bn - 2] : 1, csb = n > 1 ? bst[bn - 1] : 1;
	int64_t nbatch = 1;
	for (int i = 0; i < bnd; i++)
		nbatch *= batch[i];
	int64_t idx[MM_MAX_NDIM] = {0};
	size_t es = mm_tensor_elsize(out);
	int rc = 0;
	for (int64_t bi = 0; bi < nbatch && rc == 0; bi++) {
		int64_t oa = 0, ob = 0;
		for (int i = 0; i < bnd; i++) {
			int ia = an - 2 - bnd + i, ib = bn - 2 - bnd + i;
			if (ia >= 0 && as[ia] != 1)
				oa += idx[i] * ast[ia];
			if (ib >= 0 && bs[ib] != 1)
				ob += idx[i] * bst[ib];
		}
		char *c = (char *)out->data + (size_t)(bi * m * n) * es;
		if (out->dtype == MM_F64)
			rc = mm_dgemm(m, n, k, 1.0, (const double *)pa->data + oa,
			              rsa, csa, (const double *)pb->data + ob,
			              rsb, csb, 0.0, (double *)c, n, 1);
		else
			rc = mm_sgemm(m, n, k, 1.0f, (const float *)pa->data + oa,
			              rsa, csa, (const float *)pb->data + ob,
			              rsb, csb, 0.0f, (float *)c, n, 1);
		if (rc == 0 && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
		for (int i = bnd - 1; i >= 0; i--) {
			if (++idx[i] < batch[i])
				break;
			idx[i] = 0;
		}
	}
	mm_tensor_unref(pa);
	mm_tensor_unref(pb);
	if (rc != 0) {
		mm_diag_set(d, rc == MM_ERR_INTERRUPTED ? MM_ERR_INTERRUPTED
		                                        : MM_ERR_VALUE,
		            NOSPAN, rc == MM_ERR_INTERRUPTED
		                        ? "interrupted"
		                        : "matmul failed in the GEMM kernel");
		mm_tensor_unref(out);
		return NULL;
	}
	return out;
}
