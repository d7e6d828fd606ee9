/* shape.c — shape algebra with NumPy's rules. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/poly.h"
#include "mmcalc/shape.h"

static const mm_span nospan = {0, 0};

mm_shape mm_shape_make(int n, const int64_t *dims)
{
	mm_shape s = {0};
	s.ndim = n;
	for (int i = 0; i < n; i++)
		s.dim[i] = dims[i];
	return s;
}

/* Dims compared: equal, different, or unknown (symbols). */
enum { DIM_EQ, DIM_NE, DIM_UNKNOWN };

static int dim_cmp(const mm_shape *a, int i, const mm_shape *b, int j)
{
	const mm_poly *x = a->sym[i], *y = b->sym[j];
	if (!x && !y)
		return a->dim[i] == b->dim[j] ? DIM_EQ : DIM_NE;
	if (x && y)
		return mm_poly_eq(x, y) ? DIM_EQ : DIM_UNKNOWN;
	return DIM_UNKNOWN;
}

static bool dim_is_one(const mm_shape *a, int i)
{
	return !a->sym[i] && a->dim[i] == 1;
}

/* Writes dim i of a as people read it. */
static void dim_print(mm_buf *b, const mm_shape *a, int i)
{
	if (a->sym[i])
		mm_poly_print(b, a->sym[i], 0);
	else
		mm_buf_put_i64(b, a->dim[i]);
}

/* Records "x REL y" (" == ", " divides ") for dims that must relate so;
 * false (and d set) when there is nowhere to record it or strict mode
 * forbids it. */
static bool assume_rel(mm_assume *as, const mm_shape *a, int i,
                       const char *rel, const mm_shape *b, int j, mm_diag *d)
{
	mm_buf t = MM_BUF_INIT;
	dim_print(&t, a, i);
	mm_buf_puts(&t, rel);
	dim_print(&t, b, j);
	bool ok = as && !as->strict;
	if (ok) {
		bool dup = false;
		for (int k = 0; k < as->n; k++)
			if (strcmp(as->text[k], mm_buf_str(&t)) == 0)
				dup = true;
		if (!dup && as->n < MM_MAX_ASSUME)
			snprintf(as->text[as->n++], sizeof as->text[0], "%s",
			         mm_buf_str(&t));
	} else {
		mm_diag_set(d, MM_ERR_SHAPE, (mm_span){0, 0},
		            "%s may not hold%s", mm_buf_str(&t),
		            as ? " (strict mode: assumptions are errors)" : "");
		mm_diag_hint(d, ":set strict false accepts it as an assumption");
	}
	mm_buf_free(&t);
	return ok;
}

static bool assume_eq(mm_assume *as, const mm_shape *a, int i,
                      const mm_shape *b, int j, mm_diag *d)
{
	return assume_rel(as, a, i, " == ", b, j, d);
}

bool mm_shape_assume(mm_assume *as, const mm_shape *a, int i, const char *rel,
                     const mm_shape *b, int j, mm_diag *d)
{
	return assume_rel(as, a, i, rel, b, j, d);
}

bool mm_shape_eq(const mm_shape *a, const mm_shape *b)
{
	if (a->ndim != b->ndim)
		return false;
	for (int i = 0; i < a->ndim; i++)
		if (dim_cmp(a, i, b, i) != DIM_EQ)
			return false;
	return true;
}

bool mm_shape_numel(const mm_shape *s, uint64_t *out, double *approx)
{
	uint64_t n = 1;
	bool exact = true, empty = false;
	for (int i = 0; i < s->ndim; i++) {
		if (s->sym[i]) {
			if (out)
				*out = 0;
			if (approx)
				*approx = NAN;
			return false;
		}
		uint64_t d = (uint64_t)s->dim[i];
		empty |= d == 0;
		if (exact && __builtin_mul_overflow(n, d, &n))
			exact = false;
	}
	if (empty) /* an empty axis makes everything 0 */
		n = 0, exact = true;
	if (out)
		*out = exact ? n : 0;
	if (approx) {
		double f = 1;
		if (exact)
			f = (double)n;
		else
			for (int i = 0; i < s->ndim; i++)
				f *= (double)s->dim[i];
		*approx = f;
	}
	return exact;
}

void mm_shape_print(mm_buf *b, const mm_shape *s)
{
	mm_buf_putc(b, '(');
	for (int i = 0; i < s->ndim; i++) {
		if (i)
			mm_buf_puts(b, " x ");
		dim_print(b, s, i);
	}
	if (s->ndim == 1)
		mm_buf_putc(b, ',');
	mm_buf_putc(b, ')');
}

const char *mm_shape_str(const mm_shape *s, char *buf, size_t cap)
{
	mm_buf b = MM_BUF_INIT;
	mm_shape_print(&b, s);
	snprintf(buf, cap, "%s", mm_buf_str(&b));
	mm_buf_free(&b);
	return buf;
}

mm_code mm_shape_broadcast(const mm_shape *a, const mm_shape *b,
                           const char *op, mm_shape *out, mm_diag *d)
{
	return mm_shape_broadcast_as(a, b, op, out, NULL, d);
}

mm_code mm_shape_broadcast_as(const mm_shape *a, const mm_shape *b,
                              const char *op, mm_shape *out, mm_assume *as,
                              mm_diag *d)
{
	int n = a->ndim > b->ndim ? a->ndim : b->ndim;
	mm_shape r = {0};
	r.ndim = n;
	for (int i = 1; i <= n; i++) {
		int ia = a->ndim - i, ib = b->ndim - i, o = n - i;
		if (ia < 0 || (ib >= 0 && dim_is_one(a, ia))) {
			r.dim[o] = b->dim[ib];
			r.sym[o] = b->sym[ib];
			continue;
		}
		if (ib < 0 || dim_is_one(b, ib)) {
			r.dim[o] = a->dim[ia];
			r.sym[o] = a->sym[ia];
			continue;
		}
		int c = dim_cmp(a, ia, b, ib);
		if (c == DIM_UNKNOWN) {
			if (!assume_eq(as, a, ia, b, ib, d))
				return MM_ERR_SHAPE;
			/* A number is the better guess of the two. */
			bool take_b = a->sym[ia] && !b->sym[ib];
			r.dim[o] = take_b ? b->dim[ib] : a->dim[ia];
			r.sym[o] = take_b ? b->sym[ib] : a->sym[ia];
			continue;
		}
		if (c == DIM_NE) {
			char sa[160], sb[160];
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "%s: shapes do not broadcast: %s %s %s; axis -%d: "
			            "%lld != %lld",
			            op, mm_shape_str(a, sa, sizeof sa), op,
			            mm_shape_str(b, sb, sizeof sb), i, (long long)a->dim[ia],
			            (long long)b->dim[ib]);
			mm_diag_hint(d, "dims are matched from the right; each pair "
			                "must be equal or one of them 1");
			return MM_ERR_SHAPE;
		}
		r.dim[o] = a->dim[ia];
		r.sym[o] = a->sym[ia];
	}
	*out = r;
	return MM_OK;
}

mm_code mm_shape_matmul(const mm_shape *a, const mm_shape *b, mm_shape *out,
                        int64_t *m, int64_t *k, int64_t *n, uint64_t *batch,
                        double *batch_approx, mm_diag *d)
{
	return mm_shape_matmul_as(a, b, out, m, k, n, batch, batch_approx, NULL, d);
}

mm_code mm_shape_matmul_as(const mm_shape *a, const mm_shape *b,
                           mm_shape *out, int64_t *m, int64_t *k, int64_t *n,
                           uint64_t *batch, double *batch_approx,
                           mm_assume *as, mm_diag *d)
{
	char sa[160], sb[160];
	if (a->ndim == 0 || b->ndim == 0) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "@: matmul needs operands with at least 1 axis, got %s @ %s",
		            mm_shape_str(a, sa, sizeof sa),
		            mm_shape_str(b, sb, sizeof sb));
		mm_diag_hint(d, "use * to scale by a scalar");
		return MM_ERR_SHAPE;
	}
	/* 1-D operands are promoted: a vector on the left is a row (1 x k),
	 * on the right a column (k x 1); the added axis is removed after. */
	int im = a->ndim - 2, ik = a->ndim - 1;
	int jk = b->ndim == 1 ? 0 : b->ndim - 2, jn = b->ndim - 1;
	int64_t am = a->ndim == 1 ? 1 : a->dim[im];
	int64_t ak = a->dim[ik];
	int64_t bk = b->dim[jk];
	int64_t bn = b->ndim == 1 ? 1 : b->dim[jn];
	int c = dim_cmp(a, ik, b, jk);
	if (c == DIM_UNKNOWN) {
		if (!assume_eq(as, a, ik, b, jk, d)) {
			mm_buf t = MM_BUF_INIT;
			mm_buf_printf(&t, "@: inner dimensions of %s @ %s: %s",
			              mm_shape_str(a, sa, sizeof sa),
			              mm_shape_str(b, sb, sizeof sb), d ? d->message : "");
			if (d)
				snprintf(d->message, sizeof d->message, "%.*s",
				         (int)sizeof d->message - 1, mm_buf_str(&t));
			mm_buf_free(&t);
			return MM_ERR_SHAPE;
		}
	} else if (c == DIM_NE) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "@: inner dimensions differ: %s @ %s; %lld != %lld",
		            mm_shape_str(a, sa, sizeof sa),
		            mm_shape_str(b, sb, sizeof sb), (long long)ak,
		            (long long)bk);
		if (b->ndim >= 2 && !b->sym[jn] && bn == ak)
			mm_diag_hint(d, "did you mean the transpose of the right "
			                "operand? A @ B.T has inner dimension %lld",
			             (long long)ak);
		else if (a->ndim >= 2 && !a->sym[im] && am == bk)
			mm_diag_hint(d, "did you mean the transpose of the left "
			                "operand? A.T @ B has inner dimension %lld",
			             (long long)bk);
		else if (a->ndim >= 2 && b->ndim >= 2 && !a->sym[im] &&
		         !b->sym[jn] && am == bn)
			mm_diag_hint(d, "did you mean B @ A? its inner dimension is "
			                "%lld", (long long)bn);
		else
			mm_diag_hint(d, "the last axis of the left operand must equal "
			                "the second-to-last of the right one");
		return MM_ERR_SHAPE;
	}
	/* Batch axes: everything before the last two, broadcast. */
	mm_shape ba = {0}, bb = {0}, bt;
	for (int i = 0; i < a->ndim - 2; i++, ba.ndim++)
		ba.dim[i] = a->dim[i], ba.sym[i] = a->sym[i];
	for (int i = 0; i < b->ndim - 2; i++, bb.ndim++)
		bb.dim[i] = b->dim[i], bb.sym[i] = b->sym[i];
	if (mm_shape_broadcast_as(&ba, &bb, "@", &bt, as, d) != MM_OK) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "@: batch axes do not broadcast: %s @ %s",
		            mm_shape_str(a, sa, sizeof sa),
		            mm_shape_str(b, sb, sizeof sb));
		mm_diag_hint(d, "axes before the last two are broadcast like +");
		return MM_ERR_SHAPE;
	}
	if (bt.ndim + 2 > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_LIMIT, nospan, "@: more than %d axes",
		            MM_MAX_NDIM);
		return MM_ERR_LIMIT;
	}
	mm_shape r = bt;
	if (a->ndim >= 2) {
		r.dim[r.ndim] = am;
		r.sym[r.ndim++] = a->sym[im];
	}
	if (b->ndim >= 2) {
		r.dim[r.ndim] = bn;
		r.sym[r.ndim++] = b->sym[jn];
	}
	*out = r;
	*m = am;
	*k = ak;
	*n = bn;
	if (!mm_shape_numel(&bt, batch, batch_approx) && mm_shape_is_symbolic(&bt))
		*batch = 0;
	return MM_OK;
}

mm_code mm_shape_matrix_as(const char *fn, const mm_shape *a, bool square,
                           mm_assume *as, mm_diag *d)
{
	char sa[160];
	if (a->ndim < 2)
		return mm_diag_set(d, MM_ERR_SHAPE, nospan,
		                   "%s needs a matrix (or a stack of them), not "
		                   "the %d-D %s", fn, a->ndim,
		                   mm_shape_str(a, sa, sizeof sa));
	int m = a->ndim - 2, n = a->ndim - 1, c = dim_cmp(a, m, a, n);
	if (!square || c == DIM_EQ || (c == DIM_UNKNOWN && assume_eq(as, a, m, a, n, d)))
		return MM_OK;
	if (c == DIM_UNKNOWN)
		return MM_ERR_SHAPE;
	return mm_diag_set(d, MM_ERR_SHAPE, nospan,
	                   "%s needs square matrices, not %s", fn,
	                   mm_shape_str(a, sa, sizeof sa));
}

mm_code mm_shape_solve_as(const mm_shape *a, const mm_shape *b,
                          mm_shape *out, bool *vec, mm_assume *as,
                          mm_diag *d)
{
	char s1[160], s2[160];
	mm_code r = mm_shape_matrix_as("solve", a, true, as, d);
	if (r != MM_OK)
		return r;
	int n = a->ndim - 1;
	*vec = b->ndim == a->ndim - 1;
	if (!*vec && b->ndim < 2)
		return mm_diag_set(d, MM_ERR_SHAPE, nospan,
		                   "solve: b %s must be a stack of vectors (%d "
		                   "axes) or of matrices (at least 2 axes) for "
		                   "A %s", mm_shape_str(b, s1, sizeof s1),
		                   a->ndim - 1, mm_shape_str(a, s2, sizeof s2));
	int bnd = b->ndim - (*vec ? 1 : 2);
	int c = dim_cmp(b, bnd, a, n);
	if (c == DIM_NE) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "solve: b %s has %lld rows where A %s needs %lld",
		            mm_shape_str(b, s1, sizeof s1), (long long)b->dim[bnd],
		            mm_shape_str(a, s2, sizeof s2), (long long)a->dim[n]);
		if (*vec && b->ndim >= 2 && b->ndim < MM_MAX_NDIM) {
			/* NumPy 1.x's surprise: (n x k) for (B x n x n) */
			mm_shape one = {0};
			one.ndim = b->ndim + 1;
			one.dim[0] = 1;
			for (int k = 0; k < b->ndim; k++) {
				one.dim[k + 1] = b->dim[k];
				one.sym[k + 1] = b->sym[k];
			}
			mm_diag_hint(d, "b has one axis fewer than A, so it is a "
			                "stack of vectors (NumPy 1.x's rule); as "
			                "matrices of right-hand sides it needs A's "
			                "axes: %s", mm_shape_str(&one, s1, sizeof s1));
		} else {
			mm_diag_hint(d, "b is a stack of vectors (…, n) when it has "
			                "one axis fewer than A, else of matrices (…, "
			                "n, k)");
		}
		return MM_ERR_SHAPE;
	}
	if (c == DIM_UNKNOWN && !assume_eq(as, b, bnd, a, n, d))
		return MM_ERR_SHAPE;
	/* the stack axes broadcast */
	mm_shape sa = *a, sb = *b, so;
	sa.ndim = a->ndim - 2;
	sb.ndim = bnd;
	if (mm_shape_broadcast_as(&sa, &sb, "solve", &so, as, d) != MM_OK ||
	    so.ndim + (*vec ? 1 : 2) > MM_MAX_NDIM)
		return mm_diag_set(d, MM_ERR_SHAPE, nospan,
		                   "solve: the stack axes of A %s and b %s do not "
		                   "broadcast", mm_shape_str(a, s1, sizeof s1),
		                   mm_shape_str(b, s2, sizeof s2));
	so.dim[so.ndim] = a->dim[n];
	so.sym[so.ndim++] = a->sym[n];
	if (!*vec) {
		so.dim[so.ndim] = b->dim[b->ndim - 1];
		so.sym[so.ndim++] = b->sym[b->ndim - 1];
	}
	*out = so;
	return MM_OK;
}

mm_shape mm_shape_transpose(const mm_shape *s)
{
	mm_shape r = *s;
	if (r.ndim >= 2) {
		int64_t t = r.dim[r.ndim - 1];
		r.dim[r.ndim - 1] = r.dim[r.ndim - 2];
		r.dim[r.ndim - 2] = t;
		const struct mm_poly *p = r.sym[r.ndim - 1];
		r.sym[r.ndim - 1] = r.sym[r.ndim - 2];
		r.sym[r.ndim - 2] = p;
	}
	return r;
}

mm_code mm_shape_axis(int ndim, int64_t axis, int *out, mm_diag *d)
{
	if (axis < -(int64_t)ndim || axis >= ndim) {
		if (ndim == 0)
			mm_diag_set(d, MM_ERR_VALUE, nospan,
			            "axis %lld is out of range for a 0-d value",
			            (long long)axis);
		else
			mm_diag_set(d, MM_ERR_VALUE, nospan,
			            "axis %lld is out of range for %d axes "
			            "(valid: %d to %d)",
			            (long long)axis, ndim, -ndim, ndim - 1);
		return MM_ERR_VALUE;
	}
	*out = (int)(axis < 0 ? axis + ndim : axis);
	return MM_OK;
}

mm_shape mm_shape_reduce(const mm_shape *s, bool all, int axis, bool keepdims)
{
	mm_shape r = {0};
	for (int i = 0; i < s->ndim; i++) {
		if (all || i == axis) {
			if (keepdims)
				r.dim[r.ndim++] = 1;
		} else {
			r.sym[r.ndim] = s->sym[i];
			r.dim[r.ndim++] = s->dim[i];
		}
	}
	return r;
}

mm_code mm_shape_reshape(const mm_shape *s, int n, const int64_t *dims,
                         mm_shape *out, mm_diag *d)
{
	char sa[160];
	uint64_t total;
	mm_shape_numel(s, &total, NULL);
	int infer = -1;
	uint64_t known = 1;
	bool overflow = false;
	for (int i = 0; i < n; i++) {
		if (dims[i] == -1) {
			if (infer >= 0) {
				mm_diag_set(d, MM_ERR_SHAPE, nospan,
				            "reshape: only one dimension can be -1");
				return MM_ERR_SHAPE;
			}
			infer = i;
		} else if (dims[i] < 0) {
			mm_diag_set(d, MM_ERR_VALUE, nospan,
			            "reshape: negative dimension %lld",
			            (long long)dims[i]);
			return MM_ERR_VALUE;
		} else {
			uint64_t x = (uint64_t)dims[i];
			if (x && known > UINT64_MAX / x)
				overflow = true;
			known *= x;
		}
	}
	mm_shape r = mm_shape_make(n, dims);
	if (infer >= 0) {
		if (known == 0 || overflow || total % known) {
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "reshape: cannot infer -1 for %s (%llu elements)",
			            mm_shape_str(s, sa, sizeof sa),
			            (unsigned long long)total);
			return MM_ERR_SHAPE;
		}
		r.dim[infer] = (int64_t)(total / known);
	} else if (overflow || known != total) {
		char sb[160], nb[32] = "more than 2^64";
		if (!overflow)
			snprintf(nb, sizeof nb, "%llu", (unsigned long long)known);
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "reshape: %s has %llu elements, %s has %s",
		            mm_shape_str(s, sa, sizeof sa), (unsigned long long)total,
		            mm_shape_str(&r, sb, sizeof sb), nb);
		return MM_ERR_SHAPE;
	}
	*out = r;
	return MM_OK;
}

mm_code mm_shape_concat(const mm_shape *s, int k, int64_t axis,
                        mm_shape *out, mm_diag *d)
{
	if (k == 0) {
		mm_diag_set(d, MM_ERR_ARG, nospan, "concat needs at least one value");
		return MM_ERR_ARG;
	}
	int ax;
	if (s[0].ndim == 0) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "concat: 0-d values cannot be concatenated");
		return MM_ERR_SHAPE;
	}
	if (mm_shape_axis(s[0].ndim, axis, &ax, d) != MM_OK)
		return MM_ERR_VALUE;
	mm_shape r = s[0];
	for (int i = 1; i < k; i++) {
		char sa[160], sb[160];
		bool ok = s[i].ndim == r.ndim;
		for (int j = 0; ok && j < r.ndim; j++)
			if (j != ax && s[i].dim[j] != s[0].dim[j])
				ok = false;
		if (!ok) {
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "concat: %s and %s differ outside axis %d",
			            mm_shape_str(&s[0], sa, sizeof sa),
			            mm_shape_str(&s[i], sb, sizeof sb), ax);
			return MM_ERR_SHAPE;
		}
		if (r.dim[ax] > INT64_MAX - s[i].dim[ax]) {
			mm_diag_set(d, MM_ERR_LIMIT, nospan,
			            "concat: dimension overflows");
			return MM_ERR_LIMIT;
		}
		r.dim[ax] += s[i].dim[ax];
	}
	*out = r;
	return MM_OK;
}

/* Whether dims (a, i) and (b, j) are equal, or may be and the assumption
 * is recorded in as. */
static bool dims_fit(const mm_shape *a, int i, const mm_shape *b, int j,
                     mm_assume *as, mm_diag *d)
{
	int c = dim_cmp(a, i, b, j);
	return c == DIM_EQ || (c == DIM_UNKNOWN && assume_eq(as, a, i, b, j, d));
}

mm_code mm_shape_attention_as(const mm_shape *q, const mm_shape *k,
                              const mm_shape *v, mm_shape *out,
                              mm_assume *as, mm_diag *d)
{
	char sq[160], sk[160], sv[160];
	int n = q->ndim;
	if (n < 2 || k->ndim < 2 || v->ndim < 2) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan, "attention: Q, K and V need at "
		            "least 2 axes (tokens x dim)");
		return MM_ERR_SHAPE;
	}
	bool fit = k->ndim == n && v->ndim == n;
	bool lead = false; /* the misfit is in the leading axes */
	mm_diag why = {0};
	/* K's dim is Q's, V's tokens are K's; then the leading axes: equal,
	 * but for the heads axis, where K's count divides Q's. */
	fit = fit && dims_fit(q, n - 1, k, n - 1, as, &why) &&
	      dims_fit(k, n - 2, v, n - 2, as, &why);
	for (int a = 0; fit && a < n - 2; a++) {
		lead = true;
		fit = dims_fit(k, a, v, a, as, &why);
		if (!fit || a != n - 3) {
			fit = fit && dims_fit(q, a, k, a, as, &why);
			continue;
		}
		int c = dim_cmp(k, a, q, a);
		if (c == DIM_NE)
			fit = k->dim[a] > 0 && q->dim[a] % k->dim[a] == 0;
		else if (c == DIM_UNKNOWN && !k->sym[a] && k->dim[a] == 0)
			fit = false; /* no heads divide Q's (unless Q has none) */
		else if (c == DIM_UNKNOWN)
			fit = assume_rel(as, k, a, " divides ", q, a, &why);
	}
	if (!fit && lead && !why.message[0]) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "attention: the leading axes of Q %s, K %s and V %s "
		            "differ (Q's heads must be a multiple of K's)",
		            mm_shape_str(q, sq, sizeof sq),
		            mm_shape_str(k, sk, sizeof sk),
		            mm_shape_str(v, sv, sizeof sv));
		return MM_ERR_SHAPE;
	}
	if (!fit) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "attention: Q %s, K %s, V %s do not fit%s%s",
		            mm_shape_str(q, sq, sizeof sq),
		            mm_shape_str(k, sk, sizeof sk),
		            mm_shape_str(v, sv, sizeof sv), why.message[0] ? ": " : "",
		            why.message);
		mm_diag_hint(d, "%s", why.message[0] ? why.hint
		                : "Q is (.. heads x s_q x d), K (.. kv_heads x s_k x d), "
		                  "V (.. kv_heads x s_k x d_v)");
		return MM_ERR_SHAPE;
	}
	*out = *q;
	out->dim[n - 1] = v->dim[n - 1];
	out->sym[n - 1] = v->sym[n - 1];
	return MM_OK;
}

/* An index of an axis of length len, negative counting from the end,
 * clamped to [lo, hi]. */
static int64_t clamp_pos(int64_t v, int64_t len, int64_t lo, int64_t hi)
{
	if (v < 0)
		v += len; /* cannot overflow: v < 0 <= len */
	return v < lo ? lo : v > hi ? hi : v;
}

mm_code mm_shape_slice(int64_t len, const int64_t part[3], const bool has[3],
                       int64_t *first, int64_t *count, mm_diag *d)
{
	int64_t step = has[2] ? part[2] : 1;
	if (step == 0)
		return mm_diag_set(d, MM_ERR_VALUE, nospan, "slice step cannot be 0");
	int64_t lo, hi;
	uint64_t span, by;
	if (step > 0) {
		lo = has[0] ? clamp_pos(part[0], len, 0, len) : 0;
		hi = has[1] ? clamp_pos(part[1], len, 0, len) : len;
		span = hi > lo ? (uint64_t)(hi - lo) : 0;
		by = (uint64_t)step;
	} else {
		lo = has[0] ? clamp_pos(part[0], len, -1, len - 1) : len - 1;
		hi = has[1] ? clamp_pos(part[1], len, -1, len - 1) : -1;
		span = lo > hi ? (uint64_t)(lo - hi) : 0;
		by = UINT64_C(0) - (uint64_t)step; /* |step|, INT64_MIN too */
	}
	*first = lo;
	*count = span ? (int64_t)((span - 1) / by + 1) : 0;
	return MM_OK;
}

/* ---- axes: permutations, new and dropped axes, several at once ---- */

mm_code mm_shape_axes(int ndim, const int64_t *axes, int n, bool *mask,
                      mm_diag *d)
{
	for (int i = 0; i < ndim; i++)
		mask[i] = false;
	for (int k = 0; k < n; k++) {
		int ax;
		if (mm_shape_axis(ndim, axes[k], &ax, d) != MM_OK)
			return MM_ERR_VALUE;
		if (mask[ax]) {
			if (axes[k] < 0)
				mm_diag_set(d, MM_ERR_VALUE, nospan,
				            "axis %lld is given twice (as axis %d)",
				            (long long)axes[k], ax);
			else
				mm_diag_set(d, MM_ERR_VALUE, nospan,
				            "axis %d is given twice", ax);
			mm_diag_hint(d, "each axis once; negative ones count from "
			                "the end");
			return MM_ERR_VALUE;
		}
		mask[ax] = true;
	}
	return MM_OK;
}

mm_shape mm_shape_reduce_mask(const mm_shape *s, const bool *mask,
                              bool keepdims)
{
	mm_shape r = {0};
	for (int i = 0; i < s->ndim; i++) {
		if (!mask[i]) {
			r.sym[r.ndim] = s->sym[i];
			r.dim[r.ndim++] = s->dim[i];
		} else if (keepdims) {
			r.dim[r.ndim++] = 1;
		}
	}
	return r;
}

mm_code mm_shape_permute(const mm_shape *s, const int64_t *axes, int n,
                         int *perm, mm_shape *out, mm_diag *d)
{
	char sb[160];
	if (n != s->ndim) {
		mm_diag_set(d, MM_ERR_VALUE, nospan,
		            "a permutation of %s needs %d axes, got %d",
		            mm_shape_str(s, sb, sizeof sb), s->ndim, n);
		mm_diag_hint(d, "list every axis once, in its new place: "
		                "permute(x, 0, 2, 1, 3) swaps the middle two of 4");
		return MM_ERR_VALUE;
	}
	bool mask[MM_MAX_NDIM];
	mm_code r = mm_shape_axes(s->ndim, axes, n, mask, d);
	if (r != MM_OK)
		return r;
	mm_shape o = {0};
	o.ndim = n;
	for (int k = 0; k < n; k++) {
		int ax = (int)(axes[k] < 0 ? axes[k] + n : axes[k]);
		perm[k] = ax;
		o.dim[k] = s->dim[ax];
		o.sym[k] = s->sym[ax];
	}
	*out = o;
	return MM_OK;
}

mm_code mm_shape_swapaxes(const mm_shape *s, int64_t a, int64_t b, int *perm,
                          mm_shape *out, mm_diag *d)
{
	int x, y;
	if (mm_shape_axis(s->ndim, a, &x, d) != MM_OK ||
	    mm_shape_axis(s->ndim, b, &y, d) != MM_OK)
		return MM_ERR_VALUE;
	int64_t axes[MM_MAX_NDIM];
	for (int k = 0; k < s->ndim; k++)
		axes[k] = k == x ? y : k == y ? x : k;
	return mm_shape_permute(s, axes, s->ndim, perm, out, d);
}

mm_code mm_shape_expand_dims(const mm_shape *s, const int64_t *axes, int n,
                             bool *isnew, mm_shape *out, mm_diag *d)
{
	int nd = s->ndim + n;
	if (nd > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_LIMIT, nospan,
		            "expand_dims: %d axes, more than %d", nd, MM_MAX_NDIM);
		return MM_ERR_LIMIT;
	}
	/* NumPy counts the new axes' positions in the result */
	mm_code r = mm_shape_axes(nd, axes, n, isnew, d);
	if (r != MM_OK)
		return r;
	mm_shape o = {0};
	o.ndim = nd;
	for (int k = 0, j = 0; k < nd; k++) {
		if (isnew[k]) {
			o.dim[k] = 1;
			continue;
		}
		o.dim[k] = s->dim[j];
		o.sym[k] = s->sym[j++];
	}
	*out = o;
	return MM_OK;
}

mm_code mm_shape_squeeze(const mm_shape *s, const int64_t *axes, int n,
                         bool *drop, mm_shape *out, mm_assume *as,
                         mm_diag *d)
{
	if (n < 0) { /* every axis known to be 1 */
		for (int k = 0; k < s->ndim; k++)
			drop[k] = dim_is_one(s, k);
	} else {
		mm_code r = mm_shape_axes(s->ndim, axes, n, drop, d);
		if (r != MM_OK)
			return r;
		static const mm_shape one = {.ndim = 1, .dim = {1}};
		for (int k = 0; k < s->ndim; k++) {
			if (!drop[k] || dim_is_one(s, k))
				continue;
			if (s->sym[k] && assume_eq(as, s, k, &one, 0, d))
				continue;
			char sb[160];
			if (!s->sym[k])
				mm_diag_set(d, MM_ERR_VALUE, nospan,
				            "squeeze: axis %d of %s has length %lld, "
				            "not 1", k, mm_shape_str(s, sb, sizeof sb),
				            (long long)s->dim[k]);
			mm_diag_hint(d, "only axes of length 1 can be squeezed out; "
			                "reshape changes others");
			return MM_ERR_VALUE;
		}
	}
	mm_shape o = {0};
	for (int k = 0; k < s->ndim; k++)
		if (!drop[k]) {
			o.dim[o.ndim] = s->dim[k];
			o.sym[o.ndim++] = s->sym[k];
		}
	*out = o;
	return MM_OK;
}

mm_code mm_shape_take(const mm_shape *table, const mm_shape *ids, int64_t axis,
                      int *ax, mm_shape *out, mm_diag *d)
{
	if (table->ndim == 0) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "take: a 0-d value has no axis to take from");
		return MM_ERR_SHAPE;
	}
	if (mm_shape_axis(table->ndim, axis, ax, d) != MM_OK)
		return MM_ERR_VALUE;
	int nd = table->ndim - 1 + ids->ndim;
	if (nd > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_LIMIT, nospan,
		            "take: the result would have %d axes, more than %d", nd,
		            MM_MAX_NDIM);
		return MM_ERR_LIMIT;
	}
	mm_shape o = {0};
	for (int k = 0; k < *ax; k++, o.ndim++)
		o.dim[o.ndim] = table->dim[k], o.sym[o.ndim] = table->sym[k];
	for (int k = 0; k < ids->ndim; k++, o.ndim++)
		o.dim[o.ndim] = ids->dim[k], o.sym[o.ndim] = ids->sym[k];
	for (int k = *ax + 1; k < table->ndim; k++, o.ndim++)
		o.dim[o.ndim] = table->dim[k], o.sym[o.ndim] = table->sym[k];
	*out = o;
	return MM_OK;
}

mm_code mm_shape_cross_entropy(const mm_shape *logits, const mm_shape *targets,
                               mm_shape *out, mm_assume *as, mm_diag *d)
{
	char sl[160], st[160], sg[160];
	/* (C,) with (); (N, C, d1, ...) with (N, d1, ...): the class axis is
	 * 1 (PyTorch's layout) */
	mm_shape want = {0};
	if (logits->ndim == 0) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "cross_entropy: the logits need a class axis, got %s",
		            mm_shape_str(logits, sl, sizeof sl));
		return MM_ERR_SHAPE;
	}
	for (int k = 0; k < logits->ndim; k++)
		if (k != (logits->ndim == 1 ? 0 : 1)) {
			want.dim[want.ndim] = logits->dim[k];
			want.sym[want.ndim++] = logits->sym[k];
		}
	bool fit = targets->ndim == want.ndim;
	mm_diag why = {0};
	for (int k = 0; fit && k < want.ndim; k++) {
		int c = dim_cmp(&want, k, targets, k);
		fit = c == DIM_EQ ||
		      (c == DIM_UNKNOWN && assume_eq(as, &want, k, targets, k, &why));
	}
	if (!fit) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "cross_entropy: logits %s need class-index targets of "
		            "shape %s, got %s%s%s",
		            mm_shape_str(logits, sl, sizeof sl),
		            mm_shape_str(&want, st, sizeof st),
		            mm_shape_str(targets, sg, sizeof sg),
		            why.message[0] ? ": " : "", why.message);
		if (mm_shape_eq(targets, logits))
			mm_diag_hint(d, "targets are class indices (argmax(p, axis=%d) "
			                "of probabilities p), not probabilities",
			             logits->ndim == 1 ? 0 : 1);
		else
			mm_diag_hint(d, "the class axis is axis %d of the logits; the "
			                "targets have the other axes",
			             logits->ndim == 1 ? 0 : 1);
		return MM_ERR_SHAPE;
	}
	*out = want;
	return MM_OK;
}

/* The product of s's dims but skip (-1: none) as a polynomial. */
static mm_code dims_poly(const mm_shape *s, int skip, mm_poly *out, mm_diag *d)
{
	mm_poly_const(out, 1);
	for (int k = 0; k < s->ndim; k++) {
		if (k == skip)
			continue;
		mm_poly f;
		if (s->sym[k])
			f = *s->sym[k];
		else
			mm_poly_const(&f, s->dim[k]);
		mm_code r = mm_poly_mul(out, out, &f, d);
		if (r != MM_OK)
			return r;
	}
	return MM_OK;
}

mm_code mm_shape_reshape_as(const mm_shape *s, const mm_shape *t, int infer,
                            mm_poly *store, mm_shape *out, mm_assume *as,
                            mm_diag *d)
{
	if (!mm_shape_is_symbolic(s) && !mm_shape_is_symbolic(t)) {
		int64_t dims[MM_MAX_NDIM];
		for (int k = 0; k < t->ndim; k++)
			dims[k] = k == infer ? -1 : t->dim[k];
		return mm_shape_reshape(s, t->ndim, dims, out, d);
	}
	char sa[160], sb[160];
	mm_poly total, known;
	mm_code r;
	if ((r = dims_poly(s, -1, &total, d)) != MM_OK ||
	    (r = dims_poly(t, infer, &known, d)) != MM_OK)
		return r;
	mm_shape o = *t;
	if (infer >= 0) {
		int64_t v;
		if (mm_poly_is_zero(&known) ||
		    mm_poly_div(store, &total, &known, NULL) != MM_OK ||
		    (mm_poly_is_const(store) &&
		     (!mm_poly_get_const(store, &v) || v < 0))) {
			o.dim[infer] = -1;
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "reshape: cannot infer -1 for %s from %s",
			            mm_shape_str(&o, sb, sizeof sb),
			            mm_shape_str(s, sa, sizeof sa));
			return MM_ERR_SHAPE;
		}
		o.dim[infer] = 0;
		o.sym[infer] = store;
		if (mm_poly_get_const(store, &v)) {
			o.dim[infer] = v;
			o.sym[infer] = NULL;
		}
		*out = o;
		return MM_OK;
	}
	if (!mm_poly_eq(&total, &known)) {
		mm_shape a = {.ndim = 1, .sym = {&total}},
		         b = {.ndim = 1, .sym = {&known}};
		if (mm_poly_is_const(&total) && mm_poly_is_const(&known)) {
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "reshape: %s and %s hold different numbers of "
			            "elements", mm_shape_str(s, sa, sizeof sa),
			            mm_shape_str(t, sb, sizeof sb));
			return MM_ERR_SHAPE;
		}
		if (!assume_eq(as, &a, 0, &b, 0, d)) {
			mm_buf m = MM_BUF_INIT;
			mm_buf_printf(&m, "reshape: %s to %s: %s",
			              mm_shape_str(s, sa, sizeof sa),
			              mm_shape_str(t, sb, sizeof sb), d ? d->message : "");
			if (d)
				snprintf(d->message, sizeof d->message, "%s",
				         mm_buf_str(&m));
			mm_buf_free(&m);
			return MM_ERR_SHAPE;
		}
	}
	*out = o;
	return MM_OK;
}
