/* ops_nn.c — the numeric side of the layers of modern models: reductions
 * over several axes, argmax and logsumexp (the reduced axes moved last,
 * whole rows through vmath's kernels); maximum, minimum, where and clip
 * (one broadcasting loop); tril and triu; rmsnorm, swiglu and dropout;
 * take, embedding and cross_entropy. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/ops_nn.h"
#include "mmcalc/vmath.h"

#define NOSPAN ((mm_span){0, 0})

/* x with the axes mask marks (NULL: all) moved last, contiguous: *rows
 * rows of *n elements. The products fit: x's size rule bounds every
 * product of its dims. */
static mm_tensor *rows_of(const mm_tensor *x, const bool *mask,
                          int64_t *rows, int64_t *n, mm_diag *d)
{
	int perm[MM_MAX_NDIM], k = 0;
	*rows = *n = 1;
	for (int i = 0; i < x->ndim; i++)
		if (mask && !mask[i]) {
			perm[k++] = i;
			*rows *= x->shape[i];
		}
	for (int i = 0; i < x->ndim; i++)
		if (!mask || mask[i]) {
			perm[k++] = i;
			*n *= x->shape[i];
		}
	mm_tensor *p = mm_tensor_permute(x, perm, d);
	mm_tensor *c = p ? mm_tensor_contiguous(p, d) : NULL;
	mm_tensor_unref(p);
	return c;
}

/* The shape of x reduced over mask (NULL: all axes). */
static int reduced_shape(const mm_tensor *x, const bool *mask, bool keepdims,
                         int64_t *shape)
{
	int nd = 0;
	for (int i = 0; i < x->ndim; i++) {
		if (mask && !mask[i])
			shape[nd++] = x->shape[i];
		else if (keepdims)
			shape[nd++] = 1;
	}
	return nd;
}

static mm_tensor *rows_reduce(mm_vmath_reduce op, const char *name,
                              const mm_tensor *x, const bool *mask,
                              bool keepdims, mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM], rows, n;
	int nd = reduced_shape(x, mask, keepdims, shape);
	mm_tensor *out = mm_tensor_new(x->dtype, nd, shape, d);
	if (!out || mm_tensor_numel(out) == 0)
		return out;
	mm_tensor *c = rows_of(x, mask, &rows, &n, d);
	if (!c) {
		mm_tensor_unref(out);
		return NULL;
	}
	int rc = x->dtype == MM_F64
	             ? mm_vmath_reduce_f64(op, rows, n, c->data, out->data)
	             : mm_vmath_reduce_f32(op, rows, n, c->data, out->data);
	mm_tensor_unref(c);
	if (rc != MM_OK) {
		mm_diag_set(d, (mm_code)rc, NOSPAN, rc == MM_ERR_VALUE
		            ? "%s of an empty axis has no value (no identity)"
		            : rc == MM_ERR_INTERRUPTED ? "%s: interrupted"
		                                       : "%s failed", name);
		mm_tensor_unref(out);
		return NULL;
	}
	return out;
}

mm_tensor *mm_op_reduce_axes(mm_reduce op, const mm_tensor *x,
                             const bool *mask, bool keepdims, mm_diag *d)
{
	static const mm_vmath_reduce vop[MM_REDUCE_COUNT] = {
		[MM_RED_SUM] = MM_VMATH_SUM, [MM_RED_MEAN] = MM_VMATH_MEAN,
		[MM_RED_MAX] = MM_VMATH_MAX, [MM_RED_MIN] = MM_VMATH_MIN,
		[MM_RED_NORM] = MM_VMATH_NORM};
	if ((unsigned)op >= MM_REDUCE_COUNT) {
		mm_diag_set(d, MM_ERR_ARG, NOSPAN, "unknown reduction %d", (int)op);
		return NULL;
	}
	return rows_reduce(vop[op], mm_op_reduce_name(op), x, mask, keepdims,
	                   d);
}

mm_tensor *mm_op_logsumexp(const mm_tensor *x, const bool *mask,
                           bool keepdims, mm_diag *d)
{
	return rows_reduce(MM_VMATH_LOGSUMEXP, "logsumexp", x, mask, keepdims, d);
}

#define ARGMAX_ROWS(T)                                                        \
	static void argmax_##T(const T *x, int64_t rows, int64_t n,           \
	                       double *out)                                   \
	{                                                                     \
		for (int64_t r = 0; r < rows; r++) {                          \
			const T *row = x + r * n;                             \
			int64_t best = 0;                                     \
			for (int64_t j = 0; j < n; j++) {                     \
				if (row[j] != row[j]) { /* the first NaN */   \
					best = j;                             \
					break;                                \
				}                                             \
				if (row[j] > row[best])                       \
					best = j;                             \
			}                                                     \
			out[r] = (double)best;                                \
		}                                                             \
	}

ARGMAX_ROWS(float)
ARGMAX_ROWS(double)

mm_tensor *mm_op_argmax(const mm_tensor *x, int axis, bool keepdims,
                        mm_diag *d)
{
	bool mask[MM_MAX_NDIM] = {false};
	int ax = 0;
	bool all = axis == MM_AXIS_ALL;
	if (!all) {
		if (mm_shape_axis(x->ndim, axis, &ax, d) != MM_OK)
			return NULL;
		mask[ax] = true;
	}
	int64_t shape[MM_MAX_NDIM], rows, n;
	int nd = reduced_shape(x, all ? NULL : mask, keepdims, shape);
	if ((all ? mm_tensor_numel(x) : x->shape[ax]) == 0) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "argmax of an empty %s has no value",
		            all ? "tensor" : "axis");
		return NULL;
	}
	mm_tensor *out = mm_tensor_new(MM_F64, nd, shape, d);
	if (!out || mm_tensor_numel(out) == 0)
		return out;
	mm_tensor *c = rows_of(x, all ? NULL : mask, &rows, &n, d);
	if (!c) {
		mm_tensor_unref(out);
		return NULL;
	}
	/* in pieces of rows, polling between them */
	int64_t piece = n > 65536 ? 1 : 65536 / n;
	for (int64_t r = 0; r < rows; r += piece) {
		int64_t k = rows - r < piece ? rows - r : piece;
		if (x->dtype == MM_F64)
			argmax_double((const double *)c->data + r * n, k, n,
			              (double *)out->data + r);
		else
			argmax_float((const float *)c->data + r * n, k, n,
			             (double *)out->data + r);
		if (mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN,
			            "argmax: interrupted");
			mm_tensor_unref(out);
			out = NULL;
			break;
		}
	}
	mm_tensor_unref(c);
	return out;
}

/* ---- maximum, minimum, where, clip: three operands broadcast ---- */

/* SEL_CMP + an mm_cmp: a comparison. */
typedef enum sel {
	SEL_MAXIMUM, SEL_MINIMUM, SEL_WHERE, SEL_CLIP, SEL_CMP,
	SEL_LAST = SEL_CMP + MM_CMP_NE
} sel;

/* An operand read along the result: its data and its strides against the
 * result's axes (0 where it broadcasts). */
typedef struct lane {
	const char *p;
	int64_t st[MM_MAX_NDIM];
	bool f64;
} lane;

static void lane_of(lane *l, const mm_tensor *t, int nd)
{
	l->p = t->data;
	l->f64 = t->dtype == MM_F64;
	for (int i = 0; i < nd; i++) {
		int j = t->ndim - nd + i;
		l->st[i] = j < 0 || t->shape[j] == 1 ? 0 : t->strides[j];
	}
}

static inline double at(const lane *l, int64_t off)
{
	return l->f64 ? ((const double *)l->p)[off] : ((const float *)l->p)[off];
}

/* NumPy's maximum and minimum: a NaN on either side wins. */
static inline double max_nan(double a, double b)
{
	return a != a ? a : b != b ? b : a > b ? a : b;
}

static inline double min_nan(double a, double b)
{
	return a != a ? a : b != b ? b : a < b ? a : b;
}

/* One row of the result: n elements at offsets o[k] + j·st[k][last]. */
#define SEL_ROW(T)                                                            \
	static void sel_row_##T(sel s, T *y, int64_t n, const lane *l,        \
	                        int nl, const int64_t *o, int last)           \
	{                                                                     \
		int64_t s0 = l[0].st[last], s1 = nl > 1 ? l[1].st[last] : 0;  \
		int64_t s2 = nl > 2 ? l[2].st[last] : 0;                      \
		for (int64_t j = 0; j < n; j++) {                             \
			double a = at(&l[0], o[0] + j * s0);                  \
			double b = nl > 1 ? at(&l[1], o[1] + j * s1) : 0;     \
			double c = nl > 2 ? at(&l[2], o[2] + j * s2) : 0;     \
			double v;                                             \
			switch (s) {                                          \
			case SEL_MAXIMUM: v = max_nan(a, b); break;          \
			case SEL_MINIMUM: v = min_nan(a, b); break;          \
			case SEL_WHERE: v = a != 0 ? b : c; break;           \
			case SEL_CLIP: v = min_nan(max_nan(a, b), c); break; \
			default:                                              \
				v = mm_op_compare_num(a, b,                   \
				                      (mm_cmp)(s - SEL_CMP)); \
				break;                                        \
			}                                                     \
			y[j] = (T)v;                                          \
		}                                                             \
	}

SEL_ROW(float)
SEL_ROW(double)

/* s over nl operands broadcast together, the result of dtype t. */
static mm_tensor *select_n(sel s, const mm_tensor *const *in, int nl,
                           mm_dtype t, mm_diag *d)
{
	mm_shape out = mm_shape_make(in[0]->ndim, in[0]->shape);
	for (int k = 1; k < nl; k++) {
		mm_shape b = mm_shape_make(in[k]->ndim, in[k]->shape);
		if (mm_shape_broadcast(&out, &b, s == SEL_WHERE ? "where"
		                                 : s >= SEL_CMP ? "comparison"
		                                                : "clip",
		                       &out, d) != MM_OK)
			return NULL;
	}
	mm_tensor *y = mm_tensor_new(t, out.ndim, out.dim, d);
	if (!y || mm_tensor_numel(y) == 0)
		return y;
	/* one lane per operand, in the result's dtype but where's condition,
	 * which keeps its own (a cast could turn 1e-300 into 0) */
	mm_tensor *own[3] = {NULL, NULL, NULL};
	lane l[3];
	int nd = out.ndim > 0 ? out.ndim : 1;
	int64_t shape[MM_MAX_NDIM];
	for (int i = 0; i < nd; i++)
		shape[i] = out.ndim ? out.dim[i] : 1;
	for (int k = 0; k < nl; k++) {
		own[k] = s == SEL_WHERE && k == 0 ? mm_tensor_ref(in[k])
		                                  : mm_tensor_cast(in[k], t, d);
		if (!own[k]) {
			for (int j = 0; j < k; j++)
				mm_tensor_unref(own[j]);
			mm_tensor_unref(y);
			return NULL;
		}
		lane_of(&l[k], own[k], nd);
	}
	int64_t inner = shape[nd - 1], rows = mm_tensor_numel(y) / inner;
	int64_t idx[MM_MAX_NDIM] = {0}, o[3] = {0, 0, 0};
	for (int64_t r = 0; r < rows; r++) {
		if (t == MM_F64)
			sel_row_double(s, (double *)y->data + r * inner, inner, l, nl, o,
			               nd - 1);
		else
			sel_row_float(s, (float *)y->data + r * inner, inner, l, nl, o,
			              nd - 1);
		for (int i = nd - 2; i >= 0; i--) { /* the next row's offsets */
			for (int k = 0; k < nl; k++)
				o[k] += l[k].st[i];
			if (++idx[i] < shape[i])
				break;
			for (int k = 0; k < nl; k++)
				o[k] -= l[k].st[i] * shape[i];
			idx[i] = 0;
		}
		if ((r & 1023) == 1023 && mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			mm_tensor_unref(y);
			y = NULL;
			break;
		}
	}
	for (int k = 0; k < nl; k++)
		mm_tensor_unref(own[k]);
	return y;
}

mm_tensor *mm_op_maximum(const mm_tensor *a, const mm_tensor *b, bool max,
                         mm_diag *d)
{
	const mm_tensor *in[2] = {a, b};
	return select_n(max ? SEL_MAXIMUM : SEL_MINIMUM, in, 2,
	                mm_dtype_promote(a->dtype, b->dtype), d);
}

mm_tensor *mm_op_where(const mm_tensor *cond, const mm_tensor *a,
                       const mm_tensor *b, mm_diag *d)
{
	const mm_tensor *in[3] = {cond, a, b};
	return select_n(SEL_WHERE, in, 3, mm_dtype_promote(a->dtype, b->dtype),
	                d);
}

double mm_op_compare_num(double a, double b, mm_cmp op)
{
	switch (op) {
	case MM_CMP_GT: return a > b;
	case MM_CMP_GE: return a >= b;
	case MM_CMP_LT: return a < b;
	case MM_CMP_LE: return a <= b;
	case MM_CMP_EQ: return a == b;
	default: return a != b;
	}
}

mm_tensor *mm_op_compare(const mm_tensor *a, const mm_tensor *b, mm_cmp op,
                         mm_diag *d)
{
	const mm_tensor *in[2] = {a, b};
	return select_n((sel)(SEL_CMP + (int)op), in, 2,
	                mm_dtype_promote(a->dtype, b->dtype), d);
}

mm_tensor *mm_op_clip(const mm_tensor *x, const mm_tensor *lo,
                      const mm_tensor *hi, mm_diag *d)
{
	mm_dtype t = x->dtype;
	if (lo)
		t = mm_dtype_promote(t, lo->dtype);
	if (hi)
		t = mm_dtype_promote(t, hi->dtype);
	if (lo && hi) {
		const mm_tensor *in[3] = {x, lo, hi};
		return select_n(SEL_CLIP, in, 3, t, d);
	}
	const mm_tensor *in[2] = {x, lo ? lo : hi};
	if (!in[1])
		return mm_tensor_cast(x, t, d);
	return select_n(lo ? SEL_MAXIMUM : SEL_MINIMUM, in, 2, t, d);
}

/* ---- tril and triu ---- */

mm_tensor *mm_op_tri(const mm_tensor *x, int64_t k, bool upper, mm_diag *d)
{
	if (x->ndim < 2) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN, "%s needs at least 2 axes",
		            upper ? "triu" : "tril");
		return NULL;
	}
	mm_tensor *y = mm_tensor_copy(x, d);
	if (!y || mm_tensor_numel(y) == 0)
		return y;
	int64_t m = y->shape[y->ndim - 2], n = y->shape[y->ndim - 1];
	int64_t mats = mm_tensor_numel(y) / (m * n);
	/* k past either size means the same; m + n fits, as m·n does */
	k = k < -(m + n) ? -(m + n) : k > m + n ? m + n : k;
	size_t es = mm_tensor_elsize(y);
	for (int64_t b = 0; b < mats; b++) {
		char *base = (char *)y->data + (size_t)(b * m * n) * es;
		for (int64_t i = 0; i < m; i++) {
			/* tril zeroes j > i + k, triu j < i + k */
			int64_t edge = upper ? i + k : i + k + 1;
			edge = edge < 0 ? 0 : edge > n ? n : edge;
			int64_t lo = upper ? 0 : edge, hi = upper ? edge : n;
			if (hi > lo)
				memset(base + (size_t)(i * n + lo) * es, 0,
				       (size_t)(hi - lo) * es);
		}
		if ((b & 255) == 255 && mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			mm_tensor_unref(y);
			return NULL;
		}
	}
	return y;
}

/* ---- rmsnorm, swiglu, dropout ---- */

/* A vmath result as a diagnostic: false when it failed. */
static bool vm_ok(int rc, const char *what, mm_diag *d)
{
	if (rc == MM_OK)
		return true;
	mm_diag_set(d, (mm_code)rc, NOSPAN, "%s: %s", what,
	            rc == MM_ERR_INTERRUPTED ? "interrupted" : "failed");
	return false;
}

mm_tensor *mm_op_rmsnorm(const mm_tensor *x, const mm_tensor *weight,
                         double eps, mm_diag *d)
{
	if (x->ndim < 1) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN, "rmsnorm needs at least one axis");
		return NULL;
	}
	int64_t n = x->shape[x->ndim - 1];
	if (weight && (weight->ndim != 1 || weight->shape[0] != n)) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN, "rmsnorm: the weight must have "
		            "the %lld elements of the last axis", (long long)n);
		return NULL;
	}
	int64_t rows = n ? mm_tensor_numel(x) / n : 0;
	mm_tensor *c = mm_tensor_contiguous(x, d);
	mm_tensor *w = c && weight ? mm_tensor_cast(weight, x->dtype, d) : NULL;
	mm_tensor *wc = w ? mm_tensor_contiguous(w, d) : NULL;
	mm_tensor *out = c && (wc || !weight)
	                     ? mm_tensor_new(x->dtype, x->ndim, x->shape, d)
	                     : NULL;
	if (out && rows && n) {
		int rc = x->dtype == MM_F64
		             ? mm_vmath_rmsnorm_f64(rows, n, c->data,
		                                    wc ? wc->data : NULL, eps,
		                                    out->data)
		             : mm_vmath_rmsnorm_f32(rows, n, c->data,
		                                    wc ? wc->data : NULL, eps,
		                                    out->data);
		if (!vm_ok(rc, "rmsnorm", d)) {
			mm_tensor_unref(out);
			out = NULL;
		}
	}
	mm_tensor_unref(wc);
	mm_tensor_unref(w);
	mm_tensor_unref(c);
	return out;
}

mm_tensor *mm_op_swiglu(const mm_tensor *x, const mm_tensor *w1,
                        const mm_tensor *w3, mm_diag *d)
{
	mm_tensor *g = mm_op_matmul(x, w1, d);
	mm_tensor *u = g ? mm_op_matmul(x, w3, d) : NULL;
	if (u && !mm_tensor_same_shape(g, u)) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "swiglu: x @ W1 and x @ W3 differ in shape");
		mm_tensor_unref(u);
		u = NULL;
	}
	if (u && u->dtype != g->dtype) { /* W1 and W3 of two dtypes */
		mm_tensor **lo = u->dtype == MM_F64 ? &g : &u;
		mm_tensor *c = mm_tensor_cast(*lo, MM_F64, d);
		mm_tensor_unref(*lo);
		*lo = c;
	}
	if (!u || !g) {
		mm_tensor_unref(g);
		mm_tensor_unref(u);
		return NULL;
	}
	/* silu(g) · u, in g's memory (both are new and contiguous) */
	int64_t n = mm_tensor_numel(g);
	int rc = g->dtype == MM_F64
	             ? mm_vmath_map_f64(MM_VMATH_SILU, n, g->data, g->data)
	             : mm_vmath_map_f32(MM_VMATH_SILU, n, g->data, g->data);
	if (rc == MM_OK)
		rc = g->dtype == MM_F64
		         ? mm_vmath_binary_f64(MM_VMATH_MUL, n, g->data, 1, u->data,
		                               1, g->data)
		         : mm_vmath_binary_f32(MM_VMATH_MUL, n, g->data, 1, u->data,
		                               1, g->data);
	mm_tensor_unref(u);
	if (!vm_ok(rc, "swiglu", d)) {
		mm_tensor_unref(g);
		return NULL;
	}
	return g;
}

mm_tensor *mm_op_dropout(const mm_tensor *x, double p, mm_rng *rng,
                         mm_diag *d)
{
	if (!(p >= 0 && p <= 1)) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "dropout: p must be between 0 and 1, got %g", p);
		return NULL;
	}
	mm_tensor *y = mm_tensor_copy(x, d);
	if (!y)
		return NULL;
	int64_t n = mm_tensor_numel(y);
	/* kept with probability 1 - p, scaled by 1/(1 - p); p = 1 drops all */
	double scale = p < 1 ? 1 / (1 - p) : 0;
	for (int64_t i = 0; i < n; i++) {
		bool drop = mm_rng_uniform(rng) < p;
		if (y->dtype == MM_F64)
			((double *)y->data)[i] = drop ? 0 : ((double *)y->data)[i] * scale;
		else
			((float *)y->data)[i] = drop ? 0.0f
			                             : (float)(((float *)y->data)[i] * scale);
		if ((i & 0xfffff) == 0xfffff && mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			mm_tensor_unref(y);
			return NULL;
		}
	}
	return y;
}

/* ---- gathers: take, embedding; cross_entropy ---- */

/* "[1, 2]": flat position i of shape (nd dims) as an index, into b. */
static void index_text(char *b, size_t cap, int nd, const int64_t *shape,
                       int64_t i)
{
	int64_t idx[MM_MAX_NDIM];
	for (int k = nd - 1; k >= 0; k--) {
		idx[k] = shape[k] ? i % shape[k] : 0;
		i = shape[k] ? i / shape[k] : 0;
	}
	size_t o = (size_t)snprintf(b, cap, "[");
	for (int k = 0; k < nd && o < cap; k++)
		o += (size_t)snprintf(b + o, cap - o, k ? ", %lld" : "%lld",
		                      (long long)idx[k]);
	if (o < cap)
		snprintf(b + o, cap - o, "]");
}

/* Element i of ids as a position along an axis of length n: a whole
 * number in [0, n), or [-n, n) when negative ones count from the end;
 * false with d naming it otherwise. */
static bool id_at(const mm_tensor *ids, int64_t i, int64_t n, bool negative,
                  const char *fn, const char *what, int64_t *out, mm_diag *d)
{
	double v = mm_tensor_get_flat(ids, i);
	char where[160] = "";
	if (ids->ndim > 0) { /* " at ids[1, 2]", " at targets[3]" */
		int o = snprintf(where, sizeof where, " at %ss",
		                 strcmp(what, "id") == 0 ? "id" : what);
		index_text(where + o, sizeof where - (size_t)o, ids->ndim,
		           ids->shape, i);
	}
	if (v != floor(v)) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN, "%s: %s %g%s is not a whole "
		            "number", fn, what, v, where);
		return false;
	}
	if (v < (negative ? -(double)n : 0) || v >= (double)n) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN, "%s: %s %.0f%s is out of "
		            "range for %lld %s", fn, what, v, where, (long long)n,
		            strcmp(fn, "embedding") == 0 ? "rows"
		            : strcmp(fn, "take") == 0 ? "positions" : "classes");
		if (n > 0)
			mm_diag_hint(d, "valid: %lld to %lld",
			             negative ? -(long long)n : 0LL, (long long)n - 1);
		return false;
	}
	*out = (int64_t)v < 0 ? (int64_t)v + n : (int64_t)v;
	return true;
}

mm_tensor *mm_op_take(const mm_tensor *table, const mm_tensor *ids, int axis,
                      bool embedding, mm_diag *d)
{
	const char *fn = embedding ? "embedding" : "take";
	mm_shape ts = mm_shape_make(table->ndim, table->shape), out;
	mm_shape is = mm_shape_make(ids->ndim, ids->shape);
	int ax;
	if (embedding && table->ndim != 2) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "embedding: the table must be (rows x dim)");
		return NULL;
	}
	if (mm_shape_take(&ts, &is, axis, &ax, &out, d) != MM_OK)
		return NULL;
	mm_tensor *y = mm_tensor_new(table->dtype, out.ndim, out.dim, d);
	mm_tensor *t = y ? mm_tensor_contiguous(table, d) : NULL;
	if (!t) {
		mm_tensor_unref(y);
		return NULL;
	}
	int64_t outer = 1, inner = 1, n = table->shape[ax];
	int64_t nid = mm_tensor_numel(ids);
	for (int k = 0; k < ax; k++)
		outer *= table->shape[k];
	for (int k = ax + 1; k < table->ndim; k++)
		inner *= table->shape[k];
	size_t es = mm_tensor_elsize(y), row = (size_t)inner * es;
	bool ok = true;
	for (int64_t i = 0; i < nid && ok; i++) {
		int64_t id;
		if (!(ok = id_at(ids, i, n, !embedding, fn, "id", &id, d)))
			break;
		for (int64_t o = 0; o < outer && mm_tensor_numel(y); o++)
			memcpy((char *)y->data + (size_t)((o * nid + i) * inner) * es,
			       (const char *)t->data +
			           (size_t)((o * n + id) * inner) * es,
			       row);
		if ((i & 4095) == 4095 && mm_interrupted()) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			ok = false;
		}
	}
	mm_tensor_unref(t);
	if (!ok) {
		mm_tensor_unref(y);
		return NULL;
	}
	return y;
}

mm_tensor *mm_op_cross_entropy(const mm_tensor *logits,
                               const mm_tensor *targets, mm_ce_reduce red,
                               int64_t ignore, mm_diag *d)
{
	mm_shape ls = mm_shape_make(logits->ndim, logits->shape), ts, per;
	ts = mm_shape_make(targets->ndim, targets->shape);
	if (mm_shape_cross_entropy(&ls, &ts, &per, NULL, d) != MM_OK)
		return NULL;
	/* the class axis moved last: rows of C */
	bool mask[MM_MAX_NDIM] = {false};
	mask[logits->ndim == 1 ? 0 : 1] = true;
	int64_t rows, c;
	mm_tensor *x = rows_of(logits, mask, &rows, &c, d);
	mm_tensor *y = x ? mm_tensor_new(logits->dtype,
	                                 red == MM_CE_NONE ? per.ndim : 0, per.dim,
	                                 d)
	                 : NULL;
	bool f64 = logits->dtype == MM_F64;
	void *lse = y ? mm_tensor_scratch_alloc((size_t)(rows ? rows : 1),
	                                        mm_tensor_elsize(x), d)
	              : NULL;
	bool ok = lse != NULL;
	/* log_softmax(x)[t] = x[t] − logsumexp(x), rows as vmath's */
	if (ok && rows && c)
		ok = vm_ok(f64 ? mm_vmath_reduce_f64(MM_VMATH_LOGSUMEXP, rows, c,
		                                     x->data, lse)
		               : mm_vmath_reduce_f32(MM_VMATH_LOGSUMEXP, rows, c,
		                                     x->data, lse),
		           "cross_entropy", d);
	double sum = 0;
	int64_t counted = 0;
	for (int64_t r = 0; ok && r < rows; r++) {
		double loss = 0, t = mm_tensor_get_flat(targets, r);
		int64_t k;
		if (t != (double)ignore) {
			if (!(ok = id_at(targets, r, c, false, "cross_entropy", "target",
			                 &k, d)))
				break;
			double xt = f64 ? ((const double *)x->data)[r * c + k]
			                : ((const float *)x->data)[r * c + k];
			loss = (f64 ? ((const double *)lse)[r]
			            : ((const float *)lse)[r]) - xt;
			sum += loss;
			counted++;
		}
		if (red == MM_CE_NONE) {
			if (f64)
				((double *)y->data)[r] = loss;
			else
				((float *)y->data)[r] = (float)loss;
		}
	}
	if (ok && red != MM_CE_NONE) {
		/* the mean over the targets not ignored; none: NaN, as PyTorch */
		double v = red == MM_CE_SUM ? sum : sum / (double)counted;
		if (f64)
			*(double *)y->data = v;
		else
			*(float *)y->data = (float)v;
	}
	mm_tensor_scratch_free(lse);
	mm_tensor_unref(x);
	if (!ok) {
		mm_tensor_unref(y);
		return NULL;
	}
	return y;
}
