/* cmd_vars.c — :vars: each variable's name, shape, dtype, bytes (a
 * polynomial while its shape has symbols) and kind, in columns padded by
 * display width, and the total. */
#include <string.h>

#include "mmcalc/buf.h"
#include "mmcalc/cost.h"
#include "mmcalc/format.h"
#include "mmcalc/print.h"
#include "session_int.h"

int mm_cmd_vars(mm_stmtctx *c, const mm_stmt *st);

/* Column widths, in terminal columns; the last column is not padded. */
static const size_t widths[4] = {12, 24, 6, 12};

/* A row of five cells; a cell wider than its column pushes the rest
 * right by one space, as printf's %-Ns does. */
static void row(mm_buf *b, const char *const cell[5])
{
	for (int k = 0; k < 4; k++) {
		mm_buf_puts(b, cell[k]);
		size_t w = mm_utf8_cols(cell[k]);
		do
			mm_buf_putc(b, ' ');
		while (++w < widths[k] + 1);
	}
	mm_buf_puts(b, cell[4]);
	mm_buf_putc(b, '\n');
}

/* Bytes of all the variables: exact while shapes are numbers, a
 * polynomial over the symbolic ones. */
typedef struct sizes {
	mm_count bytes, held;
	mm_poly sym;
	bool unknown; /* a polynomial too large to keep */
} sizes;

/* The bytes of v's tensor as text into out, added to *z; symbols bound
 * since (n = 8 after a = (n x 4)) are substituted. */
static void tensor_bytes(mm_env *env, const mm_var *v, sizes *z, mm_buf *out)
{
	if (!mm_shape_is_symbolic(&v->v.shape)) {
		mm_count n = mm_cost_tensor_bytes(&v->v.shape, v->v.dtype);
		mm_count_format_iec(out, n, "B", 4);
		z->bytes = mm_count_add(z->bytes, n);
		if (v->value)
			z->held = mm_count_add(z->held, n);
		return;
	}
	mm_diag d = {0};
	mm_cost_ctx x = {NULL, &d, NULL, NULL};
	mm_poly p;
	mm_count n;
	if (mm_cost_bytes_poly(&x, &v->v.shape, v->v.dtype, &p) != MM_OK ||
	    mm_poly_subst(&p, &p, mm_env_lookup_int, env, &d) != MM_OK) {
		mm_buf_puts(out, "?");
		z->unknown = true;
		return;
	}
	if (mm_poly_get_count(&p, &n)) {
		mm_count_format_iec(out, n, "B", 4);
		z->bytes = mm_count_add(z->bytes, n);
		return;
	}
	mm_format_poly_unit(out, &p, "B", true);
	if (mm_poly_add(&z->sym, &z->sym, &p, &d) != MM_OK)
		z->unknown = true;
}

/* The total: 96 MiB, 16·n B, 96 MiB + 16·n B. */
static void total_bytes(const sizes *z, mm_buf *out)
{
	bool sym = !mm_poly_is_zero(&z->sym);
	if (!sym || !mm_count_is_zero(z->bytes))
		mm_count_format_iec(out, z->bytes, "B", 4);
	if (sym) {
		if (!mm_count_is_zero(z->bytes))
			mm_buf_puts(out, " + ");
		mm_format_poly_unit(out, &z->sym, "B", true);
	}
	if (z->unknown)
		mm_buf_puts(out, " + ?");
}

/* :vars as one JSON object: each variable, then the totals. */
static int vars_json(mm_stmtctx *c)
{
	mm_session *s = c->s;
	mm_buf *j = &s->jbuf;
	mm_count total = MM_COUNT_ZERO, held = MM_COUNT_ZERO;
	mm_buf_printf(j, "{\"line\":%ld,\"kind\":\"vars\",\"vars\":[", c->line);
	for (int k = 0; k < s->env.n; k++) {
		const mm_var *v = &s->env.vars[k];
		mm_buf_puts(j, k ? ",{\"name\":" : "{\"name\":");
		mm_format_json_string(j, v->name);
		if (v->v.kind == MM_K_TENSOR) {
			mm_buf_puts(j, ",\"kind\":");
			mm_format_json_string(j, v->value ? "concrete" : "abstract");
			mm_buf_puts(j, ",\"shape\":[");
			for (int d = 0; d < v->v.shape.ndim; d++) {
				if (d)
					mm_buf_putc(j, ',');
				if (v->v.shape.sym[d])
					mm_format_json_poly(j, v->v.shape.sym[d]);
				else
					mm_buf_printf(j, "%lld", (long long)v->v.shape.dim[d]);
			}
			mm_buf_printf(j, "],\"dtype\":\"%s\",\"bytes\":",
			              mm_dtype_name(v->v.dtype));
			if (mm_shape_is_symbolic(&v->v.shape)) {
				mm_poly p;
				mm_diag d;
				if (mm_cost_bytes_poly(&(mm_cost_ctx){&s->arena, &d, NULL,
				                                      NULL},
				                       &v->v.shape, v->v.dtype, &p) == MM_OK)
					mm_format_json_poly(j, &p);
				else
					mm_buf_puts(j, "null");
			} else {
				mm_count nb = mm_cost_tensor_bytes(&v->v.shape, v->v.dtype);
				mm_format_json_count(j, nb);
				total = mm_count_add(total, nb);
				if (v->value)
					held = mm_count_add(held, nb);
			}
		} else if (v->v.kind == MM_K_NUMBER) {
			mm_buf_puts(j, ",\"kind\":\"number\",\"value\":");
			/* JSON has no inf or nan: they are strings (JSON OUTPUT) */
			mm_print_json_number(j, v->v.num, false);
		} else {
			mm_buf_puts(j, ",\"kind\":\"string\",\"value\":");
			mm_format_json_string(j, v->v.str ? v->v.str : "");
		}
		mm_buf_putc(j, '}');
	}
	mm_buf_puts(j, "],\"bytes\":");
	mm_format_json_count(j, total);
	mm_buf_puts(j, ",\"held\":");
	mm_format_json_count(j, held);
	mm_buf_putc(j, '}');
	mm_sx_emit(c, MM_R_TEXT);
	return 0;
}

int mm_cmd_vars(mm_stmtctx *c, const mm_stmt *st)
{
	(void)st;
	mm_session *s = c->s;
	mm_buf *b = &s->text;
	if (s->json)
		return vars_json(c);
	if (s->env.n == 0) {
		mm_buf_puts(b, "no variables\n");
		return mm_sx_text(c);
	}
	const char *head[5] = {"name", "shape", "dtype", "bytes", "kind"};
	row(b, head);
	sizes z = {MM_COUNT_ZERO, MM_COUNT_ZERO, {0}, false};
	mm_poly_const(&z.sym, 0);
	mm_buf cell = MM_BUF_INIT, bytes = MM_BUF_INIT;
	for (int k = 0; k < s->env.n; k++) {
		const mm_var *v = &s->env.vars[k];
		const char *kind = "number", *dtype = "";
		mm_buf_reset(&cell);
		mm_buf_reset(&bytes);
		if (v->v.kind == MM_K_TENSOR) {
			mm_shape_print(&cell, &v->v.shape);
			tensor_bytes(&s->env, v, &z, &bytes);
			dtype = mm_dtype_name(v->v.dtype);
			kind = v->value ? "concrete" : "abstract";
		} else if (v->v.kind == MM_K_NUMBER) {
			mm_format_double(&cell, v->v.num);
		} else {
			mm_format_json_string(&cell, v->v.str ? v->v.str : "");
			kind = "string";
		}
		const char *r[5] = {v->name, mm_buf_str(&cell), dtype,
		                    mm_buf_str(&bytes), kind};
		row(b, r);
	}
	mm_buf_reset(&bytes);
	total_bytes(&z, &bytes);
	mm_buf_reset(&cell);
	mm_buf_puts(&cell, "(");
	mm_count_format_iec(&cell, z.held, "B", 4);
	mm_buf_puts(&cell, " held in memory)");
	const char *t[5] = {"total", "", "", mm_buf_str(&bytes), mm_buf_str(&cell)};
	row(b, t);
	mm_buf_free(&cell);
	mm_buf_free(&bytes);
	return mm_sx_text(c);
}
