/* ops_matmul.c — NumPy's matmul on concrete tensors: shapes by shape.c's
 * rule, one GEMM call per batch element with the operands' own strides. */
#include <string.h>

#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/ops.h"

#define NOSPAN ((mm_span){0, 0})

/* An operand as the GEMM reads it: at least 2-D (a 1-D left operand is
 * 1×k, a 1-D right one k×1), with its strides. */
typedef struct operand {
	mm_tensor *t; /* one reference: the tensor, promoted or copied */
	int nd;
	int64_t shape[MM_MAX_NDIM + 1], st[MM_MAX_NDIM + 1];
} operand;

/* True when the last two axes can go to the GEMM as they are: every axis
 * longer than 1 has a positive stride. */
static bool gemm_ready(const mm_tensor *t)
{
	for (int i = t->ndim - 2 < 0 ? 0 : t->ndim - 2; i < t->ndim; i++)
		if (t->shape[i] > 1 && t->strides[i] <= 0)
			return false;
	return true;
}

/* x as operand o of dtype dt: converted when its dtype differs, copied
 * when its strides are not the GEMM's (zero or negative); right: it is
 * the right operand (1-D means a column). */
static bool operand_of(operand *o, const mm_tensor *x, mm_dtype dt,
                       bool right, mm_diag *d)
{
	mm_tensor *t = mm_tensor_cast(x, dt, d);
	if (t && !gemm_ready(t)) {
		mm_tensor *c = mm_tensor_copy(t, d);
		mm_tensor_unref(t);
		t = c;
	}
	if (!(o->t = t))
		return false;
	if (t->ndim == 1) {
		o->nd = 2;
		int v = right ? 0 : 1; /* the axis the vector runs along */
		o->shape[v] = t->shape[0], o->st[v] = t->strides[0];
		o->shape[1 - v] = 1, o->st[1 - v] = 0;
	} else {
		o->nd = t->ndim;
		memcpy(o->shape, t->shape, sizeof t->shape);
		memcpy(o->st, t->strides, sizeof t->strides);
	}
	return true;
}

/* The element offset of batch entry idx (bnd batch axes of the result)
 * in operand o, whose batch axes broadcast against the result's. */
static int64_t batch_offset(const operand *o, int bnd, const int64_t *idx)
{
	int64_t off = 0;
	for (int i = 0; i < bnd; i++) {
		int j = o->nd - 2 - bnd + i;
		if (j >= 0 && o->shape[j] != 1)
			off += idx[i] * o->st[j];
	}
	return off;
}

/* out = a @ b for every batch entry: m×k times k×n each. Returns 0 or
 * the GEMM's error (MM_ERR_INTERRUPTED). */
static int batches(mm_tensor *out, const operand *a, const operand *b,
                   int64_t m, int64_t k, int64_t n, int bnd)
{
	/* GEMM strides must be positive: an axis of length <= 1 takes 1 */
	int64_t rsa = m > 1 ? a->st[a->nd - 2] : 1, csa = k > 1 ? a->st[a->nd - 1] : 1;
	int64_t rsb = k > 1 ? b->st[b->nd - 2] : 1, csb = n > 1 ? b->st[b->nd - 1] : 1;
	int64_t nbatch = 1, idx[MM_MAX_NDIM] = {0};
	for (int i = 0; i < bnd; i++)
		nbatch *= out->shape[i];
	size_t es = mm_tensor_elsize(out);
	int rc = 0;
	for (int64_t bi = 0; bi < nbatch && rc == 0; bi++) {
		int64_t oa = batch_offset(a, bnd, idx), ob = batch_offset(b, bnd, idx);
		char *c = (char *)out->data + (size_t)(bi * m * n) * es;
		if (out->dtype == MM_F64)
			rc = mm_dgemm(m, n, k, 1.0, (const double *)a->t->data + oa,
			              rsa, csa, (const double *)b->t->data + ob,
			              rsb, csb, 0.0, (double *)c, n, 1);
		else
			rc = mm_sgemm(m, n, k, 1.0f, (const float *)a->t->data + oa,
			              rsa, csa, (const float *)b->t->data + ob,
			              rsb, csb, 0.0f, (float *)c, n, 1);
		if (rc == 0 && mm_interrupted())
			rc = MM_ERR_INTERRUPTED;
		for (int i = bnd - 1; i >= 0; i--) {
			if (++idx[i] < out->shape[i])
				break;
			idx[i] = 0;
		}
	}
	return rc;
}

mm_tensor *mm_op_matmul(const mm_tensor *a, const mm_tensor *b, mm_diag *d)
{
	/* The shapes by the checker's rule: 1-D operands promoted, batch
	 * axes broadcast, what does not fit an error. */
	mm_shape sa = mm_shape_make(a->ndim, a->shape);
	mm_shape sb = mm_shape_make(b->ndim, b->shape), so;
	int64_t m, k, n;
	uint64_t nbatch;
	double nbatch_f;
	if (mm_shape_matmul(&sa, &sb, &so, &m, &k, &n, &nbatch, &nbatch_f, d) !=
	    MM_OK)
		return NULL;
	if (so.ndim > MM_MAX_NDIM) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "matmul result would have %d axes (at most %d)", so.ndim,
		            MM_MAX_NDIM);
		return NULL;
	}
	mm_dtype dt = mm_dtype_promote(a->dtype, b->dtype);
	operand A = {0}, B = {0};
	mm_tensor *out = NULL;
	if (operand_of(&A, a, dt, false, d) && operand_of(&B, b, dt, true, d) &&
	    (out = mm_tensor_new(A.t->dtype, so.ndim, so.dim, d)) != NULL) {
		int bnd = so.ndim - (a->ndim > 1) - (b->ndim > 1);
		int rc = batches(out, &A, &B, m, k, n, bnd);
		if (rc != 0) {
			mm_diag_set(d, rc == MM_ERR_INTERRUPTED ? MM_ERR_INTERRUPTED
			                                        : MM_ERR_VALUE,
			            NOSPAN, rc == MM_ERR_INTERRUPTED
			                        ? "interrupted"
			                        : "matmul failed in the GEMM kernel");
			mm_tensor_unref(out);
			out = NULL;
		}
	}
	mm_tensor_unref(A.t);
	mm_tensor_unref(B.t);
	return out;
}
