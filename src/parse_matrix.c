/* parse_matrix.c — long rows of plain numbers in a matrix literal, packed:
 * their values in one array, without a node (and the checker's annotation)
 * for each (a 2,000,000-element literal took 1.5 GB as nodes). */
#include <limits.h>

#include "parse_int.h"

/* Rows shorter than this keep a node per element: messages can point at
 * an element, and lists of axes or dims are read as nodes. */
#define PACK_MIN 64

/* Whether the element starting with token t (lx just after it) is plain:
 * a NUMBER, or '-' or '+' and a NUMBER, followed by ',' or ']' (*next). */
static bool plain(mm_lexer *lx, mm_token t, mm_token *next)
{
	mm_diag d;
	if (t.kind == MM_T_MINUS || t.kind == MM_T_PLUS)
		t = mm_lex_next(lx, &d);
	if (t.kind != MM_T_NUMBER)
		return false;
	*next = mm_lex_next(lx, &d);
	return next->kind == MM_T_COMMA || next->kind == MM_T_RBRACK;
}

/* The number of elements of the row from t (lx just after it) to its
 * ']' when every one is plain; -1 when one is not. Reads a copy. */
static long count_plain(mm_lexer lx, mm_token t)
{
	mm_diag d;
	long n = 0;
	mm_token next;
	while (t.kind != MM_T_RBRACK) {
		if (!plain(&lx, t, &next) || n == LONG_MAX)
			return -1;
		n++;
		if (next.kind == MM_T_RBRACK)
			break;
		t = mm_lex_next(&lx, &d);
	}
	return n;
}

mm_node *mm_p_packed_row(mm_parser *p, uint32_t start, bool *packed)
{
	*packed = false;
	long n = count_plain(p->lx, p->tok);
	if (n < PACK_MIN || n > INT_MAX)
		return NULL;
	*packed = true;
	double *vals = mm_arena_alloc(p->arena, sizeof *vals * (size_t)n);
	if (!vals)
		return mm_p_oom(p);
	for (long k = 0; k < n; k++) {
		bool neg = p->tok.kind == MM_T_MINUS;
		if (neg || p->tok.kind == MM_T_PLUS)
			mm_p_advance(p);
		int64_t ival;
		bool is_int;
		if (!mm_p_number_value(p, p->tok, &vals[k], &ival, &is_int))
			return NULL;
		if (neg)
			vals[k] = is_int ? (double)-ival : -vals[k];
		if (vals[k] == 0) /* as a short row's: numbers fold without -0 */
			vals[k] = 0;
		mm_p_advance(p); /* to ',' or ']' */
		if (p->tok.kind == MM_T_COMMA)
			mm_p_advance(p);
	}
	mm_node *e = mm_p_node(p, MM_N_MATRIX, mm_p_span(start, p->tok.span.end));
	if (!e)
		return NULL;
	e->vals = vals;
	e->nvals = (int)n;
	e->height = 1;
	mm_p_advance(p);
	return e;
}
