/* shape.c — shape algebra with NumPy's rules. */
#include <stdio.h>
#include <string.h>

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

bool mm_shape_eq(const mm_shape *a, const mm_shape *b)
{
	if (a->ndim != b->ndim)
		return false;
	for (int i = 0; i < a->ndim; i++)
		if (a->dim[i] != b->dim[i])
			return false;
	return true;
}

bool mm_shape_numel(const mm_shape *s, uint64_t *out, double *approx)
{
	uint64_t n = 1;
	double f = 1;
	bool exact = true;
	for (int i = 0; i < s->ndim; i++) {
		uint64_t d = (uint64_t)s->dim[i];
		f *= (double)d;
		if (exact && d && n > UINT64_MAX / d)
			exact = false;
		else
			n *= d;
	}
	for (int i = 0; i < s->ndim; i++)
		if (s->dim[i] == 0) /* an empty axis makes everything 0 */
			n = 0, f = 0, exact = true;
	if (out)
		*out = exact ? n : 0;
	if (approx)
		*approx = f;
	return exact;
}

void mm_shape_print(mm_buf *b, const mm_shape *s)
{
	mm_buf_putc(b, '(');
	for (int i = 0; i < s->ndim; i++) {
		if (i)
			mm_buf_puts(b, " x ");
		mm_buf_printf(b, "%lld", (long long)s->dim[i]);
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
	int n = a->ndim > b->ndim ? a->ndim : b->ndim;
	mm_shape r = {0};
	r.ndim = n;
	for (int i = 1; i <= n; i++) {
		int64_t x = i <= a->ndim ? a->dim[a->ndim - i] : 1;
		int64_t y = i <= b->ndim ? b->dim[b->ndim - i] : 1;
		if (x != y && x != 1 && y != 1) {
			char sa[160], sb[160];
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "%s: shapes do not broadcast: %s %s %s; axis -%d: "
			            "%lld != %lld",
			            op, mm_shape_str(a, sa, sizeof sa), op,
			            mm_shape_str(b, sb, sizeof sb), i, (long long)x,
			            (long long)y);
			mm_diag_hint(d, "dims are matched from the right; each pair "
			                "must be equal or one of them 1");
			return MM_ERR_SHAPE;
		}
		r.dim[n - i] = x == 1 ? y : x;
	}
	*out = r;
	return MM_OK;
}

mm_code mm_shape_matmul(const mm_shape *a, const mm_shape *b, mm_shape *out,
                        int64_t *m, int64_t *k, int64_t *n, uint64_t *batch,
                        double *batch_approx, mm_diag *d)
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
	int64_t am = a->ndim == 1 ? 1 : a->dim[a->ndim - 2];
	int64_t ak = a->dim[a->ndim - 1];
	int64_t bk = b->ndim == 1 ? b->dim[0] : b->dim[b->ndim - 2];
	int64_t bn = b->ndim == 1 ? 1 : b->dim[b->ndim - 1];
	if (ak != bk) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "@: inner dimensions differ: %s @ %s; %lld != %lld",
		            mm_shape_str(a, sa, sizeof sa),
		            mm_shape_str(b, sb, sizeof sb), (long long)ak,
		            (long long)bk);
		if (b->ndim >= 2 && bn == ak)
			mm_diag_hint(d, "did you mean the transpose of the right "
			                "operand? A @ B.T has inner dimension %lld",
			             (long long)ak);
		else if (a->ndim >= 2 && am == bk)
			mm_diag_hint(d, "did you mean the transpose of the left "
			                "operand? A.T @ B has inner dimension %lld",
			             (long long)bk);
		else if (a->ndim >= 2 && b->ndim >= 2 && am == bn)
			mm_diag_hint(d, "did you mean B @ A? its inner dimension is "
			                "%lld", (long long)bn);
		else
			mm_diag_hint(d, "the last axis of the left operand must equal "
			                "the second-to-last of the right one");
		return MM_ERR_SHAPE;
	}
	/* Batch axes: everything before the last two, broadcast. */
	mm_shape ba = {0}, bb = {0}, bt;
	if (a->ndim > 2)
		ba = mm_shape_make(a->ndim - 2, a->dim);
	if (b->ndim > 2)
		bb = mm_shape_make(b->ndim - 2, b->dim);
	if (mm_shape_broadcast(&ba, &bb, "@", &bt, d) != MM_OK) {
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
	if (a->ndim >= 2)
		r.dim[r.ndim++] = am;
	if (b->ndim >= 2)
		r.dim[r.ndim++] = bn;
	*out = r;
	*m = am;
	*k = ak;
	*n = bn;
	mm_shape_numel(&bt, batch, batch_approx);
	return MM_OK;
}

mm_shape mm_shape_transpose(const mm_shape *s)
{
	mm_shape r = *s;
	if (r.ndim >= 2) {
		int64_t t = r.dim[r.ndim - 1];
		r.dim[r.ndim - 1] = r.dim[r.ndim - 2];
		r.dim[r.ndim - 2] = t;
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
		char sb[160];
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "reshape: %s has %llu elements, %s would need %s",
		            mm_shape_str(s, sa, sizeof sa), (unsigned long long)total,
		            mm_shape_str(&r, sb, sizeof sb),
		            overflow ? "more than 2^64" : "a different number");
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
