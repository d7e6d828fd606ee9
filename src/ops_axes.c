/* ops_axes.c — views that move, add and drop axes: reshape without a
 * copy where the strides allow, expand_dims, squeeze. */
#include <string.h>

#include "mmcalc/ops_axes.h"

#define NOSPAN ((mm_span){0, 0})

/* C-order strides of a dense tensor of this shape. */
static void dense_strides(int ndim, const int64_t *shape, int64_t *st)
{
	int64_t s = 1;
	for (int k = ndim - 1; k >= 0; k--) {
		st[k] = s;
		s *= shape[k] ? shape[k] : 1;
	}
}

/* NumPy's rule for reshaping without a copy (C order): the old axes, less
 * those of length 1, and the new ones are cut into runs whose products
 * match; a run of old axes must be contiguous within itself (each
 * stride the next one's times its length), and the new axes of the run
 * then get strides from its last old axis. False when some run is not. */
static bool nocopy_strides(const mm_tensor *x, int nn, const int64_t *nd,
                           int64_t *ns)
{
	int64_t od[MM_MAX_NDIM], os[MM_MAX_NDIM];
	int on = 0;
	for (int k = 0; k < x->ndim; k++)
		if (x->shape[k] != 1) {
			od[on] = x->shape[k];
			os[on++] = x->strides[k];
		}
	int ni = 0, oi = 0;
	while (ni < nn && oi < on) {
		int nj = ni + 1, oj = oi + 1;
		int64_t np = nd[ni], op = od[oi];
		/* the products both reach numel, which fits in int64 */
		while (np != op) {
			if (np < op)
				np *= nd[nj++];
			else
				op *= od[oj++];
		}
		for (int k = oi; k < oj - 1; k++)
			if (os[k] != od[k + 1] * os[k + 1])
				return false;
		ns[nj - 1] = os[oj - 1];
		for (int k = nj - 1; k > ni; k--)
			ns[k - 1] = ns[k] * nd[k];
		ni = nj;
		oi = oj;
	}
	for (; ni < nn; ni++) /* trailing axes of length 1 */
		ns[ni] = 1;
	return true;
}

mm_tensor *mm_op_reshape_view(const mm_tensor *x, int ndim,
                              const int64_t *shape, bool *copied,
                              mm_diag *d)
{
	if (copied)
		*copied = false;
	if (ndim < 0 || ndim > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_VALUE, NOSPAN,
		            "a tensor has 0 to %d axes, not %d", MM_MAX_NDIM, ndim);
		return NULL;
	}
	int64_t n = 1;
	bool empty = false;
	for (int k = 0; k < ndim; k++) {
		if (shape[k] < 0 || (shape[k] && n > INT64_MAX / shape[k])) {
			mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
			            "reshape: dimension %lld is not valid here",
			            (long long)shape[k]);
			return NULL;
		}
		empty |= shape[k] == 0;
		n *= shape[k] ? shape[k] : 1;
	}
	if ((empty ? 0 : n) != mm_tensor_numel(x)) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "reshape: %lld elements cannot take a shape of %lld",
		            (long long)mm_tensor_numel(x), (long long)(empty ? 0 : n));
		return NULL;
	}
	int64_t st[MM_MAX_NDIM];
	if (empty || mm_tensor_numel(x) == 1) {
		dense_strides(ndim, shape, st);
		return mm_tensor_view(x, ndim, shape, st, 0, d);
	}
	if (nocopy_strides(x, ndim, shape, st))
		return mm_tensor_view(x, ndim, shape, st, 0, d);
	mm_tensor *c = mm_tensor_contiguous(x, d);
	if (!c)
		return NULL;
	if (copied)
		*copied = true;
	dense_strides(ndim, shape, st);
	mm_tensor *v = mm_tensor_view(c, ndim, shape, st, 0, d);
	mm_tensor_unref(c);
	return v;
}

mm_tensor *mm_op_expand_dims(const mm_tensor *x, const bool *isnew,
                             int ndim_out, mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM], st[MM_MAX_NDIM];
	int j = 0;
	if (ndim_out > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN, "more than %d axes",
		            MM_MAX_NDIM);
		return NULL;
	}
	for (int k = 0; k < ndim_out; k++) {
		if (isnew[k]) {
			shape[k] = 1;
			st[k] = 0;
		} else if (j < x->ndim) {
			shape[k] = x->shape[j];
			st[k] = x->strides[j++];
		} else {
			j++;
		}
	}
	if (j != x->ndim) {
		mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
		            "expand_dims: %d axes do not hold a tensor of %d", ndim_out,
		            x->ndim);
		return NULL;
	}
	return mm_tensor_view(x, ndim_out, shape, st, 0, d);
}

mm_tensor *mm_op_squeeze(const mm_tensor *x, const bool *drop, mm_diag *d)
{
	int64_t shape[MM_MAX_NDIM], st[MM_MAX_NDIM];
	int n = 0;
	for (int k = 0; k < x->ndim; k++) {
		if (!drop[k]) {
			shape[n] = x->shape[k];
			st[n++] = x->strides[k];
		} else if (x->shape[k] != 1) {
			mm_diag_set(d, MM_ERR_SHAPE, NOSPAN,
			            "squeeze: axis %d has length %lld, not 1", k,
			            (long long)x->shape[k]);
			return NULL;
		}
	}
	return mm_tensor_view(x, n, shape, st, 0, d);
}
