/* kernel_avx2_f32_6x16.c — AVX2+FMA float micro-kernel, a 6×16 tile of C
 * (the code is kernel_avx2_tmpl.h).
 *
 * Why 6×16: with 16 ymm registers, 12 accumulators (6 rows × two 8-float
 * vectors), two B vectors and one broadcast is the largest tile that does
 * not spill; 12 independent FMA chains cover two pipes of latency 4–5. */
#define T float
#define V __m256
#define L 8
#define NAME mm_gemm_kernel_avx2_f32_6x16
#define BROADCAST _mm256_broadcast_ss
#define SET1 _mm256_set1_ps
#define FMADD _mm256_fmadd_ps
#define MUL _mm256_mul_ps
#define LOADU _mm256_loadu_ps
#define STOREU _mm256_storeu_ps
#define ZERO _mm256_setzero_ps
#define SFMA fmaf
#define MASKLOAD _mm256_maskload_ps
#define MASKGT _mm256_cmpgt_epi32
#define SET1I _mm256_set1_epi32
#define LANES _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)
#include "kernel_avx2_tmpl.h"
