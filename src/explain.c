/* explain.c — the :explain table: the operations of a value's graph, back
 * to its leaves, each once; calls of user functions as modules with their
 * operations nested under them; repeats as one module times L. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain_int.h"
#include "mmcalc/chart.h"
#include "mmcalc/explain.h"
#include "mmcalc/format.h"
#include "mmcalc/graph.h"

const char *mm_explain_op_name(const mm_node *e)
{
	if (e->info && e->info->g && e->info->g->op)
		return e->info->g->op;
	switch (e->kind) {
	case MM_N_BINARY: return mm_bin_name(e->op);
	case MM_N_NEG: return "neg";
	case MM_N_CALL: return e->name;
	case MM_N_MATRIX: return "matrix";
	case MM_N_TRANSPOSE: return ".T";
	case MM_N_INDEX: return "[]";
	default: return "?";
	}
}


static row *add_row(table *t)
{
	if (t->n == t->cap) {
		int nc = t->cap ? t->cap * 2 : 64;
		row *r = realloc(t->r, sizeof *r * (size_t)nc);
		if (!r)
			return NULL;
		t->r = r;
		t->cap = nc;
	}
	row *r = &t->r[t->n++];
	memset(r, 0, sizeof *r);
	return r;
}

/* An operation's cost in training under the convention: the forward,
 * its backward (backward forwards; attention attn_backward), and the
 * forward again when training recomputes it (all of it with full
 * recomputation, attention's core with selective). Bytes: the forward's
 * traffic, then a backward that reads what the forward read and the
 * output's gradient and writes the inputs' gradients (3·in + 2·out), and
 * a recomputed forward's traffic again. */
/* Whether training recomputes g's forward under cv. Recomputation is of
 * the layers: when the model has some (calls of functions, repeats),
 * operations outside every layer (an embedding, the head, the loss) are
 * not recomputed, as Megatron-LM checkpoints its transformer layers
 * only; a model written without functions is recomputed whole. */
static bool recomputed(const mm_gnode *g, const mm_convention *cv,
                       bool layers, bool in_layer)
{
	bool attn = g->op && strcmp(g->op, "attention") == 0;
	if (layers && !in_layer && !g->module)
		return false;
	return cv->recompute == MM_RECOMPUTE_FULL ||
	       (cv->recompute == MM_RECOMPUTE_SELECTIVE && attn);
}

static void train_cost(const mm_gnode *g, const mm_convention *cv,
                       bool again_ok, mm_count *flops, mm_count *bytes)
{
	bool attn = g->op && strcmp(g->op, "attention") == 0;
	double back = attn ? cv->attn_backward : cv->backward;
	double again = again_ok ? 1 : 0;
	double f = mm_count_to_double(g->cost.flops) * (1 + back + again);
	*flops = mm_count_from_double(round(f));
	mm_count out = g->v.bytes, in = mm_count_sub(g->cost.bytes, out);
	*bytes = mm_count_add(mm_count_mul_u(in, 3), mm_count_mul_u(out, 2));
	if (again)
		*bytes = mm_count_add(*bytes, g->cost.bytes);
}

/* x times k (k, or sk when symbolic) into *out. */
static mm_code scale(const mm_poly *x, int64_t k, const mm_poly *sk,
                     mm_poly *out, mm_diag *d)
{
	mm_poly f;
	if (sk)
		f = *sk;
	else
		mm_poly_const(&f, k);
	return mm_poly_mul(out, x, &f, d);
}

/* Fills an operation's row: its costs, times over inside a repeat. */
/* Training's factor for an operation's FLOPs under the convention. */
static double train_factor(const mm_gnode *g, const mm_convention *cv,
                           bool again)
{
	bool attn = g->op && strcmp(g->op, "attention") == 0;
	return 1 + (attn ? cv->attn_backward : cv->backward) + (again ? 1 : 0);
}

/* A symbolic operation's FLOPs and bytes (a, b), trained as train_cost
 * says when the table is for training. */
static mm_code sym_cost(table *t, const mm_gnode *g, bool again,
                        mm_poly *a, mm_poly *b)
{
	*a = *g->cost.sflops;
	*b = *g->cost.sbytes;
	if (!t->train)
		return MM_OK;
	const mm_convention *cv = t->conv;
	mm_cost_ctx cx = {.arena = t->arena, .diag = t->diag};
	mm_poly out, in, tb;
	mm_code c;
	if ((c = mm_poly_scale(a, a, train_factor(g, cv, again), t->diag)) != MM_OK ||
	    (c = mm_cost_bytes_poly(&cx, &g->v.shape, g->v.dtype, &out)) != MM_OK ||
	    (c = mm_poly_sub(&in, b, &out, t->diag)) != MM_OK ||
	    (c = mm_poly_mul_int(&tb, &in, 3, t->diag)) != MM_OK ||
	    (c = mm_poly_mul_int(&out, &out, 2, t->diag)) != MM_OK ||
	    (c = mm_poly_add(&tb, &tb, &out, t->diag)) != MM_OK)
		return c;
	if (again && (c = mm_poly_add(&tb, &tb, b, t->diag)) != MM_OK)
		return c;
	*b = tb;
	return MM_OK;
}

static mm_code fill_op(table *t, row *r, const mm_gnode *g, int64_t times,
                       const mm_poly *stimes)
{
	r->g = g;
	r->times = times;
	r->stimes = stimes;
	for (int k = 0; k < t->nnamed; k++)
		if (t->named[k].stmt == g->stmt)
			r->origin = t->named[k].origin;
	mm_count fl = g->cost.flops, by = g->cost.bytes;
	bool again = recomputed(g, t->conv, t->layers, times > 1 || stimes);
	r->macs = g->cost.macs;
	r->unknown = true;
	mm_poly a, b;
	mm_code c = MM_OK;
	if (g->cost.sflops || stimes) {
		if (g->cost.sflops)
			c = sym_cost(t, g, again, &a, &b);
		else {
			if (t->train)
				train_cost(g, t->conv, again, &fl, &by);
			mm_poly_from_count(&a, fl), mm_poly_from_count(&b, by);
		}
		if (c == MM_OK)
			c = scale(&a, times, stimes, &a, t->diag);
		if (c == MM_OK)
			c = scale(&b, times, stimes, &b, t->diag);
		/* the symbols bound in the session since */
		if (c == MM_OK && t->lookup)
			c = mm_poly_subst(&a, &a, t->lookup, t->lookup_ctx, t->diag);
		if (c == MM_OK && t->lookup)
			c = mm_poly_subst(&b, &b, t->lookup, t->lookup_ctx, t->diag);
		if (c != MM_OK)
			return c;
		if (!mm_poly_is_const(&a) || !mm_poly_is_const(&b) ||
		    !mm_poly_get_count(&a, &fl) || !mm_poly_get_count(&b, &by)) {
			r->sym = t->sym = true;
			r->sflops = a;
			r->sbytes = b;
			return MM_OK;
		}
		times = 1; /* in the numbers now */
		if (g->cost.smacs) {
			mm_poly m;
			if (mm_poly_subst(&m, g->cost.smacs, t->lookup, t->lookup_ctx,
			                  t->diag) != MM_OK || !mm_poly_get_count(&m, &r->macs))
				r->macs = MM_COUNT_ZERO;
		}
	} else if (t->train) {
		train_cost(g, t->conv, again, &fl, &by);
	}
	if (t->predict) {
		double s = t->predict(t->ctx, fl, g->trans, by, g->v.dtype);
		r->unknown = s < 0;
		r->sec = s < 0 ? 0 : s * (double)times;
	}
	r->flops = mm_count_mul_u(fl, (uint64_t)times);
	r->bytes = mm_count_mul_u(by, (uint64_t)times);
	r->macs = mm_count_mul_u(r->macs, (uint64_t)times);
	return MM_OK;
}

/* Adds row r's costs into module header h. */
static mm_code sum_into(table *t, row *h, const row *r)
{
	h->sec += r->sec;
	h->unknown |= r->unknown;
	h->flops = mm_count_add(h->flops, r->flops);
	h->macs = mm_count_add(h->macs, r->macs);
	h->bytes = mm_count_add(h->bytes, r->bytes);
	if (!r->sym && !h->sym)
		return MM_OK;
	if (!h->sym) {
		mm_poly_from_count(&h->sflops, h->flops);
		mm_poly_from_count(&h->sbytes, h->bytes);
		h->sym = true;
	}
	mm_poly a, b;
	if (r->sym)
		a = r->sflops, b = r->sbytes;
	else
		mm_poly_from_count(&a, r->flops), mm_poly_from_count(&b, r->bytes);
	mm_code c = mm_poly_add(&h->sflops, &h->sflops, &a, t->diag);
	return c == MM_OK ? mm_poly_add(&h->sbytes, &h->sbytes, &b, t->diag) : c;
}

#define MAX_NEST 32

/* The modules a node is in, outermost first, into chain, leaving out
 * `strip` and those around it; their number. */
static int chain_of(const mm_gmodule *m, const mm_gmodule *strip,
                    const mm_gmodule **chain, int max)
{
	const mm_gmodule *tmp[MAX_NEST];
	int n = 0;
	for (const mm_gmodule *p = m; p && p != strip && n < max; p = p->parent)
		tmp[n++] = p;
	for (int k = 0; k < n; k++)
		chain[k] = tmp[n - 1 - k];
	return n;
}

static mm_code add_ops(table *t, mm_gnode **ops, int nops, int base,
                       const mm_gmodule *strip, int64_t times,
                       const mm_poly *stimes);

/* Rows for a repeat: its header ("block ×96"), then one application's
 * operations, counted times over, one level in; the header sums them. */
static mm_code add_repeat(table *t, const mm_gnode *g, int indent,
                          int64_t times, const mm_poly *stimes)
{
	row *h = add_row(t);
	if (!h)
		return MM_ERR_NOMEM;
	int hi = t->n - 1;
	h->g = g;
	h->indent = indent;
	/* the call repeated: the outermost call of the body's root under
	 * the module the repeat itself is in (the root may be in a call that
	 * call made) */
	const mm_gmodule *bm = g->body ? g->body->module : NULL;
	while (bm && bm->parent != g->module)
		bm = bm->parent;
	char *lab = t->labels[t->nlabels < 63 ? t->nlabels++ : 63];
	mm_buf pb = MM_BUF_INIT;
	if (g->stimes)
		mm_poly_print(&pb, g->stimes, 0);
	else
		mm_buf_printf(&pb, "%lld", (long long)g->times);
	snprintf(lab, 48, "%s \u00d7%s", bm ? bm->name : "repeat", mm_buf_str(&pb));
	mm_buf_free(&pb);
	h->label = lab;
	/* the repeat's count times the count it is itself repeated */
	mm_poly st, *stp = NULL;
	int64_t tt = times;
	mm_code c = MM_OK;
	if (stimes || g->stimes) {
		mm_poly a, b;
		if (stimes)
			a = *stimes;
		else
			mm_poly_const(&a, times);
		if (g->stimes)
			b = *g->stimes;
		else
			mm_poly_const(&b, g->times);
		if ((c = mm_poly_mul(&st, &a, &b, t->diag)) != MM_OK)
			return c;
		stp = &st;
	} else if (__builtin_mul_overflow(times, g->times, &tt)) {
		return mm_diag_set(t->diag, MM_ERR_LIMIT, (mm_span){0, 0},
		                   "a repeat count overflows");
	}
	int n;
	mm_gnode **ops = mm_graph_body_ops(g, &n);
	c = add_ops(t, ops, n, indent + 1, bm, tt, stp);
	free(ops);
	for (int j = hi + 1; j < t->n && c == MM_OK; j++)
		if (t->r[j].indent == indent + 1)
			c = sum_into(t, &t->r[hi], &t->r[j]);
	return c;
}

/* Rows for ops[0..nops), in order, with module headers where the calls
 * they were made in begin; indents start at base. Each header sums the
 * rows under it. */
static mm_code add_ops(table *t, mm_gnode **ops, int nops, int base,
                       const mm_gmodule *strip, int64_t times,
                       const mm_poly *stimes)
{
	const mm_gmodule *open[MAX_NEST];
	int hrow[MAX_NEST], nopen = 0;
	for (int k = 0; k < nops; k++) {
		const mm_gnode *g = ops[k];
		if (g->kind == MM_G_OP && g->cls == 0)
			continue; /* moves nothing (a view made as an operation) */
		const mm_gmodule *chain[MAX_NEST];
		int nc = chain_of(g->module, strip, chain, MAX_NEST);
		int keep = 0;
		while (keep < nopen && keep < nc && open[keep] == chain[keep])
			keep++;
		nopen = keep;
		for (; nopen < nc; nopen++) {
			row *h = add_row(t);
			if (!h)
				return MM_ERR_NOMEM;
			h->m = chain[nopen];
			h->indent = base + nopen;
			open[nopen] = chain[nopen];
			hrow[nopen] = t->n - 1;
		}
		mm_code c;
		int r_idx = t->n;
		if (g->kind == MM_G_REPEAT) {
			c = add_repeat(t, g, base + nc, times, stimes);
		} else {
			row *r = add_row(t);
			if (!r)
				return MM_ERR_NOMEM;
			r->indent = base + nc;
			c = fill_op(t, r, g, times, stimes);
		}
		for (int j = 0; j < nopen && c == MM_OK; j++)
			c = sum_into(t, &t->r[hrow[j]], &t->r[r_idx]);
		if (c != MM_OK)
			return c;
	}
	return MM_OK;
}

/* Appends s padded with spaces to w display columns (UTF-8 aware). */
static void pad(mm_buf *b, const char *s, int w)
{
	int cols = 0;
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			cols++;
	mm_buf_puts(b, s);
	if (w > 0 && cols >= w)
		mm_buf_putc(b, ' '); /* too wide: one space still parts it */
	for (; cols < w; cols++)
		mm_buf_putc(b, ' ');
}

/* A row's operation or module name, indented. */
static void row_name(mm_buf *cell, const row *r)
{
	for (int k = 0; k < r->indent; k++)
		mm_buf_puts(cell, "  ");
	if (r->label)
		mm_buf_puts(cell, r->label);
	else if (r->m)
		mm_buf_puts(cell, r->m->name);
	else
		mm_buf_puts(cell, r->g->op ? r->g->op : "?");
}

typedef struct cols {
	int name, shape;
	bool from;
} cols;

/* A shape with the symbols bound since substituted. */
static void print_shape(mm_buf *b, const mm_shape *s, const table *t)
{
	mm_shape x = *s;
	mm_poly q[MM_MAX_NDIM];
	int64_t v;
	for (int k = 0; k < x.ndim && t->lookup; k++)
		if (x.sym[k] && mm_poly_subst(&q[k], x.sym[k], t->lookup,
		                              t->lookup_ctx, NULL) == MM_OK) {
			if (mm_poly_get_const(&q[k], &v) && v >= 0)
				x.dim[k] = v, x.sym[k] = NULL;
			else
				x.sym[k] = &q[k];
		}
	mm_shape_print(b, &x);
}

/* The share column: a row's share of the whole as "12.5% " and a bar
 * BAR_COLS wide; "-" when it has none (symbolic, unknown time). */
#define BAR_COLS 20

static double key_of(const row *r, mm_explain_key k)
{
	if (r->sym || (k == MM_EXPLAIN_TIME && r->unknown))
		return -1;
	return k == MM_EXPLAIN_TIME ? r->sec
	     : k == MM_EXPLAIN_BYTES ? mm_count_to_double(r->bytes)
	                             : mm_count_to_double(r->flops);
}

static void share_bar(mm_buf *cell, const row *r, const table *t)
{
	double v = key_of(r, t->bars);
	if (v < 0 || !(t->bar_total > 0)) {
		mm_buf_puts(cell, "-");
		return;
	}
	double f = v / t->bar_total;
	mm_buf_printf(cell, "%5.1f%% ", 100.0 * f);
	mm_chart_bar(cell, f, BAR_COLS, t->unicode);
}

/* One row of the table: #, op, shape, FLOPs, share, bytes, intensity,
 * time (when predicted) and where it was made (when any row says). */
static void put_row(mm_buf *b, int k, const row *r, const cols *cw,
                    mm_count total, bool predict, const table *t)
{
	mm_buf cell = MM_BUF_INIT;
	bool header = r->m || r->label;
	if (header)
		mm_buf_puts(b, "    ");
	else
		mm_buf_printf(b, "%-3d ", k);
	row_name(&cell, r);
	pad(b, mm_buf_str(&cell), cw->name);
	mm_buf_reset(&cell);
	if (r->g && !r->m)
		print_shape(&cell, &r->g->v.shape, t);
	pad(b, mm_buf_str(&cell), cw->shape);
	mm_buf_reset(&cell);
	if (r->sym)
		mm_poly_print(&cell, &r->sflops, 0), mm_buf_puts(&cell, " FLOP");
	else
		mm_count_format_si(&cell, r->flops, "FLOP", 4);
	pad(b, mm_buf_str(&cell), 14);
	mm_buf_reset(&cell);
	if (mm_count_is_zero(total) || r->sym)
		mm_buf_puts(&cell, "-");
	else
		mm_buf_printf(&cell, "%.1f%%", 100.0 * mm_count_ratio(r->flops, total));
	pad(b, mm_buf_str(&cell), 8);
	mm_buf_reset(&cell);
	if (r->sym)
		mm_poly_print(&cell, &r->sbytes, 0), mm_buf_puts(&cell, " B");
	else
		mm_count_format_iec(&cell, r->bytes, "B", 4);
	pad(b, mm_buf_str(&cell), 12);
	mm_buf_reset(&cell);
	if (mm_count_is_zero(r->bytes) || r->sym)
		mm_buf_puts(&cell, "-");
	else
		mm_buf_printf(&cell, "%.4g", mm_count_ratio(r->flops, r->bytes));
	bool more = cw->from || t->bars;
	pad(b, mm_buf_str(&cell), predict || more ? 10 : 0);
	mm_buf_reset(&cell);
	if (predict) {
		if (r->unknown || r->sym)
			mm_buf_puts(&cell, "-");
		else
			mm_count_format_seconds(&cell, r->sec, 4, false);
		pad(b, mm_buf_str(&cell), more ? 11 : 0);
	}
	if (t->bars) {
		mm_buf_reset(&cell);
		share_bar(&cell, r, t);
		pad(b, mm_buf_str(&cell), cw->from ? BAR_COLS + 8 : 0);
	}
	if (cw->from && !header && r->origin)
		mm_buf_puts(b, r->origin);
	/* trailing spaces are trimmed by ending the row here */
	while (b->len && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	mm_buf_putc(b, '\n');
	mm_buf_free(&cell);
}

/* The lines under the table: totals, the matmul split, bytes and the
 * convention that counted them. */
static void put_totals(mm_buf *b, const mm_gtotals *t, const table *tb,
                       mm_count train_flops, mm_count train_bytes,
                       bool known, double seconds)
{
	bool train = tb->train;
	mm_buf_puts(b, "total      ");
	if (t->symbolic) {
		mm_poly_print(b, t->sflops, 0);
		mm_buf_puts(b, " FLOP");
	} else {
		mm_count_format_si(b, train ? train_flops : t->flops, "FLOP", 4);
	}
	if (!t->symbolic && !mm_count_is_zero(t->macs) && !train) {
		mm_buf_puts(b, " (");
		mm_count_format_si(b, t->macs, "MAC", 4);
		mm_buf_putc(b, ')');
	}
	if (train)
		mm_buf_puts(b, ", forward + backward");
	if (known && tb->n && !t->symbolic) {
		mm_buf_puts(b, ", predicted ");
		mm_count_format_seconds(b, seconds, 4, false);
	}
	if (!train && !t->symbolic) {
		mm_buf_puts(b, "\n  matmul     ");
		mm_count_format_si(b, t->matmul_flops, "FLOP", 4);
		mm_count rest = mm_count_sub(t->flops, t->matmul_flops);
		mm_buf_puts(b, "\n  non-matmul ");
		mm_count_format_si(b, rest, "FLOP", 4);
		if (!mm_count_is_zero(t->flops))
			mm_buf_printf(b, " (%.1f%%)", 100.0 * mm_count_ratio(rest, t->flops));
	}
	mm_buf_puts(b, "\nbytes      in ");
	if (t->symbolic) {
		mm_poly_print(b, t->sbytes_in, 0);
		mm_buf_puts(b, " B, out ");
		mm_poly_print(b, t->sbytes_out, 0);
		mm_buf_puts(b, " B");
	} else {
		mm_count_format_iec(b, t->bytes_in, "B", 4);
		mm_buf_puts(b, ", out ");
		mm_count_format_iec(b, t->bytes_out, "B", 4);
		if (!tb->no_peak) {
			mm_buf_puts(b, ", peak ");
			mm_count_format_iec(b, t->bytes_peak, "B", 4);
		}
	}
	if (train) {
		mm_buf_puts(b, "; training moves ");
		mm_count_format_iec(b, train_bytes, "B", 4);
	}
	if (!mm_count_is_zero(t->params) || (t->symbolic && t->sparams &&
	                                     !mm_poly_is_const(t->sparams))) {
		mm_buf_puts(b, "\nparams     ");
		if (t->symbolic)
			mm_poly_print(b, t->sparams, 0);
		else
			mm_count_format_digits(b, t->params, 0);
		if (!t->symbolic && !mm_count_is_zero(t->param_bytes)) {
			mm_buf_puts(b, " (");
			mm_count_format_iec(b, t->param_bytes, "B", 4);
			mm_buf_putc(b, ')');
		}
	}
	mm_buf_putc(b, '\n');
}

/* Totals with the symbols bound since substituted: numbers again when
 * none is left (the peak, a maximum, stays unknown: 0). */
static mm_code bind_totals(table *t, mm_gtotals *g)
{
	mm_poly *p[] = {g->sflops, g->smacs, g->sbytes_in, g->sbytes_out,
	                g->sparams};
	mm_count *n[] = {&g->flops, &g->macs, &g->bytes_in, &g->bytes_out,
	                 &g->params};
	bool numeric = true;
	for (int k = 0; k < 5; k++) {
		mm_code c = mm_poly_subst(p[k], p[k], t->lookup, t->lookup_ctx,
		                          t->diag);
		if (c != MM_OK)
			return c;
		numeric &= mm_poly_is_const(p[k]);
	}
	if (!numeric)
		return MM_OK;
	for (int k = 0; k < 5; k++)
		if (!mm_poly_get_count(p[k], n[k]))
			*n[k] = mm_count_approx(p[k]->nterms ? p[k]->term[0].fcoef : 0);
	g->symbolic = false;
	t->no_peak = true; /* a maximum: not a polynomial to bind */
	g->param_bytes = MM_COUNT_ZERO;
	g->matmul_flops = MM_COUNT_ZERO;
	for (int k = 0; k < t->n; k++)
		if (t->r[k].g && !t->r[k].m && !t->r[k].label &&
		    t->r[k].g->cls == MM_C_MATMUL)
			g->matmul_flops = mm_count_add(g->matmul_flops, t->r[k].flops);
	return MM_OK;
}

/* The rows of e's graph into t, and its totals into gt. */
static mm_code build(table *t, const mm_node *e, mm_arena *arena,
                     mm_gtotals *gt)
{
	const mm_gnode *g = e->info ? e->info->g : NULL;
	memset(gt, 0, sizeof *gt);
	if (!g)
		return MM_OK;
	mm_code c = mm_graph_totals(g, false, arena, gt, t->diag);
	if (c != MM_OK)
		return c;
	int n;
	mm_gnode **ops = mm_graph_ops(g, false, &n);
	/* a statement's value names its variable; its other operations
	 * were made for it */
	if (n && !(t->named = malloc(sizeof *t->named * (size_t)n))) {
		free(ops);
		return MM_ERR_NOMEM;
	}
	for (int k = 0; k < n; k++) {
		if (ops[k]->origin)
			t->named[t->nnamed++] = (struct named){ops[k]->stmt,
			                                       ops[k]->origin};
		t->layers |= ops[k]->module || ops[k]->kind == MM_G_REPEAT;
	}
	c = add_ops(t, ops, n, 0, NULL, 1, NULL);
	free(ops);
	for (int k = 0, num = 0; k < t->n; k++)
		t->r[k].num = (num += !(t->r[k].m || t->r[k].label));
	return c;
}

/* A block: a row and the rows under it (deeper indents after it). */
typedef struct block {
	int first, end;
	double key;
} block;

static int cmp_block(const void *a, const void *b)
{
	const block *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? 1 : -1; /* largest first */
	return (x->first > y->first) - (x->first < y->first); /* stable */
}

/* Orders the blocks of r[lo, hi) by key, largest first, and the rows
 * under each block's first the same way. */
static mm_code sort_level(row *r, int lo, int hi, mm_explain_key k)
{
	if (hi - lo < 2)
		return MM_OK;
	block *bl = malloc(sizeof *bl * (size_t)(hi - lo));
	row *tmp = malloc(sizeof *tmp * (size_t)(hi - lo));
	if (!bl || !tmp) {
		free(bl);
		free(tmp);
		return MM_ERR_NOMEM;
	}
	int nb = 0;
	for (int j = lo; j < hi;) {
		int first = j++;
		while (j < hi && r[j].indent > r[first].indent)
			j++;
		bl[nb++] = (block){first, j, key_of(&r[first], k)};
	}
	qsort(bl, (size_t)nb, sizeof *bl, cmp_block);
	int m = 0;
	for (int j = 0; j < nb; j++)
		for (int i = bl[j].first; i < bl[j].end; i++)
			tmp[m++] = r[i];
	memcpy(r + lo, tmp, sizeof *tmp * (size_t)m);
	mm_code c = MM_OK;
	for (int j = 0, at = lo; j < nb && c == MM_OK; j++) {
		int len = bl[j].end - bl[j].first;
		c = sort_level(r, at + 1, at + len, k);
		at += len;
	}
	free(bl);
	free(tmp);
	return c;
}

/* The table's header line, its columns as the rows will fill them. */
static void put_header(mm_buf *b, const table *t, const cols *cw, bool predict)
{
	mm_buf_printf(b, "%-3s ", "#");
	pad(b, "op", cw->name);
	pad(b, "shape", cw->shape);
	pad(b, "FLOPs", 14);
	pad(b, "share", 8);
	pad(b, "bytes", 12);
	pad(b, "FLOP/B", predict || cw->from || t->bars ? 10 : 0);
	if (predict)
		pad(b, "time", cw->from || t->bars ? 11 : 0);
	if (t->bars) {
		static const char *const what[] = {"", "FLOPs share", "bytes share",
		                                   "time share"};
		pad(b, what[t->bars], cw->from ? BAR_COLS + 8 : 0);
	}
	if (cw->from)
		mm_buf_puts(b, "from");
	while (b->len && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	mm_buf_putc(b, '\n');
}

/* The last line: the convention the FLOPs were counted by. */
static void put_convention(mm_buf *b, const table *t)
{
	const mm_convention_def *named = mm_convention_named(t->conv);
	mm_buf_printf(b, "counted as %s", named ? named->name : "custom");
	if (named)
		mm_buf_printf(b, ": %s", named->source);
	if (t->train)
		mm_buf_printf(b, "; backward %g forward%s, attention's %g%s",
		              t->conv->backward, t->conv->backward == 1 ? "" : "s",
		              t->conv->attn_backward,
		              t->conv->recompute == MM_RECOMPUTE_FULL ? "; all recomputed"
		              : t->conv->recompute == MM_RECOMPUTE_SELECTIVE
		                  ? "; attention recomputed" : "");
	mm_buf_putc(b, '\n');
}

mm_code mm_explain(mm_buf *b, const mm_node *e, mm_predict_fn predict,
                   void *ctx, const mm_explain_opts *o, mm_arena *arena,
                   mm_diag *d)
{
	table t = {.train = o && o->train, .diag = d, .predict = predict,
	           .ctx = ctx, .arena = arena};
	if (o) {
		t.lookup = o->lookup;
		t.lookup_ctx = o->lookup_ctx;
		t.bars = o->bars;
		t.unicode = o->unicode;
	}
	t.conv = o && o->conv ? o->conv : &mm_convention_at(0)->c;
	int depth = o && o->depth > 0 ? o->depth : 1 << 20;
	mm_gtotals gt;
	mm_code c = build(&t, e, arena, &gt);
	if (c == MM_OK && gt.symbolic && t.lookup)
		c = bind_totals(&t, &gt);
	if (c != MM_OK) {
		free(t.r);
		free(t.named);
		/* the rows' allocations fail without a message of their own */
		if (c == MM_ERR_NOMEM)
			mm_diag_set(d, c, (mm_span){0, 0}, "out of memory");
		return c;
	}
	/* the top level's rows (operations, and modules summing theirs) add
	 * up to the whole: training's totals and the predicted time */
	mm_count train_flops = MM_COUNT_ZERO, train_bytes = MM_COUNT_ZERO;
	double seconds = 0;
	bool known = predict != NULL;
	int nops = 0;
	cols cw = {.name = 10, .shape = 24};
	for (int k = 0; k < t.n; k++) {
		const row *r = &t.r[k];
		bool header = r->m || r->label;
		nops += !header;
		if (r->indent == 0) {
			train_flops = mm_count_add(train_flops, r->flops);
			train_bytes = mm_count_add(train_bytes, r->bytes);
			seconds += r->sec;
			known &= !r->unknown && !r->sym;
		}
		if (r->indent >= depth)
			continue;
		mm_buf cell = MM_BUF_INIT;
		row_name(&cell, r);
		int w = (int)mm_buf_cols(&cell) + 1;
		cw.name = w > cw.name ? w : cw.name;
		mm_buf_free(&cell);
		cw.from |= r->origin != NULL;
	}
	mm_count total = t.train ? train_flops : gt.flops;
	if (o && o->json) {
		mm_explain_put_json(b, &t, &gt, o, depth, total, train_flops, train_bytes,
		         known, seconds);
		free(t.r);
		free(t.named);
		return MM_OK;
	}
	put_header(b, &t, &cw, predict != NULL);
	int shown = 0, more = 0;
	if (t.bars)
		t.bar_total = t.bars == MM_EXPLAIN_TIME ? (known ? seconds : 0)
		            : t.bars == MM_EXPLAIN_BYTES ? mm_count_to_double(train_bytes)
		            : mm_count_to_double(total);
	if (o && o->sort && t.bars && sort_level(t.r, 0, t.n, t.bars) != MM_OK) {
		free(t.r);
		free(t.named);
		return mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0}, "out of memory");
	}
	for (int k = 0; k < t.n; k++) {
		const row *r = &t.r[k];
		if (r->indent >= depth)
			continue;
		if (shown++ >= MM_EXPLAIN_MAX_ROWS) {
			more++;
			continue;
		}
		put_row(b, r->num, r, &cw, total, predict != NULL, &t);
	}
	if (more)
		mm_buf_printf(b, "... and %d more rows\n", more);
	if (nops == 0)
		mm_buf_puts(b, "(no operations: a value, a view or a literal)\n");
	put_totals(b, &gt, &t, train_flops, train_bytes, known, seconds);
	put_convention(b, &t);
	free(t.r);
	free(t.named);
	return MM_OK;
}

mm_code mm_explain_sum(const mm_node *e, const mm_explain_opts *o,
                       mm_arena *arena, mm_diag *d, mm_explain_total *out)
{
	table t = {.train = o && o->train, .diag = d, .arena = arena};
	if (o) {
		t.lookup = o->lookup;
		t.lookup_ctx = o->lookup_ctx;
	}
	t.conv = o && o->conv ? o->conv : &mm_convention_at(0)->c;
	mm_gtotals gt;
	memset(out, 0, sizeof *out);
	mm_code c = build(&t, e, arena, &gt);
	row h;
	memset(&h, 0, sizeof h);
	for (int k = 0; k < t.n && c == MM_OK; k++)
		if (t.r[k].indent == 0)
			c = sum_into(&t, &h, &t.r[k]);
	if (c == MM_OK) {
		out->flops = h.flops;
		out->bytes = h.bytes;
		out->sym = h.sym;
		out->sflops = h.sflops;
		out->sbytes = h.sbytes;
	}
	free(t.r);
	free(t.named);
	return c;
}

mm_code mm_explain_rows(const mm_node *e, mm_predict_fn predict, void *ctx,
                        const mm_explain_opts *o, mm_arena *arena,
                        mm_diag *d, mm_explain_row **out, int *n)
{
	table t = {.train = o && o->train, .diag = d, .predict = predict,
	           .ctx = ctx, .arena = arena};
	if (o) {
		t.lookup = o->lookup;
		t.lookup_ctx = o->lookup_ctx;
	}
	t.conv = o && o->conv ? o->conv : &mm_convention_at(0)->c;
	*out = NULL;
	*n = 0;
	mm_gtotals gt;
	mm_code c = build(&t, e, arena, &gt);
	mm_explain_row *v = c == MM_OK ? malloc(sizeof *v * (size_t)(t.n + 1))
	                               : NULL;
	if (c == MM_OK && !v)
		c = mm_diag_set(d, MM_ERR_NOMEM, (mm_span){0, 0}, "out of memory");
	else if (c == MM_ERR_NOMEM)
		mm_diag_set(d, c, (mm_span){0, 0}, "out of memory");
	/* the innermost module open at each indent */
	const char *open[MAX_NEST] = {NULL};
	for (int k = 0; k < t.n && c == MM_OK; k++) {
		const row *r = &t.r[k];
		if (r->indent < MAX_NEST && (r->m || r->label)) {
			const char *l = r->label ? r->label : r->m->name;
			open[r->indent] = mm_arena_strndup(arena, l, strlen(l));
			continue;
		}
		if (r->m || r->label || !r->g)
			continue;
		v[*n] = (mm_explain_row){
			.num = r->num, .op = r->g->op ? r->g->op : "?", .g = r->g,
			.module = r->indent > 0 && r->indent <= MAX_NEST
			              ? open[r->indent - 1] : NULL,
			.sym = r->sym, .flops = mm_count_to_double(r->flops),
			.bytes = mm_count_to_double(r->bytes),
			.sec = r->unknown || r->sym || !predict ? -1 : r->sec,
			.dtype = r->g->v.dtype};
		(*n)++;
	}
	free(t.r);
	free(t.named);
	if (c != MM_OK) {
		free(v);
		*n = 0;
		return c;
	}
	*out = v;
	return MM_OK;
}
