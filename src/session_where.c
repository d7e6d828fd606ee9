/* session_where.c — a warning for a `where` binding that nothing in its
 * statement uses (`(n x 2) @ (2 x 3) where n = 3, m = 5`: m is a slip). */
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/graph.h"
#include "session_int.h"

/* Whether what made v has symbols upstream (loss = f(x) with x
 * symbolic: flops(loss) where n = 8 reads n). */
static bool symbolic_graph(mm_session *s, const mm_var *v)
{
	if (!v->g)
		return false;
	if (v->g->symbolic)
		return true;
	mm_gtotals t;
	mm_diag d;
	return mm_graph_totals(v->g, false, &s->arena, &t, &d) != MM_OK ||
	       t.symbolic;
}

/* Whether the tree e names `name`; *maybe set when it may use it
 * unseen: a call of a function the user defined (whose body may name
 * it), or its name passed to repeat, a variable with symbols (d = (k x 2): `d where k = 3` binds d's
 * k). Trees are at most MM_PARSE_MAX_HEIGHT tall. */
static bool uses(mm_session *s, const mm_node *e, const char *name,
                 bool *maybe)
{
	const mm_env *env = &s->env;
	if (!e)
		return false;
	if (e->kind == MM_N_NAME) {
		if (strcmp(e->name, name) == 0)
			return true;
		const mm_var *v = mm_env_find(env, e->name);
		if (v && ((v->v.kind == MM_K_TENSOR &&
		           mm_shape_is_symbolic(&v->v.shape)) ||
		          v->v.kind == MM_K_FORMULA || symbolic_graph(s, v)))
			*maybe = true;
		/* a function passed by name (repeat(L, f, x)) is called too */
		if (!v && mm_sx_find_fn(s, e->name))
			*maybe = true;
	}
	if (e->kind == MM_N_CALL && !mm_builtin_find(e->name))
		*maybe = true;
	if (uses(s, e->lhs, name, maybe) || uses(s, e->rhs, name, maybe))
		return true;
	for (int k = 0; k < 3; k++)
		if (uses(s, e->slice[k], name, maybe))
			return true;
	for (int k = 0; k < e->n; k++)
		if (uses(s, e->items[k], name, maybe))
			return true;
	return false;
}

/* Whether binding k of st is used: by the statement, its options, or a
 * later binding (where n = 8, m = 2*n). */
static bool used(mm_session *s, const mm_stmt *st, int k, bool *maybe)
{
	const char *name = st->where[k].name;
	if (uses(s, st->expr, name, maybe) || uses(s, st->rhs, name, maybe))
		return true;
	for (int j = 0; j < st->nflags; j++)
		if (uses(s, st->flags[j].value, name, maybe))
			return true;
	for (int j = k + 1; j < st->nwhere; j++)
		if (uses(s, st->where[j].expr, name, maybe))
			return true;
	return false;
}

void mm_sx_where_unused(mm_stmtctx *c, const mm_stmt *st)
{
	for (int k = 0; k < st->nwhere; k++) {
		bool maybe = false;
		if (used(c->s, st, k, &maybe) || maybe)
			continue;
		mm_diag d;
		mm_diag_set(&d, MM_ERR_NAME, st->where[k].span,
		            "'where' binds '%s', which the statement does not use",
		            st->where[k].name);
		mm_diag_hint(&d, "a misspelt name? the statement ran without it");
		d.warning = true;
		mm_sx_warn(c, &d);
	}
}
