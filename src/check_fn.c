/* check_fn.c — calls of user functions (def): the body is read again from
 * its text at every call, checked with the parameters standing for the
 * arguments' nodes, and its operations put into a module of the graph
 * named for the function, nested in the caller's. */
#include <stdio.h>
#include <string.h>

#include "mmcalc/graph.h"
#include "check_int.h"
#include "fn/fn.h"

struct mm_local {
	const char *name;
	mm_node *node;
};

mm_node *mm_ck_local_find(const mm_checker *c, const char *name)
{
	if (c->ncalls == 0)
		return NULL;
	for (int k = c->nlocals - 1; k >= c->frame; k--)
		if (strcmp(c->locals[k].name, name) == 0)
			return c->locals[k].node;
	return NULL;
}

/* Binds name to node in the current function (a local shadows an earlier
 * one of the same name). */
static mm_code bind(mm_checker *c, const char *name, mm_node *node, mm_span at)
{
	if (c->nlocals == c->caplocals) {
		int nc = c->caplocals ? c->caplocals * 2 : 16;
		struct mm_local *l = mm_arena_alloc(c->arena, sizeof *l * (size_t)nc);
		if (!l)
			return mm_ck_fail(c, MM_ERR_NOMEM, at, "out of memory");
		if (c->nlocals)
			memcpy(l, c->locals, sizeof *l * (size_t)c->nlocals);
		c->locals = l;
		c->caplocals = nc;
	}
	c->locals[c->nlocals++] = (struct mm_local){name, node};
	if (node->info)
		node->info->shared = true;
	return MM_OK;
}

/* Points every node of a body read from the function's text at the call:
 * its messages then show where the call is. */
static void respan(mm_node *e, mm_span at)
{
	if (!e)
		return;
	e->span = e->op_span = at;
	respan(e->lhs, at);
	respan(e->rhs, at);
	for (int k = 0; k < 3; k++)
		respan(e->slice[k], at);
	for (int k = 0; k < e->n; k++)
		respan(e->items[k], at);
}

/* "in f: " before a message from f's body. */
static void inside(mm_checker *c, const mm_userfn *f)
{
	if (!c->diag || strncmp(c->diag->message, "in ", 3) == 0)
		return;
	char m[sizeof c->diag->message];
	size_t n = (size_t)snprintf(m, sizeof m, "in %.60s: ", f->name);
	if (n >= sizeof m)
		return;
	size_t room = sizeof m - n - 1, len = strlen(c->diag->message);
	memcpy(m + n, c->diag->message, len < room ? len : room);
	m[n + (len < room ? len : room)] = '\0';
	memcpy(c->diag->message, m, sizeof m);
}

mm_code mm_ck_apply(mm_checker *c, const mm_userfn *f, mm_node *const *args,
                    int nargs, mm_span at, mm_node **result)
{
	if (c->ncalls == MM_MAX_CALL_DEPTH)
		return mm_ck_fail(c, MM_ERR_LIMIT, at,
		                  "functions called %d deep", MM_MAX_CALL_DEPTH);
	for (int k = 0; k < c->ncalls; k++)
		if (c->calls[k] == f) {
			mm_ck_fail(c, MM_ERR_UNSUPPORTED, at,
			           "%s calls itself: recursion is not supported",
			           f->name);
			mm_diag_hint(c->diag, "repeat(L, f, x) applies f L times");
			return MM_ERR_UNSUPPORTED;
		}
	if (nargs != f->nparams) {
		mm_buf u = MM_BUF_INIT;
		for (int k = 0; k < f->nparams; k++)
			mm_buf_printf(&u, k ? ", %s" : "%s", f->params[k]);
		mm_ck_fail(c, MM_ERR_ARG, at, "%s takes %d argument%s, got %d",
		           f->name, f->nparams, f->nparams == 1 ? "" : "s", nargs);
		mm_diag_hint(c->diag, "usage: %s(%s)", f->name, mm_buf_str(&u));
		mm_buf_free(&u);
		return MM_ERR_ARG;
	}
	/* the body, read again: fresh nodes (and leaves) at every call */
	mm_binding *stmts, one;
	int n = 1;
	mm_code r;
	if (f->block) {
		r = mm_parse_block(f->body, f->body_len, c->arena, &stmts, &n, c->diag);
	} else {
		memset(&one, 0, sizeof one);
		one.expr = mm_parse_expr_text(f->body, f->body_len, 0, c->arena,
		                              c->diag);
		r = one.expr ? MM_OK : c->diag->code;
		stmts = &one;
	}
	if (r != MM_OK) {
		c->diag->span = at;
		inside(c, f);
		return r;
	}
	int frame = c->frame, nlocals = c->nlocals;
	c->frame = c->nlocals;
	for (int k = 0; k < nargs && r == MM_OK; k++)
		r = bind(c, f->params[k], args[k], at);
	mm_gmodule *m = mm_graph_module_new(f->name, c->module);
	if (!m && r == MM_OK)
		r = mm_ck_fail(c, MM_ERR_NOMEM, at, "out of memory");
	uint64_t from = mm_graph_next_id();
	c->calls[c->ncalls++] = f;
	mm_gmodule *outer = c->module;
	c->module = m;
	for (int k = 0; k < n && r == MM_OK; k++) {
		respan(stmts[k].expr, at);
		r = mm_ck_node(c, stmts[k].expr);
		if (r == MM_OK && stmts[k].name)
			r = bind(c, stmts[k].name, stmts[k].expr, at);
	}
	c->module = outer;
	c->ncalls--;
	c->nlocals = nlocals;
	c->frame = frame;
	if (r != MM_OK) {
		inside(c, f);
		mm_graph_module_unref(m);
		return r;
	}
	mm_node *res = stmts[n - 1].expr;
	if (res->info && res->info->g)
		mm_graph_set_module(res->info->g, from, m);
	mm_graph_module_unref(m);
	*result = res;
	return MM_OK;
}

mm_code mm_ck_user_call(mm_checker *c, mm_node *e, mm_info *i,
                        const mm_userfn *f)
{
	mm_code r;
	for (int k = 0; k < e->n; k++) {
		if (e->keys[k])
			return mm_ck_fail(c, MM_ERR_ARG, e->items[k]->span,
			                  "%s takes no keyword arguments", f->name);
		if ((r = mm_ck_node(c, e->items[k])) != MM_OK)
			return r;
	}
	mm_node *res;
	if ((r = mm_ck_apply(c, f, e->items, e->n, e->span, &res)) != MM_OK)
		return r;
	const mm_info *ri = res->info;
	i->body = res;
	i->v = ri->v;
	i->concrete = ri->concrete;
	i->symbolic = ri->symbolic;
	if (ri->g) {
		if (!mm_ck_hold(c, ri->g))
			return mm_ck_fail(c, MM_ERR_NOMEM, e->span, "out of memory");
		i->g = mm_graph_ref(ri->g);
	}
	return MM_OK;
}
