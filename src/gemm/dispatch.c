/* dispatch.c — which micro-kernels this CPU can run, chosen at run time.
 * Compiled with plain flags; MM_GEMM_HAVE_AVX2/AVX512 say which per-ISA
 * libraries were built, and __builtin_cpu_supports says which may run. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "gemm_internal.h"

/* kc_s/kc_d: depth of a packed sliver, by measurement on Zen 4 (see the
 * kernel files); an 8×kc A sliver of 8·384·4 = 12 KiB (float) or
 * 8·256·8 = 16 KiB (double) stays in a 32 KiB L1 while B streams.
 * nre_s/nre_d: the AVX-512 and AVX2 kernels load B masked to the tile's
 * width (kernel_avx512_tmpl.h, kernel_avx2_tmpl.h); the generic ones read
 * all NR columns. re: the
 * AVX-512 kernels run exactly the tile's rows, so a short tile reads no
 * more of A. */
static const struct mm_gemm_isa_kernels generic = {
	"generic", 0,
	4, 8, 256, 0, mm_gemm_kernel_generic_f32_4x8, mm_gemm_gemv_generic_f32,
	mm_gemm_pack_a_generic_f32, mm_gemm_pack_b_generic_f32,
	4, 4, 256, 0, mm_gemm_kernel_generic_f64_4x4, mm_gemm_gemv_generic_f64,
	mm_gemm_pack_a_generic_f64, mm_gemm_pack_b_generic_f64,
	mm_gemm_rows_generic_f32, mm_gemm_rows_generic_f64,
};

#if MM_GEMM_HAVE_AVX2
static const struct mm_gemm_isa_kernels avx2 = {
	"avx2", 0,
	6, 16, 256, 16, mm_gemm_kernel_avx2_f32_6x16, mm_gemm_gemv_avx2_f32,
	mm_gemm_pack_a_avx2_f32, mm_gemm_pack_b_avx2_f32,
	6, 8, 256, 8, mm_gemm_kernel_avx2_f64_6x8, mm_gemm_gemv_avx2_f64,
	mm_gemm_pack_a_avx2_f64, mm_gemm_pack_b_avx2_f64,
	mm_gemm_rows_avx2_f32, mm_gemm_rows_avx2_f64,
};
#endif

#if MM_GEMM_HAVE_AVX512
static const struct mm_gemm_isa_kernels avx512 = {
	"avx512", 0xfe,
	8, 32, 384, 32, mm_gemm_kernel_avx512_f32_8x32, mm_gemm_gemv_avx512_f32,
	mm_gemm_pack_a_avx512_f32, mm_gemm_pack_b_avx512_f32,
	8, 16, 256, 16, mm_gemm_kernel_avx512_f64_8x16, mm_gemm_gemv_avx512_f64,
	mm_gemm_pack_a_avx512_f64, mm_gemm_pack_b_avx512_f64,
	mm_gemm_rows_avx512_f32, mm_gemm_rows_avx512_f64,
};
#endif

static bool cpu_can(const char *isa)
{
	if (strcmp(isa, "generic") == 0)
		return true;
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	bool fma = __builtin_cpu_supports("fma");
	if (strcmp(isa, "avx2") == 0)
		return fma && __builtin_cpu_supports("avx2");
	if (strcmp(isa, "avx512") == 0)
		return fma && __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl") &&
		       __builtin_cpu_supports("avx512dq");
#endif
	return false;
}

/* want NULL: the best this CPU runs. Otherwise that ISA, or NULL if it was
 * not built or this CPU cannot run it. */
const struct mm_gemm_isa_kernels *mm_gemm_select(const char *want)
{
	static const struct mm_gemm_isa_kernels *const all[] = {
#if MM_GEMM_HAVE_AVX512
		&avx512,
#endif
#if MM_GEMM_HAVE_AVX2
		&avx2,
#endif
		&generic,
	};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		if (want && strcmp(want, all[i]->name) != 0)
			continue;
		if (cpu_can(all[i]->name))
			return all[i];
	}
	return NULL;
}
