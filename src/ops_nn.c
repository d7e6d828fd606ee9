/* ops_nn.c — reductions over several axes, argmax and logsumexp on
 * concrete tensors: the reduced axes moved last, then whole rows through
 * vmath's row kernels. */
#include <math.h>
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
