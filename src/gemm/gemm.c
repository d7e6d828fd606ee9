/* gemm.c — placeholder reference GEMM (triple loop) until the blocked
 * kernel lands; same contract as gemm.h. */
#include <stddef.h>

#include "mmcalc/gemm.h"

static int nthreads = 1;

#define DEFINE_GEMM(NAME, T)                                                  \
int NAME(int64_t m, int64_t n, int64_t k, T alpha,                           \
         const T *a, int64_t rs_a, int64_t cs_a,                             \
         const T *b, int64_t rs_b, int64_t cs_b, T beta,                     \
         T *c, int64_t rs_c, int64_t cs_c)                                   \
{                                                                            \
	for (int64_t i = 0; i < m; i++)                                      \
		for (int64_t j = 0; j < n; j++) {                            \
			T s = 0;                                             \
			for (int64_t p = 0; p < k; p++)                      \
				s += a[i * rs_a + p * cs_a] * b[p * rs_b + j * cs_b]; \
			T *cij = &c[i * rs_c + j * cs_c];                    \
			*cij = alpha * s + (beta == 0 ? 0 : beta * *cij);    \
		}                                                            \
	return 0;                                                            \
}

DEFINE_GEMM(mm_sgemm, float)
DEFINE_GEMM(mm_dgemm, double)

void mm_gemm_set_threads(int n) { nthreads = n < 1 ? 1 : n; }
int mm_gemm_threads(void) { return nthreads; }
const char *mm_gemm_isa(void) { return "generic"; }
