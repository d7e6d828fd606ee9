/* ckd.h — checked integer arithmetic for sizes, counts and offsets, in the
 * shape of C23's <stdckdint.h>: each macro stores the result through its
 * first argument and is true when the exact result did not fit (the stored
 * value is then the wrapped one and must not be used). Any integer types;
 * the compiler's __builtin_*_overflow does the work, in one instruction and
 * a branch.
 *
 *   size_t bytes;
 *   if (mm_ckd_mul(&bytes, n, 2 * sizeof(double)))
 *       return mm_diag_set(d, MM_ERR_LIMIT, span, "too large");
 *
 * Also the element count of a shape under NumPy's rule. Header only; no
 * state, nothing to free. */
#ifndef MMCALC_CKD_H
#define MMCALC_CKD_H

#include <stdbool.h>
#include <stdint.h>

#define mm_ckd_add(r, a, b) __builtin_add_overflow((a), (b), (r))
#define mm_ckd_sub(r, a, b) __builtin_sub_overflow((a), (b), (r))
#define mm_ckd_mul(r, a, b) __builtin_mul_overflow((a), (b), (r))

/* The number of elements of a shape (ndim dims, each >= 0) into *numel,
 * under NumPy's rule for array sizes: the product of the NON-ZERO dims
 * times elsize must fit in int64 (PTRDIFF_MAX), even when a zero dim makes
 * the array empty — np.zeros((0, 2**62)) is "array is too big" too. So a
 * shape that passes has numel and numel * elsize exact, and any product of
 * some of its dims (a row length, a batch count) fits as well. Returns
 * true when it does NOT pass (*numel is then 0). Negative dims are the
 * caller's to refuse first; here they count as not passing. */
static inline bool mm_ckd_numel(int ndim, const int64_t *shape,
                                uint64_t elsize, int64_t *numel)
{
	int64_t bytes = elsize ? (int64_t)elsize : 1, n = 1;
	bool empty = false;
	*numel = 0;
	if (elsize > (uint64_t)INT64_MAX)
		return true;
	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0)
			return true;
		if (shape[i] == 0) {
			empty = true;
			continue;
		}
		if (mm_ckd_mul(&bytes, bytes, shape[i]) ||
		    mm_ckd_mul(&n, n, shape[i]))
			return true;
	}
	*numel = empty ? 0 : n;
	return false;
}

#endif
