/* model.c — what models are made of beyond operations: param() marks a
 * value as a parameter (weights), which params() counts; repeat(L, f, x)
 * applies a function L times (a stack of layers). */
#include <string.h>

#include "mmcalc/graph.h"
#include "mmcalc/interrupt.h"
#include "fn/fn.h"

/* param(x): x as a parameter: an input of its own in the graph, so what
 * made x (a constructor, a load) is not part of the model's cost, and
 * params() counts its elements. */
mm_code mm_fn_param_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *x = e->items[0];
	const mm_info *xi = x->info;
	mm_code r;
	if ((r = mm_ck_tensor(c, x, i->fn->name)) != MM_OK)
		return r;
	mm_ck_set_tensor(i, &xi->v.shape, xi->v.dtype, xi->concrete);
	i->symbolic = xi->symbolic;
	mm_ck_set_leaf(c, i);
	i->param = true;
	i->data = xi->concrete;
	i->cls = MM_C_DATA;
	return MM_OK;
}

mm_tensor *mm_fn_param_eval(mm_evaluator *ev, mm_node *e)
{
	(void)ev;
	return mm_tensor_ref(e->items[0]->info->value);
}

/* ---- repeat(L, f, x) ---- */

/* What the check of a repeat decided for its evaluation. */
typedef struct repeat_data {
	mm_node *param;  /* the node f's parameter stands for */
	int64_t times;
} repeat_data;

#define MAX_OUTSIDE 62

/* repeat(L, f, x): f applied L times, f keeping x's shape. f is checked
 * once; its cost is L times one application's, and :explain shows it as
 * one module times L. L may be symbolic (n_layer). */
mm_code mm_fn_repeat_check(mm_checker *c, mm_node *e, mm_info *i)
{
	mm_node *ln = e->items[0], *fnode = e->items[1], *x = e->items[2];
	mm_code r;
	mm_poly lp;
	if ((r = mm_ck_sym(c, ln, &lp)) != MM_OK)
		return r;
	int64_t times = 0;
	bool sym = !mm_poly_get_const(&lp, &times);
	if (!sym && times < 0)
		return mm_ck_fail(c, MM_ERR_VALUE, ln->span,
		                  "repeat: the count cannot be negative");
	if (sym && !mm_poly_is_integral(&lp))
		return mm_ck_fail(c, MM_ERR_VALUE, ln->span,
		                  "repeat: the count must be a whole number");
	const mm_userfn *f = fnode->kind == MM_N_NAME && c->opts.find_fn
	                         ? c->opts.find_fn(c->opts.fn_ctx, fnode->name)
	                         : NULL;
	if (!f) {
		mm_ck_fail(c, MM_ERR_NAME, fnode->span,
		           "repeat: the second argument is the name of a function "
		           "you defined");
		mm_diag_hint(c->diag, "def block(x) = x + relu(x @ (d x d)), then "
		                      "repeat(12, block, x)");
		return MM_ERR_NAME;
	}
	if (f->nparams != 1)
		return mm_ck_fail(c, MM_ERR_ARG, fnode->span,
		                  "repeat: %s takes %d arguments; repeat applies a "
		                  "function of one", f->name, f->nparams);
	if ((r = mm_ck_tensor(c, x, "repeat")) != MM_OK)
		return r;
	/* f's parameter stands for x in the first application and for the
	 * previous result in the others: a node of its own, x's graph node */
	mm_node *p = mm_arena_alloc(c->arena, sizeof *p);
	mm_info *pi = p ? mm_arena_alloc(c->arena, sizeof *pi) : NULL;
	repeat_data *rd = pi ? mm_arena_alloc(c->arena, sizeof *rd) : NULL;
	if (!rd || !mm_ck_hold(c, mm_graph_ref(x->info->g)))
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	*pi = *x->info;
	pi->value = NULL;
	pi->leaf = true;
	pi->data = x->info->concrete;
	p->kind = MM_N_NAME;
	p->name = f->params[0];
	p->span = p->op_span = x->span;
	p->info = pi;
	uint64_t from = mm_graph_next_id();
	mm_node *res;
	if ((r = mm_ck_apply(c, f, &p, 1, e->span, &res)) != MM_OK)
		return r;
	const mm_info *ri = res->info;
	if (ri->v.kind != MM_K_TENSOR || !mm_shape_eq(&ri->v.shape, &x->info->v.shape)) {
		mm_buf a = MM_BUF_INIT, b = MM_BUF_INIT;
		mm_shape_print(&a, &x->info->v.shape);
		if (ri->v.kind == MM_K_TENSOR)
			mm_shape_print(&b, &ri->v.shape);
		else
			mm_buf_puts(&b, mm_ck_kind_name(&ri->v));
		mm_ck_fail(c, MM_ERR_SHAPE, fnode->span,
		           "repeat: %s turns %s into %s; repeat needs a function "
		           "that keeps the shape", f->name, mm_buf_str(&a),
		           mm_buf_str(&b));
		mm_buf_free(&a);
		mm_buf_free(&b);
		return MM_ERR_SHAPE;
	}
	mm_gnode *in[MAX_OUTSIDE + 1];
	in[0] = x->info->g;
	int n = mm_graph_outside(ri->g, from, x->info->g, in + 1, MAX_OUTSIDE);
	if (n < 0)
		return mm_ck_fail(c, MM_ERR_LIMIT, e->span,
		                  "repeat: %s reads more than %d values from "
		                  "outside it", f->name, MAX_OUTSIDE);
	mm_gnode *g = mm_graph_repeat(&ri->v, in, n + 1, ri->g, from,
	                              sym ? 0 : times, sym ? &lp : NULL,
	                              c->opts.stmt);
	if (!g || !mm_ck_hold(c, g)) {
		mm_graph_unref(g);
		return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
	}
	i->g = g;
	mm_ck_set_tensor(i, &ri->v.shape, ri->v.dtype,
	                 x->info->concrete && ri->concrete && !sym);
	i->symbolic = x->info->symbolic || ri->symbolic || sym;
	i->body = res;
	i->repeat = true;
	i->cls = MM_C_DATA;
	rd->param = p;
	rd->times = sym ? 0 : times;
	i->fn_data = rd;
	return MM_OK;
}

mm_tensor *mm_fn_repeat_eval(mm_evaluator *ev, mm_node *e)
{
	const repeat_data *rd = e->info->fn_data;
	mm_node *body = e->info->body;
	mm_tensor *cur = mm_tensor_ref(e->items[2]->info->value);
	for (int64_t k = 0; k < rd->times && cur; k++) {
		if (mm_interrupted()) {
			mm_diag_set(ev->diag, MM_ERR_INTERRUPTED, e->span,
			            "interrupted");
			mm_tensor_unref(cur);
			return NULL;
		}
		rd->param->info->value = cur;
		mm_tensor *next = mm_eval(ev, body) == MM_OK
		                      ? mm_tensor_ref(body->info->value) : NULL;
		/* this application's values go (the parameter's with them) */
		mm_eval_release_all(body);
		rd->param->info->value = NULL;
		cur = next;
	}
	return cur;
}
