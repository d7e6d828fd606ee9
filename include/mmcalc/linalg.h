/* linalg.h — dense linear algebra on concrete tensors: the reduced QR
 * factorisation by Householder reflections, with LAPACK's (and hence
 * NumPy's) sign convention.
 *
 * Ownership as in tensor.h: the input is borrowed, *q and *r receive new
 * references (set to NULL on error, with d filled, span {0,0}). */
#ifndef MMCALC_LINALG_H
#define MMCALC_LINALG_H

#include "mmcalc/tensor.h"

/* A = Q·R for a 2-D m×n tensor, k = min(m, n): Q is m×k with orthonormal
 * columns, R is k×n upper triangular, as numpy.linalg.qr(A, 'reduced').
 * Reflector j is LAPACK's dlarfg: beta = -sign(a_jj)·‖a_j:m,j‖, none when
 * the part below the diagonal is zero (so R's diagonal may be negative);
 * Q = H1·H2·…·Hk applied to the first k columns of the identity (dorgqr).
 * Computed in double; an f32 input gives f32 results. Either of q and r
 * may be NULL when that factor is not wanted. Not 2-D: MM_ERR_SHAPE. */
mm_code mm_linalg_qr(const mm_tensor *a, mm_tensor **q, mm_tensor **r,
                     mm_diag *d);

#endif
