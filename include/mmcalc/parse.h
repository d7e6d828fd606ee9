/* parse.h — the Pratt parser: one line of text to statements and their
 * syntax trees. Every node and string of a statement is allocated from the
 * caller's arena and lives until the arena is reset; nodes point into no
 * other memory except `src`, which the caller keeps alive as long. */
#ifndef MMCALC_PARSE_H
#define MMCALC_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmcalc/arena.h"
#include "mmcalc/diag.h"
#include "mmcalc/lex.h"

typedef enum mm_node_kind {
	MM_N_NUMBER,    /* number */
	MM_N_NAME,      /* name */
	MM_N_STRING,    /* str (escapes resolved) */
	MM_N_SHAPE,     /* items: the dims; n may be 0: () */
	MM_N_MATRIX,    /* items: elements or nested matrices; or a long row
	                   of plain numbers packed: vals, nvals, n == 0 */
	MM_N_BINARY,    /* op, lhs, rhs */
	MM_N_NEG,       /* lhs: operand of unary minus */
	MM_N_PLUS,      /* lhs: operand of unary plus */
	MM_N_TRANSPOSE, /* lhs: operand of .T or ' */
	MM_N_CALL,      /* name, items: args, keys[i]: keyword or NULL */
	MM_N_INDEX,     /* lhs: indexed value, items: indices or slices */
	MM_N_SLICE,     /* start:stop:step in an index; each may be NULL */
	MM_N_HOLE       /* ? */
} mm_node_kind;

typedef enum mm_bin {
	MM_B_ADD, MM_B_SUB, MM_B_MATMUL, MM_B_MUL, MM_B_DIV, MM_B_MOD,
	MM_B_POW
} mm_bin;

struct mm_info; /* the checker's annotation, see check.h */

typedef struct mm_node mm_node;
struct mm_node {
	mm_node_kind kind;
	mm_span span;     /* the whole expression */
	mm_span op_span;  /* the operator or callee, for messages */
	mm_bin op;
	double number;
	bool is_int;      /* a number written without a fraction, and integral */
	int64_t ival;     /* NUMBER when is_int: its exact value */
	const char *name; /* NAME and CALL */
	const char *str;  /* STRING */
	size_t str_len;
	mm_node *lhs, *rhs;
	mm_node *slice[3];  /* SLICE: start, stop, step */
	mm_node **items;
	const char **keys;  /* CALL: keyword of each argument, or NULL */
	int n;              /* number of items */
	const double *vals; /* MATRIX packed: its numbers (n is 0) */
	int nvals;
	uint32_t height;    /* longest path to a leaf (leaves: 0) */
	struct mm_info *info;
};

typedef enum mm_stmt_kind {
	MM_S_EXPR,     /* expr */
	MM_S_ASSIGN,   /* name = expr */
	MM_S_EQUATION, /* expr = rhs (solving for a hole) */
	MM_S_COMMAND,  /* :name args */
	MM_S_DEF       /* def name(params) = expr | def name(params) { ... } */
} mm_stmt_kind;

/* One binding of a `where` clause: name = expr. */
typedef struct mm_binding {
	const char *name;
	mm_span span;
	mm_node *expr;
} mm_binding;

/* A word of a command's arguments (quotes kept), with its span. */
typedef struct mm_word {
	const char *text;
	mm_span span;
} mm_word;

/* An option after a command's expression: key=value (train=true). */
typedef struct mm_flag {
	const char *key;
	mm_span span;   /* the whole key=value */
	mm_node *value;
} mm_flag;

struct mm_command;

typedef struct mm_stmt {
	mm_stmt_kind kind;
	mm_span span;
	const char *name;   /* ASSIGN: the variable; COMMAND: the command */
	mm_span name_span;
	mm_node *expr;
	mm_node *rhs;       /* EQUATION */
	const char *unit;   /* `-> UNIT`, or NULL */
	mm_span unit_span;
	mm_binding *where;  /* `where n=1, d=2`, nwhere entries */
	int nwhere;
	mm_span args;       /* COMMAND: the argument text, trimmed */
	/* COMMAND: its row (NULL when unknown) and its arguments, read as the
	 * row says (command.h): words, or an expression (in expr, with
	 * `where` above) followed by a run count and key=value options. */
	const struct mm_command *cmd;
	mm_word *words;
	int nwords;
	mm_flag *flags;
	int nflags;
	bool has_count;
	int64_t count;
	mm_span count_span;
	/* DEF: its parameters (in words), and its body's text (in args): the
	 * expression after '=', or what is between the braces (block). */
	bool block;
} mm_stmt;

/* Nesting deeper than this is refused with MM_ERR_LIMIT. */
#define MM_PARSE_MAX_DEPTH 256
/* Trees taller than this (a chain of 500 operators, .T.T.T...) are
 * refused too, so that every walk over a tree may recurse: the checker
 * takes up to 12 KB of stack a level in sanitizer builds (6 KB in
 * release), and 1000 levels overflowed their 8 MB stack. */
#define MM_PARSE_MAX_HEIGHT 500

typedef struct mm_parser {
	mm_lexer lx;
	mm_token tok;   /* the current token */
	mm_arena *arena;
	mm_diag *diag;
	int depth;
	bool failed;
} mm_parser;

/* Starts parsing src (len bytes, kept alive by the caller). */
void mm_parse_init(mm_parser *p, const char *src, size_t len,
                   mm_arena *arena);

/* Parses the next statement of the line into *out. Returns 1 when a
 * statement was parsed, 0 at the end of the line, -1 on an error (d filled;
 * the parser has skipped to the next ';' so the caller may go on). Empty
 * statements (`;;`, comments) are skipped. */
int mm_parse_next(mm_parser *p, mm_stmt *out, mm_diag *d);

/* A whole expression from src[offset, len) (tests and tools). Returns
 * NULL with d filled on an error, or when src holds more. */
mm_node *mm_parse_expr_text(const char *src, size_t len, size_t offset,
                            mm_arena *arena, mm_diag *d);

/* The statements of a function's body: `S; S; ...; EXPR` in src[0,len)
 * (the text between its braces, as a def stored it), each `NAME = EXPR`
 * or, last, the expression it returns. Into a new arena array *out of *n
 * bindings (the last one's name NULL). Returns MM_OK, or an error with d
 * filled (its span into src). */
mm_code mm_parse_block(const char *src, size_t len, mm_arena *arena,
                       mm_binding **out, int *n, mm_diag *d);

/* The operator's spelling: "+", "@", "**". */
const char *mm_bin_name(mm_bin op);

#endif
