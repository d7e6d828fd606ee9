/* parse_def.c — function definitions: def NAME(P, ...) = EXPR, and the
 * block form def NAME(P, ...) { NAME = EXPR; ...; EXPR } whose body is
 * read again, from its text, at every call. */
#include <string.h>

#include "parse_int.h"

/* One statement of a body: NAME = EXPR, or EXPR; into *b. */
static bool inner(mm_parser *p, mm_binding *b)
{
	memset(b, 0, sizeof *b);
	uint32_t start = p->tok.span.start;
	if (p->tok.kind == MM_T_NAME) {
		mm_lexer save = p->lx;
		mm_diag scratch;
		mm_token next = mm_lex_next(&p->lx, &scratch);
		p->lx = save;
		if (next.kind == MM_T_ASSIGN) {
			if (!(b->name = mm_p_tok_text(p, p->tok)))
				return false;
			mm_p_advance(p);
			mm_p_advance(p);
		}
	}
	if (p->tok.kind == MM_T_COLON) {
		mm_p_fail(p, p->tok.span, "a command inside a function's body",
		          "a body holds assignments and expressions only");
		return false;
	}
	if (!(b->expr = mm_p_expr(p, BP_NONE)))
		return false;
	b->span = mm_p_span(start, b->expr->span.end);
	return true;
}

/* Statements until `end` (a '}' or the end of the text), separated by
 * ';'; the last one an expression. */
static bool body(mm_parser *p, mm_tok end, mm_binding **out, int *n)
{
	int cap = 0;
	*n = 0;
	*out = NULL;
	for (;;) {
		while (p->tok.kind == MM_T_SEMI)
			mm_p_advance(p);
		if (p->tok.kind == end || p->failed)
			break;
		if (*n == cap) {
			int nc = cap ? cap * 2 : 8;
			mm_binding *b = mm_arena_alloc(p->arena, sizeof *b * (size_t)nc);
			if (!b)
				return mm_p_oom(p), false;
			if (*n)
				memcpy(b, *out, sizeof *b * (size_t)*n);
			*out = b;
			cap = nc;
		}
		if (!inner(p, &(*out)[*n]))
			return false;
		++*n;
		if (p->tok.kind != MM_T_SEMI && p->tok.kind != end) {
			mm_p_expected(p, end == MM_T_RBRACE
			                     ? "';', a new line or '}' after a statement"
			                     : "';' or a new line after a statement");
			return false;
		}
	}
	if (p->failed)
		return false;
	if (*n == 0 || (*out)[*n - 1].name) {
		mm_p_fail(p, p->tok.span, "a function's body must end with the "
		          "expression it returns",
		          "def f(x) { h = x @ W; relu(h) }");
		return false;
	}
	return true;
}

int mm_p_definition(mm_parser *p, mm_stmt *out)
{
	uint32_t start = p->tok.span.start;
	mm_p_advance(p);
	if (p->tok.kind != MM_T_NAME) {
		mm_p_expected(p, "a function's name after 'def'");
		return -1;
	}
	out->kind = MM_S_DEF;
	out->name = mm_p_tok_text(p, p->tok);
	out->name_span = p->tok.span;
	mm_p_advance(p);
	if (p->tok.kind != MM_T_LPAREN) {
		mm_p_expected(p, "'(' and the parameters: def f(x, W) = x @ W");
		return -1;
	}
	mm_p_advance(p);
	int cap = 0;
	while (p->tok.kind != MM_T_RPAREN) {
		if (p->tok.kind != MM_T_NAME) {
			mm_p_expected(p, "a parameter's name");
			return -1;
		}
		if (out->nwords == 16) {
			mm_p_fail(p, p->tok.span, "a function takes at most 16 "
			          "parameters", "split it into smaller functions");
			return -1;
		}
		if (out->nwords == cap) {
			int nc = cap ? cap * 2 : 4;
			mm_word *w = mm_arena_alloc(p->arena, sizeof *w * (size_t)nc);
			if (!w)
				return mm_p_oom(p), -1;
			if (out->nwords)
				memcpy(w, out->words, sizeof *w * (size_t)out->nwords);
			out->words = w;
			cap = nc;
		}
		mm_word *w = &out->words[out->nwords++];
		w->text = mm_p_tok_text(p, p->tok);
		w->span = p->tok.span;
		for (int k = 0; k + 1 < out->nwords; k++)
			if (w->text && strcmp(out->words[k].text, w->text) == 0) {
				mm_p_fail(p, w->span, "a parameter named twice", NULL);
				return -1;
			}
		mm_p_advance(p);
		if (p->tok.kind == MM_T_COMMA)
			mm_p_advance(p);
		else if (p->tok.kind != MM_T_RPAREN) {
			mm_p_expected(p, "',' or ')' after a parameter");
			return -1;
		}
	}
	mm_p_advance(p);
	if (p->tok.kind == MM_T_ASSIGN) {
		mm_p_advance(p);
		uint32_t b = p->tok.span.start;
		if (!(out->expr = mm_p_expr(p, BP_NONE)))
			return -1;
		out->args = mm_p_span(b, out->expr->span.end);
	} else if (p->tok.kind == MM_T_LBRACE) {
		uint32_t b = p->tok.span.end;
		mm_p_advance(p);
		mm_binding *stmts;
		int n;
		if (!body(p, MM_T_RBRACE, &stmts, &n))
			return -1;
		if (p->tok.kind != MM_T_RBRACE) {
			mm_p_expected(p, "'}' at the end of the body");
			return -1;
		}
		out->args = mm_p_span(b, p->tok.span.start);
		out->block = true;
		out->expr = stmts[n - 1].expr;
		mm_p_advance(p);
	} else {
		mm_p_expected(p, "'=' and the body, or '{' and a block: "
		                 "def f(x) = x @ W");
		return -1;
	}
	if (p->failed)
		return -1;
	if (p->tok.kind != MM_T_SEMI && p->tok.kind != MM_T_EOF) {
		mm_p_expected(p, "the end of the definition");
		return -1;
	}
	out->span = mm_p_span(start, p->tok.kind == MM_T_SEMI
	                                 ? p->tok.span.start : (uint32_t)p->lx.len);
	return 1;
}

mm_code mm_parse_block(const char *src, size_t len, mm_arena *arena,
                       mm_binding **out, int *n, mm_diag *d)
{
	mm_parser p;
	mm_parse_init(&p, src, len, arena);
	p.diag = d;
	mm_p_advance(&p);
	if (!p.failed && body(&p, MM_T_EOF, out, n) && !p.failed)
		return MM_OK;
	return d->code ? d->code : MM_ERR_SYNTAX;
}
