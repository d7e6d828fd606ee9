/* attention.c — attention(Q, K, V, causal=, kv_heads=, scale=). */
#include <math.h>
#include <string.h>

#include "mmcalc/ops.h"
#include "fn/fn.h"

/* attention's keywords: kv_heads= must be K's heads (the third axis from
 * the end, 1 without one), causal= a boolean, scale= a number (it
 * replaces i->scale). */
static mm_code attention_keys(mm_checker *c, mm_node *e, mm_info *i,
                              const mm_shape *kk)
{
	mm_code r;
	int ka = mm_ck_key(e, "kv_heads");
	if (ka >= 0) {
		int64_t want = 0;
		if ((r = mm_ck_int(c, e->items[ka], "kv_heads", &want)) != MM_OK)
			return r;
		int h = kk->ndim - 3;
		if (h >= 0 && kk->sym[h])
			return mm_ck_fail(c, MM_ERR_SHAPE, e->items[ka]->span,
			                  "attention: kv_heads=%lld, but K's heads "
			                  "are symbolic", (long long)want);
		int64_t kv = h < 0 ? 1 : kk->dim[h];
		if (want != kv)
			return mm_ck_fail(c, MM_ERR_SHAPE, e->items[ka]->span,
			                  "attention: kv_heads=%lld, but K has %lld "
			                  "heads", (long long)want, (long long)kv);
	}
	if ((ka = mm_ck_key(e, "causal")) >= 0 &&
	    (r = mm_ck_bool(c, e->items[ka], "causal", &i->causal)) != MM_OK)
		return r;
	if ((ka = mm_ck_key(e, "scale")) >= 0) {
		if (e->items[ka]->info->v.kind != MM_K_NUMBER)
			return mm_ck_fail(c, MM_ERR_TYPE, e->items[ka]->span,
			                  "scale must be a number");
		i->scale = e->items[ka]->info->v.num;
	}
	return MM_OK;
}

/* Q (.. h x s_q x d), K (.. kv x s_k x d), V (.. kv x s_k x d_v) give
 * (.. h x s_q x d_v); h a multiple of kv (grouped-query attention). With
 * symbols, what the shapes need is assumed and recorded; the result is
 * then abstract (it cannot run). */
mm_code mm_fn_attention_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_code r;
	for (int k = 0; k < 3; k++)
		if ((r = mm_ck_tensor(c, e->items[k], i->fn->name)) != MM_OK)
			return r;
	const mm_info *qi = e->items[0]->info, *ki = e->items[1]->info,
	              *vi = e->items[2]->info;
	const mm_shape *q = &qi->v.shape, *kk = &ki->v.shape;
	bool sym = qi->symbolic || ki->symbolic || vi->symbolic;
	mm_shape out;
	if ((r = mm_shape_attention_as(q, kk, &vi->v.shape, &out, &c->assume,
	                               c->diag)) != MM_OK)
		return mm_ck_placed(c, r, e->span);
	int64_t d = q->dim[q->ndim - 1];
	i->scale = !sym && d > 0 ? 1 / sqrt((double)d) : 1;
	if ((r = attention_keys(c, e, i, kk)) != MM_OK)
		return r;
	if (d == 0 && !q->sym[q->ndim - 1] && mm_ck_key(e, "scale") < 0) {
		/* NumPy's 0 · inf would make every score NaN */
		mm_ck_fail(c, MM_ERR_SHAPE, e->span, "attention: Q and K have no "
		           "features (d = 0), and the default scale 1/sqrt(d) is "
		           "infinite");
		mm_diag_hint(c->diag, "give scale= (the scores are all 0)");
		return MM_ERR_SHAPE;
	}
	mm_dtype t = mm_dtype_promote(mm_dtype_promote(qi->v.dtype, ki->v.dtype),
	                              vi->v.dtype);
	mm_ck_set_tensor(i, &out, t,
	                 !sym && qi->concrete && ki->concrete && vi->concrete);
	i->symbolic = sym;
	i->cls = MM_C_SOFTMAX;
	if (i->causal) {
		mm_causal how = c->opts.conv ? (mm_causal)c->opts.conv->causal
		                             : MM_CAUSAL_EXACT;
		i->note = how == MM_CAUSAL_EXACT ? "causal: the scores the mask leaves"
		        : how == MM_CAUSAL_HALF  ? "causal: the matmuls count half"
		                                 : "causal: counted as if unmasked";
	}
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_attention(&cx, &i->v, &qi->v, &ki->v,
	                                         &vi->v, i->causal, &i->cost),
	                    e->span);
}

/* Sets scores above the causal diagonal to -inf, in place (s contiguous,
 * (.. x s_q x s_k); query i sees keys up to i + s_k - s_q). */
static void causal_mask(mm_tensor *s)
{
	int64_t sq = s->shape[s->ndim - 2], sk = s->shape[s->ndim - 1];
	int64_t mats = sq && sk ? mm_tensor_numel(s) / (sq * sk) : 0;
	for (int64_t b = 0; b < mats; b++)
		for (int64_t i = 0; i < sq; i++)
			for (int64_t j = i + sk - sq + 1; j < sk; j++) {
				if (j < 0)
					continue;
				int64_t at = (b * sq + i) * sk + j;
				if (s->dtype == MM_F64)
					((double *)s->data)[at] = -INFINITY;
				else
					((float *)s->data)[at] = -INFINITY;
			}
}

/* With more queries than keys, the first s_q - s_k queries see no key:
 * their softmax (all -inf) is NaN, and their output is 0, as
 * FlashAttention 2 gives (p contiguous, (.. x s_q x s_k)). */
static void zero_unseeing_rows(mm_tensor *p)
{
	int64_t sq = p->shape[p->ndim - 2], sk = p->shape[p->ndim - 1];
	if (sq <= sk)
		return;
	int64_t mats = mm_tensor_numel(p) / (sq * (sk ? sk : 1));
	size_t es = mm_tensor_elsize(p);
	for (int64_t b = 0; b < mats && sk; b++)
		memset((char *)p->data + (size_t)(b * sq * sk) * es, 0,
		       (size_t)((sq - sk) * sk) * es);
}

/* Q, K, V with the heads of Q grouped so that each group meets its K/V
 * head by broadcasting (no copies of K or V): new references in out. */
static bool group_heads(mm_evaluator *ev, const mm_tensor *q,
                        const mm_tensor *k, const mm_tensor *v,
                        mm_tensor *out[3])
{
	int nd = q->ndim;
	int64_t heads = nd >= 3 ? q->shape[nd - 3] : 1;
	int64_t kv = nd >= 3 ? k->shape[nd - 3] : 1;
	out[0] = out[1] = out[2] = NULL;
	if (heads == kv) {
		out[0] = mm_tensor_ref(q);
		out[1] = mm_tensor_ref(k);
		out[2] = mm_tensor_ref(v);
		return true;
	}
	if (nd + 1 > MM_MAX_NDIM) {
		mm_diag_set(ev->diag, MM_ERR_UNSUPPORTED, (mm_span){0, 0},
		            "attention: too many axes to group heads");
		return false;
	}
	int64_t sh[MM_MAX_NDIM];
	memcpy(sh, q->shape, sizeof sh[0] * (size_t)nd);
	sh[nd - 3] = kv;
	sh[nd - 2] = heads / kv;
	sh[nd - 1] = q->shape[nd - 2];
	sh[nd] = q->shape[nd - 1];
	if (!(out[0] = mm_op_reshape(q, nd + 1, sh, ev->diag)))
		return false;
	memcpy(sh, k->shape, sizeof sh[0] * (size_t)nd);
	sh[nd - 2] = 1;
	sh[nd - 1] = k->shape[nd - 2];
	sh[nd] = k->shape[nd - 1];
	if (!(out[1] = mm_op_reshape(k, nd + 1, sh, ev->diag)))
		return false;
	sh[nd] = v->shape[nd - 1];
	return (out[2] = mm_op_reshape(v, nd + 1, sh, ev->diag)) != NULL;
}

/* softmax(Q @ K.T · scale [+ causal mask]) @ V. */
mm_tensor *mm_fn_attention_eval(mm_evaluator *ev, mm_node *e)
{
	const mm_info *i = e->info;
	mm_tensor *g[3], *kt = NULL, *s = NULL, *s2 = NULL, *sc = NULL,
	          *a = NULL, *o = NULL, *out = NULL;
	if (!group_heads(ev, e->items[0]->info->value, e->items[1]->info->value,
	                 e->items[2]->info->value, g))
		goto done;
	if (!(kt = mm_tensor_transpose(g[1], ev->diag)) ||
	    !(s = mm_op_matmul(g[0], kt, ev->diag)) ||
	    !(sc = mm_tensor_scalar(s->dtype, i->scale, ev->diag)) ||
	    !(s2 = mm_op_binary(MM_OP_MUL, s, sc, ev->diag)))
		goto done;
	if (i->causal)
		causal_mask(s2);
	if (!(a = mm_op_softmax(s2, -1, ev->diag)))
		goto done;
	if (i->causal)
		zero_unseeing_rows(a);
	if (!(o = mm_op_matmul(a, g[2], ev->diag)))
		goto done;
	out = mm_op_reshape(o, i->v.shape.ndim, i->v.shape.dim, ev->diag);
done:
	for (int k = 0; k < 3; k++)
		mm_tensor_unref(g[k]);
	mm_tensor_unref(kt);
	mm_tensor_unref(s);
	mm_tensor_unref(sc);
	mm_tensor_unref(s2);
	mm_tensor_unref(a);
	mm_tensor_unref(o);
	return out;
}
