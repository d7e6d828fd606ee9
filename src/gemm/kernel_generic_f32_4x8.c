/* kernel_generic_f32_4x8.c — portable C float micro-kernel, a 4×8 tile of
 * C (the code is kernel_generic_tmpl.h). 4×8 keeps the accumulators in the
 * 16 SSE registers of baseline x86-64 once the compiler vectorises the j
 * loop. */
#define T float
#define NR 8
#define NAME mm_gemm_kernel_generic_f32_4x8
#include "kernel_generic_tmpl.h"
