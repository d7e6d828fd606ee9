/* shape_conv.c — the shape rules of conv2d and the 2-d pools, as PyTorch. */
#include <stdio.h>
#include <string.h>

#include "mmcalc/arena.h"
#include "mmcalc/poly.h"
#include "mmcalc/shape.h"

static const mm_span nospan = {0, 0};

/* Dim i of s as a polynomial. */
static void dim_poly(const mm_shape *s, int i, mm_poly *out)
{
	if (s->sym[i])
		*out = *s->sym[i];
	else
		mm_poly_const(out, s->dim[i]);
}

/* A shape of one dim holding p (or its value when p is a constant). */
static mm_shape one_dim(const mm_poly *p)
{
	mm_shape s = {0};
	int64_t v;
	s.ndim = 1;
	if (mm_poly_get_const(p, &v))
		s.dim[0] = v;
	else
		s.sym[0] = p;
	return s;
}

/* Records "a REL b" for two polynomials; false with d set when it may not
 * be assumed (no record, or strict mode). */
static bool assume_poly(mm_assume *as, const mm_poly *a, const char *rel,
                        const mm_poly *b, mm_diag *d)
{
	mm_shape sa = one_dim(a), sb = one_dim(b);
	return mm_shape_assume(as, &sa, 0, rel, &sb, 0, d);
}

/* Output size of one spatial axis, numeric: padded = in + lo + hi, the
 * dilated kernel eff = dilation·(k - 1) + 1. Returns false when a size
 * overflows int64 (d set). *out may be < 1: the caller's error. */
static bool axis_numeric(int64_t in, int64_t k, const mm_window *p, int ax,
                         int64_t *padded, int64_t *eff, int64_t *out,
                         mm_diag *d)
{
	int64_t t;
	if (__builtin_mul_overflow(p->dilation[ax], k > 0 ? k - 1 : 0, &t) ||
	    __builtin_add_overflow(t, 1, eff) ||
	    __builtin_add_overflow(in, p->pad_lo[ax], padded) ||
	    __builtin_add_overflow(*padded, p->pad_hi[ax], padded)) {
		mm_diag_set(d, MM_ERR_LIMIT, nospan,
		            "a window size overflows 64 bits");
		return false;
	}
	int64_t span = *padded - *eff;
	if (span < 0) {
		*out = 0;
		return true;
	}
	int64_t s = p->stride[ax];
	*out = span / s + 1;
	if (p->ceil_mode && span % s) {
		++*out;
		/* the last window must start inside the input or the leading
		 * padding, as PyTorch's pooling_output_shape */
		if ((*out - 1) * s >= in + p->pad_lo[ax])
			--*out;
	}
	return true;
}

/* Output size of one spatial axis with symbols: (in + lo + hi -
 * dilation·(k - 1) - 1)/stride + 1, the stride assumed to divide the span
 * (so that ceil_mode changes nothing). */
static mm_code axis_symbolic(const mm_shape *x, int ix, const mm_shape *ks,
                             int ik, const mm_window *p, int ax,
                             mm_shape *r, int o, mm_arena *arena,
                             mm_assume *as, mm_diag *d)
{
	mm_poly in, k, t, span, q, one;
	mm_code c;
	dim_poly(x, ix, &in);
	dim_poly(ks, ik, &k);
	mm_poly_const(&one, 1);
	if ((c = mm_poly_sub(&t, &k, &one, d)) != MM_OK ||
	    (c = mm_poly_mul_int(&t, &t, p->dilation[ax], d)) != MM_OK ||
	    (c = mm_poly_sub(&span, &in, &t, d)) != MM_OK ||
	    (c = mm_poly_sub(&span, &span, &one, d)) != MM_OK)
		return c;
	mm_poly_const(&t, p->pad_lo[ax] + p->pad_hi[ax]);
	if ((c = mm_poly_add(&span, &span, &t, d)) != MM_OK)
		return c;
	mm_poly_const(&t, p->stride[ax]);
	if ((c = mm_poly_div(&q, &span, &t, d)) != MM_OK)
		return c;
	if (!mm_poly_is_integral(&q) && !assume_poly(as, &t, " divides ", &span, d))
		return MM_ERR_SHAPE;
	if ((c = mm_poly_add(&q, &q, &one, d)) != MM_OK)
		return c;
	int64_t v;
	if (mm_poly_get_const(&q, &v)) {
		r->sym[o] = NULL;
		r->dim[o] = v;
		return MM_OK;
	}
	mm_poly *keep = mm_arena_alloc(arena, sizeof *keep);
	if (!keep)
		return mm_diag_set(d, MM_ERR_NOMEM, nospan, "out of memory");
	*keep = q;
	r->sym[o] = keep;
	r->dim[o] = 0;
	return MM_OK;
}

/* Whether dim i of s is symbolic. */
static inline bool is_sym(const mm_shape *s, int i)
{
	return s->sym[i] != NULL;
}

/* "(2 x 3)" of two numbers, for messages. */
static const char *pair_str(int64_t a, int64_t b, char *buf, size_t cap)
{
	snprintf(buf, cap, "(%lld x %lld)", (long long)a, (long long)b);
	return buf;
}

/* The input must be (N x C x H x W) or (C x H x W). */
static mm_code need_image(const char *fn, const mm_shape *x, mm_diag *d)
{
	char sx[160];
	if (x->ndim == 3 || x->ndim == 4)
		return MM_OK;
	mm_diag_set(d, MM_ERR_SHAPE, nospan,
	            "%s: expected a 3-d (unbatched) or 4-d (batched) input, got "
	            "%s", fn, mm_shape_str(x, sx, sizeof sx));
	mm_diag_hint(d, "images are (N x C x H x W), channels first (NCHW), "
	                "or (C x H x W)");
	return MM_ERR_SHAPE;
}

/* conv2d's channels: C_out divisible by groups, C = (C/groups)·groups,
 * a bias of C_out elements. */
static mm_code conv_channels(const mm_shape *x, const mm_shape *w,
                             const mm_shape *bias, const mm_window *p,
                             int *at, mm_assume *as, mm_diag *d)
{
	char sx[160], sw[160], sb[160];
	int cx = x->ndim - 3;
	int64_t g = p->groups;
	mm_poly pg, cout, cin, want, have;
	mm_poly_const(&pg, g);
	dim_poly(w, 0, &cout);
	dim_poly(w, 1, &cin);
	dim_poly(x, cx, &have);
	if (!is_sym(w, 0) && w->dim[0] % g != 0) {
		*at = MM_CONV_AT_W;
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "conv2d: groups=%lld must divide the weight's %lld "
		            "output channels, weight %s", (long long)g,
		            (long long)w->dim[0], mm_shape_str(w, sw, sizeof sw));
		mm_diag_hint(d, "the weight is (C_out x C_in/groups x kH x kW)");
		return MM_ERR_SHAPE;
	}
	if (is_sym(w, 0) && g > 1 && !assume_poly(as, &pg, " divides ", &cout, d))
		return *at = MM_CONV_AT_W, MM_ERR_SHAPE;
	mm_code c = mm_poly_mul(&want, &cin, &pg, d);
	if (c != MM_OK)
		return c;
	if (!mm_poly_eq(&want, &have)) {
		if (is_sym(w, 1) || is_sym(x, cx)) {
			if (!assume_poly(as, &have, " == ", &want, d))
				return *at = MM_CONV_AT_X, MM_ERR_SHAPE;
		} else {
			*at = MM_CONV_AT_X;
			mm_diag_set(d, MM_ERR_SHAPE, nospan,
			            "conv2d: groups=%lld and weight %s expect the input "
			            "%s to have %lld channels, got %lld", (long long)g,
			            mm_shape_str(w, sw, sizeof sw),
			            mm_shape_str(x, sx, sizeof sx),
			            (long long)(w->dim[1] * g), (long long)x->dim[cx]);
			mm_diag_hint(d, "the input is (N x C x H x W) (NCHW), the "
			                "weight (C_out x C/groups x kH x kW)");
			return MM_ERR_SHAPE;
		}
	}
	if (!bias)
		return MM_OK;
	*at = MM_CONV_AT_BIAS;
	mm_shape want_b = {0};
	want_b.ndim = 1;
	want_b.dim[0] = w->dim[0];
	want_b.sym[0] = w->sym[0];
	if (bias->ndim == 1 && mm_shape_eq(bias, &want_b))
		return MM_OK;
	if (bias->ndim == 1 && (is_sym(bias, 0) || is_sym(w, 0))) {
		mm_poly pb;
		dim_poly(bias, 0, &pb);
		return assume_poly(as, &pb, " == ", &cout, d) ? MM_OK : MM_ERR_SHAPE;
	}
	mm_diag_set(d, MM_ERR_SHAPE, nospan,
	            "conv2d: the bias must be %s (one per output channel of the "
	            "weight %s), got %s", mm_shape_str(&want_b, sb, sizeof sb),
	            mm_shape_str(w, sw, sizeof sw),
	            mm_shape_str(bias, sx, sizeof sx));
	return MM_ERR_SHAPE;
}

/* padding="same": the total d·(k - 1), split with the odd one after. */
static void same_padding(const mm_shape *w, mm_window *p)
{
	for (int ax = 0; ax < 2; ax++) {
		int64_t k = is_sym(w, 2 + ax) ? 1 : w->dim[2 + ax];
		int64_t total = p->dilation[ax] * (k > 0 ? k - 1 : 0);
		p->pad_lo[ax] = total / 2;
		p->pad_hi[ax] = total - total / 2;
	}
}

mm_code mm_shape_conv2d_as(const mm_shape *x, const mm_shape *w,
                           const mm_shape *bias, mm_window *p,
                           mm_shape *out, int *at, mm_arena *arena,
                           mm_assume *as, mm_diag *d)
{
	char sx[160], sw[160], b1[48], b2[48];
	*at = MM_CONV_AT_X;
	if (need_image("conv2d", x, d) != MM_OK)
		return MM_ERR_SHAPE;
	if (w->ndim != 4) {
		*at = MM_CONV_AT_W;
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "conv2d: expected a 4-d weight for the %d-d input %s, "
		            "got %s", x->ndim, mm_shape_str(x, sx, sizeof sx),
		            mm_shape_str(w, sw, sizeof sw));
		mm_diag_hint(d, "the weight is (C_out x C_in/groups x kH x kW)");
		return MM_ERR_SHAPE;
	}
	if (p->same) {
		*at = MM_CONV_AT_CALL;
		if (p->stride[0] != 1 || p->stride[1] != 1) {
			mm_diag_set(d, MM_ERR_VALUE, nospan,
			            "conv2d: padding=\"same\" is not supported for "
			            "strided convolutions");
			mm_diag_hint(d, "with stride s, padding=(k - 1)/2 gives H/s "
			                "outputs for an odd kernel k");
			return MM_ERR_VALUE;
		}
		if (is_sym(w, 2) || is_sym(w, 3))
			return mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
			                   "conv2d: padding=\"same\" needs a numeric "
			                   "kernel size, got the weight %s",
			                   mm_shape_str(w, sw, sizeof sw));
		same_padding(w, p);
	}
	mm_code c = conv_channels(x, w, bias, p, at, as, d);
	if (c != MM_OK)
		return c;
	mm_shape r = *x;
	int h = x->ndim - 2;
	r.dim[h - 1] = w->dim[0];
	r.sym[h - 1] = w->sym[0];
	bool small = false;
	int64_t padded[2] = {0, 0}, eff[2] = {0, 0};
	for (int ax = 0; ax < 2; ax++) {
		if (is_sym(x, h + ax) || is_sym(w, 2 + ax)) {
			c = axis_symbolic(x, h + ax, w, 2 + ax, p, ax, &r, h + ax,
			                  arena, as, d);
			if (c != MM_OK)
				return *at = MM_CONV_AT_CALL, c;
			continue;
		}
		int64_t o;
		if (!axis_numeric(x->dim[h + ax], w->dim[2 + ax], p, ax,
		                  &padded[ax], &eff[ax], &o, d))
			return *at = MM_CONV_AT_CALL, MM_ERR_LIMIT;
		small |= padded[ax] < eff[ax];
		r.sym[h + ax] = NULL;
		r.dim[h + ax] = o;
	}
	if (small) {
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "conv2d: the padded input %s is smaller than the "
		            "dilated kernel %s",
		            pair_str(padded[0], padded[1], b1, sizeof b1),
		            pair_str(eff[0], eff[1], b2, sizeof b2));
		mm_diag_hint(d, "each of H + padding and W + padding must be at "
		                "least dilation·(k - 1) + 1");
		return MM_ERR_SHAPE;
	}
	*out = r;
	return MM_OK;
}

mm_code mm_shape_pool2d_as(const char *fn, const mm_shape *x,
                           const mm_window *p, mm_shape *out,
                           mm_arena *arena, mm_assume *as, mm_diag *d)
{
	char sx[160], so[160];
	if (need_image(fn, x, d) != MM_OK)
		return MM_ERR_SHAPE;
	for (int ax = 0; ax < 2; ax++) {
		/* PyTorch: pad <= ((k - 1)·dilation + 1) / 2 */
		int64_t eff = p->dilation[ax] * (p->kernel[ax] - 1) + 1;
		if (p->pad_lo[ax] > eff / 2) {
			mm_diag_set(d, MM_ERR_VALUE, nospan,
			            "%s: padding should be at most half of the "
			            "effective kernel size, got padding=%lld, "
			            "kernel_size=%lld and dilation=%lld", fn,
			            (long long)p->pad_lo[ax],
			            (long long)p->kernel[ax],
			            (long long)p->dilation[ax]);
			mm_diag_hint(d, "padding <= (dilation·(kernel_size - 1) + "
			                "1) / 2");
			return MM_ERR_VALUE;
		}
	}
	mm_shape r = *x, ks = {0};
	int h = x->ndim - 2;
	ks.ndim = 2;
	ks.dim[0] = p->kernel[0];
	ks.dim[1] = p->kernel[1];
	bool small = false;
	for (int ax = 0; ax < 2; ax++) {
		mm_code c;
		if (is_sym(x, h + ax)) {
			c = axis_symbolic(x, h + ax, &ks, ax, p, ax, &r, h + ax,
			                  arena, as, d);
			if (c != MM_OK)
				return c;
			continue;
		}
		int64_t o, padded, eff;
		if (!axis_numeric(x->dim[h + ax], p->kernel[ax], p, ax, &padded,
		                  &eff, &o, d))
			return MM_ERR_LIMIT;
		small |= o < 1;
		r.sym[h + ax] = NULL;
		r.dim[h + ax] = o;
	}
	if (small) {
		mm_shape shown = r;
		for (int ax = 0; ax < 2; ax++)
			if (!shown.sym[h + ax] && shown.dim[h + ax] < 0)
				shown.dim[h + ax] = 0;
		mm_diag_set(d, MM_ERR_SHAPE, nospan,
		            "%s: the input %s gives the output %s: too small", fn,
		            mm_shape_str(x, sx, sizeof sx),
		            mm_shape_str(&shown, so, sizeof so));
		mm_diag_hint(d, "each output size is (H + 2·padding - "
		                "dilation·(kernel_size - 1) - 1) / stride + 1, "
		                "at least 1");
		return MM_ERR_SHAPE;
	}
	*out = r;
	return MM_OK;
}
