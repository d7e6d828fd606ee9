/* test-linalg.c — QR against NumPy/LAPACK, and the walkthrough: every
 * seed fixture of tests/data reproduced from its inputs with ops and
 * linalg, in f64 and in f32 (relative error max|got-want| / max|want|
 * <= 1e-12 for f64, 1e-5 for f32). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/linalg.h"
#include "mmcalc/npy.h"
#include "mmcalc/ops.h"

#ifndef MM_TEST_DATA
#define MM_TEST_DATA "tests/data"
#endif

static void *to_tensor(void *ctx, mm_dtype t, int ndim, const int64_t *shape,
                       mm_diag *d)
{
	mm_tensor **out = ctx;
	*out = mm_tensor_new(t, ndim, shape, d);
	return *out ? (*out)->data : NULL;
}

/* tests/data/NAME.npy through the library's loader (npy.h): '<f8' loads
 * as f64, '<f4' as f32. */
static mm_tensor *npy(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.npy", MM_TEST_DATA, name);
	mm_tensor *t = NULL;
	mm_io_load_opts o = {.alloc = to_tensor, .alloc_ctx = &t};
	mm_diag d;
	ck_assert_msg(mm_npy_load(path, &o, NULL, &d) == MM_OK, "%s: %s", path,
	              d.message);
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

/* ---- numpy.linalg's answers (tests/data/linalg_cases.py) */

/* linalg_CASE_PART.npy */
static mm_tensor *fx(const char *c, const char *part)
{
	char name[128];
	snprintf(name, sizeof name, "linalg_%s_%s", c, part);
	return npy(name);
}

/* The case's tolerance: 1e-12 for f64 inputs, 1e-5 for f32. */
static double tol_of(const mm_tensor *a)
{
	return a->dtype == MM_F64 ? 1e-12 : 1e-5;
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

static const char *qr_cases[] = {"qr_tall", "qr_wide", "qr_stack", "qr_f32"};

START_TEST(test_qr_numpy)
{
	mm_tensor *a = fx(qr_cases[_i], "a"), *wq = fx(qr_cases[_i], "q"),
		  *wr = fx(qr_cases[_i], "r"), *q, *r;
	mm_diag d;
	ck_assert_msg(mm_linalg_qr(a, &q, &r, &d) == MM_OK, "%s", d.message);
	ck_assert_int_eq(q->dtype, a->dtype);
	CHECK_CLOSE(q, wq, tol_of(a));
	CHECK_CLOSE(r, wr, tol_of(a));
	UNREF(a, wq, wr, q, r);
}
END_TEST

static const char *solve_cases[] = {"solve_vec", "solve_bcast", "solve_big",
                                    "solve_f32"};

START_TEST(test_solve_numpy)
{
	const char *c = solve_cases[_i];
	mm_tensor *a = fx(c, "a"), *b = fx(c, "b"), *want = fx(c, "x");
	mm_diag d;
	mm_tensor *x = mm_linalg_solve(a, b, &d);
	ck_assert_msg(x != NULL, "%s: %s", c, d.message);
	ck_assert_int_eq(x->dtype, a->dtype);
	CHECK_CLOSE(x, want, tol_of(a));
	UNREF(a, b, want, x);
}
END_TEST

START_TEST(test_inv_numpy)
{
	const char *c = _i ? "inv_f32" : "inv";
	mm_tensor *a = fx(c, "a"), *want = fx(c, "x");
	mm_diag d;
	mm_tensor *x = mm_linalg_inv(a, &d);
	ck_assert_msg(x != NULL, "%s", d.message);
	CHECK_CLOSE(x, want, tol_of(a));
	UNREF(a, want, x);
}
END_TEST

START_TEST(test_det_numpy)
{
	const char *c = _i ? "det_f32" : "det";
	mm_tensor *a = fx(c, "a"), *wd = fx(c, "det"), *ws = fx(c, "sign"),
		  *wl = fx(c, "logdet"), *sg, *ld;
	mm_diag d;
	mm_tensor *det = mm_linalg_det(a, &d);
	ck_assert_msg(det != NULL, "%s", d.message);
	ck_assert_int_eq(mm_linalg_slogdet(a, &sg, &ld, &d), MM_OK);
	CHECK_CLOSE(det, wd, tol_of(a));
	CHECK_CLOSE(sg, ws, 0);
	CHECK_CLOSE(ld, wl, tol_of(a));
	UNREF(a, wd, ws, wl, det, sg, ld);
}
END_TEST

static const char *chol_cases[] = {"chol_big", "chol_stack", "chol_f32"};

START_TEST(test_cholesky_numpy)
{
	mm_tensor *a = fx(chol_cases[_i], "a"), *want = fx(chol_cases[_i], "l");
	mm_diag d;
	mm_tensor *l = mm_linalg_cholesky(a, &d);
	ck_assert_msg(l != NULL, "%s", d.message);
	CHECK_CLOSE(l, want, tol_of(a));
	UNREF(a, want, l);
}
END_TEST

/* got (…, m, k) against want with column i of every stack entry negated
 * when sign[entry·k + i] < 0 (singular vectors are unique up to sign). */
static double relerr_signed(const mm_tensor *got, const mm_tensor *want,
                            const double *sign, bool columns)
{
	ck_assert(mm_tensor_same_shape(got, want));
	int nd = got->ndim;
	int64_t m = got->shape[nd - 2], k = got->shape[nd - 1];
	double num = 0, den = 0;
	for (int64_t i = 0; i < mm_tensor_numel(got); i++) {
		int64_t e = i / (m * k), r = i % (m * k) / k, c = i % k;
		double sg = sign[e * (columns ? k : m) + (columns ? c : r)];
		double g = mm_tensor_get_flat(got, i) * sg,
		       w = mm_tensor_get_flat(want, i);
		num = fmax(num, fabs(g - w));
		den = fmax(den, fabs(w));
	}
	return num / den;
}

/* max |U·diag(S)·Vh - A| / max |A|, and UᵀU and Vh·Vhᵀ within tol of I. */
static void check_svd_properties(const mm_tensor *a, const mm_tensor *u,
                                 const mm_tensor *s, const mm_tensor *vh,
                                 double tol)
{
	/* S (…, k) as (…, 1, k), to scale U's columns */
	int64_t shape[MM_MAX_NDIM], strides[MM_MAX_NDIM];
	int nd = s->ndim;
	for (int i = 0; i < nd - 1; i++)
		shape[i] = s->shape[i], strides[i] = s->strides[i];
	shape[nd - 1] = 1, strides[nd - 1] = 0;
	shape[nd] = s->shape[nd - 1], strides[nd] = s->strides[nd - 1];
	mm_tensor *sv = mm_tensor_view(s, nd + 1, shape, strides, 0, NULL);
	mm_tensor *us = bin(MM_OP_MUL, u, sv);
	mm_tensor *rec = mm(us, vh);
	mm_tensor_unref(sv);
	CHECK_CLOSE(rec, a, tol);
	mm_tensor *ut = mm_tensor_transpose(u, NULL),
		  *vt = mm_tensor_transpose(vh, NULL);
	mm_tensor *utu = mm(ut, u), *vvt = mm(vh, vt);
	int64_t k = u->shape[u->ndim - 1];
	for (int64_t i = 0; i < mm_tensor_numel(utu); i++) {
		double want = i % (k * k) / k == i % k ? 1 : 0;
		ck_assert_double_le(fabs(mm_tensor_get_flat(utu, i) - want), tol);
		ck_assert_double_le(fabs(mm_tensor_get_flat(vvt, i) - want), tol);
	}
	UNREF(us, rec, ut, vt, utu, vvt);
}

static const char *svd_cases[] = {"svd_tall", "svd_wide", "svd_stack",
                                  "svd_qr", "svd_f32"};

START_TEST(test_svd_numpy)
{
	const char *c = svd_cases[_i];
	mm_tensor *a = fx(c, "a"), *wu = fx(c, "u"), *ws = fx(c, "s"),
		  *wv = fx(c, "vh"), *u, *s, *vh;
	mm_diag d;
	ck_assert_msg(mm_linalg_svd(a, &u, &s, &vh, &d) == MM_OK, "%s",
	              d.message);
	double tol = tol_of(a);
	ck_assert_int_eq(s->dtype, a->dtype);
	CHECK_CLOSE(s, ws, tol);
	/* each pair (u_i, v_i) may be NumPy's negated: take the sign of
	 * u_i·u_i(NumPy), then both must match */
	int nd = u->ndim;
	int64_t m = u->shape[nd - 2], k = u->shape[nd - 1];
	int64_t ne = mm_tensor_numel(s) / (k ? k : 1);
	double *sign = calloc((size_t)(ne * k + 1), sizeof *sign);
	for (int64_t e = 0; e < ne; e++)
		for (int64_t i = 0; i < k; i++) {
			double dot = 0;
			for (int64_t r = 0; r < m; r++) {
				int64_t at = e * m * k + r * k + i;
				dot += mm_tensor_get_flat(u, at) *
				       mm_tensor_get_flat(wu, at);
			}
			sign[e * k + i] = dot < 0 ? -1 : 1;
		}
	ck_assert_double_le(relerr_signed(u, wu, sign, true), tol);
	ck_assert_double_le(relerr_signed(vh, wv, sign, false), tol);
	free(sign);
	check_svd_properties(a, u, s, vh, tol * 10);
	UNREF(a, wu, ws, wv, u, s, vh);
}
END_TEST

START_TEST(test_svdvals_numpy)
{
	mm_tensor *a = fx("svd_big", "a"), *ws = fx("svd_big", "s");
	mm_diag d;
	mm_tensor *s = mm_linalg_svdvals(a, &d);
	ck_assert_msg(s != NULL, "%s", d.message);
	CHECK_CLOSE(s, ws, 1e-12);
	/* and with vectors, the same values, and U, Vh that fit */
	mm_tensor *u, *s2, *vh;
	ck_assert_int_eq(mm_linalg_svd(a, &u, &s2, &vh, &d), MM_OK);
	CHECK_CLOSE(s2, ws, 1e-12);
	check_svd_properties(a, u, s2, vh, 1e-12);
	/* the transpose has the same singular values */
	mm_tensor *at = mm_tensor_transpose(a, NULL), *st = mm_linalg_svdvals(at,
	                                                                  &d);
	CHECK_CLOSE(st, ws, 1e-12);
	UNREF(a, ws, s, u, s2, vh, at, st);
}
END_TEST

static const char *lstsq_cases[] = {"lstsq_vec", "lstsq_mat", "lstsq_rank",
                                    "lstsq_wide", "lstsq_f32"};

START_TEST(test_lstsq_numpy)
{
	const char *c = lstsq_cases[_i];
	mm_tensor *a = fx(c, "a"), *b = fx(c, "b"), *wx = fx(c, "x"),
		  *wres = fx(c, "res"), *wrank = fx(c, "rank"), *ws = fx(c, "s");
	mm_lstsq ls;
	mm_diag d;
	ck_assert_msg(mm_linalg_lstsq(a, b, -1, true, &ls, &d) == MM_OK, "%s",
	              d.message);
	double tol = tol_of(a);
	CHECK_CLOSE(ls.x, wx, tol);
	ck_assert(mm_tensor_same_shape(ls.residuals, wres));
	if (mm_tensor_numel(wres))
		CHECK_CLOSE(ls.residuals, wres, tol * 10);
	CHECK_CLOSE(ls.s, ws, tol);
	ck_assert_int_eq(ls.rank, (int64_t)mm_tensor_item(wrank));
	/* full-rank tall A goes through QR, the others through the SVD */
	bool qr_path = _i == 0 || _i == 1 || _i == 4;
	ck_assert_int_eq(ls.by_svd, !qr_path);
	mm_linalg_lstsq_free(&ls);
	ck_assert_ptr_null(ls.x);
	UNREF(a, b, wx, wres, wrank, ws);
}
END_TEST

/* "2x3x3" into shape; "()" is 0-d. */
static int parse_shape(const char *s, int64_t *shape)
{
	int nd = 0;
	if (strcmp(s, "()") == 0)
		return 0;
	for (const char *p = s; *p;) {
		char *end;
		shape[nd++] = strtoll(p, &end, 10);
		p = *end == 'x' ? end + 1 : end;
		if (end == p && *p)
			break;
	}
	return nd;
}

START_TEST(test_solve_shapes_numpy)
{
	char path[512], line[256];
	snprintf(path, sizeof path, "%s/linalg_solve_shapes.tsv", MM_TEST_DATA);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	int rows = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#')
			continue;
		char sa[64], sb[64], sr[64];
		ck_assert_int_eq(sscanf(line, "%63s %63s %63s", sa, sb, sr), 3);
		int64_t as[MM_MAX_NDIM], bs[MM_MAX_NDIM], rs[MM_MAX_NDIM];
		int an = parse_shape(sa, as), bn = parse_shape(sb, bs);
		/* A: identities where square, so that solve succeeds */
		mm_tensor *a = mm_tensor_zeros(MM_F64, an, as, NULL);
		if (an >= 2 && as[an - 1] == as[an - 2]) {
			mm_tensor *eye = mm_tensor_eye(MM_F64, as[an - 1], -1, NULL);
			mm_tensor *sum = bin(MM_OP_ADD, a, eye);
			UNREF(a, eye);
			a = sum;
		}
		mm_tensor *b = mm_tensor_ones(MM_F64, bn, bs, NULL);
		mm_diag d;
		mm_tensor *x = mm_linalg_solve(a, b, &d);
		if (strcmp(sr, "error") == 0) {
			ck_assert_msg(x == NULL, "solve %s %s succeeded", sa, sb);
			ck_assert_int_eq(d.code, MM_ERR_SHAPE);
		} else {
			ck_assert_msg(x != NULL, "solve %s %s: %s", sa, sb,
			              d.message);
			int rn = parse_shape(sr, rs);
			ck_assert_int_eq(x->ndim, rn);
			for (int i = 0; i < rn; i++)
				ck_assert_int_eq(x->shape[i], rs[i]);
			/* A = I: x is b broadcast */
			for (int64_t i = 0; i < mm_tensor_numel(x); i++)
				ck_assert_double_eq(mm_tensor_get_flat(x, i), 1);
		}
		UNREF(a, b, x);
		rows++;
	}
	fclose(f);
	ck_assert_int_ge(rows, 20);
}
END_TEST

/* ---- errors */

static mm_tensor *mat(int64_t m, int64_t n, const double *v)
{
	int64_t s[2] = {m, n};
	return mm_tensor_from_doubles(MM_F64, 2, s, v, NULL);
}

START_TEST(test_singular_errors)
{
	static const double sing[] = {1, 2, 2, 4};
	mm_tensor *a = mat(2, 2, sing), *b = mm_tensor_ones(MM_F64, 1,
	                                                    (int64_t[]){2}, NULL);
	mm_diag d;
	ck_assert_ptr_null(mm_linalg_solve(a, b, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	ck_assert_str_eq(d.message, "solve: matrix is singular");
	ck_assert_ptr_null(mm_linalg_inv(a, &d));
	ck_assert_str_eq(d.message, "inv: matrix is singular");
	/* det is 0 without an error, slogdet (0, -inf) */
	mm_tensor *det = mm_linalg_det(a, &d), *sg, *ld;
	ck_assert_double_eq(mm_tensor_item(det), 0);
	ck_assert_int_eq(mm_linalg_slogdet(a, &sg, &ld, &d), MM_OK);
	ck_assert_double_eq(mm_tensor_item(sg), 0);
	ck_assert(isinf(mm_tensor_item(ld)) && mm_tensor_item(ld) < 0);
	/* in a stack, the entry is named */
	static const double st[] = {1, 0, 0, 1, 2, 0, 0, 2, 1, 0, 0, 1,
	                            1, 1, 1, 1, 5, 0, 0, 5, 1, 0, 0, 1};
	mm_tensor *s = mm_tensor_from_doubles(MM_F64, 4, (int64_t[]){2, 3, 2, 2},
	                                      st, NULL);
	ck_assert_ptr_null(mm_linalg_inv(s, &d));
	ck_assert_str_eq(d.message, "inv: matrix [1, 0] is singular");
	UNREF(a, b, det, sg, ld, s);
}
END_TEST

START_TEST(test_cholesky_errors)
{
	static const double indef[] = {1, 2, 2, 1}, neg[] = {-1, 0, 0, 1};
	mm_diag d;
	mm_tensor *a = mat(2, 2, indef), *n = mat(2, 2, neg);
	ck_assert_ptr_null(mm_linalg_cholesky(a, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	ck_assert_str_eq(d.message, "cholesky: matrix is not positive definite");
	ck_assert_ptr_null(mm_linalg_cholesky(n, &d));
	/* a stack: the second entry fails */
	static const double st[] = {4, 0, 0, 4, 1, 2, 2, 1};
	mm_tensor *s = mm_tensor_from_doubles(MM_F64, 3, (int64_t[]){2, 2, 2},
	                                      st, NULL);
	ck_assert_ptr_null(mm_linalg_cholesky(s, &d));
	ck_assert_str_eq(d.message,
	                 "cholesky: matrix [1] is not positive definite");
	/* a NaN pivot is not positive either */
	static const double nan_m[] = {NAN, 0, 0, 1};
	mm_tensor *x = mat(2, 2, nan_m);
	ck_assert_ptr_null(mm_linalg_cholesky(x, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	UNREF(a, n, s, x);
}
END_TEST

START_TEST(test_shape_errors)
{
	mm_diag d;
	mm_tensor *v = mm_tensor_ones(MM_F64, 1, (int64_t[]){3}, NULL);
	mm_tensor *r = mm_tensor_ones(MM_F64, 2, (int64_t[]){2, 3}, NULL);
	mm_tensor *q, *rr, *u, *s, *vh;
	ck_assert_ptr_null(mm_linalg_inv(r, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	ck_assert_str_eq(d.message, "inv needs square matrices, not (2 x 3)");
	ck_assert_ptr_null(mm_linalg_det(v, &d));
	ck_assert_str_eq(d.message,
	                 "det needs a matrix (or a stack of them), not the 1-D "
	                 "(3,)");
	ck_assert_ptr_null(mm_linalg_cholesky(r, &d));
	ck_assert_int_eq(d.code, MM_ERR_SHAPE);
	ck_assert_int_eq(mm_linalg_slogdet(r, &q, &rr, &d), MM_ERR_SHAPE);
	ck_assert_ptr_null(q);
	ck_assert_int_eq(mm_linalg_svd(v, &u, &s, &vh, &d), MM_ERR_SHAPE);
	ck_assert_ptr_null(u);
	ck_assert_ptr_null(mm_linalg_svdvals(v, &d));
	ck_assert_int_eq(mm_linalg_qr(v, &q, NULL, &d), MM_ERR_SHAPE);
	/* solve: b's rows must be A's */
	mm_tensor *i3 = mm_tensor_eye(MM_F64, 3, -1, NULL);
	mm_tensor *b4 = mm_tensor_ones(MM_F64, 1, (int64_t[]){4}, NULL);
	ck_assert_ptr_null(mm_linalg_solve(i3, b4, &d));
	ck_assert_str_eq(d.message,
	                 "solve: b (4,) has 4 rows where A (3 x 3) needs 3");
	/* lstsq: 2-D A only, b's rows A's */
	mm_lstsq ls;
	mm_tensor *st = mm_tensor_ones(MM_F64, 3, (int64_t[]){2, 3, 3}, NULL);
	ck_assert_int_eq(mm_linalg_lstsq(st, v, -1, false, &ls, &d),
	                 MM_ERR_SHAPE);
	ck_assert_ptr_null(ls.x);
	ck_assert_int_eq(mm_linalg_lstsq(i3, b4, -1, false, &ls, &d),
	                 MM_ERR_SHAPE);
	ck_assert_int_eq(mm_linalg_lstsq(i3, st, -1, false, &ls, &d),
	                 MM_ERR_SHAPE);
	/* U without Vh */
	ck_assert_int_eq(mm_linalg_svd(i3, &u, NULL, NULL, &d), MM_ERR_ARG);
	UNREF(v, r, i3, b4, st);
}
END_TEST

START_TEST(test_nonfinite)
{
	static const double a[] = {1, NAN, 0, 1};
	mm_tensor *x = mat(2, 2, a), *u, *s, *vh;
	mm_diag d;
	ck_assert_int_eq(mm_linalg_svd(x, &u, &s, &vh, &d), MM_ERR_VALUE);
	ck_assert_ptr_null(s);
	ck_assert_ptr_null(mm_linalg_svdvals(x, &d));
	ck_assert_str_eq(d.message, "svdvals: matrix has NaN or infinite "
	                            "entries (the SVD does not converge)");
	mm_lstsq ls;
	ck_assert_int_eq(mm_linalg_lstsq(x, x, -1, false, &ls, &d),
	                 MM_ERR_VALUE);
	mm_tensor_unref(x);
}
END_TEST

/* ---- sizes NumPy accepts that have nothing in them */

START_TEST(test_empty)
{
	mm_diag d;
	mm_tensor *e = mm_tensor_zeros(MM_F64, 2, (int64_t[]){0, 0}, NULL);
	mm_tensor *det = mm_linalg_det(e, &d), *inv = mm_linalg_inv(e, &d),
		  *l = mm_linalg_cholesky(e, &d);
	ck_assert_double_eq(mm_tensor_item(det), 1);
	ck_assert_int_eq(inv->shape[0], 0);
	ck_assert_int_eq(l->shape[1], 0);
	mm_tensor *w = mm_tensor_zeros(MM_F64, 2, (int64_t[]){0, 3}, NULL);
	mm_tensor *u, *s, *vh;
	ck_assert_int_eq(mm_linalg_svd(w, &u, &s, &vh, &d), MM_OK);
	ck_assert_int_eq(u->shape[0], 0);
	ck_assert_int_eq(u->shape[1], 0);
	ck_assert_int_eq(s->shape[0], 0);
	ck_assert_int_eq(vh->shape[0], 0);
	ck_assert_int_eq(vh->shape[1], 3);
	/* a stack of no matrices */
	mm_tensor *none = mm_tensor_zeros(MM_F64, 3, (int64_t[]){0, 4, 4}, NULL);
	mm_tensor *dn = mm_linalg_det(none, &d);
	ck_assert_int_eq(dn->ndim, 1);
	ck_assert_int_eq(dn->shape[0], 0);
	UNREF(e, det, inv, l, w, u, s, vh, none, dn);
}
END_TEST

/* ---- larger than the fixtures: every level of blocking, by identities */

START_TEST(test_blocked_sizes)
{
	mm_rng rng;
	mm_rng_seed(&rng, 5);
	mm_diag d;
	int64_t sq[2] = {300, 300}, tall[2] = {520, 300};
	mm_tensor *a = mm_tensor_randn(&rng, MM_F64, 2, sq, NULL);
	mm_tensor *t = mm_tensor_randn(&rng, MM_F64, 2, tall, NULL);
	/* QR: QᵀQ = I, Q·R = A */
	mm_tensor *q, *r;
	ck_assert_int_eq(mm_linalg_qr(t, &q, &r, &d), MM_OK);
	mm_tensor *qr = mm(q, r), *qt = mm_tensor_transpose(q, NULL),
		  *qtq = mm(qt, q), *i300 = mm_tensor_eye(MM_F64, 300, -1, NULL);
	CHECK_CLOSE(qr, t, 1e-13);
	CHECK_CLOSE(qtq, i300, 1e-13);
	/* inv: A·A⁻¹ = I */
	mm_tensor *ai = mm_linalg_inv(a, &d), *aai = mm(a, ai);
	CHECK_CLOSE(aai, i300, 1e-11);
	/* Cholesky of AᵀA + I: L·Lᵀ */
	mm_tensor *at = mm_tensor_transpose(a, NULL), *ata = mm(at, a),
		  *spd = bin(MM_OP_ADD, ata, i300), *l = mm_linalg_cholesky(spd, &d);
	ck_assert_ptr_nonnull(l);
	mm_tensor *lt = mm_tensor_transpose(l, NULL), *llt = mm(l, lt);
	CHECK_CLOSE(llt, spd, 1e-13);
	/* SVD on both paths (square: bidiagonal directly; tall: QR first) */
	mm_tensor *u, *s, *vh, *u2, *s2, *vh2;
	ck_assert_int_eq(mm_linalg_svd(a, &u, &s, &vh, &d), MM_OK);
	check_svd_properties(a, u, s, vh, 1e-12);
	ck_assert_int_eq(mm_linalg_svd(t, &u2, &s2, &vh2, &d), MM_OK);
	check_svd_properties(t, u2, s2, vh2, 1e-12);
	UNREF(a, t, q, r, qr, qt, qtq, i300, ai, aai, at, ata, spd, l, lt, llt,
	      u, s, vh, u2, s2, vh2);
}
END_TEST

START_TEST(test_rank_deficient_svd)
{
	/* rank 1 and zero: the singular vectors of the zero singular values
	 * are still orthonormal */
	static const double r1[] = {1, 2, 3, 2, 4, 6, 3, 6, 9, -1, -2, -3};
	mm_tensor *a = mat(4, 3, r1), *z = mm_tensor_zeros(MM_F64, 2,
	                                                   (int64_t[]){3, 5}, NULL);
	mm_tensor *u, *s, *vh;
	mm_diag d;
	ck_assert_int_eq(mm_linalg_svd(a, &u, &s, &vh, &d), MM_OK);
	ck_assert_double_eq_tol(mm_tensor_get_flat(s, 0), sqrt(15.0 * 14), 1e-12);
	ck_assert_double_le(mm_tensor_get_flat(s, 1), 1e-14);
	check_svd_properties(a, u, s, vh, 1e-13);
	UNREF(u, s, vh);
	ck_assert_int_eq(mm_linalg_svd(z, &u, &s, &vh, &d), MM_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_double_eq(mm_tensor_get_flat(s, i), 0);
	check_svd_properties(z, u, s, vh, 1e-15);
	UNREF(a, z, u, s, vh);
}
END_TEST

START_TEST(test_interrupted)
{
	mm_rng rng;
	mm_rng_seed(&rng, 9);
	int64_t sh[2] = {200, 200};
	mm_tensor *a = mm_tensor_randn(&rng, MM_F64, 2, sh, NULL), *q, *r, *u,
		  *s, *vh;
	mm_diag d;
	mm_interrupt_request();
	ck_assert_int_eq(mm_linalg_qr(a, &q, &r, &d), MM_ERR_INTERRUPTED);
	ck_assert_ptr_null(q);
	ck_assert_ptr_null(mm_linalg_inv(a, &d));
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	ck_assert_int_eq(mm_linalg_svd(a, &u, &s, &vh, &d), MM_ERR_INTERRUPTED);
	ck_assert_ptr_null(mm_linalg_cholesky(a, &d)); /* not PD or stopped */
	mm_interrupt_clear();
	ck_assert_int_eq(mm_linalg_qr(a, &q, &r, &d), MM_OK);
	UNREF(a, q, r);
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
	tc = tcase_create("numpy");
	tcase_add_loop_test(tc, test_qr_numpy, 0, 4);
	tcase_add_loop_test(tc, test_solve_numpy, 0, 4);
	tcase_add_loop_test(tc, test_inv_numpy, 0, 2);
	tcase_add_loop_test(tc, test_det_numpy, 0, 2);
	tcase_add_loop_test(tc, test_cholesky_numpy, 0, 3);
	tcase_add_loop_test(tc, test_svd_numpy, 0, 5);
	tcase_add_test(tc, test_svdvals_numpy);
	tcase_add_loop_test(tc, test_lstsq_numpy, 0, 5);
	tcase_add_test(tc, test_solve_shapes_numpy);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors and edges");
	tcase_add_test(tc, test_singular_errors);
	tcase_add_test(tc, test_cholesky_errors);
	tcase_add_test(tc, test_shape_errors);
	tcase_add_test(tc, test_nonfinite);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_blocked_sizes);
	tcase_add_test(tc, test_rank_deficient_svd);
	tcase_add_test(tc, test_interrupted);
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
