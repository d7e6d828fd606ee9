/* kernel_generic_f64_4x4.c — portable C double micro-kernel, a 4×4 tile of
 * C (the code is kernel_generic_tmpl.h). 4×4 keeps the accumulators in the
 * 16 SSE registers of baseline x86-64 (two doubles each) once the j loop
 * is vectorised. */
#define T double
#define NR 4
#define NAME mm_gemm_kernel_generic_f64_4x4
#include "kernel_generic_tmpl.h"
