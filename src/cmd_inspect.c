/* cmd_inspect.c — :inspect FILE.safetensors: the tensors of a model file
 * (name, shape, dtype, parameters, bytes) and their totals, from its
 * header alone, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/path.h"
#include "mmcalc/safetensors.h"
#include "session_int.h"

int mm_cmd_inspect(mm_stmtctx *c, const mm_stmt *st);

/* Longest metadata value shown in the text (JSON has them whole). */
#define META_SHOWN 200

/* s with control bytes as '?' (names and metadata come from the file and
 * must not drive the terminal), at most max bytes and "..." after. */
static void put_clean(mm_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s), k = n > max ? max : n;
	while (k < n && k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	for (size_t i = 0; i < k; i++) {
		unsigned char ch = (unsigned char)s[i];
		mm_buf_putc(b, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
	}
	if (k < n)
		mm_buf_puts(b, "...");
}

/* "(2 x 3)", "(3,)", "()" as the language writes shapes. */
static void put_shape(mm_buf *b, const mm_st_tensor *t)
{
	mm_buf_putc(b, '(');
	for (int k = 0; k < t->ndim; k++)
		mm_buf_printf(b, "%s%lld", k ? " x " : "", (long long)t->shape[k]);
	mm_buf_puts(b, t->ndim == 1 ? ",)" : ")");
}

/* The cell text of a count: "1,234,567". */
static void put_params(mm_buf *b, uint64_t n)
{
	mm_count_format_digits(b, mm_count_of(n), ',');
}

/* Characters (UTF-8 code points) in the n bytes at s: what a column
 * of names is padded by. */
static size_t chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static size_t text_len(void (*put)(mm_buf *, const mm_st_tensor *),
                       const mm_st_tensor *t)
{
	mm_buf cell = MM_BUF_INIT;
	put(&cell, t);
	size_t n = chars(mm_buf_str(&cell), cell.len);
	mm_buf_free(&cell);
	return n;
}

static void put_name(mm_buf *b, const mm_st_tensor *t)
{
	put_clean(b, t->name, SIZE_MAX);
}

static void pad(mm_buf *b, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++)
		mm_buf_putc(b, ' ');
}

/* Appends the cell put(t) padded to width w, then two blanks. */
static void cell(mm_buf *b, void (*put)(mm_buf *, const mm_st_tensor *),
                 const mm_st_tensor *t, size_t w)
{
	size_t at = b->len;
	put(b, t);
	pad(b, chars(b->data + at, b->len - at), w + 2);
}

/* "124.4 M": a count with an SI prefix and no unit. */
static void put_si(mm_buf *b, uint64_t n)
{
	size_t at = b->len;
	mm_count_format_si(b, mm_count_of(n), "", 4);
	while (b->len > at && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
}

/* Each dtype's parameters, bytes and tensors, a line each, when the file
 * mixes dtypes. */
static void by_dtype(mm_buf *b, const mm_st_file *f)
{
	uint64_t n[MM_ST_DTYPE_COUNT] = {0}, p[MM_ST_DTYPE_COUNT] = {0},
	         by[MM_ST_DTYPE_COUNT] = {0};
	int kinds = 0;
	for (size_t k = 0; k < f->ntensors; k++) {
		const mm_st_tensor *t = &f->tensors[k];
		kinds += n[t->dtype]++ == 0;
		p[t->dtype] += (uint64_t)t->numel;
		by[t->dtype] += t->end - t->begin;
	}
	if (kinds < 2)
		return;
	const char *head = "by dtype:";
	for (int d = 0; d < MM_ST_DTYPE_COUNT; d++) {
		if (!n[d])
			continue;
		mm_buf_printf(b, "%-9s %-7s  ", head, mm_st_dtype_name((mm_st_dtype)d));
		head = "";
		put_params(b, p[d]);
		mm_buf_puts(b, " parameters, ");
		mm_count_format_iec(b, mm_count_of(by[d]), "B", 4);
		mm_buf_printf(b, ", %llu tensor%s\n", (unsigned long long)n[d],
		              n[d] == 1 ? "" : "s");
	}
}

static void inspect_text(mm_buf *b, const char *name, const mm_st_file *f)
{
	size_t wn = 4, ws = 5, wp = 6;
	for (size_t k = 0; k < f->ntensors; k++) {
		const mm_st_tensor *t = &f->tensors[k];
		size_t n = text_len(put_name, t), s = text_len(put_shape, t);
		mm_buf cnt = MM_BUF_INIT;
		put_params(&cnt, (uint64_t)t->numel);
		wn = n > wn ? n : wn;
		ws = s > ws ? s : ws;
		wp = cnt.len > wp ? cnt.len : wp;
		mm_buf_free(&cnt);
	}
	mm_buf_printf(b, "%s: %zu tensor%s, header ", name, f->ntensors,
	              f->ntensors == 1 ? "" : "s");
	mm_count_format_iec(b, mm_count_of(f->header_len + 8), "B", 4);
	mm_buf_putc(b, '\n');
	mm_buf_printf(b, "%-*s  %-*s  %-7s  %*s  %s\n", (int)wn, "name", (int)ws,
	              "shape", "dtype", (int)wp, "params", "bytes");
	for (size_t k = 0; k < f->ntensors; k++) {
		const mm_st_tensor *t = mm_st_nth_by_name(f, k);
		cell(b, put_name, t, wn);
		cell(b, put_shape, t, ws);
		mm_buf_printf(b, "%-7s  ", mm_st_dtype_name(t->dtype));
		mm_buf cnt = MM_BUF_INIT;
		put_params(&cnt, (uint64_t)t->numel);
		pad(b, cnt.len, wp);
		mm_buf_printf(b, "%s  ", mm_buf_str(&cnt));
		mm_buf_free(&cnt);
		mm_count_format_iec(b, mm_count_of(t->end - t->begin), "B", 4);
		mm_buf_putc(b, '\n');
	}
	mm_buf_puts(b, "total: ");
	put_params(b, f->params);
	mm_buf_puts(b, " parameters");
	if (f->params >= 1000) {
		mm_buf_puts(b, " (");
		put_si(b, f->params);
		mm_buf_putc(b, ')');
	}
	mm_buf_puts(b, ", ");
	mm_count_format_iec(b, mm_count_of(f->data_len), "B", 4);
	mm_buf_puts(b, " of data\n");
	by_dtype(b, f);
	for (size_t k = 0; k < f->nmeta; k++) {
		mm_buf_puts(b, k ? "          " : "metadata: ");
		put_clean(b, f->meta_key[k], META_SHOWN);
		mm_buf_puts(b, " = ");
		put_clean(b, f->meta_value[k], META_SHOWN);
		mm_buf_putc(b, '\n');
	}
}

static void inspect_json(mm_buf *b, long line, const char *name,
                         const mm_st_file *f)
{
	mm_buf_printf(b, "{\"line\":%ld,\"kind\":\"inspect\",\"file\":", line);
	mm_format_json_string(b, name);
	mm_buf_printf(b, ",\"header_bytes\":%llu,\"data_bytes\":%llu,"
	                 "\"params\":%llu,\"tensors\":[",
	              (unsigned long long)(f->header_len + 8),
	              (unsigned long long)f->data_len,
	              (unsigned long long)f->params);
	for (size_t k = 0; k < f->ntensors; k++) {
		const mm_st_tensor *t = mm_st_nth_by_name(f, k);
		mm_buf_puts(b, k ? ",{\"name\":" : "{\"name\":");
		mm_format_json_string(b, t->name);
		mm_buf_printf(b, ",\"dtype\":\"%s\",\"shape\":[",
		              mm_st_dtype_name(t->dtype));
		for (int d = 0; d < t->ndim; d++)
			mm_buf_printf(b, d ? ",%lld" : "%lld", (long long)t->shape[d]);
		mm_buf_printf(b, "],\"params\":%lld,\"bytes\":%llu,"
		                 "\"offsets\":[%llu,%llu]}",
		              (long long)t->numel,
		              (unsigned long long)(t->end - t->begin),
		              (unsigned long long)t->begin,
		              (unsigned long long)t->end);
	}
	mm_buf_puts(b, "],\"metadata\":{");
	for (size_t k = 0; k < f->nmeta; k++) {
		if (k)
			mm_buf_putc(b, ',');
		mm_format_json_string(b, f->meta_key[k]);
		mm_buf_putc(b, ':');
		mm_format_json_string(b, f->meta_value[k]);
	}
	mm_buf_puts(b, "}}");
}

/* :inspect FILE — the file name as typed, in quotes if it has blanks. */
int mm_cmd_inspect(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	if (st->nwords == 0)
		return mm_sx_error_at(c, MM_ERR_ARG, st->name_span,
		                      "as in :inspect model.safetensors",
		                      ":inspect needs a file name");
	uint32_t from = st->words[0].span.start, to = st->args.end;
	if (to - from >= 2 && c->src[from] == '"' && c->src[to - 1] == '"') {
		from++;
		to--;
	}
	char *name = mm_arena_strndup(&s->arena, c->src + from, to - from);
	mm_diag d;
	char *path = name ? mm_sx_path(s, name, true, &d) : NULL;
	if (!path) {
		if (!name)
			mm_diag_set(&d, MM_ERR_NOMEM, st->args, "out of memory");
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	mm_st_file *f;
	mm_code r = mm_st_read(path, &f, &d);
	free(path);
	if (r != MM_OK) {
		d.span = st->args;
		return mm_sx_error(c, &d);
	}
	inspect_text(&s->text, name, f);
	if (s->json) {
		mm_buf_reset(&s->jbuf);
		inspect_json(&s->jbuf, c->line, name, f);
	}
	mm_st_free(f);
	mm_sx_emit(c, MM_R_TEXT);
	return 0;
}
