/* test-tensor.c — tensors: constructors, sizes, refcounted views,
 * NumPy basic indexing, copies and casts, and the documented RNG. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmcalc/interrupt.h"
#include "mmcalc/tensor.h"

static mm_tensor *seq(mm_dtype dt, int nd, const int64_t *shape)
{
	mm_tensor *t = mm_tensor_new(dt, nd, shape, NULL);
	ck_assert_ptr_nonnull(t);
	for (int64_t i = 0; i < mm_tensor_numel(t); i++) {
		if (t->dtype == MM_F64)
			((double *)t->data)[i] = (double)i;
		else
			((float *)t->data)[i] = (float)i;
	}
	return t;
}

static void expect_vals(const mm_tensor *t, const double *v, int64_t n)
{
	ck_assert_int_eq(mm_tensor_numel(t), n);
	for (int64_t i = 0; i < n; i++)
		ck_assert_msg(mm_tensor_get_flat(t, i) == v[i],
		              "element %lld: %g, want %g", (long long)i,
		              mm_tensor_get_flat(t, i), v[i]);
}

START_TEST(test_constructors)
{
	int64_t s[2] = {2, 3};
	mm_tensor *z = mm_tensor_zeros(MM_F32, 2, s, NULL);
	ck_assert_int_eq(z->dtype, MM_F32);
	ck_assert_int_eq(mm_tensor_numel(z), 6);
	ck_assert_int_eq(mm_tensor_nbytes(z), 24);
	ck_assert_int_eq(z->strides[0], 3);
	ck_assert_int_eq(z->strides[1], 1);
	ck_assert_int_eq((uintptr_t)z->data % 64, 0);
	ck_assert(mm_tensor_is_contiguous(z));
	expect_vals(z, (const double[]){0, 0, 0, 0, 0, 0}, 6);
	mm_tensor *o = mm_tensor_ones(MM_F64, 2, s, NULL);
	expect_vals(o, (const double[]){1, 1, 1, 1, 1, 1}, 6);
	mm_tensor *f = mm_tensor_full(MM_BF16, 2, s, 2.5, NULL);
	ck_assert_int_eq(f->dtype, MM_F32); /* other dtypes execute as f32 */
	expect_vals(f, (const double[]){2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, 6);
	mm_tensor *e = mm_tensor_eye(MM_F64, 2, 3, NULL);
	expect_vals(e, (const double[]){1, 0, 0, 0, 1, 0}, 6);
	mm_tensor *e2 = mm_tensor_eye(MM_F64, 2, -1, NULL);
	ck_assert_int_eq(e2->shape[1], 2);
	expect_vals(e2, (const double[]){1, 0, 0, 1}, 4);
	mm_tensor *sc = mm_tensor_scalar(MM_F64, -4, NULL);
	ck_assert_int_eq(sc->ndim, 0);
	ck_assert_int_eq(mm_tensor_numel(sc), 1);
	ck_assert(mm_tensor_item(sc) == -4);
	mm_tensor *list[] = {z, o, f, e, e2, sc};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

START_TEST(test_arange)
{
	mm_tensor *a = mm_tensor_arange(MM_F64, 0, 5, 1, NULL);
	expect_vals(a, (const double[]){0, 1, 2, 3, 4}, 5);
	mm_tensor *b = mm_tensor_arange(MM_F64, 1, 2, 0.3, NULL);
	/* np.arange(1, 2, 0.3): ceil(1/0.3) = 4 elements */
	ck_assert_int_eq(b->shape[0], 4);
	ck_assert_double_eq_tol(mm_tensor_get_flat(b, 3), 1.9, 1e-15);
	mm_tensor *c = mm_tensor_arange(MM_F32, 5, 0, -2, NULL);
	expect_vals(c, (const double[]){5, 3, 1}, 3);
	mm_tensor *e = mm_tensor_arange(MM_F64, 3, 1, 1, NULL);
	ck_assert_int_eq(e->shape[0], 0);
	mm_diag d;
	ck_assert_ptr_null(mm_tensor_arange(MM_F64, 0, 1, 0, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	ck_assert_ptr_null(mm_tensor_arange(MM_F64, 0, INFINITY, 1, &d));
	mm_tensor_unref(a);
	mm_tensor_unref(b);
	mm_tensor_unref(c);
	mm_tensor_unref(e);
}
END_TEST

START_TEST(test_sizes_and_limits)
{
	size_t n;
	mm_diag d;
	int64_t s[3] = {1024, 4096, 2};
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F32, 3, s, &n, &d), MM_OK);
	ck_assert_uint_eq(n, (size_t)1024 * 4096 * 2 * 4);
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F64, 3, s, &n, &d), MM_OK);
	ck_assert_uint_eq(n, (size_t)1024 * 4096 * 2 * 8);
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F16, 3, s, &n, &d), MM_OK);
	ck_assert_uint_eq(n, (size_t)1024 * 4096 * 2 * 4); /* stored f32 */
	int64_t big[3] = {INT64_C(1) << 40, INT64_C(1) << 40, 16};
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F32, 3, big, &n, &d),
	                 MM_ERR_LIMIT);
	ck_assert_ptr_null(mm_tensor_new(MM_F32, 3, big, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	/* NumPy's rule: the non-zero dims must fit even when a 0 dim makes
	 * the tensor empty (np.zeros((0, 2**61), np.float32): "array is too
	 * big"), so that nothing derived from the shape can overflow. */
	int64_t zero[3] = {INT64_C(1) << 62, 0, INT64_C(1) << 62};
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F32, 3, zero, &n, &d),
	                 MM_ERR_LIMIT);
	int64_t zero61[2] = {0, INT64_C(1) << 61};
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F32, 2, zero61, &n, &d),
	                 MM_ERR_LIMIT);
	ck_assert_ptr_null(mm_tensor_zeros(MM_F32, 2, zero61, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	int64_t zero60[3] = {INT64_C(1) << 30, 0, INT64_C(1) << 29};
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F32, 3, zero60, &n, &d),
	                 MM_OK);
	ck_assert_uint_eq(n, 0);
	mm_tensor *e = mm_tensor_zeros(MM_F64, 3, zero60, &d);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(mm_tensor_numel(e), 0);
	ck_assert_uint_eq(mm_tensor_nbytes(e), 0);
	/* numel of a shape whose leading dims overflow before the 0 */
	int64_t wide[3] = {INT64_C(1) << 40, INT64_C(1) << 40, 0};
	ck_assert_ptr_null(mm_tensor_view(e, 3, wide, e->strides, 0, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	mm_tensor *v = mm_tensor_view(e, 3, (int64_t[3]){1 << 20, 1 << 20, 0},
	                              (int64_t[3]){0, 0, 0}, 0, &d);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(mm_tensor_numel(v), 0);
	mm_tensor_unref(v);
	mm_tensor_unref(e);
	int64_t neg[2] = {3, -1};
	ck_assert_int_eq(mm_tensor_bytes_needed(MM_F32, 2, neg, &n, &d),
	                 MM_ERR_VALUE);
	ck_assert_ptr_nonnull(strstr(d.message, "negative"));
	/* the one limit on axes (shape.h), for shapes and tensors alike */
	int64_t ones[MM_MAX_NDIM + 1];
	for (int k = 0; k <= MM_MAX_NDIM; k++)
		ones[k] = 1;
	ck_assert_ptr_null(mm_tensor_zeros(MM_F32, MM_MAX_NDIM + 1, ones, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	mm_tensor *tmax = mm_tensor_ones(MM_F32, MM_MAX_NDIM, ones, &d);
	ck_assert_ptr_nonnull(tmax);
	mm_tensor_unref(tmax);
}
END_TEST

START_TEST(test_nomem)
{
#if defined(__SANITIZE_ADDRESS__)
	/* ASan aborts on impossible allocations instead of returning NULL */
	return;
#else
	mm_diag d;
	int64_t s[2] = {INT64_C(1) << 30, INT64_C(1) << 28}; /* 1 EiB */
	ck_assert_ptr_null(mm_tensor_new(MM_F32, 2, s, &d));
	ck_assert_int_eq(d.code, MM_ERR_NOMEM);
#endif
}
END_TEST

START_TEST(test_views_share_and_outlive)
{
	int64_t s[2] = {2, 3};
	mm_tensor *a = seq(MM_F64, 2, s);
	mm_tensor *t = mm_tensor_transpose(a, NULL);
	ck_assert_int_eq(t->shape[0], 3);
	ck_assert_int_eq(t->shape[1], 2);
	ck_assert_int_eq(t->strides[0], 1);
	ck_assert_int_eq(t->strides[1], 3);
	ck_assert(!mm_tensor_is_contiguous(t));
	expect_vals(t, (const double[]){0, 3, 1, 4, 2, 5}, 6);
	mm_tensor_set(t, (const int64_t[]){2, 1}, 50);
	ck_assert(mm_tensor_get(a, (const int64_t[]){1, 2}) == 50);
	mm_tensor_unref(a); /* the view keeps the storage */
	ck_assert(mm_tensor_get_flat(t, 5) == 50);
	mm_tensor *r = mm_tensor_ref(t);
	ck_assert_ptr_eq(r, t);
	ck_assert_int_eq(t->refcount, 2);
	mm_tensor_unref(r);
	mm_tensor *c = mm_tensor_contiguous(t, NULL);
	ck_assert(mm_tensor_is_contiguous(c));
	ck_assert_ptr_ne(c->data, t->data);
	expect_vals(c, (const double[]){0, 3, 1, 4, 2, 50}, 6);
	mm_tensor *c2 = mm_tensor_contiguous(c, NULL);
	ck_assert_ptr_eq(c2, c); /* already contiguous: same tensor */
	mm_tensor_unref(c2);
	mm_tensor *v1 = mm_tensor_arange(MM_F64, 0, 3, 1, NULL);
	mm_tensor *v1t = mm_tensor_transpose(v1, NULL);
	ck_assert_ptr_eq(v1t, v1); /* .T of 1-D is itself */
	mm_tensor_unref(v1t);
	mm_tensor_unref(v1);
	mm_tensor_unref(c);
	mm_tensor_unref(t);
}
END_TEST

START_TEST(test_permute)
{
	int64_t s[3] = {2, 3, 4};
	mm_tensor *a = seq(MM_F32, 3, s);
	mm_tensor *p = mm_tensor_permute(a, (const int[]){2, 0, -2}, NULL);
	ck_assert_int_eq(p->shape[0], 4);
	ck_assert_int_eq(p->shape[1], 2);
	ck_assert_int_eq(p->shape[2], 3);
	/* p[1, 1, 2] = a[1, 2, 1] = 12 + 8 + 1 */
	ck_assert(mm_tensor_get(p, (const int64_t[]){1, 1, 2}) == 21);
	mm_tensor *t = mm_tensor_transpose(a, NULL); /* last two axes */
	ck_assert_int_eq(t->shape[0], 2);
	ck_assert_int_eq(t->shape[1], 4);
	ck_assert(mm_tensor_get(t, (const int64_t[]){1, 3, 2}) == 23);
	mm_diag d;
	ck_assert_ptr_null(mm_tensor_permute(a, (const int[]){0, 0, 1}, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	ck_assert_ptr_null(mm_tensor_permute(a, (const int[]){0, 1, 3}, &d));
	ck_assert_ptr_nonnull(strstr(d.message, "out of bounds"));
	mm_tensor_unref(t);
	mm_tensor_unref(p);
	mm_tensor_unref(a);
}
END_TEST

static mm_index I(int64_t i)
{
	return (mm_index){MM_INDEX_INT, i, 0, 0, 1, false, false, false};
}

/* A slice; INT64_MIN in a field means "omitted". */
static mm_index S(int64_t a, int64_t b, int64_t c)
{
	mm_index x = MM_INDEX_ALL;
	if (a != INT64_MIN)
		x.start = a, x.has_start = true;
	if (b != INT64_MIN)
		x.stop = b, x.has_stop = true;
	if (c != INT64_MIN)
		x.step = c, x.has_step = true;
	return x;
}

#define NO INT64_MIN

/* 1-D slice of arange(10) against NumPy's answer */
static void slice1(int64_t a, int64_t b, int64_t c, const double *want,
                   int64_t n)
{
	int64_t s[1] = {10};
	mm_tensor *t = seq(MM_F64, 1, s);
	mm_index ix = S(a, b, c);
	mm_tensor *v = mm_tensor_index(t, &ix, 1, NULL);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->ndim, 1);
	expect_vals(v, want, n);
	mm_tensor_unref(v);
	mm_tensor_unref(t);
}

START_TEST(test_slices_numpy)
{
	slice1(2, 5, NO, (const double[]){2, 3, 4}, 3);
	slice1(-3, NO, NO, (const double[]){7, 8, 9}, 3);
	slice1(NO, NO, -1, (const double[]){9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 10);
	slice1(NO, NO, -3, (const double[]){9, 6, 3, 0}, 4);
	slice1(8, 2, -2, (const double[]){8, 6, 4}, 3);
	slice1(-100, 100, 4, (const double[]){0, 4, 8}, 3);
	slice1(100, -100, -4, (const double[]){9, 5, 1}, 3);
	slice1(5, 2, NO, NULL, 0);
	slice1(2, 5, -1, NULL, 0);
	slice1(NO, -11, -1, (const double[]){9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 10);
	slice1(3, NO, -1, (const double[]){3, 2, 1, 0}, 4);
	slice1(NO, 3, -1, (const double[]){9, 8, 7, 6, 5, 4}, 6);
}
END_TEST

START_TEST(test_index_nd)
{
	int64_t s[3] = {2, 3, 4};
	mm_tensor *a = seq(MM_F64, 3, s);
	/* a[1] : fewer specs than axes */
	mm_index ix[3] = {I(1)};
	mm_tensor *v = mm_tensor_index(a, ix, 1, NULL);
	ck_assert_int_eq(v->ndim, 2);
	ck_assert(mm_tensor_get_flat(v, 0) == 12);
	mm_tensor_unref(v);
	/* a[-1, ::-1, 1:3] */
	ix[0] = I(-1);
	ix[1] = S(NO, NO, -1);
	ix[2] = S(1, 3, NO);
	v = mm_tensor_index(a, ix, 3, NULL);
	ck_assert_int_eq(v->ndim, 2);
	ck_assert_int_eq(v->shape[0], 3);
	ck_assert_int_eq(v->shape[1], 2);
	expect_vals(v, (const double[]){21, 22, 17, 18, 13, 14}, 6);
	/* a view of a view, then all-int indexing gives a 0-d tensor */
	mm_index ij[2] = {I(2), I(-1)};
	mm_tensor *e = mm_tensor_index(v, ij, 2, NULL);
	ck_assert_int_eq(e->ndim, 0);
	ck_assert(mm_tensor_item(e) == 14);
	mm_tensor_unref(e);
	mm_tensor_unref(v);
	/* errors */
	mm_diag d;
	ix[0] = S(NO, NO, NO);
	ix[1] = I(3);
	ck_assert_ptr_null(mm_tensor_index(a, ix, 2, &d));
	ck_assert_int_eq(d.code, MM_ERR_VALUE);
	ck_assert_msg(strstr(d.message, "axis 1") &&
	                      strstr(d.message, "size 3") &&
	                      strstr(d.message, "-3 to 2"),
	              "message: %s", d.message);
	ix[1] = I(-4);
	ck_assert_ptr_null(mm_tensor_index(a, ix, 2, &d));
	ix[1] = S(0, 1, 0);
	ck_assert_ptr_null(mm_tensor_index(a, ix, 2, &d));
	ck_assert_ptr_nonnull(strstr(d.message, "zero"));
	mm_index four[4] = {I(0), I(0), I(0), I(0)};
	ck_assert_ptr_null(mm_tensor_index(a, four, 4, &d));
	ck_assert_ptr_nonnull(strstr(d.message, "too many"));
	/* an empty slice of an empty axis */
	int64_t es[2] = {0, 3};
	mm_tensor *z = mm_tensor_zeros(MM_F32, 2, es, NULL);
	ix[0] = S(NO, NO, -1);
	v = mm_tensor_index(z, ix, 1, NULL);
	ck_assert_int_eq(v->shape[0], 0);
	ck_assert_int_eq(v->shape[1], 3);
	mm_tensor_unref(v);
	mm_tensor_unref(z);
	mm_tensor_unref(a);
}
END_TEST

START_TEST(test_copy_cast)
{
	int64_t s[2] = {3, 2};
	mm_tensor *a = seq(MM_F64, 2, s);
	((double *)a->data)[1] = 0.1;
	mm_tensor *f = mm_tensor_cast(a, MM_F32, NULL);
	ck_assert_int_eq(f->dtype, MM_F32);
	ck_assert(mm_tensor_get_flat(f, 1) == (double)0.1f);
	mm_tensor *same = mm_tensor_cast(f, MM_TF32, NULL);
	ck_assert_ptr_eq(same, f);
	mm_tensor *back = mm_tensor_cast(f, MM_F64, NULL);
	ck_assert_int_eq(back->dtype, MM_F64);
	ck_assert(mm_tensor_get_flat(back, 1) == (double)0.1f);
	mm_tensor *t = mm_tensor_transpose(a, NULL);
	mm_tensor *tf = mm_tensor_cast(t, MM_F32, NULL); /* strided cast */
	ck_assert(mm_tensor_is_contiguous(tf));
	expect_vals(tf, (const double[]){0, 2, 4, (double)0.1f, 3, 5}, 6);
	mm_tensor *cp = mm_tensor_copy(a, NULL);
	ck_assert_ptr_ne(cp->data, a->data);
	((double *)cp->data)[0] = 9;
	ck_assert(mm_tensor_get_flat(a, 0) == 0);
	mm_tensor *list[] = {a, f, same, back, t, tf, cp};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

START_TEST(test_from_doubles)
{
	int64_t s[2] = {2, 2};
	mm_tensor *a = mm_tensor_from_doubles(MM_F32, 2, s,
	                                      (const double[]){1, 2, 3, 4},
	                                      NULL);
	expect_vals(a, (const double[]){1, 2, 3, 4}, 4);
	ck_assert(mm_tensor_get(a, (const int64_t[]){1, 0}) == 3);
	mm_tensor_unref(a);
}
END_TEST

START_TEST(test_rng_streams)
{
	/* reference values from an independent Python implementation of
	 * the algorithm documented in rng.h */
	mm_rng r;
	mm_rng_seed(&r, 42);
	ck_assert_uint_eq(mm_rng_next(&r), UINT64_C(0x15780b2e0c2ec716));
	ck_assert_uint_eq(mm_rng_next(&r), UINT64_C(0x6104d9866d113a7e));
	ck_assert_uint_eq(mm_rng_next(&r), UINT64_C(0xae17533239e499a1));
	mm_rng_seed(&r, 0);
	ck_assert_uint_eq(mm_rng_next(&r), UINT64_C(0x99ec5f36cb75f2b4));
	mm_rng_seed(&r, 42);
	ck_assert(mm_rng_uniform(&r) == 0.08386297105988216);
	ck_assert(mm_rng_uniform(&r) == 0.3789802506626686);
	ck_assert(mm_rng_uniform(&r) == 0.6800434110281394);
	mm_rng_seed(&r, 7);
	double want[4] = {0.9643618527255184, -1.0637531974798475,
	                  -0.3039301238656567, -1.0989693210013467};
	for (int i = 0; i < 4; i++)
		ck_assert_double_eq_tol(mm_rng_normal(&r), want[i], 1e-15);
	/* reseeding restarts the stream and drops the cached normal */
	mm_rng_seed(&r, 7);
	ck_assert_double_eq_tol(mm_rng_normal(&r), want[0], 1e-15);
	mm_rng_seed(&r, 7);
	ck_assert_double_eq_tol(mm_rng_normal(&r), want[0], 1e-15);
}
END_TEST

START_TEST(test_rand_tensors)
{
	mm_rng r;
	mm_rng_seed(&r, 1);
	int64_t s[2] = {100, 100};
	mm_tensor *u = mm_tensor_rand(&r, MM_F32, 2, s, NULL);
	double sum = 0;
	for (int64_t i = 0; i < 10000; i++) {
		double x = mm_tensor_get_flat(u, i);
		ck_assert(x >= 0 && x < 1);
		sum += x;
	}
	ck_assert_double_eq_tol(sum / 10000, 0.5, 0.02);
	mm_tensor *n = mm_tensor_randn(&r, MM_F64, 2, s, NULL);
	double m = 0, v = 0;
	for (int64_t i = 0; i < 10000; i++)
		m += mm_tensor_get_flat(n, i);
	m /= 10000;
	for (int64_t i = 0; i < 10000; i++)
		v += pow(mm_tensor_get_flat(n, i) - m, 2);
	v /= 10000;
	ck_assert_double_eq_tol(m, 0, 0.05);
	ck_assert_double_eq_tol(v, 1, 0.05);
	/* same seed, same tensor */
	mm_rng_seed(&r, 3);
	mm_tensor *a = mm_tensor_randn(&r, MM_F32, 2, s, NULL);
	mm_rng_seed(&r, 3);
	mm_tensor *b = mm_tensor_randn(&r, MM_F32, 2, s, NULL);
	ck_assert(memcmp(a->data, b->data, mm_tensor_nbytes(a)) == 0);
	mm_tensor *list[] = {u, n, a, b};
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
		mm_tensor_unref(list[i]);
}
END_TEST

static mm_index full_slice(int64_t a, int64_t b, int64_t c)
{
	mm_index x = MM_INDEX_ALL;
	x.start = a, x.stop = b, x.step = c;
	x.has_start = x.has_stop = x.has_step = true;
	return x;
}

/* Steps, starts and stops at the ends of int64 (UBSan reported signed
 * overflow in the count and the stride); NumPy's answers. */
START_TEST(test_slices_huge_steps)
{
	int64_t s[1] = {10};
	mm_tensor *t = seq(MM_F64, 1, s);
	mm_index ix = MM_INDEX_ALL;
	ix.step = INT64_MAX, ix.has_step = true;
	mm_tensor *v = mm_tensor_index(t, &ix, 1, NULL);
	expect_vals(v, (const double[]){0}, 1); /* a[::2**63-1] */
	mm_tensor_unref(v);
	ix.step = INT64_MIN;
	v = mm_tensor_index(t, &ix, 1, NULL);
	expect_vals(v, (const double[]){9}, 1); /* a[::-2**63] */
	mm_tensor_unref(v);
	ix = full_slice(INT64_MIN, INT64_MAX, 3);
	v = mm_tensor_index(t, &ix, 1, NULL);
	expect_vals(v, (const double[]){0, 3, 6, 9}, 4);
	mm_tensor_unref(v);
	ix = full_slice(INT64_MAX, INT64_MIN, -4);
	v = mm_tensor_index(t, &ix, 1, NULL);
	expect_vals(v, (const double[]){9, 5, 1}, 3);
	mm_tensor_unref(v);
	ix = full_slice(INT64_MAX, INT64_MIN, INT64_MIN);
	v = mm_tensor_index(t, &ix, 1, NULL);
	expect_vals(v, (const double[]){9}, 1);
	mm_tensor_unref(v);
	mm_tensor_unref(t);

	/* 3 x 4: a stride of 4 times a huge step */
	t = seq(MM_F32, 2, (int64_t[2]){3, 4});
	ix = MM_INDEX_ALL;
	ix.step = INT64_MAX, ix.has_step = true;
	v = mm_tensor_index(t, &ix, 1, NULL);
	ck_assert_int_eq(v->shape[0], 1);
	expect_vals(v, (const double[]){0, 1, 2, 3}, 4);
	mm_tensor_unref(v);
	ix.step = INT64_MIN;
	v = mm_tensor_index(t, &ix, 1, NULL);
	expect_vals(v, (const double[]){8, 9, 10, 11}, 4);
	mm_tensor_unref(v);
	mm_index two[2] = {MM_INDEX_ALL, MM_INDEX_ALL};
	two[1].step = INT64_MIN / 2, two[1].has_step = true;
	v = mm_tensor_index(t, two, 2, NULL);
	ck_assert_int_eq(v->shape[1], 1);
	expect_vals(v, (const double[]){3, 7, 11}, 3);
	mm_tensor_unref(v);
	mm_tensor_unref(t);
}
END_TEST

/* A freed tensor's block goes to the next tensor of the same size (no
 * fresh pages for a result that replaces one like it), others get their
 * own; at most 8 blocks and 64 MiB are kept, small ones never. */
START_TEST(test_freed_blocks_reused)
{
	const int64_t mb[2] = {512, 512}; /* 1 MiB of f32 */
	mm_tensor *a = mm_tensor_new(MM_F32, 2, mb, NULL);
	ck_assert_ptr_nonnull(a);
	void *pa = a->data;
	size_t k0 = mm_tensor_test_kept_bytes();
	mm_tensor_unref(a);
	ck_assert_uint_eq(mm_tensor_test_kept_bytes(), k0 + (1u << 20));
	const int64_t other[2] = {512, 256};
	mm_tensor *o = mm_tensor_new(MM_F32, 2, other, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_ptr_ne(o->data, pa);
	mm_tensor *b = mm_tensor_new(MM_F64, 2, (int64_t[2]){256, 512}, NULL);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_eq(b->data, pa); /* same bytes, any shape or dtype */
	ck_assert_uint_eq(mm_tensor_test_kept_bytes(), k0);
	mm_tensor_unref(b);
	mm_tensor_unref(o);

	/* small blocks go straight back to malloc */
	size_t k1 = mm_tensor_test_kept_bytes();
	mm_tensor *s = mm_tensor_new(MM_F32, 2, (int64_t[2]){8, 8}, NULL);
	mm_tensor_unref(s);
	ck_assert_uint_eq(mm_tensor_test_kept_bytes(), k1);

	/* caps: twelve 8 MiB blocks leave eight, 64 MiB */
	mm_tensor *t[12];
	const int64_t big[2] = {1024, 2048};
	for (int i = 0; i < 12; i++) {
		t[i] = mm_tensor_new(MM_F32, 2, big, NULL);
		ck_assert_ptr_nonnull(t[i]);
		memset(t[i]->data, i, 8u << 20);
	}
	for (int i = 0; i < 12; i++)
		mm_tensor_unref(t[i]);
	ck_assert_uint_le(mm_tensor_test_kept_bytes(), 64u << 20);
	ck_assert_uint_ge(mm_tensor_test_kept_bytes(), 56u << 20);
	/* the newest freed comes back first, with its old contents */
	mm_tensor *n = mm_tensor_new(MM_F32, 2, big, NULL);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(((unsigned char *)n->data)[12345], 11);
	mm_tensor_unref(n);
}
END_TEST

/* Filling a big tensor stops on Ctrl-C (between steps of a few ms). */
START_TEST(test_fills_interruptible)
{
	mm_diag d;
	const int64_t big[1] = {INT64_C(3) << 20};
	mm_interrupt_request();
	ck_assert_ptr_null(mm_tensor_zeros(MM_F32, 1, big, &d));
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	ck_assert_ptr_null(mm_tensor_ones(MM_F64, 1, big, &d));
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	ck_assert_ptr_null(mm_tensor_arange(MM_F32, 0, 3 << 20, 1, &d));
	ck_assert_int_eq(d.code, MM_ERR_INTERRUPTED);
	/* a fill of one step does not poll */
	mm_tensor *t = mm_tensor_ones(MM_F32, 1, (int64_t[1]){1000}, &d);
	ck_assert_ptr_nonnull(t);
	mm_tensor_unref(t);
	mm_interrupt_clear();
	t = mm_tensor_zeros(MM_F32, 1, big, &d);
	ck_assert_ptr_nonnull(t);
	mm_tensor_unref(t);
}
END_TEST

/* --- the memory budget */

#define MIB ((uint64_t)1 << 20)

START_TEST(test_budget_refuses_before_allocating)
{
	mm_diag d;
	uint64_t live0 = mm_tensor_live_bytes();
	mm_tensor_set_limit(live0 + 6 * MIB);
	ck_assert_uint_eq(mm_tensor_limit(), live0 + 6 * MIB);
	const int64_t four[2] = {1024, 1024}; /* 4 MiB of f32 */
	mm_tensor *a = mm_tensor_new(MM_F32, 2, four, &d);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(mm_tensor_live_bytes(), live0 + 4 * MIB);
	mm_tensor *b = mm_tensor_zeros(MM_F32, 2, four, &d);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(d.message, "memory limit"));
	ck_assert_ptr_nonnull(strstr(d.message, "4 MiB more"));
	ck_assert_uint_eq(mm_tensor_live_bytes(), live0 + 4 * MIB);
	/* a view and a copy: the view costs nothing, the copy is refused */
	mm_tensor *t = mm_tensor_transpose(a, &d);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_null(mm_tensor_copy(t, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	mm_tensor_unref(t);
	mm_tensor_unref(a);
	ck_assert_uint_eq(mm_tensor_live_bytes(), live0);
	b = mm_tensor_zeros(MM_F32, 2, four, &d);
	ck_assert_ptr_nonnull(b);
	mm_tensor_unref(b);

	/* the peak, and its reset */
	mm_tensor_reset_peak();
	ck_assert_uint_eq(mm_tensor_peak_bytes(), live0);
	a = mm_tensor_new(MM_F32, 2, (int64_t[2]){512, 512}, &d);
	mm_tensor_unref(a);
	ck_assert_uint_eq(mm_tensor_peak_bytes(), live0 + MIB);
	mm_tensor_reset_peak();
	ck_assert_uint_eq(mm_tensor_peak_bytes(), live0);

	/* kept blocks never hold more than the limit leaves */
	mm_tensor_set_limit(0);
	a = mm_tensor_new(MM_F32, 2, four, &d);
	mm_tensor_unref(a);
	ck_assert_uint_ge(mm_tensor_test_kept_bytes(), 4 * MIB);
	mm_tensor_set_limit(live0 + MIB);
	ck_assert_uint_le(mm_tensor_test_kept_bytes(), MIB);
	mm_tensor_set_limit(0);
}
END_TEST

START_TEST(test_budget_scratch)
{
	mm_diag d;
	uint64_t live0 = mm_tensor_live_bytes();
	mm_tensor_set_limit(live0 + 2 * MIB);
	/* count x size is checked: 2^62 x 16 wraps to 0 unchecked */
	ck_assert_ptr_null(mm_tensor_scratch_alloc((size_t)1 << 62, 16, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	ck_assert_ptr_null(mm_tensor_scratch_alloc(SIZE_MAX, 1, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	double *p = mm_tensor_scratch_alloc(1000, sizeof(double), &d);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % 64, 0);
	p[0] = p[999] = 1; /* all of it is usable */
	ck_assert_uint_gt(mm_tensor_live_bytes(), live0 + 8000);
	ck_assert_ptr_null(mm_tensor_scratch_alloc(2 * MIB, 1, &d));
	ck_assert_int_eq(d.code, MM_ERR_LIMIT);
	void *z = mm_tensor_scratch_alloc(0, 8, &d);
	ck_assert_ptr_nonnull(z);
	mm_tensor_scratch_free(z);
	mm_tensor_scratch_free(p);
	mm_tensor_scratch_free(NULL);
	ck_assert_uint_eq(mm_tensor_live_bytes(), live0);
	/* what others allocate, reserved by hand */
	ck_assert_int_eq(mm_tensor_reserve(MIB, &d), MM_OK);
	ck_assert_int_eq(mm_tensor_reserve(2 * MIB, &d), MM_ERR_LIMIT);
	mm_tensor_unreserve(MIB);
	ck_assert_uint_eq(mm_tensor_live_bytes(), live0);
	mm_tensor_set_limit(0);
}
END_TEST

/* Resident memory under a limit: a child process allocates far more than
 * the limit in tensors and scratch buffers (touching every page), frees
 * some as it goes, and its peak resident size (getrusage) must stay under
 * what it started with + the limit + a fixed allowance. */
START_TEST(test_budget_bounds_resident_memory)
{
#if defined(__SANITIZE_ADDRESS__)
	return; /* ASan keeps freed memory in quarantine: RSS means little */
#else
	const uint64_t limit = 256 * MIB, allowance = 32 * MIB;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	uint64_t base = (uint64_t)ru.ru_maxrss * 1024;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		mm_tensor_set_limit(mm_tensor_live_bytes() + limit);
		mm_tensor *keep[48] = {NULL};
		int refused = 0, made = 0;
		for (int i = 0; i < 48; i++) {
			int64_t rows = 1024 * (1 + i % 8); /* 4 to 32 MiB */
			mm_diag d;
			keep[i] = mm_tensor_ones(MM_F32, 2,
			                         (int64_t[2]){rows, 1024}, &d);
			if (!keep[i]) {
				refused += d.code == MM_ERR_LIMIT;
				/* drop an old one, as a statement's end would */
				mm_tensor_unref(keep[i / 2]);
				keep[i / 2] = NULL;
			} else {
				made++;
			}
			unsigned char *s = mm_tensor_scratch_alloc(
				8 * MIB, 1, &d);
			if (s) {
				memset(s, 1, 8 * MIB);
				mm_tensor_scratch_free(s);
			}
		}
		for (int i = 0; i < 48; i++)
			mm_tensor_unref(keep[i]);
		_exit(refused > 0 && made > 8 ? 0 : 3);
	}
	int status;
	ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	uint64_t peak = (uint64_t)ru.ru_maxrss * 1024;
	ck_assert_msg(peak <= base + limit + allowance,
	              "peak resident %llu MiB over %llu + %llu + %llu MiB",
	              (unsigned long long)(peak / MIB),
	              (unsigned long long)(base / MIB),
	              (unsigned long long)(limit / MIB),
	              (unsigned long long)(allowance / MIB));
#endif
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tensor");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_constructors);
	tcase_add_test(tc, test_arange);
	tcase_add_test(tc, test_sizes_and_limits);
	tcase_add_test(tc, test_nomem);
	tcase_add_test(tc, test_views_share_and_outlive);
	tcase_add_test(tc, test_permute);
	tcase_add_test(tc, test_slices_numpy);
	tcase_add_test(tc, test_slices_huge_steps);
	tcase_add_test(tc, test_index_nd);
	tcase_add_test(tc, test_copy_cast);
	tcase_add_test(tc, test_from_doubles);
	tcase_add_test(tc, test_rng_streams);
	tcase_add_test(tc, test_rand_tensors);
	tcase_add_test(tc, test_freed_blocks_reused);
	tcase_add_test(tc, test_fills_interruptible);
	suite_add_tcase(s, tc);
	tc = tcase_create("budget");
	tcase_add_test(tc, test_budget_refuses_before_allocating);
	tcase_add_test(tc, test_budget_scratch);
	tcase_add_test(tc, test_budget_bounds_resident_memory);
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
