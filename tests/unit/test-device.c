/* test-device.c — device profiles, rooflines, custom devices, host cache. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcalc/check.h"
#include "mmcalc/device.h"
#include "mmcalc/gemm.h"
#include "mmcalc/parse.h"

/* |got/want - 1| < rel */
static void near(double got, double want, double rel)
{
	ck_assert_msg(fabs(got / want - 1) < rel, "got %.9g, want %.9g", got,
	              want);
}

START_TEST(lookup)
{
	const mm_device *h = mm_device_find("h100");
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->name, "H100 SXM");
	ck_assert_ptr_eq(mm_device_find("H100 SXM"), h);
	ck_assert_ptr_eq(mm_device_find("h100-sxm"), h);
	ck_assert_ptr_eq(mm_device_find("H100_SXM"), h);
	ck_assert_str_eq(mm_device_find("A100")->name, "A100 80GB SXM");
	ck_assert_str_eq(mm_device_find("a100-80gb")->name, "A100 80GB SXM");
	ck_assert_str_eq(mm_device_find("MI300X")->name, "MI300X");
	ck_assert_str_eq(mm_device_find("rtx 4090")->name, "RTX 4090");
	ck_assert_str_eq(mm_device_find("4090")->name, "RTX 4090");
	ck_assert_str_eq(mm_device_find("apple-m2")->name, "Apple M2 GPU");
	ck_assert_str_eq(mm_device_find("M2")->name, "Apple M2 GPU");
	/* its figures are the GPU's: a GPU profile (issue 19) */
	ck_assert_int_eq(mm_device_find("m2")->kind, MM_DEVICE_GPU);
	ck_assert_str_eq(mm_device_find("H200")->name, "H200 SXM");
	ck_assert_str_eq(mm_device_find("l4")->name, "L4");
	ck_assert_ptr_null(mm_device_find("h1000"));
	ck_assert_ptr_null(mm_device_find(""));
	ck_assert_ptr_null(mm_device_find("host"));
	ck_assert_ptr_null(mm_device_find(NULL));
	size_t n;
	const mm_device *all = mm_device_builtin(&n);
	ck_assert_uint_ge(n, 7);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_eq(mm_device_find(all[i].key), &all[i]);
		ck_assert_ptr_eq(mm_device_find(all[i].name), &all[i]);
		ck_assert(all[i].peak[MM_F32] > 0);
		ck_assert(all[i].bw > 0);
		ck_assert_uint_gt(strlen(all[i].source), 10);
	}
}
END_TEST

START_TEST(peaks)
{
	const mm_device *h = mm_device_find("h100");
	mm_dtype used;
	ck_assert(mm_device_peak(h, MM_BF16, &used) == 989.4e12);
	ck_assert_int_eq(used, MM_BF16);
	/* No INT4 on H100: it runs int4 on its int8 units, and says so. */
	ck_assert(mm_device_peak(h, MM_I4, &used) == 1978.9e12);
	ck_assert_int_eq(used, MM_I8);
	/* No FP8 on A100: FP8 models run on its f16/bf16 tensor cores, not at
	 * the f32 rate (16x slower). */
	const mm_device *a = mm_device_find("a100");
	ck_assert(mm_device_peak(a, MM_F8E4M3, &used) == 312e12);
	ck_assert_int_eq(used, MM_BF16);
	ck_assert(mm_device_peak(a, MM_F8E5M2, &used) == 312e12);
	ck_assert_int_eq(used, MM_BF16);
	ck_assert(mm_device_peak(a, MM_I4, &used) == 1248e12);
	ck_assert_int_eq(used, MM_I4);
	ck_assert(mm_device_peak(h, MM_F8E5M2, &used) == 1978.9e12);
	ck_assert_int_eq(used, MM_F8E5M2);
	/* No f64 figure for L4: no fallback (f32 would be 64x too fast). */
	const mm_device *l4 = mm_device_find("l4");
	ck_assert(mm_device_peak(l4, MM_F64, NULL) == 0);
	mm_roofline r;
	mm_diag d;
	ck_assert_int_eq(mm_device_roofline(l4, mm_count_of(1), mm_count_of(1),
	                                    MM_F64, &r, &d),
	                 MM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.message, "f64"));
	ck_assert(mm_device_peak(mm_device_find("m2"), MM_F16, &used) == 3.6e12);
	ck_assert_int_eq(used, MM_F32);
	ck_assert(mm_device_peak(mm_device_find("m2"), MM_I4, &used) == 3.6e12);
	ck_assert_int_eq(used, MM_F32);
	/* The host: each dtype on the kernel mmcalc runs it on. */
	mm_host_calib c = {.peak_f32 = 1e11, .peak_f64 = 5e10, .peak_bf16 = 4e11,
	                   .peak_i8 = 8e11, .transcendental = 1e9, .bw = 1e10,
	                   .threads = 2, .isa = "avx512", .cpu = "Test CPU"};
	mm_device host;
	mm_device_from_calib(&host, &c);
	const struct {
		mm_dtype t, used;
		double peak;
	} hp[] = {{MM_F32, MM_F32, 1e11},    {MM_F64, MM_F64, 5e10},
	          {MM_TF32, MM_F32, 1e11},   {MM_F16, MM_F32, 1e11},
	          {MM_BF16, MM_BF16, 4e11},  {MM_F8E4M3, MM_BF16, 4e11},
	          {MM_F8E5M2, MM_BF16, 4e11}, {MM_I8, MM_I8, 8e11},
	          {MM_I4, MM_I8, 8e11}};
	for (size_t k = 0; k < sizeof hp / sizeof hp[0]; k++) {
		ck_assert(mm_device_peak(&host, hp[k].t, &used) == hp[k].peak);
		ck_assert_int_eq(used, hp[k].used);
	}
}
END_TEST

/* Transcendental work takes the host's rate of it, on top of the FLOPs;
 * a profile without such a rate counts FLOPs only. */
START_TEST(roofline_transcendental)
{
	mm_host_calib c = {.peak_f32 = 1e11, .peak_f64 = 5e10, .peak_bf16 = 4e11,
	                   .peak_i8 = 8e11, .transcendental = 1e9, .bw = 1e10,
	                   .threads = 2, .isa = "avx512", .cpu = "Test CPU"};
	mm_device host;
	mm_device_from_calib(&host, &c);
	mm_roofline r;
	/* gelu of 1e6 f32 elements: 1e6 FLOPs, 1e6 gelus, 8e6 bytes:
	 * compute 1e6/1e11 + 1e6/1e9 = 1.01 ms (compute-bound against the
	 * memory's 0.8 ms); the transcendental time adds to the roofline of
	 * the rest: max(0.01, 0.8) + 1 = 1.8 ms. */
	ck_assert_int_eq(mm_device_roofline_ops(&host, mm_count_of(1000000),
	                                        mm_count_of(1000000),
	                                        mm_count_of(8000000), MM_F32,
	                                        &r, NULL),
	                 MM_OK);
	near(r.transcendental_s, 1e-3, 1e-9);
	near(r.compute_s, 1.01e-3, 1e-9);
	near(r.memory_s, 0.8e-3, 1e-9);
	ck_assert(r.compute_bound);
	near(r.seconds, 1.8e-3, 1e-9);
	/* the same with no transcendental work: memory-bound */
	ck_assert_int_eq(mm_device_roofline(&host, mm_count_of(1000000),
	                                    mm_count_of(8000000), MM_F32, &r,
	                                    NULL),
	                 MM_OK);
	ck_assert(!r.compute_bound);
	near(r.seconds, 0.8e-3, 1e-9);
	/* a bf16 product at the bf16 GEMM rate: 2e9 FLOPs / 4e11 = 5 ms */
	ck_assert_int_eq(mm_device_roofline(&host, mm_count_of(2000000000),
	                                    mm_count_of(6000000), MM_BF16, &r,
	                                    NULL),
	                 MM_OK);
	near(r.seconds, 5e-3, 1e-9);
	/* H100 has no rate for transcendentals: FLOPs only */
	ck_assert_int_eq(mm_device_roofline_ops(mm_device_find("h100"),
	                                        mm_count_of(1000000),
	                                        mm_count_of(1000000),
	                                        mm_count_of(8000000), MM_F32,
	                                        &r, NULL),
	                 MM_OK);
	ck_assert(r.transcendental_s == 0);
	near(r.seconds, 8e6 / 3.35e12, 1e-9);
}
END_TEST

/* The totals count the elements that pass through a transcendental
 * function: one per element of exp, gelu, ..., one exp per softmax
 * element, none for arithmetic and products. */
START_TEST(totals_count_transcendentals)
{
	static const struct {
		const char *src;
		uint64_t want;
	} cases[] = {
		{"gelu((4 x 5))", 20},
		{"gelu((400 x 500))", 200000},
		{"softmax((4 x 5)) + (4 x 5)", 10},      /* 20 · 0.52 */
		{"exp((4 x 5)) * sigmoid((4 x 5))", 16}, /* 20 · 0.23 + 20 · 0.56 */
		{"tanh(erf((3 x 3)))", 16},              /* 9 · 0.41 + 9 · 1.29 */
		{"sin((10 x 10))", 420},
		{"(4 x 5) @ (5 x 3) + 1", 0},
		{"sum(sqrt(abs((4 x 5))))", 0},
		{"layernorm((4 x 5))", 0},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		mm_arena arena = {0};
		mm_env env = {0};
		mm_diag d;
		const char *src = cases[k].src;
		mm_node *e = mm_parse_expr_text(src, strlen(src), 0, &arena, &d);
		ck_assert_ptr_nonnull(e);
		mm_checker c;
		mm_checker_init(&c, &env, &arena, &d, NULL);
		ck_assert_int_eq(mm_check_expr(&c, e), MM_OK);
		mm_totals t;
		mm_check_totals(e, &t);
		uint64_t got = (uint64_t)mm_count_to_double(t.transcendental);
		ck_assert_msg(got == cases[k].want, "%s: %llu, want %llu", src,
		              (unsigned long long)got,
		              (unsigned long long)cases[k].want);
		mm_env_clear(&env);
		mm_arena_free(&arena);
	}
}
END_TEST

START_TEST(roofline_by_hand)
{
	/* (1024x4096) @ (4096x4096) in bf16 on H100 SXM:
	 * FLOPs 2·1024·4096·4096 = 34359738368;
	 * bytes (1024·4096 + 4096·4096 + 1024·4096) · 2 = 50331648;
	 * compute 34359738368 / 989.4e12 = 34.728 µs,
	 * memory 50331648 / 3.35e12 = 15.024 µs: compute-bound;
	 * intensity 682.6667 FLOP/B, ridge 989.4 / 3.35 = 295.3433 FLOP/B. */
	mm_roofline r;
	ck_assert_int_eq(mm_device_roofline(mm_device_find("h100"),
	                                    mm_count_of(34359738368u),
	                                    mm_count_of(50331648), MM_BF16, &r,
	                                    NULL),
	                 MM_OK);
	near(r.compute_s, 34.728e-6, 1e-4);
	near(r.memory_s, 15.024e-6, 1e-4);
	near(r.seconds, 34.728e-6, 1e-4);
	ck_assert(r.compute_bound);
	near(r.intensity, 682.6667, 1e-6);
	near(r.ridge, 295.3433, 1e-6);
	/* A matrix-vector product (4096x4096) @ (4096x1) in f32 on A100:
	 * 33554432 FLOPs over 67141632 bytes: 1.72 µs of compute, 32.93 µs of
	 * memory: memory-bound, intensity 0.49976 against a ridge of 9.5635. */
	ck_assert_int_eq(mm_device_roofline(mm_device_find("a100"),
	                                    mm_count_of(33554432),
	                                    mm_count_of(67141632), MM_F32, &r,
	                                    NULL),
	                 MM_OK);
	ck_assert(!r.compute_bound);
	near(r.seconds, 32.929e-6, 1e-4);
	near(r.compute_s, 1.7207e-6, 1e-4);
	near(r.intensity, 0.49976, 1e-4);
	near(r.ridge, 9.5635, 1e-4);
	/* Zero bytes: infinite intensity, compute-bound. */
	ck_assert_int_eq(mm_device_roofline(mm_device_find("a100"),
	                                    mm_count_of(10), MM_COUNT_ZERO,
	                                    MM_F32, &r, NULL),
	                 MM_OK);
	ck_assert(isinf(r.intensity));
	ck_assert(r.compute_bound);
}
END_TEST

START_TEST(custom)
{
	mm_device dev;
	mm_diag d;
	ck_assert_int_eq(mm_device_custom(&dev, "peak=312T bw=2TB/s", &d), MM_OK);
	ck_assert(dev.peak[MM_F32] == 312e12);
	ck_assert(dev.peak[MM_F16] == 312e12);
	ck_assert(dev.bw == 2e12);
	ck_assert_int_eq(dev.kind, MM_DEVICE_CUSTOM);
	ck_assert_int_eq(mm_device_custom(&dev,
	                                  "f16=400T, peak=100TFLOP/s, bw=1.5TiB/s",
	                                  &d),
	                 MM_OK);
	ck_assert(dev.peak[MM_F16] == 400e12); /* a dtype beats peak= */
	ck_assert(dev.peak[MM_F32] == 100e12);
	ck_assert(dev.bw == 1.5 * 1099511627776.0);
	ck_assert_int_eq(mm_device_custom(&dev, "peak=3.12e14 bw=900G", &d), MM_OK);
	ck_assert(dev.peak[MM_F64] == 3.12e14);
	ck_assert(dev.bw == 900e9);
	mm_device keep = dev;
	ck_assert_int_eq(mm_device_custom(&dev, "peak=abc bw=1T", &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_device_custom(&dev, "bw=1T", &d), MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "peak"));
	ck_assert_int_eq(mm_device_custom(&dev, "peak=1T", &d), MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "bandwidth"));
	ck_assert_int_eq(mm_device_custom(&dev, "speed=1 bw=1T", &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_device_custom(&dev, "peak=-5 bw=1T", &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_device_custom(&dev, "peak=5T bw=1TFLOP/s", &d),
	                 MM_ERR_ARG);
	ck_assert_int_eq(mm_device_custom(&dev, "peak 5T", &d), MM_ERR_ARG);
	ck_assert_int_eq(mm_device_custom(&dev, "", &d), MM_ERR_ARG);
	/* Implausible rates: 1e308E overflows to inf after its prefix */
	ck_assert_int_eq(mm_device_custom(&dev, "peak=1e308E bw=1T", &d),
	                 MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "plausible"));
	ck_assert_int_eq(mm_device_custom(&dev, "peak=1e400 bw=1T", &d),
	                 MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "plausible"));
	ck_assert_int_eq(mm_device_custom(&dev, "peak=1T bw=1e22", &d),
	                 MM_ERR_ARG);
	ck_assert_ptr_nonnull(strstr(d.message, "bandwidth"));
	ck_assert_int_eq(mm_device_custom(&dev, "peak=0.5 bw=1T", &d),
	                 MM_ERR_ARG);
	ck_assert_int_eq(mm_device_custom(&dev, "peak=1T bw=1T f16=1e300", &d),
	                 MM_ERR_ARG);
	ck_assert_mem_eq(&dev, &keep, sizeof dev); /* unchanged on error */
	ck_assert_int_eq(mm_device_custom(&dev, "peak=1e21 bw=1", &d), MM_OK);
	/* A roofline on it: 1e12 FLOPs and 1e9 bytes at 312T and 2TB/s. */
	mm_roofline r;
	mm_device_make_custom(&dev, 312e12, 2e12);
	ck_assert_int_eq(mm_device_roofline(&dev, mm_count_of(1000000000000u),
	                                    mm_count_of(1000000000), MM_F32,
	                                    &r, NULL),
	                 MM_OK);
	near(r.seconds, 1.0 / 312, 1e-12);
	near(r.memory_s, 0.5e-3, 1e-12);
	near(r.ridge, 156, 1e-12);
}
END_TEST

START_TEST(describe)
{
	mm_buf b = MM_BUF_INIT;
	mm_device_describe(&b, mm_device_find("h100"));
	ck_assert_str_eq(mm_buf_str(&b),
	                 "H100 SXM: f64/f32 66.9 TFLOP/s, tf32 494.7 TFLOP/s, "
	                 "f16/bf16 989.4 TFLOP/s, f8 1.979 PFLOP/s, "
	                 "i8 1.979 POP/s; 3.35 TB/s");
	mm_buf_reset(&b);
	mm_device_describe(&b, mm_device_find("m2"));
	ck_assert_str_eq(mm_buf_str(&b), "Apple M2 GPU: f32 3.6 TFLOP/s; 100 GB/s");
	mm_buf_free(&b);
}
END_TEST

START_TEST(cache_path)
{
	mm_buf b = MM_BUF_INIT;
	ck_assert(mm_device_cache_path(&b, "/x/cache", "/home/u"));
	ck_assert_str_eq(mm_buf_str(&b), "/x/cache/mmcalc/host");
	mm_buf_reset(&b);
	ck_assert(mm_device_cache_path(&b, NULL, "/home/u"));
	ck_assert_str_eq(mm_buf_str(&b), "/home/u/.cache/mmcalc/host");
	mm_buf_reset(&b);
	/* A relative XDG path is ignored, as the XDG spec says. */
	ck_assert(mm_device_cache_path(&b, "rel", "/home/u"));
	ck_assert_str_eq(mm_buf_str(&b), "/home/u/.cache/mmcalc/host");
	mm_buf_reset(&b);
	ck_assert(!mm_device_cache_path(&b, "", NULL));
	ck_assert_str_eq(mm_buf_str(&b), "");
	mm_buf_free(&b);
}
END_TEST

/* A fresh temporary directory; the caller removes what it made. */
static void tempdir(char *dir, size_t cap)
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, cap, "%s/mmcalc-test-device-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void put_file(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(calibration_and_cache)
{
	mm_host_calib c;
	mm_diag d;
	ck_assert_int_eq(mm_device_calibrate(&c, 0.2, &d), MM_OK);
	ck_assert(c.peak_f32 > 1e8);
	ck_assert(c.peak_f64 > 1e8);
	ck_assert(c.peak_bf16 > 1e8);
	ck_assert(c.peak_i8 > 1e8);
	ck_assert(c.transcendental > 1e6);
	ck_assert(c.bw > 1e8);
	ck_assert_int_eq(c.threads, mm_gemm_threads());
	ck_assert_str_eq(c.isa, mm_gemm_isa());

	char dir[256], path[512], sub[300];
	tempdir(dir, sizeof dir);
	snprintf(sub, sizeof sub, "%s/mmcalc", dir);
	snprintf(path, sizeof path, "%s/host", sub);
	ck_assert_int_eq(mm_device_cache_write(path, &c, &d), MM_OK);
	mm_host_calib r;
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_OK);
	near(r.peak_f32, c.peak_f32, 1e-6);
	near(r.peak_f64, c.peak_f64, 1e-6);
	near(r.peak_bf16, c.peak_bf16, 1e-6);
	near(r.peak_i8, c.peak_i8, 1e-6);
	near(r.transcendental, c.transcendental, 1e-6);
	near(r.bw, c.bw, 1e-6);
	ck_assert_int_eq(r.threads, c.threads);
	ck_assert_str_eq(r.cpu, c.cpu);
	ck_assert_str_eq(r.isa, c.isa);

	/* The host profile comes from the cache now, not from a measurement:
	 * a planted figure proves it. */
	r.peak_f32 = 123e9;
	ck_assert_int_eq(mm_device_cache_write(path, &r, &d), MM_OK);
	mm_device host;
	bool measured = true;
	ck_assert_int_eq(mm_device_host(&host, path, false, &measured, &d), MM_OK);
	ck_assert(!measured);
	ck_assert(host.peak[MM_F32] == 123e9);
	near(host.peak[MM_BF16], c.peak_bf16, 1e-6);
	near(host.peak[MM_I8], c.peak_i8, 1e-6);
	near(host.transcendental, c.transcendental, 1e-6);
	ck_assert_str_eq(host.name, "host");
	ck_assert_int_eq(host.kind, MM_DEVICE_HOST);
	/* A calibration for another thread count goes in beside it (and
	 * first); the host still finds its own. */
	mm_host_calib other = r;
	other.threads = c.threads + 7;
	other.peak_f32 = 456e9;
	ck_assert_int_eq(mm_device_cache_write(path, &other, &d), MM_OK);
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_OK);
	ck_assert_int_eq(r.threads, c.threads + 7);
	ck_assert_int_eq(mm_device_host(&host, path, false, &measured, &d), MM_OK);
	ck_assert(!measured);
	ck_assert(host.peak[MM_F32] == 123e9);
	mm_host_calib key = c;
	key.threads = c.threads + 7;
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_OK);
	ck_assert(r.peak_f32 == 456e9);
	key.threads = c.threads + 8;
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_ERR_IO);
	/* Writing the same key again replaces its record, not adds one. */
	other.peak_f32 = 789e9;
	ck_assert_int_eq(mm_device_cache_write(path, &other, &d), MM_OK);
	key.threads = c.threads + 7;
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_OK);
	ck_assert(r.peak_f32 == 789e9);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	int versions = 0;
	char line[256];
	while (fgets(line, sizeof line, f))
		versions += strncmp(line, "version ", 8) == 0;
	fclose(f);
	ck_assert_int_eq(versions, 2);

	/* Only other thread counts there: measured, and added. */
	for (int t = 1; t <= 9; t++) {
		other.threads = c.threads + 10 * t;
		ck_assert_int_eq(mm_device_cache_write(path, &other, &d), MM_OK);
	}
	ck_assert_int_eq(mm_device_host(&host, path, false, &measured, &d), MM_OK);
	ck_assert(measured); /* its record was pushed out: 8 at most */
	ck_assert(host.peak[MM_F32] > 1e8 && host.peak[MM_F32] != 123e9);
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_OK);
	ck_assert_int_eq(r.threads, c.threads); /* written first */
	key.threads = c.threads + 90;
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_OK);
	key.threads = c.threads + 30; /* the oldest kept */
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_OK);
	key.threads = c.threads + 20; /* pushed out by the measurement */
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_ERR_IO);

	/* A malformed record after the first is skipped, not fatal. */
	put_file(path, "a", "version 1\nthreads 3x\n");
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_OK);
	key.threads = c.threads;
	ck_assert_int_eq(mm_device_cache_find(path, &key, &r, &d), MM_OK);

	/* Malformed and missing files. */
	put_file(path, "w", "version 1\npeak_f32 12abc\n");
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_ERR_FORMAT);
	remove(path);
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_ERR_IO);
	rmdir(sub);
	ck_assert_int_eq(rmdir(dir), 0); /* nothing else was left behind */
}
END_TEST

/* A cache holding figures no host has is not believed: the host is
 * measured again (and the cache rewritten). */
START_TEST(cache_implausible_rates)
{
	char dir[256], sub[300], path[512];
	tempdir(dir, sizeof dir);
	snprintf(sub, sizeof sub, "%s/mmcalc", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/host", sub);
	mm_host_calib key;
	memset(&key, 0, sizeof key);
	key.threads = mm_gemm_threads();
	snprintf(key.isa, sizeof key.isa, "%s", mm_gemm_isa());
	mm_device host;
	mm_diag d;
	ck_assert_int_eq(mm_device_host(&host, path, false, NULL, &d), MM_OK);
	mm_host_calib good;
	ck_assert_int_eq(mm_device_cache_read(path, &good, &d), MM_OK);
	static const char *const bad[] = {"1e-300", "-5e12", "nan", "1e300",
	                                  "inf", "0"};
	static const char *const keys[] = {"peak_f32", "peak_f64", "peak_bf16",
	                                   "peak_i8", "transcendental", "bw"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *key = keys[i % 6];
		char text[1024];
		int n = snprintf(text, sizeof text,
		                 "version 2\ncpu %s\nthreads %d\nisa %s\n", good.cpu,
		                 good.threads, good.isa);
		for (size_t k = 0; k < 6; k++)
			n += snprintf(text + n, sizeof text - (size_t)n, "%s %s\n",
			              keys[k], keys[k] == key ? bad[i] : "1e11");
		put_file(path, "w", text);
		mm_host_calib r;
		ck_assert_int_eq(mm_device_cache_read(path, &r, &d),
		                 MM_ERR_FORMAT);
		bool measured = false;
		ck_assert_int_eq(mm_device_host(&host, path, false, &measured,
		                                &d), MM_OK);
		ck_assert_msg(measured, "%s %s believed", key, bad[i]);
		ck_assert(host.peak[MM_F32] >= 1e6 && host.peak[MM_F32] <= 1e18);
	}
	/* A record of version 1 (no bf16, i8 or transcendental rates) is not
	 * used either: the host is measured for them. */
	char text[1024];
	snprintf(text, sizeof text,
	         "version 1\ncpu %s\nthreads %d\nisa %s\n"
	         "peak_f32 1e11\npeak_f64 1e11\nbw 1e10\n",
	         good.cpu, good.threads, good.isa);
	put_file(path, "w", text);
	bool measured = false;
	ck_assert_int_eq(mm_device_host(&host, path, false, &measured, &d), MM_OK);
	ck_assert(measured);
	ck_assert(host.peak[MM_BF16] > 1e6 && host.transcendental > 1e6);
	/* Nor is a version 2 or 3 record, made before gelu's kernel got
	 * faster or bf16 could run on the FMA (a rate is stale), while a full
	 * version 4 record with plausible figures is believed. */
	for (int v = 2; v <= 4; v++) {
		snprintf(text, sizeof text,
		         "version %d\ncpu %s\nthreads %d\nisa %s\npeak_f32 1e11\n"
		         "peak_f64 2e11\npeak_bf16 3e11\npeak_i8 4e11\n"
		         "transcendental 5e9\nbw 6e10\n",
		         v, good.cpu, good.threads, good.isa);
		put_file(path, "w", text);
		ck_assert_int_eq(mm_device_host(&host, path, false, &measured, &d),
		                 MM_OK);
		ck_assert_msg(measured == (v < 4), "version %d", v);
	}
	ck_assert(host.peak[MM_BF16] == 3e11 && host.peak[MM_I8] == 4e11 &&
	          host.transcendental == 5e9 && host.bw == 6e10);
	remove(path);
	rmdir(sub);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The old writer opened a fixed host.tmp with fopen("w"): a symbolic
 * link planted there clobbered any file the user could write. */
START_TEST(cache_write_ignores_planted_links)
{
	char dir[256], sub[300], path[512], tmp[520], victim[300];
	tempdir(dir, sizeof dir);
	snprintf(sub, sizeof sub, "%s/mmcalc", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/host", sub);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	snprintf(victim, sizeof victim, "%s/victim", dir);
	put_file(victim, "w", "precious\n");
	ck_assert_int_eq(symlink(victim, tmp), 0);
	mm_host_calib c = {.peak_f32 = 1e11, .peak_f64 = 5e10, .peak_bf16 = 2e11,
	                   .peak_i8 = 4e11, .transcendental = 1e9, .bw = 2e10,
	                   .threads = 4, .isa = "avx2", .cpu = "Test CPU"};
	mm_diag d;
	ck_assert_int_eq(mm_device_cache_write(path, &c, &d), MM_OK);
	char line[64] = "";
	FILE *f = fopen(victim, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	fclose(f);
	ck_assert_str_eq(line, "precious\n");
	/* the cache file itself as a link: not read through, and replaced
	 * by a file of its own when written */
	unlink(tmp);
	remove(path);
	ck_assert_int_eq(symlink(victim, path), 0);
	mm_host_calib r;
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_ERR_IO);
	ck_assert_int_eq(mm_device_cache_write(path, &c, &d), MM_OK);
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_OK);
	ck_assert(r.peak_f32 == 1e11);
	f = fopen(victim, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	fclose(f);
	ck_assert_str_eq(line, "precious\n");
	/* a cache directory others may write, or someone else's: unused */
	ck_assert_int_eq(chmod(sub, 0777), 0);
	ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "others may write"));
	ck_assert_int_eq(mm_device_cache_write(path, &c, &d), MM_ERR_IO);
	ck_assert_int_eq(chmod(sub, 0700), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(sub, 65534, 65534), 0);
		ck_assert_int_eq(mm_device_cache_read(path, &r, &d), MM_ERR_IO);
		ck_assert_ptr_nonnull(strstr(d.message, "another user"));
		ck_assert_int_eq(mm_device_cache_write(path, &c, &d), MM_ERR_IO);
		ck_assert_int_eq(chown(sub, 0, 0), 0);
	}
	/* a new cache directory is made private */
	char fresh[400];
	snprintf(fresh, sizeof fresh, "%s/new/mmcalc/host", dir);
	ck_assert_int_eq(mm_device_cache_write(fresh, &c, &d), MM_OK);
	snprintf(fresh, sizeof fresh, "%s/new/mmcalc", dir);
	ck_assert_int_eq(stat(fresh, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	snprintf(fresh, sizeof fresh, "%s/new/mmcalc/host", dir);
	remove(fresh);
	snprintf(fresh, sizeof fresh, "%s/new/mmcalc", dir);
	rmdir(fresh);
	snprintf(fresh, sizeof fresh, "%s/new", dir);
	rmdir(fresh);
	remove(path);
	remove(victim);
	rmdir(sub);
	ck_assert_int_eq(rmdir(dir), 0); /* nothing else was left behind */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, lookup);
	tcase_add_test(tc, peaks);
	tcase_add_test(tc, roofline_by_hand);
	tcase_add_test(tc, roofline_transcendental);
	tcase_add_test(tc, totals_count_transcendentals);
	tcase_add_test(tc, custom);
	tcase_add_test(tc, describe);
	tcase_add_test(tc, cache_path);
	suite_add_tcase(s, tc);
	TCase *cal = tcase_create("calibration");
	tcase_add_test(cal, calibration_and_cache);
	tcase_add_test(cal, cache_implausible_rates);
	tcase_add_test(cal, cache_write_ignores_planted_links);
	tcase_set_timeout(cal, 60);
	suite_add_tcase(s, cal);
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
