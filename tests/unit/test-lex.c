/* test-lex.c — the lexer: token kinds, spans, separators, bad bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/lex.h"

/* Lexes s into kinds (at most n), returns the count before EOF. */
static int kinds(const char *s, mm_tok *out, int n)
{
	mm_lexer lx;
	mm_diag d;
	mm_lex_init(&lx, s, strlen(s));
	int k = 0;
	for (;;) {
		mm_token t = mm_lex_next(&lx, &d);
		if (t.kind == MM_T_EOF || k == n)
			return k;
		out[k++] = t.kind;
		if (t.kind == MM_T_ERROR)
			return k;
	}
}

START_TEST(shape_separators)
{
	mm_tok t[16];
	ck_assert_int_eq(kinds("(1024x4096)", t, 16), 5);
	ck_assert_int_eq(t[0], MM_T_LPAREN);
	ck_assert_int_eq(t[1], MM_T_NUMBER);
	ck_assert_int_eq(t[2], MM_T_TIMES);
	ck_assert_int_eq(t[3], MM_T_NUMBER);
	ck_assert_int_eq(t[4], MM_T_RPAREN);
	/* × is U+00D7 */
	ck_assert_int_eq(kinds("2\xc3\x97" "3", t, 16), 3);
	ck_assert_int_eq(t[1], MM_T_TIMES);
	/* a spaced x is a name; the parser decides */
	ck_assert_int_eq(kinds("B x T", t, 16), 3);
	ck_assert_int_eq(t[1], MM_T_NAME);
	/* x right after 1e6 separates too */
	ck_assert_int_eq(kinds("1e6x1e6", t, 16), 3);
	ck_assert_int_eq(t[1], MM_T_TIMES);
}
END_TEST

START_TEST(operators)
{
	mm_tok t[16];
	ck_assert_int_eq(kinds("a ** b ^ c -> d", t, 16), 7);
	ck_assert_int_eq(t[1], MM_T_POW);
	ck_assert_int_eq(t[3], MM_T_POW);
	ck_assert_int_eq(t[5], MM_T_ARROW);
	ck_assert_int_eq(kinds("A.T' ?", t, 16), 4);
	ck_assert_int_eq(t[1], MM_T_DOT_T);
	ck_assert_int_eq(t[2], MM_T_QUOTE);
	ck_assert_int_eq(t[3], MM_T_HOLE);
	ck_assert_int_eq(kinds("A.Tx", t, 16), 2); /* .Tx is not .T */
	ck_assert_int_eq(t[1], MM_T_ERROR);
}
END_TEST

START_TEST(numbers_and_spans)
{
	const char *s = "  1.5e3 .5 7 # comment 8";
	mm_lexer lx;
	mm_diag d;
	mm_lex_init(&lx, s, strlen(s));
	mm_token t = mm_lex_next(&lx, &d);
	ck_assert_int_eq(t.kind, MM_T_NUMBER);
	ck_assert_uint_eq(t.span.start, 2);
	ck_assert_uint_eq(t.span.end, 7);
	t = mm_lex_next(&lx, &d);
	ck_assert_uint_eq(t.span.start, 8);
	ck_assert_uint_eq(t.span.end, 10);
	t = mm_lex_next(&lx, &d);
	ck_assert_int_eq(t.kind, MM_T_NUMBER);
	t = mm_lex_next(&lx, &d);
	ck_assert_int_eq(t.kind, MM_T_EOF); /* the comment hides 8 */
}
END_TEST

START_TEST(strings)
{
	mm_tok t[4];
	ck_assert_int_eq(kinds("\"a \\\" b\"", t, 4), 1);
	ck_assert_int_eq(t[0], MM_T_STRING);
	ck_assert_int_eq(kinds("\"open", t, 4), 1);
	ck_assert_int_eq(t[0], MM_T_ERROR);
}
END_TEST

START_TEST(bad_bytes)
{
	mm_lexer lx;
	mm_diag d;
	const char *bad[] = {"\xff", "\xc3(", "\xed\xa0\x80", "$", "\x01",
	                     "\xe2\x82\xac"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mm_lex_init(&lx, bad[i], strlen(bad[i]));
		mm_diag_clear(&d);
		mm_token t = mm_lex_next(&lx, &d);
		ck_assert_int_eq(t.kind, MM_T_ERROR);
		ck_assert_int_eq(d.code, MM_ERR_SYNTAX);
		ck_assert_uint_eq(t.span.start, 0);
		ck_assert(t.span.end >= 1);
	}
	/* UTF-8 in a comment or string is fine */
	mm_tok k[4];
	ck_assert_int_eq(kinds("\"\xe2\x82\xac\" # \xff", k, 4), 1);
	ck_assert_int_eq(k[0], MM_T_STRING);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lex");
	TCase *tc = tcase_create("lex");
	tcase_add_test(tc, shape_separators);
	tcase_add_test(tc, operators);
	tcase_add_test(tc, numbers_and_spans);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, bad_bytes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
