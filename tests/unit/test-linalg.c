/* test-linalg.c — QR against NumPy/LAPACK, and the walkthrough: every
 * seed fixture of tests/data reproduced from its inputs with ops and
 * linalg, in f64 and in f32 (relative error max|got-want| / max|want|
 * <= 1e-12 for f64, 1e-5 for f32). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/linalg.h"
#include "mmcalc/ops.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

/* Reads a v1.0 .npy of '<f8' in C order (all the seed fixtures are);
 * anything else fails the test. The real loader lives in src/io. */
static mm_tensor *npy(const char *name)
{
	char path[512], hdr[256];
	snprintf(path, sizeof path, "%s/%s.npy", MM_TEST_DATA, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	unsigned char pre[10];
	ck_assert_int_eq(fread(pre, 1, 10, f), 10);
	ck_assert(memcmp(pre, "\x93NUMPY\x01\x00", 8) == 0);
	size_t hl = pre[8] | (size_t)pre[9] << 8;
	ck_assert(hl < sizeof hdr);
	ck_assert_int_eq(fread(hdr, 1, hl, f), hl);
	hdr[hl] = '\0';
	ck_assert_ptr_nonnull(strstr(hdr, "'descr': '<f8'"));
	ck_assert_ptr_nonnull(strstr(hdr, "'fortran_order': False"));
	const char *p = strchr(strstr(hdr, "'shape':"), '(') + 1;
	int64_t shape[MM_MAX_NDIM];
	int nd = 0;
	while (*p != ')') {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p) {
			p++;
			continue;
		}
		shape[nd++] = v;
		p = end;
	}
	mm_tensor *t = mm_tensor_new(MM_F64, nd, shape, NULL);
	ck_assert_ptr_nonnull(t);
	size_t n = (size_t)mm_tensor_numel(t);
	ck_assert_int_eq(fread(t->data, 8, n, f), n);
	fclose(f);
	return t;
}

/* The dtype the walkthrough runs in (f64, then f32) and its tolerance:
 * the 1e-12 for f64 and 1e-5 for f32. */
static mm_dtype dt = MM_F64;
#define TOL (dt == MM_F64 ? 1e-12 : 1e-5)

/* An input fixture in the walkthrough's dtype. */
static mm_tensor *in(const char *name)
{
	mm_tensor *t = npy(name), *c = mm_tensor_cast(t, dt, NULL);
	mm_tensor_unref(t);
	return c;
}

/* max |got - want| / max |want| over all elements; shapes must agree. */
static double relerr(const mm_tensor *got, const mm_tensor *want)
{
	ck_assert_msg(mm_tensor_same_shape(got, want), "shapes differ");
	double num = 0, den = 0;
	for (int64_t i = 0; i < mm_tensor_numel(want); i++) {
		double g = mm_tensor_get_flat(got, i),
		       w = mm_tensor_get_flat(want, i);
		num = fmax(num, fabs(g - w));
		den = fmax(den, fabs(w));
	}
	return den > 0 ? num / den : num;
}

#define CHECK_CLOSE(got, want, tol)                                          \
	do {                                                                 \
		double e_ = relerr(got, want);                               \
		ck_assert_msg(e_ <= (tol), "%s vs %s: relative error %g",    \
		              #got, #want, e_);                              \
	} while (0)

static mm_tensor *mm(const mm_tensor *a, const mm_tensor *b)
{
	mm_diag d;
	mm_tensor *r = mm_op_matmul(a, b, &d);
	ck_assert_msg(r != NULL, "matmul: %s", d.message);
	return r;
}

static mm_tensor *bin(mm_binop op, const mm_tensor *a, const mm_tensor *b)
{
	mm_diag d;
	mm_tensor *r = mm_op_binary(op, a, b, &d);
	ck_assert_msg(r != NULL, "binary: %s", d.message);
	return r;
}

START_TEST(test_regression)
{
	dt = _i ? MM_F32 : MM_F64;
	mm_tensor *X = in("regression_X"), *w = in("regression_w"),
		  *y = npy("regression_y");
	mm_tensor *got = mm(X, w);
	CHECK_CLOSE(got, y, TOL);
	mm_tensor_unref(got);
	mm_tensor_unref(X);
	mm_tensor_unref(w);
	mm_tensor_unref(y);
}
END_TEST

START_TEST(test_layer)
{
	dt = _i ? MM_F32 : MM_F64;
	mm_tensor *W = in("layer_W"), *x = in("layer_x"), *b = in("layer_b"),
		  *out = npy("layer_out");
	mm_tensor *Wx = mm(W, x), *got = bin(MM_OP_ADD, Wx, b);
	CHECK_CLOSE(got, out, TOL);
	mm_tensor_unref(got);
	mm_tensor_unref(Wx);
	mm_tensor_unref(W);
	mm_tensor_unref(x);
	mm_tensor_unref(b);
	mm_tensor_unref(out);
}
END_TEST

START_TEST(test_mix)
{
	dt = _i ? MM_F32 : MM_F64;
	mm_tensor *B = in("mix_basis"), *c = in("mix_coeffs"),
		  *want = npy("mix_combo");
	mm_tensor *got = mm(B, c);
	CHECK_CLOSE(got, want, TOL);
	mm_tensor_unref(got);
	mm_tensor_unref(B);
	mm_tensor_unref(c);
	mm_tensor_unref(want);
}
END_TEST

START_TEST(test_projection)
{
	dt = _i ? MM_F32 : MM_F64;
	mm_tensor *M = in("proj_M"), *U = npy("proj_U"), *R = npy("proj_R"),
		  *v = in("proj_v"), *p = npy("proj_p");
	mm_tensor *q = NULL, *r = NULL;
	mm_diag d;
	ck_assert_int_eq(mm_linalg_qr(M, &q, &r, &d), MM_OK);
	CHECK_CLOSE(q, U, TOL);
	CHECK_CLOSE(r, R, TOL);
	mm_tensor *qt = mm_tensor_transpose(q, &d);
	mm_tensor *qtv = mm(qt, v), *got = mm(q, qtv);
	CHECK_CLOSE(got, p, TOL);
	mm_tensor *list[] = {got, qtv, qt, q, r, M, U, R, v, p};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

START_TEST(test_rotation)
{
	dt = _i ? MM_F32 : MM_F64;
	mm_tensor *Rw = npy("rot_R"), *v = in("rot_v"), *want = npy("rot_out");
	mm_tensor *deg = mm_tensor_scalar(dt, 30, NULL);
	mm_tensor *rad = mm_op_unary(MM_OP_DEG2RAD, deg, NULL);
	mm_tensor *ct = mm_op_unary(MM_OP_COS, rad, NULL),
		  *st = mm_op_unary(MM_OP_SIN, rad, NULL);
	double cv = mm_tensor_item(ct), sv = mm_tensor_item(st);
	int64_t s2[2] = {2, 2};
	mm_tensor *R = mm_tensor_from_doubles(
		dt, 2, s2, (const double[]){cv, -sv, sv, cv}, NULL);
	CHECK_CLOSE(R, Rw, TOL);
	mm_tensor *got = mm(R, v);
	CHECK_CLOSE(got, want, TOL);
	mm_tensor *list[] = {Rw, v, want, deg, rad, ct, st, R, got};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

START_TEST(test_attention)
{
	dt = _i ? MM_F32 : MM_F64;
	mm_tensor *X = in("attn_X"), *Wq = in("attn_Wq"), *Wk = in("attn_Wk"),
		  *Wv = in("attn_Wv");
	mm_tensor *Q = mm(X, Wq), *K = mm(X, Wk), *V = mm(X, Wv);
	mm_tensor *Qw = npy("attn_Q"), *Kw = npy("attn_K"), *Vw = npy("attn_V");
	CHECK_CLOSE(Q, Qw, TOL);
	CHECK_CLOSE(K, Kw, TOL);
	CHECK_CLOSE(V, Vw, TOL);
	mm_tensor *KT = mm_tensor_transpose(K, NULL);
	mm_tensor *S = mm(Q, KT), *Sw = npy("attn_scores");
	CHECK_CLOSE(S, Sw, TOL);
	mm_tensor *A = mm_op_softmax(S, -1, NULL), *Aw = npy("attn_A");
	CHECK_CLOSE(A, Aw, TOL);
	mm_tensor *C = mm(A, V), *Cw = npy("attn_context");
	CHECK_CLOSE(C, Cw, TOL);
	/* softmax(Q @ K.T / sqrt(4)) @ V */
	mm_tensor *four = mm_tensor_scalar(dt, 4, NULL);
	mm_tensor *r4 = mm_op_unary(MM_OP_SQRT, four, NULL);
	mm_tensor *Ss = bin(MM_OP_DIV, S, r4);
	mm_tensor *As = mm_op_softmax(Ss, -1, NULL);
	mm_tensor *Cs = mm(As, V), *Csw = npy("attn_scaled_context");
	CHECK_CLOSE(Cs, Csw, TOL);
	mm_tensor *list[] = {X, Wq, Wk, Wv, Q, K, V, Qw, Kw, Vw, KT, S, Sw, A,
	                     Aw, C, Cw, four, r4, Ss, As, Cs, Csw};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

START_TEST(test_fixture_check_can_fail)
{
	dt = MM_F64;
	/* a perturbed product must exceed the tolerance */
	mm_tensor *X = npy("regression_X"), *w = npy("regression_w"),
		  *y = npy("regression_y");
	mm_tensor *got = mm(X, w);
	((double *)got->data)[0] *= 1 + 1e-9;
	ck_assert(relerr(got, y) > 1e-12);
	mm_tensor_unref(got);
	mm_tensor_unref(X);
	mm_tensor_unref(w);
	mm_tensor_unref(y);
}
END_TEST

/* NumPy 1.24 numpy.linalg.qr of [[1,2,3],[4,5,6],[7,8,10],[1,0,1]] */
static const double M43[] = {1, 2, 3, 4, 5, 6, 7, 8, 10, 1, 0, 1};
static const double Q43[] = {
	-0.12216944, 0.56427649,  0.81229142,  -0.48867778,
	0.23175642,  -0.15017152, -0.85518611, -0.10076366,
	-0.10921565, -0.12216944, -0.78595654, 0.55290424};
static const double R43[] = {-8.18535277, -9.52921666, -11.97260555, 0,
                             1.48122579,  1.28977484,  0,            0,
                             0.99659284};

static void qr_check(mm_dtype dt, const int64_t *shape, const double *a,
                     const double *wq, const double *wr, double tol)
{
	mm_tensor *A = mm_tensor_from_doubles(dt, 2, shape, a, NULL);
	mm_tensor *q, *r;
	ck_assert_int_eq(mm_linalg_qr(A, &q, &r, NULL), MM_OK);
	int64_t m = shape[0], n = shape[1], k = m < n ? m : n;
	ck_assert_int_eq(q->shape[0], m);
	ck_assert_int_eq(q->shape[1], k);
	ck_assert_int_eq(r->shape[0], k);
	ck_assert_int_eq(r->shape[1], n);
	ck_assert_int_eq(q->dtype, mm_dtype_exec(dt));
	for (int64_t i = 0; i < m * k; i++)
		ck_assert_double_eq_tol(mm_tensor_get_flat(q, i), wq[i], tol);
	for (int64_t i = 0; i < k * n; i++)
		ck_assert_double_eq_tol(mm_tensor_get_flat(r, i), wr[i],
		                        tol * 20);
	/* Q R reproduces A */
	mm_tensor *qr = mm_op_matmul(q, r, NULL);
	for (int64_t i = 0; i < m * n; i++)
		ck_assert_double_eq_tol(mm_tensor_get_flat(qr, i), a[i],
		                        dt == MM_F64 ? 1e-12 : 1e-5);
	mm_tensor_unref(qr);
	mm_tensor_unref(q);
	mm_tensor_unref(r);
	mm_tensor_unref(A);
}

START_TEST(test_qr_tall)
{
	int64_t s[2] = {4, 3};
	qr_check(MM_F64, s, M43, Q43, R43, 1e-8);
	qr_check(MM_F32, s, M43, Q43, R43, 1e-6);
}
END_TEST

START_TEST(test_qr_wide)
{
	/* numpy.linalg.qr(M43.T): Q 3x3, R 3x4 */
	static const double wq[] = {-0.26726124, 0.87287156,  0.40824829,
	                            -0.53452248, 0.21821789,  -0.81649658,
	                            -0.80178373, -0.43643578, 0.40824829};
	static const double wr[] = {-3.74165739, -8.55235974, -14.16484582,
	                            -1.06904497, 0,           1.96396101,
	                            3.49148624,  0.43643578,  0,
	                            0,           0.40824829,  0.81649658};
	double at[12];
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 3; j++)
			at[j * 4 + i] = M43[i * 3 + j];
	int64_t s[2] = {3, 4};
	qr_check(MM_F64, s, at, wq, wr, 1e-8);
}
END_TEST

START_TEST(test_qr_signs_and_zero_columns)
{
	/* already upper triangular with a negative diagonal: LAPACK leaves
	 * a column alone when nothing is below its diagonal */
	static const double a[] = {-2, 1, 0, 3};
	static const double wq[] = {1, 0, 0, 1};
	int64_t s[2] = {2, 2};
	qr_check(MM_F64, s, a, wq, a, 1e-15);
	/* identity and a zero matrix: Q = I, R = A */
	static const double z[] = {0, 0, 0, 0};
	qr_check(MM_F64, s, z, wq, z, 1e-15);
}
END_TEST

START_TEST(test_qr_transposed_view_and_errors)
{
	int64_t s[2] = {3, 4};
	mm_tensor *A = mm_tensor_from_doubles(MM_F64, 2, s, M43, NULL);
	mm_tensor *At = mm_tensor_transpose(A, NULL); /* 4x3 view of M43ᵀ */
	mm_tensor *q, *r;
	ck_assert_int_eq(mm_linalg_qr(At, &q, NULL, NULL), MM_OK);
	mm_tensor *qt = mm_tensor_transpose(q, NULL);
	mm_tensor *qtq = mm_op_matmul(qt, q, NULL);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			int64_t ix[2] = {i, j};
			ck_assert_double_eq_tol(mm_tensor_get(qtq, ix),
			                        i == j ? 1 : 0, 1e-14);
		}
	mm_tensor_unref(q);
	mm_diag d;
	mm_tensor *v = mm_tensor_arange(MM_F64, 0, 3, 1, NULL);
	ck_assert_int_eq(mm_linalg_qr(v, &q, &r, &d), MM_ERR_SHAPE);
	ck_assert_ptr_null(q);
	ck_assert_ptr_null(r);
	int64_t e[2] = {0, 3};
	mm_tensor *E = mm_tensor_zeros(MM_F64, 2, e, NULL);
	ck_assert_int_eq(mm_linalg_qr(E, &q, &r, &d), MM_OK);
	ck_assert_int_eq(q->shape[0], 0);
	ck_assert_int_eq(q->shape[1], 0);
	ck_assert_int_eq(r->shape[0], 0);
	ck_assert_int_eq(r->shape[1], 3);
	mm_tensor *list[] = {A, At, qt, qtq, v, E, q, r};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("linalg");
	TCase *tc = tcase_create("walkthrough");
	tcase_add_loop_test(tc, test_regression, 0, 2);
	tcase_add_loop_test(tc, test_layer, 0, 2);
	tcase_add_loop_test(tc, test_mix, 0, 2);
	tcase_add_loop_test(tc, test_projection, 0, 2);
	tcase_add_loop_test(tc, test_rotation, 0, 2);
	tcase_add_loop_test(tc, test_attention, 0, 2);
	tcase_add_test(tc, test_fixture_check_can_fail);
	suite_add_tcase(s, tc);
	tc = tcase_create("qr");
	tcase_add_test(tc, test_qr_tall);
	tcase_add_test(tc, test_qr_wide);
	tcase_add_test(tc, test_qr_signs_and_zero_columns);
	tcase_add_test(tc, test_qr_transposed_view_and_errors);
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
