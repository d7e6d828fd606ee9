/* bench-ops.c — elementwise X + Y on 64 MiB f32 tensors against memcpy of
 * the same bytes: best of N alternating runs, bandwidth counted as bytes
 * read plus bytes written (X + Y moves 3 × size, memcpy 2 × size).
 * --quick uses 1 MiB tensors and 3 runs (a smoke test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mmcalc/ops.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	size_t bytes = quick ? (size_t)1 << 20 : (size_t)64 << 20;
	int runs = quick ? 3 : 7;
	int64_t n = (int64_t)(bytes / sizeof(float));
	mm_diag d;
	mm_rng rng;
	mm_rng_seed(&rng, 1);
	mm_tensor *x = mm_tensor_rand(&rng, MM_F32, 1, &n, &d);
	mm_tensor *y = x ? mm_tensor_rand(&rng, MM_F32, 1, &n, &d) : NULL;
	mm_tensor *out = y ? mm_tensor_zeros(MM_F32, 1, &n, &d) : NULL;
	char *dst = malloc(bytes);
	if (!out || !dst) {
		fprintf(stderr, "bench-ops: %s\n", out ? "out of memory" : d.message);
		return 1;
	}
	memset(dst, 0, bytes);
	double best_add = 1e30, best_cpy = 1e30, best_alloc = 1e30;
	for (int r = 0; r < runs; r++) {
		double t0 = now();
		if (mm_op_binary_into(MM_OP_ADD, x, y, out, &d) != MM_OK) {
			fprintf(stderr, "bench-ops: %s\n", d.message);
			return 1;
		}
		double t1 = now();
		memcpy(dst, x->data, bytes);
		double t2 = now();
		mm_tensor *z = mm_op_binary(MM_OP_ADD, x, y, &d);
		double t3 = now();
		if (!z) {
			fprintf(stderr, "bench-ops: %s\n", d.message);
			return 1;
		}
		mm_tensor_unref(z);
		best_add = t1 - t0 < best_add ? t1 - t0 : best_add;
		best_cpy = t2 - t1 < best_cpy ? t2 - t1 : best_cpy;
		best_alloc = t3 - t2 < best_alloc ? t3 - t2 : best_alloc;
	}
	/* check the result and keep the copy observable */
	float *o = out->data, *a = x->data, *b = y->data;
	for (int64_t i = 0; i < n; i += 4097)
		if (o[i] != a[i] + b[i] || dst[i] != ((char *)x->data)[i]) {
			fprintf(stderr, "bench-ops: wrong result at %lld\n",
			        (long long)i);
			return 1;
		}
	double mib = (double)bytes / (1 << 20), gb = (double)bytes / 1e9;
	double bw_add = 3 * gb / best_add, bw_cpy = 2 * gb / best_cpy,
	       bw_alloc = 3 * gb / best_alloc;
	printf("X + Y, f32, %.0f MiB each, best of %d\n", mib, runs);
	printf("  add (into):   %8.3f ms  %7.2f GB/s\n", best_add * 1e3, bw_add);
	printf("  memcpy:       %8.3f ms  %7.2f GB/s\n", best_cpy * 1e3, bw_cpy);
	printf("  add (alloc):  %8.3f ms  %7.2f GB/s (includes page faults "
	       "of a fresh output)\n", best_alloc * 1e3, bw_alloc);
	printf("  ratio add/memcpy bandwidth: %.2f (target >= 0.5)\n",
	       bw_add / bw_cpy);
	free(dst);
	mm_tensor_unref(out);
	mm_tensor_unref(y);
	mm_tensor_unref(x);
	return 0;
}
