/* lex.h — the lexer: source text to tokens with byte spans. It never
 * allocates; a token points into the caller's text. */
#ifndef MMCALC_LEX_H
#define MMCALC_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/diag.h"

typedef enum mm_tok {
	MM_T_EOF = 0,
	MM_T_NUMBER,  /* 12, 1.5, 1e6, .5 */
	MM_T_NAME,    /* identifiers, including the dim separator `x` */
	MM_T_STRING,  /* "text" (the span includes the quotes) */
	MM_T_LPAREN,
	MM_T_RPAREN,
	MM_T_LBRACK,
	MM_T_RBRACK,
	MM_T_COMMA,
	MM_T_SEMI,
	MM_T_COLON,
	MM_T_ASSIGN,  /* = */
	MM_T_PLUS,
	MM_T_MINUS,
	MM_T_AT,      /* @ */
	MM_T_STAR,
	MM_T_SLASH,
	MM_T_PERCENT,
	MM_T_POW,     /* ** or ^ */
	MM_T_DOT_T,   /* .T */
	MM_T_QUOTE,   /* ' (transpose) */
	MM_T_TIMES,   /* × between dims, or x right after a number: 1024x4096 */
	MM_T_HOLE,    /* ? */
	MM_T_ARROW,   /* -> */
	MM_T_LBRACE,  /* { (a function's body) */
	MM_T_RBRACE,  /* } */
	MM_T_ERROR    /* a character that starts no token; see the diag */
} mm_tok;

/* Two whole 8-byte words, with no padding: a token travels in two
 * registers and is stored and reloaded as two words, which the CPU
 * forwards from store to load. (A word read back across two smaller
 * stores, or across padding never stored, is not forwarded: that stall
 * on every token took a tenth of the time of a piped script.) */
typedef struct mm_token {
	mm_tok kind;
	uint32_t zero; /* always 0: fills kind's word */
	mm_span span;
} mm_token;

typedef struct mm_lexer {
	const char *src;
	size_t len;
	size_t pos;
} mm_lexer;

void mm_lex_init(mm_lexer *lx, const char *src, size_t len);

/* Scans the next token. Returns MM_T_ERROR with d filled for a character
 * that starts no token, an unterminated string or invalid UTF-8. Comments
 * (# to end of line) and white space are skipped. */
mm_token mm_lex_next(mm_lexer *lx, mm_diag *d);

/* A printable name for a token kind, for messages: "')'", "a number". */
const char *mm_tok_name(mm_tok kind);

#endif
