/* lex.c — the lexer. Bytes outside ASCII are accepted only inside strings
 * and comments, and as the dimension separator × (U+00D7). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mmcalc/lex.h"

void mm_lex_init(mm_lexer *lx, const char *src, size_t len)
{
	lx->src = src;
	lx->len = len;
	lx->pos = 0;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }

static int peek(const mm_lexer *lx, size_t ahead)
{
	size_t i = lx->pos + ahead;
	return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

/* Length of a valid UTF-8 sequence at s (n bytes available), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t need;
	unsigned min;
	unsigned cp;
	if ((s[0] & 0xE0) == 0xC0) {
		need = 2, min = 0x80, cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		need = 3, min = 0x800, cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		need = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

/* The span as one 8-byte store (see mm_token in lex.h). */
static mm_token tok(mm_tok kind, size_t start, size_t end)
{
	uint64_t w = (uint64_t)(uint32_t)start | (uint64_t)(uint32_t)end << 32;
	mm_token t = {.kind = kind};
	memcpy(&t.span, &w, sizeof w);
	return t;
}

static mm_token error(mm_lexer *lx, mm_diag *d, size_t start, size_t end,
                      const char *msg, const char *hint)
{
	mm_diag_set(d, MM_ERR_SYNTAX, (mm_span){(uint32_t)start, (uint32_t)end},
	            "%s", msg);
	if (hint)
		mm_diag_hint(d, "%s", hint);
	lx->pos = end;
	return tok(MM_T_ERROR, start, end);
}

/* number := digits ['.' digits] [exp] | '.' digits [exp] */
static mm_token number(mm_lexer *lx)
{
	size_t start = lx->pos;
	while (is_digit(peek(lx, 0)))
		lx->pos++;
	if (peek(lx, 0) == '.' && !(peek(lx, 1) == 'T' && !is_alnum(peek(lx, 2)))) {
		lx->pos++;
		while (is_digit(peek(lx, 0)))
			lx->pos++;
	}
	if (peek(lx, 0) == 'e' || peek(lx, 0) == 'E') {
		size_t k = 1;
		if (peek(lx, k) == '+' || peek(lx, k) == '-')
			k++;
		if (is_digit(peek(lx, k))) {
			lx->pos += k;
			while (is_digit(peek(lx, 0)))
				lx->pos++;
		}
	}
	return tok(MM_T_NUMBER, start, lx->pos);
}

mm_token mm_lex_next(mm_lexer *lx, mm_diag *d)
{
	for (;;) {
		int c = peek(lx, 0);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
		    c == '\v') {
			lx->pos++;
		} else if (c == '#') {
			/* A comment runs to the end of the line; it may hold any
			 * bytes, since nothing in it is interpreted. */
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
	size_t start = lx->pos;
	int c = peek(lx, 0);
	if (c < 0)
		return tok(MM_T_EOF, start, start);

	if (is_digit(c) || (c == '.' && is_digit(peek(lx, 1)))) {
		return number(lx);
	}
	/* `1024x4096`, `1024X4096`: an x or X right after a number separates
	 * dims (a number directly followed by a name is otherwise never
	 * valid). A name eats every digit after it, so a digit before this x
	 * ended a number. */
	if ((c == 'x' || c == 'X') && start > 0 &&
	    (is_digit((unsigned char)lx->src[start - 1]) ||
	     lx->src[start - 1] == '.')) {
		lx->pos++;
		return tok(MM_T_TIMES, start, lx->pos);
	}
	if (is_alpha(c)) {
		while (is_alnum(peek(lx, 0)))
			lx->pos++;
		return tok(MM_T_NAME, start, lx->pos);
	}
	if (c == '"') {
		lx->pos++;
		while (lx->pos < lx->len && lx->src[lx->pos] != '"') {
			if (lx->src[lx->pos] == '\\' && lx->pos + 1 < lx->len)
				lx->pos++;
			if (lx->src[lx->pos] == '\n')
				break;
			lx->pos++;
		}
		if (lx->pos >= lx->len || lx->src[lx->pos] != '"')
			return error(lx, d, start, lx->pos, "unterminated string",
			             "close it with a double quote \"");
		lx->pos++;
		return tok(MM_T_STRING, start, lx->pos);
	}
	lx->pos++;
	switch (c) {
	case '(': return tok(MM_T_LPAREN, start, lx->pos);
	case ')': return tok(MM_T_RPAREN, start, lx->pos);
	case '[': return tok(MM_T_LBRACK, start, lx->pos);
	case ']': return tok(MM_T_RBRACK, start, lx->pos);
	case '{': return tok(MM_T_LBRACE, start, lx->pos);
	case '}': return tok(MM_T_RBRACE, start, lx->pos);
	case ',': return tok(MM_T_COMMA, start, lx->pos);
	case ';': return tok(MM_T_SEMI, start, lx->pos);
	case ':': return tok(MM_T_COLON, start, lx->pos);
	case '=': return tok(MM_T_ASSIGN, start, lx->pos);
	case '+': return tok(MM_T_PLUS, start, lx->pos);
	case '@': return tok(MM_T_AT, start, lx->pos);
	case '/': return tok(MM_T_SLASH, start, lx->pos);
	case '%': return tok(MM_T_PERCENT, start, lx->pos);
	case '^': return tok(MM_T_POW, start, lx->pos);
	case '?': return tok(MM_T_HOLE, start, lx->pos);
	case '\'': return tok(MM_T_QUOTE, start, lx->pos);
	case '-':
		if (peek(lx, 0) == '>') {
			lx->pos++;
			return tok(MM_T_ARROW, start, lx->pos);
		}
		return tok(MM_T_MINUS, start, lx->pos);
	case '*':
		if (peek(lx, 0) == '*') {
			lx->pos++;
			return tok(MM_T_POW, start, lx->pos);
		}
		return tok(MM_T_STAR, start, lx->pos);
	case '.':
		if (peek(lx, 0) == 'T' && !is_alnum(peek(lx, 1))) {
			lx->pos++;
			return tok(MM_T_DOT_T, start, lx->pos);
		}
		if (is_alpha(peek(lx, 0))) { /* x.shape, x.sum(): NumPy's methods */
			size_t end = lx->pos;
			while (end < lx->len && is_alnum((unsigned char)lx->src[end]))
				end++;
			char hint[160];
			int n = (int)(end - lx->pos);
			snprintf(hint, sizeof hint, "functions take the value as "
			         "their argument: %.*s(value) for value.%.*s",
			         n > 40 ? 40 : n, lx->src + lx->pos, n > 40 ? 40 : n,
			         lx->src + lx->pos);
			return error(lx, d, start, end, "no attributes after '.' "
			             "('.T' is the only one)", hint);
		}
		return error(lx, d, start, lx->pos, "unexpected '.'",
		             "'.T' transposes; numbers are written 0.5 or .5");
	default:
		break;
	}
	/* Outside ASCII: × is a dimension separator, anything else valid
	 * UTF-8 is an unexpected character, and the rest is invalid. */
	lx->pos = start;
	const unsigned char *s = (const unsigned char *)lx->src + start;
	size_t n = utf8_len(s, lx->len - start);
	if (n == 2 && s[0] == 0xC3 && s[1] == 0x97) {
		lx->pos += 2;
		return tok(MM_T_TIMES, start, lx->pos);
	}
	if (n == 0)
		return error(lx, d, start, start + 1, "invalid UTF-8 byte", NULL);
	if (n == 1) {
		char msg[48];
		if (c >= 0x20 && c < 0x7F)
			return error(lx, d, start, start + 1,
			             (snprintf(msg, sizeof msg,
			                       "unexpected character '%c'", c),
			              msg),
			             NULL);
		snprintf(msg, sizeof msg, "unexpected control character 0x%02x",
		         (unsigned)c);
		return error(lx, d, start, start + 1, msg, NULL);
	}
	return error(lx, d, start, start + n, "unexpected character",
	             "write operators in ASCII: @ * + - / ** ^, dims as 1024x4096");
}

const char *mm_tok_name(mm_tok kind)
{
	static const char *const names[] = {
		[MM_T_EOF] = "end of input", [MM_T_NUMBER] = "a number",
		[MM_T_NAME] = "a name",      [MM_T_STRING] = "a string",
		[MM_T_LPAREN] = "'('",       [MM_T_RPAREN] = "')'",
		[MM_T_LBRACK] = "'['",       [MM_T_RBRACK] = "']'",
		[MM_T_LBRACE] = "'{'",       [MM_T_RBRACE] = "'}'",
		[MM_T_COMMA] = "','",        [MM_T_SEMI] = "';'",
		[MM_T_COLON] = "':'",        [MM_T_ASSIGN] = "'='",
		[MM_T_PLUS] = "'+'",         [MM_T_MINUS] = "'-'",
		[MM_T_AT] = "'@'",           [MM_T_STAR] = "'*'",
		[MM_T_SLASH] = "'/'",        [MM_T_PERCENT] = "'%'",
		[MM_T_POW] = "'**'",         [MM_T_DOT_T] = "'.T'",
		[MM_T_QUOTE] = "'''",        [MM_T_TIMES] = "'x'",
		[MM_T_HOLE] = "'?'",         [MM_T_ARROW] = "'->'",
		[MM_T_ERROR] = "an invalid character",
	};
	return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind]
	                                                       : "a token";
}
