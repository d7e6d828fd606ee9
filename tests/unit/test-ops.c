/* test-ops.c — elementwise ops and broadcasting, reductions, softmax,
 * layernorm, reshape, concat and matmul, including empty tensors, 0-d and
 * 1-D operands, non-contiguous views and both dtypes. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/ops.h"

#define S(...) ((const int64_t[]){__VA_ARGS__})
#define V(...) ((const double[]){__VA_ARGS__})

static mm_tensor *mk(mm_dtype dt, int nd, const int64_t *shape,
                     const double *v)
{
	mm_tensor *t = mm_tensor_from_doubles(dt, nd, shape, v, NULL);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* 0, 1, 2, ... in the given shape */
static mm_tensor *seq(mm_dtype dt, int nd, const int64_t *shape)
{
	int64_t n = 1;
	for (int i = 0; i < nd; i++)
		n *= shape[i];
	double *v = malloc((size_t)(n + 1) * sizeof *v);
	for (int64_t i = 0; i < n; i++)
		v[i] = (double)i;
	mm_tensor *t = mk(dt, nd, shape, v);
	free(v);
	return t;
}

static void expect_shape(const mm_tensor *t, int nd, const int64_t *shape)
{
	ck_assert_int_eq(t->ndim, nd);
	for (int i = 0; i < nd; i++)
		ck_assert_int_eq(t->shape[i], shape[i]);
}

static void expect_vals(const mm_tensor *t, const double *v, double tol)
{
	for (int64_t i = 0; i < mm_tensor_numel(t); i++) {
		double g = mm_tensor_get_flat(t, i);
		ck_assert_msg(fabs(g - v[i]) <= tol ||
		                      (isnan(g) && isnan(v[i])),
		              "element %lld: %.17g, want %.17g", (long long)i,
		              g, v[i]);
	}
}

static mm_tensor *binop(mm_binop op, const mm_tensor *a, const mm_tensor *b)
{
	mm_diag d;
	mm_tensor *r = mm_op_binary(op, a, b, &d);
	ck_assert_msg(r != NULL, "%s", d.message);
	return r;
}

static void unref_all(mm_tensor **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mm_tensor_unref(list[i]);
}

#define UNREF(...)                                                           \
	do {                                                                 \
		mm_tensor *l_[] = {__VA_ARGS__};                             \
		unref_all(l_, sizeof l_ / sizeof l_[0]);                     \
	} while (0)

START_TEST(test_broadcast_basic)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	mm_tensor *a = seq(dt, 2, S(2, 3)), *row = mk(dt, 1, S(3), V(10, 20, 30));
	mm_tensor *r = binop(MM_OP_ADD, a, row);
	expect_shape(r, 2, S(2, 3));
	expect_vals(r, V(10, 21, 32, 13, 24, 35), 0);
	mm_tensor *col = mk(dt, 2, S(2, 1), V(1, 2));
	mm_tensor *r2 = binop(MM_OP_MUL, col, row); /* (2,1)*(3,) → (2,3) */
	expect_shape(r2, 2, S(2, 3));
	expect_vals(r2, V(10, 20, 30, 20, 40, 60), 0);
	mm_tensor *s = mm_tensor_scalar(dt, 2, NULL);
	mm_tensor *r3 = binop(MM_OP_SUB, s, a); /* 0-d with 2-D */
	expect_vals(r3, V(2, 1, 0, -1, -2, -3), 0);
	mm_tensor *r4 = binop(MM_OP_DIV, s, s); /* 0-d with 0-d */
	ck_assert_int_eq(r4->ndim, 0);
	ck_assert(mm_tensor_item(r4) == 1);
	mm_tensor *r5 = binop(MM_OP_POW, a, s);
	expect_vals(r5, V(0, 1, 4, 9, 16, 25), 0);
	ck_assert_int_eq(r5->dtype, dt);
	UNREF(a, row, r, col, r2, s, r3, r4, r5);
}
END_TEST

START_TEST(test_broadcast_4d_and_errors)
{
	mm_tensor *a = seq(MM_F64, 4, S(2, 1, 3, 1)), *b = seq(MM_F64, 3, S(4, 1, 5));
	mm_tensor *r = binop(MM_OP_ADD, a, b);
	expect_shape(r, 4, S(2, 4, 3, 5));
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 4; j++)
			for (int k = 0; k < 3; k++)
				for (int l = 0; l < 5; l++)
					ck_assert(mm_tensor_get(r, S(i, j, k, l)) ==
					          (i * 3 + k) + (j * 5 + l));
	mm_diag d;
	mm_tensor *c = seq(MM_F64, 1, S(2));
	mm_tensor *m = seq(MM_F64, 2, S(2, 3));
	ck_assert_ptr_null(mm_op_binary(MM_OP_ADD, m, c, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	/* the checker's message (shape.c), not one of ops' own */
	ck_assert_msg(strstr(d.message, "(2 x 3)") && strstr(d.message, "(2,)"),
	              "%s", d.message);
	mm_tensor *e03 = seq(MM_F64, 2, S(0, 3)), *e1 = seq(MM_F64, 1, S(1));
	mm_tensor *e0 = seq(MM_F64, 1, S(0)), *r2 = binop(MM_OP_ADD, e03, e1);
	expect_shape(r2, 2, S(0, 3));
	ck_assert_ptr_null(mm_op_binary(MM_OP_ADD, e0, c, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	UNREF(a, b, r, c, m);
	UNREF(e03, e1, e0, r2);
}
END_TEST

START_TEST(test_empty_elementwise)
{
	mm_tensor *e = mm_tensor_zeros(MM_F32, 2, S(0, 3), NULL);
	mm_tensor *row = seq(MM_F32, 2, S(1, 3));
	mm_tensor *r = binop(MM_OP_ADD, e, row);
	expect_shape(r, 2, S(0, 3));
	mm_tensor *e2 = mm_tensor_zeros(MM_F64, 2, S(2, 0), NULL);
	mm_tensor *c = seq(MM_F64, 2, S(2, 1));
	mm_tensor *r2 = binop(MM_OP_MUL, e2, c);
	expect_shape(r2, 2, S(2, 0));
	mm_tensor *u = mm_op_unary(MM_OP_EXP, e, NULL);
	expect_shape(u, 2, S(0, 3));
	UNREF(e, row, r, e2, c, r2, u);
}
END_TEST

START_TEST(test_noncontiguous_and_promotion)
{
	/* a.T[::-1] + b where a is f32 and b f64: f64 result */
	mm_tensor *a = seq(MM_F32, 2, S(2, 3));
	mm_tensor *t = mm_tensor_transpose(a, NULL);
	mm_index ix = {MM_INDEX_SLICE, 0, 0, 0, -1, false, false, true};
	mm_tensor *v = mm_tensor_index(t, &ix, 1, NULL); /* [[2,5],[1,4],[0,3]] */
	mm_tensor *b = mk(MM_F64, 1, S(2), V(0.5, 0.25));
	mm_tensor *r = binop(MM_OP_ADD, v, b);
	ck_assert_int_eq(r->dtype, MM_F64);
	expect_shape(r, 2, S(3, 2));
	expect_vals(r, V(2.5, 5.25, 1.5, 4.25, 0.5, 3.25), 0);
	mm_tensor *n = mm_op_unary(MM_OP_NEG, v, NULL);
	expect_vals(n, V(-2, -5, -1, -4, 0, -3), 0);
	ck_assert(mm_tensor_is_contiguous(n));
	/* a strided view broadcast against a column */
	mm_index st[2] = {MM_INDEX_ALL, {MM_INDEX_SLICE, 0, 0, 0, 2, false,
	                                 false, true}};
	mm_tensor *w = mm_tensor_index(a, st, 2, NULL); /* [[0,2],[3,5]] */
	mm_tensor *col = mk(MM_F32, 2, S(2, 1), V(100, 200));
	mm_tensor *r2 = binop(MM_OP_SUB, col, w);
	expect_vals(r2, V(100, 98, 197, 195), 0);
	UNREF(a, t, v, b, r, n, w, col, r2);
}
END_TEST

START_TEST(test_mod_div_pow)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	mm_tensor *x = mk(dt, 1, S(6), V(-7, 7, 6, 1, -7.5, -0.0));
	mm_tensor *y = mk(dt, 1, S(6), V(3, -3, -3, 0, 2, 3));
	mm_tensor *m = binop(MM_OP_MOD, x, y);
	/* NumPy: np.mod gives 2, -2, -0, nan, 0.5, 0 */
	expect_vals(m, V(2, -2, 0, NAN, 0.5, 0), 0);
	ck_assert(signbit(mm_tensor_get_flat(m, 2)));
	ck_assert(!signbit(mm_tensor_get_flat(m, 5)));
	mm_tensor *q = binop(MM_OP_DIV, x, y);
	ck_assert(isinf(mm_tensor_get_flat(q, 3)));
	mm_tensor *two = mm_tensor_scalar(dt, 2, NULL);
	mm_tensor *p = binop(MM_OP_POW, y, two);
	expect_vals(p, V(9, 9, 9, 0, 4, 9), 0);
	UNREF(x, y, m, q, p, two);
}
END_TEST

START_TEST(test_unary_values)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	double tol = _i ? 1e-6 : 1e-15;
	mm_tensor *x = mk(dt, 1, S(4), V(1, -2, 0.5, 0));
	struct {
		mm_unop op;
		double (*f)(double);
	} cases[] = {{MM_OP_EXP, exp}, {MM_OP_TANH, tanh}, {MM_OP_SIN, sin},
	             {MM_OP_COS, cos}, {MM_OP_ABS, fabs}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		mm_tensor *r = mm_op_unary(cases[c].op, x, NULL);
		for (int i = 0; i < 4; i++) {
			double in = mm_tensor_get_flat(x, i);
			ck_assert_double_eq_tol(mm_tensor_get_flat(r, i),
			                        cases[c].f(in),
			                        tol * fmax(1, fabs(cases[c].f(in))));
		}
		mm_tensor_unref(r);
	}
	mm_tensor *g = mm_op_unary(MM_OP_GELU, x, NULL);
	/* erf form: gelu(1) and gelu(-2) as PyTorch (approximate='none') */
	expect_vals(g, V(0.8413447460685429, -0.04550026389635842,
	                 0.34573123063700656, 0), tol);
	mm_tensor *rl = mm_op_unary(MM_OP_RELU, x, NULL);
	expect_vals(rl, V(1, 0, 0.5, 0), 0);
	mm_tensor *big = mk(dt, 1, S(4), V(-1000, 1000, NAN, 0));
	mm_tensor *sg = mm_op_unary(MM_OP_SIGMOID, big, NULL);
	expect_vals(sg, V(0, 1, NAN, 0.5), 0);
	mm_tensor *rn = mm_op_unary(MM_OP_RELU, big, NULL);
	expect_vals(rn, V(0, 1000, NAN, 0), 0);
	mm_tensor *lg = mm_op_unary(MM_OP_LOG, x, NULL);
	ck_assert(isnan(mm_tensor_get_flat(lg, 1)));
	ck_assert(isinf(mm_tensor_get_flat(lg, 3)));
	mm_tensor *four = mm_tensor_scalar(dt, 4, NULL);
	mm_tensor *sq = mm_op_unary(MM_OP_SQRT, four, NULL);
	ck_assert(mm_tensor_item(sq) == 2);
	mm_tensor *deg = mk(dt, 1, S(2), V(180, 30));
	mm_tensor *rad = mm_op_unary(MM_OP_DEG2RAD, deg, NULL);
	expect_vals(rad, V(M_PI, M_PI / 6), tol);
	mm_tensor *back = mm_op_unary(MM_OP_RAD2DEG, rad, NULL);
	expect_vals(back, V(180, 30), tol * 200);
	mm_tensor_unref(g);
	/* silu as PyTorch's SiLU: x / (1 + exp(-x)), from its definition */
	mm_tensor *sl = mm_op_unary(MM_OP_SILU, big, NULL);
	expect_vals(sl, V(-0.0, 1000, NAN, 0), 0);
	mm_tensor *sx = mm_op_unary(MM_OP_SILU, x, NULL);
	for (int i = 0; i < 4; i++) {
		double in = mm_tensor_get_flat(x, i), want = in / (1 + exp(-in));
		ck_assert_double_eq_tol(mm_tensor_get_flat(sx, i), want,
		                        tol * fmax(1, fabs(want)));
	}
	UNREF(x, rl, big, sg, rn, lg, four, sq, deg, rad, back, sl, sx);
}
END_TEST

START_TEST(test_names)
{
	mm_unop u;
	mm_reduce r;
	ck_assert(mm_op_unop_parse("gelu", &u) && u == MM_OP_GELU);
	ck_assert(!mm_op_unop_parse("nope", &u));
	ck_assert(mm_op_reduce_parse("norm", &r) && r == MM_RED_NORM);
	ck_assert_str_eq(mm_op_binop_name(MM_OP_POW), "**");
	ck_assert_str_eq(mm_op_unop_name(MM_OP_DEG2RAD), "deg2rad");
	ck_assert_str_eq(mm_op_reduce_name(MM_RED_MEAN), "mean");
}
END_TEST

static mm_tensor *red(mm_reduce op, const mm_tensor *x, int axis, bool keep)
{
	mm_diag d;
	mm_tensor *r = mm_op_reduce(op, x, axis, keep, &d);
	ck_assert_msg(r != NULL, "%s", d.message);
	return r;
}

START_TEST(test_reductions)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	double tol = _i ? 1e-5 : 1e-13;
	mm_tensor *x = mk(dt, 2, S(2, 3), V(1, 2, 3, 4, 5, 7));
	mm_tensor *s = red(MM_RED_SUM, x, MM_AXIS_ALL, false);
	ck_assert_int_eq(s->ndim, 0);
	ck_assert(mm_tensor_item(s) == 22);
	mm_tensor *sk = red(MM_RED_SUM, x, MM_AXIS_ALL, true);
	expect_shape(sk, 2, S(1, 1));
	mm_tensor *s0 = red(MM_RED_SUM, x, 0, false);
	expect_shape(s0, 1, S(3));
	expect_vals(s0, V(5, 7, 10), 0);
	mm_tensor *m1 = red(MM_RED_MEAN, x, -1, true);
	expect_shape(m1, 2, S(2, 1));
	expect_vals(m1, V(2, 16.0 / 3), tol);
	mm_tensor *mx = red(MM_RED_MAX, x, 1, false);
	expect_vals(mx, V(3, 7), 0);
	mm_tensor *mn = red(MM_RED_MIN, x, 0, false);
	expect_vals(mn, V(1, 2, 3), 0);
	mm_tensor *nr = red(MM_RED_NORM, x, MM_AXIS_ALL, false);
	expect_vals(nr, V(10.198039027185569), tol);
	mm_tensor *n0 = red(MM_RED_NORM, x, 0, false);
	expect_vals(n0, V(4.123105625617661, 5.385164807134504,
	                  7.615773105863909), tol);
	/* a transposed view reduces over its own axes */
	mm_tensor *t = mm_tensor_transpose(x, NULL);
	mm_tensor *st = red(MM_RED_SUM, t, 1, false);
	expect_vals(st, V(5, 7, 10), 0);
	/* 3-D middle axis */
	mm_tensor *c = seq(dt, 3, S(2, 3, 2));
	mm_tensor *cm = red(MM_RED_MAX, c, 1, true);
	expect_shape(cm, 3, S(2, 1, 2));
	expect_vals(cm, V(4, 5, 10, 11), 0);
	mm_tensor *z = mm_tensor_scalar(dt, 3, NULL);
	mm_tensor *sc = red(MM_RED_SUM, z, MM_AXIS_ALL, false);
	ck_assert_int_eq(sc->ndim, 0);
	ck_assert(mm_tensor_item(sc) == 3);
	UNREF(x, s, sk, s0, m1, mx, mn, nr, n0, t, st, c, cm, z, sc);
}
END_TEST

START_TEST(test_reductions_empty_nan_errors)
{
	mm_diag d;
	mm_tensor *e = mm_tensor_zeros(MM_F64, 2, S(0, 3), NULL);
	mm_tensor *s = red(MM_RED_SUM, e, MM_AXIS_ALL, false);
	ck_assert(mm_tensor_item(s) == 0);
	mm_tensor *m = red(MM_RED_MEAN, e, MM_AXIS_ALL, false);
	ck_assert(isnan(mm_tensor_item(m)));
	mm_tensor *s0 = red(MM_RED_SUM, e, 0, false);
	expect_vals(s0, V(0, 0, 0), 0);
	mm_tensor *n0 = red(MM_RED_NORM, e, 0, false);
	expect_vals(n0, V(0, 0, 0), 0);
	mm_tensor *x1 = red(MM_RED_MAX, e, 1, false); /* shape (0,): fine */
	expect_shape(x1, 1, S(0));
	ck_assert_ptr_null(mm_op_reduce(MM_RED_MAX, e, 0, false, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	ck_assert_ptr_nonnull(strstr(d.message, "zero-size"));
	ck_assert_ptr_null(mm_op_reduce(MM_RED_MIN, e, MM_AXIS_ALL, false, &d));
	ck_assert_ptr_null(mm_op_reduce(MM_RED_SUM, e, 2, false, &d));
	ck_assert_ptr_nonnull(strstr(d.message, "out of range"));
	ck_assert_ptr_null(mm_op_reduce(MM_RED_SUM, e, -3, false, &d));
	mm_tensor *n = mk(MM_F32, 1, S(4), V(1, NAN, 3, -1));
	mm_tensor *nm = red(MM_RED_MAX, n, MM_AXIS_ALL, false);
	ck_assert(isnan(mm_tensor_item(nm)));
	mm_tensor *nn = red(MM_RED_MIN, n, 0, false);
	ck_assert(isnan(mm_tensor_item(nn)));
	/* f32 sums accumulate in double: 1e7 ones are exact */
	mm_tensor *ones = mm_tensor_ones(MM_F32, 1, S(10000001), NULL);
	mm_tensor *os = red(MM_RED_SUM, ones, MM_AXIS_ALL, false);
	ck_assert(mm_tensor_item(os) == 10000001);
	UNREF(e, s, m, s0, n0, x1, n, nm, nn, ones, os);
}
END_TEST

START_TEST(test_softmax)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	double tol = _i ? 1e-6 : 1e-15;
	mm_tensor *x = mk(dt, 2, S(2, 3), V(1, 2, 3, 1000, 1001, 1002));
	mm_tensor *s = mm_op_softmax(x, -1, NULL);
	double w[3] = {0.09003057317038046, 0.24472847105479767,
	               0.6652409557748219};
	expect_vals(s, V(w[0], w[1], w[2], w[0], w[1], w[2]), tol);
	mm_tensor *s0 = mm_op_softmax(x, 0, NULL);
	expect_vals(s0, V(0, 0, 0, 1, 1, 1), tol);
	mm_tensor *t = mm_tensor_transpose(x, NULL);
	mm_tensor *st = mm_op_softmax(t, 0, NULL);
	expect_vals(st, V(w[0], w[0], w[1], w[1], w[2], w[2]), tol);
	mm_diag d;
	mm_tensor *z = mm_tensor_scalar(dt, 1, NULL);
	ck_assert_ptr_null(mm_op_softmax(z, -1, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	mm_tensor *e = mm_tensor_zeros(dt, 2, S(0, 4), NULL);
	mm_tensor *se = mm_op_softmax(e, -1, NULL);
	expect_shape(se, 2, S(0, 4));
	/* A NaN anywhere in a row makes the whole row NaN, as in NumPy,
	 * wherever it falls among the four running sums; other rows keep
	 * their values. Rows of 9: two groups of four and one left over. */
	mm_tensor *n = mk(dt, 2, S(2, 9), V(1, 2, 3, 4, 5, 6, 7, 8, 9,
	                                   0, 0, 0, 0, 0, 0, NAN, 0, 0));
	mm_tensor *sn = mm_op_softmax(n, -1, NULL);
	for (int j = 0; j < 9; j++) {
		ck_assert(isnan(mm_tensor_get_flat(sn, 9 + j)));
		double want = exp(j + 1 - 9.0) / (exp(-8.0) * (exp(9.0) - 1) /
		                                 (exp(1.0) - 1));
		ck_assert_msg(fabs(mm_tensor_get_flat(sn, j) - want) <= tol,
		              "%d: %.17g vs %.17g", j, mm_tensor_get_flat(sn, j), want);
	}
	UNREF(x, s, s0, t, st, z, e, se, n, sn);
}
END_TEST

START_TEST(test_layernorm)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	double tol = _i ? 1e-6 : 1e-14;
	mm_tensor *x = mk(dt, 2, S(2, 3), V(1, 2, 3, 4, 5, 7));
	mm_tensor *y = mm_op_layernorm(x, NULL, NULL, NULL);
	/* NumPy: (x - mean) / sqrt(var + 1e-5) over the last axis */
	double r0[3] = {-1.2247356859083902, 0.0, 1.2247356859083902};
	double r1[3] = {-1.0690415314502972, -0.26726038286257414,
	                1.3363019143128723};
	expect_vals(y, V(r0[0], r0[1], r0[2], r1[0], r1[1], r1[2]), tol);
	mm_tensor *w = mk(dt, 1, S(3), V(2, 2, 2)), *b = mk(dt, 1, S(3), V(1, 0, -1));
	mm_tensor *yw = mm_op_layernorm(x, w, b, NULL);
	expect_vals(yw, V(2 * r0[0] + 1, 0, 2 * r0[2] - 1, 2 * r1[0] + 1,
	                  2 * r1[1], 2 * r1[2] - 1), tol * 4);
	mm_diag d;
	mm_tensor *bad = mk(dt, 1, S(2), V(1, 1));
	ck_assert_ptr_null(mm_op_layernorm(x, bad, NULL, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	mm_tensor *z = mm_tensor_scalar(dt, 1, NULL);
	ck_assert_ptr_null(mm_op_layernorm(z, NULL, NULL, &d));
	UNREF(x, y, w, b, yw, bad, z);
}
END_TEST

START_TEST(test_reshape)
{
	mm_tensor *x = seq(MM_F64, 2, S(2, 6));
	mm_tensor *r = mm_op_reshape(x, 3, S(3, -1, 2), NULL);
	expect_shape(r, 3, S(3, 2, 2));
	ck_assert_ptr_eq(r->data, x->data); /* a view */
	mm_tensor *t = mm_tensor_transpose(x, NULL);
	mm_tensor *rt = mm_op_reshape(t, 1, S(-1), NULL);
	ck_assert_ptr_ne(rt->data, x->data); /* a copy */
	expect_vals(rt, V(0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11), 0);
	mm_tensor *z = mm_tensor_scalar(MM_F64, 5, NULL);
	mm_tensor *s = mm_op_reshape(z, 2, S(1, 1), NULL);
	expect_vals(s, V(5), 0);
	mm_diag d;
	ck_assert_ptr_null(mm_op_reshape(x, 2, S(5, 2), &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	ck_assert_ptr_null(mm_op_reshape(x, 2, S(-1, -1), &d));
	mm_tensor *e = mm_tensor_zeros(MM_F64, 2, S(0, 4), NULL);
	mm_tensor *e2 = mm_op_reshape(e, 3, S(2, 0, 3), NULL);
	expect_shape(e2, 3, S(2, 0, 3));
	ck_assert_ptr_null(mm_op_reshape(e, 2, S(-1, 0), &d));
	UNREF(x, r, t, rt, z, s, e, e2);
}
END_TEST

START_TEST(test_concat)
{
	mm_tensor *a = seq(MM_F32, 2, S(2, 2)), *b = mk(MM_F64, 2, S(1, 2), V(9, 8));
	const mm_tensor *l[] = {a, b};
	mm_tensor *c = mm_op_concat(l, 2, 0, NULL);
	ck_assert_int_eq(c->dtype, MM_F64);
	expect_shape(c, 2, S(3, 2));
	expect_vals(c, V(0, 1, 2, 3, 9, 8), 0);
	mm_tensor *bt = mm_tensor_transpose(b, NULL); /* (2,1) view */
	const mm_tensor *l2[] = {a, bt, a};
	mm_tensor *c2 = mm_op_concat(l2, 3, -1, NULL);
	expect_shape(c2, 2, S(2, 5));
	expect_vals(c2, V(0, 1, 9, 0, 1, 2, 3, 8, 2, 3), 0);
	mm_tensor *e = mm_tensor_zeros(MM_F32, 2, S(0, 2), NULL);
	const mm_tensor *l3[] = {e, a, e};
	mm_tensor *c3 = mm_op_concat(l3, 3, 0, NULL);
	expect_shape(c3, 2, S(2, 2));
	mm_diag d;
	const mm_tensor *bad[] = {a, bt};
	ck_assert_ptr_null(mm_op_concat(bad, 2, 0, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	mm_tensor *z = mm_tensor_scalar(MM_F32, 1, NULL);
	const mm_tensor *zz[] = {z, z};
	ck_assert_ptr_null(mm_op_concat(zz, 2, 0, &d));
	ck_assert_ptr_null(mm_op_concat(l, 2, 2, &d));
	UNREF(a, b, c, bt, c2, e, c3, z);
}
END_TEST

/* C = A @ B the slow way, for 2-D tensors of any strides. */
static void expect_matmul2(const mm_tensor *c, const mm_tensor *a,
                           const mm_tensor *b, double tol)
{
	int64_t m = a->shape[0], k = a->shape[1], n = b->shape[1];
	expect_shape(c, 2, S(m, n));
	for (int64_t i = 0; i < m; i++)
		for (int64_t j = 0; j < n; j++) {
			double s = 0;
			for (int64_t p = 0; p < k; p++)
				s += mm_tensor_get(a, S(i, p)) *
				     mm_tensor_get(b, S(p, j));
			ck_assert_double_eq_tol(mm_tensor_get(c, S(i, j)), s,
			                        tol * fmax(1, fabs(s)));
		}
}

START_TEST(test_matmul_2d_views)
{
	mm_dtype dt = _i ? MM_F32 : MM_F64;
	double tol = _i ? 1e-6 : 1e-14;
	mm_rng r;
	mm_rng_seed(&r, 5);
	mm_tensor *a = mm_tensor_randn(&r, dt, 2, S(7, 5), NULL);
	mm_tensor *b = mm_tensor_randn(&r, dt, 2, S(5, 3), NULL);
	mm_tensor *c = mm_op_matmul(a, b, NULL);
	expect_matmul2(c, a, b, tol);
	/* transposed operands (strided, no copy needed) */
	mm_tensor *bt = mm_tensor_transpose(b, NULL), *at = mm_tensor_transpose(a, NULL);
	mm_tensor *c2 = mm_op_matmul(bt, at, NULL);
	expect_matmul2(c2, bt, at, tol);
	/* reversed rows (negative stride: copied) and a step-2 slice */
	mm_index rev = {MM_INDEX_SLICE, 0, 0, 0, -1, false, false, true};
	mm_tensor *ar = mm_tensor_index(a, &rev, 1, NULL);
	mm_index sl[2] = {MM_INDEX_ALL, {MM_INDEX_SLICE, 0, 0, 0, 2, false,
	                                 false, true}};
	mm_tensor *bs = mm_tensor_index(b, sl, 2, NULL); /* 5x2 */
	mm_tensor *c3 = mm_op_matmul(ar, bs, NULL);
	expect_matmul2(c3, ar, bs, tol);
	/* k = 0 gives zeros, m = 0 gives an empty result */
	mm_tensor *z1 = mm_tensor_zeros(dt, 2, S(3, 0), NULL);
	mm_tensor *z2 = mm_tensor_zeros(dt, 2, S(0, 4), NULL);
	mm_tensor *zz = mm_op_matmul(z1, z2, NULL);
	expect_shape(zz, 2, S(3, 4));
	expect_vals(zz, V(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0);
	mm_tensor *z2t = mm_tensor_transpose(z2, NULL);
	mm_tensor *ze = mm_op_matmul(z2, z2t, NULL);
	expect_shape(ze, 2, S(0, 0));
	UNREF(a, b, c, bt, at, c2, ar, bs, c3, z1, z2, zz, z2t, ze);
}
END_TEST

START_TEST(test_matmul_1d_batched_errors)
{
	mm_tensor *v = mk(MM_F64, 1, S(3), V(1, 2, 3));
	mm_tensor *m = seq(MM_F64, 2, S(3, 2)); /* [[0,1],[2,3],[4,5]] */
	mm_tensor *vm = mm_op_matmul(v, m, NULL);
	expect_shape(vm, 1, S(2));
	expect_vals(vm, V(16, 22), 0);
	mm_tensor *mt = mm_tensor_transpose(m, NULL);
	mm_tensor *mv = mm_op_matmul(mt, v, NULL);
	expect_shape(mv, 1, S(2));
	expect_vals(mv, V(16, 22), 0);
	mm_tensor *vv = mm_op_matmul(v, v, NULL);
	ck_assert_int_eq(vv->ndim, 0);
	ck_assert(mm_tensor_item(vv) == 14);
	/* batched with broadcasting: (2,1,3,4) @ (5,4,2) -> (2,5,3,2) */
	mm_tensor *A = seq(MM_F64, 4, S(2, 1, 3, 4));
	mm_tensor *B = seq(MM_F64, 3, S(5, 4, 2));
	mm_tensor *C = mm_op_matmul(A, B, NULL);
	expect_shape(C, 4, S(2, 5, 3, 2));
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 5; j++)
			for (int r = 0; r < 3; r++)
				for (int c = 0; c < 2; c++) {
					double s = 0;
					for (int p = 0; p < 4; p++)
						s += mm_tensor_get(A, S(i, 0, r, p)) *
						     mm_tensor_get(B, S(j, p, c));
					ck_assert(mm_tensor_get(C, S(i, j, r, c)) == s);
				}
	/* batched @ 1-D: (5,4,2) @ (2,) -> (5,4) */
	mm_tensor *w = mk(MM_F32, 1, S(2), V(1, -1));
	mm_tensor *Bw = mm_op_matmul(B, w, NULL);
	ck_assert_int_eq(Bw->dtype, MM_F64);
	expect_shape(Bw, 2, S(5, 4));
	expect_vals(Bw, V(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	                  -1, -1, -1, -1, -1, -1, -1), 0);
	mm_diag d;
	mm_tensor *s = mm_tensor_scalar(MM_F64, 2, NULL);
	ck_assert_ptr_null(mm_op_matmul(s, m, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	ck_assert_ptr_null(mm_op_matmul(m, m, &d));
	ck_assert_msg(strstr(d.message, "(3 x 2)"), "%s", d.message);
	mm_tensor *B3 = seq(MM_F64, 3, S(3, 4, 2));
	mm_tensor *A2 = seq(MM_F64, 3, S(2, 3, 4));
	ck_assert_ptr_null(mm_op_matmul(A2, B3, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	UNREF(v, m, vm, mt, mv, vv, A, B, C, w, Bw, s, B3, A2);
}
END_TEST

START_TEST(test_binary_into_and_interrupt)
{
	mm_tensor *a = seq(MM_F32, 1, S(100000)), *b = seq(MM_F32, 1, S(100000));
	mm_tensor *out = mm_tensor_new(MM_F32, 1, S(100000), NULL);
	ck_assert_int_eq(mm_op_binary_into(MM_OP_ADD, a, b, out, NULL), MM_OK);
	ck_assert(mm_tensor_get_flat(out, 99999) == 199998);
	mm_diag d;
	mm_tensor *small = mm_tensor_new(MM_F32, 1, S(10), NULL);
	ck_assert_int_eq(mm_op_binary_into(MM_OP_ADD, a, b, small, &d),
	                 MM_ERR_SHAPE);
	mm_interrupt_request();
	ck_assert_ptr_null(mm_op_binary(MM_OP_MUL, a, b, &d));
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	ck_assert_ptr_null(mm_op_matmul(a, b, &d));
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	mm_interrupt_clear();
	mm_tensor *ok = mm_op_binary(MM_OP_MUL, a, b, &d);
	ck_assert_ptr_nonnull(ok);
	UNREF(a, b, out, small, ok);
}
END_TEST

START_TEST(test_matmul_promoted_view)
{
	/* a transposed f32 view times f64: the promoted copy is contiguous,
	 * so the GEMM must use the copy's strides, not the view's */
	mm_tensor *a = seq(MM_F32, 3, S(2, 3, 3));
	mm_tensor *at = mm_tensor_transpose(a, NULL);
	mm_tensor *v = mk(MM_F64, 1, S(3), V(1, 10, 100));
	mm_tensor *r = mm_op_matmul(at, v, NULL);
	ck_assert_int_eq(r->dtype, MM_F64);
	expect_shape(r, 2, S(2, 3));
	/* r[b, i] = sum_p a[b, p, i] * v[p] */
	expect_vals(r, V(630, 741, 852, 1629, 1740, 1851), 0);
	mm_tensor *vt = mm_tensor_cast(v, MM_F32, NULL);
	mm_tensor *m2 = mk(MM_F64, 2, S(3, 2), V(1, 2, 3, 4, 5, 6));
	mm_tensor *m2t = mm_tensor_transpose(m2, NULL); /* 2x3 f64 view */
	mm_tensor *r2 = mm_op_matmul(m2t, vt, NULL);
	expect_vals(r2, V(531, 642), 0);
	UNREF(a, at, v, r, vt, m2, m2t, r2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_create("elementwise");
	tcase_add_loop_test(tc, test_broadcast_basic, 0, 2);
	tcase_add_test(tc, test_broadcast_4d_and_errors);
	tcase_add_test(tc, test_empty_elementwise);
	tcase_add_test(tc, test_noncontiguous_and_promotion);
	tcase_add_loop_test(tc, test_mod_div_pow, 0, 2);
	tcase_add_loop_test(tc, test_unary_values, 0, 2);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_binary_into_and_interrupt);
	suite_add_tcase(s, tc);
	tc = tcase_create("reduce");
	tcase_add_loop_test(tc, test_reductions, 0, 2);
	tcase_add_test(tc, test_reductions_empty_nan_errors);
	tcase_add_loop_test(tc, test_softmax, 0, 2);
	tcase_add_loop_test(tc, test_layernorm, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("shape");
	tcase_add_test(tc, test_reshape);
	tcase_add_test(tc, test_concat);
	tcase_add_loop_test(tc, test_matmul_2d_views, 0, 2);
	tcase_add_test(tc, test_matmul_1d_batched_errors);
	tcase_add_test(tc, test_matmul_promoted_view);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
