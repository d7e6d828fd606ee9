/* kernel_avx512_f64_8x16.c — AVX-512 double micro-kernel, an 8×16 tile of
 * C: the double twin of the 8×32 float kernel (see there for why 8 rows;
 * the code is kernel_avx512_tmpl.h). Measured with A and B in L1: 8×16,
 * 8×24, 6×32, 10×16 and 4×48 all ran at 57 GFLOP/s a core. On an
 * Emerald Rapids core (two 512-bit FMA pipes, 94 GFLOP/s f64 peak) a
 * 12×16 tile (24 accumulators; whole tiles only, edges by this kernel)
 * ran 768³-2048³ products at 0.98-1.00 of this one's speed (paired runs),
 * and 12×16, 14×16, 8×24 alone in L1 within 4% of 8×16: not kept. */
#define T double
#define V __m512d
#define M __mmask8
#define L 8
#define NAME mm_gemm_kernel_avx512_f64_8x16
#define SET1 _mm512_set1_pd
#define FMADD _mm512_fmadd_pd
#define MUL _mm512_mul_pd
#define ADD _mm512_add_pd
#define LOADU _mm512_loadu_pd
#define STOREU _mm512_storeu_pd
#define MASKZ_LOADU _mm512_maskz_loadu_pd
#define MASK_STOREU _mm512_mask_storeu_pd
#define ZERO _mm512_setzero_pd
#define SFMA fma
#define H __m256d
#define SET1H _mm256_set1_pd
#define FMADDH _mm256_fmadd_pd
#define MASKZ_LOADUH _mm256_maskz_loadu_pd
#define LOWH _mm512_castpd512_pd256
#define ZEROH _mm256_setzero_pd
#define WIDEN _mm512_zextpd256_pd512
#include "kernel_avx512_tmpl.h"
