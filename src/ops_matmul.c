/* ops_matmul.c — NumPy's matmul on concrete tensors: shapes by shape.c's
 * rule, one GEMM call per batch element with the operands' own strides,
 * on the GEMM of the result's dtype (f32, f64, bf16, i8), the result then
 * stored as that dtype holds it. */
#include <string.h>

#include "mmcalc/dtype_round.h"
#include "mmcalc/gemm.h"
#include "mmcalc/gemm_lowp.h"
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

/* Which GEMM computes a product stored as dtype t: a bf16 or f8 product
 * runs on bf16 operands with f32 sums (every f8 value is exact in bf16),
 * an i8 or i4 one on i8 operands with int32 sums, f16 on the f32 GEMM
 * (products of f16 values are exact in f32, as vcvtph2ps and an FMA
 * would make them); the rest by storage dtype. */
typedef enum gemm_kind { G_F32, G_F64, G_BF16, G_I8 } gemm_kind;

static gemm_kind gemm_for(mm_dtype t, const mm_tensor *out)
{
	if (out->dtype == MM_F64)
		return G_F64;
	if (t == MM_BF16 || t == MM_F8E4M3 || t == MM_F8E5M2)
		return G_BF16;
	if (t == MM_I8 || t == MM_I4)
		return G_I8;
	return G_F32;
}

/* One m×n product into c (contiguous, row stride n); an i8 product's
 * int32 sums go into c's own memory and are wrapped to t in place. */
static int gemm_one(gemm_kind g, mm_dtype t, int64_t m, int64_t n, int64_t k,
                    const void *pa, int64_t rsa, int64_t csa, const void *pb,
                    int64_t rsb, int64_t csb, void *c)
{
	switch (g) {
	case G_F64:
		return mm_dgemm(m, n, k, 1.0, pa, rsa, csa, pb, rsb, csb, 0.0, c,
		                n, 1);
	case G_BF16:
		return mm_gemm_bf16(m, n, k, 1.0f, pa, rsa, csa, pb, rsb, csb,
		                    0.0f, c, n, 1);
	case G_I8: {
		int r = mm_gemm_i8(m, n, k, pa, rsa, csa, pb, rsb, csb, false,
		                   (int32_t *)c, n, 1);
		if (r == 0)
			mm_dtype_from_int32(t, m * n, c, c);
		return r;
	}
	default:
		return mm_sgemm(m, n, k, 1.0f, pa, rsa, csa, pb, rsb, csb, 0.0f,
		                c, n, 1);
	}
}

/* out = a @ b for every batch entry: m×k times k×n each, on the GEMM of
 * dtype t. Returns 0 or the GEMM's error (MM_ERR_INTERRUPTED,
 * MM_ERR_NOMEM). */
static int batches(mm_tensor *out, mm_dtype t, const operand *a,
                   const operand *b, int64_t m, int64_t k, int64_t n, int bnd)
{
	/* GEMM strides must be positive: an axis of length <= 1 takes 1 */
	int64_t rsa = m > 1 ? a->st[a->nd - 2] : 1, csa = k > 1 ? a->st[a->nd - 1] : 1;
	int64_t rsb = k > 1 ? b->st[b->nd - 2] : 1, csb = n > 1 ? b->st[b->nd - 1] : 1;
	int64_t nbatch = 1, idx[MM_MAX_NDIM] = {0};
	for (int i = 0; i < bnd; i++)
		nbatch *= out->shape[i];
	size_t es = mm_tensor_elsize(out);
	gemm_kind g = gemm_for(t, out);
	int rc = 0;
	for (int64_t bi = 0; bi < nbatch && rc == 0; bi++) {
		int64_t oa = batch_offset(a, bnd, idx), ob = batch_offset(b, bnd, idx);
		char *c = (char *)out->data + (size_t)(bi * m * n) * es;
		rc = gemm_one(g, t, m, n, k, (const char *)a->t->data + oa * (int64_t)es,
		              rsa, csa, (const char *)b->t->data + ob * (int64_t)es,
		              rsb, csb, c);
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

mm_tensor *mm_op_matmul_as(const mm_tensor *a, const mm_tensor *b,
                           mm_dtype t, mm_diag *d)
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
		int rc = batches(out, t, &A, &B, m, k, n, bnd);
		if (rc == 0 && !mm_dtype_is_int(t) &&
		    mm_dtype_round_tensor(out, t, d) != MM_OK)
			rc = MM_ERR_INTERRUPTED;
		if (rc != 0) {
			mm_diag_set(d, rc == MM_ERR_INTERRUPTED ? MM_ERR_INTERRUPTED
			               : rc == MM_ERR_NOMEM       ? MM_ERR_NOMEM
			                                          : MM_ERR_VALUE,
			            NOSPAN, rc == MM_ERR_INTERRUPTED ? "interrupted"
			                    : rc == MM_ERR_NOMEM
			                        ? "out of memory in the GEMM"
			                        : "matmul failed in the GEMM kernel");
			mm_tensor_unref(out);
			out = NULL;
		}
	}
	mm_tensor_unref(A.t);
	mm_tensor_unref(B.t);
	return out;
}

mm_tensor *mm_op_matmul(const mm_tensor *a, const mm_tensor *b, mm_diag *d)
{
	return mm_op_matmul_as(a, b, mm_dtype_promote(a->dtype, b->dtype), d);
}
