/* ops_axes.h — views that move, add and drop axes of concrete tensors
 * (NumPy's reshape without copying where the strides allow, expand_dims,
 * squeeze, new axes from indexing). The shapes come from shape.h's
 * rules, which the checker applies first; these functions take the
 * decisions made there (a mask of axes) and build the views.
 *
 * Ownership as in tensor.h: arguments are borrowed; every result is a new
 * reference (a view sharing x's storage unless said otherwise), NULL on
 * error with d filled (span {0,0}). Nothing here prints or exits. */
#ifndef MMCALC_OPS_AXES_H
#define MMCALC_OPS_AXES_H

#include <stdbool.h>

#include "mmcalc/tensor.h"

/* x's elements in C order in the shape of ndim dims (no -1; their product
 * must be x's element count, else MM_ERR_SHAPE): a view when x's strides
 * allow one, by NumPy's rule (each run of axes merged into one must be
 * contiguous within itself; a permuted tensor mostly is not), else a
 * contiguous copy. *copied (may be NULL) says which. */
mm_tensor *mm_op_reshape_view(const mm_tensor *x, int ndim,
                              const int64_t *shape, bool *copied,
                              mm_diag *d);

/* A view with ndim_out = x->ndim + (new axes) axes: where isnew[k] is
 * true, axis k is a new axis of length 1; the others are x's in order. */
mm_tensor *mm_op_expand_dims(const mm_tensor *x, const bool *isnew,
                             int ndim_out, mm_diag *d);

/* A view without the axes drop marks (x->ndim entries), each of length 1
 * (MM_ERR_SHAPE otherwise). */
mm_tensor *mm_op_squeeze(const mm_tensor *x, const bool *drop, mm_diag *d);

#endif
