/* cmd_total.c — :total, the running sum of every statement's cost since
 * the session began or the last :total reset. */
#include <string.h>

#include "session_int.h"

void mm_sx_total_add(mm_session *s, const mm_totals *t, const mm_timing *tm)
{
	mm_running *r = &s->total;
	if (t->nops == 0)
		return; /* a value alone: nothing ran */
	r->n++;
	r->flops = mm_count_add(r->flops, t->flops);
	r->macs = mm_count_add(r->macs, t->macs);
	r->bytes = mm_count_add(r->bytes, mm_count_add(t->bytes_in, t->bytes_out));
	if (tm->predicted >= 0) {
		r->predicted += tm->predicted;
		r->npredicted++;
	}
	if (tm->executed) {
		r->measured += tm->seconds;
		r->nmeasured++;
	}
}

void mm_sx_total_add_sym(mm_session *s, const mm_sym_totals *t)
{
	mm_running *r = &s->total;
	mm_diag d;
	r->n++;
	if (r->nsym++ == 0) {
		r->sflops = *t->flops;
		if (mm_poly_add(&r->sbytes, t->bytes_in, t->bytes_out, &d) != MM_OK)
			r->sym_overflow = true;
		return;
	}
	mm_poly f, b;
	if (mm_poly_add(&f, &r->sflops, t->flops, &d) != MM_OK ||
	    mm_poly_add(&b, &r->sbytes, t->bytes_in, &d) != MM_OK ||
	    mm_poly_add(&r->sbytes, &b, t->bytes_out, &d) != MM_OK) {
		r->sym_overflow = true;
		return;
	}
	r->sflops = f;
}

/* The symbolic statements' sums, and a new line. */
static void sym_sums(mm_buf *b, const mm_running *r)
{
	if (r->sym_overflow) {
		mm_buf_puts(b, "too large a formula to keep\n");
		return;
	}
	mm_poly_print(b, &r->sflops, 0);
	mm_buf_puts(b, " FLOP \u00b7 ");
	mm_poly_print(b, &r->sbytes, 0);
	mm_buf_puts(b, " B read and written\n");
}

static void text(mm_buf *b, const mm_running *r, const char *device)
{
	if (r->n == 0) {
		mm_buf_puts(b, "no statements with operations yet\n");
		return;
	}
	mm_buf_printf(b, "%ld statement%s", r->n, r->n == 1 ? "" : "s");
	if (r->nsym == r->n) { /* all with symbols: no numeric part */
		mm_buf_puts(b, ", with symbols: ");
		sym_sums(b, r);
		goto times;
	}
	mm_buf_puts(b, ": ");
	mm_count_format_si(b, r->flops, "FLOP", 4);
	if (!mm_count_is_zero(r->macs)) {
		mm_buf_puts(b, " (");
		mm_count_format_si(b, r->macs, "MAC", 4);
		mm_buf_putc(b, ')');
	}
	mm_buf_puts(b, " \u00b7 ");
	mm_count_format_iec(b, r->bytes, "B", 4);
	mm_buf_puts(b, " read and written\n");
	if (r->nsym) {
		mm_buf_printf(b, "  and %ld with symbols: ", r->nsym);
		sym_sums(b, r);
	}
times:
	if (r->npredicted) {
		mm_buf_puts(b, "  predicted ");
		mm_count_format_seconds(b, r->predicted, 4, false);
		mm_buf_printf(b, " for %ld of them%s%s\n", r->npredicted,
		              device ? " on " : "", device ? device : "");
	}
	if (r->nmeasured) {
		mm_buf_puts(b, "  ran in ");
		mm_count_format_seconds(b, r->measured, 4, false);
		mm_buf_printf(b, " (%ld executed)\n", r->nmeasured);
	}
}

static void json(mm_buf *b, long line, const mm_running *r)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"total\",\"statements\":%ld,"
	              "\"flops\":", line, r->n);
	mm_format_json_count(b, r->flops);
	mm_buf_puts(b, ",\"macs\":");
	mm_format_json_count(b, r->macs);
	mm_buf_puts(b, ",\"bytes\":");
	mm_format_json_count(b, r->bytes);
	mm_buf_printf(b, ",\"symbolic_statements\":%ld", r->nsym);
	if (r->nsym && !r->sym_overflow) {
		mm_buf_puts(b, ",\"symbolic_flops\":");
		mm_format_json_poly(b, &r->sflops);
		mm_buf_puts(b, ",\"symbolic_bytes\":");
		mm_format_json_poly(b, &r->sbytes);
	} else {
		mm_buf_puts(b, ",\"symbolic_flops\":null,\"symbolic_bytes\":null");
	}
	if (r->npredicted)
		mm_buf_printf(b, ",\"predicted\":%.6g", r->predicted);
	else
		mm_buf_puts(b, ",\"predicted\":null");
	mm_buf_printf(b, ",\"predicted_statements\":%ld", r->npredicted);
	if (r->nmeasured)
		mm_buf_printf(b, ",\"measured\":%.6g", r->measured);
	else
		mm_buf_puts(b, ",\"measured\":null");
	mm_buf_printf(b, ",\"measured_statements\":%ld}", r->nmeasured);
}

int mm_cmd_total(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	if (st->nwords > 1 ||
	    (st->nwords == 1 && strcmp(st->words[0].text, "reset") != 0))
		return mm_sx_error_at(c, MM_ERR_ARG, st->args, "usage: :total [reset]",
		                      ":total takes nothing, or 'reset'");
	if (st->nwords == 1) {
		memset(&s->total, 0, sizeof s->total);
		mm_buf_puts(&s->text, "totals reset\n");
		return mm_sx_text(c);
	}
	if (s->json) {
		json(&s->jbuf, c->line, &s->total);
		mm_sx_emit(c, MM_R_TEXT);
		return 0;
	}
	text(&s->text, &s->total, s->dev_ready ? s->dev.name : NULL);
	return mm_sx_text(c);
}
