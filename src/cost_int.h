/* cost_int.h — what the files of the cost conventions share (cost.c,
 * cost_linalg.c, cost_nn.c): quantities that are exact counts while the
 * dims are numbers and polynomials once a symbol enters, and the
 * operations on them. Internal to the library. */
#ifndef MMCALC_COST_INT_H
#define MMCALC_COST_INT_H

#include <math.h>
#include <string.h>

#include "mmcalc/cost.h"

/* A quantity of a formula: a count, or a polynomial when symbolic. */
typedef struct qty {
	bool sym;
	mm_count n;
	mm_poly p;
} qty;

static inline void q_num(qty *q, mm_count n)
{
	q->sym = false;
	q->n = n;
}

/* q as a polynomial (a count becomes a constant). */
static inline const mm_poly *as_poly(const qty *q, mm_poly *tmp)
{
	if (q->sym)
		return &q->p;
	mm_poly_from_count(tmp, q->n);
	return tmp;
}

static inline mm_code q_add(mm_cost_ctx *x, qty *out, const qty *a, const qty *b)
{
	if (!a->sym && !b->sym) {
		q_num(out, mm_count_add(a->n, b->n));
		return MM_OK;
	}
	mm_poly ta, tb, r;
	mm_code c = mm_poly_add(&r, as_poly(a, &ta), as_poly(b, &tb), x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

static inline mm_code q_sub(mm_cost_ctx *x, qty *out, const qty *a, const qty *b)
{
	if (!a->sym && !b->sym) {
		q_num(out, mm_count_sub(a->n, b->n)); /* callers keep a >= b */
		return MM_OK;
	}
	mm_poly ta, tb, r;
	mm_code c = mm_poly_sub(&r, as_poly(a, &ta), as_poly(b, &tb), x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

static inline mm_code q_mul(mm_cost_ctx *x, qty *out, const qty *a, const qty *b)
{
	if (!a->sym && !b->sym) {
		q_num(out, mm_count_mul(a->n, b->n));
		return MM_OK;
	}
	mm_poly ta, tb, r;
	mm_code c = mm_poly_mul(&r, as_poly(a, &ta), as_poly(b, &tb), x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

static inline mm_code q_mul_u(mm_cost_ctx *x, qty *out, const qty *a, uint64_t k)
{
	qty kk;
	q_num(&kk, mm_count_of(k));
	return q_mul(x, out, a, &kk);
}

/* a / k: exact when k divides a (or symbolically, a fraction). */
static inline mm_code q_div_u(mm_cost_ctx *x, qty *out, const qty *a, uint64_t k)
{
	if (!a->sym) {
		q_num(out, mm_count_div_u(a->n, k));
		return MM_OK;
	}
	mm_poly den, r;
	mm_poly_const(&den, (int64_t)k);
	mm_code c = mm_poly_div(&r, &a->p, &den, x->diag);
	if (c == MM_OK) {
		out->sym = true;
		out->p = r;
	}
	return c;
}

/* Dim k of s. */
static inline void q_dim(qty *q, const mm_shape *s, int k)
{
	if (s->sym[k]) {
		q->sym = true;
		q->p = *s->sym[k];
	} else {
		q_num(q, mm_count_of((uint64_t)s->dim[k]));
	}
}

/* The product of dims [from, to) of s, with a symbol among them. */
static inline mm_code q_prod_sym(mm_cost_ctx *x, qty *out, const mm_shape *s,
                         int from, int to)
{
	mm_code c = MM_OK;
	q_num(out, mm_count_of(1));
	for (int k = from; k < to && c == MM_OK; k++) {
		qty d;
		q_dim(&d, s, k);
		c = q_mul(x, out, out, &d);
	}
	return c;
}

/* The product of dims [from, to) of s. */
static inline mm_code q_prod(mm_cost_ctx *x, qty *out, const mm_shape *s,
                             int from, int to)
{
	if (mm_shape_is_symbolic(s))
		return q_prod_sym(x, out, s, from, to);
	mm_count n = mm_count_of(1);
	for (int k = from; k < to; k++)
		n = mm_count_mul(n, mm_count_of((uint64_t)s->dim[k]));
	q_num(out, n);
	return MM_OK;
}

static inline mm_code q_numel(mm_cost_ctx *x, qty *out, const mm_shape *s)
{
	return q_prod(x, out, s, 0, s->ndim);
}

/* Bytes of a value: a tensor's elements at its dtype, 0 for a number. */
static inline mm_code q_bytes(mm_cost_ctx *x, qty *out, const mm_value *v)
{
	if (v->kind != MM_K_TENSOR) {
		q_num(out, MM_COUNT_ZERO);
		return MM_OK;
	}
	if (!mm_shape_is_symbolic(&v->shape)) {
		q_num(out, v->bytes); /* counted when the value was made */
		return MM_OK;
	}
	out->sym = true;
	return mm_cost_bytes_poly(x, &v->shape, v->dtype, &out->p);
}

/* out's bytes plus every operand's. */
static inline mm_code q_traffic(mm_cost_ctx *x, qty *out, const mm_value *res,
                         const mm_value *const *in, int nin)
{
	mm_code c = q_bytes(x, out, res);
	for (int k = 0; k < nin && c == MM_OK; k++) {
		qty b;
		if ((c = q_bytes(x, &b, in[k])) == MM_OK)
			c = q_add(x, out, out, &b);
	}
	return c;
}

static inline const mm_poly *keep(mm_cost_ctx *x, const qty *q)
{
	mm_poly tmp;
	mm_poly *p = mm_arena_alloc(x->arena, sizeof *p);
	if (p)
		*p = *as_poly(q, &tmp);
	return p;
}

/* Stores flops, macs (NULL: none), matmul flops (NULL: none) and bytes
 * into c: as counts, or all as polynomials when any is symbolic. */
static inline mm_code finish(mm_cost_ctx *x, const qty *flops, const qty *macs,
                      const qty *mm, const qty *bytes, mm_cost *c)
{
	*c = (mm_cost){0};
	bool sym = flops->sym || bytes->sym || (macs && macs->sym);
	if (!sym) {
		c->flops = flops->n;
		c->macs = macs ? macs->n : MM_COUNT_ZERO;
		c->matmul_flops = mm ? mm->n : MM_COUNT_ZERO;
		c->bytes = bytes->n;
		return MM_OK;
	}
	qty zero;
	q_num(&zero, MM_COUNT_ZERO);
	if (!(c->sflops = keep(x, flops)) ||
	    !(c->smacs = keep(x, macs ? macs : &zero)) ||
	    !(c->sbytes = keep(x, bytes)))
		return mm_diag_set(x->diag, MM_ERR_NOMEM, (mm_span){0, 0},
		                   "out of memory");
	return MM_OK;
}

/* The convention costs are counted under (mmcalc's when none). */
static inline const mm_convention *conv(const mm_cost_ctx *x)
{
	return x->conv ? x->conv : &mm_convention_at(0)->c;
}

/* `per` FLOPs for each element of out, the operands' traffic as bytes
 * (elementwise operations and those counted like them). */
mm_code mm_cq_per_element(mm_cost_ctx *x, const mm_value *out,
                          const mm_value *const *in, int nin, uint64_t per,
                          mm_cost *c);

#endif
