/* explain.c — the :explain table. */
#include <stdio.h>
#include <string.h>

#include "mmcalc/explain.h"

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

typedef struct rows {
	row r[256];
	int n;
	int more; /* rows past the table's size, folded into the totals */
} rows;

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
	if (rs->n < (int)(sizeof rs->r / sizeof rs->r[0]))
		rs->r[rs->n++].e = e;
	else
		rs->more++;
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

void mm_explain(mm_buf *b, const mm_node *e, mm_predict_fn predict,
                void *ctx, bool train)
{
	rows rs = {.n = 0};
	mm_totals t;
	mm_check_totals(e, &t);
	collect(e, &rs);
	mm_count total = t.flops;
	mm_buf cell = MM_BUF_INIT;
	unsigned mult = train ? 3 : 1;
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
		mm_count fl = mm_count_mul_u(i->cost.flops, mult);
		mm_buf_printf(b, "%-3d ", k + 1);
		pad(b, mm_explain_op_name(rs.r[k].e), 10);
		mm_buf_reset(&cell);
		mm_shape_print(&cell, &i->v.shape);
		pad(b, mm_buf_str(&cell), 24);
		mm_buf_reset(&cell);
		mm_count_format_si(&cell, fl, "FLOP", 4);
		pad(b, mm_buf_str(&cell), 14);
		mm_buf_reset(&cell);
		if (mm_count_is_zero(total))
			mm_buf_puts(&cell, "-");
		else
			mm_buf_printf(&cell, "%.1f%%", 100.0 * mm_count_ratio(i->cost.flops, total));
		pad(b, mm_buf_str(&cell), 8);
		mm_buf_reset(&cell);
		mm_count_format_iec(&cell, i->cost.bytes, "B", 4);
		pad(b, mm_buf_str(&cell), 12);
		mm_buf_reset(&cell);
		if (mm_count_is_zero(i->cost.bytes))
			mm_buf_puts(&cell, "-");
		else
			mm_buf_printf(&cell, "%.4g", mm_count_ratio(fl, i->cost.bytes));
		pad(b, mm_buf_str(&cell), 10);
		if (predict) {
			double s = predict(ctx, fl, i->cost.bytes, i->v.dtype);
			if (s >= 0) {
				mm_count_format_seconds(b, s, 4, false);
				seconds += s;
			} else {
				mm_buf_puts(b, "-");
				known = false;
			}
		}
		/* trailing spaces are trimmed by ending the row here */
		while (b->len && b->data[b->len - 1] == ' ')
			b->data[--b->len] = '\0';
		mm_buf_putc(b, '\n');
	}
	if (rs.more)
		mm_buf_printf(b, "... and %d more operations\n", rs.more);
	if (rs.n == 0)
		mm_buf_puts(b, "(no operations: a value, a view or a literal)\n");
	mm_buf_puts(b, "total      ");
	mm_count_format_si(b, mm_count_mul_u(t.flops, mult), "FLOP", 4);
	if (!mm_count_is_zero(t.macs)) {
		mm_buf_puts(b, " (");
		mm_count_format_si(b, mm_count_mul_u(t.macs, mult), "MAC", 4);
		mm_buf_putc(b, ')');
	}
	if (train)
		mm_buf_puts(b, ", forward + backward (3 x forward)");
	if (known && rs.n) {
		mm_buf_puts(b, ", predicted ");
		mm_count_format_seconds(b, seconds, 4, false);
	}
	mm_buf_puts(b, "\n  matmul     ");
	mm_count_format_si(b, mm_count_mul_u(t.matmul_flops, mult), "FLOP", 4);
	mm_count rest = mm_count_sub(t.flops, t.matmul_flops);
	mm_buf_puts(b, "\n  non-matmul ");
	mm_count_format_si(b, mm_count_mul_u(rest, mult), "FLOP", 4);
	if (!mm_count_is_zero(total))
		mm_buf_printf(b, " (%.1f%%)", 100.0 * mm_count_ratio(rest, total));
	mm_buf_puts(b, "\nbytes      in ");
	mm_count_format_iec(b, t.bytes_in, "B", 4);
	mm_buf_puts(b, ", out ");
	mm_count_format_iec(b, t.bytes_out, "B", 4);
	mm_buf_puts(b, ", peak ");
	mm_count_format_iec(b, t.bytes_peak, "B", 4);
	mm_buf_putc(b, '\n');
	mm_buf_free(&cell);
}
