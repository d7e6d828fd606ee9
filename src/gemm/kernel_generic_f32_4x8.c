/* kernel_generic_f32_4x8.c — portable C float micro-kernel, a 4×8 tile of C:
 * the reference the SIMD kernels are tested against, and the path on CPUs
 * without AVX2. 4×8 keeps the accumulators in the 16 SSE registers of
 * baseline x86-64 once the compiler vectorises the j loop. */
#include "gemm_internal.h"

enum { MR = 4, NR = 8 };

void mm_gemm_kernel_generic_f32_4x8(int64_t kc, float alpha,
                                    const float *restrict a, int64_t rs_a,
                                    int64_t cs_a,
                                    const float *restrict b, int64_t rs_b,
                                    float beta, float *restrict c,
                                    int64_t rs_c, int64_t cs_c,
                                    int mr, int nr)
{
	float acc[MR][NR] = {{0}};

	for (int64_t p = 0; p < kc; p++) {
		for (int i = 0; i < MR; i++)
			for (int j = 0; j < NR; j++)
				acc[i][j] += a[i * rs_a] * b[j];
		a += cs_a;
		b += rs_b;
	}
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			float *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * acc[i][j]
			                 : alpha * acc[i][j] + beta * *cij;
		}
}
