/* dtype.c — astype: a tensor (or a number) as another dtype holds it. */
#include "mmcalc/dtype_round.h"
#include "fn/fn.h"

/* astype(x, dtype=T) or astype(x, "T"): the same shape, dtype T. A number
 * gives a number, rounded by the function the tensors' elements go
 * through, so astype(70000, f16) and an f16 tensor's element agree. The
 * cost is a copy's: 0 FLOPs, as PyTorch's FLOP counter counts a cast
 * (torch.utils.flop_counter has no rule for aten._to_copy) and fvcore
 * too; the bytes of x read and the result written. */
mm_code mm_fn_astype_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	int npos = mm_ck_npos(e), k = mm_ck_key(e, "dtype");
	mm_code r;
	if ((npos == 2) == (k >= 0)) {
		mm_ck_fail(c, MM_ERR_ARG, e->span,
		           npos == 2 ? "astype: the dtype is given twice"
		                     : "astype: which dtype?");
		mm_diag_hint(c->diag, "astype(x, dtype=bf16) or astype(x, \"bf16\")");
		return MM_ERR_ARG;
	}
	mm_node *dn = k >= 0 ? e->items[k] : e->items[1];
	mm_dtype t;
	if (dn->kind != MM_N_NAME && dn->kind != MM_N_STRING)
		return mm_ck_fail(c, MM_ERR_ARG, dn->span,
		                  "astype: the dtype is a name (dtype=bf16) or a "
		                  "string (\"bf16\")");
	if ((r = mm_ck_dtype(c, dn, &t)) != MM_OK)
		return r;
	if (xi->v.kind == MM_K_NUMBER && mm_dim_is_none(xi->v.dim)) {
		mm_ck_set_number(i, mm_dtype_round_double(t, xi->v.num));
		return MM_OK;
	}
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	mm_ck_set_tensor(i, &xi->v.shape, t, xi->concrete);
	i->cls = MM_C_DATA;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	const mm_value *in[1] = {&xi->v};
	return mm_ck_placed(c, mm_cost_data(&cx, &i->v, in, 1, &i->cost),
	                    e->span);
}

/* The values converted to the new storage, or copied when the storage is
 * the same but the values may change; the evaluator then stores them as
 * the new dtype holds them (eval.c rounds every narrow result). When
 * nothing can change (to a wider type of the same storage, bf16 to f32)
 * the result is x itself. */
mm_tensor *mm_fn_astype_eval(mm_evaluator *ev, mm_node *e)
{
	mm_tensor *x = e->items[0]->info->value;
	mm_dtype to = e->info->v.dtype, from = e->items[0]->info->v.dtype;
	if (mm_dtype_exec(to) != x->dtype)
		return mm_tensor_cast(x, to, ev->diag);
	if (mm_dtype_narrow(to) && to != from)
		return mm_tensor_copy(x, ev->diag);
	return mm_tensor_ref(x);
}
