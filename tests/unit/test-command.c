/* test-command.c — the tables of commands and settings, the parser's
 * reading of command arguments by kind, and the commands run through a
 * session: settings of every kind, options, counts, completion. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/command.h"
#include "mmcalc/parse.h"
#include "mmcalc/session.h"

typedef struct capture {
	int errors;
	char text[8192], err[512];
} capture;

static void grab(void *ctx, const mm_result *r)
{
	capture *c = ctx;
	if (r->kind == MM_R_ERROR) {
		c->errors++;
		snprintf(c->err, sizeof c->err, "%s", r->diag->message);
	} else {
		snprintf(c->text, sizeof c->text, "%s", r->text);
	}
}

static mm_session *s;
static capture cap;

static int run(const char *line)
{
	memset(&cap, 0, sizeof cap);
	return mm_session_run(s, "<test>", 1, line, strlen(line), grab, &cap);
}

static void setup(void) { s = mm_session_new(); }
static void teardown(void) { mm_session_free(s); }

START_TEST(tables)
{
	size_t n = 0;
	for (const mm_command *c; (c = mm_command_at(n)); n++) {
		ck_assert(c->run != NULL);
		ck_assert_msg(c->usage[0] == ':' &&
		              strncmp(c->usage + 1, c->name, strlen(c->name)) == 0,
		              "%s: usage %s", c->name, c->usage);
		ck_assert_ptr_eq(mm_command_find(c->name), c);
	}
	ck_assert_uint_ge(n, 15);
	ck_assert_str_eq(mm_command_find("whos")->name, "vars");
	ck_assert_str_eq(mm_command_find("q")->name, "quit");
	ck_assert_ptr_null(mm_command_find("qu"));
	for (size_t k = 0; mm_setting_at(k); k++)
		ck_assert_ptr_eq(mm_setting_find(mm_setting_at(k)->key),
		                 mm_setting_at(k));
}
END_TEST

/* The parser reads a command's arguments as its row says. */
START_TEST(arguments_by_kind)
{
	mm_arena a = MM_ARENA_INIT;
	mm_parser p;
	mm_stmt st;
	mm_diag d;
	const char *w = ":help \"two words\" x; :bench (8x8) @ (8x8) 7 where n = 2";
	mm_parse_init(&p, w, strlen(w), &a);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_int_eq(st.nwords, 2);
	ck_assert_str_eq(st.words[0].text, "\"two words\"");
	ck_assert_ptr_null(st.expr);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_ptr_nonnull(st.expr);
	ck_assert(st.has_count);
	ck_assert_int_eq(st.count, 7);
	ck_assert_int_eq(st.nwhere, 1);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 0);
	const char *e = ":explain (2x2) @ (2x2) train=true; :explain (2x2) 3";
	mm_parse_init(&p, e, strlen(e), &a);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_int_eq(st.nflags, 1);
	ck_assert_str_eq(st.flags[0].key, "train");
	/* :explain takes no count: the 3 is an error where it stands */
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), -1);
	ck_assert_uint_eq(d.span.start, 50);
	mm_arena_free(&a);
}
END_TEST

/* Whether :set's listing in text has the line "MARK KEY   VALUE". */
static bool has_setting(const char *text, char mark, const char *key,
                        const char *value)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t kl = strlen(key), vl = strlen(value);
		if (l[0] != mark || l[1] != ' ' || strncmp(l + 2, key, kl) != 0 ||
		    l[2 + kl] != ' ')
			continue;
		const char *v = l + 2 + kl;
		while (*v == ' ')
			v++;
		if (strncmp(v, value, vl) == 0 && (v[vl] == '\n' || v[vl] == '\0'))
			return true;
	}
	return false;
}

START_TEST(settings)
{
	ck_assert_int_eq(run(":set precision 3; :set exact on; :set memlimit 2 GiB"), 0);
	ck_assert_int_eq(run(":set"), 0);
	ck_assert_msg(has_setting(cap.text, '*', "precision", "3") &&
	              has_setting(cap.text, '*', "memlimit", "2 GiB") &&
	              has_setting(cap.text, '*', "exact", "on") &&
	              has_setting(cap.text, ' ', "strict", "off"), "%s", cap.text);
	/* a convention sets its constants; one changed makes it custom */
	ck_assert_int_eq(run(":set convention chinchilla; :set"), 0);
	ck_assert_msg(has_setting(cap.text, '*', "softmax_flops", "3") &&
	              has_setting(cap.text, '*', "convention", "chinchilla") &&
	              has_setting(cap.text, '*', "embedding", "matmul"), "%s",
	              cap.text);
	ck_assert_int_eq(run(":set attention_flops 6; :set"), 0);
	ck_assert_msg(has_setting(cap.text, '*', "convention", "custom"), "%s",
	              cap.text);
	ck_assert_int_eq(run(":set convention mmcalc; :set causal maybe"), 1);
	ck_assert_msg(strstr(cap.err, "exact half none") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":set attention_backward 2.5; :set"), 0);
	ck_assert_msg(has_setting(cap.text, '*', "attention_backward", "2.5"), "%s",
	              cap.text);
	ck_assert_int_eq(run(":set precision 18"), 1);
	ck_assert_msg(strstr(cap.err, "0 to 17") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":set strict maybe"), 1);
	ck_assert_int_eq(run(":set memlimit lots"), 1);
	ck_assert_int_eq(run(":dtype bf16; :dtype"), 0);
	ck_assert_str_eq(cap.text, "bf16\n");
	ck_assert_int_eq(run(":seed -1"), 1);
	ck_assert_int_eq(run(":threads 1; :threads"), 0);
	ck_assert_str_eq(cap.text, "1\n");
}
END_TEST

START_TEST(options_counts_and_errors)
{
	ck_assert_int_eq(run(":explain (2x2) @ (2x2) train=yes"), 1);
	ck_assert_msg(strstr(cap.err, "true or false") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":run (2x2) fast=true"), 1);
	ck_assert_msg(strstr(cap.err, "no option 'fast'") != NULL, "%s", cap.err);
	ck_assert_int_eq(run(":bench (2x2) @ (2x2) 0"), 1);
	ck_assert_int_eq(run(":bench (2x2) @ (2x2) 2"), 0);
	ck_assert_msg(strstr(cap.text, "best of 2") != NULL, "%s", cap.text);
	ck_assert_int_eq(run(":devices now"), 1);
	ck_assert_int_eq(run(":vars"), 0);
	ck_assert_int_eq(run(":quitt"), 1);
	ck_assert_msg(strstr(cap.err, "unknown command") != NULL, "%s", cap.err);
}
END_TEST

static int count_completions(const char *line, const char *prefix,
                             const char *want)
{
	int n = 0, found = 0;
	const char *c;
	size_t at = strlen(line) - strlen(prefix);
	while ((c = mm_session_complete_at(s, line, at, prefix, n)) != NULL) {
		found += strcmp(c, want) == 0;
		n++;
	}
	return found ? n : -n - 1;
}

START_TEST(completion)
{
	ck_assert_int_eq(count_completions(":set th", "th", "threshold"), 2);
	ck_assert_int_eq(count_completions(":help fun", "fun", "functions"), 1);
	ck_assert_int_eq(count_completions(":device h1", "h1", "h100-sxm"), 1);
	ck_assert_int_eq(count_completions(":dtype bf", "bf", "bf16"), 1);
	ck_assert_int_gt(count_completions(":ex", ":ex", ":explain"), 0);
	ck_assert_int_eq(run("softness = 3"), 0);
	ck_assert_int_eq(count_completions("1 + soft", "soft", "softness"), 2);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("command");
	TCase *tc = tcase_create("command");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tables);
	tcase_add_test(tc, arguments_by_kind);
	tcase_add_test(tc, settings);
	tcase_add_test(tc, options_counts_and_errors);
	tcase_add_test(tc, completion);
	suite_add_tcase(su, tc);
	SRunner *sr = srunner_create(su);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
