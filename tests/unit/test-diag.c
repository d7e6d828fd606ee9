/* test-diag.c — rendering diagnostics: the caret under the span, and no
 * raw control character (ESC, BEL, C1, bidi overrides, invalid UTF-8)
 * from the source line, file name, message or hint reaching a terminal. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/diag.h"

/* Renders an error at [start, end) of src. */
static const char *render(const char *file, const char *src, uint32_t start,
                          uint32_t end, const char *msg, const char *hint)
{
	static char buf[8192];
	mm_diag d;
	mm_diag_clear(&d);
	mm_diag_set(&d, MM_ERR_SHAPE, (mm_span){start, end}, "%s", msg);
	if (hint)
		mm_diag_hint(&d, "%s", hint);
	mm_diag_render(&d, file, 1, src, src ? strlen(src) : 0, buf, sizeof buf);
	return buf;
}

/* No byte a terminal acts on: C0 controls but '\n', DEL, and no C1
 * control, bidi control or invalid UTF-8 (only the ASCII escapes). */
static void assert_clean(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
		ck_assert_msg(*p == '\n' || (*p >= 0x20 && *p != 0x7f),
		              "raw byte 0x%02x at %ld in:\n%s", *p,
		              (long)(p - (const unsigned char *)out), out);
		ck_assert_msg(!(p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F),
		              "raw C1 control in:\n%s", out);
		ck_assert_msg(!(p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0xAA &&
		                p[2] <= 0xAE), "raw bidi override in:\n%s", out);
		ck_assert_msg(*p != 0xFF, "raw invalid byte in:\n%s", out);
	}
}

/* The line of out starting with "  " (the excerpt) and the caret line
 * after it: the caret's column must be col in the excerpt. */
static void assert_caret(const char *out, const char *under)
{
	const char *ex = strstr(out, "\n  ");
	ck_assert_ptr_nonnull(ex);
	ex += 3;
	const char *nl = strchr(ex, '\n');
	ck_assert_ptr_nonnull(nl);
	const char *caret = nl + 3; /* "\n  " */
	const char *c = strchr(caret, '^');
	ck_assert_ptr_nonnull(c);
	const char *u = strstr(ex, under);
	ck_assert_ptr_nonnull(u);
	ck_assert(u < nl);
	/* columns: bytes here, since the excerpt before `under` is ASCII */
	ck_assert_int_eq(c - caret, u - ex);
}

START_TEST(escape_and_bell_escaped_caret_aligned)
{
	const char *src = "(2x3) @ \x1b[2J\x07(4x5)";
	uint32_t at = (uint32_t)(strstr(src, "(4x5)") - src);
	const char *out = render("<stdin>", src, at, at + 5, "inner dims", NULL);
	assert_clean(out);
	ck_assert_ptr_nonnull(strstr(out, "\\x1b[2J\\x07(4x5)"));
	assert_caret(out, "(4x5)");
	ck_assert_ptr_nonnull(strstr(out, "^~~~~\n"));
	/* the column in the header still counts characters of the source */
	ck_assert_ptr_nonnull(strstr(out, "<stdin>:1:14: error: "));
}
END_TEST

START_TEST(span_on_a_control_character)
{
	const char *src = "x = 1 \x07 2";
	uint32_t at = (uint32_t)(strchr(src, '\a') - src);
	const char *out = render("f.mm", src, at, at + 1, "unexpected", NULL);
	assert_clean(out);
	assert_caret(out, "\\x07");
	ck_assert_ptr_nonnull(strstr(out, "^~~~\n")); /* all 4 columns */
	/* an empty span on it */
	out = render("f.mm", src, at, at, "unexpected", NULL);
	assert_caret(out, "\\x07");
}
END_TEST

START_TEST(c1_bidi_invalid_utf8)
{
	/* U+009B (CSI as a C1 control), U+202E (right-to-left override),
	 * U+2066, a lone 0xFF, a truncated sequence, é kept as is */
	const char *src = "a\xc2\x9b" "b\xe2\x80\xae" "c\xe2\x81\xa6" "d\xff"
	                  "e\xe2\x80" " \xc3\xa9 zz";
	uint32_t at = (uint32_t)(strstr(src, "zz") - src);
	const char *out = render("<stdin>", src, at, at + 2, "m", NULL);
	assert_clean(out);
	ck_assert_ptr_nonnull(strstr(out, "a\\u009bb\\u202ec\\u2066d\\xffe"
	                                  "\\xe2\\x80 \xc3\xa9 zz"));
	/* é is one column: the caret is one column right of its bytes' two */
	const char *ex = strstr(out, "\n  ") + 3;
	const char *caret = strchr(ex, '\n') + 3;
	const char *zz = strstr(ex, "zz");
	ck_assert_int_eq(strchr(caret, '^') - caret, zz - ex - 1);
}
END_TEST

START_TEST(tab_is_one_space)
{
	const char *src = "\tA @ B";
	const char *out = render("<stdin>", src, 5, 6, "m", NULL);
	assert_clean(out);
	assert_caret(out, "B");
}
END_TEST

START_TEST(file_message_hint_escaped)
{
	const char *out = render("evil\x1b]0;title\x07.mm", "x", 0, 1,
	                         "cannot open 'a\x1b[2Jb.npy'",
	                         "did you mean \x1b[31mred\x9b?");
	assert_clean(out);
	ck_assert_ptr_nonnull(strstr(out, "evil\\x1b]0;title\\x07.mm:1:1"));
	ck_assert_ptr_nonnull(strstr(out, "'a\\x1b[2Jb.npy'"));
	ck_assert_ptr_nonnull(strstr(out, "hint: did you mean \\x1b[31mred\\x9b?"));
	/* without a source line */
	mm_diag d;
	char buf[512];
	mm_diag_set(&d, MM_ERR_IO, (mm_span){0, 0}, "bad \x1b name");
	mm_diag_render(&d, "f\x07", 3, NULL, 0, buf, sizeof buf);
	assert_clean(buf);
	ck_assert_str_eq(buf, "f\\x07:3: error: bad \\x1b name\n");
}
END_TEST

/* A long line is shown as a window around the span, escaped too. */
START_TEST(long_line_window)
{
	size_t n = 1 << 20;
	char *src = malloc(n + 1);
	ck_assert_ptr_nonnull(src);
	for (size_t i = 0; i < n; i++)
		src[i] = i % 7 == 0 ? '\x1b' : 'a';
	src[n] = '\0';
	src[500000] = 'Z';
	char buf[4096];
	mm_diag d;
	mm_diag_set(&d, MM_ERR_SYNTAX, (mm_span){500000, 500001}, "here");
	size_t len = mm_diag_render(&d, "<stdin>", 1, src, n, buf, sizeof buf);
	ck_assert_uint_lt(len, 2000);
	assert_clean(buf);
	assert_caret(buf, "Z");
	free(src);
}
END_TEST

/* A buffer too small still ends in a NUL, with nothing raw in it. */
START_TEST(small_buffer)
{
	mm_diag d;
	char buf[24];
	mm_diag_set(&d, MM_ERR_SYNTAX, (mm_span){2, 3}, "\x1b\x1b\x1b\x1b");
	size_t len = mm_diag_render(&d, "<stdin>", 1, "ab\x1b", 3, buf,
	                            sizeof buf);
	ck_assert_uint_eq(len, strlen(buf));
	ck_assert_uint_lt(len, sizeof buf);
	assert_clean(buf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("diag");
	TCase *t = tcase_create("render");
	tcase_add_test(t, escape_and_bell_escaped_caret_aligned);
	tcase_add_test(t, span_on_a_control_character);
	tcase_add_test(t, c1_bidi_invalid_utf8);
	tcase_add_test(t, tab_is_one_space);
	tcase_add_test(t, file_message_hint_escaped);
	tcase_add_test(t, long_line_window);
	tcase_add_test(t, small_buffer);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(suite());
	srunner_run_all(r, CK_NORMAL);
	int failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
