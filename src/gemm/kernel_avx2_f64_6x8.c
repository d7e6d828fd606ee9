/* kernel_avx2_f64_6x8.c — AVX2+FMA double micro-kernel, a 6×8 tile of C
 * (the code is kernel_avx2_tmpl.h).
 *
 * Why 6×8: with 16 ymm registers, 12 accumulators (6 rows × two 4-double
 * vectors), two B vectors and one broadcast is the largest tile that does
 * not spill; 12 independent FMA chains cover two pipes of latency 4–5. */
#define T double
#define V __m256d
#define L 4
#define NAME mm_gemm_kernel_avx2_f64_6x8
#define BROADCAST _mm256_broadcast_sd
#define SET1 _mm256_set1_pd
#define FMADD _mm256_fmadd_pd
#define MUL _mm256_mul_pd
#define LOADU _mm256_loadu_pd
#define STOREU _mm256_storeu_pd
#define ZERO _mm256_setzero_pd
#define SFMA fma
#define MASKLOAD _mm256_maskload_pd
#define MASKGT _mm256_cmpgt_epi64
#define SET1I _mm256_set1_epi64x
#define LANES _mm256_setr_epi64x(0, 1, 2, 3)
#include "kernel_avx2_tmpl.h"
