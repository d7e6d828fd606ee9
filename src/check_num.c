/* check_num.c — the checker's arithmetic on numbers and formulas: exact
 * integers while they fit, NumPy's f64 arithmetic otherwise, units that
 * follow the operators, polynomials once a symbol enters. */
#include <math.h>
#include <string.h>

#include "mmcalc/check.h"
#include "mmcalc/ops.h"
#include "check_int.h"
#include "fn/fn.h"

/* The language's operator as ops.c's (matmul has none). */
static mm_binop binop_of(mm_bin op)
{
	switch (op) {
	case MM_B_ADD: return MM_OP_ADD;
	case MM_B_SUB: return MM_OP_SUB;
	case MM_B_MUL: return MM_OP_MUL;
	case MM_B_DIV: return MM_OP_DIV;
	case MM_B_MOD: return MM_OP_MOD;
	default: return MM_OP_POW;
	}
}

/* a op b on exact integers, when the result is an integer in int64's
 * range: + - * and ** with an exponent >= 0. (/ and % go through the f64
 * kernels' arithmetic, whose -0 and fractions NumPy gives.) */
static bool int_fold(mm_bin op, int64_t a, int64_t b, int64_t *out)
{
	switch (op) {
	case MM_B_ADD: return !__builtin_add_overflow(a, b, out);
	case MM_B_SUB: return !__builtin_sub_overflow(a, b, out);
	case MM_B_MUL: return !__builtin_mul_overflow(a, b, out);
	case MM_B_POW: {
		if (b < 0)
			return false;
		int64_t r = 1;
		for (; b > 0; b >>= 1) {
			if ((b & 1) && __builtin_mul_overflow(r, a, &r))
				return false;
			if (b > 1 && __builtin_mul_overflow(a, a, &a))
				return false;
		}
		*out = r;
		return true;
	}
	default: return false;
	}
}

/* The dimension of a op b for numbers with dimensions (FLOP, s, ...):
 * + - % need the same one, * and / combine them, ** takes a plain whole
 * exponent. Fails with the reason in the checker's diag. */
static mm_code fold_dim(mm_checker *c, const mm_node *e, const mm_value *a,
                        const mm_value *b, mm_dim *out)
{
	bool ok = true;
	switch (e->op) {
	case MM_B_MUL: ok = mm_dim_mul(a->dim, b->dim, 1, out); break;
	case MM_B_DIV: ok = mm_dim_mul(a->dim, b->dim, -1, out); break;
	case MM_B_POW: {
		int64_t k;
		if (!mm_dim_is_none(b->dim) || (!mm_dim_is_none(a->dim) &&
		                                !mm_value_get_int(b, &k)))
			return mm_ck_fail(c, MM_ERR_TYPE, e->op_span,
			                  "**: the exponent of a count or time must "
			                  "be a plain whole number");
		ok = mm_dim_is_none(a->dim) ? (*out = a->dim, true)
		                            : mm_dim_pow(a->dim, k, out);
		break;
	}
	default:
		/* a plain number is taken in the other's base units:
		 * flops(e) - 2*n*d counts FLOPs */
		if (mm_dim_is_none(a->dim) || mm_dim_is_none(b->dim)) {
			*out = mm_dim_is_none(a->dim) ? b->dim : a->dim;
			return MM_OK;
		}
		if (!mm_dim_eq(a->dim, b->dim)) {
			mm_buf x = MM_BUF_INIT, y = MM_BUF_INIT;
			mm_dim_print(&x, a->dim, false);
			mm_dim_print(&y, b->dim, false);
			mm_ck_fail(c, MM_ERR_TYPE, e->op_span,
			           "%s: %s and %s do not %s", mm_bin_name(e->op),
			           mm_buf_str(&x), mm_buf_str(&y),
			           e->op == MM_B_MOD ? "divide" : "add up");
			mm_buf_free(&x);
			mm_buf_free(&y);
			return MM_ERR_TYPE;
		}
		*out = a->dim;
	}
	if (!ok)
		return mm_ck_fail(c, MM_ERR_VALUE, e->op_span,
		                  "%s: a unit to a power past 8", mm_bin_name(e->op));
	return MM_OK;
}

/* a op b on two numbers: exact on whole numbers while they fit, else the
 * f64 kernels' arithmetic; the result's unit follows (FLOP × 96 is FLOP,
 * FLOP / s is FLOP/s), and a count stays exact where it can. */
mm_code mm_ck_fold_numbers(mm_checker *c, const mm_node *e,
                            const mm_value *a, const mm_value *b, mm_info *i)
{
	mm_dim dim;
	mm_code r = fold_dim(c, e, a, b, &dim);
	if (r != MM_OK)
		return r;
	int64_t n;
	if (a->is_int && b->is_int && int_fold(e->op, a->ival, b->ival, &n))
		mm_value_set_int(&i->v, n);
	else /* the same operator the f64 kernels run */
		mm_ck_set_number(i, mm_op_binary_scalar(binop_of(e->op), a->num,
		                                        b->num));
	i->v.dim = dim;
	if (!mm_dim_is_count(dim))
		return MM_OK;
	/* counts: exact through +, - and scaling by whole numbers */
	bool ca = mm_dim_is_count(a->dim), cb = mm_dim_is_count(b->dim);
	int64_t k;
	mm_count xa = a->cnt, xb = b->cnt; /* plain whole numbers as counts */
	if (!ca && mm_value_get_int(a, &k) && k >= 0)
		xa = mm_count_of((uint64_t)k), ca = e->op == MM_B_ADD || e->op == MM_B_SUB;
	if (!cb && mm_value_get_int(b, &k) && k >= 0)
		xb = mm_count_of((uint64_t)k), cb = e->op == MM_B_ADD || e->op == MM_B_SUB;
	if (ca && cb && e->op == MM_B_ADD)
		i->v.cnt = mm_count_add(xa, xb);
	else if (ca && cb && e->op == MM_B_SUB && mm_count_cmp(xa, xb) >= 0)
		i->v.cnt = mm_count_sub(xa, xb);
	else if (ca && e->op == MM_B_MUL && mm_value_get_int(b, &k) && k >= 0)
		i->v.cnt = mm_count_mul_u(a->cnt, (uint64_t)k);
	else if (cb && e->op == MM_B_MUL && mm_value_get_int(a, &k) && k >= 0)
		i->v.cnt = mm_count_mul_u(b->cnt, (uint64_t)k);
	else if (ca && e->op == MM_B_DIV && mm_value_get_int(b, &k) && k > 0)
		i->v.cnt = mm_count_div_u(a->cnt, (uint64_t)k);
	else
		i->v.cnt = mm_count_from_double(i->v.num);
	i->v.num = mm_count_to_double(i->v.cnt);
	return MM_OK;
}

/* A number or formula as a polynomial: a whole number exactly, another
 * number as an approximate constant. */
static mm_code as_poly(mm_checker *c, const mm_value *v, mm_poly *out)
{
	int64_t n;
	if (v->kind == MM_K_FORMULA) {
		*out = *v->sym;
		return MM_OK;
	}
	if (mm_value_get_int(v, &n)) {
		mm_poly_const(out, n);
		return MM_OK;
	}
	mm_poly one;
	mm_poly_const(&one, 1);
	return mm_poly_scale(out, &one, v->num, c->diag);
}

/* a op b where one is a formula: the polynomial, with the unit rules of
 * numbers (FLOP / (FLOP/s) is s). */
mm_code mm_ck_fold_formula(mm_checker *c, const mm_node *e,
                            const mm_value *a, const mm_value *b, mm_info *i)
{
	mm_dim dim;
	mm_code r = fold_dim(c, e, a, b, &dim);
	if (r != MM_OK)
		return r;
	mm_poly pa, pb, out;
	int64_t k;
	if ((r = as_poly(c, a, &pa)) != MM_OK || (r = as_poly(c, b, &pb)) != MM_OK)
		return mm_ck_placed(c, r, e->op_span);
	switch (e->op) {
	case MM_B_ADD: r = mm_poly_add(&out, &pa, &pb, c->diag); break;
	case MM_B_SUB: r = mm_poly_sub(&out, &pa, &pb, c->diag); break;
	case MM_B_MUL:
		r = b->kind == MM_K_NUMBER ? mm_poly_scale(&out, &pa, b->num, c->diag)
		  : a->kind == MM_K_NUMBER ? mm_poly_scale(&out, &pb, a->num, c->diag)
		                           : mm_poly_mul(&out, &pa, &pb, c->diag);
		break;
	case MM_B_DIV:
		if (b->kind == MM_K_NUMBER && !b->is_int && b->num != 0)
			r = mm_poly_scale(&out, &pa, 1 / b->num, c->diag);
		else
			r = mm_poly_div(&out, &pa, &pb, c->diag);
		break;
	case MM_B_POW:
		if (b->kind != MM_K_NUMBER || !mm_value_get_int(b, &k) || k < 0 ||
		    k > 16)
			return mm_ck_fail(c, MM_ERR_VALUE, e->op_span,
			                  "**: a formula's power must be a whole "
			                  "number from 0 to 16");
		r = mm_poly_pow(&out, &pa, (unsigned)k, c->diag);
		break;
	default:
		return mm_ck_fail(c, MM_ERR_UNSUPPORTED, e->op_span,
		                  "%s: not defined on formulas of symbols",
		                  mm_bin_name(e->op));
	}
	if (r != MM_OK)
		return mm_ck_placed(c, r, e->op_span);
	if (!mm_value_set_formula(&i->v, &out, dim, c->arena))
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	return MM_OK;
}

