/* conv.c — conv2d, max_pool2d and avg_pool2d (PyTorch's
 * torch.nn.functional forms, NCHW). */
#include <string.h>

#include "mmcalc/conv.h"
#include "fn/fn.h"

/* What the check decided for the eval (in the arena). */
typedef struct conv_data {
	mm_window win;
	bool include_pad; /* avg_pool2d's count_include_pad */
	int bias;         /* the bias's argument, or -1 */
} conv_data;

/* An integer argument of a window, or a pair written as a shape literal
 * ((2, 2), or (2,) for both), into v[0..2). The literal is then no
 * operand: it stops being a tensor, so that nothing reads or counts it. */
static mm_code pair_of(mm_checker *c, mm_node *a, const char *fn,
                       const char *what, int64_t lo, int64_t v[2])
{
	const mm_info *ai = a->info;
	int64_t n;
	if (ai->v.kind == MM_K_NUMBER && mm_value_get_int(&ai->v, &n)) {
		v[0] = v[1] = n;
	} else if (a->kind == MM_N_SHAPE && (a->n == 1 || a->n == 2) &&
	           !mm_shape_is_symbolic(&ai->v.shape)) {
		v[0] = ai->v.shape.dim[0];
		v[1] = ai->v.shape.dim[a->n - 1];
		a->info->v.kind = MM_K_NONE;
	} else {
		mm_ck_fail(c, MM_ERR_TYPE, a->span,
		           "%s: %s must be an integer or a pair of them", fn, what);
		mm_diag_hint(c->diag, "%s=2, or %s=(2, 3) for height and width",
		             what, what);
		return MM_ERR_TYPE;
	}
	for (int k = 0; k < 2; k++)
		if (v[k] < lo)
			return mm_ck_fail(c, MM_ERR_VALUE, a->span,
			                  "%s: %s must be at least %lld, got %lld", fn,
			                  what, (long long)lo, (long long)v[k]);
	return MM_OK;
}

/* The keyword `what` as a pair, or def for both when it is absent. */
static mm_code pair_key(mm_checker *c, mm_node *e, const char *what,
                        int64_t def, int64_t lo, int64_t v[2])
{
	int k = mm_ck_key(e, what);
	v[0] = v[1] = def;
	return k < 0 ? MM_OK : pair_of(c, e->items[k], e->name, what, lo, v);
}

/* conv2d's padding: a pair, or "same" / "valid" (a string or a word). */
static mm_code conv_padding(mm_checker *c, mm_node *e, mm_window *w)
{
	int k = mm_ck_key(e, "padding");
	w->pad_lo[0] = w->pad_lo[1] = 0;
	if (k < 0)
		return MM_OK;
	mm_node *a = e->items[k];
	const char *word = a->kind == MM_N_STRING ? a->str
	                 : a->kind == MM_N_NAME && !mm_env_find(c->env, a->name)
	                     ? a->name : NULL;
	if (word && (strcmp(word, "same") == 0 || strcmp(word, "valid") == 0)) {
		w->same = word[0] == 's';
		return MM_OK;
	}
	if (word && a->kind == MM_N_STRING) {
		mm_ck_fail(c, MM_ERR_VALUE, a->span,
		           "conv2d: padding \"%s\" is not \"same\" or \"valid\"",
		           word);
		mm_diag_hint(c->diag, "padding=1, padding=(1, 2), padding=same or "
		                      "padding=valid");
		return MM_ERR_VALUE;
	}
	mm_code r = mm_ck_node(c, a);
	if (r == MM_OK)
		r = pair_of(c, a, "conv2d", "padding", 0, w->pad_lo);
	return r;
}

/* The operand an error of the window rule is about. */
static mm_span culprit(const mm_node *e, int at, int bias)
{
	switch (at) {
	case MM_CONV_AT_X: return e->items[0]->span;
	case MM_CONV_AT_W: return e->items[1]->span;
	case MM_CONV_AT_BIAS: return bias >= 0 ? e->items[bias]->span : e->span;
	default: return e->span;
	}
}

mm_code mm_fn_conv2d_check(mm_checker *c, mm_node *e, mm_info *i)
{
	conv_data *cd = mm_arena_alloc(c->arena, sizeof *cd);
	if (!cd)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	mm_code r;
	int npos = mm_ck_npos(e);
	cd->bias = npos > 2 ? 2 : mm_ck_key(e, "bias");
	const mm_info *in[3] = {e->items[0]->info, e->items[1]->info, NULL};
	for (int k = 0; k < 2; k++)
		if ((r = mm_ck_tensor(c, e->items[k], "conv2d")) != MM_OK)
			return r;
	if (cd->bias >= 0) {
		if ((r = mm_ck_tensor(c, e->items[cd->bias], "conv2d")) != MM_OK)
			return r;
		in[2] = e->items[cd->bias]->info;
	}
	mm_window *w = &cd->win;
	int64_t g[2];
	if ((r = pair_key(c, e, "stride", 1, 1, w->stride)) != MM_OK ||
	    (r = pair_key(c, e, "dilation", 1, 1, w->dilation)) != MM_OK ||
	    (r = pair_key(c, e, "groups", 1, 1, g)) != MM_OK ||
	    (r = conv_padding(c, e, w)) != MM_OK)
		return r;
	w->groups = g[0];
	if (g[0] != g[1])
		return mm_ck_fail(c, MM_ERR_TYPE, e->items[mm_ck_key(e, "groups")]->span,
		                  "conv2d: groups must be one integer");
	memcpy(w->pad_hi, w->pad_lo, sizeof w->pad_hi);
	mm_shape out;
	int at;
	if ((r = mm_shape_conv2d_as(&in[0]->v.shape, &in[1]->v.shape,
	                            in[2] ? &in[2]->v.shape : NULL, w, &out, &at,
	                            c->arena, &c->assume, c->diag)) != MM_OK)
		return mm_ck_placed(c, r, culprit(e, at, cd->bias));
	w->kernel[0] = in[1]->v.shape.dim[2];
	w->kernel[1] = in[1]->v.shape.dim[3];
	mm_dtype t = mm_dtype_promote(in[0]->v.dtype, in[1]->v.dtype);
	bool concrete = in[0]->concrete && in[1]->concrete, sym = false;
	for (int k = 0; k < 3; k++)
		if (in[k]) {
			sym |= in[k]->symbolic;
			concrete &= in[k]->concrete;
			if (k == 2)
				t = mm_dtype_promote(t, in[k]->v.dtype);
		}
	mm_ck_set_tensor(i, &out, t, concrete && !sym);
	i->symbolic = sym;
	i->cls = MM_C_MATMUL;
	i->fn_data = cd;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_conv2d(&cx, &i->v, &in[0]->v, &in[1]->v,
	                                      in[2] ? &in[2]->v : NULL, &i->cost),
	                    e->span);
}

mm_tensor *mm_fn_conv2d_eval(mm_evaluator *ev, mm_node *e)
{
	const conv_data *cd = e->info->fn_data;
	return mm_conv_2d(e->items[0]->info->value, e->items[1]->info->value,
	                  cd->bias >= 0 ? e->items[cd->bias]->info->value : NULL,
	                  &cd->win, ev->diag);
}

/* ---- pools ---- */

mm_code mm_fn_pool2d_check(mm_checker *c, mm_node *e, mm_info *i)
{
	const char *fn = i->fn->name;
	conv_data *cd = mm_arena_alloc(c->arena, sizeof *cd);
	if (!cd)
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	mm_node *x = e->items[0];
	mm_code r;
	if ((r = mm_ck_tensor(c, x, fn)) != MM_OK)
		return r;
	int kk = mm_ck_npos(e) > 1 ? 1 : mm_ck_key(e, "kernel_size");
	if (kk < 0) {
		mm_ck_fail(c, MM_ERR_ARG, e->span, "%s needs a kernel_size", fn);
		mm_diag_hint(c->diag, "usage: %s", i->fn->usage);
		return MM_ERR_ARG;
	}
	mm_window *w = &cd->win;
	if ((r = pair_of(c, e->items[kk], fn, "kernel_size", 1, w->kernel)) !=
	        MM_OK ||
	    (r = pair_key(c, e, "stride", 0, 1, w->stride)) != MM_OK ||
	    (r = pair_key(c, e, "padding", 0, 0, w->pad_lo)) != MM_OK ||
	    (r = pair_key(c, e, "dilation", 1, 1, w->dilation)) != MM_OK)
		return r;
	if (mm_ck_key(e, "stride") < 0) /* PyTorch: stride defaults to the kernel */
		memcpy(w->stride, w->kernel, sizeof w->stride);
	memcpy(w->pad_hi, w->pad_lo, sizeof w->pad_hi);
	w->groups = 1;
	int kb = mm_ck_key(e, "ceil_mode");
	if (kb >= 0 && (r = mm_ck_bool(c, e->items[kb], "ceil_mode",
	                               &w->ceil_mode)) != MM_OK)
		return r;
	cd->include_pad = true;
	kb = mm_ck_key(e, "count_include_pad");
	if (kb >= 0 && (r = mm_ck_bool(c, e->items[kb], "count_include_pad",
	                               &cd->include_pad)) != MM_OK)
		return r;
	mm_shape out;
	if ((r = mm_shape_pool2d_as(fn, &x->info->v.shape, w, &out, c->arena,
	                            &c->assume, c->diag)) != MM_OK) {
		int kp = mm_ck_key(e, "padding"); /* a value error is padding's */
		return mm_ck_placed(c, r, r == MM_ERR_VALUE && kp >= 0
		                              ? e->items[kp]->span : e->span);
	}
	mm_ck_set_tensor(i, &out, x->info->v.dtype,
	                 x->info->concrete && !x->info->symbolic);
	i->cls = MM_C_REDUCTION;
	i->fn_data = cd;
	mm_cost_ctx cx = mm_ck_cost_ctx(c);
	return mm_ck_placed(c, mm_cost_pool2d(&cx, &i->v, &x->info->v,
	                                      w->kernel[0], w->kernel[1],
	                                      &i->cost), e->span);
}

mm_tensor *mm_fn_pool2d_eval(mm_evaluator *ev, mm_node *e)
{
	const conv_data *cd = e->info->fn_data;
	return mm_conv_pool2d((mm_pool)e->info->fn->op, e->items[0]->info->value,
	                      &cd->win, cd->include_pad, ev->diag);
}
