/* session_fn.c — a session's user functions: `def` statements, the table
 * the checker looks calls up in, and the lines of a block definition
 * (def f(x) { ... } over several lines) gathered before it runs. */
#include <stdlib.h>
#include <string.h>

#include "mmcalc/builtin.h"
#include "mmcalc/format.h"
#include "session_int.h"

const mm_userfn *mm_sx_find_fn(void *ctx, const char *name)
{
	mm_session *s = ctx;
	for (int k = 0; k < s->nfns; k++)
		if (strcmp(s->fns[k].name, name) == 0)
			return &s->fns[k];
	return NULL;
}

static void fn_free(mm_userfn *f)
{
	free(f->name);
	for (int k = 0; k < f->nparams; k++)
		free(f->params[k]);
	free(f->params);
	free(f->body);
}

void mm_sx_free_fns(mm_session *s)
{
	for (int k = 0; k < s->nfns; k++)
		fn_free(&s->fns[k]);
	free(s->fns);
	s->fns = NULL;
	s->nfns = 0;
	mm_buf_free(&s->pending);
	free(s->pending_file);
}

/* st's function as a new mm_userfn; false when out of memory. */
static bool make(mm_userfn *f, const mm_stmtctx *c, const mm_stmt *st)
{
	memset(f, 0, sizeof *f);
	f->name = strdup(st->name);
	f->params = calloc((size_t)(st->nwords ? st->nwords : 1), sizeof *f->params);
	f->body_len = st->args.end - st->args.start;
	f->body = malloc(f->body_len + 1);
	f->block = st->block;
	if (!f->name || !f->params || !f->body) {
		fn_free(f);
		return false;
	}
	memcpy(f->body, c->src + st->args.start, f->body_len);
	f->body[f->body_len] = '\0';
	for (; f->nparams < st->nwords; f->nparams++)
		if (!(f->params[f->nparams] = strdup(st->words[f->nparams].text))) {
			fn_free(f);
			return false;
		}
	return true;
}

int mm_sx_define(mm_stmtctx *c, const mm_stmt *st)
{
	mm_session *s = c->s;
	if (mm_builtin_find(st->name))
		return mm_sx_error_at(c, MM_ERR_NAME, st->name_span,
		                      "choose another name: f, block, mlp, ...",
		                      "%s is a built-in function", st->name);
	for (int k = 0; k < st->nwords; k++)
		if (mm_builtin_find(st->words[k].text))
			return mm_sx_error_at(c, MM_ERR_NAME, st->words[k].span, NULL,
			                      "a parameter cannot be named %s (a "
			                      "built-in function)", st->words[k].text);
	mm_userfn f;
	if (!make(&f, c, st))
		return mm_sx_error_at(c, MM_ERR_NOMEM, st->span, NULL, "out of memory");
	mm_userfn *old = (mm_userfn *)mm_sx_find_fn(s, st->name);
	if (old) {
		fn_free(old);
		*old = f;
	} else {
		mm_userfn *t = realloc(s->fns, sizeof *t * (size_t)(s->nfns + 1));
		if (!t) {
			fn_free(&f);
			return mm_sx_error_at(c, MM_ERR_NOMEM, st->span, NULL,
			                      "out of memory");
		}
		s->fns = t;
		s->fns[s->nfns++] = f;
	}
	mm_buf *b = &s->text;
	mm_buf_printf(b, "%s %s(", old ? "redefined" : "defined", st->name);
	for (int k = 0; k < st->nwords; k++)
		mm_buf_printf(b, k ? ", %s" : "%s", st->words[k].text);
	mm_buf_puts(b, ")\n");
	if (s->json) {
		mm_buf_printf(&s->jbuf, "{\"line\":%ld,\"kind\":\"def\",\"name\":",
		              c->line);
		mm_format_json_string(&s->jbuf, st->name);
		mm_buf_puts(&s->jbuf, ",\"params\":[");
		for (int k = 0; k < st->nwords; k++) {
			if (k)
				mm_buf_putc(&s->jbuf, ',');
			mm_format_json_string(&s->jbuf, st->words[k].text);
		}
		mm_buf_puts(&s->jbuf, "]}");
	}
	mm_sx_emit(c, MM_R_TEXT);
	return 0;
}

/* ---- block definitions over several lines ---- */

/* How much a line opens braces (minus those it closes), outside strings
 * and comments, and where its comment starts (len when none). */
static int depth_of(const char *src, size_t len, size_t *comment)
{
	int d = 0;
	bool str = false;
	*comment = len;
	for (size_t i = 0; i < len; i++) {
		char ch = src[i];
		if (str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				str = false;
		} else if (ch == '"') {
			str = true;
		} else if (ch == '#') {
			*comment = i;
			break;
		} else {
			d += (ch == '{') - (ch == '}');
		}
	}
	return d;
}

/* Whether a line starts a definition: `def` first. */
static bool starts_def(const char *src, size_t len)
{
	size_t i = 0;
	while (i < len && (src[i] == ' ' || src[i] == '\t'))
		i++;
	return len - i > 4 && memcmp(src + i, "def", 3) == 0 &&
	       (src[i + 3] == ' ' || src[i + 3] == '\t');
}

#define PENDING_MAX ((size_t)1 << 20)

int mm_sx_gather(mm_session *s, const char *file, long line, const char *src,
                 size_t len, const char **out, size_t *out_len)
{
	size_t comment;
	/* most lines are no definition: tell them apart by their start */
	if (!s->pending.len && !starts_def(src, len))
		return 0;
	int d = depth_of(src, len, &comment);
	if (!s->pending.len && d <= 0)
		return 0;
	if (!s->pending.len) {
		free(s->pending_file);
		s->pending_file = strdup(file ? file : "");
		s->pending_line = line;
		s->pending_depth = 0;
	} else {
		mm_buf_puts(&s->pending, "; "); /* a line ends a statement */
	}
	mm_buf_add(&s->pending, src, comment);
	s->pending_depth += d;
	if (s->pending.failed || s->pending.len > PENDING_MAX) {
		mm_buf_reset(&s->pending);
		return -1;
	}
	if (s->pending_depth > 0)
		return 1;
	*out = mm_buf_str(&s->pending);
	*out_len = s->pending.len;
	return 2;
}

bool mm_session_pending(const mm_session *s) { return s->pending.len > 0; }

void mm_session_discard(mm_session *s) { mm_buf_reset(&s->pending); }
