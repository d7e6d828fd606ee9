/* parse.c — the Pratt parser. One table gives every binary operator its
 * binding power; prefix and postfix forms are handled around it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/command.h"
#include "mmcalc/parse.h"
#include "parse_int.h"


static const struct {
	mm_tok tok;
	mm_bin op;
	int bp;
	bool right;
} binops[] = {
	{MM_T_PLUS, MM_B_ADD, BP_ADD, false},
	{MM_T_MINUS, MM_B_SUB, BP_ADD, false},
	{MM_T_AT, MM_B_MATMUL, BP_MUL, false},
	{MM_T_STAR, MM_B_MUL, BP_MUL, false},
	{MM_T_SLASH, MM_B_DIV, BP_MUL, false},
	{MM_T_PERCENT, MM_B_MOD, BP_MUL, false},
	{MM_T_POW, MM_B_POW, BP_POW, true},
};

const char *mm_bin_name(mm_bin op)
{
	static const char *const names[] = {"+", "-", "@", "*", "/", "%", "**"};
	return (unsigned)op < 7 ? names[op] : "?";
}


void mm_p_advance(mm_parser *p)
{
	if (p->failed)
		return;
	p->tok = mm_lex_next(&p->lx, p->diag);
	if (p->tok.kind == MM_T_ERROR)
		p->failed = true;
}

void mm_parse_init(mm_parser *p, const char *src, size_t len,
                   mm_arena *arena)
{
	memset(p, 0, sizeof *p);
	mm_lex_init(&p->lx, src, len);
	p->arena = arena;
}

mm_span mm_p_span(uint32_t start, uint32_t end)
{
	mm_span s = {start, end};
	return s;
}

/* Reports a syntax error at the current token, unless one is reported. */
mm_node *mm_p_fail(mm_parser *p, mm_span at, const char *msg,
                     const char *hint)
{
	if (p->failed)
		return NULL;
	p->failed = true;
	mm_diag_set(p->diag, MM_ERR_SYNTAX, at, "%s", msg);
	if (hint)
		mm_diag_hint(p->diag, "%s", hint);
	return NULL;
}

mm_node *mm_p_expected(mm_parser *p, const char *what)
{
	char msg[160];
	snprintf(msg, sizeof msg, "expected %s, found %s", what,
	         mm_tok_name(p->tok.kind));
	return mm_p_fail(p, p->tok.span, msg, NULL);
}

mm_node *mm_p_oom(mm_parser *p)
{
	if (!p->failed) {
		p->failed = true;
		mm_diag_set(p->diag, MM_ERR_NOMEM, p->tok.span,
		            "out of memory while parsing");
	}
	return NULL;
}

/* Records that child hangs under parent; false (and an error) when the
 * tree grows too tall. */
static bool taller(mm_parser *p, mm_node *parent, const mm_node *child)
{
	if (!child)
		return true;
	if (child->height + 1 > parent->height)
		parent->height = child->height + 1;
	if (parent->height > MM_PARSE_MAX_HEIGHT && !p->failed) {
		p->failed = true;
		mm_diag_set(p->diag, MM_ERR_LIMIT, parent->span,
		            "expression too long (more than %d operations in a chain)",
		            MM_PARSE_MAX_HEIGHT);
		mm_diag_hint(p->diag, "split it with variables: t = ...; t @ ...");
	}
	return !p->failed;
}

static mm_node *node(mm_parser *p, mm_node_kind kind, mm_span s)
{
	mm_node *n = mm_arena_alloc(p->arena, sizeof *n);
	if (!n)
		return mm_p_oom(p);
	n->kind = kind;
	n->span = s;
	n->op_span = s;
	return n;
}

mm_node *mm_p_node(mm_parser *p, mm_node_kind kind, mm_span s)
{
	return node(p, kind, s);
}

const char *mm_p_tok_text(mm_parser *p, mm_token t)
{
	const char *s = mm_arena_strndup(p->arena, p->lx.src + t.span.start,
	                                 t.span.end - t.span.start);
	if (!s)
		mm_p_oom(p);
	return s;
}

/* A growable array of node pointers while a list is parsed. */
typedef struct list {
	mm_node **items;
	const char **keys;
	int n, cap;
} list;

static bool push(mm_parser *p, list *l, mm_node *item, const char *key)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 4;
		mm_node **items = mm_arena_alloc(p->arena, sizeof *items * (size_t)cap);
		const char **keys = mm_arena_alloc(p->arena, sizeof *keys * (size_t)cap);
		if (!items || !keys)
			return mm_p_oom(p), false;
		if (l->n) {
			memcpy(items, l->items, sizeof *items * (size_t)l->n);
			memcpy(keys, l->keys, sizeof *keys * (size_t)l->n);
		}
		l->items = items;
		l->keys = keys;
		l->cap = cap;
	}
	l->items[l->n] = item;
	l->keys[l->n] = key;
	l->n++;
	return true;
}

static bool is_dim_sep(const mm_parser *p)
{
	if (p->tok.kind == MM_T_TIMES)
		return true;
	return p->tok.kind == MM_T_NAME &&
	       p->tok.span.end - p->tok.span.start == 1 &&
	       (p->lx.src[p->tok.span.start] == 'x' ||
	        p->lx.src[p->tok.span.start] == 'X');
}

bool mm_p_number_value(mm_parser *p, mm_token t, double *num, int64_t *ival,
                       bool *is_int)
{
	char buf[64];
	const char *src = p->lx.src + t.span.start;
	size_t n = t.span.end - t.span.start;
	/* Plain integers (most dims) need no copy and no strtod, and are
	 * exact up to 2^63 - 1, past what a double holds. */
	int64_t v = 0;
	size_t i = 0;
	for (; i < n && src[i] >= '0' && src[i] <= '9'; i++)
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, src[i] - '0', &v))
			break;
	if (i == n) {
		*num = (double)v;
		*ival = v;
		*is_int = true;
		return true;
	}
	if (n >= sizeof buf)
		return mm_p_fail(p, t.span, "number too long", NULL), false;
	memcpy(buf, src, n);
	buf[n] = '\0';
	*num = strtod(buf, NULL);
	if (isinf(*num))
		return mm_p_fail(p, t.span, "number out of range", NULL), false;
	/* 1e6 is a whole number; 1.0 and 1e30 are not exact integers */
	*is_int = !strchr(buf, '.') && *num == floor(*num) &&
	          fabs(*num) < 9223372036854775808.0;
	*ival = *is_int ? (int64_t)*num : 0;
	return true;
}

/* Whether the current token is an x between two operands: A x B. */
static bool x_between(const mm_parser *p)
{
	mm_lexer lx = p->lx;
	mm_diag d;
	mm_tok next = mm_lex_next(&lx, &d).kind;
	return is_dim_sep(p) && (next == MM_T_LPAREN || next == MM_T_NAME ||
	                         next == MM_T_LBRACK);
}

/* number := digits ['.' digits] [('e'|'E') ['+'|'-'] digits] */
static mm_node *number(mm_parser *p)
{
	mm_node *e = node(p, MM_N_NUMBER, p->tok.span);
	if (!e || !mm_p_number_value(p, p->tok, &e->number, &e->ival, &e->is_int))
		return NULL;
	mm_p_advance(p);
	return e;
}

/* string := '"' chars '"'   with \" \\ \n \t escapes */
static mm_node *string(mm_parser *p)
{
	mm_token t = p->tok;
	mm_node *e = node(p, MM_N_STRING, t.span);
	if (!e)
		return NULL;
	const char *s = p->lx.src + t.span.start + 1;
	size_t n = t.span.end - t.span.start - 2;
	char *out = mm_arena_alloc(p->arena, n + 1);
	if (!out)
		return mm_p_oom(p);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		out[k++] = c;
	}
	out[k] = '\0';
	e->str = out;
	e->str_len = k;
	mm_p_advance(p);
	return e;
}

/* paren := '(' ')' | '(' expr ')' | '(' dim (sep dim)+ ')' | '(' dim ',' ')'
 * sep   := 'x' | '×' | ',' */
static mm_node *paren(mm_parser *p)
{
	uint32_t start = p->tok.span.start;
	mm_p_advance(p);
	if (p->tok.kind == MM_T_RPAREN) {
		mm_node *e = node(p, MM_N_SHAPE, mm_p_span(start, p->tok.span.end));
		mm_p_advance(p);
		return e;
	}
	mm_node *first = mm_p_expr(p, BP_NONE);
	if (!first)
		return NULL;
	if (p->tok.kind == MM_T_RPAREN) {
		/* (expr) is grouping: the node keeps its own span, but the
		 * parentheses belong to the expression for messages. */
		first->span = mm_p_span(start, p->tok.span.end);
		mm_p_advance(p);
		return first;
	}
	if (p->tok.kind != MM_T_COMMA && !is_dim_sep(p))
		return mm_p_expected(p, "')', ',' or 'x' after a dimension");
	list dims = {0};
	if (!push(p, &dims, first, NULL))
		return NULL;
	bool comma = p->tok.kind == MM_T_COMMA;
	while (p->tok.kind == MM_T_COMMA || is_dim_sep(p)) {
		if ((p->tok.kind == MM_T_COMMA) != comma)
			return mm_p_fail(p, p->tok.span,
			            "mixed dimension separators in a shape",
			            "write (2, 3, 4) or (2 x 3 x 4)");
		mm_p_advance(p);
		if (comma && p->tok.kind == MM_T_RPAREN && dims.n == 1)
			break; /* (3,) */
		if (p->tok.kind == MM_T_RPAREN || p->tok.kind == MM_T_EOF)
			return mm_p_expected(p, "a dimension");
		mm_node *d = mm_p_expr(p, BP_NONE);
		if (!d)
			return NULL;
		if (!push(p, &dims, d, NULL))
			return NULL;
	}
	if (p->tok.kind != MM_T_RPAREN)
		return mm_p_expected(p, comma ? "',' or ')' in a shape"
		                         : "'x' or ')' in a shape");
	mm_node *e = node(p, MM_N_SHAPE, mm_p_span(start, p->tok.span.end));
	if (!e)
		return NULL;
	e->items = dims.items;
	e->n = dims.n;
	for (int k = 0; k < e->n; k++)
		if (!taller(p, e, e->items[k]))
			return NULL;
	mm_p_advance(p);
	return e;
}

/* matrix := '[' [expr (',' expr)* [',']] ']' */
static mm_node *matrix(mm_parser *p)
{
	uint32_t start = p->tok.span.start;
	mm_p_advance(p);
	bool packed;
	mm_node *row = mm_p_packed_row(p, start, &packed);
	if (packed || p->failed)
		return row;
	list items = {0};
	while (p->tok.kind != MM_T_RBRACK) {
		mm_node *e = mm_p_expr(p, BP_NONE);
		if (!e)
			return NULL;
		if (!push(p, &items, e, NULL))
			return NULL;
		if (p->tok.kind == MM_T_COMMA)
			mm_p_advance(p);
		else if (p->tok.kind != MM_T_RBRACK)
			return mm_p_expected(p, "',' or ']' in a matrix");
	}
	mm_node *e = node(p, MM_N_MATRIX, mm_p_span(start, p->tok.span.end));
	if (!e)
		return NULL;
	e->items = items.items;
	e->n = items.n;
	for (int k = 0; k < e->n; k++)
		if (!taller(p, e, e->items[k]))
			return NULL;
	mm_p_advance(p);
	return e;
}

/* primary := NUMBER | NAME | STRING | '?' | paren | matrix
 *          | ('-' | '+') mm_p_expr(BP_UNARY) */
static mm_node *primary(mm_parser *p)
{
	mm_token t = p->tok;
	mm_node *e;
	switch (t.kind) {
	case MM_T_NUMBER:
		return number(p);
	case MM_T_STRING:
		return string(p);
	case MM_T_NAME:
		e = node(p, MM_N_NAME, t.span);
		if (e && !(e->name = mm_p_tok_text(p, t)))
			return NULL;
		mm_p_advance(p);
		return e;
	case MM_T_HOLE:
		e = node(p, MM_N_HOLE, t.span);
		mm_p_advance(p);
		return e;
	case MM_T_LPAREN:
		return paren(p);
	case MM_T_LBRACK:
		return matrix(p);
	case MM_T_MINUS:
	case MM_T_PLUS: {
		mm_p_advance(p);
		mm_node *operand = mm_p_expr(p, BP_UNARY);
		if (!operand)
			return NULL;
		e = node(p, t.kind == MM_T_MINUS ? MM_N_NEG : MM_N_PLUS,
		         mm_p_span(t.span.start, operand->span.end));
		if (e) {
			e->lhs = operand;
			e->op_span = t.span;
			if (!taller(p, e, operand))
				return NULL;
		}
		return e;
	}
	case MM_T_TIMES:
		return mm_p_fail(p, t.span, "a dimension separator outside a shape",
		            "shapes are written in parentheses: (1024x4096)");
	case MM_T_EOF:
		return mm_p_expected(p, "an expression");
	default:
		if (t.kind == MM_T_RPAREN || t.kind == MM_T_RBRACK)
			return mm_p_fail(p, t.span, t.kind == MM_T_RPAREN
			                           ? "unmatched ')'"
			                           : "unmatched ']'",
			            NULL);
		return mm_p_expected(p, "an expression");
	}
}

/* call := NAME '(' [arg (',' arg)*] ')' ; arg := [NAME '='] expr */
static mm_node *call(mm_parser *p, mm_node *callee)
{
	mm_p_advance(p); /* ( */
	list args = {0};
	while (p->tok.kind != MM_T_RPAREN) {
		const char *key = NULL;
		if (p->tok.kind == MM_T_NAME) {
			/* Look one token ahead for `key=` without consuming. */
			mm_lexer save = p->lx;
			mm_diag scratch;
			mm_token next = mm_lex_next(&p->lx, &scratch);
			p->lx = save;
			if (next.kind == MM_T_ASSIGN) {
				key = mm_p_tok_text(p, p->tok);
				if (!key)
					return NULL;
				mm_p_advance(p);
				mm_p_advance(p);
			}
		}
		mm_node *a = mm_p_expr(p, BP_NONE);
		if (!a)
			return NULL;
		if (!push(p, &args, a, key))
			return NULL;
		if (p->tok.kind == MM_T_COMMA)
			mm_p_advance(p);
		else if (p->tok.kind != MM_T_RPAREN)
			return mm_p_expected(p, "',' or ')' after an argument");
	}
	mm_node *e = node(p, MM_N_CALL, mm_p_span(callee->span.start, p->tok.span.end));
	if (!e)
		return NULL;
	e->name = callee->name;
	e->op_span = callee->span;
	e->items = args.items;
	e->keys = args.keys;
	e->n = args.n;
	for (int k = 0; k < e->n; k++)
		if (!taller(p, e, e->items[k]))
			return NULL;
	mm_p_advance(p);
	return e;
}

/* Parses an optional expression of a slice bound: absent before ':', ','
 * or ']'. */
static bool slice_part(mm_parser *p, mm_node **out)
{
	*out = NULL;
	if (p->tok.kind == MM_T_COLON || p->tok.kind == MM_T_COMMA ||
	    p->tok.kind == MM_T_RBRACK)
		return true;
	*out = mm_p_expr(p, BP_NONE);
	return *out != NULL;
}

/* index := expr '[' item (',' item)* ']' ; item := expr | [e] ':' [e] [':' [e]] */
static mm_node *index_(mm_parser *p, mm_node *base)
{
	mm_p_advance(p); /* [ */
	list items = {0};
	do {
		if (items.n > 0)
			mm_p_advance(p); /* , */
		uint32_t start = p->tok.span.start;
		mm_node *lo;
		if (!slice_part(p, &lo))
			return NULL;
		if (p->tok.kind == MM_T_COLON) {
			mm_node *s = node(p, MM_N_SLICE, p->tok.span);
			if (!s)
				return NULL;
			s->slice[0] = lo;
			mm_p_advance(p);
			if (!slice_part(p, &s->slice[1]))
				return NULL;
			if (p->tok.kind == MM_T_COLON) {
				mm_p_advance(p);
				if (!slice_part(p, &s->slice[2]))
					return NULL;
			}
			s->span = mm_p_span(start, p->tok.span.start);
			for (int k = 0; k < 3; k++)
				if (!taller(p, s, s->slice[k]))
					return NULL;
			lo = s;
		} else if (!lo) {
			return mm_p_expected(p, "an index or a slice");
		}
		if (!push(p, &items, lo, NULL))
			return NULL;
	} while (p->tok.kind == MM_T_COMMA);
	if (p->tok.kind != MM_T_RBRACK)
		return mm_p_expected(p, "',' or ']' after an index");
	mm_node *e = node(p, MM_N_INDEX, mm_p_span(base->span.start, p->tok.span.end));
	if (!e)
		return NULL;
	e->lhs = base;
	e->items = items.items;
	e->n = items.n;
	if (!taller(p, e, base))
		return NULL;
	for (int k = 0; k < e->n; k++)
		if (!taller(p, e, e->items[k]))
			return NULL;
	e->op_span = mm_p_span(base->span.end, p->tok.span.end);
	mm_p_advance(p);
	return e;
}

/* postfix := primary ( '.T' | "'" | '(' args ')' | '[' items ']' )* */
static mm_node *postfix(mm_parser *p, mm_node *e)
{
	while (e && !p->failed) {
		mm_token t = p->tok;
		if (t.kind == MM_T_DOT_T || t.kind == MM_T_QUOTE) {
			mm_node *tr = node(p, MM_N_TRANSPOSE,
			                   mm_p_span(e->span.start, t.span.end));
			if (!tr)
				return NULL;
			tr->lhs = e;
			tr->op_span = t.span;
			if (!taller(p, tr, e))
				return NULL;
			mm_p_advance(p);
			e = tr;
		} else if (t.kind == MM_T_LPAREN && e->kind == MM_N_NAME) {
			e = call(p, e);
		} else if (t.kind == MM_T_LBRACK) {
			e = index_(p, e);
		} else {
			break;
		}
	}
	return e;
}

/* expr := prefix-or-primary postfix* (binop expr)*   (precedence climbing) */
mm_node *mm_p_expr(mm_parser *p, int min_bp)
{
	if (p->failed)
		return NULL;
	if (++p->depth > MM_PARSE_MAX_DEPTH) {
		p->failed = true;
		mm_diag_set(p->diag, MM_ERR_LIMIT, p->tok.span,
		            "expression nested too deeply (more than %d levels)",
		            MM_PARSE_MAX_DEPTH);
		return NULL;
	}
	mm_node *lhs = postfix(p, primary(p));
	while (lhs && !p->failed) {
		size_t i;
		for (i = 0; i < sizeof binops / sizeof binops[0]; i++)
			if (binops[i].tok == p->tok.kind)
				break;
		if (i == sizeof binops / sizeof binops[0])
			break;
		int bp = binops[i].bp;
		if (bp <= min_bp)
			break;
		mm_span op = p->tok.span;
		mm_p_advance(p);
		mm_node *rhs = mm_p_expr(p, binops[i].right ? bp - 1 : bp);
		if (!rhs)
			return NULL;
		mm_node *b = node(p, MM_N_BINARY, mm_p_span(lhs->span.start, rhs->span.end));
		if (!b)
			return NULL;
		b->op = binops[i].op;
		b->op_span = op;
		b->lhs = lhs;
		b->rhs = rhs;
		if (!taller(p, b, lhs) || !taller(p, b, rhs))
			return NULL;
		lhs = b;
	}
	p->depth--;
	return p->failed ? NULL : lhs;
}

/* Skips to just after the next ';' (or to the end) after an error. */
static void recover(mm_parser *p)
{
	const char *s = p->lx.src;
	size_t i = p->tok.kind == MM_T_SEMI ? p->tok.span.end : p->lx.pos;
	if (p->tok.kind == MM_T_SEMI) {
		p->lx.pos = i;
		return;
	}
	/* Scan bytes: the error may have been a bad token. Strings are
	 * skipped so that a ';' inside one does not end the statement. */
	bool in_str = false;
	for (; i < p->lx.len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"' || s[i] == '\n')
				in_str = false;
		} else if (s[i] == '"') {
			in_str = true;
		} else if (s[i] == '#') {
			while (i < p->lx.len && s[i] != '\n')
				i++;
			i--;
		} else if (s[i] == ';') {
			i++;
			break;
		}
	}
	p->lx.pos = i > p->lx.len ? p->lx.len : i;
}

/* The end of a command's words from i: the first ';' or newline outside
 * a string, or a '#' after a blank (a comment). */
static size_t words_end(const mm_parser *p, size_t i)
{
	const char *s = p->lx.src;
	bool in_str = false;
	for (; i < p->lx.len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\' && i + 1 < p->lx.len) /* never past the line */
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == ';' || c == '\n')
			break;
		else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
			break;
	}
	return i;
}

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* words := WORD* over src[a, b): split at blanks, a "quoted" part keeping
 * its blanks and its quotes. */
static bool split_words(mm_parser *p, mm_stmt *out, size_t a, size_t b)
{
	const char *s = p->lx.src;
	int cap = 0;
	while (a < b) {
		while (a < b && blank(s[a]))
			a++;
		if (a == b)
			break;
		size_t e = a;
		bool in_str = false;
		for (; e < b && (in_str || !blank(s[e])); e++) {
			if (in_str && s[e] == '\\' && e + 1 < b)
				e++;
			else if (s[e] == '"')
				in_str = !in_str;
		}
		if (out->nwords == cap) {
			cap = cap ? cap * 2 : 4;
			mm_word *w = mm_arena_alloc(p->arena, sizeof *w * (size_t)cap);
			if (!w)
				return mm_p_oom(p), false;
			if (out->nwords)
				memcpy(w, out->words, sizeof *w * (size_t)out->nwords);
			out->words = w;
		}
		mm_word *w = &out->words[out->nwords++];
		w->span = mm_p_span((uint32_t)a, (uint32_t)e);
		if (!(w->text = mm_arena_strndup(p->arena, s + a, e - a)))
			return mm_p_oom(p), false;
		a = e;
	}
	return true;
}

/* The rest of a command read as words, up to the end of the statement. */
static int command_words(mm_parser *p, mm_stmt *out, uint32_t start)
{
	const char *s = p->lx.src;
	size_t end = words_end(p, out->name_span.end);
	size_t a = out->name_span.end, b = end;
	while (a < end && blank(s[a]))
		a++;
	while (b > a && blank(s[b - 1]))
		b--;
	out->args = mm_p_span((uint32_t)a, (uint32_t)b);
	out->span = mm_p_span(start, (uint32_t)b);
	if (!split_words(p, out, a, b))
		return -1;
	/* Skip the comment, if any, and the ';' that ended the command. */
	size_t i = end;
	while (i < p->lx.len && s[i] != ';' && s[i] != '\n')
		i++;
	if (i < p->lx.len)
		i++;
	p->lx.pos = i;
	return 1;
}

static bool where(mm_parser *p, mm_stmt *out);


/* True when the current token is a NAME followed by '='. */
static bool at_assign(mm_parser *p)
{
	if (p->tok.kind != MM_T_NAME)
		return false;
	mm_lexer save = p->lx;
	mm_diag scratch;
	mm_token next = mm_lex_next(&p->lx, &scratch);
	p->lx = save;
	return next.kind == MM_T_ASSIGN;
}

/* flag := NAME '=' expr */
static bool flag(mm_parser *p, mm_stmt *out, int *cap)
{
	if (out->nflags == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		mm_flag *f = mm_arena_alloc(p->arena, sizeof *f * (size_t)*cap);
		if (!f)
			return mm_p_oom(p), false;
		if (out->nflags)
			memcpy(f, out->flags, sizeof *f * (size_t)out->nflags);
		out->flags = f;
	}
	mm_flag *f = &out->flags[out->nflags++];
	uint32_t start = p->tok.span.start;
	if (!(f->key = mm_p_tok_text(p, p->tok)))
		return false;
	mm_p_advance(p);
	mm_p_advance(p);
	if (!(f->value = mm_p_expr(p, BP_NONE)))
		return false;
	f->span = mm_p_span(start, f->value->span.end);
	return true;
}

/* cmdexpr := expr [NUMBER] ('where' bindings | NAME '=' expr)* */
static int command_expr(mm_parser *p, mm_stmt *out, uint32_t start,
                        bool count)
{
	mm_p_advance(p);
	if (p->tok.kind == MM_T_SEMI || p->tok.kind == MM_T_EOF) {
		p->failed = true;
		mm_diag_set(p->diag, MM_ERR_ARG, out->name_span,
		            ":%s needs an expression", out->name);
		return -1;
	}
	uint32_t a = p->tok.span.start, b;
	if (!(out->expr = mm_p_expr(p, BP_NONE)))
		return -1;
	b = out->expr->span.end;
	if (count && p->tok.kind == MM_T_NUMBER) {
		mm_node *n = mm_p_expr(p, BP_POSTFIX); /* the number alone */
		if (!n)
			return -1;
		if (!n->is_int && n->number != floor(n->number)) {
			mm_p_fail(p, n->span, "a run count is a whole number", NULL);
			return -1;
		}
		out->has_count = true;
		/* exact, or past 2^63; the command checks the range */
		out->count = n->is_int ? n->ival : INT64_MAX;
		out->count_span = n->span;
		b = n->span.end;
	}
	int cap = 0;
	while (!p->failed) {
		if (mm_p_is_word(p, "where") && out->nwhere == 0) {
			if (!where(p, out))
				return -1;
			b = out->where[out->nwhere - 1].expr->span.end;
		} else if (at_assign(p)) {
			if (!flag(p, out, &cap))
				return -1;
			b = out->flags[out->nflags - 1].span.end;
		} else {
			break;
		}
	}
	if (p->failed)
		return -1;
	if (p->tok.kind != MM_T_SEMI && p->tok.kind != MM_T_EOF) {
		mm_p_expected(p, "an operator, 'where', an option (key=value) or the end "
		            "of the command");
		return -1;
	}
	out->args = mm_p_span(a, b);
	out->span = mm_p_span(start, b);
	return 1;
}

/* command := ':' NAME args — the arguments as the command's row says:
 * words (an unknown command's too) or an expression. */
static int command(mm_parser *p, mm_stmt *out)
{
	uint32_t start = p->tok.span.start;
	mm_p_advance(p);
	if (p->tok.kind != MM_T_NAME) {
		mm_p_expected(p, "a command name after ':'");
		return -1;
	}
	out->kind = MM_S_COMMAND;
	out->name = mm_p_tok_text(p, p->tok);
	if (!out->name)
		return -1;
	out->name_span = p->tok.span;
	out->cmd = mm_command_find(out->name);
	if (out->cmd && (out->cmd->args == MM_ARGS_EXPR ||
	                 out->cmd->args == MM_ARGS_EXPR_N))
		return command_expr(p, out, start,
		                    out->cmd->args == MM_ARGS_EXPR_N);
	return command_words(p, out, start);
}

/* where := 'where' NAME '=' expr (',' NAME '=' expr)* */
static bool where(mm_parser *p, mm_stmt *out)
{
	int cap = 0;
	mm_p_advance(p);
	if (p->tok.kind == MM_T_LPAREN) { /* where(c, a, b) after a value */
		mm_p_fail(p, p->tok.span, "expected a name to bind after 'where', "
		     "found '('",
		     "after a value 'where' binds names (EXPR where n = 2); the "
		     "function where(cond, a, b) needs an operator before it");
		return false;
	}
	for (;;) {
		if (p->tok.kind != MM_T_NAME) {
			mm_p_expected(p, "a name to bind after 'where'");
			return false;
		}
		if (out->nwhere == cap) {
			cap = cap ? cap * 2 : 4;
			mm_binding *w = mm_arena_alloc(p->arena, sizeof *w * (size_t)cap);
			if (!w)
				return mm_p_oom(p), false;
			if (out->nwhere)
				memcpy(w, out->where, sizeof *w * (size_t)out->nwhere);
			out->where = w;
		}
		mm_binding *b = &out->where[out->nwhere++];
		b->name = mm_p_tok_text(p, p->tok);
		b->span = p->tok.span;
		mm_p_advance(p);
		if (p->tok.kind != MM_T_ASSIGN) {
			mm_p_expected(p, "'=' in a 'where' binding");
			return false;
		}
		mm_p_advance(p);
		if (!(b->expr = mm_p_expr(p, BP_NONE)))
			return false;
		if (p->tok.kind != MM_T_COMMA)
			return true;
		mm_p_advance(p);
	}
}

bool mm_p_is_word(const mm_parser *p, const char *w)
{
	size_t n = strlen(w);
	return p->tok.kind == MM_T_NAME &&
	       p->tok.span.end - p->tok.span.start == n &&
	       memcmp(p->lx.src + p->tok.span.start, w, n) == 0;
}

/* statement := NAME '=' expr tail | expr ['=' expr] tail | ':' command
 * tail      := ['where' bindings] ['->' UNIT] */
static int statement(mm_parser *p, mm_stmt *out)
{
	memset(out, 0, sizeof *out);
	if (p->tok.kind == MM_T_COLON)
		return command(p, out);
	uint32_t start = p->tok.span.start;
	out->kind = MM_S_EXPR;
	if (mm_p_is_word(p, "def")) {
		mm_lexer save = p->lx;
		mm_diag scratch;
		mm_token next = mm_lex_next(&p->lx, &scratch);
		p->lx = save;
		if (next.kind == MM_T_NAME) {
			int r = mm_p_definition(p, out);
			if (r < 0) { /* its body has ';'s: skip all of it */
				p->lx.pos = p->lx.len;
				p->tok.kind = MM_T_EOF;
			}
			return r;
		}
	}
	if (p->tok.kind == MM_T_NAME) {
		mm_lexer save = p->lx;
		mm_diag scratch;
		mm_token next = mm_lex_next(&p->lx, &scratch);
		p->lx = save;
		if (next.kind == MM_T_ASSIGN) {
			out->kind = MM_S_ASSIGN;
			out->name = mm_p_tok_text(p, p->tok);
			out->name_span = p->tok.span;
			mm_p_advance(p);
			mm_p_advance(p);
		}
	}
	out->expr = mm_p_expr(p, BP_NONE);
	if (!out->expr)
		return -1;
	if (p->tok.kind == MM_T_ASSIGN && out->kind == MM_S_EXPR) {
		mm_p_advance(p);
		out->kind = MM_S_EQUATION;
		if (!(out->rhs = mm_p_expr(p, BP_NONE)))
			return -1;
	}
	if (mm_p_is_word(p, "where") && !where(p, out))
		return -1;
	if (p->tok.kind == MM_T_ARROW) {
		mm_p_advance(p);
		if (p->tok.kind != MM_T_NAME) {
			mm_p_expected(p, "a unit after '->' (GFLOP, MiB, ms, ...)");
			return -1;
		}
		/* unit := NAME ['/' NAME]   (TFLOP/s, GB/s) */
		out->unit_span = p->tok.span;
		mm_p_advance(p);
		if (p->tok.kind == MM_T_SLASH) {
			mm_p_advance(p);
			if (p->tok.kind != MM_T_NAME) {
				mm_p_expected(p, "a unit after '/' (s)");
				return -1;
			}
			out->unit_span.end = p->tok.span.end;
			mm_p_advance(p);
		}
		out->unit = mm_arena_strndup(p->arena, p->lx.src + out->unit_span.start,
		                             out->unit_span.end - out->unit_span.start);
		if (!out->unit)
			return mm_p_oom(p), -1;
	}
	if (p->failed)
		return -1;
	if (p->tok.kind != MM_T_SEMI && p->tok.kind != MM_T_EOF) {
		if (p->tok.kind == MM_T_RPAREN || p->tok.kind == MM_T_RBRACK)
			mm_p_fail(p, p->tok.span,
			     p->tok.kind == MM_T_RPAREN ? "unmatched ')'"
			                                : "unmatched ']'",
			     NULL);
		else if (p->tok.kind == MM_T_ASSIGN)
			mm_p_fail(p, p->tok.span, "unexpected '='",
			     "only a name can be assigned to: NAME = EXPR");
		else if (mm_p_expected(p, "an operator or the end of the "
		                          "statement") || x_between(p))
			mm_diag_hint(p->diag, "for a matrix product write @ in place "
			             "of x (x is for dims inside a shape: "
			             "(1024 x 4096))");
		return -1;
	}
	uint32_t end = out->expr->span.end;
	if (out->rhs)
		end = out->rhs->span.end;
	if (out->nwhere)
		end = out->where[out->nwhere - 1].expr->span.end;
	if (out->unit)
		end = out->unit_span.end;
	out->span = mm_p_span(start, end);
	return 1;
}

int mm_parse_next(mm_parser *p, mm_stmt *out, mm_diag *d)
{
	p->diag = d;
	p->failed = false;
	p->depth = 0;
	for (;;) {
		mm_p_advance(p);
		if (p->failed) {
			recover(p);
			return -1;
		}
		if (p->tok.kind == MM_T_EOF)
			return 0;
		if (p->tok.kind != MM_T_SEMI)
			break;
	}
	int r = statement(p, out);
	if (r < 0) {
		recover(p);
		return -1;
	}
	/* A statement parsed by tokens stops at its ';' (a command read as
	 * words has moved past it already). */
	bool by_words = out->kind == MM_S_COMMAND && !out->expr;
	if (!by_words && p->tok.kind == MM_T_SEMI)
		p->lx.pos = p->tok.span.end;
	return r;
}

mm_node *mm_parse_expr_text(const char *src, size_t len, size_t offset,
                            mm_arena *arena, mm_diag *d)
{
	mm_parser p;
	mm_parse_init(&p, src, len, arena);
	p.lx.pos = offset;
	p.diag = d;
	mm_p_advance(&p);
	if (p.failed)
		return NULL;
	mm_node *e = mm_p_expr(&p, BP_NONE);
	if (!e)
		return NULL;
	if (p.tok.kind != MM_T_EOF) {
		mm_p_expected(&p, "an operator or the end of the expression");
		return NULL;
	}
	return e;
}
