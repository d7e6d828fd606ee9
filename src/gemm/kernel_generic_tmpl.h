/* kernel_generic_tmpl.h — the portable C micro-kernel for one element
 * type, a 4 × NR tile of C: the reference the SIMD kernels are tested
 * against, and the path on CPUs without AVX2. kernel_generic_f32_4x8.c and
 * kernel_generic_f64_4x4.c include it with T, NR and NAME defined. */
#include "gemm_internal.h"

enum { MR = 4 };

/* acc += A(:, p) · B(p, :) for p < kc, A(i, p) at a[i·RS + p·CS]. */
#define LOOP(RS, CS)                                                    \
	for (int64_t p = 0; p < kc; p++) {                              \
		T ap[MR];                                               \
		for (int i = 0; i < MR; i++)                            \
			ap[i] = a[i * (RS)];                            \
		for (int i = 0; i < MR; i++)                            \
			for (int j = 0; j < NR; j++)                    \
				acc[i][j] += ap[i] * b[j];              \
		a += (CS);                                              \
		b += rs_b;                                              \
	}

/* GCC vectorises the row-major loop over p, as if acc were reductions,
 * with shuffles that made it three times slower than the packed loop; the
 * j loop alone is what should become vector code. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-vectorize")))
#endif
void NAME(int64_t kc, T alpha, const T *restrict a, int64_t rs_a,
          int64_t cs_a, const T *restrict b, int64_t rs_b, T beta,
          T *restrict c, int64_t rs_c, int64_t cs_c, int mr, int nr)
{
	T acc[MR][NR] = {{0}};

	/* Two copies of the loop, so that each has constant strides where
	 * the packed sliver needs them: with rs_a a variable in both, the
	 * compiler kept acc in memory and ran at a third of the speed. */
	if (rs_a == 1)
		LOOP(1, cs_a)
	else
		LOOP(rs_a, 1)
	for (int i = 0; i < mr; i++)
		for (int j = 0; j < nr; j++) {
			T *cij = c + i * rs_c + j * cs_c;
			*cij = beta == 0 ? alpha * acc[i][j]
			                 : alpha * acc[i][j] + beta * *cij;
		}
}
