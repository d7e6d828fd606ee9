/* ops_rows.c — operations along an axis on concrete tensors: reductions,
 * softmax and layernorm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/ops.h"
#include "mmcalc/vmath.h"

#define NOSPAN ((mm_span){0, 0})

/* The axis rule of shape.c, as a test. */
static bool norm_axis(int axis, int ndim, int *out, mm_diag *d)
{
	return mm_shape_axis(ndim, axis, out, d) == MM_OK;
}

/* A vmath result as a diagnostic: false when it failed. */
static bool vm_ok(int r, const char *what, mm_diag *d)
{
	if (r == MM_OK)
		return true;
	mm_diag_set(d, (mm_code)r, NOSPAN, "%s: %s", what,
	            r == MM_ERR_INTERRUPTED ? "interrupted" : "failed");
	return false;
}

/* --- reductions ---------------------------------------------------------
 * The contiguous input is seen as outer × r × inner with the reduced
 * axis (or all axes, r = numel) in the middle; inner rows are combined
 * into a double accumulator row, which vectorises along inner. */

/* x as outer × r × inner around axis. */
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

RED_ROW(float)
RED_ROW(double)

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
	/* Nothing to write: done at once, however many empty rows there are
	 * ((2^60 x 0 x 0) summed over axis 1 is 2^60 empty rows). */
	if (mm_tensor_numel(out) == 0)
		return out;
	mm_tensor *c = mm_op_contiguous(x, d);
	if (c && inner == 1) {
		/* Whole rows: vmath's kernel, vectorised and threaded, in a
		 * fixed order whatever the threads (the same bits always). */
		static const mm_vmath_reduce vop[MM_REDUCE_COUNT] = {
			[MM_RED_SUM] = MM_VMATH_SUM, [MM_RED_MEAN] = MM_VMATH_MEAN,
			[MM_RED_MAX] = MM_VMATH_MAX, [MM_RED_MIN] = MM_VMATH_MIN,
			[MM_RED_NORM] = MM_VMATH_NORM};
		int rc = x->dtype == MM_F64
		             ? mm_vmath_reduce_f64(vop[op], outer, r, c->data,
		                                   out->data)
		             : mm_vmath_reduce_f32(vop[op], outer, r, c->data,
		                                   out->data);
		mm_tensor_unref(c);
		if (!vm_ok(rc, mm_op_reduce_name(op), d)) {
			mm_tensor_unref(out);
			return NULL;
		}
		return out;
	}
	double *acc = c ? mm_tensor_scratch_alloc((size_t)(inner ? inner : 1),
	                                          sizeof *acc, d)
	                : NULL;
	if (!acc) {
		mm_tensor_unref(c);
		mm_tensor_unref(out);
		return NULL;
	}
	bool f64 = x->dtype == MM_F64;
	size_t es = mm_tensor_elsize(x);
	for (int64_t o = 0; o < outer; o++) {
		const char *base = (const char *)c->data +
		                   (size_t)(o * r * inner) * es;
		if (f64)
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
			mm_tensor_scratch_free(acc);
			mm_tensor_unref(c);
			mm_tensor_unref(out);
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			return NULL;
		}
	}
	mm_tensor_scratch_free(acc);
	mm_tensor_unref(c);
	return out;
}

/* --- softmax ------------------------------------------------------------ */

#define SOFTMAX(T, EXP, MAP)                                                  \
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
		/* NaNs counted in sum (zero until the exps), not taken    \
		 * into the max, so that the loop vectorises */            \
		for (int64_t j = 0; j < r; j++)                               \
			for (int64_t i = 0; i < inner; i++) {                 \
				double v = x[j * inner + i];                  \
				mx[i] = v > mx[i] ? v : mx[i];                \
				sum[i] += v != v;                             \
			}                                                     \
		for (int64_t i = 0; i < inner; i++) {                         \
			mx[i] = sum[i] > 0 ? NAN : mx[i];                     \
			sum[i] = 0;                                           \
		}                                                             \
		/* the exps a row of inner at a time through vmath's      \
		 * kernel (libm's, one by one, took 2.6 s over 4096²) */  \
		for (int64_t j = 0; j < r; j++) {                             \
			const T *restrict xr = x + j * inner;                 \
			T *restrict yr = y + j * inner;                       \
			for (int64_t i = 0; i < inner; i++)                   \
				yr[i] = xr[i] - (T)mx[i];                     \
			MAP(MM_VMATH_EXP, inner, yr, yr);                     \
			for (int64_t i = 0; i < inner; i++)                   \
				sum[i] += yr[i];                              \
		}                                                             \
		for (int64_t j = 0; j < r; j++)                               \
			for (int64_t i = 0; i < inner; i++)                   \
				y[j * inner + i] =                            \
					(T)(y[j * inner + i] / sum[i]);       \
	}

SOFTMAX(double, exp, mm_vmath_map_f64)
SOFTMAX(float, expf, mm_vmath_map_f32)

mm_tensor *mm_op_softmax(const mm_tensor *x, int axis, mm_diag *d)
{
	int ax;
	if (!norm_axis(axis, x->ndim, &ax, d))
		return NULL;
	int64_t outer, r, inner;
	split3(x, ax, &outer, &r, &inner);
	if (mm_tensor_numel(x) == 0) /* no rows to normalise, or empty ones */
		return mm_tensor_new(x->dtype, x->ndim, x->shape, d);
	mm_tensor *c = mm_op_contiguous(x, d);
	mm_tensor *out = c ? mm_tensor_new(x->dtype, x->ndim, x->shape, d)
	                   : NULL;
	if (out && inner == 1) { /* rows of r: vmath's kernel */
		int rc = x->dtype == MM_F64
		             ? mm_vmath_softmax_f64(outer, r, c->data, out->data)
		             : mm_vmath_softmax_f32(outer, r, c->data, out->data);
		mm_tensor_unref(c);
		if (!vm_ok(rc, "softmax", d)) {
			mm_tensor_unref(out);
			return NULL;
		}
		return out;
	}
	double *tmp = out ? mm_tensor_scratch_alloc(2 * (size_t)(inner ? inner : 1),
	                                            sizeof *tmp, d)
	                  : NULL;
	if (!tmp) {
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
	mm_tensor_scratch_free(tmp);
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
	mm_tensor *c = mm_op_contiguous(x, d);
	mm_tensor *out = c ? mm_tensor_new(x->dtype, x->ndim, x->shape, d)
	                   : NULL;
	/* weight and bias as rows of x's dtype (either may be one element,
	 * or of another dtype), then vmath's kernel: mean and variance in
	 * double, eps 1e-5 as PyTorch. */
	bool f64 = x->dtype == MM_F64;
	size_t es = f64 ? sizeof(double) : sizeof(float);
	void *wb = out ? mm_tensor_scratch_alloc(2 * (size_t)(n ? n : 1), es, d)
	               : NULL;
	if (!wb) {
		mm_tensor_unref(c);
		mm_tensor_unref(out);
		return NULL;
	}
	for (int64_t i = 0; i < n; i++) {
		double w = weight ? affine_at(weight, i) : 1.0;
		double b = bias ? affine_at(bias, i) : 0.0;
		if (f64)
			((double *)wb)[i] = w, ((double *)wb)[n + i] = b;
		else
			((float *)wb)[i] = (float)w, ((float *)wb)[n + i] = (float)b;
	}
	int rc = f64 ? mm_vmath_layernorm_f64(rows, n, c->data,
	                                      weight ? wb : NULL,
	                                      bias ? (double *)wb + n : NULL,
	                                      MM_VMATH_LAYERNORM_EPS, out->data)
	             : mm_vmath_layernorm_f32(rows, n, c->data,
	                                      weight ? wb : NULL,
	                                      bias ? (float *)wb + n : NULL,
	                                      MM_VMATH_LAYERNORM_EPS, out->data);
	if (!vm_ok(rc, "layernorm", d)) {
		mm_tensor_unref(out);
		out = NULL;
	}
	mm_tensor_scratch_free(wb);
	mm_tensor_unref(c);
	return out;
}

