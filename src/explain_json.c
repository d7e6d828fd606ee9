/* explain_json.c — the :explain table as JSON (--json): its rows, then
 * its totals, counts exact or as polynomials. */
#include <stdio.h>

#include "explain_int.h"
#include "mmcalc/format.h"


static void json_count_or_poly(mm_buf *b, const char *key, bool sym,
                               mm_count n, const mm_poly *p)
{
	mm_buf_printf(b, ",\"%s\":", key);
	if (sym && p)
		mm_format_json_poly(b, p);
	else
		mm_format_json_count(b, n);
}

static void json_row(mm_buf *b, int num, const row *r, mm_count total,
                     bool predict, bool first)
{
	bool header = r->m || r->label;
	mm_buf_puts(b, first ? "{" : ",{");
	if (header)
		mm_buf_puts(b, "\"n\":null");
	else
		mm_buf_printf(b, "\"n\":%d", num);
	mm_buf_printf(b, ",\"depth\":%d,\"module\":", r->indent);
	if (header) {
		/* a repeat's label is "f ×L": the module is f */
		const char *name = r->m ? r->m->name : r->label;
		const char *x = r->m ? NULL : strstr(name, " \u00d7");
		mm_buf sub = MM_BUF_INIT;
		mm_buf_printf(&sub, "%.*s", x ? (int)(x - name) : (int)strlen(name),
		              name);
		mm_format_json_string(b, mm_buf_str(&sub));
		mm_buf_free(&sub);
		mm_buf_puts(b, ",\"op\":null");
	} else {
		mm_buf_puts(b, "null,\"op\":");
		mm_format_json_string(b, r->g->op ? r->g->op : "?");
	}
	if (header && r->g && r->g->kind == MM_G_REPEAT) {
		mm_buf_puts(b, ",\"times\":");
		if (r->g->stimes)
			mm_format_json_poly(b, r->g->stimes);
		else
			mm_buf_printf(b, "%lld", (long long)r->g->times);
	}
	if (r->g && !r->m) {
		mm_buf_puts(b, ",\"shape\":[");
		const mm_shape *sh = &r->g->v.shape;
		for (int k = 0; k < sh->ndim; k++) {
			if (k)
				mm_buf_putc(b, ',');
			if (sh->sym[k])
				mm_format_json_poly(b, sh->sym[k]);
			else
				mm_buf_printf(b, "%lld", (long long)sh->dim[k]);
		}
		mm_buf_printf(b, "],\"dtype\":\"%s\"", mm_dtype_name(r->g->v.dtype));
	}
	json_count_or_poly(b, "flops", r->sym, r->flops, &r->sflops);
	if (!r->sym)
		json_count_or_poly(b, "macs", false, r->macs, NULL);
	json_count_or_poly(b, "bytes", r->sym, r->bytes, &r->sbytes);
	if (r->sym || mm_count_is_zero(r->bytes))
		mm_buf_puts(b, ",\"intensity\":null");
	else
		mm_buf_printf(b, ",\"intensity\":%.6g",
		              mm_count_ratio(r->flops, r->bytes));
	if (r->sym || mm_count_is_zero(total))
		mm_buf_puts(b, ",\"share\":null");
	else
		mm_buf_printf(b, ",\"share\":%.6g", mm_count_ratio(r->flops, total));
	if (predict && !r->unknown && !r->sym)
		mm_buf_printf(b, ",\"time\":%.6g", r->sec);
	else
		mm_buf_puts(b, ",\"time\":null");
	mm_buf_puts(b, ",\"from\":");
	if (r->origin)
		mm_format_json_string(b, r->origin);
	else
		mm_buf_puts(b, "null");
	mm_buf_putc(b, '}');
}

/* The table as one JSON object: every row (depth limits them as the
 * text does, without the text's cap), then the totals. */
void mm_explain_put_json(mm_buf *b, const table *t, const mm_gtotals *gt,
                         const mm_explain_opts *o, int depth, mm_count total,
                         mm_count train_flops, mm_count train_bytes,
                         bool known, double seconds)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"explain\",\"train\":%s,"
	              "\"rows\":[", o->line, t->train ? "true" : "false");
	bool first = true;
	for (int k = 0, num = 0; k < t->n; k++) {
		const row *r = &t->r[k];
		num += !(r->m || r->label);
		if (r->indent >= depth)
			continue;
		json_row(b, num, r, total, t->predict != NULL, first);
		first = false;
	}
	mm_buf_puts(b, "],\"total\":{");
	bool sym = gt->symbolic;
	mm_buf_puts(b, "\"flops\":");
	if (sym)
		mm_format_json_poly(b, gt->sflops);
	else
		mm_format_json_count(b, t->train ? train_flops : gt->flops);
	json_count_or_poly(b, "macs", sym, gt->macs, gt->smacs);
	if (sym)
		mm_buf_puts(b, ",\"matmul_flops\":null");
	else
		json_count_or_poly(b, "matmul_flops", false, gt->matmul_flops,
		                   NULL);
	json_count_or_poly(b, "bytes_in", sym, gt->bytes_in, gt->sbytes_in);
	json_count_or_poly(b, "bytes_out", sym, gt->bytes_out, gt->sbytes_out);
	if (!sym && !t->no_peak)
		json_count_or_poly(b, "bytes_peak", false, gt->bytes_peak, NULL);
	if (t->train)
		json_count_or_poly(b, "train_bytes", false, train_bytes, NULL);
	json_count_or_poly(b, "params", sym, gt->params, gt->sparams);
	if (!sym)
		json_count_or_poly(b, "param_bytes", false, gt->param_bytes, NULL);
	if (known && t->n && !sym)
		mm_buf_printf(b, ",\"time\":%.6g", seconds);
	else
		mm_buf_puts(b, ",\"time\":null");
	const mm_convention_def *named = mm_convention_named(t->conv);
	mm_buf_puts(b, "},\"convention\":");
	mm_format_json_string(b, named ? named->name : "custom");
	mm_buf_putc(b, '}');
}
