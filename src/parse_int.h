/* parse_int.h — what the parser's files share (parse.c: expressions and
 * statements; parse_def.c: function definitions). Not a public header. */
#ifndef MMCALC_PARSE_INT_H
#define MMCALC_PARSE_INT_H

#include "mmcalc/parse.h"

/* Binding powers, lowest to highest. */
enum {
	BP_NONE = 0,
	BP_ADD = 10,   /* + -        left */
	BP_MUL = 20,   /* @ * / %    left */
	BP_UNARY = 30, /* - +        prefix */
	BP_POW = 40,   /* ** ^       right */
	BP_POSTFIX = 50
};

/* Moves to the next token (errors go to the parser's diag). */
void mm_p_advance(mm_parser *p);
/* An expression binding tighter than min_bp; NULL after an error. */
mm_node *mm_p_expr(mm_parser *p, int min_bp);
/* Reports an error at `at` (hint may be NULL); returns NULL. */
mm_node *mm_p_fail(mm_parser *p, mm_span at, const char *msg,
                   const char *hint);
/* "expected WHAT, found ..." at the current token; returns NULL. */
mm_node *mm_p_expected(mm_parser *p, const char *what);
/* "out of memory"; returns NULL. */
mm_node *mm_p_oom(mm_parser *p);
/* The token's text, copied into the arena (NULL: out of memory). */
const char *mm_p_tok_text(mm_parser *p, mm_token t);
/* Whether the current token is the name w. */
bool mm_p_is_word(const mm_parser *p, const char *w);
mm_span mm_p_span(uint32_t start, uint32_t end);
/* A new node of the statement's arena; NULL (and the parser failed) when
 * out of memory. */
mm_node *mm_p_node(mm_parser *p, mm_node_kind kind, mm_span s);
/* The value of NUMBER token t: exact in *ival (and *is_int) for an
 * integer below 2^63. false after an error (too long, out of range). */
bool mm_p_number_value(mm_parser *p, mm_token t, double *num, int64_t *ival,
                       bool *is_int);

/* parse_matrix.c: a matrix row, the current token its first element (just
 * after '['), when it is long and holds only numbers: its node, values
 * packed, with *packed true (NULL and the parser failed after an error).
 * *packed false, NULL and nothing read: parse it element by element. */
mm_node *mm_p_packed_row(mm_parser *p, uint32_t start, bool *packed);

/* parse_def.c: def NAME(P, ...) = EXPR | def NAME(P, ...) { ... }, the
 * current token being `def`. Returns 1, or -1 after an error. */
int mm_p_definition(mm_parser *p, mm_stmt *out);

#endif
