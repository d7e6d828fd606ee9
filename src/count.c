/* count.c — exact-or-approximate cost counts, units and their formatting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmcalc/count.h"

/* 2^128 as a double: the first value that no longer fits. */
#define TWO128 340282366920938463463374607431768211456.0

mm_count mm_count_from_double(double v)
{
	if (v >= 0.0 && v < TWO128 && v == floor(v))
		return mm_count_of_wide((mm_count_u128)v);
	return mm_count_approx(v);
}

mm_count mm_count_sub(mm_count a, mm_count b)
{
	if (!a.approx && !b.approx) {
		mm_count_u128 x = mm_count_wide(a), y = mm_count_wide(b);
		return mm_count_of_wide(x > y ? x - y : 0);
	}
	if (a.value <= b.value)
		return MM_COUNT_ZERO;
	return mm_count_approx(a.value - b.value);
}

mm_count mm_count_div_u(mm_count a, uint64_t k)
{
	if (!a.approx && k != 0 && mm_count_wide(a) % k == 0)
		return mm_count_of_wide(mm_count_wide(a) / k);
	return mm_count_approx(a.value / (double)k);
}

double mm_count_ratio(mm_count a, mm_count b) { return a.value / b.value; }

int mm_count_cmp(mm_count a, mm_count b)
{
	if (!a.approx && !b.approx) {
		mm_count_u128 x = mm_count_wide(a), y = mm_count_wide(b);
		return (x > y) - (x < y);
	}
	/* An exact count is below 2^128, whatever its double rounds to. */
	if (!a.approx && b.value >= TWO128)
		return -1;
	if (!b.approx && a.value >= TWO128)
		return 1;
	return (a.value > b.value) - (a.value < b.value);
}

bool mm_count_eq(mm_count a, mm_count b) { return mm_count_cmp(a, b) == 0; }

bool mm_count_is_zero(mm_count a)
{
	return a.approx ? a.value == 0.0 : a.exact == 0 && a.hi == 0;
}

mm_count mm_count_min(mm_count a, mm_count b)
{
	return mm_count_cmp(a, b) <= 0 ? a : b;
}

mm_count mm_count_max(mm_count a, mm_count b)
{
	return mm_count_cmp(a, b) >= 0 ? a : b;
}

double mm_count_to_double(mm_count a) { return a.value; }

bool mm_count_get_u64(mm_count a, uint64_t *out)
{
	if (a.approx || a.hi)
		return false;
	if (out)
		*out = a.exact;
	return true;
}

/* ---- number formatting helpers ---- */

#define NUM 64

static int norm_sig(int sig) { return sig <= 0 ? 4 : sig > 17 ? 17 : sig; }

/* Drops trailing zeros of a fraction, and the point if nothing is left. */
static void trim_zeros(char *s)
{
	if (!strchr(s, '.'))
		return;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
}

/* floor(log10(a)) for a > 0, by comparison where 10^k is exact (a table
 * walk is several times faster than log10, and reports call this often). */
static int dec_exponent(double a)
{
	static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
		1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
		1e19, 1e20, 1e21, 1e22};
	if (a >= 1 && a < 1e22) {
		int k = 0;
		while (a >= p10[k + 1])
			k++;
		return k;
	}
	if (a < 1 && a >= 1e-22) {
		int k = 0;
		while (a * p10[k] < 1)
			k++;
		/* a * 10^k >= 1 and a * 10^(k-1) < 1: the exponent is -k, unless
		 * the product rounded up across a power of ten */
		return a < 1 / p10[k - 1] ? -k : -k + 1;
	}
	return (int)floor(log10(a));
}

/* v rounded to sig significant digits. */
static double round_sig(double v, int sig)
{
	char t[NUM];
	if (!isfinite(v) || v == 0.0)
		return v;
	/* Fast path where 10^k is an exact double: scale, round, scale back. */
	int k = sig - 1 - dec_exponent(fabs(v));
	if (k >= -22 && k <= 22) {
		static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
			1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
			1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
		double p = p10[k < 0 ? -k : k];
		return k >= 0 ? rint(v * p) / p : rint(v / p) * p;
	}
	snprintf(t, sizeof t, "%.*e", sig - 1, v);
	return strtod(t, NULL);
}

/* Non-finite values as "inf", "-inf", "nan". */
static bool put_nonfinite(mm_buf *b, double v)
{
	if (isnan(v))
		mm_buf_puts(b, "nan");
	else if (isinf(v))
		mm_buf_puts(b, v < 0 ? "-inf" : "inf");
	else
		return false;
	return true;
}

/* n / 10^dec (dec <= 9) in fixed notation, trailing zeros trimmed, with
 * a minus sign when neg and n != 0. */
static void put_scaled(mm_buf *b, unsigned long long n, int dec, bool neg)
{
	/* The digits of n, at least dec + 1 of them, from the right (a
	 * division by a constant is a multiply; by 10^dec it was a third of
	 * this function's time), then the point put in and zeros trimmed. */
	char t[NUM];
	char *e = t + sizeof t, *q = e;
	unsigned long long v = n;
	int nd = 0;
	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
		nd++;
	} while (v || nd <= dec);
	char *end = e;
	int fd = dec;
	while (fd > 0 && end[-1] == '0') {
		end--;
		fd--;
	}
	if (fd > 0) { /* the whole part one place left, the point after it */
		char *point = e - dec;
		memmove(q - 1, q, (size_t)(point - q));
		q--;
		point[-1] = '.';
	}
	if (neg && n != 0)
		*--q = '-';
	mm_buf_add(b, q, (size_t)(end - q));
}

/* v (finite) in fixed notation with sig significant digits, zeros trimmed. */
static void put_fixed(mm_buf *b, double v, int sig)
{
	char t[NUM];
	int dec = 0;
	if (v != 0.0) {
		dec = sig - 1 - dec_exponent(fabs(v));
		if (dec < 0)
			dec = 0;
		if (dec > 20)
			dec = 20;
	}
	/* Fast path for the usual figures (reports print several per
	 * statement, and scripts run a million statements a second): scale to
	 * an integer and write the digits. rint rounds half to even, as
	 * printf does for the exactly representable ties. */
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	if (dec <= 9 && fabs(v) < 1e9) {
		put_scaled(b, (unsigned long long)rint(fabs(v) * pow10[dec]), dec,
		           v < 0);
		return;
	}
	snprintf(t, sizeof t, "%.*f", dec, v);
	trim_zeros(t);
	mm_buf_puts(b, t);
}

/* v like %g with sig digits, but exponents written "e36" and "e-5". */
static void put_g(mm_buf *b, double v, int sig)
{
	char t[NUM];
	if (put_nonfinite(b, v))
		return;
	snprintf(t, sizeof t, "%.*g", sig, v);
	char *e = strchr(t, 'e');
	if (!e) {
		mm_buf_puts(b, t);
		return;
	}
	*e = '\0';
	trim_zeros(t);
	mm_buf_puts(b, t);
	mm_buf_putc(b, 'e');
	const char *x = e + 1;
	if (*x == '-')
		mm_buf_putc(b, *x++);
	else if (*x == '+')
		x++;
	while (*x == '0' && x[1] != '\0')
		x++;
	mm_buf_puts(b, x);
}

/* Exact decimal digits of n, grouped by three with sep when sep != 0. */
static void put_u128(mm_buf *b, mm_count_u128 n, char sep)
{
	char t[NUM];
	int len = 0;
	do {
		t[len++] = (char)('0' + (int)(n % 10));
		n /= 10;
	} while (n);
	for (int i = 0; i < len / 2; i++) {
		char x = t[i];
		t[i] = t[len - 1 - i];
		t[len - 1 - i] = x;
	}
	for (int i = 0; i < len; i++) {
		if (sep && i > 0 && (len - i) % 3 == 0)
			mm_buf_putc(b, sep);
		mm_buf_putc(b, t[i]);
	}
}

void mm_count_format_digits(mm_buf *b, mm_count c, char sep)
{
	if (!c.approx) {
		put_u128(b, mm_count_wide(c), sep);
		return;
	}
	mm_buf_putc(b, '~');
	put_g(b, c.value, 6);
}

static const char *const si_prefix[] = {"", "k", "M", "G", "T", "P", "E",
                                        "Z", "Y"};
static const char *const iec_prefix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi",
                                         "Ei", "Zi", "Yi"};
#define NPREFIX 9

/* A finite v >= 0 with a prefix chosen from powers of base, or scientific
 * past the last prefix. Rounding happens before the choice, so 999.97 with
 * four digits becomes "1 k", not "1000 ". */
static void put_prefixed(mm_buf *b, double v, int sig, double base,
                         const char *const *prefix, const char *unit)
{
	int p = 0;
	double orig = v;
	/* Scale first and round once: rounding can only carry into the
	 * next prefix (999.96 -> 1000), which one more step handles. The
	 * prefix by comparisons with its powers and one division (exact
	 * powers: 1000^7 and 1024^8 are doubles), not a chain of divisions,
	 * which was most of this function's time. */
	static const double si_pow[NPREFIX] = {1, 1e3, 1e6, 1e9, 1e12, 1e15,
		1e18, 1e21, 0};
	static const double iec_pow[NPREFIX] = {1, 0x1p10, 0x1p20, 0x1p30,
		0x1p40, 0x1p50, 0x1p60, 0x1p70, 0x1p80};
	const double *pw = base == 1000.0 ? si_pow : base == 1024.0 ? iec_pow
	                                                             : NULL;
	if (pw && v < pw[7]) {
		while (p < 6 && v >= pw[p + 1])
			p++;
		v /= pw[p];
	} else {
		while (p < NPREFIX - 1 && v >= base) {
			v /= base;
			p++;
		}
	}
	/* Fast path, most figures: v rounded once to an integer of sig
	 * digits, n / 10^dec, written as put_fixed would write
	 * round_sig(v, sig) (rint(v·10^dec) is the same integer either way). */
	if (v > 0 && v < base) {
		static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
			1e7, 1e8, 1e9};
		int dec = sig - 1 - dec_exponent(v);
		if (dec >= 0 && dec <= 9) {
			double n = rint(v * p10[dec]);
			if (n < base * p10[dec]) {
				put_scaled(b, (unsigned long long)n, dec, false);
				mm_buf_putc(b, ' ');
				mm_buf_puts(b, prefix[p]);
				mm_buf_puts(b, unit);
				return;
			}
		}
	}
	double r = round_sig(v, sig);
	if (r >= base && p < NPREFIX - 1) {
		v /= base;
		p++;
		r = round_sig(v, sig);
	}
	if (r >= base) {
		put_g(b, orig, sig);
		p = 0;
	} else {
		put_fixed(b, r, sig);
	}
	mm_buf_putc(b, ' ');
	mm_buf_puts(b, prefix[p]);
	mm_buf_puts(b, unit);
}

static void format_prefixed(mm_buf *b, mm_count c, const char *unit, int sig,
                            double base, const char *const *prefix)
{
	sig = norm_sig(sig);
	if (!c.approx && !c.hi && (double)c.exact < base) {
		put_u128(b, c.exact, 0);
		mm_buf_putc(b, ' ');
		mm_buf_puts(b, unit);
		return;
	}
	if (c.approx)
		mm_buf_putc(b, '~');
	if (put_nonfinite(b, c.value)) {
		mm_buf_putc(b, ' ');
		mm_buf_puts(b, unit);
		return;
	}
	put_prefixed(b, c.value, sig, base, prefix, unit);
}

void mm_count_format_si(mm_buf *b, mm_count c, const char *unit, int sig)
{
	format_prefixed(b, c, unit, sig, 1000.0, si_prefix);
}

void mm_count_format_iec(mm_buf *b, mm_count c, const char *unit, int sig)
{
	format_prefixed(b, c, unit, sig, 1024.0, iec_prefix);
}

void mm_count_format_si_f(mm_buf *b, double v, const char *unit, int sig)
{
	sig = norm_sig(sig);
	if (put_nonfinite(b, v) || v < 0) {
		if (v < 0 && isfinite(v))
			put_g(b, v, sig);
		mm_buf_putc(b, ' ');
		mm_buf_puts(b, unit);
		return;
	}
	if (v < 1.0) {
		/* %g writes [1e-4, 1) in fixed notation: so does put_fixed,
		 * without printf (intensities land here in every report). */
		if (v >= 1e-4)
			put_fixed(b, round_sig(v, sig), sig);
		else
			put_g(b, v, sig);
		mm_buf_putc(b, ' ');
		mm_buf_puts(b, unit);
		return;
	}
	put_prefixed(b, v, sig, 1000.0, si_prefix, unit);
}

/* ---- dimensions ---- */

bool mm_dim_eq(mm_dim a, mm_dim b)
{
	return a.flop == b.flop && a.mac == b.mac && a.byte == b.byte &&
	       a.sec == b.sec;
}

bool mm_dim_is_none(mm_dim a) { return mm_dim_eq(a, MM_DIM_NONE); }

bool mm_dim_is_count(mm_dim a)
{
	return mm_dim_eq(a, MM_DIM_FLOP) || mm_dim_eq(a, MM_DIM_MAC) ||
	       mm_dim_eq(a, MM_DIM_BYTE);
}

static bool power(int x, int8_t *out)
{
	if (x < -8 || x > 8)
		return false;
	*out = (int8_t)x;
	return true;
}

bool mm_dim_mul(mm_dim a, mm_dim b, int sign, mm_dim *out)
{
	return power(a.flop + sign * b.flop, &out->flop) &&
	       power(a.mac + sign * b.mac, &out->mac) &&
	       power(a.byte + sign * b.byte, &out->byte) &&
	       power(a.sec + sign * b.sec, &out->sec);
}

bool mm_dim_pow(mm_dim a, int64_t k, mm_dim *out)
{
	if (k < -8 || k > 8)
		return mm_dim_is_none(a) && (*out = a, true);
	return power(a.flop * (int)k, &out->flop) &&
	       power(a.mac * (int)k, &out->mac) &&
	       power(a.byte * (int)k, &out->byte) &&
	       power(a.sec * (int)k, &out->sec);
}

/* "X", "X²" or "X^2" for one base unit to power p > 0. */
static void put_power(mm_buf *b, const char *name, int p, bool ascii)
{
	static const char *const sup[] = {"", "", "²", "³", "⁴", "⁵", "⁶", "⁷",
	                                  "⁸"};
	mm_buf_puts(b, name);
	if (p > 1 && ascii)
		mm_buf_printf(b, "^%d", p);
	else if (p > 1)
		mm_buf_puts(b, sup[p]);
}

void mm_dim_print(mm_buf *b, mm_dim d, bool ascii)
{
	const int p[4] = {d.flop, d.mac, d.byte, d.sec};
	static const char *const name[4] = {"FLOP", "MAC", "B", "s"};
	bool any = false;
	for (int side = 0; side < 2; side++) {
		bool first = true;
		for (int k = 0; k < 4; k++) {
			int e = side ? -p[k] : p[k];
			if (e <= 0)
				continue;
			if (side && first)
				mm_buf_puts(b, any ? "/" : "1/");
			else if (!first)
				mm_buf_puts(b, ascii ? "*" : "·");
			put_power(b, name[k], e, ascii);
			first = false;
			any = true;
		}
	}
}

/* ---- units ---- */

#define K1 1000ull
#define KI 1024ull
/* Dimensions as initializers (a static table takes no compound literal) */
#define D_FLOP {1, 0, 0, 0}
#define D_MAC {0, 1, 0, 0}
#define D_BYTE {0, 0, 1, 0}
#define D_SEC {0, 0, 0, 1}
#define D_FLOPS {1, 0, 0, -1}
#define D_BYTES {0, 0, 1, -1}

/* A unit of factor f base units, exact when f is a whole number. */
#define U(NAME, KIND, DIM, F) {NAME, KIND, DIM, F, (uint64_t)(F)}
#define UX(NAME, KIND, DIM, F) {NAME, KIND, DIM, F, 0}

static const mm_unit units[] = {
	U("FLOP", MM_UNIT_FLOP, D_FLOP, 1), U("kFLOP", MM_UNIT_FLOP, D_FLOP, 1e3),
	U("MFLOP", MM_UNIT_FLOP, D_FLOP, 1e6), U("GFLOP", MM_UNIT_FLOP, D_FLOP, 1e9),
	U("TFLOP", MM_UNIT_FLOP, D_FLOP, 1e12),
	U("PFLOP", MM_UNIT_FLOP, D_FLOP, 1e15),
	U("EFLOP", MM_UNIT_FLOP, D_FLOP, 1e18),
	UX("ZFLOP", MM_UNIT_FLOP, D_FLOP, 1e21),
	UX("YFLOP", MM_UNIT_FLOP, D_FLOP, 1e24),
	U("MAC", MM_UNIT_MAC, D_MAC, 1), U("kMAC", MM_UNIT_MAC, D_MAC, 1e3),
	U("MMAC", MM_UNIT_MAC, D_MAC, 1e6), U("GMAC", MM_UNIT_MAC, D_MAC, 1e9),
	U("TMAC", MM_UNIT_MAC, D_MAC, 1e12), U("PMAC", MM_UNIT_MAC, D_MAC, 1e15),
	U("EMAC", MM_UNIT_MAC, D_MAC, 1e18), UX("ZMAC", MM_UNIT_MAC, D_MAC, 1e21),
	UX("YMAC", MM_UNIT_MAC, D_MAC, 1e24),
	U("B", MM_UNIT_BYTE, D_BYTE, 1), U("kB", MM_UNIT_BYTE, D_BYTE, 1e3),
	U("MB", MM_UNIT_BYTE, D_BYTE, 1e6), U("GB", MM_UNIT_BYTE, D_BYTE, 1e9),
	U("TB", MM_UNIT_BYTE, D_BYTE, 1e12), U("PB", MM_UNIT_BYTE, D_BYTE, 1e15),
	U("KiB", MM_UNIT_BYTE, D_BYTE, KI),
	U("MiB", MM_UNIT_BYTE, D_BYTE, KI * KI),
	U("GiB", MM_UNIT_BYTE, D_BYTE, KI * KI * KI),
	U("TiB", MM_UNIT_BYTE, D_BYTE, KI * KI * KI * KI),
	U("PiB", MM_UNIT_BYTE, D_BYTE, KI * KI * KI * KI * KI),
	UX("b", MM_UNIT_BYTE, D_BYTE, 0.125), U("kb", MM_UNIT_BYTE, D_BYTE, 125),
	U("Mb", MM_UNIT_BYTE, D_BYTE, 125e3), U("Gb", MM_UNIT_BYTE, D_BYTE, 125e6),
	U("Tb", MM_UNIT_BYTE, D_BYTE, 125e9),
	UX("ns", MM_UNIT_SECOND, D_SEC, 1e-9), UX("µs", MM_UNIT_SECOND, D_SEC, 1e-6),
	UX("ms", MM_UNIT_SECOND, D_SEC, 1e-3), U("s", MM_UNIT_SECOND, D_SEC, 1),
	U("min", MM_UNIT_SECOND, D_SEC, 60), U("h", MM_UNIT_SECOND, D_SEC, 3600),
	U("day", MM_UNIT_SECOND, D_SEC, 86400),
	U("FLOP/s", MM_UNIT_RATE, D_FLOPS, 1),
	U("kFLOP/s", MM_UNIT_RATE, D_FLOPS, 1e3),
	U("MFLOP/s", MM_UNIT_RATE, D_FLOPS, 1e6),
	U("GFLOP/s", MM_UNIT_RATE, D_FLOPS, 1e9),
	U("TFLOP/s", MM_UNIT_RATE, D_FLOPS, 1e12),
	U("PFLOP/s", MM_UNIT_RATE, D_FLOPS, 1e15),
	U("EFLOP/s", MM_UNIT_RATE, D_FLOPS, 1e18),
	U("B/s", MM_UNIT_RATE, D_BYTES, 1), U("kB/s", MM_UNIT_RATE, D_BYTES, 1e3),
	U("MB/s", MM_UNIT_RATE, D_BYTES, 1e6), U("GB/s", MM_UNIT_RATE, D_BYTES, 1e9),
	U("TB/s", MM_UNIT_RATE, D_BYTES, 1e12),
	U("PB/s", MM_UNIT_RATE, D_BYTES, 1e15),
	U("KiB/s", MM_UNIT_RATE, D_BYTES, KI),
	U("MiB/s", MM_UNIT_RATE, D_BYTES, KI * KI),
	U("GiB/s", MM_UNIT_RATE, D_BYTES, KI * KI * KI),
	U("TiB/s", MM_UNIT_RATE, D_BYTES, KI * KI * KI * KI),
	UX("b/s", MM_UNIT_RATE, D_BYTES, 0.125),
	U("kb/s", MM_UNIT_RATE, D_BYTES, 125),
	U("Mb/s", MM_UNIT_RATE, D_BYTES, 125e3),
	U("Gb/s", MM_UNIT_RATE, D_BYTES, 125e6),
	U("Tb/s", MM_UNIT_RATE, D_BYTES, 125e9),
};
#define NUNITS (sizeof units / sizeof units[0])

const mm_unit *mm_count_units(size_t *n)
{
	if (n)
		*n = NUNITS;
	return units;
}

const mm_unit *mm_count_unit_find(const char *name)
{
	if (!name)
		return NULL;
	if (strcmp(name, "us") == 0 || strcmp(name, "\xCE\xBCs") == 0)
		name = "µs"; /* Greek mu (U+03BC) and micro sign (U+00B5) alike */
	else if (strcmp(name, "us/s") == 0)
		return NULL;
	for (size_t i = 0; i < NUNITS; i++)
		if (strcmp(name, units[i].name) == 0)
			return &units[i];
	/* Ignoring case; when that leaves bytes and bits alike (KB: kB and
	 * kb), an upper-case B says bytes, a lower-case b is refused. */
	const mm_unit *found = NULL, *byte = NULL;
	int n = 0;
	for (size_t i = 0; i < NUNITS; i++)
		if (strcasecmp(name, units[i].name) == 0) {
			found = &units[i];
			n++;
			if (strchr(name, 'B') && strchr(units[i].name, 'B'))
				byte = &units[i];
		}
	return n == 1 ? found : byte;
}

const char *mm_count_unit_suggest(const char *name)
{
	static const char *const alias[][2] = {
		{"byte", "B"}, {"bytes", "B"}, {"bit", "b"}, {"bits", "b"},
		{"sec", "s"}, {"secs", "s"}, {"second", "s"}, {"seconds", "s"},
		{"minute", "min"}, {"minutes", "min"}, {"mins", "min"},
		{"hour", "h"}, {"hours", "h"}, {"hr", "h"}, {"hrs", "h"},
		{"days", "day"}, {"d", "day"}, {"flops", "FLOP"},
		{"GFLOPS", "GFLOP/s"}, {"TFLOPS", "TFLOP/s"}, {"PFLOPS", "PFLOP/s"},
		{"MFLOPS", "MFLOP/s"}, {"EFLOPS", "EFLOP/s"},
		{"gbps", "Gb/s"},
	};
	if (!name)
		return NULL;
	/* gb, mb: bytes or bits? Both, for the hint to say. */
	static char both[64];
	const mm_unit *byte = NULL, *bit = NULL;
	for (size_t i = 0; i < NUNITS; i++)
		if (strcasecmp(name, units[i].name) == 0)
			*(strchr(units[i].name, 'B') ? &byte : &bit) = &units[i];
	if (byte && bit) {
		snprintf(both, sizeof both, "'%s' (bytes) or '%s' (bits)",
		         byte->name, bit->name);
		return both;
	}
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcmp(name, alias[i][0]) == 0)
			return alias[i][1];
	for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
		if (strcasecmp(name, alias[i][0]) == 0)
			return alias[i][1];
	/* A plural: GFLOPs, MACs, KiBs */
	size_t n = strlen(name);
	if (n > 1 && n < 16 && name[n - 1] == 's') {
		char stem[16];
		memcpy(stem, name, n - 1);
		stem[n - 1] = '\0';
		const mm_unit *u = mm_count_unit_find(stem);
		if (u)
			return u->name;
	}
	return NULL;
}

double mm_count_in_unit(mm_count c, const mm_unit *u)
{
	if (!u)
		return c.value;
	if (u->scale && !c.approx && mm_count_wide(c) % u->scale == 0)
		return (double)(mm_count_wide(c) / u->scale);
	return c.value / u->factor;
}

static const char *unit_name(const mm_unit *u, bool ascii)
{
	return ascii && strcmp(u->name, "µs") == 0 ? "us" : u->name;
}

#define MAX_FRAC 12

void mm_count_format_in_unit(mm_buf *b, mm_count c, const mm_unit *u,
                             bool ascii)
{
	if (!u)
		return;
	if (u->kind == MM_UNIT_SECOND) {
		mm_count_format_seconds_in(b, c.value, u, ascii);
		return;
	}
	if (c.approx) {
		mm_buf_putc(b, '~');
		put_g(b, c.value / u->factor, 6);
	} else if (!u->scale) {
		put_g(b, c.value / u->factor, 12);
	} else {
		/* Long division: the remainder stays below the scale (<= 2^50 or
		 * 10^18), so r * 10 never overflows. */
		mm_count_u128 w = mm_count_wide(c);
		uint64_t s = u->scale, r = (uint64_t)(w % s);
		mm_count_u128 q = w / s;
		char frac[MAX_FRAC + 1];
		int n = 0;
		while (r != 0 && n < MAX_FRAC) {
			r *= 10;
			frac[n++] = (char)('0' + r / s);
			r %= s;
		}
		if (r != 0) {
			put_g(b, c.value / (double)s, 12);
		} else {
			put_u128(b, q, 0);
			if (n > 0) {
				mm_buf_putc(b, '.');
				mm_buf_add(b, frac, (size_t)n);
			}
		}
	}
	mm_buf_putc(b, ' ');
	mm_buf_puts(b, unit_name(u, ascii));
}

void mm_count_format_seconds_in(mm_buf *b, double seconds, const mm_unit *u,
                                bool ascii)
{
	if (!u || u->kind != MM_UNIT_SECOND)
		return;
	double v = seconds / u->factor;
	if (!put_nonfinite(b, v)) {
		if (v != 0.0 && fabs(v) < 1e-4)
			put_g(b, v, 6);
		else
			put_fixed(b, round_sig(v, 6), 6);
	}
	mm_buf_putc(b, ' ');
	mm_buf_puts(b, unit_name(u, ascii));
}

void mm_count_format_seconds(mm_buf *b, double seconds, int sig, bool ascii)
{
	static const struct {
		double below; /* use this unit when the rounded value is below */
		double scale;
		const char *name, *ascii;
	} steps[] = {
		{1e-6, 1e-9, "ns", "ns"},  {1e-3, 1e-6, "µs", "us"},
		{1.0, 1e-3, "ms", "ms"},   {60.0, 1.0, "s", "s"},
		{3600.0, 60.0, "min", "min"}, {86400.0 * 10, 3600.0, "h", "h"},
		{INFINITY, 86400.0, "days", "days"},
	};
	sig = norm_sig(sig);
	if (put_nonfinite(b, seconds)) {
		mm_buf_puts(b, " s");
		return;
	}
	if (seconds < 0) {
		mm_buf_putc(b, '-');
		seconds = -seconds;
	}
	if (seconds == 0.0) {
		mm_buf_puts(b, "0 s");
		return;
	}
	size_t i = 0;
	for (; i + 1 < sizeof steps / sizeof steps[0]; i++)
		if (round_sig(seconds, sig) < steps[i].below)
			break;
	/* The unit is chosen on the rounded value, so 999.96 ms with four
	 * digits reads "1 s", not "1000 ms". */
	double v = round_sig(seconds / steps[i].scale, sig);
	/* Past a million hours (114 years) digits say nothing: 8.304e18 h. */
	if ((v < 1e-3 && i == 0) || v >= 1e6)
		put_g(b, v, sig);
	else
		put_fixed(b, v, sig);
	mm_buf_putc(b, ' ');
	mm_buf_puts(b, ascii ? steps[i].ascii : steps[i].name);
}
