/* anchor-impl.h — what each anchor library's file provides to anchor.c. */
#ifndef MMCALC_BENCH_ANCHOR_IMPL_H
#define MMCALC_BENCH_ANCHOR_IMPL_H

#include <stdbool.h>
#include <stdint.h>

struct anchor_impl {
	const char *name;
	const char *(*kernels)(void);
	void (*threads)(int threads);
	void (*gemm)(bool f64, bool ta, bool tb, int64_t m, int64_t n,
	             int64_t k, double alpha, const void *a, int64_t lda,
	             const void *b, int64_t ldb, double beta, void *c,
	             int64_t ldc);
};

extern const struct anchor_impl anchor_openblas, anchor_blis;

/* BLIS_ARCH_TYPE's value for the skx sub-configuration (a number). */
const char *anchor_blis_skx_id(void);

#endif
