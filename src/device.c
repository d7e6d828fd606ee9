/* device.c — device profiles, rooflines, custom devices, describing;
 * the host's calibration and its cache are device_host.c's. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmcalc/device.h"
#include "mmcalc/suggest.h"

static const mm_span nospan = {0, 0};

/* Datasheet figures, dense (vendors print the 2:4-sparse figure, twice the
 * dense one, with an asterisk; those are halved here). Order of peak[]:
 * the mm_dtype enum. Sources, as named in each row:
 * - H100 SXM: NVIDIA H100 Tensor Core GPU datasheet and the Hopper
 *   architecture whitepaper (SXM5): FP64 tensor 66.9, FP32 66.9, TF32
 *   494.7, FP16/BF16 989.4, FP8 1978.9 TFLOPS, INT8 1978.9 TOPS; HBM3
 *   3.35 TB/s.
 * - H200 SXM: NVIDIA H200 Tensor Core GPU datasheet: the same compute as
 *   H100 SXM (FP8 3958 TFLOPS sparse), HBM3e 4.8 TB/s.
 * - A100 80GB SXM: NVIDIA A100 Tensor Core GPU datasheet: FP64 tensor
 *   19.5, FP32 19.5, TF32 156, FP16/BF16 312 TFLOPS, INT8 624, INT4 1248
 *   TOPS; HBM2e 2039 GB/s.
 * - L4: NVIDIA L4 Tensor Core GPU datasheet: FP32 30.3, TF32 120*,
 *   FP16/BF16 242*, FP8 485* TFLOPS, INT8 485* TOPS (* sparse); GDDR6
 *   300 GB/s. No FP64 figure.
 * - RTX 4090: NVIDIA Ada Lovelace GPU architecture whitepaper: FP64 1.3,
 *   FP32 82.6, TF32 tensor 82.6, FP16/BF16 tensor 165.2 (FP32
 *   accumulate), FP8 330.3 (FP32 accumulate) TFLOPS, INT8 660.6, INT4
 *   1321.2 TOPS; GDDR6X 1008 GB/s.
 * - MI300X: AMD Instinct MI300X accelerator data sheet: FP64 matrix
 *   163.4, FP32 163.4, TF32 653.7, FP16/BF16 1307.4, FP8 2614.9 TFLOPS,
 *   INT8 2614.9 TOPS; HBM3 5.3 TB/s.
 * - Apple M2 GPU: Apple's M2 announcement (June 2022): the 10-core GPU's
 *   3.6 TFLOPS FP32, 100 GB/s unified memory. Apple gives no other dtype
 *   figures (nor any for the CPU cores), so this is the GPU's profile. */
/* FP8 figures hold for both formats (E4M3 and E5M2 run at one rate). */
#define F8(rate) [MM_F8E4M3] = (rate), [MM_F8E5M2] = (rate)

static const mm_device builtin[] = {
	{"H100 SXM", "h100-sxm", MM_DEVICE_GPU,
	 {[MM_F32] = 66.9e12, [MM_F64] = 66.9e12, [MM_TF32] = 494.7e12,
	  [MM_F16] = 989.4e12, [MM_BF16] = 989.4e12, F8(1978.9e12),
	  [MM_I8] = 1978.9e12},
	 3.35e12, "NVIDIA H100 Tensor Core GPU datasheet; Hopper whitepaper",
	 "f64 is the FP64 tensor-core rate; no INT4", 0},
	{"H200 SXM", "h200-sxm", MM_DEVICE_GPU,
	 {[MM_F32] = 66.9e12, [MM_F64] = 66.9e12, [MM_TF32] = 494.7e12,
	  [MM_F16] = 989.4e12, [MM_BF16] = 989.4e12, F8(1978.9e12),
	  [MM_I8] = 1978.9e12},
	 4.8e12, "NVIDIA H200 Tensor Core GPU datasheet",
	 "the H100 SXM's compute with HBM3e memory", 0},
	{"A100 80GB SXM", "a100-80gb-sxm", MM_DEVICE_GPU,
	 {[MM_F32] = 19.5e12, [MM_F64] = 19.5e12, [MM_TF32] = 156e12,
	  [MM_F16] = 312e12, [MM_BF16] = 312e12, [MM_I8] = 624e12,
	  [MM_I4] = 1248e12},
	 2039e9, "NVIDIA A100 Tensor Core GPU datasheet",
	 "f64 is the FP64 tensor-core rate; no FP8", 0},
	{"L4", "l4", MM_DEVICE_GPU,
	 {[MM_F32] = 30.3e12, [MM_TF32] = 60e12, [MM_F16] = 121e12,
	  [MM_BF16] = 121e12, F8(242.5e12), [MM_I8] = 242.5e12},
	 300e9, "NVIDIA L4 Tensor Core GPU datasheet",
	 "no FP64 figure in the datasheet", 0},
	{"RTX 4090", "rtx-4090", MM_DEVICE_GPU,
	 {[MM_F32] = 82.6e12, [MM_F64] = 1.3e12, [MM_TF32] = 82.6e12,
	  [MM_F16] = 165.2e12, [MM_BF16] = 165.2e12, F8(330.3e12),
	  [MM_I8] = 660.6e12, [MM_I4] = 1321.2e12},
	 1008e9, "NVIDIA Ada Lovelace GPU architecture whitepaper",
	 "tensor rates with FP32 accumulate", 0},
	{"MI300X", "mi300x", MM_DEVICE_GPU,
	 {[MM_F32] = 163.4e12, [MM_F64] = 163.4e12, [MM_TF32] = 653.7e12,
	  [MM_F16] = 1307.4e12, [MM_BF16] = 1307.4e12, F8(2614.9e12),
	  [MM_I8] = 2614.9e12},
	 5.3e12, "AMD Instinct MI300X accelerator data sheet",
	 "f64 is the FP64 matrix rate", 0},
	{"Apple M2 GPU", "apple-m2-gpu", MM_DEVICE_GPU,
	 {[MM_F32] = 3.6e12},
	 100e9, "Apple M2 announcement (June 2022)",
	 "the 10-core GPU; Apple gives FP32 only, other dtypes use it", 0},
};
#define NBUILTIN (sizeof builtin / sizeof builtin[0])

/* Other names, letters and digits only, lowercase. */
static const struct {
	const char *alias;
	size_t index;
} aliases[] = {
	{"h100", 0},   {"h100sxm5", 0}, {"h200", 1},       {"a100", 2},
	{"a100sxm", 2}, {"a10080gb", 2}, {"nvidial4", 3},   {"4090", 4},
	{"rtx4090", 4}, {"geforcertx4090", 4}, {"mi300", 5}, {"m2", 6},
	{"applem2", 6}, {"m2gpu", 6},
};

const mm_device *mm_device_builtin(size_t *n)
{
	if (n)
		*n = NBUILTIN;
	return builtin;
}

/* Lowercase letters and digits of s, the rest dropped. */
static void squash(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 1 < cap; s++)
		if (isalnum((unsigned char)*s))
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

/* How far squashed name want is from candidate c (squashed here), or
 * INT_MAX beyond the suggester's limit. */
static int distance(const char *want, const char *c)
{
	char have[64];
	squash(c, have, sizeof have);
	mm_suggest sg;
	mm_suggest_init(&sg, want);
	mm_suggest_add(&sg, have);
	return mm_suggest_best(&sg) ? sg.dist : INT_MAX;
}

const mm_device *mm_device_suggest(const char *name)
{
	char want[64];
	squash(name ? name : "", want, sizeof want);
	const mm_device *best = NULL;
	int d = INT_MAX;
	for (size_t i = 0; i < NBUILTIN; i++) {
		int k = distance(want, builtin[i].key), m = distance(want, builtin[i].name);
		if (m < k)
			k = m;
		if (k < d)
			d = k, best = &builtin[i];
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		int k = distance(want, aliases[i].alias);
		if (k < d)
			d = k, best = &builtin[aliases[i].index];
	}
	return best;
}

const mm_device *mm_device_find(const char *name)
{
	char want[64], have[64];
	if (!name)
		return NULL;
	squash(name, want, sizeof want);
	if (!*want)
		return NULL;
	for (size_t i = 0; i < NBUILTIN; i++) {
		squash(builtin[i].key, have, sizeof have);
		if (strcmp(want, have) == 0)
			return &builtin[i];
		squash(builtin[i].name, have, sizeof have);
		if (strcmp(want, have) == 0)
			return &builtin[i];
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(want, aliases[i].alias) == 0)
			return &builtin[aliases[i].index];
	return NULL;
}

/* The dtypes whose units run t when t has no figure, nearest first (see
 * mm_device_peak); MM_DTYPE_COUNT ends a list. */
static const mm_dtype *fallbacks(mm_dtype t)
{
	static const mm_dtype f8[] = {MM_BF16, MM_F16, MM_F32, MM_DTYPE_COUNT};
	static const mm_dtype i4[] = {MM_I8, MM_F32, MM_DTYPE_COUNT};
	static const mm_dtype f32[] = {MM_F32, MM_DTYPE_COUNT};
	static const mm_dtype none[] = {MM_DTYPE_COUNT};
	switch (t) {
	case MM_F8E4M3:
	case MM_F8E5M2: return f8;
	case MM_I4: return i4;
	case MM_TF32:
	case MM_F16:
	case MM_BF16:
	case MM_I8: return f32;
	default: return none;
	}
}

double mm_device_peak(const mm_device *dev, mm_dtype t, mm_dtype *used)
{
	if ((unsigned)t >= MM_DTYPE_COUNT)
		t = MM_F32;
	mm_dtype u = t;
	double p = dev->peak[t];
	for (const mm_dtype *f = fallbacks(t); !(p > 0) && *f != MM_DTYPE_COUNT;
	     f++) {
		u = *f;
		p = dev->peak[u];
	}
	if (!(p > 0))
		u = t;
	if (used)
		*used = u;
	return p > 0 ? p : 0;
}

mm_code mm_device_roofline_ops(const mm_device *dev, mm_count flops,
                               mm_count transcendental, mm_count bytes,
                               mm_dtype t, mm_roofline *out, mm_diag *d)
{
	mm_roofline r;
	memset(&r, 0, sizeof r);
	r.peak = mm_device_peak(dev, t, &r.peak_dtype);
	if (r.peak <= 0)
		return mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s has no %s peak in its profile", dev->name,
		                   mm_dtype_name(t));
	if (!(dev->bw > 0))
		return mm_diag_set(d, MM_ERR_UNSUPPORTED, nospan,
		                   "%s has no memory bandwidth in its profile",
		                   dev->name);
	double f = mm_count_to_double(flops), b = mm_count_to_double(bytes);
	r.bw = dev->bw;
	if (dev->transcendental > 0)
		r.transcendental_s = mm_count_to_double(transcendental) /
		                     dev->transcendental;
	double gemm_s = f / r.peak;
	r.compute_s = gemm_s + r.transcendental_s;
	r.memory_s = b / r.bw;
	r.compute_bound = r.compute_s >= r.memory_s;
	r.seconds = (gemm_s > r.memory_s ? gemm_s : r.memory_s) + r.transcendental_s;
	r.intensity = b > 0 ? f / b : f > 0 ? INFINITY : 0.0;
	r.ridge = r.peak / r.bw;
	*out = r;
	return MM_OK;
}

mm_code mm_device_roofline(const mm_device *dev, mm_count flops,
                           mm_count bytes, mm_dtype t, mm_roofline *out,
                           mm_diag *d)
{
	return mm_device_roofline_ops(dev, flops, MM_COUNT_ZERO, bytes, t, out,
	                              d);
}

/* ---- custom devices ---- */

void mm_device_make_custom(mm_device *out, double peak, double bw)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "custom");
	snprintf(out->key, sizeof out->key, "custom");
	out->kind = MM_DEVICE_CUSTOM;
	for (int i = 0; i < MM_DTYPE_COUNT; i++)
		out->peak[i] = peak;
	out->bw = bw;
	snprintf(out->source, sizeof out->source, "given by the user");
}

/* What parse_value made of a VALUE. */
enum value_status { V_OK, V_BAD, V_IMPLAUSIBLE };

/* Parses VALUE of key=VALUE: a number, a prefix, a unit. bytes selects
 * the units allowed ("B/s" or "FLOP/s"). A rate outside
 * [MM_DEVICE_RATE_MIN, MM_DEVICE_RATE_MAX] after its prefix (1e308E is
 * infinite) is implausible. */
static enum value_status parse_value(const char *s, size_t len, bool bytes,
                                     double *out)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return V_BAD;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (end == buf || (errno && !(errno == ERANGE && v > 1)) || !(v > 0))
		return V_BAD;
	static const char prefixes[] = "kmgtpe";
	const char *p = *end ? strchr(prefixes, tolower((unsigned char)*end))
	                     : NULL;
	if (p && *end) {
		int k = (int)(p - prefixes) + 1;
		end++;
		if (*end == 'i' && bytes) {
			v *= pow(1024.0, k);
			end++;
		} else {
			v *= pow(1000.0, k);
		}
	}
	static const char *const flop_units[] = {"", "flop/s", "flops", "op/s",
	                                         "ops", "flop"};
	static const char *const byte_units[] = {"", "b/s", "b"};
	const char *const *u = bytes ? byte_units : flop_units;
	size_t nu = bytes ? 3 : 6;
	for (size_t i = 0; i < nu; i++)
		if (strcasecmp(end, u[i]) == 0) {
			if (!(v >= MM_DEVICE_RATE_MIN && v <= MM_DEVICE_RATE_MAX))
				return V_IMPLAUSIBLE;
			*out = v;
			return V_OK;
		}
	return V_BAD;
}

/* The error for key=VALUE that parse_value did not take. */
static mm_code bad_value(mm_diag *d, enum value_status vs, const char *key,
                         const char *val, size_t vl, bool is_bw)
{
	if (vs == V_IMPLAUSIBLE) {
		mm_diag_set(d, MM_ERR_ARG, nospan,
		            "%s=%.*s is not a plausible %s: it must lie between "
		            "1 and 1e21 %s", key, (int)vl, val,
		            is_bw ? "bandwidth" : "rate", is_bw ? "B/s" : "FLOP/s");
		mm_diag_hint(d, is_bw ? "bw=3.35TB/s is an H100's"
		                      : "peak=989T is an H100's dense bf16 rate");
		return MM_ERR_ARG;
	}
	mm_diag_set(d, MM_ERR_ARG, nospan, "bad value '%.*s' for %s", (int)vl,
	            val, key);
	mm_diag_hint(d, is_bw ? "a positive bandwidth like 2TB/s, 900G or "
	                        "1.5TiB/s"
	                      : "a positive rate like 312T, 312TFLOP/s or "
	                        "3.12e14");
	return MM_ERR_ARG;
}

mm_code mm_device_custom(mm_device *out, const char *args, mm_diag *d)
{
	mm_device dev;
	mm_device_make_custom(&dev, 0, 0);
	bool any_peak = false;
	const char *s = args ? args : "";
	while (*s) {
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (!*s)
			break;
		size_t n = strcspn(s, " ,\t");
		const char *eq = memchr(s, '=', n);
		if (!eq) {
			mm_diag_set(d, MM_ERR_ARG, nospan,
			            "expected key=value, got '%.*s'", (int)n, s);
			mm_diag_hint(d, ":device custom peak=312T bw=2TB/s");
			return MM_ERR_ARG;
		}
		char key[16];
		size_t kl = (size_t)(eq - s);
		if (kl >= sizeof key)
			kl = sizeof key - 1;
		memcpy(key, s, kl);
		key[kl] = '\0';
		const char *val = eq + 1;
		size_t vl = n - (size_t)(val - s);
		double v;
		mm_dtype t;
		bool is_bw = strcmp(key, "bw") == 0;
		bool is_peak = strcmp(key, "peak") == 0;
		bool is_dtype = !is_bw && !is_peak && mm_dtype_parse(key, &t);
		if (!is_bw && !is_peak && !is_dtype) {
			mm_diag_set(d, MM_ERR_ARG, nospan,
			            "unknown custom device key '%s'", key);
			mm_diag_hint(d, "keys: peak, bw, or a dtype (f64=..., "
			                "f16=...)");
			return MM_ERR_ARG;
		}
		enum value_status vs = parse_value(val, vl, is_bw, &v);
		if (vs != V_OK)
			return bad_value(d, vs, key, val, vl, is_bw);
		if (is_bw) {
			dev.bw = v;
		} else if (is_peak) {
			for (int i = 0; i < MM_DTYPE_COUNT; i++)
				dev.peak[i] = v;
			any_peak = true;
		}
		s += n;
	}
	/* Per-dtype values override peak= whatever their order: a second
	 * pass. */
	for (s = args ? args : ""; *s;) {
		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		size_t n = strcspn(s, " ,\t");
		const char *eq = memchr(s, '=', n);
		if (eq) {
			char key[16];
			size_t kl = (size_t)(eq - s);
			mm_dtype t;
			double v;
			if (kl < sizeof key) {
				memcpy(key, s, kl);
				key[kl] = '\0';
				if (strcmp(key, "peak") && strcmp(key, "bw") &&
				    mm_dtype_parse(key, &t) &&
				    parse_value(eq + 1, n - kl - 1, false, &v) == V_OK) {
					dev.peak[t] = v;
					any_peak = true;
				}
			}
		}
		s += n;
	}
	if (!any_peak || !(dev.bw > 0)) {
		mm_diag_set(d, MM_ERR_ARG, nospan, "a custom device needs %s",
		            !any_peak ? "a peak (peak=...)" : "a bandwidth (bw=...)");
		mm_diag_hint(d, ":device custom peak=312T bw=2TB/s");
		return MM_ERR_ARG;
	}
	snprintf(dev.source, sizeof dev.source, "given by the user: %s",
	         args ? args : "");
	*out = dev;
	return MM_OK;
}

/* ---- describing ---- */

void mm_device_describe(mm_buf *b, const mm_device *dev)
{
	static const mm_dtype order[] = {MM_F64,    MM_F32,    MM_TF32,
	                                 MM_F16,    MM_BF16,   MM_F8E4M3,
	                                 MM_F8E5M2, MM_I8,     MM_I4};
	enum { N = sizeof order / sizeof order[0] };
	mm_buf_printf(b, "%s:", dev->name);
	const char *sep = " ";
	for (size_t i = 0; i < N; i++) {
		mm_dtype t = order[i];
		if (!(dev->peak[t] > 0))
			continue;
		bool pair = i + 1 < N && dev->peak[order[i + 1]] == dev->peak[t];
		/* Equal neighbours read as one: "f16/bf16 989.4 TFLOP/s", and
		 * the two FP8 formats as "f8". */
		if (pair && t == MM_F8E4M3) {
			mm_buf_printf(b, "%sf8 ", sep);
			i++;
		} else if (pair && (t == MM_F16 || t == MM_F64)) {
			mm_buf_printf(b, "%s%s/%s ", sep, mm_dtype_name(t),
			              mm_dtype_name(order[i + 1]));
			i++;
		} else {
			mm_buf_printf(b, "%s%s ", sep, mm_dtype_name(t));
		}
		bool ints = t == MM_I8 || t == MM_I4;
		mm_count_format_si_f(b, dev->peak[t], ints ? "OP/s" : "FLOP/s", 4);
		sep = ", ";
	}
	if (dev->transcendental > 0) {
		mm_buf_printf(b, "%sgelu ", sep);
		mm_count_format_si_f(b, dev->transcendental, "elem/s", 4);
	}
	mm_buf_puts(b, "; ");
	mm_count_format_si_f(b, dev->bw, "B/s", 4);
}
