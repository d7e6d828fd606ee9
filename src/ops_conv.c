/* ops_conv.c — conv2d through im2col on the blocked GEMM, and the 2-d
 * max and average pools, on concrete tensors (conv.h). */
#include <math.h>
#include <string.h>

#include "mmcalc/conv.h"
#include "mmcalc/gemm.h"
#include "mmcalc/interrupt.h"
#include "mmcalc/parallel.h"

#define NOSPAN ((mm_span){0, 0})

/* Columns of the im2col matrix worth one GEMM: small images are put side
 * by side up to this many output positions, so that the GEMM's n is not
 * a 7×7 map's 49. */
#define CHUNK_COLS 512
/* At most this many bytes of im2col matrix at a time (but one image's,
 * whatever it takes). */
#define CHUNK_BYTES ((size_t)64 << 20)
/* Groups share one im2col while their matrices fit in this (a core's
 * L2): each GEMM then reads its part from cache. */
#define GROUP_BYTES ((size_t)512 << 10)

/* The sizes of a convolution or pool. */
typedef struct geom {
	int64_t n, c, h, w;      /* input: images, channels, height, width */
	int64_t co, ho, wo;      /* output channels and size */
	int64_t cg, cog;         /* input and output channels of a group */
	int64_t kh, kw, sh, sw, ph, pw, dh, dw;
	int64_t k, p;            /* the GEMM's: cg·kh·kw, and ho·wo */
} geom;

/* x's sizes and p's window as a geom; the output's from out's shape. */
static geom geom_of(const mm_tensor *x, const mm_shape *out,
                    const mm_window *p, int64_t co, int64_t kh, int64_t kw,
                    int64_t groups)
{
	int b = x->ndim == 4;
	geom g = {
		.n = b ? x->shape[0] : 1, .c = x->shape[b], .h = x->shape[b + 1],
		.w = x->shape[b + 2], .co = co, .ho = out->dim[out->ndim - 2],
		.wo = out->dim[out->ndim - 1], .kh = kh, .kw = kw,
		.sh = p->stride[0], .sw = p->stride[1], .ph = p->pad_lo[0],
		.pw = p->pad_lo[1], .dh = p->dilation[0], .dw = p->dilation[1],
	};
	g.cg = g.c / groups;
	g.cog = co / groups;
	g.k = g.cg * kh * kw;
	g.p = g.ho * g.wo;
	return g;
}

/* ---- im2col ---- */

#define T float
#define NAME im2col_f32
#include "ops_conv_tmpl.h"
#undef T
#undef NAME
#define T double
#define NAME im2col_f64
#include "ops_conv_tmpl.h"
#undef T
#undef NAME

typedef struct im2col_job {
	const geom *g;
	const void *x;   /* the chunk's first image, its group's channel 0 */
	int64_t istride; /* elements from one image to the next */
	int64_t nimg;
	void *col;
	bool f64;
} im2col_job;

static void im2col_piece(void *arg, int64_t r0, int64_t r1)
{
	const im2col_job *j = arg;
	if (j->f64)
		im2col_f64(j->g, j->x, j->istride, j->nimg, j->col, r0, r1);
	else
		im2col_f32(j->g, j->x, j->istride, j->nimg, j->col, r0, r1);
}

/* ---- the GEMMs ---- */

/* c (m×n, row stride ldc) = a (m×k, rows of k) · b (k×n, row stride
 * ldb), in the tensors' element type. */
static int gemm(bool f64, int64_t m, int64_t n, int64_t k, const void *a,
                const void *b, int64_t ldb, void *c, int64_t ldc)
{
	int64_t lda = k > 0 ? k : 1;
	if (f64)
		return mm_dgemm(m, n, k, 1.0, a, lda, 1, b, ldb, 1, 0.0, c, ldc, 1);
	return mm_sgemm(m, n, k, 1.0f, a, lda, 1, b, ldb, 1, 0.0f, c, ldc, 1);
}

/* What one convolution keeps while it runs. */
typedef struct conv_run {
	geom g;
	bool f64, direct; /* direct: a 1×1 kernel read in place */
	size_t es;
	const char *x, *w; /* contiguous, in the result's dtype */
	const mm_tensor *bias;
	mm_tensor *out;
	void *col, *tmp;   /* the im2col matrix; the chunk's GEMM result */
	int64_t nb;        /* images per chunk */
	int64_t gb;        /* groups per im2col */
} conv_run;

/* tmp (cog × nimg·P) into the output's images [i0, i0 + nimg), group gi,
 * with the bias added. */
static void scatter(conv_run *r, int64_t i0, int64_t nimg, int64_t gi)
{
	const geom *g = &r->g;
	int64_t ld = nimg * g->p;
	for (int64_t i = 0; i < nimg; i++)
		for (int64_t o = 0; o < g->cog; o++) {
			int64_t ch = gi * g->cog + o;
			double b = r->bias ? mm_tensor_get_flat(r->bias, ch) : 0;
			size_t dst = (size_t)(((i0 + i) * g->co + ch) * g->p),
			       src = (size_t)(o * ld + i * g->p);
			if (r->f64) {
				double *d = (double *)r->out->data + dst;
				const double *s = (const double *)r->tmp + src;
				for (int64_t q = 0; q < g->p; q++)
					d[q] = s[q] + b;
			} else {
				float *d = (float *)r->out->data + dst;
				const float *s = (const float *)r->tmp + src;
				for (int64_t q = 0; q < g->p; q++)
					d[q] = s[q] + (float)b;
			}
		}
}

/* Adds the bias to images [i0, i0 + nimg) of the output, group gi. */
static void add_bias(conv_run *r, int64_t i0, int64_t nimg, int64_t gi)
{
	const geom *g = &r->g;
	for (int64_t i = i0; i < i0 + nimg; i++)
		for (int64_t o = 0; o < g->cog; o++) {
			int64_t ch = gi * g->cog + o;
			double b = mm_tensor_get_flat(r->bias, ch);
			size_t at = (size_t)((i * g->co + ch) * g->p);
			if (r->f64) {
				double *d = (double *)r->out->data + at;
				for (int64_t q = 0; q < g->p; q++)
					d[q] += b;
			} else {
				float *d = (float *)r->out->data + at;
				for (int64_t q = 0; q < g->p; q++)
					d[q] += (float)b;
			}
		}
}

/* Images [i0, i0 + nimg) through every group, gb groups at a time: one
 * im2col of their channels' taps (group gi's rows (gi - g0)·k on), then
 * a GEMM per group, its result into the output (directly when there is
 * one image). */
static int conv_chunk(conv_run *r, int64_t i0, int64_t nimg, int64_t groups)
{
	const geom *g = &r->g;
	size_t es = r->es;
	int64_t istride = g->c * g->h * g->w, plane = g->h * g->w;
	int64_t ldb = r->direct ? g->p : nimg * g->p;
	const char *x = r->x + (size_t)(i0 * istride) * es;
	int rc = 0;
	for (int64_t g0 = 0; g0 < groups && !rc; g0 += r->gb) {
		int64_t gb = groups - g0 < r->gb ? groups - g0 : r->gb;
		if (!r->direct) {
			im2col_job j = {g, x + (size_t)(g0 * g->cg * plane) * es,
			                istride, nimg, r->col, r->f64};
			/* pieces of some 32K elements: smaller ones cost more
			 * to hand out than to copy */
			int64_t grain = 1 + (int64_t)32768 / ldb;
			if ((rc = mm_parallel_for(g->k * gb, grain, im2col_piece,
			                          &j)) != 0)
				return rc;
		}
		for (int64_t gi = g0; gi < g0 + gb && !rc; gi++) {
			const char *wg = r->w + (size_t)(gi * g->cog * g->k) * es;
			const char *b = r->direct
			    ? x + (size_t)(gi * g->cg * plane) * es
			    : (const char *)r->col + (size_t)((gi - g0) * g->k * ldb) * es;
			if (nimg == 1) {
				char *c = (char *)r->out->data +
				          (size_t)((i0 * g->co + gi * g->cog) * g->p) * es;
				rc = gemm(r->f64, g->cog, g->p, g->k, wg, b, ldb, c,
				          g->p);
				if (!rc && r->bias)
					add_bias(r, i0, 1, gi);
			} else {
				rc = gemm(r->f64, g->cog, ldb, g->k, wg, b, ldb,
				          r->tmp, ldb);
				if (!rc)
					scatter(r, i0, nimg, gi);
			}
		}
	}
	return rc;
}

/* How many images go in one GEMM, and the scratch that takes. */
static bool conv_plan(conv_run *r, int64_t groups, mm_diag *d)
{
	geom *g = &r->g;
	r->direct = g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 &&
	            g->ph == 0 && g->pw == 0 && g->ho == g->h && g->wo == g->w &&
	            g->p >= CHUNK_COLS;
	/* one image's im2col matrix: (c·kh·kw) × p */
	size_t rows, per;
	if (__builtin_mul_overflow((size_t)g->k, (size_t)groups, &rows) ||
	    __builtin_mul_overflow(rows, (size_t)g->p * r->es, &per)) {
		mm_diag_set(d, MM_ERR_LIMIT, NOSPAN,
		            "conv2d: the im2col matrix is too large");
		return false;
	}
	int64_t nb = g->p >= CHUNK_COLS ? 1 : (CHUNK_COLS + g->p - 1) / g->p;
	while (nb > 1 && per * (size_t)nb > CHUNK_BYTES)
		nb--;
	r->nb = nb < g->n ? nb : g->n;
	if (r->nb < 1)
		r->nb = 1;
	/* many small groups (depthwise): as many at a time as keep their
	 * im2col matrix in a core's cache for their GEMMs */
	size_t group_bytes = per / (size_t)groups * (size_t)r->nb;
	r->gb = group_bytes ? (int64_t)(GROUP_BYTES / group_bytes) : groups;
	r->gb = r->gb < 1 ? 1 : r->gb > groups ? groups : r->gb;
	if (!r->direct &&
	    !(r->col = mm_tensor_scratch_alloc((size_t)(g->k * r->gb * r->nb),
	                                       (size_t)g->p * r->es, d)))
		return false;
	if (r->nb > 1 &&
	    !(r->tmp = mm_tensor_scratch_alloc((size_t)(g->cog * r->nb),
	                                       (size_t)g->p * r->es, d)))
		return false;
	return true;
}

/* x, w and bias in dtype t, contiguous: new references in out[0..3). */
static bool operands(const mm_tensor *x, const mm_tensor *w,
                     const mm_tensor *bias, mm_dtype t, mm_tensor *out[3],
                     mm_diag *d)
{
	const mm_tensor *in[3] = {x, w, bias};
	for (int k = 0; k < 3; k++) {
		out[k] = NULL;
		if (!in[k])
			continue;
		mm_tensor *c = mm_tensor_cast(in[k], t, d);
		out[k] = c ? mm_tensor_contiguous(c, d) : NULL;
		mm_tensor_unref(c);
		if (!out[k])
			return false;
	}
	return true;
}

mm_tensor *mm_conv_2d(const mm_tensor *x, const mm_tensor *w,
                      const mm_tensor *bias, const mm_window *p,
                      mm_diag *d)
{
	mm_shape sx = mm_shape_make(x->ndim, x->shape);
	mm_shape sw = mm_shape_make(w->ndim, w->shape), sb, so;
	if (bias)
		sb = mm_shape_make(bias->ndim, bias->shape);
	mm_window win = *p;
	int at;
	if (mm_shape_conv2d_as(&sx, &sw, bias ? &sb : NULL, &win, &so, &at,
	                       NULL, NULL, d) != MM_OK)
		return NULL;
	mm_dtype t = mm_dtype_promote(x->dtype, w->dtype);
	if (bias)
		t = mm_dtype_promote(t, bias->dtype);
	mm_tensor *ops[3] = {NULL, NULL, NULL}, *out = NULL;
	conv_run r = {0};
	r.g = geom_of(x, &so, &win, w->shape[0], w->shape[2], w->shape[3],
	              win.groups);
	bool ok = operands(x, w, bias, t, ops, d) &&
	          (out = mm_tensor_new(ops[0]->dtype, so.ndim, so.dim, d));
	if (ok && mm_tensor_numel(out) > 0) {
		r.f64 = out->dtype == MM_F64;
		r.es = mm_tensor_elsize(out);
		r.x = ops[0]->data;
		r.w = ops[1]->data;
		r.bias = ops[2];
		r.out = out;
		ok = conv_plan(&r, win.groups, d);
		int rc = 0;
		for (int64_t i = 0; ok && !rc && i < r.g.n; i += r.nb) {
			int64_t nimg = r.g.n - i < r.nb ? r.g.n - i : r.nb;
			rc = conv_chunk(&r, i, nimg, win.groups);
			if (!rc && mm_interrupted())
				rc = MM_ERR_INTERRUPTED;
		}
		if (ok && rc) {
			mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
			ok = false;
		}
	}
	mm_tensor_scratch_free(r.col);
	mm_tensor_scratch_free(r.tmp);
	for (int k = 0; k < 3; k++)
		mm_tensor_unref(ops[k]);
	if (!ok) {
		mm_tensor_unref(out);
		return NULL;
	}
	return out;
}

/* ---- pools ---- */

typedef struct pool_job {
	geom g;
	mm_pool kind;
	bool include_pad, f64;
	const void *x;
	void *out;
} pool_job;

/* One output element of plane xp: the max or the mean of its window
 * (PyTorch's, padding as -inf or as zeros counted or not). */
static double pool_at(const pool_job *j, const void *xp, int64_t oh,
                      int64_t ow)
{
	const geom *g = &j->g;
	int64_t h0 = oh * g->sh - g->ph, w0 = ow * g->sw - g->pw;
	if (j->kind == MM_POOL_MAX) {
		double m = -INFINITY;
		for (int64_t a = 0; a < g->kh; a++) {
			int64_t ih = h0 + a * g->dh;
			if (ih < 0 || ih >= g->h)
				continue;
			for (int64_t b = 0; b < g->kw; b++) {
				int64_t iw = w0 + b * g->dw;
				if (iw < 0 || iw >= g->w)
					continue;
				int64_t at = ih * g->w + iw;
				double v = j->f64 ? ((const double *)xp)[at]
				                  : ((const float *)xp)[at];
				if (v > m || isnan(v))
					m = v;
				if (isnan(m))
					return m;
			}
		}
		return m;
	}
	/* the window within the padded input, then within the input */
	int64_t h1 = h0 + g->kh < g->h + g->ph ? h0 + g->kh : g->h + g->ph;
	int64_t w1 = w0 + g->kw < g->w + g->pw ? w0 + g->kw : g->w + g->pw;
	int64_t size = (h1 - h0) * (w1 - w0);
	h0 = h0 < 0 ? 0 : h0;
	w0 = w0 < 0 ? 0 : w0;
	h1 = h1 < g->h ? h1 : g->h;
	w1 = w1 < g->w ? w1 : g->w;
	double s = 0;
	for (int64_t ih = h0; ih < h1; ih++)
		for (int64_t iw = w0; iw < w1; iw++) {
			int64_t at = ih * g->w + iw;
			s += j->f64 ? ((const double *)xp)[at]
			            : ((const float *)xp)[at];
		}
	int64_t div = j->include_pad ? size : (h1 - h0) * (w1 - w0);
	return s / (double)div;
}

static void pool_piece(void *arg, int64_t p0, int64_t p1)
{
	const pool_job *j = arg;
	const geom *g = &j->g;
	size_t es = j->f64 ? sizeof(double) : sizeof(float);
	for (int64_t pl = p0; pl < p1; pl++) {
		const char *xp = (const char *)j->x + (size_t)(pl * g->h * g->w) * es;
		for (int64_t oh = 0; oh < g->ho; oh++)
			for (int64_t ow = 0; ow < g->wo; ow++) {
				double v = pool_at(j, xp, oh, ow);
				size_t at = (size_t)((pl * g->ho + oh) * g->wo + ow);
				if (j->f64)
					((double *)j->out)[at] = v;
				else
					((float *)j->out)[at] = (float)v;
			}
	}
}

mm_tensor *mm_conv_pool2d(mm_pool kind, const mm_tensor *x,
                          const mm_window *p, bool count_include_pad,
                          mm_diag *d)
{
	mm_shape sx = mm_shape_make(x->ndim, x->shape), so;
	const char *fn = kind == MM_POOL_MAX ? "max_pool2d" : "avg_pool2d";
	if (mm_shape_pool2d_as(fn, &sx, p, &so, NULL, NULL, d) != MM_OK)
		return NULL;
	mm_tensor *c = mm_tensor_contiguous(x, d), *out = NULL;
	if (!c || !(out = mm_tensor_new(c->dtype, so.ndim, so.dim, d))) {
		mm_tensor_unref(c);
		return NULL;
	}
	pool_job j = {geom_of(c, &so, p, c->shape[c->ndim - 3], p->kernel[0],
	                      p->kernel[1], 1),
	              kind, count_include_pad, c->dtype == MM_F64, c->data,
	              out->data};
	int64_t planes = j.g.n * j.g.c;
	int64_t grain = j.g.p > 0 ? 1 + 16384 / j.g.p : planes;
	int rc = mm_tensor_numel(out) > 0
	             ? mm_parallel_for(planes, grain, pool_piece, &j) : 0;
	mm_tensor_unref(c);
	if (rc) {
		mm_diag_set(d, MM_ERR_INTERRUPTED, NOSPAN, "interrupted");
		mm_tensor_unref(out);
		return NULL;
	}
	return out;
}
