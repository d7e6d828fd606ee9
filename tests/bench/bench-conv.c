/* bench-conv.c — conv2d (im2col + mmcalc's GEMM) against the GEMM of
 * the same size alone, side by side in one run: for each layer, the
 * convolution's time and the time of one mm_sgemm with its m, n and k
 * (C_out/groups × N·H_out·W_out × C/groups·kH·kW, once per group), on
 * random f32 data, each round timing one of each in alternating order.
 * Prints the medians and ranges of the rounds, both GFLOP/s (2 FLOPs
 * per MAC, fvcore's MACs) and the ratio conv / GEMM GFLOP/s: the share
 * of the GEMM's speed the convolution keeps (im2col's copies and the
 * scatter of small images are what it loses).
 *
 *   bench-conv [--quick] [--rounds N] [--threads N]
 *
 * --quick runs the smallest layers once (a smoke test); --threads N
 * sets the GEMM's threads (default: every CPU). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/conv.h"
#include "mmcalc/gemm.h"

struct layer {
	const char *name;
	int64_t n, c, h, w, co, k, stride, pad, groups;
};

/* ResNet-50's stem and a bottleneck at each scale, ViT-B/16's patch
 * embedding, a depthwise 3×3 (MobileNet), batch 8. */
static const struct layer full[] = {
	{"resnet conv1 7x7/2", 8, 3, 224, 224, 64, 7, 2, 3, 1},
	{"resnet 3x3 56", 8, 64, 56, 56, 64, 3, 1, 1, 1},
	{"resnet 1x1 56", 8, 64, 56, 56, 256, 1, 1, 0, 1},
	{"resnet 3x3 28", 8, 128, 28, 28, 128, 3, 1, 1, 1},
	{"resnet 3x3 14", 8, 256, 14, 14, 256, 3, 1, 1, 1},
	{"resnet 3x3 7", 8, 512, 7, 7, 512, 3, 1, 1, 1},
	{"resnet 1x1 7", 8, 2048, 7, 7, 512, 1, 1, 0, 1},
	{"vit patch 16x16/16", 8, 3, 224, 224, 768, 16, 16, 0, 1},
	{"depthwise 3x3 56", 8, 144, 56, 56, 144, 3, 1, 1, 144},
};
static const struct layer quick[] = {
	{"3x3 14", 2, 16, 14, 14, 16, 3, 1, 1, 1},
	{"patch 4x4/4", 2, 3, 32, 32, 32, 4, 4, 0, 1},
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static mm_tensor *randn(mm_rng *rng, int nd, const int64_t *shape)
{
	mm_diag d;
	mm_tensor *t = mm_tensor_randn(rng, MM_F32, nd, shape, &d);
	if (!t) {
		fprintf(stderr, "bench-conv: %s\n", d.message);
		exit(1);
	}
	return t;
}

static void run(const struct layer *l, int rounds, mm_rng *rng)
{
	int64_t xs[4] = {l->n, l->c, l->h, l->w};
	int64_t ws[4] = {l->co, l->c / l->groups, l->k, l->k};
	mm_window p = {.stride = {l->stride, l->stride},
	               .pad_lo = {l->pad, l->pad}, .pad_hi = {l->pad, l->pad},
	               .dilation = {1, 1}, .groups = l->groups};
	int64_t ho = (l->h + 2 * l->pad - l->k) / l->stride + 1;
	int64_t wo = (l->w + 2 * l->pad - l->k) / l->stride + 1;
	int64_t m = l->co / l->groups, n = l->n * ho * wo,
	        k = l->c / l->groups * l->k * l->k;
	mm_tensor *x = randn(rng, 4, xs), *w = randn(rng, 4, ws);
	int64_t as[2] = {m, k}, bs[2] = {k, n}, cs[2] = {m, n};
	mm_tensor *a = randn(rng, 2, as), *b = randn(rng, 2, bs),
	          *c = randn(rng, 2, cs);
	double tc[64], tg[64];
	mm_diag d;
	for (int r = -1; r < rounds; r++) { /* round -1 warms up */
		double t[2] = {0, 0};
		for (int side = 0; side < 2; side++) {
			bool conv = (side + r) % 2 == 0;
			double t0 = now();
			if (conv) {
				mm_tensor *y = mm_conv_2d(x, w, NULL, &p, &d);
				if (!y) {
					fprintf(stderr, "bench-conv: %s\n", d.message);
					exit(1);
				}
				t[0] = now() - t0;
				mm_tensor_unref(y);
			} else {
				for (int64_t g = 0; g < l->groups; g++)
					mm_sgemm(m, n, k, 1, a->data, k, 1, b->data, n,
					         1, 0, c->data, n, 1);
				t[1] = now() - t0;
			}
		}
		if (r >= 0) {
			tc[r] = t[0];
			tg[r] = t[1];
		}
	}
	double flops = 2.0 * (double)(m * n) * (double)k * (double)l->groups;
	double mc = median(tc, rounds), mg = median(tg, rounds);
	printf("%-20s %5lldx%-5lldx%-5lld %8.3f %8.3f-%-8.3f %8.3f "
	       "%8.3f-%-8.3f %7.1f %7.1f %6.2f\n", l->name, (long long)m,
	       (long long)n, (long long)k, mc * 1e3, tc[0] * 1e3,
	       tc[rounds - 1] * 1e3, mg * 1e3, tg[0] * 1e3,
	       tg[rounds - 1] * 1e3, flops / mc * 1e-9, flops / mg * 1e-9,
	       mg / mc);
	fflush(stdout);
	mm_tensor *all[] = {x, w, a, b, c};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		mm_tensor_unref(all[i]);
}

int main(int argc, char **argv)
{
	bool is_quick = false;
	int rounds = 7, threads = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			is_quick = true;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: bench-conv [--quick] [--rounds N] "
			                "[--threads N]\n");
			return 2;
		}
	}
	if (rounds < 1 || rounds > 64)
		rounds = 7;
	if (is_quick)
		rounds = 1;
	if (threads > 0)
		mm_gemm_set_threads(threads);
	printf("conv2d (im2col + GEMM) against the GEMM of its size, f32; GEMM "
	       "%s, %d threads\n", mm_gemm_isa(), mm_gemm_threads());
	printf("median of %d rounds (range) in ms; ratio = conv GFLOP/s / GEMM "
	       "GFLOP/s\n", rounds);
	printf("%-20s %-17s %8s %-17s %8s %-17s %7s %7s %6s\n", "layer",
	       "GEMM m x n x k", "conv", " (range)", "gemm", " (range)",
	       "conv GF", "gemm GF", "ratio");
	const struct layer *list = is_quick ? quick : full;
	size_t nl = is_quick ? sizeof quick / sizeof *quick
	                     : sizeof full / sizeof *full;
	mm_rng rng;
	mm_rng_seed(&rng, 1);
	for (size_t i = 0; i < nl; i++)
		run(&list[i], rounds, &rng);
	mm_gemm_shutdown();
	return 0;
}
