/* anchor-openblas.c — OpenBLAS as a bench-gemm anchor (anchor-impl.h). */
#include <cblas.h>

#include "anchor-impl.h"

static const char *kernels(void)
{
	return openblas_get_corename();
}

static void threads(int t)
{
	openblas_set_num_threads(t);
}

static void gemm(bool f64, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 double alpha, const void *a, int64_t lda, const void *b,
                 int64_t ldb, double beta, void *c, int64_t ldc)
{
	enum CBLAS_TRANSPOSE xa = ta ? CblasTrans : CblasNoTrans;
	enum CBLAS_TRANSPOSE xb = tb ? CblasTrans : CblasNoTrans;
	if (f64)
		cblas_dgemm(CblasRowMajor, xa, xb, (int)m, (int)n, (int)k, alpha,
		            a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
	else
		cblas_sgemm(CblasRowMajor, xa, xb, (int)m, (int)n, (int)k,
		            (float)alpha, a, (int)lda, b, (int)ldb, (float)beta,
		            c, (int)ldc);
}

const struct anchor_impl anchor_openblas = {"OpenBLAS", kernels, threads,
                                            gemm};
