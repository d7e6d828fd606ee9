/* fuzz-parse.c — libFuzzer target: the lexer, parser and checker on
 * arbitrary text. Every line is lexed and parsed on its own (checking that
 * spans stay inside the line and that the parser always ends), then the
 * whole text runs as a script in a fresh session in the sandbox
 * (fuzz-sandbox.h: files confined to a temporary directory, a 1 MiB
 * memory limit, a fixed host), once with human reports and once with
 * JSON, whose every object must be well-formed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "mmcalc/arena.h"
#include "mmcalc/lex.h"
#include "mmcalc/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(mm_span s, size_t len)
{
	if (s.start > s.end || s.end > len)
		abort();
}

/* Lexes and parses one line, checking the invariants of both. */
static void parse_line(const char *src, size_t len)
{
	mm_lexer lx;
	mm_diag d;
	mm_lex_init(&lx, src, len);
	for (size_t n = 0;; n++) {
		mm_diag_clear(&d);
		size_t before = lx.pos;
		mm_token t = mm_lex_next(&lx, &d);
		check_span(t.span, len);
		if (t.kind == MM_T_EOF)
			break;
		if (t.kind == MM_T_ERROR && !d.message[0])
			abort();
		if (lx.pos <= before || n > len) /* no progress: it would loop */
			abort();
	}

	mm_arena arena = MM_ARENA_INIT;
	mm_parser p;
	mm_stmt st;
	mm_parse_init(&p, src, len, &arena);
	for (size_t n = 0;; n++) {
		mm_diag_clear(&d);
		int r = mm_parse_next(&p, &st, &d);
		if (r == 0)
			break;
		if (r < 0) {
			if (d.code == MM_OK || !d.message[0])
				abort();
			check_span(d.span, len);
		} else {
			check_span(st.span, len);
		}
		if (n > len) /* more statements than bytes: it would loop */
			abort();
	}
	mm_arena_free(&arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: reading past the end is caught by ASan. */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	for (size_t i = 0; i <= size;) {
		size_t j = i;
		while (j < size && text[j] != '\n')
			j++;
		parse_line(text + i, j - i);
		i = j + 1;
	}
	fz_run(NULL, text, size, false);
	fz_run(NULL, text, size, true);
	free(text);
	return 0;
}
