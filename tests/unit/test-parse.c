/* test-parse.c — the parser: precedence, shapes vs grouping, postfix
 * forms, statements, errors with positions, depth limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/buf.h"
#include "mmcalc/parse.h"

/* Writes e back fully parenthesised, to check the tree's structure. */
static void show(mm_buf *b, const mm_node *e)
{
	switch (e->kind) {
	case MM_N_NUMBER: mm_buf_printf(b, "%g", e->number); break;
	case MM_N_NAME: mm_buf_puts(b, e->name); break;
	case MM_N_STRING: mm_buf_printf(b, "\"%s\"", e->str); break;
	case MM_N_HOLE: mm_buf_puts(b, "?"); break;
	case MM_N_SHAPE:
	case MM_N_MATRIX:
		mm_buf_puts(b, e->kind == MM_N_SHAPE ? "shape(" : "[");
		for (int i = 0; i < e->n; i++) {
			if (i)
				mm_buf_puts(b, ",");
			show(b, e->items[i]);
		}
		mm_buf_puts(b, e->kind == MM_N_SHAPE ? ")" : "]");
		break;
	case MM_N_BINARY:
		mm_buf_puts(b, "(");
		show(b, e->lhs);
		mm_buf_printf(b, " %s ", mm_bin_name(e->op));
		show(b, e->rhs);
		mm_buf_puts(b, ")");
		break;
	case MM_N_NEG: mm_buf_puts(b, "neg("); show(b, e->lhs); mm_buf_puts(b, ")"); break;
	case MM_N_PLUS: mm_buf_puts(b, "pos("); show(b, e->lhs); mm_buf_puts(b, ")"); break;
	case MM_N_TRANSPOSE: mm_buf_puts(b, "T("); show(b, e->lhs); mm_buf_puts(b, ")"); break;
	case MM_N_CALL:
		mm_buf_printf(b, "%s(", e->name);
		for (int i = 0; i < e->n; i++) {
			if (i)
				mm_buf_puts(b, ",");
			if (e->keys[i])
				mm_buf_printf(b, "%s=", e->keys[i]);
			show(b, e->items[i]);
		}
		mm_buf_puts(b, ")");
		break;
	case MM_N_INDEX:
		show(b, e->lhs);
		mm_buf_puts(b, "[");
		for (int i = 0; i < e->n; i++) {
			if (i)
				mm_buf_puts(b, ",");
			show(b, e->items[i]);
		}
		mm_buf_puts(b, "]");
		break;
	case MM_N_SLICE:
		for (int k = 0; k < 3; k++) {
			if (k)
				mm_buf_puts(b, ":");
			if (e->slice[k])
				show(b, e->slice[k]);
		}
		break;
	}
}

/* Parses one statement and returns its expression written back. */
static char out[1024];
static const char *parse1(const char *src)
{
	mm_arena a = MM_ARENA_INIT;
	mm_parser p;
	mm_stmt st;
	mm_diag d;
	mm_parse_init(&p, src, strlen(src), &a);
	int r = mm_parse_next(&p, &st, &d);
	if (r != 1) {
		snprintf(out, sizeof out, "error@%u: %s", d.span.start, d.message);
	} else {
		mm_buf b = MM_BUF_INIT;
		if (st.kind == MM_S_ASSIGN)
			mm_buf_printf(&b, "%s = ", st.name);
		show(&b, st.expr);
		if (st.kind == MM_S_EQUATION) {
			mm_buf_puts(&b, " == ");
			show(&b, st.rhs);
		}
		if (st.unit)
			mm_buf_printf(&b, " -> %s", st.unit);
		snprintf(out, sizeof out, "%s", mm_buf_str(&b));
		mm_buf_free(&b);
	}
	mm_arena_free(&a);
	return out;
}

START_TEST(precedence)
{
	ck_assert_str_eq(parse1("a + b @ c"), "(a + (b @ c))");
	ck_assert_str_eq(parse1("a - b - c"), "((a - b) - c)");
	ck_assert_str_eq(parse1("a @ b * c"), "((a @ b) * c)");
	ck_assert_str_eq(parse1("2 ** 3 ** 2"), "(2 ** (3 ** 2))");
	ck_assert_str_eq(parse1("-a ** 2"), "neg((a ** 2))");
	ck_assert_str_eq(parse1("2 ^ -1"), "(2 ** neg(1))");
	ck_assert_str_eq(parse1("-a @ b"), "(neg(a) @ b)");
	ck_assert_str_eq(parse1("a.T @ b'"), "(T(a) @ T(b))");
	ck_assert_str_eq(parse1("(a + b).T"), "T((a + b))");
}
END_TEST

START_TEST(shapes_and_groups)
{
	ck_assert_str_eq(parse1("(1024x4096)"), "shape(1024,4096)");
	ck_assert_str_eq(parse1("(1024 x 4096)"), "shape(1024,4096)");
	ck_assert_str_eq(parse1("(1024\xc3\x97" "4096)"), "shape(1024,4096)");
	ck_assert_str_eq(parse1("(1024, 4096)"), "shape(1024,4096)");
	ck_assert_str_eq(parse1("(B*T x C)"), "shape((B * T),C)");
	ck_assert_str_eq(parse1("(3,)"), "shape(3)");
	ck_assert_str_eq(parse1("()"), "shape()");
	ck_assert_str_eq(parse1("(3)"), "3");
	ck_assert_str_eq(parse1("(2 x 3 x 4)"), "shape(2,3,4)");
	ck_assert_str_eq(parse1("(d/h x n)"), "shape((d / h),n)");
}
END_TEST

START_TEST(matrices_calls_indexing)
{
	ck_assert_str_eq(parse1("[[1, 2], [3, 4]]"), "[[1,2],[3,4]]");
	ck_assert_str_eq(parse1("[1, 2, 3,]"), "[1,2,3]");
	ck_assert_str_eq(parse1("[[[1]]]"), "[[[1]]]");
	ck_assert_str_eq(parse1("[]"), "[]");
	ck_assert_str_eq(parse1("sum(x, axis=0, keepdims=true)"),
	                 "sum(x,axis=0,keepdims=true)");
	ck_assert_str_eq(parse1("f()"), "f()");
	ck_assert_str_eq(parse1("a[1, 2:3, :, ::2, -1:]"), "a[1,2:3:,::,::2,neg(1)::]");
	ck_assert_str_eq(parse1("a[0][1]"), "a[0][1]");
	ck_assert_str_eq(parse1("load(\"w.npy\")"), "load(\"w.npy\")");
}
END_TEST

START_TEST(statements)
{
	ck_assert_str_eq(parse1("W = (4x4)"), "W = shape(4,4)");
	ck_assert_str_eq(parse1("(1024x4096) @ ? = (1024x512)"),
	                 "(shape(1024,4096) @ ?) == shape(1024,512)");
	ck_assert_str_eq(parse1("flops(x) -> TFLOP"), "flops(x) -> TFLOP");
	/* several statements and a command on one line */
	const char *src = "a = 1; b = 2 # c = 3\n";
	mm_arena ar = MM_ARENA_INIT;
	mm_parser p;
	mm_stmt st;
	mm_diag d;
	mm_parse_init(&p, src, strlen(src), &ar);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_str_eq(st.name, "a");
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_str_eq(st.name, "b");
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 0);
	const char *cmd = ":set memlimit 2GiB; :vars";
	mm_parse_init(&p, cmd, strlen(cmd), &ar);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_int_eq(st.kind, MM_S_COMMAND);
	ck_assert_str_eq(st.name, "set");
	ck_assert_uint_eq(st.args.start, 5);
	ck_assert_uint_eq(st.args.end, 18);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_str_eq(st.name, "vars");
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 0);
	const char *w = "(n x d) @ (d x d) where n = 8, d = 4";
	mm_parse_init(&p, w, strlen(w), &ar);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_int_eq(st.nwhere, 2);
	ck_assert_str_eq(st.where[1].name, "d");
	mm_arena_free(&ar);
}
END_TEST

START_TEST(errors_have_positions)
{
	ck_assert_str_eq(parse1("(1024x4096"),
	                 "error@10: expected 'x' or ')' in a shape, found end of input");
	ck_assert_str_eq(parse1("a + * b"), "error@4: expected an expression, found '*'");
	ck_assert_str_eq(parse1("(1, 2 x 3)"), "error@6: mixed dimension separators in a shape");
	ck_assert_str_eq(parse1("a b"), "error@2: expected an operator or the end of "
	                                "the statement, found a name");
	ck_assert_str_eq(parse1("x)"), "error@1: unmatched ')'");
	/* after an error the parser goes on with the next statement */
	const char *src = "1 +; 2";
	mm_arena ar = MM_ARENA_INIT;
	mm_parser p;
	mm_stmt st;
	mm_diag d;
	mm_parse_init(&p, src, strlen(src), &ar);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), -1);
	ck_assert_int_eq(mm_parse_next(&p, &st, &d), 1);
	ck_assert_double_eq(st.expr->number, 2);
	mm_arena_free(&ar);
}
END_TEST

START_TEST(depth_limit)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 2);
	memset(s, '(', n);
	s[n] = '1';
	memset(s + n + 1, ')', n);
	s[2 * n + 1] = '\0';
	const char *r = parse1(s);
	ck_assert_msg(strstr(r, "nested too deeply") != NULL, "%s", r);
	memset(s, '-', n);
	s[n] = '1';
	s[n + 1] = '\0';
	r = parse1(s);
	ck_assert_msg(strstr(r, "nested too deeply") != NULL, "%s", r);
	/* within the limit is fine */
	memset(s, '(', 100);
	s[100] = '1';
	memset(s + 101, ')', 100);
	s[201] = '\0';
	ck_assert_str_eq(parse1(s), "1");
	free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, shapes_and_groups);
	tcase_add_test(tc, matrices_calls_indexing);
	tcase_add_test(tc, statements);
	tcase_add_test(tc, errors_have_positions);
	tcase_add_test(tc, depth_limit);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
