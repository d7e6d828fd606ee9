/* linalg.h — dense linear algebra on concrete tensors, as numpy.linalg
 * does it: QR, solve, inv, det and slogdet (LU with partial pivoting),
 * Cholesky, least squares and the SVD, by LAPACK's blocked algorithms
 * with nearly all of their work in mm_dgemm (gemm.h).
 *
 * Ownership as in tensor.h: inputs are borrowed; every tensor returned,
 * directly or through an out-pointer, is a new reference for the caller
 * (out-pointers are set to NULL on error, with d filled: code, message,
 * span left {0,0}).
 *
 * Stacks: a matrix argument is a tensor of at least 2 axes whose last two
 * are the matrix; leading axes are a batch (a stack of matrices), as in
 * NumPy, and results carry them. lstsq alone is 2-D only, as NumPy's.
 *
 * Precision: everything is computed in double. The result's dtype is the
 * input's (the promoted one, mm_dtype_promote, for two inputs), so an f32
 * input gives f32 results, rounded from the double computation.
 *
 * Errors: MM_ERR_SHAPE for shapes NumPy refuses (a matrix argument with
 * fewer than 2 axes; a non-square matrix for solve, inv, det, slogdet and
 * cholesky; b not fitting A; batch axes that do not broadcast), with both
 * shapes in the message. MM_ERR_VALUE for an exactly singular matrix in
 * solve and inv ("matrix is singular") and a matrix that is not positive
 * definite in cholesky, naming the stack entry ("matrix [1, 0] is ...")
 * when there is a batch; and for an SVD that did not converge.
 * MM_ERR_INTERRUPTED when mm_interrupted() was seen between blocks,
 * MM_ERR_NOMEM or MM_ERR_LIMIT for memory. Every temporary is freed on
 * every path. Nothing prints or exits. */
#ifndef MMCALC_LINALG_H
#define MMCALC_LINALG_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/tensor.h"

/* A = Q·R, numpy.linalg.qr(A, 'reduced'): for m×n matrices (k = min(m, n))
 * Q is m×k with orthonormal columns, R k×n upper triangular. Householder
 * reflectors as LAPACK's dgeqrf (dlarfg: beta = -sign(a_jj)·‖a_j:m,j‖,
 * none when the part below the diagonal is zero, so R's diagonal may be
 * negative) and Q = H1·H2·…·Hk as dorgqr, so signs match NumPy. Either of
 * q and r may be NULL when that factor is not wanted. */
mm_code mm_linalg_qr(const mm_tensor *a, mm_tensor **q, mm_tensor **r,
                     mm_diag *d);

/* x with A·x = b, numpy.linalg.solve (NumPy 1.x's rule for b, the
 * installed reference): A is (…, n, n); b is a stack of vectors (…, n)
 * when it has exactly one axis fewer than A, else a stack of matrices
 * (…, n, k); batch axes broadcast. x has b's form with the broadcast
 * batch. LU with partial pivoting (dgesv). An exactly zero pivot:
 * MM_ERR_VALUE, "matrix is singular". */
mm_tensor *mm_linalg_solve(const mm_tensor *a, const mm_tensor *b,
                           mm_diag *d);

/* A⁻¹ for (…, n, n), numpy.linalg.inv: solve(A, I) (dgesv with the
 * identity). Singular: MM_ERR_VALUE. */
mm_tensor *mm_linalg_inv(const mm_tensor *a, mm_diag *d);

/* det(A) for (…, n, n), shape (…) (0-d for one matrix), as NumPy computes
 * it from the LU factors: sign·exp(Σ log|u_ii|); 0 for a singular
 * matrix (no error), 1 for 0×0. */
mm_tensor *mm_linalg_det(const mm_tensor *a, mm_diag *d);

/* numpy.linalg.slogdet: sign (1, -1, or 0 when singular) and log|det(A)|
 * (-inf when singular), each of shape (…). Either pointer may be NULL. */
mm_code mm_linalg_slogdet(const mm_tensor *a, mm_tensor **sign,
                          mm_tensor **logabsdet, mm_diag *d);

/* The lower-triangular L with A = L·Lᵀ, numpy.linalg.cholesky: only the
 * lower triangle of A is read (dpotrf 'L'); L's upper triangle is zero.
 * Not positive definite: MM_ERR_VALUE. */
mm_tensor *mm_linalg_cholesky(const mm_tensor *a, mm_diag *d);

/* The reduced SVD A = U·diag(S)·Vh, numpy.linalg.svd(A,
 * full_matrices=False): for (…, m, n), k = min(m, n), U (…, m, k), S (…,
 * k) descending and non-negative, Vh (…, k, n). LAPACK's dgesvd path: a
 * QR first when m >= 1.6·n, Golub–Kahan bidiagonalisation, implicit QR
 * on the bidiagonal (dbdsqr), reflectors applied back by blocks (NumPy
 * uses dgesdd, divide and conquer, for the bidiagonal: same values).
 * Each pair (u_i, v_i) is unique only up to a common sign (and a
 * rotation among equal singular values): mmcalc's signs are
 * deterministic but may differ from NumPy's pair by pair. u and vh are
 * both NULL or both wanted (else MM_ERR_ARG); s may be NULL. NaN or
 * infinite entries, or (never seen) an iteration that does not converge:
 * MM_ERR_VALUE, as NumPy's "SVD did not converge". */
mm_code mm_linalg_svd(const mm_tensor *a, mm_tensor **u, mm_tensor **s,
                      mm_tensor **vh, mm_diag *d);

/* The singular values alone (…, k), descending: the same as svd's S,
 * without U and Vh (the bidiagonal reduction is most of the work). */
mm_tensor *mm_linalg_svdvals(const mm_tensor *a, mm_diag *d);

/* What lstsq returns, as numpy.linalg.lstsq's (x, residuals, rank, s). */
typedef struct mm_lstsq {
	mm_tensor *x;         /* (n,) for a 1-D b, else (n, k) */
	mm_tensor *residuals; /* squared 2-norms of b - A·x's columns, (k,)
	                         ((1,) for a 1-D b); (0,) when rank < n or
	                         m <= n, as NumPy */
	mm_tensor *s;         /* A's singular values (min(m, n),), NULL
	                         unless asked for */
	int64_t rank;         /* singular values above rcond·s_max */
	bool by_svd;          /* the SVD path was taken (see below) */
} mm_lstsq;

/* The x minimising ‖b - A·x‖₂, numpy.linalg.lstsq: A (m, n), b (m,) or
 * (m, k). rcond < 0 means NumPy's default eps·max(m, n) (NumPy 2, and
 * 1.x's rcond=None). Tall A of full rank goes through QR (x = R⁻¹·Qᵀb),
 * after checking 1/(‖R‖_F·‖R⁻¹‖_F) > rcond, which proves the smallest
 * singular value is above rcond·s_max. Otherwise — a wide A, or a tall
 * one that fails the check — through the SVD, as NumPy (dgelsd) does
 * everywhere: the minimum-norm solution with singular values at or below
 * rcond·s_max taken as zero, and rank counted the same way. With want_s,
 * out->s holds the singular values (computed separately on the QR path).
 * On error *out is all NULL. Free with mm_linalg_lstsq_free. */
mm_code mm_linalg_lstsq(const mm_tensor *a, const mm_tensor *b, double rcond,
                        bool want_s, mm_lstsq *out, mm_diag *d);

/* Drops the references in r and sets them to NULL. */
void mm_linalg_lstsq_free(mm_lstsq *r);

#endif
