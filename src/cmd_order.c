/* cmd_order.c — :order A @ B @ C ...: the cost of every bracketing of a
 * chain of matrix products, numeric or symbolic, and the cheapest. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/chain.h"
#include "mmcalc/eval.h"
#include "mmcalc/format.h"
#include "session_int.h"

int mm_cmd_order(mm_stmtctx *c, const mm_stmt *st);

/* Flattens the matmul chain at the top of e into ops (at most max). */
static int chain_operands(mm_node *e, mm_node **ops, int n, int max)
{
	if (e->kind == MM_N_BINARY && e->op == MM_B_MATMUL) {
		n = chain_operands(e->lhs, ops, n, max);
		return n < 0 ? n : chain_operands(e->rhs, ops, n, max);
	}
	if (n >= max)
		return -1;
	ops[n] = e;
	return n + 1;
}

/* The name of chain operand k: a variable's name or its text. */
static void operand_name(mm_stmtctx *c, const mm_node *e, int k, char *out,
                         size_t cap)
{
	size_t len = e->span.end - e->span.start;
	if (e->kind == MM_N_NAME || len < cap)
		snprintf(out, cap, "%.*s", (int)len, c->src + e->span.start);
	else
		snprintf(out, cap, "M%d", k + 1);
}

/* dim j of a 2-D chain operand as a polynomial. */
static void dim_poly(const mm_shape *s, int j, mm_poly *out)
{
	if (s->sym[j])
		*out = *s->sym[j];
	else
		mm_poly_const(out, s->dim[j]);
}

/* A sum of positive terms with its common factor in front: d·(n + r),
 * 2048·(n + r); a single term, or a sum with no factor, as it is. */
static void print_factored(mm_buf *b, const mm_poly *p)
{
	mm_poly f, rest;
	int64_t one;
	if (p->nterms < 2 ||
	    mm_poly_common_factor(p, false, &f, &rest, NULL) != MM_OK ||
	    (mm_poly_get_const(&f, &one) && one == 1)) {
		mm_poly_print(b, p, MM_POLY_EXPAND);
		return;
	}
	mm_poly_print(b, &f, MM_POLY_EXPAND);
	mm_buf_puts(b, "·(");
	mm_poly_print(b, &rest, MM_POLY_EXPAND);
	mm_buf_putc(b, ')');
}

/* "(819.4x as much)" for what left to right costs against the cheapest:
 * four digits, whole numbers from 10^4 (750000x, not 7.5e+05x), and no
 * ratio at all when the cheapest costs nothing. */
static void print_ratio(mm_buf *b, mm_count left, mm_count best)
{
	if (mm_count_is_zero(best)) {
		mm_buf_puts(b, " (the cheapest costs nothing)");
		return;
	}
	double r = mm_count_ratio(left, best);
	if (r < 1e4) {
		mm_buf_printf(b, " (%.4gx as much)", r);
	} else if (r < 1e15) {
		double scale = pow(10, floor(log10(r)) - 3);
		mm_buf_printf(b, " (%.0fx as much)", round(r / scale) * scale);
	} else {
		int e = (int)floor(log10(r));
		mm_buf_printf(b, " (%.3g·10^%dx as much)", r / pow(10, e), e);
	}
}

/* "cost0 < cost1" as the condition under which the first of two
 * bracketings is cheaper, in the form people read: the terms of
 * cost0 - cost1 split by sign, over what all terms share (sizes are
 * positive, so this clears denominators too), each side with its own
 * common factor in front: 2·n·r < d·(n + r) rather than
 * 4·n·d·r - 2·n·d² - 2·d²·r < 0. */
static void print_condition(mm_buf *b, const mm_poly *cost0,
                            const mm_poly *cost1)
{
	mm_poly diff, f, red;
	mm_diag d;
	if (mm_poly_sub(&diff, cost0, cost1, &d) != MM_OK || diff.approx) {
		mm_buf_puts(b, "its cost is the smaller\n");
		return;
	}
	red = diff;
	if (mm_poly_common_factor(&diff, true, &f, &red, NULL) != MM_OK &&
	    mm_poly_common_factor(&diff, false, &f, &red, NULL) != MM_OK)
		red = diff;
	mm_poly side[2] = {red, red};
	for (int k = 0; k < 2; k++) {
		side[k].nterms = 0;
		side[k].den = 1;
		for (int t = 0; t < red.nterms; t++) {
			int64_t cf = red.term[t].coef;
			if ((k == 0) != (cf > 0))
				continue;
			mm_poly_term *u = &side[k].term[side[k].nterms++];
			*u = red.term[t];
			u->coef = cf < 0 ? -cf : cf;
			u->fcoef = (double)u->coef;
		}
		if (k)
			mm_buf_puts(b, " < ");
		print_factored(b, &side[k]);
	}
	mm_buf_puts(b, ", the other otherwise\n");
}

/* :order with symbols: each bracketing's FLOPs as a polynomial, and the
 * bracketing that is cheapest for every positive size, when one is. */
static int order_symbolic(mm_stmtctx *c, const mm_stmt *st, mm_node **ops, int n)
{
	mm_diag d;
	mm_poly dims[MM_CHAIN_MAX + 1];
	char names[MM_CHAIN_MAX][24];
	const char *np[MM_CHAIN_MAX];
	uint64_t ones[MM_CHAIN_MAX + 1] = {0};
	for (int k = 0; k < n; k++) {
		const mm_shape *s = &ops[k]->info->v.shape;
		if (s->ndim != 2)
			return mm_sx_error_at(c, MM_ERR_SHAPE, ops[k]->span, NULL,
			                ":order works on matrices (2 axes)");
		if (k == 0)
			dim_poly(s, 0, &dims[0]);
		dim_poly(s, 1, &dims[k + 1]);
		operand_name(c, ops[k], k, names[k], sizeof names[k]);
		np[k] = names[k];
	}
	for (int k = 0; k <= n; k++)
		ones[k] = 1;
	if (n > 6)
		return mm_sx_error_at(c, MM_ERR_LIMIT, st->args, "bind the symbols to compare longer chains",
		                ":order with symbols compares chains of at most 6 matrices");
	/* Every bracketing (all cost the same with unit dims), then its
	 * symbolic cost. */
	mm_chain_order list[42];
	mm_poly cost[42];
	size_t count;
	if (mm_chain_enumerate((size_t)n, ones, list, 42, &count, NULL, &d) != MM_OK) {
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	/* The symbols in the order the chain first uses them, for every
	 * cost alike: a·b·c + a·c·e, not a·c·e + a·c·b. */
	const char *order[MM_POLY_MAX_SYMS * (MM_CHAIN_MAX + 1)];
	int norder = 0;
	for (int k = 0; k <= n; k++)
		for (size_t j = 0; j < mm_poly_nsyms(&dims[k]); j++)
			order[norder++] = mm_poly_sym_name(&dims[k], j);
	for (size_t k = 0; k < count; k++) {
		if (mm_chain_cost_poly(&list[k], dims, &cost[k], &d) != MM_OK) {
			d.span = st->args;
			return mm_sx_error(c, &d);
		}
		mm_poly_reorder(&cost[k], order, norder);
	}
	mm_buf *b = &c->s->text, *j = &c->s->jbuf;
	mm_buf row = MM_BUF_INIT;
	mm_buf_printf(b, "%zu bracketings of %d matrices:\n", count, n);
	mm_buf_printf(j, "{\"line\":%ld,\"kind\":\"order\",\"matrices\":%d,"
	              "\"bracketings\":%zu,\"rows\":[", c->line, n, count);
	int best = -1;
	for (size_t k = 0; k < count; k++) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[k], np);
		mm_buf_printf(b, "  %-40s ", mm_buf_str(&row));
		mm_poly_print(b, &cost[k], 0);
		mm_buf_puts(b, " FLOP\n");
		mm_buf_puts(j, k ? ",{\"order\":" : "{\"order\":");
		mm_format_json_string(j, mm_buf_str(&row));
		mm_buf_puts(j, ",\"flops\":");
		mm_format_json_poly(j, &cost[k]);
		mm_buf_putc(j, '}');
		bool dominates = true;
		for (size_t j = 0; j < count && dominates; j++) {
			mm_poly diff; /* the other's cost minus this one's */
			if (j != k && (mm_poly_sub(&diff, &cost[j], &cost[k], &d) != MM_OK ||
			               !mm_poly_nonneg(&diff, 1)))
				dominates = false;
		}
		if (dominates && best < 0)
			best = (int)k;
	}
	if (best >= 0) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[best], np);
		mm_buf_printf(b, "cheapest for every size: %s\n", mm_buf_str(&row));
	} else if (count == 2) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[0], np);
		mm_buf_printf(b, "%s is cheaper when ", mm_buf_str(&row));
		print_condition(b, &cost[0], &cost[1]);
	} else {
		mm_buf_puts(b, "which is cheapest depends on the sizes: bind the symbols "
		               "(n = 1024) to compare\n");
	}
	mm_buf_puts(j, "],\"cheapest\":");
	if (best >= 0) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[best], np);
		mm_buf_puts(j, "{\"order\":");
		mm_format_json_string(j, mm_buf_str(&row));
		mm_buf_puts(j, ",\"flops\":");
		mm_format_json_poly(j, &cost[best]);
		mm_buf_putc(j, '}');
	} else {
		mm_buf_puts(j, "null"); /* it depends on the sizes */
	}
	mm_buf_putc(j, '}');
	mm_buf_free(&row);
	if (c->s->json) {
		mm_buf_reset(b);
		mm_sx_emit(c, MM_R_TEXT);
		return 0;
	}
	mm_buf_reset(j);
	return mm_sx_text(c);
}

/* :order's answer as one JSON object (mmcalc(1), JSON OUTPUT). */
static int order_json(mm_stmtctx *c, int n, const mm_chain_order *list,
                      size_t count, mm_count total,
                      const mm_chain_order *best, const mm_chain_order *left,
                      const char *const *np)
{
	mm_buf *j = &c->s->jbuf;
	mm_buf row = MM_BUF_INIT;
	mm_buf_printf(j, "{\"line\":%ld,\"kind\":\"order\",\"matrices\":%d,"
	              "\"bracketings\":", c->line, n);
	mm_format_json_count(j, total);
	mm_buf_puts(j, ",\"rows\":[");
	for (size_t k = 0; k < count; k++) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[k], np);
		bool is_left = mm_count_eq(list[k].flops, left->flops) &&
		               memcmp(list[k].step, left->step,
		                      sizeof left->step[0] * left->nsteps) == 0;
		mm_buf_puts(j, k ? ",{\"order\":" : "{\"order\":");
		mm_format_json_string(j, mm_buf_str(&row));
		mm_buf_puts(j, ",\"flops\":");
		mm_format_json_count(j, list[k].flops);
		mm_buf_printf(j, ",\"left_to_right\":%s}", is_left ? "true" : "false");
	}
	mm_buf_reset(&row);
	mm_chain_render(&row, best, np);
	mm_buf_puts(j, "],\"cheapest\":{\"order\":");
	mm_format_json_string(j, mm_buf_str(&row));
	mm_buf_puts(j, ",\"flops\":");
	mm_format_json_count(j, best->flops);
	mm_buf_puts(j, "},\"left_to_right_flops\":");
	mm_format_json_count(j, left->flops);
	mm_buf_putc(j, '}');
	mm_buf_free(&row);
	mm_sx_emit(c, MM_R_TEXT);
	return 0;
}

/* :order A @ B @ C ... — the cost of each bracketing and the cheapest. */
int mm_cmd_order(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	int failed;
	mm_node *e = st->expr;
	mm_diag cd;
	mm_checker ck;
	mm_sx_checker(&ck, s, &cd, false);
	if (mm_check_expr(&ck, e) != MM_OK) {
		failed = mm_sx_error(c, &cd);
		goto done;
	}
	if (e->info->v.kind != MM_K_TENSOR) {
		failed = mm_sx_error_at(c, MM_ERR_TYPE, e->span, NULL,
		                        ":order needs a tensor expression");
		goto done;
	}
	mm_node *ops[MM_CHAIN_MAX];
	int n = chain_operands(e, ops, 0, MM_CHAIN_MAX);
	uint64_t p[MM_CHAIN_MAX + 1];
	char names[MM_CHAIN_MAX][24];
	const char *np[MM_CHAIN_MAX];
	mm_buf *b = &s->text;
	if (n < 0) {
		failed = mm_sx_error_at(c, MM_ERR_LIMIT, st->args, NULL,
		                  ":order takes at most %d matrices", MM_CHAIN_MAX);
		goto done;
	}
	if (n < 3) {
		failed = mm_sx_error_at(c, MM_ERR_ARG, st->args, "e.g. :order A @ B @ C",
		                  ":order needs a chain of at least three matrices");
		goto done;
	}
	bool symbolic = false;
	for (int k = 0; k < n; k++)
		if (mm_shape_is_symbolic(&ops[k]->info->v.shape))
			symbolic = true;
	if (symbolic) {
		failed = order_symbolic(c, st, ops, n);
		goto done;
	}
	for (int k = 0; k < n; k++) {
		const mm_info *i = ops[k]->info;
		if (i->v.shape.ndim != 2) {
			failed = mm_sx_error_at(c, MM_ERR_SHAPE, ops[k]->span, NULL,
			                  ":order works on matrices (2 axes)");
			goto done;
		}
		if (k == 0)
			p[0] = (uint64_t)i->v.shape.dim[0];
		p[k + 1] = (uint64_t)i->v.shape.dim[1];
		operand_name(c, ops[k], k, names[k], sizeof names[k]);
		np[k] = names[k];
	}
	mm_chain_order best, left, list[8];
	size_t count;
	mm_count total;
	mm_diag d;
	if (mm_chain_optimal((size_t)n, p, &best, &d) != MM_OK ||
	    mm_chain_left((size_t)n, p, &left, &d) != MM_OK ||
	    mm_chain_enumerate((size_t)n, p, list, 8, &count, &total, &d) != MM_OK) {
		d.span = st->args;
		failed = mm_sx_error(c, &d);
		goto done;
	}
	if (s->json) {
		failed = order_json(c, n, list, count, total, &best, &left, np);
		goto done;
	}
	mm_count_format_digits(b, total, 0);
	mm_buf_printf(b, " bracketing%s of %d matrices%s:\n",
	              mm_count_cmp(total, mm_count_of(1)) == 0 ? "" : "s", n,
	              count < (size_t)mm_count_to_double(total) ? "; the cheapest" : "");
	mm_buf row = MM_BUF_INIT;
	for (size_t k = 0; k < count; k++) {
		mm_buf_reset(&row);
		mm_chain_render(&row, &list[k], np);
		bool is_left = mm_count_eq(list[k].flops, left.flops) &&
		               memcmp(list[k].step, left.step,
		                      sizeof left.step[0] * left.nsteps) == 0;
		mm_buf_printf(b, "  %-40s ", mm_buf_str(&row));
		mm_count_format_si(b, list[k].flops, "FLOP", 4);
		if (is_left)
			mm_buf_puts(b, "  (left to right)");
		mm_buf_putc(b, '\n');
	}
	mm_buf_reset(&row);
	mm_chain_render(&row, &best, np);
	mm_buf_printf(b, "cheapest: %s, ", mm_buf_str(&row));
	mm_count_format_si(b, best.flops, "FLOP", 4);
	if (mm_count_cmp(left.flops, best.flops) > 0) {
		mm_buf_puts(b, "; left to right costs ");
		mm_count_format_si(b, left.flops, "FLOP", 4);
		print_ratio(b, left.flops, best.flops);
	} else {
		mm_buf_puts(b, ", left to right");
	}
	mm_buf_putc(b, '\n');
	mm_buf_free(&row);
	failed = mm_sx_text(c);
done:
	mm_eval_release_all(e);
	return failed;
}

