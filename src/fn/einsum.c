/* einsum.c — the einsum built-in: its subscripts and operands checked
 * into a plan (src/einsum.c), its cost, its execution. */
#include "mmcalc/einsum.h"
#include "fn/fn.h"

/* The cost of more than two operands: their steps' (the plan made
 * sure that each step can be made). */
static mm_code steps_cost(mm_checker *c, mm_node *e, mm_info *i,
                          const mm_einsum *p, const mm_value *const *in,
                          mm_cost_ctx *cx)
{
	mm_shape lab[2 * (MM_EINSUM_MAX_OPS - 1)];
	int nlab[MM_EINSUM_MAX_OPS - 1];
	bool summed[MM_EINSUM_MAX_OPS - 1], any = false;
	for (int k = 1; k < p->nops; k++) {
		mm_einsum s;
		mm_einsum_step(p, k, &s);
		nlab[k - 1] = mm_einsum_cost_dims(&s, &lab[2 * (k - 1)],
		                                  &summed[k - 1]);
		any |= summed[k - 1];
	}
	i->cls = any ? MM_C_MATMUL : MM_C_ELEMENTWISE;
	return mm_ck_placed(c, mm_cost_einsum_steps(cx, &i->v, in, p->nops, lab,
	                                            nlab, summed, p->nops - 1,
	                                            &i->cost), e->span);
}

mm_code mm_fn_einsum_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *sp = e->items[0];
	int n = mm_ck_npos(e) - 1;
	mm_code r;
	if (sp->info->v.kind != MM_K_STRING) {
		mm_ck_fail(c, MM_ERR_TYPE, sp->span, "einsum: the subscripts come "
		           "first, as a string");
		mm_diag_hint(c->diag, "einsum(\"bhqd,bhkd->bhqk\", Q, K)");
		return MM_ERR_TYPE;
	}
	mm_shape shapes[MM_EINSUM_MAX_OPS];
	const mm_value *in[MM_EINSUM_MAX_OPS];
	bool concrete = true;
	for (int k = 0; k < n && k < MM_EINSUM_MAX_OPS; k++) {
		const mm_node *x = e->items[1 + k];
		if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
			return r;
		shapes[k] = x->info->v.shape;
		in[k] = &x->info->v;
		concrete = concrete && x->info->concrete;
		i->symbolic = i->symbolic || x->info->symbolic;
	}
	mm_einsum *p = mm_arena_alloc(c->arena, sizeof *p);
	if (!p)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	mm_shape out;
	int at;
	if ((r = mm_einsum_plan(sp->info->v.str, shapes, n, p, &out, &at,
	                        &c->assume, c->diag)) != MM_OK) {
		/* point at the letter in the string (after its quote) */
		mm_span s = at >= 0 && sp->kind == MM_N_STRING &&
		                    (size_t)at < sp->str_len
		                ? (mm_span){sp->span.start + 1 + (uint32_t)at,
		                            sp->span.start + 2 + (uint32_t)at}
		                : n > MM_EINSUM_MAX_OPS ? e->span : sp->span;
		return mm_ck_placed(c, r, s);
	}
	mm_dtype t = in[0]->dtype;
	for (int k = 1; k < n; k++)
		t = mm_dtype_promote(t, in[k]->dtype);
	mm_ck_set_tensor(i, &out, t, concrete);
	i->fn_data = p;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	if (n > 2)
		return steps_cost(c, e, i, p, in, &cx);
	mm_shape lab[2];
	bool summed;
	int nlab = mm_einsum_cost_dims(p, lab, &summed);
	if (n == 1 && !summed) { /* a permutation or a diagonal: a view */
		mm_ck_set_view(i, e->items[1]->info);
		return MM_OK;
	}
	i->cls = n == 1 ? MM_C_REDUCTION : summed ? MM_C_MATMUL : MM_C_ELEMENTWISE;
	return mm_ck_placed(c, mm_cost_einsum(&cx, &i->v, in, n, lab, nlab, summed,
	                                      &i->cost), e->span);
}

mm_tensor *mm_fn_einsum_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_tensor *in[MM_EINSUM_MAX_OPS];
	int n = mm_ck_npos(e) - 1;
	for (int k = 0; k < n; k++)
		in[k] = e->items[1 + k]->info->value;
	return mm_op_einsum(e->info->fn_data, in, ev->diag);
}
