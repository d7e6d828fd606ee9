/* test-count.c — exact-or-approximate counts, units and formatting. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "mmcalc/count.h"

/* Formats with f into a fresh buffer and compares with want. */
#define FMT_EQ(want, call)                                                     \
	do {                                                                   \
		mm_buf b_ = MM_BUF_INIT;                                       \
		mm_buf *b = &b_;                                               \
		call;                                                          \
		ck_assert_str_eq(mm_buf_str(b), want);                         \
		mm_buf_free(b);                                                \
	} while (0)

START_TEST(exact_matmul_counts)
{
	/* (1024x4096) @ (4096x4096): 2·m·k·n = 2^35 FLOPs, 2^34 MACs. */
	mm_count macs = mm_count_mul(mm_count_mul(mm_count_of(1024),
	                                          mm_count_of(4096)),
	                             mm_count_of(4096));
	mm_count flops = mm_count_mul_u(macs, 2);
	uint64_t v = 0;
	ck_assert(mm_count_get_u64(flops, &v));
	ck_assert_uint_eq(v, 34359738368u);
	ck_assert(mm_count_get_u64(macs, &v));
	ck_assert_uint_eq(v, 17179869184u);
	FMT_EQ("34.36 GFLOP", mm_count_format_si(b, flops, "FLOP", 0));
	FMT_EQ("17.18 GMAC", mm_count_format_si(b, macs, "MAC", 4));
	FMT_EQ("34359738368", mm_count_format_digits(b, flops, 0));
	FMT_EQ("34,359,738,368", mm_count_format_digits(b, flops, ','));
}
END_TEST

/* Counts stay exact to 2^128 - 1 (issue 19: '~' only on values that
 * really are approximate), well past 2^64. */
START_TEST(boundary_2_128)
{
	mm_count max = mm_count_of(UINT64_MAX);
	FMT_EQ("18446744073709551615", mm_count_format_digits(b, max, 0));
	mm_count over = mm_count_add(max, mm_count_of(1));
	ck_assert(!over.approx);
	ck_assert_uint_eq(over.hi, 1);
	ck_assert_uint_eq(over.exact, 0);
	ck_assert(!mm_count_get_u64(over, NULL));
	FMT_EQ("18446744073709551616", mm_count_format_digits(b, over, 0));
	ck_assert_int_eq(mm_count_cmp(max, over), -1);
	ck_assert_int_eq(mm_count_cmp(over, max), 1);
	mm_count sq = mm_count_mul(mm_count_of(1ull << 32), mm_count_of(1ull << 32));
	ck_assert(!sq.approx && mm_count_eq(sq, over));
	/* 2^128 - 1 is the last exact count */
	mm_count top = mm_count_mul(mm_count_add(max, mm_count_of(2)), max);
	ck_assert(!top.approx); /* (2^64 + 1)(2^64 - 1) = 2^128 - 1 */
	FMT_EQ("340282366920938463463374607431768211455",
	       mm_count_format_digits(b, top, 0));
	mm_count past = mm_count_add(top, mm_count_of(1));
	ck_assert(past.approx);
	ck_assert_int_eq(mm_count_cmp(top, past), -1);
	/* once approximate, always approximate */
	ck_assert(mm_count_add(mm_count_approx(1), mm_count_of(1)).approx);
	mm_count back = mm_count_sub(over, mm_count_of(UINT64_MAX));
	ck_assert(!back.approx && back.exact == 1);
}
END_TEST

START_TEST(huge_is_approximate)
{
	/* (1e12 x 1e12) @ (1e12 x 1e12) = 2e36 FLOPs: exact, in digits and
	 * with the largest prefix. */
	mm_count t = mm_count_of(1000000000000ull);
	mm_count f = mm_count_mul_u(mm_count_mul(mm_count_mul(t, t), t), 2);
	ck_assert(!f.approx);
	FMT_EQ("2000000000000000000000000000000000000",
	       mm_count_format_digits(b, f, 0));
	FMT_EQ("2e36 FLOP", mm_count_format_si(b, f, "FLOP", 4));
	FMT_EQ("80.86 ZFLOP",
	       mm_count_format_si(b, mm_count_of_wide((mm_count_u128)80857ull *
	                                              1000000000000000000ull),
	                          "FLOP", 4));
	/* (1e15)^3 = 1e45 is past 2^128: approximate, never wrapped */
	mm_count q = mm_count_of(1000000000000000ull);
	mm_count g = mm_count_mul(mm_count_mul(q, q), q);
	ck_assert(g.approx);
	ck_assert(fabs(g.value / 1e45 - 1) < 1e-12);
	FMT_EQ("~1e45", mm_count_format_digits(b, g, 0));
	FMT_EQ("~1e45 FLOP", mm_count_format_si(b, g, "FLOP", 4));
	FMT_EQ("~1e33 TFLOP",
	       mm_count_format_in_unit(b, g, mm_count_unit_find("TFLOP"), true));
	FMT_EQ("~1.5 EFLOP",
	       mm_count_format_si(b, mm_count_approx(1.5e18), "FLOP", 4));
}
END_TEST

START_TEST(arithmetic)
{
	ck_assert_uint_eq(mm_count_sub(mm_count_of(3), mm_count_of(5)).exact, 0);
	ck_assert_uint_eq(mm_count_sub(mm_count_of(5), mm_count_of(3)).exact, 2);
	mm_count h = mm_count_div_u(mm_count_of(10), 2);
	ck_assert(!h.approx);
	ck_assert_uint_eq(h.exact, 5);
	h = mm_count_div_u(mm_count_of(11), 2);
	ck_assert(h.approx);
	ck_assert(h.value == 5.5);
	ck_assert(mm_count_ratio(mm_count_of(10), mm_count_of(4)) == 2.5);
	ck_assert_uint_eq(mm_count_min(mm_count_of(7), mm_count_of(3)).exact, 3);
	ck_assert_uint_eq(mm_count_max(mm_count_of(7), mm_count_of(3)).exact, 7);
	/* Approximate comparisons go by value. */
	ck_assert_int_eq(mm_count_cmp(mm_count_approx(1e30), mm_count_approx(2e30)),
	                 -1);
	ck_assert_int_eq(mm_count_cmp(mm_count_of(5), mm_count_approx(7.5)), -1);
	ck_assert_int_eq(mm_count_cmp(mm_count_approx(7.5), mm_count_of(5)), 1);
	ck_assert(mm_count_eq(mm_count_approx(3e20), mm_count_approx(3e20)));
	ck_assert(mm_count_is_zero(MM_COUNT_ZERO));
	ck_assert(!mm_count_is_zero(mm_count_of(1)));
}
END_TEST

START_TEST(from_double)
{
	mm_count c = mm_count_from_double(1e18);
	ck_assert(!c.approx);
	ck_assert_uint_eq(c.exact, 1000000000000000000u);
	ck_assert(mm_count_from_double(2.5).approx);
	ck_assert(!mm_count_from_double(18446744073709551616.0).approx);
	ck_assert(mm_count_from_double(340282366920938463463374607431768211456.0)
	              .approx);
	ck_assert(mm_count_from_double(-1).approx);
	c = mm_count_from_double(18446744073709549568.0); /* 2^64 - 2^11 */
	ck_assert(!c.approx);
	ck_assert_uint_eq(c.exact, 18446744073709549568u);
}
END_TEST

START_TEST(format_prefixes)
{
	FMT_EQ("512 FLOP", mm_count_format_si(b, mm_count_of(512), "FLOP", 4));
	FMT_EQ("0 FLOP", mm_count_format_si(b, MM_COUNT_ZERO, "FLOP", 4));
	FMT_EQ("1 kFLOP", mm_count_format_si(b, mm_count_of(1000), "FLOP", 4));
	/* 999999 rounds to 1000 k with four digits, so it is 1 M. */
	FMT_EQ("1 MFLOP", mm_count_format_si(b, mm_count_of(999999), "FLOP", 4));
	/* The :order example: 34368126976 and 41943040 FLOPs. */
	FMT_EQ("34.4 GFLOP",
	       mm_count_format_si(b, mm_count_of(34368126976u), "FLOP", 3));
	FMT_EQ("42 MFLOP", mm_count_format_si(b, mm_count_of(41943040), "FLOP", 2));
	FMT_EQ("41.94 MFLOP",
	       mm_count_format_si(b, mm_count_of(41943040), "FLOP", 4));
	FMT_EQ("80 MiB", mm_count_format_iec(b, mm_count_of(83886080), "B", 4));
	FMT_EQ("16 MiB", mm_count_format_iec(b, mm_count_of(16777216), "B", 4));
	FMT_EQ("1.5 GiB", mm_count_format_iec(b, mm_count_of(1610612736), "B", 4));
	FMT_EQ("1000 B", mm_count_format_iec(b, mm_count_of(1000), "B", 4));
	FMT_EQ("1 KiB", mm_count_format_iec(b, mm_count_of(1024), "B", 4));
	FMT_EQ("989.4 TFLOP/s", mm_count_format_si_f(b, 989.4e12, "FLOP/s", 4));
	FMT_EQ("3.35 TB/s", mm_count_format_si_f(b, 3.35e12, "B/s", 4));
	FMT_EQ("0.5 FLOP/s", mm_count_format_si_f(b, 0.5, "FLOP/s", 4));
	FMT_EQ("inf FLOP/s", mm_count_format_si_f(b, INFINITY, "FLOP/s", 4));
}
END_TEST

START_TEST(format_seconds)
{
	FMT_EQ("1.25 ms", mm_count_format_seconds(b, 0.00125, 4, false));
	FMT_EQ("12 µs", mm_count_format_seconds(b, 12e-6, 4, false));
	FMT_EQ("12 us", mm_count_format_seconds(b, 12e-6, 4, true));
	FMT_EQ("1 s", mm_count_format_seconds(b, 0.99996, 4, false));
	FMT_EQ("239.5 h", mm_count_format_seconds(b, 239.5 * 3600.0, 4, false));
	FMT_EQ("41666.6 days", mm_count_format_seconds(b, 999999 * 3600.0, 6, false));
	FMT_EQ("3.46e17 days", mm_count_format_seconds(b, 8.304e18 * 3600, 4, false));
	FMT_EQ("1.5 min", mm_count_format_seconds(b, 90, 4, false));
	FMT_EQ("2 h", mm_count_format_seconds(b, 7200, 4, false));
	FMT_EQ("3 ns", mm_count_format_seconds(b, 3e-9, 4, false));
	FMT_EQ("0 s", mm_count_format_seconds(b, 0, 4, false));
	FMT_EQ("12.5 ms", mm_count_format_seconds_in(
	                          b, 0.0125, mm_count_unit_find("ms"), false));
	FMT_EQ("12500 us", mm_count_format_seconds_in(
	                           b, 0.0125, mm_count_unit_find("us"), true));
}
END_TEST

START_TEST(unit_lookup)
{
	const mm_unit *u = mm_count_unit_find("gflop");
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->name, "GFLOP");
	ck_assert_uint_eq(u->scale, 1000000000u);
	u = mm_count_unit_find("GB");
	ck_assert_uint_eq(u->scale, 1000000000u);
	u = mm_count_unit_find("GiB");
	ck_assert_uint_eq(u->scale, 1073741824u);
	ck_assert_str_eq(mm_count_unit_find("gib")->name, "GiB");
	ck_assert_str_eq(mm_count_unit_find("KB")->name, "kB");
	/* bits are not bytes (issue 19): kb is a kilobit, an eighth of kB;
	 * "mb" could be either, so it is neither (the suggestion says MB) */
	ck_assert_str_eq(mm_count_unit_find("kb")->name, "kb");
	ck_assert(mm_count_unit_find("Gb")->factor == 125e6);
	ck_assert_ptr_null(mm_count_unit_find("mb"));
	ck_assert_str_eq(mm_count_unit_suggest("mb"), "'MB' (bytes) or 'Mb' (bits)");
	ck_assert_ptr_null(mm_count_unit_find("gb/S"));
	ck_assert_str_eq(mm_count_unit_find("gib/S")->name, "GiB/s");
	ck_assert_ptr_eq(mm_count_unit_find("us"), mm_count_unit_find("µs"));
	ck_assert_ptr_eq(mm_count_unit_find("\xCE\xBCs"), mm_count_unit_find("µs"));
	ck_assert(mm_count_unit_find("µs")->factor == 1e-6);
	ck_assert(mm_count_unit_find("ms")->factor == 1e-3);
	ck_assert(mm_count_unit_find("day")->factor == 86400);
	ck_assert(mm_dim_eq(mm_count_unit_find("TFLOP/s")->dim,
	                    (mm_dim){1, 0, 0, -1}));
	ck_assert_ptr_null(mm_count_unit_find("furlong"));
	ck_assert_ptr_null(mm_count_unit_find(""));
	size_t n = 0;
	const mm_unit *all = mm_count_units(&n);
	ck_assert_uint_ge(n, 20);
	for (size_t i = 0; i < n; i++)
		ck_assert_ptr_eq(mm_count_unit_find(all[i].name), &all[i]);
}
END_TEST

START_TEST(unit_conversion)
{
	mm_count f = mm_count_of(34359738368u);
	FMT_EQ("34.359738368 GFLOP",
	       mm_count_format_in_unit(b, f, mm_count_unit_find("GFLOP"), true));
	FMT_EQ("0.034359738368 TFLOP",
	       mm_count_format_in_unit(b, f, mm_count_unit_find("TFLOP"), true));
	FMT_EQ("32 GiB",
	       mm_count_format_in_unit(b, f, mm_count_unit_find("GiB"), true));
	FMT_EQ("16 MiB", mm_count_format_in_unit(b, mm_count_of(16777216),
	                                         mm_count_unit_find("MiB"), true));
	FMT_EQ("16.777216 MB", mm_count_format_in_unit(b, mm_count_of(16777216),
	                                               mm_count_unit_find("MB"), true));
	FMT_EQ("0.9765625 KiB", mm_count_format_in_unit(b, mm_count_of(1000),
	                                                mm_count_unit_find("KiB"), true));
	FMT_EQ("1.5 GB", mm_count_format_in_unit(b, mm_count_of(1500000000),
	                                         mm_count_unit_find("GB"), true));
	/* Exact however many digits, up to 12 after the point. */
	FMT_EQ("123456.789012345 GB",
	       mm_count_format_in_unit(b, mm_count_of(123456789012345u),
	                               mm_count_unit_find("GB"), true));
	/* 1.5e9 / 2^30 = 1.3969838619232177734375: 22 digits, so rounded. */
	FMT_EQ("1.39698386192 GiB",
	       mm_count_format_in_unit(b, mm_count_of(1500000000),
	                               mm_count_unit_find("GiB"), true));
	ck_assert(mm_count_in_unit(mm_count_of(1610612736),
	                           mm_count_unit_find("GiB")) == 1.5);
	ck_assert(mm_count_in_unit(mm_count_of(1610612736),
	                           mm_count_unit_find("GB")) == 1.610612736);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("count");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, exact_matmul_counts);
	tcase_add_test(tc, boundary_2_128);
	tcase_add_test(tc, huge_is_approximate);
	tcase_add_test(tc, arithmetic);
	tcase_add_test(tc, from_double);
	tcase_add_test(tc, format_prefixes);
	tcase_add_test(tc, format_seconds);
	tcase_add_test(tc, unit_lookup);
	tcase_add_test(tc, unit_conversion);
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
