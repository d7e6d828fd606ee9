/* kernel_avx512_f32_8x32.c — AVX-512 float micro-kernel, an 8×32 tile of C
 * (the code is kernel_avx512_tmpl.h).
 *
 * Why 8×32: each k step loads two 16-float vectors of B and broadcasts 8
 * values of A into 16 FMAs on 16 accumulators. On Zen 4 (two 256-bit FMA
 * pipes, latency 4) one zmm FMA retires per cycle, so 16 independent chains
 * hide the latency, and 10 loads per 16 FMAs stay under the load ports.
 * Measured on this CPU with A and B in L1, 8×32 gave 115 GFLOP/s per core,
 * 12×32 and 14×32 the same per useful row, 6×64 and 4×64 the same, 16×16
 * 97 (16 broadcasts per 16 FMAs). In a whole product 8×32 and 12×32 were
 * within noise; 8 rows win because 8 divides the sizes people multiply
 * (64 = 5·12 + 4 wastes a third of the last tile of 12 rows). */
#define T float
#define V __m512
#define M __mmask16
#define L 16
#define NAME mm_gemm_kernel_avx512_f32_8x32
#define SET1 _mm512_set1_ps
#define FMADD _mm512_fmadd_ps
#define MUL _mm512_mul_ps
#define ADD _mm512_add_ps
#define LOADU _mm512_loadu_ps
#define STOREU _mm512_storeu_ps
#define MASKZ_LOADU _mm512_maskz_loadu_ps
#define MASK_STOREU _mm512_mask_storeu_ps
#define ZERO _mm512_setzero_ps
#define SFMA fmaf
#define H __m256
#define SET1H _mm256_set1_ps
#define FMADDH _mm256_fmadd_ps
#define MASKZ_LOADUH _mm256_maskz_loadu_ps
#define LOWH _mm512_castps512_ps256
#define ZEROH _mm256_setzero_ps
#define WIDEN _mm512_zextps256_ps512
#include "kernel_avx512_tmpl.h"
