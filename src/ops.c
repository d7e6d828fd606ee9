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
#include "mmcalc/vmath.h"

#define NOSPAN ((mm_span){0, 0})
#define CHUNK_BYTES 65536 /* poll the interrupt flag this often */
#define PI 3.14159265358979323846

static const char *binop_names[MM_BINOP_COUNT] = {"+", "-", "*", "/", "%",
                                                  "**"};
static const char *unop_names[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = "neg",
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY) [MM_OP_##ID] = #NAME,
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

/* "(2 x 3)" into buf: shape.c's printer, the one every message uses. */
static const char *shape_str(int nd, const int64_t *dims, char *buf,
                             size_t cap)
{
	mm_shape s = mm_shape_make(nd, dims);
	return mm_shape_str(&s, buf, cap);
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

/* Whether an operand steps through memory along the innermost axis with
 * a stride other than 0 or 1 (a transposed view, a column) while it is
 * contiguous along the axis before: row by row, each element would be on
 * a line and a page of its own, and a 4096² transpose ran 100 times
 * slower than a copy. Such loops go in tiles. */
static bool wants_tiles(const loop *L)
{
	if (L->nd < 2)
		return false;
	for (int k = 0; k < L->nop; k++) {
		int64_t si = L->st[k][L->nd - 1], so = L->st[k][L->nd - 2];
		if (si != 0 && si != 1 && (so == 1 || so == -1))
			return true;
	}
	return false;
}

enum { TILE = 64 }; /* elements a side: 64 lines and pages per operand */

/* loop_run for wants_tiles: the last two axes in TILE × TILE blocks, row
 * by row inside a block, so each operand's lines and pages are reused
 * while they are cached. */
static mm_code loop_run_tiled(const loop *L, kern_fn f, size_t in_es,
                              mm_diag *d)
{
	int nd = L->nd;
	int64_t R = L->shape[nd - 2], C = L->shape[nd - 1], outer = 1;
	for (int i = 0; i < nd - 2; i++)
		outer *= L->shape[i];
	int64_t es[3] = {(int64_t)L->es, (int64_t)in_es, (int64_t)in_es};
	int64_t idx[MM_MAX_NDIM] = {0}, done = 0;
	for (int64_t o = 0; o < outer; o++) {
		int64_t off[3] = {0, 0, 0};
		for (int i = 0; i < nd - 2; i++)
			for (int k = 0; k < L->nop; k++)
				off[k] += idx[i] * L->st[k][i];
		for (int64_t r0 = 0; r0 < R; r0 += TILE)
			for (int64_t c0 = 0; c0 < C; c0 += TILE) {
				int64_t rn = R - r0 < TILE ? R - r0 : TILE;
				int64_t cn = C - c0 < TILE ? C - c0 : TILE;
				for (int64_t r = r0; r < r0 + rn; r++) {
					char *p[3] = {NULL, NULL, NULL};
					for (int k = 0; k < L->nop; k++)
						p[k] = L->ptr[k] +
						       (off[k] + r * L->st[k][nd - 2] +
						        c0 * L->st[k][nd - 1]) * es[k];
					f(cn, p[0], L->st[0][nd - 1], p[1],
					  L->st[1][nd - 1], p[2],
					  L->nop > 2 ? L->st[2][nd - 1] : 0);
				}
				if ((done += rn * cn) * es[0] >= CHUNK_BYTES) {
					done = 0;
					if (mm_interrupted())
						return mm_diag_set(d, MM_ERR_INTERRUPTED,
						                   NOSPAN, "interrupted");
				}
			}
		for (int i = nd - 3; i >= 0; i--) {
			if (++idx[i] < L->shape[i])
				break;
			idx[i] = 0;
		}
	}
	return MM_OK;
}

/* Runs f over the loop in rows of the innermost axis, split into chunks
 * of CHUNK_BYTES of output, polling the interrupt flag between chunks
 * (in tiles when an operand is transposed). */
static mm_code loop_run(const loop *L, kern_fn f, size_t in_es, mm_diag *d)
{
	if (wants_tiles(L))
		return loop_run_tiled(L, f, in_es, d);
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

/* Helpers of unary.def's expressions (the rest are vmath.h's). */
static inline double relu_d(double x) { return x > 0 || x != x ? x : 0.0; }
static inline float relu_f(float x) { return x > 0 || x != x ? x : 0.0f; }

UN_KERNEL(neg_d, double, double, -x)
UN_KERNEL(neg_f, float, float, -x)
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY)                              \
	static inline double un_##ID##_d(double x) { return F64; }          \
	static inline float un_##ID##_f(float x) { return F32; }            \
	UN_KERNEL(k_##ID##_d, double, double, un_##ID##_d(x))               \
	UN_KERNEL(k_##ID##_f, float, float, un_##ID##_f(x))
#include "mmcalc/unary.def"
UN_KERNEL(copy_dd, double, double, x)
UN_KERNEL(copy_ff, float, float, x)

static const kern_fn un_d[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = neg_d,
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY) [MM_OP_##ID] = k_##ID##_d,
#include "mmcalc/unary.def"
};
static const kern_fn un_f[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = neg_f,
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY) [MM_OP_##ID] = k_##ID##_f,
#include "mmcalc/unary.def"
};

/* The vectorised kernel of each function that has one (vmath.h). */
#define MM_VMATH_NONE MM_VMATH_FN_COUNT
static const mm_vmath_fn un_vm[MM_UNOP_COUNT] = {
	[MM_OP_NEG] = MM_VMATH_NONE,
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY) [MM_OP_##ID] = MM_VMATH_##VM,
#include "mmcalc/unary.def"
};

double mm_op_unary_scalar(mm_unop op, double x)
{
	switch (op) {
	case MM_OP_NEG: return -x;
#define UNARY(ID, NAME, FLOPS, F64, F32, VM, SUMMARY) \
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
	int64_t n = mm_tensor_numel(out);
	bool whole_a = mm_tensor_numel(a) == n && a->ndim == out->ndim &&
	               mm_tensor_is_contiguous(a),
	     whole_b = mm_tensor_numel(b) == n && b->ndim == out->ndim &&
	               mm_tensor_is_contiguous(b);
	if (op <= MM_OP_DIV && n > 1 &&
	    (whole_a || mm_tensor_numel(a) == 1) &&
	    (whole_b || mm_tensor_numel(b) == 1)) {
		/* Contiguous operands or one scalar: vmath's kernel on the
		 * GEMM's threads (+ - * / are exact IEEE operations, so the
		 * bits are the strided kernel's). */
		static const mm_vmath_binop vop[] = {
			[MM_OP_ADD] = MM_VMATH_ADD, [MM_OP_SUB] = MM_VMATH_SUB,
			[MM_OP_MUL] = MM_VMATH_MUL, [MM_OP_DIV] = MM_VMATH_DIV};
		int64_t sa = whole_a, sb = whole_b;
		int r = out->dtype == MM_F64
		            ? mm_vmath_binary_f64(vop[op], n, a->data, sa, b->data,
		                                  sb, out->data)
		            : mm_vmath_binary_f32(vop[op], n, a->data, sa, b->data,
		                                  sb, out->data);
		if (r == MM_OK)
			return MM_OK;
		return mm_diag_set(d, (mm_code)r, NOSPAN, "%s: %s", binop_names[op],
		                   r == MM_ERR_INTERRUPTED ? "interrupted" : "failed");
	}
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

mm_tensor *mm_op_contiguous(const mm_tensor *x, mm_diag *d)
{
	if (mm_tensor_is_contiguous(x))
		return mm_tensor_ref(x);
	mm_tensor *c = mm_tensor_new(x->dtype, x->ndim, x->shape, d);
	if (c && assign(c, x, d) != MM_OK) {
		mm_tensor_unref(c);
		c = NULL;
	}
	return c;
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
	mm_vmath_fn vm = un_vm[op];
	bool contiguous = mm_tensor_is_contiguous(x);
	if (vm != MM_VMATH_NONE && !contiguous) {
		/* A view (x.T): copied in tiles into out, then the vectorised
		 * kernel in place, rather than the scalar functions one
		 * strided element at a time (exp of a 4096² x.T: 1.5 s before, 0.1 s) */
		if (assign(out, x, d) != MM_OK) {
			mm_tensor_unref(out);
			return NULL;
		}
		x = out;
	}
	if (vm != MM_VMATH_NONE) {
		/* The vectorised kernel, on the GEMM's threads: the same bits
		 * as the strided kernel below and the folded constant. */
		int64_t n = mm_tensor_numel(x);
		int r = x->dtype == MM_F64
		            ? mm_vmath_map_f64(vm, n, x->data, out->data)
		            : mm_vmath_map_f32(vm, n, x->data, out->data);
		if (r != MM_OK) {
			mm_diag_set(d, (mm_code)r, NOSPAN, "%s: %s", unop_names[op],
			            r == MM_ERR_INTERRUPTED ? "interrupted" : "failed");
			mm_tensor_unref(out);
			return NULL;
		}
		return out;
	}
	loop L;
	loop_init(&L, out, 1, &x);
	if (loop_run(&L, x->dtype == MM_F64 ? un_d[op] : un_f[op],
	             mm_tensor_elsize(x), d) != MM_OK) {
		mm_tensor_unref(out);
		return NULL;
	}
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
	if (mm_shape_axis(nd, axis, &ax, d) != MM_OK)
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

