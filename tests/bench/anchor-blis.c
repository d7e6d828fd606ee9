/* anchor-blis.c — BLIS as a bench-gemm anchor (anchor-impl.h), through its
 * own typed API (bli_?gemm, general strides). */
#include <stdio.h>

#include <blis.h>

#include "anchor-impl.h"

static const char *kernels(void)
{
	/* BLIS_ARCH_TYPE is read at initialisation, which must come first
	 * (0.9.0 aborts if the id is queried before). */
	bli_init();
	return bli_arch_string(bli_arch_query_id());
}

static void threads(int t)
{
	bli_thread_set_num_threads(t);
}

static void gemm(bool f64, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 double alpha, const void *a, int64_t lda, const void *b,
                 int64_t ldb, double beta, void *c, int64_t ldc)
{
	/* op(A)'s element (i, p) at a[i·rs + p·cs]: a transposed operand is
	 * a swap of strides, as BLIS takes them. */
	inc_t rsa = ta ? 1 : lda, csa = ta ? lda : 1;
	inc_t rsb = tb ? 1 : ldb, csb = tb ? ldb : 1;
	if (f64) {
		double al = alpha, be = beta;
		bli_dgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &al,
		          (double *)a, rsa, csa, (double *)b, rsb, csb, &be, c,
		          ldc, 1);
	} else {
		float al = (float)alpha, be = (float)beta;
		bli_sgemm(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, &al,
		          (float *)a, rsa, csa, (float *)b, rsb, csb, &be, c,
		          ldc, 1);
	}
}

const char *anchor_blis_skx_id(void)
{
	static char id[16];
	snprintf(id, sizeof id, "%d", (int)BLIS_ARCH_SKX);
	return id;
}

const struct anchor_impl anchor_blis = {"BLIS", kernels, threads, gemm};
