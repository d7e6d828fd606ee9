/* pack_tmpl.h — the packing routines for one element type, included by
 * pack.c with T (the type), SUF (f32 or f64), ROWS (rows of a row-major A
 * its SSE2 transposes take at a time, pack_rows_SUF) and, where the ISA
 * has them, TRANSPOSE_A(dst, a, rs_a, rows, kc, mr) and TRANSPOSE_B(dst,
 * b, cs_b, kc, cols, nr) defined: the vector transposes of a row-major A
 * and of a B stored by columns, each returning how much of k it did (0
 * for a sliver width it does not take).
 * Contracts: gemm_internal.h (mm_gemm_pack_a_f32, mm_gemm_pack_b_f32). */

#define PNAME(what) PACK_NAME(MM_GEMM_ISA, what, SUF)
#define P_(x) CAT3(x, _, SUF)

void PNAME(a)(T *restrict dst, const T *a, int64_t rs_a, int64_t cs_a,
              int64_t rows, int64_t kc, int mr)
{
	/* A stored by columns (A.T of a row-major matrix) is a row-major
	 * matrix cut into MR-wide slivers, as pack_b cuts B: PACK_ROWS
	 * columns of A at a time, across all the slivers. One sliver at a
	 * time, down k, read a new line (and page) for every 8 values: A.T
	 * @ B ran 3-4% slower than A @ B at 1024³. */
	if (rs_a == 1 && cs_a != 1) {
		for (int64_t p0 = 0; p0 < kc; p0 += PACK_ROWS) {
			int n = kc - p0 < PACK_ROWS ? (int)(kc - p0) : PACK_ROWS;
			pack_rows_b(dst + p0 * mr, (size_t)(mr * kc) * sizeof(T),
			            a + p0 * cs_a, cs_a * (int64_t)sizeof(T), n,
			            (size_t)rows * sizeof(T),
			            (size_t)mr * sizeof(T));
		}
		return;
	}
	for (int64_t i0 = 0; i0 < rows; i0 += mr, dst += mr * kc) {
		int r = rows - i0 < mr ? (int)(rows - i0) : mr;
		const T *src = a + i0 * rs_a;
		if (rs_a == 1) {
			for (int64_t p = 0; p < kc; p++) {
				const T *s = src + p * cs_a;
				T *d = dst + p * mr;
				for (int i = 0; i < r; i++)
					d[i] = s[i];
				for (int i = r; i < mr; i++)
					d[i] = 0;
			}
			continue;
		}
		int64_t p0 = 0;
#ifdef TRANSPOSE_A
		if (cs_a == 1)
			p0 = TRANSPOSE_A(dst, src, rs_a, r, kc, mr);
#endif
		int i = 0;
		if (cs_a == 1)
			for (; i + ROWS <= r; i += ROWS)
				P_(pack_rows)(dst + p0 * mr + i, mr,
				              src + i * rs_a + p0, rs_a, kc - p0);
		for (; i < r; i++) {
			const T *s = src + i * rs_a;
			for (int64_t p = p0; p < kc; p++)
				dst[p * mr + i] = s[p * cs_a];
		}
		for (int i = r; i < mr; i++)
			for (int64_t p = p0; p < kc; p++)
				dst[p * mr + i] = 0;
	}
}

void PNAME(b)(T *restrict dst, const T *b, int64_t rs_b, int64_t cs_b,
              int64_t kc, int64_t cols, int nr)
{
	/* Row-major B goes PACK_ROWS rows at a time, sliver by sliver
	 * within them (pack_rows_b). */
	if (cs_b == 1) {
		for (int64_t p0 = 0; p0 < kc; p0 += PACK_ROWS) {
			int rows = kc - p0 < PACK_ROWS ? (int)(kc - p0) : PACK_ROWS;
			pack_rows_b(dst + p0 * nr, (size_t)(nr * kc) * sizeof(T),
			            b + p0 * rs_b, rs_b * (int64_t)sizeof(T), rows,
			            (size_t)cols * sizeof(T),
			            (size_t)nr * sizeof(T));
		}
		return;
	}
	for (int64_t j0 = 0; j0 < cols; j0 += nr, dst += nr * kc) {
		int w = cols - j0 < nr ? (int)(cols - j0) : nr;
		const T *src = b + j0 * cs_b;
		int64_t p0 = 0;
#ifdef TRANSPOSE_B
		if (rs_b == 1)
			p0 = TRANSPOSE_B(dst, src, cs_b, kc, w, nr);
#endif
		for (int j = 0; j < w; j++) {
			const T *s = src + j * cs_b;
			for (int64_t p = p0; p < kc; p++)
				dst[p * nr + j] = s[p * rs_b];
		}
		for (int j = w; j < nr; j++)
			for (int64_t p = p0; p < kc; p++)
				dst[p * nr + j] = 0;
	}
}

#undef PNAME
#undef P_
