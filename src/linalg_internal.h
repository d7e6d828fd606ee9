/* linalg_internal.h — what the linalg files share: LAPACK's blocked
 * algorithms on column-major double matrices (element (i, j) of an m×n
 * matrix A at a[i + j*lda], lda >= m), under LAPACK's names, with the bulk
 * of their work in mm_dgemm.
 *
 * Every buffer is the caller's; nothing is kept after return. Functions
 * that return int return 0, or MM_ERR_INTERRUPTED when mm_interrupted()
 * was seen between blocks (their output is then partly updated), or
 * MM_ERR_NOMEM when a temporary could not be allocated. Sizes are
 * int64_t element counts the caller has already checked (every m·n here
 * is the size of a buffer that exists). */
#ifndef MMCALC_LINALG_INTERNAL_H
#define MMCALC_LINALG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/tensor.h"

/* A zeroed buffer of a·b + extra doubles, counted against the memory
 * limit (mm_tensor_scratch_alloc; freed with mm_la_free), or NULL when
 * that count overflows, passes the limit or memory is short. */
static inline double *mm_la_zalloc(int64_t a, int64_t b, int64_t extra)
{
	int64_t n;
	size_t bytes;
	if (a < 0 || b < 0 || extra < 0 || __builtin_mul_overflow(a, b, &n) ||
	    __builtin_add_overflow(n, extra, &n) ||
	    __builtin_mul_overflow((size_t)n, sizeof(double), &bytes))
		return NULL;
	double *p = mm_tensor_scratch_alloc(bytes ? (size_t)n : 1,
	                                    sizeof(double), NULL);
	if (p)
		memset(p, 0, bytes ? bytes : sizeof(double));
	return p;
}

/* Frees what mm_la_zalloc or mm_la_alloc gave; takes NULL. */
static inline void mm_la_free(void *p) { mm_tensor_scratch_free(p); }

/* An uninitialised buffer of bytes bytes, as mm_la_zalloc. */
static inline void *mm_la_alloc(size_t bytes)
{
	return mm_tensor_scratch_alloc(bytes ? bytes : 1, 1, NULL);
}

/* Block width of the QR factorisation and of the application of its Q. */
#define LA_QR_NB 32

/* C = alpha·op(A)·op(B) + beta·C, column-major; ta/tb true take the
 * transpose. A is m×k after op, B k×n, C m×n. */
int mm_la_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
               double alpha, const double *a, int64_t lda, const double *b,
               int64_t ldb, double beta, double *c, int64_t ldc);

/* ---- Householder reflectors and QR (linalg_qr.c) */

/* LAPACK's dlarfg: the reflector H = I - tau·(1; v)·(1; v)ᵀ with
 * H·(alpha; x) = (beta; 0), beta = -sign(alpha)·‖(alpha; x)‖; v
 * overwrites x (n entries, inc apart) and beta *alpha. Returns tau; 0
 * (H = I) when x is already zero, whatever alpha's sign. */
double mm_la_larfg(int64_t n, double *alpha, double *x, int64_t inc);

/* Bytes of work space mm_la_geqrf, mm_la_orgqr and mm_la_ormqr need for
 * an m×n matrix (n columns of C for ormqr): false when it overflows. */
bool mm_la_qr_work(int64_t m, int64_t n, size_t *bytes);

/* Householder QR, A = Q·R (dgeqrf, reflectors by mm_la_larfg): R
 * overwrites the upper triangle, reflector j's v below the diagonal
 * (v_j = 1 implied), tau (min(m, n) entries) its scale. work:
 * mm_la_qr_work(m, n) bytes. */
int mm_la_geqrf(int64_t m, int64_t n, double *a, int64_t lda, double *tau,
                double *work);

/* The first k columns of Q = H_1 H_2 … H_k (dorgqr) into q (m×k, ldq)
 * from k reflectors stored as mm_la_geqrf leaves them. work:
 * mm_la_qr_work(m, k) bytes. */
int mm_la_orgqr(int64_t m, int64_t k, const double *a, int64_t lda,
                const double *tau, double *q, int64_t ldq, double *work);

/* C (m×n, ldc) := Qᵀ·C (trans) or Q·C, Q = H_1 … H_k of m-vectors
 * (dormqr 'L'): reflector j's entries i > j at r[i*rs + j*cs] (rs 1, cs
 * lda for mm_la_geqrf's), scales in tau. work: mm_la_qr_work(m, n)
 * bytes. */
int mm_la_ormqr(bool trans, int64_t m, int64_t n, int64_t k,
                const double *r, int64_t rs, int64_t cs, const double *tau,
                double *c, int64_t ldc, double *work);

/* ---- LU and Cholesky (linalg_lu.c) */

/* Triangular solve op(A)·X = B, X overwriting B: A is n×n at a with
 * element (i, j) at a[i*rs_a + j*cs_a] (any strides: a transpose is a
 * swap), lower or upper, unit diagonal or not; B is n×nrhs likewise.
 * Recursive, the off-diagonal blocks through the GEMM. */
int mm_la_trsm(bool lower, bool unit, int64_t n, int64_t nrhs,
               const double *a, int64_t rs_a, int64_t cs_a, double *b,
               int64_t rs_b, int64_t cs_b);

/* LU with partial pivoting, A = P·L·U (dgetrf, recursive as dgetrf2): L
 * unit lower below the diagonal, U on and above; ipiv[i] is the row
 * swapped with row i (0-based, min(m, n) entries). *info is -1, or the
 * first i with U(i, i) exactly zero (the factorisation goes on, as
 * LAPACK's does). */
int mm_la_getrf(int64_t m, int64_t n, double *a, int64_t lda, int64_t *ipiv,
                int64_t *info);

/* X = A⁻¹·B from mm_la_getrf's factors of an n×n A (dgetrs), B n×nrhs
 * overwritten. */
int mm_la_getrs(int64_t n, int64_t nrhs, const double *a, int64_t lda,
                const int64_t *ipiv, double *b, int64_t ldb);

/* Cholesky A = L·Lᵀ (dpotrf 'L'): reads the lower triangle, L overwrites
 * it (the strict upper triangle is left as it was). *info is -1, or the
 * first j whose pivot is not positive (or NaN): A is not positive
 * definite. */
int mm_la_potrf(int64_t n, double *a, int64_t lda, int64_t *info);

/* ---- bidiagonal reduction and SVD (linalg_bd.c, linalg_svd.c) */

/* Golub–Kahan reduction of the m×n A (m >= n) to upper bidiagonal form,
 * A = Q·B·Pᵀ (dgebrd, blocked as dlabrd): B's diagonal in d (n), its
 * superdiagonal in e (n-1); Q's reflectors below A's diagonal with
 * scales tauq (n), as mm_la_geqrf leaves them; P's to the right of the
 * superdiagonal, reflector i acting on entries i+1… with entries at
 * A(i, j > i+1), scales taup (n, the last two 0). */
int mm_la_gebrd(int64_t m, int64_t n, double *a, int64_t lda, double *d,
                double *e, double *tauq, double *taup);

/* SVD of the n×n upper bidiagonal (d, e) by implicit QR with Demmel and
 * Kahan's zero shift (dbdsqr): the singular values overwrite d,
 * descending and non-negative; e is destroyed. When v is not NULL, its
 * n columns (n rows, ldv) are multiplied by the right singular vectors'
 * rotations, likewise u's (nru rows, ldu) by the left ones': starting
 * from V and U, they end as V·V_B and U·U_B with B = U_B·Σ·V_Bᵀ.
 * *info is 0, or the count of superdiagonal entries that did not
 * converge. */
int mm_la_bdsqr(int64_t n, double *d, double *e, double *v, int64_t ldv,
                int64_t nru, double *u, int64_t ldu, int64_t *info);

/* A log of the plane rotations of mm_la_bdsqr's sweeps, replayed on its
 * vectors v (vrows×n, ldv) and u (urows×n, ldu) in blocks of rows, on
 * mm_gemm_threads() threads (linalg_rot.c). v or u may be NULL. */
typedef struct mm_la_rotlog mm_la_rotlog;
mm_la_rotlog *mm_la_rotlog_new(int64_t n, double *v, int64_t ldv,
                               int64_t vrows, double *u, int64_t ldu,
                               int64_t urows);
/* Logs one sweep over columns ll..ll+k-1: rotation j (j < k-1) turns
 * columns (j, j+1) = (x, y) into (c_j·x + s_j·y, c_j·y - s_j·x), with
 * (cv, sv) for v and (cu, su) for u. Replays first when the log is full. */
int mm_la_rotlog_add(mm_la_rotlog *l, int64_t ll, int64_t k, bool forward,
                     const double *cv, const double *sv, const double *cu,
                     const double *su);
/* Replays and empties the log. */
int mm_la_rotlog_flush(mm_la_rotlog *l);
void mm_la_rotlog_free(mm_la_rotlog *l);

/* Singular values of the m×n A (m >= n, A overwritten), descending into
 * s; with u and vt (both or neither), the reduced U (m×n, ldu) and Vᵀ
 * (n×n, ldvt) too. A QR first when m is well above n, then Golub–Kahan
 * (dgesvd's path). *info is 0, or non-zero when the bidiagonal QR did not
 * converge. */
int mm_la_gesvd(int64_t m, int64_t n, double *a, int64_t lda, double *s,
                double *u, int64_t ldu, double *vt, int64_t ldvt,
                int64_t *info);

#endif
