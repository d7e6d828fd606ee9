/* explain.c — the :explain table. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/explain.h"
#include "fn/fn.h"

const char *mm_explain_op_name(const mm_node *e)
{
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

typedef struct row {
	const mm_node *e;
} row;

/* Rows shown in the table; beyond, the operations count in the totals. */
#define MAX_ROWS 256

typedef struct rows {
	row r[MAX_ROWS];
	int n;
	int more; /* rows past the table's size, folded into the totals */
	mm_count train_flops, train_bytes; /* every operation's, for training */
	const mm_convention *conv;
} rows;

/* An operation's cost in training under the convention: the forward,
 * its backward (backward forwards; attention attn_backward), and the
 * forward again when training recomputes it (all of it with full
 * recomputation, attention's core with selective). Bytes: the forward's
 * traffic, then a backward that reads what the forward read and the
 * output's gradient and writes the inputs' gradients (3·in + 2·out), and
 * a recomputed forward's traffic again. */
static void train_cost(const mm_info *i, const mm_convention *cv,
                       mm_count *flops, mm_count *bytes)
{
	bool attn = i->fn && i->fn->check == mm_fn_attention_check;
	double back = attn ? cv->attn_backward : cv->backward;
	double again = cv->recompute == MM_RECOMPUTE_FULL ? 1
	             : cv->recompute == MM_RECOMPUTE_SELECTIVE && attn ? 1 : 0;
	double f = mm_count_to_double(i->cost.flops) * (1 + back + again);
	*flops = mm_count_from_double(round(f));
	mm_count out = i->v.bytes, in = mm_count_sub(i->cost.bytes, out);
	*bytes = mm_count_add(mm_count_mul_u(in, 3), mm_count_mul_u(out, 2));
	if (again)
		*bytes = mm_count_add(*bytes, i->cost.bytes);
}

/* Operations in evaluation order (post-order), views and leaves left out. */
static void collect(const mm_node *e, rows *rs)
{
	if (!e->info || e->info->v.kind != MM_K_TENSOR || e->info->leaf)
		return;
	mm_node *kids[MM_MAX_OPERANDS];
	int n = mm_check_operands(e, kids);
	for (int k = 0; k < n; k++)
		collect(kids[k], rs);
	if (e->info->view || e->info->cls == MM_C_NONE)
		return;
	if (rs->n < MAX_ROWS)
		rs->r[rs->n++].e = e;
	else
		rs->more++;
	mm_count f, b;
	train_cost(e->info, rs->conv, &f, &b);
	rs->train_flops = mm_count_add(rs->train_flops, f);
	rs->train_bytes = mm_count_add(rs->train_bytes, b);
}

/* Appends s padded with spaces to w display columns (UTF-8 aware). */
static void pad(mm_buf *b, const char *s, int w)
{
	int cols = 0;
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			cols++;
	mm_buf_puts(b, s);
	for (; cols < w; cols++)
		mm_buf_putc(b, ' ');
}

/* One row of the table: op, shape, FLOPs, share, bytes, intensity and
 * time (when predict is given); the predicted seconds are added to
 * *seconds, or *known cleared. */
static void put_row(mm_buf *b, int k, const mm_node *e, mm_count fl,
                    mm_count by, mm_count total, mm_predict_fn predict,
                    void *ctx, double *seconds, bool *known)
{
	const mm_info *i = e->info;
	mm_buf cell = MM_BUF_INIT;
	mm_buf_printf(b, "%-3d ", k + 1);
	pad(b, mm_explain_op_name(e), 10);
	mm_shape_print(&cell, &i->v.shape);
	pad(b, mm_buf_str(&cell), 24);
	mm_buf_reset(&cell);
	mm_count_format_si(&cell, fl, "FLOP", 4);
	pad(b, mm_buf_str(&cell), 14);
	mm_buf_reset(&cell);
	if (mm_count_is_zero(total))
		mm_buf_puts(&cell, "-");
	else
		mm_buf_printf(&cell, "%.1f%%", 100.0 * mm_count_ratio(fl, total));
	pad(b, mm_buf_str(&cell), 8);
	mm_buf_reset(&cell);
	mm_count_format_iec(&cell, by, "B", 4);
	pad(b, mm_buf_str(&cell), 12);
	mm_buf_reset(&cell);
	if (mm_count_is_zero(by))
		mm_buf_puts(&cell, "-");
	else
		mm_buf_printf(&cell, "%.4g", mm_count_ratio(fl, by));
	pad(b, mm_buf_str(&cell), 10);
	if (predict) {
		double s = predict(ctx, fl, mm_check_transcendental(i), by,
		                   i->v.dtype);
		if (s >= 0) {
			mm_count_format_seconds(b, s, 4, false);
			*seconds += s;
		} else {
			mm_buf_puts(b, "-");
			*known = false;
		}
	}
	/* trailing spaces are trimmed by ending the row here */
	while (b->len && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	mm_buf_putc(b, '\n');
	mm_buf_free(&cell);
}

/* The lines under the table: totals, the matmul split, bytes and the
 * convention that counted them. */
static void put_totals(mm_buf *b, const mm_totals *t, const rows *rs,
                       bool train, bool known, double seconds)
{
	mm_count flops = train ? rs->train_flops : t->flops;
	mm_buf_puts(b, "total      ");
	mm_count_format_si(b, flops, "FLOP", 4);
	if (!mm_count_is_zero(t->macs) && !train) {
		mm_buf_puts(b, " (");
		mm_count_format_si(b, t->macs, "MAC", 4);
		mm_buf_putc(b, ')');
	}
	if (train)
		mm_buf_puts(b, ", forward + backward");
	if (known && rs->n) {
		mm_buf_puts(b, ", predicted ");
		mm_count_format_seconds(b, seconds, 4, false);
	}
	if (!train) {
		mm_buf_puts(b, "\n  matmul     ");
		mm_count_format_si(b, t->matmul_flops, "FLOP", 4);
		mm_count rest = mm_count_sub(t->flops, t->matmul_flops);
		mm_buf_puts(b, "\n  non-matmul ");
		mm_count_format_si(b, rest, "FLOP", 4);
		if (!mm_count_is_zero(t->flops))
			mm_buf_printf(b, " (%.1f%%)", 100.0 * mm_count_ratio(rest, t->flops));
	}
	mm_buf_puts(b, "\nbytes      in ");
	mm_count_format_iec(b, t->bytes_in, "B", 4);
	mm_buf_puts(b, ", out ");
	mm_count_format_iec(b, t->bytes_out, "B", 4);
	mm_buf_puts(b, ", peak ");
	mm_count_format_iec(b, t->bytes_peak, "B", 4);
	if (train) {
		mm_buf_puts(b, "; training moves ");
		mm_count_format_iec(b, rs->train_bytes, "B", 4);
	}
	mm_buf_putc(b, '\n');
}

void mm_explain(mm_buf *b, const mm_node *e, mm_predict_fn predict,
                void *ctx, const mm_explain_opts *o)
{
	bool train = o && o->train;
	const mm_convention *cv = o && o->conv ? o->conv : &mm_convention_at(0)->c;
	static rows rs; /* 2 KB of pointers: not on the recursion's stack */
	memset(&rs, 0, sizeof rs);
	rs.conv = cv;
	mm_totals t;
	mm_check_totals(e, &t);
	collect(e, &rs);
	mm_count total = train ? rs.train_flops : t.flops;
	mm_buf_printf(b, "%-3s ", "#");
	pad(b, "op", 10);
	pad(b, "shape", 24);
	pad(b, "FLOPs", 14);
	pad(b, "share", 8);
	pad(b, "bytes", 12);
	if (predict) {
		pad(b, "FLOP/B", 10);
		mm_buf_puts(b, "time");
	} else {
		mm_buf_puts(b, "FLOP/B");
	}
	mm_buf_putc(b, '\n');
	double seconds = 0;
	bool known = predict != NULL;
	for (int k = 0; k < rs.n; k++) {
		const mm_info *i = rs.r[k].e->info;
		mm_count fl = i->cost.flops, by = i->cost.bytes;
		if (train)
			train_cost(i, cv, &fl, &by);
		put_row(b, k, rs.r[k].e, fl, by, total, predict, ctx, &seconds,
		        &known);
	}
	if (rs.more)
		mm_buf_printf(b, "... and %d more operations\n", rs.more);
	if (rs.n == 0)
		mm_buf_puts(b, "(no operations: a value, a view or a literal)\n");
	put_totals(b, &t, &rs, train, known, seconds);
	const mm_convention_def *named = mm_convention_named(cv);
	mm_buf_printf(b, "counted as %s", named ? named->name : "custom");
	if (named)
		mm_buf_printf(b, ": %s", named->source);
	if (train)
		mm_buf_printf(b, "; backward %g forward%s, attention's %g%s",
		              cv->backward, cv->backward == 1 ? "" : "s",
		              cv->attn_backward,
		              cv->recompute == MM_RECOMPUTE_FULL ? "; all recomputed"
		              : cv->recompute == MM_RECOMPUTE_SELECTIVE
		                  ? "; attention recomputed" : "");
	mm_buf_putc(b, '\n');
}
