/* anchor.c — the anchors' registry and environment (anchor.h); each
 * library's calls are in anchor-openblas.c and anchor-blis.c, built only
 * when the library is found (HAVE_OPENBLAS, HAVE_BLIS). */
#include "anchor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anchor-impl.h"

static const struct anchor_impl *const all[] = {
#ifdef HAVE_OPENBLAS
	&anchor_openblas,
#endif
#ifdef HAVE_BLIS
	&anchor_blis,
#endif
	NULL,
};

int anchor_count(void)
{
	return (int)(sizeof all / sizeof all[0]) - 1;
}

const char *anchor_name(int i)
{
	return all[i]->name;
}

const char *anchor_kernels(int i)
{
	return all[i]->kernels();
}

void anchor_threads(int i, int threads)
{
	all[i]->threads(threads);
}

void anchor_gemm(int i, bool f64, bool ta, bool tb, int64_t m, int64_t n,
                 int64_t k, double alpha, const void *a, int64_t lda,
                 const void *b, int64_t ldb, double beta, void *c,
                 int64_t ldc)
{
	all[i]->gemm(f64, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* Sets name=value unless it is so already; notes the old value. */
static bool force(const char *name, const char *value, char *was,
                  int was_size)
{
	const char *old = getenv(name);
	size_t len = strlen(was);
	snprintf(was + len, (size_t)was_size - len, "%s%s=%s", len ? ", " : "",
	         name, old ? old : "(unset)");
	if (old && strcmp(old, value) == 0)
		return false;
	setenv(name, value, 1);
	return true;
}

bool anchor_environment(char *was, int was_size)
{
	bool changed = false;
	was[0] = 0;
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	bool avx512 = __builtin_cpu_supports("avx512f") &&
	              __builtin_cpu_supports("avx512dq") &&
	              __builtin_cpu_supports("avx512bw") &&
	              __builtin_cpu_supports("avx512vl");
	/* Debian's OpenBLAS 0.3.21 knows neither Emerald Rapids nor Zen 5
	 * and falls back to Haswell kernels; BLIS 0.9 picks haswell here
	 * (it cannot count this CPU's FMA units) and generic on Zen 5. */
#ifdef HAVE_OPENBLAS
	if (avx512)
		changed |= force("OPENBLAS_CORETYPE", "SkylakeX", was, was_size);
#endif
#ifdef HAVE_BLIS
	if (avx512)
		changed |= force("BLIS_ARCH_TYPE", anchor_blis_skx_id(), was,
		                 was_size);
#endif
	(void)avx512;
#endif
	(void)force;
	return changed;
}
