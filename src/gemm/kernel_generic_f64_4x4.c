/* kernel_generic_f64_4x4.c — portable C double micro-kernel, a 4×4 tile of C:
 * the reference the SIMD kernels are tested against, and the path on CPUs
 * without AVX2. 4×4 keeps the accumulators in the 16 SSE registers of
 * baseline x86-64 (two doubles each) once the j loop is vectorised. */
#include "gemm_internal.h"

enum { MR = 4, NR = 4 };

void mm_gemm_kernel_generic_f64_4x4(int64_t kc, double alpha,
                                    const double *restrict a, int64_t rs_a,
                                    int64_t cs_a,
                                    const double *restrict b, int64_t rs_b,
                                    double beta, double *restrict c,
                                    int64_t rs_c, int64_t cs_c,
                                    int mr, int nr)
{
	double acc[MR][NR] = {{0}};

	for (int64_t p = 0; p < kc; p++) {
		for (int i = 0; i < MR; i++)
			for (int j = 0; j < NR; j++)
				acc[i][j] += a[i * rs_a] * b[j];
		a += cs_a;
		b += rs_b;
	}
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			double *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * acc[i][j]
			                 : alpha * acc[i][j] + beta * *cij;
		}
}
