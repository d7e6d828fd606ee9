/* ops_conv_tmpl.h — im2col for one element type; ops_conv.c includes it
 * with T = float, NAME = im2col_f32 and with T = double, NAME =
 * im2col_f64. */

/* The rows [r0, r1) of the im2col matrix of nimg images (istride
 * elements apart): row r is tap (ci, ki, kj) of the group's channels,
 * column i·P + oh·wo + ow the output position (oh, ow) of image i; zero
 * where the tap falls in the padding. The input position of a tap is
 * ih = oh·sh - ph + ki·dh, iw = ow·sw - pw + kj·dw, and the ow whose iw
 * lies in the input are one range [lo, hi) per row. */
static void NAME(const geom *g, const T *x, int64_t istride, int64_t nimg,
                 T *col, int64_t r0, int64_t r1)
{
	int64_t ld = nimg * g->p, taps = g->kh * g->kw;
	for (int64_t r = r0; r < r1; r++) {
		int64_t ci = r / taps, ki = r / g->kw % g->kh, kj = r % g->kw;
		int64_t off = kj * g->dw - g->pw;
		int64_t lo = off >= 0 ? 0 : (-off + g->sw - 1) / g->sw;
		int64_t hi = g->w - off <= 0 ? 0 : (g->w - off - 1) / g->sw + 1;
		hi = hi < g->wo ? hi : g->wo;
		lo = lo < hi ? lo : hi;
		for (int64_t i = 0; i < nimg; i++) {
			const T *plane = x + i * istride + ci * g->h * g->w;
			T *dst = col + r * ld + i * g->p;
			for (int64_t oh = 0; oh < g->ho; oh++, dst += g->wo) {
				int64_t ih = oh * g->sh - g->ph + ki * g->dh;
				if (ih < 0 || ih >= g->h) {
					memset(dst, 0, sizeof(T) * (size_t)g->wo);
					continue;
				}
				const T *src = plane + ih * g->w;
				for (int64_t ow = 0; ow < lo; ow++)
					dst[ow] = 0;
				if (g->sw == 1)
					memcpy(dst + lo, src + lo + off,
					       sizeof(T) * (size_t)(hi - lo));
				else
					for (int64_t ow = lo; ow < hi; ow++)
						dst[ow] = src[ow * g->sw + off];
				for (int64_t ow = hi; ow < g->wo; ow++)
					dst[ow] = 0;
			}
		}
	}
}
