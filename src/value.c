/* value.c — values: numbers (exact integers where they can be),
 * strings, and tensors' shapes with their sizes. */
#include <math.h>
#include <string.h>

#include "mmcalc/arena.h"
#include "mmcalc/cost.h"
#include "mmcalc/value.h"

void mm_value_set_num(mm_value *v, double x)
{
	v->kind = MM_K_NUMBER;
	v->dim = MM_DIM_NONE;
	v->num = x;
	/* -0 stays a double: NumPy prints it, an integer cannot */
	v->is_int = x == floor(x) && fabs(x) <= 9007199254740992.0 &&
	            !(x == 0 && signbit(x));
	v->ival = v->is_int ? (int64_t)x : 0;
}

void mm_value_set_int(mm_value *v, int64_t n)
{
	v->kind = MM_K_NUMBER;
	v->dim = MM_DIM_NONE;
	v->num = (double)n;
	v->is_int = true;
	v->ival = n;
}

bool mm_value_get_int(const mm_value *v, int64_t *out)
{
	if (v->kind != MM_K_NUMBER)
		return false;
	if (v->is_int) {
		*out = v->ival;
		return true;
	}
	/* 2^63 is a double; it and beyond are out of int64's range */
	if (v->num != floor(v->num) || !(fabs(v->num) < 9223372036854775808.0))
		return false;
	*out = (int64_t)v->num;
	return true;
}

bool mm_value_copy(mm_value *out, const mm_value *v, struct mm_arena *arena)
{
	*out = *v;
	if (v->kind == MM_K_STRING && v->str &&
	    !(out->str = mm_arena_strndup(arena, v->str, strlen(v->str))))
		return false;
	if (v->kind == MM_K_FORMULA) {
		mm_poly *p = mm_arena_alloc(arena, sizeof *p);
		if (!p)
			return false;
		*p = *v->sym;
		out->sym = p;
		return true;
	}
	if (v->kind != MM_K_TENSOR)
		return true;
	for (int k = 0; k < v->shape.ndim; k++)
		if (v->shape.sym[k]) {
			mm_poly *p = mm_arena_alloc(arena, sizeof *p);
			if (!p)
				return false;
			*p = *v->shape.sym[k];
			out->shape.sym[k] = p;
		}
	return true;
}

void mm_value_set_tensor(mm_value *v, const mm_shape *s, mm_dtype t)
{
	v->kind = MM_K_TENSOR;
	mm_shape_assign(&v->shape, s);
	v->dtype = t;
	/* Computed once here: costs and totals read it many times. The
	 * usual case is written in place: a count returned through memory
	 * and copied at once stalls the copy (2% of a piped script). */
	uint64_t n, b, bits = mm_dtype_bits(t);
	if (mm_shape_is_symbolic(s))
		v->bytes = MM_COUNT_ZERO;
	else if (bits % 8 == 0 && mm_shape_numel(s, &n, NULL) &&
	         !__builtin_mul_overflow(n, bits / 8, &b))
		v->bytes = mm_count_of(b);
	else
		v->bytes = mm_cost_tensor_bytes(s, t);
}

bool mm_value_set_formula(mm_value *v, const mm_poly *p, mm_dim dim,
                          struct mm_arena *arena)
{
	mm_count c;
	int64_t n;
	if (mm_poly_is_const(p)) {
		if (mm_poly_get_const(p, &n))
			mm_value_set_int(v, n);
		else
			mm_value_set_num(v, p->nterms ? p->term[0].fcoef : 0.0);
		v->dim = dim;
		if (mm_dim_is_count(dim) && mm_poly_get_count(p, &c))
			v->cnt = c;
		else if (mm_dim_is_count(dim))
			v->cnt = mm_count_from_double(v->num);
		return true;
	}
	mm_poly *q = mm_arena_alloc(arena, sizeof *q);
	if (!q)
		return false;
	*q = *p;
	memset(v, 0, sizeof *v);
	v->kind = MM_K_FORMULA;
	v->dim = dim;
	v->num = NAN;
	v->sym = q;
	return true;
}
