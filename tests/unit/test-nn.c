/* test-nn.c — the operators of axes, einsum, activations, norms, gathers
 * and losses against NumPy's answers (tests/data/nn_cases.py writes
 * them): result shapes or errors for generated shapes through the
 * parser and checker (nn_shapes.tsv), whether a reshape is a view
 * (nn_views.tsv), and values executed on f64 and f32 tensors within
 * 1e-12 and 1e-5 (nn_values.tsv); and the views' own rules. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/eval.h"
#include "mmcalc/ops_axes.h"
#include "mmcalc/ops_nn.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

static mm_arena arena;
static mm_env env;
static mm_diag d;
static mm_rng rng;

static void teardown(void)
{
	mm_env_clear(&env);
	mm_arena_reset(&arena);
}

static void bind(const char *name, mm_tensor *t)
{
	mm_value v = {.kind = MM_K_TENSOR, .dtype = t->dtype,
	              .shape = mm_shape_make(t->ndim, t->shape)};
	ck_assert(mm_env_set(&env, name, &v, t, NULL));
}

/* src checked; MM_OK or the error, the tree in *out. */
static mm_code check_src(const char *src, mm_node **out)
{
	mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
	ck_assert_msg(e != NULL, "%s: %s", src, d.message);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d,
	                &(mm_check_opts){.dtype = MM_F32, .strict = true});
	*out = e;
	return mm_check_expr(&c, e);
}

/* The shape as nn_shapes.tsv writes it: (4x5), (3,), (). */
static void shape_text(const mm_shape *s, char *out, size_t cap)
{
	size_t k = (size_t)snprintf(out, cap, "(");
	for (int i = 0; i < s->ndim; i++)
		k += (size_t)snprintf(out + k, cap - k, i ? "x%lld" : "%lld",
		                      (long long)s->dim[i]);
	snprintf(out + k, cap - k, s->ndim == 1 ? ",)" : ")");
}

/* Splits a line at tabs into at most n fields (the line is changed). */
static int fields(char *line, char **f, int n)
{
	int k = 0;
	line[strcspn(line, "\n")] = '\0';
	for (char *p = line; k < n; k++) {
		f[k] = p;
		char *t = strchr(p, '\t');
		if (!t)
			return k + 1;
		*t = '\0';
		p = t + 1;
	}
	return k;
}

START_TEST(numpy_shapes)
{
	FILE *f = fopen(MM_TEST_DATA "/nn_shapes.tsv", "r");
	ck_assert_msg(f != NULL, "cannot open nn_shapes.tsv");
	char line[512], got[64];
	int n = 0, errors = 0;
	while (fgets(line, sizeof line, f)) {
		char *fl[2];
		if (line[0] == '#' || fields(line, fl, 2) != 2)
			continue;
		mm_node *e;
		if (check_src(fl[0], &e) != MM_OK) {
			/* a shape or value error, never the parser's or a type */
			ck_assert_msg(d.code == MM_ERR_SHAPE || d.code == MM_ERR_VALUE,
			              "%s: %s (%s)", fl[0], d.message,
			              mm_code_name(d.code));
			snprintf(got, sizeof got, "error");
			errors++;
		} else {
			shape_text(&e->info->v.shape, got, sizeof got);
		}
		ck_assert_msg(strcmp(got, fl[1]) == 0, "%s: NumPy says %s, mmcalc %s%s%s",
		              fl[0], fl[1], got, strcmp(got, "error") ? "" : ": ",
		              strcmp(got, "error") ? "" : d.message);
		mm_arena_reset(&arena);
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 200);
	ck_assert_int_gt(errors, 0);
	ck_assert_int_lt(errors, n);
}
END_TEST

/* Reads "2 3 4" into dims; their number. */
static int ints(const char *s, int64_t *out)
{
	int n = 0;
	char *end;
	for (long long v = strtoll(s, &end, 10); end != s && n < MM_MAX_NDIM;
	     v = strtoll(s, &end, 10)) {
		out[n++] = v;
		s = end;
	}
	return n;
}

START_TEST(numpy_views)
{
	FILE *f = fopen(MM_TEST_DATA "/nn_views.tsv", "r");
	ck_assert_msg(f != NULL, "cannot open nn_views.tsv");
	char line[256];
	int n = 0, views = 0;
	while (fgets(line, sizeof line, f)) {
		char *fl[4];
		if (line[0] == '#' || fields(line, fl, 4) != 4)
			continue;
		int64_t s[MM_MAX_NDIM], p[MM_MAX_NDIM], t[MM_MAX_NDIM];
		int ns = ints(fl[0], s), np = ints(fl[1], p), nt = ints(fl[2], t);
		ck_assert_int_eq(ns, np);
		int perm[MM_MAX_NDIM];
		for (int k = 0; k < np; k++)
			perm[k] = (int)p[k];
		int64_t numel = 1;
		for (int k = 0; k < ns; k++)
			numel *= s[k];
		mm_tensor *base = mm_tensor_arange(MM_F64, 0, (double)numel, 1, NULL);
		mm_tensor *shaped = mm_op_reshape_view(base, ns, s, NULL, &d);
		mm_tensor *pt = mm_tensor_permute(shaped, perm, &d);
		bool copied;
		mm_tensor *r = mm_op_reshape_view(pt, nt, t, &copied, &d);
		ck_assert_msg(r != NULL, "%s", d.message);
		ck_assert_msg(copied == (strcmp(fl[3], "view") != 0),
		              "(%s) permuted (%s) to (%s): NumPy makes a %s", fl[0],
		              fl[1], fl[2], fl[3]);
		/* either way, the elements in C order are the permuted ones */
		for (int64_t i = 0; i < numel; i++)
			ck_assert(mm_tensor_get_flat(r, i) == mm_tensor_get_flat(pt, i));
		views += !copied;
		mm_tensor_unref(r);
		mm_tensor_unref(pt);
		mm_tensor_unref(shaped);
		mm_tensor_unref(base);
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 50);
	ck_assert_int_gt(views, 0);
	ck_assert_int_lt(views, n);
}
END_TEST

/* max |got - want| within tol · max(1, |want|), NaN where NaN. */
static void close_to(const char *what, const mm_tensor *got,
                     const mm_tensor *want, double tol)
{
	ck_assert_msg(mm_tensor_same_shape(got, want), "%s: shapes differ",
	              what);
	for (int64_t i = 0; i < mm_tensor_numel(want); i++) {
		double g = mm_tensor_get_flat(got, i), w = mm_tensor_get_flat(want, i);
		if (isnan(w)) {
			ck_assert_msg(isnan(g), "%s[%lld]: %g, want nan", what,
			              (long long)i, g);
			continue;
		}
		double lim = tol * (fabs(w) > 1 ? fabs(w) : 1);
		ck_assert_msg(g == w || fabs(g - w) <= lim,
		              "%s[%lld]: %.17g, want %.17g", what, (long long)i, g,
		              w);
	}
}

/* SHAPE:VALUES (2x3:1,2,3,4,5,6; an empty shape is 0-d) as a tensor of
 * dtype t; the text is changed. */
static mm_tensor *decode(char *text, mm_dtype t)
{
	char *colon = strchr(text, ':');
	ck_assert_ptr_nonnull(colon);
	*colon = '\0';
	int64_t shape[MM_MAX_NDIM];
	int nd = 0;
	int64_t n = 1;
	for (char *p = text; *p; nd++) {
		shape[nd] = strtoll(p, &p, 10);
		n *= shape[nd];
		if (*p == 'x')
			p++;
	}
	double *v = malloc(sizeof *v * (size_t)(n ? n : 1));
	char *p = colon + 1;
	for (int64_t i = 0; i < n; i++) {
		v[i] = strtod(p, &p);
		if (*p == ',')
			p++;
	}
	mm_tensor *r = mm_tensor_from_doubles(t, nd, shape, v, &d);
	free(v);
	ck_assert_msg(r != NULL, "%s", d.message);
	return r;
}

START_TEST(numpy_values)
{
	FILE *f = fopen(MM_TEST_DATA "/nn_values.tsv", "r");
	ck_assert_msg(f != NULL, "cannot open nn_values.tsv");
	static char line[1 << 20];
	int n = 0;
	mm_rng_seed(&rng, 1);
	while (fgets(line, sizeof line, f)) {
		char *fl[5];
		ck_assert_msg(strchr(line, '\n') != NULL, "a line longer than %zu "
		              "bytes in nn_values.tsv", sizeof line);
		if (line[0] == '#' || fields(line, fl, 5) != 5)
			continue;
		/* the inputs' dtype / the result's */
		mm_dtype t = strncmp(fl[1], "f64", 3) == 0 ? MM_F64 : MM_F32;
		mm_dtype tr = strcmp(fl[1] + 4, "f64") == 0 ? MM_F64 : MM_F32;
		/* NAME=SHAPE:VALUES;... */
		for (char *p = strtok(fl[3], ";"); p; p = strtok(NULL, ";")) {
			char *eq = strchr(p, '=');
			ck_assert_ptr_nonnull(eq);
			*eq = '\0';
			mm_tensor *x = decode(eq + 1, t);
			bind(p, x);
			mm_tensor_unref(x);
		}
		mm_node *e;
		ck_assert_msg(check_src(fl[2], &e) == MM_OK, "%s: %s", fl[0],
		              d.message);
		mm_evaluator ev = {&rng, &d};
		ck_assert_msg(mm_eval(&ev, e) == MM_OK, "%s: %s", fl[0], d.message);
		mm_tensor *want = decode(fl[4], tr);
		close_to(fl[0], e->info->value, want, t == MM_F64 ? 1e-12 : 1e-5);
		ck_assert_msg(e->info->value->dtype == tr, "%s: the result's dtype",
		              fl[0]);
		mm_tensor_unref(want);
		mm_eval_release_all(e);
		teardown();
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 8);
}
END_TEST

/* Views share storage; a copy is made only when the strides need one. */
START_TEST(axes_views)
{
	mm_tensor *x = mm_tensor_arange(MM_F32, 0, 24, 1, NULL);
	mm_tensor *a = mm_op_reshape_view(x, 3, (int64_t[]){2, 3, 4}, NULL, &d);
	ck_assert_ptr_eq(a->data, x->data);
	bool drop[3] = {false, false, false};
	bool isnew[5] = {true, false, false, false, true};
	mm_tensor *b = mm_op_expand_dims(a, isnew, 5, &d);
	ck_assert_int_eq(b->ndim, 5);
	ck_assert_int_eq(b->shape[0] * b->shape[4], 1);
	ck_assert_ptr_eq(b->data, x->data);
	bool drop5[5] = {true, false, false, false, false};
	mm_tensor *c = mm_op_squeeze(b, drop5, &d);
	ck_assert_int_eq(c->ndim, 4);
	/* only axes of length 1 go */
	drop[1] = true;
	ck_assert_ptr_null(mm_op_squeeze(a, drop, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	/* a wrong element count */
	ck_assert_ptr_null(mm_op_reshape_view(a, 2, (int64_t[]){5, 5}, NULL, &d));
	/* the transpose of a matrix flattened is a copy, in C order */
	mm_tensor *m = mm_op_reshape_view(x, 2, (int64_t[]){4, 6}, NULL, &d);
	mm_tensor *mt = mm_tensor_transpose(m, &d);
	bool copied;
	mm_tensor *f = mm_op_reshape_view(mt, 1, (int64_t[]){24}, &copied, &d);
	ck_assert(copied);
	ck_assert(mm_tensor_get_flat(f, 1) == 6);
	/* empty tensors take any shape of no elements */
	mm_tensor *e0 = mm_tensor_zeros(MM_F32, 2, (int64_t[]){0, 3}, NULL);
	mm_tensor *e1 = mm_op_reshape_view(e0, 3, (int64_t[]){3, 0, 5}, NULL, &d);
	ck_assert_ptr_nonnull(e1);
	mm_tensor *list[] = {x, a, b, c, m, mt, f, e0, e1};
	for (size_t k = 0; k < sizeof list / sizeof list[0]; k++)
		mm_tensor_unref(list[k]);
}
END_TEST

/* Errors point at what is wrong and say what would be right. */
static void bad(const char *src, mm_code code, const char *text,
                uint32_t start, uint32_t end)
{
	mm_node *e;
	ck_assert_msg(check_src(src, &e) == code, "%s: %s (%s)", src, d.message,
	              mm_code_name(d.code));
	ck_assert_msg(strstr(d.message, text) != NULL, "%s: %s", src, d.message);
	ck_assert_msg(d.span.start == start && d.span.end == end,
	              "%s: span [%u, %u), want [%u, %u): %s", src, d.span.start,
	              d.span.end, start, end, d.message);
	mm_arena_reset(&arena);
}

START_TEST(axes_errors)
{
	bad("permute((2 x 3), 0, 0)", MM_ERR_VALUE, "given twice", 17, 21);
	bad("permute((2 x 3), (0, 1, 2))", MM_ERR_VALUE, "needs 2 axes", 17, 26);
	bad("permute((2 x 3))", MM_ERR_ARG, "permute needs", 0, 16);
	bad("squeeze((2 x 3), 1)", MM_ERR_VALUE, "length 3, not 1", 17, 18);
	bad("reshape((2 x 3), (4, -1))", MM_ERR_SHAPE, "cannot infer", 0, 25);
	bad("reshape((2 x 3), (-1, -1))", MM_ERR_VALUE, "only one", 22, 24);
	bad("swapaxes((2 x 3), 0, 2)", MM_ERR_VALUE, "out of range", 18, 22);
	bad("expand_dims((2 x 3))", MM_ERR_ARG, "needs the axis", 0, 20);
	bad("(2 x 3)[None, 0, 0, 0]", MM_ERR_VALUE, "too many indices", 7, 22);
}
END_TEST

/* Symbols go through the axes' rules; reshape compares element counts
 * as polynomials. */
START_TEST(axes_symbols)
{
	mm_node *e;
	ck_assert_int_eq(check_src("permute(reshape((B x T x C), (B, T, H, C/H)),"
	                           " 0, 2, 1, 3)", &e), MM_OK);
	char got[160];
	mm_shape_str(&e->info->v.shape, got, sizeof got);
	ck_assert_str_eq(got, "(B x H x T x C/H)");
	ck_assert_int_eq(check_src("reshape((B x T x C), (B*T, -1))", &e), MM_OK);
	mm_shape_str(&e->info->v.shape, got, sizeof got);
	ck_assert_str_eq(got, "(B·T x C)");
	/* strict: counts that may differ are an error, not an assumption */
	ck_assert_int_eq(check_src("reshape((B x T), (B, 3))", &e), MM_ERR_SHAPE);
	ck_assert_int_eq(check_src("squeeze((1 x n x 1))", &e), MM_OK);
	ck_assert_int_eq(e->info->v.shape.ndim, 1);
	mm_arena_reset(&arena);
}
END_TEST

/* The FLOPs (and MACs) each convention gives, on numbers; counts made
 * from the formulas of mmcalc(1)'s COST MODEL. */
static void costs(const char *src, uint64_t flops, uint64_t macs)
{
	mm_node *e;
	ck_assert_msg(check_src(src, &e) == MM_OK, "%s: %s", src, d.message);
	uint64_t f, m;
	ck_assert(mm_count_get_u64(e->info->cost.flops, &f));
	ck_assert(mm_count_get_u64(e->info->cost.macs, &m));
	ck_assert_msg(f == flops && m == macs, "%s: %llu FLOP (%llu MAC), want "
	              "%llu (%llu)", src, (unsigned long long)f,
	              (unsigned long long)m, (unsigned long long)flops,
	              (unsigned long long)macs);
	mm_arena_reset(&arena);
}

START_TEST(nn_costs)
{
	costs("logsumexp((4 x 5), axis=1)", 4 * 20, 0);
	costs("argmax((4 x 5), axis=1)", 20, 0);
	costs("sum((4 x 5 x 6), axis=(0, 2))", 120, 0);
	costs("maximum((4 x 5), (5,))", 20, 0);
	costs("where((4 x 1), (4 x 5), 0)", 20, 0);
	costs("greater((4 x 5), (5,))", 20, 0);
	costs("not_equal((3 x 1 x 5), (4 x 1))", 60, 0);
	/* einsum of three: (2x3)(3x4) then (2x4)(4x5), MACs m·k·n each */
	costs("einsum(\"ij,jk,kl->il\", (2 x 3), (3 x 4), (4 x 5))",
	      2 * (2 * 3 * 4 + 2 * 4 * 5), 2 * 3 * 4 + 2 * 4 * 5);
	/* the same chain given from the right costs its own order's */
	costs("einsum(\"kl,jk,ij->il\", (4 x 5), (3 x 4), (2 x 3))",
	      2 * (3 * 4 * 5 + 2 * 3 * 5), 3 * 4 * 5 + 2 * 3 * 5);
	/* an outer product kept (1 FLOP each), then a contraction */
	costs("einsum(\"i,j,ij->\", (3,), (4,), (3 x 4))", 12 + 2 * 12, 12);
	costs("clip((4 x 5), 0, 6)", 40, 0);
	costs("clip((4 x 5), max=6)", 20, 0);
	costs("tril((4 x 5))", 0, 0);
	costs("rmsnorm((4 x 5))", 3 * 20, 0);
	costs("rmsnorm((4 x 5), (5,))", 4 * 20, 0);
	costs("layernorm((4 x 5), (5,), (5,))", 5 * 20, 0);
	costs("dropout((4 x 5), 0.1)", 20, 0);
	/* two matmuls of 4·7·5 MACs, silu (4) and the product per output */
	costs("swiglu((4 x 5), (5 x 7), (5 x 7))", 4 * 4 * 7 * 5 + 5 * 28,
	      2 * 4 * 7 * 5);
	costs("permute((4 x 5), 1, 0)", 0, 0);
	costs("embedding((2 x 3), (10 x 4))", 0, 0);
	costs("take((10 x 4), (2 x 3), axis=1)", 0, 0);
	/* log-softmax 5 per logit, the mean 1 per target */
	costs("cross_entropy((8 x 10), (8,))", 5 * 80 + 8, 0);
	costs("cross_entropy((8 x 10), (8,), reduction=none)", 5 * 80, 0);
	/* bytes of a gather: the ids, the rows gathered, the result */
	mm_node *e;
	ck_assert_int_eq(check_src("embedding((2 x 3), (1000 x 4))", &e), MM_OK);
	uint64_t b;
	ck_assert(mm_count_get_u64(e->info->cost.bytes, &b));
	ck_assert_uint_eq(b, 6 * 4 + 2 * (6 * 4 * 4));
	mm_arena_reset(&arena);
	/* Chinchilla counts an embedding as a product with one-hot rows */
	const mm_convention_def *ch = mm_convention_at(1);
	ck_assert_str_eq(ch->name, "chinchilla");
	mm_node *x = mm_parse_expr_text("embedding((2 x 3), (10 x 4))", 28, 0,
	                                &arena, &d);
	mm_checker c;
	mm_checker_init(&c, &env, &arena, &d,
	                &(mm_check_opts){.dtype = MM_F32, .conv = &ch->c});
	ck_assert_int_eq(mm_check_expr(&c, x), MM_OK);
	ck_assert(mm_count_get_u64(x->info->cost.flops, &b));
	ck_assert_uint_eq(b, 2 * 6 * 10 * 4);
	mm_arena_reset(&arena);
}
END_TEST

/* Dropout in training keeps about 1 - p of the elements, scaled by
 * 1/(1 - p), the same ones for the same seed; evaluation is the
 * identity; gelu's approximate="tanh" is gelu_tanh. */
START_TEST(dropout_and_gelu)
{
	mm_tensor *x = mm_tensor_ones(MM_F64, 1, (int64_t[]){100000}, NULL);
	mm_rng_seed(&rng, 3);
	mm_tensor *y = mm_op_dropout(x, 0.25, &rng, &d);
	int64_t kept = 0;
	for (int64_t i = 0; i < 100000; i++) {
		double v = mm_tensor_get_flat(y, i);
		ck_assert(v == 0 || fabs(v - 4.0 / 3) < 1e-15);
		kept += v != 0;
	}
	/* 75000 expected; 5 standard deviations is 685 */
	ck_assert_int_lt(llabs(kept - 75000), 700);
	mm_rng_seed(&rng, 3);
	mm_tensor *y2 = mm_op_dropout(x, 0.25, &rng, &d);
	ck_assert(mm_tensor_get_flat(y2, 77) == mm_tensor_get_flat(y, 77));
	mm_tensor *z1 = mm_op_dropout(x, 1, &rng, &d);
	ck_assert(mm_tensor_get_flat(z1, 5) == 0);
	ck_assert_ptr_null(mm_op_dropout(x, 1.5, &rng, &d));
	mm_tensor *list[] = {x, y, y2, z1};
	for (size_t k = 0; k < 4; k++)
		mm_tensor_unref(list[k]);
	mm_node *e;
	ck_assert_int_eq(check_src("gelu((3,), approximate=\"tanh\")", &e),
	                 MM_OK);
	ck_assert_str_eq(e->info->fn->name, "gelu_tanh");
	ck_assert_int_eq(check_src("gelu((3,), approximate=\"none\")", &e),
	                 MM_OK);
	ck_assert_str_eq(e->info->fn->name, "gelu");
	ck_assert_int_eq(check_src("gelu((3,), approximate=\"erf\")", &e),
	                 MM_ERR_ARG);
	ck_assert_int_eq(check_src("exp((3,), approximate=\"tanh\")", &e),
	                 MM_ERR_ARG);
	mm_arena_reset(&arena);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nn");
	TCase *tc = tcase_create("nn");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, numpy_shapes);
	tcase_add_test(tc, numpy_views);
	tcase_add_test(tc, numpy_values);
	tcase_add_test(tc, axes_views);
	tcase_add_test(tc, axes_errors);
	tcase_add_test(tc, axes_symbols);
	tcase_add_test(tc, nn_costs);
	tcase_add_test(tc, dropout_and_gelu);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mm_arena_free(&arena);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
