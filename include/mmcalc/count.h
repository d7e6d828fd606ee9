/* count.h — the number type of every cost figure (FLOPs, MACs, bytes):
 * an exact unsigned 128-bit integer while the value fits (3.4e38, beyond
 * any count a model reaches), otherwise a double marked approximate.
 * Arithmetic never wraps: a result that does not fit becomes approximate,
 * and an approximate operand makes the result approximate; '~' in a
 * report marks exactly those. Also the units of `EXPR -> UNIT` and the formatting
 * of counts, rates and times (SI prefixes for FLOPs, IEC for bytes).
 *
 * Ownership: mm_count is a plain value, copy it freely. Formatting
 * functions append to a caller-owned mm_buf and never print. Unit
 * descriptors returned by mm_count_unit_find live in static storage. */
#ifndef MMCALC_COUNT_H
#define MMCALC_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmcalc/buf.h"

typedef struct mm_count {
	bool approx;    /* false: exact and hi hold the value; true: value does */
	uint64_t exact; /* the low 64 bits of the exact value */
	uint64_t hi;    /* its high 64 bits: 0 below 2^64 */
	double value;   /* always set: the value as a double (rounded if exact) */
} mm_count;

/* The exact value as one integer (a GCC/Clang extension, kept to count.h
 * and count.c). */
__extension__ typedef unsigned __int128 mm_count_u128;

static inline mm_count_u128 mm_count_wide(mm_count c)
{
	return (mm_count_u128)c.hi << 64 | c.exact;
}

static inline mm_count mm_count_of_wide(mm_count_u128 v)
{
	return (mm_count){false, (uint64_t)v, (uint64_t)(v >> 64), (double)v};
}

/* The constructors and the arithmetic that every statement's costs go
 * through are inline: out of line they were 8% of a shape-only script's
 * time, most of it calls and 24-byte results passed through memory. */

/* An exact count. */
static inline mm_count mm_count_of(uint64_t n)
{
	return (mm_count){false, n, 0, (double)n};
}
/* A count from a double: exact when v is an integer in [0, 2^128),
 * otherwise approximate with value v (inf and NaN included). */
mm_count mm_count_from_double(double v);
/* An approximate count, whatever v is. */
static inline mm_count mm_count_approx(double v)
{
	return (mm_count){true, 0, 0, v};
}
/* The zero count (exact). */
#define MM_COUNT_ZERO ((mm_count){false, 0, 0, 0.0})

static inline mm_count mm_count_add(mm_count a, mm_count b)
{
	if (!a.approx && !b.approx) {
		uint64_t r;
		if (!a.hi && !b.hi && !__builtin_add_overflow(a.exact, b.exact, &r))
			return mm_count_of(r);
		mm_count_u128 w;
		if (!__builtin_add_overflow(mm_count_wide(a), mm_count_wide(b), &w))
			return mm_count_of_wide(w);
	}
	return mm_count_approx(a.value + b.value);
}
/* a - b; clamps to exact 0 when b > a (counts are never negative). */
mm_count mm_count_sub(mm_count a, mm_count b);
static inline mm_count mm_count_mul(mm_count a, mm_count b)
{
	if (!a.approx && !b.approx) {
		uint64_t r;
		if (!a.hi && !b.hi && !__builtin_mul_overflow(a.exact, b.exact, &r))
			return mm_count_of(r);
		mm_count_u128 w;
		if (!__builtin_mul_overflow(mm_count_wide(a), mm_count_wide(b), &w))
			return mm_count_of_wide(w);
	}
	return mm_count_approx(a.value * b.value);
}
static inline mm_count mm_count_mul_u(mm_count a, uint64_t k)
{
	return mm_count_mul(a, mm_count_of(k));
}
/* a / k: exact when a is exact and k divides it, otherwise approximate.
 * k == 0 gives an approximate +inf (or NaN for 0/0). */
mm_count mm_count_div_u(mm_count a, uint64_t k);
/* a / b as a double (intensity, shares); b == 0 gives inf or NaN. */
double mm_count_ratio(mm_count a, mm_count b);

/* -1, 0 or 1. Two exact counts compare as integers; otherwise as doubles. */
int mm_count_cmp(mm_count a, mm_count b);
bool mm_count_eq(mm_count a, mm_count b);
bool mm_count_is_zero(mm_count a);
mm_count mm_count_min(mm_count a, mm_count b);
mm_count mm_count_max(mm_count a, mm_count b);
double mm_count_to_double(mm_count a);
/* Stores the exact value in *out and returns true; false if approximate
 * or past 2^64 - 1. */
bool mm_count_get_u64(mm_count a, uint64_t *out);

/* ---- formatting: every function appends to b (see buf.h) ---- */

/* Plain digits: "34359738368"; approximate: "~2e36" (6 significant digits,
 * trailing zeros dropped). sep != 0 groups exact digits by three with it
 * ("34,359,738,368"). */
void mm_count_format_digits(mm_buf *b, mm_count c, char sep);

/* With an SI prefix (k M G T P E Z Y, powers of 1000) before unit and `sig`
 * significant digits (sig <= 0 means 4), trailing zeros dropped:
 * "34.36 GFLOP", "17.18 GMAC", "512 FLOP", "1 kFLOP". Exact values under
 * 1000 print all their digits. Beyond the largest prefix the mantissa is
 * scientific: "~2e36 FLOP". Approximate counts start with '~'. */
void mm_count_format_si(mm_buf *b, mm_count c, const char *unit, int sig);
/* The same with IEC prefixes (Ki Mi Gi Ti Pi Ei Zi Yi, powers of 1024) for
 * bytes:
 * "80 MiB", "1.5 GiB", "1000 B". */
void mm_count_format_iec(mm_buf *b, mm_count c, const char *unit, int sig);
/* SI formatting of a non-negative double (a rate: "989.4 TFLOP/s",
 * "3.35 TB/s"); no '~' is added. Non-finite values print "inf"/"nan". */
void mm_count_format_si_f(mm_buf *b, double v, const char *unit, int sig);
/* A duration in the most readable of ns, µs, ms, s, min, h with `sig`
 * significant digits: "1.234 ms", "12 µs". ascii spells µs as "us". */
void mm_count_format_seconds(mm_buf *b, double seconds, int sig, bool ascii);

/* ---- dimensions and units ---- */

/* The dimension of a number: its powers of FLOP, MAC, byte and second.
 * flops(e) is FLOP, time(e) is s, flops(e) / time(e) is FLOP/s; a plain
 * number has none. */
typedef struct mm_dim {
	int8_t flop, mac, byte, sec;
} mm_dim;

#define MM_DIM_NONE ((mm_dim){0, 0, 0, 0})
#define MM_DIM_FLOP ((mm_dim){1, 0, 0, 0})
#define MM_DIM_MAC ((mm_dim){0, 1, 0, 0})
#define MM_DIM_BYTE ((mm_dim){0, 0, 1, 0})
#define MM_DIM_SECOND ((mm_dim){0, 0, 0, 1})

bool mm_dim_eq(mm_dim a, mm_dim b);
bool mm_dim_is_none(mm_dim a);
/* A count of one thing: FLOP, MAC or B to the first power alone. */
bool mm_dim_is_count(mm_dim a);
/* a·b (sign 1) or a/b (sign -1), and a^k: false when a power would pass
 * ±8 (a dimension nobody means). */
bool mm_dim_mul(mm_dim a, mm_dim b, int sign, mm_dim *out);
bool mm_dim_pow(mm_dim a, int64_t k, mm_dim *out);
/* The dimension as people write it: "FLOP", "FLOP/s", "B/s", "FLOP/B",
 * "s²", "1/s"; ascii: "s^2". Nothing for none. */
void mm_dim_print(mm_buf *b, mm_dim d, bool ascii);

/* Units for `EXPR -> UNIT`, by the dimension they measure. */
typedef enum mm_unit_kind {
	MM_UNIT_FLOP,   /* FLOP kFLOP ... YFLOP (SI) */
	MM_UNIT_MAC,    /* MAC kMAC ... YMAC (SI) */
	MM_UNIT_BYTE,   /* B kB .. PB (SI), KiB .. PiB (IEC), and bits: b kb
	                   Mb Gb Tb (an eighth of a byte each, SI) */
	MM_UNIT_SECOND, /* ns us µs ms s min h day */
	MM_UNIT_RATE    /* per second: FLOP/s .. EFLOP/s, B/s .. PB/s,
	                   KiB/s .. TiB/s, b/s .. Tb/s */
} mm_unit_kind;

typedef struct mm_unit {
	const char *name; /* canonical spelling: "GFLOP", "MiB", "µs", "Gb/s" */
	mm_unit_kind kind;
	mm_dim dim;
	/* Base units (FLOP, MAC, B, s, or those per second) in one of this
	 * unit: factor always, scale too when it is a whole number below 2^64
	 * (then conversions of exact counts are exact). */
	double factor;
	uint64_t scale;
} mm_unit;

/* Looks a unit up by name: the exact spelling first, then ignoring case
 * when exactly one unit matches that way ("gflop" is GFLOP, "KB" is kB,
 * "gib" is GiB; "gb" is both GB and Gb, so neither). "us" and "µs" are
 * the same. NULL when unknown. */
const mm_unit *mm_count_unit_find(const char *name);
/* The unit a name that mm_count_unit_find does not know probably means:
 * a plural ("GFLOPs" is GFLOP, "GFLOPS" GFLOP/s), a spelled-out name
 * ("bytes" is B, "seconds" s, "hours" h, "days" day), or, for a name
 * that is bytes or bits, both in quotes: "'GB' (bytes) or 'Gb' (bits)".
 * NULL when there is no guess. */
const char *mm_count_unit_suggest(const char *name);
/* The table of units (for `:help units`); *n receives its length. */
const mm_unit *mm_count_units(size_t *n);
/* The count's value in unit u. */
double mm_count_in_unit(mm_count c, const mm_unit *u);
/* Writes c (in base units) converted to u with the unit name: exact
 * counts in whole-number units give the exact decimal when it has at most
 * 12 fractional digits ("34.359738368 GFLOP", "16 MiB", "0.9765625 KiB"),
 * otherwise 12 significant digits; approximate counts give "~" and 6
 * significant digits; times 6 significant digits ("12.5 ms"). ascii
 * spells µs as "us". */
void mm_count_format_in_unit(mm_buf *b, mm_count c, const mm_unit *u,
                             bool ascii);
/* A duration in time unit u, 6 significant digits: "12.5 ms". */
void mm_count_format_seconds_in(mm_buf *b, double seconds,
                                const mm_unit *u, bool ascii);

#endif
